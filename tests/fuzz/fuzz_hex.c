/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_hex.c — hex text to bytes and back (hex.c).
 *
 * The input, cut at its first NUL, is the text. Invariants:
 *  - success: the bytes are the text's digit pairs, and encoding them
 *    gives the text's digits upper-cased with the separators removed;
 *  - failure: NID_E_BAD_HEX (or NID_E_TOO_LARGE from a capped buffer),
 *    the buffer keeps exactly what it held before, and *bad_pos points at
 *    the offending character (a non-digit, or the NUL after an odd count);
 *  - a buffer capped below the output fails with NID_E_TOO_LARGE.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "nid_internal.h"
#include "fuzz.h"

#define PREFIX_LEN 3
#define SMALL_CAP 16

static int
is_hexdigit(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	    (ch >= 'A' && ch <= 'F');
}

/* Decode s into a buffer that already holds PREFIX_LEN bytes. */
static int
decode_after_prefix(const char *s, size_t max, nid_buf *b, size_t *bad)
{
	static const uint8_t prefix[PREFIX_LEN] = { 0xa1, 0xb2, 0xc3 };
	int rc;

	nid_buf_init(b, max);
	FUZZ_ASSERT(nid_buf_put(b, prefix, sizeof(prefix)) == NID_OK);
	*bad = (size_t)-1;
	rc = nid_hex_decode(s, b, bad);
	FUZZ_ASSERT(b->len >= PREFIX_LEN);
	FUZZ_ASSERT(memcmp(b->p, prefix, PREFIX_LEN) == 0);
	if (rc != NID_OK)
		FUZZ_ASSERT(b->len == PREFIX_LEN);
	else
		FUZZ_ASSERT(*bad == 0);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *digits, *enc = NULL;
	size_t slen, i, nd = 0, bad, bad2;
	nid_buf b, small, again;
	int rc, rc2;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	slen = strlen(s);
	if ((digits = malloc(slen + 1)) == NULL) {
		free(s);
		return 0;
	}
	for (i = 0; i < slen; i++) {
		if (is_hexdigit(s[i]))
			digits[nd++] = (char)toupper((unsigned char)s[i]);
	}
	digits[nd] = '\0';

	rc = decode_after_prefix(s, NID_BUF_MAX_DEFAULT, &b, &bad);
	if (rc == NID_OK) {
		/* Every character was a digit or a separator. */
		FUZZ_ASSERT(nd % 2 == 0);
		FUZZ_ASSERT(b.len - PREFIX_LEN == nd / 2);
		FUZZ_ASSERT(nid_hex_encode(b.p + PREFIX_LEN, b.len - PREFIX_LEN,
		    &enc) == NID_OK);
		FUZZ_ASSERT(strcmp(enc, digits) == 0);
		/* The canonical form decodes to the same bytes. */
		nid_buf_init(&again, NID_BUF_MAX_DEFAULT);
		FUZZ_ASSERT(nid_hex_decode(enc, &again, NULL) == NID_OK);
		FUZZ_ASSERT(again.len == b.len - PREFIX_LEN);
		FUZZ_ASSERT(again.len == 0 ||
		    memcmp(again.p, b.p + PREFIX_LEN, again.len) == 0);
		nid_buf_clear(&again);
		free(enc);
	} else {
		FUZZ_ASSERT(rc == NID_E_BAD_HEX);
		FUZZ_ASSERT(bad <= slen);
		FUZZ_ASSERT(s[bad] == '\0' || !is_hexdigit(s[bad]));
		/* NUL only for an odd number of digits. */
		if (s[bad] == '\0')
			FUZZ_ASSERT(nd % 2 == 1);
	}

	/* Same text into a buffer capped at SMALL_CAP bytes. */
	rc2 = decode_after_prefix(s, SMALL_CAP, &small, &bad2);
	if (rc == NID_OK && nd / 2 > SMALL_CAP - PREFIX_LEN) {
		FUZZ_ASSERT(rc2 == NID_E_TOO_LARGE);
		FUZZ_ASSERT(bad2 < slen);
	} else if (rc == NID_OK) {
		FUZZ_ASSERT(rc2 == NID_OK && small.len == b.len &&
		    memcmp(small.p, b.p, b.len) == 0);
	} else {
		FUZZ_ASSERT(rc2 == NID_E_BAD_HEX || rc2 == NID_E_TOO_LARGE);
		if (rc2 == NID_E_BAD_HEX)
			FUZZ_ASSERT(bad2 == bad);
	}

	nid_buf_clear(&b);
	nid_buf_clear(&small);
	free(digits);
	free(s);
	return 0;
}
