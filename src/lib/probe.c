/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * probe.c — what this card accepts through this reader (probe.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "nid_internal.h"
#include "atr.h"
#include "pcsc.h"
#include "probe.h"
#include "sw.h"

/* Short Le fall-back ladder, largest first: the one emrtd.c uses. */
static const size_t ladder[] = { 256, 224, 192, 160, 128 };

/* EF.CardAccess (ICAO 9303-10 §3.11.3): SFI 1C of the MF; EF.DIR
 * (ISO/IEC 7816-4 §8.2.1.1): 2F00, SFI 1E. */
#define SFI_CARD_ACCESS 0x1Cu
#define SFI_DIR 0x1Eu
/* Largest offset of READ BINARY B0 (15 bits): what the probe reads of
 * EF.CardAccess; a larger one is left to the reading code. */
#define PROBE_CA_MAX 0x7FFFu

static unsigned long
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (unsigned long)ts.tv_sec * 1000ul +
	    (unsigned long)(ts.tv_nsec / 1000000);
}

const char *
nid_probe_ext_str(enum nid_probe_ext e)
{
	switch (e) {
	case NID_PROBE_EXT_WORKS:
		return "works";
	case NID_PROBE_EXT_CARD_REFUSED:
		return "refused by the card";
	case NID_PROBE_EXT_READER_FAILED:
		return "failed in the reader";
	case NID_PROBE_EXT_UNTRIED:
		break;
	}
	return "not tried";
}

const char *
nid_probe_le_basis_str(enum nid_probe_le_basis b)
{
	switch (b) {
	case NID_PROBE_LE_CUT:
		return "cut";
	case NID_PROBE_LE_SEEN:
		return "seen";
	case NID_PROBE_LE_FILE:
		return "whole file";
	case NID_PROBE_LE_DECLARED:
		return "declared";
	case NID_PROBE_LE_DEFAULT:
		break;
	}
	return "default";
}

void
nid_probe_clear(struct nid_probe *p)
{
	if (p == NULL)
		return;
	if (p->card_access_bytes != NULL) {
		OPENSSL_cleanse(p->card_access_bytes, p->card_access_len);
		free(p->card_access_bytes);
	}
	memset(p, 0, sizeof(*p));
	p->protocol = -1;
	p->atr_ext = p->atr_chaining = -1;
	p->info = -1;
	p->info_max_cmd = p->info_max_rsp = -1;
	p->card_access = -1;
}

/*
 * An INTEGER value as an APDU size. Read unsigned: a card that writes
 * 65535 as FF FF (two's complement would make it -1) means 65535.
 * Leading zero bytes are skipped; at most 3 significant bytes remain
 * (sizes of extended APDUs need 17 bits).
 */
static int
get_uint(nid_cur v, long *out)
{
	unsigned long x = 0;
	uint8_t b;

	if (v.len == 0)
		return NID_E_MALFORMED;
	while (v.len > 1 && v.p[0] == 0x00)
		if (nid_cur_skip(&v, 1) != NID_OK)
			return NID_E_TRUNCATED;
	if (v.len > 3)
		return NID_E_MALFORMED;
	while (v.len > 0) {
		if (nid_cur_get_u8(&v, &b) != NID_OK)
			return NID_E_TRUNCATED;
		x = x << 8 | b;
	}
	*out = (long)x;
	return NID_OK;
}

int
nid_probe_parse_atr_info(const uint8_t *p, size_t len, long *max_cmd,
    long *max_rsp)
{
	nid_cur c, v, in;
	uint32_t tag;
	long a = -1, b = -1;
	int rc;

	*max_cmd = *max_rsp = -1;
	if (p == NULL && len > 0)
		return NID_E_INVALID_ARG;
	nid_cur_init(&c, p, len);
	/*
	 * ISO/IEC 7816-4:2013 §8.2.1.1: EF.ATR/INFO is a string of
	 * interindustry DOs. Padding '00' / 'FF' between and after DOs is
	 * allowed (§5.2.2.1): skip it.
	 */
	while (c.len > 0) {
		if (c.p[0] == 0x00 || c.p[0] == 0xFF) {
			if (nid_cur_skip(&c, 1) != NID_OK)
				return NID_E_TRUNCATED;
			continue;
		}
		if ((rc = nid_tlv_next(&c, 0, &tag, &v)) != NID_OK)
			return rc;
		if (tag != 0x7F66)
			continue;
		/* §12.7.1: extended length information, two INTEGERs. */
		in = v;
		if ((rc = nid_tlv_expect(&in, 0, 0x02, &v)) != NID_OK ||
		    (rc = get_uint(v, &a)) != NID_OK ||
		    (rc = nid_tlv_expect(&in, 0, 0x02, &v)) != NID_OK ||
		    (rc = get_uint(v, &b)) != NID_OK)
			return rc == NID_E_TRUNCATED ? rc : NID_E_MALFORMED;
		/* A third INTEGER may follow (newer editions); ignored. */
		*max_cmd = a;
		*max_rsp = b;
		return NID_OK;
	}
	return NID_OK;
}

