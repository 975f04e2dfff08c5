/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * card.c — the one transmit routine: logical APDU in, whole response out.
 * ISO/IEC 7816-4:2020 §5.1 (APDU cases, extended length, command
 * chaining §5.1.1.1) and §5.6 (61xx / 6Cxx); see card.h.
 */
#include "config.h"

#include <stdlib.h>

#include <openssl/crypto.h>

#include "nid_internal.h"
#include "card.h"
#include "sw.h"

#define CLA_CHAIN 0x10u        /* §5.1.1.1: CLA b5, "command chaining" */
#define INS_GET_RESPONSE 0xc0u /* §11.5.5 (2020: GET RESPONSE) */

int
nid_card_new(nid_transport_t *t, nid_card_t **out)
{
	nid_card_t *card;

	*out = NULL;
	if (t == NULL)
		return NID_E_INVALID_ARG;
	if ((card = calloc(1, sizeof(*card))) == NULL)
		return NID_E_NOMEM;
	if ((card->rsp = malloc(NID_RSP_MAX)) == NULL) {
		free(card);
		return NID_E_NOMEM;
	}
	card->t = t;
	card->caps.extended = 0;
	card->caps.max_nc = NID_NC_SHORT_MAX;
	card->caps.max_ne = NID_NE_SHORT_MAX;
	card->caps.chaining = 1;
	*out = card;
	return NID_OK;
}

void
nid_card_free(nid_card_t **cardp)
{
	nid_card_t *card;

	if (cardp == NULL || (card = *cardp) == NULL)
		return;
	if (card->rsp != NULL) {
		OPENSSL_cleanse(card->rsp, NID_RSP_MAX);
		free(card->rsp);
	}
	free(card);
	*cardp = NULL;
}

/*
 * CLA of the GET RESPONSE that follows a 61xx: interindustry, same
 * logical channel as the command (§5.4.1: channel in b1-b2 of the first
 * interindustry class, b1-b4 of the further one), no chaining, no secure
 * messaging (an SM layer wraps its own GET RESPONSE). A proprietary class
 * is kept: GSM SIMs expect A0 C0 (3GPP TS 51.011 §9.2.18).
 */
static uint8_t
card_getresp_cla(uint8_t cla)
{
	if ((cla & 0x80u) != 0)
		return cla;
	if ((cla & 0x40u) != 0)
		return (uint8_t)(0x40u | (cla & 0x0fu));
	return (uint8_t)(cla & 0x03u);
}

/* One raw exchange into card->rsp; splits off the status word. */
static int
card_send(nid_card_t *card, const uint8_t *cmd, size_t cmd_len,
    size_t *data_len, uint16_t *sw)
{
	size_t rlen = NID_RSP_MAX;
	int rc;

	if ((rc = nid_transport_transmit(card->t, cmd, cmd_len, card->rsp,
	    &rlen)) != NID_OK)
		return rc;
	if (rlen < 2 || rlen > NID_RSP_MAX)
		return nid_ctx_set_detail(card->t->ctx, NID_E_CARD_PROTOCOL,
		    "response of %zu bytes has no status word", rlen);
	*data_len = rlen - 2;
	*sw = (uint16_t)((unsigned)card->rsp[rlen - 2] << 8 |
	    card->rsp[rlen - 1]);
	return NID_OK;
}

/*
 * Send the encoded command cmd (whose decoded form is a, in the form ext)
 * and follow 61xx and 6Cxx (§5.6). Appends the data to `data`.
 */
