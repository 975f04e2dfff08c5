/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_emrtd.c — the eMRTD reading flow (src/lib/emrtd.c) over the
 * in-process virtual card (src/sim), counting APDUs.
 *
 * The reading strategy is checked on the plain sample card
 * (tests/data/cards/plain, its README gives every file's layout): SFI 3
 * of application F04E494443415244 01 is 34000 bytes, 70 82 84CC ‖ 33996
 * pattern bytes — large enough for extended length, for short chunks,
 * and for offsets above 32767 (READ BINARY with odd INS B1, ISO/IEC
 * 7816-4 §11.3.3). Each expected APDU count is derived in the comment of
 * its table row from the strategy of emrtd.h.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"
#include "card.h"
#include "emrtd.h"
#include "sim.h"

#define PLAIN NID_SRCDIR "/tests/data/cards/plain"
#define EF0103 PLAIN "/ef/5000-0103.bin"
#define EF0102 PLAIN "/ef/5000-0102.bin"
#define EF0101 PLAIN "/ef/5000-0101.bin"
#define AID1 "F04E49444341524401"

static nid_ctx_t *ctx;
static nid_sim_card *simc;
static nid_transport_t *simt;   /* the sim */
static nid_transport_t *tr;     /* what the card handle talks to */
static nid_card_t *card;

/* ---- a transport that refuses short READ BINARY above an Le ---------- */
/*
 * Stands for a card whose buffer is smaller than 256 bytes and which
 * says so with 6700 (ISO/IEC 7816-4 §5.6) instead of answering short.
 */
struct refuse {
	nid_transport_t *inner;
	size_t max_le;
};

static int
refuse_transmit(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	struct refuse *r = t->impl;
	size_t le;

	if (cmd_len == 5 && cmd[1] == 0xB0) {
		le = cmd[4] == 0 ? 256 : cmd[4];
		if (le > r->max_le) {
			ck_assert_uint_ge(*rsp_len, 2);
			rsp[0] = 0x67;
			rsp[1] = 0x00;
			*rsp_len = 2;
			return NID_OK;
		}
	}
	return nid_transport_transmit(r->inner, cmd, cmd_len, rsp, rsp_len);
}

static int
refuse_get_atr(nid_transport_t *t, uint8_t *atr, size_t *atr_len)
{
	struct refuse *r = t->impl;

	return nid_transport_get_atr(r->inner, atr, atr_len);
}

static void
refuse_close(nid_transport_t *t)
{
	free(t->impl);
}

static const struct nid_transport_ops refuse_ops = {
	.name = "refuse",
	.transmit = refuse_transmit,
	.get_atr = refuse_get_atr,
	.close = refuse_close,
};

/* ---- fixtures ---------------------------------------------------------- */

static void
open_card(const char *dir, size_t refuse_above)
{
	struct refuse *r;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_msg(nid_sim_card_load(ctx, dir, &simc) == NID_OK,
	    "load %s: %s", dir, nid_ctx_detail(ctx));
	nid_sim_card_set_seed(simc, 1);
	ck_assert_int_eq(nid_sim_transport_open(ctx, simc, &simt), NID_OK);
	tr = simt;
	if (refuse_above != 0) {
		ck_assert_ptr_nonnull(r = calloc(1, sizeof(*r)));
		r->inner = simt;
		r->max_le = refuse_above;
		ck_assert_int_eq(nid_transport_new(ctx, &refuse_ops, r, &tr),
		    NID_OK);
	}
	ck_assert_int_eq(nid_card_new(tr, &card), NID_OK);
}

static void
teardown(void)
{
	nid_card_free(&card);
	if (tr != simt)
		nid_transport_free(&tr);
	nid_transport_free(&simt);
	tr = NULL;
	nid_sim_card_free(&simc);
	nid_ctx_free(&ctx);
}

static void
set_caps(int extended)
{
	card->caps.extended = extended;
	card->caps.max_nc = extended ? NID_NC_EXT_MAX : NID_NC_SHORT_MAX;
	card->caps.max_ne = extended ? NID_NE_EXT_MAX : NID_NE_SHORT_MAX;
}

static void
fault(const char *spec)
{
	ck_assert_msg(nid_sim_card_set_fault(ctx, simc, spec) == NID_OK,
	    "%s: %s", spec, nid_ctx_detail(ctx));
}

static void
select_app1(void)
{
	nid_buf aid = tu_hex(AID1), rsp;
	nid_apdu a = { 0x00, 0xA4, 0x04, 0x0C, NULL, 0, 0 };
	uint16_t sw;

	a.data = aid.p;
	a.nc = aid.len;
	nid_buf_init(&rsp, 1024);
	ck_assert_int_eq(nid_card_transmit(card, &a, &rsp, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	nid_buf_clear(&rsp);
	nid_buf_clear(&aid);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *fp;
	uint8_t *p;
	long n;

	ck_assert_ptr_nonnull(fp = fopen(path, "rb"));
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	ck_assert_int_ge(n = ftell(fp), 0);
	rewind(fp);
	ck_assert_ptr_nonnull(p = malloc((size_t)n + 1));
	ck_assert_uint_eq(fread(p, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return p;
}

/* ---- SM short Le ceiling ------------------------------------------------ */

/*
 * ICAO 9303-11 §9.8.6: a protected answer to n plain bytes is
 * 87 81 L 01 ‖ pad(n) ‖ 99 02 SW ‖ 8E 08 MAC. 3DES: n = 231 pads to 232,
 * 3 + 1 + 232 + 4 + 10 = 250 ≤ 256; n = 232 pads to 240 → 258. AES:
 * n = 223 pads to 224 → 242; n = 224 pads to 240 → 258.
 */
START_TEST(test_sm_short_le)
{
	ck_assert_uint_eq(nid_emrtd_sm_short_le(0), 256);
	ck_assert_uint_eq(nid_emrtd_sm_short_le(8), 231);
	ck_assert_uint_eq(nid_emrtd_sm_short_le(16), 223);
}
END_TEST

/* ---- the reading strategy on the 34000-byte file ------------------------ */

static const struct strat {
	const char *what;
	int extended;          /* card caps */
	const char *fault1;    /* sim fault, or NULL */
	size_t refuse_above;   /* 6700 to short B0 with a larger Le; 0 none */
	unsigned long apdus;
	int ext_after;
	size_t le_after;
} strats[] = {
	/*
	 * One extended B0 by SFI at offset 0, Ne 65280 (NID_EMRTD_EXT_CHUNK):
	 * all 34000 bytes, 6282 (end of file before Ne).
	 */
	{ "extended", 1, NULL, 0, 1, 1, 256 },
	/*
	 * The first read by SFI with Le 256 (bytes 0..255); B0 with Le 256
	 * at offsets 256 + 256k while ≤ 32767: k = 0..126, 127 APDUs, up to
	 * 32768; the last 1232 bytes with B1, 253 + DO'53' header (3) = 256
	 * each: 5 APDUs. 1 + 127 + 5 = 133.
	 */
	{ "short", 0, NULL, 0, 133, 0, 256 },
	/*
	 * Card cuts every answer at 160 bytes (sim fault max-le=160): the
	 * extended first read returns 160 with 9000 before the file's end
	 * (→ short, Le 160); B0 at 160 + 160k ≤ 32767: k = 0..203, 204
	 * APDUs, up to 32800; 1200 left with B1 of 157 + 3: 8 APDUs.
	 * 1 + 204 + 8 = 213.
	 */
	{ "max Le 160, extended caps", 1, "max-le=160", 0, 213, 0, 160 },
	/*
	 * Same on short caps: the first read with Le 256 returns 160; then
	 * as above from 160. 1 + 204 + 8 = 213.
	 */
	{ "max Le 160, short caps", 0, "max-le=160", 0, 213, 0, 160 },
	/*
	 * T=0 (sim fault t0): the extended first read is answered 6700 (1
	 * APDU, then short); the short first read (256 bytes: Le exact, no
	 * 6Cxx) and 127 B0 as "short"; each of the 5 B1 (case 4) is
	 * answered 61xx and collected with GET RESPONSE: 10.
	 * 1 + 1 + 127 + 10 = 139.
	 */
	{ "T=0 style, extended caps", 1, "t0", 0, 139, 0, 256 },
	/* T=0 on short caps: 1 + 127 + 10 = 138. */
	{ "T=0 style, short caps", 0, "t0", 0, 138, 0, 256 },
	/*
	 * 6700 to short B0 with Le > 192: the first read with Le 256 →
	 * 6700, 224 → 6700, 192 → bytes 0..191; B0 of 192 at 192 + 192k ≤
	 * 32767: k = 0..169, 170 APDUs, up to 32832; 1168 left with B1 of
	 * 189 + 3: 7. 3 + 170 + 7 = 180.
	 */
	{ "6700 above Le 192", 0, NULL, 192, 180, 0, 192 },
};

START_TEST(test_strategy)
{
	const struct strat *s = &strats[_i];
	struct nid_emrtd_rd rd;
	uint8_t *want, *got = NULL;
	size_t want_len, got_len = 0;
	unsigned long apdus = 0;
	uint16_t sw = 0;
	int rc;

	open_card(PLAIN, s->refuse_above);
	set_caps(s->extended);
	select_app1();
	if (s->fault1 != NULL)
		fault(s->fault1);
	want = slurp(EF0103, &want_len);
	ck_assert_uint_eq(want_len, 34000);
	nid_emrtd_rd_init(&rd, card, NULL, 0);
	rc = nid_emrtd_read_ef(card, &rd, 3, -1, 64 * 1024, &got, &got_len,
	    &sw, &apdus);
	ck_assert_msg(rc == NID_OK, "%s: %s: %s", s->what, nid_strerror(rc),
	    nid_ctx_detail(ctx));
	ck_assert_uint_eq(got_len, want_len);
	ck_assert_msg(memcmp(got, want, want_len) == 0, "%s: bytes differ",
	    s->what);
	ck_assert_msg(apdus == s->apdus, "%s: %lu APDUs, want %lu", s->what,
	    apdus, s->apdus);
	ck_assert_int_eq(rd.extended, s->ext_after);
	ck_assert_uint_eq(rd.le, s->le_after);
	free(want);
	free(got);
	teardown();
}
END_TEST

/* ---- small files, the cap, refusals ------------------------------------- */

static const struct small {
	uint8_t sfi;
	int extended;
	const char *path;       /* expected content, NULL: an error */
	size_t max;
	int rc;
	uint16_t sw;
	unsigned long apdus;
} smalls[] = {
	/*
	 * 5A 0E ‖ 14: the first read (Le 256) holds all 16 bytes, the card
	 * ends it with 6282 (end of file before Ne, ISO/IEC 7816-4 §5.6).
	 */
	{ 1, 0, EF0101, 1024, NID_OK, 0x6282, 1 },
	/* 70 82 0128 ‖ 296: the first 256, then the 44 left (9000). */
	{ 2, 0, EF0102, 1024, NID_OK, 0x9000, 2 },
	/* Extended: all 300 bytes in the first read (6282). */
	{ 2, 1, EF0102, 1024, NID_OK, 0x6282, 1 },
	/* The 34000-byte header against a 1000-byte cap: refused after
	 * the first read, the file's buffer never allocated. */
	{ 3, 1, NULL, 1000, NID_E_TOO_LARGE, 0x6282, 1 },
	/* PIN-protected: 6982 to the first read. */
	{ 4, 0, NULL, 1024, NID_E_SECURITY_STATUS, 0x6982, 1 },
	/* No such SFI. */
	{ 9, 0, NULL, 1024, NID_E_FILE_NOT_FOUND, 0x6A82, 1 },
};

START_TEST(test_small)
{
	const struct small *s = &smalls[_i];
	struct nid_emrtd_rd rd;
	uint8_t *want = NULL, *got = NULL;
	size_t want_len = 0, got_len = 0;
	unsigned long apdus = 0;
	uint16_t sw = 0;
	int rc;

	open_card(PLAIN, 0);
	set_caps(s->extended);
	select_app1();
	nid_emrtd_rd_init(&rd, card, NULL, 0);
	rc = nid_emrtd_read_ef(card, &rd, s->sfi, -1, s->max, &got, &got_len,
	    &sw, &apdus);
	ck_assert_msg(rc == s->rc, "SFI %u: %s (%s)", s->sfi,
	    nid_strerror(rc), nid_ctx_detail(ctx));
	ck_assert_uint_eq(sw, s->sw);
	ck_assert_uint_eq(apdus, s->apdus);
	if (s->path != NULL) {
		want = slurp(s->path, &want_len);
		ck_assert_uint_eq(got_len, want_len);
		ck_assert(memcmp(got, want, want_len) == 0);
	} else {
		ck_assert_ptr_null(got);
		ck_assert_uint_eq(got_len, 0);
	}
	free(want);
	free(got);
	teardown();
}
END_TEST

/* An LDS file whose outer tag is wrong is refused (nid_lds_file_size). */
START_TEST(test_lds_tag)
{
	struct nid_emrtd_rd rd;
	uint8_t *got = NULL;
	size_t got_len = 0;
	int rc;

	open_card(PLAIN, 0);
	set_caps(1);
	select_app1();
	nid_emrtd_rd_init(&rd, card, NULL, 0);
	/* SFI 2 starts 70 82 0128: not DG2's tag 75. */
	rc = nid_emrtd_read_ef(card, &rd, 2, 2, 0, &got, &got_len, NULL,
	    NULL);
	ck_assert_int_ne(rc, NID_OK);
	ck_assert_ptr_null(got);
	teardown();
}
END_TEST

/* The card removed in the middle of a file: the transport's error. */
START_TEST(test_removed)
{
	struct nid_emrtd_rd rd;
	uint8_t *got = NULL;
	size_t got_len = 0;
	int rc;

	open_card(PLAIN, 0);
	set_caps(0);
	select_app1();
	fault("remove-at=5");
	nid_emrtd_rd_init(&rd, card, NULL, 0);
	rc = nid_emrtd_read_ef(card, &rd, 3, -1, 64 * 1024, &got, &got_len,
	    NULL, NULL);
	ck_assert_int_eq(rc, NID_E_CARD_REMOVED);
	ck_assert_ptr_null(got);
	teardown();
}
END_TEST

/* ---- credentials --------------------------------------------------------- */

START_TEST(test_creds)
{
	struct nid_emrtd_creds c;

	ck_assert_int_eq(nid_emrtd_creds_can(&c, "123456"), NID_OK);
	ck_assert_int_eq(c.type, NID_PACE_PW_CAN);
	ck_assert_uint_eq(c.len, 6);
	ck_assert_int_eq(nid_emrtd_creds_can(&c, "12a456"), NID_E_INVALID_ARG);
	ck_assert_uint_eq(c.len, 0);
	ck_assert_int_eq(nid_emrtd_creds_can(&c, ""), NID_E_INVALID_ARG);
	ck_assert_int_eq(nid_emrtd_creds_mrz(&c, "L898902C<369080619406236"),
	    NID_OK);
	ck_assert_int_eq(c.type, NID_PACE_PW_MRZ);
	ck_assert_uint_eq(c.len, 24);
	nid_emrtd_creds_clear(&c);
	ck_assert_uint_eq(c.len, 0);
	ck_assert_int_eq(c.secret[0], 0);
}
END_TEST

/* ---- the whole flow on a card without the eMRTD application ------------- */

START_TEST(test_plain_unsupported)
{
	struct nid_emrtd_creds c;
	struct nid_emrtd_result res;
	int rc;

	open_card(PLAIN, 0);
	ck_assert_int_eq(nid_emrtd_creds_can(&c, "123456"), NID_OK);
	rc = nid_emrtd_read(card, &c, NULL, &res);
	ck_assert_int_eq(rc, NID_E_UNSUPPORTED_CARD);
	/* The detail names the SELECT's status word and the ATR, no secret. */
	ck_assert_msg(strstr(nid_ctx_detail(ctx), "6A82") != NULL, "%s",
	    nid_ctx_detail(ctx));
	ck_assert_msg(strstr(nid_ctx_detail(ctx),
	    "3B8A80014E49444341524453494D0B") != NULL, "%s",
	    nid_ctx_detail(ctx));
	ck_assert_ptr_null(strstr(nid_ctx_detail(ctx), "123456"));
	ck_assert_int_eq(res.card_access, 0);
	ck_assert_str_eq(res.protocol, "BAC");
	/* READ BINARY SFI 1C (6A82), SELECT MF (9000), READ BINARY SFI 1C
	 * again (6A82), SELECT eMRTD application (6A82). */
	ck_assert_uint_eq(res.apdus, 4);
	nid_emrtd_result_clear(&res);
	nid_emrtd_creds_clear(&c);
	teardown();
}
END_TEST

/* PACE forced on a chip without EF.CardAccess. */
START_TEST(test_plain_pace_forced)
{
	struct nid_emrtd_creds c;
	struct nid_emrtd_result res;
	struct nid_emrtd_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.access = NID_EMRTD_ACCESS_PACE;
	open_card(PLAIN, 0);
	ck_assert_int_eq(nid_emrtd_creds_can(&c, "123456"), NID_OK);
	rc = nid_emrtd_read(card, &c, &o, &res);
	ck_assert_int_eq(rc, NID_E_UNSUPPORTED_CARD);
	ck_assert_msg(strstr(nid_ctx_detail(ctx), "PACE requested") != NULL,
	    "%s", nid_ctx_detail(ctx));
	/* EF.CardAccess, SELECT MF, EF.CardAccess again. */
	ck_assert_uint_eq(res.apdus, 3);
	nid_emrtd_result_clear(&res);
	teardown();
}
END_TEST

/* ---- the ICAO sample cards ------------------------------------------------ */

#define ICAO_PACE NID_SRCDIR "/tests/data/cards/icao-pace"
#define ICAO_BAC NID_SRCDIR "/tests/data/cards/icao-bac"

/* Every file read must equal the image's file of the same FID. */
static void
check_files(const char *dir, const struct nid_emrtd_result *res)
{
	char path[4200];
	uint8_t *want;
	size_t i, want_len;

	for (i = 0; i < res->nfiles; i++) {
		const struct nid_emrtd_file *f = &res->files[i];

		if (f->state != NID_EMRTD_F_READ)
			continue;
		snprintf(path, sizeof(path), "%s/ef/%04X.bin", dir, f->fid);
		want = slurp(path, &want_len);
		ck_assert_msg(f->len == want_len && memcmp(f->data, want,
		    want_len) == 0, "%s differs from %s", f->name, path);
		free(want);
	}
}

static int
has_image(const char *dir)
{
	char path[4200];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/card.json", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	fclose(fp);
	return 1;
}

/*
 * TD1 MRZ of icao-pace (its card.json): document T22000129 (check digit
 * 3), birth 640812 (5), expiry 311031 (5). icao-bac carries the ICAO
 * 9303-11 Appendix D.2 example: L898902C< (3), 690806 (1), 940623 (6).
 */
#define PACE_MRZ "T22000129364081253110315"
#define BAC_MRZ "L898902C<369080619406236"
#define BAC_MRZ_WRONG "L898902C<369080619406237"

/*
 * APDU counts, every DG EF.COM lists (NID_EMRTD_DGS_ALL; short APDUs:
 * the images' ATR does not announce extended length; "ext" rows set the
 * caps by hand). Each file's first READ BINARY asks for the whole
 * ceiling, so a file within it takes one APDU:
 * PACE: EF.CardAccess 22 bytes 1, MSE:Set AT 1, GA 4, SELECT 1, EF.COM
 * 23 bytes 1, EF.SOD absent 1, DG1 95 bytes 1, DG2 353 bytes 2 (223,
 * 130: AES SM ceiling), DG11 26 bytes 1 = 13; with extended length DG2
 * takes 1: 12.
 * BAC on the PACE card: EF.CardAccess 1, SELECT 1, GET CHALLENGE 1,
 * EXTERNAL AUTHENTICATE 1, EF.COM 1, EF.SOD 1, DG1 1, DG2 2 (231, 122:
 * 3DES ceiling), DG11 1 = 10.
 */
static const struct full {
	const char *dir;
	const char *secret;     /* CAN, or MRZ_information (is_mrz) */
	int is_mrz;
	enum nid_emrtd_access access;
	int ext;                /* caps: extended length */
	int rc;
	const char *protocol;
	unsigned long apdus;    /* 0: not checked */
	const char *fault1;     /* sim fault, or NULL */
} fulls[] = {
	{ ICAO_PACE, "123456", 0, NID_EMRTD_ACCESS_AUTO, 0, NID_OK, "PACE", 13, NULL },
	{ ICAO_PACE, "123456", 0, NID_EMRTD_ACCESS_AUTO, 1, NID_OK, "PACE", 12, NULL },
	{ ICAO_PACE, PACE_MRZ, 1, NID_EMRTD_ACCESS_AUTO, 0, NID_OK, "PACE", 13, NULL },
	{ ICAO_PACE, PACE_MRZ, 1, NID_EMRTD_ACCESS_BAC, 0, NID_OK, "BAC", 10, NULL },
	{ ICAO_PACE, "654321", 0, NID_EMRTD_ACCESS_AUTO, 0,
	    NID_E_ACCESS_DENIED, "PACE", 0, NULL },
	{ ICAO_PACE, BAC_MRZ, 1, NID_EMRTD_ACCESS_BAC, 0,
	    NID_E_ACCESS_DENIED, "BAC", 0, NULL },
	{ ICAO_BAC, BAC_MRZ, 1, NID_EMRTD_ACCESS_AUTO, 0, NID_OK, "BAC", 0, NULL },
	{ ICAO_BAC, BAC_MRZ_WRONG, 1, NID_EMRTD_ACCESS_AUTO, 0,
	    NID_E_ACCESS_DENIED, "BAC", 0, NULL },
	/* A CAN on a BAC-only chip; PACE forced on it. */
	{ ICAO_BAC, "123456", 0, NID_EMRTD_ACCESS_AUTO, 0,
	    NID_E_UNSUPPORTED_CARD, "BAC", 0, NULL },
	{ ICAO_BAC, BAC_MRZ, 1, NID_EMRTD_ACCESS_PACE, 0,
	    NID_E_UNSUPPORTED_CARD, "", 0, NULL },
	/*
	 * T=0 style answers (ISO/IEC 7816-3 §10.3.4): a case 4 command with
	 * answer data gets 61xx and one GET RESPONSE; a case 2 command whose
	 * Le is not the data's length gets 6Cxx and is sent again. Plain:
	 * the EF.CardAccess read (case 2, Le 256 for 22 bytes) +1 (6C16),
	 * MSE:Set AT case 3: no extra, GA 1-4: +4. Under SM every command is
	 * case 4 (DO'97'/DO'8E' data, Le) and every answer is protected
	 * (DO'99' ‖ DO'8E' at least): SELECT +1, the 6 READ BINARY (EF.COM
	 * 1, EF.SOD 1, DG1 1, DG2 2, DG11 1) +6. 13 + 1 + 4 + 1 + 6 = 25.
	 */
	{ ICAO_PACE, "123456", 0, NID_EMRTD_ACCESS_AUTO, 0, NID_OK, "PACE", 25,
	    "t0" },
	/* The card removed in the middle: the transport's error. */
	{ ICAO_PACE, "123456", 0, NID_EMRTD_ACCESS_AUTO, 0,
	    NID_E_CARD_REMOVED, "PACE", 0, "remove-at=12" },
};

START_TEST(test_full)
{
	const struct full *t = &fulls[_i];
	struct nid_emrtd_creds c;
	struct nid_emrtd_result res;
	struct nid_emrtd_opts o;
	size_t i, n;
	int rc;

	if (!has_image(t->dir))
		tu_skip("ICAO sample card image not present");
	memset(&o, 0, sizeof(o));
	o.access = t->access;
	o.dgs = NID_EMRTD_DGS_ALL;
	open_card(t->dir, 0);
	if (t->ext) {
		set_caps(1);
		o.keep_caps = 1;
	}
	if (t->fault1 != NULL)
		fault(t->fault1);
	ck_assert_int_eq(t->is_mrz ? nid_emrtd_creds_mrz(&c, t->secret) :
	    nid_emrtd_creds_can(&c, t->secret), NID_OK);
	rc = nid_emrtd_read(card, &c, &o, &res);
	ck_assert_msg(rc == t->rc, "%zu: %s: %s", (size_t)_i, nid_strerror(rc),
	    nid_ctx_detail(ctx));
	ck_assert_str_eq(res.protocol, t->protocol);
	ck_assert_ptr_null(strstr(nid_ctx_detail(ctx), t->secret));
	if (rc == NID_OK) {
		check_files(t->dir, &res);
		/* EF.COM and every DG it lists (DG1, DG2, DG11) were read. */
		for (i = 0, n = 0; i < res.nfiles; i++)
			if (res.files[i].state == NID_EMRTD_F_READ &&
			    res.files[i].dg >= 0)
				n++;
		ck_assert_uint_eq(n, 4);
		if (t->apdus != 0)
			ck_assert_msg(res.apdus == t->apdus,
			    "%lu APDUs, want %lu", res.apdus, t->apdus);
		fprintf(stderr, "INFO %s %s (%s): %lu APDUs\n", t->dir,
		    res.protocol, t->ext ? "extended" : "short", res.apdus);
	}
	nid_emrtd_result_clear(&res);
	nid_emrtd_creds_clear(&c);
	teardown();
}
END_TEST

/*
 * DG3 (fingerprints) needs EAC (ICAO 9303-11 §7.1): an image made from
 * icao-pace with a DG3 behind SM and a PIN nobody verifies (the sim's
 * stand-in for Terminal Authentication: 6982) and an EF.COM
 * that lists it (ICAO 9303-10 §4.6.1: 5C tag list 61 75 63 6B). The dump
 * records DG3 as "needs terminal authentication", reads DG3 after every
 * other DG, and succeeds.
 */
static void
write_file(const char *dir, const char *name, const char *hex)
{
	char path[4200];
	nid_buf b = tu_hex(hex);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(b.p, 1, b.len, fp), b.len);
	fclose(fp);
	nid_buf_clear(&b);
}

static void
copy_file(const char *from, const char *to)
{
	uint8_t *p;
	size_t n;
	FILE *fp;

	p = slurp(from, &n);
	ck_assert_ptr_nonnull(fp = fopen(to, "wb"));
	ck_assert_uint_eq(fwrite(p, 1, n, fp), n);
	fclose(fp);
	free(p);
}

START_TEST(test_dg3_eac)
{
	static const char *const efs[] = { "0101", "0102", "010B", "011C" };
	char dir[] = "/tmp/nid-emrtd-XXXXXX", path[4200], from[4200];
	struct nid_emrtd_creds c;
	struct nid_emrtd_result res;
	struct nid_emrtd_opts o;
	json_t *img, *kids, *f;
	json_error_t jerr;
	size_t i;
	int rc;

	if (!has_image(ICAO_PACE))
		tu_skip("ICAO sample card image not present");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ef", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	for (i = 0; i < NID_NELEM(efs); i++) {
		snprintf(from, sizeof(from), "%s/ef/%s.bin", ICAO_PACE, efs[i]);
		snprintf(path, sizeof(path), "%s/ef/%s.bin", dir, efs[i]);
		copy_file(from, path);
	}
	write_file(dir, "ef/011E.bin", "6016" "5F0104" "30313037"
	    "5F3606" "303430303030" "5C04" "6175636B");
	write_file(dir, "ef/0103.bin", "6303010203");
	snprintf(path, sizeof(path), "%s/card.json", ICAO_PACE);
	ck_assert_ptr_nonnull(img = json_load_file(path, 0, &jerr));
	kids = json_object_get(json_array_get(json_object_get(
	    json_object_get(img, "files"), "children"), 1), "children");
	ck_assert_ptr_nonnull(kids);
	f = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", "EF",
	    "fid", "0103", "sfi", 3, "name", "DG3", "content", "ef/0103.bin",
	    "read", "sm+pin:81");
	ck_assert_int_eq(json_array_append_new(kids, f), 0);
	/* A PIN nobody verifies stands for Terminal Authentication. */
	ck_assert_int_eq(json_object_set_new(img, "pins", json_pack(
	    "[{s:s, s:s, s:s, s:i, s:i, s:s}]", "ref", "81", "name", "TA",
	    "value", "00000000", "tries", 3, "max_tries", 3, "state",
	    "activated")), 0);
	snprintf(path, sizeof(path), "%s/card.json", dir);
	ck_assert_int_eq(json_dump_file(img, path, 0), 0);
	json_decref(img);

	open_card(dir, 0);
	ck_assert_int_eq(nid_emrtd_creds_can(&c, "123456"), NID_OK);
	memset(&o, 0, sizeof(o));
	o.dgs = NID_EMRTD_DGS_ALL;
	rc = nid_emrtd_read(card, &c, &o, &res);
	ck_assert_msg(rc == NID_OK, "%s: %s", nid_strerror(rc),
	    nid_ctx_detail(ctx));
	/* Last file: DG3, after DG11, not readable without TA. */
	ck_assert_str_eq(res.files[res.nfiles - 1].name, "DG3");
	ck_assert_int_eq(res.files[res.nfiles - 1].state, NID_EMRTD_F_NEEDS_TA);
	ck_assert_uint_eq(res.files[res.nfiles - 1].sw, 0x6982);
	ck_assert_ptr_null(res.files[res.nfiles - 1].data);
	ck_assert_str_eq(res.files[res.nfiles - 2].name, "DG11");
	ck_assert_int_eq(res.files[res.nfiles - 2].state, NID_EMRTD_F_READ);
	nid_emrtd_result_clear(&res);
	nid_emrtd_creds_clear(&c);
	teardown();
	for (i = 0; i < NID_NELEM(efs); i++) {
		snprintf(path, sizeof(path), "%s/ef/%s.bin", dir, efs[i]);
		(void)unlink(path);
	}
	snprintf(path, sizeof(path), "%s/ef/0103.bin", dir);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/ef/011E.bin", dir);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/ef", dir);
	(void)rmdir(path);
	snprintf(path, sizeof(path), "%s/card.json", dir);
	(void)unlink(path);
	(void)rmdir(dir);
}
END_TEST

static Suite *
emrtd_suite(void)
{
	Suite *s = suite_create("emrtd");
	TCase *tc = tcase_create("read");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sm_short_le);
	tcase_add_loop_test(tc, test_strategy, 0, (int)NID_NELEM(strats));
	tcase_add_loop_test(tc, test_small, 0, (int)NID_NELEM(smalls));
	tcase_add_test(tc, test_lds_tag);
	tcase_add_test(tc, test_removed);
	tcase_add_test(tc, test_creds);
	tcase_add_test(tc, test_plain_unsupported);
	tcase_add_test(tc, test_plain_pace_forced);
	tcase_add_loop_test(tc, test_full, 0, (int)NID_NELEM(fulls));
	tcase_add_test(tc, test_dg3_eac);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(emrtd_suite());
}
