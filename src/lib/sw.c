/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * sw.c — status words, ISO/IEC 7816-4:2020 §5.6, tables 5 (SW1-SW2
 * classes) and 6 (the individual values). One table, searched in order:
 * the exact values and the special cases whose SW2 carries a number come
 * first, the SW1 classes ("6Axx") last.
 */
#include "config.h"

#include <stdio.h>

#include "nid_internal.h"
#include "sw.h"

/* How SW2 is shown in a formatted text. */
enum sw_fmt {
	SW_FIXED = 0,   /* text as is */
	SW_BYTES,       /* SW2 = byte count, 00 = 256 (61xx, 6Cxx) */
	SW_COUNTER      /* low nibble of SW2 = counter (63Cx) */
};

struct sw_entry {
	uint16_t value;
	uint16_t mask;
	int rc;
	enum sw_fmt fmt;
	const char *text;   /* the meaning; for SW_BYTES / SW_COUNTER generic */
	const char *prefix; /* SW_BYTES / SW_COUNTER: before the number */
	const char *suffix; /* … and after it */
};

#define X(v, rc, t)	{ (v), 0xffffu, (rc), SW_FIXED, (t), NULL, NULL }
static const struct sw_entry sw_table[] = {
	/* Table 6, normal processing. */
	X(0x9000, NID_OK, "normal processing"),
	{ 0x6100, 0xff00, NID_E_SW, SW_BYTES,
	    "normal processing: SW2 bytes still available",
	    "normal processing: ", " still available (GET RESPONSE)" },
	/* Warning, non-volatile memory unchanged (62xx). */
	X(0x6200, NID_E_SW, "warning: no information given (memory unchanged)"),
	X(0x6281, NID_E_SW, "warning: part of returned data may be corrupted"),
	X(0x6282, NID_E_SW, "warning: end of file or record reached before reading Ne bytes"),
	X(0x6283, NID_E_SW, "warning: selected file deactivated"),
	X(0x6284, NID_E_SW, "warning: file control information not formatted per ISO/IEC 7816-4 §7.4"),
	X(0x6285, NID_E_SW, "warning: selected file in termination state"),
	X(0x6286, NID_E_SW, "warning: no input data available from a sensor on the card"),
	X(0x6287, NID_E_SW, "warning: at least one referenced record is deactivated"),
	/* Warning, non-volatile memory changed (63xx). 6300 is what most
	 * cards answer to a failed MUTUAL/EXTERNAL AUTHENTICATE (ICAO 9303-11
	 * BAC): a failed verification without a counter. */
	X(0x6300, NID_E_VERIFY_FAILED, "warning: no information given (memory changed; authentication failed)"),
	X(0x6381, NID_E_SW, "warning: file filled up by the last write"),
	{ 0x63c0, 0xfff0, NID_E_VERIFY_FAILED, SW_COUNTER,
	    "verification failed, counter in SW2 b1-b4",
	    "verification failed, ", NULL },
	/* Execution errors (64xx, 65xx, 66xx). */
	X(0x6400, NID_E_SW, "execution error: no information given (memory unchanged)"),
	X(0x6401, NID_E_SW, "execution error: immediate response required by the card"),
	X(0x6500, NID_E_SW, "execution error: no information given (memory changed)"),
	X(0x6581, NID_E_SW, "execution error: memory failure"),
	X(0x6600, NID_E_SW, "execution error: security-related issue"),
	/* Checking errors. */
	X(0x6700, NID_E_WRONG_LENGTH, "wrong length (no further indication)"),
	X(0x6800, NID_E_CLA_NOT_SUPPORTED, "functions in CLA not supported"),
	X(0x6881, NID_E_CLA_NOT_SUPPORTED, "logical channel not supported"),
	X(0x6882, NID_E_CLA_NOT_SUPPORTED, "secure messaging not supported"),
	X(0x6883, NID_E_CLA_NOT_SUPPORTED, "last command of the chain expected"),
	X(0x6884, NID_E_CLA_NOT_SUPPORTED, "command chaining not supported"),
	X(0x6900, NID_E_SW, "command not allowed (no information given)"),
	X(0x6981, NID_E_CONDITIONS, "command incompatible with file structure"),
	X(0x6982, NID_E_SECURITY_STATUS, "security status not satisfied"),
	X(0x6983, NID_E_AUTH_BLOCKED, "authentication method blocked"),
	X(0x6984, NID_E_CONDITIONS, "reference data not usable"),
	X(0x6985, NID_E_CONDITIONS, "conditions of use not satisfied"),
	X(0x6986, NID_E_CONDITIONS, "command not allowed (no current EF)"),
	/* The card rejected our secure messaging: it has no session (any
	 * more) or it lost sync with ours (ICAO 9303-11 §9.8.6.2). */
	X(0x6987, NID_E_SM_STATE, "expected secure messaging data objects missing"),
	X(0x6988, NID_E_SM_STATE, "incorrect secure messaging data objects"),
	X(0x6a00, NID_E_WRONG_PARAMS, "wrong parameters P1-P2 (no information given)"),
	X(0x6a80, NID_E_WRONG_PARAMS, "incorrect parameters in the command data field"),
	X(0x6a81, NID_E_WRONG_PARAMS, "function not supported"),
	X(0x6a82, NID_E_FILE_NOT_FOUND, "file or application not found"),
	X(0x6a83, NID_E_FILE_NOT_FOUND, "record not found"),
	X(0x6a84, NID_E_SW, "not enough memory space in the file"),
	X(0x6a85, NID_E_WRONG_LENGTH, "Nc inconsistent with TLV structure"),
	X(0x6a86, NID_E_WRONG_PARAMS, "incorrect parameters P1-P2"),
	X(0x6a87, NID_E_WRONG_LENGTH, "Nc inconsistent with parameters P1-P2"),
	X(0x6a88, NID_E_WRONG_PARAMS, "referenced data or reference data not found"),
	X(0x6a89, NID_E_SW, "file already exists"),
	X(0x6a8a, NID_E_SW, "DF name already exists"),
	X(0x6b00, NID_E_WRONG_PARAMS, "wrong parameters P1-P2"),
	{ 0x6c00, 0xff00, NID_E_WRONG_LENGTH, SW_BYTES,
	    "wrong Le field: SW2 is the number of bytes available",
	    "wrong Le field: ", " available" },
	X(0x6d00, NID_E_INS_NOT_SUPPORTED, "instruction code not supported or invalid"),
	X(0x6e00, NID_E_CLA_NOT_SUPPORTED, "class not supported"),
	X(0x6f00, NID_E_SW, "no precise diagnosis"),
	/* Table 5: the classes, for values table 6 does not list. */
	{ 0x6200, 0xff00, NID_E_SW, SW_FIXED, "warning (memory unchanged)", NULL, NULL },
	{ 0x6300, 0xff00, NID_E_SW, SW_FIXED, "warning (memory changed)", NULL, NULL },
	{ 0x6400, 0xff00, NID_E_SW, SW_FIXED, "execution error (memory unchanged)", NULL, NULL },
	{ 0x6500, 0xff00, NID_E_SW, SW_FIXED, "execution error (memory changed)", NULL, NULL },
	{ 0x6600, 0xff00, NID_E_SW, SW_FIXED, "execution error (security-related)", NULL, NULL },
	{ 0x6700, 0xff00, NID_E_WRONG_LENGTH, SW_FIXED, "wrong length", NULL, NULL },
	{ 0x6800, 0xff00, NID_E_CLA_NOT_SUPPORTED, SW_FIXED, "functions in CLA not supported", NULL, NULL },
	{ 0x6900, 0xff00, NID_E_SW, SW_FIXED, "command not allowed", NULL, NULL },
	{ 0x6a00, 0xff00, NID_E_WRONG_PARAMS, SW_FIXED, "wrong parameters P1-P2", NULL, NULL },
	{ 0x6b00, 0xff00, NID_E_WRONG_PARAMS, SW_FIXED, "wrong parameters P1-P2", NULL, NULL },
	{ 0x6d00, 0xff00, NID_E_INS_NOT_SUPPORTED, SW_FIXED, "instruction code not supported or invalid", NULL, NULL },
	{ 0x6e00, 0xff00, NID_E_CLA_NOT_SUPPORTED, SW_FIXED, "class not supported", NULL, NULL },
	{ 0x6f00, 0xff00, NID_E_SW, SW_FIXED, "no precise diagnosis", NULL, NULL },
	/* §5.6: SW1 9X other than 9000 is proprietary. */
	{ 0x9000, 0xf000, NID_E_SW, SW_FIXED, "proprietary status word", NULL, NULL },
};
#undef X

