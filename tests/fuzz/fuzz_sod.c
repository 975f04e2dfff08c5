/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_sod.c — EF.SOD and EF.CardSecurity (sod.c: ICAO 9303-10 §4.6.2,
 * RFC 5652), the LDS Security Object, CSCA master list contents
 * (trust.c, ICAO 9303-12 §9) and passive authentication (pa.c) with an
 * empty trust store, from every input.
 *
 * Invariants: a failed parse gives no object and one of the documented
 * codes; a parsed SOD lists at most NID_SOD_MAX_DGS distinct DGs 1..16
 * with hashes of at most NID_SOD_MAX_HASH bytes, found again by
 * nid_sod_find_dg, and its eContent lies inside the CMS; passive
 * authentication runs on every parsed SOD and, with no trust anchor, can
 * never pass and never says the DS chains; every check has an id, a
 * result and a NUL-terminated reason; the two DGs given are reported
 * whenever an EF.SOD's hash algorithm is known.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "nid_internal.h"
#include "sod.h"
#include "trust.h"
#include "pa.h"
#include "fuzz.h"

/* 2026-11-25T00:00:00Z, the reference date of ../shared/corpus. */
#define T_REF ((time_t)1795564800)

/* DG1 (TD1 specimen MRZ, ICAO 9303-5 Appendix A) and a small DG2. */
static const char dg1_mrz[] =
    "I<UTOD231458907<<<<<<<<<<<<<<<"
    "7408122F1204159UTO<<<<<<<<<<<6"
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
static const uint8_t dg2[] = { 0x75, 0x03, 0x7f, 0x61, 0x00 };

