/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_lds.c — LDS parsers (lds.c): EF.COM, DG1, DG2, DG7, DG11, DG12,
 * DG15 and the image helpers.
 *
 * Sources: EF.COM of ICAO 9303-11 Appendix D.4 (vectors file
 * ../shared/vectors/icao-9303-11-worked-examples.md §1.4); the ICAO 9303
 * specimen MRZs (vectors file §1.6: TD3 ERIKSSON/L898902C3, TD1
 * STEVENSON/D23145890734); DG2/DG7/DG11 built here from the specimen data
 * with the layouts of ICAO 9303-10 §4.7 and ISO/IEC 19794-5:2005 §5;
 * the real DG12 (FR) and DG15 (NZ) of ../shared/corpus/realworld-sod,
 * read at run time.
 */
#include "config.h"

#include <openssl/evp.h>

#include "testutil.h"
#include "lds.h"

static void
put_tlv(nid_buf *b, uint32_t tag, const void *v, size_t n)
{
	ck_assert_int_eq(nid_tlv_put(b, tag, v, n), NID_OK);
}

/* b := tag ‖ len ‖ b */
static void
wrap(nid_buf *b, uint32_t tag)
{
	nid_buf t;

	nid_buf_init(&t, NID_BUF_MAX_DEFAULT);
	put_tlv(&t, tag, b->p, b->len);
	nid_buf_clear(b);
	*b = t;
}

/* ---- EF.COM ---- */

static const struct {
	const char *hex;
	int rc;
} com_vectors[] = {
	/* ICAO 9303-11 Appendix D.4 (vectors file §1.4): "0106", "040000", DG1, DG2. */
	{ "60145F0104303130365F36063034303030305C026175", NID_OK },
	{ "60145F0104303130365F36063034303030305C026199", NID_E_MALFORMED },   /* 99 no DG */
	{ "60145F0104303130365F36063034303030305C026161", NID_E_MALFORMED },   /* DG1 twice */
	{ "600B5F0104303130365C026175", NID_E_BAD_TLV },                        /* 5F36 missing */
	{ "60145F0104303130365F36063034303030305C02617500", NID_E_TRAILING },
	{ "60155F0104303130365F36063034303030305C0261755F", NID_E_TRAILING },   /* bytes after 5C */
	{ "60145F01043031303A5F36063034303030305C026175", NID_E_MALFORMED },   /* not digits */
	{ "60135F01033031305F36063034303030305C026175", NID_E_MALFORMED },     /* 3-digit version */
	{ "61145F0104303130365F36063034303030305C026175", NID_E_BAD_TLV },      /* not 60 */
	{ "60", NID_E_TRUNCATED },
};

START_TEST(com_table)
{
	nid_buf b = tu_hex(com_vectors[_i].hex);
	struct nid_lds_com com;
	size_t n;
	int rc;

	rc = nid_lds_com_parse(b.p, b.len, &com);
	ck_assert_msg(rc == com_vectors[_i].rc, "row %d: rc %d want %d", _i, rc,
	    com_vectors[_i].rc);
	if (rc == NID_OK) {
		ck_assert_str_eq(com.lds_version, "0106");
		ck_assert_str_eq(com.unicode_version, "040000");
		ck_assert_uint_eq(com.ndg, 2);
		ck_assert_uint_eq(com.dgs[0], 1);
		ck_assert_uint_eq(com.dgs[1], 2);
		/* Every truncation fails. */
		for (n = 0; n < b.len; n++)
			ck_assert_int_ne(nid_lds_com_parse(b.p, n, &com), NID_OK);
	} else
		ck_assert_uint_eq(com.ndg, 0);
	nid_buf_clear(&b);
}
END_TEST

