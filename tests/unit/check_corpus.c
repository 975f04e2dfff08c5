/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_corpus.c — passive authentication over every row of
 * ../shared/corpus/realworld-sod/expected.tsv (real EF.SODs of 12
 * countries, 2 EF.CardSecurity, 4 negatives; data from
 * gmrtd/gmrtd@7f23b50ad912f10364f66ddc3423683cfc18e134, see the corpus
 * README), with the trust store the README assumes: both master lists,
 * verified against csca/DE_ROOT_CA_CSCA07.cer and csca/NL_ROOT_CA.cer,
 * plus every csca/ file. Reference date 2026-11-25.
 *
 * Per row: the signature level (column sod_signature), the chain level
 * and the CSCA (the first "CSCA sha256:" prefix of the notes), the DG
 * files the notes name ("matching DG files:"), the DS expiry ("EXPIRED at
 * 2026-11-25"), and for the negatives ("EXPECT FAIL") the failing level.
 * Prints the results table. SKIPs visibly without ../shared.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <time.h>

#include "testutil.h"
#include "pa.h"
#include "sod.h"
#include "trust.h"

#define CORPUS "corpus/realworld-sod"
#define T_REF 1795564800  /* 2026-11-25T00:00:00Z */

static void
corpus_path(char *buf, size_t len, const char *sh, const char *rel)
{
	int n = snprintf(buf, len, "%s/" CORPUS "/%s", sh, rel);

	ck_assert(n > 0 && (size_t)n < len);
}

static nid_sod_t *
load_sod(nid_ctx_t *ctx, const char *sh, const char *rel)
{
	char path[4200];
	uint8_t *p = NULL;
	size_t len = 0;
	nid_sod_t *s = NULL;

	corpus_path(path, sizeof(path), sh, rel);
	ck_assert_msg(nid_file_read(NULL, path, NID_SOD_MAX_LEN, &p, &len) == NID_OK,
	    "%s", path);
	ck_assert_msg(nid_sod_parse(ctx, p, len, &s) == NID_OK, "%s: %s", rel,
	    nid_ctx_detail(ctx));
	free(p);
	return s;
}

static nid_trust_t *
corpus_trust(nid_ctx_t *ctx, const char *sh, int with_csca_files)
{
	static const char *const roots[] = { "csca/DE_ROOT_CA_CSCA07.cer",
	    "csca/NL_ROOT_CA.cer" };
	static const char *const more[] = {
	    "csca/GB_CSCA_2010_passive_auth_test.cer",
	    "csca/IDN_2010_SERIES_CSCA_CERT" };
	static const char *const mls[] = {
	    "masterlists/DE_ML_2026-05-28-08-28-45.ml",
	    "masterlists/NL_ML_2026-07-22.ml" };
	nid_trust_t *t = NULL;
	char path[4200];
	size_t i;

	ck_assert_int_eq(nid_trust_new(ctx, &t), NID_OK);
	for (i = 0; i < NID_NELEM(roots); i++) {
		corpus_path(path, sizeof(path), sh, roots[i]);
		ck_assert_int_eq(nid_trust_add_csca_path(t, path), NID_OK);
	}
	for (i = 0; i < NID_NELEM(mls); i++) {
		corpus_path(path, sizeof(path), sh, mls[i]);
		ck_assert_msg(nid_trust_add_masterlist(t, path, 0, NULL, 0) ==
		    NID_OK, "%s: %s", path, nid_ctx_detail(ctx));
	}
	for (i = 0; with_csca_files && i < NID_NELEM(more); i++) {
		corpus_path(path, sizeof(path), sh, more[i]);
		ck_assert_int_eq(nid_trust_add_csca_path(t, path), NID_OK);
	}
	/* Corpus README: 588 + 411 certificates in the two lists. */
	ck_assert_uint_eq(t->nmasterlists, 2);
	ck_assert_int_eq(t->unverified_masterlists, 0);
	return t;
}

/* Split a TSV line in place into at most n fields. */
static size_t
split_tsv(char *line, char **f, size_t n)
{
	size_t k = 0;
	char *p = line;

	while (k < n) {
		f[k++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	return k;
}

/* "CSCA sha256:xxxxxxxxxxxxxxxx" → lower-case hex prefix */
static int
notes_csca_fp(const char *notes, char *fp, size_t len)
{
	const char *p = strstr(notes, "CSCA sha256:");
	size_t i = 0;

	if (p == NULL)
		return 0;
	p += strlen("CSCA sha256:");
	while (isxdigit((unsigned char)p[i]) && i + 1 < len) {
		fp[i] = (char)tolower((unsigned char)p[i]);
		i++;
	}
	fp[i] = '\0';
	return i > 0;
}

/* The first "sod/NAME.sod" named in the notes */
static int
notes_sod(const char *notes, char *out, size_t len)
{
	const char *p = strstr(notes, "sod/"), *e;

	while (p != NULL && p > notes && p[-1] != ' ')
		p = strstr(p + 1, "sod/");
	if (p == NULL || (e = strstr(p, ".sod")) == NULL ||
	    (size_t)(e + 4 - p) >= len)
		return 0;
	memcpy(out, p, (size_t)(e + 4 - p));
	out[e + 4 - p] = '\0';
	return 1;
}

static unsigned
dg_number(const char *path)
{
	const char *p = strstr(path, "DG");

	return p != NULL ? (unsigned)strtoul(p + 2, NULL, 10) : 0;
}

struct files {
	char *paths[NID_PA_MAX_INPUT_DGS];
	struct nid_pa_dg_input dg[NID_PA_MAX_INPUT_DGS];
	size_t n;
};

static void
add_dg_file(struct files *f, const char *sh, const char *rel, unsigned n)
{
	char path[4200];
	uint8_t *p = NULL;
	size_t len = 0;

	corpus_path(path, sizeof(path), sh, rel);
	ck_assert_msg(nid_file_read(NULL, path, 1u << 20, &p, &len) == NID_OK, "%s",
	    path);
	ck_assert_uint_lt(f->n, NID_PA_MAX_INPUT_DGS);
	f->paths[f->n] = (char *)p;
	f->dg[f->n].n = n;
	f->dg[f->n].p = p;
	f->dg[f->n].len = len;
	f->n++;
}

static const char *
res(const struct nid_pa_report *r, const char *id)
{
	const struct nid_check *c = nid_pa_check(r, id);

	return c == NULL ? "-" : nid_check_result_str(c->result);
}

START_TEST(expected_tsv)
{
	const char *sh = tu_shared_dir();
	char path[4200], line[8192], *f[8], fp[40], sodrel[200], gotfp[17];
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL;
	FILE *fp_tsv;
	size_t nrows = 0, nsod_ok = 0, ncs_ok = 0, nneg = 0, bad = 0, i;
	/* rows of sod/ files whose DS is expired, for the negatives that
	 * reuse them (UK_imported_injected_DG13 with sod/UK_imported.sod) */
	char expired_sods[8][200];
	size_t nexpired = 0;
	struct nid_pa_opts po = { T_REF, NID_PA_CRL_NONE };

	if (sh == NULL)
		tu_skip("../shared/" CORPUS " absent");
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	t = corpus_trust(ctx, sh, 1);
	corpus_path(path, sizeof(path), sh, "expected.tsv");
	fp_tsv = fopen(path, "r");
	ck_assert_ptr_nonnull(fp_tsv);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp_tsv));  /* header */
	fprintf(stderr, "%-46s %-8s %-9s %-8s %-8s %-8s %-8s %-16s %s\n",
	    "file", "hashes", "signature", "chain", "validity", "cardsec",
	    "verdict", "CSCA sha256", "expected");
	while (fgets(line, sizeof(line), fp_tsv) != NULL) {
		struct files files;
		struct nid_pa_report rep;
		nid_sod_t *sod = NULL, *cs = NULL;
		const char *file, *sig, *chain, *notes, *dgs;
		int is_neg, expect_fail, expired, sig_invalid, row_bad = 0;
		const struct nid_check *c;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		ck_assert_uint_eq(split_tsv(line, f, 7), 7);
		file = f[0];
		sig = f[1];
		chain = f[2];
		notes = f[6];
		nrows++;
		memset(&files, 0, sizeof(files));
		is_neg = strncmp(file, "negative/", 9) == 0;
		expect_fail = strstr(notes, "EXPECT FAIL") != NULL;
		expired = strstr(notes, "EXPIRED at 2026-11-25") != NULL;
		sig_invalid = strcmp(sig, "invalid") == 0;

		if (expired && nexpired < 8)
			(void)snprintf(expired_sods[nexpired++], 200, "%s",
			    file);
		/* What to verify for this row */
		if (!is_neg || strstr(file, ".sod") != NULL) {
			sod = load_sod(ctx, sh, file);
		} else {
			ck_assert_msg(notes_sod(notes, sodrel, sizeof(sodrel)),
			    "%s: no sod/ in notes", file);
			for (i = 0; i < nexpired; i++)
				if (strcmp(expired_sods[i], sodrel) == 0)
					expired = 1;
			sod = load_sod(ctx, sh, sodrel);
			if (strstr(file, "cardsecurity") != NULL)
				cs = load_sod(ctx, sh, file);
			else
				add_dg_file(&files, sh, file, dg_number(file));
		}
		if ((dgs = strstr(notes, "matching DG files: ")) != NULL) {
			char list[400], *tok, *save = NULL;

			dgs += strlen("matching DG files: ");
			(void)snprintf(list, sizeof(list), "%.*s",
			    (int)strcspn(dgs, ";"), dgs);
			for (tok = strtok_r(list, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save))
				add_dg_file(&files, sh, tok, dg_number(tok));
		}
		ck_assert_int_eq(nid_pa_verify(ctx, sod, t, files.dg, files.n,
		    cs, &po, &rep), NID_OK);

		/* signature level */
		c = nid_pa_check(&rep, cs != NULL ? "cardsecurity.signature" :
		    "sod.signature");
		if (c->result != (sig_invalid ? NID_CHECK_FAIL : NID_CHECK_PASS))
			row_bad = 1;
		/* chain level: "ok" in every row */
		ck_assert_str_eq(chain, "ok");
		if (nid_pa_check(&rep, "ds.chain")->result != NID_CHECK_PASS)
			row_bad = 1;
		gotfp[0] = '\0';
		if (rep.csca != NULL) {
			nid_hex_encode_to(rep.csca->fp, 8, gotfp);
			for (i = 0; gotfp[i] != '\0'; i++)
				gotfp[i] = (char)tolower((unsigned char)gotfp[i]);
		}
		if (notes_csca_fp(notes, fp, sizeof(fp)) &&
		    strncmp(gotfp, fp, strlen(fp)) != 0)
			row_bad = 1;
		/* data.hashes */
		c = nid_pa_check(&rep, "data.hashes");
		if (files.n > 0 && c->result != (is_neg && expect_fail &&
		    cs == NULL && !sig_invalid ? NID_CHECK_FAIL :
		    NID_CHECK_PASS))
			row_bad = 1;
		if (files.n == 0 && c->result != NID_CHECK_UNKNOWN)
			row_bad = 1;
		/* validity: UK_imported's DS and CSCA are expired */
		c = nid_pa_check(&rep, "ds.validity");
		if (expired ? (c->result != NID_CHECK_FAIL ||
		    strstr(c->reason, "DS expired 2022-12-01") == NULL ||
		    strstr(c->reason, "CSCA expired 2026-07-24") == NULL) :
		    c->result != NID_CHECK_PASS)
			row_bad = 1;
		/* verdict */
		if (expect_fail || expired) {
			if (rep.verdict != NID_PA_FAIL)
				row_bad = 1;
		} else if (rep.verdict != (files.n > 0 ? NID_PA_PASS :
		    NID_PA_WARN))
			row_bad = 1;
		if (!is_neg && !row_bad && sod->kind == NID_SOD_KIND_SOD)
			nsod_ok++;
		if (!is_neg && !row_bad && sod->kind != NID_SOD_KIND_SOD)
			ncs_ok++;
		if (is_neg && !row_bad)
			nneg++;
		fprintf(stderr, "%-46s %-8s %-9s %-8s %-8s %-8s %-8s %-16s %s%s\n",
		    file, res(&rep, "data.hashes"),
		    res(&rep, cs != NULL ? "cardsecurity.signature" :
		    "sod.signature"), res(&rep, "ds.chain"),
		    res(&rep, "ds.validity"),
		    res(&rep, "cardsecurity.signature"),
		    nid_pa_verdict_str(rep.verdict), gotfp,
		    expect_fail ? "fail" : expired ? "fail (expired)" : "ok",
		    row_bad ? "  <-- MISMATCH" : "");
		if (row_bad)
			for (i = 0; i < rep.nchecks; i++)
				fprintf(stderr, "    %s %s: %s\n",
				    rep.checks[i].id, nid_check_result_str(
				    rep.checks[i].result), rep.checks[i].reason);
		bad += (size_t)row_bad;
		nid_pa_report_clear(&rep);
		nid_sod_free(&sod);
		nid_sod_free(&cs);
		for (i = 0; i < files.n; i++)
			free(files.paths[i]);
	}
	fclose(fp_tsv);
	fprintf(stderr, "corpus: %zu rows, %zu/13 SODs, %zu/2 CardSecurity, "
	    "%zu/4 negatives as expected\n", nrows, nsod_ok, ncs_ok, nneg);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(nrows, 19);
	ck_assert_uint_eq(nsod_ok, 13);
	ck_assert_uint_eq(ncs_ok, 2);
	ck_assert_uint_eq(nneg, 4);
	nid_trust_free(&t);
	nid_ctx_free(&ctx);
}
END_TEST

/* Corpus README "Further negative scenarios" and the ID quirk. */
START_TEST(no_csca_scenarios)
{
	const char *sh = tu_shared_dir();
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL, *empty = NULL;
	nid_sod_t *id = NULL, *uk = NULL, *cs = NULL;
	struct nid_pa_report rep;
	struct nid_pa_opts po = { T_REF, NID_PA_CRL_NONE };

	if (sh == NULL)
		tu_skip("../shared/" CORPUS " absent");
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	t = corpus_trust(ctx, sh, 0);   /* master lists only */
	id = load_sod(ctx, sh, "sod/ID.sod");
	ck_assert_int_eq(nid_pa_verify(ctx, id, t, NULL, 0, NULL, &po, &rep),
	    NID_OK);
	ck_assert_int_eq(nid_pa_check(&rep, "sod.signature")->result,
	    NID_CHECK_PASS);
	ck_assert_int_eq(nid_pa_check(&rep, "ds.chain")->result,
	    NID_CHECK_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(nid_pa_check(&rep, "ds.chain")->reason,
	    "no CSCA for issuer"));
	ck_assert_int_eq(rep.verdict, NID_PA_WARN);
	nid_pa_report_clear(&rep);

	/* UK_imported with an empty trust store: no CSCA */
	ck_assert_int_eq(nid_trust_new(ctx, &empty), NID_OK);
	uk = load_sod(ctx, sh, "sod/UK_imported.sod");
	ck_assert_int_eq(nid_pa_verify(ctx, uk, empty, NULL, 0, NULL, &po,
	    &rep), NID_OK);
	ck_assert_int_eq(nid_pa_check(&rep, "ds.chain")->result,
	    NID_CHECK_UNKNOWN);
	ck_assert_int_eq(nid_pa_check(&rep, "ds.validity")->result,
	    NID_CHECK_FAIL);
	nid_pa_report_clear(&rep);

	/* EF.CardSecurity alone: no data-group hashes, so never "pass" */
	cs = load_sod(ctx, sh, "cardsecurity/DE.bin");
	ck_assert_int_eq(nid_pa_verify(ctx, cs, t, NULL, 0, NULL, &po, &rep),
	    NID_OK);
	ck_assert_int_eq(nid_pa_check(&rep, "sod.signature")->result,
	    NID_CHECK_PASS);
	ck_assert_int_eq(nid_pa_check(&rep, "data.hashes")->result,
	    NID_CHECK_UNKNOWN);
	ck_assert_int_eq(rep.verdict, NID_PA_WARN);
	nid_pa_report_clear(&rep);

	/* hard CRL policy without a CRL fails; soft warns */
	po.crl_policy = NID_PA_CRL_HARD;
	ck_assert_int_eq(nid_pa_verify(ctx, cs, t, NULL, 0, NULL, &po, &rep),
	    NID_OK);
	ck_assert_int_eq(nid_pa_check(&rep, "ds.revocation")->result,
	    NID_CHECK_FAIL);
	ck_assert_int_eq(rep.verdict, NID_PA_FAIL);
	nid_pa_report_clear(&rep);

	nid_sod_free(&id);
	nid_sod_free(&uk);
	nid_sod_free(&cs);
	nid_trust_free(&t);
	nid_trust_free(&empty);
	nid_ctx_free(&ctx);
}
END_TEST

/* A master list whose signer does not chain to a given CSCA is refused,
 * unless accepted unverified (then marked). */
START_TEST(masterlist_needs_csca)
{
	const char *sh = tu_shared_dir();
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL;
	char path[4200], why[256];

	if (sh == NULL)
		tu_skip("../shared/" CORPUS " absent");
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_trust_new(ctx, &t), NID_OK);
	corpus_path(path, sizeof(path), sh, "masterlists/NL_ML_2026-07-22.ml");
	ck_assert_int_eq(nid_trust_add_masterlist(t, path, 0, why,
	    sizeof(why)), NID_E_NO_TRUST);
	ck_assert_uint_eq(t->nanchors, 0);
	/* the DE CSCA does not sign the NL list signer either */
	corpus_path(path, sizeof(path), sh, "csca/DE_ROOT_CA_CSCA07.cer");
	ck_assert_int_eq(nid_trust_add_csca_path(t, path), NID_OK);
	corpus_path(path, sizeof(path), sh, "masterlists/NL_ML_2026-07-22.ml");
	ck_assert_int_eq(nid_trust_add_masterlist(t, path, 0, why,
	    sizeof(why)), NID_E_NO_TRUST);
	ck_assert_int_eq(nid_trust_add_masterlist(t, path, 1, why,
	    sizeof(why)), NID_OK);
	ck_assert_ptr_nonnull(strstr(why, "not signed by a CSCA"));
	ck_assert_int_eq(t->unverified_masterlists, 1);
	/* 411 certificates in the NL list (README); the DE root is one */
	ck_assert_uint_eq(t->nanchors, 411);
	ck_assert_int_eq(t->anchors[1].from_masterlist_unverified, 1);
	nid_trust_free(&t);
	nid_ctx_free(&ctx);
}
END_TEST

static Suite *
corpus_suite(void)
{
	Suite *s = suite_create("corpus");
	TCase *tc = tcase_create("realworld-sod");

	tcase_add_test(tc, expected_tsv);
	tcase_add_test(tc, no_csca_scenarios);
	tcase_add_test(tc, masterlist_needs_csca);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(corpus_suite());
}
