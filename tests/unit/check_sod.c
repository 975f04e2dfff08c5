/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_sod.c — EF.SOD parsing (LDSSecurityObject v0/v1, malformed and
 * oversized input), semantic DN comparison, and bit-flip / truncation
 * loops over every EF.SOD and EF.CardSecurity of the real-world corpus
 * (../shared/corpus/realworld-sod, from gmrtd/gmrtd@7f23b50a; see its
 * README). The corpus parts SKIP visibly when ../shared is absent.
 */
#include "config.h"

#include <dirent.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "testutil.h"
#include "testpki.h"
#include "pa.h"
#include "sod.h"
#include "trust.h"

#define CORPUS "corpus/realworld-sod"

/* ---- LDSSecurityObject builder (ICAO 9303-10 §4.6.2.2) --------------- */

/* AlgorithmIdentifier sha256 with NULL parameters (RFC 5754 §2) */
static const char ALG_SHA256[] = "300D06096086480165030402010500";
/* An OID no one knows: 1.2.3.4 */
static const char ALG_UNKNOWN[] = "3005060305" "2A0304";

struct lds_spec {
	const char *name;
	long version;
	const char *alg;
	unsigned dgs[20];
	size_t ndgs;          /* if > 20: that many DGs 1,2,...(mod 16) */
	size_t hash_len;
	int with_vi;          /* ldsVersionInfo present */
	int trailing;         /* junk after the SEQUENCE */
	int want;             /* expected nid_sod_parse_lds result */
};

static const struct lds_spec lds_vectors[] = {
	{ "v0 two DGs", 0, ALG_SHA256, { 1, 2 }, 2, 32, 0, 0, NID_OK },
	{ "v1 with ldsVersionInfo", 1, ALG_SHA256, { 1, 2, 14 }, 3, 32, 1, 0,
	    NID_OK },
	{ "v0 all 16", 0, ALG_SHA256, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
	    12, 13, 14, 15, 16 }, 16, 32, 0, 0, NID_OK },
	{ "v1 without ldsVersionInfo", 1, ALG_SHA256, { 1, 2 }, 2, 32, 0, 0,
	    NID_E_TRUNCATED },
	{ "v0 with ldsVersionInfo", 0, ALG_SHA256, { 1, 2 }, 2, 32, 1, 0,
	    NID_E_TRAILING },
	{ "version 2", 2, ALG_SHA256, { 1, 2 }, 2, 32, 0, 0, NID_E_MALFORMED },
	{ "hash length 20 under SHA-256", 0, ALG_SHA256, { 1, 2 }, 2, 20, 0, 0,
	    NID_E_MALFORMED },
	{ "DG0", 0, ALG_SHA256, { 0, 2 }, 2, 32, 0, 0, NID_E_MALFORMED },
	{ "DG17", 0, ALG_SHA256, { 1, 17 }, 2, 32, 0, 0, NID_E_MALFORMED },
	{ "DG1 twice", 0, ALG_SHA256, { 1, 1 }, 2, 32, 0, 0, NID_E_MALFORMED },
	{ "17 entries", 0, ALG_SHA256, { 0 }, 17, 32, 0, 0, NID_E_TOO_LARGE },
	{ "10000 entries", 0, ALG_SHA256, { 0 }, 10000, 32, 0, 0,
	    NID_E_TOO_LARGE },
	{ "no DG", 0, ALG_SHA256, { 0 }, 0, 32, 0, 0, NID_E_MALFORMED },
	{ "unknown hash", 0, ALG_UNKNOWN, { 1, 2 }, 2, 32, 0, 0,
	    NID_E_UNSUPPORTED },
	{ "trailing byte", 0, ALG_SHA256, { 1, 2 }, 2, 32, 0, 1,
	    NID_E_TRAILING },
};

static void
put_int(nid_buf *b, long v)
{
	uint8_t x = (uint8_t)v;

	ck_assert_int_eq(nid_tlv_put(b, 0x02, &x, 1), NID_OK);
}

static nid_buf
build_lds(const struct lds_spec *v)
{
	nid_buf out, seq, list, e, vi, alg;
	uint8_t hash[64];
	size_t i;
	unsigned n;

	nid_buf_init(&out, NID_BUF_MAX_DEFAULT);
	nid_buf_init(&seq, NID_BUF_MAX_DEFAULT);
	nid_buf_init(&list, NID_BUF_MAX_DEFAULT);
	nid_buf_init(&e, 256);
	nid_buf_init(&vi, 256);
	put_int(&seq, v->version);
	alg = tu_hex(v->alg);
	ck_assert_int_eq(nid_buf_put(&seq, alg.p, alg.len), NID_OK);
	nid_buf_clear(&alg);
	for (i = 0; i < v->ndgs; i++) {
		n = v->ndgs > 16 ? (unsigned)(i % 16) + 1 : v->dgs[i];
		memset(hash, (int)n, sizeof(hash));
		nid_buf_reset(&e);
		put_int(&e, (long)n);
		ck_assert_int_eq(nid_tlv_put(&e, 0x04, hash, v->hash_len), NID_OK);
		ck_assert_int_eq(nid_tlv_put(&list, 0x30, e.p, e.len), NID_OK);
	}
	ck_assert_int_eq(nid_tlv_put(&seq, 0x30, list.p, list.len), NID_OK);
	if (v->with_vi) {
		ck_assert_int_eq(nid_tlv_put(&vi, 0x13, (const uint8_t *)"0108",
		    4), NID_OK);
		ck_assert_int_eq(nid_tlv_put(&vi, 0x13,
		    (const uint8_t *)"040000", 6), NID_OK);
		ck_assert_int_eq(nid_tlv_put(&seq, 0x30, vi.p, vi.len), NID_OK);
	}
	ck_assert_int_eq(nid_tlv_put(&out, 0x30, seq.p, seq.len), NID_OK);
	if (v->trailing)
		ck_assert_int_eq(nid_buf_put_u8(&out, 0), NID_OK);
	nid_buf_clear(&seq);
	nid_buf_clear(&list);
	nid_buf_clear(&e);
	nid_buf_clear(&vi);
	return out;
}

