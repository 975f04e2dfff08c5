/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_manifest.c — the delivery desk's manifest (manifest.c: CSV per
 * RFC 4180, its columns and values) and matching a card's MRZ against it
 * (nid_manifest_match), from any text.
 *
 * Invariants: a refused manifest gives no object and one of the
 * documented codes, with a detail naming its line for a malformed one;
 * an accepted one has at most NID_MANIFEST_ROWS_MAX rows; the line ending
 * does not matter (the input with every LF turned into CRLF, when it has
 * no CR of its own, gives the same code and the same rows) nor does a
 * UTF-8 byte order mark put in front; matching the ICAO specimen MRZs
 * (TD3, TD1) gives pass or fail with an id and a NUL-terminated reason.
 */
#include "config.h"

#include <string.h>

#include "nid_internal.h"
#include "manifest.h"
#include "mrz.h"
#include "fuzz.h"

/* ICAO 9303-4 Appendix A TD3 specimen and 9303-5 Appendix A TD1 specimen. */
static const char td3[] =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
static const char td1[] =
    "I<UTOD231458907<<<<<<<<<<<<<<<\n"
    "7408122F1204159UTO<<<<<<<<<<<6\n"
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";

static int
parse(const char *text, size_t len, size_t *rows)
{
	nid_ctx_t *ctx = NULL;
	nid_manifest_t *m = (nid_manifest_t *)&m; /* must be cleared */
	int rc;

	*rows = (size_t)-1;
	FUZZ_ASSERT(nid_ctx_new(&ctx) == NID_OK);
	rc = nid_manifest_parse(ctx, text, len, &m);
	if (rc == NID_OK) {
		FUZZ_ASSERT(m != NULL);
		*rows = nid_manifest_rows(m);
		FUZZ_ASSERT(*rows <= NID_MANIFEST_ROWS_MAX);
		nid_manifest_free(&m);
		FUZZ_ASSERT(m == NULL);
	} else {
		FUZZ_ASSERT(m == NULL);
		FUZZ_ASSERT(rc == NID_E_MALFORMED || rc == NID_E_TOO_LARGE ||
		    rc == NID_E_NOMEM);
		if (rc == NID_E_MALFORMED)
			FUZZ_ASSERT(strncmp(nid_ctx_detail(ctx), "line ", 5) ==
			    0);
	}
	nid_ctx_free(&ctx);
	return rc;
}

static void
match(const nid_manifest_t *m, const char *text)
{
	struct nid_mrz mrz;
	struct nid_check chk;

	memset(&mrz, 0, sizeof(mrz));
	(void)nid_mrz_parse(text, &mrz);
	memset(&chk, 0xa5, sizeof(chk));
	nid_manifest_match(m, &mrz, &chk);
	FUZZ_ASSERT(chk.id != NULL);
	FUZZ_ASSERT(chk.result == NID_CHECK_PASS ||
	    chk.result == NID_CHECK_FAIL);
	FUZZ_ASSERT(memchr(chk.reason, '\0', sizeof(chk.reason)) != NULL);
	nid_mrz_clear(&mrz);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nid_ctx_t *ctx = NULL;
	nid_manifest_t *m = NULL;
	const char *text = (const char *)data;
	char *alt;
	size_t rows, rows2, i, j, nlf = 0;
	int rc, rc2;

	rc = parse(text, size, &rows);

	/* The same with CRLF line endings. */
	if (memchr(data, '\r', size) == NULL) {
		for (i = 0; i < size; i++)
			nlf += data[i] == '\n';
		FUZZ_ASSERT((alt = malloc(size + nlf + 1)) != NULL);
		for (i = j = 0; i < size; i++) {
			if (data[i] == '\n')
				alt[j++] = '\r';
			alt[j++] = (char)data[i];
		}
		rc2 = parse(alt, j, &rows2);
		FUZZ_ASSERT(rc2 == rc || rc == NID_E_TOO_LARGE ||
		    rc2 == NID_E_TOO_LARGE);
		if (rc == NID_OK && rc2 == NID_OK)
			FUZZ_ASSERT(rows2 == rows);
		free(alt);
	}
	/* The same after a byte order mark. */
	if (size < 3 || memcmp(data, "\xEF\xBB\xBF", 3) != 0) {
		FUZZ_ASSERT((alt = malloc(size + 3)) != NULL);
		memcpy(alt, "\xEF\xBB\xBF", 3);
		memcpy(alt + 3, data, size);
		rc2 = parse(alt, size + 3, &rows2);
		FUZZ_ASSERT(rc2 == rc || rc == NID_E_TOO_LARGE ||
		    rc2 == NID_E_TOO_LARGE);
		if (rc == NID_OK && rc2 == NID_OK)
			FUZZ_ASSERT(rows2 == rows);
		free(alt);
	}

	if (rc == NID_OK) {
		FUZZ_ASSERT(nid_ctx_new(&ctx) == NID_OK);
		FUZZ_ASSERT(nid_manifest_parse(ctx, text, size, &m) == NID_OK);
		match(m, td3);
		match(m, td1);
		nid_manifest_free(&m);
		nid_ctx_free(&ctx);
	}
	return 0;
}
