/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * oid.h — OBJECT IDENTIFIER contents (ITU-T X.690 §8.19) to dotted text,
 * and the table of the protocol OIDs that ICAO 9303-11 §9.2 and
 * BSI TR-03110-3 §A.1.1 define for SecurityInfos.
 */
#ifndef NID_OID_H
#define NID_OID_H

#include <stddef.h>
#include <stdint.h>

/* Longest dotted text we produce (NUL included); longer OIDs are refused. */
#define NID_OID_STR_MAX 96
/* Most content bytes an OID may have (caps the work per OID). */
#define NID_OID_DER_MAX 32

/*
 * Convert OID content bytes (no tag, no length) to dotted text.
 * Strict (X.690 §8.19.2): no empty OID, no arc with a leading 0x80 byte,
 * the last byte must end its arc, every arc below 2^32.
 * NID_E_MALFORMED on a bad encoding, NID_E_TOO_LARGE when longer than
 * NID_OID_DER_MAX bytes or NID_OID_STR_MAX text.
 */
int nid_oid_to_str(const uint8_t *der, size_t len, char *out,
    size_t out_size);

/* What a protocol OID says (BSI TR-03110-3 §A.1.1). */
enum nid_oid_kind {
	NID_OID_OTHER = 0,
	NID_OID_PACE,        /* id-PACE-<ka>-<map>-<cipher>: PACEInfo */
	NID_OID_PACE_DP,     /* id-PACE-<ka>-<map>: PACEDomainParameterInfo */
	NID_OID_CA,          /* id-CA-<ka>-<cipher>: ChipAuthenticationInfo */
	NID_OID_CA_DP,       /* id-CA-<ka>: ChipAuthenticationDomainParameterInfo */
	NID_OID_PK,          /* id-PK-<ka>: ChipAuthenticationPublicKeyInfo */
	NID_OID_TA,          /* id-TA: TerminalAuthenticationInfo */
	NID_OID_AA           /* id-icao-mrtd-security-aaProtocolObject */
};

/* Key agreement. */
enum nid_oid_ka { NID_KA_NONE = 0, NID_KA_DH, NID_KA_ECDH };

/* PACE mapping. */
enum nid_oid_map {
	NID_MAP_NONE = 0,
	NID_MAP_GM,          /* generic mapping */
	NID_MAP_IM,          /* integrated mapping */
	NID_MAP_CAM          /* chip authentication mapping */
};

/*
 * Cipher suffix of a PACE or CA OID. The values equal those of
 * enum nid_kdf_alg (kdf.h): 1 3DES-CBC-CBC, 2 AES-CBC-CMAC-128,
 * 3 -192, 4 -256; 0 when the OID has none.
 */
#define NID_OID_CIPHER_NONE   0u
#define NID_OID_CIPHER_3DES   1u
#define NID_OID_CIPHER_AES128 2u
#define NID_OID_CIPHER_AES192 3u
#define NID_OID_CIPHER_AES256 4u

struct nid_oid_info {
	const char *dotted;
	const char *name;     /* e.g. "id-PACE-ECDH-GM-AES-CBC-CMAC-128" */
	enum nid_oid_kind kind;
	enum nid_oid_ka ka;
	enum nid_oid_map map;
	unsigned cipher;
};

/* Look up dotted text; NULL when the OID is not in the table. */
const struct nid_oid_info *nid_oid_lookup_str(const char *dotted);
/* Look up OID content bytes; NULL when unknown or badly encoded. */
const struct nid_oid_info *nid_oid_lookup(const uint8_t *der, size_t len);
/* Name of an OID given as dotted text or NULL. */
const char *nid_oid_name(const char *dotted);
/*
 * Encode dotted text to content bytes into out (capacity out_size);
 * *out_len the length. Used to build MSE:Set AT and 7F49 objects.
 */
int nid_oid_from_str(const char *dotted, uint8_t *out, size_t out_size,
    size_t *out_len);

#endif /* NID_OID_H */
