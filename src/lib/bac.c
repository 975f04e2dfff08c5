/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * bac.c — ICAO 9303-11 §4.3 Basic Access Control (see bac.h).
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "nid_internal.h"
#include "bac.h"
#include "kdf.h"
#include "sw.h"

int
nid_bac_keys(const char *mrz_info, size_t mrz_info_len,
    uint8_t k_enc[NID_BAC_KEY_LEN], uint8_t k_mac[NID_BAC_KEY_LEN])
{
	uint8_t kseed[NID_KDF_SEED_LEN];
	size_t n = 0;
	int r;

	/* ICAO 9303-11 §9.7.2 and §9.7.1.1, Appendix D.2. */
	if ((r = nid_kdf_seed(mrz_info, mrz_info_len, kseed)) != NID_OK ||
	    (r = nid_kdf(NID_KDF_3DES, kseed, sizeof(kseed), NID_KDF_ENC,
	    k_enc, &n)) != NID_OK ||
	    (r = nid_kdf(NID_KDF_3DES, kseed, sizeof(kseed), NID_KDF_MAC,
	    k_mac, &n)) != NID_OK) {
		OPENSSL_cleanse(k_enc, NID_BAC_KEY_LEN);
		OPENSSL_cleanse(k_mac, NID_BAC_KEY_LEN);
	}
	OPENSSL_cleanse(kseed, sizeof(kseed));
	return r;
}

/* E = 3DES-CBC(k_enc, a ‖ b ‖ k), M = retail MAC(k_mac, E): D.3 steps 4–5. */
static int
bac_seal(const uint8_t k_enc[16], const uint8_t k_mac[16], const uint8_t a[8],
    const uint8_t b[8], const uint8_t k[16], uint8_t out[NID_BAC_AUTH_LEN])
{
	uint8_t s[32];
	int r;

	memcpy(s, a, 8);
	memcpy(s + 8, b, 8);
	memcpy(s + 16, k, 16);
	if ((r = nid_sm_des3_cbc(k_enc, 1, s, sizeof(s), out)) == NID_OK)
		r = nid_sm_retail_mac(k_mac, out, 32, out + 32);
	if (r != NID_OK)
		OPENSSL_cleanse(out, NID_BAC_AUTH_LEN);
	OPENSSL_cleanse(s, sizeof(s));
	return r;
}

/*
 * Verify M over E (constant time), then decrypt E into r32: the common
 * half of both sides' checks.
 */
static int
bac_open(const uint8_t k_enc[16], const uint8_t k_mac[16], const uint8_t *in,
    size_t in_len, uint8_t r32[32])
{
	uint8_t mac[8];
	int r;

	if (in == NULL || in_len != NID_BAC_AUTH_LEN) {
		r = NID_E_MALFORMED;
		goto out;
	}
	if ((r = nid_sm_retail_mac(k_mac, in, 32, mac)) != NID_OK)
		goto out;
	if (CRYPTO_memcmp(mac, in + 32, 8) != 0) {
		r = NID_E_SM_MAC;
		goto out;
	}
	r = nid_sm_des3_cbc(k_enc, 0, in, 32, r32);
 out:
	OPENSSL_cleanse(mac, sizeof(mac));
	return r;
}

int
nid_bac_auth_data(const uint8_t k_enc[16], const uint8_t k_mac[16],
    const uint8_t rnd_ic[8], const uint8_t rnd_ifd[8], const uint8_t k_ifd[16],
    uint8_t out[NID_BAC_AUTH_LEN])
{
	/* D.3: S = RND.IFD ‖ RND.IC ‖ K.IFD. */
	return bac_seal(k_enc, k_mac, rnd_ifd, rnd_ic, k_ifd, out);
}

