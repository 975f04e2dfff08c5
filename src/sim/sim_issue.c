/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_issue.c — `nidcard-sim issue`: a person record (JSON,
 * docs/card-image.md "Person records") → a card image with the eMRTD
 * application: card.json, EF.CardAccess (PACE), EF.COM, DG1 (the MRZ with
 * its check digits, ICAO 9303-3 §4.9, 9303-4/-5), DG2 (an ISO/IEC 19794-5
 * record around the face image), DG11 (the full name), with --ca DG14
 * and the chip's Chip Authentication key pair, and, with a Document
 * Signer key pair, a signed EF.SOD (sod.h, nid_sod_sign).
 *
 * The data groups are one table (struct issue_dg): EF.COM's tag list,
 * the hashes of EF.SOD, the EFs of card.json and the files written all
 * come from it, so another DG is one more row.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sim_icao.h"
#include "sim_hostile.h"
#include "sim_pki.h"
#include "ca.h"
#include "lds.h"
#include "mrz.h"
#include "oid.h"
#include "pace.h"
#include "sod.h"

#define PERSON_FORMAT "nidcard.person/1"
#define FACE_MAX (1024u * 1024u - 1024u)
#define ISSUE_ATR "3B 8A 80 01 4E 49 44 43 41 52 44 53 49 4D 0B"

/* Exit status of `issue` (docs/nidcard-sim.1). */
#define ISSUE_EXIT_OK 0
#define ISSUE_EXIT_INPUT 1   /* the person record or a file is invalid */
#define ISSUE_EXIT_USAGE 2
#define ISSUE_EXIT_IO 4

struct person {
	int td3;                 /* 0: TD1 ID card, 1: TD3 passport */
	char code[3];
	char state[4];
	char docno[10];
	char primary[40], secondary[40];
	char nationality[4];
	char birth[7], expiry[7];
	char sex;
	char optional[16];       /* TD1 line 1 (15) / TD3 personal number (14) */
	char optional2[12];      /* TD1 line 2 (11) */
	char name[96];           /* PRIMARY<<SECONDARY, '<' for spaces */
	char mrz[3][45];
};

static int
fail(nid_ctx_t *ctx, int rc, const char *what, const char *msg)
{
	return nid_ctx_set_detail(ctx, rc, "%s: %s", what, msg);
}

/* MRZ characters (ICAO 9303-3 §4.3): A-Z, 0-9; spaces and '-' become '<'
 * in names. Lower case is folded. */
static int
mrz_text(const char *in, char *out, size_t max, int name)
{
	size_t i;
	char c;

	for (i = 0; in[i] != '\0'; i++) {
		if (i + 1 >= max)
			return -1;
		c = in[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (name && (c == ' ' || c == '-' || c == '\''))
			c = '<';
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '<'))
			return -1;
		if (name && c >= '0' && c <= '9')
			return -1;
		out[i] = c;
	}
	out[i] = '\0';
	return 0;
}

/* "YYYY-MM-DD" or "YYMMDD" → "YYMMDD". */
static int
date6(const char *in, char out[7])
{
	size_t n = strlen(in);

	if (n == 10 && in[4] == '-' && in[7] == '-' &&
	    strspn(in, "0123456789-") == 10) {
		memcpy(out, in + 2, 2);
		memcpy(out + 2, in + 5, 2);
		memcpy(out + 4, in + 8, 2);
	} else if (n == 6 && strspn(in, "0123456789") == 6)
		memcpy(out, in, 6);
	else
		return -1;
	out[6] = '\0';
	if (memcmp(out + 2, "01", 2) < 0 || memcmp(out + 2, "12", 2) > 0 ||
	    memcmp(out + 4, "01", 2) < 0 || memcmp(out + 4, "31", 2) > 0)
		return -1;
	return 0;
}

/* Append s padded with '<' to n characters. */
static void
put_field(char *line, size_t *pos, const char *s, size_t n)
{
	size_t i, len = strlen(s);

	for (i = 0; i < n; i++)
		line[(*pos)++] = i < len ? s[i] : '<';
	line[*pos] = '\0';
}

static void
put_cd(char *line, size_t *pos, const char *s, size_t n)
{
	line[(*pos)++] = (char)('0' + nid_mrz_check_digit(s, n));
	line[*pos] = '\0';
}

/* The MRZ lines, ICAO 9303-5 §4.2.2 (TD1) and 9303-4 §4.2.2 (TD3). */
static void
build_mrz(struct person *p)
{
	char comp[64];
	size_t pos;

	if (!p->td3) {
		pos = 0;
		put_field(p->mrz[0], &pos, p->code, 2);
		put_field(p->mrz[0], &pos, p->state, 3);
		put_field(p->mrz[0], &pos, p->docno, 9);
		put_cd(p->mrz[0], &pos, p->mrz[0] + 5, 9);
		put_field(p->mrz[0], &pos, p->optional, 15);
		pos = 0;
		put_field(p->mrz[1], &pos, p->birth, 6);
		put_cd(p->mrz[1], &pos, p->mrz[1], 6);
		p->mrz[1][pos++] = p->sex;
		put_field(p->mrz[1], &pos, p->expiry, 6);
		put_cd(p->mrz[1], &pos, p->mrz[1] + 8, 6);
		put_field(p->mrz[1], &pos, p->nationality, 3);
		put_field(p->mrz[1], &pos, p->optional2, 11);
		/* Composite: line 1 6-30, line 2 1-7, 9-15, 19-29. */
		memcpy(comp, p->mrz[0] + 5, 25);
		memcpy(comp + 25, p->mrz[1], 7);
		memcpy(comp + 32, p->mrz[1] + 8, 7);
		memcpy(comp + 39, p->mrz[1] + 18, 11);
		put_cd(p->mrz[1], &pos, comp, 50);
		pos = 0;
		put_field(p->mrz[2], &pos, p->name, 30);
		return;
	}
	pos = 0;
	put_field(p->mrz[0], &pos, p->code, 2);
	put_field(p->mrz[0], &pos, p->state, 3);
	put_field(p->mrz[0], &pos, p->name, 39);
	pos = 0;
	put_field(p->mrz[1], &pos, p->docno, 9);
	put_cd(p->mrz[1], &pos, p->mrz[1], 9);
	put_field(p->mrz[1], &pos, p->nationality, 3);
	put_field(p->mrz[1], &pos, p->birth, 6);
	put_cd(p->mrz[1], &pos, p->mrz[1] + 13, 6);
	p->mrz[1][pos++] = p->sex;
	put_field(p->mrz[1], &pos, p->expiry, 6);
	put_cd(p->mrz[1], &pos, p->mrz[1] + 21, 6);
	put_field(p->mrz[1], &pos, p->optional, 14);
	put_cd(p->mrz[1], &pos, p->mrz[1] + 28, 14);
	/* Composite: 1-10, 14-20, 22-43. */
	memcpy(comp, p->mrz[1], 10);
	memcpy(comp + 10, p->mrz[1] + 13, 7);
	memcpy(comp + 17, p->mrz[1] + 21, 22);
	put_cd(p->mrz[1], &pos, comp, 39);
	p->mrz[2][0] = '\0';
}

static int
get_str(nid_ctx_t *ctx, json_t *root, const char *key, int required,
    const char **out)
{
	json_t *v = json_object_get(root, key);

	*out = "";
	if (v == NULL && !required)
		return NID_OK;
	if (v == NULL || !json_is_string(v))
		return nid_ctx_set_detail(ctx, NID_E_MALFORMED,
		    "person record: \"%s\": %s", key, v == NULL ? "missing" :
		    "must be a string");
	*out = json_string_value(v);
	return NID_OK;
}

