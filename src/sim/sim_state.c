/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_state.c — the state file tests read back (nidcard.sim-state/1, see
 * docs/card-image.md): APDUs seen, per-INS counts, PIN counters. Written
 * after every APDU and at exit, atomically (a temporary file in the same
 * directory, then rename(2)), so a reader never sees half a document.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "sim.h"

int
nid_sim_card_set_state_file(nid_sim_card *card, const char *path)
{
	char *p = NULL;

	if (path != NULL && (p = strdup(path)) == NULL)
		return NID_E_NOMEM;
	free(card->state_path);
	card->state_path = p;
	return NID_OK;
}

static json_t *
state_doc(const nid_sim_card *card)
{
	json_t *doc, *ins, *pins, *pin;
	char key[3], fid[5];
	size_t i;
	int bad = 0;

	if ((doc = json_object()) == NULL)
		return NULL;
	ins = json_object();
	pins = json_array();
	bad |= json_object_set_new(doc, "schema",
	    json_string("nidcard.sim-state/1"));
	bad |= json_object_set_new(doc, "apdus", json_integer(
	    (json_int_t)card->apdus));
	bad |= json_object_set_new(doc, "resets", json_integer(
	    (json_int_t)card->resets));
	bad |= json_object_set_new(doc, "removed",
	    json_boolean(card->removed));
	for (i = 0; i < 256; i++) {
		if (card->ins_count[i] == 0 || ins == NULL)
			continue;
		(void)snprintf(key, sizeof(key), "%02zX", i);
		bad |= json_object_set_new(ins, key,
		    json_integer((json_int_t)card->ins_count[i]));
	}
	bad |= json_object_set_new(doc, "ins", ins);
	for (i = 0; i < card->npins && pins != NULL; i++) {
		const nid_sim_pin *p = &card->pins[i];

		(void)snprintf(key, sizeof(key), "%02X", p->ref);
		if ((pin = json_object()) == NULL) {
			bad = 1;
			break;
		}
		bad |= json_object_set_new(pin, "ref", json_string(key));
		if (p->name != NULL)
			bad |= json_object_set_new(pin, "name",
			    json_string(p->name));
		bad |= json_object_set_new(pin, "tries",
		    json_integer(p->tries));
		bad |= json_object_set_new(pin, "max_tries",
		    json_integer(p->max_tries));
		bad |= json_object_set_new(pin, "state",
		    json_string(nid_sim_pin_state_name(p->state)));
		bad |= json_object_set_new(pin, "verified",
		    json_boolean(p->verified));
		bad |= json_array_append_new(pins, pin);
	}
	bad |= json_object_set_new(doc, "pins", pins);
	(void)snprintf(fid, sizeof(fid), "%04X",
	    card->files[card->cur_df].fid);
	bad |= json_object_set_new(doc, "current_df", json_string(fid));
	if (card->cur_ef >= 0) {
		(void)snprintf(fid, sizeof(fid), "%04X",
		    card->files[card->cur_ef].fid);
		bad |= json_object_set_new(doc, "current_ef", json_string(fid));
	} else
		bad |= json_object_set_new(doc, "current_ef", json_null());
	if (bad) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int
nid_sim_card_write_state(const nid_sim_card *card)
{
	json_t *doc = NULL;
	char tmp[4200];
	int rc;

	if (card->state_path == NULL)
		return NID_OK;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", card->state_path,
	    (long)getpid()) >= sizeof(tmp))
		return NID_E_INVALID_ARG;
	if ((doc = state_doc(card)) == NULL)
		return NID_E_NOMEM;
	if (json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
		rc = NID_E_IO;
		(void)unlink(tmp);
		goto out;
	}
	if (rename(tmp, card->state_path) != 0) {
		(void)unlink(tmp);
		rc = NID_E_IO;
		goto out;
	}
	rc = NID_OK;
out:
	json_decref(doc);
	return rc;
}
