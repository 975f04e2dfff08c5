/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_ca.c — Chip Authentication version 1, chip side (sim_ca.h). The
 * key agreement is the library's (pace.h: validation, the shared
 * secret; kdf.h through nid_pace_session_keys), seen from the chip: the
 * worked examples of tests/unit/check_ca.c check that code against
 * recordings of real passports.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sim_ca.h"
#include "ca.h"
#include "kdf.h"
#include "oid.h"
#include "pace.h"
#include "secinfo.h"

#define CA_KEY_FILE_MAX (64u * 1024u)
/* A chained command's data: a 2048-bit DH key and its DOs, with room. */
#define CA_CHAIN_MAX 1024u

struct ca_key {
	const struct nid_oid_info *proto;  /* id-CA-<ka>-<cipher> */
	uint8_t oid[NID_OID_DER_MAX];
	size_t oid_len;
	enum nid_kdf_alg alg;
	long key_id;                       /* -1: none */
	nid_pace_dp *dp;
	nid_buf sk;                        /* SK_IC, big-endian: secret */
	char path[256];
	char algorithm[64];
};

struct nid_sim_ca {
	struct ca_key keys[NID_SIM_CA_KEYS_MAX];
	size_t nkeys;
	int cloned;
	unsigned long count;
	/* in progress */
	int at;                            /* key of MSE:Set AT, -1 none */
	int pending;                       /* next holds new session keys */
	struct nid_pace_keys next;
	/* command chaining (ISO/IEC 7816-4 §5.1.1.1) of MSE / GA */
	int chaining;
	uint8_t chain_hdr[3];              /* INS P1 P2 of the chain */
	nid_buf chain;
};

static int
bad(nid_ctx_t *ctx, size_t i, const char *field, const char *msg)
{
	return nid_ctx_set_detail(ctx, NID_E_MALFORMED,
	    "card.json: icao.ca[%zu]%s: %s", i, field, msg);
}

/* ---- loading ------------------------------------------------------------ */

/* A PEM private key from a file inside the image. */
static int
load_key(nid_ctx_t *ctx, const nid_sim_card *card, size_t i, const char *rel,
    EVP_PKEY **out)
{
	char full[4096];
	uint8_t *p = NULL;
	size_t len = 0, n = strlen(rel);
	BIO *bio = NULL;
	int rc;

	*out = NULL;
	/* Relative to the image, and never outside it. */
	if (n == 0 || rel[0] == '/' || strcmp(rel, "..") == 0 ||
	    strncmp(rel, "../", 3) == 0 || strstr(rel, "/../") != NULL ||
	    (n >= 3 && strcmp(rel + n - 3, "/..") == 0))
		return bad(ctx, i, ".key", "must be a path inside the image");
	if ((size_t)snprintf(full, sizeof(full), "%s/%s", card->dir, rel) >=
	    sizeof(full))
		return bad(ctx, i, ".key", "path too long");
	if ((rc = nid_file_read(ctx, full, CA_KEY_FILE_MAX, &p, &len)) !=
	    NID_OK)
		return rc;
	if (len > INT32_MAX || (bio = BIO_new_mem_buf(p, (int)len)) == NULL ||
	    (*out = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL)
		rc = bad(ctx, i, ".key", "not a PEM private key");
	else
		rc = NID_OK;
	BIO_free(bio);
	if (p != NULL) {
		OPENSSL_cleanse(p, len);
		free(p);
	}
	ERR_clear_error();
	return rc;
}

/* The application's EF with fid, or NULL. */
static const nid_sim_file *
find_ef(const nid_sim_card *card, uint16_t fid)
{
	static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10,
		0x01 };
	size_t i, j;

	for (i = 0; i < card->nfiles; i++) {
		if (card->files[i].type != NID_SIM_DF ||
		    card->files[i].aid_len != sizeof(aid) ||
		    memcmp(card->files[i].aid, aid, sizeof(aid)) != 0)
			continue;
		for (j = 0; j < card->nfiles; j++)
			if (card->files[j].type == NID_SIM_EF &&
			    card->files[j].parent == (int)i &&
			    card->files[j].fid == fid)
				return &card->files[j];
	}
	return NULL;
}

