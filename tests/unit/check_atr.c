/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_atr.c — ATR decoding (atr.c) and card names (atrlist.c).
 *
 * Sources of the vectors:
 *  - "7816-3 §x": constructed by hand from the rule of ISO/IEC 7816-3:2006
 *    that section states (not examples printed in the standard).
 *  - "list NNNN": the ATR line at line NNNN of pcsc-tools'
 *    smartcard_list.txt (Copyright 2002-2023 Ludovic Rousseau, as installed
 *    by Debian pcsc-tools 1.6.x), with its first description line quoted.
 *  - "IR NID": the Iranian national ID card's ATR, given by the project
 *    issue "Foundation".
 */
#include "config.h"

#include <unistd.h>

#include "testutil.h"
#include "atr.h"
#include "atrlist.h"

#define IR_NID "3B DB 97 00 81 31 FE 85 80 13 49 52 4E 73 96 71 5B 91 30 2F"

static const struct atr_vec {
	const char *src;
	const char *hex;
	uint16_t protocols;
	int t15;
	nid_atr_tck tck;
	unsigned fi, di;
	int ifsc;           /* -1: no TA for T=1 */
	int ext;            /* nid_atr_caps ext_lc_le */
	int chaining;
	nid_atr_hist_kind hist;
	int contactless;
} valid[] = {
	{ "IR NID", IR_NID, 0x2, 0, NID_ATR_TCK_OK, 512, 64, 254, 1, 0,
	    NID_ATR_HIST_COMPACT_80, 0 },
	{ "7816-3 §8.2.2: T0 alone, K=0", "3B 00", 0x1, 0,
	    NID_ATR_TCK_ABSENT, 372, 1, -1, -1, -1, NID_ATR_HIST_NONE, 0 },
	{ "7816-3 §8.1: inverse convention", "3F 00", 0x1, 0,
	    NID_ATR_TCK_ABSENT, 372, 1, -1, -1, -1, NID_ATR_HIST_NONE, 0 },
	{ "7816-3 §8.2.3: TD1 T=1 only, TCK = T0^TD1", "3B 80 01 81",
	    0x2, 0, NID_ATR_TCK_OK, 372, 1, -1, -1, -1, NID_ATR_HIST_NONE, 0 },
	{ "7816-4 §8.1.1: category 10 DIR reference", "3B 02 10 05",
	    0x1, 0, NID_ATR_TCK_ABSENT, 372, 1, -1, -1, -1,
	    NID_ATR_HIST_DIR_REF, 0 },
	/* list 10966 "Estonia ID-card (eID)": T=0, T=1 and T=15. */
	{ "list 10966", "3B DB 96 00 80 B1 FE 45 1F 83 00 12 23 3F 53 65 49 44 "
	    "0F 90 00 F1", 0x3, 1, NID_ATR_TCK_OK, 512, 32, 254, -1, -1,
	    NID_ATR_HIST_COMPACT_00, 0 },
	/* list 12305 "VIVOtech SAM" / "NXP JCOP V241": T=1, proprietary. */
	{ "list 12305", "3B F8 18 00 FF 81 31 FE 45 4A 43 4F 50 76 32 34 31 43",
	    0x2, 0, NID_ATR_TCK_OK, 372, 12, 254, -1, -1,
	    NID_ATR_HIST_PROPRIETARY, 0 },
	/* list 5370 "DNI (Documento Nacional de Identidad), Spanish ID Card": T=0. */
	{ "list 5370", "3B 7F 38 00 00 00 6A 44 4E 49 65 00 02 4C 34 01 13 0F 65 81",
	    0x1, 0, NID_ATR_TCK_ABSENT, 744, 12, -1, -1, -1,
	    NID_ATR_HIST_COMPACT_00, 0 },
	/* list 3245 "Optelio Cards (D72 R4 WR)": T=0, category 80 with tag 8. */
	{ "list 3245", "3B 6E 00 00 80 31 80 66 B0 84 0C 01 6E 01 83 00 90 00",
	    0x1, 0, NID_ATR_TCK_ABSENT, 372, 1, -1, -1, -1,
	    NID_ATR_HIST_COMPACT_80, 0 },
	/* list 7713 "NXP/Philips MIFARE Classic 1K (as per PCSC std part3)". */
	{ "list 7713", "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A",
	    0x3, 0, NID_ATR_TCK_OK, 372, 1, -1, -1, -1,
	    NID_ATR_HIST_PCSC_STORAGE, 1 },
	/* list 5588 "RFID - ISO 14443 Type A - NXP DESFire or DESFire EV1 or EV2". */
	{ "list 5588", "3B 81 80 01 80 80", 0x3, 0, NID_ATR_TCK_OK, 372, 1, -1,
	    -1, -1, NID_ATR_HIST_COMPACT_80, 1 },
	/* list 6511 "NXP PN65o's Internal Secure Element in card emulation mode." */
	{ "list 6511", "3B 8A 80 01 00 31 C1 73 C8 40 00 00 90 00 90", 0x3, 0,
	    NID_ATR_TCK_OK, 372, 1, -1, 0, 0, NID_ATR_HIST_COMPACT_00, 1 },
	/* list 6514 "T-System Contactless Netkey Card": hist warning only. */
	{ "list 6514", "3B 8A 80 01 00 64 05 5C 02 03 31 80 90 00 16", 0x3, 0,
	    NID_ATR_TCK_OK, 372, 1, -1, -1, -1, NID_ATR_HIST_COMPACT_00, 1 },
};

