/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * pace.c — PACE v2 generic mapping, terminal side (ICAO 9303-11 §4.4;
 * BSI TR-03110-2 §3.2, TR-03110-3 §A.2, §A.3.4.1, §D.3). The arithmetic
 * uses OpenSSL's EC_GROUP / EC_POINT / BIGNUM: the mapped generator G' is
 * not a named group, so the EVP key-agreement API does not apply.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "card.h"
#include "kdf.h"
#include "nid_internal.h"
#include "oid.h"
#include "pace.h"
#include "sw.h"

struct nid_pace_dp {
	long id;
	EC_GROUP *group;      /* EC; NULL for DH */
	BIGNUM *p, *q, *g;    /* DH; q may be NULL */
	size_t flen;          /* |p| in bytes */
	size_t olen;          /* |order| in bytes (EC n; DH q, or p) */
};

/*
 * ICAO 9303-11 §9.5.1 table 7 / TR-03110-3 §A.2.1.1 table 4.
 * curve 0: a DH group named for OpenSSL's DHX keymgmt (RFC 5114 §2.1–2.3).
 */
static const struct {
	long id;
	int curve;
	const char *dh_group;
} nid_pace_std[] = {
	{ 0, 0, "dh_1024_160" },
	{ 1, 0, "dh_2048_224" },
	{ 2, 0, "dh_2048_256" },
	{ 8, NID_X9_62_prime192v1, NULL },
	{ 9, NID_brainpoolP192r1, NULL },
	{ 10, NID_secp224r1, NULL },
	{ 11, NID_brainpoolP224r1, NULL },
	{ 12, NID_X9_62_prime256v1, NULL },
	{ 13, NID_brainpoolP256r1, NULL },
	{ 14, NID_brainpoolP320r1, NULL },
	{ 15, NID_secp384r1, NULL },
	{ 16, NID_brainpoolP384r1, NULL },
	{ 17, NID_brainpoolP512r1, NULL },
	{ 18, NID_secp521r1, NULL },
};

static size_t
bn_bytes(const BIGNUM *b)
{
	int n = BN_num_bytes(b);

	return n > 0 ? (size_t)n : 0;
}

/* Append b as exactly len big-endian bytes. */
static int
put_bn(nid_buf *out, const BIGNUM *b, size_t len)
{
	int rc;

	if (len > INT_MAX || bn_bytes(b) > len)
		return NID_E_INTERNAL;
	if ((rc = nid_buf_reserve(out, len)) != NID_OK)
		return rc;
	if (BN_bn2binpad(b, out->p + out->len, (int)len) != (int)len)
		return NID_E_CRYPTO;
	out->len += len;
	return NID_OK;
}

static BIGNUM *
bn_from(const uint8_t *p, size_t len)
{
	if (len > INT_MAX)
		return NULL;
	return BN_bin2bn(p, (int)len, NULL);
}

void
nid_pace_dp_free(nid_pace_dp **dpp)
{
	nid_pace_dp *dp;

	if (dpp == NULL || (dp = *dpp) == NULL)
		return;
	EC_GROUP_free(dp->group);
	BN_free(dp->p);
	BN_free(dp->q);
	BN_free(dp->g);
	free(dp);
	*dpp = NULL;
}

static int
dh_group_params(const char *name, nid_pace_dp *dp)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pk = NULL;
	OSSL_PARAM params[2];
	int rc = NID_E_CRYPTO;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    (char *)(uintptr_t)name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((pctx = EVP_PKEY_CTX_new_from_name(NULL, "DHX", NULL)) == NULL ||
	    EVP_PKEY_paramgen_init(pctx) <= 0 ||
	    EVP_PKEY_CTX_set_params(pctx, params) <= 0 ||
	    EVP_PKEY_generate(pctx, &pk) <= 0 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_FFC_P, &dp->p) <= 0 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_FFC_Q, &dp->q) <= 0 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_FFC_G, &dp->g) <= 0)
		goto out;
	dp->flen = bn_bytes(dp->p);
	dp->olen = bn_bytes(dp->q);
	rc = NID_OK;
 out:
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(pctx);
	ERR_clear_error();
	return rc;
}

