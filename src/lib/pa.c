/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * pa.c — offline passive authentication: the trust levels and the verdict
 * (ICAO 9303-11 §5.1 "Passive Authentication", 9303-12 §4–§7). See pa.h.
 */
#include "config.h"

#define OPENSSL_NO_DEPRECATED 1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pa.h"

#define MAX_CANDIDATES 64

int
nid_pa_verdict_of(const struct nid_check *c, size_t n)
{
	size_t i;
	int v = NID_PA_PASS;

	for (i = 0; i < n; i++) {
		/* a level that ran and failed always counts (a revoked DS
		 * fails without a CRL policy too); "required" only decides
		 * whether an unknown or skipped one does */
		if (c[i].result == NID_CHECK_FAIL)
			v = NID_PA_FAIL;
		else if (c[i].required && v == NID_PA_PASS &&
		    (c[i].result == NID_CHECK_UNKNOWN ||
		    c[i].result == NID_CHECK_SKIPPED))
			v = NID_PA_WARN;
	}
	return v;
}

const char *
nid_pa_verdict_str(int verdict)
{
	switch (verdict) {
	case NID_PA_PASS:
		return "pass";
	case NID_PA_WARN:
		return "warn";
	default:
		return "fail";
	}
}

const char *
nid_pa_dg_status_str(int status)
{
	switch (status) {
	case NID_PA_DG_MATCH:
		return "match";
	case NID_PA_DG_MISMATCH:
		return "mismatch";
	case NID_PA_DG_NOT_GIVEN:
		return "not-given";
	default:
		return "not-listed";
	}
}

const struct nid_check *
nid_pa_check(const struct nid_pa_report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nchecks; i++)
		if (strcmp(r->checks[i].id, id) == 0)
			return &r->checks[i];
	return NULL;
}

void
nid_pa_report_clear(struct nid_pa_report *r)
{
	if (r == NULL)
		return;
	X509_free(r->ds);
	memset(r, 0, sizeof(*r));
}

static struct nid_check *
add_check(struct nid_pa_report *r, const char *id, int required)
{
	struct nid_check *c = &r->checks[r->nchecks++];

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->required = required;
	c->result = NID_CHECK_UNKNOWN;
	return c;
}

/* Append "DGa,b,c" / "a,b,c" style lists to a reason. */
static void
append(char *buf, size_t len, const char *first_prefix, unsigned n)
{
	size_t l = strlen(buf);

	if (l + 1 < len)
		(void)snprintf(buf + l, len - l, "%s%u",
		    l == 0 ? first_prefix : ",", n);
}

/* Put prefix in front of c's reason (truncating its end) and set r. */
static void
prefix_reason(struct nid_check *c, nid_check_result r, const char *prefix)
{
	size_t pl = strlen(prefix), rl = strlen(c->reason);

	c->result = r;
	if (pl >= sizeof(c->reason))
		pl = sizeof(c->reason) - 1;
	if (rl > sizeof(c->reason) - 1 - pl)
		rl = sizeof(c->reason) - 1 - pl;
	memmove(c->reason + pl, c->reason, rl);
	memcpy(c->reason, prefix, pl);
	c->reason[pl + rl] = '\0';
}

/* ---- data.hashes (ICAO 9303-11 §5.1 step 3) -------------------------- */

static int
check_hashes(nid_ctx_t *ctx, const nid_sod_t *sod,
    const struct nid_pa_dg_input *dgs, size_t ndgs, struct nid_pa_report *r,
    struct nid_check *c)
{
	const EVP_MD *md;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int hlen;
	char bad[200] = "", inj[120] = "", missing[120] = "";
	size_t i, j, matched = 0, mism = 0, notlisted = 0, notgiven = 0;

