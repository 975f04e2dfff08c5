/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * ca.h — Chip Authentication version 1 (ICAO 9303-11 §6.2; BSI
 * TR-03110-1 §3.4, TR-03110-3 Appendix B for the APDUs): the chip proves it
 * holds the private key of the static DH/ECDH key in DG14 by answering
 * under secure messaging keys that only that key gives.
 *
 *   terminal (IFD)                                chip (IC)
 *   DG14: PK_IC and its domain parameters D_IC (read, PA-covered)
 *   (SK_IFD, PK_IFD) ephemeral on D_IC
 *   3DES:  MSE:Set KAT  00 22 41 A6  91 PK_IFD [84 keyId]    → 9000
 *   AES:   MSE:Set AT   00 22 41 A4  80 OID [84 keyId]       → 9000
 *          GENERAL AUTHENTICATE 00 86 00 00 7C{80 PK_IFD} 00 → 7C 00 9000
 *          (both sent, and answered, under the current SM keys)
 *   K = x(SK_IFD · PK_IC)  (DH: PK_IC^SK_IFD mod p, |p| bytes)
 *   KS_enc = KDF(K, 1), KS_mac = KDF(K, 2) with the cipher of the OID
 *   SM restarts with KS_enc/KS_mac and SSC 0 (9303-11 §6.2.3, §9.8)
 *   check: SELECT EF.DG14 00 A4 02 0C 02 01 0E under the new keys → 9000
 *
 * A chip without SK_IC (a clone carrying copied, correctly signed data)
 * cannot compute K: its answer to the check fails the MAC, or it answers
 * an SM error (6987/6988). The check is a SELECT of EF.DG14 (present:
 * CA needs it) without response data: the MAC over DO'99' alone proves
 * the keys, it moves no personal data, and it is the command the public
 * transcripts of real passports use (gmrtd, see tests/unit/check_ca.c),
 * so the whole exchange is checked byte for byte against real chips.
 *
 * Choice of the key (nid_ca_select), from the SecurityInfos of DG14
 * (ICAO 9303-11 §9.2, TR-03110-3 §A.1.1.2):
 *  - ChipAuthenticationInfo entries of version 1 with a known OID; each
 *    pairs with the ChipAuthenticationPublicKeyInfo of the same key
 *    agreement (id-PK-DH / id-PK-ECDH) and the same keyId (any keyId
 *    when the info has none). A ChipAuthenticationDomainParameterInfo
 *    for that keyId must name the same key agreement, else the pair is
 *    skipped. Several usable pairs: ECDH before DH, then the stronger
 *    cipher (AES-256 … 3DES). key_id ≥ 0 restricts the choice to it.
 *  - No ChipAuthenticationInfo at all but a public key: documents of
 *    EAC 1.x (BSI TR-03110 version 1.11), where the info was optional
 *    and 3DES the only cipher: id-CA-<ka>-3DES-CBC-CBC with MSE:Set KAT
 *    (as JMRTD and gmrtd do; the French passport recorded in
 *    tests/unit/check_ca.c has no info).
 *  - DO'84' (reference of the private key, minimal unsigned big-endian)
 *    is sent whenever DG14 gives the chosen key a keyId.
 * The key's domain parameters come with it (named or explicit, or
 * TR-03110 standardizedDomainParameters), read by nid_secinfo_pubkey and
 * nid_pace_dp_from_pkey; PK_IC is validated (on the curve, 1 < y < p-1
 * and y^q = 1) before any APDU is sent.
 *
 * Outcomes (struct nid_chip_result, chipauth.h) — data, not errors:
 *  PASS    the chip answered 9000 under the new keys;
 *  FAIL    the answer under the new keys failed the MAC or the SM format
 *          (NID_E_SM_MAC / NID_E_SM_FORMAT), or was an SM error or any
 *          status word but 9000; or the chip refused the MSE / GENERAL
 *          AUTHENTICATE that its DG14 announces: "clone suspected";
 *  UNKNOWN DG14 offers no Chip Authentication we can run (reason says
 *          why: none, version 2/3 only, the keyId asked for is absent,
 *          unsupported or invalid key); no APDU was sent.
 * Errors (returned, result UNKNOWN with the cause in reason): bad
 * arguments; transport errors (card removed, timeout) at any step; an SM
 * failure before the switch (the old session broke); out of memory.
 *
 * Secrets: the ephemeral private key, K and the session keys live in
 * nid_buf / struct nid_pace_keys and are cleansed before return; the new
 * keys pass into the SM transport, which cleanses them when it closes.
 */
#ifndef NID_CA_H
#define NID_CA_H

#include <stddef.h>
#include <stdint.h>

