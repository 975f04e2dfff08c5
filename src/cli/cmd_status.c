/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * cmd_status.c — nidcard status: the delivery-desk verdict. One card, one
 * answer (PASS / WARN / FAIL) with the trust level that decided it, the
 * facts a clerk compares, and the same as nidcard.status/1 JSON with an
 * exit code for scripts. The work is the library's (src/lib/status.h);
 * this file chooses the reader, prints, and writes the photo.
 *
 * Exit: 0 pass, 1 fail, 3 warn, 2 usage (bad CAN/MRZ, manifest, trust
 * files), 4 no service, reader or card (also: --wait timed out), 5
 * access denied (wrong CAN / MRZ data), 6 card error or card removed,
 * 7 internal.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "lds.h"
#include "status.h"

#define CMD "status"
#define WAIT_MAX_S 86400L

static void
status_usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: %s status [--reader NAME] [--wait [SECONDS]] ACCESS\n"
	    "       [TRUST] [--chip-auth auto|ca|aa|none] [--manifest FILE]\n"
	    "       [--photo FILE] [--all] [--json]\n"
	    "The delivery-desk verdict for one eMRTD / eID card: access (PACE,\n"
	    "else BAC), read, chip authentication, passive authentication,\n"
	    "expiry and manifest; PASS, WARN or FAIL with the reasons.\n\n"
	    CLI_ACCESS_HELP
	    "TRUST (as for 'nidcard verify'):\n"
	    "  --csca FILE|DIR   trusted CSCA certificate(s), DER or PEM\n"
	    "  --masterlist FILE CSCA master list (its signer chains to a --csca)\n"
	    "  --masterlist-unverified  accept master lists that do not verify\n"
	    "  --crl FILE|DIR    CRL(s), DER or PEM\n"
	    "  --crl-policy P    soft (default: revocation unknown warns), hard\n"
	    "                    (unknown fails) or none (not required)\n"
	    "  --at YYYY-MM-DD   reference date (default: today)\n"
	    "Options:\n"
	    "  --reader NAME     exact name or a unique part of it; default:\n"
	    "                    the only reader holding a card\n"
	    "  --wait [SECONDS]  wait for a card to be inserted (default: no\n"
	    "                    limit); a card already present counts\n"
	    "  --chip-auth M     auto (Chip Authentication when DG14 offers it,\n"
	    "                    else Active Authentication when DG15 is\n"
	    "                    present), ca, aa, or none (stated as skipped)\n"
	    "  --manifest FILE   CSV of the cards expected at this desk\n"
	    "                    (document_number[,surname,given_names,\n"
	    "                    birth_date]); the card must be on it and agree\n"
	    "  --photo FILE      write the DG2 face image as stored (JPEG or\n"
	    "                    JPEG 2000), mode 0600\n"
	    "  --all             read and verify every data group EF.COM lists\n"
	    "                    (default: DG1, DG14, DG15, and DG2 with\n"
	    "                    --photo)\n"
	    "  --json            print nidcard.status/1 JSON\n"
	    "  --trace[=sensitive]  the APDU exchange on stderr (see nidcard(1))\n"
	    "  -h, --help        show this help\n\n"
	    "Exit status: 0 pass, 1 fail, 3 warn (none fails, a required\n"
	    "check is unknown), 2 usage error, 4 no PC/SC service, reader or\n"
	    "card, 5 access denied (wrong CAN or MRZ data), 6 card error or\n"
	    "card removed, 7 internal error.\n", cli_progname);
}