static int
card_exchange(nid_card_t *card, const nid_apdu *a, int ext,
    const uint8_t *cmd, size_t cmd_len, nid_buf *data, uint16_t *sw)
{
	nid_ctx_t *ctx = card->t->ctx;
	nid_apdu cur = *a, retry;
	nid_buf enc;
	size_t dlen = 0, total = 0, iter = 0, ne;
	uint16_t s = 0;
	int first = 1, le_retried = 0, rc;

	nid_buf_init(&enc, NID_RSP_MAX);
	for (;;) {
		if ((rc = card_send(card, cmd, cmd_len, &dlen, &s)) != NID_OK)
			goto out;
		if (first) {
			card->sw_first = s;
			first = 0;
		}
		if ((s & 0xff00u) == 0x6c00u) {
			/*
			 * 6Cxx: "wrong Le field; SW2 encodes the exact number
			 * of available data bytes" (00 = 256). Meaningful only
			 * for a command that carries Le, once, and for an Le
			 * other than the one sent.
			 */
			ne = (s & 0xffu) == 0 ? 256u : (size_t)(s & 0xffu);
			if (cur.ne == 0 || le_retried || ne == cur.ne) {
				rc = nid_ctx_set_detail(ctx, NID_E_CARD_PROTOCOL,
				    "card answered %04X to %02X %02X with %s",
				    s, cur.cla, cur.ins, cur.ne == 0 ?
				    "no Le" : le_retried ? "the Le it asked for" :
				    "that very Le");
				goto out;
			}
			retry = cur;
			retry.ne = ne;
			nid_buf_reset(&enc);
			if ((rc = nid_apdu_encode(&retry, ext, &enc)) != NID_OK)
				goto out;
			cur = retry;
			cmd = enc.p;
			cmd_len = enc.len;
			le_retried = 1;
			card->le_retries++;
			continue;
		}
		if (dlen > NID_CARD_RSP_DATA_MAX - total) {
			rc = nid_ctx_set_detail(ctx, NID_E_CARD_PROTOCOL,
			    "response data exceed %u bytes",
			    NID_CARD_RSP_DATA_MAX);
			goto out;
		}
		total += dlen;
		if ((rc = nid_buf_put(data, card->rsp, dlen)) != NID_OK) {
			/* A 61xx chain longer than the caller takes (hostile
			 * card loop-61xx): say so, not just "too large". */
			if (rc == NID_E_TOO_LARGE)
				rc = nid_ctx_set_detail(ctx, rc, "card sent "
				    "more than the %zu bytes expected, in %zu "
				    "answers to %02X %02X and GET RESPONSE",
				    data->max, iter + 1, a->cla, a->ins);
			goto out;
		}
		if ((s & 0xff00u) != 0x6100u)
			break;
		/* 61xx: xx more bytes (00 = 256) wait for GET RESPONSE. */
		if (++iter > NID_CARD_GETRESP_MAX_ITER) {
			rc = nid_ctx_set_detail(ctx, NID_E_CARD_PROTOCOL,
			    "card still answers 61xx after %u GET RESPONSE",
			    NID_CARD_GETRESP_MAX_ITER);
			goto out;
		}
		cur.cla = card_getresp_cla(a->cla);
		cur.ins = INS_GET_RESPONSE;
		cur.p1 = cur.p2 = 0;
		cur.data = NULL;
		cur.nc = 0;
		cur.ne = (s & 0xffu) == 0 ? 256u : (size_t)(s & 0xffu);
		ext = 0;
		le_retried = 0;
		nid_buf_reset(&enc);
		if ((rc = nid_apdu_encode(&cur, 0, &enc)) != NID_OK)
			goto out;
		cmd = enc.p;
		cmd_len = enc.len;
		card->get_responses++;
	}
	*sw = s;
	rc = NID_OK;
out:
	OPENSSL_cleanse(card->rsp, NID_RSP_MAX);
	nid_buf_clear(&enc);
	return rc;
}

static int
card_caps_valid(const nid_card_caps *c)
{
	if (c->max_nc < 1 || c->max_ne < 1)
		return 0;
	if (c->extended)
		return c->max_nc <= NID_NC_EXT_MAX && c->max_ne <= NID_NE_EXT_MAX;
	return c->max_nc <= NID_NC_SHORT_MAX && c->max_ne <= NID_NE_SHORT_MAX;
}

