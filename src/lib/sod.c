/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sod.c — EF.SOD / EF.CardSecurity parsing and CMS SignerInfo
 * verification with OpenSSL 3 (CMS parser, EVP). See sod.h.
 *
 * The CMS structure is parsed by OpenSSL (d2i_CMS_ContentInfo accepts BER,
 * e.g. the indefinite lengths of New Zealand's EF.SOD); only the small
 * LDSSecurityObject is walked with our bounded TLV cursor. The signature
 * is verified here with EVP rather than with CMS_verify(), so that
 * RSASSA-PSS, rsaEncryption used as a signature OID (NZ, US) and EC keys
 * with explicit domain parameters (AT, DE, FI, RU, UK) all work and the
 * signer certificate is found by a semantic name match (MY).
 */
#include "config.h"

#define OPENSSL_NO_DEPRECATED 1

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sod.h"

/* ---- checks ----------------------------------------------------------- */

const char *
nid_check_result_str(nid_check_result r)
{
	switch (r) {
	case NID_CHECK_PASS:
		return "pass";
	case NID_CHECK_FAIL:
		return "fail";
	case NID_CHECK_SKIPPED:
		return "skipped";
	default:
		return "unknown";
	}
}

void
nid_check_set(struct nid_check *c, nid_check_result r, const char *fmt, ...)
{
	va_list ap;

	c->result = r;
	va_start(ap, fmt);
	(void)vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

/* ---- small helpers ---------------------------------------------------- */

static int
oid_is(const ASN1_OBJECT *o, const char *dotted)
{
	char buf[80];

	if (o == NULL || OBJ_obj2txt(buf, sizeof(buf), o, 1) <= 0)
		return 0;
	return strcmp(buf, dotted) == 0;
}

static void
oid_text(const ASN1_OBJECT *o, char *buf, size_t len)
{
	if (o == NULL || OBJ_obj2txt(buf, (int)len, o, 0) <= 0)
		(void)snprintf(buf, len, "?");
}

int
nid_asn1_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;
	time_t v;

	*out = 0;
	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return NID_E_MALFORMED;
	if ((v = timegm(&tm)) == (time_t)-1)
		return NID_E_MALFORMED;
	*out = v;
	return NID_OK;
}

void
nid_time_text(time_t t, int with_time, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		(void)snprintf(buf, len, "?");
		return;
	}
	if (strftime(buf, len, with_time ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d",
	    &tm) == 0)
		(void)snprintf(buf, len, "?");
}

int
nid_cert_sha256(X509 *x, uint8_t fp[32])
{
	unsigned int n = 0;

	memset(fp, 0, 32);
	if (X509_digest(x, EVP_sha256(), fp, &n) != 1 || n != 32)
		return NID_E_CRYPTO;
	return NID_OK;
}

/* ---- names (RFC 5280 §7.1) ------------------------------------------- */

#define NAME_MAX_ENTRIES 64
#define NAME_MAX_VALUE   1024

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fold white space and ASCII case of a UTF-8 value (RFC 4518 §2.6, in
 * the ASCII range; other characters are compared as they are). */
static void
fold_value(const unsigned char *in, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;
	int space = 0;

	for (i = 0; i < n && in[i] == ' '; i++)
		;
	for (; i < n && o + 2 < outlen; i++) {
		unsigned char c = in[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = 1;
			continue;
		}
		if (space && o > 0)
			out[o++] = ' ';
		space = 0;
		out[o++] = (char)tolower(c);
	}
	out[o] = '\0';
}

int
nid_name_canon(const X509_NAME *name, char **out)
{
	char *items[NAME_MAX_ENTRIES];
	size_t nitems = 0, total = 1, i;
	int count, rc = NID_E_NOMEM;
	char *res = NULL, oid[80], val[NAME_MAX_VALUE];

	*out = NULL;
	if (name == NULL)
		return NID_E_INVALID_ARG;
	count = X509_NAME_entry_count(name);
	if (count < 0 || (size_t)count > NAME_MAX_ENTRIES)
		return NID_E_TOO_LARGE;
	for (i = 0; i < (size_t)count; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, (int)i);
		unsigned char *u = NULL;
		int ulen;
		size_t need;

		if (OBJ_obj2txt(oid, sizeof(oid),
		    X509_NAME_ENTRY_get_object(e), 1) <= 0) {
			rc = NID_E_MALFORMED;
			goto out;
		}
		ulen = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e));
		if (ulen < 0) {
			/* Not a string type: compare its raw bytes. */
			const ASN1_STRING *s = X509_NAME_ENTRY_get_data(e);

			fold_value(ASN1_STRING_get0_data(s),
			    (size_t)ASN1_STRING_length(s), val, sizeof(val));
		} else {
			fold_value(u, (size_t)ulen, val, sizeof(val));
			OPENSSL_free(u);
		}
		need = strlen(oid) + strlen(val) + 2;
		if ((items[nitems] = malloc(need)) == NULL)
			goto out;
		(void)snprintf(items[nitems], need, "%s=%s", oid, val);
		nitems++;
		total += need;
	}
	qsort(items, nitems, sizeof(items[0]), cmp_str);
	if ((res = malloc(total)) == NULL)
		goto out;
	res[0] = '\0';
	for (i = 0; i < nitems; i++) {
		if (i > 0)
			strcat(res, "\n");
		strcat(res, items[i]);
	}
	*out = res;
	res = NULL;
	rc = NID_OK;
 out:
	for (i = 0; i < nitems; i++)
		free(items[i]);
	free(res);
	return rc;
}

