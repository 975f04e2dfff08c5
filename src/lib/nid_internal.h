/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * nid_internal.h — internal API shared by libnidcard's modules, the CLI,
 * the simulator and the tests. Not installed.
 *
 * Conventions: functions return nid_rc; out-parameters are cleared on entry
 * and written only on success; one exit per function through an `out:`
 * label; no macro hides a return or a goto.
 */
#ifndef NID_INTERNAL_H
#define NID_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <nidcard/nidcard.h>

#if defined(__GNUC__)
#define NID_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NID_WUR __attribute__((warn_unused_result))
#else
#define NID_PRINTF(f, a)
#define NID_WUR
#endif

#define NID_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Context (ctx.c, log.c)                                              */

#define NID_DETAIL_MAX 512

struct nid_ctx {
	nid_log_fn *log_fn;
	void *log_arg;
	nid_log_level log_level;
	unsigned log_cats;
	int sensitive;
	char detail[NID_DETAIL_MAX];
	long pcsc_code;  /* raw code of the last PC/SC failure (pcsc.c), 0 none */
};

/* Set the human detail of the last error; returns rc for tail calls. */
int nid_ctx_set_detail(nid_ctx_t *ctx, int rc, const char *fmt, ...)
    NID_PRINTF(3, 4);
/* Append OpenSSL's error queue (and clear it) to the context detail. */
int nid_ctx_set_openssl_detail(nid_ctx_t *ctx, int rc, const char *what);
void nid_ctx_clear_detail(nid_ctx_t *ctx);

int nid_log_enabled(const nid_ctx_t *ctx, nid_log_level level, unsigned cat);
void nid_log(const nid_ctx_t *ctx, nid_log_level level, unsigned cat,
    const char *fmt, ...) NID_PRINTF(4, 5);
/*
 * Log `label` and the bytes as hex. secret != 0 marks key material, SSCs,
 * passwords and personal data: shown only when the context is in sensitive
 * mode, otherwise replaced by "[redacted N bytes]".
 */
void nid_log_hex(const nid_ctx_t *ctx, nid_log_level level, unsigned cat,
    const char *label, const uint8_t *p, size_t len, int secret);
/*
 * Trace the data of an APDU (debug level). Unless the context is in
 * sensitive mode: PUBLIC data in full (AIDs and file identifiers of a
 * SELECT), TLV data as its first tag and length only (file contents:
 * personal data), SECRET data as its length only (nonces, keys,
 * cryptograms, anything not known to be harmless).
 */
enum nid_log_data {
	NID_LOG_DATA_SECRET = 0,
	NID_LOG_DATA_TLV,
	NID_LOG_DATA_PUBLIC
};
void nid_log_data(const nid_ctx_t *ctx, unsigned cat, const char *label,
    const uint8_t *p, size_t len, enum nid_log_data kind);

/* ------------------------------------------------------------------ */
/* Bounded read cursor (buf.c) — OpenSSH sshbuf style.                 */
/*
 * Every read checks the remaining length first and fails with
 * NID_E_TRUNCATED, leaving both the cursor and the outputs untouched.
 */
typedef struct nid_cur {
	const uint8_t *p;
	size_t len;
} nid_cur;

void nid_cur_init(nid_cur *c, const uint8_t *p, size_t len);
int nid_cur_get_u8(nid_cur *c, uint8_t *v) NID_WUR;
int nid_cur_get_be16(nid_cur *c, uint16_t *v) NID_WUR;
int nid_cur_get_be32(nid_cur *c, uint32_t *v) NID_WUR;
int nid_cur_get_bytes(nid_cur *c, uint8_t *out, size_t n) NID_WUR;
/* Borrow the next n bytes as a child cursor and advance past them. */
int nid_cur_get_cur(nid_cur *c, size_t n, nid_cur *child) NID_WUR;
int nid_cur_skip(nid_cur *c, size_t n) NID_WUR;
int nid_cur_peek_u8(const nid_cur *c, uint8_t *v) NID_WUR;

/* ------------------------------------------------------------------ */
/* Capped growable buffer (buf.c).                                     */
/*
 * Every buffer has a maximum size fixed at init; growing past it fails
 * with NID_E_TOO_LARGE. Memory is always cleansed before it is released
 * (on growth and on nid_buf_clear), so a buffer may hold secrets.
 * A zeroed struct is not valid: call nid_buf_init.
 */
typedef struct nid_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t max;
} nid_buf;

#define NID_BUF_MAX_DEFAULT (16u * 1024u * 1024u)

