/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_pcsc.c — what of the PC/SC transport runs without a daemon: the
 * strict parse of SCardListReaders' multi-string, the PC/SC error
 * mapping, and reader picking. (With a daemon: tests/system.)
 *
 * PC/SC codes are written as numbers from pcsc-lite 1.9.9's
 * <PCSC/pcsclite.h> (Debian 12 libpcsclite-dev), so this file does not
 * include the PC/SC headers: pcsc.c is the only one that does.
 */
#include "config.h"

#include "testutil.h"

#include "pcsc.h"

/* ---- multi-string -------------------------------------------------------- */

/* Good lists: bytes (with their explicit NULs) and the names expected. */
static const struct {
	const char *ms;
	size_t len;
	size_t n;
	const char *names[3];
} ms_good[] = {
	/* pcsc-lite's answer with no reader: the single NUL. */
	{ "", 1, 0, { NULL } },
	/* An empty list spelt as a double NUL (Windows habit). */
	{ "\0", 2, 0, { NULL } },
	{ "Virtual PCD 00 00\0", 19, 1, { "Virtual PCD 00 00" } },
	{ "Virtual PCD 00 00\0Virtual PCD 00 01\0", 37, 2,
	    { "Virtual PCD 00 00", "Virtual PCD 00 01" } },
	/* UTF-8 in a name is fine (bytes ≥ 0x80). */
	{ "Lecteur \xc3\xa9tendu 00 00\0a\0", 25, 2,
	    { "Lecteur \xc3\xa9tendu 00 00", "a" } },
};

START_TEST(ms_parse_good)
{
	char **names = NULL;
	size_t n = 99, i;

	ck_assert_int_eq(nid_pcsc_parse_multistring(ms_good[_i].ms,
	    ms_good[_i].len, &names, &n), NID_OK);
	ck_assert_uint_eq(n, ms_good[_i].n);
	ck_assert_ptr_nonnull(names);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(names[i], ms_good[_i].names[i]);
	nid_pcsc_names_free(&names, n);
	ck_assert_ptr_null(names);
}
END_TEST

static const struct {
	const char *what;
	const char *ms;
	size_t len;
	int rc;
} ms_bad[] = {
	{ "empty buffer", "", 0, NID_E_MALFORMED },
	{ "no final NUL", "abc", 3, NID_E_MALFORMED },
	{ "single NUL end, no list terminator", "abc", 4, NID_E_MALFORMED },
	{ "two names, single NUL end", "a\0b", 4, NID_E_MALFORMED },
	{ "bytes after the terminator", "a\0\0b", 5, NID_E_MALFORMED },
	{ "empty string in the middle", "a\0\0b\0", 6, NID_E_MALFORMED },
	{ "three NULs", "\0\0", 3, NID_E_MALFORMED },
	{ "control character", "a\nb\0", 5, NID_E_MALFORMED },
	{ "DEL character", "a\x7f" "b\0", 5, NID_E_MALFORMED },
	{ "escape sequence", "\x1b[31mred\0", 10, NID_E_MALFORMED },
	{ "not NUL-ended, length short", "Virtual PCD\0\0", 12,
	    NID_E_MALFORMED },
};

