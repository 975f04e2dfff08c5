/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * cmd_verify.c — nidcard verify PATH [--csca FILE|DIR]... [--masterlist
 * FILE]... [--masterlist-unverified] [--crl FILE]... [--crl-policy
 * hard|soft] [--at YYYY-MM-DD] [--dg N=FILE]... [--card-security FILE]
 * [--json]
 *
 * Offline passive authentication (ICAO 9303-11 §5.1) of a dump folder or
 * of a single EF.SOD / EF.CardSecurity file: one line per trust level,
 * then the DS certificate and the CSCA it chained to. The levels and the
 * verdict rule are described in src/lib/pa.h and nidcard(1).
 */
#include "config.h"

#define OPENSSL_NO_DEPRECATED 1

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "cli.h"
#include "pa.h"

#define CMD "verify"
#define MAX_DG_FILE (4u * 1024u * 1024u)

static void
verify_usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: %s verify PATH [OPTIONS]\n"
	    "Passive authentication of a dump folder (EF.SOD, DG1, DG2 ... or\n"
	    "DGn.bin, EF.CardSecurity) or of one EF.SOD / EF.CardSecurity file.\n\n"
	    "  --csca FILE|DIR        trusted CSCA certificate(s), DER or PEM\n"
	    "  --masterlist FILE      CSCA master list; its signer must chain to\n"
	    "                         a CSCA given with --csca\n"
	    "  --masterlist-unverified  accept master lists that do not verify\n"
	    "                         (stated in the output)\n"
	    "  --crl FILE|DIR         CRL(s), DER or PEM\n"
	    "  --crl-policy P         none (default), soft or hard: with soft or\n"
	    "                         hard revocation is required: an unknown\n"
	    "                         status warns (soft) or fails (hard)\n"
	    "  --at YYYY-MM-DD        reference date (default: now)\n"
	    "  --dg N=FILE            data group N from FILE (with a single file)\n"
	    "  --card-security FILE   also verify this EF.CardSecurity\n"
	    "  --json                 print a nidcard.verify/1 JSON document\n"
	    "  -h, --help             show this help\n\n"
	    "Without --csca/--masterlist/--crl the trust folder %s is used.\n"
	    "Exit status: 0 every required level passes, 1 a level fails,\n"
	    "3 none fails but a required level is unknown, 2 bad arguments or\n"
	    "malformed input.\n", cli_progname, nid_trust_default_dir());
}

struct vopts {
	const char *path;
	struct cli_trust trust;
	int json;
	const char *card_security;
	struct {
		unsigned n;
		const char *file;
	} dg[NID_PA_MAX_INPUT_DGS];
	size_t ndg;
};

struct dgfile {
	unsigned n;
	char *path;
	uint8_t *p;
	size_t len;
};

struct input {
	char *sod_path;
	char *cs_path;
	struct dgfile dg[NID_PA_MAX_INPUT_DGS];
	size_t ndg;
};

static void
input_free(struct input *in)
{
	size_t i;

	free(in->sod_path);
	free(in->cs_path);
	for (i = 0; i < in->ndg; i++) {
		free(in->dg[i].path);
		free(in->dg[i].p);
	}
	memset(in, 0, sizeof(*in));
}

