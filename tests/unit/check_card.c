/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_card.c — status words (sw.c), the transmit routine (card.c) and
 * the replay transport (replay.c). Every card exchange runs over a
 * replay script, so each command byte the routine sends is checked.
 *
 * Sources: ISO/IEC 7816-4:2020 §5.1 (APDU cases, table 1 and 2 of the
 * short and extended forms), §5.1.1.1 (command chaining, CLA b5), §5.6
 * tables 5 and 6 (status words), §11.5.5 (GET RESPONSE). Expected
 * command bytes are written out by hand from those clauses, not produced
 * by nid_apdu_encode.
 */
#include "config.h"

#include "testutil.h"

#include "card.h"
#include "replay.h"
#include "sw.h"

/* ---- status words ----------------------------------------------------- */

/* ISO/IEC 7816-4:2020 §5.6 table 6 (text: a substring of ours). */
static const struct {
	uint16_t sw;
	int rc;
	const char *text;
} sw_vec[] = {
	{ 0x9000, NID_OK, "normal processing" },
	{ 0x6110, NID_E_SW, "16 bytes still available" },
	{ 0x6101, NID_E_SW, "1 byte still available" },
	{ 0x6100, NID_E_SW, "256 bytes still available" },
	{ 0x6c08, NID_E_WRONG_LENGTH, "wrong Le field: 8 bytes available" },
	{ 0x6c00, NID_E_WRONG_LENGTH, "256 bytes available" },
	{ 0x63c2, NID_E_VERIFY_FAILED, "verification failed, 2 tries left" },
	{ 0x63c1, NID_E_VERIFY_FAILED, "1 try left" },
	{ 0x63c0, NID_E_VERIFY_FAILED, "0 tries left" },
	{ 0x6300, NID_E_VERIFY_FAILED, "no information given" },
	{ 0x6281, NID_E_SW, "may be corrupted" },
	{ 0x6282, NID_E_SW, "end of file or record reached" },
	{ 0x6283, NID_E_SW, "selected file deactivated" },
	{ 0x6581, NID_E_SW, "memory failure" },
	{ 0x6700, NID_E_WRONG_LENGTH, "wrong length" },
	{ 0x6881, NID_E_CLA_NOT_SUPPORTED, "logical channel not supported" },
	{ 0x6882, NID_E_CLA_NOT_SUPPORTED, "secure messaging not supported" },
	{ 0x6884, NID_E_CLA_NOT_SUPPORTED, "command chaining not supported" },
	{ 0x6982, NID_E_SECURITY_STATUS, "security status not satisfied" },
	{ 0x6983, NID_E_AUTH_BLOCKED, "authentication method blocked" },
	{ 0x6984, NID_E_CONDITIONS, "reference data not usable" },
	{ 0x6985, NID_E_CONDITIONS, "conditions of use not satisfied" },
	{ 0x6986, NID_E_CONDITIONS, "no current EF" },
	{ 0x6987, NID_E_SM_STATE, "secure messaging data objects missing" },
	{ 0x6988, NID_E_SM_STATE, "incorrect secure messaging data objects" },
	{ 0x6a80, NID_E_WRONG_PARAMS, "incorrect parameters in the command data field" },
	{ 0x6a81, NID_E_WRONG_PARAMS, "function not supported" },
	{ 0x6a82, NID_E_FILE_NOT_FOUND, "file or application not found" },
	{ 0x6a83, NID_E_FILE_NOT_FOUND, "record not found" },
	{ 0x6a86, NID_E_WRONG_PARAMS, "incorrect parameters P1-P2" },
	{ 0x6a87, NID_E_WRONG_LENGTH, "Nc inconsistent with parameters P1-P2" },
	{ 0x6a88, NID_E_WRONG_PARAMS, "reference data not found" },
	{ 0x6b00, NID_E_WRONG_PARAMS, "wrong parameters P1-P2" },
	{ 0x6d00, NID_E_INS_NOT_SUPPORTED, "instruction code not supported" },
	{ 0x6e00, NID_E_CLA_NOT_SUPPORTED, "class not supported" },
	{ 0x6f00, NID_E_SW, "no precise diagnosis" },
	/* Table 5: values table 6 does not list fall back to their class. */
	{ 0x6a99, NID_E_WRONG_PARAMS, "wrong parameters P1-P2" },
	{ 0x6999, NID_E_SW, "command not allowed" },
	{ 0x6f12, NID_E_SW, "no precise diagnosis" },
	{ 0x6212, NID_E_SW, "warning (memory unchanged)" },
	{ 0x6401, NID_E_SW, "immediate response required" },
	{ 0x9123, NID_E_SW, "proprietary" },
	/* Not a status word of ISO/IEC 7816-4 at all. */
	{ 0x1234, NID_E_SW, "unknown status word" },
	{ 0x6000, NID_E_SW, "unknown status word" },
};

