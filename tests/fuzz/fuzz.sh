#!/bin/sh
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# tests/fuzz/fuzz.sh — `make fuzz` (a build configured with
# --enable-fuzzing CC=clang): run each libFuzzer harness for SECONDS on a
# copy of its seed corpus, then print per harness the executions, the
# final coverage (libFuzzer's cov: and ft:) and how many new corpus files
# it found, and the corpus libFuzzer ended with (corp: units/size); secs
# is the time the run took. The lines are also appended to
# tests/fuzz/run/summary.txt, so that a run's figures can be quoted. See
# docs/fuzzing.md.
#
#   fuzz.sh SECONDS SRCDIR/tests/fuzz HARNESS...
#
# Work tree: tests/fuzz/run/<name>/ in the build dir (corpus/, artifacts/,
# log). Seeds are read from tests/fuzz/corpus/<name>/ and regress/<name>/;
# only the copy in run/<name>/corpus/ grows, and may be merged back
# (docs/fuzzing.md). Environment: FUZZ_NICE (default 10), FUZZ_ARGS (more
# libFuzzer flags), FUZZ_TIMEOUT (seconds one input may take, default
# 10; a loaded shared machine may need more), FUZZ_SHARED=1 to seed also
# from the shared real-world directories named in <name>.replay under $NID_SHARED — the new inputs
# are then derived from files that must not enter the repository, so that
# run's corpus is for local use only, never merged back.
# Exit status 1 when a harness crashed, leaked, timed out or failed an
# invariant (the input is in run/<name>/artifacts/).
set -u

secs=$1
src=$2
shift 2
nice_lvl=${FUZZ_NICE:-10}
timeout=${FUZZ_TIMEOUT:-10}
status=0

mkdir -p tests/fuzz/run
printf '%-10s %6s %12s %8s %8s %6s %14s  %s\n' harness secs execs cov ft new \
    corp result | tee -a tests/fuzz/run/summary.txt
for bin in "$@"; do
	name=${bin##*/fuzz_}
	work=tests/fuzz/run/$name
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts"
	if [ -d "$src/corpus/$name" ]; then
		cp "$src/corpus/$name"/* "$work/corpus/" 2>/dev/null || :
	fi
	before=$(find "$work/corpus" -type f | wc -l)
	seeds=""
	if [ -d "$src/regress/$name" ]; then
		seeds="$src/regress/$name"
	fi
	if [ "${FUZZ_SHARED:-0}" = 1 ] && [ -f "$src/$name.replay" ] &&
	    [ -n "${NID_SHARED:-}" ]; then
		while read -r kw dir; do
			if [ "$kw" = shared ] && [ -d "$NID_SHARED/$dir" ]; then
				seeds="$seeds $NID_SHARED/$dir"
			fi
		done <"$src/$name.replay"
	fi
	dict=""
	if [ -f "$src/$name.dict" ]; then
		dict="-dict=$src/$name.dict"
	fi
	t0=$(date +%s)
	# shellcheck disable=SC2086
	nice -n "$nice_lvl" "$bin" -max_total_time="$secs" -timeout="$timeout" \
	    -print_final_stats=1 -artifact_prefix="$work/artifacts/" $dict \
	    ${FUZZ_ARGS:-} "$work/corpus" $seeds >"$work/log" 2>&1
	rc=$?
	took=$(($(date +%s) - t0))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$work/log" | grep ' cov: ' | tail -1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[A-Za-z]*\).*/\1/p')
	after=$(find "$work/corpus" -type f | wc -l)
	if [ $rc -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $rc): $(ls "$work/artifacts" | head -3 | tr '\n' ' ')"
		status=1
	fi
	printf '%-10s %6s %12s %8s %8s %6s %14s  %s\n' "$name" "$took" \
	    "${execs:-?}" "${cov:-?}" "${ft:-?}" "$((after - before))" \
	    "${corp:-?}" "$result" | tee -a tests/fuzz/run/summary.txt
done
if [ $status -ne 0 ]; then
	echo "fuzz: a harness failed; its log and input are under tests/fuzz/run/<name>/" >&2
fi
exit $status
