/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_icao.c — ICAO 9303 building blocks: MRZ (9303-3/4/5/6), KDF
 * (9303-11 §9.7), BAC (§4.3, Appendix D.3) and secure messaging (§9.8,
 * Appendix D.4), each checked against the worked examples at every
 * intermediate value.
 *
 * Vector sources (see ../shared/vectors/icao-9303-11-worked-examples.md,
 * which recomputed each value and names the public test suites that
 * carry it):
 *   [D]  ICAO 9303-11 Appendix D.2–D.4, also in
 *        gmrtd/gmrtd@7f23b50ad912f10364f66ddc3423683cfc18e134 (bac/bac_test.go,
 *        iso7816/nfc_session_test.go) and
 *        ZeroPass/dmrtd@fb6f08f8152cdf7368d43b4deb0f9561e3617907
 *        (test/kdf_test.dart, test/sm_test.dart)
 *   [G1] ICAO 9303-11 Appendix G.1 (K_π, KS_enc/KS_mac of PACE-ECDH-GM)
 *   [I]  "ICAO 9303 Appendix I to Part 11" KDF vector as cited by
 *        ZeroPass/dmrtd@fb6f08f8152cdf7368d43b4deb0f9561e3617907 test/kdf_test.dart
 *   [NP] AndyQ/NFCPassportReader@6e37f1ab249fef82771da46d32707f2b94ed090f
 *        NFCPassportReaderTests.swift (second 3DES SM vector)
 *   [GA] gmrtd/gmrtd@7f23b50ad912f10364f66ddc3423683cfc18e134
 *        iso7816/secure_messaging_test.go (AES SM)
 *   [P4] ICAO 9303-4 TD3 specimen (8th edition, and the older one that
 *        9303-11 D.2 uses); [P5] ICAO 9303-5 TD1 specimen; [P6] ICAO 9303-6
 *        TD2 specimen; [D2] ICAO 9303-11 Appendix D.2 TD1/TD2 examples.
 */
#include "config.h"

#include <openssl/evp.h>

#include "testutil.h"
#include "kdf.h"
#include "mrz.h"
#include "sm.h"
#include "bac.h"
#include "card.h"

/* Copy a hex literal into a fixed array of exactly n bytes. */
static void
tu_fill(uint8_t *dst, size_t n, const char *hex)
{
	nid_buf b = tu_hex(hex);

	ck_assert_msg(b.len == n, "vector length %zu, want %zu: %s", b.len,
	    n, hex);
	memcpy(dst, b.p, n);
	nid_buf_clear(&b);
}

/* ==== MRZ ============================================================== */

/* Specimens, each valid: every check digit verifies. */
static const struct {
	const char *src;
	const char *text;
	enum nid_mrz_format fmt;
	const char *docno, *birth, *expiry, *primary, *secondary, *info;
} mrz_ok[] = {
	{ "P4 8th edition specimen",
	  "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
	  "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
	  NID_MRZ_TD3, "L898902C3", "740812", "120415", "ERIKSSON",
	  "ANNA MARIA", "L898902C3674081221204159" },
	{ "P4 older specimen, the data of 9303-11 D.2",
	  "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
	  "L898902C<3UTO6908061F9406236ZE184226B<<<<<14",
	  NID_MRZ_TD3, "L898902C", "690806", "940623", "ERIKSSON",
	  "ANNA MARIA", "L898902C<369080619406236" },
	{ "P5 TD1 specimen",
	  "I<UTOD231458907<<<<<<<<<<<<<<<\n"
	  "7408122F1204159UTO<<<<<<<<<<<6\n"
	  "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
	  NID_MRZ_TD1, "D23145890", "740812", "120415", "ERIKSSON",
	  "ANNA MARIA", "D23145890774081221204159" },
	{ "P6 TD2 specimen",
	  "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n"
	  "D231458907UTO7408122F1204159<<<<<<<6",
	  NID_MRZ_TD2, "D23145890", "740812", "120415", "ERIKSSON",
	  "ANNA MARIA", "D23145890774081221204159" },
	{ "D2 TD1, 12-character document number (note j)",
	  "I<UTOD23145890<7349<<<<<<<<<<<\n"
	  "3407127M9507122UTO<<<<<<<<<<<2\n"
	  "STEVENSON<<PETER<JOHN<<<<<<<<<",
	  NID_MRZ_TD1, "D23145890734", "340712", "950712", "STEVENSON",
	  "PETER JOHN", "D23145890734934071279507122" },
	{ "D2 TD2, 12-character document number",
	  "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<\n"
	  "D23145890<UTO3407127M95071227349<<<8",
	  NID_MRZ_TD2, "D23145890734", "340712", "950712", "STEVENSON",
	  "PETER JOHN", "D23145890734934071279507122" },
};

START_TEST(mrz_specimens_valid)
{
	struct nid_mrz m;
	char info[NID_MRZ_INFO_MAX];
	size_t i = (size_t)_i;

	ck_assert_int_eq(nid_mrz_parse(mrz_ok[i].text, &m), NID_OK);
	ck_assert_msg(nid_mrz_valid(&m), "%s: %zu problems, first: %s",
	    mrz_ok[i].src, m.nproblems,
	    m.nproblems ? m.problems[0].text : "");
	ck_assert_int_eq(m.format, mrz_ok[i].fmt);
	ck_assert_str_eq(m.doc_number, mrz_ok[i].docno);
	ck_assert_str_eq(m.birth, mrz_ok[i].birth);
	ck_assert_str_eq(m.expiry, mrz_ok[i].expiry);
	ck_assert_str_eq(m.primary, mrz_ok[i].primary);
	ck_assert_str_eq(m.secondary, mrz_ok[i].secondary);
	ck_assert_str_eq(m.issuer, "UTO");
	ck_assert_str_eq(m.nationality, "UTO");
	ck_assert_int_eq(nid_mrz_bac_info(&m, info, sizeof(info)), NID_OK);
	ck_assert_str_eq(info, mrz_ok[i].info);
	nid_mrz_clear(&m);
}
END_TEST

START_TEST(mrz_fields_td3)
{
	struct nid_mrz m;

	ck_assert_int_eq(nid_mrz_parse(mrz_ok[0].text, &m), NID_OK);
	ck_assert_str_eq(m.doc_code, "P<");
	ck_assert_int_eq(m.sex, 'F');
	ck_assert_str_eq(m.optional1, "ZE184226B");
	ck_assert_int_eq(m.optional1_cd, '1');
	ck_assert_int_eq(m.composite_cd, '0');
	ck_assert_int_eq(m.doc_number_cd, '6');
	ck_assert_int_eq(m.birth_cd, '2');
	ck_assert_int_eq(m.expiry_cd, '9');
}
END_TEST

/* ICAO 9303-3 §4.9 check digits: the worked example 520727 → 3, and
 * values from the specimens above. */
START_TEST(mrz_check_digit_values)
{
	ck_assert_int_eq(nid_mrz_check_digit("520727", 6), 3);
	ck_assert_int_eq(nid_mrz_check_digit("L898902C<", 9), 3);
	ck_assert_int_eq(nid_mrz_check_digit("690806", 6), 1);
	ck_assert_int_eq(nid_mrz_check_digit("940623", 6), 6);
	ck_assert_int_eq(nid_mrz_check_digit("D23145890734", 12), 9);
	ck_assert_int_eq(nid_mrz_check_digit("<<<<<<", 6), 0);
	ck_assert_int_eq(nid_mrz_check_digit("", 0), 0);
}
END_TEST

/*
 * [D2] errata: the standard prints composite 1 (TD1) and 8 (TD2) where
 * 2 is computed. The parser reports exactly that one problem and still
 * gives every field and the MRZ_information.
 */
static const struct {
	const char *text;
	const char *problem;
} mrz_errata[] = {
	{ "I<UTOL898902C<3<<<<<<<<<<<<<<<\n"
	  "6908061F9406236UTO<<<<<<<<<<<1\n"
	  "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
	  "composite check digit: 1 printed, 2 computed" },
	{ "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n"
	  "L898902C<3UTO6908061F9406236<<<<<<<8",
	  "composite check digit: 8 printed, 2 computed" },
};

START_TEST(mrz_d2_errata)
{
	struct nid_mrz m;
	char info[NID_MRZ_INFO_MAX];
	size_t i = (size_t)_i;

	ck_assert_int_eq(nid_mrz_parse(mrz_errata[i].text, &m), NID_OK);
	ck_assert(!nid_mrz_valid(&m));
	ck_assert_uint_eq(m.nproblems, 1);
	ck_assert_str_eq(m.problems[0].field, "composite_check");
	ck_assert_str_eq(m.problems[0].text, mrz_errata[i].problem);
	ck_assert_str_eq(m.doc_number, "L898902C");
	ck_assert_str_eq(m.primary, "ERIKSSON");
	ck_assert_int_eq(nid_mrz_bac_info(&m, info, sizeof(info)), NID_OK);
	ck_assert_str_eq(info, "L898902C<369080619406236");
}
END_TEST

/*
 * Corrupt one character of a valid specimen: the problem names the
 * field. Offsets are into the text (lines joined by '\n').
 */