int
nid_name_equal(const X509_NAME *a, const X509_NAME *b)
{
	char *ca = NULL, *cb = NULL;
	int eq = 0;

	if (nid_name_canon(a, &ca) == NID_OK &&
	    nid_name_canon(b, &cb) == NID_OK)
		eq = strcmp(ca, cb) == 0;
	free(ca);
	free(cb);
	return eq;
}

void
nid_name_text(const X509_NAME *name, char *buf, size_t len)
{
	BIO *bio;
	long n;
	char *p;

	buf[0] = '\0';
	if (name == NULL || (bio = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(bio, name, 0,
	    (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT) >= 0) {
		n = BIO_get_mem_data(bio, &p);
		if (n > 0) {
			if ((size_t)n >= len)
				n = (long)len - 1;
			memcpy(buf, p, (size_t)n);
			buf[n] = '\0';
		}
	}
	BIO_free(bio);
}

/* ---- LDSSecurityObject (ICAO 9303-10 §4.6.2.2) ---------------------- */

/* An AlgorithmIdentifier's OID as a NID (parameters ignored: the corpus
 * mixes NULL and absent parameters within one SOD, so compare OIDs). */
static int
parse_algid(nid_cur *c, int *nid)
{
	nid_cur seq, oidv;
	uint32_t tag;
	ASN1_OBJECT *o = NULL;
	const unsigned char *pp;
	uint8_t der[64];
	int rc;

	*nid = NID_undef;
	if ((rc = nid_tlv_expect(c, 0, 0x30, &seq)) != NID_OK)
		return rc;
	if ((rc = nid_tlv_next(&seq, 0, &tag, &oidv)) != NID_OK)
		return rc;
	if (tag != 0x06 || oidv.len == 0 || oidv.len + 2 > sizeof(der))
		return NID_E_MALFORMED;
	der[0] = 0x06;
	der[1] = (uint8_t)oidv.len;
	memcpy(der + 2, oidv.p, oidv.len);
	pp = der;
	if ((o = d2i_ASN1_OBJECT(NULL, &pp, (long)(oidv.len + 2))) == NULL)
		return NID_E_MALFORMED;
	*nid = OBJ_obj2nid(o);
	ASN1_OBJECT_free(o);
	/* Parameters: absent or NULL for the SHA family; anything else is
	 * tolerated but must be one TLV. */
	if (seq.len > 0) {
		nid_cur par;

		if ((rc = nid_tlv_next(&seq, 0, &tag, &par)) != NID_OK)
			return rc;
		if (seq.len != 0)
			return NID_E_TRAILING;
	}
	return NID_OK;
}

static int
parse_small_int(nid_cur *c, long *v)
{
	nid_cur iv;
	size_t i;
	long r = 0;
	int rc;

	*v = -1;
	if ((rc = nid_tlv_expect(c, 0, 0x02, &iv)) != NID_OK)
		return rc;
	if (iv.len == 0 || iv.len > 2 || (iv.p[0] & 0x80))
		return NID_E_MALFORMED;
	for (i = 0; i < iv.len; i++)
		r = (r << 8) | iv.p[i];
	*v = r;
	return NID_OK;
}

static int
copy_printable(nid_cur *c, char *dst, size_t dstlen)
{
	nid_cur v;
	size_t i;
	int rc;

	if ((rc = nid_tlv_expect(c, 0, 0x13, &v)) != NID_OK)
		return rc;
	if (v.len + 1 > dstlen)
		return NID_E_TOO_LARGE;
	for (i = 0; i < v.len; i++) {
		if (v.p[i] < 0x20 || v.p[i] > 0x7e)
			return NID_E_MALFORMED;
		dst[i] = (char)v.p[i];
	}
	dst[v.len] = '\0';
	return NID_OK;
}

int
nid_sod_parse_lds(nid_ctx_t *ctx, const uint8_t *p, size_t len, nid_sod_t *sod)
{
	nid_cur top, lso, list, dgh, hv;
	const EVP_MD *md;
	long ver, dgn;
	size_t i;
	int rc;

	sod->ndgs = 0;
	sod->lds_version = -1;
	sod->lds_version_info[0] = sod->unicode_version[0] = '\0';
	nid_cur_init(&top, p, len);
	if ((rc = nid_tlv_expect(&top, 0, 0x30, &lso)) != NID_OK)
		goto bad;
	if (top.len != 0) {
		rc = NID_E_TRAILING;
		goto bad;
	}
	if ((rc = parse_small_int(&lso, &ver)) != NID_OK)
		goto bad;
	if (ver != 0 && ver != 1) {
		rc = NID_E_MALFORMED;
		nid_ctx_set_detail(ctx, rc, "LDSSecurityObject version %ld "
		    "(ICAO 9303-10 §4.6.2.2 allows 0 and 1)", ver);
		return rc;
	}
	if ((rc = parse_algid(&lso, &sod->lds_md_nid)) != NID_OK)
		goto bad;
	if ((md = EVP_get_digestbynid(sod->lds_md_nid)) == NULL) {
		rc = NID_E_UNSUPPORTED;
		nid_ctx_set_detail(ctx, rc, "LDSSecurityObject hashAlgorithm "
		    "%s not supported", OBJ_nid2sn(sod->lds_md_nid));
		return rc;
	}
	if ((rc = nid_tlv_expect(&lso, 0, 0x30, &list)) != NID_OK)
		goto bad;
	while (list.len > 0) {
		/* Cap before storing: at most 16 data groups. */
		if (sod->ndgs >= NID_SOD_MAX_DGS) {
			rc = NID_E_TOO_LARGE;
			nid_ctx_set_detail(ctx, rc, "more than %u data group "
			    "hashes in the LDSSecurityObject", NID_SOD_MAX_DGS);
			sod->ndgs = 0;
			return rc;
		}
		if ((rc = nid_tlv_expect(&list, 0, 0x30, &dgh)) != NID_OK ||
		    (rc = parse_small_int(&dgh, &dgn)) != NID_OK ||
		    (rc = nid_tlv_expect(&dgh, 0, 0x04, &hv)) != NID_OK)
			goto bad;
		if (dgh.len != 0) {
			rc = NID_E_TRAILING;
			goto bad;
		}
		if (dgn < 1 || dgn > 16 ||
		    hv.len != (size_t)EVP_MD_get_size(md)) {
			rc = NID_E_MALFORMED;
			nid_ctx_set_detail(ctx, rc, "data group hash entry: "
			    "DG%ld with a %zu-byte hash", dgn, hv.len);
			sod->ndgs = 0;
			return rc;
		}
		for (i = 0; i < sod->ndgs; i++)
			if (sod->dgs[i].n == (unsigned)dgn) {
				rc = NID_E_MALFORMED;
				nid_ctx_set_detail(ctx, rc, "DG%ld listed "
				    "twice in the LDSSecurityObject", dgn);
				sod->ndgs = 0;
				return rc;
			}
		sod->dgs[sod->ndgs].n = (unsigned)dgn;
		memcpy(sod->dgs[sod->ndgs].hash, hv.p, hv.len);
		sod->dgs[sod->ndgs].hash_len = hv.len;
		sod->ndgs++;
	}
	if (sod->ndgs == 0) {
		rc = NID_E_MALFORMED;
		nid_ctx_set_detail(ctx, rc, "LDSSecurityObject lists no data "
		    "group");
		return rc;
	}
	if (ver == 1) {
		/* ldsVersionInfo is present in v1 (ICAO 9303-10 §4.6.2.2) */
		nid_cur vi;

		if ((rc = nid_tlv_expect(&lso, 0, 0x30, &vi)) != NID_OK ||
		    (rc = copy_printable(&vi, sod->lds_version_info,
		    sizeof(sod->lds_version_info))) != NID_OK ||
		    (rc = copy_printable(&vi, sod->unicode_version,
		    sizeof(sod->unicode_version))) != NID_OK)
			goto bad;
		if (vi.len != 0) {
			rc = NID_E_TRAILING;
			goto bad;
		}
	}
	if (lso.len != 0) {
		rc = NID_E_TRAILING;
		goto bad;
	}
	sod->lds_version = ver;
	return NID_OK;
 bad:
	sod->ndgs = 0;
	return nid_ctx_set_detail(ctx, rc, "malformed LDSSecurityObject "
	    "(ICAO 9303-10 §4.6.2.2): %s", nid_strerror(rc));
}

/* ---- EF.SOD / EF.CardSecurity ---------------------------------------- */

void
nid_sod_free(nid_sod_t **sp)
{
	nid_sod_t *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	CMS_ContentInfo_free(s->cms);
	sk_X509_pop_free(s->certs, X509_free);
	free(s);
	*sp = NULL;
}

const struct nid_sod_dg *
nid_sod_find_dg(const nid_sod_t *sod, unsigned n)
{
	size_t i;

	for (i = 0; i < sod->ndgs; i++)
		if (sod->dgs[i].n == n)
			return &sod->dgs[i];
	return NULL;
}

static int
signing_time(CMS_SignerInfo *si, time_t *t)
{
	X509_ATTRIBUTE *a;
	ASN1_TYPE *v;
	int idx;

	*t = 0;
	if ((idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime,
	    -1)) < 0)
		return 0;
	if ((a = CMS_signed_get_attr(si, idx)) == NULL ||
	    X509_ATTRIBUTE_count(a) != 1 ||
	    (v = X509_ATTRIBUTE_get0_type(a, 0)) == NULL)
		return 0;
	if (v->type != V_ASN1_UTCTIME && v->type != V_ASN1_GENERALIZEDTIME)
		return 0;
	return nid_asn1_time(v->value.utctime, t) == NID_OK;
}

int
nid_sod_parse(nid_ctx_t *ctx, const uint8_t *p, size_t len, nid_sod_t **out)
{
	nid_sod_t *s = NULL;
	nid_cur inner;
	const unsigned char *pp;
	const ASN1_OBJECT *ect;
	ASN1_OCTET_STRING **pos;
	STACK_OF(CMS_SignerInfo) *sis;
	CMS_SignerInfo *si;
	X509_ALGOR *dig = NULL, *sig = NULL;
	int rc;

	*out = NULL;
	if (len > NID_SOD_MAX_LEN)
		return nid_ctx_set_detail(ctx, NID_E_TOO_LARGE, "security "
		    "object of %zu bytes exceeds the cap of %u", len,
		    NID_SOD_MAX_LEN);
	if (len < 2)
		return nid_ctx_set_detail(ctx, NID_E_TRUNCATED,
		    "security object too short");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NID_E_NOMEM;
	if (p[0] == 0x77) {
		/* EF.SOD: '77' L ContentInfo (ICAO 9303-10 §4.6.2) */
		if ((rc = nid_tlv_single(p, len, 0, 0x77, &inner)) != NID_OK) {
			nid_ctx_set_detail(ctx, rc, "EF.SOD wrapper '77': %s",
			    nid_strerror(rc));
			goto out;
		}
	} else if (p[0] == 0x30) {
		nid_cur_init(&inner, p, len);
	} else {
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED, "neither EF.SOD "
		    "('77') nor a CMS ContentInfo ('30'): first byte %02X",
		    p[0]);
		goto out;
	}
	s->ber_indefinite = inner.len > 1 && inner.p[1] == 0x80;
	pp = inner.p;
	ERR_clear_error();
	if ((s->cms = d2i_CMS_ContentInfo(NULL, &pp, (long)inner.len)) ==
	    NULL) {
		rc = nid_ctx_set_openssl_detail(ctx, NID_E_MALFORMED,
		    "CMS ContentInfo");
		goto out;
	}
	if ((size_t)(pp - inner.p) != inner.len) {
		rc = nid_ctx_set_detail(ctx, NID_E_TRAILING, "%zu bytes after "
		    "the CMS ContentInfo", inner.len - (size_t)(pp - inner.p));
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(s->cms)) != NID_pkcs7_signed) {
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED, "CMS content "
		    "type is not signedData (RFC 5652 §5)");
		goto out;
	}
	ect = CMS_get0_eContentType(s->cms);
	if (oid_is(ect, NID_OID_LDS_SECURITY_OBJECT))
		s->kind = NID_SOD_KIND_SOD;
	else if (oid_is(ect, NID_OID_SECURITY_OBJECT))
		s->kind = NID_SOD_KIND_CARD_SECURITY;
	else {
		char t[80];

		oid_text(ect, t, sizeof(t));
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED, "eContentType %s "
		    "is neither ldsSecurityObject nor id-SecurityObject", t);
		goto out;
	}
	if (s->kind == NID_SOD_KIND_SOD && p[0] != 0x77) {
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED, "LDS security "
		    "object without the EF.SOD '77' wrapper");
		goto out;
	}
	if ((pos = CMS_get0_content(s->cms)) == NULL || *pos == NULL ||
	    ASN1_STRING_length(*pos) <= 0) {
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED, "SignedData "
		    "without eContent (detached signature)");
		goto out;
	}
	s->econtent = ASN1_STRING_get0_data(*pos);
	s->econtent_len = (size_t)ASN1_STRING_length(*pos);

	sis = CMS_get0_SignerInfos(s->cms);
	if (sis == NULL || sk_CMS_SignerInfo_num(sis) < 1) {
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED, "SignedData "
		    "without SignerInfo");
		goto out;
	}
	s->nsigners = (size_t)sk_CMS_SignerInfo_num(sis);
	si = sk_CMS_SignerInfo_value(sis, 0);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	s->digest_nid = dig != NULL ? OBJ_obj2nid(dig->algorithm) : NID_undef;
	s->sig_nid = sig != NULL ? OBJ_obj2nid(sig->algorithm) : NID_undef;
	s->has_signing_time = signing_time(si, &s->signing_time);

	if ((s->certs = CMS_get1_certs(s->cms)) == NULL)
		s->certs = sk_X509_new_null();
	if (s->certs == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if ((size_t)sk_X509_num(s->certs) > NID_SOD_MAX_CERTS) {
		rc = nid_ctx_set_detail(ctx, NID_E_TOO_LARGE, "%d certificates "
		    "in the security object (cap %u)", sk_X509_num(s->certs),
		    NID_SOD_MAX_CERTS);
		goto out;
	}
	if (s->kind == NID_SOD_KIND_SOD &&
	    (rc = nid_sod_parse_lds(ctx, s->econtent, s->econtent_len, s)) !=
	    NID_OK)
		goto out;
	*out = s;
	s = NULL;
	rc = NID_OK;
 out:
	nid_sod_free(&s);
	return rc;
}

