/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_pki.h — `nidcard-sim pki init DIR`: a throw-away test PKI for
 * passive authentication (ICAO 9303-12 §5, §7.1: CSCA, Document Signers,
 * CRL, link certificate) as PEM files; `issue --pki DIR` signs with it.
 * The files are listed in docs/card-image.md, "Test PKI".
 */
#ifndef NID_SIM_PKI_H
#define NID_SIM_PKI_H

#include "nid_internal.h"

#define NID_SIM_PKI_FORMAT "nidcard.test-pki/1"

/*
 * Read DIR/pki.json: the DG hash (NID_sha256/384/512) and the EF.SOD
 * signature scheme (enum nid_sod_sig) that fit the PKI's DS keys.
 */
int nid_sim_pki_params(nid_ctx_t *ctx, const char *dir, int *md_nid,
    int *sig) NID_WUR;
/* `nidcard-sim pki …` (argv[0] is "pki"); returns the exit status. */
int nid_sim_pki_main(int argc, char **argv);

#endif /* NID_SIM_PKI_H */
