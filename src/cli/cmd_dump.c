/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * cmd_dump.c — nidcard dump [--reader NAME] (--can N | --can-file F |
 * --can-env VAR | --mrz LINES | --mrz-file F | --doc D --birth YYMMDD
 * --expiry YYMMDD) [--access pace|bac|auto] --out DIR [--json]
 *
 * Opens the eMRTD with PACE or BAC (emrtd.h), reads EF.COM, EF.SOD and
 * every data group the terminal may read, and writes them to DIR with the
 * names `nidcard verify` reads (EF.CardAccess, EF.COM, EF.SOD, DG1, …)
 * plus DIR/transcript.json (schema nidcard.dump/1, docs/json.md).
 *
 * No partial dumps: nothing is written before the whole card was read;
 * then each file goes to a temporary name in DIR (mode 0600: personal
 * data) and is renamed into place; if any write fails, every temporary
 * and every file renamed so far is removed.
 *
 * Secrets (CAN, MRZ) never appear in output, traces or error messages;
 * they are held in cleansed buffers. --can-file / --can-env / --mrz-file
 * keep them out of the process list.
 *
 * Exit: 0 done, 2 usage (bad CAN or MRZ, --out not writable), 4 no
 * service, reader or card, 5 access denied (wrong CAN / MRZ data), 6 card
 * error, no eMRTD application, card removed, 7 internal.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "status.h"
#include "card.h"
#include "emrtd.h"
#include "mrz.h"
#include "pcsc.h"
#include "probe.h"

#define CMD "dump"
#define PATH_MAX_DUMP 4096u

static void
dump_usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: %s dump [--reader NAME] ACCESS [--access pace|bac|auto]\n"
	    "       --out DIR [--json]\n"
	    "Open an ePassport / eID (ICAO 9303) with PACE or BAC and copy\n"
	    "EF.COM, EF.SOD and every readable data group into DIR.\n\n"
	    CLI_ACCESS_HELP
	    "Options:\n"
	    "  --out DIR         where to write (created with mode 0700 when\n"
	    "                    absent)\n"
	    "  --reader NAME     the reader: exact name or a unique part of it\n"
	    "  --json            print the transcript (nidcard.dump/1)\n"
	    "  --report          also run the whole status (chip and passive\n"
	    "                    authentication, expiry) over the same session\n"
	    "                    and store its nidcard.status/1 document as\n"
	    "                    DIR/status.json: the evidence bundle; takes\n"
	    "                    the trust options of 'nidcard status'\n"
	    "                    (--csca, --masterlist, --crl, --crl-policy,\n"
	    "                    --at) and --chip-auth\n"
	    "  -h, --help        show this help\n\n"
	    "--can and --mrz put the secret into the process list: prefer\n"
	    "--can-file, --can-env or --mrz-file on shared machines.\n"
	    "Files: DIR/EF.CardAccess (when present), DIR/EF.COM, DIR/EF.SOD,\n"
	    "DIR/DG1 ... exactly as read, and DIR/transcript.json. Nothing is\n"
	    "written unless the whole card was read.\n"
	    "Exit status: 0 done, 2 usage error (bad CAN or MRZ, DIR not\n"
	    "writable), 4 no PC/SC service, reader or card, 5 access denied\n"
	    "(wrong CAN or MRZ data), 6 card error, no eMRTD application or\n"
	    "card removed.\n",
	    cli_progname);
}

/*
 * --out must be a writable directory; when absent, its parent must be
 * writable, and create (only after the card was read) makes it, 0700.
 */
static int
prepare_out(const char *dir, int create)
{
	struct stat st;
	char parent[PATH_MAX_DUMP], *sl;

	if (stat(dir, &st) != 0) {
		if (errno != ENOENT)
			return -1;
		if (create)
			return mkdir(dir, 0700);
		if ((size_t)snprintf(parent, sizeof(parent), "%s", dir) >=
		    sizeof(parent))
			return -1;
		while ((sl = strrchr(parent, '/')) != NULL && sl[1] == '\0' &&
		    sl != parent)
			*sl = '\0';   /* trailing slashes */
		if ((sl = strrchr(parent, '/')) == NULL)
			(void)snprintf(parent, sizeof(parent), ".");
		else if (sl == parent)
			parent[1] = '\0';
		else
			*sl = '\0';
		return access(parent, W_OK | X_OK) == 0 ? 0 : -1;
	}
	if (!S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0)
		return -1;
	return 0;
}