static int
load_person(nid_ctx_t *ctx, const char *path, struct person *p)
{
	static const char *const keys[] = { "format", "document_type",
		"document_code", "issuing_state", "document_number",
		"primary_identifier", "secondary_identifier", "nationality",
		"birth_date", "sex", "expiry_date", "optional_data",
		"optional_data2", "description", NULL };
	json_error_t jerr;
	json_t *root, *v;
	const char *s, *key;
	size_t k, max;
	int rc = NID_E_MALFORMED;

	memset(p, 0, sizeof(*p));
	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL)
		return nid_ctx_set_detail(ctx, jerr.line < 1 ? NID_E_IO :
		    NID_E_MALFORMED, "%s: %s", path, jerr.text);
	if (!json_is_object(root)) {
		rc = nid_ctx_set_detail(ctx, rc, "person record: not an object");
		goto out;
	}
	json_object_foreach(root, key, v) {
		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(key, keys[k]) == 0)
				break;
		if (keys[k] == NULL) {
			rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED,
			    "person record: unknown field \"%s\"", key);
			goto out;
		}
	}
	if ((rc = get_str(ctx, root, "format", 1, &s)) != NID_OK)
		goto out;
	if (strcmp(s, PERSON_FORMAT) != 0) {
		rc = fail(ctx, NID_E_MALFORMED, "person record: format",
		    "must be \"" PERSON_FORMAT "\"");
		goto out;
	}
	rc = NID_E_MALFORMED;
	if (get_str(ctx, root, "document_type", 1, &s) != NID_OK)
		goto out;
	if (strcmp(s, "TD1") == 0)
		p->td3 = 0;
	else if (strcmp(s, "TD3") == 0)
		p->td3 = 1;
	else {
		rc = fail(ctx, rc, "person record: document_type",
		    "\"TD1\" (ID card) or \"TD3\" (passport)");
		goto out;
	}
	if (get_str(ctx, root, "document_code", 0, &s) != NID_OK)
		goto out;
	if (*s == '\0')
		s = p->td3 ? "P" : "I";
	if (strlen(s) > 2 || mrz_text(s, p->code, sizeof(p->code), 0) != 0 ||
	    p->code[0] < 'A' || p->code[0] > 'Z') {
		rc = fail(ctx, rc, "person record: document_code",
		    "1-2 MRZ characters, the first a letter (\"P\", \"I\", "
		    "\"ID\")");
		goto out;
	}
	if (get_str(ctx, root, "issuing_state", 1, &s) != NID_OK)
		goto out;
	if (strlen(s) < 1 || strlen(s) > 3 ||
	    mrz_text(s, p->state, sizeof(p->state), 0) != 0) {
		rc = fail(ctx, rc, "person record: issuing_state",
		    "ISO 3166-1 alpha-3 code or ICAO code (e.g. \"UTO\", \"D\")");
		goto out;
	}
	if (get_str(ctx, root, "nationality", 1, &s) != NID_OK)
		goto out;
	if (strlen(s) < 1 || strlen(s) > 3 ||
	    mrz_text(s, p->nationality, sizeof(p->nationality), 0) != 0) {
		rc = fail(ctx, rc, "person record: nationality",
		    "ISO 3166-1 alpha-3 code or ICAO code");
		goto out;
	}
	if (get_str(ctx, root, "document_number", 1, &s) != NID_OK)
		goto out;
	if (strlen(s) < 1 || strlen(s) > 9 ||
	    mrz_text(s, p->docno, sizeof(p->docno), 0) != 0) {
		rc = fail(ctx, rc, "person record: document_number",
		    "1..9 characters A-Z, 0-9 (longer numbers are not "
		    "supported by issue)");
		goto out;
	}
	if (get_str(ctx, root, "primary_identifier", 1, &s) != NID_OK)
		goto out;
	if (*s == '\0' ||
	    mrz_text(s, p->primary, sizeof(p->primary), 1) != 0) {
		rc = fail(ctx, rc, "person record: primary_identifier",
		    "letters A-Z, spaces, '-' (transliterate first, ICAO "
		    "9303-3 §6)");
		goto out;
	}
	if (get_str(ctx, root, "secondary_identifier", 0, &s) != NID_OK)
		goto out;
	if (mrz_text(s, p->secondary, sizeof(p->secondary), 1) != 0) {
		rc = fail(ctx, rc, "person record: secondary_identifier",
		    "letters A-Z, spaces, '-'");
		goto out;
	}
	(void)snprintf(p->name, sizeof(p->name), "%s<<%s", p->primary,
	    p->secondary);
	if (p->secondary[0] == '\0')
		p->name[strlen(p->primary)] = '\0';
	if (strlen(p->name) > (p->td3 ? 39u : 30u)) {
		rc = fail(ctx, rc, "person record: names",
		    p->td3 ? "more than the 39 characters of the TD3 name "
		    "field (shorten per ICAO 9303-3 §6.2)" : "more than the 30 "
		    "characters of the TD1 name field (shorten per ICAO 9303-3 "
		    "§6.2)");
		goto out;
	}
	if (get_str(ctx, root, "birth_date", 1, &s) != NID_OK)
		goto out;
	if (date6(s, p->birth) != 0) {
		rc = fail(ctx, rc, "person record: birth_date",
		    "\"YYYY-MM-DD\" or \"YYMMDD\"");
		goto out;
	}
	if (get_str(ctx, root, "expiry_date", 1, &s) != NID_OK)
		goto out;
	if (date6(s, p->expiry) != 0) {
		rc = fail(ctx, rc, "person record: expiry_date",
		    "\"YYYY-MM-DD\" or \"YYMMDD\"");
		goto out;
	}
	if (get_str(ctx, root, "sex", 1, &s) != NID_OK)
		goto out;
	if (strcmp(s, "M") == 0 || strcmp(s, "F") == 0)
		p->sex = s[0];
	else if (strcmp(s, "X") == 0 || strcmp(s, "<") == 0)
		p->sex = '<';
	else {
		rc = fail(ctx, rc, "person record: sex", "\"M\", \"F\" or \"X\"");
		goto out;
	}
	max = p->td3 ? 14 : 15;
	if (get_str(ctx, root, "optional_data", 0, &s) != NID_OK)
		goto out;
	if (strlen(s) > max ||
	    mrz_text(s, p->optional, sizeof(p->optional), 0) != 0) {
		rc = fail(ctx, rc, "person record: optional_data",
		    p->td3 ? "at most 14 characters A-Z, 0-9, '<'" :
		    "at most 15 characters A-Z, 0-9, '<'");
		goto out;
	}
	if (get_str(ctx, root, "optional_data2", 0, &s) != NID_OK)
		goto out;
	if ((p->td3 && *s != '\0') || strlen(s) > 11 ||
	    mrz_text(s, p->optional2, sizeof(p->optional2), 0) != 0) {
		rc = fail(ctx, rc, "person record: optional_data2",
		    "TD1 only, at most 11 characters A-Z, 0-9, '<'");
		goto out;
	}
	build_mrz(p);
	rc = NID_OK;
out:
	json_decref(root);
	return rc;
}

/* ---- data groups ------------------------------------------------------ */

/* TLV with a constructed body built in `body`. */
static int
wrap_tlv(nid_buf *out, uint32_t tag, const nid_buf *body)
{
	return nid_tlv_put(out, tag, body->p, body->len);
}

/*
 * A synthetic baseline JPEG (ISO/IEC 10918-1), w×h (multiples of 8),
 * one grey component: all coefficients zero, i.e. a uniform mid-grey
 * picture. Each 8×8 block is the DC code '0' (category 0) and the AC
 * code '0' (EOB) of single-entry Huffman tables.
 */
static int
synth_jpeg(unsigned w, unsigned h, nid_buf *out)
{
	static const uint8_t soi[] = { 0xFF, 0xD8 };
	static const uint8_t dht_dc[] = { 0xFF, 0xC4, 0x00, 0x14, 0x00,
		1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00 };
	static const uint8_t dht_ac[] = { 0xFF, 0xC4, 0x00, 0x14, 0x10,
		1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00 };
	static const uint8_t sos[] = { 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01,
		0x00, 0x00, 0x3F, 0x00 };
	static const uint8_t eoi[] = { 0xFF, 0xD9 };
	uint8_t sof[] = { 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0, 0, 0, 0, 0x01,
		0x01, 0x11, 0x00 };
	size_t bits = 2u * (w / 8) * (h / 8), i;
	int rc;

	sof[5] = (uint8_t)(h >> 8);
	sof[6] = (uint8_t)h;
	sof[7] = (uint8_t)(w >> 8);
	sof[8] = (uint8_t)w;
	if ((rc = nid_buf_put(out, soi, sizeof(soi))) != NID_OK ||
	    (rc = nid_buf_put_be16(out, 0xFFDB)) != NID_OK ||
	    (rc = nid_buf_put_be16(out, 0x0043)) != NID_OK ||
	    (rc = nid_buf_put_u8(out, 0x00)) != NID_OK)
		return rc;
	for (i = 0; i < 64; i++)
		if ((rc = nid_buf_put_u8(out, 1)) != NID_OK)
			return rc;
	if ((rc = nid_buf_put(out, sof, sizeof(sof))) != NID_OK ||
	    (rc = nid_buf_put(out, dht_dc, sizeof(dht_dc))) != NID_OK ||
	    (rc = nid_buf_put(out, dht_ac, sizeof(dht_ac))) != NID_OK ||
	    (rc = nid_buf_put(out, sos, sizeof(sos))) != NID_OK)
		return rc;
	/* Entropy-coded data: zero bits, the last byte padded with ones. */
	for (i = 0; i < bits / 8; i++)
		if ((rc = nid_buf_put_u8(out, 0x00)) != NID_OK)
			return rc;
	if (bits % 8 != 0 &&
	    (rc = nid_buf_put_u8(out, (uint8_t)(0xFFu >> (bits % 8)))) !=
	    NID_OK)
		return rc;
	return nid_buf_put(out, eoi, sizeof(eoi));
}

/* DG2 (ICAO 9303-10 §4.7.2): 75 { 7F61 { 02 01 01, 7F60 { A1 BHT,
 * 5F2E ISO/IEC 19794-5:2005 record } } }. */
