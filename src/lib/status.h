/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * status.h — the delivery-desk verdict: one card, one answer, separate
 * trust levels. `nidcard status` prints it; the benchmark times it.
 *
 *   probe (probe.h) → access (PACE, else BAC; emrtd.h) →
 *   read EF.COM, EF.SOD, DGs →
 *   chip authenticity (CA, else AA; chipauth.h), still in the session →
 *   passive authentication (pa.h) → document expiry (DG1) →
 *   manifest (manifest.h) → verdict
 *
 * Checks, in this order (struct nid_check id):
 *   data.hashes, sod.signature, ds.chain, ds.validity, ds.revocation
 *       from passive authentication (pa.h);
 *   chip.authenticity  pass: the chip proved possession of the key of
 *       DG14 (CA) or DG15 (AA), and that DG's hash matches the signed
 *       EF.SOD; fail: it could not (clone suspected); unknown: neither
 *       offered, or the key is not covered by a valid EF.SOD; skipped:
 *       the caller said so;
 *   document.expiry  DG1's date of expiry against the reference date
 *       (valid through that day); unknown without a readable DG1;
 *   manifest.match   manifest.h; skipped without a manifest.
 * Verdict: nid_pa_verdict_of (pa.h): fail if one fails; warn if none
 * fails but a required one is unknown or skipped; pass otherwise.
 * manifest.match is required when a manifest is given; ds.revocation as
 * the CRL policy says (the CLI makes it required, soft, by default).
 *
 * Outcomes are data. Errors (nid_rc) are only what stopped the run:
 * access denied, card removed, no eMRTD application, transport failure;
 * then report->read says how far it got.
 */
#ifndef NID_STATUS_H
#define NID_STATUS_H

#include <time.h>

#include "chipauth.h"
#include "emrtd.h"
#include "lds.h"
#include "manifest.h"
#include "pa.h"
#include "probe.h"

#define NID_STATUS_CHECKS_MAX 10u

struct nid_status_opts {
	/* access, reading plan; session_fn is the engine's; probe NULL: the
	 * engine probes the card first (probe.h, NID_PROBE_SESSION) */
	struct nid_emrtd_opts read;
	enum nid_chip_mode chip;
	const nid_trust_t *trust;     /* NULL: ds.chain unknown */
	struct nid_pa_opts pa;        /* t_ref: the reference date too */
	const nid_manifest_t *manifest;  /* NULL: manifest.match skipped */
};

struct nid_status_report {
	struct nid_emrtd_result read; /* transcript and the files read */
	struct nid_chip_result chip;  /* what the chip proved (raw) */
	struct nid_pa_report pa;
	nid_sod_t *sod;               /* NULL when EF.SOD is absent/unparsable */
	struct nid_lds_dg1 dg1;       /* borrows read's DG1 bytes */
	int have_dg1;
	char expiry[11];              /* YYYY-MM-DD, "" unknown */
	struct nid_check checks[NID_STATUS_CHECKS_MAX];
	size_t nchecks;
	int verdict;                  /* enum nid_pa_verdict */
	unsigned long ms_chip, ms_verify, ms_total;
};

/*
 * Run the whole status on card (the raw transport; the engine puts its
 * own secure messaging on top). report is cleared on entry; clear it with
 * nid_status_report_clear() in every case.
 */
int nid_status_run(nid_card_t *card, const struct nid_emrtd_creds *creds,
    const struct nid_status_opts *opts, struct nid_status_report *report)
    NID_WUR;
void nid_status_report_clear(struct nid_status_report *r);

/* The check with this id, or NULL. */
const struct nid_check *nid_status_check(const struct nid_status_report *r,
    const char *id);
/* The file read with this name ("DG2", "EF.SOD"), state READ, or NULL. */
const struct nid_emrtd_file *nid_status_file(const struct nid_status_report *r,
    const char *name);

#endif /* NID_STATUS_H */
