/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * status.c — the status benchmark (`make bench`, bench/run-status.sh,
 * bench/README.md): a genuine card read and verified by the status engine
 * (status.h nid_status_run, the code `nidcard status` runs) through the
 * real PC/SC stack, against the floor of raw APDUs through the same rig,
 * the same run with no transport at all, a card limited to Le 223, eight
 * readers at once, offline passive authentication against OpenSSL's own
 * verify, and the peak RSS of one run. Figures are printed as a table and
 * written to a JSON file with exactly the keys of the performance issue;
 * nothing is asserted (a slow figure is not a failure), but a run that
 * does not end in "pass" is a broken set-up and stops the benchmark.
 *
 *   status --image DIR --pki DIR --can CAN --reader-ext R --reader-223 R
 *          --batch R (8 times) --out FILE [--runs N] [--batch-runs N]
 *          [--verify-secs S]
 *   status --make-face DG2 OUT SIZE
 *
 * One status run: open the reader (SCardConnect, a transaction), probe
 * (probe.h, NID_PROBE_SESSION), nid_status_run with the verification
 * plan plus the photo (DG1, DG2, DG14, DG15 as EF.COM lists them; EF.COM,
 * EF.SOD), chip authentication AUTO (CA: DG14 offers it), trust = the
 * test PKI's CSCA and CRL; then the card is reset (a fresh card for the
 * next run, as at a desk) and the reader closed. Its time is from the
 * probe's first APDU to the verdict: the APDU work, comparable with the
 * floor (opening and resetting the reader are outside, ~1 ms).
 *
 * The library has no process-global state (every table is const; checked
 * on libnidcard.so: no writable .data / .bss symbol of its own), so the
 * batch runs one thread per reader, each with its own context, trust
 * store, PC/SC context and card handle.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "nid_internal.h"
#include "card.h"
#include "emrtd.h"
#include "lds.h"
#include "pa.h"
#include "pcsc.h"
#include "probe.h"
#include "sim.h"
#include "sod.h"
#include "status.h"
#include "trust.h"

#define BATCH_READERS 8
#define RUNS_MAX 200

struct cfg {
	const char *image, *pki, *can, *reader_ext, *reader_223, *out;
	const char *batch[BATCH_READERS];
	size_t nbatch;
	int runs, batch_runs;
	double verify_secs;
	const char *profile;   /* --profile PART: only that, for perf */
	long pcscd_pid;        /* 0: unknown */
	long card_pid[BATCH_READERS];  /* the batch cards' processes */
	size_t ncard_pid;
};