START_TEST(ms_parse_bad)
{
	char **names = (char **)1;
	size_t n = 99;

	ck_assert_msg(nid_pcsc_parse_multistring(ms_bad[_i].ms, ms_bad[_i].len,
	    &names, &n) == ms_bad[_i].rc, "%s", ms_bad[_i].what);
	ck_assert_ptr_null(names);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(ms_parse_caps)
{
	char *buf, **names = NULL;
	size_t n = 0, len, i;

	/* A name of NID_PCSC_NAME_MAX bytes passes, one more fails. */
	buf = malloc(NID_PCSC_NAME_MAX + 3);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 'r', NID_PCSC_NAME_MAX);
	buf[NID_PCSC_NAME_MAX] = '\0';
	buf[NID_PCSC_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(nid_pcsc_parse_multistring(buf, NID_PCSC_NAME_MAX + 2,
	    &names, &n), NID_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(strlen(names[0]), NID_PCSC_NAME_MAX);
	nid_pcsc_names_free(&names, n);
	memset(buf, 'r', NID_PCSC_NAME_MAX + 1);
	buf[NID_PCSC_NAME_MAX + 1] = '\0';
	buf[NID_PCSC_NAME_MAX + 2] = '\0';
	ck_assert_int_eq(nid_pcsc_parse_multistring(buf, NID_PCSC_NAME_MAX + 3,
	    &names, &n), NID_E_TOO_LARGE);
	free(buf);
	/* NID_PCSC_READERS_MAX names pass, one more fails. */
	len = 2 * (NID_PCSC_READERS_MAX + 1) + 1;
	buf = calloc(1, len);
	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < NID_PCSC_READERS_MAX + 1; i++)
		buf[2 * i] = 'x';
	ck_assert_int_eq(nid_pcsc_parse_multistring(buf, len, &names, &n),
	    NID_E_TOO_LARGE);
	ck_assert_ptr_null(names);
	buf[2 * NID_PCSC_READERS_MAX] = '\0';
	ck_assert_int_eq(nid_pcsc_parse_multistring(buf,
	    2 * NID_PCSC_READERS_MAX + 1, &names, &n), NID_OK);
	ck_assert_uint_eq(n, NID_PCSC_READERS_MAX);
	nid_pcsc_names_free(&names, n);
	free(buf);
}
END_TEST

/* Truncation loop: every shorter length of a valid two-name list fails
 * (none of its prefixes is itself a complete list), without reading past
 * the length given. */
START_TEST(ms_parse_truncated)
{
	static const char full[] = "Virtual PCD 00 00\0Virtual PCD 00 01\0";
	char **names = NULL;
	size_t len, n = 0;
	char *copy;

	for (len = 3; len < sizeof(full); len++) {
		copy = malloc(len);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, full, len);
		ck_assert_msg(nid_pcsc_parse_multistring(copy, len, &names,
		    &n) != NID_OK, "prefix of %zu bytes accepted", len);
		ck_assert_ptr_null(names);
		free(copy);
	}
}
END_TEST

/* ---- error mapping ------------------------------------------------------- */

/* pcsc-lite 1.9.9 <PCSC/pcsclite.h> values, and nidcard's mapping
 * (distinct rc for each condition the user must tell apart). */
static const struct {
	long code;
	const char *name;
	int rc;
} pcsc_map[] = {
	{ 0x00000000L, "SCARD_S_SUCCESS", NID_OK },
	{ 0x8010001DL, "SCARD_E_NO_SERVICE", NID_E_NO_SERVICE },
	{ 0x8010001EL, "SCARD_E_SERVICE_STOPPED", NID_E_NO_SERVICE },
	{ 0x8010002EL, "SCARD_E_NO_READERS_AVAILABLE", NID_E_NO_READER },
	{ 0x80100009L, "SCARD_E_UNKNOWN_READER", NID_E_NO_READER },
	{ 0x80100017L, "SCARD_E_READER_UNAVAILABLE", NID_E_READER_GONE },
	{ 0x8010000CL, "SCARD_E_NO_SMARTCARD", NID_E_NO_CARD },
	{ 0x80100069L, "SCARD_W_REMOVED_CARD", NID_E_CARD_REMOVED },
	{ 0x80100068L, "SCARD_W_RESET_CARD", NID_E_CARD_RESET },
	{ 0x8010000BL, "SCARD_E_SHARING_VIOLATION", NID_E_SHARING },
	{ 0x8010000AL, "SCARD_E_TIMEOUT", NID_E_TIMEOUT },
	{ 0x80100066L, "SCARD_W_UNRESPONSIVE_CARD", NID_E_UNRESPONSIVE },
	{ 0x80100016L, "SCARD_E_NOT_TRANSACTED", NID_E_TRANSPORT },
	{ 0x80100006L, "SCARD_E_NO_MEMORY", NID_E_NOMEM },
	{ 0x80100008L, "SCARD_E_INSUFFICIENT_BUFFER", NID_E_TOO_LARGE },
	{ 0x80100013L, "SCARD_F_COMM_ERROR", NID_E_TRANSPORT },
	{ 0x80100065L, "SCARD_W_UNSUPPORTED_CARD", NID_E_UNSUPPORTED_CARD },
	/* Unknown codes: a transport failure, with a name that says so. */
	{ 0x801000FFL, "SCARD_UNKNOWN", NID_E_TRANSPORT },
	{ -1L, "SCARD_UNKNOWN", NID_E_TRANSPORT },
};

