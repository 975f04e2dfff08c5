/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_pki.c — `nidcard-sim pki init DIR`: a test PKI for passive
 * authentication, written as readable PEM files (docs/card-image.md,
 * "Test PKI"). Profiles after ICAO 9303-12 §7.1 (CSCA: CA, keyCertSign and
 * cRLSign, SKI; Document Signer: digitalSignature, AKI), the CRL after
 * 9303-12 §7.1.4 (signed by the CSCA, AKI, CRL number), the link
 * certificate after 9303-12 §5.1.1 (the new CSCA key signed by the old).
 * Test material only: the private keys are written unencrypted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sim_pki.h"
#include "sod.h"

#define PKI_EXIT_OK 0
#define PKI_EXIT_FAIL 1
#define PKI_EXIT_USAGE 2
#define PKI_EXIT_IO 4

#define DAY 86400L

struct pki_alg {
	const char *name;
	const char *type;      /* "RSA" or "EC" */
	size_t bits;
	const char *curve;
	int sig;               /* enum nid_sod_sig */
};

static const struct pki_alg pki_algs[] = {
	{ "rsa2048", "RSA", 2048, NULL, NID_SOD_SIG_DEFAULT },
	{ "rsa-pss2048", "RSA", 2048, NULL, NID_SOD_SIG_RSA_PSS },
	{ "ecdsa-p256", "EC", 0, "P-256", NID_SOD_SIG_DEFAULT },
	{ "ecdsa-p384", "EC", 0, "P-384", NID_SOD_SIG_DEFAULT },
};

static const struct {
	const char *name;
	int nid;
} pki_hashes[] = {
	{ "sha256", NID_sha256 },
	{ "sha384", NID_sha384 },
	{ "sha512", NID_sha512 },
};

struct pki_ctx {
	nid_ctx_t *ctx;
	const char *dir;
	const EVP_MD *md;
	time_t now;
};

static int
pki_key(nid_ctx_t *ctx, const char *type, size_t bits, const char *curve,
    EVP_PKEY **out)
{
	*out = strcmp(type, "RSA") == 0 ?
	    EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits) :
	    EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
	if (*out == NULL)
		return nid_ctx_set_detail(ctx, NID_E_CRYPTO, "%s key generation "
		    "failed", type);
	return NID_OK;
}

static int
pki_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

static int
pki_name(X509_NAME *n, const char *country, const char *cn)
{
	if (X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC,
	    (const unsigned char *)country, -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	    (const unsigned char *)"nidcard test PKI", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) != 1)
		return -1;
	return 0;
}

/*
 * A certificate for key, subject C=country, CN=cn, signed by issuer
 * (self-signed when NULL); ca: CSCA profile, else Document Signer
 * (ICAO 9303-12 §7.1.1, Table 6).
 */
static int
pki_cert(struct pki_ctx *pc, EVP_PKEY *key, const char *country,
    const char *cn, X509 *issuer, EVP_PKEY *issuer_key, long serial,
    time_t nb, time_t na, int ca, X509 **out)
{
	X509 *x = NULL;
	X509_NAME *n = NULL;
	int rc = NID_E_CRYPTO;

	*out = NULL;
	if ((x = X509_new()) == NULL || (n = X509_NAME_new()) == NULL ||
	    pki_name(n, country, cn) != 0 ||
	    X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), serial) != 1 ||
	    X509_set_subject_name(x, n) != 1 ||
	    X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : n) != 1 ||
	    ASN1_TIME_set(X509_getm_notBefore(x), nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), na) == NULL ||
	    X509_set_pubkey(x, key) != 1 ||
	    pki_ext(x, issuer, NID_subject_key_identifier, "hash") != 0 ||
	    pki_ext(x, issuer, NID_authority_key_identifier,
	    "keyid:always") != 0)
		goto out;
	if (ca) {
		if (pki_ext(x, issuer, NID_basic_constraints,
		    "critical,CA:TRUE,pathlen:0") != 0 ||
		    pki_ext(x, issuer, NID_key_usage,
		    "critical,keyCertSign,cRLSign") != 0)
			goto out;
	} else if (pki_ext(x, issuer, NID_key_usage,
	    "critical,digitalSignature") != 0)
		goto out;
	if (X509_sign(x, issuer_key != NULL ? issuer_key : key, pc->md) <= 0)
		goto out;
	*out = x;
	x = NULL;
	rc = NID_OK;
