/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim_engine.c — the virtual card's command processor: ISO/IEC 7816-4
 * file system (SELECT, READ BINARY B0/B1), GET CHALLENGE, GET DATA,
 * VERIFY, the T=0 procedure (61xx + GET RESPONSE, 6Cxx) and the fault
 * switches. Protocol modules add commands through nid_sim_add_handler and
 * secure messaging through nid_sim_set_sm (sim.h has the diagram).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "sim.h"
#include "sim_hostile.h"

/* ---- small helpers ---------------------------------------------------- */

int
nid_sim_file_find(const nid_sim_card *card, int df, uint16_t fid)
{
	size_t i;

	for (i = 0; i < card->nfiles; i++)
		if (card->files[i].parent == df && card->files[i].fid == fid)
			return (int)i;
	return -1;
}

static int
find_child(const nid_sim_card *card, int df, uint16_t fid, int want_df)
{
	int i = nid_sim_file_find(card, df, fid);

	if (i < 0)
		return -1;
	if (want_df && card->files[i].type == NID_SIM_EF)
		return -1;
	if (!want_df && card->files[i].type != NID_SIM_EF)
		return -1;
	return i;
}

/* splitmix64 (Steele, Lea, Flood 2014) for reproducible test runs. */
static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

int
nid_sim_random(nid_sim_card *card, uint8_t *p, size_t n)
{
	size_t i;
	uint64_t r = 0;

	if (!card->seeded)
		return RAND_bytes(p, (int)n) == 1 ? NID_OK : NID_E_CRYPTO;
	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			r = splitmix64(&card->rng);
		p[i] = (uint8_t)(r >> (8 * (i % 8)));
	}
	return NID_OK;
}

void
nid_sim_card_set_seed(nid_sim_card *card, uint64_t seed)
{
	card->seeded = 1;
	card->rng = seed;
}

void
nid_sim_card_set_delay_ms(nid_sim_card *card, unsigned ms)
{
	card->delay_ms = ms;
}

int
nid_sim_add_handler(nid_sim_card *card, uint8_t ins, nid_sim_handler_fn *fn,
    void *arg)
{
	if (fn == NULL)
		return NID_E_INVALID_ARG;
	if (card->nhandlers >= NID_SIM_HANDLERS_MAX)
		return NID_E_TOO_LARGE;
	card->handlers[card->nhandlers].ins = ins;
	card->handlers[card->nhandlers].fn = fn;
	card->handlers[card->nhandlers].arg = arg;
	card->nhandlers++;
	return NID_OK;
}

void
nid_sim_set_sm(nid_sim_card *card, const struct nid_sim_sm_ops *ops,
    void *arg)
{
	card->sm = ops;
	card->sm_arg = arg;
}

void
nid_sim_reset(nid_sim_card *card)
{
	size_t i;

	card->cur_df = 0;
	card->cur_ef = -1;
	card->sec = 0;
	for (i = 0; i < card->npins; i++)
		card->pins[i].verified = 0;
	OPENSSL_cleanse(card->challenge, sizeof(card->challenge));
	card->challenge_len = 0;
	nid_buf_reset(&card->pending);
	card->pending_sw = 0;
	card->pending_flags = 0;
	if (card->sm != NULL && card->sm->reset != NULL)
		card->sm->reset(card, card->sm_arg);
	card->resets++;
}

void
nid_sim_remove(nid_sim_card *card)
{
	nid_sim_reset(card);
	card->removed = 1;
}

static nid_sim_pin *
pin_find(nid_sim_card *card, uint8_t ref)
{
	size_t i;

	for (i = 0; i < card->npins; i++)
		if (card->pins[i].ref == ref)
			return &card->pins[i];
	return NULL;
}

/* Does the command meet the access condition? */
static int
ac_met(nid_sim_card *card, const nid_sim_ac *ac, const nid_sim_cmd *cmd)
{
	nid_sim_pin *pin;
	unsigned have = card->sec;

	if (ac->need & NID_SIM_AC_NEVER)
		return 0;
	if (cmd->sm)
		have |= NID_SIM_AC_SM;
	if (ac->need & NID_SIM_AC_PIN) {
		pin = pin_find(card, ac->pin_ref);
		if (pin != NULL && pin->verified)
			have |= NID_SIM_AC_PIN;
	}
	return (ac->need & ~have) == 0;
}

/* ---- SELECT (ISO/IEC 7816-4 §11.2.2) ---------------------------------- */

