/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_pace.c — PACE from a hostile chip (pace.c nid_pace_run over card.c
 * and the replay transport: MSE:Set AT, GENERAL AUTHENTICATE 1–4, the
 * chip's nonce, mapping and ephemeral keys, its authentication token; ICAO
 * 9303-11 §4.4, BSI TR-03110-3 §D.3.4), and the GA response parser on
 * every answer.
 *
 * The terminal side is the worked example of ICAO 9303-11 Appendix G:
 * its MRZ password and its ephemeral private keys (byte 0 bit 0 clear:
 * G.1, ECDH generic mapping, brainpoolP256r1, parameterId 13; set: G.2,
 * DH generic mapping, 1024-bit MODP group, parameterId 0), so that the
 * chip's side of the Appendix G exchange, replayed, completes PACE and
 * the fuzzer starts from a successful run. Byte 0 bit 1: an extended-
 * length card. The rest: the chip's answers in the framing of
 * fuzz_split_next() (a 1-byte piece is a transport failure).
 *
 * Invariants: PACE succeeds only with session keys of the cipher's
 * length and a chip public key PK_IC that passes the public key
 * validation of TR-03110-3 §A.2.2 (nid_pace_check_pub) — a hostile key
 * never gets through; on failure the result is cleared and the error is
 * a refusal, a card, transport or parse error, never an internal one;
 * the GA response parser, given any answer, accepts only the tags its
 * step allows, with values inside the answer.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>

#include "nid_internal.h"
#include "card.h"
#include "pace.h"
#include "replay.h"
#include "fuzz.h"

#define STEPS_MAX 32

/* ICAO 9303-11 Appendix G: MRZ_information of the example. */
static const char mrz_info[] = "T22000129364081251010318";

/* Appendix G.1 (id-PACE-ECDH-GM-AES-CBC-CMAC-128, parameterId 13) and
 * G.2 (id-PACE-DH-GM-AES-CBC-CMAC-128, parameterId 0): protocol OIDs and
 * the terminal's ephemeral private keys (mapping, key agreement). */
static const uint8_t g1_oid[] = {
	0x04, 0x00, 0x7f, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02
};
static const uint8_t g2_oid[] = {
	0x04, 0x00, 0x7f, 0x00, 0x07, 0x02, 0x02, 0x04, 0x01, 0x02
};
struct keyset {
	const char *sk[2];
};
static struct keyset g1_sk = { {
	"7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99",
	"A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595",
} };
static struct keyset g2_sk = { {
	"5265030F751F4AD18B08AC565FC7AC952E41618D",
	"89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA",
} };

static const int step_errors[] = {
	NID_E_CARD_REMOVED, NID_E_TIMEOUT, NID_E_CARD_RESET, NID_E_TRANSPORT
};

static int
fixed_sk(void *arg, unsigned which, uint8_t *sk, size_t max, size_t *sk_len)
{
	const struct keyset *keys = arg;
	nid_buf b;
	int rc;

	nid_buf_init(&b, 256);
	FUZZ_ASSERT(which == 1 || which == 2);
	FUZZ_ASSERT(nid_hex_decode(keys->sk[which - 1], &b, NULL) == NID_OK);
	if (b.len > max) {
		rc = NID_E_INTERNAL;
	} else {
		memcpy(sk, b.p, b.len);
		*sk_len = b.len;
		rc = NID_OK;
	}
	nid_buf_clear(&b);
	return rc;
}

static int
inside(const nid_cur *c, const uint8_t *p, size_t len)
{
	return c->len == 0 || (c->p >= p && c->len <= len &&
	    (size_t)(c->p - p) <= len - c->len);
}

