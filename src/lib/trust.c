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
		free(t->crls[i].verified);
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

/* A certificate ready to enter the store: all that can fail is done. */
struct anchor_prep {
	X509 *x;               /* a reference of its own, or NULL (repeat) */
	uint8_t fp[32];
	char *canon;           /* nid_name_canon() of the subject */
	int self_signed;
	size_t dup;            /* index of the anchor it repeats, or SIZE_MAX */
};

static size_t
find_fp(const nid_trust_t *t, const uint8_t fp[32])
{
	size_t i;

	for (i = 0; i < t->nanchors; i++)
		if (memcmp(t->anchors[i].fp, fp, 32) == 0)
			return i;
	return SIZE_MAX;
}

static int
anchor_prepare(X509 *x, struct anchor_prep *p)
{
	struct nid_trust_anchor tmp;
	const ASN1_OCTET_STRING *aki, *ski;
	char *ci = NULL;
	int rc;

	if ((rc = nid_name_canon(X509_get_subject_name(x), &p->canon)) !=
	    NID_OK ||
	    (rc = nid_name_canon(X509_get_issuer_name(x), &ci)) != NID_OK)
		goto out;
	/* Self-signed: subject = issuer and the AKI, when present, names its
	 * own key. A link certificate may keep the DN (AT, ID) but is signed
	 * by the previous key (ICAO 9303-12 §5.1.1). Without AKI/SKI the
	 * signature decides. */
	p->self_signed = strcmp(p->canon, ci) == 0;
	if (p->self_signed) {
		aki = X509_get0_authority_key_id(x);
		ski = X509_get0_subject_key_id(x);
		if (aki != NULL && ski != NULL)
			p->self_signed = ASN1_OCTET_STRING_cmp(aki, ski) == 0;
		else {
			memset(&tmp, 0, sizeof(tmp));
			tmp.cert = x;
			p->self_signed = nid_trust_verify_cert_by(&tmp, x);
		}
	}
	if (X509_up_ref(x) != 1) {
		rc = NID_E_NOMEM;
		goto out;
	}
	p->x = x;
	rc = NID_OK;
 out:
	free(ci);
	return rc;
}

/*
 * Add every certificate of certs (the stack stays the caller's; the store
 * takes references), all or none: a certificate whose name cannot be
 * read, the anchor cap or memory refuses the whole set and leaves the
 * store as it was (no partial success: a refused master list or PEM file
 * brings no anchor). A certificate seen before is not duplicated: the
 * first entry keeps its place, its source is extended, and a verified
 * source overrides an unverified one.
 */
static int
add_anchors(nid_trust_t *t, STACK_OF(X509) *certs, const char *source,
    int unverified)
{
	struct anchor_prep *prep = NULL, *p;
	struct nid_trust_anchor *a, *na;
	size_t n, i, j, nnew = 0, cap, l;
	int rc;

	n = (size_t)sk_X509_num(certs);
	if (n == 0)
		return NID_OK;
	if ((prep = calloc(n, sizeof(*prep))) == NULL)
		return NID_E_NOMEM;
	for (i = 0; i < n; i++) {
		p = &prep[i];
		if ((rc = nid_cert_sha256(sk_X509_value(certs, (int)i),
		    p->fp)) != NID_OK)
			goto out;
		if ((p->dup = find_fp(t, p->fp)) != SIZE_MAX)
			continue;
		for (j = 0; j < i; j++)
			if (prep[j].x != NULL && memcmp(prep[j].fp, p->fp,
			    32) == 0)
				break;
		if (j < i)
			continue;	/* twice in this set: counted below */
		if ((rc = anchor_prepare(sk_X509_value(certs, (int)i), p)) !=
		    NID_OK)
			goto out;
		nnew++;
	}
	if (nnew > NID_TRUST_MAX_ANCHORS - t->nanchors) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_TOO_LARGE, "more than "
		    "%u trust anchors", NID_TRUST_MAX_ANCHORS);
		goto out;
	}
	if (t->nanchors + nnew > t->anchors_cap) {
		cap = t->anchors_cap == 0 ? 64 : t->anchors_cap * 2;
		if (cap < t->nanchors + nnew)
			cap = t->nanchors + nnew;
		if ((na = reallocarray(t->anchors, cap, sizeof(*na))) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		t->anchors = na;
		t->anchors_cap = cap;
	}
	/* Commit: nothing below fails. */
	for (i = 0; i < n; i++) {
		p = &prep[i];
		if (p->x == NULL) {
			t->duplicates++;
			if (p->dup == SIZE_MAX)
				continue;	/* repeated within the set */
			a = &t->anchors[p->dup];
			l = strlen(a->source);
			if (l + 8 < sizeof(a->source) &&
			    strstr(a->source, source) == NULL)
				(void)snprintf(a->source + l,
				    sizeof(a->source) - l, "; %s", source);
			if (!unverified)
				a->from_masterlist_unverified = 0;
			continue;
		}
		a = &t->anchors[t->nanchors++];
		memset(a, 0, sizeof(*a));
		a->cert = p->x;
		p->x = NULL;
		a->canon_subject = p->canon;
		p->canon = NULL;
		memcpy(a->fp, p->fp, 32);
		a->self_signed = p->self_signed;
		a->link = !a->self_signed;
		a->from_masterlist_unverified = unverified;
		(void)snprintf(a->source, sizeof(a->source), "%s", source);
	}
	rc = NID_OK;
 out:
	for (i = 0; i < n; i++) {
		X509_free(prep[i].x);
		free(prep[i].canon);
	}
	free(prep);
	return rc;
}