static int
put_fcp_objects(const nid_sim_file *f, nid_buf *b)
{
	uint8_t v[3];
	int rc;

	/* §7.4.3 table 12: 80 size of the EF's data, 82 file descriptor
	 * (01 working EF, transparent; 38 DF), 83 file identifier, 84 DF
	 * name, 88 short EF identifier (bits 8-4), 8A life cycle status
	 * (ISO/IEC 7816-9 §5.3.3.2). */
	if (f->type == NID_SIM_EF) {
		if (f->len > 0xFFFF) {
			v[0] = (uint8_t)(f->len >> 16);
			v[1] = (uint8_t)(f->len >> 8);
			v[2] = (uint8_t)f->len;
			rc = nid_tlv_put(b, 0x80, v, 3);
		} else {
			v[0] = (uint8_t)(f->len >> 8);
			v[1] = (uint8_t)f->len;
			rc = nid_tlv_put(b, 0x80, v, 2);
		}
		if (rc != NID_OK)
			return rc;
	}
	v[0] = f->type == NID_SIM_EF ? 0x01 : 0x38;
	if ((rc = nid_tlv_put(b, 0x82, v, 1)) != NID_OK)
		return rc;
	v[0] = (uint8_t)(f->fid >> 8);
	v[1] = (uint8_t)f->fid;
	if ((rc = nid_tlv_put(b, 0x83, v, 2)) != NID_OK)
		return rc;
	if (f->aid_len != 0 &&
	    (rc = nid_tlv_put(b, 0x84, f->aid, f->aid_len)) != NID_OK)
		return rc;
	if (f->sfi != 0) {
		v[0] = (uint8_t)(f->sfi << 3);
		if ((rc = nid_tlv_put(b, 0x88, v, 1)) != NID_OK)
			return rc;
	}
	v[0] = f->lcs;
	return nid_tlv_put(b, 0x8A, v, 1);
}

/* P2 b4-b3: 00 FCI (6F), 04 FCP (62), 08 FMD (64). */
static int
put_file_info(const nid_sim_file *f, uint8_t what, nid_buf *out)
{
	nid_buf inner;
	uint32_t tag;
	int rc;

	nid_buf_init(&inner, 512);
	if (what == 0x08) {
		tag = 0x64;
		rc = f->aid_len != 0 ?
		    nid_tlv_put(&inner, 0x84, f->aid, f->aid_len) : NID_OK;
	} else {
		tag = what == 0x04 ? 0x62 : 0x6F;
		rc = put_fcp_objects(f, &inner);
	}
	if (rc == NID_OK)
		rc = nid_tlv_put(out, tag, inner.p, inner.len);
	nid_buf_clear(&inner);
	return rc;
}

/* DF names matching the (possibly right-truncated) name, in tree order. */
static int
select_by_name(nid_sim_card *card, const uint8_t *name, size_t n,
    uint8_t occ)
{
	int hits[NID_SIM_FILES_MAX];
	size_t i, nhits = 0, at;
	int cur = -1;

	for (i = 0; i < card->nfiles; i++) {
		const nid_sim_file *f = &card->files[i];

		if (f->type != NID_SIM_EF && f->aid_len >= n &&
		    memcmp(f->aid, name, n) == 0)
			hits[nhits++] = (int)i;
	}
	if (nhits == 0)
		return -1;
	for (i = 0; i < nhits; i++)
		if (hits[i] == card->cur_df)
			cur = (int)i;
	switch (occ) {
	case 0x00:                              /* first or only */
		return hits[0];
	case 0x01:                              /* last */
		return hits[nhits - 1];
	case 0x02:                              /* next */
		if (cur < 0)
			return hits[0];
		at = (size_t)cur + 1;
		return at < nhits ? hits[at] : -1;
	default:                                /* previous */
		if (cur < 0)
			return hits[nhits - 1];
		return cur > 0 ? hits[cur - 1] : -1;
	}
}

/* Walk a path of FIDs from df (§7.1.2): DFs on the way, any file last. */
static int
select_path(nid_sim_card *card, int df, const uint8_t *p, size_t n)
{
	int at = df;
	size_t i;
	uint16_t fid;

	for (i = 0; i < n; i += 2) {
		fid = (uint16_t)(p[i] << 8 | p[i + 1]);
		if (i == 0 && fid == 0x3F00 && df == 0)
			continue;
		if (card->files[at].type == NID_SIM_EF)
			return -1;
		if ((at = nid_sim_file_find(card, at, fid)) < 0)
			return -1;
	}
	return at;
}