struct sopts {
	struct cli_access acc;
	struct cli_trust trust;
	const char *reader;
	const char *manifest;
	const char *photo;
	int wait;              /* --wait given */
	long wait_s;           /* -1: no limit */
	int chip;              /* enum nid_chip_mode */
	int all;               /* read every data group EF.COM lists */
	int json;
};

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* NID_EXIT_OK, -1 after --help, or an exit code. */
static int
parse_args(int argc, char **argv, struct sopts *o)
{
	enum { O_READER = 256, O_WAIT, O_CHIP, O_MANIFEST, O_PHOTO, O_ALL,
	    O_JSON };
	static const struct option lopts[] = {
		CLI_ACCESS_OPTIONS,
		CLI_TRUST_OPTIONS,
		{ "reader", required_argument, NULL, O_READER },
		{ "wait", optional_argument, NULL, O_WAIT },
		{ "chip-auth", required_argument, NULL, O_CHIP },
		{ "manifest", required_argument, NULL, O_MANIFEST },
		{ "photo", required_argument, NULL, O_PHOTO },
		{ "all", no_argument, NULL, O_ALL },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *w;
	int c, r;

	memset(o, 0, sizeof(*o));
	o->trust.crl_policy = NID_PA_CRL_SOFT;
	o->wait_s = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		if ((r = cli_access_opt(CMD, &o->acc, c, optarg)) >= 0 ||
		    (r = cli_trust_opt(CMD, &o->trust, c, optarg)) >= 0) {
			if (r != NID_EXIT_OK)
				return r;
			continue;
		}
		switch (c) {
		case 'h':
			status_usage(stdout);
			return -1;
		case O_READER:
			o->reader = optarg;
			break;
		case O_WAIT:
			o->wait = 1;
			/* --wait SECONDS as well as --wait=SECONDS */
			w = optarg;
			if (w == NULL && optind < argc && all_digits(argv[optind]))
				w = argv[optind++];
			if (w != NULL) {
				if (!all_digits(w) || strlen(w) > 6 ||
				    (o->wait_s = atol(w)) > WAIT_MAX_S)
					return cli_usage_error(CMD, "--wait: "
					    "0 to %ld seconds, not '%s'",
					    WAIT_MAX_S, w);
			}
			break;
		case O_CHIP:
			if ((o->chip = cli_chip_mode(optarg)) < 0)
				return cli_usage_error(CMD, "--chip-auth takes "
				    "auto, ca, aa or none");
			break;
		case O_MANIFEST:
			o->manifest = optarg;
			break;
		case O_PHOTO:
			o->photo = optarg;
			break;
		case O_ALL:
			o->all = 1;
			break;
		case O_JSON:
			o->json = 1;
			break;
		default:
			return cli_usage_error(CMD, "unknown option or missing "
			    "argument: '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(CMD, "unexpected argument '%s'",
		    argv[optind]);
	return NID_EXIT_OK;
}

/* ---- the photo ---------------------------------------------------------- */

/* Write the first face image of DG2 as stored; mode 0600 (personal data). */
static void
write_photo(const struct nid_status_report *r, struct cli_photo *ph)
{
	const struct nid_emrtd_file *f = nid_status_file(r, "DG2");
	struct nid_lds_dg2 dg2;
	const struct nid_lds_face *face;
	char tmp[4096];
	size_t off;
	ssize_t n;
	int fd;

	if (f == NULL) {
		(void)snprintf(ph->error, sizeof(ph->error), "the chip gave "
		    "no DG2");
		return;
	}
	if (nid_lds_dg2_parse(f->data, f->len, &dg2) != NID_OK ||
	    dg2.nfaces == 0) {
		(void)snprintf(ph->error, sizeof(ph->error), "DG2 holds no "
		    "face image this tool can parse");
		return;
	}
	face = &dg2.faces[0];
	ph->format = nid_lds_img_format_name(face->format);
	ph->bytes = face->image.len;
	ph->width = face->width;
	ph->height = face->height;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", ph->path,
	    (long)getpid()) >= sizeof(tmp)) {
		(void)snprintf(ph->error, sizeof(ph->error), "path too long");
		return;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		(void)snprintf(ph->error, sizeof(ph->error), "%s",
		    strerror(errno));
		return;
	}
	for (off = 0; off < face->image.len; off += (size_t)n)
		if ((n = write(fd, face->image.p + off, face->image.len -
		    off)) <= 0)
			break;
	if (off != face->image.len || close(fd) != 0 ||
	    rename(tmp, ph->path) != 0) {
		(void)snprintf(ph->error, sizeof(ph->error), "%s",
		    strerror(errno));
		if (off != face->image.len)
			(void)close(fd);
		(void)unlink(tmp);
		return;
	}
	ph->written = 1;
}

