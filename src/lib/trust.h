/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * trust.h — the trust store for passive authentication (module: trust):
 * CSCA certificates (PEM or DER; a file or a folder), CSCA master lists
 * (ICAO 9303-12 §9), link certificates and CRLs (ICAO 9303-12 §7.1.4).
 * Loaded once, then used for any number of documents (batch use).
 *
 * Every CSCA remembers where it came from ("file PATH", or "master list
 * FILE, signed by NAME"), so that a report can say why it was trusted.
 */
#ifndef NID_TRUST_H
#define NID_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "nid_internal.h"

#define NID_TRUST_MAX_FILE      (32u * 1024u * 1024u) /* one input file */
#define NID_TRUST_MAX_CERT      (64u * 1024u)         /* one certificate */
#define NID_TRUST_MAX_ANCHORS   20000u
#define NID_TRUST_MAX_CRLS      4096u
#define NID_TRUST_MAX_DIR_FILES 10000u
#define NID_TRUST_SOURCE_MAX    512u

struct nid_trust_anchor {
	X509 *cert;            /* owned */
	char *canon_subject;   /* nid_name_canon() of the subject */
	uint8_t fp[32];        /* SHA-256 of the DER */
	int self_signed;       /* subject = issuer (semantically) */
	int link;              /* a link certificate: issuer differs */
	int from_masterlist_unverified;
	char source[NID_TRUST_SOURCE_MAX];
};

struct nid_trust_crl {
	X509_CRL *crl;         /* owned */
	char *canon_issuer;
	char source[NID_TRUST_SOURCE_MAX];
	/*
	 * Set by nid_trust_prepare(): verified[i] says whether the CRL's
	 * signature verifies with anchor i's key (anchors named as its
	 * issuer; others 0), for i < nverified. NULL: not prepared.
	 */
	uint8_t *verified;
	size_t nverified;
};

typedef struct nid_trust nid_trust_t;

struct nid_trust {
	nid_ctx_t *ctx;        /* borrowed */
	struct nid_trust_anchor *anchors;
	size_t nanchors, anchors_cap;
	struct nid_trust_crl *crls;
	size_t ncrls, crls_cap;
	size_t nmasterlists;   /* master lists loaded */
	int unverified_masterlists;  /* any accepted without verification */
	size_t duplicates;     /* anchors seen more than once */
};

int nid_trust_new(nid_ctx_t *ctx, nid_trust_t **out) NID_WUR;
/*
 * Once everything is loaded: verify each CRL's signature with every
 * anchor named as its issuer, once, so that passive authentication of
 * many documents does not verify the same CRL again for each (a CRL
 * signature is as dear as the document's own). The store stays
 * read-only during verification, and safe to share between threads.
 * Anchors or CRLs added later are verified the slow way until the next
 * call.
 */
int nid_trust_prepare(nid_trust_t *t) NID_WUR;
/* The CRL's signature verifies with anchor a of t (prepared or not). */
int nid_trust_crl_verifies(const nid_trust_t *t, const struct nid_trust_crl *cr,
    const struct nid_trust_anchor *a);
void nid_trust_free(nid_trust_t **tp);

/*
 * Add CSCA certificates (and link certificates) from a file (DER, or PEM
 * with one or more certificates) or from every regular file of a folder
 * (not recursive into hidden entries; sorted by name). A certificate seen
 * again is not duplicated; its source is extended.
 */
int nid_trust_add_csca_path(nid_trust_t *t, const char *path) NID_WUR;

/*
 * Add the certificates of a CSCA master list (ICAO 9303-12 §9: CMS
 * SignedData, eContentType 2.23.136.1.1.2, CscaMasterList). The list's
 * SignerInfo must verify under its signer certificate (carried in the
 * CMS), and that certificate must be signed by a CSCA already in the
 * store (added with nid_trust_add_csca_path before). unverified != 0
 * accepts a list whose signer does not verify or chain, and marks every
 * certificate it brings as such; *why (if not NULL) then tells what was
 * not verified. NID_E_NO_TRUST when the list is refused.
 */
int nid_trust_add_masterlist(nid_trust_t *t, const char *path, int unverified,
    char *why, size_t why_len) NID_WUR;

/*
 * The same three loaders on bytes already in memory (at most
 * NID_TRUST_MAX_FILE): a CSCA file (DER or PEM), a master list, a CRL
 * file. name stands for the path in messages and sources. The file
 * loaders read the file and call these; the fuzz harnesses
 * (tests/fuzz/fuzz_masterlist.c, fuzz_crl.c) call them directly.
 */
int nid_trust_add_csca_mem(nid_trust_t *t, const uint8_t *p, size_t len,
    const char *name) NID_WUR;
int nid_trust_add_masterlist_mem(nid_trust_t *t, const uint8_t *p, size_t len,
    const char *name, int unverified, char *why, size_t why_len) NID_WUR;
int nid_trust_add_crl_mem(nid_trust_t *t, const uint8_t *p, size_t len,
    const char *name) NID_WUR;

/*
 * Add one CSCA certificate from memory (a reference is taken; the caller
 * keeps its own), with a source text for reports. For the virtual card,
 * tests and benchmarks.
 */
int nid_trust_add_cert(nid_trust_t *t, X509 *x, const char *source) NID_WUR;
/* Add one CRL from memory (a reference is taken). */
int nid_trust_add_crl(nid_trust_t *t, X509_CRL *crl, const char *source)
    NID_WUR;

/* Add CRLs from a file (DER or PEM) or a folder of such files. */
int nid_trust_add_crl_path(nid_trust_t *t, const char *path) NID_WUR;

/*
 * Load the default trust folder: *.ml as master lists (verified against
 * the CSCAs of the folder), *.crl as CRLs, every other regular file as
 * CSCA certificates. A missing folder is not an error (*loaded = 0).
 */
int nid_trust_load_dir(nid_trust_t *t, const char *dir, int *loaded) NID_WUR;

/* The compile-time default trust folder (configure --with-trust-dir). */
const char *nid_trust_default_dir(void);

/*
 * Find the trust anchors that may have signed cert: subject equal to the
 * certificate's issuer (semantic) or SKI equal to its AKI key identifier.
 * Up to max indexes into t->anchors; AKI matches first. Returns the count.
 */
size_t nid_trust_candidates(const nid_trust_t *t, X509 *cert, size_t *idx,
    size_t max);

/*
 * Verify cert's signature with the public key of anchor a (EVP; RSA,
 * RSASSA-PSS, ECDSA with named or explicit curves). 1 valid, 0 not.
 */
int nid_trust_verify_cert_by(const struct nid_trust_anchor *a, X509 *cert);

/*
 * Parse a CscaMasterList eContent (ICAO 9303-12 §9: SEQUENCE { version
 * INTEGER (0), certList SET OF Certificate }) into a new stack. Exposed
 * for tests.
 */
int nid_masterlist_parse_certs(nid_ctx_t *ctx, const uint8_t *p, size_t len,
    STACK_OF(X509) **out) NID_WUR;

#endif /* NID_TRUST_H */
