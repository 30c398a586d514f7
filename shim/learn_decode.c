// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Learn mode argument decoders (include/hardrun/learn_decode.h).
 *
 * Capabilities inferred from calls (also in the hardrun-profile(5) text):
 *
 *   call                                      condition                     capability
 *   socket                                    SOCK_RAW on inet/inet6,
 *                                             or AF_PACKET                  CAP_NET_RAW
 *   mknod mknodat                             S_IFCHR or S_IFBLK            CAP_MKNOD
 *   chroot                                    always                        CAP_SYS_CHROOT
 *   clone unshare                             a CLONE_NEW* flag but NEWUSER CAP_SYS_ADMIN
 *   setns mount umount2 pivot_root
 *     sethostname setdomainname swapon swapoff always                       CAP_SYS_ADMIN
 *   ptrace process_vm_readv process_vm_writev always                        CAP_SYS_PTRACE
 *   settimeofday clock_settime clock_adjtime
 *     stime                                   always                        CAP_SYS_TIME
 *   sched_setscheduler                        SCHED_FIFO or SCHED_RR        CAP_SYS_NICE
 *   init_module finit_module delete_module    always                        CAP_SYS_MODULE
 *   reboot                                    always                        CAP_SYS_BOOT
 *   acct                                      always                        CAP_SYS_PACCT
 *   iopl ioperm                               always                        CAP_SYS_RAWIO
 *   syslog                                    always                        CAP_SYSLOG
 *   bpf                                       always                        CAP_BPF
 *   perf_event_open                           always                        CAP_PERFMON
 *
 * Capabilities a call uses implicitly (DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER,
 * FSETID, CHOWN, SETUID, SETGID, KILL, NET_BIND_SERVICE, SYS_RESOURCE,
 * IPC_LOCK, SYS_NICE) are decided per call from the target's owner, mode and
 * ACL and the caller's credentials: learn_caps.c.  Never generated:
 * CAP_SETPCAP, CAP_NET_ADMIN, CAP_AUDIT_WRITE.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/learn_decode.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
/* every CLONE_NEW* flag but CLONE_NEWUSER */
#define LEARN_NS_FLAGS                                                                             \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |              \
	 CLONE_NEWNET | CLONE_NEWTIME)

struct _dctx;
struct _decoder {
	const char *name;
	void (*fn)(const struct _dctx *d);
	int path;	 /* path argument, -1 none */
	int dirfd;	 /* its dirfd argument, -1 = relative to cwd */
	unsigned access; /* REC_ACCESS_* for path decoders */
	const char *cap; /* capability the call implies (or its condition does) */
};

struct _dctx {
	struct rec_section *sec;
	const struct mon_call *c;
	const struct _decoder *dec;
	bool *new_item;
};

/* ---------- counting ---------- */

static struct strmap_item *_note(const struct _dctx *d, struct strmap *m, const char *key)
{
	bool is_new = false;
	struct strmap_item *it = strmap_add(m, key, &is_new);

	if (!it)
		return NULL;
	it->count++;
	if (is_new)
		*d->new_item = true;
	return it;
}

/* "what=0x1f" (hex) or "what=31" */
static void _note_arg(const struct _dctx *d, const char *what, bool hex, uint64_t v)
{
	char key[96];

	if (hex)
		snprintf(key, sizeof(key), "%s=0x%" PRIx64, what, v);
	else
		snprintf(key, sizeof(key), "%s=%" PRIu64, what, v);
	_note(d, &d->sec->args, key);
}

static void _note_cap(const struct _dctx *d, const char *cap, const char *reason)
{
	struct strmap_item *it = _note(d, &d->sec->caps, cap);

	if (it && !it->info)
		(void)strmap_item_set_info(it, reason);
}

static void _note_file(const struct _dctx *d, const char *path, unsigned access)
{
	struct strmap_item *it = _note(d, &d->sec->files, path);

	if (it && (it->flags | access) != it->flags) {
		it->flags |= access;
		*d->new_item = true;
	}
}

/* ---------- paths ---------- */

