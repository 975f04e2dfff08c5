#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# A card removed in the middle of an exchange (nidcard-sim fault
# remove-at=N): `nidcard apdu` exits 6 and says which APDU met the removal;
# `nidcard readers` then shows the reader empty; the exit status and the
# JSON error document are the documented ones.
. "$(dirname "$0")/lib.sh"
require pcscd vpcd jq rig nidcard sim

SEL_APP1=00A4040C09F04E49444341524401
rig_start R 2

# Text: removed at the 3rd of 4 APDUs.
card_start c "$SYS_IMAGE" "$R_PORT_0" "$R_READER_0" --fault remove-at=3
nid apdu --reader "$R_READER_0" $SEL_APP1 00A4020C020103 00B00000000000 00B0000000
expect_rc 6 "card removed at APDU 3 of 4"
check "one line on stderr" test "$(wc -l <"$T/err")" -eq 1
check "it names the APDU" grep -q "APDU 3 of 4" "$T/err"
check "it says the card was removed" grep -qi "removed" "$T/err"
say "message: $(cat "$T/err")"
check "the first two APDUs were answered (text printed before the error)" \
    grep -qx "> 00A4020C020103" "$T/out"
check "PC/SC sees the reader empty" wait_card absent "$R_READER_0"
nid readers --json
check "readers: no card after the removal" \
    test "$(jq --arg r "$R_READER_0" '.readers[] | select(.name == $r) | .card_present' "$T/out")" = false
check "the card's state file says removed" test "$(jq .removed "$T/c.state")" = true
stop_pid "$c_PID"

# JSON: the error document, removed at the 1st APDU.
card_start c "$SYS_IMAGE" "$R_PORT_1" "$R_READER_1" --fault remove-at=1
nid apdu --reader "$R_READER_1" --json $SEL_APP1
expect_rc 6 "card removed at APDU 1 of 1 (--json)"
check "json: nidcard.error/1" test "$(jq -r .schema "$T/out")" = nidcard.error/1
check "json: error NID_E_CARD_REMOVED" test "$(jq -r .error "$T/out")" = NID_E_CARD_REMOVED
check "json: exit_code 6" test "$(jq .exit_code "$T/out")" -eq 6
check "json: stderr has the message too" grep -q "APDU 1 of 1" "$T/err"
check "PC/SC sees reader 1 empty" wait_card absent "$R_READER_1"
stop_pid "$c_PID"

# No card at all now: exit 4.
nid apdu --reader "$R_READER_1" $SEL_APP1
expect_rc 4 "no card in the reader"
nid apdu $SEL_APP1
expect_rc 4 "no card in any reader"
