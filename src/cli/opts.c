/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * opts.c — options several commands share: the access secret (dump,
 * status) and the trust material (verify, status, dump --report).
 *
 * Secrets (CAN, MRZ) are checked before the card is touched, held in
 * cleansed buffers and never echoed; --can-file, --can-env and
 * --mrz-file keep them out of the process list.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "mrz.h"

#define SECRET_FILE_MAX 4096u

/* ---- the access secret ----------------------------------------------- */

int
cli_access_opt(const char *cmd, struct cli_access *a, int ch, const char *arg)
{
	switch (ch) {
	case CLI_O_CAN:
		a->can = arg;
		a->nsrc++;
		break;
	case CLI_O_CAN_FILE:
		a->can_file = arg;
		a->nsrc++;
		break;
	case CLI_O_CAN_ENV:
		a->can_env = arg;
		a->nsrc++;
		break;
	case CLI_O_MRZ:
		a->mrz = arg;
		a->nsrc++;
		break;
	case CLI_O_MRZ_FILE:
		a->mrz_file = arg;
		a->nsrc++;
		break;
	case CLI_O_DOC:
		a->doc = arg;
		break;
	case CLI_O_BIRTH:
		a->birth = arg;
		break;
	case CLI_O_EXPIRY:
		a->expiry = arg;
		break;
	case CLI_O_ACCESS:
		if (strcmp(arg, "pace") == 0)
			a->access = NID_EMRTD_ACCESS_PACE;
		else if (strcmp(arg, "bac") == 0)
			a->access = NID_EMRTD_ACCESS_BAC;
		else if (strcmp(arg, "auto") == 0)
			a->access = NID_EMRTD_ACCESS_AUTO;
		else
			return cli_usage_error(cmd, "--access takes pace, bac "
			    "or auto");
		break;
	default:
		return -1;
	}
	return NID_EXIT_OK;
}

/* Read at most SECRET_FILE_MAX bytes of path into a cleansed buffer. */
static int
read_secret_file(const char *path, nid_buf *b)
{
	char chunk[512];
	size_t n;
	FILE *fp;
	int rc = NID_OK;

	if ((fp = fopen(path, "r")) == NULL)
		return NID_E_IO;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if ((rc = nid_buf_put(b, chunk, n)) != NID_OK)
			break;
	if (rc == NID_OK && ferror(fp))
		rc = NID_E_IO;
	fclose(fp);
	OPENSSL_cleanse(chunk, sizeof(chunk));
	if (rc == NID_OK && memchr(b->p, '\0', b->len) != NULL)
		rc = NID_E_MALFORMED;
	if (rc == NID_OK)
		rc = nid_buf_put_u8(b, '\0');
	return rc;
}

/* The first line of s, blanks at its ends trimmed, in place. */
static char *
first_line(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if ((e = strpbrk(s, "\r\n")) != NULL)
		*e = '\0';
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static int
can_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return i == 6;
}

/* MRZ text → MRZ_information; spaces separate lines on the command line. */
static int
mrz_info_of(char *text, char *info, size_t info_size)
{
	struct nid_mrz m;
	char *p;
	int rc;

	for (p = text; *p != '\0'; p++)
		if (*p == ' ')
			*p = '\n';
	if ((rc = nid_mrz_parse(text, &m)) == NID_OK)
		rc = nid_mrz_bac_info(&m, info, info_size);
	nid_mrz_clear(&m);
	return rc;
}

int
cli_access_creds(const char *cmd, int json, const struct cli_access *a,
    struct nid_emrtd_creds *creds)
{
	nid_buf sbuf;
	char info[NID_MRZ_INFO_MAX];
	const char *s;
	int nsrc = a->nsrc, rc, ret;

