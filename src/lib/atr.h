/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * atr.h — Answer-to-Reset decoding (internal).
 *
 * ISO/IEC 7816-3:2006 §8.2 (character structure), §8.3 (global interface
 * bytes), §9.2 (TC2, T=0), §11.4 (T=1 bytes); ISO/IEC 7816-4:2013 §8.1.1
 * (historical bytes); PC/SC Part 3 (contactless pseudo-ATRs).
 *
 *   TS  T0  {TAi TBi TCi TDi}  T1..TK  [TCK]
 *   0   1   2 ...
 *
 * nid_atr_parse() decodes as far as the bytes allow and keeps everything
 * it read, also when it fails: the CLI shows the decoded part next to the
 * error (its code in a->rc, the byte offset in a->err_offset, a sentence
 * in a->err_msg). A problem inside the historical bytes (a compact-TLV
 * object running past the end, say) does not make the ATR malformed: it
 * is reported in a->hist.warn and the ATR stays well-formed, because many
 * real cards carry proprietary data there.
 */
#ifndef NID_ATR_H
#define NID_ATR_H

#include <stddef.h>
#include <stdint.h>

#define NID_ATR_MAX 33u         /* TS + at most 32 characters (§8.2.1) */
#define NID_ATR_IBYTES_MAX 32u  /* interface bytes kept */
#define NID_ATR_HIST_MAX 15u    /* K is 4 bits */
#define NID_ATR_HIST_OBJS 15u   /* compact-TLV objects (each >= 1 byte) */

/* Qualifier of an interface byte: global, or specific to protocol T. */
#define NID_ATR_GLOBAL 0xffu

typedef enum nid_atr_conv {
	NID_ATR_CONV_UNKNOWN = 0,
	NID_ATR_CONV_DIRECT,    /* TS = 3B */
	NID_ATR_CONV_INVERSE    /* TS = 3F */
} nid_atr_conv;

typedef enum nid_atr_tck {
	NID_ATR_TCK_ABSENT = 0, /* absent and not required (only T=0) */
	NID_ATR_TCK_MISSING,    /* required but the ATR ends before it */
	NID_ATR_TCK_OK,         /* present, XOR T0..TCK is 00 */
	NID_ATR_TCK_BAD,        /* present, wrong; tck_expected holds the right one */
	NID_ATR_TCK_UNCHECKED   /* not reached (the ATR failed earlier) */
} nid_atr_tck;

typedef struct nid_atr_ibyte {
	char kind;          /* 'A', 'B', 'C' or 'D' */
	uint8_t index;      /* i of TAi: 1, 2, … */
	uint8_t value;
	uint8_t proto;      /* NID_ATR_GLOBAL, or T for protocol-specific bytes */
	size_t offset;      /* in the ATR */
} nid_atr_ibyte;

typedef enum nid_atr_hist_kind {
	NID_ATR_HIST_NONE = 0,      /* K = 0 */
	NID_ATR_HIST_COMPACT_00,    /* category 00: compact-TLV + LCS SW1 SW2 */
	NID_ATR_HIST_COMPACT_80,    /* category 80: compact-TLV */
	NID_ATR_HIST_DIR_REF,       /* category 10: DIR data reference */
	NID_ATR_HIST_RFU,           /* categories 81..8F */
	NID_ATR_HIST_PROPRIETARY,   /* any other first byte */
	NID_ATR_HIST_PCSC_STORAGE   /* PC/SC Part 3 storage card (80 4F 0C RID…) */
} nid_atr_hist_kind;

typedef struct nid_atr_obj {
	uint8_t tag;        /* compact-TLV tag, 0..F */
	uint8_t len;
	uint8_t offset;     /* of the value, within the historical bytes */
} nid_atr_obj;

typedef struct nid_atr_hist {
	uint8_t bytes[NID_ATR_HIST_MAX];
	size_t len;             /* bytes present (may be < K when truncated) */
	size_t offset;          /* of T1 in the ATR */
	nid_atr_hist_kind kind;
	nid_atr_obj objs[NID_ATR_HIST_OBJS];
	size_t nobjs;
	/* Status indicator (category 00 trailer, or compact-TLV tag 8). */
	int lcs;                /* -1 absent */
	int sw;                 /* -1 absent, else SW1 SW2 */
	/* Card service data (tag 3) and card capabilities (tag 7). */
	int service;            /* -1 absent */
	uint8_t caps[3];
	size_t ncaps;           /* 0 = absent */
	int dir_ref;            /* category 10: -1 absent */
	/* PC/SC Part 3 storage card. */
	uint8_t pcsc_ss;
	uint16_t pcsc_name;
	/* Non-fatal problem in the historical bytes, with its ATR offset. */
	const char *warn;       /* static string or NULL */
	size_t warn_offset;
} nid_atr_hist;