static int
cmd_select(nid_sim_card *card, const nid_sim_cmd *cmd, nid_sim_rsp *r)
{
	const nid_apdu *a = &cmd->apdu;
	uint8_t what = a->p2 & 0x0C, occ = a->p2 & 0x03;
	uint16_t fid = 0;
	int t = -1, df = card->cur_df, parent;
	const nid_sim_file *f;
	int rc;

	if ((a->p2 & 0xF0) != 0 || (occ != 0 && a->p1 != 0x04)) {
		r->sw = NID_SW_WRONG_P1P2;
		return NID_OK;
	}
	/* The requirement and ISO/IEC 7816-4 §5.1: "no response
	 * data" with an Le field is a wrong length. */
	if (what == 0x0C && a->ne != 0) {
		r->sw = NID_SW_WRONG_LENGTH;
		return NID_OK;
	}
	if (a->p1 <= 0x02) {
		if (a->nc == 0 && a->p1 == 0x00) {
			t = 0;                  /* empty data: the MF */
			goto found;
		}
		if (a->nc != 2) {
			r->sw = NID_SW_LC_P1P2;
			return NID_OK;
		}
		fid = (uint16_t)(a->data[0] << 8 | a->data[1]);
	}
	parent = card->files[df].parent;
	switch (a->p1) {
	case 0x00:      /* MF, DF or EF by identifier */
		if (fid == 0x3F00)
			t = 0;
		else if ((t = nid_sim_file_find(card, df, fid)) >= 0)
			;
		else if (card->files[df].fid == fid)
			t = df;
		else if (parent >= 0 && card->files[parent].fid == fid)
			t = parent;
		else if (parent >= 0)
			t = nid_sim_file_find(card, parent, fid);
		break;
	case 0x01:      /* child DF */
		t = find_child(card, df, fid, 1);
		break;
	case 0x02:      /* EF under the current DF */
		t = find_child(card, df, fid, 0);
		break;
	case 0x03:      /* parent DF of the current DF */
		if (a->nc != 0) {
			r->sw = NID_SW_LC_P1P2;
			return NID_OK;
		}
		t = parent;
		break;
	case 0x04:      /* by DF name */
		if (a->nc == 0)
			t = 0;
		else if (a->nc > 16) {
			r->sw = NID_SW_LC_P1P2;
			return NID_OK;
		} else
			t = select_by_name(card, a->data, a->nc, occ);
		break;
	case 0x08:      /* path from the MF */
	case 0x09:      /* path from the current DF */
		if (a->nc == 0 || a->nc % 2 != 0) {
			r->sw = NID_SW_LC_P1P2;
			return NID_OK;
		}
		t = select_path(card, a->p1 == 0x08 ? 0 : df, a->data, a->nc);
		break;
	default:
		r->sw = NID_SW_WRONG_P1P2;
		return NID_OK;
	}
found:
	if (t < 0) {
		r->sw = NID_SW_NOT_FOUND;
		return NID_OK;
	}
	f = &card->files[t];
	if (f->type == NID_SIM_EF) {
		card->cur_ef = t;
		card->cur_df = f->parent;
	} else {
		card->cur_df = t;
		card->cur_ef = -1;
	}
	if (what != 0x0C) {
		if ((rc = put_file_info(f, what, &r->data)) != NID_OK)
			return rc;
		r->flags |= NID_SIM_RSP_TLV;
	}
	/* §5.6 table 6: 6283 selected file deactivated, 6285 in
	 * termination state. */
	if (f->lcs == 0x04 || f->lcs == 0x06)
		r->sw = NID_SW_DEACTIVATED;
	else if (f->lcs >= 0x0C)
		r->sw = NID_SW_TERMINATED;
	else
		r->sw = NID_SW_OK;
	return NID_OK;
}

/* ---- READ BINARY (ISO/IEC 7816-4 §11.3.3) ----------------------------- */

/* Check the access condition and the life cycle of the EF to read. */
static int
read_allowed(nid_sim_card *card, const nid_sim_file *f,
    const nid_sim_cmd *cmd, nid_sim_rsp *r)
{
	if (!ac_met(card, &f->read, cmd)) {
		r->sw = NID_SW_SECURITY;
		return 0;
	}
	if (f->lcs == 0x04 || f->lcs == 0x06 || f->lcs >= 0x0C) {
		r->sw = NID_SW_CONDITIONS;
		return 0;
	}
	return 1;
}

