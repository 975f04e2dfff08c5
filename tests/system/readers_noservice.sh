#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# readers_noservice.sh — without a PC/SC service, `nidcard readers` and
# `nidcard apdu` fail at once with exit 4, one line naming the cause on
# stderr, and with --json the nidcard.error/1 document (NID_E_NO_SERVICE,
# the raw PC/SC code SCARD_E_NO_SERVICE = 0x8010001D). No daemon is
# started: PCSCLITE_CSOCK_NAME (read by libpcsclite) points to a socket
# that does not exist.
. "$(dirname "$0")/lib.sh"
require nidcard jq

PCSCLITE_CSOCK_NAME="$T/no-such-dir/pcscd.comm"
export PCSCLITE_CSOCK_NAME
# jqt FILTER: the filter holds on the last stdout.
jqt() { jq -e "$1" "$T/out" >/dev/null; }

nid readers
expect_rc 4 "readers without pcscd"
check "one line on stderr" test "$(wc -l <"$T/err")" -eq 1
check "the line names the cause" grep -q "no PC/SC service (pcscd not running?" "$T/err"
check "the line keeps the PC/SC code" grep -q "SCARD_E_NO_SERVICE" "$T/err"
check "nothing on stdout" test ! -s "$T/out"

nid readers --json
expect_rc 4 "readers --json without pcscd"
check "error document schema" jqt '.schema == "nidcard.error/1"'
check "error name" jqt '.error == "NID_E_NO_SERVICE" and .command == "readers"'
check "exit code in the document" jqt '.exit_code == 4'
# pcsc-lite's LONG is 64 bits on Linux: the raw value is positive.
check "raw PC/SC code" jqt '.pcsc == 2148532253'
check "message names the cause" jqt '.message | test("pcscd not running")'
check "the same line on stderr" test "$(wc -l <"$T/err")" -eq 1

nid apdu 00A4040C07A0000002471001
expect_rc 4 "apdu without pcscd"
nid apdu --json 0084000008
expect_rc 4 "apdu --json without pcscd"
check "apdu error document" jqt '.schema == "nidcard.error/1" and .error == "NID_E_NO_SERVICE"'
# The APDUs are checked before any PC/SC call: usage errors come first.
nid apdu 00A4XX
expect_rc 2 "apdu with bad hex, no pcscd needed"
nid apdu 00A4040005A000
expect_rc 2 "apdu with a malformed APDU (Lc 5, one data byte)"