/*
 * One command through card.c (which follows 61xx / 6Cxx), recorded as a
 * step with its encoding as card.c sends it first: extended exactly
 * when Nc > 255 or Ne > 256 (the probe lifts the caps while it runs).
 * The response data go to rsp. A transport error is returned after it
 * was recorded.
 */
static int
step(nid_card_t *card, struct nid_probe *p, const char *what,
    const nid_apdu *a, nid_buf *rsp, struct nid_probe_step **out)
{
	struct nid_probe_step *s;
	unsigned long a0 = card->t->apdus;
	nid_buf enc;
	uint16_t sw = 0;
	int rc;

	/*
	 * At most 17 steps are recorded (trial 9, EF.ATR/INFO 5, GET
	 * CHALLENGE 1, the rest of EF.CardAccess 1, and spare); the rest
	 * of EF.CardAccess reuses its step (finish_card_access).
	 */
	if (p->nsteps < NID_PROBE_STEPS_MAX)
		s = &p->steps[p->nsteps++];
	else
		s = &p->steps[NID_PROBE_STEPS_MAX - 1];
	memset(s, 0, sizeof(*s));
	(void)snprintf(s->what, sizeof(s->what), "%s", what);
	nid_buf_init(&enc, NID_RSP_MAX);
	if (nid_apdu_encode(a, 0, &enc) == NID_OK) {
		s->cmd_len = enc.len < sizeof(s->cmd) ? enc.len :
		    sizeof(s->cmd);
		memcpy(s->cmd, enc.p, s->cmd_len);
	}
	nid_buf_clear(&enc);
	s->ne = a->ne;
	rc = nid_card_transmit(card, a, rsp, &sw);
	s->rc = rc;
	s->sw_first = card->sw_first;
	s->sw = sw;
	s->got = rc == NID_OK ? rsp->len : 0;
	s->apdus = card->t->apdus - a0;
	p->apdus += s->apdus;
	if ((s->sw_first & 0xFF00u) == 0x6100u ||
	    (s->sw_first & 0xFF00u) == 0x6C00u)
		p->t0_procedure = 1;
	*out = s;
	return rc;
}

/* Errors after which nothing more can be sent. */
static int
fatal(int rc)
{
	return rc == NID_E_CARD_REMOVED || rc == NID_E_CARD_RESET ||
	    rc == NID_E_READER_GONE || rc == NID_E_NO_SERVICE ||
	    rc == NID_E_NOMEM || rc == NID_E_INVALID_ARG;
}

/*
 * A 61xx chain that never ends (card.c gives up, NID_E_CARD_PROTOCOL):
 * another Le cannot help, so the probe stops at once rather than walk
 * the ladder through one loop per step.
 */
static int
loop_61xx(int rc, const struct nid_probe_step *s)
{
	return rc == NID_E_CARD_PROTOCOL && (s->sw_first & 0xFF00u) == 0x6100u;
}

/* The card refuses the length field: wrong length, or 6Cxx it could not
 * satisfy (card.c: NID_E_CARD_PROTOCOL), or it knows no such form. */
static int
refused(uint16_t sw)
{
	return sw == 0x6700 || (sw & 0xFF00u) == 0x6C00u || sw == 0x6D00 ||
	    sw == 0x6E00;
}

static int
answered(uint16_t sw)
{
	return sw == NID_SW_OK || sw == 0x6282;
}

