/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sim.h — the virtual card engine (libnidsim): card images, the
 * ISO/IEC 7816-4 command processor, fault switches, the state file and the
 * in-process transport. Used by nidcard-sim(1), the tests and, later, the
 * ICAO protocol module, which plugs in through two hooks:
 *
 *  - application handlers (nid_sim_add_handler): a function per INS that
 *    runs before the built-in commands (BAC/PACE: GET CHALLENGE, MUTUAL
 *    AUTHENTICATE, MSE:SET AT, GENERAL AUTHENTICATE, INTERNAL AUTHENTICATE);
 *  - secure messaging (nid_sim_set_sm): unwrap the protected command before
 *    dispatch, wrap the response after it.
 *
 *          command bytes
 *               |
 *     decode (nid_apdu_decode) --- malformed: 6700
 *               |
 *     CLA with SM bits? -- yes --> sm.unwrap --> plain command (cmd.sm = 1)
 *               |
 *     handlers[INS] ... built-in 7816-4 commands ... 6D00
 *               |
 *     cmd.sm? -- yes --> sm.wrap
 *               |
 *     faults (max Le, T=0 61xx/6Cxx, malformed responses) --> response bytes
 *
 * Card images are described in docs/card-image.md.
 */
#ifndef NID_SIM_H
#define NID_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "nid_internal.h"

/* The largest data field one response carries: what vpcd's 16-bit frame
 * holds besides SW1 SW2 (65535 − 2). */
#define NID_SIM_RSP_DATA_MAX 65533u
/* The largest EF content an image may hold. */
#define NID_SIM_EF_MAX (1024u * 1024u)
/* Files, PINs and data objects per image. */
#define NID_SIM_FILES_MAX 256u
#define NID_SIM_PINS_MAX 16u
#define NID_SIM_DOS_MAX 32u
#define NID_SIM_HANDLERS_MAX 32u

/* Status words the engine answers (ISO/IEC 7816-4 §5.6). */
#define NID_SW_OK             0x9000u
#define NID_SW_EOF            0x6282u  /* end of file before Ne bytes */
#define NID_SW_DEACTIVATED    0x6283u  /* selected file deactivated */
#define NID_SW_TERMINATED     0x6285u  /* selected file in termination state */
#define NID_SW_WRONG_LENGTH   0x6700u
#define NID_SW_NO_CHANNEL     0x6881u  /* logical channel not supported */
#define NID_SW_NO_SM          0x6882u  /* secure messaging not supported */
#define NID_SW_NO_CHAINING    0x6884u  /* command chaining not supported */
#define NID_SW_INCOMPATIBLE   0x6981u  /* incompatible with file structure */
#define NID_SW_SECURITY       0x6982u
#define NID_SW_BLOCKED        0x6983u
#define NID_SW_REF_UNUSABLE   0x6984u  /* reference data not usable */
#define NID_SW_CONDITIONS     0x6985u
#define NID_SW_NO_CURRENT_EF  0x6986u
#define NID_SW_WRONG_DATA     0x6A80u
#define NID_SW_NOT_FOUND      0x6A82u
#define NID_SW_WRONG_P1P2     0x6A86u
#define NID_SW_LC_P1P2        0x6A87u  /* Nc inconsistent with P1-P2 */
#define NID_SW_REF_NOT_FOUND  0x6A88u  /* referenced data not found */
#define NID_SW_WRONG_OFFSET   0x6B00u
#define NID_SW_INS            0x6D00u
#define NID_SW_CLA            0x6E00u

/* ---- access conditions ------------------------------------------------ */
/*
 * An access condition is a set of requirements that must all hold. The
 * names in card.json map to these bits (sim_image.c, nid_sim_ac_names);
 * a protocol module adds a bit and a name there, and sets the bit in
 * card->sec when its protocol has run.
 */
#define NID_SIM_AC_NEVER 0x01u  /* "never" */
#define NID_SIM_AC_PIN   0x02u  /* "pin:REF": PIN REF verified */
#define NID_SIM_AC_SM    0x04u  /* "sm": command came under secure messaging */

typedef struct nid_sim_ac {
	unsigned need;    /* NID_SIM_AC_* bits; 0 = always */
	uint8_t pin_ref;  /* with NID_SIM_AC_PIN */
} nid_sim_ac;

/* ---- the image --------------------------------------------------------- */

enum nid_sim_ftype { NID_SIM_MF = 1, NID_SIM_DF, NID_SIM_EF };

/* ISO/IEC 7816-9 §5.3.3.2 life cycle status byte (FCP tag 8A). */
#define NID_SIM_LCS_CREATION       0x01u
#define NID_SIM_LCS_INITIALISATION 0x03u
#define NID_SIM_LCS_ACTIVATED      0x05u
#define NID_SIM_LCS_DEACTIVATED    0x04u
#define NID_SIM_LCS_TERMINATED     0x0Cu

