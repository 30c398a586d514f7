// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"

static int _write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int _fsync_parent(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return fsync(fd) < 0 ? -errno : 0;
}

int fs_write_atomic(const char *path, const void *buf, size_t len, mode_t mode, struct err *e)
{
	return fs_write_atomic_sync(path, buf, len, mode, FS_SYNC_DURABLE, e);
}

static void *_fsync_thread(void *arg)
{
	struct fs_pending *w = arg;
	w->sync_err = fsync(w->fd) < 0 ? errno : 0;
	return NULL;
}

static void _pending_join(struct fs_pending *w)
{
	if (w->threaded)
		(void)pthread_join(w->thread, NULL);
	w->threaded = false;
}

static void _pending_release(struct fs_pending *w)
{
	if (w->fd >= 0)
		(void)close(w->fd);
	w->fd = -1;
	free(w->tmp);
	free(w->path);
	w->tmp = w->path = NULL;
}

int fs_write_begin(const char *path, const void *buf, size_t len, mode_t mode, enum fs_sync sync,
		   bool background, struct fs_pending *w, struct err *e)
{
	int r;

	*w = (struct fs_pending){ .fd = -1, .sync = sync };
	if (!(w->path = strdup(path)))
		return err_set(e, ENOMEM, "out of memory");
	for (int attempt = 0; attempt < 16 && w->fd < 0; attempt++) {
		free(w->tmp);
		if (asprintf(&w->tmp, "%s.hardrun-%d-%d.tmp", path, (int)getpid(), attempt) < 0) {
			w->tmp = NULL;
			_pending_release(w);
			return err_set(e, ENOMEM, "out of memory");
		}
		w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (w->fd < 0 && errno != EEXIST) {
			r = err_set_sys(e, errno, "create %s", w->tmp);
			_pending_release(w);
			return r;
		}
	}
	if (w->fd < 0) {
		_pending_release(w);
		return err_set(e, EEXIST, "cannot create a temporary file next to %s", path);
	}
	if (fchmod(w->fd, mode) < 0) {
		r = err_set_sys(e, errno, "chmod %s", w->tmp);
		fs_write_abort(w);
		return r;
	}
	r = _write_all(w->fd, buf, len);
	if (r < 0) {
		r = err_set_sys(e, -r, "write %s", w->tmp);
		fs_write_abort(w);
		return r;
	}
	if (sync >= FS_SYNC_FILE) {
		/* the flush runs while the caller does its other work; when no
		 * thread can be made it runs here */
		w->threaded = background && pthread_create(&w->thread, NULL, _fsync_thread, w) == 0;
		if (!w->threaded)
			(void)_fsync_thread(w);
	}
	return 0;
}

int fs_write_commit(struct fs_pending *w, struct err *e)
{
	int r = 0;
	_pending_join(w);
	if (w->sync_err)
		r = err_set_sys(e, w->sync_err, "write %s", w->tmp);
	else if (rename(w->tmp, w->path) < 0)
		r = err_set_sys(e, errno, "rename %s to %s", w->tmp, w->path);
	if (r < 0) {
		fs_write_abort(w);
		return r;
	}
	if (w->sync >= FS_SYNC_DURABLE)
		(void)_fsync_parent(w->path);
	_pending_release(w);
	return 0;
}

void fs_write_abort(struct fs_pending *w)
{
	_pending_join(w);
	if (w->tmp)
		(void)unlink(w->tmp);
	_pending_release(w);
}

int fs_write_atomic_sync(const char *path, const void *buf, size_t len, mode_t mode,
			 enum fs_sync sync, struct err *e)
{
	struct fs_pending w;
	int r = fs_write_begin(path, buf, len, mode, sync, false, &w, e);
	return r < 0 ? r : fs_write_commit(&w, e);
}

int fs_read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct err *e)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0)
		return err_set_sys(e, errno, "open %s", path);
	if (fstat(fd, &st) < 0)
		return err_set_sys(e, errno, "stat %s", path);
	if (!S_ISREG(st.st_mode))
		return err_set(e, EINVAL, "%s is not a regular file", path);
	if ((unsigned long long)st.st_size > max)
		return err_set(e, EFBIG, "%s is too large (%lld bytes, limit %zu)", path,
			       (long long)st.st_size, max);
	_cleanup_free_ char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return err_set(e, ENOMEM, "out of memory reading %s", path);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set_sys(e, errno, "read %s", path);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*ret = steal_pointer(&buf);
	if (ret_len)
		*ret_len = got;
	return 0;
}

int fs_mkdir_p(const char *path, mode_t mode, struct err *e)
{
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return err_set(e, ENOMEM, "out of memory");
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return err_set_sys(e, errno, "mkdir %s", p);
		*s = c;
		if (c == '\0')
			break;
	}
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(e, ENOTDIR, "%s is not a directory", path);
	return 0;
}

static int _rm_rf_at(int dfd, const char *name)
{
	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int r = -errno;
		close(fd);
		return r;
	}
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		int q = _rm_rf_at(dirfd(d), de->d_name);
		if (q < 0 && r == 0)
			r = q;
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

int fs_rm_rf(const char *path, struct err *e)
{
	int r = _rm_rf_at(AT_FDCWD, path);
	if (r < 0)
		return err_set_sys(e, -r, "remove %s", path);
	return 0;
}

int fs_absolute(const char *path, char **ret, struct err *e)
{
	char *out;
	if (path[0] == '/') {
		out = strdup(path);
	} else if (strcmp(path, ".") == 0) {
		out = get_current_dir_name();
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return err_set_sys(e, errno, "getcwd");
		if (asprintf(&out, "%s/%s", cwd, path) < 0)
			out = NULL;
	}
	if (!out)
		return err_set(e, ENOMEM, "out of memory");
	*ret = out;
	return 0;
}
