/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz.h — shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c).
 *
 * Every harness defines LLVMFuzzerTestOneInput(). It is linked either
 * with libFuzzer (./configure --enable-fuzzing CC=clang) or with
 * replay_main.c, which runs it over the files of a corpus: `make check`
 * replays tests/fuzz/corpus/<harness>/ and tests/fuzz/regress/<harness>/.
 *
 * A harness checks invariants, not only "no crash": FUZZ_ASSERT() stays
 * on whatever NDEBUG says and aborts, which libFuzzer records as a crash
 * and the replay program as a failed test.
 */
#ifndef NID_FUZZ_H
#define NID_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static inline void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
	abort();
}

#define FUZZ_ASSERT(x) ((x) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #x))

/*
 * Split a fuzzer input into pieces (for harnesses that need several
 * inputs: card responses, a key and a message). Each piece is a 2-byte
 * big-endian length followed by that many bytes; a length running past
 * the end takes what is left. Returns 0 when the input is used up.
 */
typedef struct fuzz_split {
	const uint8_t *p;
	size_t len;
} fuzz_split;

static inline int
fuzz_split_next(fuzz_split *s, const uint8_t **piece, size_t *piece_len)
{
	size_t n;

	if (s->len < 2)
		return 0;
	n = (size_t)s->p[0] << 8 | s->p[1];
	s->p += 2;
	s->len -= 2;
	if (n > s->len)
		n = s->len;
	*piece = s->p;
	*piece_len = n;
	s->p += n;
	s->len -= n;
	return 1;
}

#endif /* NID_FUZZ_H */