static int
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		(void)snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* First existing file among dir/names[i] (malloc'd), or NULL. */
static char *
find_in(const char *dir, const char *const *names, size_t n)
{
	size_t i;
	char *p;

	for (i = 0; i < n; i++) {
		if ((p = join(dir, names[i])) == NULL)
			return NULL;
		if (file_exists(p))
			return p;
		free(p);
	}
	return NULL;
}

static int
add_dg(struct input *in, unsigned n, const char *path)
{
	struct dgfile *d;
	size_t i;

	for (i = 0; i < in->ndg; i++)
		if (in->dg[i].n == n)
			return cli_usage_error(CMD, "DG%u given twice", n);
	if (in->ndg >= NID_PA_MAX_INPUT_DGS)
		return cli_usage_error(CMD, "too many data groups");
	d = &in->dg[in->ndg];
	d->n = n;
	if ((d->path = strdup(path)) == NULL)
		return NID_EXIT_INTERNAL;
	in->ndg++;
	return NID_EXIT_OK;
}

/* Resolve PATH (dump folder or single file) and --dg into files. */
static int
resolve_input(const struct vopts *o, struct input *in)
{
	static const char *const sod_names[] = {
		"EF.SOD", "EF.SOD.bin", "SOD", "SOD.bin"
	};
	static const char *const cs_names[] = {
		"EF.CardSecurity", "EF.CardSecurity.bin"
	};
	struct stat st;
	char name[32], *p;
	unsigned n;
	size_t i;
	int r;

	memset(in, 0, sizeof(*in));
	if (stat(o->path, &st) != 0)
		return cli_fail(CMD, o->json, NID_EXIT_USAGE, NID_E_IO, 0, 0,
		    "%s: %s", o->path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		in->sod_path = find_in(o->path, sod_names,
		    NID_NELEM(sod_names));
		in->cs_path = find_in(o->path, cs_names, NID_NELEM(cs_names));
		for (n = 1; n <= 16; n++) {
			/* DGn, DGn.bin, EF.DGn, EF.DGn.bin */
			for (i = 0; i < 4; i++) {
				(void)snprintf(name, sizeof(name), "%s%u%s",
				    i >= 2 ? "EF.DG" : "DG", n,
				    (i % 2) ? ".bin" : "");
				if ((p = join(o->path, name)) == NULL)
					return NID_EXIT_INTERNAL;
				if (file_exists(p)) {
					r = add_dg(in, n, p);
					free(p);
					if (r != NID_EXIT_OK)
						return r;
					break;
				}
				free(p);
			}
		}
		if (in->sod_path == NULL && in->cs_path == NULL)
			return cli_fail(CMD, o->json, NID_EXIT_USAGE, NID_E_IO,
			    0, 0, "%s: no EF.SOD or EF.CardSecurity in the "
			    "folder", o->path);
	} else if ((in->sod_path = strdup(o->path)) == NULL)
		return NID_EXIT_INTERNAL;
	if (o->card_security != NULL) {
		free(in->cs_path);
		if ((in->cs_path = strdup(o->card_security)) == NULL)
			return NID_EXIT_INTERNAL;
	}
	for (i = 0; i < o->ndg; i++)
		if ((r = add_dg(in, o->dg[i].n, o->dg[i].file)) != NID_EXIT_OK)
			return r;
	for (i = 0; i < in->ndg; i++) {
		r = nid_file_read(NULL, in->dg[i].path, MAX_DG_FILE,
		    &in->dg[i].p, &in->dg[i].len);
		if (r != NID_OK)
			return cli_fail(CMD, o->json, cli_exit_for_rc(r, 1), r,
			    0, 0, "%s: %s", in->dg[i].path,
			    r == NID_E_IO ? strerror(errno) : nid_strerror(r));
	}
	return NID_EXIT_OK;
}

static int
load_object(nid_ctx_t *ctx, const struct vopts *o, const char *path,
    nid_sod_t **out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = nid_file_read(ctx, path, NID_SOD_MAX_LEN, &buf, &len)) !=
	    NID_OK)
		return cli_fail(CMD, o->json, cli_exit_for_rc(rc, 1), rc, 0, 0,
		    "%s", nid_ctx_detail(ctx));
	rc = nid_sod_parse(ctx, buf, len, out);
	free(buf);
	if (rc != NID_OK)
		return cli_fail(CMD, o->json, cli_exit_for_rc(rc, 1), rc, 0, 0,
		    "%s: %s: %s", path, nid_strerror(rc), nid_ctx_detail(ctx));
	return NID_EXIT_OK;
}

/* ---- certificate descriptions ----------------------------------------- */

