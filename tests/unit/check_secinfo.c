/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * check_secinfo.c — SecurityInfos (secinfo.c): EF.CardAccess, DG14 and
 * EF.CardSecurity.
 *
 * Sources: EF.CardAccess of ICAO 9303-11 Appendix G.1 / G.2 (vectors file
 * ../shared/vectors/icao-9303-11-worked-examples.md §2.1, §2.2; the SET
 * wrapper as gmrtd/gmrtd@7f23b50ad912f10364f66ddc3423683cfc18e134 and
 * ZeroPass/dmrtd@fb6f08f8152cdf7368d43b4deb0f9561e3617907 use it). Real
 * DG14 and EF.CardSecurity files of ../shared/corpus/realworld-sod (see its
 * README.md and expected.tsv for their provenance), read at run time.
 */
#include "config.h"

#include <openssl/evp.h>

#include "testutil.h"
#include "oid.h"
#include "secinfo.h"

#define PACE_EC_GM_128 "0.4.0.127.0.7.2.2.4.2.2"

/* Read ../shared/<rel> into b; 0 when the shared folder or file is absent. */
START_TEST(cardaccess_appendix_g)
{
	nid_buf g1 = tu_hex("31143012060A04007F0007020204020202010202010D");
	nid_buf g2 = tu_hex("31143012060A04007F00070202040102020102020100");
	nid_secinfos *s = NULL;
	const struct nid_secinfo *si;

	/* G.1: PACEInfo id-PACE-ECDH-GM-AES-CBC-CMAC-128, v2, parameterId 13. */
	ck_assert_int_eq(nid_secinfos_parse(g1.p, g1.len, &s), NID_OK);
	ck_assert_uint_eq(s->n, 1);
	ck_assert_uint_eq(nid_secinfos_count(s, NID_OID_PACE), 1);
	si = nid_secinfos_get(s, NID_OID_PACE, 0);
	ck_assert_ptr_nonnull(si);
	ck_assert_str_eq(si->oid, PACE_EC_GM_128);
	ck_assert_str_eq(si->proto->name, "id-PACE-ECDH-GM-AES-CBC-CMAC-128");
	ck_assert_int_eq(si->version, 2);
	ck_assert_int_eq(si->param_id, 13);
	ck_assert_int_eq(si->key_id, -1);
	tu_assert_hex(si->oid_der.p, si->oid_der.len, "04007F00070202040202");
	ck_assert_uint_eq(si->raw.len, 20);
	ck_assert_ptr_null(nid_secinfos_get(s, NID_OID_PACE, 1));
	nid_secinfos_free(&s);
	ck_assert_ptr_null(s);

	/* G.2: id-PACE-DH-GM-AES-CBC-CMAC-128, v2, parameterId 0. */
	ck_assert_int_eq(nid_secinfos_parse(g2.p, g2.len, &s), NID_OK);
	si = nid_secinfos_get(s, NID_OID_PACE, 0);
	ck_assert_str_eq(si->proto->name, "id-PACE-DH-GM-AES-CBC-CMAC-128");
	ck_assert_int_eq(si->proto->ka, NID_KA_DH);
	ck_assert_int_eq(si->param_id, 0);
	nid_secinfos_free(&s);
	nid_buf_clear(&g1);
	nid_buf_clear(&g2);
}
END_TEST

/*
 * What each real DG14 holds (openssl asn1parse of the corpus files):
 * counts of PACEInfo, ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo,
 * TerminalAuthenticationInfo, ActiveAuthenticationInfo, others; then the
 * first PACEInfo's protocol and parameterId, the first CA's protocol and
 * keyId, and the CA public key's size in bits.
 */
