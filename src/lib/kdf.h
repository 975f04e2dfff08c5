/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * kdf.h — ICAO 9303-11 §9.7.1 key derivation function, the BAC key seed
 * (§9.7.2) and the PACE password key K_π (§9.7.3). Pure functions on bytes.
 *
 *   KDF(K, c) = H(K ‖ c)  with c a 32-bit big-endian counter:
 *     3DES     (2-key, 16 bytes): SHA-1, bytes 0..15, each byte DES
 *              parity-adjusted (odd parity in the low bit) — §9.7.1.1
 *     AES-128  (16 bytes): SHA-1, bytes 0..15      — §9.7.1.2
 *     AES-192  (24 bytes): SHA-256, bytes 0..23
 *     AES-256  (32 bytes): SHA-256, bytes 0..31
 *   counters: 1 = K_enc, 2 = K_mac, 3 = K_π (PACE password key).
 */
#ifndef NID_KDF_H
#define NID_KDF_H

#include <stddef.h>
#include <stdint.h>

enum nid_kdf_alg { NID_KDF_3DES = 1, NID_KDF_AES128, NID_KDF_AES192, NID_KDF_AES256 };

#define NID_KDF_ENC 1u
#define NID_KDF_MAC 2u
#define NID_KDF_PACE 3u

/* Largest key nid_kdf() writes (AES-256). */
#define NID_KDF_KEY_MAX 32u
/* BAC K_seed: SHA-1(MRZ_information), first 16 bytes (ICAO 9303-11 §9.7.2). */
#define NID_KDF_SEED_LEN 16u
/* PACE MRZ password π = SHA-1(MRZ_information), all 20 bytes (§9.7.3). */
#define NID_KDF_PI_MRZ_LEN 20u

/* Key length of alg in bytes (16, 16, 24, 32), 0 for an unknown alg. */
size_t nid_kdf_key_len(enum nid_kdf_alg alg);

/*
 * ICAO 9303-11 §9.7.1: out = KDF(secret, counter) for alg.
 * out must have room for nid_kdf_key_len(alg) bytes (at most
 * NID_KDF_KEY_MAX); *out_len receives that length. For NID_KDF_3DES the
 * 16 bytes are Ka ‖ Kb with DES parity adjusted (§9.7.1.1, D.1), ready for
 * DES-EDE (2-key 3DES). Unknown alg or counter 0 → NID_E_INVALID_ARG;
 * OpenSSL failure → NID_E_CRYPTO. On failure out is cleansed and
 * *out_len is 0.
 */
int nid_kdf(enum nid_kdf_alg alg, const uint8_t *secret, size_t secret_len,
    uint32_t counter, uint8_t *out, size_t *out_len);

/* Set odd DES parity on every byte (low bit), in place (ICAO 9303-11 D.1). */
void nid_kdf_des_parity(uint8_t *key, size_t len);

/*
 * BAC: K_seed = SHA-1(MRZ_information)[0..16) (ICAO 9303-11 §9.7.2, D.2).
 * mrz_info is the ASCII MRZ_information (see mrz.h nid_mrz_bac_info()).
 */
int nid_kdf_seed(const char *mrz_info, size_t mrz_info_len,
    uint8_t kseed[NID_KDF_SEED_LEN]);

/*
 * PACE password key K_π = KDF_π(f(π)) = KDF(f(π), 3) (ICAO 9303-11
 * §9.7.3, §9.4.1; BSI TR-03110-3 §A.2.3):
 *  - MRZ: f(π) = SHA-1(MRZ_information), all 20 bytes. This is the K_seed
 *    digest before BAC's truncation to 16 bytes (Appendix G.1:
 *    K_π = 89DED1B26624EC1E634C1989302849DD for T22000129/640812/101031).
 *  - CAN (and likewise PIN, PUK): f(π) = the characters as ISO 8859-1
 *    bytes, e.g. "123456" → 313233343536.
 * alg is the PACE cipher's key alg; out/out_len as nid_kdf().
 */
int nid_kdf_pace_mrz(enum nid_kdf_alg alg, const char *mrz_info,
    size_t mrz_info_len, uint8_t *out, size_t *out_len);
int nid_kdf_pace_can(enum nid_kdf_alg alg, const char *can, size_t can_len,
    uint8_t *out, size_t *out_len);

#endif /* NID_KDF_H */