static const struct sw_entry *
sw_lookup(uint16_t sw)
{
	size_t i;

	for (i = 0; i < NID_NELEM(sw_table); i++)
		if ((sw & sw_table[i].mask) == sw_table[i].value)
			return &sw_table[i];
	return NULL;
}

const char *
nid_sw_text(uint16_t sw, char *buf, size_t n)
{
	const struct sw_entry *e = sw_lookup(sw);
	unsigned sw2 = sw & 0xffu;

	if (e == NULL)
		return "unknown status word";
	if (e->fmt == SW_FIXED || buf == NULL || n == 0)
		return e->text;
	if (e->fmt == SW_BYTES) {
		/* ISO/IEC 7816-4 §5.6: SW2 00 stands for 256 (short Ne). */
		(void)snprintf(buf, n, "%s%u byte%s%s", e->prefix,
		    sw2 == 0 ? 256u : sw2, sw2 == 1 ? "" : "s", e->suffix);
	} else
		(void)snprintf(buf, n, "%s%u tr%s left", e->prefix, sw2 & 0x0fu,
		    (sw2 & 0x0fu) == 1 ? "y" : "ies");
	return buf;
}

int
nid_sw_to_rc(uint16_t sw)
{
	const struct sw_entry *e = sw_lookup(sw);

	return e != NULL ? e->rc : NID_E_SW;
}

int
nid_sw_tries(uint16_t sw)
{
	return (sw & 0xfff0u) == 0x63c0u ? (int)(sw & 0x0fu) : -1;
}
