/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_sim_icao.c — the eMRTD application of the virtual card
 * (src/sim/sim_icao.c) driven by the library's own terminal side over the
 * in-process transport: nid_bac_run, nid_pace_run, nid_sm_transport_new,
 * nid_card_transmit. And `nidcard-sim issue` (src/sim/sim_issue.c).
 *
 * Sample images (written by `nidcard-sim issue`, docs/card-image.md):
 *  - tests/data/cards/icao-bac: TD3, BAC only, the ICAO 9303-11 Appendix D
 *    holder: MRZ_information "L898902C<369080619406236" (Appendix D.2);
 *  - tests/data/cards/icao-pace: TD1, PACE (brainpoolP256r1, CAN 123456,
 *    MRZ) and BAC; MRZ_information "T22000129364081253110315" (from its
 *    MRZ lines, check digits per ICAO 9303-3 §4.9).
 * Other domain parameters (P-256, DH parameterId 0) are issued into a
 * temporary folder from tests/data/persons/utopia-id.json.
 *
 * Expected status words: ICAO 9303-11 §4.3.4 (BAC: 6300 for a failed
 * authentication), §4.4.4 (PACE), §9.8.6 (SM: 6987 / 6988, session
 * dropped), ISO/IEC 7816-4 §5.6.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "testutil.h"
#include "testpki.h"
#include "bac.h"
#include "card.h"
#include "lds.h"
#include "mrz.h"
#include "pace.h"
#include "secinfo.h"
#include "sim.h"
#include "sim_icao.h"
#include "sm.h"
#include "sod.h"

#define CARDS NID_SRCDIR "/tests/data/cards"
#define BACCARD CARDS "/icao-bac"
#define PACECARD CARDS "/icao-pace"
#define PERSON_ID NID_SRCDIR "/tests/data/persons/utopia-id.json"
#define PERSON_D NID_SRCDIR "/tests/data/persons/icao-appendix-d.json"
/* ICAO 9303-11 Appendix D.2: MRZ_information of the worked example. */
#define MRZ_D "L898902C<369080619406236"
/* The icao-pace card: T22000129 3, 640812 5, 311031 5. */
#define MRZ_ID "T22000129364081253110315"
#define CAN_ID "123456"
#define AID "A0000002471001"

static nid_ctx_t *ctx;
static nid_sim_card *sim;
static nid_transport_t *tr, *smt;
static nid_card_t *card, *scard;
static char tmpdir[256];

static void
open_image(const char *dir)
{
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_msg(nid_sim_card_load(ctx, dir, &sim) == NID_OK,
	    "load %s: %s", dir, nid_ctx_detail(ctx));
	nid_sim_card_set_seed(sim, 7);
	ck_assert_int_eq(nid_sim_transport_open(ctx, sim, &tr), NID_OK);
	ck_assert_int_eq(nid_card_new(tr, &card), NID_OK);
}

static void
teardown(void)
{
	nid_card_free(&scard);
	nid_transport_free(&smt);
	nid_card_free(&card);
	nid_transport_free(&tr);
	nid_sim_card_free(&sim);
	nid_ctx_free(&ctx);
}

static void
rm_image(const char *dir)
{
	static const char *const files[] = { "card.json", "ef/011C.bin",
		"ef/011E.bin", "ef/011D.bin", "ef/0101.bin", "ef/0102.bin",
		"ef/010B.bin", NULL };
	char path[512];
	size_t i;

	for (i = 0; files[i] != NULL; i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		(void)unlink(path);
	}
	(void)snprintf(path, sizeof(path), "%s/ef", dir);
	(void)rmdir(path);
	(void)rmdir(dir);
}

