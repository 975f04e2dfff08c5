/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * file.c — read a whole file from a path a user named, with a size cap.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nid_internal.h"

int
nid_file_read(nid_ctx_t *ctx, const char *path, size_t max, uint8_t **out,
    size_t *len)
{
	FILE *fp = NULL;
	uint8_t *p = NULL;
	struct stat st;
	size_t got = 0, r;
	int rc = NID_E_IO;

	*out = NULL;
	*len = 0;
	if (max > SIZE_MAX - 2)
		return NID_E_INVALID_ARG;
	if ((fp = fopen(path, "rb")) == NULL) {
		rc = nid_ctx_set_detail(ctx, NID_E_IO, "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = nid_ctx_set_detail(ctx, NID_E_IO, "%s: not a regular file",
		    path);
		goto out;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
		rc = nid_ctx_set_detail(ctx, NID_E_TOO_LARGE,
		    "%s: larger than %zu bytes", path, max);
		goto out;
	}
	/*
	 * Read up to the cap + 1 whatever fstat said: the file may have
	 * grown since. Start with the size fstat gave and grow if needed.
	 */
	{
		size_t cap = (size_t)st.st_size + 1;

		if ((p = malloc(cap + 1)) == NULL) {
			rc = nid_ctx_set_detail(ctx, NID_E_NOMEM, "%s", path);
			goto out;
		}
		for (;;) {
			r = fread(p + got, 1, cap - got, fp);
			got += r;
			if (got > max) {
				rc = nid_ctx_set_detail(ctx, NID_E_TOO_LARGE,
				    "%s: larger than %zu bytes", path, max);
				goto out;
			}
			if (got < cap)
				break; /* end of file or error */
			cap = cap > max / 2 ? max + 1 : cap * 2;
			{
				uint8_t *np = realloc(p, cap + 1);

				if (np == NULL) {
					rc = nid_ctx_set_detail(ctx, NID_E_NOMEM,
					    "%s", path);
					goto out;
				}
				p = np;
			}
		}
	}
	if (ferror(fp)) {
		rc = nid_ctx_set_detail(ctx, NID_E_IO, "%s: read error", path);
		goto out;
	}
	p[got] = '\0';
	*out = p;
	*len = got;
	p = NULL;
	rc = NID_OK;
 out:
	if (fp != NULL)
		fclose(fp);
	free(p);
	return rc;
}