static int
build_dg2(const uint8_t *img, size_t img_len, int jp2, unsigned w,
    unsigned h, nid_buf *out)
{
	static const uint8_t bht[] = {
		0x80, 0x02, 0x01, 0x01,  /* ICAO header version 1.1 */
		0x81, 0x01, 0x02,        /* biometric type: facial features */
		0x82, 0x01, 0x00,        /* subtype: none */
		0x87, 0x02, 0x01, 0x01,  /* format owner: ISO/IEC JTC 1 SC 37 */
		0x88, 0x02, 0x00, 0x08   /* format type: 19794-5 face image */
	};
	static const uint8_t count[] = { 0x02, 0x01, 0x01 };
	nid_buf rec, bit, big;
	size_t blk = 20 + 12 + img_len;
	int rc;

	nid_buf_init(&rec, NID_SIM_EF_MAX);
	nid_buf_init(&bit, NID_SIM_EF_MAX);
	nid_buf_init(&big, NID_SIM_EF_MAX);
	/* Facial record header (§5.4): FAC\0 010\0 length, 1 image. */
	if ((rc = nid_buf_put(&rec, "FAC\0" "010\0", 8)) != NID_OK ||
	    (rc = nid_buf_put_be32(&rec, (uint32_t)(14 + blk))) != NID_OK ||
	    (rc = nid_buf_put_be16(&rec, 1)) != NID_OK ||
	/* Facial information (§5.5): block length, 0 feature points,
	 * gender, eye, hair unspecified, no feature mask, expression
	 * unspecified, pose angle and uncertainty zero. */
	    (rc = nid_buf_put_be32(&rec, (uint32_t)blk)) != NID_OK ||
	    (rc = nid_buf_put_be16(&rec, 0)) != NID_OK ||
	    (rc = nid_buf_put(&rec, "\0\0\0" "\0\0\0" "\0\0" "\0\0\0" "\0\0\0",
	    14)) != NID_OK ||
	/* Image information (§5.7): full frontal, JPEG 0 / JPEG 2000 1,
	 * width, height, colour space unspecified, source unspecified,
	 * device type 0, quality 0. */
	    (rc = nid_buf_put_u8(&rec, 0x01)) != NID_OK ||
	    (rc = nid_buf_put_u8(&rec, jp2 ? 0x01 : 0x00)) != NID_OK ||
	    (rc = nid_buf_put_be16(&rec, (uint16_t)w)) != NID_OK ||
	    (rc = nid_buf_put_be16(&rec, (uint16_t)h)) != NID_OK ||
	    (rc = nid_buf_put(&rec, "\0\0\0\0\0\0", 6)) != NID_OK ||
	    (rc = nid_buf_put(&rec, img, img_len)) != NID_OK)
		goto out;
	if ((rc = nid_tlv_put(&bit, 0xA1, bht, sizeof(bht))) != NID_OK ||
	    (rc = wrap_tlv(&bit, 0x5F2E, &rec)) != NID_OK ||
	    (rc = nid_buf_put(&big, count, sizeof(count))) != NID_OK ||
	    (rc = wrap_tlv(&big, 0x7F60, &bit)) != NID_OK)
		goto out;
	nid_buf_reset(&bit);
	if ((rc = wrap_tlv(&bit, 0x7F61, &big)) != NID_OK ||
	    (rc = wrap_tlv(out, 0x75, &bit)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	nid_buf_clear(&rec);
	nid_buf_clear(&bit);
	nid_buf_clear(&big);
	return rc;
}

static int
build_dgs(const struct person *p, const uint8_t *face, size_t face_len,
    int jp2, unsigned w, unsigned h, nid_buf *dg1, nid_buf *dg2,
    nid_buf *dg11)
{
	static const uint8_t tl11[] = { 0x5F, 0x0E };
	nid_buf b, in;
	int rc;

	nid_buf_init(&b, 4096);
	nid_buf_init(&in, 256);
	/* DG1 (9303-10 §4.7.1): 61 { 5F1F the MRZ lines concatenated }. */
	if ((rc = nid_buf_put(&b, p->mrz[0], strlen(p->mrz[0]))) != NID_OK ||
	    (rc = nid_buf_put(&b, p->mrz[1], strlen(p->mrz[1]))) != NID_OK ||
	    (rc = nid_buf_put(&b, p->mrz[2], strlen(p->mrz[2]))) != NID_OK)
		goto out;
	if ((rc = nid_tlv_put(&in, 0x5F1F, b.p, b.len)) != NID_OK ||
	    (rc = wrap_tlv(dg1, 0x61, &in)) != NID_OK)
		goto out;
	if ((rc = build_dg2(face, face_len, jp2, w, h, dg2)) != NID_OK)
		goto out;
	/* DG11 (§4.7.11): 6B { 5C tag list, 5F0E full name }. */
	nid_buf_reset(&b);
	if ((rc = nid_tlv_put(&b, 0x5C, tl11, sizeof(tl11))) != NID_OK ||
	    (rc = nid_tlv_put(&b, 0x5F0E, (const uint8_t *)p->name,
	    strlen(p->name))) != NID_OK ||
	    (rc = wrap_tlv(dg11, 0x6B, &b)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	nid_buf_clear(&b);
	nid_buf_clear(&in);
	return rc;
}

/* ---- the data group table ------------------------------------------- */

#define ISSUE_DGS_MAX 16
#define ISSUE_SECINFOS_MAX 8

/* One data group of the image, in DG number order. */
struct issue_dg {
	unsigned n;          /* 1..16 */
	uint8_t tag;         /* its LDS tag (ICAO 9303-10 §4.6.1 table) */
	const char *name;    /* card.json "name" */
	nid_buf *data;       /* borrowed */
};

static int
dg_add(struct issue_dg *v, size_t *n, unsigned num, uint8_t tag,
    const char *name, nid_buf *data)
{
	if (*n == ISSUE_DGS_MAX || (*n > 0 && v[*n - 1].n >= num))
		return NID_E_INTERNAL;
	v[*n].n = num;
	v[*n].tag = tag;
	v[*n].name = name;
	v[*n].data = data;
	(*n)++;
	return NID_OK;
}

/* EF.COM (9303-10 §4.6.1): LDS 1.7, Unicode 4.0.0, the DG tags. */
static int
build_com(const struct issue_dg *v, size_t n, nid_buf *com)
{
	uint8_t tags[ISSUE_DGS_MAX];
	nid_buf b;
	size_t i;
	int rc;

	nid_buf_init(&b, 4096);
	for (i = 0; i < n && i < sizeof(tags); i++)
		tags[i] = v[i].tag;
	if ((rc = nid_tlv_put(&b, 0x5F01, (const uint8_t *)"0107", 4)) !=
	    NID_OK ||
	    (rc = nid_tlv_put(&b, 0x5F36, (const uint8_t *)"040000", 6)) !=
	    NID_OK ||
	    (rc = nid_tlv_put(&b, 0x5C, tags, i)) != NID_OK)
		goto out;
	rc = wrap_tlv(com, 0x60, &b);
out:
	nid_buf_clear(&b);
	return rc;
}

/*
 * DG14 (ICAO 9303-10 §4.7.14): 6E { SET OF SecurityInfo }, each infos[i]
 * one DER SecurityInfo (30 …). DER orders a SET OF by the encodings
 * (X.690 §11.6), so they are sorted here.
 */
static int
build_dg14(const nid_buf *infos, size_t n, nid_buf *out)
{
	const nid_buf *order[ISSUE_SECINFOS_MAX], *t;
	nid_buf set, seq;
	size_t i, j, m;
	int c, rc;

	if (n == 0 || n > ISSUE_SECINFOS_MAX)
		return NID_E_INTERNAL;
	for (i = 0; i < n; i++)
		order[i] = &infos[i];
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			m = order[j - 1]->len < order[j]->len ?
			    order[j - 1]->len : order[j]->len;
			c = memcmp(order[j - 1]->p, order[j]->p, m);
			if (c < 0 || (c == 0 && order[j - 1]->len <= order[j]->len))
				break;
			t = order[j - 1];
			order[j - 1] = order[j];
			order[j] = t;
		}
	nid_buf_init(&set, NID_SIM_EF_MAX);
	nid_buf_init(&seq, NID_SIM_EF_MAX);
	for (i = 0; i < n; i++)
		if ((rc = nid_buf_put(&set, order[i]->p, order[i]->len)) !=
		    NID_OK)
			goto out;
	if ((rc = wrap_tlv(&seq, 0x31, &set)) != NID_OK ||
	    (rc = wrap_tlv(out, 0x6E, &seq)) != NID_OK)
		goto out;
out:
	nid_buf_clear(&set);
	nid_buf_clear(&seq);
	return rc;
}

/* SecurityInfo 30 { 06 protocol, mid (DER, as given), [02 01 keyId] }. */
static int
secinfo_put(const char *dotted, const uint8_t *mid, size_t mid_len,
    long key_id, nid_buf *out)
{
	uint8_t oid[NID_OID_DER_MAX], kid[2] = { 0x02, 0x01 }, v;
	size_t oid_len;
	nid_buf body;
	int rc;

	nid_buf_init(&body, NID_SIM_EF_MAX);
	if ((rc = nid_oid_from_str(dotted, oid, sizeof(oid), &oid_len)) !=
	    NID_OK ||
	    (rc = nid_tlv_put(&body, 0x06, oid, oid_len)) != NID_OK ||
	    (rc = nid_buf_put(&body, mid, mid_len)) != NID_OK)
		goto out;
	if (key_id >= 0) {
		/* keyIds 0..127: one content byte, DER minimal. */
		if (key_id > 127) {
			rc = NID_E_INTERNAL;
			goto out;
		}
		v = (uint8_t)key_id;
		if ((rc = nid_buf_put(&body, kid, 2)) != NID_OK ||
		    (rc = nid_buf_put_u8(&body, v)) != NID_OK)
			goto out;
	}
	rc = wrap_tlv(out, 0x30, &body);
out:
	nid_buf_clear(&body);
	return rc;
}

/* ---- Chip Authentication keys (ICAO 9303-11 §6.2) ---------------------- */

#define ISSUE_CA_KEY_ID 1

/* The chip's static key pair. */
static int
ca_keygen(unsigned kind, EVP_PKEY **out)
{
	EVP_PKEY_CTX *pc = NULL;
	OSSL_PARAM gp[2];
	int rc = NID_E_CRYPTO;

	*out = NULL;
	switch (kind) {
	case NID_SIM_CA_ECDH_P256:
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case NID_SIM_CA_ECDH_BP256:
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "brainpoolP256r1");
		break;
	case NID_SIM_CA_DH2048:
		/* RFC 5114 §2.3: 2048-bit MODP group with a 256-bit prime
		 * order subgroup (PACE parameterId 2), X9.42 keys. */
		gp[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, (char *)(uintptr_t)"dh_2048_256",
		    0);
		gp[1] = OSSL_PARAM_construct_end();
		if ((pc = EVP_PKEY_CTX_new_from_name(NULL, "DHX", NULL)) ==
		    NULL || EVP_PKEY_keygen_init(pc) <= 0 ||
		    EVP_PKEY_CTX_set_params(pc, gp) <= 0 ||
		    EVP_PKEY_generate(pc, out) <= 0)
			*out = NULL;
		break;
	default:
		return NID_E_INVALID_ARG;
	}
	if (*out != NULL)
		rc = NID_OK;
	EVP_PKEY_CTX_free(pc);
	return rc;
}

/* A file only its owner reads (private keys). */
static int
write_secret(nid_ctx_t *ctx, const char *dir, const char *rel,
    const uint8_t *p, size_t n)
{
	char path[4096];
	ssize_t w;
	size_t off = 0;
	int fd, rc = NID_OK;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >=
	    sizeof(path))
		return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "output path too long");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    fchmod(fd, 0600) == -1) {
		rc = nid_ctx_set_detail(ctx, NID_E_IO, "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	while (off < n) {
		if ((w = write(fd, p + off, n - off)) <= 0) {
			rc = nid_ctx_set_detail(ctx, NID_E_IO, "%s: write error",
			    path);
			goto out;
		}
		off += (size_t)w;
	}
out:
	if (fd != -1 && close(fd) != 0 && rc == NID_OK)
		rc = nid_ctx_set_detail(ctx, NID_E_IO, "%s: write error", path);
	return rc;
}

