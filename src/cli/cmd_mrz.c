/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * cmd_mrz.c — nidcard mrz [--json] [--bac-info] LINE... | -
 *             nidcard mrz [--json] --doc NUMBER --birth YYMMDD --expiry YYMMDD
 *
 * Parses a typed machine readable zone (ICAO 9303 TD1/TD2/TD3) and checks
 * every check digit; or builds the BAC/PACE MRZ_information from the
 * three values. An MRZ with any problem is malformed user input: exit 2,
 * with every problem listed. The MRZ is personal data: it is printed only
 * as this command's own output, never logged.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "mrz.h"

#define CMD "mrz"
#define MRZ_STDIN_MAX 4096u

static void
mrz_usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: %s mrz [--json] [--bac-info] LINE... | -\n"
	    "       %s mrz [--json] --doc NUMBER --birth YYMMDD --expiry YYMMDD\n"
	    "Check a machine readable zone (ICAO 9303 TD1, TD2 or TD3).\n\n"
	    "  LINE...        the MRZ lines, as separate arguments or one argument\n"
	    "                 with newlines; '-' reads them from standard input\n"
	    "  --bac-info     also print the MRZ information (the BAC/PACE key)\n"
	    "  --doc, --birth, --expiry\n"
	    "                 build the MRZ information from these values instead\n"
	    "  --json         print a nidcard.mrz/1 JSON document\n"
	    "  -h, --help     show this help\n\n"
	    "Exit status: 0 valid, 2 invalid MRZ (every problem is listed) or\n"
	    "bad arguments.\n", cli_progname, cli_progname);
}

static json_t *
json_str_or_null(const char *s, int present)
{
	return present ? cli_json_str(s) : json_null();
}

static json_t *
json_cd(char c)
{
	char s[2];

	if (c == '\0')
		return json_null();
	s[0] = c;
	s[1] = '\0';
	return cli_json_str(s);
}

static json_t *
mrz_json(const struct nid_mrz *m, const char *info)
{
	json_t *o = json_object(), *cds, *probs, *p;
	int known = m->format != NID_MRZ_UNKNOWN;
	char sex[2] = { m->sex, '\0' };
	size_t i;

	json_object_set_new(o, "schema", json_string("nidcard.mrz/1"));
	json_object_set_new(o, "format", known ?
	    json_string(nid_mrz_format_name(m->format)) : json_null());
	json_object_set_new(o, "valid", json_boolean(nid_mrz_valid(m)));
	json_object_set_new(o, "document_code",
	    json_str_or_null(m->doc_code, known));
	json_object_set_new(o, "issuing_state",
	    json_str_or_null(m->issuer, known));
	json_object_set_new(o, "document_number",
	    json_str_or_null(m->doc_number, known));
	json_object_set_new(o, "primary_identifier",
	    json_str_or_null(m->primary, known));
	json_object_set_new(o, "secondary_identifier",
	    json_str_or_null(m->secondary, known));
	json_object_set_new(o, "nationality",
	    json_str_or_null(m->nationality, known));
	json_object_set_new(o, "date_of_birth",
	    json_str_or_null(m->birth, known));
	json_object_set_new(o, "sex", json_str_or_null(sex, known));
	json_object_set_new(o, "date_of_expiry",
	    json_str_or_null(m->expiry, known));
	json_object_set_new(o, "optional_data",
	    json_str_or_null(m->optional1, known));
	json_object_set_new(o, "optional_data_2",
	    json_str_or_null(m->optional2, m->format == NID_MRZ_TD1));
	cds = json_object();
	json_object_set_new(cds, "document_number", json_cd(m->doc_number_cd));
	json_object_set_new(cds, "date_of_birth", json_cd(m->birth_cd));
	json_object_set_new(cds, "date_of_expiry", json_cd(m->expiry_cd));
	json_object_set_new(cds, "optional_data", json_cd(m->optional1_cd));
	json_object_set_new(cds, "composite", json_cd(m->composite_cd));
	json_object_set_new(o, "check_digits", known ? cds : json_null());
	if (!known)
		json_decref(cds);
	json_object_set_new(o, "mrz_information", info != NULL ?
	    cli_json_str(info) : json_null());
	probs = json_array();
	for (i = 0; i < m->nproblems; i++) {
		p = json_object();
		json_object_set_new(p, "field",
		    cli_json_str(m->problems[i].field));
		json_object_set_new(p, "message",
		    cli_json_str(m->problems[i].text));
		json_array_append_new(probs, p);
	}
	json_object_set_new(o, "problems", probs);
	return o;
}

