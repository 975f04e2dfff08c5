/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * pa.h — offline passive authentication (ICAO 9303-11 §5.1, 9303-12):
 * data groups → EF.SOD → DS certificate → CSCA, each a separate trust level
 * with pass / fail / unknown and a reason (module: trust).
 *
 * Trust levels (struct nid_check id):
 *   data.hashes            every given DG hashes to the SOD's value with the
 *                          SOD's algorithm; a DG given but not listed
 *                          (injection) or a mismatch fails; no DG given:
 *                          unknown. A hash match alone never makes the
 *                          document valid.
 *   sod.signature          SignedData, eContentType, contentType and
 *                          messageDigest attributes, SignerInfo signature
 *                          under the embedded DS certificate.
 *   ds.chain               the DS certificate is signed by a CSCA of the
 *                          trust store (candidates by issuer name and AKI;
 *                          all tried); no candidate: unknown.
 *   ds.validity            validity policy: the DS and the CSCA must be
 *                          valid at T_check = the SOD's signingTime when
 *                          present (and not after T_ref), else T_ref
 *                          (--at, or now).
 *   ds.revocation          the DS serial against the CRLs of its CSCA
 *                          (CRL signature verified with the CSCA key),
 *                          fresh when thisUpdate <= T_ref <= nextUpdate.
 *                          No usable CRL: unknown.
 *   cardsecurity.signature (only when an EF.CardSecurity is given next to
 *                          the EF.SOD) its signature and its DS chain.
 *
 * Verdict: fail if any level fails; else warn if a required level is
 * unknown; else pass. ds.revocation is required only with a CRL policy
 * (soft: unknown warns; hard: unknown fails); the others always are. So
 * "no CRL given" alone never changes the verdict, a revoked DS always does.
 */
#ifndef NID_PA_H
#define NID_PA_H

#include <time.h>

#include "sod.h"
#include "trust.h"

#define NID_PA_MAX_INPUT_DGS 32u
#define NID_PA_MAX_CHECKS 6u

enum nid_pa_crl_policy {
	NID_PA_CRL_NONE = 0,   /* revocation reported, not required */
	NID_PA_CRL_SOFT,       /* required: unknown → warn */
	NID_PA_CRL_HARD        /* required: unknown → fail */
};

enum nid_pa_verdict {
	NID_PA_PASS = 0,
	NID_PA_WARN,
	NID_PA_FAIL
};

enum nid_pa_dg_status {
	NID_PA_DG_MATCH = 0,   /* given, hash matches */
	NID_PA_DG_MISMATCH,    /* given, hash differs */
	NID_PA_DG_NOT_GIVEN,   /* listed in the SOD, not given */
	NID_PA_DG_NOT_LISTED   /* given, not listed in the SOD: injection */
};

struct nid_pa_dg_input {
	unsigned n;            /* 1..16 (others are reported NOT_LISTED) */
	const uint8_t *p;      /* the whole DG, tag included */
	size_t len;
};

struct nid_pa_opts {
	time_t t_ref;          /* reference time ("now" or --at) */
	int crl_policy;        /* enum nid_pa_crl_policy */
};

struct nid_pa_dg_result {
	unsigned n;
	int status;            /* enum nid_pa_dg_status */
	uint8_t hash[NID_SOD_MAX_HASH];  /* as listed in the SOD, or as
	                                    computed when not listed */
	size_t hash_len;
};

struct nid_pa_report {
	struct nid_check checks[NID_PA_MAX_CHECKS];
	size_t nchecks;
	int verdict;                     /* enum nid_pa_verdict */

	X509 *ds;                        /* owned reference, or NULL */
	const struct nid_trust_anchor *csca;  /* borrowed from the store */
	size_t csca_others;              /* further anchors that verify the
	                                    DS (link certs, re-issues) */
	size_t csca_candidates;
	time_t t_ref, t_check;
	int t_check_signing_time;        /* T_check is the signingTime */
	int ds_valid, csca_valid;        /* at T_check */

	struct nid_pa_dg_result dgs[NID_SOD_MAX_DGS + NID_PA_MAX_INPUT_DGS];
	size_t ndgs;
};

/*
 * Run every level on a parsed EF.SOD (or EF.CardSecurity alone), the
 * given data groups, and optionally an EF.CardSecurity (cardsec, may be
 * NULL). The report is filled on NID_OK (release it with
 * nid_pa_report_clear); errors only when the checks could not run.
 */
int nid_pa_verify(nid_ctx_t *ctx, const nid_sod_t *sod, const nid_trust_t *t,
    const struct nid_pa_dg_input *dgs, size_t ndgs, const nid_sod_t *cardsec,
    const struct nid_pa_opts *opts, struct nid_pa_report *out) NID_WUR;
void nid_pa_report_clear(struct nid_pa_report *r);

/* The check with this id in the report, or NULL. */
const struct nid_check *nid_pa_check(const struct nid_pa_report *r,
    const char *id);
/*
 * The verdict rule, for any list of checks: fail when one fails; warn
 * when none fails but a required one is unknown or skipped; pass
 * otherwise.
 */
int nid_pa_verdict_of(const struct nid_check *c, size_t n);
const char *nid_pa_verdict_str(int verdict);      /* "pass", "warn", "fail" */
const char *nid_pa_dg_status_str(int status);     /* "match", ... */

#endif /* NID_PA_H */