/*
 * The commands (ISO/IEC 7816-4:2013), each INS a literal here: READ
 * BINARY B0 (§11.3.3) by SFI at offset 0 (P1 = 100 SFI) or of the
 * current EF at a 15-bit offset, SELECT A4 (§11.2.2) by FID with no
 * answer data (P2 0C), GET CHALLENGE 84 (§11.5.3).
 */
static void
read_sfi_apdu(nid_apdu *a, uint8_t sfi, size_t ne)
{
	memset(a, 0, sizeof(*a));
	a->ins = 0xB0;
	a->p1 = (uint8_t)(0x80u | sfi);
	a->ne = ne;
}

static void
read_off_apdu(nid_apdu *a, size_t off, size_t ne)
{
	memset(a, 0, sizeof(*a));
	a->ins = 0xB0;
	a->p1 = (uint8_t)((off >> 8) & 0x7Fu);
	a->p2 = (uint8_t)(off & 0xFFu);
	a->ne = ne;
}

static void
select_apdu(nid_apdu *a, uint8_t p1, const uint8_t fid[2])
{
	memset(a, 0, sizeof(*a));
	a->ins = 0xA4;
	a->p1 = p1;
	a->p2 = 0x0C;
	a->data = fid;
	a->nc = 2;
}

static void
challenge_apdu(nid_apdu *a, size_t ne)
{
	memset(a, 0, sizeof(*a));
	a->ins = 0x84;
	a->ne = ne;
}

/* SELECT MF (FID 3F00, P1 00). */
static int
select_mf(nid_card_t *card, struct nid_probe *p)
{
	static const uint8_t mf[2] = { 0x3F, 0x00 };
	struct nid_probe_step *s;
	nid_apdu a;
	nid_buf rsp;
	int rc;

	nid_buf_init(&rsp, NID_CARD_RSP_DATA_MAX);
	select_apdu(&a, 0x00, mf);
	rc = step(card, p, "SELECT MF", &a, &rsp, &s);
	if (rc == NID_OK)
		(void)snprintf(s->note, sizeof(s->note), "%s",
		    s->sw == NID_SW_OK ? "the MF is the current DF" :
		    "no MF to select");
	nid_buf_clear(&rsp);
	return rc;
}

/*
 * What one trial READ BINARY answer shows. into: the bytes (reset and
 * filled). Sets the file size when the header is readable.
 */
static void
judge_read(struct nid_probe *p, struct nid_probe_step *s, const nid_buf *rsp)
{
	size_t total = 0;

	if (!answered(s->sw)) {
		(void)snprintf(s->note, sizeof(s->note), "%s",
		    refused(s->sw) ? "length refused" : "not readable");
		return;
	}
	/*
	 * The file's size from its first TLV (EF.CardAccess is one SET; a
	 * file of several DOs, EF.DIR, is at least what came back).
	 */
	if (rsp->len > 0 &&
	    nid_tlv_total_len(rsp->p, rsp->len, &total) == NID_OK)
		p->trial_file_size = total > rsp->len ? total : rsp->len;
	if (p->trial_le < s->ne)
		p->trial_le = s->ne;
	if (total > 0 && rsp->len < total && rsp->len < s->ne) {
		/* Neither Ne nor the end of the file: the card cut it. */
		if (p->trial_limit == 0 || rsp->len < p->trial_limit)
			p->trial_limit = rsp->len;
		(void)snprintf(s->note, sizeof(s->note), "answer cut at %zu "
		    "bytes of a %zu-byte file: the card's limit", rsp->len,
		    total);
	} else if (total > 0 && rsp->len >= total)
		(void)snprintf(s->note, sizeof(s->note), "the whole file "
		    "(%zu bytes)", p->trial_file_size);
	else
		(void)snprintf(s->note, sizeof(s->note), "%zu bytes, as "
		    "asked", rsp->len);
}

enum trial_outcome {
	TRIAL_READ = 0,   /* an answer with data (9000 / 6282) */
	TRIAL_ABSENT,     /* 6A82, 6982, …: no such file to read */
	TRIAL_REFUSED     /* every length refused */
};

/*
 * a. and b. of the trial (probe.h) on the file sfi of the MF. rsp gets
 * what the accepted read returned. mf_retry: on a refusal that is not
 * about the length, SELECT MF and try once more. *sw: the last status word.
 */