static int
sfi_find(const nid_sim_card *card, uint8_t sfi)
{
	size_t i;

	for (i = 0; i < card->nfiles; i++)
		if (card->files[i].parent == card->cur_df &&
		    card->files[i].type == NID_SIM_EF &&
		    card->files[i].sfi == sfi)
			return (int)i;
	return -1;
}

static int
cmd_read_binary(nid_sim_card *card, const nid_sim_cmd *cmd, nid_sim_rsp *r)
{
	const nid_apdu *a = &cmd->apdu;
	const nid_sim_file *f;
	size_t off, n;
	int t;

	if (a->nc != 0 || a->ne == 0) {
		r->sw = NID_SW_WRONG_LENGTH;
		return NID_OK;
	}
	if (a->p1 & 0x80) {
		/* P1 = 100xxxxx: short EF identifier, P2 the offset. */
		if ((a->p1 & 0x60) != 0 || (a->p1 & 0x1F) == 0 ||
		    (a->p1 & 0x1F) == 0x1F) {
			r->sw = NID_SW_WRONG_P1P2;
			return NID_OK;
		}
		if ((t = sfi_find(card, a->p1 & 0x1F)) < 0) {
			r->sw = NID_SW_NOT_FOUND;
			return NID_OK;
		}
		card->cur_ef = t;
		off = a->p2;
	} else {
		if (card->cur_ef < 0) {
			r->sw = NID_SW_NO_CURRENT_EF;
			return NID_OK;
		}
		off = (size_t)a->p1 << 8 | a->p2;
	}
	f = &card->files[card->cur_ef];
	if (!read_allowed(card, f, cmd, r))
		return NID_OK;
	if (off >= f->len && !(off == 0 && f->len == 0)) {
		r->sw = NID_SW_WRONG_OFFSET;
		return NID_OK;
	}
	n = f->len - off;
	if (n > a->ne)
		n = a->ne;
	if (off == 0)
		r->flags |= NID_SIM_RSP_TLV;
	r->sw = n < a->ne ? NID_SW_EOF : NID_SW_OK;
	return nid_buf_put(&r->data, f->data + off, n);
}

/* Header size of DO '53' holding n bytes. */
static size_t
do53_hdr(size_t n)
{
	return n < 0x80 ? 2 : n < 0x100 ? 3 : 4;
}

/*
 * READ BINARY with odd INS (§11.3.3, §7.2.2): P1-P2 0000 = current EF, a
 * short EF identifier in bits 5-1 when bits 16-6 are 0, else a file
 * identifier; the offset in DO '54'; the data comes back in DO '53'.
 * This is how offsets above 32767 are read.
 */
static int
cmd_read_binary_odd(nid_sim_card *card, const nid_sim_cmd *cmd,
    nid_sim_rsp *r)
{
	const nid_apdu *a = &cmd->apdu;
	const nid_sim_file *f;
	uint16_t p1p2 = (uint16_t)(a->p1 << 8 | a->p2);
	nid_cur c, v;
	uint32_t tag;
	size_t off = 0, n, avail;
	uint8_t byte;
	int t, rc;

	if (a->nc == 0 || a->ne < 3) {
		r->sw = NID_SW_WRONG_LENGTH;
		return NID_OK;
	}
	nid_cur_init(&c, a->data, a->nc);
	if (nid_tlv_next(&c, 0, &tag, &v) != NID_OK || tag != 0x54 ||
	    c.len != 0 || v.len < 1 || v.len > 3) {
		r->sw = NID_SW_WRONG_DATA;
		return NID_OK;
	}
	while (v.len > 0) {
		if (nid_cur_get_u8(&v, &byte) != NID_OK)
			return NID_E_INTERNAL;
		off = off << 8 | byte;
	}
	if (p1p2 == 0) {
		if (card->cur_ef < 0) {
			r->sw = NID_SW_NO_CURRENT_EF;
			return NID_OK;
		}
		t = card->cur_ef;
	} else if ((p1p2 & 0xFFE0) == 0 && p1p2 != 0x1F)
		t = sfi_find(card, (uint8_t)p1p2);
	else
		t = find_child(card, card->cur_df, p1p2, 0);
	if (t < 0) {
		r->sw = NID_SW_NOT_FOUND;
		return NID_OK;
	}
	card->cur_ef = t;
	f = &card->files[t];
	if (!read_allowed(card, f, cmd, r))
		return NID_OK;
	if (off >= f->len && !(off == 0 && f->len == 0)) {
		r->sw = NID_SW_WRONG_OFFSET;
		return NID_OK;
	}
	avail = f->len - off;
	n = avail < a->ne ? avail : a->ne;
	while (n > 0 && do53_hdr(n) + n > a->ne)
		n--;
	if ((rc = nid_tlv_put(&r->data, 0x53, f->data + off, n)) != NID_OK)
		return rc;
	r->flags |= NID_SIM_RSP_TLV;
	r->sw = n == avail && r->data.len < a->ne ? NID_SW_EOF : NID_SW_OK;
	return NID_OK;
}

