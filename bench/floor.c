/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * floor.c — the raw APDU floor: how long one APDU takes through the whole
 * PC/SC stack (libpcsclite → pcscd → vpcd → nidcard-sim and back), with
 * no protocol above it. Every later figure (a card read, a PACE run, a
 * batch) is compared with this one. See bench/README.md.
 *
 *   floor [-r READER] [-n COUNT] [-k RUNS]
 *
 * Opens the card through the project's PC/SC transport (nid_pcsc_open),
 * sends 10 warm-up APDUs, then RUNS times COUNT × GET CHALLENGE (8 bytes,
 * ISO/IEC 7816-4 §11.5.3, the smallest command every card answers with
 * data), first as separate transmits, then inside one PC/SC transaction.
 * Each answer must be 8 bytes ‖ 9000. The pcscd is the one
 * PCSCLITE_CSOCK_NAME names (bench/run-floor.sh starts a private rig).
 *
 * Output: one line per mode, "floor: MODE COUNT x GET CHALLENGE: median
 * T ms (per APDU P ms); runs min..max ms".
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nid_internal.h"
#include "pcsc.h"

#define FLOOR_RUNS_MAX 100

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* COUNT × GET CHALLENGE; *ms gets the wall time. */
static int
run_once(nid_transport_t *t, unsigned long count, double *ms)
{
	/* ISO/IEC 7816-4 §11.5.3 GET CHALLENGE, Le = 8 */
	static const uint8_t cmd[] = { 0x00, 0x84, 0x00, 0x00, 0x08 };
	uint8_t rsp[NID_RSP_MAX];
	size_t rsp_len;
	unsigned long i;
	double t0;
	int rc;

	t0 = now_ms();
	for (i = 0; i < count; i++) {
		rsp_len = sizeof(rsp);
		if ((rc = nid_transport_transmit(t, cmd, sizeof(cmd), rsp,
		    &rsp_len)) != NID_OK) {
			fprintf(stderr, "floor: APDU %lu: %s\n", i + 1,
			    nid_strerror(rc));
			return rc;
		}
		if (rsp_len != 10 || rsp[8] != 0x90 || rsp[9] != 0x00) {
			fprintf(stderr, "floor: APDU %lu: unexpected answer "
			    "(%zu bytes, SW %02X%02X)\n", i + 1, rsp_len,
			    rsp_len >= 2 ? rsp[rsp_len - 2] : 0,
			    rsp_len >= 2 ? rsp[rsp_len - 1] : 0);
			return NID_E_CARD_PROTOCOL;
		}
	}
	*ms = now_ms() - t0;
	return NID_OK;
}

static int
measure(nid_transport_t *t, const char *mode, int transaction,
    unsigned long count, int runs)
{
	double ms[FLOOR_RUNS_MAX], med;
	int i, rc;

	for (i = 0; i < runs; i++) {
		if (transaction && (rc = nid_transport_begin(t)) != NID_OK) {
			fprintf(stderr, "floor: begin transaction: %s\n",
			    nid_strerror(rc));
			return rc;
		}
		rc = run_once(t, count, &ms[i]);
		if (transaction && nid_transport_end(t) != NID_OK && rc == NID_OK)
			rc = NID_E_TRANSPORT;
		if (rc != NID_OK)
			return rc;
	}
	qsort(ms, (size_t)runs, sizeof(ms[0]), cmp_double);
	med = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
	printf("floor: %-11s %lu x GET CHALLENGE: median %.1f ms "
	    "(per APDU %.3f ms); %d runs %.1f..%.1f ms\n", mode, count, med,
	    med / (double)count, runs, ms[0], ms[runs - 1]);
	return NID_OK;
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: floor [-r READER] [-n COUNT] [-k RUNS]\n"
	    "RUNS (default 7) times COUNT (default 1000) GET CHALLENGE through\n"
	    "PC/SC to the card in READER (default: the only reader with a card);\n"
	    "prints the median.\n");
}

int
main(int argc, char **argv)
{
	nid_ctx_t *ctx = NULL;
	nid_transport_t *t = NULL;
	nid_reader_info *list = NULL;
	size_t n = 0, idx;
	const char *reader = NULL;
	char *name = NULL, *end;
	unsigned long count = 1000, v;
	double dummy;
	int ch, runs = 7, rc, ret = 1;

	while ((ch = getopt(argc, argv, "hk:n:r:")) != -1) {
		switch (ch) {
		case 'k':
		case 'n':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v == 0 ||
			    (ch == 'k' && v > FLOOR_RUNS_MAX) || v > 10000000) {
				usage(stderr);
				return 2;
			}
			if (ch == 'k')
				runs = (int)v;
			else
				count = v;
			break;
		case 'r':
			reader = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if ((rc = nid_ctx_new(&ctx)) != NID_OK) {
		fprintf(stderr, "floor: %s\n", nid_strerror(rc));
		goto out;
	}
	if ((rc = nid_pcsc_list(ctx, &list, &n)) != NID_OK ||
	    (rc = nid_pcsc_pick_reader(ctx, list, n, reader, &idx)) != NID_OK) {
		fprintf(stderr, "floor: %s: %s\n", nid_strerror(rc),
		    nid_ctx_detail(ctx));
		goto out;
	}
	if ((name = strdup(list[idx].name)) == NULL)
		goto out;
	if ((rc = nid_pcsc_open(ctx, name, &t)) != NID_OK) {
		fprintf(stderr, "floor: %s: %s: %s\n", name, nid_strerror(rc),
		    nid_ctx_detail(ctx));
		goto out;
	}
	printf("floor: card in '%s'\n", name);
	if (run_once(t, 10, &dummy) != NID_OK)
		goto out;
	if (measure(t, "transmit", 0, count, runs) != NID_OK ||
	    measure(t, "transaction", 1, count, runs) != NID_OK)
		goto out;
	ret = 0;
 out:
	nid_transport_free(&t);
	nid_pcsc_list_free(&list, n);
	free(name);
	nid_ctx_free(&ctx);
	return ret;
}
