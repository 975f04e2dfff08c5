/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * replay.c — the scripted transport (replay.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "nid_internal.h"
#include "replay.h"

struct replay_step {
	uint8_t *cmd;      /* NULL: any command */
	size_t cmd_len;
	uint8_t *rsp;
	size_t rsp_len;
	int rc;
};

struct replay {
	struct replay_step *steps;
	size_t n, cap, pos;
	uint8_t atr[33];
	size_t atr_len;
	unsigned long resets, begins, ends;
};

static const struct nid_transport_ops replay_ops;

static struct replay *
replay_of(const nid_transport_t *t)
{
	if (t == NULL || t->ops != &replay_ops)
		return NULL;
	return t->impl;
}

/* Hex of at most 32 bytes for a mismatch detail. */
static void
replay_hex32(const uint8_t *p, size_t len, char *dst)
{
	size_t n = len > 32 ? 32 : len;

	nid_hex_encode_to(p, n, dst);
	if (len > n)
		memcpy(dst + 2 * n, "...", 4);
}

static int
replay_transmit(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	struct replay *r = t->impl;
	struct replay_step *s;
	char got[68], want[68];
	size_t cap = *rsp_len;

	*rsp_len = 0;
	if (r->pos >= r->n)
		return nid_ctx_set_detail(t->ctx, NID_E_CARD_REMOVED,
		    "replay: command after the last of %zu steps", r->n);
	s = &r->steps[r->pos];
	if (s->cmd != NULL && (s->cmd_len != cmd_len ||
	    memcmp(s->cmd, cmd, cmd_len) != 0)) {
		replay_hex32(cmd, cmd_len, got);
		replay_hex32(s->cmd, s->cmd_len, want);
		return nid_ctx_set_detail(t->ctx, NID_E_INTERNAL,
		    "replay step %zu: command %s differs from the script's %s",
		    r->pos + 1, got, want);
	}
	r->pos++;
	if (s->rc != NID_OK)
		return nid_ctx_set_detail(t->ctx, s->rc,
		    "replay step %zu: scripted %s", r->pos,
		    nid_strerror_name(s->rc));
	if (s->rsp_len > cap)
		return NID_E_TOO_LARGE;
	if (s->rsp_len != 0)
		memcpy(rsp, s->rsp, s->rsp_len);
	*rsp_len = s->rsp_len;
	return NID_OK;
}

static int
replay_reset(nid_transport_t *t)
{
	((struct replay *)t->impl)->resets++;
	return NID_OK;
}

static int
replay_get_atr(nid_transport_t *t, uint8_t *atr, size_t *atr_len)
{
	struct replay *r = t->impl;

	if (r->atr_len == 0)
		return NID_E_NO_CARD;
	if (*atr_len < r->atr_len)
		return NID_E_TOO_LARGE;
	memcpy(atr, r->atr, r->atr_len);
	*atr_len = r->atr_len;
	return NID_OK;
}

static int
replay_begin(nid_transport_t *t)
{
	((struct replay *)t->impl)->begins++;
	return NID_OK;
}

static int
replay_end(nid_transport_t *t)
{
	((struct replay *)t->impl)->ends++;
	return NID_OK;
}

static void
replay_close(nid_transport_t *t)
{
	struct replay *r = t->impl;
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		if (r->steps[i].cmd != NULL) {
			OPENSSL_cleanse(r->steps[i].cmd, r->steps[i].cmd_len);
			free(r->steps[i].cmd);
		}
		if (r->steps[i].rsp != NULL) {
			OPENSSL_cleanse(r->steps[i].rsp, r->steps[i].rsp_len);
			free(r->steps[i].rsp);
		}
	}
	free(r->steps);
	free(r);
	t->impl = NULL;
}

static const struct nid_transport_ops replay_ops = {
	"replay",
	replay_transmit,
	replay_reset,
	replay_get_atr,
	replay_begin,
	replay_end,
	replay_close,
};

int
nid_replay_new(nid_ctx_t *ctx, nid_transport_t **out)
{
	struct replay *r;
	int rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NID_E_NOMEM;
	if ((rc = nid_transport_new(ctx, &replay_ops, r, out)) != NID_OK)
		free(r);
	return rc;
}

