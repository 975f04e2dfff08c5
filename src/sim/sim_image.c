/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_image.c — load and validate a card image: a folder holding card.json
 * and the elementary files' bytes (docs/card-image.md). Every field is
 * checked; the first error is reported with its JSON path, e.g.
 * "card.json: files.children[1].sfi: 31 is not a short EF identifier (1..30)".
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "sim.h"
#include "sim_icao.h"

#define IMAGE_FORMAT "nidcard.card-image/1"

struct loader {
	nid_ctx_t *ctx;
	nid_sim_card *card;
};

static int
bad(struct loader *l, const char *path, const char *fmt, ...)
    NID_PRINTF(3, 4);

static int
bad(struct loader *l, const char *path, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return nid_ctx_set_detail(l->ctx, NID_E_MALFORMED, "card.json: %s: %s",
	    path, msg);
}

/* Reject keys outside `allowed` (NULL-terminated). */
static int
check_keys(struct loader *l, const char *path, json_t *obj,
    const char *const *allowed)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return bad(l, path, "unknown field \"%s\"", key);
	}
	return NID_OK;
}

/* Hex string field into out (min..max bytes). */
static int
get_hex(struct loader *l, const char *path, json_t *v, size_t min, size_t max,
    nid_buf *out)
{
	size_t pos = 0;

	nid_buf_reset(out);
	if (!json_is_string(v))
		return bad(l, path, "must be a hex string");
	if (nid_hex_decode(json_string_value(v), out, &pos) != NID_OK)
		return bad(l, path, "not hex (at character %zu)", pos);
	if (out->len < min || out->len > max)
		return bad(l, path, "%zu bytes; must be %zu..%zu", out->len,
		    min, max);
	return NID_OK;
}

static int
get_uint(struct loader *l, const char *path, json_t *v, unsigned long min,
    unsigned long max, unsigned long *out)
{
	json_int_t i;

	if (!json_is_integer(v))
		return bad(l, path, "must be an integer");
	i = json_integer_value(v);
	if (i < 0 || (unsigned long)i < min || (unsigned long)i > max)
		return bad(l, path, "%lld out of range %lu..%lu", (long long)i,
		    min, max);
	*out = (unsigned long)i;
	return NID_OK;
}

static int
get_bool(struct loader *l, const char *path, json_t *v, int *out)
{
	if (!json_is_boolean(v))
		return bad(l, path, "must be true or false");
	*out = json_is_true(v);
	return NID_OK;
}

/* ---- names ------------------------------------------------------------ */

static const struct {
	const char *name;
	uint8_t lcs;
} lcs_names[] = {
	/* ISO/IEC 7816-9 §5.3.3.2 table 14 */
	{ "creation", NID_SIM_LCS_CREATION },
	{ "initialisation", NID_SIM_LCS_INITIALISATION },
	{ "operational-activated", NID_SIM_LCS_ACTIVATED },
	{ "operational-deactivated", NID_SIM_LCS_DEACTIVATED },
	{ "terminated", NID_SIM_LCS_TERMINATED },
};

const char *
nid_sim_lcs_name(uint8_t lcs)
{
	size_t i;

	for (i = 0; i < NID_NELEM(lcs_names); i++)
		if (lcs_names[i].lcs == lcs)
			return lcs_names[i].name;
	return "unknown";
}

static int
get_lcs(struct loader *l, const char *path, json_t *v, uint8_t *out)
{
	size_t i;

	if (json_is_string(v))
		for (i = 0; i < NID_NELEM(lcs_names); i++)
			if (strcmp(json_string_value(v), lcs_names[i].name) == 0) {
				*out = lcs_names[i].lcs;
				return NID_OK;
			}
	return bad(l, path, "must be one of creation, initialisation, "
	    "operational-activated, operational-deactivated, terminated");
}

static const struct {
	const char *name;
	enum nid_sim_pin_state st;
} pin_state_names[] = {
	{ "activated", NID_SIM_PIN_ACTIVATED },
	{ "not-activated", NID_SIM_PIN_NOT_ACTIVATED },
	{ "blocked", NID_SIM_PIN_BLOCKED },
};

const char *
nid_sim_pin_state_name(enum nid_sim_pin_state st)
{
	size_t i;

	for (i = 0; i < NID_NELEM(pin_state_names); i++)
		if (pin_state_names[i].st == st)
			return pin_state_names[i].name;
	return "unknown";
}

/*
 * Access condition names. A protocol module adds its requirement here
 * (a new NID_SIM_AC_* bit) and sets card->sec when it has run.
 */
static const struct {
	const char *name;
	unsigned bit;
} ac_names[] = {
	{ "never", NID_SIM_AC_NEVER },
	{ "sm", NID_SIM_AC_SM },
};