/* Take ownership of x (freed on every path). */
static int
add_anchor(nid_trust_t *t, X509 *x, const char *source, int unverified)
{
	STACK_OF(X509) *one;
	int rc;

	if ((one = sk_X509_new_null()) == NULL || sk_X509_push(one, x) <= 0) {
		X509_free(x);
		sk_X509_free(one);
		return NID_E_NOMEM;
	}
	rc = add_anchors(t, one, source, unverified);
	sk_X509_pop_free(one, X509_free);
	return rc;
}

int
nid_trust_add_cert(nid_trust_t *t, X509 *x, const char *source)
{
	if (X509_up_ref(x) != 1)
		return NID_E_NOMEM;
	return add_anchor(t, x, source, 0);
}

/*
 * PEM, not DER: a "-----BEGIN " line within the first 4 KiB (text such
 * as `openssl x509 -text` output may come before it), unless the file is
 * one DER SEQUENCE from its first byte to its last — a DER certificate or
 * CRL may carry that text in a name or an extension, and must not be read
 * as the PEM it contains (found by fuzz_crl: regress/crl/crl-der-read-as-
 * pem).
 */
static int
is_pem(const uint8_t *p, size_t len)
{
	size_t total;

	if (len >= 2 && p[0] == 0x30 && nid_tlv_total_len(p, len, &total) ==
	    NID_OK && total == len)
		return 0;
	return len >= 11 && memmem(p, len < 4096 ? len : 4096, "-----BEGIN ",
	    11) != NULL;
}

int
nid_trust_add_csca_mem(nid_trust_t *t, const uint8_t *p, size_t len,
    const char *name)
{
	STACK_OF(X509) *certs = NULL;
	const unsigned char *pp;
	BIO *bio = NULL;
	X509 *x;
	char src[NID_TRUST_SOURCE_MAX];
	int rc;

	if (len > NID_TRUST_MAX_FILE) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_TOO_LARGE, "%s: over %u "
		    "bytes", name, NID_TRUST_MAX_FILE);
		goto out;
	}
	if ((certs = sk_X509_new_null()) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	(void)snprintf(src, sizeof(src), "file %s", name);
	/* Every certificate first, then all of them or none (add_anchors). */
	if (is_pem(p, len)) {
		if ((bio = BIO_new_mem_buf(p, (int)len)) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
			if ((size_t)sk_X509_num(certs) >=
			    NID_TRUST_MAX_ANCHORS || sk_X509_push(certs, x) <= 0) {
				X509_free(x);
				rc = NID_E_TOO_LARGE;
				goto out;
			}
		}
		ERR_clear_error();
	} else {
		pp = p;
		if (len <= NID_TRUST_MAX_CERT &&
		    (x = d2i_X509(NULL, &pp, (long)len)) != NULL) {
			if ((size_t)(pp - p) != len) {
				X509_free(x);
				rc = nid_ctx_set_detail(t->ctx, NID_E_TRAILING,
				    "%s: bytes after the certificate", name);
				goto out;
			}
			if (sk_X509_push(certs, x) <= 0) {
				X509_free(x);
				rc = NID_E_NOMEM;
				goto out;
			}
		}
		ERR_clear_error();
	}
	if (sk_X509_num(certs) == 0) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_MALFORMED, "%s: no "
		    "X.509 certificate (DER or PEM)", name);
		goto out;
	}
	rc = add_anchors(t, certs, src, 0);
 out:
	sk_X509_pop_free(certs, X509_free);
	BIO_free(bio);
	return rc;
}

