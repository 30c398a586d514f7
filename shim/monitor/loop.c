// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `hardrun monitor --state DIR [--ready-fd N]`: one process per container.
 *
 * One epoll loop serves the listener socket (runc connects once for the init
 * process and once per `runc exec`), every notify fd (one per such process:
 * "sessions"), a pidfd of the container's init and a 1 s timer.  The monitor
 * exits when the init has exited and every notify fd has hung up; before the
 * first connection it waits for runc (create -> start can take any time, the
 * init's fd stays open meanwhile), giving up if the container never appears.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/learn.h"
#include "hardrun/monitor_int.h"
#include "hardrun/state.h"
#include "loop.h"

#define TAG_LISTEN	   (~0ull)
#define TAG_PIDFD	   (~0ull - 1)
#define TAG_TIMER	   (~0ull - 2)
#define TAG_SIGCHLD	   (~0ull - 3)
#define TAG_KEEPER	   (~0ull - 4)
#define TAG_FANOTIFY	   (~0ull - 5)
#define NO_CONNECT_GRACE_S 10
#define NO_CONNECT_MAX_S   300
#define TAG_WATCH	   (~0ull - 6)

static int _epoll_add(struct mon *m, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };
	return epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void loop_log(struct mon *m, const char *what, const struct err *e)
{
	/* The monitor has no stderr: problems go to the events file as plain JSON. */
	evout_log(&m->out, what, e ? e->msg : "", 0);
}

static void _context(struct mon *m)
{
	m->ectx.container_id = m->spec.container_id;
	event_ctx_identity(&m->ectx, m->spec.annotations);
	if (gethostname(m->hostname, sizeof(m->hostname) - 1) < 0)
		m->hostname[0] = '\0';
	m->ectx.hostname = m->hostname;
}

static int _known_binaries(struct mon *m, struct err *e)
{
	const struct json *kb = json_get_path(m->spec.profile_doc, "monitor.knownBinaries");
	m->known = calloc((kb ? kb->n : 0) + 1, sizeof(char *));
	if (!m->known)
		return err_set(e, ENOMEM, "out of memory");
	json_foreach (i, kb) {
		const char *s = json_string(kb->items[i]);
		if (!s || !(m->known[i] = strdup(s)))
			return err_set(e, EINVAL, "monitor.knownBinaries[%zu]: not a string", i);
	}
	return 0;
}

/* Env of the container (KUBERNETES_SERVICE_*) and the final filter (taken:
 * kept, or freed in learn mode). */
static void _apply_bundle(struct mon *m, const struct json *env, struct json *seccomp)
{
	json_foreach (i, env) {
		const char *s = json_string(env->items[i]);
		if (s && strncmp(s, "KUBERNETES_SERVICE_HOST=", 24) == 0)
			(void)snprintf(m->rules.k8s_host, sizeof(m->rules.k8s_host), "%s", s + 24);
		if (s && strncmp(s, "KUBERNETES_SERVICE_PORT=", 24) == 0)
			m->rules.k8s_port = (uint16_t)strtoul(s + 24, NULL, 10);
	}
	if (m->spec.mode != MODE_LEARN && !m->seccomp)
		m->seccomp = steal_pointer(&seccomp);
	json_free(seccomp);
	m->bundle_loaded = true;
}

/* The same from the bundle's config.json, when monitor.json did not bring it. */
static void _load_bundle(struct mon *m, const char *bundle)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_json_ struct json *cfg = NULL;
	struct err e = { 0 };
	if (m->bundle_loaded)
		return;
	m->bundle_loaded = true;
	if (!*bundle || asprintf(&path, "%s/config.json", bundle) < 0 ||
	    json_load_file(path, JSON_DEFAULT_MAX_SIZE, &cfg, &e) < 0)
		return;
	_apply_bundle(m, json_get_path(cfg, "process.env"),
		      json_obj_take(json_get(cfg, "linux"), "seccomp"));
}

/* Linux 6.6+: wake the notifying task and the monitor on the CPU that is
 * already running (the task blocks right after it notifies; we block right
 * after we answer), instead of waking an idle CPU each way.  Older kernels
 * refuse it (EINVAL): the round trip is then only slower. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1ULL
#endif

static void _sync_wake_up(int notify_fd)
{
	(void)ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
}

/* The rules kernel mechanisms serve start once the container's root
 * exists: when runc hands over the init's notify fd, or at the init's first
 * traced exec (early: watch_start): fanotify marks and the nftables table before that exec is
 * answered. */
