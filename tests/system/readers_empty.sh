#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# readers_empty.sh — a private pcscd with two empty vpcd readers:
# `nidcard readers` lists both without a card (exit 0), and `nidcard
# apdu` finds no card (exit 4) or no such reader (exit 4), without
# hanging. Cards in readers: the rig's own system tests.
. "$(dirname "$0")/lib.sh"
require pcscd vpcd rig nidcard jq

jqt() { jq -e "$1" "$T/out" >/dev/null; }

rig_start R 2

nid readers
expect_rc 0 "readers with two empty readers"
check "first reader listed" grep -qxF "$R_READER_0" "$T/out"
check "second reader listed" grep -qxF "$R_READER_1" "$T/out"
check "no card shown" test "$(grep -c '^  card   none$' "$T/out")" -eq 2

nid readers --json
expect_rc 0 "readers --json"
check "schema" jqt '.schema == "nidcard.readers/1"'
check "two readers" jqt '.readers | length == 2'
check "reader names" jq -e --arg a "$R_READER_0" --arg b "$R_READER_1" \
    '[.readers[].name] | sort == ([$a, $b] | sort)' "$T/out" >/dev/null
check "no card, null ATR and names" jqt '[.readers[] | select(.card_present or .atr != null or .card_names != null)] | length == 0'

nid apdu 0084000008
expect_rc 4 "apdu with no card anywhere"
check "names the readers" grep -qF "'$R_READER_0'" "$T/err"

nid apdu --json --reader "$R_READER_1" 0084000008
expect_rc 4 "apdu to an empty named reader"
check "NID_E_NO_CARD" jqt '.error == "NID_E_NO_CARD" and .pcsc == 2148532236'

nid apdu --reader "no such reader" 0084000008
expect_rc 4 "apdu to a reader that does not exist"
check "says which" grep -qF "no reader matches 'no such reader'" "$T/err"

rig_stop R
nid readers --json
expect_rc 4 "readers after pcscd stopped"
check "NID_E_NO_SERVICE" jqt '.error == "NID_E_NO_SERVICE"'
