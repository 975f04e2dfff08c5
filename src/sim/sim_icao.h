/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_icao.h — the eMRTD application of nidcard-sim (ICAO 9303-10 §3,
 * 9303-11 §4.3 BAC, §4.4 PACE generic mapping, §9.8 secure messaging),
 * the chip side built from the library's step functions (bac.h, pace.h,
 * sm.h), and `nidcard-sim issue` (a person record → a card image).
 *
 * The image's "icao" section (docs/card-image.md) turns it on: the loader
 * (sim_image.c) calls nid_sim_icao_load(), which checks the section and
 * the file tree, installs the handlers (GENERAL AUTHENTICATE, MSE:Set AT,
 * EXTERNAL AUTHENTICATE, and a guard on every other INS that ends a
 * session when a plain command arrives) and the SM hook.
 */
#ifndef NID_SIM_ICAO_H
#define NID_SIM_ICAO_H

#include <stdio.h>

#include <jansson.h>

#include "sim.h"

/* The LDS1 eMRTD application (ICAO 9303-10 §3.6.2). */
#define NID_SIM_ICAO_AID "A0000002471001"

/* Card-side session status (tests). */
struct nid_sim_icao_status {
	int session;          /* secure messaging keys are up */
	int protocol;         /* 1 BAC, 2 PACE, 0 none */
	unsigned long sm_rsp; /* protected responses sent in this session */
	unsigned long dropped;/* sessions ended by a bad command */
	int chip_auth;        /* the session keys come from Chip Authentication */
	unsigned long ca_count;/* CA key agreements since load (sim_ca.c) */
};

/* Load the "icao" object of card.json (errors: NID_E_MALFORMED, detail
 * "card.json: icao.…: …"). */
int nid_sim_icao_load(nid_ctx_t *ctx, nid_sim_card *card, json_t *obj) NID_WUR;
void nid_sim_icao_free(nid_sim_card *card);
/* `nidcard-sim check`: the eMRTD lines (nothing without the application;
 * the CAN and MRZ are not printed). */
void nid_sim_icao_summary(const nid_sim_card *card, FILE *fp);
/* NULL-safe: zeroes *st when the card has no eMRTD application. */
void nid_sim_icao_status(const nid_sim_card *card,
    struct nid_sim_icao_status *st);
/*
 * Fault switches of the eMRTD application (also "icao.faults" in the
 * image): "sm_bad_mac=N" corrupts the MAC of the Nth protected response
 * of a session, "sm_no_do99" leaves DO'99' out of protected responses.
 * NID_E_INVALID_ARG for an unknown name or bad value; NID_E_UNSUPPORTED
 * when the card has no eMRTD application.
 */
int nid_sim_icao_set_fault(nid_ctx_t *ctx, nid_sim_card *card,
    const char *spec) NID_WUR;

/* ---- nidcard-sim issue (sim_issue.c) ---------------------------------- */

enum nid_sim_access {
	NID_SIM_ACCESS_BAC = 1,
	NID_SIM_ACCESS_PACE = 2
};

struct nid_sim_issue_opts {
	const char *person;    /* the person record (JSON) */
	const char *out_dir;   /* created if missing; files overwritten */
	unsigned access;       /* NID_SIM_ACCESS_* bits */
	long param_id;         /* PACE standardized domain parameters */
	const char *can;       /* NULL: no CAN on the card */
	const char *face;      /* JPEG / JPEG 2000 file; NULL: synthetic */
	const char *ds_key;    /* PEM pair to sign EF.SOD; NULL: no EF.SOD */
	const char *ds_cert;
	/* EF.SOD parameters (0: SHA-256, PKCS#1 / ECDSA, LDS v0) */
	int md_nid;
	int sig;               /* enum nid_sod_sig */
	long lds_version;
	unsigned faults;       /* NID_SIM_ISSUE_FAULT_* bits */
	/* Chip Authentication (ICAO 9303-11 §6.2): the chip's static key
	 * (NID_SIM_CA_NONE: no DG14 from ca) and the SM cipher after it. */
	unsigned ca;           /* enum nid_sim_ca_kind */
	int ca_aes;            /* 1: id-CA-*-AES-CBC-CMAC-128, 0: 3DES */
	/* Active Authentication (ICAO 9303-11 §6.1): DG15 and the chip's key
	 * pair (NID_SIM_AA_NONE: neither); the hash the chip signs with, 0:
	 * SHA-1 for RSA (trailer BC), SHA-256 for ECDSA. */
	unsigned aa;           /* enum nid_sim_aa_kind */
	int aa_md_nid;
};

enum nid_sim_aa_kind {
	NID_SIM_AA_NONE = 0,
	NID_SIM_AA_RSA1024,
	NID_SIM_AA_RSA2048,
	NID_SIM_AA_ECDSA_P256
};

enum nid_sim_ca_kind {
	NID_SIM_CA_NONE = 0,
	NID_SIM_CA_ECDH_P256,     /* NIST P-256 */
	NID_SIM_CA_ECDH_BP256,    /* brainpoolP256r1 */
	NID_SIM_CA_DH2048         /* RFC 5114 2048-bit group, 256-bit q */
};

/* Issue-time faults for passive authentication tests (sim_pki.h). */
#define NID_SIM_ISSUE_FAULT_DG_CHANGED 0x01u  /* DG11 changed after signing */
#define NID_SIM_ISSUE_FAULT_BAD_SIG 0x02u     /* EF.SOD signature flipped */
/* hostile (sim_hostile.h): EF.SOD with 10 000 DG hashes; a 1 MB DS cert */
#define NID_SIM_ISSUE_FAULT_SOD_HASHES 0x04u
#define NID_SIM_ISSUE_FAULT_DS_CERT_1MB 0x08u
/* ca/aa: the image carries "icao"."faults"."clone" (sim_ca.h, sim_aa.h) */
#define NID_SIM_ISSUE_FAULT_CLONE 0x10u
/* aa: DG15 replaced by another key after EF.SOD was signed; the chip
 * holds that other key (AA passes, data.hashes fails) */
#define NID_SIM_ISSUE_FAULT_DG15_SWAPPED 0x20u

/* Write the image; NID_E_INVALID_ARG / NID_E_MALFORMED / NID_E_IO with a
 * detail in ctx. */
int nid_sim_issue(nid_ctx_t *ctx, const struct nid_sim_issue_opts *o) NID_WUR;
/* `nidcard-sim issue …` (argv[0] is "issue"); returns the exit status. */
int nid_sim_issue_main(int argc, char **argv);

#endif /* NID_SIM_ICAO_H */
