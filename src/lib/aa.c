/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * aa.c — Active Authentication, terminal side (aa.h): INTERNAL
 * AUTHENTICATE, ISO/IEC 9796-2 scheme 1 opening for RSA, plain ECDSA
 * (BSI TR-03111) for EC keys. Raw RSA and ECDSA go through EVP only.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "aa.h"
#include "emrtd.h"
#include "oid.h"
#include "sw.h"

/* Smallest RSA modulus taken (bytes): room for header, SHA-512, trailer. */
#define AA_RSA_MIN 64u

static unsigned long
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (unsigned long)ts.tv_sec * 1000ul +
	    (unsigned long)(ts.tv_nsec / 1000000);
}

static void
say(char *why, size_t why_len, const char *fmt, ...) NID_PRINTF(3, 4);

static void
say(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || why_len == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

/* ---- hash names and identifiers --------------------------------------- */

/* ISO/IEC 10118-3 hash identifiers of the 9796-2 trailer hh CC (the
 * ones eMRTDs use; ISO/IEC 9796-2 Table on hash-function identifiers). */
static const struct {
	uint8_t id;
	int md_nid;
} trailer_ids[] = {
	{ 0x33, NID_sha1 },
	{ 0x38, NID_sha224 },
	{ 0x34, NID_sha256 },
	{ 0x36, NID_sha384 },
	{ 0x35, NID_sha512 },
};

int
nid_aa_trailer_md(uint8_t hash_id)
{
	size_t i;

	for (i = 0; i < NID_NELEM(trailer_ids); i++)
		if (trailer_ids[i].id == hash_id)
			return trailer_ids[i].md_nid;
	return NID_undef;
}

const char *
nid_aa_md_name(int md_nid)
{
	switch (md_nid) {
	case NID_sha1:
		return "SHA-1";
	case NID_sha224:
		return "SHA-224";
	case NID_sha256:
		return "SHA-256";
	case NID_sha384:
		return "SHA-384";
	case NID_sha512:
		return "SHA-512";
	case NID_ripemd160:
		return "RIPEMD-160";
	default:
		return "unknown hash";
	}
}

/* BSI TR-03111 §4.2 / §5.2.1 ecdsa-plain-SHAx; ANSI X9.62 ecdsa-with-SHAx
 * (RFC 5758 §3.2). */
static const struct {
	const char *oid;
	int md_nid;
} sigalgs[] = {
	{ "0.4.0.127.0.7.1.1.4.1.1", NID_sha1 },
	{ "0.4.0.127.0.7.1.1.4.1.2", NID_sha224 },
	{ "0.4.0.127.0.7.1.1.4.1.3", NID_sha256 },
	{ "0.4.0.127.0.7.1.1.4.1.4", NID_sha384 },
	{ "0.4.0.127.0.7.1.1.4.1.5", NID_sha512 },
	{ "1.2.840.10045.4.1", NID_sha1 },
	{ "1.2.840.10045.4.3.1", NID_sha224 },
	{ "1.2.840.10045.4.3.2", NID_sha256 },
	{ "1.2.840.10045.4.3.3", NID_sha384 },
	{ "1.2.840.10045.4.3.4", NID_sha512 },
};

int
nid_aa_sigalg_md(const char *oid)
{
	size_t i;

	if (oid == NULL)
		return NID_undef;
	for (i = 0; i < NID_NELEM(sigalgs); i++)
		if (strcmp(sigalgs[i].oid, oid) == 0)
			return sigalgs[i].md_nid;
	return NID_undef;
}

/* ---- ISO/IEC 9796-2 scheme 1 ------------------------------------------ */

/* Nibble i of j: even i the high half of byte i/2, odd i the low half. */
static unsigned
nibble(const uint8_t *j, size_t i)
{
	return (i % 2 == 0) ? (unsigned)(j[i / 2] >> 4) :
	    (unsigned)(j[i / 2] & 0x0Fu);
}

int
nid_aa_9796_verify(EVP_PKEY *pub, const uint8_t *sig, size_t sig_len,
    const uint8_t *m2, size_t m2_len, int implicit_md_nid,
    struct nid_aa_rep *rep, int *ok, char *why, size_t why_len)
{
	struct nid_aa_rep r;
	BIGNUM *n = NULL, *s = NULL, *jb = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *mctx = NULL;
	const EVP_MD *md;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int hl = 0;
	size_t k, outlen, p;
	int bits, hsz, rc;

	*ok = 0;
	say(why, why_len, "%s", "");
	memset(&r, 0, sizeof(r));
	r.md_nid = NID_undef;
	/* An empty answer (sig NULL, 0 bytes) is examined, and fails. */
	if (pub == NULL || (sig == NULL && sig_len != 0) ||
	    (m2 == NULL && m2_len != 0) ||
	    EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA)
		return NID_E_INVALID_ARG;
	if ((bits = EVP_PKEY_get_bits(pub)) <= 0)
		return NID_E_CRYPTO;
	k = (size_t)bits / 8;
	if (bits % 8 != 0 || k < AA_RSA_MIN || k > NID_AA_SIG_MAX) {
		say(why, why_len, "RSA modulus of %d bits not supported "
		    "(whole bytes, %u to %u)", bits, AA_RSA_MIN * 8,
		    NID_AA_SIG_MAX * 8);
		return NID_E_UNSUPPORTED;
	}
	r.k = k;
	rc = NID_OK;
	/* ISO/IEC 9796-2: the signature is a k-byte string. */
	if (sig_len != k) {
		say(why, why_len, "the signature is %zu bytes, the modulus %zu",
		    sig_len, k);
		goto out;
	}
	rc = NID_E_CRYPTO;
	if (EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    (s = BN_bin2bn(sig, (int)sig_len, NULL)) == NULL)
		goto out;
	/* The signature is an integer below n; RSA would refuse it anyway,
	 * but as an error, not as an answer. */
	if (BN_cmp(s, n) >= 0) {
		say(why, why_len, "the signature value is not below the "
		    "modulus");
		rc = NID_OK;
		goto out;
	}
	/* J* = Σ^e mod n: the raw public operation. */
	if ((pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL)) == NULL ||
	    EVP_PKEY_verify_recover_init(pctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_NO_PADDING) != 1)
		goto out;
	outlen = sizeof(r.j);
	if (EVP_PKEY_verify_recover(pctx, r.j, &outlen, sig, sig_len) != 1 ||
	    outlen != k)
		goto out;
	/*
	 * ISO/IEC 9796-2, RSA with odd e: the signer may send
	 * min(J^d, n − J^d), so J is J* or n − J*, whichever is ≡ 12 mod 16
	 * (n is odd: exactly one of them is even).
	 */
	if ((r.j[k - 1] & 0x0Fu) != 0x0Cu) {
		if ((jb = BN_bin2bn(r.j, (int)k, NULL)) == NULL ||
		    BN_sub(jb, n, jb) != 1 ||
		    BN_bn2binpad(jb, r.j, (int)k) != (int)k)
			goto out;
		r.negated = 1;
	}
	rc = NID_OK;
	if ((r.j[k - 1] & 0x0Fu) != 0x0Cu) {
		say(why, why_len, "the message representative ends in neither "
		    "form (J* and n - J* both not 12 mod 16)");
		goto out;
	}
	/* Header: 01, the more-data bit, 0 (ICAO: partial recovery, 6). */
	if (nibble(r.j, 0) == 0x4u) {
		say(why, why_len, "full message recovery (header nibble 4): "
		    "ICAO 9303-11 §6.1.2.2 signs M1 ‖ RND.IFD with partial "
		    "recovery");
		goto out;
	}
	if (nibble(r.j, 0) != 0x6u) {
		say(why, why_len, "bad header %02X (ISO/IEC 9796-2: 4x or 6x)",
		    r.j[0]);
		goto out;
	}
	r.partial = 1;
	/* Padding: nibbles B … B A, the A ending a byte. */
	for (p = 1; p < 2 * k && nibble(r.j, p) == 0xBu; p++)
		;
	if (p >= 2 * k || nibble(r.j, p) != 0xAu || p % 2 != 1) {
		say(why, why_len, "bad padding field (ISO/IEC 9796-2: nibbles "
		    "B...B A ending a byte)");
		goto out;
	}
	r.pad_nibbles = p;
	r.m1_off = (p + 1) / 2;
	/* Trailer: BC (implicit hash) or hh CC. */
	if (r.j[k - 1] == 0xBCu) {
		r.trailer_len = 1;
		r.md_nid = implicit_md_nid;
	} else if (r.j[k - 1] == 0xCCu) {
		r.trailer_len = 2;
		if ((r.md_nid = nid_aa_trailer_md(r.j[k - 2])) == NID_undef) {
			say(why, why_len, "trailer %02XCC: hash identifier "
			    "%02X not supported (SHA-1, -224, -256, -384, "
			    "-512 are)", r.j[k - 2], r.j[k - 2]);
			goto out;
		}
	} else {
		say(why, why_len, "bad trailer %02X (ISO/IEC 9796-2: BC or "
		    "hh CC)", r.j[k - 1]);
		goto out;
	}
	rc = NID_E_CRYPTO;
	if ((md = EVP_get_digestbynid(r.md_nid)) == NULL ||
	    (hsz = EVP_MD_get_size(md)) <= 0)
		goto out;
	rc = NID_OK;
	r.h_len = (size_t)hsz;
	/* At least one byte of M1 (as BouncyCastle's ISO9796d2Signer). */
	if (r.m1_off + r.h_len + r.trailer_len >= k) {
		say(why, why_len, "no room for M1 before the %s hash",
		    nid_aa_md_name(r.md_nid));
		goto out;
	}
	r.h_off = k - r.trailer_len - r.h_len;
	r.m1_len = r.h_off - r.m1_off;
	/* H = hash(M1 ‖ M2). */
	rc = NID_E_CRYPTO;
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(mctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(mctx, r.j + r.m1_off, r.m1_len) != 1 ||
	    (m2_len > 0 && EVP_DigestUpdate(mctx, m2, m2_len) != 1) ||
	    EVP_DigestFinal_ex(mctx, h, &hl) != 1 || hl != r.h_len)
		goto out;
	rc = NID_OK;
	if (CRYPTO_memcmp(h, r.j + r.h_off, r.h_len) != 0) {
		say(why, why_len, "%s(M1 ‖ challenge) differs from the hash "
		    "in the signature", nid_aa_md_name(r.md_nid));
		goto out;
	}
	*ok = 1;
out:
	if (rc != NID_OK)
		ERR_clear_error();
	if (rep != NULL)
		*rep = r;
	OPENSSL_cleanse(&r, sizeof(r));
	OPENSSL_cleanse(h, sizeof(h));
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	BN_free(n);
	BN_free(s);
	BN_clear_free(jb);
	return rc;
}