/* ---- GET CHALLENGE (§11.5.3), GET DATA (§11.4.3), VERIFY (§11.5.6) ---- */

static int
cmd_get_challenge(nid_sim_card *card, const nid_sim_cmd *cmd, nid_sim_rsp *r)
{
	const nid_apdu *a = &cmd->apdu;
	int rc;

	if (a->p1 != 0 || a->p2 != 0) {
		r->sw = NID_SW_WRONG_P1P2;
		return NID_OK;
	}
	if (a->nc != 0 || a->ne == 0 || a->ne > sizeof(card->challenge)) {
		r->sw = NID_SW_WRONG_LENGTH;
		return NID_OK;
	}
	if ((rc = nid_sim_random(card, card->challenge, a->ne)) != NID_OK)
		return rc;
	card->challenge_len = a->ne;
	r->sw = NID_SW_OK;
	return nid_buf_put(&r->data, card->challenge, a->ne);
}

static int
cmd_get_data(nid_sim_card *card, const nid_sim_cmd *cmd, nid_sim_rsp *r)
{
	const nid_apdu *a = &cmd->apdu;
	uint16_t tag = (uint16_t)(a->p1 << 8 | a->p2);
	size_t i;
	int rc;

	if (a->nc != 0) {
		r->sw = NID_SW_WRONG_LENGTH;
		return NID_OK;
	}
	for (i = 0; i < card->ndos; i++)
		if (card->dos[i].tag == tag)
			break;
	if (i == card->ndos) {
		r->sw = NID_SW_REF_NOT_FOUND;
		return NID_OK;
	}
	if ((rc = nid_tlv_put(&r->data, tag, card->dos[i].value,
	    card->dos[i].len)) != NID_OK)
		return rc;
	r->flags |= NID_SIM_RSP_TLV;
	r->sw = NID_SW_OK;
	return NID_OK;
}

static int
cmd_verify(nid_sim_card *card, const nid_sim_cmd *cmd, nid_sim_rsp *r)
{
	const nid_apdu *a = &cmd->apdu;
	nid_sim_pin *pin;

	if (a->ne != 0) {
		r->sw = NID_SW_WRONG_LENGTH;
		return NID_OK;
	}
	if (a->p1 != 0x00 && a->p1 != 0xFF) {
		r->sw = NID_SW_WRONG_P1P2;
		return NID_OK;
	}
	if ((pin = pin_find(card, a->p2)) == NULL) {
		r->sw = NID_SW_REF_NOT_FOUND;
		return NID_OK;
	}
	/* P1 = FF, empty data: reset the verification status
	 * (ISO/IEC 7816-4:2013 §11.5.6). */
	if (a->p1 == 0xFF) {
		if (a->nc != 0) {
			r->sw = NID_SW_WRONG_P1P2;
			return NID_OK;
		}
		pin->verified = 0;
		r->sw = NID_SW_OK;
		return NID_OK;
	}
	if (pin->state == NID_SIM_PIN_NOT_ACTIVATED) {
		/* transport PIN: usable only once changed (6984) */
		r->sw = NID_SW_REF_UNUSABLE;
		return NID_OK;
	}
	if (pin->state == NID_SIM_PIN_BLOCKED || pin->tries == 0) {
		r->sw = NID_SW_BLOCKED;
		return NID_OK;
	}
	if (a->nc == 0) {
		/* Empty data field: a status query. 9000 when verified, else
		 * 63Cx with the tries left; the counter is not touched. */
		r->sw = pin->verified ? NID_SW_OK :
		    (uint16_t)(0x63C0u | pin->tries);
		return NID_OK;
	}
	if (a->nc == pin->value_len &&
	    CRYPTO_memcmp(a->data, pin->value, a->nc) == 0) {
		pin->verified = 1;
		pin->tries = pin->max_tries;
		r->sw = NID_SW_OK;
		return NID_OK;
	}
	pin->verified = 0;
	pin->tries--;
	if (pin->tries == 0)
		pin->state = NID_SIM_PIN_BLOCKED;
	r->sw = (uint16_t)(0x63C0u | pin->tries);
	return NID_OK;
}

