/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_aa.c — Active Authentication (src/lib/aa.c, ICAO 9303-11 §6.1):
 * ISO/IEC 9796-2 scheme 1 opening, plain ECDSA, INTERNAL AUTHENTICATE
 * over a scripted transport, and (suite "sim") the whole exchange with
 * the virtual card (src/sim/sim_aa.c) under secure messaging.
 *
 * Vectors and their sources:
 *  - RSA-1024, e = 65537, challenge 00×8, SHA-1, trailer BC: an INTERNAL
 *    AUTHENTICATE answer in BouncyCastle's ISO9796Test.doTest13,
 *    bcgit/bc-java@42c2dc626b2fb9256d8604e60fafdeae090a8b45
 *    core/src/test/java/org/bouncycastle/crypto/test/ISO9796Test.java;
 *  - the ISO/IEC 9796-2 edition 1 examples in the same file (mod3, e = 3):
 *    doTest5 (RIPEMD-160 implicit, partial recovery) and doTest4
 *    (RIPEMD-128, trailer 32CC, full recovery: refused here);
 *  - the representatives J = Σ^e mod n of those three were computed
 *    independently with Python's pow(s, e, n) and are checked byte for
 *    byte, with the position of every field;
 *  - no published SHA-2 trailer (hh CC) or RSA-2048 vector was found:
 *    those are built in this file from the ISO/IEC 9796-2 format with
 *    OpenSSL's raw private operation (an independent construction, not
 *    aa.c's code);
 *  - ECDSA P-256: RFC 6979 §A.2.5 (key, message "sample", SHA-224 and
 *    SHA-256 signatures);
 *  - plain ↔ DER: BSI TR-03111 §5.2.1 (plain), X9.62 ECDSA-Sig-Value and
 *    ITU-T X.690 §8.3 (minimal INTEGERs), written out by hand below.
 */
#include "config.h"

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "testutil.h"
#include "testpki.h"
#include "aa.h"
#include "atr.h"
#include "card.h"
#include "emrtd.h"
#include "lds.h"
#include "secinfo.h"
#include "sim.h"
#include "sim_icao.h"
#include "sod.h"

/* ---- keys ------------------------------------------------------------- */

/* Generated once in main() (RSA key generation is slow); forked test
 * processes inherit them. */
static EVP_PKEY *rsa2048, *rsa1024, *p256;

static EVP_PKEY *
rsa_pub(const char *n_hex, unsigned long e)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params;
	EVP_PKEY_CTX *pctx;
	EVP_PKEY *pk = NULL;
	BIGNUM *n = NULL, *be;

	ck_assert_int_gt(BN_hex2bn(&n, n_hex), 0);
	ck_assert_ptr_nonnull(be = BN_new());
	ck_assert_int_eq(BN_set_word(be, e), 1);
	ck_assert_ptr_nonnull(bld = OSSL_PARAM_BLD_new());
	ck_assert_int_eq(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n),
	    1);
	ck_assert_int_eq(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E,
	    be), 1);
	ck_assert_ptr_nonnull(params = OSSL_PARAM_BLD_to_param(bld));
	ck_assert_ptr_nonnull(pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA",
	    NULL));
	ck_assert_int_eq(EVP_PKEY_fromdata_init(pctx), 1);
	ck_assert_int_eq(EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY,
	    params), 1);
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(be);
	return pk;
}

static EVP_PKEY *
ec_pub(const char *curve, const char *x_hex, const char *y_hex)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params;
	EVP_PKEY_CTX *pctx;
	EVP_PKEY *pk = NULL;
	nid_buf x = tu_hex(x_hex), y = tu_hex(y_hex), pt;

	nid_buf_init(&pt, 200);
	ck_assert_int_eq(nid_buf_put_u8(&pt, 0x04), NID_OK);
	ck_assert_int_eq(nid_buf_put(&pt, x.p, x.len), NID_OK);
	ck_assert_int_eq(nid_buf_put(&pt, y.p, y.len), NID_OK);
	ck_assert_ptr_nonnull(bld = OSSL_PARAM_BLD_new());
	ck_assert_int_eq(OSSL_PARAM_BLD_push_utf8_string(bld,
	    OSSL_PKEY_PARAM_GROUP_NAME, curve, 0), 1);
	ck_assert_int_eq(OSSL_PARAM_BLD_push_octet_string(bld,
	    OSSL_PKEY_PARAM_PUB_KEY, pt.p, pt.len), 1);
	ck_assert_ptr_nonnull(params = OSSL_PARAM_BLD_to_param(bld));
	ck_assert_ptr_nonnull(pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC",
	    NULL));
	ck_assert_int_eq(EVP_PKEY_fromdata_init(pctx), 1);
	ck_assert_int_eq(EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY,
	    params), 1);
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	nid_buf_clear(&x);
	nid_buf_clear(&y);
	nid_buf_clear(&pt);
	return pk;
}

/* n of an RSA key, k bytes big-endian. */
static void
modulus(EVP_PKEY *pk, uint8_t *out, size_t k)
{
	BIGNUM *n = NULL;

	ck_assert_int_eq(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n),
	    1);
	ck_assert_int_eq(BN_bn2binpad(n, out, (int)k), (int)k);
	BN_free(n);
}

/* n − s, k bytes. */
static void
negate(EVP_PKEY *pk, const uint8_t *s, uint8_t *out, size_t k)
{
	BIGNUM *n = NULL, *b;

	ck_assert_int_eq(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n),
	    1);
	ck_assert_ptr_nonnull(b = BN_bin2bn(s, (int)k, NULL));
	ck_assert_int_eq(BN_sub(b, n, b), 1);
	ck_assert_int_eq(BN_bn2binpad(b, out, (int)k), (int)k);
	BN_free(b);
	BN_free(n);
}

/* ---- published vectors ------------------------------------------------- */

/* BouncyCastle ISO9796Test.doTest13 (see the header). */
#define BC13_N "CDCBDABBF93BE8E8294E32B055256BBD0397735189BF75816341BB0D" \
	"488D05D627991221DF7D59835C76A4BB4808ADEEB779E7794504E956ADC2A661" \
	"B46904CDC71337DD29DDDD454124EF79CFDD7BC2C21952573CEFBA485CC38C6B" \
	"D2428809B5A31A898A6B5648CAA4ED678D9743B589134B7187478996300EDBA1" \
	"6271A861"
#define BC13_SIG "482E20D1EDDED34359C38F5E7C01203F9D6B2641CDCA5C404D49AD" \
	"AEDE034C7481D781D043722587761C90468DE69C6585A1E8B9C322F90E1B580E" \
	"EDAB3F6007D0C366CF92B4DB8B41C8314929DCE2BE889C0129123484D2FD3D12" \
	"763D2EBFD12AC8E51D7061AFCA1A53DEDEC7B9A617472A78C952CCC72467AE00" \
	"8E5F132994"
/* J = sig^65537 mod n: 6A ‖ M1 (106 bytes) ‖ SHA-1(M1 ‖ 00×8) ‖ BC. */
#define BC13_J "6a539bb29260e7bc226c8798b01af2caaadc3675e26065e1e3856615" \
	"894d5baef7d97634278d6dd609cf9091b68b248cc2f817ccc2e98ad7efa3b730" \
	"ee97afc20ad5c00e24f8a49b89cdb05613b5ce2094cc21c9afb84a23c771be5c" \
	"a500e8fb5d75f40d93cab6ee019569858613476fecd81b40f52798458036292b" \
	"7d4469bc"
#define BC13_H "858613476fecd81b40f52798458036292b7d4469"

/* ISO/IEC 9796-2 edition 1 examples as in BouncyCastle's ISO9796Test. */
#define ISO_MOD3 "ffffffff78f6c55506c59785e871211ee120b0b5dd644aa796d824" \
	"13a47b24573f1be5745b5cd9950f6b389b52350d4e01e90009669a8720bf265a" \
	"2865994190a661dea3c7828e2e7ca1b19651adc2d5"
#define ISO_MSG5 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba" \
	"9876543210fedcba9876543210fedcba9876543210fedcba9876543210fedcba" \
	"9876543210fedcba9876543210fedcba9876543210fedcba9876543210fedcba" \
	"9876543210fedcba9876543210fedcba9876543210"
#define ISO_SIG5 "5cf9a01854dbacaec83aae8efc563d74538192e95466babacd361d" \
	"7c86000fe42dcb4581e48e4feb862d04698da9203b1803b262105104d510b365" \
	"ee9c660857ba1c001aa57abfd1c8de92e47c275cae"
/* J = 6A ‖ M1 = msg5[0..58) ‖ RIPEMD-160(msg5) ‖ BC. */
#define ISO_J5 "6afedcba9876543210fedcba9876543210fedcba9876543210fedcba" \
	"9876543210fedcba9876543210fedcba9876543210fedcba9876543210fedc71" \
	"df2f2c3fff1e35df6920b45115fac5998ba88ebc"
#define ISO_MSG4 "6162636462636465636465666465666765666768666768696768696a" \
	"68696a6b696a6b6c6a6b6c6d6b6c6d6e6c6d6e6f6d6e6f706e6f7071"
#define ISO_SIG4 "374695b7ee8b273925b4656cc2e008d41463996534aa5aa5afe72a" \
	"52ffd84e118085f8558f36631471d043ad342de268b94b080bee18a068c10965" \
	"f581e7f32899ad378835477064abed8ef3bd530fce"