static void
cd_text(char c, char *buf, size_t n)
{
	if (c == '\0')
		buf[0] = '\0';
	else
		(void)snprintf(buf, n, " (check digit %c)", c);
}

static void
mrz_text(const struct nid_mrz *m, const char *info)
{
	char cd[32];
	size_t i;

	if (m->format != NID_MRZ_UNKNOWN) {
		printf("Format:               %s\n", nid_mrz_format_name(m->format));
		printf("Document code:        %s\n", m->doc_code);
		printf("Issuing state:        %s\n", m->issuer);
		cd_text(m->doc_number_cd, cd, sizeof(cd));
		printf("Document number:      %s%s\n", m->doc_number, cd);
		printf("Primary identifier:   %s\n", m->primary);
		printf("Secondary identifier: %s\n", m->secondary);
		printf("Nationality:          %s\n", m->nationality);
		cd_text(m->birth_cd, cd, sizeof(cd));
		printf("Date of birth:        %s%s\n", m->birth, cd);
		printf("Sex:                  %c\n", m->sex);
		cd_text(m->expiry_cd, cd, sizeof(cd));
		printf("Date of expiry:       %s%s\n", m->expiry, cd);
		cd_text(m->optional1_cd, cd, sizeof(cd));
		printf("Optional data:        %s%s\n", m->optional1, cd);
		if (m->format == NID_MRZ_TD1)
			printf("Optional data 2:      %s\n", m->optional2);
		printf("Composite:            check digit %c\n",
		    m->composite_cd);
	}
	if (info != NULL)
		printf("MRZ information:      %s\n", info);
	if (nid_mrz_valid(m)) {
		printf("valid\n");
		return;
	}
	printf("invalid: %zu problem%s\n", m->nproblems,
	    m->nproblems == 1 ? "" : "s");
	for (i = 0; i < m->nproblems; i++)
		printf("  %s\n", m->problems[i].text);
}

/* Read standard input (at most MRZ_STDIN_MAX bytes) into b, NUL-ended. */
static int
read_stdin(nid_buf *b)
{
	char chunk[512];
	size_t n;
	int r;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if ((r = nid_buf_put(b, chunk, n)) != NID_OK)
			return r;
	if (ferror(stdin))
		return NID_E_IO;
	if (memchr(b->p, '\0', b->len) != NULL)
		return NID_E_MALFORMED;
	return nid_buf_put_u8(b, '\0');
}

static int
mrz_from_values(const char *doc, const char *birth, const char *expiry,
    int json)
{
	char info[NID_MRZ_INFO_MAX];
	json_t *o;
	int rc;

	if (doc == NULL || birth == NULL || expiry == NULL)
		return cli_usage_error(CMD, "--doc, --birth and --expiry go "
		    "together");
	if ((rc = nid_mrz_bac_info_from(doc, birth, expiry, info,
	    sizeof(info))) != NID_OK)
		return cli_fail(CMD, json, NID_EXIT_USAGE, rc, 0, 0,
		    "invalid value: --doc takes 1 to %d characters A-Z, 0-9, "
		    "<; --birth and --expiry take a valid YYMMDD date",
		    NID_MRZ_DOCNO_MAX);
	if (json) {
		o = json_object();
		json_object_set_new(o, "schema", json_string("nidcard.mrz/1"));
		json_object_set_new(o, "format", json_null());
		json_object_set_new(o, "valid", json_true());
		json_object_set_new(o, "mrz_information", cli_json_str(info));
		json_object_set_new(o, "problems", json_array());
		rc = cli_json_print(o);
	} else {
		printf("MRZ information: %s\n", info);
		rc = NID_OK;
	}
	OPENSSL_cleanse(info, sizeof(info));
	return rc == NID_OK ? NID_EXIT_OK : NID_EXIT_INTERNAL;
}

