/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * cli.h — nidcard(1): the command table and the helpers every command
 * uses for output, errors and exit codes.
 */
#ifndef NID_CLI_H
#define NID_CLI_H

#include <stdio.h>

#include <jansson.h>

#include <time.h>

#include "nid_internal.h"
#include "card.h"
#include "emrtd.h"
#include "pa.h"
#include "pcsc.h"
#include "trust.h"

/* Exit codes: a public contract, documented in nidcard(1) EXIT STATUS. */
enum {
	NID_EXIT_OK = 0,       /* pass / success */
	NID_EXIT_FAIL = 1,     /* verification failed */
	NID_EXIT_USAGE = 2,    /* bad arguments or malformed user input */
	NID_EXIT_WARN = 3,     /* checked what could be checked; something could not be */
	NID_EXIT_NOCARD = 4,   /* no PC/SC service, no reader or no card */
	NID_EXIT_DENIED = 5,   /* access denied by the card */
	NID_EXIT_CARD = 6,     /* card or communication error */
	NID_EXIT_INTERNAL = 7  /* internal error */
};

struct cli_cmd {
	const char *name;
	const char *summary;  /* one line for `nidcard --help` */
	int (*run)(int argc, char **argv);  /* argv[0] is the command name */
	void (*usage)(FILE *fp);
};

/* The commands, one file each (src/cli/cmd_*.c). */
extern const struct cli_cmd cli_cmd_atr;
extern const struct cli_cmd cli_cmd_readers;
extern const struct cli_cmd cli_cmd_apdu;
extern const struct cli_cmd cli_cmd_verify;
extern const struct cli_cmd cli_cmd_mrz;
extern const struct cli_cmd cli_cmd_dump;
extern const struct cli_cmd cli_cmd_probe;
extern const struct cli_cmd cli_cmd_status;

extern const char *cli_progname;

/*
 * Map an error to the exit code. user_input: the bytes that failed to
 * parse came from the user (command line, a file they named), so parse
 * errors are usage errors (2) rather than card errors (6).
 */
int cli_exit_for_rc(int rc, int user_input);

/*
 * Report an error: one line on stderr ("nidcard CMD: message: detail"),
 * and with json also {"schema":"nidcard.error/1", "error", "message", …}
 * on stdout. sw (0 for none) and pcsc (0 for none) are added when set.
 * Returns the exit code to use.
 */
int cli_fail(const char *cmd, int json, int exit_code, int rc,
    unsigned sw, long pcsc, const char *fmt, ...) NID_PRINTF(7, 8);

/* Usage error: message on stderr, a hint to --help; returns NID_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) NID_PRINTF(2, 3);

/* doc as indented text with a trailing newline (malloc'd; NULL when out
 * of memory); doc is not released. */
char *cli_json_text(const json_t *doc);
/* Print a JSON document (indented, one trailing newline) and release it. */
int cli_json_print(json_t *doc);
/* json_string() that never returns NULL for non-UTF-8: bytes become '?'. */
json_t *cli_json_str(const char *s);
/* Hex string of bytes as a JSON string. */
json_t *cli_json_hex(const uint8_t *p, size_t len);

/*
 * The card in the reader the user chose (--reader, else the only reader
 * holding a card), opened in shared mode inside a PC/SC transaction.
 * cli_card_open() prints the error itself and returns the exit code
 * (NID_EXIT_OK on success); cli_card_close() ends the transaction if it
 * is still open and frees everything (safe on a failed open).
 */
struct cli_card {
	nid_reader_info *readers;
	size_t nreaders;
	size_t idx;
	const char *reader;     /* readers[idx].name */
	nid_transport_t *t;
	nid_card_t *card;
	int in_tx;
	uint8_t atr[NID_ATR_MAX];
	size_t atr_len;         /* 0 when the ATR could not be read */
};

int cli_card_open(const char *cmd, int json, nid_ctx_t *ctx, const char *want,
    struct cli_card *cc);
/* End the transaction (checked); nid_rc. */
int cli_card_end(struct cli_card *cc);
void cli_card_close(struct cli_card *cc);

/* ---- options several commands share (opts.c) -------------------------- */

/* getopt_long values; each command lists the groups it takes. */
enum {
	CLI_O_CAN = 0x200, CLI_O_CAN_FILE, CLI_O_CAN_ENV, CLI_O_MRZ,
	CLI_O_MRZ_FILE, CLI_O_DOC, CLI_O_BIRTH, CLI_O_EXPIRY, CLI_O_ACCESS,
	CLI_O_CSCA, CLI_O_ML, CLI_O_ML_UNVERIFIED, CLI_O_CRL, CLI_O_CRL_POLICY,
	CLI_O_AT
};

#define CLI_ACCESS_OPTIONS \
	{ "can", required_argument, NULL, CLI_O_CAN }, \
	{ "can-file", required_argument, NULL, CLI_O_CAN_FILE }, \
	{ "can-env", required_argument, NULL, CLI_O_CAN_ENV }, \
	{ "mrz", required_argument, NULL, CLI_O_MRZ }, \
	{ "mrz-file", required_argument, NULL, CLI_O_MRZ_FILE }, \
	{ "doc", required_argument, NULL, CLI_O_DOC }, \
	{ "birth", required_argument, NULL, CLI_O_BIRTH }, \
	{ "expiry", required_argument, NULL, CLI_O_EXPIRY }, \
	{ "access", required_argument, NULL, CLI_O_ACCESS }

