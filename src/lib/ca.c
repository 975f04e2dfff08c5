/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * ca.c — Chip Authentication version 1, terminal side (ICAO 9303-11
 * §6.2; BSI TR-03110-1 §3.4, TR-03110-3 Appendix B). The flow and the
 * outcome rules are in ca.h. The key arithmetic is PACE's (pace.h: key
 * pairs, validation, the shared secret) on the domain parameters of the
 * chip's key; the session keys come from the ICAO KDF (kdf.h, through
 * nid_pace_session_keys).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "ca.h"
#include "card.h"
#include "chipauth.h"
#include "kdf.h"
#include "nid_internal.h"
#include "oid.h"
#include "pace.h"
#include "secinfo.h"
#include "sm.h"
#include "sw.h"

#define CA_SW_SM_MISSING 0x6987u  /* expected SM data objects missing */
#define CA_SW_SM_WRONG   0x6988u  /* SM data objects incorrect */

static unsigned long
ca_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (unsigned long)ts.tv_sec * 1000ul +
	    (unsigned long)ts.tv_nsec / 1000000ul;
}

/* ---- choosing the key ------------------------------------------------ */

/* Larger is preferred: ECDH before DH, then the cipher (3DES 1 … AES-256 4). */
static unsigned
ca_rank(const struct nid_oid_info *proto)
{
	return (proto->ka == NID_KA_ECDH ? 16u : 0u) + proto->cipher;
}

/*
 * The public key for key agreement ka and keyId want (< 0: any), in
 * DG14's order.
 */
static const struct nid_secinfo *
ca_find_pk(const nid_secinfos *s, enum nid_oid_ka ka, long want)
{
	const struct nid_secinfo *pk;
	size_t i;

	for (i = 0; (pk = nid_secinfos_get(s, NID_OID_PK, i)) != NULL; i++) {
		if (pk->proto == NULL || pk->proto->ka != ka)
			continue;
		if (want >= 0 && pk->key_id != want)
			continue;
		return pk;
	}
	return NULL;
}

/*
 * TR-03110-3 §A.1.1.2: a ChipAuthenticationDomainParameterInfo for the
 * keyId names the key agreement of the key; one that names another is a
 * contradiction in DG14 and the pair is not used.
 */
static int
ca_dp_conflict(const nid_secinfos *s, enum nid_oid_ka ka, long key_id)
{
	const struct nid_secinfo *dp;
	size_t i;

	for (i = 0; (dp = nid_secinfos_get(s, NID_OID_CA_DP, i)) != NULL; i++)
		if (dp->key_id == key_id && dp->proto != NULL &&
		    dp->proto->ka != ka)
			return 1;
	return 0;
}

static void ca_why(char *why, size_t size, const char *fmt, ...)
    NID_PRINTF(3, 4);

static void
ca_why(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || size == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, size, fmt, ap);
	va_end(ap);
}