/* ---- dispatch ---------------------------------------------------------- */

static int
has_handler(const nid_sim_card *card, uint8_t ins)
{
	size_t i;

	for (i = 0; i < card->nhandlers; i++)
		if (card->handlers[i].ins == ins)
			return 1;
	return 0;
}

static int
dispatch(nid_sim_card *card, const nid_sim_cmd *cmd, nid_sim_rsp *r)
{
	size_t i;
	int rc;

	for (i = 0; i < card->nhandlers; i++) {
		if (card->handlers[i].ins != cmd->apdu.ins)
			continue;
		rc = card->handlers[i].fn(card, card->handlers[i].arg, cmd, r);
		if (rc != NID_SIM_DECLINE)
			return rc;
		nid_buf_reset(&r->data);
		r->flags = 0;
	}
	/* The built-in commands are interindustry (CLA b8 = 0). */
	if (cmd->apdu.cla & 0x80) {
		r->sw = NID_SW_CLA;
		return NID_OK;
	}
	switch (cmd->apdu.ins) {
	case 0xA4:
		return cmd_select(card, cmd, r);
	case 0xB0:
		return cmd_read_binary(card, cmd, r);
	case 0xB1:
		return cmd_read_binary_odd(card, cmd, r);
	case 0x84:
		return cmd_get_challenge(card, cmd, r);
	case 0xCA:
		return cmd_get_data(card, cmd, r);
	case 0x20:
		return cmd_verify(card, cmd, r);
	default:
		r->sw = NID_SW_INS;
		return NID_OK;
	}
}

/* Rewrite the first TLV's length to claim 16 bytes more than it has. */
static void
fault_tlv_length(nid_buf *d)
{
	size_t i = 1, nlen, k;
	unsigned long v = 0;

	if (d->len < 2)
		return;
	if ((d->p[0] & 0x1F) == 0x1F)
		while (i < d->len && (d->p[i++] & 0x80) != 0)
			;
	if (i >= d->len)
		return;
	if (d->p[i] < 0x80) {
		d->p[i] = (uint8_t)(d->p[i] + 16 > 0x7F ? 0x7F : d->p[i] + 16);
		return;
	}
	nlen = d->p[i] & 0x7F;
	if (nlen == 0 || nlen > 4 || i + nlen >= d->len)
		return;
	for (k = 1; k <= nlen; k++)
		v = v << 8 | d->p[i + k];
	v += 16;
	for (k = nlen; k >= 1; k--) {
		d->p[i + k] = (uint8_t)v;
		v >>= 8;
	}
}

/* The malformed-response faults, on the data about to be sent. */
static int
apply_data_faults(nid_sim_card *card, nid_buf *d, unsigned flags, size_t ne)
{
	static const uint8_t pad[32];
	size_t want;
	int rc;

	if (d->len == 0)
		return NID_OK;
	if ((flags & NID_SIM_RSP_TLV) && card->faults.garbage_tlv)
		memset(d->p, 0xFF, d->len);
	else if ((flags & NID_SIM_RSP_TLV) && card->faults.bad_tlv_length)
		fault_tlv_length(d);
	if (card->faults.truncate)
		d->len /= 2;
	if (card->faults.oversized) {
		want = ne + sizeof(pad);
		if (want > NID_SIM_RSP_DATA_MAX)
			want = NID_SIM_RSP_DATA_MAX;
		while (d->len < want)
			if ((rc = nid_buf_put(d, pad, want - d->len > sizeof(pad) ?
			    sizeof(pad) : want - d->len)) != NID_OK)
				return rc;
	}
	return NID_OK;
}