START_TEST(sw_table)
{
	char buf[NID_SW_TEXT_MAX];
	const char *t;

	t = nid_sw_text(sw_vec[_i].sw, buf, sizeof(buf));
	ck_assert_ptr_nonnull(t);
	ck_assert_msg(strstr(t, sw_vec[_i].text) != NULL,
	    "%04X: text '%s' lacks '%s'", sw_vec[_i].sw, t, sw_vec[_i].text);
	ck_assert_msg(nid_sw_to_rc(sw_vec[_i].sw) == sw_vec[_i].rc,
	    "%04X: rc %s, want %s", sw_vec[_i].sw,
	    nid_strerror_name(nid_sw_to_rc(sw_vec[_i].sw)),
	    nid_strerror_name(sw_vec[_i].rc));
}
END_TEST

START_TEST(sw_text_buffers)
{
	char small[8];

	/* No buffer: the generic text of the SW2-dependent cases. */
	ck_assert_ptr_nonnull(strstr(nid_sw_text(0x6110, NULL, 0),
	    "SW2 bytes still available"));
	ck_assert_ptr_nonnull(strstr(nid_sw_text(0x63c3, NULL, 0),
	    "verification failed"));
	/* A short buffer truncates, NUL-terminated. */
	ck_assert_str_eq(nid_sw_text(0x6110, small, sizeof(small)), "normal ");
	/* Retry counter. */
	ck_assert_int_eq(nid_sw_tries(0x63c3), 3);
	ck_assert_int_eq(nid_sw_tries(0x63cf), 15);
	ck_assert_int_eq(nid_sw_tries(0x6300), -1);
	ck_assert_int_eq(nid_sw_tries(0x9000), -1);
	/* Every value has a text and an rc; only 9000 is NID_OK. */
	{
		unsigned v;
		char b[NID_SW_TEXT_MAX];

		for (v = 0; v <= 0xffff; v++) {
			ck_assert_ptr_nonnull(nid_sw_text((uint16_t)v, b,
			    sizeof(b)));
			ck_assert(strlen(nid_sw_text((uint16_t)v, b,
			    sizeof(b))) < sizeof(b) - 1);
			if (v != 0x9000)
				ck_assert_int_ne(nid_sw_to_rc((uint16_t)v),
				    NID_OK);
		}
	}
	ck_assert_int_eq(nid_sw_to_rc(0x9000), NID_OK);
}
END_TEST

/* ---- fixture: a context, a replay script and a card on it ------------- */

static nid_ctx_t *ctx;
static nid_transport_t *tr;
static nid_card_t *card;
static nid_buf data;

static void
setup(void)
{
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_replay_new(ctx, &tr), NID_OK);
	ck_assert_int_eq(nid_card_new(tr, &card), NID_OK);
	nid_buf_init(&data, NID_BUF_MAX_DEFAULT);
}

static void
teardown(void)
{
	nid_buf_clear(&data);
	nid_card_free(&card);
	ck_assert_ptr_null(card);
	nid_transport_free(&tr);
	nid_ctx_free(&ctx);
}

