/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * oid.c — OBJECT IDENTIFIER text and the SecurityInfo protocol table.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "nid_internal.h"
#include "oid.h"

int
nid_oid_to_str(const uint8_t *der, size_t len, char *out, size_t out_size)
{
	size_t i, pos = 0;
	uint64_t arc = 0;
	int n, first = 1, in_arc = 0;

	if (out_size == 0)
		return NID_E_INVALID_ARG;
	out[0] = '\0';
	if (len == 0)
		return NID_E_MALFORMED;
	if (len > NID_OID_DER_MAX)
		return NID_E_TOO_LARGE;
	for (i = 0; i < len; i++) {
		/* X.690 §8.19.2: 0x80 cannot start an arc (non-minimal). */
		if (!in_arc && der[i] == 0x80) {
			out[0] = '\0';
			return NID_E_MALFORMED;
		}
		arc = arc << 7 | (der[i] & 0x7fu);
		if (arc > 0xffffffffu) {
			out[0] = '\0';
			return NID_E_MALFORMED;
		}
		if (der[i] & 0x80) {
			in_arc = 1;
			continue;
		}
		in_arc = 0;
		if (first) {
			/* X.690 §8.19.4: the first subidentifier is 40X + Y. */
			unsigned long x = arc < 40 ? 0 : arc < 80 ? 1 : 2;
			unsigned long y = (unsigned long)(arc - 40u * x);

			n = snprintf(out, out_size, "%lu.%lu", x, y);
			first = 0;
		} else {
			n = snprintf(out + pos, out_size - pos, ".%lu",
			    (unsigned long)arc);
		}
		if (n < 0 || (size_t)n >= out_size - pos) {
			out[0] = '\0';
			return NID_E_TOO_LARGE;
		}
		pos += (size_t)n;
		arc = 0;
	}
	if (in_arc) {
		out[0] = '\0';
		return NID_E_MALFORMED; /* last byte continues an arc */
	}
	return NID_OK;
}

int
nid_oid_from_str(const char *dotted, uint8_t *out, size_t out_size,
    size_t *out_len)
{
	uint64_t arcs[NID_OID_DER_MAX];
	size_t narcs = 0, n = 0, i;
	const char *s = dotted;
	uint64_t v, a;
	uint8_t tmp[5];
	size_t k;

	*out_len = 0;
	while (*s != '\0') {
		if (narcs == NID_NELEM(arcs) || *s < '0' || *s > '9')
			return NID_E_INVALID_ARG;
		if (*s == '0' && s[1] >= '0' && s[1] <= '9')
			return NID_E_INVALID_ARG; /* leading zero */
		v = 0;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > 0xffffffffu)
				return NID_E_INVALID_ARG;
			s++;
		}
		arcs[narcs++] = v;
		if (*s == '.') {
			s++;
			if (*s == '\0')
				return NID_E_INVALID_ARG;
		} else if (*s != '\0')
			return NID_E_INVALID_ARG;
	}
	if (narcs < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
		return NID_E_INVALID_ARG;
	for (i = 1; i < narcs; i++) {
		a = i == 1 ? arcs[0] * 40 + arcs[1] : arcs[i];
		k = 0;
		do {
			tmp[k++] = (uint8_t)(a & 0x7f);
			a >>= 7;
		} while (a != 0);
		if (k > out_size - n)
			return NID_E_TOO_LARGE;
		while (k > 0) {
			k--;
			out[n++] = (uint8_t)(tmp[k] | (k != 0 ? 0x80 : 0));
		}
	}
	*out_len = n;
	return NID_OK;
}

/*
 * BSI TR-03110-3 §A.1.1 (bsi-de = 0.4.0.127.0.7):
 *   id-PK  = bsi-de.2.2.1   { DH 1, ECDH 2 }
 *   id-TA  = bsi-de.2.2.2
 *   id-CA  = bsi-de.2.2.3   { DH 1, ECDH 2 } . { 3DES 1, AES128 2, AES192 3, AES256 4 }
 *   id-PACE = bsi-de.2.2.4  { DH-GM 1, ECDH-GM 2, DH-IM 3, ECDH-IM 4,
 *                             ECDH-CAM 6 } . cipher (CAM: AES only)
 * ICAO 9303-11 §9.2.4: id-icao-mrtd-security-aaProtocolObject = 2.23.136.1.1.5.
 */
