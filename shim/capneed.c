// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Did a capability make this call succeed?  (include/hardrun/capneed.h)
 * Each function follows the kernel function named in its comment.
 */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/stat.h>

#include "hardrun/capneed.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ID_UNCHANGED  0xffffffffu

/* The capabilities decided here, by bit (the monitor has no libcap). */
static const char *const _names[] = {
	[CAP_CHOWN] = "CAP_CHOWN",
	[CAP_DAC_OVERRIDE] = "CAP_DAC_OVERRIDE",
	[CAP_DAC_READ_SEARCH] = "CAP_DAC_READ_SEARCH",
	[CAP_FOWNER] = "CAP_FOWNER",
	[CAP_FSETID] = "CAP_FSETID",
	[CAP_KILL] = "CAP_KILL",
	[CAP_SETGID] = "CAP_SETGID",
	[CAP_SETUID] = "CAP_SETUID",
	[CAP_NET_BIND_SERVICE] = "CAP_NET_BIND_SERVICE",
	[CAP_IPC_LOCK] = "CAP_IPC_LOCK",
	[CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
	[CAP_SYS_NICE] = "CAP_SYS_NICE",
	[CAP_SYS_RESOURCE] = "CAP_SYS_RESOURCE",
	[CAP_SETFCAP] = "CAP_SETFCAP",
};

const char *capneed_name(unsigned bit)
{
	return bit < ARRAY_SIZE(_names) ? _names[bit] : NULL;
}

/* The capability if the caller holds it, else: the call fails. */
static uint64_t _held(const struct capneed_creds *cr, unsigned cap)
{
	return (cr->cap_eff & CAPNEED_BIT(cap)) ? CAPNEED_BIT(cap) : CAPNEED_FAILS;
}

/* in_group_p */
bool capneed_in_group(const struct capneed_creds *cr, gid_t gid)
{
	if (gid == cr->fsgid)
		return true;
	for (size_t i = 0; i < cr->ngroups && i < CAPNEED_MAX_GROUPS; i++)
		if (cr->groups[i] == gid)
			return true;
	return false;
}

int capneed_acl_parse(const void *buf, size_t len, struct capneed_acl_entry *out, size_t max)
{
	const unsigned char *p = buf;
	size_t n = 0;

	/* header: le32 version 2; entries: le16 tag, le16 perm, le32 id */
	if (len < 4 || (len - 4) % 8 != 0 || p[0] != 2 || p[1] || p[2] || p[3])
		return -EINVAL;
	for (size_t off = 4; off < len; off += 8) {
		if (n == max)
			return -EINVAL;
		out[n].tag = p[off] | (unsigned)p[off + 1] << 8;
		out[n].perm = (p[off + 2] | (unsigned)p[off + 3] << 8) & 7;
		out[n].id = p[off + 4] | (uint32_t)p[off + 5] << 8 | (uint32_t)p[off + 6] << 16 |
			    (uint32_t)p[off + 7] << 24;
		n++;
	}
	return (int)n;
}

/* The ACL_MASK entry after e (it limits named users and all groups). */
static bool _acl_masked_ok(const struct capneed_inode *ino, size_t e, unsigned want)
{
	for (size_t k = e + 1; k < ino->nacl; k++)
		if (ino->acl[k].tag == CAPNEED_ACL_MASK)
			return (ino->acl[e].perm & ino->acl[k].perm & want) == want;
	return (ino->acl[e].perm & want) == want;
}

/* posix_acl_permission (the owner case is handled by the caller): 0 / -EACCES / -EAGAIN. */
static int _acl_check(const struct capneed_inode *ino, const struct capneed_creds *cr,
		      unsigned want)
{
	bool found = false;

	for (size_t i = 0; i < ino->nacl; i++) {
		const struct capneed_acl_entry *a = &ino->acl[i];
		switch (a->tag) {
		case CAPNEED_ACL_USER:
			if (a->id == cr->fsuid)
				return _acl_masked_ok(ino, i, want) ? 0 : -EACCES;
			break;
		case CAPNEED_ACL_GROUP_OBJ:
		case CAPNEED_ACL_GROUP:
			if (capneed_in_group(cr, a->tag == CAPNEED_ACL_GROUP ? a->id : ino->gid)) {
				found = true;
				if ((a->perm & want) == want)
					return _acl_masked_ok(ino, i, want) ? 0 : -EACCES;
			}
			break;
		case CAPNEED_ACL_OTHER:
			if (found)
				return -EACCES;
			return (a->perm & want) == want ? 0 : -EACCES;
		default:
			break;
		}
	}
	return -EAGAIN; /* no OTHER entry: a broken ACL, judge by the mode bits */
}

/* acl_permission_check: 0 or -EACCES */
static int _dac_check(const struct capneed_inode *ino, const struct capneed_creds *cr,
		      unsigned mask)
{
	unsigned mode = ino->mode;

	mask &= 7;
	if (ino->uid == cr->fsuid)
		return (mask & ~(mode >> 6)) ? -EACCES : 0;
	if (ino->acl && ino->nacl && (mode & S_IRWXG)) {
		int r = _acl_check(ino, cr, mask);
		if (r != -EAGAIN)
			return r;
	}
	if ((mask & (mode ^ (mode >> 3))) && capneed_in_group(cr, ino->gid))
		mode >>= 3;
	return (mask & ~mode) ? -EACCES : 0;
}

/* generic_permission */
uint64_t capneed_permission(const struct capneed_inode *ino, const struct capneed_creds *cr,
			    unsigned mask)
{
	mask &= 7;
	if (_dac_check(ino, cr, mask) == 0)
		return 0;
	if (S_ISDIR(ino->mode)) {
		if (!(mask & CAPNEED_MAY_WRITE) && (cr->cap_eff & CAPNEED_BIT(CAP_DAC_READ_SEARCH)))
			return CAPNEED_BIT(CAP_DAC_READ_SEARCH);
		return _held(cr, CAP_DAC_OVERRIDE);
	}
	if (mask == CAPNEED_MAY_READ && (cr->cap_eff & CAPNEED_BIT(CAP_DAC_READ_SEARCH)))
		return CAPNEED_BIT(CAP_DAC_READ_SEARCH);
	if (!(mask & CAPNEED_MAY_EXEC) || (ino->mode & 0111))
		return _held(cr, CAP_DAC_OVERRIDE);
	return CAPNEED_FAILS;
}

/* inode_owner_or_capable */
uint64_t capneed_owner(const struct capneed_inode *ino, const struct capneed_creds *cr)
{
	return ino->uid == cr->fsuid ? 0 : _held(cr, CAP_FOWNER);
}

/* setattr_prepare, ATTR_MODE */
uint64_t capneed_chmod(const struct capneed_inode *ino, const struct capneed_creds *cr, mode_t mode)
{
	uint64_t need = capneed_owner(ino, cr);

	if (need & CAPNEED_FAILS)
		return need;
	if ((mode & S_ISGID) && !capneed_in_group(cr, ino->gid) &&
	    (cr->cap_eff & CAPNEED_BIT(CAP_FSETID)))
		need |= CAPNEED_BIT(CAP_FSETID);
	return need;
}

/* chown_ok, chgrp_ok */
uint64_t capneed_chown(const struct capneed_inode *ino, const struct capneed_creds *cr, uid_t uid,
		       gid_t gid)
{
	bool owner = ino->uid == cr->fsuid;
	bool uid_ok = uid == ID_UNCHANGED || (owner && uid == ino->uid);
	bool gid_ok =
		gid == ID_UNCHANGED || (owner && (gid == ino->gid || capneed_in_group(cr, gid)));

	return uid_ok && gid_ok ? 0 : _held(cr, CAP_CHOWN);
}

/* may_delete: write and search on the directory, then check_sticky */
uint64_t capneed_delete(const struct capneed_inode *dir, const struct capneed_inode *child,
			const struct capneed_creds *cr)
{
	uint64_t need = capneed_permission(dir, cr, CAPNEED_MAY_WRITE | CAPNEED_MAY_EXEC);

	if ((need & CAPNEED_FAILS) || !child || !(dir->mode & S_ISVTX) || child->uid == cr->fsuid ||
	    dir->uid == cr->fsuid)
		return need;
	return need | _held(cr, CAP_FOWNER);
}

static bool _one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == ID_UNCHANGED || id == a || id == b || id == c;
}