struct keydesc {
	char type[16];
	int bits;
	char curve[64];
	int explicit_params;
};

static void
describe_key(X509 *x, struct keydesc *k)
{
	EVP_PKEY *key = X509_get0_pubkey(x);
	OSSL_PARAM *params = NULL;
	EC_GROUP *g = NULL;
	char name[64];
	size_t nl = 0;
	int nid;

	memset(k, 0, sizeof(*k));
	if (key == NULL) {
		(void)snprintf(k->type, sizeof(k->type), "unknown");
		return;
	}
	k->bits = EVP_PKEY_get_bits(key);
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
		(void)snprintf(k->type, sizeof(k->type), "RSA");
		break;
	case EVP_PKEY_RSA_PSS:
		(void)snprintf(k->type, sizeof(k->type), "RSA-PSS");
		break;
	case EVP_PKEY_EC:
		(void)snprintf(k->type, sizeof(k->type), "EC");
		if (EVP_PKEY_get_utf8_string_param(key,
		    OSSL_PKEY_PARAM_EC_ENCODING, name, sizeof(name), &nl) == 1 &&
		    strcmp(name, OSSL_PKEY_EC_ENCODING_EXPLICIT) == 0)
			k->explicit_params = 1;
		if (EVP_PKEY_get_utf8_string_param(key,
		    OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &nl) == 1) {
			(void)snprintf(k->curve, sizeof(k->curve), "%s", name);
			break;
		}
		/* Explicit domain parameters: name the equal named curve. */
		k->explicit_params = 1;
		if (EVP_PKEY_todata(key, EVP_PKEY_KEY_PARAMETERS, &params) == 1 &&
		    (g = EC_GROUP_new_from_params(params, NULL, NULL)) != NULL &&
		    (nid = EC_GROUP_check_named_curve(g, 0, NULL)) > 0)
			(void)snprintf(k->curve, sizeof(k->curve), "%s",
			    OBJ_nid2sn(nid));
		else
			(void)snprintf(k->curve, sizeof(k->curve), "unnamed");
		break;
	default:
		(void)snprintf(k->type, sizeof(k->type), "%s",
		    OBJ_nid2sn(EVP_PKEY_get_base_id(key)));
	}
	EC_GROUP_free(g);
	OSSL_PARAM_free(params);
}

static void
keydesc_text(const struct keydesc *k, char *buf, size_t len)
{
	if (k->curve[0] != '\0')
		(void)snprintf(buf, len, "%s %s%s, %d bits", k->type, k->curve,
		    k->explicit_params ? " (explicit parameters)" : "", k->bits);
	else
		(void)snprintf(buf, len, "%s %d bits", k->type, k->bits);
}

static void
serial_hex(X509 *x, char *buf, size_t len)
{
	const ASN1_INTEGER *s = X509_get0_serialNumber(x);
	size_t n = (size_t)ASN1_STRING_length(s);

	if (2 * n + 1 > len)
		n = (len - 1) / 2;
	nid_hex_encode_to(ASN1_STRING_get0_data(s), n, buf);
}

static void
validity(X509 *x, char *nb, char *na, size_t len)
{
	time_t a = 0, b = 0;

	if (nid_asn1_time(X509_get0_notBefore(x), &a) != NID_OK ||
	    nid_asn1_time(X509_get0_notAfter(x), &b) != NID_OK) {
		(void)snprintf(nb, len, "?");
		(void)snprintf(na, len, "?");
		return;
	}
	nid_time_text(a, 0, nb, len);
	nid_time_text(b, 0, na, len);
}

static const char *
kind_str(const nid_sod_t *s)
{
	return s->kind == NID_SOD_KIND_SOD ? "EF.SOD" : "EF.CardSecurity";
}

static const char *
md_name(int nid)
{
	return nid == NID_undef ? "?" : OBJ_nid2sn(nid);
}

/* ---- text output ------------------------------------------------------ */