int
nid_card_transmit(nid_card_t *card, const nid_apdu *a, nid_buf *rsp_data,
    uint16_t *sw)
{
	nid_ctx_t *ctx;
	nid_apdu link;
	nid_buf enc;
	size_t ne, off, n, dlen = 0, links = 0;
	uint16_t s = 0;
	int rc;

	*sw = 0;
	nid_buf_reset(rsp_data);
	nid_buf_init(&enc, NID_RSP_MAX);
	if (card == NULL || a == NULL)
		return NID_E_INVALID_ARG;
	ctx = card->t->ctx;
	card->sw_first = card->sw_last = 0;
	card->commands++;
	if (a->nc > NID_NC_EXT_MAX || a->ne > NID_NE_EXT_MAX ||
	    (a->nc != 0 && a->data == NULL) || !card_caps_valid(&card->caps)) {
		rc = NID_E_INVALID_ARG;
		goto out;
	}
	/* Ne beyond what one response can carry: ask for the most it can. */
	ne = a->ne > card->caps.max_ne ? card->caps.max_ne : a->ne;
	if (a->nc <= card->caps.max_nc) {
		link = *a;
		link.ne = ne;
		if ((rc = nid_apdu_encode(&link, 0, &enc)) != NID_OK)
			goto out;
		rc = card_exchange(card, &link, nid_apdu_needs_extended(&link),
		    enc.p, enc.len, rsp_data, &s);
		goto done;
	}
	/* Command chaining, ISO/IEC 7816-4 §5.1.1.1. */
	if (!card->caps.chaining) {
		rc = nid_ctx_set_detail(ctx, NID_E_UNSUPPORTED,
		    "Nc %zu exceeds the card's %zu and it takes no chaining",
		    a->nc, card->caps.max_nc);
		goto out;
	}
	if ((a->cla & 0x80u) != 0 || (a->cla & CLA_CHAIN) != 0) {
		/* Proprietary class, or the caller chains itself. */
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "cannot chain a command with CLA %02X", a->cla);
		goto out;
	}
	for (off = 0; off < a->nc; off += n) {
		n = a->nc - off;
		link = *a;
		link.data = a->data + off;
		if (n > card->caps.max_nc) {
			/* An intermediate link: b5 set, no Le. */
			n = card->caps.max_nc;
			link.cla = (uint8_t)(a->cla | CLA_CHAIN);
			link.nc = n;
			link.ne = 0;
			nid_buf_reset(&enc);
			if ((rc = nid_apdu_encode(&link, 0, &enc)) != NID_OK)
				goto out;
			if (++links > NID_CARD_CHAIN_MAX_LINKS) {
				rc = NID_E_INTERNAL;
				goto out;
			}
			card->chained++;
			if ((rc = card_send(card, enc.p, enc.len, &dlen,
			    &s)) != NID_OK)
				goto out;
			OPENSSL_cleanse(card->rsp, dlen);
			card->sw_first = s;
			if (s != NID_SW_OK)
				goto done; /* the card ends the chain */
			continue;
		}
		/* The last link: b5 clear, carries Le. */
		link.nc = n;
		link.ne = ne;
		nid_buf_reset(&enc);
		if ((rc = nid_apdu_encode(&link, 0, &enc)) != NID_OK)
			goto out;
		rc = card_exchange(card, &link, nid_apdu_needs_extended(&link),
		    enc.p, enc.len, rsp_data, &s);
		goto done;
	}
	rc = NID_E_INTERNAL; /* not reached: nc > max_nc ≥ 1 */
	goto out;
done:
	if (rc == NID_OK) {
		card->sw_last = s;
		*sw = s;
	}
out:
	if (rc != NID_OK)
		nid_buf_reset(rsp_data);
	nid_buf_clear(&enc);
	return rc;
}

int
nid_card_transmit_bytes(nid_card_t *card, const uint8_t *cmd, size_t cmd_len,
    nid_buf *rsp_data, uint16_t *sw)
{
	nid_apdu a;
	uint16_t s = 0;
	int ext = 0, rc;

	*sw = 0;
	nid_buf_reset(rsp_data);
	if (card == NULL || cmd == NULL)
		return NID_E_INVALID_ARG;
	if ((rc = nid_apdu_decode(cmd, cmd_len, &a, &ext)) != NID_OK)
		return rc;
	card->sw_first = card->sw_last = 0;
	card->commands++;
	if ((rc = card_exchange(card, &a, ext, cmd, cmd_len, rsp_data,
	    &s)) != NID_OK) {
		nid_buf_reset(rsp_data);
		return rc;
	}
	card->sw_last = s;
	*sw = s;
	return NID_OK;
}