START_TEST(atr_valid_table)
{
	const struct atr_vec *v = &valid[_i];
	nid_buf in = tu_hex(v->hex);
	nid_atr a;
	nid_atr_caps_t caps;
	int rc;

	rc = nid_atr_parse(in.p, in.len, &a);
	ck_assert_msg(rc == NID_OK, "%s: %s at %zu: %s", v->src,
	    nid_strerror_name(rc), a.err_offset, a.err_msg);
	ck_assert_uint_eq(a.protocols, v->protocols);
	ck_assert_int_eq(a.has_t15, v->t15);
	ck_assert_int_eq(a.tck, v->tck);
	ck_assert_uint_eq(a.fi, v->fi);
	ck_assert_uint_eq(a.di, v->di);
	ck_assert_int_eq(a.ifsc, v->ifsc);
	ck_assert_int_eq(a.hist.kind, v->hist);
	ck_assert_int_eq(a.contactless, v->contactless);
	ck_assert_uint_eq(a.hist.len, a.k);
	nid_atr_caps(&a, &caps);
	ck_assert_int_eq(caps.ext_lc_le, v->ext);
	ck_assert_int_eq(caps.chaining, v->chaining);
	ck_assert_int_eq(caps.t1, (v->protocols & 2) != 0);
	nid_buf_clear(&in);
}
END_TEST

