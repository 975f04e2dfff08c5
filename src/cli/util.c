/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * util.c — output, error and exit-code helpers shared by all commands.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int
cli_exit_for_rc(int rc, int user_input)
{
	switch (rc) {
	case NID_OK:
		return NID_EXIT_OK;
	case NID_E_NO_SERVICE:
	case NID_E_NO_READER:
	case NID_E_NO_CARD:
		return NID_EXIT_NOCARD;
	case NID_E_ACCESS_DENIED:
	case NID_E_VERIFY_FAILED:
	case NID_E_AUTH_BLOCKED:
		return NID_EXIT_DENIED;
	case NID_E_NO_TRUST:
		return NID_EXIT_WARN;
	case NID_E_INVALID_ARG:
	case NID_E_UNSUPPORTED:
	case NID_E_IO:
		return NID_EXIT_USAGE;
	case NID_E_NOMEM:
	case NID_E_INTERNAL:
	case NID_E_CRYPTO:
		return NID_EXIT_INTERNAL;
	default:
		break;
	}
	if (rc >= 300 && rc < 400)
		return user_input ? NID_EXIT_USAGE : NID_EXIT_CARD;
	if (rc >= 100 && rc < 500)
		return NID_EXIT_CARD;
	return NID_EXIT_INTERNAL;
}

json_t *
cli_json_str(const char *s)
{
	json_t *j;
	char *copy, *p;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	/* Not UTF-8: replace every byte outside printable ASCII. */
	if ((copy = strdup(s)) == NULL)
		return json_null();
	for (p = copy; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j != NULL ? j : json_null();
}

json_t *
cli_json_hex(const uint8_t *p, size_t len)
{
	char *hex = NULL;
	json_t *j;

	if (nid_hex_encode(p, len, &hex) != NID_OK)
		return json_null();
	j = json_string(hex);
	free(hex);
	return j != NULL ? j : json_null();
}

int
cli_json_print(json_t *doc)
{
	int r;

	if (doc == NULL)
		return -1;
	r = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	fputc('\n', stdout);
	fflush(stdout);
	return r;
}

int
cli_fail(const char *cmd, int json, int exit_code, int rc, unsigned sw,
    long pcsc, const char *fmt, ...)
{
	char msg[1024];
	char swhex[5];
	va_list ap;
	json_t *doc;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s: %s\n", cli_progname, cmd, msg);
	if (json) {
		doc = json_object();
		json_object_set_new(doc, "schema", json_string("nidcard.error/1"));
		json_object_set_new(doc, "command", cli_json_str(cmd));
		json_object_set_new(doc, "error",
		    json_string(nid_strerror_name(rc)));
		json_object_set_new(doc, "message", cli_json_str(msg));
		json_object_set_new(doc, "exit_code", json_integer(exit_code));
		if (sw != 0) {
			(void)snprintf(swhex, sizeof(swhex), "%04X", sw & 0xffff);
			json_object_set_new(doc, "sw", json_string(swhex));
		}
		if (pcsc != 0)
			json_object_set_new(doc, "pcsc", json_integer(pcsc));
		cli_json_print(doc);
	}
	return exit_code;
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s: %s\n", cli_progname, cmd, msg);
	fprintf(stderr, "Try '%s %s --help'.\n", cli_progname, cmd);
	return NID_EXIT_USAGE;
}

int
cli_color(void)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

/* ---- contexts and --trace --------------------------------------------- */

int cli_trace;   /* CLI_TRACE_*, set by main() from --trace[=sensitive] */

static void
trace_line(void *arg, nid_log_level level, unsigned category, const char *msg)
{
	(void)arg;
	(void)level;
	(void)category;
	fprintf(stderr, "%s: trace: %s\n", cli_progname, msg);
}

int
cli_ctx_new(nid_ctx_t **out)
{
	int rc;

	if ((rc = nid_ctx_new(out)) != NID_OK || cli_trace == CLI_TRACE_OFF)
		return rc;
	if (cli_trace == CLI_TRACE_SENSITIVE) {
		fprintf(stderr, "%s: trace: SENSITIVE TRACE (--trace=sensitive):"
		    " keys, session counters, access secrets and personal data "
		    "are shown in full\n", cli_progname);
		nid_ctx_set_sensitive(*out, 1);
	}
	nid_ctx_set_log(*out, trace_line, NULL, NID_LOG_DEBUG, NID_LOG_CAT_ALL);
	return NID_OK;
}

json_t *
cli_access_json(const struct nid_emrtd_result *r)
{
	json_t *acc = json_object();

	json_object_set_new(acc, "protocol", cli_json_str(r->protocol));
	json_object_set_new(acc, "password", cli_json_str(r->password));
	json_object_set_new(acc, "card_access", json_boolean(r->card_access));
	if (r->protocol[0] == 'P') {
		json_object_set_new(acc, "mapping", cli_json_str(r->mapping));
		json_object_set_new(acc, "oid", cli_json_str(r->oid));
		json_object_set_new(acc, "parameter_id",
		    json_integer(r->param_id));
	}
	json_object_set_new(acc, "cipher", cli_json_str(r->cipher));
	if (r->note[0] != '\0')
		json_object_set_new(acc, "note", cli_json_str(r->note));
	return acc;
}

char *
cli_json_text(const json_t *doc)
{
	char *t, *s;

	if (doc == NULL || (t = json_dumps(doc, JSON_INDENT(2))) == NULL)
		return NULL;
	if ((s = realloc(t, strlen(t) + 2)) == NULL) {
		free(t);
		return NULL;
	}
	(void)strcat(s, "\n");   /* room made above */
	return s;
}

int
cli_read_fail(const char *cmd, int json, nid_ctx_t *ctx, int rc,
    const char *password)
{
	if (rc == NID_E_ACCESS_DENIED)
		return cli_fail(cmd, json, NID_EXIT_DENIED, rc, 0, 0,
		    "access denied by the card: wrong %s",
		    password[0] == 'C' ? "CAN" : "MRZ data");
	return cli_fail(cmd, json, cli_exit_for_rc(rc, 0), rc, 0,
	    nid_pcsc_last_code(ctx), "%s: %s", nid_strerror(rc),
	    nid_ctx_detail(ctx));
}
