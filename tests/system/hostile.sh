#!/bin/bash
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# hostile.sh — nidcard against the hostile virtual card, through the real
# pcscd (project issue "Hostile input"). One rig for the whole matrix; a
# PACE card issued by `nidcard-sim issue` with a test PKI (`nidcard-sim
# pki init`), EC (parameterId 13) and DH (parameterId 0), is inserted
# again for every mode with one fault switched on (docs/card-image.md
# "faults"), and the command under test runs against it.
#
# For every mode: the documented exit status (docs/nidcard.1 EXIT
# STATUS: 0, or 6 card error, never 5 for a card that merely misbehaves),
# one line on stderr holding the mode's key words, no crash (status
# < 128, no sanitizer report from nidcard or the card), no hang (every
# command bounded by `timeout`: a hang fails), nothing written by a failed
# dump, no process left behind. Modes that aim at one APDU find it in
# the clean run's trace (the sim's --trace), so the table holds whatever
# the flow's exact APDU count. Then a removal at every APDU index of the
# clean run (N from the sim's --state file): each exits 6, "card removed".
#
# The command under test is $HOSTILE_CMD (default `dump`; the lead's
# `nidcard status` reads and verifies in one go). Modes whose damage is
# in data the dump copies but does not parse (EF.SOD, DG1, DG2: column
# "then") pass the dump (exit 0) and are judged by `nidcard verify` on
# the dump: with `status` these are the modes that need status-only
# behaviour (the verdict, not a card error).
#
# NIDCARD_APDU_TIMEOUT_MS bounds each APDU (2 s here: a mute card must
# not hang nidcard; 20 s under a NID_WRAP such as valgrind).
. "$(dirname "$0")/lib.sh"
require pcscd vpcd jq rig nidcard sim

HOSTILE_CMD=${HOSTILE_CMD:-dump}
PERSON="$SYS_SRC/tests/data/persons/utopia-id.json"
CAN=123456
PKI="$T/pki"
if [ -n "${NID_WRAP:-}" ]; then
	export NIDCARD_APDU_TIMEOUT_MS=20000
else
	export NIDCARD_APDU_TIMEOUT_MS=2000
fi
# Sanitizer reports (the ASan/UBSan tree), valgrind's (make valgrind).
SAN_RE='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|^==[0-9]+== '

# ---- the cards ----------------------------------------------------------
"$NIDSIM" pki init "$PKI" --ds-key ecdsa-p256 --hash sha256 >"$T/pki.log" 2>&1 ||
    die "pki init: $(cat "$T/pki.log")"
# issue NAME ARGS...: $T/img-NAME, PACE only, the CAN, signed by the PKI.
issue() {
	local name=$1
	shift
	"$NIDSIM" issue --person "$PERSON" --out "$T/img-$name" --can "$CAN" \
	    --access pace --pki "$PKI" "$@" >"$T/issue-$name.log" 2>&1 ||
	    die "issue $name: $(cat "$T/issue-$name.log")"
}
issue ec --param-id 13
issue dh --param-id 0
issue sod10k --param-id 13 --fault sod-10000-hashes
issue cert1mb --param-id 13 --fault ds-cert-1mb
check "sod-10000-hashes: EF.SOD of more than 390 000 bytes" \
    test "$(stat -c %s "$T/img-sod10k/ef/011D.bin")" -gt 390000
check "ds-cert-1mb: EF.SOD of more than 1 000 000 bytes" \
    test "$(stat -c %s "$T/img-cert1mb/ef/011D.bin")" -gt 1000000

# Sixteen readers (pcscd's most): the matrix runs in batches of eight
# cards, in two banks of eight readers used in turn.
NREADERS=16
rig_start R "$NREADERS"
READER=$R_READER_0
PORT=$R_PORT_0

# run_cmd OUTDIR: the command under test on the card in READER.
run_cmd() {
	nid "$HOSTILE_CMD" --reader "$READER" --can "$CAN" --out "$1"
}

# no_leftover WHAT: no nidcard or nidcard-sim of ours still runs.
no_leftover() {
	local left
	left=$(leftovers | grep -E '/nidcard(-sim)? ' || true)
	check "$1: no process left behind${left:+ ($left)}" test -z "$left"
}

