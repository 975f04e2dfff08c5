/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * err.c — nid_strerror() and nid_strerror_name(): one static table.
 */
#include "config.h"

#include "nid_internal.h"

struct nid_err_entry {
	int rc;
	const char *name;
	const char *text;
};

#define E(rc, text) { rc, #rc, text }
static const struct nid_err_entry nid_err_table[] = {
	E(NID_OK, "success"),
	E(NID_E_NO_SERVICE, "no PC/SC service (is pcscd running?)"),
	E(NID_E_NO_READER, "no smart card reader"),
	E(NID_E_NO_CARD, "no card in the reader"),
	E(NID_E_CARD_REMOVED, "card removed during the operation"),
	E(NID_E_CARD_RESET, "card reset by another application: session lost"),
	E(NID_E_READER_GONE, "reader unavailable (unplugged?)"),
	E(NID_E_TIMEOUT, "timed out"),
	E(NID_E_SHARING, "card in exclusive use by another application"),
	E(NID_E_TRANSPORT, "communication with the reader failed"),
	E(NID_E_UNRESPONSIVE, "card does not answer (mute card)"),
	E(NID_E_SW, "card returned an unexpected status word"),
	E(NID_E_SECURITY_STATUS, "security status not satisfied"),
	E(NID_E_AUTH_BLOCKED, "authentication method blocked"),
	E(NID_E_CONDITIONS, "conditions of use not satisfied"),
	E(NID_E_FILE_NOT_FOUND, "file or application not found"),
	E(NID_E_WRONG_PARAMS, "wrong parameters"),
	E(NID_E_WRONG_LENGTH, "wrong length"),
	E(NID_E_INS_NOT_SUPPORTED, "instruction not supported by the card"),
	E(NID_E_CLA_NOT_SUPPORTED, "class not supported by the card"),
	E(NID_E_VERIFY_FAILED, "verification failed"),
	E(NID_E_ACCESS_DENIED, "access denied by the card"),
	E(NID_E_CARD_PROTOCOL, "card broke the protocol"),
	E(NID_E_UNSUPPORTED_CARD, "unsupported card"),
	E(NID_E_TRUNCATED, "data truncated"),
	E(NID_E_MALFORMED, "malformed data"),
	E(NID_E_TRAILING, "unexpected bytes after the end of the data"),
	E(NID_E_TOO_LARGE, "size exceeds the limit"),
	E(NID_E_BAD_TLV, "malformed BER-TLV"),
	E(NID_E_BAD_HEX, "not a hexadecimal string"),
	E(NID_E_SM_MAC, "secure messaging: response MAC does not verify"),
	E(NID_E_SM_FORMAT, "secure messaging: malformed response"),
	E(NID_E_SM_STATE, "secure messaging: no session"),
	E(NID_E_CRYPTO, "cryptographic operation failed"),
	E(NID_E_NO_TRUST, "no trust anchor"),
	E(NID_E_INVALID_ARG, "invalid argument"),
	E(NID_E_UNSUPPORTED, "not supported"),
	E(NID_E_IO, "file input/output error"),
	E(NID_E_NOMEM, "out of memory"),
	E(NID_E_INTERNAL, "internal error"),
};
#undef E

static const struct nid_err_entry *
nid_err_lookup(int rc)
{
	size_t i;

	for (i = 0; i < NID_NELEM(nid_err_table); i++)
		if (nid_err_table[i].rc == rc)
			return &nid_err_table[i];
	return NULL;
}

const char *
nid_strerror(int rc)
{
	const struct nid_err_entry *e = nid_err_lookup(rc);

	return e != NULL ? e->text : "unknown error";
}

const char *
nid_strerror_name(int rc)
{
	const struct nid_err_entry *e = nid_err_lookup(rc);

	return e != NULL ? e->name : "NID_E_UNKNOWN";
}
