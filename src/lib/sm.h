/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sm.h — ICAO 9303-11 §9.8 secure messaging (ISO/IEC 7816-4 §10), as pure
 * wrap/unwrap functions on bytes (both sides: terminal and card) and as a
 * transport that wraps another one.
 *
 * Command (terminal → card), ICAO 9303-11 §9.8.4–9.8.5:
 *
 *   plain:      CLA INS P1 P2 [Lc data] [Le]
 *   SSC := SSC + 1
 *   header:     CLA|0x0C INS P1 P2, padded 80 00.. to the block size
 *   DO'87':     87 L 01 ‖ E(KS_enc, pad(data))     even INS (01 = padding
 *   DO'85':     85 L E(KS_enc, pad(data))          odd INS   indicator)
 *   DO'97':     97 01 Le (short) | 97 02 Le Le (extended, 65536 → 0000)
 *   DO'8E':     8E 08 MAC(KS_mac, pad(SSC ‖ pad(header) ‖ DO'87'|'85' ‖ DO'97'))
 *   protected:  CLA|0x0C INS P1 P2 Lc' [DO'87'|'85'] [DO'97'] DO'8E' Le'
 *               (Le' = 00, or 0000 when extended: the plain APDU was
 *               extended or the protected data exceeds 255 bytes)
 *
 * Response (card → terminal), §9.8.6:
 *
 *   protected:  [DO'87'|'85'] DO'99' DO'8E' SW1 SW2
 *   SSC := SSC + 1
 *   DO'99':     99 02 SW1 SW2 (mandatory; the authenticated status word)
 *   DO'8E':     8E 08 MAC(KS_mac, pad(SSC ‖ DO'87'|'85' ‖ DO'99'))
 *   plain:      D(KS_enc, cryptogram) with its 80 00.. padding removed ‖
 *               SW of DO'99'
 *
 * Ciphers: BAC (§9.8.6.1 / §9.7.4) 3DES-CBC with IV 0, 8-byte SSC,
 * ISO/IEC 9797-1 MAC algorithm 3 (retail MAC, DES, padding method 2).
 * PACE/CA with AES (§9.8.6.2, TR-03110-3 §F): AES-CBC with
 * IV = E(KS_enc, SSC), 16-byte SSC, AES-CMAC truncated to 8 bytes over
 * the padded input. Padding is ISO/IEC 9797-1 method 2 everywhere.
 *
 * Strictness on responses: the order 87|85, 99, 8E and nothing else; no
 * DO twice; DO'99' exactly 2 bytes, DO'8E' exactly 8; the MAC is checked
 * (constant time) before anything is decrypted; DO'87' must start with
 * padding indicator 01 and hold whole blocks; the plaintext must end in
 * 80 00... Violations: NID_E_SM_FORMAT; a bad MAC: NID_E_SM_MAC. The one
 * exception: a response of only an error status word (not 9000, 61xx,
 * 62xx or 63xx) is returned as it is, with no data — cards answer errors
 * unprotected and end the session (ICAO 9303-11 §9.8.6, ISO/IEC 7816-4
 * §10.2); it cannot carry forged data. The SSC counts it all the same.
 *
 * Every wrap and unwrap increments the SSC first; at its end (all FF)
 * the session is exhausted: NID_E_SM_STATE. After a MAC or format
 * failure of an unwrap (either side), and after a reset through the
 * transport, the session is broken: every further call fails with
 * NID_E_SM_STATE (the card drops its keys then too, 9303-11 §9.8.6).
 * The outer status word of a protected response is not used: DO'99' is
 * the authenticated one. The outer Le of a protected command is not
 * protected (nor needed: DO'97' carries Ne).
 */
#ifndef NID_SM_H
#define NID_SM_H

#include <stddef.h>
#include <stdint.h>

#include "nid_internal.h"

enum nid_sm_cipher {
	NID_SM_3DES = 1,  /* BAC: 16-byte 2-key 3DES keys, 8-byte SSC */
	NID_SM_AES        /* PACE, CA: 16/24/32-byte AES keys, 16-byte SSC */
};

/* Largest plain data wrapped or unwrapped (extended length). */
#define NID_SM_DATA_MAX 65536u

typedef struct nid_sm nid_sm_t;