/* ---- output ------------------------------------------------------------- */

static const char *
doc_kind(const struct nid_mrz *m)
{
	switch (m->format) {
	case NID_MRZ_TD1:
		return "ID card (TD1)";
	case NID_MRZ_TD2:
		return "TD2 document";
	case NID_MRZ_TD3:
		return "passport (TD3)";
	default:
		return "document";
	}
}

static void
print_text(const struct nid_status_report *r, const char *reader,
    const struct cli_photo *ph, time_t t_ref)
{
	static const char *const word[] = { "PASS", "WARN", "FAIL" };
	static const char *const colour[] = { "\033[1;32m", "\033[1;33m",
	    "\033[1;31m" };
	const struct nid_mrz *m = r->have_dg1 ? &r->dg1.mrz : NULL;
	const struct nid_check *c;
	const char *on = "", *off = "";
	char birth[16];
	size_t i;

	if (cli_color()) {
		on = colour[r->verdict];
		off = "\033[0m";
	}
	if (m != NULL)
		printf("%s%s%s  %s, %s  %s %s\n", on, word[r->verdict], off,
		    m->primary, m->secondary, doc_kind(m), m->doc_number);
	else
		printf("%s%s%s  (no readable DG1)\n", on, word[r->verdict], off);
	for (i = 0; i < r->nchecks; i++) {
		c = &r->checks[i];
		printf("  %-18s %-8s %s%s\n", c->id,
		    nid_check_result_str(c->result), c->reason,
		    cli_status_decides(r, c) ? "  <<" : "");
	}
	if (m != NULL) {
		cli_birth_text(m->birth, t_ref, birth, sizeof(birth));
		printf("Surname          %s\n", m->primary);
		printf("Given names      %s\n", m->secondary);
		printf("Document number  %s\n", m->doc_number);
		printf("Issuing state    %s\n", m->issuer);
		printf("Nationality      %s\n", m->nationality);
		printf("Date of birth    %s\n", birth);
		printf("Sex              %c\n", m->sex == '<' ? 'X' : m->sex);
		printf("Date of expiry   %s\n", r->expiry[0] != '\0' ?
		    r->expiry : m->expiry);
	}
	if (ph->path != NULL) {
		if (ph->written)
			printf("Photo            %s (%s, %zu bytes, %ux%u)\n",
			    ph->path, ph->format, ph->bytes, ph->width,
			    ph->height);
		else
			printf("Photo            not written: %s\n", ph->error);
	}
	printf("Reader %s; %s", reader, r->read.protocol);
	if (r->read.protocol[0] == 'P')
		printf("-%s", r->read.mapping);
	printf(" with the %s; %lu APDUs, %lu ms\n", r->read.password,
	    r->read.apdus, r->ms_total);
}

/* ---- the command -------------------------------------------------------- */

