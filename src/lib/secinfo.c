/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * secinfo.c — SecurityInfos from EF.CardAccess, EF.CardSecurity and DG14
 * (ICAO 9303-11 §9.2; BSI TR-03110-3 §A.1.1–A.1.2). DER read with the
 * project's TLV reader in strict mode.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "nid_internal.h"
#include "oid.h"
#include "pace.h"
#include "secinfo.h"

#define TAG_INTEGER 0x02u
#define TAG_OID 0x06u
#define TAG_SEQUENCE 0x30u
#define TAG_SET 0x31u
#define TAG_DG14 0x6eu

int
nid_der_small_uint(const nid_cur *v, long *out)
{
	size_t i;
	long x = 0;

	*out = -1;
	if (v->len == 0)
		return NID_E_MALFORMED;
	if (v->p[0] & 0x80)
		return NID_E_MALFORMED; /* negative */
	/* X.690 §8.3.2: no leading 00 unless the next byte has bit 8 set. */
	if (v->len > 1 && v->p[0] == 0x00 && !(v->p[1] & 0x80))
		return NID_E_MALFORMED;
	/* At most 4 bytes with bit 8 of the first clear: below 2^31. */
	if (v->len > 4)
		return NID_E_TOO_LARGE;
	for (i = 0; i < v->len; i++)
		x = x << 8 | v->p[i];
	*out = x;
	return NID_OK;
}

/* Optional trailing INTEGER (parameterId / keyId); fills *v with -1 when absent. */
static int
get_opt_int(nid_cur *c, long *v)
{
	nid_cur val;
	int rc;

	*v = -1;
	if (c->len == 0)
		return NID_OK;
	if ((rc = nid_tlv_expect(c, NID_TLV_STRICT, TAG_INTEGER, &val)) != NID_OK)
		return rc == NID_E_BAD_TLV ? NID_E_MALFORMED : rc;
	return nid_der_small_uint(&val, v);
}

static int
get_int(nid_cur *c, long *v)
{
	nid_cur val;
	int rc;

	*v = -1;
	if (c->len == 0)
		return NID_E_MALFORMED; /* required field missing */
	if ((rc = nid_tlv_expect(c, NID_TLV_STRICT, TAG_INTEGER, &val)) != NID_OK)
		return rc == NID_E_BAD_TLV ? NID_E_MALFORMED : rc;
	return nid_der_small_uint(&val, v);
}

/* A whole TLV (header included) with `tag` as a cursor. */
static int
get_tlv_raw(nid_cur *c, uint32_t tag, nid_cur *raw)
{
	nid_cur t = *c, val;
	int rc;

	if ((rc = nid_tlv_expect(&t, NID_TLV_STRICT, tag, &val)) != NID_OK)
		return rc == NID_E_BAD_TLV ? NID_E_MALFORMED : rc;
	nid_cur_init(raw, c->p, c->len - t.len);
	*c = t;
	return NID_OK;
}

/* Any one TLV, checked for strict encoding only. */
static int
skip_any(nid_cur *c)
{
	nid_cur val;
	uint32_t tag;

	return nid_tlv_next(c, NID_TLV_STRICT, &tag, &val);
}

