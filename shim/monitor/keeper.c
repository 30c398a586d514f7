// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The monitor's supervisor (the "keeper").  `hardrun monitor` splits in two
 * at its start: a small supervisor, whose pid is monitor.pid, and a worker,
 * which serves the calls (loop.c).  The supervisor holds what the
 * container's fail-closed depends on: the listening socket, and every notify
 * fd, which the worker hands over (keeper_hold: SCM_RIGHTS on a socketpair)
 * as soon as it gets one.  Any other fd the fail-closed depends on (a
 * fanotify permission fd, say) is held the same way under a tag of its
 * owner's choosing (keeper_hold_fd); a new worker finds it with
 * keeper_held_fd.
 *
 * A worker that dies (any end but "the container is done" or a stop asked
 * by `delete`): within a second the supervisor writes a monitor_lost event
 * with the container's identity, then, per the node's monitorLost:
 *   kill - stops the container (SIGKILL to its cgroup), and ends;
 *   keep - starts a new worker that takes over every held fd (hardrun.action
 *          "respawn").  Calls made meanwhile wait in the kernel and are
 *          served by it.  The one notification the dead worker had received
 *          and not answered (kept in a page the processes share) is answered
 *          ENOSYS by the new worker: not replayed, not let through.
 * Past KEEPER_RESPAWNS new workers in KEEPER_RESPAWN_WINDOW_S, under the
 * ptrace mechanism (the tracees are detached with their tracer) and in learn
 * mode, keep cannot restore monitoring: the supervisor ends (hardrun.action
 * "keep") and the monitored calls fail with ENOSYS, as without a monitor.
 *
 * The supervisor's own loss: the worker sees it (pidfd), writes monitor_lost
 * ("supervisor"), stops the container under kill, else serves on alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"
#include "hardrun/state.h"

#define KEEPER_RESPAWNS		5
#define KEEPER_RESPAWN_WINDOW_S 60
enum keeper_op {
	KEEPER_NOTIFY,	/* hold the fd that comes with it: notify fd of session tag */
	KEEPER_FD,	/* hold the fd that comes with it, under the caller's tag */
	KEEPER_READY,	/* the worker is serving */
	KEEPER_RELEASE, /* notify session tag has hung up: its fd goes */
};

struct keeper_msg {
	int32_t op;
	int32_t tag;
};

/* The notification a worker has received and not yet answered. */
struct keeper_shared {
	volatile int busy;
	int session;
	uint64_t id;
};

/* worker side */
static int _sock = -1;
static struct keeper_shared *_shared;

/* supervisor side */
struct keeper {
	struct monitor_spec spec;
	struct keeper_session *held;
	size_t n;
	int sock, sfd;
	pid_t worker;
	bool ready, stopping;
	time_t respawned[KEEPER_RESPAWNS];
	unsigned n_respawned;
};

