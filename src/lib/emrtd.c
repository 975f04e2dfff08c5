/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * emrtd.c — reading an eMRTD: access control and the LDS files (emrtd.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "nid_internal.h"
#include "atr.h"
#include "emrtd.h"
#include "lds.h"
#include "oid.h"
#include "secinfo.h"
#include "sm.h"
#include "sw.h"

/* Short Le fall-back ladder (largest first). */
static const size_t le_ladder[] = { 256, 224, 192, 160, 128 };

static unsigned long
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (unsigned long)ts.tv_sec * 1000ul +
	    (unsigned long)(ts.tv_nsec / 1000000);
}

/* ---- credentials ------------------------------------------------------ */

void
nid_emrtd_creds_clear(struct nid_emrtd_creds *c)
{
	if (c != NULL)
		OPENSSL_cleanse(c, sizeof(*c));
}

int
nid_emrtd_creds_can(struct nid_emrtd_creds *c, const char *can)
{
	size_t i, n;

	nid_emrtd_creds_clear(c);
	if (c == NULL || can == NULL)
		return NID_E_INVALID_ARG;
	n = strlen(can);
	if (n == 0 || n >= sizeof(c->secret))
		return NID_E_INVALID_ARG;
	for (i = 0; i < n; i++)
		if (can[i] < '0' || can[i] > '9')
			return NID_E_INVALID_ARG;
	memcpy(c->secret, can, n);
	c->len = n;
	c->type = NID_PACE_PW_CAN;
	return NID_OK;
}

int
nid_emrtd_creds_mrz(struct nid_emrtd_creds *c, const char *mrz_info)
{
	size_t n;

	nid_emrtd_creds_clear(c);
	if (c == NULL || mrz_info == NULL)
		return NID_E_INVALID_ARG;
	n = strlen(mrz_info);
	if (n == 0 || n >= sizeof(c->secret))
		return NID_E_INVALID_ARG;
	memcpy(c->secret, mrz_info, n);
	c->len = n;
	c->type = NID_PACE_PW_MRZ;
	return NID_OK;
}

/* ---- reading strategy ------------------------------------------------- */

/* Bytes of the protected answer to n plain bytes (n ≥ 1). */
static size_t
sm_rsp_len(size_t block, size_t n)
{
	size_t padded, l87;

	/*
	 * ICAO 9303-11 §9.8.6: DO'87' = 87 L 01 ‖ E(pad(n)), pad to the next
	 * block boundary (always at least one byte), DO'99' 4 bytes, DO'8E'
	 * 10 bytes; L in BER (ISO/IEC 7816-4 §5.2.2.2).
	 */
	padded = (n / block + 1) * block;
	l87 = 1 + padded;
	return 1 + (l87 < 0x80 ? 1u : l87 < 0x100 ? 2u : l87 < 0x10000 ? 3u :
	    4u) + l87 + 4 + 10;
}

size_t
nid_emrtd_sm_le(size_t block, size_t limit)
{
	size_t n;

	if (limit > NID_NE_EXT_MAX)
		limit = NID_NE_EXT_MAX;
	if (limit == 0)
		return 1;
	if (block == 0)
		return limit;
	/* The padding grows by whole blocks: at most 2 blocks + 32 steps. */
	for (n = limit; n > 0; n--)
		if (sm_rsp_len(block, n) <= limit)
			return n;
	return 1;
}

size_t
nid_emrtd_sm_short_le(size_t block)
{
	/* The response of a short command holds at most 256 bytes. */
	return nid_emrtd_sm_le(block, NID_NE_SHORT_MAX);
}

void
nid_emrtd_rd_init(struct nid_emrtd_rd *rd, const nid_card_t *card,
    nid_transport_t *wire, size_t sm_block)
{
	size_t lim = card->caps.max_ne;

	memset(rd, 0, sizeof(*rd));
	rd->wire = wire != NULL ? wire : card->t;
	/*
	 * caps.max_ne bounds the answer on the wire: under secure messaging
	 * the protected one, so the plain ceilings are what fits in it.
	 */
	rd->le = nid_emrtd_sm_le(sm_block, lim < NID_NE_SHORT_MAX ? lim :
	    NID_NE_SHORT_MAX);
	rd->ext_max = nid_emrtd_sm_le(sm_block, lim);
	if (rd->ext_max > NID_EMRTD_EXT_CHUNK)
		rd->ext_max = NID_EMRTD_EXT_CHUNK;
	rd->extended = card->caps.extended && rd->ext_max > rd->le &&
	    rd->ext_max > NID_NE_SHORT_MAX;
}