static void
check_sod(nid_ctx_t *ctx, const nid_sod_t *sod, nid_trust_t *trust)
{
	struct nid_pa_dg_input dgs[2];
	struct nid_pa_opts opts;
	struct nid_pa_report rep;
	const struct nid_check *chk;
	uint8_t dg1[5 + 90];
	size_t i, j;
	unsigned n;
	int rc;

	FUZZ_ASSERT(sod->kind == NID_SOD_KIND_SOD ||
	    sod->kind == NID_SOD_KIND_CARD_SECURITY);
	FUZZ_ASSERT(sod->cms != NULL);
	FUZZ_ASSERT(sod->ndgs <= NID_SOD_MAX_DGS);
	for (i = 0; i < sod->ndgs; i++) {
		n = sod->dgs[i].n;
		FUZZ_ASSERT(n >= 1 && n <= 16);
		FUZZ_ASSERT(sod->dgs[i].hash_len <= NID_SOD_MAX_HASH);
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(sod->dgs[j].n != n);
		FUZZ_ASSERT(nid_sod_find_dg(sod, n) == &sod->dgs[i]);
	}
	FUZZ_ASSERT(nid_sod_find_dg(sod, 0) == NULL);
	FUZZ_ASSERT(nid_sod_find_dg(sod, 17) == NULL);
	FUZZ_ASSERT(memchr(sod->lds_version_info, '\0',
	    sizeof(sod->lds_version_info)) != NULL);
	FUZZ_ASSERT(memchr(sod->unicode_version, '\0',
	    sizeof(sod->unicode_version)) != NULL);

	/* DG1 = 61 5D 5F1F 5A <MRZ> */
	dg1[0] = 0x61;
	dg1[1] = 0x5d;
	dg1[2] = 0x5f;
	dg1[3] = 0x1f;
	dg1[4] = 0x5a;
	memcpy(dg1 + 5, dg1_mrz, 90);
	dgs[0].n = 1;
	dgs[0].p = dg1;
	dgs[0].len = sizeof(dg1);
	dgs[1].n = 2;
	dgs[1].p = dg2;
	dgs[1].len = sizeof(dg2);
	opts.t_ref = T_REF;
	opts.crl_policy = NID_PA_CRL_SOFT;
	memset(&rep, 0, sizeof(rep));
	rc = nid_pa_verify(ctx, sod, trust, dgs, NID_NELEM(dgs), NULL, &opts,
	    &rep);
	FUZZ_ASSERT(rc == NID_OK || rc == NID_E_NOMEM);
	if (rc != NID_OK)
		return;
	FUZZ_ASSERT(rep.nchecks <= NID_PA_MAX_CHECKS);
	for (i = 0; i < rep.nchecks; i++) {
		chk = &rep.checks[i];
		FUZZ_ASSERT(chk->id != NULL);
		FUZZ_ASSERT(chk->result == NID_CHECK_PASS ||
		    chk->result == NID_CHECK_FAIL ||
		    chk->result == NID_CHECK_UNKNOWN);
		FUZZ_ASSERT(memchr(chk->reason, '\0', sizeof(chk->reason)) !=
		    NULL);
	}
	/* No trust anchor: never a pass, never a chain. */
	FUZZ_ASSERT(rep.verdict == NID_PA_WARN || rep.verdict == NID_PA_FAIL);
	FUZZ_ASSERT(rep.csca == NULL);
	if ((chk = nid_pa_check(&rep, "ds.chain")) != NULL)
		FUZZ_ASSERT(chk->result != NID_CHECK_PASS);
	FUZZ_ASSERT(strcmp(nid_pa_verdict_str(rep.verdict), "pass") != 0);
	/* Both DGs given are in the report (when the hashes were checked). */
	for (n = 1; n <= 2 && sod->kind == NID_SOD_KIND_SOD &&
	    EVP_get_digestbynid(sod->lds_md_nid) != NULL; n++) {
		for (i = 0; i < rep.ndgs && rep.dgs[i].n != n; i++)
			continue;
		FUZZ_ASSERT(i < rep.ndgs);
		FUZZ_ASSERT(rep.dgs[i].status == NID_PA_DG_MATCH ||
		    rep.dgs[i].status == NID_PA_DG_MISMATCH ||
		    rep.dgs[i].status == NID_PA_DG_NOT_LISTED);
		(void)strlen(nid_pa_dg_status_str(rep.dgs[i].status));
	}
	nid_pa_report_clear(&rep);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nid_ctx_t *ctx = NULL;
	nid_trust_t *trust = NULL;
	nid_sod_t *sod, *lds;
	STACK_OF(X509) *certs;
	int rc;

	FUZZ_ASSERT(nid_ctx_new(&ctx) == NID_OK);
	FUZZ_ASSERT(nid_trust_new(ctx, &trust) == NID_OK);

	sod = (nid_sod_t *)&sod; /* must be cleared on failure */
	rc = nid_sod_parse(ctx, data, size, &sod);
	if (rc == NID_OK) {
		FUZZ_ASSERT(sod != NULL);
		check_sod(ctx, sod, trust);
		nid_sod_free(&sod);
		FUZZ_ASSERT(sod == NULL);
	} else {
		FUZZ_ASSERT(sod == NULL);
		FUZZ_ASSERT(rc == NID_E_MALFORMED || rc == NID_E_TRUNCATED ||
		    rc == NID_E_TRAILING || rc == NID_E_TOO_LARGE ||
		    rc == NID_E_BAD_TLV || rc == NID_E_UNSUPPORTED ||
		    rc == NID_E_NOMEM);
	}

	/* The input as an LDSSecurityObject (eContent). */
	FUZZ_ASSERT((lds = calloc(1, sizeof(*lds))) != NULL);
	if (nid_sod_parse_lds(ctx, data, size, lds) == NID_OK) {
		FUZZ_ASSERT(lds->ndgs <= NID_SOD_MAX_DGS);
		FUZZ_ASSERT(lds->lds_version == 0 || lds->lds_version == 1);
	}
	nid_sod_free(&lds);

	/* The input as a CscaMasterList (eContent). */
	certs = NULL;
	if (nid_masterlist_parse_certs(ctx, data, size, &certs) == NID_OK) {
		FUZZ_ASSERT(certs != NULL);
		sk_X509_pop_free(certs, X509_free);
	} else
		FUZZ_ASSERT(certs == NULL);

	nid_trust_free(&trust);
	nid_ctx_free(&ctx);
	ERR_clear_error();
	return 0;
}