int
nid_ca_select(const nid_secinfos *dg14, long key_id, struct nid_ca_choice *out,
    char *why, size_t why_size)
{
	const struct nid_secinfo *ci, *pk, *best = NULL, *best_pk = NULL;
	const char *dotted;
	long kid, other_version = -1;
	size_t i, nci;
	int saw_key_id = 0;

	memset(out, 0, sizeof(*out));
	out->key_id = -1;
	if (why != NULL && why_size > 0)
		why[0] = '\0';
	if (dg14 == NULL || key_id > NID_CA_KEY_ID_MAX)
		return NID_E_INVALID_ARG;
	nci = nid_secinfos_count(dg14, NID_OID_CA);
	for (i = 0; (ci = nid_secinfos_get(dg14, NID_OID_CA, i)) != NULL; i++) {
		if (ci->proto == NULL || ci->proto->cipher == NID_OID_CIPHER_NONE)
			continue;
		if (ci->version != 1) {
			other_version = ci->version;
			continue;
		}
		if (key_id >= 0 && ci->key_id >= 0 && ci->key_id != key_id)
			continue;
		pk = ca_find_pk(dg14, ci->proto->ka,
		    ci->key_id >= 0 ? ci->key_id : key_id);
		if (pk == NULL)
			continue;
		kid = ci->key_id >= 0 ? ci->key_id : pk->key_id;
		if (ca_dp_conflict(dg14, ci->proto->ka, kid))
			continue;
		if (best == NULL || ca_rank(ci->proto) > ca_rank(best->proto)) {
			best = ci;
			best_pk = pk;
		}
	}
	if (best != NULL) {
		out->info = best;
		out->pk = best_pk;
		out->proto = best->proto;
		out->ka = best->proto->ka;
		out->alg = (enum nid_kdf_alg)best->proto->cipher;
		out->key_id = best->key_id >= 0 ? best->key_id : best_pk->key_id;
		return NID_OK;
	}
	/*
	 * No ChipAuthenticationInfo: EAC 1.x documents (BSI TR-03110
	 * version 1.11: the info was optional, 3DES the only cipher) —
	 * id-CA-<ka>-3DES-CBC-CBC with the key's own agreement.
	 */
	if (nci == 0) {
		for (i = 0; (pk = nid_secinfos_get(dg14, NID_OID_PK, i)) != NULL;
		    i++) {
			if (pk->key_id >= 0)
				saw_key_id = 1;
			if (pk->proto == NULL || (key_id >= 0 &&
			    pk->key_id != key_id))
				continue;
			dotted = pk->proto->ka == NID_KA_ECDH ?
			    "0.4.0.127.0.7.2.2.3.2.1" : "0.4.0.127.0.7.2.2.3.1.1";
			if ((out->proto = nid_oid_lookup_str(dotted)) == NULL)
				return NID_E_INTERNAL;
			if (ca_dp_conflict(dg14, pk->proto->ka, pk->key_id))
				continue;
			out->pk = pk;
			out->ka = pk->proto->ka;
			out->alg = NID_KDF_3DES;
			out->key_id = pk->key_id;
			out->inferred = 1;
			return NID_OK;
		}
	}
	if (key_id >= 0 && (nci > 0 || saw_key_id ||
	    nid_secinfos_count(dg14, NID_OID_PK) > 0)) {
		ca_why(why, why_size, "DG14 has no Chip Authentication key with "
		    "keyId %ld", key_id);
		return NID_E_INVALID_ARG;
	}
	if (nci == 0 && nid_secinfos_count(dg14, NID_OID_PK) == 0)
		ca_why(why, why_size, "DG14 offers no Chip Authentication");
	else if (other_version >= 0)
		ca_why(why, why_size, "DG14 offers Chip Authentication version "
		    "%ld only (version 1 is implemented)", other_version);
	else
		ca_why(why, why_size, "DG14 has no usable pair of "
		    "ChipAuthenticationInfo and public key");
	return NID_E_UNSUPPORTED_CARD;
}

/* ---- command data ------------------------------------------------------ */