static const struct {
	size_t spec;    /* index into mrz_ok */
	size_t off;
	char c;
	const char *field;
	const char *text;  /* exact text, or NULL to check the field only */
} mrz_bad[] = {
	/* TD3: line 2 starts at offset 45. */
	{ 1, 45 + 0, 'X', "document_number_check",
	  "document number check digit: 3 printed, 7 computed" },
	{ 1, 45 + 9, '4', "document_number_check",
	  "document number check digit: 4 printed, 3 computed" },
	{ 1, 45 + 19, '3', "birth_date_check",
	  "date of birth check digit: 3 printed, 1 computed" },
	{ 1, 45 + 27, '5', "expiry_date_check",
	  "date of expiry check digit: 5 printed, 6 computed" },
	{ 1, 45 + 42, '2', "optional_data_check",
	  "personal number check digit: 2 printed, 1 computed" },
	{ 1, 45 + 43, '5', "composite_check",
	  "composite check digit: 5 printed, 4 computed" },
	{ 1, 45 + 20, 'Q', "sex", "sex: 'Q' is not M, F, X or <" },
	{ 1, 45 + 15, '1', "birth_date", "date of birth: month 18 does not exist" },
	{ 1, 45 + 23, '2', "expiry_date", "date of expiry: month 26 does not exist" },
	{ 1, 45 + 10, '1', "nationality", NULL },
	{ 1, 2, '4', "issuing_state", NULL },
	{ 1, 0, 'X', "document_code", NULL },
	{ 1, 0, 'V', "document_code", NULL },
	{ 1, 5, '<', "name", "name: primary identifier is empty" },
	{ 1, 7, '7', "name", "name: digit at position 3" },
	{ 1, 45 + 3, 'a', "character",
	  "line 2, position 4: 'a' is not an MRZ character (A-Z, 0-9, <)" },
	{ 1, 45 + 43, '<', "composite_check",
	  "composite check digit: '<' printed, 4 computed" },
	/* TD1 long number: line 1 offset 0, line 2 at 31. */
	{ 4, 18, '8', "document_number_check",
	  "document number check digit: 8 printed, 9 computed" },
	{ 4, 15, '<', "document_number", NULL },
	{ 4, 31 + 6, '8', "birth_date_check", NULL },
	{ 4, 31 + 14, '3', "expiry_date_check", NULL },
	{ 4, 31 + 29, '3', "composite_check", NULL },
	{ 4, 31 + 7, '1', "sex", NULL },
	{ 4, 31 + 15, '0', "nationality", NULL },
	{ 4, 62 + 0, '<', "name", "name: primary identifier is empty" },
	/* TD2 long number: line 2 at 37. */
	{ 5, 37 + 31, '0', "document_number_check", NULL },
	{ 5, 37 + 35, '9', "composite_check", NULL },
	{ 5, 37 + 19, '0', "birth_date_check", NULL },
	{ 5, 37 + 27, '0', "expiry_date_check", NULL },
	/* TD1 specimen, dates: day 31 in a 30-day month. */
	{ 2, 31 + 4, '3', "birth_date", NULL },
	/* TD3 8th ed.: day 35. */
	{ 0, 45 + 25, '3', "expiry_date",
	  "date of expiry: day 35 does not exist in that month" },
};

START_TEST(mrz_corruption_names_field)
{
	struct nid_mrz m;
	char text[200];
	size_t i = (size_t)_i, k;
	int found = 0;

	snprintf(text, sizeof(text), "%s", mrz_ok[mrz_bad[i].spec].text);
	ck_assert_uint_lt(mrz_bad[i].off, strlen(text));
	ck_assert_msg(text[mrz_bad[i].off] != mrz_bad[i].c, "case %zu is a no-op", i);
	text[mrz_bad[i].off] = mrz_bad[i].c;
	ck_assert_int_eq(nid_mrz_parse(text, &m), NID_OK);
	ck_assert(!nid_mrz_valid(&m));
	for (k = 0; k < m.nproblems; k++) {
		if (strcmp(m.problems[k].field, mrz_bad[i].field) != 0)
			continue;
		if (mrz_bad[i].text != NULL &&
		    strcmp(m.problems[k].text, mrz_bad[i].text) != 0)
			continue;
		found = 1;
	}
	/* A bad document number, date or their check digits stops the
	 * MRZ information (no card attempt is spent on a misread MRZ). */
	if (strncmp(mrz_bad[i].field, "document_number", 15) == 0 ||
	    strncmp(mrz_bad[i].field, "birth_date", 10) == 0 ||
	    strncmp(mrz_bad[i].field, "expiry_date", 11) == 0 ||
	    strcmp(mrz_bad[i].field, "character") == 0) {
		char info[NID_MRZ_INFO_MAX];

		ck_assert_int_eq(nid_mrz_bac_info(&m, info, sizeof(info)),
		    NID_E_MALFORMED);
		ck_assert_str_eq(info, "");
	}
	ck_assert_msg(found, "case %zu: no '%s' problem%s%s; first: %s: %s", i,
	    mrz_bad[i].field, mrz_bad[i].text ? " " : "",
	    mrz_bad[i].text ? mrz_bad[i].text : "",
	    m.nproblems ? m.problems[0].field : "-",
	    m.nproblems ? m.problems[0].text : "-");
}
END_TEST

/* Every single-character change of a check-digit protected field of the
 * TD3 specimen is caught (digit ↔ digit changes always change the sum). */
START_TEST(mrz_every_digit_change_caught)
{
	struct nid_mrz m;
	char text[200];
	size_t off, n = 0;
	char c;

	for (off = 45; off < 45 + 44; off++) {
		if (off == 45 + 20)  /* sex: not check-digit protected */
			continue;
		if (off >= 45 + 10 && off < 45 + 13)  /* nationality */
			continue;
		for (c = '0'; c <= '9'; c++) {
			snprintf(text, sizeof(text), "%s", mrz_ok[1].text);
			if (text[off] == c || text[off] < '0' || text[off] > '9')
				continue;
			text[off] = c;
			ck_assert_int_eq(nid_mrz_parse(text, &m), NID_OK);
			ck_assert_msg(!nid_mrz_valid(&m), "offset %zu '%c' "
			    "not caught", off, c);
			n++;
		}
	}
	ck_assert_uint_gt(n, 100);
}
END_TEST

START_TEST(mrz_input_forms)
{
	struct nid_mrz m;
	const char *lines[3] = {
		"  I<UTOD231458907<<<<<<<<<<<<<<<  ",
		"7408122F1204159UTO<<<<<<<<<<<6\t",
		"ERIKSSON<<ANNA<MARIA<<<<<<<<<<\r\n",
	};
	const char *one[1] = {
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r\n"
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10\n\n",
	};

	ck_assert_int_eq(nid_mrz_parse_lines(lines, 3, &m), NID_OK);
	ck_assert(nid_mrz_valid(&m));
	ck_assert_int_eq(m.format, NID_MRZ_TD1);
	ck_assert_int_eq(nid_mrz_parse_lines(one, 1, &m), NID_OK);
	ck_assert(nid_mrz_valid(&m));
	ck_assert_int_eq(m.format, NID_MRZ_TD3);
	/* A space inside a line is not trimmed: a character error. */
	ck_assert_int_eq(nid_mrz_parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
	    "L898902C36UTO7408122F120 159ZE184226B<<<<<10", &m), NID_OK);
	ck_assert(!nid_mrz_valid(&m));
	ck_assert_str_eq(m.problems[0].text,
	    "line 2, position 25: ' ' is not an MRZ character (A-Z, 0-9, <)");
	ck_assert_int_eq(nid_mrz_parse(NULL, &m), NID_E_INVALID_ARG);
}
END_TEST

static const struct {
	const char *text;
	const char *problem;
} mrz_layout[] = {
	{ "", "layout: 0 lines, expected TD1 (3 lines of 30), TD2 (2 of 36) or TD3 (2 of 44)" },
	{ "P<UTO", "layout: 1 line, expected TD1 (3 lines of 30), TD2 (2 of 36) or TD3 (2 of 44)" },
	{ "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
	  "L898902C36UTO7408122F1204159ZE184226B<<<<<1",
	  "line 2: 43 characters, TD3 lines have 44" },
	{ "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n"
	  "D231458907UTO7408122F1204159<<<<<<6",
	  "line 2: 35 characters, TD2 lines have 36" },
	{ "I<UTOD231458907<<<<<<<<<<<<<<<\n"
	  "7408122F1204159UTO<<<<<<<<<<<6\n"
	  "ERIKSSON<<ANNA<MARIA<<<<<<<<<",
	  "line 3: 29 characters, TD1 lines have 30" },
	{ "A\nB\nC\nD", "layout: more than 3 lines" },
	{ "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<<<<<",
	  "line 1: 49 characters, the longest MRZ line (TD3) has 44" },
};

START_TEST(mrz_bad_layout)
{
	struct nid_mrz m;
	char info[NID_MRZ_INFO_MAX];
	size_t i = (size_t)_i;

	ck_assert_int_eq(nid_mrz_parse(mrz_layout[i].text, &m), NID_OK);
	ck_assert_int_eq(m.format, NID_MRZ_UNKNOWN);
	ck_assert(!nid_mrz_valid(&m));
	ck_assert_uint_ge(m.nproblems, 1);
	ck_assert_str_eq(m.problems[0].field, "layout");
	ck_assert_str_eq(m.problems[0].text, mrz_layout[i].problem);
	ck_assert_int_eq(nid_mrz_bac_info(&m, info, sizeof(info)),
	    NID_E_MALFORMED);
}
END_TEST