/*
 * Chip Authentication: a fresh key pair; into infos its
 * ChipAuthenticationInfo { id-CA-<ka>-<cipher>, version 1, keyId 1 }
 * and ChipAuthenticationPublicKeyInfo { id-PK-<ka>, SubjectPublicKeyInfo,
 * keyId 1 } (ICAO 9303-11 §9.2; TR-03110-3 §A.1.1.2), the
 * EC domain parameters explicit as in the DG14 of real passports; the
 * private key as PKCS#8 PEM into *pem; the protocol OID into oid.
 */
static int
ca_issue(const struct nid_sim_issue_opts *o, nid_buf *infos, size_t *ninfos,
    nid_buf *pem, char *oid, size_t oid_size, char *algo, size_t algo_size)
{
	static const uint8_t v1[] = { 0x02, 0x01, 0x01 };
	EVP_PKEY *key = NULL;
	BIO *bio = NULL;
	BUF_MEM *mem = NULL;
	uint8_t *spki = NULL;
	int ec = o->ca != NID_SIM_CA_DH2048, n, rc;
	const char *ca_oid, *pk_oid;

	if (*ninfos + 2 > ISSUE_SECINFOS_MAX)
		return NID_E_INTERNAL;
	if (ec)
		ca_oid = o->ca_aes ? "0.4.0.127.0.7.2.2.3.2.2" :
		    "0.4.0.127.0.7.2.2.3.2.1";
	else
		ca_oid = o->ca_aes ? "0.4.0.127.0.7.2.2.3.1.2" :
		    "0.4.0.127.0.7.2.2.3.1.1";
	pk_oid = ec ? "0.4.0.127.0.7.2.2.1.2" : "0.4.0.127.0.7.2.2.1.1";
	(void)snprintf(oid, oid_size, "%s", ca_oid);
	if ((rc = ca_keygen(o->ca, &key)) != NID_OK)
		goto out;
	nid_ca_algorithm_str(key, o->ca_aes ? NID_KDF_AES128 : NID_KDF_3DES,
	    algo, algo_size);
	rc = NID_E_CRYPTO;
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    BIO_get_mem_ptr(bio, &mem) != 1 || mem == NULL)
		goto out;
	if ((rc = nid_buf_put(pem, mem->data, mem->length)) != NID_OK)
		goto out;
	rc = NID_E_CRYPTO;
	if (ec && EVP_PKEY_set_utf8_string_param(key,
	    OSSL_PKEY_PARAM_EC_ENCODING, OSSL_PKEY_EC_ENCODING_EXPLICIT) != 1)
		goto out;
	if ((n = i2d_PUBKEY(key, &spki)) <= 0)
		goto out;
	if ((rc = secinfo_put(ca_oid, v1, sizeof(v1), ISSUE_CA_KEY_ID,
	    &infos[*ninfos])) != NID_OK ||
	    (rc = secinfo_put(pk_oid, spki, (size_t)n, ISSUE_CA_KEY_ID,
	    &infos[*ninfos + 1])) != NID_OK)
		goto out;
	*ninfos += 2;
	rc = NID_OK;
out:
	OPENSSL_free(spki);
	BIO_free(bio);
	EVP_PKEY_free(key);
	return rc;
}

/* ---- Active Authentication keys (ICAO 9303-11 §6.1) ------------------- */

/*
 * The ATR of an RSA-2048 AA image: its 256-byte answer does not fit a
 * short protected response (ICAO 9303-11 §9.8), so the historical bytes
 * announce extended Lc/Le (ISO/IEC 7816-4 §8.1.1.2.7, card capabilities
 * 73 80 21 C0: third software function table b8 chaining, b7 extended
 * length), then 59 "NIDCARDAA" (card issuer's data). TCK 92.
 */
#define ISSUE_ATR_EXT "3B 8F 80 01 80 73 80 21 C0 59 4E 49 44 43 41 52 44 " \
	"41 41 92"

/* card.json "icao"."aa"."hash" (sim_aa.c) and the BSI TR-03111 §5.2.1
 * ecdsa-plain-signatures OID of each hash. */
static const struct {
	int md_nid;
	const char *name;
	const char *plain_oid;
} aa_hashes[] = {
	{ NID_sha1, "sha1", "0.4.0.127.0.7.1.1.4.1.1" },
	{ NID_sha224, "sha224", "0.4.0.127.0.7.1.1.4.1.2" },
	{ NID_sha256, "sha256", "0.4.0.127.0.7.1.1.4.1.3" },
	{ NID_sha384, "sha384", "0.4.0.127.0.7.1.1.4.1.4" },
	{ NID_sha512, "sha512", "0.4.0.127.0.7.1.1.4.1.5" },
};

/* One AA key pair: DG15 = 6F { SubjectPublicKeyInfo } (ICAO 9303-10
 * §4.7.15) into dg15, the private key as PKCS#8 PEM into pem. */
static int
aa_key(unsigned kind, nid_buf *dg15, nid_buf *pem)
{
	EVP_PKEY *key = NULL;
	BIO *bio = NULL;
	BUF_MEM *mem = NULL;
	uint8_t *spki = NULL;
	int n, rc = NID_E_CRYPTO;

	nid_buf_reset(dg15);
	nid_buf_reset(pem);
	if (kind == NID_SIM_AA_RSA1024)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	else if (kind == NID_SIM_AA_RSA2048)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else if (kind == NID_SIM_AA_ECDSA_P256)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else
		return NID_E_INVALID_ARG;
	if (key == NULL)
		goto out;
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    BIO_get_mem_ptr(bio, &mem) != 1 || mem == NULL)
		goto out;
	if ((rc = nid_buf_put(pem, mem->data, mem->length)) != NID_OK)
		goto out;
	rc = NID_E_CRYPTO;
	if ((n = i2d_PUBKEY(key, &spki)) <= 0)
		goto out;
	rc = nid_tlv_put(dg15, 0x6F, spki, (size_t)n);
out:
	OPENSSL_free(spki);
	BIO_free(bio);
	EVP_PKEY_free(key);
	return rc;
}

/*
 * Active Authentication: the chip's key pair (DG15, its PEM) and, for
 * ECDSA, ActiveAuthenticationInfo { id-icao-mrtd-security-aaProtocolObject
 * 2.23.136.1.1.5, version 1, signatureAlgorithm ecdsa-plain-SHAx } for
 * DG14 (ICAO 9303-11 §9.2.4; §6.1.2.3 has the hash named there). With
 * the fault dg15-swapped a second pair into dg15_b, pem_b.
 */