/* __sys_setuid & co.: which ids an unprivileged caller may take */
uint64_t capneed_setid(const char *name, const uint64_t args[6], const struct capneed_creds *cr)
{
	char base[32];
	size_t len = strlen(name);
	bool gid = false;
	uint32_t a0 = (uint32_t)args[0], a1 = (uint32_t)args[1], a2 = (uint32_t)args[2];

	if (len >= sizeof(base))
		return 0;
	memcpy(base, name, len + 1);
	if (len > 2 && strcmp(base + len - 2, "32") == 0)
		base[len - 2] = '\0';
	if (strcmp(base, "setgroups") == 0)
		return _held(cr, CAP_SETGID);
	/* "setXid" / "setreXid" / "setresXid" / "setfsXid": X at the third-last letter */
	len = strlen(base);
	if (len < 6 || strncmp(base, "set", 3) != 0 || strcmp(base + len - 2, "id") != 0)
		return 0;
	gid = base[len - 3] == 'g';
	uint32_t r = gid ? cr->rgid : cr->ruid, e = gid ? cr->egid : cr->euid;
	uint32_t s = gid ? cr->sgid : cr->suid, fs = gid ? cr->fsgid : cr->fsuid;
	unsigned cap = gid ? CAP_SETGID : CAP_SETUID;
	bool ok;

	base[len - 3] = 'X';
	if (strcmp(base, "setXid") == 0) /* the same result only when all three become a0 */
		ok = a0 == r && a0 == s;
	else if (strcmp(base, "setreXid") == 0)
		ok = _one_of(a0, r, e, r) && _one_of(a1, r, e, s);
	else if (strcmp(base, "setresXid") == 0)
		ok = _one_of(a0, r, e, s) && _one_of(a1, r, e, s) && _one_of(a2, r, e, s);
	else if (strcmp(base, "setfsXid") == 0)
		ok = _one_of(a0, r, e, s) || a0 == fs;
	else
		return 0;
	return ok ? 0 : _held(cr, cap);
}

