/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_hostile.c — the hostile virtual card (sim_hostile.h): answers that
 * break ISO/IEC 7816-4 (status words, the 61xx / 6Cxx procedures), files
 * whose BER-TLV structure lies, a secure messaging response with broken
 * padding, and the issue-time EF.SOD / DS certificate of absurd sizes.
 * A terminal must refuse each one cleanly: a precise error, no crash, no
 * hang, no allocation the card chose.
 */
#include "config.h"

#define OPENSSL_NO_DEPRECATED 1

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sim_hostile.h"
#include "sm.h"

/* ---- APDU-level faults -------------------------------------------------- */

int
nid_sim_hostile_answer(nid_sim_card *card, const uint8_t *cmd, size_t cmd_len,
    nid_buf *out)
{
	static const uint8_t filler[16] = {
		0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5,
		0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5, 0xA5
	};
	const nid_sim_faults *f = &card->faults;
	unsigned long n = card->apdus;
	nid_apdu a;
	uint8_t r = 0;
	size_t ne = 0;
	int ext = 0, rc;

	if (f->short_rsp_at != 0 && n == f->short_rsp_at) {
		/* One byte: no SW2 (ISO/IEC 7816-4 §5.1: a response ends with
		 * SW1 SW2). */
		return nid_buf_put_u8(out, 0x90);
	}
	if (f->wrong_sw_at != 0 && n == f->wrong_sw_at) {
		/* §5.6 table 5: SW1 6F is "no precise diagnosis" with SW2 00;
		 * 6F01..6FFF are defined nowhere. SW2 from the card's
		 * generator (--seed makes it reproducible). */
		while (r == 0)
			if ((rc = nid_sim_random(card, &r, 1)) != NID_OK)
				return rc;
		return nid_buf_put_be16(out, (uint16_t)(0x6F00u | r));
	}
	if (f->loop61_at != 0 && n >= f->loop61_at) {
		/* §5.3.4: 61xx, "xx more bytes available" — forever, every
		 * GET RESPONSE included, each with 16 bytes. */
		if ((rc = nid_buf_put(out, filler, sizeof(filler))) != NID_OK)
			return rc;
		return nid_buf_put_be16(out, 0x6110);
	}
	if (f->bad6c_at != 0 && n >= f->bad6c_at) {
		/* §5.6: 6Cxx, "wrong Le field, xx the exact length": here
		 * never the Le sent, and again for the Le it names. */
		if (nid_apdu_decode(cmd, cmd_len, &a, &ext) == NID_OK)
			ne = a.ne;
		return nid_buf_put_be16(out, (uint16_t)(0x6C00u |
		    (ne == 0 ? 0u : (unsigned)((ne + 1) & 0xFF))));
	}
	return NID_SIM_DECLINE;
}

/* ---- file-content faults ------------------------------------------------ */

/* Replace an EF's content by b (taken over). */
static int
set_content(nid_sim_file *f, nid_buf *b)
{
	uint8_t *p;
	size_t n;
	int rc;

	if (b->len > NID_SIM_EF_MAX)
		return NID_OK;  /* would not fit a card: leave the file */
	if ((rc = nid_buf_steal(b, &p, &n)) != NID_OK)
		return rc;
	free(f->data);
	f->data = p;
	f->len = n;
	return NID_OK;
}

/* The first TLV of the file: tag, header length, value. */
static int
first_tlv(const nid_sim_file *f, uint32_t *tag, size_t *hdr, nid_cur *v)
{
	nid_cur c;

	nid_cur_init(&c, f->data, f->len);
	if (nid_tlv_next(&c, 0, tag, v) != NID_OK)
		return -1;
	*hdr = (size_t)(v->p - f->data);
	return 0;
}