/* ---- signature verification ------------------------------------------ */

/* BSI TR-03111 §5.2.1 ecdsa-plain-signatures: r||s instead of DER */
static const struct {
	const char *oid;
	int md_nid;
} plain_ecdsa[] = {
	{ "0.4.0.127.0.7.1.1.4.1.1", NID_sha1 },
	{ "0.4.0.127.0.7.1.1.4.1.2", NID_sha224 },
	{ "0.4.0.127.0.7.1.1.4.1.3", NID_sha256 },
	{ "0.4.0.127.0.7.1.1.4.1.4", NID_sha384 },
	{ "0.4.0.127.0.7.1.1.4.1.5", NID_sha512 },
};

/* r||s → DER Ecdsa-Sig-Value */
static int
plain_to_der(const uint8_t *sig, size_t len, uint8_t **der, size_t *der_len)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *d = NULL;
	int n, rc = NID_E_CRYPTO;

	*der = NULL;
	*der_len = 0;
	if (len == 0 || len % 2 != 0 || len > 264)
		return NID_E_MALFORMED;
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(sig, (int)(len / 2), NULL)) == NULL ||
	    (s = BN_bin2bn(sig + len / 2, (int)(len / 2), NULL)) == NULL)
		goto out;
	if (ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL;
	if ((n = i2d_ECDSA_SIG(es, &d)) <= 0)
		goto out;
	*der = d;
	*der_len = (size_t)n;
	d = NULL;
	rc = NID_OK;
 out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	OPENSSL_free(d);
	return rc;
}