/* ---- ECDSA (BSI TR-03111) --------------------------------------------- */

int
nid_aa_ec_field_len(EVP_PKEY *pub, size_t *len)
{
	int bits;

	*len = 0;
	if (pub == NULL || EVP_PKEY_get_base_id(pub) != EVP_PKEY_EC)
		return NID_E_INVALID_ARG;
	/* For EC keys OpenSSL's "bits" is the bit length of the order. */
	if ((bits = EVP_PKEY_get_bits(pub)) <= 0)
		return NID_E_CRYPTO;
	if ((size_t)(bits + 7) / 8 > NID_AA_EC_FIELD_MAX)
		return NID_E_UNSUPPORTED;
	*len = (size_t)(bits + 7) / 8;
	return NID_OK;
}

/* One unsigned big-endian number as a minimal DER INTEGER (X.690 §8.3). */
static int
put_uint(nid_buf *b, const uint8_t *v, size_t n)
{
	uint8_t tmp[NID_AA_EC_FIELD_MAX + 1];
	size_t i = 0;

	while (i < n && v[i] == 0)
		i++;
	if (i == n)
		return nid_tlv_put(b, 0x02, (const uint8_t *)"\0", 1);
	tmp[0] = 0x00;
	memcpy(tmp + 1, v + i, n - i);
	/* A set high bit would read as negative: one 00 in front. */
	if ((v[i] & 0x80u) != 0)
		return nid_tlv_put(b, 0x02, tmp, n - i + 1);
	return nid_tlv_put(b, 0x02, tmp + 1, n - i);
}