START_TEST(lds_table)
{
	const struct lds_spec *v = &lds_vectors[_i];
	nid_buf b = build_lds(v);
	nid_ctx_t *ctx = NULL;
	nid_sod_t sod;
	size_t i;
	int rc;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	memset(&sod, 0, sizeof(sod));
	rc = nid_sod_parse_lds(ctx, b.p, b.len, &sod);
	ck_assert_msg(rc == v->want, "%s: got %s want %s (%s)", v->name,
	    nid_strerror_name(rc), nid_strerror_name(v->want),
	    nid_ctx_detail(ctx));
	if (rc == NID_OK) {
		ck_assert_int_eq(sod.lds_version, v->version);
		ck_assert_int_eq(sod.lds_md_nid, NID_sha256);
		ck_assert_uint_eq(sod.ndgs, v->ndgs);
		for (i = 0; i < v->ndgs; i++) {
			ck_assert_uint_eq(sod.dgs[i].n, v->dgs[i]);
			ck_assert_uint_eq(sod.dgs[i].hash_len, 32);
			ck_assert_uint_eq(sod.dgs[i].hash[31], v->dgs[i]);
			ck_assert_ptr_eq(nid_sod_find_dg(&sod, v->dgs[i]),
			    &sod.dgs[i]);
		}
		ck_assert_ptr_null(nid_sod_find_dg(&sod, 16 + 1));
		ck_assert_str_eq(sod.lds_version_info, v->with_vi ? "0108" : "");
		ck_assert_str_eq(sod.unicode_version, v->with_vi ? "040000" : "");
	} else
		ck_assert_uint_eq(sod.ndgs, 0);
	nid_buf_clear(&b);
	nid_ctx_free(&ctx);
}
END_TEST

/* ---- nid_sod_parse on synthetic junk ---------------------------------- */

static const struct {
	const char *name;
	const char *hex;
	int want;
} sod_bad[] = {
	{ "empty", "", NID_E_TRUNCATED },
	{ "one byte", "77", NID_E_TRUNCATED },
	{ "neither 77 nor 30", "6100", NID_E_MALFORMED },
	{ "77 with nothing", "7700", NID_E_MALFORMED },
	{ "77 length past end", "7705300300", NID_E_TRUNCATED },
	{ "77 trailing", "770130" "00", NID_E_TRAILING },
	{ "empty SEQUENCE", "3000", NID_E_MALFORMED },
	/* ContentInfo with id-data (1.2.840.113549.1.7.1): not signedData */
	{ "id-data", "77" "13" "3011" "06092A864886F70D010701" "A0040402AABB",
	    NID_E_MALFORMED },
};

START_TEST(sod_bad_table)
{
	nid_buf b = tu_hex(sod_bad[_i].hex);
	nid_ctx_t *ctx = NULL;
	nid_sod_t *sod = NULL;
	int rc;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	rc = nid_sod_parse(ctx, b.p, b.len, &sod);
	ck_assert_msg(rc == sod_bad[_i].want, "%s: got %s want %s (%s)",
	    sod_bad[_i].name, nid_strerror_name(rc),
	    nid_strerror_name(sod_bad[_i].want), nid_ctx_detail(ctx));
	ck_assert_ptr_null(sod);
	nid_buf_clear(&b);
	nid_ctx_free(&ctx);
}
END_TEST

START_TEST(sod_too_large)
{
	static uint8_t big[NID_SOD_MAX_LEN + 1];
	nid_ctx_t *ctx = NULL;
	nid_sod_t *sod = NULL;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	big[0] = 0x77;
	ck_assert_int_eq(nid_sod_parse(ctx, big, sizeof(big), &sod),
	    NID_E_TOO_LARGE);
	ck_assert_ptr_null(sod);
	nid_ctx_free(&ctx);
}
END_TEST

/* ---- semantic names (RFC 5280 §7.1) ---------------------------------- */

static X509_NAME *
mkname(const char *const *kv, int printable)
{
	X509_NAME *n = X509_NAME_new();
	size_t i;

	ck_assert_ptr_nonnull(n);
	for (i = 0; kv[i] != NULL; i += 2)
		ck_assert_int_eq(X509_NAME_add_entry_by_txt(n, kv[i],
		    printable ? V_ASN1_PRINTABLESTRING : MBSTRING_UTF8, (const unsigned char *)kv[i + 1], -1, -1, 0),
		    1);
	return n;
}

START_TEST(names_semantic)
{
	/* The MY quirk: C,O,ST,L,OU,CN vs C,ST,L,O,OU,CN (corpus README) */
	static const char *const a[] = { "C", "MY", "O", "Government",
	    "ST", "WP", "L", "Putrajaya", "OU", "Immigration", "CN",
	    "Malaysia Country Signer", NULL };
	static const char *const b[] = { "C", "MY", "ST", "WP", "L",
	    "Putrajaya", "O", "Government", "OU", "Immigration", "CN",
	    "Malaysia Country Signer", NULL };
	/* UK_imported: C=gb vs C=GB, and white space */
	static const char *const c1[] = { "C", "gb", "O", "UKKPA", "CN",
	    "Country  Signing Authority ", NULL };
	static const char *const c2[] = { "C", "GB", "O", "ukkpa", "CN",
	    "Country Signing Authority", NULL };
	static const char *const d[] = { "C", "GB", "O", "UKKPA", NULL };
	static const char *const e[] = { "C", "GB", "O", "UKKPA", "O",
	    "UKKPA", NULL };
	X509_NAME *na = mkname(a, 0), *nb = mkname(b, 1);
	X509_NAME *nc1 = mkname(c1, 1), *nc2 = mkname(c2, 0);
	X509_NAME *nd = mkname(d, 1), *ne = mkname(e, 1);
	char *canon = NULL;

	ck_assert_int_eq(nid_name_equal(na, nb), 1);
	ck_assert_int_eq(nid_name_equal(nc1, nc2), 1);
	ck_assert_int_eq(nid_name_equal(nd, nc2), 0);
	ck_assert_int_eq(nid_name_equal(nd, ne), 0);   /* multiset */
	ck_assert_int_eq(nid_name_equal(na, nc1), 0);
	ck_assert_int_eq(nid_name_canon(nc1, &canon), NID_OK);
	ck_assert_str_eq(canon, "2.5.4.10=ukkpa\n2.5.4.3=country signing "
	    "authority\n2.5.4.6=gb");
	free(canon);
	X509_NAME_free(na);
	X509_NAME_free(nb);
	X509_NAME_free(nc1);
	X509_NAME_free(nc2);
	X509_NAME_free(nd);
	X509_NAME_free(ne);
}
END_TEST

/* ---- the real-world corpus -------------------------------------------- */

