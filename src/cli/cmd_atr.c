/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * cmd_atr.c — nidcard atr HEX... [--json] [--list FILE]
 *
 * Decodes an ATR given on the command line (ISO/IEC 7816-3 §8, historical
 * bytes per ISO/IEC 7816-4 §8.1.1) and names the card from pcsc-tools'
 * smartcard_list.txt. Exit 0 when the ATR is well-formed, 2 when it is
 * malformed (what could be decoded is still printed) or not hex.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "atr.h"
#include "atrlist.h"

#define CMD "atr"

static void
atr_usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: %s atr HEX... [--json] [--list FILE]\n"
	    "Decode an Answer-to-Reset (ISO/IEC 7816-3) and name the card.\n\n"
	    "  HEX...       the ATR in hex, in one or several arguments,\n"
	    "               spaces and ':' between bytes optional\n"
	    "  --json       print a nidcard.atr/1 JSON document\n"
	    "  --list FILE  card names from FILE (smartcard_list.txt format;\n"
	    "               default %s)\n"
	    "  -h, --help   show this help\n\n"
	    "Exit status: 0 well-formed ATR, 2 malformed ATR or bad arguments.\n",
	    cli_progname, NID_SMARTCARD_LIST);
}

struct names {
	const char **v;
	size_t n;
	int known;          /* the list was loaded */
	const char *path;
	char why[NID_DETAIL_MAX];
};

static int
load_names(const char *path, int explicit, const uint8_t *atr, size_t len,
    nid_atrlist_t **list, struct names *nm)
{
	nid_ctx_t *ctx = NULL;
	int rc;

	memset(nm, 0, sizeof(*nm));
	nm->path = path != NULL ? path : NID_SMARTCARD_LIST;
	if ((rc = cli_ctx_new(&ctx)) != NID_OK)
		return rc;
	rc = nid_atrlist_load(ctx, path, list);
	if (rc != NID_OK) {
		(void)snprintf(nm->why, sizeof(nm->why), "%s",
		    nid_ctx_detail(ctx));
		nid_ctx_free(&ctx);
		/* The default list missing means "names unknown". */
		return (explicit || rc == NID_E_NOMEM) ? rc : NID_OK;
	}
	nid_ctx_free(&ctx);
	nm->known = 1;
	return nid_atrlist_match(*list, atr, len, &nm->v, &nm->n);
}

/* ---- text ------------------------------------------------------------ */

