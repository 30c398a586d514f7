// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Implicit capabilities of one notified call (include/hardrun/learn_caps.h):
 * the reads; the decisions are capneed.c's.
 *
 *   call                                              decided by
 *   open openat openat2 creat                         search on the path, then read/write on
 *                                                     the file, or write on its directory
 *   access faccessat faccessat2                       the same with the real uid (caps only
 *                                                     for a real uid 0, as the kernel does)
 *   execve execveat, chdir chroot                     search, exec (search) on the target
 *   stat lstat newfstatat statx statfs readlink(at)   search on the path
 *   mkdir(at) mknod(at) symlink(at) link(at)          write and search on the directory
 *   unlink(at) rmdir, rename(at/2)                    the same, and the sticky bit (FOWNER)
 *   chown fchown lchown fchownat                      CHOWN: another owner, a foreign group
 *   chmod fchmod fchmodat                             FOWNER when not the owner, FSETID
 *   utime utimes utimensat futimesat                  FOWNER (or write) when not the owner
 *   setxattr removexattr (l, f)                       by namespace: user. write, system.posix_acl
 *                                                     FOWNER, trusted. SYS_ADMIN,
 *                                                     security.capability SETFCAP
 *   set*uid set*gid setgroups (+32)                   an id the caller may not take: SETUID/SETGID
 *   kill tkill                                        another user's process: KILL
 *   bind                                              a port below 1024: NET_BIND_SERVICE
 *   setrlimit prlimit64                               a hard limit raised: SYS_RESOURCE
 *   mlock mlock2 mlockall                             beyond RLIMIT_MEMLOCK: IPC_LOCK
 *   nice setpriority                                  a lower nice beyond RLIMIT_NICE: SYS_NICE
 *
 * Not decided (kept when held, the reason says so): kill of a process group or
 * of every process, setpriority of another process, a target hardrun cannot
 * read.  bind assumes the kernel's default ip_unprivileged_port_start (1024):
 * the sysctl belongs to the container's network namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "hardrun/capneed.h"
#include "hardrun/cleanup.h"
#include "hardrun/learn_caps.h"
#include "hardrun/learn_decode.h"

#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define B(c)		 CAPNEED_BIT(CAP_##c)
#define DAC		 (B(DAC_OVERRIDE) | B(DAC_READ_SEARCH))
#define UNPRIV_PORT	 1024
#define UNDECIDED_PREFIX "undecided: "

#define E(n, k, p, d, a, f, c)                                                                     \
	{                                                                                          \
		n, k, p, d, a, f, c                                                                \
	}
