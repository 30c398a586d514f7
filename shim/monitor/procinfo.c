// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the monitor reads about a notified call: pointer arguments through
 * process_vm_readv (or /proc/<pid>/mem when the caller holds it open), each
 * followed by SECCOMP_IOCTL_NOTIF_ID_VALID so that a recycled pid is never
 * believed; the process context and fd targets.
 * Evidence only: the task may change its memory after we looked.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

#define AT_FDCWD_32 0xffffff9cu /* AT_FDCWD as the 32-bit int the kernel looks at */
#define ARGV_MAX    32

static bool _id_valid(const struct mon_call *c)
{
	uint64_t id = c->id;
	if (c->notify_fd < 0) /* ptrace: the tracee is stopped, its pid cannot be reused */
		return true;
	return ioctl(c->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

ssize_t mon_read_mem(const struct mon_call *c, uint64_t addr, void *buf, size_t len)
{
	ssize_t n;

	if (c->mem_fd >= 0) {
		n = pread(c->mem_fd, buf, len, (off_t)addr);
	} else {
		/* no /proc lookup (costly for a task that has just forked) */
		struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
		n = process_vm_readv(c->pid, &local, 1, &remote, 1, 0);
	}
	if (n < 0)
		return -errno;
	if (!c->checked_later && !_id_valid(c))
		return -ESRCH;
	return n;
}

ssize_t mon_read_string(const struct mon_call *c, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;

	if (size == 0)
		return -EINVAL;
	while (got < size - 1) {
		/* Stay inside the page: the next one may be unmapped. */
		size_t chunk = 4096 - ((addr + got) & 4095);
		if (chunk > size - 1 - got)
			chunk = size - 1 - got;
		ssize_t n = mon_read_mem(c, addr + got, buf + got, chunk);
		if (n <= 0)
			return n < 0 ? n : -EFAULT;
		char *nul = memchr(buf + got, '\0', (size_t)n);
		if (nul)
			return nul - buf;
		got += (size_t)n;
	}
	buf[size - 1] = '\0';
	return -ENAMETOOLONG;
}

static void _read_small(const char *path, char *buf, size_t size, bool nul_to_space)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		buf[--n] = '\0';
	for (ssize_t i = 0; nul_to_space && i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
}

static void _link(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[96];
	(void)snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	ssize_t n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

static void _read_status(pid_t pid, struct mon_proc *ret)
{
	char path[64], status[4096];
	(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	_read_small(path, status, sizeof(status), false);
	const char *s = strstr(status, "\nPPid:");
	if (s)
		ret->ppid = (pid_t)strtol(s + 6, NULL, 10);
	s = strstr(status, "\nUid:");
	if (s)
		ret->uid = (uid_t)strtoul(s + 5, NULL, 10);
}

static void _read_text(pid_t pid, const char *what, char *buf, size_t size, bool nul_to_space)
{
	char path[64];
	(void)snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	_read_small(path, buf, size, nul_to_space);
}

void procinfo_read_parts(pid_t pid, unsigned parts, struct mon_proc *ret)
{
	ret->pid = pid;
	if (parts & PI_COMM)
		_read_text(pid, "comm", ret->comm, sizeof(ret->comm), false);
	if (parts & PI_CMDLINE)
		_read_text(pid, "cmdline", ret->cmdline, sizeof(ret->cmdline), true);
	if (parts & PI_CONTEXT) {
		_read_status(pid, ret);
		_link(pid, "cwd", ret->cwd, sizeof(ret->cwd));
	}
	if (parts & PI_EXE)
		_link(pid, "exe", ret->exe, sizeof(ret->exe));
	if ((parts & PI_PARENT) && ret->ppid > 0) {
		_read_text(ret->ppid, "comm", ret->pcomm, sizeof(ret->pcomm), false);
		_read_text(ret->ppid, "cmdline", ret->pcmdline, sizeof(ret->pcmdline), true);
	}
}

int procinfo_read(pid_t pid, struct mon_proc *ret)
{
	memset(ret, 0, sizeof(*ret));
	procinfo_read_parts(pid, PI_ALL, ret);
	return ret->comm[0] || ret->ppid ? 0 : -ESRCH;
}

static void _fd_link(pid_t pid, uint64_t fd, char *buf, size_t size)
{
	char what[40];
	(void)snprintf(what, sizeof(what), "fd/%d", (int)fd);
	_link(pid, what, buf, size);
}

/* Make path absolute in the container: relative to dirfd or the cwd. */
static void _absolute(const struct mon_call *c, const struct mon_proc *p, uint64_t dirfd,
		      const char *rel, char *out, size_t size)
{
	char base[PATH_MAX];
	if (rel[0] == '/' || rel[0] == '\0') {
		(void)snprintf(out, size, "%s", rel);
		return;
	}
	if ((uint32_t)dirfd == AT_FDCWD_32 && p->cwd[0])
		(void)snprintf(base, sizeof(base), "%s", p->cwd);
	else if ((uint32_t)dirfd == AT_FDCWD_32) /* context not read (hot path) */
		_link(c->pid, "cwd", base, sizeof(base));
	else
		_fd_link(c->pid, dirfd, base, sizeof(base));
	size_t bl = strcmp(base, "/") == 0 ? 0 : strlen(base), rl = strlen(rel);
	if (bl + 1 + rl >= size) {
		out[0] = '\0';
		return;
	}
	memcpy(out, base, bl);
	out[bl] = '/';
	memcpy(out + bl + 1, rel, rl + 1);
}

static void _read_path(const struct mon_call *c, const struct mon_proc *p, int dirfd_arg,
		       int path_arg, struct mon_evidence *ev)
{
	char rel[PATH_MAX];
	if (mon_read_string(c, c->args[path_arg], rel, sizeof(rel)) < 0)
		return;
	_absolute(c, p, dirfd_arg < 0 ? AT_FDCWD_32 : c->args[dirfd_arg], rel, ev->path,
		  sizeof(ev->path));
}

static void _read_argv(const struct mon_call *c, uint64_t argv, struct mon_evidence *ev)
{
	uint64_t ptrs[ARGV_MAX];
	ssize_t n = argv ? mon_read_mem(c, argv, ptrs, sizeof(ptrs)) : -1;
	size_t o = 0;
	for (ssize_t i = 0; n > 0 && i < n / 8 && ptrs[i]; i++) {
		char a[256];
		if (mon_read_string(c, ptrs[i], a, sizeof(a)) < 0 && a[0] == '\0')
			break;
		if (i == 0)
			(void)snprintf(ev->argv0, sizeof(ev->argv0), "%s", a);
		if (i == 1)
			(void)snprintf(ev->argv1, sizeof(ev->argv1), "%s", a);
		int k = snprintf(ev->argv + o, sizeof(ev->argv) - o, "%s%s", i ? " " : "", a);
		if (k < 0 || (size_t)k >= sizeof(ev->argv) - o)
			break;
		o += (size_t)k;
	}
}

/* Is "socket:[ino]" an inet socket of pid's network namespace? */
static bool _inet_socket(pid_t pid, const char *link)
{
	unsigned long ino;
	if (sscanf(link, "socket:[%lu]", &ino) != 1)
		return false;
	static const char *const tables[] = { "tcp", "tcp6", "udp", "udp6" };
	for (size_t t = 0; t < 4; t++) {
		char path[64], line[512];
		(void)snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, tables[t]);
		_cleanup_fclose_ FILE *f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f)) {
			unsigned long i;
			if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %lu", &i) == 1 &&
			    i == ino)
				return true;
		}
	}
	return false;
}

