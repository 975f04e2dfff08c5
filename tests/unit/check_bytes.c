/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_bytes.c — cursor, capped buffer, hex, BER-TLV and APDU encoding.
 */
#include "config.h"

#include "testutil.h"

/* ---- cursor ---------------------------------------------------------- */

START_TEST(cur_reads_and_truncation)
{
	static const uint8_t d[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
	nid_cur c, child;
	uint8_t u8 = 0xaa, out[8];
	uint16_t u16 = 0xaaaa;
	uint32_t u32 = 0xaaaaaaaa;

	nid_cur_init(&c, d, sizeof(d));
	ck_assert_int_eq(nid_cur_get_u8(&c, &u8), NID_OK);
	ck_assert_uint_eq(u8, 0x01);
	ck_assert_int_eq(nid_cur_get_be16(&c, &u16), NID_OK);
	ck_assert_uint_eq(u16, 0x0203);
	ck_assert_int_eq(nid_cur_get_be32(&c, &u32), NID_OK);
	ck_assert_uint_eq(u32, 0x04050607);
	ck_assert_uint_eq(c.len, 0);
	/* Truncation leaves outputs and cursor untouched. */
	u8 = 0x55;
	ck_assert_int_eq(nid_cur_get_u8(&c, &u8), NID_E_TRUNCATED);
	ck_assert_uint_eq(u8, 0x55);

	nid_cur_init(&c, d, 3);
	ck_assert_int_eq(nid_cur_get_be32(&c, &u32), NID_E_TRUNCATED);
	ck_assert_uint_eq(u32, 0x04050607);
	ck_assert_uint_eq(c.len, 3);
	ck_assert_int_eq(nid_cur_get_bytes(&c, out, 4), NID_E_TRUNCATED);
	ck_assert_int_eq(nid_cur_skip(&c, 4), NID_E_TRUNCATED);
	ck_assert_int_eq(nid_cur_get_cur(&c, 4, &child), NID_E_TRUNCATED);
	ck_assert_int_eq(nid_cur_get_cur(&c, 2, &child), NID_OK);
	ck_assert_uint_eq(child.len, 2);
	ck_assert_uint_eq(child.p[1], 0x02);
	ck_assert_uint_eq(c.len, 1);
	/* Huge n never wraps. */
	ck_assert_int_eq(nid_cur_skip(&c, SIZE_MAX), NID_E_TRUNCATED);
}
END_TEST

/* ---- capped buffer --------------------------------------------------- */

START_TEST(buf_cap_enforced)
{
	nid_buf b;
	uint8_t x[100] = { 0 };
	uint8_t *stolen;
	size_t n;

	nid_buf_init(&b, 150);
	ck_assert_int_eq(nid_buf_put(&b, x, 100), NID_OK);
	ck_assert_int_eq(nid_buf_put(&b, x, 51), NID_E_TOO_LARGE);
	ck_assert_uint_eq(b.len, 100);
	ck_assert_int_eq(nid_buf_put(&b, x, 50), NID_OK);
	ck_assert_uint_eq(b.len, 150);
	ck_assert_int_eq(nid_buf_put_u8(&b, 1), NID_E_TOO_LARGE);
	ck_assert_int_eq(nid_buf_reserve(&b, SIZE_MAX), NID_E_TOO_LARGE);
	nid_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(nid_buf_put_be16(&b, 0x1234), NID_OK);
	ck_assert_int_eq(nid_buf_put_be32(&b, 0xdeadbeef), NID_OK);
	tu_assert_hex(b.p, b.len, "1234DEADBEEF");
	ck_assert_int_eq(nid_buf_steal(&b, &stolen, &n), NID_OK);
	ck_assert_uint_eq(n, 6);
	ck_assert_ptr_null(b.p);
	free(stolen);
	nid_buf_clear(&b);
}
END_TEST

/* ---- hex ------------------------------------------------------------- */

static const struct {
	const char *in;
	const char *out; /* NULL: must fail */
	size_t bad_pos;
} hex_vectors[] = {
	{ "", "", 0 },
	{ "3B", "3B", 0 },
	{ "3b db 97 00", "3BDB9700", 0 },
	{ "3BDB9700 8131FE85", "3BDB97008131FE85", 0 },
	{ "3B:DB:97", "3BDB97", 0 },
	{ "\t3B\n", "3B", 0 },
	{ "3", NULL, 1 },          /* odd number of digits */
	{ "3 B", NULL, 1 },        /* separator inside a byte */
	{ "3G", NULL, 1 },         /* not hex */
	{ "0x3B", NULL, 1 },       /* no prefix */
	{ "3B-DB", NULL, 2 },
};

START_TEST(hex_table)
{
	nid_buf b;
	size_t bad = 99;
	int rc;

	nid_buf_init(&b, 1024);
	rc = nid_hex_decode(hex_vectors[_i].in, &b, &bad);
	if (hex_vectors[_i].out == NULL) {
		ck_assert_int_eq(rc, NID_E_BAD_HEX);
		ck_assert_uint_eq(bad, hex_vectors[_i].bad_pos);
		ck_assert_uint_eq(b.len, 0);
	} else {
		ck_assert_int_eq(rc, NID_OK);
		tu_assert_hex(b.p, b.len, hex_vectors[_i].out);
	}
	nid_buf_clear(&b);
}
END_TEST

/* ---- BER-TLV --------------------------------------------------------- */
/*
 * Vectors: ISO/IEC 7816-4 §5.2 tag and length rules; the LDS tags of ICAO
 * 9303-10 §4.6 (EF.COM '60', DG1 '61', '5F1F', '7F61', '7F2E').
 */
static const struct {
	const char *in;
	unsigned flags;
	int rc;
	uint32_t tag;
	size_t vlen;
	size_t rest; /* bytes left after the TLV */
} tlv_vectors[] = {
	{ "5F1F03414243", 0, NID_OK, 0x5f1f, 3, 0 },
	{ "7F6100", 0, NID_OK, 0x7f61, 0, 0 },
	{ "5F1F8103414243", 0, NID_OK, 0x5f1f, 3, 0 },         /* non-minimal, lenient */
	{ "5F1F8103414243", NID_TLV_STRICT, NID_E_BAD_TLV, 0, 0, 0 },
	{ "60820003010203", 0, NID_OK, 0x60, 3, 0 },
	{ "60820003010203", NID_TLV_STRICT, NID_E_BAD_TLV, 0, 0, 0 },
	{ "6081800102", 0, NID_E_TRUNCATED, 0, 0, 0 },         /* length past the end */
	{ "6080", 0, NID_E_BAD_TLV, 0, 0, 0 },                 /* indefinite */
	{ "6085000000000000", 0, NID_E_BAD_TLV, 0, 0, 0 },     /* 5 length bytes */
	{ "5F", 0, NID_E_TRUNCATED, 0, 0, 0 },                 /* tag cut */
	{ "5F1F", 0, NID_E_TRUNCATED, 0, 0, 0 },               /* length missing */
	{ "5F1F82", 0, NID_E_TRUNCATED, 0, 0, 0 },             /* length cut */
	{ "5F8001", 0, NID_E_BAD_TLV, 0, 0, 0 },               /* zero-padded tag */
	{ "5F0100", NID_TLV_STRICT, NID_OK, 0x5f01, 0, 0 },  /* ICAO LDS version tag */
	{ "5F0500", 0, NID_OK, 0x5f05, 0, 0 },
	{ "7F81818100", 0, NID_E_BAD_TLV, 0, 0, 0 },           /* 4-byte tag */
	{ "0000", 0, NID_E_BAD_TLV, 0, 0, 0 },                 /* padding byte */
	{ "FF00", 0, NID_E_BAD_TLV, 0, 0, 0 },
	{ "8001AA8102BBCC", 0, NID_OK, 0x80, 1, 4 },
	{ "04830100000000", 0, NID_E_TRUNCATED, 0, 0, 0 },     /* 64 KiB announced */
};

START_TEST(tlv_table)
{
	nid_buf in = tu_hex(tlv_vectors[_i].in);
	nid_cur c = nid_buf_cur(&in), v = { NULL, 0 };
	uint32_t tag = 0;
	int rc;

	rc = nid_tlv_next(&c, tlv_vectors[_i].flags, &tag, &v);
	ck_assert_msg(rc == tlv_vectors[_i].rc, "%s: rc %s want %s",
	    tlv_vectors[_i].in, nid_strerror_name(rc),
	    nid_strerror_name(tlv_vectors[_i].rc));
	if (rc == NID_OK) {
		ck_assert_uint_eq(tag, tlv_vectors[_i].tag);
		ck_assert_uint_eq(v.len, tlv_vectors[_i].vlen);
		ck_assert_uint_eq(c.len, tlv_vectors[_i].rest);
	} else
		ck_assert_uint_eq(c.len, in.len); /* cursor untouched */
	nid_buf_clear(&in);
}
END_TEST

START_TEST(tlv_nested_and_find)
{
	/* DG1 as ICAO 9303-10 §4.7.1: 61 { 5F1F MRZ } */
	/* TD1 specimen MRZ of ICAO 9303-5 Appendix A (90 characters) */
	nid_buf in = tu_hex("615D5F1F5A493C55544F4432333134353839303C373334393C3C3C3C3C3C3C3C3C3C3C"
	    "333430373132374D3935303731323255544F3C3C3C3C3C3C3C3C3C3C3C32"
	    "53544556454E534F4E3C3C50455445523C4A4F484E3C3C3C3C3C3C3C3C3C");
	nid_cur v, mrz;
	int found = -1;
	size_t total = 0;

	ck_assert_int_eq(nid_tlv_single(in.p, in.len, NID_TLV_STRICT, 0x61, &v),
	    NID_OK);
	ck_assert_int_eq(nid_tlv_find(v, 0, 0x5f1f, &mrz, &found), NID_OK);
	ck_assert_int_eq(found, 1);
	ck_assert_uint_eq(mrz.len, 90);
	ck_assert_int_eq(nid_tlv_find(v, 0, 0x5f20, &mrz, &found), NID_OK);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(nid_tlv_total_len(in.p, 4, &total), NID_OK);
	ck_assert_uint_eq(total, in.len);
	/* Trailing bytes after a single structure are rejected. */
	ck_assert_int_eq(nid_buf_put_u8(&in, 0x00), NID_OK);
	ck_assert_int_eq(nid_tlv_single(in.p, in.len, 0, 0x61, &v),
	    NID_E_TRAILING);
	/* Wrong outer tag. */
	ck_assert_int_eq(nid_tlv_single(in.p, in.len - 1, 0, 0x6e, &v),
	    NID_E_BAD_TLV);
	ck_assert_int_eq(nid_tlv_constructed(0x61), 1);
	ck_assert_int_eq(nid_tlv_constructed(0x5f1f), 0);
	ck_assert_int_eq(nid_tlv_constructed(0x7f61), 1);
	nid_buf_clear(&in);
}
END_TEST

static const struct {
	uint32_t tag;
	size_t len;
	const char *hdr;
} tlv_put_vectors[] = {
	{ 0x80, 0, "8000" },
	{ 0x80, 0x7f, "807F" },
	{ 0x80, 0x80, "808180" },
	{ 0x5f1f, 0xff, "5F1F81FF" },
	{ 0x7f61, 0x100, "7F61820100" },
	{ 0x77, 0xffff, "7782FFFF" },
	{ 0x77, 0x10000, "7783010000" },
	{ 0x77, 0x1000000, "778401000000" },
	{ 0x5f8f01, 1, "5F8F0101" },
};

START_TEST(tlv_put_table)
{
	nid_buf b;
	nid_cur c, v;
	uint32_t tag;

	nid_buf_init(&b, 64);
	ck_assert_int_eq(nid_tlv_put_header(&b, tlv_put_vectors[_i].tag,
	    tlv_put_vectors[_i].len), NID_OK);
	tu_assert_hex(b.p, b.len, tlv_put_vectors[_i].hdr);
	ck_assert_uint_eq(nid_tlv_header_size(tlv_put_vectors[_i].tag,
	    tlv_put_vectors[_i].len), b.len);
	/* What we write, the strict reader reads back (header only). */
	c = nid_buf_cur(&b);
	if (tlv_put_vectors[_i].len == 0) {
		ck_assert_int_eq(nid_tlv_next(&c, NID_TLV_STRICT, &tag, &v),
		    NID_OK);
		ck_assert_uint_eq(tag, tlv_put_vectors[_i].tag);
	}
	nid_buf_clear(&b);
}
END_TEST

/*
 * Truncation and bit-flip loops over a valid nested structure: every
 * prefix must fail cleanly, every single-bit change must either parse or
 * fail with a parse error, never read outside the input (ASan checks
 * that in the sanitizer build).
 */
static int
walk(nid_cur c, int depth)
{
	nid_cur v;
	uint32_t tag;
	int rc;

	while (c.len > 0) {
		if ((rc = nid_tlv_next(&c, NID_TLV_STRICT, &tag, &v)) != NID_OK)
			return rc;
		if (nid_tlv_constructed(tag) && depth < 16 &&
		    (rc = walk(v, depth + 1)) != NID_OK)
			return rc;
	}
	return NID_OK;
}

START_TEST(tlv_truncate_and_flip)
{
	/* EF.COM per ICAO 9303-10 §4.6.1: 60 { 5F01 "0107", 5F36 "040000", 5C 61 75 6E } */
	nid_buf in = tu_hex("60155F0104303130375F36063034303030305C03617563");
	size_t n, bit;
	uint8_t *copy;
	int rc;

	ck_assert_int_eq(walk(nid_buf_cur(&in), 0), NID_OK);
	for (n = 0; n < in.len; n++) {
		nid_cur c;
		copy = malloc(n ? n : 1);
		memcpy(copy, in.p, n);
		nid_cur_init(&c, copy, n);
		rc = walk(c, 0);
		ck_assert_msg(n == 0 ? rc == NID_OK : rc != NID_OK,
		    "prefix %zu parsed", n);
		free(copy);
	}
	copy = malloc(in.len);
	for (bit = 0; bit < in.len * 8; bit++) {
		nid_cur c;
		memcpy(copy, in.p, in.len);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		nid_cur_init(&c, copy, in.len);
		rc = walk(c, 0);
		ck_assert(rc == NID_OK || rc == NID_E_TRUNCATED ||
		    rc == NID_E_BAD_TLV || rc == NID_E_TRAILING);
	}
	free(copy);
	nid_buf_clear(&in);
}
END_TEST

/* ---- APDU encoding, ISO/IEC 7816-4 §5.1 ------------------------------ */

static const uint8_t apdu_data300[300] = { 0 };

static const struct {
	const char *name;
	uint8_t ins;
	size_t nc;
	size_t ne;
	int extended;
	const char *hex; /* for nc > 8 only the prefix is compared */
	size_t total;
} apdu_vectors[] = {
	{ "case 1", 0x84, 0, 0, 0, "00840000", 4 },
	{ "case 2S Le=8", 0x84, 0, 8, 0, "0084000008", 5 },
	{ "case 2S Le=256", 0xb0, 0, 256, 0, "00B0000000", 5 },
	{ "case 2E Le=257", 0xb0, 0, 257, 0, "00B00000000101", 7 },
	{ "case 2E Le=65536", 0xb0, 0, 65536, 0, "00B00000000000", 7 },
	{ "case 2E forced", 0xb0, 0, 8, 1, "00B00000000008", 7 },
	{ "case 3S", 0xa4, 2, 0, 0, "00A40000020000", 7 },
	{ "case 4S", 0xa4, 2, 256, 0, "00A4000002000000", 8 },
	{ "case 3E", 0xa4, 300, 0, 0, "00A40000" "00012C", 4 + 3 + 300 },
	{ "case 4E", 0xa4, 300, 65536, 0, "00A40000" "00012C", 4 + 3 + 300 + 2 },
	{ "case 4E forced", 0xa4, 2, 1, 1, "00A400000000020000" "0001", 11 },
};

START_TEST(apdu_table)
{
	nid_apdu a = { 0x00, apdu_vectors[_i].ins, 0x00, 0x00, apdu_data300,
	    apdu_vectors[_i].nc, apdu_vectors[_i].ne };
	nid_apdu back;
	nid_buf b, want = tu_hex(apdu_vectors[_i].hex);
	int ext = -1;

	nid_buf_init(&b, 70000);
	ck_assert_int_eq(nid_apdu_encode(&a, apdu_vectors[_i].extended, &b),
	    NID_OK);
	ck_assert_uint_eq(b.len, apdu_vectors[_i].total);
	ck_assert_msg(memcmp(b.p, want.p, want.len) == 0, "%s",
	    apdu_vectors[_i].name);
	/* Decode gives back the same fields. */
	ck_assert_int_eq(nid_apdu_decode(b.p, b.len, &back, &ext), NID_OK);
	ck_assert_uint_eq(back.ins, a.ins);
	ck_assert_uint_eq(back.nc, a.nc);
	ck_assert_uint_eq(back.ne, a.ne);
	ck_assert_int_eq(ext, apdu_vectors[_i].extended ||
	    nid_apdu_needs_extended(&a));
	nid_buf_clear(&b);
	nid_buf_clear(&want);
}
END_TEST

static const char *apdu_bad[] = {
	"",
	"00",
	"00A400",
	"00A400000200",        /* Lc 2, one byte */
	"00A40000020000000000",/* Lc 2, data, two extra bytes */
	"00B000000000",        /* 6 bytes with 00 at byte 5: neither form */
	"00A4000000000001",    /* extended Lc 0 */
	"00A400000000020000FF",/* 4E with one Le byte */
};

START_TEST(apdu_decode_bad)
{
	nid_buf in = tu_hex(apdu_bad[_i]);
	nid_apdu a;
	int rc = nid_apdu_decode(in.p, in.len, &a, NULL);

	ck_assert_msg(rc == NID_E_MALFORMED, "%s decoded", apdu_bad[_i]);
	nid_buf_clear(&in);
}
END_TEST

START_TEST(apdu_encode_limits)
{
	nid_apdu a = { 0, 0xb0, 0, 0, NULL, 0, 65537 };
	nid_buf b;

	nid_buf_init(&b, 16);
	ck_assert_int_eq(nid_apdu_encode(&a, 0, &b), NID_E_INVALID_ARG);
	a.ne = 0;
	a.nc = 3; /* data NULL */
	ck_assert_int_eq(nid_apdu_encode(&a, 0, &b), NID_E_INVALID_ARG);
	ck_assert_uint_eq(b.len, 0);
	nid_buf_clear(&b);
}
END_TEST

/* ---- errors ---------------------------------------------------------- */

START_TEST(err_names)
{
	ck_assert_str_eq(nid_strerror_name(NID_E_CARD_REMOVED),
	    "NID_E_CARD_REMOVED");
	ck_assert_str_eq(nid_strerror(NID_E_CARD_REMOVED),
	    "card removed during the operation");
	ck_assert_str_eq(nid_strerror_name(12345), "NID_E_UNKNOWN");
	ck_assert_str_eq(nid_strerror_name(NID_OK), "NID_OK");
}
END_TEST

static Suite *
bytes_suite(void)
{
	Suite *s = suite_create("bytes");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, cur_reads_and_truncation);
	tcase_add_test(tc, buf_cap_enforced);
	tcase_add_loop_test(tc, hex_table, 0, (int)NID_NELEM(hex_vectors));
	tcase_add_loop_test(tc, tlv_table, 0, (int)NID_NELEM(tlv_vectors));
	tcase_add_test(tc, tlv_nested_and_find);
	tcase_add_loop_test(tc, tlv_put_table, 0, (int)NID_NELEM(tlv_put_vectors));
	tcase_add_test(tc, tlv_truncate_and_flip);
	tcase_add_loop_test(tc, apdu_table, 0, (int)NID_NELEM(apdu_vectors));
	tcase_add_loop_test(tc, apdu_decode_bad, 0, (int)NID_NELEM(apdu_bad));
	tcase_add_test(tc, apdu_encode_limits);
	tcase_add_test(tc, err_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(bytes_suite());
}
