// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Implicit capabilities of file calls (include/hardrun/learn_caps.h): the
 * path walk inside the caller's root, the target's owner, group, mode and
 * ACL, and the decision for the call's kind.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/learn_caps.h"
#include "hardrun/learn_decode.h"

#define B(c) CAPNEED_BIT(CAP_##c)

struct _ino {
	struct capneed_inode i;
	struct capneed_acl_entry acl[CAPNEED_MAX_ACL];
};

static int _ino_fd(int fd, struct _ino *ret)
{
	struct stat st;
	char link[64];
	unsigned char buf[8 + 8 * CAPNEED_MAX_ACL];

	if (fstat(fd, &st) < 0)
		return -errno;
	*ret = (struct _ino){ .i = { .uid = st.st_uid, .gid = st.st_gid, .mode = st.st_mode } };
	if (S_ISLNK(st.st_mode) || !(st.st_mode & S_IRWXG))
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = getxattr(link, "system.posix_acl_access", buf, sizeof(buf));
	int k = n > 0 ? capneed_acl_parse(buf, (size_t)n, ret->acl, CAPNEED_MAX_ACL) : 0;
	if (k < 0)
		return -EINVAL; /* an ACL hardrun cannot read: undecided */
	ret->i.acl = k ? ret->acl : NULL;
	ret->i.nacl = (size_t)k;
	return 0;
}

/* The inode at path inside the caller's root; -ENOENT when it does not exist. */
static int _ino(const struct learn_caps_call *x, const char *path, bool follow, struct _ino *ret)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, x->rootfd, path, &how, sizeof(how));

	if (fd < 0)
		return errno == ENOTDIR || errno == ELOOP ? -ENOENT : -errno;
	return _ino_fd(fd, ret);
}

/* The inode behind fd of the caller. */
static int _ino_of_fd(const struct learn_caps_call *x, int fd, struct _ino *ret)
{
	char link[64];

	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)x->c->pid, fd);
	_cleanup_close_ int f = open(link, O_PATH | O_CLOEXEC);
	if (f < 0)
		return -errno;
	return _ino_fd(f, ret);
}

/* ---------- decisions ---------- */

static void _why_inode(struct learn_caps_call *x, const char *path, const struct _ino *in)
{
	snprintf(x->why, x->size, "%s %s: %u:%u %04o%s, caller %u:%u", x->name, path,
		 (unsigned)in->i.uid, (unsigned)in->i.gid, (unsigned)(in->i.mode & 07777),
		 in->i.nacl ? " +acl" : "", (unsigned)x->cr.fsuid, (unsigned)x->cr.fsgid);
}

/* Search (exec) on every directory above path; *parent = the last one.  FAILS when
 * a directory is missing (the call fails with ENOENT). */
static int _walk(struct learn_caps_call *x, const char *path, struct _ino *parent, uint64_t *need)
{
	char pre[PATH_MAX];
	const char *last = strrchr(path, '/');

	if (!last || path[0] != '/')
		return -EINVAL;
	for (const char *p = path;; p = strchr(p + 1, '/')) {
		size_t len = p == path ? 1 : (size_t)(p - path);
		memcpy(pre, path, len);
		pre[len] = '\0';
		int r = _ino(x, pre, true, parent);
		if (r == -ENOENT || (r == 0 && !S_ISDIR(parent->i.mode))) {
			*need = CAPNEED_FAILS;
			return 0;
		}
		if (r < 0)
			return r;
		uint64_t n = capneed_permission(&parent->i, &x->cr, CAPNEED_MAY_EXEC);
		if (n & CAPNEED_FAILS) {
			*need = CAPNEED_FAILS;
			return 0;
		}
		if (n && !(*need & n))
			_why_inode(x, pre, parent);
		*need |= n;
		if (p == last)
			return 0;
	}
}

/* The target itself: the need of `fn` on it (NULL: it must not exist: created). */
typedef uint64_t (*_target_fn)(struct learn_caps_call *x, const struct _ino *parent,
			       const struct _ino *t);

static uint64_t _t_create(struct learn_caps_call *x, const struct _ino *parent,
			  const struct _ino *t)
{
	if (t)
		return CAPNEED_FAILS; /* EEXIST */
	return capneed_permission(&parent->i, &x->cr, CAPNEED_MAY_WRITE | CAPNEED_MAY_EXEC);
}

static uint64_t _t_delete(struct learn_caps_call *x, const struct _ino *parent,
			  const struct _ino *t)
{
	return t ? capneed_delete(&parent->i, &t->i, &x->cr) : CAPNEED_FAILS;
}

