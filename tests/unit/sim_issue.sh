#!/bin/sh
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# `nidcard-sim issue` (src/sim/sim_issue.c, docs/nidcard-sim.1): the
# sample person records give images that `check` accepts and that equal
# the committed sample images byte for byte (the issue is
# deterministic); usage errors exit 2, a bad person record 1.
set -u
src=${NID_SRCDIR:-$(dirname "$0")/../..}
build=${NID_BUILDDIR:-.}
sim="$build/nidcard-sim"
persons="$src/tests/data/persons"
cards="$src/tests/data/cards"
fail=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

expect() {
	want=$1 pat=$2
	shift 2
	"$@" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ] || ! grep -q -- "$pat" "$tmp/out"; then
		echo "FAIL: $* -> exit $got (want $want), output:"; cat "$tmp/out"
		echo "  (wanted a line matching: $pat)"
		fail=1
	else
		echo "ok: $* -> $got"
	fi
}

same() {
	if cmp -s "$1" "$2"; then
		echo "ok: $1 = $2"
	else
		echo "FAIL: $1 differs from $2"; fail=1
	fi
}

expect 0 'Usage: nidcard-sim issue' "$sim" issue --help
expect 0 'eMRTD image written' "$sim" issue --person "$persons/utopia-id.json" \
    --out "$tmp/pace" --access pace+bac --param-id 13 --can 123456
expect 0 'eMRTD image written' "$sim" issue --person "$persons/icao-appendix-d.json" \
    --out "$tmp/bac" --access bac
for f in card.json ef/011C.bin ef/011E.bin ef/0101.bin ef/0102.bin ef/010B.bin; do
	same "$tmp/pace/$f" "$cards/icao-pace/$f"
done
for f in card.json ef/011E.bin ef/0101.bin ef/0102.bin ef/010B.bin; do
	same "$tmp/bac/$f" "$cards/icao-bac/$f"
done
expect 0 'access pace+bac, MRZ set, CAN set' "$sim" check "$tmp/pace"
expect 0 'parameterId 13' "$sim" check "$tmp/pace"
expect 0 '0101 EF sfi  1     95 bytes  read sm  DG1' "$sim" check "$tmp/pace"
expect 0 'access bac, MRZ set, CAN none' "$sim" check "$tmp/bac"
expect 0 'sm_bad_mac=3' "$sim" check "$tmp/bac" --fault sm_bad_mac=3
expect 0 'eMRTD image written' "$sim" issue --person "$persons/utopia-id.json" \
    --out "$tmp/dh" --access pace --param-id 0
expect 0 'id-PACE-DH-GM-AES-CBC-CMAC-128), parameterId 0' "$sim" check "$tmp/dh"
# Chip Authentication (docs/card-image.md): DG14, keys/ca.pem, card.json "ca".
expect 0 'eMRTD image written' "$sim" issue --person "$persons/utopia-id.json" \
    --out "$tmp/ca" --access pace --can 123456 --ca ecdh-brainpool256 --ca-cipher 3des
expect 0 'id-CA-ECDH-3DES-CBC-CBC), keyId 1, ECDH brainpoolP256r1, 3DES, keys/ca.pem' \
    "$sim" check "$tmp/ca"
expect 0 '010E EF sfi 14 .* read sm  DG14' "$sim" check "$tmp/ca"
expect 0 'SM faults   clone' "$sim" check "$tmp/ca" --fault clone
if [ "$(stat -c %a "$tmp/ca/keys/ca.pem")" = 600 ]; then
	echo "ok: keys/ca.pem is 0600"
else
	echo "FAIL: keys/ca.pem mode $(stat -c %a "$tmp/ca/keys/ca.pem")"; fail=1
fi
expect 0 'eMRTD image written' "$sim" issue --person "$persons/utopia-id.json" \
    --out "$tmp/cadh" --access bac --ca dh2048 --fault clone
expect 0 'id-CA-DH-AES-CBC-CMAC-128), keyId 1, DH 2048, AES-128' "$sim" check "$tmp/cadh"
expect 0 'fault clone: another private key' "$sim" check "$tmp/cadh"
expect 2 'bad --ca ' "$sim" issue --person "$persons/utopia-id.json" --out "$tmp/x" --ca rsa2048
expect 2 'bad --ca-cipher' "$sim" issue --person "$persons/utopia-id.json" --out "$tmp/x" --ca-cipher aes256
# Active Authentication (docs/card-image.md): DG15, keys/aa.pem, card.json "aa".
expect 0 'eMRTD image written' "$sim" issue --person "$persons/utopia-id.json" \
    --out "$tmp/aa" --access bac --aa rsa1024 --aa-hash sha256
expect 0 'AA          RSA-1024, ISO/IEC 9796-2 scheme 1, sha256 (keys/aa.pem)' \
    "$sim" check "$tmp/aa"
expect 0 '010F EF sfi 15 .* read sm  DG15' "$sim" check "$tmp/aa"
expect 0 'keys/aa.pem), CLONE: key replaced' "$sim" check "$tmp/aa" --fault clone
if [ "$(stat -c %a "$tmp/aa/keys/aa.pem")" = 600 ]; then
	echo "ok: keys/aa.pem is 0600"
else
	echo "FAIL: keys/aa.pem mode $(stat -c %a "$tmp/aa/keys/aa.pem")"; fail=1
fi
# RSA-2048: an ATR that announces extended length (card capabilities).
expect 0 'eMRTD image written' "$sim" issue --person "$persons/utopia-id.json" \
    --out "$tmp/aa2" --access bac --aa rsa2048
expect 0 'ATR:          3B8F800180738021C0594E494443415244414192' "$sim" check "$tmp/aa2"
expect 2 'bad --aa ' "$sim" issue --person "$persons/utopia-id.json" --out "$tmp/x" --aa rsa4096
expect 2 'bad --aa-hash' "$sim" issue --person "$persons/utopia-id.json" --out "$tmp/x" --aa-hash md5
expect 2 'dg15-swapped needs --aa' "$sim" issue --person "$persons/utopia-id.json" \
    --out "$tmp/x" --fault dg15-swapped
expect 2 'required' "$sim" issue --person "$persons/utopia-id.json"
expect 2 'bad --access' "$sim" issue --person "$persons/utopia-id.json" --out "$tmp/x" --access eac
expect 2 'bad --param-id' "$sim" issue --person "$persons/utopia-id.json" --out "$tmp/x" --param-id 99
expect 2 'param-id 5' "$sim" issue --person "$persons/utopia-id.json" --out "$tmp/x" --param-id 5
expect 2 'go together' "$sim" issue --person "$persons/utopia-id.json" --out "$tmp/x" --ds-key k.pem
expect 2 '\-\-can' "$sim" issue --person "$persons/utopia-id.json" --out "$tmp/x" --can 12a
printf '{"format":"nidcard.person/1","document_type":"TD9"}' >"$tmp/bad.json"
expect 1 'document_type' "$sim" issue --person "$tmp/bad.json" --out "$tmp/x"
expect 1 'neither JPEG' "$sim" issue --person "$persons/utopia-id.json" --out "$tmp/x" --face "$tmp/bad.json"
exit $fail
