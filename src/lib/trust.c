/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * trust.c — the trust store: CSCA certificates, CSCA master lists
 * (ICAO 9303-12 §9), link certificates and CRLs. See trust.h.
 *
 * Certificates are matched to their issuer semantically (nid_name_canon:
 * RDN order and ASCII case do not matter, ICAO 9303 quirks of MY, ID and
 * UK's lower-case "C=gb") and by AKI/SKI; signatures are checked with the
 * issuer's key directly (X509_verify), never through X509_verify_cert,
 * which refuses the explicit EC domain parameters that many CSCAs use.
 */
#include "config.h"

#define OPENSSL_NO_DEPRECATED 1

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sod.h"
#include "trust.h"

#ifndef NID_TRUST_DIR
#define NID_TRUST_DIR "/etc/nidcard/trust"
#endif

const char *
nid_trust_default_dir(void)
{
	return NID_TRUST_DIR;
}

int
nid_trust_new(nid_ctx_t *ctx, nid_trust_t **out)
{
	nid_trust_t *t;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NID_E_NOMEM;
	t->ctx = ctx;
	*out = t;
	return NID_OK;
}

void
nid_trust_free(nid_trust_t **tp)
{
	nid_trust_t *t;
	size_t i;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	for (i = 0; i < t->nanchors; i++) {
		X509_free(t->anchors[i].cert);
		free(t->anchors[i].canon_subject);
	}
	for (i = 0; i < t->ncrls; i++) {
		X509_CRL_free(t->crls[i].crl);
		free(t->crls[i].canon_issuer);
	}
	free(t->anchors);
	free(t->crls);
	free(t);
	*tp = NULL;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* Take ownership of x (freed on every path). */
static int
add_anchor(nid_trust_t *t, X509 *x, const char *source, int unverified)
{
	struct nid_trust_anchor *a, *na;
	uint8_t fp[32];
	char *canon = NULL, *ci = NULL;
	size_t i, l;
	int rc;

	if ((rc = nid_cert_sha256(x, fp)) != NID_OK)
		goto out;
	for (i = 0; i < t->nanchors; i++) {
		a = &t->anchors[i];
		if (memcmp(a->fp, fp, 32) != 0)
			continue;
		/* Seen before: keep the first entry, extend its source, and
		 * let a verified source override an unverified one. */
		t->duplicates++;
		l = strlen(a->source);
		if (l + 8 < sizeof(a->source) &&
		    strstr(a->source, source) == NULL)
			(void)snprintf(a->source + l, sizeof(a->source) - l,
			    "; %s", source);
		if (!unverified)
			a->from_masterlist_unverified = 0;
		rc = NID_OK;
		goto out;
	}
	if (t->nanchors >= NID_TRUST_MAX_ANCHORS) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_TOO_LARGE, "more than "
		    "%u trust anchors", NID_TRUST_MAX_ANCHORS);
		goto out;
	}
	if (t->nanchors == t->anchors_cap) {
		size_t nc = t->anchors_cap == 0 ? 64 : t->anchors_cap * 2;

		if ((na = reallocarray(t->anchors, nc, sizeof(*na))) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		t->anchors = na;
		t->anchors_cap = nc;
	}
	if ((rc = nid_name_canon(X509_get_subject_name(x), &canon)) != NID_OK ||
	    (rc = nid_name_canon(X509_get_issuer_name(x), &ci)) != NID_OK)
		goto out;
	a = &t->anchors[t->nanchors];
	memset(a, 0, sizeof(*a));
	a->cert = x;
	x = NULL;
	a->canon_subject = canon;
	canon = NULL;
	memcpy(a->fp, fp, 32);
	/* Self-signed: subject = issuer and the AKI, when present, names its
	 * own key. A link certificate may keep the DN (AT, ID) but is signed
	 * by the previous key (ICAO 9303-12 §5.1.1). Without AKI/SKI the
	 * signature decides. */
	a->self_signed = strcmp(a->canon_subject, ci) == 0;
	if (a->self_signed) {
		const ASN1_OCTET_STRING *aki, *ski;

		aki = X509_get0_authority_key_id(a->cert);
		ski = X509_get0_subject_key_id(a->cert);
		if (aki != NULL && ski != NULL)
			a->self_signed = ASN1_OCTET_STRING_cmp(aki, ski) == 0;
		else
			a->self_signed = nid_trust_verify_cert_by(a, a->cert);
	}
	a->link = !a->self_signed;
	a->from_masterlist_unverified = unverified;
	(void)snprintf(a->source, sizeof(a->source), "%s", source);
	t->nanchors++;
	rc = NID_OK;
 out:
	X509_free(x);
	free(canon);
	free(ci);
	return rc;
}

int
nid_trust_add_cert(nid_trust_t *t, X509 *x, const char *source)
{
	if (X509_up_ref(x) != 1)
		return NID_E_NOMEM;
	return add_anchor(t, x, source, 0);
}

static int
is_pem(const uint8_t *p, size_t len)
{
	return len >= 11 && memmem(p, len < 4096 ? len : 4096, "-----BEGIN ",
	    11) != NULL;
}

static int
add_csca_file(nid_trust_t *t, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	const unsigned char *pp;
	BIO *bio = NULL;
	X509 *x;
	char src[NID_TRUST_SOURCE_MAX];
	int rc, n = 0;

	if ((rc = nid_file_read(t->ctx, path, NID_TRUST_MAX_FILE, &buf,
	    &len)) != NID_OK)
		goto out;
	(void)snprintf(src, sizeof(src), "file %s", path);
	if (is_pem(buf, len)) {
		if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
			if ((rc = add_anchor(t, x, src, 0)) != NID_OK)
				goto out;
			n++;
		}
		ERR_clear_error();
	} else {
		pp = buf;
		if (len <= NID_TRUST_MAX_CERT &&
		    (x = d2i_X509(NULL, &pp, (long)len)) != NULL) {
			if ((size_t)(pp - buf) != len) {
				X509_free(x);
				rc = nid_ctx_set_detail(t->ctx, NID_E_TRAILING,
				    "%s: bytes after the certificate", path);
				goto out;
			}
			if ((rc = add_anchor(t, x, src, 0)) != NID_OK)
				goto out;
			n++;
		}
		ERR_clear_error();
	}
	if (n == 0) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_MALFORMED, "%s: no "
		    "X.509 certificate (DER or PEM)", path);
		goto out;
	}
	rc = NID_OK;
 out:
	BIO_free(bio);
	free(buf);
	return rc;
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files of a folder, sorted, as "dir/name" strings. */
static int
list_dir(nid_trust_t *t, const char *dir, char ***out, size_t *n)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char **v = NULL, **nv, path[4096];
	size_t cnt = 0, cap = 0, i;
	int rc = NID_OK;

	*out = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return nid_ctx_set_detail(t->ctx, NID_E_IO, "%s: %s", dir,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= sizeof(path))
			continue;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (cnt >= NID_TRUST_MAX_DIR_FILES) {
			rc = nid_ctx_set_detail(t->ctx, NID_E_TOO_LARGE,
			    "%s: more than %u files", dir,
			    NID_TRUST_MAX_DIR_FILES);
			goto out;
		}
		if (cnt == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				rc = NID_E_NOMEM;
				goto out;
			}
			v = nv;
		}
		if ((v[cnt] = strdup(path)) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		cnt++;
	}
	if (cnt > 0)
		qsort(v, cnt, sizeof(*v), cmp_cstr);
	*out = v;
	*n = cnt;
	v = NULL;
	cnt = 0;
 out:
	closedir(d);
	for (i = 0; i < cnt; i++)
		free(v[i]);
	free(v);
	return rc;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