/* The Iranian national ID ATR, checked at every intermediate value. */
START_TEST(atr_ir_nid_detail)
{
	static const struct {
		char kind;
		uint8_t index, value, proto;
		size_t offset;
	} ib[] = {
		{ 'A', 1, 0x97, NID_ATR_GLOBAL, 2 },  /* Fi=512 Di=64 */
		{ 'C', 1, 0x00, NID_ATR_GLOBAL, 3 },  /* N=0 */
		{ 'D', 1, 0x81, 1, 4 },               /* T=1, TD2 follows */
		{ 'D', 2, 0x31, 1, 5 },               /* T=1, TA3 TB3 follow */
		{ 'A', 3, 0xfe, 1, 6 },               /* IFSC 254 */
		{ 'B', 3, 0x85, 1, 7 },               /* BWI 8 CWI 5 */
	};
	nid_buf in = tu_hex(IR_NID);
	nid_atr a;
	char buf[256];
	size_t i;

	ck_assert_int_eq(nid_atr_parse(in.p, in.len, &a), NID_OK);
	ck_assert_int_eq(a.conv, NID_ATR_CONV_DIRECT);
	ck_assert_uint_eq(a.t0, 0xdb);
	ck_assert_uint_eq(a.k, 11);
	ck_assert_uint_eq(a.nib, NID_NELEM(ib));
	for (i = 0; i < NID_NELEM(ib); i++) {
		ck_assert_int_eq(a.ib[i].kind, ib[i].kind);
		ck_assert_uint_eq(a.ib[i].index, ib[i].index);
		ck_assert_uint_eq(a.ib[i].value, ib[i].value);
		ck_assert_uint_eq(a.ib[i].proto, ib[i].proto);
		ck_assert_uint_eq(a.ib[i].offset, ib[i].offset);
	}
	ck_assert_uint_eq(a.fmax_khz, 5000);
	ck_assert_int_eq(a.guard_n, 0);
	ck_assert_int_eq(a.first_proto, 1);
	ck_assert_int_eq(a.bwi, 8);
	ck_assert_int_eq(a.cwi, 5);
	ck_assert_int_eq(a.edc_crc, -1); /* no TC3: LRC by default */
	ck_assert_int_eq(a.has_ta2, 0);
	ck_assert_str_eq(nid_atr_ibyte_str(&a, 0, buf, sizeof(buf)),
	    "Fi=512 Di=64, f max 5 MHz (8 cycles/etu)");
	ck_assert_str_eq(nid_atr_ibyte_str(&a, 4, buf, sizeof(buf)),
	    "T=1 IFSC 254");
	ck_assert_str_eq(nid_atr_ibyte_str(&a, 5, buf, sizeof(buf)),
	    "T=1 BWI=8 CWI=5");
	/* Historical bytes at offset 8: 80 | 13 "IRN" | 73 96 71 5B | 91 30. */
	ck_assert_uint_eq(a.hist.offset, 8);
	tu_assert_hex(a.hist.bytes, a.hist.len, "80134952 4E739671 5B9130");
	ck_assert_uint_eq(a.hist.nobjs, 3);
	ck_assert_uint_eq(a.hist.objs[0].tag, 0x1);
	ck_assert_uint_eq(a.hist.objs[0].len, 3);
	ck_assert_uint_eq(a.hist.objs[0].offset, 2);
	ck_assert_str_eq(nid_atr_obj_str(&a, 0, buf, sizeof(buf)),
	    "13 country code: 49524E \"IRN\"");
	ck_assert_uint_eq(a.hist.objs[1].tag, 0x7);
	ck_assert_uint_eq(a.hist.objs[1].offset, 6);
	ck_assert_uint_eq(a.hist.objs[2].tag, 0x9);
	ck_assert_uint_eq(a.hist.objs[2].len, 1);
	tu_assert_hex(a.hist.caps, a.hist.ncaps, "96715B");
	/* 96: full DF name, file id, short EF id, record number. */
	ck_assert_str_eq(nid_atr_caps_str(&a, 1, buf, sizeof(buf)),
	    "selection: full DF name, file id, short EF id, record number");
	/* 5B = 0101 1011: no chaining, extended Lc/Le, channels by both, 4. */
	ck_assert_str_eq(nid_atr_caps_str(&a, 3, buf, sizeof(buf)),
	    "command chaining no, extended Lc/Le yes, logical channels by "
	    "the card and the interface device, max 4");
	ck_assert_int_eq(a.hist.lcs, -1);
	ck_assert_ptr_null(a.hist.warn);
	ck_assert_uint_eq(a.tck_offset, 19);
	ck_assert_uint_eq(a.tck_value, 0x2f);
	ck_assert_uint_eq(a.tck_expected, 0x2f);
	nid_buf_clear(&in);
}
END_TEST

