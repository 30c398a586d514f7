// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rules a container's kernel mechanisms serve (plan_source), seen from
 * the monitor: started once the container's root exists, their events turned
 * into the same Falco events as the notified calls give.  Today:
 * sensitive_write alerts through fanotify (fanwatch.c).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/monitor_int.h"

int watch_start(struct watch *w, pid_t pid, const struct mon_rules *rules,
		const struct event_ctx *ectx, int events_fd, struct err *e)
{
	struct plan_env env = { .fanotify = true };
	char root[64];
	w->tried = true;
	w->rules = rules;
	w->ectx = ectx;
	w->events_fd = events_fd;
	if (plan_source(rules, RULE_SENSITIVE_WRITE, &env) != PLAN_FANOTIFY)
		return 0;
	(void)snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	int r = fanwatch_open(root, &w->fw, e);
	if (r < 0)
		return r;
	if (!fanwatch_unmarked(w->fw))
		return 0;
	(void)err_set(e, 0, "sensitive_write: %u directories watched, %u left out (bound %d)",
		      fanwatch_marked(w->fw), fanwatch_unmarked(w->fw), FANWATCH_MARK_MAX);
	return 1;
}

int watch_fd(const struct watch *w)
{
	return w->fw ? fanwatch_fd(w->fw) : -1;
}

bool watch_in_container(pid_t pid)
{
	char path[64], root[PATH_MAX];
	(void)snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	ssize_t n = readlink(path, root, sizeof(root) - 1);
	return n > 0 && !(n == 1 && root[0] == '/');
}

/* One write under a sensitive directory (fanwatch_fn). */
static void _on_write(void *ctx, pid_t pid, const char *path, uint64_t mask)
{
	struct watch *w = ctx;
	struct mon_call c = {
		.name = fanwatch_mask_name(mask), .pid = pid, .notify_fd = -1, .mem_fd = -1
	};
	struct mon_proc p = { 0 };
	struct mon_verdict v;
	if (!path) {
		w->overflowed = true;
		return;
	}
	eval_fs_write(path, c.name, w->rules, &v);
	if (v.rule < 0)
		return;
	(void)procinfo_read(pid, &p); /* the writer may be gone: its pid stays */
	p.pid = pid;
	(void)event_emit(w->events_fd, w->ectx, &c, &p, &v);
}

void watch_read(struct watch *w)
{
	if (w->fw)
		fanwatch_read(w->fw, _on_write, w);
}

bool watch_take_note(struct watch *w, char *buf, size_t size)
{
	unsigned long dropped = w->fw ? fanwatch_take_dropped(w->fw) : 0;
	if (w->overflowed) {
		w->overflowed = false;
		(void)snprintf(
			buf, size,
			"monitor: fanotify queue overflow: sensitive_write events were lost");
		return true;
	}
	if (!dropped)
		return false;
	(void)snprintf(buf, size, "monitor: sensitive_write: %lu writes not reported (rate limit)",
		       dropped);
	return true;
}

void watch_release(struct watch *w)
{
	fanwatch_free(w->fw);
	w->fw = NULL;
}
