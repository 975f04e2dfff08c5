/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_sim.c — the virtual card engine over the in-process transport:
 * every SELECT form and P2 option, READ BINARY (offsets, SFI, odd INS B1,
 * short and extended Le, end of file), GET CHALLENGE, GET DATA, VERIFY
 * counters, each refusal status word, each fault switch, the state file,
 * the handler and SM hooks, and image validation errors.
 *
 * Expected answers come from ISO/IEC 7816-4:2013 (section next to each
 * script) applied to the sample image tests/data/cards/plain (its README
 * lists every EF's bytes). Commands are built with nid_apdu_encode and
 * sent with nid_transport_transmit, the raw transport call.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"
#include "card.h"
#include "sim.h"

#define PLAIN NID_SRCDIR "/tests/data/cards/plain"
#define AID1 "F04E49444341524401"
#define AID2 "F04E49444341524402"

static nid_ctx_t *ctx;
static nid_sim_card *card;
static nid_transport_t *tr;

static void
open_image(const char *dir)
{
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_msg(nid_sim_card_load(ctx, dir, &card) == NID_OK,
	    "load %s: %s", dir, nid_ctx_detail(ctx));
	nid_sim_card_set_seed(card, 1);
	ck_assert_int_eq(nid_sim_transport_open(ctx, card, &tr), NID_OK);
}

static void
setup(void)
{
	open_image(PLAIN);
}

static void
teardown(void)
{
	nid_transport_free(&tr);
	nid_sim_card_free(&card);
	nid_ctx_free(&ctx);
}

/*
 * Send one command; the response data into *data (reset first), the SW
 * returned. Fails the test on a transport error.
 */
static unsigned
tx(uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2, const char *data_hex,
    size_t ne, int ext, nid_buf *data)
{
	static uint8_t rsp[NID_RSP_MAX + 64];
	nid_buf cmd, body;
	nid_apdu a = { cla, ins, p1, p2, NULL, 0, ne };
	size_t rlen = sizeof(rsp);
	int rc;

	nid_buf_init(&cmd, NID_BUF_MAX_DEFAULT);
	body = tu_hex(data_hex != NULL ? data_hex : "");
	a.data = body.p;
	a.nc = body.len;
	ck_assert_int_eq(nid_apdu_encode(&a, ext, &cmd), NID_OK);
	rc = nid_transport_transmit(tr, cmd.p, cmd.len, rsp, &rlen);
	ck_assert_msg(rc == NID_OK, "transmit: %s", nid_strerror_name(rc));
	ck_assert_uint_ge(rlen, 2);
	if (data != NULL) {
		nid_buf_reset(data);
		ck_assert_int_eq(nid_buf_put(data, rsp, rlen - 2), NID_OK);
	}
	nid_buf_clear(&cmd);
	nid_buf_clear(&body);
	return (unsigned)rsp[rlen - 2] << 8 | rsp[rlen - 1];
}

/* Raw bytes in, raw bytes out (for malformed commands and faults). */
static int
tx_raw(const char *cmd_hex, nid_buf *rsp_out)
{
	static uint8_t rsp[NID_RSP_MAX + 64];
	nid_buf cmd = tu_hex(cmd_hex);
	size_t rlen = sizeof(rsp);
	int rc;

	rc = nid_transport_transmit(tr, cmd.p, cmd.len, rsp, &rlen);
	if (rc == NID_OK && rsp_out != NULL) {
		nid_buf_reset(rsp_out);
		ck_assert_int_eq(nid_buf_put(rsp_out, rsp, rlen), NID_OK);
	}
	nid_buf_clear(&cmd);
	return rc;
}

static void
read_file(const char *path, nid_buf *out)
{
	uint8_t chunk[4096];
	FILE *fp;
	size_t n;

	nid_buf_init(out, NID_BUF_MAX_DEFAULT);
	ck_assert_msg((fp = fopen(path, "rb")) != NULL, "open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ck_assert_int_eq(nid_buf_put(out, chunk, n), NID_OK);
	fclose(fp);
}

/* ---- scripted exchanges ------------------------------------------------ */

struct step {
	const char *what;
	uint8_t cla, ins, p1, p2;
	const char *data;
	size_t ne;
	int ext;
	unsigned sw;
	const char *rsp;      /* expected data; NULL: not checked */
	long rsp_len;         /* expected data length; -1: not checked */
};

static void
run_script(const struct step *s, size_t n)
{
	nid_buf d;
	unsigned sw;
	size_t i;

	nid_buf_init(&d, NID_BUF_MAX_DEFAULT);
	for (i = 0; i < n; i++) {
		sw = tx(s[i].cla, s[i].ins, s[i].p1, s[i].p2, s[i].data,
		    s[i].ne, s[i].ext, &d);
		ck_assert_msg(sw == s[i].sw, "step %zu (%s): SW %04X, want %04X",
		    i, s[i].what, sw, s[i].sw);
		if (s[i].rsp != NULL)
			tu_assert_hex(d.p, d.len, s[i].rsp);
		if (s[i].rsp_len >= 0)
			ck_assert_msg(d.len == (size_t)s[i].rsp_len,
			    "step %zu (%s): %zu data bytes, want %ld", i,
			    s[i].what, d.len, s[i].rsp_len);
	}
	nid_buf_clear(&d);
}

/* FCP/FCI/FMD of the sample image (ISO/IEC 7816-4 §7.4.3 table 12). */
#define FCP_MF_INNER "820138" "83023F00" "8A0105"
#define FCP_5000_INNER "820138" "83025000" "8409" AID1 "8A0105"
#define FCP_5100_INNER "820138" "83025100" "8409" AID2 "8A0105"
#define FCP_0101 "6211" "80020010" "820101" "83020101" "880108" "8A0105"
#define FCP_0103 "6211" "800284D0" "820101" "83020103" "880118" "8A0105"
#define FCP_0106 "620E" "80020000" "820101" "83020106" "8A0105"
#define FCP_5100_0101 "6211" "80020005" "820101" "83020101" "880108" "8A0105"

/* ISO/IEC 7816-4 §11.2.2 SELECT: P1 00/01/02/03/04/08/09, P2 b4-b3 the
 * answer (00 FCI, 04 FCP, 08 FMD, 0C none), b2-b1 the occurrence. */
static const struct step select_script[] = {
	{ "MF by empty data, FCI", 0, 0xA4, 0x00, 0x00, "", 256, 0, 0x9000,
	  "6F0A" FCP_MF_INNER, -1 },
	{ "FCP of MF", 0, 0xA4, 0x00, 0x04, "3F00", 256, 0, 0x9000,
	  "620A" FCP_MF_INNER, -1 },
	{ "FMD of MF", 0, 0xA4, 0x00, 0x08, "3F00", 256, 0, 0x9000, "6400", -1 },
	{ "AID, no answer", 0, 0xA4, 0x04, 0x0C, AID1, 0, 0, 0x9000, "", -1 },
	{ "P2=0C refuses Le", 0, 0xA4, 0x04, 0x0C, AID1, 256, 0, 0x6700, "", -1 },
	{ "EF by P1=02, FCP", 0, 0xA4, 0x02, 0x04, "0101", 256, 0, 0x9000,
	  FCP_0101, -1 },
	{ "parent of current DF", 0, 0xA4, 0x03, 0x0C, "", 0, 0, 0x9000, "", -1 },
	{ "parent of the MF", 0, 0xA4, 0x03, 0x0C, "", 0, 0, 0x6A82, "", -1 },
	{ "P1=03 with data", 0, 0xA4, 0x03, 0x0C, "5000", 0, 0, 0x6A87, "", -1 },
	{ "child DF by P1=01, FCI", 0, 0xA4, 0x01, 0x00, "5000", 256, 0, 0x9000,
	  "6F15" FCP_5000_INNER, -1 },
	{ "P1=01 naming an EF", 0, 0xA4, 0x01, 0x0C, "0101", 0, 0, 0x6A82, "", -1 },
	{ "P1=02 naming a DF", 0, 0xA4, 0x02, 0x0C, "5000", 0, 0, 0x6A82, "", -1 },
	{ "P1=00 EF of the parent DF", 0, 0xA4, 0x00, 0x0C, "2F00", 0, 0, 0x9000,
	  "", -1 },
	{ "P1=00 DF from the MF, FCP", 0, 0xA4, 0x00, 0x04, "5100", 256, 0,
	  0x9000, "6215" FCP_5100_INNER, -1 },
	{ "P1=00 current DF by its FID", 0, 0xA4, 0x00, 0x0C, "5100", 0, 0,
	  0x9000, "", -1 },
	{ "extended Le, EF of DF 5100", 0, 0xA4, 0x02, 0x04, "0101", 65536, 1,
	  0x9000, FCP_5100_0101, -1 },
	{ "no Le: no data (T=1)", 0, 0xA4, 0x02, 0x04, "0101", 0, 0, 0x9000,
	  "", -1 },
	{ "unknown FID", 0, 0xA4, 0x00, 0x0C, "1234", 0, 0, 0x6A82, "", -1 },
	{ "path from MF, FCP", 0, 0xA4, 0x08, 0x04, "50000103", 256, 0, 0x9000,
	  FCP_0103, -1 },
	{ "path from MF with 3F00", 0, 0xA4, 0x08, 0x0C, "3F0050000101", 0, 0,
	  0x9000, "", -1 },
	{ "path from current DF", 0, 0xA4, 0x09, 0x04, "0106", 256, 0, 0x9000,
	  FCP_0106, -1 },
	{ "path through an EF", 0, 0xA4, 0x09, 0x0C, "01060101", 0, 0, 0x6A82,
	  "", -1 },
	{ "odd path length", 0, 0xA4, 0x08, 0x0C, "500001", 0, 0, 0x6A87, "", -1 },
	{ "3-byte FID", 0, 0xA4, 0x00, 0x0C, "010101", 0, 0, 0x6A87, "", -1 },
	{ "truncated AID, first", 0, 0xA4, 0x04, 0x00, "F04E494443415244", 256,
	  0, 0x9000, "6F15" FCP_5000_INNER, -1 },
	{ "next occurrence", 0, 0xA4, 0x04, 0x02, "F04E494443415244", 256, 0,
	  0x9000, "6F15" FCP_5100_INNER, -1 },
	{ "next past the last", 0, 0xA4, 0x04, 0x0E, "F04E494443415244", 0, 0,
	  0x6A82, "", -1 },
	{ "previous, FCP", 0, 0xA4, 0x04, 0x07, "F04E494443415244", 256, 0,
	  0x9000, "6215" FCP_5000_INNER, -1 },
	{ "last, FMD", 0, 0xA4, 0x04, 0x09, "F04E494443415244", 256, 0, 0x9000,
	  "640B8409" AID2, -1 },
	{ "unknown AID", 0, 0xA4, 0x04, 0x0C, "A0000002471001", 0, 0, 0x6A82,
	  "", -1 },
	{ "AID of 17 bytes", 0, 0xA4, 0x04, 0x0C,
	  "0102030405060708090A0B0C0D0E0F1011", 0, 0, 0x6A87, "", -1 },
	{ "P1=05", 0, 0xA4, 0x05, 0x0C, "5000", 0, 0, 0x6A86, "", -1 },
	{ "P2 b8-b5 set", 0, 0xA4, 0x00, 0x1C, "5000", 0, 0, 0x6A86, "", -1 },
	{ "occurrence with P1=00", 0, 0xA4, 0x00, 0x0E, "5000", 0, 0, 0x6A86,
	  "", -1 },
	{ "MF by 3F00 from anywhere", 0, 0xA4, 0x00, 0x0C, "3F00", 0, 0, 0x9000,
	  "", -1 },
};

START_TEST(select_forms)
{
	run_script(select_script, NID_NELEM(select_script));
	ck_assert_int_eq(card->cur_df, 0);
	ck_assert_int_eq(card->cur_ef, -1);
}
END_TEST

/* ISO/IEC 7816-4 §11.3.3 READ BINARY; EF 5000/0101 is
 * 5A 0E "NID-0000000001" (tests/data/cards/plain/README.md). */
#define EF0101 "5A0E4E49442D30303030303030303031"

static const struct step read_script[] = {
	{ "select AID 1", 0, 0xA4, 0x04, 0x0C, AID1, 0, 0, 0x9000, "", -1 },
	{ "B0 by SFI 1, Le 00: end of file", 0, 0xB0, 0x81, 0x00, "", 256, 0,
	  0x6282, EF0101, -1 },
	{ "B0 by SFI, exact Le", 0, 0xB0, 0x81, 0x00, "", 16, 0, 0x9000,
	  EF0101, -1 },
	{ "B0 current EF, offset 4", 0, 0xB0, 0x00, 0x04, "", 4, 0, 0x9000,
	  "442D3030", -1 },
	{ "B0 offset 14, Le 5", 0, 0xB0, 0x00, 0x0E, "", 5, 0, 0x6282, "3031",
	  -1 },
	{ "B0 offset = size", 0, 0xB0, 0x00, 0x10, "", 1, 0, 0x6B00, "", -1 },
	{ "B0 offset beyond", 0, 0xB0, 0x00, 0x20, "", 1, 0, 0x6B00, "", -1 },
	{ "B0 SFI not in this DF", 0, 0xB0, 0x86, 0x00, "", 1, 0, 0x6A82, "", -1 },
	{ "B0 P1 bits 7-6 set", 0, 0xB0, 0xA1, 0x00, "", 1, 0, 0x6A86, "", -1 },
	{ "B0 SFI 0", 0, 0xB0, 0x80, 0x00, "", 1, 0, 0x6A86, "", -1 },
	{ "B0 without Le", 0, 0xB0, 0x00, 0x00, "", 0, 0, 0x6700, "", -1 },
	{ "B0 with a data field", 0, 0xB0, 0x00, 0x00, "00", 1, 0, 0x6700, "",
	  -1 },
	{ "B0 by SFI 2, Le 00", 0, 0xB0, 0x82, 0x00, "", 256, 0, 0x9000, NULL,
	  256 },
	{ "B0 offset 256 of 300", 0, 0xB0, 0x01, 0x00, "", 256, 0, 0x6282,
	  NULL, 44 },
	{ "B0 extended Le 0000 of 34000", 0, 0xB0, 0x83, 0x00, "", 65536, 1,
	  0x6282, NULL, 34000 },
	{ "B0 offset 7FFF", 0, 0xB0, 0x7F, 0xFF, "", 1, 0, 0x9000, NULL, 1 },
	{ "PIN-protected EF", 0, 0xB0, 0x84, 0x00, "", 256, 0, 0x6982, "", -1 },
	{ "never-readable EF", 0, 0xB0, 0x85, 0x00, "", 256, 0, 0x6982, "", -1 },
	{ "VERIFY PIN 81", 0, 0x20, 0x00, 0x81, "313233343536", 0, 0, 0x9000,
	  "", -1 },
	{ "PIN-protected EF, verified", 0, 0xB0, 0x84, 0x00, "", 256, 0,
	  0x6282, NULL, 64 },
	{ "VERIFY P1=FF: reset", 0, 0x20, 0xFF, 0x81, "", 0, 0, 0x9000, "", -1 },
	{ "PIN-protected EF again", 0, 0xB0, 0x84, 0x00, "", 256, 0, 0x6982, "",
	  -1 },
	{ "select the DF: no current EF", 0, 0xA4, 0x04, 0x0C, AID1, 0, 0,
	  0x9000, "", -1 },
	{ "B0 with no current EF", 0, 0xB0, 0x00, 0x00, "", 1, 0, 0x6986, "",
	  -1 },
	{ "select the empty EF", 0, 0xA4, 0x02, 0x0C, "0106", 0, 0, 0x9000, "",
	  -1 },
	{ "empty EF, offset 0", 0, 0xB0, 0x00, 0x00, "", 256, 0, 0x6282, "", -1 },
	{ "empty EF, offset 1", 0, 0xB0, 0x00, 0x01, "", 1, 0, 0x6B00, "", -1 },
	/* odd INS B1: offset in DO 54, data in DO 53 (§11.3.3, §7.2.2) */
	{ "B1 SFI 3, offset 32768, ext", 0, 0xB1, 0x00, 0x03, "5403008000",
	  65536, 1, 0x6282, NULL, 4 + 1232 },
	{ "B1 current EF, Le 00", 0, 0xB1, 0x00, 0x00, "5403008000", 256, 0,
	  0x9000, NULL, 256 },
	{ "B1 offset = size", 0, 0xB1, 0x00, 0x00, "54030084D0", 256, 0, 0x6B00,
	  "", -1 },
	{ "B1 wrong tag", 0, 0xB1, 0x00, 0x00, "5503008000", 256, 0, 0x6A80,
	  "", -1 },
	{ "B1 offset of 4 bytes", 0, 0xB1, 0x00, 0x00, "540400008000", 256, 0,
	  0x6A80, "", -1 },
	{ "B1 trailing bytes", 0, 0xB1, 0x00, 0x00, "54010000", 256, 0, 0x6A80,
	  "", -1 },
	{ "B1 no data", 0, 0xB1, 0x00, 0x00, "", 256, 0, 0x6700, "", -1 },
	{ "B1 by FID 0101, to the end", 0, 0xB1, 0x01, 0x01, "540104", 16, 0, 0x6282,
	  "530C" "442D30303030303030303031", -1 },
	{ "B1 by unknown FID", 0, 0xB1, 0x01, 0x09, "540100", 16, 0, 0x6A82, "",
	  -1 },
	{ "B1 PIN-protected", 0, 0xB1, 0x00, 0x04, "540100", 16, 0, 0x6982, "",
	  -1 },
};

START_TEST(read_binary_forms)
{
	run_script(read_script, NID_NELEM(read_script));
}
END_TEST

/* The 34000-byte EF read three ways equals the file on disk. */
START_TEST(read_big_file)
{
	nid_buf want, got, d;
	size_t off, hdr;
	unsigned sw;
	uint8_t p1, p2;
	char do54[32];

	read_file(PLAIN "/ef/5000-0103.bin", &want);
	ck_assert_uint_eq(want.len, 34000);
	nid_buf_init(&got, NID_BUF_MAX_DEFAULT);
	nid_buf_init(&d, NID_BUF_MAX_DEFAULT);
	ck_assert_uint_eq(tx(0, 0xA4, 0x08, 0x0C, "50000103", 0, 0, NULL),
	    0x9000);
	/* 1: one extended READ BINARY */
	ck_assert_uint_eq(tx(0, 0xB0, 0, 0, "", 65536, 1, &d), 0x6282);
	tu_assert_hex(d.p, 8, "708284CC02091017");
	ck_assert(d.len == want.len && memcmp(d.p, want.p, d.len) == 0);
	/* 2: short B0 chunks up to 32767, then B1 */
	for (off = 0; off < want.len; off += d.len) {
		if (off <= 0x7FFF) {
			p1 = (uint8_t)(off >> 8);
			p2 = (uint8_t)off;
			sw = tx(0, 0xB0, p1, p2, "", off + 256 > 0x8000 ?
			    0x8000 - off : 256, 0, &d);
		} else {
			(void)snprintf(do54, sizeof(do54), "5403%06zX", off);
			sw = tx(0, 0xB1, 0, 0, do54, 256, 0, &d);
			ck_assert_uint_ge(d.len, 3);
			ck_assert_uint_eq(d.p[0], 0x53);
			/* strip the DO 53 header */
			hdr = d.p[1] == 0x81 ? 3 : 2;
			memmove(d.p, d.p + hdr, d.len - hdr);
			d.len -= hdr;
		}
		ck_assert(sw == 0x9000 || sw == 0x6282);
		ck_assert_uint_gt(d.len, 0);
		ck_assert_int_eq(nid_buf_put(&got, d.p, d.len), NID_OK);
	}
	ck_assert(got.len == want.len && memcmp(got.p, want.p, got.len) == 0);
	/* 3: B1 extended from 32768: the rest in one answer */
	ck_assert_uint_eq(tx(0, 0xB1, 0, 0x03, "5403008000", 65536, 1, &d),
	    0x6282);
	tu_assert_hex(d.p, 4, "538204D0");
	ck_assert(memcmp(d.p + 4, want.p + 32768, 1232) == 0);
	nid_buf_clear(&want);
	nid_buf_clear(&got);
	nid_buf_clear(&d);
}
END_TEST

/* ---- GET CHALLENGE, GET DATA ------------------------------------------ */

START_TEST(get_challenge)
{
	nid_buf a, b;
	uint8_t again[8];

	nid_buf_init(&a, 64);
	nid_buf_init(&b, 64);
	/* ISO/IEC 7816-4 §11.5.3: Ne random bytes. */
	ck_assert_uint_eq(tx(0, 0x84, 0, 0, "", 8, 0, &a), 0x9000);
	ck_assert_uint_eq(a.len, 8);
	ck_assert_uint_eq(card->challenge_len, 8);
	ck_assert(memcmp(card->challenge, a.p, 8) == 0);
	ck_assert_uint_eq(tx(0, 0x84, 0, 0, "", 8, 0, &b), 0x9000);
	ck_assert(memcmp(a.p, b.p, 8) != 0);
	/* The seed makes it reproducible. */
	nid_sim_card_set_seed(card, 1);
	ck_assert_int_eq(nid_sim_random(card, again, 8), NID_OK);
	ck_assert(memcmp(again, a.p, 8) == 0);
	ck_assert_uint_eq(tx(0, 0x84, 0, 0, "", 0, 0, &a), 0x6700);
	ck_assert_uint_eq(tx(0, 0x84, 1, 0, "", 8, 0, &a), 0x6A86);
	ck_assert_uint_eq(tx(0, 0x84, 0, 0, "00", 8, 0, &a), 0x6700);
	/* Unseeded: OpenSSL's generator, still 8 bytes. */
	card->seeded = 0;
	ck_assert_uint_eq(tx(0, 0x84, 0, 0, "", 8, 0, &a), 0x9000);
	ck_assert_uint_eq(a.len, 8);
	nid_buf_clear(&a);
	nid_buf_clear(&b);
}
END_TEST

static const struct step get_data_script[] = {
	/* ISO/IEC 7816-4 §11.4.3: P1-P2 the tag; the image's data objects. */
	{ "9F7F", 0, 0xCA, 0x9F, 0x7F, "", 256, 0, 0x9000, "9F7F2A479050404700"
	  "000000000000000000000000000000000000"
	  "000000000000000000000000000000000000", -1 },
	{ "5F52", 0, 0xCA, 0x5F, 0x52, "", 256, 0, 0x9000,
	  "5F520A4E4944434152445349 4D", -1 },
	{ "unknown tag", 0, 0xCA, 0x01, 0x01, "", 256, 0, 0x6A88, "", -1 },
	{ "with data", 0, 0xCA, 0x5F, 0x52, "00", 256, 0, 0x6700, "", -1 },
};

START_TEST(get_data)
{
	run_script(get_data_script, NID_NELEM(get_data_script));
}
END_TEST

/* ---- VERIFY (ISO/IEC 7816-4 §11.5.6) ---------------------------------- */

static const struct step verify_script[] = {
	{ "status query", 0, 0x20, 0x00, 0x81, "", 0, 0, 0x63C3, "", -1 },
	{ "status query again", 0, 0x20, 0x00, 0x81, "", 0, 0, 0x63C3, "", -1 },
	{ "wrong PIN", 0, 0x20, 0x00, 0x81, "303030303030", 0, 0, 0x63C2, "", -1 },
	{ "query after a wrong PIN", 0, 0x20, 0x00, 0x81, "", 0, 0, 0x63C2, "",
	  -1 },
	{ "right PIN resets the counter", 0, 0x20, 0x00, 0x81, "313233343536",
	  0, 0, 0x9000, "", -1 },
	{ "query when verified", 0, 0x20, 0x00, 0x81, "", 0, 0, 0x9000, "", -1 },
	{ "wrong length counts as wrong", 0, 0x20, 0x00, 0x81, "3132333435", 0,
	  0, 0x63C2, "", -1 },
	{ "wrong 2", 0, 0x20, 0x00, 0x81, "313233343537", 0, 0, 0x63C1, "", -1 },
	{ "wrong 3", 0, 0x20, 0x00, 0x81, "313233343538", 0, 0, 0x63C0, "", -1 },
	{ "blocked: right PIN refused", 0, 0x20, 0x00, 0x81, "313233343536", 0,
	  0, 0x6983, "", -1 },
	{ "blocked: query", 0, 0x20, 0x00, 0x81, "", 0, 0, 0x6983, "", -1 },
	{ "transport PIN: query", 0, 0x20, 0x00, 0x82, "", 0, 0, 0x6984, "", -1 },
	{ "transport PIN: value", 0, 0x20, 0x00, 0x82, "3132333435", 0, 0,
	  0x6984, "", -1 },
	{ "blocked PUK", 0, 0x20, 0x00, 0x83, "3132333435363738", 0, 0, 0x6983,
	  "", -1 },
	{ "unknown reference", 0, 0x20, 0x00, 0x84, "", 0, 0, 0x6A88, "", -1 },
	{ "P1=01", 0, 0x20, 0x01, 0x81, "", 0, 0, 0x6A86, "", -1 },
	{ "with Le", 0, 0x20, 0x00, 0x81, "", 8, 0, 0x6700, "", -1 },
};

START_TEST(verify_counters)
{
	run_script(verify_script, 2);
	ck_assert_uint_eq(card->pins[0].tries, 3);      /* no decrement */
	run_script(verify_script + 2, NID_NELEM(verify_script) - 2);
	ck_assert_uint_eq(card->pins[0].tries, 0);
	ck_assert_int_eq(card->pins[0].state, NID_SIM_PIN_BLOCKED);
	ck_assert_uint_eq(card->pins[1].tries, 3);      /* transport untouched */
	ck_assert_uint_eq(card->pins[2].tries, 0);
}
END_TEST

/* ---- refusals --------------------------------------------------------- */

static const struct {
	const char *cmd;
	const char *rsp;
} refusals[] = {
	{ "00E0000000", "6D00" },               /* unknown INS */
	{ "00C0000008", "6D00" },               /* GET RESPONSE without T=0 */
	{ "80A4000C023F00", "6E00" },           /* proprietary class */
	{ "FFA4000C023F00", "6E00" },           /* invalid class */
	{ "20A4000C023F00", "6E00" },           /* RFU class */
	{ "01A4000C023F00", "6881" },           /* logical channel 1 */
	{ "40A4000C023F00", "6881" },           /* further interindustry */
	{ "10A4000C023F00", "6884" },           /* chaining */
	{ "0CA4000C023F00", "6882" },           /* SM, no SM hook */
	{ "00B000000501", "6700" },             /* malformed: Lc beyond */
	{ "00B0000000000100", "6700" },         /* malformed extended */
};

START_TEST(refusal_table)
{
	nid_buf r;

	nid_buf_init(&r, 64);
	ck_assert_int_eq(tx_raw(refusals[_i].cmd, &r), NID_OK);
	tu_assert_hex(r.p, r.len, refusals[_i].rsp);
	nid_buf_clear(&r);
}
END_TEST

START_TEST(transport_atr_reset)
{
	uint8_t atr[40];
	size_t n = sizeof(atr);

	ck_assert_int_eq(nid_transport_get_atr(tr, atr, &n), NID_OK);
	tu_assert_hex(atr, n, "3B8A80014E49444341524453494D0B");
	ck_assert_uint_eq(tx(0, 0xA4, 0x04, 0x0C, AID1, 0, 0, NULL), 0x9000);
	ck_assert_uint_eq(tx(0, 0x20, 0, 0x81, "313233343536", 0, 0, NULL),
	    0x9000);
	ck_assert_int_eq(nid_transport_reset(tr), NID_OK);
	/* After a reset: MF current, PIN no longer verified, counter kept. */
	ck_assert_int_eq(card->cur_df, 0);
	ck_assert_uint_eq(tx(0, 0x20, 0, 0x81, "", 0, 0, NULL), 0x63C3);
	ck_assert_uint_eq(tr->apdus, 3);
}
END_TEST

/* ---- faults ----------------------------------------------------------- */

static void
fault(const char *spec)
{
	ck_assert_msg(nid_sim_card_set_fault(ctx, card, spec) == NID_OK,
	    "%s: %s", spec, nid_ctx_detail(ctx));
}

/* T=0: ISO/IEC 7816-3 §10.3.4 (61xx, GET RESPONSE) and §10.3.3 (6Cxx). */
static const struct step t0_script[] = {
	{ "case 4: 61xx", 0, 0xA4, 0x04, 0x04, AID1, 256, 0, 0x6117, "", -1 },
	{ "GET RESPONSE, Le too long", 0, 0xC0, 0, 0, "", 0x20, 0, 0x6C17, "",
	  -1 },
	{ "GET RESPONSE 5 of 23", 0, 0xC0, 0, 0, "", 5, 0, 0x6112, "6215820138",
	  -1 },
	{ "GET RESPONSE the rest", 0, 0xC0, 0, 0, "", 0x12, 0, 0x9000,
	  "83025000" "8409" AID1 "8A0105", -1 },
	{ "GET RESPONSE, nothing left", 0, 0xC0, 0, 0, "", 8, 0, 0x6985, "", -1 },
	{ "case 3 with data to return: 61xx", 0, 0xA4, 0x02, 0x04, "0101", 0,
	  0, 0x6113, "", -1 },
	{ "GET RESPONSE", 0, 0xC0, 0, 0, "", 0x13, 0, 0x9000, FCP_0101, -1 },
	{ "case 2, Le too long: 6C10", 0, 0xB0, 0, 0, "", 0x20, 0, 0x6C10, "",
	  -1 },
	{ "case 2, exact Le", 0, 0xB0, 0, 0, "", 0x10, 0, 0x9000, EF0101, -1 },
	{ "case 2, Le short of the file", 0, 0xB0, 0, 0, "", 4, 0, 0x9000,
	  "5A0E4E49", -1 },
	{ "another command drops the pending data", 0, 0xA4, 0x02, 0x04, "0101",
	  256, 0, 0x6113, "", -1 },
	{ "VERIFY query: SW only", 0, 0x20, 0x00, 0x81, "", 0, 0, 0x63C3, "",
	  -1 },
	{ "GET RESPONSE after it", 0, 0xC0, 0, 0, "", 0x13, 0, 0x6985, "", -1 },
	{ "extended APDU", 0, 0xB0, 0, 0, "", 300, 1, 0x6700, "", -1 },
};

START_TEST(fault_t0)
{
	fault("t0");
	run_script(t0_script, NID_NELEM(t0_script));
	fault("t0=0");
	ck_assert_uint_eq(tx(0, 0xC0, 0, 0, "", 8, 0, NULL), 0x6D00);
}
END_TEST

/* The library's card I/O (card.c) hides the T=0 procedure. */
START_TEST(fault_t0_card_transmit)
{
	nid_card_t *c = NULL;
	nid_buf aid = tu_hex(AID1), d;
	nid_apdu sel = { 0x00, 0xA4, 0x04, 0x04, aid.p, aid.len, 256 };
	nid_apdu rb = { 0x00, 0xB0, 0x81, 0x00, NULL, 0, 0x20 };
	uint16_t sw = 0;

	nid_buf_init(&d, NID_BUF_MAX_DEFAULT);
	fault("t0");
	ck_assert_int_eq(nid_card_new(tr, &c), NID_OK);
	ck_assert_int_eq(nid_card_transmit(c, &sel, &d, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(c->sw_first, 0x6117);
	ck_assert_uint_ge(c->get_responses, 1);
	tu_assert_hex(d.p, d.len, "6215" FCP_5000_INNER);
	ck_assert_int_eq(nid_card_transmit(c, &rb, &d, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(c->sw_first, 0x6C10);
	ck_assert_uint_eq(c->le_retries, 1);
	tu_assert_hex(d.p, d.len, EF0101);
	nid_card_free(&c);
	nid_buf_clear(&aid);
	nid_buf_clear(&d);
}
END_TEST

START_TEST(fault_no_extended_max_le)
{
	nid_buf d;

	nid_buf_init(&d, NID_BUF_MAX_DEFAULT);
	ck_assert_uint_eq(tx(0, 0xA4, 0x08, 0x0C, "50000103", 0, 0, NULL),
	    0x9000);
	fault("no-extended");
	ck_assert_uint_eq(tx(0, 0xB0, 0, 0, "", 65536, 1, &d), 0x6700);
	ck_assert_uint_eq(tx(0, 0xB0, 0, 0, "", 256, 0, &d), 0x9000);
	ck_assert_uint_eq(d.len, 256);
	fault("no-extended=0");
	/* max-le: longer answers are cut at N bytes with 9000 */
	fault("max-le=223");
	ck_assert_uint_eq(tx(0, 0xB0, 0, 0, "", 65536, 1, &d), 0x9000);
	ck_assert_uint_eq(d.len, 223);
	fault("max-le=160");
	ck_assert_uint_eq(tx(0, 0xB0, 0, 0x10, "", 256, 0, &d), 0x9000);
	ck_assert_uint_eq(d.len, 160);
	ck_assert_uint_eq(tx(0, 0xB1, 0, 0, "5403008000", 256, 0, &d), 0x9000);
	ck_assert_uint_eq(d.len, 160);
	tu_assert_hex(d.p, 3, "53819D");        /* 157 + 3 header bytes */
	ck_assert_uint_eq(tx(0, 0xA4, 0x02, 0x04, "0101", 256, 0, &d), 0x9000);
	ck_assert_uint_eq(d.len, 19);
	nid_buf_clear(&d);
}
END_TEST

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

START_TEST(fault_slow_and_delay)
{
	double t;

	t = now_ms();
	ck_assert_uint_eq(tx(0, 0x84, 0, 0, "", 8, 0, NULL), 0x9000);
	ck_assert_msg(now_ms() - t < 30.0, "no delay asked");
	fault("slow=40");
	t = now_ms();
	ck_assert_uint_eq(tx(0, 0x84, 0, 0, "", 8, 0, NULL), 0x9000);
	ck_assert_msg(now_ms() - t >= 40.0, "slow=40: %.1f ms", now_ms() - t);
	fault("slow=0");
	nid_sim_card_set_delay_ms(card, 20);
	t = now_ms();
	ck_assert_uint_eq(tx(0, 0x84, 0, 0, "", 8, 0, NULL), 0x9000);
	ck_assert_msg(now_ms() - t >= 20.0, "delay 20: %.1f ms", now_ms() - t);
}
END_TEST

START_TEST(fault_mute_and_remove)
{
	uint8_t atr[40];
	size_t n = sizeof(atr);

	fault("mute=3");
	ck_assert_int_eq(tx_raw("0084000008", NULL), NID_OK);
	ck_assert_int_eq(tx_raw("0084000008", NULL), NID_OK);
	ck_assert_int_eq(tx_raw("0084000008", NULL), NID_E_TIMEOUT);
	ck_assert_int_eq(tx_raw("0084000008", NULL), NID_E_TIMEOUT);
	fault("mute=0");
	ck_assert_int_eq(tx_raw("0084000008", NULL), NID_OK);
	fault("mute");          /* bare: from the first APDU */
	ck_assert_int_eq(tx_raw("0084000008", NULL), NID_E_TIMEOUT);
	fault("mute=0");
	/* remove-at=N counts every APDU since the card was loaded */
	fault("remove-at=8");
	ck_assert_int_eq(tx_raw("0084000008", NULL), NID_OK);   /* APDU 7 */
	ck_assert_int_eq(tx_raw("0084000008", NULL), NID_E_CARD_REMOVED);
	ck_assert(card->removed);
	ck_assert_int_eq(tx_raw("0084000008", NULL), NID_E_CARD_REMOVED);
	ck_assert_int_eq(nid_transport_get_atr(tr, atr, &n), NID_E_NO_CARD);
	ck_assert_int_eq(nid_transport_reset(tr), NID_E_NO_CARD);
	ck_assert_uint_eq(card->apdus, 8);
}
END_TEST

START_TEST(fault_malformed)
{
	nid_buf r;

	nid_buf_init(&r, NID_BUF_MAX_DEFAULT);
	ck_assert_uint_eq(tx(0, 0xA4, 0x04, 0x0C, AID1, 0, 0, NULL), 0x9000);
	fault("truncate");
	ck_assert_int_eq(tx_raw("00B0810010", &r), NID_OK);
	tu_assert_hex(r.p, r.len, "5A0E4E49442D3030" "9000");
	fault("truncate=0");
	fault("bad-tlv-length");
	ck_assert_int_eq(tx_raw("00B0810010", &r), NID_OK);
	tu_assert_hex(r.p, r.len, "5A1E4E49442D30303030303030303031" "9000");
	/* not at offset 0: not a TLV start, left alone */
	ck_assert_int_eq(tx_raw("00B0000402", &r), NID_OK);
	tu_assert_hex(r.p, r.len, "442D" "9000");
	ck_assert_int_eq(tx_raw("00B0830004", &r), NID_OK);     /* long form */
	tu_assert_hex(r.p, r.len, "708284DC" "9000");
	ck_assert_int_eq(tx_raw("00A4020402010100", &r), NID_OK);
	tu_assert_hex(r.p, 2, "6221");
	fault("bad-tlv-length=false");
	fault("garbage-tlv");
	ck_assert_int_eq(tx_raw("00B0810004", &r), NID_OK);
	tu_assert_hex(r.p, r.len, "FFFFFFFF" "9000");
	fault("garbage-tlv=0");
	fault("oversized");
	ck_assert_int_eq(tx_raw("00B0810004", &r), NID_OK);
	ck_assert_uint_eq(r.len, 4 + 32 + 2);
	tu_assert_hex(r.p, 4, "5A0E4E49");
	tu_assert_hex(r.p + r.len - 2, 2, "9000");
	/* SW-only answers are left alone by every data fault */
	fault("truncate");
	fault("garbage-tlv");
	ck_assert_int_eq(tx_raw("00200081", &r), NID_OK);
	tu_assert_hex(r.p, r.len, "63C3");
	nid_buf_clear(&r);
}
END_TEST

static const struct {
	const char *spec;
	const char *msg;
} bad_faults[] = {
	{ "nonsense", "unknown fault" },
	{ "max-le", "needs a value" },
	{ "max-le=abc", "bad value" },
	{ "max-le=70000", "bad value" },
	{ "max-le=-1", "bad value" },
	{ "t0=2", "bad value" },
	{ "remove-at", "needs a value" },
	{ "t0x", "unknown fault" },
};

START_TEST(fault_spec_errors)
{
	ck_assert_int_eq(nid_sim_card_set_fault(ctx, card, bad_faults[_i].spec),
	    NID_E_INVALID_ARG);
	ck_assert_msg(strstr(nid_ctx_detail(ctx), bad_faults[_i].msg) != NULL,
	    "%s: %s", bad_faults[_i].spec, nid_ctx_detail(ctx));
}
END_TEST

/* ---- state file ------------------------------------------------------- */

START_TEST(state_file)
{
	char dir[] = "/tmp/check_sim_state.XXXXXX", path[64], tmp[96];
	json_error_t jerr;
	json_t *doc, *pins;
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/state.json", dir);
	ck_assert_int_eq(nid_sim_card_set_state_file(card, path), NID_OK);
	ck_assert_uint_eq(tx(0, 0x20, 0, 0x81, "", 0, 0, NULL), 0x63C3);
	ck_assert_uint_eq(tx(0, 0x20, 0, 0x81, "", 0, 0, NULL), 0x63C3);
	ck_assert_uint_eq(tx(0, 0xA4, 0x04, 0x0C, AID1, 0, 0, NULL), 0x9000);
	ck_assert_ptr_nonnull(doc = json_load_file(path, 0, &jerr));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "schema")),
	    "nidcard.sim-state/1");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "apdus")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(
	    json_object_get(doc, "ins"), "20")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(
	    json_object_get(doc, "ins"), "A4")), 1);
	pins = json_object_get(doc, "pins");
	ck_assert_uint_eq(json_array_size(pins), 3);
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(pins, 0), "ref")), "81");
	ck_assert_int_eq(json_integer_value(json_object_get(
	    json_array_get(pins, 0), "tries")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "current_df")),
	    "5000");
	ck_assert(json_is_null(json_object_get(doc, "current_ef")));
	json_decref(doc);
	/* a wrong PIN shows in the next write */
	ck_assert_uint_eq(tx(0, 0x20, 0, 0x81, "00", 0, 0, NULL), 0x63C2);
	ck_assert_ptr_nonnull(doc = json_load_file(path, 0, &jerr));
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    json_object_get(doc, "pins"), 0), "tries")), 2);
	json_decref(doc);
	/* no temporary file left behind */
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	ck_assert_int_ne(stat(tmp, &st), 0);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* ---- hooks ------------------------------------------------------------ */