typedef struct nid_sim_file {
	enum nid_sim_ftype type;
	uint16_t fid;
	uint8_t sfi;          /* 1..30, 0 = none */
	uint8_t aid[16];      /* DF name, for DFs that are applications */
	size_t aid_len;
	uint8_t lcs;
	nid_sim_ac read;
	int parent;           /* index into card->files, -1 for the MF */
	uint8_t *data;        /* EF content */
	size_t len;
	char *name;           /* for people, may be NULL */
	char *content;        /* the content file, relative to the image */
} nid_sim_file;

enum nid_sim_pin_state {
	NID_SIM_PIN_ACTIVATED = 1,
	NID_SIM_PIN_NOT_ACTIVATED,   /* transport PIN: must be changed first */
	NID_SIM_PIN_BLOCKED
};

typedef struct nid_sim_pin {
	uint8_t ref;          /* P2 of VERIFY */
	char *name;
	uint8_t value[64];    /* secret: cleansed on free */
	size_t value_len;
	unsigned tries, max_tries;
	enum nid_sim_pin_state state;
	int verified;
} nid_sim_pin;

typedef struct nid_sim_do {
	uint16_t tag;         /* P1-P2 of GET DATA */
	uint8_t *value;
	size_t len;
} nid_sim_do;

/* Fault switches (docs/card-image.md, "faults"). */
typedef struct nid_sim_faults {
	int t0;               /* T=0 style: 61xx + GET RESPONSE, 6Cxx */
	int no_extended;      /* extended APDUs answered 6700 */
	size_t max_le;        /* 0 = none: longer answers are cut */
	unsigned slow_ms;     /* delay before each answer */
	unsigned long mute_at;   /* 0 = never: from APDU n on, no answer */
	unsigned long remove_at; /* 0 = never: at APDU n the card is removed */
	int truncate;         /* answers with data lose their second half */
	int bad_tlv_length;   /* first TLV of an answer claims 16 bytes more */
	int garbage_tlv;      /* TLV answers replaced by FF bytes */
	int oversized;        /* answers carry 32 bytes more than Ne */
	/* hostile card (sim_hostile.c, docs/card-image.md "faults") */
	unsigned long wrong_sw_at;   /* APDU n: an undefined 6Fxx, unprocessed */
	unsigned long loop61_at;     /* from APDU n on: 61xx forever */
	unsigned long bad6c_at;      /* from APDU n on: 6Cxx, nonsense lengths */
	unsigned long short_rsp_at;  /* APDU n: a one-byte answer */
	/* file-content faults: the SFI of the EF (31: every EF with an SFI),
	 * applied once, before the first APDU */
	unsigned huge_length;        /* outer TLV announces 16 MiB */
	unsigned past_end;           /* outer TLV announces 200 bytes more */
	unsigned inner_overrun;      /* first inner TLV overruns its parent */
	unsigned deep_tlv;           /* value: TLVs nested 1000 deep */
	int files_done;              /* the file faults were applied */
} nid_sim_faults;

typedef struct nid_sim_caps {
	int extended_length;
	size_t max_le;        /* largest Ne the card serves in one answer */
	size_t max_lc;        /* largest Nc it accepts */
} nid_sim_caps;

/* ---- the card ---------------------------------------------------------- */

typedef struct nid_sim_card nid_sim_card;
struct nid_sim_icao;

/* One command as handlers see it. */
typedef struct nid_sim_cmd {
	nid_apdu apdu;        /* data borrowed from the engine */
	int extended;
	int sm;               /* arrived under secure messaging (unwrapped) */
} nid_sim_cmd;

/* A response being built: data and SW. */
#define NID_SIM_RSP_TLV 0x01u /* data starts with a BER-TLV (for faults) */
typedef struct nid_sim_rsp {
	nid_buf data;
	uint16_t sw;
	unsigned flags;
} nid_sim_rsp;

/*
 * An application handler. Return NID_OK with rsp->sw set when the command
 * was handled, NID_SIM_DECLINE to pass it on to the next handler or the
 * built-in command, another nid_rc on an internal failure (answered 6F00).
 */
#define NID_SIM_DECLINE 1
typedef int nid_sim_handler_fn(nid_sim_card *card, void *arg,
    const nid_sim_cmd *cmd, nid_sim_rsp *rsp);

/*
 * Secure messaging hook. unwrap: a command whose CLA has the SM bits into
 * a plain command (plain->data must point into *storage, which the engine
 * keeps for the duration of the command); NID_OK or *sw_err set (6987,
 * 6988, …) and NID_SIM_DECLINE. wrap: protect rsp in place. reset: the
 * session ends (card reset, power off, removal).
 */
struct nid_sim_sm_ops {
	int (*unwrap)(nid_sim_card *card, void *arg, const nid_sim_cmd *in,
	    nid_sim_cmd *plain, nid_buf *storage, uint16_t *sw_err);
	int (*wrap)(nid_sim_card *card, void *arg, const nid_sim_cmd *plain,
	    nid_sim_rsp *rsp);
	void (*reset)(nid_sim_card *card, void *arg);
};

struct nid_sim_handler {
	uint8_t ins;
	nid_sim_handler_fn *fn;
	void *arg;
};

