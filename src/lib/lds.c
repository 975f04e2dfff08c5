/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * lds.c — ICAO 9303-10 LDS files: EF.COM and data groups 1, 2, 7, 11, 12,
 * 15 (§4.6, §4.7), ISO/IEC 19794-5 / 39794-5 face records, image sizes.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "lds.h"
#include "mrz.h"
#include "nid_internal.h"

/* ICAO 9303-10 §4.6.2 table 34. */
static const uint32_t nid_lds_tags[17] = {
	0x60, 0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
	0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70
};

uint32_t
nid_lds_dg_tag(unsigned dg)
{
	return dg >= 1 && dg <= 16 ? nid_lds_tags[dg] : 0;
}

unsigned
nid_lds_tag_dg(uint32_t tag)
{
	unsigned i;

	for (i = 1; i <= 16; i++)
		if (nid_lds_tags[i] == tag)
			return i;
	return 0;
}

size_t
nid_lds_max_size(unsigned dg)
{
	switch (dg) {
	case 0:
	case 1:
		return 1024;
	case 14:
		return 64 * 1024;
	case 15:
		return 16 * 1024;
	default:
		return 1024 * 1024;
	}
}

int
nid_lds_file_size(unsigned dg, const uint8_t *hdr, size_t hdr_len,
    size_t *total)
{
	uint32_t want = dg == 0 ? NID_LDS_TAG_COM : nid_lds_dg_tag(dg);
	nid_cur c;
	uint8_t b;
	size_t t;
	int rc;

	*total = 0;
	if (want == 0)
		return NID_E_INVALID_ARG;
	nid_cur_init(&c, hdr, hdr_len);
	if ((rc = nid_cur_peek_u8(&c, &b)) != NID_OK)
		return rc;
	if (b != want) /* every LDS outer tag is one byte */
		return NID_E_MALFORMED;
	if ((rc = nid_tlv_total_len(hdr, hdr_len, &t)) != NID_OK)
		return rc;
	if (t > nid_lds_max_size(dg))
		return NID_E_TOO_LARGE;
	*total = t;
	return NID_OK;
}

/* The whole file must be one TLV with the outer tag, within the cap. */
static int
outer(unsigned dg, const uint8_t *p, size_t len, nid_cur *v)
{
	uint32_t tag = dg == 0 ? NID_LDS_TAG_COM : nid_lds_dg_tag(dg);

	if (p == NULL || len == 0)
		return NID_E_TRUNCATED;
	if (len > nid_lds_max_size(dg))
		return NID_E_TOO_LARGE;
	return nid_tlv_single(p, len, 0, tag, v);
}

static int
all_digits(const nid_cur *v)
{
	size_t i;

	for (i = 0; i < v->len; i++)
		if (v->p[i] < '0' || v->p[i] > '9')
			return 0;
	return 1;
}

/* ---- EF.COM ---- */

int
nid_lds_com_parse(const uint8_t *p, size_t len, struct nid_lds_com *out)
{
	struct nid_lds_com com;
	nid_cur c, v;
	size_t i, j;
	unsigned dg;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&com, 0, sizeof(com));
	if ((rc = outer(0, p, len, &c)) != NID_OK)
		return rc;
	/* 5F01 LDS version "aabb", 5F36 Unicode version "aabbcc", 5C list. */
	if ((rc = nid_tlv_expect(&c, 0, 0x5f01, &v)) != NID_OK)
		return rc;
	if (v.len != 4 || !all_digits(&v))
		return NID_E_MALFORMED;
	memcpy(com.lds_version, v.p, 4);
	if ((rc = nid_tlv_expect(&c, 0, 0x5f36, &v)) != NID_OK)
		return rc;
	if (v.len != 6 || !all_digits(&v))
		return NID_E_MALFORMED;
	memcpy(com.unicode_version, v.p, 6);
	if ((rc = nid_tlv_expect(&c, 0, 0x5c, &v)) != NID_OK)
		return rc;
	if (c.len != 0)
		return NID_E_TRAILING;
	if (v.len > NID_NELEM(com.dgs))
		return NID_E_TOO_LARGE;
	for (i = 0; i < v.len; i++) {
		if ((dg = nid_lds_tag_dg(v.p[i])) == 0)
			return NID_E_MALFORMED;
		for (j = 0; j < com.ndg; j++)
			if (com.dgs[j] == dg)
				return NID_E_MALFORMED; /* listed twice */
		com.dgs[com.ndg++] = (uint8_t)dg;
	}
	*out = com;
	return NID_OK;
}

