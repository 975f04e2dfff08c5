/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * verify.c — offline passive authentication throughput: documents/s of
 * parse EF.SOD + nid_pa_verify (DG hashes, SignerInfo signature, DS → CSCA
 * chain, validity, revocation lookup) for an RSA-2048 and an ECDSA P-256
 * Document Signer, next to OpenSSL's raw EVP_DigestVerify rate for the
 * same key, measured in the same run. Rates are per second of process
 * CPU time (single-threaded), so a busy machine does not skew them.
 *
 *   bench/verify [-t SECONDS] [-s SHARED_DIR]
 *
 * With the shared corpus present (NID_SHARED or -s), the trust store also
 * holds the German CSCA master list (588 certificates), so the CSCA
 * lookup works on a realistic store.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/objects.h>

#include "testpki.h"
#include "pa.h"
#include "sod.h"
#include "trust.h"

#define T_SIGN 1767225600   /* 2026-01-01 */
#define DAY 86400

static double
now(void)
{
	struct timespec ts;

	/* CPU time of the process: figures stay comparable on a loaded
	 * machine (this is single-threaded work) */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs of fn until at least secs have passed; returns calls per second. */
struct doc {
	int stage;          /* 0 parse, 1 + SignerInfo, 2 whole */
	nid_ctx_t *ctx;
	const nid_buf *sod;
	const nid_trust_t *t;
	const struct nid_pa_dg_input *dgs;
	size_t ndgs;
};

static int
one_document(const struct doc *d)
{
	struct nid_pa_opts po = { T_SIGN + DAY, NID_PA_CRL_NONE };
	struct nid_pa_report rep;
	nid_sod_t *s = NULL;
	int ok;

	if (nid_sod_parse(d->ctx, d->sod->p, d->sod->len, &s) != NID_OK)
		return 0;
	if (d->stage < 2) {
		struct nid_check chk;
		X509 *signer = NULL;

		memset(&chk, 0, sizeof(chk));
		ok = 1;
		if (d->stage == 1)
			ok = nid_cms_verify_signer(d->ctx, s->cms, s->econtent,
			    s->econtent_len, s->certs, &chk, &signer) == NID_OK &&
			    chk.result == NID_CHECK_PASS;
		nid_sod_free(&s);
		return ok;
	}
	if (nid_pa_verify(d->ctx, s, d->t, d->dgs, d->ndgs, NULL, &po, &rep) !=
	    NID_OK) {
		nid_sod_free(&s);
		return 0;
	}
	ok = rep.verdict == NID_PA_PASS;
	nid_pa_report_clear(&rep);
	nid_sod_free(&s);
	return ok;
}

static double
rate_documents(const struct doc *d, double secs)
{
	double t0 = now(), t;
	unsigned long n = 0;

	do {
		if (!one_document(d)) {
			fprintf(stderr, "verify: a document did not pass\n");
			exit(1);
		}
		n++;
	} while ((t = now() - t0) < secs);
	return (double)n / t;
}

static double
rate_evp(EVP_PKEY *key, const EVP_MD *md, double secs)
{
	static const uint8_t msg[100] = { 0x31, 0x62 };  /* ~ signed attrs */
	uint8_t sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	double t0, t;
	unsigned long n = 0;

	if (m == NULL || EVP_DigestSignInit(m, NULL, md, NULL, key) != 1 ||
	    EVP_DigestSign(m, sig, &siglen, msg, sizeof(msg)) != 1)
		tp_die("EVP_DigestSign");
	t0 = now();
	do {
		if (EVP_DigestVerifyInit(m, NULL, md, NULL, key) != 1 ||
		    EVP_DigestVerify(m, sig, siglen, msg, sizeof(msg)) != 1)
			tp_die("EVP_DigestVerify");
		n++;
	} while ((t = now() - t0) < secs);
	EVP_MD_CTX_free(m);
	return (double)n / t;
}

int
main(int argc, char **argv)
{
	static uint8_t dg1[93], dg2[16000], dg14[400];
	struct nid_sod_sign_dg sdg[] = { { 1, dg1, sizeof(dg1) },
	    { 2, dg2, sizeof(dg2) }, { 14, dg14, sizeof(dg14) } };
	struct nid_pa_dg_input in[] = { { 1, dg1, sizeof(dg1) },
	    { 2, dg2, sizeof(dg2) }, { 14, dg14, sizeof(dg14) } };
	static const struct {
		const char *label;
		const char *type;
		size_t bits;
		const char *curve;
	} kinds[] = {
		{ "RSA-2048 (PKCS#1 v1.5, SHA-256)", "RSA", 2048, NULL },
		{ "ECDSA P-256 (SHA-256)", "EC", 0, "P-256" },
	};
	const char *shared = getenv("NID_SHARED");
	double secs = 1.0, docs, raw, parse, signer;
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL;
	char path[4096], path2[4096];
	size_t i, base;
	int c, ml = 0;

	while ((c = getopt(argc, argv, "t:s:h")) != -1) {
		switch (c) {
		case 't':
			secs = atof(optarg);
			break;
		case 's':
			shared = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-t SECONDS] [-s SHARED]\n",
			    argv[0]);
			return 2;
		}
	}
	if (secs <= 0)
		secs = 1.0;
	memset(dg1, 0x3c, sizeof(dg1));
	dg1[0] = 0x61;
	memset(dg2, 0xa5, sizeof(dg2));
	dg2[0] = 0x75;
	memset(dg14, 0x31, sizeof(dg14));
	dg14[0] = 0x6e;
	if (nid_ctx_new(&ctx) != NID_OK || nid_trust_new(ctx, &t) != NID_OK)
		tp_die("context");
	if (shared != NULL &&
	    (size_t)snprintf(path, sizeof(path), "%s/corpus/realworld-sod/csca/"
	    "DE_ROOT_CA_CSCA07.cer", shared) < sizeof(path) &&
	    (size_t)snprintf(path2, sizeof(path2), "%s/corpus/realworld-sod/"
	    "masterlists/DE_ML_2026-05-28-08-28-45.ml", shared) <
	    sizeof(path2) &&
	    access(path, R_OK) == 0 &&
	    nid_trust_add_csca_path(t, path) == NID_OK &&
	    nid_trust_add_masterlist(t, path2, 0, NULL, 0) == NID_OK)
		ml = 1;
	base = t->nanchors;
	printf("verify: OpenSSL %s; %.1f s CPU time per figure; trust store %zu CSCAs%s "
	    "+ 1 test CSCA per key type\n", OpenSSL_version(OPENSSL_VERSION),
	    secs, base, ml ? " (DE master list)" : " (no shared corpus)");
	printf("verify: a document = parse EF.SOD, hash DG1 (93 B), DG2 "
	    "(16000 B), DG14 (400 B), SignerInfo signature, DS certificate "
	    "signature (CSCA of the same type and size), validity\n");
	for (i = 0; i < NID_NELEM(kinds); i++) {
		EVP_PKEY *ck = tp_key(kinds[i].type, kinds[i].bits,
		    kinds[i].curve);
		EVP_PKEY *dk = tp_key(kinds[i].type, kinds[i].bits,
		    kinds[i].curve);
		X509 *csca = tp_cert(ck, kinds[i].type[0] == 'R' ?
		    "Bench CSCA RSA" : "Bench CSCA EC", NULL, NULL, 1,
		    T_SIGN - 365 * DAY, T_SIGN + 3650 * DAY, 1);
		X509 *ds = tp_cert(dk, "Bench DS", csca, ck, 2,
		    T_SIGN - DAY, T_SIGN + 365 * DAY, 0);
		struct nid_sod_sign_params sp = { 1, NID_sha256,
		    NID_SOD_SIG_DEFAULT, T_SIGN };
		nid_buf sod;
		struct doc d;

		nid_buf_init(&sod, NID_SOD_MAX_LEN);
		if (nid_trust_add_cert(t, csca, "bench") != NID_OK ||
		    nid_sod_sign(ctx, sdg, 3, ds, dk, &sp, &sod) != NID_OK)
			tp_die("sign");
		d.ctx = ctx;
		d.sod = &sod;
		d.t = t;
		d.dgs = in;
		d.ndgs = 3;
		d.stage = 0;
		parse = rate_documents(&d, secs);
		d.stage = 1;
		signer = rate_documents(&d, secs);
		d.stage = 2;
		docs = rate_documents(&d, secs);
		raw = rate_evp(dk, EVP_sha256(), secs);
		printf("verify: %-32s %8.0f documents/s (%.3f ms each); "
		    "OpenSSL EVP verify %8.0f/s (%.3f ms); ratio %.2f\n",
		    kinds[i].label, docs, 1000.0 / docs, raw, 1000.0 / raw,
		    raw / docs);
		printf("verify: %-32s stages: parse EF.SOD %.3f ms, + SignerInfo "
		    "%.3f ms, whole document %.3f ms\n", "", 1000.0 / parse,
		    1000.0 / signer, 1000.0 / docs);
		nid_buf_clear(&sod);
		X509_free(csca);
		X509_free(ds);
		EVP_PKEY_free(ck);
		EVP_PKEY_free(dk);
	}
	nid_trust_free(&t);
	nid_ctx_free(&ctx);
	return 0;
}
