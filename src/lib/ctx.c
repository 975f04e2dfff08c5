/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * ctx.c — the library context: options and the per-context error detail.
 * No thread-local buffers: each context has its own detail string.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "nid_internal.h"

int
nid_ctx_new(nid_ctx_t **out)
{
	nid_ctx_t *ctx;

	if (out == NULL)
		return NID_E_INVALID_ARG;
	*out = NULL;
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NID_E_NOMEM;
	ctx->log_level = NID_LOG_ERROR;
	*out = ctx;
	return NID_OK;
}

void
nid_ctx_free(nid_ctx_t **ctxp)
{
	if (ctxp == NULL || *ctxp == NULL)
		return;
	OPENSSL_cleanse(*ctxp, sizeof(**ctxp));
	free(*ctxp);
	*ctxp = NULL;
}

const char *
nid_ctx_detail(const nid_ctx_t *ctx)
{
	return ctx != NULL ? ctx->detail : "";
}

void
nid_ctx_clear_detail(nid_ctx_t *ctx)
{
	if (ctx != NULL)
		ctx->detail[0] = '\0';
}

int
nid_ctx_set_detail(nid_ctx_t *ctx, int rc, const char *fmt, ...)
{
	va_list ap;

	if (ctx == NULL)
		return rc;
	va_start(ap, fmt);
	(void)vsnprintf(ctx->detail, sizeof(ctx->detail), fmt, ap);
	va_end(ap);
	nid_log(ctx, NID_LOG_DEBUG, NID_LOG_CAT_GENERAL, "%s: %s",
	    nid_strerror_name(rc), ctx->detail);
	return rc;
}

int
nid_ctx_set_openssl_detail(nid_ctx_t *ctx, int rc, const char *what)
{
	char ebuf[256];
	unsigned long e;
	size_t used;

	if (ctx == NULL) {
		ERR_clear_error();
		return rc;
	}
	(void)snprintf(ctx->detail, sizeof(ctx->detail), "%s", what);
	/* Most specific reason is the earliest one queued. */
	while ((e = ERR_get_error()) != 0) {
		used = strlen(ctx->detail);
		if (used + 3 >= sizeof(ctx->detail))
			continue; /* keep draining */
		ERR_error_string_n(e, ebuf, sizeof(ebuf));
		(void)snprintf(ctx->detail + used, sizeof(ctx->detail) - used,
		    ": %s", ebuf);
	}
	return rc;
}

void
nid_ctx_set_log(nid_ctx_t *ctx, nid_log_fn *fn, void *arg,
    nid_log_level level, unsigned categories)
{
	if (ctx == NULL)
		return;
	ctx->log_fn = fn;
	ctx->log_arg = arg;
	ctx->log_level = level;
	ctx->log_cats = categories;
}

void
nid_ctx_set_sensitive(nid_ctx_t *ctx, int on)
{
	if (ctx != NULL)
		ctx->sensitive = on != 0;
}