START_TEST(atr_other_details)
{
	nid_buf in;
	nid_atr a;
	char buf[256];

	/* list 10966 (Estonia): TA4 83 for T=15: clock stop H, classes A B. */
	in = tu_hex(valid[5].hex);
	ck_assert_int_eq(nid_atr_parse(in.p, in.len, &a), NID_OK);
	ck_assert_int_eq(a.clock_stop, 2);
	ck_assert_int_eq(a.class_ind, 3);
	ck_assert_int_eq(a.spu, -1);
	ck_assert_str_eq(nid_atr_ibyte_str(&a, 7, buf, sizeof(buf)),
	    "clock stop in state H; classes A (5 V) B (3 V)");
	ck_assert_int_eq(a.hist.lcs, 0x0f);
	ck_assert_int_eq(a.hist.sw, 0x9000);
	ck_assert_uint_eq(a.hist.nobjs, 2);
	ck_assert_str_eq(nid_atr_obj_str(&a, 1, buf, sizeof(buf)),
	    "53 card issuer's data: 654944 \"eID\"");
	nid_buf_clear(&in);

	/* list 12305 (JCOP): TC1 FF and the T=1 TB. */
	in = tu_hex(valid[6].hex);
	ck_assert_int_eq(nid_atr_parse(in.p, in.len, &a), NID_OK);
	ck_assert_int_eq(a.guard_n, 255);
	ck_assert_int_eq(a.bwi, 4);
	ck_assert_int_eq(a.cwi, 5);
	nid_buf_clear(&in);

	/* list 5370 (DNI): category 00 status indicator 0F 6581. */
	in = tu_hex(valid[7].hex);
	ck_assert_int_eq(nid_atr_parse(in.p, in.len, &a), NID_OK);
	ck_assert_int_eq(a.hist.lcs, 0x0f);
	ck_assert_int_eq(a.hist.sw, 0x6581);
	ck_assert_uint_eq(a.hist.nobjs, 1);
	ck_assert_uint_eq(a.hist.objs[0].tag, 0x6);
	ck_assert_uint_eq(a.hist.objs[0].len, 10);
	nid_buf_clear(&in);

	/* list 3245: card service data 80, status indicator by tag 8. */
	in = tu_hex(valid[8].hex);
	ck_assert_int_eq(nid_atr_parse(in.p, in.len, &a), NID_OK);
	ck_assert_int_eq(a.hist.service, 0x80);
	ck_assert_int_eq(a.hist.lcs, 0x00);
	ck_assert_int_eq(a.hist.sw, 0x9000);
	nid_buf_clear(&in);

	/* list 7713: PC/SC storage card, 14443 A part 3, MIFARE Classic 1K. */
	in = tu_hex(valid[9].hex);
	ck_assert_int_eq(nid_atr_parse(in.p, in.len, &a), NID_OK);
	ck_assert_uint_eq(a.hist.pcsc_ss, 0x03);
	ck_assert_uint_eq(a.hist.pcsc_name, 0x0001);
	ck_assert_str_eq(nid_atr_pcsc_standard_str(a.hist.pcsc_ss),
	    "ISO 14443 A part 3");
	ck_assert_str_eq(nid_atr_pcsc_name_str(a.hist.pcsc_name),
	    "MIFARE Classic 1K");
	nid_buf_clear(&in);

	/* list 6514: 31 at hist offset 6 runs past the compact-TLV part. */
	in = tu_hex(valid[12].hex);
	ck_assert_int_eq(nid_atr_parse(in.p, in.len, &a), NID_OK);
	ck_assert_ptr_nonnull(a.hist.warn);
	ck_assert_uint_eq(a.hist.warn_offset, 10);
	ck_assert_int_eq(a.hist.lcs, 0x80);
	nid_buf_clear(&in);

	/*
	 * 7816-3 §8.3: T0 90 (TA1, TD1), TA1 11, TD1 11 (TA2, T=1), TA2 91
	 * (T=1, implicit parameters, unable to change), TCK 90^11^11^91 = 01.
	 */
	in = tu_hex("3B 90 11 11 91 01");
	ck_assert_int_eq(nid_atr_parse(in.p, in.len, &a), NID_OK);
	ck_assert_int_eq(a.has_ta2, 1);
	ck_assert_uint_eq(a.specific_proto, 1);
	ck_assert_int_eq(a.specific_implicit, 1);
	ck_assert_int_eq(a.specific_fixed, 1);
	nid_buf_clear(&in);
}
END_TEST

/* ---- malformed ATRs ---------------------------------------------------- */

static const struct {
	const char *src;
	const char *hex;
	int rc;
	size_t offset;
	nid_atr_tck tck;
} bad[] = {
	{ "empty", "", NID_E_TRUNCATED, 0, NID_ATR_TCK_UNCHECKED },
	{ "7816-3 §8.2.2: T0 missing", "3B", NID_E_TRUNCATED, 1,
	    NID_ATR_TCK_UNCHECKED },
	{ "7816-3 §8.1: TS 3C", "3C 00", NID_E_MALFORMED, 0,
	    NID_ATR_TCK_UNCHECKED },
	{ "7816-3 §8.1: TS 03 (inverse read as direct)", "03 00",
	    NID_E_MALFORMED, 0, NID_ATR_TCK_UNCHECKED },
	{ "IR NID cut in TD2", "3B DB 97 00 81", NID_E_TRUNCATED, 5,
	    NID_ATR_TCK_UNCHECKED },
	{ "IR NID cut in the historical bytes",
	    "3B DB 97 00 81 31 FE 85 80 13 49", NID_E_TRUNCATED, 11,
	    NID_ATR_TCK_UNCHECKED },
	{ "IR NID without TCK",
	    "3B DB 97 00 81 31 FE 85 80 13 49 52 4E 73 96 71 5B 91 30",
	    NID_E_TRUNCATED, 19, NID_ATR_TCK_MISSING },
	{ "IR NID with TCK 2E",
	    "3B DB 97 00 81 31 FE 85 80 13 49 52 4E 73 96 71 5B 91 30 2E",
	    NID_E_MALFORMED, 19, NID_ATR_TCK_BAD },
	{ "IR NID with a byte after TCK", IR_NID " 00", NID_E_TRAILING, 20,
	    NID_ATR_TCK_OK },
	{ "7816-3 §8.2.5: T=0 only, no TCK, extra byte", "3B 00 00",
	    NID_E_TRAILING, 2, NID_ATR_TCK_ABSENT },
	{ "7816-3 §8.2.1: 40 bytes", "3B 00 00 00 00 00 00 00 00 00 00 00 00 00 "
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
	    "00 00 00", NID_E_TRAILING, 2, NID_ATR_TCK_ABSENT },
	/* T0 FF + TD chain F1 F1 F1 01: 18 bytes + 15 historical + TCK = 34. */
	{ "7816-3 §8.2.1: structure of 34 bytes",
	    "3B FF 11 00 00 F1 11 00 00 F1 FE 45 00 F1 FE 45 00 01 "
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0F",
	    NID_E_TOO_LARGE, 33, NID_ATR_TCK_OK },
	/* TD bytes that never end: more than 32 interface bytes. */
	{ "7816-3 §8.2.3: endless TD chain",
	    "3B 80 80 80 80 80 80 80 80 80 80 80 80 80 80 80 80 80 80 80 80 80 "
	    "80 80 80 80 80 80 80 80 80 80 80 80 80 80 80",
	    NID_E_TOO_LARGE, 34, NID_ATR_TCK_UNCHECKED },
};

