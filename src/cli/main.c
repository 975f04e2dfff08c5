/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * main.c — nidcard(1): global options and the command table.
 *
 *   nidcard [--version | --help]
 *   nidcard COMMAND [OPTIONS] [ARGS]
 *   nidcard help COMMAND   (same as nidcard COMMAND --help)
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *cli_progname = "nidcard";

/* In the order `nidcard --help` lists them. */
static const struct cli_cmd *const cli_cmds[] = {
	&cli_cmd_readers,
	&cli_cmd_apdu,
	&cli_cmd_atr,
	&cli_cmd_mrz,
	&cli_cmd_status,
	&cli_cmd_dump,
	&cli_cmd_probe,
	&cli_cmd_verify,
	NULL
};

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp,
	    "Usage: %s COMMAND [OPTIONS] [ARGS]\n"
	    "Read national ID cards over PC/SC and verify them.\n\n"
	    "Commands:\n", cli_progname);
	for (i = 0; cli_cmds[i] != NULL; i++)
		fprintf(fp, "  %-10s %s\n", cli_cmds[i]->name,
		    cli_cmds[i]->summary);
	fprintf(fp,
	    "\nOptions:\n"
	    "  -h, --help     show this help, or a command's with COMMAND --help\n"
	    "  -V, --version  show the version\n"
	    "  --trace[=sensitive]  with any command: the APDU exchange on\n"
	    "                 stderr, secrets and personal data redacted unless\n"
	    "                 =sensitive\n\n"
	    "Exit status: 0 pass, 1 verification failed, 2 usage error, 3 warning,\n"
	    "4 no PC/SC service/reader/card, 5 access denied by the card,\n"
	    "6 card or communication error, 7 internal error. See nidcard(1).\n");
}

static const struct cli_cmd *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; cli_cmds[i] != NULL; i++)
		if (strcmp(cli_cmds[i]->name, name) == 0)
			return cli_cmds[i];
	return NULL;
}

/*
 * Take --trace / --trace=sensitive out of argv, wherever it is before a
 * "--": every command accepts it. Returns the new argc, or -1 for a
 * --trace=VALUE that is not "sensitive".
 */
static int
take_trace(int argc, char **argv)
{
	int i, j;

	for (i = j = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[j++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--trace") == 0) {
			if (cli_trace == CLI_TRACE_OFF)
				cli_trace = CLI_TRACE_ON;
			continue;
		}
		if (strncmp(argv[i], "--trace=", 8) == 0) {
			if (strcmp(argv[i] + 8, "sensitive") != 0)
				return -1;
			cli_trace = CLI_TRACE_SENSITIVE;
			continue;
		}
		argv[j++] = argv[i];
	}
	argv[j] = NULL;
	return j;
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if ((argc = take_trace(argc, argv)) < 0) {
		fprintf(stderr, "%s: --trace takes no value or =sensitive\n",
		    cli_progname);
		return NID_EXIT_USAGE;
	}

	if (argc < 2) {
		usage(stderr);
		return NID_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return NID_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("nidcard %s (libnidcard %s)\n", NID_VERSION_STRING,
		    nid_version());
		return NID_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return NID_EXIT_OK;
		}
		if ((cmd = find_cmd(argv[2])) == NULL) {
			fprintf(stderr, "%s: unknown command '%s'\n",
			    cli_progname, argv[2]);
			return NID_EXIT_USAGE;
		}
		cmd->usage(stdout);
		return NID_EXIT_OK;
	}
	if ((cmd = find_cmd(argv[1])) == NULL) {
		fprintf(stderr, "%s: unknown command '%s'; try '%s --help'\n",
		    cli_progname, argv[1], cli_progname);
		return NID_EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