static void _kernel_watch(struct mon *m, pid_t pid, bool early)
{
	struct err e = { 0 };
	int fds[2];
	if (pid <= 0 || m->spec.mode == MODE_LEARN || (early ? m->watch_pid > 0 : m->watch.tried))
		return;
	m->watch_pid = pid;
	int r = watch_start(&m->watch, pid, &m->rules, m->seccomp, &m->ectx, &m->out, early, &e);
	if (r != 0)
		loop_log(m, r < 0 ? "monitor: kernel watch" : "monitor: warning", &e);
	for (unsigned i = watch_fds(&m->watch, fds); i-- > 0;) {
		int k = _epoll_add(m, fds[i], TAG_WATCH);
		if (k < 0 && k != -EEXIST)
			loop_log(m, "monitor: kernel watch: epoll", NULL);
	}
}

/* The second stage, once the container's program runs. */
static void _kernel_watch_late(struct mon *m)
{
	if (m->watch_pid > 0 && !m->watch.tried && (m->tracer || (m->n > 0 && m->s[0].started)))
		_kernel_watch(m, m->watch_pid, false);
}

/* The watches' own news (events lost or left out by the rate limit). */
static void _watch_notes(struct mon *m)
{
	char note[160];
	if (watch_take_note(&m->watch, note, sizeof(note)))
		loop_log(m, note, NULL);
}

static void _accept(struct mon *m)
{
	struct listener_conn c;
	struct err e = { 0 };
	if (m->tracer) { /* ptrace: an exec session asks to be attached */
		if (tracer_accept(m->tracer, m->lfd, &e) < 0)
			loop_log(m, "monitor: exec attach", &e);
		return;
	}
	if (listener_receive(m->lfd, &c, &e) < 0) {
		loop_log(m, "monitor: connection refused", &e);
		return;
	}
	struct session *ns = realloc(m->s, (m->n + 1) * sizeof(*ns));
	if (!ns || _epoll_add(m, c.notify_fd, m->n) < 0) {
		if (ns)
			m->s = ns;
		listener_conn_release(&c);
		return;
	}
	m->s = ns;
	_sync_wake_up(c.notify_fd);
	m->s[m->n] = (struct session){ .fd = steal_fd(&c.notify_fd) };
	(void)keeper_hold(m->s[m->n].fd, (int)m->n);
	if (m->n == 0)
		loop_exec_mark(m, c.pid);
	loop_exec_session(m, &m->s[m->n], c.pid);
	if (m->n == 0) {
		_load_bundle(m, c.bundle);
		_kernel_watch(m, c.pid, true);
		m->pidfd = c.pid > 0 ? (int)syscall(SYS_pidfd_open, c.pid, 0) : -1;
		if (m->pidfd < 0 || _epoll_add(m, m->pidfd, TAG_PIDFD) < 0)
			m->init_gone = true;
	}
	m->n++;
	listener_conn_release(&c);
}

static const char *_name(struct mon *m, uint32_t arch, int nr, char **to_free)
{
	*to_free = NULL;
	if (arch == SCMP_ARCH_X86_64 && nr >= 0 && nr < NAME_CACHE) {
		if (!m->names[nr])
			m->names[nr] = seccomp_syscall_resolve_num_arch(arch, nr);
		return m->names[nr] ? m->names[nr] : "?";
	}
	*to_free = seccomp_syscall_resolve_num_arch(arch, nr);
	return *to_free ? *to_free : "?";
}

static bool _respond(struct mon *m, int fd, uint64_t id, int error)
{
	memset(m->resp, 0, m->sizes.seccomp_notif_resp);
	m->resp->id = id;
	if (error)
		m->resp->error = -error;
	else
		m->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	return ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, m->resp) == 0;
}

