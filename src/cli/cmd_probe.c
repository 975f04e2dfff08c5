/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * cmd_probe.c — nidcard probe [--reader NAME] [--json]
 *
 * A reader compatibility report a procurement office can file: the
 * reader, the ATR, the PC/SC protocol, what the ATR claims, what
 * EF.ATR/INFO declares, what a trial found (extended length, the largest
 * Le that works) and every APDU the probe sent (probe.h). No secret, no
 * PIN: only files and commands every terminal may use.
 *
 * Exit: 0 done (whatever the findings), 2 usage, 4 no service, reader or
 * card, 6 card error (removed, transport dead), 7 internal.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "probe.h"

#define CMD "probe"

static void
probe_usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: %s probe [--reader NAME] [--json]\n"
	    "Find what the card accepts through this reader: extended length\n"
	    "APDUs or not, and the largest Le that comes back whole. Reads the\n"
	    "ATR, EF.ATR/INFO (when present) and EF.CardAccess; no secret and\n"
	    "no PIN is used.\n\n"
	    "  --reader NAME  the reader: exact name or a unique part of it\n"
	    "  --json         print a nidcard.probe/1 JSON document\n"
	    "  -h, --help     show this help\n\n"
	    "Exit status: 0 probed (the findings are in the report), 2 bad\n"
	    "arguments, 4 no PC/SC service, reader or card, 6 card error or\n"
	    "card removed.\n", cli_progname);
}

static const char *
tri(int v, const char *yes, const char *no)
{
	return v < 0 ? "not said" : v ? yes : no;
}