static int
replay_dup(const uint8_t *p, size_t len, uint8_t **out)
{
	*out = NULL;
	if (len > NID_REPLAY_BYTES_MAX)
		return NID_E_TOO_LARGE;
	if ((*out = malloc(len == 0 ? 1 : len)) == NULL)
		return NID_E_NOMEM;
	if (len != 0)
		memcpy(*out, p, len);
	return NID_OK;
}

int
nid_replay_add(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    const uint8_t *rsp, size_t rsp_len, int rc)
{
	struct replay *r = replay_of(t);
	struct replay_step s = { NULL, 0, NULL, 0, rc }, *ns;
	size_t ncap;
	int ret;

	if (r == NULL || (rsp == NULL && rsp_len != 0) ||
	    (cmd != NULL && cmd_len < 4))
		return NID_E_INVALID_ARG;
	if (r->n >= NID_REPLAY_STEPS_MAX)
		return NID_E_TOO_LARGE;
	if (cmd != NULL && (ret = replay_dup(cmd, cmd_len, &s.cmd)) != NID_OK)
		goto out;
	s.cmd_len = cmd != NULL ? cmd_len : 0;
	if (rc == NID_OK &&
	    (ret = replay_dup(rsp, rsp_len, &s.rsp)) != NID_OK)
		goto out;
	s.rsp_len = rc == NID_OK ? rsp_len : 0;
	if (r->n == r->cap) {
		ncap = r->cap == 0 ? 16 : r->cap * 2;
		if ((ns = realloc(r->steps, ncap * sizeof(*ns))) == NULL) {
			ret = NID_E_NOMEM;
			goto out;
		}
		r->steps = ns;
		r->cap = ncap;
	}
	r->steps[r->n++] = s;
	s.cmd = s.rsp = NULL;
	ret = NID_OK;
out:
	free(s.cmd);
	free(s.rsp);
	return ret;
}

int
nid_replay_add_hex(nid_transport_t *t, const char *cmd_hex,
    const char *rsp_hex, int rc)
{
	nid_buf cmd, rsp;
	int ret;

	nid_buf_init(&cmd, NID_REPLAY_BYTES_MAX);
	nid_buf_init(&rsp, NID_REPLAY_BYTES_MAX);
	if ((cmd_hex != NULL &&
	    (ret = nid_hex_decode(cmd_hex, &cmd, NULL)) != NID_OK) ||
	    (rsp_hex != NULL &&
	    (ret = nid_hex_decode(rsp_hex, &rsp, NULL)) != NID_OK))
		goto out;
	ret = nid_replay_add(t, cmd_hex != NULL ? cmd.p : NULL, cmd.len,
	    rsp.p, rsp.len, rc);
out:
	nid_buf_clear(&cmd);
	nid_buf_clear(&rsp);
	return ret;
}

int
nid_replay_set_atr(nid_transport_t *t, const uint8_t *atr, size_t atr_len)
{
	struct replay *r = replay_of(t);

	if (r == NULL || atr == NULL || atr_len < 2 ||
	    atr_len > sizeof(r->atr))
		return NID_E_INVALID_ARG;
	memcpy(r->atr, atr, atr_len);
	r->atr_len = atr_len;
	return NID_OK;
}

size_t
nid_replay_pos(const nid_transport_t *t)
{
	const struct replay *r = replay_of(t);

	return r != NULL ? r->pos : 0;
}

size_t
nid_replay_len(const nid_transport_t *t)
{
	const struct replay *r = replay_of(t);

	return r != NULL ? r->n : 0;
}

unsigned long
nid_replay_resets(const nid_transport_t *t)
{
	const struct replay *r = replay_of(t);

	return r != NULL ? r->resets : 0;
}

unsigned long
nid_replay_begins(const nid_transport_t *t)
{
	const struct replay *r = replay_of(t);

	return r != NULL ? r->begins : 0;
}

unsigned long
nid_replay_ends(const nid_transport_t *t)
{
	const struct replay *r = replay_of(t);

	return r != NULL ? r->ends : 0;
}
