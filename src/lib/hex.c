/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * hex.c — hexadecimal text to bytes and back.
 */
#include "config.h"

#include <stdlib.h>

#include "nid_internal.h"

static int
nid_hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int
nid_hex_sep(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == ':';
}

int
nid_hex_decode(const char *s, nid_buf *out, size_t *bad_pos)
{
	size_t i, start = out->len;
	int hi = -1, d, rc = NID_OK;

	if (bad_pos != NULL)
		*bad_pos = 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (nid_hex_sep(s[i])) {
			if (hi >= 0) { /* separator inside a byte pair */
				rc = NID_E_BAD_HEX;
				break;
			}
			continue;
		}
		if ((d = nid_hex_digit(s[i])) < 0) {
			rc = NID_E_BAD_HEX;
			break;
		}
		if (hi < 0) {
			hi = d;
			continue;
		}
		if ((rc = nid_buf_put_u8(out, (uint8_t)(hi << 4 | d))) != NID_OK)
			break;
		hi = -1;
	}
	if (rc == NID_OK && hi >= 0)
		rc = NID_E_BAD_HEX; /* odd number of digits */
	if (rc != NID_OK) {
		if (bad_pos != NULL)
			*bad_pos = i;
		out->len = start;
	}
	return rc;
}

void
nid_hex_encode_to(const uint8_t *p, size_t len, char *dst)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		dst[2 * i] = digits[p[i] >> 4];
		dst[2 * i + 1] = digits[p[i] & 0x0f];
	}
	dst[2 * len] = '\0';
}

int
nid_hex_encode(const uint8_t *p, size_t len, char **out)
{
	char *s;

	*out = NULL;
	if (len > (SIZE_MAX - 1) / 2)
		return NID_E_TOO_LARGE;
	if ((s = malloc(2 * len + 1)) == NULL)
		return NID_E_NOMEM;
	nid_hex_encode_to(p, len, s);
	*out = s;
	return NID_OK;
}
