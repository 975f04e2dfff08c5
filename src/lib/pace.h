/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * pace.h — PACE v2 with generic mapping (ICAO 9303-11 §4.4, §9.5;
 * BSI TR-03110-2 §3.2, TR-03110-3 §A.2, §D.3), as pure functions on bytes
 * for each step, plus a driver over a card handle.
 *
 *   terminal (IFD)                                chip (IC)
 *   MSE:Set AT  80 OID, 83 password ref [, 84 parameterId]
 *   GA 1  7C{}                             →  7C{80 z},  z = E(K_π, s)
 *         s = D(K_π, z)
 *   GA 2  7C{81 PK_map,IFD}                →  7C{82 PK_map,IC}
 *         H = SK_map,IFD·PK_map,IC;  G' = s·G + H   (DH: g' = g^s·h)
 *   GA 3  7C{83 PK_IFD = SK_IFD·G'}        →  7C{84 PK_IC}
 *         K = x(SK_IFD·PK_IC)  (DH: PK_IC^SK_IFD mod p, |p| bytes)
 *         KS_enc = KDF(K, 1), KS_mac = KDF(K, 2)
 *   GA 4  7C{85 T_IFD = MAC(KS_mac, 7F49{06 OID, 86 PK_IC})}
 *                                          →  7C{86 T_IC [, 87 CAR1, 88 CAR2]}
 *   GA 1–3 with CLA 10 (command chaining), GA 4 with CLA 00, all with Le 00.
 *
 * Public keys on the wire: EC as the uncompressed point 04 ‖ x ‖ y (each
 * coordinate |p| bytes); DH as the value, big-endian, |p| bytes.
 * Private keys are big-endian integers.
 *
 * Every private value passed in or out (K_π, s, private keys, K, session
 * keys) is cleansed by these functions when they free it; callers cleanse
 * theirs (nid_buf does on clear).
 *
 * Integrated mapping (IM) and PACE-CAM are not implemented: their OIDs are
 * recognised (oid.h) and the driver refuses them with NID_E_UNSUPPORTED.
 */
#ifndef NID_PACE_H
#define NID_PACE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "card.h"
#include "kdf.h"
#include "nid_internal.h"
#include "secinfo.h"

/* Password reference of MSE:Set AT tag 83 (TR-03110-3 §D.2.1.1 / ICAO 9303-11 §4.4.4.1). */
enum nid_pace_pw {
	NID_PACE_PW_MRZ = 1,
	NID_PACE_PW_CAN = 2,
	NID_PACE_PW_PIN = 3,
	NID_PACE_PW_PUK = 4
};

/* Authentication token length (TR-03110-3 §A.2.4.2: first 8 bytes of the MAC). */
#define NID_PACE_TOKEN_LEN 8u
/* Longest nonce z we accept (4 AES blocks; cards use 1). */
#define NID_PACE_NONCE_MAX 64u
/* Longest encoded public key: DH 2048 (256 bytes); EC P-521 is 133. */
#define NID_PACE_PUB_MAX 512u

/* ---- domain parameters ---------------------------------------------- */

/*
 * Domain parameters: a standardized set (ICAO 9303-11 §9.5.1 table 7,
 * TR-03110-3 §A.2.1.1 table 4), or the mapped set after generic mapping.
 */
typedef struct nid_pace_dp nid_pace_dp;

/*
 * Standardized domain parameters by parameterId:
 *  0 RFC 5114 1024-bit MODP, 160-bit subgroup  1 2048/224  2 2048/256
 *  8 NIST P-192   9 brainpoolP192r1  10 P-224  11 brainpoolP224r1
 * 12 P-256       13 brainpoolP256r1  14 brainpoolP320r1  15 P-384
 * 16 brainpoolP384r1  17 brainpoolP512r1  18 P-521
 * Others (3–7 reserved, 19–31 reserved, 32+ proprietary) →
 * NID_E_UNSUPPORTED.
 */
int nid_pace_dp_std(long param_id, nid_pace_dp **out) NID_WUR;
void nid_pace_dp_free(nid_pace_dp **dpp);
int nid_pace_dp_is_ec(const nid_pace_dp *dp);
/* |p| in bytes. */
size_t nid_pace_dp_field_len(const nid_pace_dp *dp);
/* Length of an encoded public key: EC 1 + 2|p|, DH |p|. */
size_t nid_pace_dp_pub_len(const nid_pace_dp *dp);
/* DH only: append the modulus p as |p| big-endian bytes (the hostile
 * simulator's out-of-range public values); NID_E_INVALID_ARG for EC. */
int nid_pace_dp_prime(const nid_pace_dp *dp, nid_buf *out) NID_WUR;
/* The generator, encoded like a public key (G, or G' after mapping). */
int nid_pace_dp_generator(const nid_pace_dp *dp, nid_buf *out) NID_WUR;

/* ---- keys and agreement ---------------------------------------------- */

/*
 * Key pair on dp. sk NULL: a fresh random private key from
 * RAND_priv_bytes in [1, n-1] (EC: the order; DH: q, or p-1 when q is
 * unknown). sk given (tests, the simulator): it must be in that range.
 * sk_out (may be NULL) gets the private key (|n| bytes), pk_out the
 * encoded public key.
 */
int nid_pace_keypair(const nid_pace_dp *dp, const uint8_t *sk, size_t sk_len,
    nid_buf *sk_out, nid_buf *pk_out) NID_WUR;

/*
 * Public key validation (TR-03110-3 §A.2.2 / ICAO 9303-11 §4.4.3.3):
 * EC: the uncompressed form, coordinates < p, on the curve, not the point
 * at infinity (the cofactor of every standardized curve is 1);
 * DH: exactly |p| bytes, 1 < y < p-1, and y^q = 1 mod p when q is known.
 * NID_E_MALFORMED when invalid.
 */
int nid_pace_check_pub(const nid_pace_dp *dp, const uint8_t *pk,
    size_t pk_len) NID_WUR;

/*
 * Diffie-Hellman on dp after validating peer: EC: the point sk·peer
 * (encoded 04 ‖ x ‖ y), DH: peer^sk mod p (|p| bytes). The generic
 * mapping's H is this value. The point at infinity / the value 1 →
 * NID_E_MALFORMED.
 */
int nid_pace_dh(const nid_pace_dp *dp, const uint8_t *sk, size_t sk_len,
    const uint8_t *peer, size_t peer_len, nid_buf *out) NID_WUR;

/*
 * The shared secret K of the key agreement (ICAO 9303-11 §4.4.3.3.2):
 * EC: the x-coordinate of sk·peer (|p| bytes); DH: peer^sk mod p.
 */
int nid_pace_shared_secret(const nid_pace_dp *dp, const uint8_t *sk,
    size_t sk_len, const uint8_t *peer, size_t peer_len, nid_buf *k) NID_WUR;

/*
 * Generic mapping (ICAO 9303-11 §4.4.3.3.1, TR-03110-3 §A.3.4.1):
 * EC: G' = s·G + H; DH: g' = g^s · h mod p. h is the encoded H (from
 * nid_pace_dh with the mapping keys). *mapped gets a copy of dp with the
 * new generator (same order and cofactor). G' at infinity / g' = 1 →
 * NID_E_MALFORMED.
 */
int nid_pace_gm_map(const nid_pace_dp *dp, const uint8_t *s, size_t s_len,
    const uint8_t *h, size_t h_len, nid_pace_dp **mapped) NID_WUR;

/*
 * An EVP_PKEY (EC only) for a public key on standardized domain
 * parameters: TR-03110 SubjectPublicKeyInfo with
 * standardizedDomainParameters (secinfo.c).
 */
int nid_pace_std_pubkey(long param_id, const uint8_t *pk, size_t pk_len,
    EVP_PKEY **out) NID_WUR;

/*
 * The domain parameters a public (or private) key carries, for Chip
 * Authentication (ca.h), whose static key in DG14 brings its own, named
 * or explicit: EC keys on a prime curve with cofactor 1 (every curve of
 * table 7 and every one seen in DG14), DH keys (PKCS #3 or X9.42) with p,
 * g, and q when given. pub (may be NULL) gets the key's public value
 * encoded as in this module (EC 04 ‖ x ‖ y, DH |p| bytes), not validated:
 * callers run nid_pace_check_pub on it. A compressed EC point is
 * decompressed; a point not on the curve → NID_E_MALFORMED. Binary
 * curves, a cofactor other than 1, other key types → NID_E_UNSUPPORTED.
 */
int nid_pace_dp_from_pkey(const EVP_PKEY *pk, nid_pace_dp **out,
    nid_buf *pub) NID_WUR;

/* ---- password, nonce, keys, tokens ----------------------------------- */

/*
 * K_π (ICAO 9303-11 §9.7.3): pw_type MRZ: pw is MRZ_information (document
 * number ‖ check digit ‖ date of birth ‖ check digit ‖ date of expiry ‖
 * check digit, mrz.h nid_mrz_bac_info()); CAN/PIN/PUK: the digits.
 * Through nid_kdf_pace_mrz / nid_kdf_pace_can (kdf.h).
 */
int nid_pace_kpi(enum nid_kdf_alg alg, enum nid_pace_pw pw_type,
    const char *pw, size_t pw_len, uint8_t *out, size_t *out_len) NID_WUR;

/*
 * s = D(K_π, z) (ICAO 9303-11 §4.4.3.2): AES-CBC (key 16/24/32 bytes) or
 * 2-key 3DES-CBC, IV zero, no padding. z: a non-zero multiple of the
 * block size, at most NID_PACE_NONCE_MAX bytes. E is the chip side.
 */
int nid_pace_decrypt_nonce(enum nid_kdf_alg alg, const uint8_t *kpi,
    size_t kpi_len, const uint8_t *z, size_t z_len, nid_buf *s) NID_WUR;
int nid_pace_encrypt_nonce(enum nid_kdf_alg alg, const uint8_t *kpi,
    size_t kpi_len, const uint8_t *s, size_t s_len, nid_buf *z) NID_WUR;

/* Session keys (ICAO 9303-11 §9.7.1): KS_enc = KDF(K,1), KS_mac = KDF(K,2). */
struct nid_pace_keys {
	enum nid_kdf_alg alg;
	uint8_t enc[NID_KDF_KEY_MAX];
	uint8_t mac[NID_KDF_KEY_MAX];
	size_t key_len;
};
int nid_pace_session_keys(enum nid_kdf_alg alg, const uint8_t *k,
    size_t k_len, struct nid_pace_keys *out) NID_WUR;
void nid_pace_keys_clear(struct nid_pace_keys *keys);

/*
 * The MAC input of the authentication token (ICAO 9303-11 §4.4.3.4,
 * TR-03110-3 §D.3.4): 7F49 { 06 protocol OID, 86 point } for EC, or
 * 7F49 { 06 OID, 84 y } for DH. oid_der is the OID's contents.
 */
int nid_pace_token_input(const nid_pace_dp *dp, const uint8_t *oid_der,
    size_t oid_len, const uint8_t *pk, size_t pk_len, nid_buf *out) NID_WUR;
/*
 * T = MAC(KS_mac, token input)[0..8): AES-CMAC for AES, the ISO/IEC
 * 9797-1 algorithm 3 retail MAC with padding method 2 for 3DES.
 * T_IFD is computed over PK_IC, T_IC over PK_IFD.
 */
int nid_pace_token(const struct nid_pace_keys *keys, const nid_pace_dp *dp,
    const uint8_t *oid_der, size_t oid_len, const uint8_t *pk, size_t pk_len,
    uint8_t tok[NID_PACE_TOKEN_LEN]) NID_WUR;
/*
 * The MAC itself over m: AES-CMAC or the 3DES retail MAC as above,
 * truncated to 8 bytes (exposed for the tests and the simulator).
 */
int nid_pace_mac(const struct nid_pace_keys *keys, const uint8_t *m,
    size_t m_len, uint8_t mac[NID_PACE_TOKEN_LEN]) NID_WUR;
/* Constant-time check of a received token; NID_E_ACCESS_DENIED on mismatch. */
int nid_pace_token_verify(const struct nid_pace_keys *keys,
    const nid_pace_dp *dp, const uint8_t *oid_der, size_t oid_len,
    const uint8_t *pk, size_t pk_len, const uint8_t *tok, size_t tok_len) NID_WUR;

/* ---- command data and response parsing ------------------------------ */

/*
 * MSE:Set AT command data (ICAO 9303-11 §4.4.4.1, TR-03110-3 §D.2.1.1):
 * 80 OID ‖ 83 01 pw_type [‖ 84 parameterId]. param_id < 0: no 84 (send
 * it only when the chip offers more than one set of domain parameters).
 * The APDU is 00 22 C1 A4 Lc data, no Le.
 */
int nid_pace_mse_set_at_data(const uint8_t *oid_der, size_t oid_len,
    enum nid_pace_pw pw_type, long param_id, nid_buf *out) NID_WUR;

/* GENERAL AUTHENTICATE command data: 7C { tag v } or, tag 0, 7C 00. */
int nid_pace_ga_data(uint32_t tag, const uint8_t *v, size_t v_len,
    nid_buf *out) NID_WUR;

/*
 * Dynamic authentication data (7C { 80..8F }), one per context tag; the
 * parse is strict: a single 7C, no trailing bytes, every tag in `allowed`
 * (bit t-0x80), none repeated, every tag in `required` present.
 */
struct nid_pace_dad {
	uint32_t present;  /* bit t-0x80 */
	nid_cur v[16];     /* v[t-0x80] */
};
int nid_pace_dad_parse(const uint8_t *p, size_t len, uint32_t required,
    uint32_t allowed, struct nid_pace_dad *out) NID_WUR;
/*
 * The chip's response of GA step 1..4 (TR-03110-3 §D.3.4): 1: 80 z;
 * 2: 82 PK_map,IC; 3: 84 PK_IC; 4: 86 T_IC, optionally 87 CAR1, 88 CAR2.
 */
int nid_pace_ga_rsp_parse(unsigned step, const uint8_t *p, size_t len,
    struct nid_pace_dad *out) NID_WUR;

/* ---- protocol driver --------------------------------------------------- */

/*
 * Test hook for the ephemeral private keys: called for the mapping key
 * (which = 1) and the key agreement key (which = 2); writes a big-endian
 * private key of at most max bytes into sk and its length into *sk_len.
 * NULL in production: RAND_priv_bytes.
 */
typedef int nid_pace_sk_fn(void *arg, unsigned which, uint8_t *sk,
    size_t max, size_t *sk_len);

struct nid_pace_params {
	const uint8_t *oid_der;  /* PACEInfo protocol OID contents */
	size_t oid_len;
	long param_id;           /* PACEInfo parameterId */
	int send_param_id;       /* add 84 to MSE:Set AT */
	enum nid_pace_pw pw_type;
	const char *pw;          /* MRZ_information or the CAN digits */
	size_t pw_len;
	nid_pace_sk_fn *sk_fn;   /* NULL: random */
	void *sk_arg;
};

struct nid_pace_result {
	struct nid_pace_keys keys;  /* KS_enc / KS_mac for secure messaging */
	/* The chip's ephemeral public key PK_IC (ID_PICC is derived from it
	 * for Terminal / Chip Authentication). */
	uint8_t pk_ic[NID_PACE_PUB_MAX];
	size_t pk_ic_len;
	/* CAR1 / CAR2 of GA step 4, "" when absent (NUL-terminated). */
	char car1[24];
	char car2[24];
};

/*
 * Choose the PACEInfo to run from the SecurityInfos of EF.CardAccess: the
 * first in the chip's order with generic mapping, version 2 and a
 * standardized parameterId that nid_pace_dp_std() supports (IM and CAM
 * entries are skipped). Fills oid_der/oid_len (pointing into s),
 * param_id and send_param_id, which is set when the chip lists more than
 * one PACEInfo or any PACEDomainParameterInfo (ICAO 9303-11 §4.4.4.1:
 * the parameter reference is required when the choice is ambiguous).
 * The password and hook fields are left as they are.
 * NID_E_UNSUPPORTED_CARD when no entry fits.
 */
int nid_pace_select(const nid_secinfos *s, struct nid_pace_params *pp) NID_WUR;

/*
 * Run PACE: MSE:Set AT, then GA 1–4 (CLA 10 on 1–3, 00 on 4) through
 * nid_card_transmit. On success the session keys are in *res; the caller
 * starts secure messaging with them (SSC 0). A refusal of the password
 * at step 4 (6300, 63Cx, 6982) → NID_E_ACCESS_DENIED; it is never retried.
 * A T_IC that does not verify after the chip accepted T_IFD is the
 * chip's failure → NID_E_CARD_PROTOCOL. GA 1–3 are chained by PACE itself, so a command longer than card->caps.max_nc
 * (2048-bit DH keys without extended length) → NID_E_UNSUPPORTED_CARD.
 * res is cleared on entry and on failure.
 */
int nid_pace_run(nid_card_t *card, const struct nid_pace_params *params,
    struct nid_pace_result *res) NID_WUR;
void nid_pace_result_clear(struct nid_pace_result *res);

#endif /* NID_PACE_H */
