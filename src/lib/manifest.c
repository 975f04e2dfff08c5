/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * manifest.c — the delivery desk's list of expected cards (manifest.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "manifest.h"

enum col {
	COL_DOCNO = 0,
	COL_SURNAME,
	COL_GIVEN,
	COL_BIRTH,
	NCOLS
};

static const char *const col_names[NCOLS] = {
	"document_number", "surname", "given_names", "birth_date"
};

struct row {
	char docno[NID_MRZ_DOCNO_MAX + 1];
	char surname[NID_MANIFEST_FIELD_MAX + 1];   /* normalised, "" absent */
	char given[NID_MANIFEST_FIELD_MAX + 1];
	char birth[7];                               /* YYMMDD, "" absent */
	size_t line;
};

struct nid_manifest {
	struct row *rows;
	size_t n, cap;
};

/* One CSV record: up to MAXF fields, each ≤ NID_MANIFEST_FIELD_MAX. */
#define MAXF 32u

struct rec {
	char f[MAXF][NID_MANIFEST_FIELD_MAX + 1];
	size_t nf;
};

static int
bad(nid_ctx_t *ctx, size_t line, const char *what)
{
	return nid_ctx_set_detail(ctx, NID_E_MALFORMED, "line %zu: %s", line,
	    what);
}

/*
 * Read one record from text[*pos..len) (RFC 4180 §2). Quoted fields may
 * hold commas and "" but no line break (a manifest row is one line).
 */
static int
read_record(nid_ctx_t *ctx, const char *t, size_t len, size_t *pos,
    size_t line, struct rec *r)
{
	size_t i = *pos, k;
	int quoted;

	memset(r, 0, sizeof(*r));
	for (;;) {
		if (r->nf >= MAXF)
			return bad(ctx, line, "too many columns");
		k = 0;
		quoted = 0;
		if (i < len && t[i] == '"') {
			quoted = 1;
			i++;
		}
		for (;;) {
			char c;

			if (i >= len) {
				if (quoted)
					return bad(ctx, line, "a quoted field "
					    "does not end");
				break;
			}
			c = t[i];
			if (quoted && c == '"') {
				if (i + 1 < len && t[i + 1] == '"') {
					i += 2;
					c = '"';
				} else {
					i++;
					quoted = 0;
					if (i < len && t[i] != ',' &&
					    t[i] != '\r' && t[i] != '\n')
						return bad(ctx, line, "text "
						    "after a closing quote");
					continue;
				}
			} else if (!quoted && (c == ',' || c == '\r' ||
			    c == '\n'))
				break;
			else if (!quoted && c == '"')
				return bad(ctx, line, "a quote inside an "
				    "unquoted field");
			else if (c == '\r' || c == '\n')
				return bad(ctx, line, "a line break inside "
				    "a quoted field");
			else if (c == '\0' || ((unsigned char)c < 0x20 &&
			    c != '\t'))
				return bad(ctx, line, "a control character");
			else
				i++;
			if (k >= NID_MANIFEST_FIELD_MAX)
				return bad(ctx, line, "a field longer than "
				    "128 bytes");
			r->f[r->nf][k++] = c;
		}
		r->f[r->nf][k] = '\0';
		r->nf++;
		if (i < len && t[i] == ',') {
			i++;
			continue;
		}
		break;
	}
	if (i < len && t[i] == '\r')
		i++;
	if (i < len && t[i] == '\n')
		i++;
	else if (i < len)
		return bad(ctx, line, "a carriage return without a line "
		    "feed");
	*pos = i;
	return NID_OK;
}

static int
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

/* Trim blanks at both ends, in place. */
static void
trim(char *s)
{
	size_t n = strlen(s), b = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[b] == ' ' || s[b] == '\t')
		b++;
	memmove(s, s + b, n - b + 1);
}

/*
 * A name as the MRZ spells it (ICAO 9303-3 §6): upper case; '<', '-',
 * '\'' and blanks become one space; ends trimmed. Other bytes are kept,
 * so a name with them cannot equal an MRZ name.
 */
static void
norm_name(const char *in, char *out, size_t size)
{
	size_t k = 0;
	int sp = 0;

	for (; *in != '\0' && k + 1 < size; in++) {
		char c = *in;

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == '<' || c == '-' || c == '\'' || c == ' ' ||
		    c == '\t') {
			sp = k > 0;
			continue;
		}
		if (sp && k + 2 < size)
			out[k++] = ' ';
		sp = 0;
		out[k++] = c;
	}
	out[k] = '\0';
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* YYYY-MM-DD or YYMMDD → YYMMDD; -1 when it is not a calendar date. */
static int
parse_birth(const char *s, char out[7])
{
	static const int mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	size_t n = strlen(s);
	int y, m, d;

	if (n == 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) &&
	    s[7] == '-' && digits(s + 8, 2)) {
		y = atoi(s);
		memcpy(out, s + 2, 2);
		memcpy(out + 2, s + 5, 2);
		memcpy(out + 4, s + 8, 2);
	} else if (n == 6 && digits(s, 6)) {
		memcpy(out, s, 6);
		y = 2000;   /* leap: 29 February is allowed without a century */
	} else
		return -1;
	out[6] = '\0';
	m = (out[2] - '0') * 10 + (out[3] - '0');
	d = (out[4] - '0') * 10 + (out[5] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return -1;
	return 0;
}

