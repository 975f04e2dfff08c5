/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * bac.h — Basic Access Control, ICAO 9303-11 §4.3 and Appendix D.3.
 *
 *   terminal                                        chip
 *   K_seed = SHA-1(MRZ_information)[0..16)          (§9.7.2)
 *   K_enc = KDF(K_seed, 1), K_mac = KDF(K_seed, 2)  (§9.7.1, 3DES parity)
 *             GET CHALLENGE 00 84 00 00 08  ->
 *                                          <-  RND.IC (8)
 *   S = RND.IFD ‖ RND.IC ‖ K.IFD   (8 ‖ 8 ‖ 16)
 *   E_IFD = 3DES-CBC(K_enc, IV 0, S); M_IFD = retail MAC(K_mac, E_IFD)
 *             EXTERNAL AUTHENTICATE 00 82 00 00 28 E_IFD‖M_IFD 28  ->
 *                                          <-  E_IC ‖ M_IC
 *   R = D(K_enc, E_IC) = RND.IC ‖ RND.IFD ‖ K.IC  (after M_IC verifies)
 *   K_seed' = K.IFD ⊕ K.IC; KS_enc = KDF(K_seed', 1), KS_mac = KDF(.., 2)
 *   SSC = RND.IC[4..8) ‖ RND.IFD[4..8)             (§9.8.2)
 *
 * The steps are pure functions on bytes; nid_bac_run() drives them over a
 * card handle and returns a secure messaging session (sm.h).
 */
#ifndef NID_BAC_H
#define NID_BAC_H

#include <stddef.h>
#include <stdint.h>

#include "nid_internal.h"
#include "card.h"
#include "sm.h"

#define NID_BAC_RND_LEN 8u
#define NID_BAC_KEY_LEN 16u
#define NID_BAC_AUTH_LEN 40u   /* E (32) ‖ M (8) */

/* K_enc and K_mac (parity adjusted) from the MRZ_information (mrz.h). */
int nid_bac_keys(const char *mrz_info, size_t mrz_info_len,
    uint8_t k_enc[NID_BAC_KEY_LEN], uint8_t k_mac[NID_BAC_KEY_LEN]) NID_WUR;

/* Terminal: the EXTERNAL AUTHENTICATE data E_IFD ‖ M_IFD. */
int nid_bac_auth_data(const uint8_t k_enc[16], const uint8_t k_mac[16],
    const uint8_t rnd_ic[8], const uint8_t rnd_ifd[8], const uint8_t k_ifd[16],
    uint8_t out[NID_BAC_AUTH_LEN]) NID_WUR;

/*
 * Terminal: check the chip's answer E_IC ‖ M_IC: exactly 40 bytes
 * (NID_E_MALFORMED), M_IC verified in constant time (NID_E_SM_MAC), then
 * RND.IC and RND.IFD echoed (NID_E_CARD_PROTOCOL); *k_ic gets K.IC.
 */
int nid_bac_check_answer(const uint8_t k_enc[16], const uint8_t k_mac[16],
    const uint8_t rnd_ic[8], const uint8_t rnd_ifd[8], const uint8_t *rsp,
    size_t rsp_len, uint8_t k_ic[16]) NID_WUR;

/* Both sides: session keys and the starting SSC. */
int nid_bac_session_keys(const uint8_t k_ifd[16], const uint8_t k_ic[16],
    const uint8_t rnd_ic[8], const uint8_t rnd_ifd[8], uint8_t ks_enc[16],
    uint8_t ks_mac[16], uint8_t ssc[8]) NID_WUR;

/*
 * Chip (the virtual card): check the terminal's E_IFD ‖ M_IFD against
 * the RND.IC it issued (MAC NID_E_SM_MAC, wrong RND.IC
 * NID_E_CARD_PROTOCOL, length NID_E_MALFORMED), answer E_IC ‖ M_IC for
 * its K.IC; RND.IFD and K.IFD are returned for nid_bac_session_keys().
 */
int nid_bac_chip_answer(const uint8_t k_enc[16], const uint8_t k_mac[16],
    const uint8_t rnd_ic[8], const uint8_t k_ic[16], const uint8_t *cmd,
    size_t cmd_len, uint8_t rnd_ifd[8], uint8_t k_ifd[16],
    uint8_t out[NID_BAC_AUTH_LEN]) NID_WUR;

/* Fixed terminal randoms for tests (NULL in production: RAND_priv_bytes). */
struct nid_bac_fixed {
	uint8_t rnd_ifd[8];
	uint8_t k_ifd[16];
};

/*
 * Run BAC on card with the MRZ_information: GET CHALLENGE, EXTERNAL
 * AUTHENTICATE, session keys. *out gets the 3DES SM session (wrap the
 * card's transport with nid_sm_transport_new()).
 * The card refusing the key (6300 or 6982 to EXTERNAL AUTHENTICATE) is
 * NID_E_ACCESS_DENIED, "access denied by the card", and is never retried:
 * some chips slow down or count failed attempts. Other status words map
 * through nid_sw_to_rc(); transport errors pass through; an answer that
 * does not verify is NID_E_CARD_PROTOCOL.
 */
int nid_bac_run(nid_card_t *card, const char *mrz_info, size_t mrz_info_len,
    const struct nid_bac_fixed *fixed, nid_sm_t **out) NID_WUR;

#endif /* NID_BAC_H */
