/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * fuzz_atrlist.c — the smartcard_list.txt matcher (atrlist.c).
 *
 * Input: piece 1 a list file (pcsc-tools format), piece 2 an ATR, in the
 * 2-byte length framing of fuzz_split_next(). Invariants:
 *  - the list loads or fails with a documented code; every match is a
 *    NUL-terminated name, never more than the entries loaded;
 *  - the ATR line of each pattern test is anchored: the ATR written as
 *    "3B 8F …" matches itself, matches with any digit replaced by '.',
 *    with ".*" at its end, and no longer matches with a byte appended;
 *  - nid_atrlist_pattern_match on each line of the list file returns
 *    -1, 0 or 1.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nid_internal.h"
#include "atrlist.h"
#include "fuzz.h"

static char list_path[64];

static void
remove_list(void)
{
	if (list_path[0] != '\0')
		(void)unlink(list_path);
}

/* The list goes through a file: nid_atrlist_load reads a path. */
static int
write_list(const uint8_t *p, size_t n)
{
	FILE *fp;
	int fd, ok;

	if (list_path[0] == '\0') {
		snprintf(list_path, sizeof(list_path), "/tmp/fuzz_atrlist.XXXXXX");
		if ((fd = mkstemp(list_path)) < 0) {
			list_path[0] = '\0';
			return -1;
		}
		close(fd);
		(void)atexit(remove_list);
	}
	if ((fp = fopen(list_path, "wb")) == NULL)
		return -1;
	ok = fwrite(p, 1, n, fp) == n;
	return fclose(fp) == 0 && ok ? 0 : -1;
}

/* The ATR as the list writes it: "3B 8F 80". */
static void
atr_text(const uint8_t *atr, size_t n, char *out)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (i > 0)
			out[o++] = ' ';
		out[o++] = hx[atr[i] >> 4];
		out[o++] = hx[atr[i] & 15];
	}
	out[o] = '\0';
}

static void
check_anchoring(const uint8_t *atr, size_t n, unsigned sel)
{
	char pat[3 * 34 + 8];
	size_t len;

	if (n == 0 || n > 33)
		return;
	atr_text(atr, n, pat);
	FUZZ_ASSERT(nid_atrlist_pattern_match(pat, atr, n) == 1);
	len = strlen(pat);
	/* one hex digit (byte sel/2 mod n, high or low) as '.' */
	pat[(sel % (n * 2)) / 2 * 3 + sel % 2] = '.';
	FUZZ_ASSERT(nid_atrlist_pattern_match(pat, atr, n) == 1);
	memcpy(pat + len, " ..", 4);
	FUZZ_ASSERT(nid_atrlist_pattern_match(pat, atr, n) == 0);
	memcpy(pat + len, ".*", 3);
	FUZZ_ASSERT(nid_atrlist_pattern_match(pat, atr, n) == 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_split sp = { data, size };
	const uint8_t *list = NULL, *atr = NULL;
	size_t list_len = 0, atr_len = 0, n = 0, i;
	nid_atrlist_t *l = NULL;
	const char **names = NULL;
	char *line, *s, *e;
	int rc;

	if (!fuzz_split_next(&sp, &list, &list_len))
		return 0;
	(void)fuzz_split_next(&sp, &atr, &atr_len);

	check_anchoring(atr, atr_len, size > 0 ? data[size - 1] : 0);

	/* Each line of the list as a pattern. */
	if (atr_len <= 33 && list_len < 4096) {
		FUZZ_ASSERT((line = malloc(list_len + 1)) != NULL);
		memcpy(line, list, list_len);
		line[list_len] = '\0';
		for (s = line; *s != '\0'; s = e) {
			if ((e = strchr(s, '\n')) != NULL)
				*e++ = '\0';
			else
				e = s + strlen(s);
			rc = nid_atrlist_pattern_match(s, atr, atr_len);
			FUZZ_ASSERT(rc >= -1 && rc <= 1);
		}
		free(line);
	}

	if (write_list(list, list_len) != 0)
		return 0;
	rc = nid_atrlist_load(NULL, list_path, &l);
	if (rc != NID_OK) {
		FUZZ_ASSERT(l == NULL);
		FUZZ_ASSERT(rc == NID_E_IO || rc == NID_E_TOO_LARGE ||
		    rc == NID_E_NOMEM);
		return 0;
	}
	FUZZ_ASSERT(l != NULL);
	rc = nid_atrlist_match(l, atr, atr_len, &names, &n);
	FUZZ_ASSERT(rc == NID_OK);
	FUZZ_ASSERT(n <= nid_atrlist_count(l));
	FUZZ_ASSERT((n == 0) == (names == NULL));
	if (atr_len == 0 || atr_len > 33)
		FUZZ_ASSERT(n == 0);
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(names[i] != NULL);
		(void)strlen(names[i]);
	}
	free(names);
	nid_atrlist_free(&l);
	FUZZ_ASSERT(l == NULL);
	return 0;
}