static void
print_text(const nid_atr *a, const uint8_t *p, size_t len,
    const struct names *nm)
{
	char buf[256];
	size_t i, j, hl;
	nid_atr_caps_t caps;

	printf("ATR:");
	for (i = 0; i < len; i++)
		printf(" %02X", p[i]);
	printf("\n");
	if (len >= 1)
		printf("  TS    %02X  %s\n", a->ts,
		    a->conv == NID_ATR_CONV_DIRECT ? "direct convention" :
		    a->conv == NID_ATR_CONV_INVERSE ? "inverse convention" :
		    "invalid");
	if (a->has_t0)
		printf("  T0    %02X  Y1:%s%s%s%s%s; K=%u historical byte%s\n",
		    a->t0, (a->t0 & 0x10) ? " TA1" : "",
		    (a->t0 & 0x20) ? " TB1" : "", (a->t0 & 0x40) ? " TC1" : "",
		    (a->t0 & 0x80) ? " TD1" : "", (a->t0 & 0xf0) ? "" : " none",
		    a->k, a->k == 1 ? "" : "s");
	for (i = 0; i < a->nib; i++)
		printf("  T%c%-3u %02X  %s\n", a->ib[i].kind, a->ib[i].index,
		    a->ib[i].value, nid_atr_ibyte_str(a, i, buf, sizeof(buf)));
	hl = a->hist.len;
	if (hl > 0) {
		printf("  hist ");
		for (i = 0; i < hl; i++)
			printf(" %02X", a->hist.bytes[i]);
		printf("  (%zu byte%s)\n", hl, hl == 1 ? "" : "s");
	}
	if (a->tck == NID_ATR_TCK_OK || a->tck == NID_ATR_TCK_BAD)
		printf("  TCK   %02X  %s\n", a->tck_value,
		    a->tck == NID_ATR_TCK_OK ? "correct" : "wrong");

	if (a->has_t0) {
		printf("Protocols:");
		for (i = 0; i < 15; i++)
			if (a->protocols & (1u << i))
				printf(" T=%zu", i);
		if (a->has_t15)
			printf(" (+T=15 global bytes)");
		if (a->has_ta2)
			printf("; specific mode T=%u", a->specific_proto);
		printf("\n");
	}
	if (a->contactless)
		printf("Contactless card (PC/SC Part 3 pseudo-ATR)\n");
	if (hl > 0) {
		printf("Historical bytes: %s\n",
		    nid_atr_hist_kind_str(a->hist.kind));
		for (j = 0; j < a->hist.nobjs; j++) {
			printf("  %s\n", nid_atr_obj_str(a, j, buf, sizeof(buf)));
			if (a->hist.objs[j].tag == 0x7)
				for (i = 1; i <= a->hist.ncaps; i++)
					printf("    %s\n", nid_atr_caps_str(a,
					    (unsigned)i, buf, sizeof(buf)));
		}
		if (a->hist.kind == NID_ATR_HIST_COMPACT_00 &&
		    a->hist.lcs >= 0)
			printf("  status indicator: LCS %02X (%s), SW %04X\n",
			    a->hist.lcs, nid_atr_lcs_str((uint8_t)a->hist.lcs),
			    (unsigned)a->hist.sw);
		if (a->hist.dir_ref >= 0)
			printf("  DIR data reference %02X\n", a->hist.dir_ref);
		if (a->hist.kind == NID_ATR_HIST_PCSC_STORAGE) {
			const char *s = nid_atr_pcsc_standard_str(a->hist.pcsc_ss);
			const char *nn = nid_atr_pcsc_name_str(a->hist.pcsc_name);

			printf("  RID A000000306 (PC/SC), standard %02X %s, "
			    "card name %04X %s\n", a->hist.pcsc_ss,
			    s != NULL ? s : "(unknown)", a->hist.pcsc_name,
			    nn != NULL ? nn : "(unknown)");
		}
		if (a->hist.warn != NULL)
			printf("  note: %s (offset %zu)\n", a->hist.warn,
			    a->hist.warn_offset);
	}
	switch (a->tck) {
	case NID_ATR_TCK_OK:
		printf("TCK: correct (%02X)\n", a->tck_value);
		break;
	case NID_ATR_TCK_BAD:
		printf("TCK: wrong (%02X, expected %02X)\n", a->tck_value,
		    a->tck_expected);
		break;
	case NID_ATR_TCK_ABSENT:
		printf("TCK: absent (only T=0 indicated)\n");
		break;
	case NID_ATR_TCK_MISSING:
		printf("TCK: missing\n");
		break;
	default:
		break;
	}
	nid_atr_caps(a, &caps);
	if (caps.ext_lc_le >= 0)
		printf("Card I/O: extended Lc/Le %s, command chaining %s\n",
		    caps.ext_lc_le ? "supported" : "not supported",
		    caps.chaining ? "supported" : "not supported");
	if (!nm->known)
		printf("Card names: unknown (%s)\n", nm->why);
	else if (nm->n == 0)
		printf("Card names: none in %s\n", nm->path);
	else {
		printf("Card names (%s):\n", nm->path);
		for (i = 0; i < nm->n; i++)
			printf("  %s\n", nm->v[i]);
	}
}

/* ---- JSON ------------------------------------------------------------ */

static json_t *
json_hex8(uint8_t v)
{
	char s[3];

	(void)snprintf(s, sizeof(s), "%02X", v);
	return json_string(s);
}