static int
h_decline(nid_sim_card *c, void *arg, const nid_sim_cmd *cmd, nid_sim_rsp *r)
{
	(void)c;
	(void)cmd;
	(*(int *)arg)++;
	r->sw = 0x6F00;         /* must be discarded */
	return NID_SIM_DECLINE;
}

static int
h_internal_auth(nid_sim_card *c, void *arg, const nid_sim_cmd *cmd,
    nid_sim_rsp *r)
{
	(void)c;
	(void)arg;
	r->sw = 0x9000;
	return nid_buf_put(&r->data, cmd->apdu.data, cmd->apdu.nc);
}

/* A toy SM: the protected command is the plain one with CLA 0C. */
static int
sm_unwrap(nid_sim_card *c, void *arg, const nid_sim_cmd *in, nid_sim_cmd *plain,
    nid_buf *storage, uint16_t *sw_err)
{
	(void)c;
	(void)arg;
	(void)storage;
	if (in->apdu.p1 == 0xEE) {
		*sw_err = 0x6988;
		return NID_SIM_DECLINE;
	}
	/* the wrapped answer carries one more byte than the plain one */
	*plain = *in;
	plain->apdu.cla = 0x00;
	if (plain->apdu.ne > 0)
		plain->apdu.ne--;
	return NID_OK;
}

