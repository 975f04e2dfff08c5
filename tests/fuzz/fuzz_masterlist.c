/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_masterlist.c — CSCA master lists (trust.c
 * nid_trust_add_masterlist_mem, ICAO 9303-12 §9: CMS SignedData,
 * eContentType 2.23.136.1.1.2, CscaMasterList) into a trust store, and
 * the trust store's candidate search over what they bring.
 *
 * A throw-away PKI is made once per process (tests/unit/testpki.h): a
 * CSCA given "from a file", a master-list signer it certified, and a
 * rogue signer that no CSCA certified. Byte 0 of the input picks what
 * the rest is:
 *   0, 3  the whole input, byte 0 included, is a master-list file (a DER
 *         file begins with 0x30: real master lists replay as they are);
 *   1     the rest is a CscaMasterList eContent, signed here by the
 *         certified signer;
 *   2     the same, signed here by the rogue signer.
 * Every input is loaded twice: verified into a store holding the CSCA,
 * and with `unverified` into an empty store.
 *
 * Invariants: a refused list leaves the store as it was (no anchor, no
 * master-list count: no partial success); an accepted one is exactly one
 * ContentInfo (nothing after it) and adds only
 * certificates of its certList (nid_masterlist_parse_certs on the same
 * eContent agrees), each with a NUL-terminated source; a list is
 * accepted verified only when its signer chains to the CSCA given as a
 * file — never from mode 0 or 2 (the harness's CSCA key is made at run
 * time, so no input can carry a signature under it), always from mode 1
 * when its certList parses; an unverified acceptance marks every anchor
 * it brought, sets unverified_masterlists and says why; candidate
 * indexes are distinct and in range.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "nid_internal.h"
#include "sod.h"
#include "trust.h"
#include "testpki.h"
#include "fuzz.h"

static EVP_PKEY *csca_key, *signer_key, *rogue_key;
static X509 *csca, *signer, *rogue;

static void
pki_init(void)
{
	time_t now = time(NULL);

	if (csca != NULL)
		return;
	csca_key = tp_key("EC", 0, "prime256v1");
	signer_key = tp_key("EC", 0, "prime256v1");
	rogue_key = tp_key("EC", 0, "prime256v1");
	csca = tp_cert(csca_key, "Fuzz CSCA", NULL, NULL, 1, now - 86400,
	    now + 86400 * 3650L, 1);
	signer = tp_cert(signer_key, "Fuzz ML signer", csca, csca_key, 2,
	    now - 86400, now + 86400 * 365L, 0);
	rogue = tp_cert(rogue_key, "Fuzz ML signer", NULL, NULL, 2,
	    now - 86400, now + 86400 * 365L, 0);
}

/* A master list over content, signed by cert/key; NULL on failure. */
static uint8_t *
sign_list(const uint8_t *content, size_t len, X509 *cert, EVP_PKEY *key,
    size_t *out_len)
{
	CMS_ContentInfo *cms = NULL;
	ASN1_OBJECT *oid = NULL;
	BIO *in = NULL;
	unsigned char *der = NULL;
	int n;
	const unsigned int fl = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;

	*out_len = 0;
	if ((in = BIO_new_mem_buf(content, (int)len)) == NULL ||
	    (oid = OBJ_txt2obj(NID_OID_CSCA_MASTER_LIST, 1)) == NULL ||
	    (cms = CMS_sign(NULL, NULL, NULL, NULL, fl)) == NULL ||
	    CMS_add1_signer(cms, cert, key, EVP_sha256(), fl) == NULL ||
	    CMS_set1_eContentType(cms, oid) != 1 ||
	    CMS_final(cms, in, NULL, fl) != 1 ||
	    (n = i2d_CMS_ContentInfo(cms, &der)) <= 0)
		der = NULL;
	else
		*out_len = (size_t)n;
	CMS_ContentInfo_free(cms);
	ASN1_OBJECT_free(oid);
	BIO_free(in);
	return der;
}

/*
 * The eContent of a master-list file, when OpenSSL reads it as one
 * ContentInfo with nothing after it.
 */
static int
econtent_of(const uint8_t *p, size_t len, uint8_t **out, size_t *out_len)
{
	CMS_ContentInfo *cms;
	ASN1_OCTET_STRING **pos;
	const unsigned char *pp = p;
	int ok = 0;

	*out = NULL;
	*out_len = 0;
	if ((cms = d2i_CMS_ContentInfo(NULL, &pp, (long)len)) == NULL)
		return 0;
	if ((size_t)(pp - p) == len && (pos = CMS_get0_content(cms)) != NULL &&
	    *pos != NULL) {
		*out_len = (size_t)ASN1_STRING_length(*pos);
		if ((*out = malloc(*out_len + 1)) != NULL) {
			memcpy(*out, ASN1_STRING_get0_data(*pos), *out_len);
			ok = 1;
		}
	}
	CMS_ContentInfo_free(cms);
	return ok;
}