# sane WHAT LOG...: status < 128 and no sanitizer or valgrind report.
sane() {
	local what=$1
	shift
	check "$what: no crash (exit $NID_RC < 128)" test "$NID_RC" -lt 128
	if grep -qsE "$SAN_RE" "$@"; then
		SYS_CHECKS=$((SYS_CHECKS + 1))
		fail "$what: sanitizer report: $(grep -sE "$SAN_RE" "$@" | head -3)"
	fi
}

# err_lines: $T/err into ERR_LINES (an array) and ERR (its first line),
# with bash builtins only (each fork costs tens of ms on a busy machine).
err_lines() {
	ERR_LINES=()
	mapfile -t ERR_LINES <"$T/err"
	ERR=${ERR_LINES[0]:-}
}

# ---- the clean run: exit 0, the APDU count, the trace ------------------
card_start clean "$T/img-ec" "$PORT" "$READER" --trace
t0=$(now_us)
run_cmd "$T/out-clean"
CLEAN_MS=$(ms_since "$t0")
expect_rc 0 "clean card: $HOSTILE_CMD"
sane "clean card" "$T/err" "$T/clean-sim.log"
N=$(jq .apdus "$T/clean.state")
card_stop clean "$READER"
check "the clean run used APDUs ($N, $CLEAN_MS ms)" test "$N" -gt 10
# The trace: one "> HEX" line per APDU, in order.
grep '^> ' "$T/clean-sim.log" | cut -c3- >"$T/trace"
check "trace has the $N APDUs of the state file" \
    test "$(wc -l <"$T/trace")" -eq "$N"
# at_apdu WHAT: the index (1..N) of the first APDU that is WHAT.
at_apdu() {
	case $1 in
	GA1)  grep -nE '^..86' "$T/trace" | head -1 | cut -d: -f1 ;;
	SM1)  grep -nE '^0C' "$T/trace" | head -1 | cut -d: -f1 ;;
	SMRB) grep -nE '^0CB0' "$T/trace" | head -1 | cut -d: -f1 ;;
	LAST) echo "$N" ;;
	*)    echo "" ;;
	esac
}
for a in GA1 SM1 SMRB; do
	eval "AT_$a=\$(at_apdu $a)"
	eval "v=\$AT_$a"
	check "the clean run has a $a APDU ($v)" test -n "$v"
done
say "clean $HOSTILE_CMD: $N APDUs in $CLEAN_MS ms; GENERAL AUTHENTICATE 1 at $AT_GA1, first protected command at $AT_SM1, first protected READ BINARY at $AT_SMRB"

