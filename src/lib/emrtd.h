/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * emrtd.h — reading an eMRTD (ICAO 9303-10, 9303-11): access control
 * (PACE or BAC), then EF.COM, EF.SOD and the data groups asked for, with
 * a transcript of what was done. Used by `nidcard dump` and the status
 * engine (status.h).
 *
 *   1. caps: the probe's (probe.h, nid_emrtd_opts.probe) when given, else
 *      the ATR's (atr.h nid_atr_caps): extended length, the largest Ne
 *   2. EF.CardAccess: the probe's copy, else READ BINARY, SFI 1C, from
 *      the MF (absent: no PACE)
 *   3. PACE (when EF.CardAccess offers a PACEInfo we support) then
 *      SELECT eMRTD application under SM (ICAO 9303-11 §4.4, 9303-10 §3.6),
 *      or SELECT eMRTD application then BAC (9303-11 §4.3)
 *   4. the reading plan: EF.COM (SFI 1E), EF.SOD (SFI 1D), then of the
 *      data groups EF.COM lists those nid_emrtd_opts.dgs asks for. The
 *      default (0) is what verification needs: DG1 (the MRZ: document
 *      number, expiry), DG14 (Chip Authentication) and DG15 (Active
 *      Authentication) — not DG2, the photo, unless asked
 *      (NID_EMRTD_DG(2)). NID_EMRTD_DGS_ALL reads everything EF.COM
 *      lists (`nidcard dump`, the evidence dump); DG3 and DG4 then come
 *      last: they need Terminal Authentication (EAC, 9303-11 §7.1), and
 *      a 6982 there is recorded, not an error.
 *   Each file is selected once, by the SFI of its first READ BINARY; no
 *   SELECT by FID, no read repeated unless the card refused its length.
 *
 * Reading strategy of one file (nid_emrtd_read_ef, ICAO 9303-10,
 * ISO/IEC 7816-4 §11.3.3):
 *  - READ BINARY with the short EF identifier in P1 (no separate SELECT),
 *    offset 0, Ne the whole ceiling (below): small files (EF.COM, DG1,
 *    DG14, DG15) come in one APDU, and with extended length any file up
 *    to NID_EMRTD_EXT_CHUNK bytes does. The file's length comes from the
 *    header in that answer (nid_lds_file_size / nid_tlv_total_len) and is
 *    checked against the cap before the file's buffer is allocated (the
 *    answer itself is bounded by the protocol: 64 KiB);
 *  - the rest with READ BINARY B0 (the file is now the current EF, offset
 *    in P1-P2) while the offset is ≤ 32767, with odd-INS B1 (offset in DO
 *    '54', data in DO '53') above it;
 *  - each APDU asks for exactly what is left, up to a ceiling: with
 *    extended length (caps.extended) one APDU for the whole rest (up to
 *    NID_EMRTD_EXT_CHUNK, and within caps.max_ne), otherwise the largest
 *    short Le that fits caps.max_ne (≤ 256). Under secure messaging the
 *    ceiling is the largest plain Le whose protected answer (ICAO 9303-11
 *    §9.8.6: DO'87', DO'99', DO'8E') still fits the limit: 231 (3DES) and
 *    223 (AES) in 256 bytes; 191 (AES) for a card that serves 223;
 *  - a read refused with 6700, an absurd 6Cxx (NID_E_CARD_PROTOCOL from
 *    card.c), or answered short with 9000 lowers the ceiling: extended
 *    off, then 256 → 224 → 192 → 160 → 128 (an answer cut at n bytes
 *    sets the ceiling to the ladder step ≤ n at once). The ceiling is
 *    kept for the next files. Under SM this relies on the card answering
 *    the refusal within the session (ICAO 9303-11 §9.8.6.1: only SM
 *    errors end it); a card that cuts a protected answer breaks the MAC
 *    and the session (NID_E_SM_FORMAT / NID_E_SM_MAC), which is why the
 *    SM ceiling is computed up front from the probed limit.
 *
 * Secrets: the CAN or MRZ_information live in struct nid_emrtd_creds,
 * cleansed by nid_emrtd_creds_clear(); session keys live in the SM
 * transport and are cleansed when it closes. Nothing secret is logged,
 * put into the transcript, or into an error detail.
 */
#ifndef NID_EMRTD_H
#define NID_EMRTD_H

#include <stddef.h>
#include <stdint.h>

#include "nid_internal.h"
#include "bac.h"
#include "card.h"
#include "mrz.h"
#include "pace.h"
#include "probe.h"

/* The LDS1 eMRTD application identifier (ICAO 9303-10 §3.6.2). */
#define NID_EMRTD_AID "\xA0\x00\x00\x02\x47\x10\x01"
#define NID_EMRTD_AID_LEN 7u