static void
check_store(const nid_trust_t *t)
{
	size_t idx[8], n, i, j, k;

	for (i = 0; i < t->nanchors; i++) {
		FUZZ_ASSERT(t->anchors[i].cert != NULL);
		FUZZ_ASSERT(t->anchors[i].canon_subject != NULL);
		FUZZ_ASSERT(memchr(t->anchors[i].source, '\0',
		    sizeof(t->anchors[i].source)) != NULL);
		FUZZ_ASSERT(t->anchors[i].link == !t->anchors[i].self_signed);
		if (i >= 16)
			continue;
		n = nid_trust_candidates(t, t->anchors[i].cert, idx,
		    NID_NELEM(idx));
		FUZZ_ASSERT(n <= NID_NELEM(idx));
		for (j = 0; j < n; j++) {
			FUZZ_ASSERT(idx[j] < t->nanchors);
			for (k = 0; k < j; k++)
				FUZZ_ASSERT(idx[k] != idx[j]);
		}
	}
}

/*
 * Load file (its eContent is content, or NULL when OpenSSL cannot read
 * it) into a store, verified (with the CSCA) or not (empty store).
 * expect_verified: 1 the list must be accepted as verified when its
 * certList parses, 0 it must never be, -1 no expectation.
 */
static void
load(nid_ctx_t *ctx, const uint8_t *file, size_t file_len,
    const uint8_t *content, size_t content_len, int unverified,
    int expect_verified)
{
	nid_trust_t *t = NULL;
	STACK_OF(X509) *certs = NULL;
	char why[256];
	size_t before, i;
	int rc, prc = -1;

	FUZZ_ASSERT(nid_trust_new(ctx, &t) == NID_OK);
	if (!unverified)
		FUZZ_ASSERT(nid_trust_add_cert(t, csca, "file fuzz-csca.der") ==
		    NID_OK);
	before = t->nanchors;
	memset(why, 'x', sizeof(why));
	rc = nid_trust_add_masterlist_mem(t, file, file_len, "fuzz.ml",
	    unverified, why, sizeof(why));
	FUZZ_ASSERT(memchr(why, '\0', sizeof(why)) != NULL);
	if (content != NULL) {
		prc = nid_masterlist_parse_certs(ctx, content, content_len,
		    &certs);
		FUZZ_ASSERT((prc == NID_OK) == (certs != NULL));
	}
	if (rc != NID_OK) {
		/* No partial success. */
		FUZZ_ASSERT(t->nanchors == before);
		FUZZ_ASSERT(t->nmasterlists == 0);
		FUZZ_ASSERT(!t->unverified_masterlists);
		if (expect_verified == 1 && prc == NID_OK)
			FUZZ_ASSERT(rc == NID_E_TOO_LARGE || rc == NID_E_NOMEM ||
			    rc == NID_E_MALFORMED);
		if (unverified)
			FUZZ_ASSERT(rc != NID_E_NO_TRUST);
		goto out;
	}
	FUZZ_ASSERT(t->nmasterlists == 1);
	/* Accepted: what OpenSSL reads as its eContent is a certList. */
	FUZZ_ASSERT(prc == NID_OK);
	FUZZ_ASSERT(t->nanchors - before <= (size_t)sk_X509_num(certs));
	if (t->unverified_masterlists) {
		FUZZ_ASSERT(unverified);
		FUZZ_ASSERT(expect_verified != 1);
		FUZZ_ASSERT(why[0] != '\0');
		for (i = before; i < t->nanchors; i++)
			FUZZ_ASSERT(t->anchors[i].from_masterlist_unverified);
	} else {
		/* Verified: only when signed under the CSCA. */
		FUZZ_ASSERT(expect_verified != 0);
		FUZZ_ASSERT(!unverified || why[0] == '\0');
		for (i = before; i < t->nanchors; i++)
			FUZZ_ASSERT(!t->anchors[i].from_masterlist_unverified);
	}
	check_store(t);
 out:
	sk_X509_pop_free(certs, X509_free);
	nid_trust_free(&t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nid_ctx_t *ctx = NULL;
	uint8_t *file = NULL, *content = NULL;
	size_t file_len = 0, content_len = 0;
	int mode, expect;

	if (size < 1)
		return 0;
	pki_init();
	FUZZ_ASSERT(nid_ctx_new(&ctx) == NID_OK);
	mode = data[0] & 3;
	if (mode == 1 || mode == 2) {
		data++;
		size--;
		file = sign_list(data, size, mode == 1 ? signer : rogue,
		    mode == 1 ? signer_key : rogue_key, &file_len);
		FUZZ_ASSERT(file != NULL);
		content = malloc(size + 1);
		FUZZ_ASSERT(content != NULL);
		memcpy(content, data, size);
		content_len = size;
		expect = mode == 1 ? 1 : 0;
		load(ctx, file, file_len, content, content_len, 0, expect);
		load(ctx, file, file_len, content, content_len, 1, 0);
		OPENSSL_free(file);
	} else {
		(void)econtent_of(data, size, &content, &content_len);
		load(ctx, data, size, content, content_len, 0, 0);
		load(ctx, data, size, content, content_len, 1, 0);
	}
	free(content);
	nid_ctx_free(&ctx);
	ERR_clear_error();
	return 0;
}