/* Every EF.SOD / CardSecurity of the corpus with its expected parse
 * (corpus README, "Structure details"). */
static const struct {
	const char *file;
	nid_sod_kind kind;
	long lds_version;
	int md;
	const char *dgs;
} corpus_sods[] = {
	{ "sod/AT.sod", NID_SOD_KIND_SOD, 0, NID_sha256, "1,2,3,11,12,14" },
	{ "sod/DE.sod", NID_SOD_KIND_SOD, 1, NID_sha384, "1,2,3,14" },
	{ "sod/FI.sod", NID_SOD_KIND_SOD, 1, NID_sha512, "1,2,3,7,14" },
	{ "sod/FR.sod", NID_SOD_KIND_SOD, 0, NID_sha256, "1,2,3,11,12,13,14" },
	{ "sod/ID.sod", NID_SOD_KIND_SOD, 0, NID_sha256, "1,2,3,14,15" },
	{ "sod/MY.sod", NID_SOD_KIND_SOD, 0, NID_sha256, "1,2,3,11,12,14" },
	{ "sod/NZ.sod", NID_SOD_KIND_SOD, 0, NID_sha256, "1,2,12,13,14,15" },
	{ "sod/PH.sod", NID_SOD_KIND_SOD, 0, NID_sha256, "1,2,7,11,12,15" },
	{ "sod/RU.sod", NID_SOD_KIND_SOD, 0, NID_sha1, "1,2,3,13,14" },
	{ "sod/SG.sod", NID_SOD_KIND_SOD, 1, NID_sha256, "1,2,3,4,13,14" },
	{ "sod/UK.sod", NID_SOD_KIND_SOD, 1, NID_sha256, "1,2,14" },
	{ "sod/UK_imported.sod", NID_SOD_KIND_SOD, 0, NID_sha256, "1,2" },
	{ "sod/US.sod", NID_SOD_KIND_SOD, 0, NID_sha256, "1,2,11,12" },
	{ "cardsecurity/DE.bin", NID_SOD_KIND_CARD_SECURITY, -1, 0, "" },
	{ "cardsecurity/FI.bin", NID_SOD_KIND_CARD_SECURITY, -1, 0, "" },
};

static void
corpus_path(char *buf, size_t len, const char *sh, const char *rel)
{
	int n = snprintf(buf, len, "%s/" CORPUS "/%s", sh, rel);

	ck_assert(n > 0 && (size_t)n < len);
}

static int
read_corpus(const char *rel, nid_buf *out)
{
	const char *sh = tu_shared_dir();
	char path[4096];
	uint8_t *p = NULL;
	size_t len = 0;

	nid_buf_init(out, NID_BUF_MAX_DEFAULT);
	if (sh == NULL)
		return -1;
	corpus_path(path, sizeof(path), sh, rel);
	if (nid_file_read(NULL, path, NID_TRUST_MAX_FILE, &p, &len) != NID_OK)
		return -1;
	ck_assert_int_eq(nid_buf_put(out, p, len), NID_OK);
	free(p);
	return 0;
}

static void
dg_list(const nid_sod_t *s, char *buf, size_t len)
{
	size_t i, l = 0;

	buf[0] = '\0';
	for (i = 0; i < s->ndgs && l + 4 < len; i++)
		l += (size_t)snprintf(buf + l, len - l, "%s%u", i ? "," : "",
		    s->dgs[i].n);
}

START_TEST(corpus_parse)
{
	nid_buf b;
	nid_ctx_t *ctx = NULL;
	nid_sod_t *s = NULL;
	char got[80];

	if (read_corpus(corpus_sods[_i].file, &b) != 0)
		tu_skip("../shared/" CORPUS " absent");
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_msg(nid_sod_parse(ctx, b.p, b.len, &s) == NID_OK, "%s: %s",
	    corpus_sods[_i].file, nid_ctx_detail(ctx));
	ck_assert_int_eq(s->kind, corpus_sods[_i].kind);
	ck_assert_uint_eq(s->nsigners, 1);
	ck_assert_int_eq(sk_X509_num(s->certs), 1);
	if (s->kind == NID_SOD_KIND_SOD) {
		ck_assert_int_eq(s->lds_version, corpus_sods[_i].lds_version);
		ck_assert_int_eq(s->lds_md_nid, corpus_sods[_i].md);
		dg_list(s, got, sizeof(got));
		ck_assert_str_eq(got, corpus_sods[_i].dgs);
		ck_assert_str_eq(s->lds_version_info,
		    s->lds_version == 1 ? "0108" : "");
	}
	/* NZ is the only BER (indefinite length) one */
	ck_assert_int_eq(s->ber_indefinite,
	    strcmp(corpus_sods[_i].file, "sod/NZ.sod") == 0);
	nid_sod_free(&s);
	ck_assert_ptr_null(s);
	nid_buf_clear(&b);
	nid_ctx_free(&ctx);
}
END_TEST

/* Trust store of the corpus README ("Trust store assumed"): both master
 * lists, verified against their CSCAs, and every csca file. */
static nid_trust_t *
corpus_trust(nid_ctx_t *ctx)
{
	const char *sh = tu_shared_dir();
	static const char *const cscas[] = { "csca/DE_ROOT_CA_CSCA07.cer",
	    "csca/NL_ROOT_CA.cer", "csca/GB_CSCA_2010_passive_auth_test.cer",
	    "csca/IDN_2010_SERIES_CSCA_CERT" };
	static const char *const mls[] = {
	    "masterlists/DE_ML_2026-05-28-08-28-45.ml",
	    "masterlists/NL_ML_2026-07-22.ml" };
	nid_trust_t *t = NULL;
	char path[4096];
	size_t i;

	ck_assert_int_eq(nid_trust_new(ctx, &t), NID_OK);
	for (i = 0; i < NID_NELEM(cscas); i++) {
		corpus_path(path, sizeof(path), sh, cscas[i]);
		ck_assert_msg(nid_trust_add_csca_path(t, path) == NID_OK,
		    "%s: %s", path, nid_ctx_detail(ctx));
	}
	for (i = 0; i < NID_NELEM(mls); i++) {
		corpus_path(path, sizeof(path), sh, mls[i]);
		ck_assert_msg(nid_trust_add_masterlist(t, path, 0, NULL, 0) ==
		    NID_OK, "%s: %s", path, nid_ctx_detail(ctx));
	}
	ck_assert_int_eq(t->unverified_masterlists, 0);
	return t;
}

