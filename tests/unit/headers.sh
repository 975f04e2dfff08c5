#!/bin/sh
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# Every public header compiles on its own (C and C++-safe guards), and
# every symbol exported by the version script is declared in a public
# header with a comment directly above its declaration.
set -u
src=${NID_SRCDIR:-$(dirname "$0")/../..}
build=${NID_BUILDDIR:-.}
cc=${CC:-cc}
fail=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

for h in "$src"/include/nidcard/*.h; do
	name=$(basename "$h")
	printf '#include <nidcard/%s>\nint main(void) { return 0; }\n' "$name" > "$tmp/t.c"
	if ! $cc -std=c99 -Wall -Wextra -Werror -I"$src/include" -I"$build/include" \
	    -c "$tmp/t.c" -o "$tmp/t.o" 2>"$tmp/err"; then
		echo "FAIL: nidcard/$name does not compile on its own:"; cat "$tmp/err"
		fail=1
	else
		echo "ok: nidcard/$name compiles on its own"
	fi
done

syms=$(sed -n 's/^[[:space:]]*\(nid_[a-z0-9_]*\);/\1/p' "$src/src/lib/libnidcard.sym")
for s in $syms; do
	# The declaration line, and the line before it must end a comment.
	if ! awk -v sym="$s" '
	    { if (index($0, sym "(") > 0 && prev ~ /\*\/[[:space:]]*$/) found = 1;
	      if ($0 !~ /^[[:space:]]*$/ && $0 !~ /^[[:space:]]+[a-z].*[,;]$/) prev = $0 }
	    END { exit found ? 0 : 1 }' "$src"/include/nidcard/*.h; then
		echo "FAIL: exported symbol $s has no documented declaration"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "ok: $(echo "$syms" | wc -w) exported symbols documented"
exit $fail
