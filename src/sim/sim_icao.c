/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_icao.c — the chip side of the eMRTD application (ICAO 9303-10 §3,
 * 9303-11): BAC (§4.3), PACE with generic mapping (§4.4) and secure
 * messaging (§9.8), as application handlers and the SM hook of the
 * engine (sim.h). Every cryptographic step is the library's own (bac.h,
 * pace.h, sm.h): the chip is the same code as the terminal, seen from
 * the other side; the Appendix D/G worked examples check that code.
 *
 * Access control (9303-11 §4.2 / §9.8.6): the application's EFs need
 * "sm" (checked at load); a plain command while a session is up ends it
 * (6987), a protected command that does not verify ends it (6988), a
 * protected command without a session is answered 6882.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "sim_icao.h"
#include "sim_hostile.h"
#include "sim_aa.h"
#include "sim_ca.h"
#include "bac.h"
#include "kdf.h"
#include "mrz.h"
#include "oid.h"
#include "pace.h"
#include "secinfo.h"
#include "sm.h"

#define ICAO_PACE_MAX 8
#define SW_SM_MISSING 0x6987u   /* expected SM data objects missing */
#define SW_SM_WRONG   0x6988u   /* SM data objects incorrect */
#define SW_AUTH_FAIL  0x6300u   /* authentication failed (no counter) */

struct icao_pace_entry {
	uint8_t oid[16];
	size_t oid_len;
	long param_id;
	enum nid_kdf_alg alg;
};

struct nid_sim_icao {
	/* configuration */
	char mrz_info[NID_MRZ_INFO_MAX];
	size_t mrz_info_len;
	char can[17];
	size_t can_len;
	unsigned access;
	struct icao_pace_entry pace[ICAO_PACE_MAX];
	size_t npace;
	unsigned long f_bad_mac;   /* fault: corrupt the Nth protected rsp */
	int f_no_do99;             /* fault: no DO'99' */
	/* hostile faults (sim_hostile.h, docs/card-image.md) */
	unsigned long f_bad_pad;   /* Nth protected rsp with data: 81 00.. */
	unsigned long f_stale;     /* Nth protected rsp: the one before again */
	unsigned long f_plain;     /* Nth protected rsp sent unprotected */
	int f_no_mac;              /* protected rsps without DO'8E' */
	int f_bad_token;           /* T_IC of GA step 4 flipped */
	unsigned f_pace[6];        /* PACE public key faults: GA step 2 or 3 */
	nid_buf last;              /* the last protected response (f_stale) */
	uint8_t bac_enc[16], bac_mac[16];
	struct nid_sim_aa *aa;     /* Active Authentication (sim_aa.c) */
	struct nid_sim_ca *ca;     /* Chip Authentication (sim_ca.c) */
	int f_clone;               /* fault: private keys not the issued ones */

	/* session */
	nid_sm_t *sm;
	enum nid_sm_cipher cipher;
	uint8_t ks_mac[NID_KDF_KEY_MAX];
	size_t key_len;
	int protocol;
	int chip_auth;             /* the keys come from Chip Authentication */
	unsigned long sm_rsp;
	uint8_t ks_enc[NID_KDF_KEY_MAX]; /* for the bad-padding fault */
	unsigned long sm_data_rsp;  /* protected responses with data */
	unsigned long dropped;

	/* PACE in progress (step 1..4 expected next; 0: no MSE:Set AT) */
	unsigned step;
	const struct icao_pace_entry *pe;
	nid_pace_dp *dp, *mapped;
	uint8_t kpi[NID_KDF_KEY_MAX];
	size_t kpi_len;
	nid_buf s, pk_ifd, pk_ic, sk_ic;
	struct nid_pace_keys keys;
};

/* ---- session ---------------------------------------------------------- */

static void
pace_reset(struct nid_sim_icao *st)
{
	st->step = 0;
	st->pe = NULL;
	nid_pace_dp_free(&st->dp);
	nid_pace_dp_free(&st->mapped);
	OPENSSL_cleanse(st->kpi, sizeof(st->kpi));
	st->kpi_len = 0;
	nid_buf_reset(&st->s);
	nid_buf_reset(&st->pk_ifd);
	nid_buf_reset(&st->pk_ic);
	nid_buf_reset(&st->sk_ic);
	nid_pace_keys_clear(&st->keys);
}

static void
session_end(struct nid_sim_icao *st)
{
	nid_sm_free(&st->sm);
	OPENSSL_cleanse(st->ks_mac, sizeof(st->ks_mac));
	OPENSSL_cleanse(st->ks_enc, sizeof(st->ks_enc));
	st->key_len = 0;
	st->protocol = 0;
	st->sm_rsp = 0;
	st->sm_data_rsp = 0;
	nid_buf_reset(&st->last);
	st->chip_auth = 0;
	nid_sim_ca_reset(st->ca);
}

static int
session_start(struct nid_sim_icao *st, enum nid_sm_cipher cipher,
    const uint8_t *enc, const uint8_t *mac, size_t key_len,
    const uint8_t *ssc, size_t ssc_len, int protocol)
{
	int rc;

	session_end(st);
	if ((rc = nid_sm_new(cipher, enc, mac, key_len, ssc, ssc_len,
	    &st->sm)) != NID_OK)
		return rc;
	st->cipher = cipher;
	memcpy(st->ks_mac, mac, key_len);
	memcpy(st->ks_enc, enc, key_len);
	st->key_len = key_len;
	st->protocol = protocol;
	return NID_OK;
}

/* A command broke the session's rules: keys dropped (9303-11 §9.8.6). */
static void
session_drop(struct nid_sim_icao *st)
{
	session_end(st);
	pace_reset(st);
	st->dropped++;
}

static void
sm_reset(nid_sim_card *card, void *arg)
{
	struct nid_sim_icao *st = arg;

	(void)card;
	session_end(st);
	pace_reset(st);
}

static int
sm_unwrap(nid_sim_card *card, void *arg, const nid_sim_cmd *in,
    nid_sim_cmd *plain, nid_buf *storage, uint16_t *sw_err)
{
	struct nid_sim_icao *st = arg;
	nid_buf raw;
	int ext = 0, rc;

	(void)card;
	if (st->sm == NULL) {
		*sw_err = NID_SW_NO_SM;
		return NID_SIM_DECLINE;
	}
	nid_buf_init(&raw, NID_SIM_RSP_DATA_MAX + 16);
	if ((rc = nid_apdu_encode(&in->apdu, in->extended, &raw)) != NID_OK)
		goto out;
	*plain = *in;
	rc = nid_sm_unwrap_cmd(st->sm, raw.p, raw.len, &plain->apdu, storage,
	    &ext);
	if (rc == NID_OK) {
		plain->extended = ext;
		goto out;
	}
	/* ICAO 9303-11 §9.8.6: a command that does not verify ends the
	 * session; 6988 for a wrong MAC or cryptogram, 6987 for missing or
	 * misplaced data objects. */
	*sw_err = rc == NID_E_SM_MAC ? SW_SM_WRONG : SW_SM_MISSING;
	session_drop(st);
	rc = NID_SIM_DECLINE;
out:
	nid_buf_clear(&raw);
	return rc;
}