static void
step(const char *cmd, const char *rsp)
{
	ck_assert_int_eq(nid_replay_add_hex(tr, cmd, rsp, NID_OK), NID_OK);
}

static void
step_err(const char *cmd, int rc)
{
	ck_assert_int_eq(nid_replay_add_hex(tr, cmd, NULL, rc), NID_OK);
}

/* Transmit a logical APDU given as hex (decoded: the APDU's fields). */
static int
xmit_hex(const char *apdu_hex, uint16_t *sw)
{
	nid_buf b = tu_hex(apdu_hex);
	nid_apdu a;
	int rc;

	ck_assert_int_eq(nid_apdu_decode(b.p, b.len, &a, NULL), NID_OK);
	rc = nid_card_transmit(card, &a, &data, sw);
	nid_buf_clear(&b);
	return rc;
}

/* ---- plain exchange ------------------------------------------------- */

START_TEST(plain_exchange)
{
	uint16_t sw = 0xffff;

	step("00A4020C02011E", "9000");
	step("00B0000004", "01020304 9000");
	step("00B0000400", "6282");
	ck_assert_int_eq(xmit_hex("00A4020C02011E", &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(data.len, 0);
	ck_assert_int_eq(xmit_hex("00B0000004", &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	tu_assert_hex(data.p, data.len, "01020304");
	/* An error status word is NID_OK with the SW: the caller decides. */
	ck_assert_int_eq(xmit_hex("00B0000400", &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x6282);
	ck_assert_uint_eq(card->sw_first, 0x6282);
	ck_assert_uint_eq(card->sw_last, 0x6282);
	ck_assert_uint_eq(data.len, 0);
	ck_assert_uint_eq(nid_replay_pos(tr), 3);
	ck_assert_uint_eq(tr->apdus, 3);
	ck_assert_uint_eq(card->commands, 3);
	ck_assert_uint_eq(card->get_responses, 0);
}
END_TEST

/* ---- 61xx ---------------------------------------------------------------- */

START_TEST(getresp_single)
{
	uint16_t sw = 0;

	/* T=0 style: no data with 61xx (ISO/IEC 7816-4 §5.6, §11.5.5). */
	step("0084000008", "6108");
	step("00C0000008", "1122334455667788 9000");
	ck_assert_int_eq(xmit_hex("0084000008", &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(card->sw_first, 0x6108);
	ck_assert_uint_eq(card->sw_last, 0x9000);
	tu_assert_hex(data.p, data.len, "1122334455667788");
	ck_assert_uint_eq(card->get_responses, 1);
}
END_TEST

START_TEST(getresp_repeated)
{
	uint16_t sw = 0;

	/* Data with each 61xx (T=1 cards), 6100 = 256 more, then a final
	 * warning status word that is passed on as is. */
	step("00B0000000", "AAAA 6100");
	step("00C0000000", "BBBB 6103");
	step("00C0000003", "CCCCCC 6282");
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x6282);
	tu_assert_hex(data.p, data.len, "AAAABBBBCCCCCC");
	ck_assert_uint_eq(card->get_responses, 2);
	ck_assert_uint_eq(nid_replay_pos(tr), 3);
}
END_TEST

START_TEST(getresp_channel_cla)
{
	uint16_t sw = 0;

	/* Logical channel 1 (CLA b1-b2, §5.4.1): GET RESPONSE on channel 1;
	 * SM bits (0C) are not carried; further interindustry class 0x41
	 * keeps its channel nibble. */
	step("01B0000000", "6102");
	step("01C0000002", "0102 9000");
	step("0DB0000000", "6102");
	step("01C0000002", "0102 9000");
	step("41B0000000", "6101");
	step("41C0000001", "01 9000");
	ck_assert_int_eq(xmit_hex("01B0000000", &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_int_eq(xmit_hex("0DB0000000", &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_int_eq(xmit_hex("41B0000000", &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
}
END_TEST

START_TEST(getresp_endless)
{
	uint16_t sw = 0xffff;
	unsigned i;

	/* A card that answers 61xx for ever is stopped after the cap. */
	step("00B0000000", "6101");
	for (i = 0; i < NID_CARD_GETRESP_MAX_ITER; i++)
		step("00C0000001", "00 6101");
	step(NULL, "9000"); /* never reached */
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_E_CARD_PROTOCOL);
	ck_assert_uint_eq(sw, 0);
	ck_assert_uint_eq(data.len, 0);
	ck_assert_uint_eq(nid_replay_pos(tr), NID_CARD_GETRESP_MAX_ITER + 1);
	ck_assert_ptr_nonnull(strstr(nid_ctx_detail(ctx), "61xx"));
}
END_TEST

START_TEST(getresp_too_much_data)
{
	uint16_t sw = 0xffff;
	char *big;
	unsigned i;

	/* 256 responses of 256 bytes reach the 65536-byte cap; one more
	 * byte is a protocol break, before the GET RESPONSE cap. */
	big = malloc(2 * 256 + 5);
	ck_assert_ptr_nonnull(big);
	memset(big, 'A', 2 * 256);
	memcpy(big + 2 * 256, "6100", 5);
	step("00B0000000", big);
	for (i = 1; i < 256; i++)
		step("00C0000000", big);
	step("00C0000000", "00 9000");
	free(big);
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_E_CARD_PROTOCOL);
	ck_assert_uint_eq(nid_replay_pos(tr), 257);
	ck_assert_uint_eq(data.len, 0);
}
END_TEST

START_TEST(getresp_buffer_cap)
{
	uint16_t sw = 0;

	/* The caller's buffer cap bounds the data. */
	nid_buf_clear(&data);
	nid_buf_init(&data, 4);
	step("00B0000000", "0102 6103");
	step("00C0000003", "030405 9000");
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_E_TOO_LARGE);
	ck_assert_uint_eq(data.len, 0);
}
END_TEST

/* ---- 6Cxx --------------------------------------------------------------- */

START_TEST(wrong_le_good)
{
	uint16_t sw = 0;
	nid_buf cmd;

	step("00B0000000", "6C05");
	step("00B0000005", "0102030405 9000");
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(card->sw_first, 0x6c05);
	tu_assert_hex(data.p, data.len, "0102030405");
	ck_assert_uint_eq(card->le_retries, 1);
	/* 6C00 = 256; then 61xx after the retry is followed as well. */
	step("00CA010110", "6C00");
	step("00CA010100", "AA 6101");
	step("00C0000001", "BB 9000");
	ck_assert_int_eq(xmit_hex("00CA010110", &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	tu_assert_hex(data.p, data.len, "AABB");
	/* Case 4: the body is sent again unchanged with the new Le. */
	step("0088000004AABBCCDD00", "6C02");
	step("0088000004AABBCCDD02", "EEFF 9000");
	ck_assert_int_eq(xmit_hex("0088000004AABBCCDD00", &sw), NID_OK);
	tu_assert_hex(data.p, data.len, "EEFF");
	/* Bytes in the extended form are retried in the extended form. */
	cmd = tu_hex("00B00000000000");
	step("00B00000000000", "6C10");
	step("00B00000000010", "00112233445566778899AABBCCDDEEFF 9000");
	ck_assert_int_eq(nid_card_transmit_bytes(card, cmd.p, cmd.len, &data,
	    &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(data.len, 16);
	nid_buf_clear(&cmd);
	ck_assert_uint_eq(nid_replay_pos(tr), nid_replay_len(tr));
}
END_TEST

START_TEST(wrong_le_bad)
{
	uint16_t sw = 0xffff;

	/* A second 6Cxx after the retry. */
	step("00B0000000", "6C05");
	step("00B0000005", "6C04");
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_E_CARD_PROTOCOL);
	ck_assert_uint_eq(sw, 0);
	/* 6C00 to a case-1 command (no Le to correct). */
	step("00A40000", "6C00");
	ck_assert_int_eq(xmit_hex("00A40000", &sw), NID_E_CARD_PROTOCOL);
	/* 6Cxx to a case-3 command. */
	step("00220C0003830101", "6C08");
	ck_assert_int_eq(xmit_hex("00220C0003830101", &sw),
	    NID_E_CARD_PROTOCOL);
	/* 6Cxx naming the very Le sent (a retry would loop). */
	step("00B0000008", "6C08");
	ck_assert_int_eq(xmit_hex("00B0000008", &sw), NID_E_CARD_PROTOCOL);
	step("00B0000000", "6C00");
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_E_CARD_PROTOCOL);
	ck_assert_uint_eq(nid_replay_pos(tr), nid_replay_len(tr));
	ck_assert_uint_eq(data.len, 0);
}
END_TEST

/* ---- chaining and the choice of form ---------------------------------- */

/* The hex of n bytes 00 01 02 … (mod 256) starting at `from`. */
static char *
seq_hex(size_t from, size_t n)
{
	char *h = malloc(2 * n + 1);
	size_t i;

	ck_assert_ptr_nonnull(h);
	for (i = 0; i < n; i++)
		snprintf(h + 2 * i, 3, "%02X", (unsigned)((from + i) & 0xff));
	return h;
}

static uint8_t seq[70000];

static void
fill_seq(void)
{
	size_t i;

	for (i = 0; i < sizeof(seq); i++)
		seq[i] = (uint8_t)(i & 0xff);
}

/* Expected command: header hex, then the length fields and data. */
static void
step_cmd(const char *hdr, const char *lc, size_t from, size_t n,
    const char *le, const char *rsp)
{
	char *d = seq_hex(from, n);
	size_t sz = strlen(hdr) + strlen(lc) + strlen(d) + strlen(le) + 1;
	char *c = malloc(sz);

	ck_assert_ptr_nonnull(c);
	snprintf(c, sz, "%s%s%s%s", hdr, lc, d, le);
	step(c, rsp);
	free(c);
	free(d);
}

START_TEST(chaining_short)
{
	nid_apdu a = { 0x00, 0x2a, 0x00, 0xa8, seq, 600, 256 };
	uint16_t sw = 0;

	/* §5.1.1.1: 600 bytes in short links of 255: CLA 10, 10, 00; Le
	 * only on the last link. */
	fill_seq();
	step_cmd("102A00A8", "FF", 0, 255, "", "9000");
	step_cmd("102A00A8", "FF", 255, 255, "", "9000");
	step_cmd("002A00A8", "5A", 510, 90, "00", "CAFE 9000");
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	tu_assert_hex(data.p, data.len, "CAFE");
	ck_assert_uint_eq(card->chained, 2);
	ck_assert_uint_eq(nid_replay_pos(tr), 3);
}
END_TEST

START_TEST(chaining_reader_limit)
{
	nid_apdu a = { 0x0c, 0xda, 0x01, 0x02, seq, 250, 0 };
	uint16_t sw = 0;

	/* A reader that takes 100 bytes per command; SM class 0C → 1C. */
	fill_seq();
	card->caps.max_nc = 100;
	step_cmd("1CDA0102", "64", 0, 100, "", "9000");
	step_cmd("1CDA0102", "64", 100, 100, "", "9000");
	step_cmd("0CDA0102", "32", 200, 50, "", "9000");
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	/* Exactly max_nc bytes: no chaining. */
	a.nc = 100;
	step_cmd("0CDA0102", "64", 0, 100, "", "9000");
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw), NID_OK);
	ck_assert_uint_eq(card->chained, 2);
	ck_assert_uint_eq(nid_replay_pos(tr), 4);
}
END_TEST

START_TEST(chaining_card_stops)
{
	nid_apdu a = { 0x00, 0xdb, 0x3f, 0xff, seq, 600, 0 };
	uint16_t sw = 0;

	/* The card refuses the second link: that SW ends the chain. */
	fill_seq();
	step_cmd("10DB3FFF", "FF", 0, 255, "", "9000");
	step_cmd("10DB3FFF", "FF", 255, 255, "", "6884");
	step(NULL, "9000"); /* the third link is never sent */
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x6884);
	ck_assert_uint_eq(card->sw_last, 0x6884);
	ck_assert_uint_eq(nid_replay_pos(tr), 2);
}
END_TEST

START_TEST(chaining_refused)
{
	nid_apdu a = { 0x00, 0xdb, 0x3f, 0xff, seq, 300, 0 };
	uint16_t sw = 0;

	/* Nothing is sent for a chain that cannot be built. */
	card->caps.chaining = 0;
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw),
	    NID_E_UNSUPPORTED);
	card->caps.chaining = 1;
	a.cla = 0x80; /* proprietary class: b5 means something else */
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw),
	    NID_E_INVALID_ARG);
	a.cla = 0x10; /* the caller chains itself */
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw),
	    NID_E_INVALID_ARG);
	/* Nc over 65535 or data missing. */
	a.cla = 0x00;
	a.nc = 65536;
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw),
	    NID_E_INVALID_ARG);
	a.nc = 3;
	a.data = NULL;
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw),
	    NID_E_INVALID_ARG);
	/* Capabilities that make no sense. */
	a.data = seq;
	card->caps.max_nc = 0;
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw),
	    NID_E_INVALID_ARG);
	card->caps.max_nc = 300; /* short caps above 255 */
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw),
	    NID_E_INVALID_ARG);
	ck_assert_uint_eq(nid_replay_pos(tr), 0);
	ck_assert_uint_eq(tr->apdus, 0);
}
END_TEST

