#!/bin/sh
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# nidcard-sim(1) front end without a reader: `check` on the sample image
# and on broken ones, usage errors, and the documented exit codes
# (0 ok, 1 invalid image, 2 usage, 3 vpcd not reachable, 4 I/O error).
set -u
src=${NID_SRCDIR:-$(dirname "$0")/../..}
build=${NID_BUILDDIR:-.}
sim="$build/nidcard-sim"
img="$src/tests/data/cards/plain"
fail=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# expect STATUS PATTERN CMD...: exit status and a line of output matching
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

expect 0 'Usage: nidcard-sim run IMAGE' "$sim" --help
expect 0 '^nidcard-sim [0-9]' "$sim" --version
expect 0 '0103 EF sfi  3  34000 bytes  read always' "$sim" check "$img"
expect 0 '0104 EF sfi  4     64 bytes  read pin:81' "$sim" check "$img"
expect 0 '81 PIN          3/3 tries, activated' "$sim" check "$img"
expect 0 'faults: *t0 max-le=223' "$sim" check "$img" --fault t0 --fault max-le=223
expect 2 'unknown fault "sloth"' "$sim" check "$img" --fault sloth
expect 2 'expected one IMAGE' "$sim" check
expect 2 'unknown command' "$sim" frobnicate "$img"
expect 2 '\-\-port is required' "$sim" run "$img"
expect 2 "bad --port" "$sim" run "$img" --port 70000
expect 1 'card.json: No such file' "$sim" check "$tmp/none"

mkdir "$tmp/bad"
printf '{"format": "nidcard.card-image/1", "atr": "3B00", "files": {"type": "MF", "fid": "3F00", "children": [{"type": "EF", "fid": "0101", "sfi": 31, "content": "x"}]}}' >"$tmp/bad/card.json"
expect 1 'files.children\[0\].sfi: 31 out of range 1..30' "$sim" check "$tmp/bad"
expect 1 'card.json: line 2 column 0' sh -c "echo '{' > '$tmp/bad/card.json' && '$sim' check '$tmp/bad'"

# Port 1: nothing listens there, connect is refused at once.
expect 3 'cannot connect to vpcd at 127.0.0.1:1' "$sim" run "$img" --port 1 --connect-timeout 100
expect 4 'cannot write the state file' "$sim" run "$img" --port 1 --state "$tmp/no/such/dir/state.json"

exit $fail
