#!/bin/sh
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# tests/fuzz/replay.sh — `make check` driver for tests/fuzz/<name>.replay.
# Runs the harness tests/fuzz/fuzz_<name> (of the build tree) once over
# every file of tests/fuzz/corpus/<name>/ and tests/fuzz/regress/<name>/,
# and over the shared real-world corpus directories that the .replay file
# names ("shared DIR", relative to $NID_SHARED) when they exist.
#
# The files are passed one by one, never as directories: the replay build
# (replay_main.c) and a libFuzzer build (--enable-fuzzing) then both run
# each input exactly once.
set -eu

spec=$1
name=$(basename "$spec" .replay)
src=$(dirname "$spec")
bin=${NID_BUILDDIR:-.}/tests/fuzz/fuzz_$name

if [ ! -x "$bin" ]; then
	echo "replay: $bin not built" >&2
	exit 99
fi

list=$(mktemp)
trap 'rm -f "$list"' EXIT INT TERM

add_dir() {
	find "$1" -type f ! -name '.*' | LC_ALL=C sort >>"$list"
}

for d in "$src/corpus/$name" "$src/regress/$name"; do
	if [ -d "$d" ]; then
		add_dir "$d"
	fi
done
nown=$(wc -l <"$list")

while read -r kw dir; do
	case $kw in
	shared)
		if [ -n "${NID_SHARED:-}" ] && [ -d "$NID_SHARED/$dir" ]; then
			add_dir "$NID_SHARED/$dir"
		else
			echo "SKIP shared inputs $dir: \$NID_SHARED/$dir absent"
		fi
		;;
	esac
done <"$spec"
ntotal=$(wc -l <"$list")

if [ "$ntotal" -eq 0 ]; then
	echo "replay: no inputs for $name" >&2
	exit 1
fi
echo "replay: $name: $nown own inputs, $((ntotal - nown)) shared"

set --
while read -r f; do
	set -- "$@" "$f"
done <"$list"
exec "$bin" "$@"
