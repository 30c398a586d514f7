// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rule evaluation: one notified call + its process context + the evidence
 * read for it -> at most one rule and its action.  Pure (no I/O), so the
 * tests run it over recorded fixtures.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hardrun/monitor_int.h"

#define AT_EMPTY_PATH_ 0x1000
#define NS_FLAGS       (0x10000000ull | 0x00020000ull) /* CLONE_NEWUSER | CLONE_NEWNS */

void eval_rules_default(struct mon_rules *r)
{
	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < RULE__COUNT; i++)
		r->action[i] = rules_table[i].default_action;
}

int eval_rules_from_profile(const struct json *monitor, struct mon_rules *r, struct err *e)
{
	eval_rules_default(r);
	if (!monitor)
		return 0;
	const struct json *rules = json_get(monitor, "rules");
	json_foreach (i, rules) {
		const struct rule_def *d = rules_find(rules->keys[i]);
		enum rule_action a;
		if (!d)
			return err_set(e, EINVAL, "monitor.rules: unknown rule \"%s\"",
				       rules->keys[i]);
		if (!json_string(rules->items[i]) ||
		    rule_action_parse(json_string(rules->items[i]), &a) < 0)
			return err_set(e, EINVAL,
				       "monitor.rules.%s: action must be one of "
				       "alert, deny, kill, off",
				       rules->keys[i]);
		r->action[d->id] = a;
	}
	const struct json *kb = json_get(monitor, "knownBinaries");
	r->drift = kb && json_is(kb, JSON_ARRAY) && kb->n > 0;
	r->shell_parents = json_get(monitor, "shellParents");
	return 0;
}

static const char *_base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool _shell_name(const char *n)
{
	static const char *const shells[] = { "sh",  "bash", "dash", "ash",  "zsh",
					      "ksh", "mksh", "csh",  "tcsh", "fish" };
	if (*n == '-') /* login shell argv0 */
		n++;
	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strcmp(n, shells[i]) == 0)
			return true;
	return false;
}

static bool _listed(const struct json *names, const char *s)
{
	json_foreach (i, names)
		if (json_string(names->items[i]) && strcmp(json_string(names->items[i]), s) == 0)
			return true;
	return false;
}

bool eval_is_shell(const char *path, const char *argv0, const char *argv1)
{
	if (_shell_name(_base(path)) || (argv0 && *argv0 && _shell_name(_base(argv0))))
		return true;
	/* `busybox sh ...` */
	return strcmp(_base(path), "busybox") == 0 && argv1 && _shell_name(argv1);
}

static bool _prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

bool eval_fileless_path(const char *p)
{
	if (_prefix(p, "/memfd:") || _prefix(p, "/dev/shm/") || _prefix(p, "/run/shm/") ||
	    _prefix(p, "/dev/fd/") || _prefix(p, "/proc/self/fd/"))
		return true;
	size_t n = strlen(p);
	if (n > 10 && strcmp(p + n - 10, " (deleted)") == 0)
		return true;
	if (_prefix(p, "/proc/")) { /* /proc/<pid>/fd/ */
		const char *s = p + 6;
		while (*s >= '0' && *s <= '9')
			s++;
		return s > p + 6 && _prefix(s, "/fd/");
	}
	return false;
}

