/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * secinfo.h — SecurityInfos (ICAO 9303-11 §9.2, BSI TR-03110-3 §A.1) as
 * found in EF.CardAccess, EF.CardSecurity and DG14:
 *
 *   SecurityInfos ::= SET OF SecurityInfo
 *   SecurityInfo  ::= SEQUENCE { protocol OBJECT IDENTIFIER,
 *                                requiredData ANY, optionalData ANY OPTIONAL }
 *
 * Recognised: PACEInfo, PACEDomainParameterInfo, ChipAuthenticationInfo,
 * ChipAuthenticationDomainParameterInfo, ChipAuthenticationPublicKeyInfo,
 * TerminalAuthenticationInfo and ActiveAuthenticationInfo. Every other
 * SecurityInfo is kept raw (kind NID_OID_OTHER) with its OID as text.
 *
 * Parsing is DER-strict (nid_tlv with NID_TLV_STRICT: minimal lengths, no
 * trailing bytes at any level, INTEGERs minimal and non-negative) and
 * bounded (NID_SECINFO_MAX entries, NID_SECINFO_INPUT_MAX bytes). The
 * order of the SET OF elements is not checked: real cards do not sort
 * them (the Finnish DG14 of the corpus lists them unsorted).
 */
#ifndef NID_SECINFO_H
#define NID_SECINFO_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "nid_internal.h"
#include "oid.h"

#define NID_SECINFO_MAX 64
#define NID_SECINFO_INPUT_MAX (64u * 1024u)

struct nid_secinfo {
	enum nid_oid_kind kind;           /* NID_OID_OTHER: kept raw */
	const struct nid_oid_info *proto; /* NULL when the OID is unknown */
	char oid[NID_OID_STR_MAX];        /* protocol OID, dotted */
	nid_cur oid_der;   /* protocol OID contents (no tag, no length) */
	nid_cur raw;       /* the whole SecurityInfo TLV */
	long version;      /* PACE, CA, TA, AA version; -1 when absent */
	long param_id;     /* PACEInfo / PACEDomainParameterInfo parameterId; -1 absent */
	long key_id;       /* CA, CA domain parameters, CA public key keyId; -1 absent */
	/*
	 * PACEDomainParameterInfo / ChipAuthenticationDomainParameterInfo:
	 * the AlgorithmIdentifier TLV. ChipAuthenticationPublicKeyInfo: the
	 * SubjectPublicKeyInfo TLV. TerminalAuthenticationInfo: the efCVCA
	 * FileID TLV when present. Empty otherwise.
	 */
	nid_cur data;
	/* ActiveAuthenticationInfo signatureAlgorithm, dotted; "" absent. */
	char sig_alg[NID_OID_STR_MAX];
};

/*
 * The parsed set. It owns a copy of the input: every nid_cur above points
 * into it and lives as long as the set.
 */
typedef struct nid_secinfos {
	uint8_t *data;
	size_t data_len;
	struct nid_secinfo *v;
	size_t n;
} nid_secinfos;

/* EF.CardAccess: the DER SET OF SecurityInfo (ICAO 9303-10 §3.11.3). */
int nid_secinfos_parse(const uint8_t *p, size_t len, nid_secinfos **out) NID_WUR;
/* DG14: SecurityInfos inside the application tag '6E' (ICAO 9303-10 §4.7.14). */
int nid_secinfos_parse_dg14(const uint8_t *p, size_t len, nid_secinfos **out) NID_WUR;
/*
 * EF.CardSecurity (BSI TR-03110-3 §A.1.2): the SecurityInfos carried as
 * eContent (type id-SecurityObject 0.4.0.127.0.7.3.2.1) of a CMS
 * SignedData. The signature is NOT verified here: that is the trust
 * module's job; this only reads the content.
 */
int nid_secinfos_parse_cardsecurity(const uint8_t *p, size_t len,
    nid_secinfos **out) NID_WUR;
void nid_secinfos_free(nid_secinfos **sp);

/* Number of entries of a kind (NID_OID_PACE, ...). */
size_t nid_secinfos_count(const nid_secinfos *s, enum nid_oid_kind kind);
/* The idx-th entry of a kind, or NULL. */
const struct nid_secinfo *nid_secinfos_get(const nid_secinfos *s,
    enum nid_oid_kind kind, size_t idx);

/*
 * The public key of a ChipAuthenticationPublicKeyInfo as an EVP_PKEY:
 * explicit or named parameters through d2i_PUBKEY; the TR-03110
 * standardizedDomainParameters form (AlgorithmIdentifier
 * 0.4.0.127.0.7.1.2 with a parameterId) through the PACE table.
 */
int nid_secinfo_pubkey(const struct nid_secinfo *si, EVP_PKEY **out) NID_WUR;

/*
 * Read a DER INTEGER value (contents only) that must be minimal,
 * non-negative and fit in 31 bits.
 */
int nid_der_small_uint(const nid_cur *v, long *out) NID_WUR;

#endif /* NID_SECINFO_H */
