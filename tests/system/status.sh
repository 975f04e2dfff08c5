#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# status.sh — `nidcard status`, the delivery-desk verdict, through the real
# pcscd: every verdict path of the status issue, each card issued by
# `nidcard-sim issue` with the test PKI and read over PACE with the CAN:
#   genuine (CA + AA) → pass, exit 0     dg-changed    → fail data.hashes
#   foreign DS/CSCA   → fail ds.chain    revoked DS    → fail ds.revocation
#   no CSCA           → warn, exit 3     clone         → fail chip.authenticity
#   expired document  → fail document.expiry
#   manifest mismatch → fail manifest.match naming the field
#   wrong CAN → 5; no card with --wait 1 → 4; card removed mid-read → 6;
#   malformed manifest → 2 naming the line.
# Every --json output is validated against docs/status.schema.json; the
# --trace output holds no CAN, no MRZ data, no session key.
. "$(dirname "$0")/lib.sh"
require pcscd vpcd jq rig nidcard sim
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
    skip "python3-jsonschema is not installed (scripts/common.sh installs it)"

PERSON="$SYS_SRC/tests/data/persons/utopia-id.json"
SCHEMA="$SYS_SRC/docs/status.schema.json"
CAN=123456
PKI="$T/pki"

"$NIDSIM" pki init "$PKI" --ds-key ecdsa-p256 --hash sha256 >"$T/pki.log" 2>&1 ||
    die "pki init: $(cat "$T/pki.log")"
# An expired document: the same person, expiry in the past.
jq '.expiry_date = "2024-10-31" | .document_number = "T22000130"' \
    "$PERSON" >"$T/expired.json"

# issue NAME [PERSON] ARGS...: image $T/img-NAME, signed with the test PKI,
# with Chip Authentication (ECDH P-256, AES) and Active Authentication.
issue() {
	local name=$1 person=$PERSON
	shift
	if [ "${1:-}" = --person ]; then
		person=$2
		shift 2
	fi
	"$NIDSIM" issue --person "$person" --out "$T/img-$name" --can "$CAN" \
	    --pki "$PKI" --ca ecdh-p256 --ca-cipher aes128 --aa ecdsa-p256 \
	    "$@" >"$T/issue-$name.log" 2>&1 ||
	    die "issue $name: $(cat "$T/issue-$name.log")"
}
issue genuine
issue dg --fault dg-changed
issue foreign --ds foreign-ds
issue revoked --ds revoked-ds
issue expired --person "$T/expired.json"

rig_start R 1
TRUST=(--csca "$PKI/csca.pem" --crl "$PKI/crl.pem")

# status_on NAME [SIMARGS...] -- ARGS...: insert the card, run status
# --json with ARGS, remove the card.
status_on() {
	local name=$1 sim=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		sim+=("$1")
		shift
	done
	shift
	NO_STATE=1 card_start "$name" "$T/img-${name%%_*}" "$R_PORT_0" \
	    "$R_READER_0" "${sim[@]}"
	nid status --reader "$R_READER_0" --can "$CAN" --json "$@"
	card_stop "$name" "$R_READER_0"
}
# verdict_is RC VERDICT REASONS DESC: exit code, verdict, the checks that
# decided it ("a,b"), and the output valid against the schema.
verdict_is() {
	local rc=$1 v=$2 reasons=$3 desc=$4
	expect_rc "$rc" "$desc"
	check "$desc: verdict $v (got $(jq -r .verdict "$T/out"))" \
	    test "$(jq -r .verdict "$T/out")" = "$v"
	check "$desc: decided by '$reasons' (got $(jq -r '.reasons|join(",")' "$T/out"))" \
	    test "$(jq -r '.reasons|join(",")' "$T/out")" = "$reasons"
	check "$desc: valid nidcard.status/1" \
	    /usr/bin/python3 "$SYS_SRC/tests/system/json-validate.py" "$SCHEMA" \
	    "$T/out"
}
result_of() {
	jq -r --arg id "$1" '.checks[] | select(.id == $id) | .result' "$T/out"
}
reason_of() {
	jq -r --arg id "$1" '.checks[] | select(.id == $id) | .reason' "$T/out"
}