static int _send(enum keeper_op op, int32_t tag, int fd)
{
	struct keeper_msg m = { op, tag };
	struct iovec iov = { &m, sizeof(m) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (_sock < 0)
		return 0;
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(_sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

int keeper_hold(int fd, int session)
{
	return _send(KEEPER_NOTIFY, session, fd);
}

int keeper_hold_fd(int fd, int tag)
{
	return _send(KEEPER_FD, tag, fd);
}

int keeper_held_fd(const struct keeper_child *kc, int tag)
{
	for (size_t i = 0; i < kc->n; i++)
		if (!kc->held[i].notify && kc->held[i].tag == tag)
			return kc->held[i].fd;
	return -1;
}

void keeper_release(int session)
{
	(void)_send(KEEPER_RELEASE, session, -1);
}

void keeper_ready(void)
{
	(void)_send(KEEPER_READY, 0, -1);
}

bool keeper_supervised(void)
{
	return _sock >= 0;
}

void keeper_inflight(int session, uint64_t id)
{
	if (!_shared)
		return;
	_shared->session = session;
	_shared->id = id;
	_shared->busy = 1;
}

void keeper_answered(void)
{
	if (_shared)
		_shared->busy = 0;
}

int keeper_takeover(const struct keeper_child *kc)
{
	if (!_shared || !_shared->busy)
		return -1;
	_shared->busy = 0;
	for (size_t i = 0; i < kc->n; i++) {
		if (!kc->held[i].notify || kc->held[i].tag != _shared->session)
			continue;
		struct seccomp_notif_resp r = { .id = _shared->id, .error = -ENOSYS };
		(void)ioctl(kc->held[i].fd, SECCOMP_IOCTL_NOTIF_SEND, &r);
		return _shared->session;
	}
	return -1;
}

int keeper_parent_pidfd(void)
{
	return _sock < 0 ? -1 : (int)syscall(SYS_pidfd_open, getppid(), 0);
}

/* ---- supervisor ---- */

static void _identity(const struct monitor_spec *s, struct event_ctx *x, char *host, size_t size)
{
	*x = (struct event_ctx){ .container_id = s->container_id };
	event_ctx_identity(x, s->annotations);
	if (gethostname(host, size - 1) < 0)
		host[0] = '\0';
	x->hostname = host;
}

/* Write monitor_lost to the events file (opened by path: the worker may
 * have reopened it after a rotation) and stop the container under kill. */
void keeper_lost(const struct monitor_spec *s, const struct event_lost *l)
{
	struct event_ctx x;
	char host[256];
	struct timespec now;
	struct err e = { 0 };
	_identity(s, &x, host, sizeof(host));
	(void)clock_gettime(CLOCK_REALTIME, &now);
	_cleanup_json_ struct json *ev = event_build_lost(&x, &now, l);
	_cleanup_free_ char *path = NULL, *exec = NULL;
	if (ev && monitor_log_paths(s, &path, &exec, &e) == 0) {
		_cleanup_close_ int fd = event_open(path, &e);
		if (fd >= 0)
			(void)event_append(fd, ev, &e);
	}
	if (strcmp(l->action, "kill") == 0) {
		pid_t init = state_container_init(s->runtime_root ?: "/run/runc", s->container_id);
		if (init > 0)
			(void)cgkill_container(init, &e);
	}
}

void keeper_supervisor_lost(const struct monitor_spec *s)
{
	bool kill = s->limits.lost == MONITOR_LOST_KILL;
	struct event_lost l = { .who = "supervisor",
				.pid = getppid(),
				.reason = "supervisor ended",
				.action = kill ? "kill" : "keep" };
	keeper_lost(s, &l);
	keeper_alone(s->state_dir);
}

static void _write_pidfile(const char *dir, const char *name, pid_t pid)
{
	char path[PATH_MAX], buf[32];
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	_cleanup_close_ int fd =
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	if (fd >= 0)
		(void)!write(fd, buf, (size_t)n);
}

void keeper_alone(const char *state_dir)
{
	if (_sock >= 0)
		(void)close(_sock);
	_sock = -1;
	_write_pidfile(state_dir, "monitor.pid", getpid());
}

static void _receive(struct keeper *k)
{
	struct keeper_msg m;
	int fd;
	if (listener_recvmsg(k->sock, &m, sizeof(m), MSG_DONTWAIT, &fd, NULL) != sizeof(m)) {
		if (fd >= 0)
			(void)close(fd);
		return;
	}
	if (m.op == KEEPER_READY) {
		k->ready = true;
	} else if (m.op == KEEPER_RELEASE) {
		for (size_t i = 0; i < k->n; i++)
			if (k->held[i].notify && k->held[i].tag == m.tag && k->held[i].fd >= 0) {
				(void)close(k->held[i].fd);
				k->held[i].fd = -1;
			}
	} else if ((m.op == KEEPER_NOTIFY || m.op == KEEPER_FD) && m.tag >= 0 && fd >= 0) {
		struct keeper_session *h = realloc(k->held, (k->n + 1) * sizeof(*h));
		if (!h) {
			(void)close(fd);
			return;
		}
		k->held = h;
		k->held[k->n++] = (struct keeper_session){ .fd = fd,
							   .notify = m.op == KEEPER_NOTIFY,
							   .tag = m.tag };
		fd = -1;
	}
	if (fd >= 0)
		(void)close(fd);
}

/* A new worker may start: notify only, not learning, and not too often. */
static bool _may_respawn(struct keeper *k)
{
	time_t now = time(NULL);
	if (k->spec.mechanism != MONITOR_MECH_NOTIFY || k->spec.mode == MODE_LEARN)
		return false;
	unsigned recent = 0;
	for (unsigned i = 0; i < k->n_respawned && i < KEEPER_RESPAWNS; i++)
		if (now - k->respawned[i] < KEEPER_RESPAWN_WINDOW_S)
			recent++;
	if (recent >= KEEPER_RESPAWNS)
		return false;
	k->respawned[k->n_respawned++ % KEEPER_RESPAWNS] = now;
	return true;
}

static void _reason(int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status))
		(void)snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		(void)snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
}

/* The worker ended: 1 to start a new one, 0 to end the supervisor. */
static int _worker_ended(struct keeper *k, int status)
{
	char why[64];
	if (k->stopping)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) { /* the container is done */
		monitor_state_finish(&k->spec, RUNTIME_GONE_WAIT_MS);
		return 0;
	}
	if (!k->ready) /* it failed to start: the spawner was told */
		return 0;
	_reason(status, why, sizeof(why));
	bool kill = k->spec.limits.lost == MONITOR_LOST_KILL;
	bool again = !kill && _may_respawn(k);
	struct event_lost l = { .who = "worker",
				.pid = k->worker,
				.reason = why,
				.action = kill	  ? "kill"
					  : again ? "respawn"
						  : "keep" };
	keeper_lost(&k->spec, &l);
	if (again)
		return 1;
	monitor_state_finish(&k->spec, kill ? RUNTIME_GONE_WAIT_MS : 0);
	return 0;
}

