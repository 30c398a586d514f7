// SPDX-License-Identifier: GPL-2.0-or-later
/* Test helper (static, runs inside busybox containers): fires one monitored
 * syscall.  hrtrig ptrace|bpf|perf|uring|module|memfd|memfdproc|getpid N|execloop N|execfail N|
 * mountloop N (N mount attempts; prints how many failed with EPERM: denied=...)
 * getpid, execloop (N fork + execve of `hrtrig none`) and execfail (N execve
 * of a missing file: the notification round trip without the exec) also
 * print the elapsed time in the container, ns=..., for bench/monitor.bench.sh. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <time.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* n x fork + execve of `hrtrig none` (which prints nothing); with redirect,
 * the child first points its stdout at /dev/null, as a shell's `>` does
 * (an open for writing and a dup2 onto fd 1: two more monitored calls). */
static long execloop(long n, int redirect)
{
	char *av[] = { "hrtrig", "none", NULL }, *ev[] = { NULL };
	for (long i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0) {
			if (redirect) {
				int null = open("/dev/null", O_WRONLY);
				dup2(null, 1);
			}
			execve("/bin/hrtrig", av, ev);
			_exit(127);
		}
		int st;
		if (c < 0 || waitpid(c, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long r = -1;
	long long t0 = now_ns();
	const char *w = argc > 1 ? argv[1] : "";
	if (!strcmp(w, "ptrace")) {
		pid_t c = fork();
		if (c == 0) { pause(); _exit(0); }
		r = ptrace(PTRACE_ATTACH, c, 0, 0);
		kill(c, 9);
	} else if (!strcmp(w, "bpf")) {
		union bpf_attr a; memset(&a, 0, sizeof a);
		a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
		r = syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
	} else if (!strcmp(w, "perf")) {
		struct perf_event_attr a; memset(&a, 0, sizeof a);
		a.size = sizeof a; a.type = PERF_TYPE_SOFTWARE; a.config = PERF_COUNT_SW_CPU_CLOCK;
		r = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	} else if (!strcmp(w, "uring")) {
		char p[120]; memset(p, 0, sizeof p);
		r = syscall(SYS_io_uring_setup, 4, p);
	} else if (!strcmp(w, "module")) {
		r = syscall(SYS_finit_module, 0, "", 0);
	} else if (!strcmp(w, "memfd")) {
		int fd = memfd_create("x", 0), in = open("/bin/busybox", O_RDONLY);
		char b[65536]; ssize_t n;
		while ((n = read(in, b, sizeof b)) > 0) write(fd, b, n);
		char *av[] = { "true", NULL }, *ev[] = { NULL };
		r = syscall(SYS_execveat, fd, "", av, ev, AT_EMPTY_PATH);
	} else if (!strcmp(w, "revshell")) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons(argc > 2 ? atoi(argv[2]) : 9000) };
		int s = socket(AF_INET, SOCK_STREAM, 0), err = dup(2);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0)
			return perror("revshell connect"), 1;
		dup2(s, 0); dup2(s, 1); dup2(s, 2);
		char *av[] = { "sh", "-c", "true", NULL }, *ev[] = { NULL };
		r = execve("/bin/sh", av, ev);
		dup2(err, 1); /* the exec was refused: say so on the container's stdout */
	} else if (!strcmp(w, "memfdproc")) { /* a memfd run through its /proc path */
		int fd = memfd_create("x", 0), in = open("/bin/busybox", O_RDONLY);
		char b[65536], p[64]; ssize_t n;
		while ((n = read(in, b, sizeof b)) > 0) write(fd, b, n);
		char *av[] = { "true", NULL }, *ev[] = { NULL };
		snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
		r = execve(p, av, ev);
	} else if (!strcmp(w, "getpid")) {
		long n = argc > 2 ? atol(argv[2]) : 1000000;
		for (long i = 0; i < n; i++) syscall(SYS_getpid);
		r = 0;
	} else if (!strcmp(w, "execloop") || !strcmp(w, "execredir")) {
		r = execloop(argc > 2 ? atol(argv[2]) : 100, !strcmp(w, "execredir"));
	} else if (!strcmp(w, "mountloop")) {
		long n = argc > 2 ? atol(argv[2]) : 1000, denied = 0;
		for (long i = 0; i < n; i++)
			if (syscall(SYS_mount, "none", "/mnt", "tmpfs", 0, NULL) < 0 && errno == EPERM)
				denied++;
		printf("denied=%ld\n", denied);
		r = 0;
	} else if (!strcmp(w, "none")) {
		return 0;
	} else if (!strcmp(w, "execfail")) {
		char *av[] = { "x", NULL }, *ev[] = { NULL };
		long n = argc > 2 ? atol(argv[2]) : 1000;
		for (long i = 0; i < n; i++)
			execve("/nonexistent/x", av, ev);
		r = 0;
	}
	if (!strcmp(w, "getpid") || !strcmp(w, "execloop") || !strcmp(w, "execredir") ||
	    !strcmp(w, "execfail"))
		printf("ns=%lld\n", now_ns() - t0);
	printf("%s=%ld errno=%d\n", w, r, r < 0 ? errno : 0);
	return 0;
}
