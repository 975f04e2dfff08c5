/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * card.c — the card in the reader the user chose, opened the same way by
 * every command that talks to a card (apdu, dump, …).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* How long one APDU may take (nidcard(1) ENVIRONMENT): a mute card must
 * not hang the command. Cards answer in milliseconds; slow crypto (DH
 * 2048 PACE on an old chip) in a few seconds. */
#define CLI_APDU_TIMEOUT_MS 30000ul
#define CLI_APDU_TIMEOUT_MAX 3600000ul

static int
apdu_timeout(unsigned *ms)
{
	const char *s = getenv("NIDCARD_APDU_TIMEOUT_MS");
	unsigned long v;
	char *end;

	*ms = (unsigned)CLI_APDU_TIMEOUT_MS;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 ||
	    v > CLI_APDU_TIMEOUT_MAX)
		return -1;
	*ms = (unsigned)v;
	return 0;
}

int
cli_card_open(const char *cmd, int json, nid_ctx_t *ctx, const char *want,
    struct cli_card *cc)
{
	unsigned ms;
	int rc;

	memset(cc, 0, sizeof(*cc));
	if (apdu_timeout(&ms) != 0)
		return cli_fail(cmd, json, NID_EXIT_USAGE, NID_E_INVALID_ARG, 0,
		    0, "NIDCARD_APDU_TIMEOUT_MS: not a number of milliseconds "
		    "(0 to %lu; 0: no limit)", CLI_APDU_TIMEOUT_MAX);
	if ((rc = nid_pcsc_list(ctx, &cc->readers, &cc->nreaders)) != NID_OK ||
	    (rc = nid_pcsc_pick_reader(ctx, cc->readers, cc->nreaders, want,
	    &cc->idx)) != NID_OK)
		return cli_fail(cmd, json, cli_exit_for_rc(rc, 0), rc, 0,
		    nid_pcsc_last_code(ctx), "%s: %s", nid_strerror(rc),
		    nid_ctx_detail(ctx));
	cc->reader = cc->readers[cc->idx].name;
	if ((rc = nid_pcsc_open(ctx, cc->reader, &cc->t)) != NID_OK ||
	    (rc = nid_pcsc_set_timeout(cc->t, ms)) != NID_OK ||
	    (rc = nid_card_new(cc->t, &cc->card)) != NID_OK ||
	    (rc = nid_transport_begin(cc->t)) != NID_OK)
		return cli_fail(cmd, json, cli_exit_for_rc(rc, 0), rc, 0,
		    nid_pcsc_last_code(ctx), "%s: %s: %s", cc->reader,
		    nid_strerror(rc), nid_ctx_detail(ctx));
	cc->in_tx = 1;
	cc->atr_len = sizeof(cc->atr);
	if (nid_transport_get_atr(cc->t, cc->atr, &cc->atr_len) != NID_OK)
		cc->atr_len = 0;
	return NID_EXIT_OK;
}

int
cli_card_end(struct cli_card *cc)
{
	if (!cc->in_tx)
		return NID_OK;
	cc->in_tx = 0;
	return nid_transport_end(cc->t);
}

void
cli_card_close(struct cli_card *cc)
{
	/* Already failing or done: an error ending the transaction is moot. */
	if (cc->in_tx)
		(void)cli_card_end(cc);
	nid_card_free(&cc->card);
	nid_transport_free(&cc->t);
	nid_pcsc_list_free(&cc->readers, cc->nreaders);
	memset(cc, 0, sizeof(*cc));
}
