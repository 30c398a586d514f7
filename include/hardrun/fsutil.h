/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File helpers: atomic replacement, whole-file reads, directories. */
#ifndef HARDRUN_FSUTIL_H
#define HARDRUN_FSUTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "hardrun/err.h"

/* How much of an atomic replacement reaches the disk before it returns. */
enum fs_sync {
	FS_SYNC_NONE,	 /* runtime state (stateDir, the stash): useless after a crash */
	FS_SYNC_FILE,	 /* fsync the file before the rename (bundle files) */
	FS_SYNC_DURABLE, /* and fsync the directory after it (profiles, recordings) */
};

/*
 * Replace path with buf atomically: a temp file in the same directory
 * (O_CLOEXEC|O_EXCL), fchmod to mode, write, fsync, rename, fsync of the
 * directory.  On failure the temp file is removed and path is untouched.
 * Readers see the old or the new content, never a part, at every sync level.
 */
int fs_write_atomic(const char *path, const void *buf, size_t len, mode_t mode, struct err *e);
int fs_write_atomic_sync(const char *path, const void *buf, size_t len, mode_t mode,
			 enum fs_sync sync, struct err *e);

/*
 * The same in two halves, for a caller with other work to do meanwhile:
 * begin writes the temporary file and starts its fsync (on a thread when
 * background is set); commit waits for it and renames over path; abort
 * removes the temporary file.  Exactly one of commit or abort follows a
 * begin that succeeded; a failed begin leaves nothing behind.
 */
struct fs_pending {
	char *path, *tmp;
	int fd;
	enum fs_sync sync;
	bool threaded;
	int sync_err;
	pthread_t thread;
};
int fs_write_begin(const char *path, const void *buf, size_t len, mode_t mode, enum fs_sync sync,
		   bool background, struct fs_pending *w, struct err *e);
int fs_write_commit(struct fs_pending *w, struct err *e);
void fs_write_abort(struct fs_pending *w);

/* Read a whole regular file of at most max bytes; *ret is NUL-terminated. */
int fs_read_file(const char *path, size_t max, char **ret, size_t *ret_len, struct err *e);

/* mkdir -p with mode for every created component. */
int fs_mkdir_p(const char *path, mode_t mode, struct err *e);

/* Remove a directory tree (no symlinks followed). Missing is not an error. */
int fs_rm_rf(const char *path, struct err *e);

/* Resolve path against cwd when relative; *ret is malloc'd. */
int fs_absolute(const char *path, char **ret, struct err *e);

#endif
