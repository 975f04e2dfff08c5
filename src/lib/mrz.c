/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * mrz.c — ICAO 9303 parts 3–6 machine readable zones (see mrz.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "nid_internal.h"
#include "mrz.h"

#define MRZ_TEXT_MAX 4096u
#define MRZ_LINE_MAX 44u

struct mrz_lines {
	char l[3][MRZ_LINE_MAX + 1];
	size_t len[3];
	size_t n;
};

static void mrz_problem(struct nid_mrz *m, const char *field,
    const char *fmt, ...) NID_PRINTF(3, 4);

static void
mrz_problem(struct nid_mrz *m, const char *field, const char *fmt, ...)
{
	va_list ap;
	struct nid_mrz_problem *p;

	if (m->truncated)
		return;
	if (m->nproblems == NID_MRZ_PROBLEMS_MAX - 1) {
		p = &m->problems[m->nproblems++];
		p->field = "layout";
		snprintf(p->text, sizeof(p->text),
		    "more problems not listed");
		m->truncated = 1;
		return;
	}
	p = &m->problems[m->nproblems++];
	p->field = field;
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
}

static int
mrz_char_ok(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<';
}

static int
mrz_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ICAO 9303-3 §4.9.1: character values. */
static unsigned
mrz_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'A' && c <= 'Z')
		return (unsigned)(c - 'A') + 10u;
	return 0;
}

int
nid_mrz_check_digit(const char *s, size_t len)
{
	static const unsigned w[3] = { 7, 3, 1 };
	unsigned sum = 0;
	size_t i;

	/* ICAO 9303-3 §4.9.2: weights 7, 3, 1 repeating; sum modulo 10. */
	for (i = 0; i < len; i++)
		sum += mrz_value(s[i]) * w[i % 3];
	return (int)(sum % 10u);
}

/* Copy s[0..len) into dst (size dsz), dropping trailing '<'. */
static void
mrz_copy_trim(char *dst, size_t dsz, const char *s, size_t len)
{
	while (len > 0 && s[len - 1] == '<')
		len--;
	if (len >= dsz)
		len = dsz - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* Describe a character for a problem text: 'a' or \xNN. */
static void
mrz_char_desc(char c, char *buf, size_t bsz)
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x20 && u < 0x7f && c != '\'')
		snprintf(buf, bsz, "'%c'", c);
	else
		snprintf(buf, bsz, "\\x%02X", u);
}

/* Check digit compare: ICAO 9303-3 §4.9. */
static void
mrz_check(struct nid_mrz *m, const char *key, const char *label,
    const char *data, size_t len, char printed)
{
	int cd = nid_mrz_check_digit(data, len);
	char d[8];

	if (!mrz_is_digit(printed)) {
		mrz_char_desc(printed, d, sizeof(d));
		mrz_problem(m, key, "%s check digit: %s printed, %d computed",
		    label, d, cd);
	} else if (printed - '0' != cd)
		mrz_problem(m, key, "%s check digit: %c printed, %d computed",
		    label, printed, cd);
}

static int
mrz_leap(unsigned yy)
{
	/* Two-digit years: 1900 is not a leap year but 2000 is, so 00 is. */
	return yy % 4u == 0;
}

/*
 * Dates are YYMMDD (ICAO 9303-4/5/6 §4.2.2); unknown parts of a date of
 * birth are filled with '<'. Returns 1 when well formed.
 */
