#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# 8 virtual readers, 8 cards, 8 `nidcard apdu` at once: each reader's
# APDUs reach its own card. Every card is a copy of the sample image with
# its own ATR and its own EF 0101; each answer is checked against its
# card's bytes, and each card's state file counts exactly the APDUs sent
# to its reader.
. "$(dirname "$0")/lib.sh"
require pcscd vpcd jq rig nidcard sim

N=8
ROUNDS=3
SEL_APP1=00A4040C09F04E49444341524401
SEL_0101=00A4020C020101
READ=00B0000000
READS=25     # READ BINARY per nidcard call

# Card i: ATR with last historical byte '0'+i (TCK recomputed: XOR of T0
# up to TCK is 0, ISO/IEC 7816-3 §8.2.5) and EF 0101 = 5A 0E "NID-...i".
base_atr=$(jq -r .atr "$SYS_IMAGE/card.json" | tr -d ' ' | tr a-f A-F)
make_image() {
	local i=$1 d="$T/img$1" hist atr x k b
	cp -R "$SYS_IMAGE" "$d" || die "cp $SYS_IMAGE"
	hist=${base_atr:2:$((${#base_atr} - 6))}   # T0 .. last historical but one
	atr="3B${hist}3$i"
	x=0
	for ((k = 2; k < ${#atr}; k += 2)); do
		b=$((16#${atr:k:2}))
		x=$((x ^ b))
	done
	atr=$atr$(printf '%02X' $x)
	jq --arg a "$atr" '.atr = $a' "$SYS_IMAGE/card.json" >"$d/card.json" ||
	    die "jq"
	{ printf '\x5A\x0E'; printf 'NID-%010d' $((7000 + i)); } >"$d/ef/5000-0101.bin"
	eval "ATR_$i=$atr"
}
for ((i = 0; i < N; i++)); do make_image $i; done
check "8 distinct ATRs" test "$(for ((i = 0; i < N; i++)); do eval echo \$ATR_$i; done | sort -u | wc -l)" -eq $N

rig_start R $N
# Insert all 8 at once, then wait for each.
t0=$(now_us)
for ((i = 0; i < N; i++)); do
	eval "port=\$R_PORT_$i"
	"$NIDSIM" run "$T/img$i" --port "$port" --state "$T/c$i.state" \
	    >"$T/c$i-sim.log" 2>&1 &
	eval "c${i}_PID=$!"
	SYS_PIDS="$SYS_PIDS $!"
done
for ((i = 0; i < N; i++)); do
	eval "reader=\$R_READER_$i"
	wait_card present "$reader" || die "card $i not visible in '$reader'"
done
say "8 cards visible after $(ms_since "$t0") ms"

nid readers --json
expect_rc 0 "readers lists 8 cards"
for ((i = 0; i < N; i++)); do
	eval "reader=\$R_READER_$i want=\$ATR_$i"
	check "reader $i shows card $i's ATR" \
	    test "$(jq -r --arg r "$reader" '.readers[] | select(.name == $r) | .atr' "$T/out")" = "$want"
done

# 8 clients at once, ROUNDS times; every client reads its card READS times.
args="$SEL_APP1 $SEL_0101"
for ((k = 0; k < READS; k++)); do args="$args $READ"; done
per_call=$((2 + READS))
t0=$(now_us)
for ((r = 0; r < ROUNDS; r++)); do
	pids=""
	for ((i = 0; i < N; i++)); do
		eval "reader=\$R_READER_$i"
		# shellcheck disable=SC2086
		timeout -k 5 "$SYS_CMD_TIMEOUT" "$NIDCARD" apdu --reader "$reader" \
		    --json $args >"$T/out$i.$r" 2>"$T/err$i.$r" &
		pids="$pids $!"
	done
	i=0
	for pid in $pids; do
		rc=0
		wait "$pid" || rc=$?
		[ $rc -eq 0 ] || fail "round $r reader $i: exit $rc: $(cat "$T/err$i.$r")"
		i=$((i + 1))
	done
done
ms=$(ms_since "$t0")
say "$((N * ROUNDS)) nidcard calls, $((N * ROUNDS * per_call)) APDUs in $ms ms"

# One jq per reader over its ROUNDS documents and its state file:
# "ATRs|distinct READ answers|exchanges per call|apdus|B0 count".
for ((i = 0; i < N; i++)); do
	eval "want_atr=\$ATR_$i"
	want=$(file_hex "$T/img$i/ef/5000-0101.bin")
	files=()
	for ((r = 0; r < ROUNDS; r++)); do files+=("$T/out$i.$r"); done
	got=$(jq -rs '[(map(.atr) | unique | join(",")),
	    (map(.exchanges[2:][] | .response) | unique | join(",")),
	    (map(.exchanges | length) | unique | map(tostring) | join(","))]
	    | join("|")' "${files[@]}")
	check "reader $i: every answer came from card $i" \
	    test "$got" = "$want_atr|$want|$per_call"
	got=$(jq -r '"\(.apdus)|\(.ins.B0)"' "$T/c$i.state")
	check "card $i counted $((ROUNDS * per_call)) APDUs, $((ROUNDS * READS)) READ BINARY" \
	    test "$got" = "$((ROUNDS * per_call))|$((ROUNDS * READS))"
done
