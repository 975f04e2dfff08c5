/*
 * Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
 *
 * nidcard-rig — a private PC/SC stack for tests, benchmarks and demos:
 * one pcscd of its own (own socket, own reader configuration) with vpcd
 * virtual readers, started and stopped by PID. It never talks to, stops or
 * reconfigures the system's pcscd, and it runs as root or not.
 *
 *   nidcard-rig [-b] [-d DIR] [-l LOG] [-n N] [-t SEC] [-v]
 *	Start. Prints, once every reader is listed by pcscd and every vpcd
 *	port listens, shell assignments (PCSCLITE_CSOCK_NAME, each reader's
 *	name and port, NIDCARD_RIG_READY=1 last) and then supervises pcscd
 *	until SIGTERM, SIGINT or SIGHUP. With -b it does so in the background
 *	and the foreground process exits 0 once the rig is ready.
 *   nidcard-rig --wait present|absent READER [-t SEC]
 *	Wait, by PC/SC events (SCardGetStatusChange), until a card is in /
 *	not in READER of the pcscd that PCSCLITE_CSOCK_NAME names.
 *
 * How (facts measured on pcsc-lite 1.9.9, see docs/rig.md):
 * - pcscd always binds /run/pcscd/pcscd.comm unless it is socket-activated:
 *   we bind our own listening UNIX socket, put it on fd 3, set LISTEN_FDS=1
 *   and LISTEN_PID to the pid of the forked child, which then execs pcscd
 *   (same pid). Clients reach it through PCSCLITE_CSOCK_NAME.
 * - vpcd keeps its sockets in a static array, so each reader.conf entry
 *   gets its own copy of the driver file (a symlink is not enough). One
 *   entry gives two readers, "<FRIENDLYNAME> 00 00" and "... 00 01", on
 *   TCP ports P and P+1; pcscd takes at most 16 readers (8 entries).
 * - A busy port does not stop pcscd: only its log says "init failed". The
 *   ports are probed free first (outside the ephemeral range, where cards'
 *   own connections land) and the whole start is retried when a driver
 *   fails or a port does not listen.
 *
 * Exit: 0 success, 1 failure (missing pcscd or vpcd, start failed, pcscd
 * died), 2 usage.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <winscard.h>

#define RIG_MAX_ENTRIES 8          /* pcscd: 16 readers at most */
#define RIG_MAX_READERS (2 * RIG_MAX_ENTRIES)
#define RIG_ATTEMPTS 5
#define RIG_DEFAULT_TIMEOUT 30     /* seconds: generous for loaded CI */
#define RIG_STOP_TIMEOUT_MS 5000
#define RIG_PCSCD "/usr/sbin/pcscd"
#define RIG_VPCD "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
#define RIG_RUNDIR "/run/pcscd"
#define RIG_NAME_FMT "nidcard vpcd %d"

struct rig_reader {
	char name[64];
	unsigned port;
};

struct rig {
	char dir[PATH_MAX];
	int dir_created;
	char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char log[PATH_MAX];
	int log_ours;
	const char *pcscd;
	const char *vpcd;
	int debug;
	int timeout_s;
	int nentries;
	int nreaders;
	int attempt;               /* 1.. RIG_ATTEMPTS */
	struct rig_reader rd[RIG_MAX_READERS];
	pid_t pcscd_pid;
	int out_fd;                /* pcscd's stdout/stderr (pipe) */
	int log_fd;
	int ready_seen;
	int init_failed;
	char linebuf[4096];
	size_t linelen;
};

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t got_stop;
static volatile sig_atomic_t got_child;

static void __attribute__((format(printf, 1, 2)))
warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nidcard-rig: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGCHLD)
		got_child = 1;
	else
		got_stop = 1;
	if (sig_pipe[1] != -1)
		(void)!write(sig_pipe[1], &c, 1);
	errno = saved;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