/*
 * The key must be in DG14 (sim_ca.h): the info with the OID, version 1
 * and the keyId (or no info at all for a 3DES key: EAC 1.x), and the
 * public key with the keyId equal to pub.
 */
static int
check_dg14(nid_ctx_t *ctx, const nid_secinfos *dg14, size_t i,
    const struct ca_key *k, const nid_buf *pub)
{
	const struct nid_secinfo *si;
	nid_pace_dp *dp = NULL;
	EVP_PKEY *pk = NULL;
	nid_buf other;
	size_t j;
	int found = 0;

	for (j = 0; (si = nid_secinfos_get(dg14, NID_OID_CA, j)) != NULL; j++)
		if (si->oid_der.len == k->oid_len &&
		    memcmp(si->oid_der.p, k->oid, k->oid_len) == 0 &&
		    si->version == 1 && si->key_id == k->key_id)
			found = 1;
	if (!found && !(nid_secinfos_count(dg14, NID_OID_CA) == 0 &&
	    k->alg == NID_KDF_3DES))
		return bad(ctx, i, "", "DG14 has no ChipAuthenticationInfo "
		    "(version 1) with this OID and keyId");
	nid_buf_init(&other, NID_PACE_PUB_MAX);
	found = 0;
	for (j = 0; !found && (si = nid_secinfos_get(dg14, NID_OID_PK, j)) !=
	    NULL; j++) {
		if (si->proto == NULL || si->proto->ka != k->proto->ka ||
		    si->key_id != k->key_id)
			continue;
		nid_buf_reset(&other);
		if (nid_secinfo_pubkey(si, &pk) == NID_OK &&
		    nid_pace_dp_from_pkey(pk, &dp, &other) == NID_OK &&
		    other.len == pub->len &&
		    memcmp(other.p, pub->p, pub->len) == 0)
			found = 1;
		nid_pace_dp_free(&dp);
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	nid_buf_clear(&other);
	if (!found)
		return bad(ctx, i, ".key", "DG14 has no "
		    "ChipAuthenticationPublicKeyInfo with this keyId and this "
		    "key's public key");
	return NID_OK;
}

static int
load_one(nid_ctx_t *ctx, nid_sim_card *card, json_t *e, size_t i,
    const nid_secinfos *dg14, struct ca_key *k)
{
	const char *name;
	json_t *v;
	EVP_PKEY *pk = NULL;
	BIGNUM *d = NULL;
	nid_buf pub;
	int rc;

	nid_buf_init(&pub, NID_PACE_PUB_MAX);
	if (!json_is_object(e)) {
		rc = bad(ctx, i, "", "must be an object { \"oid\", \"key_id\", "
		    "\"key\" }");
		goto out;
	}
	json_object_foreach(e, name, v) {
		if (strcmp(name, "oid") != 0 && strcmp(name, "key_id") != 0 &&
		    strcmp(name, "key") != 0) {
			rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED, "card.json: "
			    "icao.ca[%zu]: unknown field \"%s\"", i, name);
			goto out;
		}
	}
	v = json_object_get(e, "oid");
	if (v == NULL || !json_is_string(v) ||
	    (k->proto = nid_oid_lookup_str(json_string_value(v))) == NULL ||
	    k->proto->kind != NID_OID_CA ||
	    k->proto->cipher == NID_OID_CIPHER_NONE ||
	    nid_oid_from_str(k->proto->dotted, k->oid, sizeof(k->oid),
	    &k->oid_len) != NID_OK) {
		rc = bad(ctx, i, ".oid", "must be a Chip Authentication protocol "
		    "OID, e.g. 0.4.0.127.0.7.2.2.3.2.2 "
		    "(id-CA-ECDH-AES-CBC-CMAC-128)");
		goto out;
	}
	k->alg = (enum nid_kdf_alg)k->proto->cipher;
	k->key_id = -1;
	if ((v = json_object_get(e, "key_id")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > NID_CA_KEY_ID_MAX) {
			rc = bad(ctx, i, ".key_id", "must be an integer "
			    "0..2147483647");
			goto out;
		}
		k->key_id = (long)json_integer_value(v);
	}
	if ((v = json_object_get(e, "key")) == NULL || !json_is_string(v)) {
		rc = bad(ctx, i, ".key", "missing (the PEM private key file)");
		goto out;
	}
	(void)snprintf(k->path, sizeof(k->path), "%s", json_string_value(v));
	if ((rc = load_key(ctx, card, i, json_string_value(v), &pk)) != NID_OK)
		goto out;
	if (nid_pace_dp_from_pkey(pk, &k->dp, &pub) != NID_OK ||
	    nid_pace_dp_is_ec(k->dp) != (k->proto->ka == NID_KA_ECDH)) {
		rc = bad(ctx, i, ".key", "must be an EC key on a prime curve "
		    "(id-CA-ECDH-*) or a DH key (id-CA-DH-*)");
		goto out;
	}
	/* SK_IC as big-endian bytes: the library's key arithmetic. */
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1 ||
	    BN_num_bytes(d) <= 0 || BN_num_bytes(d) > (int)NID_PACE_PUB_MAX) {
		rc = bad(ctx, i, ".key", "no private key");
		goto out;
	}
	if ((rc = nid_buf_reserve(&k->sk, (size_t)BN_num_bytes(d))) != NID_OK)
		goto out;
	k->sk.len = (size_t)BN_bn2bin(d, k->sk.p);
	nid_ca_algorithm_str(pk, k->alg, k->algorithm, sizeof(k->algorithm));
	if (dg14 == NULL) {
		rc = bad(ctx, i, "", "the eMRTD application has no DG14 (EF "
		    "010E) that parses as SecurityInfos");
		goto out;
	}
	rc = check_dg14(ctx, dg14, i, k, &pub);
 out:
	BN_clear_free(d);
	EVP_PKEY_free(pk);
	nid_buf_clear(&pub);
	ERR_clear_error();
	return rc;
}