static int
sm_wrap(nid_sim_card *c, void *arg, const nid_sim_cmd *plain, nid_sim_rsp *r)
{
	(void)c;
	(void)plain;
	(*(int *)arg)++;
	return nid_buf_put_u8(&r->data, 0x99);
}

START_TEST(hooks)
{
	static const struct nid_sim_sm_ops ops = { sm_unwrap, sm_wrap, NULL };
	int declined = 0, wrapped = 0;
	nid_buf r;

	nid_buf_init(&r, 256);
	ck_assert_int_eq(nid_sim_add_handler(card, 0xA4, h_decline, &declined),
	    NID_OK);
	ck_assert_int_eq(nid_sim_add_handler(card, 0x88, h_internal_auth, NULL),
	    NID_OK);
	ck_assert_uint_eq(tx(0, 0xA4, 0x04, 0x0C, AID1, 0, 0, NULL), 0x9000);
	ck_assert_int_eq(declined, 1);
	ck_assert_uint_eq(tx(0, 0x88, 0, 0, "0102030405060708", 256, 0, &r),
	    0x9000);
	tu_assert_hex(r.p, r.len, "0102030405060708");
	/* SM: CLA 0C goes through unwrap and wrap */
	nid_sim_set_sm(card, &ops, &wrapped);
	ck_assert_uint_eq(tx(0x0C, 0xB0, 0x81, 0, "", 3, 0, &r), 0x9000);
	tu_assert_hex(r.p, r.len, "5A0E99");
	ck_assert_int_eq(wrapped, 1);
	ck_assert_uint_eq(tx(0x0C, 0xB0, 0xEE, 0, "", 2, 0, &r), 0x6988);
	ck_assert_int_eq(wrapped, 1);
	nid_buf_clear(&r);
}
END_TEST