/* RSASSA-PSS-params (RFC 4055 §3.1), defaults SHA-1 / MGF1-SHA-1 / 20 / 1 */
static int
pss_params(const X509_ALGOR *alg, const EVP_MD **md, const EVP_MD **mgf1,
    int *salt, char *why, size_t why_len)
{
	RSA_PSS_PARAMS *pss = NULL;
	X509_ALGOR *mgfh = NULL;
	int ptype, rc = NID_E_UNSUPPORTED;
	const void *pval;
	const ASN1_OBJECT *pobj;
	long v;

	*md = EVP_sha1();
	*mgf1 = EVP_sha1();
	*salt = 20;
	X509_ALGOR_get0(&pobj, &ptype, &pval, alg);
	if (ptype != V_ASN1_SEQUENCE) {
		(void)snprintf(why, why_len, "RSASSA-PSS without parameters");
		return NID_E_UNSUPPORTED;
	}
	pss = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS),
	    alg->parameter);
	if (pss == NULL) {
		(void)snprintf(why, why_len, "malformed RSASSA-PSS parameters");
		return NID_E_MALFORMED;
	}
	if (pss->hashAlgorithm != NULL &&
	    (*md = EVP_get_digestbyobj(pss->hashAlgorithm->algorithm)) ==
	    NULL) {
		(void)snprintf(why, why_len, "RSASSA-PSS hash not supported");
		goto out;
	}
	if (pss->maskGenAlgorithm != NULL) {
		if (OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1) {
			(void)snprintf(why, why_len, "RSASSA-PSS mask "
			    "generation function is not MGF1");
			goto out;
		}
		mgfh = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR),
		    pss->maskGenAlgorithm->parameter);
		if (mgfh == NULL ||
		    (*mgf1 = EVP_get_digestbyobj(mgfh->algorithm)) == NULL) {
			(void)snprintf(why, why_len, "RSASSA-PSS MGF1 hash "
			    "not supported");
			goto out;
		}
	}
	if (pss->saltLength != NULL) {
		if (ASN1_INTEGER_get_int64(&v, pss->saltLength) != 1 ||
		    v < 0 || v > 1024) {
			(void)snprintf(why, why_len, "RSASSA-PSS salt length");
			rc = NID_E_MALFORMED;
			goto out;
		}
		*salt = (int)v;
	}
	if (pss->trailerField != NULL &&
	    (ASN1_INTEGER_get_int64(&v, pss->trailerField) != 1 || v != 1)) {
		(void)snprintf(why, why_len, "RSASSA-PSS trailerField is not 1");
		goto out;
	}
	rc = NID_OK;
 out:
	X509_ALGOR_free(mgfh);
	RSA_PSS_PARAMS_free(pss);
	return rc;
}