out:
	if (rc != NID_OK)
		rc = nid_ctx_set_detail(pc->ctx, rc, "certificate %s: OpenSSL "
		    "failed", cn);
	X509_NAME_free(n);
	X509_free(x);
	return rc;
}

/* CRL of ca listing serial, fresh: thisUpdate now - 1 h, nextUpdate
 * now + 30 days (ICAO 9303-12 §7.1.4). */
static int
pki_crl(struct pki_ctx *pc, X509 *ca, EVP_PKEY *ca_key,
    ASN1_INTEGER *serial, X509_CRL **out)
{
	X509_CRL *crl = NULL;
	ASN1_TIME *tu = NULL, *nu = NULL;
	X509_REVOKED *rev = NULL;
	ASN1_INTEGER *num = NULL;
	X509V3_CTX v3;
	X509_EXTENSION *ext = NULL;
	int rc = NID_E_CRYPTO;

	*out = NULL;
	if ((crl = X509_CRL_new()) == NULL ||
	    (tu = ASN1_TIME_set(NULL, pc->now - 3600)) == NULL ||
	    (nu = ASN1_TIME_set(NULL, pc->now + 30 * DAY)) == NULL ||
	    X509_CRL_set_version(crl, 1) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) != 1 ||
	    X509_CRL_set1_lastUpdate(crl, tu) != 1 ||
	    X509_CRL_set1_nextUpdate(crl, nu) != 1 ||
	    (rev = X509_REVOKED_new()) == NULL ||
	    X509_REVOKED_set_serialNumber(rev, serial) != 1 ||
	    X509_REVOKED_set_revocationDate(rev, tu) != 1 ||
	    X509_CRL_add0_revoked(crl, rev) != 1)
		goto out;
	rev = NULL;
	X509V3_set_ctx(&v3, ca, NULL, NULL, crl, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3,
	    NID_authority_key_identifier, "keyid:always")) == NULL ||
	    X509_CRL_add_ext(crl, ext, -1) != 1)
		goto out;
	if ((num = ASN1_INTEGER_new()) == NULL ||
	    ASN1_INTEGER_set(num, 1) != 1 ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1 ||
	    X509_CRL_sort(crl) != 1 ||
	    X509_CRL_sign(crl, ca_key, pc->md) <= 0)
		goto out;
	*out = crl;
	crl = NULL;
	rc = NID_OK;
out:
	if (rc != NID_OK)
		rc = nid_ctx_set_detail(pc->ctx, rc, "CRL: OpenSSL failed");
	X509_EXTENSION_free(ext);
	X509_REVOKED_free(rev);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	X509_CRL_free(crl);
	return rc;
}

static int
pki_open(struct pki_ctx *pc, const char *name, mode_t mode, FILE **fp)
{
	char path[4096];
	int fd;

	*fp = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", pc->dir, name) >=
	    sizeof(path))
		return nid_ctx_set_detail(pc->ctx, NID_E_INVALID_ARG,
		    "path too long");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1 ||
	    fchmod(fd, mode) == -1 || (*fp = fdopen(fd, "w")) == NULL) {
		if (fd != -1)
			close(fd);
		return nid_ctx_set_detail(pc->ctx, NID_E_IO, "%s: %s", path,
		    strerror(errno));
	}
	return NID_OK;
}

static int
pki_close(struct pki_ctx *pc, const char *name, FILE *fp, int wrote)
{
	if (fclose(fp) != 0 || !wrote)
		return nid_ctx_set_detail(pc->ctx, NID_E_IO, "%s/%s: cannot "
		    "write", pc->dir, name);
	return NID_OK;
}

