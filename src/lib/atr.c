/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * atr.c — Answer-to-Reset decoding: ISO/IEC 7816-3:2006 §8.2–8.3, §11.4,
 * historical bytes per ISO/IEC 7816-4:2005 §8.1.1, PC/SC Part 3 pseudo-ATRs
 * of contactless cards.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "nid_internal.h"
#include "atr.h"

/* ISO/IEC 7816-3:2006 §8.3, table 7: Fi and f(max) in kHz; 0 = RFU. */
static const struct {
	uint16_t fi;
	uint16_t fmax_khz;
} nid_atr_fi_table[16] = {
	{ 372, 4000 }, { 372, 5000 }, { 558, 6000 }, { 744, 8000 },
	{ 1116, 12000 }, { 1488, 16000 }, { 1860, 20000 }, { 0, 0 },
	{ 0, 0 }, { 512, 5000 }, { 768, 7500 }, { 1024, 10000 },
	{ 1536, 15000 }, { 2048, 20000 }, { 0, 0 }, { 0, 0 },
};

/* ISO/IEC 7816-3:2006 §8.3, table 8: Di; 0 = RFU. */
static const uint8_t nid_atr_di_table[16] = {
	0, 1, 2, 4, 8, 16, 32, 64, 12, 20, 0, 0, 0, 0, 0, 0,
};

static void
atr_fail(nid_atr *a, int rc, size_t offset, const char *fmt, ...)
    NID_PRINTF(4, 5);

static void
atr_fail(nid_atr *a, int rc, size_t offset, const char *fmt, ...)
{
	va_list ap;

	if (a->rc != NID_OK)
		return; /* keep the first problem */
	a->rc = rc;
	a->err_offset = offset;
	va_start(ap, fmt);
	(void)vsnprintf(a->err_msg, sizeof(a->err_msg), fmt, ap);
	va_end(ap);
}

static void
hist_warn(nid_atr_hist *h, size_t off_in_hist, const char *msg)
{
	if (h->warn != NULL)
		return;
	h->warn = msg;
	h->warn_offset = h->offset + off_in_hist;
}

/* Status indicator: LCS, SW or LCS SW (ISO/IEC 7816-4:2005 §8.1.1.3). */
static void
hist_status(nid_atr_hist *h, const uint8_t *v, size_t n)
{
	switch (n) {
	case 1:
		h->lcs = v[0];
		break;
	case 2:
		h->sw = v[0] << 8 | v[1];
		break;
	case 3:
		h->lcs = v[0];
		h->sw = v[1] << 8 | v[2];
		break;
	default:
		break;
	}
}

/* Compact-TLV objects in bytes [start, end) (ISO/IEC 7816-4:2005 §8.1.1.2). */
static void
hist_compact(nid_atr_hist *h, size_t start, size_t end)
{
	size_t i = start;
	uint8_t tag, len;

	while (i < end) {
		tag = (uint8_t)(h->bytes[i] >> 4);
		len = (uint8_t)(h->bytes[i] & 0x0f);
		if ((size_t)len > end - i - 1) {
			hist_warn(h, i, "compact-TLV object runs past the end");
			return;
		}
		if (h->nobjs < NID_ATR_HIST_OBJS) {
			h->objs[h->nobjs].tag = tag;
			h->objs[h->nobjs].len = len;
			h->objs[h->nobjs].offset = (uint8_t)(i + 1);
			h->nobjs++;
		}
		switch (tag) {
		case 0x3: /* card service data, table 85 */
			if (len == 1)
				h->service = h->bytes[i + 1];
			break;
		case 0x7: /* card capabilities, tables 86-88 */
			if (len >= 1 && len <= 3) {
				memcpy(h->caps, h->bytes + i + 1, len);
				h->ncaps = len;
			}
			break;
		case 0x8: /* status indicator */
			if (len >= 1 && len <= 3)
				hist_status(h, h->bytes + i + 1, len);
			else
				hist_warn(h, i, "status indicator of a wrong length");
			break;
		default:
			break;
		}
		i += 1u + len;
	}
}

/* RID of the PC/SC workgroup, PC/SC Part 3 §3.1.3.2.3.2. */
static const uint8_t nid_pcsc_rid[5] = { 0xa0, 0x00, 0x00, 0x03, 0x06 };