static int
trial_read(nid_card_t *card, struct nid_probe *p, uint8_t sfi,
    const char *name, int mf_retry, nid_buf *rsp, enum trial_outcome *res,
    uint16_t *sw)
{
	struct nid_probe_step *s;
	nid_apdu a;
	char what[64];
	size_t i;
	int rc, again = 0, ext_tried = p->ext != NID_PROBE_EXT_UNTRIED;

	*res = TRIAL_REFUSED;
	*sw = 0;
	(void)snprintf(what, sizeof(what), "READ BINARY %s, extended Le",
	    name);
	while (!ext_tried) {
		read_sfi_apdu(&a, sfi, NID_NE_EXT_MAX);
		rc = step(card, p, what, &a, rsp, &s);
		*sw = s->sw;
		if (rc != NID_OK) {
			if (fatal(rc) || loop_61xx(rc, s))
				return rc;
			/* The reader (or its driver) refused the APDU. */
			p->ext = NID_PROBE_EXT_READER_FAILED;
			p->ext_pcsc = nid_pcsc_last_code(card->t->ctx);
			(void)snprintf(s->note, sizeof(s->note), "the exchange "
			    "failed: %s", nid_strerror(rc));
			nid_ctx_clear_detail(card->t->ctx);
			break;
		}
		if (answered(s->sw)) {
			p->ext = NID_PROBE_EXT_WORKS;
			(void)snprintf(p->trial_file, sizeof(p->trial_file),
			    "%s", name);
			judge_read(p, s, rsp);
			*res = TRIAL_READ;
			return NID_OK;
		}
		if (refused(s->sw)) {
			p->ext = NID_PROBE_EXT_CARD_REFUSED;
			(void)snprintf(s->note, sizeof(s->note), "extended "
			    "length refused (%04X)", s->sw);
			break;
		}
		if (mf_retry && !again) {
			/*
			 * Left in an application (or a secure messaging
			 * session) by an earlier session? PC/SC does not
			 * reset the card between connections: from the MF.
			 */
			(void)snprintf(s->note, sizeof(s->note), "not "
			    "readable here (%04X)", s->sw);
			if ((rc = select_mf(card, p)) != NID_OK)
				return rc;
			if (p->steps[p->nsteps - 1].sw != NID_SW_OK) {
				*res = TRIAL_ABSENT;
				return NID_OK;
			}
			again = 1;
			continue;
		}
		(void)snprintf(s->note, sizeof(s->note), "no %s to read "
		    "(%04X)", name, s->sw);
		*res = TRIAL_ABSENT;
		return NID_OK;
	}
	/* b. short Le down the ladder. */
	(void)snprintf(what, sizeof(what), "READ BINARY %s, short Le", name);
	i = 0;
	while (i < NID_NELEM(ladder)) {
		read_sfi_apdu(&a, sfi, ladder[i]);
		rc = step(card, p, what, &a, rsp, &s);
		*sw = s->sw;
		if (loop_61xx(rc, s))
			return rc;
		if (rc == NID_E_CARD_PROTOCOL) {
			/* An absurd 6Cxx: the Le refused all the same. */
			(void)snprintf(s->note, sizeof(s->note), "length "
			    "refused (%04X)", s->sw_first);
			nid_ctx_clear_detail(card->t->ctx);
			i++;
			continue;
		}
		if (rc != NID_OK)
			return rc;
		if (answered(s->sw)) {
			(void)snprintf(p->trial_file, sizeof(p->trial_file),
			    "%s", name);
			judge_read(p, s, rsp);
			*res = TRIAL_READ;
			return NID_OK;
		}
		if (!refused(s->sw) && mf_retry && !again) {
			(void)snprintf(s->note, sizeof(s->note), "not "
			    "readable here (%04X)", s->sw);
			if ((rc = select_mf(card, p)) != NID_OK)
				return rc;
			if (p->steps[p->nsteps - 1].sw != NID_SW_OK) {
				*res = TRIAL_ABSENT;
				return NID_OK;
			}
			again = 1;
			continue;   /* the same Le once more, from the MF */
		}
		if (!refused(s->sw)) {
			(void)snprintf(s->note, sizeof(s->note), "no %s to "
			    "read (%04X)", name, s->sw);
			*res = TRIAL_ABSENT;
			return NID_OK;
		}
		(void)snprintf(s->note, sizeof(s->note), "length refused "
		    "(%04X)", s->sw);
		i++;
	}
	return NID_OK;
}

