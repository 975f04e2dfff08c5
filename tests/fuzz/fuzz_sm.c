/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_sm.c — secure messaging (sm.c, ICAO 9303-11 §9.8) with fixed test
 * keys and send sequence counters:
 *   3DES: KS_enc 979EC13B…, KS_mac F1CB1F1F…, SSC 887022120C06C227 /
 *         …229 / …22B (the states before the three responses of ICAO
 *         9303-11 Appendix D.4, ../shared/vectors §1.4);
 *   AES:  KS_enc A8E85E93…, KS_mac 27F1ADEB…, SSC 00…0B (../shared/vectors
 *         §2.4, GM TestSecureMessageDecode).
 *
 * Byte 0 of the input chooses: bits 0-1 the mode, bit 2 AES, bits 3-4 the
 * 3DES SSC. The rest is the payload.
 *   mode 0  the payload is a response to unwrap as it is;
 *   mode 1  payload = SW ‖ body: the harness appends DO'8E' with the right
 *           MAC over the body, so the parsing and decryption behind the
 *           MAC check are reached; a body of [87|85] 99 must not fail
 *           the MAC;
 *   mode 2  payload = SW ‖ flags ‖ plaintext: the harness encrypts the
 *           plaintext (its padding as given) into DO'87' (or '85'), adds
 *           DO'99' and the MAC: unwrap must succeed exactly when the
 *           plaintext ends in ISO/IEC 9797-1 method 2 padding, and return
 *           it unpadded;
 *   mode 3  round trips terminal → card (wrap_cmd / unwrap_cmd) and card
 *           → terminal (wrap_rsp / unwrap_rsp) of a command and response
 *           made from the payload; both must come back equal.
 * Always: an error leaves no data and SW 0 and breaks the session (the
 * next call fails with NID_E_SM_STATE); a protected response accepted
 * once is refused at the next SSC.
 */
#include "config.h"

#include <string.h>

#include <openssl/evp.h>

#include "nid_internal.h"
#include "sm.h"
#include "fuzz.h"

static const uint8_t des_enc[16] = {
	0x97, 0x9e, 0xc1, 0x3b, 0x1c, 0xbf, 0xe9, 0xdc,
	0xd0, 0x1a, 0xb0, 0xfe, 0xd3, 0x07, 0xea, 0xe5 };
static const uint8_t des_mac[16] = {
	0xf1, 0xcb, 0x1f, 0x1f, 0xb5, 0xad, 0xf2, 0x08,
	0x80, 0x6b, 0x89, 0xdc, 0x57, 0x9d, 0xc1, 0xf8 };
static const uint8_t des_ssc[4][8] = {
	{ 0x88, 0x70, 0x22, 0x12, 0x0c, 0x06, 0xc2, 0x27 },
	{ 0x88, 0x70, 0x22, 0x12, 0x0c, 0x06, 0xc2, 0x29 },
	{ 0x88, 0x70, 0x22, 0x12, 0x0c, 0x06, 0xc2, 0x2b },
	/* the SSC just before the end of the session (all FF) */
	{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe } };
static const uint8_t aes_enc[16] = {
	0xa8, 0xe8, 0x5e, 0x93, 0x85, 0x14, 0xec, 0x67,
	0xae, 0x33, 0xcd, 0xa3, 0xd4, 0x3d, 0x3c, 0x48 };
static const uint8_t aes_mac[16] = {
	0x27, 0xf1, 0xad, 0xeb, 0x70, 0x5a, 0x04, 0x9a,
	0x30, 0x5b, 0x0c, 0x61, 0x9b, 0x14, 0xb9, 0xb3 };
static const uint8_t aes_ssc[16] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b };

struct keys {
	enum nid_sm_cipher cipher;
	const uint8_t *enc, *mac;
	uint8_t ssc[16];
	size_t bs;
};

