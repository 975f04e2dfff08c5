/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * pcsc.c — the PC/SC transport over pcsc-lite; the only file of nidcard
 * that includes <winscard.h> (see pcsc.h).
 *
 * libpcsclite picks the pcscd socket itself (PCSCLITE_CSOCK_NAME, else
 * /run/pcscd/pcscd.comm); nothing here reads the environment.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <winscard.h>

#include "nid_internal.h"
#include "pcsc.h"

/* ---- error codes ----------------------------------------------------- */

struct pcsc_err {
	long code;
	const char *name;
	int rc;
};

#define P(code, rc) { (long)(code), #code, (rc) }
static const struct pcsc_err pcsc_errs[] = {
	P(SCARD_S_SUCCESS, NID_OK),
	P(SCARD_E_NO_SERVICE, NID_E_NO_SERVICE),
	P(SCARD_E_SERVICE_STOPPED, NID_E_NO_SERVICE),
	P(SCARD_E_NO_READERS_AVAILABLE, NID_E_NO_READER),
	P(SCARD_E_UNKNOWN_READER, NID_E_NO_READER),
	P(SCARD_E_READER_UNAVAILABLE, NID_E_READER_GONE),
	P(SCARD_E_NO_SMARTCARD, NID_E_NO_CARD),
	P(SCARD_W_REMOVED_CARD, NID_E_CARD_REMOVED),
	P(SCARD_W_RESET_CARD, NID_E_CARD_RESET),
	P(SCARD_E_SHARING_VIOLATION, NID_E_SHARING),
	P(SCARD_E_TIMEOUT, NID_E_TIMEOUT),
	P(SCARD_W_UNRESPONSIVE_CARD, NID_E_UNRESPONSIVE),
	P(SCARD_W_UNPOWERED_CARD, NID_E_UNRESPONSIVE),
	P(SCARD_W_UNSUPPORTED_CARD, NID_E_UNSUPPORTED_CARD),
	P(SCARD_E_CARD_UNSUPPORTED, NID_E_UNSUPPORTED_CARD),
	/*
	 * Transaction failures: pcsc.c checks the card's presence and
	 * reports NID_E_CARD_REMOVED when it is gone. pcsc-lite 1.9.9 has no
	 * SCARD_E_TRANSACTION_FAILED: a transmit to a card that died gives
	 * SCARD_E_NOT_TRANSACTED, whose pcsc_stringify_error() text is
	 * "Transaction failed." (measured, /work/shared/RIG.md).
	 */
	P(SCARD_E_NOT_TRANSACTED, NID_E_TRANSPORT),
#ifdef SCARD_E_TRANSACTION_FAILED
	P(SCARD_E_TRANSACTION_FAILED, NID_E_TRANSPORT),
#endif
	P(SCARD_E_NO_MEMORY, NID_E_NOMEM),
	P(SCARD_E_INSUFFICIENT_BUFFER, NID_E_TOO_LARGE),
	P(SCARD_E_INVALID_PARAMETER, NID_E_INVALID_ARG),
	P(SCARD_E_INVALID_VALUE, NID_E_INVALID_ARG),
	P(SCARD_E_INVALID_HANDLE, NID_E_TRANSPORT),
	P(SCARD_E_PROTO_MISMATCH, NID_E_TRANSPORT),
	P(SCARD_E_NOT_READY, NID_E_TRANSPORT),
	P(SCARD_E_CANCELLED, NID_E_TRANSPORT),
	P(SCARD_E_SYSTEM_CANCELLED, NID_E_TRANSPORT),
	P(SCARD_E_COMM_DATA_LOST, NID_E_TRANSPORT),
	P(SCARD_E_SERVER_TOO_BUSY, NID_E_TRANSPORT),
	P(SCARD_E_UNSUPPORTED_FEATURE, NID_E_UNSUPPORTED),
	P(SCARD_E_READER_UNSUPPORTED, NID_E_TRANSPORT),
	P(SCARD_F_COMM_ERROR, NID_E_TRANSPORT),
	P(SCARD_F_INTERNAL_ERROR, NID_E_TRANSPORT),
	P(SCARD_F_UNKNOWN_ERROR, NID_E_TRANSPORT),
	P(SCARD_F_WAITED_TOO_LONG, NID_E_TRANSPORT),
};
#undef P

static const struct pcsc_err *
pcsc_err_lookup(long code)
{
	size_t i;

	for (i = 0; i < NID_NELEM(pcsc_errs); i++)
		if (pcsc_errs[i].code == code)
			return &pcsc_errs[i];
	return NULL;
}

int
nid_pcsc_map_error(long code)
{
	const struct pcsc_err *e = pcsc_err_lookup(code);

	return e != NULL ? e->rc : NID_E_TRANSPORT;
}

const char *
nid_pcsc_code_name(long code)
{
	const struct pcsc_err *e = pcsc_err_lookup(code);

	return e != NULL ? e->name : "SCARD_UNKNOWN";
}

long
nid_pcsc_last_code(const nid_ctx_t *ctx)
{
	return ctx != NULL ? ctx->pcsc_code : 0;
}