/* ---- DG1 ---- */

void
nid_lds_dg1_clear(struct nid_lds_dg1 *d)
{
	OPENSSL_cleanse(d, sizeof(*d));
}

int
nid_lds_dg1_parse(const uint8_t *p, size_t len, struct nid_lds_dg1 *out)
{
	char text[100];
	nid_cur c, v;
	size_t i, n = 0, line;
	int rc;

	nid_lds_dg1_clear(out);
	if ((rc = outer(1, p, len, &c)) != NID_OK)
		return rc;
	if ((rc = nid_tlv_expect(&c, 0, 0x5f1f, &v)) != NID_OK)
		return rc;
	if (c.len != 0)
		return NID_E_TRAILING;
	if (v.len == 0 || v.len > 90)
		return NID_E_MALFORMED;
	for (i = 0; i < v.len; i++) {
		uint8_t ch = v.p[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '<'))
			return NID_E_MALFORMED;
	}
	/* ICAO 9303-10 §4.7.1: the MRZ without line breaks. */
	line = v.len == 90 ? 30 : v.len == 72 ? 36 : v.len == 88 ? 44 : v.len;
	for (i = 0; i < v.len; i++) {
		if (i != 0 && i % line == 0)
			text[n++] = '\n';
		text[n++] = (char)v.p[i];
	}
	text[n] = '\0';
	out->mrz_raw = v;
	rc = nid_mrz_parse(text, &out->mrz);
	OPENSSL_cleanse(text, sizeof(text));
	if (rc != NID_OK)
		nid_lds_dg1_clear(out);
	return rc;
}

/* ---- images ---- */

const char *
nid_lds_img_format_name(enum nid_lds_img_format f)
{
	switch (f) {
	case NID_LDS_IMG_JPEG:
		return "jpeg";
	case NID_LDS_IMG_JP2:
		return "jp2";
	case NID_LDS_IMG_J2K:
		return "j2k";
	default:
		return "unknown";
	}
}

enum nid_lds_img_format
nid_lds_img_sniff(const uint8_t *p, size_t len)
{
	static const uint8_t jp2[] = { 0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50,
	    0x20, 0x20 };
	static const uint8_t j2k[] = { 0xff, 0x4f, 0xff, 0x51 };

	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return NID_LDS_IMG_JPEG;
	if (len >= sizeof(jp2) && memcmp(p, jp2, sizeof(jp2)) == 0)
		return NID_LDS_IMG_JP2;
	if (len >= sizeof(j2k) && memcmp(p, j2k, sizeof(j2k)) == 0)
		return NID_LDS_IMG_J2K;
	return NID_LDS_IMG_UNKNOWN;
}

/* JPEG (ISO/IEC 10918-1 §B.2): segments up to the first SOFn. */
static int
jpeg_size(nid_cur c, unsigned *w, unsigned *h)
{
	uint8_t m;
	uint16_t seglen, hh, ww;
	nid_cur seg;
	int rc;

	if ((rc = nid_cur_skip(&c, 2)) != NID_OK) /* SOI */
		return rc;
	for (;;) {
		if ((rc = nid_cur_get_u8(&c, &m)) != NID_OK)
			return NID_E_MALFORMED;
		if (m != 0xff)
			return NID_E_MALFORMED;
		do { /* fill bytes */
			if (nid_cur_get_u8(&c, &m) != NID_OK)
				return NID_E_MALFORMED;
		} while (m == 0xff);
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7))
			continue; /* no length */
		if (m == 0xd9 || m == 0xda || m == 0x00)
			return NID_E_MALFORMED; /* EOI or SOS before a SOF */
		if (nid_cur_get_be16(&c, &seglen) != NID_OK || seglen < 2 ||
		    nid_cur_get_cur(&c, (size_t)seglen - 2, &seg) != NID_OK)
			return NID_E_MALFORMED;
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
		    m != 0xcc) {
			/* SOFn: P, Y (lines), X (samples per line). */
			if (nid_cur_skip(&seg, 1) != NID_OK ||
			    nid_cur_get_be16(&seg, &hh) != NID_OK ||
			    nid_cur_get_be16(&seg, &ww) != NID_OK)
				return NID_E_MALFORMED;
			*w = ww;
			*h = hh;
			return NID_OK;
		}
	}
}