static void
keys_pick(uint8_t sel, struct keys *k)
{
	memset(k, 0, sizeof(*k));
	if (sel & 4) {
		k->cipher = NID_SM_AES;
		k->enc = aes_enc;
		k->mac = aes_mac;
		memcpy(k->ssc, aes_ssc, 16);
		k->bs = 16;
	} else {
		k->cipher = NID_SM_3DES;
		k->enc = des_enc;
		k->mac = des_mac;
		memcpy(k->ssc, des_ssc[(sel >> 3) & 3], 8);
		k->bs = 8;
	}
}

static nid_sm_t *
session(const struct keys *k)
{
	nid_sm_t *sm = NULL;

	FUZZ_ASSERT(nid_sm_new(k->cipher, k->enc, k->mac, 16, k->ssc, k->bs,
	    &sm) == NID_OK);
	return sm;
}

/* The SSC the next unwrap will use (SSC + 1; no start SSC is all FF). */
static void
ssc_next(const struct keys *k, uint8_t out[16])
{
	size_t i;

	memcpy(out, k->ssc, k->bs);
	for (i = k->bs; i > 0; i--) {
		if (++out[i - 1] != 0)
			break;
	}
}

/* Does one step exhaust the session (the SSC becomes all FF)? */
static int
ssc_last(const struct keys *k)
{
	uint8_t next[16];
	size_t i;

	ssc_next(k, next);
	for (i = 0; i < k->bs; i++) {
		if (next[i] != 0xff)
			return 0;
	}
	return 1;
}

/* MAC over pad(SSC' ‖ body) as the card computes it (§9.8.6). */
static void
mac_body(const struct keys *k, const uint8_t ssc[16], const uint8_t *body,
    size_t len, uint8_t mac[8])
{
	nid_buf m;

	nid_buf_init(&m, NID_BUF_MAX_DEFAULT);
	FUZZ_ASSERT(nid_buf_put(&m, ssc, k->bs) == NID_OK);
	FUZZ_ASSERT(nid_buf_put(&m, body, len) == NID_OK);
	if (k->cipher == NID_SM_3DES) {
		/* retail MAC pads itself */
		FUZZ_ASSERT(nid_sm_retail_mac(k->mac, m.p, m.len, mac) == NID_OK);
	} else {
		FUZZ_ASSERT(nid_buf_put_u8(&m, 0x80) == NID_OK);
		while (m.len % 16 != 0)
			FUZZ_ASSERT(nid_buf_put_u8(&m, 0x00) == NID_OK);
		FUZZ_ASSERT(nid_sm_aes_cmac8(k->mac, 16, m.p, m.len, mac) ==
		    NID_OK);
	}
	nid_buf_clear(&m);
}

/* Encrypt whole blocks as the card does: 3DES IV 0, AES IV E(K, SSC'). */
static void
encrypt(const struct keys *k, const uint8_t ssc[16], const uint8_t *in,
    size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c;
	uint8_t iv[16];
	int n = 0;

	if (k->cipher == NID_SM_3DES) {
		FUZZ_ASSERT(nid_sm_des3_cbc(k->enc, 1, in, len, out) == NID_OK);
		return;
	}
	FUZZ_ASSERT((c = EVP_CIPHER_CTX_new()) != NULL);
	FUZZ_ASSERT(EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, k->enc,
	    NULL) == 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	FUZZ_ASSERT(EVP_EncryptUpdate(c, iv, &n, ssc, 16) == 1 && n == 16);
	FUZZ_ASSERT(EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, k->enc,
	    iv) == 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	FUZZ_ASSERT(EVP_EncryptUpdate(c, out, &n, in, (int)len) == 1 &&
	    (size_t)n == len);
	EVP_CIPHER_CTX_free(c);
}

/*
 * Unwrap with the invariants that hold for every response; returns the
 * result code. Destroys the session on failure (checks it is broken).
 */