# ---- the matrix -----------------------------------------------------------
# mode | card | --fault (@: the APDU of "at") | at | exit | stderr words
# (grep -E) | then: verify exit and words, or -
# Exit 6 everywhere but where the card behaves well enough: a card error
# (docs/nidcard.1), never 5 ("access denied": that is a wrong CAN).
MATRIX=$(cat <<'EOF'
wrong-sw-ga|ec|wrong-sw=@|GA1|6|unexpected status word.*GENERAL AUTHENTICATE.*6F[0-9A-F]{2}|-
wrong-sw-sm|ec|wrong-sw=@|SMRB|6|unexpected status word.*READ BINARY.*6F[0-9A-F]{2}|-
wrong-sw-last|ec|wrong-sw=@|LAST|6|unexpected status word.*6F[0-9A-F]{2}|-
loop-61xx-first|ec|loop-61xx=1|-|6|61xx after 300 GET RESPONSE|-
loop-61xx-pace|ec|loop-61xx=@|GA1|6|more than the 4096 bytes expected|-
loop-61xx-sm|ec|loop-61xx=@|SMRB|6|61xx after 300 GET RESPONSE|-
bad-6cxx-first|ec|bad-6cxx=1|-|6|answered 6C[0-9A-F]{2} .*Le|-
bad-6cxx-pace|ec|bad-6cxx=@|GA1|6|answered 6C[0-9A-F]{2} to 10 86|-
bad-6cxx-sm|ec|bad-6cxx=@|SMRB|6|answered 6C[0-9A-F]{2} .*Le|-
short-answer-pace|ec|short-answer=@|GA1|6|1 bytes? (has )?no status word|-
short-answer-sm|ec|short-answer=@|SMRB|6|protected response to 0C B0: 1 byte.*no status word|-
huge-length-cardaccess|ec|huge-length=28|-|6|EF.CardAccess.*announces more than the cap|-
huge-length-com|ec|huge-length=30|-|6|EF.COM.*announces more than the cap|-
huge-length-sod|ec|huge-length=29|-|6|EF.SOD.*announces more than the cap|-
huge-length-dg2|ec|huge-length=2|-|6|DG2.*announces more than the cap|-
tlv-past-end-com|ec|tlv-past-end=30|-|6|EF.COM.*file ends at [0-9]+ bytes, its header announces|-
tlv-past-end-dg1|ec|tlv-past-end=1|-|6|DG1.*file ends at [0-9]+ bytes, its header announces|-
tlv-overrun-com|ec|tlv-overrun=30|-|6|EF.COM: malformed|-
tlv-overrun-cardaccess|ec|tlv-overrun=28|-|6|EF.CardAccess: SecurityInfos malformed|-
tlv-overrun-dg1|ec|tlv-overrun=1|-|0|^$|1 data.hashes=fail
deep-tlv-cardaccess|ec|deep-tlv=28|-|6|EF.CardAccess: SecurityInfos malformed|-
deep-tlv-sod|ec|deep-tlv=29|-|0|^$|2 EF.SOD: malformed
deep-tlv-dg2|ec|deep-tlv=2|-|0|^$|1 data.hashes=fail
bad-tlv-length|ec|bad-tlv-length|-|6|file ends at [0-9]+ bytes, its header announces|-
garbage-tlv|ec|garbage-tlv|-|6|header unusable|-
truncate|ec|truncate|-|6|file ends at [0-9]+ bytes, its header announces|-
oversized|ec|oversized|-|6|[0-9]+ bytes for Le [0-9]+|-
t0|ec|t0|-|0|^$|-
no-extended|ec|no-extended|-|0|^$|-
max-le|ec|max-le=100|-|6|secure messaging: malformed response.*not BER-TLV|-
sm-bad-mac|ec|sm_bad_mac=2|-|6|secure messaging: response MAC does not verify.*MAC \(DO'8E'\) does not verify|-
sm-stale-ssc|ec|sm_stale_ssc=3|-|6|secure messaging: response MAC does not verify.*SSC|-
sm-no-do99|ec|sm_no_do99|-|6|secure messaging: malformed response.*holds DOs \[8E\]|-
sm-no-mac|ec|sm_no_mac|-|6|secure messaging: malformed response.*holds DOs \[99\]|-
sm-bad-padding|ec|sm_bad_padding=1|-|6|secure messaging: malformed response.*holds DOs \[87 99 8E\].*padded 80 00|-
sm-plain-status|ec|sm_plain=1|-|6|secure messaging: malformed response.*9000 alone, unprotected|-
sm-plain-data|ec|sm_plain=2|-|6|secure messaging: malformed response.*holds DOs \[60\]|-
pace-bad-token|ec|pace_bad_token|-|6|card broke the protocol: PACE: .*T_IC.* does not verify|-
pace-off-curve-map|ec|pace_off_curve|-|6|PACE: bad mapping key from chip|-
pace-off-curve-ka|ec|pace_off_curve=3|-|6|PACE: bad public key from chip|-
pace-infinity-map|ec|pace_infinity|-|6|PACE: bad mapping key from chip|-
pace-infinity-ka|ec|pace_infinity=3|-|6|PACE: bad public key from chip|-
dh-zero-map|dh|pace_dh_zero|-|6|PACE: bad mapping key from chip|-
dh-one-map|dh|pace_dh_one|-|6|PACE: bad mapping key from chip|-
dh-p-minus-1-map|dh|pace_dh_p_minus_1|-|6|PACE: bad mapping key from chip|-
dh-p-map|dh|pace_dh_p|-|6|PACE: bad mapping key from chip|-
dh-zero-ka|dh|pace_dh_zero=3|-|6|PACE: bad public key from chip|-
dh-one-ka|dh|pace_dh_one=3|-|6|PACE: bad public key from chip|-
dh-p-minus-1-ka|dh|pace_dh_p_minus_1=3|-|6|PACE: bad public key from chip|-
dh-p-ka|dh|pace_dh_p=3|-|6|PACE: bad public key from chip|-
mute-first|ec|mute=1|-|6|did not answer within [0-9]+ ms|-
mute-sm|ec|mute=@|SM1|6|did not answer within [0-9]+ ms|-
slow-ok|ec|slow=20|-|0|^$|-
slow-too-slow|ec|slow=@@|-|6|did not answer within [0-9]+ ms|-
sod-10000-hashes|sod10k|-|-|0|^$|2 EF.SOD: larger than 65536 bytes
ds-cert-1mb|cert1mb|-|-|0|^$|2 EF.SOD: larger than 65536 bytes
EOF
)