static void
print_text(const struct vopts *o, const struct input *in, const nid_sod_t *s,
    const nid_trust_t *t, const char *trust_desc,
    const struct nid_pa_report *r)
{
	char buf[512], nb[24], na[24], tref[24], tchk[24];
	const char *color_on = "", *color_off = "";
	struct keydesc k;
	uint8_t fp[32];
	size_t i;
	int col = cli_color();

	(void)o;
	printf("%s: %s", in->sod_path != NULL ? in->sod_path : in->cs_path,
	    kind_str(s));
	if (s->kind == NID_SOD_KIND_SOD)
		printf(", LDS v%ld, %s, %zu data groups", s->lds_version,
		    md_name(s->lds_md_nid), s->ndgs);
	nid_time_text(r->t_ref, 0, tref, sizeof(tref));
	nid_time_text(r->t_check, 1, tchk, sizeof(tchk));
	printf("\nreference date %s; validity checked at %s (%s)\n", tref,
	    tchk, r->t_check_signing_time ? "signingTime" : "reference date");
	printf("trust: %zu CSCA certificates, %zu master lists, %zu CRLs "
	    "(%s)%s\n\n", t->nanchors, t->nmasterlists, t->ncrls, trust_desc,
	    t->unverified_masterlists ? "; master list(s) accepted "
	    "UNVERIFIED" : "");
	for (i = 0; i < r->nchecks; i++) {
		const struct nid_check *c = &r->checks[i];

		if (col) {
			color_on = c->result == NID_CHECK_PASS ? "\033[32m" :
			    c->result == NID_CHECK_FAIL ? "\033[31m" :
			    "\033[33m";
			color_off = "\033[0m";
		}
		printf("  %-23s %s%-7s%s %s%s\n", c->id, color_on,
		    nid_check_result_str(c->result), color_off, c->reason,
		    c->required ? "" : " (not required)");
	}
	printf("verdict: %s\n", r->verdict == NID_PA_PASS ? "PASS" :
	    r->verdict == NID_PA_WARN ? "WARN" : "FAIL");
	if (r->ds != NULL) {
		printf("\nDS certificate\n");
		nid_name_text(X509_get_subject_name(r->ds), buf, sizeof(buf));
		printf("  subject  %s\n", buf);
		nid_name_text(X509_get_issuer_name(r->ds), buf, sizeof(buf));
		printf("  issuer   %s\n", buf);
		serial_hex(r->ds, buf, sizeof(buf));
		printf("  serial   %s\n", buf);
		validity(r->ds, nb, na, sizeof(nb));
		printf("  valid    %s .. %s\n", nb, na);
		describe_key(r->ds, &k);
		keydesc_text(&k, buf, sizeof(buf));
		printf("  key      %s\n", buf);
		printf("  signed   %s with %s\n", md_name(s->digest_nid),
		    md_name(s->sig_nid));
	}
	if (r->csca != NULL) {
		printf("\nCSCA\n");
		nid_name_text(X509_get_subject_name(r->csca->cert), buf,
		    sizeof(buf));
		printf("  subject  %s\n", buf);
		memcpy(fp, r->csca->fp, 32);
		nid_hex_encode_to(fp, 32, buf);
		printf("  sha256   %s\n", buf);
		validity(r->csca->cert, nb, na, sizeof(nb));
		printf("  valid    %s .. %s%s\n", nb, na, r->csca_valid ? "" :
		    " (not valid at the check time)");
		describe_key(r->csca->cert, &k);
		keydesc_text(&k, buf, sizeof(buf));
		printf("  key      %s\n", buf);
		printf("  kind     %s%s\n", r->csca->self_signed ? "self-signed" :
		    "link certificate", r->csca_others ? "" : "");
		if (r->csca_others > 0)
			printf("  also     %zu more trust anchor(s) with the same "
			    "key verify the DS (link certificates or "
			    "re-issues)\n", r->csca_others);
		printf("  from     %s\n", r->csca->source);
	}
	if (s->kind == NID_SOD_KIND_SOD) {
		printf("\nData groups (%s)\n", md_name(s->lds_md_nid));
		for (i = 0; i < r->ndgs; i++) {
			nid_hex_encode_to(r->dgs[i].hash, r->dgs[i].hash_len,
			    buf);
			printf("  DG%-2u  %-10s %s\n", r->dgs[i].n,
			    nid_pa_dg_status_str(r->dgs[i].status), buf);
		}
	}
}

