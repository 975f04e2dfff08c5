/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * chipauth.c — which chip authentication to run, and its outcome
 * (chipauth.h). The mechanisms are in ca.c and aa.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "aa.h"
#include "ca.h"
#include "chipauth.h"
#include "emrtd.h"
#include "lds.h"
#include "secinfo.h"

static const struct nid_emrtd_file *
file_of(const struct nid_emrtd_result *res, int dg)
{
	size_t i;

	for (i = 0; i < res->nfiles; i++)
		if (res->files[i].dg == dg &&
		    res->files[i].state == NID_EMRTD_F_READ)
			return &res->files[i];
	return NULL;
}

static void
unknown(struct nid_chip_result *r, int skipped, const char *why)
{
	r->result = NID_CHECK_UNKNOWN;
	r->skipped = skipped;
	(void)snprintf(r->reason, sizeof(r->reason), "%s", why);
}

int
nid_chip_session_fn(nid_card_t *sc, nid_transport_t *smt,
    struct nid_emrtd_result *res, void *arg)
{
	struct nid_chip_session *s = arg;
	struct nid_chip_result *r;
	const struct nid_emrtd_file *dg14, *dg15;
	const struct nid_secinfo *aai;
	nid_secinfos *si = NULL;
	EVP_PKEY *pub = NULL;
	int has_ca = 0, rc = NID_OK;
	char why[NID_CHECK_REASON_MAX];

	if (s == NULL || res == NULL)
		return NID_E_INVALID_ARG;
	r = &s->result;
	memset(r, 0, sizeof(*r));
	r->key_id = -1;
	if (s->mode == NID_CHIP_SKIP) {
		unknown(r, 1, "skipped at the user's request");
		return NID_OK;
	}
	dg14 = file_of(res, 14);
	dg15 = file_of(res, 15);
	if (dg14 != NULL) {
		/* ICAO 9303-10 §4.7.14: DG14 holds the CA SecurityInfos. */
		if (nid_secinfos_parse_dg14(dg14->data, dg14->len, &si) !=
		    NID_OK) {
			unknown(r, 0, "DG14 is malformed: its chip "
			    "authentication keys cannot be used");
			goto out;
		}
		has_ca = nid_secinfos_count(si, NID_OID_PK) > 0;
	}
	if (has_ca && (s->mode == NID_CHIP_AUTO || s->mode == NID_CHIP_CA)) {
		rc = nid_ca_run(sc, smt, si, -1, r);
		goto out;
	}
	if (dg15 != NULL && (s->mode == NID_CHIP_AUTO ||
	    s->mode == NID_CHIP_AA)) {
		/* ICAO 9303-11 §6.1: the AA key is DG15's; with ECDSA, DG14's
		 * ActiveAuthenticationInfo names the signature algorithm. */
		if (nid_lds_dg15_parse(dg15->data, dg15->len, &pub) != NID_OK) {
			unknown(r, 0, "DG15 is malformed or holds a key of an "
			    "unsupported type: Active Authentication cannot "
			    "run");
			goto out;
		}
		aai = si != NULL ? nid_secinfos_get(si, NID_OID_AA, 0) : NULL;
		rc = nid_aa_run(sc, pub, aai != NULL && aai->sig_alg[0] !=
		    '\0' ? aai->sig_alg : NULL, NULL, r);
		goto out;
	}
	if (s->mode == NID_CHIP_CA)
		(void)snprintf(why, sizeof(why), "Chip Authentication asked "
		    "for, but %s", dg14 == NULL ? "the document has no DG14" :
		    "DG14 offers no chip authentication key");
	else if (s->mode == NID_CHIP_AA)
		(void)snprintf(why, sizeof(why), "Active Authentication asked "
		    "for, but the document has no DG15");
	else
		(void)snprintf(why, sizeof(why), "the document offers neither "
		    "Chip Authentication (DG14) nor Active Authentication "
		    "(DG15)");
	unknown(r, 0, why);
out:
	EVP_PKEY_free(pub);
	nid_secinfos_free(&si);
	return rc;
}