static const struct learn_caps_entry _entries[] = {
	E("open", LC_OPEN, 0, -1, 1, 0, DAC),
	E("openat", LC_OPEN, 1, 0, 2, 0, DAC),
	E("openat2", LC_OPEN, 1, 0, 2, 0, DAC),
	E("creat", LC_OPEN, 0, -1, -1, 0, DAC),
	E("access", LC_ACCESS, 0, -1, 1, 0, DAC),
	E("faccessat", LC_ACCESS, 1, 0, 2, 0, DAC),
	E("faccessat2", LC_ACCESS, 1, 0, 2, 0, DAC),
	E("execve", LC_EXEC, 0, -1, -1, 0, DAC),
	E("execveat", LC_EXEC, 1, 0, -1, 0, DAC),
	E("chdir", LC_DIRX, 0, -1, -1, 0, DAC),
	E("chroot", LC_DIRX, 0, -1, -1, 0, DAC),
	E("stat", LC_SEARCH, 0, -1, -1, 0, DAC),
	E("lstat", LC_SEARCH, 0, -1, -1, 0, DAC),
	E("stat64", LC_SEARCH, 0, -1, -1, 0, DAC),
	E("lstat64", LC_SEARCH, 0, -1, -1, 0, DAC),
	E("newfstatat", LC_SEARCH, 1, 0, -1, 0, DAC),
	E("fstatat64", LC_SEARCH, 1, 0, -1, 0, DAC),
	E("statx", LC_SEARCH, 1, 0, -1, 0, DAC),
	E("statfs", LC_SEARCH, 0, -1, -1, 0, DAC),
	E("readlink", LC_SEARCH, 0, -1, -1, 0, DAC),
	E("readlinkat", LC_SEARCH, 1, 0, -1, 0, DAC),
	E("mkdir", LC_CREATE, 0, -1, -1, 0, DAC),
	E("mkdirat", LC_CREATE, 1, 0, -1, 0, DAC),
	E("mknod", LC_CREATE, 0, -1, -1, 0, DAC),
	E("mknodat", LC_CREATE, 1, 0, -1, 0, DAC),
	E("symlink", LC_CREATE, 1, -1, -1, 0, DAC),
	E("symlinkat", LC_CREATE, 2, 1, -1, 0, DAC),
	E("link", LC_CREATE, 1, -1, -1, 0, DAC),
	E("linkat", LC_CREATE, 3, 2, -1, 0, DAC),
	E("unlink", LC_DELETE, 0, -1, -1, 0, DAC | B(FOWNER)),
	E("unlinkat", LC_DELETE, 1, 0, -1, 0, DAC | B(FOWNER)),
	E("rmdir", LC_DELETE, 0, -1, -1, 0, DAC | B(FOWNER)),
	E("rename", LC_RENAME, 0, -1, -1, 0, DAC | B(FOWNER)),
	E("renameat", LC_RENAME, 1, 0, -1, 0, DAC | B(FOWNER)),
	E("renameat2", LC_RENAME, 1, 0, -1, 0, DAC | B(FOWNER)),
	E("chown", LC_CHOWN, 0, -1, 1, 0, DAC | B(CHOWN)),
	E("chown32", LC_CHOWN, 0, -1, 1, 0, DAC | B(CHOWN)),
	E("lchown", LC_CHOWN, 0, -1, 1, LC_NOFOLLOW, DAC | B(CHOWN)),
	E("lchown32", LC_CHOWN, 0, -1, 1, LC_NOFOLLOW, DAC | B(CHOWN)),
	E("fchownat", LC_CHOWN, 1, 0, 2, 0, DAC | B(CHOWN)),
	E("fchown", LC_CHOWN, 0, -1, 1, LC_FD, B(CHOWN)),
	E("fchown32", LC_CHOWN, 0, -1, 1, LC_FD, B(CHOWN)),
	E("chmod", LC_CHMOD, 0, -1, 1, 0, DAC | B(FOWNER) | B(FSETID)),
	E("fchmodat", LC_CHMOD, 1, 0, 2, 0, DAC | B(FOWNER) | B(FSETID)),
	E("fchmod", LC_CHMOD, 0, -1, 1, LC_FD, B(FOWNER) | B(FSETID)),
	E("utime", LC_UTIMES, 0, -1, 1, 0, DAC | B(FOWNER)),
	E("utimes", LC_UTIMES, 0, -1, 1, 0, DAC | B(FOWNER)),
	E("futimesat", LC_UTIMES, 1, 0, 2, 0, DAC | B(FOWNER)),
	E("utimensat", LC_UTIMES, 1, 0, 2, 0, DAC | B(FOWNER)),
	E("setxattr", LC_XATTR, 0, -1, 1, 0, DAC | B(FOWNER) | B(SYS_ADMIN) | B(SETFCAP)),
	E("lsetxattr", LC_XATTR, 0, -1, 1, LC_NOFOLLOW,
	  DAC | B(FOWNER) | B(SYS_ADMIN) | B(SETFCAP)),
	E("fsetxattr", LC_XATTR, 0, -1, 1, LC_FD, DAC | B(FOWNER) | B(SYS_ADMIN) | B(SETFCAP)),
	E("removexattr", LC_XATTR, 0, -1, 1, 0, DAC | B(FOWNER) | B(SYS_ADMIN) | B(SETFCAP)),
	E("lremovexattr", LC_XATTR, 0, -1, 1, LC_NOFOLLOW,
	  DAC | B(FOWNER) | B(SYS_ADMIN) | B(SETFCAP)),
	E("fremovexattr", LC_XATTR, 0, -1, 1, LC_FD, DAC | B(FOWNER) | B(SYS_ADMIN) | B(SETFCAP)),
	E("kill", LC_KILL, -1, -1, 0, 0, B(KILL)),
	E("tkill", LC_KILL, -1, -1, 0, 0, B(KILL)),
	E("bind", LC_BIND, -1, -1, 1, 0, B(NET_BIND_SERVICE)),
	E("setrlimit", LC_RLIMIT, -1, -1, 1, 0, B(SYS_RESOURCE)),
	E("prlimit64", LC_RLIMIT, -1, -1, 2, 0, B(SYS_RESOURCE)),
	E("mlock", LC_MLOCK, -1, -1, 1, 0, B(IPC_LOCK)),
	E("mlock2", LC_MLOCK, -1, -1, 1, 0, B(IPC_LOCK)),
	E("mlockall", LC_MLOCK, -1, -1, 0, 0, B(IPC_LOCK)),
	E("nice", LC_NICE, -1, -1, 0, 0, B(SYS_NICE)),
	E("setpriority", LC_NICE, -1, -1, 2, 0, B(SYS_NICE)),
};