static void _record(struct mon *m, const struct mon_call *c, const struct mon_proc *p,
		    const struct mon_evidence *ev, const struct mon_verdict *v, bool exec)
{
	struct timespec now;
	(void)clock_gettime(CLOCK_REALTIME, &now);
	if (exec) {
		_cleanup_json_ struct json *x = event_build_exec(
			&m->ectx, &now, c, p, ev,
			v->rule < 0 || v->action == ACTION_ALERT ? "continue"
								 : rule_action_name(v->action));
		if (x)
			evout_exec(&m->out, x);
	}
	if (v->rule >= 0) {
		struct mon_proc np = *p;
		if (exec) /* the event is about the program being started */
			procinfo_exec_view(p, ev, &np);
		_cleanup_json_ struct json *o = event_build(&m->ectx, &now, c, &np, v);
		char key[EVENT_KEY_MAX];
		event_fold_key(c, &np, v, key, sizeof(key));
		if (o)
			evout_event(&m->out, &o, key);
	}
}

/*
 * Decide about one call.  The hot path reads only what the rules need
 * (evidence; for an exec also the caller's comm, which the execve replaces),
 * checks the notification id once, and decides:
 *   - a rule fired: the whole process context, the event, then the answer;
 *   - an execve no rule stops: answered (CONTINUE) at once, then the rest of
 *     the exec-log record (ppid, uid, cwd, parent) read while it execs;
 *   - anything else: answered, nothing more read.
 * Returns the errno to answer with, or -1 when already answered.
 */
