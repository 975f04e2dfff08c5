/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * replay_main.c — main() for a fuzz harness built without libFuzzer: run
 * LLVMFuzzerTestOneInput() once over every file named on the command
 * line and every file under every directory named (recursively, in name
 * order, dot files skipped). Each input is copied into a heap block of
 * exactly its size, so a sanitizer build catches reads past its end.
 *
 * Exit status: 0 when at least one input ran; 1 when none was found or
 * an argument could not be read. A failing invariant aborts.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define REPLAY_FILE_MAX (16u * 1024u * 1024u)  /* larger inputs are refused */
#define REPLAY_DEPTH_MAX 8

static unsigned long nrun;

static int
run_file(const char *path, size_t size)
{
	FILE *fp;
	uint8_t *buf;
	int ok;

	if (size > REPLAY_FILE_MAX) {
		fprintf(stderr, "replay: %s: larger than %u bytes\n", path,
		    REPLAY_FILE_MAX);
		return -1;
	}
	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* malloc(0) may return NULL: keep a valid pointer for size 0. */
	if ((buf = malloc(size == 0 ? 1 : size)) == NULL) {
		fclose(fp);
		fprintf(stderr, "replay: %s: out of memory\n", path);
		return -1;
	}
	ok = fread(buf, 1, size, fp) == size;
	fclose(fp);
	if (!ok) {
		free(buf);
		fprintf(stderr, "replay: %s: short read\n", path);
		return -1;
	}
	(void)LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	nrun++;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, int depth);

static int
run_dir(const char *path, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, **tmp, *child;
	size_t n = 0, cap = 0, i, clen;
	int rc = 0;

	if (depth > REPLAY_DEPTH_MAX) {
		fprintf(stderr, "replay: %s: nested too deep\n", path);
		return -1;
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((tmp = realloc(names, cap * sizeof(*names))) == NULL) {
				rc = -1;
				break;
			}
			names = tmp;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		if (rc == 0) {
			clen = strlen(path) + strlen(names[i]) + 2;
			if ((child = malloc(clen)) == NULL)
				rc = -1;
			else {
				snprintf(child, clen, "%s/%s", path, names[i]);
				if (run_path(child, depth + 1) != 0)
					rc = -1;
				free(child);
			}
		}
		free(names[i]);
	}
	free(names);
	if (rc != 0)
		fprintf(stderr, "replay: %s: failed\n", path);
	return rc;
}

static int
run_path(const char *path, int depth)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return run_dir(path, depth);
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "replay: %s: not a file or directory\n", path);
		return -1;
	}
	return run_file(path, (size_t)st.st_size);
}

int
main(int argc, char **argv)
{
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file|directory ...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (run_path(argv[i], 0) != 0)
			rc = 1;
	}
	printf("replay: %lu inputs run\n", nrun);
	if (nrun == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		rc = 1;
	}
	return rc;
}
