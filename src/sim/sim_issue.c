/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_issue.c — `nidcard-sim issue`: a person record (JSON,
 * docs/card-image.md "Person records") → a card image with the eMRTD
 * application: card.json, EF.CardAccess (PACE), EF.COM, DG1 (the MRZ with
 * its check digits, ICAO 9303-3 §4.9, 9303-4/-5), DG2 (an ISO/IEC 19794-5
 * record around the face image), DG11 (the full name) and, with a
 * Document Signer key pair, a signed EF.SOD (sod.h, nid_sod_sign).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sim_icao.h"
#include "sim_pki.h"
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
    int jp2, unsigned w, unsigned h, nid_buf *com, nid_buf *dg1,
    nid_buf *dg2, nid_buf *dg11)
{
	static const uint8_t taglist[] = { 0x61, 0x75, 0x6B };
	static const uint8_t tl11[] = { 0x5F, 0x0E };
	nid_buf b, in;
	int rc;

	nid_buf_init(&b, 4096);
	nid_buf_init(&in, 256);
	/* EF.COM (9303-10 §4.6.1): LDS 1.7, Unicode 4.0.0, the DG tags. */
	if ((rc = nid_tlv_put(&b, 0x5F01, (const uint8_t *)"0107", 4)) !=
	    NID_OK ||
	    (rc = nid_tlv_put(&b, 0x5F36, (const uint8_t *)"040000", 6)) !=
	    NID_OK ||
	    (rc = nid_tlv_put(&b, 0x5C, taglist, sizeof(taglist))) != NID_OK ||
	    (rc = wrap_tlv(com, 0x60, &b)) != NID_OK)
		goto out;
	/* DG1 (§4.7.1): 61 { 5F1F the MRZ lines concatenated }. */
	nid_buf_reset(&b);
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
    const nid_buf *dg1, const nid_buf *dg2, const nid_buf *dg11,
    nid_buf *sod)
{
	struct nid_sod_sign_dg dgs[3];
	struct nid_sod_sign_params sp;
	X509 *cert = NULL;
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
	dgs[0].n = 1; dgs[0].p = dg1->p; dgs[0].len = dg1->len;
	dgs[1].n = 2; dgs[1].p = dg2->p; dgs[1].len = dg2->len;
	dgs[2].n = 11; dgs[2].p = dg11->p; dgs[2].len = dg11->len;
	memset(&sp, 0, sizeof(sp));
	sp.md_nid = o->md_nid != 0 ? o->md_nid : NID_sha256;
	sp.sig = o->sig;
	sp.lds_version = o->lds_version;
	rc = nid_sod_sign(ctx, dgs, 3, cert, key, &sp, sod);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int
nid_sim_issue(nid_ctx_t *ctx, const struct nid_sim_issue_opts *o)
{
	struct person p;
	nid_buf face, com, dg1, dg2, dg11, ca, sod;
	nid_pace_dp *dp = NULL;
	json_t *root = NULL, *mf, *mfkids, *app, *appkids, *icao, *acc, *mrz;
	char path[4096], oid[64], desc[256];
	unsigned w = 160, h = 200;
	int jp2 = 0, signed_sod, rc;
	nid_sim_card *check = NULL;

	memset(&p, 0, sizeof(p));
	nid_buf_init(&face, FACE_MAX);
	nid_buf_init(&com, 256);
	nid_buf_init(&dg1, 256);
	nid_buf_init(&dg2, NID_SIM_EF_MAX);
	nid_buf_init(&dg11, 256);
	nid_buf_init(&ca, 256);
	nid_buf_init(&sod, 65536);
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
	if ((rc = build_dgs(&p, face.p, face.len, jp2, w, h, &com, &dg1, &dg2,
	    &dg11)) != NID_OK)
		goto out;
	if (dg2.len > NID_SIM_EF_MAX) {
		rc = nid_ctx_set_detail(ctx, NID_E_TOO_LARGE,
		    "DG2 larger than 1 MiB");
		goto out;
	}
	if (signed_sod && (rc = sign_sod(ctx, o, &dg1, &dg2, &dg11, &sod)) !=
	    NID_OK)
		goto out;
	if (o->faults != 0 && !signed_sod) {
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

	/* card.json */
	(void)snprintf(desc, sizeof(desc), "eMRTD %s issued by nidcard-sim "
	    "issue: %s%s%s, %s face image%s.", p.td3 ? "passport (TD3)" :
	    "ID card (TD1)", o->access & NID_SIM_ACCESS_PACE ? "PACE" : "",
	    o->access == (NID_SIM_ACCESS_PACE | NID_SIM_ACCESS_BAC) ? "+" : "",
	    o->access & NID_SIM_ACCESS_BAC ? "BAC" : "",
	    o->face != NULL ? "given" : "synthetic (uniform grey JPEG)",
	    signed_sod ? ", signed EF.SOD" : ", no EF.SOD");
	appkids = json_array();
	(void)json_array_append_new(appkids, ef_node("011E", 30, "EF.COM",
	    "ef/011E.bin", "sm"));
	if (signed_sod)
		(void)json_array_append_new(appkids, ef_node("011D", 29,
		    "EF.SOD", "ef/011D.bin", "sm"));
	(void)json_array_append_new(appkids, ef_node("0101", 1, "DG1 (MRZ)",
	    "ef/0101.bin", "sm"));
	(void)json_array_append_new(appkids, ef_node("0102", 2, "DG2 (face)",
	    "ef/0102.bin", "sm"));
	(void)json_array_append_new(appkids, ef_node("010B", 11,
	    "DG11 (additional personal details)", "ef/010B.bin", "sm"));
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
	root = json_pack("{s:s, s:s, s:s, s:{s:b, s:i, s:i}, s:o, s:o}",
	    "format", "nidcard.card-image/1", "description", desc, "atr",
	    ISSUE_ATR, "capabilities", "extended_length", 1, "max_le", 65536,
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
	    NID_OK ||
	    (rc = write_file(ctx, o->out_dir, "ef/0101.bin", dg1.p, dg1.len)) !=
	    NID_OK ||
	    (rc = write_file(ctx, o->out_dir, "ef/0102.bin", dg2.p, dg2.len)) !=
	    NID_OK ||
	    (rc = write_file(ctx, o->out_dir, "ef/010B.bin", dg11.p,
	    dg11.len)) != NID_OK)
		goto out;
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
	nid_buf_clear(&ca);
	nid_buf_clear(&sod);
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
	    "         [--pki DIR [--ds NAME] [--lds v0|v1] [--fault NAME]...]\n\n"
	    "Write a card image with the eMRTD application for the person\n"
	    "record FILE (docs/card-image.md, \"Person records\"): card.json,\n"
	    "EF.CardAccess (PACE), EF.COM, DG1 (the MRZ), DG2 (the face; a\n"
	    "synthetic grey JPEG without --face), DG11 (the full name), and\n"
	    "with --ds-key/--ds-cert a signed EF.SOD (else none).\n\n"
	    "  --access A    pace, bac or pace+bac (default pace+bac)\n"
	    "  --param-id N  PACE domain parameters (default 13,\n"
	    "                brainpoolP256r1; 0-2 DH, 8-18 EC)\n"
	    "  --can DIGITS  the card access number (PACE with the CAN)\n"
	    "  --pki DIR     sign EF.SOD with a test PKI (nidcard-sim pki init)\n"
	    "  --ds NAME     its signer: ds (default), foreign-ds, revoked-ds,\n"
	    "                expired-ds\n"
	    "  --lds V       LDSSecurityObject v0 (default) or v1\n"
	    "  --fault NAME  dg-changed (DG11 changed after signing) or\n"
	    "                sod-bad-signature (signature bytes flipped)\n\n"
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct nid_sim_issue_opts o;
	nid_ctx_t *ctx = NULL;
	const char *pki = NULL, *ds = "ds";
	char pki_key[4096], pki_cert[4096];
	char *end;
	int c, rc, ret;

	memset(&o, 0, sizeof(o));
	o.access = NID_SIM_ACCESS_PACE | NID_SIM_ACCESS_BAC;
	o.param_id = 13;
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
			else {
				fprintf(stderr, "nidcard-sim issue: bad --fault "
				    "'%s' (dg-changed, sod-bad-signature)\n",
				    optarg);
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