static int
add_csca_file(nid_trust_t *t, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = nid_file_read(t->ctx, path, NID_TRUST_MAX_FILE, &buf,
	    &len)) == NID_OK)
		rc = nid_trust_add_csca_mem(t, buf, len, path);
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
nid_trust_add_masterlist_mem(nid_trust_t *t, const uint8_t *p, size_t len,
    const char *name, int unverified, char *why, size_t why_len)
{
	CMS_ContentInfo *cms = NULL;
	STACK_OF(X509) *certs = NULL, *list = NULL;
	ASN1_OCTET_STRING **pos;
	size_t idx[64], nc, i;
	const unsigned char *pp;
	struct nid_check chk;
	X509 *signer = NULL;
	const struct nid_trust_anchor *by = NULL;
	char src[NID_TRUST_SOURCE_MAX], sname[256], problem[400] = "";
	int rc;

	if (why != NULL && why_len > 0)
		why[0] = '\0';
	memset(&chk, 0, sizeof(chk));
	if (len > NID_TRUST_MAX_FILE) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_TOO_LARGE, "%s: over %u "
		    "bytes", name, NID_TRUST_MAX_FILE);
		goto out;
	}
	pp = p;
	if ((cms = d2i_CMS_ContentInfo(NULL, &pp, (long)len)) == NULL) {
		rc = nid_ctx_set_openssl_detail(t->ctx, NID_E_MALFORMED, name);
		goto out;
	}
	/* One ContentInfo, nothing after it (d2i stops at its end). */
	if ((size_t)(pp - p) != len) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_TRAILING, "%s: %zu bytes "
		    "after the master list", name, len - (size_t)(pp - p));
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    OBJ_obj2txt(sname, sizeof(sname), CMS_get0_eContentType(cms),
	    1) <= 0 || strcmp(sname, NID_OID_CSCA_MASTER_LIST) != 0) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_MALFORMED, "%s: not a "
		    "CSCA master list (SignedData, eContentType %s)", name,
		    NID_OID_CSCA_MASTER_LIST);
		goto out;
	}
	if ((pos = CMS_get0_content(cms)) == NULL || *pos == NULL) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_MALFORMED, "%s: master "
		    "list without content", name);
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
		    "%s refused: %s", name, problem);
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
		    "%s (verified with CSCA %s)", base_name(name), sname,
		    bname);
	} else {
		(void)snprintf(src, sizeof(src), "master list %s, UNVERIFIED "
		    "(%s)", base_name(name), problem);
	}
	/* All of the list or nothing: a list refused half-way must not
	 * leave the certificates before the bad one as trust anchors. */
	if ((rc = add_anchors(t, list, src, by == NULL)) != NID_OK)
		goto out;
	if (by == NULL) {
		t->unverified_masterlists = 1;
		if (why != NULL)
			(void)snprintf(why, why_len, "%s", problem);
	}
	t->nmasterlists++;
	rc = NID_OK;
 out:
	sk_X509_pop_free(list, X509_free);
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	return rc;
}

int
nid_trust_add_masterlist(nid_trust_t *t, const char *path, int unverified,
    char *why, size_t why_len)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (why != NULL && why_len > 0)
		why[0] = '\0';
	if ((rc = nid_file_read(t->ctx, path, NID_TRUST_MAX_FILE, &buf,
	    &len)) == NID_OK)
		rc = nid_trust_add_masterlist_mem(t, buf, len, path,
		    unverified, why, why_len);
	free(buf);
	return rc;
}

/* ---- CRLs --------------------------------------------------------------*/

/*
 * Add every CRL of crls (the store takes references), all or none, as
 * add_anchors does for certificates.
 */
