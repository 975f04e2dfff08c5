/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * status.c — the delivery-desk verdict (status.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "status.h"

static unsigned long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000ul +
	    (unsigned long)ts.tv_nsec / 1000000ul;
}

const struct nid_emrtd_file *
nid_status_file(const struct nid_status_report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->read.nfiles; i++)
		if (strcmp(r->read.files[i].name, name) == 0 &&
		    r->read.files[i].state == NID_EMRTD_F_READ)
			return &r->read.files[i];
	return NULL;
}

const struct nid_check *
nid_status_check(const struct nid_status_report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nchecks; i++)
		if (strcmp(r->checks[i].id, id) == 0)
			return &r->checks[i];
	return NULL;
}

static struct nid_check *
add_check(struct nid_status_report *r, const char *id, int required)
{
	struct nid_check *c = &r->checks[r->nchecks++];

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->required = required;
	return c;
}

/* The trust levels of passive authentication, or why they could not run. */
static void
pa_checks(struct nid_status_report *r, const char *no_sod)
{
	static const char *const ids[] = {
		"data.hashes", "sod.signature", "ds.chain", "ds.validity",
		"ds.revocation"
	};
	const struct nid_check *pc;
	struct nid_check *c;
	size_t i;

	for (i = 0; i < NID_NELEM(ids); i++) {
		if (no_sod == NULL && (pc = nid_pa_check(&r->pa, ids[i])) !=
		    NULL) {
			c = add_check(r, ids[i], pc->required);
			c->result = pc->result;
			(void)snprintf(c->reason, sizeof(c->reason), "%s",
			    pc->reason);
			continue;
		}
		c = add_check(r, ids[i], 1);
		if (i == 1)
			nid_check_set(c, NID_CHECK_FAIL, "%s", no_sod);
		else
			nid_check_set(c, NID_CHECK_UNKNOWN, "no valid EF.SOD "
			    "to check against");
	}
}

/* Is DG n covered by a valid EF.SOD (listed, hash matches, signed)? */
static const char *
dg_uncovered(const struct nid_status_report *r, int n)
{
	const struct nid_check *sig = nid_status_check(r, "sod.signature");
	size_t i;

	if (r->sod == NULL || sig == NULL || sig->result != NID_CHECK_PASS)
		return "EF.SOD is missing or its signature does not verify";
	for (i = 0; i < r->pa.ndgs; i++)
		if ((int)r->pa.dgs[i].n == n) {
			if (r->pa.dgs[i].status == NID_PA_DG_MATCH)
				return NULL;
			if (r->pa.dgs[i].status == NID_PA_DG_MISMATCH)
				return "its hash does not match EF.SOD";
			break;
		}
	return "EF.SOD does not list it";
}

static void
chip_check(struct nid_status_report *r)
{
	const struct nid_chip_result *cr = &r->chip;
	struct nid_check *c = add_check(r, "chip.authenticity", 1);
	const char *why;

	if (cr->skipped) {
		nid_check_set(c, NID_CHECK_SKIPPED, "%s", cr->reason);
		return;
	}
	switch (cr->result) {
	case NID_CHECK_FAIL:
		nid_check_set(c, NID_CHECK_FAIL, "%s (%s): %s", cr->mechanism,
		    cr->algorithm, cr->reason);
		return;
	case NID_CHECK_PASS:
		if ((why = dg_uncovered(r, cr->key_dg)) != NULL) {
			nid_check_set(c, NID_CHECK_UNKNOWN, "the chip proved "
			    "possession of the key of DG%d by %s, but that "
			    "key is not trusted: %s", cr->key_dg,
			    cr->mechanism, why);
			return;
		}
		nid_check_set(c, NID_CHECK_PASS, "%s (%s) with the key of "
		    "DG%d, covered by EF.SOD", cr->mechanism, cr->algorithm,
		    cr->key_dg);
		return;
	default:
		nid_check_set(c, NID_CHECK_UNKNOWN, "%s", cr->reason[0] !=
		    '\0' ? cr->reason : "not performed");
		return;
	}
}

/*
 * document.expiry: DG1's YYMMDD. ICAO 9303-3 §4.6 gives two-digit years;
 * a document in circulation expires in this century, so YY is 20YY. The
 * document is valid through its date of expiry.
 */
