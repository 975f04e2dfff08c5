/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_hostile.h — the hostile virtual card: the misbehaviours behind the
 * fault switches that the engine (sim_engine.c), the eMRTD application
 * (sim_icao.c) and `nidcard-sim issue` (sim_issue.c) call into. What each
 * fault does is documented in docs/card-image.md ("faults"), and every
 * one is exercised by tests/unit/check_hostile.c (in-process) and
 * tests/system/hostile.sh (nidcard through pcscd).
 */
#ifndef NID_SIM_HOSTILE_H
#define NID_SIM_HOSTILE_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "sim.h"
#include "sod.h"

/* tlv-past-end / tlv-overrun: how far the length reaches past the end. */
#define NID_SIM_HOSTILE_OVERRUN 200u
/* deep-tlv: nesting depth. */
#define NID_SIM_HOSTILE_DEPTH 1000u
/* huge-length: the length announced (16 MiB). */
#define NID_SIM_HOSTILE_HUGE (16u * 1024u * 1024u)

/*
 * The APDU-level faults (wrong-sw, loop-61xx, bad-6cxx, short-answer):
 * when one applies to the card's current APDU (card->apdus), its answer
 * (data ‖ SW, or the one byte) goes into out, unprocessed, and NID_OK is
 * returned; NID_SIM_DECLINE when none applies.
 */
int nid_sim_hostile_answer(nid_sim_card *card, const uint8_t *cmd,
    size_t cmd_len, nid_buf *out) NID_WUR;

/*
 * The file-content faults (huge-length, tlv-past-end, tlv-overrun,
 * deep-tlv): rewrite the EFs they name, once (card->faults.files_done).
 * EFs that do not start with a BER-TLV are left as they are.
 */
int nid_sim_hostile_files(nid_sim_card *card) NID_WUR;

/*
 * A protected response (ICAO 9303-11 §9.8.6) whose DO'87' (DO'85' when
 * odd_ins) plaintext is padded 81 00.. instead of ISO/IEC 9797-1 method 2
 * (80 00..), with DO'99' and a MAC that verifies under the session keys
 * and ssc (the SSC of this response): data ‖ SW into out (reset first).
 * aes: AES-CBC with IV = E(KS_enc, SSC) and AES-CMAC, else 3DES-CBC with
 * IV 0 and the retail MAC. data_len must be > 0.
 */
int nid_sim_hostile_sm_badpad(int aes, const uint8_t *ks_enc,
    const uint8_t *ks_mac, size_t key_len, const uint8_t *ssc, size_t ssc_len,
    int odd_ins, const uint8_t *data, size_t data_len, uint16_t sw,
    nid_buf *out) NID_WUR;

/* ---- issue-time faults ------------------------------------------------- */

/* sod-10000-hashes: DataGroupHash entries in the LDSSecurityObject. */
#define NID_SIM_HOSTILE_SOD_HASHES 10000u
/* ds-cert-1mb: bytes of the padding extension of the DS certificate. */
#define NID_SIM_HOSTILE_CERT_PAD 1000000u

/*
 * EF.SOD ('77' ‖ CMS SignedData, ICAO 9303-10 §4.6.2) over an
 * LDSSecurityObject with nhashes DataGroupHash entries: the real hashes
 * of dgs first, then fillers (DG numbers 1..16 in turn, hashes of
 * nothing in particular), signed like nid_sod_sign() does. Appended to
 * out (its cap must allow ~40 bytes per hash).
 */
int nid_sim_hostile_sod_hashes(nid_ctx_t *ctx,
    const struct nid_sod_sign_dg *dgs, size_t ndgs, size_t nhashes,
    X509 *ds_cert, EVP_PKEY *ds_key, const struct nid_sod_sign_params *sp,
    nid_buf *out) NID_WUR;

/*
 * A copy of cert grown by a non-critical Netscape comment extension of
 * pad bytes, re-signed with key (so it no longer chains to its issuer:
 * only its size is the point).
 */
int nid_sim_hostile_fat_cert(nid_ctx_t *ctx, X509 *cert, EVP_PKEY *key,
    size_t pad, X509 **out) NID_WUR;

#endif /* NID_SIM_HOSTILE_H */
