// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ptrace mechanism of the monitor, for runtimes that cannot hand over a
 * seccomp notify fd (or profiles that ask for it).
 *
 * The filter is the notify one with SCMP_ACT_TRACE (nfilter_use_trace).
 * hardrun create/run is PTRACE_SEIZEd before it execs the runtime, an exec
 * session's hardrun before it execs `runc exec` (tracer_accept); everything
 * those start is attached by the kernel through fork/vfork/clone events.
 * runc's own host-side processes have no filter: they only cost their clone
 * and exec stops.  No PTRACE_O_EXITKILL: when the monitor dies the tracees
 * are detached, and SECCOMP_RET_TRACE without a tracer fails the call with
 * ENOSYS (fail closed, everything else keeps running).
 *
 * Stops, as the kernel reports them to a PTRACE_SEIZE tracer:
 *  - PTRACE_EVENT_SECCOMP: a filtered call; the decision callback answers 0
 *    (run it) or an errno (orig_rax = -1 skips it, rax is its result);
 *  - PTRACE_EVENT_FORK/VFORK/CLONE: the new task inherits the session; its
 *    own first stop (PTRACE_EVENT_STOP) may come before or after this one,
 *    so a task seen first is held until its parent's event names it;
 *  - PTRACE_EVENT_EXEC: after a filtered execve was allowed, the session has
 *    started (the runtime's own calls come before that);
 *  - PTRACE_EVENT_STOP with a stop signal: group-stop, PTRACE_LISTEN;
 *  - any other stop: signal-delivery-stop, the signal is re-injected.
 * Every stop is resumed before the next waitpid(): no tracee is left stopped
 * except a new task held for at most a tick (then /proc names its session).
 *
 * Limits: a call whose seccomp stop is in progress when the monitor dies runs
 * (the kernel re-runs the filter, which lets a TRACE through without a
 * tracer); every later one fails.  Tracees cannot be traced by anyone else:
 * debuggers inside the container fail to attach (the ptrace rule still
 * reports the attempt).  Pointer arguments are read while the caller is
 * stopped, but other threads may change them: evidence, as with notify.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

#define TRACE_OPTIONS                                                                              \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |  \
	 PTRACE_O_TRACEEXEC)
#define X32_BIT	     0x40000000u
#define ANCESTRY_MAX 64

struct tracee {
	pid_t pid;
	int session;	   /* -1 until the parent's event names it */
	bool held;	   /* stopped in its first stop, waiting for its session */
	bool exec_pending; /* a filtered execve was let through */
	time_t since;
};

struct tracer {
	tracer_decide_fn decide;
	void *ctx;
	tracer_exec_fn first_exec_fn; /* called while the first exec's task is stopped */
	struct tracee *v;
	size_t n, cap;
	bool *started; /* per session */
	int n_sessions;
	pid_t first_exec; /* exec through fanotify: mark the container's mounts */
	bool first_taken;
	bool had_any;
};

struct tracer *tracer_new(tracer_decide_fn decide, void *ctx)
{
	struct tracer *t = calloc(1, sizeof(*t));
	if (t) {
		t->decide = decide;
		t->ctx = ctx;
	}
	return t;
}

void tracer_free(struct tracer *t)
{
	if (!t)
		return;
	free(t->v);
	free(t->started);
	free(t);
}

bool tracer_done(const struct tracer *t)
{
	return t->had_any && t->n == 0;
}

static struct tracee *_find(struct tracer *t, pid_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].pid == pid)
			return &t->v[i];
	return NULL;
}

static struct tracee *_add(struct tracer *t, pid_t pid, int session)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct tracee *nv = realloc(t->v, cap * sizeof(*nv));
		if (!nv)
			return NULL;
		t->v = nv;
		t->cap = cap;
	}
	t->had_any = true;
	t->v[t->n] = (struct tracee){ .pid = pid, .session = session, .since = time(NULL) };
	return &t->v[t->n++];
}

static void _remove(struct tracer *t, pid_t pid)
{
	struct tracee *x = _find(t, pid);
	if (x)
		*x = t->v[--t->n];
}

