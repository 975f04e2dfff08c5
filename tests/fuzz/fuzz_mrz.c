/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_mrz.c — MRZ parsing (mrz.c, ICAO 9303-3/4/5/6) and MRZ_information
 * (ICAO 9303-11 §9.7.2).
 *
 * The input, cut at its first NUL, is the MRZ text. Invariants:
 *  - parse succeeds for any text up to 4 KiB (problems are data), fails
 *    with NID_E_TOO_LARGE above; every string field and problem text is
 *    NUL-terminated within its array; at most NID_MRZ_PROBLEMS_MAX;
 *  - nid_mrz_valid() is "no problems", and a valid MRZ has a format and
 *    gives MRZ_information;
 *  - the same text given line by line (nid_mrz_parse_lines) gives the
 *    same result;
 *  - MRZ_information from the parsed MRZ equals the one built from its
 *    three fields (nid_mrz_bac_info_from) whenever both succeed, and is
 *    docno ‖ cd ‖ birth ‖ cd ‖ expiry ‖ cd with the 9303-3 check digits;
 *  - nid_mrz_check_digit is 0..9 for any bytes.
 */
#include "config.h"

#include <string.h>

#include "nid_internal.h"
#include "mrz.h"
#include "fuzz.h"

#define MAX_LINES 64

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static void
check_fields(const struct nid_mrz *m)
{
	size_t i;

	FUZZ_ASSERT(TERMINATED(m->doc_code) && TERMINATED(m->issuer));
	FUZZ_ASSERT(TERMINATED(m->doc_number) && TERMINATED(m->birth));
	FUZZ_ASSERT(TERMINATED(m->expiry) && TERMINATED(m->nationality));
	FUZZ_ASSERT(TERMINATED(m->optional1) && TERMINATED(m->optional2));
	FUZZ_ASSERT(TERMINATED(m->primary) && TERMINATED(m->secondary));
	FUZZ_ASSERT(m->nproblems <= NID_MRZ_PROBLEMS_MAX);
	for (i = 0; i < m->nproblems; i++) {
		FUZZ_ASSERT(m->problems[i].field != NULL);
		FUZZ_ASSERT(TERMINATED(m->problems[i].text));
		FUZZ_ASSERT(m->problems[i].text[0] != '\0');
	}
	FUZZ_ASSERT(nid_mrz_valid(m) == (m->nproblems == 0));
	if (m->format == NID_MRZ_UNKNOWN)
		FUZZ_ASSERT(m->nproblems > 0);
	(void)strlen(nid_mrz_format_name(m->format));
}

static int
same(const struct nid_mrz *a, const struct nid_mrz *b)
{
	size_t i;

	if (a->format != b->format || a->nproblems != b->nproblems ||
	    strcmp(a->doc_number, b->doc_number) != 0 ||
	    strcmp(a->birth, b->birth) != 0 ||
	    strcmp(a->expiry, b->expiry) != 0 ||
	    strcmp(a->primary, b->primary) != 0 ||
	    strcmp(a->secondary, b->secondary) != 0 ||
	    a->composite_cd != b->composite_cd)
		return 0;
	for (i = 0; i < a->nproblems; i++) {
		if (strcmp(a->problems[i].text, b->problems[i].text) != 0)
			return 0;
	}
	return 1;
}

static void
check_info(const struct nid_mrz *m)
{
	char info[NID_MRZ_INFO_MAX], info2[NID_MRZ_INFO_MAX];
	size_t len, dlen;
	int rc, rc2;

	memset(info, 'x', sizeof(info));
	rc = nid_mrz_bac_info(m, info, sizeof(info));
	if (nid_mrz_valid(m))
		FUZZ_ASSERT(rc == NID_OK);
	if (rc != NID_OK) {
		FUZZ_ASSERT(rc == NID_E_MALFORMED);
		return;
	}
	FUZZ_ASSERT(TERMINATED(info));
	len = strlen(info);
	FUZZ_ASSERT(len >= 9 + 15 && len < NID_MRZ_INFO_MAX);
	dlen = len - 15;
	/* docno ‖ cd ‖ YYMMDD ‖ cd ‖ YYMMDD ‖ cd */
	FUZZ_ASSERT(info[dlen] - '0' == nid_mrz_check_digit(info, dlen));
	FUZZ_ASSERT(info[dlen + 7] - '0' ==
	    nid_mrz_check_digit(info + dlen + 1, 6));
	FUZZ_ASSERT(info[len - 1] - '0' ==
	    nid_mrz_check_digit(info + dlen + 8, 6));

	memset(info2, 'y', sizeof(info2));
	rc2 = nid_mrz_bac_info_from(m->doc_number, m->birth, m->expiry,
	    info2, sizeof(info2));
	if (rc2 == NID_OK)
		FUZZ_ASSERT(strcmp(info, info2) == 0);
	else
		FUZZ_ASSERT(rc2 == NID_E_INVALID_ARG);
	/* Too small an output buffer fails, never overflows. */
	rc2 = nid_mrz_bac_info(m, info2, len);
	FUZZ_ASSERT(rc2 != NID_OK);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nid_mrz m, m2;
	const char *lines[MAX_LINES];
	char *text, *copy, *s, *e;
	size_t nl = 0;
	int rc, rc2, cd;

	FUZZ_ASSERT((text = malloc(size + 1)) != NULL);
	memcpy(text, data, size);
	text[size] = '\0';

	cd = nid_mrz_check_digit(text, strlen(text));
	FUZZ_ASSERT(cd >= 0 && cd <= 9);

	memset(&m, 0xa5, sizeof(m));
	rc = nid_mrz_parse(text, &m);
	if (strlen(text) > 4096) {
		FUZZ_ASSERT(rc == NID_E_TOO_LARGE);
		goto out;
	}
	if (rc != NID_OK) {
		FUZZ_ASSERT(rc == NID_E_TOO_LARGE);
		goto out;
	}
	check_fields(&m);
	check_info(&m);

	/* Line by line: the same result. */
	FUZZ_ASSERT((copy = strdup(text)) != NULL);
	for (s = copy; nl < MAX_LINES; s = e + 1) {
		lines[nl++] = s;
		if ((e = strchr(s, '\n')) == NULL)
			break;
		*e = '\0';
	}
	if (nl < MAX_LINES) {
		memset(&m2, 0x5a, sizeof(m2));
		rc2 = nid_mrz_parse_lines(lines, nl, &m2);
		FUZZ_ASSERT(rc2 == NID_OK || rc2 == NID_E_TOO_LARGE);
		if (rc2 == NID_OK)
			FUZZ_ASSERT(same(&m, &m2));
		nid_mrz_clear(&m2);
	}
	free(copy);
	nid_mrz_clear(&m);
out:
	free(text);
	return 0;
}
