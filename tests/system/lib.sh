# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# tests/system/lib.sh — sourced by every system test (bash).
#
# A test starts its own rig (private pcscd + vpcd readers, nidcard-rig)
# and its own cards (nidcard-sim run), each as a direct child so that it
# can be stopped by PID and reaped; it waits for them by readiness checks
# (the rig's READY line, PC/SC card events), never by sleeping. At exit,
# success or not, the trap stops every process by PID, then checks that no
# process whose command line names the test's private directory is left.
#
# A missing prerequisite (pcscd, the vpcd driver, a binary of the build)
# is a FAILURE with a clear message, never a skip: scripts/test installs
# the packages.
#
# Environment (from TESTS_ENVIRONMENT): NID_SRCDIR, NID_BUILDDIR.
# NID_WRAP (optional): a command with its options that every nidcard and
# nidcard-sim run goes through, e.g. valgrind (`make valgrind`,
# docs/valgrind.md): NIDCARD and NIDSIM then name small scripts that exec
# it; anything it reports ("==PID==" lines) in a log fails the test.

set -u

SYS_NAME=$(basename "$0" .sh)
SYS_SRC=${NID_SRCDIR:?NID_SRCDIR not set (run through make check)}
SYS_BUILD=${NID_BUILDDIR:?NID_BUILDDIR not set (run through make check)}
NIDCARD="$SYS_BUILD/nidcard"
NIDSIM="$SYS_BUILD/nidcard-sim"
NIDRIG="$SYS_BUILD/tests/system/nidcard-rig"
SYS_IMAGE="$SYS_SRC/tests/data/cards/plain"
# Readiness waits: generous, for a loaded 2-core CI machine. They end as
# soon as the awaited event happens.
SYS_TIMEOUT=${SYS_TIMEOUT:-30}
# Any single command: a hang is a failure, not a stuck test suite.
SYS_CMD_TIMEOUT=${SYS_CMD_TIMEOUT:-60}

SYS_PIDS=""        # every process we started, in start order
SYS_FAILS=0
SYS_CHECKS=0
now_us() { echo "${EPOCHREALTIME/./}"; }
SYS_T0=$(now_us)

T=$(mktemp -d "${TMPDIR:-/tmp}/nidsys-$SYS_NAME.XXXXXX") || exit 99

# NID_WRAP: $T/bin/nidcard and $T/bin/nidcard-sim exec the real binaries
# under it (through `libtool --mode=execute` if a binary is a libtool
# wrapper script, so the tool sees the program, not the shell).
if [ -n "${NID_WRAP:-}" ] && [ -x "$NIDCARD" ] && [ -x "$NIDSIM" ]; then
	mkdir -p "$T/bin" || exit 99
	for _b in nidcard nidcard-sim; do
		_lt=""
		[ "$(head -c 2 "$SYS_BUILD/$_b" 2>/dev/null)" != "#!" ] ||
		    _lt="$SYS_BUILD/libtool --mode=execute"
		printf '#!/bin/sh\nexec %s %s %s "$@"\n' "$_lt" "$NID_WRAP" \
		    "$SYS_BUILD/$_b" >"$T/bin/$_b"
		chmod +x "$T/bin/$_b"
	done
	NIDCARD="$T/bin/nidcard"
	NIDSIM="$T/bin/nidcard-sim"
	printf '%s: nidcard and nidcard-sim run under: %s\n' "$SYS_NAME" \
	    "$NID_WRAP"
fi

say() { printf '%s: %s\n' "$SYS_NAME" "$*"; }
ms_since() { echo $(( ($(now_us) - $1) / 1000 )); }

# Hard failure of the test's machinery (rig, card, prerequisites): stop.
die() {
	printf '%s: FAIL: %s\n' "$SYS_NAME" "$*" >&2
	SYS_FAILS=$((SYS_FAILS + 1))
	exit 1
}

# A failed check: record it and go on, so one run shows every failure.
fail() {
	printf '%s: FAIL: %s\n' "$SYS_NAME" "$*" >&2
	SYS_FAILS=$((SYS_FAILS + 1))
}

ok() {
	SYS_CHECKS=$((SYS_CHECKS + 1))
	printf '%s: ok %d - %s\n' "$SYS_NAME" "$SYS_CHECKS" "$*"
}

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		SYS_CHECKS=$((SYS_CHECKS + 1))
		fail "$desc"
	fi
}