typedef struct nid_atr {
	/* Outcome: NID_OK, or the first malformation found. */
	int rc;
	size_t err_offset;
	char err_msg[96];

	size_t len;             /* bytes given */
	uint8_t ts;
	nid_atr_conv conv;
	int has_t0;
	uint8_t t0;
	unsigned k;             /* historical bytes announced by T0 */

	nid_atr_ibyte ib[NID_ATR_IBYTES_MAX];
	size_t nib;

	/* Global parameters (TA1, TC1, TA2) with their defaults (§8.3). */
	int has_ta1;
	unsigned fi, di;        /* 0 when the code is RFU */
	unsigned fmax_khz;      /* 0 when RFU */
	int guard_n;            /* TC1: 0..255, -1 absent (N = 0) */
	int has_ta2;            /* specific mode */
	uint8_t specific_proto;
	int specific_implicit;  /* b5: parameters implicit, not from TA1 */
	int specific_fixed;     /* b8: unable to change to negotiable mode */
	int wi;                 /* TC2 (T=0 waiting time integer), -1 absent (10) */

	/* Protocols: bit T set for each T in a TDi (T=0 alone without TD1). */
	uint16_t protocols;     /* T = 0..14; T=15 in t15 */
	int first_proto;        /* T of TD1 (0 without TD1) */
	int has_t15;

	/* T=1 (first TA/TB/TC for T=1, §11.4); -1 absent. */
	int ifsc;               /* default 32 */
	int bwi, cwi;           /* default 4, 13 */
	int edc_crc;            /* 0 LRC (default), 1 CRC; -1 absent */

	/* T=15 global (first TA/TB for T=15, §8.3). -1 absent. */
	int clock_stop;         /* b8-b7 of TA */
	int class_ind;          /* b6-b1 of TA */
	int spu;                /* TB */

	nid_atr_tck tck;
	uint8_t tck_value;
	uint8_t tck_expected;
	size_t tck_offset;

	/* PC/SC Part 3 contactless form: 3B 8n 80 01 … */
	int contactless;

	nid_atr_hist hist;
} nid_atr;

/*
 * Decode an ATR. Always fills *a (as far as it could read) and returns
 * a->rc: NID_OK; NID_E_MALFORMED (TS not 3B/3F, wrong TCK); NID_E_TRUNCATED
 * (interface bytes, historical bytes or TCK missing); NID_E_TOO_LARGE
 * (the structure goes past 33 bytes); NID_E_TRAILING (bytes after the end
 * of the structure); NID_E_INVALID_ARG (p NULL with len > 0).
 */
int nid_atr_parse(const uint8_t *p, size_t len, nid_atr *a);

/* What the card I/O layer needs to know. -1: the ATR does not say. */
typedef struct nid_atr_caps_t {
	int ext_lc_le;          /* 3rd software function table b7 */
	int chaining;           /* 3rd software function table b8 */
	int t1;                 /* T=1 offered */
	size_t ifsc;            /* T=1 IFSC (32 when TA for T=1 is absent) */
} nid_atr_caps_t;

void nid_atr_caps(const nid_atr *a, nid_atr_caps_t *caps);

/*
 * Human text (English, short). Each writes a NUL-terminated line of at
 * most n-1 bytes into buf and returns buf.
 */
/* Meaning of interface byte i (a->ib[i]), e.g. "Fi=512 Di=64, f max 5 MHz". */
const char *nid_atr_ibyte_str(const nid_atr *a, size_t i, char *buf, size_t n);
/* Meaning of compact-TLV object j (a->hist.objs[j]). */
const char *nid_atr_obj_str(const nid_atr *a, size_t j, char *buf, size_t n);
/* Name of a compact-TLV tag ("country code", …). Never NULL. */
const char *nid_atr_tag_name(uint8_t tag);
/* Name of a hist kind ("compact-TLV (category 80)", …). Never NULL. */
const char *nid_atr_hist_kind_str(nid_atr_hist_kind k);
/* Life-cycle status byte, ISO/IEC 7816-4 §7.4.10 table 15. Never NULL. */
const char *nid_atr_lcs_str(uint8_t lcs);
/* PC/SC Part 3 standard byte SS and card name NN NN. NULL when unknown. */
const char *nid_atr_pcsc_standard_str(uint8_t ss);
const char *nid_atr_pcsc_name_str(uint16_t nn);
/* Card capabilities bits as text, one table at a time (1..3). */
const char *nid_atr_caps_str(const nid_atr *a, unsigned table, char *buf,
    size_t n);
/* Card service data byte as text. */
const char *nid_atr_service_str(uint8_t b, char *buf, size_t n);
/* Clock stop indicator / class indicator of TA for T=15 as text. */
const char *nid_atr_clock_stop_str(int x);
const char *nid_atr_class_str(int u, char *buf, size_t n);
/* TCK status as a word: "absent", "missing", "correct", "wrong", "unchecked". */
const char *nid_atr_tck_str(nid_atr_tck t);

#endif /* NID_ATR_H */