static int _new_session(struct tracer *t)
{
	bool *ns = realloc(t->started, (size_t)(t->n_sessions + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	t->started = ns;
	t->started[t->n_sessions] = false;
	return t->n_sessions++;
}

int tracer_attach(struct tracer *t, pid_t pid, struct err *e)
{
	int s = _new_session(t);
	if (s < 0)
		return err_set(e, ENOMEM, "out of memory");
	if (!_add(t, pid, s))
		return err_set(e, ENOMEM, "out of memory");
	if (ptrace(PTRACE_SEIZE, pid, 0, TRACE_OPTIONS) < 0) {
		int r = errno;
		_remove(t, pid);
		return err_set_sys(e, r, "PTRACE_SEIZE %d", (int)pid);
	}
	return s;
}

static void _cont(pid_t pid, int sig)
{
	(void)ptrace(PTRACE_CONT, pid, 0, sig); /* ESRCH: killed meanwhile */
}

static bool _is_exec(uint32_t arch, int nr)
{
	switch (arch) {
	case AUDIT_ARCH_X86_64:
		return nr == 59 || nr == 322 || nr == (int)(X32_BIT | 520) ||
		       nr == (int)(X32_BIT | 545);
	case AUDIT_ARCH_I386:
		return nr == 11 || nr == 358;
	}
	return false;
}

int tracer_call_from_info(const struct __ptrace_syscall_info *info, pid_t pid, struct mon_call *ret)
{
	if (info->op != PTRACE_SYSCALL_INFO_SECCOMP)
		return -EINVAL;
	*ret = (struct mon_call){ .pid = pid,
				  .arch = info->arch,
				  .nr = (int)info->seccomp.nr,
				  .ip = info->instruction_pointer,
				  .notify_fd = -1,
				  .mem_fd = -1,
				  .name = "?" };
	memcpy(ret->args, info->seccomp.args, sizeof(ret->args));
	return 0;
}

/* Skip the call: it returns -error without running. */
static void _fail_call(pid_t pid, int error)
{
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0)
		return;
	regs.orig_rax = (unsigned long long)-1;
	regs.rax = (unsigned long long)-error;
	(void)ptrace(PTRACE_SETREGS, pid, 0, &regs);
}

static void _seccomp_stop(struct tracer *t, struct tracee *x)
{
	struct __ptrace_syscall_info info;
	struct mon_call c;
	memset(&info, 0, sizeof(info));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, x->pid, sizeof(info), &info) <= 0 ||
	    tracer_call_from_info(&info, x->pid, &c) < 0)
		return;
	int s = x->session < 0 ? 0 : x->session;
	c.session = s;
	c.started = t->started[s];
	pid_t pid = x->pid;
	int error = t->decide(t->ctx, &c); /* may grow nothing: x stays valid */
	if (error)
		_fail_call(pid, error);
	else if (_is_exec(c.arch, c.nr))
		x->exec_pending = true;
}

/* The session of a task whose parent's event has not come: its thread group
 * leader's, else its nearest traced ancestor's, else the first session's. */