static int
parse_one(nid_cur raw, nid_cur body, struct nid_secinfo *si)
{
	nid_cur oid, val;
	int rc;

	memset(si, 0, sizeof(*si));
	si->raw = raw;
	si->version = si->param_id = si->key_id = -1;
	if ((rc = nid_tlv_expect(&body, NID_TLV_STRICT, TAG_OID, &oid)) != NID_OK)
		return rc == NID_E_BAD_TLV ? NID_E_MALFORMED : rc;
	if ((rc = nid_oid_to_str(oid.p, oid.len, si->oid,
	    sizeof(si->oid))) != NID_OK)
		return rc;
	si->oid_der = oid;
	si->proto = nid_oid_lookup_str(si->oid);
	si->kind = si->proto != NULL ? si->proto->kind : NID_OID_OTHER;

	switch (si->kind) {
	case NID_OID_PACE:
		/* PACEInfo ::= SEQUENCE { protocol, version INTEGER,
		 *     parameterId INTEGER OPTIONAL } (TR-03110-3 §A.1.1.1) */
		if ((rc = get_int(&body, &si->version)) != NID_OK ||
		    (rc = get_opt_int(&body, &si->param_id)) != NID_OK)
			return rc;
		break;
	case NID_OID_PACE_DP:
		/* PACEDomainParameterInfo ::= SEQUENCE { protocol,
		 *     domainParameter AlgorithmIdentifier,
		 *     parameterId INTEGER OPTIONAL } */
		if ((rc = get_tlv_raw(&body, TAG_SEQUENCE, &si->data)) != NID_OK ||
		    (rc = get_opt_int(&body, &si->param_id)) != NID_OK)
			return rc;
		break;
	case NID_OID_CA:
		/* ChipAuthenticationInfo ::= SEQUENCE { protocol,
		 *     version INTEGER (1|2|3), keyId INTEGER OPTIONAL } */
		if ((rc = get_int(&body, &si->version)) != NID_OK ||
		    (rc = get_opt_int(&body, &si->key_id)) != NID_OK)
			return rc;
		break;
	case NID_OID_CA_DP:
		/* ChipAuthenticationDomainParameterInfo ::= SEQUENCE {
		 *     protocol, domainParameter AlgorithmIdentifier,
		 *     keyId INTEGER OPTIONAL } */
		if ((rc = get_tlv_raw(&body, TAG_SEQUENCE, &si->data)) != NID_OK ||
		    (rc = get_opt_int(&body, &si->key_id)) != NID_OK)
			return rc;
		break;
	case NID_OID_PK:
		/* ChipAuthenticationPublicKeyInfo ::= SEQUENCE { protocol,
		 *     chipAuthenticationPublicKey SubjectPublicKeyInfo,
		 *     keyId INTEGER OPTIONAL } */
		if ((rc = get_tlv_raw(&body, TAG_SEQUENCE, &si->data)) != NID_OK ||
		    (rc = get_opt_int(&body, &si->key_id)) != NID_OK)
			return rc;
		break;
	case NID_OID_TA:
		/* TerminalAuthenticationInfo ::= SEQUENCE { protocol,
		 *     version INTEGER (1|2), efCVCA FileID OPTIONAL } */
		if ((rc = get_int(&body, &si->version)) != NID_OK)
			return rc;
		if (body.len != 0 &&
		    (rc = get_tlv_raw(&body, TAG_SEQUENCE, &si->data)) != NID_OK)
			return rc;
		break;
	case NID_OID_AA:
		/* ICAO 9303-11 §9.2.4: ActiveAuthenticationInfo ::= SEQUENCE {
		 *     protocol, version INTEGER (1),
		 *     signatureAlgorithm OBJECT IDENTIFIER } */
		if ((rc = get_int(&body, &si->version)) != NID_OK)
			return rc;
		if (body.len != 0) {
			if ((rc = nid_tlv_expect(&body, NID_TLV_STRICT, TAG_OID,
			    &val)) != NID_OK)
				return rc == NID_E_BAD_TLV ? NID_E_MALFORMED : rc;
			if ((rc = nid_oid_to_str(val.p, val.len, si->sig_alg,
			    sizeof(si->sig_alg))) != NID_OK)
				return rc;
		}
		break;
	case NID_OID_OTHER:
	default:
		/* requiredData ANY, optionalData ANY OPTIONAL: kept raw. */
		if ((rc = skip_any(&body)) != NID_OK)
			return rc;
		if (body.len != 0 && (rc = skip_any(&body)) != NID_OK)
			return rc;
		break;
	}
	if (body.len != 0)
		return NID_E_TRAILING;
	return NID_OK;
}

static int
parse_set(nid_cur set, nid_secinfos *s)
{
	nid_cur raw, body, start;
	int rc;

	while (set.len > 0) {
		if (s->n == NID_SECINFO_MAX)
			return NID_E_TOO_LARGE;
		start = set;
		if ((rc = nid_tlv_expect(&set, NID_TLV_STRICT, TAG_SEQUENCE,
		    &body)) != NID_OK)
			return rc == NID_E_BAD_TLV ? NID_E_MALFORMED : rc;
		nid_cur_init(&raw, start.p, start.len - set.len);
		if ((rc = parse_one(raw, body, &s->v[s->n])) != NID_OK)
			return rc;
		s->n++;
	}
	return s->n == 0 ? NID_E_MALFORMED : NID_OK;
}

/*
 * Copy p, then parse it: `outer` is 0 for a bare SET, or the application
 * tag wrapping it (DG14's 6E).
 */
static int
secinfos_parse(const uint8_t *p, size_t len, uint32_t outer, nid_secinfos **out)
{
	nid_secinfos *s = NULL;
	nid_cur c, set;
	int rc;

	*out = NULL;
	if (p == NULL || len == 0)
		return NID_E_TRUNCATED;
	if (len > NID_SECINFO_INPUT_MAX)
		return NID_E_TOO_LARGE;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->data = malloc(len)) == NULL ||
	    (s->v = calloc(NID_SECINFO_MAX, sizeof(*s->v))) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	memcpy(s->data, p, len);
	s->data_len = len;
	nid_cur_init(&c, s->data, len);
	if (outer != 0) {
		if ((rc = nid_tlv_single(s->data, len, NID_TLV_STRICT, outer,
		    &c)) != NID_OK)
			goto out;
	}
	if ((rc = nid_tlv_expect(&c, NID_TLV_STRICT, TAG_SET, &set)) != NID_OK)
		goto out;
	if (c.len != 0) {
		rc = NID_E_TRAILING;
		goto out;
	}
	if ((rc = parse_set(set, s)) != NID_OK)
		goto out;
	*out = s;
	s = NULL;
 out:
	nid_secinfos_free(&s);
	return rc;
}

int
nid_secinfos_parse(const uint8_t *p, size_t len, nid_secinfos **out)
{
	return secinfos_parse(p, len, 0, out);
}

int
nid_secinfos_parse_dg14(const uint8_t *p, size_t len, nid_secinfos **out)
{
	return secinfos_parse(p, len, TAG_DG14, out);
}

