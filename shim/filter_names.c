// SPDX-License-Identifier: GPL-2.0-or-later
/* Name tables for seccomp actions, operators and architectures. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>

#include "hardrun/filter.h"

#define X32_SYSCALL_BIT 0x40000000L
#define IA32_NR_GETPID	20

static const char *const _act_names[FA__COUNT] = {
	[FA_ALLOW] = "SCMP_ACT_ALLOW",
	[FA_LOG] = "SCMP_ACT_LOG",
	[FA_TRACE] = "SCMP_ACT_TRACE",
	[FA_NOTIFY] = "SCMP_ACT_NOTIFY",
	[FA_ERRNO] = "SCMP_ACT_ERRNO",
	[FA_TRAP] = "SCMP_ACT_TRAP",
	[FA_KILL] = "SCMP_ACT_KILL",
	[FA_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[FA_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
};

static const int _act_rank[FA__COUNT] = {
	[FA_ALLOW] = 0, [FA_LOG] = 1,  [FA_TRACE] = 2,	     [FA_NOTIFY] = 2,	    [FA_ERRNO] = 3,
	[FA_TRAP] = 4,	[FA_KILL] = 5, [FA_KILL_THREAD] = 5, [FA_KILL_PROCESS] = 6,
};

static const char *const _op_names[FOP__COUNT] = {
	[FOP_NE] = "SCMP_CMP_NE",
	[FOP_LT] = "SCMP_CMP_LT",
	[FOP_LE] = "SCMP_CMP_LE",
	[FOP_EQ] = "SCMP_CMP_EQ",
	[FOP_GE] = "SCMP_CMP_GE",
	[FOP_GT] = "SCMP_CMP_GT",
	[FOP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const struct {
	const char *scmp;
	const char *go;
	const char *alias;
	uint32_t token;
} _arches[] = {
	{ "SCMP_ARCH_X86_64", "amd64", "x86_64", SCMP_ARCH_X86_64 },
	{ "SCMP_ARCH_X86", "x86", "386", SCMP_ARCH_X86 },
	{ "SCMP_ARCH_X32", "x32", NULL, SCMP_ARCH_X32 },
	{ "SCMP_ARCH_ARM", "arm", NULL, SCMP_ARCH_ARM },
	{ "SCMP_ARCH_AARCH64", "arm64", "aarch64", SCMP_ARCH_AARCH64 },
	{ "SCMP_ARCH_MIPS", "mips", NULL, SCMP_ARCH_MIPS },
	{ "SCMP_ARCH_MIPS64", "mips64", NULL, SCMP_ARCH_MIPS64 },
	{ "SCMP_ARCH_MIPS64N32", "mips64n32", NULL, SCMP_ARCH_MIPS64N32 },
	{ "SCMP_ARCH_MIPSEL", "mipsle", "mipsel", SCMP_ARCH_MIPSEL },
	{ "SCMP_ARCH_MIPSEL64", "mips64le", "mipsel64", SCMP_ARCH_MIPSEL64 },
	{ "SCMP_ARCH_MIPSEL64N32", "mips64len32", "mipsel64n32", SCMP_ARCH_MIPSEL64N32 },
	{ "SCMP_ARCH_PPC", "ppc", NULL, SCMP_ARCH_PPC },
	{ "SCMP_ARCH_PPC64", "ppc64", NULL, SCMP_ARCH_PPC64 },
	{ "SCMP_ARCH_PPC64LE", "ppc64le", NULL, SCMP_ARCH_PPC64LE },
	{ "SCMP_ARCH_S390", "s390", NULL, SCMP_ARCH_S390 },
	{ "SCMP_ARCH_S390X", "s390x", NULL, SCMP_ARCH_S390X },
	{ "SCMP_ARCH_RISCV64", "riscv64", NULL, SCMP_ARCH_RISCV64 },
};
#define N_ARCHES (sizeof(_arches) / sizeof(_arches[0]))

static int _lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return i;
	return -1;
}

int filter_act_parse(const char *s, enum filter_act *ret)
{
	int i = _lookup(_act_names, FA__COUNT, s);
	if (i < 0)
		return -EINVAL;
	*ret = (enum filter_act)i;
	return 0;
}

const char *filter_act_name(enum filter_act a)
{
	return (unsigned)a < FA__COUNT ? _act_names[a] : "?";
}

int filter_act_rank(enum filter_act a)
{
	return (unsigned)a < FA__COUNT ? _act_rank[a] : 0;
}

int filter_op_parse(const char *s, enum filter_op *ret)
{
	int i = _lookup(_op_names, FOP__COUNT, s);
	if (i < 0)
		return -EINVAL;
	*ret = (enum filter_op)i;
	return 0;
}

const char *filter_op_name(enum filter_op op)
{
	return (unsigned)op < FOP__COUNT ? _op_names[op] : "?";
}

uint32_t filter_arch_token(const char *scmp_name)
{
	for (size_t i = 0; i < N_ARCHES; i++)
		if (strcmp(_arches[i].scmp, scmp_name) == 0)
			return _arches[i].token;
	return 0;
}

const char *filter_arch_scmp_name(uint32_t token)
{
	for (size_t i = 0; i < N_ARCHES; i++)
		if (_arches[i].token == token)
			return _arches[i].scmp;
	return NULL;
}

uint32_t filter_arch_from_go(const char *go_name)
{
	for (size_t i = 0; i < N_ARCHES; i++)
		if (strcmp(_arches[i].go, go_name) == 0 ||
		    (_arches[i].alias && strcmp(_arches[i].alias, go_name) == 0))
			return _arches[i].token;
	return 0;
}

const char *filter_arch_go_name(uint32_t token)
{
	for (size_t i = 0; i < N_ARCHES; i++)
		if (_arches[i].token == token)
			return _arches[i].go;
	return NULL;
}

/* What the probe child found: 1 runs, 0 does not, -1 not known (the child
 * died before it could tell: an outer filter's SIGSYS, say). */
