/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_probe.c — the reader/card capability probe (src/lib/probe.c) over
 * the in-process virtual card (src/sim), and the reading code using its
 * result (emrtd.c with nid_emrtd_opts.probe).
 *
 * Cards: tests/data/cards/icao-pace (EF.CardAccess 22 bytes: 31 14 …,
 * no EF.ATR/INFO, ATR 3B 8A 80 01 "NIDCARDSIM" 0B without card
 * capabilities), tests/data/cards/plain (no EF.CardAccess), and images
 * made from icao-pace in a temporary folder: one with EF.ATR/INFO and an
 * ATR whose historical bytes carry card capabilities, one whose
 * EF.CardAccess is 600 bytes. Faults are the sim's (docs/card-image.md):
 * no-extended (6700 to extended APDUs), max-le=N (answers cut at N
 * bytes, normal SW), t0 (61xx / 6Cxx procedure answers, extended 6700),
 * remove-at=N. Each expected APDU sequence is derived in the comment of
 * its table row from probe.h.
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
#include "probe.h"
#include "sim.h"

#define ICAO_PACE NID_SRCDIR "/tests/data/cards/icao-pace"
#define PLAIN NID_SRCDIR "/tests/data/cards/plain"

static nid_ctx_t *ctx;
static nid_sim_card *simc;
static nid_transport_t *simt;   /* the sim */
static nid_transport_t *tap;    /* records command headers */
static nid_card_t *card;
static char tmpdir[64];

/* ---- a transport that records every command's header ------------------ */

#define TAP_MAX 256
struct tapped {
	nid_transport_t *inner;
	uint8_t hdr[TAP_MAX][4];   /* CLA INS P1 P2 */
	size_t n;
};
static struct tapped *taps;

static int
tap_transmit(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	struct tapped *r = t->impl;

	if (cmd_len >= 4 && r->n < TAP_MAX)
		memcpy(r->hdr[r->n++], cmd, 4);
	return nid_transport_transmit(r->inner, cmd, cmd_len, rsp, rsp_len);
}

static int
tap_get_atr(nid_transport_t *t, uint8_t *atr, size_t *atr_len)
{
	struct tapped *r = t->impl;

	return nid_transport_get_atr(r->inner, atr, atr_len);
}

static void
tap_close(nid_transport_t *t)
{
	free(t->impl);
}

static const struct nid_transport_ops tap_ops = {
	.name = "tap",
	.transmit = tap_transmit,
	.get_atr = tap_get_atr,
	.close = tap_close,
};

/* ---- fixtures ------------------------------------------------------------ */

static void
open_card(const char *dir)
{
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_msg(nid_sim_card_load(ctx, dir, &simc) == NID_OK,
	    "load %s: %s", dir, nid_ctx_detail(ctx));
	nid_sim_card_set_seed(simc, 1);
	ck_assert_int_eq(nid_sim_transport_open(ctx, simc, &simt), NID_OK);
	ck_assert_ptr_nonnull(taps = calloc(1, sizeof(*taps)));
	taps->inner = simt;
	ck_assert_int_eq(nid_transport_new(ctx, &tap_ops, taps, &tap), NID_OK);
	ck_assert_int_eq(nid_card_new(tap, &card), NID_OK);
}

static void
close_card(void)
{
	nid_card_free(&card);
	nid_transport_free(&tap);
	taps = NULL;
	nid_transport_free(&simt);
	nid_sim_card_free(&simc);
	nid_ctx_free(&ctx);
}

static void
fault(const char *spec)
{
	ck_assert_msg(nid_sim_card_set_fault(ctx, simc, spec) == NID_OK,
	    "%s: %s", spec, nid_ctx_detail(ctx));
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

static void
write_bytes(const char *path, const uint8_t *p, size_t n)
{
	FILE *fp;

	ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(p, 1, n, fp), n);
	fclose(fp);
}