static int
mrz_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "bac-info", no_argument, NULL, 'b' },
		{ "doc", required_argument, NULL, 'd' },
		{ "birth", required_argument, NULL, 'B' },
		{ "expiry", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *doc = NULL, *birth = NULL, *expiry = NULL;
	struct nid_mrz m;
	char info[NID_MRZ_INFO_MAX];
	nid_buf in;
	int ch, json = 0, want_info = 0, rc, ret, have_info = 0;

	memset(&m, 0, sizeof(m));
	nid_buf_init(&in, MRZ_STDIN_MAX + 1);
	optind = 1;
	opterr = 0;
	/* GNU getopt permutes: options may follow the lines; "-" alone is
	 * an operand (standard input). */
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'b':
			want_info = 1;
			break;
		case 'd':
			doc = optarg;
			break;
		case 'B':
			birth = optarg;
			break;
		case 'e':
			expiry = optarg;
			break;
		case 'h':
			mrz_usage(stdout);
			ret = NID_EXIT_OK;
			goto out;
		default:
			ret = cli_usage_error(CMD, "unknown option or missing "
			    "argument: '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (doc != NULL || birth != NULL || expiry != NULL) {
		if (optind < argc) {
			ret = cli_usage_error(CMD, "give either MRZ lines or "
			    "--doc/--birth/--expiry, not both");
			goto out;
		}
		ret = mrz_from_values(doc, birth, expiry, json);
		goto out;
	}
	if (optind >= argc) {
		ret = cli_usage_error(CMD, "no MRZ given");
		goto out;
	}
	if (argc - optind == 1 && strcmp(argv[optind], "-") == 0) {
		if ((rc = read_stdin(&in)) != NID_OK) {
			ret = cli_fail(CMD, json, NID_EXIT_USAGE, rc, 0, 0,
			    "cannot read the MRZ from standard input%s",
			    rc == NID_E_TOO_LARGE ? ": more than 4096 bytes" :
			    "");
			goto out;
		}
		rc = nid_mrz_parse((const char *)in.p, &m);
	} else
		rc = nid_mrz_parse_lines((const char *const *)(argv + optind),
		    (size_t)(argc - optind), &m);
	if (rc != NID_OK) {
		ret = cli_fail(CMD, json, cli_exit_for_rc(rc, 1), rc, 0, 0,
		    "cannot read the MRZ%s", rc == NID_E_TOO_LARGE ?
		    ": more than 4096 characters" : "");
		goto out;
	}
	if (want_info && nid_mrz_bac_info(&m, info, sizeof(info)) == NID_OK)
		have_info = 1;
	if (json) {
		if (cli_json_print(mrz_json(&m, have_info ? info : NULL)) !=
		    NID_OK) {
			ret = NID_EXIT_INTERNAL;
			goto out;
		}
	} else
		mrz_text(&m, have_info ? info : NULL);
	if (!nid_mrz_valid(&m)) {
		if (!json)
			fprintf(stderr, "%s %s: invalid MRZ: %zu problem%s\n",
			    cli_progname, CMD, m.nproblems,
			    m.nproblems == 1 ? "" : "s");
		ret = NID_EXIT_USAGE;
		goto out;
	}
	ret = NID_EXIT_OK;
 out:
	nid_mrz_clear(&m);
	OPENSSL_cleanse(info, sizeof(info));
	nid_buf_clear(&in);
	return ret;
}

const struct cli_cmd cli_cmd_mrz = {
	"mrz",
	"check a machine readable zone (ICAO 9303)",
	mrz_run,
	mrz_usage,
};
