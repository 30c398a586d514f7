// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fail closed for exec through fanotify.  The kernel allows every pending
 * and later permission event once the last fd of the group is closed, so a
 * dead monitor would let every exec through unseen.  At start the monitor
 * forks this keeper: a tiny process that holds a dup of the group's fd, the
 * events file and the read end of a pipe, and nothing else (no notify fd: a
 * dead monitor's notified calls must still fail with ENOSYS).
 *
 * While the monitor lives the keeper only reads the pipe: "P<pid>" names the
 * container's init, "Q" says the monitor ends on purpose.  At EOF without
 * "Q" the monitor is gone: the keeper writes one event saying so, then
 * answers FAN_DENY to every exec that is asked about (shells, interpreters,
 * new files, anything not yet approved) until the init exits.  Binaries
 * approved before (ignore marks) keep running: that was the monitor's own
 * decision for them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

#define FD_SCAN_MAX 4096

static void _lost_event(int events_fd, const char *id, unsigned long denied, const char *msg)
{
	char ts[64], line[1024];
	struct timespec now;
	(void)clock_gettime(CLOCK_REALTIME, &now);
	event_format_time(&now, ts, sizeof(ts));
	int n = snprintf(line, sizeof(line),
			 "{\"time\":\"%s\",\"source\":\"hardrun\",\"level\":\"error\","
			 "\"rule\":\"monitor_lost\",\"msg\":\"%s\",\"container.id\":\"%s\","
			 "\"hardrun.denied\":%lu}\n",
			 ts, msg, id, denied);
	if (events_fd >= 0 && n > 0 && (size_t)n < sizeof(line))
		(void)!write(events_fd, line, (size_t)n);
}

/* Deny every exec asked about until the init is gone. */
static void _guard(int fan, int events_fd, const char *id, pid_t init)
{
	int pidfd = init > 0 ? (int)syscall(SYS_pidfd_open, init, 0) : -1;
	unsigned long denied = 0;
	if (pidfd < 0)
		return; /* no container (left): nothing to guard */
	_lost_event(events_fd, id, 0,
		    "monitor: lost; every exec not approved before is denied until the "
		    "container ends");
	for (;;) {
		struct pollfd p[2] = { { fan, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		char buf[4096] __attribute__((aligned(8)));
		ssize_t len;
		while ((len = read(fan, buf, sizeof(buf))) > 0) {
			const struct fanotify_event_metadata *md = (const void *)buf;
			for (; FAN_EVENT_OK(md, len); md = FAN_EVENT_NEXT(md, len)) {
				if (md->fd < 0)
					continue;
				struct fanotify_response r = { .fd = md->fd, .response = FAN_DENY };
				(void)!write(fan, &r, sizeof(r));
				(void)close(md->fd);
				denied++;
			}
		}
	}
	_lost_event(events_fd, id, denied, "monitor: lost; the container ended, keeper exits");
}

static void _keeper(int fan, int events_fd, int rd, const char *id)
{
	pid_t init = 0;
	char msg[16];
	ssize_t n;
	while ((n = read(rd, msg, sizeof(msg))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || msg[0] == 'Q')
			_exit(0);
		if (msg[0] == 'P')
			init = (pid_t)strtol(msg + 1, NULL, 10);
	}
	_guard(fan, events_fd, id, init);
	_exit(0);
}

/* Out of `ps`'s and the tests' count of monitors: the argv text is blanked. */
static void _rename(char **argv)
{
	for (int i = 1; argv && argv[i]; i++)
		memset(argv[i], 0, strlen(argv[i]));
	if (argv && argv[1] && strlen(argv[0]) > 0)
		(void)snprintf(argv[1], 5, "keep");
}

int fankeep_start(int fan, int events_fd, const char *container_id, char **argv, int *ret_wr,
		  struct err *e)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set_sys(e, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		(void)close(p[0]);
		(void)close(p[1]);
		return err_set_sys(e, errno, "fork");
	}
	if (pid == 0) {
		_rename(argv);
		for (int fd = 3; fd < FD_SCAN_MAX; fd++)
			if (fd != fan && fd != events_fd && fd != p[0])
				(void)close(fd);
		(void)signal(SIGTERM, SIG_IGN); /* only the pipe ends it */
		_keeper(fan, events_fd, p[0], container_id);
	}
	(void)close(p[0]);
	*ret_wr = p[1];
	return 0;
}

void fankeep_tell_init(int wr, pid_t init)
{
	char msg[16] = { 0 };
	(void)snprintf(msg, sizeof(msg), "P%d", (int)init);
	if (wr >= 0) /* one 16-byte message per write: read back whole */
		(void)!write(wr, msg, sizeof(msg));
}

void fankeep_stop(int wr)
{
	char msg[16] = "Q";
	if (wr >= 0) {
		(void)!write(wr, msg, sizeof(msg));
		(void)close(wr);
	}
}