int
nid_sig_verify(EVP_PKEY *key, const X509_ALGOR *alg, int digest_nid,
    const uint8_t *data, size_t data_len, const uint8_t *sig, size_t sig_len,
    int *ok, char *why, size_t why_len)
{
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *md = NULL, *mgf1 = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0, i;
	int signid, mdnid = NID_undef, pknid = NID_undef, keytype;
	int pad = 0, salt = 0, plain = 0, rc = NID_E_UNSUPPORTED, r;
	char oid[80];

	*ok = 0;
	why[0] = '\0';
	signid = OBJ_obj2nid(alg->algorithm);
	keytype = EVP_PKEY_get_base_id(key);
	oid_text(alg->algorithm, oid, sizeof(oid));
	for (i = 0; i < NID_NELEM(plain_ecdsa); i++)
		if (oid_is(alg->algorithm, plain_ecdsa[i].oid)) {
			plain = 1;
			mdnid = plain_ecdsa[i].md_nid;
			pknid = EVP_PKEY_EC;
		}
	if (plain) {
		/* handled below */
	} else if (signid == NID_rsaEncryption) {
		/* Bare rsaEncryption as signature OID (NZ, US): PKCS#1 v1.5
		 * with the hash of the SignerInfo's digestAlgorithm. */
		mdnid = digest_nid;
		pknid = EVP_PKEY_RSA;
		pad = RSA_PKCS1_PADDING;
	} else if (signid == NID_rsassaPss) {
		if ((rc = pss_params(alg, &md, &mgf1, &salt, why, why_len)) !=
		    NID_OK)
			goto out;
		pknid = EVP_PKEY_RSA;
		pad = RSA_PKCS1_PSS_PADDING;
	} else if (signid != NID_undef &&
	    OBJ_find_sigid_algs(signid, &mdnid, &pknid) == 1) {
		if (pknid == EVP_PKEY_RSA)
			pad = RSA_PKCS1_PADDING;
		else if (pknid != EVP_PKEY_EC) {
			(void)snprintf(why, why_len, "signature algorithm %s "
			    "not supported", oid);
			goto out;
		}
	} else {
		(void)snprintf(why, why_len, "signature algorithm %s not "
		    "supported", oid);
		goto out;
	}
	if (md == NULL && (md = EVP_get_digestbynid(mdnid)) == NULL) {
		(void)snprintf(why, why_len, "hash of %s not supported", oid);
		goto out;
	}
	if (keytype != pknid && !(pknid == EVP_PKEY_RSA &&
	    keytype == EVP_PKEY_RSA_PSS)) {
		(void)snprintf(why, why_len, "signature algorithm %s does not "
		    "fit the signer's %s key", oid, OBJ_nid2sn(keytype));
		rc = NID_OK;  /* a mismatch is an invalid signature */
		goto out;
	}
	if (plain) {
		if ((rc = plain_to_der(sig, sig_len, &der, &der_len)) !=
		    NID_OK) {
			(void)snprintf(why, why_len, "malformed plain ECDSA "
			    "signature");
			rc = NID_OK;
			goto out;
		}
		sig = der;
		sig_len = der_len;
	}
	rc = NID_E_CRYPTO;
	if ((mctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	ERR_set_mark();
	if (EVP_DigestVerifyInit(mctx, &pctx, md, NULL, key) != 1) {
		ERR_pop_to_mark();
		(void)snprintf(why, why_len, "OpenSSL cannot verify with this "
		    "key and %s", oid);
		rc = NID_E_UNSUPPORTED;
		goto out;
	}
	if (pad != 0 && keytype == EVP_PKEY_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, pad) != 1)
		goto out_pop;
	if (pad == RSA_PKCS1_PSS_PADDING &&
	    (EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf1) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) != 1))
		goto out_pop;
	r = EVP_DigestVerify(mctx, sig, sig_len, data, data_len);
	ERR_pop_to_mark();
	*ok = r == 1;
	if (!*ok)
		(void)snprintf(why, why_len, "%s signature does not verify",
		    oid);
	rc = NID_OK;
	goto out;
 out_pop:
	ERR_pop_to_mark();
 out:
	EVP_MD_CTX_free(mctx);
	OPENSSL_free(der);
	return rc;
}