/* Short EF identifiers (ICAO 9303-10, LDS1 file table). */
#define NID_EMRTD_SFI_CARDACCESS 0x1Cu
#define NID_EMRTD_SFI_SOD 0x1Du
#define NID_EMRTD_SFI_COM 0x1Eu

/* Largest file read (EF.SOD, and any file without an LDS cap). */
#define NID_EMRTD_FILE_MAX (1024u * 1024u)
/* Largest Ne of one extended READ BINARY: 0xFF00, so that a protected
 * answer (padding, DO'87', DO'99', DO'8E') still fits in 65536 bytes. */
#define NID_EMRTD_EXT_CHUNK 0xFF00u
/* Largest offset READ BINARY B0 can name (P1 b8 = 0: 15 bits). */
#define NID_EMRTD_B0_OFFSET_MAX 0x7FFFu

enum nid_emrtd_access {
	NID_EMRTD_ACCESS_AUTO = 0,  /* PACE when offered, else BAC */
	NID_EMRTD_ACCESS_PACE,
	NID_EMRTD_ACCESS_BAC
};

/* The access secret: a CAN (digits) or MRZ_information (mrz.h). */
struct nid_emrtd_creds {
	enum nid_pace_pw type;        /* NID_PACE_PW_CAN or NID_PACE_PW_MRZ */
	char secret[NID_MRZ_INFO_MAX]; /* NUL-terminated */
	size_t len;
};
/* CAN: 1..(NID_MRZ_INFO_MAX-1) decimal digits (ICAO CANs have 6; the CLI
 * checks that). MRZ: MRZ_information as built by nid_mrz_bac_info*. */
int nid_emrtd_creds_can(struct nid_emrtd_creds *c, const char *can) NID_WUR;
int nid_emrtd_creds_mrz(struct nid_emrtd_creds *c, const char *mrz_info) NID_WUR;
void nid_emrtd_creds_clear(struct nid_emrtd_creds *c);

/* ---- reading strategy ------------------------------------------------- */

struct nid_emrtd_rd {
	nid_transport_t *wire;  /* borrowed: the APDUs counted are its own */
	int extended;           /* extended READ BINARY allowed */
	size_t le;              /* short Le ceiling, 1..256 */
	size_t ext_max;         /* extended Ne ceiling */
	unsigned long fallbacks; /* times the ceiling was lowered */
};

/*
 * Start from the card's caps. sm_block: 0 without secure messaging, else
 * the SM cipher's block size (8 3DES, 16 AES): the short ceiling is then
 * the largest Le whose protected response fits in 256 bytes.
 * wire: the transport whose APDU counter the transcript uses (the raw
 * one under SM), NULL for card->t.
 */
void nid_emrtd_rd_init(struct nid_emrtd_rd *rd, const nid_card_t *card,
    nid_transport_t *wire, size_t sm_block);

/* Largest plain Le whose protected short response fits 256 bytes. */
size_t nid_emrtd_sm_short_le(size_t block);
/*
 * Largest plain Ne whose protected response (block: the SM cipher's
 * block size; 0 no SM) holds at most limit bytes of response data
 * (1..65536); at least 1.
 */
size_t nid_emrtd_sm_le(size_t block, size_t limit);

/*
 * Read the EF with short identifier sfi (1..30) of the current DF whole.
 * dg ≥ 0: an LDS file (0 EF.COM, 1..16 DGn): nid_lds_file_size checks
 * its tag and cap. dg < 0: any BER-TLV file, capped at max. *out gets
 * the bytes (caller frees), exactly the TLV the header announces.
 * *sw (may be NULL) gets the last status word: a refusal (6982, 6A82, …)
 * is returned as nid_sw_to_rc(*sw) with *sw set, so the caller can tell
 * "not readable" from a broken card. *apdus (may be NULL) gets the
 * number of APDUs on the wire for this file.
 */
int nid_emrtd_read_ef(nid_card_t *card, struct nid_emrtd_rd *rd,
    uint8_t sfi, int dg, size_t max, uint8_t **out, size_t *out_len,
    uint16_t *sw, unsigned long *apdus) NID_WUR;

/* ---- the whole flow --------------------------------------------------- */

enum nid_emrtd_fstate {
	NID_EMRTD_F_READ = 1,     /* read whole */
	NID_EMRTD_F_NEEDS_TA,     /* DG3/DG4: 6982, needs Terminal Auth. */
	NID_EMRTD_F_DENIED,       /* another file answered 6982 */
	NID_EMRTD_F_NOT_FOUND     /* listed in EF.COM, but 6A82 */
};