START_TEST(tags_and_sizes)
{
	nid_buf h;
	size_t t = 1;
	unsigned dg;

	/* ICAO 9303-10 table 34. */
	ck_assert_uint_eq(nid_lds_dg_tag(1), 0x61);
	ck_assert_uint_eq(nid_lds_dg_tag(2), 0x75);
	ck_assert_uint_eq(nid_lds_dg_tag(4), 0x76);
	ck_assert_uint_eq(nid_lds_dg_tag(14), 0x6e);
	ck_assert_uint_eq(nid_lds_dg_tag(16), 0x70);
	ck_assert_uint_eq(nid_lds_dg_tag(17), 0);
	for (dg = 1; dg <= 16; dg++)
		ck_assert_uint_eq(nid_lds_tag_dg(nid_lds_dg_tag(dg)), dg);
	ck_assert_uint_eq(nid_lds_tag_dg(0x77), 0);

	/* A DG2 announcing 16 MB is refused from its header alone. */
	h = tu_hex("7584010000000000");
	ck_assert_int_eq(nid_lds_file_size(2, h.p, h.len, &t), NID_E_TOO_LARGE);
	ck_assert_uint_eq(t, 0);
	nid_buf_clear(&h);
	h = tu_hex("75830FFFFC");  /* 1 MiB - 4 + 5 header: over by one */
	ck_assert_int_eq(nid_lds_file_size(2, h.p, h.len, &t), NID_E_TOO_LARGE);
	nid_buf_clear(&h);
	h = tu_hex("75830FFFFB");  /* exactly 1 MiB */
	ck_assert_int_eq(nid_lds_file_size(2, h.p, h.len, &t), NID_OK);
	ck_assert_uint_eq(t, 1024 * 1024);
	nid_buf_clear(&h);
	h = tu_hex("6182FFFF");    /* DG1 over 1 KiB */
	ck_assert_int_eq(nid_lds_file_size(1, h.p, h.len, &t), NID_E_TOO_LARGE);
	nid_buf_clear(&h);
	h = tu_hex("615B5F1F");    /* DG1 of a TD3 */
	ck_assert_int_eq(nid_lds_file_size(1, h.p, h.len, &t), NID_OK);
	ck_assert_uint_eq(t, 93);
	ck_assert_int_eq(nid_lds_file_size(2, h.p, h.len, &t), NID_E_MALFORMED);
	ck_assert_int_eq(nid_lds_file_size(1, h.p, 1, &t), NID_E_TRUNCATED);
	ck_assert_int_eq(nid_lds_file_size(17, h.p, h.len, &t), NID_E_INVALID_ARG);
	nid_buf_clear(&h);
	h = tu_hex("6E82017E");    /* the Austrian DG14 header */
	ck_assert_int_eq(nid_lds_file_size(14, h.p, h.len, &t), NID_OK);
	ck_assert_uint_eq(t, 386);
	nid_buf_clear(&h);
}
END_TEST

/* ---- DG1 ---- */

static const struct {
	const char *mrz;       /* lines concatenated, as DG1 stores them */
	enum nid_mrz_format format;
	const char *doc, *info;
} dg1_vectors[] = {
	/* TD3 specimen, vectors file §1.6 (MRZ_information from gmrtd). */
	{ "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
	  "L898902C36UTO7408122F1204159ZE184226B<<<<<10", NID_MRZ_TD3,
	  "L898902C3", "L898902C3674081221204159" },
	/* TD1 specimen with a 12-character document number (§1.6). */
	{ "I<UTOD23145890<7349<<<<<<<<<<<"
	  "3407127M9507122UTO<<<<<<<<<<<2"
	  "STEVENSON<<PETER<JOHN<<<<<<<<<", NID_MRZ_TD1,
	  "D23145890734", "D23145890734934071279507122" },
	/* TD2 specimen (§1.6). */
	{ "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<"
	  "D23145890<UTO3407127M95071227349<<<8", NID_MRZ_TD2,
	  "D23145890734", "D23145890734934071279507122" },
};