/*
 * The rest of EF.CardAccess after the trial read (B0 at offsets, the
 * current EF), so the reading code need not read it again. Any problem:
 * the file is left to the reading code (card_access stays -1).
 */
static int
finish_card_access(nid_card_t *card, struct nid_probe *p, nid_buf *data,
    uint16_t sw)
{
	struct nid_probe_step *s;
	nid_apdu a;
	nid_buf rsp;
	size_t total = p->trial_file_size, off, want, chunk;
	unsigned long a0 = p->apdus, nreads = 0;
	int rc = NID_OK;

	nid_buf_init(&rsp, NID_CARD_RSP_DATA_MAX);
	if (total == 0 || total > PROBE_CA_MAX)
		goto out;
	if (data->len >= total)
		data->len = total;   /* bytes past the TLV are not the file's */
	else if (sw == 0x6282)
		goto out;            /* the file ends before its header says */
	chunk = p->caps.extended ? p->caps.max_ne : p->caps.max_ne >
	    NID_NE_SHORT_MAX ? NID_NE_SHORT_MAX : p->caps.max_ne;
	while ((off = data->len) < total) {
		want = total - off < chunk ? total - off : chunk;
		read_off_apdu(&a, off, want);
		if (nreads++ > 0 && p->nsteps > 0)
			p->nsteps--;   /* one step stands for all of them */
		rc = step(card, p, "READ BINARY EF.CardAccess, the rest", &a,
		    &rsp, &s);
		if (rc != NID_OK) {
			if (!fatal(rc)) {
				nid_ctx_clear_detail(card->t->ctx);
				rc = NID_OK;
			}
			goto out;
		}
		if (!answered(s->sw) || rsp.len == 0 || rsp.len > want) {
			(void)snprintf(s->note, sizeof(s->note), "left to the "
			    "reading code (%04X)", s->sw);
			goto out;
		}
		(void)snprintf(s->note, sizeof(s->note), "%lu READ BINARY, "
		    "up to offset %zu", nreads, off + rsp.len);
		if ((rc = nid_buf_put(data, rsp.p, rsp.len)) != NID_OK)
			goto out;
	}
	p->card_access = 1;
	p->card_access_sw = NID_SW_OK;
	p->card_access_apdus += p->apdus - a0;
	rc = nid_buf_steal(data, &p->card_access_bytes, &p->card_access_len);
out:
	nid_buf_clear(&rsp);
	return rc;
}

/* EF.ATR/INFO: SELECT 2F01 under the MF, READ BINARY B0 to its end. */
static int
read_atr_info(nid_card_t *card, struct nid_probe *p)
{
	static const uint8_t fid[2] = { 0x2F, 0x01 };
	struct nid_probe_step *s;
	nid_apdu a;
	nid_buf rsp;
	size_t off = 0;
	int rc;

	nid_buf_init(&rsp, NID_CARD_RSP_DATA_MAX);
	p->info = 0;
	/* P1 02: an EF under the current DF, the MF after the trial. */
	select_apdu(&a, 0x02, fid);
	if ((rc = step(card, p, "SELECT EF.ATR/INFO", &a, &rsp, &s)) !=
	    NID_OK)
		goto out;
	p->info_sw = s->sw;
	if (s->sw != NID_SW_OK) {
		(void)snprintf(s->note, sizeof(s->note), "absent (%04X)",
		    s->sw);
		goto out;
	}
	(void)snprintf(s->note, sizeof(s->note), "present");
	while (off < NID_PROBE_INFO_MAX) {
		read_off_apdu(&a, off, NID_NE_SHORT_MAX);
		if ((rc = step(card, p, "READ BINARY EF.ATR/INFO", &a, &rsp,
		    &s)) != NID_OK)
			goto out;
		if (s->sw == 0x6B00 && off > 0)
			break;   /* the file ended exactly at a 256 boundary */
		if (!answered(s->sw)) {
			(void)snprintf(s->note, sizeof(s->note), "not "
			    "readable (%04X)", s->sw);
			p->info_sw = s->sw;
			goto out;
		}
		if (rsp.len > NID_PROBE_INFO_MAX - off)
			rsp.len = NID_PROBE_INFO_MAX - off;
		memcpy(p->info_bytes + off, rsp.p, rsp.len);
		off += rsp.len;
		(void)snprintf(s->note, sizeof(s->note), "%zu bytes", rsp.len);
		if (rsp.len < NID_NE_SHORT_MAX || s->sw == 0x6282)
			break;
	}
	p->info = 1;
	p->info_len = off;
	if (nid_probe_parse_atr_info(p->info_bytes, p->info_len,
	    &p->info_max_cmd, &p->info_max_rsp) != NID_OK)
		(void)snprintf(p->info_note, sizeof(p->info_note),
		    "malformed: its extended length information is ignored");
	else if (p->info_max_rsp < 0)
		(void)snprintf(p->info_note, sizeof(p->info_note),
		    "no extended length information (DO '7F66')");
out:
	nid_buf_clear(&rsp);
	return rc;
}