nid_trust_add_csca_path(nid_trust_t *t, const char *path)
{
	char **files = NULL;
	size_t n = 0, i;
	int rc;

	if (!is_dir(path))
		return add_csca_file(t, path);
	if ((rc = list_dir(t, path, &files, &n)) != NID_OK)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = add_csca_file(t, files[i])) != NID_OK)
			break;
	free_list(files, n);
	return rc;
}

/* ---- master lists (ICAO 9303-12 §9) ---------------------------------- */

int
nid_masterlist_parse_certs(nid_ctx_t *ctx, const uint8_t *p, size_t len,
    STACK_OF(X509) **out)
{
	STACK_OF(X509) *sk = NULL;
	nid_cur top, ml, ver, set, cv;
	const uint8_t *start;
	const unsigned char *pp;
	uint32_t tag;
	X509 *x;
	size_t total;
	int rc;

	*out = NULL;
	nid_cur_init(&top, p, len);
	/* CscaMasterList ::= SEQUENCE { version CscaMasterListVersion (v0),
	 *   certList SET OF Certificate } */
	if ((rc = nid_tlv_expect(&top, 0, 0x30, &ml)) != NID_OK ||
	    (rc = nid_tlv_expect(&ml, 0, 0x02, &ver)) != NID_OK ||
	    (rc = nid_tlv_expect(&ml, 0, 0x31, &set)) != NID_OK)
		goto bad;
	if (top.len != 0 || ml.len != 0) {
		rc = NID_E_TRAILING;
		goto bad;
	}
	if (ver.len != 1 || ver.p[0] != 0) {
		rc = NID_E_MALFORMED;
		goto bad;
	}
	if ((sk = sk_X509_new_null()) == NULL)
		return NID_E_NOMEM;
	while (set.len > 0) {
		if ((size_t)sk_X509_num(sk) >= NID_TRUST_MAX_ANCHORS) {
			rc = NID_E_TOO_LARGE;
			goto bad;
		}
		start = set.p;
		if ((rc = nid_tlv_next(&set, 0, &tag, &cv)) != NID_OK)
			goto bad;
		total = (size_t)(cv.p - start) + cv.len;
		if (tag != 0x30 || total > NID_TRUST_MAX_CERT) {
			rc = NID_E_MALFORMED;
			goto bad;
		}
		pp = start;
		if ((x = d2i_X509(NULL, &pp, (long)total)) == NULL ||
		    (size_t)(pp - start) != total) {
			X509_free(x);
			ERR_clear_error();
			rc = NID_E_MALFORMED;
			goto bad;
		}
		if (sk_X509_push(sk, x) <= 0) {
			X509_free(x);
			rc = NID_E_NOMEM;
			goto out;
		}
	}
	*out = sk;
	sk = NULL;
	rc = NID_OK;
	goto out;
 bad:
	nid_ctx_set_detail(ctx, rc, "malformed CscaMasterList (ICAO 9303-12 "
	    "§9): %s", nid_strerror(rc));
 out:
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

size_t
nid_trust_candidates(const nid_trust_t *t, X509 *cert, size_t *idx,
    size_t max)
{
	const ASN1_OCTET_STRING *aki, *ski;
	char *ci = NULL;
	size_t n = 0, i, j;
	int pass, dup;

	aki = X509_get0_authority_key_id(cert);
	if (nid_name_canon(X509_get_issuer_name(cert), &ci) != NID_OK)
		ci = NULL;
	/* pass 0: AKI = SKI; pass 1: issuer = subject (semantic) */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < t->nanchors && n < max; i++) {
			const struct nid_trust_anchor *a = &t->anchors[i];

			if (pass == 0) {
				ski = X509_get0_subject_key_id(a->cert);
				if (aki == NULL || ski == NULL ||
				    ASN1_OCTET_STRING_cmp(aki, ski) != 0)
					continue;
			} else if (ci == NULL ||
			    strcmp(ci, a->canon_subject) != 0)
				continue;
			for (dup = 0, j = 0; j < n; j++)
				if (idx[j] == i)
					dup = 1;
			if (!dup)
				idx[n++] = i;
		}
	}
	free(ci);
	return n;
}

