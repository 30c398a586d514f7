// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exec through fanotify: the container's group (see fanexec.c for the pure
 * decisions).
 *
 * The monitor puts a FAN_OPEN_EXEC_PERM mark on each mount of the container
 * that can hold an executable (through /proc/<init>/root/<mount point>; an
 * overlay root gets a filesystem mark, so that copies of its mount in new
 * mount namespaces are covered too).  Every exec of a file there, the ELF
 * interpreter and #! programs included, waits in the kernel for the
 * monitor's FAN_ALLOW or FAN_DENY.  An approved file no rule cares about gets
 * an ignore mark on its inode, without FAN_MARK_IGNORED_SURV_MODIFY: its next
 * execs cost nothing, and a write to it drops the approval.
 *
 * The event carries the calling thread (FAN_REPORT_TID) and the opened file;
 * the caller still runs its old image, blocked in execve: its arguments come
 * from /proc/<tid>/syscall and its memory, as for a notification.
 * Checked on 6.x: a perm event for a file on a noexec mount never comes
 * (may_open refuses first); the event fd names the file as the container
 * does (d_path stops at the container's root).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

#define FAN_INIT_FLAGS	(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_TID)
#define FAN_EVENT_FLAGS (O_RDONLY | O_LARGEFILE | O_CLOEXEC)
/* Each cached approval pins an inode in the kernel: bounded. */
#define CACHE_MAX   8192
#define NR_EXECVE   59
#define NR_EXECVEAT 322
/* /proc/<tid>/syscall of a task not yet asleep on its event */
#define SYSCALL_TRIES	100
#define SYSCALL_WAIT_US 20

int fangroup_probe(struct err *e)
{
	_cleanup_close_ int fd = fanotify_init(FAN_INIT_FLAGS, FAN_EVENT_FLAGS);
	if (fd < 0)
		return err_set_sys(e, errno, "fanotify_init");
	/* FAN_OPEN_EXEC_PERM needs 5.0; a directory is never executed */
	if (fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN_EXEC_PERM, AT_FDCWD, "/") < 0)
		return err_set_sys(e, errno, "fanotify_mark FAN_OPEN_EXEC_PERM");
	return 0;
}

int fangroup_open(struct fangroup *g, struct err *e)
{
	memset(g, 0, sizeof(*g));
	(void)clock_gettime(CLOCK_REALTIME, &g->since);
	g->fd = fanotify_init(FAN_INIT_FLAGS, FAN_EVENT_FLAGS);
	return g->fd < 0 ? err_set_sys(e, errno, "fanotify_init") : 0;
}

void fangroup_close(struct fangroup *g)
{
	if (g->fd >= 0)
		(void)close(g->fd);
	g->fd = -1;
}

static int _mark_one(struct fangroup *g, pid_t pid, const struct fanexec_mount *m)
{
	char path[PATH_MAX + 64];
	bool root = strcmp(m->point, "/") == 0;
	/* an overlay root is the container's own superblock */
	unsigned how = root && m->upper[0] ? FAN_MARK_FILESYSTEM : FAN_MARK_MOUNT;
	(void)snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, root ? "" : m->point);
	if (fanotify_mark(g->fd, FAN_MARK_ADD | how, FAN_OPEN_EXEC_PERM, AT_FDCWD, path) < 0)
		return -errno;
	if (root)
		(void)snprintf(g->upper, sizeof(g->upper), "%s", m->upper);
	return 0;
}

int fangroup_mark(struct fangroup *g, pid_t pid, struct err *e)
{
	char path[64], line[3 * PATH_MAX];
	int n = 0, r = 0;
	bool root = false;
	(void)snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return err_set_sys(e, errno, "open %s", path);
	while (fgets(line, sizeof(line), f)) {
		struct fanexec_mount m;
		if (fanexec_mount_parse(line, &m) < 0)
			continue;
		if (!fanexec_mount_wanted(&m))
			continue;
		int k = _mark_one(g, pid, &m);
		if (k < 0 && r == 0)
			r = err_set_sys(e, -k, "fanotify_mark %s", m.point);
		root |= k == 0 && strcmp(m.point, "/") == 0;
		n += k == 0;
	}
	if (!root) /* the container's own files unwatched: the caller fails closed */
		return r < 0 ? r : err_set(e, ENOENT, "%s: no root mount to mark", path);
	g->partial = r < 0;
	return n;
}

/* The call the blocked task is in: "nr a0 a1 a2 a3 a4 a5 sp pc". */
static void _call(pid_t tid, struct mon_call *c)
{
	char path[64], buf[256];
	unsigned long long a[6];
	long nr;
	*c = (struct mon_call){ .pid = tid,
				.arch = AUDIT_ARCH_X86_64,
				.nr = NR_EXECVE,
				.name = "execve",
				.notify_fd = -1,
				.mem_fd = -1 };
	(void)snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	/* the event is queued just before the task sleeps on it: "running" for
	 * a moment (seen with two execs at once) */
	for (int i = 0; i < SYSCALL_TRIES; i++) {
		ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		if (strncmp(buf, "running", 7) != 0)
			break;
		(void)usleep(SYSCALL_WAIT_US);
	}
	if (sscanf(buf, "%ld %llx %llx %llx %llx %llx %llx", &nr, &a[0], &a[1], &a[2], &a[3], &a[4],
		   &a[5]) != 7 ||
	    (nr != NR_EXECVE && nr != NR_EXECVEAT))
		return; /* a 32-bit exec: judged by its file alone */
	c->nr = (int)nr;
	c->name = nr == NR_EXECVE ? "execve" : "execveat";
	for (int i = 0; i < 6; i++)
		c->args[i] = a[i];
}

