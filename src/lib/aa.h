/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * aa.h — Active Authentication (ICAO 9303-11 §6.1): the terminal sends an
 * 8-byte random challenge RND.IFD in INTERNAL AUTHENTICATE, the chip
 * signs it with the private key whose public half is DG15 (ICAO 9303-10
 * §4.7.15), the terminal verifies.
 *
 *   IFD                                         chip
 *   RND.IFD (8 random bytes)
 *   00 88 00 00 08 RND.IFD Le   ------------->  (under secure messaging)
 *                               <-------------  signature ‖ 9000
 *
 * RSA (9303-11 §6.1.2.2): ISO/IEC 9796-2 digital signature scheme 1,
 * partial message recovery. The chip chooses M1, signs M = M1 ‖ M2 with
 * M2 = RND.IFD. Opening the signature Σ (k bytes, k = modulus size):
 *
 *   J* = Σ^e mod n; J = J* when J* ≡ 12 (mod 16), else n − J* (the
 *        ISO/IEC 9796-2 RSA opening for odd e; exactly one of the two is
 *        even since n is odd)
 *   J  = 6A ‖ M1 ‖ H ‖ BC          (implicit hash: SHA-1 for ICAO)
 *      | 6B BB .. BA ‖ M1 ‖ H ‖ BC (padding nibbles B…BA when M1 is short)
 *      | … ‖ H ‖ hh CC             (hh: ISO/IEC 10118-3 hash identifier,
 *                                   33 SHA-1, 38 SHA-224, 34 SHA-256,
 *                                   36 SHA-384, 35 SHA-512)
 *   check H = hash(M1 ‖ RND.IFD)   (CRYPTO_memcmp)
 *
 * The first nibble is 6 (01 ‖ more-data bit 1 ‖ 0): partial recovery;
 * 4 (full recovery: the challenge would not be in the hash) is refused.
 *
 * ECDSA (9303-11 §6.1.2.3): the plain signature format of BSI TR-03111
 * §5.2.1, r ‖ s, each the length of the group order; the message is
 * RND.IFD; the hash is named by DG14's ActiveAuthenticationInfo
 * signatureAlgorithm (9303-11 §9.2). §6.1.2.3 allows only SHA-224,
 * SHA-256, SHA-384 or SHA-512 whose output is no longer than the key.
 * Without ActiveAuthenticationInfo the standard names no default: each
 * hash §6.1.2.3 allows for the key is tried (a signature that verifies
 * under any of them still proves possession of the key), and the one
 * that verified is reported.
 *
 * Outcomes are data (chipauth.h): a signature that does not verify, or a
 * chip that refuses INTERNAL AUTHENTICATE although DG15 announces AA, is
 * FAIL; errors are transport failures only.
 */
#ifndef NID_AA_H
#define NID_AA_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "nid_internal.h"
#include "card.h"
#include "chipauth.h"

#define NID_AA_CHALLENGE_LEN 8u
/* Largest signature accepted: RSA-8192 (1024 bytes). */
#define NID_AA_SIG_MAX 1024u
/* Largest ECDSA field (order) length: P-521, 66 bytes. */
#define NID_AA_EC_FIELD_MAX 66u

/*
 * Run Active Authentication on card (the card handle over secure
 * messaging: the emrtd session hook's sc). pub: the DG15 key (RSA or
 * EC). sig_alg_oid: ActiveAuthenticationInfo signatureAlgorithm
 * (dotted), NULL when DG14 has none. challenge: 8 bytes, or NULL for
 * RAND_bytes. out is cleared; mechanism "AA", key_dg 15, key_id -1,
 * algorithm, result, reason, apdus and ms are set.
 *
 * NID_OK whenever out holds an outcome: PASS, FAIL (bad signature,
 * refusal status word, malformed answer), or UNKNOWN when it cannot be
 * checked before anything is sent (key or signature algorithm not
 * supported; the reason says which). Errors: transport failures as they
 * come (card removed, reader gone, SM broken: NID_E_SM_*), NID_E_CRYPTO
 * when OpenSSL fails, NID_E_INVALID_ARG.
 */
int nid_aa_run(nid_card_t *card, EVP_PKEY *pub, const char *sig_alg_oid,
    const uint8_t *challenge, struct nid_chip_result *out) NID_WUR;

/* ---- the steps, exposed for tests ------------------------------------ */

