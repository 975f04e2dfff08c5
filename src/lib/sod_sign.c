/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sod_sign.c — create an EF.SOD exactly as an issuing state does: an
 * LDSSecurityObject (ICAO 9303-10 §4.6.2.2) as eContent of a CMS
 * SignedData (RFC 5652 §5) signed by the Document Signer, wrapped in the
 * '77' tag. Used by the virtual card and by the tests and benchmarks.
 */
#include "config.h"

#define OPENSSL_NO_DEPRECATED 1

#include <limits.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "sod.h"

/* DER OIDs of the hash algorithms (RFC 5754 §2; parameters absent) */
static const struct {
	int nid;
	const char *oid_hex;
} sign_mds[] = {
	{ NID_sha256, "608648016503040201" },
	{ NID_sha384, "608648016503040202" },
	{ NID_sha512, "608648016503040203" },
};

static int
build_lds(const struct nid_sod_sign_dg *dgs, size_t ndgs, const EVP_MD *md,
    const char *oid_hex, long version, nid_buf *out)
{
	nid_buf seq, list, e, alg, oid, vi;
	uint8_t h[EVP_MAX_MD_SIZE], v;
	unsigned int hlen;
	size_t i;
	int rc;

	nid_buf_init(&seq, 8192);
	nid_buf_init(&list, 8192);
	nid_buf_init(&e, 256);
	nid_buf_init(&alg, 64);
	nid_buf_init(&vi, 64);
	nid_buf_init(&oid, 64);
	v = (uint8_t)version;
	if ((rc = nid_hex_decode(oid_hex, &oid, NULL)) != NID_OK ||
	    (rc = nid_tlv_put(&seq, 0x02, &v, 1)) != NID_OK ||
	    (rc = nid_tlv_put(&alg, 0x06, oid.p, oid.len)) != NID_OK ||
	    (rc = nid_tlv_put(&seq, 0x30, alg.p, alg.len)) != NID_OK)
		goto out;
	for (i = 0; i < ndgs; i++) {
		if (EVP_Digest(dgs[i].p, dgs[i].len, h, &hlen, md, NULL) != 1) {
			rc = NID_E_CRYPTO;
			goto out;
		}
		v = (uint8_t)dgs[i].n;
		nid_buf_reset(&e);
		if ((rc = nid_tlv_put(&e, 0x02, &v, 1)) != NID_OK ||
		    (rc = nid_tlv_put(&e, 0x04, h, hlen)) != NID_OK ||
		    (rc = nid_tlv_put(&list, 0x30, e.p, e.len)) != NID_OK)
			goto out;
	}
	if ((rc = nid_tlv_put(&seq, 0x30, list.p, list.len)) != NID_OK)
		goto out;
	if (version == 1 &&
	    ((rc = nid_tlv_put(&vi, 0x13, (const uint8_t *)"0108", 4)) !=
	    NID_OK ||
	    (rc = nid_tlv_put(&vi, 0x13, (const uint8_t *)"040000", 6)) !=
	    NID_OK ||
	    (rc = nid_tlv_put(&seq, 0x30, vi.p, vi.len)) != NID_OK))
		goto out;
	rc = nid_tlv_put(out, 0x30, seq.p, seq.len);
 out:
	nid_buf_clear(&seq);
	nid_buf_clear(&list);
	nid_buf_clear(&e);
	nid_buf_clear(&alg);
	nid_buf_clear(&vi);
	nid_buf_clear(&oid);
	return rc;
}

const char *
nid_sod_md_oid_hex(int md_nid)
{
	size_t i;

	for (i = 0; i < NID_NELEM(sign_mds); i++)
		if (sign_mds[i].nid == md_nid)
			return sign_mds[i].oid_hex;
	return NULL;
}