static int
parse_docno(const char *s, char *out)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > NID_MRZ_DOCNO_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return -1;
		out[i] = c;
	}
	out[n] = '\0';
	return 0;
}

static int
add_row(nid_manifest_t *m, const struct row *r)
{
	struct row *nr;
	size_t ncap;

	if (m->n == m->cap) {
		ncap = m->cap == 0 ? 64 : m->cap * 2;
		if ((nr = calloc(ncap, sizeof(*nr))) == NULL)
			return NID_E_NOMEM;
		if (m->n > 0) {
			memcpy(nr, m->rows, m->n * sizeof(*nr));
			OPENSSL_cleanse(m->rows, m->n * sizeof(*nr));
		}
		free(m->rows);
		m->rows = nr;
		m->cap = ncap;
	}
	m->rows[m->n++] = *r;
	return NID_OK;
}

static int
cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->docno,
	    ((const struct row *)b)->docno);
}

int
nid_manifest_parse(nid_ctx_t *ctx, const char *text, size_t len,
    nid_manifest_t **out)
{
	nid_manifest_t *m = NULL;
	struct rec *rec = NULL;
	struct row row;
	int colof[MAXF];     /* field index → enum col, -1 none */
	size_t pos = 0, line = 0, ncols = 0, i;
	int have[NCOLS], rc;
	char msg[NID_MANIFEST_FIELD_MAX + 96];

	memset(&row, 0, sizeof(row));
	if (out != NULL)
		*out = NULL;
	if (text == NULL || out == NULL)
		return NID_E_INVALID_ARG;
	if (len > NID_MANIFEST_FILE_MAX)
		return nid_ctx_set_detail(ctx, NID_E_TOO_LARGE, "over %u bytes",
		    NID_MANIFEST_FILE_MAX);
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (rec = calloc(1, sizeof(*rec))) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;

	/* The header row. */
	line = 1;
	if (pos >= len) {
		rc = bad(ctx, 1, "empty: the first row must name the columns "
		    "(document_number, and optionally surname, given_names, "
		    "birth_date)");
		goto out;
	}
	if ((rc = read_record(ctx, text, len, &pos, line, rec)) != NID_OK)
		goto out;
	memset(have, 0, sizeof(have));
	for (i = 0; i < rec->nf; i++) {
		int c;

		trim(rec->f[i]);
		for (c = 0; c < NCOLS; c++)
			if (strcmp(rec->f[i], col_names[c]) == 0)
				break;
		if (c == NCOLS) {
			(void)snprintf(msg, sizeof(msg), "unknown column '%s' "
			    "(known: document_number, surname, given_names, "
			    "birth_date)", rec->f[i]);
			rc = bad(ctx, line, msg);
			goto out;
		}
		if (have[c]) {
			(void)snprintf(msg, sizeof(msg), "column '%s' twice",
			    col_names[c]);
			rc = bad(ctx, line, msg);
			goto out;
		}
		have[c] = 1;
		colof[i] = c;
	}
	ncols = rec->nf;
	if (!have[COL_DOCNO]) {
		rc = bad(ctx, line, "no document_number column (the first "
		    "row must name the columns)");
		goto out;
	}

	/* The rows. */
	while (pos < len) {
		line++;
		if ((rc = read_record(ctx, text, len, &pos, line, rec)) !=
		    NID_OK)
			goto out;
		if (rec->nf == 1 && blank(rec->f[0]))
			continue;   /* an empty line */
		if (rec->nf != ncols) {
			(void)snprintf(msg, sizeof(msg), "%zu fields, the "
			    "header names %zu", rec->nf, ncols);
			rc = bad(ctx, line, msg);
			goto out;
		}
		if (m->n >= NID_MANIFEST_ROWS_MAX) {
			rc = nid_ctx_set_detail(ctx, NID_E_TOO_LARGE,
			    "line %zu: more than %u cards", line,
			    NID_MANIFEST_ROWS_MAX);
			goto out;
		}
		memset(&row, 0, sizeof(row));
		row.line = line;
		for (i = 0; i < ncols; i++) {
			char *v = rec->f[i];

			trim(v);
			switch (colof[i]) {
			case COL_DOCNO:
				if (parse_docno(v, row.docno) != 0) {
					rc = bad(ctx, line, "document_number "
					    "must be 1 to 23 letters A-Z and "
					    "digits");
					goto out;
				}
				break;
			case COL_SURNAME:
				norm_name(v, row.surname, sizeof(row.surname));
				break;
			case COL_GIVEN:
				norm_name(v, row.given, sizeof(row.given));
				break;
			case COL_BIRTH:
				if (*v != '\0' && parse_birth(v, row.birth) !=
				    0) {
					rc = bad(ctx, line, "birth_date is not "
					    "a date YYYY-MM-DD or YYMMDD");
					goto out;
				}
				break;
			}
		}
		if ((rc = add_row(m, &row)) != NID_OK)
			goto out;
	}
	if (m->n > 1) {
		qsort(m->rows, m->n, sizeof(*m->rows), cmp_row);
		for (i = 1; i < m->n; i++)
			if (strcmp(m->rows[i - 1].docno, m->rows[i].docno) ==
			    0) {
				size_t a = m->rows[i - 1].line;
				size_t b = m->rows[i].line;

				(void)snprintf(msg, sizeof(msg), "the document "
				    "number of line %zu again", a < b ? a : b);
				rc = bad(ctx, a < b ? b : a, msg);
				goto out;
			}
	}
	*out = m;
	m = NULL;
	rc = NID_OK;
out:
	OPENSSL_cleanse(&row, sizeof(row));
	OPENSSL_cleanse(msg, sizeof(msg));
	if (rec != NULL) {
		OPENSSL_cleanse(rec, sizeof(*rec));
		free(rec);
	}
	nid_manifest_free(&m);
	return rc;
}

