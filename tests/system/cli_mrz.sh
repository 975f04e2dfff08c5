#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# cli_mrz.sh — `nidcard mrz`: exit 0 for a valid MRZ, 2 for an invalid one
# with every problem listed (text and nidcard.mrz/1 JSON), the three input
# forms (arguments, one argument with newlines, stdin), the D.2 errata and
# --doc/--birth/--expiry. No card and no PC/SC service are needed.
# MRZs: ICAO 9303-4 TD3 specimen (the data of 9303-11 D.2), 9303-5 TD1
# specimen, 9303-11 D.2 TD1 example (misprinted composite).
. "$(dirname "$0")/lib.sh"
require nidcard jq

jqt() { jq -e "$1" "$T/out" >/dev/null; }

TD3_1='P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<'
TD3_2='L898902C<3UTO6908061F9406236ZE184226B<<<<<14'
TD1='I<UTOD231458907<<<<<<<<<<<<<<<
7408122F1204159UTO<<<<<<<<<<<6
ERIKSSON<<ANNA<MARIA<<<<<<<<<<'
D2_TD1='I<UTOL898902C<3<<<<<<<<<<<<<<<
6908061F9406236UTO<<<<<<<<<<<1
ERIKSSON<<ANNA<MARIA<<<<<<<<<<'

nid mrz "$TD3_1" "$TD3_2"
expect_rc 0 "valid TD3 as two arguments"
check "says valid" grep -qx "valid" "$T/out"
check "document number shown" grep -q "^Document number: *L898902C (check digit 3)" "$T/out"
check "names shown" grep -q "^Secondary identifier: *ANNA MARIA" "$T/out"
check "nothing on stderr" test ! -s "$T/err"

nid mrz "$TD1"
expect_rc 0 "valid TD1 as one argument with newlines"

printf '%s\n%s\n' "$TD3_1" "$TD3_2" >"$T/in"
NID_RC=0
timeout -k 5 "$SYS_CMD_TIMEOUT" "$NIDCARD" mrz --json --bac-info - <"$T/in" \
    >"$T/out" 2>"$T/err" || NID_RC=$?
expect_rc 0 "valid TD3 from stdin, --json"
check "schema" jqt '.schema == "nidcard.mrz/1"'
check "format and validity" jqt '.format == "TD3" and .valid == true and (.problems | length) == 0'
check "fields" jqt '.document_number == "L898902C" and .date_of_birth == "690806" and .date_of_expiry == "940623" and .sex == "F"'
check "check digits" jqt '.check_digits.document_number == "3" and .check_digits.composite == "4"'
check "MRZ information (ICAO 9303-11 D.2)" jqt '.mrz_information == "L898902C<369080619406236"'

# A wrong check digit: malformed input, exit 2, the field named.
nid mrz "$TD3_1" "L898902C<3UTO6908063F9406236ZE184226B<<<<<14"
expect_rc 2 "bad date of birth check digit"
check "problem names the field" grep -q "date of birth check digit: 3 printed, 1 computed" "$T/out"
check "summary on stderr" grep -q "invalid MRZ: 2 problems" "$T/err"
check "composite reported too" grep -q "composite check digit: 4 printed" "$T/out"

nid mrz --json "$TD3_1" "L898902C<3UTO6908061F9406236ZE184226B<<<<<15"
expect_rc 2 "bad composite, --json"
check "problem list" jqt '.valid == false and .problems[0].field == "composite_check" and .problems[0].message == "composite check digit: 5 printed, 4 computed"'

# The errata of ICAO 9303-11 D.2: reported, the rest still parsed.
nid mrz --json --bac-info "$D2_TD1"
expect_rc 2 "D.2 TD1 example with its misprinted composite"
check "only the composite" jqt '(.problems | length) == 1 and .problems[0].message == "composite check digit: 1 printed, 2 computed"'
check "fields still parsed" jqt '.format == "TD1" and .document_number == "L898902C" and .mrz_information == "L898902C<369080619406236"'

nid mrz "p<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<" "$TD3_2"
expect_rc 2 "lower case"
check "position named" grep -q "line 1, position 1: 'p' is not an MRZ character" "$T/out"

nid mrz "$TD3_1" "L898902C<3UTO6908061F9406236ZE184226B<<<<<1"
expect_rc 2 "short line"
check "layout problem" grep -q "line 2: 43 characters, TD3 lines have 44" "$T/out"

nid mrz --doc L898902C --birth 690806 --expiry 940623
expect_rc 0 "--doc/--birth/--expiry"
check "MRZ information" grep -qx "MRZ information: L898902C<369080619406236" "$T/out"
nid mrz --json --doc D23145890734 --birth 340712 --expiry 950712
expect_rc 0 "long document number"
check "in full" jqt '.mrz_information == "D23145890734934071279507122"'
nid mrz --json --doc L898902C --birth 691306 --expiry 940623
expect_rc 2 "invalid --birth"
check "error document" jqt '.schema == "nidcard.error/1" and .error == "NID_E_INVALID_ARG"'
nid mrz --doc L898902C --birth 690806
expect_rc 2 "--expiry missing"
nid mrz
expect_rc 2 "no MRZ"
nid mrz --bogus "$TD3_1"
expect_rc 2 "unknown option"
nid mrz --help
expect_rc 0 "--help"
check "usage on stdout" grep -q "^Usage: .*mrz" "$T/out"