/* Lower the short ceiling to the next ladder step below it; 0: none. */
static size_t
ladder_below(size_t le)
{
	size_t i;

	for (i = 0; i < NID_NELEM(le_ladder); i++)
		if (le_ladder[i] < le)
			return le_ladder[i];
	return 0;
}

/* The ladder step ≤ n (n itself when below the last step). */
static size_t
ladder_at_most(size_t n)
{
	size_t i;

	for (i = 0; i < NID_NELEM(le_ladder); i++)
		if (le_ladder[i] <= n)
			return le_ladder[i];
	return n;
}

/* Header size of DO '53' carrying n bytes (B1 answers). */
static size_t
do53_hdr(size_t n)
{
	return n < 0x80 ? 2 : n < 0x100 ? 3 : n < 0x10000 ? 4 : 5;
}

/*
 * One READ BINARY at off of at most want bytes into out (appended).
 * first: the SFI read at offset 0 (P1 = 100 sfi). *got: bytes received.
 * *sw: the status word; a non-9000/6282 status word → NID_OK with *got 0
 * (the caller maps it).
 */
static int
read_once(nid_card_t *card, uint8_t sfi, int first, size_t off, size_t want,
    int ext, nid_buf *out, size_t *got, uint16_t *sw)
{
	nid_apdu a;
	nid_buf rsp;
	nid_cur c, v;
	uint32_t tag;
	uint8_t do54[6];
	size_t n54 = 0, ne;
	int rc;

	*got = 0;
	*sw = 0;
	memset(&a, 0, sizeof(a));
	nid_buf_init(&rsp, NID_CARD_RSP_DATA_MAX);
	a.cla = 0x00;
	if (first) {
		/* ISO/IEC 7816-4 §11.3.3: P1 = 100 SFI, P2 the offset. */
		a.ins = 0xB0;
		a.p1 = (uint8_t)(0x80u | sfi);
		a.p2 = (uint8_t)off;
		ne = want;
	} else if (off <= NID_EMRTD_B0_OFFSET_MAX) {
		/* Current EF (selected by the SFI read), 15-bit offset. */
		a.ins = 0xB0;
		a.p1 = (uint8_t)(off >> 8);
		a.p2 = (uint8_t)off;
		ne = want;
	} else {
		/* §11.3.3 odd INS: P1-P2 = 000 sfi, offset in DO'54'. */
		a.ins = 0xB1;
		a.p1 = 0;
		a.p2 = sfi;
		do54[0] = 0x54;
		if (off <= 0xFFFF) {
			do54[1] = 2;
			do54[2] = (uint8_t)(off >> 8);
			do54[3] = (uint8_t)off;
			n54 = 4;
		} else {
			do54[1] = 3;
			do54[2] = (uint8_t)(off >> 16);
			do54[3] = (uint8_t)(off >> 8);
			do54[4] = (uint8_t)off;
			n54 = 5;
		}
		a.data = do54;
		a.nc = n54;
		ne = want + do53_hdr(want);
	}
	a.ne = ne;
	if (ext == 0 && ne > NID_NE_SHORT_MAX) {
		rc = NID_E_INTERNAL;
		goto out;
	}
	if ((rc = nid_card_transmit(card, &a, &rsp, sw)) != NID_OK)
		goto out;
	if (*sw != NID_SW_OK && *sw != 0x6282) {
		rc = NID_OK;
		goto out;
	}
	if (a.ins == 0xB1) {
		if (rsp.len == 0) {
			rc = NID_OK;
			goto out;
		}
		c = nid_buf_cur(&rsp);
		if ((rc = nid_tlv_next(&c, 0, &tag, &v)) != NID_OK ||
		    tag != 0x53 || c.len != 0) {
			rc = nid_ctx_set_detail(card->t->ctx,
			    NID_E_CARD_PROTOCOL, "READ BINARY (odd INS) at "
			    "offset %zu: answer is not one DO'53'", off);
			goto out;
		}
	} else
		v = nid_buf_cur(&rsp);
	if (v.len > want) {
		rc = nid_ctx_set_detail(card->t->ctx, NID_E_CARD_PROTOCOL,
		    "READ BINARY at offset %zu: %zu bytes for Le %zu", off,
		    v.len, want);
		goto out;
	}
	if ((rc = nid_buf_put(out, v.p, v.len)) != NID_OK)
		goto out;
	*got = v.len;
	rc = NID_OK;
out:
	nid_buf_clear(&rsp);
	return rc;
}

/*
 * Can a smaller Le cure this NID_E_CARD_PROTOCOL? Yes after an absurd
 * 6Cxx or an answer longer than Le (a status word came); not after a 61xx
 * chain that never ends, nor an answer without a status word (none came,
 * or the secure messaging layer failed): repeating those only costs 300
 * GET RESPONSE a time (hostile card faults loop-61xx, short-answer).
 */
