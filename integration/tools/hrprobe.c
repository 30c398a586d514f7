// SPDX-License-Identifier: GPL-2.0-or-later
/* Test probe (built static, runs inside busybox containers): tries each
 * operation named on the command line and prints "OP=ok" or "OP=<ERRNO NAME>",
 * one a line.  Exit status: the number of operations that failed.
 *   ptrace   PTRACE_ATTACH to a forked child (what strace/gdb do)
 *   keyctl   join a new session keyring
 *   rawsock  socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
 *   userns   unshare(CLONE_NEWUSER)
 *   mntns    unshare(CLONE_NEWNS)
 *   mkdir    mkdir("/tmp/hrprobe.d") (removed again on success)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEYCTL_JOIN_SESSION_KEYRING 1

static int op_ptrace(void)
{
	pid_t c = fork();
	if (c < 0)
		return -errno;
	if (c == 0) {
		pause();
		_exit(0);
	}
	int r = ptrace(PTRACE_ATTACH, c, 0, 0) < 0 ? -errno : 0;
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	return r;
}

static int op_keyctl(void)
{
	return syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "hrprobe") < 0 ? -errno : 0;
}

static int op_rawsock(void)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int op_userns(void)
{
	return unshare(CLONE_NEWUSER) < 0 ? -errno : 0;
}

static int op_mntns(void)
{
	return unshare(CLONE_NEWNS) < 0 ? -errno : 0;
}

static int op_mkdir(void)
{
	if (mkdir("/tmp/hrprobe.d", 0700) < 0)
		return -errno;
	rmdir("/tmp/hrprobe.d");
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} ops[] = {
	{ "ptrace", op_ptrace }, { "keyctl", op_keyctl }, { "rawsock", op_rawsock },
	{ "userns", op_userns }, { "mntns", op_mntns },	  { "mkdir", op_mkdir },
};

int main(int argc, char **argv)
{
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		size_t k = 0;
		while (k < sizeof(ops) / sizeof(ops[0]) && strcmp(ops[k].name, argv[i]))
			k++;
		if (k == sizeof(ops) / sizeof(ops[0])) {
			printf("%s=unknown-op\n", argv[i]);
			failed++;
			continue;
		}
		int r = ops[k].fn();
		const char *en = r ? strerrorname_np(-r) : NULL;
		printf("%s=%s\n", argv[i], r ? (en ? en : "error") : "ok");
		failed += r != 0;
	}
	return failed;
}
