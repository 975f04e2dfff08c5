/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_manifest.c — the delivery desk's manifest (manifest.h): CSV per
 * RFC 4180, the errors naming their line, and matching a card's MRZ.
 */
#include "config.h"

#include "testutil.h"
#include "manifest.h"

/* ---- parse errors: each names its line ---- */

static const struct {
	const char *csv;
	const char *detail;   /* substring of the context detail */
} bad_vectors[] = {
	{ "", "line 1: empty" },
	{ "surname\nX\n", "line 1: no document_number column" },
	{ "document_number,birthdate\nX,1\n", "line 1: unknown column 'birthdate'" },
	{ "document_number,document_number\n", "line 1: column 'document_number' twice" },
	{ "document_number,surname\nT22000129\n", "line 2: 1 fields, the header names 2" },
	{ "document_number\nT22000129\nT2200012-9\n", "line 3: document_number must be" },
	{ "document_number\nT22000129\nt22000129\n", "line 3: the document number of line 2 again" },
	{ "document_number,birth_date\nA1,1964-13-01\n", "line 2: birth_date is not a date" },
	{ "document_number,birth_date\nA1,1965-02-29\n", "line 2: birth_date is not a date" },
	{ "document_number,birth_date\nA1,640230\n", "line 2: birth_date is not a date" },
	{ "document_number,surname\nA1,\"ERIKS\n", "line 2: a line break inside a quoted field" },
	{ "document_number,surname\nA1,\"ERIKS", "line 2: a quoted field does not end" },
	{ "document_number,surname\nA1,\"ERIK\"S\n", "line 2: text after a closing quote" },
	{ "document_number,surname\nA1,ER\"IK\n", "line 2: a quote inside an unquoted field" },
	{ "document_number\r\nA1\rA2\n", "line 2: a carriage return without a line feed" },
	{ "document_number,surname\nA1,ER\001IK\n", "line 2: a control character" },
	{ "document_number\n\nA1\n\n" "AAAAAAAAAAAAAAAAAAAAAAAA\n", "line 5: document_number must be" },
};

START_TEST(parse_errors)
{
	nid_ctx_t *ctx = NULL;
	nid_manifest_t *m = NULL;
	const char *csv = bad_vectors[_i].csv;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_manifest_parse(ctx, csv, strlen(csv), &m),
	    NID_E_MALFORMED);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(nid_ctx_detail(ctx), bad_vectors[_i].detail) !=
	    NULL, "vector %d: detail '%s', want '%s'", _i,
	    nid_ctx_detail(ctx), bad_vectors[_i].detail);
	nid_ctx_free(&ctx);
}
END_TEST

START_TEST(field_too_long)
{
	nid_ctx_t *ctx = NULL;
	nid_manifest_t *m = NULL;
	char csv[512];

	(void)snprintf(csv, sizeof(csv), "document_number,surname\nA1,%0129d\n",
	    0);
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_manifest_parse(ctx, csv, strlen(csv), &m),
	    NID_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(nid_ctx_detail(ctx),
	    "line 2: a field longer than 128 bytes"));
	/* 128 bytes exactly is fine */
	(void)snprintf(csv, sizeof(csv), "document_number,surname\nA1,%0128d\n",
	    0);
	ck_assert_int_eq(nid_manifest_parse(ctx, csv, strlen(csv), &m), NID_OK);
	ck_assert_uint_eq(nid_manifest_rows(m), 1);
	nid_manifest_free(&m);
	nid_ctx_free(&ctx);
}
END_TEST

/* ---- matching ---- */

/* The MRZ of the virtual ID card (tests/data/cards/icao-pace, ICAO
 * 9303-5 style TD1 specimen built by nidcard-sim issue). */
static void
card_mrz(struct nid_mrz *m)
{
	memset(m, 0, sizeof(*m));
	(void)snprintf(m->doc_number, sizeof(m->doc_number), "T22000129");
	(void)snprintf(m->birth, sizeof(m->birth), "640812");
	(void)snprintf(m->expiry, sizeof(m->expiry), "311031");
	(void)snprintf(m->primary, sizeof(m->primary), "MUSTERMANN");
	(void)snprintf(m->secondary, sizeof(m->secondary), "ERIKA ANNA");
}

static const struct {
	const char *csv;
	nid_check_result result;
	const char *reason;
} match_vectors[] = {
	/* document number only; BOM, CRLF, quotes, blank lines, trimming */
	{ "\xEF\xBB\xBF" "document_number\r\n\r\n t22000129 \r\n",
	    NID_CHECK_PASS, "on the manifest (line 3), document number only" },
	{ "document_number,surname,given_names,birth_date\n"
	    "X1,A,B,1990-01-01\n"
	    "T22000129,Mustermann,\"Erika-Anna\",1964-08-12\n",
	    NID_CHECK_PASS, "on the manifest (line 3), every field given agrees" },
	/* an empty field is not compared */
	{ "surname,document_number,birth_date\n\"\",T22000129,640812\n",
	    NID_CHECK_PASS, "every field given agrees" },
	{ "document_number,surname\n\"T22000129\",\"MUSTER\"\"MANN\"\n",
	    NID_CHECK_FAIL, "surname differs: manifest line 2 has 'MUSTER\"MANN', the chip 'MUSTERMANN'" },
	{ "document_number,given_names\nT22000129,ERIKA\n",
	    NID_CHECK_FAIL, "given_names differ: manifest line 2 has 'ERIKA', the chip 'ERIKA ANNA'" },
	{ "document_number,birth_date\nT22000129,1964-08-13\n",
	    NID_CHECK_FAIL, "birth_date differs: manifest line 2 has 640813, the chip 640812" },
	/* a name the MRZ cannot spell never matches */
	{ "document_number,surname\nT22000129,MÜSTERMANN\n",
	    NID_CHECK_FAIL, "surname differs" },
	{ "document_number\nT22000128\n",
	    NID_CHECK_FAIL, "document T22000129 is not on the manifest" },
	{ "document_number\n", NID_CHECK_FAIL, "not on the manifest" },
};

