#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# `nidcard dump` through the real pcscd (private rig): PACE with the CAN
# on tests/data/cards/icao-pace, BAC with --doc/--birth/--expiry on
# tests/data/cards/icao-bac (ICAO 9303-11 Appendix D.2 MRZ data); every
# file written must be byte-identical to the image's. A wrong CAN exits 5
# with "access denied by the card: wrong CAN" and writes nothing; a card
# without the eMRTD application (plain) exits 6. The secret never shows
# in any output.
. "$(dirname "$0")/lib.sh"
require pcscd vpcd jq rig nidcard sim

PACE_IMG="$SYS_SRC/tests/data/cards/icao-pace"
BAC_IMG="$SYS_SRC/tests/data/cards/icao-bac"
CAN=123456

rig_start R 3
card_start p "$PACE_IMG" "$R_PORT_0" "$R_READER_0"
card_start b "$BAC_IMG" "$R_PORT_1" "$R_READER_1"
card_start c "$SYS_IMAGE" "$R_PORT_2" "$R_READER_2"

# same_as_image DIR IMAGE: every file the transcript lists as read equals
# the image's file of the same FID, and nothing else is in DIR.
same_as_image() {
	local dir=$1 img=$2 name fid n=0
	while IFS=' ' read -r name fid; do
		n=$((n + 1))
		check "$name equals the image's ef/$fid.bin" \
		    cmp -s "$dir/$name" "$img/ef/$fid.bin"
	done < <(jq -r '.files[] | select(.status == "read") | "\(.name) \(.fid)"' \
	    "$dir/transcript.json")
	check "$n files and transcript.json in $dir, nothing else" \
	    test "$(ls -A "$dir" | wc -l)" -eq $((n + 1))
}

# no_secret WHAT DIR: the CAN and the MRZ data are in no output and not
# in the transcript (DG1 itself holds the MRZ, of course).
no_secret() {
	check "$1: no CAN or MRZ data in the output or the transcript" \
	    sh -c "! grep -qE '$CAN|L898902C|690806|940623' $T/out $T/err $2/transcript.json"
}

# PACE with the CAN from a file (the first line).
printf '%s\n' "$CAN" >"$T/can"
nid dump --reader "$R_READER_0" --can-file "$T/can" --out "$T/pace"
expect_rc 0 "PACE with --can-file"
check "transcript schema" test "$(jq -r .schema "$T/pace/transcript.json")" = nidcard.dump/1
check "protocol PACE" test "$(jq -r .access.protocol "$T/pace/transcript.json")" = PACE
check "password CAN" test "$(jq -r .access.password "$T/pace/transcript.json")" = CAN
check "EF.COM, DG1, DG2, DG11 read" test "$(jq -r '[.files[] | select(.status == "read") | .name] | join(",")' \
    "$T/pace/transcript.json")" = "EF.CardAccess,EF.COM,DG1,DG2,DG11"
same_as_image "$T/pace" "$PACE_IMG"
pace_apdus=$(jq .apdus "$T/pace/transcript.json")
check "transcript APDUs = what the card counted ($pace_apdus)" \
    test "$pace_apdus" -eq "$(jq .apdus "$T/p.state")"
say "PACE dump: $pace_apdus APDUs, $(jq .ms.total "$T/pace/transcript.json") ms"
grep -q "PACE with the CAN" "$T/out" || fail "summary names PACE"
no_secret "PACE" "$T/pace"

# The CAN from the environment, --json: the transcript on stdout.
NID_TEST_CAN=$CAN nid dump --reader "$R_READER_0" --can-env NID_TEST_CAN \
    --out "$T/pace2" --json
expect_rc 0 "PACE with --can-env --json"
check "--json prints the transcript" test "$(jq -r .schema "$T/out")" = nidcard.dump/1
same_as_image "$T/pace2" "$PACE_IMG"

# Wrong CAN: exit 5, the message, nothing written. (The card was left
# with the eMRTD application selected: EF.CardAccess is found again by
# selecting the MF.)
nid dump --reader "$R_READER_0" --can 654321 --out "$T/wrong"
expect_rc 5 "wrong CAN"
check "message: access denied by the card: wrong CAN" \
    grep -q "access denied by the card: wrong CAN" "$T/err"
check "nothing written for a wrong CAN" test ! -e "$T/wrong"
check "the wrong CAN is not echoed" sh -c "! grep -q 654321 $T/err $T/out"

# BAC with --doc/--birth/--expiry (ICAO 9303-11 D.2).
nid dump --reader "$R_READER_1" --doc L898902C --birth 690806 --expiry 940623 \
    --out "$T/bac"
expect_rc 0 "BAC with --doc/--birth/--expiry"
check "protocol BAC" test "$(jq -r .access.protocol "$T/bac/transcript.json")" = BAC
same_as_image "$T/bac" "$BAC_IMG"
bac_apdus=$(jq .apdus "$T/bac/transcript.json")
check "transcript APDUs = what the card counted ($bac_apdus)" \
    test "$bac_apdus" -eq "$(jq .apdus "$T/b.state")"
say "BAC dump: $bac_apdus APDUs, $(jq .ms.total "$T/bac/transcript.json") ms"
no_secret "BAC" "$T/bac"

# Wrong MRZ data on the BAC card: exit 5.
nid dump --reader "$R_READER_1" --doc L898902C --birth 690806 --expiry 940624 \
    --out "$T/bacwrong"
expect_rc 5 "wrong MRZ data"
check "message: access denied by the card: wrong MRZ data" \
    grep -q "access denied by the card: wrong MRZ data" "$T/err"

# A card without the eMRTD application.
nid dump --reader "$R_READER_2" --can "$CAN" --out "$T/plain"
expect_rc 6 "plain card: no eMRTD application"
check "message names the missing application" grep -q "no eMRTD application" "$T/err"
check "nothing written for the plain card" test ! -e "$T/plain"

# Usage errors never reach the card.
nid dump --reader "$R_READER_0" --can 12345 --out "$T/u"
expect_rc 2 "CAN of 5 digits"
nid dump --reader "$R_READER_0" --can "$CAN" --out /proc/nidcard-no
expect_rc 2 "--out not writable"
nid dump --reader "$R_READER_0" --mrz "P<UTO" --out "$T/u"
expect_rc 2 "invalid MRZ"
nid dump --reader "$R_READER_0" --out "$T/u"
expect_rc 2 "no access secret"