	memset(creds, 0, sizeof(*creds));
	memset(info, 0, sizeof(info));
	nid_buf_init(&sbuf, SECRET_FILE_MAX + 1);
	if (a->doc != NULL || a->birth != NULL || a->expiry != NULL)
		nsrc++;
	if (nsrc != 1) {
		ret = cli_usage_error(cmd, "give exactly one of --can, "
		    "--can-file, --can-env, --mrz, --mrz-file or --doc/--birth/"
		    "--expiry");
		goto out;
	}
	if (a->access == NID_EMRTD_ACCESS_BAC && (a->can != NULL ||
	    a->can_file != NULL || a->can_env != NULL)) {
		ret = cli_usage_error(cmd, "BAC needs the MRZ data, not a CAN");
		goto out;
	}
	if (a->can != NULL || a->can_file != NULL || a->can_env != NULL) {
		if (a->can_file != NULL) {
			if ((rc = read_secret_file(a->can_file, &sbuf)) !=
			    NID_OK) {
				ret = cli_fail(cmd, json, NID_EXIT_USAGE, rc,
				    0, 0, "--can-file %s: cannot read it",
				    a->can_file);
				goto out;
			}
			s = first_line((char *)sbuf.p);
		} else if (a->can_env != NULL) {
			if ((s = getenv(a->can_env)) == NULL) {
				ret = cli_fail(cmd, json, NID_EXIT_USAGE,
				    NID_E_INVALID_ARG, 0, 0, "--can-env %s: "
				    "not set", a->can_env);
				goto out;
			}
		} else
			s = a->can;
		if (!can_ok(s) || nid_emrtd_creds_can(creds, s) != NID_OK) {
			ret = cli_fail(cmd, json, NID_EXIT_USAGE,
			    NID_E_INVALID_ARG, 0, 0, "the CAN must be 6 digits");
			goto out;
		}
	} else if (a->mrz != NULL || a->mrz_file != NULL) {
		if (a->mrz_file != NULL) {
			if ((rc = read_secret_file(a->mrz_file, &sbuf)) !=
			    NID_OK) {
				ret = cli_fail(cmd, json, NID_EXIT_USAGE, rc,
				    0, 0, "--mrz-file %s: cannot read it",
				    a->mrz_file);
				goto out;
			}
		} else if ((rc = nid_buf_put(&sbuf, a->mrz,
		    strlen(a->mrz) + 1)) != NID_OK) {
			ret = cli_fail(cmd, json, NID_EXIT_USAGE, rc, 0, 0,
			    "--mrz: too long");
			goto out;
		}
		if (mrz_info_of((char *)sbuf.p, info, sizeof(info)) != NID_OK ||
		    nid_emrtd_creds_mrz(creds, info) != NID_OK) {
			ret = cli_fail(cmd, json, NID_EXIT_USAGE,
			    NID_E_INVALID_ARG, 0, 0, "the MRZ is not valid: "
			    "its document number, date of birth or date of "
			    "expiry is malformed or fails its check digit "
			    "(see 'nidcard mrz')");
			goto out;
		}
	} else {
		if (a->doc == NULL || a->birth == NULL || a->expiry == NULL) {
			ret = cli_usage_error(cmd, "--doc, --birth and "
			    "--expiry go together");
			goto out;
		}
		if (nid_mrz_bac_info_from(a->doc, a->birth, a->expiry, info,
		    sizeof(info)) != NID_OK ||
		    nid_emrtd_creds_mrz(creds, info) != NID_OK) {
			ret = cli_fail(cmd, json, NID_EXIT_USAGE,
			    NID_E_INVALID_ARG, 0, 0, "invalid value: --doc "
			    "takes 1 to %d characters A-Z, 0-9, '<'; --birth "
			    "and --expiry a date YYMMDD", NID_MRZ_DOCNO_MAX);
			goto out;
		}
	}
	ret = NID_EXIT_OK;
out:
	if (ret != NID_EXIT_OK)
		nid_emrtd_creds_clear(creds);
	OPENSSL_cleanse(info, sizeof(info));
	nid_buf_clear(&sbuf);
	return ret;
}

/* ---- trust material --------------------------------------------------- */

int
cli_parse_date(const char *s, time_t *t)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL || *end != '\0')
		return -1;
	if ((*t = timegm(&tm)) == (time_t)-1)
		return -1;
	return 0;
}

