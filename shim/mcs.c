// SPDX-License-Identifier: GPL-2.0-or-later
/* MCS category pairs: one O_EXCL file per pair under <stateDir>/mcs/. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/mcs.h"

#define MCS_RANDOM_TRIES 64

bool mcs_key_valid(const char *key)
{
	size_t len = key ? strlen(key) : 0;

	if (len == 0 || len > MCS_KEY_MAX || strcmp(key, ".") == 0 || strcmp(key, "..") == 0)
		return false;
	for (const char *c = key; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_+.-", *c))
			return false;
	return true;
}

void mcs_format(const struct mcs_pair *p, char buf[static MCS_LEVEL_MAX])
{
	snprintf(buf, MCS_LEVEL_MAX, "s0:c%u,c%u", p->lo, p->hi);
}

static int _mcs_mkdir(const char *path, struct err *e)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return err_set_sys(e, errno, "mcs: mkdir %s", path);
	return 0;
}

/* Open (creating) <state_dir>/mcs as a directory fd. */
static int _mcs_open_dir(const char *state_dir, struct err *e)
{
	char path[4096];
	int r, fd;

	if (!state_dir || snprintf(path, sizeof(path), "%s/mcs", state_dir) >= (int)sizeof(path))
		return err_set(e, EINVAL, "mcs: bad stateDir");
	if ((r = _mcs_mkdir(state_dir, e)) < 0 || (r = _mcs_mkdir(path, e)) < 0)
		return r;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_set_sys(e, errno, "mcs: open %s", path);
	return fd;
}

/* "c12.c345" -> pair; false for any other name. */
static bool _mcs_parse_name(const char *name, struct mcs_pair *ret)
{
	unsigned lo, hi;
	int n = 0;

	if (sscanf(name, "c%u.c%u%n", &lo, &hi, &n) != 2 || name[n] || lo >= hi ||
	    hi >= MCS_CATEGORIES)
		return false;
	ret->lo = lo;
	ret->hi = hi;
	return true;
}

static bool _mcs_owned_by(int dfd, const char *name, const char *key)
{
	char buf[MCS_KEY_MAX + 2];
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, key) == 0;
}

/*
 * Visit each pair file held by key; fn returns < 0 to stop.  Returns the
 * number visited or the first negative fn result.
 */
static int _mcs_scan(int dfd, const char *key, int (*fn)(int, const char *, struct mcs_pair *),
		     struct mcs_pair *arg, struct err *e)
{
	int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
	struct dirent *de;
	struct mcs_pair p;
	int count = 0;

	if (dup_fd < 0)
		return err_set_sys(e, errno, "mcs: dup");
	_cleanup_closedir_ DIR *d = fdopendir(dup_fd);
	if (!d) {
		(void)close(dup_fd);
		return err_set_sys(e, errno, "mcs: fdopendir");
	}
	while ((de = readdir(d))) {
		if (!_mcs_parse_name(de->d_name, &p) || !_mcs_owned_by(dfd, de->d_name, key))
			continue;
		int r = fn(dfd, de->d_name, &p);
		if (r < 0)
			return err_set_sys(e, -r, "mcs: %s", de->d_name);
		*arg = p;
		count++;
	}
	return count;
}

static int _mcs_keep(int dfd, const char *name, struct mcs_pair *p)
{
	return 0;
}

static int _mcs_unlink(int dfd, const char *name, struct mcs_pair *p)
{
	return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
}

/* Claim pair p for key: 1 claimed, 0 taken, < 0 error. */
static int _mcs_claim(int dfd, const struct mcs_pair *p, const char *key, struct err *e)
{
	char name[32];
	size_t len = strlen(key);

	snprintf(name, sizeof(name), "c%u.c%u", p->lo, p->hi);
	_cleanup_close_ int fd =
		openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return errno == EEXIST ? 0 : err_set_sys(e, errno, "mcs: create %s", name);
	if (write(fd, key, len) != (ssize_t)len) {
		int r = err_set_sys(e, errno ? errno : EIO, "mcs: write %s", name);
		(void)unlinkat(dfd, name, 0);
		return r;
	}
	return 1;
}

static void _mcs_random(struct mcs_pair *p)
{
	unsigned v[2] = { 0, 0 };

	if (getrandom(v, sizeof(v), 0) != sizeof(v))
		v[0] = (unsigned)getpid(), v[1] = v[0] * 2654435761u;
	p->lo = v[0] % MCS_CATEGORIES;
	p->hi = v[1] % (MCS_CATEGORIES - 1);
	if (p->hi >= p->lo)
		p->hi++;
	if (p->lo > p->hi) {
		unsigned t = p->lo;
		p->lo = p->hi;
		p->hi = t;
	}
}

/* Random tries first; a full walk only when the space is nearly used up. */
static int _mcs_pick(int dfd, const char *key, struct mcs_pair *ret, struct err *e)
{
	struct mcs_pair p;
	int r;

	for (int i = 0; i < MCS_RANDOM_TRIES; i++) {
		_mcs_random(&p);
		if ((r = _mcs_claim(dfd, &p, key, e)) != 0)
			return r < 0 ? r : (*ret = p, 0);
	}
	for (p.lo = 0; p.lo < MCS_CATEGORIES; p.lo++)
		for (p.hi = p.lo + 1; p.hi < MCS_CATEGORIES; p.hi++)
			if ((r = _mcs_claim(dfd, &p, key, e)) != 0)
				return r < 0 ? r : (*ret = p, 0);
	return err_set(e, ENOSPC, "mcs: every category pair is in use");
}

int mcs_allocate(const char *state_dir, const char *key, struct mcs_pair *ret, struct err *e)
{
	struct mcs_pair held;
	int r;

	if (!mcs_key_valid(key))
		return err_set(e, EINVAL, "mcs: invalid container key");
	_cleanup_close_ int dfd = _mcs_open_dir(state_dir, e);
	if (dfd < 0)
		return dfd;
	if ((r = _mcs_scan(dfd, key, _mcs_keep, &held, e)) < 0)
		return r;
	if (r > 0) {
		*ret = held;
		return 0;
	}
	return _mcs_pick(dfd, key, ret, e);
}

int mcs_release(const char *state_dir, const char *key, struct err *e)
{
	struct mcs_pair last;

	if (!mcs_key_valid(key))
		return err_set(e, EINVAL, "mcs: invalid container key");
	_cleanup_close_ int dfd = _mcs_open_dir(state_dir, e);
	if (dfd < 0)
		return dfd;
	return _mcs_scan(dfd, key, _mcs_unlink, &last, e);
}