/* Historical bytes (ISO/IEC 7816-4:2005 §8.1.1). */
static void
hist_decode(nid_atr_hist *h)
{
	uint8_t cat;

	if (h->len == 0) {
		h->kind = NID_ATR_HIST_NONE;
		return;
	}
	cat = h->bytes[0];
	/*
	 * PC/SC Part 3 storage card: 80 4F 0C A0 00 00 03 06 SS NN NN
	 * 00 00 00 00. '4F 0C' is a BER-TLV AID, not compact-TLV.
	 */
	if (h->len == 15 && cat == 0x80 && h->bytes[1] == 0x4f &&
	    h->bytes[2] == 0x0c && memcmp(h->bytes + 3, nid_pcsc_rid,
	    sizeof(nid_pcsc_rid)) == 0) {
		h->kind = NID_ATR_HIST_PCSC_STORAGE;
		h->pcsc_ss = h->bytes[8];
		h->pcsc_name = (uint16_t)(h->bytes[9] << 8 | h->bytes[10]);
		return;
	}
	switch (cat) {
	case 0x00:
		h->kind = NID_ATR_HIST_COMPACT_00;
		/* Mandatory status indicator: the last three bytes. */
		if (h->len < 4) {
			hist_warn(h, 0, "category 00 without its 3-byte "
			    "status indicator");
			return;
		}
		hist_compact(h, 1, h->len - 3);
		hist_status(h, h->bytes + h->len - 3, 3);
		break;
	case 0x80:
		h->kind = NID_ATR_HIST_COMPACT_80;
		hist_compact(h, 1, h->len);
		break;
	case 0x10:
		h->kind = NID_ATR_HIST_DIR_REF;
		if (h->len != 2)
			hist_warn(h, 0, "category 10 needs one DIR data "
			    "reference byte");
		if (h->len >= 2)
			h->dir_ref = h->bytes[1];
		break;
	default:
		if (cat >= 0x81 && cat <= 0x8f)
			h->kind = NID_ATR_HIST_RFU;
		else
			h->kind = NID_ATR_HIST_PROPRIETARY;
		break;
	}
}

static void
atr_init(nid_atr *a, size_t len)
{
	memset(a, 0, sizeof(*a));
	a->rc = NID_OK;
	a->len = len;
	a->fi = 372;
	a->di = 1;
	a->fmax_khz = 5000;
	a->guard_n = -1;
	a->wi = -1;
	a->ifsc = a->bwi = a->cwi = a->edc_crc = -1;
	a->clock_stop = a->class_ind = a->spu = -1;
	a->tck = NID_ATR_TCK_UNCHECKED;
	a->hist.lcs = a->hist.sw = a->hist.service = a->hist.dir_ref = -1;
}

/* Interpret one interface byte just read (§8.3, §9.2, §11.4). */
static void
atr_ibyte(nid_atr *a, const nid_atr_ibyte *b, unsigned *seen1, unsigned *seen15)
{
	uint8_t v = b->value;

	if (b->index == 1) {
		switch (b->kind) {
		case 'A':
			a->has_ta1 = 1;
			a->fi = nid_atr_fi_table[v >> 4].fi;
			a->fmax_khz = nid_atr_fi_table[v >> 4].fmax_khz;
			a->di = nid_atr_di_table[v & 0x0f];
			break;
		case 'C':
			a->guard_n = v;
			break;
		default:
			break;
		}
		return;
	}
	if (b->index == 2) {
		if (b->kind == 'A') {
			a->has_ta2 = 1;
			a->specific_proto = (uint8_t)(v & 0x0f);
			a->specific_implicit = (v & 0x10) != 0;
			a->specific_fixed = (v & 0x80) != 0;
		} else if (b->kind == 'C')
			a->wi = v;
		return;
	}
	if (b->proto == 1) {
		switch (b->kind) {
		case 'A':
			if (!(*seen1 & 1u))
				a->ifsc = v;
			*seen1 |= 1u;
			break;
		case 'B':
			if (!(*seen1 & 2u)) {
				a->bwi = v >> 4;
				a->cwi = v & 0x0f;
			}
			*seen1 |= 2u;
			break;
		case 'C':
			if (!(*seen1 & 4u))
				a->edc_crc = v & 0x01;
			*seen1 |= 4u;
			break;
		default:
			break;
		}
	} else if (b->proto == 15) {
		switch (b->kind) {
		case 'A':
			if (!(*seen15 & 1u)) {
				a->clock_stop = v >> 6;
				a->class_ind = v & 0x3f;
			}
			*seen15 |= 1u;
			break;
		case 'B':
			if (!(*seen15 & 2u))
				a->spu = v;
			*seen15 |= 2u;
			break;
		default:
			break;
		}
	}
}