START_TEST(mrz_many_problems_capped)
{
	struct nid_mrz m;
	char text[200];

	/* 88 lower-case characters: more problems than fit. */
	snprintf(text, sizeof(text), "%s", mrz_ok[0].text);
	for (size_t i = 0; text[i] != '\0'; i++)
		if (text[i] != '\n')
			text[i] = 'a';
	ck_assert_int_eq(nid_mrz_parse(text, &m), NID_OK);
	ck_assert_uint_eq(m.nproblems, NID_MRZ_PROBLEMS_MAX);
	ck_assert(m.truncated);
	ck_assert_str_eq(m.problems[NID_MRZ_PROBLEMS_MAX - 1].text,
	    "more problems not listed");
}
END_TEST

START_TEST(mrz_dates)
{
	struct nid_mrz m;
	char text[200];
	static const struct {
		const char *birth;  /* replaces 690806 in the TD3 specimen */
		int ok;
	} d[] = {
		{ "000229", 1 },  /* 2000 is a leap year */
		{ "040229", 1 }, { "050229", 0 }, { "690231", 0 },
		{ "690431", 0 }, { "690100", 0 }, { "690001", 0 },
		{ "69<<<<", 1 },  /* unknown month and day (9303-4 note) */
		{ "6908<<", 1 }, { "6913<<", 0 }, { "69<<32", 0 },
		{ "69<<31", 1 }, { "6<0806", 0 }, { "<<<<<<", 1 },
	};
	size_t i;
	char cd;

	for (i = 0; i < NID_NELEM(d); i++) {
		snprintf(text, sizeof(text), "%s", mrz_ok[1].text);
		memcpy(text + 45 + 13, d[i].birth, 6);
		cd = (char)('0' + nid_mrz_check_digit(d[i].birth, 6));
		text[45 + 19] = cd;
		/* Fix the composite so only the date is judged. */
		{
			char comp[40];

			memcpy(comp, text + 45, 10);
			memcpy(comp + 10, text + 45 + 13, 7);
			memcpy(comp + 17, text + 45 + 21, 22);
			text[45 + 43] = (char)('0' + nid_mrz_check_digit(comp, 39));
		}
		ck_assert_int_eq(nid_mrz_parse(text, &m), NID_OK);
		ck_assert_msg(nid_mrz_valid(&m) == d[i].ok, "%s: %s", d[i].birth,
		    m.nproblems ? m.problems[0].text : "valid");
	}
}
END_TEST

START_TEST(mrz_bac_info_from_values)
{
	char info[NID_MRZ_INFO_MAX];

	/* [D] D.2: L898902C<369080619406236 */
	ck_assert_int_eq(nid_mrz_bac_info_from("L898902C", "690806", "940623",
	    info, sizeof(info)), NID_OK);
	ck_assert_str_eq(info, "L898902C<369080619406236");
	ck_assert_int_eq(nid_mrz_bac_info_from("l898902c<", "690806", "940623",
	    info, sizeof(info)), NID_OK);
	ck_assert_str_eq(info, "L898902C<369080619406236");
	/* [G1] */
	ck_assert_int_eq(nid_mrz_bac_info_from("T22000129", "640812", "101031",
	    info, sizeof(info)), NID_OK);
	ck_assert_str_eq(info, "T22000129364081251010318");
	/* [D2] long number in full. */
	ck_assert_int_eq(nid_mrz_bac_info_from("D23145890734", "340712",
	    "950712", info, sizeof(info)), NID_OK);
	ck_assert_str_eq(info, "D23145890734934071279507122");
	/* Invalid values. */
	ck_assert_int_eq(nid_mrz_bac_info_from("", "690806", "940623", info,
	    sizeof(info)), NID_E_INVALID_ARG);
	ck_assert_str_eq(info, "");
	ck_assert_int_eq(nid_mrz_bac_info_from("L8989-2C", "690806", "940623",
	    info, sizeof(info)), NID_E_INVALID_ARG);
	ck_assert_int_eq(nid_mrz_bac_info_from("L898902C", "691306", "940623",
	    info, sizeof(info)), NID_E_INVALID_ARG);
	ck_assert_int_eq(nid_mrz_bac_info_from("L898902C", "690806", "94062",
	    info, sizeof(info)), NID_E_INVALID_ARG);
	ck_assert_int_eq(nid_mrz_bac_info_from("L898902C", "690806", "94<623",
	    info, sizeof(info)), NID_E_INVALID_ARG);
	ck_assert_int_eq(nid_mrz_bac_info_from("ABCDEFGHIJKLMNOPQRSTUVWX",
	    "690806", "940623", info, sizeof(info)), NID_E_INVALID_ARG);
	ck_assert_int_eq(nid_mrz_bac_info_from("L898902C", "690806", "940623",
	    info, 10), NID_E_INVALID_ARG);
}
END_TEST

/* ==== KDF ============================================================== */

/* [D] D.2: K_seed, K_enc and K_mac before and after parity. */
START_TEST(kdf_d2_bac_keys)
{
	const char *info = "L898902C<369080619406236";
	uint8_t kseed[16], k[32], ke[16], km[16];
	size_t n = 99;

	ck_assert_int_eq(nid_kdf_seed(info, strlen(info), kseed), NID_OK);
	tu_assert_hex(kseed, 16, "239AB9CB282DAF66231DC5A4DF6BFBAE");
	/* AES-128 uses the same SHA-1 truncation without parity: the
	 * "before parity" values of D.2. */
	ck_assert_int_eq(nid_kdf(NID_KDF_AES128, kseed, 16, NID_KDF_ENC, k,
	    &n), NID_OK);
	ck_assert_uint_eq(n, 16);
	tu_assert_hex(k, n, "AB94FCEDF2664EDFB9B291F85D7F77F2");
	ck_assert_int_eq(nid_kdf(NID_KDF_3DES, kseed, 16, NID_KDF_ENC, k, &n),
	    NID_OK);
	tu_assert_hex(k, n, "AB94FDECF2674FDFB9B391F85D7F76F2");
	ck_assert_int_eq(nid_kdf(NID_KDF_AES128, kseed, 16, NID_KDF_MAC, k,
	    &n), NID_OK);
	tu_assert_hex(k, n, "7862D9ECE03C1BCD4D77089DCF131442");
	ck_assert_int_eq(nid_kdf(NID_KDF_3DES, kseed, 16, NID_KDF_MAC, k, &n),
	    NID_OK);
	tu_assert_hex(k, n, "7962D9ECE03D1ACD4C76089DCE131543");
	/* Parity alone. */
	tu_fill(k, 16, "AB94FCEDF2664EDFB9B291F85D7F77F2");
	nid_kdf_des_parity(k, 16);
	tu_assert_hex(k, 16, "AB94FDECF2674FDFB9B391F85D7F76F2");
	ck_assert_int_eq(nid_bac_keys(info, strlen(info), ke, km), NID_OK);
	tu_assert_hex(ke, 16, "AB94FDECF2674FDFB9B391F85D7F76F2");
	tu_assert_hex(km, 16, "7962D9ECE03D1ACD4C76089DCE131543");
}
END_TEST

/* Worked table 1.6 of the vectors file: K_seed for other formats [D2][P4]. */
static const struct {
	const char *info, *kseed, *kenc, *kmac;
} kdf_formats[] = {
	{ "D23145890734934071279507122", "B366AD857DDCA2B08C0E299811714730",
	  "F4313713DFA438B68C045D1FBCE5DF1C", "E052C4340DFBF789435DC8E56240460E" },
	{ "L898902C3674081221204159", "3F181D701DD9F12E525EF9B5EBEF8909",
	  "3D6EA789F8973D023B435B104FA8D56B", "DFD63E011A57F44C16A43B236EAB456B" },
};

START_TEST(kdf_other_formats)
{
	uint8_t kseed[16], ke[16], km[16];
	size_t i = (size_t)_i;

	ck_assert_int_eq(nid_kdf_seed(kdf_formats[i].info,
	    strlen(kdf_formats[i].info), kseed), NID_OK);
	tu_assert_hex(kseed, 16, kdf_formats[i].kseed);
	ck_assert_int_eq(nid_bac_keys(kdf_formats[i].info,
	    strlen(kdf_formats[i].info), ke, km), NID_OK);
	tu_assert_hex(ke, 16, kdf_formats[i].kenc);
	tu_assert_hex(km, 16, kdf_formats[i].kmac);
}
END_TEST

START_TEST(kdf_pace_and_aes)
{
	const char *info = "T22000129364081251010318";
	uint8_t k[32], secret[64];
	size_t n = 0;

	/* [G1] K_π = SHA-1(SHA-1(MRZ_information) ‖ 00000003)[0..16). */
	ck_assert_int_eq(nid_kdf_pace_mrz(NID_KDF_AES128, info, strlen(info),
	    k, &n), NID_OK);
	tu_assert_hex(k, n, "89DED1B26624EC1E634C1989302849DD");
	/* [G1] session keys from K. */
	tu_fill(secret, 32, "28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925");
	ck_assert_int_eq(nid_kdf(NID_KDF_AES128, secret, 32, NID_KDF_ENC, k,
	    &n), NID_OK);
	tu_assert_hex(k, n, "F5F0E35C0D7161EE6724EE513A0D9A7F");
	ck_assert_int_eq(nid_kdf(NID_KDF_AES128, secret, 32, NID_KDF_MAC, k,
	    &n), NID_OK);
	tu_assert_hex(k, n, "FE251C7858B356B24514B3BD5F4297D1");
	/* [I] */
	tu_fill(secret, 32, "67950559D0C06B4D4B86972D14460837461087F8419FDBC36AAF6CEAAC462832");
	ck_assert_int_eq(nid_kdf(NID_KDF_AES128, secret, 32, NID_KDF_ENC, k,
	    &n), NID_OK);
	tu_assert_hex(k, n, "0A9DA4DB03BDDE39FC5202BC44B2E89E");
	ck_assert_int_eq(nid_kdf(NID_KDF_AES128, secret, 32, NID_KDF_MAC, k,
	    &n), NID_OK);
	tu_assert_hex(k, n, "4B1C06491ED5140CA2B537D344C6C0B1");
	/* Invalid arguments. */
	ck_assert_int_eq(nid_kdf((enum nid_kdf_alg)9, secret, 32, 1, k, &n),
	    NID_E_INVALID_ARG);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(nid_kdf(NID_KDF_AES128, secret, 32, 0, k, &n),
	    NID_E_INVALID_ARG);
	ck_assert_int_eq(nid_kdf_pace_can(NID_KDF_AES128, "", 0, k, &n),
	    NID_E_INVALID_ARG);
}
END_TEST