int
nid_secinfos_parse_cardsecurity(const uint8_t *p, size_t len,
    nid_secinfos **out)
{
	CMS_ContentInfo *cms = NULL;
	ASN1_OCTET_STRING **content;
	const ASN1_OBJECT *type;
	const unsigned char *q = p;
	char oid[NID_OID_STR_MAX];
	int rc;

	*out = NULL;
	if (p == NULL || len == 0)
		return NID_E_TRUNCATED;
	if (len > NID_SECINFO_INPUT_MAX || len > LONG_MAX)
		return NID_E_TOO_LARGE;
	if ((cms = d2i_CMS_ContentInfo(NULL, &q, (long)len)) == NULL) {
		rc = NID_E_MALFORMED;
		goto out;
	}
	if ((size_t)(q - p) != len) {
		rc = NID_E_TRAILING;
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    (type = CMS_get0_eContentType(cms)) == NULL ||
	    OBJ_obj2txt(oid, sizeof(oid), type, 1) <= 0 ||
	    strcmp(oid, "0.4.0.127.0.7.3.2.1") != 0) {
		rc = NID_E_MALFORMED; /* not id-SecurityObject SignedData */
		goto out;
	}
	if ((content = CMS_get0_content(cms)) == NULL || *content == NULL) {
		rc = NID_E_MALFORMED; /* detached */
		goto out;
	}
	rc = nid_secinfos_parse(ASN1_STRING_get0_data(*content),
	    (size_t)ASN1_STRING_length(*content), out);
 out:
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}

void
nid_secinfos_free(nid_secinfos **sp)
{
	nid_secinfos *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	free(s->data);
	free(s->v);
	free(s);
	*sp = NULL;
}

size_t
nid_secinfos_count(const nid_secinfos *s, enum nid_oid_kind kind)
{
	size_t i, n = 0;

	for (i = 0; s != NULL && i < s->n; i++)
		if (s->v[i].kind == kind)
			n++;
	return n;
}

const struct nid_secinfo *
nid_secinfos_get(const nid_secinfos *s, enum nid_oid_kind kind, size_t idx)
{
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (s->v[i].kind == kind && idx-- == 0)
			return &s->v[i];
	return NULL;
}

/*
 * SubjectPublicKeyInfo with AlgorithmIdentifier { id-PK-* or
 * id-ecPublicKey ..., standardizedDomainParameters-style }: TR-03110-3
 * §A.2.1.1 allows algorithm = standardizedDomainParameters
 * (0.4.0.127.0.7.1.2) with parameters = INTEGER parameterId.
 */
static int
std_dp_pubkey(nid_cur spki, EVP_PKEY **out)
{
	nid_cur seq, alg, oid, bits;
	char s[NID_OID_STR_MAX];
	long id;
	int rc;

	if ((rc = nid_tlv_single(spki.p, spki.len, NID_TLV_STRICT,
	    TAG_SEQUENCE, &seq)) != NID_OK ||
	    (rc = nid_tlv_expect(&seq, NID_TLV_STRICT, TAG_SEQUENCE,
	    &alg)) != NID_OK ||
	    (rc = nid_tlv_expect(&alg, NID_TLV_STRICT, TAG_OID, &oid)) != NID_OK)
		return rc;
	if ((rc = nid_oid_to_str(oid.p, oid.len, s, sizeof(s))) != NID_OK)
		return rc;
	if (strcmp(s, "0.4.0.127.0.7.1.2") != 0)
		return NID_E_UNSUPPORTED;
	if ((rc = get_int(&alg, &id)) != NID_OK)
		return rc;
	if (alg.len != 0)
		return NID_E_TRAILING;
	/* BIT STRING: first byte = unused bits, must be 0. */
	if ((rc = nid_tlv_expect(&seq, NID_TLV_STRICT, 0x03, &bits)) != NID_OK)
		return rc;
	if (seq.len != 0)
		return NID_E_TRAILING;
	if (bits.len < 2 || bits.p[0] != 0)
		return NID_E_MALFORMED;
	return nid_pace_std_pubkey(id, bits.p + 1, bits.len - 1, out);
}

int
nid_secinfo_pubkey(const struct nid_secinfo *si, EVP_PKEY **out)
{
	const unsigned char *q;
	EVP_PKEY *pk = NULL;
	int rc;

	*out = NULL;
	if (si == NULL || si->kind != NID_OID_PK || si->data.len == 0)
		return NID_E_INVALID_ARG;
	if (si->data.len > LONG_MAX)
		return NID_E_TOO_LARGE;
	rc = std_dp_pubkey(si->data, &pk);
	if (rc == NID_OK) {
		*out = pk;
		return NID_OK;
	}
	if (rc != NID_E_UNSUPPORTED)
		return rc;
	q = si->data.p;
	if ((pk = d2i_PUBKEY(NULL, &q, (long)si->data.len)) == NULL) {
		ERR_clear_error();
		return NID_E_MALFORMED;
	}
	if ((size_t)(q - si->data.p) != si->data.len) {
		EVP_PKEY_free(pk);
		return NID_E_TRAILING;
	}
	*out = pk;
	return NID_OK;
}
