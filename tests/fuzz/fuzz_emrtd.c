/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_emrtd.c — reading LDS files from a hostile card (emrtd.c
 * nid_emrtd_read_ef: READ BINARY with SFI, header first, B0/B1, Le
 * fallbacks, ICAO 9303-10 §3.6.4) over card.c and the replay transport,
 * without secure messaging; in document mode also everything done with
 * what was read: the LDS parsers and passive authentication (pa.c).
 *
 * Input: byte 0 the caps (bit 0 extended length) and the mode (bit 1),
 * byte 1 the file (single-file mode: EF.SOD any-TLV with the 1 MiB cap,
 * EF.COM, DG1, DG2, DG11, DG14, DG15), then the card's answers in the
 * framing of fuzz_split_next(); a 1-byte piece is a transport failure.
 * Document mode (byte 0 bit 1) reads, with one reading state, EF.COM,
 * EF.SOD, then every data group EF.COM lists (DG1 and DG2 when EF.COM is
 * unreadable), as `nidcard dump` does, stopping at the first transport
 * failure; parses each file read (EF.COM, DG1, DG2, DG7, DG11, DG12,
 * DG14, DG15) and EF.SOD; and runs passive authentication over the SOD
 * and the data groups read, against a trust store holding an unrelated
 * CSCA (byte 1 bit 0: and a CRL policy).
 *
 * Invariants of every read: success hands over exactly one TLV whose
 * header announces its length (nid_tlv_total_len), within the file's cap
 * (and accepted by nid_lds_file_size for LDS files); failure hands over
 * nothing; the reading ceiling stays within 1..256; the APDU count is
 * what the wire saw. Document mode: a parser accepts only a file of its
 * own kind; passive authentication runs on every SOD that parses,
 * reports every data group read, never passes and never chains (no
 * trust anchor of the SOD's issuer can exist: the CSCA's key is made at
 * run time); a data group it reports as matching hashes to the SOD's
 * value.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "nid_internal.h"
#include "card.h"
#include "emrtd.h"
#include "lds.h"
#include "pa.h"
#include "replay.h"
#include "secinfo.h"
#include "sod.h"
#include "trust.h"
#include "testpki.h"
#include "fuzz.h"

#define STEPS_MAX 512

static const int step_errors[] = {
	NID_E_CARD_REMOVED, NID_E_TIMEOUT, NID_E_CARD_RESET, NID_E_TRANSPORT
};

static const struct {
	uint8_t sfi;
	int dg;
} files[] = {
	{ NID_EMRTD_SFI_SOD, -1 }, { NID_EMRTD_SFI_COM, 0 }, { 1, 1 },
	{ 2, 2 }, { 11, 11 }, { 14, 14 }, { 15, 15 },
};

/* One read, with the invariants every read keeps. */
static int
read_one(nid_card_t *card, struct nid_emrtd_rd *rd, nid_transport_t *t,
    size_t nsteps, uint8_t sfi, int dg, uint8_t **out, size_t *out_len)
{
	unsigned long apdus = 0, wire0;
	uint16_t sw = 0xeeee;
	size_t max, total;
	int rc;

	*out = (uint8_t *)out; /* must be cleared */
	*out_len = 1;
	max = dg < 0 ? NID_EMRTD_FILE_MAX : nid_lds_max_size((unsigned)dg);
	wire0 = t->apdus;
	rc = nid_emrtd_read_ef(card, rd, sfi, dg, max, out, out_len, &sw,
	    &apdus);
	FUZZ_ASSERT(apdus == t->apdus - wire0);
	FUZZ_ASSERT(t->apdus <= nsteps + 1);
	FUZZ_ASSERT(rd->le >= 1 && rd->le <= 256);
	if (rc == NID_OK) {
		FUZZ_ASSERT(*out != NULL && *out_len > 0 && *out_len <= max);
		FUZZ_ASSERT(nid_tlv_total_len(*out, *out_len, &total) ==
		    NID_OK);
		FUZZ_ASSERT(total == *out_len);
		if (dg >= 0) {
			FUZZ_ASSERT(nid_lds_file_size((unsigned)dg, *out,
			    *out_len, &total) == NID_OK);
			FUZZ_ASSERT(total == *out_len);
		}
	} else {
		FUZZ_ASSERT(*out == NULL && *out_len == 0);
	}
	return rc;
}

static int
transport_error(int rc)
{
	size_t i;

	for (i = 0; i < NID_NELEM(step_errors); i++)
		if (rc == step_errors[i])
			return 1;
	return 0;
}

/* ---- document mode ---------------------------------------------------- */

static EVP_PKEY *csca_key;
static X509 *csca;