int loop_decide(struct mon *m, struct mon_call *c, const struct fanexec_facts *f)
{
	struct mon_proc p = { 0 };
	struct mon_evidence ev;
	struct mon_verdict v;
	bool exec = strcmp(c->name, "execve") == 0 || strcmp(c->name, "execveat") == 0;

	c->mem_fd = -1; /* process_vm_readv */
	c->checked_later = true;
	procinfo_evidence(c, &p, m->known, &ev);
	if (f) { /* exec through fanotify: the opened file's facts */
		ev.new_file = f->new_file;
		if (!ev.path[0])
			(void)snprintf(ev.path, sizeof(ev.path), "%s", f->path);
	}
	if (exec)
		procinfo_read_parts(c->pid, PI_COMM, &p); /* the shell rule's parent */
	/* A signal to the caller cancels a pending notification (Go's SIGURG does
	 * it to runc init all the time); the call is restarted and notified anew. */
	uint64_t id = c->id;
	if (c->notify_fd >= 0 && ioctl(c->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return 0;
	eval_call(c, &p, &ev, &m->rules, &v);
	bool deviation =
		v.rule < 0 && m->seccomp && nfilter_is_deviation(m->seccomp, c->name, c->args);
	bool enforce = m->spec.mode == MODE_ENFORCE;
	if (deviation && !c->started) /* the runtime's own call: no report */
		return enforce ? EPERM : 0;
	if (v.rule < 0 && !deviation && m->audit_dropped && c->started)
		(void)capaudit_verdict(c, m->audit_dropped, &v);
	if (deviation) {
		v.rule = RULE_PROFILE_DEVIATION;
		v.action = enforce ? ACTION_DENY : ACTION_ALERT;
		v.errno_ret = EPERM;
		(void)snprintf(v.detail, sizeof(v.detail), "a0=0x%llx a1=0x%llx a2=0x%llx",
			       (unsigned long long)c->args[0], (unsigned long long)c->args[1],
			       (unsigned long long)c->args[2]);
	}
	if (v.rule < 0 && !exec)
		return 0;
	if (v.rule < 0) { /* an exec no rule is about: let it run, then log it */
		/* (ptrace: the tracee runs on when the stop is resumed, after us) */
		if (c->notify_fd >= 0 && _respond(m, c->notify_fd, c->id, 0))
			c->started = true;
		procinfo_read_parts(c->pid, PI_CONTEXT | PI_PARENT, &p);
		_record(m, c, &p, &ev, &v, exec);
		return DECIDE_ANSWERED;
	}
	procinfo_read_parts(
		c->pid, (exec ? 0 : PI_COMM | PI_CMDLINE | PI_EXE) | PI_CONTEXT | PI_PARENT, &p);
	_record(m, c, &p, &ev, &v, exec);
	if (v.action == ACTION_ALERT || v.action == ACTION_OFF)
		return 0;
	if (v.action == ACTION_KILL) {
		struct err e = { 0 };
		if (cgkill_container(c->pid, &e) < 0)
			loop_log(m, "monitor: kill", &e);
	}
	return v.errno_ret ? v.errno_ret : EPERM;
}

static int _decide(struct mon *m, struct mon_call *c)
{
	return loop_decide(m, c, NULL);
}

static void _notify(struct mon *m, size_t i)
{
	struct session *s = &m->s[i];
	char *to_free;
	int error = 0;

	memset(m->req, 0, m->sizes.seccomp_notif);
	if (ioctl(s->fd, SECCOMP_IOCTL_NOTIF_RECV, m->req) < 0)
		return; /* ENOENT: the caller died meanwhile */
	keeper_inflight((int)i, m->req->id);
	struct mon_call c = { .id = m->req->id,
			      .pid = (pid_t)m->req->pid,
			      .arch = m->req->data.arch,
			      .nr = m->req->data.nr,
			      .ip = m->req->data.instruction_pointer,
			      .notify_fd = s->fd,
			      .mem_fd = -1,
			      .session = (int)i,
			      .started = loop_exec_started(m, s, (pid_t)m->req->pid) };
	memcpy(c.args, m->req->data.args, sizeof(c.args));
	c.name = _name(m, c.arch, c.nr, &to_free);
	if (m->spec.mode == MODE_LEARN) {
		if (learn_on_call(m->learn, &c, &error) <= 0)
			error = 0;
		m->learn_dirty = true;
	} else if (c.started && strcmp(c.name, "memfd_create") == 0 && loop_exec_memfd(m, &c)) {
		free(to_free);
		return;
	} else if ((error = _decide(m, &c)) < 0) { /* answered already */
		s->started = s->started || c.started;
		keeper_answered();
		free(to_free);
		return;
	}
	bool exec = strcmp(c.name, "execve") == 0 || strcmp(c.name, "execveat") == 0;
	if (_respond(m, s->fd, c.id, error) && exec && !error)
		s->started = true;
	keeper_answered();
	free(to_free);
}

/* ptrace mechanism: one seccomp stop (tracer_decide_fn). */
static int _trace_call(void *ctx, struct mon_call *c)
{
	struct mon *m = ctx;
	char *to_free;
	/* config.json is final once a filtered process runs */
	_load_bundle(m, m->spec.bundle ? m->spec.bundle : "");
	c->name = _name(m, c->arch, c->nr, &to_free);
	if (m->watch_pid <= 0 && strncmp(c->name, "execve", 6) == 0 && watch_in_container(c->pid))
		_kernel_watch(m, c->pid, true);
	int error = _decide(m, c);
	free(to_free);
	return error < 0 ? 0 : error; /* < 0: "answered": let it run */
}

/* ptrace mechanism: the container's first exec, its task still stopped:
 * the exec marks and the kernel watches go in before the program runs
 * (execve itself is not traced when execs go through fanotify). */
static void _trace_first_exec(void *ctx, pid_t pid)
{
	struct mon *m = ctx;
	loop_exec_mark(m, pid);
	if (m->watch_pid <= 0 && watch_in_container(pid))
		_kernel_watch(m, pid, true);
}

static bool _done(struct mon *m)
{
	if (m->tracer)
		return tracer_done(m->tracer);
	if (m->n == 0) {
		char path[PATH_MAX];
		struct stat st;
		time_t age = time(NULL) - m->t0;
		(void)snprintf(path, sizeof(path), "%s/%s", m->spec.runtime_root ?: "/run/runc",
			       m->spec.container_id);
		return age > NO_CONNECT_MAX_S || (age > NO_CONNECT_GRACE_S && stat(path, &st) < 0);
	}
	if (!m->init_gone)
		return false;
	for (size_t i = 0; i < m->n; i++)
		if (!m->s[i].hup)
			return false;
	return true;
}

static void _tick(struct mon *m)
{
	uint64_t x;
	(void)!read(m->tfd, &x, sizeof(x));
	if (m->tracer)
		tracer_tick(m->tracer);
	_watch_notes(m);
	fangroup_write_stats(&m->fan, m->spec.state_dir);
	evout_tick(&m->out);
	if (m->learn && m->learn_dirty) {
		struct err e = { 0 };
		if (learn_flush(m->learn, &e) < 0)
			loop_log(m, "monitor: learn flush", &e);
		m->learn_dirty = false;
	}
}

/* A respawned worker: the sessions its predecessor served (session i is
 * the held notify fd tagged i; one that hung up is gone). */
static void _adopt(struct mon *m)
{
	struct keeper_child *kc = &m->kc;
	size_t n = 0;
	for (size_t i = 0; i < kc->n; i++)
		if (kc->held[i].notify && (size_t)kc->held[i].tag + 1 > n)
			n = (size_t)kc->held[i].tag + 1;
	if (!n || !(m->s = calloc(n, sizeof(*m->s))))
		return;
	for (size_t i = 0; i < n; i++)
		m->s[i] = (struct session){ .fd = -1, .started = true, .hup = true, .pid = -1 };
	for (size_t i = 0; i < kc->n; i++) {
		if (!kc->held[i].notify)
			continue;
		struct session *x = &m->s[kc->held[i].tag];
		x->fd = kc->held[i].fd;
		x->hup = _epoll_add(m, x->fd, (uint64_t)kc->held[i].tag) < 0;
	}
	m->n = n;
	(void)keeper_takeover(kc);
	pid_t init =
		state_container_init(m->spec.runtime_root ?: "/run/runc", m->spec.container_id);
	m->pidfd = init > 0 ? (int)syscall(SYS_pidfd_open, init, 0) : -1;
	if (m->pidfd < 0 || _epoll_add(m, m->pidfd, TAG_PIDFD) < 0)
		m->init_gone = true;
	loop_exec_mark(m, init); /* marks kept by the group: only the root's upper dir */
}

static void _dispatch(struct mon *m, const struct epoll_event *ev)
{
	uint64_t tag = ev->data.u64;
	if (tag == TAG_LISTEN) {
		_accept(m);
	} else if (tag == TAG_TIMER) {
		_tick(m);
	} else if (tag == TAG_SIGCHLD) {
		struct signalfd_siginfo si;
		while (read(m->sfd, &si, sizeof(si)) == sizeof(si))
			;
		tracer_reap(m->tracer);
		loop_exec_mark(m, tracer_take_first_exec(m->tracer));
	} else if (tag == TAG_FANOTIFY) {
		fangroup_serve(&m->fan, loop_exec_decide, m);
	} else if (tag == TAG_WATCH) {
		watch_read(&m->watch);
	} else if (tag == TAG_KEEPER) { /* the supervisor is gone */
		(void)epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->keeper_fd, NULL);
		keeper_supervisor_lost(&m->spec);
	} else if (tag == TAG_PIDFD) {
		m->init_gone = true;
		(void)epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->pidfd, NULL);
	} else if (tag < m->n) {
		if (ev->events & EPOLLIN)
			_notify(m, tag);
		else if (ev->events & (EPOLLHUP | EPOLLERR)) {
			m->s[tag].hup = true;
			(void)epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->s[tag].fd, NULL);
			(void)close(m->s[tag].fd);
			m->s[tag].fd = -1;
			keeper_release((int)tag);
		}
	}
}