# --- genuine: every level passes -----------------------------------------
status_on genuine -- "${TRUST[@]}" --photo "$T/face.jpg"
verdict_is 0 pass "" "genuine card"
check "genuine: chip authenticated by CA (got $(jq -c .chip "$T/out"))" \
    test "$(jq -r .chip.mechanism "$T/out")" = CA
check "genuine: chip.authenticity pass" test "$(result_of chip.authenticity)" = pass
check "genuine: the person's facts" test \
    "$(jq -r '.document | "\(.surname)/\(.given_names)/\(.document_number)/\(.birth_date)/\(.expiry_date)"' "$T/out")" = \
    "MUSTERMANN/ERIKA/T22000129/1964-08-12/2031-10-31"
check "genuine: the photo is a JPEG written as stored" \
    test "$(head -c 2 "$T/face.jpg" | od -An -tx1 | tr -d ' ')" = ffd8
check "genuine: photo size in the JSON" \
    test "$(jq -r .photo.bytes "$T/out")" = "$(stat -c %s "$T/face.jpg")"
check "genuine: photo mode 0600" test "$(stat -c %a "$T/face.jpg")" = 600
check "genuine: APDUs counted" test "$(jq -r .apdus "$T/out")" -gt 5

# a card (or reader) limited to short APDUs of Le 223: the probe finds it
status_on genuine_le --fault no-extended --fault max-le=223 -- "${TRUST[@]}"
verdict_is 0 pass "" "genuine card limited to Le 223, no extended length"

# Active Authentication when asked for
status_on genuine -- "${TRUST[@]}" --chip-auth aa
verdict_is 0 pass "" "genuine card, --chip-auth aa"
check "aa: mechanism AA" test "$(jq -r .chip.mechanism "$T/out")" = AA
# skipping chip authentication is said, and makes the verdict warn
status_on genuine -- "${TRUST[@]}" --chip-auth none
verdict_is 3 warn chip.authenticity "genuine card, --chip-auth none"
check "none: chip.authenticity skipped" test "$(result_of chip.authenticity)" = skipped

# --- dump --report: the evidence bundle, re-checked offline -----------------
NO_STATE=1 card_start d "$T/img-genuine" "$R_PORT_0" "$R_READER_0"
nid dump --can "$CAN" "${TRUST[@]}" --report --out "$T/bundle"
expect_rc 0 "dump --report of the genuine card"
card_stop d "$R_READER_0"
check "bundle: status.json beside the raw files" \
    test -s "$T/bundle/status.json" -a -s "$T/bundle/EF.SOD" -a -s "$T/bundle/DG14"
check "bundle: status.json is valid nidcard.status/1" \
    /usr/bin/python3 "$SYS_SRC/tests/system/json-validate.py" "$SCHEMA" \
    "$T/bundle/status.json"
check "bundle: verdict pass, chip authenticated" test \
    "$(jq -r '"\(.verdict)/\(.chip.mechanism)"' "$T/bundle/status.json")" = pass/CA
nid verify "$T/bundle" "${TRUST[@]}"
expect_rc 0 "verify re-checks the bundle offline"

# --- human output ----------------------------------------------------------
NO_STATE=1 card_start h "$T/img-genuine" "$R_PORT_0" "$R_READER_0"
nid status --can "$CAN" "${TRUST[@]}"
expect_rc 0 "genuine card, human output, the only reader with a card"
check "human: first line PASS, name, document" \
    grep -q '^PASS  MUSTERMANN, ERIKA  ID card (TD1) T22000129$' "$T/out"
check "human: one line per check" test "$(grep -c '^  [a-z]*\.[a-z]* ' "$T/out")" = 8
check "human: no colour when not on a terminal" \
    sh -c "! grep -q $'\033' '$T/out'"
# --trace: redacted; --trace=sensitive: says so and shows the keys
nid --trace status --can "$CAN" "${TRUST[@]}"
expect_rc 0 "genuine card with --trace"
cp "$T/err" "$T/trace"
check "trace: the APDU exchange is on stderr" grep -q '^nidcard: trace: > 00 A4' "$T/trace"
for secret in "$CAN" T22000129 640812 311031 MUSTERMANN ERIKA \
    "$(printf %s MUSTERMANN | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"; do
	check "trace: '$secret' not in the redacted trace" \
	    sh -c "! grep -qi '$secret' '$T/trace'"
