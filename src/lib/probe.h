/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * probe.h — what this card accepts through this reader: extended length
 * or not, and the largest Ne that comes back whole. Three sources, each
 * kept apart in the result so a report can show who said what:
 *
 *   1. the ATR's historical bytes, third software function table
 *      (ISO/IEC 7816-4:2013 §8.1.1.2.7): b7 extended Lc/Le, b8 command
 *      chaining — what the card claims (atr.h nid_atr_caps);
 *   2. EF.ATR/INFO (FID 2F01 under the MF, ISO/IEC 7816-4:2013 §8.2.1.1),
 *      when present: its extended length information DO '7F66'
 *      (§12.7.1: INTEGER the most bytes of a command APDU, INTEGER the
 *      most bytes of a response APDU, status word included) — what the
 *      card declares;
 *   3. a trial — what the card and the reader actually do. No secret,
 *      no PIN, no access condition: files every terminal may read.
 *
 * The trial (each step is recorded with its command bytes):
 *   a. READ BINARY of EF.CardAccess (SFI 1C, ICAO 9303-10 §3.11.3) with
 *      an extended Le field, Ne 65536 ("as much as there is",
 *      00 B0 9C 00 00 00 00). Data back: extended length works. 6700,
 *      6Cxx, 6D00/6E00: the card refuses it. A transport failure: the
 *      reader (or its driver) refuses it. Another refusal first (6A82,
 *      6982, …): the card may be left in an application by an earlier
 *      session, so SELECT MF (00 A4 00 0C 02 3F00) and once more. No EF.CardAccess (a BAC-only
 *      passport): the same with EF.DIR (2F00, SFI 1E of the MF, ISO/IEC
 *      7816-4 §8.2.1.1) when there is one; with neither, extended length
 *      is not tried and the ATR's claim stands;
 *   b. extended refused: READ BINARY with short Le 256, then down the
 *      ladder emrtd.c uses (224, 192, 160, 128) while the card answers
 *      6700 or an absurd 6Cxx;
 *   c. an answer shorter than both Ne and the file (its size is in its
 *      BER-TLV header) was cut: that length is the card's limit, exact.
 *      An answer holding the whole file only says "at least this
 *      much": a short EF.CardAccess (20-odd bytes on most chips)
 *      cannot show a limit of 223. Then, in short mode only, GET
 *      CHALLENGE with the accepted Le (ISO/IEC 7816-4 §11.5.3): n bytes
 *      with 9000 where 128 ≤ n < Le is the card's limit; all of Le
 *      confirms it; fewer than 128 bytes (a chip whose challenge is
 *      always 8 bytes), 6700 or 6Cxx say nothing.
 *   The reader's PC/SC protocol (T=0 / T=1) comes from SCardConnect;
 *   61xx / 6Cxx procedure answers seen during the trial (card.c GET
 *   RESPONSE / Le retries) mark T=0 behaviour whatever PC/SC says.
 *
 * Every command goes through card.c (nid_card_transmit) with literal
 * INS bytes (READ BINARY, SELECT, GET CHALLENGE): nothing that could
 * spend a PIN try (tests/system/pin_safety.sh checks the source).
 *
 * The conclusion (struct nid_probe caps) is what nid_emrtd_read uses
 * (emrtd.h nid_emrtd_opts.probe): extended length when the trial saw it
 * work (or, not tried, when the ATR claims it); max_ne the smallest of
 * the limit the trial found and the one EF.ATR/INFO declares, else
 * 65536 with extended length and 256 without. Under secure messaging the
 * reading code keeps the protected answer within max_ne, so a card that
 * cuts answers at 223 bytes is read with plain Le 191 (AES) instead of
 * having its MAC cut off.
 *
 * The EF.CardAccess bytes the trial read are kept (card_access): the
 * reading flow takes them instead of reading the file again, so a probed
 * session costs at most one SELECT more than an unprobed one (EF.ATR/INFO;
 * a GET CHALLENGE on short-APDU cards whose limit did not show).
 *
 * Not persisted: probing costs 1–4 APDUs (well under a millisecond
 * through PC/SC), less than a per-reader cache is worth, and a stale
 * profile (reader firmware or driver changed) would cut answers under
 * secure messaging, which breaks the session.
 */
#ifndef NID_PROBE_H
#define NID_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "nid_internal.h"
#include "card.h"

#define NID_PROBE_STEPS_MAX 20u
#define NID_PROBE_INFO_MAX 1024u   /* EF.ATR/INFO read cap */
#define NID_PROBE_CMD_MAX 12u      /* command bytes kept per step */
#define NID_PROBE_CHALLENGE_MIN 128u /* below: a fixed-size challenge */
#define NID_PROBE_FID_ATR_INFO 0x2F01u

/* What to do besides the trial read (flags of nid_probe_run). */
#define NID_PROBE_ATR_INFO 0x01u   /* read EF.ATR/INFO (always) */
#define NID_PROBE_ATR_INFO_EXT 0x02u /* … only when extended length works */
#define NID_PROBE_CHALLENGE 0x04u  /* GET CHALLENGE when the limit hid */
/* `nidcard probe`: everything. A reading session: what can change how
 * the files are read (7F66 matters only with extended length). */
#define NID_PROBE_REPORT (NID_PROBE_ATR_INFO | NID_PROBE_CHALLENGE)
#define NID_PROBE_SESSION (NID_PROBE_ATR_INFO_EXT | NID_PROBE_CHALLENGE)