static void
tmp_setup(void)
{
	const char *t = getenv("TMPDIR");

	(void)snprintf(tmpdir, sizeof(tmpdir), "%s/simicao.XXXXXX",
	    t != NULL ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
tmp_teardown(void)
{
	char path[300];

	teardown();
	(void)snprintf(path, sizeof(path), "%s/img", tmpdir);
	rm_image(path);
	(void)rmdir(tmpdir);
}

/* Issue an image into tmpdir/img; returns its path. */
static const char *
issue(const char *person, unsigned access, long param_id, const char *can)
{
	static char out[300];
	struct nid_sim_issue_opts o;
	nid_ctx_t *ictx = NULL;
	int rc;

	(void)snprintf(out, sizeof(out), "%s/img", tmpdir);
	memset(&o, 0, sizeof(o));
	o.person = person;
	o.out_dir = out;
	o.access = access;
	o.param_id = param_id;
	o.can = can;
	ck_assert_int_eq(nid_ctx_new(&ictx), NID_OK);
	rc = nid_sim_issue(ictx, &o);
	ck_assert_msg(rc == NID_OK, "issue: %s", nid_ctx_detail(ictx));
	nid_ctx_free(&ictx);
	return out;
}

static void
read_disk(const char *dir, const char *rel, nid_buf *out)
{
	char path[512];
	uint8_t chunk[4096];
	FILE *fp;
	size_t n;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, rel);
	nid_buf_init(out, NID_BUF_MAX_DEFAULT);
	ck_assert_msg((fp = fopen(path, "rb")) != NULL, "open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		ck_assert_int_eq(nid_buf_put(out, chunk, n), NID_OK);
	fclose(fp);
}

static uint16_t
xmit(nid_card_t *c, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
    const char *hex, size_t ne, nid_buf *data)
{
	nid_buf body = tu_hex(hex != NULL ? hex : "");
	nid_buf d;
	nid_apdu a = { cla, ins, p1, p2, NULL, 0, ne };
	uint16_t sw = 0;
	int rc;

	nid_buf_init(&d, NID_BUF_MAX_DEFAULT);
	a.data = body.p;
	a.nc = body.len;
	rc = nid_card_transmit(c, &a, data != NULL ? data : &d, &sw);
	ck_assert_msg(rc == NID_OK, "transmit %02X: %s", ins,
	    nid_strerror_name(rc));
	nid_buf_clear(&d);
	nid_buf_clear(&body);
	return sw;
}

static uint16_t
select_app(nid_card_t *c)
{
	return xmit(c, 0x00, 0xA4, 0x04, 0x0C, AID, 0, NULL);
}

/* Read the EF with short identifier sfi whole: SFI READ BINARY, then
 * B0 with offsets, 200 bytes at a time (fits a short protected answer). */
static int
read_sfi(nid_card_t *c, uint8_t sfi, nid_buf *out, uint16_t *sw)
{
	nid_buf part;
	nid_apdu a;
	size_t off = 0;
	int rc = NID_OK;

	nid_buf_init(&part, 65536);
	nid_buf_reset(out);
	for (;;) {
		memset(&a, 0, sizeof(a));
		a.ins = 0xB0;
		a.ne = 200;
		if (off == 0)
			a.p1 = (uint8_t)(0x80 | sfi);
		else {
			a.p1 = (uint8_t)(off >> 8);
			a.p2 = (uint8_t)off;
		}
		if ((rc = nid_card_transmit(c, &a, &part, sw)) != NID_OK)
			break;
		if (*sw == 0x6B00 && off > 0) {
			*sw = 0x9000;
			break;
		}
		if (*sw != 0x9000 && *sw != 0x6282)
			break;
		ck_assert_int_eq(nid_buf_put(out, part.p, part.len), NID_OK);
		off += part.len;
		if (*sw == 0x6282 || part.len < a.ne) {
			*sw = 0x9000;
			break;
		}
	}
	nid_buf_clear(&part);
	return rc;
}

static void
assert_ef(nid_card_t *c, const char *dir, uint8_t sfi, const char *rel)
{
	nid_buf want, got;
	uint16_t sw = 0;

	read_disk(dir, rel, &want);
	nid_buf_init(&got, NID_BUF_MAX_DEFAULT);
	ck_assert_int_eq(read_sfi(c, sfi, &got, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(got.len, want.len);
	ck_assert_mem_eq(got.p, want.p, want.len);
	nid_buf_clear(&want);
	nid_buf_clear(&got);
}

/* SM on top of tr: smt and scard. */
static void
start_sm(nid_sm_t **smp)
{
	ck_assert_int_eq(nid_sm_transport_new(ctx, tr, smp, &smt), NID_OK);
	ck_assert_int_eq(nid_card_new(smt, &scard), NID_OK);
}

static int
bac(const char *mrz_info)
{
	nid_sm_t *sm = NULL;
	int rc;

	rc = nid_bac_run(card, mrz_info, strlen(mrz_info), NULL, &sm);
	if (rc == NID_OK)
		start_sm(&sm);
	return rc;
}

static int
pace(enum nid_pace_pw pw_type, const char *pw)
{
	struct nid_pace_params pp;
	struct nid_pace_result res;
	nid_secinfos *si = NULL;
	nid_buf ca;
	nid_sm_t *sm = NULL;
	uint16_t sw = 0;
	uint8_t ssc[16] = { 0 };
	int rc;

	/* EF.CardAccess: plain, from the MF (ICAO 9303-10 §3.11.3). */
	nid_buf_init(&ca, 4096);
	ck_assert_int_eq(read_sfi(card, 0x1C, &ca, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_int_eq(nid_secinfos_parse(ca.p, ca.len, &si), NID_OK);
	memset(&pp, 0, sizeof(pp));
	ck_assert_int_eq(nid_pace_select(si, &pp), NID_OK);
	pp.pw_type = pw_type;
	pp.pw = pw;
	pp.pw_len = strlen(pw);
	rc = nid_pace_run(card, &pp, &res);
	if (rc == NID_OK) {
		ck_assert_int_eq(nid_sm_new(res.keys.alg == NID_KDF_3DES ?
		    NID_SM_3DES : NID_SM_AES, res.keys.enc, res.keys.mac,
		    res.keys.key_len, ssc, res.keys.alg == NID_KDF_3DES ? 8 : 16,
		    &sm), NID_OK);
		start_sm(&sm);
	}
	nid_pace_result_clear(&res);
	nid_secinfos_free(&si);
	nid_buf_clear(&ca);
	return rc;
}

static void
assert_session(int up, int protocol)
{
	struct nid_sim_icao_status st;

	nid_sim_icao_status(sim, &st);
	ck_assert_int_eq(st.session, up);
	ck_assert_int_eq(st.protocol, protocol);
}

/* ---- BAC ---------------------------------------------------------------- */

START_TEST(bac_reads_dg1)
{
	open_image(BACCARD);
	ck_assert_uint_eq(select_app(card), 0x9000);
	ck_assert_int_eq(bac(MRZ_D), NID_OK);
	assert_session(1, 1);
	assert_ef(scard, BACCARD, 1, "ef/0101.bin");
	assert_ef(scard, BACCARD, 0x1E, "ef/011E.bin");
	assert_ef(scard, BACCARD, 2, "ef/0102.bin");
	assert_ef(scard, BACCARD, 11, "ef/010B.bin");
	assert_session(1, 1);
}
END_TEST

/* A wrong MRZ_information: another birth date / document number. */
static const char *const bad_mrz[] = {
	"L898902C<369080719406236",
	"L898902C<469080619406236",
	"L898902C<369080619406237",
};
START_TEST(bac_wrong_mrz)
{
	open_image(BACCARD);
	ck_assert_uint_eq(select_app(card), 0x9000);
	ck_assert_int_eq(bac(bad_mrz[_i]), NID_E_ACCESS_DENIED);
	ck_assert_uint_eq(card->sw_last, 0x6300);
	assert_session(0, 0);
	/* Still nothing readable in plain, nor with SM bits. */
	ck_assert_uint_eq(xmit(card, 0x00, 0xB0, 0x81, 0x00, NULL, 4, NULL),
	    0x6982);
	/* RND.IC is spent: EXTERNAL AUTHENTICATE again without GET
	 * CHALLENGE is refused (6985). */
	ck_assert_uint_eq(xmit(card, 0x00, 0x82, 0x00, 0x00,
	    "00000000000000000000000000000000000000000000000000000000000000000000000000000000",
	    40, NULL), 0x6985);
}
END_TEST

/* On a PACE card BAC still works when offered (icao-pace: pace+bac). */
START_TEST(bac_on_pace_card)
{
	open_image(PACECARD);
	ck_assert_uint_eq(select_app(card), 0x9000);
	ck_assert_int_eq(bac(MRZ_ID), NID_OK);
	assert_ef(scard, PACECARD, 1, "ef/0101.bin");
}
END_TEST

START_TEST(bac_not_offered)
{
	open_image(issue(PERSON_ID, NID_SIM_ACCESS_PACE, 13, CAN_ID));
	ck_assert_uint_eq(select_app(card), 0x9000);
	/* No BAC on a PACE-only card: EXTERNAL AUTHENTICATE unknown. */
	ck_assert_int_ne(bac(MRZ_ID), NID_OK);
	ck_assert_uint_eq(card->sw_last, 0x6D00);
	assert_session(0, 0);
}
END_TEST

/* ---- access control and session rules ----------------------------------- */

START_TEST(plain_read_refused)
{
	static const uint8_t sfis[] = { 1, 2, 11, 0x1E };
	size_t i;

	open_image(_i == 0 ? BACCARD : PACECARD);
	ck_assert_uint_eq(select_app(card), 0x9000);
	for (i = 0; i < sizeof(sfis); i++)
		ck_assert_uint_eq(xmit(card, 0x00, 0xB0,
		    (uint8_t)(0x80 | sfis[i]), 0x00, NULL, 4, NULL), 0x6982);
	/* By FID too. */
	ck_assert_uint_eq(xmit(card, 0x00, 0xA4, 0x02, 0x0C, "0101", 0, NULL),
	    0x9000);
	ck_assert_uint_eq(xmit(card, 0x00, 0xB0, 0x00, 0x00, NULL, 4, NULL),
	    0x6982);
	/* A protected command with no session: 6882. */
	ck_assert_uint_eq(xmit(card, 0x0C, 0xB0, 0x81, 0x00,
	    "8E080000000000000000", 256, NULL), 0x6882);
}
END_TEST

START_TEST(plain_apdu_drops_session)
{
	nid_buf d;
	uint16_t sw;

	nid_buf_init(&d, 65536);
	open_image(BACCARD);
	ck_assert_uint_eq(select_app(card), 0x9000);
	ck_assert_int_eq(bac(MRZ_D), NID_OK);
	assert_ef(scard, BACCARD, 1, "ef/0101.bin");
	/* A plain SELECT (on the raw card handle) inside the session. */
	ck_assert_uint_eq(select_app(card), 0x6987);
	assert_session(0, 0);
	/* The keys are gone: protected commands now get 6882. */
	ck_assert_int_eq(read_sfi(scard, 1, &d, &sw), NID_OK);
	ck_assert_uint_eq(sw, 0x6882);
	/* And plain reads are still refused. */
	ck_assert_uint_eq(xmit(card, 0x00, 0xB0, 0x81, 0x00, NULL, 4, NULL),
	    0x6982);
	nid_buf_clear(&d);
}
END_TEST

/* A protected command with a wrong MAC from the terminal: 6988, dropped. */
START_TEST(terminal_bad_mac)
{
	nid_sm_t *sm = NULL;
	nid_buf cmd;
	nid_apdu a = { 0x00, 0xB0, 0x81, 0x00, NULL, 0, 4 };
	uint8_t rsp[64];
	size_t rlen = sizeof(rsp);

	nid_buf_init(&cmd, 4096);
	open_image(BACCARD);
	ck_assert_uint_eq(select_app(card), 0x9000);
	ck_assert_int_eq(nid_bac_run(card, MRZ_D, strlen(MRZ_D), NULL, &sm),
	    NID_OK);
	ck_assert_int_eq(nid_sm_wrap_cmd(sm, &a, 0, &cmd), NID_OK);
	/* The last byte before Le' is the last MAC byte (DO'8E'). */
	cmd.p[cmd.len - 2 - _i] ^= 0x40;
	ck_assert_int_eq(nid_transport_transmit(tr, cmd.p, cmd.len, rsp,
	    &rlen), NID_OK);
	ck_assert_uint_eq(rlen, 2);
	ck_assert_uint_eq((unsigned)rsp[0] << 8 | rsp[1], 0x6988);
	assert_session(0, 0);
	nid_sm_free(&sm);
	nid_buf_clear(&cmd);
}
END_TEST

/* Fault sm_bad_mac=N: the chip's Nth protected response has a bad MAC. */
START_TEST(fault_sm_bad_mac)
{
	nid_buf d;
	uint16_t sw;

	nid_buf_init(&d, 65536);
	open_image(BACCARD);
	ck_assert_int_eq(nid_sim_card_set_fault(ctx, sim, "sm_bad_mac=2"),
	    NID_OK);
	ck_assert_uint_eq(select_app(card), 0x9000);
	ck_assert_int_eq(bac(MRZ_D), NID_OK);
	/* Response 1 (EF.COM header) is fine, response 2 is not. */
	ck_assert_uint_eq(xmit(scard, 0x00, 0xB0, 0x9E, 0x00, NULL, 4, &d),
	    0x9000);
	tu_assert_hex(d.p, d.len, "60155F01");
	ck_assert_int_eq(read_sfi(scard, 1, &d, &sw), NID_E_SM_MAC);
	nid_buf_clear(&d);
}
END_TEST

START_TEST(fault_sm_no_do99)
{
	nid_buf d;
	uint16_t sw;

	nid_buf_init(&d, 65536);
	open_image(_i == 0 ? BACCARD : PACECARD);
	ck_assert_int_eq(nid_sim_card_set_fault(ctx, sim, "sm_no_do99"),
	    NID_OK);
	if (_i == 0) {
		ck_assert_uint_eq(select_app(card), 0x9000);
		ck_assert_int_eq(bac(MRZ_D), NID_OK);
	} else
		ck_assert_int_eq(pace(NID_PACE_PW_CAN, CAN_ID), NID_OK);
	ck_assert_int_eq(read_sfi(scard, 1, &d, &sw), NID_E_SM_FORMAT);
	nid_buf_clear(&d);
}
END_TEST

static const char *const bad_faults[] = {
	"sm_bad_mac", "sm_bad_mac=x", "sm_bad_mac=-1", "sm_no_do99=2",
	"sm_nothing",
};
START_TEST(fault_names)
{
	open_image(BACCARD);
	ck_assert_int_eq(nid_sim_card_set_fault(ctx, sim, bad_faults[_i]),
	    NID_E_INVALID_ARG);
}
END_TEST

/* ---- PACE --------------------------------------------------------------- */

static const struct {
	long param_id;         /* 13: the committed icao-pace card */
	enum nid_pace_pw pw_type;
	const char *pw;
	int rc;
} pace_vectors[] = {
	{ 13, NID_PACE_PW_CAN, CAN_ID, NID_OK },
	{ 13, NID_PACE_PW_MRZ, MRZ_ID, NID_OK },
	{ 13, NID_PACE_PW_CAN, "123465", NID_E_ACCESS_DENIED },
	{ 13, NID_PACE_PW_MRZ, "T22000129364081253110316", NID_E_ACCESS_DENIED },
	{ 12, NID_PACE_PW_CAN, CAN_ID, NID_OK },            /* P-256 */
	{ 12, NID_PACE_PW_MRZ, MRZ_ID, NID_OK },
	{ 12, NID_PACE_PW_CAN, "000000", NID_E_ACCESS_DENIED },
	{ 0, NID_PACE_PW_CAN, CAN_ID, NID_OK },             /* DH 1024/160 */
	{ 0, NID_PACE_PW_MRZ, MRZ_ID, NID_OK },
	{ 0, NID_PACE_PW_MRZ, MRZ_D, NID_E_ACCESS_DENIED },
	{ 15, NID_PACE_PW_CAN, CAN_ID, NID_OK },            /* P-384 */
	/* DH 2048 needs extended length both ways (Nc and Ne 264): the
	 * test raises the terminal's caps for parameterId 1 and 2. Regression:
	 * nid_pace_run asked Ne 256 and the card cut the GA 2/3 answers. */
	{ 1, NID_PACE_PW_CAN, CAN_ID, NID_OK },             /* DH 2048/224 */
	{ 2, NID_PACE_PW_MRZ, MRZ_ID, NID_OK },             /* DH 2048/256 */
	{ 2, NID_PACE_PW_CAN, "654321", NID_E_ACCESS_DENIED },
	{ 18, NID_PACE_PW_MRZ, MRZ_ID, NID_OK },            /* P-521 */
};
START_TEST(pace_runs)
{
	const char *dir = PACECARD;
	int rc;

	if (pace_vectors[_i].param_id != 13)
		dir = issue(PERSON_ID, NID_SIM_ACCESS_PACE,
		    pace_vectors[_i].param_id, CAN_ID);
	open_image(dir);
	if (pace_vectors[_i].param_id == 1 || pace_vectors[_i].param_id == 2) {
		card->caps.extended = 1;
		card->caps.max_nc = NID_NC_EXT_MAX;
		card->caps.max_ne = NID_NE_EXT_MAX;
	}
	rc = pace(pace_vectors[_i].pw_type, pace_vectors[_i].pw);
	ck_assert_int_eq(rc, pace_vectors[_i].rc);
	if (rc != NID_OK) {
		ck_assert_uint_eq(card->sw_last, 0x6300);
		assert_session(0, 0);
		ck_assert_uint_eq(select_app(card), 0x9000);
		ck_assert_uint_eq(xmit(card, 0x00, 0xB0, 0x81, 0x00, NULL, 4,
		    NULL), 0x6982);
		return;
	}
	assert_session(1, 2);
	/* ICAO 9303-10 §3.6.3: after PACE the application is selected
	 * under secure messaging. */
	ck_assert_uint_eq(select_app(scard), 0x9000);
	assert_ef(scard, dir, 1, "ef/0101.bin");
	assert_ef(scard, dir, 2, "ef/0102.bin");
	assert_ef(scard, dir, 11, "ef/010B.bin");
	assert_session(1, 2);
}
END_TEST

/* id-PACE-ECDH-GM-3DES-CBC-CBC (0.4.0.127.0.7.2.2.4.2.1): 3DES tokens
 * and 3DES secure messaging with SSC 0 (ICAO 9303-11 §9.8.6.1). */
START_TEST(pace_3des)
{
	const char *dir = issue(PERSON_ID, NID_SIM_ACCESS_PACE, 13, CAN_ID);
	char path[400];
	json_t *root, *pe;
	nid_buf ca;
	FILE *fp;

	/* EF.CardAccess: 31 14 30 12 06 0A 04007F00070202040202 ...: the
	 * OID's last byte is at offset 15. */
	read_disk(dir, "ef/011C.bin", &ca);
	ck_assert_uint_eq(ca.p[15], 0x02);
	ca.p[15] = 0x01;
	(void)snprintf(path, sizeof(path), "%s/ef/011C.bin", dir);
	ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(ca.p, 1, ca.len, fp), ca.len);
	fclose(fp);
	(void)snprintf(path, sizeof(path), "%s/card.json", dir);
	ck_assert_ptr_nonnull(root = json_load_file(path, 0, NULL));
	pe = json_array_get(json_object_get(json_object_get(root, "icao"),
	    "pace"), 0);
	ck_assert_int_eq(json_object_set_new(pe, "oid",
	    json_string("0.4.0.127.0.7.2.2.4.2.1")), 0);
	ck_assert_int_eq(json_dump_file(root, path, 0), 0);
	json_decref(root);
	open_image(dir);
	ck_assert_int_eq(pace(NID_PACE_PW_CAN, CAN_ID), NID_OK);
	assert_session(1, 2);
	ck_assert_uint_eq(select_app(scard), 0x9000);
	assert_ef(scard, dir, 1, "ef/0101.bin");
	assert_ef(scard, dir, 2, "ef/0102.bin");
	nid_buf_clear(&ca);
}
END_TEST

/* MSE:Set AT refusals (ICAO 9303-11 §4.4.4.1). */
static const struct {
	const char *what;
	const char *data;
	size_t ne;
	uint16_t sw;
} mse_vectors[] = {
	{ "with Le", "800A04007F0007020204020283010284010D", 256, 0x6700 },
	{ "unknown OID", "800A04007F0007020204020383010284010D", 0, 0x6A88 },
	{ "other parameterId", "800A04007F0007020204020283010284010C", 0,
	    0x6A88 },
	{ "PIN reference", "800A04007F0007020204020283010384010D", 0, 0x6A88 },
	{ "no password", "800A04007F0007020204020284010D", 0, 0x6A80 },
	{ "unknown tag", "800A04007F000702020402028301029101FF", 0, 0x6A80 },
	{ "ok, CAN", "800A04007F0007020204020283010284010D", 0, 0x9000 },
	{ "ok, MRZ, no 84", "800A04007F00070202040202830101", 0, 0x9000 },
};
START_TEST(mse_set_at)
{
	open_image(PACECARD);
	ck_assert_msg(xmit(card, 0x00, 0x22, 0xC1, 0xA4, mse_vectors[_i].data,
	    mse_vectors[_i].ne, NULL) == mse_vectors[_i].sw, "%s",
	    mse_vectors[_i].what);
}
END_TEST

/* GENERAL AUTHENTICATE out of order or with bad keys. */
START_TEST(ga_refusals)
{
	nid_buf pk, data, hex;
	char *h = NULL;
	uint8_t bad[65];

	open_image(PACECARD);
	nid_buf_init(&pk, 1024);
	nid_buf_init(&data, 1024);
	/* No MSE:Set AT first. */
	ck_assert_uint_eq(xmit(card, 0x10, 0x86, 0x00, 0x00, "7C00", 256,
	    NULL), 0x6985);
	/* Step 1 without chaining. */
	ck_assert_uint_eq(xmit(card, 0x00, 0x22, 0xC1, 0xA4,
	    "800A04007F0007020204020283010284010D", 0, NULL), 0x9000);
	ck_assert_uint_eq(xmit(card, 0x00, 0x86, 0x00, 0x00, "7C00", 256,
	    NULL), 0x6985);
	/* Step 2 with a point not on the curve: 6A80. */
	ck_assert_uint_eq(xmit(card, 0x00, 0x22, 0xC1, 0xA4,
	    "800A04007F0007020204020283010284010D", 0, NULL), 0x9000);
	ck_assert_uint_eq(xmit(card, 0x10, 0x86, 0x00, 0x00, "7C00", 256,
	    &data), 0x9000);
	ck_assert_uint_eq(data.p[2], 0x80);
	memset(bad, 0x11, sizeof(bad));
	bad[0] = 0x04;
	nid_buf_init(&hex, 1024);
	ck_assert_int_eq(nid_pace_ga_data(0x81, bad, sizeof(bad), &hex),
	    NID_OK);
	ck_assert_int_eq(nid_hex_encode(hex.p, hex.len, &h), NID_OK);
	ck_assert_uint_eq(xmit(card, 0x10, 0x86, 0x00, 0x00, h, 256, NULL),
	    0x6A80);
	/* PACE was reset: step 2 again is out of order. */
	ck_assert_uint_eq(xmit(card, 0x10, 0x86, 0x00, 0x00, h, 256, NULL),
	    0x6985);
	/* Chaining elsewhere is refused. */
	ck_assert_uint_eq(xmit(card, 0x10, 0xB0, 0x9C, 0x00, NULL, 4, NULL),
	    0x6884);
	assert_session(0, 0);
	free(h);
	nid_buf_clear(&pk);
	nid_buf_clear(&data);
	nid_buf_clear(&hex);
}
END_TEST

/* DH mapping keys out of range (TR-03110-3 §A.2.2: 1 < y < p-1, y^q = 1):
 * 1, 0 and a 127-byte value are refused with 6A80. */
static const struct {
	uint8_t fill, last;
	size_t len;
} dh_bad[] = {
	{ 0x00, 0x01, 128 },   /* y = 1 */
	{ 0x00, 0x00, 128 },   /* y = 0 */
	{ 0xFF, 0xFF, 128 },   /* y ≥ p */
	{ 0x00, 0x02, 127 },   /* not |p| bytes */
};
START_TEST(ga_dh_range)
{
	uint8_t y[128];
	nid_buf ga;
	char *h = NULL;

	open_image(issue(PERSON_ID, NID_SIM_ACCESS_PACE, 0, CAN_ID));
	ck_assert_uint_eq(xmit(card, 0x00, 0x22, 0xC1, 0xA4,
	    "800A04007F00070202040102830102", 0, NULL), 0x9000);
	ck_assert_uint_eq(xmit(card, 0x10, 0x86, 0x00, 0x00, "7C00", 256,
	    NULL), 0x9000);
	memset(y, dh_bad[_i].fill, sizeof(y));
	y[dh_bad[_i].len - 1] = dh_bad[_i].last;
	nid_buf_init(&ga, 1024);
	ck_assert_int_eq(nid_pace_ga_data(0x81, y, dh_bad[_i].len, &ga),
	    NID_OK);
	ck_assert_int_eq(nid_hex_encode(ga.p, ga.len, &h), NID_OK);
	ck_assert_uint_eq(xmit(card, 0x10, 0x86, 0x00, 0x00, h, 256, NULL),
	    0x6A80);
	assert_session(0, 0);
	free(h);
	nid_buf_clear(&ga);
}
END_TEST

/* ---- nidcard-sim issue ---------------------------------------------- */

START_TEST(issue_dg1_parses)
{
	const char *dir = issue(PERSON_ID, NID_SIM_ACCESS_PACE |
	    NID_SIM_ACCESS_BAC, 13, CAN_ID);
	struct nid_lds_dg1 d1;
	struct nid_lds_dg2 d2;
	struct nid_lds_details d11;
	struct nid_lds_com com;
	const struct nid_lds_field *f;
	nid_buf b1, b2, b11, bc;
	unsigned w, h;

	open_image(dir);
	read_disk(dir, "ef/0101.bin", &b1);
	read_disk(dir, "ef/0102.bin", &b2);
	read_disk(dir, "ef/010B.bin", &b11);
	read_disk(dir, "ef/011E.bin", &bc);
	ck_assert_int_eq(nid_lds_dg1_parse(b1.p, b1.len, &d1), NID_OK);
	ck_assert_int_eq(d1.mrz.format, NID_MRZ_TD1);
	ck_assert_msg(nid_mrz_valid(&d1.mrz), "MRZ problem: %s",
	    d1.mrz.nproblems ? d1.mrz.problems[0].text : "");
	ck_assert_str_eq(d1.mrz.doc_code, "ID");
	ck_assert_str_eq(d1.mrz.issuer, "UTO");
	ck_assert_str_eq(d1.mrz.doc_number, "T22000129");
	ck_assert_str_eq(d1.mrz.birth, "640812");
	ck_assert_str_eq(d1.mrz.expiry, "311031");
	ck_assert_int_eq(d1.mrz.sex, 'F');
	ck_assert_str_eq(d1.mrz.nationality, "UTO");
	ck_assert_str_eq(d1.mrz.primary, "MUSTERMANN");
	ck_assert_str_eq(d1.mrz.secondary, "ERIKA");
	nid_lds_dg1_clear(&d1);
	ck_assert_int_eq(nid_lds_dg2_parse(b2.p, b2.len, &d2), NID_OK);
	ck_assert_uint_eq(d2.nfaces, 1);
	ck_assert_int_eq(d2.faces[0].format, NID_LDS_IMG_JPEG);
	ck_assert_int_eq(d2.faces[0].declared_type, 0);
	ck_assert_uint_eq(d2.faces[0].width, 160);
	ck_assert_uint_eq(d2.faces[0].height, 200);
	ck_assert_int_eq(nid_lds_img_size(d2.faces[0].image.p,
	    d2.faces[0].image.len, &w, &h), NID_OK);
	ck_assert_uint_eq(w, 160);
	ck_assert_uint_eq(h, 200);
	ck_assert_int_eq(nid_lds_details_parse(11, b11.p, b11.len, &d11),
	    NID_OK);
	ck_assert_ptr_nonnull(f = nid_lds_details_get(&d11, 0x5F0E));
	ck_assert_uint_eq(f->value.len, strlen("MUSTERMANN<<ERIKA"));
	ck_assert_mem_eq(f->value.p, "MUSTERMANN<<ERIKA", f->value.len);
	ck_assert_int_eq(nid_lds_com_parse(bc.p, bc.len, &com), NID_OK);
	ck_assert_str_eq(com.lds_version, "0107");
	nid_buf_clear(&b1);
	nid_buf_clear(&b2);
	nid_buf_clear(&b11);
	nid_buf_clear(&bc);
}
END_TEST

/* The TD3 issue reproduces the ICAO 9303-4 specimen MRZ exactly. */
START_TEST(issue_td3_specimen)
{
	const char *dir = issue(PERSON_D, NID_SIM_ACCESS_BAC, 13, NULL);
	nid_buf b1;

	static const char want[] =
	    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
	    "L898902C<3UTO6908061F9406236ZE184226B<<<<<14";

	read_disk(dir, "ef/0101.bin", &b1);
	/* 61 5B 5F1F 58 ‖ the 88 characters. */
	ck_assert_uint_eq(b1.len, 5 + 88);
	tu_assert_hex(b1.p, 5, "615B5F1F58");
	ck_assert_mem_eq(b1.p + 5, want, 88);
	nid_buf_clear(&b1);
}
END_TEST

/* --ds-key/--ds-cert: EF.SOD lists DG1, DG2, DG11 with their SHA-256
 * (ICAO 9303-10 §4.6.2), signed by the given DS. */
START_TEST(issue_signed_sod)
{
	static const struct { unsigned n; const char *rel; } dgs[] = {
		{ 1, "ef/0101.bin" }, { 2, "ef/0102.bin" },
		{ 11, "ef/010B.bin" },
	};
	struct nid_sim_issue_opts o;
	EVP_PKEY *key = tp_key("EC", 0, "P-256");
	X509 *cert = tp_cert(key, "DS", NULL, NULL, 1, time(NULL) - 3600,
	    time(NULL) + 86400, 0);
	char kpath[300], cpath[300], out[300];
	const struct nid_sod_dg *e;
	uint8_t md[32];
	unsigned mdlen;
	nid_sod_t *sod = NULL;
	nid_buf b;
	FILE *fp;
	size_t i;

	(void)snprintf(kpath, sizeof(kpath), "%s/ds.key", tmpdir);
	(void)snprintf(cpath, sizeof(cpath), "%s/ds.crt", tmpdir);
	(void)snprintf(out, sizeof(out), "%s/img", tmpdir);
	ck_assert_ptr_nonnull(fp = fopen(kpath, "w"));
	ck_assert_int_eq(PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(fp);
	ck_assert_ptr_nonnull(fp = fopen(cpath, "w"));
	ck_assert_int_eq(PEM_write_X509(fp, cert), 1);
	fclose(fp);
	memset(&o, 0, sizeof(o));
	o.person = PERSON_ID;
	o.out_dir = out;
	o.access = NID_SIM_ACCESS_BAC;
	o.ds_key = kpath;
	o.ds_cert = cpath;
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_msg(nid_sim_issue(ctx, &o) == NID_OK, "%s",
	    nid_ctx_detail(ctx));
	read_disk(out, "ef/011D.bin", &b);
	ck_assert_int_eq(nid_sod_parse(ctx, b.p, b.len, &sod), NID_OK);
	ck_assert_uint_eq(sod->ndgs, 3);
	for (i = 0; i < NID_NELEM(dgs); i++) {
		nid_buf dg;

		read_disk(out, dgs[i].rel, &dg);
		ck_assert_int_eq(EVP_Digest(dg.p, dg.len, md, &mdlen,
		    EVP_sha256(), NULL), 1);
		ck_assert_ptr_nonnull(e = nid_sod_find_dg(sod, dgs[i].n));
		ck_assert_uint_eq(e->hash_len, 32);
		ck_assert_mem_eq(e->hash, md, 32);
		nid_buf_clear(&dg);
	}
	/* The image serves EF.SOD under SM (SFI 1D). */
	ck_assert_int_eq(nid_sim_card_load(ctx, out, &sim), NID_OK);
	ck_assert_int_eq(nid_sim_transport_open(ctx, sim, &tr), NID_OK);
	ck_assert_int_eq(nid_card_new(tr, &card), NID_OK);
	ck_assert_uint_eq(select_app(card), 0x9000);
	ck_assert_int_eq(bac(MRZ_ID), NID_OK);
	assert_ef(scard, out, 0x1D, "ef/011D.bin");
	nid_sod_free(&sod);
	nid_buf_clear(&b);
	X509_free(cert);
	EVP_PKEY_free(key);
	(void)unlink(kpath);
	(void)unlink(cpath);
}
END_TEST

static const struct {
	const char *json;
	const char *detail;  /* substring of the error detail */
} bad_persons[] = {
	{ "{\"format\":\"nidcard.person/1\",\"document_type\":\"TD2\"}",
	    "document_type" },
	{ "{\"format\":\"nidcard.person/0\"}", "format" },
	{ "{\"format\":\"nidcard.person/1\",\"document_type\":\"TD1\","
	    "\"issuing_state\":\"UTO\",\"nationality\":\"UTO\","
	    "\"document_number\":\"T22000129\",\"primary_identifier\":\"A\","
	    "\"birth_date\":\"1964-13-12\",\"expiry_date\":\"311031\","
	    "\"sex\":\"F\"}", "birth_date" },
	{ "{\"format\":\"nidcard.person/1\",\"document_type\":\"TD1\","
	    "\"issuing_state\":\"UTO\",\"nationality\":\"UTO\","
	    "\"document_number\":\"T220001290\",\"primary_identifier\":\"A\","
	    "\"birth_date\":\"640812\",\"expiry_date\":\"311031\","
	    "\"sex\":\"F\"}", "document_number" },
	{ "{\"format\":\"nidcard.person/1\",\"document_type\":\"TD1\","
	    "\"issuing_state\":\"UTO\",\"nationality\":\"UTO\","
	    "\"document_number\":\"T22000129\",\"primary_identifier\":"
	    "\"ABCDEFGHIJKLMNOPQRSTUVWXYZ\",\"secondary_identifier\":\"ABCDE\","
	    "\"birth_date\":\"640812\",\"expiry_date\":\"311031\","
	    "\"sex\":\"F\"}", "names" },
	{ "{\"format\":\"nidcard.person/1\",\"document_type\":\"TD1\","
	    "\"issuing_state\":\"UTO\",\"nationality\":\"UTO\","
	    "\"document_number\":\"T22000129\",\"primary_identifier\":\"M\xc3\xbcller\","
	    "\"birth_date\":\"640812\",\"expiry_date\":\"311031\","
	    "\"sex\":\"F\"}", "primary_identifier" },
	{ "{\"format\":\"nidcard.person/1\",\"document_type\":\"TD1\","
	    "\"issuing_state\":\"UTO\",\"nationality\":\"UTO\","
	    "\"document_number\":\"T22000129\",\"primary_identifier\":\"A\","
	    "\"birth_date\":\"640812\",\"expiry_date\":\"311031\","
	    "\"sex\":\"Q\"}", "sex" },
	{ "{\"format\":\"nidcard.person/1\",\"colour\":\"blue\"}",
	    "unknown field" },
};
START_TEST(issue_bad_person)
{
	struct nid_sim_issue_opts o;
	char path[300], out[300];
	FILE *fp;
	int rc;

	(void)snprintf(path, sizeof(path), "%s/person.json", tmpdir);
	(void)snprintf(out, sizeof(out), "%s/img", tmpdir);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs(bad_persons[_i].json, fp);
	fclose(fp);
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	memset(&o, 0, sizeof(o));
	o.person = path;
	o.out_dir = out;
	o.access = NID_SIM_ACCESS_BAC;
	rc = nid_sim_issue(ctx, &o);
	ck_assert_int_eq(rc, NID_E_MALFORMED);
	ck_assert_msg(strstr(nid_ctx_detail(ctx), bad_persons[_i].detail) !=
	    NULL, "detail: %s", nid_ctx_detail(ctx));
	(void)unlink(path);
}
END_TEST

/* Image validation of the "icao" section. */
static const struct {
	const char *key;       /* icao field replaced */
	const char *value;     /* JSON */
	const char *detail;
} bad_icao[] = {
	{ "mrz", "[\"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\","
	    "\"L898902C<4UTO6908061F9406236ZE184226B<<<<<14\"]", "icao.mrz" },
	{ "can", "\"12a456\"", "icao.can" },
	{ "access", "[\"bac\",\"bac\"]", "icao.access" },
	{ "access", "[\"pace\"]", "icao.pace" },
	{ "pace", "[{\"oid\":\"0.4.0.127.0.7.2.2.4.2.2\",\"param_id\":0}]",
	    "icao.pace" },
	{ "faults", "{\"sm_bad_mac\":\"x\"}", "sm_bad_mac" },
	{ "colour", "1", "unknown field" },
};
START_TEST(image_bad_icao)
{
	const char *dir = issue(PERSON_D, NID_SIM_ACCESS_BAC, 13, NULL);
	char path[400];
	json_t *root, *icao, *v;

	(void)snprintf(path, sizeof(path), "%s/card.json", dir);
	ck_assert_ptr_nonnull(root = json_load_file(path, 0, NULL));
	icao = json_object_get(root, "icao");
	ck_assert_ptr_nonnull(v = json_loads(bad_icao[_i].value,
	    JSON_DECODE_ANY, NULL));
	ck_assert_int_eq(json_object_set_new(icao, bad_icao[_i].key, v), 0);
	ck_assert_int_eq(json_dump_file(root, path, 0), 0);
	json_decref(root);
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_sim_card_load(ctx, dir, &sim), NID_E_MALFORMED);
	ck_assert_msg(strstr(nid_ctx_detail(ctx), bad_icao[_i].detail) !=
	    NULL, "detail: %s", nid_ctx_detail(ctx));
}
END_TEST

/* An EF of the application readable without SM is refused at load. */
START_TEST(image_plain_ef)
{
	const char *dir = issue(PERSON_D, NID_SIM_ACCESS_BAC, 13, NULL);
	char path[400];
	json_t *root, *app, *ef;

	(void)snprintf(path, sizeof(path), "%s/card.json", dir);
	ck_assert_ptr_nonnull(root = json_load_file(path, 0, NULL));
	app = json_array_get(json_object_get(json_object_get(root, "files"),
	    "children"), 0);
	ef = json_array_get(json_object_get(app, "children"), 1);
	ck_assert_int_eq(json_object_set_new(ef, "read", json_string("always")),
	    0);
	ck_assert_int_eq(json_dump_file(root, path, 0), 0);
	json_decref(root);
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_sim_card_load(ctx, dir, &sim), NID_E_MALFORMED);
	ck_assert_msg(strstr(nid_ctx_detail(ctx), "0101") != NULL, "%s",
	    nid_ctx_detail(ctx));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("sim_icao");
	TCase *tc;

	tc = tcase_create("bac");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, bac_reads_dg1);
	tcase_add_loop_test(tc, bac_wrong_mrz, 0, NID_NELEM(bad_mrz));
	tcase_add_test(tc, bac_on_pace_card);
	tcase_add_test(tc, bac_not_offered);
	suite_add_tcase(s, tc);

	tc = tcase_create("access");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, plain_read_refused, 0, 2);
	tcase_add_test(tc, plain_apdu_drops_session);
	tcase_add_loop_test(tc, terminal_bad_mac, 0, 4);
	tcase_add_test(tc, fault_sm_bad_mac);
	tcase_add_loop_test(tc, fault_sm_no_do99, 0, 2);
	tcase_add_loop_test(tc, fault_names, 0, NID_NELEM(bad_faults));
	suite_add_tcase(s, tc);

	tc = tcase_create("pace");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, pace_runs, 0, NID_NELEM(pace_vectors));
	tcase_add_test(tc, pace_3des);
	tcase_add_loop_test(tc, mse_set_at, 0, NID_NELEM(mse_vectors));
	tcase_add_test(tc, ga_refusals);
	tcase_add_loop_test(tc, ga_dh_range, 0, NID_NELEM(dh_bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("issue");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, issue_dg1_parses);
	tcase_add_test(tc, issue_td3_specimen);
	tcase_add_test(tc, issue_signed_sod);
	tcase_add_loop_test(tc, issue_bad_person, 0, NID_NELEM(bad_persons));
	tcase_add_loop_test(tc, image_bad_icao, 0, NID_NELEM(bad_icao));
	tcase_add_test(tc, image_plain_ef);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(suite());
}
