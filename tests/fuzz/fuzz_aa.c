/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_aa.c — Active Authentication (aa.c, ICAO 9303-11 §6.1): ISO/IEC
 * 9796-2 scheme 1 message recovery from a chip's RSA signature, the
 * ECDSA plain/DER conversions (BSI TR-03111 §5.2.1) and verification,
 * and the whole INTERNAL AUTHENTICATE exchange over card.c and the
 * replay transport.
 *
 * Keys are made once per process: RSA-1024 (e = 65537) and EC P-256.
 * The challenge is fixed. Byte 0 of the input picks the mode:
 *   0  the rest is a message representative J (k = 128 bytes, cut or
 *      zero-padded, top bit cleared so that J < n); the harness signs it
 *      with the raw private operation, Σ = J^d mod n;
 *   1  the same, sent the other way: Σ = (n − J)^d mod n;
 *   2  the harness builds a well-formed J from the rest (byte 1: the
 *      trailer, BC or one of the hh CC; byte 2: padding length; then
 *      M1) with H = hash(M1 ‖ challenge), and signs it;
 *   3  the rest is an ECDSA answer (plain r ‖ s or DER);
 *   4  byte 1 picks the key (bit 0: EC) and byte 2 bit 0 an extended-
 *      length card; the rest is the card's answers in the framing of
 *      fuzz_split_next() (a 1-byte piece: a transport failure), and
 *      nid_aa_run runs over them.
 *
 * Invariants: modes 0–2 always examine the signature (NID_OK); when it
 * verifies, the representative recovered is exactly the J signed, its
 * layout (header, padding, M1, H, trailer) covers the k bytes, H is the
 * hash of M1 ‖ challenge and `negated` tells which way it was sent;
 * mode 2 always verifies, with the padding, M1 and hash the harness
 * chose. Mode 3: the plain → DER → plain and strict DER → plain → DER
 * round trips give back their input; a signature never verifies (the EC
 * key is made at run time, no input holds a signature under it). Mode
 * 4: nid_aa_run gives an outcome (never a pass: no input can sign under
 * the run-time keys) or a transport error, and counts the APDUs the
 * wire saw.
 */
#include "config.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "nid_internal.h"
#include "aa.h"
#include "card.h"
#include "replay.h"
#include "fuzz.h"

#define K 128u                  /* RSA-1024 */
#define STEPS_MAX 64

static EVP_PKEY *rsa, *ec;
static BIGNUM *n_bn;
static const uint8_t challenge[NID_AA_CHALLENGE_LEN] = {
	0x46, 0x08, 0xf9, 0x19, 0x88, 0x70, 0x22, 0x12	/* any 8 bytes */
};

static const int step_errors[] = {
	NID_E_CARD_REMOVED, NID_E_TIMEOUT, NID_E_CARD_RESET, NID_E_TRANSPORT
};

/* ISO/IEC 10118-3 hash identifiers of the hh CC trailer. */
static const struct {
	uint8_t hh;		/* 0: trailer BC, implicit SHA-1 */
	int nid;
} trailers[] = {
	{ 0x00, NID_sha1 }, { 0x33, NID_sha1 }, { 0x38, NID_sha224 },
	{ 0x34, NID_sha256 }, { 0x36, NID_sha384 }, { 0x35, NID_sha512 },
};

static void
keys_init(void)
{
	if (rsa != NULL)
		return;
	FUZZ_ASSERT((rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
	    (size_t)(K * 8))) != NULL);
	FUZZ_ASSERT((ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "prime256v1")) != NULL);
	FUZZ_ASSERT(EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_N,
	    &n_bn) == 1);
}

/* Σ = J^d mod n (negate: (n − J)^d mod n), raw RSA. */
static void
rsa_sign_raw(const uint8_t j[K], int negate, uint8_t sig[K])
{
	EVP_PKEY_CTX *pc;
	BIGNUM *b;
	uint8_t m[K];
	size_t sl = K;

	memcpy(m, j, K);
	if (negate) {
		/* n − 0 = n is no RSA input: J = 0 stays 0 */
		FUZZ_ASSERT((b = BN_bin2bn(j, (int)K, NULL)) != NULL);
		if (!BN_is_zero(b)) {
			FUZZ_ASSERT(BN_sub(b, n_bn, b) == 1);
			FUZZ_ASSERT(BN_bn2binpad(b, m, (int)K) == (int)K);
		}
		BN_free(b);
	}
	FUZZ_ASSERT((pc = EVP_PKEY_CTX_new_from_pkey(NULL, rsa, NULL)) !=
	    NULL);
	FUZZ_ASSERT(EVP_PKEY_sign_init(pc) == 1);
	FUZZ_ASSERT(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_NO_PADDING) == 1);
	FUZZ_ASSERT(EVP_PKEY_sign(pc, sig, &sl, m, K) == 1 && sl == K);
	EVP_PKEY_CTX_free(pc);
}

