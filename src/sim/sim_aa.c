/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_aa.c — Active Authentication, chip side (sim_aa.h). The signature
 * formats are built here from the standards; the terminal side that
 * checks them is src/lib/aa.c (a different code path on purpose: the
 * two meet only on the wire).
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "sim_aa.h"
#include "aa.h"

#define AA_KEY_FILE_MAX (64u * 1024u)

struct nid_sim_aa {
	EVP_PKEY *key;        /* the chip's private key */
	int type;             /* EVP_PKEY_RSA or EVP_PKEY_EC */
	size_t sig_len;       /* k (RSA) or 2 × order length (EC) */
	int md_nid;           /* RSA: SHA-1 → trailer BC, else hh CC */
	char path[256];       /* as the image names it (summary) */
	int cloned;
	unsigned long count;
	nid_sim_card *card;   /* for nid_sim_random (seeded tests) */
};

static const struct {
	const char *name;
	int md_nid;
	uint8_t trailer_id;   /* ISO/IEC 10118-3 hash identifier */
} hashes[] = {
	{ "sha1", NID_sha1, 0x33 },
	{ "sha224", NID_sha224, 0x38 },
	{ "sha256", NID_sha256, 0x34 },
	{ "sha384", NID_sha384, 0x36 },
	{ "sha512", NID_sha512, 0x35 },
};

static uint8_t
trailer_id(int md_nid)
{
	size_t i;

	for (i = 0; i < NID_NELEM(hashes); i++)
		if (hashes[i].md_nid == md_nid)
			return hashes[i].trailer_id;
	return 0;
}

/* Key size checks shared by load and clone; sets aa->type, sig_len. */
static int
key_shape(struct nid_sim_aa *aa, EVP_PKEY *key)
{
	int bits = EVP_PKEY_get_bits(key);
	size_t L;

	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
		if (bits < 512 || bits % 8 != 0 ||
		    (size_t)bits / 8 > NID_AA_SIG_MAX)
			return NID_E_UNSUPPORTED;
		aa->type = EVP_PKEY_RSA;
		aa->sig_len = (size_t)bits / 8;
		return NID_OK;
	case EVP_PKEY_EC:
		if (nid_aa_ec_field_len(key, &L) != NID_OK)
			return NID_E_UNSUPPORTED;
		aa->type = EVP_PKEY_EC;
		aa->sig_len = 2 * L;
		return NID_OK;
	default:
		return NID_E_UNSUPPORTED;
	}
}

static int
bad(nid_ctx_t *ctx, const char *path, const char *msg)
{
	return nid_ctx_set_detail(ctx, NID_E_MALFORMED, "card.json: icao.aa%s: "
	    "%s", path, msg);
}

/* ---- signing ---------------------------------------------------------- */

/*
 * ISO/IEC 9796-2 scheme 1, partial recovery, as ICAO 9303-11 §6.1.2.2
 * has the chip do it: M1 fills the representative, M2 = RND.IFD.
 */
static int
sign_9796(struct nid_sim_aa *aa, const uint8_t *rnd, size_t rnd_len,
    nid_buf *out)
{
	uint8_t j[NID_AA_SIG_MAX], sig[NID_AA_SIG_MAX];
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *mctx = NULL;
	const EVP_MD *md;
	unsigned int hl = 0;
	size_t k = aa->sig_len, t, hoff, n;
	int rc = NID_E_CRYPTO;

	if ((md = EVP_get_digestbynid(aa->md_nid)) == NULL)
		goto out;
	t = aa->md_nid == NID_sha1 ? 1 : 2;
	hoff = k - t - (size_t)EVP_MD_get_size(md);
	j[0] = 0x6A;   /* 01, more-data bit 1, 0; padding: just the A */
	if ((rc = nid_sim_random(aa->card, j + 1, hoff - 1)) != NID_OK)
		goto out;
	rc = NID_E_CRYPTO;
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(mctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(mctx, j + 1, hoff - 1) != 1 ||
	    EVP_DigestUpdate(mctx, rnd, rnd_len) != 1 ||
	    EVP_DigestFinal_ex(mctx, j + hoff, &hl) != 1)
		goto out;
	if (t == 1)
		j[k - 1] = 0xBC;
	else {
		j[k - 2] = trailer_id(aa->md_nid);
		j[k - 1] = 0xCC;
	}
	/* Σ = J^d mod n (J < n: it starts with 6A, n with its top bit). */
	n = sizeof(sig);
	if ((pctx = EVP_PKEY_CTX_new_from_pkey(NULL, aa->key, NULL)) == NULL ||
	    EVP_PKEY_sign_init(pctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_NO_PADDING) != 1 ||
	    EVP_PKEY_sign(pctx, sig, &n, j, k) != 1 || n != k)
		goto out;
	rc = nid_buf_put(out, sig, k);
out:
	if (rc != NID_OK)
		ERR_clear_error();
	OPENSSL_cleanse(j, sizeof(j));
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	return rc;
}

