/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * cmd_apdu.c — nidcard apdu [--reader NAME] [--raw] [--json] APDU...
 *
 * Sends the command APDUs the user typed, exactly as typed, to the card,
 * all in one PC/SC transaction, and prints each response and status
 * word with its meaning (ISO/IEC 7816-4 §5.6). 61xx (GET RESPONSE) and
 * 6Cxx (Le retry) are followed unless --raw. This is the only command
 * that sends whatever the user asks, VERIFY included: the user typed it.
 * Every other command of nidcard refuses to send anything that could
 * decrement a retry counter.
 *
 * Exit: 0 every APDU exchanged (whatever the status words), 2 bad hex or
 * not a command APDU, 4 no service, reader or card, 6 card removed or
 * protocol error mid-way (the message names the APDU).
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "card.h"
#include "pcsc.h"
#include "sw.h"

#define CMD "apdu"
#define APDU_MAX_ARGS 256u

static void
apdu_usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: %s apdu [--reader NAME] [--raw] [--json] APDU...\n"
	    "Send command APDUs (hex, spaces optional, one per argument) to the\n"
	    "card in one transaction; print each response and status word.\n\n"
	    "  --reader NAME  the reader: exact name or a unique part of it\n"
	    "                 (default: the only reader holding a card)\n"
	    "  --raw          do not follow 61xx with GET RESPONSE nor retry\n"
	    "                 6Cxx with the right Le\n"
	    "  --json         print a nidcard.apdu/1 JSON document\n"
	    "  -h, --help     show this help\n\n"
	    "The APDUs are sent exactly as typed, VERIFY included: a wrong PIN\n"
	    "typed here does decrement the card's retry counter.\n"
	    "Exit status: 0 all APDUs exchanged (whatever the status words),\n"
	    "2 bad hex or not a command APDU, 4 no PC/SC service, reader or\n"
	    "card, 6 card removed or protocol error during the exchange.\n",
	    cli_progname);
}

struct exchange {
	nid_buf cmd;
	nid_buf rsp;      /* response data, without SW */
	uint16_t sw;
	uint16_t sw_first;
	unsigned long get_responses;
	unsigned long le_retries;
	int done;
};

static void
print_exchange(const struct exchange *x)
{
	char *hex = NULL, swt[NID_SW_TEXT_MAX];
	size_t off, n;

	if (nid_hex_encode(x->cmd.p, x->cmd.len, &hex) == NID_OK)
		printf("> %s\n", hex);
	free(hex);
	for (off = 0; off < x->rsp.len; off += n) {
		n = x->rsp.len - off > 32 ? 32 : x->rsp.len - off;
		hex = NULL;
		if (nid_hex_encode(x->rsp.p + off, n, &hex) == NID_OK)
			printf("< %s\n", hex);
		free(hex);
	}
	printf("< %04X  %s", x->sw, nid_sw_text(x->sw, swt, sizeof(swt)));
	if (x->get_responses > 0 || x->le_retries > 0)
		printf("  (card said %04X first; %lu GET RESPONSE, %lu Le "
		    "retr%s)", x->sw_first, x->get_responses, x->le_retries,
		    x->le_retries == 1 ? "y" : "ies");
	printf("\n");
	fflush(stdout);
}

static json_t *
json_exchange(const struct exchange *x)
{
	json_t *o = json_object();
	char s[5], swt[NID_SW_TEXT_MAX];

	json_object_set_new(o, "command", cli_json_hex(x->cmd.p, x->cmd.len));
	json_object_set_new(o, "response", cli_json_hex(x->rsp.p, x->rsp.len));
	(void)snprintf(s, sizeof(s), "%04X", x->sw);
	json_object_set_new(o, "sw", json_string(s));
	json_object_set_new(o, "sw_text",
	    cli_json_str(nid_sw_text(x->sw, swt, sizeof(swt))));
	(void)snprintf(s, sizeof(s), "%04X", x->sw_first);
	json_object_set_new(o, "sw_first", json_string(s));
	json_object_set_new(o, "get_responses",
	    json_integer((json_int_t)x->get_responses));
	json_object_set_new(o, "le_retries",
	    json_integer((json_int_t)x->le_retries));
	return o;
}

/* One exchange, raw: exactly the bytes, exactly the answer. */
static int
exchange_raw(nid_transport_t *t, uint8_t *buf, struct exchange *x)
{
	size_t rlen = NID_RSP_MAX;
	int rc;

	if ((rc = nid_transport_transmit(t, x->cmd.p, x->cmd.len, buf,
	    &rlen)) != NID_OK)
		return rc;
	if (rlen < 2)
		return nid_ctx_set_detail(t->ctx, NID_E_CARD_PROTOCOL,
		    "response of %zu bytes has no status word", rlen);
	x->sw = x->sw_first = (uint16_t)((unsigned)buf[rlen - 2] << 8 |
	    buf[rlen - 1]);
	return nid_buf_put(&x->rsp, buf, rlen - 2);
}