static int _session_from_proc(struct tracer *t, pid_t pid)
{
	for (int depth = 0; depth < ANCESTRY_MAX && pid > 1; depth++) {
		char path[64], buf[4096];
		(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
		_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (n <= 0)
			break;
		buf[n] = '\0';
		const char *tg = strstr(buf, "\nTgid:"), *pp = strstr(buf, "\nPPid:");
		pid_t tgid = tg ? (pid_t)strtol(tg + 6, NULL, 10) : 0;
		struct tracee *x = tgid != pid ? _find(t, tgid) : NULL;
		if (x && x->session >= 0)
			return x->session;
		pid = pp ? (pid_t)strtol(pp + 6, NULL, 10) : 0;
		x = _find(t, pid);
		if (x && x->session >= 0)
			return x->session;
	}
	return 0;
}

static void _fork_event(struct tracer *t, struct tracee *x)
{
	unsigned long msg = 0;
	int session = x->session < 0 ? 0 : x->session;
	if (ptrace(PTRACE_GETEVENTMSG, x->pid, 0, &msg) < 0 || msg == 0)
		return;
	pid_t child = (pid_t)msg;
	struct tracee *c = _find(t, child);
	if (!c) {
		(void)_add(t, child, session); /* its first stop will find it */
		return;
	}
	c->session = session;
	if (c->held) {
		c->held = false;
		_cont(child, 0);
	}
}

/* Does pid run under a seccomp filter, i.e. inside the container?  (runc's
 * host-side processes have none.)  Exec through fanotify: execve is not in
 * the filter, so an exec stop of a filtered task starts its session. */
static bool _filtered(pid_t pid)
{
	char path[64], buf[4096];
	(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "\nSeccomp:\t2") != NULL;
}

static void _exec_event(struct tracer *t, pid_t pid)
{
	unsigned long former = 0;
	struct tracee *x = _find(t, pid);
	bool pending = x && x->exec_pending;
	/* a non-leader thread that execs takes over the leader's pid */
	if (ptrace(PTRACE_GETEVENTMSG, pid, 0, &former) == 0 && (pid_t)former != pid) {
		struct tracee *f = _find(t, (pid_t)former);
		pending |= f && f->exec_pending;
		_remove(t, (pid_t)former);
		x = _find(t, pid);
	}
	if (!x)
		return;
	x->exec_pending = false;
	pending = pending || _filtered(pid);
	if (pending && x->session >= 0)
		t->started[x->session] = true;
	if (pending && !t->first_exec) {
		t->first_exec = pid;
		if (t->first_exec_fn) { /* before the new program runs */
			t->first_taken = true;
			t->first_exec_fn(t->ctx, pid);
		}
	}
}

void tracer_on_first_exec(struct tracer *t, tracer_exec_fn fn)
{
	t->first_exec_fn = fn;
}

int tracer_session_of(struct tracer *t, pid_t pid, bool *ret_started)
{
	struct tracee *x = _find(t, pid);
	int s = x && x->session >= 0 ? x->session : _session_from_proc(t, pid);
	*ret_started = s >= 0 && s < t->n_sessions && t->started[s];
	return s;
}

pid_t tracer_take_first_exec(struct tracer *t)
{
	if (t->first_taken || !t->first_exec)
		return 0;
	t->first_taken = true;
	return t->first_exec;
}

/* A stop of a task we have no record of: a new task before its parent's event. */
static struct tracee *_first_seen(struct tracer *t, pid_t pid, int event)
{
	struct tracee *x = _add(t, pid, -1);
	if (x && event != PTRACE_EVENT_STOP)
		x->session = _session_from_proc(t, pid); /* not a first stop: no waiting */
	return x;
}

static void _stopped(struct tracer *t, pid_t pid, int status)
{
	int sig = WSTOPSIG(status), event = (status >> 16) & 0xff;
	struct tracee *x = _find(t, pid);
	if (!x && !(x = _first_seen(t, pid, event))) {
		_cont(pid, 0);
		return;
	}
	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		_seccomp_stop(t, x);
		break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		_fork_event(t, x);
		break;
	case PTRACE_EVENT_EXEC:
		_exec_event(t, pid);
		break;
	case PTRACE_EVENT_STOP:
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
			(void)ptrace(PTRACE_LISTEN, pid, 0, 0); /* group-stop */
			return;
		}
		if (x->session < 0) { /* first stop, parent's event still to come */
			x->held = true;
			x->since = time(NULL);
			return;
		}
		break;
	case 0:
		_cont(pid, sig); /* signal-delivery-stop: deliver it */
		return;
	}
	_cont(pid, 0);
}

void tracer_reap(struct tracer *t)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
		if (pid <= 0)
			return;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			_remove(t, pid);
		else if (WIFSTOPPED(status))
			_stopped(t, pid, status);
	}
}

void tracer_tick(struct tracer *t)
{
	time_t now = time(NULL);
	for (size_t i = 0; i < t->n; i++) {
		struct tracee *x = &t->v[i];
		if (!x->held || now - x->since < 1)
			continue;
		x->session = _session_from_proc(t, x->pid);
		x->held = false;
		_cont(x->pid, 0);
	}
}

int tracer_accept(struct tracer *t, int listen_fd, struct err *e)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char reply[ERR_MSG_MAX + 8];
	_cleanup_close_ int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return err_set_sys(e, errno, "accept");
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return err_set_sys(e, errno, "SO_PEERCRED");
	int s = tracer_attach(t, cred.pid, e);
	int n = s < 0 ? snprintf(reply, sizeof(reply), "ERR %s\n", e->msg)
		      : snprintf(reply, sizeof(reply), "OK %d\n", s);
	(void)!write(fd, reply, (size_t)n);
	return s;
}