/*
 * Flip one bit in every byte (bit i % 8 of byte i), and truncate at every
 * length: no crash, no leak (run under valgrind by `make check-valgrind`
 * or ASan), and every flipped input either fails to parse, fails at a
 * level, or verifies identically (same eContent, same DS certificate, so
 * the flip was in an unsigned, re-encodable part).
 */
START_TEST(corpus_flip_truncate)
{
	nid_buf b;
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL;
	nid_sod_t *orig = NULL, *s = NULL;
	struct nid_pa_opts po;
	struct nid_pa_report rep;
	uint8_t *econt = NULL;
	size_t i, elen, parsed = 0, failed_level = 0, same = 0;
	unsigned char *dsder = NULL, *d2 = NULL;
	int dslen, l2;
	const char *file = corpus_sods[_i].file;

	if (read_corpus(file, &b) != 0)
		tu_skip("../shared/" CORPUS " absent");
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	t = corpus_trust(ctx);
	ck_assert_int_eq(nid_sod_parse(ctx, b.p, b.len, &orig), NID_OK);
	elen = orig->econtent_len;
	econt = malloc(elen);
	ck_assert_ptr_nonnull(econt);
	memcpy(econt, orig->econtent, elen);
	dslen = i2d_X509(sk_X509_value(orig->certs, 0), &dsder);
	ck_assert_int_gt(dslen, 0);
	po.t_ref = 1795564800;  /* 2026-11-25T00:00:00Z, the corpus date */
	po.crl_policy = NID_PA_CRL_NONE;

	/* the original verifies at the signature and chain levels */
	ck_assert_int_eq(nid_pa_verify(ctx, orig, t, NULL, 0, NULL, &po, &rep),
	    NID_OK);
	ck_assert_int_eq(nid_pa_check(&rep, "sod.signature")->result,
	    NID_CHECK_PASS);
	ck_assert_int_eq(nid_pa_check(&rep, "ds.chain")->result,
	    NID_CHECK_PASS);
	nid_pa_report_clear(&rep);

	for (i = 0; i < b.len; i++) {
		b.p[i] ^= (uint8_t)(1u << (i % 8));
		if (nid_sod_parse(ctx, b.p, b.len, &s) == NID_OK) {
			struct nid_check chk;
			X509 *signer = NULL;

			parsed++;
			/* the signature level first (cheap); the whole
			 * verification only when it passes */
			memset(&chk, 0, sizeof(chk));
			ck_assert_int_eq(nid_cms_verify_signer(ctx, s->cms,
			    s->econtent, s->econtent_len, s->certs, &chk,
			    &signer), NID_OK);
			if (chk.result == NID_CHECK_PASS)
				ck_assert_int_eq(nid_pa_verify(ctx, s, t, NULL,
				    0, NULL, &po, &rep), NID_OK);
			if (chk.result != NID_CHECK_PASS ||
			    nid_pa_check(&rep, "sod.signature")->result !=
			    NID_CHECK_PASS ||
			    nid_pa_check(&rep, "ds.chain")->result !=
			    NID_CHECK_PASS) {
				failed_level++;
			} else {
				/* still verifies: must be identical */
				d2 = NULL;
				l2 = i2d_X509(rep.ds, &d2);
				ck_assert_msg(s->econtent_len == elen &&
				    memcmp(s->econtent, econt, elen) == 0 &&
				    l2 == dslen && memcmp(d2, dsder,
				    (size_t)l2) == 0, "%s: flip at %zu still "
				    "verifies with other content", file, i);
				OPENSSL_free(d2);
				same++;
			}
			nid_pa_report_clear(&rep);
			nid_sod_free(&s);
		}
		b.p[i] ^= (uint8_t)(1u << (i % 8));
	}
	/* Truncations never parse. */
	for (i = 0; i < b.len; i++)
		ck_assert_msg(nid_sod_parse(ctx, b.p, i, &s) != NID_OK,
		    "%s truncated to %zu parses", file, i);
	ck_assert_ptr_null(s);
	fprintf(stderr, "%s: %zu flips, %zu parsed, %zu failed a level, %zu "
	    "verify identically\n", file, b.len, parsed, failed_level, same);
	ck_assert_uint_eq(parsed, failed_level + same);
	ck_assert_uint_gt(failed_level, 0);
	OPENSSL_free(dsder);
	free(econt);
	nid_sod_free(&orig);
	nid_trust_free(&t);
	nid_buf_clear(&b);
	nid_ctx_free(&ctx);
}
END_TEST

/* ---- EF.SOD signed here (sod_sign.c), CRLs -------------------------- */

#define T0 1767225600   /* 2026-01-01T00:00:00Z */
#define DAY 86400

/* synthetic data groups (tags per ICAO 9303-10 §4.7) */
static const uint8_t dg1[] = { 0x61, 0x03, 0x5F, 0x1F, 0x00 };
static const uint8_t dg2[] = { 0x75, 0x02, 0x7F, 0x61 };
static const uint8_t dg14[] = { 0x6E, 0x01, 0x31 };

struct pki {
	EVP_PKEY *csca_key, *ds_key;
	X509 *csca, *ds;
};

static void
pki_make(struct pki *k, const char *ds_type)
{
	k->csca_key = tp_key("EC", 0, "P-384");
	k->csca = tp_cert(k->csca_key, "Test CSCA", NULL, NULL, 1,
	    T0 - 365 * DAY, T0 + 10 * 365 * DAY, 1);
	k->ds_key = ds_type[0] == 'R' ? tp_key("RSA", 2048, NULL) :
	    tp_key("EC", 0, "P-256");
	k->ds = tp_cert(k->ds_key, "Test DS", k->csca, k->csca_key, 77,
	    T0 - 30 * DAY, T0 + 30 * DAY, 0);
}

static void
pki_free(struct pki *k)
{
	EVP_PKEY_free(k->csca_key);
	EVP_PKEY_free(k->ds_key);
	X509_free(k->csca);
	X509_free(k->ds);
}