/* Is TA/TB/TC of group i the first one for T=1 or T=15 (its meaning)? */
static int
atr_first_for(const nid_atr *a, size_t upto, char kind, uint8_t proto)
{
	size_t j;

	for (j = 0; j < upto; j++)
		if (a->ib[j].kind == kind && a->ib[j].proto == proto &&
		    a->ib[j].index >= 3)
			return 0;
	return 1;
}

int
nid_atr_parse(const uint8_t *p, size_t len, nid_atr *a)
{
	static const char kinds[4] = { 'A', 'B', 'C', 'D' };
	nid_cur c;
	uint8_t y, v, t, x;
	unsigned idx = 1, seen1 = 0, seen15 = 0, bit;
	int tck_needed = 0, have_td;
	size_t off, i, need, end;
	nid_atr_ibyte *b;

	atr_init(a, len);
	if (p == NULL && len > 0) {
		atr_fail(a, NID_E_INVALID_ARG, 0, "no ATR bytes");
		return a->rc;
	}
	nid_cur_init(&c, p, len);

	/* TS, §8.1: 3B direct convention, 3F inverse convention. */
	if (nid_cur_get_u8(&c, &a->ts) != NID_OK) {
		atr_fail(a, NID_E_TRUNCATED, 0, "empty ATR: TS missing");
		return a->rc;
	}
	if (a->ts == 0x3b)
		a->conv = NID_ATR_CONV_DIRECT;
	else if (a->ts == 0x3f)
		a->conv = NID_ATR_CONV_INVERSE;
	else {
		atr_fail(a, NID_E_MALFORMED, 0, "bad TS %02X: neither 3B "
		    "(direct) nor 3F (inverse convention)", a->ts);
		return a->rc;
	}
	/* T0, §8.2.2: Y1 in b8-b5, K in b4-b1. */
	if (nid_cur_get_u8(&c, &a->t0) != NID_OK) {
		atr_fail(a, NID_E_TRUNCATED, 1, "truncated: T0 missing");
		return a->rc;
	}
	a->has_t0 = 1;
	a->k = a->t0 & 0x0fu;
	y = (uint8_t)(a->t0 >> 4);
	off = 2;
	t = NID_ATR_GLOBAL;

	/* Interface bytes, §8.2.3: TAi TBi TCi TDi present as Yi says. */
	for (;;) {
		have_td = 0;
		for (bit = 0; bit < 4; bit++) {
			if (!(y & (1u << bit)))
				continue;
			if (nid_cur_get_u8(&c, &v) != NID_OK) {
				atr_fail(a, NID_E_TRUNCATED, off, "truncated: "
				    "T%c%u missing (announced by %s)",
				    kinds[bit], idx, idx == 1 ? "T0" : "TD");
				return a->rc;
			}
			if (a->nib >= NID_ATR_IBYTES_MAX) {
				atr_fail(a, NID_E_TOO_LARGE, off, "too long: "
				    "more than %u interface bytes",
				    NID_ATR_IBYTES_MAX);
				return a->rc;
			}
			b = &a->ib[a->nib];
			b->kind = kinds[bit];
			b->index = (uint8_t)idx;
			b->value = v;
			b->offset = off;
			/*
			 * Groups 1 and 2 are global, except TC2 (T=0, §10.2);
			 * from group 3 on bytes are specific to the T of
			 * TD(i-1) (§8.2.3).
			 */
			if (idx == 1 || (idx == 2 && bit != 2))
				b->proto = NID_ATR_GLOBAL;
			else if (idx == 2)
				b->proto = 0;
			else
				b->proto = t;
			if (bit != 3)
				atr_ibyte(a, b, &seen1, &seen15);
			a->nib++;
			off++;
			if (bit == 3) {
				have_td = 1;
				y = (uint8_t)(v >> 4);
				x = (uint8_t)(v & 0x0f);
				b->proto = x;
				if (idx == 1)
					a->first_proto = x;
				if (x == 15)
					a->has_t15 = 1;
				else
					a->protocols = (uint16_t)(a->protocols |
					    (1u << x));
				/* §8.2.5: TCK absent iff only T=0 is indicated. */
				if (x != 0)
					tck_needed = 1;
				t = x;
			}
		}
		if (!have_td)
			break;
		if (idx >= 255u)
			break; /* unreachable: the byte cap ends it first */
		idx++;
	}
	/* No TD1 (or, against §8.2.3, only T=15): T=0 is the protocol. */
	if (a->protocols == 0)
		a->protocols = 1u;

	/* PC/SC Part 3 §3.1.3.2.3: contactless pseudo-ATR 3B 8n 80 01 …. */
	if (a->ts == 0x3b && (a->t0 & 0xf0) == 0x80 && a->nib == 2 &&
	    a->ib[0].value == 0x80 && a->ib[1].value == 0x01)
		a->contactless = 1;

	/* Historical bytes, §8.2.4. */
	a->hist.offset = off;
	i = 0;
	while (i < a->k && nid_cur_get_u8(&c, &a->hist.bytes[i]) == NID_OK)
		i++;
	a->hist.len = i;
	off += i;
	hist_decode(&a->hist);
	if (i < a->k) {
		atr_fail(a, NID_E_TRUNCATED, off, "truncated: %u historical "
		    "bytes announced by T0, %zu present", a->k, i);
		return a->rc;
	}

	/* TCK, §8.2.5: XOR of T0 … TCK is 00. */
	if (tck_needed) {
		a->tck_offset = off;
		if (nid_cur_get_u8(&c, &a->tck_value) != NID_OK) {
			a->tck = NID_ATR_TCK_MISSING;
			atr_fail(a, NID_E_TRUNCATED, off, "truncated: TCK "
			    "missing (required when a protocol other than T=0 "
			    "is indicated)");
			return a->rc;
		}
		x = 0;
		for (i = 1; i < off; i++)
			x ^= p[i];
		a->tck_expected = x;
		off++;
		if (x == a->tck_value)
			a->tck = NID_ATR_TCK_OK;
		else {
			a->tck = NID_ATR_TCK_BAD;
			atr_fail(a, NID_E_MALFORMED, off - 1, "bad TCK %02X, "
			    "expected %02X", a->tck_value, x);
		}
	} else
		a->tck = NID_ATR_TCK_ABSENT;

	/* §8.2.1: at most 32 characters after TS. */
	end = off;
	if (end > NID_ATR_MAX)
		atr_fail(a, NID_E_TOO_LARGE, NID_ATR_MAX, "too long: the "
		    "structure takes %zu bytes, at most %u", end, NID_ATR_MAX);
	else if (c.len > 0) {
		need = c.len;
		atr_fail(a, NID_E_TRAILING, end, "%zu byte%s after the %s",
		    need, need == 1 ? "" : "s", tck_needed ? "TCK" :
		    "historical bytes (no TCK: only T=0 is indicated)");
	}
	return a->rc;
}