int
nid_bac_check_answer(const uint8_t k_enc[16], const uint8_t k_mac[16],
    const uint8_t rnd_ic[8], const uint8_t rnd_ifd[8], const uint8_t *rsp,
    size_t rsp_len, uint8_t k_ic[16])
{
	uint8_t rr[32];
	int r;

	if ((r = bac_open(k_enc, k_mac, rsp, rsp_len, rr)) != NID_OK)
		goto out;
	/* D.3: R = RND.IC ‖ RND.IFD ‖ K.IC; both nonces must come back. */
	if (CRYPTO_memcmp(rr, rnd_ic, 8) != 0 ||
	    CRYPTO_memcmp(rr + 8, rnd_ifd, 8) != 0) {
		r = NID_E_CARD_PROTOCOL;
		goto out;
	}
	memcpy(k_ic, rr + 16, 16);
 out:
	OPENSSL_cleanse(rr, sizeof(rr));
	return r;
}

int
nid_bac_chip_answer(const uint8_t k_enc[16], const uint8_t k_mac[16],
    const uint8_t rnd_ic[8], const uint8_t k_ic[16], const uint8_t *cmd,
    size_t cmd_len, uint8_t rnd_ifd[8], uint8_t k_ifd[16],
    uint8_t out[NID_BAC_AUTH_LEN])
{
	uint8_t s[32];
	int r;

	if ((r = bac_open(k_enc, k_mac, cmd, cmd_len, s)) != NID_OK)
		goto out;
	/* S = RND.IFD ‖ RND.IC ‖ K.IFD: our challenge must be in it. */
	if (CRYPTO_memcmp(s + 8, rnd_ic, 8) != 0) {
		r = NID_E_CARD_PROTOCOL;
		goto out;
	}
	if ((r = bac_seal(k_enc, k_mac, rnd_ic, s, k_ic, out)) != NID_OK)
		goto out;
	memcpy(rnd_ifd, s, 8);
	memcpy(k_ifd, s + 16, 16);
 out:
	OPENSSL_cleanse(s, sizeof(s));
	return r;
}

int
nid_bac_session_keys(const uint8_t k_ifd[16], const uint8_t k_ic[16],
    const uint8_t rnd_ic[8], const uint8_t rnd_ifd[8], uint8_t ks_enc[16],
    uint8_t ks_mac[16], uint8_t ssc[8])
{
	uint8_t seed[16];
	size_t i, n = 0;
	int r;

	/* D.3: K_seed = K.IFD ⊕ K.IC; §9.7.1 with 3DES. */
	for (i = 0; i < 16; i++)
		seed[i] = (uint8_t)(k_ifd[i] ^ k_ic[i]);
	if ((r = nid_kdf(NID_KDF_3DES, seed, 16, NID_KDF_ENC, ks_enc,
	    &n)) != NID_OK ||
	    (r = nid_kdf(NID_KDF_3DES, seed, 16, NID_KDF_MAC, ks_mac,
	    &n)) != NID_OK)
		goto out;
	/* §9.8.2: SSC = RND.IC[4..8) ‖ RND.IFD[4..8). */
	memcpy(ssc, rnd_ic + 4, 4);
	memcpy(ssc + 4, rnd_ifd + 4, 4);
 out:
	OPENSSL_cleanse(seed, sizeof(seed));
	return r;
}

