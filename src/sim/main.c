/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * main.c — nidcard-sim(1): the virtual card.
 *
 *   nidcard-sim run IMAGE --port P [--fault NAME[=V]]... [--state FILE]
 *                   [--delay-ms N] [--seed N] [--connect-timeout MS] [--trace]
 *   nidcard-sim check IMAGE
 *
 * `run` inserts the card into pcsc-lite's vpcd reader listening on
 * 127.0.0.1:P and speaks vpcd's protocol (/work/shared/RIG.md, and
 * vsmartcard's vpcd.c): every message both ways is a 2-byte big-endian
 * length and that many bytes; 1-byte control messages 00 power off,
 * 01 power on, 02 reset, 04 "send the ATR" (also the 400 ms presence
 * poll); anything of 4 bytes or more is a command APDU, answered with
 * data ‖ SW1 SW2. Closing the connection removes the card.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"
#include "sim_icao.h"
#include "sim_pki.h"

/* Exit codes: documented in nidcard-sim(1), EXIT STATUS. */
enum {
	SIM_EXIT_OK = 0,        /* stopped by a signal, vpcd closed, card removed */
	SIM_EXIT_IMAGE = 1,     /* the image is invalid */
	SIM_EXIT_USAGE = 2,     /* bad arguments */
	SIM_EXIT_CONNECT = 3,   /* vpcd not reachable within the connect timeout */
	SIM_EXIT_IO = 4         /* connection or state file failed mid-run */
};

static const char *progname = "nidcard-sim";
static volatile sig_atomic_t got_signal;

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: %s run IMAGE --port PORT [OPTIONS]\n"
	    "       %s check IMAGE [--fault NAME[=VALUE]]...\n"
	    "       %s issue --person FILE --out DIR [OPTIONS] (see issue --help)\n"
	    "       %s pki init DIR [OPTIONS] (see pki --help)\n"
	    "       %s --help | --version\n\n"
	    "The virtual national ID card. IMAGE is a card image folder\n"
	    "(docs/card-image.md). `run` inserts it into the vpcd reader on\n"
	    "127.0.0.1:PORT and prints \"inserted into 127.0.0.1:PORT\" once\n"
	    "connected; SIGTERM or SIGINT removes it. `check` validates an image\n"
	    "and prints a summary.\n\n"
	    "Options:\n"
	    "  -p, --port PORT          vpcd port (35963 is the first reader)\n"
	    "  -f, --fault NAME[=VALUE] switch a fault on (repeatable; overrides\n"
	    "                           the image's \"faults\"):\n"
	    "        t0                 T=0 style: 61xx + GET RESPONSE, 6Cxx\n"
	    "        no-extended        extended APDUs answered 6700\n"
	    "        max-le=N           answers cut at N bytes\n"
	    "        slow=MS            MS ms delay before each answer\n"
	    "        mute[=N]           no answer from APDU N on (default 1)\n"
	    "        remove-at=N        card removed at APDU N\n"
	    "        truncate           answers lose the second half of their data\n"
	    "        bad-tlv-length     first TLV of an answer claims 16 bytes more\n"
	    "        garbage-tlv        TLV answers replaced by FF bytes\n"
	    "        oversized          answers 32 bytes longer than Ne\n"
	    "        wrong-sw[=N]       APDU N answered 6Fxx (undefined), unread\n"
	    "        loop-61xx[=N]      from APDU N on: 16 bytes + 6110, forever\n"
	    "        bad-6cxx[=N]       from APDU N on: 6Cxx, never the Le sent\n"
	    "        short-answer[=N]   APDU N answered with one byte\n"
	    "        huge-length[=SFI]  the EF's header announces 16 MiB\n"
	    "        tlv-past-end[=SFI] its outer TLV claims 200 bytes more\n"
	    "        tlv-overrun[=SFI]  its first inner TLV overruns its parent\n"
	    "        deep-tlv[=SFI]     its value: SEQUENCEs nested 1000 deep\n"
	    "                           (SFI 31 or bare: every EF with an SFI)\n"
	    "        sm_bad_mac=N sm_no_do99 sm_bad_padding[=N] sm_stale_ssc[=N]\n"
	    "        sm_plain[=N] sm_no_mac pace_bad_token pace_off_curve[=2|3]\n"
	    "        pace_infinity[=2|3] pace_dh_zero[=2|3] pace_dh_one[=2|3]\n"
	    "        pace_dh_p_minus_1[=2|3] pace_dh_p[=2|3]\n"
	    "        clone              fresh CA/AA private keys: a clone\n"
	    "                           eMRTD application (docs/card-image.md)\n"
	    "      (a bare flag means =1; =0 switches it off)\n"
	    "  -s, --state FILE         write counters as JSON after every APDU\n"
	    "  -d, --delay-ms N         processing delay per APDU\n"
	    "      --seed N             deterministic GET CHALLENGE bytes\n"
	    "      --connect-timeout MS retry the connection that long (5000)\n"
	    "  -t, --trace              APDUs and answers on standard error\n"
	    "  -h, --help               this help\n"
	    "  -V, --version            the version\n\n"
	    "Exit status: 0 stopped (signal, vpcd closed, card removed) or image\n"
	    "valid, 1 invalid image, 2 usage error, 3 vpcd not reachable,\n"
	    "4 I/O error during the run. See nidcard-sim(1).\n",
	    progname, progname, progname, progname, progname);
}

