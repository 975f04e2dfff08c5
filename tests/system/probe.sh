#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# probe.sh — `nidcard probe` through the real pcscd (private rig) on three
# virtual cards made from one `nidcard-sim issue` image, and `nidcard
# dump` reading each with the probed caps:
#   ext    the ATR's card capabilities claim extended Lc/Le and chaining
#          (3B 85 80 01 80 73 0000C0 37), EF.ATR/INFO 2F01 declares
#          command APDUs of 65535 and response APDUs of 4098 bytes
#          (7F66 0A 020300FFFF 0203001002), the sim serves 4096 bytes an
#          answer (--fault max-le=4096): extended works, largest Le 4096
#          "declared"; the dump reads with extended length, every file
#          selected once (its SFI READ BINARY), no READ BINARY twice
#          (the sim's --trace);
#   le223  the image as issued (its ATR says nothing), --fault no-extended
#          --fault max-le=223: extended "refused by the card", largest
#          Le 223 ("cut": GET CHALLENGE Le 256 came back with 223); the
#          dump reads under AES secure messaging with plain Le 191, whose
#          protected answer (210 bytes) fits 223 — without the probe this
#          card cannot be read at all (check_probe test_read_le223);
#   t0     ATR 3B 05 80 73 000080: T=0 only, extended Lc/Le "no";
#          --fault t0 (61xx / 6Cxx procedure answers, extended 6700):
#          PC/SC reports T=0, the trial sees procedure bytes, extended
#          refused, largest Le 256 ("seen").
. "$(dirname "$0")/lib.sh"
require pcscd vpcd jq rig nidcard sim

PERSON="$SYS_SRC/tests/data/persons/utopia-id.json"
CAN=123456

"$NIDSIM" pki init "$T/pki" >"$T/pki.log" 2>&1 || die "pki init: $(cat "$T/pki.log")"
"$NIDSIM" issue --person "$PERSON" --out "$T/img" --can "$CAN" \
    --pki "$T/pki" >"$T/issue.log" 2>&1 || die "issue: $(cat "$T/issue.log")"

# ext: card capabilities in the ATR, EF.ATR/INFO in the MF.
cp -r "$T/img" "$T/img-ext"
jq '.atr = "3B 85 80 01 80 73 00 00 C0 37"
    | .files.children += [{"type": "EF", "fid": "2F01", "name": "EF.ATR/INFO",
        "content": "ef/2F01.bin", "read": "always"}]' \
    "$T/img/card.json" >"$T/img-ext/card.json" || die "jq ext"
printf '\x7F\x66\x0A\x02\x03\x00\xFF\xFF\x02\x03\x00\x10\x02' \
    >"$T/img-ext/ef/2F01.bin"
# t0: an ATR that offers T=0 only and says "no extended Lc/Le".
cp -r "$T/img" "$T/img-t0"
jq '.atr = "3B 05 80 73 00 00 80"' "$T/img/card.json" \
    >"$T/img-t0/card.json" || die "jq t0"
for i in ext t0; do
	"$NIDSIM" check "$T/img-$i" >"$T/check-$i.log" 2>&1 ||
	    die "image $i: $(cat "$T/check-$i.log")"
done

rig_start R 3
card_start e "$T/img-ext" "$R_PORT_0" "$R_READER_0" --fault max-le=4096 --trace
card_start l "$T/img" "$R_PORT_1" "$R_READER_1" --fault no-extended \
    --fault max-le=223
card_start z "$T/img-t0" "$R_PORT_2" "$R_READER_2" --fault t0

# j FILTER: the filter on the last JSON output, as a string.
j() { jq -c "$1" "$T/out"; }
# expect_j FILTER WANT WHAT
expect_j() {
	local got
	got=$(j "$1")
	check "$3: $1 = $2 (got $got)" test "$got" = "$2"
}

# ---- ext -----------------------------------------------------------------
nid probe --reader "$R_READER_0" --json
expect_rc 0 "probe ext"
expect_j .schema '"nidcard.probe/1"' ext
expect_j .reader "\"$R_READER_0\"" ext
expect_j .atr '"3B85800180730000C037"' ext
expect_j .protocol '"T=1"' ext
expect_j .atr_claims '{"extended_length":true,"chaining":true,"protocols":["T=0","T=1"]}' ext
expect_j .atr_info.present true ext
expect_j .atr_info.bytes '"7F660A020300FFFF0203001002"' ext
expect_j .atr_info.max_command_apdu 65535 ext
expect_j .atr_info.max_response_apdu 4098 ext
expect_j .trial.extended_length '"works"' ext
expect_j .trial.file '"EF.CardAccess"' ext
expect_j .result '{"extended_length":true,"max_le":4096,"max_le_basis":"declared","max_lc":65526,"chaining":true}' ext
expect_j '[.apdus[].command]' '["00B09C00000000","00A4020C022F01","00B0000000"]' ext
expect_j .apdu_count 3 ext

