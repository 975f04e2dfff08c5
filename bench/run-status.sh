#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# bench/run-status.sh — `make bench`: the status benchmark (bench/status.c,
# bench/README.md). Makes a test PKI and one genuine card with
# `nidcard-sim issue`: PACE with the CAN, a signed EF.SOD, Chip
# Authentication (DG14, ECDH P-256) and Active Authentication (DG15,
# ECDSA P-256), a face of about 20 KB in DG2. Starts a private rig with
# ten readers (tests/system/lib.sh): reader 0 the card as issued
# (extended length), reader 1 the same card limited to Le 223 without
# extended length (--fault no-extended --fault max-le=223), readers 2..9
# the same card answering after 2 ms per APDU (--delay-ms 2) for the
# batch. No card writes a state file (it would cost ~0.6 ms per APDU).
# Then bench/status prints the table and writes
# $NID_BUILDDIR/bench/results.json. STATUS_ARGS passes options to
# bench/status (e.g. STATUS_ARGS="--runs 31 --batch-runs 40").
. "$(dirname "$0")/../tests/system/lib.sh"
require pcscd vpcd rig sim
STATUS="$SYS_BUILD/bench/status"
[ -x "$STATUS" ] || die "$STATUS not built"
PERSON="$SYS_SRC/tests/data/persons/utopia-id.json"
CAN=123456
OUT="$SYS_BUILD/bench/results.json"

"$NIDSIM" pki init "$T/pki" --ds-key ecdsa-p256 --hash sha256 \
    >"$T/pki.log" 2>&1 || die "pki init: $(cat "$T/pki.log")"
# The synthetic face of an unsigned image, padded to 20000 bytes.
"$NIDSIM" issue --person "$PERSON" --out "$T/base" >"$T/issue0.log" 2>&1 ||
    die "issue: $(cat "$T/issue0.log")"
"$STATUS" --make-face "$T/base/ef/0102.bin" "$T/face.jpg" 20000 ||
    die "make-face"
"$NIDSIM" issue --person "$PERSON" --out "$T/img" --can "$CAN" \
    --pki "$T/pki" --face "$T/face.jpg" --ca ecdh-p256 --aa ecdsa-p256 \
    >"$T/issue.log" 2>&1 || die "issue: $(cat "$T/issue.log")"
say "card: $(cd "$T/img/ef" && for f in *.bin; do printf '%s %s B, ' "$f" "$(wc -c <"$f")"; done)"

rig_start R 10
NO_STATE=1 card_start ext "$T/img" "$R_PORT_0" "$R_READER_0"
NO_STATE=1 card_start le223 "$T/img" "$R_PORT_1" "$R_READER_1" \
    --fault no-extended --fault max-le=223
batch=()
for i in 2 3 4 5 6 7 8 9; do
	eval "port=\$R_PORT_$i reader=\$R_READER_$i"
	# shellcheck disable=SC2154
	NO_STATE=1 card_start "b$i" "$T/img" "$port" "$reader" --delay-ms 2
	eval "pid=\$b${i}_PID"
	# shellcheck disable=SC2154
	batch+=(--batch "$reader" --card-pid "$pid")
done
mkdir -p "$SYS_BUILD/bench"
# shellcheck disable=SC2086
if ! timeout -k 5 900 "$STATUS" --image "$T/img" --pki "$T/pki" --can "$CAN" \
    --reader-ext "$R_READER_0" --reader-223 "$R_READER_1" "${batch[@]}" \
    --pcscd-pid "$R_PCSCD_PID" \
    --out "$OUT" ${STATUS_ARGS:-}; then
	die "bench/status failed"
fi