/* One SHA digest computed here, independently of kdf.c. */
static void
sha_concat(const EVP_MD *md, const uint8_t *a, size_t al, const uint8_t *b,
    size_t bl, uint8_t *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned n = 0;

	ck_assert_ptr_nonnull(c);
	ck_assert(EVP_DigestInit_ex(c, md, NULL) == 1);
	ck_assert(EVP_DigestUpdate(c, a, al) == 1);
	ck_assert(EVP_DigestUpdate(c, b, bl) == 1);
	ck_assert(EVP_DigestFinal_ex(c, out, &n) == 1);
	EVP_MD_CTX_free(c);
}

/* ICAO 9303-11 §9.7.1: SHA-256 for AES-192/256 (no worked example in the
 * standard: checked against a digest computed here), CAN as bytes. */
START_TEST(kdf_sha256_and_can)
{
	static const uint8_t c1[4] = { 0, 0, 0, 1 }, c3[4] = { 0, 0, 0, 3 };
	uint8_t secret[20], k[32], want[32];
	size_t n = 0;

	memset(secret, 0x5a, sizeof(secret));
	sha_concat(EVP_sha256(), secret, 20, c1, 4, want);
	ck_assert_int_eq(nid_kdf(NID_KDF_AES256, secret, 20, NID_KDF_ENC, k,
	    &n), NID_OK);
	ck_assert_uint_eq(n, 32);
	ck_assert(memcmp(k, want, 32) == 0);
	ck_assert_int_eq(nid_kdf(NID_KDF_AES192, secret, 20, NID_KDF_ENC, k,
	    &n), NID_OK);
	ck_assert_uint_eq(n, 24);
	ck_assert(memcmp(k, want, 24) == 0);
	sha_concat(EVP_sha1(), (const uint8_t *)"123456", 6, c3, 4, want);
	ck_assert_int_eq(nid_kdf_pace_can(NID_KDF_AES128, "123456", 6, k, &n),
	    NID_OK);
	ck_assert_uint_eq(n, 16);
	ck_assert(memcmp(k, want, 16) == 0);
}
END_TEST

/* ==== BAC ============================================================== */

#define D_KENC "AB94FDECF2674FDFB9B391F85D7F76F2"
#define D_KMAC "7962D9ECE03D1ACD4C76089DCE131543"
#define D_RNDIC "4608F91988702212"
#define D_RNDIFD "781723860C06C226"
#define D_KIFD "0B795240CB7049B01C19B33E32804F0B"
#define D_KIC "0B4F80323EB3191CB04970CB4052790B"
#define D_CMD "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7"
#define D_RSP "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449"
#define D_KSENC "979EC13B1CBFE9DCD01AB0FED307EAE5"
#define D_KSMAC "F1CB1F1FB5ADF208806B89DC579DC1F8"
#define D_SSC "887022120C06C226"

struct bac_vec {
	uint8_t kenc[16], kmac[16], rnd_ic[8], rnd_ifd[8], k_ifd[16];
	uint8_t k_ic[16], cmd[40], rsp[40];
};

static void
bac_vec_load(struct bac_vec *v)
{
	tu_fill(v->kenc, 16, D_KENC);
	tu_fill(v->kmac, 16, D_KMAC);
	tu_fill(v->rnd_ic, 8, D_RNDIC);
	tu_fill(v->rnd_ifd, 8, D_RNDIFD);
	tu_fill(v->k_ifd, 16, D_KIFD);
	tu_fill(v->k_ic, 16, D_KIC);
	tu_fill(v->cmd, 40, D_CMD);
	tu_fill(v->rsp, 40, D_RSP);
}

/* [D] D.3 at every step. */
START_TEST(bac_d3_terminal)
{
	struct bac_vec v;
	uint8_t s[32], e[32], out[40], k_ic[16], mac[8], r32[32];
	uint8_t ks_enc[16], ks_mac[16], ssc[8], seed[16], k[16];
	size_t i, n;

	bac_vec_load(&v);
	/* S and E.IFD */
	memcpy(s, v.rnd_ifd, 8);
	memcpy(s + 8, v.rnd_ic, 8);
	memcpy(s + 16, v.k_ifd, 16);
	tu_assert_hex(s, 32, "781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B");
	ck_assert_int_eq(nid_sm_des3_cbc(v.kenc, 1, s, 32, e), NID_OK);
	tu_assert_hex(e, 32, "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2");
	ck_assert_int_eq(nid_sm_retail_mac(v.kmac, e, 32, mac), NID_OK);
	tu_assert_hex(mac, 8, "5F1448EEA8AD90A7");
	ck_assert_int_eq(nid_bac_auth_data(v.kenc, v.kmac, v.rnd_ic,
	    v.rnd_ifd, v.k_ifd, out), NID_OK);
	tu_assert_hex(out, 40, D_CMD);
	/* The answer: M.IC verifies, R decrypts, K.IC. */
	ck_assert_int_eq(nid_sm_retail_mac(v.kmac, v.rsp, 32, mac), NID_OK);
	tu_assert_hex(mac, 8, "2F2D235D074D7449");
	ck_assert_int_eq(nid_sm_des3_cbc(v.kenc, 0, v.rsp, 32, r32), NID_OK);
	tu_assert_hex(r32, 32, "4608F91988702212781723860C06C2260B4F80323EB3191CB04970CB4052790B");
	ck_assert_int_eq(nid_bac_check_answer(v.kenc, v.kmac, v.rnd_ic,
	    v.rnd_ifd, v.rsp, 40, k_ic), NID_OK);
	tu_assert_hex(k_ic, 16, D_KIC);
	/* Session keys: seed, before and after parity, SSC. */
	for (i = 0; i < 16; i++)
		seed[i] = (uint8_t)(v.k_ifd[i] ^ k_ic[i]);
	tu_assert_hex(seed, 16, "0036D272F5C350ACAC50C3F572D23600");
	ck_assert_int_eq(nid_kdf(NID_KDF_AES128, seed, 16, NID_KDF_ENC, k, &n),
	    NID_OK);
	tu_assert_hex(k, 16, "969EC03B1CBFE9DDD11AB1FED206EBE4");
	ck_assert_int_eq(nid_kdf(NID_KDF_AES128, seed, 16, NID_KDF_MAC, k, &n),
	    NID_OK);
	tu_assert_hex(k, 16, "F0CA1E1EB5ADF208816B88DD579CC1F8");
	ck_assert_int_eq(nid_bac_session_keys(v.k_ifd, k_ic, v.rnd_ic,
	    v.rnd_ifd, ks_enc, ks_mac, ssc), NID_OK);
	tu_assert_hex(ks_enc, 16, D_KSENC);
	tu_assert_hex(ks_mac, 16, D_KSMAC);
	tu_assert_hex(ssc, 8, D_SSC);
}
END_TEST

/* [D] negative checks taken from GM bac_test. */
START_TEST(bac_d3_negative)
{
	struct bac_vec v;
	uint8_t k_ic[16], bad[40];
	size_t i;

	bac_vec_load(&v);
	tu_fill(bad, 16, "7962D9ECE03D1ACD4C76089DCE131515");
	ck_assert_int_eq(nid_bac_check_answer(v.kenc, bad, v.rnd_ic,
	    v.rnd_ifd, v.rsp, 40, k_ic), NID_E_SM_MAC);
	tu_fill(bad, 8, "781723860C06C2FF");
	ck_assert_int_eq(nid_bac_check_answer(v.kenc, v.kmac, v.rnd_ic,
	    bad, v.rsp, 40, k_ic), NID_E_CARD_PROTOCOL);
	tu_fill(bad, 8, "4608F91988702200");
	ck_assert_int_eq(nid_bac_check_answer(v.kenc, v.kmac, bad,
	    v.rnd_ifd, v.rsp, 40, k_ic), NID_E_CARD_PROTOCOL);
	ck_assert_int_eq(nid_bac_check_answer(v.kenc, v.kmac, v.rnd_ic,
	    v.rnd_ifd, v.rsp, 39, k_ic), NID_E_MALFORMED);
	ck_assert_int_eq(nid_bac_check_answer(v.kenc, v.kmac, v.rnd_ic,
	    v.rnd_ifd, v.rsp, 41, k_ic), NID_E_MALFORMED);
	/* Every bit flip of the answer fails. */
	for (i = 0; i < 40 * 8; i++) {
		memcpy(bad, v.rsp, 40);
		bad[i / 8] ^= (uint8_t)(1u << (i % 8));
		ck_assert_int_ne(nid_bac_check_answer(v.kenc, v.kmac, v.rnd_ic,
		    v.rnd_ifd, bad, 40, k_ic), NID_OK);
	}
}
END_TEST