/*
 * Images made from icao-pace in tmpdir:
 *  atrinfo/  ATR 3B 85 80 01 80 73 00 00 C0 37 — historical bytes
 *            category 80, compact-TLV 73 (card capabilities, ISO/IEC
 *            7816-4 §8.1.1.2.7): third byte C0 = command chaining (b8)
 *            and extended Lc/Le (b7); TCK 37 = XOR of 85..C0. EF.ATR/INFO
 *            (2F01 in the MF): 7F66 0A ‖ 02 03 00FFFF (command APDUs up
 *            to 65535 bytes) ‖ 02 03 001002 (response APDUs up to 4098
 *            bytes: Ne 4096).
 *  bigca/    EF.CardAccess of 600 bytes, still SecurityInfos (ICAO
 *            9303-11 §9.2, the sim checks): SET 31 82 0254 { icao-pace's
 *            PACEInfo (30 12 …, 20 bytes), a SecurityInfo of a protocol
 *            nobody knows: 30 82 023C { OID 06 03 2A0304, requiredData
 *            OCTET STRING 04 82 0233 ‖ 563 bytes n & FF } } —
 *            4 + 20 + 4 + 5 + 4 + 563 = 600.
 */
static void
make_images(void)
{
	static const char *const efs[] = { "0101", "0102", "010B", "011C",
	    "011E" };
	static const uint8_t info[] = { 0x7F, 0x66, 0x0A, 0x02, 0x03, 0x00,
	    0xFF, 0xFF, 0x02, 0x03, 0x00, 0x10, 0x02 };
	char path[4200], from[4200];
	uint8_t *p, big[600];
	json_t *img, *kids, *f;
	json_error_t jerr;
	size_t i, n, k;
	const char *sub[] = { "atrinfo", "bigca" };

	(void)snprintf(tmpdir, sizeof(tmpdir), "/tmp/nid-probe-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	for (k = 0; k < 2; k++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, sub[k]);
		ck_assert_int_eq(mkdir(path, 0700), 0);
		snprintf(path, sizeof(path), "%s/%s/ef", tmpdir, sub[k]);
		ck_assert_int_eq(mkdir(path, 0700), 0);
		for (i = 0; i < NID_NELEM(efs); i++) {
			snprintf(from, sizeof(from), "%s/ef/%s.bin", ICAO_PACE,
			    efs[i]);
			snprintf(path, sizeof(path), "%s/%s/ef/%s.bin", tmpdir,
			    sub[k], efs[i]);
			p = slurp(from, &n);
			write_bytes(path, p, n);
			free(p);
		}
		snprintf(path, sizeof(path), "%s/card.json", ICAO_PACE);
		ck_assert_ptr_nonnull(img = json_load_file(path, 0, &jerr));
		if (k == 0) {
			ck_assert_int_eq(json_object_set_new(img, "atr",
			    json_string("3B 85 80 01 80 73 00 00 C0 37")), 0);
			kids = json_object_get(json_object_get(img, "files"),
			    "children");
			f = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type",
			    "EF", "fid", "2F01", "name", "EF.ATR/INFO",
			    "content", "ef/2F01.bin", "read", "always");
			ck_assert_int_eq(json_array_append_new(kids, f), 0);
			snprintf(path, sizeof(path), "%s/atrinfo/ef/2F01.bin",
			    tmpdir);
			write_bytes(path, info, sizeof(info));
		} else {
			static const uint8_t head[] = { 0x31, 0x82, 0x02, 0x54,
			    0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00,
			    0x07, 0x02, 0x02, 0x04, 0x02, 0x02, 0x02, 0x01,
			    0x02, 0x02, 0x01, 0x0D, 0x30, 0x82, 0x02, 0x3C,
			    0x06, 0x03, 0x2A, 0x03, 0x04, 0x04, 0x82, 0x02,
			    0x33 };

			memcpy(big, head, sizeof(head));
			for (i = sizeof(head); i < sizeof(big); i++)
				big[i] = (uint8_t)(i & 0xFF);
			snprintf(path, sizeof(path), "%s/bigca/ef/011C.bin",
			    tmpdir);
			write_bytes(path, big, sizeof(big));
		}
		snprintf(path, sizeof(path), "%s/%s/card.json", tmpdir, sub[k]);
		ck_assert_int_eq(json_dump_file(img, path, 0), 0);
		json_decref(img);
	}
}