START_TEST(error_mapping)
{
	ck_assert_msg(nid_pcsc_map_error(pcsc_map[_i].code) == pcsc_map[_i].rc,
	    "%s → %s", pcsc_map[_i].name,
	    nid_strerror_name(nid_pcsc_map_error(pcsc_map[_i].code)));
	ck_assert_str_eq(nid_pcsc_code_name(pcsc_map[_i].code),
	    pcsc_map[_i].name);
}
END_TEST

START_TEST(last_code_default)
{
	nid_ctx_t *ctx = NULL;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_pcsc_last_code(ctx), 0);
	ck_assert_int_eq(nid_pcsc_last_code(NULL), 0);
	nid_ctx_free(&ctx);
}
END_TEST

/* ---- picking a reader ---------------------------------------------------- */

static nid_reader_info *
mk_list(const char *const *names, const int *present, size_t n)
{
	nid_reader_info *l = calloc(n, sizeof(*l));
	size_t i;

	ck_assert_ptr_nonnull(l);
	for (i = 0; i < n; i++) {
		l[i].name = strdup(names[i]);
		l[i].present = present[i];
	}
	return l;
}

START_TEST(pick_reader)
{
	static const char *const names[] = {
		"Virtual PCD 00 00", "Virtual PCD 00 01",
		"REINER SCT cyberJack RFID komfort (1234) 00 00",
		"Virtual PCD 00 00 extra",
	};
	static const int present[] = { 0, 1, 0, 0 };
	nid_reader_info *l = mk_list(names, present, 4);
	nid_ctx_t *ctx = NULL;
	size_t idx = 99;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	/* Exact name wins even when it is also a substring of another. */
	ck_assert_int_eq(nid_pcsc_pick_reader(ctx, l, 4, "Virtual PCD 00 00",
	    &idx), NID_OK);
	ck_assert_uint_eq(idx, 0);
	/* Unique substring. */
	ck_assert_int_eq(nid_pcsc_pick_reader(ctx, l, 4, "cyberJack", &idx),
	    NID_OK);
	ck_assert_uint_eq(idx, 2);
	ck_assert_int_eq(nid_pcsc_pick_reader(ctx, l, 4, "00 01", &idx),
	    NID_OK);
	ck_assert_uint_eq(idx, 1);
	/* Ambiguous substring: the candidates are named. */
	ck_assert_int_eq(nid_pcsc_pick_reader(ctx, l, 4, "Virtual", &idx),
	    NID_E_INVALID_ARG);
	ck_assert_ptr_nonnull(strstr(nid_ctx_detail(ctx), "'Virtual PCD 00 01'"));
	ck_assert_ptr_nonnull(strstr(nid_ctx_detail(ctx),
	    "'Virtual PCD 00 00 extra'"));
	ck_assert_ptr_null(strstr(nid_ctx_detail(ctx), "cyberJack"));
	/* No match. */
	ck_assert_int_eq(nid_pcsc_pick_reader(ctx, l, 4, "Omnikey", &idx),
	    NID_E_NO_READER);
	ck_assert_ptr_nonnull(strstr(nid_ctx_detail(ctx), "Omnikey"));
	ck_assert_int_eq(nid_pcsc_pick_reader(ctx, l, 4, "", &idx),
	    NID_E_INVALID_ARG);
	/* None given: the only reader with a card. */
	ck_assert_int_eq(nid_pcsc_pick_reader(ctx, l, 4, NULL, &idx), NID_OK);
	ck_assert_uint_eq(idx, 1);
	/* Two with a card: ambiguous, both named. */
	l[3].present = 1;
	ck_assert_int_eq(nid_pcsc_pick_reader(ctx, l, 4, NULL, &idx),
	    NID_E_INVALID_ARG);
	ck_assert_ptr_nonnull(strstr(nid_ctx_detail(ctx), "'Virtual PCD 00 01'"));
	ck_assert_ptr_null(strstr(nid_ctx_detail(ctx), "cyberJack"));
	/* No card anywhere. */
	l[1].present = l[3].present = 0;
	ck_assert_int_eq(nid_pcsc_pick_reader(ctx, l, 4, NULL, &idx),
	    NID_E_NO_CARD);
	/* No readers. */
	ck_assert_int_eq(nid_pcsc_pick_reader(ctx, l, 0, NULL, &idx),
	    NID_E_NO_READER);
	/* ctx may be NULL. */
	ck_assert_int_eq(nid_pcsc_pick_reader(NULL, l, 4, "Virtual", &idx),
	    NID_E_INVALID_ARG);
	nid_pcsc_list_free(&l, 4);
	ck_assert_ptr_null(l);
	nid_ctx_free(&ctx);
}
END_TEST

