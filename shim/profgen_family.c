// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Syscall families (include/hardrun/profgen.h): calls that do one thing in
 * several ways, so that an ordinary variation of a workload (a newer libc, a
 * second program) picks another member.  When one member was learned, the
 * generated profile allows them all, unless `--exact`.  A member that a
 * monitor rule watches for every argument (mount, ptrace, openat2, ...) is
 * never added by a family.  The 32-bit names serve the x86 ABI.
 */
#include <errno.h>
#include <string.h>

#include "hardrun/learn_systab.h"
#include "hardrun/monitor.h"
#include "hardrun/profgen.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FAMILY_MAX    8

static const char *const _families[][FAMILY_MAX] = {
	{ "pipe", "pipe2" },
	{ "dup", "dup2", "dup3" },
	{ "stat", "lstat", "fstat", "newfstatat", "statx", "stat64", "lstat64", "fstat64" },
	{ "fstatat64", "newfstatat", "statx" },
	{ "statfs", "fstatfs", "statfs64", "fstatfs64" },
	{ "access", "faccessat", "faccessat2" },
	{ "open", "openat" },
	{ "readlink", "readlinkat" },
	{ "rename", "renameat", "renameat2" },
	{ "unlink", "unlinkat", "rmdir" },
	{ "mkdir", "mkdirat" },
	{ "symlink", "symlinkat" },
	{ "link", "linkat" },
	{ "chmod", "fchmod", "fchmodat" },
	{ "chown", "fchown", "lchown", "fchownat", "chown32", "fchown32", "lchown32" },
	{ "utime", "utimes", "utimensat", "futimesat", "utimensat_time64" },
	{ "truncate", "ftruncate", "truncate64", "ftruncate64" },
	{ "select", "pselect6", "poll", "ppoll", "_newselect", "pselect6_time64", "ppoll_time64" },
	{ "epoll_wait", "epoll_pwait", "epoll_pwait2" },
	{ "epoll_create", "epoll_create1" },
	{ "wait4", "waitid", "waitpid" },
	{ "sendto", "sendmsg", "sendmmsg", "send" },
	{ "recvfrom", "recvmsg", "recvmmsg", "recv", "recvmmsg_time64" },
	{ "accept", "accept4" },
	{ "getsockopt", "setsockopt" },
	{ "read", "readv", "pread64", "preadv", "preadv2" },
	{ "write", "writev", "pwrite64", "pwritev", "pwritev2" },
	{ "sendfile", "sendfile64", "copy_file_range" },
	{ "getdents", "getdents64" },
	{ "getxattr", "lgetxattr", "fgetxattr" },
	{ "listxattr", "llistxattr", "flistxattr" },
	{ "setxattr", "lsetxattr", "fsetxattr" },
	{ "removexattr", "lremovexattr", "fremovexattr" },
	{ "lseek", "_llseek" },
	{ "fcntl", "fcntl64" },
	{ "fsync", "fdatasync" },
	{ "fadvise64", "fadvise64_64" },
	{ "eventfd", "eventfd2" },
	{ "signalfd", "signalfd4" },
	{ "inotify_init", "inotify_init1" },
	{ "getrlimit", "ugetrlimit" },
	{ "getuid", "geteuid", "getresuid", "getuid32", "geteuid32", "getresuid32" },
	{ "getgid", "getegid", "getresgid", "getgid32", "getegid32", "getresgid32" },
	{ "getpgrp", "getpgid" },
	{ "chdir", "fchdir" },
	{ "nanosleep", "clock_nanosleep", "clock_nanosleep_time64" },
};

const char *profgen_family_of(const char *name)
{
	for (size_t f = 0; f < ARRAY_SIZE(_families); f++)
		for (size_t i = 0; i < FAMILY_MAX && _families[f][i]; i++)
			if (strcmp(_families[f][i], name) == 0)
				return _families[f][0];
	return NULL;
}

bool profgen_family_may_add(const char *name)
{
	return learn_systab_known(name) && !monitor_rule_watches_all(name);
}

int profgen_family_expand(struct strmap *names, unsigned added_flag)
{
	for (size_t f = 0; f < ARRAY_SIZE(_families); f++) {
		bool seen = false;
		for (size_t i = 0; i < FAMILY_MAX && _families[f][i] && !seen; i++) {
			const struct strmap_item *it = strmap_find(names, _families[f][i]);
			seen = it && !(it->flags & added_flag);
		}
		for (size_t i = 0; seen && i < FAMILY_MAX && _families[f][i]; i++) {
			bool is_new;
			if (!profgen_family_may_add(_families[f][i]))
				continue;
			struct strmap_item *it = strmap_add(names, _families[f][i], &is_new);
			if (!it)
				return -ENOMEM;
			if (is_new) {
				it->flags |= added_flag;
				if (strmap_item_set_info(it, _families[f][0]) < 0)
					return -ENOMEM;
			}
		}
	}
	return 0;
}
