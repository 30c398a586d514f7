// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exec through fanotify, the pure half: which mounts of a container get a
 * FAN_OPEN_EXEC_PERM mark (from its /proc/<pid>/mountinfo), whether a file is
 * new (drift), and which approved binaries get a cached approval (an ignore
 * mark on their inode).  Side effects live in fangroup.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "hardrun/monitor_int.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo; overlay's
 * options escape a comma as "\," */
static void _unescape(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (s[i] == '\\' && i + 3 < n + 1 && s[i + 1] >= '0' && s[i + 1] <= '3') {
			out[o++] = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 |
					  (s[i + 3] - '0'));
			i += 3;
			continue;
		}
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == ',')
			i++;
		out[o++] = s[i];
	}
	out[o] = '\0';
}

/* Next space-separated field of *s, its length in *n. */
static const char *_field(const char **s, size_t *n)
{
	const char *p = *s;
	while (*p == ' ')
		p++;
	if (!*p || *p == '\n')
		return NULL;
	*n = strcspn(p, " \n");
	*s = p + *n;
	return p;
}

static bool _has_opt(const char *opts, size_t n, const char *want)
{
	size_t w = strlen(want);
	for (const char *p = opts; p < opts + n;) {
		size_t k = strcspn(p, ",");
		if (k > (size_t)(opts + n - p))
			k = (size_t)(opts + n - p);
		if (k == w && strncmp(p, want, w) == 0)
			return true;
		p += k + 1;
	}
	return false;
}

/* upperdir=... of overlay's super options (commas inside are escaped "\,") */
static void _upper(const char *opts, size_t n, char *out, size_t size)
{
	const char *u = NULL;
	out[0] = '\0';
	for (const char *p = opts; p + 9 <= opts + n; p++)
		if ((p == opts || p[-1] == ',') && strncmp(p, "upperdir=", 9) == 0)
			u = p + 9;
	if (!u)
		return;
	size_t k = 0;
	while (u + k < opts + n && !(u[k] == ',' && (k == 0 || u[k - 1] != '\\')))
		k++;
	_unescape(u, k, out, size);
}

int fanexec_mount_parse(const char *line, struct fanexec_mount *ret)
{
	const char *s = line, *f[6];
	size_t n[6], k;
	memset(ret, 0, sizeof(*ret));
	for (int i = 0; i < 6; i++) /* id parent dev root point opts */
		if (!(f[i] = _field(&s, &n[i])))
			return -EINVAL;
	const char *x;
	do { /* optional fields up to "-" */
		if (!(x = _field(&s, &k)))
			return -EINVAL;
	} while (!(k == 1 && *x == '-'));
	const char *type = _field(&s, &k), *src, *super;
	size_t tn = k, sn, pn;
	if (!type || !(src = _field(&s, &sn)) || !(super = _field(&s, &pn)))
		return -EINVAL;
	unsigned maj, min;
	if (sscanf(f[2], "%u:%u", &maj, &min) != 2)
		return -EINVAL;
	ret->dev = makedev(maj, min);
	_unescape(f[4], n[4], ret->point, sizeof(ret->point));
	(void)snprintf(ret->fstype, sizeof(ret->fstype), "%.*s", (int)tn, type);
	ret->noexec = _has_opt(f[5], n[5], "noexec");
	if (strcmp(ret->fstype, "overlay") == 0)
		_upper(super, pn, ret->upper, sizeof(ret->upper));
	return ret->point[0] == '/' ? 0 : -EINVAL;
}

bool fanexec_mount_wanted(const struct fanexec_mount *m)
{
	/* no regular files to execute there */
	static const char *const skip[] = { "proc",    "sysfs",	      "cgroup",	    "cgroup2",
					    "devpts",  "mqueue",      "securityfs", "debugfs",
					    "tracefs", "pstore",      "bpf",	    "configfs",
					    "fusectl", "binfmt_misc", "efivarfs",   "nsfs" };
	if (m->noexec) /* the kernel refuses the exec before any permission event */
		return false;
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(m->fstype, skip[i]) == 0)
			return false;
	return true;
}

bool fanexec_is_new(const struct timespec *ctime, const struct timespec *since, bool in_upper)
{
	/* ctime cannot be set from user space: a later one means created or changed */
	return in_upper || ctime->tv_sec > since->tv_sec ||
	       (ctime->tv_sec == since->tv_sec && ctime->tv_nsec > since->tv_nsec);
}

static bool _prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Programs whose arguments or stdio decide what they do: never cached, each
 * exec is asked (shells are eval_is_shell's; busybox may be any applet). */
static bool _asked_always(const char *base)
{
	static const char *const names[] = { "busybox", "toybox", "env",    "perl",   "ruby",
					     "node",	"nodejs", "php",    "lua",    "tclsh",
					     "wish",	"awk",	  "gawk",   "mawk",   "nawk",
					     "nc",	"ncat",	  "netcat", "socat",  "telnet",
					     "expect",	"gdb",	  "script", "openssl" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(base, names[i]) == 0)
			return true;
	/* python, python3, python3.11, ... ; perl5.36, ruby3.1, lua5.4, php8.2 */
	return _prefix(base, "python") || _prefix(base, "perl5") || _prefix(base, "ruby") ||
	       _prefix(base, "lua5") || _prefix(base, "php") || _prefix(base, "pypy");
}

bool fanexec_cacheable(const char *path, bool new_file, bool rule_fired)
{
	const char *s = strrchr(path, '/');
	const char *base = s ? s + 1 : path;
	if (rule_fired || new_file || !path[0] || eval_fileless_path(path))
		return false;
	return !eval_is_shell(path, NULL, NULL) && !_asked_always(base);
}