static int
mrz_check_date(struct nid_mrz *m, const char *key, const char *label,
    const char *s, int allow_unknown)
{
	static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	unsigned v[3] = { 0, 0, 0 };
	int known[3];
	size_t i;
	int ok = 1;

	for (i = 0; i < 3; i++) {
		char a = s[2 * i], b = s[2 * i + 1];

		if (mrz_is_digit(a) && mrz_is_digit(b)) {
			known[i] = 1;
			v[i] = (unsigned)(a - '0') * 10u + (unsigned)(b - '0');
		} else if (allow_unknown && a == '<' && b == '<')
			known[i] = 0;
		else {
			mrz_problem(m, key, "%s: not a date (YYMMDD%s)", label,
			    allow_unknown ? ", '<<' for an unknown part" : "");
			return 0;
		}
	}
	if (known[1] && (v[1] < 1 || v[1] > 12)) {
		mrz_problem(m, key, "%s: month %02u does not exist", label, v[1]);
		ok = 0;
	} else if (known[2]) {
		unsigned max = known[1] ? mdays[v[1] - 1] : 31;

		if (known[1] && v[1] == 2 && (!known[0] || !mrz_leap(v[0])))
			max = known[0] ? 28 : 29;
		if (v[2] < 1 || v[2] > max) {
			mrz_problem(m, key, "%s: day %02u does not exist in %s",
			    label, v[2], known[1] ? "that month" : "any month");
			ok = 0;
		}
	}
	return ok;
}

/* Issuing state / nationality: letters, '<' only as trailing filler
 * (ICAO 9303-3 §5: three-letter codes such as "UTO", "D<<"). */
static void
mrz_check_state(struct nid_mrz *m, const char *key, const char *label,
    const char *s)
{
	int filler = 0, ok = s[0] >= 'A' && s[0] <= 'Z';
	size_t i;

	for (i = 1; i < 3 && ok; i++) {
		if (s[i] == '<')
			filler = 1;
		else if (s[i] < 'A' || s[i] > 'Z' || filler)
			ok = 0;
	}
	if (!ok)
		mrz_problem(m, key, "%s: must be a code of letters (A-Z) "
		    "with '<' only as trailing filler", label);
}

/* Name field: primary<<secondary, '<' between words (9303-3 §4.6). */
static void
mrz_names(struct nid_mrz *m, const char *s, size_t len)
{
	size_t i, sep = len, o;
	char *dst;

	for (i = 0; i < len; i++) {
		if (mrz_is_digit(s[i])) {
			mrz_problem(m, "name", "name: digit at position %zu",
			    i + 1);
			break;
		}
	}
	for (i = 0; i + 1 < len; i++)
		if (s[i] == '<' && s[i + 1] == '<') {
			sep = i;
			break;
		}
	if (sep == 0 || s[0] == '<')
		mrz_problem(m, "name", "name: primary identifier is empty");
	/* Primary identifier. */
	dst = m->primary;
	o = 0;
	for (i = 0; i < sep && o + 1 < sizeof(m->primary); i++)
		dst[o++] = s[i] == '<' ? ' ' : s[i];
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
	/* Secondary identifier: after "<<", fillers collapse. */
	dst = m->secondary;
	o = 0;
	for (i = sep + 2; i < len && o + 1 < sizeof(m->secondary); i++) {
		if (s[i] == '<') {
			if (o > 0 && dst[o - 1] != ' ')
				dst[o++] = ' ';
		} else
			dst[o++] = s[i];
	}
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}

static void
mrz_doc_code(struct nid_mrz *m, const char *s)
{
	char d[8];

	m->doc_code[0] = s[0];
	m->doc_code[1] = s[1];
	m->doc_code[2] = '\0';
	if (s[0] == 'V') {
		mrz_problem(m, "document_code", "document code: V (machine "
		    "readable visa, ICAO 9303-7) is not supported");
		return;
	}
	if (m->format == NID_MRZ_TD3 && s[0] != 'P') {
		mrz_char_desc(s[0], d, sizeof(d));
		mrz_problem(m, "document_code", "document code: %s, a TD3 "
		    "passport starts with P", d);
	} else if (m->format != NID_MRZ_TD3 && s[0] != 'A' && s[0] != 'C' &&
	    s[0] != 'I') {
		mrz_char_desc(s[0], d, sizeof(d));
		mrz_problem(m, "document_code", "document code: %s, a %s "
		    "document starts with A, C or I", d,
		    nid_mrz_format_name(m->format));
	}
	if (s[1] != '<' && (s[1] < 'A' || s[1] > 'Z'))
		mrz_problem(m, "document_code", "document code: second "
		    "character must be a letter or '<'");
}

