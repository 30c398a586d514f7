// SPDX-License-Identifier: GPL-2.0-or-later
/* Name tables for seccomp actions, operators and architectures. */
#include <errno.h>
#include <fcntl.h>
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

/* The child of filter_env_probe_abis: one byte per ABI, written before the
 * next probe can crash it. */
static void _probe_child(int w)
{
#if defined(__x86_64__)
	char ok = syscall(X32_SYSCALL_BIT | SYS_getpid) == getpid();
	(void)!write(w, &ok, 1);
	long r = IA32_NR_GETPID;
	__asm__ volatile("int $0x80" : "+a"(r) : : "memory", "r8", "r9", "r10", "r11");
	ok = r == getpid();
	(void)!write(w, &ok, 1);
#endif
	_exit(0);
}

void filter_env_probe_abis(struct filter_env *env)
{
	char got[2] = { 1, 1 }; /* unknown: the ABI may run, keep it */
	int p[2], st;

	if (env->arch != SCMP_ARCH_X86_64 || pipe2(p, O_CLOEXEC) < 0)
		return;
	pid_t c = fork();
	if (c == 0) {
		(void)close(p[0]);
		_probe_child(p[1]);
	}
	(void)close(p[1]);
	if (c > 0) {
		size_t n = 0;
		ssize_t k;
		while (n < 2 && ((k = read(p[0], got + n, 2 - n)) > 0 || (k < 0 && errno == EINTR)))
			n += k > 0 ? (size_t)k : 0;
		if (n < 1)
			got[0] = 1;
		if (n < 2) /* crashed in the ia32 probe (SIGSEGV: no ia32 emulation) */
			got[1] = n == 1 ? 0 : 1;
		while (waitpid(c, &st, 0) < 0 && errno == EINTR)
			;
		/* a signal other than SIGSEGV (an outer filter's SIGSYS, an OOM
		 * kill) says nothing about the kernel: keep the ABI */
		if (n == 1 && !(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV))
			got[1] = 1;
	}
	(void)close(p[0]);
	env->x32_off = !got[0];
	env->ia32_off = !got[1];
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