/* DER SET OF ordering (X.690 §11.6): compare encodings as octet strings,
 * the shorter one padded with zero octets at its end. */
struct enc {
	unsigned char *p;
	size_t n;
};

static int
cmp_enc(const void *a, const void *b)
{
	const struct enc *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, n);

	if (c != 0)
		return c;
	return (x->n > y->n) - (x->n < y->n);
}

/* DER of the signed attributes as SET OF (tag '31'), RFC 5652 §5.4 */
static int
signed_attrs_der(CMS_SignerInfo *si, nid_buf *out)
{
	struct enc e[NID_CMS_MAX_SIGNED_ATTRS];
	size_t n = 0, total = 0, i;
	int count, len, rc = NID_E_NOMEM;

	count = CMS_signed_get_attr_count(si);
	if (count <= 0)
		return NID_E_MALFORMED;
	if ((size_t)count > NID_CMS_MAX_SIGNED_ATTRS)
		return NID_E_TOO_LARGE;
	for (n = 0; n < (size_t)count; n++) {
		e[n].p = NULL;
		len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, (int)n),
		    &e[n].p);
		if (len <= 0) {
			rc = NID_E_MALFORMED;
			goto out;
		}
		e[n].n = (size_t)len;
		total += (size_t)len;
	}
	qsort(e, n, sizeof(e[0]), cmp_enc);
	if ((rc = nid_tlv_put_header(out, 0x31, total)) != NID_OK)
		goto out;
	for (i = 0; i < n; i++)
		if ((rc = nid_buf_put(out, e[i].p, e[i].n)) != NID_OK)
			goto out;
	rc = NID_OK;
 out:
	for (i = 0; i < n; i++)
		OPENSSL_free(e[i].p);
	return rc;
}