static void
on_signal(int sig)
{
	got_signal = sig;
}

static int
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s == '\0' || *s == '-')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* ---- check ------------------------------------------------------------ */

static void
print_tree(const nid_sim_card *card, int df, int depth)
{
	char ac[64], hex[40];
	size_t i;
	const nid_sim_file *f;

	for (i = 0; i < card->nfiles; i++) {
		f = &card->files[i];
		if (f->parent != df)
			continue;
		if (f->type == NID_SIM_EF) {
			nid_sim_ac_format(&f->read, ac, sizeof(ac));
			printf("%*s%04X EF", 2 + 2 * depth, "", f->fid);
			if (f->sfi)
				printf(" sfi %2u", f->sfi);
			else
				printf("       ");
			printf(" %6zu bytes  read %s", f->len, ac);
		} else {
			printf("%*s%04X DF", 2 + 2 * depth, "", f->fid);
			if (f->aid_len) {
				nid_hex_encode_to(f->aid, f->aid_len, hex);
				printf(" aid %s", hex);
			}
		}
		if (f->lcs != card->lcs)
			printf("  [%s]", nid_sim_lcs_name(f->lcs));
		if (f->name)
			printf("  %s", f->name);
		printf("\n");
		if (f->type == NID_SIM_DF)
			print_tree(card, (int)i, depth + 1);
	}
}

static void
print_summary(const char *dir, const nid_sim_card *card)
{
	const nid_sim_faults *fl = &card->faults;
	char hex[80];
	size_t i;

	nid_hex_encode_to(card->atr, card->atr_len, hex);
	printf("image:        %s\n", dir);
	printf("ATR:          %s\n", hex);
	printf("life cycle:   %s (%02X)\n", nid_sim_lcs_name(card->lcs),
	    card->lcs);
	printf("capabilities: extended length %s, max Le %zu, max Lc %zu\n",
	    card->caps.extended_length ? "yes" : "no", card->caps.max_le,
	    card->caps.max_lc);
	printf("files:\n  3F00 MF%s%s\n", card->files[0].name ? "  " : "",
	    card->files[0].name ? card->files[0].name : "");
	print_tree(card, 0, 1);
	printf("PINs:\n");
	if (card->npins == 0)
		printf("  none\n");
	for (i = 0; i < card->npins; i++)
		printf("  %02X %-12s %u/%u tries, %s\n", card->pins[i].ref,
		    card->pins[i].name ? card->pins[i].name : "",
		    card->pins[i].tries, card->pins[i].max_tries,
		    nid_sim_pin_state_name(card->pins[i].state));
	printf("data objects:");
	if (card->ndos == 0)
		printf(" none");
	for (i = 0; i < card->ndos; i++)
		printf(" %04X (%zu bytes)", card->dos[i].tag, card->dos[i].len);
	printf("\nfaults:      ");
	if (fl->t0)
		printf(" t0");
	if (fl->no_extended)
		printf(" no-extended");
	if (fl->max_le)
		printf(" max-le=%zu", fl->max_le);
	if (fl->slow_ms)
		printf(" slow=%u", fl->slow_ms);
	if (fl->mute_at)
		printf(" mute=%lu", fl->mute_at);
	if (fl->remove_at)
		printf(" remove-at=%lu", fl->remove_at);
	if (fl->truncate)
		printf(" truncate");
	if (fl->bad_tlv_length)
		printf(" bad-tlv-length");
	if (fl->garbage_tlv)
		printf(" garbage-tlv");
	if (fl->oversized)
		printf(" oversized");
	if (fl->wrong_sw_at)
		printf(" wrong-sw=%lu", fl->wrong_sw_at);
	if (fl->loop61_at)
		printf(" loop-61xx=%lu", fl->loop61_at);
	if (fl->bad6c_at)
		printf(" bad-6cxx=%lu", fl->bad6c_at);
	if (fl->short_rsp_at)
		printf(" short-answer=%lu", fl->short_rsp_at);
	if (fl->huge_length)
		printf(" huge-length=%u", fl->huge_length);
	if (fl->past_end)
		printf(" tlv-past-end=%u", fl->past_end);
	if (fl->inner_overrun)
		printf(" tlv-overrun=%u", fl->inner_overrun);
	if (fl->deep_tlv)
		printf(" deep-tlv=%u", fl->deep_tlv);
	if (memcmp(fl, &(nid_sim_faults){ 0 }, sizeof(*fl)) == 0)
		printf(" none");
	printf("\n");
	nid_sim_icao_summary(card, stdout);
}

