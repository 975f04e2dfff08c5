/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * kdf.c — ICAO 9303-11 §9.7 key derivation (see kdf.h).
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "nid_internal.h"
#include "kdf.h"

size_t
nid_kdf_key_len(enum nid_kdf_alg alg)
{
	switch (alg) {
	case NID_KDF_3DES:
	case NID_KDF_AES128:
		return 16;
	case NID_KDF_AES192:
		return 24;
	case NID_KDF_AES256:
		return 32;
	}
	return 0;
}

void
nid_kdf_des_parity(uint8_t *key, size_t len)
{
	size_t i;
	unsigned b, ones, j;

	/* ICAO 9303-11 D.1 / FIPS 46-3: each byte has odd parity. */
	for (i = 0; i < len; i++) {
		b = key[i];
		ones = 0;
		for (j = 1; j < 8; j++)
			ones += (b >> j) & 1u;
		key[i] = (uint8_t)((b & 0xfeu) | ((ones & 1u) == 0 ? 1u : 0u));
	}
}

/* out = H(a ‖ b), where the digest is SHA-1 or SHA-256. */
static int
kdf_digest(const EVP_MD *md, const uint8_t *a, size_t a_len,
    const uint8_t *b, size_t b_len, uint8_t *out, unsigned *out_len)
{
	EVP_MD_CTX *mctx = NULL;
	int r = NID_E_CRYPTO;

	*out_len = 0;
	if ((mctx = EVP_MD_CTX_new()) == NULL) {
		r = NID_E_NOMEM;
		goto out;
	}
	if (EVP_DigestInit_ex(mctx, md, NULL) != 1 ||
	    (a_len != 0 && EVP_DigestUpdate(mctx, a, a_len) != 1) ||
	    (b_len != 0 && EVP_DigestUpdate(mctx, b, b_len) != 1) ||
	    EVP_DigestFinal_ex(mctx, out, out_len) != 1)
		goto out;
	r = NID_OK;
 out:
	EVP_MD_CTX_free(mctx);
	return r;
}

int
nid_kdf(enum nid_kdf_alg alg, const uint8_t *secret, size_t secret_len,
    uint32_t counter, uint8_t *out, size_t *out_len)
{
	uint8_t d[EVP_MAX_MD_SIZE], c[4];
	unsigned dlen = 0;
	size_t klen;
	const EVP_MD *md;
	int r;

	*out_len = 0;
	klen = nid_kdf_key_len(alg);
	if (klen == 0 || counter == 0 || (secret == NULL && secret_len != 0)) {
		r = NID_E_INVALID_ARG;
		goto out;
	}
	/* ICAO 9303-11 §9.7.1: SHA-1 up to 128-bit keys, SHA-256 above. */
	md = klen <= 16 ? EVP_sha1() : EVP_sha256();
	c[0] = (uint8_t)(counter >> 24);
	c[1] = (uint8_t)(counter >> 16);
	c[2] = (uint8_t)(counter >> 8);
	c[3] = (uint8_t)counter;
	if ((r = kdf_digest(md, secret, secret_len, c, sizeof(c), d,
	    &dlen)) != NID_OK)
		goto out;
	if (dlen < klen) {
		r = NID_E_INTERNAL;
		goto out;
	}
	memcpy(out, d, klen);
	/* §9.7.1.1: 3DES keys Ka ‖ Kb, parity bits adjusted. */
	if (alg == NID_KDF_3DES)
		nid_kdf_des_parity(out, klen);
	*out_len = klen;
	r = NID_OK;
 out:
	OPENSSL_cleanse(d, sizeof(d));
	return r;
}

int
nid_kdf_seed(const char *mrz_info, size_t mrz_info_len,
    uint8_t kseed[NID_KDF_SEED_LEN])
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	int r;

	if (mrz_info == NULL || mrz_info_len == 0) {
		r = NID_E_INVALID_ARG;
		goto out;
	}
	/* ICAO 9303-11 §9.7.2: K_seed = SHA-1(MRZ_information)[0..16). */
	if ((r = kdf_digest(EVP_sha1(), (const uint8_t *)mrz_info,
	    mrz_info_len, NULL, 0, d, &dlen)) != NID_OK)
		goto out;
	memcpy(kseed, d, NID_KDF_SEED_LEN);
 out:
	OPENSSL_cleanse(d, sizeof(d));
	return r;
}

int
nid_kdf_pace_mrz(enum nid_kdf_alg alg, const char *mrz_info,
    size_t mrz_info_len, uint8_t *out, size_t *out_len)
{
	uint8_t pi[EVP_MAX_MD_SIZE];
	unsigned pilen = 0;
	int r;

	*out_len = 0;
	if (mrz_info == NULL || mrz_info_len == 0) {
		r = NID_E_INVALID_ARG;
		goto out;
	}
	/* ICAO 9303-11 §9.7.3: f(π) = SHA-1(MRZ_information), 20 bytes. */
	if ((r = kdf_digest(EVP_sha1(), (const uint8_t *)mrz_info,
	    mrz_info_len, NULL, 0, pi, &pilen)) != NID_OK)
		goto out;
	r = nid_kdf(alg, pi, NID_KDF_PI_MRZ_LEN, NID_KDF_PACE, out, out_len);
 out:
	OPENSSL_cleanse(pi, sizeof(pi));
	return r;
}

int
nid_kdf_pace_can(enum nid_kdf_alg alg, const char *can, size_t can_len,
    uint8_t *out, size_t *out_len)
{
	*out_len = 0;
	if (can == NULL || can_len == 0)
		return NID_E_INVALID_ARG;
	/* §9.7.3: f(π) = ISO 8859-1 encoding of the CAN. */
	return nid_kdf(alg, (const uint8_t *)can, can_len, NID_KDF_PACE, out,
	    out_len);
}
