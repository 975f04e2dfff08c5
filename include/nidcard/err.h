/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * nidcard/err.h — the one error enum of libnidcard.
 *
 * Errors mean "could not do or check it" (no reader, card removed, wrong
 * CAN, malformed response). A verification that ran and failed is not an
 * error: it is a report entry (see nidcard.h).
 *
 * Values are grouped in ranges; the range is the error's class and maps to
 * the CLI's exit code (nidcard(1), EXIT STATUS). Values are stable: new
 * codes are appended inside their range, none is renumbered.
 */
#ifndef NIDCARD_ERR_H
#define NIDCARD_ERR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nid_rc {
	NID_OK = 0,

	/* 100–199 transport: PC/SC service, readers, card presence */
	NID_E_NO_SERVICE = 100,   /* no PC/SC service (pcscd not running) */
	NID_E_NO_READER,          /* no reader, or the named reader does not exist */
	NID_E_NO_CARD,            /* no card in the reader */
	NID_E_CARD_REMOVED,       /* card removed during the operation */
	NID_E_CARD_RESET,         /* card reset by another application: session lost */
	NID_E_READER_GONE,        /* reader unplugged during the operation */
	NID_E_TIMEOUT,            /* no answer or no event within the time allowed */
	NID_E_SHARING,            /* card held exclusively by another application */
	NID_E_TRANSPORT,          /* other transport failure (raw code kept) */
	NID_E_UNRESPONSIVE,       /* card does not answer to reset (mute) */

	/* 200–299 card: status words and card behaviour */
	NID_E_SW = 200,           /* unexpected status word (raw SW kept) */
	NID_E_SECURITY_STATUS,    /* 6982 security status not satisfied */
	NID_E_AUTH_BLOCKED,       /* 6983 authentication method blocked */
	NID_E_CONDITIONS,         /* 6985 conditions of use not satisfied */
	NID_E_FILE_NOT_FOUND,     /* 6A82 file or application not found */
	NID_E_WRONG_PARAMS,       /* 6A86 / 6B00 / 6A81 wrong parameters */
	NID_E_WRONG_LENGTH,       /* 6700 wrong length */
	NID_E_INS_NOT_SUPPORTED,  /* 6D00 instruction not supported */
	NID_E_CLA_NOT_SUPPORTED,  /* 6E00 class not supported */
	NID_E_VERIFY_FAILED,      /* 63Cx verification failed, x tries left */
	NID_E_ACCESS_DENIED,      /* the card refused the access key (CAN/MRZ) */
	NID_E_CARD_PROTOCOL,      /* the card broke the protocol (61xx loop, bad 6Cxx, …) */
	NID_E_UNSUPPORTED_CARD,   /* the card lacks the application or feature needed */

	/* 300–399 parse: bytes from a card, a file or a user are malformed */
	NID_E_TRUNCATED = 300,    /* data ends before the structure does */
	NID_E_MALFORMED,          /* structure is not what the standard says */
	NID_E_TRAILING,           /* bytes left over after a complete structure */
	NID_E_TOO_LARGE,          /* a size exceeds its cap */
	NID_E_BAD_TLV,            /* BER-TLV encoding error */
	NID_E_BAD_HEX,            /* not a hexadecimal string */

	/* 400–499 secure messaging */
	NID_E_SM_MAC = 400,       /* response MAC does not verify */
	NID_E_SM_FORMAT,          /* SM response data objects malformed or missing */
	NID_E_SM_STATE,           /* no SM session, or SSC exhausted */

	/* 500–599 crypto and verification machinery */
	NID_E_CRYPTO = 500,       /* OpenSSL failed (its text is in the context detail) */
	NID_E_NO_TRUST,           /* no trust anchor available */

	/* 600–699 usage */
	NID_E_INVALID_ARG = 600,  /* invalid argument from the caller or user */
	NID_E_UNSUPPORTED,        /* option or algorithm not supported */
	NID_E_IO,                 /* file could not be read or written */

	/* 700–799 internal */
	NID_E_NOMEM = 700,        /* out of memory */
	NID_E_INTERNAL            /* bug: please report */
} nid_rc;

/** Human text for an error, e.g. "card removed". Never NULL. */
const char *nid_strerror(int rc);
/** Symbolic name, e.g. "NID_E_CARD_REMOVED" (the JSON "error" field). Never NULL. */
const char *nid_strerror_name(int rc);

#ifdef __cplusplus
}
#endif
#endif /* NIDCARD_ERR_H */