/* ECDSA over RND.IFD, answered in the plain format (TR-03111 §5.2.1). */
static int
sign_ecdsa(struct nid_sim_aa *aa, const uint8_t *rnd, size_t rnd_len,
    nid_buf *out)
{
	uint8_t der[2 * NID_AA_EC_FIELD_MAX + 16];
	uint8_t plain[2 * NID_AA_EC_FIELD_MAX];
	EVP_MD_CTX *mctx = NULL;
	size_t dl = sizeof(der);
	int rc = NID_E_CRYPTO;

	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(mctx, NULL, EVP_get_digestbynid(aa->md_nid),
	    NULL, aa->key) != 1 ||
	    EVP_DigestSign(mctx, der, &dl, rnd, rnd_len) != 1)
		goto out;
	if ((rc = nid_aa_ecdsa_der_to_plain(der, dl, aa->sig_len / 2,
	    plain)) != NID_OK)
		goto out;
	rc = nid_buf_put(out, plain, aa->sig_len);
out:
	if (rc != NID_OK)
		ERR_clear_error();
	EVP_MD_CTX_free(mctx);
	return rc;
}

/* INTERNAL AUTHENTICATE, ICAO 9303-11 §6.1.2: 00 88 00 00 08 RND.IFD Le. */
static int
h_aa(nid_sim_card *card, void *arg, const nid_sim_cmd *cmd, nid_sim_rsp *rsp)
{
	struct nid_sim_aa *aa = arg;
	const nid_apdu *a = &cmd->apdu;
	int rc;

	(void)card;
	/* The guard of sim_icao.c has already dropped a session that a
	 * plain command interrupted; without a session: 6982. */
	if (!cmd->sm) {
		rsp->sw = NID_SW_SECURITY;
		return NID_OK;
	}
	if (a->p1 != 0x00 || a->p2 != 0x00) {
		rsp->sw = NID_SW_WRONG_P1P2;
		return NID_OK;
	}
	if (a->nc != NID_AA_CHALLENGE_LEN || a->ne < aa->sig_len) {
		rsp->sw = NID_SW_WRONG_LENGTH;
		return NID_OK;
	}
	if (aa->type == EVP_PKEY_RSA)
		rc = sign_9796(aa, a->data, a->nc, &rsp->data);
	else
		rc = sign_ecdsa(aa, a->data, a->nc, &rsp->data);
	if (rc != NID_OK)
		return rc;  /* 6F00 */
	aa->count++;
	rsp->sw = NID_SW_OK;
	return NID_OK;
}

/* ---- the image -------------------------------------------------------- */

