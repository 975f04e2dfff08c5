/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * apdu.c — command APDU encoding and decoding, ISO/IEC 7816-4 §5.1
 * (cases 1, 2, 3, 4 in short and extended form).
 *
 *   case 1   CLA INS P1 P2
 *   case 2S  CLA INS P1 P2 Le                     Le 00 = 256
 *   case 3S  CLA INS P1 P2 Lc data                Lc 01..FF
 *   case 4S  CLA INS P1 P2 Lc data Le
 *   case 2E  CLA INS P1 P2 00 Le1 Le2             Le 0000 = 65536
 *   case 3E  CLA INS P1 P2 00 Lc1 Lc2 data        Lc 0001..FFFF
 *   case 4E  CLA INS P1 P2 00 Lc1 Lc2 data Le1 Le2
 */
#include "config.h"

#include "nid_internal.h"

int
nid_apdu_needs_extended(const nid_apdu *a)
{
	return a->nc > NID_NC_SHORT_MAX || a->ne > NID_NE_SHORT_MAX;
}

int
nid_apdu_encode(const nid_apdu *a, int extended, nid_buf *out)
{
	uint8_t hdr[4] = { a->cla, a->ins, a->p1, a->p2 };
	size_t start = out->len;
	int rc;

	if (a->nc > NID_NC_EXT_MAX || a->ne > NID_NE_EXT_MAX ||
	    (a->nc != 0 && a->data == NULL))
		return NID_E_INVALID_ARG;
	extended = extended || nid_apdu_needs_extended(a);
	if ((rc = nid_buf_put(out, hdr, sizeof(hdr))) != NID_OK)
		goto out;
	if (a->nc != 0) {
		if (extended) {
			if ((rc = nid_buf_put_u8(out, 0)) != NID_OK ||
			    (rc = nid_buf_put_be16(out, (uint16_t)a->nc)) != NID_OK)
				goto out;
		} else if ((rc = nid_buf_put_u8(out, (uint8_t)a->nc)) != NID_OK)
			goto out;
		if ((rc = nid_buf_put(out, a->data, a->nc)) != NID_OK)
			goto out;
	}
	if (a->ne != 0) {
		if (extended) {
			/* Case 2E carries the extended marker before Le. */
			if (a->nc == 0 && (rc = nid_buf_put_u8(out, 0)) != NID_OK)
				goto out;
			rc = nid_buf_put_be16(out, (uint16_t)(a->ne & 0xffff));
		} else
			rc = nid_buf_put_u8(out, (uint8_t)(a->ne & 0xff));
	}
out:
	if (rc != NID_OK)
		out->len = start;
	return rc;
}

int
nid_apdu_decode(const uint8_t *p, size_t len, nid_apdu *a, int *extended)
{
	nid_apdu d = { 0 };
	size_t body, lc;
	int ext = 0;

	if (len < 4)
		return NID_E_MALFORMED;
	d.cla = p[0];
	d.ins = p[1];
	d.p1 = p[2];
	d.p2 = p[3];
	body = len - 4;
	if (body == 0) {
		/* case 1 */
	} else if (body == 1) {
		d.ne = p[4] == 0 ? 256 : p[4];                      /* case 2S */
	} else if (p[4] != 0) {
		lc = p[4];
		if (body == 1 + lc) {                               /* case 3S */
			d.nc = lc;
		} else if (body == 2 + lc) {                        /* case 4S */
			d.nc = lc;
			d.ne = p[5 + lc] == 0 ? 256 : p[5 + lc];
		} else
			return NID_E_MALFORMED;
		d.data = p + 5;
	} else {
		ext = 1;
		if (body == 3) {                                    /* case 2E */
			d.ne = (size_t)p[5] << 8 | p[6];
			if (d.ne == 0)
				d.ne = 65536;
		} else if (body > 3) {
			lc = (size_t)p[5] << 8 | p[6];
			if (lc == 0)
				return NID_E_MALFORMED;
			if (body == 3 + lc) {                       /* case 3E */
				d.nc = lc;
			} else if (body == 5 + lc) {                /* case 4E */
				d.nc = lc;
				d.ne = (size_t)p[7 + lc] << 8 | p[8 + lc];
				if (d.ne == 0)
					d.ne = 65536;
			} else
				return NID_E_MALFORMED;
			d.data = p + 7;
		} else
			return NID_E_MALFORMED;
	}
	*a = d;
	if (extended != NULL)
		*extended = ext;
	return NID_OK;
}