static nid_sod_t *
sign_parse(nid_ctx_t *ctx, const struct pki *k, long ver, int md, int sig)
{
	struct nid_sod_sign_dg dgs[] = { { 1, dg1, sizeof(dg1) },
	    { 2, dg2, sizeof(dg2) }, { 14, dg14, sizeof(dg14) } };
	struct nid_sod_sign_params p = { ver, md, sig, T0 };
	nid_sod_t *s = NULL;
	nid_buf b;

	nid_buf_init(&b, NID_SOD_MAX_LEN);
	ck_assert_msg(nid_sod_sign(ctx, dgs, 3, k->ds, k->ds_key, &p, &b) ==
	    NID_OK, "sign: %s", nid_ctx_detail(ctx));
	ck_assert_uint_eq(b.p[0], 0x77);
	ck_assert_msg(nid_sod_parse(ctx, b.p, b.len, &s) == NID_OK, "%s",
	    nid_ctx_detail(ctx));
	nid_buf_clear(&b);
	return s;
}

static const struct {
	const char *ds;     /* DS key type */
	int sig;
	int md;
	long ver;
	int want_sig_nid;   /* SignerInfo signatureAlgorithm written */
} sign_vectors[] = {
	{ "RSA", NID_SOD_SIG_DEFAULT, NID_sha256, 0, NID_rsaEncryption },
	{ "RSA", NID_SOD_SIG_DEFAULT, NID_sha384, 1, NID_rsaEncryption },
	{ "RSA", NID_SOD_SIG_DEFAULT, NID_sha512, 1, NID_rsaEncryption },
	{ "RSA", NID_SOD_SIG_RSA_PSS, NID_sha256, 0, NID_rsassaPss },
	{ "RSA", NID_SOD_SIG_RSA_PSS, NID_sha384, 1, NID_rsassaPss },
	{ "RSA", NID_SOD_SIG_RSA_PSS, NID_sha512, 0, NID_rsassaPss },
	{ "EC", NID_SOD_SIG_DEFAULT, NID_sha256, 0, NID_ecdsa_with_SHA256 },
	{ "EC", NID_SOD_SIG_DEFAULT, NID_sha384, 1, NID_ecdsa_with_SHA384 },
	{ "EC", NID_SOD_SIG_DEFAULT, NID_sha512, 1, NID_ecdsa_with_SHA512 },
};

START_TEST(sign_verify_table)
{
	struct nid_pa_dg_input in[] = { { 1, dg1, sizeof(dg1) },
	    { 2, dg2, sizeof(dg2) }, { 14, dg14, sizeof(dg14) } };
	struct nid_pa_opts po = { T0, NID_PA_CRL_NONE };
	struct nid_pa_report rep;
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL;
	nid_sod_t *s;
	struct pki k;
	size_t i;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	pki_make(&k, sign_vectors[_i].ds);
	s = sign_parse(ctx, &k, sign_vectors[_i].ver, sign_vectors[_i].md,
	    sign_vectors[_i].sig);
	ck_assert_int_eq(s->kind, NID_SOD_KIND_SOD);
	ck_assert_int_eq(s->lds_version, sign_vectors[_i].ver);
	ck_assert_int_eq(s->lds_md_nid, sign_vectors[_i].md);
	ck_assert_int_eq(s->digest_nid, sign_vectors[_i].md);
	ck_assert_int_eq(s->sig_nid, sign_vectors[_i].want_sig_nid);
	ck_assert_int_eq(s->has_signing_time, 1);
	ck_assert_int_eq(s->signing_time, T0);
	ck_assert_uint_eq(s->ndgs, 3);
	ck_assert_int_eq(nid_trust_new(ctx, &t), NID_OK);
	ck_assert_int_eq(nid_trust_add_cert(t, k.csca, "test CSCA"), NID_OK);
	ck_assert_int_eq(nid_pa_verify(ctx, s, t, in, 3, NULL, &po, &rep),
	    NID_OK);
	for (i = 0; i < rep.nchecks; i++)
		if (rep.checks[i].required)
			ck_assert_msg(rep.checks[i].result == NID_CHECK_PASS,
			    "%s: %s", rep.checks[i].id, rep.checks[i].reason);
	ck_assert_int_eq(rep.verdict, NID_PA_PASS);
	ck_assert_ptr_eq(rep.csca, &t->anchors[0]);
	ck_assert_int_eq(rep.t_check_signing_time, 1);
	nid_pa_report_clear(&rep);

	/* a tampered DG fails data.hashes only */
	in[1].p = dg1;
	in[1].len = sizeof(dg1);
	ck_assert_int_eq(nid_pa_verify(ctx, s, t, in, 3, NULL, &po, &rep),
	    NID_OK);
	ck_assert_int_eq(nid_pa_check(&rep, "data.hashes")->result,
	    NID_CHECK_FAIL);
	ck_assert_str_eq(nid_pa_check(&rep, "data.hashes")->reason,
	    "DG2 hash mismatch");
	ck_assert_int_eq(nid_pa_check(&rep, "sod.signature")->result,
	    NID_CHECK_PASS);
	ck_assert_int_eq(rep.verdict, NID_PA_FAIL);
	nid_pa_report_clear(&rep);
	nid_sod_free(&s);
	nid_trust_free(&t);
	pki_free(&k);
	nid_ctx_free(&ctx);
}
END_TEST

/* Another CSCA with the same name but another key: chain fails. A DS
 * expired now but valid at signingTime passes (the validity policy). */
