/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * tlv.c — BER-TLV as ISO/IEC 7816-4 §5.2 uses it (tag and length rules of
 * ITU-T X.690 §8.1.2–8.1.3), with each value handed back as its own
 * cursor so that nested templates need no arithmetic in callers.
 */
#include "config.h"

#include "nid_internal.h"

/*
 * Tag: X.690 §8.1.2. First byte b; if b's low five bits are all ones, the
 * tag continues with bytes whose bit 8 says "more follows". We accept at
 * most 3 bytes, as ISO/IEC 7816-4 does. '00' and 'FF' are not valid first
 * bytes (7816-4 §5.2.2.1: they are padding).
 */
static int
nid_tlv_get_tag(nid_cur *c, uint32_t *tag)
{
	nid_cur t = *c;
	uint8_t b;
	uint32_t v;
	int rc, n = 1;

	if ((rc = nid_cur_get_u8(&t, &b)) != NID_OK)
		return rc;
	if (b == 0x00 || b == 0xff)
		return NID_E_BAD_TLV;
	v = b;
	if ((b & 0x1f) == 0x1f) {
		do {
			if ((rc = nid_cur_get_u8(&t, &b)) != NID_OK)
				return rc;
			/* A leading 0x80 would be a zero-padded tag number. */
			if (n == 1 && b == 0x80)
				return NID_E_BAD_TLV;
			/*
			 * X.690 §8.1.2.4.2 wants tag numbers below 31 in
			 * the one-byte form, but ICAO 9303-10 itself uses
			 * '5F01' (LDS version) and '5F02'..: not rejected,
			 * even in strict mode.
			 */
			if (++n > 3)
				return NID_E_BAD_TLV;
			v = v << 8 | b;
		} while (b & 0x80);
	}
	*tag = v;
	*c = t;
	return NID_OK;
}

/* Length: X.690 §8.1.3, definite forms only, at most 4 length bytes. */
static int
nid_tlv_get_len(nid_cur *c, unsigned flags, size_t *len)
{
	nid_cur t = *c;
	uint8_t b, nbytes, i;
	uint32_t v = 0;
	int rc;

	if ((rc = nid_cur_get_u8(&t, &b)) != NID_OK)
		return rc;
	if (b < 0x80) {
		v = b;
	} else if (b == 0x80 || b > 0x84) {
		return NID_E_BAD_TLV; /* indefinite, or more than 4 bytes */
	} else {
		nbytes = (uint8_t)(b & 0x7f);
		for (i = 0; i < nbytes; i++) {
			if ((rc = nid_cur_get_u8(&t, &b)) != NID_OK)
				return rc;
			if (i == 0 && b == 0 && (flags & NID_TLV_STRICT))
				return NID_E_BAD_TLV; /* leading zero byte */
			v = v << 8 | b;
		}
		if ((flags & NID_TLV_STRICT) && nbytes == 1 && v < 0x80)
			return NID_E_BAD_TLV; /* short form would do */
	}
	/* v < 2^32 fits: size_t has at least 32 bits on every target. */
	*len = (size_t)v;
	*c = t;
	return NID_OK;
}

int
nid_tlv_next(nid_cur *c, unsigned flags, uint32_t *tag, nid_cur *value)
{
	nid_cur t = *c;
	uint32_t tg;
	size_t len;
	int rc;

	if ((rc = nid_tlv_get_tag(&t, &tg)) != NID_OK)
		return rc;
	if ((rc = nid_tlv_get_len(&t, flags, &len)) != NID_OK)
		return rc;
	if ((rc = nid_cur_get_cur(&t, len, value)) != NID_OK)
		return rc; /* length past the end */
	*tag = tg;
	*c = t;
	return NID_OK;
}

int
nid_tlv_expect(nid_cur *c, unsigned flags, uint32_t tag, nid_cur *value)
{
	nid_cur t = *c, v;
	uint32_t tg;
	int rc;

	if ((rc = nid_tlv_next(&t, flags, &tg, &v)) != NID_OK)
		return rc;
	if (tg != tag)
		return NID_E_BAD_TLV;
	*value = v;
	*c = t;
	return NID_OK;
}

int
nid_tlv_find(nid_cur c, unsigned flags, uint32_t tag, nid_cur *value,
    int *found)
{
	nid_cur v;
	uint32_t tg;
	int rc;

	*found = 0;
	while (c.len > 0) {
		if ((rc = nid_tlv_next(&c, flags, &tg, &v)) != NID_OK)
			return rc;
		if (tg == tag) {
			*value = v;
			*found = 1;
			return NID_OK;
		}
	}
	return NID_OK;
}

int
nid_tlv_single(const uint8_t *p, size_t len, unsigned flags, uint32_t tag,
    nid_cur *value)
{
	nid_cur c, v;
	int rc;

	nid_cur_init(&c, p, len);
	if ((rc = nid_tlv_expect(&c, flags, tag, &v)) != NID_OK)
		return rc;
	if (c.len != 0)
		return NID_E_TRAILING;
	*value = v;
	return NID_OK;
}

int
nid_tlv_constructed(uint32_t tag)
{
	uint32_t first = tag;

	while (first > 0xff)
		first >>= 8;
	return (first & 0x20) != 0;
}

size_t
nid_tlv_tag_size(uint32_t tag)
{
	if (tag > 0xffff)
		return 3;
	if (tag > 0xff)
		return 2;
	return 1;
}

static size_t
nid_tlv_len_size(size_t len)
{
	if (len < 0x80)
		return 1;
	if (len <= 0xff)
		return 2;
	if (len <= 0xffff)
		return 3;
	if (len <= 0xffffff)
		return 4;
	return 5;
}

size_t
nid_tlv_header_size(uint32_t tag, size_t len)
{
	return nid_tlv_tag_size(tag) + nid_tlv_len_size(len);
}

int
nid_tlv_put_header(nid_buf *b, uint32_t tag, size_t len)
{
	uint8_t h[8];
	size_t n = 0, ls, i, ts = nid_tlv_tag_size(tag);

	if ((uint64_t)len > 0xffffffffu)
		return NID_E_TOO_LARGE;
	for (i = ts; i > 0; i--)
		h[n++] = (uint8_t)(tag >> (8 * (i - 1)));
	ls = nid_tlv_len_size(len);
	if (ls == 1) {
		h[n++] = (uint8_t)len;
	} else {
		h[n++] = (uint8_t)(0x80 | (ls - 1));
		for (i = ls - 1; i > 0; i--)
			h[n++] = (uint8_t)(len >> (8 * (i - 1)));
	}
	return nid_buf_put(b, h, n);
}

int
nid_tlv_put(nid_buf *b, uint32_t tag, const uint8_t *v, size_t n)
{
	size_t start = b->len;
	int rc;

	if ((rc = nid_tlv_put_header(b, tag, n)) != NID_OK)
		return rc;
	if ((rc = nid_buf_put(b, v, n)) != NID_OK)
		b->len = start;
	return rc;
}

int
nid_tlv_total_len(const uint8_t *p, size_t len, size_t *total)
{
	nid_cur c;
	uint32_t tag;
	size_t vlen, hdr;
	int rc;

	*total = 0;
	nid_cur_init(&c, p, len);
	if ((rc = nid_tlv_get_tag(&c, &tag)) != NID_OK)
		return rc;
	if ((rc = nid_tlv_get_len(&c, 0, &vlen)) != NID_OK)
		return rc;
	hdr = len - c.len;
	if (vlen > SIZE_MAX - hdr)
		return NID_E_TOO_LARGE;
	*total = hdr + vlen;
	return NID_OK;
}