int
nid_sod_sign_lds(nid_ctx_t *ctx, const uint8_t *lds, size_t lds_len,
    X509 *ds_cert, EVP_PKEY *ds_key, const struct nid_sod_sign_params *params,
    nid_buf *out)
{
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	EVP_PKEY_CTX *pctx;
	ASN1_OBJECT *ect = NULL;
	ASN1_TIME *st = NULL;
	BIO *in = NULL;
	const EVP_MD *md;
	unsigned char *der = NULL;
	int derlen, rc;
	unsigned flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;

	if (nid_sod_md_oid_hex(params->md_nid) == NULL ||
	    (md = EVP_get_digestbynid(params->md_nid)) == NULL ||
	    lds_len > INT_MAX)
		return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG, "EF.SOD "
		    "parameters: SHA-256/384/512");
	if (params->sig == NID_SOD_SIG_RSA_PSS)
		flags |= CMS_KEY_PARAM;
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL ||
	    (ect = OBJ_txt2obj(NID_OID_LDS_SECURITY_OBJECT, 1)) == NULL ||
	    CMS_set1_eContentType(cms, ect) != 1)
		goto ossl;
	if ((si = CMS_add1_signer(cms, ds_cert, ds_key, md, flags)) == NULL)
		goto ossl;
	if (params->sig == NID_SOD_SIG_RSA_PSS) {
		/* RFC 4055 §3.1: MGF1 with the same hash, salt = hash size */
		if ((pctx = CMS_SignerInfo_get0_pkey_ctx(si)) == NULL ||
		    EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PSS_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
		    RSA_PSS_SALTLEN_DIGEST) != 1)
			goto ossl;
	}
	if ((st = ASN1_TIME_set(NULL, params->signing_time != 0 ?
	    params->signing_time : time(NULL))) == NULL ||
	    CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime,
	    st->type, st, -1) != 1)
		goto ossl;
	if ((in = BIO_new_mem_buf(lds, (int)lds_len)) == NULL ||
	    CMS_final(cms, in, NULL, CMS_BINARY) != 1)
		goto ossl;
	if ((derlen = i2d_CMS_ContentInfo(cms, &der)) <= 0)
		goto ossl;
	/* EF.SOD = '77' L ContentInfo (ICAO 9303-10 §4.6.2) */
	if ((rc = nid_tlv_put(out, 0x77, der, (size_t)derlen)) != NID_OK) {
		rc = nid_ctx_set_detail(ctx, rc, "EF.SOD of %d bytes", derlen);
		goto out;
	}
	rc = NID_OK;
	goto out;
 ossl:
	rc = nid_ctx_set_openssl_detail(ctx, NID_E_CRYPTO, "signing EF.SOD");
 out:
	OPENSSL_free(der);
	BIO_free(in);
	ASN1_TIME_free(st);
	ASN1_OBJECT_free(ect);
	CMS_ContentInfo_free(cms);
	return rc;
}

int
nid_sod_sign(nid_ctx_t *ctx, const struct nid_sod_sign_dg *dgs, size_t ndgs,
    X509 *ds_cert, EVP_PKEY *ds_key, const struct nid_sod_sign_params *params,
    nid_buf *out)
{
	const EVP_MD *md;
	const char *oid_hex;
	nid_buf lds;
	size_t i;
	int rc;

	nid_buf_init(&lds, 8192);
	if ((oid_hex = nid_sod_md_oid_hex(params->md_nid)) == NULL ||
	    (md = EVP_get_digestbynid(params->md_nid)) == NULL ||
	    (params->lds_version != 0 && params->lds_version != 1) ||
	    ndgs < 1 || ndgs > NID_SOD_MAX_DGS) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG, "EF.SOD "
		    "parameters: SHA-256/384/512, LDS v0/v1, 1..16 DGs");
		goto out;
	}
	for (i = 0; i < ndgs; i++)
		if (dgs[i].n < 1 || dgs[i].n > 16) {
			rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
			    "DG%u", dgs[i].n);
			goto out;
		}
	if ((rc = build_lds(dgs, ndgs, md, oid_hex, params->lds_version,
	    &lds)) == NID_OK)
		rc = nid_sod_sign_lds(ctx, lds.p, lds.len, ds_cert, ds_key,
		    params, out);
 out:
	nid_buf_clear(&lds);
	return rc;
}
