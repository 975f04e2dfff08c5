#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# The test rig itself (tests/system/nidcard-rig.c, docs/rig.md): two rigs
# at once stay apart, readers come in pairs, 0 readers works, a stop
# leaves nothing behind, pcscd dying stops the rig, and missing
# prerequisites fail with a message that says what to install.
. "$(dirname "$0")/lib.sh"
require pcscd vpcd rig sim

# Two rigs at once, 2 and 3 (→ 4) readers.
rig_start A 2
rig_start B 3
check "rig A has 2 readers" test "$A_READERS" -eq 2
check "rig B rounds 3 readers up to 4" test "$B_READERS" -eq 4
check "rigs have their own sockets" test "$A_SOCK" != "$B_SOCK"
check "reader names are 'nidcard vpcd E 00 0S'" \
    test "$B_READER_0|$B_READER_1|$B_READER_2|$B_READER_3" = \
    "nidcard vpcd 0 00 00|nidcard vpcd 0 00 01|nidcard vpcd 1 00 00|nidcard vpcd 1 00 01"
ports="$A_PORT_0 $A_PORT_1 $B_PORT_0 $B_PORT_1 $B_PORT_2 $B_PORT_3"
check "all vpcd ports distinct" \
    test "$(printf '%s\n' $ports | sort -u | wc -l)" -eq 6
check "ports come in pairs P, P+1" \
    test $((A_PORT_1 - A_PORT_0)) -eq 1 -a $((B_PORT_3 - B_PORT_2)) -eq 1
check "driver copies, not symlinks" \
    test -f "$T/B/drivers/libifdvpcd-1.so" -a ! -L "$T/B/drivers/libifdvpcd-1.so"

# A card in rig B's reader 1 is seen there, and not in rig A (same names).
SOCK=$B_SOCK card_start c "$SYS_IMAGE" "$B_PORT_1" "$B_READER_1"
check "card present in rig B" wait_card present "$B_READER_1" "$B_SOCK"
check "rig A's reader of the same name stays empty" \
    wait_card absent "$B_READER_1" "$A_SOCK"
check "an unknown reader is an error" \
    bash -c "! PCSCLITE_CSOCK_NAME='$B_SOCK' '$NIDRIG' --wait absent 'no such reader' -t 5 2>/dev/null"
SOCK=$B_SOCK card_stop c "$B_READER_1"

# A port taken between the probe and pcscd's bind: pcscd's log says "init
# failed" and the rig starts again on other ports (here: rig A's port).
NIDCARD_RIG_TEST_PORT=$A_PORT_0 rig_start C 2
check "busy port: retried on other ports" test "$C_PORT_0" != "$A_PORT_0"
check "busy port: the retry is logged" grep -q "retrying with other ports" "$T/C-rig.log"
check "busy port: pcscd said init failed" grep -q "init failed" "$T/C-pcscd.log"
rig_stop C

# Stop B: pcscd gone, socket and directory gone, rig A unaffected.
b_pcscd=$B_PCSCD_PID
rig_stop B
check "rig B's pcscd stopped" bash -c "! test -e /proc/$b_pcscd/cmdline || grep -q Z /proc/$b_pcscd/stat"
check "rig B removed its directory" test ! -e "$T/B"
check "rig B kept the log it was given" test -s "$T/B-pcscd.log"
check "rig A still answers" wait_card absent "$A_READER_0" "$A_SOCK"

# pcscd dying on its own stops the rig (exit 1), which cleans up.
kill -KILL "$A_PCSCD_PID"
rc=0
wait "$A_PID" || rc=$?
SYS_PIDS=$(printf '%s\n' $SYS_PIDS | grep -vx "$A_PID" | tr '\n' ' ')
check "rig exits 1 when pcscd dies" test $rc -eq 1
check "and removes its directory" test ! -e "$T/A"

# No readers: pcscd runs, lists none.
rig_start Z 0
check "0 readers" test "$Z_READERS" -eq 0
rig_stop Z

# Refusals, with a reason a person can act on.
mkdir "$T/busy" && touch "$T/busy/x"
out=$("$NIDRIG" --dir "$T/busy" 2>&1) && fail "a non-empty --dir was accepted"
check "non-empty --dir refused" grep -q "not empty" <<<"$out"
out=$(NIDCARD_RIG_PCSCD=/nonexistent/pcscd "$NIDRIG" --dir "$T/x" 2>&1)
check "missing pcscd: exit 1" test $? -eq 1
check "missing pcscd: says which package" grep -q "Debian package pcscd" <<<"$out"
out=$(NIDCARD_RIG_VPCD=/nonexistent/vpcd.so "$NIDRIG" --dir "$T/x" 2>&1)
check "missing vpcd: says which package" grep -q "vsmartcard-vpcd" <<<"$out"
out=$("$NIDRIG" --readers 17 2>&1)
check "more than 16 readers: usage error" test $? -eq 2
check "nothing left in $T/x" test ! -e "$T/x"