/* Without pcscd (a socket that does not exist), listing fails at once
 * with NID_E_NO_SERVICE and the raw code kept. PCSCLITE_CSOCK_NAME is
 * read by libpcsclite when the first context is established, so it is
 * set here, inside the forked test. */
START_TEST(list_no_service)
{
	nid_ctx_t *ctx = NULL;
	nid_reader_info *l = (nid_reader_info *)1;
	nid_transport_t *t = (nid_transport_t *)1;
	char *name = (char *)1;
	size_t n = 99;

	ck_assert_int_eq(setenv("PCSCLITE_CSOCK_NAME",
	    "/nonexistent/nidcard-test.sock", 1), 0);
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_pcsc_list(ctx, &l, &n), NID_E_NO_SERVICE);
	ck_assert_ptr_null(l);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(nid_pcsc_last_code(ctx), 0x8010001DL);
	ck_assert_ptr_nonnull(strstr(nid_ctx_detail(ctx), "SCARD_E_NO_SERVICE"));
	ck_assert_int_eq(nid_pcsc_open(ctx, "Virtual PCD 00 00", &t),
	    NID_E_NO_SERVICE);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(nid_pcsc_wait_card(ctx, NULL, 100, &name),
	    NID_E_NO_SERVICE);
	ck_assert_ptr_null(name);
	nid_ctx_free(&ctx);
}
END_TEST

static Suite *
pcsc_suite(void)
{
	Suite *s = suite_create("pcsc");
	TCase *tc;

	tc = tcase_create("multistring");
	tcase_add_loop_test(tc, ms_parse_good, 0, (int)NID_NELEM(ms_good));
	tcase_add_loop_test(tc, ms_parse_bad, 0, (int)NID_NELEM(ms_bad));
	tcase_add_test(tc, ms_parse_caps);
	tcase_add_test(tc, ms_parse_truncated);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, error_mapping, 0, (int)NID_NELEM(pcsc_map));
	tcase_add_test(tc, last_code_default);
	tcase_add_test(tc, list_no_service);
	suite_add_tcase(s, tc);

	tc = tcase_create("pick");
	tcase_add_test(tc, pick_reader);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(pcsc_suite());
}
