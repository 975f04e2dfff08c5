/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * lds.h — parsers of the ICAO 9303-10 Logical Data Structure files
 * (§4.6 EF.COM, §4.7 data groups): EF.COM, DG1, DG2, DG7, DG11, DG12,
 * DG15. DG14 is read by secinfo.h.
 *
 * Results borrow: every nid_cur in a result points into the bytes given
 * to the parser, which the caller keeps alive as long as it uses the
 * result (a face image is a range of DG2, never a copy).
 *
 * Parsing is bounded (every file size capped by nid_lds_max_size(), every
 * count capped) and exact: templates must end where their length says,
 * no bytes may follow the outer tag. Lengths in the long form where the
 * short would do are accepted (real passports use them), indefinite
 * lengths never.
 */
#ifndef NID_LDS_H
#define NID_LDS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "mrz.h"
#include "nid_internal.h"

/* ICAO 9303-10 §4.6.2 table 34: tags of EF.COM, DG1..DG16 and EF.SOD. */
#define NID_LDS_TAG_COM 0x60u
#define NID_LDS_TAG_SOD 0x77u

/*
 * Outer tag of data group dg (1..16), or 0 for an unknown number; and
 * back: the data group number of an outer tag, 0 when none.
 */
uint32_t nid_lds_dg_tag(unsigned dg);
unsigned nid_lds_tag_dg(uint32_t tag);

/*
 * Size caps (bytes, whole file): EF.COM 1 KiB, DG1 1 KiB, DG2–DG7 and
 * DG11/DG12 (which may hold images) 1 MiB, DG14 64 KiB, DG15 16 KiB,
 * others 1 MiB. dg 0 is EF.COM.
 */
size_t nid_lds_max_size(unsigned dg);
/*
 * From the first bytes of a file (at least its tag and length, e.g. the
 * first 8 bytes of READ BINARY), the file's total size, checked against
 * nid_lds_max_size(dg) and the expected outer tag BEFORE anything is
 * allocated: a DG2 announcing 16 MB fails here with NID_E_TOO_LARGE.
 */
int nid_lds_file_size(unsigned dg, const uint8_t *hdr, size_t hdr_len,
    size_t *total) NID_WUR;

/* ---- EF.COM (§4.6.1) ---- */
struct nid_lds_com {
	char lds_version[5];      /* 5F01, e.g. "0107" */
	char unicode_version[7];  /* 5F36, e.g. "040000" */
	uint8_t dgs[16];          /* 5C tag list as data group numbers */
	size_t ndg;
};
int nid_lds_com_parse(const uint8_t *p, size_t len, struct nid_lds_com *out) NID_WUR;

/* ---- DG1 (§4.7.1): 61 { 5F1F MRZ } ---- */
struct nid_lds_dg1 {
	nid_cur mrz_raw;       /* the 5F1F value (72, 88 or 90 characters) */
	struct nid_mrz mrz;    /* parsed (mrz.h); its problems say what is wrong */
};
/*
 * The MRZ characters are split into lines by their count (90 TD1, 72 TD2,
 * 88 TD3) and handed to nid_mrz_parse(); any other count is kept raw and
 * m.format is NID_MRZ_UNKNOWN. Characters outside [A-Z0-9<] →
 * NID_E_MALFORMED. Clear with nid_lds_dg1_clear() (personal data).
 */
int nid_lds_dg1_parse(const uint8_t *p, size_t len, struct nid_lds_dg1 *out) NID_WUR;
void nid_lds_dg1_clear(struct nid_lds_dg1 *d);

/* ---- images ---- */
enum nid_lds_img_format {
	NID_LDS_IMG_UNKNOWN = 0,
	NID_LDS_IMG_JPEG,      /* FFD8 (ISO/IEC 10918-1) */
	NID_LDS_IMG_JP2,       /* 0000000C 6A502020 (ISO/IEC 15444-1 JP2 file) */
	NID_LDS_IMG_J2K        /* FF4F FF51 (ISO/IEC 15444-1 codestream) */
};
/* "jpeg", "jp2", "j2k", "unknown". */
const char *nid_lds_img_format_name(enum nid_lds_img_format f);
/* Format by the first bytes (signature). */
enum nid_lds_img_format nid_lds_img_sniff(const uint8_t *p, size_t len);
/*
 * Width and height read from the image itself: the JPEG SOFn segment,
 * the JP2 'ihdr' box, or the J2K SIZ marker. NID_E_MALFORMED when they
 * cannot be found within the bytes.
 */