/* [D] the chip's side gives the standard's answer for its K.IC. */
START_TEST(bac_d3_chip)
{
	struct bac_vec v;
	uint8_t out[40], rnd_ifd[8], k_ifd[16], bad[40];

	bac_vec_load(&v);
	ck_assert_int_eq(nid_bac_chip_answer(v.kenc, v.kmac, v.rnd_ic, v.k_ic,
	    v.cmd, 40, rnd_ifd, k_ifd, out), NID_OK);
	tu_assert_hex(out, 40, D_RSP);
	tu_assert_hex(rnd_ifd, 8, D_RNDIFD);
	tu_assert_hex(k_ifd, 16, D_KIFD);
	memcpy(bad, v.cmd, 40);
	bad[39] ^= 1;
	ck_assert_int_eq(nid_bac_chip_answer(v.kenc, v.kmac, v.rnd_ic, v.k_ic,
	    bad, 40, rnd_ifd, k_ifd, out), NID_E_SM_MAC);
	tu_fill(bad, 8, "4608F91988702213");
	ck_assert_int_eq(nid_bac_chip_answer(v.kenc, v.kmac, bad, v.k_ic,
	    v.cmd, 40, rnd_ifd, k_ifd, out), NID_E_CARD_PROTOCOL);
}
END_TEST

/* ==== SM =============================================================== */

static nid_sm_t *
sm_new_hex(enum nid_sm_cipher c, const char *enc, const char *mac,
    const char *ssc)
{
	nid_buf e = tu_hex(enc), m = tu_hex(mac), s = tu_hex(ssc);
	nid_sm_t *sm = NULL;

	ck_assert_uint_eq(e.len, m.len);
	ck_assert_int_eq(nid_sm_new(c, e.p, m.p, e.len, s.p, s.len, &sm),
	    NID_OK);
	nid_buf_clear(&e);
	nid_buf_clear(&m);
	nid_buf_clear(&s);
	return sm;
}

static void
sm_assert_ssc(const nid_sm_t *sm, const char *hex)
{
	uint8_t ssc[16];
	size_t n = nid_sm_ssc(sm, ssc);

	tu_assert_hex(ssc, n, hex);
}

/* Wrap the plain command given as hex; compare with the protected hex. */
static void
sm_wrap_hex(nid_sm_t *sm, const char *plain, const char *want)
{
	nid_buf p = tu_hex(plain), out;
	nid_apdu a;
	int ext = 0;

	nid_buf_init(&out, NID_BUF_MAX_DEFAULT);
	ck_assert_int_eq(nid_apdu_decode(p.p, p.len, &a, &ext), NID_OK);
	ck_assert_int_eq(nid_sm_wrap_cmd(sm, &a, ext, &out), NID_OK);
	tu_assert_hex(out.p, out.len, want);
	nid_buf_clear(&out);
	nid_buf_clear(&p);
}

static int
sm_unwrap_hex(nid_sm_t *sm, const char *rsp, nid_buf *data, uint16_t *sw)
{
	nid_buf r = tu_hex(rsp);
	int rc = nid_sm_unwrap_rsp(sm, r.p, r.len, data, sw);

	nid_buf_clear(&r);
	return rc;
}

/* [D] D.4 (a)–(c) at every intermediate value. */
START_TEST(sm_d4_terminal)
{
	nid_sm_t *sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC, D_SSC);
	uint8_t ks_enc[16], ks_mac[16], b[64], mac[8];
	nid_buf data, pt;
	uint16_t sw = 0;

	tu_fill(ks_enc, 16, D_KSENC);
	tu_fill(ks_mac, 16, D_KSMAC);
	nid_buf_init(&data, 4096);
	/* (a) SELECT EF.COM: intermediates. */
	pt = tu_hex("011E800000000000");
	ck_assert_int_eq(nid_sm_des3_cbc(ks_enc, 1, pt.p, 8, b), NID_OK);
	tu_assert_hex(b, 8, "6375432908C044F6");
	nid_buf_clear(&pt);
	pt = tu_hex("887022120C06C2270CA4020C800000008709016375432908C044F6");
	ck_assert_int_eq(nid_sm_retail_mac(ks_mac, pt.p, pt.len, mac), NID_OK);
	tu_assert_hex(mac, 8, "BF8B92D635FF24F8");
	nid_buf_clear(&pt);
	sm_wrap_hex(sm, "00A4020C02011E",
	    "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800");
	sm_assert_ssc(sm, "887022120C06C227");
	pt = tu_hex("887022120C06C2289902900080000000");
	ck_assert_int_eq(nid_sm_retail_mac(ks_mac, pt.p, 12, mac), NID_OK);
	tu_assert_hex(mac, 8, "FA855A5D4C50A8ED");
	nid_buf_clear(&pt);
	ck_assert_int_eq(sm_unwrap_hex(sm, "990290008E08FA855A5D4C50A8ED9000",
	    &data, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(data.len, 0);
	sm_assert_ssc(sm, "887022120C06C228");
	/* (b) READ BINARY 4 bytes. */
	pt = tu_hex("887022120C06C2290CB0000080000000970104");
	ck_assert_int_eq(nid_sm_retail_mac(ks_mac, pt.p, pt.len, mac), NID_OK);
	tu_assert_hex(mac, 8, "ED6705417E96BA55");
	nid_buf_clear(&pt);
	sm_wrap_hex(sm, "00B0000004", "0CB000000D9701048E08ED6705417E96BA5500");
	sm_assert_ssc(sm, "887022120C06C229");
	ck_assert_int_eq(sm_unwrap_hex(sm,
	    "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000", &data,
	    &sw), NID_OK);
	sm_assert_ssc(sm, "887022120C06C22A");
	tu_assert_hex(data.p, data.len, "60145F01");
	ck_assert_uint_eq(sw, 0x9000);
	/* (c) READ BINARY 18 bytes from offset 4; K is padded by us (the
	 * printed K lacks its 80: see the vectors file). */
	pt = tu_hex("887022120C06C22C871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A99029000");
	ck_assert_int_eq(nid_sm_retail_mac(ks_mac, pt.p, pt.len, mac), NID_OK);
	tu_assert_hex(mac, 8, "C8B2787EAEA07D74");
	nid_buf_clear(&pt);
	sm_wrap_hex(sm, "00B0000412", "0CB000040D9701128E082EA28A70F3C7B53500");
	sm_assert_ssc(sm, "887022120C06C22B");
	ck_assert_int_eq(sm_unwrap_hex(sm,
	    "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
	    &data, &sw), NID_OK);
	tu_assert_hex(data.p, data.len, "04303130365F36063034303030305C026175");
	sm_assert_ssc(sm, "887022120C06C22C");
	nid_buf_clear(&data);
	nid_sm_free(&sm);
	ck_assert_ptr_null(sm);
}
END_TEST

/* [D] D.4 tamper check: the last MAC byte of (b) changed. */
START_TEST(sm_d4_tamper)
{
	nid_sm_t *sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC,
	    "887022120C06C229");
	nid_buf data;
	uint16_t sw = 0x1234;

	nid_buf_init(&data, 4096);
	ck_assert_int_eq(sm_unwrap_hex(sm,
	    "8709019FF0EC34F9922651990290008E08AD55CC17140B2DEE9000", &data,
	    &sw), NID_E_SM_MAC);
	ck_assert_uint_eq(sw, 0);
	ck_assert_uint_eq(data.len, 0);
	/* The session is over. */
	ck_assert_int_eq(sm_unwrap_hex(sm,
	    "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000", &data,
	    &sw), NID_E_SM_STATE);
	nid_buf_clear(&data);
	nid_sm_free(&sm);
}
END_TEST

/* [D] the card side reproduces D.4: unwrap the commands, wrap answers. */
START_TEST(sm_d4_card)
{
	nid_sm_t *sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC, D_SSC);
	nid_buf st, out, cmd, d;
	nid_apdu a;
	int ext = 1;

	nid_buf_init(&st, 4096);
	nid_buf_init(&out, 4096);
	cmd = tu_hex("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800");
	ck_assert_int_eq(nid_sm_unwrap_cmd(sm, cmd.p, cmd.len, &a, &st, &ext),
	    NID_OK);
	ck_assert_int_eq(ext, 0);
	ck_assert_uint_eq(a.cla, 0x00);
	ck_assert_uint_eq(a.ins, 0xA4);
	ck_assert_uint_eq(a.p1, 0x02);
	ck_assert_uint_eq(a.p2, 0x0C);
	ck_assert_uint_eq(a.ne, 0);
	tu_assert_hex(a.data, a.nc, "011E");
	nid_buf_clear(&cmd);
	ck_assert_int_eq(nid_sm_wrap_rsp(sm, 0, NULL, 0, 0x9000, &out), NID_OK);
	tu_assert_hex(out.p, out.len, "990290008E08FA855A5D4C50A8ED9000");
	cmd = tu_hex("0CB000000D9701048E08ED6705417E96BA5500");
	ck_assert_int_eq(nid_sm_unwrap_cmd(sm, cmd.p, cmd.len, &a, &st, &ext),
	    NID_OK);
	ck_assert_uint_eq(a.ins, 0xB0);
	ck_assert_uint_eq(a.nc, 0);
	ck_assert_uint_eq(a.ne, 4);
	nid_buf_clear(&cmd);
	d = tu_hex("60145F01");
	ck_assert_int_eq(nid_sm_wrap_rsp(sm, 0, d.p, d.len, 0x9000, &out),
	    NID_OK);
	tu_assert_hex(out.p, out.len,
	    "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000");
	nid_buf_clear(&d);
	/* A bit flip in a command: MAC failure, then the session is over. */
	cmd = tu_hex("0CB000040D9701128E082EA28A70F3C7B53400");
	ck_assert_int_eq(nid_sm_unwrap_cmd(sm, cmd.p, cmd.len, &a, &st, &ext),
	    NID_E_SM_MAC);
	nid_buf_clear(&cmd);
	nid_buf_clear(&st);
	nid_buf_clear(&out);
	nid_sm_free(&sm);
}
END_TEST