/* ISO/IEC 9797-1 padding method 2 to the block size bs. */
static int
pad_m2(nid_buf *b, size_t bs)
{
	int rc;

	if ((rc = nid_buf_put_u8(b, 0x80)) != NID_OK)
		return rc;
	while (b->len % bs != 0)
		if ((rc = nid_buf_put_u8(b, 0x00)) != NID_OK)
			return rc;
	return NID_OK;
}

/*
 * Fault sm_no_do99: rebuild the protected response [DO'87'] DO'8E' with
 * the MAC over SSC ‖ DO'87' alone (9303-11 §9.8.6 makes DO'99'
 * mandatory: the terminal must refuse this).
 */
static int
strip_do99(struct nid_sim_icao *st, nid_buf *out)
{
	nid_cur c;
	nid_cur v;
	uint32_t tag;
	nid_buf body, macin;
	uint8_t ssc[16], mac[8];
	size_t ssc_len, crypto_len = 0;
	uint16_t sw;
	int rc;

	nid_buf_init(&body, NID_SIM_RSP_DATA_MAX + 64);
	nid_buf_init(&macin, NID_SIM_RSP_DATA_MAX + 64);
	if (out->len < 2) {
		rc = NID_E_INTERNAL;
		goto out;
	}
	sw = (uint16_t)(out->p[out->len - 2] << 8 | out->p[out->len - 1]);
	nid_cur_init(&c, out->p, out->len - 2);
	while (c.len > 0) {
		const uint8_t *start = c.p;

		if ((rc = nid_tlv_next(&c, 0, &tag, &v)) != NID_OK)
			goto out;
		if (tag == 0x87 || tag == 0x85) {
			crypto_len = (size_t)(c.p - start);
			if ((rc = nid_buf_put(&body, start, crypto_len)) !=
			    NID_OK)
				goto out;
		}
	}
	ssc_len = nid_sm_ssc(st->sm, ssc);
	if ((rc = nid_buf_put(&macin, ssc, ssc_len)) != NID_OK ||
	    (rc = nid_buf_put(&macin, body.p, body.len)) != NID_OK)
		goto out;
	if (st->cipher == NID_SM_3DES)
		rc = nid_sm_retail_mac(st->ks_mac, macin.p, macin.len, mac);
	else if ((rc = pad_m2(&macin, 16)) == NID_OK)
		rc = nid_sm_aes_cmac8(st->ks_mac, st->key_len, macin.p,
		    macin.len, mac);
	if (rc != NID_OK)
		goto out;
	nid_buf_reset(out);
	if ((rc = nid_buf_put(out, body.p, body.len)) != NID_OK ||
	    (rc = nid_tlv_put(out, 0x8E, mac, sizeof(mac))) != NID_OK ||
	    (rc = nid_buf_put_be16(out, sw)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	OPENSSL_cleanse(ssc, sizeof(ssc));
	nid_buf_clear(&body);
	nid_buf_clear(&macin);
	return rc;
}

/*
 * The hostile SM faults on a protected response out (data ‖ SW), after
 * it was wrapped with this response's SSC: sm_bad_padding (the Nth
 * response with data re-encrypted with padding 81 00.., MAC valid),
 * sm_no_mac (DO'8E' dropped), sm_stale_ssc (the Nth response is the one
 * before it again: its MAC is over a stale SSC).
 */
static int
sm_hostile(struct nid_sim_icao *st, const nid_sim_cmd *plain,
    const nid_sim_rsp *rsp, nid_buf *out)
{
	uint8_t ssc[16];
	size_t ssc_len;
	int rc = NID_OK;

	if (st->f_bad_pad != 0 && rsp->data.len > 0 &&
	    st->sm_data_rsp == st->f_bad_pad) {
		ssc_len = nid_sm_ssc(st->sm, ssc);
		rc = nid_sim_hostile_sm_badpad(st->cipher == NID_SM_AES,
		    st->ks_enc, st->ks_mac, st->key_len, ssc, ssc_len,
		    plain->apdu.ins & 1, rsp->data.p, rsp->data.len, rsp->sw,
		    out);
		OPENSSL_cleanse(ssc, sizeof(ssc));
		if (rc != NID_OK)
			return rc;
	}
	if (st->f_no_mac && out->len >= 12) {
		/* DO'8E' (8E 08 MAC) is last before the SW. */
		memmove(out->p + out->len - 12, out->p + out->len - 2, 2);
		out->len -= 10;
	}
	if (st->f_stale != 0) {
		if (st->sm_rsp == st->f_stale && st->last.len > 0) {
			nid_buf_reset(out);
			return nid_buf_put(out, st->last.p, st->last.len);
		}
		nid_buf_reset(&st->last);
		rc = nid_buf_put(&st->last, out->p, out->len);
	}
	return rc;
}

/*
 * Chip Authentication (sim_ca.c) completed with the command just
 * answered under the old keys: secure messaging restarts with the new
 * keys and SSC 0 (ICAO 9303-11 §6.2.3, §9.8.6).
 */
static int
ca_restart(struct nid_sim_icao *st)
{
	static const uint8_t zero[16];
	struct nid_pace_keys keys;
	int protocol = st->protocol, des, rc;

	if (!nid_sim_ca_take(st->ca, &keys))
		return NID_OK;
	des = keys.alg == NID_KDF_3DES;
	rc = session_start(st, des ? NID_SM_3DES : NID_SM_AES, keys.enc,
	    keys.mac, keys.key_len, zero, des ? 8 : 16, protocol);
	if (rc == NID_OK)
		st->chip_auth = 1;
	nid_pace_keys_clear(&keys);
	return rc;
}

static int
sm_wrap(nid_sim_card *card, void *arg, const nid_sim_cmd *plain,
    nid_sim_rsp *rsp)
{
	struct nid_sim_icao *st = arg;
	nid_buf out;
	int rc;

	(void)card;
	if (st->sm == NULL)
		return NID_OK;  /* the command ended the session: plain SW */
	/* Fault sm_plain=N: the Nth response goes out unprotected. */
	if (st->f_plain != 0 && st->sm_rsp + 1 == st->f_plain) {
		st->sm_rsp++;
		return NID_OK;
	}
	nid_buf_init(&out, NID_SIM_RSP_DATA_MAX + 128);
	/* ICAO 9303-11 §9.8.6: [DO'87'|'85'] DO'99' DO'8E' SW1 SW2. */
	if ((rc = nid_sm_wrap_rsp(st->sm, plain->apdu.ins & 1, rsp->data.p,
	    rsp->data.len, rsp->sw, &out)) != NID_OK)
		goto out;
	st->sm_rsp++;
	if (rsp->data.len > 0)
		st->sm_data_rsp++;
	if (st->f_no_do99 && (rc = strip_do99(st, &out)) != NID_OK)
		goto out;
	if ((rc = sm_hostile(st, plain, rsp, &out)) != NID_OK)
		goto out;
	/* Fault sm_bad_mac=N: the last MAC byte of the Nth response. */
	if (st->f_bad_mac != 0 && st->sm_rsp == st->f_bad_mac)
		out.p[out.len - 3] ^= 0x01;
	nid_buf_reset(&rsp->data);
	if ((rc = nid_buf_put(&rsp->data, out.p, out.len - 2)) != NID_OK)
		goto out;
	rsp->sw = (uint16_t)(out.p[out.len - 2] << 8 | out.p[out.len - 1]);
	rsp->flags = 0;
	rc = ca_restart(st);
out:
	nid_buf_clear(&out);
	return rc;
}

static const struct nid_sim_sm_ops icao_sm_ops = {
	sm_unwrap, sm_wrap, sm_reset
};

/* ---- handlers --------------------------------------------------------- */

/*
 * Every INS: a plain command while a session is up ends it (ICAO
 * 9303-11 §9.8.6.1: "the eMRTD chip MUST abort secure messaging if ... a
 * plain APDU is received").
 */
static int
h_guard(nid_sim_card *card, void *arg, const nid_sim_cmd *cmd,
    nid_sim_rsp *rsp)
{
	struct nid_sim_icao *st = arg;

	(void)card;
	/* The engine lets chained commands reach INS that have handlers;
	 * only GENERAL AUTHENTICATE (PACE, CA) and Chip Authentication's
	 * MSE (sim_ca.c: a 2048-bit DH key needs chaining without
	 * extended length) take them. */
	if ((cmd->apdu.cla & 0x90) == 0x10 && cmd->apdu.ins != 0x86 &&
	    !(cmd->apdu.ins == 0x22 && cmd->apdu.p1 == 0x41 &&
	    st->ca != NULL)) {
		rsp->sw = NID_SW_NO_CHAINING;
		return NID_OK;
	}
	if (st->sm == NULL || cmd->sm)
		return NID_SIM_DECLINE;
	session_drop(st);
	rsp->sw = SW_SM_MISSING;
	return NID_OK;
}

/* BAC, ICAO 9303-11 §4.3.4.2: EXTERNAL / MUTUAL AUTHENTICATE 00 82 00 00. */
static int
h_bac(nid_sim_card *card, void *arg, const nid_sim_cmd *cmd,
    nid_sim_rsp *rsp)
{
	struct nid_sim_icao *st = arg;
	const nid_apdu *a = &cmd->apdu;
	uint8_t k_ic[16], rnd_ifd[8], k_ifd[16], ans[NID_BAC_AUTH_LEN];
	uint8_t ks_enc[16], ks_mac[16], ssc[8];
	uint8_t rnd_ic[8];
	int have_ic, rc;

	if ((st->access & NID_SIM_ACCESS_BAC) == 0)
		return NID_SIM_DECLINE;
	if (cmd->sm) {
		rsp->sw = NID_SW_CONDITIONS;
		return NID_OK;
	}
	if (a->p1 != 0 || a->p2 != 0) {
		rsp->sw = NID_SW_WRONG_P1P2;
		return NID_OK;
	}
	/* RND.IC is good for one EXTERNAL AUTHENTICATE. */
	have_ic = card->challenge_len == NID_BAC_RND_LEN;
	memcpy(rnd_ic, card->challenge, sizeof(rnd_ic));
	OPENSSL_cleanse(card->challenge, sizeof(card->challenge));
	card->challenge_len = 0;
	if (!have_ic) {
		rsp->sw = NID_SW_CONDITIONS;
		rc = NID_OK;
		goto out;
	}
	if (a->nc != NID_BAC_AUTH_LEN) {
		rsp->sw = NID_SW_WRONG_LENGTH;
		rc = NID_OK;
		goto out;
	}
	if ((rc = nid_sim_random(card, k_ic, sizeof(k_ic))) != NID_OK)
		goto out;
	rc = nid_bac_chip_answer(st->bac_enc, st->bac_mac, rnd_ic, k_ic,
	    a->data, a->nc, rnd_ifd, k_ifd, ans);
	if (rc != NID_OK) {
		/* Wrong MRZ: the MAC (or RND.IC) does not check. */
		rsp->sw = SW_AUTH_FAIL;
		rc = NID_OK;
		goto out;
	}
	if ((rc = nid_bac_session_keys(k_ifd, k_ic, rnd_ic, rnd_ifd, ks_enc,
	    ks_mac, ssc)) != NID_OK ||
	    (rc = session_start(st, NID_SM_3DES, ks_enc, ks_mac, 16, ssc,
	    sizeof(ssc), 1)) != NID_OK)
		goto out;
	pace_reset(st);
	if ((rc = nid_buf_put(&rsp->data, ans, sizeof(ans))) != NID_OK)
		goto out;
	rsp->sw = NID_SW_OK;
	rc = NID_OK;
out:
	OPENSSL_cleanse(k_ic, sizeof(k_ic));
	OPENSSL_cleanse(k_ifd, sizeof(k_ifd));
	OPENSSL_cleanse(rnd_ifd, sizeof(rnd_ifd));
	OPENSSL_cleanse(rnd_ic, sizeof(rnd_ic));
	OPENSSL_cleanse(ks_enc, sizeof(ks_enc));
	OPENSSL_cleanse(ks_mac, sizeof(ks_mac));
	OPENSSL_cleanse(ssc, sizeof(ssc));
	OPENSSL_cleanse(ans, sizeof(ans));
	return rc;
}

/* PACE, ICAO 9303-11 §4.4.4.1: MSE:Set AT 00 22 C1 A4. */
static int
h_mse(nid_sim_card *card, void *arg, const nid_sim_cmd *cmd,
    nid_sim_rsp *rsp)
{
	struct nid_sim_icao *st = arg;
	const nid_apdu *a = &cmd->apdu;
	const struct icao_pace_entry *pe = NULL;
	nid_cur c, v, oid = { NULL, 0 };
	uint32_t tag;
	long param_id = -1;
	int pw = 0, rc;
	size_t i;

	/* Chip Authentication: MSE:Set KAT / AT with P1 41 (sim_ca.c). */
	if (a->p1 == 0x41 && st->ca != NULL)
		return nid_sim_ca_mse(st->ca, card, cmd, rsp);
	if ((st->access & NID_SIM_ACCESS_PACE) == 0 || a->p1 != 0xC1 ||
	    a->p2 != 0xA4)
		return NID_SIM_DECLINE;
	pace_reset(st);
	if (cmd->sm) {
		rsp->sw = NID_SW_CONDITIONS;
		return NID_OK;
	}
	/* Case 3: the terminal sends no Le. */
	if (a->ne != 0) {
		rsp->sw = NID_SW_WRONG_LENGTH;
		return NID_OK;
	}
	nid_cur_init(&c, a->data, a->nc);
	while (c.len > 0) {
		if (nid_tlv_next(&c, 0, &tag, &v) != NID_OK)
			goto bad;
		switch (tag) {
		case 0x80:
			if (oid.p != NULL)
				goto bad;
			oid = v;
			break;
		case 0x83:
			if (pw != 0 || v.len != 1)
				goto bad;
			pw = v.p[0];
			break;
		case 0x84:
			if (param_id >= 0 || v.len != 1)
				goto bad;
			param_id = v.p[0];
			break;
		default:
			goto bad;
		}
	}
	if (oid.p == NULL || pw == 0)
		goto bad;
	for (i = 0; i < st->npace; i++) {
		if (st->pace[i].oid_len == oid.len &&
		    memcmp(st->pace[i].oid, oid.p, oid.len) == 0 &&
		    (param_id < 0 || param_id == st->pace[i].param_id)) {
			pe = &st->pace[i];
			break;
		}
	}
	if (pe == NULL) {
		rsp->sw = NID_SW_REF_NOT_FOUND;
		return NID_OK;
	}
	if (pw == NID_PACE_PW_MRZ)
		rc = nid_pace_kpi(pe->alg, NID_PACE_PW_MRZ, st->mrz_info,
		    st->mrz_info_len, st->kpi, &st->kpi_len);
	else if (pw == NID_PACE_PW_CAN && st->can_len > 0)
		rc = nid_pace_kpi(pe->alg, NID_PACE_PW_CAN, st->can,
		    st->can_len, st->kpi, &st->kpi_len);
	else {
		rsp->sw = NID_SW_REF_NOT_FOUND;
		return NID_OK;
	}
	if (rc != NID_OK ||
	    (rc = nid_pace_dp_std(pe->param_id, &st->dp)) != NID_OK) {
		pace_reset(st);
		return rc;
	}
	st->pe = pe;
	st->step = 1;
	rsp->sw = NID_SW_OK;
	return NID_OK;
bad:
	rsp->sw = NID_SW_WRONG_DATA;
	return NID_OK;
}

/* Ephemeral private key: from the card's generator so a seeded run is
 * reproducible; 19 bytes are below the order of every standardized
 * group (the smallest, parameterId 0, has a 160-bit q). */
static int
pace_sk(nid_sim_card *card, uint8_t sk[19], const uint8_t **skp,
    size_t *sk_len)
{
	int rc;

	*skp = NULL;
	*sk_len = 0;
	if (!card->seeded)
		return NID_OK;  /* nid_pace_keypair: RAND_priv_bytes */
	if ((rc = nid_sim_random(card, sk, 19)) != NID_OK)
		return rc;
	sk[0] |= 0x01;
	*skp = sk;
	*sk_len = 19;
	return NID_OK;
}

/*
 * Hostile PACE: the chip's public key of GA step `step` (2: PK_map,IC,
 * 3: PK_IC) replaced by one the terminal must refuse (ICAO 9303-11
 * §4.4.3.3, TR-03110-3 §A.2.2 public key validation): EC a point off the
 * curve (y + 1) or the point at infinity (SEC 1 §2.3.3: the octet 00);
 * DH the values 0, 1, p-1 and p. The EC faults leave DH keys alone and
 * the DH faults EC keys. The chip's own computation is not affected.
 */
static int
pace_fault_pub(const struct nid_sim_icao *st, const nid_pace_dp *dp,
    unsigned step, nid_buf *pk)
{
	size_t flen = nid_pace_dp_field_len(dp), i, k;
	int ec = nid_pace_dp_is_ec(dp), rc = NID_OK;

	for (i = 0; i < NID_NELEM(st->f_pace) && rc == NID_OK; i++) {
		if (st->f_pace[i] != step || (i < 2) != (ec != 0) ||
		    pk->len == 0)
			continue;
		switch (i) {
		case 0:
			pk->p[pk->len - 1] ^= 0x01;
			break;
		case 1:
			nid_buf_reset(pk);
			rc = nid_buf_put_u8(pk, 0x00);
			break;
		case 2:
		case 3:
			nid_buf_reset(pk);
			for (k = 0; k < flen && rc == NID_OK; k++)
				rc = nid_buf_put_u8(pk, (uint8_t)(i == 3 &&
				    k == flen - 1 ? 1 : 0));
			break;
		default:
			/* p is odd: p-1 only changes its last byte. */
			nid_buf_reset(pk);
			if ((rc = nid_pace_dp_prime(dp, pk)) == NID_OK && i == 4)
				pk->p[pk->len - 1] ^= 0x01;
			break;
		}
	}
	return rc;
}

static int
ga_answer(nid_sim_rsp *rsp, uint32_t tag, const uint8_t *v, size_t n)
{
	rsp->sw = NID_SW_OK;
	return nid_pace_ga_data(tag, v, n, &rsp->data);
}

/*
 * PACE, ICAO 9303-11 §4.4.4.2, TR-03110-3 §D.3: GENERAL AUTHENTICATE
 * 10/00 86 00 00 7C{…}. One step per command; any error resets PACE.
 */
static int
h_ga(nid_sim_card *card, void *arg, const nid_sim_cmd *cmd,
    nid_sim_rsp *rsp)
{
	struct nid_sim_icao *st = arg;
	const nid_apdu *a = &cmd->apdu;
	struct nid_pace_dad dad;
	nid_buf z, h, sk, pk, k;
	uint8_t tok[NID_PACE_TOKEN_LEN], skb[19];
	const uint8_t *skp;
	size_t sk_len;
	unsigned step = st->step;
	uint16_t sw = NID_SW_WRONG_DATA;
	int rc = NID_OK;

	/* Chip Authentication after its MSE:Set AT (sim_ca.c). */
	if ((rc = nid_sim_ca_ga(st->ca, card, cmd, rsp)) != NID_SIM_DECLINE)
		return rc;
	rc = NID_OK;
	if ((st->access & NID_SIM_ACCESS_PACE) == 0)
		return NID_SIM_DECLINE;
	nid_buf_init(&z, 64);
	nid_buf_init(&h, 2 * NID_PACE_PUB_MAX);
	nid_buf_init(&sk, NID_PACE_PUB_MAX);
	nid_buf_init(&pk, NID_PACE_PUB_MAX);
	nid_buf_init(&k, NID_PACE_PUB_MAX);
	if (cmd->sm || step == 0 || a->p1 != 0 || a->p2 != 0) {
		sw = cmd->sm || step == 0 ? NID_SW_CONDITIONS :
		    NID_SW_WRONG_P1P2;
		goto fail;
	}
	/* Steps 1-3 are chained (CLA b5 set), step 4 ends the chain. */
	if ((a->cla & 0x10) != (step < 4 ? 0x10 : 0x00)) {
		sw = NID_SW_CONDITIONS;
		goto fail;
	}
	switch (step) {
	case 1:
		if (nid_pace_dad_parse(a->data, a->nc, 0, 0, &dad) != NID_OK)
			goto fail;
		/* s: one block of the cipher (§4.4.3.1). */
		if ((rc = nid_buf_reserve(&st->s, 16)) != NID_OK)
			goto out;
		st->s.len = st->pe->alg == NID_KDF_3DES ? 8 : 16;
		if ((rc = nid_sim_random(card, st->s.p, st->s.len)) != NID_OK ||
		    (rc = nid_pace_encrypt_nonce(st->pe->alg, st->kpi,
		    st->kpi_len, st->s.p, st->s.len, &z)) != NID_OK ||
		    (rc = ga_answer(rsp, 0x80, z.p, z.len)) != NID_OK)
			goto out;
		break;
	case 2:
		if (nid_pace_dad_parse(a->data, a->nc, 1u << 1, 1u << 1,
		    &dad) != NID_OK)
			goto fail;
		/* The terminal's mapping key: on the curve / in range. */
		if (nid_pace_check_pub(st->dp, dad.v[1].p, dad.v[1].len) !=
		    NID_OK)
			goto fail;
		if ((rc = pace_sk(card, skb, &skp, &sk_len)) != NID_OK ||
		    (rc = nid_pace_keypair(st->dp, skp, sk_len, &sk, &pk)) !=
		    NID_OK)
			goto out;
		if (nid_pace_dh(st->dp, sk.p, sk.len, dad.v[1].p, dad.v[1].len,
		    &h) != NID_OK ||
		    nid_pace_gm_map(st->dp, st->s.p, st->s.len, h.p, h.len,
		    &st->mapped) != NID_OK)
			goto fail;
		if ((rc = pace_fault_pub(st, st->dp, 2, &pk)) != NID_OK ||
		    (rc = ga_answer(rsp, 0x82, pk.p, pk.len)) != NID_OK)
			goto out;
		break;
	case 3:
		if (nid_pace_dad_parse(a->data, a->nc, 1u << 3, 1u << 3,
		    &dad) != NID_OK ||
		    nid_pace_check_pub(st->mapped, dad.v[3].p, dad.v[3].len) !=
		    NID_OK)
			goto fail;
		if ((rc = nid_buf_put(&st->pk_ifd, dad.v[3].p, dad.v[3].len)) !=
		    NID_OK ||
		    (rc = pace_sk(card, skb, &skp, &sk_len)) != NID_OK ||
		    (rc = nid_pace_keypair(st->mapped, skp, sk_len, &st->sk_ic,
		    &st->pk_ic)) != NID_OK)
			goto out;
		/* §4.4.3.3.2: the chip checks PK_IFD ≠ PK_IC. */
		if (st->pk_ifd.len == st->pk_ic.len &&
		    CRYPTO_memcmp(st->pk_ifd.p, st->pk_ic.p, st->pk_ic.len) == 0)
			goto fail;
		if (nid_pace_shared_secret(st->mapped, st->sk_ic.p,
		    st->sk_ic.len, st->pk_ifd.p, st->pk_ifd.len, &k) != NID_OK)
			goto fail;
		if ((rc = nid_pace_session_keys(st->pe->alg, k.p, k.len,
		    &st->keys)) != NID_OK ||
		    (rc = nid_buf_put(&pk, st->pk_ic.p, st->pk_ic.len)) !=
		    NID_OK ||
		    (rc = pace_fault_pub(st, st->mapped, 3, &pk)) != NID_OK ||
		    (rc = ga_answer(rsp, 0x84, pk.p, pk.len)) != NID_OK)
			goto out;
		break;
	case 4:
		if (nid_pace_dad_parse(a->data, a->nc, 1u << 5, 1u << 5,
		    &dad) != NID_OK)
			goto fail;
		/* §4.4.3.4: T_IFD over PK_IC; a wrong password shows here. */
		if (nid_pace_token_verify(&st->keys, st->mapped, st->pe->oid,
		    st->pe->oid_len, st->pk_ic.p, st->pk_ic.len, dad.v[5].p,
		    dad.v[5].len) != NID_OK) {
			sw = SW_AUTH_FAIL;
			goto fail;
		}
		if ((rc = nid_pace_token(&st->keys, st->mapped, st->pe->oid,
		    st->pe->oid_len, st->pk_ifd.p, st->pk_ifd.len, tok)) !=
		    NID_OK)
			goto out;
		if (st->f_bad_token)
			tok[0] ^= 0x01;  /* fault pace_bad_token */
		if ((rc = ga_answer(rsp, 0x86, tok, sizeof(tok))) != NID_OK)
			goto out;
		/* §9.8.6.2 (AES) / §9.8.6.1 (3DES): SSC 0. */
		memset(skb, 0, sizeof(skb));
		if ((rc = session_start(st, st->pe->alg == NID_KDF_3DES ?
		    NID_SM_3DES : NID_SM_AES, st->keys.enc, st->keys.mac,
		    st->keys.key_len, skb, st->pe->alg == NID_KDF_3DES ? 8 : 16,
		    2)) != NID_OK)
			goto out;
		pace_reset(st);
		step = 0;
		break;
	default:
		goto fail;
	}
	st->step = step == 0 ? 0 : step + 1;
	rc = NID_OK;
	goto out;
fail:
	pace_reset(st);
	nid_buf_reset(&rsp->data);
	rsp->sw = sw;
	rc = NID_OK;
out:
	if (rc != NID_OK)
		pace_reset(st);
	OPENSSL_cleanse(skb, sizeof(skb));
	OPENSSL_cleanse(tok, sizeof(tok));
	nid_buf_clear(&z);
	nid_buf_clear(&h);
	nid_buf_clear(&sk);
	nid_buf_clear(&pk);
	nid_buf_clear(&k);
	return rc;
}

/* ---- the "icao" section of card.json ---------------------------------- */

static int
bad(nid_ctx_t *ctx, const char *path, const char *msg)
{
	return nid_ctx_set_detail(ctx, NID_E_MALFORMED, "card.json: icao%s: %s",
	    path, msg);
}

static int
load_mrz(nid_ctx_t *ctx, struct nid_sim_icao *st, json_t *v)
{
	const char *lines[3];
	struct nid_mrz m;
	json_t *e;
	size_t i;
	int rc;

	if (!json_is_array(v) || json_array_size(v) < 2 ||
	    json_array_size(v) > 3)
		return bad(ctx, ".mrz", "must be an array of 2 (TD2, TD3) or "
		    "3 (TD1) strings, the MRZ lines");
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return bad(ctx, ".mrz", "lines must be strings");
		lines[i] = json_string_value(e);
	}
	if (nid_mrz_parse_lines(lines, json_array_size(v), &m) != NID_OK ||
	    !nid_mrz_valid(&m)) {
		rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED,
		    "card.json: icao.mrz: not a valid MRZ%s%s%s",
		    m.nproblems > 0 ? " (" : "",
		    m.nproblems > 0 ? m.problems[0].text : "",
		    m.nproblems > 0 ? ")" : "");
		nid_mrz_clear(&m);
		return rc;
	}
	rc = nid_mrz_bac_info(&m, st->mrz_info, sizeof(st->mrz_info));
	nid_mrz_clear(&m);
	if (rc != NID_OK)
		return bad(ctx, ".mrz", "no MRZ_information");
	st->mrz_info_len = strlen(st->mrz_info);
	/* ICAO 9303-11 §4.3.2, §9.7.2: K_enc, K_mac from the MRZ. */
	return nid_bac_keys(st->mrz_info, st->mrz_info_len, st->bac_enc,
	    st->bac_mac);
}