static json_t *
json_tri(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static json_t *
json_int_or_null(int v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *
json_hist(const nid_atr *a)
{
	const nid_atr_hist *h = &a->hist;
	json_t *o = json_object(), *objs, *x, *caps;
	char buf[256], hx[16];
	size_t j;
	static const char *kinds[] = { "none", "compact-tlv-status",
	    "compact-tlv", "dir-reference", "rfu", "proprietary",
	    "pcsc-storage-card" };

	json_object_set_new(o, "bytes", cli_json_hex(h->bytes, h->len));
	json_object_set_new(o, "offset", json_integer((json_int_t)h->offset));
	json_object_set_new(o, "category", h->len > 0 ?
	    json_hex8(h->bytes[0]) : json_null());
	json_object_set_new(o, "kind", json_string(kinds[h->kind]));
	objs = json_array();
	for (j = 0; j < h->nobjs; j++) {
		x = json_object();
		(void)snprintf(hx, sizeof(hx), "%X", h->objs[j].tag);
		json_object_set_new(x, "tag", json_string(hx));
		json_object_set_new(x, "name",
		    json_string(nid_atr_tag_name(h->objs[j].tag)));
		json_object_set_new(x, "value", cli_json_hex(h->bytes +
		    h->objs[j].offset, h->objs[j].len));
		json_object_set_new(x, "text", cli_json_str(nid_atr_obj_str(a,
		    j, buf, sizeof(buf))));
		json_array_append_new(objs, x);
	}
	json_object_set_new(o, "objects", objs);
	if (h->lcs >= 0 || h->sw >= 0) {
		x = json_object();
		json_object_set_new(x, "lcs", h->lcs >= 0 ?
		    json_hex8((uint8_t)h->lcs) : json_null());
		json_object_set_new(x, "lcs_text", h->lcs >= 0 ?
		    json_string(nid_atr_lcs_str((uint8_t)h->lcs)) : json_null());
		if (h->sw >= 0) {
			(void)snprintf(hx, sizeof(hx), "%04X", (unsigned)h->sw);
			json_object_set_new(x, "sw", json_string(hx));
		} else
			json_object_set_new(x, "sw", json_null());
		json_object_set_new(o, "status_indicator", x);
	} else
		json_object_set_new(o, "status_indicator", json_null());
	if (h->ncaps > 0) {
		caps = json_object();
		json_object_set_new(caps, "bytes", cli_json_hex(h->caps,
		    h->ncaps));
		if (h->ncaps >= 1)
			json_object_set_new(caps, "selection",
			    cli_json_str(nid_atr_caps_str(a, 1, buf,
			    sizeof(buf))));
		if (h->ncaps >= 2)
			json_object_set_new(caps, "data_coding",
			    cli_json_str(nid_atr_caps_str(a, 2, buf,
			    sizeof(buf))));
		if (h->ncaps >= 3) {
			json_object_set_new(caps, "command_chaining",
			    json_boolean(h->caps[2] & 0x80));
			json_object_set_new(caps, "extended_lc_le",
			    json_boolean(h->caps[2] & 0x40));
			json_object_set_new(caps, "logical_channels",
			    cli_json_str(nid_atr_caps_str(a, 3, buf,
			    sizeof(buf))));
		}
		json_object_set_new(o, "card_capabilities", caps);
	} else
		json_object_set_new(o, "card_capabilities", json_null());
	if (h->kind == NID_ATR_HIST_PCSC_STORAGE) {
		const char *s = nid_atr_pcsc_standard_str(h->pcsc_ss);
		const char *nn = nid_atr_pcsc_name_str(h->pcsc_name);

		x = json_object();
		json_object_set_new(x, "rid", json_string("A000000306"));
		json_object_set_new(x, "standard", json_hex8(h->pcsc_ss));
		json_object_set_new(x, "standard_text", s != NULL ?
		    json_string(s) : json_null());
		(void)snprintf(hx, sizeof(hx), "%04X", h->pcsc_name);
		json_object_set_new(x, "card_name", json_string(hx));
		json_object_set_new(x, "card_name_text", nn != NULL ?
		    json_string(nn) : json_null());
		json_object_set_new(o, "pcsc_storage_card", x);
	}
	if (h->dir_ref >= 0)
		json_object_set_new(o, "dir_reference",
		    json_hex8((uint8_t)h->dir_ref));
	if (h->warn != NULL) {
		x = json_object();
		json_object_set_new(x, "message", json_string(h->warn));
		json_object_set_new(x, "offset",
		    json_integer((json_int_t)h->warn_offset));
		json_object_set_new(o, "warning", x);
	} else
		json_object_set_new(o, "warning", json_null());
	return o;
}

static json_t *
json_doc(const nid_atr *a, const uint8_t *p, size_t len,
    const struct names *nm)
{
	json_t *d = json_object(), *arr, *x;
	char buf[256], name[8];
	size_t i;
	nid_atr_caps_t caps;

	json_object_set_new(d, "schema", json_string("nidcard.atr/1"));
	json_object_set_new(d, "atr", cli_json_hex(p, len));
	json_object_set_new(d, "well_formed", json_boolean(a->rc == NID_OK));
	if (a->rc != NID_OK) {
		x = json_object();
		json_object_set_new(x, "error",
		    json_string(nid_strerror_name(a->rc)));
		json_object_set_new(x, "message", cli_json_str(a->err_msg));
		json_object_set_new(x, "offset",
		    json_integer((json_int_t)a->err_offset));
		json_object_set_new(d, "error", x);
	} else
		json_object_set_new(d, "error", json_null());
	json_object_set_new(d, "convention",
	    a->conv == NID_ATR_CONV_DIRECT ? json_string("direct") :
	    a->conv == NID_ATR_CONV_INVERSE ? json_string("inverse") :
	    json_null());
	json_object_set_new(d, "ts", len >= 1 ? json_hex8(a->ts) : json_null());
	json_object_set_new(d, "t0", a->has_t0 ? json_hex8(a->t0) :
	    json_null());
	json_object_set_new(d, "historical_count", a->has_t0 ?
	    json_integer(a->k) : json_null());
	arr = json_array();
	for (i = 0; i < a->nib; i++) {
		x = json_object();
		(void)snprintf(name, sizeof(name), "T%c%u", a->ib[i].kind,
		    a->ib[i].index);
		json_object_set_new(x, "name", json_string(name));
		json_object_set_new(x, "value", json_hex8(a->ib[i].value));
		json_object_set_new(x, "offset",
		    json_integer((json_int_t)a->ib[i].offset));
		json_object_set_new(x, "protocol",
		    a->ib[i].proto == NID_ATR_GLOBAL ? json_null() :
		    json_integer(a->ib[i].proto));
		json_object_set_new(x, "meaning", cli_json_str(
		    nid_atr_ibyte_str(a, i, buf, sizeof(buf))));
		json_array_append_new(arr, x);
	}
	json_object_set_new(d, "interface_bytes", arr);
	arr = json_array();
	for (i = 0; i < 15 && a->has_t0; i++)
		if (a->protocols & (1u << i))
			json_array_append_new(arr, json_integer((json_int_t)i));
	json_object_set_new(d, "protocols", arr);
	json_object_set_new(d, "fi", a->fi ? json_integer(a->fi) : json_null());
	json_object_set_new(d, "di", a->di ? json_integer(a->di) : json_null());
	json_object_set_new(d, "fmax_khz", a->fmax_khz ?
	    json_integer(a->fmax_khz) : json_null());
	json_object_set_new(d, "extra_guard_time", json_int_or_null(a->guard_n));
	if (a->has_ta2) {
		x = json_object();
		json_object_set_new(x, "protocol",
		    json_integer(a->specific_proto));
		json_object_set_new(x, "implicit",
		    json_boolean(a->specific_implicit));
		json_object_set_new(x, "changeable",
		    json_boolean(!a->specific_fixed));
		json_object_set_new(d, "specific_mode", x);
	} else
		json_object_set_new(d, "specific_mode", json_null());
	json_object_set_new(d, "t0_wi", json_int_or_null(a->wi));
	if (a->protocols & 0x2u) {
		x = json_object();
		json_object_set_new(x, "ifsc", json_integer(a->ifsc >= 0 ?
		    a->ifsc : 32));
		json_object_set_new(x, "bwi", json_integer(a->bwi >= 0 ?
		    a->bwi : 4));
		json_object_set_new(x, "cwi", json_integer(a->cwi >= 0 ?
		    a->cwi : 13));
		json_object_set_new(x, "edc", json_string(a->edc_crc == 1 ?
		    "CRC" : "LRC"));
		json_object_set_new(d, "t1", x);
	} else
		json_object_set_new(d, "t1", json_null());
	if (a->has_t15) {
		x = json_object();
		json_object_set_new(x, "clock_stop", a->clock_stop >= 0 ?
		    json_string(nid_atr_clock_stop_str(a->clock_stop)) :
		    json_null());
		json_object_set_new(x, "classes", a->class_ind >= 0 ?
		    cli_json_str(nid_atr_class_str(a->class_ind, buf,
		    sizeof(buf))) : json_null());
		json_object_set_new(x, "spu", a->spu >= 0 ?
		    json_hex8((uint8_t)a->spu) : json_null());
		json_object_set_new(d, "t15", x);
	} else
		json_object_set_new(d, "t15", json_null());
	json_object_set_new(d, "contactless", json_boolean(a->contactless));
	json_object_set_new(d, "historical", json_hist(a));
	x = json_object();
	json_object_set_new(x, "status", json_string(nid_atr_tck_str(a->tck)));
	if (a->tck == NID_ATR_TCK_OK || a->tck == NID_ATR_TCK_BAD) {
		json_object_set_new(x, "value", json_hex8(a->tck_value));
		json_object_set_new(x, "expected", json_hex8(a->tck_expected));
	}
	json_object_set_new(d, "tck", x);
	nid_atr_caps(a, &caps);
	x = json_object();
	json_object_set_new(x, "extended_lc_le", json_tri(caps.ext_lc_le));
	json_object_set_new(x, "command_chaining", json_tri(caps.chaining));
	json_object_set_new(d, "card_io", x);
	if (nm->known) {
		arr = json_array();
		for (i = 0; i < nm->n; i++)
			json_array_append_new(arr, cli_json_str(nm->v[i]));
		json_object_set_new(d, "names", arr);
		json_object_set_new(d, "names_source", cli_json_str(nm->path));
	} else {
		json_object_set_new(d, "names", json_null());
		json_object_set_new(d, "names_source", json_null());
	}
	return d;
}

static int
atr_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "list", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *list_path = NULL;
	nid_atrlist_t *list = NULL;
	struct names nm;
	nid_atr a;
	nid_buf hex, bytes;
	size_t bad = 0, i;
	int ch, json = 0, rc, ret;

	memset(&nm, 0, sizeof(nm));
	nid_buf_init(&hex, 4096);
	nid_buf_init(&bytes, 1024);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'l':
			list_path = optarg;
			break;
		case 'h':
			atr_usage(stdout);
			ret = NID_EXIT_OK;
			goto out;
		default:
			ret = cli_usage_error(CMD, "unknown option or missing "
			    "argument: '%s'", argv[optind - 1]);
			goto out;
		}
	}
	/* GNU getopt permutes: options may also follow the hex. */
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if ((hex.len > 0 && nid_buf_put_u8(&hex, ' ') != NID_OK) ||
		    nid_buf_put(&hex, argv[i], strlen(argv[i])) != NID_OK) {
			ret = cli_fail(CMD, json, NID_EXIT_USAGE, NID_E_TOO_LARGE,
			    0, 0, "ATR text too long");
			goto out;
		}
	}
	if (hex.len == 0) {
		ret = cli_usage_error(CMD, "no ATR given");
		goto out;
	}
	if (nid_buf_put_u8(&hex, '\0') != NID_OK) {
		ret = cli_fail(CMD, json, NID_EXIT_USAGE, NID_E_TOO_LARGE, 0, 0,
		    "ATR text too long");
		goto out;
	}
	if ((rc = nid_hex_decode((const char *)hex.p, &bytes, &bad)) != NID_OK) {
		ret = cli_fail(CMD, json, cli_exit_for_rc(rc, 1), rc, 0, 0,
		    "not hex at character %zu of \"%s\"", bad + 1,
		    (const char *)hex.p);
		goto out;
	}
	rc = nid_atr_parse(bytes.p, bytes.len, &a);
	if ((ch = load_names(list_path, list_path != NULL, bytes.p, bytes.len,
	    &list, &nm)) != NID_OK) {
		ret = cli_fail(CMD, json, cli_exit_for_rc(ch, 1), ch, 0, 0,
		    "cannot read the card list: %s", nm.why[0] ? nm.why :
		    nid_strerror(ch));
		goto out;
	}
	if (json)
		cli_json_print(json_doc(&a, bytes.p, bytes.len, &nm));
	else
		print_text(&a, bytes.p, bytes.len, &nm);
	if (rc != NID_OK) {
		/* One document only: the error is inside it with --json. */
		ret = cli_fail(CMD, 0, cli_exit_for_rc(rc, 1), rc, 0, 0,
		    "malformed ATR at offset %zu: %s", a.err_offset, a.err_msg);
		goto out;
	}
	ret = NID_EXIT_OK;
 out:
	free(nm.v);
	nid_atrlist_free(&list);
	nid_buf_clear(&hex);
	nid_buf_clear(&bytes);
	return ret;
}

const struct cli_cmd cli_cmd_atr = {
	"atr",
	"decode an ATR and name the card",
	atr_run,
	atr_usage,
};