void learn_path_normalize(char *path)
{
	char *out = path, *p = path;

	while (*p) {
		while (*p == '/')
			p++;
		char *end = strchrnul(p, '/');
		size_t len = end - p;
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* skip */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (out > path && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, p, len);
			out += len;
		}
		p = end;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

static int _proc_link(pid_t pid, const char *what, char *buf, size_t size)
{
	char link[64];

	snprintf(link, sizeof(link), "/proc/%d/%s", (int)pid, what);
	ssize_t n = readlink(link, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Turn a host path of pid's mount namespace into the path inside its root. */
static void _strip_root(pid_t pid, char *path)
{
	char root[PATH_MAX];

	if (_proc_link(pid, "root", root, sizeof(root)) < 0 || strcmp(root, "/") == 0)
		return;
	size_t n = strlen(root);
	if (strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0'))
		memmove(path, path[n] ? path + n : "/", strlen(path + n) + 2);
}

int learn_proc_binary(pid_t pid, char *buf, size_t size)
{
	int r = _proc_link(pid, "exe", buf, size);

	if (r < 0)
		return r;
	_strip_root(pid, buf);
	return 0;
}

int learn_read_path(const struct mon_call *c, int arg, int dirfd, char *out, size_t size)
{
	char rel[PATH_MAX], base[PATH_MAX];
	ssize_t n = mon_read_string(c, c->args[arg], rel, sizeof(rel));

	if (n < 0)
		return (int)n;
	if (rel[0] == '/') {
		snprintf(out, size, "%s", rel);
	} else {
		int fd = dirfd >= 0 ? (int)(uint32_t)c->args[dirfd] : AT_FDCWD;
		char what[32];
		if (fd == AT_FDCWD)
			snprintf(what, sizeof(what), "cwd");
		else
			snprintf(what, sizeof(what), "fd/%d", fd);
		if (_proc_link(c->pid, what, base, sizeof(base)) < 0)
			return -ENOENT;
		_strip_root(c->pid, base);
		if (snprintf(out, size, "%s/%s", base, rel) >= (int)size)
			return -ENAMETOOLONG;
	}
	learn_path_normalize(out);
	return 0;
}

/* ---------- decoders ---------- */

static void _d_cap(const struct _dctx *d)
{
	_note_cap(d, d->dec->cap, d->dec->name);
}

static void _d_path(const struct _dctx *d)
{
	char path[PATH_MAX];

	if (learn_read_path(d->c, d->dec->path, d->dec->dirfd, path, sizeof(path)) == 0)
		_note_file(d, path, d->dec->access);
	if (d->dec->cap)
		_note_cap(d, d->dec->cap, d->dec->name);
}

static unsigned _open_access(uint64_t flags)
{
	unsigned a = 0;

	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		a = REC_ACCESS_READ;
		break;
	case O_WRONLY:
		a = REC_ACCESS_WRITE;
		break;
	default:
		a = REC_ACCESS_READ | REC_ACCESS_WRITE;
	}
	if (flags & O_CREAT)
		a |= REC_ACCESS_CREATE | REC_ACCESS_WRITE;
	if (flags & O_TRUNC)
		a |= REC_ACCESS_WRITE;
	return a;
}

/* open(path, flags), openat(dirfd, path, flags), openat2(dirfd, path, how) */
static void _d_open(const struct _dctx *d)
{
	char path[PATH_MAX];
	uint64_t flags = d->c->args[d->dec->path + 1];

	if (strcmp(d->dec->name, "openat2") == 0 &&
	    mon_read_mem(d->c, d->c->args[2], &flags, sizeof(flags)) != sizeof(flags))
		return;
	if (learn_read_path(d->c, d->dec->path, d->dec->dirfd, path, sizeof(path)) < 0)
		return;
	/* a directory opened for listing: AppArmor names directories with a trailing '/' */
	size_t len = strlen(path);
	if ((flags & O_DIRECTORY) && len > 0 && path[len - 1] != '/' && len + 1 < sizeof(path))
		memcpy(path + len, "/", 2);
	_note_file(d, path, _open_access(flags));
}

/* rename(old, new), renameat(odfd, old, ndfd, new), renameat2(...) */
static void _d_rename(const struct _dctx *d)
{
	char path[PATH_MAX];
	bool at = d->dec->dirfd >= 0;

	if (learn_read_path(d->c, at ? 1 : 0, at ? 0 : -1, path, sizeof(path)) == 0)
		_note_file(d, path, REC_ACCESS_WRITE);
	if (learn_read_path(d->c, at ? 3 : 1, at ? 2 : -1, path, sizeof(path)) == 0)
		_note_file(d, path, REC_ACCESS_WRITE | REC_ACCESS_CREATE);
}

static void _d_mknod(const struct _dctx *d)
{
	mode_t mode = (mode_t)d->c->args[d->dec->path + 1];

	_d_path(d);
	if (S_ISCHR(mode) || S_ISBLK(mode))
		_note_cap(d, "CAP_MKNOD", "mknod of a device node");
}

/* The binary a path runs inside pid's root, symlinks resolved ("/bin/nc" -> "/bin/busybox"). */
static int _resolve_in_root(pid_t pid, const char *path, char *out, size_t size)
{
	char root[64];
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };

	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	_cleanup_close_ int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return -errno;
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, rfd, path, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, out, size - 1);
	if (n < 0)
		return -errno;
	out[n] = '\0';
	_strip_root(pid, out);
	return 0;
}

/* A shell started by a program that is no shell (tar -z runs `sh -c gzip`):
 * "shell.parent=tar", what the terminal_shell rule would report. */
static void _note_shell_parent(const struct _dctx *d, const char *path)
{
	char file[64], comm[32], key[64];

	if (!d->c->started || !eval_is_shell(path, NULL, NULL))
		return;
	snprintf(file, sizeof(file), "/proc/%d/comm", (int)d->c->pid);
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, comm, sizeof(comm) - 1);
	if (n <= 0)
		return;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	if (!comm[0] || strchr(comm, '/') || eval_is_shell(comm, NULL, NULL))
		return;
	snprintf(key, sizeof(key), "shell.parent=%s", comm);
	_note(d, &d->sec->args, key);
}