static void
remove_images(void)
{
	static const char *const efs[] = { "0101", "0102", "010B", "011C",
	    "011E", "2F01" };
	const char *sub[] = { "atrinfo", "bigca" };
	char path[4200];
	size_t i, k;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < NID_NELEM(efs); i++) {
			snprintf(path, sizeof(path), "%s/%s/ef/%s.bin", tmpdir,
			    sub[k], efs[i]);
			(void)unlink(path);
		}
		snprintf(path, sizeof(path), "%s/%s/card.json", tmpdir, sub[k]);
		(void)unlink(path);
		snprintf(path, sizeof(path), "%s/%s/ef", tmpdir, sub[k]);
		(void)rmdir(path);
		snprintf(path, sizeof(path), "%s/%s", tmpdir, sub[k]);
		(void)rmdir(path);
	}
	(void)rmdir(tmpdir);
}

static const char *
image(const char *name)
{
	static char path[4200];

	if (strcmp(name, "icao-pace") == 0)
		return ICAO_PACE;
	if (strcmp(name, "plain") == 0)
		return PLAIN;
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* ---- EF.ATR/INFO parsing (ISO/IEC 7816-4:2013 §8.2.1.1, §12.7.1) ----- */

static const struct info_vec {
	const char *what;
	const char *hex;
	int rc;
	long max_cmd, max_rsp;
} info_vecs[] = {
	/* Two INTEGERs, minimal DER: 0x0800 and 0x0802. */
	{ "7F66 plain", "7F6608 02020800 02020802", NID_OK, 0x0800, 0x0802 },
	/* Leading 00 (DER for values with b8 set), 3 bytes. */
	{ "7F66 DER", "7F660A 020300FFFF 0203010002", NID_OK, 65535, 65538 },
	/* FF FF written without its 00: read unsigned, 65535. */
	{ "7F66 unsigned", "7F6608 0202FFFF 0202FFFF", NID_OK, 65535, 65535 },
	/* Other interindustry DOs (historical bytes 5F52, card service
	 * data 43) before it, padding 00 and FF around. */
	{ "among other DOs", "00 4301C1 5F5203 800102 FF 7F6606 020101 020102 00",
	    NID_OK, 1, 2 },
	/* A third INTEGER (newer editions) is ignored. */
	{ "three INTEGERs", "7F6609 020101 020102 020103", NID_OK, 1, 2 },
	/* No 7F66: absent, no error. */
	{ "absent", "4301C1 5F5203800102", NID_OK, -1, -1 },
	{ "empty file", "", NID_OK, -1, -1 },
	/* Negative vectors. */
	/* The DO ends before its second INTEGER. */
	{ "one INTEGER", "7F6603 020101", NID_E_TRUNCATED, -1, -1 },
	{ "not INTEGER", "7F6606 040101 020102", NID_E_MALFORMED, -1, -1 },
	{ "empty INTEGER", "7F6605 0200 020102", NID_E_MALFORMED, -1, -1 },
	{ "INTEGER too long", "7F6609 020401000000 020102", NID_E_MALFORMED,
	    -1, -1 },
	{ "7F66 past the end", "7F6609 020101 020102", NID_E_TRUNCATED, -1, -1 },
	{ "bad TLV before", "43 05 01", NID_E_TRUNCATED, -1, -1 },
};

START_TEST(test_parse_info)
{
	const struct info_vec *v = &info_vecs[_i];
	nid_buf b = tu_hex(v->hex);
	long a = 7, r = 7;
	int rc;

	rc = nid_probe_parse_atr_info(b.p, b.len, &a, &r);
	ck_assert_msg(rc == v->rc, "%s: %s", v->what, nid_strerror(rc));
	ck_assert_int_eq(a, v->max_cmd);
	ck_assert_int_eq(r, v->max_rsp);
	nid_buf_clear(&b);
}
END_TEST

/* Truncation loop: every prefix of a valid file parses or fails cleanly;
 * only the whole one yields both values. */
START_TEST(test_parse_info_trunc)
{
	nid_buf b = tu_hex("4301C1 7F660A 020300FFFF 0203010002");
	size_t n;
	long a, r;
	int rc;

	for (n = 0; n < b.len; n++) {
		rc = nid_probe_parse_atr_info(b.p, n, &a, &r);
		ck_assert_msg(rc != NID_OK || a == -1, "prefix %zu", n);
		if (rc != NID_OK)
			ck_assert(a == -1 && r == -1);
	}
	ck_assert_int_eq(nid_probe_parse_atr_info(b.p, b.len, &a, &r), NID_OK);
	ck_assert_int_eq(a, 65535);
	ck_assert_int_eq(r, 65538);
	nid_buf_clear(&b);
}
END_TEST

/* ---- the probe on virtual cards ------------------------------------------ */

static const struct pcase {
	const char *what;
	const char *img;
	const char *fault1, *fault2;
	unsigned flags;
	int rc;
	enum nid_probe_ext ext;
	size_t trial_le, trial_limit;
	int t0;
	int info;              /* -1 not read, 0 absent, 1 read */
	int caps_ext;
	size_t caps_ne;
	enum nid_probe_le_basis basis;
	unsigned long apdus;
	int card_access;       /* 1 read, 0 absent, -1 left to the reader */
	const char *cmds;      /* the steps' commands, ' '-separated */
} pcases[] = {
	/*
	 * READ BINARY SFI 1C, extended Le 0000 (Ne 65536): 22 bytes, 6282
	 * (end of file): extended works, the file is whole (a limit below
	 * 22 could not show). SELECT 2F01: 6A82. Caps: extended, 65536.
	 */
	{ "extended card, report", "icao-pace", NULL, NULL, NID_PROBE_REPORT,
	    NID_OK, NID_PROBE_EXT_WORKS, 65536, 0, 0, 0, 1, 65536,
	    NID_PROBE_LE_FILE, 2, 1, "00B09C00000000 00A4020C022F01" },
	/* Session flags: EF.ATR/INFO is read because extended works. */
	{ "extended card, session", "icao-pace", NULL, NULL,
	    NID_PROBE_SESSION, NID_OK, NID_PROBE_EXT_WORKS, 65536, 0, 0, 0, 1,
	    65536, NID_PROBE_LE_FILE, 2, 1, "00B09C00000000 00A4020C022F01" },
	/*
	 * Extended READ: 6700. Short READ Le 256: 22 bytes, 6282. SELECT
	 * 2F01: 6A82. The file was too short to show a limit: GET CHALLENGE
	 * Le 256 → 223 bytes, 9000: cut, the limit is 223.
	 */
	{ "no-extended, max Le 223, report", "icao-pace", "no-extended",
	    "max-le=223", NID_PROBE_REPORT, NID_OK, NID_PROBE_EXT_CARD_REFUSED,
	    256, 223, 0, 0, 0, 223, NID_PROBE_LE_CUT, 4, 1,
	    "00B09C00000000 00B09C0000 00A4020C022F01 0084000000" },
	/* Session flags: no EF.ATR/INFO without extended length. */
	{ "no-extended, max Le 223, session", "icao-pace", "no-extended",
	    "max-le=223", NID_PROBE_SESSION, NID_OK,
	    NID_PROBE_EXT_CARD_REFUSED, 256, 223, 0, -1, 0, 223,
	    NID_PROBE_LE_CUT, 3, 1, "00B09C00000000 00B09C0000 0084000000" },
	/*
	 * T=0: extended READ 6700. Short READ Le 256: 6C16 (22 bytes
	 * there), sent again with Le 22: 2 APDUs, a procedure answer seen.
	 * SELECT 2F01 6A82. GET CHALLENGE Le 256: exactly 256 (case 2, Le
	 * right): Le 256 seen to work. 1 + 2 + 1 + 1 = 5.
	 */
	{ "T=0 card", "icao-pace", "t0", NULL, NID_PROBE_REPORT, NID_OK,
	    NID_PROBE_EXT_CARD_REFUSED, 256, 0, 1, 0, 0, 256,
	    NID_PROBE_LE_SEEN, 5, 1,
	    "00B09C00000000 00B09C0000 00A4020C022F01 0084000000" },
	/*
	 * No EF.CardAccess: READ 6A82, SELECT MF 9000, READ 6A82 again.
	 * Then EF.DIR (SFI 1E) with extended Le: its 54 bytes (two 61
	 * templates of 27), 6282: extended works. SELECT 2F01 6A82.
	 */
	{ "plain card", "plain", NULL, NULL, NID_PROBE_REPORT, NID_OK,
	    NID_PROBE_EXT_WORKS, 65536, 0, 0, 0, 1, 65536, NID_PROBE_LE_FILE,
	    5, 0, "00B09C00000000 00A4000C023F00 00B09C00000000 00B09E00000000 "
	    "00A4020C022F01" },
	/*
	 * EF.ATR/INFO present: extended READ 22 bytes; SELECT 2F01 9000;
	 * READ BINARY Le 256 at 0: 13 bytes, 6282. 7F66 declares response
	 * APDUs of 4098 bytes: Ne 4096 (SW1 SW2 take 2).
	 */
	{ "EF.ATR/INFO", "atrinfo", NULL, NULL, NID_PROBE_REPORT, NID_OK,
	    NID_PROBE_EXT_WORKS, 65536, 0, 0, 1, 1, 4096,
	    NID_PROBE_LE_DECLARED, 3, 1,
	    "00B09C00000000 00A4020C022F01 00B0000000" },
	/*
	 * A 600-byte EF.CardAccess, answers cut at 160: the extended READ
	 * returns 160 bytes with 9000 before the file's end: extended
	 * passes, the limit is 160. SELECT 2F01 6A82. The rest of the file
	 * with B0 at 160, 320, 480 (160, 160, 120 bytes): one step for the
	 * three. 1 + 1 + 3 = 5.
	 */
	{ "big EF.CardAccess, max Le 160", "bigca", "max-le=160", NULL,
	    NID_PROBE_REPORT, NID_OK, NID_PROBE_EXT_WORKS, 65536, 160, 0, 0, 1,
	    160, NID_PROBE_LE_CUT, 5, 1,
	    "00B09C00000000 00A4020C022F01 00B001E078" },
	/* Removed at the first APDU: the transport's error, nothing else. */
	{ "removed", "icao-pace", "remove-at=1", NULL, NID_PROBE_REPORT,
	    NID_E_CARD_REMOVED, NID_PROBE_EXT_UNTRIED, 0, 0, 0, -1, 0, 0,
	    NID_PROBE_LE_DEFAULT, 1, -1, "00B09C00000000" },
};

START_TEST(test_probe)
{
	const struct pcase *c = &pcases[_i];
	struct nid_probe p;
	char hex[2 * NID_PROBE_CMD_MAX + 1], got[1024];
	uint8_t *want;
	size_t i, n, off = 0;
	int rc;

	open_card(image(c->img));
	if (c->fault1 != NULL)
		fault(c->fault1);
	if (c->fault2 != NULL)
		fault(c->fault2);
	rc = nid_probe_run(card, c->flags, &p);
	ck_assert_msg(rc == c->rc, "%s: %s: %s", c->what, nid_strerror(rc),
	    nid_ctx_detail(ctx));
	got[0] = '\0';
	for (i = 0; i < p.nsteps; i++) {
		nid_hex_encode_to(p.steps[i].cmd, p.steps[i].cmd_len, hex);
		off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%s",
		    i > 0 ? " " : "", hex);
	}
	ck_assert_msg(strcmp(got, c->cmds) == 0, "%s: steps %s, want %s",
	    c->what, got, c->cmds);
	ck_assert_msg(p.apdus == c->apdus && card->t->apdus == c->apdus,
	    "%s: %lu APDUs (wire %lu), want %lu", c->what, p.apdus,
	    card->t->apdus, c->apdus);
	ck_assert_msg(p.card_access == c->card_access, "%s: card_access %d",
	    c->what, p.card_access);
	ck_assert_int_eq(p.protocol, -1);   /* not PC/SC */
	if (rc != NID_OK)
		goto done;
	ck_assert_msg(p.ext == c->ext, "%s: ext %s", c->what,
	    nid_probe_ext_str(p.ext));
	ck_assert_uint_eq(p.trial_le, c->trial_le);
	ck_assert_uint_eq(p.trial_limit, c->trial_limit);
	ck_assert_int_eq(p.t0_procedure, c->t0);
	ck_assert_int_eq(p.info, c->info);
	ck_assert_int_eq(p.caps.extended, c->caps_ext);
	ck_assert_msg(p.caps.max_ne == c->caps_ne, "%s: max_ne %zu",
	    c->what, p.caps.max_ne);
	ck_assert_msg(p.le_basis == c->basis, "%s: basis %s", c->what,
	    nid_probe_le_basis_str(p.le_basis));
	ck_assert_int_eq(p.caps.chaining, 1);
	if (strcmp(c->img, "plain") == 0) {
		ck_assert_str_eq(p.trial_file, "EF.DIR");
		ck_assert_uint_eq(p.trial_file_size, 54);
		ck_assert_uint_eq(p.card_access_sw, 0x6A82);
		ck_assert_ptr_null(p.card_access_bytes);
	}
	if (p.card_access == 1) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/ef/011C.bin", image(c->img));
		want = slurp(path, &n);
		ck_assert_uint_eq(p.card_access_len, n);
		ck_assert(memcmp(p.card_access_bytes, want, n) == 0);
		ck_assert_uint_eq(p.trial_file_size, n);
		free(want);
	}