START_TEST(extended_by_caps)
{
	nid_apdu a = { 0x00, 0xda, 0x01, 0x02, seq, 600, 0 };
	nid_apdu r = { 0x00, 0xb0, 0x00, 0x00, NULL, 0, 1000 };
	uint16_t sw = 0;

	fill_seq();
	card->caps.extended = 1;
	card->caps.max_nc = NID_NC_EXT_MAX;
	card->caps.max_ne = NID_NE_EXT_MAX;
	/* Case 3E: 00 Lc1 Lc2 (§5.1, table 2). */
	step_cmd("00DA0102", "000258", 0, 600, "", "9000");
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw), NID_OK);
	/* Case 2E: 00 Le1 Le2. */
	step("00B00000 0003E8", "9000");
	ck_assert_int_eq(nid_card_transmit(card, &r, &data, &sw), NID_OK);
	/* Case 2E, Ne 65536 = 0000. */
	r.ne = 65536;
	step("00B00000 000000", "9000");
	ck_assert_int_eq(nid_card_transmit(card, &r, &data, &sw), NID_OK);
	/* What fits short goes short even with extended caps. */
	r.ne = 256;
	step("00B0000000", "9000");
	ck_assert_int_eq(nid_card_transmit(card, &r, &data, &sw), NID_OK);
	/* Ne above the card's maximum is lowered to it. */
	card->caps.max_ne = 1000;
	r.ne = 65536;
	step("00B00000 0003E8", "9000");
	ck_assert_int_eq(nid_card_transmit(card, &r, &data, &sw), NID_OK);
	/* Extended links when Nc exceeds even the extended maximum. */
	card->caps.max_nc = 300;
	step_cmd("10DA0102", "00012C", 0, 300, "", "9000");
	step_cmd("00DA0102", "00012C", 300, 300, "", "9000");
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw), NID_OK);
	/* Short caps: Ne 1000 → Le 00 (256), Nc 600 → chaining. */
	card->caps.extended = 0;
	card->caps.max_nc = NID_NC_SHORT_MAX;
	card->caps.max_ne = NID_NE_SHORT_MAX;
	r.ne = 1000;
	step("00B0000000", "9000");
	ck_assert_int_eq(nid_card_transmit(card, &r, &data, &sw), NID_OK);
	ck_assert_uint_eq(nid_replay_pos(tr), nid_replay_len(tr));
	ck_assert_uint_eq(card->chained, 1);
}
END_TEST

