// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `hardrun events [--follow] [--container ID] [--rule ID] [--file PATH]`:
 * print the monitor's events (the node config's eventsFile), one JSON line
 * each, as written; --follow keeps reading as monitors append.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/cmd_events.h"
#include "hardrun/json.h"
#include "hardrun/monitor_int.h"
#include "hardrun/nodeconf.h"

struct events_opts {
	const char *file;
	const char *container;
	const char *rule;
	bool follow;
};

/* Print the complete lines of buf; returns how many bytes were consumed. */
static size_t _print_lines(const char *buf, size_t len, const struct events_opts *o)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i > start && event_line_matches(buf + start, i - start, o->container, o->rule))
			(void)fwrite(buf + start, 1, i - start + 1, stdout);
		start = i + 1;
	}
	(void)fflush(stdout);
	return start;
}

static int _events_run(const struct events_opts *o)
{
	static char buf[1 << 16];
	size_t have = 0;
	off_t pos = 0;
	_cleanup_close_ int fd = open(o->file, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && !(errno == ENOENT && o->follow)) {
		if (errno == ENOENT)
			return 0; /* no events yet */
		(void)fprintf(stderr, "hardrun events: open %s: %s\n", o->file, strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = fd < 0 ? 0 : read(fd, buf + have, sizeof(buf) - have);
		if (n < 0)
			return 1;
		if (n > 0) {
			pos += n;
			have += (size_t)n;
			size_t used = _print_lines(buf, have, o);
			if (used == 0 && have == sizeof(buf))
				used = have; /* a line longer than the buffer: drop it */
			memmove(buf, buf + used, have - used);
			have -= used;
			continue;
		}
		if (!o->follow)
			return 0;
		struct stat st;
		if (fd < 0 || (fstat(fd, &st) == 0 && st.st_size < pos) ||
		    (stat(o->file, &st) == 0 && fd >= 0 && fstat(fd, &st) == 0 &&
		     st.st_nlink == 0)) {
			/* missing, truncated or rotated: start over on the current file */
			if (fd >= 0)
				(void)close(fd);
			fd = open(o->file, O_RDONLY | O_CLOEXEC);
			pos = 0;
			have = 0;
		}
		(void)nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
	}
}

int cmd_events(int argc, char **argv)
{
	struct events_opts o = { 0 };
	struct node_config nc = { 0 };
	struct err e = { 0 };
	static const char *const usage =
		"usage: hardrun events [--follow] [--container ID] [--rule ID] [--file PATH]\n";

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = strcmp(a, "--container") == 0 ? &o.container
				    : strcmp(a, "--rule") == 0	  ? &o.rule
				    : strcmp(a, "--file") == 0	  ? &o.file
								  : NULL;
		if (strcmp(a, "--follow") == 0 || strcmp(a, "-f") == 0) {
			o.follow = true;
		} else if (slot && i + 1 < argc) {
			*slot = argv[++i];
		} else {
			(void)fputs(usage, stderr);
			return 2;
		}
	}
	if (!o.file) {
		if (nodeconf_load(NULL, &nc, &e) < 0) {
			(void)fprintf(stderr, "hardrun events: %s\n", e.msg);
			return 1;
		}
		o.file = nc.events_file;
	}
	int r = _events_run(&o);
	nodeconf_release(&nc);
	return r;
}