#define BSI "0.4.0.127.0.7.2.2."
static const struct nid_oid_info nid_oid_table[] = {
	{ BSI "1.1", "id-PK-DH", NID_OID_PK, NID_KA_DH, NID_MAP_NONE, 0 },
	{ BSI "1.2", "id-PK-ECDH", NID_OID_PK, NID_KA_ECDH, NID_MAP_NONE, 0 },
	{ BSI "2", "id-TA", NID_OID_TA, NID_KA_NONE, NID_MAP_NONE, 0 },
	{ BSI "3.1", "id-CA-DH", NID_OID_CA_DP, NID_KA_DH, NID_MAP_NONE, 0 },
	{ BSI "3.1.1", "id-CA-DH-3DES-CBC-CBC", NID_OID_CA, NID_KA_DH, NID_MAP_NONE, 1 },
	{ BSI "3.1.2", "id-CA-DH-AES-CBC-CMAC-128", NID_OID_CA, NID_KA_DH, NID_MAP_NONE, 2 },
	{ BSI "3.1.3", "id-CA-DH-AES-CBC-CMAC-192", NID_OID_CA, NID_KA_DH, NID_MAP_NONE, 3 },
	{ BSI "3.1.4", "id-CA-DH-AES-CBC-CMAC-256", NID_OID_CA, NID_KA_DH, NID_MAP_NONE, 4 },
	{ BSI "3.2", "id-CA-ECDH", NID_OID_CA_DP, NID_KA_ECDH, NID_MAP_NONE, 0 },
	{ BSI "3.2.1", "id-CA-ECDH-3DES-CBC-CBC", NID_OID_CA, NID_KA_ECDH, NID_MAP_NONE, 1 },
	{ BSI "3.2.2", "id-CA-ECDH-AES-CBC-CMAC-128", NID_OID_CA, NID_KA_ECDH, NID_MAP_NONE, 2 },
	{ BSI "3.2.3", "id-CA-ECDH-AES-CBC-CMAC-192", NID_OID_CA, NID_KA_ECDH, NID_MAP_NONE, 3 },
	{ BSI "3.2.4", "id-CA-ECDH-AES-CBC-CMAC-256", NID_OID_CA, NID_KA_ECDH, NID_MAP_NONE, 4 },
	{ BSI "4.1", "id-PACE-DH-GM", NID_OID_PACE_DP, NID_KA_DH, NID_MAP_GM, 0 },
	{ BSI "4.1.1", "id-PACE-DH-GM-3DES-CBC-CBC", NID_OID_PACE, NID_KA_DH, NID_MAP_GM, 1 },
	{ BSI "4.1.2", "id-PACE-DH-GM-AES-CBC-CMAC-128", NID_OID_PACE, NID_KA_DH, NID_MAP_GM, 2 },
	{ BSI "4.1.3", "id-PACE-DH-GM-AES-CBC-CMAC-192", NID_OID_PACE, NID_KA_DH, NID_MAP_GM, 3 },
	{ BSI "4.1.4", "id-PACE-DH-GM-AES-CBC-CMAC-256", NID_OID_PACE, NID_KA_DH, NID_MAP_GM, 4 },
	{ BSI "4.2", "id-PACE-ECDH-GM", NID_OID_PACE_DP, NID_KA_ECDH, NID_MAP_GM, 0 },
	{ BSI "4.2.1", "id-PACE-ECDH-GM-3DES-CBC-CBC", NID_OID_PACE, NID_KA_ECDH, NID_MAP_GM, 1 },
	{ BSI "4.2.2", "id-PACE-ECDH-GM-AES-CBC-CMAC-128", NID_OID_PACE, NID_KA_ECDH, NID_MAP_GM, 2 },
	{ BSI "4.2.3", "id-PACE-ECDH-GM-AES-CBC-CMAC-192", NID_OID_PACE, NID_KA_ECDH, NID_MAP_GM, 3 },
	{ BSI "4.2.4", "id-PACE-ECDH-GM-AES-CBC-CMAC-256", NID_OID_PACE, NID_KA_ECDH, NID_MAP_GM, 4 },
	{ BSI "4.3", "id-PACE-DH-IM", NID_OID_PACE_DP, NID_KA_DH, NID_MAP_IM, 0 },
	{ BSI "4.3.1", "id-PACE-DH-IM-3DES-CBC-CBC", NID_OID_PACE, NID_KA_DH, NID_MAP_IM, 1 },
	{ BSI "4.3.2", "id-PACE-DH-IM-AES-CBC-CMAC-128", NID_OID_PACE, NID_KA_DH, NID_MAP_IM, 2 },
	{ BSI "4.3.3", "id-PACE-DH-IM-AES-CBC-CMAC-192", NID_OID_PACE, NID_KA_DH, NID_MAP_IM, 3 },
	{ BSI "4.3.4", "id-PACE-DH-IM-AES-CBC-CMAC-256", NID_OID_PACE, NID_KA_DH, NID_MAP_IM, 4 },
	{ BSI "4.4", "id-PACE-ECDH-IM", NID_OID_PACE_DP, NID_KA_ECDH, NID_MAP_IM, 0 },
	{ BSI "4.4.1", "id-PACE-ECDH-IM-3DES-CBC-CBC", NID_OID_PACE, NID_KA_ECDH, NID_MAP_IM, 1 },
	{ BSI "4.4.2", "id-PACE-ECDH-IM-AES-CBC-CMAC-128", NID_OID_PACE, NID_KA_ECDH, NID_MAP_IM, 2 },
	{ BSI "4.4.3", "id-PACE-ECDH-IM-AES-CBC-CMAC-192", NID_OID_PACE, NID_KA_ECDH, NID_MAP_IM, 3 },
	{ BSI "4.4.4", "id-PACE-ECDH-IM-AES-CBC-CMAC-256", NID_OID_PACE, NID_KA_ECDH, NID_MAP_IM, 4 },
	{ BSI "4.6", "id-PACE-ECDH-CAM", NID_OID_PACE_DP, NID_KA_ECDH, NID_MAP_CAM, 0 },
	{ BSI "4.6.2", "id-PACE-ECDH-CAM-AES-CBC-CMAC-128", NID_OID_PACE, NID_KA_ECDH, NID_MAP_CAM, 2 },
	{ BSI "4.6.3", "id-PACE-ECDH-CAM-AES-CBC-CMAC-192", NID_OID_PACE, NID_KA_ECDH, NID_MAP_CAM, 3 },
	{ BSI "4.6.4", "id-PACE-ECDH-CAM-AES-CBC-CMAC-256", NID_OID_PACE, NID_KA_ECDH, NID_MAP_CAM, 4 },
	{ "2.23.136.1.1.5", "id-icao-mrtd-security-aaProtocolObject", NID_OID_AA,
	    NID_KA_NONE, NID_MAP_NONE, 0 },
};
#undef BSI

