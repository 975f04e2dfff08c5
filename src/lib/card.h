/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * card.h — card I/O above a transport: one transmit routine that speaks
 * ISO/IEC 7816-4 §5.1 (short and extended length, command chaining) and
 * §5.6 (61xx GET RESPONSE, 6Cxx Le correction), so the modules above it
 * (ICAO, PKI, PIN status) send logical APDUs and get the whole answer.
 *
 * Lifetime: nid_card_new() borrows the transport; the transport must stay
 * open until nid_card_free(). nid_card_free() does not close it. One card
 * handle per transport; like the context, a handle is used by one thread
 * at a time.
 *
 * Errors: status words are not errors. nid_card_transmit() returns
 * NID_OK whenever the card answered, with the status word in *sw: the
 * caller decides (nid_sw_to_rc() in sw.h). Only transport failures (the
 * transport's own nid_rc: card removed, reset, …) and protocol breaks by
 * the card (NID_E_CARD_PROTOCOL: endless 61xx, absurd 6Cxx, response
 * shorter than a status word) are returned as errors.
 */
#ifndef NID_CARD_H
#define NID_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "nid_internal.h"

/*
 * What the card and reader accept. The defaults (nid_card_new) are the
 * safe ones every card and reader supports: short APDUs (Nc ≤ 255,
 * Ne ≤ 256), command chaining allowed. A profile that read the card's
 * capabilities (EF.ATR/INFO, the historical bytes' card capabilities,
 * ISO/IEC 7816-4 §12.1.1.9) raises them.
 */
typedef struct nid_card_caps {
	int extended;   /* extended length: card and reader accept it */
	size_t max_nc;  /* largest Nc per command: 1..65535 (255 when short) */
	size_t max_ne;  /* largest Ne per command: 1..65536 (256 when short) */
	int chaining;   /* the card accepts command chaining (CLA b5) */
} nid_card_caps;

/* Bounds on a response assembled by GET RESPONSE (61xx). */
#define NID_CARD_GETRESP_MAX_ITER 300u     /* 65536 bytes at 256 per GET RESPONSE, and spare */
#define NID_CARD_RSP_DATA_MAX 65536u       /* the largest Ne of ISO/IEC 7816-4 */
#define NID_CARD_CHAIN_MAX_LINKS 257u      /* 65535 bytes at 255 per link, and spare */

typedef struct nid_card {
	nid_transport_t *t;      /* borrowed, see above */
	nid_card_caps caps;
	/*
	 * Status words of the last nid_card_transmit: sw_first is what the
	 * card answered to the command itself (e.g. 6110 or 6C08), sw_last
	 * the final one (after GET RESPONSE / the Le retry), also in *sw.
	 */
	uint16_t sw_first;
	uint16_t sw_last;
	/* Counters over the handle's life (benchmarks and tests). */
	unsigned long commands;       /* nid_card_transmit calls */
	unsigned long get_responses;  /* GET RESPONSE commands sent */
	unsigned long le_retries;     /* commands re-issued after 6Cxx */
	unsigned long chained;        /* chain links sent (CLA b5 set) */
	/* Response buffer, NID_RSP_MAX bytes, cleansed after every use. */
	uint8_t *rsp;
} nid_card_t;

/* Create a handle on transport t with the default capabilities. */
int nid_card_new(nid_transport_t *t, nid_card_t **out) NID_WUR;
/* Free the handle (not the transport); sets *cardp to NULL. Accepts NULL. */
void nid_card_free(nid_card_t **cardp);

/*
 * Send one logical command APDU and collect the whole response.
 *
 * Encoding (ISO/IEC 7816-4 §5.1): short when Nc ≤ 255 and Ne ≤ 256;
 * extended when the APDU needs it and caps.extended is set; otherwise,
 * when Nc exceeds what can be sent in one command, command chaining
 * (§5.1.1.1: CLA b5 set on every link but the last, Le on the last one
 * only); an intermediate link answered with anything but 9000 ends the
 * chain with that status word. Ne above caps.max_ne is lowered to it (the
 * card then answers with fewer bytes, or 61xx).
 *
 * Responses (§5.6): 61xx → GET RESPONSE (00 C0 00 00 xx) repeated until
 * another status word, within NID_CARD_GETRESP_MAX_ITER commands and
 * NID_CARD_RSP_DATA_MAX bytes (else NID_E_CARD_PROTOCOL); 6Cxx → the
 * command is re-issued once with Le = xx; a second 6Cxx, or a 6Cxx for a
 * command without Le or naming the Le just sent, is NID_E_CARD_PROTOCOL.
 *
 * rsp_data is reset on entry and gets the response data (without SW);
 * its cap bounds the data (NID_E_TOO_LARGE past it). *sw gets the final
 * status word (0 on error).
 */
int nid_card_transmit(nid_card_t *card, const nid_apdu *a, nid_buf *rsp_data,
    uint16_t *sw) NID_WUR;

/*
 * Send a command APDU given as bytes exactly as they are (the `nidcard
 * apdu` command: what the user typed), then handle 61xx and 6Cxx as
 * nid_card_transmit does (a 6Cxx re-issue keeps the form the bytes used,
 * short or extended). No chaining and no re-encoding of the first
 * command. Bytes that are not a valid command APDU → NID_E_MALFORMED.
 */
int nid_card_transmit_bytes(nid_card_t *card, const uint8_t *cmd,
    size_t cmd_len, nid_buf *rsp_data, uint16_t *sw) NID_WUR;

#endif /* NID_CARD_H */
