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
 *   ia32     getpid through int $0x80 (the 32-bit ABI), in a child
 *   x32      getpid with the x32 bit, in a child
 *            (both: "killed" when a signal ends the child: SIGSYS from a
 *            filter without that ABI, SIGSEGV from a kernel without it)
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
#define X32_SYSCALL_BIT		    0x40000000L
#define OP_KILLED		    10000 /* not an errno: the child died of a signal */
#define IA32_NR_GETPID		    20

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

/* Run fn in a child: its result, or OP_KILLED when a signal ended it (SIGSYS
 * from a filter without the ABI, SIGSEGV from a kernel without it). */
static int in_child(int (*fn)(void))
{
	int st;
	pid_t c = fork();
	if (c < 0)
		return -errno;
	if (c == 0)
		_exit(-fn());
	if (waitpid(c, &st, 0) < 0)
		return -errno;
	return WIFSIGNALED(st) ? -OP_KILLED : -WEXITSTATUS(st);
}

static int ia32_getpid(void)
{
	long r = IA32_NR_GETPID;
	__asm__ volatile("int $0x80" : "+a"(r) : : "memory", "r8", "r9", "r10", "r11");
	return r < 0 ? (int)r : r == getpid() ? 0 : -EINVAL;
}

static int x32_getpid(void)
{
	return syscall(X32_SYSCALL_BIT | SYS_getpid) == getpid() ? 0 : -errno;
}

static int op_ia32(void)
{
	return in_child(ia32_getpid);
}

static int op_x32(void)
{
	return in_child(x32_getpid);
}

static const struct {
	const char *name;
	int (*fn)(void);
} ops[] = {
	{ "ptrace", op_ptrace }, { "keyctl", op_keyctl }, { "rawsock", op_rawsock },
	{ "userns", op_userns }, { "mntns", op_mntns },	  { "mkdir", op_mkdir },
	{ "ia32", op_ia32 },	 { "x32", op_x32 },
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
		const char *en = r == -OP_KILLED ? "killed" : r ? strerrorname_np(-r) : NULL;
		printf("%s=%s\n", argv[i], r ? (en ? en : "error") : "ok");
		failed += r != 0;
	}
	return failed;
}