static int
aa_issue(const struct nid_sim_issue_opts *o, int md_nid, nid_buf *infos,
    size_t *ninfos, nid_buf *dg15, nid_buf *pem, nid_buf *dg15_b,
    nid_buf *pem_b)
{
	static const uint8_t v1[] = { 0x02, 0x01, 0x01 };
	uint8_t oid[NID_OID_DER_MAX];
	size_t oid_len, i;
	nid_buf mid;
	int rc;

	if ((rc = aa_key(o->aa, dg15, pem)) != NID_OK)
		return rc;
	if ((o->faults & NID_SIM_ISSUE_FAULT_DG15_SWAPPED) &&
	    (rc = aa_key(o->aa, dg15_b, pem_b)) != NID_OK)
		return rc;
	if (o->aa != NID_SIM_AA_ECDSA_P256)
		return NID_OK;
	for (i = 0; i < NID_NELEM(aa_hashes); i++)
		if (aa_hashes[i].md_nid == md_nid)
			break;
	if (i == NID_NELEM(aa_hashes) || *ninfos >= ISSUE_SECINFOS_MAX)
		return NID_E_INTERNAL;
	nid_buf_init(&mid, 64);
	if ((rc = nid_oid_from_str(aa_hashes[i].plain_oid, oid, sizeof(oid),
	    &oid_len)) != NID_OK ||
	    (rc = nid_buf_put(&mid, v1, sizeof(v1))) != NID_OK ||
	    (rc = nid_tlv_put(&mid, 0x06, oid, oid_len)) != NID_OK ||
	    (rc = secinfo_put("2.23.136.1.1.5", mid.p, mid.len, -1,
	    &infos[*ninfos])) != NID_OK)
		goto out;
	(*ninfos)++;
out:
	nid_buf_clear(&mid);
	return rc;
}

/* EF.CardAccess (ICAO 9303-11 §9.2.1): SET { PACEInfo { OID, 2, id } }. */
static int
build_cardaccess(long param_id, nid_buf *out, char *oid_str, size_t oid_size)
{
	const char *dotted = param_id <= 2 ? "0.4.0.127.0.7.2.2.4.1.2" :
	    "0.4.0.127.0.7.2.2.4.2.2";
	uint8_t oid[16];
	size_t oid_len;
	uint8_t ints[] = { 0x02, 0x01, 0x02, 0x02, 0x01, 0x00 };
	nid_buf info, seq;
	int rc;

	ints[5] = (uint8_t)param_id;
	(void)snprintf(oid_str, oid_size, "%s", dotted);
	nid_buf_init(&info, 256);
	nid_buf_init(&seq, 256);
	if ((rc = nid_oid_from_str(dotted, oid, sizeof(oid), &oid_len)) !=
	    NID_OK ||
	    (rc = nid_tlv_put(&info, 0x06, oid, oid_len)) != NID_OK ||
	    (rc = nid_buf_put(&info, ints, sizeof(ints))) != NID_OK ||
	    (rc = wrap_tlv(&seq, 0x30, &info)) != NID_OK ||
	    (rc = wrap_tlv(out, 0x31, &seq)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	nid_buf_clear(&info);
	nid_buf_clear(&seq);
	return rc;
}

/* ---- files ------------------------------------------------------------ */

static int
read_all(nid_ctx_t *ctx, const char *path, size_t max, nid_buf *out)
{
	FILE *fp;
	uint8_t chunk[4096];
	size_t n;
	int rc = NID_OK;

	if ((fp = fopen(path, "rb")) == NULL)
		return nid_ctx_set_detail(ctx, NID_E_IO, "%s: %s", path,
		    strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (out->len + n > max ||
		    (rc = nid_buf_put(out, chunk, n)) != NID_OK) {
			rc = nid_ctx_set_detail(ctx, NID_E_TOO_LARGE,
			    "%s: larger than %zu bytes", path, max);
			break;
		}
	if (rc == NID_OK && ferror(fp))
		rc = nid_ctx_set_detail(ctx, NID_E_IO, "%s: read error", path);
	fclose(fp);
	return rc;
}

static int
write_file(nid_ctx_t *ctx, const char *dir, const char *rel,
    const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *fp;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >=
	    sizeof(path))
		return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "output path too long");
	if ((fp = fopen(path, "wb")) == NULL)
		return nid_ctx_set_detail(ctx, NID_E_IO, "%s: %s", path,
		    strerror(errno));
	if ((n > 0 && fwrite(p, 1, n, fp) != n) || fclose(fp) != 0)
		return nid_ctx_set_detail(ctx, NID_E_IO, "%s: write error",
		    path);
	return NID_OK;
}

static int
make_dir(nid_ctx_t *ctx, const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return nid_ctx_set_detail(ctx, NID_E_IO, "%s: %s", path,
		    strerror(errno));
	return NID_OK;
}

static json_t *
ef_node(const char *fid, int sfi, const char *name, const char *content,
    const char *read)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", "EF",
	    "fid", fid, "sfi", sfi, "name", name, "content", content,
	    "read", read);
}

/* Sign EF.SOD over the data groups (sod.h) with the DS key pair. */
static int
sign_sod(nid_ctx_t *ctx, const struct nid_sim_issue_opts *o,
    const struct issue_dg *dgv, size_t ndg, nid_buf *sod)
{
	struct nid_sod_sign_dg dgs[ISSUE_DGS_MAX];
	size_t i;
	struct nid_sod_sign_params sp;
	X509 *cert = NULL, *fat = NULL;
	EVP_PKEY *key = NULL;
	FILE *fp;
	int rc;

	if ((fp = fopen(o->ds_cert, "r")) == NULL)
		return nid_ctx_set_detail(ctx, NID_E_IO, "%s: %s", o->ds_cert,
		    strerror(errno));
	cert = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (cert == NULL) {
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED, "%s: not a PEM "
		    "certificate", o->ds_cert);
		goto out;
	}
	if ((fp = fopen(o->ds_key, "r")) == NULL) {
		rc = nid_ctx_set_detail(ctx, NID_E_IO, "%s: %s", o->ds_key,
		    strerror(errno));
		goto out;
	}
	key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (key == NULL) {
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED, "%s: not a PEM "
		    "private key", o->ds_key);
		goto out;
	}
	for (i = 0; i < ndg && i < ISSUE_DGS_MAX; i++) {
		dgs[i].n = dgv[i].n;
		dgs[i].p = dgv[i].data->p;
		dgs[i].len = dgv[i].data->len;
	}
	memset(&sp, 0, sizeof(sp));
	sp.md_nid = o->md_nid != 0 ? o->md_nid : NID_sha256;
	sp.sig = o->sig;
	sp.lds_version = o->lds_version;
	/* Hostile issue faults (sim_hostile.h): a 1 MB DS certificate, an
	 * LDSSecurityObject with 10 000 hashes. */
	if ((o->faults & NID_SIM_ISSUE_FAULT_DS_CERT_1MB) &&
	    (rc = nid_sim_hostile_fat_cert(ctx, cert, key,
	    NID_SIM_HOSTILE_CERT_PAD, &fat)) != NID_OK)
		goto out;
	if (o->faults & NID_SIM_ISSUE_FAULT_SOD_HASHES)
		rc = nid_sim_hostile_sod_hashes(ctx, dgs, i,
		    NID_SIM_HOSTILE_SOD_HASHES, fat != NULL ? fat : cert, key,
		    &sp, sod);
	else
		rc = nid_sod_sign(ctx, dgs, i, fat != NULL ? fat : cert, key,
		    &sp, sod);
out:
	X509_free(fat);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int