void
nid_atr_caps(const nid_atr *a, nid_atr_caps_t *caps)
{
	caps->ext_lc_le = -1;
	caps->chaining = -1;
	/* Third software function table, ISO/IEC 7816-4:2005 table 88. */
	if (a->hist.ncaps >= 3) {
		caps->chaining = (a->hist.caps[2] & 0x80) != 0;
		caps->ext_lc_le = (a->hist.caps[2] & 0x40) != 0;
	}
	caps->t1 = (a->protocols & 0x2u) != 0;
	caps->ifsc = a->ifsc > 0 ? (size_t)a->ifsc : 32u;
}

/* ---- text ------------------------------------------------------------ */

const char *
nid_atr_tck_str(nid_atr_tck t)
{
	switch (t) {
	case NID_ATR_TCK_ABSENT:
		return "absent";
	case NID_ATR_TCK_MISSING:
		return "missing";
	case NID_ATR_TCK_OK:
		return "correct";
	case NID_ATR_TCK_BAD:
		return "wrong";
	case NID_ATR_TCK_UNCHECKED:
	default:
		return "unchecked";
	}
}

const char *
nid_atr_clock_stop_str(int x)
{
	switch (x) {
	case 0:
		return "clock stop not supported";
	case 1:
		return "clock stop in state L";
	case 2:
		return "clock stop in state H";
	case 3:
		return "clock stop, no preference";
	default:
		return "clock stop not indicated";
	}
}