/* ---- JSON output ------------------------------------------------------- */

static json_t *
cert_json(X509 *x)
{
	json_t *j = json_object(), *kj;
	char buf[512], nb[24], na[24];
	struct keydesc k;
	uint8_t fp[32];

	nid_name_text(X509_get_subject_name(x), buf, sizeof(buf));
	json_object_set_new(j, "subject", cli_json_str(buf));
	nid_name_text(X509_get_issuer_name(x), buf, sizeof(buf));
	json_object_set_new(j, "issuer", cli_json_str(buf));
	serial_hex(x, buf, sizeof(buf));
	json_object_set_new(j, "serial", json_string(buf));
	validity(x, nb, na, sizeof(nb));
	json_object_set_new(j, "not_before", json_string(nb));
	json_object_set_new(j, "not_after", json_string(na));
	if (nid_cert_sha256(x, fp) == NID_OK)
		json_object_set_new(j, "sha256", cli_json_hex(fp, 32));
	describe_key(x, &k);
	kj = json_object();
	json_object_set_new(kj, "type", json_string(k.type));
	json_object_set_new(kj, "bits", json_integer(k.bits));
	if (k.curve[0] != '\0') {
		json_object_set_new(kj, "curve", json_string(k.curve));
		json_object_set_new(kj, "explicit_params",
		    json_boolean(k.explicit_params));
	}
	json_object_set_new(j, "key", kj);
	return j;
}