/* A parser that accepts file dg got a file of that kind. */
static void
parse_dg(unsigned dg, const uint8_t *p, size_t len)
{
	struct nid_lds_dg1 d1;
	struct nid_lds_dg2 d2;
	struct nid_lds_dg7 d7;
	struct nid_lds_details det;
	nid_secinfos *si = NULL;
	EVP_PKEY *key = NULL;
	int rc = -1;

	switch (dg) {
	case 1:
		memset(&d1, 0, sizeof(d1));
		rc = nid_lds_dg1_parse(p, len, &d1);
		nid_lds_dg1_clear(&d1);
		break;
	case 2:
		rc = nid_lds_dg2_parse(p, len, &d2);
		if (rc == NID_OK)
			FUZZ_ASSERT(d2.nfaces <= NID_LDS_FACES_MAX);
		break;
	case 7:
		rc = nid_lds_dg7_parse(p, len, &d7);
		if (rc == NID_OK)
			FUZZ_ASSERT(d7.n <= NID_LDS_SIGS_MAX);
		break;
	case 11:
	case 12:
		rc = nid_lds_details_parse(dg, p, len, &det);
		if (rc == NID_OK)
			FUZZ_ASSERT(det.dg == dg && det.n <= NID_LDS_FIELDS_MAX);
		break;
	case 14:
		rc = nid_secinfos_parse_dg14(p, len, &si);
		FUZZ_ASSERT((rc == NID_OK) == (si != NULL));
		nid_secinfos_free(&si);
		break;
	case 15:
		rc = nid_lds_dg15_parse(p, len, &key);
		FUZZ_ASSERT((rc == NID_OK) == (key != NULL));
		EVP_PKEY_free(key);
		break;
	default:
		break;
	}
	if (rc == NID_OK)	/* DG1..DG15 have one-byte tags */
		FUZZ_ASSERT(len > 0 && p[0] == nid_lds_dg_tag(dg));
}

static void
verify(nid_ctx_t *ctx, const uint8_t *sod_p, size_t sod_len,
    const struct nid_pa_dg_input *dgs, size_t ndgs, int crl_policy)
{
	nid_trust_t *trust = NULL;
	nid_sod_t *sod = NULL;
	struct nid_pa_opts opts;
	struct nid_pa_report rep;
	const struct nid_check *chk;
	const struct nid_sod_dg *listed;
	const EVP_MD *md;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned int hlen;
	size_t i, j;
	int rc;

	if (nid_sod_parse(ctx, sod_p, sod_len, &sod) != NID_OK) {
		FUZZ_ASSERT(sod == NULL);
		return;
	}
	FUZZ_ASSERT(nid_trust_new(ctx, &trust) == NID_OK);
	FUZZ_ASSERT(nid_trust_add_cert(trust, csca, "file fuzz-csca.der") ==
	    NID_OK);
	memset(&opts, 0, sizeof(opts));
	opts.t_ref = (time_t)1795564800; /* 2026-11-25 */
	opts.crl_policy = crl_policy;
	memset(&rep, 0, sizeof(rep));
	rc = nid_pa_verify(ctx, sod, trust, dgs, ndgs, NULL, &opts, &rep);
	FUZZ_ASSERT(rc == NID_OK || rc == NID_E_NOMEM);
	if (rc != NID_OK)
		goto out;
	FUZZ_ASSERT(rep.nchecks <= NID_PA_MAX_CHECKS);
	FUZZ_ASSERT(rep.verdict == NID_PA_WARN || rep.verdict == NID_PA_FAIL);
	FUZZ_ASSERT(rep.csca == NULL);
	if ((chk = nid_pa_check(&rep, "ds.chain")) != NULL)
		FUZZ_ASSERT(chk->result != NID_CHECK_PASS);
	for (i = 0; i < rep.nchecks; i++)
		FUZZ_ASSERT(memchr(rep.checks[i].reason, '\0',
		    sizeof(rep.checks[i].reason)) != NULL);
	md = EVP_get_digestbynid(sod->lds_md_nid);
	if (sod->kind != NID_SOD_KIND_SOD || md == NULL)
		goto out;
	/* Every DG read is reported; a match is a real match. */
	for (i = 0; i < ndgs; i++) {
		for (j = 0; j < rep.ndgs && rep.dgs[j].n != dgs[i].n; j++)
			continue;
		FUZZ_ASSERT(j < rep.ndgs);
		if (rep.dgs[j].status != NID_PA_DG_MATCH)
			continue;
		listed = nid_sod_find_dg(sod, dgs[i].n);
		FUZZ_ASSERT(listed != NULL);
		FUZZ_ASSERT(EVP_Digest(dgs[i].p, dgs[i].len, h, &hlen, md,
		    NULL) == 1);
		FUZZ_ASSERT(listed->hash_len == hlen &&
		    memcmp(listed->hash, h, hlen) == 0);
	}
 out:
	nid_pa_report_clear(&rep);
	nid_sod_free(&sod);
	nid_trust_free(&trust);
}