int
cli_trust_opt(const char *cmd, struct cli_trust *o, int ch, const char *arg)
{
	switch (ch) {
	case CLI_O_CSCA:
	case CLI_O_ML:
	case CLI_O_CRL:
		if ((ch == CLI_O_CSCA ? o->ncsca : ch == CLI_O_ML ? o->nml :
		    o->ncrl) >= CLI_TRUST_PATHS_MAX)
			return cli_usage_error(cmd, "more than %u --csca, "
			    "--masterlist or --crl", CLI_TRUST_PATHS_MAX);
		if (ch == CLI_O_CSCA)
			o->csca[o->ncsca++] = arg;
		else if (ch == CLI_O_ML)
			o->ml[o->nml++] = arg;
		else
			o->crl[o->ncrl++] = arg;
		break;
	case CLI_O_ML_UNVERIFIED:
		o->ml_unverified = 1;
		break;
	case CLI_O_CRL_POLICY:
		if (strcmp(arg, "soft") == 0)
			o->crl_policy = NID_PA_CRL_SOFT;
		else if (strcmp(arg, "hard") == 0)
			o->crl_policy = NID_PA_CRL_HARD;
		else if (strcmp(arg, "none") == 0)
			o->crl_policy = NID_PA_CRL_NONE;
		else
			return cli_usage_error(cmd, "--crl-policy: 'none', "
			    "'soft' or 'hard', not '%s'", arg);
		o->crl_policy_given = 1;
		break;
	case CLI_O_AT:
		if (cli_parse_date(arg, &o->at) != 0)
			return cli_usage_error(cmd, "--at: not a date "
			    "YYYY-MM-DD: '%s'", arg);
		o->at_given = 1;
		break;
	default:
		return -1;
	}
	return NID_EXIT_OK;
}

int
cli_trust_load(const char *cmd, int json, nid_ctx_t *ctx,
    const struct cli_trust *o, nid_trust_t **out, char *desc, size_t desc_len)
{
	nid_trust_t *t = NULL;
	size_t i;
	int rc, loaded = 0, ex;
	char why[256];

	*out = NULL;
	if ((rc = nid_trust_new(ctx, &t)) != NID_OK)
		return cli_fail(cmd, json, NID_EXIT_INTERNAL, rc, 0, 0,
		    "%s", nid_strerror(rc));
	if (o->ncsca == 0 && o->nml == 0 && o->ncrl == 0) {
		rc = nid_trust_load_dir(t, nid_trust_default_dir(), &loaded);
		if (rc != NID_OK)
			goto fail;
		(void)snprintf(desc, desc_len, "%s %s", loaded ?
		    "default trust folder" : "no trust options; default "
		    "trust folder absent:", nid_trust_default_dir());
		if ((rc = nid_trust_prepare(t)) != NID_OK)
			goto fail;
		*out = t;
		return NID_EXIT_OK;
	}
	(void)snprintf(desc, desc_len, "command-line options");
	for (i = 0; i < o->ncsca; i++)
		if ((rc = nid_trust_add_csca_path(t, o->csca[i])) != NID_OK)
			goto fail;
	for (i = 0; i < o->nml; i++) {
		if ((rc = nid_trust_add_masterlist(t, o->ml[i],
		    o->ml_unverified, why, sizeof(why))) != NID_OK)
			goto fail;
		if (why[0] != '\0')
			fprintf(stderr, "%s %s: warning: master list %s "
			    "accepted UNVERIFIED (--masterlist-unverified): "
			    "%s\n", cli_progname, cmd, o->ml[i], why);
	}
	for (i = 0; i < o->ncrl; i++)
		if ((rc = nid_trust_add_crl_path(t, o->crl[i])) != NID_OK)
			goto fail;
	if ((rc = nid_trust_prepare(t)) != NID_OK)
		goto fail;
	*out = t;
	return NID_EXIT_OK;
 fail:
	nid_trust_free(&t);
	ex = rc == NID_E_NO_TRUST ? NID_EXIT_USAGE : cli_exit_for_rc(rc, 1);
	return cli_fail(cmd, json, ex, rc, 0, 0, "%s", nid_ctx_detail(ctx));
}
