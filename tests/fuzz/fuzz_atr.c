/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_atr.c — Answer-to-Reset decoding (atr.c, ISO/IEC 7816-3 §8).
 *
 * Invariants: nid_atr_parse returns a->rc, one of its documented codes,
 * with a NUL-terminated message on failure; whatever was decoded points
 * back at the input (each interface byte's offset holds its value, the
 * historical bytes are the input's bytes, each compact-TLV object lies
 * inside them); a well-formed ATR has at most 33 bytes, and its TCK,
 * when present and correct, makes the XOR of T0..TCK zero; every text
 * helper returns a NUL-terminated string within its buffer, even a tiny
 * one.
 */
#include "config.h"

#include <string.h>

#include "nid_internal.h"
#include "atr.h"
#include "fuzz.h"

static void
check_str(const char *s, const char *buf, size_t n)
{
	FUZZ_ASSERT(s != NULL);
	if (buf != NULL) {
		FUZZ_ASSERT(s == buf);
		FUZZ_ASSERT(memchr(buf, '\0', n) != NULL);
	} else
		(void)strlen(s);
}

static void
check_texts(const nid_atr *a)
{
	static const size_t sizes[] = { 1, 2, 7, 128 };
	char buf[128];
	size_t i, j, s;
	unsigned t;

	for (s = 0; s < NID_NELEM(sizes); s++) {
		for (i = 0; i < a->nib; i++) {
			memset(buf, 'x', sizeof(buf));
			check_str(nid_atr_ibyte_str(a, i, buf, sizes[s]), buf,
			    sizes[s]);
		}
		for (j = 0; j < a->hist.nobjs; j++) {
			memset(buf, 'x', sizeof(buf));
			check_str(nid_atr_obj_str(a, j, buf, sizes[s]), buf,
			    sizes[s]);
		}
		for (t = 1; t <= 3; t++) {
			memset(buf, 'x', sizeof(buf));
			check_str(nid_atr_caps_str(a, t, buf, sizes[s]), buf,
			    sizes[s]);
		}
		if (a->hist.service >= 0) {
			memset(buf, 'x', sizeof(buf));
			check_str(nid_atr_service_str((uint8_t)a->hist.service,
			    buf, sizes[s]), buf, sizes[s]);
		}
		if (a->class_ind >= 0) {
			memset(buf, 'x', sizeof(buf));
			check_str(nid_atr_class_str(a->class_ind, buf,
			    sizes[s]), buf, sizes[s]);
		}
	}
	check_str(nid_atr_hist_kind_str(a->hist.kind), NULL, 0);
	check_str(nid_atr_tck_str(a->tck), NULL, 0);
	if (a->hist.lcs >= 0)
		check_str(nid_atr_lcs_str((uint8_t)a->hist.lcs), NULL, 0);
	if (a->clock_stop >= 0)
		check_str(nid_atr_clock_stop_str(a->clock_stop), NULL, 0);
	for (j = 0; j < a->hist.nobjs; j++)
		check_str(nid_atr_tag_name(a->hist.objs[j].tag), NULL, 0);
	if (a->hist.kind == NID_ATR_HIST_PCSC_STORAGE) {
		(void)nid_atr_pcsc_standard_str(a->hist.pcsc_ss);
		(void)nid_atr_pcsc_name_str(a->hist.pcsc_name);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nid_atr a;
	nid_atr_caps_t caps;
	size_t i;
	uint8_t x;
	int rc;

	memset(&a, 0xa5, sizeof(a));
	rc = nid_atr_parse(data, size, &a);
	FUZZ_ASSERT(rc == a.rc);
	FUZZ_ASSERT(rc == NID_OK || rc == NID_E_MALFORMED ||
	    rc == NID_E_TRUNCATED || rc == NID_E_TOO_LARGE ||
	    rc == NID_E_TRAILING);
	FUZZ_ASSERT(memchr(a.err_msg, '\0', sizeof(a.err_msg)) != NULL);
	if (rc != NID_OK)
		FUZZ_ASSERT(a.err_msg[0] != '\0' && a.err_offset <= size);
	FUZZ_ASSERT(a.len == size);
	if (rc == NID_OK) {
		FUZZ_ASSERT(size >= 2 && size <= NID_ATR_MAX);
		FUZZ_ASSERT(a.ts == data[0] && a.t0 == data[1]);
		FUZZ_ASSERT(a.conv == NID_ATR_CONV_DIRECT ||
		    a.conv == NID_ATR_CONV_INVERSE);
		FUZZ_ASSERT(a.hist.len == a.k);
		FUZZ_ASSERT(a.tck == NID_ATR_TCK_ABSENT ||
		    a.tck == NID_ATR_TCK_OK);
		if (a.tck == NID_ATR_TCK_OK) {
			for (x = 0, i = 1; i < size; i++)
				x ^= data[i];
			FUZZ_ASSERT(x == 0);
			FUZZ_ASSERT(a.tck_offset == size - 1);
		}
	}
	FUZZ_ASSERT(a.nib <= NID_ATR_IBYTES_MAX);
	for (i = 0; i < a.nib; i++) {
		FUZZ_ASSERT(a.ib[i].offset < size);
		FUZZ_ASSERT(data[a.ib[i].offset] == a.ib[i].value);
		FUZZ_ASSERT(a.ib[i].kind >= 'A' && a.ib[i].kind <= 'D');
	}
	FUZZ_ASSERT(a.hist.len <= NID_ATR_HIST_MAX);
	if (a.hist.len > 0) {
		FUZZ_ASSERT(a.hist.offset <= size &&
		    a.hist.len <= size - a.hist.offset);
		FUZZ_ASSERT(memcmp(a.hist.bytes, data + a.hist.offset,
		    a.hist.len) == 0);
	}
	FUZZ_ASSERT(a.hist.nobjs <= NID_ATR_HIST_OBJS);
	for (i = 0; i < a.hist.nobjs; i++) {
		FUZZ_ASSERT(a.hist.objs[i].tag <= 0x0f);
		FUZZ_ASSERT((size_t)a.hist.objs[i].offset +
		    a.hist.objs[i].len <= a.hist.len);
	}
	FUZZ_ASSERT(a.hist.ncaps <= 3);
	if (a.hist.warn != NULL)
		FUZZ_ASSERT(a.hist.warn_offset <= size);
	check_texts(&a);
	memset(&caps, 0xa5, sizeof(caps));
	nid_atr_caps(&a, &caps);
	FUZZ_ASSERT(caps.ext_lc_le >= -1 && caps.ext_lc_le <= 1);
	FUZZ_ASSERT(caps.chaining >= -1 && caps.chaining <= 1);
	return 0;
}