static int
verify_with(X509 *x, CMS_SignerInfo *si, const X509_ALGOR *sig,
    int digest_nid, const nid_buf *tbs, int *ok, char *why, size_t why_len)
{
	ASN1_OCTET_STRING *sv = CMS_SignerInfo_get0_signature(si);
	EVP_PKEY *key = X509_get0_pubkey(x);

	*ok = 0;
	if (key == NULL) {
		(void)snprintf(why, why_len, "signer certificate's public key "
		    "cannot be decoded");
		return NID_E_UNSUPPORTED;
	}
	return nid_sig_verify(key, sig, digest_nid, tbs->p, tbs->len,
	    ASN1_STRING_get0_data(sv), (size_t)ASN1_STRING_length(sv), ok,
	    why, why_len);
}

int
nid_cms_verify_signer(nid_ctx_t *ctx, CMS_ContentInfo *cms,
    const uint8_t *econtent, size_t econtent_len, STACK_OF(X509) *certs,
    struct nid_check *chk, X509 **signer)
{
	STACK_OF(CMS_SignerInfo) *sis;
	CMS_SignerInfo *si;
	X509_ALGOR *dig = NULL, *sig = NULL;
	ASN1_OCTET_STRING *keyid = NULL, *mdattr;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *sno = NULL;
	const ASN1_OBJECT *ctattr;
	const EVP_MD *md;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	nid_buf tbs;
	X509 *x, *found = NULL;
	const char *how = NULL;
	char why[256] = "", oid[80];
	int i, ok = 0, rc = NID_OK, r, digest_nid;