int nid_lds_img_size(const uint8_t *p, size_t len, unsigned *width,
    unsigned *height) NID_WUR;

/* ---- DG2 (§4.7.2): face ---- */
#define NID_LDS_FACES_MAX 8
struct nid_lds_face {
	int iso39794;                     /* 0: 19794-5 (5F2E), 1: 39794-5 (7F2E) */
	enum nid_lds_img_format format;   /* by the image's signature */
	int declared_type;                /* 19794-5 image data type (0 JPEG, 1 JPEG 2000), -1 none */
	unsigned width, height;           /* 19794-5 header; 39794-5: from the image */
	nid_cur image;                    /* the image bytes, borrowed */
};
struct nid_lds_dg2 {
	size_t nfaces;
	struct nid_lds_face faces[NID_LDS_FACES_MAX];
};
/*
 * 75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E | 7F2E data } × count } }.
 * 5F2E: the ISO/IEC 19794-5:2005 record ('FAC\0', version "010\0"), the
 * first facial image of each record. 7F2E: ISO/IEC 39794-5 (DER); the
 * image is the first primitive value in it that starts with an image
 * signature (depth and node count capped), and its size is read from
 * the image.
 */
int nid_lds_dg2_parse(const uint8_t *p, size_t len, struct nid_lds_dg2 *out) NID_WUR;

/* ---- DG7 (§4.7.7): 67 { 02 count, 5F43 image × count } ---- */
#define NID_LDS_SIGS_MAX 4
struct nid_lds_dg7 {
	size_t n;
	nid_cur image[NID_LDS_SIGS_MAX];
	enum nid_lds_img_format format[NID_LDS_SIGS_MAX];
};
int nid_lds_dg7_parse(const uint8_t *p, size_t len, struct nid_lds_dg7 *out) NID_WUR;

/* ---- DG11 / DG12 (§4.7.11, §4.7.12): tag list and fields ---- */
#define NID_LDS_FIELDS_MAX 24
struct nid_lds_field {
	uint32_t tag;          /* e.g. 0x5F0E */
	const char *name;      /* e.g. "full_name"; "unknown" when not in the table */
	nid_cur value;
};
struct nid_lds_details {
	unsigned dg;           /* 11 or 12 */
	size_t n;
	struct nid_lds_field f[NID_LDS_FIELDS_MAX];
};
/*
 * DG11: 6B { 5C tag list, 5F0E full name, 5F0F/A0 other names, 5F10
 * personal number, 5F2B date of birth (full), 5F11 place of birth, 5F42
 * address, 5F12 telephone, 5F13 profession, 5F14 title, 5F15 personal
 * summary, 5F16 proof of citizenship, 5F17 other TD numbers, 5F18 custody
 * information }. DG12: 6C { 5C, 5F19 issuing authority, 5F26 date of
 * issue, A0 other persons, 5F1B endorsements, 5F1C tax/exit requirements,
 * 5F1D / 5F1E images of the front / rear, 5F55 personalization time,
 * 5F56 personalization system serial }. The tag list must name exactly
 * the fields present, each once; fields not in the table are refused.
 */
int nid_lds_details_parse(unsigned dg, const uint8_t *p, size_t len,
    struct nid_lds_details *out) NID_WUR;
/* Field by tag, or NULL. */
const struct nid_lds_field *nid_lds_details_get(const struct nid_lds_details *d,
    uint32_t tag);

/* ---- DG15 (§4.7.15): 6F { SubjectPublicKeyInfo } ---- */
/* Active Authentication public key, RSA or EC (others NID_E_UNSUPPORTED). */
int nid_lds_dg15_parse(const uint8_t *p, size_t len, EVP_PKEY **out) NID_WUR;

#endif /* NID_LDS_H */
