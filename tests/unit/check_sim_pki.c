/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_sim_pki.c — `nidcard-sim pki init` (src/sim/sim_pki.c): for every
 * DS key / hash choice the PEM files parse, every certificate verifies
 * with its issuer's key (X509_verify), the profiles follow ICAO 9303-12
 * §7.1 (CSCA: CA, keyCertSign|cRLSign, SKI; DS: digitalSignature, AKI =
 * the CSCA's SKI), the validity periods are as documented
 * (docs/card-image.md "Test PKI"), the CRL verifies with the CSCA key and
 * lists the revoked DS's serial and no other, the link certificate
 * carries the new CSCA's key signed by the old; bad options exit 2.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "nid_internal.h"
#include "sim_pki.h"
#include "sod.h"
#include "testutil.h"

static const struct {
	const char *key, *hash;
	int key_type;        /* EVP_PKEY_RSA / EVP_PKEY_EC of the DS key */
	int md_nid, sig;     /* nid_sim_pki_params */
} pki_vectors[] = {
	{ "rsa2048", "sha256", EVP_PKEY_RSA, NID_sha256, NID_SOD_SIG_DEFAULT },
	{ "rsa-pss2048", "sha384", EVP_PKEY_RSA, NID_sha384,
	    NID_SOD_SIG_RSA_PSS },
	{ "ecdsa-p256", "sha256", EVP_PKEY_EC, NID_sha256,
	    NID_SOD_SIG_DEFAULT },
	{ "ecdsa-p384", "sha512", EVP_PKEY_EC, NID_sha512,
	    NID_SOD_SIG_DEFAULT },
};

static int
run_pki(const char *a1, const char *a2, const char *a3, const char *a4,
    const char *a5, const char *a6)
{
	const char *args[6] = { a1, a2, a3, a4, a5, a6 };
	char *argv[8];
	int argc = 0;
	size_t i;

	argv[argc++] = (char *)(uintptr_t)"pki";
	for (i = 0; i < NID_NELEM(args) && args[i] != NULL; i++)
		argv[argc++] = (char *)(uintptr_t)args[i];
	argv[argc] = NULL;
	return nid_sim_pki_main(argc, argv);
}

static X509 *
load_cert(const char *dir, const char *name)
{
	char path[4096];
	FILE *fp;
	X509 *x;

	snprintf(path, sizeof(path), "%s/%s.pem", dir, name);
	ck_assert_msg((fp = fopen(path, "r")) != NULL, "%s", path);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_msg(x != NULL, "%s: not a PEM certificate", path);
	return x;
}

static EVP_PKEY *
load_key(const char *dir, const char *name)
{
	char path[4096];
	FILE *fp;
	EVP_PKEY *k;

	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	ck_assert_msg((fp = fopen(path, "r")) != NULL, "%s", path);
	k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_msg(k != NULL, "%s: not a PEM private key", path);
	return k;
}

static void
rm_dir(const char *dir)
{
	static const char *files[] = { "csca.pem", "csca.key", "ds.pem",
	    "ds.key", "revoked-ds.pem", "revoked-ds.key", "expired-ds.pem",
	    "expired-ds.key", "foreign-csca.pem", "foreign-csca.key",
	    "foreign-ds.pem", "foreign-ds.key", "csca-new.pem", "csca-new.key",
	    "link.pem", "crl.pem", "pki.json" };
	char path[4096];
	size_t i;

	for (i = 0; i < NID_NELEM(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

/* X509_cmp_time: -1 earlier than t, 1 later */
static int
before(const ASN1_TIME *a, time_t t)
{
	return X509_cmp_time(a, &t) < 0;
}

static void
check_ds(X509 *ds, X509 *csca, EVP_PKEY *ds_key)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(csca);
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(ds);

	ck_assert_int_eq(X509_verify(ds, X509_get0_pubkey(csca)), 1);
	ck_assert_int_eq(X509_check_issued(csca, ds), X509_V_OK);
	ck_assert_int_eq(X509_check_ca(ds), 0);
	ck_assert(X509_get_key_usage(ds) == KU_DIGITAL_SIGNATURE);
	ck_assert(ski != NULL && aki != NULL);
	ck_assert_int_eq(ASN1_OCTET_STRING_cmp(ski, aki), 0);
	ck_assert_int_eq(X509_check_private_key(ds, ds_key), 1);
}

START_TEST(pki_init_table)
{
	char dir[] = "/tmp/check_sim_pki.XXXXXX";
	X509 *csca, *ds, *rds, *eds, *fcsca, *fds, *cnew, *link;
	EVP_PKEY *k_ds, *k_csca;
	X509_CRL *crl;
	X509_REVOKED *rev = NULL;
	nid_ctx_t *ctx = NULL;
	char path[4096];
	FILE *fp;
	time_t now = time(NULL);
	int md, sig, cert_md, cert_pk;

	ck_assert(mkdtemp(dir) != NULL);
	ck_assert_int_eq(run_pki("init", dir, "--ds-key",
	    pki_vectors[_i].key, "--hash", pki_vectors[_i].hash), 0);
	csca = load_cert(dir, "csca");
	ds = load_cert(dir, "ds");
	rds = load_cert(dir, "revoked-ds");
	eds = load_cert(dir, "expired-ds");
	fcsca = load_cert(dir, "foreign-csca");
	fds = load_cert(dir, "foreign-ds");
	cnew = load_cert(dir, "csca-new");
	link = load_cert(dir, "link");
	k_csca = load_key(dir, "csca");
	k_ds = load_key(dir, "ds");

	/* CSCA: self-signed CA, keyCertSign|cRLSign, SKI (9303-12 §7.1.1) */
	ck_assert_int_eq(X509_verify(csca, X509_get0_pubkey(csca)), 1);
	ck_assert_int_eq(X509_check_ca(csca), 1);
	ck_assert(X509_get_key_usage(csca) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
	ck_assert(X509_get0_subject_key_id(csca) != NULL);
	ck_assert_int_eq(X509_check_private_key(csca, k_csca), 1);
	ck_assert(before(X509_get0_notBefore(csca), now));
	ck_assert(!before(X509_get0_notAfter(csca), now));

	/* the DS keys have the chosen type and sign with the chosen hash */
	ck_assert_int_eq(EVP_PKEY_get_base_id(k_ds), pki_vectors[_i].key_type);
	ck_assert_int_eq(X509_get_signature_info(ds, &cert_md, &cert_pk, NULL,
	    NULL), 1);
	ck_assert_int_eq(cert_md, pki_vectors[_i].md_nid);
	ck_assert_int_eq(cert_pk, EVP_PKEY_EC);  /* CSCA keys: P-384 */
	check_ds(ds, csca, k_ds);
	ck_assert(before(X509_get0_notBefore(ds), now));
	ck_assert(!before(X509_get0_notAfter(ds), now));
	EVP_PKEY_free(k_ds);
	k_ds = load_key(dir, "revoked-ds");
	check_ds(rds, csca, k_ds);
	EVP_PKEY_free(k_ds);
	k_ds = load_key(dir, "expired-ds");
	check_ds(eds, csca, k_ds);
	/* expired: the whole validity in the past */
	ck_assert(before(X509_get0_notBefore(eds), now));
	ck_assert(before(X509_get0_notAfter(eds), now));
	EVP_PKEY_free(k_ds);

	/* foreign: the same issuer name, another key: X509_verify fails
	 * with the genuine CSCA, succeeds with the foreign one */
	k_ds = load_key(dir, "foreign-ds");
	check_ds(fds, fcsca, k_ds);
	ck_assert_int_eq(X509_NAME_cmp(X509_get_issuer_name(fds),
	    X509_get_subject_name(csca)), 0);
	ck_assert_int_ne(X509_verify(fds, X509_get0_pubkey(csca)), 1);
	ck_assert_int_ne(EVP_PKEY_eq(X509_get0_pubkey(fcsca),
	    X509_get0_pubkey(csca)), 1);
	EVP_PKEY_free(k_ds);

	/* link: csca-new's key and name, signed by the old CSCA (§5.1.1) */
	ck_assert_int_eq(X509_verify(link, X509_get0_pubkey(csca)), 1);
	ck_assert_int_eq(X509_verify(cnew, X509_get0_pubkey(cnew)), 1);
	ck_assert_int_eq(EVP_PKEY_eq(X509_get0_pubkey(link),
	    X509_get0_pubkey(cnew)), 1);
	ck_assert_int_eq(X509_NAME_cmp(X509_get_subject_name(link),
	    X509_get_subject_name(cnew)), 0);
	ck_assert_int_eq(X509_check_ca(link), 1);

	/* CRL: signed by the CSCA, fresh, lists the revoked DS only */
	snprintf(path, sizeof(path), "%s/crl.pem", dir);
	ck_assert((fp = fopen(path, "r")) != NULL);
	crl = PEM_read_X509_CRL(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert(crl != NULL);
	ck_assert_int_eq(X509_CRL_verify(crl, X509_get0_pubkey(csca)), 1);
	ck_assert_int_eq(X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(csca)), 0);
	ck_assert(before(X509_CRL_get0_lastUpdate(crl), now + 1));
	ck_assert(!before(X509_CRL_get0_nextUpdate(crl), now));
	ck_assert_int_eq(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 1);
	ck_assert_int_eq(X509_CRL_get0_by_serial(crl, &rev,
	    X509_get0_serialNumber(rds)), 1);
	ck_assert(rev != NULL);
	ck_assert_int_eq(X509_CRL_get0_by_serial(crl, &rev,
	    X509_get0_serialNumber(ds)), 0);

	/* pki.json → the EF.SOD parameters issue --pki uses */
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_sim_pki_params(ctx, dir, &md, &sig), NID_OK);
	ck_assert_int_eq(md, pki_vectors[_i].md_nid);
	ck_assert_int_eq(sig, pki_vectors[_i].sig);
	nid_ctx_free(&ctx);

	X509_CRL_free(crl);
	X509_free(csca);
	X509_free(ds);
	X509_free(rds);
	X509_free(eds);
	X509_free(fcsca);
	X509_free(fds);
	X509_free(cnew);
	X509_free(link);
	EVP_PKEY_free(k_csca);
	rm_dir(dir);
}
END_TEST

static const struct {
	const char *a1, *a2, *a3, *a4;
	int want;
} usage_vectors[] = {
	{ "init", "/tmp/x", "--ds-key", "dsa1024", 2 },
	{ "init", "/tmp/x", "--hash", "md5", 2 },
	{ "init", NULL, NULL, NULL, 2 },
	{ "create", "/tmp/x", NULL, NULL, 2 },
	{ NULL, NULL, NULL, NULL, 2 },
	{ "init", "/proc/nidcard-no/pki", NULL, NULL, 4 },
};

START_TEST(pki_usage_table)
{
	ck_assert_int_eq(run_pki(usage_vectors[_i].a1, usage_vectors[_i].a2,
	    usage_vectors[_i].a3, usage_vectors[_i].a4, NULL, NULL),
	    usage_vectors[_i].want);
}
END_TEST

START_TEST(pki_params_missing)
{
	nid_ctx_t *ctx = NULL;
	int md = -1, sig = -1;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_ne(nid_sim_pki_params(ctx, "/proc/nidcard-no", &md,
	    &sig), NID_OK);
	ck_assert_int_eq(md, 0);
	ck_assert_int_eq(sig, 0);
	nid_ctx_free(&ctx);
}
END_TEST

static Suite *
sim_pki_suite(void)
{
	Suite *s = suite_create("sim_pki");
	TCase *tc = tcase_create("init");

	tcase_add_loop_test(tc, pki_init_table, 0, (int)NID_NELEM(pki_vectors));
	tcase_add_loop_test(tc, pki_usage_table, 0,
	    (int)NID_NELEM(usage_vectors));
	tcase_add_test(tc, pki_params_missing);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(sim_pki_suite());
}