/* NAME.pem (the certificate) and, with key, NAME.key (PKCS#8, 0600). */
static int
pki_write(struct pki_ctx *pc, const char *name, X509 *x, EVP_PKEY *key)
{
	char fn[128];
	FILE *fp;
	int rc;

	(void)snprintf(fn, sizeof(fn), "%s.pem", name);
	if ((rc = pki_open(pc, fn, 0644, &fp)) != NID_OK ||
	    (rc = pki_close(pc, fn, fp, PEM_write_X509(fp, x) == 1)) != NID_OK)
		return rc;
	if (key == NULL)
		return NID_OK;
	(void)snprintf(fn, sizeof(fn), "%s.key", name);
	if ((rc = pki_open(pc, fn, 0600, &fp)) != NID_OK)
		return rc;
	return pki_close(pc, fn, fp, PEM_write_PrivateKey(fp, key, NULL,
	    NULL, 0, NULL, NULL) == 1);
}

static int
pki_init(nid_ctx_t *ctx, const char *dir, const struct pki_alg *alg,
    const char *hash)
{
	struct pki_ctx pc;
	EVP_PKEY *k_csca = NULL, *k_ds = NULL, *k_fcsca = NULL, *k_fds = NULL;
	EVP_PKEY *k_rds = NULL, *k_eds = NULL, *k_new = NULL;
	X509 *csca = NULL, *ds = NULL, *fcsca = NULL, *fds = NULL;
	X509 *rds = NULL, *eds = NULL, *csca_new = NULL, *link = NULL;
	X509_CRL *crl = NULL;
	json_t *info = NULL;
	char path[4096];
	FILE *fp;
	time_t now = time(NULL);
	int rc;

	memset(&pc, 0, sizeof(pc));
	pc.ctx = ctx;
	pc.dir = dir;
	pc.now = now;
	if ((pc.md = EVP_get_digestbyname(hash)) == NULL)
		return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG, "bad hash");
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return nid_ctx_set_detail(ctx, NID_E_IO, "%s: %s", dir,
		    strerror(errno));
	/* CSCA keys: EC P-384 for every DS choice (fast to generate). */
	if ((rc = pki_key(ctx, "EC", 0, "P-384", &k_csca)) != NID_OK ||
	    (rc = pki_key(ctx, "EC", 0, "P-384", &k_fcsca)) != NID_OK ||
	    (rc = pki_key(ctx, "EC", 0, "P-384", &k_new)) != NID_OK ||
	    (rc = pki_key(ctx, alg->type, alg->bits, alg->curve, &k_ds)) !=
	    NID_OK ||
	    (rc = pki_key(ctx, alg->type, alg->bits, alg->curve, &k_fds)) !=
	    NID_OK ||
	    (rc = pki_key(ctx, alg->type, alg->bits, alg->curve, &k_rds)) !=
	    NID_OK ||
	    (rc = pki_key(ctx, alg->type, alg->bits, alg->curve, &k_eds)) !=
	    NID_OK)
		goto out;
	/* Validity: the CSCA covers the expired DS's period too. */
	if ((rc = pki_cert(&pc, k_csca, "UT", "nidcard test CSCA", NULL, NULL,
	    1, now - 3 * 365 * DAY, now + 10 * 365 * DAY, 1, &csca)) !=
	    NID_OK ||
	    (rc = pki_cert(&pc, k_ds, "UT", "nidcard test DS", csca, k_csca,
	    0x10, now - DAY, now + 365 * DAY, 0, &ds)) != NID_OK ||
	    (rc = pki_cert(&pc, k_rds, "UT", "nidcard test DS (revoked)",
	    csca, k_csca, 0x11, now - DAY, now + 365 * DAY, 0, &rds)) !=
	    NID_OK ||
	    (rc = pki_cert(&pc, k_eds, "UT", "nidcard test DS (expired)",
	    csca, k_csca, 0x12, now - 2 * 365 * DAY, now - 365 * DAY, 0,
	    &eds)) != NID_OK ||
	    /* The foreign CSCA bears the genuine CSCA's name with its own
	     * key: its DS finds a CSCA by issuer name whose key does not
	     * verify it (an impostor, ICAO 9303-11 §5.1 step 2 fails). */
	    (rc = pki_cert(&pc, k_fcsca, "UT", "nidcard test CSCA", NULL,
	    NULL, 1, now - DAY, now + 10 * 365 * DAY, 1, &fcsca)) != NID_OK ||
	    (rc = pki_cert(&pc, k_fds, "UT", "nidcard foreign DS", fcsca,
	    k_fcsca, 0x10, now - DAY, now + 365 * DAY, 0, &fds)) != NID_OK ||
	    (rc = pki_cert(&pc, k_new, "UT", "nidcard test CSCA 2", NULL, NULL,
	    2, now - DAY, now + 10 * 365 * DAY, 1, &csca_new)) != NID_OK ||
	    (rc = pki_cert(&pc, k_new, "UT", "nidcard test CSCA 2", csca,
	    k_csca, 3, now - DAY, now + 10 * 365 * DAY, 1, &link)) != NID_OK ||
	    (rc = pki_crl(&pc, csca, k_csca, X509_get_serialNumber(rds),
	    &crl)) != NID_OK)
		goto out;
	if ((rc = pki_write(&pc, "csca", csca, k_csca)) != NID_OK ||
	    (rc = pki_write(&pc, "ds", ds, k_ds)) != NID_OK ||
	    (rc = pki_write(&pc, "revoked-ds", rds, k_rds)) != NID_OK ||
	    (rc = pki_write(&pc, "expired-ds", eds, k_eds)) != NID_OK ||
	    (rc = pki_write(&pc, "foreign-csca", fcsca, k_fcsca)) != NID_OK ||
	    (rc = pki_write(&pc, "foreign-ds", fds, k_fds)) != NID_OK ||
	    (rc = pki_write(&pc, "csca-new", csca_new, k_new)) != NID_OK ||
	    (rc = pki_write(&pc, "link", link, NULL)) != NID_OK)
		goto out;
	if ((rc = pki_open(&pc, "crl.pem", 0644, &fp)) != NID_OK ||
	    (rc = pki_close(&pc, "crl.pem", fp, PEM_write_X509_CRL(fp, crl) ==
	    1)) != NID_OK)
		goto out;
	info = json_pack("{s:s, s:s, s:s}", "format", NID_SIM_PKI_FORMAT,
	    "ds_key", alg->name, "hash", hash);
	if (info == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	(void)snprintf(path, sizeof(path), "%s/pki.json", dir);
	if (json_dump_file(info, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
	    != 0) {
		rc = nid_ctx_set_detail(ctx, NID_E_IO, "%s: cannot write", path);
		goto out;
	}
	rc = NID_OK;
out:
	json_decref(info);
	X509_CRL_free(crl);
	X509_free(csca);
	X509_free(ds);
	X509_free(rds);
	X509_free(eds);
	X509_free(fcsca);
	X509_free(fds);
	X509_free(csca_new);
	X509_free(link);
	EVP_PKEY_free(k_csca);
	EVP_PKEY_free(k_ds);
	EVP_PKEY_free(k_fcsca);
	EVP_PKEY_free(k_fds);
	EVP_PKEY_free(k_rds);
	EVP_PKEY_free(k_eds);
	EVP_PKEY_free(k_new);
	return rc;
}

int
nid_sim_pki_params(nid_ctx_t *ctx, const char *dir, int *md_nid, int *sig)
{
	char path[4096];
	json_t *root = NULL;
	json_error_t jerr;
	const char *fmt, *key, *hash;
	size_t i;
	int rc = NID_E_MALFORMED;

	*md_nid = 0;
	*sig = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/pki.json", dir) >=
	    sizeof(path))
		return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "path too long");
	if ((root = json_load_file(path, 0, &jerr)) == NULL)
		return nid_ctx_set_detail(ctx, NID_E_IO, "%s: %s (create it "
		    "with 'nidcard-sim pki init')", path, jerr.text);
	if (json_unpack(root, "{s:s, s:s, s:s}", "format", &fmt, "ds_key",
	    &key, "hash", &hash) != 0 || strcmp(fmt, NID_SIM_PKI_FORMAT) != 0) {
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED, "%s: not a %s "
		    "file", path, NID_SIM_PKI_FORMAT);
		goto out;
	}
	for (i = 0; i < NID_NELEM(pki_hashes); i++)
		if (strcmp(hash, pki_hashes[i].name) == 0)
			*md_nid = pki_hashes[i].nid;
	for (i = 0; i < NID_NELEM(pki_algs); i++)
		if (strcmp(key, pki_algs[i].name) == 0)
			*sig = pki_algs[i].sig;
	if (*md_nid == 0) {
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED, "%s: unknown "
		    "hash '%s'", path, hash);
		goto out;
	}
	rc = NID_OK;