struct nid_sim_card {
	/* image (nid_sim_card_load) */
	char *dir;
	uint8_t atr[33];
	size_t atr_len;
	uint8_t lcs;
	nid_sim_caps caps;
	nid_sim_faults faults;
	nid_sim_file files[NID_SIM_FILES_MAX]; /* pre-order: files[0] is the MF */
	size_t nfiles;
	nid_sim_pin pins[NID_SIM_PINS_MAX];
	size_t npins;
	nid_sim_do dos[NID_SIM_DOS_MAX];
	size_t ndos;

	/* hooks */
	struct nid_sim_handler handlers[NID_SIM_HANDLERS_MAX];
	size_t nhandlers;
	const struct nid_sim_sm_ops *sm;
	void *sm_arg;
	struct nid_sim_icao *icao;  /* eMRTD application (sim_icao.c), or NULL */

	/* run options */
	unsigned delay_ms;
	char *state_path;
	int seeded;
	uint64_t rng;

	/* volatile state (cleared by reset) */
	int cur_df;           /* index of the current DF */
	int cur_ef;           /* index of the current EF, -1 for none */
	unsigned sec;         /* NID_SIM_AC_* bits protocol modules have set */
	uint8_t challenge[256];
	size_t challenge_len;
	nid_buf pending;      /* T=0: data GET RESPONSE still has to return */
	uint16_t pending_sw;
	unsigned pending_flags;
	int removed;

	/* counters (the state file) */
	unsigned long apdus;
	unsigned long ins_count[256];
	unsigned long resets;
};

/* What nid_sim_process asks the front end to do. */
enum nid_sim_action {
	NID_SIM_ANSWER = 1,   /* send rsp */
	NID_SIM_SILENT,       /* mute: send nothing, ever */
	NID_SIM_REMOVE        /* card removed: close the connection */
};

/*
 * Load and validate the image in directory dir (dir/card.json). On an
 * invalid image: NID_E_MALFORMED (or NID_E_IO, NID_E_TOO_LARGE) and a
 * precise message in the context detail ("card.json: files[2].sfi: ...").
 */
int nid_sim_card_load(nid_ctx_t *ctx, const char *dir, nid_sim_card **out) NID_WUR;
void nid_sim_card_free(nid_sim_card **cardp);

/*
 * Apply a fault switch "NAME" or "NAME=VALUE" (the names of the image's
 * "faults" object, docs/card-image.md). NID_E_INVALID_ARG and a detail on
 * an unknown name or a bad value.
 */
int nid_sim_card_set_fault(nid_ctx_t *ctx, nid_sim_card *card,
    const char *spec) NID_WUR;
/* Deterministic GET CHALLENGE bytes for tests (default: OpenSSL RAND). */
void nid_sim_card_set_seed(nid_sim_card *card, uint64_t seed);
void nid_sim_card_set_delay_ms(nid_sim_card *card, unsigned ms);
/* Write the state file (JSON, atomically) after every APDU; NULL: off. */
int nid_sim_card_set_state_file(nid_sim_card *card, const char *path) NID_WUR;
/* Write it now (also done after every APDU when set). */
int nid_sim_card_write_state(const nid_sim_card *card);

/* Install an application handler for INS (tried in the order added). */
int nid_sim_add_handler(nid_sim_card *card, uint8_t ins,
    nid_sim_handler_fn *fn, void *arg) NID_WUR;
void nid_sim_set_sm(nid_sim_card *card, const struct nid_sim_sm_ops *ops,
    void *arg);

/* Power on or warm reset: MF selected, security state cleared. */
void nid_sim_reset(nid_sim_card *card);
/* Mark removed (the connection closed). */
void nid_sim_remove(nid_sim_card *card);

/*
 * Process one command APDU. rsp has capacity *rsp_len on entry (at least
 * NID_SIM_RSP_DATA_MAX + 2 + 64 to hold every answer, faults included).
 * *action tells the front end what to do; *rsp_len is set for
 * NID_SIM_ANSWER. Returns NID_OK, or NID_E_TOO_LARGE if rsp is too small.
 */
int nid_sim_process(nid_sim_card *card, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len, enum nid_sim_action *action) NID_WUR;

/* Names for the state file and `nidcard-sim check`. */
const char *nid_sim_lcs_name(uint8_t lcs);
const char *nid_sim_pin_state_name(enum nid_sim_pin_state st);
/* Access condition as text ("always", "pin:81", "sm+pin:81") into buf. */
void nid_sim_ac_format(const nid_sim_ac *ac, char *buf, size_t len);

/* Helpers for handlers and protocol modules. */
int nid_sim_file_find(const nid_sim_card *card, int df, uint16_t fid);
int nid_sim_random(nid_sim_card *card, uint8_t *p, size_t n) NID_WUR;

/* ---- in-process transport (sim_transport.c) -------------------------- */
/*
 * A transport over the engine in this process: no sockets, the same
 * command processing as nidcard-sim run. The card stays the caller's: it
 * must outlive the transport. Mute answers NID_E_TIMEOUT, a removed card
 * NID_E_CARD_REMOVED.
 */
int nid_sim_transport_open(nid_ctx_t *ctx, nid_sim_card *card,
    nid_transport_t **out) NID_WUR;

#endif /* NID_SIM_H */