START_TEST(chaining_with_getresp)
{
	nid_apdu a = { 0x00, 0x2a, 0x9e, 0x9a, seq, 300, 256 };
	uint16_t sw = 0;

	/* The last link's 61xx is followed (PSO: COMPUTE DIGITAL SIGNATURE
	 * with a long input, the T=0 way). */
	fill_seq();
	step_cmd("102A9E9A", "FF", 0, 255, "", "9000");
	step_cmd("002A9E9A", "2D", 255, 45, "00", "6104");
	step("00C0000004", "DEADBEEF 9000");
	ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	tu_assert_hex(data.p, data.len, "DEADBEEF");
}
END_TEST

/* ---- transport errors and the replay transport ----------------------- */

START_TEST(transport_errors)
{
	uint16_t sw = 0xffff;

	/* An error of the transport comes back as is. */
	step_err("00B0000000", NID_E_CARD_REMOVED);
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_E_CARD_REMOVED);
	ck_assert_uint_eq(sw, 0);
	/* … also in the middle of GET RESPONSE; partial data dropped. */
	step("00B0000000", "0102 6102");
	step_err("00C0000002", NID_E_CARD_RESET);
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_E_CARD_RESET);
	ck_assert_uint_eq(data.len, 0);
	/* … and in a chain. */
	{
		nid_apdu a = { 0x00, 0xda, 0x01, 0x02, seq, 300, 0 };

		step(NULL, "9000");
		step_err(NULL, NID_E_TIMEOUT);
		ck_assert_int_eq(nid_card_transmit(card, &a, &data, &sw),
		    NID_E_TIMEOUT);
	}
	/* A response without a status word. */
	step("00B0000000", "90");
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_E_CARD_PROTOCOL);
	step("00B0000000", "");
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_E_CARD_PROTOCOL);
	/* Past the end of the script: the card is gone. */
	ck_assert_int_eq(xmit_hex("00B0000000", &sw), NID_E_CARD_REMOVED);
}
END_TEST