/* ---- the vpcd connection ---------------------------------------------- */

/* Both vpcd directions: 2-byte big-endian length, then the bytes. */
static int
read_full(int fd, uint8_t *p, size_t n)
{
	ssize_t r;
	int one = 1;

	while (n > 0) {
		/* Delayed ACKs would hold vpcd's second send() back for
		 * 40 ms: re-arm TCP_QUICKACK before every read (RIG.md). */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof(one));
		r = recv(fd, p, n, 0);
		if (r == 0)
			return 1;               /* vpcd closed */
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
send_frame(int fd, const uint8_t *p, size_t n)
{
	uint8_t hdr[2] = { (uint8_t)(n >> 8), (uint8_t)n };
	struct iovec iov[2];
	struct msghdr mh;
	size_t total = n + 2, done = 0;
	ssize_t w;

	if (n == 0 || n > 0xFFFF)
		return -1;
	while (done < total) {
		memset(&mh, 0, sizeof(mh));
		if (done < 2) {
			iov[0].iov_base = hdr + done;
			iov[0].iov_len = 2 - done;
			iov[1].iov_base = (void *)(uintptr_t)p;
			iov[1].iov_len = n;
			mh.msg_iovlen = 2;
		} else {
			iov[0].iov_base = (void *)(uintptr_t)(p + done - 2);
			iov[0].iov_len = total - done;
			mh.msg_iovlen = 1;
		}
		mh.msg_iov = iov;
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

static void
trace_hex(const char *dir, const uint8_t *p, size_t n)
{
	size_t i;

	fprintf(stderr, "%s ", dir);
	for (i = 0; i < n && i < 64; i++)
		fprintf(stderr, "%02X", p[i]);
	if (n > 64)
		fprintf(stderr, "... (%zu bytes)", n);
	fprintf(stderr, "\n");
}

/* Connect to 127.0.0.1:port, retrying while vpcd is not listening yet. */
static int
vpcd_connect(unsigned port, unsigned long timeout_ms, const sigset_t *waitmask)
{
	struct sockaddr_in sa;
	struct timespec start, now, pause;
	struct timeval tv;
	int fd, one = 1, err;
	unsigned long elapsed;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void)clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return -1;
		/* Bound a connect that hangs (vpcd's backlog full while
		 * another card holds the slot): 200 ms per attempt. */
		tv.tv_sec = 0;
		tv.tv_usec = 200000;
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		err = errno;
		close(fd);
		if (err != ECONNREFUSED && err != EINTR && err != ETIMEDOUT &&
		    err != EINPROGRESS && err != EAGAIN) {
			errno = err;
			return -1;
		}
		(void)clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (unsigned long)(now.tv_sec - start.tv_sec) * 1000ul +
		    (unsigned long)((now.tv_nsec - start.tv_nsec) / 1000000L);
		if (elapsed >= timeout_ms || got_signal) {
			errno = got_signal ? EINTR : err;
			return -1;
		}
		/* Bounded retry: 20 ms steps; a signal ends the wait. */
		pause.tv_sec = 0;
		pause.tv_nsec = 20 * 1000000L;
		(void)ppoll(NULL, 0, &pause, waitmask);
	}
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* vpcd does not set TCP_NODELAY; the card side must (RIG.md). */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
run(nid_sim_card *card, unsigned port, unsigned long timeout_ms, int trace)
{
	static uint8_t msg[0x10000], rsp[NID_SIM_RSP_DATA_MAX + 2 + 64];
	struct sigaction sa;
	sigset_t block, orig;
	struct pollfd pfd;
	enum nid_sim_action action;
	size_t n, rlen;
	int fd = -1, r, ret, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	/* Signals are delivered only inside ppoll, so none is lost between
	 * a check of got_signal and a blocking call. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	(void)sigprocmask(SIG_BLOCK, &block, &orig);
	sigdelset(&orig, SIGTERM);
	sigdelset(&orig, SIGINT);

	if (nid_sim_card_write_state(card) != NID_OK) {
		fprintf(stderr, "%s: cannot write the state file %s\n",
		    progname, card->state_path);
		return SIM_EXIT_IO;
	}
	if ((fd = vpcd_connect(port, timeout_ms, &orig)) < 0) {
		if (got_signal)
			return SIM_EXIT_OK;
		fprintf(stderr, "%s: cannot connect to vpcd at 127.0.0.1:%u: "
		    "%s (is pcscd running with a vpcd reader on that port?)\n",
		    progname, port, strerror(errno));
		return SIM_EXIT_CONNECT;
	}
	nid_sim_reset(card);
	printf("inserted into 127.0.0.1:%u\n", port);
	fflush(stdout);

	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		/* Armed before the wait too: the ACK decision is taken when
		 * vpcd's segment arrives, which is usually during ppoll. */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof(one));
		r = ppoll(&pfd, 1, NULL, &orig);
		if (got_signal) {
			ret = SIM_EXIT_OK;
			break;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", progname,
			    strerror(errno));
			ret = SIM_EXIT_IO;
			break;
		}
		if ((r = read_full(fd, msg, 2)) == 0) {
			n = (size_t)msg[0] << 8 | msg[1];
			r = n == 0 ? 1 : read_full(fd, msg, n);
		}
		if (r != 0) {
			if (r > 0) {
				fprintf(stderr, "%s: vpcd closed the "
				    "connection\n", progname);
				ret = SIM_EXIT_OK;
			} else {
				fprintf(stderr, "%s: read: %s\n", progname,
				    strerror(errno));
				ret = SIM_EXIT_IO;
			}
			break;
		}
		if (n == 1) {
			switch (msg[0]) {
			case 0x00:      /* power off */
			case 0x01:      /* power on */
			case 0x02:      /* reset */
				nid_sim_reset(card);
				continue;
			case 0x04:      /* ATR, also the presence poll */
				r = send_frame(fd, card->atr, card->atr_len);
				break;
			default:
				fprintf(stderr, "%s: unknown vpcd control "
				    "byte %02X\n", progname, msg[0]);
				continue;
			}
		} else if (n < 4) {
			fprintf(stderr, "%s: ignored a %zu-byte message\n",
			    progname, n);
			continue;
		} else {
			if (trace)
				trace_hex(">", msg, n);
			rlen = sizeof(rsp);
			if (nid_sim_process(card, msg, n, rsp, &rlen,
			    &action) != NID_OK) {
				fprintf(stderr, "%s: internal error\n",
				    progname);
				ret = SIM_EXIT_IO;
				break;
			}
			if (action == NID_SIM_SILENT) {
				if (trace)
					fprintf(stderr, "< (mute)\n");
				continue;
			}
			if (action == NID_SIM_REMOVE) {
				fprintf(stderr, "%s: card removed at APDU "
				    "%lu (fault remove-at)\n", progname,
				    card->apdus);
				ret = SIM_EXIT_OK;
				break;
			}
			if (trace)
				trace_hex("<", rsp, rlen);
			r = send_frame(fd, rsp, rlen);
		}
		if (r != 0) {
			fprintf(stderr, "%s: write: %s\n", progname,
			    strerror(errno));
			ret = SIM_EXIT_IO;
			break;
		}
	}
	close(fd);
	card->removed = 1;
	printf("removed from 127.0.0.1:%u\n", port);
	fflush(stdout);
	if (nid_sim_card_write_state(card) != NID_OK && ret == SIM_EXIT_OK) {
		fprintf(stderr, "%s: cannot write the state file %s\n",
		    progname, card->state_path);
		ret = SIM_EXIT_IO;
	}
	return ret;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "fault", required_argument, NULL, 'f' },
		{ "state", required_argument, NULL, 's' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 'S' },
		{ "connect-timeout", required_argument, NULL, 'C' },
		{ "trace", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *faults[64], *state = NULL, *cmd, *image;
	unsigned long port = 0, delay = 0, seed = 0, timeout = 5000;
	size_t nfaults = 0, i;
	nid_ctx_t *ctx = NULL;
	nid_sim_card *card = NULL;
	int c, have_seed = 0, trace = 0, ret;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return SIM_EXIT_OK;
	}
	if (argc >= 2 && (strcmp(argv[1], "-V") == 0 ||
	    strcmp(argv[1], "--version") == 0)) {
		printf("%s %s\n", progname, NID_VERSION_STRING);
		return SIM_EXIT_OK;
	}
	if (argc < 2) {
		usage(stderr);
		return SIM_EXIT_USAGE;
	}
	cmd = argv[1];
	/* `issue`: a person record → an eMRTD image (sim_issue.c). */
	if (strcmp(cmd, "issue") == 0)
		return nid_sim_issue_main(argc - 1, argv + 1);
	/* `pki init DIR`: a test PKI for passive authentication (sim_pki.c). */
	if (strcmp(cmd, "pki") == 0)
		return nid_sim_pki_main(argc - 1, argv + 1);
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "check") != 0) {
		fprintf(stderr, "%s: unknown command '%s'; try '%s --help'\n",
		    progname, cmd, progname);
		return SIM_EXIT_USAGE;
	}
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "p:f:s:d:thV", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_ulong(optarg, 65535, &port) != 0 || port == 0) {
				fprintf(stderr, "%s: bad --port '%s'\n",
				    progname, optarg);
				return SIM_EXIT_USAGE;
			}
			break;
		case 'f':
			if (nfaults == NID_NELEM(faults)) {
				fprintf(stderr, "%s: too many --fault\n",
				    progname);
				return SIM_EXIT_USAGE;
			}
			faults[nfaults++] = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'd':
			if (parse_ulong(optarg, 60000, &delay) != 0) {
				fprintf(stderr, "%s: bad --delay-ms '%s' "
				    "(0..60000)\n", progname, optarg);
				return SIM_EXIT_USAGE;
			}
			break;
		case 'S':
			if (parse_ulong(optarg, ULONG_MAX, &seed) != 0) {
				fprintf(stderr, "%s: bad --seed '%s'\n",
				    progname, optarg);
				return SIM_EXIT_USAGE;
			}
			have_seed = 1;
			break;
		case 'C':
			if (parse_ulong(optarg, 600000, &timeout) != 0) {
				fprintf(stderr, "%s: bad --connect-timeout "
				    "'%s' (0..600000 ms)\n", progname, optarg);
				return SIM_EXIT_USAGE;
			}
			break;
		case 't':
			trace = 1;
			break;
		case 'h':
			usage(stdout);
			return SIM_EXIT_OK;
		case 'V':
			printf("%s %s\n", progname, NID_VERSION_STRING);
			return SIM_EXIT_OK;
		default:
			fprintf(stderr, "try '%s --help'\n", progname);
			return SIM_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s %s: expected one IMAGE folder; try '%s "
		    "--help'\n", progname, cmd, progname);
		return SIM_EXIT_USAGE;
	}
	image = argv[optind];
	if (strcmp(cmd, "run") == 0 && port == 0) {
		fprintf(stderr, "%s run: --port is required\n", progname);
		return SIM_EXIT_USAGE;
	}
	if (nid_ctx_new(&ctx) != NID_OK) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return SIM_EXIT_IO;
	}
	if (nid_sim_card_load(ctx, image, &card) != NID_OK) {
		fprintf(stderr, "%s: %s: %s\n", progname, image,
		    nid_ctx_detail(ctx));
		ret = SIM_EXIT_IMAGE;
		goto out;
	}
	for (i = 0; i < nfaults; i++)
		if (nid_sim_card_set_fault(ctx, card, faults[i]) != NID_OK) {
			fprintf(stderr, "%s: %s\n", progname,
			    nid_ctx_detail(ctx));
			ret = SIM_EXIT_USAGE;
			goto out;
		}
	if (strcmp(cmd, "check") == 0) {
		print_summary(image, card);
		ret = SIM_EXIT_OK;
		goto out;
	}
	if (have_seed)
		nid_sim_card_set_seed(card, (uint64_t)seed);
	nid_sim_card_set_delay_ms(card, (unsigned)delay);
	if (state != NULL && nid_sim_card_set_state_file(card, state) !=
	    NID_OK) {
		ret = SIM_EXIT_IO;
		goto out;
	}
	ret = run(card, (unsigned)port, timeout, trace);
out:
	nid_sim_card_free(&card);
	nid_ctx_free(&ctx);
	return ret;
}