/* Names only (not protocols): algorithms seen inside SecurityInfos. */
static const struct {
	const char *dotted;
	const char *name;
} nid_oid_names[] = {
	{ "1.2.840.10045.4.1", "ecdsa-with-SHA1" },
	{ "1.2.840.10045.4.3.1", "ecdsa-with-SHA224" },
	{ "1.2.840.10045.4.3.2", "ecdsa-with-SHA256" },
	{ "1.2.840.10045.4.3.3", "ecdsa-with-SHA384" },
	{ "1.2.840.10045.4.3.4", "ecdsa-with-SHA512" },
	{ "0.4.0.127.0.7.1.1.4.1.1", "ecdsa-plain-SHA1" },
	{ "0.4.0.127.0.7.1.1.4.1.2", "ecdsa-plain-SHA224" },
	{ "0.4.0.127.0.7.1.1.4.1.3", "ecdsa-plain-SHA256" },
	{ "0.4.0.127.0.7.1.1.4.1.4", "ecdsa-plain-SHA384" },
	{ "0.4.0.127.0.7.1.1.4.1.5", "ecdsa-plain-SHA512" },
	{ "0.4.0.127.0.7.1.2", "standardizedDomainParameters" },
	{ "1.2.840.10045.2.1", "id-ecPublicKey" },
	{ "1.2.840.10046.2.1", "dhpublicnumber" },
	{ "0.4.0.127.0.7.2.2.5", "id-RI" },
	{ "0.4.0.127.0.7.2.2.6", "id-CI" },
	{ "0.4.0.127.0.7.2.2.7", "id-eIDSecurity" },
	{ "0.4.0.127.0.7.2.2.8", "id-PT" },
};

const struct nid_oid_info *
nid_oid_lookup_str(const char *dotted)
{
	size_t i;

	if (dotted == NULL)
		return NULL;
	for (i = 0; i < NID_NELEM(nid_oid_table); i++)
		if (strcmp(nid_oid_table[i].dotted, dotted) == 0)
			return &nid_oid_table[i];
	return NULL;
}

const struct nid_oid_info *
nid_oid_lookup(const uint8_t *der, size_t len)
{
	char s[NID_OID_STR_MAX];

	if (nid_oid_to_str(der, len, s, sizeof(s)) != NID_OK)
		return NULL;
	return nid_oid_lookup_str(s);
}

const char *
nid_oid_name(const char *dotted)
{
	const struct nid_oid_info *info;
	size_t i;

	if ((info = nid_oid_lookup_str(dotted)) != NULL)
		return info->name;
	if (dotted == NULL)
		return NULL;
	for (i = 0; i < NID_NELEM(nid_oid_names); i++)
		if (strcmp(nid_oid_names[i].dotted, dotted) == 0)
			return nid_oid_names[i].name;
	return NULL;
}