void
nid_sim_ac_format(const nid_sim_ac *ac, char *buf, size_t len)
{
	size_t i, used = 0;
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (ac->need == 0) {
		(void)snprintf(buf, len, "always");
		return;
	}
	for (i = 0; i < NID_NELEM(ac_names); i++) {
		if ((ac->need & ac_names[i].bit) == 0)
			continue;
		n = snprintf(buf + used, len - used, "%s%s",
		    used ? "+" : "", ac_names[i].name);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
	if (ac->need & NID_SIM_AC_PIN)
		(void)snprintf(buf + used, len - used, "%spin:%02X",
		    used ? "+" : "", ac->pin_ref);
}

/* "always" | "never" | "sm" | "pin:81" | "sm+pin:81" */
static int
get_ac(struct loader *l, const char *path, json_t *v, nid_sim_ac *out)
{
	char word[32];
	const char *s, *e;
	size_t i, n;
	unsigned long ref;
	char *end;

	memset(out, 0, sizeof(*out));
	if (!json_is_string(v))
		return bad(l, path, "must be a string such as \"always\", "
		    "\"never\", \"pin:81\", \"sm\" or \"sm+pin:81\"");
	s = json_string_value(v);
	if (strcmp(s, "always") == 0)
		return NID_OK;
	while (*s != '\0') {
		e = strchr(s, '+');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		if (n == 0 || n >= sizeof(word))
			return bad(l, path, "empty or overlong condition");
		memcpy(word, s, n);
		word[n] = '\0';
		if (strncmp(word, "pin:", 4) == 0) {
			errno = 0;
			ref = strtoul(word + 4, &end, 16);
			if (word[4] == '\0' || *end != '\0' || errno != 0 ||
			    ref == 0 || ref > 0xff)
				return bad(l, path, "\"%s\": the PIN reference "
				    "must be one hex byte, e.g. pin:81", word);
			out->need |= NID_SIM_AC_PIN;
			out->pin_ref = (uint8_t)ref;
		} else {
			for (i = 0; i < NID_NELEM(ac_names); i++)
				if (strcmp(word, ac_names[i].name) == 0)
					break;
			if (i == NID_NELEM(ac_names))
				return bad(l, path, "unknown access condition "
				    "\"%s\" (always, never, pin:REF, sm)", word);
			out->need |= ac_names[i].bit;
		}
		s += n;
		if (*s == '+')
			s++;
	}
	if ((out->need & NID_SIM_AC_NEVER) && out->need != NID_SIM_AC_NEVER)
		return bad(l, path, "\"never\" cannot be combined");
	return NID_OK;
}

/* ---- faults ----------------------------------------------------------- */

enum fault_kind { F_BOOL, F_UINT };

static const struct fault_def {
	const char *name;
	enum fault_kind kind;
	unsigned long min, max;
	unsigned long dflt;   /* value of a bare NAME on the command line */
	const char *help;
} fault_defs[] = {
	{ "t0", F_BOOL, 0, 1, 1, "T=0 style: 61xx + GET RESPONSE, 6Cxx" },
	{ "no-extended", F_BOOL, 0, 1, 1, "extended APDUs answered 6700" },
	{ "max-le", F_UINT, 0, 65536, 0, "answers cut at N bytes" },
	{ "slow", F_UINT, 0, 60000, 0, "N ms delay before each answer" },
	{ "mute", F_UINT, 0, ULONG_MAX, 1, "no answer from APDU N on" },
	{ "remove-at", F_UINT, 0, ULONG_MAX, 0, "card removed at APDU N" },
	{ "truncate", F_BOOL, 0, 1, 1, "answers lose half their data" },
	{ "bad-tlv-length", F_BOOL, 0, 1, 1, "first TLV length +16" },
	{ "garbage-tlv", F_BOOL, 0, 1, 1, "TLV answers become FF bytes" },
	{ "oversized", F_BOOL, 0, 1, 1, "answers 32 bytes longer than Ne" },
	/* hostile card (sim_hostile.c) */
	{ "wrong-sw", F_UINT, 0, ULONG_MAX, 1, "APDU N answered 6Fxx" },
	{ "loop-61xx", F_UINT, 0, ULONG_MAX, 1, "61xx forever from APDU N" },
	{ "bad-6cxx", F_UINT, 0, ULONG_MAX, 1, "6Cxx, nonsense Le, from N" },
	{ "short-answer", F_UINT, 0, ULONG_MAX, 1, "APDU N: one byte" },
	{ "huge-length", F_UINT, 0, 31, 31, "EF SFI N announces 16 MiB" },
	{ "tlv-past-end", F_UINT, 0, 31, 31, "EF SFI N: TLV past its end" },
	{ "tlv-overrun", F_UINT, 0, 31, 31, "EF SFI N: inner TLV overruns" },
	{ "deep-tlv", F_UINT, 0, 31, 31, "EF SFI N: nested 1000 deep" },
};

static void
fault_store(nid_sim_faults *f, const char *name, unsigned long v)
{
	if (strcmp(name, "t0") == 0)
		f->t0 = v != 0;
	else if (strcmp(name, "no-extended") == 0)
		f->no_extended = v != 0;
	else if (strcmp(name, "max-le") == 0)
		f->max_le = v;
	else if (strcmp(name, "slow") == 0)
		f->slow_ms = (unsigned)v;
	else if (strcmp(name, "mute") == 0)
		f->mute_at = v;
	else if (strcmp(name, "remove-at") == 0)
		f->remove_at = v;
	else if (strcmp(name, "truncate") == 0)
		f->truncate = v != 0;
	else if (strcmp(name, "bad-tlv-length") == 0)
		f->bad_tlv_length = v != 0;
	else if (strcmp(name, "garbage-tlv") == 0)
		f->garbage_tlv = v != 0;
	else if (strcmp(name, "oversized") == 0)
		f->oversized = v != 0;
	else if (strcmp(name, "wrong-sw") == 0)
		f->wrong_sw_at = v;
	else if (strcmp(name, "loop-61xx") == 0)
		f->loop61_at = v;
	else if (strcmp(name, "bad-6cxx") == 0)
		f->bad6c_at = v;
	else if (strcmp(name, "short-answer") == 0)
		f->short_rsp_at = v;
	else if (strcmp(name, "huge-length") == 0)
		f->huge_length = (unsigned)v;
	else if (strcmp(name, "tlv-past-end") == 0)
		f->past_end = (unsigned)v;
	else if (strcmp(name, "tlv-overrun") == 0)
		f->inner_overrun = (unsigned)v;
	else if (strcmp(name, "deep-tlv") == 0)
		f->deep_tlv = (unsigned)v;
}

static const struct fault_def *
fault_find(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < NID_NELEM(fault_defs); i++)
		if (strlen(fault_defs[i].name) == n &&
		    strncmp(fault_defs[i].name, name, n) == 0)
			return &fault_defs[i];
	return NULL;
}