struct abi_probe {
	volatile int x32, ia32;
};

#define PROBE_SEGV_EXIT 3

static void _on_segv(int sig)
{
	(void)sig;
	_exit(PROBE_SEGV_EXIT);
}

/* Runs in a clone(CLONE_VM | CLONE_VFORK) child: no copy of hardrun's memory,
 * its own signal handlers.  A kernel without ia32 emulation answers int $0x80
 * with SIGSEGV, which the handler turns into an exit (no core dump). */
static int _probe_child(void *arg)
{
	struct abi_probe *p = arg;
#if defined(__x86_64__)
	struct sigaction sa = { .sa_handler = _on_segv };
	(void)sigaction(SIGSEGV, &sa, NULL);
	p->x32 = syscall(X32_SYSCALL_BIT | SYS_getpid) == getpid();
	long r = IA32_NR_GETPID;
	__asm__ volatile("int $0x80" : "+a"(r) : : "memory", "r8", "r9", "r10", "r11");
	p->ia32 = r == getpid();
#else
	(void)p;
#endif
	return 0;
}

void filter_env_probe_abis(struct filter_env *env)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct abi_probe p = { -1, -1 };
	int st, saved = errno;

	if (env->arch != SCMP_ARCH_X86_64)
		return;
	pid_t c = clone(_probe_child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, &p);
	if (c < 0)
		return;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	if (p.ia32 < 0 && p.x32 >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == PROBE_SEGV_EXIT)
		p.ia32 = 0;
	env->x32_off = p.x32 == 0;
	env->ia32_off = p.ia32 == 0;
	errno = saved; /* the child shared our errno */
}

void filter_env_host(struct filter_env *ret)
{
	struct utsname u;

	ret->arch = seccomp_arch_native();
	ret->kmajor = ret->kminor = 0;
	if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &ret->kmajor, &ret->kminor) != 2)
		ret->kmajor = ret->kminor = 0;
	ret->known = systab_linux61;
	ret->x32_off = ret->ia32_off = false;
}