START_TEST(atr_bad_table)
{
	nid_buf in = tu_hex(bad[_i].hex);
	nid_atr a;
	int rc;

	rc = nid_atr_parse(in.p, in.len, &a);
	ck_assert_msg(rc == bad[_i].rc, "%s: rc %s want %s (%s)", bad[_i].src,
	    nid_strerror_name(rc), nid_strerror_name(bad[_i].rc), a.err_msg);
	ck_assert_int_eq(a.rc, rc);
	ck_assert_msg(a.err_offset == bad[_i].offset, "%s: offset %zu want %zu",
	    bad[_i].src, a.err_offset, bad[_i].offset);
	ck_assert_int_eq(a.tck, bad[_i].tck);
	ck_assert(a.err_msg[0] != '\0');
	nid_buf_clear(&in);
}
END_TEST

START_TEST(atr_bad_messages)
{
	nid_buf in = tu_hex(bad[7].hex);
	nid_atr a;

	ck_assert_int_eq(nid_atr_parse(in.p, in.len, &a), NID_E_MALFORMED);
	ck_assert_str_eq(a.err_msg, "bad TCK 2E, expected 2F");
	ck_assert_uint_eq(a.tck_expected, 0x2f);
	/* What was read before the error is kept. */
	ck_assert_int_eq(a.ifsc, 254);
	ck_assert_uint_eq(a.hist.nobjs, 3);
	nid_buf_clear(&in);
	in = tu_hex(bad[2].hex);
	ck_assert_int_eq(nid_atr_parse(in.p, in.len, &a), NID_E_MALFORMED);
	ck_assert_str_eq(a.err_msg,
	    "bad TS 3C: neither 3B (direct) nor 3F (inverse convention)");
	nid_buf_clear(&in);
	/* The structure check built the TCK of bad[11] right: only length fails. */
	in = tu_hex(bad[11].hex);
	ck_assert_int_eq(nid_atr_parse(in.p, in.len, &a), NID_E_TOO_LARGE);
	ck_assert_uint_eq(a.tck_expected, 0x0f);
	nid_buf_clear(&in);
}
END_TEST

/* Every strict prefix of every valid ATR is truncated, at its own length. */
START_TEST(atr_truncation_loop)
{
	size_t v, n;
	nid_atr a;

	for (v = 0; v < NID_NELEM(valid); v++) {
		nid_buf in = tu_hex(valid[v].hex);

		for (n = 0; n < in.len; n++) {
			int rc = nid_atr_parse(in.p, n, &a);

			ck_assert_msg(rc == NID_E_TRUNCATED && a.err_offset == n,
			    "%s prefix %zu: %s at %zu", valid[v].src, n,
			    nid_strerror_name(rc), a.err_offset);
		}
		nid_buf_clear(&in);
	}
}
END_TEST