int
nid_sim_card_set_fault(nid_ctx_t *ctx, nid_sim_card *card, const char *spec)
{
	const struct fault_def *fd;
	const char *eq = strchr(spec, '=');
	unsigned long v;
	char *end;

	if (card->icao != NULL && (strncmp(spec, "sm_", 3) == 0 ||
	    strncmp(spec, "pace_", 5) == 0 || strcmp(spec, "clone") == 0 ||
	    strncmp(spec, "clone=", 6) == 0))
		return nid_sim_icao_set_fault(ctx, card, spec);
	if ((fd = fault_find(spec, eq ? (size_t)(eq - spec) : strlen(spec))) ==
	    NULL)
		return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "unknown fault \"%s\" (see nidcard-sim --help)", spec);
	if (eq == NULL)
		v = fd->dflt;
	else if (fd->kind == F_BOOL && (strcmp(eq + 1, "true") == 0 ||
	    strcmp(eq + 1, "false") == 0))
		v = eq[1] == 't';
	else {
		errno = 0;
		v = strtoul(eq + 1, &end, 10);
		if (eq[1] == '\0' || eq[1] == '-' || *end != '\0' ||
		    errno != 0 || v < fd->min || v > fd->max)
			return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
			    "fault %s: bad value \"%s\" (%lu..%lu)", fd->name,
			    eq + 1, fd->min, fd->max);
	}
	if (fd->kind == F_UINT && eq == NULL && fd->dflt == 0)
		return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "fault %s needs a value: %s=N", fd->name, fd->name);
	fault_store(&card->faults, fd->name, v);
	return NID_OK;
}

static int
load_faults(struct loader *l, json_t *obj)
{
	const struct fault_def *fd;
	const char *key;
	char path[64];
	json_t *v;
	unsigned long u = 0;
	int b = 0;
	int rc;

	if (!json_is_object(obj))
		return bad(l, "faults", "must be an object");
	json_object_foreach(obj, key, v) {
		(void)snprintf(path, sizeof(path), "faults.%s", key);
		if ((fd = fault_find(key, strlen(key))) == NULL)
			return bad(l, "faults", "unknown fault \"%s\"", key);
		if (fd->kind == F_BOOL) {
			if ((rc = get_bool(l, path, v, &b)) != NID_OK)
				return rc;
			u = (unsigned long)b;
		} else if ((rc = get_uint(l, path, v, fd->min, fd->max, &u)) !=
		    NID_OK)
			return rc;
		fault_store(&l->card->faults, fd->name, u);
	}
	return NID_OK;
}

/* ---- content files ---------------------------------------------------- */