int
nid_pace_dp_std(long param_id, nid_pace_dp **out)
{
	nid_pace_dp *dp = NULL;
	size_t i;
	int rc = NID_E_UNSUPPORTED;

	*out = NULL;
	for (i = 0; i < NID_NELEM(nid_pace_std); i++)
		if (nid_pace_std[i].id == param_id)
			break;
	if (i == NID_NELEM(nid_pace_std))
		goto out;
	if ((dp = calloc(1, sizeof(*dp))) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	dp->id = param_id;
	if (nid_pace_std[i].dh_group != NULL) {
		if ((rc = dh_group_params(nid_pace_std[i].dh_group, dp)) != NID_OK)
			goto out;
	} else {
		if ((dp->group = EC_GROUP_new_by_curve_name(
		    nid_pace_std[i].curve)) == NULL) {
			rc = NID_E_CRYPTO;
			goto out;
		}
		dp->flen = (size_t)(EC_GROUP_get_degree(dp->group) + 7) / 8;
		dp->olen = bn_bytes(EC_GROUP_get0_order(dp->group));
	}
	*out = dp;
	dp = NULL;
	rc = NID_OK;
 out:
	nid_pace_dp_free(&dp);
	ERR_clear_error();
	return rc;
}

int
nid_pace_dp_is_ec(const nid_pace_dp *dp)
{
	return dp->group != NULL;
}

size_t
nid_pace_dp_field_len(const nid_pace_dp *dp)
{
	return dp->flen;
}

size_t
nid_pace_dp_pub_len(const nid_pace_dp *dp)
{
	return dp->group != NULL ? 1 + 2 * dp->flen : dp->flen;
}

int
nid_pace_dp_prime(const nid_pace_dp *dp, nid_buf *out)
{
	if (dp->group != NULL || dp->p == NULL)
		return NID_E_INVALID_ARG;
	return put_bn(out, dp->p, dp->flen);
}

static int
ec_put_point(const nid_pace_dp *dp, const EC_POINT *pt, nid_buf *out,
    BN_CTX *bctx)
{
	size_t n = 1 + 2 * dp->flen;
	int rc;

	if ((rc = nid_buf_reserve(out, n)) != NID_OK)
		return rc;
	if (EC_POINT_point2oct(dp->group, pt, POINT_CONVERSION_UNCOMPRESSED,
	    out->p + out->len, n, bctx) != n)
		return NID_E_CRYPTO;
	out->len += n;
	return NID_OK;
}

int
nid_pace_dp_generator(const nid_pace_dp *dp, nid_buf *out)
{
	BN_CTX *bctx;
	int rc;

	if (dp->group == NULL)
		return put_bn(out, dp->g, dp->flen);
	if ((bctx = BN_CTX_new()) == NULL)
		return NID_E_NOMEM;
	rc = ec_put_point(dp, EC_GROUP_get0_generator(dp->group), out, bctx);
	BN_CTX_free(bctx);
	return rc;
}

/*
 * Decode and validate an EC public key (TR-03110-3 §A.2.2.3): the
 * uncompressed form only, x and y below p, on the curve. The uncompressed
 * form cannot encode the point at infinity; the check stays for clarity.
 */
static int
ec_get_point(const nid_pace_dp *dp, const uint8_t *pk, size_t pk_len,
    EC_POINT **out, BN_CTX *bctx)
{
	EC_POINT *pt = NULL;
	BIGNUM *p = NULL, *x = NULL, *y = NULL;
	int rc = NID_E_MALFORMED;

	*out = NULL;
	if (pk_len != 1 + 2 * dp->flen || pk[0] != 0x04)
		goto out;
	if ((p = BN_new()) == NULL ||
	    (x = bn_from(pk + 1, dp->flen)) == NULL ||
	    (y = bn_from(pk + 1 + dp->flen, dp->flen)) == NULL ||
	    (pt = EC_POINT_new(dp->group)) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if (!EC_GROUP_get_curve(dp->group, p, NULL, NULL, bctx)) {
		rc = NID_E_CRYPTO;
		goto out;
	}
	if (BN_cmp(x, p) >= 0 || BN_cmp(y, p) >= 0)
		goto out;
	if (!EC_POINT_set_affine_coordinates(dp->group, pt, x, y, bctx) ||
	    EC_POINT_is_on_curve(dp->group, pt, bctx) != 1 ||
	    EC_POINT_is_at_infinity(dp->group, pt))
		goto out;
	*out = pt;
	pt = NULL;
	rc = NID_OK;
 out:
	EC_POINT_free(pt);
	BN_free(p);
	BN_free(x);
	BN_free(y);
	ERR_clear_error();
	return rc;
}

/* DH public value: |p| bytes, 1 < y < p-1, y^q = 1 (TR-03110-3 §A.2.2.2). */
static int
dh_get_value(const nid_pace_dp *dp, const uint8_t *pk, size_t pk_len,
    BIGNUM **out, BN_CTX *bctx)
{
	BIGNUM *y = NULL, *pm1 = NULL, *t = NULL;
	int rc = NID_E_MALFORMED;

	*out = NULL;
	if (pk_len != dp->flen)
		goto out;
	if ((y = bn_from(pk, pk_len)) == NULL || (pm1 = BN_dup(dp->p)) == NULL ||
	    (t = BN_new()) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if (!BN_sub_word(pm1, 1)) {
		rc = NID_E_CRYPTO;
		goto out;
	}
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0)
		goto out;
	if (dp->q != NULL) {
		if (!BN_mod_exp(t, y, dp->q, dp->p, bctx)) {
			rc = NID_E_CRYPTO;
			goto out;
		}
		if (!BN_is_one(t))
			goto out;
	}
	*out = y;
	y = NULL;
	rc = NID_OK;
 out:
	BN_free(y);
	BN_free(pm1);
	BN_free(t);
	return rc;
}

int
nid_pace_check_pub(const nid_pace_dp *dp, const uint8_t *pk, size_t pk_len)
{
	BN_CTX *bctx;
	EC_POINT *pt = NULL;
	BIGNUM *y = NULL;
	int rc;

	if ((bctx = BN_CTX_new()) == NULL)
		return NID_E_NOMEM;
	if (dp->group != NULL)
		rc = ec_get_point(dp, pk, pk_len, &pt, bctx);
	else
		rc = dh_get_value(dp, pk, pk_len, &y, bctx);
	EC_POINT_free(pt);
	BN_free(y);
	BN_CTX_free(bctx);
	return rc;
}

static const BIGNUM *
dp_order(const nid_pace_dp *dp)
{
	if (dp->group != NULL)
		return EC_GROUP_get0_order(dp->group);
	return dp->q != NULL ? dp->q : dp->p;
}

/* A private key from bytes, checked to lie in [1, order-1]. */
static int
get_sk(const nid_pace_dp *dp, const uint8_t *sk, size_t sk_len, BIGNUM **out)
{
	BIGNUM *k;

	*out = NULL;
	if (sk_len == 0 || sk_len > NID_PACE_PUB_MAX)
		return NID_E_INVALID_ARG;
	if ((k = BN_secure_new()) == NULL)
		return NID_E_NOMEM;
	if (BN_bin2bn(sk, (int)sk_len, k) == NULL) {
		BN_clear_free(k);
		return NID_E_CRYPTO;
	}
	BN_set_flags(k, BN_FLG_CONSTTIME);
	if (BN_is_zero(k) || BN_cmp(k, dp_order(dp)) >= 0) {
		BN_clear_free(k);
		return NID_E_INVALID_ARG;
	}
	*out = k;
	return NID_OK;
}

/* A random private key in [1, order-1] from RAND_priv_bytes (64 spare bits
 * against the modulo bias). */
static int
rand_sk(const nid_pace_dp *dp, BIGNUM **out, BN_CTX *bctx)
{
	uint8_t r[NID_PACE_PUB_MAX + 8];
	BIGNUM *k = NULL, *nm1 = NULL;
	size_t n = dp->olen + 8;
	int rc = NID_E_CRYPTO;

	*out = NULL;
	if (n > sizeof(r))
		return NID_E_INTERNAL;
	if ((k = BN_secure_new()) == NULL || (nm1 = BN_dup(dp_order(dp))) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	BN_set_flags(k, BN_FLG_CONSTTIME);
	if (RAND_priv_bytes(r, (int)n) != 1 ||
	    BN_bin2bn(r, (int)n, k) == NULL ||
	    !BN_sub_word(nm1, 1) ||
	    !BN_nnmod(k, k, nm1, bctx) || !BN_add_word(k, 1))
		goto out;
	*out = k;
	k = NULL;
	rc = NID_OK;
 out:
	OPENSSL_cleanse(r, sizeof(r));
	BN_clear_free(k);
	BN_free(nm1);
	return rc;
}

int
nid_pace_keypair(const nid_pace_dp *dp, const uint8_t *sk, size_t sk_len,
    nid_buf *sk_out, nid_buf *pk_out)
{
	BN_CTX *bctx = NULL;
	BIGNUM *k = NULL, *y = NULL;
	EC_POINT *pt = NULL;
	size_t sk_start = sk_out != NULL ? sk_out->len : 0;
	size_t pk_start = pk_out->len;
	int rc;

	if ((bctx = BN_CTX_secure_new()) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if (sk != NULL)
		rc = get_sk(dp, sk, sk_len, &k);
	else
		rc = rand_sk(dp, &k, bctx);
	if (rc != NID_OK)
		goto out;
	rc = NID_E_CRYPTO;
	if (dp->group != NULL) {
		if ((pt = EC_POINT_new(dp->group)) == NULL ||
		    !EC_POINT_mul(dp->group, pt, k, NULL, NULL, bctx))
			goto out;
		if ((rc = ec_put_point(dp, pt, pk_out, bctx)) != NID_OK)
			goto out;
	} else {
		if ((y = BN_new()) == NULL ||
		    !BN_mod_exp_mont_consttime(y, dp->g, k, dp->p, bctx, NULL))
			goto out;
		if ((rc = put_bn(pk_out, y, dp->flen)) != NID_OK)
			goto out;
	}
	if (sk_out != NULL && (rc = put_bn(sk_out, k, dp->olen)) != NID_OK)
		goto out;
	rc = NID_OK;
 out:
	if (rc != NID_OK) {
		if (sk_out != NULL && sk_out->len > sk_start) {
			OPENSSL_cleanse(sk_out->p + sk_start, sk_out->len - sk_start);
			sk_out->len = sk_start;
		}
		pk_out->len = pk_start;
	}
	EC_POINT_free(pt);
	BN_clear_free(k);
	BN_free(y);
	BN_CTX_free(bctx);
	ERR_clear_error();
	return rc;
}

/*
 * sk·peer. want_x: only the x-coordinate (EC) — the key agreement's K;
 * otherwise the whole point — the mapping's H.
 */
static int
dh_common(const nid_pace_dp *dp, const uint8_t *sk, size_t sk_len,
    const uint8_t *peer, size_t peer_len, int want_x, nid_buf *out)
{
	BN_CTX *bctx = NULL;
	BIGNUM *k = NULL, *y = NULL, *r = NULL, *x = NULL;
	EC_POINT *pt = NULL, *res = NULL;
	size_t start = out->len;
	int rc;

	if ((bctx = BN_CTX_secure_new()) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if ((rc = get_sk(dp, sk, sk_len, &k)) != NID_OK)
		goto out;
	if (dp->group != NULL) {
		if ((rc = ec_get_point(dp, peer, peer_len, &pt, bctx)) != NID_OK)
			goto out;
		rc = NID_E_CRYPTO;
		if ((res = EC_POINT_new(dp->group)) == NULL ||
		    !EC_POINT_mul(dp->group, res, NULL, pt, k, bctx))
			goto out;
		if (EC_POINT_is_at_infinity(dp->group, res)) {
			rc = NID_E_MALFORMED;
			goto out;
		}
		if (want_x) {
			if ((x = BN_secure_new()) == NULL ||
			    !EC_POINT_get_affine_coordinates(dp->group, res, x,
			    NULL, bctx))
				goto out;
			rc = put_bn(out, x, dp->flen);
		} else
			rc = ec_put_point(dp, res, out, bctx);
	} else {
		if ((rc = dh_get_value(dp, peer, peer_len, &y, bctx)) != NID_OK)
			goto out;
		rc = NID_E_CRYPTO;
		if ((r = BN_secure_new()) == NULL ||
		    !BN_mod_exp_mont_consttime(r, y, k, dp->p, bctx, NULL))
			goto out;
		if (BN_is_one(r) || BN_is_zero(r)) {
			rc = NID_E_MALFORMED;
			goto out;
		}
		rc = put_bn(out, r, dp->flen);
	}
 out:
	if (rc != NID_OK && out->len > start) {
		OPENSSL_cleanse(out->p + start, out->len - start);
		out->len = start;
	}
	EC_POINT_free(pt);
	EC_POINT_clear_free(res);
	BN_clear_free(k);
	BN_free(y);
	BN_clear_free(r);
	BN_clear_free(x);
	BN_CTX_free(bctx);
	ERR_clear_error();
	return rc;
}

int
nid_pace_dh(const nid_pace_dp *dp, const uint8_t *sk, size_t sk_len,
    const uint8_t *peer, size_t peer_len, nid_buf *out)
{
	return dh_common(dp, sk, sk_len, peer, peer_len, 0, out);
}

int
nid_pace_shared_secret(const nid_pace_dp *dp, const uint8_t *sk,
    size_t sk_len, const uint8_t *peer, size_t peer_len, nid_buf *k)
{
	return dh_common(dp, sk, sk_len, peer, peer_len, 1, k);
}

int
nid_pace_gm_map(const nid_pace_dp *dp, const uint8_t *s, size_t s_len,
    const uint8_t *h, size_t h_len, nid_pace_dp **mapped)
{
	nid_pace_dp *m = NULL;
	BN_CTX *bctx = NULL;
	BIGNUM *sb = NULL, *hb = NULL, *t = NULL;
	EC_POINT *hp = NULL, *gp = NULL;
	int rc = NID_E_CRYPTO;

	*mapped = NULL;
	if (s_len == 0 || s_len > NID_PACE_NONCE_MAX)
		return NID_E_INVALID_ARG;
	if ((bctx = BN_CTX_secure_new()) == NULL ||
	    (m = calloc(1, sizeof(*m))) == NULL ||
	    (sb = BN_secure_new()) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if (BN_bin2bn(s, (int)s_len, sb) == NULL)
		goto out;
	BN_set_flags(sb, BN_FLG_CONSTTIME);
	m->id = dp->id;
	m->flen = dp->flen;
	m->olen = dp->olen;
	if (dp->group != NULL) {
		/* G' = s·G + H (ICAO 9303-11 §4.4.3.3.1, TR-03110-3 §A.3.4.1). */
		if ((rc = ec_get_point(dp, h, h_len, &hp, bctx)) != NID_OK)
			goto out;
		rc = NID_E_CRYPTO;
		if ((gp = EC_POINT_new(dp->group)) == NULL ||
		    !EC_POINT_mul(dp->group, gp, sb, hp, BN_value_one(), bctx))
			goto out;
		if (EC_POINT_is_at_infinity(dp->group, gp)) {
			rc = NID_E_MALFORMED;
			goto out;
		}
		if ((m->group = EC_GROUP_dup(dp->group)) == NULL ||
		    !EC_GROUP_set_generator(m->group, gp,
		    EC_GROUP_get0_order(dp->group),
		    EC_GROUP_get0_cofactor(dp->group)))
			goto out;
		/* No longer the named curve: keep no name that would say so. */
		EC_GROUP_set_curve_name(m->group, NID_undef);
	} else {
		/* g' = g^s · h mod p. */
		if ((rc = dh_get_value(dp, h, h_len, &hb, bctx)) != NID_OK)
			goto out;
		rc = NID_E_CRYPTO;
		if ((t = BN_new()) == NULL ||
		    !BN_mod_exp_mont_consttime(t, dp->g, sb, dp->p, bctx, NULL) ||
		    !BN_mod_mul(t, t, hb, dp->p, bctx))
			goto out;
		if (BN_is_one(t) || BN_is_zero(t)) {
			rc = NID_E_MALFORMED;
			goto out;
		}
		if ((m->p = BN_dup(dp->p)) == NULL ||
		    (dp->q != NULL && (m->q = BN_dup(dp->q)) == NULL))
			goto out;
		m->g = t;
		t = NULL;
	}
	*mapped = m;
	m = NULL;
	rc = NID_OK;
 out:
	nid_pace_dp_free(&m);
	EC_POINT_free(hp);
	EC_POINT_clear_free(gp);
	BN_clear_free(sb);
	BN_free(hb);
	BN_clear_free(t);
	BN_CTX_free(bctx);
	ERR_clear_error();
	return rc;
}

int
nid_pace_std_pubkey(long param_id, const uint8_t *pk, size_t pk_len,
    EVP_PKEY **out)
{
	nid_pace_dp *dp = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *key = NULL;
	OSSL_PARAM params[3];
	const char *name;
	int rc;

	*out = NULL;
	if ((rc = nid_pace_dp_std(param_id, &dp)) != NID_OK)
		goto out;
	if (dp->group == NULL) {
		rc = NID_E_UNSUPPORTED;
		goto out;
	}
	if ((rc = nid_pace_check_pub(dp, pk, pk_len)) != NID_OK)
		goto out;
	rc = NID_E_CRYPTO;
	if ((name = OBJ_nid2sn(EC_GROUP_get_curve_name(dp->group))) == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    (char *)(uintptr_t)name, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    (void *)(uintptr_t)pk, pk_len);
	params[2] = OSSL_PARAM_construct_end();
	if ((pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	*out = key;
	key = NULL;
	rc = NID_OK;
 out:
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(pctx);
	nid_pace_dp_free(&dp);
	ERR_clear_error();
	return rc;
}

/* EC part of nid_pace_dp_from_pkey: the group, and the point re-encoded. */
static int
dp_from_ec(const EVP_PKEY *pk, nid_pace_dp *dp, nid_buf *pub)
{
	OSSL_PARAM *params = NULL;
	EC_POINT *pt = NULL;
	BN_CTX *bctx = NULL;
	uint8_t *oct = NULL;
	size_t oct_len = 0;
	char name[80];
	int nid = NID_undef, rc = NID_E_CRYPTO;

	/* OpenSSL names explicit parameters equal to a built-in curve. */
	if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
	    name, sizeof(name), NULL) == 1 &&
	    (nid = OBJ_sn2nid(name)) == NID_undef)
		nid = EC_curve_nist2nid(name);
	if (nid != NID_undef)
		dp->group = EC_GROUP_new_by_curve_name(nid);
	else if (EVP_PKEY_todata(pk, EVP_PKEY_KEY_PARAMETERS, &params) == 1)
		dp->group = EC_GROUP_new_from_params(params, NULL, NULL);
	if (dp->group == NULL)
		goto out;
	if (EC_GROUP_get_field_type(dp->group) != NID_X9_62_prime_field ||
	    EC_GROUP_get0_cofactor(dp->group) == NULL ||
	    !BN_is_one(EC_GROUP_get0_cofactor(dp->group))) {
		rc = NID_E_UNSUPPORTED;
		goto out;
	}
	dp->flen = (size_t)(EC_GROUP_get_degree(dp->group) + 7) / 8;
	dp->olen = bn_bytes(EC_GROUP_get0_order(dp->group));
	if (pub == NULL) {
		rc = NID_OK;
		goto out;
	}
	if (EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, NULL,
	    0, &oct_len) != 1 || oct_len == 0 || oct_len > NID_PACE_PUB_MAX) {
		rc = NID_E_MALFORMED;
		goto out;
	}
	if ((oct = malloc(oct_len)) == NULL || (pt = EC_POINT_new(dp->group)) ==
	    NULL || (bctx = BN_CTX_new()) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if (EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, oct,
	    oct_len, &oct_len) != 1)
		goto out;
	/* oct2point refuses a point that is not on the curve. */
	if (EC_POINT_oct2point(dp->group, pt, oct, oct_len, bctx) != 1) {
		rc = NID_E_MALFORMED;
		goto out;
	}
	rc = ec_put_point(dp, pt, pub, bctx);
 out:
	OSSL_PARAM_free(params);
	EC_POINT_free(pt);
	BN_CTX_free(bctx);
	free(oct);
	return rc;
}

int
nid_pace_dp_from_pkey(const EVP_PKEY *pk, nid_pace_dp **out, nid_buf *pub)
{
	nid_pace_dp *dp = NULL;
	BIGNUM *y = NULL;
	size_t start = pub != NULL ? pub->len : 0;
	int rc = NID_E_UNSUPPORTED;

	*out = NULL;
	if (pk == NULL)
		return NID_E_INVALID_ARG;
	if ((dp = calloc(1, sizeof(*dp))) == NULL)
		return NID_E_NOMEM;
	dp->id = -1;
	if (EVP_PKEY_is_a(pk, "EC")) {
		if ((rc = dp_from_ec(pk, dp, pub)) != NID_OK)
			goto out;
	} else if (EVP_PKEY_is_a(pk, "DH") || EVP_PKEY_is_a(pk, "DHX")) {
		rc = NID_E_MALFORMED;
		if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_FFC_P, &dp->p) != 1 ||
		    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_FFC_G, &dp->g) != 1)
			goto out;
		/* q: X9.42 (dhpublicnumber) keys have it, PKCS #3 ones not. */
		if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_FFC_Q, &dp->q) != 1)
			dp->q = NULL;
		dp->flen = bn_bytes(dp->p);
		dp->olen = bn_bytes(dp->q != NULL ? dp->q : dp->p);
		if (dp->flen == 0 || dp->flen > NID_PACE_PUB_MAX || dp->olen == 0)
			goto out;
		if (pub != NULL) {
			if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PUB_KEY,
			    &y) != 1 || bn_bytes(y) > dp->flen)
				goto out;
			if ((rc = put_bn(pub, y, dp->flen)) != NID_OK)
				goto out;
		}
		rc = NID_OK;
	}
 out:
	if (rc == NID_OK) {
		*out = dp;
		dp = NULL;
	} else if (pub != NULL)
		pub->len = start;
	nid_pace_dp_free(&dp);
	BN_free(y);
	ERR_clear_error();
	return rc;
}