/* Flip every bit of every valid ATR: no crash, a known outcome, text ok. */
START_TEST(atr_bitflip_loop)
{
	char buf[256];
	size_t v, i, j, ok = 0, notok = 0;
	unsigned bit;
	nid_atr a;
	nid_atr_caps_t caps;

	for (v = 0; v < NID_NELEM(valid); v++) {
		nid_buf in = tu_hex(valid[v].hex);

		for (i = 0; i < in.len; i++) {
			for (bit = 0; bit < 8; bit++) {
				int rc;

				in.p[i] ^= (uint8_t)(1u << bit);
				rc = nid_atr_parse(in.p, in.len, &a);
				ck_assert(rc == NID_OK || rc == NID_E_TRUNCATED ||
				    rc == NID_E_MALFORMED || rc == NID_E_TRAILING ||
				    rc == NID_E_TOO_LARGE);
				ck_assert(rc == NID_OK || a.err_offset <= in.len);
				ck_assert_uint_le(a.hist.len, NID_ATR_HIST_MAX);
				ck_assert_uint_le(a.nib, NID_ATR_IBYTES_MAX);
				for (j = 0; j < a.nib; j++)
					(void)nid_atr_ibyte_str(&a, j, buf,
					    sizeof(buf));
				for (j = 0; j < a.hist.nobjs; j++)
					(void)nid_atr_obj_str(&a, j, buf,
					    sizeof(buf));
				for (j = 1; j <= 3; j++)
					(void)nid_atr_caps_str(&a, (unsigned)j,
					    buf, sizeof(buf));
				nid_atr_caps(&a, &caps);
				if (rc == NID_OK)
					ok++;
				else
					notok++;
				in.p[i] ^= (uint8_t)(1u << bit);
			}
		}
		nid_buf_clear(&in);
	}
	/* A flipped bit in T1..TK or in the TCK region is caught by TCK. */
	ck_assert_uint_gt(notok, 0);
	ck_assert_uint_gt(ok, 0);
}
END_TEST

/* ---- card names ------------------------------------------------------ */

static const struct {
	const char *pattern;
	const char *atr;
	int want;           /* 1 match, 0 no match, -1 unsupported */
} pat_vectors[] = {
	{ "3B 00", "3B00", 1 },
	{ "3b 0a", "3B0A", 1 },                 /* /i */
	{ "3B ..", "3B7F", 1 },
	{ "3B .. 00", "3B7F", 0 },              /* anchored at the end */
	{ "3B", "3B00", 0 },
	{ "3B 0[1-3]", "3B02", 1 },
	{ "3B 0[1-3]", "3B04", 0 },
	{ "3B 0[1,3]", "3B03", 1 },             /* ',' is a literal: harmless */
	{ "3B 0[^0]", "3B00", 0 },
	{ "3B 0[^0]", "3B05", 1 },
	{ "3B [12]0", "3B20", 1 },
	{ "3B 02 .*", "3B021450", 1 },
	{ "3B 02 .*", "3B02", 0 },              /* ".*" after a space needs it */
	{ "3B 02.*", "3B02", 1 },
	{ "3B EF .* 38", "3BEF001138", 1 },
	{ "3B EF .* 38", "3BEF39", 0 },
	{ "3B 0.*.*.*.*1", "3B01", 1 },
	{ "3B (00|01)", "3B00", -1 },
	{ "3B 00?", "3B00", -1 },
	{ "3B 0\\d", "3B00", -1 },
	{ "3B [00", "3B00", -1 },
	{ "*3B", "3B", -1 },
	{ "3B 0G", "3B00", 0 },                 /* a literal no ATR holds */
};

START_TEST(atrlist_pattern_table)
{
	nid_buf atr = tu_hex(pat_vectors[_i].atr);

	ck_assert_msg(nid_atrlist_pattern_match(pat_vectors[_i].pattern, atr.p,
	    atr.len) == pat_vectors[_i].want, "pattern '%s' vs %s",
	    pat_vectors[_i].pattern, pat_vectors[_i].atr);
	nid_buf_clear(&atr);
}
END_TEST

static const char *
test_list_path(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/tests/data/atrlist-test.txt",
	    getenv("NID_SRCDIR") != NULL ? getenv("NID_SRCDIR") : NID_SRCDIR);
	return path;
}

static size_t
match_names(const nid_atrlist_t *l, const char *hex, const char ***names)
{
	nid_buf in = tu_hex(hex);
	size_t n = 99;

	ck_assert_int_eq(nid_atrlist_match(l, in.p, in.len, names, &n), NID_OK);
	nid_buf_clear(&in);
	return n;
}