/* c. GET CHALLENGE with the accepted short Le (probe.h). */
static int
trial_challenge(nid_card_t *card, struct nid_probe *p)
{
	struct nid_probe_step *s;
	nid_apdu a;
	nid_buf rsp;
	size_t le = p->trial_le > 0 ? p->trial_le : NID_NE_SHORT_MAX;
	int rc;

	nid_buf_init(&rsp, NID_CARD_RSP_DATA_MAX);
	challenge_apdu(&a, le);
	rc = step(card, p, "GET CHALLENGE, short Le", &a, &rsp, &s);
	if (rc == NID_E_CARD_PROTOCOL) {
		nid_ctx_clear_detail(card->t->ctx);
		(void)snprintf(s->note, sizeof(s->note), "no answer to judge "
		    "by (%04X)", s->sw_first);
		rc = NID_OK;
		goto out;
	}
	if (rc != NID_OK)
		goto out;
	if (s->sw != NID_SW_OK || s->got < NID_PROBE_CHALLENGE_MIN) {
		(void)snprintf(s->note, sizeof(s->note), "%zu bytes (%04X): "
		    "says nothing about the limit", s->got, s->sw);
	} else if (s->got < le) {
		if (p->trial_limit == 0 || s->got < p->trial_limit)
			p->trial_limit = s->got;
		(void)snprintf(s->note, sizeof(s->note), "answer cut at %zu "
		    "bytes: the card's limit", s->got);
	} else {
		p->challenge_seen = 1;
		(void)snprintf(s->note, sizeof(s->note), "all %zu bytes: Le "
		    "%zu works", s->got, le);
	}
out:
	nid_buf_clear(&rsp);
	return rc;
}

/* The conclusion from the three sources (probe.h). */
static void
conclude(struct nid_probe *p)
{
	nid_card_caps *c = &p->caps;
	size_t decl;

	c->chaining = p->atr_chaining != 0;
	switch (p->ext) {
	case NID_PROBE_EXT_WORKS:
		c->extended = 1;
		break;
	case NID_PROBE_EXT_UNTRIED:
		c->extended = p->atr_ext == 1;
		break;
	default:
		c->extended = 0;
		break;
	}
	c->max_nc = c->extended ? NID_NC_EXT_MAX : NID_NC_SHORT_MAX;
	c->max_ne = c->extended ? NID_NE_EXT_MAX : NID_NE_SHORT_MAX;
	p->le_basis = NID_PROBE_LE_DEFAULT;
	if (!c->extended && p->trial_le > 0 && p->trial_le < c->max_ne)
		c->max_ne = p->trial_le;   /* the ladder step accepted */
	if (p->trial_file[0] != '\0')
		p->le_basis = NID_PROBE_LE_FILE;
	if (p->challenge_seen)
		p->le_basis = NID_PROBE_LE_SEEN;
	if (p->trial_limit > 0 && p->trial_limit < c->max_ne) {
		c->max_ne = p->trial_limit;
		p->le_basis = NID_PROBE_LE_CUT;
	}
	/* '7F66' counts the whole response APDU: data and SW1 SW2. */
	if (c->extended && p->info_max_rsp > 2) {
		decl = (size_t)p->info_max_rsp - 2;
		if (decl < c->max_ne) {
			c->max_ne = decl;
			p->le_basis = NID_PROBE_LE_DECLARED;
		}
	}
	/* … and the whole command APDU: header 4, Lc 3, Le 2. */
	if (c->extended && p->info_max_cmd > 9 &&
	    (size_t)p->info_max_cmd - 9 < c->max_nc)
		c->max_nc = (size_t)p->info_max_cmd - 9;
	if (c->max_ne < 1)
		c->max_ne = 1;
}