/* ---- password, nonce, keys, tokens ------------------------------------ */

int
nid_pace_kpi(enum nid_kdf_alg alg, enum nid_pace_pw pw_type, const char *pw,
    size_t pw_len, uint8_t *out, size_t *out_len)
{
	*out_len = 0;
	if (pw == NULL || pw_len == 0)
		return NID_E_INVALID_ARG;
	switch (pw_type) {
	case NID_PACE_PW_MRZ:
		return nid_kdf_pace_mrz(alg, pw, pw_len, out, out_len);
	case NID_PACE_PW_CAN:
	case NID_PACE_PW_PIN:
	case NID_PACE_PW_PUK:
		return nid_kdf_pace_can(alg, pw, pw_len, out, out_len);
	default:
		return NID_E_INVALID_ARG;
	}
}

static const EVP_CIPHER *
cbc_cipher(enum nid_kdf_alg alg, size_t key_len)
{
	switch (alg) {
	case NID_KDF_3DES:
		return key_len == 16 ? EVP_des_ede_cbc() : NULL;
	case NID_KDF_AES128:
		return key_len == 16 ? EVP_aes_128_cbc() : NULL;
	case NID_KDF_AES192:
		return key_len == 24 ? EVP_aes_192_cbc() : NULL;
	case NID_KDF_AES256:
		return key_len == 32 ? EVP_aes_256_cbc() : NULL;
	default:
		return NULL;
	}
}

