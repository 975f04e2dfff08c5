/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * report.c — the nidcard.status/1 document (docs/json.md,
 * docs/status.schema.json), printed by `nidcard status --json` and stored
 * by `nidcard dump --report`.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "status.h"

/* The checks that decided the verdict. */
int
cli_status_decides(const struct nid_status_report *r, const struct nid_check *c)
{
	if (r->verdict == NID_PA_FAIL)
		return c->result == NID_CHECK_FAIL;
	if (r->verdict == NID_PA_WARN)
		return c->required && (c->result == NID_CHECK_UNKNOWN ||
		    c->result == NID_CHECK_SKIPPED);
	return 0;
}

/* YYMMDD of a birth date → YYYY-MM-DD: a birth year after this year's
 * two digits is of the last century (ICAO 9303-3 gives two digits). */
void
cli_birth_text(const char *yymmdd, time_t t_ref, char *out, size_t len)
{
	struct tm tm;
	int yy, cur;

	if (strlen(yymmdd) != 6 || strspn(yymmdd, "0123456789") != 6 ||
	    gmtime_r(&t_ref, &tm) == NULL) {
		(void)snprintf(out, len, "%s", yymmdd);
		return;
	}
	yy = (yymmdd[0] - '0') * 10 + (yymmdd[1] - '0');
	cur = tm.tm_year % 100;
	(void)snprintf(out, len, "%d-%.2s-%.2s", (yy > cur ? 1900 : 2000) + yy,
	    yymmdd + 2, yymmdd + 4);
}

static json_t *
jstr_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? cli_json_str(s) : json_null();
}

json_t *
cli_status_json(const struct nid_status_report *r, const char *reader,
    const uint8_t *atr, size_t atr_len, const struct cli_photo *ph, time_t t_ref)
{
	json_t *doc = json_object(), *o, *a, *reasons = json_array();
	const struct nid_mrz *m = r->have_dg1 ? &r->dg1.mrz : NULL;
	const struct nid_emrtd_file *f;
	const struct nid_check *c;
	char buf[16];
	size_t i;

	json_object_set_new(doc, "schema", json_string("nidcard.status/1"));
	json_object_set_new(doc, "reader", cli_json_str(reader));

	o = json_object();
	json_object_set_new(o, "atr", atr_len > 0 ? cli_json_hex(atr, atr_len) :
	    json_null());
	json_object_set_new(o, "profile", json_string(r->read.card_access ?
	    "icao-9303-pace" : "icao-9303-bac"));
	json_object_set_new(doc, "card", o);

	json_object_set_new(doc, "access", cli_access_json(&r->read));

	o = json_object();
	if (m != NULL) {
		cli_birth_text(m->birth, t_ref, buf, sizeof(buf));
		json_object_set_new(o, "format",
		    json_string(nid_mrz_format_name(m->format)));
		json_object_set_new(o, "document_code",
		    cli_json_str(m->doc_code));
		json_object_set_new(o, "issuing_state", cli_json_str(m->issuer));
		json_object_set_new(o, "document_number",
		    cli_json_str(m->doc_number));
		json_object_set_new(o, "surname", cli_json_str(m->primary));
		json_object_set_new(o, "given_names",
		    cli_json_str(m->secondary));
		json_object_set_new(o, "nationality",
		    cli_json_str(m->nationality));
		json_object_set_new(o, "birth_date", cli_json_str(buf));
		(void)snprintf(buf, sizeof(buf), "%c", m->sex);
		json_object_set_new(o, "sex", cli_json_str(buf));
		json_object_set_new(o, "expiry_date", jstr_or_null(r->expiry));
	}
	a = json_array();
	for (i = 0; i < r->read.nfiles; i++) {
		f = &r->read.files[i];
		if (f->dg >= 1 && f->state == NID_EMRTD_F_READ)
			json_array_append_new(a, cli_json_str(f->name));
	}
	json_object_set_new(o, "dgs", a);
	json_object_set_new(doc, "document", o);

	o = json_object();
	json_object_set_new(o, "mechanism", jstr_or_null(r->chip.mechanism));
	json_object_set_new(o, "algorithm", jstr_or_null(r->chip.algorithm));
	json_object_set_new(o, "key_dg", r->chip.key_dg > 0 ?
	    json_integer(r->chip.key_dg) : json_null());
	json_object_set_new(o, "apdus", json_integer((json_int_t)r->chip.apdus));
	json_object_set_new(doc, "chip", o);

	a = json_array();
	for (i = 0; i < r->nchecks; i++) {
		c = &r->checks[i];
		o = json_object();
		json_object_set_new(o, "id", json_string(c->id));
		json_object_set_new(o, "result",
		    json_string(nid_check_result_str(c->result)));
		json_object_set_new(o, "required", json_boolean(c->required));
		json_object_set_new(o, "reason", cli_json_str(c->reason));
		json_array_append_new(a, o);
		if (cli_status_decides(r, c))
			json_array_append_new(reasons, json_string(c->id));
	}
	json_object_set_new(doc, "checks", a);
	json_object_set_new(doc, "verdict",
	    json_string(nid_pa_verdict_str(r->verdict)));
	json_object_set_new(doc, "reasons", reasons);

	if (ph != NULL && ph->path != NULL) {
		o = json_object();
		json_object_set_new(o, "path", cli_json_str(ph->path));
		json_object_set_new(o, "written", json_boolean(ph->written));
		if (ph->written) {
			json_object_set_new(o, "format", json_string(ph->format));
			json_object_set_new(o, "bytes",
			    json_integer((json_int_t)ph->bytes));
			json_object_set_new(o, "width", json_integer(ph->width));
			json_object_set_new(o, "height",
			    json_integer(ph->height));
		} else
			json_object_set_new(o, "error", cli_json_str(ph->error));
		json_object_set_new(doc, "photo", o);
	} else
		json_object_set_new(doc, "photo", json_null());

	o = json_object();
	json_object_set_new(o, "access", json_integer((json_int_t)
	    r->read.ms_access));
	json_object_set_new(o, "authentication", json_integer((json_int_t)
	    r->read.ms_auth));
	json_object_set_new(o, "reading", json_integer((json_int_t)
	    r->read.ms_read));
	json_object_set_new(o, "chip_authentication",
	    json_integer((json_int_t)r->ms_chip));
	json_object_set_new(o, "verification",
	    json_integer((json_int_t)r->ms_verify));
	json_object_set_new(o, "total", json_integer((json_int_t)r->ms_total));
	json_object_set_new(doc, "timing", o);
	json_object_set_new(doc, "apdus", json_integer((json_int_t)
	    r->read.apdus));
	return doc;
}


int
cli_chip_mode(const char *s)
{
	if (strcmp(s, "auto") == 0)
		return NID_CHIP_AUTO;
	if (strcmp(s, "ca") == 0)
		return NID_CHIP_CA;
	if (strcmp(s, "aa") == 0)
		return NID_CHIP_AA;
	if (strcmp(s, "none") == 0)
		return NID_CHIP_SKIP;
	return -1;
}