	if (sod->kind != NID_SOD_KIND_SOD) {
		nid_check_set(c, NID_CHECK_UNKNOWN, "EF.CardSecurity holds no "
		    "data-group hashes; EF.SOD is needed for passive "
		    "authentication");
		return NID_OK;
	}
	if ((md = EVP_get_digestbynid(sod->lds_md_nid)) == NULL) {
		nid_check_set(c, NID_CHECK_UNKNOWN, "hash algorithm %s not "
		    "supported", OBJ_nid2sn(sod->lds_md_nid));
		return NID_OK;
	}
	for (i = 0; i < ndgs; i++) {
		const struct nid_sod_dg *l = nid_sod_find_dg(sod, dgs[i].n);
		struct nid_pa_dg_result *d = &r->dgs[r->ndgs++];

		if (EVP_Digest(dgs[i].p, dgs[i].len, h, &hlen, md, NULL) != 1)
			return nid_ctx_set_openssl_detail(ctx, NID_E_CRYPTO,
			    "DG hash");
		d->n = dgs[i].n;
		if (l == NULL) {
			/* A DG the SOD does not list: data-group injection */
			d->status = NID_PA_DG_NOT_LISTED;
			memcpy(d->hash, h, hlen);
			d->hash_len = hlen;
			append(inj, sizeof(inj), "DG",
			    dgs[i].n);
			notlisted++;
			continue;
		}
		memcpy(d->hash, l->hash, l->hash_len);
		d->hash_len = l->hash_len;
		if (l->hash_len == hlen &&
		    CRYPTO_memcmp(l->hash, h, hlen) == 0) {
			d->status = NID_PA_DG_MATCH;
			matched++;
		} else {
			d->status = NID_PA_DG_MISMATCH;
			append(bad, sizeof(bad), "DG",
			    dgs[i].n);
			mism++;
		}
	}
	for (i = 0; i < sod->ndgs; i++) {
		int given = 0;
		struct nid_pa_dg_result *d;

		for (j = 0; j < ndgs; j++)
			if (dgs[j].n == sod->dgs[i].n)
				given = 1;
		if (given)
			continue;
		d = &r->dgs[r->ndgs++];
		d->n = sod->dgs[i].n;
		d->status = NID_PA_DG_NOT_GIVEN;
		memcpy(d->hash, sod->dgs[i].hash, sod->dgs[i].hash_len);
		d->hash_len = sod->dgs[i].hash_len;
		append(missing, sizeof(missing), "",
		    sod->dgs[i].n);
		notgiven++;
	}
	if (mism > 0 || notlisted > 0) {
		nid_check_set(c, NID_CHECK_FAIL, "%s%s%s%s%s",
		    mism ? bad : "", mism ? " hash mismatch" : "",
		    mism && notlisted ? "; " : "",
		    notlisted ? inj : "",
		    notlisted ? " not listed in EF.SOD (data-group injection)" :
		    "");
	} else if (matched == 0) {
		nid_check_set(c, NID_CHECK_UNKNOWN, "no data group given "
		    "(EF.SOD lists %zu)", sod->ndgs);
	} else if (notgiven > 0) {
		nid_check_set(c, NID_CHECK_PASS, "%zu of %zu listed data "
		    "groups given and matching (%s); not given: %s", matched,
		    sod->ndgs, OBJ_nid2sn(sod->lds_md_nid), missing);
	} else {
		nid_check_set(c, NID_CHECK_PASS, "all %zu listed data groups "
		    "match (%s)", matched, OBJ_nid2sn(sod->lds_md_nid));
	}
	return NID_OK;
}

/* ---- ds.chain (ICAO 9303-11 §5.1 step 2, 9303-12 §7) ----------------- */

static int
valid_at(X509 *x, time_t t)
{
	time_t nb, na;

	if (nid_asn1_time(X509_get0_notBefore(x), &nb) != NID_OK ||
	    nid_asn1_time(X509_get0_notAfter(x), &na) != NID_OK)
		return 0;
	return nb <= t && t <= na;
}

/*
 * Among the anchors that may have issued ds, pick one whose key verifies
 * it; prefer self-signed CSCAs that are valid at t and came from a
 * verified source over link certificates, expired or unverified ones.
 */
