/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * buf.c — bounded read cursor and capped growable buffer (OpenSSH sshbuf
 * habits: compare lengths, never pointers past the end; outputs untouched
 * on failure; every size capped).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "nid_internal.h"

void
nid_cur_init(nid_cur *c, const uint8_t *p, size_t len)
{
	c->p = len != 0 ? p : NULL;
	c->len = p != NULL ? len : 0;
}

int
nid_cur_get_u8(nid_cur *c, uint8_t *v)
{
	if (c->len < 1)
		return NID_E_TRUNCATED;
	*v = c->p[0];
	c->p++;
	c->len--;
	return NID_OK;
}

int
nid_cur_peek_u8(const nid_cur *c, uint8_t *v)
{
	if (c->len < 1)
		return NID_E_TRUNCATED;
	*v = c->p[0];
	return NID_OK;
}

int
nid_cur_get_be16(nid_cur *c, uint16_t *v)
{
	if (c->len < 2)
		return NID_E_TRUNCATED;
	*v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->len -= 2;
	return NID_OK;
}

int
nid_cur_get_be32(nid_cur *c, uint32_t *v)
{
	if (c->len < 4)
		return NID_E_TRUNCATED;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | (uint32_t)c->p[3];
	c->p += 4;
	c->len -= 4;
	return NID_OK;
}

int
nid_cur_get_bytes(nid_cur *c, uint8_t *out, size_t n)
{
	if (n > c->len)
		return NID_E_TRUNCATED;
	if (n != 0)
		memcpy(out, c->p, n);
	c->p += n;
	c->len -= n;
	return NID_OK;
}

int
nid_cur_get_cur(nid_cur *c, size_t n, nid_cur *child)
{
	if (n > c->len)
		return NID_E_TRUNCATED;
	nid_cur_init(child, c->p, n);
	c->p += n;
	c->len -= n;
	return NID_OK;
}

int
nid_cur_skip(nid_cur *c, size_t n)
{
	if (n > c->len)
		return NID_E_TRUNCATED;
	c->p += n;
	c->len -= n;
	return NID_OK;
}

void
nid_buf_init(nid_buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
nid_buf_clear(nid_buf *b)
{
	if (b->p != NULL) {
		OPENSSL_cleanse(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void
nid_buf_reset(nid_buf *b)
{
	if (b->p != NULL)
		OPENSSL_cleanse(b->p, b->len);
	b->len = 0;
}

int
nid_buf_reserve(nid_buf *b, size_t extra)
{
	size_t need, ncap;
	uint8_t *np;

	if (extra > b->max || b->len > b->max - extra)
		return NID_E_TOO_LARGE;
	need = b->len + extra;
	if (need <= b->cap)
		return NID_OK;
	ncap = b->cap < 64 ? 64 : b->cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max)
		ncap = b->max;
	/* Allocate anew and cleanse the old storage: it may hold secrets. */
	if ((np = malloc(ncap)) == NULL)
		return NID_E_NOMEM;
	if (b->p != NULL) {
		if (b->len != 0)
			memcpy(np, b->p, b->len);
		OPENSSL_cleanse(b->p, b->cap);
		free(b->p);
	}
	b->p = np;
	b->cap = ncap;
	return NID_OK;
}

int
nid_buf_put(nid_buf *b, const void *p, size_t n)
{
	int rc;

	if (n == 0)
		return NID_OK;
	if ((rc = nid_buf_reserve(b, n)) != NID_OK)
		return rc;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return NID_OK;
}

int
nid_buf_put_u8(nid_buf *b, uint8_t v)
{
	return nid_buf_put(b, &v, 1);
}

int
nid_buf_put_be16(nid_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return nid_buf_put(b, x, sizeof(x));
}

int
nid_buf_put_be32(nid_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	return nid_buf_put(b, x, sizeof(x));
}

int
nid_buf_steal(nid_buf *b, uint8_t **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (b->p == NULL) {
		/* Hand over a valid (empty) allocation so callers can free it. */
		if ((*out = malloc(1)) == NULL)
			return NID_E_NOMEM;
		return NID_OK;
	}
	*out = b->p;
	*out_len = b->len;
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	return NID_OK;
}

nid_cur
nid_buf_cur(const nid_buf *b)
{
	nid_cur c;

	nid_cur_init(&c, b->p, b->len);
	return c;
}