/*
 * New session. ks_enc and ks_mac have the same length (16 for 3DES;
 * 16, 24 or 32 for AES); ssc is 8 (3DES) or 16 (AES) bytes (BAC: from
 * nid_bac_*; PACE: zero). The keys and the SSC are copied into storage
 * that nid_sm_free() cleanses.
 */
int nid_sm_new(enum nid_sm_cipher cipher, const uint8_t *ks_enc,
    const uint8_t *ks_mac, size_t key_len, const uint8_t *ssc,
    size_t ssc_len, nid_sm_t **out) NID_WUR;
void nid_sm_free(nid_sm_t **smp);
/* Current SSC (tests): copies block-size bytes into ssc, returns length. */
size_t nid_sm_ssc(const nid_sm_t *sm, uint8_t ssc[16]);

/*
 * Terminal side. wrap: protect the plain command a into out (the
 * protected APDU bytes, appended after reset). extended: the plain
 * APDU came in extended form (then the protected one is extended too).
 */
int nid_sm_wrap_cmd(nid_sm_t *sm, const nid_apdu *a, int extended,
    nid_buf *out) NID_WUR;
/* Unprotect the response rsp (data ‖ SW): plain data into data (reset
 * first; its cap bounds the size), the status word into *sw. */
int nid_sm_unwrap_rsp(nid_sm_t *sm, const uint8_t *rsp, size_t rsp_len,
    nid_buf *data, uint16_t *sw) NID_WUR;

/*
 * Card side (the virtual card). unwrap: check and decrypt the protected
 * command cmd; *a gets the plain command, whose data lives in storage
 * (reset first), *extended the form the command used. The command must
 * have CLA b4 b3 = 11 (0x0C) and the DOs in the order 87|85, 97, 8E
 * (NID_E_SM_FORMAT; bad MAC NID_E_SM_MAC). wrap: protect the response
 * data ‖ sw into out, with DO'87' (DO'85' when odd_ins) when data is not
 * empty.
 */
int nid_sm_unwrap_cmd(nid_sm_t *sm, const uint8_t *cmd, size_t cmd_len,
    nid_apdu *a, nid_buf *storage, int *extended) NID_WUR;
int nid_sm_wrap_rsp(nid_sm_t *sm, int odd_ins, const uint8_t *data,
    size_t data_len, uint16_t sw, nid_buf *out) NID_WUR;

/*
 * The wrapping transport: plain command APDU bytes in, plain response
 * out; inner is borrowed (it must outlive the SM transport and is not
 * closed by it); sm passes to the transport on success. A 61xx to a
 * protected command is collected with plain GET RESPONSE on inner
 * before unwrapping. Traces: the plaintext of each command and response
 * is logged under NID_LOG_CAT_SM, its data redacted unless the context
 * is in sensitive mode.
 */
int nid_sm_transport_new(nid_ctx_t *ctx, nid_transport_t *inner,
    nid_sm_t **smp, nid_transport_t **out) NID_WUR;
/*
 * Restart secure messaging on the transport with another session (Chip
 * Authentication, ICAO 9303-11 §6.2.3: SM restarts with the new session
 * keys, SSC 0 — the caller creates *new_sm that way): the old session is
 * freed (its keys cleansed) and *new_sm passes to the transport (set to
 * NULL). NID_E_INVALID_ARG when smt is not an SM transport.
 */
int nid_sm_transport_rekey(nid_transport_t *smt, nid_sm_t **new_sm) NID_WUR;

/*
 * Primitives shared with BAC and PACE.
 * 3DES-CBC (2-key, IV 0) over len bytes (a multiple of 8), enc 1/0.
 */
int nid_sm_des3_cbc(const uint8_t key[16], int enc, const uint8_t *in,
    size_t len, uint8_t *out) NID_WUR;
/* ISO/IEC 9797-1 MAC algorithm 3 with DES, padding method 2 applied here. */
int nid_sm_retail_mac(const uint8_t key[16], const uint8_t *in, size_t len,
    uint8_t mac[8]) NID_WUR;
/* AES-CMAC (NIST SP 800-38B) truncated to 8 bytes; no padding added
 * (PACE tokens use it as is; SM pads its input first). */
int nid_sm_aes_cmac8(const uint8_t *key, size_t key_len, const uint8_t *in,
    size_t len, uint8_t mac[8]) NID_WUR;

#endif /* NID_SM_H */