const char *
nid_atr_class_str(int u, char *buf, size_t n)
{
	/* ISO/IEC 7816-3:2006 §8.3, table 10: b1 A (5 V), b2 B (3 V), b3 C (1.8 V). */
	(void)snprintf(buf, n, "classes%s%s%s%s", (u & 1) ? " A (5 V)" : "",
	    (u & 2) ? " B (3 V)" : "", (u & 4) ? " C (1.8 V)" : "",
	    (u & 0x38) ? " +RFU" : "");
	if ((u & 0x3f) == 0)
		(void)snprintf(buf, n, "no class indicated");
	return buf;
}

static void
fmt_mhz(char *buf, size_t n, unsigned khz)
{
	if (khz % 1000u == 0)
		(void)snprintf(buf, n, "%u MHz", khz / 1000u);
	else
		(void)snprintf(buf, n, "%u.%u MHz", khz / 1000u,
		    (khz % 1000u) / 100u);
}

const char *
nid_atr_ibyte_str(const nid_atr *a, size_t i, char *buf, size_t n)
{
	const nid_atr_ibyte *b;
	uint8_t v;
	char mhz[16], cls[48];
	unsigned fi, di;

	if (n == 0)
		return buf;
	if (i >= a->nib) {
		(void)snprintf(buf, n, "?");
		return buf;
	}
	b = &a->ib[i];
	v = b->value;
	if (b->kind == 'D') {
		(void)snprintf(buf, n, "T=%u%s%s%s%s%s", v & 0x0fu,
		    (v & 0x0f) == 15 ? " (global bytes follow)" : "",
		    (v & 0xf0) ? "; next:" : "; last TD",
		    (v & 0x10) ? " TA" : "", (v & 0x20) ? " TB" : "",
		    (v & 0x40) ? " TC" : "");
		if (v & 0x80) {
			size_t l = strlen(buf);
			if (l < n)
				(void)snprintf(buf + l, n - l, " TD");
		}
		return buf;
	}
	if (b->index == 1) {
		switch (b->kind) {
		case 'A': /* §8.3 tables 7 and 8 */
			fi = nid_atr_fi_table[v >> 4].fi;
			di = nid_atr_di_table[v & 0x0f];
			fmt_mhz(mhz, sizeof(mhz),
			    nid_atr_fi_table[v >> 4].fmax_khz);
			if (fi == 0 && di == 0)
				(void)snprintf(buf, n, "Fi RFU, Di RFU");
			else if (fi == 0)
				(void)snprintf(buf, n, "Fi RFU, Di=%u", di);
			else if (di == 0)
				(void)snprintf(buf, n, "Fi=%u, Di RFU, "
				    "f max %s", fi, mhz);
			else
				(void)snprintf(buf, n, "Fi=%u Di=%u, f max %s "
				    "(%u cycles/etu)", fi, di, mhz, fi / di);
			return buf;
		case 'B': /* deprecated in 7816-3:2006 §8.3 */
			(void)snprintf(buf, n, "VPP: %s (deprecated)",
			    v == 0 ? "not connected" : "PI1/II programming");
			return buf;
		case 'C': /* §8.3 extra guard time */
			if (v == 255)
				(void)snprintf(buf, n, "N=255: minimum guard "
				    "time (12 etu T=0, 11 etu T=1)");
			else
				(void)snprintf(buf, n, "extra guard time N=%u etu",
				    v);
			return buf;
		default:
			break;
		}
	}
	if (b->index == 2) {
		switch (b->kind) {
		case 'A': /* §8.3 specific mode byte */
			(void)snprintf(buf, n, "specific mode T=%u, %s, %s",
			    v & 0x0fu, (v & 0x10) ? "implicit parameters" :
			    "parameters from TA1", (v & 0x80) ?
			    "not changeable" : "changeable to negotiable");
			return buf;
		case 'B':
			(void)snprintf(buf, n, "VPP PI2=%u (deprecated)", v);
			return buf;
		case 'C': /* §10.2 */
			(void)snprintf(buf, n, "T=0 waiting time integer WI=%u",
			    v);
			return buf;
		default:
			break;
		}
	}
	if (b->proto == 1 && atr_first_for(a, i, b->kind, 1)) {
		switch (b->kind) {
		case 'A': /* §11.4.2 */
			if (v == 0 || v == 255)
				(void)snprintf(buf, n, "T=1 IFSC %u (RFU)", v);
			else
				(void)snprintf(buf, n, "T=1 IFSC %u", v);
			return buf;
		case 'B': /* §11.4.3 */
			(void)snprintf(buf, n, "T=1 BWI=%u CWI=%u", v >> 4,
			    v & 0x0fu);
			return buf;
		case 'C': /* §11.4.4 */
			(void)snprintf(buf, n, "T=1 error detection: %s",
			    (v & 1) ? "CRC" : "LRC");
			return buf;
		default:
			break;
		}
	}
	if (b->proto == 15 && atr_first_for(a, i, b->kind, 15)) {
		switch (b->kind) {
		case 'A': /* §8.3 */
			(void)snprintf(buf, n, "%s; %s",
			    nid_atr_clock_stop_str(v >> 6),
			    nid_atr_class_str(v & 0x3f, cls, sizeof(cls)));
			return buf;
		case 'B': /* §8.3 SPU */
			if (v == 0)
				(void)snprintf(buf, n, "SPU not used");
			else
				(void)snprintf(buf, n, "SPU %s use (%02X)",
				    (v & 0x80) ? "proprietary" : "standard", v);
			return buf;
		default:
			break;
		}
	}
	if (b->proto == NID_ATR_GLOBAL)
		(void)snprintf(buf, n, "global, not interpreted");
	else
		(void)snprintf(buf, n, "specific to T=%u, not interpreted",
		    b->proto);
	return buf;
}