/* huge-length: tag ‖ 84 01 00 00 00 ‖ the rest as it was. */
static int
fault_huge(nid_sim_file *f)
{
	static const uint8_t len16m[] = { 0x84, 0x01, 0x00, 0x00, 0x00 };
	uint32_t tag;
	size_t hdr;
	nid_cur v;
	nid_buf b;
	int rc;

	if (first_tlv(f, &tag, &hdr, &v) != 0)
		return NID_OK;
	nid_buf_init(&b, NID_SIM_EF_MAX + 16);
	if ((rc = nid_buf_put(&b, f->data, nid_tlv_tag_size(tag))) != NID_OK ||
	    (rc = nid_buf_put(&b, len16m, sizeof(len16m))) != NID_OK ||
	    (rc = nid_buf_put(&b, f->data + hdr, f->len - hdr)) != NID_OK ||
	    (rc = set_content(f, &b)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	nid_buf_clear(&b);
	return rc;
}

/* tlv-past-end: the outer length claims 200 bytes the file does not have. */
static int
fault_past_end(nid_sim_file *f)
{
	uint32_t tag;
	size_t hdr;
	nid_cur v;
	nid_buf b;
	int rc;

	if (first_tlv(f, &tag, &hdr, &v) != 0)
		return NID_OK;
	nid_buf_init(&b, NID_SIM_EF_MAX + 16);
	if ((rc = nid_tlv_put_header(&b, tag, v.len +
	    NID_SIM_HOSTILE_OVERRUN)) != NID_OK ||
	    (rc = nid_buf_put(&b, f->data + hdr, f->len - hdr)) != NID_OK ||
	    (rc = set_content(f, &b)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	nid_buf_clear(&b);
	return rc;
}

/*
 * tlv-overrun: the outer TLV is consistent, the first TLV inside it
 * claims 200 bytes more than its parent holds.
 */
static int
fault_overrun(nid_sim_file *f)
{
	uint32_t tag, itag;
	size_t hdr, ihdr;
	nid_cur v, c, iv;
	nid_buf b, inner;
	int rc;

	if (first_tlv(f, &tag, &hdr, &v) != 0)
		return NID_OK;
	c = v;
	if (nid_tlv_next(&c, 0, &itag, &iv) != NID_OK)
		return NID_OK;
	ihdr = (size_t)(iv.p - v.p);
	nid_buf_init(&b, NID_SIM_EF_MAX + 16);
	nid_buf_init(&inner, NID_SIM_EF_MAX + 16);
	if ((rc = nid_tlv_put_header(&inner, itag, iv.len +
	    NID_SIM_HOSTILE_OVERRUN)) != NID_OK ||
	    (rc = nid_buf_put(&inner, v.p + ihdr, v.len - ihdr)) != NID_OK ||
	    (rc = nid_tlv_put(&b, tag, inner.p, inner.len)) != NID_OK ||
	    (rc = nid_buf_put(&b, f->data + hdr + v.len,
	    f->len - hdr - v.len)) != NID_OK ||
	    (rc = set_content(f, &b)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	nid_buf_clear(&b);
	nid_buf_clear(&inner);
	return rc;
}

/* deep-tlv: tag { 30 { 30 { … 30 00 … } } }, 1000 SEQUENCEs deep. */
static int
fault_deep(nid_sim_file *f)
{
	size_t len[NID_SIM_HOSTILE_DEPTH], i, hdr;
	uint32_t tag;
	nid_cur v;
	nid_buf b;
	int rc;

	if (first_tlv(f, &tag, &hdr, &v) != 0)
		return NID_OK;
	/* len[i]: the value length of level i (0 outermost). */
	len[NID_SIM_HOSTILE_DEPTH - 1] = 0;
	for (i = NID_SIM_HOSTILE_DEPTH - 1; i > 0; i--)
		len[i - 1] = nid_tlv_header_size(0x30, len[i]) + len[i];
	nid_buf_init(&b, NID_SIM_EF_MAX + 16);
	rc = nid_tlv_put_header(&b, tag, nid_tlv_header_size(0x30, len[0]) +
	    len[0]);
	for (i = 0; rc == NID_OK && i < NID_SIM_HOSTILE_DEPTH; i++)
		rc = nid_tlv_put_header(&b, 0x30, len[i]);
	if (rc == NID_OK)
		rc = set_content(f, &b);
	nid_buf_clear(&b);
	return rc;
}

static int
targets(unsigned sfi_fault, const nid_sim_file *f)
{
	return sfi_fault != 0 && f->type == NID_SIM_EF && f->sfi != 0 &&
	    f->len > 0 && (sfi_fault == 31 || sfi_fault == f->sfi);
}

int
nid_sim_hostile_files(nid_sim_card *card)
{
	const nid_sim_faults *fl = &card->faults;
	nid_sim_file *f;
	size_t i;
	int rc;

	card->faults.files_done = 1;
	for (i = 0; i < card->nfiles; i++) {
		f = &card->files[i];
		if (targets(fl->deep_tlv, f) && (rc = fault_deep(f)) != NID_OK)
			return rc;
		if (targets(fl->inner_overrun, f) &&
		    (rc = fault_overrun(f)) != NID_OK)
			return rc;
		if (targets(fl->past_end, f) &&
		    (rc = fault_past_end(f)) != NID_OK)
			return rc;
		if (targets(fl->huge_length, f) &&
		    (rc = fault_huge(f)) != NID_OK)
			return rc;
	}
	return NID_OK;
}

/* ---- secure messaging: broken padding ---------------------------------- */

static int
aes_cbc_enc(const uint8_t *key, size_t key_len, const uint8_t *iv,
    const uint8_t *in, size_t len, uint8_t *out, int ecb)
{
	const EVP_CIPHER *c;
	EVP_CIPHER_CTX *x;
	int n = 0, m = 0, ok;

	switch (key_len) {
	case 16:
		c = ecb ? EVP_aes_128_ecb() : EVP_aes_128_cbc();
		break;
	case 24:
		c = ecb ? EVP_aes_192_ecb() : EVP_aes_192_cbc();
		break;
	case 32:
		c = ecb ? EVP_aes_256_ecb() : EVP_aes_256_cbc();
		break;
	default:
		return NID_E_INVALID_ARG;
	}
	if ((x = EVP_CIPHER_CTX_new()) == NULL)
		return NID_E_NOMEM;
	ok = EVP_EncryptInit_ex(x, c, NULL, key, ecb ? NULL : iv) == 1 &&
	    EVP_CIPHER_CTX_set_padding(x, 0) == 1 &&
	    EVP_EncryptUpdate(x, out, &n, in, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(x, out + n, &m) == 1 && (size_t)(n + m) == len;
	EVP_CIPHER_CTX_free(x);
	return ok ? NID_OK : NID_E_CRYPTO;
}

int
nid_sim_hostile_sm_badpad(int aes, const uint8_t *ks_enc, const uint8_t *ks_mac,
    size_t key_len, const uint8_t *ssc, size_t ssc_len, int odd_ins,
    const uint8_t *data, size_t data_len, uint16_t sw, nid_buf *out)
{
	size_t bs = aes ? 16 : 8;
	uint8_t iv[16], mac[8], swb[2];
	nid_buf pt, ct, body, m;
	int rc;

	memset(iv, 0, sizeof(iv));
	nid_buf_reset(out);
	nid_buf_init(&pt, NID_SM_DATA_MAX + 32);
	nid_buf_init(&ct, NID_SM_DATA_MAX + 32);
	nid_buf_init(&body, NID_SM_DATA_MAX + 64);
	nid_buf_init(&m, NID_SM_DATA_MAX + 96);
	if (data_len == 0 || ssc_len != bs || (!aes && key_len != 16)) {
		rc = NID_E_INVALID_ARG;
		goto out;
	}
	/* ISO/IEC 9797-1 method 2 wants 80 00..; 81 00.. is wrong, and
	 * cannot be mistaken for data ending in 80. */
	if ((rc = nid_buf_put(&pt, data, data_len)) != NID_OK ||
	    (rc = nid_buf_put_u8(&pt, 0x81)) != NID_OK)
		goto out;
	while (pt.len % bs != 0)
		if ((rc = nid_buf_put_u8(&pt, 0x00)) != NID_OK)
			goto out;
	if ((rc = nid_buf_reserve(&ct, pt.len)) != NID_OK)
		goto out;
	/* ICAO 9303-11 §9.8.6.2: AES-CBC, IV = E(KS_enc, SSC); §9.8.6.1:
	 * 3DES-CBC, IV 0. */
	if (aes) {
		if ((rc = aes_cbc_enc(ks_enc, key_len, NULL, ssc, 16, iv, 1)) !=
		    NID_OK ||
		    (rc = aes_cbc_enc(ks_enc, key_len, iv, pt.p, pt.len, ct.p,
		    0)) != NID_OK)
			goto out;
	} else if ((rc = nid_sm_des3_cbc(ks_enc, 1, pt.p, pt.len, ct.p)) !=
	    NID_OK)
		goto out;
	ct.len = pt.len;
	/* [87 L 01 ‖ C | 85 L C] 99 02 SW */
	if (odd_ins)
		rc = nid_tlv_put(&body, 0x85, ct.p, ct.len);
	else if ((rc = nid_tlv_put_header(&body, 0x87, ct.len + 1)) == NID_OK &&
	    (rc = nid_buf_put_u8(&body, 0x01)) == NID_OK)
		rc = nid_buf_put(&body, ct.p, ct.len);
	swb[0] = (uint8_t)(sw >> 8);
	swb[1] = (uint8_t)sw;
	if (rc != NID_OK || (rc = nid_tlv_put(&body, 0x99, swb, 2)) != NID_OK)
		goto out;
	/* MAC over SSC ‖ DOs: the retail MAC pads itself; CMAC's input is
	 * padded (method 2) first. */
	if ((rc = nid_buf_put(&m, ssc, ssc_len)) != NID_OK ||
	    (rc = nid_buf_put(&m, body.p, body.len)) != NID_OK)
		goto out;
	if (aes) {
		if ((rc = nid_buf_put_u8(&m, 0x80)) != NID_OK)
			goto out;
		while (m.len % 16 != 0)
			if ((rc = nid_buf_put_u8(&m, 0x00)) != NID_OK)
				goto out;
		rc = nid_sm_aes_cmac8(ks_mac, key_len, m.p, m.len, mac);
	} else
		rc = nid_sm_retail_mac(ks_mac, m.p, m.len, mac);
	if (rc != NID_OK ||
	    (rc = nid_buf_put(out, body.p, body.len)) != NID_OK ||
	    (rc = nid_tlv_put(out, 0x8E, mac, sizeof(mac))) != NID_OK ||
	    (rc = nid_buf_put(out, swb, 2)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	if (rc != NID_OK)
		nid_buf_reset(out);
	OPENSSL_cleanse(iv, sizeof(iv));
	nid_buf_clear(&pt);
	nid_buf_clear(&ct);
	nid_buf_clear(&body);
	nid_buf_clear(&m);
	return rc;
}

/* ---- issue-time faults -------------------------------------------------- */

/* DataGroupHash ::= SEQUENCE { dataGroupNumber, dataGroupHashValue }. */
static int
put_dg_hash(nid_buf *list, unsigned n, const uint8_t *h, size_t hlen)
{
	uint8_t num = (uint8_t)n;
	nid_buf e;
	int rc;

	nid_buf_init(&e, 128);
	if ((rc = nid_tlv_put(&e, 0x02, &num, 1)) == NID_OK &&
	    (rc = nid_tlv_put(&e, 0x04, h, hlen)) == NID_OK)
		rc = nid_tlv_put(list, 0x30, e.p, e.len);
	nid_buf_clear(&e);
	return rc;
}

/* LDSSecurityObject v0 (ICAO 9303-10 §4.6.2.2) with nhashes entries. */
static int
lds_many(const struct nid_sod_sign_dg *dgs, size_t ndgs, size_t nhashes,
    const EVP_MD *md, const char *oid_hex, nid_buf *out)
{
	nid_buf seq, list, alg, oid;
	uint8_t h[EVP_MAX_MD_SIZE], v = 0, ctr[4];
	unsigned int hlen = 0;
	size_t i;
	int rc;

	nid_buf_init(&seq, NID_SIM_EF_MAX);
	nid_buf_init(&list, NID_SIM_EF_MAX);
	nid_buf_init(&alg, 64);
	nid_buf_init(&oid, 64);
	if ((rc = nid_hex_decode(oid_hex, &oid, NULL)) != NID_OK ||
	    (rc = nid_tlv_put(&seq, 0x02, &v, 1)) != NID_OK ||
	    (rc = nid_tlv_put(&alg, 0x06, oid.p, oid.len)) != NID_OK ||
	    (rc = nid_tlv_put(&seq, 0x30, alg.p, alg.len)) != NID_OK)
		goto out;
	for (i = 0; i < nhashes; i++) {
		ctr[0] = (uint8_t)(i >> 24);
		ctr[1] = (uint8_t)(i >> 16);
		ctr[2] = (uint8_t)(i >> 8);
		ctr[3] = (uint8_t)i;
		if ((i < ndgs ? EVP_Digest(dgs[i].p, dgs[i].len, h, &hlen, md,
		    NULL) : EVP_Digest(ctr, sizeof(ctr), h, &hlen, md, NULL)) !=
		    1) {
			rc = NID_E_CRYPTO;
			goto out;
		}
		if ((rc = put_dg_hash(&list, i < ndgs ? dgs[i].n :
		    1u + (unsigned)(i % 16), h, hlen)) != NID_OK)
			goto out;
	}
	if ((rc = nid_tlv_put(&seq, 0x30, list.p, list.len)) != NID_OK ||
	    (rc = nid_tlv_put(out, 0x30, seq.p, seq.len)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	nid_buf_clear(&seq);
	nid_buf_clear(&list);
	nid_buf_clear(&alg);
	nid_buf_clear(&oid);
	return rc;
}

int
nid_sim_hostile_sod_hashes(nid_ctx_t *ctx, const struct nid_sod_sign_dg *dgs,
    size_t ndgs, size_t nhashes, X509 *ds_cert, EVP_PKEY *ds_key,
    const struct nid_sod_sign_params *sp, nid_buf *out)
{
	const EVP_MD *md;
	const char *oid_hex;
	nid_buf lds;
	int rc;

	nid_buf_init(&lds, NID_SIM_EF_MAX);
	if ((oid_hex = nid_sod_md_oid_hex(sp->md_nid)) == NULL ||
	    (md = EVP_get_digestbynid(sp->md_nid)) == NULL || nhashes < ndgs) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG, "EF.SOD with "
		    "%zu hashes: bad parameters", nhashes);
		goto out;
	}
	if ((rc = lds_many(dgs, ndgs, nhashes, md, oid_hex, &lds)) != NID_OK) {
		rc = nid_ctx_set_detail(ctx, rc, "LDSSecurityObject with %zu "
		    "hashes", nhashes);
		goto out;
	}
	/* Signed as every EF.SOD of the virtual card (sod_sign.c). */
	rc = nid_sod_sign_lds(ctx, lds.p, lds.len, ds_cert, ds_key, sp, out);
out:
	nid_buf_clear(&lds);
	return rc;
}

int
nid_sim_hostile_fat_cert(nid_ctx_t *ctx, X509 *cert, EVP_PKEY *key, size_t pad,
    X509 **out)
{
	ASN1_IA5STRING *s = NULL;
	X509 *c = NULL;
	char *text = NULL;
	int rc;

	*out = NULL;
	if ((text = malloc(pad + 1)) == NULL)
		return NID_E_NOMEM;
	memset(text, 'A', pad);
	text[pad] = '\0';
	/* Netscape comment (2.16.840.1.113730.1.13), non-critical: any
	 * verifier may ignore it; only the certificate's size changes. */
	if ((c = X509_dup(cert)) == NULL ||
	    (s = ASN1_IA5STRING_new()) == NULL ||
	    ASN1_STRING_set(s, text, (int)pad) != 1 ||
	    X509_add1_ext_i2d(c, NID_netscape_comment, s, 0,
	    X509V3_ADD_REPLACE) != 1 ||
	    X509_sign(c, key, EVP_sha256()) <= 0) {
		rc = nid_ctx_set_openssl_detail(ctx, NID_E_CRYPTO,
		    "growing the DS certificate");
		goto out;
	}
	*out = c;
	c = NULL;
	rc = NID_OK;
out:
	ASN1_IA5STRING_free(s);
	X509_free(c);
	free(text);
	return rc;
}