# then WHAT OUT SPEC: `nidcard verify OUT --csca PKI/csca.pem --json`
# must exit with SPEC's status, and SPEC's rest is either ID=RESULT, a
# level of the verdict (nidcard.verify/1 "checks"), or words of the one
# line on stderr (grep -E).
then_verify() {
	local what=$1 out=$2 want=${3%% *} words=${3#* } got
	nid verify "$out" --csca "$PKI/csca.pem" --json
	expect_rc "$want" "$what: verify of the dump"
	sane "$what: verify" "$T/err"
	if [[ $words == *=* ]]; then
		got=$(jq -r '.checks[] | "\(.id)=\(.result)"' "$T/out" 2>/dev/null)
		check "$what: verify: $words (got: $(echo $got))" \
		    grep -qxF -- "$words" <<<"$got"
	else
		check "$what: verify says /$words/ ($(head -c 200 "$T/err"))" \
		    grep -qE -- "$words" "$T/err"
	fi
}

# ---- cards in batches ------------------------------------------------------
# vpcd polls presence every 400 ms: a card takes 0.1-0.5 s to appear and
# as long to leave. So cards go in batches of K, one per reader, into two
# banks of K readers used in turn: a batch's cards appear together, its
# commands run one by one, and while its cards leave, the next batch runs
# in the other bank.
K=$((NREADERS / 2))
# slot_start R NAME IMAGE [nidcard-sim options]: a card in reader R (a
# child: NAME_PID, state file $T/NAME.state), not waiting for PC/SC.
slot_start() {
	local r=$1 name=$2 image=$3 port
	shift 3
	eval "port=\$R_PORT_$r"
	"$NIDSIM" run "$image" --port "$port" --state "$T/$name.state" "$@" \
	    >"$T/$name-sim.log" 2>&1 &
	eval "${name}_PID=$!"
	SYS_PIDS="$SYS_PIDS $!"
}
# bank_wait present|absent BANK N: readers BANK*K .. BANK*K+N-1 show it.
bank_wait() {
	local i rd
	for ((i = $2 * K; i < $2 * K + $3; i++)); do
		eval "rd=\$R_READER_$i"
		wait_card "$1" "$rd" || die "reader $i: card not $1"
	done
}
# bank_stop BANK N: stop the cards s<reader> of the bank (by PID).
bank_stop() {
	local i pid
	for ((i = $1 * K; i < $1 * K + $2; i++)); do
		eval "pid=\$s${i}_PID"
		kill -TERM "$pid" 2>/dev/null || true
	done
	for ((i = $1 * K; i < $1 * K + $2; i++)); do
		eval "pid=\$s${i}_PID"
		stop_pid "$pid"
	done
}
BANK_N=(0 0)
# batch_start BANK: the bank's previous cards gone, ready for new ones.
batch_start() {
	bank_wait absent "$1" "${BANK_N[$1]}"
	BANK_N[$1]=0
}

# One mode in reader r (its card inserted): run, check, say.
run_mode() {
	local r=$1 mode=$2 fault=$3 want=$4 words=$5 then=$6 reader out
	eval "reader=\$R_READER_$r"
	out="$T/out-$mode"
	nid "$HOSTILE_CMD" --reader "$reader" --can "$CAN" --out "$out"
	expect_rc "$want" "$mode ($fault)"
	sane "$mode" "$T/err" "$T/s$r-sim.log"
	err_lines
	if [ "$want" -eq 0 ]; then
		check "$mode: nothing on stderr" test ${#ERR_LINES[@]} -eq 0
	else
		check "$mode: one line on stderr" test ${#ERR_LINES[@]} -eq 1
		check "$mode: stderr has /$words/ (got: $ERR)" \
		    eval '[[ $ERR =~ $words ]]'
		check "$mode: the message names no secret" \
		    eval '[[ $ERR != *$CAN* ]]'
		[ "$HOSTILE_CMD" != dump ] ||
		    check "$mode: a failed dump writes nothing" test ! -e "$out"
	fi
	say "mode $mode: ${ERR:0:240}"
	[ "$then" = - ] || then_verify "$mode" "$out" "$then"
}

nmodes=0
bank=0
mapfile -t ROWS < <(printf '%s\n' "$MATRIX" | grep -v '^$')
t0=$(now_us)
for ((b = 0; b < ${#ROWS[@]}; b += K)); do
	batch_start "$bank"
	n=0
	for ((i = 0; i < K && b + i < ${#ROWS[@]}; i++)); do
		IFS='|' read -r mode card fault at want words then <<<"${ROWS[b + i]}"
		a=""
		[ "$at" = - ] || a=$(at_apdu "$at")
		fault=${fault//@@/$((NIDCARD_APDU_TIMEOUT_MS + 1000))}
		fault=${fault//@/$a}
		args=()
		[ "$fault" = - ] || args=(--fault "$fault")
		r=$((bank * K + i))
		slot_start "$r" "s$r" "$T/img-$card" "${args[@]}"
		B_MODE[i]=$mode B_FAULT[i]=$fault B_WANT[i]=$want
		B_WORDS[i]=$words B_THEN[i]=$then
		n=$((n + 1))
	done
	BANK_N[bank]=$n
	bank_wait present "$bank" "$n"
	for ((i = 0; i < n; i++)); do
		run_mode $((bank * K + i)) "${B_MODE[i]}" "${B_FAULT[i]}" \
		    "${B_WANT[i]}" "${B_WORDS[i]}" "${B_THEN[i]}"
		nmodes=$((nmodes + 1))
	done
	bank_stop "$bank" "$n"
	no_leftover "batch $((b / K + 1))"
	bank=$((1 - bank))
done
check "$nmodes modes run" test "$nmodes" -ge 50
say "$nmodes modes in $(ms_since "$t0") ms"

# JSON: the error document of one failing mode.
batch_start "$bank"
r=$((bank * K))
slot_start "$r" "s$r" "$T/img-ec" --fault sm_bad_mac=2
BANK_N[bank]=1
bank_wait present "$bank" 1
eval "reader=\$R_READER_$r"
nid "$HOSTILE_CMD" --reader "$reader" --can "$CAN" --out "$T/out-j" --json
expect_rc 6 "sm_bad_mac=2 with --json"
check "json: nidcard.error/1, NID_E_SM_MAC, exit_code 6" \
    test "$(jq -r '[.schema, .error, .exit_code] | join(" ")' "$T/out")" = \
    "nidcard.error/1 NID_E_SM_MAC 6"
bank_stop "$bank" 1
bank=$((1 - bank))

# ---- a removal at every APDU of the clean run ----------------------------
t0=$(now_us)
for ((b = 1; b <= N; b += K)); do
	batch_start "$bank"
	n=0
	for ((i = 0; i < K && b + i <= N; i++)); do
		r=$((bank * K + i))
		slot_start "$r" "s$r" "$T/img-ec" --fault "remove-at=$((b + i))"
		n=$((n + 1))
	done
	BANK_N[bank]=$n
	bank_wait present "$bank" "$n"
	for ((i = 0; i < n; i++)); do
		k=$((b + i))
		r=$((bank * K + i))
		eval "reader=\$R_READER_$r"
		nid "$HOSTILE_CMD" --reader "$reader" --can "$CAN" --out "$T/out-r$k"
		expect_rc 6 "removed at APDU $k of $N"
		sane "remove-at=$k" "$T/err" "$T/s$r-sim.log"
		err_lines
		check "remove-at=$k: one line, 'card removed' ($ERR)" \
		    eval '[ ${#ERR_LINES[@]} -eq 1 ] && [[ $ERR == *"card removed"* ]]'
		check "remove-at=$k: nothing written" test ! -e "$T/out-r$k"
	done
	bank_stop "$bank" "$n"
	for ((i = 0; i < n; i++)); do
		r=$((bank * K + i))
		check "remove-at=$((b + i)): the card saw $((b + i)) APDUs" \
		    grep -q "card removed at APDU $((b + i)) " "$T/s$r-sim.log"
	done
	bank=$((1 - bank))
done
batch_start 0
batch_start 1
no_leftover "removals"
say "removal at each of the $N APDUs: $(ms_since "$t0") ms"