	*signer = NULL;
	nid_buf_init(&tbs, 64 * 1024);
	/* RFC 5652 §5.1: content type signedData */
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		nid_check_set(chk, NID_CHECK_FAIL, "not a CMS SignedData");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (sis == NULL || sk_CMS_SignerInfo_num(sis) != 1) {
		/* ICAO 9303-10 §4.6.2.1: exactly one SignerInfo */
		nid_check_set(chk, NID_CHECK_FAIL, "%d SignerInfos (one "
		    "expected)", sis == NULL ? 0 : sk_CMS_SignerInfo_num(sis));
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	if (dig == NULL || sig == NULL) {
		nid_check_set(chk, NID_CHECK_FAIL, "SignerInfo without "
		    "algorithms");
		goto out;
	}
	digest_nid = OBJ_obj2nid(dig->algorithm);
	if ((md = EVP_get_digestbynid(digest_nid)) == NULL) {
		oid_text(dig->algorithm, oid, sizeof(oid));
		nid_check_set(chk, NID_CHECK_UNKNOWN, "digest algorithm %s not "
		    "supported", oid);
		goto out;
	}
	/* RFC 5652 §5.3: with eContentType other than id-data the signed
	 * attributes must be present, with contentType and messageDigest. */
	if (CMS_signed_get_attr_count(si) <= 0) {
		nid_check_set(chk, NID_CHECK_FAIL, "no signed attributes "
		    "(RFC 5652 §5.3 requires them for this content type)");
		goto out;
	}
	ctattr = CMS_signed_get0_data_by_OBJ(si,
	    OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
	if (ctattr == NULL ||
	    OBJ_cmp(ctattr, CMS_get0_eContentType(cms)) != 0) {
		nid_check_set(chk, NID_CHECK_FAIL, "contentType signed "
		    "attribute %s eContentType (RFC 5652 §11.1)",
		    ctattr == NULL ? "missing or not single, not" :
		    "differs from");
		goto out;
	}
	mdattr = CMS_signed_get0_data_by_OBJ(si,
	    OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
	if (mdattr == NULL) {
		nid_check_set(chk, NID_CHECK_FAIL, "messageDigest signed "
		    "attribute missing or not single (RFC 5652 §11.2)");
		goto out;
	}
	if (EVP_Digest(econtent, econtent_len, h, &hlen, md, NULL) != 1) {
		rc = nid_ctx_set_openssl_detail(ctx, NID_E_CRYPTO, "digest");
		goto out;
	}
	if ((size_t)ASN1_STRING_length(mdattr) != hlen ||
	    CRYPTO_memcmp(ASN1_STRING_get0_data(mdattr), h, hlen) != 0) {
		nid_check_set(chk, NID_CHECK_FAIL, "messageDigest attribute "
		    "is not the %s of the eContent", OBJ_nid2sn(digest_nid));
		goto out;
	}
	if ((r = signed_attrs_der(si, &tbs)) != NID_OK) {
		nid_check_set(chk, NID_CHECK_FAIL, "signed attributes cannot "
		    "be encoded: %s", nid_strerror(r));
		goto out;
	}
	if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &sno) != 1) {
		nid_check_set(chk, NID_CHECK_FAIL, "malformed signer "
		    "identifier");
		goto out;
	}
	/* Find the signer certificate (RFC 5652 §5.3 SignerIdentifier). */
	for (i = 0; certs != NULL && i < sk_X509_num(certs) && found == NULL;
	    i++) {
		const ASN1_OCTET_STRING *ski;

		x = sk_X509_value(certs, i);
		if (keyid != NULL) {
			ski = X509_get0_subject_key_id(x);
			if (ski != NULL && ASN1_OCTET_STRING_cmp(ski, keyid) == 0) {
				found = x;
				how = "subjectKeyIdentifier";
			}
		} else if (ASN1_INTEGER_cmp(X509_get0_serialNumber(x), sno) ==
		    0 && nid_name_equal(X509_get_issuer_name(x), issuer)) {
			/* semantic match: MY encodes the SID issuer in
			 * another RDN order than its certificate */
			found = x;
			how = "issuerAndSerialNumber";
		}
	}
	if (found != NULL) {
		if ((rc = verify_with(found, si, sig, digest_nid, &tbs, &ok, why,
		    sizeof(why))) != NID_OK) {
			rc = NID_OK;
			nid_check_set(chk, NID_CHECK_UNKNOWN, "%s", why);
			goto out;
		}
	} else {
		/* Fall back to any certificate with the same serial number
		 * whose key verifies. */
		for (i = 0; sno != NULL && certs != NULL &&
		    i < sk_X509_num(certs) && !ok; i++) {
			x = sk_X509_value(certs, i);
			if (ASN1_INTEGER_cmp(X509_get0_serialNumber(x), sno) != 0)
				continue;
			if (verify_with(x, si, sig, digest_nid, &tbs, &ok, why,
			    sizeof(why)) == NID_OK && ok) {
				found = x;
				how = "serial number and key (issuer name differs)";
			}
		}
		if (found == NULL) {
			nid_check_set(chk, NID_CHECK_UNKNOWN, "signer "
			    "certificate not in the SignedData");
			goto out;
		}
	}
	if (!ok) {
		nid_check_set(chk, NID_CHECK_FAIL, "SignerInfo signature "
		    "invalid: %s", why);
		goto out;
	}
	oid_text(sig->algorithm, oid, sizeof(oid));
	nid_check_set(chk, NID_CHECK_PASS, "%s signature valid, messageDigest "
	    "matches (%s); signer found by %s", oid, OBJ_nid2sn(digest_nid),
	    how);
 out:
	/* The signer certificate is handed back whenever it was found, also
	 * when the signature is invalid: its chain is a separate level. */
	*signer = found;
	nid_buf_clear(&tbs);
	return rc;
}