START_TEST(sign_wrong_csca_and_validity)
{
	struct nid_pa_opts po = { T0, NID_PA_CRL_NONE };
	struct nid_pa_report rep;
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL;
	nid_sod_t *s;
	struct pki k;
	EVP_PKEY *other_key;
	X509 *other;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	pki_make(&k, "EC");
	s = sign_parse(ctx, &k, 0, NID_sha256, NID_SOD_SIG_DEFAULT);
	other_key = tp_key("EC", 0, "P-256");
	other = tp_cert(other_key, "Test CSCA", NULL, NULL, 2, T0 - DAY,
	    T0 + DAY, 1);
	ck_assert_int_eq(nid_trust_new(ctx, &t), NID_OK);
	ck_assert_int_eq(nid_trust_add_cert(t, other, "other"), NID_OK);
	ck_assert_int_eq(nid_pa_verify(ctx, s, t, NULL, 0, NULL, &po, &rep),
	    NID_OK);
	ck_assert_int_eq(nid_pa_check(&rep, "ds.chain")->result,
	    NID_CHECK_FAIL);
	ck_assert_int_eq(rep.verdict, NID_PA_FAIL);
	nid_pa_report_clear(&rep);

	/* with the right CSCA too, the right one is found */
	ck_assert_int_eq(nid_trust_add_cert(t, k.csca, "right"), NID_OK);
	po.t_ref = T0 + 365 * DAY;   /* DS expired by then */
	ck_assert_int_eq(nid_pa_verify(ctx, s, t, NULL, 0, NULL, &po, &rep),
	    NID_OK);
	ck_assert_int_eq(nid_pa_check(&rep, "ds.chain")->result,
	    NID_CHECK_PASS);
	ck_assert_str_eq(rep.csca->source, "right");
	ck_assert_int_eq(nid_pa_check(&rep, "ds.validity")->result,
	    NID_CHECK_PASS);   /* checked at signingTime T0 */
	ck_assert_int_eq(rep.t_check_signing_time, 1);
	nid_pa_report_clear(&rep);

	/* a reference date before the signingTime: checked at that date,
	 * where the DS is not yet valid */
	po.t_ref = T0 - 60 * DAY;
	ck_assert_int_eq(nid_pa_verify(ctx, s, t, NULL, 0, NULL, &po, &rep),
	    NID_OK);
	ck_assert_int_eq(rep.t_check_signing_time, 0);
	ck_assert_int_eq(nid_pa_check(&rep, "ds.validity")->result,
	    NID_CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(nid_pa_check(&rep, "ds.validity")->reason,
	    "not yet valid"));
	nid_pa_report_clear(&rep);
	X509_free(other);
	EVP_PKEY_free(other_key);
	nid_sod_free(&s);
	nid_trust_free(&t);
	pki_free(&k);
	nid_ctx_free(&ctx);
}
END_TEST

/* ds.revocation: fresh / revoked / stale / foreign CRL, and the policies */
static const struct {
	const char *name;
	int crl;            /* 0 none, 1 fresh, 2 revoking, 3 stale, 4 foreign */
	int policy;
	nid_check_result want;
	int want_verdict;
	const char *reason;
} crl_vectors[] = {
	{ "no CRL", 0, NID_PA_CRL_NONE, NID_CHECK_UNKNOWN, NID_PA_PASS,
	    "no CRL of the DS's CSCA given" },
	{ "no CRL, soft", 0, NID_PA_CRL_SOFT, NID_CHECK_UNKNOWN, NID_PA_WARN,
	    "no CRL" },
	{ "no CRL, hard", 0, NID_PA_CRL_HARD, NID_CHECK_FAIL, NID_PA_FAIL,
	    "hard CRL policy: no CRL" },
	{ "fresh", 1, NID_PA_CRL_SOFT, NID_CHECK_PASS, NID_PA_PASS,
	    "DS not revoked (CRL of 2025-12-30, next update 2026-01-30" },
	{ "revoked", 2, NID_PA_CRL_NONE, NID_CHECK_FAIL, NID_PA_FAIL,
	    "DS certificate revoked on 2025-12-30" },
	{ "revoked, soft", 2, NID_PA_CRL_SOFT, NID_CHECK_FAIL, NID_PA_FAIL,
	    "DS certificate revoked" },
	{ "stale", 3, NID_PA_CRL_SOFT, NID_CHECK_UNKNOWN, NID_PA_WARN,
	    "DS not on the CRL of 2025-11-01, but that CRL is stale" },
	{ "stale, hard", 3, NID_PA_CRL_HARD, NID_CHECK_FAIL, NID_PA_FAIL,
	    "hard CRL policy: DS not on" },
	{ "foreign signer", 4, NID_PA_CRL_SOFT, NID_CHECK_UNKNOWN, NID_PA_WARN,
	    "1 CRL(s) of the CSCA rejected" },
};

START_TEST(crl_table)
{
	struct nid_pa_dg_input in[] = { { 1, dg1, sizeof(dg1) } };
	struct nid_pa_opts po = { T0, crl_vectors[_i].policy };
	struct nid_pa_report rep;
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL;
	nid_sod_t *s;
	struct pki k;
	X509_CRL *crl = NULL;
	EVP_PKEY *fk = NULL;
	const struct nid_check *c;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	pki_make(&k, "EC");
	s = sign_parse(ctx, &k, 0, NID_sha256, NID_SOD_SIG_DEFAULT);
	ck_assert_int_eq(nid_trust_new(ctx, &t), NID_OK);
	ck_assert_int_eq(nid_trust_add_cert(t, k.csca, "csca"), NID_OK);
	switch (crl_vectors[_i].crl) {
	case 1:
		crl = tp_crl(k.csca, k.csca_key, T0 - 2 * DAY, T0 + 29 * DAY, 0);
		break;
	case 2:
		crl = tp_crl(k.csca, k.csca_key, T0 - 2 * DAY, T0 + 29 * DAY, 77);
		break;
	case 3:
		crl = tp_crl(k.csca, k.csca_key, T0 - 61 * DAY, T0 - 31 * DAY, 0);
		break;
	case 4:
		fk = tp_key("EC", 0, "P-256");
		crl = tp_crl(k.csca, fk, T0 - 2 * DAY, T0 + 29 * DAY, 0);
		break;
	default:
		break;
	}
	if (crl != NULL)
		ck_assert_int_eq(nid_trust_add_crl(t, crl, "crl"), NID_OK);
	ck_assert_int_eq(nid_pa_verify(ctx, s, t, in, 1, NULL, &po, &rep),
	    NID_OK);
	c = nid_pa_check(&rep, "ds.revocation");
	ck_assert_msg(c->result == crl_vectors[_i].want, "%s: %s",
	    crl_vectors[_i].name, c->reason);
	ck_assert_msg(strncmp(c->reason, crl_vectors[_i].reason,
	    strlen(crl_vectors[_i].reason)) == 0, "%s: %s",
	    crl_vectors[_i].name, c->reason);
	ck_assert_int_eq(c->required, crl_vectors[_i].policy != 0);
	/* "revoked" without a policy: a level that fails always fails the
	 * verdict; "not required" only ignores an unknown status. */
	ck_assert_int_eq(rep.verdict, crl_vectors[_i].want_verdict);
	nid_pa_report_clear(&rep);
	/* The same with the CRL signatures verified once (trust.h
	 * nid_trust_prepare), as nidcard and the benchmark do. */
	ck_assert_int_eq(nid_trust_prepare(t), NID_OK);
	ck_assert_int_eq(nid_pa_verify(ctx, s, t, in, 1, NULL, &po, &rep),
	    NID_OK);
	c = nid_pa_check(&rep, "ds.revocation");
	ck_assert_msg(c->result == crl_vectors[_i].want &&
	    strncmp(c->reason, crl_vectors[_i].reason,
	    strlen(crl_vectors[_i].reason)) == 0, "%s, prepared: %s",
	    crl_vectors[_i].name, c->reason);
	ck_assert_int_eq(rep.verdict, crl_vectors[_i].want_verdict);
	nid_pa_report_clear(&rep);
	X509_CRL_free(crl);
	EVP_PKEY_free(fk);
	nid_sod_free(&s);
	nid_trust_free(&t);
	pki_free(&k);
	nid_ctx_free(&ctx);
}
END_TEST