done
check "trace: keys redacted" grep -q 'KSenc \[redacted 16 bytes\]' "$T/trace"
check "trace: no hex run of 16 bytes or more but SELECT AIDs" \
    sh -c "! grep -v 'body (8) 07A0000002471001\|plain data (7) A0000002471001' '$T/trace' | grep -qE '[0-9A-F]{32}'"
nid --trace=sensitive status --can "$CAN" "${TRUST[@]}"
expect_rc 0 "genuine card with --trace=sensitive"
check "sensitive trace: says so on its first line" \
    sh -c "head -1 '$T/err' | grep -q 'SENSITIVE TRACE'"
check "sensitive trace: shows the session keys" \
    grep -qE 'PACE KSenc \(16\) [0-9A-F]{32}' "$T/err"
card_stop h "$R_READER_0"

# --- each verdict path -----------------------------------------------------
status_on dg -- "${TRUST[@]}" --all
verdict_is 1 fail data.hashes "changed DG11, --all"
status_on foreign -- "${TRUST[@]}"
verdict_is 1 fail ds.chain "DS of a foreign CSCA"
status_on revoked -- "${TRUST[@]}"
verdict_is 1 fail ds.revocation "revoked DS with the CRL"
status_on genuine -- --crl "$PKI/crl.pem"
verdict_is 3 warn ds.chain,ds.validity,ds.revocation "no CSCA given"
status_on genuine_clone --fault clone -- "${TRUST[@]}"
verdict_is 1 fail chip.authenticity "cloned card"
check "clone: data.hashes pass" test "$(result_of data.hashes)" = pass
check "clone: sod.signature pass" test "$(result_of sod.signature)" = pass
check "clone: reason says clone suspected ($(reason_of chip.authenticity))" \
    sh -c "jq -r '.checks[]|select(.id==\"chip.authenticity\")|.reason' '$T/out' | grep -q 'clone suspected'"
status_on expired -- "${TRUST[@]}"
verdict_is 1 fail document.expiry "expired document"
check "expired: reason names the date" \
    test "$(reason_of document.expiry)" = "expired on 2024-10-31"

# --- the manifest ------------------------------------------------------------
printf 'document_number,surname,given_names,birth_date\nT22000129,Mustermann,Erika,1964-08-12\n' >"$T/ok.csv"
printf 'document_number,surname,birth_date\nT22000129,MUSTERMANN,1964-08-13\n' >"$T/birth.csv"
printf 'document_number\nX1\n' >"$T/absent.csv"
printf 'document_number,surname\nT22000129,A\nT2200\n' >"$T/bad.csv"
status_on genuine -- "${TRUST[@]}" --manifest "$T/ok.csv"
verdict_is 0 pass "" "on the manifest"
check "manifest: pass" test "$(result_of manifest.match)" = pass
status_on genuine -- "${TRUST[@]}" --manifest "$T/birth.csv"
verdict_is 1 fail manifest.match "manifest birth date differs"
check "manifest: names the field ($(reason_of manifest.match))" \
    sh -c "jq -r '.checks[]|select(.id==\"manifest.match\")|.reason' '$T/out' | grep -q '^birth_date differs'"
status_on genuine -- "${TRUST[@]}" --manifest "$T/absent.csv"
verdict_is 1 fail manifest.match "card not on the manifest"
nid status --can "$CAN" "${TRUST[@]}" --manifest "$T/bad.csv"
expect_rc 2 "malformed manifest"
check "malformed manifest: names the line" grep -q 'bad.csv: line 3: 1 fields' "$T/err"

# --- errors -------------------------------------------------------------------
NO_STATE=1 card_start w "$T/img-genuine" "$R_PORT_0" "$R_READER_0"
nid status --can 654321 "${TRUST[@]}" --json
expect_rc 5 "wrong CAN"
card_stop w "$R_READER_0"
check "wrong CAN: error document" \
    test "$(jq -r .error "$T/out")" = NID_E_ACCESS_DENIED
nid status --can "$CAN" "${TRUST[@]}" --wait 1
expect_rc 4 "no card, --wait 1"
check "no card: says so" grep -q 'no card inserted within 1 s' "$T/err"
status_on genuine_rm --fault remove-at=12 -- "${TRUST[@]}"
expect_rc 6 "card removed mid-read"
check "removed: says so" grep -qi 'removed' "$T/err"