int
nid_trust_verify_cert_by(const struct nid_trust_anchor *a, X509 *cert)
{
	EVP_PKEY *key = X509_get0_pubkey(a->cert);
	int r;

	if (key == NULL) {
		ERR_clear_error();
		return 0;
	}
	ERR_set_mark();
	r = X509_verify(cert, key);
	ERR_pop_to_mark();
	return r == 1;
}

int
nid_trust_add_masterlist(nid_trust_t *t, const char *path, int unverified,
    char *why, size_t why_len)
{
	CMS_ContentInfo *cms = NULL;
	STACK_OF(X509) *certs = NULL, *list = NULL;
	ASN1_OCTET_STRING **pos;
	uint8_t *buf = NULL;
	size_t len = 0, idx[64], nc, i;
	const unsigned char *pp;
	struct nid_check chk;
	X509 *signer = NULL;
	const struct nid_trust_anchor *by = NULL;
	char src[NID_TRUST_SOURCE_MAX], sname[256], problem[400] = "";
	int rc, k;

	if (why != NULL && why_len > 0)
		why[0] = '\0';
	memset(&chk, 0, sizeof(chk));
	if ((rc = nid_file_read(t->ctx, path, NID_TRUST_MAX_FILE, &buf,
	    &len)) != NID_OK)
		goto out;
	pp = buf;
	if ((cms = d2i_CMS_ContentInfo(NULL, &pp, (long)len)) == NULL) {
		rc = nid_ctx_set_openssl_detail(t->ctx, NID_E_MALFORMED, path);
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    OBJ_obj2txt(sname, sizeof(sname), CMS_get0_eContentType(cms),
	    1) <= 0 || strcmp(sname, NID_OID_CSCA_MASTER_LIST) != 0) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_MALFORMED, "%s: not a "
		    "CSCA master list (SignedData, eContentType %s)", path,
		    NID_OID_CSCA_MASTER_LIST);
		goto out;
	}
	if ((pos = CMS_get0_content(cms)) == NULL || *pos == NULL) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_MALFORMED, "%s: master "
		    "list without content", path);
		goto out;
	}
	if ((certs = CMS_get1_certs(cms)) == NULL &&
	    (certs = sk_X509_new_null()) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if ((rc = nid_cms_verify_signer(t->ctx, cms,
	    ASN1_STRING_get0_data(*pos), (size_t)ASN1_STRING_length(*pos),
	    certs, &chk, &signer)) != NID_OK)
		goto out;
	sname[0] = '\0';
	if (chk.result != NID_CHECK_PASS) {
		(void)snprintf(problem, sizeof(problem), "signature: %s",
		    chk.reason);
	} else {
		nid_name_text(X509_get_subject_name(signer), sname,
		    sizeof(sname));
		/* The signer must be signed by a CSCA given directly (not
		 * one that came from a master list). */
		nc = nid_trust_candidates(t, signer, idx, NID_NELEM(idx));
		for (i = 0; i < nc && by == NULL; i++) {
			const struct nid_trust_anchor *a = &t->anchors[idx[i]];

			if (strncmp(a->source, "file ", 5) != 0)
				continue;
			if (nid_trust_verify_cert_by(a, signer))
				by = a;
		}
		if (by == NULL)
			(void)snprintf(problem, sizeof(problem), "signer %s is "
			    "not signed by a CSCA given with --csca", sname);
	}
	if (by == NULL && !unverified) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_NO_TRUST, "master list "
		    "%s refused: %s", path, problem);
		goto out;
	}
	if ((rc = nid_masterlist_parse_certs(t->ctx,
	    ASN1_STRING_get0_data(*pos), (size_t)ASN1_STRING_length(*pos),
	    &list)) != NID_OK)
		goto out;
	if (by != NULL) {
		char bname[200];

		nid_name_text(X509_get_subject_name(by->cert), bname,
		    sizeof(bname));
		(void)snprintf(src, sizeof(src), "master list %s, signed by "
		    "%s (verified with CSCA %s)", base_name(path), sname,
		    bname);
	} else {
		(void)snprintf(src, sizeof(src), "master list %s, UNVERIFIED "
		    "(%s)", base_name(path), problem);
		t->unverified_masterlists = 1;
		if (why != NULL)
			(void)snprintf(why, why_len, "%s", problem);
	}
	for (k = 0; k < sk_X509_num(list); k++) {
		X509 *x = sk_X509_value(list, k);

		if (X509_up_ref(x) != 1) {
			rc = NID_E_NOMEM;
			goto out;
		}
		if ((rc = add_anchor(t, x, src, by == NULL)) != NID_OK)
			goto out;
	}
	t->nmasterlists++;
	rc = NID_OK;
 out:
	sk_X509_pop_free(list, X509_free);
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	free(buf);
	return rc;
}