/*
 * Document number, its check digit and the optional data that follows
 * it. TD1 (9303-5 §4.2.2 note j) and TD2 (9303-6 §4.2.2): when the check
 * digit position holds '<', the number continues at the start of the
 * optional data and ends with its check digit, then a filler.
 */
static void
mrz_doc_number(struct nid_mrz *m, const char *num9, char cd,
    const char *opt, size_t opt_len, int long_ok)
{
	char full[NID_MRZ_DOCNO_MAX + 1];
	size_t k, n;

	memcpy(full, num9, 9);
	n = 9;
	if (cd == '<' && long_ok) {
		for (k = 0; k < opt_len && opt[k] != '<'; k++)
			;
		if (k < 2) {
			mrz_problem(m, "document_number", "document number: "
			    "check digit position holds '<' but the optional "
			    "data does not continue the number");
			m->doc_number_cd = '<';
			mrz_copy_trim(m->optional1, sizeof(m->optional1), opt,
			    opt_len);
		} else {
			memcpy(full + 9, opt, k - 1);
			n = 9 + k - 1;
			m->doc_number_cd = opt[k - 1];
			if (k < opt_len)
				mrz_copy_trim(m->optional1,
				    sizeof(m->optional1), opt + k + 1,
				    opt_len - k - 1);
			mrz_check(m, "document_number_check",
			    "document number", full, n, m->doc_number_cd);
		}
	} else {
		m->doc_number_cd = cd;
		mrz_copy_trim(m->optional1, sizeof(m->optional1), opt,
		    opt_len);
		mrz_check(m, "document_number_check", "document number",
		    full, n, cd);
	}
	mrz_copy_trim(m->doc_number, sizeof(m->doc_number), full, n);
	if (m->doc_number[0] == '\0')
		mrz_problem(m, "document_number", "document number: empty");
	else if (strchr(m->doc_number, '<') != NULL && n > 9)
		mrz_problem(m, "document_number", "document number: filler "
		    "inside a long document number");
	OPENSSL_cleanse(full, sizeof(full));
}

/* Date of birth, sex, date of expiry, nationality: the common block. */
static void
mrz_dates(struct nid_mrz *m, const char *birth, const char *sex,
    const char *expiry, const char *nat)
{
	char d[8];

	memcpy(m->birth, birth, 6);
	m->birth_cd = birth[6];
	mrz_check_date(m, "birth_date", "date of birth", birth, 1);
	mrz_check(m, "birth_date_check", "date of birth", birth, 6, birth[6]);
	m->sex = *sex;
	if (*sex != 'M' && *sex != 'F' && *sex != 'X' && *sex != '<') {
		mrz_char_desc(*sex, d, sizeof(d));
		mrz_problem(m, "sex", "sex: %s is not M, F, X or <", d);
	}
	memcpy(m->expiry, expiry, 6);
	m->expiry_cd = expiry[6];
	mrz_check_date(m, "expiry_date", "date of expiry", expiry, 0);
	mrz_check(m, "expiry_date_check", "date of expiry", expiry, 6,
	    expiry[6]);
	memcpy(m->nationality, nat, 3);
	mrz_check_state(m, "nationality", "nationality", nat);
}

static void
mrz_composite(struct nid_mrz *m, const char *parts[], const size_t lens[],
    size_t nparts, char printed)
{
	char buf[64];
	size_t i, n = 0;

	for (i = 0; i < nparts; i++) {
		memcpy(buf + n, parts[i], lens[i]);
		n += lens[i];
	}
	m->composite_cd = printed;
	mrz_check(m, "composite_check", "composite", buf, n, printed);
	OPENSSL_cleanse(buf, sizeof(buf));
}