/* [NP] a second 3DES vector. */
START_TEST(sm_np_vector)
{
	nid_sm_t *sm = sm_new_hex(NID_SM_3DES, "8FDCFE759E40A4DF4575160B3BFB79FB",
	    "2AE92531E55707D9C4CEF8C2D6E5AD70", "73061884A0E57AA7");
	nid_buf data;
	uint16_t sw = 0;

	nid_buf_init(&data, 4096);
	sm_wrap_hex(sm, "00A4020C020101",
	    "0CA4020C15870901CC69089F8F1AB4698E08B6334B3ABD5A9E0900");
	ck_assert_int_eq(sm_unwrap_hex(sm, "990290008E08C61E440E5DD415469000",
	    &data, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	sm_assert_ssc(sm, "73061884A0E57AA9");
	nid_sm_free(&sm);
	sm = sm_new_hex(NID_SM_3DES, "8FDCFE759E40A4DF4575160B3BFB79FB",
	    "2AE92531E55707D9C4CEF8C2D6E5AD70", "73061884A0E57AAA");
	ck_assert_int_eq(sm_unwrap_hex(sm,
	    "87090156D0EFCC887F8973990290008E08D6B9C0DA21DC965F9000", &data,
	    &sw), NID_OK);
	tu_assert_hex(data.p, data.len, "615B5F1F");
	nid_buf_clear(&data);
	nid_sm_free(&sm);
}
END_TEST

/* [GA] AES SM: MSE:Set AT for CA under AES-128 SM. */
START_TEST(sm_aes_vector)
{
	nid_sm_t *sm = sm_new_hex(NID_SM_AES, "CC86415F2ED7E8FD663B754265695AE1",
	    "581E84B8EE06C4D3EEE30461498D7FB3",
	    "000000000000000000000000000000BA");

	sm_wrap_hex(sm, "002241A40F800A04007F000702020302028401C3",
	    "0C2241A41D871101980953D37F67558690045D78A853B18A8E08929767A2CEF172E200");
	sm_assert_ssc(sm, "000000000000000000000000000000BB");
	nid_sm_free(&sm);
}
END_TEST

/* Round trips terminal ↔ card for every cipher, short and extended. */
START_TEST(sm_roundtrip)
{
	static const struct {
		enum nid_sm_cipher c;
		size_t klen;
	} k[] = { { NID_SM_3DES, 16 }, { NID_SM_AES, 16 }, { NID_SM_AES, 24 },
	    { NID_SM_AES, 32 } };
	static const struct {
		uint8_t ins;
		size_t nc, ne, rsp;
		int ext;
	} c[] = {
		{ 0xA4, 2, 0, 0, 0 }, { 0xB0, 0, 256, 256, 0 },
		{ 0xB1, 5, 200, 37, 0 },  /* odd INS: DO'85' */
		{ 0x2A, 300, 65536, 1000, 1 }, { 0x22, 0, 0, 0, 0 },
		{ 0xB0, 0, 1, 1, 1 }, { 0xDA, 240, 0, 0, 0 },
	};
	uint8_t key[33], ssc[16], buf[1200];
	nid_sm_t *t, *s;
	nid_buf prot, st, rsp, data;
	nid_apdu a, got;
	size_t i, j;
	uint16_t sw;
	int ext;

	nid_buf_init(&prot, NID_BUF_MAX_DEFAULT);
	nid_buf_init(&st, NID_BUF_MAX_DEFAULT);
	nid_buf_init(&rsp, NID_BUF_MAX_DEFAULT);
	nid_buf_init(&data, NID_BUF_MAX_DEFAULT);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < NID_NELEM(k); i++) {
		size_t bs = k[i].c == NID_SM_3DES ? 8 : 16;

		memset(key, (int)(0x41 + i), sizeof(key));
		memset(ssc, 0, sizeof(ssc));
		ssc[bs - 1] = 0xfe;  /* the carry crosses a byte */
		ck_assert_int_eq(nid_sm_new(k[i].c, key, key + 1, k[i].klen,
		    ssc, bs, &t), NID_OK);
		ck_assert_int_eq(nid_sm_new(k[i].c, key, key + 1, k[i].klen,
		    ssc, bs, &s), NID_OK);
		for (j = 0; j < NID_NELEM(c); j++) {
			memset(&a, 0, sizeof(a));
			a.ins = c[j].ins;
			a.p1 = 0x01;
			a.data = c[j].nc ? buf : NULL;
			a.nc = c[j].nc;
			a.ne = c[j].ne;
			ck_assert_int_eq(nid_sm_wrap_cmd(t, &a, c[j].ext, &prot),
			    NID_OK);
			ck_assert_int_eq(nid_sm_unwrap_cmd(s, prot.p, prot.len,
			    &got, &st, &ext), NID_OK);
			ck_assert_int_eq(ext, c[j].ext || c[j].nc + 64 > 255);
			ck_assert_uint_eq(got.ins, a.ins);
			ck_assert_uint_eq(got.p1, 0x01);
			ck_assert_uint_eq(got.nc, a.nc);
			ck_assert_uint_eq(got.ne, a.ne);
			if (a.nc)
				ck_assert(memcmp(got.data, buf, a.nc) == 0);
			if (c[j].ne == 65536) {
				/* DO'97' 02 0000 and the outer Le 0000. */
				ck_assert_uint_eq(prot.p[prot.len - 1], 0);
				ck_assert_uint_eq(prot.p[prot.len - 2], 0);
				ck_assert(memmem(prot.p, prot.len,
				    "\x97\x02\x00\x00", 4) != NULL);
			}
			ck_assert_int_eq(nid_sm_wrap_rsp(s, a.ins & 1, buf,
			    c[j].rsp, 0x9000, &rsp), NID_OK);
			ck_assert_int_eq(nid_sm_unwrap_rsp(t, rsp.p, rsp.len,
			    &data, &sw), NID_OK);
			ck_assert_uint_eq(sw, 0x9000);
			ck_assert_uint_eq(data.len, c[j].rsp);
			if (c[j].rsp)
				ck_assert(memcmp(data.p, buf, c[j].rsp) == 0);
		}
		nid_sm_free(&t);
		nid_sm_free(&s);
	}
	nid_buf_clear(&prot);
	nid_buf_clear(&st);
	nid_buf_clear(&rsp);
	nid_buf_clear(&data);
}
END_TEST

/* Build a 3DES response at SSC+1 with arbitrary DOs and a valid MAC:
 * negative cases that get past the MAC check. */
static void
sm_forge(const char *ssc_next, const char *dos, nid_buf *out)
{
	uint8_t ks_mac[16], mac[8];
	nid_buf m = tu_hex(ssc_next), d = tu_hex(dos);

	tu_fill(ks_mac, 16, D_KSMAC);
	ck_assert_int_eq(nid_buf_put(&m, d.p, d.len), NID_OK);
	ck_assert_int_eq(nid_sm_retail_mac(ks_mac, m.p, m.len, mac), NID_OK);
	nid_buf_reset(out);
	ck_assert_int_eq(nid_buf_put(out, d.p, d.len), NID_OK);
	ck_assert_int_eq(nid_tlv_put(out, 0x8E, mac, 8), NID_OK);
	ck_assert_int_eq(nid_buf_put_be16(out, 0x9000), NID_OK);
	nid_buf_clear(&m);
	nid_buf_clear(&d);
}

/* 3DES-CBC of hex under KS_enc (IV 0) as hex, for forged DO'87'. */
static void
sm_enc_hex(const char *pt_hex, char *out_hex)
{
	uint8_t ks_enc[16], ct[64];
	nid_buf pt = tu_hex(pt_hex);

	tu_fill(ks_enc, 16, D_KSENC);
	ck_assert_int_eq(nid_sm_des3_cbc(ks_enc, 1, pt.p, pt.len, ct), NID_OK);
	nid_hex_encode_to(ct, pt.len, out_hex);
	nid_buf_clear(&pt);
}

/* Copy fmt into dst with every "%s" replaced by ct. */
static void
subst_ct(char *dst, size_t dsz, const char *fmt, const char *ct)
{
	size_t o = 0, n = strlen(ct);

	while (*fmt != '\0') {
		if (fmt[0] == '%' && fmt[1] == 's') {
			ck_assert_uint_lt(o + n, dsz);
			memcpy(dst + o, ct, n);
			o += n;
			fmt += 2;
		} else {
			ck_assert_uint_lt(o + 1, dsz);
			dst[o++] = *fmt++;
		}
	}
	dst[o] = '\0';
}

START_TEST(sm_negative_responses)
{
	/* Each at SSC 887022120C06C229 → the response uses ...2A. */
	static const char *ssc_next = "887022120C06C22A";
	char ct[200], dos[300];
	nid_buf r, data;
	nid_sm_t *sm;
	uint16_t sw;
	size_t i;
	static const struct {
		const char *what, *pt;   /* plaintext to encrypt (or NULL) */
		const char *fmt;         /* DOs with %s for the cryptogram */
		int rc;
	} f[] = {
		{ "no padding", "60145F0100000000", "870901%s99029000", NID_E_SM_FORMAT },
		{ "padding 80 in the wrong place", "6014805F01000000", "870901%s99029000", NID_E_SM_FORMAT },
		{ "a whole block of zeros after 80", "60145F01800000000000000000000000", "871101%s99029000", NID_E_SM_FORMAT },
		{ "padding indicator 02", "60145F0180000000", "870902%s99029000", NID_E_SM_FORMAT },
		{ "cryptogram not whole blocks", NULL, "8706016375432908C099029000", NID_E_SM_FORMAT },
		{ "empty DO'87'", NULL, "870099029000", NID_E_SM_FORMAT },
		{ "DO'87' of the indicator only", NULL, "87010199029000", NID_E_SM_FORMAT },
		{ "missing DO'99'", "60145F0180000000", "870901%s", NID_E_SM_FORMAT },
		{ "DO'99' of 1 byte", NULL, "990190", NID_E_SM_FORMAT },
		{ "DO'99' of 3 bytes", NULL, "9903900000", NID_E_SM_FORMAT },
		{ "DO'99' before DO'87'", "60145F0180000000", "99029000870901%s", NID_E_SM_FORMAT },
		{ "DO'87' twice", "60145F0180000000", "870901%s870901%s99029000", NID_E_SM_FORMAT },
		{ "wrong tag 88", "60145F0180000000", "880901%s99029000", NID_E_SM_FORMAT },
		{ "unknown DO between", NULL, "53010099029000", NID_E_SM_FORMAT },
		{ "well formed, for contrast", "60145F0180000000", "870901%s99029000", NID_OK },
		{ "odd INS DO'85'", "60145F0180000000", "8508%s99029000", NID_OK },
	};

	nid_buf_init(&r, 4096);
	nid_buf_init(&data, 4096);
	for (i = 0; i < NID_NELEM(f); i++) {
		ct[0] = '\0';
		if (f[i].pt != NULL)
			sm_enc_hex(f[i].pt, ct);
		subst_ct(dos, sizeof(dos), f[i].fmt, ct);
		sm_forge(ssc_next, dos, &r);
		sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC,
		    "887022120C06C229");
		ck_assert_msg(nid_sm_unwrap_rsp(sm, r.p, r.len, &data, &sw) ==
		    f[i].rc, "%s", f[i].what);
		if (f[i].rc == NID_OK)
			tu_assert_hex(data.p, data.len, "60145F01");
		else
			ck_assert_uint_eq(data.len, 0);
		nid_sm_free(&sm);
	}
	/* MAC missing, MAC of 4 bytes, bytes after the MAC. */
	{
		static const char *bad[] = {
			"8709019FF0EC34F99226519902900090 00",
			"8709019FF0EC34F9922651990290008E04AD55CC179000",
			"8709019FF0EC34F9922651990290008E08AD55CC17140B2DED009000",
			"9000",  /* bare 9000: protected data stripped */
			"6282",  /* bare warning */
			"90",
			"",
		};
		for (i = 0; i < NID_NELEM(bad); i++) {
			sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC,
			    "887022120C06C229");
			ck_assert_msg(sm_unwrap_hex(sm, bad[i], &data, &sw) ==
			    NID_E_SM_FORMAT, "%s", bad[i]);
			nid_sm_free(&sm);
		}
	}
	/* A bare error status word passes as it is. */
	sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC, "887022120C06C229");
	ck_assert_int_eq(sm_unwrap_hex(sm, "6A82", &data, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x6A82);
	ck_assert_uint_eq(data.len, 0);
	sm_assert_ssc(sm, "887022120C06C22A");
	nid_sm_free(&sm);
	/* Output cap: the plaintext does not fit. */
	{
		nid_buf small;

		nid_buf_init(&small, 3);
		sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC,
		    "887022120C06C229");
		ck_assert_int_eq(sm_unwrap_hex(sm,
		    "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000",
		    &small, &sw), NID_E_TOO_LARGE);
		nid_buf_clear(&small);
		nid_sm_free(&sm);
	}
	nid_buf_clear(&r);
	nid_buf_clear(&data);
}
END_TEST