# Is PID alive? /proc state, because here PID 1 may not reap orphans and
# `kill -0` succeeds on a zombie.
alive() {
	local line st
	{ IFS= read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
	st=${line##*) }
	st=${st%% *}
	[ "$st" != Z ] && [ "$st" != X ]
}

# Stop one process we started: SIGTERM, wait for it (reaps it); SIGKILL
# after 10 s.
stop_pid() {
	local pid=$1 n=0
	kill -TERM "$pid" 2>/dev/null || true
	while alive "$pid"; do
		n=$((n + 1))
		if [ $n -gt 1000 ]; then
			printf '%s: pid %s ignores SIGTERM, killing it\n' \
			    "$SYS_NAME" "$pid" >&2
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		# Not a readiness wait: the bounded grace period of a stop.
		sleep 0.01
	done
	wait "$pid" 2>/dev/null || true
	SYS_PIDS=$(printf '%s\n' $SYS_PIDS | grep -vx "$pid" | tr '\n' ' ')
}

# Processes whose command line names our private directory.
leftovers() {
	local f pid
	for f in $(grep -lsaF -- "$T" /proc/[0-9]*/cmdline); do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		[ "$pid" != $$ ] || continue
		alive "$pid" && echo "$pid $(tr '\0' ' ' 2>/dev/null <"$f")"
	done
}

sys_cleanup() {
	local rc=$? pid left
	trap - EXIT INT TERM HUP
	# Stop in reverse order: cards first, then the rigs.
	for pid in $(printf '%s\n' $SYS_PIDS | tac); do
		stop_pid "$pid"
	done
	# Reports of the NID_WRAP tool (valgrind: "==PID== ...") in any log.
	if [ -n "${NID_WRAP:-}" ] &&
	    grep -sE '^==[0-9]+== ' "$T"/*.log "$T"/err >"$T/wrap.report"; then
		printf '%s: FAIL: %s reported:\n' "$SYS_NAME" "${NID_WRAP%% *}" >&2
		head -n 60 "$T/wrap.report" >&2
		SYS_FAILS=$((SYS_FAILS + 1))
	fi
	left=$(leftovers)
	if [ -n "$left" ]; then
		printf '%s: FAIL: processes left behind:\n%s\n' "$SYS_NAME" \
		    "$left" >&2
		SYS_FAILS=$((SYS_FAILS + 1))
		for pid in $(echo "$left" | cut -d' ' -f1); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	fi
	if [ $SYS_FAILS -gt 0 ] || [ $rc -ne 0 ]; then
		for f in "$T"/*.log; do
			[ -s "$f" ] || continue
			printf -- '--- %s (last 40 lines) ---\n' "$f" >&2
			tail -n 40 "$f" >&2
		done
	fi
	rm -rf "$T"
	if [ $SYS_FAILS -eq 0 ] && [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
		printf '%s: FAIL: exit status %d (interrupted, or a command failed outside check)\n' \
		    "$SYS_NAME" "$rc" >&2
	fi
	if [ $SYS_FAILS -gt 0 ] && [ $rc -eq 0 ]; then
		rc=1
	fi
	say "$SYS_CHECKS checks, $SYS_FAILS failed, $(ms_since "$SYS_T0") ms"
	exit $rc
}
trap sys_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Prerequisites: fail (not skip) with what to install.
require() {
	local p
	for p in "$@"; do
		case $p in
		pcscd)
			[ -x "${NIDCARD_RIG_PCSCD:-/usr/sbin/pcscd}" ] ||
			    die "pcscd not found: install the Debian package pcscd (scripts/test does)" ;;
		vpcd)
			[ -r "${NIDCARD_RIG_VPCD:-/usr/lib/pcsc/drivers/serial/libifdvpcd.so}" ] ||
			    die "vpcd driver not found: install the Debian package vsmartcard-vpcd (scripts/test does)" ;;
		jq)
			command -v jq >/dev/null ||
			    die "jq not found: install the Debian package jq (scripts/test does)" ;;
		rig)
			[ -x "$NIDRIG" ] || die "$NIDRIG not built" ;;
		nidcard)
			[ -x "$NIDCARD" ] || die "$NIDCARD not built" ;;
		sim)
			[ -x "$NIDSIM" ] || die "$NIDSIM not built" ;;
		*)
			die "require: unknown prerequisite $p" ;;
		esac
	done
}

# rig_start NAME N [nidcard-rig options]: start a rig with N readers as a
# child and wait for its READY line (through a FIFO: no polling). Sets
# the rig's variables with prefix NAME_ (NAME_PID, NAME_SOCK,
# NAME_READER_i, NAME_PORT_i, NAME_READERS) and, for the first rig,
# exports PCSCLITE_CSOCK_NAME.
rig_start() {
	local name=$1 n=$2 t0 line ready=0 k v
	shift 2
	t0=$(now_us)
	mkfifo "$T/$name.fifo" || die "mkfifo"
	"$NIDRIG" --readers "$n" --dir "$T/$name" --log "$T/$name-pcscd.log" \
	    --timeout "$SYS_TIMEOUT" "$@" >"$T/$name.fifo" 2>"$T/$name-rig.log" &
	eval "${name}_PID=$!"
	SYS_PIDS="$SYS_PIDS $!"
	exec 8<"$T/$name.fifo"
	while IFS= read -r -t $((SYS_TIMEOUT + 10)) line <&8; do
		printf '%s\n' "$line" >>"$T/$name.env"
		case $line in
		NIDCARD_RIG_READY=1) ready=1; break ;;
		esac
	done
	exec 8<&-
	rm -f "$T/$name.fifo"
	[ $ready -eq 1 ] || die "rig $name ($n readers) did not become ready: $(cat "$T/$name-rig.log")"
	# Import as NAME_*: NIDCARD_RIG_READER_0 -> NAME_READER_0, etc.
	while IFS= read -r line; do
		k=${line%%=*}
		v=${line#*=}
		case $k in
		PCSCLITE_CSOCK_NAME) eval "${name}_SOCK=$v" ;;
		NIDCARD_RIG_PID) ;;
		NIDCARD_RIG_*) eval "${name}_${k#NIDCARD_RIG_}=$v" ;;
		esac
	done <"$T/$name.env"
	if [ -z "${PCSCLITE_CSOCK_NAME:-}" ]; then
		eval "PCSCLITE_CSOCK_NAME=\$${name}_SOCK"
		export PCSCLITE_CSOCK_NAME
	fi
	say "rig $name up with $n readers in $(ms_since "$t0") ms"
}

# rig_stop NAME: stop it by PID; its socket must be gone afterwards.
rig_stop() {
	local name=$1 pid sock
	eval "pid=\$${name}_PID sock=\$${name}_SOCK"
	stop_pid "$pid"
	[ ! -e "$sock" ] || fail "rig $name left its socket $sock"
}

# wait_card present|absent READER [SOCK]: wait for the PC/SC event.
wait_card() {
	local sock=${3:-$PCSCLITE_CSOCK_NAME}
	PCSCLITE_CSOCK_NAME=$sock "$NIDRIG" --wait "$1" "$2" \
	    --timeout "$SYS_TIMEOUT"
}

# card_start NAME IMAGE PORT READER [nidcard-sim options]: insert a card
# (a child: NAME_PID) with its state file at $T/NAME.state (none with
# NO_STATE=1: writing it after every APDU costs ~0.6 ms), then wait until
# PC/SC clients see it in READER (of the rig whose socket is $SOCK,
# default $PCSCLITE_CSOCK_NAME).
card_start() {
	local name=$1 image=$2 port=$3 reader=$4 t0
	local state=(--state "$T/$name.state")
	shift 4
	[ -z "${NO_STATE:-}" ] || state=()
	t0=$(now_us)
	"$NIDSIM" run "$image" --port "$port" "${state[@]}" "$@" \
	    >"$T/$name-sim.log" 2>&1 &
	eval "${name}_PID=$!"
	SYS_PIDS="$SYS_PIDS $!"
	if ! wait_card present "$reader" "${SOCK:-$PCSCLITE_CSOCK_NAME}"; then
		die "card $name did not appear in '$reader' (sim: $(cat "$T/$name-sim.log"))"
	fi
	grep -q "inserted into 127.0.0.1:$port" "$T/$name-sim.log" ||
	    fail "card $name: no 'inserted into 127.0.0.1:$port' line"
	CARD_MS=$(ms_since "$t0")
	say "card $name visible in '$reader' after $CARD_MS ms"
}

# card_stop NAME READER: remove the card (SIGTERM) and wait for PC/SC to
# see the reader empty.
card_stop() {
	local name=$1 reader=$2 pid
	eval "pid=\$${name}_PID"
	stop_pid "$pid"
	wait_card absent "$reader" "${SOCK:-$PCSCLITE_CSOCK_NAME}" ||
	    fail "card $name: '$reader' not empty after removal"
}

# nid ARGS...: run nidcard with a time limit; stdout in $T/out, stderr
# in $T/err, exit status in NID_RC.
nid() {
	NID_RC=0
	timeout -k 5 "$SYS_CMD_TIMEOUT" "$NIDCARD" "$@" >"$T/out" 2>"$T/err" ||
	    NID_RC=$?
	[ -z "${NID_WRAP:-}" ] ||
	    grep -sE '^==[0-9]+== ' "$T/err" >>"$T/wrap-nidcard.log" || true
	[ $NID_RC -ne 124 ] || fail "nidcard $* hung (killed after $SYS_CMD_TIMEOUT s)"
}

# expect_rc WANT DESCRIPTION: after nid, check the exit status.
expect_rc() {
	if [ "$NID_RC" -eq "$1" ]; then
		ok "$2 (exit $1)"
	else
		SYS_CHECKS=$((SYS_CHECKS + 1))
		fail "$2: exit $NID_RC, want $1; stderr: $(cat "$T/err")"
	fi
}

# Upper-case hex of a file's bytes, no separators.
file_hex() { od -An -v -tx1 "$1" | tr -d ' \n' | tr a-f A-F; }