static void
document(nid_ctx_t *ctx, nid_card_t *card, nid_transport_t *t,
    size_t nsteps, int flags)
{
	struct nid_emrtd_rd rd;
	struct nid_lds_com com;
	struct nid_pa_dg_input dgs[16];
	uint8_t *com_p = NULL, *sod_p = NULL, *dg_p[16];
	size_t com_len, sod_len, dg_len, ndgs = 0, nlist, i, j;
	uint8_t list[16];
	unsigned dg;
	int rc, seen;

	if (csca == NULL) {
		time_t now = time(NULL);

		csca_key = tp_key("EC", 0, "prime256v1");
		csca = tp_cert(csca_key, "Fuzz CSCA", NULL, NULL, 1, now -
		    86400, now + 86400 * 3650L, 1);
	}
	nid_emrtd_rd_init(&rd, card, NULL, 0);
	rc = read_one(card, &rd, t, nsteps, NID_EMRTD_SFI_COM, 0, &com_p,
	    &com_len);
	if (transport_error(rc))
		goto out;
	nlist = 0;
	if (rc == NID_OK && nid_lds_com_parse(com_p, com_len, &com) ==
	    NID_OK) {
		FUZZ_ASSERT(com.ndg <= 16);
		FUZZ_ASSERT(com_len <= nid_lds_max_size(0));
		for (i = 0; i < com.ndg; i++)
			list[nlist++] = com.dgs[i];
	} else {
		list[nlist++] = 1;
		list[nlist++] = 2;
	}
	rc = read_one(card, &rd, t, nsteps, NID_EMRTD_SFI_SOD, -1, &sod_p,
	    &sod_len);
	if (transport_error(rc))
		goto out;
	for (i = 0; i < nlist; i++) {
		dg = list[i];
		FUZZ_ASSERT(dg >= 1 && dg <= 16);
		for (seen = 0, j = 0; j < ndgs; j++)
			if (dgs[j].n == dg)
				seen = 1;
		if (seen)
			continue;
		rc = read_one(card, &rd, t, nsteps, (uint8_t)dg, (int)dg,
		    &dg_p[ndgs], &dg_len);
		if (transport_error(rc))
			break;
		if (rc != NID_OK)
			continue;
		parse_dg(dg, dg_p[ndgs], dg_len);
		dgs[ndgs].n = dg;
		dgs[ndgs].p = dg_p[ndgs];
		dgs[ndgs].len = dg_len;
		ndgs++;
	}
	if (sod_p != NULL)
		verify(ctx, sod_p, sod_len, dgs, ndgs, (flags & 1) ?
		    NID_PA_CRL_SOFT : NID_PA_CRL_NONE);
	for (i = 0; i < ndgs; i++)
		free(dg_p[i]);
 out:
	free(com_p);
	free(sod_p);
	ERR_clear_error();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_split sp;
	nid_ctx_t *ctx = NULL;
	nid_transport_t *t = NULL;
	nid_card_t *card = NULL;
	struct nid_emrtd_rd rd;
	const uint8_t *piece;
	uint8_t *out;
	size_t nsteps = 0, piece_len, out_len, f;
	int prc;

	if (size < 2)
		return 0;
	FUZZ_ASSERT(nid_ctx_new(&ctx) == NID_OK);
	FUZZ_ASSERT(nid_replay_new(ctx, &t) == NID_OK);
	sp.p = data + 2;
	sp.len = size - 2;
	while (nsteps < STEPS_MAX && fuzz_split_next(&sp, &piece, &piece_len)) {
		prc = NID_OK;
		if (piece_len == 1)
			prc = step_errors[piece[0] % NID_NELEM(step_errors)];
		FUZZ_ASSERT(nid_replay_add(t, NULL, 0, piece, piece_len, prc) ==
		    NID_OK);
		nsteps++;
	}
	FUZZ_ASSERT(nid_card_new(t, &card) == NID_OK);
	if (data[0] & 1) {
		card->caps.extended = 1;
		card->caps.max_nc = NID_NC_EXT_MAX;
		card->caps.max_ne = NID_NE_EXT_MAX;
	}
	if (data[0] & 2) {
		document(ctx, card, t, nsteps, data[1]);
	} else {
		nid_emrtd_rd_init(&rd, card, NULL, 0);
		f = data[1] % NID_NELEM(files);
		if (read_one(card, &rd, t, nsteps, files[f].sfi, files[f].dg,
		    &out, &out_len) == NID_OK)
			free(out);
	}
	nid_card_free(&card);
	nid_transport_free(&t);
	nid_ctx_free(&ctx);
	return 0;
}
