// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sensitive_write as an alert without a notification per write-open: one
 * fanotify group (FAN_REPORT_DFID_NAME) with a mark on each sensitive
 * directory of the container's root (eval_sensitive_dirs) and on their
 * subdirectories.  A directory mark with FAN_EVENT_ON_CHILD reports a change
 * of any file in it (FAN_MODIFY, FAN_CLOSE_WRITE) and each new entry
 * (FAN_CREATE, FAN_MOVED_TO); a new subdirectory is marked when it appears.
 * The kernel queues the events: the writer never waits, and the monitor
 * reports them after the fact.
 *
 * The root is reached as /proc/<init pid>/root; every lookup stays inside it
 * (RESOLVE_IN_ROOT, no magic links), so a container's symlink cannot point a
 * mark at the node's own files.  The marks are bounded (FANWATCH_MARK_MAX
 * directories, breadth first); the directories the bound leaves out are
 * counted (fanwatch_unmarked) and reported.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

#define FW_EVENTS      (FAN_MODIFY | FAN_CLOSE_WRITE | FAN_CREATE | FAN_MOVED_TO)
#define FW_MASK	       (FW_EVENTS | FAN_EVENT_ON_CHILD | FAN_ONDIR)
#define FW_HANDLE_MAX  128
#define AT_HANDLE_FID_ 0x200 /* <linux/fcntl.h> AT_HANDLE_FID, Linux 6.5 */
#define FW_RECENT      16
#define FW_ADOPT_DEPTH 4 /* levels of a new directory looked into at once */

struct fw_dir {
	uint32_t fsid[2];
	unsigned bytes;
	int type;
	unsigned char handle[FW_HANDLE_MAX];
	char *path; /* in the container, no trailing slash */
};

struct fanwatch {
	int fd, rootfd;
	struct fw_dir *dirs;
	unsigned n;
	unsigned unmarked; /* directories left out by the bound */
	int mark_err;	   /* the first mark that failed (errno) */
	/* the kernel's several events of one write (create, modify,
	 * close_write), when not merged in its queue: one report a second */
	struct {
		uint64_t key;
		time_t at;
	} recent[FW_RECENT];
	unsigned next;
};

static int _init(void)
{
	return fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_DFID_NAME | FAN_CLOEXEC | FAN_NONBLOCK,
			     O_RDONLY | O_CLOEXEC);
}

bool fanwatch_available(void)
{
	int fd = _init();
	if (fd < 0)
		return false;
	(void)close(fd);
	return true;
}

static int _open_in_root(int rootfd, const char *path)
{
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* Identity of an open directory as fanotify reports it. */
static int _identify(int fd, struct fw_dir *d)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[FW_HANDLE_MAX];
	} h = { .fh.handle_bytes = FW_HANDLE_MAX };
	struct statfs sf;
	int mnt;
	/* an identifying handle is all fanotify reports: overlayfs gives one
	 * without nfs_export (Linux 6.5+), a decodable one only with it */
	if ((name_to_handle_at(fd, "", &h.fh, &mnt, AT_EMPTY_PATH | AT_HANDLE_FID_) < 0 &&
	     (errno != EINVAL || name_to_handle_at(fd, "", &h.fh, &mnt, AT_EMPTY_PATH) < 0)) ||
	    fstatfs(fd, &sf) < 0)
		return -errno;
	memcpy(d->fsid, &sf.f_fsid, sizeof(d->fsid));
	d->bytes = h.fh.handle_bytes;
	d->type = h.fh.handle_type;
	memcpy(d->handle, h.fh.f_handle, d->bytes);
	return 0;
}

static const struct fw_dir *_find(const struct fanwatch *w, const uint32_t fsid[2], int type,
				  unsigned bytes, const unsigned char *handle)
{
	for (unsigned i = 0; i < w->n; i++) {
		const struct fw_dir *d = &w->dirs[i];
		if (d->type == type && d->bytes == bytes && memcmp(d->fsid, fsid, 8) == 0 &&
		    memcmp(d->handle, handle, bytes) == 0)
			return d;
	}
	return NULL;
}

/* Mark the directory path (in the container); 1 added, 0 absent or already
 * marked, -errno. */