/* GET RESPONSE (§11.5.2) in T=0 mode: the next chunk of pending data. */
static int
t0_get_response(nid_sim_card *card, const nid_apdu *a, nid_buf *out)
{
	size_t n, left;
	unsigned flags;
	int rc;

	if (a->p1 != 0 || a->p2 != 0)
		return nid_buf_put_be16(out, NID_SW_WRONG_P1P2);
	if (card->pending.len == 0)
		return nid_buf_put_be16(out, NID_SW_CONDITIONS);
	if (a->ne == 0 || a->nc != 0)
		return nid_buf_put_be16(out, NID_SW_WRONG_LENGTH);
	if (a->ne > card->pending.len)           /* wrong Le: 6Cxx */
		return nid_buf_put_be16(out,
		    (uint16_t)(0x6C00u | (card->pending.len & 0xFF)));
	n = a->ne;
	flags = card->pending_flags;
	if ((rc = nid_buf_put(out, card->pending.p, n)) != NID_OK)
		return rc;
	if ((rc = apply_data_faults(card, out, flags, a->ne)) != NID_OK)
		return rc;
	left = card->pending.len - n;
	memmove(card->pending.p, card->pending.p + n, left);
	card->pending.len = left;
	card->pending_flags = 0;                    /* later chunks: no TLV */
	if (left > 0)
		return nid_buf_put_be16(out,
		    (uint16_t)(0x6100u | (left > 0xFF ? 0 : left)));
	return nid_buf_put_be16(out, card->pending_sw);
}

/*
 * Decode, check the class, unwrap SM, dispatch, wrap, then shape the
 * answer (max Le, T=0, faults) into out (data ‖ SW1 SW2).
 */
static int
process(nid_sim_card *card, const uint8_t *p, size_t len, nid_buf *out)
{
	nid_sim_cmd in, cmd;
	nid_sim_rsp r;
	nid_buf sm_store;
	uint16_t sw_err = 0;
	size_t ne_wire, cap;
	int t0 = card->faults.t0, rc;
	uint8_t cla;

	memset(&in, 0, sizeof(in));
	memset(&r, 0, sizeof(r));
	nid_buf_init(&r.data, NID_SIM_RSP_DATA_MAX + 64);
	nid_buf_init(&sm_store, NID_NC_EXT_MAX + 16);
	if (nid_apdu_decode(p, len, &in.apdu, &in.extended) != NID_OK) {
		rc = nid_buf_put_be16(out, NID_SW_WRONG_LENGTH);
		goto out;
	}
	/* GET RESPONSE continues a T=0 answer; any other command drops it. */
	if (t0 && in.apdu.ins == 0xC0 && (in.apdu.cla & 0x80) == 0) {
		rc = t0_get_response(card, &in.apdu, out);
		goto out;
	}
	nid_buf_reset(&card->pending);
	cla = in.apdu.cla;
	if (in.extended && (!card->caps.extended_length ||
	    card->faults.no_extended || t0)) {
		rc = nid_buf_put_be16(out, NID_SW_WRONG_LENGTH);
		goto out;
	}
	if (in.apdu.nc > card->caps.max_lc) {
		rc = nid_buf_put_be16(out, NID_SW_WRONG_LENGTH);
		goto out;
	}
	/* CLA (§5.4.1): FF invalid, 20-3F RFU, b5 chaining, b2-b1 and the
	 * further interindustry range logical channels, b4-b3 SM. The
	 * proprietary range goes to the handlers. */
	if (cla == 0xFF || (cla & 0xE0) == 0x20) {
		rc = nid_buf_put_be16(out, NID_SW_CLA);
		goto out;
	}
	if ((cla & 0x80) == 0) {
		/* Chaining reaches only an application handler that
		 * takes it (PACE GENERAL AUTHENTICATE, sim_icao.c). */
		if ((cla & 0x10) && !has_handler(card, in.apdu.ins)) {
			rc = nid_buf_put_be16(out, NID_SW_NO_CHAINING);
			goto out;
		}
		if ((cla & 0x40) || (cla & 0x03)) {
			rc = nid_buf_put_be16(out, NID_SW_NO_CHANNEL);
			goto out;
		}
	}
	ne_wire = in.apdu.ne;
	cmd = in;
	if ((cla & 0x80) == 0 && (cla & 0x0C) != 0) {
		if (card->sm == NULL || card->sm->unwrap == NULL) {
			rc = nid_buf_put_be16(out, NID_SW_NO_SM);
			goto out;
		}
		rc = card->sm->unwrap(card, card->sm_arg, &in, &cmd, &sm_store,
		    &sw_err);
		if (rc == NID_SIM_DECLINE) {
			rc = nid_buf_put_be16(out, sw_err);
			goto out;
		}
		if (rc != NID_OK)
			goto internal;
		cmd.sm = 1;
	}
	/* The most one answer carries: the frame, the card's capability,
	 * the max-le fault. Longer answers are cut, as real cards do. */
	cap = NID_SIM_RSP_DATA_MAX;
	if (card->caps.max_le < cap)
		cap = card->caps.max_le;
	if (card->faults.max_le != 0 && card->faults.max_le < cap)
		cap = card->faults.max_le;
	if (cmd.apdu.ne > cap)
		cmd.apdu.ne = cap;
	if (ne_wire > cap)
		ne_wire = cap;
	if ((rc = dispatch(card, &cmd, &r)) != NID_OK)
		goto internal;
	if (cmd.sm && card->sm->wrap != NULL &&
	    (rc = card->sm->wrap(card, card->sm_arg, &cmd, &r)) != NID_OK)
		goto internal;
	if (r.data.len > cap)
		r.data.len = cap;
	if (t0 && r.data.len > 0 && (in.apdu.nc != 0 || ne_wire == 0)) {
		/* T=0 cases 3 and 4 (ISO/IEC 7816-3 §10.3.4): 61xx, the data
		 * waits for GET RESPONSE. */
		nid_buf_reset(&card->pending);
		if ((rc = nid_buf_put(&card->pending, r.data.p, r.data.len)) !=
		    NID_OK)
			goto out;
		card->pending_sw = r.sw;
		card->pending_flags = r.flags;
		rc = nid_buf_put_be16(out, (uint16_t)(0x6100u |
		    (r.data.len > 0xFF ? 0 : r.data.len)));
		goto out;
	}
	if (t0 && r.data.len > 0 && r.data.len != ne_wire &&
	    ((r.sw >> 8) == 0x90 || (r.sw >> 8) == 0x62)) {
		/* T=0 case 2 with the wrong Le: 6Cxx, xx the exact length. */
		rc = nid_buf_put_be16(out, (uint16_t)(0x6C00u |
		    (r.data.len & 0xFF)));
		goto out;
	}
	/* The command on the wire bounds the answer (under SM, the
	 * protected one). Ne = 0: no response data. */
	if (!t0 && r.data.len > ne_wire)
		r.data.len = ne_wire;
	if ((rc = apply_data_faults(card, &r.data, r.flags, ne_wire)) !=
	    NID_OK)
		goto out;
	if ((rc = nid_buf_put(out, r.data.p, r.data.len)) != NID_OK ||
	    (rc = nid_buf_put_be16(out, r.sw)) != NID_OK)
		goto out;
	rc = NID_OK;
	goto out;
internal:
	/* 6F00: no precise diagnosis — a handler or the SM hook failed. */
	nid_buf_reset(out);
	rc = nid_buf_put_be16(out, 0x6F00);
out:
	nid_buf_clear(&r.data);
	nid_buf_clear(&sm_store);
	return rc;
}