/* The GA response parser on one answer (status word stripped). */
static void
parse_answer(const uint8_t *p, size_t len)
{
	/* allowed tags per step (TR-03110-3 §D.3.4): 80; 82; 84; 86 87 88 */
	static const uint32_t allowed[5] = { 0, 1u << 0, 1u << 2, 1u << 4,
		(1u << 6) | (1u << 7) | (1u << 8) };
	struct nid_pace_dad d;
	unsigned step, t;

	if (len >= 2)
		len -= 2;
	for (step = 1; step <= 4; step++) {
		if (nid_pace_ga_rsp_parse(step, p, len, &d) != NID_OK)
			continue;
		FUZZ_ASSERT((d.present & ~allowed[step]) == 0);
		for (t = 0; t < 16; t++)
			if (d.present & (1u << t))
				FUZZ_ASSERT(inside(&d.v[t], p, len));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct nid_pace_result zero;
	fuzz_split sp;
	nid_ctx_t *ctx = NULL;
	nid_transport_t *t = NULL;
	nid_card_t *card = NULL;
	nid_pace_dp *dp = NULL;
	struct nid_pace_params pp;
	struct nid_pace_result res;
	const uint8_t *piece;
	size_t nsteps = 0, piece_len;
	int prc, rc, g2;

	if (size < 1)
		return 0;
	g2 = data[0] & 1;
	FUZZ_ASSERT(nid_ctx_new(&ctx) == NID_OK);
	FUZZ_ASSERT(nid_replay_new(ctx, &t) == NID_OK);
	sp.p = data + 1;
	sp.len = size - 1;
	while (nsteps < STEPS_MAX && fuzz_split_next(&sp, &piece, &piece_len)) {
		prc = NID_OK;
		if (piece_len == 1)
			prc = step_errors[piece[0] % NID_NELEM(step_errors)];
		else
			parse_answer(piece, piece_len);
		FUZZ_ASSERT(nid_replay_add(t, NULL, 0, piece, piece_len, prc) ==
		    NID_OK);
		nsteps++;
	}
	FUZZ_ASSERT(nid_card_new(t, &card) == NID_OK);
	if (data[0] & 2) {
		card->caps.extended = 1;
		card->caps.max_nc = NID_NC_EXT_MAX;
		card->caps.max_ne = NID_NE_EXT_MAX;
	}
	memset(&pp, 0, sizeof(pp));
	pp.oid_der = g2 ? g2_oid : g1_oid;
	pp.oid_len = g2 ? sizeof(g2_oid) : sizeof(g1_oid);
	pp.param_id = g2 ? 0 : 13;
	pp.pw_type = NID_PACE_PW_MRZ;
	pp.pw = mrz_info;
	pp.pw_len = strlen(mrz_info);
	pp.sk_fn = fixed_sk;
	pp.sk_arg = g2 ? &g2_sk : &g1_sk;
	memset(&res, 0xa5, sizeof(res));
	rc = nid_pace_run(card, &pp, &res);
	if (rc == NID_OK) {
		FUZZ_ASSERT(res.keys.key_len == 16);
		FUZZ_ASSERT(res.pk_ic_len > 0 &&
		    res.pk_ic_len <= sizeof(res.pk_ic));
		FUZZ_ASSERT(nid_pace_dp_std(pp.param_id, &dp) == NID_OK);
		FUZZ_ASSERT(nid_pace_check_pub(dp, res.pk_ic, res.pk_ic_len) ==
		    NID_OK);
		FUZZ_ASSERT(memchr(res.car1, '\0', sizeof(res.car1)) != NULL);
		FUZZ_ASSERT(memchr(res.car2, '\0', sizeof(res.car2)) != NULL);
		nid_pace_dp_free(&dp);
		nid_pace_result_clear(&res);
	} else {
		FUZZ_ASSERT(memcmp(&res, &zero, sizeof(res)) == 0);
		FUZZ_ASSERT(rc != NID_E_INTERNAL && rc != NID_E_INVALID_ARG &&
		    rc != NID_E_CRYPTO && rc != NID_OK);
	}
	nid_card_free(&card);
	nid_transport_free(&t);
	nid_ctx_free(&ctx);
	ERR_clear_error();
	return 0;
}