START_TEST(dg1_specimens)
{
	const char *mrz = dg1_vectors[_i].mrz;
	struct nid_lds_dg1 d;
	char info[NID_MRZ_INFO_MAX];
	nid_buf b;
	size_t n;

	nid_buf_init(&b, 1024);
	put_tlv(&b, 0x5f1f, mrz, strlen(mrz));
	wrap(&b, 0x61);
	ck_assert_int_eq(nid_lds_dg1_parse(b.p, b.len, &d), NID_OK);
	ck_assert_uint_eq(d.mrz_raw.len, strlen(mrz));
	ck_assert_int_eq(d.mrz.format, dg1_vectors[_i].format);
	ck_assert_str_eq(d.mrz.doc_number, dg1_vectors[_i].doc);
	ck_assert_int_eq(nid_mrz_bac_info(&d.mrz, info, sizeof(info)), NID_OK);
	ck_assert_str_eq(info, dg1_vectors[_i].info);
	nid_lds_dg1_clear(&d);
	for (n = 0; n < b.len; n++)
		ck_assert_int_ne(nid_lds_dg1_parse(b.p, n, &d), NID_OK);
	/* A lower-case letter, a trailing byte. */
	b.p[10] = 'a';
	ck_assert_int_eq(nid_lds_dg1_parse(b.p, b.len, &d), NID_E_MALFORMED);
	b.p[10] = 'A';
	ck_assert_int_eq(nid_buf_put_u8(&b, 0), NID_OK);
	ck_assert_int_eq(nid_lds_dg1_parse(b.p, b.len, &d), NID_E_TRAILING);
	nid_buf_clear(&b);

	/* 61 without 5F1F, and 5F1F followed by another object. */
	b = tu_hex("61035F2000");
	ck_assert_int_ne(nid_lds_dg1_parse(b.p, b.len, &d), NID_OK);
	nid_buf_clear(&b);
	b = tu_hex("61065F1F01415300");
	ck_assert_int_eq(nid_lds_dg1_parse(b.p, b.len, &d), NID_E_TRAILING);
	nid_buf_clear(&b);
}
END_TEST

/* ---- images ---- */

/* A JPEG head (ISO/IEC 10918-1): SOI, APP0 JFIF, SOF0 20×16, SOS, EOI.
 * Synthetic: only the markers the size reader uses. */
#define JPEG_20x16 \
	"FFD8" "FFE000104A46494600010100000100010000" \
	"FFC0001108" "0014" "0010" "03012200021101031101" \
	"FFDA000C03010002110311003F00" "D2CF20" "FFD9"
/* A JP2 file (ISO/IEC 15444-1 §I.5): signature, ftyp, jp2h { ihdr
 * 40×30 (HEIGHT 30, WIDTH 40) }, then an empty codestream box. */
#define JP2_40x30 \
	"0000000C6A5020200D0A870A" \
	"00000014667479706A703220000000006A703220" \
	"0000002D6A703268" "00000016696864720000001E00000028000307070000" \
	"0000000F636F6C720100000000000" "0" \
	"000000086A703263"
/* A J2K codestream: SOC, SIZ with Xsiz 100, Ysiz 50, offsets 0. */
#define J2K_100x50 \
	"FF4FFF51002F0000" "00000064" "00000032" "00000000" "00000000" \
	"0000006400000032" "0000000000000000" "0001070101"

START_TEST(image_helpers)
{
	nid_buf j = tu_hex(JPEG_20x16), p = tu_hex(JP2_40x30), k = tu_hex(J2K_100x50);
	unsigned w = 1, h = 1;
	size_t n;

	ck_assert_int_eq(nid_lds_img_sniff(j.p, j.len), NID_LDS_IMG_JPEG);
	ck_assert_int_eq(nid_lds_img_size(j.p, j.len, &w, &h), NID_OK);
	ck_assert_uint_eq(w, 16);
	ck_assert_uint_eq(h, 20);
	ck_assert_int_eq(nid_lds_img_sniff(p.p, p.len), NID_LDS_IMG_JP2);
	ck_assert_int_eq(nid_lds_img_size(p.p, p.len, &w, &h), NID_OK);
	ck_assert_uint_eq(w, 40);
	ck_assert_uint_eq(h, 30);
	ck_assert_int_eq(nid_lds_img_sniff(k.p, k.len), NID_LDS_IMG_J2K);
	ck_assert_int_eq(nid_lds_img_size(k.p, k.len, &w, &h), NID_OK);
	ck_assert_uint_eq(w, 100);
	ck_assert_uint_eq(h, 50);
	ck_assert_str_eq(nid_lds_img_format_name(NID_LDS_IMG_JP2), "jp2");
	/* Truncated before the size: refused, outputs zero. */
	for (n = 0; n < 30; n++) {
		ck_assert_int_ne(nid_lds_img_size(j.p, n, &w, &h), NID_OK);
		ck_assert_uint_eq(w, 0);
	}
	for (n = 0; n < 60; n++)
		ck_assert_int_ne(nid_lds_img_size(p.p, n, &w, &h), NID_OK);
	for (n = 0; n < 24; n++)
		ck_assert_int_ne(nid_lds_img_size(k.p, n, &w, &h), NID_OK);
	/* Not an image. */
	ck_assert_int_eq(nid_lds_img_size((const uint8_t *)"GIF89a", 6, &w, &h),
	    NID_E_MALFORMED);
	nid_buf_clear(&j);
	nid_buf_clear(&p);
	nid_buf_clear(&k);
}
END_TEST