/* execve(path, ...), execveat(dirfd, path, ...) */
static void _d_exec(const struct _dctx *d)
{
	char path[PATH_MAX], target[PATH_MAX];

	if (learn_read_path(d->c, d->dec->path, d->dec->dirfd, path, sizeof(path)) < 0)
		return;
	struct strmap_item *it = _note(d, &d->sec->exec, path);
	/* busybox and others re-exec themselves through /proc/self/exe */
	bool self =
		strcmp(path, "/proc/self/exe") == 0 || strcmp(path, "/proc/thread-self/exe") == 0;
	if (it && !it->info &&
	    (self ? learn_proc_binary(d->c->pid, target, sizeof(target))
		  : _resolve_in_root(d->c->pid, path, target, sizeof(target))) == 0)
		(void)strmap_item_set_info(it, target);
	_note_file(d, path, REC_ACCESS_EXEC);
	if (it && it->info && strcmp(it->info, path) != 0)
		_note_file(d, it->info, REC_ACCESS_EXEC);
	_note_shell_parent(d, path);
}

static void _ns_caps(const struct _dctx *d, uint64_t flags)
{
	if (flags & LEARN_NS_FLAGS)
		_note_cap(d, "CAP_SYS_ADMIN", "new namespace");
}

/* clone(flags, ...): arg 0 on x86_64 and x86 alike; unshare(flags) */
static void _d_clone(const struct _dctx *d)
{
	char what[32];
	uint64_t flags = d->c->args[0];

	snprintf(what, sizeof(what), "%s.flags", d->dec->name);
	_note_arg(d, what, true, flags);
	_ns_caps(d, flags);
}

/* clone3(struct clone_args *, size): flags is the first u64 */
static void _d_clone3(const struct _dctx *d)
{
	uint64_t flags;

	if (mon_read_mem(d->c, d->c->args[0], &flags, sizeof(flags)) != sizeof(flags))
		return;
	_note_arg(d, "clone3.flags", true, flags);
	_ns_caps(d, flags);
}

static void _d_setns(const struct _dctx *d)
{
	_note_arg(d, "setns.nstype", true, d->c->args[1]);
	_note_cap(d, "CAP_SYS_ADMIN", "setns");
}

/* socket(domain, type, protocol), socketpair(...): "socket=2/1/0", type without flags */
static void _d_socket(const struct _dctx *d)
{
	char key[64];
	int domain = (int)d->c->args[0], type = (int)d->c->args[1] & 0xf;

	snprintf(key, sizeof(key), "socket=%d/%d/%d", domain, type, (int)d->c->args[2]);
	_note(d, &d->sec->args, key);
	if (((domain == AF_INET || domain == AF_INET6) && type == SOCK_RAW) || domain == AF_PACKET)
		_note_cap(d, "CAP_NET_RAW", domain == AF_PACKET ? "packet socket" : "raw socket");
}

static void _d_ioctl(const struct _dctx *d)
{
	_note_arg(d, "ioctl.request", true, d->c->args[1] & 0xffffffffu);
}

static void _d_prctl(const struct _dctx *d)
{
	_note_arg(d, "prctl.option", false, d->c->args[0] & 0xffffffffu);
}