static void
key_clear(struct ca_key *k)
{
	nid_pace_dp_free(&k->dp);
	nid_buf_clear(&k->sk);
}

int
nid_sim_ca_load(nid_ctx_t *ctx, nid_sim_card *card, json_t *arr,
    struct nid_sim_ca **out)
{
	struct nid_sim_ca *ca = NULL;
	const nid_sim_file *f;
	nid_secinfos *dg14 = NULL;
	json_t *e;
	size_t i;
	int rc;

	*out = NULL;
	if (!json_is_array(arr) || json_array_size(arr) < 1 ||
	    json_array_size(arr) > NID_SIM_CA_KEYS_MAX)
		return nid_ctx_set_detail(ctx, NID_E_MALFORMED, "card.json: "
		    "icao.ca: must be an array of 1..4 { \"oid\", \"key_id\", "
		    "\"key\" } objects");
	if ((ca = calloc(1, sizeof(*ca))) == NULL)
		return NID_E_NOMEM;
	ca->at = -1;
	nid_buf_init(&ca->chain, CA_CHAIN_MAX);
	for (i = 0; i < NID_SIM_CA_KEYS_MAX; i++)
		nid_buf_init(&ca->keys[i].sk, NID_PACE_PUB_MAX);
	if ((f = find_ef(card, NID_CA_DG14_FID)) != NULL &&
	    nid_secinfos_parse_dg14(f->data, f->len, &dg14) != NID_OK)
		dg14 = NULL;
	json_array_foreach(arr, i, e) {
		if ((rc = load_one(ctx, card, e, i, dg14, &ca->keys[i])) !=
		    NID_OK)
			goto out;
		ca->nkeys++;
	}
	*out = ca;
	ca = NULL;
	rc = NID_OK;
 out:
	nid_secinfos_free(&dg14);
	nid_sim_ca_free(&ca);
	return rc;
}