#define CLI_ACCESS_HELP \
	"ACCESS is one of:\n" \
	"  --can N           the 6-digit card access number\n" \
	"  --can-file F      the CAN from the first line of file F\n" \
	"  --can-env VAR     the CAN from environment variable VAR\n" \
	"  --mrz LINES       the MRZ, lines separated by newlines or\n" \
	"                    spaces\n" \
	"  --mrz-file F      the MRZ from file F\n" \
	"  --doc D --birth YYMMDD --expiry YYMMDD\n" \
	"                    document number, date of birth and of expiry\n" \
	"  --access A        pace, bac or auto (default: PACE when the\n" \
	"                    chip offers it in EF.CardAccess, else BAC)\n"

struct cli_access {
	const char *can, *can_file, *can_env, *mrz, *mrz_file;
	const char *doc, *birth, *expiry;
	int nsrc;
	enum nid_emrtd_access access;
};

/*
 * Take option ch (CLI_O_CAN … CLI_O_ACCESS): NID_EXIT_OK when taken, -1
 * when ch is not one of them, NID_EXIT_USAGE (message printed) when bad.
 */
int cli_access_opt(const char *cmd, struct cli_access *a, int ch,
    const char *arg);
/* Check the options and build the credentials; exit code (printed). */
int cli_access_creds(const char *cmd, int json, const struct cli_access *a,
    struct nid_emrtd_creds *creds);

#define CLI_TRUST_PATHS_MAX 64u

#define CLI_TRUST_OPTIONS \
	{ "csca", required_argument, NULL, CLI_O_CSCA }, \
	{ "masterlist", required_argument, NULL, CLI_O_ML }, \
	{ "masterlist-unverified", no_argument, NULL, CLI_O_ML_UNVERIFIED }, \
	{ "crl", required_argument, NULL, CLI_O_CRL }, \
	{ "crl-policy", required_argument, NULL, CLI_O_CRL_POLICY }, \
	{ "at", required_argument, NULL, CLI_O_AT }

struct cli_trust {
	const char *csca[CLI_TRUST_PATHS_MAX];
	size_t ncsca;
	const char *ml[CLI_TRUST_PATHS_MAX];
	size_t nml;
	const char *crl[CLI_TRUST_PATHS_MAX];
	size_t ncrl;
	int ml_unverified;
	int crl_policy;          /* enum nid_pa_crl_policy */
	int crl_policy_given;
	int at_given;
	time_t at;
};

/* Same contract as cli_access_opt, for CLI_O_CSCA … CLI_O_AT. */
int cli_trust_opt(const char *cmd, struct cli_trust *o, int ch,
    const char *arg);
/*
 * The trust store from the options, or the default trust folder when none
 * is given; desc gets where it came from. Exit code (error printed).
 */
int cli_trust_load(const char *cmd, int json, nid_ctx_t *ctx,
    const struct cli_trust *o, nid_trust_t **out, char *desc,
    size_t desc_len);
/* YYYY-MM-DD (UTC midnight) → time_t; -1 when malformed. */
int cli_parse_date(const char *s, time_t *t);

/*
 * --trace, taken by main() from anywhere on the command line: the APDU
 * exchange and the library's steps on stderr. Redacted (CLI_TRACE_ON):
 * no key, SSC, nonce, CAN, MRZ, PIN, and of data groups only tag and
 * length; CLI_TRACE_SENSITIVE shows all and says so first.
 */
enum { CLI_TRACE_OFF = 0, CLI_TRACE_ON, CLI_TRACE_SENSITIVE };
extern int cli_trace;
/* nid_ctx_new() with the trace switched on as asked. */
int cli_ctx_new(nid_ctx_t **out);
/*
 * Report an error of reading an eMRTD (dump, status): a refused CAN or MRZ
 * (password "CAN" or "MRZ", from the result) is exit 5, anything else as
 * cli_exit_for_rc says, with the PC/SC code and the context's detail.
 */
int cli_read_fail(const char *cmd, int json, nid_ctx_t *ctx, int rc,
    const char *password);
/* The "access" object of nidcard.dump/1 and nidcard.status/1. */
json_t *cli_access_json(const struct nid_emrtd_result *r);

/* ---- the status report (report.c) ------------------------------------ */

struct nid_status_report;
struct nid_check;

/* The photo written by `status --photo`. */
struct cli_photo {
	const char *path;      /* NULL: not asked */
	const char *format;
	size_t bytes;
	unsigned width, height;
	int written;
	char error[160];       /* why not written */
};

/* nidcard.status/1; ph may be NULL (no photo asked). */
json_t *cli_status_json(const struct nid_status_report *r, const char *reader,
    const uint8_t *atr, size_t atr_len, const struct cli_photo *ph,
    time_t t_ref);
/* Did this check decide the verdict (failed, or required and unknown)? */
int cli_status_decides(const struct nid_status_report *r,
    const struct nid_check *c);
/* A DG1 birth date YYMMDD as YYYY-MM-DD (two-digit years: a year after
 * t_ref's is of the last century); as given when not a date. */
void cli_birth_text(const char *yymmdd, time_t t_ref, char *out, size_t len);
/* --chip-auth auto|ca|aa|none → enum nid_chip_mode; -1 when unknown. */
int cli_chip_mode(const char *s);

/* Use colour on stdout? Only on a terminal, and never with NO_COLOR set. */
int cli_color(void);

#endif /* NID_CLI_H */
