/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_ca.h — Chip Authentication version 1 on the virtual card (ICAO
 * 9303-11 §6.2; TR-03110-3 Appendix B for the APDUs), chip side, in the
 * eMRTD application of sim_icao.c, which calls in here from its MSE and
 * GENERAL AUTHENTICATE handlers and from its SM hook:
 *
 *   MSE:Set KAT  00 22 41 A6  91 PK_IFD [84 keyId]   (3DES keys only)
 *        → 9000; K = KA(SK_IC, PK_IFD), KS_enc/KS_mac for the key's OID
 *   MSE:Set AT   00 22 41 A4  80 OID [84 keyId]      → 9000
 *   GENERAL AUTHENTICATE 00 86 00 00 7C{80 PK_IFD}   → 7C 00 9000; K …
 *
 * Both are accepted under secure messaging only (6982 in plain; a plain
 * command in a session ends it anyway, sim_icao.c). The answer goes out
 * under the session's keys; then sim_icao.c restarts the session with the
 * new keys and SSC 0 (nid_sim_ca_take). Refusals: no key with that OID /
 * keyId, KAT for an AES key, an ambiguous key without 84 → 6A88; a
 * malformed data field, a PK_IFD not on the curve / out of range → 6A80;
 * Le given to MSE → 6700; GENERAL AUTHENTICATE chained → 6884 (the
 * guard), P1-P2 not 00 00 → 6A86. A refused or malformed command leaves
 * the session as it is.
 *
 * The keys: "icao"."ca" of card.json, 1..4 { "oid": id-CA-<ka>-<cipher>,
 * "key_id": n (optional), "key": PEM private key file inside the image
 * (EC on a prime curve, or DH/X9.42) }. At load each must match DG14
 * (EF 010E of the application): a ChipAuthenticationInfo with the OID,
 * version 1 and the keyId (none for an EAC 1.x 3DES DG14 without infos),
 * and a ChipAuthenticationPublicKeyInfo with the keyId whose public key
 * is the PEM key's.
 *
 * Fault "clone" (nid_sim_ca_clone): every private key is replaced with a
 * fresh one on the same domain parameters; DG14 and EF.SOD stay as they
 * are, and the chip computes other session keys than the terminal.
 */
#ifndef NID_SIM_CA_H
#define NID_SIM_CA_H

#include <stdio.h>

#include <jansson.h>

#include "sim.h"
#include "pace.h"

#define NID_SIM_CA_KEYS_MAX 4u

struct nid_sim_ca;

/*
 * Load "icao"."ca" (an array) once the image's files are loaded; errors
 * NID_E_MALFORMED / NID_E_IO with "card.json: icao.ca[i]…" in the detail.
 */
int nid_sim_ca_load(nid_ctx_t *ctx, nid_sim_card *card, json_t *arr,
    struct nid_sim_ca **out) NID_WUR;
void nid_sim_ca_free(struct nid_sim_ca **cap);

/*
 * Handlers, called by sim_icao.c for INS 22 and 86 (NULL-safe). They
 * return NID_SIM_DECLINE for commands that are not Chip Authentication
 * (P1-P2 other than 41 A6 / 41 A4; GENERAL AUTHENTICATE without a CA
 * MSE:Set AT before it), else NID_OK with rsp set (or an internal error).
 */
int nid_sim_ca_mse(struct nid_sim_ca *ca, nid_sim_card *card,
    const nid_sim_cmd *cmd, nid_sim_rsp *rsp) NID_WUR;
int nid_sim_ca_ga(struct nid_sim_ca *ca, nid_sim_card *card,
    const nid_sim_cmd *cmd, nid_sim_rsp *rsp) NID_WUR;
/*
 * After the answer went out under the old keys: 1 and the new session
 * keys in *keys when the last command completed Chip Authentication
 * (the pending keys are cleansed here), else 0. NULL-safe.
 */
int nid_sim_ca_take(struct nid_sim_ca *ca, struct nid_pace_keys *keys);
/* The session ended (reset, keys dropped): forget what is in progress. */
void nid_sim_ca_reset(struct nid_sim_ca *ca);

/* Fault "clone": fresh private keys. NULL: NID_OK. */
int nid_sim_ca_clone(struct nid_sim_ca *ca) NID_WUR;
/* `nidcard-sim check`: one line per key (nothing for NULL). */
void nid_sim_ca_summary(const struct nid_sim_ca *ca, FILE *fp);
/* Key agreements completed since load (tests). */
unsigned long nid_sim_ca_count(const struct nid_sim_ca *ca);

#endif /* NID_SIM_CA_H */