static int
load_pace(nid_ctx_t *ctx, struct nid_sim_icao *st, json_t *v)
{
	static const char *const keys[] = { "oid", "param_id", NULL };
	const struct nid_oid_info *info;
	struct icao_pace_entry *pe;
	nid_pace_dp *dp = NULL;
	const char *key;
	json_t *e, *f;
	char path[64];
	size_t i, k;

	if (!json_is_array(v) || json_array_size(v) < 1 ||
	    json_array_size(v) > ICAO_PACE_MAX)
		return bad(ctx, ".pace", "must be an array of 1..8 "
		    "{ \"oid\", \"param_id\" } objects");
	json_array_foreach(v, i, e) {
		(void)snprintf(path, sizeof(path), ".pace[%zu]", i);
		if (!json_is_object(e))
			return bad(ctx, path, "must be an object");
		json_object_foreach(e, key, f) {
			for (k = 0; keys[k] != NULL; k++)
				if (strcmp(key, keys[k]) == 0)
					break;
			if (keys[k] == NULL)
				return nid_ctx_set_detail(ctx, NID_E_MALFORMED,
				    "card.json: icao%s: unknown field \"%s\"",
				    path, key);
		}
		pe = &st->pace[st->npace];
		f = json_object_get(e, "oid");
		if (f == NULL || !json_is_string(f) ||
		    (info = nid_oid_lookup_str(json_string_value(f))) == NULL ||
		    info->kind != NID_OID_PACE || info->map != NID_MAP_GM)
			return bad(ctx, path, "oid: must be a PACE generic "
			    "mapping protocol OID, e.g. 0.4.0.127.0.7.2.2.4.2.2 "
			    "(id-PACE-ECDH-GM-AES-CBC-CMAC-128)");
		if (nid_oid_from_str(info->dotted, pe->oid, sizeof(pe->oid),
		    &pe->oid_len) != NID_OK)
			return bad(ctx, path, "oid: cannot encode");
		pe->alg = (enum nid_kdf_alg)info->cipher;
		f = json_object_get(e, "param_id");
		if (f == NULL || !json_is_integer(f) ||
		    json_integer_value(f) < 0 || json_integer_value(f) > 31 ||
		    nid_pace_dp_std((long)json_integer_value(f), &dp) != NID_OK)
			return bad(ctx, path, "param_id: must be a standardized "
			    "domain parameter id (0-2 DH, 8-18 EC; ICAO 9303-11 "
			    "§9.5.1 table 7)");
		if (nid_pace_dp_is_ec(dp) != (info->ka == NID_KA_ECDH)) {
			nid_pace_dp_free(&dp);
			return bad(ctx, path, "param_id: DH groups (0-2) go with "
			    "id-PACE-DH-GM-*, curves with id-PACE-ECDH-GM-*");
		}
		nid_pace_dp_free(&dp);
		pe->param_id = (long)json_integer_value(f);
		st->npace++;
	}
	return NID_OK;
}

