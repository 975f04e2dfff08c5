/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * testutil.h — small helpers for the Check suites.
 */
#ifndef NID_TESTUTIL_H
#define NID_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "nid_internal.h"

/* Decode a hex literal from a test table into a fresh buffer (aborts the
 * test on a typo in the table). */
static inline nid_buf
tu_hex(const char *hex)
{
	nid_buf b;
	size_t bad;

	nid_buf_init(&b, NID_BUF_MAX_DEFAULT);
	ck_assert_msg(nid_hex_decode(hex, &b, &bad) == NID_OK,
	    "bad hex in test table at %zu: %s", bad, hex);
	return b;
}

/* Assert that the bytes equal the hex literal. */
static inline void
tu_assert_hex(const uint8_t *got, size_t got_len, const char *hex)
{
	nid_buf want = tu_hex(hex);
	char *got_hex = NULL;

	ck_assert(nid_hex_encode(got, got_len, &got_hex) == NID_OK);
	ck_assert_msg(want.len == got_len &&
	    (got_len == 0 || memcmp(want.p, got, got_len) == 0),
	    "bytes differ:\n  got  %s\n  want %s", got_hex, hex);
	free(got_hex);
	nid_buf_clear(&want);
}

/* Path of a file under ../shared (the corpus and vectors), or NULL when
 * the shared folder is absent: callers then skip visibly. */
static inline const char *
tu_shared_dir(void)
{
	const char *s = getenv("NID_SHARED");
	static char path[4096];

	if (s == NULL) {
#ifdef NID_SRCDIR
		snprintf(path, sizeof(path), "%s/../shared", NID_SRCDIR);
		s = path;
#else
		return NULL;
#endif
	}
	{
		FILE *fp;
		char probe[4200];

		snprintf(probe, sizeof(probe), "%s/DESIGN.md", s);
		if ((fp = fopen(probe, "r")) == NULL)
			return NULL;
		fclose(fp);
	}
	return s;
}

/*
 * Read ../shared/REL into b (initialised here, 1 MiB cap). Returns 1 when
 * read, 0 when the shared folder or the file is absent (callers then skip
 * visibly with tu_skip).
 */
static inline int
tu_read_shared(const char *rel, nid_buf *b)
{
	const char *dir = tu_shared_dir();
	char path[4200];
	uint8_t *p = NULL;
	size_t len = 0;

	nid_buf_init(b, 1024 * 1024);
	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (nid_file_read(NULL, path, b->max, &p, &len) != NID_OK)
		return 0;
	ck_assert_int_eq(nid_buf_put(b, p, len), NID_OK);
	free(p);
	return 1;
}

/* Print a visible SKIP line (Check has no skip status). */
#define tu_skip(why) do {						\
	fprintf(stderr, "SKIP %s: %s\n", __func__, (why));		\
	return;								\
} while (0)

/* Run one suite; exit status for the test driver. */
static inline int
tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* NID_TESTUTIL_H */