/* Truncation and bit-flip loops over the valid response D.4 (c). */
START_TEST(sm_response_fuzz_loops)
{
	nid_buf v = tu_hex("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000");
	nid_buf data, m;
	nid_sm_t *sm;
	uint16_t sw;
	size_t i;

	nid_buf_init(&data, 4096);
	nid_buf_init(&m, 4096);
	for (i = 0; i < v.len; i++) {
		sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC,
		    "887022120C06C22B");
		ck_assert_msg(nid_sm_unwrap_rsp(sm, v.p, i, &data, &sw) !=
		    NID_OK, "prefix %zu accepted", i);
		ck_assert_uint_eq(data.len, 0);
		nid_sm_free(&sm);
	}
	/* Every bit of the protected part (the outer SW is not protected
	 * and not used: DO'99' is the status word). */
	for (i = 0; i < (v.len - 2) * 8; i++) {
		nid_buf_reset(&m);
		ck_assert_int_eq(nid_buf_put(&m, v.p, v.len), NID_OK);
		m.p[i / 8] ^= (uint8_t)(1u << (i % 8));
		sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC,
		    "887022120C06C22B");
		ck_assert_msg(nid_sm_unwrap_rsp(sm, m.p, m.len, &data, &sw) !=
		    NID_OK, "bit %zu flip accepted", i);
		nid_sm_free(&sm);
	}
	/* Wrong SSC (replay of an earlier response). */
	sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC, "887022120C06C22C");
	ck_assert_int_eq(nid_sm_unwrap_rsp(sm, v.p, v.len, &data, &sw),
	    NID_E_SM_MAC);
	nid_sm_free(&sm);
	nid_buf_clear(&v);
	nid_buf_clear(&m);
	nid_buf_clear(&data);
}
END_TEST

START_TEST(sm_card_side_negative)
{
	nid_buf v = tu_hex("0CB000000D9701048E08ED6705417E96BA5500");
	nid_buf st, m;
	nid_sm_t *sm;
	nid_apdu a;
	size_t i;
	int ext;

	nid_buf_init(&st, 4096);
	nid_buf_init(&m, 4096);
	for (i = 0; i < v.len * 8; i++) {
		if (i / 8 == 1 || i / 8 == 2 || i / 8 == 3)
			continue;  /* INS P1 P2 changes: still MAC'd, below */
		if (i / 8 == v.len - 1)
			continue;  /* the outer Le is not protected (§9.8.4) */
		nid_buf_reset(&m);
		ck_assert_int_eq(nid_buf_put(&m, v.p, v.len), NID_OK);
		m.p[i / 8] ^= (uint8_t)(1u << (i % 8));
		sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC,
		    "887022120C06C228");
		ck_assert_msg(nid_sm_unwrap_cmd(sm, m.p, m.len, &a, &st, &ext)
		    != NID_OK, "bit %zu flip accepted", i);
		nid_sm_free(&sm);
	}
	for (i = 1; i < 4; i++) {
		nid_buf_reset(&m);
		ck_assert_int_eq(nid_buf_put(&m, v.p, v.len), NID_OK);
		m.p[i] ^= 0x40;
		sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC,
		    "887022120C06C228");
		ck_assert_int_ne(nid_sm_unwrap_cmd(sm, m.p, m.len, &a, &st,
		    &ext), NID_OK);
		nid_sm_free(&sm);
	}
	/* A plain command is not accepted. */
	sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC, "887022120C06C228");
	nid_buf_reset(&m);
	ck_assert_int_eq(nid_buf_put(&m, "\x00\xB0\x00\x00\x04", 5), NID_OK);
	ck_assert_int_eq(nid_sm_unwrap_cmd(sm, m.p, m.len, &a, &st, &ext),
	    NID_E_SM_FORMAT);
	nid_sm_free(&sm);
	nid_buf_clear(&v);
	nid_buf_clear(&m);
	nid_buf_clear(&st);
}
END_TEST

START_TEST(sm_ssc_and_args)
{
	nid_sm_t *sm = NULL;
	nid_buf out;
	nid_apdu a;
	uint8_t k[16] = { 0 }, ssc[16];

	nid_buf_init(&out, 4096);
	memset(&a, 0, sizeof(a));
	a.ins = 0xB0;
	a.ne = 4;
	/* The last SSC: exhausted. */
	memset(ssc, 0xff, sizeof(ssc));
	ck_assert_int_eq(nid_sm_new(NID_SM_3DES, k, k, 16, ssc, 8, &sm), NID_OK);
	ck_assert_int_eq(nid_sm_wrap_cmd(sm, &a, 0, &out), NID_E_SM_STATE);
	ck_assert_uint_eq(out.len, 0);
	nid_sm_free(&sm);
	/* Carry across the whole SSC. */
	memset(ssc, 0xff, sizeof(ssc));
	ssc[0] = 0x00;
	ck_assert_int_eq(nid_sm_new(NID_SM_AES, k, k, 16, ssc, 16, &sm), NID_OK);
	ck_assert_int_eq(nid_sm_wrap_cmd(sm, &a, 0, &out), NID_OK);
	sm_assert_ssc(sm, "01000000000000000000000000000000");
	/* CLA already with SM bits: refused. */
	a.cla = 0x0C;
	ck_assert_int_eq(nid_sm_wrap_cmd(sm, &a, 0, &out), NID_E_INVALID_ARG);
	nid_sm_free(&sm);
	ck_assert_int_eq(nid_sm_new(NID_SM_3DES, k, k, 24, ssc, 8, &sm),
	    NID_E_INVALID_ARG);
	ck_assert_int_eq(nid_sm_new(NID_SM_AES, k, k, 16, ssc, 8, &sm),
	    NID_E_INVALID_ARG);
	ck_assert_int_eq(nid_sm_new(NID_SM_AES, k, k, 20, ssc, 16, &sm),
	    NID_E_INVALID_ARG);
	ck_assert_ptr_null(sm);
	nid_sm_free(&sm);
	nid_buf_clear(&out);
}
END_TEST

