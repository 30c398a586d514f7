// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rules a container's kernel mechanisms serve (plan_source), seen from
 * the monitor: started once the container's root exists, their events turned
 * into the same Falco events as the notified calls give.
 *   sensitive_write (alert): fanotify marks (fanwatch.c);
 *   metadata_connect: nftables + NFLOG (netguard.c, nflog.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

#define NFLOG_GROUP_BASE 0x4800 /* + a hash of the container id */

static uint32_t _hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int _start_guard(struct watch *w, pid_t pid, struct err *e)
{
	struct netguard_conf c = { 0 };
	uint32_t h = _hash(w->ectx->container_id);
	enum rule_action a = plan_action(w->rules, RULE_METADATA_CONNECT);
	(void)snprintf(c.table, sizeof(c.table), "hardrun_%08x", h);
	c.group = (uint16_t)(NFLOG_GROUP_BASE + (h & 0x3fff));
	c.refuse = a == ACTION_DENY || a == ACTION_KILL;
	(void)snprintf(c.k8s_host, sizeof(c.k8s_host), "%s", w->rules->k8s_host);
	c.k8s_port = w->rules->k8s_port;
	if (!(w->guard = calloc(1, sizeof(*w->guard))))
		return err_set(e, ENOMEM, "out of memory");
	int r = netguard_start(w->guard, pid, &c, e);
	if (r < 0) {
		netguard_stop(w->guard);
		free(w->guard);
		w->guard = NULL;
		return err_prefix(e, "metadata_connect is not watched");
	}
	return 0;
}

static int _start_fanwatch(struct watch *w, pid_t pid, struct err *e)
{
	char root[64];
	(void)snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	int r = fanwatch_open(root, &w->fw, e);
	if (r < 0)
		return err_prefix(e, "sensitive_write is not watched");
	if (!fanwatch_unmarked(w->fw))
		return 0;
	(void)err_set(e, 0, "sensitive_write: %u directories watched, %u left out (bound %d)",
		      fanwatch_marked(w->fw), fanwatch_unmarked(w->fw), FANWATCH_MARK_MAX);
	return 1;
}

int watch_start(struct watch *w, pid_t pid, const struct mon_rules *rules,
		const struct json *seccomp, const struct event_ctx *ectx, struct evout *out,
		bool early, struct err *e)
{
	struct plan_env env = { .fanotify = true,
				.nft = seccomp && !nfilter_notifies(seccomp, "connect") };
	enum rule_action md = plan_action(rules, RULE_METADATA_CONNECT);
	struct err fe = { 0 };
	int r = 0;
	if (early) {
		w->pid = pid;
		w->rules = rules;
		w->ectx = ectx;
		w->out = out;
	} else {
		w->tried = true;
	}
	/* the table is in place before the container's first exec is answered,
	 * for alert too: a connect in the workload's first milliseconds is seen */
	if (early && md != ACTION_OFF &&
	    plan_source(rules, RULE_METADATA_CONNECT, &env) == PLAN_NFT)
		r = _start_guard(w, pid, e);
	if (early && plan_source(rules, RULE_SENSITIVE_WRITE, &env) == PLAN_FANOTIFY) {
		int k = _start_fanwatch(w, pid, &fe);
		if (r == 0 && k != 0) {
			*e = fe;
			r = k;
		}
	}
	return r;
}

unsigned watch_fds(const struct watch *w, int fds[2])
{
	unsigned n = 0;
	if (w->fw)
		fds[n++] = fanwatch_fd(w->fw);
	if (w->guard)
		fds[n++] = w->guard->nflog_fd;
	return n;
}

bool watch_in_container(pid_t pid)
{
	char path[64];
	struct stat theirs, ours;
	(void)snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	/* (its /proc/<pid>/root reads "/" from here: another mount namespace) */
	return stat(path, &theirs) == 0 && stat("/proc/self/ns/mnt", &ours) == 0 &&
	       (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev);
}

/* The event of a rule that fired, into the bounded events file. */
static void _emit(struct watch *w, const struct mon_call *c, const struct mon_proc *p,
		  const struct mon_verdict *v)
{
	struct timespec now;
	char key[EVENT_KEY_MAX];
	(void)clock_gettime(CLOCK_REALTIME, &now);
	_cleanup_json_ struct json *o = event_build(w->ectx, &now, c, p, v);
	event_fold_key(c, p, v, key, sizeof(key));
	if (o)
		evout_event(w->out, &o, key);
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
	_emit(w, &c, &p, &v);
}

/* One logged packet: the connect's evaluation, as if it had been notified. */
static void _on_packet(struct watch *w, const struct nflog_packet *k)
{
	struct mon_call c = { .name = "connect", .notify_fd = -1, .mem_fd = -1, .started = true };
	struct mon_evidence ev = { .family = k->family, .port = k->port };
	struct mon_proc p = { 0 };
	struct mon_verdict v;
	uint64_t conn = 1469598103934665603ull; /* FNV-1a of the packet's flow */
	for (size_t i = 0; i < sizeof(*k); i++)
		conn = (conn ^ ((const unsigned char *)k)[i]) * 1099511628211ull;
	memcpy(ev.addr, k->addr, sizeof(ev.addr));
	eval_call(&c, &p, &ev, w->rules, &v);
	for (unsigned i = 0; v.rule >= 0 && i < sizeof(w->recent) / sizeof(w->recent[0]); i++)
		if (w->recent[i] == conn) /* a retransmitted SYN: the same connect */
			return;
	if (v.rule < 0)
		return;
	w->recent[w->next++ % (sizeof(w->recent) / sizeof(w->recent[0]))] = conn;
	_emit(w, &c, &p, &v);
	if (v.action == ACTION_KILL) {
		struct err e = { 0 };
		(void)cgkill_container(w->pid, &e);
	}
}

static void _read_nflog(struct watch *w)
{
	char buf[8192] __attribute__((aligned(8)));
	struct nflog_packet k[32];
	for (;;) {
		ssize_t n = recv(w->guard->nflog_fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return;
		unsigned got = nflog_parse(buf, (size_t)n, k, 32);
		for (unsigned i = 0; i < got; i++)
			_on_packet(w, &k[i]);
	}
}

void watch_read(struct watch *w)
{
	if (w->fw)
		fanwatch_read(w->fw, _on_write, w);
	if (w->guard)
		_read_nflog(w);
}

bool watch_take_note(struct watch *w, char *buf, size_t size)
{
	if (!w->overflowed)
		return false;
	w->overflowed = false;
	(void)snprintf(buf, size,
		       "monitor: fanotify queue overflow: sensitive_write events were lost");
	return true;
}

void watch_release(struct watch *w)
{
	fanwatch_free(w->fw);
	w->fw = NULL;
	if (w->guard) {
		netguard_stop(w->guard);
		free(w->guard);
		w->guard = NULL;
	}
}