static json_t *
report_json(const struct input *in, const nid_sod_t *s, const nid_trust_t *t,
    const char *trust_desc, const struct nid_pa_report *r)
{
	json_t *doc = json_object(), *a, *o, *d;
	char buf[32];
	size_t i;

	json_object_set_new(doc, "schema", json_string("nidcard.verify/1"));
	o = json_object();
	json_object_set_new(o, "path", cli_json_str(in->sod_path != NULL ?
	    in->sod_path : in->cs_path));
	json_object_set_new(o, "kind", json_string(kind_str(s)));
	json_object_set_new(o, "card_security",
	    in->sod_path != NULL && in->cs_path != NULL ?
	    cli_json_str(in->cs_path) : json_null());
	json_object_set_new(doc, "input", o);
	nid_time_text(r->t_ref, 1, buf, sizeof(buf));
	json_object_set_new(doc, "reference_time", json_string(buf));
	nid_time_text(r->t_check, 1, buf, sizeof(buf));
	json_object_set_new(doc, "check_time", json_string(buf));
	json_object_set_new(doc, "check_time_source", json_string(
	    r->t_check_signing_time ? "signingTime" : "reference"));
	a = json_array();
	for (i = 0; i < r->nchecks; i++) {
		o = json_object();
		json_object_set_new(o, "id", json_string(r->checks[i].id));
		json_object_set_new(o, "result", json_string(
		    nid_check_result_str(r->checks[i].result)));
		json_object_set_new(o, "reason",
		    cli_json_str(r->checks[i].reason));
		json_object_set_new(o, "required",
		    json_boolean(r->checks[i].required));
		json_array_append_new(a, o);
	}
	json_object_set_new(doc, "checks", a);
	o = json_object();
	json_object_set_new(o, "digest_alg", json_string(md_name(s->digest_nid)));
	json_object_set_new(o, "signature_alg", json_string(md_name(s->sig_nid)));
	if (s->has_signing_time) {
		nid_time_text(s->signing_time, 1, buf, sizeof(buf));
		json_object_set_new(o, "signing_time", json_string(buf));
	} else
		json_object_set_new(o, "signing_time", json_null());
	json_object_set_new(doc, "signer_info", o);
	json_object_set_new(doc, "ds", r->ds != NULL ? cert_json(r->ds) :
	    json_null());
	if (r->csca != NULL) {
		o = cert_json(r->csca->cert);
		json_object_set_new(o, "self_signed",
		    json_boolean(r->csca->self_signed));
		json_object_set_new(o, "valid_at_check_time",
		    json_boolean(r->csca_valid));
		json_object_set_new(o, "source", cli_json_str(r->csca->source));
		json_object_set_new(o, "unverified_source",
		    json_boolean(r->csca->from_masterlist_unverified));
		json_object_set_new(o, "others_verifying",
		    json_integer((json_int_t)r->csca_others));
		json_object_set_new(doc, "csca", o);
	} else
		json_object_set_new(doc, "csca", json_null());
	if (s->kind == NID_SOD_KIND_SOD) {
		o = json_object();
		json_object_set_new(o, "version", json_integer(s->lds_version));
		json_object_set_new(o, "lds_version_info", s->lds_version == 1 ?
		    json_string(s->lds_version_info) : json_null());
		json_object_set_new(o, "unicode_version", s->lds_version == 1 ?
		    json_string(s->unicode_version) : json_null());
		json_object_set_new(o, "hash_alg",
		    json_string(md_name(s->lds_md_nid)));
		a = json_array();
		for (i = 0; i < r->ndgs; i++) {
			d = json_object();
			json_object_set_new(d, "n", json_integer(r->dgs[i].n));
			json_object_set_new(d, "hash", cli_json_hex(
			    r->dgs[i].hash, r->dgs[i].hash_len));
			json_object_set_new(d, "status", json_string(
			    nid_pa_dg_status_str(r->dgs[i].status)));
			json_array_append_new(a, d);
		}
		json_object_set_new(o, "dgs", a);
		json_object_set_new(doc, "lds", o);
	} else
		json_object_set_new(doc, "lds", json_null());
	o = json_object();
	json_object_set_new(o, "anchors", json_integer((json_int_t)t->nanchors));
	json_object_set_new(o, "masterlists",
	    json_integer((json_int_t)t->nmasterlists));
	json_object_set_new(o, "crls", json_integer((json_int_t)t->ncrls));
	json_object_set_new(o, "unverified_masterlists",
	    json_boolean(t->unverified_masterlists));
	json_object_set_new(o, "source", cli_json_str(trust_desc));
	json_object_set_new(doc, "trust", o);
	json_object_set_new(doc, "verdict",
	    json_string(nid_pa_verdict_str(r->verdict)));
	return doc;
}

/* ---- main --------------------------------------------------------------- */