/* ICAO 9303-5 §4.2.2: TD1. */
static void
mrz_td1(struct nid_mrz *m, const struct mrz_lines *L)
{
	const char *l1 = L->l[0], *l2 = L->l[1], *l3 = L->l[2];
	const char *parts[4] = { l1 + 5, l2, l2 + 8, l2 + 18 };
	const size_t lens[4] = { 25, 7, 7, 11 };

	mrz_doc_code(m, l1);
	memcpy(m->issuer, l1 + 2, 3);
	mrz_check_state(m, "issuing_state", "issuing state", m->issuer);
	mrz_doc_number(m, l1 + 5, l1[14], l1 + 15, 15, 1);
	mrz_dates(m, l2, l2 + 7, l2 + 8, l2 + 15);
	mrz_copy_trim(m->optional2, sizeof(m->optional2), l2 + 18, 11);
	mrz_composite(m, parts, lens, 4, l2[29]);
	mrz_names(m, l3, 30);
}

/* ICAO 9303-6 §4.2.2: TD2. */
static void
mrz_td2(struct nid_mrz *m, const struct mrz_lines *L)
{
	const char *l1 = L->l[0], *l2 = L->l[1];
	const char *parts[3] = { l2, l2 + 13, l2 + 21 };
	const size_t lens[3] = { 10, 7, 14 };

	mrz_doc_code(m, l1);
	memcpy(m->issuer, l1 + 2, 3);
	mrz_check_state(m, "issuing_state", "issuing state", m->issuer);
	mrz_names(m, l1 + 5, 31);
	mrz_doc_number(m, l2, l2[9], l2 + 28, 7, 1);
	mrz_dates(m, l2 + 13, l2 + 20, l2 + 21, l2 + 10);
	mrz_composite(m, parts, lens, 3, l2[35]);
}

/* ICAO 9303-4 §4.2.2: TD3. */
static void
mrz_td3(struct nid_mrz *m, const struct mrz_lines *L)
{
	const char *l1 = L->l[0], *l2 = L->l[1];
	const char *parts[3] = { l2, l2 + 13, l2 + 21 };
	const size_t lens[3] = { 10, 7, 22 };
	size_t i;
	int empty = 1;

	mrz_doc_code(m, l1);
	memcpy(m->issuer, l1 + 2, 3);
	mrz_check_state(m, "issuing_state", "issuing state", m->issuer);
	mrz_names(m, l1 + 5, 39);
	mrz_doc_number(m, l2, l2[9], l2 + 28, 14, 0);
	mrz_dates(m, l2 + 13, l2 + 20, l2 + 21, l2 + 10);
	/* Personal number: its check digit may be '<' when it is empty. */
	m->optional1_cd = l2[42];
	for (i = 28; i < 42; i++)
		if (l2[i] != '<')
			empty = 0;
	if (!(empty && (l2[42] == '<' || l2[42] == '0')))
		mrz_check(m, "optional_data_check", "personal number",
		    l2 + 28, 14, l2[42]);
	mrz_composite(m, parts, lens, 3, l2[43]);
}