/* kill_ok_by_cred */
uint64_t capneed_kill(const struct capneed_creds *target, const struct capneed_creds *cr)
{
	if (cr->euid == target->suid || cr->euid == target->ruid || cr->ruid == target->suid ||
	    cr->ruid == target->ruid)
		return 0;
	return _held(cr, CAP_KILL);
}

/* inet_bind / inet6_bind: inet_port_requires_bind_service */
uint64_t capneed_bind(int port, int unprivileged_start, const struct capneed_creds *cr)
{
	return port > 0 && port < unprivileged_start ? _held(cr, CAP_NET_BIND_SERVICE) : 0;
}

/* do_prlimit */
uint64_t capneed_rlimit(uint64_t new_hard, uint64_t cur_hard, const struct capneed_creds *cr)
{
	return new_hard > cur_hard ? _held(cr, CAP_SYS_RESOURCE) : 0;
}

/* can_do_mlock, do_mlock: the limit counts pages */
uint64_t capneed_mlock(uint64_t bytes, uint64_t locked, uint64_t memlock_soft,
		       const struct capneed_creds *cr)
{
	const uint64_t page = 4096;

	if (memlock_soft == UINT64_MAX)
		return 0;
	uint64_t pages = (bytes + page - 1) / page + (locked + page - 1) / page;
	if (memlock_soft == 0 || pages > memlock_soft / page)
		return _held(cr, CAP_IPC_LOCK);
	return 0;
}

/* set_one_prio, can_nice: lowering nice beyond RLIMIT_NICE (20 - nice) */
uint64_t capneed_nice(int new_nice, int cur_nice, uint64_t rlimit_nice,
		      const struct capneed_creds *cr)
{
	if (new_nice < -20)
		new_nice = -20;
	if (new_nice >= cur_nice || (uint64_t)(20 - new_nice) <= rlimit_nice)
		return 0;
	return _held(cr, CAP_SYS_NICE);
}
