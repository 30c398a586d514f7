// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which syscalls the monitor sees, and how the rendered linux.seccomp is
 * rewritten so that exactly those calls are notified.
 *
 * libseccomp 2.5.4 (what runc 1.1.5 links), checked by experiment with
 * seccomp_export_pfc():
 *  - an unconditional ALLOW for a syscall silently wins over any conditional
 *    rule of another action for it, whatever the order they were added in;
 *  - conditional rules of different actions are laid out in an order of
 *    libseccomp's choosing (not the order of addition), so overlapping
 *    conditions resolve unpredictably.
 * runc adds one libseccomp rule per OCI rule, except that an OCI rule with two
 * conditions on the same argument becomes one rule per condition (OR).
 *
 * Therefore, for a monitored syscall the profile allows, the ALLOW rule is
 * taken apart and replaced by NOTIFY rules for the interesting argument
 * values and ALLOW rules for exactly the rest: the two sets are disjoint and
 * each rule has at most one condition per argument, so the result does not
 * depend on how libseccomp orders them.  Where a profile's own allow
 * conditions cannot be intersected with ours in OCI form, the whole
 * allowed region is notified (the monitor evaluates the arguments anyway).
 * A syscall the profile denies is left alone: it stays denied.
 */
#include <errno.h>
#include <string.h>

#include "hardrun/monitor_int.h"

#define C1(i, o, x, y)                                                                             \
	{                                                                                          \
		.n = 1, .c = { { i, o, x, y } }                                                    \
	}
#define C2(i, o, x, y, j, p, z, w)                                                                 \
	{                                                                                          \
		.n = 2, .c = { { i, o, x, y }, { j, p, z, w } }                                    \
	}
#define MEQ NF_MASKED_EQ

#define AF_PACKET_   17
#define SOCK_RAW_    3
#define SOCK_PACKET_ 10
/* socket(): notify AF_PACKET, or type SOCK_RAW / SOCK_PACKET. */
static const struct nf_alt _socket_notify[] = {
	C1(0, NF_EQ, AF_PACKET_, 0),
	C2(0, NF_NE, AF_PACKET_, 0, 1, MEQ, 0xf, SOCK_RAW_),
	C2(0, NF_NE, AF_PACKET_, 0, 1, MEQ, 0xf, SOCK_PACKET_),
};
/* type & 0xf not in {3, 10}, split on its bits. */
static const struct nf_alt _socket_allow[] = {
	C2(0, NF_NE, AF_PACKET_, 0, 1, MEQ, 0x3, 1),  C2(0, NF_NE, AF_PACKET_, 0, 1, MEQ, 0x7, 7),
	C2(0, NF_NE, AF_PACKET_, 0, 1, MEQ, 0xf, 11), C2(0, NF_NE, AF_PACKET_, 0, 1, MEQ, 0x3, 0),
	C2(0, NF_NE, AF_PACKET_, 0, 1, MEQ, 0x7, 6),  C2(0, NF_NE, AF_PACKET_, 0, 1, MEQ, 0xf, 2),
};

/* connect(): addrlen of sockaddr_in (16) or sockaddr_in6 (28). */
static const struct nf_alt _connect_notify[] = { C1(2, NF_EQ, 16, 0), C1(2, NF_EQ, 28, 0) };
static const struct nf_alt _connect_allow[] = {
	C1(2, NF_LT, 16, 0),	      C1(2, NF_GT, 28, 0),	    C1(2, NF_EQ, 17, 0),
	C1(2, MEQ, ~(uint64_t)1, 18), C1(2, MEQ, ~(uint64_t)3, 20), C1(2, MEQ, ~(uint64_t)3, 24),
};

/* bpf(BPF_PROG_LOAD). */
static const struct nf_alt _bpf_notify[] = { C1(0, NF_EQ, 5, 0) };
static const struct nf_alt _bpf_allow[] = { C1(0, NF_NE, 5, 0) };

/* clone/unshare flags with CLONE_NEWUSER or CLONE_NEWNS. */
#define NSM (0x10000000ull | 0x00020000ull)
static const struct nf_alt _ns_notify[] = {
	C1(0, MEQ, NSM, 0x10000000),
	C1(0, MEQ, NSM, 0x00020000),
	C1(0, MEQ, NSM, NSM),
};
static const struct nf_alt _ns_allow[] = { C1(0, MEQ, NSM, 0) };