void nid_buf_init(nid_buf *b, size_t max);
/* Cleanse and free the storage; the buffer stays usable (empty). */
void nid_buf_clear(nid_buf *b);
/* Cleanse the contents and set the length to 0; keeps storage. */
void nid_buf_reset(nid_buf *b);
int nid_buf_reserve(nid_buf *b, size_t extra) NID_WUR;
int nid_buf_put(nid_buf *b, const void *p, size_t n) NID_WUR;
int nid_buf_put_u8(nid_buf *b, uint8_t v) NID_WUR;
int nid_buf_put_be16(nid_buf *b, uint16_t v) NID_WUR;
int nid_buf_put_be32(nid_buf *b, uint32_t v) NID_WUR;
/* Hand the storage over: *out gets the bytes (caller frees), buffer empties. */
int nid_buf_steal(nid_buf *b, uint8_t **out, size_t *out_len) NID_WUR;
/* Read cursor over the buffer's current contents. */
nid_cur nid_buf_cur(const nid_buf *b);

/* ------------------------------------------------------------------ */
/* Hex (hex.c).                                                        */

/*
 * Parse hex, ignoring spaces, tabs, newlines and ':' between byte pairs
 * (never inside one). Case-insensitive. An odd number of digits or any
 * other character fails with NID_E_BAD_HEX; *bad_pos (if not NULL) gets
 * the offset of the offending character.
 */
int nid_hex_decode(const char *s, nid_buf *out, size_t *bad_pos) NID_WUR;
/* Upper-case hex with no separators into a NUL-terminated malloc'd string. */
int nid_hex_encode(const uint8_t *p, size_t len, char **out) NID_WUR;
/* Same, into a caller buffer of at least 2*len+1 bytes. */
void nid_hex_encode_to(const uint8_t *p, size_t len, char *dst);

/* ------------------------------------------------------------------ */
/* Files (file.c).                                                     */
/*
 * Read a whole regular file into a malloc'd buffer of *len bytes followed
 * by a NUL (so text files parse as strings). NID_E_TOO_LARGE above max
 * bytes (checked while reading, not only from stat); NID_E_IO when it
 * cannot be opened, is not a regular file or fails to read. The context
 * detail (ctx may be NULL) names the path and the cause.
 */
int nid_file_read(nid_ctx_t *ctx, const char *path, size_t max,
    uint8_t **out, size_t *len) NID_WUR;

/* ------------------------------------------------------------------ */
/* BER-TLV (tlv.c) — ISO/IEC 7816-4 §5.2 / ITU-T X.690 §8.1.           */
/*
 * Tags are 1–3 bytes and returned as the big-endian integer of their bytes
 * (e.g. 0x5F1F, 0x7F61). Lengths are definite, in 1 (short form) or 2–5
 * bytes (0x81–0x84 long forms). The indefinite form (0x80) is always
 * rejected: use OpenSSL for BER structures such as CMS.
 *
 * NID_TLV_STRICT also rejects non-minimal length encodings (0x81 0x05,
 * 0x82 0x00 0x10); card data is read leniently by
 * default since real cards use long forms where short ones would do.
 */
#define NID_TLV_STRICT 0x01u

/* Read one TLV; value is a child cursor over exactly its value bytes. */
int nid_tlv_next(nid_cur *c, unsigned flags, uint32_t *tag, nid_cur *value) NID_WUR;
/* Read one TLV that must carry `tag` (else NID_E_BAD_TLV). */
int nid_tlv_expect(nid_cur *c, unsigned flags, uint32_t tag, nid_cur *value) NID_WUR;
/*
 * Find the first TLV with `tag` among the siblings in c (not recursive).
 * *found is 1 and *value set when present, 0 when absent; parse errors of
 * the siblings before it are returned as they come. c is not advanced.
 */
int nid_tlv_find(nid_cur c, unsigned flags, uint32_t tag, nid_cur *value,
    int *found) NID_WUR;
/* Read a whole structure that must be exactly one TLV with `tag`. */
int nid_tlv_single(const uint8_t *p, size_t len, unsigned flags, uint32_t tag,
    nid_cur *value) NID_WUR;
/* Is the tag constructed (bit 6 of its first byte)? */
int nid_tlv_constructed(uint32_t tag);
/* Number of bytes the tag takes on the wire (1–3). */
size_t nid_tlv_tag_size(uint32_t tag);
/*
 * Total encoded length of a TLV header: tag plus length bytes, minimal
 * encoding.
 */