static int
add_crls(nid_trust_t *t, STACK_OF(X509_CRL) *crls, const char *source)
{
	struct nid_trust_crl *c, *nc;
	char **canon = NULL;
	size_t n, i, cap;
	int rc;

	n = (size_t)sk_X509_CRL_num(crls);
	if (n == 0)
		return NID_OK;
	if (n > NID_TRUST_MAX_CRLS - t->ncrls) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_TOO_LARGE, "more than %u "
		    "CRLs", NID_TRUST_MAX_CRLS);
		goto out;
	}
	if ((canon = calloc(n, sizeof(*canon))) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((rc = nid_name_canon(X509_CRL_get_issuer(
		    sk_X509_CRL_value(crls, (int)i)), &canon[i])) != NID_OK)
			goto out;
	if (t->ncrls + n > t->crls_cap) {
		cap = t->crls_cap == 0 ? 8 : t->crls_cap * 2;
		if (cap < t->ncrls + n)
			cap = t->ncrls + n;
		if ((nc = reallocarray(t->crls, cap, sizeof(*nc))) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		t->crls = nc;
		t->crls_cap = cap;
	}
	for (i = 0; i < n; i++)
		if (X509_CRL_up_ref(sk_X509_CRL_value(crls, (int)i)) != 1) {
			while (i-- > 0)
				X509_CRL_free(sk_X509_CRL_value(crls, (int)i));
			rc = NID_E_NOMEM;
			goto out;
		}
	/* Commit: nothing below fails. */
	for (i = 0; i < n; i++) {
		c = &t->crls[t->ncrls++];
		memset(c, 0, sizeof(*c));
		c->crl = sk_X509_CRL_value(crls, (int)i);
		c->canon_issuer = canon[i];
		canon[i] = NULL;
		(void)snprintf(c->source, sizeof(c->source), "%s", source);
	}
	rc = NID_OK;
 out:
	for (i = 0; canon != NULL && i < n; i++)
		free(canon[i]);
	free(canon);
	return rc;
}

int
nid_trust_add_crl(nid_trust_t *t, X509_CRL *crl, const char *source)
{
	STACK_OF(X509_CRL) *one;
	int rc;

	if ((one = sk_X509_CRL_new_null()) == NULL ||
	    sk_X509_CRL_push(one, crl) <= 0) {
		sk_X509_CRL_free(one);
		return NID_E_NOMEM;
	}
	rc = add_crls(t, one, source);
	sk_X509_CRL_free(one);	/* the caller keeps its reference */
	return rc;
}

int
nid_trust_add_crl_mem(nid_trust_t *t, const uint8_t *p, size_t len,
    const char *name)
{
	STACK_OF(X509_CRL) *crls = NULL;
	const unsigned char *pp;
	BIO *bio = NULL;
	X509_CRL *crl;
	char src[NID_TRUST_SOURCE_MAX];
	int rc;

	if (len > NID_TRUST_MAX_FILE) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_TOO_LARGE, "%s: over %u "
		    "bytes", name, NID_TRUST_MAX_FILE);
		goto out;
	}
	if ((crls = sk_X509_CRL_new_null()) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	(void)snprintf(src, sizeof(src), "file %s", name);
	/* Every CRL first, then all of them or none (add_crls). */
	if (is_pem(p, len)) {
		if ((bio = BIO_new_mem_buf(p, (int)len)) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) !=
		    NULL) {
			if ((size_t)sk_X509_CRL_num(crls) >= NID_TRUST_MAX_CRLS ||
			    sk_X509_CRL_push(crls, crl) <= 0) {
				X509_CRL_free(crl);
				rc = NID_E_TOO_LARGE;
				goto out;
			}
		}
	} else {
		pp = p;
		if ((crl = d2i_X509_CRL(NULL, &pp, (long)len)) != NULL &&
		    sk_X509_CRL_push(crls, crl) <= 0) {
			X509_CRL_free(crl);
			rc = NID_E_NOMEM;
			goto out;
		}
	}
	ERR_clear_error();
	if (sk_X509_CRL_num(crls) == 0) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_MALFORMED, "%s: no CRL "
		    "(DER or PEM)", name);
		goto out;
	}
	rc = add_crls(t, crls, src);
 out:
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

static int
add_crl_file(nid_trust_t *t, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = nid_file_read(t->ctx, path, NID_TRUST_MAX_FILE, &buf,
	    &len)) == NID_OK)
		rc = nid_trust_add_crl_mem(t, buf, len, path);
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

static int
crl_verify_now(const struct nid_trust_crl *cr, const struct nid_trust_anchor *a)
{
	EVP_PKEY *key = X509_get0_pubkey(a->cert);
	int r;

	if (key == NULL)
		return 0;
	ERR_set_mark();
	r = X509_CRL_verify(cr->crl, key);
	ERR_pop_to_mark();
	return r == 1;
}

int
nid_trust_prepare(nid_trust_t *t)
{
	struct nid_trust_crl *cr;
	size_t i, j;

	if (t == NULL)
		return NID_E_INVALID_ARG;
	for (i = 0; i < t->ncrls; i++) {
		cr = &t->crls[i];
		free(cr->verified);
		cr->nverified = 0;
		if ((cr->verified = calloc(t->nanchors + 1, 1)) == NULL)
			return NID_E_NOMEM;
		for (j = 0; j < t->nanchors; j++)
			if (strcmp(cr->canon_issuer,
			    t->anchors[j].canon_subject) == 0)
				cr->verified[j] = (uint8_t)crl_verify_now(cr,
				    &t->anchors[j]);
		cr->nverified = t->nanchors;
	}
	return NID_OK;
}

int
nid_trust_crl_verifies(const nid_trust_t *t, const struct nid_trust_crl *cr,
    const struct nid_trust_anchor *a)
{
	size_t idx;

	if (cr->verified != NULL && a >= t->anchors &&
	    (idx = (size_t)(a - t->anchors)) < cr->nverified)
		return cr->verified[idx];
	return crl_verify_now(cr, a);
}
