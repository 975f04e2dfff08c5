/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * mrz.h — machine readable zones of ICAO 9303 travel documents: TD1
 * (3×30, 9303-5), TD2 (2×36, 9303-6) and TD3 (2×44, 9303-4), with the check
 * digits of 9303-3 §4.9, and the BAC/PACE MRZ_information (9303-11 §9.7.2).
 *
 * The parser never stops at the first problem: it reads every field it
 * can and lists each problem with the field it concerns, e.g.
 * "date of birth check digit: 3 printed, 1 computed". An MRZ is valid
 * when the list is empty.
 *
 * Errata (ICAO 9303-11 Appendix D.2): the TD1 and TD2 example MRZs printed
 * in the standard carry wrong composite check digits. The parser has no
 * special case for them: the composite is reported as a problem
 * ("composite check digit: 1 printed, 2 computed") and every other field
 * is parsed and checked as usual, so their MRZ_information (which does
 * not include the composite) is still available. nid_mrz_bac_info()
 * builds it whenever the document number, date of birth and date of
 * expiry are well formed and pass their own check digits.
 *
 * Accepted input: lines separated by '\n' (a '\r' before it is dropped),
 * spaces and tabs trimmed at the line ends only, blank lines ignored.
 * Every other character outside [A-Z0-9<] is a problem naming its line and
 * position. Lower case is not folded: it is an error.
 *
 * Personal data: struct nid_mrz holds names and dates; clear it with
 * nid_mrz_clear(). Nothing here logs.
 */
#ifndef NID_MRZ_H
#define NID_MRZ_H

#include <stddef.h>

enum nid_mrz_format {
	NID_MRZ_UNKNOWN = 0,
	NID_MRZ_TD1,   /* 3 lines of 30, ICAO 9303-5 */
	NID_MRZ_TD2,   /* 2 lines of 36, ICAO 9303-6 */
	NID_MRZ_TD3    /* 2 lines of 44, ICAO 9303-4 */
};

#define NID_MRZ_PROBLEMS_MAX 32
#define NID_MRZ_PROBLEM_TEXT 120
/* Longest document number: 9 + the TD1 optional data (15) less its digit. */
#define NID_MRZ_DOCNO_MAX 23
/* MRZ_information: docno (≤ 23) ‖ cd ‖ birth ‖ cd ‖ expiry ‖ cd, NUL. */
#define NID_MRZ_INFO_MAX 40

struct nid_mrz_problem {
	/*
	 * Stable key of the field (JSON): "layout", "character",
	 * "document_code", "issuing_state", "document_number",
	 * "document_number_check", "birth_date", "birth_date_check", "sex",
	 * "expiry_date", "expiry_date_check", "nationality",
	 * "optional_data", "optional_data_check", "name", "composite_check".
	 */
	const char *field;
	char text[NID_MRZ_PROBLEM_TEXT];  /* for people, names the field */
};

/* Strings are NUL-terminated, '<' fillers kept as printed unless stated. */
struct nid_mrz {
	enum nid_mrz_format format;
	char doc_code[3];            /* e.g. "P<", "I<", "ID" */
	char issuer[4];              /* e.g. "UTO", "D<<" */
	char doc_number[NID_MRZ_DOCNO_MAX + 1]; /* fillers removed, full long number */
	char doc_number_cd;          /* printed check digits, as characters */
	char birth[7];               /* YYMMDD ('<' for unknown parts) */
	char birth_cd;
	char sex;                    /* 'M', 'F', 'X' or '<' */
	char expiry[7];              /* YYMMDD */
	char expiry_cd;
	char nationality[4];
	char optional1[16];          /* TD1 line 1 / TD2 / TD3 (personal number), trailing '<' removed */
	char optional1_cd;           /* TD3 personal number check digit, else 0 */
	char optional2[12];          /* TD1 line 2 optional data, trailing '<' removed */
	char composite_cd;
	char primary[45];            /* primary identifier, '<' between words as ' ' */
	char secondary[45];          /* secondary identifier, same */
	size_t nproblems;
	struct nid_mrz_problem problems[NID_MRZ_PROBLEMS_MAX];
	int truncated;               /* more problems than fit (last one says so) */
};

/* ICAO 9303-3 §4.9: check digit (0..9) of s[0..len): weights 7,3,1,
 * '<' = 0, 0-9, A-Z = 10..35; any other character counts as 0. */
int nid_mrz_check_digit(const char *s, size_t len);

/*
 * Parse an MRZ given as one string (lines separated by newlines).
 * Returns NID_OK when the text was examined: the result, and every problem
 * found, is in *m (m->format is NID_MRZ_UNKNOWN when the line layout is
 * none of TD1/TD2/TD3, with a "layout" problem saying why).
 * NID_E_INVALID_ARG for NULL arguments, NID_E_TOO_LARGE for input over
 * 4 KiB.
 */
int nid_mrz_parse(const char *text, struct nid_mrz *m);
/* Same, with the lines as separate strings (each may contain newlines). */
int nid_mrz_parse_lines(const char *const *lines, size_t n, struct nid_mrz *m);

/* Is the MRZ free of problems? */
int nid_mrz_valid(const struct nid_mrz *m);

/*
 * MRZ_information for BAC/PACE (ICAO 9303-11 §9.7.2, Appendix D.2):
 * document number (padded with '<' to 9 characters, or in full when
 * longer) ‖ its check digit ‖ date of birth ‖ check digit ‖ date of
 * expiry ‖ check digit. out has at least NID_MRZ_INFO_MAX bytes and is
 * NUL-terminated. NID_E_MALFORMED when the document number, date of
 * birth or date of expiry of m is malformed or fails its check digit
 * (the problems of m name which; a bad composite alone does not stop it).
 */
int nid_mrz_bac_info(const struct nid_mrz *m, char *out, size_t out_size);

/*
 * The same from the three values directly (the CLI's --doc, --birth,
 * --expiry): doc is 1..23 characters of [A-Za-z0-9<] (lower case is
 * folded to upper case, trailing '<' ignored), birth and expiry YYMMDD
 * valid dates (birth may have '<' for unknown parts). NID_E_INVALID_ARG
 * otherwise.
 */
int nid_mrz_bac_info_from(const char *doc, const char *birth,
    const char *expiry, char *out, size_t out_size);

/* Cleanse *m (personal data). */
void nid_mrz_clear(struct nid_mrz *m);

/* "TD1", "TD2", "TD3" or "unknown". */
const char *nid_mrz_format_name(enum nid_mrz_format f);

#endif /* NID_MRZ_H */