/* CPU time (ms) of another process, from /proc; -1 when unknown. */
static double
proc_cpu_ms(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *fp;
	size_t n;
	int i;

	if (pid <= 0)
		return -1;
	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* Fields after "(comm)": state is the 3rd; utime, stime the 14th,
	 * 15th of the line (proc(5)). */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	for (i = 3; i < 14 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, " %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) * 1e3 / (double)sysconf(_SC_CLK_TCK);
}

/* CPU (ms) of the batch cards, together. */
static double
cards_cpu_ms(const struct cfg *c, size_t n)
{
	double sum = 0, v;
	size_t i;

	for (i = 0; i < n && i < c->ncard_pid; i++) {
		if ((v = proc_cpu_ms(c->card_pid[i])) < 0)
			return -1;
		sum += v;
	}
	return i == n ? sum : -1;
}

/* What one status run gave. */
struct run {
	double ms;               /* probe + nid_status_run, wall */
	double cpu_ms;           /* this thread's CPU in it */
	unsigned long apdus;     /* on the wire */
	int verdict;
	size_t files;            /* files read (EF.CardAccess excluded) */
	char chip[12];           /* "CA", "AA", "" */
	char protocol[8];
	int extended;
	size_t le;
	double open_ms;          /* SCardConnect, begin transaction */
	double close_ms;         /* end transaction, reset, disconnect */
};

/* A copy of the files of one run, for the offline verify figure. */
struct dump {
	uint8_t *sod;
	size_t sod_len;
	struct nid_pa_dg_input dgs[16];
	uint8_t *dg_data[16];
	size_t ndgs;
};

static double
wall_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	(void)clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
die(const char *what, nid_ctx_t *ctx, int rc)
{
	fprintf(stderr, "bench/status: %s: %s%s%s\n", what, nid_strerror(rc),
	    ctx != NULL ? ": " : "", ctx != NULL ? nid_ctx_detail(ctx) : "");
	exit(1);
}

/* The trust store of one session: the test PKI's CSCA and its CRL. */
static nid_trust_t *
load_trust(nid_ctx_t *ctx, const char *pki)
{
	nid_trust_t *t = NULL;
	char path[4096];
	int rc;

	if ((rc = nid_trust_new(ctx, &t)) != NID_OK)
		die("trust store", ctx, rc);
	(void)snprintf(path, sizeof(path), "%s/csca.pem", pki);
	if ((rc = nid_trust_add_csca_path(t, path)) != NID_OK)
		die(path, ctx, rc);
	(void)snprintf(path, sizeof(path), "%s/crl.pem", pki);
	if ((rc = nid_trust_add_crl_path(t, path)) != NID_OK)
		die(path, ctx, rc);
	/* As nidcard does once it has loaded its trust (opts.c). */
	if ((rc = nid_trust_prepare(t)) != NID_OK)
		die("trust store", ctx, rc);
	return t;
}

static void
keep_dump(const struct nid_status_report *r, struct dump *d)
{
	const struct nid_emrtd_file *f;
	size_t i;

	for (i = 0; i < r->read.nfiles; i++) {
		f = &r->read.files[i];
		if (f->state != NID_EMRTD_F_READ || f->data == NULL)
			continue;
		if (strcmp(f->name, "EF.SOD") == 0) {
			if ((d->sod = malloc(f->len)) == NULL)
				die("memory", NULL, NID_E_NOMEM);
			memcpy(d->sod, f->data, f->len);
			d->sod_len = f->len;
		} else if (f->dg >= 1 && d->ndgs < 16) {
			if ((d->dg_data[d->ndgs] = malloc(f->len)) == NULL)
				die("memory", NULL, NID_E_NOMEM);
			memcpy(d->dg_data[d->ndgs], f->data, f->len);
			d->dgs[d->ndgs].n = (unsigned)f->dg;
			d->dgs[d->ndgs].p = d->dg_data[d->ndgs];
			d->dgs[d->ndgs].len = f->len;
			d->ndgs++;
		}
	}
}

static void
dump_free(struct dump *d)
{
	size_t i;

	free(d->sod);
	for (i = 0; i < d->ndgs; i++)
		free(d->dg_data[i]);
	memset(d, 0, sizeof(*d));
}

/*
 * Probe and status on an open card handle; fills o. The verdict must be
 * pass (a genuine card, a trusted CSCA, a fresh CRL).
 */
static int
status_once(nid_card_t *card, const nid_trust_t *trust,
    const struct nid_emrtd_creds *creds, struct run *o, struct dump *keep)
{
	struct nid_status_opts so;
	struct nid_status_report rep;
	nid_ctx_t *ctx = card->t->ctx;
	unsigned long a0 = card->t->apdus;
	double t0, c0;
	size_t i;
	int rc;

	memset(o, 0, sizeof(*o));
	memset(&so, 0, sizeof(so));
	memset(&rep, 0, sizeof(rep));
	t0 = wall_ms();
	c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	/* `nidcard status --photo`: the verification plan and DG2; the
	 * engine probes the card first. */
	so.read.dgs = NID_EMRTD_DGS_VERIFY | NID_EMRTD_DG(2);
	so.chip = NID_CHIP_AUTO;
	so.trust = trust;
	so.pa.t_ref = time(NULL);
	so.pa.crl_policy = NID_PA_CRL_SOFT;
	rc = nid_status_run(card, creds, &so, &rep);
	o->ms = wall_ms() - t0;
	o->cpu_ms = (clock_s(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e3;
	o->apdus = card->t->apdus - a0;
	if (rc != NID_OK)
		goto out;
	o->verdict = rep.verdict;
	if (rep.verdict != NID_PA_PASS) {
		for (i = 0; i < rep.nchecks; i++)
			fprintf(stderr, "bench/status: %s %s: %s\n",
			    rep.checks[i].id,
			    nid_check_result_str(rep.checks[i].result),
			    rep.checks[i].reason);
		rc = NID_E_INTERNAL;
		(void)nid_ctx_set_detail(ctx, rc, "the genuine card did not "
		    "pass (verdict %s)", nid_pa_verdict_str(rep.verdict));
		goto out;
	}
	for (i = 0; i < rep.read.nfiles; i++)
		if (rep.read.files[i].state == NID_EMRTD_F_READ &&
		    strcmp(rep.read.files[i].name, "EF.CardAccess") != 0)
			o->files++;
	(void)snprintf(o->chip, sizeof(o->chip), "%s", rep.chip.mechanism);
	(void)snprintf(o->protocol, sizeof(o->protocol), "%s",
	    rep.read.protocol);
	o->extended = rep.read.extended;
	o->le = rep.read.le;
	if (keep != NULL)
		keep_dump(&rep, keep);
out:
	nid_status_report_clear(&rep);
	return rc;
}

/* Open the reader, one status run, reset the card, close. */
static int
pcsc_run(nid_ctx_t *ctx, const char *reader, const nid_trust_t *trust,
    const struct nid_emrtd_creds *creds, struct run *o, struct dump *keep)
{
	nid_transport_t *t = NULL;
	nid_card_t *card = NULL;
	double t0 = wall_ms(), open_ms = 0;
	int rc, in_tx = 0;

	memset(o, 0, sizeof(*o));
	if ((rc = nid_pcsc_open(ctx, reader, &t)) != NID_OK ||
	    (rc = nid_card_new(t, &card)) != NID_OK ||
	    (rc = nid_transport_begin(t)) != NID_OK)
		goto out;
	in_tx = 1;
	open_ms = wall_ms() - t0;
	rc = status_once(card, trust, creds, o, keep);
	o->open_ms = open_ms;
	t0 = wall_ms();
out:
	if (in_tx && nid_transport_end(t) != NID_OK && rc == NID_OK)
		rc = NID_E_TRANSPORT;
	/* The next run meets a fresh card (vpcd's reset: the sim drops its
	 * selection and its secure messaging session). */
	if (t != NULL && nid_transport_reset(t) != NID_OK && rc == NID_OK)
		rc = NID_E_TRANSPORT;
	nid_card_free(&card);
	nid_transport_free(&t);
	o->close_ms = wall_ms() - t0;
	return rc;
}

/* ---- the floor: as many raw APDUs as a status run ----------------------- */

static double
floor_ms(nid_ctx_t *ctx, const char *reader, unsigned long count, int runs)
{
	/* ISO/IEC 7816-4 §11.5.3 GET CHALLENGE, Le 8 (as bench/floor). */
	static const uint8_t cmd[] = { 0x00, 0x84, 0x00, 0x00, 0x08 };
	uint8_t rsp[NID_RSP_MAX];
	nid_transport_t *t = NULL;
	double v[RUNS_MAX], t0;
	size_t rlen;
	unsigned long i;
	int r, rc;

	if ((rc = nid_pcsc_open(ctx, reader, &t)) != NID_OK)
		die(reader, ctx, rc);
	for (r = -2; r < runs; r++) {     /* two runs to warm up */
		if ((rc = nid_transport_begin(t)) != NID_OK)
			die("floor: begin", ctx, rc);
		t0 = wall_ms();
		for (i = 0; i < count; i++) {
			rlen = sizeof(rsp);
			if ((rc = nid_transport_transmit(t, cmd, sizeof(cmd),
			    rsp, &rlen)) != NID_OK)
				die("floor: GET CHALLENGE", ctx, rc);
			if (rlen != 10 || rsp[8] != 0x90 || rsp[9] != 0x00)
				die("floor: GET CHALLENGE answer", ctx,
				    NID_E_CARD_PROTOCOL);
		}
		if (r >= 0)
			v[r] = wall_ms() - t0;
		if ((rc = nid_transport_end(t)) != NID_OK)
			die("floor: end", ctx, rc);
	}
	if ((rc = nid_transport_reset(t)) != NID_OK)
		die("floor: reset", ctx, rc);
	nid_transport_free(&t);
	return median(v, (size_t)runs);
}

/* ---- the same run with no transport: the in-process card ----------------- */

/*
 * The same status run on the same image, the card in this process
 * (nid_sim_transport_open): no PC/SC, no sockets — the client's and the
 * card's crypto and parsing, nothing else. The figure is the median
 * thread CPU time (both sides run in this thread), so a busy machine's
 * waits do not count: the "pure crypto time" of the performance target.
 * *wall gets the median wall time.
 */
static double
inproc_ms(const struct cfg *c, const struct nid_emrtd_creds *creds, int runs,
    double *wall)
{
	nid_ctx_t *ctx = NULL;
	nid_sim_card *sim = NULL;
	nid_transport_t *t = NULL;
	nid_card_t *card = NULL;
	nid_trust_t *trust;
	struct run o;
	double v[RUNS_MAX], w[RUNS_MAX];
	int r, rc;

	if ((rc = nid_ctx_new(&ctx)) != NID_OK)
		die("context", NULL, rc);
	trust = load_trust(ctx, c->pki);
	if ((rc = nid_sim_card_load(ctx, c->image, &sim)) != NID_OK)
		die(c->image, ctx, rc);
	for (r = -2; r < runs; r++) {
		nid_sim_reset(sim);      /* a fresh card, as through vpcd */
		if ((rc = nid_sim_transport_open(ctx, sim, &t)) != NID_OK ||
		    (rc = nid_card_new(t, &card)) != NID_OK ||
		    (rc = status_once(card, trust, creds, &o, NULL)) != NID_OK)
			die("in-process status run", ctx, rc);
		if (r >= 0) {
			v[r] = o.cpu_ms;
			w[r] = o.ms;
		}
		nid_card_free(&card);
		nid_transport_free(&t);
	}
	nid_sim_card_free(&sim);
	nid_trust_free(&trust);
	nid_ctx_free(&ctx);
	if (wall != NULL)
		*wall = median(w, (size_t)runs);
	return median(v, (size_t)runs);
}

/* ---- the batch: one thread per reader ------------------------------------ */

struct worker {
	const struct cfg *cfg;
	const char *reader;
	int runs;
	int raw;               /* raw GET CHALLENGE instead of status runs */
	pthread_barrier_t *start;
	double open_ms, status_ms, close_ms;   /* sums over the runs */
	int rc;
	char err[256];
	pthread_t th;
};

/*
 * The rig's own ceiling: the same threads sending raw GET CHALLENGE, as
 * many as a status run has APDUs, per "card" (no crypto, no open/reset).
 */
#define RAW_APDUS 17
static void *
raw_worker(struct worker *w)
{
	static const uint8_t cmd[] = { 0x00, 0x84, 0x00, 0x00, 0x08 };
	uint8_t rsp[64];
	nid_ctx_t *ctx = NULL;
	nid_transport_t *t = NULL;
	size_t rlen;
	int i, rc;

	if ((rc = nid_ctx_new(&ctx)) == NID_OK &&
	    (rc = nid_pcsc_open(ctx, w->reader, &t)) == NID_OK)
		rc = nid_transport_begin(t);
	(void)pthread_barrier_wait(w->start);
	for (i = 0; rc == NID_OK && i < w->runs * RAW_APDUS; i++) {
		rlen = sizeof(rsp);
		rc = nid_transport_transmit(t, cmd, sizeof(cmd), rsp, &rlen);
	}
	if (rc == NID_OK)
		rc = nid_transport_end(t);
	if (rc != NID_OK) {
		w->rc = rc;
		(void)snprintf(w->err, sizeof(w->err), "%s: %s", w->reader,
		    nid_strerror(rc));
	}
	nid_transport_free(&t);
	nid_ctx_free(&ctx);
	return NULL;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct nid_emrtd_creds creds;
	nid_ctx_t *ctx = NULL;
	nid_trust_t *trust = NULL;
	struct run o;
	int i, rc;

	w->rc = NID_OK;
	if (w->raw)
		return raw_worker(w);
	memset(&creds, 0, sizeof(creds));
	if ((rc = nid_ctx_new(&ctx)) == NID_OK &&
	    (rc = nid_emrtd_creds_can(&creds, w->cfg->can)) == NID_OK) {
		trust = load_trust(ctx, w->cfg->pki);
		/* One run before the clock: the reader's first connection. */
		rc = pcsc_run(ctx, w->reader, trust, &creds, &o, NULL);
	}
	/* Every thread meets the others at the start, failed or not. */
	(void)pthread_barrier_wait(w->start);
	for (i = 0; rc == NID_OK && i < w->runs; i++) {
		rc = pcsc_run(ctx, w->reader, trust, &creds, &o, NULL);
		w->open_ms += o.open_ms;
		w->status_ms += o.ms;
		w->close_ms += o.close_ms;
	}
	if (rc != NID_OK) {
		w->rc = rc;
		(void)snprintf(w->err, sizeof(w->err), "%s: %s: %s", w->reader,
		    nid_strerror(rc), ctx != NULL ? nid_ctx_detail(ctx) : "");
	}
	nid_emrtd_creds_clear(&creds);
	nid_trust_free(&trust);
	nid_ctx_free(&ctx);
	return NULL;
}

/*
 * Cards per second with the first n batch readers, one thread each.
 * cpu[3]: CPU time per card meanwhile of this process (the client), of
 * the cards' processes and of pcscd (-1 unknown).
 */
static double
batch_rate(const struct cfg *c, size_t n, int raw, double cpu[3],
    double parts[3])
{
	struct worker w[BATCH_READERS];
	pthread_barrier_t start;
	double t0, c0, k0, p0, ms, cards;
	size_t i;

	if (pthread_barrier_init(&start, NULL, (unsigned)n + 1) != 0)
		die("pthread_barrier_init", NULL, NID_E_INTERNAL);
	memset(w, 0, sizeof(w));
	for (i = 0; i < n; i++) {
		w[i].cfg = c;
		w[i].reader = c->batch[i];
		w[i].runs = c->batch_runs;
		w[i].raw = raw;
		w[i].start = &start;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0)
			die("pthread_create", NULL, NID_E_INTERNAL);
	}
	(void)pthread_barrier_wait(&start);
	t0 = wall_ms();
	c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	k0 = cards_cpu_ms(c, n);
	p0 = proc_cpu_ms(c->pcscd_pid);
	for (i = 0; i < n; i++)
		(void)pthread_join(w[i].th, NULL);
	ms = wall_ms() - t0;
	cards = (double)n * (double)c->batch_runs;
	cpu[0] = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e3 / cards;
	cpu[1] = k0 < 0 ? -1 : (cards_cpu_ms(c, n) - k0) / cards;
	cpu[2] = p0 < 0 ? -1 : (proc_cpu_ms(c->pcscd_pid) - p0) / cards;
	parts[0] = parts[1] = parts[2] = 0;
	for (i = 0; i < n; i++) {
		parts[0] += w[i].open_ms / cards;
		parts[1] += w[i].status_ms / cards;
		parts[2] += w[i].close_ms / cards;
	}
	(void)pthread_barrier_destroy(&start);
	for (i = 0; i < n; i++)
		if (w[i].rc != NID_OK) {
			fprintf(stderr, "bench/status: batch: %s\n", w[i].err);
			exit(1);
		}
	return (double)n * (double)c->batch_runs / (ms / 1e3);
}

/* ---- offline verification against OpenSSL's own verify ----------------- */

static double
verify_rate(nid_ctx_t *ctx, const nid_trust_t *trust, const struct dump *d,
    double secs)
{
	struct nid_pa_opts po;
	struct nid_pa_report rep;
	nid_sod_t *s = NULL;
	double t0, t;
	unsigned long n = 0;
	int rc;

	po.t_ref = time(NULL);
	po.crl_policy = NID_PA_CRL_SOFT;
	t0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	do {
		/* What `nidcard verify DIR` does per document. */
		if ((rc = nid_sod_parse(ctx, d->sod, d->sod_len, &s)) != NID_OK ||
		    (rc = nid_pa_verify(ctx, s, trust, d->dgs, d->ndgs, NULL,
		    &po, &rep)) != NID_OK)
			die("verify", ctx, rc);
		if (rep.verdict != NID_PA_PASS)
			die("verify: the dump did not pass", ctx, NID_E_INTERNAL);
		nid_pa_report_clear(&rep);
		nid_sod_free(&s);
		n++;
	} while ((t = clock_s(CLOCK_PROCESS_CPUTIME_ID) - t0) < secs);
	return (double)n / t;
}

static double
openssl_rate(const char *pki, double secs)
{
	static const uint8_t msg[100] = { 0x31, 0x62 };  /* ~ signed attrs */
	uint8_t sig[1024];
	size_t siglen = sizeof(sig);
	char path[4096];
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *m = NULL;
	FILE *fp;
	double t0, t;
	unsigned long n = 0;

	(void)snprintf(path, sizeof(path), "%s/ds.key", pki);
	if ((fp = fopen(path, "r")) == NULL ||
	    (k = PEM_read_PrivateKey(fp, NULL, NULL, NULL)) == NULL)
		die(path, NULL, NID_E_IO);
	fclose(fp);
	/* The DS signs with SHA-256 (pki init --hash sha256). */
	if ((m = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(m, sig, &siglen, msg, sizeof(msg)) != 1)
		die("EVP_DigestSign", NULL, NID_E_CRYPTO);
	t0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	do {
		if (EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, k) != 1 ||
		    EVP_DigestVerify(m, sig, siglen, msg, sizeof(msg)) != 1)
			die("EVP_DigestVerify", NULL, NID_E_CRYPTO);
		n++;
	} while ((t = clock_s(CLOCK_PROCESS_CPUTIME_ID) - t0) < secs);
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(k);
	return (double)n / t;
}

/* ---- peak RSS of one status run, in a process of its own ----------------- */

static long
vm_hwm_kib(void)
{
	char line[256];
	long v = -1;
	FILE *fp;

	if ((fp = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &v) == 1)
			break;
	fclose(fp);
	return v;
}

/*
 * Forked before this process has done anything (so it starts as small as
 * `nidcard status` does): one status run on the extended-length card,
 * then VmHWM, the peak resident set, through a pipe.
 */
static long
peak_rss(const struct cfg *c)
{
	struct nid_emrtd_creds creds;
	nid_ctx_t *ctx = NULL;
	nid_trust_t *trust;
	struct run o;
	long v = -1;
	pid_t pid = -1;
	int fd[2], st, rc;

	if (pipe(fd) != 0)
		die("pipe", NULL, NID_E_INTERNAL);
	if ((pid = fork()) < 0)
		die("fork", NULL, NID_E_INTERNAL);
	if (pid == 0) {
		close(fd[0]);
		if ((rc = nid_ctx_new(&ctx)) != NID_OK ||
		    (rc = nid_emrtd_creds_can(&creds, c->can)) != NID_OK)
			_exit(1);
		trust = load_trust(ctx, c->pki);
		if ((rc = pcsc_run(ctx, c->reader_ext, trust, &creds, &o,
		    NULL)) != NID_OK) {
			fprintf(stderr, "bench/status: peak RSS run: %s: %s\n",
			    nid_strerror(rc), nid_ctx_detail(ctx));
			_exit(1);
		}
		v = vm_hwm_kib();
		if (write(fd[1], &v, sizeof(v)) != (ssize_t)sizeof(v))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], &v, sizeof(v)) != (ssize_t)sizeof(v))
		v = -1;
	close(fd[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0 || v < 0)
		die("peak RSS run", NULL, NID_E_INTERNAL);
	return v;
}

/* ---- a face image of about SIZE bytes ------------------------------------ */

/*
 * The JPEG of a DG2 (nid_lds_dg2_parse) made SIZE bytes long with a
 * comment segment (FF FE, ISO/IEC 10918-1 B.2.4.5) of pseudo-random
 * bytes after SOI: a valid JPEG of the same picture, as large as a real
 * portrait (ICAO 9303-9: 15–20 KB is typical).
 */
static int
make_face(const char *dg2_path, const char *out, const char *size_s)
{
	struct nid_lds_dg2 dg2;
	uint8_t *p = NULL, *buf;
	size_t len = 0, size, img_len, pad, i, seg;
	uint64_t x = 0x9E3779B97F4A7C15ull;
	const uint8_t *img;
	FILE *fp;
	int rc;

	size = (size_t)strtoul(size_s, NULL, 10);
	if ((rc = nid_file_read(NULL, dg2_path, 1024 * 1024, &p, &len)) !=
	    NID_OK || (rc = nid_lds_dg2_parse(p, len, &dg2)) != NID_OK ||
	    dg2.nfaces < 1)
		die(dg2_path, NULL, rc == NID_OK ? NID_E_MALFORMED : rc);
	img = dg2.faces[0].image.p;
	img_len = dg2.faces[0].image.len;
	if (img_len < 4 || img[0] != 0xFF || img[1] != 0xD8 ||
	    size > 60000 || size < img_len + 4)
		die("--make-face: not a JPEG, or SIZE out of 1..60000", NULL,
		    NID_E_INVALID_ARG);
	pad = size - img_len;           /* FF FE L L ‖ pad - 4 bytes */
	seg = pad - 2;                  /* the segment length counts itself */
	if ((buf = malloc(size)) == NULL)
		die("memory", NULL, NID_E_NOMEM);
	buf[0] = 0xFF;
	buf[1] = 0xD8;
	buf[2] = 0xFF;
	buf[3] = 0xFE;
	buf[4] = (uint8_t)(seg >> 8);
	buf[5] = (uint8_t)seg;
	for (i = 6; i < 2 + pad; i++) {
		x ^= x << 13;           /* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	memcpy(buf + 2 + pad, img + 2, img_len - 2);
	if ((fp = fopen(out, "wb")) == NULL ||
	    fwrite(buf, 1, size, fp) != size || fclose(fp) != 0)
		die(out, NULL, NID_E_IO);
	free(buf);
	free(p);
	return 0;
}

/* ---- --profile apdus: the time of each APDU of one run ------------------ */

#define TIMED_MAX 256
struct timed {
	nid_transport_t *inner;
	size_t n;
	uint8_t hdr[TIMED_MAX][4];
	size_t out[TIMED_MAX], in[TIMED_MAX];
	double ms[TIMED_MAX];
};

static int
timed_transmit(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	struct timed *w = t->impl;
	double t0 = wall_ms();
	int rc;

	rc = nid_transport_transmit(w->inner, cmd, cmd_len, rsp, rsp_len);
	if (w->n < TIMED_MAX && cmd_len >= 4) {
		memcpy(w->hdr[w->n], cmd, 4);
		w->out[w->n] = cmd_len;
		w->in[w->n] = rc == NID_OK ? *rsp_len : 0;
		w->ms[w->n++] = wall_ms() - t0;
	}
	return rc;
}

static int
timed_get_atr(nid_transport_t *t, uint8_t *atr, size_t *atr_len)
{
	struct timed *w = t->impl;

	return nid_transport_get_atr(w->inner, atr, atr_len);
}

static void
timed_close(nid_transport_t *t)
{
	free(t->impl);
}

static const struct nid_transport_ops timed_ops = {
	.name = "timed",
	.transmit = timed_transmit,
	.get_atr = timed_get_atr,
	.close = timed_close,
};

/* One status run with each APDU's wall time (the transmit, end to end). */
static void
profile_apdus(nid_ctx_t *ctx, const struct cfg *c, const nid_trust_t *trust,
    const struct nid_emrtd_creds *creds)
{
	nid_transport_t *p = NULL, *t = NULL;
	nid_card_t *card = NULL;
	struct timed *w;
	struct run o;
	double sum = 0;
	size_t i;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		die("memory", NULL, NID_E_NOMEM);
	if ((rc = nid_pcsc_open(ctx, c->reader_ext, &p)) != NID_OK)
		die(c->reader_ext, ctx, rc);
	w->inner = p;
	if ((rc = nid_transport_new(ctx, &timed_ops, w, &t)) != NID_OK ||
	    (rc = nid_card_new(t, &card)) != NID_OK ||
	    (rc = nid_transport_begin(p)) != NID_OK ||
	    (rc = status_once(card, trust, creds, &o, NULL)) != NID_OK ||
	    (rc = nid_transport_end(p)) != NID_OK)
		die("timed run", ctx, rc);
	for (i = 0; i < w->n; i++) {
		printf("apdus: %2zu %02X%02X%02X%02X %6zu B out %6zu B in "
		    "%7.3f ms\n", i + 1, w->hdr[i][0], w->hdr[i][1],
		    w->hdr[i][2], w->hdr[i][3], w->out[i], w->in[i], w->ms[i]);
		sum += w->ms[i];
	}
	printf("apdus: %zu APDUs %.2f ms on the wire of %.2f ms in all\n",
	    w->n, sum, o.ms);
	if ((rc = nid_transport_reset(p)) != NID_OK)
		die("reset", ctx, rc);
	nid_card_free(&card);
	nid_transport_free(&t);
	nid_transport_free(&p);
}

/*
 * --profile ext|inproc|verify|apdus: only that part, --runs times (verify:
 * --verify-secs), so `perf record -g bench/status --profile …` shows
 * where its time goes (bench/README.md).
 */
static int
profile(const struct cfg *c)
{
	struct nid_emrtd_creds creds;
	nid_ctx_t *ctx = NULL;
	nid_trust_t *trust;
	struct run o;
	struct dump d;
	double t0 = wall_ms(), v[RUNS_MAX];
	int i, rc;

	if ((rc = nid_ctx_new(&ctx)) != NID_OK ||
	    (rc = nid_emrtd_creds_can(&creds, c->can)) != NID_OK)
		die("context", ctx, rc);
	trust = load_trust(ctx, c->pki);
	memset(&d, 0, sizeof(d));
	if (strcmp(c->profile, "ext") == 0 || strcmp(c->profile, "verify") ==
	    0) {
		for (i = 0; i < (strcmp(c->profile, "ext") == 0 ? c->runs : 1);
		    i++) {
			if ((rc = pcsc_run(ctx, c->reader_ext, trust, &creds,
			    &o, i == 0 ? &d : NULL)) != NID_OK)
				die("status run", ctx, rc);
			v[i < RUNS_MAX ? i : 0] = o.ms;
		}
		if (strcmp(c->profile, "ext") == 0)
			printf("ext: status %.2f ms median (%lu APDUs), whole "
			    "run with open and reset %.2f ms on average\n",
			    median(v, (size_t)c->runs), o.apdus,
			    (wall_ms() - t0) / c->runs);
		if (strcmp(c->profile, "verify") == 0)
			printf("verify: %.0f/s\n", verify_rate(ctx, trust, &d,
			    c->verify_secs));
	} else if (strcmp(c->profile, "apdus") == 0) {
		for (i = 0; i < c->runs; i++)
			profile_apdus(ctx, c, trust, &creds);
	} else if (strcmp(c->profile, "inproc") == 0) {
		double wall;

		printf("inproc: %.2f ms CPU median", inproc_ms(c, &creds,
		    c->runs, &wall));
		printf(", %.2f ms wall\n", wall);
	}
	else
		die("--profile takes ext, apdus, inproc or verify", NULL,
		    NID_E_INVALID_ARG);
	printf("%s: %.0f ms in all\n", c->profile, wall_ms() - t0);
	dump_free(&d);
	nid_emrtd_creds_clear(&creds);
	nid_trust_free(&trust);
	nid_ctx_free(&ctx);
	return 0;
}

/* ---- main ----------------------------------------------------------------- */

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: status --image DIR --pki DIR --can CAN --reader-ext R\n"
	    "         --reader-223 R --batch R (8 times) --out FILE\n"
	    "         [--runs N] [--batch-runs N] [--verify-secs S]\n"
	    "         [--pcscd-pid P] [--card-pid P (per --batch)]\n"
	    "         [--profile ext|apdus|inproc|verify]\n"
	    "       status --make-face DG2 OUT SIZE\n"
	    "The status benchmark; bench/run-status.sh sets up the rig and\n"
	    "the cards (bench/README.md).\n");
}

static const char *
holds(int ok)
{
	return ok ? "holds" : "does NOT hold";
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "pki", required_argument, NULL, 'p' },
		{ "can", required_argument, NULL, 'c' },
		{ "reader-ext", required_argument, NULL, 'e' },
		{ "reader-223", required_argument, NULL, 'l' },
		{ "batch", required_argument, NULL, 'b' },
		{ "out", required_argument, NULL, 'o' },
		{ "runs", required_argument, NULL, 'r' },
		{ "batch-runs", required_argument, NULL, 'B' },
		{ "verify-secs", required_argument, NULL, 'v' },
		{ "profile", required_argument, NULL, 'P' },
		{ "pcscd-pid", required_argument, NULL, 'D' },
		{ "card-pid", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cfg c;
	struct nid_emrtd_creds creds;
	struct run o, ext[RUNS_MAX], l223[RUNS_MAX];
	struct dump d;
	nid_ctx_t *ctx = NULL;
	nid_trust_t *trust;
	double v[RUNS_MAX], st_ms, st_ms_223, fl_ms, in_ms, r1, r8, vps, ops;
	double cpu_ms, in_wall, st_min, b1_cpu[3], b8_cpu[3];
	double b1_parts[3], b8_parts[3], raw1, raw8, raw_cpu[3], raw_parts[3];
	unsigned long apdus, apdus_223, apdus_min, chip_min;
	long rss;
	json_t *doc;
	FILE *fp;
	int ch, i, rc;

	if (argc == 5 && strcmp(argv[1], "--make-face") == 0)
		return make_face(argv[2], argv[3], argv[4]);
	memset(&c, 0, sizeof(c));
	c.runs = 15;
	c.batch_runs = 20;
	c.verify_secs = 2.0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': c.image = optarg; break;
		case 'p': c.pki = optarg; break;
		case 'c': c.can = optarg; break;
		case 'e': c.reader_ext = optarg; break;
		case 'l': c.reader_223 = optarg; break;
		case 'b':
			if (c.nbatch >= BATCH_READERS) {
				usage(stderr);
				return 2;
			}
			c.batch[c.nbatch++] = optarg;
			break;
		case 'o': c.out = optarg; break;
		case 'r': c.runs = atoi(optarg); break;
		case 'B': c.batch_runs = atoi(optarg); break;
		case 'v': c.verify_secs = atof(optarg); break;
		case 'P': c.profile = optarg; break;
		case 'D': c.pcscd_pid = atol(optarg); break;
		case 'K':
			if (c.ncard_pid < BATCH_READERS)
				c.card_pid[c.ncard_pid++] = atol(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || c.image == NULL || c.pki == NULL ||
	    c.can == NULL || c.reader_ext == NULL || (c.profile == NULL &&
	    (c.reader_223 == NULL || c.nbatch != BATCH_READERS ||
	    c.out == NULL)) || c.runs < 1 ||
	    c.runs > RUNS_MAX || c.batch_runs < 1 || c.verify_secs <= 0) {
		usage(stderr);
		return 2;
	}

	if (c.profile != NULL)
		return profile(&c);
	/* First, while this process is still small. */
	rss = peak_rss(&c);

	if ((rc = nid_ctx_new(&ctx)) != NID_OK ||
	    (rc = nid_emrtd_creds_can(&creds, c.can)) != NID_OK)
		die("context", ctx, rc);
	trust = load_trust(ctx, c.pki);
	memset(&d, 0, sizeof(d));

	/* The extended-length card: two warm-up runs, then the figures. */
	for (i = -2; i < c.runs; i++) {
		if ((rc = pcsc_run(ctx, c.reader_ext, trust, &creds, &o,
		    i == c.runs - 1 ? &d : NULL)) != NID_OK)
			die("status run (extended length)", ctx, rc);
		if (i >= 0)
			ext[i] = o;
	}
	apdus = ext[0].apdus;
	for (i = 0; i < c.runs; i++) {
		if (ext[i].apdus != apdus)
			die("status runs differ in APDUs", NULL, NID_E_INTERNAL);
		v[i] = ext[i].ms;
	}
	st_ms = median(v, (size_t)c.runs);
	st_min = v[0];   /* median() sorted v */
	for (i = 0; i < c.runs; i++)
		v[i] = ext[i].cpu_ms;
	cpu_ms = median(v, (size_t)c.runs);
	/*
	 * The least a status run of this card can cost (ICAO 9303-11):
	 *   1  READ BINARY EF.CardAccess (the PACE parameters)
	 *   5  PACE GM: MSE:Set AT, GENERAL AUTHENTICATE × 4 (§4.4)
	 *   1  SELECT the eMRTD application (9303-10 §3.6; after PACE)
	 *   n  one READ BINARY per file (EF.COM, EF.SOD, DG1, DG2, DG14,
	 *      DG15), by SFI, so no SELECT: extended length takes each
	 *      whole (all are below 65280 bytes)
	 *   3  Chip Authentication: MSE:Set AT, GENERAL AUTHENTICATE, and
	 *      one command under the new keys to prove them — the engine
	 *      sends SELECT EF.DG14 (ca.h), as every file is read already;
	 *      Active Authentication instead: 1 (INTERNAL AUTHENTICATE)
	 * What the probe adds (SELECT EF.ATR/INFO, 6A82 here) is not in it.
	 */
	chip_min = strcmp(ext[0].chip, "CA") == 0 ? 3 :
	    strcmp(ext[0].chip, "AA") == 0 ? 1 : 0;
	if (strcmp(ext[0].protocol, "PACE") != 0)
		die("the bench card was not read with PACE", NULL,
		    NID_E_INTERNAL);
	apdus_min = 1 + 5 + 1 + ext[0].files + chip_min;

	/* The floor: as many raw APDUs through the same rig and reader. */
	fl_ms = floor_ms(ctx, c.reader_ext, apdus, c.runs);
	/* The same run with no transport (client and card crypto, parsing). */
	in_ms = inproc_ms(&c, &creds, c.runs, &in_wall);

	/* The card limited to Le 223, no extended length. */
	for (i = -1; i < c.runs; i++) {
		if ((rc = pcsc_run(ctx, c.reader_223, trust, &creds, &o,
		    NULL)) != NID_OK)
			die("status run (Le 223)", ctx, rc);
		if (i >= 0)
			l223[i] = o;
	}
	apdus_223 = l223[0].apdus;
	for (i = 0; i < c.runs; i++)
		v[i] = l223[i].ms;
	st_ms_223 = median(v, (size_t)c.runs);

	/* Eight readers against one; the cards answer after 2 ms each. */
	r1 = batch_rate(&c, 1, 0, b1_cpu, b1_parts);
	r8 = batch_rate(&c, BATCH_READERS, 0, b8_cpu, b8_parts);
	/* The same readers with raw APDUs only: the rig's own ceiling. */
	raw1 = batch_rate(&c, 1, 1, raw_cpu, raw_parts);
	raw8 = batch_rate(&c, BATCH_READERS, 1, raw_cpu, raw_parts);

	/* Offline passive authentication of the dump, one core. */
	vps = verify_rate(ctx, trust, &d, c.verify_secs);
	ops = openssl_rate(c.pki, c.verify_secs);

	printf("\nstatus benchmark (genuine card: PACE %s, chip "
	    "authentication %s, %zu files; DS key of %s/ds.key)\n",
	    "GM", ext[0].chip, ext[0].files, c.pki);
	printf("  %-24s %12s   %s\n", "key", "value", "what");
	printf("  %-24s %12lu   APDUs of a status run, extended length\n",
	    "status_apdus", apdus);
	printf("  %-24s %12lu   the least for this card (bench/status.c)\n",
	    "status_apdus_min", apdus_min);
	printf("  %-24s %12.2f   ms, median of %d runs (fastest %.2f)\n",
	    "status_ms_median", st_ms, c.runs, st_min);
	printf("  %-24s %12.2f   ms, %lu raw GET CHALLENGE, same reader\n",
	    "floor_ms_median", fl_ms, apdus);
	printf("  %-24s %12lu   APDUs, card limited to Le 223 (plain Le %zu "
	    "under SM)\n", "status_apdus_le223", apdus_223, l223[0].le);
	printf("  %-24s %12.2f   ms, median of %d runs\n",
	    "status_ms_median_le223", st_ms_223, c.runs);
	printf("  %-24s %12.2f   %.1f cards/s with 8 readers, %.1f with 1 "
	    "(2 ms per APDU)\n", "batch_speedup_8", r8 / r1, r8, r1);
	printf("  %-24s %12.0f   documents/s, CPU time, one core\n",
	    "verify_per_s", vps);
	printf("  %-24s %12.0f   EVP_DigestVerify/s, same DS key type\n",
	    "openssl_verify_per_s", ops);
	printf("  %-24s %12ld   KiB, VmHWM of a process doing one run\n",
	    "peak_rss_kib", rss);
	printf("  not in the JSON: pure crypto %.2f ms (the run with the "
	    "card in-process: CPU of client and card, median; wall %.2f "
	    "ms);\n    client CPU through PC/SC %.2f ms a run\n", in_ms,
	    in_wall, cpu_ms);
	printf("    batch, CPU ms a card (client / virtual card / pcscd): "
	    "1 reader %.2f / %.2f / %.2f, 8 readers %.2f / %.2f / %.2f\n",
	    b1_cpu[0], b1_cpu[1], b1_cpu[2], b8_cpu[0], b8_cpu[1], b8_cpu[2]);
	printf("    the rig alone: %d raw GET CHALLENGE per card, 8 readers "
	    "%.2f x 1 reader (%.1f / %.1f \"cards\"/s)\n", RAW_APDUS,
	    raw8 / raw1, raw8, raw1);
	printf("    batch, wall ms a card (open / status / reset and close): "
	    "1 reader %.2f / %.2f / %.2f, 8 readers %.2f / %.2f / %.2f\n",
	    b1_parts[0], b1_parts[1], b1_parts[2], b8_parts[0], b8_parts[1],
	    b8_parts[2]);
	printf("targets:\n");
	printf("  status_apdus <= status_apdus_min + 2          %lu <= %lu: "
	    "%s\n", apdus, apdus_min + 2, holds(apdus <= apdus_min + 2));
	printf("  status_ms <= 1.25 x (floor + pure crypto)     %.2f <= "
	    "%.2f: %s\n", st_ms, 1.25 * (fl_ms + in_ms),
	    holds(st_ms <= 1.25 * (fl_ms + in_ms)));
	printf("  batch_speedup_8 >= 6.5                        %.2f: %s\n",
	    r8 / r1, holds(r8 / r1 >= 6.5));
	printf("  verify_per_s >= 0.8 x openssl_verify_per_s    %.0f >= %.0f: "
	    "%s\n", vps, 0.8 * ops, holds(vps >= 0.8 * ops));
	printf("  peak_rss_kib <= 8192                          %ld: %s\n",
	    rss, holds(rss <= 8192));

	doc = json_pack("{s:I, s:I, s:f, s:f, s:I, s:f, s:f, s:f, s:f, s:I}",
	    "status_apdus", (json_int_t)apdus,
	    "status_apdus_min", (json_int_t)apdus_min,
	    "status_ms_median", st_ms,
	    "floor_ms_median", fl_ms,
	    "status_apdus_le223", (json_int_t)apdus_223,
	    "status_ms_median_le223", st_ms_223,
	    "batch_speedup_8", r8 / r1,
	    "verify_per_s", vps,
	    "openssl_verify_per_s", ops,
	    "peak_rss_kib", (json_int_t)rss);
	if (doc == NULL || (fp = fopen(c.out, "w")) == NULL ||
	    json_dumpf(doc, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', fp) == EOF || fclose(fp) != 0)
		die(c.out, NULL, NID_E_IO);
	printf("wrote %s\n", c.out);
	json_decref(doc);
	dump_free(&d);
	nid_emrtd_creds_clear(&creds);
	nid_trust_free(&trust);
	nid_ctx_free(&ctx);
	return 0;
}