static void
chain(const nid_trust_t *t, X509 *ds, time_t tc, struct nid_check *c,
    const struct nid_trust_anchor **best, size_t *others, size_t *ncand)
{
	size_t idx[MAX_CANDIDATES], n, i, nok = 0, tried = 0;
	int score, bscore = -1;
	char name[256], fp[17];

	*best = NULL;
	*others = 0;
	*ncand = 0;
	nid_name_text(X509_get_issuer_name(ds), name, sizeof(name));
	if (t == NULL || t->nanchors == 0) {
		nid_check_set(c, NID_CHECK_UNKNOWN, "no trust anchors loaded "
		    "(give --csca or --masterlist)");
		return;
	}
	n = nid_trust_candidates(t, ds, idx, NID_NELEM(idx));
	*ncand = n;
	if (n == 0) {
		nid_check_set(c, NID_CHECK_UNKNOWN, "no CSCA for issuer %s "
		    "among %zu trust anchors", name, t->nanchors);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct nid_trust_anchor *a = &t->anchors[idx[i]];

		tried++;
		if (!nid_trust_verify_cert_by(a, ds))
			continue;
		nok++;
		score = (a->self_signed ? 4 : 0) +
		    (valid_at(a->cert, tc) ? 2 : 0) +
		    (a->from_masterlist_unverified ? 0 : 8);
		if (score > bscore) {
			bscore = score;
			*best = a;
		}
		/* Cannot do better: stop (batch speed; candidates with the
		 * DS's AKI come first). */
		if (bscore == 14)
			break;
	}
	if (*best == NULL) {
		nid_check_set(c, NID_CHECK_FAIL, "none of the %zu CSCA "
		    "certificates matching issuer %s verifies the DS "
		    "certificate's signature", n, name);
		return;
	}
	*others = nok - 1;
	nid_name_text(X509_get_subject_name((*best)->cert), name, sizeof(name));
	nid_hex_encode_to((*best)->fp, 8, fp);
	nid_check_set(c, NID_CHECK_PASS, "DS signed by %sCSCA %s sha256:%s "
	    "(%zu candidate%s, %zu tried)%s", (*best)->self_signed ? "" :
	    "link certificate of ", name, fp, n, n == 1 ? "" : "s", tried,
	    (*best)->from_masterlist_unverified ?
	    " [CSCA from an UNVERIFIED master list]" : "");
}

/* ---- ds.revocation (ICAO 9303-12 §7.1.4 CRL profile) ------------------ */

static void
revocation(const nid_trust_t *t, X509 *ds, const struct nid_trust_anchor *ca,
    time_t tref, struct nid_check *c)
{
	const struct nid_trust_crl *best = NULL;
	X509_REVOKED *rev = NULL;
	time_t tu = 0, nu = 0, btu = 0, when;
	EVP_PKEY *key;
	size_t i, nfound = 0, nbad = 0;
	char d1[24], d2[24], d3[24];
	int r;

	if (ca == NULL) {
		nid_check_set(c, NID_CHECK_UNKNOWN, "no CSCA to verify CRLs "
		    "with");
		return;
	}
	key = X509_get0_pubkey(ca->cert);
	for (i = 0; t != NULL && key != NULL && i < t->ncrls; i++) {
		const struct nid_trust_crl *cr = &t->crls[i];

		if (strcmp(cr->canon_issuer, ca->canon_subject) != 0)
			continue;
		nfound++;
		/* Verified once per store when prepared (trust.h). */
		r = nid_trust_crl_verifies(t, cr, ca);
		if (r != 1 || nid_asn1_time(X509_CRL_get0_lastUpdate(cr->crl),
		    &tu) != NID_OK) {
			nbad++;
			continue;
		}
		if (best == NULL || tu > btu) {
			best = cr;
			btu = tu;
		}
	}
	if (best == NULL) {
		if (nfound == 0)
			nid_check_set(c, NID_CHECK_UNKNOWN, "no CRL of the "
			    "DS's CSCA given");
		else
			nid_check_set(c, NID_CHECK_UNKNOWN, "%zu CRL(s) of the "
			    "CSCA rejected: signature does not verify with "
			    "the CSCA key", nbad);
		return;
	}
	nid_time_text(btu, 0, d1, sizeof(d1));
	r = X509_CRL_get0_by_serial(best->crl, &rev,
	    X509_get0_serialNumber(ds));
	if (r == 1) {
		if (nid_asn1_time(X509_REVOKED_get0_revocationDate(rev),
		    &when) != NID_OK)
			when = 0;
		nid_time_text(when, 0, d2, sizeof(d2));
		nid_check_set(c, NID_CHECK_FAIL, "DS certificate revoked on "
		    "%s (CRL of %s, %s)", d2, d1, best->source);
		return;
	}
	if (X509_CRL_get0_nextUpdate(best->crl) == NULL ||
	    nid_asn1_time(X509_CRL_get0_nextUpdate(best->crl), &nu) != NID_OK) {
		nid_check_set(c, NID_CHECK_UNKNOWN, "CRL of %s has no "
		    "nextUpdate: freshness unknown", d1);
		return;
	}
	nid_time_text(nu, 0, d2, sizeof(d2));
	nid_time_text(tref, 0, d3, sizeof(d3));
	if (btu > tref) {
		nid_check_set(c, NID_CHECK_UNKNOWN, "CRL issued %s, after the "
		    "reference date %s", d1, d3);
		return;
	}
	if (nu < tref) {
		nid_check_set(c, NID_CHECK_UNKNOWN, "DS not on the CRL of %s, "
		    "but that CRL is stale (nextUpdate %s < %s)", d1, d2, d3);
		return;
	}
	nid_check_set(c, NID_CHECK_PASS, "DS not revoked (CRL of %s, next "
	    "update %s, %s)", d1, d2, best->source);
}

