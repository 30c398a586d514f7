/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implicit capabilities of one notified call (shim/learn_caps.c): reads the
 * caller's credentials (/proc/<pid>/status, limits) and the call's target
 * inside the container's root (/proc/<pid>/root + path, relative paths against
 * the cwd or the dirfd; owner, group, mode, access ACL) and asks capneed.c
 * which capabilities made the call succeed.  Used by the learn recorder and by
 * audit mode (the capabilities a profile drops that the workload used).
 *
 * The target is read when the call is notified, before it runs: what the
 * kernel is about to check.  Symlinks inside the path are resolved within the
 * root; the search permission is checked on each directory of the resolved
 * path.
 */
#ifndef HARDRUN_LEARN_CAPS_H
#define HARDRUN_LEARN_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "hardrun/monitor.h"
#include "hardrun/recording.h"

#define LEARN_CAPS_WHY_MAX 512

/* Index of the decision for a syscall name, -1 when no capability can make it succeed. */
int learn_caps_index(const char *name);
/* The capabilities (bit n = capability n) any call of entry idx may use. */
uint64_t learn_caps_possible(int idx);
/* Entries are 0 .. learn_caps_count() - 1; the syscall name of one. */
int learn_caps_count(void);
const char *learn_caps_name(int idx);

/*
 * Decide about c (entry idx): *ret_caps = the capabilities the call used, why =
 * the evidence ("openat /var/log/nginx/error.log: 33:4 0640, caller 0:0").
 * 0: decided (*ret_caps may be 0); -errno: cannot decide, *ret_caps = the
 * capabilities it may use that the caller holds (kept), why says why.
 */
int learn_caps_decide(int idx, const struct mon_call *c, uint64_t *ret_caps, char *why,
		      size_t size);

/* Decide and count the result into sec->caps (reason: the first evidence; a
 * decided one replaces an undecided one).  *ret_new when an item appeared. */
void learn_caps_record(int idx, struct rec_section *sec, const struct mon_call *c, bool *ret_new);

/* ---- between learn_caps.c and learn_caps_file.c ---- */

#include <limits.h>

#include "hardrun/capneed.h"

enum learn_caps_kind {
	LC_OPEN,
	LC_ACCESS,
	LC_EXEC,
	LC_SEARCH,
	LC_DIRX,
	LC_CREATE,
	LC_DELETE,
	LC_RENAME,
	LC_CHOWN,
	LC_CHMOD,
	LC_UTIMES,
	LC_XATTR,
	LC_SETID,
	LC_KILL,
	LC_BIND,
	LC_RLIMIT,
	LC_MLOCK,
	LC_NICE,
};

enum { LC_NOFOLLOW = 1, LC_FD = 2 /* the "path" argument is an fd */ };

struct learn_caps_entry {
	const char *name;
	enum learn_caps_kind kind;
	int path, dirfd; /* argument indexes, -1 none / the cwd */
	int arg;	 /* the call's other argument (flags, mode, uid, ...) */
	unsigned flags;
	uint64_t caps; /* what it may use */
};

/* One decision in progress. */
struct learn_caps_call {
	const struct mon_call *c;
	const struct learn_caps_entry *en; /* NULL for set*id */
	const char *name;
	struct capneed_creds cr;
	uint64_t vm_lck, vm_size; /* bytes */
	int rootfd;
	char path[PATH_MAX];
	char *why;
	size_t size;
};

/* Decide a file call (kinds LC_OPEN .. LC_XATTR): *need as capneed.c's. */
int learn_caps_file_need(struct learn_caps_call *x, uint64_t *need);

#endif
