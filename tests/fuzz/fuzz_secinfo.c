/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_secinfo.c — SecurityInfos (secinfo.c: ICAO 9303-11 §9.2, BSI
 * TR-03110-3 §A.1) read as EF.CardAccess, as DG14 and as EF.CardSecurity
 * from every input.
 *
 * Invariants: failure leaves *out NULL; success gives at most
 * NID_SECINFO_MAX entries, each with a NUL-terminated dotted OID, its raw
 * TLV and data inside the set's own copy of the input, non-negative
 * version/ids or -1; counts per kind add up to the number of entries and
 * nid_secinfos_get() finds exactly that many; a CardAccess set
 * re-parses from its own copy to the same entries; a public key, when
 * one comes out, is a real EVP_PKEY, and its domain parameters as Chip
 * Authentication takes them (pace.c nid_pace_dp_from_pkey: named or
 * explicit curves, DH groups) come with a public value of the encoded
 * length that public key validation either accepts or calls malformed;
 * Chip Authentication's choice from a DG14 (ca.c nid_ca_select) points
 * into the set, with a protocol, or says why not.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "nid_internal.h"
#include "ca.h"
#include "pace.h"
#include "secinfo.h"
#include "fuzz.h"

/* The key as Chip Authentication's domain parameters. */
static void
check_dp(EVP_PKEY *pk)
{
	nid_pace_dp *dp = (nid_pace_dp *)&dp; /* must be cleared */
	nid_buf pub;
	int rc;

	nid_buf_init(&pub, 4096);
	rc = nid_pace_dp_from_pkey(pk, &dp, &pub);
	if (rc == NID_OK) {
		FUZZ_ASSERT(dp != NULL);
		FUZZ_ASSERT(pub.len == nid_pace_dp_pub_len(dp));
		rc = nid_pace_check_pub(dp, pub.p, pub.len);
		FUZZ_ASSERT(rc == NID_OK || rc == NID_E_MALFORMED);
		nid_pace_dp_free(&dp);
	} else {
		FUZZ_ASSERT(dp == NULL);
		FUZZ_ASSERT(rc == NID_E_MALFORMED || rc == NID_E_UNSUPPORTED ||
		    rc == NID_E_TOO_LARGE || rc == NID_E_NOMEM);
	}
	nid_buf_clear(&pub);
	ERR_clear_error();
}

/* Chip Authentication's choice from a DG14. */
static void
check_ca(const nid_secinfos *s)
{
	struct nid_ca_choice ch;
	char why[256];
	long ids[2] = { -1, 0 };
	size_t i;
	int rc;

	for (i = 0; i < s->n && ids[1] == 0; i++)
		if (s->v[i].kind == NID_OID_PK && s->v[i].key_id >= 0)
			ids[1] = s->v[i].key_id;
	for (i = 0; i < NID_NELEM(ids); i++) {
		memset(why, 'x', sizeof(why));
		rc = nid_ca_select(s, ids[i], &ch, why, sizeof(why));
		FUZZ_ASSERT(memchr(why, '\0', sizeof(why)) != NULL);
		if (rc != NID_OK) {
			FUZZ_ASSERT(rc == NID_E_UNSUPPORTED_CARD ||
			    rc == NID_E_INVALID_ARG);
			continue;
		}
		FUZZ_ASSERT(ch.pk != NULL && ch.proto != NULL);
		FUZZ_ASSERT(ch.pk >= s->v && ch.pk < s->v + s->n);
		FUZZ_ASSERT(ch.pk->kind == NID_OID_PK);
		FUZZ_ASSERT(ch.info == NULL ||
		    (ch.info >= s->v && ch.info < s->v + s->n));
		FUZZ_ASSERT(ch.inferred == (ch.info == NULL));
		if (ids[i] >= 0)
			FUZZ_ASSERT(ch.key_id == ids[i]);
	}
}

static const enum nid_oid_kind kinds[] = {
	NID_OID_OTHER, NID_OID_PACE, NID_OID_PACE_DP, NID_OID_CA,
	NID_OID_CA_DP, NID_OID_PK, NID_OID_TA, NID_OID_AA
};