static int
le_may_help(const nid_card_t *card)
{
	return card->sw_first != 0 && (card->sw_first & 0xFF00u) != 0x6100u;
}

/*
 * A read at ceiling ext/rd->le was refused: extended off, or one step
 * down the ladder. 0 when already at the bottom (the ceiling is kept,
 * 1..256 as emrtd.h says: fuzz regression emrtd-le-ceiling-zero).
 */
static int
lower_ceiling(struct nid_emrtd_rd *rd, int ext)
{
	if (ext)
		rd->extended = 0;
	else if (ladder_below(rd->le) == 0)
		return 0;
	else
		rd->le = ladder_below(rd->le);
	rd->fallbacks++;
	return 1;
}

/* An answer of got < want bytes with 9000 before the file's end: the
 * card's real limit (emrtd.h). */
static void
answered_short(struct nid_emrtd_rd *rd, int ext, size_t got)
{
	if (ext)
		rd->extended = 0;
	if (got < rd->le)
		rd->le = ladder_at_most(got);
	rd->fallbacks++;
}

/*
 * Read [off, total) into out, lowering the ceilings as the card demands.
 */
static int
read_rest(nid_card_t *card, struct nid_emrtd_rd *rd, uint8_t sfi,
    size_t total, nid_buf *out, uint16_t *sw)
{
	size_t off = out->len, left, want, got, lim;
	int ext, rc;

	while (off < total) {
		left = total - off;
		ext = rd->extended && left > NID_NE_SHORT_MAX;
		lim = ext ? rd->ext_max : rd->le;
		if (off > NID_EMRTD_B0_OFFSET_MAX) {
			/* B1: the DO'53' header counts against Ne. */
			want = lim > 2 ? lim - 2 : 0;
			while (want > 0 && want + do53_hdr(want) > lim)
				want--;
			if (want == 0)
				return nid_ctx_set_detail(card->t->ctx,
				    NID_E_CARD_PROTOCOL, "Le %zu too small for "
				    "READ BINARY with odd INS", lim);
		} else
			want = lim;
		if (want > left)
			want = left;
		ext = ext && (want > NID_NE_SHORT_MAX ||
		    (off > NID_EMRTD_B0_OFFSET_MAX &&
		    want + do53_hdr(want) > NID_NE_SHORT_MAX));
		rc = read_once(card, sfi, 0, off, want, ext, out, &got, sw);
		if ((rc == NID_E_CARD_PROTOCOL && le_may_help(card)) ||
		    (rc == NID_OK &&
		    (*sw == 0x6700 || (*sw & 0xFF00u) == 0x6C00u))) {
			/* Refused: extended off, or one step down the ladder. */
			if (!lower_ceiling(rd, ext)) {
				if (rc == NID_OK)
					rc = nid_ctx_set_detail(card->t->ctx,
					    nid_sw_to_rc(*sw), "READ BINARY at "
					    "offset %zu: %04X even with Le %zu",
					    off, *sw, rd->le);
				return rc;
			}
			nid_ctx_clear_detail(card->t->ctx);
			continue;
		}
		if (rc != NID_OK)
			return rc;
		/* ISO/IEC 7816-4 §5.6: 6B00, the offset is past the EF's end:
		 * the file is shorter than its header says (hostile card
		 * bad-tlv-length), not a refusal to read it. */
		if (*sw == 0x6B00)
			return nid_ctx_set_detail(card->t->ctx,
			    NID_E_MALFORMED, "file ends at %zu bytes, its "
			    "header announces %zu", off, total);
		if (*sw != NID_SW_OK && *sw != 0x6282)
			return nid_ctx_set_detail(card->t->ctx,
			    nid_sw_to_rc(*sw), "READ BINARY at offset %zu: "
			    "status %04X", off, *sw);
		if (got == 0 || (got < want && *sw == 0x6282))
			return nid_ctx_set_detail(card->t->ctx,
			    NID_E_MALFORMED, "file ends at %zu bytes, its "
			    "header announces %zu", off + got, total);
		if (got < want)
			answered_short(rd, ext, got);
		off += got;
	}
	return NID_OK;
}