nid_sim_issue(nid_ctx_t *ctx, const struct nid_sim_issue_opts *o)
{
	struct person p;
	struct issue_dg dgv[ISSUE_DGS_MAX];
	nid_buf face, com, dg1, dg2, dg11, dg14, ca, sod, ca_pem;
	nid_buf dg15, dg15_b, aa_pem, aa_pem_b;
	size_t aa_h = 0;
	nid_buf secinfos[ISSUE_SECINFOS_MAX];
	nid_pace_dp *dp = NULL;
	json_t *root = NULL, *mf, *mfkids, *app, *appkids, *icao, *acc, *mrz;
	char path[4096], oid[64], desc[320], fid[8], rel[32];
	char ca_oid[64], ca_algo[64];
	unsigned w = 160, h = 200;
	int jp2 = 0, signed_sod, rc;
	size_t i, ndg = 0, nsecinfos = 0;
	nid_sim_card *check = NULL;

	memset(&p, 0, sizeof(p));
	ca_oid[0] = ca_algo[0] = '\0';
	nid_buf_init(&face, FACE_MAX);
	nid_buf_init(&com, 256);
	nid_buf_init(&dg1, 256);
	nid_buf_init(&dg2, NID_SIM_EF_MAX);
	nid_buf_init(&dg11, 256);
	nid_buf_init(&dg14, NID_SIM_EF_MAX);
	nid_buf_init(&ca, 256);
	nid_buf_init(&sod, NID_SIM_EF_MAX);
	nid_buf_init(&ca_pem, 16384);
	nid_buf_init(&dg15, 16384);
	nid_buf_init(&dg15_b, 16384);
	nid_buf_init(&aa_pem, 16384);
	nid_buf_init(&aa_pem_b, 16384);
	for (i = 0; i < ISSUE_SECINFOS_MAX; i++)
		nid_buf_init(&secinfos[i], NID_SIM_EF_MAX);
	signed_sod = o->ds_key != NULL && o->ds_cert != NULL;
	if ((o->ds_key == NULL) != (o->ds_cert == NULL)) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "--ds-key and --ds-cert go together");
		goto out;
	}
	if (o->access == 0 || (o->access & ~(unsigned)(NID_SIM_ACCESS_BAC |
	    NID_SIM_ACCESS_PACE)) != 0) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG, "bad access");
		goto out;
	}
	if (o->access & NID_SIM_ACCESS_PACE) {
		if (nid_pace_dp_std(o->param_id, &dp) != NID_OK ||
		    o->param_id > 31) {
			rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
			    "--param-id %ld: not a supported standardized "
			    "domain parameter id (0-2, 8-18)", o->param_id);
			goto out;
		}
		nid_pace_dp_free(&dp);
	}
	if (o->ca > NID_SIM_CA_DH2048) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG, "bad --ca");
		goto out;
	}
	/* Active Authentication: the hash (SHA-1 trailer BC for RSA, as
	 * ICAO 9303-11 §6.1.2.2 has it; SHA-256 for ECDSA, §6.1.2.3). */
	for (aa_h = 0; aa_h < NID_NELEM(aa_hashes); aa_h++)
		if (aa_hashes[aa_h].md_nid == (o->aa_md_nid != 0 ?
		    o->aa_md_nid : o->aa == NID_SIM_AA_ECDSA_P256 ? NID_sha256 :
		    NID_sha1))
			break;
	if (o->aa > NID_SIM_AA_ECDSA_P256 || aa_h == NID_NELEM(aa_hashes)) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG, "bad --aa or "
		    "--aa-hash");
		goto out;
	}
	if ((o->faults & NID_SIM_ISSUE_FAULT_DG15_SWAPPED) &&
	    o->aa == NID_SIM_AA_NONE) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG, "--fault "
		    "dg15-swapped needs --aa");
		goto out;
	}
	if (o->can != NULL && (strlen(o->can) < 1 || strlen(o->can) > 16 ||
	    strspn(o->can, "0123456789") != strlen(o->can))) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "--can: 1..16 digits (cards print 6)");
		goto out;
	}
	if ((rc = load_person(ctx, o->person, &p)) != NID_OK)
		goto out;
	if (o->face != NULL) {
		if ((rc = read_all(ctx, o->face, FACE_MAX, &face)) != NID_OK)
			goto out;
		switch (nid_lds_img_sniff(face.p, face.len)) {
		case NID_LDS_IMG_JPEG:
			break;
		case NID_LDS_IMG_JP2:
		case NID_LDS_IMG_J2K:
			jp2 = 1;
			break;
		default:
			rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED,
			    "%s: neither JPEG nor JPEG 2000", o->face);
			goto out;
		}
		if (nid_lds_img_size(face.p, face.len, &w, &h) != NID_OK ||
		    w > 0xFFFF || h > 0xFFFF)
			w = h = 0;  /* 19794-5: 0 when not known */
	} else if ((rc = synth_jpeg(w, h, &face)) != NID_OK)
		goto out;
	if ((rc = build_dgs(&p, face.p, face.len, jp2, w, h, &dg1, &dg2,
	    &dg11)) != NID_OK)
		goto out;
	if (dg2.len > NID_SIM_EF_MAX) {
		rc = nid_ctx_set_detail(ctx, NID_E_TOO_LARGE,
		    "DG2 larger than 1 MiB");
		goto out;
	}
	/* Chip Authentication: the chip's key pair, its SecurityInfos. */
	if (o->ca != NID_SIM_CA_NONE && (rc = ca_issue(o, secinfos,
	    &nsecinfos, &ca_pem, ca_oid, sizeof(ca_oid), ca_algo,
	    sizeof(ca_algo))) != NID_OK) {
		rc = nid_ctx_set_detail(ctx, rc, "--ca: no key pair (%s)",
		    nid_strerror(rc));
		goto out;
	}
	/* Active Authentication: the chip's key pair, DG15, for ECDSA its
	 * ActiveAuthenticationInfo. */
	if (o->aa != NID_SIM_AA_NONE && (rc = aa_issue(o,
	    aa_hashes[aa_h].md_nid, secinfos, &nsecinfos, &dg15, &aa_pem,
	    &dg15_b, &aa_pem_b)) != NID_OK) {
		rc = nid_ctx_set_detail(ctx, rc, "--aa: no key pair (%s)",
		    nid_strerror(rc));
		goto out;
	}
	/* The data groups, in DG number order (ICAO 9303-10 §4.6.1). */
	if ((rc = dg_add(dgv, &ndg, 1, 0x61, "DG1 (MRZ)", &dg1)) != NID_OK ||
	    (rc = dg_add(dgv, &ndg, 2, 0x75, "DG2 (face)", &dg2)) != NID_OK ||
	    (rc = dg_add(dgv, &ndg, 11, 0x6B,
	    "DG11 (additional personal details)", &dg11)) != NID_OK)
		goto out;
	if (nsecinfos > 0 &&
	    ((rc = build_dg14(secinfos, nsecinfos, &dg14)) != NID_OK ||
	    (rc = dg_add(dgv, &ndg, 14, 0x6E, "DG14 (security options)",
	    &dg14)) != NID_OK))
		goto out;
	if (o->aa != NID_SIM_AA_NONE && (rc = dg_add(dgv, &ndg, 15, 0x6F,
	    "DG15 (Active Authentication public key)", &dg15)) != NID_OK)
		goto out;
	if ((rc = build_com(dgv, ndg, &com)) != NID_OK)
		goto out;
	if (signed_sod && (rc = sign_sod(ctx, o, dgv, ndg, &sod)) != NID_OK)
		goto out;
	if ((o->faults & ~NID_SIM_ISSUE_FAULT_CLONE) != 0 && !signed_sod) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "--fault needs a signed EF.SOD (--pki or --ds-key)");
		goto out;
	}
	/* Faults for passive authentication (ICAO 9303-11 §5.1): DG11's last
	 * byte (a name character) changes after its hash was signed; the
	 * last byte of EF.SOD (DER, no unsigned attributes: the end of the
	 * SignerInfo signature OCTET STRING, RFC 5652 §5.3) is flipped. */
	if ((o->faults & NID_SIM_ISSUE_FAULT_DG_CHANGED) && dg11.len > 0)
		dg11.p[dg11.len - 1] ^= 0x01;
	if ((o->faults & NID_SIM_ISSUE_FAULT_BAD_SIG) && sod.len > 0)
		sod.p[sod.len - 1] ^= 0xFF;
	/* dg15-swapped: another key in DG15 after EF.SOD hashed the first,
	 * and the chip holds that other key (a blank chip carrying its own
	 * key pair: AA passes, passive authentication fails at DG15). */
	if (o->faults & NID_SIM_ISSUE_FAULT_DG15_SWAPPED) {
		nid_buf_reset(&dg15);
		nid_buf_reset(&aa_pem);
		if ((rc = nid_buf_put(&dg15, dg15_b.p, dg15_b.len)) != NID_OK ||
		    (rc = nid_buf_put(&aa_pem, aa_pem_b.p, aa_pem_b.len)) !=
		    NID_OK)
			goto out;
	}
	if ((o->access & NID_SIM_ACCESS_PACE) && (rc = build_cardaccess(
	    o->param_id, &ca, oid, sizeof(oid))) != NID_OK)
		goto out;
	if ((rc = make_dir(ctx, o->out_dir)) != NID_OK)
		goto out;
	if ((size_t)snprintf(path, sizeof(path), "%s/ef", o->out_dir) >=
	    sizeof(path)) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG, "path too long");
		goto out;
	}
	if ((rc = make_dir(ctx, path)) != NID_OK)
		goto out;
	if (ca_pem.len > 0) {
		if ((size_t)snprintf(path, sizeof(path), "%s/keys",
		    o->out_dir) >= sizeof(path)) {
			rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
			    "path too long");
			goto out;
		}
		if ((rc = make_dir(ctx, path)) != NID_OK ||
		    (rc = write_secret(ctx, o->out_dir, "keys/ca.pem", ca_pem.p,
		    ca_pem.len)) != NID_OK)
			goto out;
	}

	if (aa_pem.len > 0) {
		if ((size_t)snprintf(path, sizeof(path), "%s/keys",
		    o->out_dir) >= sizeof(path)) {
			rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
			    "path too long");
			goto out;
		}
		if ((rc = make_dir(ctx, path)) != NID_OK ||
		    (rc = write_secret(ctx, o->out_dir, "keys/aa.pem", aa_pem.p,
		    aa_pem.len)) != NID_OK)
			goto out;
	}

	/* card.json */
	(void)snprintf(desc, sizeof(desc), "eMRTD %s issued by nidcard-sim "
	    "issue: %s%s%s, %s face image%s.", p.td3 ? "passport (TD3)" :
	    "ID card (TD1)", o->access & NID_SIM_ACCESS_PACE ? "PACE" : "",
	    o->access == (NID_SIM_ACCESS_PACE | NID_SIM_ACCESS_BAC) ? "+" : "",
	    o->access & NID_SIM_ACCESS_BAC ? "BAC" : "",
	    o->face != NULL ? "given" : "synthetic (uniform grey JPEG)",
	    signed_sod ? ", signed EF.SOD" : ", no EF.SOD");
	if (ca_oid[0] != '\0')
		(void)snprintf(desc + strlen(desc) - 1, sizeof(desc) -
		    strlen(desc) + 1, ", Chip Authentication (%s).", ca_algo);
	if (o->aa != NID_SIM_AA_NONE)
		(void)snprintf(desc + strlen(desc) - 1, sizeof(desc) -
		    strlen(desc) + 1, ", Active Authentication (%s, %s).",
		    o->aa == NID_SIM_AA_RSA1024 ? "RSA-1024" :
		    o->aa == NID_SIM_AA_RSA2048 ? "RSA-2048" : "ECDSA P-256",
		    aa_hashes[aa_h].name);
	appkids = json_array();
	(void)json_array_append_new(appkids, ef_node("011E", 30, "EF.COM",
	    "ef/011E.bin", "sm"));
	if (signed_sod)
		(void)json_array_append_new(appkids, ef_node("011D", 29,
		    "EF.SOD", "ef/011D.bin", "sm"));
	for (i = 0; i < ndg; i++) {
		(void)snprintf(fid, sizeof(fid), "01%02X", dgv[i].n);
		(void)snprintf(rel, sizeof(rel), "ef/01%02X.bin", dgv[i].n);
		(void)json_array_append_new(appkids, ef_node(fid,
		    (int)dgv[i].n, dgv[i].name, rel, "sm"));
	}
	app = json_pack("{s:s, s:s, s:s, s:s, s:o}", "type", "DF", "fid",
	    "7F10", "aid", "A0 00 00 02 47 10 01", "name",
	    "eMRTD application (LDS1)", "children", appkids);
	mfkids = json_array();
	if (o->access & NID_SIM_ACCESS_PACE)
		(void)json_array_append_new(mfkids, ef_node("011C", 28,
		    "EF.CardAccess", "ef/011C.bin", "always"));
	(void)json_array_append_new(mfkids, app);
	mf = json_pack("{s:s, s:s, s:o}", "type", "MF", "fid", "3F00",
	    "children", mfkids);
	mrz = json_array();
	(void)json_array_append_new(mrz, json_string(p.mrz[0]));
	(void)json_array_append_new(mrz, json_string(p.mrz[1]));
	if (!p.td3)
		(void)json_array_append_new(mrz, json_string(p.mrz[2]));
	acc = json_array();
	if (o->access & NID_SIM_ACCESS_PACE)
		(void)json_array_append_new(acc, json_string("pace"));
	if (o->access & NID_SIM_ACCESS_BAC)
		(void)json_array_append_new(acc, json_string("bac"));
	icao = json_pack("{s:o, s:o}", "mrz", mrz, "access", acc);
	if (o->can != NULL)
		(void)json_object_set_new(icao, "can", json_string(o->can));
	if (o->access & NID_SIM_ACCESS_PACE)
		(void)json_object_set_new(icao, "pace", json_pack("[{s:s, s:i}]",
		    "oid", oid, "param_id", (int)o->param_id));
	if (ca_oid[0] != '\0')
		(void)json_object_set_new(icao, "ca", json_pack("[{s:s, s:i, "
		    "s:s}]", "oid", ca_oid, "key_id", ISSUE_CA_KEY_ID, "key",
		    "keys/ca.pem"));
	if (o->aa != NID_SIM_AA_NONE)
		(void)json_object_set_new(icao, "aa", json_pack("{s:s, s:s}",
		    "key", "keys/aa.pem", "hash", aa_hashes[aa_h].name));
	if (o->faults & NID_SIM_ISSUE_FAULT_CLONE)
		(void)json_object_set_new(icao, "faults", json_pack("{s:b}",
		    "clone", 1));
	root = json_pack("{s:s, s:s, s:s, s:{s:b, s:i, s:i}, s:o, s:o}",
	    "format", "nidcard.card-image/1", "description", desc, "atr",
	    o->aa == NID_SIM_AA_RSA2048 ? ISSUE_ATR_EXT : ISSUE_ATR,
	    "capabilities", "extended_length", 1, "max_le", 65536,
	    "max_lc", 65535, "files", mf, "icao", icao);
	if (root == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/card.json", o->out_dir) >=
	    sizeof(path) ||
	    json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) !=
	    0) {
		rc = nid_ctx_set_detail(ctx, NID_E_IO, "%s: cannot write",
		    path);
		goto out;
	}
	if ((rc = write_file(ctx, o->out_dir, "ef/011E.bin", com.p, com.len)) !=
	    NID_OK)
		goto out;
	for (i = 0; i < ndg; i++) {
		(void)snprintf(rel, sizeof(rel), "ef/01%02X.bin", dgv[i].n);
		if ((rc = write_file(ctx, o->out_dir, rel, dgv[i].data->p,
		    dgv[i].data->len)) != NID_OK)
			goto out;
	}
	if ((o->access & NID_SIM_ACCESS_PACE) && (rc = write_file(ctx,
	    o->out_dir, "ef/011C.bin", ca.p, ca.len)) != NID_OK)
		goto out;
	if (signed_sod && (rc = write_file(ctx, o->out_dir, "ef/011D.bin",
	    sod.p, sod.len)) != NID_OK)
		goto out;
	/* The image must load: the same checks as `nidcard-sim check`. */
	rc = nid_sim_card_load(ctx, o->out_dir, &check);