/* J2K codestream (ISO/IEC 15444-1 §A.5.1): SOC, then SIZ. */
static int
j2k_size(nid_cur c, unsigned *w, unsigned *h)
{
	uint16_t lsiz, rsiz;
	uint32_t xs, ys, xo, yo;

	if (nid_cur_skip(&c, 4) != NID_OK ||    /* FF4F FF51 */
	    nid_cur_get_be16(&c, &lsiz) != NID_OK ||
	    nid_cur_get_be16(&c, &rsiz) != NID_OK ||
	    nid_cur_get_be32(&c, &xs) != NID_OK ||
	    nid_cur_get_be32(&c, &ys) != NID_OK ||
	    nid_cur_get_be32(&c, &xo) != NID_OK ||
	    nid_cur_get_be32(&c, &yo) != NID_OK)
		return NID_E_MALFORMED;
	if (xo >= xs || yo >= ys || xs - xo > UINT_MAX || ys - yo > UINT_MAX)
		return NID_E_MALFORMED;
	(void)lsiz;
	(void)rsiz;
	*w = (unsigned)(xs - xo);
	*h = (unsigned)(ys - yo);
	return NID_OK;
}

/* One JP2 box (ISO/IEC 15444-1 §I.4): type and contents. */
static int
jp2_box(nid_cur *c, uint32_t *type, nid_cur *body)
{
	uint32_t lbox, hi, lo;
	size_t n;

	if (nid_cur_get_be32(c, &lbox) != NID_OK ||
	    nid_cur_get_be32(c, type) != NID_OK)
		return NID_E_MALFORMED;
	if (lbox == 0) {
		n = c->len;                   /* to the end */
	} else if (lbox == 1) {
		if (nid_cur_get_be32(c, &hi) != NID_OK ||
		    nid_cur_get_be32(c, &lo) != NID_OK || hi != 0 || lo < 16)
			return NID_E_MALFORMED;
		n = (size_t)lo - 16;
	} else {
		if (lbox < 8)
			return NID_E_MALFORMED;
		n = (size_t)lbox - 8;
	}
	if (nid_cur_get_cur(c, n, body) != NID_OK)
		return NID_E_MALFORMED;
	return NID_OK;
}

static int
jp2_size(nid_cur c, unsigned *w, unsigned *h)
{
	nid_cur body, sub, ihdr;
	uint32_t type, hh, ww;
	unsigned guard;

	for (guard = 0; c.len > 0 && guard < 64; guard++) {
		if (jp2_box(&c, &type, &body) != NID_OK)
			return NID_E_MALFORMED;
		if (type != 0x6a703268) /* 'jp2h' */
			continue;
		for (; body.len > 0 && guard < 64; guard++) {
			if (jp2_box(&body, &type, &sub) != NID_OK)
				return NID_E_MALFORMED;
			if (type != 0x69686472) /* 'ihdr': HEIGHT, WIDTH */
				continue;
			ihdr = sub;
			if (nid_cur_get_be32(&ihdr, &hh) != NID_OK ||
			    nid_cur_get_be32(&ihdr, &ww) != NID_OK)
				return NID_E_MALFORMED;
			*w = (unsigned)ww;
			*h = (unsigned)hh;
			return NID_OK;
		}
		return NID_E_MALFORMED;
	}
	return NID_E_MALFORMED;
}

int
nid_lds_img_size(const uint8_t *p, size_t len, unsigned *width,
    unsigned *height)
{
	nid_cur c;
	unsigned w = 0, h = 0;
	int rc;

	*width = *height = 0;
	nid_cur_init(&c, p, len);
	switch (nid_lds_img_sniff(p, len)) {
	case NID_LDS_IMG_JPEG:
		rc = jpeg_size(c, &w, &h);
		break;
	case NID_LDS_IMG_JP2:
		rc = jp2_size(c, &w, &h);
		break;
	case NID_LDS_IMG_J2K:
		rc = j2k_size(c, &w, &h);
		break;
	default:
		rc = NID_E_MALFORMED;
		break;
	}
	if (rc == NID_OK) {
		*width = w;
		*height = h;
	}
	return rc;
}

/* ---- DG2 ---- */

