#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# `nidcard readers` on a private rig: lists the virtual readers, the card
# in each with the image's ATR (text and --json), and follows a removal
# and a re-insertion.
. "$(dirname "$0")/lib.sh"
require pcscd vpcd jq rig nidcard sim

ATR=$(jq -r .atr "$SYS_IMAGE/card.json" | tr -d ' ' | tr a-f A-F)
[ -n "$ATR" ] || die "no ATR in $SYS_IMAGE/card.json"

rig_start R 2
R0=$R_READER_0 R1=$R_READER_1

# Two empty readers.
nid readers
expect_rc 0 "readers with no card"
check "text lists reader 0" grep -qxF "$R0" "$T/out"
check "text lists reader 1" grep -qxF "$R1" "$T/out"
check "text: no card anywhere" test "$(grep -c 'card *none' "$T/out")" -eq 2
nid readers --json
expect_rc 0 "readers --json with no card"
check "json schema" test "$(jq -r .schema "$T/out")" = nidcard.readers/1
check "json: exactly the rig's 2 readers" \
    test "$(jq -r '[.readers[].name] | sort | join("|")' "$T/out")" = "$R0|$R1"
check "json: no card, no ATR" \
    test "$(jq '[.readers[] | select(.card_present or .atr != null)] | length' "$T/out")" -eq 0

# A card in reader 1 only.
card_start c "$SYS_IMAGE" "$R_PORT_1" "$R1"
nid readers
expect_rc 0 "readers with a card"
check "text: reader 1 shows the image's ATR" \
    bash -c "grep -A2 -xF '$R1' '$T/out' | grep -q 'ATR *$ATR\$'"
check "text: reader 0 still empty" \
    bash -c "grep -A1 -xF '$R0' '$T/out' | grep -q 'card *none'"
nid readers --json
expect_rc 0 "readers --json with a card"
check "json: card present in reader 1" \
    test "$(jq --arg r "$R1" '.readers[] | select(.name == $r) | .card_present' "$T/out")" = true
check "json: ATR equals the image's ($ATR)" \
    test "$(jq -r --arg r "$R1" '.readers[] | select(.name == $r) | .atr' "$T/out")" = "$ATR"
check "json: reader 0 empty" \
    test "$(jq --arg r "$R0" '.readers[] | select(.name == $r) | .card_present' "$T/out")" = false

# Removal (the card process ends) and re-insertion.
t0=$(now_us)
card_stop c "$R1"
say "removal seen after $(ms_since "$t0") ms"
nid readers --json
expect_rc 0 "readers after removal"
check "json: removal seen" \
    test "$(jq --arg r "$R1" '.readers[] | select(.name == $r) | [.card_present, .atr] | tostring' "$T/out")" = '"[false,null]"'
card_start c "$SYS_IMAGE" "$R_PORT_1" "$R1"
nid readers --json
expect_rc 0 "readers after re-insertion"
check "json: re-insertion seen with the ATR" \
    test "$(jq -r --arg r "$R1" '.readers[] | select(.name == $r) | .atr' "$T/out")" = "$ATR"
# The same card moves to reader 0.
card_stop c "$R1"
card_start c "$SYS_IMAGE" "$R_PORT_0" "$R0"
nid readers --json
check "json: the card moved to reader 0" \
    test "$(jq -r '[.readers[] | select(.card_present) | .name] | join("|")' "$T/out")" = "$R0"