static int
load_key(nid_ctx_t *ctx, const nid_sim_card *card, const char *rel,
    EVP_PKEY **out)
{
	char full[4096];
	uint8_t *p = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	int rc;

	*out = NULL;
	if (rel[0] == '/' || strstr(rel, "..") != NULL)
		return bad(ctx, ".key", "must be a path inside the image");
	if ((size_t)snprintf(full, sizeof(full), "%s/%s", card->dir, rel) >=
	    sizeof(full))
		return bad(ctx, ".key", "path too long");
	if ((rc = nid_file_read(ctx, full, AA_KEY_FILE_MAX, &p, &len)) !=
	    NID_OK)
		return rc;
	if (len > INT_MAX || (bio = BIO_new_mem_buf(p, (int)len)) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if ((*out = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL) {
		ERR_clear_error();
		rc = bad(ctx, ".key", "not a PEM private key");
		goto out;
	}
	rc = NID_OK;
out:
	BIO_free(bio);
	if (p != NULL)
		OPENSSL_cleanse(p, len);
	free(p);
	return rc;
}

int
nid_sim_aa_load(nid_ctx_t *ctx, nid_sim_card *card, json_t *obj,
    struct nid_sim_aa **out)
{
	struct nid_sim_aa *aa = NULL;
	const char *key, *s;
	json_t *v;
	size_t i;
	int rc;

	*out = NULL;
	if (!json_is_object(obj))
		return bad(ctx, "", "must be an object { \"key\", \"hash\" }");
	json_object_foreach(obj, key, v) {
		if (strcmp(key, "key") != 0 && strcmp(key, "hash") != 0)
			return nid_ctx_set_detail(ctx, NID_E_MALFORMED,
			    "card.json: icao.aa: unknown field \"%s\"", key);
	}
	if ((v = json_object_get(obj, "key")) == NULL || !json_is_string(v))
		return bad(ctx, ".key", "missing (the PEM private key file)");
	if ((aa = calloc(1, sizeof(*aa))) == NULL)
		return NID_E_NOMEM;
	aa->card = card;
	s = json_string_value(v);
	(void)snprintf(aa->path, sizeof(aa->path), "%s", s);
	if ((rc = load_key(ctx, card, s, &aa->key)) != NID_OK)
		goto out;
	if (key_shape(aa, aa->key) != NID_OK) {
		rc = bad(ctx, ".key", "must be an RSA key of whole bytes (512 "
		    "to 8192 bits) or an EC key on a named curve");
		goto out;
	}
	aa->md_nid = aa->type == EVP_PKEY_RSA ? NID_sha1 : NID_sha256;
	if ((v = json_object_get(obj, "hash")) != NULL) {
		s = json_is_string(v) ? json_string_value(v) : "";
		for (i = 0; i < NID_NELEM(hashes); i++)
			if (strcmp(s, hashes[i].name) == 0)
				break;
		if (i == NID_NELEM(hashes)) {
			rc = bad(ctx, ".hash", "sha1, sha224, sha256, sha384 "
			    "or sha512");
			goto out;
		}
		aa->md_nid = hashes[i].md_nid;
	}
	if (aa->type == EVP_PKEY_RSA && aa->sig_len < 2 + 64 + 2) {
		rc = bad(ctx, ".key", "RSA key too small for the hash");
		goto out;
	}
	if ((rc = nid_sim_add_handler(card, 0x88, h_aa, aa)) != NID_OK)
		goto out;
	*out = aa;
	aa = NULL;
	rc = NID_OK;
out:
	nid_sim_aa_free(&aa);
	return rc;
}

void
nid_sim_aa_free(struct nid_sim_aa **aap)
{
	struct nid_sim_aa *aa;

	if (aap == NULL || (aa = *aap) == NULL)
		return;
	EVP_PKEY_free(aa->key);
	OPENSSL_cleanse(aa, sizeof(*aa));
	free(aa);
	*aap = NULL;
}

int
nid_sim_aa_clone(struct nid_sim_aa *aa)
{
	EVP_PKEY *k = NULL;
	struct nid_sim_aa shape;
	char curve[64];
	int rc = NID_E_CRYPTO;

	if (aa == NULL)
		return NID_OK;
	if (aa->type == EVP_PKEY_RSA)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
		    (size_t)EVP_PKEY_get_bits(aa->key));
	else if (EVP_PKEY_get_utf8_string_param(aa->key,
	    OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve), NULL) == 1)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
	else
		rc = NID_E_UNSUPPORTED;  /* explicit curve parameters */
	if (k == NULL) {
		ERR_clear_error();
		return rc;
	}
	/* Same type and signature length as before. */
	memset(&shape, 0, sizeof(shape));
	if (key_shape(&shape, k) != NID_OK || shape.type != aa->type ||
	    shape.sig_len != aa->sig_len) {
		EVP_PKEY_free(k);
		return NID_E_INTERNAL;
	}
	EVP_PKEY_free(aa->key);
	aa->key = k;
	aa->cloned = 1;
	return NID_OK;
}

void
nid_sim_aa_summary(const struct nid_sim_aa *aa, FILE *fp)
{
	const char *h = "?";
	size_t i;

	if (aa == NULL)
		return;
	for (i = 0; i < NID_NELEM(hashes); i++)
		if (hashes[i].md_nid == aa->md_nid)
			h = hashes[i].name;
	fprintf(fp, "  AA          %s-%d, %s, %s (%s)%s\n",
	    aa->type == EVP_PKEY_RSA ? "RSA" : "ECDSA",
	    EVP_PKEY_get_bits(aa->key), aa->type == EVP_PKEY_RSA ?
	    "ISO/IEC 9796-2 scheme 1" : "plain r||s", h, aa->path,
	    aa->cloned ? ", CLONE: key replaced" : "");
}

unsigned long
nid_sim_aa_count(const struct nid_sim_aa *aa)
{
	return aa != NULL ? aa->count : 0;
}
