/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_apdu.c — command APDU decoding and encoding (apdu.c), ISO/IEC
 * 7816-4 §5.1.
 *
 * Two round trips on every input:
 *  1. bytes → nid_apdu_decode → nid_apdu_encode (in the form decode
 *     reported) must give the input back byte for byte; a failed decode
 *     leaves the output untouched;
 *  2. fields taken from the input → nid_apdu_encode → nid_apdu_decode must
 *     give the same fields, in the form the encoder chose.
 */
#include "config.h"

#include <string.h>

#include "nid_internal.h"
#include "fuzz.h"

static void
decode_roundtrip(const uint8_t *data, size_t size)
{
	nid_apdu a, sentinel;
	nid_buf b;
	int ext = -1, rc;

	memset(&a, 0xa5, sizeof(a));
	sentinel = a;
	rc = nid_apdu_decode(data, size, &a, &ext);
	if (rc != NID_OK) {
		FUZZ_ASSERT(rc == NID_E_MALFORMED);
		FUZZ_ASSERT(memcmp(&a, &sentinel, sizeof(a)) == 0);
		FUZZ_ASSERT(ext == -1);
		return;
	}
	FUZZ_ASSERT(ext == 0 || ext == 1);
	FUZZ_ASSERT(a.nc <= NID_NC_EXT_MAX && a.ne <= NID_NE_EXT_MAX);
	if (!ext)
		FUZZ_ASSERT(!nid_apdu_needs_extended(&a));
	if (a.nc > 0) {
		FUZZ_ASSERT(a.data != NULL && a.data >= data);
		FUZZ_ASSERT(a.nc <= size - (size_t)(a.data - data));
	}
	FUZZ_ASSERT(a.cla == data[0] && a.ins == data[1] &&
	    a.p1 == data[2] && a.p2 == data[3]);

	nid_buf_init(&b, NID_BUF_MAX_DEFAULT);
	FUZZ_ASSERT(nid_apdu_encode(&a, ext, &b) == NID_OK);
	FUZZ_ASSERT(b.len == size);
	FUZZ_ASSERT(memcmp(b.p, data, size) == 0);
	nid_buf_clear(&b);
}

static void
encode_roundtrip(const uint8_t *data, size_t size)
{
	nid_apdu a = { 0 }, d;
	nid_buf b;
	size_t avail;
	int want_ext, ext = -1, rc;

	if (size < 9)
		return;
	a.cla = data[0];
	a.ins = data[1];
	a.p1 = data[2];
	a.p2 = data[3];
	want_ext = data[4] & 1;
	avail = size - 9;
	a.nc = ((size_t)data[5] << 8 | data[6]) % (avail + 1);
	a.data = a.nc > 0 ? data + 9 : NULL;
	a.ne = (size_t)data[7] << 8 | data[8];
	if (a.ne == 0 && (data[4] & 2))
		a.ne = NID_NE_EXT_MAX;

	nid_buf_init(&b, NID_BUF_MAX_DEFAULT);
	rc = nid_apdu_encode(&a, want_ext, &b);
	if (a.nc > NID_NC_EXT_MAX) {
		FUZZ_ASSERT(rc == NID_E_INVALID_ARG && b.len == 0);
		goto out;
	}
	FUZZ_ASSERT(rc == NID_OK);
	FUZZ_ASSERT(nid_apdu_decode(b.p, b.len, &d, &ext) == NID_OK);
	FUZZ_ASSERT(d.cla == a.cla && d.ins == a.ins && d.p1 == a.p1 &&
	    d.p2 == a.p2);
	FUZZ_ASSERT(d.nc == a.nc && d.ne == a.ne);
	FUZZ_ASSERT(a.nc == 0 || memcmp(d.data, a.data, a.nc) == 0);
	/* Extended whenever asked for or needed, unless there is no body. */
	FUZZ_ASSERT(ext == ((want_ext || nid_apdu_needs_extended(&a)) &&
	    (a.nc != 0 || a.ne != 0)));
	/* The encoded form decodes and re-encodes to itself. */
	decode_roundtrip(b.p, b.len);
out:
	nid_buf_clear(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_roundtrip(data, size);
	encode_roundtrip(data, size);
	return 0;
}