static int
parse_args(int argc, char **argv, struct vopts *o)
{
	enum { O_DG = 256, O_CS, O_JSON };
	static const struct option lopts[] = {
		CLI_TRUST_OPTIONS,
		{ "dg", required_argument, NULL, O_DG },
		{ "card-security", required_argument, NULL, O_CS },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	unsigned long n;
	int c, r;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		if ((r = cli_trust_opt(CMD, &o->trust, c, optarg)) >= 0) {
			if (r != NID_EXIT_OK)
				return r;
			continue;
		}
		switch (c) {
		case 'h':
			verify_usage(stdout);
			return -1;
		case O_DG:
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '=' ||
			    n < 1 || n > 16 || end[1] == '\0')
				return cli_usage_error(CMD, "--dg: N=FILE with "
				    "N in 1..16, not '%s'", optarg);
			if (o->ndg >= NID_PA_MAX_INPUT_DGS)
				return cli_usage_error(CMD, "too many --dg");
			o->dg[o->ndg].n = (unsigned)n;
			o->dg[o->ndg].file = end + 1;
			o->ndg++;
			break;
		case O_CS:
			o->card_security = optarg;
			break;
		case O_JSON:
			o->json = 1;
			break;
		default:
			return cli_usage_error(CMD, "unknown or incomplete "
			    "option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(CMD, optind >= argc ? "PATH missing" :
		    "one PATH only");
	o->path = argv[optind];
	return NID_EXIT_OK;
}

static int
verify_run(int argc, char **argv)
{
	struct vopts o;
	struct input in;
	struct nid_pa_opts po;
	struct nid_pa_report rep;
	struct nid_pa_dg_input dgs[NID_PA_MAX_INPUT_DGS];
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL;
	nid_sod_t *sod = NULL, *cs = NULL;
	char trust_desc[600];
	size_t i;
	int ex, rc;

	memset(&in, 0, sizeof(in));
	memset(&rep, 0, sizeof(rep));
	if ((ex = parse_args(argc, argv, &o)) != NID_EXIT_OK)
		return ex < 0 ? NID_EXIT_OK : ex;
	if ((rc = cli_ctx_new(&ctx)) != NID_OK)
		return cli_fail(CMD, o.json, NID_EXIT_INTERNAL, rc, 0, 0, "%s",
		    nid_strerror(rc));
	if ((ex = resolve_input(&o, &in)) != NID_EXIT_OK)
		goto out;
	if (in.sod_path != NULL) {
		if ((ex = load_object(ctx, &o, in.sod_path, &sod)) !=
		    NID_EXIT_OK)
			goto out;
	} else {
		/* A folder with only EF.CardSecurity: verify that. */
		in.sod_path = in.cs_path;
		in.cs_path = NULL;
		if ((ex = load_object(ctx, &o, in.sod_path, &sod)) !=
		    NID_EXIT_OK)
			goto out;
	}
	if (in.cs_path != NULL) {
		if ((ex = load_object(ctx, &o, in.cs_path, &cs)) != NID_EXIT_OK)
			goto out;
		if (cs->kind != NID_SOD_KIND_CARD_SECURITY) {
			ex = cli_fail(CMD, o.json, NID_EXIT_USAGE,
			    NID_E_MALFORMED, 0, 0, "%s: not an EF.CardSecurity",
			    in.cs_path);
			goto out;
		}
	}
	if ((ex = cli_trust_load(CMD, o.json, ctx, &o.trust, &t, trust_desc,
	    sizeof(trust_desc))) != NID_EXIT_OK)
		goto out;
	for (i = 0; i < in.ndg; i++) {
		dgs[i].n = in.dg[i].n;
		dgs[i].p = in.dg[i].p;
		dgs[i].len = in.dg[i].len;
	}
	po.t_ref = o.trust.at_given ? o.trust.at : time(NULL);
	po.crl_policy = o.trust.crl_policy;
	if ((rc = nid_pa_verify(ctx, sod, t, dgs, in.ndg, cs, &po, &rep)) !=
	    NID_OK) {
		ex = cli_fail(CMD, o.json, cli_exit_for_rc(rc, 1), rc, 0, 0,
		    "%s: %s", nid_strerror(rc), nid_ctx_detail(ctx));
		goto out;
	}
	if (o.json)
		cli_json_print(report_json(&in, sod, t, trust_desc, &rep));
	else
		print_text(&o, &in, sod, t, trust_desc, &rep);
	ex = rep.verdict == NID_PA_PASS ? NID_EXIT_OK :
	    rep.verdict == NID_PA_WARN ? NID_EXIT_WARN : NID_EXIT_FAIL;
 out:
	nid_pa_report_clear(&rep);
	nid_sod_free(&sod);
	nid_sod_free(&cs);
	nid_trust_free(&t);
	input_free(&in);
	nid_ctx_free(&ctx);
	return ex;
}

const struct cli_cmd cli_cmd_verify = {
	"verify",
	"passive authentication of EF.SOD and data groups (offline)",
	verify_run,
	verify_usage,
};