/*
 * ISO/IEC 19794-5:2005 §5.4–5.8: facial record header (14 bytes:
 * 'FAC\0', "010\0", record length (4), number of images (2)), then per
 * image: facial information (20 bytes: block length (4), feature points
 * (2), gender, eye colour, hair colour, feature mask (3), expression (2),
 * pose angle (3), pose uncertainty (3)), feature points (8 bytes each),
 * image information (12 bytes: face image type, image data type, width
 * (2), height (2), colour space, source type, device type (2), quality
 * (2)), image data.
 */
static int
face_19794(nid_cur c, struct nid_lds_face *f)
{
	static const uint8_t fac[8] = { 'F', 'A', 'C', 0, '0', '1', '0', 0 };
	uint8_t hdr[8], type;
	uint32_t reclen, blklen;
	uint16_t nimg, npts, w, h;
	nid_cur blk;

	if (nid_cur_get_bytes(&c, hdr, sizeof(hdr)) != NID_OK)
		return NID_E_TRUNCATED;
	if (memcmp(hdr, fac, 4) != 0)
		return NID_E_MALFORMED;
	if (memcmp(hdr, fac, 8) != 0)
		return NID_E_UNSUPPORTED; /* another 19794-5 version */
	if (nid_cur_get_be32(&c, &reclen) != NID_OK ||
	    nid_cur_get_be16(&c, &nimg) != NID_OK)
		return NID_E_TRUNCATED;
	if (reclen != c.len + 14 || nimg == 0)
		return NID_E_MALFORMED;
	/* The first facial record data block. */
	if (nid_cur_get_be32(&c, &blklen) != NID_OK)
		return NID_E_TRUNCATED;
	if (blklen < 32 || blklen - 4 > c.len)
		return NID_E_MALFORMED;
	if (nid_cur_get_cur(&c, blklen - 4, &blk) != NID_OK ||
	    nid_cur_get_be16(&blk, &npts) != NID_OK ||
	    nid_cur_skip(&blk, 14) != NID_OK ||
	    nid_cur_skip(&blk, (size_t)npts * 8) != NID_OK ||
	    nid_cur_skip(&blk, 1) != NID_OK ||
	    nid_cur_get_u8(&blk, &type) != NID_OK ||
	    nid_cur_get_be16(&blk, &w) != NID_OK ||
	    nid_cur_get_be16(&blk, &h) != NID_OK ||
	    nid_cur_skip(&blk, 6) != NID_OK)
		return NID_E_MALFORMED;
	if (nimg == 1 && c.len != 0)
		return NID_E_TRAILING;
	if (blk.len == 0)
		return NID_E_MALFORMED;
	f->iso39794 = 0;
	f->declared_type = type;
	f->width = w;
	f->height = h;
	f->image = blk;
	f->format = nid_lds_img_sniff(blk.p, blk.len);
	return NID_OK;
}

/*
 * ISO/IEC 39794-5 (DER, tag 7F2E): depth-first search for the first
 * primitive value that starts with an image signature.
 */
#define DER_DEPTH_MAX 10
#define DER_NODES_MAX 512

static int
find_image(nid_cur c, unsigned depth, unsigned *nodes, nid_cur *img,
    int *found)
{
	nid_cur v;
	uint32_t tag;
	int rc;

	if (depth > DER_DEPTH_MAX)
		return NID_E_TOO_LARGE;
	while (c.len > 0 && !*found) {
		if (++*nodes > DER_NODES_MAX)
			return NID_E_TOO_LARGE;
		if ((rc = nid_tlv_next(&c, NID_TLV_STRICT, &tag, &v)) != NID_OK)
			return rc;
		if (nid_tlv_constructed(tag)) {
			if ((rc = find_image(v, depth + 1, nodes, img,
			    found)) != NID_OK)
				return rc;
		} else if (nid_lds_img_sniff(v.p, v.len) != NID_LDS_IMG_UNKNOWN) {
			*img = v;
			*found = 1;
		}
	}
	return NID_OK;
}

static int
face_39794(nid_cur c, struct nid_lds_face *f)
{
	unsigned nodes = 0, w, h;
	nid_cur img;
	int rc, found = 0;

	if ((rc = find_image(c, 0, &nodes, &img, &found)) != NID_OK)
		return rc;
	if (!found)
		return NID_E_MALFORMED; /* no image in the data block */
	if ((rc = nid_lds_img_size(img.p, img.len, &w, &h)) != NID_OK)
		return rc;
	f->iso39794 = 1;
	f->declared_type = -1;
	f->width = w;
	f->height = h;
	f->image = img;
	f->format = nid_lds_img_sniff(img.p, img.len);
	return NID_OK;
}

