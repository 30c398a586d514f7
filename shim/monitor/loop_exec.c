// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The monitor loop's exec-through-fanotify glue (see fangroup.c): marks once
 * the init is known, which session an exec event belongs to, when a session
 * has started now that its execve is not notified, and the decision callback.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"
#include "loop.h"

int loop_exec_open(struct mon *m, struct err *e)
{
	char path[PATH_MAX];
	struct stat st;
	int held = keeper_held_fd(&m->kc, FANGROUP_KEEPER_TAG), r;
	if (held >= 0) { /* a new worker: the group and its marks live on */
		m->fan.fd = held;
	} else if ((r = fangroup_open(&m->fan, e)) < 0) {
		return r;
	} else if (keeper_supervised() && keeper_hold_fd(m->fan.fd, FANGROUP_KEEPER_TAG) < 0) {
		return err_set(e, EIO, "fanotify group: cannot hand it to the supervisor");
	}
	/* "new" means changed after the create wrote monitor.json, whichever worker asks */
	(void)snprintf(path, sizeof(path), "%s/monitor.json", m->spec.state_dir);
	if (stat(path, &st) == 0)
		m->fan.since = st.st_mtim;
	return 0;
}

/* Exec through fanotify: the container's mounts are marked once its init is
 * known.  Unmarked, its execs would go unseen (execve is not in the filter):
 * the container is stopped instead. */
void loop_exec_mark(struct mon *m, pid_t init)
{
	struct err e = { 0 };
	if (m->fan.fd < 0 || init <= 0)
		return;
	int r = fangroup_mark(&m->fan, init, &e);
	if (r >= 0 && m->fan.partial)
		loop_log(m, "monitor: exec marks (a mount is left unwatched)", &e);
	if (r >= 0)
		return;
	loop_log(m, "monitor: exec marks failed, stopping the container", &e);
	if (cgkill_container(init, &e) < 0)
		loop_log(m, "monitor: kill", &e);
}

/* Is pid running a file of its container (the link of its exe, resolved in
 * its root, is the same file)?  runc init's image is not there (a memfd, or
 * a detached bind mount whose link reads "/"). */
static bool _runs_container_file(pid_t pid, struct stat *exe)
{
	char path[64], link[PATH_MAX];
	struct stat in;
	(void)snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (stat(path, exe) < 0 || n <= 0)
		return false;
	link[n] = '\0';
	(void)snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	_cleanup_close_ int rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return rootfd >= 0 && procinfo_stat_in_root(rootfd, link, &in) == 0 &&
	       in.st_dev == exe->st_dev && in.st_ino == exe->st_ino;
}

/* The process runc connected for, as it is before its exec (the runtime's
 * image).  Already running a file of the container: runc won the race with
 * our accept, its session has started. */
void loop_exec_session(struct mon *m, struct session *s, pid_t pid)
{
	struct stat st;
	s->pid = pid;
	if (m->fan.fd < 0)
		return;
	/* crun's exec (pid 0) loads its filter right at its exec */
	if (pid <= 0 || _runs_container_file(pid, &st)) {
		s->started = true;
		return;
	}
	s->exe_dev = st.st_dev;
	s->exe_ino = st.st_ino;
}

/* execve is not notified (exec through fanotify): a call comes after the
 * session's exec when another process makes it, or its image changed. */
bool loop_exec_started(const struct mon *m, struct session *s, pid_t pid)
{
	char path[64];
	struct stat st;
	if (s->started || m->fan.fd < 0)
		return s->started;
	(void)snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	s->started = pid != s->pid || stat(path, &st) < 0 || st.st_dev != s->exe_dev ||
		     st.st_ino != s->exe_ino;
	return s->started;
}

/* One exec permission event (fangroup_decide_fn).  The ELF interpreter or #!
 * program of an exec is judged by its file alone (new or fileless: asked as
 * the exec it is; else approved); the program itself by every exec rule. */
static bool _same_link(pid_t a, pid_t b, const char *what)
{
	char pa[64], pb[64], la[64], lb[64];
	(void)snprintf(pa, sizeof(pa), "/proc/%d/%s", (int)a, what);
	(void)snprintf(pb, sizeof(pb), "/proc/%d/%s", (int)b, what);
	ssize_t na = readlink(pa, la, sizeof(la) - 1), nb = readlink(pb, lb, sizeof(lb) - 1);
	return na > 0 && na == nb && memcmp(la, lb, (size_t)na) == 0;
}

/* crun connects for an exec before its process exists (pid 0): that
 * process's first exec is the one whose parent is outside the container's
 * pid namespace (crun on the host).  The newest such session, or m->n. */
static size_t _pidless_session(const struct mon *m, pid_t pid)
{
	struct mon_proc p = { 0 };
	size_t i = m->n;
	while (i > 1 && m->s[i - 1].pid != 0)
		i--;
	if (i <= 1 || m->s[i - 1].pid != 0)
		return m->n;
	procinfo_read_parts(pid, PI_CONTEXT, &p);
	return p.ppid > 0 && !_same_link(pid, p.ppid, "ns/pid") ? i - 1 : m->n;
}

int loop_exec_decide(void *ctx, struct mon_call *c, struct fanexec_facts *f)
{
	struct mon *m = ctx;
	bool notable = f->primary || f->new_file || eval_fileless_path(f->path);
	size_t i;
	if (strcmp(c->name, "execveat") == 0)
		return 0; /* notified, and decided, before it opened the file */
	if (!notable) {
		f->cache = fanexec_cacheable(f->path, false, false);
		return 0;
	}
	c->session = 0;
	c->started = true;
	if (m->tracer) {
		c->session = tracer_session_of(m->tracer, c->pid, &c->started);
	} else {
		for (i = 0; i < m->n && m->s[i].pid != c->pid; i++)
			;
		if (i == m->n) /* crun's exec: a session without a pid */
			i = _pidless_session(m, c->pid);
		if (i < m->n) { /* the process runc started for a session */
			c->session = (int)i;
			c->started = m->s[i].started && m->s[i].pid != 0;
			m->s[i].started = true;
			m->s[i].pid = c->pid;
		}
	}
	int error = loop_decide(m, c, f);
	f->cache = error == DECIDE_ANSWERED && fanexec_cacheable(f->path, f->new_file, false);
	return error < 0 ? 0 : error;
}

/*
 * A memfd is on no mount of the container: an execve("/proc/self/fd/N") of
 * one would never ask.  So the monitor makes the container's memfds itself,
 * puts an exec mark on each, and installs it in the caller as the call's
 * result.  Its pages are charged to whoever writes them (the container).
 */
int loop_exec_memfd(struct mon *m, const struct mon_call *c)
{
	char name[250];
	if (m->fan.fd < 0 || c->notify_fd < 0 ||
	    mon_read_string(c, c->args[0], name, sizeof(name)) < 0)
		return 0;
	_cleanup_close_ int fd = memfd_create(name, (unsigned)c->args[1]);
	struct seccomp_notif_addfd add = { .id = c->id,
					   .flags = SECCOMP_ADDFD_FLAG_SEND,
					   .srcfd = (uint32_t)fd,
					   .newfd_flags =
						   (c->args[1] & MFD_CLOEXEC) ? O_CLOEXEC : 0 };
	if (fd < 0 || fangroup_watch_fd(&m->fan, fd) < 0)
		return 0; /* its own errno, or no evictable marks: the call runs as is */
	return ioctl(c->notify_fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add) >= 0 ? 1 : 0;
}