/* ---- DG2 ---- */

/* ISO/IEC 19794-5:2005 record with one image (width, height in the
 * header; data type 0 JPEG / 1 JPEG 2000). */
static void
fac_record(nid_buf *out, const char *version, uint8_t type, unsigned w,
    unsigned h, const nid_buf *img, uint16_t nimg)
{
	uint32_t blk = 20 + 12 + (uint32_t)img->len;

	ck_assert_int_eq(nid_buf_put(out, "FAC", 4), NID_OK);
	ck_assert_int_eq(nid_buf_put(out, version, 4), NID_OK);
	ck_assert_int_eq(nid_buf_put_be32(out, 14 + blk), NID_OK);
	ck_assert_int_eq(nid_buf_put_be16(out, nimg), NID_OK);
	/* Facial information: length, 0 feature points, gender 2 (F),
	 * eye/hair unspecified, mask, expression, pose, uncertainty. */
	ck_assert_int_eq(nid_buf_put_be32(out, blk), NID_OK);
	{
		nid_buf fi = tu_hex("0000" "02" "00" "00" "000000" "0000"
		    "000000" "000000");

		ck_assert_int_eq(nid_buf_put(out, fi.p, fi.len), NID_OK);
		nid_buf_clear(&fi);
	}
	/* Image information: full frontal (1), type, w, h, colour 1,
	 * source 2, device 0, quality 0. */
	ck_assert_int_eq(nid_buf_put_u8(out, 1), NID_OK);
	ck_assert_int_eq(nid_buf_put_u8(out, type), NID_OK);
	ck_assert_int_eq(nid_buf_put_be16(out, (uint16_t)w), NID_OK);
	ck_assert_int_eq(nid_buf_put_be16(out, (uint16_t)h), NID_OK);
	{
		nid_buf ii = tu_hex("01" "02" "0000" "0000");

		ck_assert_int_eq(nid_buf_put(out, ii.p, ii.len), NID_OK);
		nid_buf_clear(&ii);
	}
	ck_assert_int_eq(nid_buf_put(out, img->p, img->len), NID_OK);
}

/* 75 { 7F61 { 02 01 n, 7F60 { A1 { 81 01 02 (type: face) }, bdb_tag bdb } × n } } */
static void
dg2(nid_buf *out, uint32_t bdb_tag, const nid_buf *bdb, unsigned n)
{
	nid_buf bigt, bit;
	uint8_t cnt = (uint8_t)n;
	unsigned i;

	nid_buf_init(&bigt, NID_BUF_MAX_DEFAULT);
	put_tlv(&bigt, 0x02, &cnt, 1);
	for (i = 0; i < n; i++) {
		nid_buf_init(&bit, NID_BUF_MAX_DEFAULT);
		{
			nid_buf hdr = tu_hex("810102" "8701" "01" "88020008");

			put_tlv(&bit, 0xa1, hdr.p, hdr.len);
			nid_buf_clear(&hdr);
		}
		put_tlv(&bit, bdb_tag, bdb->p, bdb->len);
		put_tlv(&bigt, 0x7f60, bit.p, bit.len);
		nid_buf_clear(&bit);
	}
	wrap(&bigt, 0x7f61);
	wrap(&bigt, 0x75);
	*out = bigt;
}