int
nid_emrtd_read_ef(nid_card_t *card, struct nid_emrtd_rd *rd, uint8_t sfi,
    int dg, size_t max, uint8_t **out, size_t *out_len, uint16_t *sw,
    unsigned long *apdus)
{
	nid_buf first, data;
	unsigned long a0 = 0;
	uint16_t sw0 = 0;
	size_t total = 0, got = 0, want;
	int ext, rc;

	if (out != NULL)
		*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (sw != NULL)
		*sw = 0;
	if (apdus != NULL)
		*apdus = 0;
	nid_buf_init(&first, NID_CARD_RSP_DATA_MAX);
	nid_buf_init(&data, 0);
	if (card == NULL || rd == NULL || out == NULL || out_len == NULL ||
	    sfi == 0 || sfi > 30 || dg > 16) {
		rc = NID_E_INVALID_ARG;
		goto out;
	}
	a0 = rd->wire->apdus;
	/*
	 * The first READ BINARY, by SFI (ISO/IEC 7816-4 §11.3.3), asks for
	 * the whole ceiling: the header and as much of the file as one
	 * answer holds. Refused: down the ladder as read_rest does.
	 */
	for (;;) {
		ext = rd->extended;
		want = ext ? rd->ext_max : rd->le;
		nid_buf_reset(&first);
		rc = read_once(card, sfi, 1, 0, want, ext, &first, &got, &sw0);
		if ((rc == NID_E_CARD_PROTOCOL && le_may_help(card)) ||
		    (rc == NID_OK &&
		    (sw0 == 0x6700 || (sw0 & 0xFF00u) == 0x6C00u))) {
			if (!lower_ceiling(rd, ext))
				break;
			nid_ctx_clear_detail(card->t->ctx);
			continue;
		}
		break;
	}
	if (rc != NID_OK)
		goto out;
	if (sw0 != NID_SW_OK && sw0 != 0x6282) {
		rc = nid_ctx_set_detail(card->t->ctx, nid_sw_to_rc(sw0),
		    "READ BINARY SFI %02X: status %04X", sfi, sw0);
		goto out;
	}
	if (dg >= 0)
		rc = nid_lds_file_size((unsigned)dg, first.p, first.len, &total);
	else if ((rc = nid_tlv_total_len(first.p, first.len, &total)) ==
	    NID_OK && total > max)
		rc = NID_E_TOO_LARGE;
	if (rc != NID_OK) {
		rc = nid_ctx_set_detail(card->t->ctx, rc, "SFI %02X: header "
		    "%s (%zu bytes read)", sfi, rc == NID_E_TOO_LARGE ?
		    "announces more than the cap" : "unusable", first.len);
		goto out;
	}
	if (total <= first.len)
		first.len = total;   /* bytes past the TLV are not the file's */
	else if (sw0 == 0x6282) {
		rc = nid_ctx_set_detail(card->t->ctx, NID_E_MALFORMED,
		    "SFI %02X: file ends at %zu bytes, its header announces "
		    "%zu", sfi, first.len, total);
		goto out;
	} else if (first.len < want)
		answered_short(rd, ext, first.len);
	/* Cap checked: one allocation for the whole file. */
	nid_buf_init(&data, total);
	if ((rc = nid_buf_reserve(&data, total)) != NID_OK ||
	    (rc = nid_buf_put(&data, first.p, first.len)) != NID_OK)
		goto out;
	if ((rc = read_rest(card, rd, sfi, total, &data, &sw0)) != NID_OK)
		goto out;
	if ((rc = nid_buf_steal(&data, out, out_len)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	if (sw != NULL)
		*sw = sw0;
	if (apdus != NULL && rc != NID_E_INVALID_ARG)
		*apdus = rd->wire->apdus - a0;
	nid_buf_clear(&first);
	nid_buf_clear(&data);
	return rc;
}

/* ---- the whole flow --------------------------------------------------- */

const char *
nid_emrtd_fstate_str(enum nid_emrtd_fstate st)
{
	switch (st) {
	case NID_EMRTD_F_READ:
		return "read";
	case NID_EMRTD_F_NEEDS_TA:
		return "not readable without terminal authentication";
	case NID_EMRTD_F_DENIED:
		return "access denied";
	case NID_EMRTD_F_NOT_FOUND:
		return "not found";
	}
	return "unknown";
}

void
nid_emrtd_result_clear(struct nid_emrtd_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->nfiles && i < NID_EMRTD_FILES_MAX; i++) {
		if (res->files[i].data != NULL) {
			OPENSSL_cleanse(res->files[i].data, res->files[i].len);
			free(res->files[i].data);
		}
	}
	memset(res, 0, sizeof(*res));
	res->param_id = -1;
}

static const char *
cipher_name(enum nid_kdf_alg alg)
{
	switch (alg) {
	case NID_KDF_3DES:
		return "3DES";
	case NID_KDF_AES128:
		return "AES-128";
	case NID_KDF_AES192:
		return "AES-192";
	case NID_KDF_AES256:
		return "AES-256";
	}
	return "unknown";
}

/* SELECT the eMRTD application by DF name (ICAO 9303-10 §3.6), no FCI. */
static int
select_emrtd(nid_card_t *card, uint16_t *sw)
{
	nid_apdu a;
	nid_buf rsp;
	int rc;

	memset(&a, 0, sizeof(a));
	nid_buf_init(&rsp, 1024);
	a.cla = 0x00;
	a.ins = 0xA4;
	a.p1 = 0x04;
	a.p2 = 0x0C;
	a.data = (const uint8_t *)NID_EMRTD_AID;
	a.nc = NID_EMRTD_AID_LEN;
	rc = nid_card_transmit(card, &a, &rsp, sw);
	nid_buf_clear(&rsp);
	return rc;
}

/*
 * SELECT MF (ISO/IEC 7816-4 §11.2.2, FID 3F00, no answer data). NID_OK
 * only when the card answered 9000.
 */
static int
select_mf(nid_card_t *card)
{
	static const uint8_t mf[2] = { 0x3F, 0x00 };
	nid_apdu a;
	nid_buf rsp;
	uint16_t sw = 0;
	int rc;

	memset(&a, 0, sizeof(a));
	nid_buf_init(&rsp, 1024);
	a.ins = 0xA4;
	a.p1 = 0x00;
	a.p2 = 0x0C;
	a.data = mf;
	a.nc = sizeof(mf);
	if ((rc = nid_card_transmit(card, &a, &rsp, &sw)) == NID_OK &&
	    sw != NID_SW_OK)
		rc = nid_sw_to_rc(sw);
	nid_buf_clear(&rsp);
	return rc;
}

/* The application is absent: name the card and what it answered. */
static int
no_emrtd_app(nid_card_t *card, uint16_t sw)
{
	uint8_t atr[NID_ATR_MAX];
	char hex[2 * NID_ATR_MAX + 1];
	size_t atr_len = sizeof(atr);

	if (nid_transport_get_atr(card->t, atr, &atr_len) != NID_OK)
		atr_len = 0;
	nid_hex_encode_to(atr, atr_len, hex);
	return nid_ctx_set_detail(card->t->ctx, NID_E_UNSUPPORTED_CARD,
	    "no eMRTD application (SELECT A0000002471001 answered %04X; "
	    "ATR %s)", sw, atr_len > 0 ? hex : "unknown");
}

/* Caps from the ATR (ISO/IEC 7816-4 §8.1.1.2.7 third software function
 * table): raised or lowered only when the ATR says. */
static void
caps_from_atr(nid_card_t *card)
{
	uint8_t atr[NID_ATR_MAX];
	size_t atr_len = sizeof(atr);
	nid_atr a;
	nid_atr_caps_t ac;

	if (nid_transport_get_atr(card->t, atr, &atr_len) != NID_OK)
		return;
	(void)nid_atr_parse(atr, atr_len, &a);
	nid_atr_caps(&a, &ac);
	if (ac.ext_lc_le == 1) {
		card->caps.extended = 1;
		card->caps.max_nc = NID_NC_EXT_MAX;
		card->caps.max_ne = NID_NE_EXT_MAX;
	} else if (ac.ext_lc_le == 0) {
		card->caps.extended = 0;
		card->caps.max_nc = NID_NC_SHORT_MAX;
		card->caps.max_ne = NID_NE_SHORT_MAX;
	}
	if (ac.chaining == 0 || ac.chaining == 1)
		card->caps.chaining = ac.chaining;
}

static struct nid_emrtd_file *
add_file(struct nid_emrtd_result *res, const char *name, int dg, uint8_t sfi,
    uint16_t fid)
{
	struct nid_emrtd_file *f;

	if (res->nfiles >= NID_EMRTD_FILES_MAX)
		return NULL;
	f = &res->files[res->nfiles++];
	memset(f, 0, sizeof(*f));
	(void)snprintf(f->name, sizeof(f->name), "%s", name);
	f->dg = dg;
	f->sfi = sfi;
	f->fid = fid;
	return f;
}

/*
 * Read one LDS file into res. optional: 6982 and 6A82 are recorded, not
 * errors (data groups); for DG3/DG4 a 6982 means EAC.
 */
static int
read_lds_file(nid_card_t *card, struct nid_emrtd_rd *rd,
    struct nid_emrtd_result *res, const char *name, int dg, uint8_t sfi,
    uint16_t fid, size_t max, int optional)
{
	struct nid_emrtd_file *f;
	unsigned long t0 = now_ms();
	char why[NID_DETAIL_MAX];
	int rc;

	if ((f = add_file(res, name, dg, sfi, fid)) == NULL)
		return NID_E_INTERNAL;
	rc = nid_emrtd_read_ef(card, rd, sfi, dg, max, &f->data, &f->len,
	    &f->sw, &f->apdus);
	f->ms = now_ms() - t0;
	if (rc == NID_OK) {
		f->state = NID_EMRTD_F_READ;
		return NID_OK;
	}
	if (optional && f->sw == 0x6982) {
		/* ICAO 9303-11 §7.1: DG3/DG4 need Terminal Authentication. */
		f->state = dg == 3 || dg == 4 ? NID_EMRTD_F_NEEDS_TA :
		    NID_EMRTD_F_DENIED;
		nid_ctx_clear_detail(card->t->ctx);
		return NID_OK;
	}
	if (optional && rc == nid_sw_to_rc(f->sw) && (f->sw == 0x6A82 ||
	    (sfi == NID_EMRTD_SFI_CARDACCESS && f->sw != 0 &&
	    f->sw != NID_SW_OK && f->sw != 0x6282))) {
		/* EF.CardAccess: any refusal means "absent" (a refusal: the
		 * error is the status word, not a broken file). */
		f->state = NID_EMRTD_F_NOT_FOUND;
		nid_ctx_clear_detail(card->t->ctx);
		return NID_OK;
	}
	(void)snprintf(why, sizeof(why), "%s", nid_ctx_detail(card->t->ctx));
	return nid_ctx_set_detail(card->t->ctx, rc, "reading %s: %s", name,
	    why[0] != '\0' ? why : nid_strerror(rc));
}

/*
 * EF.CardAccess as the probe read it (probe.h): one file entry, state
 * READ with a copy of the bytes, or NOT_FOUND when the probe found none.
 */
static int
card_access_of_probe(const struct nid_probe *p, struct nid_emrtd_result *res)
{
	struct nid_emrtd_file *f;

	if ((f = add_file(res, "EF.CardAccess", -1, NID_EMRTD_SFI_CARDACCESS,
	    0x011C)) == NULL)
		return NID_E_INTERNAL;
	f->apdus = p->card_access_apdus;
	f->sw = p->card_access_sw;
	if (p->card_access != 1) {
		f->state = NID_EMRTD_F_NOT_FOUND;
		return NID_OK;
	}
	if (p->card_access_len == 0 ||
	    (f->data = malloc(p->card_access_len)) == NULL)
		return p->card_access_len == 0 ? NID_E_INTERNAL : NID_E_NOMEM;
	memcpy(f->data, p->card_access_bytes, p->card_access_len);
	f->len = p->card_access_len;
	f->state = NID_EMRTD_F_READ;
	return NID_OK;
}

int
nid_emrtd_read(nid_card_t *card, const struct nid_emrtd_creds *creds,
    const struct nid_emrtd_opts *opts, struct nid_emrtd_result *res)
{
	static const struct nid_emrtd_opts defaults;
	struct nid_emrtd_rd rd;
	struct nid_pace_params pp;
	struct nid_pace_result pr;
	struct nid_lds_com com;
	nid_secinfos *si = NULL;
	nid_transport_t *raw, *smt = NULL;
	nid_card_t *sc = NULL;
	nid_sm_t *sm = NULL;
	const struct nid_oid_info *info;
	const struct nid_emrtd_file *cf;
	nid_ctx_t *ctx;
	uint8_t *ca = NULL, ssc[16];
	size_t ca_len = 0, i, block;
	unsigned long t_start, t_phase, a_start, want_dgs;
	uint16_t sw = 0;
	int use_pace, rc;
	char chosen_dgs[16];

	memset(&pr, 0, sizeof(pr));
	memset(&pp, 0, sizeof(pp));
	memset(ssc, 0, sizeof(ssc));
	if (res != NULL) {
		memset(res, 0, sizeof(*res));
		res->param_id = -1;
	}
	if (card == NULL || creds == NULL || res == NULL || creds->len == 0 ||
	    (creds->type != NID_PACE_PW_CAN && creds->type != NID_PACE_PW_MRZ))
		return NID_E_INVALID_ARG;
	if (opts == NULL)
		opts = &defaults;
	raw = card->t;
	ctx = raw->ctx;
	t_start = t_phase = now_ms();
	a_start = raw->apdus;
	if (opts->probe != NULL) {
		/* The probe was the start of this session: count it in. */
		a_start -= opts->probe->apdus;
		t_start -= opts->probe->ms;
		t_phase = t_start;
	}
	/* The caps: as the caller set them, as probed, or the ATR's. */
	if (!opts->keep_caps && opts->probe != NULL)
		card->caps = opts->probe->caps;
	else if (!opts->keep_caps)
		caps_from_atr(card);

	/* (a) EF.CardAccess: SFI 1C of the MF (ICAO 9303-10 §3.11.3). */
	nid_emrtd_rd_init(&rd, card, raw, 0);
	if (opts->probe != NULL && opts->probe->card_access >= 0)
		rc = card_access_of_probe(opts->probe, res);
	else
		rc = read_lds_file(card, &rd, res, "EF.CardAccess", -1,
		    NID_EMRTD_SFI_CARDACCESS, 0x011C, NID_SECINFO_INPUT_MAX, 1);
	if (rc != NID_OK)
		goto out;
	cf = &res->files[res->nfiles - 1];
	if (cf->state == NID_EMRTD_F_NOT_FOUND && opts->probe == NULL &&
	    select_mf(card) == NID_OK) {
		/*
		 * A card left in an application by an earlier session (PC/SC
		 * does not reset it between connections): from the MF again.
		 */
		res->nfiles--;
		rc = read_lds_file(card, &rd, res, "EF.CardAccess", -1,
		    NID_EMRTD_SFI_CARDACCESS, 0x011C, NID_SECINFO_INPUT_MAX, 1);
		if (rc != NID_OK)
			goto out;
		cf = &res->files[res->nfiles - 1];
	}
	if (cf->state == NID_EMRTD_F_READ) {
		res->card_access = 1;
		ca = cf->data;
		ca_len = cf->len;
	} else
		res->nfiles--;   /* absent: not a file of the dump */

	/* (b) PACE when offered (and supported), else BAC; or as forced. */
	use_pace = 0;
	if (ca != NULL && opts->access != NID_EMRTD_ACCESS_BAC) {
		if ((rc = nid_secinfos_parse(ca, ca_len, &si)) != NID_OK) {
			rc = nid_ctx_set_detail(ctx, rc, "EF.CardAccess: "
			    "SecurityInfos malformed");
			goto out;
		}
		if (nid_pace_select(si, &pp) == NID_OK)
			use_pace = 1;
		else
			(void)snprintf(res->note, sizeof(res->note),
			    "EF.CardAccess offers no PACE we support");
	} else if (ca == NULL)
		(void)snprintf(res->note, sizeof(res->note),
		    "no EF.CardAccess: the chip does not offer PACE");
	else
		(void)snprintf(res->note, sizeof(res->note),
		    "BAC requested");
	if (!use_pace && opts->access == NID_EMRTD_ACCESS_PACE) {
		rc = nid_ctx_set_detail(ctx, NID_E_UNSUPPORTED_CARD,
		    "PACE requested but %s", res->note);
		goto out;
	}
	res->ms_access = now_ms() - t_phase;
	t_phase = now_ms();

	/* (c) access control and secure messaging. */
	(void)snprintf(res->password, sizeof(res->password), "%s",
	    creds->type == NID_PACE_PW_CAN ? "CAN" : "MRZ");
	if (use_pace) {
		info = nid_oid_lookup(pp.oid_der, pp.oid_len);
		(void)snprintf(res->protocol, sizeof(res->protocol), "PACE");
		(void)snprintf(res->mapping, sizeof(res->mapping), "GM");
		(void)snprintf(res->oid, sizeof(res->oid), "%s",
		    info != NULL ? info->name : "unknown");
		res->param_id = pp.param_id;
		pp.pw_type = creds->type;
		pp.pw = creds->secret;
		pp.pw_len = creds->len;
		pp.sk_fn = opts->pace_sk_fn;
		pp.sk_arg = opts->pace_sk_arg;
		/* ICAO 9303-11 §4.4: PACE, then SM with SSC 0 (§9.8.6.2). */
		if ((rc = nid_pace_run(card, &pp, &pr)) != NID_OK)
			goto out;
		(void)snprintf(res->cipher, sizeof(res->cipher), "%s",
		    cipher_name(pr.keys.alg));
		/* Shown only in a sensitive trace (nid_log_hex, secret). */
		nid_log_hex(ctx, NID_LOG_DEBUG, NID_LOG_CAT_CRYPTO,
		    "PACE KSenc", pr.keys.enc, pr.keys.key_len, 1);
		nid_log_hex(ctx, NID_LOG_DEBUG, NID_LOG_CAT_CRYPTO,
		    "PACE KSmac", pr.keys.mac, pr.keys.key_len, 1);
		block = pr.keys.alg == NID_KDF_3DES ? 8 : 16;
		if ((rc = nid_sm_new(pr.keys.alg == NID_KDF_3DES ? NID_SM_3DES :
		    NID_SM_AES, pr.keys.enc, pr.keys.mac, pr.keys.key_len, ssc,
		    block, &sm)) != NID_OK)
			goto out;
		if ((rc = nid_sm_transport_new(ctx, raw, &sm, &smt)) != NID_OK ||
		    (rc = nid_card_new(smt, &sc)) != NID_OK)
			goto out;
		sc->caps = card->caps;
		/* ICAO 9303-11 §4.4.1: SELECT the application after PACE. */
		if ((rc = select_emrtd(sc, &sw)) != NID_OK)
			goto out;
		if (sw != NID_SW_OK) {
			rc = no_emrtd_app(card, sw);
			goto out;
		}
	} else {
		(void)snprintf(res->protocol, sizeof(res->protocol), "BAC");
		(void)snprintf(res->cipher, sizeof(res->cipher), "3DES");
		/* ICAO 9303-11 §4.3: SELECT the application, then BAC. */
		if ((rc = select_emrtd(card, &sw)) != NID_OK)
			goto out;
		if (sw != NID_SW_OK) {
			rc = no_emrtd_app(card, sw);
			goto out;
		}
		if (creds->type != NID_PACE_PW_MRZ) {
			rc = nid_ctx_set_detail(ctx, NID_E_UNSUPPORTED_CARD,
			    "the chip offers BAC only (%s), which needs the "
			    "MRZ data, not a CAN", res->note);
			goto out;
		}
		block = 8;
		if ((rc = nid_bac_run(card, creds->secret, creds->len,
		    opts->bac_fixed, &sm)) != NID_OK)
			goto out;
		if ((rc = nid_sm_transport_new(ctx, raw, &sm, &smt)) != NID_OK ||
		    (rc = nid_card_new(smt, &sc)) != NID_OK)
			goto out;
		sc->caps = card->caps;
	}
	res->ms_auth = now_ms() - t_phase;
	t_phase = now_ms();

	/* (d) EF.COM, EF.SOD, the data groups EF.COM lists (DG3/DG4 last). */
	nid_emrtd_rd_init(&rd, sc, raw, block);
	if ((rc = read_lds_file(sc, &rd, res, "EF.COM", 0, NID_EMRTD_SFI_COM,
	    0x011E, 0, 0)) != NID_OK)
		goto out;
	cf = &res->files[res->nfiles - 1];
	if ((rc = nid_lds_com_parse(cf->data, cf->len, &com)) != NID_OK) {
		rc = nid_ctx_set_detail(ctx, rc, "EF.COM: malformed");
		goto out;
	}
	/* EF.SOD is mandatory (9303-10 §4.6.2); a chip without one is still
	 * dumped, and `nidcard verify` reports the missing file. */
	if ((rc = read_lds_file(sc, &rd, res, "EF.SOD", -1, NID_EMRTD_SFI_SOD,
	    0x011D, NID_EMRTD_FILE_MAX, 1)) != NID_OK)
		goto out;
	/* The reading plan (emrtd.h): what EF.COM lists and the caller
	 * asked for; by default what verification needs. */
	want_dgs = opts->dgs != 0 ? opts->dgs : NID_EMRTD_DGS_VERIFY;
	memset(chosen_dgs, 0, sizeof(chosen_dgs));
	for (i = 0; i < com.ndg && i < NID_NELEM(com.dgs); i++)
		if (com.dgs[i] >= 1 && com.dgs[i] <= 16 &&
		    (want_dgs & NID_EMRTD_DG(com.dgs[i])) != 0)
			chosen_dgs[com.dgs[i] - 1] = 1;
	for (i = 0; i < 2; i++) {
		unsigned dgn;
		char name[8];

		for (dgn = 1; dgn <= 16; dgn++) {
			int eac = dgn == 3 || dgn == 4;

			if (!chosen_dgs[dgn - 1] || (i == 0) == eac)
				continue;
			(void)snprintf(name, sizeof(name), "DG%u", dgn);
			if ((rc = read_lds_file(sc, &rd, res, name, (int)dgn,
			    (uint8_t)dgn, (uint16_t)(0x0100u + dgn), 0, 1)) !=
			    NID_OK)
				goto out;
		}
	}
	res->extended = rd.extended;
	res->le = rd.le;
	res->ms_read = now_ms() - t_phase;
	if (opts->session_fn != NULL &&
	    (rc = opts->session_fn(sc, smt, res, opts->session_arg)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	res->apdus = raw->apdus - a_start;
	res->ms_total = now_ms() - t_start;
	if (rc != NID_OK) {
		/* No partial result: every file read is dropped. */
		for (i = 0; i < res->nfiles; i++) {
			if (res->files[i].data != NULL) {
				OPENSSL_cleanse(res->files[i].data,
				    res->files[i].len);
				free(res->files[i].data);
				res->files[i].data = NULL;
			}
		}
	}
	nid_card_free(&sc);
	nid_transport_free(&smt);
	nid_sm_free(&sm);
	nid_secinfos_free(&si);
	nid_pace_result_clear(&pr);
	OPENSSL_cleanse(&pp, sizeof(pp));
	return rc;
}
