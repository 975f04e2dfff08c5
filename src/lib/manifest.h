/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * manifest.h — the list of cards expected at a delivery desk: a CSV file
 * (RFC 4180: comma separated, fields optionally in double quotes with ""
 * for a quote; CRLF or LF; a UTF-8 byte order mark is skipped) whose
 * first row names the columns:
 *
 *   document_number  required; A-Z, 0-9 (lower case folded), 1..23
 *   surname          optional; the primary identifier
 *   given_names      optional; the secondary identifier
 *   birth_date       optional; YYYY-MM-DD or YYMMDD
 *
 * A column may be left empty in a row: that field is then not compared
 * for that card. Any other column name, a column twice, a row with a
 * different number of fields, a document number twice, a field over
 * NID_MANIFEST_FIELD_MAX bytes, a malformed value: NID_E_MALFORMED with
 * the line number in the context detail ("line 7: birth_date '1964-13-01'
 * is not a date").
 *
 * Matching (nid_manifest_match) compares the card's DG1 MRZ with the row
 * of its document number: names after folding to upper case and turning
 * '<', '-', '\'' and runs of blanks into one space (the MRZ's
 * transliteration is ICAO 9303-3 §6; a name with other characters than
 * A-Z and blanks cannot equal an MRZ name and is reported as differing),
 * dates as YYMMDD. Personal data: the parsed rows are cleansed on free.
 */
#ifndef NID_MANIFEST_H
#define NID_MANIFEST_H

#include <stddef.h>

#include "nid_internal.h"
#include "mrz.h"
#include "sod.h"

#define NID_MANIFEST_FILE_MAX (16u * 1024u * 1024u)
#define NID_MANIFEST_ROWS_MAX 200000u
#define NID_MANIFEST_FIELD_MAX 128u

typedef struct nid_manifest nid_manifest_t;

/* Parse CSV text (len bytes, need not be NUL-terminated). */
int nid_manifest_parse(nid_ctx_t *ctx, const char *text, size_t len,
    nid_manifest_t **out) NID_WUR;
/* Read and parse a file (at most NID_MANIFEST_FILE_MAX bytes). */
int nid_manifest_load(nid_ctx_t *ctx, const char *path,
    nid_manifest_t **out) NID_WUR;
void nid_manifest_free(nid_manifest_t **mp);
size_t nid_manifest_rows(const nid_manifest_t *m);

/*
 * The manifest.match check for a card whose DG1 holds mrz: pass when its
 * document number is on the manifest and every field the row gives
 * agrees; fail naming the first field that differs, or "not on the
 * manifest". The reason never repeats the manifest's values for a card
 * that is not on it.
 */
void nid_manifest_match(const nid_manifest_t *m, const struct nid_mrz *mrz,
    struct nid_check *out);

#endif /* NID_MANIFEST_H */
