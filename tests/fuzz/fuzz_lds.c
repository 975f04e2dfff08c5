/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_lds.c — the LDS parsers (lds.c, ICAO 9303-10 §4.6–4.7): EF.COM,
 * DG1, DG2, DG7, DG11, DG12, DG15 and the image sniffers, all run on
 * every input.
 *
 * Invariants: whatever a parser accepts is exactly one file of its
 * kind, so nid_lds_file_size() on the same bytes succeeds with the input's
 * length (parsers and the size pre-check agree, caps included); every
 * borrowed range (MRZ, images, field values) lies inside the input;
 * counts stay within their caps; the DG1 format follows the MRZ length;
 * a DG2 image's format is what its signature says; each DG11/DG12 field
 * is found by its tag; DG15 gives a key or nothing; failures leave no
 * key and no faces.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "nid_internal.h"
#include "lds.h"
#include "fuzz.h"

static const uint8_t *in_p;
static size_t in_len;

static int
inside(nid_cur c)
{
	if (c.len == 0)
		return 1;
	return c.p >= in_p && c.len <= in_len &&
	    (size_t)(c.p - in_p) <= in_len - c.len;
}

/* A parser accepted the input as file dg: the size pre-check agrees. */
static void
size_agrees(unsigned dg)
{
	size_t total = 0;

	FUZZ_ASSERT(nid_lds_file_size(dg, in_p, in_len, &total) == NID_OK);
	FUZZ_ASSERT(total == in_len);
	FUZZ_ASSERT(total <= nid_lds_max_size(dg));
}

static void
fuzz_com(void)
{
	struct nid_lds_com com;
	size_t i;

	memset(&com, 0xa5, sizeof(com));
	if (nid_lds_com_parse(in_p, in_len, &com) != NID_OK)
		return;
	size_agrees(0);
	FUZZ_ASSERT(memchr(com.lds_version, '\0', sizeof(com.lds_version)));
	FUZZ_ASSERT(memchr(com.unicode_version, '\0',
	    sizeof(com.unicode_version)));
	FUZZ_ASSERT(com.ndg <= 16);
	for (i = 0; i < com.ndg; i++) {
		FUZZ_ASSERT(com.dgs[i] >= 1 && com.dgs[i] <= 16);
		FUZZ_ASSERT(nid_lds_tag_dg(nid_lds_dg_tag(com.dgs[i])) ==
		    com.dgs[i]);
	}
}

static void
fuzz_dg1(void)
{
	struct nid_lds_dg1 d;

	memset(&d, 0xa5, sizeof(d));
	if (nid_lds_dg1_parse(in_p, in_len, &d) != NID_OK)
		return;
	size_agrees(1);
	FUZZ_ASSERT(inside(d.mrz_raw));
	switch (d.mrz_raw.len) {
	case 90:
		FUZZ_ASSERT(d.mrz.format == NID_MRZ_TD1);
		break;
	case 72:
		FUZZ_ASSERT(d.mrz.format == NID_MRZ_TD2);
		break;
	case 88:
		FUZZ_ASSERT(d.mrz.format == NID_MRZ_TD3);
		break;
	default:
		FUZZ_ASSERT(d.mrz.format == NID_MRZ_UNKNOWN);
		break;
	}
	FUZZ_ASSERT(d.mrz.nproblems <= NID_MRZ_PROBLEMS_MAX);
	nid_lds_dg1_clear(&d);
}

static void
fuzz_dg2(void)
{
	struct nid_lds_dg2 d;
	unsigned w, h;
	size_t i;

	memset(&d, 0xa5, sizeof(d));
	if (nid_lds_dg2_parse(in_p, in_len, &d) != NID_OK)
		return;
	size_agrees(2);
	FUZZ_ASSERT(d.nfaces >= 1 && d.nfaces <= NID_LDS_FACES_MAX);
	for (i = 0; i < d.nfaces; i++) {
		FUZZ_ASSERT(inside(d.faces[i].image));
		FUZZ_ASSERT(d.faces[i].iso39794 == 0 ||
		    d.faces[i].iso39794 == 1);
		FUZZ_ASSERT(d.faces[i].format == nid_lds_img_sniff(
		    d.faces[i].image.p, d.faces[i].image.len));
		(void)strlen(nid_lds_img_format_name(d.faces[i].format));
		if (nid_lds_img_size(d.faces[i].image.p, d.faces[i].image.len,
		    &w, &h) == NID_OK && d.faces[i].iso39794)
			FUZZ_ASSERT(w == d.faces[i].width &&
			    h == d.faces[i].height);
	}
}

static void
fuzz_dg7(void)
{
	struct nid_lds_dg7 d;
	size_t i;

	memset(&d, 0xa5, sizeof(d));
	if (nid_lds_dg7_parse(in_p, in_len, &d) != NID_OK)
		return;
	size_agrees(7);
	FUZZ_ASSERT(d.n <= NID_LDS_SIGS_MAX);
	for (i = 0; i < d.n; i++)
		FUZZ_ASSERT(inside(d.image[i]));
}

static void
fuzz_details(unsigned dg)
{
	struct nid_lds_details d;
	const struct nid_lds_field *f;
	size_t i;

	memset(&d, 0xa5, sizeof(d));
	if (nid_lds_details_parse(dg, in_p, in_len, &d) != NID_OK)
		return;
	size_agrees(dg);
	FUZZ_ASSERT(d.dg == dg);
	FUZZ_ASSERT(d.n <= NID_LDS_FIELDS_MAX);
	for (i = 0; i < d.n; i++) {
		FUZZ_ASSERT(inside(d.f[i].value));
		FUZZ_ASSERT(d.f[i].name != NULL);
		f = nid_lds_details_get(&d, d.f[i].tag);
		FUZZ_ASSERT(f == &d.f[i]); /* each field once */
	}
}

static void
fuzz_dg15(void)
{
	EVP_PKEY *pk = (EVP_PKEY *)&pk; /* must be cleared on failure */

	if (nid_lds_dg15_parse(in_p, in_len, &pk) != NID_OK) {
		FUZZ_ASSERT(pk == NULL);
		return;
	}
	size_agrees(15);
	FUZZ_ASSERT(pk != NULL && EVP_PKEY_get_bits(pk) > 0);
	EVP_PKEY_free(pk);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned dg, w, h;
	size_t total;
	int rc;

	in_p = data;
	in_len = size;
	fuzz_com();
	fuzz_dg1();
	fuzz_dg2();
	fuzz_dg7();
	fuzz_details(11);
	fuzz_details(12);
	fuzz_dg15();
	/* The size pre-check alone, for every file, with its caps. */
	for (dg = 0; dg <= 16; dg++) {
		total = 0;
		if (nid_lds_file_size(dg, data, size, &total) == NID_OK)
			FUZZ_ASSERT(total <= nid_lds_max_size(dg));
	}
	for (dg = 1; dg <= 16; dg++)
		FUZZ_ASSERT(nid_lds_tag_dg(nid_lds_dg_tag(dg)) == dg);
	(void)nid_lds_img_sniff(data, size);
	rc = nid_lds_img_size(data, size, &w, &h);
	FUZZ_ASSERT(rc == NID_OK || rc == NID_E_MALFORMED);
	ERR_clear_error();
	return 0;
}
