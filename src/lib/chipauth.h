/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * chipauth.h — is the chip the one the state made? Passive authentication
 * proves the data was signed; signed data copies byte for byte onto a
 * blank chip. Only a private key that never leaves the chip tells them
 * apart:
 *   - Chip Authentication v1 (ICAO 9303-11 §6.2, BSI TR-03110-1 §3.4):
 *     static DH/ECDH key in DG14, key agreement, secure messaging
 *     restarted with new keys; a chip without the private key cannot
 *     answer under them (ca.h);
 *   - Active Authentication (ICAO 9303-11 §6.1): key in DG15, INTERNAL
 *     AUTHENTICATE over a random challenge, RSA with ISO/IEC 9796-2
 *     scheme 1 or ECDSA (BSI TR-03111 plain format) (aa.h).
 *
 * Outcomes are data (struct nid_chip_result), never error codes: a chip
 * that fails to prove possession is a result ("fail: clone suspected"),
 * a dead reader is an error.
 *
 * The result says what the chip proved with the key of DG14 or DG15; it
 * is only worth something when that DG is itself covered by passive
 * authentication (its hash matches the signed EF.SOD). Combining the two
 * is the caller's job (the chip.authenticity check of `nidcard status`).
 */
#ifndef NID_CHIPAUTH_H
#define NID_CHIPAUTH_H

#include "nid_internal.h"
#include "card.h"
#include "sod.h"   /* nid_check_result, NID_CHECK_REASON_MAX */

enum nid_chip_mode {
	NID_CHIP_AUTO = 0,   /* CA when DG14 offers it, else AA when DG15 */
	NID_CHIP_CA,         /* CA only */
	NID_CHIP_AA,         /* AA only */
	NID_CHIP_SKIP        /* neither: reported as skipped */
};

struct nid_chip_result {
	char mechanism[12];   /* "CA", "AA", "" when none was run */
	char algorithm[64];   /* "ECDH P-256, AES-128", "RSA-2048, ISO/IEC
	                         9796-2 scheme 1, SHA-1", "ECDSA P-256,
	                         SHA-256", ... */
	/*
	 * PASS: the chip proved possession of the private key of key_dg.
	 * FAIL: it could not (wrong signature, wrong MAC under the new
	 *       keys, refusal of a mechanism its DGs announce): clone
	 *       suspected.
	 * UNKNOWN: the document offers neither mechanism, or the one asked
	 *       for is absent, or skipped (then skipped is 1).
	 */
	nid_check_result result;
	int skipped;          /* the caller asked to skip it */
	int key_dg;           /* 14 (CA) or 15 (AA): whose key; 0 none */
	long key_id;          /* CA keyId when DG14 gives one, else -1 */
	char reason[NID_CHECK_REASON_MAX];
	unsigned long apdus;  /* APDUs the mechanism cost */
	unsigned long ms;     /* milliseconds it cost */
};

/*
 * The policy, run as the emrtd session hook (emrtd.h session_fn, arg a
 * struct nid_chip_session) once every file is read, still under secure
 * messaging: with NID_CHIP_AUTO, Chip Authentication when DG14 offers it
 * (ICAO 9303-11 §6.2 prefers it: it also renews the session keys), else
 * Active Authentication when DG15 is present. It runs last so that a
 * chip failing it (a clone's session breaks at the first answer under the
 * new keys) has still given every file for the report. PACE-CAM, which
 * would count as chip authentication, is not performed by this library.
 * Only transport errors are returned; outcomes go to session->result.
 */
struct nid_emrtd_result;
struct nid_chip_session {
	enum nid_chip_mode mode;
	struct nid_chip_result result;
};
int nid_chip_session_fn(nid_card_t *sc, nid_transport_t *smt,
    struct nid_emrtd_result *res, void *arg) NID_WUR;

#endif /* NID_CHIPAUTH_H */