START_TEST(replay_mismatch)
{
	uint16_t sw = 0;
	uint8_t atr[33];
	size_t atr_len = sizeof(atr);
	nid_buf b;

	step("00A4040C07A0000002471001", "9000");
	step("00B0000004", "01020304 9000");
	ck_assert_int_eq(xmit_hex("00A4040C07A0000002471001", &sw), NID_OK);
	ck_assert_int_eq(xmit_hex("00B0000008", &sw), NID_E_INTERNAL);
	ck_assert_msg(strstr(nid_ctx_detail(ctx), "step 2") != NULL,
	    "detail: %s", nid_ctx_detail(ctx));
	ck_assert_ptr_nonnull(strstr(nid_ctx_detail(ctx), "00B0000008"));
	ck_assert_ptr_nonnull(strstr(nid_ctx_detail(ctx), "00B0000004"));
	ck_assert_uint_eq(nid_replay_pos(tr), 1); /* the step stays */
	ck_assert_int_eq(xmit_hex("00B0000004", &sw), NID_OK);
	/* The other operations. */
	ck_assert_int_eq(nid_transport_get_atr(tr, atr, &atr_len),
	    NID_E_NO_CARD);
	b = tu_hex("3B8880014A434F503234315A");
	ck_assert_int_eq(nid_replay_set_atr(tr, b.p, b.len), NID_OK);
	atr_len = sizeof(atr);
	ck_assert_int_eq(nid_transport_get_atr(tr, atr, &atr_len), NID_OK);
	tu_assert_hex(atr, atr_len, "3B8880014A434F503234315A");
	nid_buf_clear(&b);
	ck_assert_int_eq(nid_transport_begin(tr), NID_OK);
	ck_assert_int_eq(nid_transport_end(tr), NID_OK);
	ck_assert_int_eq(nid_transport_reset(tr), NID_OK);
	ck_assert_uint_eq(nid_replay_begins(tr), 1);
	ck_assert_uint_eq(nid_replay_ends(tr), 1);
	ck_assert_uint_eq(nid_replay_resets(tr), 1);
	/* Bad steps are refused. */
	ck_assert_int_eq(nid_replay_add_hex(tr, "00B0", "9000", NID_OK),
	    NID_E_INVALID_ARG);
	ck_assert_int_eq(nid_replay_add_hex(tr, "0G", "9000", NID_OK),
	    NID_E_BAD_HEX);
	ck_assert_uint_eq(nid_replay_len(NULL), 0);
}
END_TEST

