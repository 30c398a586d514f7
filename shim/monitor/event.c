// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The monitor's events: a call's output_fields inside the Falco envelope of
 * include/hardrun/event.h, and the exec log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

static int _set(struct json *o, const char *k, struct json *v)
{
	return v ? json_obj_set(o, k, v) : -ENOMEM;
}

static struct json *_fields(const struct event_ctx *x, const struct mon_call *c,
			    const struct mon_proc *p, const struct mon_verdict *v)
{
	struct json *f = json_new_object();
	const struct rule_def *d = &rules_table[v->rule];
	if (!f || event_add_identity(f, x) < 0 || _set(f, "proc.pid", json_new_int(p->pid)) < 0 ||
	    _set(f, "proc.ppid", json_new_int(p->ppid)) < 0 ||
	    _set(f, "proc.name", event_str_or_null(p->comm)) < 0 ||
	    _set(f, "proc.exe", event_str_or_null(p->exe)) < 0 ||
	    _set(f, "proc.cmdline", event_str_or_null(p->cmdline)) < 0 ||
	    _set(f, "proc.pname", event_str_or_null(p->pcomm)) < 0 ||
	    _set(f, "proc.pcmdline", event_str_or_null(p->pcmdline)) < 0 ||
	    _set(f, "proc.cwd", event_str_or_null(p->cwd)) < 0 ||
	    _set(f, "user.uid", json_new_int(p->uid)) < 0 ||
	    _set(f, "evt.type", json_new_string(c->name)) < 0 ||
	    _set(f, "evt.args", json_new_string(v->detail)) < 0 ||
	    _set(f, "hardrun.action", json_new_string(rule_action_name(v->action))) < 0 ||
	    _set(f, "hardrun.rule_id", json_new_string(d->name)) < 0 ||
	    _set(f, "hardrun.session", json_new_int(c->session)) < 0 ||
	    _set(f, "hardrun.count", json_new_int(1)) < 0) {
		json_free(f);
		return NULL;
	}
	return f;
}

struct json *event_build(const struct event_ctx *x, const struct timespec *when,
			 const struct mon_call *c, const struct mon_proc *p,
			 const struct mon_verdict *v)
{
	const struct rule_def *d = &rules_table[v->rule];
	const struct event_rule er = { d->title, d->priority, d->tags };
	char out[2048];

	(void)snprintf(out, sizeof(out),
		       "%s (container.id=%s container.name=%s k8s.ns.name=%s k8s.pod.name=%s "
		       "proc.pid=%d proc.cmdline=%s evt.type=%s evt.args=%s action=%s)",
		       d->title, x->container_id ? x->container_id : "<NA>",
		       x->container_name && *x->container_name ? x->container_name : "<NA>",
		       x->k8s_ns && *x->k8s_ns ? x->k8s_ns : "<NA>",
		       x->k8s_pod && *x->k8s_pod ? x->k8s_pod : "<NA>", (int)p->pid, p->cmdline,
		       c->name, v->detail, rule_action_name(v->action));
	return event_new(x, when, &er, out, _fields(x, c, p, v));
}

void event_fold_key(const struct mon_call *c, const struct mon_proc *p, const struct mon_verdict *v,
		    char *buf, size_t size)
{
	(void)snprintf(buf, size, "%s\037%s\037%s\037%s", rules_table[v->rule].name, c->name,
		       p->exe[0] ? p->exe : p->comm, v->detail);
}

struct json *event_build_lost(const struct event_ctx *x, const struct timespec *when,
			      const struct event_lost *l)
{
	static const struct event_rule er = { "Monitor lost", PRIO_CRITICAL,
					      "container,hardrun,monitor" };
	char out[1024];
	struct json *f = json_new_object();

	(void)snprintf(out, sizeof(out),
		       "Monitor lost (container.id=%s k8s.ns.name=%s k8s.pod.name=%s lost=%s "
		       "pid=%d reason=%s action=%s)",
		       x->container_id ? x->container_id : "<NA>", x->k8s_ns ? x->k8s_ns : "<NA>",
		       x->k8s_pod ? x->k8s_pod : "<NA>", l->who, (int)l->pid, l->reason, l->action);
	if (!f || event_add_identity(f, x) < 0 || _set(f, "proc.pid", json_new_int(l->pid)) < 0 ||
	    _set(f, "evt.type", json_new_string("monitor_lost")) < 0 ||
	    _set(f, "evt.args", json_new_string(l->reason)) < 0 ||
	    _set(f, "hardrun.lost", json_new_string(l->who)) < 0 ||
	    _set(f, "hardrun.action", json_new_string(l->action)) < 0 ||
	    _set(f, "hardrun.rule_id", json_new_string("monitor_lost")) < 0 ||
	    _set(f, "hardrun.count", json_new_int(1)) < 0) {
		json_free(f);
		return NULL;
	}
	return event_new(x, when, &er, out, f);
}

/* "parent": the caller's image before the exec (comm), and its parent
 * process (ppid, pcomm, pcmdline).  The caller's own argv is in the record
 * of the exec that started it (same pid), so the log is a process tree. */
static struct json *_exec_parent(const struct mon_proc *p)
{
	struct json *o = json_new_object();
	if (!o || _set(o, "comm", json_new_string(p->comm)) < 0 ||
	    _set(o, "ppid", json_new_int(p->ppid)) < 0 ||
	    _set(o, "pcomm", json_new_string(p->pcomm)) < 0 ||
	    _set(o, "pcmdline", json_new_string(p->pcmdline)) < 0) {
		json_free(o);
		return NULL;
	}
	return o;
}

/* The exec log: the process that called execve is the new program's parent
 * image (its comm/cmdline are still the old ones at that point). */
struct json *event_build_exec(const struct event_ctx *x, const struct timespec *when,
			      const struct mon_call *c, const struct mon_proc *p,
			      const struct mon_evidence *ev, const char *result)
{
	char ts[64];
	_cleanup_json_ struct json *o = json_new_object();

	event_format_time(when, ts, sizeof(ts));
	if (!o || _set(o, "time", json_new_string(ts)) < 0 ||
	    _set(o, "container.id", event_str_or_null(x->container_id)) < 0 ||
	    _set(o, "session", json_new_int(c->session)) < 0 ||
	    _set(o, "pid", json_new_int(p->pid)) < 0 || _set(o, "uid", json_new_int(p->uid)) < 0 ||
	    _set(o, "path", json_new_string(ev->path[0] ? ev->path : ev->fd_link)) < 0 ||
	    _set(o, "argv", json_new_string(ev->argv)) < 0 ||
	    _set(o, "cwd", json_new_string(p->cwd)) < 0 ||
	    _set(o, "result", json_new_string(result)) < 0 ||
	    _set(o, "parent", _exec_parent(p)) < 0)
		return NULL;
	return steal_pointer(&o);
}

static bool _field_is(const struct json *fields, const char *k, const char *want)
{
	const char *v = json_string(json_get(fields, k));
	return v && strcmp(v, want) == 0;
}

bool event_line_matches(const char *line, size_t len, const char *container, const char *rule)
{
	_cleanup_json_ struct json *j = NULL;
	if (!container && !rule)
		return true;
	if (json_parse(line, len, &j, NULL) < 0)
		return false;
	const struct json *f = json_get(j, "output_fields");
	if (!f)
		return false;
	if (container && !_field_is(f, "container.id", container))
		return false;
	return !rule || _field_is(f, "hardrun.rule_id", rule);
}