int
nid_ca_key_ref(long key_id, uint8_t out[4], size_t *len)
{
	uint8_t tmp[4];
	unsigned long v;
	size_t n = 0, i;

	*len = 0;
	if (key_id < 0 || key_id > NID_CA_KEY_ID_MAX)
		return NID_E_INVALID_ARG;
	v = (unsigned long)key_id;
	do {
		tmp[n++] = (uint8_t)(v & 0xffu);
		v >>= 8;
	} while (v != 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	*len = n;
	return NID_OK;
}

int
nid_ca_key_ref_parse(const uint8_t *p, size_t len, long *key_id)
{
	unsigned long v = 0;
	size_t i;

	*key_id = -1;
	if (len == 0 || len > 4 || (len > 1 && p[0] == 0x00) ||
	    (len == 4 && (p[0] & 0x80) != 0))
		return NID_E_MALFORMED;
	for (i = 0; i < len; i++)
		v = v << 8 | p[i];
	*key_id = (long)v;
	return NID_OK;
}

static int
ca_put_key_ref(long key_id, nid_buf *out)
{
	uint8_t ref[4];
	size_t n;
	int rc;

	if (key_id < 0)
		return NID_OK;
	if ((rc = nid_ca_key_ref(key_id, ref, &n)) != NID_OK)
		return rc;
	return nid_tlv_put(out, 0x84, ref, n);
}

int
nid_ca_kat_data(const uint8_t *pk, size_t pk_len, long key_id, nid_buf *out)
{
	size_t start = out->len;
	int rc;

	if (pk == NULL || pk_len == 0 || pk_len > NID_PACE_PUB_MAX)
		return NID_E_INVALID_ARG;
	/* MSE:Set KAT: 91 ephemeral public key, 84 private key reference. */
	if ((rc = nid_tlv_put(out, 0x91, pk, pk_len)) != NID_OK ||
	    (rc = ca_put_key_ref(key_id, out)) != NID_OK)
		out->len = start;
	return rc;
}

int
nid_ca_at_data(const uint8_t *oid_der, size_t oid_len, long key_id,
    nid_buf *out)
{
	size_t start = out->len;
	int rc;

	if (oid_der == NULL || oid_len == 0 || oid_len > NID_OID_DER_MAX)
		return NID_E_INVALID_ARG;
	/* MSE:Set AT: 80 cryptographic mechanism reference (the OID), 84
	 * private key reference. */
	if ((rc = nid_tlv_put(out, 0x80, oid_der, oid_len)) != NID_OK ||
	    (rc = ca_put_key_ref(key_id, out)) != NID_OK)
		out->len = start;
	return rc;
}

int
nid_ca_sm_new(const struct nid_pace_keys *keys, nid_sm_t **out)
{
	static const uint8_t zero[16];
	int des = keys->alg == NID_KDF_3DES;

	*out = NULL;
	/* ICAO 9303-11 §6.2.3 / §9.8.6: SSC 0 after Chip Authentication. */
	return nid_sm_new(des ? NID_SM_3DES : NID_SM_AES, keys->enc, keys->mac,
	    keys->key_len, zero, des ? 8 : 16, out);
}

static const char *
ca_cipher_name(enum nid_kdf_alg alg)
{
	switch (alg) {
	case NID_KDF_3DES:
		return "3DES";
	case NID_KDF_AES128:
		return "AES-128";
	case NID_KDF_AES192:
		return "AES-192";
	case NID_KDF_AES256:
		return "AES-256";
	}
	return "?";
}

void
nid_ca_algorithm_str(const EVP_PKEY *pk, enum nid_kdf_alg alg, char *buf,
    size_t size)
{
	static const struct {
		const char *ossl, *name;
	} names[] = {
		{ "prime192v1", "P-192" }, { "secp224r1", "P-224" },
		{ "prime256v1", "P-256" }, { "secp384r1", "P-384" },
		{ "secp521r1", "P-521" },
	};
	char group[80];
	const char *g;
	size_t i;

	if (size == 0)
		return;
	if (pk != NULL && EVP_PKEY_is_a(pk, "EC")) {
		if (EVP_PKEY_get_utf8_string_param(pk,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) == 1) {
			g = group;
			for (i = 0; i < NID_NELEM(names); i++)
				if (strcmp(group, names[i].ossl) == 0)
					g = names[i].name;
			(void)snprintf(buf, size, "ECDH %s, %s", g,
			    ca_cipher_name(alg));
		} else
			(void)snprintf(buf, size, "ECDH %d-bit curve, %s",
			    EVP_PKEY_get_bits(pk), ca_cipher_name(alg));
	} else if (pk != NULL)
		(void)snprintf(buf, size, "DH %d, %s", EVP_PKEY_get_bits(pk),
		    ca_cipher_name(alg));
	else
		(void)snprintf(buf, size, "%s", ca_cipher_name(alg));
}

/* ---- the driver -------------------------------------------------------- */

static void ca_result(struct nid_chip_result *out, nid_check_result r,
    const char *fmt, ...) NID_PRINTF(3, 4);

static void
ca_result(struct nid_chip_result *out, nid_check_result r, const char *fmt,
    ...)
{
	va_list ap;

	out->result = r;
	va_start(ap, fmt);
	(void)vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

/* Send one command; the status word goes to the caller. */
static int
ca_send(nid_card_t *sc, uint8_t ins, uint8_t p1, uint8_t p2,
    const nid_buf *data, size_t ne, nid_buf *rsp, uint16_t *sw)
{
	nid_apdu a;

	memset(&a, 0, sizeof(a));
	a.ins = ins;
	a.p1 = p1;
	a.p2 = p2;
	a.data = data != NULL ? data->p : NULL;
	a.nc = data != NULL ? data->len : 0;
	a.ne = ne;
	return nid_card_transmit(sc, &a, rsp, sw);
}

/* A refusal of a command DG14 announces: the outcome FAIL. */
static void
ca_refused(struct nid_chip_result *out, const char *what, uint16_t sw)
{
	ca_result(out, NID_CHECK_FAIL, "the chip refused %s (SW %04X) that "
	    "its DG14 announces: clone suspected", what, sw);
}

int
nid_ca_run(nid_card_t *sc, nid_transport_t *smt, const nid_secinfos *dg14,
    long key_id, struct nid_chip_result *out)
{
	return nid_ca_run_opts(sc, smt, dg14, key_id, NULL, out);
}

int
nid_ca_run_opts(nid_card_t *sc, nid_transport_t *smt,
    const nid_secinfos *dg14, long key_id, const struct nid_ca_opts *opts,
    struct nid_chip_result *out)
{
	static const uint8_t dg14_fid[2] = { 0x01, 0x0E };
	nid_ctx_t *ctx;
	struct nid_ca_choice ch;
	struct nid_pace_keys keys;
	nid_pace_dp *dp = NULL;
	EVP_PKEY *pk = NULL;
	nid_sm_t *sm = NULL;
	nid_buf pk_ic, sk, pk_ifd, k, cmd, rsp;
	unsigned long t0, a0;
	uint8_t oid[NID_OID_DER_MAX];
	size_t oid_len = 0;
	uint16_t sw = 0;
	int rc;

	if (out == NULL)
		return NID_E_INVALID_ARG;
	memset(out, 0, sizeof(*out));
	(void)snprintf(out->mechanism, sizeof(out->mechanism), "CA");
	out->result = NID_CHECK_UNKNOWN;
	out->key_dg = 14;
	out->key_id = -1;
	if (sc == NULL || smt == NULL || dg14 == NULL ||
	    key_id > NID_CA_KEY_ID_MAX ||
	    (opts != NULL && opts->sk != NULL && opts->sk_len == 0)) {
		(void)snprintf(out->reason, sizeof(out->reason),
		    "could not run: invalid arguments");
		return NID_E_INVALID_ARG;
	}
	ctx = smt->ctx;
	t0 = ca_now_ms();
	a0 = smt->apdus;
	memset(&keys, 0, sizeof(keys));
	nid_buf_init(&pk_ic, NID_PACE_PUB_MAX);
	nid_buf_init(&sk, NID_PACE_PUB_MAX);
	nid_buf_init(&pk_ifd, NID_PACE_PUB_MAX);
	nid_buf_init(&k, NID_PACE_PUB_MAX);
	nid_buf_init(&cmd, 2 * NID_PACE_PUB_MAX);
	nid_buf_init(&rsp, 4096);

	/* (1) The key and protocol from DG14; nothing is sent before the
	 * key has been read and validated. */
	rc = nid_ca_select(dg14, key_id, &ch, out->reason, sizeof(out->reason));
	if (rc == NID_E_UNSUPPORTED_CARD || rc == NID_E_INVALID_ARG) {
		rc = NID_OK;  /* UNKNOWN, reason set */
		goto out;
	}
	if (rc != NID_OK)
		goto fail;
	out->key_id = ch.key_id;
	if ((rc = nid_secinfo_pubkey(ch.pk, &pk)) != NID_OK) {
		(void)snprintf(out->reason, sizeof(out->reason), "DG14: the "
		    "Chip Authentication public key cannot be read (%s)",
		    nid_strerror(rc));
		rc = rc == NID_E_NOMEM ? rc : NID_OK;
		goto out;
	}
	nid_ca_algorithm_str(pk, ch.alg, out->algorithm,
	    sizeof(out->algorithm));
	if ((rc = nid_pace_dp_from_pkey(pk, &dp, &pk_ic)) != NID_OK) {
		(void)snprintf(out->reason, sizeof(out->reason), "DG14: the "
		    "Chip Authentication public key is %s",
		    rc == NID_E_UNSUPPORTED ? "on unsupported domain parameters" :
		    "not valid (not a point of its curve)");
		rc = rc == NID_E_NOMEM ? rc : NID_OK;
		goto out;
	}
	/* TR-03110-3 §A.2.2: PK_IC on the curve / 1 < y < p-1, y^q = 1. */
	if (nid_pace_dp_is_ec(dp) != (ch.ka == NID_KA_ECDH) ||
	    nid_pace_check_pub(dp, pk_ic.p, pk_ic.len) != NID_OK) {
		(void)snprintf(out->reason, sizeof(out->reason), "DG14: the "
		    "Chip Authentication public key is not valid for %s",
		    ch.proto->name);
		rc = NID_OK;
		goto out;
	}
	nid_log(ctx, NID_LOG_INFO, NID_LOG_CAT_GENERAL,
	    "Chip Authentication: %s%s, keyId %ld, %s", ch.proto->name,
	    ch.inferred ? " (no ChipAuthenticationInfo: EAC 1.x default)" : "",
	    ch.key_id, out->algorithm);

	/* (2) Ephemeral key pair on D_IC, K, the session keys. */
	if ((rc = nid_pace_keypair(dp, opts != NULL ? opts->sk : NULL,
	    opts != NULL ? opts->sk_len : 0, &sk, &pk_ifd)) != NID_OK ||
	    (rc = nid_pace_shared_secret(dp, sk.p, sk.len, pk_ic.p, pk_ic.len,
	    &k)) != NID_OK ||
	    (rc = nid_pace_session_keys(ch.alg, k.p, k.len, &keys)) != NID_OK)
		goto fail;
	nid_buf_clear(&sk);
	nid_buf_clear(&k);

	/* (3) Under the current keys: MSE:Set KAT (3DES) or MSE:Set AT and
	 * GENERAL AUTHENTICATE (AES). */
	if (ch.alg == NID_KDF_3DES) {
		if ((rc = nid_ca_kat_data(pk_ifd.p, pk_ifd.len, ch.key_id,
		    &cmd)) != NID_OK ||
		    (rc = ca_send(sc, 0x22, 0x41, 0xA6, &cmd, 0, &rsp, &sw)) !=
		    NID_OK)
			goto fail;
		if (sw != NID_SW_OK) {
			ca_refused(out, "MSE:Set KAT", sw);
			goto out;
		}
	} else {
		if ((rc = nid_oid_from_str(ch.proto->dotted, oid, sizeof(oid),
		    &oid_len)) != NID_OK ||
		    (rc = nid_ca_at_data(oid, oid_len, ch.key_id, &cmd)) !=
		    NID_OK ||
		    (rc = ca_send(sc, 0x22, 0x41, 0xA4, &cmd, 0, &rsp, &sw)) !=
		    NID_OK)
			goto fail;
		if (sw != NID_SW_OK) {
			ca_refused(out, "MSE:Set AT", sw);
			goto out;
		}
		nid_buf_reset(&cmd);
		/* The answer is 7C 00: Ne 256 keeps the command short. */
		if ((rc = nid_pace_ga_data(0x80, pk_ifd.p, pk_ifd.len,
		    &cmd)) != NID_OK ||
		    (rc = ca_send(sc, 0x86, 0x00, 0x00, &cmd, NID_NE_SHORT_MAX,
		    &rsp, &sw)) != NID_OK)
			goto fail;
		if (sw != NID_SW_OK) {
			ca_refused(out, "GENERAL AUTHENTICATE", sw);
			goto out;
		}
		/* Version 1 has nothing to check in the answer (7C 00);
		 * the MAC under the new keys is the proof. */
		if (rsp.len != 0 && (rsp.p[0] != 0x7C || rsp.len < 2))
			nid_log(ctx, NID_LOG_WARN, NID_LOG_CAT_GENERAL,
			    "Chip Authentication: unexpected GENERAL "
			    "AUTHENTICATE answer (%zu bytes) ignored", rsp.len);
	}

	/* (4) Secure messaging restarts with the new keys, SSC 0. */
	if ((rc = nid_ca_sm_new(&keys, &sm)) != NID_OK ||
	    (rc = nid_sm_transport_rekey(smt, &sm)) != NID_OK)
		goto fail;
	nid_pace_keys_clear(&keys);

	/* (5) The proof: a protected answer under the new keys. */
	nid_buf_reset(&cmd);
	if ((rc = nid_buf_put(&cmd, dg14_fid, sizeof(dg14_fid))) != NID_OK)
		goto fail;
	rc = ca_send(sc, 0xA4, 0x02, 0x0C, &cmd, 0, &rsp, &sw);
	if (rc == NID_E_SM_MAC || rc == NID_E_SM_FORMAT) {
		ca_result(out, NID_CHECK_FAIL, "chip could not answer under the "
		    "Chip Authentication keys (%s): clone suspected",
		    rc == NID_E_SM_MAC ? "wrong MAC" : "malformed answer");
		rc = NID_OK;
		goto out;
	}
	if (rc != NID_OK)
		goto fail;
	if (sw == CA_SW_SM_MISSING || sw == CA_SW_SM_WRONG) {
		ca_result(out, NID_CHECK_FAIL, "chip could not answer under the "
		    "Chip Authentication keys (secure messaging error, SW "
		    "%04X): clone suspected", sw);
		goto out;
	}
	if (sw != NID_SW_OK) {
		ca_result(out, NID_CHECK_FAIL, "chip could not answer under the "
		    "Chip Authentication keys (SELECT EF.DG14: SW %04X): clone "
		    "suspected", sw);
		goto out;
	}
	ca_result(out, NID_CHECK_PASS, "the chip answered under the session "
	    "keys of its DG14 key (%s)", ch.proto->name);
	rc = NID_OK;
	goto out;
 fail:
	(void)snprintf(out->reason, sizeof(out->reason), "could not run: %s",
	    nid_strerror(rc));
	out->result = NID_CHECK_UNKNOWN;
 out:
	out->apdus = smt->apdus - a0;
	out->ms = ca_now_ms() - t0;
	nid_log(ctx, NID_LOG_INFO, NID_LOG_CAT_GENERAL,
	    "Chip Authentication: %s (%s)", nid_check_result_str(out->result),
	    out->reason);
	nid_pace_keys_clear(&keys);
	nid_sm_free(&sm);
	nid_pace_dp_free(&dp);
	EVP_PKEY_free(pk);
	nid_buf_clear(&pk_ic);
	nid_buf_clear(&sk);
	nid_buf_clear(&pk_ifd);
	nid_buf_clear(&k);
	nid_buf_clear(&cmd);
	nid_buf_clear(&rsp);
	return rc;
}
