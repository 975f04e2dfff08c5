/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * pcsc.h — the PC/SC transport (pcsc-lite). pcsc.c is the only file of
 * the project that includes <winscard.h>; nothing here needs it.
 *
 * The pcscd socket is chosen by libpcsclite itself from the environment
 * (PCSCLITE_CSOCK_NAME): the test rig sets it, this code never reads it.
 *
 * Errors: every PC/SC failure maps to a distinct nid_rc (nid_pcsc_map_error),
 * and the raw code is kept twice: in the context detail, as text
 * ("SCardConnect: Card is unpowered. (SCARD_W_UNPOWERED_CARD 0x80100067)"),
 * and as a number (nid_pcsc_last_code) for JSON's "pcsc" field.
 */
#ifndef NID_PCSC_H
#define NID_PCSC_H

#include <stddef.h>
#include <stdint.h>

#include "nid_internal.h"

/* Caps on what SCardListReaders may hand us. pcsc-lite has at most 16
 * readers (PCSCLITE_MAX_READERS_CONTEXTS) of at most 127 characters
 * (MAX_READERNAME 128 with the NUL); the caps leave room for other
 * implementations. */
#define NID_PCSC_READERS_MAX 64u
#define NID_PCSC_NAME_MAX 255u
#define NID_PCSC_LIST_BYTES_MAX (NID_PCSC_READERS_MAX * (NID_PCSC_NAME_MAX + 1u) + 1u)

#define NID_ATR_MAX 33u /* ISO/IEC 7816-3 §8.2.1 */

/* One reader as nid_pcsc_list() saw it (SCardGetStatusChange, timeout 0). */
typedef struct nid_reader_info {
	char *name;
	int present;     /* a card is in the reader (SCARD_STATE_PRESENT) */
	int in_use;      /* another application has it open (SCARD_STATE_INUSE) */
	int exclusive;   /* … exclusively (SCARD_STATE_EXCLUSIVE) */
	int mute;        /* the card does not answer to reset (SCARD_STATE_MUTE) */
	uint8_t atr[NID_ATR_MAX];
	size_t atr_len;  /* 0 without a card or for a mute card */
	unsigned long state; /* raw dwEventState */
} nid_reader_info;

/*
 * List the readers with their card state and ATR. *out is an array of *n
 * entries (free with nid_pcsc_list_free). No readers → NID_E_NO_READER;
 * no service → NID_E_NO_SERVICE. Never blocks.
 */
int nid_pcsc_list(nid_ctx_t *ctx, nid_reader_info **out, size_t *n) NID_WUR;
void nid_pcsc_list_free(nid_reader_info **list, size_t n);

/*
 * Pick a reader (pure): want is an exact name, else a substring that
 * matches exactly one reader. want NULL: the only reader holding a card.
 * No match → NID_E_NO_READER; no card anywhere (want NULL) →
 * NID_E_NO_CARD; several candidates → NID_E_INVALID_ARG with the
 * candidates in the detail. ctx may be NULL (no detail).
 */
int nid_pcsc_pick_reader(nid_ctx_t *ctx, const nid_reader_info *list,
    size_t n, const char *want, size_t *idx) NID_WUR;

/*
 * Open the card in the reader named exactly `reader`: shared mode, T=0 or
 * T=1, the matching SCARD_PCI. The transport's ops:
 *  - transmit: SCardTransmit with a NID_RSP_MAX buffer;
 *  - get_atr: SCardStatus;
 *  - begin/end: SCardBeginTransaction / SCardEndTransaction(LEAVE_CARD);
 *  - reset: SCardReconnect(SCARD_RESET_CARD). After it, and after PC/SC
 *    reported that someone else reset the card, every transmit fails with
 *    NID_E_CARD_RESET ("session lost"): nothing is silently redone.
 * A transmit that fails with SCARD_E_NOT_TRANSACTED (pcsc-lite's text:
 * "Transaction failed."; pcsc-lite has no SCARD_E_TRANSACTION_FAILED) is
 * NID_E_CARD_REMOVED when SCardStatus confirms the card is gone,
 * NID_E_CARD_RESET when it reports a reset, else NID_E_TRANSPORT.
 */
int nid_pcsc_open(nid_ctx_t *ctx, const char *reader, nid_transport_t **out)
    NID_WUR;

/*
 * Bound every transmit of t to ms milliseconds (0, the default: no
 * bound). SCardTransmit then runs on a thread of its own; when the card
 * does not answer in time (a mute card behind a driver that never gives
 * up, such as vpcd) the transmit fails with NID_E_TIMEOUT and the
 * transport is abandoned: every later operation fails with
 * NID_E_TIMEOUT, and closing it leaves the PC/SC handles to the process's
 * exit (pcsc-lite would block any call behind the stuck one).
 * NID_E_INVALID_ARG when t is not a PC/SC transport.
 */
int nid_pcsc_set_timeout(nid_transport_t *t, unsigned ms) NID_WUR;

/*
 * The protocol SCardConnect negotiated for the card (dwActiveProtocol):
 * 0 for T=0, 1 for T=1; -1 when t is not a PC/SC transport. vpcd
 * reports T=1 unless the ATR offers T=0 only (docs/rig.md).
 */
int nid_pcsc_protocol(const nid_transport_t *t);

/*
 * Wait up to timeout_ms (< 0: no limit; 0: just look) for a card in
 * `reader` (exact name or unique substring), or, reader NULL, in any
 * reader (readers plugged in while waiting count too). Event driven
 * (SCardGetStatusChange), no polling of the card. *reader_out (malloc'd)
 * gets the reader's name. A card already present counts; with reader
 * NULL and cards in several readers already → NID_E_INVALID_ARG.
 * Nothing within the time → NID_E_TIMEOUT.
 */
int nid_pcsc_wait_card(nid_ctx_t *ctx, const char *reader, int timeout_ms,
    char **reader_out) NID_WUR;

/*
 * Raw PC/SC code (a LONG) of the last PC/SC failure on ctx, 0 when the
 * last nid_pcsc_* call on it met none.
 */
long nid_pcsc_last_code(const nid_ctx_t *ctx);

/* ---- pure helpers, exposed for the tests ---------------------------- */

/*
 * Parse SCardListReaders' multi-string: len bytes (the length it
 * reported, final NUL included). Strict: every name non-empty, without
 * control characters, at most NID_PCSC_NAME_MAX bytes; the list ends
 * with an empty string (double NUL) exactly at the last byte; at most
 * NID_PCSC_READERS_MAX names. The single byte "\0" is the empty list.
 * *names gets n malloc'd strings (free with nid_pcsc_names_free).
 * NID_E_MALFORMED / NID_E_TOO_LARGE on violations.
 */
int nid_pcsc_parse_multistring(const char *ms, size_t len, char ***names,
    size_t *n) NID_WUR;
void nid_pcsc_names_free(char ***names, size_t n);

/* PC/SC code → nid_rc (SCARD_S_SUCCESS → NID_OK). */
int nid_pcsc_map_error(long code);
/* Symbolic name of a PC/SC code ("SCARD_E_NO_SERVICE"); never NULL. */
const char *nid_pcsc_code_name(long code);

#endif /* NID_PCSC_H */