#define NID_EMRTD_FILES_MAX 19u  /* CardAccess, COM, SOD, DG1..DG16 */

struct nid_emrtd_file {
	char name[16];        /* "EF.CardAccess", "EF.COM", "EF.SOD", "DG1".. */
	int dg;               /* -1 CardAccess/SOD, 0 COM, 1..16 */
	uint8_t sfi;
	uint16_t fid;
	enum nid_emrtd_fstate state;
	uint8_t *data;        /* owned; NULL unless state READ */
	size_t len;
	unsigned long apdus;
	uint16_t sw;          /* final status word */
	unsigned long ms;
};

struct nid_emrtd_result {
	char protocol[8];       /* "PACE" or "BAC" */
	char password[4];       /* "CAN" or "MRZ" */
	char mapping[8];        /* PACE: "GM"; BAC: "" */
	char oid[64];           /* PACE protocol OID name ("id-PACE-…") */
	long param_id;          /* PACE parameterId, -1 BAC */
	char cipher[16];        /* SM cipher: "3DES", "AES-128", … */
	int card_access;        /* EF.CardAccess present */
	char note[160];         /* why this protocol (e.g. "no EF.CardAccess") */
	struct nid_emrtd_file files[NID_EMRTD_FILES_MAX];
	size_t nfiles;
	int extended;           /* extended length used at the end */
	size_t le;              /* short Le ceiling at the end */
	unsigned long apdus;    /* on the wire, in total (the probe's too) */
	unsigned long ms_access, ms_auth, ms_read, ms_total; /* (ditto) */
};

struct nid_emrtd_result;
typedef int nid_emrtd_session_fn(nid_card_t *sc, nid_transport_t *smt,
    struct nid_emrtd_result *res, void *arg);

/* Data groups to read (nid_emrtd_opts.dgs), when EF.COM lists them. */
#define NID_EMRTD_DG(n) (1ul << (n))
#define NID_EMRTD_DGS_VERIFY \
	(NID_EMRTD_DG(1) | NID_EMRTD_DG(14) | NID_EMRTD_DG(15))
#define NID_EMRTD_DGS_ALL 0x1FFFEul   /* DG1..DG16 */

struct nid_emrtd_opts {
	enum nid_emrtd_access access;
	int keep_caps;               /* 1: leave card->caps as given (tests) */
	/*
	 * The probe of this card in this reader (probe.h nid_probe_run with
	 * NID_PROBE_SESSION, on the same card just before): its caps replace
	 * the ATR's, and its copy of EF.CardAccess is used instead of
	 * reading the file again. Borrowed; NULL: caps from the ATR.
	 */
	const struct nid_probe *probe;
	/*
	 * Data groups to read: NID_EMRTD_DG(n) bits, each read when EF.COM
	 * lists it. 0: NID_EMRTD_DGS_VERIFY (DG1, DG14, DG15); add
	 * NID_EMRTD_DG(2) for the photo; NID_EMRTD_DGS_ALL: all EF.COM
	 * lists. EF.COM and EF.SOD are always read.
	 */
	unsigned long dgs;
	const struct nid_bac_fixed *bac_fixed; /* tests; NULL: random */
	nid_pace_sk_fn *pace_sk_fn;  /* tests; NULL: random */
	void *pace_sk_arg;
	/*
	 * Called once every file is read, while the secure messaging session
	 * is still open: sc is the card over SM, smt the SM transport (to
	 * restart SM with new keys, Chip Authentication). An error it returns
	 * ends the read with that error. NULL: nothing.
	 */
	nid_emrtd_session_fn *session_fn;
	void *session_arg;
};

/*
 * Run the whole flow on card (over the raw transport; the function puts
 * its own SM transport on top and removes it before returning). res is
 * cleared on entry; on failure it holds what was done so far (no file
 * data: every file read is freed), for the error report.
 * Errors: wrong CAN/MRZ → NID_E_ACCESS_DENIED (never retried); no eMRTD
 * application → NID_E_UNSUPPORTED_CARD (detail: the ATR and the SW of the
 * SELECT); PACE forced without EF.CardAccess, or a CAN on a BAC-only
 * chip → NID_E_UNSUPPORTED_CARD; transport errors as they come.
 */
int nid_emrtd_read(nid_card_t *card, const struct nid_emrtd_creds *creds,
    const struct nid_emrtd_opts *opts, struct nid_emrtd_result *res) NID_WUR;
/* Free the file data (cleansed: DGs hold personal data). */
void nid_emrtd_result_clear(struct nid_emrtd_result *res);
/* "read", "needs terminal authentication", "access denied", "not found". */
const char *nid_emrtd_fstate_str(enum nid_emrtd_fstate st);

#endif /* NID_EMRTD_H */
