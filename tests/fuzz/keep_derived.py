#!/usr/bin/env python3
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# tests/fuzz/keep_derived.py — before merging a corpus grown with
# FUZZ_SHARED=1 back into tests/fuzz/corpus/<name>/: remove every unit
# that shares a run of WINDOW bytes (default 32) with any file of the
# shared real-world directories, so that what enters the repository is
# made by the fuzzer, not a copy or a near copy of real-world data
# (docs/fuzzing.md, tests/fuzz/README.md).
#
#   keep_derived.py [-w WINDOW] CORPUS_DIR SHARED_DIR...
#
# Prints how many units were kept and removed.
import os
import sys


def files(d):
    for root, _, names in os.walk(d):
        for n in sorted(names):
            if not n.startswith("."):
                yield os.path.join(root, n)


def main(argv):
    w = 32
    if len(argv) > 2 and argv[1] == "-w":
        w = int(argv[2])
        argv = argv[2:]
    if len(argv) < 3:
        sys.exit("usage: keep_derived.py [-w WINDOW] CORPUS_DIR SHARED_DIR...")
    corpus, shared = argv[1], argv[2:]
    windows = set()
    for d in shared:
        for f in files(d):
            b = open(f, "rb").read()
            for i in range(len(b) - w + 1):
                windows.add(b[i:i + w])
    kept = removed = 0
    for f in files(corpus):
        b = open(f, "rb").read()
        if any(b[i:i + w] in windows for i in range(len(b) - w + 1)):
            os.unlink(f)
            removed += 1
        else:
            kept += 1
    print("keep_derived: %d kept, %d removed (a %d-byte run of a shared "
          "file)" % (kept, removed, w))


if __name__ == "__main__":
    main(sys.argv)