static int
inside(const nid_secinfos *s, nid_cur c)
{
	if (c.len == 0)
		return 1;
	return c.p >= s->data && c.len <= s->data_len &&
	    (size_t)(c.p - s->data) <= s->data_len - c.len;
}

static void
check_set(const nid_secinfos *s)
{
	const struct nid_secinfo *si;
	EVP_PKEY *pk;
	size_t i, k, total = 0, cnt;
	int rc;

	FUZZ_ASSERT(s->n <= NID_SECINFO_MAX);
	FUZZ_ASSERT(s->n == 0 || s->v != NULL);
	for (i = 0; i < s->n; i++) {
		si = &s->v[i];
		FUZZ_ASSERT(memchr(si->oid, '\0', sizeof(si->oid)) != NULL);
		FUZZ_ASSERT(memchr(si->sig_alg, '\0', sizeof(si->sig_alg)) !=
		    NULL);
		FUZZ_ASSERT(inside(s, si->raw) && si->raw.len > 0);
		FUZZ_ASSERT(inside(s, si->oid_der) && inside(s, si->data));
		FUZZ_ASSERT(si->version >= -1 && si->param_id >= -1 &&
		    si->key_id >= -1);
		if (si->kind != NID_OID_OTHER)
			FUZZ_ASSERT(si->proto != NULL);
		if (si->kind == NID_OID_PK) {
			pk = NULL;
			rc = nid_secinfo_pubkey(si, &pk);
			if (rc == NID_OK) {
				FUZZ_ASSERT(pk != NULL);
				FUZZ_ASSERT(EVP_PKEY_get_bits(pk) > 0);
				check_dp(pk);
				EVP_PKEY_free(pk);
			} else
				FUZZ_ASSERT(pk == NULL);
			ERR_clear_error();
		}
	}
	for (k = 0; k < NID_NELEM(kinds); k++) {
		cnt = nid_secinfos_count(s, kinds[k]);
		total += cnt;
		for (i = 0; i < cnt; i++) {
			si = nid_secinfos_get(s, kinds[k], i);
			FUZZ_ASSERT(si != NULL && si->kind == kinds[k]);
		}
		FUZZ_ASSERT(nid_secinfos_get(s, kinds[k], cnt) == NULL);
	}
	FUZZ_ASSERT(total == s->n);
}

static void
same_entries(const nid_secinfos *a, const nid_secinfos *b)
{
	size_t i;

	FUZZ_ASSERT(a->n == b->n);
	for (i = 0; i < a->n; i++) {
		FUZZ_ASSERT(a->v[i].kind == b->v[i].kind);
		FUZZ_ASSERT(strcmp(a->v[i].oid, b->v[i].oid) == 0);
		FUZZ_ASSERT(a->v[i].version == b->v[i].version);
		FUZZ_ASSERT(a->v[i].param_id == b->v[i].param_id);
		FUZZ_ASSERT(a->v[i].key_id == b->v[i].key_id);
		FUZZ_ASSERT(a->v[i].raw.len == b->v[i].raw.len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nid_secinfos *s, *again;
	int rc;

	s = (nid_secinfos *)&s; /* must be cleared on failure */
	rc = nid_secinfos_parse(data, size, &s);
	if (rc == NID_OK) {
		FUZZ_ASSERT(s != NULL);
		check_set(s);
		/* The copy it owns parses to the same set. */
		again = NULL;
		FUZZ_ASSERT(nid_secinfos_parse(s->data, s->data_len, &again) ==
		    NID_OK);
		same_entries(s, again);
		nid_secinfos_free(&again);
		nid_secinfos_free(&s);
		FUZZ_ASSERT(s == NULL);
	} else
		FUZZ_ASSERT(s == NULL);

	s = (nid_secinfos *)&s;
	rc = nid_secinfos_parse_dg14(data, size, &s);
	if (rc == NID_OK) {
		check_set(s);
		check_ca(s);
		nid_secinfos_free(&s);
	} else
		FUZZ_ASSERT(s == NULL);

	s = (nid_secinfos *)&s;
	rc = nid_secinfos_parse_cardsecurity(data, size, &s);
	if (rc == NID_OK) {
		check_set(s);
		nid_secinfos_free(&s);
	} else
		FUZZ_ASSERT(s == NULL);
	ERR_clear_error();
	return 0;
}