set_cloexec_nonblock(int fd)
{
	int fl;

	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    (fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Ports                                                               */

static int
bind_free(in_addr_t addr, unsigned port)
{
	struct sockaddr_in sin;
	int fd, ok;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = addr;
	ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

static int
port_free(unsigned port)
{
	return bind_free(htonl(INADDR_ANY), port) &&
	    bind_free(htonl(INADDR_LOOPBACK), port);
}

/*
 * Ports outside the kernel's ephemeral range, so that no client socket
 * (a card connecting to another reader) takes one between probe and bind.
 */
static void
port_range(unsigned *lo, unsigned *hi)
{
	FILE *fp;
	unsigned elo = 32768, ehi = 60999;

	if ((fp = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) != NULL) {
		if (fscanf(fp, "%u %u", &elo, &ehi) != 2) {
			elo = 32768;
			ehi = 60999;
		}
		fclose(fp);
	}
	if (elo > 12000) {
		*lo = 10000;
		*hi = elo - 2;
	} else {
		*lo = ehi + 1;
		*hi = 65533;
	}
}

static int
pick_ports(struct rig *r)
{
	unsigned lo, hi, span, p, tries;
	const char *env;
	int i, j, clash;

	port_range(&lo, &hi);
	span = (hi - lo) / 2;
	for (i = 0; i < r->nentries; i++) {
		/*
		 * Test hook (tests/system/rig.sh): the first attempt's first
		 * entry takes NIDCARD_RIG_TEST_PORT unprobed, so a test can
		 * hand it a busy port and watch the retry.
		 */
		if (i == 0 && r->attempt == 1 && (env = getenv(
		    "NIDCARD_RIG_TEST_PORT")) != NULL && (p = (unsigned)
		    strtoul(env, NULL, 10)) > 0 && p < 65535) {
			r->rd[0].port = p;
			r->rd[1].port = p + 1;
			continue;
		}
		for (tries = 0; tries < 2000; tries++) {
			p = lo + 2 * ((unsigned)random() % span);
			clash = 0;
			for (j = 0; j < i; j++)
				if (r->rd[2 * j].port == p)
					clash = 1;
			if (!clash && port_free(p) && port_free(p + 1))
				break;
		}
		if (tries == 2000) {
			warnx_("no free TCP port pair in %u-%u", lo, hi);
			return -1;
		}
		r->rd[2 * i].port = p;
		r->rd[2 * i + 1].port = p + 1;
	}
	return 0;
}

/* Is a TCP socket listening on port (any address)? Read /proc/net/tcp*:
 * a connect test would look like a card insertion to vpcd. */
static int
port_listening(unsigned port)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	char line[512], local[128];
	unsigned lport, st;
	size_t i;
	FILE *fp;
	char *colon;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if ((fp = fopen(files[i], "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), fp) != NULL) {
			if (sscanf(line, " %*s %127s %*s %x", local, &st) != 2)
				continue;
			if ((colon = strrchr(local, ':')) == NULL ||
			    sscanf(colon + 1, "%x", &lport) != 1)
				continue;
			if (lport == port && st == 0x0A) {
				fclose(fp);
				return 1;
			}
		}
		fclose(fp);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

static int __attribute__((format(printf, 3, 4)))
path_fmt(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		warnx_("path too long");
		return -1;
	}
	return 0;
}

static int
copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = -1, out = -1, ret = -1;
	ssize_t n, w, off;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1) {
		warnx_("%s: %s", from, strerror(errno));
		goto out;
	}
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) == -1) {
		warnx_("%s: %s", to, strerror(errno));
		goto out;
	}
	for (;;) {
		if ((n = read(in, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			warnx_("read %s: %s", from, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		for (off = 0; off < n; off += w) {
			if ((w = write(out, buf + off, (size_t)(n - off))) == -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				warnx_("write %s: %s", to, strerror(errno));
				goto out;
			}
		}
	}
	if (close(out) == -1) {
		out = -1;
		warnx_("close %s: %s", to, strerror(errno));
		goto out;
	}
	out = -1;
	ret = 0;
 out:
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	return ret;
}

static void __attribute__((format(printf, 1, 2)))
unlink_quiet(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(path))
		(void)unlink(path);
}

static void __attribute__((format(printf, 1, 2)))
rmdir_quiet(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(path))
		(void)rmdir(path);
}

/* Remove what one start attempt created (configuration, drivers, socket). */
static void
remove_attempt(struct rig *r)
{
	int i;

	for (i = 0; i < RIG_MAX_ENTRIES; i++) {
		unlink_quiet("%s/reader.conf.d/vpcd-%d.conf", r->dir, i);
		unlink_quiet("%s/drivers/libifdvpcd-%d.so", r->dir, i);
	}
	rmdir_quiet("%s/reader.conf.d", r->dir);
	rmdir_quiet("%s/drivers", r->dir);
	(void)unlink(r->sock);
}

static void
remove_all(struct rig *r)
{
	remove_attempt(r);
	unlink_quiet("%s/rig.env", r->dir);
	unlink_quiet("%s/rig.pid", r->dir);
	if (r->log_ours)
		(void)unlink(r->log);
	if (r->dir_created)
		(void)rmdir(r->dir);
}

static int
write_config(struct rig *r)
{
	char path[PATH_MAX], drv[PATH_MAX];
	FILE *fp;
	int i;

	if (path_fmt(path, sizeof(path), "%s/reader.conf.d", r->dir) == -1)
		return -1;
	if (mkdir(path, 0755) == -1) {
		warnx_("mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	if (r->nentries == 0)
		return 0;
	if (path_fmt(path, sizeof(path), "%s/drivers", r->dir) == -1)
		return -1;
	if (mkdir(path, 0755) == -1) {
		warnx_("mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < r->nentries; i++) {
		/* Its own copy of the driver: vpcd's state is per file. */
		if (path_fmt(drv, sizeof(drv), "%s/drivers/libifdvpcd-%d.so",
		    r->dir, i) == -1 || copy_file(r->vpcd, drv) == -1)
			return -1;
		if (path_fmt(path, sizeof(path), "%s/reader.conf.d/vpcd-%d.conf",
		    r->dir, i) == -1)
			return -1;
		if ((fp = fopen(path, "w")) == NULL) {
			warnx_("%s: %s", path, strerror(errno));
			return -1;
		}
		/* DEVICENAME /dev/null:PORT makes vpcd listen on PORT, PORT+1. */
		fprintf(fp,
		    "FRIENDLYNAME \"" RIG_NAME_FMT "\"\n"
		    "DEVICENAME /dev/null:0x%04X\n"
		    "LIBPATH %s\n"
		    "CHANNELID 0x%04X\n",
		    i, r->rd[2 * i].port, drv, r->rd[2 * i].port);
		if (fclose(fp) == EOF) {
			warnx_("%s: %s", path, strerror(errno));
			return -1;
		}
		snprintf(r->rd[2 * i].name, sizeof(r->rd[0].name),
		    RIG_NAME_FMT " 00 00", i);
		snprintf(r->rd[2 * i + 1].name, sizeof(r->rd[0].name),
		    RIG_NAME_FMT " 00 01", i);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* pcscd                                                               */

static int
bind_socket(struct rig *r)
{
	struct sockaddr_un sun;
	int fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		warnx_("socket: %s", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, r->sock, strlen(r->sock) + 1);
	(void)unlink(r->sock);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 64) == -1) {
		warnx_("bind %s: %s", r->sock, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Copy pcscd's output into the log; look for the lines we wait on. */
static void
scan_line(struct rig *r, const char *line)
{
	if (strstr(line, "daemon ready") != NULL)
		r->ready_seen = 1;
	if (strstr(line, "init failed") != NULL)
		r->init_failed = 1;
}

/* Returns 0 while the pipe is open, 1 at EOF. */
static int
drain_output(struct rig *r)
{
	char buf[4096];
	ssize_t n, i;

	for (;;) {
		n = read(r->out_fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return 0;  /* EAGAIN */
		if (n == 0)
			return 1;
		if (r->log_fd != -1)
			(void)!write(r->log_fd, buf, (size_t)n);
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n' ||
			    r->linelen == sizeof(r->linebuf) - 1) {
				r->linebuf[r->linelen] = '\0';
				scan_line(r, r->linebuf);
				r->linelen = 0;
			}
			if (buf[i] != '\n')
				r->linebuf[r->linelen++] = buf[i];
		}
	}
}

/* Wait up to ms for output or a signal; then drain. 1: pcscd output ended. */
static int
pump(struct rig *r, int ms)
{
	struct pollfd pfd[2];
	char c;
	int eof = 0;

	pfd[0].fd = r->out_fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = sig_pipe[0];
	pfd[1].events = POLLIN;
	/* Without pcscd's output to watch, only signals and the timeout. */
	if (r->out_fd == -1)
		(void)poll(&pfd[1], 1, ms);
	else
		(void)poll(pfd, 2, ms);
	while (read(sig_pipe[0], &c, 1) == 1)
		;
	if (r->out_fd != -1 && (eof = drain_output(r)) == 1) {
		close(r->out_fd);
		r->out_fd = -1;
	}
	return eof;
}

/* Reap pcscd if it exited. 1: it is gone. */
static int
reap(struct rig *r)
{
	int status;
	pid_t p;

	if (r->pcscd_pid <= 0)
		return 1;
	p = waitpid(r->pcscd_pid, &status, WNOHANG);
	if (p == r->pcscd_pid || (p == -1 && errno == ECHILD)) {
		r->pcscd_pid = -1;
		return 1;
	}
	return 0;
}

static void
stop_pcscd(struct rig *r)
{
	long long deadline;

	if (r->pcscd_pid <= 0)
		return;
	(void)kill(r->pcscd_pid, SIGTERM);
	deadline = now_ms() + RIG_STOP_TIMEOUT_MS;
	while (!reap(r)) {
		if (now_ms() > deadline) {
			warnx_("pcscd (pid %ld) ignores SIGTERM; killing it",
			    (long)r->pcscd_pid);
			(void)kill(r->pcscd_pid, SIGKILL);
			(void)waitpid(r->pcscd_pid, NULL, 0);
			r->pcscd_pid = -1;
			break;
		}
		pump(r, 20);
	}
	while (r->out_fd != -1 && pump(r, 100) == 0)
		;
}

static int
spawn_pcscd(struct rig *r, int lfd)
{
	char confdir[PATH_MAX], pidbuf[32];
	char a_pcscd[] = "pcscd", a_fg[] = "--foreground", a_debug[] = "--debug";
	char a_apdu[] = "--apdu", a_info[] = "--info", a_conf[] = "-c";
	char *argv[8];
	sigset_t none;
	int pfd[2], devnull, fd, argc = 0;
	pid_t parent = getpid(), pid;

	if (path_fmt(confdir, sizeof(confdir), "%s/reader.conf.d", r->dir) == -1)
		return -1;
	argv[argc++] = a_pcscd;
	argv[argc++] = a_fg;
	if (r->debug) {
		argv[argc++] = a_debug;
		argv[argc++] = a_apdu;
	} else
		argv[argc++] = a_info;
	argv[argc++] = a_conf;
	argv[argc++] = confdir;
	argv[argc] = NULL;

	if (pipe(pfd) == -1) {
		warnx_("pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		warnx_("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		/* The child: becomes pcscd with the same pid. */
#ifdef __linux__
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		if (getppid() != parent)
			_exit(127);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		/* Socket activation (sd_listen_fds): the socket on fd 3. */
		if (lfd != 3) {
			if (dup2(lfd, 3) == -1)
				_exit(127);
		} else if (fcntl(3, F_SETFD, 0) == -1)
			_exit(127);
		if ((devnull = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(devnull, 0) == -1 || dup2(pfd[1], 1) == -1 ||
		    dup2(pfd[1], 2) == -1)
			_exit(127);
		for (fd = 4; fd < 1024; fd++)
			(void)close(fd);
		snprintf(pidbuf, sizeof(pidbuf), "%ld", (long)getpid());
		if (setenv("LISTEN_FDS", "1", 1) == -1 ||
		    setenv("LISTEN_PID", pidbuf, 1) == -1)
			_exit(127);
		(void)unsetenv("LISTEN_FDNAMES");
		execv(r->pcscd, argv);
		fprintf(stderr, "nidcard-rig: exec %s: %s\n", r->pcscd,
		    strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	if (set_cloexec_nonblock(pfd[0]) == -1) {
		warnx_("fcntl: %s", strerror(errno));
		close(pfd[0]);
		r->pcscd_pid = pid;
		stop_pcscd(r);
		return -1;
	}
	r->out_fd = pfd[0];
	r->pcscd_pid = pid;
	return 0;
}

/* Every expected reader listed by pcscd (through our socket)? */
static int
readers_listed(struct rig *r)
{
	SCARDCONTEXT hctx;
	DWORD len = 0;
	LONG rv;
	char *list = NULL, *p;
	int i, found, all = 0;

	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &hctx) !=
	    SCARD_S_SUCCESS)
		return 0;
	rv = SCardListReaders(hctx, NULL, NULL, &len);
	if (r->nreaders == 0) {
		all = rv == SCARD_E_NO_READERS_AVAILABLE;
		goto out;
	}
	if (rv != SCARD_S_SUCCESS || len == 0 || (list = malloc(len)) == NULL)
		goto out;
	if (SCardListReaders(hctx, NULL, list, &len) != SCARD_S_SUCCESS)
		goto out;
	for (i = 0; i < r->nreaders; i++) {
		found = 0;
		for (p = list; *p != '\0'; p += strlen(p) + 1)
			if (strcmp(p, r->rd[i].name) == 0)
				found = 1;
		if (!found)
			goto out;
	}
	all = 1;
 out:
	free(list);
	SCardReleaseContext(hctx);
	return all;
}

static int
ports_listening(struct rig *r)
{
	int i;

	for (i = 0; i < r->nreaders; i++)
		if (!port_listening(r->rd[i].port))
			return 0;
	return 1;
}

static void
log_tail(struct rig *r)
{
	char buf[2048];
	ssize_t n;
	off_t size;
	int fd;

	if ((fd = open(r->log, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	size = lseek(fd, 0, SEEK_END);
	(void)lseek(fd, size > (off_t)sizeof(buf) - 1 ?
	    size - (off_t)sizeof(buf) + 1 : 0, SEEK_SET);
	if ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		fprintf(stderr, "--- end of pcscd's log (%s) ---\n%s---\n",
		    r->log, buf);
	}
	close(fd);
}

/*
 * One start: configuration, socket, pcscd; wait for "daemon ready", for
 * pcscd to list every reader and for every vpcd port to listen.
 * Returns 0 ready, 1 retry with other ports, -1 give up.
 */
static int
start_once(struct rig *r)
{
	long long deadline = now_ms() + (long long)r->timeout_s * 1000;
	int lfd = -1, ret = -1;
	const char *what = "the \"daemon ready\" line";

	r->ready_seen = r->init_failed = 0;
	r->linelen = 0;
	if (pick_ports(r) == -1 || write_config(r) == -1)
		goto out;
	if ((lfd = bind_socket(r)) == -1)
		goto out;
	if (spawn_pcscd(r, lfd) == -1)
		goto out;
	close(lfd);  /* pcscd has it now; clients see ECONNREFUSED when it dies */
	lfd = -1;
	while (!r->ready_seen) {
		if (got_stop || pump(r, 100) == 1 || reap(r) || now_ms() > deadline)
			goto fail;
	}
	what = "pcscd to list every reader and vpcd to listen";
	for (;;) {
		if (r->init_failed) {
			warnx_("a vpcd reader failed to start (port taken?); "
			    "retrying with other ports");
			ret = 1;
			goto fail;
		}
		if (readers_listed(r) && ports_listening(r))
			break;
		if (got_stop || reap(r) || now_ms() > deadline)
			goto fail;
		pump(r, 10);
	}
	return 0;
 fail:
	if (ret == -1) {
		if (got_stop)
			warnx_("interrupted");
		else if (r->pcscd_pid <= 0 || r->out_fd == -1)
			warnx_("pcscd exited while starting");
		else
			warnx_("timed out after %d s waiting for %s",
			    r->timeout_s, what);
	}
	stop_pcscd(r);
	if (ret == -1)
		log_tail(r);
 out:
	if (lfd != -1)
		close(lfd);
	remove_attempt(r);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static void
put_quoted(FILE *fp, const char *key, const char *val)
{
	fprintf(fp, "%s='", key);
	for (; *val != '\0'; val++) {
		if (*val == '\'')
			fputs("'\\''", fp);
		else
			fputc(*val, fp);
	}
	fputs("'\n", fp);
}

static void
print_env(struct rig *r, FILE *fp, const char *prefix)
{
	char key[64], num[32];
	int i;

	fputs(prefix, fp);
	put_quoted(fp, "PCSCLITE_CSOCK_NAME", r->sock);
	fputs(prefix, fp);
	put_quoted(fp, "NIDCARD_RIG_DIR", r->dir);
	fprintf(fp, "%sNIDCARD_RIG_PID=%ld\n", prefix, (long)getpid());
	fprintf(fp, "%sNIDCARD_RIG_PCSCD_PID=%ld\n", prefix, (long)r->pcscd_pid);
	fputs(prefix, fp);
	put_quoted(fp, "NIDCARD_RIG_LOG", r->log);
	fprintf(fp, "%sNIDCARD_RIG_READERS=%d\n", prefix, r->nreaders);
	for (i = 0; i < r->nreaders; i++) {
		snprintf(key, sizeof(key), "NIDCARD_RIG_READER_%d", i);
		fputs(prefix, fp);
		put_quoted(fp, key, r->rd[i].name);
		snprintf(key, sizeof(key), "NIDCARD_RIG_PORT_%d", i);
		snprintf(num, sizeof(num), "%u", r->rd[i].port);
		fprintf(fp, "%s%s=%s\n", prefix, key, num);
	}
	fprintf(fp, "%sNIDCARD_RIG_READY=1\n", prefix);
}

static int
write_env(struct rig *r)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	FILE *fp;

	if (path_fmt(path, sizeof(path), "%s/rig.env", r->dir) == -1 ||
	    path_fmt(tmp, sizeof(tmp), "%s/rig.env.tmp", r->dir) == -1)
		return -1;
	if ((fp = fopen(tmp, "w")) == NULL) {
		warnx_("%s: %s", tmp, strerror(errno));
		return -1;
	}
	print_env(r, fp, "export ");
	if (fclose(fp) == EOF || rename(tmp, path) == -1) {
		warnx_("%s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	if (path_fmt(path, sizeof(path), "%s/rig.pid", r->dir) == -1 ||
	    path_fmt(tmp, sizeof(tmp), "%s/rig.pid.tmp", r->dir) == -1)
		return -1;
	if ((fp = fopen(tmp, "w")) == NULL) {
		warnx_("%s: %s", tmp, strerror(errno));
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) == EOF || rename(tmp, path) == -1) {
		warnx_("%s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* --wait present|absent READER                                        */

static int
wait_card(const char *what, const char *reader, int timeout_s)
{
	SCARDCONTEXT hctx;
	SCARD_READERSTATE st;
	long long deadline = now_ms() + (long long)timeout_s * 1000;
	long long left;
	int want_present, ret = 1;
	LONG rv;

	if (strcmp(what, "present") == 0)
		want_present = 1;
	else if (strcmp(what, "absent") == 0)
		want_present = 0;
	else {
		warnx_("--wait takes present or absent, not '%s'", what);
		return 2;
	}
	if ((rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL,
	    &hctx)) != SCARD_S_SUCCESS) {
		warnx_("no PC/SC service at %s: %s",
		    getenv("PCSCLITE_CSOCK_NAME") ? getenv("PCSCLITE_CSOCK_NAME") :
		    "the default socket", pcsc_stringify_error(rv));
		return 1;
	}
	memset(&st, 0, sizeof(st));
	st.szReader = reader;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	for (;;) {
		left = deadline - now_ms();
		if (left < 0) {
			warnx_("timed out after %d s waiting for a card to be "
			    "%s in '%s'", timeout_s, what, reader);
			goto out;
		}
		rv = SCardGetStatusChange(hctx, (DWORD)left, &st, 1);
		if (rv == SCARD_E_TIMEOUT)
			continue;
		if (rv != SCARD_S_SUCCESS) {
			warnx_("'%s': %s", reader, pcsc_stringify_error(rv));
			goto out;
		}
		if (st.dwEventState & SCARD_STATE_UNKNOWN) {
			warnx_("no reader named '%s'", reader);
			goto out;
		}
		if (want_present && (st.dwEventState & SCARD_STATE_PRESENT) &&
		    !(st.dwEventState & SCARD_STATE_MUTE))
			break;
		if (!want_present && (st.dwEventState & SCARD_STATE_EMPTY))
			break;
		st.dwCurrentState = st.dwEventState & ~SCARD_STATE_CHANGED;
	}
	ret = 0;
 out:
	SCardReleaseContext(hctx);
	return ret;
}

/* ------------------------------------------------------------------ */

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "Usage: nidcard-rig [-b] [-d DIR] [-l LOG] [-n N] [-t SEC] [-v]\n"
	    "       nidcard-rig --wait present|absent READER [-t SEC]\n"
	    "Start a private pcscd with N vpcd virtual readers (default 2,\n"
	    "at most 16, in pairs) and supervise it until SIGTERM.\n\n"
	    "  -n, --readers N     number of readers (rounded up to even)\n"
	    "  -d, --dir DIR       working directory (created; default a new\n"
	    "                      directory under $TMPDIR or /tmp)\n"
	    "  -l, --log FILE      keep pcscd's log in FILE (default DIR/pcscd.log,\n"
	    "                      removed at stop)\n"
	    "  -b, --background    run in the background; exit 0 once ready\n"
	    "  -t, --timeout SEC   readiness timeout (default %d)\n"
	    "  -v, --debug         pcscd --debug --apdu\n"
	    "  -w, --wait STATE    wait for a card present/absent in READER\n"
	    "Environment: NIDCARD_RIG_PCSCD, NIDCARD_RIG_VPCD override the paths\n"
	    "of pcscd (" RIG_PCSCD ") and the vpcd driver (" RIG_VPCD ").\n",
	    RIG_DEFAULT_TIMEOUT);
}

static int
prerequisites(struct rig *r)
{
	struct stat sb;

	if ((r->pcscd = getenv("NIDCARD_RIG_PCSCD")) == NULL)
		r->pcscd = RIG_PCSCD;
	if ((r->vpcd = getenv("NIDCARD_RIG_VPCD")) == NULL)
		r->vpcd = RIG_VPCD;
	if (access(r->pcscd, X_OK) == -1) {
		warnx_("%s: %s (install the Debian package pcscd)", r->pcscd,
		    strerror(errno));
		return -1;
	}
	if (r->nreaders > 0 && (stat(r->vpcd, &sb) == -1 ||
	    access(r->vpcd, R_OK) == -1)) {
		warnx_("%s: %s (install the Debian package vsmartcard-vpcd)",
		    r->vpcd, strerror(errno));
		return -1;
	}
	/* pcscd writes /run/pcscd/pcscd.pid even when socket-activated. */
	if (mkdir(RIG_RUNDIR, 0755) == -1 && errno != EEXIST) {
		warnx_("%s: %s (create it once as root: install -d -m 0755 "
		    RIG_RUNDIR ")", RIG_RUNDIR, strerror(errno));
		return -1;
	}
	return 0;
}

static int
dir_empty(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int empty = 1;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

static int
make_dir(struct rig *r, const char *dir)
{
	const char *tmp;
	char path[PATH_MAX];

	if (dir != NULL) {
		if (mkdir(dir, 0700) == 0)
			r->dir_created = 1;
		else if (errno != EEXIST) {
			warnx_("mkdir %s: %s", dir, strerror(errno));
			return -1;
		} else if (!dir_empty(dir)) {
			/* Never reuse a directory: a rig may be running there. */
			warnx_("%s exists and is not empty (a rig running there? "
			    "stop it with scripts/rig down)", dir);
			return -1;
		}
		if (realpath(dir, r->dir) == NULL) {
			warnx_("%s: %s", dir, strerror(errno));
			return -1;
		}
	} else {
		if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
			tmp = "/tmp";
		if (path_fmt(path, sizeof(path), "%s/nidcard-rig.XXXXXX",
		    tmp) == -1)
			return -1;
		if (mkdtemp(path) == NULL) {
			warnx_("mkdtemp %s: %s", path, strerror(errno));
			return -1;
		}
		r->dir_created = 1;
		if (realpath(path, r->dir) == NULL) {
			warnx_("%s: %s", path, strerror(errno));
			(void)rmdir(path);
			return -1;
		}
	}
	if (path_fmt(r->sock, sizeof(r->sock), "%s/pcscd.comm", r->dir) == -1) {
		warnx_("socket path %s/pcscd.comm is longer than %zu bytes: "
		    "use a shorter --dir or TMPDIR", r->dir, sizeof(r->sock) - 1);
		if (r->dir_created)
			(void)rmdir(r->dir);
		return -1;
	}
	return 0;
}

/*
 * -b: the foreground process waits for the background one to report
 * ready (its assignments through a pipe) and exits 0, or 1 on failure.
 */
static int
background(int *report_fd)
{
	char buf[4096];
	ssize_t n;
	size_t have = 0;
	char *all = NULL, *tmp;
	int pfd[2], ok;
	pid_t pid;

	if (pipe(pfd) == -1) {
		warnx_("pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		warnx_("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		(void)setsid();
		*report_fd = pfd[1];
		return 0;
	}
	close(pfd[1]);
	for (;;) {
		n = read(pfd[0], buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((tmp = realloc(all, have + (size_t)n + 1)) == NULL)
			break;
		all = tmp;
		memcpy(all + have, buf, (size_t)n);
		have += (size_t)n;
		all[have] = '\0';
	}
	ok = all != NULL && strstr(all, "NIDCARD_RIG_READY=1\n") != NULL;
	if (all != NULL)
		fputs(all, stdout);
	free(all);
	if (!ok) {
		/* The background process failed (its reason is on stderr). */
		(void)waitpid(pid, NULL, 0);
		exit(1);
	}
	/* Not waited for: it runs on, reparented. */
	exit(0);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "background", no_argument, NULL, 'b' },
		{ "debug", no_argument, NULL, 'v' },
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "log", required_argument, NULL, 'l' },
		{ "readers", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "wait", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	struct rig r;
	struct sigaction sa;
	const char *dir = NULL, *log = NULL, *wait_what = NULL;
	FILE *out;
	char *end;
	long v;
	int ch, bg = 0, report_fd = -1, attempt, rc, ret = 1;

	memset(&r, 0, sizeof(r));
	r.nreaders = 2;
	r.timeout_s = RIG_DEFAULT_TIMEOUT;
	r.pcscd_pid = -1;
	r.out_fd = r.log_fd = -1;
	while ((ch = getopt_long(argc, argv, "bd:hl:n:t:vw:", lopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			bg = 1;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'l':
			log = optarg;
			break;
		case 'n':
		case 't':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || v < 0 ||
			    (ch == 'n' && v > RIG_MAX_READERS) ||
			    (ch == 't' && (v < 1 || v > 3600))) {
				warnx_("bad number for -%c: %s", ch, optarg);
				return 2;
			}
			if (ch == 'n')
				r.nreaders = (int)v;
			else
				r.timeout_s = (int)v;
			break;
		case 'v':
			r.debug = 1;
			break;
		case 'w':
			wait_what = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (wait_what != NULL) {
		if (argc != 1) {
			usage(stderr);
			return 2;
		}
		return wait_card(wait_what, argv[0], r.timeout_s);
	}
	if (argc != 0) {
		usage(stderr);
		return 2;
	}
	r.nentries = (r.nreaders + 1) / 2;
	r.nreaders = 2 * r.nentries;

	if (prerequisites(&r) == -1)
		return 1;
	if (bg && background(&report_fd) == -1)
		return 1;
	if (make_dir(&r, dir) == -1)
		return 1;

	if (log != NULL) {
		if (path_fmt(r.log, sizeof(r.log), "%s", log) == -1)
			goto out;
	} else {
		if (path_fmt(r.log, sizeof(r.log), "%s/pcscd.log", r.dir) == -1)
			goto out;
		r.log_ours = 1;
	}
	if ((r.log_fd = open(r.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) == -1) {
		warnx_("%s: %s", r.log, strerror(errno));
		goto out;
	}

	if (pipe(sig_pipe) == -1 || set_cloexec_nonblock(sig_pipe[0]) == -1 ||
	    set_cloexec_nonblock(sig_pipe[1]) == -1) {
		warnx_("pipe: %s", strerror(errno));
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)(getpid() ^ (pid_t)now_ms()));

	/* Our own client calls go to our own pcscd only. */
	if (setenv("PCSCLITE_CSOCK_NAME", r.sock, 1) == -1) {
		warnx_("setenv: %s", strerror(errno));
		goto out;
	}
	for (attempt = 1; ; attempt++) {
		r.attempt = attempt;
		rc = start_once(&r);
		if (rc == 0)
			break;
		if (rc == -1 || attempt == RIG_ATTEMPTS) {
			warnx_("could not start pcscd with %d vpcd readers",
			    r.nreaders);
			goto out;
		}
	}
	if (write_env(&r) == -1)
		goto out;

	out = stdout;
	if (report_fd != -1 && (out = fdopen(report_fd, "w")) == NULL) {
		warnx_("fdopen: %s", strerror(errno));
		goto out;
	}
	print_env(&r, out, "");
	if (fflush(out) == EOF && report_fd == -1)
		warnx_("stdout: %s", strerror(errno));
	if (report_fd != -1) {
		/* Detach: the foreground process exits on EOF. */
		fclose(out);
		report_fd = -1;
		if ((ch = open("/dev/null", O_RDWR)) != -1) {
			(void)dup2(ch, 0);
			(void)dup2(ch, 1);
			(void)dup2(ch, 2);
			if (ch > 2)
				close(ch);
		}
	}

	/* Supervise: log pcscd's output until a stop signal or its death. */
	while (!got_stop) {
		if (pump(&r, 1000) == 1 || reap(&r)) {
			while (r.pcscd_pid > 0 && !reap(&r))
				pump(&r, 20);
			warnx_("pcscd exited on its own");
			goto out;
		}
	}
	ret = 0;
 out:
	stop_pcscd(&r);
	if (r.out_fd != -1)
		close(r.out_fd);
	if (r.log_fd != -1)
		close(r.log_fd);
	if (r.dir[0] != '\0')
		remove_all(&r);
	return ret;
}