static void
pcsc_clear(nid_ctx_t *ctx)
{
	if (ctx != NULL)
		ctx->pcsc_code = 0;
}

/*
 * Record a PC/SC failure: the raw code as a number and, in the detail,
 * the function, pcsc-lite's text and the symbolic name. rc is the nid_rc
 * to return (usually nid_pcsc_map_error(code)).
 */
static int
pcsc_fail(nid_ctx_t *ctx, int rc, LONG code, const char *fn)
{
	if (ctx != NULL)
		ctx->pcsc_code = (long)code;
	return nid_ctx_set_detail(ctx, rc, "%s: %s (%s 0x%08lX)", fn,
	    pcsc_stringify_error(code), nid_pcsc_code_name((long)code),
	    (unsigned long)code & 0xffffffffUL);
}

/* ---- the reader multi-string ------------------------------------------ */

void
nid_pcsc_names_free(char ***names, size_t n)
{
	size_t i;

	if (names == NULL || *names == NULL)
		return;
	for (i = 0; i < n; i++)
		free((*names)[i]);
	free(*names);
	*names = NULL;
}

int
nid_pcsc_parse_multistring(const char *ms, size_t len, char ***names,
    size_t *n)
{
	char **v = NULL, *s;
	size_t count = 0, pos = 0, slen, i;
	int rc = NID_E_MALFORMED, ended = 0;

	*names = NULL;
	*n = 0;
	if (ms == NULL || len == 0 || ms[len - 1] != '\0')
		goto out;
	/* The empty list: pcsc-lite's "\0", or "\0\0" (both NUL-ended). */
	if (len == 1 || (len == 2 && ms[0] == '\0')) {
		if ((v = calloc(1, sizeof(*v))) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		goto done;
	}
	if (len > NID_PCSC_LIST_BYTES_MAX) {
		rc = NID_E_TOO_LARGE;
		goto out;
	}
	if ((v = calloc(NID_PCSC_READERS_MAX, sizeof(*v))) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	while (pos < len) {
		/* ms[len - 1] is NUL, so the string ends inside the buffer. */
		for (slen = 0; ms[pos + slen] != '\0'; slen++)
			;
		if (slen == 0) {
			/* The empty string ends the list: at the last byte. */
			if (pos + 1 != len) {
				rc = NID_E_MALFORMED;
				goto out;
			}
			ended = 1;
			break;
		}
		if (slen > NID_PCSC_NAME_MAX || count >= NID_PCSC_READERS_MAX) {
			rc = NID_E_TOO_LARGE;
			goto out;
		}
		for (i = 0; i < slen; i++) {
			if ((unsigned char)ms[pos + i] < 0x20 ||
			    (unsigned char)ms[pos + i] == 0x7f)
				goto out; /* NID_E_MALFORMED */
		}
		if ((s = malloc(slen + 1)) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		memcpy(s, ms + pos, slen + 1);
		v[count++] = s;
		pos += slen + 1;
	}
	if (!ended)
		goto out; /* a single NUL at the end: no list terminator */
done:
	*names = v;
	*n = count;
	v = NULL;
	rc = NID_OK;
out:
	if (v != NULL)
		nid_pcsc_names_free(&v, count);
	return rc;
}

/*
 * SCardListReaders into names. No readers is not an error here (*n 0).
 * Readers plugged in between the two calls: try again, a few times.
 */
static int
pcsc_list_names(nid_ctx_t *ctx, SCARDCONTEXT hctx, char ***names, size_t *n)
{
	char *buf = NULL;
	DWORD len, len2;
	LONG r = SCARD_S_SUCCESS;
	int rc = NID_E_TRANSPORT, tries;

	*names = NULL;
	*n = 0;
	for (tries = 0; tries < 3; tries++) {
		free(buf);
		buf = NULL;
		len = 0;
		r = SCardListReaders(hctx, NULL, NULL, &len);
		if (r == SCARD_E_NO_READERS_AVAILABLE)
			break;
		if (r != SCARD_S_SUCCESS) {
			rc = pcsc_fail(ctx, nid_pcsc_map_error(r), r,
			    "SCardListReaders");
			goto out;
		}
		if (len == 0 || len > NID_PCSC_LIST_BYTES_MAX) {
			rc = nid_ctx_set_detail(ctx, NID_E_TOO_LARGE,
			    "SCardListReaders: list of %lu bytes",
			    (unsigned long)len);
			goto out;
		}
		if ((buf = calloc(1, len)) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		len2 = len;
		r = SCardListReaders(hctx, NULL, buf, &len2);
		if (r == SCARD_E_INSUFFICIENT_BUFFER)
			continue;
		if (r == SCARD_E_NO_READERS_AVAILABLE)
			break;
		if (r != SCARD_S_SUCCESS) {
			rc = pcsc_fail(ctx, nid_pcsc_map_error(r), r,
			    "SCardListReaders");
			goto out;
		}
		if (len2 > len) {
			rc = nid_ctx_set_detail(ctx, NID_E_MALFORMED,
			    "SCardListReaders: wrote %lu of %lu bytes",
			    (unsigned long)len2, (unsigned long)len);
			goto out;
		}
		if ((rc = nid_pcsc_parse_multistring(buf, len2, names,
		    n)) != NID_OK)
			rc = nid_ctx_set_detail(ctx, rc,
			    "SCardListReaders: malformed reader list (%s)",
			    nid_strerror(rc));
		goto out;
	}
	if (r == SCARD_E_NO_READERS_AVAILABLE) {
		if ((*names = calloc(1, sizeof(**names))) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		rc = NID_OK;
		goto out;
	}
	rc = pcsc_fail(ctx, nid_pcsc_map_error(r), r, "SCardListReaders");
out:
	free(buf);
	return rc;
}

static int
pcsc_establish(nid_ctx_t *ctx, SCARDCONTEXT *hctx)
{
	LONG r;

	r = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, hctx);
	if (r != SCARD_S_SUCCESS)
		return pcsc_fail(ctx, nid_pcsc_map_error(r), r,
		    "SCardEstablishContext");
	return NID_OK;
}

/* ---- listing ------------------------------------------------------------ */

void
nid_pcsc_list_free(nid_reader_info **list, size_t n)
{
	size_t i;

	if (list == NULL || *list == NULL)
		return;
	for (i = 0; i < n; i++)
		free((*list)[i].name);
	free(*list);
	*list = NULL;
}

static void
pcsc_fill_info(nid_reader_info *ri, const SCARD_READERSTATE *st)
{
	DWORD s = st->dwEventState;

	ri->state = (unsigned long)s;
	ri->present = (s & SCARD_STATE_PRESENT) != 0;
	ri->in_use = (s & SCARD_STATE_INUSE) != 0;
	ri->exclusive = (s & SCARD_STATE_EXCLUSIVE) != 0;
	ri->mute = (s & SCARD_STATE_MUTE) != 0;
	ri->atr_len = 0;
	if (ri->present && st->cbAtr <= NID_ATR_MAX) {
		memcpy(ri->atr, st->rgbAtr, st->cbAtr);
		ri->atr_len = st->cbAtr;
	}
}

int
nid_pcsc_list(nid_ctx_t *ctx, nid_reader_info **out, size_t *n)
{
	SCARDCONTEXT hctx = 0;
	SCARD_READERSTATE *st = NULL;
	nid_reader_info *list = NULL;
	char **names = NULL;
	size_t count = 0, i;
	int have_ctx = 0, rc, tries;
	LONG r;

	*out = NULL;
	*n = 0;
	pcsc_clear(ctx);
	if ((rc = pcsc_establish(ctx, &hctx)) != NID_OK)
		goto out;
	have_ctx = 1;
	for (tries = 0; tries < 3; tries++) {
		nid_pcsc_names_free(&names, count);
		free(st);
		st = NULL;
		count = 0;
		if ((rc = pcsc_list_names(ctx, hctx, &names, &count)) != NID_OK)
			goto out;
		if (count == 0) {
			rc = pcsc_fail(ctx, NID_E_NO_READER,
			    SCARD_E_NO_READERS_AVAILABLE, "SCardListReaders");
			goto out;
		}
		if ((st = calloc(count, sizeof(*st))) == NULL) {
			rc = NID_E_NOMEM;
			goto out;
		}
		for (i = 0; i < count; i++) {
			st[i].szReader = names[i];
			st[i].dwCurrentState = SCARD_STATE_UNAWARE;
		}
		/* Timeout 0: the current state, never a wait. */
		r = SCardGetStatusChange(hctx, 0, st, (DWORD)count);
		if (r == SCARD_E_UNKNOWN_READER)
			continue; /* unplugged since the list: list again */
		if (r != SCARD_S_SUCCESS && r != SCARD_E_TIMEOUT) {
			rc = pcsc_fail(ctx, nid_pcsc_map_error(r), r,
			    "SCardGetStatusChange");
			goto out;
		}
		break;
	}
	if (tries == 3) {
		rc = pcsc_fail(ctx, NID_E_NO_READER, SCARD_E_UNKNOWN_READER,
		    "SCardGetStatusChange");
		goto out;
	}
	if ((list = calloc(count, sizeof(*list))) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	for (i = 0; i < count; i++) {
		list[i].name = names[i];
		names[i] = NULL;
		pcsc_fill_info(&list[i], &st[i]);
	}
	*out = list;
	*n = count;
	list = NULL;
	rc = NID_OK;
out:
	nid_pcsc_list_free(&list, count);
	nid_pcsc_names_free(&names, count);
	free(st);
	if (have_ctx)
		(void)SCardReleaseContext(hctx);
	return rc;
}

/* ---- picking a reader ------------------------------------------------- */

/* "'a', 'b'" into dst (truncated with "…" when long). */
static void
pcsc_join(char *dst, size_t dsz, const nid_reader_info *list, size_t n,
    const size_t *which, size_t nwhich)
{
	size_t i, used = 0;
	int w;

	dst[0] = '\0';
	for (i = 0; i < nwhich && which[i] < n; i++) {
		w = snprintf(dst + used, dsz - used, "%s'%s'", i ? ", " : "",
		    list[which[i]].name);
		if (w < 0 || (size_t)w >= dsz - used) {
			if (dsz > 4)
				memcpy(dst + dsz - 4, "...", 4);
			return;
		}
		used += (size_t)w;
	}
}

int
nid_pcsc_pick_reader(nid_ctx_t *ctx, const nid_reader_info *list, size_t n,
    const char *want, size_t *idx)
{
	size_t *hits = NULL, nhits = 0, i;
	char names[NID_DETAIL_MAX - 96];
	int rc;

	*idx = 0;
	if (n == 0)
		return nid_ctx_set_detail(ctx, NID_E_NO_READER,
		    "no smart card reader");
	if (want != NULL && *want == '\0')
		return nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "empty reader name");
	if ((hits = calloc(n, sizeof(*hits))) == NULL)
		return NID_E_NOMEM;
	if (want != NULL) {
		for (i = 0; i < n; i++) {
			if (strcmp(list[i].name, want) == 0) {
				*idx = i;
				rc = NID_OK;
				goto out;
			}
		}
		for (i = 0; i < n; i++)
			if (strstr(list[i].name, want) != NULL)
				hits[nhits++] = i;
	} else {
		for (i = 0; i < n; i++)
			if (list[i].present)
				hits[nhits++] = i;
	}
	if (nhits == 1) {
		*idx = hits[0];
		rc = NID_OK;
		goto out;
	}
	if (nhits == 0) {
		for (i = 0; i < n; i++)
			hits[i] = i;
		pcsc_join(names, sizeof(names), list, n, hits, n);
		if (want != NULL)
			rc = nid_ctx_set_detail(ctx, NID_E_NO_READER,
			    "no reader matches '%s' (readers: %s)", want, names);
		else
			rc = nid_ctx_set_detail(ctx, NID_E_NO_CARD,
			    "no card in %s%s", n == 1 ? "" : "any of ", names);
		goto out;
	}
	pcsc_join(names, sizeof(names), list, n, hits, nhits);
	if (want != NULL)
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "'%s' matches several readers: %s", want, names);
	else
		rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
		    "cards in several readers, name one: %s", names);
out:
	free(hits);
	return rc;
}

/* ---- the transport -------------------------------------------------- */

/* PCSC_STUCK: a transmit got no answer in time and still blocks. */
enum { PCSC_LIVE = 0, PCSC_RESET, PCSC_REMOVED, PCSC_STUCK };

struct pcsc {
	SCARDCONTEXT hctx;
	SCARDHANDLE hcard;
	DWORD proto;
	int have_ctx, have_card, in_tx;
	char *reader;    /* the reader's name, for presence checks */
	int lost;        /* PCSC_RESET / PCSC_REMOVED: the session is gone */
	uint8_t *buf;    /* NID_RSP_MAX */
	unsigned timeout_ms; /* per transmit; 0: wait for ever */
};

static const SCARD_IO_REQUEST *
pcsc_pci(DWORD proto)
{
	return proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
}

/*
 * How long a failed exchange may wait for the reader to report the card
 * gone. vpcd polls presence every 400 ms (docs/rig.md), so right after a
 * card died pcscd may still list it as present; real readers report
 * removal by interrupt, well within this.
 */
#define PCSC_REMOVAL_CONFIRM_MS 1000

/*
 * Is the card gone? Asked only after an exchange failed: SCardStatus
 * first (pcscd knows already), then the reader's state, waiting up to
 * PCSC_REMOVAL_CONFIRM_MS for a removal event. Another card event (the
 * card taken out and put back) counts as removal too: it is not the card
 * we had. *reset is set when PC/SC reports a reset instead.
 */
static int
pcsc_card_gone(struct pcsc *p, int *reset)
{
	DWORD rlen = 0, state = 0, proto = 0, alen = MAX_ATR_SIZE, cnt;
	SCARD_READERSTATE st;
	BYTE atr[MAX_ATR_SIZE];
	LONG r;

	*reset = 0;
	r = SCardStatus(p->hcard, NULL, &rlen, &state, &proto, atr, &alen);
	if (r == SCARD_W_RESET_CARD) {
		*reset = 1;
		return 0;
	}
	if (r == SCARD_W_REMOVED_CARD || r == SCARD_E_NO_SMARTCARD ||
	    r == SCARD_E_READER_UNAVAILABLE)
		return 1;
	if (r == SCARD_S_SUCCESS && (state & SCARD_PRESENT) == 0)
		return 1;
	if (p->reader == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	st.szReader = p->reader;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	if (SCardGetStatusChange(p->hctx, 0, &st, 1) != SCARD_S_SUCCESS)
		return 0;
	if ((st.dwEventState & SCARD_STATE_PRESENT) == 0)
		return 1;
	/* The upper 16 bits count the reader's card events. */
	cnt = st.dwEventState >> 16;
	st.dwCurrentState = st.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	r = SCardGetStatusChange(p->hctx, PCSC_REMOVAL_CONFIRM_MS, &st, 1);
	if (r != SCARD_S_SUCCESS)
		return 0; /* SCARD_E_TIMEOUT: still there */
	return (st.dwEventState & SCARD_STATE_PRESENT) == 0 ||
	    (st.dwEventState >> 16) != cnt;
}

/* Map a failure of an operation on the card handle, marking lost state. */
static int
pcsc_card_fail(nid_transport_t *t, LONG r, const char *fn)
{
	struct pcsc *p = t->impl;
	int rc = nid_pcsc_map_error(r), reset;

	switch (r) {
	case SCARD_W_RESET_CARD:
		p->lost = PCSC_RESET;
		break;
	case SCARD_W_REMOVED_CARD:
	case SCARD_E_NO_SMARTCARD:
		p->lost = PCSC_REMOVED;
		rc = NID_E_CARD_REMOVED;
		break;
	case SCARD_E_NOT_TRANSACTED:
#ifdef SCARD_E_TRANSACTION_FAILED
	case SCARD_E_TRANSACTION_FAILED:
#endif
		if (pcsc_card_gone(p, &reset)) {
			p->lost = PCSC_REMOVED;
			rc = NID_E_CARD_REMOVED;
		} else if (reset) {
			p->lost = PCSC_RESET;
			rc = NID_E_CARD_RESET;
		}
		break;
	default:
		break;
	}
	return pcsc_fail(t->ctx, rc, r, fn);
}

static int
pcsc_lost(nid_transport_t *t)
{
	struct pcsc *p = t->impl;

	if (p->lost == PCSC_RESET)
		return nid_ctx_set_detail(t->ctx, NID_E_CARD_RESET,
		    "session lost: the card was reset; open it again");
	if (p->lost == PCSC_STUCK)
		return nid_ctx_set_detail(t->ctx, NID_E_TIMEOUT,
		    "the card did not answer within %u ms (a mute card); the "
		    "connection is abandoned", p->timeout_ms);
	return nid_ctx_set_detail(t->ctx, NID_E_CARD_REMOVED,
	    "the card was removed");
}

/*
 * One SCardTransmit on a thread of its own (nid_pcsc_set_timeout). A
 * mute card behind a driver that never times out (vpcd does not; a CCID
 * reader gives up after the card's waiting time) would otherwise block
 * the caller for ever. The call owns copies of the command and a
 * response buffer, and is freed by whichever side lets go last: the
 * caller after the answer, or the thread if the caller gave up on it.
 */
struct pcsc_call {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs, done;
	SCARDHANDLE hcard;
	DWORD proto;
	uint8_t *cmd;
	DWORD cmd_len;
	uint8_t *buf;   /* NID_RSP_MAX */
	DWORD rlen;
	LONG r;
};

static void
pcsc_call_unref(struct pcsc_call *c)
{
	int last;

	(void)pthread_mutex_lock(&c->mu);
	last = --c->refs == 0;
	(void)pthread_mutex_unlock(&c->mu);
	if (!last)
		return;
	(void)pthread_cond_destroy(&c->cv);
	(void)pthread_mutex_destroy(&c->mu);
	if (c->buf != NULL)
		OPENSSL_cleanse(c->buf, NID_RSP_MAX);
	if (c->cmd != NULL)
		OPENSSL_cleanse(c->cmd, c->cmd_len);
	free(c->buf);
	free(c->cmd);
	free(c);
}

static void *
pcsc_call_run(void *arg)
{
	struct pcsc_call *c = arg;
	LONG r;

	r = SCardTransmit(c->hcard, pcsc_pci(c->proto), c->cmd, c->cmd_len,
	    NULL, c->buf, &c->rlen);
	(void)pthread_mutex_lock(&c->mu);
	c->r = r;
	c->done = 1;
	(void)pthread_cond_signal(&c->cv);
	(void)pthread_mutex_unlock(&c->mu);
	pcsc_call_unref(c);
	return NULL;
}

/*
 * SCardTransmit into p->buf, giving up after p->timeout_ms: then the
 * transport is PCSC_STUCK for good (pcsc-lite serialises the calls of a
 * context, so every later one would block behind the stuck call; its
 * handles are left to the process's exit) and NID_E_TIMEOUT is returned.
 */
static int
pcsc_transmit_timed(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    DWORD *rlen, LONG *r)
{
	struct pcsc *p = t->impl;
	struct pcsc_call *c;
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t tid;
	struct timespec dl;
	int err = 0, ok;

	if (p->timeout_ms == 0) {
		*r = SCardTransmit(p->hcard, pcsc_pci(p->proto), cmd,
		    (DWORD)cmd_len, NULL, p->buf, rlen);
		return NID_OK;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->cmd = malloc(cmd_len > 0 ? cmd_len : 1)) == NULL ||
	    (c->buf = malloc(NID_RSP_MAX)) == NULL) {
		if (c != NULL) {
			free(c->cmd);
			free(c);
		}
		return NID_E_NOMEM;
	}
	memcpy(c->cmd, cmd, cmd_len);
	c->cmd_len = (DWORD)cmd_len;
	c->rlen = *rlen;
	c->hcard = p->hcard;
	c->proto = p->proto;
	c->refs = 2;
	ok = pthread_mutex_init(&c->mu, NULL) == 0;
	if (ok && pthread_condattr_init(&ca) == 0) {
		ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
		    pthread_cond_init(&c->cv, &ca) == 0;
		(void)pthread_condattr_destroy(&ca);
	} else
		ok = 0;
	if (ok && pthread_attr_init(&ta) == 0) {
		ok = pthread_attr_setdetachstate(&ta,
		    PTHREAD_CREATE_DETACHED) == 0 &&
		    pthread_create(&tid, &ta, pcsc_call_run, c) == 0;
		(void)pthread_attr_destroy(&ta);
	} else
		ok = 0;
	if (!ok) {
		/* No thread: nothing else holds c (mutex and cv are zeroed
		 * or initialised; destroying either is harmless here). */
		c->refs = 1;
		pcsc_call_unref(c);
		return nid_ctx_set_detail(t->ctx, NID_E_INTERNAL,
		    "cannot start the transmit thread");
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += (time_t)(p->timeout_ms / 1000);
	dl.tv_nsec += (long)(p->timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	/* Until the answer, the deadline, or an error of the wait itself
	 * (cond_timedwait never returns EINTR). */
	(void)pthread_mutex_lock(&c->mu);
	while (!c->done && err == 0)
		err = pthread_cond_timedwait(&c->cv, &c->mu, &dl);
	if (c->done) {
		*r = c->r;
		*rlen = c->rlen;
		if (c->r == SCARD_S_SUCCESS && c->rlen <= NID_RSP_MAX)
			memcpy(p->buf, c->buf, c->rlen);
	}
	ok = c->done;
	(void)pthread_mutex_unlock(&c->mu);
	pcsc_call_unref(c);
	if (ok)
		return NID_OK;
	p->lost = PCSC_STUCK;
	p->in_tx = 0;
	return nid_ctx_set_detail(t->ctx, NID_E_TIMEOUT, "SCardTransmit: "
	    "the card did not answer within %u ms (a mute card); the "
	    "connection is abandoned", p->timeout_ms);
}

static int
pcsc_transmit(nid_transport_t *t, const uint8_t *cmd, size_t cmd_len,
    uint8_t *rsp, size_t *rsp_len)
{
	struct pcsc *p = t->impl;
	DWORD rlen = NID_RSP_MAX;
	size_t cap = *rsp_len;
	LONG r = SCARD_F_INTERNAL_ERROR;
	int rc, reset;

	*rsp_len = 0;
	pcsc_clear(t->ctx);
	if (p->lost != PCSC_LIVE)
		return pcsc_lost(t);
	if (cmd_len > NID_RSP_MAX)
		return NID_E_TOO_LARGE;
	if ((rc = pcsc_transmit_timed(t, cmd, cmd_len, &rlen, &r)) != NID_OK)
		goto out;
	if (r != SCARD_S_SUCCESS) {
		rc = pcsc_card_fail(t, r, "SCardTransmit");
		goto out;
	}
	if (rlen < 2 && pcsc_card_gone(p, &reset)) {
		/* vpcd answers nothing for a card that died mid-exchange. */
		p->lost = PCSC_REMOVED;
		rc = nid_ctx_set_detail(t->ctx, NID_E_CARD_REMOVED,
		    "SCardTransmit: %lu-byte response, and the card is gone",
		    (unsigned long)rlen);
		goto out;
	}
	if (rlen > cap || rlen > NID_RSP_MAX) {
		rc = nid_ctx_set_detail(t->ctx, NID_E_TOO_LARGE,
		    "response of %lu bytes", (unsigned long)rlen);
		goto out;
	}
	memcpy(rsp, p->buf, rlen);
	*rsp_len = rlen;
	rc = NID_OK;
out:
	OPENSSL_cleanse(p->buf, NID_RSP_MAX);
	return rc;
}

static int
pcsc_reset(nid_transport_t *t)
{
	struct pcsc *p = t->impl;
	DWORD proto = 0;
	LONG r;

	pcsc_clear(t->ctx);
	if (p->lost == PCSC_REMOVED || p->lost == PCSC_STUCK)
		return pcsc_lost(t);
	r = SCardReconnect(p->hcard, SCARD_SHARE_SHARED,
	    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_RESET_CARD, &proto);
	/* Whatever happened, the card's session state is gone. */
	p->lost = PCSC_RESET;
	p->in_tx = 0;
	if (r != SCARD_S_SUCCESS)
		return pcsc_card_fail(t, r, "SCardReconnect");
	p->proto = proto;
	return NID_OK;
}

static int
pcsc_get_atr(nid_transport_t *t, uint8_t *atr, size_t *atr_len)
{
	struct pcsc *p = t->impl;
	DWORD rlen = 0, state = 0, proto = 0, alen = MAX_ATR_SIZE;
	BYTE a[MAX_ATR_SIZE];
	LONG r;

	pcsc_clear(t->ctx);
	if (p->lost == PCSC_STUCK)
		return pcsc_lost(t);
	r = SCardStatus(p->hcard, NULL, &rlen, &state, &proto, a, &alen);
	if (r != SCARD_S_SUCCESS)
		return pcsc_card_fail(t, r, "SCardStatus");
	if (alen > *atr_len || alen > MAX_ATR_SIZE)
		return NID_E_TOO_LARGE;
	memcpy(atr, a, alen);
	*atr_len = alen;
	return NID_OK;
}

static int
pcsc_begin(nid_transport_t *t)
{
	struct pcsc *p = t->impl;
	LONG r;

	pcsc_clear(t->ctx);
	if (p->lost != PCSC_LIVE)
		return pcsc_lost(t);
	if ((r = SCardBeginTransaction(p->hcard)) != SCARD_S_SUCCESS)
		return pcsc_card_fail(t, r, "SCardBeginTransaction");
	p->in_tx = 1;
	return NID_OK;
}

static int
pcsc_end(nid_transport_t *t)
{
	struct pcsc *p = t->impl;
	LONG r;

	pcsc_clear(t->ctx);
	if (!p->in_tx)
		return NID_OK;
	p->in_tx = 0;
	if ((r = SCardEndTransaction(p->hcard, SCARD_LEAVE_CARD)) !=
	    SCARD_S_SUCCESS)
		return pcsc_card_fail(t, r, "SCardEndTransaction");
	return NID_OK;
}

static void
pcsc_close(nid_transport_t *t)
{
	struct pcsc *p = t->impl;

	if (p == NULL)
		return;
	if (p->lost == PCSC_STUCK) {
		/* A transmit still blocks in pcsc-lite holding the context:
		 * any call on it would block too. The handles go with the
		 * process (or with pcscd's cleanup when the card leaves). */
		p->have_card = 0;
		p->have_ctx = 0;
	}
	if (p->have_card) {
		if (p->in_tx)
			(void)SCardEndTransaction(p->hcard, SCARD_LEAVE_CARD);
		(void)SCardDisconnect(p->hcard, SCARD_LEAVE_CARD);
	}
	if (p->have_ctx)
		(void)SCardReleaseContext(p->hctx);
	if (p->buf != NULL) {
		OPENSSL_cleanse(p->buf, NID_RSP_MAX);
		free(p->buf);
	}
	free(p->reader);
	free(p);
	t->impl = NULL;
}

static const struct nid_transport_ops pcsc_ops = {
	"pcsc",
	pcsc_transmit,
	pcsc_reset,
	pcsc_get_atr,
	pcsc_begin,
	pcsc_end,
	pcsc_close,
};

int
nid_pcsc_set_timeout(nid_transport_t *t, unsigned ms)
{
	struct pcsc *p;

	if (t == NULL || t->ops != &pcsc_ops || (p = t->impl) == NULL)
		return NID_E_INVALID_ARG;
	p->timeout_ms = ms;
	return NID_OK;
}

int
nid_pcsc_open(nid_ctx_t *ctx, const char *reader, nid_transport_t **out)
{
	struct pcsc *p = NULL;
	nid_transport_t *t = NULL;
	LONG r;
	int rc;

	*out = NULL;
	pcsc_clear(ctx);
	if (reader == NULL || *reader == '\0' ||
	    strlen(reader) > NID_PCSC_NAME_MAX)
		return NID_E_INVALID_ARG;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->buf = malloc(NID_RSP_MAX)) == NULL ||
	    (p->reader = strdup(reader)) == NULL) {
		rc = NID_E_NOMEM;
		goto out;
	}
	if ((rc = pcsc_establish(ctx, &p->hctx)) != NID_OK)
		goto out;
	p->have_ctx = 1;
	r = SCardConnect(p->hctx, reader, SCARD_SHARE_SHARED,
	    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &p->hcard, &p->proto);
	if (r != SCARD_S_SUCCESS) {
		rc = pcsc_fail(ctx, nid_pcsc_map_error(r), r, "SCardConnect");
		goto out;
	}
	p->have_card = 1;
	nid_log(ctx, NID_LOG_INFO, NID_LOG_CAT_GENERAL,
	    "connected to '%s' (T=%d)", reader,
	    p->proto == SCARD_PROTOCOL_T0 ? 0 : 1);
	if ((rc = nid_transport_new(ctx, &pcsc_ops, p, &t)) != NID_OK)
		goto out;
	p = NULL; /* the transport owns it */
	*out = t;
	rc = NID_OK;
out:
	if (p != NULL) {
		nid_transport_t tmp = { &pcsc_ops, p, ctx, 0, 0, 0 };

		pcsc_close(&tmp);
	}
	return rc;
}

int
nid_pcsc_protocol(const nid_transport_t *t)
{
	const struct pcsc *p;

	if (t == NULL || t->ops != &pcsc_ops || (p = t->impl) == NULL)
		return -1;
	return p->proto == SCARD_PROTOCOL_T0 ? 0 : 1;
}

/* ---- waiting for a card ------------------------------------------------ */

static long
pcsc_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
nid_pcsc_wait_card(nid_ctx_t *ctx, const char *reader, int timeout_ms,
    char **reader_out)
{
	static const char pnp[] = "\\\\?PnP?\\Notification";
	SCARDCONTEXT hctx = 0;
	SCARD_READERSTATE st[NID_PCSC_READERS_MAX + 1];
	nid_reader_info *infos = NULL;
	char **names = NULL;
	size_t count = 0, k, i, found, npresent, pick;
	long deadline = 0, left;
	int have_ctx = 0, first = 1, relist, rc;
	DWORD wait;
	LONG r;

	*reader_out = NULL;
	pcsc_clear(ctx);
	if (reader != NULL && *reader == '\0')
		return NID_E_INVALID_ARG;
	if (timeout_ms > 0)
		deadline = pcsc_now_ms() + timeout_ms;
	if ((rc = pcsc_establish(ctx, &hctx)) != NID_OK)
		goto out;
	have_ctx = 1;
	for (;;) {
		/* (Re)list the readers and take their current state. */
		nid_pcsc_names_free(&names, count);
		count = 0;
		if ((rc = pcsc_list_names(ctx, hctx, &names, &count)) != NID_OK)
			goto out;
		k = 0;
		if (reader != NULL) {
			if ((infos = calloc(count + 1, sizeof(*infos))) == NULL) {
				rc = NID_E_NOMEM;
				goto out;
			}
			for (i = 0; i < count; i++)
				infos[i].name = names[i];
			rc = nid_pcsc_pick_reader(ctx, infos, count, reader,
			    &pick);
			free(infos);
			infos = NULL;
			if (rc != NID_OK)
				goto out;
			memset(&st[0], 0, sizeof(st[0]));
			st[0].szReader = names[pick];
			k = 1;
		} else {
			for (i = 0; i < count; i++) {
				memset(&st[k], 0, sizeof(st[k]));
				st[k++].szReader = names[i];
			}
			/* Readers plugged in while we wait (pcsc-lite PnP). */
			memset(&st[k], 0, sizeof(st[k]));
			st[k++].szReader = pnp;
		}
		for (i = 0; i < k; i++)
			st[i].dwCurrentState = SCARD_STATE_UNAWARE;
		r = SCardGetStatusChange(hctx, 0, st, (DWORD)k);
		if (r != SCARD_S_SUCCESS && r != SCARD_E_TIMEOUT) {
			rc = pcsc_fail(ctx, nid_pcsc_map_error(r), r,
			    "SCardGetStatusChange");
			goto out;
		}
		for (;;) {
			found = npresent = 0;
			for (i = 0; i < k; i++) {
				if (st[i].szReader == pnp)
					continue;
				if ((st[i].dwEventState &
				    SCARD_STATE_PRESENT) != 0) {
					if (npresent++ == 0)
						found = i;
				}
			}
			if (npresent > 1 && first && reader == NULL) {
				rc = nid_ctx_set_detail(ctx, NID_E_INVALID_ARG,
				    "cards in several readers, name one");
				goto out;
			}
			first = 0;
			if (npresent > 0) {
				if ((*reader_out = strdup(st[found].szReader)) ==
				    NULL) {
					rc = NID_E_NOMEM;
					goto out;
				}
				rc = NID_OK;
				goto out;
			}
			if (timeout_ms == 0) {
				rc = nid_ctx_set_detail(ctx, NID_E_TIMEOUT,
				    "no card");
				goto out;
			}
			if (timeout_ms < 0)
				wait = INFINITE;
			else if ((left = deadline - pcsc_now_ms()) <= 0) {
				rc = nid_ctx_set_detail(ctx, NID_E_TIMEOUT,
				    "no card within %d ms", timeout_ms);
				goto out;
			} else
				wait = (DWORD)left;
			for (i = 0; i < k; i++)
				st[i].dwCurrentState = st[i].dwEventState &
				    ~(DWORD)SCARD_STATE_CHANGED;
			r = SCardGetStatusChange(hctx, wait, st, (DWORD)k);
			if (r == SCARD_E_TIMEOUT) {
				rc = nid_ctx_set_detail(ctx, NID_E_TIMEOUT,
				    "no card within %d ms", timeout_ms);
				goto out;
			}
			if (r == SCARD_E_UNKNOWN_READER)
				break; /* list again */
			if (r != SCARD_S_SUCCESS) {
				rc = pcsc_fail(ctx, nid_pcsc_map_error(r), r,
				    "SCardGetStatusChange");
				goto out;
			}
			relist = 0;
			for (i = 0; i < k; i++) {
				if ((st[i].dwEventState & SCARD_STATE_CHANGED) &&
				    (st[i].szReader == pnp ||
				    (st[i].dwEventState & (SCARD_STATE_UNKNOWN |
				    SCARD_STATE_UNAVAILABLE)) != 0))
					relist = 1;
			}
			if (relist)
				break;
		}
	}
out:
	nid_pcsc_names_free(&names, count);
	if (have_ctx)
		(void)SCardReleaseContext(hctx);
	return rc;
}