static uint64_t _t_open(struct learn_caps_call *x, const struct _ino *parent, const struct _ino *t)
{
	uint64_t flags = x->en->arg >= 0 ? x->c->args[x->en->arg] : O_CREAT | O_WRONLY | O_TRUNC;
	unsigned mask = (flags & O_ACCMODE) == O_RDONLY	  ? CAPNEED_MAY_READ
			: (flags & O_ACCMODE) == O_WRONLY ? CAPNEED_MAY_WRITE
							  : CAPNEED_MAY_READ | CAPNEED_MAY_WRITE;

	if (strcmp(x->name, "openat2") == 0 &&
	    mon_read_mem(x->c, x->c->args[2], &flags, sizeof(flags)) != sizeof(flags))
		return CAPNEED_FAILS;
	if (flags & O_PATH)
		return 0;
	if (!t)
		return (flags & O_CREAT) ? _t_create(x, parent, NULL) : CAPNEED_FAILS;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) || S_ISLNK(t->i.mode))
		return CAPNEED_FAILS;
	if (flags & O_TRUNC)
		mask |= CAPNEED_MAY_WRITE;
	return capneed_permission(&t->i, &x->cr, mask);
}

static uint64_t _t_access(struct learn_caps_call *x, const struct _ino *parent,
			  const struct _ino *t)
{
	unsigned mode = (unsigned)x->c->args[x->en->arg] & 7;
	return !t ? CAPNEED_FAILS : mode ? capneed_permission(&t->i, &x->cr, mode) : 0;
}

static uint64_t _t_exec(struct learn_caps_call *x, const struct _ino *parent, const struct _ino *t)
{
	return t ? capneed_permission(&t->i, &x->cr, CAPNEED_MAY_EXEC) : CAPNEED_FAILS;
}

static uint64_t _t_chown(struct learn_caps_call *x, const struct _ino *parent, const struct _ino *t)
{
	const uint64_t *a = x->c->args + x->en->arg;
	return t ? capneed_chown(&t->i, &x->cr, (uid_t)a[0], (gid_t)a[1]) : CAPNEED_FAILS;
}

static uint64_t _t_chmod(struct learn_caps_call *x, const struct _ino *parent, const struct _ino *t)
{
	return t ? capneed_chmod(&t->i, &x->cr, (mode_t)x->c->args[x->en->arg]) : CAPNEED_FAILS;
}

/* times NULL (or both UTIME_NOW): the owner, FOWNER, or write permission; else FOWNER */
static uint64_t _t_utimes(struct learn_caps_call *x, const struct _ino *parent,
			  const struct _ino *t)
{
	uint64_t times = x->c->args[x->en->arg];
	struct timespec ts[2];

	if (!t)
		return CAPNEED_FAILS;
	if (times && strcmp(x->name, "utimensat") == 0 &&
	    mon_read_mem(x->c, times, ts, sizeof(ts)) == sizeof(ts) && ts[0].tv_nsec == UTIME_NOW &&
	    ts[1].tv_nsec == UTIME_NOW)
		times = 0;
	uint64_t own = capneed_owner(&t->i, &x->cr);
	if (times || !(own & CAPNEED_FAILS))
		return own;
	return capneed_permission(&t->i, &x->cr, CAPNEED_MAY_WRITE);
}

static uint64_t _t_xattr(struct learn_caps_call *x, const struct _ino *parent, const struct _ino *t)
{
	char name[256];

	if (!t || mon_read_string(x->c, x->c->args[x->en->arg], name, sizeof(name)) < 0)
		return CAPNEED_FAILS;
	if (strncmp(name, "user.", 5) == 0)
		return capneed_permission(&t->i, &x->cr, CAPNEED_MAY_WRITE);
	if (strncmp(name, "system.posix_acl_", 17) == 0)
		return capneed_owner(&t->i, &x->cr);
	if (strncmp(name, "trusted.", 8) == 0)
		return x->cr.cap_eff & B(SYS_ADMIN) ? B(SYS_ADMIN) : CAPNEED_FAILS;
	if (strcmp(name, "security.capability") == 0)
		return x->cr.cap_eff & B(SETFCAP) ? B(SETFCAP) : CAPNEED_FAILS;
	return 0;
}

/* Walk to the path argument arg (dirfd argument dfd), then judge the target with fn. */
static int _path_need(struct learn_caps_call *x, int arg, int dfd, bool follow, _target_fn fn,
		      uint64_t *need)
{
	struct _ino parent, t;
	int r = learn_read_path(x->c, arg, dfd, x->path, sizeof(x->path));

	if (r == -EFAULT || r == -ENAMETOOLONG) {
		*need = CAPNEED_FAILS; /* the kernel fails it the same way */
		return 0;
	}
	if (r < 0)
		return r;
	if ((r = _walk(x, x->path, &parent, need)) < 0 || (*need & CAPNEED_FAILS) || !fn)
		return r;
	bool root = strcmp(x->path, "/") == 0;
	r = root ? 0 : _ino(x, x->path, follow, &t);
	if (r < 0 && r != -ENOENT)
		return r;
	uint64_t n = fn(x, &parent, r == 0 ? (root ? &parent : &t) : NULL);
	if (n && !(n & CAPNEED_FAILS) && !(*need & n)) {
		if (r == 0)
			_why_inode(x, x->path, root ? &parent : &t);
		else
			_why_inode(x, x->path, &parent);
	}
	*need |= n;
	return 0;
}