static int _fire(const struct mon_rules *r, enum rule_id id, struct mon_verdict *v, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

static int _fire(const struct mon_rules *r, enum rule_id id, struct mon_verdict *v, const char *fmt,
		 ...)
{
	enum rule_action a = plan_action(r, id);
	if (a == ACTION_OFF)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
	v->rule = id;
	v->action = a;
	v->errno_ret = EPERM;
	return 1;
}

/* Interpreters that take a program on stdin or argv: python3.11, perl5.36, ... */
static bool _interpreter_name(const char *n)
{
	static const char *const prefixes[] = { "python", "perl", "ruby", "php", "lua" };
	static const char *const names[] = { "node", "nodejs", "tclsh", "wish", "gawk", "expect" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (_prefix(n, prefixes[i]))
			return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(n, names[i]) == 0)
			return true;
	return false;
}

/* Programs whose -e/exec option runs a program on the connection. */
static bool _relay_name(const char *n)
{
	static const char *const relays[] = { "nc", "ncat", "netcat", "socat" };
	for (size_t i = 0; i < sizeof(relays) / sizeof(relays[0]); i++)
		if (strcmp(n, relays[i]) == 0)
			return true;
	return false;
}

bool eval_reverse_shell(const char *target, const char *argv0, const char *argv1,
			const char *caller_comm, bool stdio_inet)
{
	if (!stdio_inet)
		return false;
	return eval_is_shell(target, argv0, argv1) || _interpreter_name(_base(target)) ||
	       (argv0 && _interpreter_name(_base(argv0))) || _relay_name(caller_comm);
}

typedef void (*eval_fn)(const struct mon_call *c, const struct mon_proc *p,
			const struct mon_evidence *ev, const struct mon_rules *r,
			struct mon_verdict *v);

static void _eval_exec(const struct mon_call *c, const struct mon_proc *p,
		       const struct mon_evidence *ev, const struct mon_rules *r,
		       struct mon_verdict *v)
{
	bool at = strcmp(c->name, "execveat") == 0;
	bool empty = at && (c->args[4] & AT_EMPTY_PATH_) && ev->path[0] == '\0';
	const char *target = empty ? ev->fd_link : ev->path;

	if ((empty || eval_fileless_path(target) || (at && eval_fileless_path(ev->fd_link))) &&
	    _fire(r, RULE_FILELESS_EXEC, v, "path=%s fd=%s argv=%s", target, at ? ev->fd_link : "",
		  ev->argv))
		return;
	if (eval_reverse_shell(target, ev->argv0, ev->argv1, p->comm, ev->stdio_inet) &&
	    _fire(r, RULE_REVERSE_SHELL, v, "path=%s argv=%s stdio=%s parent=%s", target, ev->argv,
		  ev->stdio_link, p->comm))
		return;
	bool shell = eval_is_shell(target, ev->argv0, ev->argv1);
	bool by_exec = c->session > 0 && !c->started;
	bool by_nonshell =
		c->started && !_shell_name(p->comm) && !_listed(r->shell_parents, p->comm);
	if (shell && (by_exec || by_nonshell) &&
	    _fire(r, RULE_TERMINAL_SHELL, v, "path=%s argv=%s parent=%s%s", target, ev->argv,
		  p->comm, by_exec ? " (runc exec session)" : ""))
		return;
	if ((r->drift && !ev->known_binary) || ev->new_file)
		(void)_fire(r, RULE_DRIFT_EXEC, v, "path=%s argv=%s%s", target, ev->argv,
			    ev->new_file ? " (created or changed since the container started)"
					 : "");
}

static void _eval_socket(const struct mon_call *c, const struct mon_proc *p,
			 const struct mon_evidence *ev, const struct mon_rules *r,
			 struct mon_verdict *v)
{
	unsigned type = (unsigned)(c->args[1] & 0xf);
	if (c->args[0] == 17 || type == 3 || type == 10)
		(void)_fire(r, RULE_RAW_SOCKET, v, "domain=%d type=%d protocol=%d", (int)c->args[0],
			    (int)c->args[1], (int)c->args[2]);
}

static bool _is_metadata(const struct mon_evidence *ev)
{
	static const uint8_t v4[4] = { 169, 254, 169, 254 };
	static const uint8_t v6[16] = {
		0xfd, 0, 0, 0xec, 0x2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x2, 0x54
	};
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (ev->family == 2)
		return memcmp(ev->addr, v4, 4) == 0;
	return ev->family == 10 &&
	       (memcmp(ev->addr, v6, 16) == 0 ||
		(memcmp(ev->addr, mapped, 12) == 0 && memcmp(ev->addr + 12, v4, 4) == 0));
}

static void _addr_text(const struct mon_evidence *ev, char *buf, size_t size)
{
	if (ev->family == 2) {
		(void)snprintf(buf, size, "%u.%u.%u.%u", ev->addr[0], ev->addr[1], ev->addr[2],
			       ev->addr[3]);
		return;
	}
	size_t o = 0;
	for (int i = 0; i < 16 && o + 6 < size; i += 2)
		o += (size_t)snprintf(buf + o, size - o, "%s%x", i ? ":" : "",
				      (unsigned)(ev->addr[i] << 8 | ev->addr[i + 1]));
}

static void _eval_connect(const struct mon_call *c, const struct mon_proc *p,
			  const struct mon_evidence *ev, const struct mon_rules *r,
			  struct mon_verdict *v)
{
	char addr[64] = "";
	if (ev->family != 2 && ev->family != 10)
		return;
	_addr_text(ev, addr, sizeof(addr));
	if (_is_metadata(ev)) {
		(void)_fire(r, RULE_METADATA_CONNECT, v, "addr=%s port=%u (cloud metadata)", addr,
			    ev->port);
		return;
	}
	/* The API server address, compared in the text form the spec gives it. */
	char mapped[80];
	(void)snprintf(mapped, sizeof(mapped), "0:0:0:0:0:ffff:%s", r->k8s_host);
	bool host = r->k8s_host[0] && strcmp(addr, r->k8s_host) == 0;
	if (r->k8s_host[0] && ev->family == 10 && ev->addr[10] == 0xff && ev->addr[11] == 0xff) {
		char v4[20];
		(void)snprintf(v4, sizeof(v4), "%u.%u.%u.%u", ev->addr[12], ev->addr[13],
			       ev->addr[14], ev->addr[15]);
		host |= strcmp(v4, r->k8s_host) == 0;
	}
	if (host && (r->k8s_port == 0 || r->k8s_port == ev->port))
		(void)_fire(r, RULE_METADATA_CONNECT, v, "addr=%s port=%u (kubernetes api)", addr,
			    ev->port);
}

static void _eval_ptrace(const struct mon_call *c, const struct mon_proc *p,
			 const struct mon_evidence *ev, const struct mon_rules *r,
			 struct mon_verdict *v)
{
	static const uint64_t bad[] = { 4, 5, 6, 13, 15, 16, 0x4205, 0x4206 };
	if (strcmp(c->name, "process_vm_writev") == 0) {
		(void)_fire(r, RULE_PTRACE, v, "process_vm_writev pid=%d", (int)c->args[0]);
		return;
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (c->args[0] == bad[i]) {
			(void)_fire(r, RULE_PTRACE, v, "request=%d pid=%d", (int)c->args[0],
				    (int)c->args[1]);
			return;
		}
}

static void _eval_ns(const struct mon_call *c, const struct mon_proc *p,
		     const struct mon_evidence *ev, const struct mon_rules *r,
		     struct mon_verdict *v)
{
	if (strcmp(c->name, "setns") == 0 || (c->args[0] & NS_FLAGS))
		(void)_fire(r, RULE_NAMESPACE_ESCAPE, v, "flags=0x%llx",
			    (unsigned long long)(strcmp(c->name, "setns") == 0 ? c->args[1]
									       : c->args[0]));
}

static void _eval_chmod(const struct mon_call *c, const struct mon_proc *p,
			const struct mon_evidence *ev, const struct mon_rules *r,
			struct mon_verdict *v)
{
	uint64_t mode = strcmp(c->name, "fchmodat") == 0 ? c->args[2] : c->args[1];
	if (mode & 06000)
		(void)_fire(r, RULE_SETUID_BIT, v, "path=%s mode=%04llo",
			    ev->path[0] ? ev->path : ev->fd_link, (unsigned long long)mode);
}

const char *const *eval_sensitive_dirs(void)
{
	static const char *const dirs[] = { "/etc/",
					    "/bin/",
					    "/sbin/",
					    "/usr/bin/",
					    "/usr/sbin/",
					    "/usr/local/bin/",
					    "/usr/local/sbin/",
					    "/lib/",
					    "/usr/lib/",
					    NULL };
	return dirs;
}

static bool _sensitive(const char *path)
{
	size_t n = strlen(path);
	for (const char *const *d = eval_sensitive_dirs(); *d; d++)
		if (_prefix(path, *d))
			return true;
	return strcmp(path, "/proc/sys/kernel/core_pattern") == 0 ||
	       (n >= 14 && strcmp(path + n - 14, "/release_agent") == 0);
}

static void _eval_open(const struct mon_call *c, const struct mon_proc *p,
		       const struct mon_evidence *ev, const struct mon_rules *r,
		       struct mon_verdict *v)
{
	uint64_t flags = strcmp(c->name, "open") == 0	  ? c->args[1]
			 : strcmp(c->name, "openat") == 0 ? c->args[2]
			 : strcmp(c->name, "creat") == 0  ? 01101
							  : ev->open_flags;
	if ((flags & 01103) && _sensitive(ev->path))
		(void)_fire(r, RULE_SENSITIVE_WRITE, v, "path=%s flags=0%llo", ev->path,
			    (unsigned long long)flags);
}

void eval_fs_write(const char *path, const char *what, const struct mon_rules *r,
		   struct mon_verdict *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->rule = -1;
	ret->action = ACTION_OFF;
	if (_sensitive(path))
		(void)_fire(r, RULE_SENSITIVE_WRITE, ret, "path=%s op=%s", path, what);
}

#define SIMPLE(fn, rule, what)                                                                     \
	static void fn(const struct mon_call *c, const struct mon_proc *p,                         \
		       const struct mon_evidence *ev, const struct mon_rules *r,                   \
		       struct mon_verdict *v)                                                      \
	{                                                                                          \
		(void)_fire(r, rule, v, what " a0=0x%llx a1=0x%llx", c->name,                      \
			    (unsigned long long)c->args[0], (unsigned long long)c->args[1]);       \
	}
SIMPLE(_eval_module, RULE_KERNEL_MODULE, "%s")
SIMPLE(_eval_perf, RULE_PERF_EVENT, "%s")
SIMPLE(_eval_mount, RULE_MOUNT, "%s")
SIMPLE(_eval_uring, RULE_IO_URING, "%s")

static void _eval_bpf(const struct mon_call *c, const struct mon_proc *p,
		      const struct mon_evidence *ev, const struct mon_rules *r,
		      struct mon_verdict *v)
{
	if (c->args[0] == 5)
		(void)_fire(r, RULE_BPF, v, "cmd=BPF_PROG_LOAD");
}

static const struct {
	const char *name;
	eval_fn fn;
} _evals[] = {
	{ "execve", _eval_exec },
	{ "execveat", _eval_exec },
	{ "socket", _eval_socket },
	{ "connect", _eval_connect },
	{ "ptrace", _eval_ptrace },
	{ "process_vm_writev", _eval_ptrace },
	{ "init_module", _eval_module },
	{ "finit_module", _eval_module },
	{ "delete_module", _eval_module },
	{ "kexec_load", _eval_module },
	{ "kexec_file_load", _eval_module },
	{ "bpf", _eval_bpf },
	{ "perf_event_open", _eval_perf },
	{ "mount", _eval_mount },
	{ "umount", _eval_mount },
	{ "umount2", _eval_mount },
	{ "pivot_root", _eval_mount },
	{ "open_by_handle_at", _eval_mount },
	{ "fsopen", _eval_mount },
	{ "fsmount", _eval_mount },
	{ "fspick", _eval_mount },
	{ "move_mount", _eval_mount },
	{ "open_tree", _eval_mount },
	{ "mount_setattr", _eval_mount },
	{ "unshare", _eval_ns },
	{ "clone", _eval_ns },
	{ "setns", _eval_ns },
	{ "chmod", _eval_chmod },
	{ "fchmod", _eval_chmod },
	{ "fchmodat", _eval_chmod },
	{ "open", _eval_open },
	{ "openat", _eval_open },
	{ "creat", _eval_open },
	{ "openat2", _eval_open },
	{ "io_uring_setup", _eval_uring },
};

void eval_call(const struct mon_call *c, const struct mon_proc *p, const struct mon_evidence *ev,
	       const struct mon_rules *r, struct mon_verdict *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->rule = -1;
	ret->action = ACTION_OFF;
	/* Before a session's first execve the calls are the runtime's own. */
	bool exec = strcmp(c->name, "execve") == 0 || strcmp(c->name, "execveat") == 0;
	if (!c->started && !exec)
		return;
	for (size_t i = 0; i < sizeof(_evals) / sizeof(_evals[0]); i++)
		if (strcmp(_evals[i].name, c->name) == 0) {
			_evals[i].fn(c, p, ev, r, ret);
			return;
		}
}
