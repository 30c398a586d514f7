// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The `kill` action ends the whole container: every process of its cgroup,
 * not one pid.  cgroup v1 (hybrid here): the pids controller's cgroup.procs,
 * else freezer's; cgroup v2: the unified hierarchy.  SIGKILL all, re-read,
 * repeat until empty (a forking process cannot outrun it for long: each
 * round kills what the last round missed).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define KILL_ROUNDS 200

/* Find the path of controller ctl ("" for the v2 line) in /proc/<pid>/cgroup text. */
static bool _cgroup_line(const char *text, const char *ctl, char *path, size_t size)
{
	const char *line = text;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *c1 = memchr(line, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
		if (c2) {
			size_t cl = (size_t)(c2 - c1 - 1);
			bool match = false;
			if (*ctl == '\0') {
				match = cl == 0;
			} else { /* comma separated list, e.g. "cpu,cpuacct" */
				for (const char *s = c1 + 1; s < c2;) {
					const char *comma = memchr(s, ',', (size_t)(c2 - s));
					const char *end = comma ? comma : c2;
					match |= (size_t)(end - s) == strlen(ctl) &&
						 strncmp(s, ctl, strlen(ctl)) == 0;
					s = end + 1;
				}
			}
			size_t pl = len - (size_t)(c2 + 1 - line);
			if (match && pl + 1 <= size) {
				memcpy(path, c2 + 1, pl);
				path[pl] = '\0';
				return true;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

int cgkill_procs_path(pid_t pid, const char *text, char *buf, size_t size)
{
	static const char *const order[][2] = { { "pids", CGROUP_ROOT "/pids" },
						{ "freezer", CGROUP_ROOT "/freezer" },
						{ "", CGROUP_ROOT "/unified" },
						{ "", CGROUP_ROOT } };
	char path[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!_cgroup_line(text, order[i][0], path, sizeof(path)))
			continue;
		if (strcmp(path, "/") == 0 || strstr(path, "/.."))
			continue; /* never the root cgroup */
		int n = snprintf(buf, size, "%s%s/cgroup.procs", order[i][1], path);
		if (n < 0 || (size_t)n >= size)
			return -ENAMETOOLONG;
		if (stat(buf, &st) == 0)
			return 0;
	}
	return -ENOENT;
}

static int _kill_round(const char *procs)
{
	_cleanup_fclose_ FILE *f = fopen(procs, "re");
	int n = 0;
	long p;
	if (!f)
		return -errno;
	while (fscanf(f, "%ld", &p) == 1)
		if (p > 1 && kill((pid_t)p, SIGKILL) == 0)
			n++;
	return n;
}

int cgkill_container(pid_t pid, struct err *e)
{
	char file[64], text[8192], procs[PATH_MAX];
	(void)snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	if (n <= 0)
		return err_set_sys(e, errno ? errno : ESRCH, "read %s", file);
	text[n] = '\0';
	if (cgkill_procs_path(pid, text, procs, sizeof(procs)) < 0) {
		(void)kill(pid, SIGKILL);
		return err_set(e, ENOENT, "no container cgroup for pid %d: killed it alone",
			       (int)pid);
	}
	for (int round = 0; round < KILL_ROUNDS; round++) {
		int k = _kill_round(procs);
		if (k < 0)
			return k == -ENOENT ? 0 : err_set_sys(e, -k, "read %s", procs);
		if (k == 0)
			return 0;
		(void)nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
	}
	return err_set(e, EBUSY, "%s: processes left after %d rounds", procs, KILL_ROUNDS);
}