/* Tracee stops arrive as SIGCHLD (signalfd); hardrun create is seized
 * before the monitor says it is ready, so runc runs traced from its start. */
static int _setup_ptrace(struct mon *m, struct err *e)
{
	sigset_t chld;
	(void)sigemptyset(&chld);
	(void)sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0 ||
	    (m->sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
	    _epoll_add(m, m->sfd, TAG_SIGCHLD) < 0)
		return err_set_sys(e, errno, "signalfd");
	if (!(m->tracer = tracer_new(_trace_call, m)))
		return err_set(e, ENOMEM, "out of memory");
	tracer_on_first_exec(m->tracer, _trace_first_exec);
	if (m->spec.attach_pid <= 0)
		return err_set(e, EINVAL, "ptrace mechanism without attachPid");
	int r = tracer_attach(m->tracer, m->spec.attach_pid, e);
	return r < 0 ? r : 0;
}

static int _setup(struct mon *m, const char *state_dir, struct err *e)
{
	int r = monitor_spec_read(state_dir, &m->spec, e);
	if (r < 0)
		return r;
	if ((r = eval_rules_from_profile(json_get(m->spec.profile_doc, "monitor"), &m->rules, e)) <
		    0 ||
	    (r = _known_binaries(m, e)) < 0 ||
	    (m->events_fd < 0 &&
	     (r = monitor_open_logs(&m->spec, &m->events_fd, &m->exec_fd, e)) < 0) ||
	    (r = evout_init(&m->out, &m->spec, steal_fd(&m->events_fd), steal_fd(&m->exec_fd), e)) <
		    0)
		return r;
	m->rules.audit = m->spec.mode == MODE_AUDIT;
	if (m->rules.audit)
		(void)json_to_uint64(json_get(m->spec.profile_doc, "auditDroppedCapabilities"),
				     &m->audit_dropped);
	if (m->spec.seccomp) /* hardrun passed what config.json says */
		_apply_bundle(m, m->spec.env, steal_pointer(&m->spec.seccomp));
	_context(m);
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &m->sizes) < 0)
		return err_set_sys(e, errno, "SECCOMP_GET_NOTIF_SIZES");
	m->req = calloc(1, m->sizes.seccomp_notif > sizeof(*m->req) ? m->sizes.seccomp_notif
								    : sizeof(*m->req));
	m->resp = calloc(1, m->sizes.seccomp_notif_resp > sizeof(*m->resp)
				    ? m->sizes.seccomp_notif_resp
				    : sizeof(*m->resp));
	if (!m->req || !m->resp)
		return err_set(e, ENOMEM, "out of memory");
	if (m->spec.mode == MODE_LEARN && !(m->learn = learn_open(&m->spec, e)))
		return -(e->code ? e->code : EIO);
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	m->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	struct itimerspec one = { { 1, 0 }, { 1, 0 } };
	if (m->epfd < 0 || m->tfd < 0 || timerfd_settime(m->tfd, 0, &one, NULL) < 0)
		return err_set_sys(e, errno, "epoll/timerfd");
	if (m->lfd < 0) /* not handed over by monitor_spawn */
		m->lfd = listener_open(m->spec.socket_path, e);
	if (m->lfd < 0)
		return m->lfd;
	if (_epoll_add(m, m->lfd, TAG_LISTEN) < 0 || _epoll_add(m, m->tfd, TAG_TIMER) < 0)
		return err_set_sys(e, errno, "epoll_ctl");
	if ((m->keeper_fd = keeper_parent_pidfd()) >= 0)
		(void)_epoll_add(m, m->keeper_fd, TAG_KEEPER);
	if (m->spec.exec_fanotify && /* execve is not in the filter: fanotify or nothing */
	    ((r = loop_exec_open(m, e)) < 0 || (r = _epoll_add(m, m->fan.fd, TAG_FANOTIFY)) < 0))
		return r;
	_adopt(m);
	return m->spec.mechanism == MONITOR_MECH_PTRACE ? _setup_ptrace(m, e) : 0;
}