/* ---- CRLs --------------------------------------------------------------*/

static int
add_crl(nid_trust_t *t, X509_CRL *crl, const char *source)
{
	struct nid_trust_crl *c, *nc;
	char *canon = NULL;
	int rc;

	if (t->ncrls >= NID_TRUST_MAX_CRLS) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_TOO_LARGE, "more than %u "
		    "CRLs", NID_TRUST_MAX_CRLS);
		goto out;
	}
	if (t->ncrls == t->crls_cap) {
		size_t cap = t->crls_cap == 0 ? 8 : t->crls_cap * 2;

		if ((nc = reallocarray(t->crls, cap, sizeof(*nc))) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		t->crls = nc;
		t->crls_cap = cap;
	}
	if ((rc = nid_name_canon(X509_CRL_get_issuer(crl), &canon)) != NID_OK)
		goto out;
	c = &t->crls[t->ncrls++];
	c->crl = crl;
	crl = NULL;
	c->canon_issuer = canon;
	canon = NULL;
	(void)snprintf(c->source, sizeof(c->source), "%s", source);
	rc = NID_OK;
 out:
	X509_CRL_free(crl);
	free(canon);
	return rc;
}

int
nid_trust_add_crl(nid_trust_t *t, X509_CRL *crl, const char *source)
{
	if (X509_CRL_up_ref(crl) != 1)
		return NID_E_NOMEM;
	return add_crl(t, crl, source);
}