enum nid_probe_ext {
	NID_PROBE_EXT_UNTRIED = 0,  /* nothing to try it on */
	NID_PROBE_EXT_WORKS,        /* an extended command was answered */
	NID_PROBE_EXT_CARD_REFUSED, /* 6700, 6Cxx, 6D00, 6E00 */
	NID_PROBE_EXT_READER_FAILED /* the exchange failed (PC/SC) */
};

enum nid_probe_le_basis {
	NID_PROBE_LE_DEFAULT = 0,   /* nothing seen: 256, or 65536 extended */
	NID_PROBE_LE_CUT,           /* an answer was cut there: exact */
	NID_PROBE_LE_SEEN,          /* the whole Ne came back: at least */
	NID_PROBE_LE_FILE,          /* the whole file came back: at least */
	NID_PROBE_LE_DECLARED       /* EF.ATR/INFO '7F66' */
};

struct nid_probe_step {
	char what[64];          /* "READ BINARY EF.CardAccess, extended Le" */
	uint8_t cmd[NID_PROBE_CMD_MAX]; /* the command as sent first */
	size_t cmd_len;
	size_t ne;              /* Ne asked */
	int rc;                 /* NID_OK, or the transport's error */
	uint16_t sw_first;      /* the card's first answer (61xx, 6Cxx, …) */
	uint16_t sw;            /* final status word; 0 on error */
	size_t got;             /* response data bytes */
	unsigned long apdus;    /* on the wire, GET RESPONSE / retry included */
	char note[96];          /* what the step showed */
};

struct nid_probe {
	/* The reader. */
	int protocol;           /* PC/SC: 0 T=0, 1 T=1, -1 not PC/SC */
	uint8_t atr[33];
	size_t atr_len;
	/* 1. What the ATR claims; -1: it does not say. */
	int atr_ext;
	int atr_chaining;
	int atr_t0, atr_t1;     /* protocols the ATR offers */
	/* 2. EF.ATR/INFO: 1 read, 0 absent, -1 not asked. */
	int info;
	uint16_t info_sw;
	uint8_t info_bytes[NID_PROBE_INFO_MAX];
	size_t info_len;
	long info_max_cmd;      /* '7F66' first INTEGER, -1 absent */
	long info_max_rsp;      /* '7F66' second INTEGER (SW included) */
	char info_note[96];     /* a malformed file, a 7F66 left out */
	/* 3. The trial. */
	char trial_file[16];    /* "EF.CardAccess", "" none readable */
	size_t trial_file_size; /* from its header; 0 unknown */
	enum nid_probe_ext ext;
	long ext_pcsc;          /* PC/SC code when the reader failed */
	size_t trial_le;        /* largest Ne answered (not refused) */
	size_t trial_limit;     /* an answer cut at this many bytes; 0 none */
	int challenge_seen;     /* GET CHALLENGE returned its whole Le */
	int t0_procedure;       /* 61xx or 6Cxx answers were seen */
	/* The conclusion, and why. */
	nid_card_caps caps;
	enum nid_probe_le_basis le_basis;
	/* EF.CardAccess as read: 1 read (bytes below), 0 absent. */
	int card_access;
	uint16_t card_access_sw;
	uint8_t *card_access_bytes; /* owned */
	size_t card_access_len;
	unsigned long card_access_apdus;
	/* Every command of the probe. */
	struct nid_probe_step steps[NID_PROBE_STEPS_MAX];
	size_t nsteps;
	unsigned long apdus;    /* on the wire, in total */
	unsigned long ms;
};

/*
 * Probe the card (raw transport, no secure messaging; the card's current
 * DF may change to the MF). flags: NID_PROBE_REPORT or NID_PROBE_SESSION
 * (or a combination of the single flags). p is cleared on entry; free
 * it with nid_probe_clear() in every case. card->caps is not changed:
 * the caller hands p to the reading code (or copies p->caps).
 * Errors: only what stops it — the card removed, the transport dead
 * (also after a refused extended APDU, when the next short one fails
 * too), NID_E_INVALID_ARG. A refusal is a finding, not an error.
 */
int nid_probe_run(nid_card_t *card, unsigned flags, struct nid_probe *p)
    NID_WUR;
void nid_probe_clear(struct nid_probe *p);

/*
 * Parse EF.ATR/INFO (a string of BER-TLV DOs, ISO/IEC 7816-4 §8.2.1.1)
 * for DO '7F66' (§12.7.1): *max_cmd and *max_rsp get its two INTEGERs
 * (read unsigned, leading 00 skipped, at most 3 significant bytes), -1
 * when the DO is absent. Bytes 00 / FF between DOs are padding. A
 * malformed file or DO → NID_E_MALFORMED / NID_E_TRUNCATED /
 * NID_E_BAD_TLV (outputs -1).
 */
int nid_probe_parse_atr_info(const uint8_t *p, size_t len, long *max_cmd,
    long *max_rsp) NID_WUR;

/* "works", "refused by the card", "failed in the reader", "not tried". */
const char *nid_probe_ext_str(enum nid_probe_ext e);
/* "default", "cut", "seen", "whole file", "declared". */
const char *nid_probe_le_basis_str(enum nid_probe_le_basis b);

#endif /* NID_PROBE_H */