/* CBC with a zero IV and no padding over whole blocks. */
static int
cbc_crypt(const EVP_CIPHER *c, int enc, const uint8_t *key, const uint8_t *in,
    size_t in_len, nid_buf *out)
{
	static const uint8_t iv[16];
	EVP_CIPHER_CTX *cctx = NULL;
	size_t bs = (size_t)EVP_CIPHER_get_block_size(c), start = out->len;
	int n1 = 0, n2 = 0, rc;

	if (in_len == 0 || in_len % bs != 0 || in_len > NID_PACE_NONCE_MAX)
		return NID_E_MALFORMED;
	if ((rc = nid_buf_reserve(out, in_len)) != NID_OK)
		return rc;
	rc = NID_E_CRYPTO;
	if ((cctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(cctx, c, NULL, key, iv, enc) != 1 ||
	    EVP_CIPHER_CTX_set_padding(cctx, 0) != 1 ||
	    EVP_CipherUpdate(cctx, out->p + start, &n1, in, (int)in_len) != 1 ||
	    EVP_CipherFinal_ex(cctx, out->p + start + n1, &n2) != 1 ||
	    (size_t)n1 + (size_t)n2 != in_len) {
		OPENSSL_cleanse(out->p + start, in_len);
		goto out;
	}
	out->len += in_len;
	rc = NID_OK;
 out:
	EVP_CIPHER_CTX_free(cctx);
	ERR_clear_error();
	return rc;
}

int
nid_pace_decrypt_nonce(enum nid_kdf_alg alg, const uint8_t *kpi,
    size_t kpi_len, const uint8_t *z, size_t z_len, nid_buf *s)
{
	const EVP_CIPHER *c = cbc_cipher(alg, kpi_len);

	if (c == NULL)
		return NID_E_INVALID_ARG;
	/* ICAO 9303-11 §4.4.3.2: s = D(K_π, z). */
	return cbc_crypt(c, 0, kpi, z, z_len, s);
}

int
nid_pace_encrypt_nonce(enum nid_kdf_alg alg, const uint8_t *kpi,
    size_t kpi_len, const uint8_t *s, size_t s_len, nid_buf *z)
{
	const EVP_CIPHER *c = cbc_cipher(alg, kpi_len);

	if (c == NULL)
		return NID_E_INVALID_ARG;
	return cbc_crypt(c, 1, kpi, s, s_len, z);
}

void
nid_pace_keys_clear(struct nid_pace_keys *keys)
{
	OPENSSL_cleanse(keys, sizeof(*keys));
}

int
nid_pace_session_keys(enum nid_kdf_alg alg, const uint8_t *k, size_t k_len,
    struct nid_pace_keys *out)
{
	size_t n1 = 0, n2 = 0;
	int rc;

	nid_pace_keys_clear(out);
	if ((rc = nid_kdf(alg, k, k_len, NID_KDF_ENC, out->enc, &n1)) != NID_OK ||
	    (rc = nid_kdf(alg, k, k_len, NID_KDF_MAC, out->mac, &n2)) != NID_OK) {
		nid_pace_keys_clear(out);
		return rc;
	}
	if (n1 != n2) {
		nid_pace_keys_clear(out);
		return NID_E_INTERNAL;
	}
	out->alg = alg;
	out->key_len = n1;
	return NID_OK;
}

int
nid_pace_token_input(const nid_pace_dp *dp, const uint8_t *oid_der,
    size_t oid_len, const uint8_t *pk, size_t pk_len, nid_buf *out)
{
	size_t start = out->len, inner;
	int rc;

	if (oid_len == 0 || oid_len > NID_OID_DER_MAX || pk_len == 0 ||
	    pk_len > NID_PACE_PUB_MAX)
		return NID_E_INVALID_ARG;
	/* TR-03110-3 §D.3.4: 06 OID, then 86 (EC point) or 84 (DH y). */
	inner = nid_tlv_header_size(0x06, oid_len) + oid_len +
	    nid_tlv_header_size(0x84, pk_len) + pk_len;
	if ((rc = nid_tlv_put_header(out, 0x7f49, inner)) != NID_OK ||
	    (rc = nid_tlv_put(out, 0x06, oid_der, oid_len)) != NID_OK ||
	    (rc = nid_tlv_put(out, dp->group != NULL ? 0x86 : 0x84, pk,
	    pk_len)) != NID_OK)
		out->len = start;
	return rc;
}

/*
 * ISO/IEC 9797-1 MAC algorithm 3 (retail MAC), DES, padding method 2,
 * key Ka ‖ Kb: CBC-DES with Ka over all blocks, then D(Kb), E(Ka) on the
 * last. Single DES is done as DES-EDE with Ka ‖ Ka (the default provider
 * has no single DES); the final step is one DES-EDE encryption with
 * Ka ‖ Kb of the last chained block.
 */
static int
retail_mac(const uint8_t key[16], const uint8_t *m, size_t m_len,
    uint8_t mac[8])
{
	static const uint8_t iv[8];
	EVP_CIPHER_CTX *cctx = NULL;
	uint8_t kaka[16], x[8], y[8] = { 0 }, *pad = NULL;
	size_t plen = (m_len / 8 + 1) * 8, i;
	int n = 0, rc = NID_E_CRYPTO;

	if (m_len > 4096)
		return NID_E_TOO_LARGE;
	if ((pad = calloc(1, plen)) == NULL)
		return NID_E_NOMEM;
	memcpy(pad, m, m_len);
	pad[m_len] = 0x80;
	memcpy(kaka, key, 8);
	memcpy(kaka + 8, key, 8);
	if ((cctx = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	if (plen > 8) {
		uint8_t *tmp;

		if ((tmp = malloc(plen - 8)) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		if (EVP_EncryptInit_ex(cctx, EVP_des_ede_cbc(), NULL, kaka,
		    iv) != 1 || EVP_CIPHER_CTX_set_padding(cctx, 0) != 1 ||
		    EVP_EncryptUpdate(cctx, tmp, &n, pad, (int)(plen - 8)) != 1 ||
		    (size_t)n != plen - 8) {
			free(tmp);
			goto out;
		}
		memcpy(y, tmp + plen - 16, 8);
		free(tmp);
	}
	for (i = 0; i < 8; i++)
		x[i] = (uint8_t)(y[i] ^ pad[plen - 8 + i]);
	if (EVP_EncryptInit_ex(cctx, EVP_des_ede_ecb(), NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(cctx, 0) != 1 ||
	    EVP_EncryptUpdate(cctx, mac, &n, x, 8) != 1 || n != 8)
		goto out;
	rc = NID_OK;
 out:
	OPENSSL_cleanse(kaka, sizeof(kaka));
	free(pad);
	EVP_CIPHER_CTX_free(cctx);
	ERR_clear_error();
	return rc;
}

static int
aes_cmac(const uint8_t *key, size_t key_len, const uint8_t *m, size_t m_len,
    uint8_t mac[16])
{
	EVP_MAC *emac = NULL;
	EVP_MAC_CTX *mctx = NULL;
	OSSL_PARAM params[2];
	const char *cipher;
	size_t n = 0;
	int rc = NID_E_CRYPTO;

	cipher = key_len == 16 ? "AES-128-CBC" : key_len == 24 ?
	    "AES-192-CBC" : key_len == 32 ? "AES-256-CBC" : NULL;
	if (cipher == NULL)
		return NID_E_INVALID_ARG;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
	    (char *)(uintptr_t)cipher, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((emac = EVP_MAC_fetch(NULL, "CMAC", NULL)) == NULL ||
	    (mctx = EVP_MAC_CTX_new(emac)) == NULL ||
	    EVP_MAC_init(mctx, key, key_len, params) != 1 ||
	    EVP_MAC_update(mctx, m, m_len) != 1 ||
	    EVP_MAC_final(mctx, mac, &n, 16) != 1 || n != 16)
		goto out;
	rc = NID_OK;
 out:
	EVP_MAC_CTX_free(mctx);
	EVP_MAC_free(emac);
	ERR_clear_error();
	return rc;
}

int
nid_pace_mac(const struct nid_pace_keys *keys, const uint8_t *m, size_t m_len,
    uint8_t out[NID_PACE_TOKEN_LEN])
{
	uint8_t mac[16];
	int rc;

	memset(out, 0, NID_PACE_TOKEN_LEN);
	/* TR-03110-3 §A.2.4.2 / ICAO 9303-11 §9.8.4: first 8 bytes. */
	if (keys->alg == NID_KDF_3DES) {
		if (keys->key_len != 16)
			return NID_E_INVALID_ARG;
		rc = retail_mac(keys->mac, m, m_len, mac);
	} else
		rc = aes_cmac(keys->mac, keys->key_len, m, m_len, mac);
	if (rc == NID_OK)
		memcpy(out, mac, NID_PACE_TOKEN_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int
nid_pace_token(const struct nid_pace_keys *keys, const nid_pace_dp *dp,
    const uint8_t *oid_der, size_t oid_len, const uint8_t *pk, size_t pk_len,
    uint8_t tok[NID_PACE_TOKEN_LEN])
{
	nid_buf in;
	int rc;

	memset(tok, 0, NID_PACE_TOKEN_LEN);
	nid_buf_init(&in, 4096);
	if ((rc = nid_pace_token_input(dp, oid_der, oid_len, pk, pk_len,
	    &in)) == NID_OK)
		rc = nid_pace_mac(keys, in.p, in.len, tok);
	nid_buf_clear(&in);
	return rc;
}

int
nid_pace_token_verify(const struct nid_pace_keys *keys, const nid_pace_dp *dp,
    const uint8_t *oid_der, size_t oid_len, const uint8_t *pk, size_t pk_len,
    const uint8_t *tok, size_t tok_len)
{
	uint8_t want[NID_PACE_TOKEN_LEN];
	int rc;

	if ((rc = nid_pace_token(keys, dp, oid_der, oid_len, pk, pk_len,
	    want)) != NID_OK)
		return rc;
	if (tok_len != NID_PACE_TOKEN_LEN ||
	    CRYPTO_memcmp(want, tok, NID_PACE_TOKEN_LEN) != 0)
		rc = NID_E_ACCESS_DENIED;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

/* ---- command data and response parsing -------------------------------- */

int
nid_pace_mse_set_at_data(const uint8_t *oid_der, size_t oid_len,
    enum nid_pace_pw pw_type, long param_id, nid_buf *out)
{
	uint8_t ref = (uint8_t)pw_type, id[4];
	size_t start = out->len, n = 0;
	unsigned long v;
	int rc;

	if (oid_len == 0 || oid_len > NID_OID_DER_MAX ||
	    pw_type < NID_PACE_PW_MRZ || pw_type > NID_PACE_PW_PUK ||
	    param_id > 0x7fffffffL)
		return NID_E_INVALID_ARG;
	/* ICAO 9303-11 §4.4.4.1 / TR-03110-3 §D.2.1.1. */
	if ((rc = nid_tlv_put(out, 0x80, oid_der, oid_len)) != NID_OK ||
	    (rc = nid_tlv_put(out, 0x83, &ref, 1)) != NID_OK)
		goto out;
	if (param_id >= 0) {
		/* Minimal unsigned big-endian, at least one byte. */
		v = (unsigned long)param_id;
		do {
			memmove(id + 1, id, n);
			id[0] = (uint8_t)(v & 0xff);
			n++;
			v >>= 8;
		} while (v != 0);
		rc = nid_tlv_put(out, 0x84, id, n);
	}
 out:
	if (rc != NID_OK)
		out->len = start;
	return rc;
}

int
nid_pace_ga_data(uint32_t tag, const uint8_t *v, size_t v_len, nid_buf *out)
{
	size_t start = out->len;
	int rc;

	if (tag == 0)
		return nid_tlv_put_header(out, 0x7c, 0);
	if (tag < 0x80 || tag > 0x8f)
		return NID_E_INVALID_ARG;
	if ((rc = nid_tlv_put_header(out, 0x7c,
	    nid_tlv_header_size(tag, v_len) + v_len)) != NID_OK ||
	    (rc = nid_tlv_put(out, tag, v, v_len)) != NID_OK)
		out->len = start;
	return rc;
}

int
nid_pace_dad_parse(const uint8_t *p, size_t len, uint32_t required,
    uint32_t allowed, struct nid_pace_dad *out)
{
	struct nid_pace_dad d;
	nid_cur c, v;
	uint32_t tag, bit;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	if ((rc = nid_tlv_single(p, len, NID_TLV_STRICT, 0x7c, &c)) != NID_OK)
		return rc;
	while (c.len > 0) {
		if ((rc = nid_tlv_next(&c, NID_TLV_STRICT, &tag, &v)) != NID_OK)
			return rc;
		if (tag < 0x80 || tag > 0x8f)
			return NID_E_MALFORMED;
		bit = 1u << (tag - 0x80);
		if (!(allowed & bit) || (d.present & bit))
			return NID_E_MALFORMED;
		d.present |= bit;
		d.v[tag - 0x80] = v;
	}
	if ((d.present & required) != required)
		return NID_E_MALFORMED;
	*out = d;
	return NID_OK;
}

#define DAD_BIT(t) (1u << ((t) - 0x80))

int
nid_pace_ga_rsp_parse(unsigned step, const uint8_t *p, size_t len,
    struct nid_pace_dad *out)
{
	static const uint32_t req[5] = { 0, DAD_BIT(0x80), DAD_BIT(0x82),
	    DAD_BIT(0x84), DAD_BIT(0x86) };
	uint32_t allowed;

	memset(out, 0, sizeof(*out));
	if (step < 1 || step > 4)
		return NID_E_INVALID_ARG;
	allowed = req[step];
	if (step == 4)
		allowed |= DAD_BIT(0x87) | DAD_BIT(0x88);
	return nid_pace_dad_parse(p, len, req[step], allowed, out);
}

/* ---- protocol driver ---------------------------------------------------- */

void
nid_pace_result_clear(struct nid_pace_result *res)
{
	OPENSSL_cleanse(res, sizeof(*res));
}

int
nid_pace_select(const nid_secinfos *s, struct nid_pace_params *pp)
{
	const struct nid_secinfo *si;
	nid_pace_dp *dp = NULL;
	size_t i, npace;

	npace = nid_secinfos_count(s, NID_OID_PACE);
	for (i = 0; i < npace; i++) {
		si = nid_secinfos_get(s, NID_OID_PACE, i);
		if (si->proto->map != NID_MAP_GM || si->version != 2 ||
		    si->param_id < 0)
			continue;
		if (nid_pace_dp_std(si->param_id, &dp) != NID_OK)
			continue;
		/* The key agreement must fit the parameters (DH vs ECDH). */
		if (nid_pace_dp_is_ec(dp) != (si->proto->ka == NID_KA_ECDH)) {
			nid_pace_dp_free(&dp);
			continue;
		}
		nid_pace_dp_free(&dp);
		pp->oid_der = si->oid_der.p;
		pp->oid_len = si->oid_der.len;
		pp->param_id = si->param_id;
		pp->send_param_id = npace > 1 ||
		    nid_secinfos_count(s, NID_OID_PACE_DP) > 0;
		return NID_OK;
	}
	return NID_E_UNSUPPORTED_CARD;
}

/* Send one PACE command; the status word is returned to the caller. */
static int
pace_send(nid_card_t *card, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
    const nid_buf *data, size_t ne, nid_buf *rsp, uint16_t *sw)
{
	nid_apdu a;

	memset(&a, 0, sizeof(a));
	a.cla = cla;
	a.ins = ins;
	a.p1 = p1;
	a.p2 = p2;
	a.data = data->p;
	a.nc = data->len;
	a.ne = ne;
	return nid_card_transmit(card, &a, rsp, sw);
}

/* GENERAL AUTHENTICATE step: send, require 9000, parse the response. */
static int
pace_ga(nid_card_t *card, nid_ctx_t *ctx, unsigned step, const nid_buf *cmd,
    nid_buf *rsp, struct nid_pace_dad *dad)
{
	uint16_t sw = 0;
	int rc;

	/*
	 * PACE chains GA 1–3 itself (CLA 10), so the card layer cannot split
	 * a longer command: 2048-bit DH public keys (Nc 264) need extended
	 * length.
	 */
	if (step < 4 && cmd->len > card->caps.max_nc)
		return nid_ctx_set_detail(ctx, NID_E_UNSUPPORTED_CARD,
		    "PACE step %u: %zu bytes of data need extended length",
		    step, cmd->len);
	/*
	 * TR-03110-3 §B.1: CLA 10 (chaining) on steps 1–3, 00 on the last.
	 * Ne: as much as the card may send. 2048-bit DH answers (264 bytes
	 * of 7C) need extended length; Ne 256 would have the card cut them.
	 */
	if ((rc = pace_send(card, step < 4 ? 0x10 : 0x00, 0x86, 0x00, 0x00,
	    cmd, card->caps.max_ne, rsp, &sw)) != NID_OK)
		return rc;
	if (sw != NID_SW_OK) {
		/*
		 * ICAO 9303-11 §4.4.4.2: the chip checks T_IFD at step 4 and
		 * refuses a wrong password there (6300; 63Cx with a retry
		 * counter for a PIN; some chips 6982).
		 */
		if (step == 4 && (sw == 0x6300 || (sw & 0xfff0) == 0x63c0 ||
		    sw == 0x6982))
			rc = NID_E_ACCESS_DENIED;
		else
			rc = nid_sw_to_rc(sw);
		return nid_ctx_set_detail(ctx, rc,
		    "PACE GENERAL AUTHENTICATE step %u: SW %04X", step, sw);
	}
	if ((rc = nid_pace_ga_rsp_parse(step, rsp->p, rsp->len, dad)) != NID_OK)
		return nid_ctx_set_detail(ctx, rc,
		    "PACE GENERAL AUTHENTICATE step %u: malformed response", step);
	return NID_OK;
}

/* Ephemeral private key from the test hook (or NULL: random). */
static int
pace_sk(const struct nid_pace_params *pp, unsigned which, uint8_t *sk,
    size_t max, size_t *sk_len)
{
	*sk_len = 0;
	if (pp->sk_fn == NULL)
		return NID_OK;
	return pp->sk_fn(pp->sk_arg, which, sk, max, sk_len);
}

static void
copy_car(const nid_cur *v, char *dst, size_t size)
{
	size_t i;

	dst[0] = '\0';
	if (v->len == 0 || v->len >= size)
		return;
	for (i = 0; i < v->len; i++)
		if (v->p[i] < 0x20 || v->p[i] > 0x7e)
			return; /* not printable: left out */
	memcpy(dst, v->p, v->len);
	dst[v->len] = '\0';
}

int
nid_pace_run(nid_card_t *card, const struct nid_pace_params *pp,
    struct nid_pace_result *res)
{
	nid_ctx_t *ctx = card != NULL && card->t != NULL ? card->t->ctx : NULL;
	const struct nid_oid_info *info;
	nid_pace_dp *dp = NULL, *mapped = NULL;
	nid_buf cmd, rsp, s, sk_map, pk_map, h, sk_eph, pk_eph, k, pk_ic;
	struct nid_pace_dad dad;
	uint8_t kpi[NID_KDF_KEY_MAX], hook_sk[NID_PACE_PUB_MAX];
	uint8_t tok[NID_PACE_TOKEN_LEN];
	size_t kpi_len = 0, hook_len = 0;
	enum nid_kdf_alg alg;
	uint16_t sw = 0;
	int rc;

	if (res == NULL)
		return NID_E_INVALID_ARG;
	nid_pace_result_clear(res);
	nid_buf_init(&cmd, 4096);
	nid_buf_init(&rsp, 4096);
	nid_buf_init(&s, NID_PACE_NONCE_MAX);
	nid_buf_init(&sk_map, NID_PACE_PUB_MAX);
	nid_buf_init(&pk_map, NID_PACE_PUB_MAX);
	nid_buf_init(&h, NID_PACE_PUB_MAX);
	nid_buf_init(&sk_eph, NID_PACE_PUB_MAX);
	nid_buf_init(&pk_eph, NID_PACE_PUB_MAX);
	nid_buf_init(&k, NID_PACE_PUB_MAX);
	nid_buf_init(&pk_ic, NID_PACE_PUB_MAX);

	if (card == NULL || pp == NULL || pp->oid_der == NULL) {
		rc = NID_E_INVALID_ARG;
		goto out;
	}
	info = nid_oid_lookup(pp->oid_der, pp->oid_len);
	if (info == NULL || info->kind != NID_OID_PACE) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "PACE: not a PACE protocol OID");
		goto out;
	}
	if (info->map != NID_MAP_GM) {
		rc = nid_ctx_set_detail(ctx, NID_E_UNSUPPORTED,
		    "PACE: %s: only generic mapping is implemented", info->name);
		goto out;
	}
	alg = (enum nid_kdf_alg)info->cipher;
	if ((rc = nid_pace_dp_std(pp->param_id, &dp)) != NID_OK) {
		rc = nid_ctx_set_detail(ctx, rc,
		    "PACE: domain parameters %ld not supported", pp->param_id);
		goto out;
	}
	if (nid_pace_dp_is_ec(dp) != (info->ka == NID_KA_ECDH)) {
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED,
		    "PACE: %s with domain parameters %ld", info->name,
		    pp->param_id);
		goto out;
	}
	if ((rc = nid_pace_kpi(alg, pp->pw_type, pp->pw, pp->pw_len, kpi,
	    &kpi_len)) != NID_OK)
		goto out;
	nid_log(ctx, NID_LOG_INFO, NID_LOG_CAT_GENERAL,
	    "PACE %s, domain parameters %ld, password %d", info->name,
	    pp->param_id, (int)pp->pw_type);

	/* MSE:Set AT (ICAO 9303-11 §4.4.4.1): 00 22 C1 A4, no Le. */
	if ((rc = nid_pace_mse_set_at_data(pp->oid_der, pp->oid_len,
	    pp->pw_type, pp->send_param_id ? pp->param_id : -1, &cmd)) != NID_OK)
		goto out;
	if ((rc = pace_send(card, 0x00, 0x22, 0xc1, 0xa4, &cmd, 0, &rsp,
	    &sw)) != NID_OK)
		goto out;
	/* 63Cx: a warning with the retry counter of a PIN; PACE goes on. */
	if (sw != NID_SW_OK && !((sw & 0xfff0) == 0x63c0 && (sw & 0x0f) != 0)) {
		rc = nid_ctx_set_detail(ctx, nid_sw_to_rc(sw),
		    "PACE MSE:Set AT: SW %04X", sw);
		goto out;
	}

	/* Step 1: encrypted nonce. */
	nid_buf_reset(&cmd);
	if ((rc = nid_pace_ga_data(0, NULL, 0, &cmd)) != NID_OK ||
	    (rc = pace_ga(card, ctx, 1, &cmd, &rsp, &dad)) != NID_OK)
		goto out;
	if ((rc = nid_pace_decrypt_nonce(alg, kpi, kpi_len, dad.v[0].p,
	    dad.v[0].len, &s)) != NID_OK) {
		rc = nid_ctx_set_detail(ctx, rc, "PACE: bad encrypted nonce");
		goto out;
	}

	/* Step 2: mapping keys, H, G'. */
	if ((rc = pace_sk(pp, 1, hook_sk, sizeof(hook_sk), &hook_len)) != NID_OK ||
	    (rc = nid_pace_keypair(dp, hook_len != 0 ? hook_sk : NULL, hook_len,
	    &sk_map, &pk_map)) != NID_OK)
		goto out;
	nid_buf_reset(&cmd);
	if ((rc = nid_pace_ga_data(0x81, pk_map.p, pk_map.len, &cmd)) != NID_OK ||
	    (rc = pace_ga(card, ctx, 2, &cmd, &rsp, &dad)) != NID_OK)
		goto out;
	if ((rc = nid_pace_dh(dp, sk_map.p, sk_map.len, dad.v[2].p,
	    dad.v[2].len, &h)) != NID_OK ||
	    (rc = nid_pace_gm_map(dp, s.p, s.len, h.p, h.len, &mapped)) != NID_OK) {
		rc = nid_ctx_set_detail(ctx, rc, "PACE: bad mapping key from chip");
		goto out;
	}

	/* Step 3: key agreement on the mapped parameters. */
	if ((rc = pace_sk(pp, 2, hook_sk, sizeof(hook_sk), &hook_len)) != NID_OK ||
	    (rc = nid_pace_keypair(mapped, hook_len != 0 ? hook_sk : NULL,
	    hook_len, &sk_eph, &pk_eph)) != NID_OK)
		goto out;
	nid_buf_reset(&cmd);
	if ((rc = nid_pace_ga_data(0x83, pk_eph.p, pk_eph.len, &cmd)) != NID_OK ||
	    (rc = pace_ga(card, ctx, 3, &cmd, &rsp, &dad)) != NID_OK)
		goto out;
	if ((rc = nid_buf_put(&pk_ic, dad.v[4].p, dad.v[4].len)) != NID_OK)
		goto out;
	/* ICAO 9303-11 §4.4.3.3.2: PK_IC must differ from PK_IFD. */
	if (pk_ic.len == pk_eph.len &&
	    CRYPTO_memcmp(pk_ic.p, pk_eph.p, pk_ic.len) == 0) {
		rc = nid_ctx_set_detail(ctx, NID_E_CARD_PROTOCOL,
		    "PACE: chip echoed the terminal's public key");
		goto out;
	}
	if ((rc = nid_pace_shared_secret(mapped, sk_eph.p, sk_eph.len, pk_ic.p,
	    pk_ic.len, &k)) != NID_OK) {
		rc = nid_ctx_set_detail(ctx, rc, "PACE: bad public key from chip");
		goto out;
	}
	if ((rc = nid_pace_session_keys(alg, k.p, k.len, &res->keys)) != NID_OK)
		goto out;

	/* Step 4: mutual authentication. */
	if ((rc = nid_pace_token(&res->keys, mapped, pp->oid_der, pp->oid_len,
	    pk_ic.p, pk_ic.len, tok)) != NID_OK)
		goto out;
	nid_buf_reset(&cmd);
	if ((rc = nid_pace_ga_data(0x85, tok, sizeof(tok), &cmd)) != NID_OK ||
	    (rc = pace_ga(card, ctx, 4, &cmd, &rsp, &dad)) != NID_OK)
		goto out;
	if ((rc = nid_pace_token_verify(&res->keys, mapped, pp->oid_der,
	    pp->oid_len, pk_eph.p, pk_eph.len, dad.v[6].p,
	    dad.v[6].len)) != NID_OK) {
		/*
		 * The chip accepted T_IFD, so a genuine chip holds the same
		 * keys (§4.4.3.4): a T_IC that does not verify is the chip's
		 * failure, not a wrong password (hostile card pace_bad_token).
		 */
		rc = nid_ctx_set_detail(ctx, rc == NID_E_ACCESS_DENIED ?
		    NID_E_CARD_PROTOCOL : rc, "PACE: the chip accepted the "
		    "terminal's token but its own (T_IC) does not verify: not "
		    "a genuine chip, or a broken one (ICAO 9303-11 §4.4.3.4)");
		goto out;
	}
	copy_car(&dad.v[7], res->car1, sizeof(res->car1));
	copy_car(&dad.v[8], res->car2, sizeof(res->car2));
	if (pk_ic.len > sizeof(res->pk_ic)) {
		rc = NID_E_INTERNAL;
		goto out;
	}
	memcpy(res->pk_ic, pk_ic.p, pk_ic.len);
	res->pk_ic_len = pk_ic.len;
	nid_log(ctx, NID_LOG_INFO, NID_LOG_CAT_GENERAL, "PACE established");
	rc = NID_OK;
 out:
	if (rc != NID_OK)
		nid_pace_result_clear(res);
	OPENSSL_cleanse(kpi, sizeof(kpi));
	OPENSSL_cleanse(hook_sk, sizeof(hook_sk));
	OPENSSL_cleanse(tok, sizeof(tok));
	nid_pace_dp_free(&dp);
	nid_pace_dp_free(&mapped);
	nid_buf_clear(&cmd);
	nid_buf_clear(&rsp);
	nid_buf_clear(&s);
	nid_buf_clear(&sk_map);
	nid_buf_clear(&pk_map);
	nid_buf_clear(&h);
	nid_buf_clear(&sk_eph);
	nid_buf_clear(&pk_eph);
	nid_buf_clear(&k);
	nid_buf_clear(&pk_ic);
	return rc;
}