out:
	json_decref(root);
	return rc;
}

static void
pki_usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: nidcard-sim pki init DIR [--ds-key rsa2048|rsa-pss2048|"
	    "ecdsa-p256|ecdsa-p384]\n"
	    "         [--hash sha256|sha384|sha512]\n\n"
	    "Create a throw-away test PKI for passive authentication in DIR\n"
	    "(created if missing; files overwritten): csca.pem/.key, ds.pem/.key,\n"
	    "revoked-ds.pem/.key, expired-ds.pem/.key, crl.pem (lists the\n"
	    "revoked DS), foreign-csca.pem/.key, foreign-ds.pem/.key,\n"
	    "csca-new.pem/.key, link.pem (csca-new's key signed by csca) and\n"
	    "pki.json. Sign a card with it: nidcard-sim issue ... --pki DIR.\n"
	    "The private keys are unencrypted: test material only.\n\n"
	    "  --ds-key A   the Document Signer keys (default ecdsa-p256);\n"
	    "               CSCA keys are always ECDSA P-384\n"
	    "  --hash H     DG hashes, EF.SOD and certificate signatures\n"
	    "               (default sha256)\n\n"
	    "Exit status: 0 written, 1 OpenSSL failure, 2 usage error,\n"
	    "4 DIR not writable.\n");
}