int
nid_probe_run(nid_card_t *card, unsigned flags, struct nid_probe *p)
{
	nid_atr a;
	nid_atr_caps_t ac;
	nid_card_caps saved;
	nid_buf data, dir;
	enum trial_outcome res = TRIAL_REFUSED, res_dir;
	unsigned long t0 = now_ms(), a0;
	uint16_t sw = 0, sw_dir;
	int have, rc;

	if (p == NULL)
		return NID_E_INVALID_ARG;
	memset(p, 0, sizeof(*p));
	nid_probe_clear(p);
	nid_buf_init(&data, NID_CARD_RSP_DATA_MAX);
	nid_buf_init(&dir, NID_CARD_RSP_DATA_MAX);
	if (card == NULL || card->t == NULL)
		return NID_E_INVALID_ARG;
	p->protocol = nid_pcsc_protocol(card->t);
	/*
	 * The probe sends the lengths it means to try: card.c must neither
	 * lower Ne to the caps nor refuse extended length while it runs.
	 */
	saved = card->caps;
	card->caps.extended = 1;
	card->caps.max_nc = NID_NC_EXT_MAX;
	card->caps.max_ne = NID_NE_EXT_MAX;

	/* 1. The ATR (ISO/IEC 7816-4 §8.1.1.2.7 third software function). */
	p->atr_len = sizeof(p->atr);
	if (nid_transport_get_atr(card->t, p->atr, &p->atr_len) != NID_OK)
		p->atr_len = 0;
	if (p->atr_len > 0) {
		(void)nid_atr_parse(p->atr, p->atr_len, &a);
		nid_atr_caps(&a, &ac);
		p->atr_ext = ac.ext_lc_le;
		p->atr_chaining = ac.chaining;
		p->atr_t0 = (a.protocols & 0x1u) != 0;
		p->atr_t1 = (a.protocols & 0x2u) != 0;
	}

	/* 3a, 3b. The trial read of EF.CardAccess (it is also the file). */
	a0 = p->apdus;
	if ((rc = trial_read(card, p, SFI_CARD_ACCESS, "EF.CardAccess", 1,
	    &data, &res, &sw)) != NID_OK)
		goto out;
	p->card_access_apdus = p->apdus - a0;
	have = res == TRIAL_READ;
	if (res == TRIAL_ABSENT) {
		p->card_access = 0;   /* 6A82, 6982, …: absent to us */
		p->card_access_sw = sw;
		/* A BAC-only chip: EF.DIR (2F00, SFI 1E of the MF, ISO/IEC
		 * 7816-4 §8.2.1.1) when there is one. */
		if ((rc = trial_read(card, p, SFI_DIR, "EF.DIR", 0, &dir,
		    &res_dir, &sw_dir)) != NID_OK)
			goto out;
	}

	/* 2. EF.ATR/INFO. */
	if ((flags & NID_PROBE_ATR_INFO) || ((flags & NID_PROBE_ATR_INFO_EXT) &&
	    (p->ext == NID_PROBE_EXT_WORKS || (p->ext ==
	    NID_PROBE_EXT_UNTRIED && p->atr_ext == 1)))) {
		if ((rc = read_atr_info(card, p)) != NID_OK)
			goto out;
	}

	/* 3c. The limit the file was too short to show. */
	conclude(p);
	if ((flags & NID_PROBE_CHALLENGE) && !p->caps.extended &&
	    p->trial_limit == 0 && (p->trial_file_size == 0 ||
	    p->trial_file_size < p->caps.max_ne)) {
		if ((rc = trial_challenge(card, p)) != NID_OK)
			goto out;
		conclude(p);
	}

	/* EF.CardAccess whole, for the reading code. */
	if (have && (rc = finish_card_access(card, p, &data, sw)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	card->caps = saved;
	p->ms = now_ms() - t0;
	nid_buf_clear(&data);
	nid_buf_clear(&dir);
	return rc;
}