out:
	nid_sim_card_free(&check);
	json_decref(root);
	OPENSSL_cleanse(&p, sizeof(p));
	nid_buf_clear(&face);
	nid_buf_clear(&com);
	nid_buf_clear(&dg1);
	nid_buf_clear(&dg2);
	nid_buf_clear(&dg11);
	nid_buf_clear(&dg14);
	nid_buf_clear(&ca);
	nid_buf_clear(&sod);
	nid_buf_clear(&ca_pem);
	nid_buf_clear(&dg15);
	nid_buf_clear(&dg15_b);
	nid_buf_clear(&aa_pem);
	nid_buf_clear(&aa_pem_b);
	for (i = 0; i < ISSUE_SECINFOS_MAX; i++)
		nid_buf_clear(&secinfos[i]);
	return rc;
}

/* ---- the command ------------------------------------------------------ */

static void
issue_usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: nidcard-sim issue --person FILE --out DIR [--access "
	    "pace|bac|pace+bac]\n"
	    "         [--param-id N] [--can DIGITS] [--face FILE]\n"
	    "         [--ds-key KEY.pem --ds-cert CERT.pem]\n"
	    "         [--pki DIR [--ds NAME] [--lds v0|v1] [--fault NAME]...]\n"
	    "         [--ca ecdh-p256|ecdh-brainpool256|dh2048|none]\n"
	    "         [--ca-cipher 3des|aes128]\n"
	    "         [--aa rsa1024|rsa2048|ecdsa-p256|none] [--aa-hash H]\n\n"
	    "Write a card image with the eMRTD application for the person\n"
	    "record FILE (docs/card-image.md, \"Person records\"): card.json,\n"
	    "EF.CardAccess (PACE), EF.COM, DG1 (the MRZ), DG2 (the face; a\n"
	    "synthetic grey JPEG without --face), DG11 (the full name), and\n"
	    "with --ds-key/--ds-cert a signed EF.SOD (else none).\n\n"
	    "  --access A    pace, bac or pace+bac (default pace+bac)\n"
	    "  --param-id N  PACE domain parameters (default 13,\n"
	    "                brainpoolP256r1; 0-2 DH, 8-18 EC)\n"
	    "  --can DIGITS  the card access number (PACE with the CAN)\n"
	    "  --ca KEY      Chip Authentication: DG14 and the chip's key\n"
	    "                (keys/ca.pem): ecdh-p256, ecdh-brainpool256,\n"
	    "                dh2048 or none (default none)\n"
	    "  --ca-cipher C secure messaging after it: aes128 (default) or\n"
	    "                3des\n"
	    "  --aa KEY      Active Authentication: DG15 and the chip's key\n"
	    "                (keys/aa.pem): rsa1024, rsa2048, ecdsa-p256 or\n"
	    "                none (default none)\n"
	    "  --aa-hash H   the hash it signs with: sha1 (RSA default,\n"
	    "                trailer BC), sha224, sha256 (ECDSA default),\n"
	    "                sha384, sha512\n"
	    "  --pki DIR     sign EF.SOD with a test PKI (nidcard-sim pki init)\n"
	    "  --ds NAME     its signer: ds (default), foreign-ds, revoked-ds,\n"
	    "                expired-ds\n"
	    "  --lds V       LDSSecurityObject v0 (default) or v1\n"
	    "  --fault NAME  dg-changed (DG11 changed after signing),\n"
	    "                sod-bad-signature (signature bytes flipped),\n"
	    "                sod-10000-hashes (10 000 DG hashes in EF.SOD),\n"
	    "                ds-cert-1mb (a DS certificate of 1 MB),\n"
	    "                clone (the chip's private keys are not the\n"
	    "                issued ones: CA/AA fail),\n"
	    "                dg15-swapped (another AA key in DG15 after\n"
	    "                signing, held by the chip: data.hashes fails)\n\n"
	    "Exit status: 0 written, 1 invalid person record or input file,\n"
	    "2 usage error, 4 output not writable.\n");
}