const char *
nid_atr_tag_name(uint8_t tag)
{
	/* ISO/IEC 7816-4:2005 §8.1.1.2, table 84. */
	switch (tag) {
	case 0x1:
		return "country code";
	case 0x2:
		return "issuer identification number";
	case 0x3:
		return "card service data";
	case 0x4:
		return "initial access data";
	case 0x5:
		return "card issuer's data";
	case 0x6:
		return "pre-issuing data";
	case 0x7:
		return "card capabilities";
	case 0x8:
		return "status indicator";
	case 0xf:
		return "application identifier";
	default:
		return "RFU tag";
	}
}

const char *
nid_atr_hist_kind_str(nid_atr_hist_kind k)
{
	switch (k) {
	case NID_ATR_HIST_NONE:
		return "none";
	case NID_ATR_HIST_COMPACT_00:
		return "compact-TLV with status indicator (category 00)";
	case NID_ATR_HIST_COMPACT_80:
		return "compact-TLV (category 80)";
	case NID_ATR_HIST_DIR_REF:
		return "DIR data reference (category 10)";
	case NID_ATR_HIST_RFU:
		return "RFU category";
	case NID_ATR_HIST_PCSC_STORAGE:
		return "PC/SC Part 3 storage card";
	case NID_ATR_HIST_PROPRIETARY:
	default:
		return "proprietary";
	}
}

const char *
nid_atr_lcs_str(uint8_t lcs)
{
	/* ISO/IEC 7816-4:2005 §5.3.3.2, table 13. */
	if (lcs >= 0x10)
		return "proprietary";
	switch (lcs) {
	case 0x00:
		return "no information given";
	case 0x01:
		return "creation state";
	case 0x03:
		return "initialisation state";
	case 0x04:
	case 0x06:
		return "operational state (deactivated)";
	case 0x05:
	case 0x07:
		return "operational state (activated)";
	case 0x0c:
	case 0x0d:
	case 0x0e:
	case 0x0f:
		return "termination state";
	default:
		return "RFU";
	}
}