/* ---- image validation ------------------------------------------------- */

static char imgdir[] = "/tmp/check_sim_img.XXXXXX";

static void
write_text(const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	(void)snprintf(path, sizeof(path), "%s/%s", imgdir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_int_ge(fputs(text, fp), 0);
	ck_assert_int_eq(fclose(fp), 0);
}

#define HEAD "{\"format\": \"nidcard.card-image/1\", \"atr\": \"3B00\", "
#define MF(children) "\"files\": {\"type\": \"MF\", \"fid\": \"3F00\", " \
	"\"children\": [" children "]}"
#define EF(extra) "{\"type\": \"EF\", \"fid\": \"0101\", " \
	"\"content\": \"a.bin\"" extra "}"
#define PIN(extra) "\"pins\": [{\"ref\": \"81\", \"value\": \"1234\", " \
	"\"max_tries\": 3" extra "}], "

static const struct {
	const char *json;
	const char *msg;     /* NULL: the image is valid */
} images[] = {
	{ HEAD MF(EF("")) "}", NULL },
	{ HEAD PIN("") "\"capabilities\": {\"extended_length\": false}, "
	  "\"life_cycle\": \"initialisation\", \"faults\": {\"t0\": true, "
	  "\"max-le\": 200}, \"data_objects\": [{\"tag\": \"66\", \"value\": "
	  "\"\"}], " MF(EF(", \"sfi\": 1, \"read\": \"sm+pin:81\"")) "}", NULL },
	{ "{\"format\": ", "line 1" },
	{ "[]", "must be a JSON object" },
	{ "{\"atr\": \"3B00\", " MF("") "}", "format" },
	{ "{\"format\": \"nidcard.card-image/2\", \"atr\": \"3B00\"}", "format" },
	{ HEAD "\"foo\": 1, " MF("") "}", "unknown field \"foo\"" },
	{ "{\"format\": \"nidcard.card-image/1\", " MF("") "}", "atr: missing" },
	{ "{\"format\": \"nidcard.card-image/1\", \"atr\": \"3B0\", " MF("") "}",
	  "atr: not hex" },
	{ "{\"format\": \"nidcard.card-image/1\", \"atr\": \"3C00\", " MF("")
	  "}", "TS 3B or 3F" },
	{ "{\"format\": \"nidcard.card-image/1\", \"atr\": \"3B"
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "00\", "
	  MF("") "}", "atr: 34 bytes" },
	{ HEAD "\"description\": \"x\"}", "files: missing" },
	{ HEAD "\"files\": {\"type\": \"DF\", \"fid\": \"3F00\"}}",
	  "the root must be the MF" },
	{ HEAD "\"files\": {\"type\": \"MF\", \"fid\": \"3F01\"}}", "files.fid" },
	{ HEAD "\"files\": {\"type\": \"XF\", \"fid\": \"3F00\"}}", "files.type" },
	{ HEAD MF("{\"type\": \"MF\", \"fid\": \"3F00\"}") "}",
	  "only the root is the MF" },
	{ HEAD MF("{\"type\": \"EF\", \"fid\": \"3FFF\", \"content\": \"a.bin\"}")
	  "}", "children[0].fid: 3FFF" },
	{ HEAD MF(EF("") "," EF("")) "}", "0101 used twice" },
	{ HEAD MF(EF(", \"sfi\": 31")) "}", "children[0].sfi: 31 out of range" },
	{ HEAD MF(EF(", \"sfi\": 2") ", {\"type\": \"EF\", \"fid\": \"0102\", "
	  "\"sfi\": 2, \"content\": \"a.bin\"}") "}", "SFI 2 used twice" },
	{ HEAD MF("{\"type\": \"EF\", \"fid\": \"0101\", \"content\": "
	  "\"missing.bin\"}") "}", "cannot read" },
	{ HEAD MF("{\"type\": \"EF\", \"fid\": \"0101\", \"content\": "
	  "\"../a.bin\"}") "}", "inside the image" },
	{ HEAD MF("{\"type\": \"EF\", \"fid\": \"0101\", \"content\": "
	  "\"/etc/passwd\"}") "}", "inside the image" },
	{ HEAD MF("{\"type\": \"EF\", \"fid\": \"0101\"}") "}",
	  "content: missing" },
	{ HEAD MF(EF(", \"children\": []")) "}", "unknown field \"children\"" },
	{ HEAD MF("{\"type\": \"DF\", \"fid\": \"5000\", \"aid\": \"A0000002\"}")
	  "}", "aid: 4 bytes" },
	{ HEAD MF("{\"type\": \"DF\", \"fid\": \"5000\", \"sfi\": 1}") "}",
	  "unknown field \"sfi\"" },
	{ HEAD MF("{\"type\": \"DF\", \"fid\": \"5000\", \"children\": 1}") "}",
	  "children: must be an array" },
	{ HEAD MF(EF(", \"read\": \"pin:81\"")) "}", "does not declare" },
	{ HEAD MF(EF(", \"read\": \"bogus\"")) "}", "unknown access condition" },
	{ HEAD MF(EF(", \"read\": \"never+sm\"")) "}", "cannot be combined" },
	{ HEAD MF(EF(", \"read\": \"pin:1FF\"")) "}", "one hex byte" },
	{ HEAD MF(EF(", \"read\": 1")) "}", "must be a string" },
	{ HEAD MF(EF(", \"life_cycle\": \"alive\"")) "}", "life_cycle" },
	{ HEAD "\"life_cycle\": 5, " MF("") "}", "life_cycle: must be one of" },
	{ HEAD "\"pins\": [{\"ref\": \"81\", \"value\": \"1234\", "
	  "\"max_tries\": 16}], " MF("") "}", "max_tries: 16 out of range" },
	{ HEAD "\"pins\": [{\"ref\": \"81\", \"value\": \"1234\"}], " MF("")
	  "}", "max_tries: missing" },
	{ HEAD PIN(", \"tries\": 4") MF("") "}", "tries: 4 out of range" },
	{ HEAD PIN(", \"tries\": 2, \"state\": \"blocked\"") MF("") "}",
	  "a blocked PIN has 0 tries" },
	{ HEAD PIN(", \"tries\": 0") MF("") "}", "set \"state\": \"blocked\"" },
	{ HEAD PIN(", \"state\": \"asleep\"") MF("") "}", "pins[0].state" },
	{ HEAD PIN(", \"pin\": 1") MF("") "}", "unknown field \"pin\"" },
	{ HEAD "\"pins\": [{\"ref\": \"81\", \"value\": \"1\", \"max_tries\": 3},"
	  "{\"ref\": \"81\", \"value\": \"2\", \"max_tries\": 3}], " MF("") "}",
	  "pins[1].ref: 81 used twice" },
	{ HEAD "\"pins\": [{\"ref\": \"E1\", \"value\": \"1\", \"max_tries\": 3}"
	  "], " MF("") "}", "bits 7-6" },
	{ HEAD "\"pins\": [{\"ref\": \"81\", \"value\": \"\", \"max_tries\": 3}"
	  "], " MF("") "}", "value: must be 1..64" },
	{ HEAD PIN(", \"pad_to\": 2") MF("") "}", "pad_to: 2 out of range" },
	{ HEAD "\"capabilities\": {\"max_le\": 70000}, " MF("") "}",
	  "capabilities.max_le: 70000" },
	{ HEAD "\"capabilities\": {\"extended_length\": false, \"max_le\": 300},"
	  " " MF("") "}", "capabilities.max_le: 300 out of range 1..256" },
	{ HEAD "\"capabilities\": {\"max_lc\": 0}, " MF("") "}",
	  "capabilities.max_lc" },
	{ HEAD "\"capabilities\": {\"t1\": true}, " MF("") "}",
	  "unknown field \"t1\"" },
	{ HEAD "\"faults\": {\"sloth\": 1}, " MF("") "}",
	  "unknown fault \"sloth\"" },
	{ HEAD "\"faults\": {\"t0\": 1}, " MF("") "}",
	  "faults.t0: must be true or false" },
	{ HEAD "\"faults\": {\"max-le\": true}, " MF("") "}",
	  "faults.max-le: must be an integer" },
	{ HEAD "\"data_objects\": [{\"tag\": \"3F\", \"value\": \"00\"}], "
	  MF("") "}", "not a 1- or 2-byte BER-TLV tag" },
	{ HEAD "\"data_objects\": [{\"tag\": \"5F52\"}], " MF("") "}",
	  "data_objects[0].value: missing" },
	{ HEAD "\"data_objects\": [{\"tag\": \"66\", \"value\": \"\"}, "
	  "{\"tag\": \"66\", \"value\": \"\"}], " MF("") "}", "used twice" },
};

START_TEST(image_validation)
{
	nid_sim_card *c = NULL;
	int rc;

	write_text("card.json", images[_i].json);
	rc = nid_sim_card_load(ctx, imgdir, &c);
	if (images[_i].msg == NULL) {
		ck_assert_msg(rc == NID_OK, "row %d: %s", _i,
		    nid_ctx_detail(ctx));
		ck_assert_ptr_nonnull(c);
	} else {
		ck_assert_msg(rc != NID_OK, "row %d loaded", _i);
		ck_assert_ptr_null(c);
		ck_assert_msg(strstr(nid_ctx_detail(ctx), images[_i].msg) !=
		    NULL, "row %d: got \"%s\", want \"%s\"", _i,
		    nid_ctx_detail(ctx), images[_i].msg);
	}
	nid_sim_card_free(&c);
}
END_TEST

/* The valid image above with its faults and access conditions at work. */
START_TEST(image_faults_and_sm_condition)
{
	static const struct nid_sim_sm_ops ops = { sm_unwrap, NULL, NULL };
	nid_buf r;

	teardown();
	write_text("card.json", images[1].json);
	open_image(imgdir);
	nid_buf_init(&r, 256);
	ck_assert(card->faults.t0);
	ck_assert_uint_eq(card->faults.max_le, 200);
	ck_assert_uint_eq(card->caps.max_le, 256);
	ck_assert_uint_eq(card->files[0].lcs, NID_SIM_LCS_INITIALISATION);
	ck_assert_uint_eq(tx(0, 0xB0, 0x81, 0, "", 4, 0, &r), 0x6982);
	ck_assert_uint_eq(tx(0, 0x20, 0, 0x81, "31323334", 0, 0, &r), 0x9000);
	/* PIN verified but the command is not under SM */
	ck_assert_uint_eq(tx(0, 0xB0, 0x81, 0, "", 4, 0, &r), 0x6982);
	nid_sim_set_sm(card, &ops, NULL);
	fault("t0=0");
	ck_assert_uint_eq(tx(0x0C, 0xB0, 0x81, 0, "", 5, 0, &r), 0x9000);
	tu_assert_hex(r.p, r.len, "DEADBEEF");
	fault("t0");
	/* life cycle initialisation in FCP tag 8A; T=0 case 2 with the
	 * wrong Le: 6Cxx, then the exact Le */
	ck_assert_uint_eq(tx(0, 0xA4, 0, 0x04, "", 256, 0, &r), 0x6C0C);
	ck_assert_uint_eq(tx(0, 0xA4, 0, 0x04, "", 12, 0, &r), 0x9000);
	tu_assert_hex(r.p, r.len, "620A82013883023F008A0103");
	nid_buf_clear(&r);
}
END_TEST

static void
img_setup(void)
{
	char path[128];
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(imgdir));
	(void)snprintf(path, sizeof(path), "%s/a.bin", imgdir);
	ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
	ck_assert_int_eq(fwrite("\xDE\xAD\xBE\xEF", 1, 4, fp), 4);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
}