/* Split, trim and vet the lines. Returns 0 when the layout is unusable. */
static int
mrz_split(struct nid_mrz *m, const char *text, struct mrz_lines *L)
{
	const char *p = text, *e;
	size_t len, i;
	char d[8];

	while (*p != '\0') {
		e = strchr(p, '\n');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		/* Trim spaces, tabs and a CR at the ends only. */
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
		    p[len - 1] == '\r'))
			len--;
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len > 0) {
			if (L->n == 3) {
				mrz_problem(m, "layout", "layout: more than "
				    "3 lines");
				return 0;
			}
			if (len > MRZ_LINE_MAX) {
				mrz_problem(m, "layout", "line %zu: %zu "
				    "characters, the longest MRZ line (TD3) "
				    "has 44", L->n + 1, len);
				return 0;
			}
			memcpy(L->l[L->n], p, len);
			L->l[L->n][len] = '\0';
			L->len[L->n] = len;
			L->n++;
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	for (i = 0; i < L->n; i++) {
		for (len = 0; len < L->len[i]; len++) {
			if (mrz_char_ok(L->l[i][len]))
				continue;
			mrz_char_desc(L->l[i][len], d, sizeof(d));
			mrz_problem(m, "character", "line %zu, position %zu: "
			    "%s is not an MRZ character (A-Z, 0-9, <)",
			    i + 1, len + 1, d);
		}
	}
	if (L->n == 3 && L->len[0] == 30 && L->len[1] == 30 &&
	    L->len[2] == 30)
		m->format = NID_MRZ_TD1;
	else if (L->n == 2 && L->len[0] == 36 && L->len[1] == 36)
		m->format = NID_MRZ_TD2;
	else if (L->n == 2 && L->len[0] == 44 && L->len[1] == 44)
		m->format = NID_MRZ_TD3;
	else if (L->n == 3) {
		for (i = 0; i < 3; i++)
			if (L->len[i] != 30)
				mrz_problem(m, "layout", "line %zu: %zu "
				    "characters, TD1 lines have 30", i + 1,
				    L->len[i]);
	} else if (L->n == 2) {
		size_t want = (L->len[0] == 44 || L->len[1] == 44 ||
		    L->len[0] > 40 || L->len[1] > 40) ? 44 : 36;

		for (i = 0; i < 2; i++)
			if (L->len[i] != want)
				mrz_problem(m, "layout", "line %zu: %zu "
				    "characters, %s lines have %zu", i + 1,
				    L->len[i], want == 44 ? "TD3" : "TD2",
				    want);
	} else
		mrz_problem(m, "layout", "layout: %zu line%s, expected TD1 "
		    "(3 lines of 30), TD2 (2 of 36) or TD3 (2 of 44)", L->n,
		    L->n == 1 ? "" : "s");
	return m->format != NID_MRZ_UNKNOWN;
}

int
nid_mrz_parse(const char *text, struct nid_mrz *m)
{
	struct mrz_lines L;
	int r;

	if (m == NULL || text == NULL)
		return NID_E_INVALID_ARG;
	memset(m, 0, sizeof(*m));
	memset(&L, 0, sizeof(L));
	if (strlen(text) > MRZ_TEXT_MAX) {
		r = NID_E_TOO_LARGE;
		goto out;
	}
	if (mrz_split(m, text, &L)) {
		switch (m->format) {
		case NID_MRZ_TD1:
			mrz_td1(m, &L);
			break;
		case NID_MRZ_TD2:
			mrz_td2(m, &L);
			break;
		case NID_MRZ_TD3:
			mrz_td3(m, &L);
			break;
		case NID_MRZ_UNKNOWN:
			break;
		}
	}
	r = NID_OK;
 out:
	OPENSSL_cleanse(&L, sizeof(L));
	return r;
}

int
nid_mrz_parse_lines(const char *const *lines, size_t n, struct nid_mrz *m)
{
	char buf[MRZ_TEXT_MAX + 1];
	size_t i, o = 0, len;
	int r;

	if (m == NULL || (lines == NULL && n != 0))
		return NID_E_INVALID_ARG;
	for (i = 0; i < n; i++) {
		if (lines[i] == NULL)
			return NID_E_INVALID_ARG;
		len = strlen(lines[i]);
		if (len > MRZ_TEXT_MAX - o || MRZ_TEXT_MAX - o - len < 1) {
			r = NID_E_TOO_LARGE;
			goto out;
		}
		memcpy(buf + o, lines[i], len);
		o += len;
		buf[o++] = '\n';
	}
	buf[o] = '\0';
	r = nid_mrz_parse(buf, m);
 out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return r;
}

int
nid_mrz_valid(const struct nid_mrz *m)
{
	return m->format != NID_MRZ_UNKNOWN && m->nproblems == 0;
}

/* Has m a problem about any of the keys? */
static int
mrz_has_problem(const struct nid_mrz *m, const char *const keys[], size_t n)
{
	size_t i, j;

	for (i = 0; i < m->nproblems; i++)
		for (j = 0; j < n; j++)
			if (strcmp(m->problems[i].field, keys[j]) == 0)
				return 1;
	return 0;
}