static void _d_personality(const struct _dctx *d)
{
	_note_arg(d, "personality", true, d->c->args[0] & 0xffffffffu);
}

/* mmap/mmap2(addr, len, prot, flags, fd, off), mprotect/pkey_mprotect(addr, len, prot) */
static void _d_prot(const struct _dctx *d)
{
	char key[64], path[PATH_MAX], what[32];
	int fd = (int)(uint32_t)d->c->args[4];

	if (!(d->c->args[2] & PROT_EXEC))
		return;
	snprintf(key, sizeof(key), "prot.exec=%s", d->dec->name);
	_note(d, &d->sec->args, key);
	if (strncmp(d->dec->name, "mmap", 4) != 0 || fd < 0)
		return;
	snprintf(what, sizeof(what), "fd/%d", fd);
	if (_proc_link(d->c->pid, what, path, sizeof(path)) == 0 && path[0] == '/') {
		_strip_root(d->c->pid, path);
		_note_file(d, path, REC_ACCESS_MMAP);
	}
}

/* "inet:127.0.0.1:80", "inet6:[::1]:80", "unix:/run/x.sock", "unix:@abstract" */
static int _sockaddr_string(const struct mon_call *c, uint64_t addr, uint64_t len, char *out,
			    size_t size, int *ret_port)
{
	struct sockaddr_storage ss = { 0 };
	char ip[INET6_ADDRSTRLEN];

	if (len > sizeof(ss))
		len = sizeof(ss);
	if (!addr || len < sizeof(sa_family_t) || mon_read_mem(c, addr, &ss, len) < (ssize_t)len)
		return -EFAULT;
	*ret_port = -1;
	if (ss.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
		*ret_port = ntohs(in->sin_port);
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		snprintf(out, size, "inet:%s:%d", ip, *ret_port);
	} else if (ss.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
		*ret_port = ntohs(in6->sin6_port);
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		snprintf(out, size, "inet6:[%s]:%d", ip, *ret_port);
	} else if (ss.ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)&ss;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);
		if (n > 0 && un->sun_path[0] == '\0')
			snprintf(out, size, "unix:@%.*s", (int)(n - 1), un->sun_path + 1);
		else
			snprintf(out, size, "unix:%.*s", (int)strnlen(un->sun_path, n),
				 un->sun_path);
	} else {
		snprintf(out, size, "family%d", ss.ss_family);
	}
	return 0;
}

/* bind/connect(fd, addr, len); sendto(fd, buf, n, flags, addr, len) */
static void _d_addr(const struct _dctx *d)
{
	char addr[160], key[192];
	int port, a = d->dec->path; /* the sockaddr argument */
	bool bind = strcmp(d->dec->name, "bind") == 0;

	if (_sockaddr_string(d->c, d->c->args[a], d->c->args[a + 1], addr, sizeof(addr), &port) < 0)
		return;
	if (bind && strncmp(addr, "inet", 4) == 0) {
		/* the address bound matters less than the port listened on */
		snprintf(key, sizeof(key), "bind=%s:%d", addr[4] == '6' ? "inet6" : "inet", port);
	} else {
		snprintf(key, sizeof(key), "%s=%s", bind ? "bind" : "connect", addr);
	}
	_note(d, &d->sec->net, key);
}

static void _d_sched(const struct _dctx *d)
{
	int policy = (int)d->c->args[1] & ~SCHED_RESET_ON_FORK;

	if (policy == SCHED_FIFO || policy == SCHED_RR)
		_note_cap(d, "CAP_SYS_NICE", "real-time scheduling");
}

#define CAP(n, c)                                                                                  \
	{                                                                                          \
		n, _d_cap, -1, -1, 0, c                                                            \
	}
#define PATH(n, p, dfd, acc, c)                                                                    \
	{                                                                                          \
		n, _d_path, p, dfd, acc, c                                                         \
	}
#define W  REC_ACCESS_WRITE
#define WC (REC_ACCESS_WRITE | REC_ACCESS_CREATE)