static int _write_pid(const struct mon *m, struct err *e)
{
	char path[PATH_MAX], buf[32];
	(void)snprintf(path, sizeof(path), "%s/monitor.pid", m->spec.state_dir);
	_cleanup_close_ int fd =
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return err_set_sys(e, errno ? errno : EIO, "write %s", path);
	return 0;
}

static volatile sig_atomic_t _stop;

static void _on_term(int sig)
{
	_stop = 1;
}

/* The last flush of a recording and the recorder's end. */
static void _finish_learning(struct mon *m)
{
	if (!m->learn)
		return;
	struct err e = { 0 };
	if (learn_flush(m->learn, &e) < 0)
		loop_log(m, "monitor: last learn flush", &e);
	learn_close(m->learn);
	m->learn = NULL;
}

static void _release(struct mon *m)
{
	_finish_learning(m);
	evout_finish(&m->out);
	evout_release(&m->out);
	for (size_t i = 0; i < m->n; i++)
		if (m->s[i].fd >= 0)
			(void)close(m->s[i].fd);
	free(m->s);
	for (char **k = m->known; k && *k; k++)
		free(*k);
	free(m->known);
	for (int i = 0; i < NAME_CACHE; i++)
		free(m->names[i]);
	json_free(m->seccomp);
	tracer_free(m->tracer); /* the tracees are detached when we exit */
	fangroup_close(&m->fan);
	watch_release(&m->watch);
	if (m->sfd >= 0)
		(void)close(m->sfd);
	if (m->keeper_fd >= 0)
		(void)close(m->keeper_fd);
	free(m->kc.held); /* its notify fds are sessions now; the others keeper_held_fd's */
	free(m->req);
	free(m->resp);
	monitor_spec_release(&m->spec);
}

