/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_tlv.c — BER-TLV (tlv.c): walk every nested structure, strict and
 * lenient, and check what the parser promises.
 *
 * Invariants:
 *  - a failed nid_tlv_next leaves the cursor and the tag untouched;
 *  - a value lies inside what its parent had left, and the header it
 *    skipped holds exactly the tag's bytes (nid_tlv_tag_size) and a
 *    length encoding no shorter than the minimal one;
 *  - strict: the header is the minimal encoding, byte for byte what
 *    nid_tlv_put_header writes; strict success implies lenient success
 *    with the same tag and value;
 *  - re-encoding a whole level (nid_tlv_put) and parsing it strictly gives
 *    the same tags and values;
 *  - nid_tlv_total_len agrees with nid_tlv_next on the first TLV;
 *  - nid_tlv_find returns the first sibling with the tag, and
 *    nid_tlv_single succeeds exactly for one TLV with nothing after it.
 */
#include "config.h"

#include <string.h>

#include "nid_internal.h"
#include "fuzz.h"

#define WALK_DEPTH_MAX 24
#define FIND_SIBLINGS_MAX 64

static void
check_header(const uint8_t *start, size_t hdr_len, uint32_t tag, size_t len,
    unsigned flags)
{
	nid_buf b;
	size_t ts = nid_tlv_tag_size(tag);

	FUZZ_ASSERT(ts >= 1 && ts <= 3);
	FUZZ_ASSERT(hdr_len >= nid_tlv_header_size(tag, len));
	FUZZ_ASSERT(hdr_len <= ts + 5);
	/* The tag's bytes are the big-endian bytes of the returned tag. */
	FUZZ_ASSERT(ts == 1 || start[0] == (uint8_t)(tag >> (8 * (ts - 1))));
	FUZZ_ASSERT(start[ts - 1] == (uint8_t)tag);
	if (flags & NID_TLV_STRICT) {
		nid_buf_init(&b, 16);
		FUZZ_ASSERT(nid_tlv_put_header(&b, tag, len) == NID_OK);
		FUZZ_ASSERT(b.len == hdr_len);
		FUZZ_ASSERT(memcmp(b.p, start, hdr_len) == 0);
		nid_buf_clear(&b);
	}
}

/* Re-encode the TLVs of one level and parse them back strictly. */
static void
check_reencode(nid_cur level, unsigned flags)
{
	nid_buf b;
	nid_cur c = level, v, rc_c, rv;
	uint32_t tag, rtag;
	int rc;

	nid_buf_init(&b, NID_BUF_MAX_DEFAULT);
	while (c.len > 0) {
		if (nid_tlv_next(&c, flags, &tag, &v) != NID_OK)
			break;
		FUZZ_ASSERT(nid_tlv_put(&b, tag, v.p, v.len) == NID_OK);
	}
	rc_c = nid_buf_cur(&b);
	c = level;
	while (rc_c.len > 0) {
		FUZZ_ASSERT(nid_tlv_next(&c, flags, &tag, &v) == NID_OK);
		rc = nid_tlv_next(&rc_c, NID_TLV_STRICT, &rtag, &rv);
		FUZZ_ASSERT(rc == NID_OK);
		FUZZ_ASSERT(rtag == tag);
		FUZZ_ASSERT(rv.len == v.len);
		FUZZ_ASSERT(v.len == 0 || memcmp(rv.p, v.p, v.len) == 0);
	}
	nid_buf_clear(&b);
}

struct sibling {
	uint32_t tag;
	nid_cur v;
};

