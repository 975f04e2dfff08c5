/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * nidcard/nidcard.h — libnidcard public API.
 *
 * Conventions (libfido2, yubico-piv-tool):
 *  - Handles are opaque. nid_X_new() creates, nid_X_free(&p) frees and sets
 *    p to NULL; free functions accept NULL.
 *  - Functions return nid_rc (nidcard/err.h); results come back through
 *    out-parameters, which are cleared on entry and set only on success.
 *  - Borrowed pointers (_ptr/_len getters) live as long as the handle they
 *    came from, unless the function's comment says otherwise.
 *  - A context is used by one thread at a time; several threads may each
 *    use their own context. The library keeps no process-global state that
 *    a per-handle call changes.
 *  - The library is silent unless a log sink is set, and its traces redact
 *    secrets and personal data unless sensitive tracing is switched on.
 */
#ifndef NIDCARD_NIDCARD_H
#define NIDCARD_NIDCARD_H

#include <stddef.h>
#include <stdint.h>

#include <nidcard/err.h>
#include <nidcard/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Run-time library version string, e.g. "0.1.0". */
const char *nid_version(void);
/** Run-time library version as 0xMMmmpp; compare with NID_VERSION_NUMBER. */
unsigned long nid_version_number(void);

/** Library context: log sink, options, last error detail. */
typedef struct nid_ctx nid_ctx_t;

/** Create a context. *out is NULL on failure. */
int nid_ctx_new(nid_ctx_t **out);
/** Free a context and set *ctxp to NULL. Accepts NULL and *ctxp == NULL. */
void nid_ctx_free(nid_ctx_t **ctxp);
/**
 * Detail for humans about the last error on this context (OpenSSL's text,
 * the raw PC/SC code, the offending field), or "" when there is none.
 * Valid until the next call on the context.
 */
const char *nid_ctx_detail(const nid_ctx_t *ctx);

/** Log levels, most severe first. */
typedef enum nid_log_level {
	NID_LOG_ERROR = 1,
	NID_LOG_WARN = 2,
	NID_LOG_INFO = 3,
	NID_LOG_DEBUG = 4
} nid_log_level;

/** Log categories (bit mask). */
#define NID_LOG_CAT_GENERAL 0x01u /**< what the library is doing */
#define NID_LOG_CAT_APDU    0x02u /**< command and response APDUs on the wire */
#define NID_LOG_CAT_SM      0x04u /**< secure messaging plaintext */
#define NID_LOG_CAT_TLV     0x08u /**< parsed data objects */
#define NID_LOG_CAT_CRYPTO  0x10u /**< crypto steps (never keys unless sensitive) */
#define NID_LOG_CAT_ALL     0x1fu

/**
 * Log sink. msg is one line without a trailing newline, valid for the call.
 */
typedef void nid_log_fn(void *arg, nid_log_level level, unsigned category,
    const char *msg);

/**
 * Send messages of at least `level` severity in `categories` to fn(arg, …).
 * fn == NULL switches logging off (the default).
 */
void nid_ctx_set_log(nid_ctx_t *ctx, nid_log_fn *fn, void *arg,
    nid_log_level level, unsigned categories);

/**
 * Sensitive tracing: when on, traces show key material, SSCs, passwords and
 * personal data in full. Off by default; a front end must only switch it on
 * when the user asks for it explicitly.
 */
void nid_ctx_set_sensitive(nid_ctx_t *ctx, int on);

#ifdef __cplusplus
}
#endif
#endif /* NIDCARD_NIDCARD_H */