/* J = 4B BB BB BB BB BA ‖ msg4 (full recovery) ‖ RIPEMD-128 ‖ 32 CC. */
#define ISO_J4 "4bbbbbbbbbba6162636462636465636465666465666765666768666768" \
	"696768696a68696a6b696a6b6c6a6b6c6d6b6c6d6e6c6d6e6f6d6e6f706e6f70" \
	"71a1aa0689d0fafa2ddc22e88b49133a0632cc"

START_TEST(rsa_bc_internal_authenticate)
{
	EVP_PKEY *pk = rsa_pub(BC13_N, 65537);
	nid_buf sig = tu_hex(BC13_SIG);
	uint8_t chal[8] = { 0 }, neg[128];
	struct nid_aa_rep rep;
	char why[256];
	int ok = -1;

	ck_assert_int_eq(nid_aa_9796_verify(pk, sig.p, sig.len, chal, 8,
	    NID_sha1, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_msg(ok == 1, "%s", why);
	ck_assert_uint_eq(rep.k, 128);
	tu_assert_hex(rep.j, rep.k, BC13_J);
	ck_assert_int_eq(rep.negated, 0);
	ck_assert_int_eq(rep.partial, 1);
	ck_assert_uint_eq(rep.pad_nibbles, 1);   /* the A of 6A */
	ck_assert_uint_eq(rep.m1_off, 1);
	ck_assert_uint_eq(rep.m1_len, 106);
	ck_assert_uint_eq(rep.h_off, 107);
	ck_assert_uint_eq(rep.h_len, 20);
	ck_assert_uint_eq(rep.trailer_len, 1);
	ck_assert_int_eq(rep.md_nid, NID_sha1);
	tu_assert_hex(rep.j + rep.h_off, rep.h_len, BC13_H);
	ck_assert_str_eq(why, "");

	/* ISO/IEC 9796-2, odd e: n − Σ opens to the same J. */
	negate(pk, sig.p, neg, sizeof(neg));
	ck_assert_int_eq(nid_aa_9796_verify(pk, neg, sizeof(neg), chal, 8,
	    NID_sha1, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_msg(ok == 1, "%s", why);
	ck_assert_int_eq(rep.negated, 1);
	tu_assert_hex(rep.j, rep.k, BC13_J);

	/* Another challenge: H no longer matches. */
	chal[7] = 0x01;
	ck_assert_int_eq(nid_aa_9796_verify(pk, sig.p, sig.len, chal, 8,
	    NID_sha1, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	ck_assert_ptr_nonnull(strstr(why, "differs"));
	tu_assert_hex(rep.j, rep.k, BC13_J);
	chal[7] = 0x00;

	/* Trailer BC read as SHA-256: H would start 12 bytes earlier. */
	ck_assert_int_eq(nid_aa_9796_verify(pk, sig.p, sig.len, chal, 8,
	    NID_sha256, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	ck_assert_uint_eq(rep.h_off, 95);
	ck_assert_uint_eq(rep.m1_len, 94);

	/* Not an RSA key. */
	ck_assert_int_eq(nid_aa_9796_verify(p256, sig.p, sig.len, chal, 8,
	    NID_sha1, &rep, &ok, why, sizeof(why)), NID_E_INVALID_ARG);
	ck_assert_int_eq(ok, 0);
	nid_buf_clear(&sig);
	EVP_PKEY_free(pk);
}
END_TEST

START_TEST(rsa_iso_partial_recovery)
{
	EVP_PKEY *pk = rsa_pub(ISO_MOD3, 3);
	nid_buf sig = tu_hex(ISO_SIG5), msg = tu_hex(ISO_MSG5);
	struct nid_aa_rep rep;
	char why[256];
	int ok = -1;

	ck_assert_uint_eq(msg.len, 112);
	/* M2 = msg5[58..112): the non-recoverable part. */
	ck_assert_int_eq(nid_aa_9796_verify(pk, sig.p, sig.len, msg.p + 58,
	    msg.len - 58, NID_ripemd160, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_msg(ok == 1, "%s", why);
	ck_assert_uint_eq(rep.k, 80);
	tu_assert_hex(rep.j, rep.k, ISO_J5);
	ck_assert_int_eq(rep.partial, 1);
	ck_assert_uint_eq(rep.m1_off, 1);
	ck_assert_uint_eq(rep.m1_len, 58);
	ck_assert_int_eq(memcmp(rep.j + rep.m1_off, msg.p, 58), 0);
	ck_assert_uint_eq(rep.h_off, 59);
	ck_assert_uint_eq(rep.h_len, 20);
	ck_assert_uint_eq(rep.trailer_len, 1);
	/* The whole message as M2 is wrong: M1 would be counted twice. */
	ck_assert_int_eq(nid_aa_9796_verify(pk, sig.p, sig.len, msg.p,
	    msg.len, NID_ripemd160, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	nid_buf_clear(&sig);
	nid_buf_clear(&msg);
	EVP_PKEY_free(pk);
}
END_TEST

START_TEST(rsa_iso_full_recovery_refused)
{
	EVP_PKEY *pk = rsa_pub(ISO_MOD3, 3);
	nid_buf sig = tu_hex(ISO_SIG4);
	struct nid_aa_rep rep;
	char why[256];
	int ok = -1;

	ck_assert_int_eq(nid_aa_9796_verify(pk, sig.p, sig.len, NULL, 0,
	    NID_sha1, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	tu_assert_hex(rep.j, rep.k, ISO_J4);
	ck_assert_int_eq(rep.partial, 0);
	ck_assert_ptr_nonnull(strstr(why, "full message recovery"));
	nid_buf_clear(&sig);
	EVP_PKEY_free(pk);
}
END_TEST

/* ---- representatives built here --------------------------------------- */

/* Σ = J^d mod n with OpenSSL's raw private operation. */
static void
raw_sign(EVP_PKEY *priv, const uint8_t *j, size_t k, uint8_t *sig)
{
	EVP_PKEY_CTX *pctx;
	size_t n = k;

	ck_assert_ptr_nonnull(pctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv,
	    NULL));
	ck_assert_int_eq(EVP_PKEY_sign_init(pctx), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_NO_PADDING),
	    1);
	ck_assert_int_eq(EVP_PKEY_sign(pctx, sig, &n, j, k), 1);
	ck_assert_uint_eq(n, k);
	EVP_PKEY_CTX_free(pctx);
}

static void
digest(int md_nid, const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen, uint8_t *out, size_t *outlen)
{
	EVP_MD_CTX *m;
	unsigned int n = 0;

	ck_assert_ptr_nonnull(m = EVP_MD_CTX_new());
	ck_assert_int_eq(EVP_DigestInit_ex(m, EVP_get_digestbynid(md_nid),
	    NULL), 1);
	ck_assert_int_eq(EVP_DigestUpdate(m, a, alen), 1);
	ck_assert_int_eq(EVP_DigestUpdate(m, b, blen), 1);
	ck_assert_int_eq(EVP_DigestFinal_ex(m, out, &n), 1);
	*outlen = n;
	EVP_MD_CTX_free(m);
}

static const uint8_t chal_a[8] = { 0x46, 0x08, 0xF9, 0x19, 0x88, 0x70,
	0x22, 0x12 };  /* RND.IFD of ICAO 9303-11 Appendix D.3 */
static const uint8_t chal_b[8] = { 0x46, 0x08, 0xF9, 0x19, 0x88, 0x70,
	0x22, 0x13 };

static const struct rcase {
	const char *what;
	unsigned first;      /* first byte: header nibble ‖ first pad nibble */
	size_t nbb;          /* BB bytes after it, then BA when first is xB */
	int md_nid;          /* hash put in H */
	int trailer;         /* 0: BC, else the hash id of hh CC */
	int last;            /* >= 0: last byte forced (bad trailer) */
	int m1_empty;        /* padding fills everything up to H */
	int sign_b;          /* H over chal_b, verified against chal_a */
	int ok;
	const char *why;     /* substring of the reason, NULL when ok */
	size_t pad_nibbles, m1_off, trailer_len;
} rcases[] = {
	{ "SHA-1 trailer BC (ICAO)", 0x6A, 0, NID_sha1, 0, -1, 0, 0, 1, NULL,
	  1, 1, 1 },
	{ "SHA-1 trailer 33CC", 0x6A, 0, NID_sha1, 0x33, -1, 0, 0, 1, NULL,
	  1, 1, 2 },
	{ "SHA-224 trailer 38CC", 0x6A, 0, NID_sha224, 0x38, -1, 0, 0, 1,
	  NULL, 1, 1, 2 },
	{ "SHA-256 trailer 34CC", 0x6A, 0, NID_sha256, 0x34, -1, 0, 0, 1,
	  NULL, 1, 1, 2 },
	{ "SHA-384 trailer 36CC", 0x6A, 0, NID_sha384, 0x36, -1, 0, 0, 1,
	  NULL, 1, 1, 2 },
	{ "SHA-512 trailer 35CC", 0x6A, 0, NID_sha512, 0x35, -1, 0, 0, 1,
	  NULL, 1, 1, 2 },
	{ "padding 6B BB BA", 0x6B, 1, NID_sha1, 0, -1, 0, 0, 1, NULL,
	  5, 3, 1 },
	{ "RIPEMD-160 trailer 31CC", 0x6A, 0, NID_ripemd160, 0x31, -1, 0, 0,
	  0, "hash identifier 31", 1, 1, 2 },
	{ "trailer AC", 0x6A, 0, NID_sha1, 0, 0xAC, 0, 0, 0, "bad trailer",
	  1, 1, 0 },
	{ "header 4A (full recovery)", 0x4A, 0, NID_sha1, 0, -1, 0, 0, 0,
	  "full message recovery", 0, 0, 0 },
	{ "header 5A", 0x5A, 0, NID_sha1, 0, -1, 0, 0, 0, "bad header", 0, 0,
	  0 },
	{ "header 7A", 0x7A, 0, NID_sha1, 0, -1, 0, 0, 0, "bad header", 0, 0,
	  0 },
	{ "padding 6C", 0x6C, 0, NID_sha1, 0, -1, 0, 0, 0, "bad padding", 0,
	  0, 0 },
	{ "padding A on a high nibble (6B A..)", 0x6B, 0, NID_sha1, 0, -1, 0,
	  0, 0, "bad padding", 0, 0, 0 },
	{ "no M1", 0x6B, 0, NID_sha1, 0, -1, 1, 0, 0, "no room for M1", 0, 0,
	  0 },
	{ "signed over another challenge", 0x6A, 0, NID_sha256, 0x34, -1, 0, 1,
	  0, "differs", 1, 1, 2 },
};

/*
 * J for a case: first byte, BB bytes and BA (when first ends in B), M1
 * (0x5A..), H, trailer. With m1_empty the BB run reaches H.
 */
static void
build_j(const struct rcase *c, size_t k, uint8_t *j)
{
	uint8_t h[64];
	size_t hl = 0, tl = c->trailer != 0 ? 2 : 1, pos = 0, hoff, i;
	size_t mdlen = (size_t)EVP_MD_get_size(EVP_get_digestbynid(c->md_nid));

	hoff = k - tl - mdlen;
	j[pos++] = (uint8_t)c->first;
	if ((c->first & 0x0F) == 0x0B) {
		if (c->m1_empty) {
			while (pos < hoff - 1)
				j[pos++] = 0xBB;
			j[pos++] = 0xBA;
		} else if (c->nbb > 0 || c->first == 0x6B) {
			for (i = 0; i < c->nbb; i++)
				j[pos++] = 0xBB;
			/* "6B A.." case: nbb 0 puts A in the next high nibble */
			j[pos++] = c->nbb > 0 ? 0xBA : 0xA5;
		}
	}
	for (i = pos; i < hoff; i++)
		j[i] = (uint8_t)(0x5A + i);
	digest(c->md_nid, j + pos, hoff - pos, c->sign_b ? chal_b : chal_a, 8,
	    h, &hl);
	ck_assert_uint_eq(hl, mdlen);
	memcpy(j + hoff, h, hl);
	if (c->trailer != 0) {
		j[k - 2] = (uint8_t)c->trailer;
		j[k - 1] = 0xCC;
	} else
		j[k - 1] = 0xBC;
	if (c->last >= 0)
		j[k - 1] = (uint8_t)c->last;
}

START_TEST(rsa_constructed)
{
	const struct rcase *c = &rcases[_i];
	uint8_t j[256], sig[256], neg[256];
	struct nid_aa_rep rep;
	size_t k = 256, mdlen;
	char why[256];
	int ok = -1;

	build_j(c, k, j);
	raw_sign(rsa2048, j, k, sig);
	ck_assert_int_eq(nid_aa_9796_verify(rsa2048, sig, k, chal_a, 8,
	    NID_sha1, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_msg(ok == c->ok, "%s: ok %d: %s", c->what, ok, why);
	ck_assert_uint_eq(rep.k, k);
	ck_assert_int_eq(memcmp(rep.j, j, k), 0);  /* J recovered exactly */
	ck_assert_int_eq(rep.negated, 0);
	if (c->ok) {
		mdlen = (size_t)EVP_MD_get_size(EVP_get_digestbynid(c->md_nid));
		ck_assert_str_eq(why, "");
		ck_assert_int_eq(rep.md_nid, c->md_nid);
		ck_assert_uint_eq(rep.pad_nibbles, c->pad_nibbles);
		ck_assert_uint_eq(rep.m1_off, c->m1_off);
		ck_assert_uint_eq(rep.trailer_len, c->trailer_len);
		ck_assert_uint_eq(rep.h_len, mdlen);
		ck_assert_uint_eq(rep.h_off, k - c->trailer_len - mdlen);
		ck_assert_uint_eq(rep.m1_len, rep.h_off - rep.m1_off);
		/* and sent as n − Σ */
		negate(rsa2048, sig, neg, k);
		ck_assert_int_eq(nid_aa_9796_verify(rsa2048, neg, k, chal_a, 8,
		    NID_sha1, &rep, &ok, why, sizeof(why)), NID_OK);
		ck_assert_msg(ok == 1, "%s (n - s): %s", c->what, why);
		ck_assert_int_eq(rep.negated, 1);
		ck_assert_int_eq(memcmp(rep.j, j, k), 0);
	} else
		ck_assert_msg(strstr(why, c->why) != NULL, "%s: reason \"%s\", "
		    "want \"%s\"", c->what, why, c->why);
}
END_TEST

/* Signatures that are not k bytes, or not below n, or that open to
 * neither J* nor n − J* ≡ 12 mod 16. */
START_TEST(rsa_bad_signature_values)
{
	uint8_t j[256], sig[257], n[256];
	struct nid_aa_rep rep;
	char why[256];
	int ok = -1;
	unsigned nlow;

	build_j(&rcases[0], 256, j);
	raw_sign(rsa2048, j, 256, sig);
	/* short and long */
	ck_assert_int_eq(nid_aa_9796_verify(rsa2048, sig, 255, chal_a, 8,
	    NID_sha1, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	ck_assert_ptr_nonnull(strstr(why, "255 bytes"));
	sig[256] = 0;
	ck_assert_int_eq(nid_aa_9796_verify(rsa2048, sig, 257, chal_a, 8,
	    NID_sha1, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	/* Σ = n, Σ = FF..FF: not below the modulus */
	modulus(rsa2048, n, sizeof(n));
	ck_assert_int_eq(nid_aa_9796_verify(rsa2048, n, 256, chal_a, 8,
	    NID_sha1, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	ck_assert_ptr_nonnull(strstr(why, "not below the modulus"));
	memset(sig, 0xFF, 256);
	ck_assert_int_eq(nid_aa_9796_verify(rsa2048, sig, 256, chal_a, 8,
	    NID_sha1, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	ck_assert_ptr_nonnull(strstr(why, "not below the modulus"));
	/* J odd, and n − J ≢ 12 (mod 16): last nibble L with
	 * (n − L) mod 16 ≠ 12. */
	nlow = n[255] & 0x0Fu;
	j[255] = (uint8_t)(0xB0u | (((nlow + 16u - 1u) & 0x0Fu) != 12u ?
	    1u : 3u));
	raw_sign(rsa2048, j, 256, sig);
	ck_assert_int_eq(nid_aa_9796_verify(rsa2048, sig, 256, chal_a, 8,
	    NID_sha1, &rep, &ok, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	ck_assert_ptr_nonnull(strstr(why, "neither form"));
}
END_TEST

/* Every 7th bit of a good signature flipped: none verifies. */
START_TEST(rsa_bitflips)
{
	uint8_t j[128], sig[128];
	char why[256];
	int ok;
	size_t bit;

	build_j(&rcases[0], 128, j);
	raw_sign(rsa1024, j, 128, sig);
	ck_assert_int_eq(nid_aa_9796_verify(rsa1024, sig, 128, chal_a, 8,
	    NID_sha1, NULL, &ok, why, sizeof(why)), NID_OK);
	ck_assert_msg(ok == 1, "%s", why);
	for (bit = 0; bit < 128 * 8; bit += 7) {
		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_int_eq(nid_aa_9796_verify(rsa1024, sig, 128, chal_a,
		    8, NID_sha1, NULL, &ok, why, sizeof(why)), NID_OK);
		ck_assert_msg(ok == 0, "bit %zu flipped still verifies", bit);
		sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
}
END_TEST

START_TEST(trailer_and_sigalg_tables)
{
	/* ISO/IEC 10118-3 hash identifiers (ISO/IEC 9796-2 trailer). */
	ck_assert_int_eq(nid_aa_trailer_md(0x33), NID_sha1);
	ck_assert_int_eq(nid_aa_trailer_md(0x38), NID_sha224);
	ck_assert_int_eq(nid_aa_trailer_md(0x34), NID_sha256);
	ck_assert_int_eq(nid_aa_trailer_md(0x36), NID_sha384);
	ck_assert_int_eq(nid_aa_trailer_md(0x35), NID_sha512);
	ck_assert_int_eq(nid_aa_trailer_md(0x31), NID_undef);  /* RIPEMD-160 */
	ck_assert_int_eq(nid_aa_trailer_md(0x32), NID_undef);  /* RIPEMD-128 */
	ck_assert_int_eq(nid_aa_trailer_md(0x37), NID_undef);  /* Whirlpool */
	ck_assert_int_eq(nid_aa_trailer_md(0xBC), NID_undef);
	/* BSI TR-03111 ecdsa-plain-signatures 0.4.0.127.0.7.1.1.4.1.x. */
	ck_assert_int_eq(nid_aa_sigalg_md("0.4.0.127.0.7.1.1.4.1.1"), NID_sha1);
	ck_assert_int_eq(nid_aa_sigalg_md("0.4.0.127.0.7.1.1.4.1.2"),
	    NID_sha224);
	ck_assert_int_eq(nid_aa_sigalg_md("0.4.0.127.0.7.1.1.4.1.3"),
	    NID_sha256);
	ck_assert_int_eq(nid_aa_sigalg_md("0.4.0.127.0.7.1.1.4.1.4"),
	    NID_sha384);
	ck_assert_int_eq(nid_aa_sigalg_md("0.4.0.127.0.7.1.1.4.1.5"),
	    NID_sha512);
	ck_assert_int_eq(nid_aa_sigalg_md("0.4.0.127.0.7.1.1.4.1.6"),
	    NID_undef);  /* ecdsa-plain-RIPEMD160 */
	/* X9.62 ecdsa-with-SHAx (RFC 5758 §3.2). */
	ck_assert_int_eq(nid_aa_sigalg_md("1.2.840.10045.4.1"), NID_sha1);
	ck_assert_int_eq(nid_aa_sigalg_md("1.2.840.10045.4.3.2"), NID_sha256);
	ck_assert_int_eq(nid_aa_sigalg_md("1.2.840.10045.4.3.4"), NID_sha512);
	ck_assert_int_eq(nid_aa_sigalg_md("1.2.840.113549.1.1.11"), NID_undef);
	ck_assert_int_eq(nid_aa_sigalg_md(NULL), NID_undef);
	ck_assert_str_eq(nid_aa_md_name(NID_sha256), "SHA-256");
	ck_assert_str_eq(nid_aa_md_name(NID_md5), "unknown hash");
}
END_TEST

/* ---- ECDSA plain ↔ DER ------------------------------------------------- */

static const struct pd {
	const char *what;
	size_t field;
	const char *plain;
	const char *der;     /* NULL: plain_to_der fails (wrong length) */
} pds[] = {
	{ "short values", 4, "01020304" "05060708",
	  "300C" "020401020304" "020405060708" },
	{ "r high bit: 00 in front", 4, "81020304" "05060708",
	  "300D" "02050081020304" "020405060708" },
	{ "s high bit", 4, "01020304" "F5060708",
	  "300D" "020401020304" "020500F5060708" },
	{ "r leading zero dropped", 4, "00020304" "05060708",
	  "300B" "0203020304" "020405060708" },
	{ "r leading zero, then high bit", 4, "00800000" "05060708",
	  "300C" "020400800000" "020405060708" },
	{ "r zero", 4, "00000000" "05060708",
	  "3009" "020100" "020405060708" },
	{ "one-byte field", 1, "7F" "80", "3007" "02017F" "02020080" },
	/* RFC 6979 §A.2.5, P-256, SHA-256, "sample": both high bits set. */
	{ "RFC 6979 A.2.5", 32,
	  "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
	  "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
	  "3046"
	  "022100EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
	  "022100F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8" },
	{ "odd length", 4, "01020304050607", NULL },
	{ "field and length disagree", 3, "01020304" "05060708", NULL },
	{ "field 0", 0, "", NULL },
};

START_TEST(ecdsa_plain_der)
{
	const struct pd *c = &pds[_i];
	nid_buf plain = tu_hex(c->plain), der;
	uint8_t back[2 * NID_AA_EC_FIELD_MAX];
	int rc;

	nid_buf_init(&der, 512);
	rc = nid_aa_ecdsa_plain_to_der(plain.p, plain.len, c->field, &der);
	if (c->der == NULL) {
		ck_assert_int_eq(rc, NID_E_MALFORMED);
		ck_assert_uint_eq(der.len, 0);
	} else {
		ck_assert_msg(rc == NID_OK, "%s", c->what);
		tu_assert_hex(der.p, der.len, c->der);
		/* and back, exactly */
		ck_assert_int_eq(nid_aa_ecdsa_der_to_plain(der.p, der.len,
		    c->field, back), NID_OK);
		tu_assert_hex(back, 2 * c->field, c->plain);
	}
	nid_buf_clear(&plain);
	nid_buf_clear(&der);
}
END_TEST

static const struct bd {
	const char *what;
	size_t field;
	const char *der;
	int rc;
} bds[] = {
	{ "INTEGER not minimal (00 01)", 4, "3009" "02020001" "0203050607",
	  NID_E_MALFORMED },
	{ "INTEGER negative", 4, "3008" "020180" "0203050607",
	  NID_E_MALFORMED },
	{ "INTEGER empty", 4, "3007" "0200" "0203050607", NID_E_MALFORMED },
	{ "r longer than the field", 4, "300A" "02050102030405" "020106",
	  NID_E_TOO_LARGE },
	{ "r 00 + 5 bytes", 4, "300B" "0206008102030405" "020106",
	  NID_E_TOO_LARGE },
	{ "third INTEGER", 4, "3009" "020101" "020102" "020103",
	  NID_E_TRAILING },
	{ "bytes after the SEQUENCE", 4, "3006" "020101" "020102" "00",
	  NID_E_TRAILING },
	{ "s missing", 4, "3003" "020101", NID_E_TRUNCATED },
	{ "SET instead of SEQUENCE", 4, "3106" "020101" "020102",
	  NID_E_BAD_TLV },
	{ "OCTET STRING instead of INTEGER", 4, "3006" "040101" "020102",
	  NID_E_BAD_TLV },
	{ "long-form length where short would do", 4, "308106" "020101"
	  "020102", NID_E_BAD_TLV },
};

START_TEST(ecdsa_der_bad)
{
	const struct bd *c = &bds[_i];
	nid_buf der = tu_hex(c->der);
	uint8_t out[2 * NID_AA_EC_FIELD_MAX];
	int rc;

	rc = nid_aa_ecdsa_der_to_plain(der.p, der.len, c->field, out);
	ck_assert_msg(rc == c->rc, "%s: rc %d (%s), want %d", c->what, rc,
	    nid_strerror_name(rc), c->rc);
	nid_buf_clear(&der);
}
END_TEST

/* Every truncation of a valid DER signature fails. */
START_TEST(ecdsa_der_truncations)
{
	nid_buf der = tu_hex(pds[7].der);
	uint8_t out[64];
	size_t n;

	ck_assert_int_eq(nid_aa_ecdsa_der_to_plain(der.p, der.len, 32, out),
	    NID_OK);
	for (n = 0; n < der.len; n++)
		ck_assert_msg(nid_aa_ecdsa_der_to_plain(der.p, n, 32, out) !=
		    NID_OK, "truncated to %zu parses", n);
	nid_buf_clear(&der);
}
END_TEST

/* ---- ECDSA verification -------------------------------------------------- */

#define R6979_X "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
#define R6979_Y "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299"
#define R6979_SHA224 \
	"53B2FFF5D1752B2C689DF257C04C40A587FABABB3F6FC2702F1343AF7CA9AA3F" \
	"B9AFB64FDC03DC1A131C7D2386D11E349F070AA432A4ACC918BEA988BF75C74C"
#define R6979_SHA256 pds[7].plain

START_TEST(ecdsa_rfc6979)
{
	EVP_PKEY *pk = ec_pub("prime256v1", R6979_X, R6979_Y);
	nid_buf s256 = tu_hex(R6979_SHA256), s224 = tu_hex(R6979_SHA224);
	nid_buf der = tu_hex(pds[7].der);
	const uint8_t *msg = (const uint8_t *)"sample";
	char why[256];
	int ok, used, derf;
	size_t L, bit;

	ck_assert_int_eq(nid_aa_ec_field_len(pk, &L), NID_OK);
	ck_assert_uint_eq(L, 32);
	/* the hash named (DG14) */
	ck_assert_int_eq(nid_aa_ecdsa_verify(pk, NID_sha256, s256.p, s256.len,
	    msg, 6, &ok, &used, &derf, why, sizeof(why)), NID_OK);
	ck_assert_msg(ok == 1, "%s", why);
	ck_assert_int_eq(used, NID_sha256);
	ck_assert_int_eq(derf, 0);
	ck_assert_int_eq(nid_aa_ecdsa_verify(pk, NID_sha224, s224.p, s224.len,
	    msg, 6, &ok, &used, &derf, why, sizeof(why)), NID_OK);
	ck_assert_msg(ok == 1, "%s", why);
	/* the wrong hash named */
	ck_assert_int_eq(nid_aa_ecdsa_verify(pk, NID_sha384, s256.p, s256.len,
	    msg, 6, &ok, &used, &derf, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	ck_assert_str_eq(why, "the ECDSA signature does not verify with "
	    "SHA-384");
	/* no hash named: SHA-224, then SHA-256 (§6.1.2.3, ≤ 32 bytes) */
	ck_assert_int_eq(nid_aa_ecdsa_verify(pk, NID_undef, s256.p, s256.len,
	    msg, 6, &ok, &used, &derf, why, sizeof(why)), NID_OK);
	ck_assert_msg(ok == 1, "%s", why);
	ck_assert_int_eq(used, NID_sha256);
	ck_assert_int_eq(nid_aa_ecdsa_verify(pk, NID_undef, s224.p, s224.len,
	    msg, 6, &ok, &used, &derf, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(used, NID_sha224);
	/* another message */
	ck_assert_int_eq(nid_aa_ecdsa_verify(pk, NID_undef, s256.p, s256.len,
	    (const uint8_t *)"samplf", 6, &ok, &used, &derf, why,
	    sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	ck_assert_int_eq(used, NID_undef);
	ck_assert_str_eq(why, "the ECDSA signature does not verify with "
	    "SHA-224, SHA-256");
	/* DER instead of plain (card quirk, aa.c): taken and flagged */
	ck_assert_int_eq(nid_aa_ecdsa_verify(pk, NID_undef, der.p, der.len,
	    msg, 6, &ok, &used, &derf, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(derf, 1);
	/* short: not 64 bytes, not DER */
	ck_assert_int_eq(nid_aa_ecdsa_verify(pk, NID_sha256, s256.p, 63,
	    msg, 6, &ok, &used, &derf, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	ck_assert_ptr_nonnull(strstr(why, "63 bytes"));
	/* every 5th bit flipped */
	for (bit = 0; bit < 64 * 8; bit += 5) {
		s256.p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ck_assert_int_eq(nid_aa_ecdsa_verify(pk, NID_undef, s256.p, 64,
		    msg, 6, &ok, &used, &derf, why, sizeof(why)), NID_OK);
		ck_assert_msg(ok == 0, "bit %zu flipped still verifies", bit);
		s256.p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* r = 0 */
	memset(s256.p, 0, 32);
	ck_assert_int_eq(nid_aa_ecdsa_verify(pk, NID_sha256, s256.p, 64, msg,
	    6, &ok, &used, &derf, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	/* an RSA key */
	ck_assert_int_eq(nid_aa_ecdsa_verify(rsa1024, NID_sha256, s256.p, 64,
	    msg, 6, &ok, &used, &derf, why, sizeof(why)), NID_E_INVALID_ARG);
	nid_buf_clear(&s256);
	nid_buf_clear(&s224);
	nid_buf_clear(&der);
	EVP_PKEY_free(pk);
}
END_TEST

/* A chip signing with SHA-384 on P-256 (§6.1.2.3 forbids it): found only
 * when DG14 names the hash. */
START_TEST(ecdsa_hash_longer_than_key)
{
	EVP_MD_CTX *m;
	uint8_t der[80], plain[64];
	size_t dl = sizeof(der);
	char why[256];
	int ok, used, derf;

	ck_assert_ptr_nonnull(m = EVP_MD_CTX_new());
	ck_assert_int_eq(EVP_DigestSignInit(m, NULL, EVP_sha384(), NULL, p256),
	    1);
	ck_assert_int_eq(EVP_DigestSign(m, der, &dl, chal_a, 8), 1);
	EVP_MD_CTX_free(m);
	ck_assert_int_eq(nid_aa_ecdsa_der_to_plain(der, dl, 32, plain),
	    NID_OK);
	ck_assert_int_eq(nid_aa_ecdsa_verify(p256, NID_undef, plain, 64,
	    chal_a, 8, &ok, &used, &derf, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 0);
	ck_assert_int_eq(nid_aa_ecdsa_verify(p256, NID_sha384, plain, 64,
	    chal_a, 8, &ok, &used, &derf, why, sizeof(why)), NID_OK);
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(used, NID_sha384);
}
END_TEST

/* ---- nid_aa_run over a scripted transport ---------------------------- */

/*
 * Answers one INTERNAL AUTHENTICATE: checks the command bytes against
 * want (hex), answers rsp ‖ sw, or fails the transmit with err.
 */
struct script {
	const char *want;
	const uint8_t *rsp;
	size_t rsp_len;
	uint16_t sw;
	int err;
	unsigned long calls;
};

static int
script_transmit(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	struct script *s = t->impl;

	s->calls++;
	if (s->want != NULL)
		tu_assert_hex(cmd, cmd_len, s->want);
	if (s->err != NID_OK)
		return s->err;
	ck_assert_uint_ge(*rsp_len, s->rsp_len + 2);
	if (s->rsp_len > 0)
		memcpy(rsp, s->rsp, s->rsp_len);
	rsp[s->rsp_len] = (uint8_t)(s->sw >> 8);
	rsp[s->rsp_len + 1] = (uint8_t)s->sw;
	*rsp_len = s->rsp_len + 2;
	return NID_OK;
}

static void
script_close(nid_transport_t *t)
{
	(void)t;  /* impl is the test's */
}

static const struct nid_transport_ops script_ops = {
	.name = "script",
	.transmit = script_transmit,
	.close = script_close,
};

static void
run_script(struct script *s, int extended, EVP_PKEY *pk, const char *sigalg,
    const uint8_t *chal, int want_rc, struct nid_chip_result *r)
{
	nid_ctx_t *ctx = NULL;
	nid_transport_t *t = NULL;
	nid_card_t *card = NULL;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_transport_new(ctx, &script_ops, s, &t), NID_OK);
	ck_assert_int_eq(nid_card_new(t, &card), NID_OK);
	card->caps.extended = extended;
	card->caps.max_ne = extended ? NID_NE_EXT_MAX : NID_NE_SHORT_MAX;
	card->caps.max_nc = extended ? NID_NC_EXT_MAX : NID_NC_SHORT_MAX;
	ck_assert_int_eq(nid_aa_run(card, pk, sigalg, chal, r), want_rc);
	ck_assert_str_eq(r->mechanism, "AA");
	ck_assert_int_eq(r->key_dg, 15);
	ck_assert_int_eq(r->key_id, -1);
	nid_card_free(&card);
	nid_transport_free(&t);
	nid_ctx_free(&ctx);
}

START_TEST(run_bc_vector)
{
	EVP_PKEY *pk = rsa_pub(BC13_N, 65537);
	nid_buf sig = tu_hex(BC13_SIG);
	static const uint8_t zero[8];
	struct script s = { "0088000008" "0000000000000000" "00", NULL, 0,
		0x9000, NID_OK, 0 };
	struct nid_chip_result r;

	s.rsp = sig.p;
	s.rsp_len = sig.len;
	run_script(&s, 1, pk, NULL, zero, NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_PASS);
	ck_assert_str_eq(r.algorithm, "RSA-1024, ISO/IEC 9796-2 scheme 1, "
	    "SHA-1");
	ck_assert_uint_eq(r.apdus, 1);
	ck_assert_ptr_nonnull(strstr(r.reason, "trailer BC"));
	/* the same answer to another challenge */
	s.want = "0088000008" "0000000000000001" "00";
	run_script(&s, 1, pk, NULL, (const uint8_t *)"\0\0\0\0\0\0\0\1",
	    NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(r.reason, "differs"));
	ck_assert_ptr_nonnull(strstr(r.reason, "clone suspected"));
	/* a random challenge: the answer cannot fit it */
	s.want = NULL;
	run_script(&s, 1, pk, NULL, NULL, NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_FAIL);
	nid_buf_clear(&sig);
	EVP_PKEY_free(pk);
}
END_TEST

/* RSA-2048: the answer would not fit a short protected response, so an
 * extended Le when the card takes it; short Le 00 otherwise. */
START_TEST(run_rsa2048_le)
{
	uint8_t j[256], sig[256];
	struct script s = { "00880000000008" "4608F91988702212" "0000", NULL,
		256, 0x9000, NID_OK, 0 };
	struct nid_chip_result r;

	build_j(&rcases[3], 256, j);
	raw_sign(rsa2048, j, 256, sig);
	s.rsp = sig;
	run_script(&s, 1, rsa2048, NULL, chal_a, NID_OK, &r);
	ck_assert_msg(r.result == NID_CHECK_PASS, "%s", r.reason);
	ck_assert_str_eq(r.algorithm, "RSA-2048, ISO/IEC 9796-2 scheme 1, "
	    "SHA-256");
	s.want = "0088000008" "4608F91988702212" "00";
	run_script(&s, 0, rsa2048, NULL, chal_a, NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_PASS);
	/* cut by one byte */
	s.rsp_len = 255;
	run_script(&s, 0, rsa2048, NULL, chal_a, NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(r.reason, "255 bytes"));
}
END_TEST

/* Refusals are outcomes; transport failures are errors. */
static const struct refusal {
	uint16_t sw;
	const char *want;
} refusals[] = {
	{ 0x6D00, "chip refused INTERNAL AUTHENTICATE (6D00: " },
	{ 0x6A88, "chip refused INTERNAL AUTHENTICATE (6A88: " },
	{ 0x6982, "chip refused INTERNAL AUTHENTICATE (6982: " },
	{ 0x6985, "chip refused INTERNAL AUTHENTICATE (6985: " },
	{ 0x6700, "chip refused INTERNAL AUTHENTICATE (6700: " },
	{ 0x6282, "chip refused INTERNAL AUTHENTICATE (6282: " },
};

START_TEST(run_refusal)
{
	const struct refusal *c = &refusals[_i];
	struct script s = { NULL, NULL, 0, 0, NID_OK, 0 };
	struct nid_chip_result r;

	s.sw = c->sw;
	run_script(&s, 0, p256, NULL, chal_a, NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_FAIL);
	ck_assert_msg(strncmp(r.reason, c->want, strlen(c->want)) == 0,
	    "%s", r.reason);
	ck_assert_ptr_nonnull(strstr(r.reason, "clone suspected"));
	ck_assert_uint_eq(r.apdus, 1);
}
END_TEST

START_TEST(run_transport_errors)
{
	static const int errs[] = { NID_E_CARD_REMOVED, NID_E_NO_SERVICE,
		NID_E_TIMEOUT, NID_E_READER_GONE };
	struct script s = { NULL, NULL, 0, 0x9000, NID_OK, 0 };
	struct nid_chip_result r;
	size_t i;

	for (i = 0; i < NID_NELEM(errs); i++) {
		s.err = errs[i];
		run_script(&s, 0, p256, NULL, chal_a, errs[i], &r);
		ck_assert_int_eq(r.result, NID_CHECK_UNKNOWN);
	}
}
END_TEST

/*
 * 9000 with no signature: an outcome (FAIL), not an error. Found by
 * fuzz_aa (tests/fuzz/regress/aa/aa-empty-answer): both verifiers took
 * the empty answer's NULL pointer for a caller's mistake and nid_aa_run
 * returned NID_E_INVALID_ARG.
 */
START_TEST(run_empty_answer)
{
	struct script s = { NULL, NULL, 0, 0x9000, NID_OK, 0 };
	struct nid_chip_result r;

	run_script(&s, 0, p256, NULL, chal_a, NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(r.reason, "clone suspected"));
	run_script(&s, 0, rsa1024, NULL, chal_a, NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(r.reason, "clone suspected"));
}
END_TEST

START_TEST(run_ecdsa)
{
	EVP_MD_CTX *m;
	uint8_t der[80], plain[64];
	size_t dl = sizeof(der);
	struct script s = { "0088000008" "4608F91988702212" "00", NULL, 64,
		0x9000, NID_OK, 0 };
	struct nid_chip_result r;

	ck_assert_ptr_nonnull(m = EVP_MD_CTX_new());
	ck_assert_int_eq(EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, p256),
	    1);
	ck_assert_int_eq(EVP_DigestSign(m, der, &dl, chal_a, 8), 1);
	EVP_MD_CTX_free(m);
	ck_assert_int_eq(nid_aa_ecdsa_der_to_plain(der, dl, 32, plain),
	    NID_OK);
	s.rsp = plain;
	/* hash from DG14's ActiveAuthenticationInfo */
	run_script(&s, 1, p256, "0.4.0.127.0.7.1.1.4.1.3", chal_a, NID_OK, &r);
	ck_assert_msg(r.result == NID_CHECK_PASS, "%s", r.reason);
	ck_assert_str_eq(r.algorithm, "ECDSA P-256, SHA-256");
	ck_assert_ptr_nonnull(strstr(r.reason, "DG14"));
	/* no DG14: tried */
	run_script(&s, 1, p256, NULL, chal_a, NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_PASS);
	ck_assert_str_eq(r.algorithm, "ECDSA P-256, SHA-256");
	ck_assert_ptr_nonnull(strstr(r.reason, "6.1.2.3"));
	/* DG14 names SHA-224: the SHA-256 signature fails */
	run_script(&s, 1, p256, "0.4.0.127.0.7.1.1.4.1.2", chal_a, NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_FAIL);
	/* DG14 names an RSA algorithm: cannot check, nothing sent */
	s.calls = 0;
	run_script(&s, 1, p256, "1.2.840.113549.1.1.11", chal_a, NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_UNKNOWN);
	ck_assert_uint_eq(s.calls, 0);
	ck_assert_uint_eq(r.apdus, 0);
	/* the answer to chal_a sent to chal_b */
	s.want = "0088000008" "4608F91988702213" "00";
	run_script(&s, 1, p256, NULL, chal_b, NID_OK, &r);
	ck_assert_int_eq(r.result, NID_CHECK_FAIL);
}
END_TEST

/* ---- the virtual card: issue, read under SM, INTERNAL AUTHENTICATE ---- */
/*
 * Images are issued once (unchecked fixture, in the parent process: RSA
 * key generation is the slow part) into a temporary folder with
 * nid_sim_issue (the code behind `nidcard-sim issue --aa …`), then
 * every test reads one with nid_emrtd_read (PACE with the CAN, or BAC)
 * and runs nid_aa_run from the session hook, under secure messaging.
 */
#define PERSON_ID NID_SRCDIR "/tests/data/persons/utopia-id.json"
#define CAN_ID "123456"
#define MRZ_ID "T22000129364081253110315"

enum img { IMG_RSA1024, IMG_RSA2048, IMG_P256, IMG_RSA2048_SHA256,
	IMG_SWAPPED, IMG_NONE, IMG_N };

static const struct img_def {
	const char *name;
	unsigned aa;
	int md_nid;
	unsigned faults;
} img_defs[IMG_N] = {
	{ "rsa1024", NID_SIM_AA_RSA1024, 0, 0 },
	{ "rsa2048", NID_SIM_AA_RSA2048, 0, 0 },
	{ "p256", NID_SIM_AA_ECDSA_P256, 0, 0 },
	{ "rsa2048-sha256", NID_SIM_AA_RSA2048, NID_sha256, 0 },
	{ "swapped", NID_SIM_AA_RSA1024, 0, NID_SIM_ISSUE_FAULT_DG15_SWAPPED },
	{ "none", NID_SIM_AA_NONE, 0, 0 },
};

static char simdir[256];

static void
read_file_disk(const char *dir, const char *rel, nid_buf *out)
{
	char path[512];
	uint8_t *p = NULL;
	size_t n = 0;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, rel);
	nid_buf_init(out, NID_BUF_MAX_DEFAULT);
	ck_assert_msg(nid_file_read(NULL, path, out->max, &p, &n) == NID_OK,
	    "read %s", path);
	ck_assert_int_eq(nid_buf_put(out, p, n), NID_OK);
	free(p);
}


static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char *
img_path(enum img i)
{
	static char path[IMG_N][320];

	(void)snprintf(path[i], sizeof(path[i]), "%s/%s", simdir,
	    img_defs[i].name);
	return path[i];
}

static void
images_setup(void)
{
	const char *t = getenv("TMPDIR");
	struct nid_sim_issue_opts o;
	EVP_PKEY *dskey;
	X509 *dscert;
	char kpath[300], cpath[300];
	nid_ctx_t *ictx = NULL;
	FILE *fp;
	size_t i;

	(void)snprintf(simdir, sizeof(simdir), "%s/checkaa.XXXXXX",
	    t != NULL ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(simdir));
	/* A Document Signer (self-signed: the tests check hashes only). */
	dskey = tp_key("EC", 0, "P-256");
	dscert = tp_cert(dskey, "DS", NULL, NULL, 1, time(NULL) - 3600,
	    time(NULL) + 86400, 0);
	(void)snprintf(kpath, sizeof(kpath), "%s/ds.key", simdir);
	(void)snprintf(cpath, sizeof(cpath), "%s/ds.pem", simdir);
	ck_assert_ptr_nonnull(fp = fopen(kpath, "w"));
	ck_assert_int_eq(PEM_write_PrivateKey(fp, dskey, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(fp);
	ck_assert_ptr_nonnull(fp = fopen(cpath, "w"));
	ck_assert_int_eq(PEM_write_X509(fp, dscert), 1);
	fclose(fp);
	ck_assert_int_eq(nid_ctx_new(&ictx), NID_OK);
	for (i = 0; i < IMG_N; i++) {
		memset(&o, 0, sizeof(o));
		o.person = PERSON_ID;
		o.out_dir = img_path((enum img)i);
		o.access = NID_SIM_ACCESS_PACE | NID_SIM_ACCESS_BAC;
		o.param_id = 13;
		o.can = CAN_ID;
		o.ds_key = kpath;
		o.ds_cert = cpath;
		o.aa = img_defs[i].aa;
		o.aa_md_nid = img_defs[i].md_nid;
		o.faults = img_defs[i].faults;
		ck_assert_msg(nid_sim_issue(ictx, &o) == NID_OK, "issue %s: %s",
		    img_defs[i].name, nid_ctx_detail(ictx));
	}
	nid_ctx_free(&ictx);
	X509_free(dscert);
	EVP_PKEY_free(dskey);
}

static void
images_teardown(void)
{
	(void)nftw(simdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A transport between the card handle and the SM transport that changes
 * the challenge sent (the chip signs another one) or a bit of the
 * answer. */
struct tamper {
	nid_transport_t *inner;
	int what;              /* 1: challenge, 2: answer */
};

static int
tamper_transmit(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	struct tamper *tp = t->impl;
	uint8_t c[300];
	int rc;

	ck_assert_uint_le(cmd_len, sizeof(c));
	memcpy(c, cmd, cmd_len);
	if (tp->what == 1 && cmd_len > 12 && c[1] == 0x88)
		c[cmd_len - (c[4] == 0 ? 3 : 2)] ^= 0x01;  /* last challenge byte */
	if ((rc = nid_transport_transmit(tp->inner, c, cmd_len, rsp,
	    rsp_len)) != NID_OK)
		return rc;
	if (tp->what == 2 && cmd[1] == 0x88 && *rsp_len > 2)
		rsp[(*rsp_len - 2) / 2] ^= 0x10;
	return NID_OK;
}

static void
tamper_close(nid_transport_t *t)
{
	(void)t;
}

static const struct nid_transport_ops tamper_ops = {
	.name = "tamper",
	.transmit = tamper_transmit,
	.close = tamper_close,
};

struct aa_sess {
	int tamper;                 /* 0 none, 1 challenge, 2 answer */
	int plain;                  /* run on the raw card, not under SM */
	nid_card_t *raw;
	int rc;                     /* nid_aa_run's */
	int ran;
	char sig_alg[NID_OID_STR_MAX];
	uint8_t dg15[4096];
	size_t dg15_len;
	struct nid_chip_result r;
	int caps_extended;          /* the card's caps after the read */
};

static const struct nid_emrtd_file *
read_file_of(const struct nid_emrtd_result *res, int dg)
{
	size_t i;

	for (i = 0; i < res->nfiles; i++)
		if (res->files[i].dg == dg &&
		    res->files[i].state == NID_EMRTD_F_READ)
			return &res->files[i];
	return NULL;
}

static int
aa_session(nid_card_t *sc, nid_transport_t *smt, struct nid_emrtd_result *res,
    void *arg)
{
	struct aa_sess *s = arg;
	const struct nid_emrtd_file *f15, *f14;
	const struct nid_secinfo *aai;
	nid_secinfos *si = NULL;
	nid_transport_t *tt = NULL;
	nid_card_t *tc = NULL, *use = sc;
	struct tamper tp;
	EVP_PKEY *pub = NULL;

	s->ran = 1;
	ck_assert_ptr_nonnull(f15 = read_file_of(res, 15));
	ck_assert_uint_le(f15->len, sizeof(s->dg15));
	memcpy(s->dg15, f15->data, f15->len);
	s->dg15_len = f15->len;
	ck_assert_int_eq(nid_lds_dg15_parse(f15->data, f15->len, &pub),
	    NID_OK);
	if ((f14 = read_file_of(res, 14)) != NULL) {
		ck_assert_int_eq(nid_secinfos_parse_dg14(f14->data, f14->len,
		    &si), NID_OK);
		if ((aai = nid_secinfos_get(si, NID_OID_AA, 0)) != NULL)
			(void)snprintf(s->sig_alg, sizeof(s->sig_alg), "%s",
			    aai->sig_alg);
	}
	if (s->tamper != 0) {
		tp.inner = smt;
		tp.what = s->tamper;
		ck_assert_int_eq(nid_transport_new(smt->ctx, &tamper_ops, &tp,
		    &tt), NID_OK);
		ck_assert_int_eq(nid_card_new(tt, &tc), NID_OK);
		tc->caps = sc->caps;
		use = tc;
	}
	if (s->plain)
		use = s->raw;
	s->rc = nid_aa_run(use, pub, s->sig_alg[0] != '\0' ? s->sig_alg :
	    NULL, NULL, &s->r);
	nid_card_free(&tc);
	nid_transport_free(&tt);
	nid_secinfos_free(&si);
	EVP_PKEY_free(pub);
	return NID_OK;
}

/*
 * Read image i with PACE (CAN) or BAC (MRZ), run AA in the session
 * hook. fault: a sim fault switched on after load, or NULL. from_atr 0:
 * the card handle gets extended length (the images have it); 1: it
 * starts with nid_card_new's short defaults and the read takes the caps
 * from the ATR, as for a real card (only RSA-2048 AA images announce
 * extended length there).
 */
static void
read_and_aa(enum img i, int bac, const char *fault, int from_atr,
    struct aa_sess *s)
{
	nid_ctx_t *c = NULL;
	nid_sim_card *simc = NULL;
	nid_transport_t *t = NULL;
	nid_card_t *rc = NULL;
	struct nid_emrtd_creds cr;
	struct nid_emrtd_opts opts;
	struct nid_emrtd_result res;
	int r;

	ck_assert_int_eq(nid_ctx_new(&c), NID_OK);
	ck_assert_msg(nid_sim_card_load(c, img_path(i), &simc) == NID_OK,
	    "load %s: %s", img_defs[i].name, nid_ctx_detail(c));
	nid_sim_card_set_seed(simc, 11);
	if (fault != NULL)
		ck_assert_msg(nid_sim_card_set_fault(c, simc, fault) == NID_OK,
		    "%s: %s", fault, nid_ctx_detail(c));
	ck_assert_int_eq(nid_sim_transport_open(c, simc, &t), NID_OK);
	ck_assert_int_eq(nid_card_new(t, &rc), NID_OK);
	if (!from_atr) {
		rc->caps.extended = 1;
		rc->caps.max_nc = NID_NC_EXT_MAX;
		rc->caps.max_ne = NID_NE_EXT_MAX;
	}
	s->caps_extended = -1;
	if (bac)
		ck_assert_int_eq(nid_emrtd_creds_mrz(&cr, MRZ_ID), NID_OK);
	else
		ck_assert_int_eq(nid_emrtd_creds_can(&cr, CAN_ID), NID_OK);
	memset(&opts, 0, sizeof(opts));
	opts.access = bac ? NID_EMRTD_ACCESS_BAC : NID_EMRTD_ACCESS_PACE;
	opts.keep_caps = !from_atr;
	opts.session_fn = aa_session;
	opts.session_arg = s;
	s->raw = rc;
	r = nid_emrtd_read(rc, &cr, &opts, &res);
	s->caps_extended = rc->caps.extended;
	ck_assert_msg(r == NID_OK, "read %s: %s: %s", img_defs[i].name,
	    nid_strerror_name(r), nid_ctx_detail(c));
	ck_assert_int_eq(s->ran, 1);
	nid_emrtd_result_clear(&res);
	nid_emrtd_creds_clear(&cr);
	nid_card_free(&rc);
	nid_transport_free(&t);
	nid_sim_card_free(&simc);
	nid_ctx_free(&c);
}

static const struct genuine {
	enum img img;
	int bac;
	const char *algorithm;
	const char *sig_alg;   /* DG14's ActiveAuthenticationInfo, "" none */
	int from_atr;          /* card caps from the ATR */
} genuines[] = {
	{ IMG_RSA1024, 0, "RSA-1024, ISO/IEC 9796-2 scheme 1, SHA-1", "", 0 },
	{ IMG_RSA1024, 1, "RSA-1024, ISO/IEC 9796-2 scheme 1, SHA-1", "", 0 },
	{ IMG_RSA2048, 0, "RSA-2048, ISO/IEC 9796-2 scheme 1, SHA-1", "", 0 },
	{ IMG_RSA2048, 1, "RSA-2048, ISO/IEC 9796-2 scheme 1, SHA-1", "", 0 },
	{ IMG_RSA2048_SHA256, 0, "RSA-2048, ISO/IEC 9796-2 scheme 1, SHA-256",
	  "", 0 },
	{ IMG_P256, 0, "ECDSA P-256, SHA-256", "0.4.0.127.0.7.1.1.4.1.3", 0 },
	{ IMG_P256, 1, "ECDSA P-256, SHA-256", "0.4.0.127.0.7.1.1.4.1.3", 0 },
	/* the chip holds the key of the swapped DG15: AA passes, passive
	 * authentication is what catches it (sim_dg15_swapped) */
	{ IMG_SWAPPED, 0, "RSA-1024, ISO/IEC 9796-2 scheme 1, SHA-1", "", 0 },
	/* caps from the ATR: short APDUs for RSA-1024 (128 bytes fit), the
	 * RSA-2048 image's ATR announces extended length */
	{ IMG_RSA1024, 0, "RSA-1024, ISO/IEC 9796-2 scheme 1, SHA-1", "", 1 },
	{ IMG_RSA2048, 0, "RSA-2048, ISO/IEC 9796-2 scheme 1, SHA-1", "", 1 },
	{ IMG_RSA2048, 1, "RSA-2048, ISO/IEC 9796-2 scheme 1, SHA-1", "", 1 },
};

START_TEST(sim_genuine)
{
	const struct genuine *g = &genuines[_i];
	struct aa_sess s;

	memset(&s, 0, sizeof(s));
	read_and_aa(g->img, g->bac, NULL, g->from_atr, &s);
	ck_assert_int_eq(s.rc, NID_OK);
	ck_assert_msg(s.r.result == NID_CHECK_PASS, "%s %s: %s",
	    img_defs[g->img].name, g->bac ? "BAC" : "PACE", s.r.reason);
	ck_assert_str_eq(s.r.mechanism, "AA");
	ck_assert_str_eq(s.r.algorithm, g->algorithm);
	ck_assert_str_eq(s.sig_alg, g->sig_alg);
	ck_assert_int_eq(s.r.key_dg, 15);
	ck_assert_int_eq(s.r.key_id, -1);
	ck_assert_uint_eq(s.r.apdus, 1);
	if (g->from_atr)
		ck_assert_int_eq(s.caps_extended, g->img == IMG_RSA2048);
}
END_TEST

/* The fault clone: same files, another private key. */
START_TEST(sim_clone)
{
	static const enum img imgs[] = { IMG_RSA1024, IMG_RSA2048, IMG_P256 };
	struct aa_sess s;
	nid_buf dg15;

	memset(&s, 0, sizeof(s));
	read_and_aa(imgs[_i], 0, "clone", 0, &s);
	ck_assert_int_eq(s.rc, NID_OK);
	ck_assert_int_eq(s.r.result, NID_CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(s.r.reason, "does not verify"));
	ck_assert_ptr_nonnull(strstr(s.r.reason, "clone suspected"));
	/* DG15 as issued, byte for byte */
	read_file_disk(img_path(imgs[_i]), "ef/010F.bin", &dg15);
	ck_assert_uint_eq(dg15.len, s.dg15_len);
	ck_assert_mem_eq(dg15.p, s.dg15, dg15.len);
	nid_buf_clear(&dg15);
}
END_TEST

/* The chip signs another challenge than the one checked; one bit of the
 * answer changes on the way. */
START_TEST(sim_tampered)
{
	static const enum img imgs[] = { IMG_RSA1024, IMG_P256 };
	struct aa_sess s;

	memset(&s, 0, sizeof(s));
	s.tamper = 1 + _i % 2;
	read_and_aa(imgs[_i / 2], 0, NULL, 0, &s);
	ck_assert_int_eq(s.rc, NID_OK);
	ck_assert_msg(s.r.result == NID_CHECK_FAIL, "%s", s.r.reason);
	ck_assert_ptr_nonnull(strstr(s.r.reason, "clone suspected"));
}
END_TEST

/* Without secure messaging the chip refuses (6982): FAIL, not an error.
 * (Sent on the raw card in the middle of a session: the guard ends the
 * session with 6987 first.) */
START_TEST(sim_plain_refused)
{
	struct aa_sess s;

	memset(&s, 0, sizeof(s));
	s.plain = 1;
	read_and_aa(IMG_RSA1024, 0, NULL, 0, &s);
	ck_assert_int_eq(s.rc, NID_OK);
	ck_assert_int_eq(s.r.result, NID_CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(s.r.reason, "chip refused INTERNAL "
	    "AUTHENTICATE (6987"));
}
END_TEST

/* What issue --aa writes (docs/card-image.md): DG15, EF.COM, EF.SOD,
 * DG14 for ECDSA, the key file, the ATR. --aa none leaves the image as
 * it was. */
static int
file_exists(const char *dir, const char *rel, mode_t *mode)
{
	char path[512];
	struct stat st;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (stat(path, &st) != 0)
		return 0;
	if (mode != NULL)
		*mode = st.st_mode & 07777;
	return 1;
}

/* SHA-256 of a DG file against EF.SOD's entry: 1 equal, 0 not. */
static int
sod_hash_matches(const char *dir, unsigned dg, const char *rel)
{
	const struct nid_sod_dg *e;
	nid_sod_t *sod = NULL;
	nid_buf b, d;
	uint8_t md[32];
	unsigned mdlen = 0;
	int eq;

	read_file_disk(dir, "ef/011D.bin", &b);
	read_file_disk(dir, rel, &d);
	ck_assert_int_eq(nid_sod_parse(NULL, b.p, b.len, &sod), NID_OK);
	ck_assert_ptr_nonnull(e = nid_sod_find_dg(sod, dg));
	ck_assert_int_eq(EVP_Digest(d.p, d.len, md, &mdlen, EVP_sha256(),
	    NULL), 1);
	eq = e->hash_len == 32 && memcmp(e->hash, md, 32) == 0;
	nid_sod_free(&sod);
	nid_buf_clear(&b);
	nid_buf_clear(&d);
	return eq;
}

START_TEST(sim_issue_files)
{
	const char *dir;
	struct nid_lds_com com;
	nid_secinfos *si = NULL;
	const struct nid_secinfo *e;
	EVP_PKEY *pub = NULL;
	nid_buf b;
	mode_t mode = 0;
	size_t i;
	int has6f;

	for (i = 0; i < IMG_N; i++) {
		dir = img_path((enum img)i);
		read_file_disk(dir, "ef/011E.bin", &b);
		ck_assert_int_eq(nid_lds_com_parse(b.p, b.len, &com), NID_OK);
		nid_buf_clear(&b);
		has6f = com.ndg > 0 && com.dgs[com.ndg - 1] == 15;
		if (i == IMG_NONE) {
			/* unchanged: DG1, DG2, DG11; no DG15, no key */
			ck_assert_uint_eq(com.ndg, 3);
			ck_assert_int_eq(file_exists(dir, "ef/010F.bin", NULL), 0);
			ck_assert_int_eq(file_exists(dir, "keys", NULL), 0);
			continue;
		}
		ck_assert_msg(has6f, "%s: EF.COM without DG15", img_defs[i].name);
		/* DG15 = 6F { SubjectPublicKeyInfo } (9303-10 §4.7.15) */
		read_file_disk(dir, "ef/010F.bin", &b);
		ck_assert_uint_eq(b.p[0], 0x6F);
		ck_assert_int_eq(nid_lds_dg15_parse(b.p, b.len, &pub), NID_OK);
		ck_assert_int_eq(EVP_PKEY_get_base_id(pub),
		    i == IMG_P256 ? EVP_PKEY_EC : EVP_PKEY_RSA);
		ck_assert_int_eq(EVP_PKEY_get_bits(pub), i == IMG_P256 ? 256 :
		    i == IMG_RSA2048 || i == IMG_RSA2048_SHA256 ? 2048 : 1024);
		EVP_PKEY_free(pub);
		pub = NULL;
		nid_buf_clear(&b);
		ck_assert_int_eq(file_exists(dir, "keys/aa.pem", &mode), 1);
		ck_assert_uint_eq(mode, 0600);
		/* EF.SOD covers DG15, except after dg15-swapped */
		ck_assert_int_eq(sod_hash_matches(dir, 1, "ef/0101.bin"), 1);
		ck_assert_int_eq(sod_hash_matches(dir, 15, "ef/010F.bin"),
		    i != IMG_SWAPPED);
		/* DG14 only for ECDSA: one ActiveAuthenticationInfo */
		ck_assert_int_eq(file_exists(dir, "ef/010E.bin", NULL),
		    i == IMG_P256);
	}
	/* ActiveAuthenticationInfo { 2.23.136.1.1.5, 1, ecdsa-plain-SHA256 }
	 * (ICAO 9303-11 §9.2.4, BSI TR-03111 §5.2.1), in 6E { SET }. */
	read_file_disk(img_path(IMG_P256), "ef/010E.bin", &b);
	tu_assert_hex(b.p, b.len, "6E1B" "3119" "3017" "0606678108010105"
	    "020101" "060A04007F00070101040103");
	ck_assert_int_eq(nid_secinfos_parse_dg14(b.p, b.len, &si), NID_OK);
	ck_assert_ptr_nonnull(e = nid_secinfos_get(si, NID_OID_AA, 0));
	ck_assert_int_eq(e->version, 1);
	ck_assert_str_eq(e->sig_alg, "0.4.0.127.0.7.1.1.4.1.3");
	nid_secinfos_free(&si);
	nid_buf_clear(&b);
}
END_TEST

/* RSA-2048 images announce extended length in their ATR (ISO/IEC
 * 7816-4 §8.1.1.2.7, third software function table b7); the others keep
 * issue's ATR. */
START_TEST(sim_issue_atr)
{
	nid_sim_card *simc = NULL;
	nid_atr a;
	nid_atr_caps_t caps;
	nid_ctx_t *c = NULL;

	ck_assert_int_eq(nid_ctx_new(&c), NID_OK);
	ck_assert_int_eq(nid_sim_card_load(c, img_path(IMG_RSA2048), &simc),
	    NID_OK);
	tu_assert_hex(simc->atr, simc->atr_len, "3B8F8001" "807380 21C0"
	    "594E494443415244 4141" "92");
	ck_assert_int_eq(nid_atr_parse(simc->atr, simc->atr_len, &a), NID_OK);
	ck_assert_int_eq(a.tck, NID_ATR_TCK_OK);
	nid_atr_caps(&a, &caps);
	ck_assert_int_eq(caps.ext_lc_le, 1);
	ck_assert_int_eq(caps.chaining, 1);
	nid_sim_card_free(&simc);
	ck_assert_int_eq(nid_sim_card_load(c, img_path(IMG_RSA1024), &simc),
	    NID_OK);
	tu_assert_hex(simc->atr, simc->atr_len,
	    "3B8A80014E49444341524453494D0B");
	nid_sim_card_free(&simc);
	nid_ctx_free(&c);
}
END_TEST

static Suite *
aa_suite(void)
{
	Suite *s = suite_create("aa");
	TCase *tc;

	tc = tcase_create("iso9796");
	tcase_add_test(tc, rsa_bc_internal_authenticate);
	tcase_add_test(tc, rsa_iso_partial_recovery);
	tcase_add_test(tc, rsa_iso_full_recovery_refused);
	tcase_add_loop_test(tc, rsa_constructed, 0, NID_NELEM(rcases));
	tcase_add_test(tc, rsa_bad_signature_values);
	tcase_add_test(tc, rsa_bitflips);
	tcase_add_test(tc, trailer_and_sigalg_tables);
	suite_add_tcase(s, tc);

	tc = tcase_create("ecdsa");
	tcase_add_loop_test(tc, ecdsa_plain_der, 0, NID_NELEM(pds));
	tcase_add_loop_test(tc, ecdsa_der_bad, 0, NID_NELEM(bds));
	tcase_add_test(tc, ecdsa_der_truncations);
	tcase_add_test(tc, ecdsa_rfc6979);
	tcase_add_test(tc, ecdsa_hash_longer_than_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("run");
	tcase_add_test(tc, run_bc_vector);
	tcase_add_test(tc, run_rsa2048_le);
	tcase_add_loop_test(tc, run_refusal, 0, NID_NELEM(refusals));
	tcase_add_test(tc, run_transport_errors);
	tcase_add_test(tc, run_empty_answer);
	tcase_add_test(tc, run_ecdsa);
	suite_add_tcase(s, tc);

	tc = tcase_create("sim");
	tcase_add_unchecked_fixture(tc, images_setup, images_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sim_issue_files);
	tcase_add_test(tc, sim_issue_atr);
	tcase_add_loop_test(tc, sim_genuine, 0, NID_NELEM(genuines));
	tcase_add_loop_test(tc, sim_clone, 0, 3);
	tcase_add_loop_test(tc, sim_tampered, 0, 4);
	tcase_add_test(tc, sim_plain_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int rc;

	rsa2048 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "prime256v1");
	if (rsa2048 == NULL || rsa1024 == NULL || p256 == NULL) {
		fprintf(stderr, "check_aa: key generation failed\n");
		return EXIT_FAILURE;
	}
	rc = tu_run(aa_suite());
	EVP_PKEY_free(rsa2048);
	EVP_PKEY_free(rsa1024);
	EVP_PKEY_free(p256);
	return rc;
}