/* 02 01 n: a small count, 1..max. */
static int
get_count(nid_cur *c, size_t max, size_t *n)
{
	nid_cur v;
	int rc;

	if ((rc = nid_tlv_expect(c, 0, 0x02, &v)) != NID_OK)
		return rc;
	if (v.len != 1 || v.p[0] == 0 || v.p[0] > max)
		return v.len == 1 && v.p[0] > max ? NID_E_TOO_LARGE :
		    NID_E_MALFORMED;
	*n = v.p[0];
	return NID_OK;
}

int
nid_lds_dg2_parse(const uint8_t *p, size_t len, struct nid_lds_dg2 *out)
{
	struct nid_lds_dg2 d;
	nid_cur c, bigt, bit, v;
	uint32_t tag;
	size_t n, i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	if ((rc = outer(2, p, len, &c)) != NID_OK)
		return rc;
	/* 7F61 biometric information group template. */
	if ((rc = nid_tlv_expect(&c, 0, 0x7f61, &bigt)) != NID_OK)
		return rc;
	if (c.len != 0)
		return NID_E_TRAILING;
	if ((rc = get_count(&bigt, NID_LDS_FACES_MAX, &n)) != NID_OK)
		return rc;
	for (i = 0; i < n; i++) {
		/* 7F60 biometric information template: A1 header, then the
		 * biometric data block 5F2E (19794-5) or 7F2E (39794-5). */
		if ((rc = nid_tlv_expect(&bigt, 0, 0x7f60, &bit)) != NID_OK ||
		    (rc = nid_tlv_expect(&bit, 0, 0xa1, &v)) != NID_OK ||
		    (rc = nid_tlv_next(&bit, 0, &tag, &v)) != NID_OK)
			return rc;
		if (bit.len != 0)
			return NID_E_TRAILING;
		if (tag == 0x5f2e)
			rc = face_19794(v, &d.faces[i]);
		else if (tag == 0x7f2e)
			rc = face_39794(v, &d.faces[i]);
		else
			rc = NID_E_MALFORMED;
		if (rc != NID_OK)
			return rc;
	}
	if (bigt.len != 0)
		return NID_E_TRAILING;
	d.nfaces = n;
	*out = d;
	return NID_OK;
}

/* ---- DG7 ---- */

int
nid_lds_dg7_parse(const uint8_t *p, size_t len, struct nid_lds_dg7 *out)
{
	struct nid_lds_dg7 d;
	nid_cur c, v;
	size_t n, i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	if ((rc = outer(7, p, len, &c)) != NID_OK)
		return rc;
	if ((rc = get_count(&c, NID_LDS_SIGS_MAX, &n)) != NID_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = nid_tlv_expect(&c, 0, 0x5f43, &v)) != NID_OK)
			return rc;
		if (v.len == 0)
			return NID_E_MALFORMED;
		d.image[i] = v;
		d.format[i] = nid_lds_img_sniff(v.p, v.len);
	}
	if (c.len != 0)
		return NID_E_TRAILING;
	d.n = n;
	*out = d;
	return NID_OK;
}

/* ---- DG11 / DG12 ---- */

static const struct {
	unsigned dg;
	uint32_t tag;
	const char *name;
} nid_lds_fields[] = {
	/* ICAO 9303-10 §4.7.11 */
	{ 11, 0x5f0e, "full_name" },
	{ 11, 0xa0, "other_names" },
	{ 11, 0x5f0f, "other_name" },
	{ 11, 0x5f10, "personal_number" },
	{ 11, 0x5f2b, "birth_date_full" },
	{ 11, 0x5f11, "birth_place" },
	{ 11, 0x5f42, "address" },
	{ 11, 0x5f12, "telephone" },
	{ 11, 0x5f13, "profession" },
	{ 11, 0x5f14, "title" },
	{ 11, 0x5f15, "personal_summary" },
	{ 11, 0x5f16, "proof_of_citizenship" },
	{ 11, 0x5f17, "other_td_numbers" },
	{ 11, 0x5f18, "custody_information" },
	/* ICAO 9303-10 §4.7.12 */
	{ 12, 0x5f19, "issuing_authority" },
	{ 12, 0x5f26, "issue_date" },
	{ 12, 0xa0, "other_persons" },
	{ 12, 0x5f1a, "other_person_name" },
	{ 12, 0x5f1b, "endorsements" },
	{ 12, 0x5f1c, "tax_exit_requirements" },
	{ 12, 0x5f1d, "front_image" },
	{ 12, 0x5f1e, "rear_image" },
	{ 12, 0x5f55, "personalization_time" },
	{ 12, 0x5f56, "personalization_system_serial" },
};

