/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * replay.h — a scripted transport for tests and fuzzing.
 *
 * A script is a list of steps. Each transmit consumes one step: the
 * command must equal the step's expected bytes (or the step accepts any
 * command), and the step answers with its response bytes (data ‖ SW1 SW2)
 * or fails with its error code. A command that differs from the script
 * fails with NID_E_INTERNAL and a detail naming the step; a transmit past
 * the last step fails with NID_E_CARD_REMOVED (the card is gone).
 * reset, begin and end succeed and are counted; get_atr gives the ATR
 * set with nid_replay_set_atr (none: NID_E_NO_CARD).
 */
#ifndef NID_REPLAY_H
#define NID_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "nid_internal.h"

/* Caps on a script: steps, and bytes of one command or response. */
#define NID_REPLAY_STEPS_MAX 100000u
#define NID_REPLAY_BYTES_MAX NID_RSP_MAX

/* An empty script. */
int nid_replay_new(nid_ctx_t *ctx, nid_transport_t **out) NID_WUR;

/*
 * Append a step (bytes are copied). cmd NULL: any command. rc NID_OK:
 * answer rsp (at least 2 bytes, unless the script means to send a
 * malformed answer: then any length up to NID_REPLAY_BYTES_MAX); rc
 * otherwise: fail the transmit with rc (rsp ignored).
 */
int nid_replay_add(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    const uint8_t *rsp, size_t rsp_len, int rc) NID_WUR;
/* Same with hex strings (nid_hex_decode syntax); cmd_hex NULL: any. */
int nid_replay_add_hex(nid_transport_t *t, const char *cmd_hex,
    const char *rsp_hex, int rc) NID_WUR;
int nid_replay_set_atr(nid_transport_t *t, const uint8_t *atr,
    size_t atr_len) NID_WUR;

/* Steps consumed so far, and steps in the script (0 if t is no replay). */
size_t nid_replay_pos(const nid_transport_t *t);
size_t nid_replay_len(const nid_transport_t *t);
/* Resets, begins and ends seen. */
unsigned long nid_replay_resets(const nid_transport_t *t);
unsigned long nid_replay_begins(const nid_transport_t *t);
unsigned long nid_replay_ends(const nid_transport_t *t);

#endif /* NID_REPLAY_H */