static void
img_teardown(void)
{
	char path[128];

	teardown();
	(void)snprintf(path, sizeof(path), "%s/a.bin", imgdir);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/card.json", imgdir);
	(void)unlink(path);
	(void)rmdir(imgdir);
	memcpy(imgdir + strlen(imgdir) - 6, "XXXXXX", 6);
}

START_TEST(sample_image_files)
{
	/* The sample image's EFs equal their files (what `check` prints). */
	static const struct {
		uint16_t df, fid;
		const char *file;
		size_t len;
	} efs[] = {
		{ 0x3F00, 0x2F00, "ef/2F00.bin", 54 },
		{ 0x5000, 0x0101, "ef/5000-0101.bin", 16 },
		{ 0x5000, 0x0102, "ef/5000-0102.bin", 300 },
		{ 0x5000, 0x0103, "ef/5000-0103.bin", 34000 },
		{ 0x5000, 0x0104, "ef/5000-0104.bin", 64 },
		{ 0x5000, 0x0105, "ef/5000-0105.bin", 8 },
		{ 0x5000, 0x0106, "ef/5000-0106.bin", 0 },
		{ 0x5100, 0x0101, "ef/5100-0101.bin", 5 },
	};
	size_t i, j;
	int df, ef;
	char path[256];
	nid_buf b;

	ck_assert_uint_eq(card->nfiles, 11);
	ck_assert_uint_eq(card->npins, 3);
	for (i = 0; i < NID_NELEM(efs); i++) {
		df = -1;
		for (j = 0; j < card->nfiles; j++)
			if (card->files[j].fid == efs[i].df &&
			    card->files[j].type != NID_SIM_EF)
				df = (int)j;
		ck_assert_int_ge(df, 0);
		ck_assert_int_ge(ef = nid_sim_file_find(card, df, efs[i].fid), 0);
		(void)snprintf(path, sizeof(path), "%s/%s", PLAIN, efs[i].file);
		read_file(path, &b);
		ck_assert_uint_eq(b.len, efs[i].len);
		ck_assert_uint_eq(card->files[ef].len, efs[i].len);
		ck_assert(b.len == 0 || memcmp(b.p, card->files[ef].data,
		    b.len) == 0);
		nid_buf_clear(&b);
	}
}
END_TEST