static pid_t _fork_worker(struct keeper *k, int ready_fd, struct keeper_child *ret)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		(void)close(sv[0]);
		(void)close(sv[1]);
		return -errno;
	}
	if (pid == 0) {
		sigset_t none;
		(void)sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		(void)close(sv[0]);
		if (k->sfd >= 0)
			(void)close(k->sfd);
		_sock = sv[1];
		*ret = (struct keeper_child){ .ready_fd = ready_fd, .n = k->n, .held = k->held };
		k->held = NULL; /* the child's copy, handed over */
		monitor_spec_release(&k->spec);
		return 0;
	}
	(void)close(sv[1]);
	if (k->sock >= 0)
		(void)close(k->sock);
	k->sock = sv[0];
	k->worker = pid;
	k->ready = k->ready && ready_fd < 0; /* a respawned worker inherits "ready" */
	_write_pidfile(k->spec.state_dir, "worker.pid", pid);
	return pid;
}

static void _serve(struct keeper *k)
{
	struct pollfd p[2] = { { k->sfd, POLLIN, 0 }, { k->sock, POLLIN, 0 } };
	p[1].fd = k->sock;
	if (poll(p, 2, -1) <= 0)
		return;
	if (p[1].revents & POLLIN)
		_receive(k);
	struct signalfd_siginfo si;
	if (!(p[0].revents & POLLIN) || read(k->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGTERM && !k->stopping) {
		k->stopping = true; /* `delete`: the worker flushes and exits */
		(void)kill(k->worker, SIGTERM);
	}
}

int keeper_start(const char *state_dir, int ready_fd, struct keeper_child *ret)
{
	struct keeper k = { .sock = -1, .sfd = -1 };
	struct err e = { 0 };
	sigset_t set;

	*ret = (struct keeper_child){ .ready_fd = ready_fd };
	if (monitor_spec_read(state_dir, &k.spec, &e) < 0)
		return -1;	       /* the worker reports it */
	json_free(k.spec.profile_doc); /* the supervisor needs only names and paths */
	json_free(k.spec.seccomp);
	json_free(k.spec.env);
	k.spec.profile_doc = k.spec.seccomp = k.spec.env = NULL;
	(void)malloc_trim(0); /* and gives their pages back: the supervisor stays small */
	_shared = mmap(NULL, sizeof(*_shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (_shared == MAP_FAILED)
		_shared = NULL;
	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGCHLD);
	(void)sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (k.sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0) {
		monitor_spec_release(&k.spec);
		return -1; /* unsupervised */
	}
	_write_pidfile(state_dir, "monitor.pid", getpid());
	int fd = ready_fd;
	for (;;) {
		pid_t w = _fork_worker(&k, fd, ret);
		if (w == 0)
			return 0;
		if (w < 0)
			_exit(1);
		if (fd >= 0)
			(void)close(fd); /* the first worker answers the spawner */
		fd = -1;
		int status = 0;
		while (waitpid(k.worker, &status, WNOHANG) == 0)
			_serve(&k);
		if (!_worker_ended(&k, status))
			break;
	}
	_exit(0);
}