static int
apdu_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reader", required_argument, NULL, 'r' },
		{ "raw", no_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct exchange *xs = NULL;
	nid_ctx_t *ctx = NULL;
	struct cli_card cc;
	nid_card_t *card;
	const char *want = NULL;
	uint8_t *buf = NULL;
	size_t n = 0, i, bad;
	unsigned long gr, lr;
	int ch, json = 0, raw = 0, rc, ret;
	nid_apdu a;
	json_t *doc, *arr;

	memset(&cc, 0, sizeof(cc));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			want = optarg;
			break;
		case 'R':
			raw = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			apdu_usage(stdout);
			return NID_EXIT_OK;
		default:
			return cli_usage_error(CMD, "unknown option or missing "
			    "argument: '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(CMD, "no APDU given");
	if ((size_t)(argc - optind) > APDU_MAX_ARGS)
		return cli_usage_error(CMD, "at most %u APDUs at once",
		    APDU_MAX_ARGS);
	n = (size_t)(argc - optind);
	if ((xs = calloc(n, sizeof(*xs))) == NULL)
		return cli_fail(CMD, json, NID_EXIT_INTERNAL, NID_E_NOMEM, 0, 0,
		    "%s", nid_strerror(NID_E_NOMEM));
	for (i = 0; i < n; i++) {
		nid_buf_init(&xs[i].cmd, NID_NC_EXT_MAX + 9u);
		nid_buf_init(&xs[i].rsp, NID_CARD_RSP_DATA_MAX);
	}
	/* Validate every APDU before touching the card. */
	for (i = 0; i < n; i++) {
		bad = 0;
		if ((rc = nid_hex_decode(argv[optind + (int)i], &xs[i].cmd,
		    &bad)) != NID_OK) {
			ret = cli_fail(CMD, json, NID_EXIT_USAGE, rc, 0, 0,
			    "APDU %zu: %s at offset %zu", i + 1,
			    rc == NID_E_BAD_HEX ? "not hex" : nid_strerror(rc),
			    bad);
			goto out;
		}
		if ((rc = nid_apdu_decode(xs[i].cmd.p, xs[i].cmd.len, &a,
		    NULL)) != NID_OK) {
			ret = cli_fail(CMD, json, NID_EXIT_USAGE, rc, 0, 0,
			    "APDU %zu: not a command APDU (ISO/IEC 7816-4 "
			    "§5.1: CLA INS P1 P2 [Lc data] [Le])", i + 1);
			goto out;
		}
	}
	if ((rc = cli_ctx_new(&ctx)) != NID_OK ||
	    (buf = malloc(NID_RSP_MAX)) == NULL) {
		ret = cli_fail(CMD, json, NID_EXIT_INTERNAL, NID_E_NOMEM, 0, 0,
		    "%s", nid_strerror(NID_E_NOMEM));
		goto out;
	}
	if ((ret = cli_card_open(CMD, json, ctx, want, &cc)) != NID_EXIT_OK)
		goto out;
	card = cc.card;
	for (i = 0; i < n; i++) {
		gr = card->get_responses;
		lr = card->le_retries;
		if (raw)
			rc = exchange_raw(cc.t, buf, &xs[i]);
		else {
			rc = nid_card_transmit_bytes(card, xs[i].cmd.p,
			    xs[i].cmd.len, &xs[i].rsp, &xs[i].sw);
			xs[i].sw_first = card->sw_first;
			xs[i].get_responses = card->get_responses - gr;
			xs[i].le_retries = card->le_retries - lr;
		}
		if (rc != NID_OK) {
			ret = cli_fail(CMD, json, rc == NID_E_NOMEM ||
			    rc == NID_E_INTERNAL ? NID_EXIT_INTERNAL :
			    NID_EXIT_CARD, rc, 0, nid_pcsc_last_code(ctx),
			    "APDU %zu of %zu: %s: %s", i + 1, n,
			    nid_strerror(rc), nid_ctx_detail(ctx));
			goto out;
		}
		xs[i].done = 1;
		if (!json)
			print_exchange(&xs[i]);
	}
	if ((rc = cli_card_end(&cc)) != NID_OK) {
		ret = cli_fail(CMD, json, NID_EXIT_CARD, rc, 0,
		    nid_pcsc_last_code(ctx), "ending the transaction: %s: %s",
		    nid_strerror(rc), nid_ctx_detail(ctx));
		goto out;
	}
	if (json) {
		doc = json_object();
		json_object_set_new(doc, "schema", json_string("nidcard.apdu/1"));
		json_object_set_new(doc, "reader", cli_json_str(cc.reader));
		json_object_set_new(doc, "atr", cc.atr_len > 0 ?
		    cli_json_hex(cc.atr, cc.atr_len) : json_null());
		json_object_set_new(doc, "raw", json_boolean(raw));
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, json_exchange(&xs[i]));
		json_object_set_new(doc, "exchanges", arr);
		cli_json_print(doc);
	}
	ret = NID_EXIT_OK;
out:
	cli_card_close(&cc);
	if (xs != NULL) {
		for (i = 0; i < n; i++) {
			nid_buf_clear(&xs[i].cmd);
			nid_buf_clear(&xs[i].rsp);
		}
		free(xs);
	}
	if (buf != NULL) {
		OPENSSL_cleanse(buf, NID_RSP_MAX);
		free(buf);
	}
	nid_ctx_free(&ctx);
	return ret;
}

const struct cli_cmd cli_cmd_apdu = {
	"apdu",
	"send command APDUs to the card (expert use)",
	apdu_run,
	apdu_usage,
};