START_TEST(atrlist_test_file)
{
	nid_atrlist_t *l = NULL;
	const char **names = NULL;
	size_t n;

	ck_assert_int_eq(nid_atrlist_load(NULL, test_list_path(), &l), NID_OK);
	ck_assert_uint_eq(nid_atrlist_count(l), 8);
	ck_assert_uint_eq(nid_atrlist_skipped(l), 1); /* the alternation */

	n = match_names(l, IR_NID, &names);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(names[0],
	    "Test ID card (exact ATR); second description line");
	ck_assert_str_eq(names[1], "Test ID card (any country code)");
	free(names);

	/* Another country code: only the wildcard entry. */
	n = match_names(l, "3B DB 97 00 81 31 FE 85 80 13 41 42 43 73 96 71 5B "
	    "91 30 2F", &names);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(names[0], "Test ID card (any country code)");
	free(names);

	n = match_names(l, valid[9].hex, &names);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(names[0], "Test storage card (standard 1-3, name 1 or 2)");
	free(names);
	/* Card name 0003 is outside [12]. */
	n = match_names(l, "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 03 00 00 "
	    "00 00 68", &names);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(names);

	n = match_names(l, "3B 02 14 50", &names);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(names[0], "Test star suffix");
	free(names);
	ck_assert_uint_eq(match_names(l, "3B 02", &names), 0);

	n = match_names(l, "3B 05 AB CD EF", &names);
	ck_assert_uint_eq(n, 1);
	free(names);
	ck_assert_uint_eq(match_names(l, "3B 05 AB CD 1F", &names), 0);

	ck_assert_uint_eq(match_names(l, "3B 04 10 00", &names), 1);
	free(names);
	ck_assert_uint_eq(match_names(l, "3B 04 00 00", &names), 0);
	ck_assert_uint_eq(match_names(l, "3B 03 AA 00", &names), 0);
	/* An entry without description names nothing. */
	ck_assert_uint_eq(match_names(l, "3B 06 11", &names), 0);
	n = match_names(l, "3B 07 22", &names);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(names[0],
	    "Test entry after an entry without descriptions");
	free(names);
	/* Empty and over-long ATRs match nothing. */
	ck_assert_uint_eq(match_names(l, "", &names), 0);
	nid_atrlist_free(&l);
	ck_assert_ptr_null(l);
	nid_atrlist_free(&l);
}
END_TEST

START_TEST(atrlist_errors)
{
	nid_atrlist_t *l = (nid_atrlist_t *)1;
	nid_ctx_t *ctx = NULL;
	const char **names = NULL;
	char path[] = "/tmp/check_atr_XXXXXX";
	char chunk[65536];
	size_t done;
	int fd;
	FILE *fp;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_atrlist_load(ctx, "/nonexistent/smartcard_list.txt",
	    &l), NID_E_IO);
	ck_assert_ptr_null(l);
	ck_assert(strstr(nid_ctx_detail(ctx), "/nonexistent") != NULL);
	ck_assert_int_eq(nid_atrlist_load(ctx, "/", &l), NID_E_IO);

	/* Over the file cap. */
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	memset(chunk, '#', sizeof(chunk));
	for (done = 0; done <= NID_ATRLIST_FILE_MAX; done += sizeof(chunk))
		ck_assert_uint_eq(fwrite(chunk, 1, sizeof(chunk), fp),
		    sizeof(chunk));
	fclose(fp);
	ck_assert_int_eq(nid_atrlist_load(ctx, path, &l), NID_E_TOO_LARGE);
	ck_assert_ptr_null(l);
	unlink(path);

	/*
	 * Over the line cap: a long ATR line is skipped with its
	 * description, a long description line is dropped.
	 */
	strcpy(path, "/tmp/check_atr_XXXXXX");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	fputs("3B 00", fp);
	for (done = 0; done < NID_ATRLIST_LINE_MAX; done += 3)
		fputs(" ..", fp);
	fputs("\n\tlong pattern\n\n3B 01\n\tkept\n\t", fp);
	for (done = 0; done <= NID_ATRLIST_LINE_MAX; done++)
		fputc('x', fp);
	fputs("\n\talso kept\n", fp);
	fclose(fp);
	ck_assert_int_eq(nid_atrlist_load(ctx, path, &l), NID_OK);
	ck_assert_uint_eq(nid_atrlist_count(l), 1);
	ck_assert_uint_eq(nid_atrlist_skipped(l), 1);
	ck_assert_uint_eq(match_names(l, "3B 01", &names), 1);
	ck_assert_str_eq(names[0], "kept; also kept");
	free(names);
	nid_atrlist_free(&l);
	unlink(path);
	nid_ctx_free(&ctx);
}
END_TEST

/*
 * Every ATR line of the installed smartcard_list.txt: wildcards replaced
 * ('.' and '.*' by 0, a class by its first character), decoded without a
 * crash, and matched by its own pattern.
 */