static const char *const _setid[] = {
	"setuid",    "setuid32",    "setreuid", "setreuid32", "setresuid", "setresuid32",
	"setfsuid",  "setfsuid32",  "setgid",	"setgid32",   "setregid",  "setregid32",
	"setresgid", "setresgid32", "setfsgid", "setfsgid32", "setgroups", "setgroups32",
};
#define SETID_BASE ARRAY_SIZE(_entries)

int learn_caps_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(_entries); i++)
		if (strcmp(_entries[i].name, name) == 0)
			return (int)i;
	for (size_t i = 0; i < ARRAY_SIZE(_setid); i++)
		if (strcmp(_setid[i], name) == 0)
			return (int)(SETID_BASE + i);
	return -1;
}

int learn_caps_count(void)
{
	return (int)(SETID_BASE + ARRAY_SIZE(_setid));
}

const char *learn_caps_name(int idx)
{
	if (idx < 0 || idx >= learn_caps_count())
		return NULL;
	return (size_t)idx < SETID_BASE ? _entries[idx].name : _setid[idx - SETID_BASE];
}

uint64_t learn_caps_possible(int idx)
{
	if (idx < 0)
		return 0;
	if ((size_t)idx < SETID_BASE)
		return _entries[idx].caps;
	if ((size_t)idx - SETID_BASE < ARRAY_SIZE(_setid))
		return strchr(_setid[idx - SETID_BASE] + 3, 'g') ? B(SETGID) : B(SETUID);
	return 0;
}

/* ---------- reads ---------- */

static uint64_t _hex(const char *s)
{
	return strtoull(s, NULL, 16);
}

/* Credentials and memory counters from /proc/<pid>/status (or any status file). */
static int _status(const char *file, struct capneed_creds *cr, uint64_t *vm_lck, uint64_t *vm_size)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	char line[1024];
	unsigned got = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kb;
		if (sscanf(line, "Uid: %u %u %u %u", &cr->ruid, &cr->euid, &cr->suid, &cr->fsuid) ==
		    4)
			got |= 1;
		else if (sscanf(line, "Gid: %u %u %u %u", &cr->rgid, &cr->egid, &cr->sgid,
				&cr->fsgid) == 4)
			got |= 2;
		else if (strncmp(line, "CapEff:", 7) == 0 && (got |= 4))
			cr->cap_eff = _hex(line + 7);
		else if (vm_lck && sscanf(line, "VmLck: %llu", &kb) == 1)
			*vm_lck = kb * 1024;
		else if (vm_size && sscanf(line, "VmSize: %llu", &kb) == 1)
			*vm_size = kb * 1024;
		else if (strncmp(line, "Groups:", 7) == 0) {
			char *p = line + 7, *end;
			cr->ngroups = 0;
			for (unsigned long g; cr->ngroups < CAPNEED_MAX_GROUPS; p = end) {
				g = strtoul(p, &end, 10);
				if (end == p)
					break;
				cr->groups[cr->ngroups++] = (gid_t)g;
			}
		}
	}
	return got == 7 ? 0 : -EINVAL;
}

/* Row `res` of a /proc/<pid>/limits file (rows in resource order): soft and hard. */
static int _limit(const char *file, int res, uint64_t *soft, uint64_t *hard)
{
	char line[256], s[32], h[32];

	_cleanup_fclose_ FILE *f = fopen(file, "re");
	if (!f)
		return -errno;
	for (int row = -1; fgets(line, sizeof(line), f); row++) {
		if (row != res)
			continue;
		if (strlen(line) < 27 || sscanf(line + 26, "%31s %31s", s, h) != 2)
			return -EINVAL;
		*soft = strcmp(s, "unlimited") == 0 ? UINT64_MAX : strtoull(s, NULL, 10);
		*hard = strcmp(h, "unlimited") == 0 ? UINT64_MAX : strtoull(h, NULL, 10);
		return 0;
	}
	return -ENOENT;
}

static int _undecided(struct learn_caps_call *x, const char *what)
{
	snprintf(x->why, x->size, "%s: %s", x->name, what);
	return -EOPNOTSUPP;
}