/* What was read from an ISO/IEC 9796-2 scheme 1 message representative. */
struct nid_aa_rep {
	uint8_t j[NID_AA_SIG_MAX];  /* the representative J, k bytes */
	size_t k;                   /* modulus length in bytes */
	int negated;                /* J = n − Σ^e mod n */
	int partial;                /* more-data bit: 1 partial recovery */
	size_t pad_nibbles;         /* B…BA padding nibbles, A included */
	size_t m1_off, m1_len;      /* M1: j[m1_off .. m1_off + m1_len) */
	size_t h_off, h_len;        /* H */
	size_t trailer_len;         /* 1 (BC) or 2 (hh CC) */
	int md_nid;                 /* hash of H (the trailer's or implicit) */
};

/*
 * Verify an ISO/IEC 9796-2 scheme 1 signature with partial recovery:
 * sig (exactly the modulus length) under the RSA key pub, with the
 * non-recoverable part m2 and implicit_md_nid the hash meant by trailer
 * BC (NID_sha1 for ICAO 9303-11). *ok gets 1 when it verifies; rep (may
 * be NULL) every field that could be read; why (may be NULL) the reason
 * it does not verify. NID_OK whenever the signature was examined;
 * NID_E_INVALID_ARG for a key that is not RSA; NID_E_UNSUPPORTED for a
 * modulus whose size is not a whole number of bytes; NID_E_CRYPTO when
 * OpenSSL fails.
 */
int nid_aa_9796_verify(EVP_PKEY *pub, const uint8_t *sig, size_t sig_len,
    const uint8_t *m2, size_t m2_len, int implicit_md_nid,
    struct nid_aa_rep *rep, int *ok, char *why, size_t why_len) NID_WUR;

/*
 * The hash of an ISO/IEC 10118-3 hash identifier in a 9796-2 trailer
 * (hh of hh CC); NID_undef for one this module does not take. Names
 * for the text ("SHA-1", "SHA-256", …).
 */
int nid_aa_trailer_md(uint8_t hash_id);
const char *nid_aa_md_name(int md_nid);

/*
 * The hash an ActiveAuthenticationInfo signatureAlgorithm names (BSI
 * TR-03111 ecdsa-plain-SHAx 0.4.0.127.0.7.1.1.4.1.x, or the X9.62
 * ecdsa-with-SHAx OIDs some issuers put there); NID_undef otherwise.
 */
int nid_aa_sigalg_md(const char *oid);

/*
 * BSI TR-03111 §5.2.1 plain r ‖ s (each field_len bytes) → DER
 * ECDSA-Sig-Value SEQUENCE { INTEGER r, INTEGER s } (X9.62), minimal
 * INTEGERs, into out (reset first). NID_E_MALFORMED when sig_len is not
 * 2 * field_len or field_len is 0 or above NID_AA_EC_FIELD_MAX. A zero
 * r or s encodes as INTEGER 0 (and does not verify).
 */
int nid_aa_ecdsa_plain_to_der(const uint8_t *sig, size_t sig_len,
    size_t field_len, nid_buf *out) NID_WUR;
/*
 * Back (the chip side): a strict DER ECDSA-Sig-Value (minimal,
 * non-negative INTEGERs, nothing trailing) → r ‖ s, each left-padded to
 * field_len bytes, into out (2 * field_len bytes). NID_E_MALFORMED /
 * NID_E_TRAILING / NID_E_TOO_LARGE (r or s longer than field_len).
 */
int nid_aa_ecdsa_der_to_plain(const uint8_t *der, size_t der_len,
    size_t field_len, uint8_t *out) NID_WUR;

/*
 * Verify an ECDSA Active Authentication answer sig over challenge with
 * pub. md_nid: the hash to use, or NID_undef to try every hash 9303-11
 * §6.1.2.3 allows for the key. *ok 1 when it verifies; *used_md the hash
 * that verified (NID_undef otherwise); why as above. sig is the plain
 * format; a DER ECDSA-Sig-Value is also taken (see aa.c: a card quirk),
 * *der_form then set. NID_OK whenever examined; NID_E_INVALID_ARG for a
 * key that is not EC; NID_E_CRYPTO when OpenSSL fails.
 */
int nid_aa_ecdsa_verify(EVP_PKEY *pub, int md_nid, const uint8_t *sig,
    size_t sig_len, const uint8_t *challenge, size_t challenge_len,
    int *ok, int *used_md, int *der_form, char *why, size_t why_len)
    NID_WUR;

/* Group order length in bytes of an EC key (the plain r and s size). */
int nid_aa_ec_field_len(EVP_PKEY *pub, size_t *len) NID_WUR;

#endif /* NID_AA_H */