static void _read_sockaddr(const struct mon_call *c, struct mon_evidence *ev)
{
	union {
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} sa;
	size_t len = c->args[2] < sizeof(sa) ? (size_t)c->args[2] : sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	if (mon_read_mem(c, c->args[1], &sa, len) < (ssize_t)sizeof(sa.in))
		return;
	ev->family = sa.in.sin_family;
	if (ev->family == AF_INET) {
		memcpy(ev->addr, &sa.in.sin_addr, 4);
		ev->port = ntohs(sa.in.sin_port);
	} else if (ev->family == AF_INET6 && len >= sizeof(sa.in6)) {
		memcpy(ev->addr, &sa.in6.sin6_addr, 16);
		ev->port = ntohs(sa.in6.sin6_port);
	} else {
		ev->family = 0;
	}
}

void procinfo_exec_view(const struct mon_proc *caller, const struct mon_evidence *ev,
			struct mon_proc *ret)
{
	const char *name = ev->argv0[0] ? ev->argv0 : ev->path;
	const char *slash = strrchr(name, '/');
	*ret = *caller;
	const char *base = slash ? slash + 1 : name;
	size_t n = strnlen(base, sizeof(ret->comm) - 1);
	memcpy(ret->comm, base, n);
	ret->comm[n] = '\0';
	(void)snprintf(ret->exe, sizeof(ret->exe), "%s", ev->path[0] ? ev->path : ev->fd_link);
	(void)snprintf(ret->cmdline, sizeof(ret->cmdline), "%s", ev->argv);
}