static int _fd_need(struct learn_caps_call *x, int arg, _target_fn fn, uint64_t *need)
{
	struct _ino t;
	int fd = (int)(uint32_t)x->c->args[arg];
	int r = _ino_of_fd(x, fd, &t);

	if (r < 0) {
		*need = CAPNEED_FAILS; /* EBADF */
		return 0;
	}
	*need = fn(x, NULL, &t);
	snprintf(x->path, sizeof(x->path), "fd %d", fd);
	if (*need && !(*need & CAPNEED_FAILS))
		_why_inode(x, x->path, &t);
	return 0;
}

/* A NULL or "" path of an *at call (AT_EMPTY_PATH, futimens): the dirfd itself */
static bool _empty_path(const struct learn_caps_call *x)
{
	char c0;
	return x->en->dirfd >= 0 &&
	       (!x->c->args[x->en->path] ||
		(mon_read_mem(x->c, x->c->args[x->en->path], &c0, 1) == 1 && c0 == '\0'));
}

static uint64_t _t_rename_to(struct learn_caps_call *x, const struct _ino *parent,
			     const struct _ino *t)
{
	return t ? _t_delete(x, parent, t) : _t_create(x, parent, NULL);
}

static uint64_t _t_none(struct learn_caps_call *x, const struct _ino *parent, const struct _ino *t)
{
	return t ? 0 : CAPNEED_FAILS;
}

static uint64_t _t_search(struct learn_caps_call *x, const struct _ino *parent,
			  const struct _ino *t)
{
	return t ? capneed_permission(&t->i, &x->cr, CAPNEED_MAY_EXEC) : CAPNEED_FAILS;
}

static const _target_fn _target[] = {
	[LC_OPEN] = _t_open,	 [LC_ACCESS] = _t_access, [LC_EXEC] = _t_exec,
	[LC_SEARCH] = NULL,	 [LC_DIRX] = _t_search,	  [LC_CREATE] = _t_create,
	[LC_DELETE] = _t_delete, [LC_CHOWN] = _t_chown,	  [LC_CHMOD] = _t_chmod,
	[LC_UTIMES] = _t_utimes, [LC_XATTR] = _t_xattr,
};

/* The *at flags argument: fchownat 4, faccessat2 3, utimensat 3; 0 when none. */
static uint64_t _at_flags(const struct learn_caps_call *x)
{
	if (strcmp(x->name, "fchownat") == 0)
		return x->c->args[4];
	if (strcmp(x->name, "faccessat2") == 0 || strcmp(x->name, "utimensat") == 0)
		return x->c->args[3];
	return 0;
}

int learn_caps_file_need(struct learn_caps_call *x, uint64_t *need)
{
	const struct learn_caps_entry *en = x->en;
	bool follow = !(en->flags & LC_NOFOLLOW) && !(_at_flags(x) & AT_SYMLINK_NOFOLLOW);
	int r;

	if (en->kind == LC_ACCESS &&
	    !(strcmp(x->name, "faccessat2") == 0 && (x->c->args[3] & AT_EACCESS))) {
		/* access(2) checks with the real ids, and keeps caps only for a real root */
		x->cr.fsuid = x->cr.ruid;
		x->cr.fsgid = x->cr.rgid;
		if (x->cr.ruid != 0)
			x->cr.cap_eff = 0;
	}
	if (en->flags & LC_FD)
		return _fd_need(x, en->path, _target[en->kind], need);
	if (_empty_path(x))
		return en->kind == LC_SEARCH
			       ? 0
			       : _fd_need(x, en->dirfd, _target[en->kind] ?: _t_none, need);
	if (en->kind == LC_DELETE || en->kind == LC_CREATE)
		follow = false;
	if (en->kind != LC_RENAME)
		return _path_need(x, en->path, en->dirfd, follow, _target[en->kind], need);
	bool at = en->dirfd >= 0;
	uint64_t to = 0;
	if ((r = _path_need(x, at ? 1 : 0, at ? 0 : -1, false, _t_delete, need)) < 0 ||
	    (*need & CAPNEED_FAILS) ||
	    (r = _path_need(x, at ? 3 : 1, at ? 2 : -1, false, _t_rename_to, &to)) < 0)
		return r;
	*need |= to;
	return 0;
}