/* The hostile faults of the application (docs/card-image.md). */
enum { HF_BOOL, HF_NUM, HF_STEP };
static const struct {
	const char *name;
	int kind;     /* HF_NUM: the Nth response (0 off); HF_STEP: 2, 3 */
} hostile_faults[] = {
	{ "sm_bad_padding", HF_NUM },
	{ "sm_stale_ssc", HF_NUM },
	{ "sm_plain", HF_NUM },
	{ "sm_no_mac", HF_BOOL },
	{ "pace_bad_token", HF_BOOL },
	/* from here on, in the order of f_pace[] (pace_fault_pub) */
	{ "pace_off_curve", HF_STEP },
	{ "pace_infinity", HF_STEP },
	{ "pace_dh_zero", HF_STEP },
	{ "pace_dh_one", HF_STEP },
	{ "pace_dh_p_minus_1", HF_STEP },
	{ "pace_dh_p", HF_STEP },
};
#define HF_PACE0 5u

static size_t
hostile_find(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < NID_NELEM(hostile_faults); i++)
		if (strlen(hostile_faults[i].name) == n &&
		    strncmp(hostile_faults[i].name, name, n) == 0)
			return i;
	return i;
}

static int
hostile_ok(size_t i, unsigned long v)
{
	if (hostile_faults[i].kind == HF_STEP)
		return v == 0 || v == 2 || v == 3;
	return hostile_faults[i].kind == HF_NUM || v <= 1;
}