static int
unwrap_checked(nid_sm_t *sm, const uint8_t *rsp, size_t len, nid_buf *data,
    uint16_t *sw)
{
	nid_buf more;
	uint16_t sw2 = 0xeeee;
	int rc;

	*sw = 0xeeee;
	rc = nid_sm_unwrap_rsp(sm, rsp, len, data, sw);
	nid_buf_init(&more, NID_SM_DATA_MAX);
	if (rc != NID_OK) {
		FUZZ_ASSERT(rc == NID_E_SM_FORMAT || rc == NID_E_SM_MAC ||
		    rc == NID_E_SM_STATE || rc == NID_E_TOO_LARGE);
		FUZZ_ASSERT(data->len == 0 && *sw == 0);
		/* A failed unwrap ends the session. */
		FUZZ_ASSERT(nid_sm_unwrap_rsp(sm, rsp, len, &more, &sw2) ==
		    NID_E_SM_STATE);
		FUZZ_ASSERT(more.len == 0 && sw2 == 0);
	} else {
		FUZZ_ASSERT(data->len <= NID_SM_DATA_MAX);
		FUZZ_ASSERT(data->len == 0 || len > 2);
		/*
		 * Replayed at the next SSC, a protected response never
		 * verifies (a bare error SW is accepted each time).
		 */
		if (len > 2) {
			rc = nid_sm_unwrap_rsp(sm, rsp, len, &more, &sw2);
			FUZZ_ASSERT(rc == NID_E_SM_MAC || rc == NID_E_SM_STATE);
			rc = NID_OK;
		}
	}
	nid_buf_clear(&more);
	return rc;
}

/* Mode 0: the payload as it is. */
static void
mode_raw(const struct keys *k, const uint8_t *p, size_t n)
{
	nid_sm_t *sm = session(k);
	nid_buf data;
	uint16_t sw;

	nid_buf_init(&data, NID_SM_DATA_MAX);
	(void)unwrap_checked(sm, p, n, &data, &sw);
	nid_buf_clear(&data);
	nid_sm_free(&sm);
	FUZZ_ASSERT(sm == NULL);
}

/* Is body exactly [87|85 TLV] 99 02 xx xx (lenient lengths)? */
static int
body_well_formed(const uint8_t *p, size_t n)
{
	nid_cur c, v;
	uint32_t tag;

	nid_cur_init(&c, p, n);
	if (nid_tlv_next(&c, 0, &tag, &v) != NID_OK)
		return 0;
	if (tag == 0x87 || tag == 0x85) {
		if (nid_tlv_next(&c, 0, &tag, &v) != NID_OK)
			return 0;
	}
	return tag == 0x99 && v.len == 2 && c.len == 0;
}

/* Mode 1: body from the fuzzer, MAC from the harness. */
static void
mode_macfix(const struct keys *k, const uint8_t *p, size_t n)
{
	nid_sm_t *sm;
	nid_buf rsp, data;
	uint8_t ssc[16], mac[8];
	uint16_t sw;
	int rc;

	if (n < 2)
		return;
	ssc_next(k, ssc);
	nid_buf_init(&rsp, NID_BUF_MAX_DEFAULT);
	nid_buf_init(&data, NID_SM_DATA_MAX);
	mac_body(k, ssc, p + 2, n - 2, mac);
	FUZZ_ASSERT(nid_buf_put(&rsp, p + 2, n - 2) == NID_OK);
	FUZZ_ASSERT(nid_buf_put(&rsp, "\x8e\x08", 2) == NID_OK);
	FUZZ_ASSERT(nid_buf_put(&rsp, mac, 8) == NID_OK);
	FUZZ_ASSERT(nid_buf_put(&rsp, p, 2) == NID_OK);
	sm = session(k);
	rc = unwrap_checked(sm, rsp.p, rsp.len, &data, &sw);
	if (body_well_formed(p + 2, n - 2))
		FUZZ_ASSERT(rc != NID_E_SM_MAC);
	if (rc == NID_OK)
		FUZZ_ASSERT(body_well_formed(p + 2, n - 2));
	nid_sm_free(&sm);
	nid_buf_clear(&rsp);
	nid_buf_clear(&data);
}

