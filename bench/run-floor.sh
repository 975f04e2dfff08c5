#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# bench/run-floor.sh — `make bench`: the raw APDU floor through a private
# rig (pcscd + one vpcd reader) with one nidcard-sim card. Prints the rig
# start time, the time until the card is visible, and bench/floor's
# figures. See bench/README.md. FLOOR_ARGS passes options to bench/floor
# (e.g. FLOOR_ARGS="-n 5000 -k 9").
. "$(dirname "$0")/../tests/system/lib.sh"
require pcscd vpcd rig sim
FLOOR="$SYS_BUILD/bench/floor"
[ -x "$FLOOR" ] || die "$FLOOR not built"

rig_start R 1
# No state file: the sim would write it after every APDU (~0.6 ms each).
NO_STATE=1 card_start c "$SYS_IMAGE" "$R_PORT_0" "$R_READER_0"
# shellcheck disable=SC2086
if ! timeout -k 5 600 "$FLOOR" -r "$R_READER_0" ${FLOOR_ARGS:-}; then
	die "bench/floor failed"
fi