static int
read_content(struct loader *l, const char *path, const char *rel,
    uint8_t **out, size_t *out_len)
{
	char full[4096];
	nid_buf b;
	uint8_t chunk[4096];
	FILE *fp = NULL;
	size_t n;
	int rc;

	nid_buf_init(&b, NID_SIM_EF_MAX);
	/* Relative to the image, and never outside it. */
	if (rel[0] == '\0' || rel[0] == '/' || strcmp(rel, "..") == 0 ||
	    strncmp(rel, "../", 3) == 0 || strstr(rel, "/../") != NULL ||
	    (strlen(rel) >= 3 && strcmp(rel + strlen(rel) - 3, "/..") == 0)) {
		rc = bad(l, path, "\"%s\" must be a path inside the image", rel);
		goto out;
	}
	(void)snprintf(full, sizeof(full), "%s/%s", l->card->dir, rel);
	if ((fp = fopen(full, "rb")) == NULL) {
		rc = nid_ctx_set_detail(l->ctx, NID_E_MALFORMED,
		    "card.json: %s: cannot read %s: %s", path, full,
		    strerror(errno));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if ((rc = nid_buf_put(&b, chunk, n)) != NID_OK) {
			rc = nid_ctx_set_detail(l->ctx, NID_E_TOO_LARGE,
			    "card.json: %s: %s is larger than %u bytes", path,
			    full, NID_SIM_EF_MAX);
			goto out;
		}
	if (ferror(fp)) {
		rc = nid_ctx_set_detail(l->ctx, NID_E_IO,
		    "card.json: %s: read error on %s", path, full);
		goto out;
	}
	*out_len = b.len;
	if (b.len == 0) {
		/* an empty EF: keep a valid pointer */
		if ((*out = malloc(1)) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		rc = NID_OK;
		goto out;
	}
	rc = nid_buf_steal(&b, out, out_len);
out:
	if (fp != NULL)
		fclose(fp);
	nid_buf_clear(&b);
	return rc;
}

/* ---- file tree -------------------------------------------------------- */

static int
load_file(struct loader *l, json_t *node, int parent, const char *path,
    int depth)
{
	static const char *const mf_keys[] = { "type", "fid", "name",
		"life_cycle", "children", NULL };
	static const char *const df_keys[] = { "type", "fid", "aid", "name",
		"life_cycle", "children", NULL };
	static const char *const ef_keys[] = { "type", "fid", "sfi", "name",
		"content", "read", "life_cycle", NULL };
	nid_sim_card *card = l->card;
	nid_sim_file *f;
	json_t *v, *child;
	const char *type;
	char cpath[256];
	nid_buf hex;
	unsigned long u;
	size_t i, idx;
	int rc;

	nid_buf_init(&hex, 64);
	if (!json_is_object(node)) {
		rc = bad(l, path, "must be an object");
		goto out;
	}
	if (depth > 8) {
		rc = bad(l, path, "file tree deeper than 8 levels");
		goto out;
	}
	if (card->nfiles >= NID_SIM_FILES_MAX) {
		rc = bad(l, path, "more than %u files", NID_SIM_FILES_MAX);
		goto out;
	}
	idx = card->nfiles++;
	f = &card->files[idx];
	f->parent = parent;
	f->lcs = card->lcs;
	(void)snprintf(cpath, sizeof(cpath), "%s.type", path);
	if ((v = json_object_get(node, "type")) == NULL || !json_is_string(v)) {
		rc = bad(l, cpath, "missing; must be \"MF\", \"DF\" or \"EF\"");
		goto out;
	}
	type = json_string_value(v);
	if (strcmp(type, "MF") == 0)
		f->type = NID_SIM_MF;
	else if (strcmp(type, "DF") == 0)
		f->type = NID_SIM_DF;
	else if (strcmp(type, "EF") == 0)
		f->type = NID_SIM_EF;
	else {
		rc = bad(l, cpath, "\"%s\": must be \"MF\", \"DF\" or \"EF\"",
		    type);
		goto out;
	}
	if ((parent < 0) != (f->type == NID_SIM_MF)) {
		rc = bad(l, cpath, parent < 0 ? "the root must be the MF" :
		    "only the root is the MF");
		goto out;
	}
	if ((rc = check_keys(l, path, node, f->type == NID_SIM_MF ? mf_keys :
	    f->type == NID_SIM_DF ? df_keys : ef_keys)) != NID_OK)
		goto out;

	/* fid: ISO/IEC 7816-4 §7.1.1: 3F00 is the MF, 3FFF and FFFF are
	 * reserved. */
	(void)snprintf(cpath, sizeof(cpath), "%s.fid", path);
	if ((v = json_object_get(node, "fid")) == NULL) {
		rc = bad(l, cpath, "missing");
		goto out;
	}
	if ((rc = get_hex(l, cpath, v, 2, 2, &hex)) != NID_OK)
		goto out;
	f->fid = (uint16_t)(hex.p[0] << 8 | hex.p[1]);
	if ((f->type == NID_SIM_MF) != (f->fid == 0x3F00) ||
	    f->fid == 0x3FFF || f->fid == 0xFFFF || f->fid == 0) {
		rc = bad(l, cpath, "%04X: the MF is 3F00; other files may not "
		    "use 3F00, 3FFF, FFFF or 0000", f->fid);
		goto out;
	}
	for (i = 0; i < idx; i++)
		if (card->files[i].parent == parent && parent >= 0 &&
		    card->files[i].fid == f->fid) {
			rc = bad(l, cpath, "%04X used twice in the same DF",
			    f->fid);
			goto out;
		}

	if ((v = json_object_get(node, "name")) != NULL) {
		(void)snprintf(cpath, sizeof(cpath), "%s.name", path);
		if (!json_is_string(v)) {
			rc = bad(l, cpath, "must be a string");
			goto out;
		}
		if ((f->name = strdup(json_string_value(v))) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
	}
	if ((v = json_object_get(node, "life_cycle")) != NULL) {
		(void)snprintf(cpath, sizeof(cpath), "%s.life_cycle", path);
		if ((rc = get_lcs(l, cpath, v, &f->lcs)) != NID_OK)
			goto out;
	}

	if (f->type == NID_SIM_EF) {
		if ((v = json_object_get(node, "sfi")) != NULL) {
			(void)snprintf(cpath, sizeof(cpath), "%s.sfi", path);
			if ((rc = get_uint(l, cpath, v, 1, 30, &u)) != NID_OK)
				goto out;
			f->sfi = (uint8_t)u;
			for (i = 0; i < idx; i++)
				if (card->files[i].parent == parent &&
				    card->files[i].sfi == f->sfi) {
					rc = bad(l, cpath, "SFI %lu used twice "
					    "in the same DF", u);
					goto out;
				}
		}
		(void)snprintf(cpath, sizeof(cpath), "%s.read", path);
		if ((v = json_object_get(node, "read")) != NULL &&
		    (rc = get_ac(l, cpath, v, &f->read)) != NID_OK)
			goto out;
		(void)snprintf(cpath, sizeof(cpath), "%s.content", path);
		if ((v = json_object_get(node, "content")) == NULL ||
		    !json_is_string(v)) {
			rc = bad(l, cpath, "missing; the file holding the EF's "
			    "bytes, relative to the image");
			goto out;
		}
		if ((f->content = strdup(json_string_value(v))) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		rc = read_content(l, cpath, f->content, &f->data, &f->len);
		goto out;
	}

	if (f->type == NID_SIM_DF &&
	    (v = json_object_get(node, "aid")) != NULL) {
		/* ISO/IEC 7816-4 §8.2.1.2: an application identifier is
		 * 5 to 16 bytes. */
		(void)snprintf(cpath, sizeof(cpath), "%s.aid", path);
		if ((rc = get_hex(l, cpath, v, 5, 16, &hex)) != NID_OK)
			goto out;
		memcpy(f->aid, hex.p, hex.len);
		f->aid_len = hex.len;
	}
	if ((v = json_object_get(node, "children")) == NULL) {
		rc = NID_OK;
		goto out;
	}
	(void)snprintf(cpath, sizeof(cpath), "%s.children", path);
	if (!json_is_array(v)) {
		rc = bad(l, cpath, "must be an array");
		goto out;
	}
	json_array_foreach(v, i, child) {
		(void)snprintf(cpath, sizeof(cpath), "%s.children[%zu]", path,
		    i);
		if ((rc = load_file(l, child, (int)idx, cpath, depth + 1)) !=
		    NID_OK)
			goto out;
	}
	rc = NID_OK;
out:
	nid_buf_clear(&hex);
	return rc;
}

/* ---- PINs ------------------------------------------------------------- */

static int
load_pin(struct loader *l, json_t *node, const char *path)
{
	static const char *const keys[] = { "ref", "name", "value", "pad_to",
		"pad_byte", "tries", "max_tries", "state", NULL };
	nid_sim_card *card = l->card;
	nid_sim_pin *p;
	json_t *v;
	const char *s;
	char cpath[128];
	nid_buf hex;
	unsigned long u, pad_to = 0, pad_byte = 0xff;
	size_t i;
	int rc;

	nid_buf_init(&hex, 8);
	if (!json_is_object(node)) {
		rc = bad(l, path, "must be an object");
		goto out;
	}
	if ((rc = check_keys(l, path, node, keys)) != NID_OK)
		goto out;
	if (card->npins >= NID_SIM_PINS_MAX) {
		rc = bad(l, path, "more than %u PINs", NID_SIM_PINS_MAX);
		goto out;
	}
	p = &card->pins[card->npins++];

	/* ISO/IEC 7816-4 §11.5.6: P2 of VERIFY is the reference, bit 8
	 * telling global (0) from specific (1) reference data. */
	(void)snprintf(cpath, sizeof(cpath), "%s.ref", path);
	if ((v = json_object_get(node, "ref")) == NULL) {
		rc = bad(l, cpath, "missing (one hex byte, the P2 of VERIFY)");
		goto out;
	}
	if ((rc = get_hex(l, cpath, v, 1, 1, &hex)) != NID_OK)
		goto out;
	p->ref = hex.p[0];
	if (p->ref == 0 || (p->ref & 0x60) != 0) {
		rc = bad(l, cpath, "%02X: bits 7-6 must be 0 and the reference "
		    "not 00 (ISO/IEC 7816-4 table 64)", p->ref);
		goto out;
	}
	for (i = 0; i + 1 < card->npins; i++)
		if (card->pins[i].ref == p->ref) {
			rc = bad(l, cpath, "%02X used twice", p->ref);
			goto out;
		}
	if ((v = json_object_get(node, "name")) != NULL) {
		(void)snprintf(cpath, sizeof(cpath), "%s.name", path);
		if (!json_is_string(v)) {
			rc = bad(l, cpath, "must be a string");
			goto out;
		}
		if ((p->name = strdup(json_string_value(v))) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
	}
	(void)snprintf(cpath, sizeof(cpath), "%s.value", path);
	if ((v = json_object_get(node, "value")) == NULL || !json_is_string(v)) {
		rc = bad(l, cpath, "missing; the PIN as a string, e.g. \"123456\"");
		goto out;
	}
	s = json_string_value(v);
	p->value_len = strlen(s);
	if (p->value_len < 1 || p->value_len > sizeof(p->value)) {
		rc = bad(l, cpath, "must be 1..%zu characters", sizeof(p->value));
		goto out;
	}
	memcpy(p->value, s, p->value_len);
	if ((v = json_object_get(node, "pad_byte")) != NULL) {
		(void)snprintf(cpath, sizeof(cpath), "%s.pad_byte", path);
		if ((rc = get_hex(l, cpath, v, 1, 1, &hex)) != NID_OK)
			goto out;
		pad_byte = hex.p[0];
	}
	if ((v = json_object_get(node, "pad_to")) != NULL) {
		(void)snprintf(cpath, sizeof(cpath), "%s.pad_to", path);
		if ((rc = get_uint(l, cpath, v, p->value_len,
		    sizeof(p->value), &pad_to)) != NID_OK)
			goto out;
		while (p->value_len < pad_to)
			p->value[p->value_len++] = (uint8_t)pad_byte;
	}
	(void)snprintf(cpath, sizeof(cpath), "%s.max_tries", path);
	if ((v = json_object_get(node, "max_tries")) == NULL) {
		rc = bad(l, cpath, "missing (1..15)");
		goto out;
	}
	/* 63Cx carries the counter in one nibble. */
	if ((rc = get_uint(l, cpath, v, 1, 15, &u)) != NID_OK)
		goto out;
	p->max_tries = (unsigned)u;
	p->tries = p->max_tries;
	if ((v = json_object_get(node, "tries")) != NULL) {
		(void)snprintf(cpath, sizeof(cpath), "%s.tries", path);
		if ((rc = get_uint(l, cpath, v, 0, p->max_tries, &u)) != NID_OK)
			goto out;
		p->tries = (unsigned)u;
	}
	p->state = NID_SIM_PIN_ACTIVATED;
	if ((v = json_object_get(node, "state")) != NULL) {
		(void)snprintf(cpath, sizeof(cpath), "%s.state", path);
		for (i = 0; i < NID_NELEM(pin_state_names); i++)
			if (json_is_string(v) && strcmp(json_string_value(v),
			    pin_state_names[i].name) == 0)
				break;
		if (i == NID_NELEM(pin_state_names)) {
			rc = bad(l, cpath, "must be \"activated\", "
			    "\"not-activated\" or \"blocked\"");
			goto out;
		}
		p->state = pin_state_names[i].st;
	}
	(void)snprintf(cpath, sizeof(cpath), "%s.tries", path);
	if (p->state == NID_SIM_PIN_BLOCKED && p->tries != 0) {
		rc = bad(l, cpath, "a blocked PIN has 0 tries left");
		goto out;
	}
	if (p->state != NID_SIM_PIN_BLOCKED && p->tries == 0) {
		rc = bad(l, cpath, "0 tries left: set \"state\": \"blocked\"");
		goto out;
	}
	rc = NID_OK;
out:
	nid_buf_clear(&hex);
	return rc;
}

/* ---- data objects (GET DATA) ------------------------------------------ */

static int
load_do(struct loader *l, json_t *node, const char *path)
{
	static const char *const keys[] = { "tag", "value", NULL };
	nid_sim_card *card = l->card;
	nid_sim_do *d;
	json_t *v;
	char cpath[128];
	nid_buf hex;
	size_t i;
	int rc;

	nid_buf_init(&hex, NID_SIM_RSP_DATA_MAX);
	if (!json_is_object(node)) {
		rc = bad(l, path, "must be an object");
		goto out;
	}
	if ((rc = check_keys(l, path, node, keys)) != NID_OK)
		goto out;
	if (card->ndos >= NID_SIM_DOS_MAX) {
		rc = bad(l, path, "more than %u data objects", NID_SIM_DOS_MAX);
		goto out;
	}
	d = &card->dos[card->ndos++];
	(void)snprintf(cpath, sizeof(cpath), "%s.tag", path);
	if ((v = json_object_get(node, "tag")) == NULL) {
		rc = bad(l, cpath, "missing");
		goto out;
	}
	/* ISO/IEC 7816-4 §11.4.3: P1-P2 of GET DATA carry a 1- or 2-byte tag;
	 * 0000-003F and FF00-FFFF are not BER-TLV tags. */
	if ((rc = get_hex(l, cpath, v, 1, 2, &hex)) != NID_OK)
		goto out;
	d->tag = hex.len == 1 ? hex.p[0] : (uint16_t)(hex.p[0] << 8 | hex.p[1]);
	if (d->tag < 0x40 || d->tag >= 0xFF00 ||
	    (d->tag > 0xFF && (d->tag >> 8 & 0x1F) != 0x1F) ||
	    (d->tag <= 0xFF && (d->tag & 0x1F) == 0x1F)) {
		rc = bad(l, cpath, "%04X is not a 1- or 2-byte BER-TLV tag "
		    "GET DATA can name", d->tag);
		goto out;
	}
	for (i = 0; i + 1 < card->ndos; i++)
		if (card->dos[i].tag == d->tag) {
			rc = bad(l, cpath, "%04X used twice", d->tag);
			goto out;
		}
	(void)snprintf(cpath, sizeof(cpath), "%s.value", path);
	if ((v = json_object_get(node, "value")) == NULL) {
		rc = bad(l, cpath, "missing");
		goto out;
	}
	if ((rc = get_hex(l, cpath, v, 0, 4096, &hex)) != NID_OK)
		goto out;
	if ((d->value = malloc(hex.len + 1)) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if (hex.len != 0)
		memcpy(d->value, hex.p, hex.len);
	d->len = hex.len;
	rc = NID_OK;
out:
	nid_buf_clear(&hex);
	return rc;
}

/* ---- capabilities ----------------------------------------------------- */

static int
load_caps(struct loader *l, json_t *obj)
{
	static const char *const keys[] = { "extended_length", "max_le",
		"max_lc", NULL };
	nid_sim_caps *c = &l->card->caps;
	json_t *v;
	unsigned long u;
	int rc;

	if (!json_is_object(obj))
		return bad(l, "capabilities", "must be an object");
	if ((rc = check_keys(l, "capabilities", obj, keys)) != NID_OK)
		return rc;
	if ((v = json_object_get(obj, "extended_length")) != NULL &&
	    (rc = get_bool(l, "capabilities.extended_length", v,
	    &c->extended_length)) != NID_OK)
		return rc;
	c->max_le = c->extended_length ? NID_NE_EXT_MAX : NID_NE_SHORT_MAX;
	c->max_lc = c->extended_length ? NID_NC_EXT_MAX : NID_NC_SHORT_MAX;
	if ((v = json_object_get(obj, "max_le")) != NULL) {
		if ((rc = get_uint(l, "capabilities.max_le", v, 1,
		    c->max_le, &u)) != NID_OK)
			return rc;
		c->max_le = u;
	}
	if ((v = json_object_get(obj, "max_lc")) != NULL) {
		if ((rc = get_uint(l, "capabilities.max_lc", v, 1,
		    c->max_lc, &u)) != NID_OK)
			return rc;
		c->max_lc = u;
	}
	return NID_OK;
}

/* ---- the whole image -------------------------------------------------- */

static int
load_json(struct loader *l, json_t *root)
{
	static const char *const keys[] = { "format", "description", "atr",
		"life_cycle", "capabilities", "pins", "files", "data_objects",
		"faults", "icao", NULL };
	nid_sim_card *card = l->card;
	json_t *v, *e;
	nid_buf hex;
	char path[64];
	size_t i, j;
	int rc;

	nid_buf_init(&hex, 64);
	if (!json_is_object(root)) {
		rc = bad(l, "(top)", "must be a JSON object");
		goto out;
	}
	if ((rc = check_keys(l, "(top)", root, keys)) != NID_OK)
		goto out;
	if ((v = json_object_get(root, "format")) == NULL ||
	    !json_is_string(v) ||
	    strcmp(json_string_value(v), IMAGE_FORMAT) != 0) {
		rc = bad(l, "format", "must be \"" IMAGE_FORMAT "\"");
		goto out;
	}
	if ((v = json_object_get(root, "description")) != NULL &&
	    !json_is_string(v)) {
		rc = bad(l, "description", "must be a string");
		goto out;
	}
	/* ISO/IEC 7816-3 §8.2: TS then at most 32 bytes; TS is 3B (direct)
	 * or 3F (inverse convention). */
	if ((v = json_object_get(root, "atr")) == NULL) {
		rc = bad(l, "atr", "missing");
		goto out;
	}
	if ((rc = get_hex(l, "atr", v, 2, 33, &hex)) != NID_OK)
		goto out;
	if (hex.p[0] != 0x3B && hex.p[0] != 0x3F) {
		rc = bad(l, "atr", "must start with TS 3B or 3F");
		goto out;
	}
	memcpy(card->atr, hex.p, hex.len);
	card->atr_len = hex.len;
	card->lcs = NID_SIM_LCS_ACTIVATED;
	if ((v = json_object_get(root, "life_cycle")) != NULL &&
	    (rc = get_lcs(l, "life_cycle", v, &card->lcs)) != NID_OK)
		goto out;
	card->caps.extended_length = 1;
	card->caps.max_le = NID_NE_EXT_MAX;
	card->caps.max_lc = NID_NC_EXT_MAX;
	if ((v = json_object_get(root, "capabilities")) != NULL &&
	    (rc = load_caps(l, v)) != NID_OK)
		goto out;
	if ((v = json_object_get(root, "pins")) != NULL) {
		if (!json_is_array(v)) {
			rc = bad(l, "pins", "must be an array");
			goto out;
		}
		json_array_foreach(v, i, e) {
			(void)snprintf(path, sizeof(path), "pins[%zu]", i);
			if ((rc = load_pin(l, e, path)) != NID_OK)
				goto out;
		}
	}
	if ((v = json_object_get(root, "files")) == NULL) {
		rc = bad(l, "files", "missing (the MF and its children)");
		goto out;
	}
	if ((rc = load_file(l, v, -1, "files", 0)) != NID_OK)
		goto out;
	/* Every "pin:REF" names a PIN of the image. */
	for (i = 0; i < card->nfiles; i++) {
		if ((card->files[i].read.need & NID_SIM_AC_PIN) == 0)
			continue;
		for (j = 0; j < card->npins; j++)
			if (card->pins[j].ref == card->files[i].read.pin_ref)
				break;
		if (j == card->npins) {
			rc = nid_ctx_set_detail(l->ctx, NID_E_MALFORMED,
			    "card.json: file %04X: read condition names PIN "
			    "%02X, which \"pins\" does not declare",
			    card->files[i].fid, card->files[i].read.pin_ref);
			goto out;
		}
	}
	if ((v = json_object_get(root, "data_objects")) != NULL) {
		if (!json_is_array(v)) {
			rc = bad(l, "data_objects", "must be an array");
			goto out;
		}
		json_array_foreach(v, i, e) {
			(void)snprintf(path, sizeof(path), "data_objects[%zu]", i);
			if ((rc = load_do(l, e, path)) != NID_OK)
				goto out;
		}
	}
	if ((v = json_object_get(root, "faults")) != NULL &&
	    (rc = load_faults(l, v)) != NID_OK)
		goto out;
	/* The eMRTD application (sim_icao.c, docs/card-image.md "icao"). */
	if ((v = json_object_get(root, "icao")) != NULL &&
	    (rc = nid_sim_icao_load(l->ctx, card, v)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	nid_buf_clear(&hex);
	return rc;
}

int
nid_sim_card_load(nid_ctx_t *ctx, const char *dir, nid_sim_card **out)
{
	struct loader l;
	nid_sim_card *card = NULL;
	json_error_t jerr;
	json_t *root = NULL;
	char path[4096];
	int rc;

	*out = NULL;
	if ((card = calloc(1, sizeof(*card))) == NULL)
		return NID_E_NOMEM;
	nid_buf_init(&card->pending, NID_SIM_RSP_DATA_MAX + 64);
	if ((card->dir = strdup(dir)) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	l.ctx = ctx;
	l.card = card;
	if ((size_t)snprintf(path, sizeof(path), "%s/card.json", dir) >=
	    sizeof(path)) {
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "image path too long");
		goto out;
	}
	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		if (jerr.line < 1)
			rc = nid_ctx_set_detail(ctx, NID_E_IO, "%s", jerr.text);
		else
			rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED,
			    "%s: line %d column %d: %s", path, jerr.line,
			    jerr.column, jerr.text);
		goto out;
	}
	if ((rc = load_json(&l, root)) != NID_OK)
		goto out;
	nid_sim_reset(card);
	card->resets = 0;
	*out = card;
	card = NULL;
out:
	json_decref(root);
	nid_sim_card_free(&card);
	return rc;
}

void
nid_sim_card_free(nid_sim_card **cardp)
{
	nid_sim_card *card;
	size_t i;

	if (cardp == NULL || (card = *cardp) == NULL)
		return;
	for (i = 0; i < card->nfiles; i++) {
		free(card->files[i].data);
		free(card->files[i].name);
		free(card->files[i].content);
	}
	for (i = 0; i < card->npins; i++)
		free(card->pins[i].name);
	for (i = 0; i < card->ndos; i++)
		free(card->dos[i].value);
	nid_sim_icao_free(card);
	nid_buf_clear(&card->pending);
	free(card->dir);
	free(card->state_path);
	/* PIN values and challenges are secrets. */
	OPENSSL_cleanse(card, sizeof(*card));
	free(card);
	*cardp = NULL;
}