int procinfo_stat_in_root(int rootfd, const char *path, struct stat *st)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fstat(fd, st) < 0 ? -errno : 0;
}

static bool _known_binary(pid_t pid, const char *path, char *const *known)
{
	char root[64];
	struct stat target, k;
	/* by name first: a PATH search (execvp) tries paths that do not exist, and
	 * learning recorded those names too */
	for (char *const *n = known; n && *n; n++)
		if (strcmp(*n, path) == 0)
			return true;
	(void)snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return false;
	if (strncmp(path, "/proc/self/", 11) == 0) {
		/* the container's /proc/self is the caller: look at it from here */
		char host[PATH_MAX];
		(void)snprintf(host, sizeof(host), "/proc/%d/%s", (int)pid, path + 11);
		if (stat(host, &target) < 0)
			return false;
	} else if (procinfo_stat_in_root(rootfd, path, &target) < 0) {
		return false;
	}
	for (; known && *known; known++)
		if (procinfo_stat_in_root(rootfd, *known, &k) == 0 && k.st_dev == target.st_dev &&
		    k.st_ino == target.st_ino)
			return true;
	return false;
}

/* fd of pid survives an exec (no FD_CLOEXEC, from fdinfo's octal flags). */
static bool _kept_on_exec(pid_t pid, int fd)
{
	char path[64], info[512];
	(void)snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	_read_small(path, info, sizeof(info), false);
	const char *f = strstr(info, "flags:");
	return f && !(strtoul(f + 6, NULL, 8) & O_CLOEXEC);
}

/* reverse_shell's evidence: an inet socket on fds 0-2 of the new image.
 * Three readlinks per exec; the socket tables only when one is a socket. */
static void _evidence_stdio(pid_t pid, struct mon_evidence *ev)
{
	for (int fd = 0; fd <= 2 && !ev->stdio_inet; fd++) {
		char link[64];
		_fd_link(pid, (uint64_t)fd, link, sizeof(link));
		if (strncmp(link, "socket:[", 8) != 0 || !_kept_on_exec(pid, fd) ||
		    !_inet_socket(pid, link))
			continue;
		ev->stdio_inet = true;
		(void)snprintf(ev->stdio_link, sizeof(ev->stdio_link), "%d:%s", fd, link);
	}
}

static void _evidence_exec(const struct mon_call *c, const struct mon_proc *p, char *const *known,
			   struct mon_evidence *ev)
{
	_evidence_stdio(c->pid, ev);
	bool at = strcmp(c->name, "execveat") == 0;
	if (at)
		_fd_link(c->pid, c->args[0], ev->fd_link, sizeof(ev->fd_link));
	_read_path(c, p, at ? 0 : -1, at ? 1 : 0, ev);
	_read_argv(c, c->args[at ? 2 : 1], ev);
	const char *target = ev->path[0] ? ev->path : ev->fd_link;
	if (known && *known && target[0] == '/')
		ev->known_binary = _known_binary(c->pid, target, known);
}

void procinfo_evidence(const struct mon_call *c, const struct mon_proc *p, char *const *known,
		       struct mon_evidence *ev)
{
	const char *n = c->name;
	memset(ev, 0, sizeof(*ev));
	if (strcmp(n, "execve") == 0 || strcmp(n, "execveat") == 0) {
		_evidence_exec(c, p, known, ev);
	} else if (strcmp(n, "open") == 0 || strcmp(n, "creat") == 0 || strcmp(n, "chmod") == 0) {
		_read_path(c, p, -1, 0, ev);
	} else if (strcmp(n, "openat") == 0 || strcmp(n, "fchmodat") == 0) {
		_read_path(c, p, 0, 1, ev);
	} else if (strcmp(n, "openat2") == 0) {
		_read_path(c, p, 0, 1, ev);
		(void)mon_read_mem(c, c->args[2], &ev->open_flags, sizeof(ev->open_flags));
	} else if (strcmp(n, "fchmod") == 0) {
		_fd_link(c->pid, c->args[0], ev->fd_link, sizeof(ev->fd_link));
	} else if (strcmp(n, "connect") == 0) {
		_read_sockaddr(c, ev);
	}
}