const char *
nid_atr_pcsc_standard_str(uint8_t ss)
{
	/* PC/SC Part 3 supplement, table 3-3 (standard byte SS). */
	switch (ss) {
	case 0x00: return "no information given";
	case 0x01: return "ISO 14443 A part 1";
	case 0x02: return "ISO 14443 A part 2";
	case 0x03: return "ISO 14443 A part 3";
	case 0x05: return "ISO 14443 B part 1";
	case 0x06: return "ISO 14443 B part 2";
	case 0x07: return "ISO 14443 B part 3";
	case 0x09: return "ISO 15693 part 1";
	case 0x0a: return "ISO 15693 part 2";
	case 0x0b: return "ISO 15693 part 3";
	case 0x0c: return "ISO 15693 part 4";
	case 0x0d: return "contact (7816-10) I2C";
	case 0x0e: return "contact (7816-10) extended I2C";
	case 0x0f: return "contact (7816-10) 2WBP";
	case 0x10: return "contact (7816-10) 3WBP";
	case 0x11: return "FeliCa";
	case 0x40: return "low frequency contactless";
	default: return NULL;
	}
}

const char *
nid_atr_pcsc_name_str(uint16_t nn)
{
	/* PC/SC Part 3 supplement, table 3-4 (card name NN NN). */
	static const char *const names[] = {
		"no information given", "MIFARE Classic 1K",
		"MIFARE Classic 4K", "MIFARE Ultralight", "SLE55R_XXXX",
		NULL, "SR176", "SRI X4K", "AT88RF020", "AT88SC0204CRF",
		"AT88SC0808CRF", "AT88SC1616CRF", "AT88SC3216CRF",
		"AT88SC6416CRF", "SRF55V10P", "SRF55V02P", "SRF55V10S",
		"SRF55V02S", "TAG_IT", "LRI512", "ICODESLI", "TEMPSENS",
		"I.CODE1", "PicoPass 2K", "PicoPass 2KS", "PicoPass 16K",
		"PicoPass 16Ks", "PicoPass 16K(8x2)", "PicoPass 16KS(8x2)",
		"PicoPass 32KS(16+16)", "PicoPass 32KS(16+8x2)",
		"PicoPass 32KS(8x2+16)", "PicoPass 32KS(8x2+8x2)", "LRI64",
		"I.CODE UID", "I.CODE EPC", "LRI12", "LRI128", "MIFARE Mini",
		"my-d move (SLE 66R01P)", "my-d NFC (SLE 66RxxP)",
		"my-d proximity 2 (SLE 66RxxS)",
		"my-d proximity enhanced (SLE 55RxxE)",
		"my-d light (SRF 55V01P)", "PJM Stack Tag (SRF 66V10ST)",
		"PJM Item Tag (SRF 66V10IT)", "PJM Light (SRF 66V01ST)",
		"Jewel Tag", "Topaz NFC Tag", "AT88SC0104CRF",
		"AT88SC0404CRF", "AT88RF01C", "AT88RF04C", "i-Code SL2",
		"MIFARE Plus SL1 2K", "MIFARE Plus SL1 4K",
		"MIFARE Plus SL2 2K", "MIFARE Plus SL2 4K",
		"MIFARE Ultralight C", "FeliCa",
		"Melexis Sensor Tag (MLX90129)", "MIFARE Ultralight EV1",
	};

	if (nn >= NID_NELEM(names))
		return NULL;
	return names[nn];
}

const char *
nid_atr_service_str(uint8_t b, char *buf, size_t n)
{
	const char *access;

	/* ISO/IEC 7816-4:2005 §8.1.1.2.3, table 85. */
	switch ((b >> 1) & 0x07) {
	case 0x4:
		access = "READ BINARY";
		break;
	case 0x0:
		access = "READ RECORD";
		break;
	case 0x2:
		access = "GET DATA";
		break;
	default:
		access = "RFU";
		break;
	}
	(void)snprintf(buf, n, "%s%s%s%sEF.DIR/EF.ATR by %s; %s",
	    (b & 0x80) ? "select by full DF name; " : "",
	    (b & 0x40) ? "select by partial DF name; " : "",
	    (b & 0x20) ? "BER-TLV in EF.DIR; " : "",
	    (b & 0x10) ? "BER-TLV in EF.ATR; " : "", access,
	    (b & 0x01) ? "no MF" : "with MF");
	return buf;
}