static const struct {
	const char *file;
	size_t pace, ca, pk, ta, aa, other, total;
	const char *pace_name;
	long pace_param;
	const char *ca_name;
	long ca_key_id;
	int pk_bits;
} dg14_vectors[] = {
	/* AT: TA v1; CA ECDH AES-128 v1; PACE ECDH-GM AES-128 on
	 * brainpoolP256r1 (13); CA key on explicit brainpoolP256r1. */
	{ "AT", 1, 1, 1, 1, 0, 0, 4, "id-PACE-ECDH-GM-AES-CBC-CMAC-128", 13,
	  "id-CA-ECDH-AES-CBC-CMAC-128", -1, 256 },
	/* DE: TA v1; PACE GM and PACE-CAM, both 13; CA ECDH AES-128 with
	 * keyId 0xC3 (INTEGER 00C3); CA key brainpoolP256r1, keyId 0xC3. */
	{ "DE", 2, 1, 1, 1, 0, 0, 5, "id-PACE-ECDH-GM-AES-CBC-CMAC-128", 13,
	  "id-CA-ECDH-AES-CBC-CMAC-128", 0xc3, 256 },
	/* FI: elements not in DER SET order; CA key brainpoolP384r1; CA
	 * ECDH AES-256; TA; PACE GM and CAM AES-256 on brainpoolP384r1 (16). */
	{ "FI", 2, 1, 1, 1, 0, 0, 5, "id-PACE-ECDH-GM-AES-CBC-CMAC-256", 16,
	  "id-CA-ECDH-AES-CBC-CMAC-256", -1, 384 },
	/* FR: CA key on explicit P-256 and a PACEInfo AES-256 on P-256 (12);
	 * no ChipAuthenticationInfo. */
	{ "FR", 1, 0, 1, 0, 0, 0, 2, "id-PACE-ECDH-GM-AES-CBC-CMAC-256", 12,
	  NULL, -1, 256 },
	/* ID: TA; CA ECDH AES-256; PACE GM AES-256 on 13; CA key brainpoolP256r1. */
	{ "ID", 1, 1, 1, 1, 0, 0, 4, "id-PACE-ECDH-GM-AES-CBC-CMAC-256", 13,
	  "id-CA-ECDH-AES-CBC-CMAC-256", -1, 256 },
	/* MY: CA key brainpoolP256r1; CA ECDH 3DES; TA; no PACE. */
	{ "MY", 0, 1, 1, 1, 0, 0, 3, NULL, -1, "id-CA-ECDH-3DES-CBC-CBC", -1, 256 },
	/* SG: only a PACEInfo (expected.tsv: "DG14 holds only a PACEInfo"). */
	{ "SG", 1, 0, 0, 0, 0, 0, 1, "id-PACE-ECDH-GM-AES-CBC-CMAC-256", 13,
	  NULL, -1, 0 },
};