size_t nid_tlv_header_size(uint32_t tag, size_t len);
/* Append a header (minimal encoding). */
int nid_tlv_put_header(nid_buf *b, uint32_t tag, size_t len) NID_WUR;
/* Append a whole TLV. */
int nid_tlv_put(nid_buf *b, uint32_t tag, const uint8_t *v, size_t n) NID_WUR;
/*
 * Total length (header + value) of the TLV at the start of p, from its
 * header alone: how READ BINARY learns a file's size from its first bytes.
 * NID_E_TRUNCATED when p is too short to hold the header.
 */
int nid_tlv_total_len(const uint8_t *p, size_t len, size_t *total) NID_WUR;

/* ------------------------------------------------------------------ */
/* APDU encoding (apdu.c) — ISO/IEC 7816-4 §5.1.                       */
/*
 * Ne (expected response length) is 0 for "no Le field" (cases 1 and 3);
 * otherwise 1..256 for short and 1..65536 for extended (256 and 65536 are
 * encoded as 00 and 0000: "as many as available").
 */
#define NID_NE_SHORT_MAX 256u
#define NID_NE_EXT_MAX 65536u
#define NID_NC_SHORT_MAX 255u
#define NID_NC_EXT_MAX 65535u

typedef struct nid_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data; /* Nc bytes, borrowed */
	size_t nc;
	size_t ne;
} nid_apdu;

/* Does the APDU need extended length (Nc > 255 or Ne > 256)? */
int nid_apdu_needs_extended(const nid_apdu *a);
/*
 * Encode. extended forces the extended form even when short would do;
 * an APDU that needs it is always encoded extended.
 */
int nid_apdu_encode(const nid_apdu *a, int extended, nid_buf *out) NID_WUR;
/*
 * Decode a command APDU (the card side: the simulator). data points into
 * p. *extended tells which form was used. Rejects every malformed form
 * (ISO/IEC 7816-4 §5.1 table 1 / 2) with NID_E_MALFORMED.
 */
int nid_apdu_decode(const uint8_t *p, size_t len, nid_apdu *a,
    int *extended) NID_WUR;

/* ------------------------------------------------------------------ */
/* Transports (transport.c and one file per backend).                  */
/*
 * A transport moves raw APDU bytes to a card and back. Backends: pcsc.c
 * (the only file that includes winscard.h), the in-process virtual card,
 * and a replay backend. Secure messaging wraps a transport in another.
 *
 * transmit: cmd/cmd_len in; the response (data ‖ SW1 SW2) into rsp, whose
 * capacity is *rsp_len on entry; *rsp_len is the response length on
 * return. A response longer than the capacity fails with NID_E_TOO_LARGE.
 */
#define NID_RSP_MAX (65536u + 2u)

typedef struct nid_transport nid_transport_t;

struct nid_transport_ops {
	const char *name;
	int (*transmit)(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
	    uint8_t *rsp, size_t *rsp_len);
	/* Warm reset of the card; any session on it is lost. */
	int (*reset)(nid_transport_t *t);
	/* ATR into atr (capacity *atr_len on entry, at least 33). */
	int (*get_atr)(nid_transport_t *t, uint8_t *atr, size_t *atr_len);
	/* Exclusive access around a multi-APDU operation (may be NULL). */
	int (*begin)(nid_transport_t *t);
	int (*end)(nid_transport_t *t);
	/* Release the backend's resources; impl is freed here. */
	void (*close)(nid_transport_t *t);
};

struct nid_transport {
	const struct nid_transport_ops *ops;
	void *impl;
	nid_ctx_t *ctx;  /* borrowed: logging and error details */
	/* Counters for benchmarks and tests. */
	unsigned long apdus;
	unsigned long bytes_out;
	unsigned long bytes_in;
};

/* Allocate a transport with the given ops and impl (ownership of impl
 * passes to the transport: close frees it). */
int nid_transport_new(nid_ctx_t *ctx, const struct nid_transport_ops *ops,
    void *impl, nid_transport_t **out) NID_WUR;
/* Close (ops->close) and free; sets *tp to NULL. */
void nid_transport_free(nid_transport_t **tp);
/* Raw transmit through the vtable, with counters and the APDU trace. */
int nid_transport_transmit(nid_transport_t *t, const uint8_t *cmd,
    size_t cmd_len, uint8_t *rsp, size_t *rsp_len) NID_WUR;
int nid_transport_reset(nid_transport_t *t) NID_WUR;
int nid_transport_get_atr(nid_transport_t *t, uint8_t *atr, size_t *atr_len) NID_WUR;
int nid_transport_begin(nid_transport_t *t) NID_WUR;
int nid_transport_end(nid_transport_t *t) NID_WUR;

#endif /* NID_INTERNAL_H */