/* ==== a card played in the test: BAC and the SM transport ============= */

struct fake_card {
	int mode;           /* 0: D.3 chip; 1: answers 6300 to EXT AUTH */
	unsigned ext_auth;  /* EXTERNAL AUTHENTICATE commands seen */
	nid_sm_t *sm;       /* card side, once BAC is done */
	int split61;        /* answer SM responses with 61xx first */
	nid_buf pending;
};

static int
fake_transmit(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	struct fake_card *fc = t->impl;
	nid_buf out = tu_hex("");
	nid_buf st;
	nid_apdu a;
	int ext;

	nid_buf_init(&st, 4096);
	if (cmd_len >= 2 && cmd[1] == 0x84 && fc->sm == NULL) {
		nid_buf b = tu_hex(D_RNDIC "9000");

		ck_assert_int_eq(nid_buf_put(&out, b.p, b.len), NID_OK);
		nid_buf_clear(&b);
	} else if (cmd_len >= 2 && cmd[1] == 0x82) {
		nid_buf b = tu_hex(fc->mode == 1 ? "6300" : D_RSP "9000");

		fc->ext_auth++;
		ck_assert_int_eq(nid_buf_put(&out, b.p, b.len), NID_OK);
		nid_buf_clear(&b);
	} else if (cmd_len >= 2 && cmd[1] == 0xC0) {
		size_t n = fc->pending.len < cmd[4] ? fc->pending.len : cmd[4];

		ck_assert_int_eq(nid_buf_put(&out, fc->pending.p, n), NID_OK);
		ck_assert_int_eq(nid_buf_put_be16(&out, 0x9000), NID_OK);
	} else if (fc->sm != NULL) {
		static const uint8_t com[] = { 0x60, 0x14, 0x5F, 0x01 };

		ck_assert_int_eq(nid_sm_unwrap_cmd(fc->sm, cmd, cmd_len, &a,
		    &st, &ext), NID_OK);
		ck_assert_uint_eq(a.ins, 0xB0);
		ck_assert_int_eq(nid_sm_wrap_rsp(fc->sm, 0, com, a.ne < 4 ?
		    a.ne : 4, 0x9000, &out), NID_OK);
		if (fc->split61) {
			/* The DOs wait for GET RESPONSE, which brings
			 * the status word. */
			nid_buf_reset(&fc->pending);
			ck_assert_int_eq(nid_buf_put(&fc->pending, out.p,
			    out.len - 2), NID_OK);
			nid_buf_reset(&out);
			ck_assert_int_eq(nid_buf_put_u8(&out, 0x61), NID_OK);
			ck_assert_int_eq(nid_buf_put_u8(&out,
			    (uint8_t)fc->pending.len), NID_OK);
		}
	} else
		ck_assert_int_eq(nid_buf_put_be16(&out, 0x6D00), NID_OK);
	ck_assert_uint_le(out.len, *rsp_len);
	memcpy(rsp, out.p, out.len);
	*rsp_len = out.len;
	nid_buf_clear(&out);
	nid_buf_clear(&st);
	return NID_OK;
}

static const struct nid_transport_ops fake_ops = {
	"fake-bac", fake_transmit, NULL, NULL, NULL, NULL, NULL
};

START_TEST(bac_run_and_sm_transport)
{
	struct fake_card fc;
	struct nid_bac_fixed fx;
	nid_transport_t *t = NULL, *smt = NULL;
	nid_card_t *card = NULL, *scard = NULL;
	nid_sm_t *sm = NULL;
	nid_ctx_t *ctx = NULL;
	const char *info = "L898902C<369080619406236";
	nid_buf data;
	nid_apdu a;
	uint16_t sw = 0;

	memset(&fc, 0, sizeof(fc));
	fc.split61 = _i;
	nid_buf_init(&fc.pending, 4096);
	nid_buf_init(&data, 4096);
	tu_fill(fx.rnd_ifd, 8, D_RNDIFD);
	tu_fill(fx.k_ifd, 16, D_KIFD);
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_transport_new(ctx, &fake_ops, &fc, &t), NID_OK);
	ck_assert_int_eq(nid_card_new(t, &card), NID_OK);
	ck_assert_int_eq(nid_bac_run(card, info, strlen(info), &fx, &sm),
	    NID_OK);
	ck_assert_ptr_nonnull(sm);
	sm_assert_ssc(sm, D_SSC);
	/* The card side takes the same session (D.3 values). */
	fc.sm = sm_new_hex(NID_SM_3DES, D_KSENC, D_KSMAC, D_SSC);
	ck_assert_int_eq(nid_sm_transport_new(ctx, t, &sm, &smt), NID_OK);
	ck_assert_ptr_null(sm);
	ck_assert_int_eq(nid_card_new(smt, &scard), NID_OK);
	memset(&a, 0, sizeof(a));
	a.ins = 0xB0;
	a.ne = 4;
	ck_assert_int_eq(nid_card_transmit(scard, &a, &data, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	tu_assert_hex(data.p, data.len, "60145F01");
	ck_assert_uint_eq(fc.ext_auth, 1);
	nid_card_free(&scard);
	nid_transport_free(&smt);
	nid_card_free(&card);
	t->impl = NULL;
	nid_transport_free(&t);
	nid_sm_free(&fc.sm);
	nid_buf_clear(&fc.pending);
	nid_buf_clear(&data);
	nid_ctx_free(&ctx);
}
END_TEST

START_TEST(bac_run_denied_once)
{
	struct fake_card fc;
	struct nid_bac_fixed fx;
	nid_transport_t *t = NULL;
	nid_card_t *card = NULL;
	nid_sm_t *sm = NULL;
	nid_ctx_t *ctx = NULL;
	const char *info = "L898902C<369080619406236";

	memset(&fc, 0, sizeof(fc));
	fc.mode = 1;
	tu_fill(fx.rnd_ifd, 8, D_RNDIFD);
	tu_fill(fx.k_ifd, 16, D_KIFD);
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_transport_new(ctx, &fake_ops, &fc, &t), NID_OK);
	ck_assert_int_eq(nid_card_new(t, &card), NID_OK);
	ck_assert_int_eq(nid_bac_run(card, info, strlen(info), &fx, &sm),
	    NID_E_ACCESS_DENIED);
	ck_assert_ptr_null(sm);
	ck_assert_uint_eq(fc.ext_auth, 1);
	ck_assert_ptr_nonnull(strstr(nid_ctx_detail(ctx), "access denied by the card"));
	nid_card_free(&card);
	t->impl = NULL;
	nid_transport_free(&t);
	nid_ctx_free(&ctx);
}
END_TEST

static Suite *
icao_suite(void)
{
	Suite *s = suite_create("icao");
	TCase *tc;

	tc = tcase_create("mrz");
	tcase_add_loop_test(tc, mrz_specimens_valid, 0, NID_NELEM(mrz_ok));
	tcase_add_test(tc, mrz_fields_td3);
	tcase_add_test(tc, mrz_check_digit_values);
	tcase_add_loop_test(tc, mrz_d2_errata, 0, NID_NELEM(mrz_errata));
	tcase_add_loop_test(tc, mrz_corruption_names_field, 0,
	    NID_NELEM(mrz_bad));
	tcase_add_test(tc, mrz_every_digit_change_caught);
	tcase_add_test(tc, mrz_input_forms);
	tcase_add_loop_test(tc, mrz_bad_layout, 0, NID_NELEM(mrz_layout));
	tcase_add_test(tc, mrz_many_problems_capped);
	tcase_add_test(tc, mrz_dates);
	tcase_add_test(tc, mrz_bac_info_from_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("kdf");
	tcase_add_test(tc, kdf_d2_bac_keys);
	tcase_add_loop_test(tc, kdf_other_formats, 0, NID_NELEM(kdf_formats));
	tcase_add_test(tc, kdf_pace_and_aes);
	tcase_add_test(tc, kdf_sha256_and_can);
	suite_add_tcase(s, tc);

	tc = tcase_create("bac");
	tcase_add_test(tc, bac_d3_terminal);
	tcase_add_test(tc, bac_d3_negative);
	tcase_add_test(tc, bac_d3_chip);
	tcase_add_loop_test(tc, bac_run_and_sm_transport, 0, 2);
	tcase_add_test(tc, bac_run_denied_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("sm");
	tcase_add_test(tc, sm_d4_terminal);
	tcase_add_test(tc, sm_d4_tamper);
	tcase_add_test(tc, sm_d4_card);
	tcase_add_test(tc, sm_np_vector);
	tcase_add_test(tc, sm_aes_vector);
	tcase_add_test(tc, sm_roundtrip);
	tcase_add_test(tc, sm_negative_responses);
	tcase_add_test(tc, sm_response_fuzz_loops);
	tcase_add_test(tc, sm_card_side_negative);
	tcase_add_test(tc, sm_ssc_and_args);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(icao_suite());
}