int
nid_aa_ecdsa_plain_to_der(const uint8_t *sig, size_t sig_len,
    size_t field_len, nid_buf *out)
{
	nid_buf body;
	int rc;

	nid_buf_reset(out);
	if (sig == NULL || field_len == 0 || field_len > NID_AA_EC_FIELD_MAX ||
	    sig_len != 2 * field_len)
		return NID_E_MALFORMED;
	nid_buf_init(&body, 2 * (NID_AA_EC_FIELD_MAX + 3));
	if ((rc = put_uint(&body, sig, field_len)) != NID_OK ||
	    (rc = put_uint(&body, sig + field_len, field_len)) != NID_OK ||
	    (rc = nid_tlv_put(out, 0x30, body.p, body.len)) != NID_OK)
		goto out;
	rc = NID_OK;
out:
	if (rc != NID_OK)
		nid_buf_reset(out);
	nid_buf_clear(&body);
	return rc;
}

/* A DER INTEGER value that must be minimal and non-negative → left-padded
 * into dst (field_len bytes). */
static int
get_uint(const nid_cur *v, size_t field_len, uint8_t *dst)
{
	const uint8_t *p = v->p;
	size_t n = v->len;

	if (n == 0 || (p[0] & 0x80u) != 0)
		return NID_E_MALFORMED;
	if (p[0] == 0x00 && n > 1) {
		if ((p[1] & 0x80u) == 0)
			return NID_E_MALFORMED;  /* not minimal */
		p++;
		n--;
	}
	if (n > field_len)
		return NID_E_TOO_LARGE;
	memset(dst, 0, field_len - n);
	memcpy(dst + field_len - n, p, n);
	return NID_OK;
}