static void
hostile_store(struct nid_sim_icao *st, size_t i, unsigned long v)
{
	switch (i) {
	case 0:
		st->f_bad_pad = v;
		break;
	case 1:
		st->f_stale = v;
		break;
	case 2:
		st->f_plain = v;
		break;
	case 3:
		st->f_no_mac = v != 0;
		break;
	case 4:
		st->f_bad_token = v != 0;
		break;
	default:
		st->f_pace[i - HF_PACE0] = (unsigned)v;
		break;
	}
}

static int
load_faults(nid_ctx_t *ctx, struct nid_sim_icao *st, json_t *v)
{
	const char *key;
	json_t *f;
	size_t i;

	if (!json_is_object(v))
		return bad(ctx, ".faults", "must be an object");
	json_object_foreach(v, key, f) {
		if (strcmp(key, "sm_bad_mac") == 0) {
			if (!json_is_integer(f) || json_integer_value(f) < 0)
				return bad(ctx, ".faults.sm_bad_mac",
				    "must be a response number (0: off)");
			st->f_bad_mac = (unsigned long)json_integer_value(f);
		} else if (strcmp(key, "sm_no_do99") == 0) {
			if (!json_is_boolean(f))
				return bad(ctx, ".faults.sm_no_do99",
				    "must be true or false");
			st->f_no_do99 = json_is_true(f);
		} else if (strcmp(key, "clone") == 0) {
			if (!json_is_boolean(f))
				return bad(ctx, ".faults.clone",
				    "must be true or false");
			st->f_clone = json_is_true(f);
		} else if ((i = hostile_find(key, strlen(key))) <
		    NID_NELEM(hostile_faults)) {
			if ((hostile_faults[i].kind == HF_BOOL &&
			    !json_is_boolean(f)) ||
			    (hostile_faults[i].kind != HF_BOOL &&
			    (!json_is_integer(f) || json_integer_value(f) < 0 ||
			    !hostile_ok(i, (unsigned long)json_integer_value(f)))))
				return nid_ctx_set_detail(ctx, NID_E_MALFORMED,
				    "card.json: icao.faults.%s: %s", key,
				    hostile_faults[i].kind == HF_BOOL ?
				    "must be true or false" :
				    hostile_faults[i].kind == HF_STEP ?
				    "must be a GENERAL AUTHENTICATE step, 2 or "
				    "3 (0: off)" : "must be a response number "
				    "(0: off)");
			hostile_store(st, i, json_is_boolean(f) ?
			    (unsigned long)json_is_true(f) :
			    (unsigned long)json_integer_value(f));
		} else
			return nid_ctx_set_detail(ctx, NID_E_MALFORMED,
			    "card.json: icao.faults: unknown fault \"%s\"", key);
	}
	return NID_OK;
}

