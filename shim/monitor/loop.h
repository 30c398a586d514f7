/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor loop's state (loop.c), shared with its exec-through-fanotify
 * glue (loop_exec.c).  Private to shim/monitor/.
 */
#ifndef HARDRUN_MONITOR_LOOP_H
#define HARDRUN_MONITOR_LOOP_H

#include <linux/seccomp.h>
#include <sys/types.h>

#include "hardrun/monitor_int.h"

#define NAME_CACHE 512

struct session {
	int fd;
	bool started;
	bool hup;
	pid_t pid;	   /* the process runc started for it (0: crun's exec, -1: adopted) */
	dev_t exe_dev;	   /* its /proc/<pid>/exe before the exec: the runtime's */
	ino_t exe_ino;
};

struct mon {
	struct monitor_spec spec;
	struct mon_rules rules;
	char **known;
	struct event_ctx ectx;
	char hostname[256];
	int epfd, lfd, pidfd, tfd, events_fd, exec_fd, sfd; /* events, exec: until out has them */
	struct evout out;
	struct tracer *tracer;	/* ptrace mechanism (ptrace.c); NULL for notify */
	struct keeper_child kc; /* from the supervisor (keeper.c) */
	int keeper_fd;
	struct fangroup fan; /* exec through fanotify (spec.exec_fanotify), fd -1 if not */
	struct watch watch;  /* rules served by kernel mechanisms (watch.c) */
	pid_t watch_pid;     /* the container's init, once the watches started */
	struct session *s;
	size_t n;
	bool init_gone;
	bool bundle_loaded;   /* env and filter: from monitor.json, else config.json */
	struct json *seccomp; /* the bundle's linux.seccomp (audit deviation checks) */
	void *learn;
	bool learn_dirty;
	uint64_t audit_dropped; /* audit: capabilities the profile drops (capaudit.c) */
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	time_t t0;
	char *names[NAME_CACHE];
};

/* The monitor has no stderr: problems go to the events file as plain JSON. */
void loop_log(struct mon *m, const char *what, const struct err *e);

/* Decide about one call (f: an exec through fanotify, else NULL).  Returns
 * the errno to answer with, or DECIDE_ANSWERED when already answered (an
 * exec no rule stopped). */
#define DECIDE_ANSWERED (-1)
int loop_decide(struct mon *m, struct mon_call *c, const struct fanexec_facts *f);

/* ---- loop_exec.c ---- */

/* The container's fanotify group: the supervisor's (a new worker), else a
 * new one handed to it (keeper_hold_fd). */
int loop_exec_open(struct mon *m, struct err *e);
/* Mark the container's mounts once its init is known; unmarkable: stop it. */
void loop_exec_mark(struct mon *m, pid_t init);
/* A new session's process as runc connected it (its pre-exec image). */
void loop_exec_session(struct mon *m, struct session *s, pid_t pid);
/* Has the session's process exec'd (execve not notified)? */
bool loop_exec_started(const struct mon *m, struct session *s, pid_t pid);
/* memfd_create, notified: made by the monitor with an exec mark on it and
 * handed over (SECCOMP_IOCTL_NOTIF_ADDFD): 1 answered, 0 not (the caller
 * answers). */
int loop_exec_memfd(struct mon *m, const struct mon_call *c);
/* fangroup_decide_fn: one exec permission event. */
int loop_exec_decide(void *ctx, struct mon_call *c, struct fanexec_facts *f);

#endif