# The dump with the probed caps; every file selected once, read once.
before=$(wc -l <"$T/e-sim.log")
nid dump --reader "$R_READER_0" --can "$CAN" --out "$T/d-ext"
expect_rc 0 "dump ext"
check "ext dump: extended length used" \
    test "$(jq .reading.extended_length "$T/d-ext/transcript.json")" = true
# DG2 (about 1 KB of synthetic face) is read in one APDU: every file is.
check "ext dump: one APDU per file read under SM" \
    test "$(jq '[.files[] | select(.name != "EF.CardAccess") | .apdus] | unique' \
    -c "$T/d-ext/transcript.json")" = "[1]"
tail -n +"$((before + 1))" "$T/e-sim.log" | grep '^> ' | cut -c3-10 |
    grep -E '^.{8}$' >"$T/ext-headers" || true
say "ext dump: $(wc -l <"$T/ext-headers") commands: $(tr '\n' ' ' <"$T/ext-headers")"
check "ext dump: no READ BINARY header twice" \
    test -z "$(grep -E '^..B[01]' "$T/ext-headers" | sort | uniq -d)"
check "ext dump: SELECT only EF.ATR/INFO (probe) and the eMRTD application" \
    test "$(grep -cE '^..A4' "$T/ext-headers")" -eq 2
check "ext dump: transcript APDUs = commands the card saw" \
    test "$(jq .apdus "$T/d-ext/transcript.json")" -eq "$(wc -l <"$T/ext-headers")"

# ---- le223 ---------------------------------------------------------------
nid probe --reader "$R_READER_1" --json
expect_rc 0 "probe le223"
expect_j .atr_claims.extended_length null le223
expect_j .atr_info.present false le223
expect_j .atr_info.sw '"6A82"' le223
expect_j .trial.extended_length '"refused by the card"' le223
expect_j .trial.largest_le_answered 256 le223
expect_j .trial.limit 223 le223
expect_j .result '{"extended_length":false,"max_le":223,"max_le_basis":"cut","max_lc":255,"chaining":true}' le223
expect_j '[.apdus[] | [.command, .sw, .bytes]]' \
    '[["00B09C00000000","6700",0],["00B09C0000","6282",22],["00A4020C022F01","6A82",0],["0084000000","9000",223]]' le223
nid dump --reader "$R_READER_1" --can "$CAN" --out "$T/d-223"
expect_rc 0 "dump le223 (AES secure messaging within 223-byte answers)"
check "le223 dump: short Le 191" \
    test "$(jq .reading.short_le "$T/d-223/transcript.json")" -eq 191
check "le223 dump: no extended length" \
    test "$(jq .reading.extended_length "$T/d-223/transcript.json")" = false
for f in EF.COM DG1 DG2 DG11 EF.SOD; do
	check "le223 dump: $f equals the image's" \
	    cmp -s "$T/d-223/$f" "$T/img/ef/$(jq -r ".files[] | select(.name == \"$f\") | .fid" \
	    "$T/d-223/transcript.json").bin"
done

# ---- t0 -------------------------------------------------------------------
nid probe --reader "$R_READER_2" --json
expect_rc 0 "probe t0"
expect_j .protocol '"T=0"' t0
expect_j .atr_claims '{"extended_length":false,"chaining":true,"protocols":["T=0"]}' t0
expect_j .trial.extended_length '"refused by the card"' t0
expect_j .trial.t0_procedure_bytes true t0
expect_j .result '{"extended_length":false,"max_le":256,"max_le_basis":"seen","max_lc":255,"chaining":true}' t0
expect_j '[.apdus[] | [.command, .sw_first, .sw]]' \
    '[["00B09C00000000","6700","6700"],["00B09C0000","6C16","9000"],["00A4020C022F01","6A82","6A82"],["0084000000","9000","9000"]]' t0
expect_j .apdu_count 5 t0
nid dump --reader "$R_READER_2" --can "$CAN" --out "$T/d-t0"
expect_rc 0 "dump t0"

# ---- the text report -------------------------------------------------------
nid probe --reader "$R_READER_1"
expect_rc 0 "probe le223 (text)"
for want in "Reader compatibility report" "reader:       $R_READER_1" \
    "ATR:          3B8A80014E49444341524453494D0B" \
    "extended length refused by the card" "largest Le 223 (the card cut an answer there)" \
    "0084000000"; do
	check "text report shows '$want'" grep -qF "$want" "$T/out"
done
nid probe --reader "$R_READER_1" --bogus
expect_rc 2 "unknown option"
nid probe --help
expect_rc 0 "--help"