static Suite *
sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("engine");
	TCase *ti = tcase_create("image");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, select_forms);
	tcase_add_test(tc, read_binary_forms);
	tcase_add_test(tc, read_big_file);
	tcase_add_test(tc, get_challenge);
	tcase_add_test(tc, get_data);
	tcase_add_test(tc, verify_counters);
	tcase_add_loop_test(tc, refusal_table, 0, (int)NID_NELEM(refusals));
	tcase_add_test(tc, transport_atr_reset);
	tcase_add_test(tc, fault_t0);
	tcase_add_test(tc, fault_t0_card_transmit);
	tcase_add_test(tc, fault_no_extended_max_le);
	tcase_add_test(tc, fault_slow_and_delay);
	tcase_add_test(tc, fault_mute_and_remove);
	tcase_add_test(tc, fault_malformed);
	tcase_add_loop_test(tc, fault_spec_errors, 0, (int)NID_NELEM(bad_faults));
	tcase_add_test(tc, state_file);
	tcase_add_test(tc, hooks);
	tcase_add_test(tc, sample_image_files);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(ti, img_setup, img_teardown);
	tcase_add_loop_test(ti, image_validation, 0, (int)NID_NELEM(images));
	tcase_add_test(ti, image_faults_and_sm_condition);
	suite_add_tcase(s, ti);
	return s;
}

int
main(void)
{
	return tu_run(sim_suite());
}
