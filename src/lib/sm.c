/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sm.c — ICAO 9303-11 §9.8 secure messaging (wire diagram in sm.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "nid_internal.h"
#include "sm.h"

#define SM_GETRESP_MAX_ITER 300u

struct nid_sm {
	enum nid_sm_cipher cipher;
	uint8_t ks_enc[32];
	uint8_t ks_mac[32];
	size_t key_len;
	uint8_t ssc[16];
	size_t bs;      /* block size = SSC size: 8 (3DES) or 16 (AES) */
	int broken;     /* a failed unwrap, a reset or an exhausted SSC */
};

/* ---- primitives -------------------------------------------------------- */

/* One CBC pass with padding off; len a multiple of the block size. */
static int
sm_cbc(const EVP_CIPHER *cipher, const uint8_t *key, const uint8_t *iv,
    int enc, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = NULL;
	int outl = 0, finl = 0, r = NID_E_CRYPTO;

	if (len > (size_t)NID_SM_DATA_MAX + 64u) {
		r = NID_E_TOO_LARGE;
		goto out;
	}
	if ((c = EVP_CIPHER_CTX_new()) == NULL) {
		r = NID_E_NOMEM;
		goto out;
	}
	if (EVP_CipherInit_ex(c, cipher, NULL, key, iv, enc) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
	    (len != 0 && EVP_CipherUpdate(c, out, &outl, in, (int)len) != 1) ||
	    EVP_CipherFinal_ex(c, out + outl, &finl) != 1 ||
	    (size_t)outl + (size_t)finl != len)
		goto out;
	r = NID_OK;
 out:
	EVP_CIPHER_CTX_free(c);
	return r;
}

int
nid_sm_des3_cbc(const uint8_t key[16], int enc, const uint8_t *in,
    size_t len, uint8_t *out)
{
	static const uint8_t zero[8];

	if (len % 8 != 0)
		return NID_E_INVALID_ARG;
	/* 2-key 3DES (K1 = K3): ICAO 9303-11 §9.8.6.1, IV 0. */
	return sm_cbc(EVP_des_ede_cbc(), key, zero, enc, in, len, out);
}

/*
 * ISO/IEC 9797-1 MAC algorithm 3 over whole blocks: single-DES CBC with
 * Ka, then the last block decrypted with Kb and encrypted with Ka. Single
 * DES is DES-EDE with Ka ‖ Ka (it is only in OpenSSL's legacy provider);
 * the final step is DES-EDE with Ka ‖ Kb chained from the previous block.
 */
static int
sm_retail_mac_raw(const uint8_t key[16], const uint8_t *in, size_t len,
    uint8_t mac[8])
{
	uint8_t kaka[16], iv[8], last[8];
	uint8_t *tmp = NULL;
	int r;

	memset(iv, 0, sizeof(iv));
	if (len == 0 || len % 8 != 0) {
		r = NID_E_INVALID_ARG;
		goto out;
	}
	memcpy(kaka, key, 8);
	memcpy(kaka + 8, key, 8);
	if (len > 8) {
		if ((tmp = malloc(len - 8)) == NULL) {
			r = NID_E_NOMEM;
			goto out;
		}
		if ((r = sm_cbc(EVP_des_ede_cbc(), kaka, iv, 1, in, len - 8,
		    tmp)) != NID_OK)
			goto out;
		memcpy(iv, tmp + len - 16, 8);
	}
	if ((r = sm_cbc(EVP_des_ede_cbc(), key, iv, 1, in + len - 8, 8,
	    last)) != NID_OK)
		goto out;
	memcpy(mac, last, 8);
 out:
	if (tmp != NULL) {
		OPENSSL_cleanse(tmp, len - 8);
		free(tmp);
	}
	OPENSSL_cleanse(kaka, sizeof(kaka));
	OPENSSL_cleanse(iv, sizeof(iv));
	OPENSSL_cleanse(last, sizeof(last));
	return r;
}

/* ISO/IEC 9797-1 padding method 2: 80 then 00 to a multiple of bs. */
static int
sm_pad(nid_buf *b, size_t bs)
{
	int r;

	if ((r = nid_buf_put_u8(b, 0x80)) != NID_OK)
		return r;
	while (b->len % bs != 0)
		if ((r = nid_buf_put_u8(b, 0x00)) != NID_OK)
			return r;
	return NID_OK;
}

/* Remove padding method 2 from the end of p[0..*len). */
static int
sm_unpad(const uint8_t *p, size_t *len, size_t bs)
{
	size_t n = *len;

	while (n > 0 && p[n - 1] == 0x00)
		n--;
	if (n == 0 || p[n - 1] != 0x80 || *len - n >= bs)
		return NID_E_SM_FORMAT;
	*len = n - 1;
	return NID_OK;
}

int
nid_sm_retail_mac(const uint8_t key[16], const uint8_t *in, size_t len,
    uint8_t mac[8])
{
	nid_buf b;
	int r;

	nid_buf_init(&b, NID_SM_DATA_MAX + 64u);
	if ((r = nid_buf_put(&b, in, len)) != NID_OK ||
	    (r = sm_pad(&b, 8)) != NID_OK)
		goto out;
	r = sm_retail_mac_raw(key, b.p, b.len, mac);
 out:
	nid_buf_clear(&b);
	return r;
}

static const char *
sm_aes_cbc_name(size_t key_len)
{
	switch (key_len) {
	case 16:
		return "AES-128-CBC";
	case 24:
		return "AES-192-CBC";
	case 32:
		return "AES-256-CBC";
	}
	return NULL;
}

static const EVP_CIPHER *
sm_aes_cbc(size_t key_len)
{
	return key_len == 16 ? EVP_aes_128_cbc() : key_len == 24 ?
	    EVP_aes_192_cbc() : EVP_aes_256_cbc();
}

int
nid_sm_aes_cmac8(const uint8_t *key, size_t key_len, const uint8_t *in,
    size_t len, uint8_t mac[8])
{
	EVP_MAC *m = NULL;
	EVP_MAC_CTX *c = NULL;
	OSSL_PARAM params[2];
	char cipher[16];
	const char *name = sm_aes_cbc_name(key_len);
	uint8_t full[16];
	size_t outl = 0;
	int r = NID_E_CRYPTO;

	if (name == NULL) {
		r = NID_E_INVALID_ARG;
		goto out;
	}
	/* NIST SP 800-38B CMAC; ICAO 9303-11 §9.8.6.2 keeps 8 bytes. */
	strncpy(cipher, name, sizeof(cipher) - 1);
	cipher[sizeof(cipher) - 1] = '\0';
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
	    cipher, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((m = EVP_MAC_fetch(NULL, "CMAC", NULL)) == NULL ||
	    (c = EVP_MAC_CTX_new(m)) == NULL ||
	    EVP_MAC_init(c, key, key_len, params) != 1 ||
	    (len != 0 && EVP_MAC_update(c, in, len) != 1) ||
	    EVP_MAC_final(c, full, &outl, sizeof(full)) != 1 || outl != 16)
		goto out;
	memcpy(mac, full, 8);
	r = NID_OK;
 out:
	OPENSSL_cleanse(full, sizeof(full));
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(m);
	return r;
}

/* ---- session ----------------------------------------------------------- */

int
nid_sm_new(enum nid_sm_cipher cipher, const uint8_t *ks_enc,
    const uint8_t *ks_mac, size_t key_len, const uint8_t *ssc,
    size_t ssc_len, nid_sm_t **out)
{
	nid_sm_t *sm = NULL;
	size_t bs;

	*out = NULL;
	if (cipher == NID_SM_3DES) {
		if (key_len != 16)
			return NID_E_INVALID_ARG;
		bs = 8;
	} else if (cipher == NID_SM_AES) {
		if (sm_aes_cbc_name(key_len) == NULL)
			return NID_E_INVALID_ARG;
		bs = 16;
	} else
		return NID_E_INVALID_ARG;
	if (ks_enc == NULL || ks_mac == NULL || ssc == NULL || ssc_len != bs)
		return NID_E_INVALID_ARG;
	if ((sm = calloc(1, sizeof(*sm))) == NULL)
		return NID_E_NOMEM;
	sm->cipher = cipher;
	sm->key_len = key_len;
	sm->bs = bs;
	memcpy(sm->ks_enc, ks_enc, key_len);
	memcpy(sm->ks_mac, ks_mac, key_len);
	memcpy(sm->ssc, ssc, bs);
	*out = sm;
	return NID_OK;
}

void
nid_sm_free(nid_sm_t **smp)
{
	if (smp == NULL || *smp == NULL)
		return;
	OPENSSL_cleanse(*smp, sizeof(**smp));
	free(*smp);
	*smp = NULL;
}

size_t
nid_sm_ssc(const nid_sm_t *sm, uint8_t ssc[16])
{
	memcpy(ssc, sm->ssc, sm->bs);
	return sm->bs;
}

/* ICAO 9303-11 §9.8.2: SSC + 1 before every command and response. */
static int
sm_ssc_inc(nid_sm_t *sm)
{
	size_t i;

	if (sm->broken)
		return NID_E_SM_STATE;
	for (i = 0; i < sm->bs; i++)
		if (sm->ssc[i] != 0xff)
			break;
	if (i == sm->bs) {
		sm->broken = 1;
		return NID_E_SM_STATE;
	}
	for (i = sm->bs; i-- > 0;)
		if (++sm->ssc[i] != 0)
			break;
	return NID_OK;
}

/* Encrypt or decrypt whole blocks with KS_enc and the SSC-dependent IV. */
static int
sm_crypt(const nid_sm_t *sm, int enc, const uint8_t *in, size_t len,
    uint8_t *out)
{
	uint8_t iv[16], zero[16];
	int r;

	if (len == 0 || len % sm->bs != 0)
		return NID_E_SM_FORMAT;
	if (sm->cipher == NID_SM_3DES)
		return nid_sm_des3_cbc(sm->ks_enc, enc, in, len, out);
	/* §9.8.6.2: IV = E(KS_enc, SSC) — one block CBC with IV 0 is ECB. */
	memset(zero, 0, sizeof(zero));
	if ((r = sm_cbc(sm_aes_cbc(sm->key_len), sm->ks_enc, zero, 1, sm->ssc,
	    16, iv)) != NID_OK)
		goto out;
	r = sm_cbc(sm_aes_cbc(sm->key_len), sm->ks_enc, iv, enc, in, len, out);
 out:
	OPENSSL_cleanse(iv, sizeof(iv));
	return r;
}

/* mac = MAC(KS_mac, pad(SSC ‖ m)). */
static int
sm_mac(const nid_sm_t *sm, const uint8_t *m, size_t m_len, uint8_t mac[8])
{
	nid_buf b;
	int r;

	nid_buf_init(&b, NID_SM_DATA_MAX + 256u);
	if ((r = nid_buf_put(&b, sm->ssc, sm->bs)) != NID_OK ||
	    (r = nid_buf_put(&b, m, m_len)) != NID_OK ||
	    (r = sm_pad(&b, sm->bs)) != NID_OK)
		goto out;
	if (sm->cipher == NID_SM_3DES)
		r = sm_retail_mac_raw(sm->ks_mac, b.p, b.len, mac);
	else
		r = nid_sm_aes_cmac8(sm->ks_mac, sm->key_len, b.p, b.len, mac);
 out:
	nid_buf_clear(&b);
	return r;
}

/* Append DO'87' (01 ‖ cryptogram) or DO'85' (cryptogram) for data. */
static int
sm_put_crypto_do(const nid_sm_t *sm, int odd, const uint8_t *data,
    size_t len, nid_buf *out)
{
	nid_buf pt;
	uint8_t *ct = NULL;
	int r;

	nid_buf_init(&pt, NID_SM_DATA_MAX + 64u);
	if ((r = nid_buf_put(&pt, data, len)) != NID_OK ||
	    (r = sm_pad(&pt, sm->bs)) != NID_OK)
		goto out;
	if ((ct = malloc(pt.len)) == NULL) {
		r = NID_E_NOMEM;
		goto out;
	}
	if ((r = sm_crypt(sm, 1, pt.p, pt.len, ct)) != NID_OK)
		goto out;
	if (odd)
		r = nid_tlv_put(out, 0x85, ct, pt.len);
	else if ((r = nid_tlv_put_header(out, 0x87, pt.len + 1)) == NID_OK &&
	    (r = nid_buf_put_u8(out, 0x01)) == NID_OK)
		r = nid_buf_put(out, ct, pt.len);
 out:
	if (ct != NULL) {
		OPENSSL_cleanse(ct, pt.len);
		free(ct);
	}
	nid_buf_clear(&pt);
	return r;
}

/* Decrypt the value of DO'87' (odd 0) or DO'85' (odd 1) into data. */
static int
sm_get_crypto_do(const nid_sm_t *sm, int odd, nid_cur v, nid_buf *data)
{
	uint8_t ind, *pt = NULL;
	size_t n = 0;
	int r;

	if (!odd) {
		/* §9.8.6: padding-content indicator 01 = ISO 9797-1 m. 2. */
		if (nid_cur_get_u8(&v, &ind) != NID_OK || ind != 0x01) {
			r = NID_E_SM_FORMAT;
			goto out;
		}
	}
	n = v.len;
	if (n == 0 || n % sm->bs != 0) {
		r = NID_E_SM_FORMAT;
		goto out;
	}
	if ((pt = malloc(n)) == NULL) {
		r = NID_E_NOMEM;
		goto out;
	}
	if ((r = sm_crypt(sm, 0, v.p, n, pt)) != NID_OK)
		goto out;
	if ((r = sm_unpad(pt, &n, sm->bs)) != NID_OK)
		goto out;
	r = nid_buf_put(data, pt, n);
 out:
	if (pt != NULL) {
		OPENSSL_cleanse(pt, v.len);
		free(pt);
	}
	return r;
}

/* ---- terminal side ----------------------------------------------------- */

int
nid_sm_wrap_cmd(nid_sm_t *sm, const nid_apdu *a, int extended, nid_buf *out)
{
	nid_buf body, m;
	nid_apdu o;
	uint8_t hdr[4], mac[8];
	int r, ext;

	nid_buf_init(&body, NID_SM_DATA_MAX + 256u);
	nid_buf_init(&m, NID_SM_DATA_MAX + 256u);
	nid_buf_reset(out);
	if (a->nc > NID_NC_EXT_MAX || a->ne > NID_NE_EXT_MAX ||
	    (a->nc != 0 && a->data == NULL) || (a->cla & 0x0C) != 0) {
		r = NID_E_INVALID_ARG;
		goto out;
	}
	ext = extended || nid_apdu_needs_extended(a);
	if ((r = sm_ssc_inc(sm)) != NID_OK)
		goto out;
	/* §9.8.4: masked header CLA b4 b3 = 11, padded. */
	hdr[0] = (uint8_t)(a->cla | 0x0C);
	hdr[1] = a->ins;
	hdr[2] = a->p1;
	hdr[3] = a->p2;
	if ((r = nid_buf_put(&m, hdr, 4)) != NID_OK ||
	    (r = sm_pad(&m, sm->bs)) != NID_OK)
		goto out;
	/* §9.8.5: DO'87' for even INS, DO'85' for odd INS. */
	if (a->nc != 0 && (r = sm_put_crypto_do(sm, a->ins & 1, a->data,
	    a->nc, &body)) != NID_OK)
		goto out;
	/* DO'97': Le, 1 byte short (256 → 00), 2 bytes extended. */
	if (a->ne != 0) {
		if (ext) {
			if ((r = nid_buf_put_u8(&body, 0x97)) != NID_OK ||
			    (r = nid_buf_put_u8(&body, 2)) != NID_OK ||
			    (r = nid_buf_put_be16(&body,
			    (uint16_t)(a->ne & 0xffffu))) != NID_OK)
				goto out;
		} else if ((r = nid_buf_put_u8(&body, 0x97)) != NID_OK ||
		    (r = nid_buf_put_u8(&body, 1)) != NID_OK ||
		    (r = nid_buf_put_u8(&body, (uint8_t)(a->ne & 0xffu))) !=
		    NID_OK)
			goto out;
	}
	if ((r = nid_buf_put(&m, body.p, body.len)) != NID_OK ||
	    (r = sm_mac(sm, m.p, m.len, mac)) != NID_OK ||
	    (r = nid_tlv_put(&body, 0x8E, mac, sizeof(mac))) != NID_OK)
		goto out;
	memset(&o, 0, sizeof(o));
	o.cla = hdr[0];
	o.ins = a->ins;
	o.p1 = a->p1;
	o.p2 = a->p2;
	o.data = body.p;
	o.nc = body.len;
	if (body.len > NID_NC_SHORT_MAX)
		ext = 1;
	o.ne = ext ? NID_NE_EXT_MAX : NID_NE_SHORT_MAX;
	r = nid_apdu_encode(&o, ext, out);
 out:
	if (r != NID_OK)
		nid_buf_reset(out);
	OPENSSL_cleanse(mac, sizeof(mac));
	nid_buf_clear(&body);
	nid_buf_clear(&m);
	return r;
}

/* Status words a card may send unprotected: errors (not 9000/61/62/63). */
static int
sm_plain_error_sw(uint16_t sw)
{
	unsigned sw1 = (unsigned)sw >> 8;

	return sw1 >= 0x64 && sw1 <= 0x6F;
}

int
nid_sm_unwrap_rsp(nid_sm_t *sm, const uint8_t *rsp, size_t rsp_len,
    nid_buf *data, uint16_t *sw)
{
	nid_cur c, v, crypt, swv, macv;
	uint32_t tag;
	uint8_t mac[8];
	size_t blen, mac_off;
	uint16_t osw, isw = 0;
	int r, have_crypt = 0, odd = 0;

	*sw = 0;
	nid_buf_reset(data);
	memset(&crypt, 0, sizeof(crypt));
	if ((r = sm_ssc_inc(sm)) != NID_OK)
		goto out;
	if (rsp == NULL || rsp_len < 2) {
		r = NID_E_SM_FORMAT;
		goto fail;
	}
	blen = rsp_len - 2;
	osw = (uint16_t)((rsp[blen] << 8) | rsp[blen + 1]);
	if (blen == 0) {
		/* An unprotected error status word: see sm.h. */
		if (!sm_plain_error_sw(osw)) {
			r = NID_E_SM_FORMAT;
			goto fail;
		}
		*sw = osw;
		r = NID_OK;
		goto out;
	}
	/* §9.8.6: [87|85] 99 8E, in this order, nothing else. */
	nid_cur_init(&c, rsp, blen);
	if ((r = nid_tlv_next(&c, 0, &tag, &v)) != NID_OK)
		goto format;
	if (tag == 0x87 || tag == 0x85) {
		have_crypt = 1;
		odd = tag == 0x85;
		crypt = v;
		if ((r = nid_tlv_next(&c, 0, &tag, &v)) != NID_OK)
			goto format;
	}
	if (tag != 0x99 || v.len != 2)
		goto format;
	swv = v;
	mac_off = blen - c.len;
	if ((r = nid_tlv_next(&c, 0, &tag, &macv)) != NID_OK ||
	    tag != 0x8E || macv.len != 8 || c.len != 0)
		goto format;
	/* The MAC first, in constant time; nothing is decrypted before. */
	if ((r = sm_mac(sm, rsp, mac_off, mac)) != NID_OK)
		goto fail;
	if (CRYPTO_memcmp(mac, macv.p, 8) != 0) {
		r = NID_E_SM_MAC;
		goto fail;
	}
	isw = (uint16_t)((swv.p[0] << 8) | swv.p[1]);
	if (have_crypt &&
	    (r = sm_get_crypto_do(sm, odd, crypt, data)) != NID_OK) {
		if (r == NID_E_TOO_LARGE || r == NID_E_NOMEM)
			goto out;
		goto fail;
	}
	*sw = isw;
	r = NID_OK;
	goto out;
 format:
	r = NID_E_SM_FORMAT;
 fail:
	sm->broken = 1;
	nid_buf_reset(data);
 out:
	OPENSSL_cleanse(mac, sizeof(mac));
	return r;
}

/* ---- card side --------------------------------------------------------- */

/* nid_tlv_next() that also tells how many bytes were left before it. */
static int
sm_next(nid_cur *c, uint32_t *tag, nid_cur *v, size_t *rem)
{
	*rem = c->len;
	return nid_tlv_next(c, 0, tag, v);
}

int
nid_sm_unwrap_cmd(nid_sm_t *sm, const uint8_t *cmd, size_t cmd_len,
    nid_apdu *a, nid_buf *storage, int *extended)
{
	nid_apdu o;
	nid_cur c, v, crypt, lev, macv;
	nid_buf m;
	uint32_t tag;
	uint8_t mac[8], hdr[4];
	size_t mac_off, rem = 0;
	int r, have_crypt = 0, have_le = 0, odd = 0, ext = 0;

	memset(a, 0, sizeof(*a));
	*extended = 0;
	nid_buf_reset(storage);
	nid_buf_init(&m, NID_SM_DATA_MAX + 256u);
	memset(&crypt, 0, sizeof(crypt));
	memset(&lev, 0, sizeof(lev));
	if ((r = nid_apdu_decode(cmd, cmd_len, &o, &ext)) != NID_OK)
		goto out;
	if ((o.cla & 0x0C) != 0x0C || o.nc == 0) {
		r = NID_E_SM_FORMAT;
		goto out;
	}
	if ((r = sm_ssc_inc(sm)) != NID_OK)
		goto out;
	/* [87|85] [97] 8E, nothing else. */
	nid_cur_init(&c, o.data, o.nc);
	if ((r = sm_next(&c, &tag, &v, &rem)) != NID_OK)
		goto format;
	if (tag == 0x87 || tag == 0x85) {
		have_crypt = 1;
		odd = tag == 0x85;
		crypt = v;
		if ((r = sm_next(&c, &tag, &v, &rem)) != NID_OK)
			goto format;
	}
	if (tag == 0x97) {
		if (v.len != 1 && v.len != 2)
			goto format;
		have_le = 1;
		lev = v;
		if ((r = sm_next(&c, &tag, &v, &rem)) != NID_OK)
			goto format;
	}
	macv = v;
	/* The MAC input ends where DO'8E' starts. */
	mac_off = o.nc - rem;
	if (tag != 0x8E || macv.len != 8 || c.len != 0 ||
	    (have_crypt && odd != (o.ins & 1)))
		goto format;
	hdr[0] = o.cla;
	hdr[1] = o.ins;
	hdr[2] = o.p1;
	hdr[3] = o.p2;
	if ((r = nid_buf_put(&m, hdr, 4)) != NID_OK ||
	    (r = sm_pad(&m, sm->bs)) != NID_OK ||
	    (r = nid_buf_put(&m, o.data, mac_off)) != NID_OK ||
	    (r = sm_mac(sm, m.p, m.len, mac)) != NID_OK)
		goto fail;
	if (CRYPTO_memcmp(mac, macv.p, 8) != 0) {
		r = NID_E_SM_MAC;
		goto fail;
	}
	if (have_crypt &&
	    (r = sm_get_crypto_do(sm, odd, crypt, storage)) != NID_OK)
		goto fail;
	a->cla = (uint8_t)(o.cla & ~0x0Cu);
	a->ins = o.ins;
	a->p1 = o.p1;
	a->p2 = o.p2;
	a->data = storage->len != 0 ? storage->p : NULL;
	a->nc = storage->len;
	if (have_le) {
		size_t le = lev.len == 1 ? lev.p[0] :
		    ((size_t)lev.p[0] << 8) | lev.p[1];

		if (le == 0)
			le = lev.len == 1 ? NID_NE_SHORT_MAX : NID_NE_EXT_MAX;
		a->ne = le;
	}
	*extended = ext;
	r = NID_OK;
	goto out;
 format:
	r = NID_E_SM_FORMAT;
 fail:
	sm->broken = 1;
	nid_buf_reset(storage);
 out:
	OPENSSL_cleanse(mac, sizeof(mac));
	nid_buf_clear(&m);
	return r;
}

int
nid_sm_wrap_rsp(nid_sm_t *sm, int odd_ins, const uint8_t *data,
    size_t data_len, uint16_t sw, nid_buf *out)
{
	uint8_t mac[8];
	size_t start;
	int r;

	nid_buf_reset(out);
	start = out->len;
	if (data_len > NID_SM_DATA_MAX || (data_len != 0 && data == NULL)) {
		r = NID_E_INVALID_ARG;
		goto out;
	}
	if ((r = sm_ssc_inc(sm)) != NID_OK)
		goto out;
	if (data_len != 0 && (r = sm_put_crypto_do(sm, odd_ins, data,
	    data_len, out)) != NID_OK)
		goto out;
	if ((r = nid_buf_put_u8(out, 0x99)) != NID_OK ||
	    (r = nid_buf_put_u8(out, 2)) != NID_OK ||
	    (r = nid_buf_put_be16(out, sw)) != NID_OK ||
	    (r = sm_mac(sm, out->p + start, out->len - start, mac)) != NID_OK ||
	    (r = nid_tlv_put(out, 0x8E, mac, sizeof(mac))) != NID_OK ||
	    (r = nid_buf_put_be16(out, sw)) != NID_OK)
		goto out;
 out:
	if (r != NID_OK)
		nid_buf_reset(out);
	OPENSSL_cleanse(mac, sizeof(mac));
	return r;
}

/* ---- the wrapping transport -------------------------------------------- */

struct sm_transport {
	nid_transport_t *inner;  /* borrowed */
	nid_sm_t *sm;
	uint8_t *rbuf;           /* NID_RSP_MAX bytes, cleansed after use */
};

/*
 * The plain side of a protected exchange: the command header, and its
 * data by the rules of nid_log_data (a SELECT's file identifier is
 * public, a READ BINARY's answer is shown as tag and length).
 */
static void
sm_trace(nid_transport_t *t, const char *what, const uint8_t *head,
    size_t head_len, const uint8_t *data, size_t data_len,
    enum nid_log_data kind)
{
	if (t->ctx == NULL ||
	    !nid_log_enabled(t->ctx, NID_LOG_DEBUG, NID_LOG_CAT_SM))
		return;
	nid_log_hex(t->ctx, NID_LOG_DEBUG, NID_LOG_CAT_SM, what, head,
	    head_len, 0);
	if (data_len != 0)
		nid_log_data(t->ctx, NID_LOG_CAT_SM, "  plain data", data,
		    data_len, kind);
}

/*
 * Why a protected response (data ‖ SW) did not unwrap, for the error
 * detail: what it holds against what ICAO 9303-11 §9.8.6 wants. Only
 * tags and lengths are named, never data.
 */
static int
sm_rsp_fail(nid_transport_t *t, int r, const uint8_t *cmd,
    const uint8_t *rsp, size_t len)
{
	char dos[64];
	size_t n = 0;
	nid_cur c, v;
	uint32_t tag;

	if (r == NID_E_SM_STATE)
		return nid_ctx_set_detail(t->ctx, r, "secure messaging session "
		    "already ended (a MAC or format failure, or a reset)");
	if (len < 2)
		return nid_ctx_set_detail(t->ctx, r, "protected response to "
		    "%02X %02X: %zu byte(s), no status word", cmd[0], cmd[1],
		    len);
	if (r == NID_E_SM_MAC)
		return nid_ctx_set_detail(t->ctx, r, "protected response to "
		    "%02X %02X (SW %02X%02X): its MAC (DO'8E') does not verify "
		    "with this session's keys and SSC (ICAO 9303-11 §9.8.6)",
		    cmd[0], cmd[1], rsp[len - 2], rsp[len - 1]);
	dos[0] = '\0';
	nid_cur_init(&c, rsp, len - 2);
	while (c.len > 0 && n + 8 < sizeof(dos)) {
		if (nid_tlv_next(&c, 0, &tag, &v) != NID_OK) {
			(void)snprintf(dos + n, sizeof(dos) - n, "%snot BER-TLV",
			    n > 0 ? " " : "");
			break;
		}
		n += (size_t)snprintf(dos + n, sizeof(dos) - n, "%s%02X",
		    n > 0 ? " " : "", (unsigned)(tag & 0xFFFF));
	}
	if (len == 2)
		return nid_ctx_set_detail(t->ctx, r, "response to %02X %02X: "
		    "status %02X%02X alone, unprotected (DO'99' and DO'8E' "
		    "missing, ICAO 9303-11 §9.8.6)", cmd[0], cmd[1], rsp[0],
		    rsp[1]);
	return nid_ctx_set_detail(t->ctx, r, "protected response to %02X %02X "
	    "(%zu bytes, SW %02X%02X) holds DOs [%s]; wanted [87|85] 99 8E "
	    "with the cryptogram in whole blocks, padded 80 00.. (ICAO "
	    "9303-11 §9.8.6)", cmd[0], cmd[1], len, rsp[len - 2],
	    rsp[len - 1], dos);
}

static int
sm_t_transmit(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	struct sm_transport *st = t->impl;
	nid_apdu a;
	nid_buf prot, data;
	size_t cap = *rsp_len, rlen, got;
	uint16_t sw = 0;
	uint8_t gr[5], swb[2];
	unsigned iter;
	int r, ext = 0;

	*rsp_len = 0;
	nid_buf_init(&prot, NID_SM_DATA_MAX + 512u);
	nid_buf_init(&data, NID_SM_DATA_MAX);
	if ((r = nid_apdu_decode(cmd, cmd_len, &a, &ext)) != NID_OK)
		goto out;
	sm_trace(t, "SM command", cmd, 4, a.data, a.nc, cmd[1] == 0xA4 ?
	    NID_LOG_DATA_PUBLIC : NID_LOG_DATA_SECRET);
	if ((r = nid_sm_wrap_cmd(st->sm, &a, ext, &prot)) != NID_OK)
		goto out;
	rlen = NID_RSP_MAX;
	if ((r = nid_transport_transmit(st->inner, prot.p, prot.len, st->rbuf,
	    &rlen)) != NID_OK)
		goto out;
	/* ISO/IEC 7816-4 §5.3.4: 61xx, the protected response follows by
	 * plain GET RESPONSE on the inner transport. */
	got = rlen;
	iter = 0;
	while (got >= 2 && st->rbuf[got - 2] == 0x61) {
		if (++iter > SM_GETRESP_MAX_ITER) {
			r = nid_ctx_set_detail(t->ctx, NID_E_CARD_PROTOCOL,
			    "card still answers 61xx after %u GET RESPONSE",
			    SM_GETRESP_MAX_ITER);
			goto out;
		}
		gr[0] = 0x00;
		gr[1] = 0xC0;
		gr[2] = 0x00;
		gr[3] = 0x00;
		gr[4] = st->rbuf[got - 1];
		got -= 2;
		rlen = NID_RSP_MAX - got;
		if ((r = nid_transport_transmit(st->inner, gr, sizeof(gr),
		    st->rbuf + got, &rlen)) != NID_OK)
			goto out;
		got += rlen;
	}
	if ((r = nid_sm_unwrap_rsp(st->sm, st->rbuf, got, &data, &sw)) !=
	    NID_OK) {
		if (r != NID_E_TOO_LARGE && r != NID_E_NOMEM)
			r = sm_rsp_fail(t, r, prot.p, st->rbuf, got);
		goto out;
	}
	swb[0] = (uint8_t)(sw >> 8);
	swb[1] = (uint8_t)sw;
	sm_trace(t, "SM response SW", swb, 2, data.p, data.len,
	    cmd[1] == 0xB0 || cmd[1] == 0xB1 ? NID_LOG_DATA_TLV :
	    NID_LOG_DATA_SECRET);
	if (data.len > cap || cap - data.len < 2) {
		r = NID_E_TOO_LARGE;
		goto out;
	}
	if (data.len != 0)
		memcpy(rsp, data.p, data.len);
	rsp[data.len] = swb[0];
	rsp[data.len + 1] = swb[1];
	*rsp_len = data.len + 2;
 out:
	OPENSSL_cleanse(st->rbuf, NID_RSP_MAX);
	nid_buf_clear(&prot);
	nid_buf_clear(&data);
	return r;
}

static int
sm_t_reset(nid_transport_t *t)
{
	struct sm_transport *st = t->impl;

	/* The card forgets the session keys on reset. */
	st->sm->broken = 1;
	return nid_transport_reset(st->inner);
}

static int
sm_t_get_atr(nid_transport_t *t, uint8_t *atr, size_t *atr_len)
{
	struct sm_transport *st = t->impl;

	return nid_transport_get_atr(st->inner, atr, atr_len);
}

static int
sm_t_begin(nid_transport_t *t)
{
	struct sm_transport *st = t->impl;

	return nid_transport_begin(st->inner);
}

static int
sm_t_end(nid_transport_t *t)
{
	struct sm_transport *st = t->impl;

	return nid_transport_end(st->inner);
}

static void
sm_t_close(nid_transport_t *t)
{
	struct sm_transport *st = t->impl;

	if (st == NULL)
		return;
	nid_sm_free(&st->sm);
	if (st->rbuf != NULL) {
		OPENSSL_cleanse(st->rbuf, NID_RSP_MAX);
		free(st->rbuf);
	}
	free(st);
	t->impl = NULL;
}

static const struct nid_transport_ops sm_transport_ops = {
	"sm",
	sm_t_transmit,
	sm_t_reset,
	sm_t_get_atr,
	sm_t_begin,
	sm_t_end,
	sm_t_close,
};

int
nid_sm_transport_new(nid_ctx_t *ctx, nid_transport_t *inner, nid_sm_t **smp,
    nid_transport_t **out)
{
	struct sm_transport *st = NULL;
	int r;

	*out = NULL;
	if (inner == NULL || smp == NULL || *smp == NULL)
		return NID_E_INVALID_ARG;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->rbuf = malloc(NID_RSP_MAX)) == NULL) {
		free(st);
		return NID_E_NOMEM;
	}
	st->inner = inner;
	st->sm = *smp;
	if ((r = nid_transport_new(ctx, &sm_transport_ops, st, out)) != NID_OK) {
		st->sm = NULL;  /* stays with the caller */
		free(st->rbuf);
		free(st);
		return r;
	}
	*smp = NULL;
	return NID_OK;
}

int
nid_sm_transport_rekey(nid_transport_t *smt, nid_sm_t **new_sm)
{
	struct sm_transport *st;

	if (smt == NULL || smt->ops != &sm_transport_ops ||
	    (st = smt->impl) == NULL || new_sm == NULL || *new_sm == NULL)
		return NID_E_INVALID_ARG;
	nid_sm_free(&st->sm);
	st->sm = *new_sm;
	*new_sm = NULL;
	return NID_OK;
}