static int
status_run(int argc, char **argv)
{
	struct sopts o;
	struct nid_emrtd_creds creds;
	struct nid_status_opts so;
	struct nid_status_report rep;
	struct cli_photo ph;
	struct cli_card cc;
	nid_ctx_t *ctx = NULL;
	nid_trust_t *trust = NULL;
	nid_manifest_t *man = NULL;
	char *waited = NULL, trust_desc[600];
	const char *want;
	int ex, rc;

	memset(&creds, 0, sizeof(creds));
	memset(&so, 0, sizeof(so));
	memset(&rep, 0, sizeof(rep));
	memset(&ph, 0, sizeof(ph));
	memset(&cc, 0, sizeof(cc));
	if ((ex = parse_args(argc, argv, &o)) != NID_EXIT_OK)
		return ex < 0 ? NID_EXIT_OK : ex;
	ph.path = o.photo;

	/* Everything the user gave is checked before the card is touched. */
	if ((ex = cli_access_creds(CMD, o.json, &o.acc, &creds)) !=
	    NID_EXIT_OK)
		goto out;
	if ((rc = cli_ctx_new(&ctx)) != NID_OK) {
		ex = cli_fail(CMD, o.json, NID_EXIT_INTERNAL, rc, 0, 0, "%s",
		    nid_strerror(rc));
		goto out;
	}
	if (o.manifest != NULL &&
	    (rc = nid_manifest_load(ctx, o.manifest, &man)) != NID_OK) {
		ex = cli_fail(CMD, o.json, rc == NID_E_NOMEM ?
		    NID_EXIT_INTERNAL : NID_EXIT_USAGE, rc, 0, 0,
		    "--manifest %s: %s", o.manifest, rc == NID_E_IO ?
		    strerror(errno) : nid_ctx_detail(ctx));
		goto out;
	}
	if ((ex = cli_trust_load(CMD, o.json, ctx, &o.trust, &trust,
	    trust_desc, sizeof(trust_desc))) != NID_EXIT_OK)
		goto out;

	/* The card: wait for it (PC/SC events, no APDUs), then open it. */
	want = o.reader;
	if (o.wait) {
		rc = nid_pcsc_wait_card(ctx, o.reader, o.wait_s < 0 ? -1 :
		    (int)(o.wait_s * 1000), &waited);
		if (rc == NID_E_TIMEOUT) {
			ex = cli_fail(CMD, o.json, NID_EXIT_NOCARD, NID_E_NO_CARD,
			    0, 0, "no card inserted within %ld s", o.wait_s);
			goto out;
		}
		if (rc != NID_OK) {
			ex = cli_fail(CMD, o.json, cli_exit_for_rc(rc, 0), rc,
			    0, nid_pcsc_last_code(ctx), "%s: %s",
			    nid_strerror(rc), nid_ctx_detail(ctx));
			goto out;
		}
		want = waited;
	}
	if ((ex = cli_card_open(CMD, o.json, ctx, want, &cc)) != NID_EXIT_OK)
		goto out;

	so.read.access = o.acc.access;
	/* The reading plan: what verification needs, and the photo if asked. */
	so.read.dgs = o.all ? NID_EMRTD_DGS_ALL : NID_EMRTD_DGS_VERIFY |
	    (o.photo != NULL ? NID_EMRTD_DG(2) : 0);
	so.chip = (enum nid_chip_mode)o.chip;
	so.trust = trust;
	so.pa.t_ref = o.trust.at_given ? o.trust.at : time(NULL);
	so.pa.crl_policy = o.trust.crl_policy;
	so.manifest = man;
	rc = nid_status_run(cc.card, &creds, &so, &rep);
	nid_emrtd_creds_clear(&creds);
	if (rc != NID_OK) {
		ex = cli_read_fail(CMD, o.json, ctx, rc, rep.read.password);
		goto out;
	}
	if (cli_card_end(&cc) != NID_OK)
		nid_ctx_clear_detail(ctx);  /* the card was read: not an error */
	if (ph.path != NULL)
		write_photo(&rep, &ph);
	if (o.json)
		cli_json_print(cli_status_json(&rep, cc.reader, cc.atr, cc.atr_len,
		    &ph, so.pa.t_ref));
	else
		print_text(&rep, cc.reader, &ph, so.pa.t_ref);
	ex = rep.verdict == NID_PA_PASS ? NID_EXIT_OK :
	    rep.verdict == NID_PA_WARN ? NID_EXIT_WARN : NID_EXIT_FAIL;
	if (ph.path != NULL && !ph.written) {
		fprintf(stderr, "%s %s: --photo %s: not written: %s\n",
		    cli_progname, CMD, ph.path, ph.error);
		if (ex == NID_EXIT_OK)
			ex = NID_EXIT_WARN;
	}
out:
	cli_card_close(&cc);
	nid_status_report_clear(&rep);
	nid_emrtd_creds_clear(&creds);
	nid_manifest_free(&man);
	nid_trust_free(&trust);
	free(waited);
	nid_ctx_free(&ctx);
	return ex;
}

const struct cli_cmd cli_cmd_status = {
	"status",
	"the delivery-desk verdict for one card (PASS / WARN / FAIL)",
	status_run,
	status_usage,
};