START_TEST(transmit_bytes_exact)
{
	uint16_t sw = 0;
	nid_buf cmd;
	static const char *bad[] = {
		"00B000",            /* shorter than a header */
		"00B00000 05 0102",  /* Lc 5, two bytes */
		"00B00000 0000",     /* extended marker without Le */
		"00B00000 00 0000 01", /* extended Lc 0 */
	};
	size_t i;

	/* Case 2E for Ne 255: sent as typed, not re-encoded short. */
	cmd = tu_hex("00B00000 0000FF");
	step("00B000000000FF", "0102 9000");
	ck_assert_int_eq(nid_card_transmit_bytes(card, cmd.p, cmd.len, &data,
	    &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	tu_assert_hex(data.p, data.len, "0102");
	nid_buf_clear(&cmd);
	for (i = 0; i < NID_NELEM(bad); i++) {
		cmd = tu_hex(bad[i]);
		ck_assert_msg(nid_card_transmit_bytes(card, cmd.p, cmd.len,
		    &data, &sw) == NID_E_MALFORMED, "%s", bad[i]);
		nid_buf_clear(&cmd);
	}
	ck_assert_uint_eq(tr->apdus, 1);
}
END_TEST

/* Truncation loop: every prefix of a 61xx answer is handled without a
 * crash, and the ones without two bytes are protocol breaks. */
START_TEST(truncated_responses)
{
	static const char full[] = "01020304 9000";
	nid_buf f = tu_hex(full);
	size_t cut;
	uint16_t sw;
	int rc;

	for (cut = 0; cut <= f.len; cut++) {
		ck_assert_int_eq(nid_replay_add(tr, NULL, 0, f.p, cut, NID_OK),
		    NID_OK);
		rc = xmit_hex("00B0000000", &sw);
		if (cut < 2)
			ck_assert_int_eq(rc, NID_E_CARD_PROTOCOL);
		else {
			ck_assert_int_eq(rc, NID_OK);
			ck_assert_uint_eq(data.len, cut - 2);
		}
	}
	nid_buf_clear(&f);
}
END_TEST

static Suite *
card_suite(void)
{
	Suite *s = suite_create("card");
	TCase *tc;

	tc = tcase_create("sw");
	tcase_add_loop_test(tc, sw_table, 0, (int)NID_NELEM(sw_vec));
	tcase_add_test(tc, sw_text_buffers);
	suite_add_tcase(s, tc);

	tc = tcase_create("transmit");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, plain_exchange);
	tcase_add_test(tc, getresp_single);
	tcase_add_test(tc, getresp_repeated);
	tcase_add_test(tc, getresp_channel_cla);
	tcase_add_test(tc, getresp_endless);
	tcase_add_test(tc, getresp_too_much_data);
	tcase_add_test(tc, getresp_buffer_cap);
	tcase_add_test(tc, wrong_le_good);
	tcase_add_test(tc, wrong_le_bad);
	tcase_add_test(tc, chaining_short);
	tcase_add_test(tc, chaining_reader_limit);
	tcase_add_test(tc, chaining_card_stops);
	tcase_add_test(tc, chaining_refused);
	tcase_add_test(tc, extended_by_caps);
	tcase_add_test(tc, chaining_with_getresp);
	tcase_add_test(tc, transport_errors);
	tcase_add_test(tc, replay_mismatch);
	tcase_add_test(tc, transmit_bytes_exact);
	tcase_add_test(tc, truncated_responses);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(card_suite());
}
