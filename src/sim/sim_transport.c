/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_transport.c — the in-process transport: the transport vtable of
 * nid_internal.h over the virtual card engine in this process. Library
 * tests run every protocol through it without sockets or pcscd; the
 * command processing is the same as nidcard-sim run's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct sim_impl {
	nid_sim_card *card;   /* borrowed */
};

static int
sim_transmit(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	struct sim_impl *s = t->impl;
	enum nid_sim_action action;
	int rc;

	rc = nid_sim_process(s->card, cmd, cmd_len, rsp, rsp_len, &action);
	if (rc != NID_OK)
		return rc;
	switch (action) {
	case NID_SIM_ANSWER:
		return NID_OK;
	case NID_SIM_SILENT:
		*rsp_len = 0;
		return nid_ctx_set_detail(t->ctx, NID_E_TIMEOUT,
		    "virtual card is mute (fault \"mute\")");
	default:
		*rsp_len = 0;
		return nid_ctx_set_detail(t->ctx, NID_E_CARD_REMOVED,
		    "virtual card removed (fault \"remove-at\")");
	}
}

static int
sim_reset(nid_transport_t *t)
{
	struct sim_impl *s = t->impl;

	if (s->card->removed)
		return NID_E_NO_CARD;
	nid_sim_reset(s->card);
	return NID_OK;
}

static int
sim_get_atr(nid_transport_t *t, uint8_t *atr, size_t *atr_len)
{
	struct sim_impl *s = t->impl;

	if (s->card->removed)
		return NID_E_NO_CARD;
	if (*atr_len < s->card->atr_len)
		return NID_E_TOO_LARGE;
	memcpy(atr, s->card->atr, s->card->atr_len);
	*atr_len = s->card->atr_len;
	return NID_OK;
}

static void
sim_close(nid_transport_t *t)
{
	free(t->impl);
	t->impl = NULL;
}

static const struct nid_transport_ops sim_ops = {
	.name = "sim",
	.transmit = sim_transmit,
	.reset = sim_reset,
	.get_atr = sim_get_atr,
	.begin = NULL,
	.end = NULL,
	.close = sim_close,
};

int
nid_sim_transport_open(nid_ctx_t *ctx, nid_sim_card *card,
    nid_transport_t **out)
{
	struct sim_impl *s;
	int rc;

	*out = NULL;
	if (card == NULL)
		return NID_E_INVALID_ARG;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NID_E_NOMEM;
	s->card = card;
	if ((rc = nid_transport_new(ctx, &sim_ops, s, out)) != NID_OK)
		free(s);
	return rc;
}