START_TEST(match)
{
	nid_ctx_t *ctx = NULL;
	nid_manifest_t *m = NULL;
	struct nid_mrz mrz;
	struct nid_check c;
	const char *csv = match_vectors[_i].csv;

	card_mrz(&mrz);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_msg(nid_manifest_parse(ctx, csv, strlen(csv), &m) == NID_OK,
	    "vector %d: %s", _i, nid_ctx_detail(ctx));
	nid_manifest_match(m, &mrz, &c);
	ck_assert_msg(c.result == match_vectors[_i].result &&
	    strstr(c.reason, match_vectors[_i].reason) != NULL,
	    "vector %d: %s '%s'", _i, nid_check_result_str(c.result),
	    c.reason);
	nid_manifest_free(&m);
	ck_assert_ptr_null(m);
	nid_ctx_free(&ctx);
}
END_TEST

START_TEST(no_manifest_is_skipped)
{
	struct nid_mrz mrz;
	struct nid_check c;

	card_mrz(&mrz);
	memset(&c, 0, sizeof(c));
	nid_manifest_match(NULL, &mrz, &c);
	ck_assert_int_eq(c.result, NID_CHECK_SKIPPED);
}
END_TEST

/* Many rows: sorted lookup finds the first, the last and a middle one. */
START_TEST(many_rows)
{
	nid_ctx_t *ctx = NULL;
	nid_manifest_t *m = NULL;
	struct nid_mrz mrz;
	struct nid_check c;
	nid_buf b;
	char line[64];
	unsigned i;

	nid_buf_init(&b, NID_MANIFEST_FILE_MAX);
	ck_assert_int_eq(nid_buf_put(&b, "document_number\n", 16), NID_OK);
	for (i = 50000; i > 0; i--) {
		int n = snprintf(line, sizeof(line), "D%08u\n", i);

		ck_assert_int_eq(nid_buf_put(&b, line, (size_t)n), NID_OK);
	}
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_manifest_parse(ctx, (const char *)b.p, b.len, &m),
	    NID_OK);
	ck_assert_uint_eq(nid_manifest_rows(m), 50000);
	memset(&mrz, 0, sizeof(mrz));
	(void)snprintf(mrz.doc_number, sizeof(mrz.doc_number), "D00000001");
	nid_manifest_match(m, &mrz, &c);
	ck_assert_int_eq(c.result, NID_CHECK_PASS);
	ck_assert_ptr_nonnull(strstr(c.reason, "line 50001"));
	(void)snprintf(mrz.doc_number, sizeof(mrz.doc_number), "D00050000");
	nid_manifest_match(m, &mrz, &c);
	ck_assert_ptr_nonnull(strstr(c.reason, "line 2)"));
	(void)snprintf(mrz.doc_number, sizeof(mrz.doc_number), "D00050001");
	nid_manifest_match(m, &mrz, &c);
	ck_assert_int_eq(c.result, NID_CHECK_FAIL);
	nid_manifest_free(&m);
	nid_ctx_free(&ctx);
	nid_buf_clear(&b);
}
END_TEST

/* Every prefix of a valid manifest parses or fails cleanly. */
START_TEST(truncations)
{
	static const char csv[] = "document_number,surname,given_names,"
	    "birth_date\r\n\"T22000129\",\"MUSTER,MANN\",ERIKA,1964-08-12\r\n";
	nid_ctx_t *ctx = NULL;
	nid_manifest_t *m = NULL;
	size_t n, ok = 0;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	for (n = 0; n <= sizeof(csv) - 1; n++) {
		int rc = nid_manifest_parse(ctx, csv, n, &m);

		ck_assert(rc == NID_OK || rc == NID_E_MALFORMED);
		if (rc == NID_OK)
			ok++;
		nid_manifest_free(&m);
	}
	ck_assert_uint_gt(ok, 0);
	nid_ctx_free(&ctx);
}
END_TEST

static Suite *
manifest_suite(void)
{
	Suite *s = suite_create("manifest");
	TCase *tc = tcase_create("manifest");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, parse_errors, 0, NID_NELEM(bad_vectors));
	tcase_add_test(tc, field_too_long);
	tcase_add_loop_test(tc, match, 0, NID_NELEM(match_vectors));
	tcase_add_test(tc, no_manifest_is_skipped);
	tcase_add_test(tc, many_rows);
	tcase_add_test(tc, truncations);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(manifest_suite());
}