/* Verify Σ; check the representative when it verifies. */
static int
check_9796(const uint8_t j[K], int negate)
{
	struct nid_aa_rep rep;
	const EVP_MD *md;
	EVP_MD_CTX *mc;
	uint8_t sig[K], h[EVP_MAX_MD_SIZE];
	unsigned int hl;
	char why[200];
	int ok = -1;

	rsa_sign_raw(j, negate, sig);
	memset(why, 'x', sizeof(why));
	FUZZ_ASSERT(nid_aa_9796_verify(rsa, sig, K, challenge,
	    sizeof(challenge), NID_sha1, &rep, &ok, why, sizeof(why)) ==
	    NID_OK);
	FUZZ_ASSERT(ok == 0 || ok == 1);
	FUZZ_ASSERT(memchr(why, '\0', sizeof(why)) != NULL);
	FUZZ_ASSERT(rep.k == K);
	if (!ok) {
		FUZZ_ASSERT(why[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(memcmp(rep.j, j, K) == 0);
	/* J ≡ 12 mod 16 and n odd: exactly one way verifies. */
	FUZZ_ASSERT(rep.negated == negate);
	FUZZ_ASSERT(rep.partial == 1);
	FUZZ_ASSERT(rep.m1_off == (rep.pad_nibbles + 1) / 2);
	FUZZ_ASSERT(rep.m1_len >= 1);
	FUZZ_ASSERT(rep.m1_off + rep.m1_len == rep.h_off);
	FUZZ_ASSERT(rep.h_off + rep.h_len + rep.trailer_len == K);
	FUZZ_ASSERT((md = EVP_get_digestbynid(rep.md_nid)) != NULL);
	FUZZ_ASSERT((mc = EVP_MD_CTX_new()) != NULL);
	FUZZ_ASSERT(EVP_DigestInit_ex(mc, md, NULL) == 1 &&
	    EVP_DigestUpdate(mc, j + rep.m1_off, rep.m1_len) == 1 &&
	    EVP_DigestUpdate(mc, challenge, sizeof(challenge)) == 1 &&
	    EVP_DigestFinal_ex(mc, h, &hl) == 1);
	EVP_MD_CTX_free(mc);
	FUZZ_ASSERT(hl == rep.h_len && memcmp(h, j + rep.h_off, hl) == 0);
	return 1;
}

/* Mode 2: a well-formed representative from the fuzzer's choices. */
static void
build_9796(const uint8_t *p, size_t len)
{
	const EVP_MD *md;
	EVP_MD_CTX *mc;
	uint8_t j[K];
	unsigned int hl;
	size_t ti, tl, hsz, t, room, m1_off, m1_len, i;

	if (len < 2)
		return;
	ti = p[0] % NID_NELEM(trailers);
	FUZZ_ASSERT((md = EVP_get_digestbynid(trailers[ti].nid)) != NULL);
	hsz = (size_t)EVP_MD_get_size(md);
	tl = trailers[ti].hh == 0 ? 1 : 2;
	/* 1 header byte (6A or 6B), t more padding bytes, M1 ≥ 1 byte. */
	room = K - 1 - hsz - tl;
	t = p[1] % room;
	m1_off = 1 + t;
	m1_len = K - tl - hsz - m1_off;
	p += 2;
	len -= 2;
	memset(j, 0, sizeof(j));
	j[0] = t == 0 ? 0x6A : 0x6B;
	for (i = 1; i < m1_off; i++)
		j[i] = i + 1 == m1_off ? 0xBA : 0xBB;
	memcpy(j + m1_off, p, len < m1_len ? len : m1_len);
	FUZZ_ASSERT((mc = EVP_MD_CTX_new()) != NULL);
	FUZZ_ASSERT(EVP_DigestInit_ex(mc, md, NULL) == 1 &&
	    EVP_DigestUpdate(mc, j + m1_off, m1_len) == 1 &&
	    EVP_DigestUpdate(mc, challenge, sizeof(challenge)) == 1 &&
	    EVP_DigestFinal_ex(mc, j + m1_off + m1_len, &hl) == 1);
	EVP_MD_CTX_free(mc);
	FUZZ_ASSERT(hl == hsz);
	if (tl == 1) {
		j[K - 1] = 0xBC;
	} else {
		j[K - 2] = trailers[ti].hh;
		j[K - 1] = 0xCC;
	}
	FUZZ_ASSERT(nid_aa_trailer_md(trailers[ti].hh == 0 ? 0x33 :
	    trailers[ti].hh) == trailers[ti].nid);
	FUZZ_ASSERT(check_9796(j, 0) == 1);
	FUZZ_ASSERT(check_9796(j, 1) == 1);
}

static void
ecdsa(const uint8_t *p, size_t len)
{
	nid_buf der;
	uint8_t plain[2 * 32];
	size_t L = 0;
	char why[200];
	int ok = -1, used = -1, der_form = -1, md;

	FUZZ_ASSERT(nid_aa_ec_field_len(ec, &L) == NID_OK && L == 32);
	nid_buf_init(&der, 4096);
	/* plain → DER → plain */
	if (nid_aa_ecdsa_plain_to_der(p, len, L, &der) == NID_OK) {
		FUZZ_ASSERT(len == 2 * L);
		FUZZ_ASSERT(nid_aa_ecdsa_der_to_plain(der.p, der.len, L,
		    plain) == NID_OK);
		FUZZ_ASSERT(memcmp(plain, p, len) == 0);
	} else
		FUZZ_ASSERT(len != 2 * L);
	/* strict DER → plain → DER */
	if (nid_aa_ecdsa_der_to_plain(p, len, L, plain) == NID_OK) {
		nid_buf_reset(&der);
		FUZZ_ASSERT(nid_aa_ecdsa_plain_to_der(plain, sizeof(plain), L,
		    &der) == NID_OK);
		FUZZ_ASSERT(der.len == len && memcmp(der.p, p, len) == 0);
	}
	nid_buf_clear(&der);
	/* Never a valid signature under the run-time key. */
	for (md = 0; md < 2; md++) {
		FUZZ_ASSERT(nid_aa_ecdsa_verify(ec, md ? NID_sha256 : NID_undef,
		    p, len, challenge, sizeof(challenge), &ok, &used,
		    &der_form, why, sizeof(why)) == NID_OK);
		FUZZ_ASSERT(ok == 0);
		FUZZ_ASSERT(memchr(why, '\0', sizeof(why)) != NULL);
	}
}

static void
run(const uint8_t *data, size_t size)
{
	fuzz_split sp;
	nid_ctx_t *ctx = NULL;
	nid_transport_t *t = NULL;
	nid_card_t *card = NULL;
	struct nid_chip_result res;
	const uint8_t *piece;
	size_t nsteps = 0, piece_len, i;
	int prc, rc, transport = 0;

	if (size < 2)
		return;
	FUZZ_ASSERT(nid_ctx_new(&ctx) == NID_OK);
	FUZZ_ASSERT(nid_replay_new(ctx, &t) == NID_OK);
	sp.p = data + 2;
	sp.len = size - 2;
	while (nsteps < STEPS_MAX && fuzz_split_next(&sp, &piece, &piece_len)) {
		prc = NID_OK;
		if (piece_len == 1)
			prc = step_errors[piece[0] % NID_NELEM(step_errors)];
		FUZZ_ASSERT(nid_replay_add(t, NULL, 0, piece, piece_len, prc) ==
		    NID_OK);
		nsteps++;
	}
	FUZZ_ASSERT(nid_card_new(t, &card) == NID_OK);
	if (data[1] & 1) {
		card->caps.extended = 1;
		card->caps.max_nc = NID_NC_EXT_MAX;
		card->caps.max_ne = NID_NE_EXT_MAX;
	}
	rc = nid_aa_run(card, (data[0] & 1) ? ec : rsa, NULL, challenge, &res);
	for (i = 0; i < NID_NELEM(step_errors); i++)
		if (rc == step_errors[i])
			transport = 1;
	FUZZ_ASSERT(rc == NID_OK || transport || rc == NID_E_CARD_PROTOCOL ||
	    rc == NID_E_TOO_LARGE || rc == NID_E_MALFORMED);
	FUZZ_ASSERT(strcmp(res.mechanism, "AA") == 0 && res.key_dg == 15);
	FUZZ_ASSERT(memchr(res.reason, '\0', sizeof(res.reason)) != NULL);
	FUZZ_ASSERT(memchr(res.algorithm, '\0', sizeof(res.algorithm)) !=
	    NULL);
	FUZZ_ASSERT(res.apdus <= nsteps + 1);
	if (rc == NID_OK) {
		FUZZ_ASSERT(res.result == NID_CHECK_FAIL ||
		    res.result == NID_CHECK_UNKNOWN);
		FUZZ_ASSERT(res.apdus >= 1);
	}
	nid_card_free(&card);
	nid_transport_free(&t);
	nid_ctx_free(&ctx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t j[K];

	if (size < 1)
		return 0;
	keys_init();
	switch (data[0] % 5) {
	case 0:
	case 1:
		memset(j, 0, sizeof(j));
		memcpy(j, data + 1, size - 1 < K ? size - 1 : K);
		j[0] &= 0x7f;	/* below n, whose top bit is set */
		(void)check_9796(j, data[0] % 5);
		break;
	case 2:
		build_9796(data + 1, size - 1);
		break;
	case 3:
		ecdsa(data + 1, size - 1);
		break;
	default:
		run(data + 1, size - 1);
		break;
	}
	ERR_clear_error();
	return 0;
}
