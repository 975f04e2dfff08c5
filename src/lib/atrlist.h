/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * atrlist.h — card names from pcsc-tools' smartcard_list.txt (internal).
 *
 * The list is read at run time from the file pcsc-tools installs
 * (configure --with-smartcard-list, default NID_SMARTCARD_LIST); nidcard
 * ships no copy. Load it once, match many ATRs against it, free it.
 *
 * File format (pcsc-tools, as ATR_analysis reads it): '#' lines are
 * comments, an empty line ends an entry; an entry is one ATR line — a
 * Perl regular expression matched, case-insensitively and anchored at
 * both ends, against the ATR written as upper-case hex bytes separated by
 * single spaces ("3B DB 97 00 …") — followed by description lines, each
 * starting with a tab. The constructs the file uses, and the only ones
 * supported here: hex digits and spaces (literal), '.' (any character),
 * '[…]' classes with ranges ('[1-5]', '[^…]' too), and '*' after any of
 * these ('.*'). An ATR line with any other regex construct ('(', '|',
 * '?', '+', '{', '\', '^', '$') is skipped and counted in
 * nid_atrlist_skipped(). Trailing blanks of a line are ignored.
 *
 * Names: one string per matching entry, its description lines joined
 * with "; " (e.g. "MultiApp ID IAS ECC 72K; http://…"), in file order.
 *
 * Caps: the file at most NID_ATRLIST_FILE_MAX bytes (else
 * NID_E_TOO_LARGE), a line at most NID_ATRLIST_LINE_MAX bytes (a longer
 * ATR line is skipped with its descriptions and counted, a longer
 * description line is dropped), an ATR line at most NID_ATRLIST_ATOMS_MAX
 * pattern elements (else skipped), at most NID_ATRLIST_ENTRIES_MAX
 * entries (the rest are skipped).
 */
#ifndef NID_ATRLIST_H
#define NID_ATRLIST_H

#include <stddef.h>
#include <stdint.h>

#include "nid_internal.h"

#define NID_ATRLIST_FILE_MAX (8u * 1024u * 1024u)
#define NID_ATRLIST_ATOMS_MAX 512u
#define NID_ATRLIST_LINE_MAX 4096u
#define NID_ATRLIST_ENTRIES_MAX 100000u

typedef struct nid_atrlist nid_atrlist_t;

/*
 * Load the list at path (NULL: the configured default). NID_E_IO when the
 * file cannot be opened or read (callers treat that as "names unknown",
 * not as an error); NID_E_TOO_LARGE past the cap; NID_E_NOMEM. The reason
 * is in the context detail (ctx may be NULL).
 */
int nid_atrlist_load(nid_ctx_t *ctx, const char *path, nid_atrlist_t **out);

/*
 * Names of the entries whose ATR pattern matches atr. On success *names
 * is a malloc'd array of *n borrowed strings (NULL when *n is 0): free
 * the array with free(); the strings stay valid until the list is freed.
 * An empty ATR or one longer than 33 bytes matches nothing.
 */
int nid_atrlist_match(const nid_atrlist_t *l, const uint8_t *atr,
    size_t atr_len, const char ***names, size_t *n);

void nid_atrlist_free(nid_atrlist_t **lp);

/* Entries loaded, and ATR lines skipped (unsupported regex, too long). */
size_t nid_atrlist_count(const nid_atrlist_t *l);
size_t nid_atrlist_skipped(const nid_atrlist_t *l);

/*
 * Match one pattern (an ATR line as in the file) against an ATR given as
 * bytes: 1 match, 0 no match, -1 pattern not supported. For tests and
 * for the bulk check over the list.
 */
int nid_atrlist_pattern_match(const char *pattern, const uint8_t *atr,
    size_t atr_len);

#endif /* NID_ATRLIST_H */