START_TEST(dg2_19794)
{
	nid_buf jpeg = tu_hex(JPEG_20x16), jp2 = tu_hex(JP2_40x30), rec, d;
	struct nid_lds_dg2 f;

	/* JPEG, header size 240×320 (the header's values are reported). */
	nid_buf_init(&rec, 65536);
	fac_record(&rec, "010", 0, 240, 320, &jpeg, 1);
	dg2(&d, 0x5f2e, &rec, 1);
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_OK);
	ck_assert_uint_eq(f.nfaces, 1);
	ck_assert_int_eq(f.faces[0].iso39794, 0);
	ck_assert_int_eq(f.faces[0].format, NID_LDS_IMG_JPEG);
	ck_assert_int_eq(f.faces[0].declared_type, 0);
	ck_assert_uint_eq(f.faces[0].width, 240);
	ck_assert_uint_eq(f.faces[0].height, 320);
	ck_assert_uint_eq(f.faces[0].image.len, jpeg.len);
	ck_assert_mem_eq(f.faces[0].image.p, jpeg.p, jpeg.len);
	/* The image is borrowed from the DG2 bytes. */
	ck_assert(f.faces[0].image.p > d.p && f.faces[0].image.p < d.p + d.len);
	nid_buf_clear(&d);
	/* Two instances. */
	dg2(&d, 0x5f2e, &rec, 2);
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_OK);
	ck_assert_uint_eq(f.nfaces, 2);
	nid_buf_clear(&d);
	nid_buf_clear(&rec);

	/* JPEG 2000. */
	nid_buf_init(&rec, 65536);
	fac_record(&rec, "010", 1, 40, 30, &jp2, 1);
	dg2(&d, 0x5f2e, &rec, 1);
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_OK);
	ck_assert_int_eq(f.faces[0].format, NID_LDS_IMG_JP2);
	ck_assert_int_eq(f.faces[0].declared_type, 1);
	nid_buf_clear(&d);
	nid_buf_clear(&rec);

	/* Version 030 is another layout: refused, not misread. */
	nid_buf_init(&rec, 65536);
	fac_record(&rec, "030", 0, 240, 320, &jpeg, 1);
	dg2(&d, 0x5f2e, &rec, 1);
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_E_UNSUPPORTED);
	ck_assert_uint_eq(f.nfaces, 0);
	nid_buf_clear(&d);
	nid_buf_clear(&rec);

	/* Record length one too many. */
	nid_buf_init(&rec, 65536);
	fac_record(&rec, "010", 0, 240, 320, &jpeg, 1);
	rec.p[11]++;
	dg2(&d, 0x5f2e, &rec, 1);
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_E_MALFORMED);
	nid_buf_clear(&d);
	nid_buf_clear(&rec);

	/* Zero images in the record; 'FAX\0'. */
	nid_buf_init(&rec, 65536);
	fac_record(&rec, "010", 0, 240, 320, &jpeg, 0);
	dg2(&d, 0x5f2e, &rec, 1);
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_E_MALFORMED);
	nid_buf_clear(&d);
	rec.p[13] = 1;
	rec.p[2] = 'X';
	dg2(&d, 0x5f2e, &rec, 1);
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_E_MALFORMED);
	nid_buf_clear(&d);
	nid_buf_clear(&rec);
	nid_buf_clear(&jpeg);
	nid_buf_clear(&jp2);
}
END_TEST