static json_t *
transcript_json(const struct nid_emrtd_result *r, const char *reader,
    const uint8_t *atr, size_t atr_len)
{
	json_t *doc = json_object(), *files = json_array();
	json_t *o, *ms = json_object(), *rd = json_object();
	const struct nid_emrtd_file *f;
	char hex[8];
	size_t i;

	json_object_set_new(doc, "schema", json_string("nidcard.dump/1"));
	json_object_set_new(doc, "reader", cli_json_str(reader));
	json_object_set_new(doc, "atr", atr_len > 0 ?
	    cli_json_hex(atr, atr_len) : json_null());
	json_object_set_new(doc, "access", cli_access_json(r));
	for (i = 0; i < r->nfiles; i++) {
		f = &r->files[i];
		o = json_object();
		json_object_set_new(o, "name", cli_json_str(f->name));
		(void)snprintf(hex, sizeof(hex), "%02X", f->sfi);
		json_object_set_new(o, "sfi", json_string(hex));
		(void)snprintf(hex, sizeof(hex), "%04X", f->fid);
		json_object_set_new(o, "fid", json_string(hex));
		json_object_set_new(o, "status",
		    cli_json_str(nid_emrtd_fstate_str(f->state)));
		json_object_set_new(o, "size", f->state == NID_EMRTD_F_READ ?
		    json_integer((json_int_t)f->len) : json_null());
		json_object_set_new(o, "apdus",
		    json_integer((json_int_t)f->apdus));
		(void)snprintf(hex, sizeof(hex), "%04X", f->sw);
		json_object_set_new(o, "sw", json_string(hex));
		json_object_set_new(o, "ms", json_integer((json_int_t)f->ms));
		json_array_append_new(files, o);
	}
	json_object_set_new(doc, "files", files);
	json_object_set_new(rd, "extended_length", json_boolean(r->extended));
	json_object_set_new(rd, "short_le", json_integer((json_int_t)r->le));
	json_object_set_new(doc, "reading", rd);
	json_object_set_new(doc, "apdus", json_integer((json_int_t)r->apdus));
	json_object_set_new(ms, "access",
	    json_integer((json_int_t)r->ms_access));
	json_object_set_new(ms, "authentication",
	    json_integer((json_int_t)r->ms_auth));
	json_object_set_new(ms, "reading", json_integer((json_int_t)r->ms_read));
	json_object_set_new(ms, "total", json_integer((json_int_t)r->ms_total));
	json_object_set_new(doc, "ms", ms);
	return doc;
}