static int
add_crl_file(nid_trust_t *t, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	const unsigned char *pp;
	BIO *bio = NULL;
	X509_CRL *crl;
	char src[NID_TRUST_SOURCE_MAX];
	int rc, n = 0;

	(void)snprintf(src, sizeof(src), "file %s", path);

	if ((rc = nid_file_read(t->ctx, path, NID_TRUST_MAX_FILE, &buf,
	    &len)) != NID_OK)
		goto out;
	if (is_pem(buf, len)) {
		if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) !=
		    NULL) {
			if ((rc = add_crl(t, crl, src)) != NID_OK)
				goto out;
			n++;
		}
	} else {
		pp = buf;
		if ((crl = d2i_X509_CRL(NULL, &pp, (long)len)) != NULL) {
			if ((rc = add_crl(t, crl, src)) != NID_OK)
				goto out;
			n++;
		}
	}
	ERR_clear_error();
	if (n == 0) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_MALFORMED, "%s: no CRL "
		    "(DER or PEM)", path);
		goto out;
	}
	rc = NID_OK;
 out:
	BIO_free(bio);
	free(buf);
	return rc;
}

int
nid_trust_add_crl_path(nid_trust_t *t, const char *path)
{
	char **files = NULL;
	size_t n = 0, i;
	int rc;

	if (!is_dir(path))
		return add_crl_file(t, path);
	if ((rc = list_dir(t, path, &files, &n)) != NID_OK)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = add_crl_file(t, files[i])) != NID_OK)
			break;
	free_list(files, n);
	return rc;
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcasecmp(s + a - b, suf) == 0;
}

int
nid_trust_load_dir(nid_trust_t *t, const char *dir, int *loaded)
{
	char **files = NULL;
	size_t n = 0, i;
	int rc = NID_OK, pass;

	*loaded = 0;
	if (!is_dir(dir))
		return NID_OK;
	if ((rc = list_dir(t, dir, &files, &n)) != NID_OK)
		return rc;
	/* CSCAs first, so that master lists can be verified against them */
	for (pass = 0; pass < 3 && rc == NID_OK; pass++)
		for (i = 0; i < n && rc == NID_OK; i++) {
			int ml = has_suffix(files[i], ".ml");
			int crl = has_suffix(files[i], ".crl");

			if (pass == 0 && !ml && !crl)
				rc = add_csca_file(t, files[i]);
			else if (pass == 1 && ml)
				rc = nid_trust_add_masterlist(t, files[i], 0,
				    NULL, 0);
			else if (pass == 2 && crl)
				rc = add_crl_file(t, files[i]);
		}
	free_list(files, n);
	if (rc == NID_OK)
		*loaded = 1;
	return rc;
}
