/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * atrlist.c — card names from pcsc-tools' smartcard_list.txt. Format and
 * matching rules in atrlist.h.
 *
 * Patterns compile to a list of atoms over the 17 characters an ATR
 * string can hold ('0'-'9', 'A'-'F', ' '): each atom is a 17-bit set of
 * the characters it accepts plus a "star" flag. Matching simulates the
 * pattern as an NFA (one pass over the ATR string, a state set per
 * character), so no pattern can make it backtrack: O(pattern × ATR).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atr.h"
#include "atrlist.h"

#define ATOM_ANY 0x1ffffu
#define ATOM_STAR 0x80000000u
#define SYM_SPACE 16u
/* "3B DB …": 3 characters per byte, minus the last space. */
#define SUBJECT_MAX (3u * NID_ATR_MAX)

struct nid_atrlist_entry {
	size_t atom_off;
	size_t natoms;
	const char *desc;   /* points into text; "" when the entry has none */
};

struct nid_atrlist {
	char *text;         /* the file; descriptions compacted in place */
	uint32_t *atoms;
	size_t natoms, atoms_cap;
	struct nid_atrlist_entry *e;
	size_t n, cap;
	size_t skipped;
};

/* Symbol of an ATR-string character, or -1. Case-insensitive. */
static int
sym_of(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch == ' ')
		return (int)SYM_SPACE;
	return -1;
}

/* ASCII of symbol s as it appears in the ATR string. */
static int
sym_char(unsigned s)
{
	if (s < 10)
		return '0' + (int)s;
	if (s < 16)
		return 'A' + (int)s - 10;
	return ' ';
}

/* Does the class range lo..hi hold symbol s (either case, as /i does)? */
static int
range_has(int lo, int hi, unsigned s)
{
	int ch = sym_char(s);

	if (ch >= lo && ch <= hi)
		return 1;
	if (ch >= 'A' && ch <= 'F') {
		ch = ch - 'A' + 'a';
		return ch >= lo && ch <= hi;
	}
	return 0;
}

/*
 * Compile one pattern of length len into out (capacity cap atoms).
 * Returns the atom count, or -1 when the pattern uses an unsupported
 * construct or is too long.
 */
static long
compile(const char *pat, size_t len, uint32_t *out, size_t cap)
{
	size_t i = 0, n = 0, j;
	uint32_t mask;
	int neg, lo, hi, s;
	unsigned k;

	while (i < len) {
		unsigned char ch = (unsigned char)pat[i];

		if (ch == '*') {
			if (n == 0 || (out[n - 1] & ATOM_STAR))
				return -1;
			out[n - 1] |= ATOM_STAR;
			i++;
			continue;
		}
		if (n >= cap)
			return -1;
		if (ch == '.') {
			mask = ATOM_ANY;
			i++;
		} else if (ch == '[') {
			/* Class: [abc], [a-c], [^…]; ']' right after '[' is literal. */
			i++;
			neg = 0;
			if (i < len && pat[i] == '^') {
				neg = 1;
				i++;
			}
			mask = 0;
			j = i;
			while (i < len && (pat[i] != ']' || i == j)) {
				if (pat[i] == '\\')
					return -1;
				lo = hi = (unsigned char)pat[i];
				if (i + 2 < len && pat[i + 1] == '-' &&
				    pat[i + 2] != ']') {
					hi = (unsigned char)pat[i + 2];
					i += 2;
				}
				for (k = 0; k <= SYM_SPACE; k++)
					if (range_has(lo, hi, k))
						mask |= 1u << k;
				i++;
			}
			if (i >= len)
				return -1; /* unterminated */
			i++; /* ']' */
			if (neg)
				mask = ~mask & ATOM_ANY;
		} else if ((s = sym_of(ch)) >= 0) {
			mask = 1u << s;
			i++;
		} else if ((ch >= 'G' && ch <= 'Z') || (ch >= 'g' && ch <= 'z') ||
		    ch == ',' || ch == '-' || ch == ':') {
			mask = 0; /* a literal no ATR string holds */
			i++;
		} else
			return -1; /* ( ) | ? + { } \ ^ $ and anything else */
		out[n++] = mask;
	}
	return (long)n;
}