void
nid_sim_ca_free(struct nid_sim_ca **cap)
{
	struct nid_sim_ca *ca;
	size_t i;

	if (cap == NULL || (ca = *cap) == NULL)
		return;
	for (i = 0; i < NID_SIM_CA_KEYS_MAX; i++)
		key_clear(&ca->keys[i]);
	nid_buf_clear(&ca->chain);
	OPENSSL_cleanse(ca, sizeof(*ca));
	free(ca);
	*cap = NULL;
}

int
nid_sim_ca_clone(struct nid_sim_ca *ca)
{
	nid_buf sk, pk;
	size_t i;
	int rc = NID_OK;

	if (ca == NULL)
		return NID_OK;
	nid_buf_init(&sk, NID_PACE_PUB_MAX);
	nid_buf_init(&pk, NID_PACE_PUB_MAX);
	for (i = 0; i < ca->nkeys && rc == NID_OK; i++) {
		/* A fresh key on the same domain parameters: what a blank
		 * chip holding the copied files can have at best. */
		nid_buf_reset(&sk);
		nid_buf_reset(&pk);
		if ((rc = nid_pace_keypair(ca->keys[i].dp, NULL, 0, &sk,
		    &pk)) != NID_OK)
			break;
		nid_buf_reset(&ca->keys[i].sk);
		rc = nid_buf_put(&ca->keys[i].sk, sk.p, sk.len);
	}
	if (rc == NID_OK)
		ca->cloned = 1;
	nid_buf_clear(&sk);
	nid_buf_clear(&pk);
	return rc;
}

void
nid_sim_ca_summary(const struct nid_sim_ca *ca, FILE *fp)
{
	size_t i;

	for (i = 0; ca != NULL && i < ca->nkeys; i++) {
		fprintf(fp, "  CA          %s (%s)", ca->keys[i].proto->dotted,
		    ca->keys[i].proto->name);
		if (ca->keys[i].key_id >= 0)
			fprintf(fp, ", keyId %ld", ca->keys[i].key_id);
		fprintf(fp, ", %s, %s%s\n", ca->keys[i].algorithm,
		    ca->keys[i].path, ca->cloned ? " (fault clone: another "
		    "private key)" : "");
	}
}

unsigned long
nid_sim_ca_count(const struct nid_sim_ca *ca)
{
	return ca != NULL ? ca->count : 0;
}

/* ---- the protocol ---------------------------------------------------- */

void
nid_sim_ca_reset(struct nid_sim_ca *ca)
{
	if (ca == NULL)
		return;
	ca->at = -1;
	ca->pending = 0;
	nid_pace_keys_clear(&ca->next);
	ca->chaining = 0;
	nid_buf_reset(&ca->chain);
}

/*
 * Command chaining (ISO/IEC 7816-4 §5.1.1.1; under secure messaging each
 * link is protected on its own): a 2048-bit DH key does not fit a short
 * command. A link (CLA b5) is kept and answered 9000; the last one gives
 * the whole command in *whole (its data in ca->chain). Returns 1 when
 * rsp is set (a link, or a refusal), 0 for a whole command.
 */