START_TEST(atrlist_bulk_real_list)
{
	FILE *fp;
	char line[1024], hex[1024];
	size_t n = 0, wellformed = 0, selfmatch = 0, unsupported = 0, i, o;
	size_t exact = 0, exact_ok = 0, by_rc[5] = { 0 };
	nid_atrlist_t *l = NULL;
	const char **names = NULL;
	size_t nn = 0, k;
	int found = 0;

	if ((fp = fopen(NID_SMARTCARD_LIST, "r")) == NULL)
		tu_skip(NID_SMARTCARD_LIST " not installed (pcsc-tools)");
	while (fgets(line, sizeof(line), fp) != NULL) {
		nid_buf in;
		nid_atr a;
		size_t bad_pos;
		int m;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\t' || line[0] == '\0')
			continue;
		for (i = 0, o = 0; line[i] != '\0' && o + 3 < sizeof(hex); i++) {
			if (line[i] == '.' && line[i + 1] == '*') {
				hex[o++] = '0';
				hex[o++] = '0';
				i++;
			} else if (line[i] == '.')
				hex[o++] = '0';
			else if (line[i] == '[') {
				hex[o++] = line[i + 1] == '^' ? 'F' : line[i + 1];
				while (line[i] != '\0' && line[i] != ']')
					i++;
				if (line[i] == '\0')
					break;
			} else
				hex[o++] = line[i];
		}
		hex[o] = '\0';
		nid_buf_init(&in, 1024);
		ck_assert_msg(nid_hex_decode(hex, &in, &bad_pos) == NID_OK,
		    "list line not hex after substitution: %s", line);
		n++;
		m = strpbrk(line, ".[*") == NULL;
		exact += (size_t)m;
		switch (nid_atr_parse(in.p, in.len, &a)) {
		case NID_OK:
			wellformed++;
			exact_ok += (size_t)m;
			break;
		case NID_E_TRUNCATED:
			by_rc[0]++;
			break;
		case NID_E_MALFORMED:
			by_rc[a.tck == NID_ATR_TCK_BAD ? 1 : 2]++;
			break;
		case NID_E_TRAILING:
			by_rc[3]++;
			break;
		default:
			by_rc[4]++;
			break;
		}
		m = nid_atrlist_pattern_match(line, in.p, in.len);
		if (m == 1)
			selfmatch++;
		else if (m < 0)
			unsupported++;
		else
			ck_abort_msg("pattern does not match its own ATR: %s", line);
		nid_buf_clear(&in);
	}
	fclose(fp);
	fprintf(stderr, "smartcard_list.txt: %zu ATR lines decoded, %zu "
	    "well-formed (exact lines without wildcards: %zu, %zu well-formed); "
	    "malformed: %zu truncated, %zu bad TCK, %zu bad TS, %zu trailing, "
	    "%zu too long; %zu matched by their own pattern, %zu unsupported\n",
	    n, wellformed, exact, exact_ok, by_rc[0], by_rc[1], by_rc[2],
	    by_rc[3], by_rc[4], selfmatch, unsupported);
	ck_assert_uint_gt(n, 1000);
	ck_assert_uint_eq(unsupported, 0);

	/* The loader agrees and names a real card. */
	ck_assert_int_eq(nid_atrlist_load(NULL, NULL, &l), NID_OK);
	ck_assert_uint_eq(nid_atrlist_count(l) + nid_atrlist_skipped(l), n);
	ck_assert_uint_eq(nid_atrlist_skipped(l), 0);
	nn = match_names(l, valid[10].hex, &names);  /* list 5588 */
	for (k = 0; k < nn; k++)
		if (strncmp(names[k], "RFID - ISO 14443 Type A - NXP DESFire",
		    37) == 0)
			found = 1;
	ck_assert_msg(found, "DESFire not named (%zu names)", nn);
	free(names);
	nid_atrlist_free(&l);
}
END_TEST

static Suite *
atr_suite(void)
{
	Suite *s = suite_create("atr");
	TCase *tc = tcase_create("atr");

	tcase_add_loop_test(tc, atr_valid_table, 0, (int)NID_NELEM(valid));
	tcase_add_test(tc, atr_ir_nid_detail);
	tcase_add_test(tc, atr_other_details);
	tcase_add_loop_test(tc, atr_bad_table, 0, (int)NID_NELEM(bad));
	tcase_add_test(tc, atr_bad_messages);
	tcase_add_test(tc, atr_truncation_loop);
	tcase_add_test(tc, atr_bitflip_loop);
	suite_add_tcase(s, tc);
	tc = tcase_create("atrlist");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, atrlist_pattern_table, 0,
	    (int)NID_NELEM(pat_vectors));
	tcase_add_test(tc, atrlist_test_file);
	tcase_add_test(tc, atrlist_errors);
	tcase_add_test(tc, atrlist_bulk_real_list);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(atr_suite());
}