/* Write the ATR as "3B DB 97 …" symbols; returns the length. */
static size_t
subject_of(const uint8_t *atr, size_t len, uint8_t *sub)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (i > 0)
			sub[n++] = SYM_SPACE;
		sub[n++] = (uint8_t)(atr[i] >> 4);
		sub[n++] = (uint8_t)(atr[i] & 0x0f);
	}
	return n;
}

/* Follow the "may be skipped" edges of starred atoms (ascending). */
static void
closure(const uint32_t *atoms, size_t m, uint8_t *st)
{
	size_t i;

	for (i = 0; i < m; i++)
		if (st[i] && (atoms[i] & ATOM_STAR))
			st[i + 1] = 1;
}

static int
nfa_match(const uint32_t *atoms, size_t m, const uint8_t *sub, size_t sn)
{
	uint8_t a[NID_ATRLIST_ATOMS_MAX + 1], b[NID_ATRLIST_ATOMS_MAX + 1];
	uint8_t *cur = a, *nxt = b, *tmp;
	size_t i, k;
	int any;

	memset(cur, 0, m + 1);
	cur[0] = 1;
	closure(atoms, m, cur);
	for (k = 0; k < sn; k++) {
		memset(nxt, 0, m + 1);
		any = 0;
		for (i = 0; i < m; i++) {
			if (!cur[i] || !(atoms[i] & (1u << sub[k])))
				continue;
			if (atoms[i] & ATOM_STAR)
				nxt[i] = 1;
			else
				nxt[i + 1] = 1;
			any = 1;
		}
		if (!any)
			return 0;
		closure(atoms, m, nxt);
		tmp = cur;
		cur = nxt;
		nxt = tmp;
	}
	return cur[m];
}

int
nid_atrlist_pattern_match(const char *pattern, const uint8_t *atr,
    size_t atr_len)
{
	uint32_t atoms[NID_ATRLIST_ATOMS_MAX];
	uint8_t sub[SUBJECT_MAX];
	size_t len = strlen(pattern);
	long m;

	while (len > 0 && (pattern[len - 1] == ' ' || pattern[len - 1] == '\t' ||
	    pattern[len - 1] == '\r' || pattern[len - 1] == '\n'))
		len--;
	if ((m = compile(pattern, len, atoms, NID_NELEM(atoms))) < 0)
		return -1;
	if (atr_len == 0 || atr_len > NID_ATR_MAX)
		return 0;
	return nfa_match(atoms, (size_t)m, sub, subject_of(atr, atr_len, sub));
}

/* ---- loading --------------------------------------------------------- */

static int
add_entry(nid_atrlist_t *l, const uint32_t *atoms, size_t m)
{
	void *p;
	size_t ncap;

	if (l->n >= NID_ATRLIST_ENTRIES_MAX) {
		l->skipped++;
		return NID_OK;
	}
	if (l->n == l->cap) {
		ncap = l->cap == 0 ? 1024 : l->cap * 2;
		if ((p = realloc(l->e, ncap * sizeof(*l->e))) == NULL)
			return NID_E_NOMEM;
		l->e = p;
		l->cap = ncap;
	}
	if (m > l->atoms_cap - l->natoms) {
		ncap = l->atoms_cap == 0 ? 65536 : l->atoms_cap * 2;
		while (ncap - l->natoms < m)
			ncap *= 2;
		if ((p = realloc(l->atoms, ncap * sizeof(*l->atoms))) == NULL)
			return NID_E_NOMEM;
		l->atoms = p;
		l->atoms_cap = ncap;
	}
	memcpy(l->atoms + l->natoms, atoms, m * sizeof(*atoms));
	l->e[l->n].atom_off = l->natoms;
	l->e[l->n].natoms = m;
	l->e[l->n].desc = "";
	l->natoms += m;
	l->n++;
	return NID_OK;
}