#include "card.h"
#include "chipauth.h"
#include "kdf.h"
#include "nid_internal.h"
#include "oid.h"
#include "pace.h"
#include "secinfo.h"
#include "sm.h"

/* EF.DG14: file identifier and short EF identifier (ICAO 9303-10). */
#define NID_CA_DG14_FID 0x010Eu
#define NID_CA_DG14_SFI 14u
/* Largest keyId we send in DO'84' (fits 4 bytes, DER-small in DG14). */
#define NID_CA_KEY_ID_MAX 0x7fffffffL

/* What nid_ca_select chose; the pointers point into the DG14 set. */
struct nid_ca_choice {
	const struct nid_secinfo *info;   /* ChipAuthenticationInfo; NULL
	                                     when inferred */
	const struct nid_secinfo *pk;     /* ChipAuthenticationPublicKeyInfo */
	const struct nid_oid_info *proto; /* id-CA-<ka>-<cipher> */
	enum nid_oid_ka ka;
	enum nid_kdf_alg alg;             /* the SM cipher after CA */
	long key_id;                      /* DO'84' when ≥ 0 */
	int inferred;                     /* no info: EAC 1.x 3DES default */
};

/*
 * Choose the key and protocol (rules above). key_id < 0: any. On success
 * *out is filled; otherwise NID_E_UNSUPPORTED_CARD (nothing usable: no
 * CA, only version 2/3, no public key for the info) or NID_E_INVALID_ARG
 * (the keyId asked for is not in DG14), with why (may be NULL) set to a
 * sentence for the result's reason.
 */
int nid_ca_select(const nid_secinfos *dg14, long key_id,
    struct nid_ca_choice *out, char *why, size_t why_size) NID_WUR;

/*
 * Command data (TR-03110-3 Appendix B, MSE:Set KAT / MSE:Set AT for
 * Chip Authentication; ICAO 9303-11 §6.2):
 * MSE:Set KAT: 91 PK_IFD [84 keyId]; MSE:Set AT: 80 OID [84 keyId];
 * key_id < 0: no 84. Appended to out.
 */
int nid_ca_kat_data(const uint8_t *pk, size_t pk_len, long key_id,
    nid_buf *out) NID_WUR;
int nid_ca_at_data(const uint8_t *oid_der, size_t oid_len, long key_id,
    nid_buf *out) NID_WUR;
/* DO'84' value: keyId as a minimal unsigned big-endian integer (1..4
 * bytes). parse: the chip side; leading zero bytes are refused. */
int nid_ca_key_ref(long key_id, uint8_t out[4], size_t *len) NID_WUR;
int nid_ca_key_ref_parse(const uint8_t *p, size_t len, long *key_id) NID_WUR;

/*
 * A new SM session with the CA session keys and SSC 0 (8 zero bytes for
 * 3DES, 16 for AES; ICAO 9303-11 §9.8.6.1, §9.8.6.2).
 */
int nid_ca_sm_new(const struct nid_pace_keys *keys, nid_sm_t **out) NID_WUR;

/*
 * "ECDH brainpoolP256r1, AES-128", "ECDH P-256, 3DES", "DH 2048, AES-128"
 * for the chip key pk and the cipher alg, into buf.
 */
void nid_ca_algorithm_str(const EVP_PKEY *pk, enum nid_kdf_alg alg,
    char *buf, size_t size);

/* Options of the driver; NULL: the defaults. */
struct nid_ca_opts {
	/* The terminal's ephemeral private key (big-endian, in [1, n-1]),
	 * for tests replaying a published transcript; NULL: random. */
	const uint8_t *sk;
	size_t sk_len;
};

/*
 * Run Chip Authentication on sc, a card handle over the SM transport smt
 * (the session of BAC or PACE, with the eMRTD application selected),
 * with the SecurityInfos of DG14 (nid_secinfos_parse_dg14), for the key
 * key_id (-1: choose). *out is cleared on entry and always filled:
 * mechanism "CA", key_dg 14, key_id, algorithm, result, reason, apdus
 * (commands through smt), ms. Return: NID_OK whenever the outcome is
 * known (PASS, FAIL, UNKNOWN); an error otherwise (see the top).
 * After PASS the session continues under the new keys; after FAIL it is
 * broken (the SM transport refuses further commands) or ended by the
 * chip.
 */
int nid_ca_run(nid_card_t *sc, nid_transport_t *smt, const nid_secinfos *dg14,
    long key_id, struct nid_chip_result *out) NID_WUR;
/* The same with options (tests). */
int nid_ca_run_opts(nid_card_t *sc, nid_transport_t *smt,
    const nid_secinfos *dg14, long key_id, const struct nid_ca_opts *opts,
    struct nid_chip_result *out) NID_WUR;

#endif /* NID_CA_H */
