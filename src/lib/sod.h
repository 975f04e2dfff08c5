/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sod.h — EF.SOD and EF.CardSecurity: parsing (CMS SignedData through
 * OpenSSL's own BER/DER parsers), the LDS Security Object, and the
 * verification of a CMS SignerInfo with EVP (module: trust).
 *
 *   EF.SOD        = '77' L ContentInfo                 ICAO 9303-10 §4.6.2
 *   ContentInfo   = SignedData                          RFC 5652 §5
 *     eContentType  id-icao-mrtd-security-ldsSecurityObject 2.23.136.1.1.1
 *     eContent      LDSSecurityObject                   ICAO 9303-10 §4.6.2.2
 *   EF.CardSecurity = ContentInfo (no wrapper)          BSI TR-03110-3 §A.1.2.5
 *     eContentType  id-SecurityObject 0.4.0.127.0.7.3.2.1
 *     eContent      SecurityInfos (kept as bytes; parsed elsewhere)
 *
 * Not installed. Functions return nid_rc; a verification outcome (pass,
 * fail, unknown) is data in a struct nid_check, never an error code.
 */
#ifndef NID_SOD_H
#define NID_SOD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/x509.h>

#include "nid_internal.h"

/* Caps on sizes that come from outside. */
#define NID_SOD_MAX_LEN        (64u * 1024u)  /* whole EF.SOD / CardSecurity */
#define NID_SOD_MAX_DGS        16u            /* ICAO 9303-10: DG1..DG16 */
#define NID_SOD_MAX_HASH       64u            /* SHA-512 */
#define NID_SOD_MAX_CERTS      8u             /* certificates in one SOD */
#define NID_CMS_MAX_SIGNED_ATTRS 32u
#define NID_CHECK_REASON_MAX   320u

/* OIDs (dotted) */
#define NID_OID_LDS_SECURITY_OBJECT "2.23.136.1.1.1"  /* ICAO 9303-10 §4.6.2.2 */
#define NID_OID_CSCA_MASTER_LIST    "2.23.136.1.1.2"  /* ICAO 9303-12 §9 */
#define NID_OID_SECURITY_OBJECT     "0.4.0.127.0.7.3.2.1" /* TR-03110-3 §A.1.2.5 */

/* ---- outcome of one check (a trust level) ---------------------------- */

typedef enum nid_check_result {
	NID_CHECK_PASS = 0,
	NID_CHECK_FAIL,
	NID_CHECK_UNKNOWN,  /* could not be checked: reason says why */
	NID_CHECK_SKIPPED   /* not checked because the user said so, or
	                       nothing to check against (no manifest) */
} nid_check_result;

struct nid_check {
	const char *id;          /* "data.hashes", "sod.signature", ... */
	nid_check_result result;
	int required;            /* counts for the verdict */
	char reason[NID_CHECK_REASON_MAX];
};

const char *nid_check_result_str(nid_check_result r);  /* "pass", ... */
void nid_check_set(struct nid_check *c, nid_check_result r,
    const char *fmt, ...) NID_PRINTF(3, 4);

/* ---- EF.SOD / EF.CardSecurity ---------------------------------------- */

typedef enum nid_sod_kind {
	NID_SOD_KIND_SOD = 1,          /* EF.SOD, LDS Security Object */
	NID_SOD_KIND_CARD_SECURITY     /* EF.CardSecurity, SecurityInfos */
} nid_sod_kind;

struct nid_sod_dg {
	unsigned n;                    /* 1..16 */
	uint8_t hash[NID_SOD_MAX_HASH];
	size_t hash_len;
};

typedef struct nid_sod {
	nid_sod_kind kind;
	CMS_ContentInfo *cms;          /* owned */
	STACK_OF(X509) *certs;         /* owned: certificates in SignedData */
	const uint8_t *econtent;       /* borrowed from cms */
	size_t econtent_len;
	int ber_indefinite;            /* the ContentInfo has an indefinite
	                                  length (BER, e.g. NZ) */

	/* LDSSecurityObject (kind SOD only) */
	long lds_version;              /* 0 or 1 */
	int lds_md_nid;                /* hashAlgorithm */
	char lds_version_info[16];     /* v1: ldsVersion "0108", else "" */
	char unicode_version[16];      /* v1: unicodeVersion "040000" */
	struct nid_sod_dg dgs[NID_SOD_MAX_DGS];
	size_t ndgs;

	/* SignerInfo (the first; count kept) */
	size_t nsigners;
	int digest_nid;                /* SignerInfo digestAlgorithm */
	int sig_nid;                   /* signatureAlgorithm OID as NID */
	int has_signing_time;
	time_t signing_time;
} nid_sod_t;

/*
 * Parse EF.SOD ('77' wrapper) or EF.CardSecurity (bare ContentInfo); the
 * kind is taken from the eContentType. BER (indefinite lengths) is
 * accepted inside the CMS structure. Fails with NID_E_MALFORMED /
 * NID_E_TRUNCATED / NID_E_TRAILING / NID_E_TOO_LARGE on bad input
 * (details in the context), never a partial result.
 */
int nid_sod_parse(nid_ctx_t *ctx, const uint8_t *p, size_t len,
    nid_sod_t **out) NID_WUR;
void nid_sod_free(nid_sod_t **sp);

/* The DG hash listed for DG n, or NULL. */
const struct nid_sod_dg *nid_sod_find_dg(const nid_sod_t *sod, unsigned n);

/*
 * Parse an LDSSecurityObject (ICAO 9303-10 §4.6.2.2) from eContent into
 * sod's lds_* and dgs fields. Exposed for tests.
 */
int nid_sod_parse_lds(nid_ctx_t *ctx, const uint8_t *p, size_t len,
    nid_sod_t *sod) NID_WUR;

/* ---- CMS SignerInfo verification (EF.SOD, CardSecurity, master lists) */

/*
 * Verify the (single) SignerInfo of a parsed SignedData over eContent:
 * contentType attribute = eContentType, messageDigest = hash of eContent,
 * signature over the DER of the signed attributes (SET OF, RFC 5652 §5.4)
 * with EVP under the signer certificate found in certs by
 * issuerAndSerialNumber (names compared semantically), by
 * subjectKeyIdentifier, or, failing both, by serial number and key.
 * RSA PKCS#1 v1.5 (also with bare rsaEncryption as signature OID, hash
 * from digestAlgorithm), RSASSA-PSS with its parameters, ECDSA (DER, or
 * BSI TR-03111 plain r||s) incl. keys with explicit domain parameters.
 *
 * The result goes to chk; *signer (borrowed from certs) is set when the
 * signer certificate was found, whether or not the signature verified
 * (check chk->result). Returns an error only when the check could not run
 * (out of memory).
 */
int nid_cms_verify_signer(nid_ctx_t *ctx, CMS_ContentInfo *cms,
    const uint8_t *econtent, size_t econtent_len, STACK_OF(X509) *certs,
    struct nid_check *chk, X509 **signer) NID_WUR;

/*
 * Verify sig over data with key, using a signature AlgorithmIdentifier
 * (digest_nid is used when the OID names no hash: bare rsaEncryption).
 * *ok is 1 when valid, 0 when not; an unsupported algorithm gives
 * NID_E_UNSUPPORTED with the detail in why.
 */
int nid_sig_verify(EVP_PKEY *key, const X509_ALGOR *alg, int digest_nid,
    const uint8_t *data, size_t data_len, const uint8_t *sig, size_t sig_len,
    int *ok, char *why, size_t why_len) NID_WUR;

/* ---- names and times ------------------------------------------------- */

/*
 * Canonical form of a distinguished name for semantic comparison: every
 * attribute as "OID=value" with the value converted to UTF-8, leading and
 * trailing white space removed, inner runs of white space folded to one
 * space and ASCII case folded (RFC 5280 §7.1, RFC 4518), then sorted, so
 * that the RDN order does not matter (ICAO 9303-12 quirk: MY, ID).
 */
int nid_name_canon(const X509_NAME *name, char **out) NID_WUR;
/* 1 when the names are semantically equal, 0 when not (or on error). */
int nid_name_equal(const X509_NAME *a, const X509_NAME *b);
/* One-line RFC 2253-ish text of a name into buf. */
void nid_name_text(const X509_NAME *name, char *buf, size_t len);

/* ASN1_TIME to time_t (UTC); NID_E_MALFORMED when unparsable. */
int nid_asn1_time(const ASN1_TIME *t, time_t *out) NID_WUR;
/* "YYYY-MM-DD" (or with time when with_time) into buf (>= 21 bytes). */
void nid_time_text(time_t t, int with_time, char *buf, size_t len);

/* SHA-256 fingerprint of a certificate's DER. */
int nid_cert_sha256(X509 *x, uint8_t fp[32]) NID_WUR;

/* ---- creating an EF.SOD (sod_sign.c) ----------------------------------- */

enum nid_sod_sig {
	NID_SOD_SIG_DEFAULT = 0,  /* RSA: PKCS#1 v1.5; EC: ECDSA */
	NID_SOD_SIG_RSA_PSS       /* RSASSA-PSS, MGF1 with the same hash,
	                             salt = hash length (RFC 4055) */
};

struct nid_sod_sign_dg {
	unsigned n;               /* 1..16 */
	const uint8_t *p;         /* the whole DG, tag included */
	size_t len;
};

struct nid_sod_sign_params {
	long lds_version;         /* 0, or 1 with ldsVersionInfo 0108/040000 */
	int md_nid;               /* NID_sha256, NID_sha384 or NID_sha512:
	                             DG hashes, digestAlgorithm and signature */
	int sig;                  /* enum nid_sod_sig */
	time_t signing_time;      /* the signingTime attribute (OpenSSL's CMS
	                             always writes one); 0: now */
};

/*
 * Create an EF.SOD ('77' ‖ ContentInfo/SignedData, ICAO 9303-10 §4.6.2)
 * over the data groups, signed with ds_key, ds_cert embedded, SignerInfo
 * identified by issuerAndSerialNumber, signed attributes contentType,
 * messageDigest, signingTime. The bytes are appended to out.
 */
int nid_sod_sign(nid_ctx_t *ctx, const struct nid_sod_sign_dg *dgs,
    size_t ndgs, X509 *ds_cert, EVP_PKEY *ds_key,
    const struct nid_sod_sign_params *params, nid_buf *out) NID_WUR;
/*
 * The signing half of nid_sod_sign: an LDSSecurityObject given as DER
 * bytes (built by the caller, e.g. the hostile card's SOD with 10 000
 * hashes) signed the same way; params->lds_version is not used.
 */
int nid_sod_sign_lds(nid_ctx_t *ctx, const uint8_t *lds, size_t lds_len,
    X509 *ds_cert, EVP_PKEY *ds_key, const struct nid_sod_sign_params *params,
    nid_buf *out) NID_WUR;
/* DER contents of the OID of a SHA-2 hash nid_sod_sign takes, as hex
 * (RFC 5754 §2); NULL for any other. */
const char *nid_sod_md_oid_hex(int md_nid);

#endif /* NID_SOD_H */