static void
walk(nid_cur c, unsigned flags, int depth)
{
	struct sibling sib[FIND_SIBLINGS_MAX];
	nid_cur level = c, v, sv, fv, before;
	uint32_t tag, stag;
	size_t hdr, ntlv = 0, i;
	int rc, src, found;

	if (depth > WALK_DEPTH_MAX)
		return;
	check_reencode(level, flags);
	while (c.len > 0) {
		before = c;
		tag = 0xdeadbeef;
		v.p = NULL;
		v.len = 0;
		rc = nid_tlv_next(&c, flags, &tag, &v);
		if (rc != NID_OK) {
			FUZZ_ASSERT(rc == NID_E_TRUNCATED || rc == NID_E_BAD_TLV);
			FUZZ_ASSERT(c.p == before.p && c.len == before.len);
			FUZZ_ASSERT(tag == 0xdeadbeef);
			break;
		}
		/*
		 * The value sits inside the parent, right after its header.
		 * (An empty value is an empty cursor, p == NULL.)
		 */
		FUZZ_ASSERT(c.len < before.len && v.len < before.len - c.len);
		hdr = before.len - c.len - v.len;
		if (v.len > 0)
			FUZZ_ASSERT(v.p == before.p + hdr);
		else
			FUZZ_ASSERT(v.p == NULL);
		FUZZ_ASSERT(c.len == 0 || c.p == before.p + hdr + v.len);
		check_header(before.p, hdr, tag, v.len, flags);

		/* Strict success implies lenient success, same result. */
		if (flags & NID_TLV_STRICT) {
			sv = before;
			FUZZ_ASSERT(nid_tlv_next(&sv, 0, &stag, &fv) == NID_OK);
			FUZZ_ASSERT(stag == tag && fv.p == v.p && fv.len == v.len);
		} else {
			sv = before;
			src = nid_tlv_next(&sv, NID_TLV_STRICT, &stag, &fv);
			if (src == NID_OK)
				FUZZ_ASSERT(stag == tag && fv.p == v.p &&
				    fv.len == v.len);
			else
				FUZZ_ASSERT(src == NID_E_BAD_TLV);
		}

		/* nid_tlv_expect with the right and a wrong tag. */
		sv = before;
		FUZZ_ASSERT(nid_tlv_expect(&sv, flags, tag, &fv) == NID_OK);
		FUZZ_ASSERT(sv.len == c.len && fv.p == v.p && fv.len == v.len);
		sv = before;
		FUZZ_ASSERT(nid_tlv_expect(&sv, flags, tag ^ 1, &fv) ==
		    NID_E_BAD_TLV);
		FUZZ_ASSERT(sv.p == before.p && sv.len == before.len);

		/* nid_tlv_single: one TLV, trailing bytes or not. */
		rc = nid_tlv_single(before.p, before.len, flags, tag, &sv);
		if (c.len == 0)
			FUZZ_ASSERT(rc == NID_OK && sv.p == v.p && sv.len == v.len);
		else
			FUZZ_ASSERT(rc == NID_E_TRAILING);

		/*
		 * nid_tlv_find from the start of the level gives the first
		 * sibling with the tag (checked for the first siblings only:
		 * it is quadratic).
		 */
		if (ntlv < FIND_SIBLINGS_MAX) {
			sib[ntlv].tag = tag;
			sib[ntlv].v = v;
			for (i = 0; sib[i].tag != tag; i++)
				continue;
			found = -1;
			rc = nid_tlv_find(level, flags, tag, &fv, &found);
			FUZZ_ASSERT(rc == NID_OK && found == 1);
			FUZZ_ASSERT(fv.p == sib[i].v.p && fv.len == sib[i].v.len);
		}
		ntlv++;

		if (nid_tlv_constructed(tag))
			walk(v, flags, depth + 1);
	}
	/* A tag absent from the level (tags are never 0): found = 0. */
	if (c.len == 0) {
		found = -1;
		FUZZ_ASSERT(nid_tlv_find(level, flags, 0, &fv, &found) == NID_OK);
		FUZZ_ASSERT(found == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nid_cur c, v;
	uint32_t tag;
	size_t total = 0;
	int rc, trc;

	nid_cur_init(&c, data, size);
	walk(c, 0, 0);
	walk(c, NID_TLV_STRICT, 0);

	/* nid_tlv_total_len reads the same header as nid_tlv_next. */
	trc = nid_tlv_total_len(data, size, &total);
	rc = nid_tlv_next(&c, 0, &tag, &v);
	if (rc == NID_OK) {
		FUZZ_ASSERT(trc == NID_OK);
		FUZZ_ASSERT(total == size - c.len);
	} else if (trc == NID_OK) {
		/* The header parsed: only the value can be missing. */
		FUZZ_ASSERT(rc == NID_E_TRUNCATED && total > size);
	} else {
		FUZZ_ASSERT(total == 0);
	}
	return 0;
}