static const struct _decoder _decoders[] = {
	{ "open", _d_open, 0, -1, 0, NULL },
	{ "openat", _d_open, 1, 0, 0, NULL },
	{ "openat2", _d_open, 1, 0, 0, NULL },
	PATH("creat", 0, -1, WC, NULL),
	PATH("mkdir", 0, -1, WC, NULL),
	PATH("mkdirat", 1, 0, WC, NULL),
	PATH("rmdir", 0, -1, W, NULL),
	PATH("unlink", 0, -1, W, NULL),
	PATH("unlinkat", 1, 0, W, NULL),
	PATH("truncate", 0, -1, W, NULL),
	PATH("truncate64", 0, -1, W, NULL),
	PATH("symlink", 1, -1, WC, NULL),
	PATH("symlinkat", 2, 1, WC, NULL),
	PATH("link", 1, -1, WC, NULL),
	PATH("linkat", 3, 2, WC, NULL),
	PATH("chroot", 0, -1, 0, "CAP_SYS_CHROOT"),
	{ "mknod", _d_mknod, 0, -1, WC, NULL },
	{ "mknodat", _d_mknod, 1, 0, WC, NULL },
	{ "rename", _d_rename, 0, -1, 0, NULL },
	{ "renameat", _d_rename, 1, 0, 0, NULL },
	{ "renameat2", _d_rename, 1, 0, 0, NULL },
	{ "execve", _d_exec, 0, -1, 0, NULL },
	{ "execveat", _d_exec, 1, 0, 0, NULL },
	{ "clone", _d_clone, -1, -1, 0, NULL },
	{ "unshare", _d_clone, -1, -1, 0, NULL },
	{ "clone3", _d_clone3, -1, -1, 0, NULL },
	{ "setns", _d_setns, -1, -1, 0, NULL },
	{ "socket", _d_socket, -1, -1, 0, NULL },
	{ "socketpair", _d_socket, -1, -1, 0, NULL },
	{ "ioctl", _d_ioctl, -1, -1, 0, NULL },
	{ "prctl", _d_prctl, -1, -1, 0, NULL },
	{ "personality", _d_personality, -1, -1, 0, NULL },
	{ "mmap", _d_prot, -1, -1, 0, NULL },
	{ "mmap2", _d_prot, -1, -1, 0, NULL },
	{ "mprotect", _d_prot, -1, -1, 0, NULL },
	{ "pkey_mprotect", _d_prot, -1, -1, 0, NULL },
	{ "bind", _d_addr, 1, -1, 0, NULL },
	{ "connect", _d_addr, 1, -1, 0, NULL },
	{ "sendto", _d_addr, 4, -1, 0, NULL },
	{ "sched_setscheduler", _d_sched, -1, -1, 0, NULL },
	CAP("mount", "CAP_SYS_ADMIN"),
	CAP("umount2", "CAP_SYS_ADMIN"),
	CAP("pivot_root", "CAP_SYS_ADMIN"),
	CAP("sethostname", "CAP_SYS_ADMIN"),
	CAP("setdomainname", "CAP_SYS_ADMIN"),
	CAP("swapon", "CAP_SYS_ADMIN"),
	CAP("swapoff", "CAP_SYS_ADMIN"),
	CAP("ptrace", "CAP_SYS_PTRACE"),
	CAP("process_vm_readv", "CAP_SYS_PTRACE"),
	CAP("process_vm_writev", "CAP_SYS_PTRACE"),
	CAP("settimeofday", "CAP_SYS_TIME"),
	CAP("clock_settime", "CAP_SYS_TIME"),
	CAP("clock_adjtime", "CAP_SYS_TIME"),
	CAP("stime", "CAP_SYS_TIME"),
	CAP("init_module", "CAP_SYS_MODULE"),
	CAP("finit_module", "CAP_SYS_MODULE"),
	CAP("delete_module", "CAP_SYS_MODULE"),
	CAP("reboot", "CAP_SYS_BOOT"),
	CAP("acct", "CAP_SYS_PACCT"),
	CAP("iopl", "CAP_SYS_RAWIO"),
	CAP("ioperm", "CAP_SYS_RAWIO"),
	CAP("syslog", "CAP_SYSLOG"),
	CAP("bpf", "CAP_BPF"),
	CAP("perf_event_open", "CAP_PERFMON"),
};

int learn_decoder_index(const char *name)
{
	for (size_t i = 0; i < sizeof(_decoders) / sizeof(_decoders[0]); i++)
		if (strcmp(_decoders[i].name, name) == 0)
			return (int)i;
	return -1;
}

void learn_decode(int idx, struct rec_section *sec, const struct mon_call *c, bool *ret_new)
{
	if (idx < 0 || (size_t)idx >= sizeof(_decoders) / sizeof(_decoders[0]))
		return;
	struct _dctx d = { .sec = sec, .c = c, .dec = &_decoders[idx], .new_item = ret_new };
	_decoders[idx].fn(&d);
}
