#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# `nidcard apdu` on a private rig: SELECT and READ BINARY the files of the
# sample image (tests/data/cards/plain) and compare the bytes with the
# image's files — short and extended length, B0 and B1, SFI — and check
# status words, usage errors and the card's own APDU counter.
. "$(dirname "$0")/lib.sh"
require pcscd vpcd jq rig nidcard sim

EF="$SYS_IMAGE/ef"
rig_start R 2
card_start c "$SYS_IMAGE" "$R_PORT_0" "$R_READER_0"
sent=0

# apdu_json APDU...: send in one nidcard call (--json), count them, and
# read the answers with one jq: SW[i] and RSP[i] (hex data) of exchange i.
apdu_json() {
	local line
	nid apdu --reader "$R_READER_0" --json "$@"
	sent=$((sent + $#))
	SW=() RSP=()
	while IFS= read -r line; do
		SW+=("${line%% *}")
		RSP+=("${line#* }")
	done < <(jq -r '.exchanges[]? | "\(.sw) \(.response)"' "$T/out")
}
rsp() { echo "${RSP[$1]}"; }
sw() { echo "${SW[$1]}"; }

SEL_APP1=00A4040C09F04E49444341524401
SEL_APP2=00A4040C09F04E49444341524402

# ISO/IEC 7816-4 §11.2.2 SELECT by DF name, by FID; §11.3.3 READ BINARY.
apdu_json $SEL_APP1 00A4020C020101 00B0000000 00B0810000
expect_rc 0 "select application 1, EF 0101, read it twice"
check "json schema" test "$(jq -r .schema "$T/out")" = nidcard.apdu/1
check "4 exchanges" test "${#SW[@]}" -eq 4
check "SELECT AID: 9000" test "$(sw 0)" = 9000
check "SELECT EF: 9000" test "$(sw 1)" = 9000
check "READ BINARY (Le 256) of a 16-byte EF: 6282 end of file" test "$(sw 2)" = 6282
check "READ BINARY: EF 0101's bytes" test "$(rsp 2)" = "$(file_hex "$EF/5000-0101.bin")"
check "READ BINARY by SFI 1: the same bytes" test "$(rsp 3)" = "$(file_hex "$EF/5000-0101.bin")"
check "ATR in the document" \
    test "$(jq -r .atr "$T/out")" = "$(jq -r .atr "$SYS_IMAGE/card.json" | tr -d ' ' | tr a-f A-F)"

# 300 bytes: two short reads, and one extended read.
apdu_json $SEL_APP1 00A4020C020102 00B0000000 00B0010000 00B00000000000
expect_rc 0 "EF 0102 (300 bytes), short and extended"
check "short reads: 256 + 44 bytes equal the file" \
    test "$(rsp 2)$(rsp 3)" = "$(file_hex "$EF/5000-0102.bin")"
check "second short read ends with 6282" test "$(sw 3)" = 6282
check "extended read (Le 65536): the whole file" \
    test "$(rsp 4)" = "$(file_hex "$EF/5000-0102.bin")"

# 34000 bytes: one extended B0 read; B1 with an offset data object past
# the 15-bit offset of B0 (ISO/IEC 7816-4 §11.3.3: DO 54; answer in DO 53).
apdu_json $SEL_APP1 00A4020C020103 00B00000000000 00B10000000004540280000000
expect_rc 0 "EF 0103 (34000 bytes), extended B0 and B1"
big=$(file_hex "$EF/5000-0103.bin")
check "extended B0: 34000 bytes equal the file" test "$(rsp 2)" = "$big"
check "B1 from offset 32768: DO 53 with the last 1232 bytes" \
    test "$(rsp 3)" = "538204D0${big:65536}"

# Application 2 and EF.DIR under the MF (SFI 30).
apdu_json $SEL_APP2 00A4020C020101 00B0000000 00A4000C023F00 00B09E0000
expect_rc 0 "application 2 and EF.DIR"
check "app 2 EF 0101" test "$(rsp 2)" = "$(file_hex "$EF/5100-0101.bin")"
check "EF.DIR by SFI 30" test "$(rsp 4)" = "$(file_hex "$EF/2F00.bin")"

# Status words are answers, not errors: exit 0.
apdu_json $SEL_APP1 00A4020C020104 00B0000000 00A4020C020199
expect_rc 0 "PIN-protected EF and a missing EF"
check "READ of the PIN-protected EF: 6982" test "$(sw 2)" = 6982
check "... and no data" test "$(rsp 2)" = ""
check "SELECT of a missing EF: 6A82" test "$(sw 3)" = 6A82

# Text output: one '> ' line per command, the data and the status word.
nid apdu --reader "$R_READER_0" $SEL_APP1 00A4020C020101 00B0000000
sent=$((sent + 3))
expect_rc 0 "text output"
check "text: the command echoed" grep -qx "> 00B0000000" "$T/out"
check "text: the data" grep -qx "< $(file_hex "$EF/5000-0101.bin")" "$T/out"
check "text: the status word" grep -q "6282" "$T/out"

# Without --reader: the only reader holding a card.
nid apdu $SEL_APP1
sent=$((sent + 1))
expect_rc 0 "default reader: the only one with a card"

# Usage errors never reach the card.
nid apdu --reader "$R_READER_0" 00A4ZZ
expect_rc 2 "bad hex"
nid apdu --reader "$R_READER_0" 00A4
expect_rc 2 "not a command APDU"
nid apdu --reader "no such reader" $SEL_APP1
expect_rc 4 "unknown reader"
nid apdu --reader "$R_READER_1" $SEL_APP1
expect_rc 4 "reader without a card"

# The card counted exactly what was sent: no hidden APDU.
check "state file: apdus = $sent" \
    test "$(jq .apdus "$T/c.state")" -eq "$sent"