/* Is the opened file the one the call names (not its interpreter)? */
static bool _primary(const struct mon_call *c, const struct stat *file)
{
	char rel[PATH_MAX], dir[64];
	struct stat st;
	bool at = c->nr == NR_EXECVEAT;
	if (mon_read_string(c, c->args[at ? 1 : 0], rel, sizeof(rel)) < 0)
		return true; /* unreadable: judge it as the program */
	if (rel[0] == '\0' || strncmp(rel, "/proc/", 6) == 0 || strncmp(rel, "/dev/fd/", 8) == 0)
		return true; /* an fd's file: the fileless rules look at it */
	if (rel[0] == '/')
		(void)snprintf(dir, sizeof(dir), "/proc/%d/root", (int)c->pid);
	else if (at && (int)c->args[0] != AT_FDCWD)
		(void)snprintf(dir, sizeof(dir), "/proc/%d/fd/%d", (int)c->pid, (int)c->args[0]);
	else
		(void)snprintf(dir, sizeof(dir), "/proc/%d/cwd", (int)c->pid);
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || procinfo_stat_in_root(dfd, rel, &st) < 0)
		return true;
	return st.st_dev == file->st_dev && st.st_ino == file->st_ino;
}

static bool _in_upper(const struct fangroup *g, const char *path)
{
	char p[2 * PATH_MAX];
	struct stat st;
	if (!g->upper[0] || path[0] != '/')
		return false;
	(void)snprintf(p, sizeof(p), "%s%s", g->upper, path);
	/* a whiteout (0/0 char device) hides a lower file: not this one */
	return lstat(p, &st) == 0 && !(S_ISCHR(st.st_mode) && st.st_rdev == 0);
}

static int _one(struct fangroup *g, const struct fanotify_event_metadata *md,
		fangroup_decide_fn decide, void *ctx)
{
	struct fanexec_facts f = { 0 };
	struct mon_call c;
	struct stat st;
	char link[64];
	(void)snprintf(link, sizeof(link), "/proc/self/fd/%d", md->fd);
	ssize_t n = readlink(link, f.path, sizeof(f.path) - 1);
	f.path[n > 0 ? n : 0] = '\0';
	if (fstat(md->fd, &st) < 0)
		return EPERM;
	f.new_file = fanexec_is_new(&st.st_ctim, &g->since, _in_upper(g, f.path));
	_call(md->pid, &c);
	c.checked_later = true; /* blocked in execve until we answer: the tid stays */
	f.primary = _primary(&c, &st);
	int error = decide(ctx, &c, &f);
	if (error == 0 && f.cache && g->cached < CACHE_MAX &&
	    fanotify_mark(g->fd, FAN_MARK_ADD | FAN_MARK_IGNORED_MASK, FAN_OPEN_EXEC_PERM, md->fd,
			  NULL) == 0)
		g->cached++;
	return error;
}

void fangroup_serve(struct fangroup *g, fangroup_decide_fn decide, void *ctx)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	ssize_t len;
	while ((len = read(g->fd, buf, sizeof(buf))) > 0) {
		const struct fanotify_event_metadata *md = (const void *)buf;
		for (; FAN_EVENT_OK(md, len); md = FAN_EVENT_NEXT(md, len)) {
			if (md->fd < 0)
				continue;
			int error = (md->mask & FAN_OPEN_EXEC_PERM) ? _one(g, md, decide, ctx) : 0;
			struct fanotify_response r = { .fd = md->fd,
						       .response = error ? FAN_DENY : FAN_ALLOW };
			(void)!write(g->fd, &r, sizeof(r));
			(void)close(md->fd);
			g->events++;
			g->denied += error != 0;
			g->stats_dirty = true;
		}
	}
}

void fangroup_write_stats(struct fangroup *g, const char *state_dir)
{
	char path[PATH_MAX], buf[128];
	if (!g->stats_dirty || !state_dir)
		return;
	g->stats_dirty = false;
	(void)snprintf(path, sizeof(path), "%s/fanexec.stats", state_dir);
	int n = snprintf(buf, sizeof(buf), "events %lu\ncached %lu\ndenied %lu\n", g->events,
			 g->cached, g->denied);
	_cleanup_close_ int fd =
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		(void)!write(fd, buf, (size_t)n);
}

int fangroup_watch_fd(struct fangroup *g, int fd)
{
	/* evictable: the mark does not keep the inode alive once the
	 * container has closed it (5.19) */
	if (fanotify_mark(g->fd, FAN_MARK_ADD | FAN_MARK_EVICTABLE, FAN_OPEN_EXEC_PERM, fd, NULL) <
	    0)
		return -errno;
	return 0;
}
