/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_crl.c — CRL files and CSCA certificate files into the trust store
 * (trust.c nid_trust_add_crl_mem, nid_trust_add_csca_mem: DER or PEM),
 * and the revocation level of passive authentication over them
 * (pa.c, ICAO 9303-12 §7.1.4) with the soft CRL policy.
 *
 * A throw-away PKI is made once per process (tests/unit/testpki.h): a
 * CSCA, a DS it certified (serial 0x1234) and an EF.SOD over one DG1
 * signed by that DS (sod_sign.c), so that every other level passes.
 * Byte 0 of the input:
 *   0x01  the rest is a TBSCertList, signed here with the CSCA's key
 *         (ecdsa-with-SHA256): the fuzzer controls every field of a CRL
 *         that verifies;
 *   0x02  the same, signed with a rogue key;
 *   else  the whole input is a CRL file (DER begins with 0x30, PEM with
 *         '-'), and is also loaded as a CSCA certificate file.
 *
 * Invariants: a CRL file that loads adds at least one CRL, one that does
 * not adds none; a CSCA file likewise for anchors. Passive
 * authentication always runs, the other levels pass, and
 * ds.revocation is:
 *   fail  only for a CRL signed by the CSCA that lists the DS serial;
 *   pass  only for a CRL signed by the CSCA, not listing the DS, with
 *         thisUpdate <= T_ref <= nextUpdate;
 *         (for mode 0x01 the result is what a model of these rules over
 *         OpenSSL's reading of the CRL says);
 *   unknown otherwise — never pass nor fail for a CRL the CSCA did not
 *         sign (modes 0x02 and files: the CSCA key is made at run time,
 *         so no input carries a signature under it);
 * and the verdict follows it: pass, fail, or warn when unknown; a store
 * prepared (nid_trust_prepare: each CRL verified once) gives the same
 * result, reason and verdict as one that is not.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "nid_internal.h"
#include "sod.h"
#include "trust.h"
#include "pa.h"
#include "testpki.h"
#include "fuzz.h"

#define DS_SERIAL 0x1234L

static EVP_PKEY *csca_key, *ds_key, *rogue_key;
static X509 *csca, *ds;
static nid_sod_t *sod;
static time_t t_ref;

/* DG1: TD1 specimen MRZ (ICAO 9303-5 Appendix A). */
static const char dg1_mrz[] =
    "I<UTOD231458907<<<<<<<<<<<<<<<"
    "7408122F1204159UTO<<<<<<<<<<<6"
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
static uint8_t dg1[5 + 90];

/* ecdsa-with-SHA256 (RFC 5758 §3.2), parameters absent */
static const uint8_t alg_ecdsa_sha256[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
};

static void
pki_init(void)
{
	struct nid_sod_sign_dg sdg;
	struct nid_sod_sign_params sp;
	nid_ctx_t *ctx = NULL;
	nid_buf b;

	if (sod != NULL)
		return;
	t_ref = time(NULL);
	csca_key = tp_key("EC", 0, "prime256v1");
	ds_key = tp_key("EC", 0, "prime256v1");
	rogue_key = tp_key("EC", 0, "prime256v1");
	csca = tp_cert(csca_key, "Fuzz CSCA", NULL, NULL, 1, t_ref - 86400,
	    t_ref + 86400 * 3650L, 1);
	ds = tp_cert(ds_key, "Fuzz DS", csca, csca_key, DS_SERIAL,
	    t_ref - 86400, t_ref + 86400 * 365L, 0);
	dg1[0] = 0x61;
	dg1[1] = 0x5d;
	dg1[2] = 0x5f;
	dg1[3] = 0x1f;
	dg1[4] = 0x5a;
	memcpy(dg1 + 5, dg1_mrz, 90);
	sdg.n = 1;
	sdg.p = dg1;
	sdg.len = sizeof(dg1);
	memset(&sp, 0, sizeof(sp));
	sp.md_nid = NID_sha256;
	sp.signing_time = t_ref - 3600;
	nid_buf_init(&b, NID_BUF_MAX_DEFAULT);
	FUZZ_ASSERT(nid_ctx_new(&ctx) == NID_OK);
	FUZZ_ASSERT(nid_sod_sign(ctx, &sdg, 1, ds, ds_key, &sp, &b) ==
	    NID_OK);
	FUZZ_ASSERT(nid_sod_parse(ctx, b.p, b.len, &sod) == NID_OK);
	nid_buf_clear(&b);
	nid_ctx_free(&ctx);
}

/* CRL DER = SEQUENCE { tbs, ecdsa-with-SHA256, BIT STRING sig }. */
static int
sign_tbs(const uint8_t *tbs, size_t tbs_len, EVP_PKEY *key, nid_buf *out)
{
	EVP_MD_CTX *md = NULL;
	uint8_t sig[160];
	size_t sig_len = sizeof(sig) - 1;
	nid_buf body;
	int rc = NID_E_CRYPTO;

	nid_buf_init(&body, NID_BUF_MAX_DEFAULT);
	sig[0] = 0;  /* unused bits */
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, sig + 1, &sig_len, tbs, tbs_len) != 1)
		goto out;
	if ((rc = nid_buf_put(&body, tbs, tbs_len)) != NID_OK ||
	    (rc = nid_buf_put(&body, alg_ecdsa_sha256,
	    sizeof(alg_ecdsa_sha256))) != NID_OK ||
	    (rc = nid_tlv_put(&body, 0x03, sig, sig_len + 1)) != NID_OK ||
	    (rc = nid_tlv_put(out, 0x30, body.p, body.len)) != NID_OK)
		goto out;
	rc = NID_OK;
 out:
	EVP_MD_CTX_free(md);
	nid_buf_clear(&body);
	return rc;
}