static int _mark(struct fanwatch *w, const char *path)
{
	struct fw_dir d = { 0 };
	if (w->n >= FANWATCH_MARK_MAX) {
		w->unmarked++;
		return 0;
	}
	_cleanup_close_ int fd = _open_in_root(w->rootfd, path);
	if (fd < 0)
		return fd == -ENOENT || fd == -ENOTDIR ? 0 : fd;
	int r = _identify(fd, &d);
	if (r < 0)
		return r;
	if (_find(w, d.fsid, d.type, d.bytes, d.handle)) /* /bin is /usr/bin */
		return 0;
	if (fanotify_mark(w->fd, FAN_MARK_ADD, FW_MASK, fd, NULL) < 0)
		return -errno;
	if (!(d.path = strdup(path)))
		return -ENOMEM;
	w->dirs[w->n++] = d;
	return 1;
}

typedef void (*entry_fn)(struct fanwatch *w, const char *path, bool dir, void *arg);

/* fn for each entry of the directory path (in the root) but . and .. */
static void _each_entry(struct fanwatch *w, const char *path, entry_fn fn, void *arg)
{
	int fd = _open_in_root(w->rootfd, path);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			(void)close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(dir))) {
		char sub[PATH_MAX];
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) < (int)sizeof(sub))
			fn(w, sub, de->d_type == DT_DIR, arg);
	}
	(void)closedir(dir);
}

static void _mark_subdir(struct fanwatch *w, const char *path, bool dir, void *arg)
{
	int r = dir ? _mark(w, path) : 0;
	if (r < 0 && !w->mark_err)
		w->mark_err = -r;
}

/* Breadth first from each sensitive directory: marks first, then the
 * subdirectories of what was marked, in order, until the bound. */
static void _mark_trees(struct fanwatch *w)
{
	for (const char *const *s = eval_sensitive_dirs(); *s; s++) {
		char path[PATH_MAX];
		(void)snprintf(path, sizeof(path), "%.*s", (int)strlen(*s) - 1, *s);
		_mark_subdir(w, path, true, NULL);
	}
	for (unsigned i = 0; i < w->n; i++)
		_each_entry(w, w->dirs[i].path, _mark_subdir, NULL);
}

int fanwatch_open(const char *root, struct fanwatch **ret, struct err *e)
{
	struct fanwatch *w = calloc(1, sizeof(*w));
	if (!w || !(w->dirs = calloc(FANWATCH_MARK_MAX, sizeof(*w->dirs)))) {
		free(w);
		return err_set(e, ENOMEM, "out of memory");
	}
	w->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	w->fd = w->rootfd < 0 ? -1 : _init();
	if (w->fd < 0) {
		int r = err_set_sys(e, errno, "fanotify on %s", root);
		fanwatch_free(w);
		return r;
	}
	_mark_trees(w);
	if (w->n == 0 && w->mark_err) {
		int r = err_set_sys(e, w->mark_err, "fanotify: no sensitive directory of %s marked",
				    root);
		fanwatch_free(w);
		return r;
	}
	*ret = w;
	return 0;
}

int fanwatch_fd(const struct fanwatch *w)
{
	return w->fd;
}

unsigned fanwatch_marked(const struct fanwatch *w)
{
	return w->n;
}

unsigned fanwatch_unmarked(const struct fanwatch *w)
{
	return w->unmarked;
}

void fanwatch_free(struct fanwatch *w)
{
	if (!w)
		return;
	for (unsigned i = 0; i < w->n; i++)
		free(w->dirs[i].path);
	free(w->dirs);
	if (w->fd >= 0)
		(void)close(w->fd);
	if (w->rootfd >= 0)
		(void)close(w->rootfd);
	free(w);
}

/* The container path of one event's DFID_NAME record; false if it is not
 * about a marked directory. */