int
nid_sim_issue_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "person", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "access", required_argument, NULL, 'a' },
		{ "param-id", required_argument, NULL, 'P' },
		{ "can", required_argument, NULL, 'c' },
		{ "face", required_argument, NULL, 'f' },
		{ "ds-key", required_argument, NULL, 'k' },
		{ "ds-cert", required_argument, NULL, 'C' },
		{ "pki", required_argument, NULL, 'K' },
		{ "ds", required_argument, NULL, 'D' },
		{ "lds", required_argument, NULL, 'L' },
		{ "fault", required_argument, NULL, 'F' },
		{ "ca", required_argument, NULL, 'A' },
		{ "ca-cipher", required_argument, NULL, 'X' },
		{ "aa", required_argument, NULL, 'V' },
		{ "aa-hash", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct nid_sim_issue_opts o;
	nid_ctx_t *ctx = NULL;
	const char *pki = NULL, *ds = "ds";
	char pki_key[4096], pki_cert[4096];
	char *end;
	size_t i;
	int c, rc, ret;

	memset(&o, 0, sizeof(o));
	o.access = NID_SIM_ACCESS_PACE | NID_SIM_ACCESS_BAC;
	o.param_id = 13;
	o.ca_aes = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.person = optarg;
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'f':
			o.face = optarg;
			break;
		case 'c':
			o.can = optarg;
			break;
		case 'k':
			o.ds_key = optarg;
			break;
		case 'C':
			o.ds_cert = optarg;
			break;
		case 'K':
			pki = optarg;
			break;
		case 'D':
			if (strcmp(optarg, "ds") != 0 &&
			    strcmp(optarg, "foreign-ds") != 0 &&
			    strcmp(optarg, "revoked-ds") != 0 &&
			    strcmp(optarg, "expired-ds") != 0) {
				fprintf(stderr, "nidcard-sim issue: bad --ds "
				    "'%s' (ds, foreign-ds, revoked-ds, "
				    "expired-ds)\n", optarg);
				return ISSUE_EXIT_USAGE;
			}
			ds = optarg;
			break;
		case 'L':
			if (strcmp(optarg, "v0") == 0)
				o.lds_version = 0;
			else if (strcmp(optarg, "v1") == 0)
				o.lds_version = 1;
			else {
				fprintf(stderr, "nidcard-sim issue: bad --lds "
				    "'%s' (v0, v1)\n", optarg);
				return ISSUE_EXIT_USAGE;
			}
			break;
		case 'F':
			if (strcmp(optarg, "dg-changed") == 0)
				o.faults |= NID_SIM_ISSUE_FAULT_DG_CHANGED;
			else if (strcmp(optarg, "sod-bad-signature") == 0)
				o.faults |= NID_SIM_ISSUE_FAULT_BAD_SIG;
			else if (strcmp(optarg, "sod-10000-hashes") == 0)
				o.faults |= NID_SIM_ISSUE_FAULT_SOD_HASHES;
			else if (strcmp(optarg, "ds-cert-1mb") == 0)
				o.faults |= NID_SIM_ISSUE_FAULT_DS_CERT_1MB;
			else if (strcmp(optarg, "clone") == 0)
				o.faults |= NID_SIM_ISSUE_FAULT_CLONE;
			else if (strcmp(optarg, "dg15-swapped") == 0)
				o.faults |= NID_SIM_ISSUE_FAULT_DG15_SWAPPED;
			else {
				fprintf(stderr, "nidcard-sim issue: bad --fault "
				    "'%s' (dg-changed, sod-bad-signature, "
				    "sod-10000-hashes, ds-cert-1mb, clone, "
				    "dg15-swapped)\n", optarg);
				return ISSUE_EXIT_USAGE;
			}
			break;
		case 'A':
			if (strcmp(optarg, "ecdh-p256") == 0)
				o.ca = NID_SIM_CA_ECDH_P256;
			else if (strcmp(optarg, "ecdh-brainpool256") == 0)
				o.ca = NID_SIM_CA_ECDH_BP256;
			else if (strcmp(optarg, "dh2048") == 0)
				o.ca = NID_SIM_CA_DH2048;
			else if (strcmp(optarg, "none") == 0)
				o.ca = NID_SIM_CA_NONE;
			else {
				fprintf(stderr, "nidcard-sim issue: bad --ca "
				    "'%s' (ecdh-p256, ecdh-brainpool256, dh2048, "
				    "none)\n", optarg);
				return ISSUE_EXIT_USAGE;
			}
			break;
		case 'V':
			if (strcmp(optarg, "rsa1024") == 0)
				o.aa = NID_SIM_AA_RSA1024;
			else if (strcmp(optarg, "rsa2048") == 0)
				o.aa = NID_SIM_AA_RSA2048;
			else if (strcmp(optarg, "ecdsa-p256") == 0)
				o.aa = NID_SIM_AA_ECDSA_P256;
			else if (strcmp(optarg, "none") == 0)
				o.aa = NID_SIM_AA_NONE;
			else {
				fprintf(stderr, "nidcard-sim issue: bad --aa "
				    "'%s' (rsa1024, rsa2048, ecdsa-p256, none)\n",
				    optarg);
				return ISSUE_EXIT_USAGE;
			}
			break;
		case 'H':
			for (i = 0; i < NID_NELEM(aa_hashes); i++)
				if (strcmp(optarg, aa_hashes[i].name) == 0)
					break;
			if (i == NID_NELEM(aa_hashes)) {
				fprintf(stderr, "nidcard-sim issue: bad "
				    "--aa-hash '%s' (sha1, sha224, sha256, "
				    "sha384, sha512)\n", optarg);
				return ISSUE_EXIT_USAGE;
			}
			o.aa_md_nid = aa_hashes[i].md_nid;
			break;
		case 'X':
			if (strcmp(optarg, "aes128") == 0)
				o.ca_aes = 1;
			else if (strcmp(optarg, "3des") == 0)
				o.ca_aes = 0;
			else {
				fprintf(stderr, "nidcard-sim issue: bad "
				    "--ca-cipher '%s' (3des, aes128)\n", optarg);
				return ISSUE_EXIT_USAGE;
			}
			break;
		case 'a':
			if (strcmp(optarg, "pace") == 0)
				o.access = NID_SIM_ACCESS_PACE;
			else if (strcmp(optarg, "bac") == 0)
				o.access = NID_SIM_ACCESS_BAC;
			else if (strcmp(optarg, "pace+bac") == 0 ||
			    strcmp(optarg, "bac+pace") == 0)
				o.access = NID_SIM_ACCESS_PACE |
				    NID_SIM_ACCESS_BAC;
			else {
				fprintf(stderr, "nidcard-sim issue: bad --access "
				    "'%s' (pace, bac, pace+bac)\n", optarg);
				return ISSUE_EXIT_USAGE;
			}
			break;
		case 'P':
			errno = 0;
			o.param_id = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    o.param_id < 0 || o.param_id > 31) {
				fprintf(stderr, "nidcard-sim issue: bad "
				    "--param-id '%s'\n", optarg);
				return ISSUE_EXIT_USAGE;
			}
			break;
		case 'h':
			issue_usage(stdout);
			return ISSUE_EXIT_OK;
		default:
			fprintf(stderr, "try 'nidcard-sim issue --help'\n");
			return ISSUE_EXIT_USAGE;
		}
	}
	if (optind != argc || o.person == NULL || o.out_dir == NULL) {
		fprintf(stderr, "nidcard-sim issue: --person FILE and --out DIR "
		    "are required; try 'nidcard-sim issue --help'\n");
		return ISSUE_EXIT_USAGE;
	}
	if ((o.ds_key == NULL) != (o.ds_cert == NULL)) {
		fprintf(stderr, "nidcard-sim issue: --ds-key and --ds-cert go "
		    "together\n");
		return ISSUE_EXIT_USAGE;
	}
	if (pki != NULL && o.ds_key != NULL) {
		fprintf(stderr, "nidcard-sim issue: --pki and --ds-key/--ds-cert "
		    "exclude each other\n");
		return ISSUE_EXIT_USAGE;
	}
	if (nid_ctx_new(&ctx) != NID_OK) {
		fprintf(stderr, "nidcard-sim issue: out of memory\n");
		return ISSUE_EXIT_IO;
	}
	if (pki != NULL) {
		if ((size_t)snprintf(pki_key, sizeof(pki_key), "%s/%s.key", pki,
		    ds) >= sizeof(pki_key) || (size_t)snprintf(pki_cert,
		    sizeof(pki_cert), "%s/%s.pem", pki, ds) >= sizeof(pki_cert))
			rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
			    "--pki: path too long");
		else
			rc = nid_sim_pki_params(ctx, pki, &o.md_nid, &o.sig);
		if (rc != NID_OK) {
			fprintf(stderr, "nidcard-sim issue: %s\n",
			    nid_ctx_detail(ctx));
			nid_ctx_free(&ctx);
			return rc == NID_E_INVALID_ARG ? ISSUE_EXIT_USAGE :
			    ISSUE_EXIT_INPUT;
		}
		o.ds_key = pki_key;
		o.ds_cert = pki_cert;
	}
	rc = nid_sim_issue(ctx, &o);
	if (rc == NID_OK) {
		printf("%s: eMRTD image written%s\n", o.out_dir,
		    o.ds_key != NULL ? " (signed EF.SOD)" :
		    " (no EF.SOD: pass --ds-key/--ds-cert to sign one)");
		ret = ISSUE_EXIT_OK;
	} else {
		fprintf(stderr, "nidcard-sim issue: %s\n", nid_ctx_detail(ctx));
		ret = rc == NID_E_IO ? ISSUE_EXIT_IO : rc == NID_E_INVALID_ARG ?
		    ISSUE_EXIT_USAGE : ISSUE_EXIT_INPUT;
	}
	nid_ctx_free(&ctx);
	return ret;
}