static void
expiry_check(struct nid_status_report *r, time_t t_ref)
{
	struct nid_check *c = add_check(r, "document.expiry", 1);
	const char *e;
	struct tm tm;
	char today[32];
	int i;

	if (!r->have_dg1) {
		nid_check_set(c, NID_CHECK_UNKNOWN, "no readable DG1 (MRZ)");
		return;
	}
	e = r->dg1.mrz.expiry;
	for (i = 0; i < 6; i++)
		if (e[i] < '0' || e[i] > '9') {
			nid_check_set(c, NID_CHECK_UNKNOWN, "DG1's date of "
			    "expiry is not a date");
			return;
		}
	(void)snprintf(r->expiry, sizeof(r->expiry), "20%.2s-%.2s-%.2s", e,
	    e + 2, e + 4);
	if (gmtime_r(&t_ref, &tm) == NULL) {
		nid_check_set(c, NID_CHECK_UNKNOWN, "no reference date");
		return;
	}
	(void)snprintf(today, sizeof(today), "%04d-%02d-%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (strcmp(today, r->expiry) > 0)
		nid_check_set(c, NID_CHECK_FAIL, "expired on %s", r->expiry);
	else
		nid_check_set(c, NID_CHECK_PASS, "valid until %s", r->expiry);
}

int
nid_status_run(nid_card_t *card, const struct nid_emrtd_creds *creds,
    const struct nid_status_opts *opts, struct nid_status_report *r)
{
	struct nid_chip_session cs;
	struct nid_emrtd_opts ro;
	struct nid_probe probe;
	struct nid_pa_dg_input dgs[NID_PA_MAX_INPUT_DGS];
	const struct nid_emrtd_file *f;
	nid_trust_t *empty = NULL;
	const nid_trust_t *trust;
	nid_ctx_t *ctx;
	struct nid_check *mc;
	unsigned long t0, t1;
	size_t i, ndgs = 0;
	char why[NID_CHECK_REASON_MAX];
	int rc;

	if (r != NULL)
		memset(r, 0, sizeof(*r));
	if (card == NULL || creds == NULL || opts == NULL || r == NULL)
		return NID_E_INVALID_ARG;
	ctx = card->t->ctx;
	t0 = now_ms();
	memset(&cs, 0, sizeof(cs));
	memset(&probe, 0, sizeof(probe));
	nid_probe_clear(&probe);
	cs.mode = opts->chip;
	ro = opts->read;
	if (ro.probe == NULL) {
		/* What this card accepts through this reader (probe.h): the
		 * reading then asks for the largest Le that works from the
		 * first file, and a card whose Le is below the SM ceiling is
		 * read at all. */
		if ((rc = nid_probe_run(card, NID_PROBE_SESSION, &probe)) !=
		    NID_OK)
			goto out;
		ro.probe = &probe;
	}
	ro.session_fn = nid_chip_session_fn;
	ro.session_arg = &cs;
	rc = nid_emrtd_read(card, creds, &ro, &r->read);
	r->chip = cs.result;
	r->ms_chip = cs.result.ms;
	if (rc != NID_OK)
		goto out;

	/* Passive authentication (ICAO 9303-11 §5.1), offline. */
	t1 = now_ms();
	if ((trust = opts->trust) == NULL) {
		if ((rc = nid_trust_new(ctx, &empty)) != NID_OK)
			goto out;
		trust = empty;
	}
	why[0] = '\0';
	if ((f = nid_status_file(r, "EF.SOD")) == NULL)
		(void)snprintf(why, sizeof(why), "the chip has no EF.SOD");
	else if ((rc = nid_sod_parse(ctx, f->data, f->len, &r->sod)) !=
	    NID_OK) {
		if (rc == NID_E_NOMEM)
			goto out;
		(void)snprintf(why, sizeof(why), "EF.SOD is malformed: %s",
		    nid_ctx_detail(ctx));
		nid_ctx_clear_detail(ctx);
	}
	if (r->sod != NULL) {
		for (i = 0; i < r->read.nfiles; i++) {
			f = &r->read.files[i];
			if (f->dg < 1 || f->state != NID_EMRTD_F_READ ||
			    ndgs >= NID_NELEM(dgs))
				continue;
			dgs[ndgs].n = (unsigned)f->dg;
			dgs[ndgs].p = f->data;
			dgs[ndgs].len = f->len;
			ndgs++;
		}
		if ((rc = nid_pa_verify(ctx, r->sod, trust, dgs, ndgs, NULL,
		    &opts->pa, &r->pa)) != NID_OK)
			goto out;
	}
	pa_checks(r, r->sod == NULL ? why : NULL);
	r->ms_verify = now_ms() - t1;

	chip_check(r);

	/* DG1: the facts a clerk compares, and the date of expiry. */
	if ((f = nid_status_file(r, "DG1")) != NULL &&
	    nid_lds_dg1_parse(f->data, f->len, &r->dg1) == NID_OK)
		r->have_dg1 = 1;
	expiry_check(r, opts->pa.t_ref);

	mc = add_check(r, "manifest.match", opts->manifest != NULL);
	if (opts->manifest == NULL)
		nid_check_set(mc, NID_CHECK_SKIPPED, "no manifest given");
	else if (!r->have_dg1)
		nid_check_set(mc, NID_CHECK_UNKNOWN, "no readable DG1 to "
		    "compare");
	else
		nid_manifest_match(opts->manifest, &r->dg1.mrz, mc);

	r->verdict = nid_pa_verdict_of(r->checks, r->nchecks);
	rc = NID_OK;
out:
	r->ms_total = now_ms() - t0;
	nid_trust_free(&empty);
	nid_probe_clear(&probe);
	OPENSSL_cleanse(&cs, sizeof(cs));
	return rc;
}

void
nid_status_report_clear(struct nid_status_report *r)
{
	if (r == NULL)
		return;
	nid_lds_dg1_clear(&r->dg1);
	nid_pa_report_clear(&r->pa);
	nid_sod_free(&r->sod);
	nid_emrtd_result_clear(&r->read);
	OPENSSL_cleanse(r, sizeof(*r));
}