static bool _record_path(const struct fanwatch *w, const struct fanotify_event_metadata *m,
			 char *out, size_t size)
{
	size_t off = m->metadata_len;
	while (off + sizeof(struct fanotify_event_info_fid) + sizeof(struct file_handle) <=
	       m->event_len) {
		const struct fanotify_event_info_fid *fid = (const void *)((const char *)m + off);
		if (fid->hdr.len == 0 || off + fid->hdr.len > m->event_len)
			return false;
		off += fid->hdr.len;
		if (fid->hdr.info_type != FAN_EVENT_INFO_TYPE_DFID_NAME &&
		    fid->hdr.info_type != FAN_EVENT_INFO_TYPE_DFID)
			continue;
		const struct file_handle *fh = (const void *)fid->handle;
		size_t fixed = sizeof(*fid) + sizeof(*fh);
		if (fh->handle_bytes > fid->hdr.len - fixed)
			return false;
		uint32_t fsid[2];
		memcpy(fsid, &fid->fsid, sizeof(fsid));
		const struct fw_dir *d =
			_find(w, fsid, fh->handle_type, fh->handle_bytes, fh->f_handle);
		if (!d)
			return false;
		const char *name = (const char *)fh->f_handle + fh->handle_bytes;
		size_t room = fid->hdr.len - fixed - fh->handle_bytes;
		bool named = fid->hdr.info_type == FAN_EVENT_INFO_TYPE_DFID_NAME && room &&
			     strnlen(name, room) < room;
		int n = snprintf(out, size, "%s%s%s", d->path, named ? "/" : "", named ? name : "");
		return n > 0 && (size_t)n < size;
	}
	return false;
}

/* path not reported within the last second (a new write, not the rest of one). */
static bool _fresh(struct fanwatch *w, const char *path)
{
	uint64_t k = 1469598103934665603ull; /* FNV-1a */
	time_t now = time(NULL);
	for (const char *c = path; *c; c++)
		k = (k ^ (unsigned char)*c) * 1099511628211ull;
	for (unsigned i = 0; i < FW_RECENT; i++)
		if (w->recent[i].key == k && now - w->recent[i].at <= 1)
			return false;
	w->recent[w->next].key = k;
	w->recent[w->next].at = now;
	w->next = (w->next + 1) % FW_RECENT;
	return true;
}

struct adopt {
	pid_t pid;
	fanwatch_fn fn;
	void *ctx;
	int depth;
};

static void _adopt(struct fanwatch *w, const char *path, struct adopt *a);

static void _adopt_entry(struct fanwatch *w, const char *path, bool dir, void *arg)
{
	struct adopt *a = arg, deeper = *a;
	deeper.depth--;
	if (dir)
		_adopt(w, path, &deeper);
	else if (_fresh(w, path))
		a->fn(a->ctx, a->pid, path, FAN_CREATE);
}

/* A directory that appeared under a marked one: mark it, and report what
 * was written into it before the mark took (mkdir d; echo x > d/f races
 * the monitor), as created by the process that made the directory. */
static void _adopt(struct fanwatch *w, const char *path, struct adopt *a)
{
	if (_mark(w, path) > 0 && a->depth > 0)
		_each_entry(w, path, _adopt_entry, a);
}

void fanwatch_read(struct fanwatch *w, fanwatch_fn fn, void *ctx)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	for (;;) {
		ssize_t len = read(w->fd, buf, sizeof(buf));
		if (len <= 0)
			return;
		const struct fanotify_event_metadata *m = (const void *)buf;
		for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			char path[PATH_MAX];
			if (m->vers != FANOTIFY_METADATA_VERSION)
				return;
			if (m->mask & FAN_Q_OVERFLOW) {
				fn(ctx, 0, NULL, m->mask);
				continue;
			}
			if (!_record_path(w, m, path, sizeof(path)))
				continue;
			if (m->mask & FAN_ONDIR) { /* a new directory: watch it too */
				if (m->mask & (FAN_CREATE | FAN_MOVED_TO))
					_adopt(w, path,
					       &(struct adopt){ m->pid, fn, ctx, FW_ADOPT_DEPTH });
				continue;
			}
			if (_fresh(w, path))
				fn(ctx, m->pid, path, m->mask);
		}
	}
}

const char *fanwatch_mask_name(uint64_t mask)
{
	return mask & FAN_CREATE	? "create"
	       : mask & FAN_MOVED_TO	? "rename"
	       : mask & FAN_MODIFY	? "modify"
	       : mask & FAN_CLOSE_WRITE ? "close_write"
					: "fanotify";
}