/* The application's DF (by its AID), -1 when absent. */
static int
find_app(const nid_sim_card *card)
{
	static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10,
		0x01 };
	size_t i;

	for (i = 0; i < card->nfiles; i++)
		if (card->files[i].type == NID_SIM_DF &&
		    card->files[i].aid_len == sizeof(aid) &&
		    memcmp(card->files[i].aid, aid, sizeof(aid)) == 0)
			return (int)i;
	return -1;
}

/* The file tree the eMRTD application needs (ICAO 9303-10 §3.6). */
static int
check_tree(nid_ctx_t *ctx, const nid_sim_card *card,
    const struct nid_sim_icao *st)
{
	const nid_sim_file *f;
	nid_secinfos *si = NULL;
	const struct nid_secinfo *e;
	int app, ca, found, rc;
	size_t i, j;

	if ((app = find_app(card)) < 0)
		return nid_ctx_set_detail(ctx, NID_E_MALFORMED, "card.json: "
		    "icao: no DF with the eMRTD AID " NID_SIM_ICAO_AID);
	for (i = 0; i < card->nfiles; i++) {
		f = &card->files[i];
		if (f->type != NID_SIM_EF || f->parent != app)
			continue;
		if ((f->read.need & NID_SIM_AC_SM) == 0)
			return nid_ctx_set_detail(ctx, NID_E_MALFORMED,
			    "card.json: icao: EF %04X of the eMRTD application "
			    "must have read \"sm\" (ICAO 9303-11 §4.2: nothing "
			    "readable without secure messaging)", f->fid);
	}
	if ((st->access & NID_SIM_ACCESS_PACE) == 0)
		return NID_OK;
	/* EF.CardAccess: in the MF, readable in plain (9303-10 §3.11.3). */
	if ((ca = nid_sim_file_find(card, 0, 0x011C)) < 0 ||
	    card->files[ca].type != NID_SIM_EF ||
	    card->files[ca].read.need != 0)
		return nid_ctx_set_detail(ctx, NID_E_MALFORMED, "card.json: "
		    "icao: PACE needs EF.CardAccess (011C) in the MF, read "
		    "\"always\"");
	if (nid_secinfos_parse(card->files[ca].data, card->files[ca].len,
	    &si) != NID_OK)
		return nid_ctx_set_detail(ctx, NID_E_MALFORMED, "card.json: "
		    "icao: EF.CardAccess is not SecurityInfos (ICAO 9303-11 "
		    "§9.2)");
	rc = NID_OK;
	for (i = 0; i < st->npace && rc == NID_OK; i++) {
		found = 0;
		for (j = 0; (e = nid_secinfos_get(si, NID_OID_PACE, j)) !=
		    NULL; j++)
			if (e->oid_der.len == st->pace[i].oid_len &&
			    memcmp(e->oid_der.p, st->pace[i].oid,
			    e->oid_der.len) == 0 &&
			    e->param_id == st->pace[i].param_id)
				found = 1;
		if (!found)
			rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED,
			    "card.json: icao.pace[%zu]: no PACEInfo with this "
			    "OID and parameterId in EF.CardAccess", i);
	}
	nid_secinfos_free(&si);
	return rc;
}

