/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_card.c — card I/O (card.c: ISO/IEC 7816-4 §5.1 chaining and
 * extended length, §5.6 61xx GET RESPONSE and 6Cxx Le correction) over
 * the replay transport (replay.c), with the fuzzer's bytes as the card's
 * answers.
 *
 * Input: byte 0 the card's capabilities, byte 1 the first command, then
 * responses in the 2-byte length framing of fuzz_split_next(); a
 * 1-byte piece is a transport failure instead (card removed, timeout,
 * reset, transport error). Commands from a fixed table (SELECT, READ
 * BINARY short and extended, GET CHALLENGE, a 300-byte command that
 * needs chaining or extended length, a case 1, and raw bytes through
 * nid_card_transmit_bytes) are sent one after the other until the script
 * is used up.
 *
 * Invariants: errors are the transport's, NID_E_CARD_PROTOCOL,
 * NID_E_TOO_LARGE or NID_E_CARD_REMOVED (script over), with SW 0 and no
 * data; success never ends on 61xx or 6Cxx for an unchained command;
 * every transmit uses at least one step; the data returned are exactly
 * the data of the answers consumed (minus those of 6Cxx answers and of
 * intermediate chain links); GET RESPONSE rounds stay within
 * NID_CARD_GETRESP_MAX_ITER.
 */
#include "config.h"

#include <string.h>

#include "nid_internal.h"
#include "card.h"
#include "replay.h"
#include "fuzz.h"

#define STEPS_MAX 512
#define COMMANDS_MAX 16

static const int step_errors[] = {
	NID_E_CARD_REMOVED, NID_E_TIMEOUT, NID_E_CARD_RESET, NID_E_TRANSPORT
};

struct step {
	const uint8_t *p;
	size_t len;
	int rc;
};

static uint8_t big[300];

