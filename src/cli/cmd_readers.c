/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * cmd_readers.c — nidcard readers [--json]
 *
 * Lists the PC/SC readers, whether a card is in each, its ATR and the
 * card's names from pcsc-tools' smartcard_list.txt (when the list is
 * installed: a missing list only means the names are unknown). Never
 * waits: the reader states come from SCardGetStatusChange with timeout 0.
 * Exit 0 with at least one reader, 4 without service or without readers.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "atrlist.h"
#include "pcsc.h"

#define CMD "readers"

static void
readers_usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: %s readers [--json]\n"
	    "List the smart card readers, the card in each, its ATR and names.\n\n"
	    "  --json      print a nidcard.readers/1 JSON document\n"
	    "  -h, --help  show this help\n\n"
	    "Card names come from pcsc-tools' list (%s) when it is installed.\n"
	    "Exit status: 0 readers listed, 4 no PC/SC service or no reader,\n"
	    "2 bad arguments.\n", cli_progname, NID_SMARTCARD_LIST);
}

/* Names of the card in one reader: borrowed from list; *known 0 when no
 * list could be loaded (names unknown). */
static int
card_names(const nid_atrlist_t *list, const nid_reader_info *ri,
    const char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	if (list == NULL || !ri->present || ri->atr_len == 0)
		return NID_OK;
	return nid_atrlist_match(list, ri->atr, ri->atr_len, names, n);
}

static int
print_text(const nid_reader_info *l, size_t n, const nid_atrlist_t *list)
{
	const char **names;
	size_t i, j, nn;
	char *hex;
	int rc;

	for (i = 0; i < n; i++) {
		printf("%s\n", l[i].name);
		if (!l[i].present) {
			printf("  card   none\n");
			continue;
		}
		hex = NULL;
		if (l[i].atr_len > 0 &&
		    (rc = nid_hex_encode(l[i].atr, l[i].atr_len, &hex)) != NID_OK)
			return rc;
		printf("  card   present%s%s%s\n", l[i].mute ? ", mute" : "",
		    l[i].exclusive ? ", in exclusive use" :
		    l[i].in_use ? ", in use" : "", l[i].atr_len == 0 ?
		    ", no ATR" : "");
		if (hex != NULL)
			printf("  ATR    %s\n", hex);
		free(hex);
		if ((rc = card_names(list, &l[i], &names, &nn)) != NID_OK)
			return rc;
		for (j = 0; j < nn; j++)
			printf("  %-6s %s\n", j == 0 ? "name" : "", names[j]);
		if (list != NULL && nn == 0 && l[i].atr_len > 0)
			printf("  name   (not in the card list)\n");
		free(names);
	}
	return NID_OK;
}

static int
json_doc(const nid_reader_info *l, size_t n, const nid_atrlist_t *list,
    json_t **out)
{
	json_t *doc = json_object(), *arr = json_array(), *r, *na;
	const char **names;
	size_t i, j, nn;
	int rc;

	*out = NULL;
	json_object_set_new(doc, "schema", json_string("nidcard.readers/1"));
	for (i = 0; i < n; i++) {
		r = json_object();
		json_object_set_new(r, "name", cli_json_str(l[i].name));
		json_object_set_new(r, "card_present",
		    json_boolean(l[i].present));
		json_object_set_new(r, "atr", l[i].present && l[i].atr_len > 0 ?
		    cli_json_hex(l[i].atr, l[i].atr_len) : json_null());
		json_object_set_new(r, "in_use", json_boolean(l[i].in_use));
		json_object_set_new(r, "exclusive",
		    json_boolean(l[i].exclusive));
		json_object_set_new(r, "mute", json_boolean(l[i].mute));
		if ((rc = card_names(list, &l[i], &names, &nn)) != NID_OK) {
			json_decref(r);
			json_decref(arr);
			json_decref(doc);
			return rc;
		}
		if (list == NULL || !l[i].present || l[i].atr_len == 0)
			na = json_null();
		else {
			na = json_array();
			for (j = 0; j < nn; j++)
				json_array_append_new(na, cli_json_str(names[j]));
		}
		free(names);
		json_object_set_new(r, "card_names", na);
		json_array_append_new(arr, r);
	}
	json_object_set_new(doc, "readers", arr);
	*out = doc;
	return NID_OK;
}

static int
readers_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	nid_ctx_t *ctx = NULL;
	nid_reader_info *l = NULL;
	nid_atrlist_t *list = NULL;
	json_t *doc;
	size_t n = 0;
	int ch, json = 0, rc, ret;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'h':
			readers_usage(stdout);
			return NID_EXIT_OK;
		default:
			return cli_usage_error(CMD, "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_error(CMD, "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = cli_ctx_new(&ctx)) != NID_OK)
		return cli_fail(CMD, json, NID_EXIT_INTERNAL, rc, 0, 0, "%s",
		    nid_strerror(rc));
	if ((rc = nid_pcsc_list(ctx, &l, &n)) != NID_OK) {
		if (rc == NID_E_NO_SERVICE)
			ret = cli_fail(CMD, json, cli_exit_for_rc(rc, 0), rc, 0,
			    nid_pcsc_last_code(ctx), "no PC/SC service (pcscd "
			    "not running? start it, e.g. 'systemctl start "
			    "pcscd.socket', or check PCSCLITE_CSOCK_NAME): %s",
			    nid_ctx_detail(ctx));
		else
			ret = cli_fail(CMD, json, cli_exit_for_rc(rc, 0), rc, 0,
			    nid_pcsc_last_code(ctx), "%s: %s", nid_strerror(rc),
			    nid_ctx_detail(ctx));
		goto out;
	}
	/* The card list is optional: when it is missing, names are unknown. */
	if (nid_atrlist_load(NULL, NULL, &list) != NID_OK)
		list = NULL;
	if (json) {
		if ((rc = json_doc(l, n, list, &doc)) == NID_OK)
			cli_json_print(doc);
	} else
		rc = print_text(l, n, list);
	if (rc != NID_OK) {
		ret = cli_fail(CMD, json, cli_exit_for_rc(rc, 0), rc, 0, 0, "%s",
		    nid_strerror(rc));
		goto out;
	}
	ret = NID_EXIT_OK;
out:
	nid_atrlist_free(&list);
	nid_pcsc_list_free(&l, n);
	nid_ctx_free(&ctx);
	return ret;
}

const struct cli_cmd cli_cmd_readers = {
	"readers",
	"list readers, cards and their ATRs",
	readers_run,
	readers_usage,
};