/* An ISO/IEC 39794-5 block, DER, the image nested three levels down. */
START_TEST(dg2_39794)
{
	nid_buf jpeg = tu_hex(JPEG_20x16), k = tu_hex(J2K_100x50), bdb, d, in;
	struct nid_lds_dg2 f;

	nid_buf_init(&in, 65536);
	put_tlv(&in, 0x80, jpeg.p, jpeg.len);
	wrap(&in, 0xa0);
	{
		nid_buf ver = tu_hex("A003800100");

		nid_buf_init(&bdb, 65536);
		ck_assert_int_eq(nid_buf_put(&bdb, ver.p, ver.len), NID_OK);
		nid_buf_clear(&ver);
	}
	ck_assert_int_eq(nid_buf_put(&bdb, in.p, in.len), NID_OK);
	wrap(&bdb, 0x30);
	wrap(&bdb, 0xa1);
	dg2(&d, 0x7f2e, &bdb, 1);
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_OK);
	ck_assert_int_eq(f.faces[0].iso39794, 1);
	ck_assert_int_eq(f.faces[0].format, NID_LDS_IMG_JPEG);
	ck_assert_int_eq(f.faces[0].declared_type, -1);
	ck_assert_uint_eq(f.faces[0].width, 16);
	ck_assert_uint_eq(f.faces[0].height, 20);
	ck_assert_mem_eq(f.faces[0].image.p, jpeg.p, jpeg.len);
	nid_buf_clear(&d);
	nid_buf_clear(&bdb);
	nid_buf_clear(&in);

	/* A J2K codestream one level down. */
	nid_buf_init(&bdb, 65536);
	put_tlv(&bdb, 0x81, k.p, k.len);
	wrap(&bdb, 0xa1);
	dg2(&d, 0x7f2e, &bdb, 1);
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_OK);
	ck_assert_int_eq(f.faces[0].format, NID_LDS_IMG_J2K);
	ck_assert_uint_eq(f.faces[0].width, 100);
	nid_buf_clear(&d);
	nid_buf_clear(&bdb);

	/* No image inside; non-minimal DER length; nesting too deep. */
	bdb = tu_hex("A1053003800100");
	dg2(&d, 0x7f2e, &bdb, 1);
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_E_MALFORMED);
	nid_buf_clear(&d);
	nid_buf_clear(&bdb);
	bdb = tu_hex("A18103800100");
	dg2(&d, 0x7f2e, &bdb, 1);
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_E_BAD_TLV);
	nid_buf_clear(&d);
	nid_buf_clear(&bdb);
	{
		int i;

		nid_buf_init(&bdb, 65536);
		put_tlv(&bdb, 0x80, jpeg.p, jpeg.len);
		for (i = 0; i < 12; i++)
			wrap(&bdb, 0xa0);
		dg2(&d, 0x7f2e, &bdb, 1);
		ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f),
		    NID_E_TOO_LARGE);
		nid_buf_clear(&d);
		nid_buf_clear(&bdb);
	}
	nid_buf_clear(&jpeg);
	nid_buf_clear(&k);
}
END_TEST

START_TEST(dg2_negative_loops)
{
	nid_buf jpeg = tu_hex(JPEG_20x16), rec, d, x;
	struct nid_lds_dg2 f;
	size_t n, i;
	unsigned bit;
	int ok = 0;

	nid_buf_init(&rec, 65536);
	fac_record(&rec, "010", 0, 240, 320, &jpeg, 1);
	dg2(&d, 0x5f2e, &rec, 1);
	/* Every truncation fails. */
	for (n = 0; n < d.len; n++)
		ck_assert_int_ne(nid_lds_dg2_parse(d.p, n, &f), NID_OK);
	/* Every bit flip: a clean result, never a read past the end (ASan),
	 * and any accepted face lies inside the input. */
	for (i = 0; i < d.len; i++) {
		for (bit = 0; bit < 8; bit++) {
			d.p[i] ^= (uint8_t)(1u << bit);
			if (nid_lds_dg2_parse(d.p, d.len, &f) == NID_OK) {
				ok++;
				ck_assert(f.faces[0].image.p >= d.p &&
				    f.faces[0].image.p + f.faces[0].image.len <=
				    d.p + d.len);
			} else
				ck_assert_uint_eq(f.nfaces, 0);
			d.p[i] ^= (uint8_t)(1u << bit);
		}
	}
	ck_assert_int_gt(ok, 0);
	/* Count 0 and 9 (over the cap), a wrong outer tag. */
	x = tu_hex("7506 7F61 03 020100");
	ck_assert_int_eq(nid_lds_dg2_parse(x.p, x.len, &f), NID_E_MALFORMED);
	nid_buf_clear(&x);
	x = tu_hex("7506 7F61 03 020109");
	ck_assert_int_eq(nid_lds_dg2_parse(x.p, x.len, &f), NID_E_TOO_LARGE);
	nid_buf_clear(&x);
	d.p[0] = 0x76;
	ck_assert_int_eq(nid_lds_dg2_parse(d.p, d.len, &f), NID_E_BAD_TLV);
	/* A DG2 header announcing 16 MB over a few bytes: truncated, and
	 * nothing allocated (the parser never copies). */
	x = tu_hex("758401000000 7F61");
	ck_assert_int_eq(nid_lds_dg2_parse(x.p, x.len, &f), NID_E_TRUNCATED);
	nid_buf_clear(&x);
	nid_buf_clear(&d);
	nid_buf_clear(&rec);
	nid_buf_clear(&jpeg);
}
END_TEST

/* ---- DG7 ---- */