/* Tell monitor_spawn: "OK <pid>" or "ERR <reason>". */
static void _ready(int fd, const char *word, const char *arg)
{
	char buf[ERR_MSG_MAX + 16];
	if (fd < 0)
		return;
	int n = snprintf(buf, sizeof(buf), "%s %s\n", word, arg);
	(void)!write(fd, buf, (size_t)n);
	(void)close(fd);
}

/* --fds L,E,X: the listening socket, events file and exec log, opened by
 * monitor_spawn (so that their errors fail the create, and the create need
 * not wait for us). */
static void _inherit_fds(struct mon *m, const char *arg)
{
	int l, ev, ex;
	if (sscanf(arg, "%d,%d,%d", &l, &ev, &ex) != 3 || l < 3 || ev < 3 || ex < 3)
		return;
	m->lfd = l;
	m->events_fd = ev;
	m->exec_fd = ex;
	(void)fcntl(l, F_SETFD, FD_CLOEXEC);
	(void)fcntl(ev, F_SETFD, FD_CLOEXEC);
	(void)fcntl(ex, F_SETFD, FD_CLOEXEC);
}

int monitor_main(int argc, char **argv)
{
	const char *state = NULL;
	int ready = -1;
	struct mon m = { .epfd = -1,
			 .lfd = -1,
			 .pidfd = -1,
			 .tfd = -1,
			 .events_fd = -1,
			 .exec_fd = -1,
			 .sfd = -1,
			 .keeper_fd = -1,
			 .fan = { .fd = -1 },
			 .out = { .events_fd = -1, .exec_fd = -1 } };
	struct err e = { 0 };

	bool detach = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--detach") == 0)
			detach = true;
		else if (i + 1 < argc && strcmp(argv[i], "--state") == 0)
			state = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--ready-fd") == 0)
			ready = atoi(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--fds") == 0)
			_inherit_fds(&m, argv[++i]);
	}
	/* --detach: leave the spawner's process tree (it reaps our parent) */
	if (detach) {
		pid_t p = fork();
		if (p < 0)
			_ready(ready, "ERR", "fork: cannot detach");
		if (p != 0)
			_exit(p < 0 ? 1 : 0);
	}
	if (ready >= 0)
		(void)fcntl(ready, F_SETFD, FD_CLOEXEC);
	(void)signal(SIGPIPE, SIG_IGN);
	/* `delete` asks with SIGTERM: stop serving, flush the recording, exit */
	struct sigaction term = { .sa_handler = _on_term };
	(void)sigaction(SIGTERM, &term, NULL);
	m.t0 = time(NULL);
	if (state && keeper_start(state, ready, &m.kc) == 0)
		ready = m.kc.ready_fd; /* a worker; the supervisor holds our fds */
	if (!state || _setup(&m, state, &e) < 0 ||
	    (!keeper_supervised() && _write_pid(&m, &e) < 0)) {
		if (!state)
			(void)err_set(&e, EINVAL, "usage: hardrun monitor --state DIR");
		_ready(ready, "ERR", e.msg);
		if (ready < 0)
			(void)fprintf(stderr, "hardrun monitor: %s\n", e.msg);
		_release(&m);
		return 1;
	}
	char pid[24];
	(void)snprintf(pid, sizeof(pid), "%d", (int)getpid());
	_ready(ready, "OK", pid);
	keeper_ready();
	while (!_stop && !_done(&m)) {
		struct epoll_event evs[16];
		int n = epoll_wait(m.epfd, evs, 16, 1000);
		for (int i = 0; i < n; i++)
			_dispatch(&m, &evs[i]);
		_kernel_watch_late(&m);
	}
	watch_read(&m.watch); /* what the kernel still holds */
	_watch_notes(&m);
	_finish_learning(&m); /* before anything that can be cut short */
	/* on SIGTERM, `delete` removes the state itself; supervised, the
	 * supervisor does the rest */
	if (!_stop && !keeper_supervised())
		monitor_state_finish(&m.spec, RUNTIME_GONE_WAIT_MS);
	_release(&m);
	return _stop ? MONITOR_EXIT_STOPPED : 0;
}