/* ---- the whole thing -------------------------------------------------- */

int
nid_pa_verify(nid_ctx_t *ctx, const nid_sod_t *sod, const nid_trust_t *t,
    const struct nid_pa_dg_input *dgs, size_t ndgs, const nid_sod_t *cardsec,
    const struct nid_pa_opts *opts, struct nid_pa_report *out)
{
	struct nid_pa_report r;
	struct nid_check *ch, *cs, *cc, *cv, *cr, *ck;
	const struct nid_trust_anchor *ca2;
	X509 *ds = NULL, *ds2 = NULL;
	size_t o2, n2;
	time_t nb = 0, na = 0, cnb = 0, cna = 0;
	char tb[24], ta[24], tc[24], cb[24], ca[24], why[NID_CHECK_REASON_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	if (ndgs > NID_PA_MAX_INPUT_DGS)
		return nid_ctx_set_detail(ctx, NID_E_TOO_LARGE, "more than %u "
		    "data groups given", NID_PA_MAX_INPUT_DGS);
	r.t_ref = opts->t_ref;
	r.t_check = opts->t_ref;
	if (sod->has_signing_time && sod->signing_time <= opts->t_ref) {
		r.t_check = sod->signing_time;
		r.t_check_signing_time = 1;
	}

	ch = add_check(&r, "data.hashes", 1);
	cs = add_check(&r, "sod.signature", 1);
	cc = add_check(&r, "ds.chain", 1);
	cv = add_check(&r, "ds.validity", 1);
	cr = add_check(&r, "ds.revocation",
	    opts->crl_policy != NID_PA_CRL_NONE);

	if ((rc = check_hashes(ctx, sod, dgs, ndgs, &r, ch)) != NID_OK)
		goto out;

	/* sod.signature: ICAO 9303-11 §5.1 step 1 */
	if ((rc = nid_cms_verify_signer(ctx, sod->cms, sod->econtent,
	    sod->econtent_len, sod->certs, cs, &ds)) != NID_OK)
		goto out;
	if (ds != NULL) {
		if (X509_up_ref(ds) != 1) {
			rc = NID_E_NOMEM;
			goto out;
		}
		r.ds = ds;
	}

	if (r.ds == NULL) {
		nid_check_set(cc, NID_CHECK_UNKNOWN, "no DS certificate");
		nid_check_set(cv, NID_CHECK_UNKNOWN, "no DS certificate");
		nid_check_set(cr, NID_CHECK_UNKNOWN, "no DS certificate");
	} else {
		chain(t, r.ds, r.t_check, cc, &r.csca, &r.csca_others,
		    &r.csca_candidates);
		/* ds.validity: the stated policy (pa.h) */
		nid_time_text(r.t_check, 0, tc, sizeof(tc));
		if (nid_asn1_time(X509_get0_notBefore(r.ds), &nb) != NID_OK ||
		    nid_asn1_time(X509_get0_notAfter(r.ds), &na) != NID_OK) {
			nid_check_set(cv, NID_CHECK_FAIL, "DS validity "
			    "unparsable");
		} else {
			const char *at = r.t_check_signing_time ?
			    "signingTime" : "reference date, no signingTime";

			nid_time_text(nb, 0, tb, sizeof(tb));
			nid_time_text(na, 0, ta, sizeof(ta));
			r.ds_valid = nb <= r.t_check && r.t_check <= na;
			if (r.csca != NULL) {
				if (nid_asn1_time(X509_get0_notBefore(
				    r.csca->cert), &cnb) != NID_OK ||
				    nid_asn1_time(X509_get0_notAfter(
				    r.csca->cert), &cna) != NID_OK)
					cnb = cna = 0;
				r.csca_valid = cnb <= r.t_check &&
				    r.t_check <= cna;
			}
			nid_time_text(cnb, 0, cb, sizeof(cb));
			nid_time_text(cna, 0, ca, sizeof(ca));
			if (!r.ds_valid || (r.csca != NULL && !r.csca_valid)) {
				why[0] = '\0';
				if (!r.ds_valid)
					(void)snprintf(why, sizeof(why), "DS %s "
					    "%s", r.t_check < nb ?
					    "not yet valid, from" : "expired",
					    r.t_check < nb ? tb : ta);
				if (r.csca != NULL && !r.csca_valid) {
					size_t l = strlen(why);

					(void)snprintf(why + l, sizeof(why) - l,
					    "%sCSCA %s %s", l ? "; " : "",
					    r.t_check < cnb ?
					    "not yet valid, from" : "expired",
					    r.t_check < cnb ? cb : ca);
				}
				nid_check_set(cv, NID_CHECK_FAIL, "%s (checked "
				    "at %s, %s)", why, tc, at);
			} else if (r.csca != NULL) {
				nid_check_set(cv, NID_CHECK_PASS, "DS valid "
				    "%s..%s and CSCA %s..%s at %s (%s)", tb,
				    ta, cb, ca, tc, at);
			} else {
				/* DS fine, CSCA unknown: cannot say more */
				nid_check_set(cv, NID_CHECK_UNKNOWN, "DS valid "
				    "%s..%s at %s (%s); CSCA unknown", tb, ta,
				    tc, at);
			}
		}
		revocation(t, r.ds, r.csca, r.t_ref, cr);
	}
	if (cr->result == NID_CHECK_UNKNOWN &&
	    opts->crl_policy == NID_PA_CRL_HARD) {
		prefix_reason(cr, NID_CHECK_FAIL, "hard CRL policy: ");
	}

	if (cardsec != NULL) {
		ck = add_check(&r, "cardsecurity.signature", 1);
		if ((rc = nid_cms_verify_signer(ctx, cardsec->cms,
		    cardsec->econtent, cardsec->econtent_len, cardsec->certs,
		    ck, &ds2)) != NID_OK)
			goto out;
		if (ck->result == NID_CHECK_PASS) {
			struct nid_check tmp;

			memset(&tmp, 0, sizeof(tmp));
			chain(t, ds2, r.t_check, &tmp, &ca2, &o2, &n2);
			if (tmp.result != NID_CHECK_PASS) {
				*ck = tmp;
				ck->id = "cardsecurity.signature";
				ck->required = 1;
				prefix_reason(ck, tmp.result, "EF.CardSecurity "
				    "signature valid, but its DS: ");
			} else
				nid_check_set(ck, NID_CHECK_PASS, "EF.CardSecurity "
				    "signature valid; its DS chains to the same "
				    "trust store%s", ds2 != NULL && r.ds != NULL &&
				    X509_cmp(ds2, r.ds) == 0 ? " (same DS as "
				    "EF.SOD)" : "");
		} else {
			prefix_reason(ck, ck->result, "EF.CardSecurity: ");
		}
	}

	r.verdict = nid_pa_verdict_of(r.checks, r.nchecks);
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = NID_OK;
 out:
	nid_pa_report_clear(&r);
	return rc;
}