int
nid_bac_run(nid_card_t *card, const char *mrz_info, size_t mrz_info_len,
    const struct nid_bac_fixed *fixed, nid_sm_t **out)
{
	struct {
		uint8_t k_enc[16], k_mac[16], rnd_ic[8], rnd_ifd[8];
		uint8_t k_ifd[16], k_ic[16], auth[NID_BAC_AUTH_LEN];
		uint8_t ks_enc[16], ks_mac[16], ssc[8];
	} s;
	nid_ctx_t *ctx;
	nid_apdu a;
	nid_buf rsp;
	uint16_t sw = 0;
	int r;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	nid_buf_init(&rsp, 256);
	if (card == NULL || card->t == NULL || mrz_info == NULL) {
		r = NID_E_INVALID_ARG;
		goto out;
	}
	ctx = card->t->ctx;
	if ((r = nid_bac_keys(mrz_info, mrz_info_len, s.k_enc,
	    s.k_mac)) != NID_OK)
		goto out;
	/* D.3 step 1: GET CHALLENGE (ISO/IEC 7816-4 §11.5.3), Le 8. */
	memset(&a, 0, sizeof(a));
	a.ins = 0x84;
	a.ne = 8;
	if ((r = nid_card_transmit(card, &a, &rsp, &sw)) != NID_OK)
		goto out;
	if (sw != NID_SW_OK) {
		r = nid_ctx_set_detail(ctx, nid_sw_to_rc(sw),
		    "BAC: GET CHALLENGE answered %04X", sw);
		goto out;
	}
	if (rsp.len != 8) {
		r = nid_ctx_set_detail(ctx, NID_E_CARD_PROTOCOL,
		    "BAC: challenge of %zu bytes, not 8", rsp.len);
		goto out;
	}
	memcpy(s.rnd_ic, rsp.p, 8);
	if (fixed != NULL) {
		memcpy(s.rnd_ifd, fixed->rnd_ifd, 8);
		memcpy(s.k_ifd, fixed->k_ifd, 16);
	} else if (RAND_priv_bytes(s.rnd_ifd, 8) != 1 ||
	    RAND_priv_bytes(s.k_ifd, 16) != 1) {
		r = nid_ctx_set_openssl_detail(ctx, NID_E_CRYPTO,
		    "BAC: random bytes");
		goto out;
	}
	if ((r = nid_bac_auth_data(s.k_enc, s.k_mac, s.rnd_ic, s.rnd_ifd,
	    s.k_ifd, s.auth)) != NID_OK)
		goto out;
	/* D.3 step 5: EXTERNAL AUTHENTICATE (MUTUAL AUTHENTICATE), Le 40. */
	memset(&a, 0, sizeof(a));
	a.ins = 0x82;
	a.data = s.auth;
	a.nc = sizeof(s.auth);
	a.ne = NID_BAC_AUTH_LEN;
	if ((r = nid_card_transmit(card, &a, &rsp, &sw)) != NID_OK)
		goto out;
	/* Wrong MRZ: 6300 (9303-11 §4.3) or 6982. Never retried here. */
	if (sw == 0x6300 || sw == 0x6982) {
		r = nid_ctx_set_detail(ctx, NID_E_ACCESS_DENIED,
		    "access denied by the card (BAC, SW %04X): check the "
		    "document number, date of birth and date of expiry", sw);
		goto out;
	}
	if (sw != NID_SW_OK) {
		r = nid_ctx_set_detail(ctx, nid_sw_to_rc(sw),
		    "BAC: EXTERNAL AUTHENTICATE answered %04X", sw);
		goto out;
	}
	if ((r = nid_bac_check_answer(s.k_enc, s.k_mac, s.rnd_ic, s.rnd_ifd,
	    rsp.p, rsp.len, s.k_ic)) != NID_OK) {
		r = nid_ctx_set_detail(ctx, NID_E_CARD_PROTOCOL,
		    "BAC: the card's answer does not verify (%s)",
		    nid_strerror(r));
		goto out;
	}
	if ((r = nid_bac_session_keys(s.k_ifd, s.k_ic, s.rnd_ic, s.rnd_ifd,
	    s.ks_enc, s.ks_mac, s.ssc)) != NID_OK)
		goto out;
	/* Shown only in a sensitive trace (nid_log_hex, secret). */
	nid_log_hex(ctx, NID_LOG_DEBUG, NID_LOG_CAT_CRYPTO, "BAC KSenc",
	    s.ks_enc, 16, 1);
	nid_log_hex(ctx, NID_LOG_DEBUG, NID_LOG_CAT_CRYPTO, "BAC KSmac",
	    s.ks_mac, 16, 1);
	nid_log_hex(ctx, NID_LOG_DEBUG, NID_LOG_CAT_CRYPTO, "BAC SSC",
	    s.ssc, 8, 1);
	r = nid_sm_new(NID_SM_3DES, s.ks_enc, s.ks_mac, 16, s.ssc, 8, out);
	if (r == NID_OK)
		nid_log(ctx, NID_LOG_INFO, NID_LOG_CAT_GENERAL,
		    "BAC done, 3DES secure messaging");
 out:
	OPENSSL_cleanse(&s, sizeof(s));
	nid_buf_clear(&rsp);
	return r;
}