done:
	nid_probe_clear(&p);
	close_card();
}
END_TEST

/*
 * A card left in the eMRTD application by an earlier session (PC/SC
 * does not reset it between connections): SFI 1C is not there (6A82),
 * so SELECT MF and the same read once more. Extended: READ 6A82, SELECT
 * MF, READ 22 bytes, SELECT 2F01. With no-extended the extended READ is
 * refused for its length first (6700), the short one meets 6A82: READ
 * 6700, READ 6A82, SELECT MF, READ 22 bytes, SELECT 2F01, GET CHALLENGE.
 */
static const struct left {
	const char *fault1;
	const char *cmds;
	unsigned long apdus;
} lefts[] = {
	{ NULL, "00B09C00000000 00A4000C023F00 00B09C00000000 00A4020C022F01",
	    4 },
	{ "no-extended", "00B09C00000000 00B09C0000 00A4000C023F00 "
	    "00B09C0000 00A4020C022F01 0084000000", 6 },
};

START_TEST(test_probe_left_in_app)
{
	const struct left *l = &lefts[_i];
	nid_buf aid = tu_hex("A0000002471001"), rsp;
	nid_apdu a = { 0x00, 0xA4, 0x04, 0x0C, NULL, 0, 0 };
	struct nid_probe p;
	char hex[2 * NID_PROBE_CMD_MAX + 1], got[1024];
	size_t i, off = 0;
	uint16_t sw;

	open_card(ICAO_PACE);
	if (l->fault1 != NULL)
		fault(l->fault1);
	a.data = aid.p;
	a.nc = aid.len;
	nid_buf_init(&rsp, 1024);
	ck_assert_int_eq(nid_card_transmit(card, &a, &rsp, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	card->t->apdus = 0;
	ck_assert_int_eq(nid_probe_run(card, NID_PROBE_REPORT, &p), NID_OK);
	got[0] = '\0';
	for (i = 0; i < p.nsteps; i++) {
		nid_hex_encode_to(p.steps[i].cmd, p.steps[i].cmd_len, hex);
		off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%s",
		    i > 0 ? " " : "", hex);
	}
	ck_assert_msg(strcmp(got, l->cmds) == 0, "steps %s, want %s", got,
	    l->cmds);
	ck_assert_uint_eq(p.apdus, l->apdus);
	ck_assert_int_eq(p.card_access, 1);
	ck_assert_uint_eq(p.card_access_len, 22);
	nid_probe_clear(&p);
	nid_buf_clear(&rsp);
	nid_buf_clear(&aid);
	close_card();
}
END_TEST

/* The ATR's card capabilities and EF.ATR/INFO's command limit. */
START_TEST(test_probe_claims)
{
	struct nid_probe p;

	open_card(image("atrinfo"));
	ck_assert_int_eq(nid_probe_run(card, NID_PROBE_REPORT, &p), NID_OK);
	ck_assert_int_eq(p.atr_ext, 1);
	ck_assert_int_eq(p.atr_chaining, 1);
	ck_assert_int_eq(p.atr_t0, 1);   /* TD1 80: T=0, TD2 01: T=1 */
	ck_assert_int_eq(p.atr_t1, 1);
	ck_assert_int_eq(p.info_max_cmd, 65535);
	ck_assert_int_eq(p.info_max_rsp, 4098);
	/* 65535 bytes of command APDU: header 4, Lc 3, Le 2 → Nc 65526. */
	ck_assert_uint_eq(p.caps.max_nc, 65526);
	tu_assert_hex(p.info_bytes, p.info_len,
	    "7F660A020300FFFF0203001002");
	nid_probe_clear(&p);
	ck_assert_int_eq(p.info, -1);
	ck_assert_ptr_null(p.card_access_bytes);
	close_card();
	/* icao-pace's historical bytes say nothing. */
	open_card(ICAO_PACE);
	ck_assert_int_eq(nid_probe_run(card, NID_PROBE_REPORT, &p), NID_OK);
	ck_assert_int_eq(p.atr_ext, -1);
	ck_assert_int_eq(p.atr_chaining, -1);
	nid_probe_clear(&p);
	close_card();
}
END_TEST

/* ---- the reading code with the probe's caps ------------------------------ */

#define PACE_CAN "123456"

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

/*
 * A card that cuts every answer at 223 bytes and refuses extended
 * length. Without the probe the reader asks plain Le 223 under AES
 * secure messaging (the 256-byte ceiling): the protected answer, 242
 * bytes, is cut at 223 and its MAC with it — the session is lost
 * (NID_E_SM_FORMAT). With the probe the ceiling is the largest plain
 * Le whose protected answer fits 223 bytes: 191 (ICAO 9303-11 §9.8.6:
 * 191 pads to 192, DO'87' 81 C1 01 ‖ 192, 1 + 2 + 193 + DO'99' 4 +
 * DO'8E' 10 = 210; 192 would pad to 208: 226 > 223).
 * APDUs: the probe 3 (extended READ 6700, READ Le 256 22 bytes, GET
 * CHALLENGE 223 bytes); EF.CardAccess from the probe 0; MSE:Set AT 1,
 * GA 4, SELECT 1, EF.COM 23 bytes 1, EF.SOD absent 1, DG1 95 bytes 1,
 * DG2 353 bytes 2 (191, 162), DG11 26 bytes 1. 3 + 12 = 15.
 */
START_TEST(test_read_le223)
{
	struct nid_emrtd_creds cr;
	struct nid_emrtd_result res;
	struct nid_emrtd_opts o;
	struct nid_probe p;
	int rc;

	ck_assert_uint_eq(nid_emrtd_sm_le(16, 223), 191);
	open_card(ICAO_PACE);
	fault("no-extended");
	fault("max-le=223");
	ck_assert_int_eq(nid_emrtd_creds_can(&cr, PACE_CAN), NID_OK);
	memset(&o, 0, sizeof(o));
	o.dgs = NID_EMRTD_DGS_ALL;
	rc = nid_emrtd_read(card, &cr, &o, &res);
	ck_assert_msg(rc == NID_E_SM_FORMAT, "without the probe: %s",
	    nid_strerror(rc));
	nid_emrtd_result_clear(&res);
	close_card();

	open_card(ICAO_PACE);
	fault("no-extended");
	fault("max-le=223");
	ck_assert_int_eq(nid_probe_run(card, NID_PROBE_SESSION, &p), NID_OK);
	ck_assert_uint_eq(p.caps.max_ne, 223);
	o.probe = &p;
	rc = nid_emrtd_read(card, &cr, &o, &res);
	ck_assert_msg(rc == NID_OK, "with the probe: %s: %s",
	    nid_strerror(rc), nid_ctx_detail(ctx));
	check_files(ICAO_PACE, &res);
	/* EF.CardAccess, EF.COM, EF.SOD (not found), DG1, DG2, DG11. */
	ck_assert_uint_eq(res.nfiles, 6);
	ck_assert_int_eq(res.extended, 0);
	ck_assert_uint_eq(res.le, 191);
	ck_assert_uint_eq(res.files[0].apdus, 2);   /* by the probe */
	ck_assert_msg(res.apdus == 15 && card->t->apdus == 15,
	    "%lu APDUs (wire %lu), want 15", res.apdus, card->t->apdus);
	nid_emrtd_result_clear(&res);
	nid_probe_clear(&p);
	nid_emrtd_creds_clear(&cr);
	close_card();
}
END_TEST

/*
 * The reading plan on an extended-length card: every file is selected
 * once, by the SFI of its only READ BINARY, and nothing is read twice.
 * Transcript (command headers, CLA INS P1 P2): the probe's READ BINARY
 * SFI 1C (00 B0 9C 00) and SELECT 2F01 (00 A4 02 0C); MSE:Set AT
 * (00 22 C1 A4); GA ×4 (10 86 00 00 ×3, 00 86 00 00); SELECT eMRTD
 * under SM (0C A4 04 0C); READ BINARY under SM by SFI: 1E EF.COM,
 * 1D EF.SOD (absent), 01 DG1, 02 DG2, 0B DG11 (0C B0 8n 00). 13.
 */
START_TEST(test_read_once)
{
	static const char *const want[] = {
		"00B09C00", "00A4020C", "0022C1A4", "10860000", "10860000",
		"10860000", "00860000", "0CA4040C", "0CB09E00", "0CB09D00",
		"0CB08100", "0CB08200", "0CB08B00"
	};
	struct nid_emrtd_creds cr;
	struct nid_emrtd_result res;
	struct nid_emrtd_opts o;
	struct nid_probe p;
	char hex[9];
	size_t i, j, nsel = 0;

	open_card(ICAO_PACE);
	ck_assert_int_eq(nid_emrtd_creds_can(&cr, PACE_CAN), NID_OK);
	ck_assert_int_eq(nid_probe_run(card, NID_PROBE_SESSION, &p), NID_OK);
	memset(&o, 0, sizeof(o));
	o.probe = &p;
	o.dgs = NID_EMRTD_DGS_ALL;
	ck_assert_int_eq(nid_emrtd_read(card, &cr, &o, &res), NID_OK);
	check_files(ICAO_PACE, &res);
	ck_assert_uint_eq(taps->n, NID_NELEM(want));
	for (i = 0; i < taps->n; i++) {
		nid_hex_encode_to(taps->hdr[i], 4, hex);
		ck_assert_msg(strcmp(hex, want[i]) == 0, "APDU %zu: %s, want "
		    "%s", i, hex, want[i]);
		if (taps->hdr[i][1] == 0xA4)
			nsel++;
		/* No READ BINARY header (and so no SFI, no offset) twice. */
		for (j = 0; j < i; j++)
			ck_assert(taps->hdr[i][1] != 0xB0 ||
			    memcmp(taps->hdr[i], taps->hdr[j], 4) != 0);
	}
	ck_assert_uint_eq(nsel, 2);
	ck_assert_uint_eq(res.apdus, 13);
	nid_emrtd_result_clear(&res);
	nid_probe_clear(&p);
	nid_emrtd_creds_clear(&cr);
	close_card();
}
END_TEST

static void
setup_images(void)
{
	make_images();
}

static void
teardown_images(void)
{
	remove_images();
}

static Suite *
probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("parse"), *tp = tcase_create("probe");

	tcase_add_loop_test(tc, test_parse_info, 0, (int)NID_NELEM(info_vecs));
	tcase_add_test(tc, test_parse_info_trunc);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tp, 60);
	tcase_add_checked_fixture(tp, setup_images, teardown_images);
	tcase_add_loop_test(tp, test_probe, 0, (int)NID_NELEM(pcases));
	tcase_add_loop_test(tp, test_probe_left_in_app, 0,
	    (int)NID_NELEM(lefts));
	tcase_add_test(tp, test_probe_claims);
	tcase_add_test(tp, test_read_le223);
	tcase_add_test(tp, test_read_once);
	suite_add_tcase(s, tp);
	return s;
}

int
main(void)
{
	return tu_run(probe_suite());
}