int
nid_sim_icao_load(nid_ctx_t *ctx, nid_sim_card *card, json_t *obj)
{
	static const char *const keys[] = { "mrz", "can", "access", "pace",
		"faults", "aa", "ca", NULL };
	static const uint8_t guard_ins[] = { 0xA4, 0xB0, 0xB1, 0x84, 0xCA,
		0xCB, 0x20, 0x22, 0x24, 0x2C, 0x86, 0x82, 0x88, 0x2A, 0xB2,
		0xD6, 0xC0 };
	struct nid_sim_icao *st = NULL;
	const char *key, *s;
	json_t *v, *e;
	size_t i, k;
	int rc;

	if (card->icao != NULL)
		return NID_E_INTERNAL;
	if (!json_is_object(obj))
		return bad(ctx, "", "must be an object");
	json_object_foreach(obj, key, v) {
		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(key, keys[k]) == 0)
				break;
		if (keys[k] == NULL)
			return nid_ctx_set_detail(ctx, NID_E_MALFORMED,
			    "card.json: icao: unknown field \"%s\"", key);
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NID_E_NOMEM;
	nid_buf_init(&st->s, 64);
	nid_buf_init(&st->pk_ifd, NID_PACE_PUB_MAX);
	nid_buf_init(&st->pk_ic, NID_PACE_PUB_MAX);
	nid_buf_init(&st->sk_ic, NID_PACE_PUB_MAX);
	nid_buf_init(&st->last, NID_SIM_RSP_DATA_MAX + 128);
	card->icao = st;
	if ((v = json_object_get(obj, "mrz")) == NULL) {
		rc = bad(ctx, ".mrz", "missing (the MRZ lines)");
		goto out;
	}
	if ((rc = load_mrz(ctx, st, v)) != NID_OK)
		goto out;
	if ((v = json_object_get(obj, "can")) != NULL) {
		s = json_is_string(v) ? json_string_value(v) : "";
		if (strlen(s) < 1 || strlen(s) >= sizeof(st->can) ||
		    strspn(s, "0123456789") != strlen(s)) {
			rc = bad(ctx, ".can", "must be a string of 1..16 digits");
			goto out;
		}
		memcpy(st->can, s, strlen(s) + 1);
		st->can_len = strlen(s);
	}
	if ((v = json_object_get(obj, "access")) == NULL || !json_is_array(v) ||
	    json_array_size(v) < 1) {
		rc = bad(ctx, ".access", "must be a non-empty array of "
		    "\"bac\", \"pace\"");
		goto out;
	}
	json_array_foreach(v, i, e) {
		s = json_is_string(e) ? json_string_value(e) : "";
		if (strcmp(s, "bac") == 0 &&
		    (st->access & NID_SIM_ACCESS_BAC) == 0)
			st->access |= NID_SIM_ACCESS_BAC;
		else if (strcmp(s, "pace") == 0 &&
		    (st->access & NID_SIM_ACCESS_PACE) == 0)
			st->access |= NID_SIM_ACCESS_PACE;
		else {
			rc = bad(ctx, ".access", "entries: \"bac\", \"pace\", "
			    "each at most once");
			goto out;
		}
	}
	v = json_object_get(obj, "pace");
	if ((st->access & NID_SIM_ACCESS_PACE) != 0 && v == NULL) {
		rc = bad(ctx, ".pace", "missing: PACE is offered");
		goto out;
	}
	if ((st->access & NID_SIM_ACCESS_PACE) == 0 && v != NULL) {
		rc = bad(ctx, ".pace", "given but \"access\" has no \"pace\"");
		goto out;
	}
	if (v != NULL && (rc = load_pace(ctx, st, v)) != NID_OK)
		goto out;
	if ((v = json_object_get(obj, "faults")) != NULL &&
	    (rc = load_faults(ctx, st, v)) != NID_OK)
		goto out;
	if ((rc = check_tree(ctx, card, st)) != NID_OK)
		goto out;
	for (i = 0; i < sizeof(guard_ins); i++)
		if ((rc = nid_sim_add_handler(card, guard_ins[i], h_guard,
		    st)) != NID_OK)
			goto out;
	if ((rc = nid_sim_add_handler(card, 0x82, h_bac, st)) != NID_OK ||
	    (rc = nid_sim_add_handler(card, 0x22, h_mse, st)) != NID_OK ||
	    (rc = nid_sim_add_handler(card, 0x86, h_ga, st)) != NID_OK)
		goto out;
	/* INTERNAL AUTHENTICATE after the guard (ICAO 9303-11 §6.1). */
	if ((v = json_object_get(obj, "aa")) != NULL &&
	    (rc = nid_sim_aa_load(ctx, card, v, &st->aa)) != NID_OK)
		goto out;
	/* Chip Authentication keys, checked against DG14 (sim_ca.c). */
	if ((v = json_object_get(obj, "ca")) != NULL &&
	    (rc = nid_sim_ca_load(ctx, card, v, &st->ca)) != NID_OK)
		goto out;
	/* Fault clone: the private keys replaced once they are loaded. */
	if (st->f_clone && ((rc = nid_sim_aa_clone(st->aa)) != NID_OK ||
	    (rc = nid_sim_ca_clone(st->ca)) != NID_OK))
		goto out;
	nid_sim_set_sm(card, &icao_sm_ops, st);
	rc = NID_OK;
out:
	/* On failure the card is freed by the loader, st with it. */
	return rc;
}