static int
chain(struct nid_sim_ca *ca, const nid_apdu *a, nid_apdu *whole,
    nid_sim_rsp *rsp)
{
	int link = (a->cla & 0x10) != 0;

	*whole = *a;
	if (!link && !ca->chaining)
		return 0;
	if (ca->chaining && (ca->chain_hdr[0] != a->ins ||
	    ca->chain_hdr[1] != a->p1 || ca->chain_hdr[2] != a->p2)) {
		nid_sim_ca_reset(ca);
		rsp->sw = NID_SW_CONDITIONS;
		return 1;
	}
	if ((a->nc != 0 && nid_buf_put(&ca->chain, a->data, a->nc) !=
	    NID_OK) || (link && a->ne != 0)) {
		nid_sim_ca_reset(ca);
		rsp->sw = NID_SW_WRONG_LENGTH;
		return 1;
	}
	if (link) {
		ca->chaining = 1;
		ca->chain_hdr[0] = a->ins;
		ca->chain_hdr[1] = a->p1;
		ca->chain_hdr[2] = a->p2;
		rsp->sw = NID_SW_OK;
		return 1;
	}
	whole->data = ca->chain.p;
	whole->nc = ca->chain.len;
	ca->chaining = 0;
	return 0;
}

int
nid_sim_ca_take(struct nid_sim_ca *ca, struct nid_pace_keys *keys)
{
	if (ca == NULL || !ca->pending)
		return 0;
	*keys = ca->next;
	ca->pending = 0;
	nid_pace_keys_clear(&ca->next);
	return 1;
}

/* K = KA(SK_IC, PK_IFD) and the session keys, pending until the answer
 * is out (ICAO 9303-11 §6.2.1 step 3). 0 or an SW for a bad PK_IFD. */
static int
agree(struct nid_sim_ca *ca, const struct ca_key *k, nid_cur pk,
    uint16_t *sw)
{
	nid_buf kk;
	int rc;

	*sw = 0;
	nid_buf_init(&kk, NID_PACE_PUB_MAX);
	/* TR-03110-3 §A.2.2: the terminal's key on the curve / in range. */
	if (nid_pace_check_pub(k->dp, pk.p, pk.len) != NID_OK ||
	    nid_pace_shared_secret(k->dp, k->sk.p, k->sk.len, pk.p, pk.len,
	    &kk) != NID_OK) {
		*sw = NID_SW_WRONG_DATA;
		rc = NID_OK;
		goto out;
	}
	if ((rc = nid_pace_session_keys(k->alg, kk.p, kk.len, &ca->next)) !=
	    NID_OK)
		goto out;
	ca->pending = 1;
	ca->count++;
 out:
	nid_buf_clear(&kk);
	return rc;
}

/* The data field as 80|91 (one, required) and 84 (optional). */
static int
parse_mse(const nid_apdu *a, uint32_t main_tag, nid_cur *mainv,
    long *key_id)
{
	nid_cur c, v;
	uint32_t tag;
	int have_main = 0, have_id = 0;

	*key_id = -1;
	nid_cur_init(&c, a->data, a->nc);
	while (c.len > 0) {
		if (nid_tlv_next(&c, 0, &tag, &v) != NID_OK)
			return NID_E_MALFORMED;
		if (tag == main_tag && !have_main) {
			*mainv = v;
			have_main = 1;
		} else if (tag == 0x84 && !have_id) {
			if (nid_ca_key_ref_parse(v.p, v.len, key_id) != NID_OK)
				return NID_E_MALFORMED;
			have_id = 1;
		} else
			return NID_E_MALFORMED;
	}
	return have_main ? NID_OK : NID_E_MALFORMED;
}

/* The key for a KAT (oid NULL) or an AT; -1 when none or ambiguous. */
static int
find_key(const struct nid_sim_ca *ca, const nid_cur *oid, long key_id)
{
	size_t i;
	int found = -1;

	for (i = 0; i < ca->nkeys; i++) {
		const struct ca_key *k = &ca->keys[i];

		if (oid == NULL && k->alg != NID_KDF_3DES)
			continue;   /* KAT: 3DES only (TR-03110-3) */
		if (oid != NULL && (oid->len != k->oid_len ||
		    memcmp(oid->p, k->oid, k->oid_len) != 0))
			continue;
		if (key_id >= 0 && k->key_id != key_id)
			continue;
		if (found >= 0)
			return -1;  /* 84 is required when ambiguous */
		found = (int)i;
	}
	return found;
}

