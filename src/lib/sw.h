/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sw.h — ISO/IEC 7816-4 §5.6 status words (tables 5 and 6): their meaning
 * for people and their mapping to nid_rc for code.
 */
#ifndef NID_SW_H
#define NID_SW_H

#include <stddef.h>
#include <stdint.h>

#define NID_SW_OK 0x9000u

/* Buffer size that always holds nid_sw_text()'s longest text. */
#define NID_SW_TEXT_MAX 96

/*
 * Human meaning of a status word, e.g. "61xx" → "normal processing: 16
 * bytes still available". Special cases (61xx, 6Cxx, 63Cx) are formatted
 * into buf (n bytes, NID_SW_TEXT_MAX always suffices); fixed texts are
 * returned as static strings. Never NULL; buf may be NULL when n is 0,
 * then the SW2-dependent cases give their generic text.
 */
const char *nid_sw_text(uint16_t sw, char *buf, size_t n);

/*
 * Map a status word to an nid_rc. Only 9000 maps to NID_OK. 63Cx →
 * NID_E_VERIFY_FAILED (x tries left: nid_sw_tries()), 6982 →
 * NID_E_SECURITY_STATUS, 6983 → NID_E_AUTH_BLOCKED, 6A82 →
 * NID_E_FILE_NOT_FOUND, … (the table in sw.c); every other status word →
 * NID_E_SW. 61xx and 6Cxx map to NID_E_SW and NID_E_WRONG_LENGTH: they
 * reach a caller only when nid_card_transmit() was bypassed (raw mode).
 * Warnings (62xx, 63xx) are not success either: the caller that expects
 * one (6282 at the end of a file) checks the raw SW itself.
 */
int nid_sw_to_rc(uint16_t sw);

/* 63Cx: the retry counter x (0..15); -1 for any other status word. */
int nid_sw_tries(uint16_t sw);

#endif /* NID_SW_H */