START_TEST(dg7)
{
	nid_buf jpeg = tu_hex(JPEG_20x16), d;
	struct nid_lds_dg7 s;
	uint8_t one = 1;
	size_t n;

	nid_buf_init(&d, 4096);
	put_tlv(&d, 0x02, &one, 1);
	put_tlv(&d, 0x5f43, jpeg.p, jpeg.len);
	wrap(&d, 0x67);
	ck_assert_int_eq(nid_lds_dg7_parse(d.p, d.len, &s), NID_OK);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_int_eq(s.format[0], NID_LDS_IMG_JPEG);
	ck_assert_uint_eq(s.image[0].len, jpeg.len);
	for (n = 0; n < d.len; n++)
		ck_assert_int_ne(nid_lds_dg7_parse(d.p, n, &s), NID_OK);
	/* Count says 2, one image present. */
	d.p[4] = 2;
	ck_assert_int_eq(nid_lds_dg7_parse(d.p, d.len, &s), NID_E_TRUNCATED);
	ck_assert_uint_eq(s.n, 0);
	nid_buf_clear(&d);
	nid_buf_clear(&jpeg);
}
END_TEST

/* ---- DG11 / DG12 ---- */

static void
dg11_specimen(nid_buf *d, const char *list_hex, int extra)
{
	nid_buf list = tu_hex(list_hex);

	nid_buf_init(d, 4096);
	put_tlv(d, 0x5c, list.p, list.len);
	/* ICAO specimen data (Utopia, ERIKSSON ANNA MARIA). */
	put_tlv(d, 0x5f0e, "ERIKSSON<<ANNA<MARIA", 20);
	put_tlv(d, 0x5f10, "ZE184226B", 9);
	put_tlv(d, 0x5f2b, "19740812", 8);
	put_tlv(d, 0x5f11, "ZENITH<UTO", 10);
	if (extra)
		put_tlv(d, 0x5f13, "PILOT", 5);
	wrap(d, 0x6b);
	nid_buf_clear(&list);
}

START_TEST(dg11)
{
	struct nid_lds_details det;
	const struct nid_lds_field *f;
	nid_buf d;
	size_t n;

	dg11_specimen(&d, "5F0E5F105F2B5F11", 0);
	ck_assert_int_eq(nid_lds_details_parse(11, d.p, d.len, &det), NID_OK);
	ck_assert_uint_eq(det.n, 4);
	f = nid_lds_details_get(&det, 0x5f0e);
	ck_assert_str_eq(f->name, "full_name");
	ck_assert_mem_eq(f->value.p, "ERIKSSON<<ANNA<MARIA", 20);
	f = nid_lds_details_get(&det, 0x5f2b);
	ck_assert_str_eq(f->name, "birth_date_full");
	ck_assert_uint_eq(f->value.len, 8);
	ck_assert_ptr_null(nid_lds_details_get(&det, 0x5f42));
	/* DG11 is not DG12. */
	ck_assert_int_ne(nid_lds_details_parse(12, d.p, d.len, &det), NID_OK);
	for (n = 0; n < d.len; n++)
		ck_assert_int_ne(nid_lds_details_parse(11, d.p, n, &det), NID_OK);
	nid_buf_clear(&d);

	/* Listed but absent; present but not listed; listed twice. */
	dg11_specimen(&d, "5F0E5F105F2B5F115F42", 0);
	ck_assert_int_eq(nid_lds_details_parse(11, d.p, d.len, &det), NID_E_MALFORMED);
	ck_assert_uint_eq(det.n, 0);
	nid_buf_clear(&d);
	dg11_specimen(&d, "5F0E5F105F2B5F11", 1);
	ck_assert_int_eq(nid_lds_details_parse(11, d.p, d.len, &det), NID_E_MALFORMED);
	nid_buf_clear(&d);
	dg11_specimen(&d, "5F0E5F105F2B5F115F11", 0);
	ck_assert_int_eq(nid_lds_details_parse(11, d.p, d.len, &det), NID_E_MALFORMED);
	nid_buf_clear(&d);
	/* A tag list whose last tag is cut in half. */
	dg11_specimen(&d, "5F0E5F105F2B5F", 0);
	ck_assert_int_eq(nid_lds_details_parse(11, d.p, d.len, &det), NID_E_TRUNCATED);
	nid_buf_clear(&d);
	ck_assert_int_eq(nid_lds_details_parse(13, NULL, 0, &det), NID_E_INVALID_ARG);
}
END_TEST