int
nid_sim_pki_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ds-key", required_argument, NULL, 'k' },
		{ "hash", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct pki_alg *alg = &pki_algs[2];
	const char *hash = "sha256";
	nid_ctx_t *ctx = NULL;
	size_t i;
	int c, rc, ret, found;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			for (i = 0, found = 0; i < NID_NELEM(pki_algs); i++)
				if (strcmp(optarg, pki_algs[i].name) == 0) {
					alg = &pki_algs[i];
					found = 1;
				}
			if (!found) {
				fprintf(stderr, "nidcard-sim pki: bad --ds-key "
				    "'%s'\n", optarg);
				return PKI_EXIT_USAGE;
			}
			break;
		case 'H':
			for (i = 0, found = 0; i < NID_NELEM(pki_hashes); i++)
				if (strcmp(optarg, pki_hashes[i].name) == 0) {
					hash = pki_hashes[i].name;
					found = 1;
				}
			if (!found) {
				fprintf(stderr, "nidcard-sim pki: bad --hash "
				    "'%s'\n", optarg);
				return PKI_EXIT_USAGE;
			}
			break;
		case 'h':
			pki_usage(stdout);
			return PKI_EXIT_OK;
		default:
			fprintf(stderr, "try 'nidcard-sim pki --help'\n");
			return PKI_EXIT_USAGE;
		}
	}
	if (optind != argc - 2 || strcmp(argv[optind], "init") != 0) {
		fprintf(stderr, "nidcard-sim pki: expected 'init DIR'; try "
		    "'nidcard-sim pki --help'\n");
		return PKI_EXIT_USAGE;
	}
	if (nid_ctx_new(&ctx) != NID_OK) {
		fprintf(stderr, "nidcard-sim pki: out of memory\n");
		return PKI_EXIT_IO;
	}
	rc = pki_init(ctx, argv[optind + 1], alg, hash);
	if (rc == NID_OK) {
		printf("%s: test PKI written (DS keys %s, %s)\n",
		    argv[optind + 1], alg->name, hash);
		ret = PKI_EXIT_OK;
	} else {
		fprintf(stderr, "nidcard-sim pki: %s\n", nid_ctx_detail(ctx));
		ret = rc == NID_E_IO ? PKI_EXIT_IO : rc == NID_E_INVALID_ARG ?
		    PKI_EXIT_USAGE : PKI_EXIT_FAIL;
	}
	nid_ctx_free(&ctx);
	return ret;
}