int
nid_manifest_load(nid_ctx_t *ctx, const char *path, nid_manifest_t **out)
{
	uint8_t *p = NULL;
	size_t len = 0;
	int rc;

	if (out != NULL)
		*out = NULL;
	if ((rc = nid_file_read(ctx, path, NID_MANIFEST_FILE_MAX, &p, &len)) !=
	    NID_OK)
		return rc;
	rc = nid_manifest_parse(ctx, (const char *)p, len, out);
	OPENSSL_cleanse(p, len);
	free(p);
	return rc;
}

void
nid_manifest_free(nid_manifest_t **mp)
{
	nid_manifest_t *m;

	if (mp == NULL || (m = *mp) == NULL)
		return;
	if (m->rows != NULL) {
		OPENSSL_cleanse(m->rows, m->cap * sizeof(*m->rows));
		free(m->rows);
	}
	free(m);
	*mp = NULL;
}

size_t
nid_manifest_rows(const nid_manifest_t *m)
{
	return m == NULL ? 0 : m->n;
}

void
nid_manifest_match(const nid_manifest_t *m, const struct nid_mrz *mrz,
    struct nid_check *out)
{
	struct row key;
	const struct row *r;
	char card[NID_MANIFEST_FIELD_MAX + 1];

	memset(&key, 0, sizeof(key));
	if (m == NULL || mrz == NULL) {
		nid_check_set(out, NID_CHECK_SKIPPED, "no manifest given");
		return;
	}
	if (parse_docno(mrz->doc_number, key.docno) != 0) {
		nid_check_set(out, NID_CHECK_UNKNOWN, "the chip's document "
		    "number is unreadable");
		return;
	}
	r = m->n == 0 ? NULL : bsearch(&key, m->rows, m->n, sizeof(*r),
	    cmp_row);
	if (r == NULL) {
		nid_check_set(out, NID_CHECK_FAIL, "document %s is not on "
		    "the manifest", key.docno);
		return;
	}
	norm_name(mrz->primary, card, sizeof(card));
	if (r->surname[0] != '\0' && strcmp(r->surname, card) != 0) {
		nid_check_set(out, NID_CHECK_FAIL, "surname differs: "
		    "manifest line %zu has '%s', the chip '%s'", r->line,
		    r->surname, card);
		goto out;
	}
	norm_name(mrz->secondary, card, sizeof(card));
	if (r->given[0] != '\0' && strcmp(r->given, card) != 0) {
		nid_check_set(out, NID_CHECK_FAIL, "given_names differ: "
		    "manifest line %zu has '%s', the chip '%s'", r->line,
		    r->given, card);
		goto out;
	}
	if (r->birth[0] != '\0' && strcmp(r->birth, mrz->birth) != 0) {
		nid_check_set(out, NID_CHECK_FAIL, "birth_date differs: "
		    "manifest line %zu has %s, the chip %s (YYMMDD)", r->line,
		    r->birth, mrz->birth);
		goto out;
	}
	nid_check_set(out, NID_CHECK_PASS, "on the manifest (line %zu)%s",
	    r->line, r->surname[0] == '\0' && r->given[0] == '\0' &&
	    r->birth[0] == '\0' ? ", document number only" :
	    ", every field given agrees");
out:
	OPENSSL_cleanse(card, sizeof(card));
}