/* ---- trust store: all or nothing ------------------------------------- */

/*
 * A self-signed certificate whose subject has n RDNs: nid_name_canon
 * refuses more than 64 (sod.c), so add_anchors cannot take it. Found by
 * fuzz_masterlist (tests/fuzz/regress/masterlist/masterlist-partial-
 * anchors): a refused master list left the certificates before the bad
 * one in the store as trust anchors.
 */
static X509 *
many_rdn_cert(EVP_PKEY *key, int n)
{
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();
	char v[16];
	int i;

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(nm);
	for (i = 0; i < n; i++) {
		(void)snprintf(v, sizeof(v), "u%d", i);
		ck_assert_int_eq(X509_NAME_add_entry_by_txt(nm, "OU",
		    MBSTRING_ASC, (const unsigned char *)v, -1, -1, 0), 1);
	}
	ck_assert_int_eq(X509_set_version(x, 2), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), 9), 1);
	ck_assert_int_eq(X509_set_subject_name(x, nm), 1);
	ck_assert_int_eq(X509_set_issuer_name(x, nm), 1);
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(x), T0));
	ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(x),
	    T0 + 30 * DAY));
	ck_assert_int_eq(X509_set_pubkey(x, key), 1);
	ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
	X509_NAME_free(nm);
	return x;
}

/* DER of x appended to b. */
static void
put_der(nid_buf *b, X509 *x)
{
	unsigned char *d = NULL;
	int n = i2d_X509(x, &d);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(nid_buf_put(b, d, (size_t)n), NID_OK);
	OPENSSL_free(d);
}

/* A CSCA master list over certs, signed by a self-signed signer. */
static void
make_ml(X509 *const *certs, size_t n, EVP_PKEY *key, X509 *signer,
    nid_buf *out)
{
	nid_buf set, body, content;
	CMS_ContentInfo *cms;
	ASN1_OBJECT *oid;
	BIO *in;
	unsigned char *d = NULL;
	const unsigned int fl = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
	size_t i;
	int len;

	nid_buf_init(&set, 1u << 20);
	nid_buf_init(&body, 1u << 20);
	nid_buf_init(&content, 1u << 20);
	for (i = 0; i < n; i++)
		put_der(&set, certs[i]);
	/* CscaMasterList ::= SEQUENCE { version 0, certList SET OF } */
	ck_assert_int_eq(nid_tlv_put(&body, 0x02, (const uint8_t *)"", 1),
	    NID_OK);
	ck_assert_int_eq(nid_tlv_put(&body, 0x31, set.p, set.len), NID_OK);
	ck_assert_int_eq(nid_tlv_put(&content, 0x30, body.p, body.len),
	    NID_OK);
	ck_assert_ptr_nonnull(in = BIO_new_mem_buf(content.p,
	    (int)content.len));
	ck_assert_ptr_nonnull(oid = OBJ_txt2obj(NID_OID_CSCA_MASTER_LIST, 1));
	ck_assert_ptr_nonnull(cms = CMS_sign(NULL, NULL, NULL, NULL, fl));
	ck_assert_ptr_nonnull(CMS_add1_signer(cms, signer, key, EVP_sha256(),
	    fl));
	ck_assert_int_eq(CMS_set1_eContentType(cms, oid), 1);
	ck_assert_int_eq(CMS_final(cms, in, NULL, fl), 1);
	ck_assert_int_gt(len = i2d_CMS_ContentInfo(cms, &d), 0);
	ck_assert_int_eq(nid_buf_put(out, d, (size_t)len), NID_OK);
	OPENSSL_free(d);
	CMS_ContentInfo_free(cms);
	ASN1_OBJECT_free(oid);
	BIO_free(in);
	nid_buf_clear(&set);
	nid_buf_clear(&body);
	nid_buf_clear(&content);
}

/* PEM of the certificates (crl NULL) or of the CRLs. */
static void
make_pem(X509 *const *certs, X509_CRL *const *crls, size_t n, nid_buf *out)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long len;
	size_t i;

	ck_assert_ptr_nonnull(b);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(certs != NULL ? PEM_write_bio_X509(b,
		    certs[i]) : PEM_write_bio_X509_CRL(b, crls[i]), 1);
	ck_assert_int_gt(len = BIO_get_mem_data(b, &p), 0);
	ck_assert_int_eq(nid_buf_put(out, p, (size_t)len), NID_OK);
	BIO_free(b);
}