void
nid_sim_icao_free(nid_sim_card *card)
{
	struct nid_sim_icao *st;

	if (card == NULL || (st = card->icao) == NULL)
		return;
	session_end(st);
	pace_reset(st);
	nid_buf_clear(&st->s);
	nid_buf_clear(&st->pk_ifd);
	nid_buf_clear(&st->pk_ic);
	nid_buf_clear(&st->sk_ic);
	nid_buf_clear(&st->last);
	nid_sim_aa_free(&st->aa);
	nid_sim_ca_free(&st->ca);
	OPENSSL_cleanse(st, sizeof(*st));
	free(st);
	card->icao = NULL;
	if (card->sm == &icao_sm_ops)
		card->sm = NULL;
}

/* `check`: the hostile faults switched on, one line. */
static void
hostile_summary(const struct nid_sim_icao *st, FILE *fp)
{
	unsigned long v[NID_NELEM(hostile_faults)];
	size_t i, on = 0;

	v[0] = st->f_bad_pad;
	v[1] = st->f_stale;
	v[2] = st->f_plain;
	v[3] = (unsigned long)st->f_no_mac;
	v[4] = (unsigned long)st->f_bad_token;
	for (i = HF_PACE0; i < NID_NELEM(hostile_faults); i++)
		v[i] = st->f_pace[i - HF_PACE0];
	for (i = 0; i < NID_NELEM(hostile_faults); i++) {
		if (v[i] == 0)
			continue;
		fprintf(fp, "%s %s", on++ == 0 ? "  hostile    " : "",
		    hostile_faults[i].name);
		if (hostile_faults[i].kind != HF_BOOL)
			fprintf(fp, "=%lu", v[i]);
	}
	if (on > 0)
		fprintf(fp, "\n");
}

void
nid_sim_icao_summary(const nid_sim_card *card, FILE *fp)
{
	const struct nid_sim_icao *st;
	const struct nid_oid_info *info;
	size_t i;

	if (card == NULL || (st = card->icao) == NULL)
		return;
	fprintf(fp, "eMRTD:        AID %s, access %s%s%s, MRZ set, CAN %s\n",
	    NID_SIM_ICAO_AID, st->access & NID_SIM_ACCESS_PACE ? "pace" : "",
	    st->access == (NID_SIM_ACCESS_PACE | NID_SIM_ACCESS_BAC) ? "+" : "",
	    st->access & NID_SIM_ACCESS_BAC ? "bac" : "",
	    st->can_len > 0 ? "set" : "none");
	for (i = 0; i < st->npace; i++) {
		info = nid_oid_lookup(st->pace[i].oid, st->pace[i].oid_len);
		fprintf(fp, "  PACE        %s (%s), parameterId %ld\n",
		    info != NULL ? info->dotted : "?",
		    info != NULL ? info->name : "?", st->pace[i].param_id);
	}
	nid_sim_aa_summary(st->aa, fp);
	nid_sim_ca_summary(st->ca, fp);
	if (st->f_bad_mac != 0 || st->f_no_do99 || st->f_clone) {
		fprintf(fp, "  SM faults  ");
		if (st->f_bad_mac != 0)
			fprintf(fp, " sm_bad_mac=%lu", st->f_bad_mac);
		if (st->f_no_do99)
			fprintf(fp, " sm_no_do99");
		if (st->f_clone)
			fprintf(fp, " clone");
		fprintf(fp, "\n");
	}
	hostile_summary(st, fp);
}

void
nid_sim_icao_status(const nid_sim_card *card, struct nid_sim_icao_status *out)
{
	const struct nid_sim_icao *st;

	memset(out, 0, sizeof(*out));
	if (card == NULL || (st = card->icao) == NULL)
		return;
	out->session = st->sm != NULL;
	out->protocol = st->protocol;
	out->sm_rsp = st->sm_rsp;
	out->dropped = st->dropped;
	out->chip_auth = st->chip_auth;
	out->ca_count = nid_sim_ca_count(st->ca);
}

int
nid_sim_icao_set_fault(nid_ctx_t *ctx, nid_sim_card *card, const char *spec)
{
	struct nid_sim_icao *st = card->icao;
	const char *eq = strchr(spec, '=');
	size_t n = eq != NULL ? (size_t)(eq - spec) : strlen(spec);
	unsigned long v;
	char *end;
	size_t i;

	if (st == NULL)
		return nid_ctx_set_detail(ctx, NID_E_UNSUPPORTED,
		    "fault %s: the image has no eMRTD application", spec);
	if (n == 10 && strncmp(spec, "sm_no_do99", n) == 0) {
		if (eq == NULL || strcmp(eq, "=1") == 0 ||
		    strcmp(eq, "=true") == 0)
			st->f_no_do99 = 1;
		else if (strcmp(eq, "=0") == 0 || strcmp(eq, "=false") == 0)
			st->f_no_do99 = 0;
		else
			return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
			    "fault sm_no_do99: bad value \"%s\"", eq + 1);
		return NID_OK;
	}
	if (n == 5 && strncmp(spec, "clone", n) == 0) {
		/* Fault clone: fresh private keys (sim_ca.c, sim_aa.c). */
		if (eq != NULL && strcmp(eq, "=1") != 0 &&
		    strcmp(eq, "=true") != 0)
			return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
			    "fault clone: bad value \"%s\" (it cannot be "
			    "undone)", eq + 1);
		st->f_clone = 1;
		if (nid_sim_aa_clone(st->aa) != NID_OK)
			return nid_ctx_set_detail(ctx, NID_E_CRYPTO, "fault "
			    "clone: no fresh Active Authentication key");
		return nid_sim_ca_clone(st->ca);
	}
	if (n == 10 && strncmp(spec, "sm_bad_mac", n) == 0) {
		if (eq == NULL)
			return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
			    "fault sm_bad_mac needs a value: sm_bad_mac=N");
		errno = 0;
		v = strtoul(eq + 1, &end, 10);
		if (eq[1] == '\0' || eq[1] == '-' || *end != '\0' || errno != 0)
			return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
			    "fault sm_bad_mac: bad value \"%s\"", eq + 1);
		st->f_bad_mac = v;
		return NID_OK;
	}
	if ((i = hostile_find(spec, n)) < NID_NELEM(hostile_faults)) {
		/* Bare: on (booleans), the first response, GA step 2. */
		if (eq == NULL)
			v = hostile_faults[i].kind == HF_STEP ? 2 : 1;
		else if (hostile_faults[i].kind == HF_BOOL &&
		    (strcmp(eq, "=true") == 0 || strcmp(eq, "=false") == 0))
			v = eq[1] == 't';
		else {
			errno = 0;
			v = strtoul(eq + 1, &end, 10);
			if (eq[1] == '\0' || eq[1] == '-' || *end != '\0' ||
			    errno != 0 || !hostile_ok(i, v))
				return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
				    "fault %s: bad value \"%s\" (%s)",
				    hostile_faults[i].name, eq + 1,
				    hostile_faults[i].kind == HF_STEP ?
				    "2 or 3: the GENERAL AUTHENTICATE step" :
				    hostile_faults[i].kind == HF_BOOL ? "0 or 1" :
				    "N: the Nth protected response");
		}
		hostile_store(st, i, v);
		return NID_OK;
	}
	return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
	    "unknown fault \"%s\" (see nidcard-sim --help)", spec);
}