static void
sim_sleep_ms(unsigned ms)
{
	struct timespec ts;

	if (ms == 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
nid_sim_process(nid_sim_card *card, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len, enum nid_sim_action *action)
{
	nid_buf out;
	size_t cap = *rsp_len;
	int rc;

	*rsp_len = 0;
	*action = NID_SIM_ANSWER;
	nid_buf_init(&out, NID_SIM_RSP_DATA_MAX + 2 + 64);
	if (card->removed) {
		*action = NID_SIM_REMOVE;
		rc = NID_OK;
		goto out;
	}
	card->apdus++;
	if (cmd_len >= 2)
		card->ins_count[cmd[1]]++;
	if (card->faults.remove_at != 0 &&
	    card->apdus >= card->faults.remove_at) {
		nid_sim_remove(card);
		*action = NID_SIM_REMOVE;
		rc = NID_OK;
		goto out;
	}
	if (card->faults.mute_at != 0 && card->apdus >= card->faults.mute_at) {
		*action = NID_SIM_SILENT;
		rc = NID_OK;
		goto out;
	}
	sim_sleep_ms(card->delay_ms + card->faults.slow_ms);
	/* The hostile card (sim_hostile.c): lying files, then answers that
	 * break the protocol before the command is even looked at. */
	if (!card->faults.files_done &&
	    (rc = nid_sim_hostile_files(card)) != NID_OK)
		goto out;
	if ((rc = nid_sim_hostile_answer(card, cmd, cmd_len, &out)) ==
	    NID_SIM_DECLINE)
		rc = process(card, cmd, cmd_len, &out);
	if (rc != NID_OK)
		goto out;
	if (out.len > cap) {
		rc = NID_E_TOO_LARGE;
		goto out;
	}
	memcpy(rsp, out.p, out.len);
	*rsp_len = out.len;
out:
	/* The state file follows every APDU; a write failure does not stop
	 * the card (the front end reports it at exit). */
	if (card->state_path != NULL)
		(void)nid_sim_card_write_state(card);
	nid_buf_clear(&out);
	return rc;
}
