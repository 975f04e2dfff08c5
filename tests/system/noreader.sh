#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# A pcscd without readers (an empty reader.conf.d): `nidcard readers` and
# `nidcard apdu` exit 4 (nidcard(1), EXIT STATUS) with NID_E_NO_READER.
# (No service at all: readers_noservice.sh.)
. "$(dirname "$0")/lib.sh"
require pcscd rig nidcard jq

# A pcscd with an empty configuration: no readers.
rig_start Z 0
nid readers
expect_rc 4 "readers without readers"
check "stderr says why" test -s "$T/err"
nid readers --json
expect_rc 4 "readers --json without readers"
check "json: NID_E_NO_READER" test "$(jq -r .error "$T/out")" = NID_E_NO_READER
nid apdu 00A4040C09F04E49444341524401
expect_rc 4 "apdu without readers"
nid apdu --json 00A4040C09F04E49444341524401
check "apdu json: NID_E_NO_READER" test "$(jq -r .error "$T/out")" = NID_E_NO_READER