static int _kill_need(struct learn_caps_call *x, uint64_t *need)
{
	char file[96];
	struct capneed_creds target = { 0 };
	int pid = (int)x->c->args[0];

	if (pid <= 0)
		return _undecided(x, "a process group or every process");
	/* the target's pid is the container's: its /proc */
	snprintf(file, sizeof(file), "/proc/%d/root/proc/%d/status", (int)x->c->pid, pid);
	if (_status(file, &target, NULL, NULL) < 0)
		return _undecided(x, "the target's credentials are unreadable (no /proc inside?)");
	*need = capneed_kill(&target, &x->cr);
	snprintf(x->why, x->size, "%s %d: its uid %u, caller %u", x->name, pid,
		 (unsigned)target.ruid, (unsigned)x->cr.euid);
	return 0;
}

static int _bind_need(struct learn_caps_call *x, uint64_t *need)
{
	struct sockaddr_storage ss = { 0 };
	uint64_t len = x->c->args[2] < sizeof(ss) ? x->c->args[2] : sizeof(ss);
	int port = 0;

	if (len < sizeof(struct sockaddr_in) ||
	    mon_read_mem(x->c, x->c->args[1], &ss, len) < (ssize_t)len)
		return 0;
	if (ss.ss_family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	*need = capneed_bind(port, UNPRIV_PORT, &x->cr);
	snprintf(x->why, x->size, "bind to port %d (below %d)", port, UNPRIV_PORT);
	return 0;
}

/* The limits file of the call's target: pid 0 = the caller, else the container's /proc. */
static void _limits_file(const struct learn_caps_call *x, int pid, char *file, size_t size)
{
	if (pid == 0)
		snprintf(file, size, "/proc/%d/limits", (int)x->c->pid);
	else
		snprintf(file, size, "/proc/%d/root/proc/%d/limits", (int)x->c->pid, pid);
}

static int _rlimit_need(struct learn_caps_call *x, uint64_t *need)
{
	bool pr = strcmp(x->name, "prlimit64") == 0;
	int res = (int)x->c->args[pr ? 1 : 0];
	uint64_t ptr = x->c->args[pr ? 2 : 1], soft, hard, v[2];
	char file[96];

	if (!ptr)
		return 0;
	if (!pr && x->c->arch == AUDIT_ARCH_I386) {
		uint32_t v32[2];
		if (mon_read_mem(x->c, ptr, v32, sizeof(v32)) != sizeof(v32))
			return 0;
		v[1] = v32[1] == UINT32_MAX ? UINT64_MAX : v32[1];
	} else if (mon_read_mem(x->c, ptr, v, sizeof(v)) != sizeof(v)) {
		return 0;
	}
	_limits_file(x, pr ? (int)x->c->args[0] : 0, file, sizeof(file));
	if (_limit(file, res, &soft, &hard) < 0)
		return _undecided(x, "the current limits are unreadable");
	*need = capneed_rlimit(v[1], hard, &x->cr);
	snprintf(x->why, x->size, "%s resource %d: hard limit %" PRIu64 " above %" PRIu64, x->name,
		 res, v[1], hard);
	return 0;
}

static int _mlock_need(struct learn_caps_call *x, uint64_t *need)
{
	uint64_t soft, hard, bytes = x->c->args[1];
	char file[96];

	if (strcmp(x->name, "mlockall") == 0)
		bytes = (x->c->args[0] & MCL_CURRENT) ? x->vm_size : 0;
	_limits_file(x, 0, file, sizeof(file));
	if (_limit(file, RLIMIT_MEMLOCK, &soft, &hard) < 0)
		return _undecided(x, "the current limits are unreadable");
	*need = capneed_mlock(bytes, x->vm_lck, soft, &x->cr);
	snprintf(x->why, x->size, "%s of %" PRIu64 " bytes (%" PRIu64 " locked, limit %" PRIu64 ")",
		 x->name, bytes, x->vm_lck, soft);
	return 0;
}

static int _nice_of(pid_t pid, int *ret)
{
	char file[64], buf[1024];
	snprintf(file, sizeof(file), "/proc/%d/stat", (int)pid);
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	/* after ")": state is field 3, nice field 19 */
	for (int field = 2; p && field < 19; field++)
		p = strchr(p + 1, ' ');
	return p && sscanf(p, " %d", ret) == 1 ? 0 : -EIO;
}

static int _nice_need(struct learn_caps_call *x, uint64_t *need)
{
	uint64_t soft, hard;
	int cur, new_nice = (int)x->c->args[x->en->arg];
	char file[96];

	if (strcmp(x->name, "setpriority") == 0 && (x->c->args[0] != PRIO_PROCESS || x->c->args[1]))
		return _undecided(x, "another process, group or user");
	_limits_file(x, 0, file, sizeof(file));
	if (_nice_of(x->c->pid, &cur) < 0 || _limit(file, RLIMIT_NICE, &soft, &hard) < 0)
		return _undecided(x, "the current nice value or limit is unreadable");
	if (strcmp(x->name, "nice") == 0)
		new_nice += cur;
	*need = capneed_nice(new_nice, cur, soft, &x->cr);
	snprintf(x->why, x->size, "%s to %d from %d (RLIMIT_NICE %" PRIu64 ")", x->name, new_nice,
		 cur, soft);
	return 0;
}

static int _decide(struct learn_caps_call *x, uint64_t *need)
{
	if (!x->en) {
		/* setXid(a), setreXid(a, b), setresXid(a, b, c), setgroups(n, list) */
		int n = strstr(x->name, "res") ? 3 : strstr(x->name, "re") ? 2 : 1;
		char args[64];
		if (n == 1)
			snprintf(args, sizeof(args), "%d", (int)x->c->args[0]);
		else if (n == 2)
			snprintf(args, sizeof(args), "%d, %d", (int)x->c->args[0],
				 (int)x->c->args[1]);
		else
			snprintf(args, sizeof(args), "%d, %d, %d", (int)x->c->args[0],
				 (int)x->c->args[1], (int)x->c->args[2]);
		*need = capneed_setid(x->name, x->c->args, &x->cr);
		snprintf(x->why, x->size, "%s(%s), caller uid %u gid %u", x->name, args,
			 (unsigned)x->cr.ruid, (unsigned)x->cr.rgid);
		return 0;
	}
	switch (x->en->kind) {
	case LC_SETID:
		return 0;
	case LC_KILL:
		return _kill_need(x, need);
	case LC_BIND:
		return _bind_need(x, need);
	case LC_RLIMIT:
		return _rlimit_need(x, need);
	case LC_MLOCK:
		return _mlock_need(x, need);
	case LC_NICE:
		return _nice_need(x, need);
	default:
		break;
	}
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)x->c->pid);
	x->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (x->rootfd < 0)
		return _undecided(x, "the container's root is unreadable");
	int r = learn_caps_file_need(x, need);
	if (r < 0 && !x->why[0])
		snprintf(x->why, x->size, "%s %s: %s", x->name, x->path, strerror(-r));
	return r;
}