/* chmod family: mode with S_ISUID or S_ISGID (argument 1 or 2). */
#define SUGID 06000ull
#define CHMOD_TABLES(i)                                                                            \
	static const struct nf_alt _chmod##i##_notify[] = { C1(i, MEQ, SUGID, 04000),              \
							    C1(i, MEQ, SUGID, 02000),              \
							    C1(i, MEQ, SUGID, SUGID) };            \
	static const struct nf_alt _chmod##i##_allow[] = { C1(i, MEQ, SUGID, 0) };
CHMOD_TABLES(1)
CHMOD_TABLES(2)

/* open flags with O_WRONLY|O_RDWR|O_CREAT|O_TRUNC, split on their bits. */
#define OPEN_TABLES(i)                                                                             \
	static const struct nf_alt _open##i##_notify[] = { C1(i, MEQ, 01, 01), C1(i, MEQ, 03, 02), \
							   C1(i, MEQ, 0103, 0100),                 \
							   C1(i, MEQ, 01103, 01000) };             \
	static const struct nf_alt _open##i##_allow[] = { C1(i, MEQ, 01103, 0) };
OPEN_TABLES(1)
OPEN_TABLES(2)

#define R(id) (1u << (id))
/* Notified whatever the rules: the exec rules and the exec log read every exec. */
#define EXEC 0u

#define ALWAYS(n, rules)                                                                           \
	{                                                                                          \
		n, NF_NOTIFY, NULL, 0, NULL, 0, rules                                              \
	}