int
nid_sim_ca_mse(struct nid_sim_ca *ca, nid_sim_card *card,
    const nid_sim_cmd *cmd, nid_sim_rsp *rsp)
{
	const nid_apdu *a = &cmd->apdu;
	nid_apdu whole;
	nid_cur v;
	long key_id;
	int idx, kat, rc;
	uint16_t sw = 0;

	(void)card;
	if (ca == NULL || cmd->apdu.p1 != 0x41 || (cmd->apdu.p2 != 0xA6 &&
	    cmd->apdu.p2 != 0xA4))
		return NID_SIM_DECLINE;
	kat = a->p2 == 0xA6;
	ca->at = -1;
	ca->pending = 0;
	if (!cmd->sm) {
		nid_sim_ca_reset(ca);
		rsp->sw = NID_SW_SECURITY;
		return NID_OK;
	}
	if (chain(ca, &cmd->apdu, &whole, rsp))
		return NID_OK;
	a = &whole;
	rc = NID_OK;
	memset(&v, 0, sizeof(v));
	if (a->ne != 0)
		sw = NID_SW_WRONG_LENGTH;
	else if (parse_mse(a, kat ? 0x91 : 0x80, &v, &key_id) != NID_OK)
		sw = NID_SW_WRONG_DATA;
	else if ((idx = find_key(ca, kat ? NULL : &v, key_id)) < 0)
		sw = NID_SW_REF_NOT_FOUND;
	else if (!kat) {
		/* MSE:Set AT: GENERAL AUTHENTICATE brings PK_IFD. */
		ca->at = idx;
		sw = NID_SW_OK;
	} else if ((rc = agree(ca, &ca->keys[idx], v, &sw)) == NID_OK &&
	    sw == 0)
		sw = NID_SW_OK;
	nid_buf_reset(&ca->chain);
	rsp->sw = sw;
	return rc;
}

int
nid_sim_ca_ga(struct nid_sim_ca *ca, nid_sim_card *card,
    const nid_sim_cmd *cmd, nid_sim_rsp *rsp)
{
	const nid_apdu *a = &cmd->apdu;
	struct nid_pace_dad dad;
	nid_apdu whole;
	int idx, rc;
	uint16_t sw = 0;

	(void)card;
	if (ca == NULL || ca->at < 0 || !cmd->sm)
		return NID_SIM_DECLINE;
	idx = ca->at;
	if (a->p1 != 0 || a->p2 != 0) {
		nid_sim_ca_reset(ca);
		rsp->sw = NID_SW_WRONG_P1P2;
		return NID_OK;
	}
	if (chain(ca, &cmd->apdu, &whole, rsp)) {
		if (!ca->chaining)
			ca->at = -1;   /* refused */
		return NID_OK;
	}
	a = &whole;
	ca->at = -1;
	/* 7C { 80 PK_IFD } and nothing else. */
	if (nid_pace_dad_parse(a->data, a->nc, 1u << 0, 1u << 0, &dad) !=
	    NID_OK) {
		nid_buf_reset(&ca->chain);
		rsp->sw = NID_SW_WRONG_DATA;
		return NID_OK;
	}
	rc = agree(ca, &ca->keys[idx], dad.v[0], &sw);
	nid_buf_reset(&ca->chain);
	if (rc != NID_OK)
		return rc;
	if (sw != 0) {
		rsp->sw = sw;
		return NID_OK;
	}
	/* Version 1: empty dynamic authentication data. */
	if ((rc = nid_tlv_put_header(&rsp->data, 0x7C, 0)) != NID_OK) {
		nid_sim_ca_reset(ca);
		return rc;
	}
	rsp->sw = NID_SW_OK;
	return NID_OK;
}