/* ICAO 9303-11 §9.7.2: docno(≥9, '<'-padded) ‖ cd ‖ birth ‖ cd ‖ expiry ‖ cd. */
static int
mrz_info_build(const char *doc, size_t doc_len, const char *birth,
    const char *expiry, char *out, size_t out_size)
{
	char num[NID_MRZ_DOCNO_MAX + 1];
	size_t n = doc_len;

	if (out_size < NID_MRZ_INFO_MAX || doc_len == 0 ||
	    doc_len > NID_MRZ_DOCNO_MAX)
		return NID_E_INVALID_ARG;
	memcpy(num, doc, doc_len);
	while (n < 9)
		num[n++] = '<';
	memcpy(out, num, n);
	out[n] = (char)('0' + nid_mrz_check_digit(num, n));
	memcpy(out + n + 1, birth, 6);
	out[n + 7] = (char)('0' + nid_mrz_check_digit(birth, 6));
	memcpy(out + n + 8, expiry, 6);
	out[n + 14] = (char)('0' + nid_mrz_check_digit(expiry, 6));
	out[n + 15] = '\0';
	OPENSSL_cleanse(num, sizeof(num));
	return NID_OK;
}

int
nid_mrz_bac_info(const struct nid_mrz *m, char *out, size_t out_size)
{
	/*
	 * A wrong check digit of these fields means a misread or mistyped
	 * value: refuse it rather than spend a (counted, possibly slowed
	 * down) authentication attempt on the card. The composite alone
	 * does not matter here (the 9303-11 D.2 errata).
	 */
	static const char *const keys[] = { "character", "document_number",
	    "document_number_check", "birth_date", "birth_date_check",
	    "expiry_date", "expiry_date_check" };

	if (out == NULL || out_size == 0 || m == NULL)
		return NID_E_INVALID_ARG;
	out[0] = '\0';
	if (m->format == NID_MRZ_UNKNOWN ||
	    mrz_has_problem(m, keys, NID_NELEM(keys)))
		return NID_E_MALFORMED;
	return mrz_info_build(m->doc_number, strlen(m->doc_number), m->birth,
	    m->expiry, out, out_size);
}

int
nid_mrz_bac_info_from(const char *doc, const char *birth, const char *expiry,
    char *out, size_t out_size)
{
	struct nid_mrz scratch;
	char num[NID_MRZ_DOCNO_MAX + 1];
	size_t n, i;
	int r = NID_E_INVALID_ARG;

	if (out == NULL || out_size == 0)
		return NID_E_INVALID_ARG;
	out[0] = '\0';
	memset(&scratch, 0, sizeof(scratch));
	if (doc == NULL || birth == NULL || expiry == NULL ||
	    strlen(birth) != 6 || strlen(expiry) != 6)
		goto out;
	n = strlen(doc);
	while (n > 0 && doc[n - 1] == '<')
		n--;
	if (n == 0 || n > NID_MRZ_DOCNO_MAX)
		goto out;
	for (i = 0; i < n; i++) {
		char c = doc[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!mrz_char_ok(c))
			goto out;
		num[i] = c;
	}
	if (!mrz_check_date(&scratch, "birth_date", "date of birth", birth,
	    1) || !mrz_check_date(&scratch, "expiry_date", "date of expiry",
	    expiry, 0))
		goto out;
	r = mrz_info_build(num, n, birth, expiry, out, out_size);
 out:
	OPENSSL_cleanse(num, sizeof(num));
	OPENSSL_cleanse(&scratch, sizeof(scratch));
	return r;
}

void
nid_mrz_clear(struct nid_mrz *m)
{
	if (m != NULL)
		OPENSSL_cleanse(m, sizeof(*m));
}

const char *
nid_mrz_format_name(enum nid_mrz_format f)
{
	switch (f) {
	case NID_MRZ_TD1:
		return "TD1";
	case NID_MRZ_TD2:
		return "TD2";
	case NID_MRZ_TD3:
		return "TD3";
	case NID_MRZ_UNKNOWN:
		break;
	}
	return "unknown";
}