static const char *
field_name(unsigned dg, uint32_t tag)
{
	size_t i;

	for (i = 0; i < NID_NELEM(nid_lds_fields); i++)
		if (nid_lds_fields[i].dg == dg && nid_lds_fields[i].tag == tag)
			return nid_lds_fields[i].name;
	return NULL;
}

int
nid_lds_details_parse(unsigned dg, const uint8_t *p, size_t len,
    struct nid_lds_details *out)
{
	struct nid_lds_details d;
	nid_cur c, list, v;
	uint32_t tags[NID_LDS_FIELDS_MAX], tag;
	size_t ntags = 0, i, j;
	const char *name;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	if (dg != 11 && dg != 12)
		return NID_E_INVALID_ARG;
	d.dg = dg;
	if ((rc = outer(dg, p, len, &c)) != NID_OK)
		return rc;
	/* 5C: the tags present, one after the other (1 or 2 bytes each). */
	if ((rc = nid_tlv_expect(&c, 0, 0x5c, &list)) != NID_OK)
		return rc;
	while (list.len > 0) {
		uint8_t b, b2;

		if (ntags == NID_LDS_FIELDS_MAX)
			return NID_E_TOO_LARGE;
		if ((rc = nid_cur_get_u8(&list, &b)) != NID_OK)
			return rc;
		tag = b;
		if ((b & 0x1f) == 0x1f) {
			if ((rc = nid_cur_get_u8(&list, &b2)) != NID_OK)
				return rc;
			tag = tag << 8 | b2;
		}
		for (i = 0; i < ntags; i++)
			if (tags[i] == tag)
				return NID_E_MALFORMED; /* listed twice */
		tags[ntags++] = tag;
	}
	while (c.len > 0) {
		if (d.n == NID_LDS_FIELDS_MAX)
			return NID_E_TOO_LARGE;
		if ((rc = nid_tlv_next(&c, 0, &tag, &v)) != NID_OK)
			return rc;
		if ((name = field_name(dg, tag)) == NULL)
			return NID_E_MALFORMED;
		for (i = 0; i < d.n; i++)
			if (d.f[i].tag == tag)
				return NID_E_MALFORMED; /* present twice */
		for (j = 0; j < ntags; j++)
			if (tags[j] == tag)
				break;
		if (j == ntags)
			return NID_E_MALFORMED; /* present but not listed */
		d.f[d.n].tag = tag;
		d.f[d.n].name = name;
		d.f[d.n].value = v;
		d.n++;
	}
	if (d.n != ntags)
		return NID_E_MALFORMED; /* listed but absent */
	*out = d;
	return NID_OK;
}

const struct nid_lds_field *
nid_lds_details_get(const struct nid_lds_details *d, uint32_t tag)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->f[i].tag == tag)
			return &d->f[i];
	return NULL;
}

/* ---- DG15 ---- */

int
nid_lds_dg15_parse(const uint8_t *p, size_t len, EVP_PKEY **out)
{
	const unsigned char *q;
	EVP_PKEY *pk = NULL;
	nid_cur c;
	int rc, id;

	*out = NULL;
	if ((rc = outer(15, p, len, &c)) != NID_OK)
		return rc;
	if (c.len == 0 || c.len > LONG_MAX)
		return NID_E_MALFORMED;
	q = c.p;
	if ((pk = d2i_PUBKEY(NULL, &q, (long)c.len)) == NULL) {
		ERR_clear_error();
		return NID_E_MALFORMED;
	}
	if ((size_t)(q - c.p) != c.len) {
		rc = NID_E_TRAILING;
		goto out;
	}
	id = EVP_PKEY_get_base_id(pk);
	if (id != EVP_PKEY_RSA && id != EVP_PKEY_EC) {
		rc = NID_E_UNSUPPORTED;
		goto out;
	}
	*out = pk;
	pk = NULL;
	rc = NID_OK;
 out:
	EVP_PKEY_free(pk);
	return rc;
}