static void
command(unsigned sel, nid_apdu *a, const uint8_t **raw, size_t *raw_len)
{
	static const uint8_t aid[] = { 0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };
	static const uint8_t rb[] = { 0x00, 0xb0, 0x00, 0x00, 0x00 };

	memset(a, 0, sizeof(*a));
	*raw = NULL;
	*raw_len = 0;
	switch (sel % 7) {
	case 0: /* SELECT eMRTD application, ICAO 9303-10 §3.10.1 */
		a->ins = 0xa4;
		a->p1 = 0x04;
		a->p2 = 0x0c;
		a->data = aid;
		a->nc = sizeof(aid);
		break;
	case 1: /* READ BINARY, Ne 256 */
		a->ins = 0xb0;
		a->ne = 256;
		break;
	case 2: /* READ BINARY, Ne 65536 (lowered to max_ne) */
		a->ins = 0xb0;
		a->ne = NID_NE_EXT_MAX;
		break;
	case 3: /* GET CHALLENGE */
		a->ins = 0x84;
		a->ne = 8;
		break;
	case 4: /* 300 bytes: chaining or extended */
		a->ins = 0x2a;
		a->p1 = 0x00;
		a->p2 = 0xa2;
		a->data = big;
		a->nc = sizeof(big);
		a->ne = 256;
		break;
	case 5: /* case 1 */
		a->ins = 0x20;
		a->p2 = 0x81;
		break;
	default:
		*raw = rb;
		*raw_len = sizeof(rb);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_split sp;
	static struct step steps[STEPS_MAX];
	nid_ctx_t *ctx = NULL;
	nid_transport_t *t = NULL;
	nid_card_t *card = NULL;
	nid_buf rsp, model;
	nid_apdu a;
	const uint8_t *raw, *piece;
	size_t nsteps = 0, piece_len, pos0, pos1, i, raw_len;
	unsigned long gr0, ch0;
	uint16_t sw, s;
	int rc, ncmd;

	if (size < 2)
		return 0;
	memset(big, 0x5a, sizeof(big));
	FUZZ_ASSERT(nid_ctx_new(&ctx) == NID_OK);
	FUZZ_ASSERT(nid_replay_new(ctx, &t) == NID_OK);
	sp.p = data + 2;
	sp.len = size - 2;
	while (nsteps < STEPS_MAX && fuzz_split_next(&sp, &piece, &piece_len)) {
		steps[nsteps].p = piece;
		steps[nsteps].len = piece_len;
		steps[nsteps].rc = NID_OK;
		if (piece_len == 1)
			steps[nsteps].rc =
			    step_errors[piece[0] % NID_NELEM(step_errors)];
		FUZZ_ASSERT(nid_replay_add(t, NULL, 0, piece, piece_len,
		    steps[nsteps].rc) == NID_OK);
		nsteps++;
	}
	FUZZ_ASSERT(nid_replay_len(t) == nsteps);
	FUZZ_ASSERT(nid_card_new(t, &card) == NID_OK);
	/* Capabilities: short (default), or extended with a smaller limit. */
	if (data[0] & 1) {
		card->caps.extended = 1;
		card->caps.max_nc = NID_NC_EXT_MAX;
		card->caps.max_ne = NID_NE_EXT_MAX;
	}
	if (data[0] & 2) {
		card->caps.max_nc = 1 + (size_t)(data[0] >> 3) * 8;
		card->caps.max_ne = 1 + (size_t)(data[0] >> 3) * 8;
	}
	card->caps.chaining = (data[0] & 4) == 0;

	nid_buf_init(&rsp, (data[1] & 0x80) ? 300 : NID_BUF_MAX_DEFAULT);
	nid_buf_init(&model, NID_BUF_MAX_DEFAULT);
	for (ncmd = 0; ncmd < COMMANDS_MAX && nid_replay_pos(t) < nsteps;
	    ncmd++) {
		command((unsigned)data[1] + (unsigned)ncmd, &a, &raw, &raw_len);
		pos0 = nid_replay_pos(t);
		gr0 = card->get_responses;
		ch0 = card->chained;
		sw = 0xeeee;
		if (raw != NULL)
			rc = nid_card_transmit_bytes(card, raw, raw_len, &rsp,
			    &sw);
		else
			rc = nid_card_transmit(card, &a, &rsp, &sw);
		pos1 = nid_replay_pos(t);
		if (rc == NID_E_UNSUPPORTED) {
			/* 300 bytes, no chaining, no extended length */
			FUZZ_ASSERT(pos1 == pos0 && a.nc > card->caps.max_nc);
			FUZZ_ASSERT(sw == 0 && rsp.len == 0);
			continue;
		}
		FUZZ_ASSERT(pos1 > pos0);
		FUZZ_ASSERT(card->get_responses - gr0 <=
		    NID_CARD_GETRESP_MAX_ITER);
		if (rc != NID_OK) {
			FUZZ_ASSERT(rc == NID_E_CARD_PROTOCOL ||
			    rc == NID_E_TOO_LARGE || rc == NID_E_CARD_REMOVED ||
			    rc == NID_E_TIMEOUT || rc == NID_E_CARD_RESET ||
			    rc == NID_E_TRANSPORT);
			FUZZ_ASSERT(sw == 0 && rsp.len == 0);
			if (rc == NID_E_CARD_REMOVED && pos1 > nsteps)
				break;
			continue;
		}
		FUZZ_ASSERT(sw == card->sw_last);
		FUZZ_ASSERT(rsp.len <= NID_CARD_RSP_DATA_MAX);
		/* The model: data of the answers consumed. */
		nid_buf_reset(&model);
		for (i = pos0 + (card->chained - ch0); i < pos1; i++) {
			FUZZ_ASSERT(steps[i].rc == NID_OK && steps[i].len >= 2);
			s = (uint16_t)(steps[i].p[steps[i].len - 2] << 8 |
			    steps[i].p[steps[i].len - 1]);
			if ((s & 0xff00u) == 0x6c00u)
				continue;
			FUZZ_ASSERT(nid_buf_put(&model, steps[i].p,
			    steps[i].len - 2) == NID_OK);
		}
		FUZZ_ASSERT(model.len == rsp.len);
		FUZZ_ASSERT(rsp.len == 0 ||
		    memcmp(model.p, rsp.p, rsp.len) == 0);
		if (card->chained == ch0) {
			FUZZ_ASSERT((sw & 0xff00u) != 0x6100u);
			FUZZ_ASSERT((sw & 0xff00u) != 0x6c00u);
			s = (uint16_t)(steps[pos1 - 1].p[steps[pos1 - 1].len - 2]
			    << 8 | steps[pos1 - 1].p[steps[pos1 - 1].len - 1]);
			FUZZ_ASSERT(s == sw);
		}
	}
	nid_buf_clear(&rsp);
	nid_buf_clear(&model);
	nid_card_free(&card);
	FUZZ_ASSERT(card == NULL);
	nid_transport_free(&t);
	nid_ctx_free(&ctx);
	return 0;
}