/* Write p to DIR/.NAME.tmp (0600); the caller renames. */
static int
write_tmp(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	char path[PATH_MAX_DUMP];
	size_t off = 0;
	ssize_t n;
	int fd, ok = 1;

	if ((size_t)snprintf(path, sizeof(path), "%s/.%s.tmp", dir, name) >=
	    sizeof(path))
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	while (off < len) {
		if ((n = write(fd, p + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			ok = 0;
			break;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		ok = 0;
	if (close(fd) != 0)
		ok = 0;
	if (!ok)
		(void)unlink(path);
	return ok ? 0 : -1;
}

static void
remove_name(const char *dir, const char *name, int tmp)
{
	char path[PATH_MAX_DUMP];

	if ((size_t)snprintf(path, sizeof(path), tmp ? "%s/.%s.tmp" : "%s/%s",
	    dir, name) < sizeof(path))
		(void)unlink(path);
}

static int
rename_in(const char *dir, const char *name)
{
	char from[PATH_MAX_DUMP], to[PATH_MAX_DUMP];

	if ((size_t)snprintf(from, sizeof(from), "%s/.%s.tmp", dir, name) >=
	    sizeof(from) ||
	    (size_t)snprintf(to, sizeof(to), "%s/%s", dir, name) >= sizeof(to))
		return -1;
	return rename(from, to);
}

/* All files, then transcript.json; all or nothing (see the top). */
static int
write_dump(const char *dir, const struct nid_emrtd_result *r,
    const char *transcript, const char *report)
{
	const char *names[NID_EMRTD_FILES_MAX + 2];
	const uint8_t *data[NID_EMRTD_FILES_MAX + 2];
	size_t lens[NID_EMRTD_FILES_MAX + 2], n = 0, i, written = 0, renamed = 0;
	int ok = 1;

	for (i = 0; i < r->nfiles; i++) {
		if (r->files[i].state != NID_EMRTD_F_READ)
			continue;
		names[n] = r->files[i].name;
		data[n] = r->files[i].data;
		lens[n++] = r->files[i].len;
	}
	names[n] = "transcript.json";
	data[n] = (const uint8_t *)transcript;
	lens[n++] = strlen(transcript);
	if (report != NULL) {
		names[n] = "status.json";
		data[n] = (const uint8_t *)report;
		lens[n++] = strlen(report);
	}
	for (i = 0; ok && i < n; i++, written++)
		if (write_tmp(dir, names[i], data[i], lens[i]) != 0)
			ok = 0;
	for (i = 0; ok && i < n; i++, renamed++)
		if (rename_in(dir, names[i]) != 0)
			ok = 0;
	if (!ok) {
		for (i = 0; i < n; i++) {
			if (i < renamed)
				remove_name(dir, names[i], 0);
			else if (i < written)
				remove_name(dir, names[i], 1);
		}
	}
	return ok ? 0 : -1;
}

static void
print_summary(const struct nid_emrtd_result *r, const char *dir)
{
	const struct nid_emrtd_file *f;
	size_t i, nw = 0;

	if (r->protocol[0] == 'P')
		printf("access: PACE with the %s (%s, %s, parameter %ld, %s)\n",
		    r->password, r->mapping, r->oid, r->param_id, r->cipher);
	else
		printf("access: BAC with the MRZ (3DES)%s%s%s\n",
		    r->note[0] != '\0' ? ": " : "", r->note, "");
	for (i = 0; i < r->nfiles; i++) {
		f = &r->files[i];
		if (f->state == NID_EMRTD_F_READ) {
			printf("  %-14s SFI %02X  %7zu bytes  %4lu APDUs\n",
			    f->name, f->sfi, f->len, f->apdus);
			nw++;
		} else
			printf("  %-14s SFI %02X  %s (%04X)\n", f->name, f->sfi,
			    nid_emrtd_fstate_str(f->state), f->sw);
	}
	printf("wrote %zu files and transcript.json to %s\n", nw, dir);
	printf("%lu APDUs (%s, short Le %zu); %lu ms: access %lu, "
	    "authentication %lu, reading %lu\n", r->apdus,
	    r->extended ? "extended length" : "short APDUs", r->le,
	    r->ms_total, r->ms_access, r->ms_auth, r->ms_read);
}

static int
dump_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reader", required_argument, NULL, 'r' },
		CLI_ACCESS_OPTIONS,
		CLI_TRUST_OPTIONS,
		{ "report", no_argument, NULL, 'R' },
		{ "chip-auth", required_argument, NULL, 'A' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_access acc;
	struct nid_emrtd_creds creds;
	struct nid_emrtd_result res;
	struct nid_emrtd_opts eo;
	struct nid_probe probe;
	struct cli_trust trust;
	struct nid_status_opts so;
	struct nid_status_report rep;
	const struct nid_emrtd_result *rr = &res;
	nid_trust_t *tstore = NULL;
	char trust_desc[600], *rjson = NULL;
	int report = 0, chip = NID_CHIP_AUTO;
	nid_ctx_t *ctx = NULL;
	struct cli_card cc;
	const char *want = NULL, *out = NULL;
	char *tjson = NULL;
	int ch, json = 0, rc, ret;
	json_t *tdoc = NULL, *rdoc = NULL;

	memset(&acc, 0, sizeof(acc));
	memset(&creds, 0, sizeof(creds));
	memset(&res, 0, sizeof(res));
	memset(&eo, 0, sizeof(eo));
	memset(&cc, 0, sizeof(cc));
	memset(&probe, 0, sizeof(probe));
	memset(&trust, 0, sizeof(trust));
	memset(&so, 0, sizeof(so));
	memset(&rep, 0, sizeof(rep));
	trust.crl_policy = NID_PA_CRL_SOFT;
	nid_probe_clear(&probe);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if ((ret = cli_access_opt(CMD, &acc, ch, optarg)) >= 0 ||
		    (ret = cli_trust_opt(CMD, &trust, ch, optarg)) >= 0) {
			if (ret != NID_EXIT_OK)
				goto out;
			continue;
		}
		switch (ch) {
		case 'r':
			want = optarg;
			break;
		case 'R':
			report = 1;
			break;
		case 'A':
			if ((chip = cli_chip_mode(optarg)) < 0) {
				ret = cli_usage_error(CMD, "--chip-auth takes "
				    "auto, ca, aa or none");
				goto out;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			dump_usage(stdout);
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
	/* The secret, checked before touching the card; never echoed. */
	if ((ret = cli_access_creds(CMD, json, &acc, &creds)) != NID_EXIT_OK)
		goto out;
	eo.access = acc.access;
	if (out == NULL) {
		ret = cli_usage_error(CMD, "--out DIR is required");
		goto out;
	}
	if (prepare_out(out, 0) != 0) {
		ret = cli_fail(CMD, json, NID_EXIT_USAGE, NID_E_IO, 0, 0,
		    "--out %s: not a writable directory", out);
		goto out;
	}

	if ((rc = cli_ctx_new(&ctx)) != NID_OK) {
		ret = cli_fail(CMD, json, NID_EXIT_INTERNAL, rc, 0, 0, "%s",
		    nid_strerror(rc));
		goto out;
	}
	if (report && (ret = cli_trust_load(CMD, json, ctx, &trust, &tstore,
	    trust_desc, sizeof(trust_desc))) != NID_EXIT_OK)
		goto out;
	if ((ret = cli_card_open(CMD, json, ctx, want, &cc)) != NID_EXIT_OK)
		goto out;
	/* What card and reader accept (probe.h): the reading code then asks
	 * for the largest Le that works from the first file. */
	if ((rc = nid_probe_run(cc.card, NID_PROBE_SESSION, &probe)) !=
	    NID_OK) {
		ret = cli_fail(CMD, json, cli_exit_for_rc(rc, 0), rc, 0,
		    nid_pcsc_last_code(ctx), "%s: %s", nid_strerror(rc),
		    nid_ctx_detail(ctx));
		goto out;
	}
	eo.probe = &probe;
	eo.dgs = NID_EMRTD_DGS_ALL;   /* the evidence dump: every file */
	if (report) {
		/* The whole status (status.h) over the same session. */
		so.read = eo;
		so.chip = (enum nid_chip_mode)chip;
		so.trust = tstore;
		so.pa.t_ref = trust.at_given ? trust.at : time(NULL);
		so.pa.crl_policy = trust.crl_policy;
		rc = nid_status_run(cc.card, &creds, &so, &rep);
		rr = &rep.read;
	} else
		rc = nid_emrtd_read(cc.card, &creds, &eo, &res);
	nid_emrtd_creds_clear(&creds);
	if (rc != NID_OK) {
		ret = cli_read_fail(CMD, json, ctx, rc, rr->password);
		goto out;
	}
	if (cli_card_end(&cc) != NID_OK)
		nid_ctx_clear_detail(ctx);  /* the card was read: not an error */

	tdoc = transcript_json(rr, cc.reader, cc.atr, cc.atr_len);
	if (report)
		rdoc = cli_status_json(&rep, cc.reader, cc.atr, cc.atr_len,
		    NULL, so.pa.t_ref);
	if ((tjson = cli_json_text(tdoc)) == NULL ||
	    (report && (rjson = cli_json_text(rdoc)) == NULL)) {
		ret = cli_fail(CMD, json, NID_EXIT_INTERNAL, NID_E_NOMEM, 0, 0,
		    "%s", nid_strerror(NID_E_NOMEM));
		goto out;
	}
	if (prepare_out(out, 1) != 0 ||
	    write_dump(out, rr, tjson, rjson) != 0) {
		ret = cli_fail(CMD, json, NID_EXIT_USAGE, NID_E_IO, 0, 0,
		    "writing into %s failed: %s (nothing written)", out,
		    strerror(errno));
		goto out;
	}
	if (json) {
		cli_json_print(tdoc);
		tdoc = NULL;
	} else {
		print_summary(rr, out);
		if (report)
			printf("status.json: verdict %s (%s)\n",
			    nid_pa_verdict_str(rep.verdict), trust_desc);
	}
	ret = NID_EXIT_OK;
out:
	cli_card_close(&cc);
	json_decref(tdoc);
	json_decref(rdoc);
	free(tjson);
	free(rjson);
	nid_status_report_clear(&rep);
	nid_trust_free(&tstore);
	nid_emrtd_result_clear(&res);
	nid_emrtd_creds_clear(&creds);
	nid_probe_clear(&probe);
	nid_ctx_free(&ctx);
	return ret;
}

const struct cli_cmd cli_cmd_dump = {
	"dump",
	"read an ePassport / eID (PACE or BAC) into a folder",
	dump_run,
	dump_usage,
};
