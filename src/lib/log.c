/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * log.c — per-context log sink. Silent unless a sink is set; secrets are
 * redacted unless the context is in sensitive mode.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "nid_internal.h"

#define NID_LOG_LINE_MAX 1024

int
nid_log_enabled(const nid_ctx_t *ctx, nid_log_level level, unsigned cat)
{
	return ctx != NULL && ctx->log_fn != NULL && level <= ctx->log_level &&
	    (ctx->log_cats & cat) != 0;
}

void
nid_log(const nid_ctx_t *ctx, nid_log_level level, unsigned cat,
    const char *fmt, ...)
{
	char line[NID_LOG_LINE_MAX];
	va_list ap;

	if (!nid_log_enabled(ctx, level, cat))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_arg, level, cat, line);
	OPENSSL_cleanse(line, sizeof(line));
}

void
nid_log_hex(const nid_ctx_t *ctx, nid_log_level level, unsigned cat,
    const char *label, const uint8_t *p, size_t len, int secret)
{
	char *hex = NULL;

	if (!nid_log_enabled(ctx, level, cat))
		return;
	if (secret && !ctx->sensitive) {
		nid_log(ctx, level, cat, "%s [redacted %zu bytes]", label, len);
		return;
	}
	if (nid_hex_encode(p, len, &hex) != NID_OK) {
		nid_log(ctx, level, cat, "%s [%zu bytes, out of memory]", label, len);
		return;
	}
	/* Long values are cut in the line; the length is always stated. */
	nid_log(ctx, level, cat, "%s (%zu) %.1800s%s", label, len, hex,
	    len > 900 ? "…" : "");
	OPENSSL_cleanse(hex, 2 * len);
	free(hex);
}

void
nid_log_data(const nid_ctx_t *ctx, unsigned cat, const char *label,
    const uint8_t *p, size_t len, enum nid_log_data kind)
{
	nid_cur c;
	uint32_t tag;
	nid_cur v;

	if (!nid_log_enabled(ctx, NID_LOG_DEBUG, cat))
		return;
	if (ctx->sensitive || kind == NID_LOG_DATA_PUBLIC) {
		nid_log_hex(ctx, NID_LOG_DEBUG, cat, label, p, len, 0);
		return;
	}
	nid_cur_init(&c, p, len);
	if (kind == NID_LOG_DATA_TLV &&
	    nid_tlv_next(&c, 0, &tag, &v) == NID_OK)
		nid_log(ctx, NID_LOG_DEBUG, cat, "%s (%zu) tag %X, length %zu "
		    "[contents redacted]", label, len, (unsigned)tag, v.len);
	else
		nid_log(ctx, NID_LOG_DEBUG, cat, "%s [redacted %zu bytes]",
		    label, len);
}