const char *
nid_atr_caps_str(const nid_atr *a, unsigned table, char *buf, size_t n)
{
	uint8_t b;
	const char *wr[4] = { "one-time write", "proprietary write",
	    "write OR", "write AND" };
	const char *lc[4] = { "no logical channel", "by the interface device",
	    "by the card", "by the card and the interface device" };

	if (n == 0)
		return buf;
	if (table < 1 || table > a->hist.ncaps) {
		(void)snprintf(buf, n, "absent");
		return buf;
	}
	b = a->hist.caps[table - 1];
	switch (table) {
	case 1: /* table 86: selection methods */
		(void)snprintf(buf, n, "selection:%s%s%s%s%s%s%s%s%s",
		    (b & 0x80) ? " full DF name," : "",
		    (b & 0x40) ? " partial DF name," : "",
		    (b & 0x20) ? " path," : "",
		    (b & 0x10) ? " file id," : "",
		    (b & 0x08) ? " implicit DF," : "",
		    (b & 0x04) ? " short EF id," : "",
		    (b & 0x02) ? " record number," : "",
		    (b & 0x01) ? " record identifier," : "",
		    b == 0 ? " none" : "");
		break;
	case 2: /* table 87: data coding byte */
		(void)snprintf(buf, n, "data coding: %sEF of TLV structure, %s, "
		    "FF tag byte %svalid, data unit %u quartet%s",
		    (b & 0x80) ? "" : "no ", wr[(b >> 5) & 3],
		    (b & 0x10) ? "" : "in", 1u << (b & 0x0f),
		    (b & 0x0f) ? "s" : "");
		break;
	default: /* table 88: chaining, length fields, logical channels */
		(void)snprintf(buf, n, "command chaining %s, extended Lc/Le %s, "
		    "logical channels %s, max %u",
		    (b & 0x80) ? "yes" : "no", (b & 0x40) ? "yes" : "no",
		    lc[(b >> 3) & 3], (b & 0x07u) + 1u);
		break;
	}
	/* Drop a trailing comma from the selection list. */
	{
		size_t l = strlen(buf);
		if (l > 0 && buf[l - 1] == ',')
			buf[l - 1] = '\0';
	}
	return buf;
}

static void
fmt_value(const uint8_t *v, size_t len, char *buf, size_t n)
{
	size_t i, l;
	int printable = len > 0;

	nid_hex_encode_to(v, len, buf); /* caller's buf holds 2*15+1 */
	for (i = 0; i < len; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			printable = 0;
	if (!printable)
		return;
	l = strlen(buf);
	if (l + 4 + len > n)
		return;
	buf[l++] = ' ';
	buf[l++] = '"';
	memcpy(buf + l, v, len);
	l += len;
	buf[l++] = '"';
	buf[l] = '\0';
}

const char *
nid_atr_obj_str(const nid_atr *a, size_t j, char *buf, size_t n)
{
	const nid_atr_obj *o;
	const uint8_t *v;
	char val[2 * NID_ATR_HIST_MAX + 24], more[128];

	if (j >= a->hist.nobjs) {
		(void)snprintf(buf, n, "?");
		return buf;
	}
	o = &a->hist.objs[j];
	v = a->hist.bytes + o->offset;
	fmt_value(v, o->len, val, sizeof(val));
	more[0] = '\0';
	switch (o->tag) {
	case 0x3:
		if (o->len == 1)
			(void)nid_atr_service_str(v[0], more, sizeof(more));
		break;
	case 0x8:
		if (o->len == 1 || o->len == 3)
			(void)snprintf(more, sizeof(more), "LCS %02X %s%s",
			    v[0], nid_atr_lcs_str(v[0]), o->len == 3 ?
			    ", SW given" : "");
		else if (o->len == 2)
			(void)snprintf(more, sizeof(more), "SW %02X%02X",
			    v[0], v[1]);
		break;
	default:
		break;
	}
	if (more[0] != '\0')
		(void)snprintf(buf, n, "%X%X %s: %s (%s)", o->tag, o->len,
		    nid_atr_tag_name(o->tag), val, more);
	else
		(void)snprintf(buf, n, "%X%X %s: %s", o->tag, o->len,
		    nid_atr_tag_name(o->tag), val);
	return buf;
}