int
nid_aa_ecdsa_der_to_plain(const uint8_t *der, size_t der_len,
    size_t field_len, uint8_t *out)
{
	uint8_t tmp[2 * NID_AA_EC_FIELD_MAX];
	nid_cur seq, iv;
	int rc;

	if (der == NULL || field_len == 0 || field_len > NID_AA_EC_FIELD_MAX)
		return NID_E_INVALID_ARG;
	if ((rc = nid_tlv_single(der, der_len, NID_TLV_STRICT, 0x30,
	    &seq)) != NID_OK ||
	    (rc = nid_tlv_expect(&seq, NID_TLV_STRICT, 0x02, &iv)) != NID_OK ||
	    (rc = get_uint(&iv, field_len, tmp)) != NID_OK ||
	    (rc = nid_tlv_expect(&seq, NID_TLV_STRICT, 0x02, &iv)) != NID_OK ||
	    (rc = get_uint(&iv, field_len, tmp + field_len)) != NID_OK)
		goto out;
	if (seq.len != 0) {
		rc = NID_E_TRAILING;
		goto out;
	}
	memcpy(out, tmp, 2 * field_len);
	rc = NID_OK;
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return rc;
}

/* EVP_DigestVerify of a DER signature: 1 verifies, 0 not, -1 OpenSSL. */
static int
ecdsa_verify_der(EVP_PKEY *pub, int md_nid, const uint8_t *der,
    size_t der_len, const uint8_t *msg, size_t msg_len)
{
	EVP_MD_CTX *mctx = NULL;
	const EVP_MD *md;
	int r, ret = -1;

	if ((md = EVP_get_digestbynid(md_nid)) == NULL ||
	    (mctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (EVP_DigestVerifyInit(mctx, NULL, md, NULL, pub) != 1)
		goto out;
	ERR_set_mark();
	r = EVP_DigestVerify(mctx, der, der_len, msg, msg_len);
	ERR_pop_to_mark();
	ret = r == 1 ? 1 : 0;
out:
	EVP_MD_CTX_free(mctx);
	return ret;
}

/* ICAO 9303-11 §6.1.2.3: the hashes allowed for ECDSA AA. */
static const int ec_hashes[] = { NID_sha224, NID_sha256, NID_sha384,
	NID_sha512 };

int
nid_aa_ecdsa_verify(EVP_PKEY *pub, int md_nid, const uint8_t *sig,
    size_t sig_len, const uint8_t *challenge, size_t challenge_len,
    int *ok, int *used_md, int *der_form, char *why, size_t why_len)
{
	uint8_t plain[2 * NID_AA_EC_FIELD_MAX];
	const EVP_MD *md;
	nid_buf der;
	char tried[64];
	size_t L, i;
	int r, rc;

	*ok = 0;
	*used_md = NID_undef;
	*der_form = 0;
	say(why, why_len, "%s", "");
	tried[0] = '\0';
	nid_buf_init(&der, 2 * (NID_AA_EC_FIELD_MAX + 3) + 4);
	/* An empty answer (sig NULL, 0 bytes) is examined, and fails
	 * (fuzz_aa: regress/aa/aa-empty-answer). */
	if ((sig == NULL && sig_len != 0) || challenge == NULL) {
		rc = NID_E_INVALID_ARG;
		goto out;
	}
	if ((rc = nid_aa_ec_field_len(pub, &L)) != NID_OK)
		goto out;
	if (sig_len == 2 * L) {
		/* BSI TR-03111 §5.2.1: r ‖ s, each L bytes. */
		if ((rc = nid_aa_ecdsa_plain_to_der(sig, sig_len, L, &der)) !=
		    NID_OK)
			goto out;
	} else if (sig_len > 0 && sig[0] == 0x30 &&
	    nid_aa_ecdsa_der_to_plain(sig, sig_len, L, plain) == NID_OK) {
		/*
		 * Card quirk: the Portuguese Cartão de Cidadão answers a DER
		 * ECDSA-Sig-Value instead of the plain format §6.1.2.3
		 * requires (gmrtd/gmrtd issue #187). It proves possession of
		 * the key all the same; taken, and said in the reason.
		 */
		if ((rc = nid_aa_ecdsa_plain_to_der(plain, 2 * L, L, &der)) !=
		    NID_OK)
			goto out;
		*der_form = 1;
	} else {
		say(why, why_len, "the signature is %zu bytes: not the plain "
		    "r ‖ s of 2 × %zu bytes (BSI TR-03111 §5.2.1)", sig_len, L);
		rc = NID_OK;
		goto out;
	}
	for (i = 0; i < NID_NELEM(ec_hashes) + 1; i++) {
		int m;

		if (md_nid != NID_undef) {
			if (i > 0)
				break;
			m = md_nid;
		} else {
			if (i == NID_NELEM(ec_hashes))
				break;
			m = ec_hashes[i];
			/* Output no longer than the key (§6.1.2.3). */
			if ((md = EVP_get_digestbynid(m)) == NULL ||
			    (size_t)EVP_MD_get_size(md) > L)
				continue;
		}
		if ((r = ecdsa_verify_der(pub, m, der.p, der.len, challenge,
		    challenge_len)) < 0) {
			rc = NID_E_CRYPTO;
			goto out;
		}
		(void)snprintf(tried + strlen(tried), sizeof(tried) -
		    strlen(tried), "%s%s", tried[0] != '\0' ? ", " : "",
		    nid_aa_md_name(m));
		if (r == 1) {
			*ok = 1;
			*used_md = m;
			break;
		}
	}
	if (!*ok) {
		if (tried[0] == '\0')
			say(why, why_len, "no hash ICAO 9303-11 §6.1.2.3 "
			    "allows fits a key of %zu bytes", L);
		else
			say(why, why_len, "the ECDSA signature%s does not "
			    "verify with %s", *der_form ? " (DER)" : "", tried);
	}
	rc = NID_OK;
out:
	if (rc != NID_OK)
		ERR_clear_error();
	OPENSSL_cleanse(plain, sizeof(plain));
	nid_buf_clear(&der);
	return rc;
}

/* ---- the exchange ----------------------------------------------------- */

/* "P-256", "brainpoolP256r1", or "256-bit curve" for explicit ones. */
static void
curve_text(EVP_PKEY *pub, char *buf, size_t len)
{
	char name[32];
	const char *nist;
	int nid;

	if (EVP_PKEY_get_utf8_string_param(pub, OSSL_PKEY_PARAM_GROUP_NAME,
	    name, sizeof(name), NULL) == 1) {
		nid = OBJ_txt2nid(name);
		if (nid != NID_undef && (nist = EC_curve_nid2nist(nid)) != NULL)
			(void)snprintf(buf, len, "%s", nist);
		else
			(void)snprintf(buf, len, "%s", name);
	} else {
		ERR_clear_error();
		(void)snprintf(buf, len, "%d-bit curve", EVP_PKEY_get_bits(pub));
	}
}

static void
result(struct nid_chip_result *out, nid_check_result res, const char *fmt,
    ...) NID_PRINTF(3, 4);

static void
result(struct nid_chip_result *out, nid_check_result res, const char *fmt,
    ...)
{
	va_list ap;

	out->result = res;
	va_start(ap, fmt);
	(void)vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

int
nid_aa_run(nid_card_t *card, EVP_PKEY *pub, const char *sig_alg_oid,
    const uint8_t *challenge, struct nid_chip_result *out)
{
	uint8_t rnd[NID_AA_CHALLENGE_LEN];
	char why[NID_CHECK_REASON_MAX], curve[32], swtext[NID_SW_TEXT_MAX];
	struct nid_aa_rep rep;
	nid_ctx_t *ctx;
	nid_apdu a;
	nid_buf rsp;
	size_t expect = 0, L = 0;
	unsigned long t0, apdus0;
	uint16_t sw = 0;
	int type, bits, md_nid = NID_undef, used_md, der_form, ok = 0, rc;

	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		(void)snprintf(out->mechanism, sizeof(out->mechanism), "AA");
		out->key_dg = 15;
		out->key_id = -1;
		out->result = NID_CHECK_UNKNOWN;
	}
	if (card == NULL || card->t == NULL || pub == NULL || out == NULL)
		return NID_E_INVALID_ARG;
	ctx = card->t->ctx;
	nid_buf_init(&rsp, NID_CARD_RSP_DATA_MAX);
	t0 = now_ms();
	apdus0 = card->t->apdus;
	type = EVP_PKEY_get_base_id(pub);
	bits = EVP_PKEY_get_bits(pub);
	if (type == EVP_PKEY_RSA) {
		(void)snprintf(out->algorithm, sizeof(out->algorithm),
		    "RSA-%d, ISO/IEC 9796-2 scheme 1", bits);
		if (bits <= 0 || bits % 8 != 0 ||
		    (size_t)bits / 8 < AA_RSA_MIN ||
		    (size_t)bits / 8 > NID_AA_SIG_MAX) {
			result(out, NID_CHECK_UNKNOWN, "DG15 holds an RSA key "
			    "of %d bits: not supported (whole bytes, %u to %u "
			    "bits)", bits, AA_RSA_MIN * 8, NID_AA_SIG_MAX * 8);
			rc = NID_OK;
			goto out;
		}
		expect = (size_t)bits / 8;
	} else if (type == EVP_PKEY_EC) {
		curve_text(pub, curve, sizeof(curve));
		(void)snprintf(out->algorithm, sizeof(out->algorithm),
		    "ECDSA %s", curve);
		if (nid_aa_ec_field_len(pub, &L) != NID_OK) {
			result(out, NID_CHECK_UNKNOWN, "DG15 holds an EC key on "
			    "a curve not supported (%s)", curve);
			rc = NID_OK;
			goto out;
		}
		expect = 2 * L;
		/* ICAO 9303-11 §9.2: ActiveAuthenticationInfo names the
		 * signature algorithm, hence the hash. */
		if (sig_alg_oid != NULL &&
		    (md_nid = nid_aa_sigalg_md(sig_alg_oid)) == NID_undef) {
			result(out, NID_CHECK_UNKNOWN, "DG14's "
			    "ActiveAuthenticationInfo names signature "
			    "algorithm %s (%s), not an ECDSA one this reader "
			    "knows", sig_alg_oid, nid_oid_name(sig_alg_oid) !=
			    NULL ? nid_oid_name(sig_alg_oid) : "unknown");
			rc = NID_OK;
			goto out;
		}
		if (md_nid != NID_undef)
			(void)snprintf(out->algorithm + strlen(out->algorithm),
			    sizeof(out->algorithm) - strlen(out->algorithm),
			    ", %s", nid_aa_md_name(md_nid));
	} else {
		result(out, NID_CHECK_UNKNOWN, "DG15 holds a key that is "
		    "neither RSA nor EC");
		rc = NID_OK;
		goto out;
	}
	if (challenge != NULL)
		memcpy(rnd, challenge, sizeof(rnd));
	else if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		rc = nid_ctx_set_openssl_detail(ctx, NID_E_CRYPTO,
		    "AA challenge");
		goto out;
	}
	/*
	 * ICAO 9303-11 §6.1.2: INTERNAL AUTHENTICATE 00 88 00 00, RND.IFD.
	 * Le: the signature is expect bytes; when its protected answer
	 * would not fit 256 bytes (AES SM: 223 plain, emrtd.h) and the card
	 * takes extended length, ask with an extended Le (65536: "all").
	 */
	memset(&a, 0, sizeof(a));
	a.cla = 0x00;
	a.ins = 0x88;
	a.data = rnd;
	a.nc = sizeof(rnd);
	a.ne = NID_NE_SHORT_MAX;
	if (expect > nid_emrtd_sm_short_le(16) && card->caps.extended)
		a.ne = NID_NE_EXT_MAX;
	nid_log(ctx, NID_LOG_INFO, NID_LOG_CAT_GENERAL, "AA: INTERNAL "
	    "AUTHENTICATE, %s key, %zu-byte answer expected", out->algorithm,
	    expect);
	if ((rc = nid_card_transmit(card, &a, &rsp, &sw)) != NID_OK)
		goto out;
	if (sw != NID_SW_OK) {
		/* DG15 announces AA: a chip that will not sign is not the
		 * chip DG15 was written for. */
		result(out, NID_CHECK_FAIL, "chip refused INTERNAL "
		    "AUTHENTICATE (%04X: %s): clone suspected", sw,
		    nid_sw_text(sw, swtext, sizeof(swtext)));
		rc = NID_OK;
		goto out;
	}
	why[0] = '\0';
	if (type == EVP_PKEY_RSA) {
		rc = nid_aa_9796_verify(pub, rsp.p, rsp.len, rnd, sizeof(rnd),
		    NID_sha1, &rep, &ok, why, sizeof(why));
		if (rc == NID_E_CRYPTO) {
			rc = nid_ctx_set_detail(ctx, rc, "AA: OpenSSL failed "
			    "on the RSA public operation");
			goto out;
		}
		if (rc != NID_OK)
			goto out;
		if (rep.md_nid != NID_undef)
			(void)snprintf(out->algorithm + strlen(out->algorithm),
			    sizeof(out->algorithm) - strlen(out->algorithm),
			    ", %s", nid_aa_md_name(rep.md_nid));
		if (ok)
			result(out, NID_CHECK_PASS, "the chip signed the "
			    "challenge with the DG15 key (ISO/IEC 9796-2 scheme "
			    "1, partial recovery, trailer %s%s)",
			    rep.trailer_len == 1 ? "BC" : "hh CC",
			    rep.negated ? ", signature sent as n - s" : "");
		else
			result(out, NID_CHECK_FAIL, "the signature does not "
			    "verify with the DG15 key: %s: clone suspected",
			    why);
		OPENSSL_cleanse(&rep, sizeof(rep));
	} else {
		rc = nid_aa_ecdsa_verify(pub, md_nid, rsp.p, rsp.len, rnd,
		    sizeof(rnd), &ok, &used_md, &der_form, why, sizeof(why));
		if (rc == NID_E_CRYPTO) {
			rc = nid_ctx_set_detail(ctx, rc, "AA: OpenSSL failed "
			    "on ECDSA verification");
			goto out;
		}
		if (rc != NID_OK)
			goto out;
		if (md_nid == NID_undef && used_md != NID_undef)
			(void)snprintf(out->algorithm + strlen(out->algorithm),
			    sizeof(out->algorithm) - strlen(out->algorithm),
			    ", %s", nid_aa_md_name(used_md));
		if (ok)
			result(out, NID_CHECK_PASS, "the chip signed the "
			    "challenge with the DG15 key (%s%s%s)",
			    md_nid != NID_undef ? "hash from DG14's "
			    "ActiveAuthenticationInfo" : "hash not named: no "
			    "ActiveAuthenticationInfo in DG14, the hashes of "
			    "ICAO 9303-11 §6.1.2.3 tried",
			    md_nid == NID_sha1 ? "; SHA-1, which §6.1.2.3 "
			    "does not allow" : "", der_form ? "; DER signature, "
			    "not the plain format §6.1.2.3 requires" : "");
		else
			result(out, NID_CHECK_FAIL, "the signature does not "
			    "verify with the DG15 key: %s: clone suspected",
			    why);
	}
	rc = NID_OK;
out:
	out->apdus = card->t->apdus - apdus0;
	out->ms = now_ms() - t0;
	if (rc == NID_OK)
		nid_log(ctx, NID_LOG_INFO, NID_LOG_CAT_GENERAL, "AA: %s: %s",
		    nid_check_result_str(out->result), out->reason);
	OPENSSL_cleanse(rnd, sizeof(rnd));
	nid_buf_clear(&rsp);
	return rc;
}