START_TEST(dg14_realworld)
{
	char rel[128];
	nid_buf b;
	nid_secinfos *s = NULL;
	const struct nid_secinfo *si;
	EVP_PKEY *pk = NULL;
	size_t i;

	snprintf(rel, sizeof(rel), "corpus/realworld-sod/dg/%s/DG14.bin",
	    dg14_vectors[_i].file);
	if (!tu_read_shared(rel, &b)) {
		nid_buf_clear(&b);
		tu_skip(rel);
	}
	ck_assert_int_eq(nid_secinfos_parse_dg14(b.p, b.len, &s), NID_OK);
	ck_assert_uint_eq(s->n, dg14_vectors[_i].total);
	ck_assert_uint_eq(nid_secinfos_count(s, NID_OID_PACE), dg14_vectors[_i].pace);
	ck_assert_uint_eq(nid_secinfos_count(s, NID_OID_CA), dg14_vectors[_i].ca);
	ck_assert_uint_eq(nid_secinfos_count(s, NID_OID_PK), dg14_vectors[_i].pk);
	ck_assert_uint_eq(nid_secinfos_count(s, NID_OID_TA), dg14_vectors[_i].ta);
	ck_assert_uint_eq(nid_secinfos_count(s, NID_OID_AA), dg14_vectors[_i].aa);
	ck_assert_uint_eq(nid_secinfos_count(s, NID_OID_OTHER), dg14_vectors[_i].other);
	if (dg14_vectors[_i].pace_name != NULL) {
		si = nid_secinfos_get(s, NID_OID_PACE, 0);
		ck_assert_str_eq(si->proto->name, dg14_vectors[_i].pace_name);
		ck_assert_int_eq(si->version, 2);
		ck_assert_int_eq(si->param_id, dg14_vectors[_i].pace_param);
	}
	if (dg14_vectors[_i].ca_name != NULL) {
		si = nid_secinfos_get(s, NID_OID_CA, 0);
		ck_assert_str_eq(si->proto->name, dg14_vectors[_i].ca_name);
		ck_assert_int_eq(si->version, 1);
		ck_assert_int_eq(si->key_id, dg14_vectors[_i].ca_key_id);
	}
	if (dg14_vectors[_i].pk_bits != 0) {
		si = nid_secinfos_get(s, NID_OID_PK, 0);
		ck_assert_str_eq(si->proto->name, "id-PK-ECDH");
		ck_assert_int_eq(si->key_id, dg14_vectors[_i].ca_key_id);
		ck_assert_int_eq(nid_secinfo_pubkey(si, &pk), NID_OK);
		ck_assert_int_eq(EVP_PKEY_get_base_id(pk), EVP_PKEY_EC);
		ck_assert_int_eq(EVP_PKEY_get_bits(pk), dg14_vectors[_i].pk_bits);
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	for (i = 0; i < s->n; i++)
		ck_assert_ptr_nonnull(s->v[i].proto);
	nid_secinfos_free(&s);

	/* Every truncation fails; the bare SET (no 6E) is refused by the
	 * DG14 parser and accepted by the CardAccess one. */
	for (i = 0; i < b.len; i++)
		ck_assert_int_ne(nid_secinfos_parse_dg14(b.p, i, &s), NID_OK);
	ck_assert_ptr_null(s);
	{
		nid_cur c;

		ck_assert_int_eq(nid_tlv_single(b.p, b.len, 0, 0x6e, &c), NID_OK);
		ck_assert_int_ne(nid_secinfos_parse_dg14(c.p, c.len, &s), NID_OK);
		ck_assert_int_eq(nid_secinfos_parse(c.p, c.len, &s), NID_OK);
		nid_secinfos_free(&s);
	}
	/* A trailing byte after the 6E. */
	ck_assert_int_eq(nid_buf_put_u8(&b, 0x00), NID_OK);
	ck_assert_int_eq(nid_secinfos_parse_dg14(b.p, b.len, &s), NID_E_TRAILING);
	nid_buf_clear(&b);
}
END_TEST

START_TEST(cardsecurity_realworld)
{
	nid_buf b;
	nid_secinfos *s = NULL;
	const struct nid_secinfo *si;
	EVP_PKEY *pk = NULL;

	/* DE: the German ID card's EF.CardSecurity (expected.tsv). */
	if (!tu_read_shared("corpus/realworld-sod/cardsecurity/DE.bin", &b)) {
		nid_buf_clear(&b);
		tu_skip("corpus/realworld-sod/cardsecurity/DE.bin");
	}
	ck_assert_int_eq(nid_secinfos_parse_cardsecurity(b.p, b.len, &s), NID_OK);
	/* TA v2; CA ECDH AES-128 v2 keyId 0x48; PACE GM and CAM on 13;
	 * ChipAuthenticationDomainParameterInfo keyId 0x48; two CA keys on
	 * standardizedDomainParameters 13, keyIds 0x0D and 0x48. */
	ck_assert_uint_eq(s->n, 7);
	ck_assert_uint_eq(nid_secinfos_count(s, NID_OID_TA), 1);
	ck_assert_int_eq(nid_secinfos_get(s, NID_OID_TA, 0)->version, 2);
	si = nid_secinfos_get(s, NID_OID_CA, 0);
	ck_assert_int_eq(si->version, 2);
	ck_assert_int_eq(si->key_id, 0x48);
	ck_assert_uint_eq(nid_secinfos_count(s, NID_OID_PACE), 2);
	ck_assert_int_eq(nid_secinfos_get(s, NID_OID_PACE, 1)->proto->map,
	    NID_MAP_CAM);
	si = nid_secinfos_get(s, NID_OID_CA_DP, 0);
	ck_assert_ptr_nonnull(si);
	ck_assert_str_eq(si->proto->name, "id-CA-ECDH");
	ck_assert_int_eq(si->key_id, 0x48);
	ck_assert_uint_eq(si->data.len, 14);
	ck_assert_uint_eq(nid_secinfos_count(s, NID_OID_PK), 2);
	si = nid_secinfos_get(s, NID_OID_PK, 1);
	ck_assert_int_eq(si->key_id, 0x48);
	ck_assert_int_eq(nid_secinfo_pubkey(si, &pk), NID_OK);
	ck_assert_int_eq(EVP_PKEY_get_base_id(pk), EVP_PKEY_EC);
	ck_assert_int_eq(EVP_PKEY_get_bits(pk), 256);
	EVP_PKEY_free(pk);
	nid_secinfos_free(&s);
	/* Not a CMS structure, and one byte short. */
	ck_assert_int_ne(nid_secinfos_parse_cardsecurity(b.p + 1, b.len - 1, &s),
	    NID_OK);
	ck_assert_int_ne(nid_secinfos_parse_cardsecurity(b.p, b.len - 1, &s),
	    NID_OK);
	nid_buf_clear(&b);

	/* FI: PACE GM and CAM AES-256 on brainpoolP384r1 (16), and the CA key. */
	if (!tu_read_shared("corpus/realworld-sod/cardsecurity/FI.bin", &b)) {
		nid_buf_clear(&b);
		tu_skip("corpus/realworld-sod/cardsecurity/FI.bin");
	}
	ck_assert_int_eq(nid_secinfos_parse_cardsecurity(b.p, b.len, &s), NID_OK);
	ck_assert_uint_eq(s->n, 3);
	ck_assert_int_eq(nid_secinfos_get(s, NID_OID_PACE, 0)->param_id, 16);
	si = nid_secinfos_get(s, NID_OID_PK, 0);
	ck_assert_int_eq(si->key_id, 16);
	ck_assert_int_eq(nid_secinfo_pubkey(si, &pk), NID_OK);
	ck_assert_int_eq(EVP_PKEY_get_bits(pk), 384);
	EVP_PKEY_free(pk);
	nid_secinfos_free(&s);
	nid_buf_clear(&b);
}
END_TEST

/* CardAccess-style SETs, hand-built. */
static const struct {
	const char *hex;
	int rc;
	const char *what;
} set_vectors[] = {
	{ "3100", NID_E_MALFORMED, "empty SET" },
	{ "", NID_E_TRUNCATED, "no bytes" },
	{ "3014", NID_E_TRUNCATED, "SET header only" },
	{ "30143012060A04007F0007020204020202010202010D", NID_E_BAD_TLV,
	  "SEQUENCE instead of SET" },
	{ "31143012060A04007F0007020204020202010202010D00", NID_E_TRAILING,
	  "byte after the SET" },
	{ "3181143012060A04007F0007020204020202010202010D", NID_E_BAD_TLV,
	  "non-minimal length" },
	{ "31050403020101", NID_E_MALFORMED, "element not a SEQUENCE" },
	{ "3107300502010206 00", NID_E_MALFORMED, "no OID first" },
	{ "310E300C060A04007F00070202040202", NID_E_MALFORMED,
	  "PACEInfo without version" },
	{ "3111300F060A04007F00070202040202040100", NID_E_MALFORMED,
	  "PACEInfo version not an INTEGER" },
	{ "3111300F060A04007F000702020402020201FF", NID_E_MALFORMED,
	  "negative version" },
	{ "31123010060A04007F0007020204020202020002", NID_E_MALFORMED,
	  "non-minimal INTEGER" },
	{ "31173015060A04007F0007020204020202010202047FFFFFFF", NID_OK,
	  "parameterId 2^31-1" },
	{ "31183016060A04007F0007020204020202010202050080000000",
	  NID_E_TOO_LARGE, "parameterId 2^31" },
	{ "31173015060A04007F0007020204020202010202010D020101",
	  NID_E_TRAILING, "PACEInfo with a third field" },
	{ "31143012060A04007F0007020204020202010204010D", NID_E_MALFORMED,
	  "parameterId not an INTEGER" },
	{ "310A300806032A8086020102", NID_E_MALFORMED, "bad OID" },
	{ "3113 3011 0608 04007F0007020206 1605 612E622E63", NID_OK,
	  "unknown SecurityInfo (id-CI) kept raw" },
	{ "3117 3015 0608 04007F0007020206 1605 612E622E63 0500 0500",
	  NID_E_TRAILING, "unknown SecurityInfo with three fields" },
	{ "31173015060667810801010502010106082A8648CE3D040302", NID_OK,
	  "ActiveAuthenticationInfo" },
	{ "310C300A06066781080101050500", NID_E_MALFORMED,
	  "ActiveAuthenticationInfo without version" },
	{ "31153013060804007F000702020202010130040402011C", NID_OK,
	  "TerminalAuthenticationInfo with efCVCA" },
	{ "3110300E060904007F000702020102040100", NID_E_MALFORMED,
	  "CA public key not a SEQUENCE" },
	{ "3110300E060904007F0007020201023000", NID_E_TRUNCATED,
	  "CA public key SET length past the end" },
};

START_TEST(set_table)
{
	nid_buf b = tu_hex(set_vectors[_i].hex);
	nid_secinfos *s = NULL;
	int rc;

	rc = nid_secinfos_parse(b.p, b.len, &s);
	ck_assert_msg(rc == set_vectors[_i].rc, "%s: rc %d want %d",
	    set_vectors[_i].what, rc, set_vectors[_i].rc);
	if (rc == NID_OK)
		ck_assert_ptr_nonnull(s);
	else
		ck_assert_ptr_null(s);
	nid_secinfos_free(&s);
	nid_buf_clear(&b);
}
END_TEST

START_TEST(details_of_small_infos)
{
	nid_buf b = tu_hex("3137"
	    "3011 0608 04007F0007020206 1605 612E622E63"
	    "3013 0606 678108010105 020101 0606 2A8648CE3D04"
	    "300D 0608 04007F0007020202 020101");
	nid_secinfos *s = NULL;
	const struct nid_secinfo *si;

	ck_assert_int_eq(nid_secinfos_parse(b.p, b.len, &s), NID_OK);
	ck_assert_uint_eq(s->n, 3);
	si = &s->v[0];
	ck_assert_int_eq(si->kind, NID_OID_OTHER);
	ck_assert_ptr_null(si->proto);
	ck_assert_str_eq(si->oid, "0.4.0.127.0.7.2.2.6");
	ck_assert_uint_eq(si->raw.len, 19);
	si = nid_secinfos_get(s, NID_OID_AA, 0);
	ck_assert_int_eq(si->version, 1);
	ck_assert_str_eq(si->sig_alg, "1.2.840.10045.4");
	si = nid_secinfos_get(s, NID_OID_TA, 0);
	ck_assert_int_eq(si->version, 1);
	ck_assert_uint_eq(si->data.len, 0);
	/* Not a PK entry: no public key. */
	{
		EVP_PKEY *pk = NULL;

		ck_assert_int_eq(nid_secinfo_pubkey(si, &pk), NID_E_INVALID_ARG);
		ck_assert_ptr_null(pk);
	}
	nid_secinfos_free(&s);
	nid_buf_clear(&b);
}
END_TEST

/* A PACEDomainParameterInfo (id-PACE-ECDH-GM, AlgorithmIdentifier
 * id-ecPublicKey / brainpoolP256r1, proprietary parameterId 32) next to a
 * PACEInfo, built from TR-03110-3 §A.1.1.1. */
START_TEST(pace_domain_parameter_info)
{
	nid_buf b = tu_hex("313A"
	    "3024 0609 04007F000702020402"
	    "3014 0607 2A8648CE3D0201 0609 2B2403030208010107"
	    "020120"
	    "3012060A04007F0007020204020202010202010D");
	nid_secinfos *s = NULL;
	const struct nid_secinfo *si;

	ck_assert_int_eq(nid_secinfos_parse(b.p, b.len, &s), NID_OK);
	ck_assert_uint_eq(s->n, 2);
	si = nid_secinfos_get(s, NID_OID_PACE_DP, 0);
	ck_assert_ptr_nonnull(si);
	ck_assert_str_eq(si->proto->name, "id-PACE-ECDH-GM");
	ck_assert_int_eq(si->param_id, 32);
	ck_assert_uint_eq(si->data.len, 22);
	tu_assert_hex(si->data.p, 2, "3014");
	ck_assert_int_eq(si->version, -1);
	nid_secinfos_free(&s);
	/* Without its AlgorithmIdentifier: refused. */
	nid_buf_clear(&b);
	b = tu_hex("3110 300E 0609 04007F000702020402 020120");
	ck_assert_int_eq(nid_secinfos_parse(b.p, b.len, &s), NID_E_MALFORMED);
	nid_buf_clear(&b);
}
END_TEST

START_TEST(count_cap)
{
	nid_buf b;
	nid_secinfos *s = NULL;
	size_t i, n;

	/* NID_SECINFO_MAX + 1 PACEInfos (20 bytes each). */
	for (n = NID_SECINFO_MAX; n <= NID_SECINFO_MAX + 1; n++) {
		nid_buf_init(&b, 8192);
		ck_assert_int_eq(nid_tlv_put_header(&b, 0x31, 20 * n), NID_OK);
		for (i = 0; i < n; i++) {
			nid_buf one = tu_hex("3012060A04007F0007020204020202010202010D");

			ck_assert_int_eq(nid_buf_put(&b, one.p, one.len), NID_OK);
			nid_buf_clear(&one);
		}
		ck_assert_int_eq(nid_secinfos_parse(b.p, b.len, &s),
		    n == NID_SECINFO_MAX ? NID_OK : NID_E_TOO_LARGE);
		nid_secinfos_free(&s);
		nid_buf_clear(&b);
	}
	/* Input size cap. */
	{
		static uint8_t big[NID_SECINFO_INPUT_MAX + 1];

		ck_assert_int_eq(nid_secinfos_parse(big, sizeof(big), &s),
		    NID_E_TOO_LARGE);
	}
}
END_TEST

START_TEST(bitflips)
{
	nid_buf b;
	nid_secinfos *s = NULL;
	size_t i;
	unsigned bit;
	int rc, ok = 0, bad = 0;

	if (!tu_read_shared("corpus/realworld-sod/dg/DE/DG14.bin", &b)) {
		nid_buf_clear(&b);
		tu_skip("corpus/realworld-sod/dg/DE/DG14.bin");
	}
	/* Every single-bit change: no crash, no leak, a clean result. */
	for (i = 0; i < b.len; i++) {
		for (bit = 0; bit < 8; bit++) {
			b.p[i] ^= (uint8_t)(1u << bit);
			rc = nid_secinfos_parse_dg14(b.p, b.len, &s);
			if (rc == NID_OK) {
				ck_assert_ptr_nonnull(s);
				ok++;
			} else {
				ck_assert_ptr_null(s);
				bad++;
			}
			nid_secinfos_free(&s);
			b.p[i] ^= (uint8_t)(1u << bit);
		}
	}
	/* Flips in the header bytes must all fail. */
	for (i = 0; i < 8; i++) {
		for (bit = 0; bit < 8; bit++) {
			b.p[i] ^= (uint8_t)(1u << bit);
			ck_assert_int_ne(nid_secinfos_parse_dg14(b.p, b.len, &s),
			    NID_OK);
			b.p[i] ^= (uint8_t)(1u << bit);
		}
	}
	ck_assert_int_gt(ok, 0);
	ck_assert_int_gt(bad, 0);
	nid_buf_clear(&b);
}
END_TEST

static Suite *
secinfo_suite(void)
{
	Suite *s = suite_create("secinfo");
	TCase *tc = tcase_create("secinfo");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cardaccess_appendix_g);
	tcase_add_loop_test(tc, dg14_realworld, 0, NID_NELEM(dg14_vectors));
	tcase_add_test(tc, cardsecurity_realworld);
	tcase_add_loop_test(tc, set_table, 0, NID_NELEM(set_vectors));
	tcase_add_test(tc, details_of_small_infos);
	tcase_add_test(tc, pace_domain_parameter_info);
	tcase_add_test(tc, count_cap);
	tcase_add_test(tc, bitflips);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(secinfo_suite());
}