/* Mode 2: plaintext from the fuzzer, encrypted and MACed here. */
static void
mode_plain(const struct keys *k, const uint8_t *p, size_t n)
{
	nid_sm_t *sm;
	nid_buf rsp, data;
	uint8_t ssc[16], mac[8], *ct;
	size_t plen, i, dlen;
	uint16_t sw, want_sw;
	int rc, odd, padded;

	if (n < 3)
		return;
	ssc_next(k, ssc);
	want_sw = (uint16_t)(p[0] << 8 | p[1]);
	odd = p[2] & 1;
	plen = (n - 3) / k->bs * k->bs;
	if (plen == 0 || plen > NID_SM_DATA_MAX)
		return;
	p += 3;
	/* ISO/IEC 9797-1 method 2: ... 80 00*, at most one block of it. */
	for (i = plen; i > 0 && p[i - 1] == 0x00; i--)
		continue;
	padded = i > 0 && p[i - 1] == 0x80 && plen - (i - 1) <= k->bs;
	dlen = i > 0 ? i - 1 : 0;

	FUZZ_ASSERT((ct = malloc(plen)) != NULL);
	encrypt(k, ssc, p, plen, ct);
	nid_buf_init(&rsp, NID_BUF_MAX_DEFAULT);
	nid_buf_init(&data, NID_SM_DATA_MAX);
	if (odd) {
		FUZZ_ASSERT(nid_tlv_put(&rsp, 0x85, ct, plen) == NID_OK);
	} else {
		FUZZ_ASSERT(nid_tlv_put_header(&rsp, 0x87, plen + 1) == NID_OK);
		FUZZ_ASSERT(nid_buf_put_u8(&rsp, 0x01) == NID_OK);
		FUZZ_ASSERT(nid_buf_put(&rsp, ct, plen) == NID_OK);
	}
	FUZZ_ASSERT(nid_buf_put(&rsp, "\x99\x02", 2) == NID_OK);
	FUZZ_ASSERT(nid_buf_put_be16(&rsp, want_sw) == NID_OK);
	mac_body(k, ssc, rsp.p, rsp.len, mac);
	FUZZ_ASSERT(nid_buf_put(&rsp, "\x8e\x08", 2) == NID_OK);
	FUZZ_ASSERT(nid_buf_put(&rsp, mac, 8) == NID_OK);
	FUZZ_ASSERT(nid_buf_put_be16(&rsp, 0x9000) == NID_OK);

	sm = session(k);
	rc = unwrap_checked(sm, rsp.p, rsp.len, &data, &sw);
	if (padded) {
		FUZZ_ASSERT(rc == NID_OK);
		FUZZ_ASSERT(sw == want_sw);
		FUZZ_ASSERT(data.len == dlen);
		FUZZ_ASSERT(dlen == 0 || memcmp(data.p, p, dlen) == 0);
	} else
		FUZZ_ASSERT(rc == NID_E_SM_FORMAT);
	nid_sm_free(&sm);
	free(ct);
	nid_buf_clear(&rsp);
	nid_buf_clear(&data);
}