START_TEST(trust_all_or_nothing)
{
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL;
	EVP_PKEY *key = tp_key("EC", 0, "P-256");
	X509 *good, *many, *signer, *two[2], *same[2];
	X509_CRL *crl[2];
	nid_buf b;
	char why[200];

	nid_buf_init(&b, 1u << 20);
	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	good = tp_cert(key, "Good CSCA", NULL, NULL, 1, T0, T0 + 30 * DAY, 1);
	signer = tp_cert(key, "ML signer", NULL, NULL, 2, T0, T0 + 30 * DAY,
	    0);
	many = many_rdn_cert(key, 65);
	two[0] = good;
	two[1] = many;
	same[0] = same[1] = good;

	/* Master list: the second certificate refuses the whole list. */
	ck_assert_int_eq(nid_trust_new(ctx, &t), NID_OK);
	make_ml(two, 2, key, signer, &b);
	ck_assert_int_eq(nid_trust_add_masterlist_mem(t, b.p, b.len, "x.ml", 1,
	    why, sizeof(why)), NID_E_TOO_LARGE);
	ck_assert_uint_eq(t->nanchors, 0);
	ck_assert_uint_eq(t->nmasterlists, 0);
	ck_assert_int_eq(t->unverified_masterlists, 0);
	/* The good one alone loads (unverified: its signer chains to
	 * nothing in the store), but not with bytes after it. */
	nid_buf_reset(&b);
	make_ml(two, 1, key, signer, &b);
	ck_assert_int_eq(nid_buf_put(&b, "\0\0", 2), NID_OK);
	ck_assert_int_eq(nid_trust_add_masterlist_mem(t, b.p, b.len, "x.ml", 1,
	    why, sizeof(why)), NID_E_TRAILING);
	ck_assert_uint_eq(t->nanchors, 0);
	b.len -= 2;
	ck_assert_int_eq(nid_trust_add_masterlist_mem(t, b.p, b.len, "x.ml", 1,
	    why, sizeof(why)), NID_OK);
	ck_assert_uint_eq(t->nanchors, 1);
	ck_assert_uint_eq(t->nmasterlists, 1);
	ck_assert_int_eq(t->unverified_masterlists, 1);
	ck_assert_int_eq(t->anchors[0].from_masterlist_unverified, 1);
	ck_assert_str_ne(why, "");
	nid_trust_free(&t);

	/* CSCA file (PEM): same rule; a repeat is counted, not added. */
	ck_assert_int_eq(nid_trust_new(ctx, &t), NID_OK);
	nid_buf_reset(&b);
	make_pem(two, NULL, 2, &b);
	ck_assert_int_eq(nid_trust_add_csca_mem(t, b.p, b.len, "x.pem"),
	    NID_E_TOO_LARGE);
	ck_assert_uint_eq(t->nanchors, 0);
	nid_buf_reset(&b);
	make_pem(same, NULL, 2, &b);
	ck_assert_int_eq(nid_trust_add_csca_mem(t, b.p, b.len, "x.pem"),
	    NID_OK);
	ck_assert_uint_eq(t->nanchors, 1);
	ck_assert_uint_eq(t->duplicates, 1);
	ck_assert_str_eq(t->anchors[0].source, "file x.pem");
	nid_trust_free(&t);

	/* CRL file (PEM): a CRL whose issuer cannot be read refuses all. */
	ck_assert_int_eq(nid_trust_new(ctx, &t), NID_OK);
	crl[0] = tp_crl(good, key, T0, T0 + DAY, 0);
	crl[1] = tp_crl(many, key, T0, T0 + DAY, 0);
	nid_buf_reset(&b);
	make_pem(NULL, crl, 2, &b);
	ck_assert_int_eq(nid_trust_add_crl_mem(t, b.p, b.len, "x.crl"),
	    NID_E_TOO_LARGE);
	ck_assert_uint_eq(t->ncrls, 0);
	nid_buf_reset(&b);
	make_pem(NULL, crl, 1, &b);
	ck_assert_int_eq(nid_trust_add_crl_mem(t, b.p, b.len, "x.crl"),
	    NID_OK);
	ck_assert_uint_eq(t->ncrls, 1);
	nid_trust_free(&t);

	X509_CRL_free(crl[0]);
	X509_CRL_free(crl[1]);
	X509_free(good);
	X509_free(many);
	X509_free(signer);
	EVP_PKEY_free(key);
	nid_buf_clear(&b);
	nid_ctx_free(&ctx);
}
END_TEST

/*
 * A DER certificate or CRL whose name holds the text "-----BEGIN " is
 * DER, not PEM (found by fuzz_crl: regress/crl/crl-der-read-as-pem: the
 * PEM inside a DER file was loaded instead of the file).
 */
START_TEST(trust_der_with_pem_text)
{
	nid_ctx_t *ctx = NULL;
	nid_trust_t *t = NULL;
	EVP_PKEY *key = tp_key("EC", 0, "P-256");
	X509 *ca;
	X509_CRL *crl;
	unsigned char *d = NULL;
	int n;

	ck_assert_int_eq(nid_ctx_new(&ctx), NID_OK);
	ck_assert_int_eq(nid_trust_new(ctx, &t), NID_OK);
	ca = tp_cert(key, "-----BEGIN X509 CRL-----", NULL, NULL, 1, T0,
	    T0 + 30 * DAY, 1);
	crl = tp_crl(ca, key, T0, T0 + DAY, 0);
	ck_assert_int_gt(n = i2d_X509(ca, &d), 0);
	ck_assert_int_eq(nid_trust_add_csca_mem(t, d, (size_t)n, "ca.der"),
	    NID_OK);
	ck_assert_uint_eq(t->nanchors, 1);
	OPENSSL_free(d);
	d = NULL;
	ck_assert_int_gt(n = i2d_X509_CRL(crl, &d), 0);
	ck_assert_int_eq(nid_trust_add_crl_mem(t, d, (size_t)n, "ca.crl"),
	    NID_OK);
	ck_assert_uint_eq(t->ncrls, 1);
	OPENSSL_free(d);
	X509_CRL_free(crl);
	X509_free(ca);
	EVP_PKEY_free(key);
	nid_trust_free(&t);
	nid_ctx_free(&ctx);
}
END_TEST

static Suite *
sod_suite(void)
{
	Suite *s = suite_create("sod");
	TCase *tc = tcase_create("parse");
	TCase *tcc = tcase_create("corpus"), *tcs;

	tcase_add_loop_test(tc, lds_table, 0, (int)NID_NELEM(lds_vectors));
	tcase_add_loop_test(tc, sod_bad_table, 0, (int)NID_NELEM(sod_bad));
	tcase_add_test(tc, sod_too_large);
	tcase_add_test(tc, names_semantic);
	suite_add_tcase(s, tc);
	tcs = tcase_create("sign");
	tcase_add_loop_test(tcs, sign_verify_table, 0,
	    (int)NID_NELEM(sign_vectors));
	tcase_add_test(tcs, sign_wrong_csca_and_validity);
	tcase_add_loop_test(tcs, crl_table, 0, (int)NID_NELEM(crl_vectors));
	tcase_add_test(tcs, trust_all_or_nothing);
	tcase_add_test(tcs, trust_der_with_pem_text);
	tcase_set_timeout(tcs, 60);
	suite_add_tcase(s, tcs);
	tcase_add_loop_test(tcc, corpus_parse, 0, (int)NID_NELEM(corpus_sods));
	tcase_add_loop_test(tcc, corpus_flip_truncate, 0,
	    (int)NID_NELEM(corpus_sods));
	tcase_set_timeout(tcc, 600);
	suite_add_tcase(s, tcc);
	return s;
}

int
main(void)
{
	return tu_run(sod_suite());
}