int learn_caps_decide(int idx, const struct mon_call *c, uint64_t *ret_caps, char *why, size_t size)
{
	struct learn_caps_call x = { .c = c, .rootfd = -1, .why = why, .size = size };
	uint64_t possible = learn_caps_possible(idx), need = 0;
	char file[64];

	why[0] = '\0';
	*ret_caps = 0;
	if (!possible)
		return 0;
	x.en = (size_t)idx < SETID_BASE ? &_entries[idx] : NULL;
	x.name = x.en ? x.en->name : _setid[idx - SETID_BASE];
	snprintf(file, sizeof(file), "/proc/%d/status", (int)c->pid);
	if (_status(file, &x.cr, &x.vm_lck, &x.vm_size) < 0)
		return 0; /* the caller is gone: the call will not run */
	if (!(x.cr.cap_eff & possible))
		return 0; /* nothing it could use */
	int r = _decide(&x, &need);
	if (x.rootfd >= 0)
		close(x.rootfd);
	if (r < 0) {
		*ret_caps = possible & x.cr.cap_eff;
		return r;
	}
	*ret_caps = (need & CAPNEED_FAILS) ? 0 : need & x.cr.cap_eff;
	return 0;
}

void learn_caps_record(int idx, struct rec_section *sec, const struct mon_call *c, bool *ret_new)
{
	char why[LEARN_CAPS_WHY_MAX], reason[LEARN_CAPS_WHY_MAX + 16];
	uint64_t caps;
	int r = learn_caps_decide(idx, c, &caps, why, sizeof(why));

	snprintf(reason, sizeof(reason), "%s%s", r < 0 ? UNDECIDED_PREFIX : "", why);
	for (unsigned b = 0; b < 63; b++) {
		const char *name = capneed_name(b);
		bool is_new = false;
		if (!(caps & CAPNEED_BIT(b)) || !name)
			continue;
		struct strmap_item *it = strmap_add(&sec->caps, name, &is_new);
		if (!it)
			return;
		it->count++;
		*ret_new |= is_new;
		if (!it->info ||
		    (r == 0 && strncmp(it->info, UNDECIDED_PREFIX, strlen(UNDECIDED_PREFIX)) == 0))
			(void)strmap_item_set_info(it, reason);
	}
}