START_TEST(dg12_realworld)
{
	struct nid_lds_details det;
	const struct nid_lds_field *f;
	nid_buf d;
	size_t n;

	if (!tu_read_shared("corpus/realworld-sod/dg/FR/DG12.bin", &d)) {
		nid_buf_clear(&d);
		tu_skip("corpus/realworld-sod/dg/FR/DG12.bin");
	}
	/* French passport DG12: 5C { 5F19 5F26 }, issuing authority (42
	 * bytes), date of issue (8 digits). */
	ck_assert_int_eq(nid_lds_details_parse(12, d.p, d.len, &det), NID_OK);
	ck_assert_uint_eq(det.n, 2);
	f = nid_lds_details_get(&det, 0x5f19);
	ck_assert_str_eq(f->name, "issuing_authority");
	ck_assert_uint_eq(f->value.len, 42);
	f = nid_lds_details_get(&det, 0x5f26);
	ck_assert_str_eq(f->name, "issue_date");
	ck_assert_uint_eq(f->value.len, 8);
	for (n = 0; n < f->value.len; n++)
		ck_assert(f->value.p[n] >= '0' && f->value.p[n] <= '9');
	for (n = 0; n < d.len; n++)
		ck_assert_int_ne(nid_lds_details_parse(12, d.p, n, &det), NID_OK);
	nid_buf_clear(&d);
}
END_TEST

/* ---- DG15 ---- */

START_TEST(dg15_realworld)
{
	EVP_PKEY *pk = NULL;
	nid_buf d;
	size_t n;

	if (!tu_read_shared("corpus/realworld-sod/dg/NZ/DG15.bin", &d)) {
		nid_buf_clear(&d);
		tu_skip("corpus/realworld-sod/dg/NZ/DG15.bin");
	}
	/* New Zealand passport DG15: an RSA Active Authentication key with
	 * a 1792-bit modulus (openssl pkey -text). */
	ck_assert_int_eq(nid_lds_dg15_parse(d.p, d.len, &pk), NID_OK);
	ck_assert_int_eq(EVP_PKEY_get_base_id(pk), EVP_PKEY_RSA);
	ck_assert_int_eq(EVP_PKEY_get_bits(pk), 1792);
	EVP_PKEY_free(pk);
	pk = NULL;
	for (n = 0; n < d.len; n++) {
		ck_assert_int_ne(nid_lds_dg15_parse(d.p, n, &pk), NID_OK);
		ck_assert_ptr_null(pk);
	}
	/* A byte inside 6F after the SPKI. */
	{
		nid_buf e;
		nid_cur c;

		ck_assert_int_eq(nid_tlv_single(d.p, d.len, 0, 0x6f, &c), NID_OK);
		nid_buf_init(&e, 4096);
		ck_assert_int_eq(nid_buf_put(&e, c.p, c.len), NID_OK);
		ck_assert_int_eq(nid_buf_put_u8(&e, 0x00), NID_OK);
		wrap(&e, 0x6f);
		ck_assert_int_eq(nid_lds_dg15_parse(e.p, e.len, &pk), NID_E_TRAILING);
		ck_assert_ptr_null(pk);
		nid_buf_clear(&e);
	}
	nid_buf_clear(&d);
	/* Not a key. */
	d = tu_hex("6F0430020500");
	ck_assert_int_eq(nid_lds_dg15_parse(d.p, d.len, &pk), NID_E_MALFORMED);
	nid_buf_clear(&d);
}
END_TEST

static Suite *
lds_suite(void)
{
	Suite *s = suite_create("lds");
	TCase *tc = tcase_create("lds");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, com_table, 0, NID_NELEM(com_vectors));
	tcase_add_test(tc, tags_and_sizes);
	tcase_add_loop_test(tc, dg1_specimens, 0, NID_NELEM(dg1_vectors));
	tcase_add_test(tc, image_helpers);
	tcase_add_test(tc, dg2_19794);
	tcase_add_test(tc, dg2_39794);
	tcase_add_test(tc, dg2_negative_loops);
	tcase_add_test(tc, dg7);
	tcase_add_test(tc, dg11);
	tcase_add_test(tc, dg12_realworld);
	tcase_add_test(tc, dg15_realworld);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(lds_suite());
}
