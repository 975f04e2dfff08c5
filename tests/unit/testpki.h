/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * testpki.h — a throw-away CSCA → DS PKI built with OpenSSL 3 for the
 * tests and benchmarks of the trust module: keys, certificates with
 * SKI/AKI (ICAO 9303-12 §7.1 profile, simplified), CRLs. Aborts on
 * OpenSSL failure (test code).
 */
#ifndef NID_TESTPKI_H
#define NID_TESTPKI_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#if defined(__GNUC__)
#define TP_UNUSED __attribute__((unused))
#else
#define TP_UNUSED
#endif

static void
tp_die(const char *what)
{
	fprintf(stderr, "testpki: %s failed\n", what);
	abort();
}

/* "RSA" (bits) or "EC" (curve name in curve) */
static EVP_PKEY *
tp_key(const char *type, size_t bits, const char *curve)
{
	EVP_PKEY *k;

	if (type[0] == 'R')
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
	if (k == NULL)
		tp_die("keygen");
	return k;
}

static void
tp_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL ||
	    X509_add_ext(x, ext, -1) != 1)
		tp_die("extension");
	X509_EXTENSION_free(ext);
}

/*
 * Certificate for key with CN=cn (C=UT, O=nidcard test), signed by
 * issuer/issuer_key (self-signed when issuer is NULL).
 */
static X509 *
tp_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
    long serial, time_t nb, time_t na, int ca)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	if (x == NULL || n == NULL ||
	    X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC,
	    (const unsigned char *)"UT", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	    (const unsigned char *)"nidcard test", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) != 1)
		tp_die("name");
	if (X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), serial) != 1 ||
	    X509_set_subject_name(x, n) != 1 ||
	    X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : n) != 1 ||
	    ASN1_TIME_set(X509_getm_notBefore(x), nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), na) == NULL ||
	    X509_set_pubkey(x, key) != 1)
		tp_die("certificate fields");
	tp_ext(x, issuer, NID_subject_key_identifier, "hash");
	tp_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
	if (ca)
		tp_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
	if (X509_sign(x, issuer_key != NULL ? issuer_key : key,
	    EVP_sha256()) <= 0)
		tp_die("X509_sign");
	X509_NAME_free(n);
	return x;
}

/* CRL of ca, thisUpdate tu, nextUpdate nu, revoking serial (if > 0) */
static TP_UNUSED X509_CRL *
tp_crl(X509 *ca, EVP_PKEY *ca_key, time_t tu, time_t nu, long serial)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t1 = ASN1_TIME_set(NULL, tu), *t2 = ASN1_TIME_set(NULL, nu);
	X509_REVOKED *rev;
	ASN1_INTEGER *sn = NULL;

	if (crl == NULL || t1 == NULL || t2 == NULL ||
	    X509_CRL_set_version(crl, 1) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) != 1 ||
	    X509_CRL_set1_lastUpdate(crl, t1) != 1 ||
	    X509_CRL_set1_nextUpdate(crl, t2) != 1)
		tp_die("CRL fields");
	if (serial > 0) {
		if ((rev = X509_REVOKED_new()) == NULL ||
		    (sn = ASN1_INTEGER_new()) == NULL ||
		    ASN1_INTEGER_set(sn, serial) != 1 ||
		    X509_REVOKED_set_serialNumber(rev, sn) != 1 ||
		    X509_REVOKED_set_revocationDate(rev, t1) != 1 ||
		    X509_CRL_add0_revoked(crl, rev) != 1)
			tp_die("CRL entry");
		ASN1_INTEGER_free(sn);
	}
	if (X509_CRL_sort(crl) != 1 ||
	    X509_CRL_sign(crl, ca_key, EVP_sha256()) <= 0)
		tp_die("X509_CRL_sign");
	ASN1_TIME_free(t1);
	ASN1_TIME_free(t2);
	return crl;
}

#endif /* NID_TESTPKI_H */
