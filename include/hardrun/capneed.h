/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Did a capability make this call succeed?  (shim/capneed.c)  Pure decisions,
 * as the kernel makes them, from a target's owner, group, mode and ACL and
 * the caller's credentials: fs/namei.c generic_permission and may_delete,
 * fs/attr.c (chown, chmod, utimes), kernel/sys.c (set*id, setpriority,
 * setrlimit), kernel/signal.c (kill), mm/mlock.c and the bind port check.
 *
 * Each decision returns a mask of capability bits (bit n = capability n, as
 * in /proc/<pid>/status CapEff): the capabilities the call used, 0 when it
 * needed none, or CAPNEED_FAILS when it fails whatever the caller holds (it
 * then needed nothing).  A capability the caller does not hold (cap_eff) is
 * never reported: the call then failed without it.
 *
 * The impure side (reading /proc and the container's files) is learn_caps.c.
 */
#ifndef HARDRUN_CAPNEED_H
#define HARDRUN_CAPNEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CAPNEED_FAILS	   (1ull << 63)
#define CAPNEED_MAX_GROUPS 64
#define CAPNEED_MAX_ACL	   64
#define CAPNEED_BIT(cap)   (1ull << (cap))

/* MAY_* as the kernel's inode_permission masks */
enum { CAPNEED_MAY_EXEC = 1, CAPNEED_MAY_WRITE = 2, CAPNEED_MAY_READ = 4 };

struct capneed_creds {
	uid_t ruid, euid, suid, fsuid;
	gid_t rgid, egid, sgid, fsgid;
	gid_t groups[CAPNEED_MAX_GROUPS];
	size_t ngroups;
	uint64_t cap_eff;
};

/* POSIX ACL entry tags (ACL_USER_OBJ ... in linux/posix_acl.h) */
enum {
	CAPNEED_ACL_USER_OBJ = 0x01,
	CAPNEED_ACL_USER = 0x02,
	CAPNEED_ACL_GROUP_OBJ = 0x04,
	CAPNEED_ACL_GROUP = 0x08,
	CAPNEED_ACL_MASK = 0x10,
	CAPNEED_ACL_OTHER = 0x20,
};

struct capneed_acl_entry {
	unsigned tag, perm; /* perm: rwx as 4/2/1 */
	uint32_t id;
};

struct capneed_inode {
	uid_t uid;
	gid_t gid;
	mode_t mode;			     /* st_mode, file type included */
	const struct capneed_acl_entry *acl; /* access ACL; NULL: none */
	size_t nacl;
};

/* Parse a system.posix_acl_access xattr value (version 2); entries or -EINVAL. */
int capneed_acl_parse(const void *buf, size_t len, struct capneed_acl_entry *out, size_t max);

bool capneed_in_group(const struct capneed_creds *cr, gid_t gid);
/* inode_permission(mask) on one inode: 0, DAC_READ_SEARCH or DAC_OVERRIDE, or FAILS. */
uint64_t capneed_permission(const struct capneed_inode *ino, const struct capneed_creds *cr,
			    unsigned mask);
/* Owner-only operations (chmod, utimes with explicit times, ACL writes): FOWNER. */
uint64_t capneed_owner(const struct capneed_inode *ino, const struct capneed_creds *cr);
/* chmod to mode: FOWNER when not the owner, FSETID to keep S_ISGID on a file of a group the
 * caller is not in (the kernel clears it without). */
uint64_t capneed_chmod(const struct capneed_inode *ino, const struct capneed_creds *cr,
		       mode_t mode);
/* chown to uid, gid ((uid_t)-1 / (gid_t)-1: unchanged): CHOWN. */
uint64_t capneed_chown(const struct capneed_inode *ino, const struct capneed_creds *cr, uid_t uid,
		       gid_t gid);
/* Removing or renaming away child of a directory dir (write and search on dir, sticky bit). */
uint64_t capneed_delete(const struct capneed_inode *dir, const struct capneed_inode *child,
			const struct capneed_creds *cr);

/* The set*id calls, by name ("setuid", "setresgid32", ...); args as the call's. */
uint64_t capneed_setid(const char *name, const uint64_t args[6], const struct capneed_creds *cr);
/* kill of a process with the target's credentials (signal 0 included). */
uint64_t capneed_kill(const struct capneed_creds *target, const struct capneed_creds *cr);
/* bind to port with the network namespace's ip_unprivileged_port_start. */
uint64_t capneed_bind(int port, int unprivileged_start, const struct capneed_creds *cr);
/* setrlimit: a new hard limit above the current one. */
uint64_t capneed_rlimit(uint64_t new_hard, uint64_t cur_hard, const struct capneed_creds *cr);
/* mlock of bytes more than RLIMIT_MEMLOCK's soft limit allows (locked: already locked). */
uint64_t capneed_mlock(uint64_t bytes, uint64_t locked, uint64_t memlock_soft,
		       const struct capneed_creds *cr);
/* A new nice value below the current one, beyond RLIMIT_NICE (soft, 0..40). */
uint64_t capneed_nice(int new_nice, int cur_nice, uint64_t rlimit_nice,
		      const struct capneed_creds *cr);

/* "CAP_DAC_OVERRIDE" for a bit hardrun decides about, NULL for others. */
const char *capneed_name(unsigned bit);

#endif