/* The CRL as OpenSSL reads the DER, to model the expected outcome. */
static int
model(const uint8_t *p, size_t len)
{
	const unsigned char *pp = p;
	X509_CRL *crl;
	X509_REVOKED *rev = NULL;
	time_t tu, nu;
	int res = NID_CHECK_UNKNOWN;

	if ((crl = d2i_X509_CRL(NULL, &pp, (long)len)) == NULL)
		return -1;
	if (!nid_name_equal(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(csca)) ||
	    X509_CRL_verify(crl, csca_key) != 1 ||
	    nid_asn1_time(X509_CRL_get0_lastUpdate(crl), &tu) != NID_OK)
		goto out;
	if (X509_CRL_get0_by_serial(crl, &rev, X509_get0_serialNumber(ds)) ==
	    1) {
		res = NID_CHECK_FAIL;
		goto out;
	}
	if (X509_CRL_get0_nextUpdate(crl) == NULL ||
	    nid_asn1_time(X509_CRL_get0_nextUpdate(crl), &nu) != NID_OK)
		goto out;
	if (tu <= t_ref && t_ref <= nu)
		res = NID_CHECK_PASS;
 out:
	X509_CRL_free(crl);
	return res;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL;
	struct nid_pa_dg_input dgs[1];
	struct nid_pa_opts opts;
	struct nid_pa_report rep, rep2;
	const struct nid_check *chk, *chk2;
	nid_buf crl;
	const uint8_t *file = data;
	size_t file_len = size, n0, i;
	int mode = 0, rc, crl_rc, expect = -1;

	if (size < 1)
		return 0;
	pki_init();
	nid_buf_init(&crl, NID_BUF_MAX_DEFAULT);
	FUZZ_ASSERT(nid_ctx_new(&ctx) == NID_OK);
	FUZZ_ASSERT(nid_trust_new(ctx, &t) == NID_OK);
	FUZZ_ASSERT(nid_trust_add_cert(t, csca, "file fuzz-csca.der") ==
	    NID_OK);

	if (data[0] == 0x01 || data[0] == 0x02) {
		mode = data[0];
		FUZZ_ASSERT(sign_tbs(data + 1, size - 1, mode == 1 ? csca_key :
		    rogue_key, &crl) == NID_OK);
		file = crl.p;
		file_len = crl.len;
		if (mode == 1)
			expect = model(file, file_len);
	} else {
		/* The same bytes as a CSCA certificate file. */
		n0 = t->nanchors;
		rc = nid_trust_add_csca_mem(t, data, size, "fuzz.cer");
		if (rc == NID_OK)
			FUZZ_ASSERT(t->nanchors >= n0);
		else
			FUZZ_ASSERT(t->nanchors == n0);
	}

	crl_rc = nid_trust_add_crl_mem(t, file, file_len, "fuzz.crl");
	if (crl_rc == NID_OK)
		FUZZ_ASSERT(t->ncrls >= 1);
	else
		FUZZ_ASSERT(t->ncrls == 0);
	for (i = 0; i < t->ncrls; i++) {
		FUZZ_ASSERT(t->crls[i].crl != NULL);
		FUZZ_ASSERT(t->crls[i].canon_issuer != NULL);
	}

	dgs[0].n = 1;
	dgs[0].p = dg1;
	dgs[0].len = sizeof(dg1);
	opts.t_ref = t_ref;
	opts.crl_policy = NID_PA_CRL_SOFT;
	memset(&rep, 0, sizeof(rep));
	rc = nid_pa_verify(ctx, sod, t, dgs, 1, NULL, &opts, &rep);
	FUZZ_ASSERT(rc == NID_OK);
	FUZZ_ASSERT((chk = nid_pa_check(&rep, "data.hashes")) != NULL &&
	    chk->result == NID_CHECK_PASS);
	FUZZ_ASSERT((chk = nid_pa_check(&rep, "sod.signature")) != NULL &&
	    chk->result == NID_CHECK_PASS);
	FUZZ_ASSERT((chk = nid_pa_check(&rep, "ds.chain")) != NULL &&
	    chk->result == NID_CHECK_PASS);
	FUZZ_ASSERT((chk = nid_pa_check(&rep, "ds.revocation")) != NULL);
	FUZZ_ASSERT(memchr(chk->reason, '\0', sizeof(chk->reason)) != NULL);
	if (mode != 1 || crl_rc != NID_OK)
		FUZZ_ASSERT(chk->result == NID_CHECK_UNKNOWN);
	else
		FUZZ_ASSERT((int)chk->result == expect);
	/* Soft policy: unknown warns, a revoked DS fails. */
	if (chk->result == NID_CHECK_PASS)
		FUZZ_ASSERT(rep.verdict == NID_PA_PASS);
	else if (chk->result == NID_CHECK_FAIL)
		FUZZ_ASSERT(rep.verdict == NID_PA_FAIL);
	else
		FUZZ_ASSERT(rep.verdict == NID_PA_WARN);
	/* The same with the store prepared (each CRL verified once, up
	 * front: trust.h nid_trust_prepare). */
	FUZZ_ASSERT(nid_trust_prepare(t) == NID_OK);
	memset(&rep2, 0, sizeof(rep2));
	FUZZ_ASSERT(nid_pa_verify(ctx, sod, t, dgs, 1, NULL, &opts, &rep2) ==
	    NID_OK);
	FUZZ_ASSERT((chk2 = nid_pa_check(&rep2, "ds.revocation")) != NULL);
	FUZZ_ASSERT(chk2->result == chk->result);
	FUZZ_ASSERT(strcmp(chk2->reason, chk->reason) == 0);
	FUZZ_ASSERT(rep2.verdict == rep.verdict);
	nid_pa_report_clear(&rep2);
	nid_pa_report_clear(&rep);

	nid_buf_clear(&crl);
	nid_trust_free(&t);
	nid_ctx_free(&ctx);
	ERR_clear_error();
	return 0;
}
