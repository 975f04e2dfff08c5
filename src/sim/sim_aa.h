/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_aa.h — Active Authentication on the virtual card (ICAO 9303-11
 * §6.1), chip side: INTERNAL AUTHENTICATE (00 88 00 00, 8-byte RND.IFD)
 * under secure messaging in the eMRTD application, signed with the
 * private key the image stores (docs/card-image.md, "icao"."aa"):
 *
 *   RSA:   ISO/IEC 9796-2 digital signature scheme 1, partial recovery:
 *          J = 6A ‖ M1 (random) ‖ hash(M1 ‖ RND.IFD) ‖ BC  (SHA-1)
 *                                                 ‖ hh CC (SHA-2: 38,
 *          34, 36, 35 — ISO/IEC 10118-3), Σ = J^d mod n
 *   ECDSA: BSI TR-03111 §5.2.1 plain r ‖ s over RND.IFD
 *
 * Answers: 9000 and the signature; 6982 without secure messaging; 6A86
 * for P1-P2 other than 00 00; 6700 for a challenge that is not 8 bytes or
 * an Le below the signature's length.
 *
 * The fault "clone" (sim_icao.c routes it here): the private key is
 * replaced with a fresh one of the same type and size, so the image's
 * files (DG15, EF.SOD) stay byte-exact but the chip can no longer prove
 * possession of the DG15 key.
 */
#ifndef NID_SIM_AA_H
#define NID_SIM_AA_H

#include <stdio.h>

#include <jansson.h>

#include "sim.h"

struct nid_sim_aa;

/*
 * Load the "aa" object of the image's "icao" section: { "key": PATH
 * (PEM private key, RSA or EC, relative to the image), "hash": "sha1" |
 * "sha224" | "sha256" | "sha384" | "sha512" (optional: sha1 for RSA,
 * sha256 for EC) } and install the INTERNAL AUTHENTICATE handler (after
 * the eMRTD application's guard). NID_E_MALFORMED / NID_E_IO with
 * "card.json: icao.aa…" in the context detail.
 */
int nid_sim_aa_load(nid_ctx_t *ctx, nid_sim_card *card, json_t *obj,
    struct nid_sim_aa **out) NID_WUR;
void nid_sim_aa_free(struct nid_sim_aa **aap);
/* Fault "clone": a fresh key of the same type and size. NULL: NID_OK. */
int nid_sim_aa_clone(struct nid_sim_aa *aa) NID_WUR;
/* `nidcard-sim check`: one line (nothing for NULL). */
void nid_sim_aa_summary(const struct nid_sim_aa *aa, FILE *fp);
/* Signatures made since load (tests). */
unsigned long nid_sim_aa_count(const struct nid_sim_aa *aa);

#endif /* NID_SIM_AA_H */