#define COND(n, t, rules)                                                                          \
	{                                                                                          \
		n, NF_NOTIFY, t##_notify, sizeof(t##_notify) / sizeof(t##_notify[0]), t##_allow,   \
			sizeof(t##_allow) / sizeof(t##_allow[0]), rules                            \
	}

static const struct nf_entry _table[] = {
	ALWAYS("execve", EXEC),
	ALWAYS("execveat", EXEC),
	COND("socket", _socket, R(RULE_RAW_SOCKET)),
	COND("connect", _connect, R(RULE_METADATA_CONNECT)),
	ALWAYS("ptrace", R(RULE_PTRACE)),
	ALWAYS("process_vm_writev", R(RULE_PTRACE)),
	ALWAYS("init_module", R(RULE_KERNEL_MODULE)),
	ALWAYS("finit_module", R(RULE_KERNEL_MODULE)),
	ALWAYS("delete_module", R(RULE_KERNEL_MODULE)),
	ALWAYS("kexec_load", R(RULE_KERNEL_MODULE)),
	ALWAYS("kexec_file_load", R(RULE_KERNEL_MODULE)),
	COND("bpf", _bpf, R(RULE_BPF)),
	ALWAYS("perf_event_open", R(RULE_PERF_EVENT)),
	ALWAYS("mount", R(RULE_MOUNT)),
	ALWAYS("umount", R(RULE_MOUNT)),
	ALWAYS("umount2", R(RULE_MOUNT)),
	ALWAYS("pivot_root", R(RULE_MOUNT)),
	ALWAYS("open_by_handle_at", R(RULE_MOUNT)),
	ALWAYS("fsopen", R(RULE_MOUNT)),
	ALWAYS("fsmount", R(RULE_MOUNT)),
	ALWAYS("fspick", R(RULE_MOUNT)),
	ALWAYS("move_mount", R(RULE_MOUNT)),
	ALWAYS("open_tree", R(RULE_MOUNT)),
	ALWAYS("mount_setattr", R(RULE_MOUNT)),
	COND("unshare", _ns, R(RULE_NAMESPACE_ESCAPE)),
	COND("clone", _ns, R(RULE_NAMESPACE_ESCAPE)),
	/* flags behind a pointer: ENOSYS, libc falls back to clone */
	{ "clone3", NF_ENOSYS, NULL, 0, NULL, 0, R(RULE_NAMESPACE_ESCAPE) },
	ALWAYS("setns", R(RULE_NAMESPACE_ESCAPE)),
	COND("chmod", _chmod1, R(RULE_SETUID_BIT)),
	COND("fchmod", _chmod1, R(RULE_SETUID_BIT)),
	COND("fchmodat", _chmod2, R(RULE_SETUID_BIT)),
	COND("open", _open1, R(RULE_SENSITIVE_WRITE)),
	COND("openat", _open2, R(RULE_SENSITIVE_WRITE)),
	ALWAYS("creat", R(RULE_SENSITIVE_WRITE)),
	ALWAYS("openat2", R(RULE_SENSITIVE_WRITE)),
	ALWAYS("io_uring_setup", R(RULE_IO_URING)),
};

const struct nf_entry *nfilter_table(unsigned *ret_n)
{
	*ret_n = sizeof(_table) / sizeof(_table[0]);
	return _table;
}

const struct nf_entry *nfilter_find(const char *name)
{
	for (size_t i = 0; i < sizeof(_table) / sizeof(_table[0]); i++)
		if (strcmp(_table[i].name, name) == 0)
			return &_table[i];
	return NULL;
}

bool monitor_rule_watches_all(const char *name)
{
	const struct nf_entry *e = nfilter_find(name);
	return e && (e->kind == NF_ENOSYS || e->n_notify == 0);
}

static const char *const _op_names[] = {
	[NF_NE] = "SCMP_CMP_NE",
	[NF_LT] = "SCMP_CMP_LT",
	[NF_LE] = "SCMP_CMP_LE",
	[NF_EQ] = "SCMP_CMP_EQ",
	[NF_GE] = "SCMP_CMP_GE",
	[NF_GT] = "SCMP_CMP_GT",
	[NF_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

const char *nfilter_op_name(enum nf_op op)
{
	return (unsigned)op <= NF_MASKED_EQ ? _op_names[op] : "?";
}

int nfilter_op_parse(const char *s, enum nf_op *ret)
{
	for (unsigned i = 0; i <= NF_MASKED_EQ; i++)
		if (s && strcmp(s, _op_names[i]) == 0) {
			*ret = (enum nf_op)i;
			return 0;
		}
	return -EINVAL;
}

static bool _cond_match(const struct nf_cond *c, uint64_t a)
{
	switch (c->op) {
	case NF_NE:
		return a != c->v;
	case NF_LT:
		return a < c->v;
	case NF_LE:
		return a <= c->v;
	case NF_EQ:
		return a == c->v;
	case NF_GE:
		return a >= c->v;
	case NF_GT:
		return a > c->v;
	case NF_MASKED_EQ:
		return (a & c->v) == c->v2;
	}
	return false;
}

bool nfilter_alt_match(const struct nf_alt *a, const uint64_t args[6])
{
	for (unsigned i = 0; i < a->n; i++)
		if (a->c[i].idx > 5 || !_cond_match(&a->c[i], args[a->c[i].idx]))
			return false;
	return true;
}

/* x AND y on the same argument: 1 -> *out, 0 empty, -EOPNOTSUPP. */
static int _cond_and(const struct nf_cond *x, const struct nf_cond *y, struct nf_cond *out)
{
	if (x->op == y->op && x->v == y->v && (x->op != NF_MASKED_EQ || x->v2 == y->v2)) {
		*out = *x;
		return 1;
	}
	if (x->op == NF_EQ || y->op == NF_EQ) {
		const struct nf_cond *eq = x->op == NF_EQ ? x : y, *o = x->op == NF_EQ ? y : x;
		*out = *eq;
		return _cond_match(o, eq->v) ? 1 : 0;
	}
	if (x->op == NF_MASKED_EQ && y->op == NF_MASKED_EQ) {
		if ((x->v2 ^ y->v2) & x->v & y->v)
			return 0;
		*out = (struct nf_cond){ x->idx, NF_MASKED_EQ, x->v | y->v,
					 (x->v2 & x->v) | (y->v2 & y->v) };
		return 1;
	}
	return -EOPNOTSUPP;
}

int nfilter_alt_and(const struct nf_alt *a, const struct nf_alt *b, struct nf_alt *ret)
{
	struct nf_alt r = *a;

	for (unsigned i = 0; i < b->n; i++) {
		unsigned j;
		for (j = 0; j < r.n && r.c[j].idx != b->c[i].idx; j++)
			;
		if (j < r.n) {
			int k = _cond_and(&r.c[j], &b->c[i], &r.c[j]);
			if (k <= 0)
				return k;
			continue;
		}
		if (r.n >= NF_MAX_CONDS)
			return -EOPNOTSUPP;
		r.c[r.n++] = b->c[i];
	}
	*ret = r;
	return 1;
}