/* Mode 3: terminal → card → terminal round trip. */
static void
mode_roundtrip(const struct keys *k, const uint8_t *p, size_t n)
{
	nid_sm_t *term, *card;
	nid_apdu a = { 0 }, got;
	nid_buf wire, storage, data;
	size_t avail;
	uint16_t sw, want_sw;
	int ext, got_ext = -1, rc;

	if (n < 9)
		return;
	a.cla = (uint8_t)(p[0] & 0xf3); /* SM bits are the wrapper's */
	a.ins = p[1];
	a.p1 = p[2];
	a.p2 = p[3];
	ext = p[4] & 1;
	avail = n - 9;
	a.nc = ((size_t)p[5] << 8 | p[6]) % (avail + 1);
	if (a.nc > NID_NC_EXT_MAX)
		a.nc = NID_NC_EXT_MAX;
	a.data = a.nc > 0 ? p + 9 : NULL;
	a.ne = (size_t)p[7] << 8 | p[8];
	if (a.ne == 0 && (p[4] & 2))
		a.ne = NID_NE_EXT_MAX;
	want_sw = (uint16_t)(0x9000 | (p[4] >> 2)); /* 90xx, xx from input */

	term = session(k);
	card = session(k);
	nid_buf_init(&wire, NID_BUF_MAX_DEFAULT);
	nid_buf_init(&storage, NID_SM_DATA_MAX);
	nid_buf_init(&data, NID_SM_DATA_MAX);
	rc = nid_sm_wrap_cmd(term, &a, ext, &wire);
	if (rc == NID_OK) {
		rc = nid_sm_unwrap_cmd(card, wire.p, wire.len, &got, &storage,
		    &got_ext);
		FUZZ_ASSERT(rc == NID_OK);
		FUZZ_ASSERT(got.cla == a.cla && got.ins == a.ins &&
		    got.p1 == a.p1 && got.p2 == a.p2);
		FUZZ_ASSERT(got.nc == a.nc && got.ne == a.ne);
		FUZZ_ASSERT(a.nc == 0 || memcmp(got.data, a.data, a.nc) == 0);
		if (ext)
			FUZZ_ASSERT(got_ext == 1);

		/* The response: the command's data echoed, SW 90xx. */
		nid_buf_reset(&wire);
		rc = nid_sm_wrap_rsp(card, a.ins & 1, a.data, a.nc, want_sw,
		    &wire);
		if (ssc_last(k)) {
			/* The command used the last SSC. */
			FUZZ_ASSERT(rc == NID_E_SM_STATE && wire.len == 0);
			goto out;
		}
		FUZZ_ASSERT(rc == NID_OK);
		rc = unwrap_checked(term, wire.p, wire.len, &data, &sw);
		FUZZ_ASSERT(rc == NID_OK);
		FUZZ_ASSERT(sw == want_sw && data.len == a.nc);
		FUZZ_ASSERT(a.nc == 0 || memcmp(data.p, a.data, a.nc) == 0);
	} else {
		FUZZ_ASSERT(rc == NID_E_INVALID_ARG || rc == NID_E_SM_STATE ||
		    rc == NID_E_TOO_LARGE);
	}
out:
	nid_sm_free(&term);
	nid_sm_free(&card);
	nid_buf_clear(&wire);
	nid_buf_clear(&storage);
	nid_buf_clear(&data);
}

/* The card side on raw bytes: must fail cleanly or give a sane APDU. */
static void
card_raw(const struct keys *k, const uint8_t *p, size_t n)
{
	nid_sm_t *card = session(k);
	nid_buf storage;
	nid_apdu a;
	int ext = -1, rc;

	nid_buf_init(&storage, NID_SM_DATA_MAX);
	rc = nid_sm_unwrap_cmd(card, p, n, &a, &storage, &ext);
	if (rc == NID_OK) {
		FUZZ_ASSERT(ext == 0 || ext == 1);
		FUZZ_ASSERT(a.nc <= storage.len);
	} else {
		FUZZ_ASSERT(storage.len == 0);
	}
	nid_buf_clear(&storage);
	nid_sm_free(&card);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keys k;

	if (size < 1)
		return 0;
	keys_pick(data[0], &k);
	switch (data[0] & 3) {
	case 0:
		mode_raw(&k, data + 1, size - 1);
		card_raw(&k, data + 1, size - 1);
		break;
	case 1:
		mode_macfix(&k, data + 1, size - 1);
		break;
	case 2:
		mode_plain(&k, data + 1, size - 1);
		break;
	default:
		mode_roundtrip(&k, data + 1, size - 1);
		break;
	}
	return 0;
}
