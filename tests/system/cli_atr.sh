#!/bin/sh
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# cli_atr.sh — `nidcard atr`: the facts in the text and JSON outputs, and
# the exit codes (0 well-formed, 2 malformed ATR or bad input). No pcscd
# needed. JSON facts are checked as fixed strings of jansson's indented
# output (no jq).
set -u
B=${NID_BUILDDIR:-.}
S=${NID_SRCDIR:-$(dirname "$0")/../..}
N="$B/nidcard"
LIST="$S/tests/data/atrlist-test.txt"
T=$(mktemp -d "${TMPDIR:-/tmp}/cli_atr.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
fails=0
IR="3BDB9700 8131FE85 80134952 4E739671 5B91302F"

# run NAME WANT_EXIT ARGS...: stdout in $T/out, stderr in $T/err
run() {
	name=$1 want=$2
	shift 2
	"$N" atr "$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL $name: exit $got, want $want"; cat "$T/err"
		fails=$((fails + 1))
	fi
}

# has FILE NAME STRING: FILE contains the fixed string
has() {
	if ! grep -qF -- "$3" "$T/$1"; then
		echo "FAIL $2: $1 lacks: $3"
		fails=$((fails + 1))
	fi
}

# Text, the Iranian national ID ATR in several arguments.
run ir-text 0 --list "$LIST" $IR
for s in "ATR: 3B DB 97 00 81 31 FE 85 80 13 49 52 4E 73 96 71 5B 91 30 2F" \
    "TA1   97  Fi=512 Di=64, f max 5 MHz" "TA3   FE  T=1 IFSC 254" \
    "Protocols: T=1" "13 country code: 49524E \"IRN\"" \
    "extended Lc/Le yes" "TCK: correct (2F)" \
    "Card I/O: extended Lc/Le supported, command chaining not supported" \
    "Test ID card (exact ATR); second description line" \
    "Test ID card (any country code)"; do
	has out ir-text "$s"
done
[ -s "$T/err" ] && { echo "FAIL ir-text: stderr not empty"; fails=$((fails + 1)); }

# Same ATR with spaces, one argument per byte.
run ir-bytes 0 --list "$LIST" 3B DB 97 00 81 31 FE 85 80 13 49 52 4E 73 96 71 5B 91 30 2F
has out ir-bytes "TCK: correct (2F)"

# JSON.
run ir-json 0 --json --list "$LIST" $IR
for s in '"schema": "nidcard.atr/1"' '"atr": "3BDB97008131FE85801349524E7396715B91302F"' \
    '"well_formed": true' '"error": null' '"convention": "direct"' \
    '"ifsc": 254' '"fi": 512' '"di": 64' '"extended_lc_le": true' \
    '"command_chaining": false' '"status": "correct"' '"expected": "2F"' \
    '"kind": "compact-tlv"' '"value": "96715B"' \
    '"Test ID card (exact ATR); second description line"'; do
	has out ir-json "$s"
done
# "protocols": [ 1 ] — the array holds T=1 only.
if ! grep -A2 -F '"protocols": [' "$T/out" | tr -d ' \n' | grep -qF '"protocols":[1],'; then
	echo "FAIL ir-json: protocols is not [1]"; fails=$((fails + 1))
fi

# Malformed ATRs: decoded part printed, message with the offset, exit 2.
run bad-tck 2 --list "$LIST" 3B DB 97 00 81 31 FE 85 80 13 49 52 4E 73 96 71 5B 91 30 2E
has err bad-tck "malformed ATR at offset 19: bad TCK 2E, expected 2F"
has out bad-tck "TA3   FE  T=1 IFSC 254"
has out bad-tck "TCK: wrong (2E, expected 2F)"

run bad-tck-json 2 --json --list "$LIST" 3B DB 97 00 81 31 FE 85 80 13 49 52 4E 73 96 71 5B 91 30 2E
has out bad-tck-json '"well_formed": false'
has out bad-tck-json '"error": "NID_E_MALFORMED"'
has out bad-tck-json '"offset": 19'
has out bad-tck-json '"ifsc": 254'
if [ "$(grep -c '"schema"' "$T/out")" -ne 1 ]; then
	echo "FAIL bad-tck-json: not exactly one JSON document"; fails=$((fails + 1))
fi

run truncated 2 --list "$LIST" 3B DB 97
has err truncated "malformed ATR at offset 3: truncated: TC1 missing (announced by T0)"
run hist-cut 2 --list "$LIST" 3B DB 97 00 81 31 FE 85 80 13 49
has err hist-cut "offset 11: truncated: 11 historical bytes announced by T0, 3 present"
run no-tck 2 --list "$LIST" 3B DB 97 00 81 31 FE 85 80 13 49 52 4E 73 96 71 5B 91 30
has err no-tck "offset 19: truncated: TCK missing"
run bad-ts 2 --list "$LIST" 3C 00
has err bad-ts "malformed ATR at offset 0: bad TS 3C"
run trailing 2 --list "$LIST" $IR 00
has err trailing "malformed ATR at offset 20: 1 byte after the TCK"
# T0 FF and TDs F1 F1 F1 01: 18 bytes + 15 historical bytes + TCK = 34.
run too-long 2 --list "$LIST" 3BFF110000F1 110000F1 FE4500F1 FE450001 \
    000000000000000000000000000000 0F
has err too-long "malformed ATR at offset 33: too long"
run bad-hex 2 --list "$LIST" 3B 0G
has err bad-hex "not hex at character 5"
run bad-hex-json 2 --json --list "$LIST" 3BZZ
has out bad-hex-json '"error": "NID_E_BAD_HEX"'
run no-args 2
run bad-list 2 --list "$T/absent.txt" 3B00
has err bad-list "cannot read the card list"
run help 0 --help
has out help "Usage: nidcard atr HEX..."

if [ "$fails" -ne 0 ]; then
	echo "cli_atr.sh: $fails failure(s)"
	exit 1
fi
echo "cli_atr.sh: all checks passed"
exit 0