static json_t *
json_tri(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static json_t *
json_sw(uint16_t sw)
{
	char b[8];

	if (sw == 0)
		return json_null();
	(void)snprintf(b, sizeof(b), "%04X", sw);
	return json_string(b);
}

/* What the largest Le rests on, in words. */
static const char *
basis_text(const struct nid_probe *p)
{
	switch (p->le_basis) {
	case NID_PROBE_LE_CUT:
		return "the card cut an answer there";
	case NID_PROBE_LE_DECLARED:
		return "EF.ATR/INFO declares it";
	case NID_PROBE_LE_SEEN:
		return "GET CHALLENGE returned that many bytes";
	case NID_PROBE_LE_FILE:
		return p->caps.extended ? "assumed: the whole file came back, "
		    "nothing larger could show a limit" : "the card accepted "
		    "it; the whole file came back, a smaller limit could not "
		    "show";
	case NID_PROBE_LE_DEFAULT:
		break;
	}
	return "assumed: nothing could be read to try it";
}

static json_t *
probe_json(const struct nid_probe *p, const char *reader)
{
	json_t *doc = json_object(), *o, *steps = json_array(), *pr;
	const struct nid_probe_step *s;
	size_t i;

	json_object_set_new(doc, "schema", json_string("nidcard.probe/1"));
	json_object_set_new(doc, "reader", cli_json_str(reader));
	json_object_set_new(doc, "atr", p->atr_len > 0 ?
	    cli_json_hex(p->atr, p->atr_len) : json_null());
	json_object_set_new(doc, "protocol", p->protocol < 0 ? json_null() :
	    json_string(p->protocol == 0 ? "T=0" : "T=1"));

	o = json_object();
	json_object_set_new(o, "extended_length", json_tri(p->atr_ext));
	json_object_set_new(o, "chaining", json_tri(p->atr_chaining));
	pr = json_array();
	if (p->atr_t0)
		json_array_append_new(pr, json_string("T=0"));
	if (p->atr_t1)
		json_array_append_new(pr, json_string("T=1"));
	json_object_set_new(o, "protocols", pr);
	json_object_set_new(doc, "atr_claims", o);

	o = json_object();
	json_object_set_new(o, "present", p->info < 0 ? json_null() :
	    json_boolean(p->info == 1));
	json_object_set_new(o, "sw", json_sw(p->info_sw));
	json_object_set_new(o, "bytes", p->info == 1 ?
	    cli_json_hex(p->info_bytes, p->info_len) : json_null());
	json_object_set_new(o, "max_command_apdu", p->info_max_cmd < 0 ?
	    json_null() : json_integer(p->info_max_cmd));
	json_object_set_new(o, "max_response_apdu", p->info_max_rsp < 0 ?
	    json_null() : json_integer(p->info_max_rsp));
	json_object_set_new(o, "note", p->info_note[0] != '\0' ?
	    cli_json_str(p->info_note) : json_null());
	json_object_set_new(doc, "atr_info", o);

	o = json_object();
	json_object_set_new(o, "file", p->trial_file[0] != '\0' ?
	    json_string(p->trial_file) : json_null());
	json_object_set_new(o, "file_size", p->trial_file_size > 0 ?
	    json_integer((json_int_t)p->trial_file_size) : json_null());
	json_object_set_new(o, "extended_length",
	    json_string(nid_probe_ext_str(p->ext)));
	json_object_set_new(o, "pcsc", p->ext_pcsc != 0 ?
	    json_integer(p->ext_pcsc) : json_null());
	json_object_set_new(o, "largest_le_answered", p->trial_le > 0 ?
	    json_integer((json_int_t)p->trial_le) : json_null());
	json_object_set_new(o, "limit", p->trial_limit > 0 ?
	    json_integer((json_int_t)p->trial_limit) : json_null());
	json_object_set_new(o, "t0_procedure_bytes",
	    json_boolean(p->t0_procedure));
	json_object_set_new(doc, "trial", o);

	o = json_object();
	json_object_set_new(o, "extended_length",
	    json_boolean(p->caps.extended));
	json_object_set_new(o, "max_le", json_integer((json_int_t)p->caps.max_ne));
	json_object_set_new(o, "max_le_basis",
	    json_string(nid_probe_le_basis_str(p->le_basis)));
	json_object_set_new(o, "max_lc", json_integer((json_int_t)p->caps.max_nc));
	json_object_set_new(o, "chaining", json_boolean(p->caps.chaining));
	json_object_set_new(doc, "result", o);

	for (i = 0; i < p->nsteps; i++) {
		s = &p->steps[i];
		o = json_object();
		json_object_set_new(o, "what", cli_json_str(s->what));
		json_object_set_new(o, "command", cli_json_hex(s->cmd,
		    s->cmd_len));
		json_object_set_new(o, "ne", json_integer((json_int_t)s->ne));
		json_object_set_new(o, "sw_first", json_sw(s->sw_first));
		json_object_set_new(o, "sw", json_sw(s->sw));
		json_object_set_new(o, "bytes", json_integer((json_int_t)s->got));
		json_object_set_new(o, "apdus",
		    json_integer((json_int_t)s->apdus));
		json_object_set_new(o, "error", s->rc != NID_OK ?
		    json_string(nid_strerror_name(s->rc)) : json_null());
		json_object_set_new(o, "note", cli_json_str(s->note));
		json_array_append_new(steps, o);
	}
	json_object_set_new(doc, "apdus", steps);
	json_object_set_new(doc, "apdu_count", json_integer((json_int_t)p->apdus));
	json_object_set_new(doc, "ms", json_integer((json_int_t)p->ms));
	return doc;
}

static void
print_report(const struct nid_probe *p, const char *reader)
{
	const struct nid_probe_step *s;
	/* Room for the longer of an ATR and a kept command, in hex. */
	char hex[2 * (NID_ATR_MAX > NID_PROBE_CMD_MAX ? NID_ATR_MAX :
	    NID_PROBE_CMD_MAX) + 1], sw[16];
	size_t i;

	printf("Reader compatibility report (nidcard probe)\n");
	printf("reader:       %s\n", reader);
	nid_hex_encode_to(p->atr, p->atr_len, hex);
	printf("ATR:          %s\n", p->atr_len > 0 ? hex : "(unknown)");
	printf("protocol:     %s (PC/SC); the ATR offers %s%s%s\n",
	    p->protocol < 0 ? "unknown" : p->protocol == 0 ? "T=0" : "T=1",
	    p->atr_t0 ? "T=0" : "", p->atr_t0 && p->atr_t1 ? " and " : "",
	    p->atr_t1 ? "T=1" : !p->atr_t0 ? "nothing readable" : "");
	printf("ATR claims:   extended Lc/Le %s, command chaining %s\n",
	    tri(p->atr_ext, "yes", "no"), tri(p->atr_chaining, "yes", "no"));
	if (p->info < 0)
		printf("EF.ATR/INFO:  not read\n");
	else if (p->info == 0)
		printf("EF.ATR/INFO:  absent (SELECT 2F01: %04X)\n", p->info_sw);
	else if (p->info_max_rsp >= 0)
		printf("EF.ATR/INFO:  %zu bytes; command APDUs up to %ld bytes, "
		    "response APDUs up to %ld bytes (DO '7F66')\n", p->info_len,
		    p->info_max_cmd, p->info_max_rsp);
	else
		printf("EF.ATR/INFO:  %zu bytes; %s\n", p->info_len,
		    p->info_note);
	printf("trial:        extended length %s", nid_probe_ext_str(p->ext));
	if (p->trial_file[0] != '\0')
		printf("; %s is %zu bytes", p->trial_file, p->trial_file_size);
	if (p->trial_limit > 0)
		printf("; answers cut at %zu bytes", p->trial_limit);
	printf("\n");
	if (p->t0_procedure)
		printf("              T=0 behaviour: the card answered with "
		    "61xx / 6Cxx procedure status words\n");
	printf("result:       extended length %s; largest Le %zu (%s); "
	    "largest Lc %zu; chaining %s\n", p->caps.extended ? "yes" : "no",
	    p->caps.max_ne, basis_text(p), p->caps.max_nc,
	    p->caps.chaining ? "yes" : "no");
	printf("APDUs used:   %lu in %lu ms\n", p->apdus, p->ms);
	for (i = 0; i < p->nsteps; i++) {
		s = &p->steps[i];
		nid_hex_encode_to(s->cmd, s->cmd_len, hex);
		if (s->rc != NID_OK)
			(void)snprintf(sw, sizeof(sw), "%s", "failed");
		else if (s->sw_first != s->sw)
			(void)snprintf(sw, sizeof(sw), "%04X>%04X", s->sw_first,
			    s->sw);
		else
			(void)snprintf(sw, sizeof(sw), "%04X", s->sw);
		printf("  %-16s %-11s %5zu B  %s: %s\n", hex, sw, s->got,
		    s->what, s->note);
	}
}

static int
probe_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reader", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct nid_probe p;
	struct cli_card cc;
	nid_ctx_t *ctx = NULL;
	const char *want = NULL;
	int ch, json = 0, rc, ret;

	memset(&cc, 0, sizeof(cc));
	memset(&p, 0, sizeof(p));
	nid_probe_clear(&p);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			want = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			probe_usage(stdout);
			ret = NID_EXIT_OK;
			goto out;
		default:
			ret = cli_usage_error(CMD, "unknown option or missing "
			    "argument: '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		ret = cli_usage_error(CMD, "unexpected argument '%s'",
		    argv[optind]);
		goto out;
	}
	if ((rc = cli_ctx_new(&ctx)) != NID_OK) {
		ret = cli_fail(CMD, json, NID_EXIT_INTERNAL, rc, 0, 0, "%s",
		    nid_strerror(rc));
		goto out;
	}
	if ((ret = cli_card_open(CMD, json, ctx, want, &cc)) != NID_EXIT_OK)
		goto out;
	if ((rc = nid_probe_run(cc.card, NID_PROBE_REPORT, &p)) != NID_OK) {
		ret = cli_fail(CMD, json, cli_exit_for_rc(rc, 0), rc, 0,
		    nid_pcsc_last_code(ctx), "%s: %s", nid_strerror(rc),
		    nid_ctx_detail(ctx));
		goto out;
	}
	if (cli_card_end(&cc) != NID_OK)
		nid_ctx_clear_detail(ctx);   /* probed: not an error */
	if (json)
		cli_json_print(probe_json(&p, cc.reader));
	else
		print_report(&p, cc.reader);
	ret = NID_EXIT_OK;
out:
	cli_card_close(&cc);
	nid_probe_clear(&p);
	nid_ctx_free(&ctx);
	return ret;
}

const struct cli_cmd cli_cmd_probe = {
	"probe",
	"what the card accepts through this reader (extended length, Le)",
	probe_run,
	probe_usage,
};
