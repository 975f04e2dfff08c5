/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * transport.c — the transport vtable's common front: counters and the
 * APDU trace. Backends: pcsc.c, the in-process virtual card, replay.
 *
 * The trace shows command headers and response status words always; the
 * bodies only where they can hold no secret. Bodies are logged as secret
 * (redacted unless sensitive) because, below secure messaging, a body may
 * carry a password-derived value (VERIFY, MUTUAL AUTHENTICATE) and, above
 * it, personal data.
 */
#include "config.h"

#include <stdlib.h>

#include "nid_internal.h"

int
nid_transport_new(nid_ctx_t *ctx, const struct nid_transport_ops *ops,
    void *impl, nid_transport_t **out)
{
	nid_transport_t *t;

	*out = NULL;
	if (ops == NULL || ops->transmit == NULL)
		return NID_E_INVALID_ARG;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NID_E_NOMEM;
	t->ops = ops;
	t->impl = impl;
	t->ctx = ctx;
	*out = t;
	return NID_OK;
}

void
nid_transport_free(nid_transport_t **tp)
{
	nid_transport_t *t;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	if (t->ops->close != NULL)
		t->ops->close(t);
	free(t);
	*tp = NULL;
}

int
nid_transport_transmit(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	int rc;

	if (cmd_len < 4)
		return NID_E_INVALID_ARG;
	if (nid_log_enabled(t->ctx, NID_LOG_DEBUG, NID_LOG_CAT_APDU)) {
		nid_log(t->ctx, NID_LOG_DEBUG, NID_LOG_CAT_APDU,
		    "> %02X %02X %02X %02X (%zu bytes)", cmd[0], cmd[1],
		    cmd[2], cmd[3], cmd_len);
		/* A plain SELECT names a file or an application: public. */
		if (cmd_len > 4)
			nid_log_data(t->ctx, NID_LOG_CAT_APDU, ">  body",
			    cmd + 4, cmd_len - 4, cmd[1] == 0xA4 &&
			    (cmd[0] & 0x0C) == 0 ? NID_LOG_DATA_PUBLIC :
			    NID_LOG_DATA_SECRET);
	}
	t->apdus++;
	t->bytes_out += cmd_len;
	rc = t->ops->transmit(t, cmd, cmd_len, rsp, rsp_len);
	if (rc != NID_OK) {
		nid_log(t->ctx, NID_LOG_DEBUG, NID_LOG_CAT_APDU, "< %s",
		    nid_strerror_name(rc));
		return rc;
	}
	t->bytes_in += *rsp_len;
	if (nid_log_enabled(t->ctx, NID_LOG_DEBUG, NID_LOG_CAT_APDU)) {
		if (*rsp_len >= 2)
			nid_log(t->ctx, NID_LOG_DEBUG, NID_LOG_CAT_APDU,
			    "< %02X%02X (%zu data bytes)", rsp[*rsp_len - 2],
			    rsp[*rsp_len - 1], *rsp_len - 2);
		/* A plain READ BINARY answers file contents: tag and
		 * length only. */
		if (*rsp_len > 2)
			nid_log_data(t->ctx, NID_LOG_CAT_APDU, "<  data", rsp,
			    *rsp_len - 2, (cmd[1] == 0xB0 || cmd[1] == 0xB1) &&
			    (cmd[0] & 0x0C) == 0 ? NID_LOG_DATA_TLV :
			    NID_LOG_DATA_SECRET);
	}
	return NID_OK;
}

int
nid_transport_reset(nid_transport_t *t)
{
	if (t->ops->reset == NULL)
		return NID_E_UNSUPPORTED;
	return t->ops->reset(t);
}

int
nid_transport_get_atr(nid_transport_t *t, uint8_t *atr, size_t *atr_len)
{
	if (t->ops->get_atr == NULL)
		return NID_E_UNSUPPORTED;
	return t->ops->get_atr(t, atr, atr_len);
}

int
nid_transport_begin(nid_transport_t *t)
{
	return t->ops->begin != NULL ? t->ops->begin(t) : NID_OK;
}

int
nid_transport_end(nid_transport_t *t)
{
	return t->ops->end != NULL ? t->ops->end(t) : NID_OK;
}
