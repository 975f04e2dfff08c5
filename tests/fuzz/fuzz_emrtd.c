/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_emrtd.c — reading one LDS file from a hostile card
 * (emrtd.c nid_emrtd_read_ef: READ BINARY with SFI, header first, B0/B1,
 * Le fallbacks, ICAO 9303-10 §3.6.4) over card.c and the replay
 * transport, without secure messaging.
 *
 * Input: byte 0 the caps (bit 0 extended length), byte 1 the file (EF.SOD
 * any-TLV with the 1 MiB cap, EF.COM, DG1, DG2, DG11, DG14, DG15), then the
 * card's answers in the framing of fuzz_split_next(); a 1-byte piece is a
 * transport failure.
 *
 * Invariants: success hands over exactly one TLV whose header announces
 * its length (nid_tlv_total_len), within the file's cap (and accepted by
 * nid_lds_file_size for LDS files); failure hands over nothing; the
 * reading ceiling stays within 1..256; the APDU count is what the wire
 * saw.
 */
#include "config.h"

#include <string.h>

#include "nid_internal.h"
#include "card.h"
#include "emrtd.h"
#include "lds.h"
#include "replay.h"
#include "fuzz.h"

#define STEPS_MAX 512

static const int step_errors[] = {
	NID_E_CARD_REMOVED, NID_E_TIMEOUT, NID_E_CARD_RESET, NID_E_TRANSPORT
};

static const struct {
	uint8_t sfi;
	int dg;
} files[] = {
	{ NID_EMRTD_SFI_SOD, -1 }, { NID_EMRTD_SFI_COM, 0 }, { 1, 1 },
	{ 2, 2 }, { 11, 11 }, { 14, 14 }, { 15, 15 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_split sp;
	nid_ctx_t *ctx = NULL;
	nid_transport_t *t = NULL;
	nid_card_t *card = NULL;
	struct nid_emrtd_rd rd;
	const uint8_t *piece;
	uint8_t *out = (uint8_t *)&out; /* must be cleared */
	size_t nsteps = 0, piece_len, out_len = 1, total, f, max;
	unsigned long apdus = 0, wire0;
	uint16_t sw = 0xeeee;
	int rc, prc;

	if (size < 2)
		return 0;
	FUZZ_ASSERT(nid_ctx_new(&ctx) == NID_OK);
	FUZZ_ASSERT(nid_replay_new(ctx, &t) == NID_OK);
	sp.p = data + 2;
	sp.len = size - 2;
	while (nsteps < STEPS_MAX && fuzz_split_next(&sp, &piece, &piece_len)) {
		prc = NID_OK;
		if (piece_len == 1)
			prc = step_errors[piece[0] % NID_NELEM(step_errors)];
		FUZZ_ASSERT(nid_replay_add(t, NULL, 0, piece, piece_len, prc) ==
		    NID_OK);
		nsteps++;
	}
	FUZZ_ASSERT(nid_card_new(t, &card) == NID_OK);
	if (data[0] & 1) {
		card->caps.extended = 1;
		card->caps.max_nc = NID_NC_EXT_MAX;
		card->caps.max_ne = NID_NE_EXT_MAX;
	}
	nid_emrtd_rd_init(&rd, card, NULL, 0);
	f = data[1] % NID_NELEM(files);
	max = files[f].dg < 0 ? NID_EMRTD_FILE_MAX :
	    nid_lds_max_size((unsigned)files[f].dg);
	wire0 = t->apdus;
	rc = nid_emrtd_read_ef(card, &rd, files[f].sfi, files[f].dg, max,
	    &out, &out_len, &sw, &apdus);
	FUZZ_ASSERT(apdus == t->apdus - wire0);
	FUZZ_ASSERT(t->apdus <= nsteps + 1);
	FUZZ_ASSERT(rd.le >= 1 && rd.le <= 256);
	if (rc == NID_OK) {
		FUZZ_ASSERT(out != NULL && out_len > 0 && out_len <= max);
		FUZZ_ASSERT(nid_tlv_total_len(out, out_len, &total) == NID_OK);
		FUZZ_ASSERT(total == out_len);
		if (files[f].dg >= 0) {
			FUZZ_ASSERT(nid_lds_file_size((unsigned)files[f].dg, out,
			    out_len, &total) == NID_OK);
			FUZZ_ASSERT(total == out_len);
		}
		free(out);
	} else {
		FUZZ_ASSERT(out == NULL && out_len == 0);
	}
	nid_card_free(&card);
	nid_transport_free(&t);
	nid_ctx_free(&ctx);
	return 0;
}