int
nid_atrlist_load(nid_ctx_t *ctx, const char *path, nid_atrlist_t **out)
{
	nid_atrlist_t *l = NULL;
	uint32_t atoms[NID_ATRLIST_ATOMS_MAX];
	uint8_t *bytes = NULL;
	char *line, *nl, *end, *w, *desc = NULL;
	size_t len, tlen, dlen = 0, before;
	long m;
	int rc, in_entry = 0;

	*out = NULL;
	if (path == NULL)
		path = NID_SMARTCARD_LIST;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if ((rc = nid_file_read(ctx, path, NID_ATRLIST_FILE_MAX, &bytes,
	    &tlen)) != NID_OK)
		goto out;
	l->text = (char *)bytes; /* NUL-terminated by nid_file_read */
	/*
	 * One pass over the lines. Descriptions are joined in place at w,
	 * which never overtakes the line being read: every description line
	 * gives up its "\n\t" (2 bytes) to the "; " (2 bytes) joining it.
	 */
	w = l->text;
	end = l->text + tlen;
	for (line = l->text; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		len = (size_t)(nl - line);
		while (len > 0 && (line[len - 1] == '\r' ||
		    line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		if (line[0] == '\t') {
			if (!in_entry || len > NID_ATRLIST_LINE_MAX)
				continue; /* of a skipped entry, or too long */
			while (len > 0 && (*line == '\t' || *line == ' ')) {
				line++;
				len--;
			}
			if (len == 0)
				continue;
			if (desc == NULL) {
				desc = w;
				dlen = 0;
			} else {
				desc[dlen++] = ';';
				desc[dlen++] = ' ';
			}
			memmove(desc + dlen, line, len);
			dlen += len;
			desc[dlen] = '\0';
			w = desc + dlen + 1;
			l->e[l->n - 1].desc = desc;
			continue;
		}
		/* Anything else ends the entry's descriptions. */
		desc = NULL;
		in_entry = 0;
		if (len == 0 || line[0] == '#')
			continue;
		m = len > NID_ATRLIST_LINE_MAX ? -1 :
		    compile(line, len, atoms, NID_NELEM(atoms));
		if (m < 0) {
			l->skipped++;
			continue;
		}
		before = l->n;
		if ((rc = add_entry(l, atoms, (size_t)m)) != NID_OK)
			goto out;
		in_entry = l->n > before; /* not when over the entry cap */
	}
	*out = l;
	l = NULL;
	rc = NID_OK;
 out:
	nid_atrlist_free(&l);
	return rc;
}

int
nid_atrlist_match(const nid_atrlist_t *l, const uint8_t *atr, size_t atr_len,
    const char ***names, size_t *n)
{
	uint8_t sub[SUBJECT_MAX];
	size_t sn, i, cnt = 0;
	const char **v = NULL;
	int rc;

	*names = NULL;
	*n = 0;
	if (l == NULL || (atr == NULL && atr_len > 0))
		return NID_E_INVALID_ARG;
	if (atr_len == 0 || atr_len > NID_ATR_MAX)
		return NID_OK;
	sn = subject_of(atr, atr_len, sub);
	for (i = 0; i < l->n; i++) {
		if (l->e[i].desc[0] == '\0')
			continue;
		if (!nfa_match(l->atoms + l->e[i].atom_off, l->e[i].natoms,
		    sub, sn))
			continue;
		if (v == NULL && (v = calloc(l->n, sizeof(*v))) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		v[cnt++] = l->e[i].desc;
	}
	*names = v;
	*n = cnt;
	v = NULL;
	rc = NID_OK;
 out:
	free(v);
	return rc;
}

size_t
nid_atrlist_count(const nid_atrlist_t *l)
{
	return l == NULL ? 0 : l->n;
}

size_t
nid_atrlist_skipped(const nid_atrlist_t *l)
{
	return l == NULL ? 0 : l->skipped;
}

void
nid_atrlist_free(nid_atrlist_t **lp)
{
	nid_atrlist_t *l;

	if (lp == NULL || (l = *lp) == NULL)
		return;
	free(l->text);
	free(l->atoms);
	free(l->e);
	free(l);
	*lp = NULL;
}
