// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Events: one JSON object per line, in the shape Falco writes with
 * json_output (time, rule, priority, source, hostname, tags, output,
 * output_fields), so falcosidekick and log shippers take them as they are.
 * Appended with O_APPEND and one write() per line: concurrent monitors never
 * interleave inside a line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

void event_format_time(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;
	char base[32];
	(void)gmtime_r(&ts->tv_sec, &tm);
	(void)strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	(void)snprintf(buf, size, "%s.%09ldZ", base, (long)ts->tv_nsec);
}

/* Pod identity from the annotations each CRI implementation writes: containerd's
 * CRI plugin (io.kubernetes.cri.*), then CRI-O's (io.kubernetes.pod.*,
 * io.kubernetes.container.name, io.kubernetes.cri-o.ImageName). */
static const char *const _ann_ns[] = { "io.kubernetes.cri.sandbox-namespace",
				       "io.kubernetes.pod.namespace", NULL };
static const char *const _ann_pod[] = { "io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name",
					NULL };
static const char *const _ann_uid[] = { "io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid",
					NULL };
static const char *const _ann_name[] = { "io.kubernetes.cri.container-name",
					 "io.kubernetes.container.name", NULL };
static const char *const _ann_image[] = { "io.kubernetes.cri.image-name",
					  "io.kubernetes.cri-o.ImageName", NULL };

static const char *_first(const struct json *a, const char *const *keys)
{
	for (; *keys; keys++) {
		const char *s = json_string(json_get(a, *keys));
		if (s && *s)
			return s;
	}
	return NULL;
}

void event_ctx_identity(struct event_ctx *x, const struct json *annotations)
{
	x->container_name = _first(annotations, _ann_name);
	x->k8s_ns = _first(annotations, _ann_ns);
	x->k8s_pod = _first(annotations, _ann_pod);
	x->k8s_pod_uid = _first(annotations, _ann_uid);
	x->image = _first(annotations, _ann_image);
}

static struct json *_str_or_null(const char *s)
{
	return s && *s ? json_new_string(s) : json_new_null();
}

static int _set(struct json *o, const char *k, struct json *v)
{
	return v ? json_obj_set(o, k, v) : -ENOMEM;
}

static struct json *_tags(const char *csv)
{
	struct json *a = json_new_array();
	const char *s = csv;
	while (a && s && *s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		if (json_arr_append(a, json_new_stringn(s, n)) < 0) {
			json_free(a);
			return NULL;
		}
		s = comma ? comma + 1 : NULL;
	}
	return a;
}

static struct json *_fields(const struct event_ctx *x, const struct mon_call *c,
			    const struct mon_proc *p, const struct mon_verdict *v)
{
	struct json *f = json_new_object();
	const struct rule_def *d = &rules_table[v->rule];
	if (!f || _set(f, "container.id", _str_or_null(x->container_id)) < 0 ||
	    _set(f, "container.name", _str_or_null(x->container_name)) < 0 ||
	    _set(f, "container.image", _str_or_null(x->image)) < 0 ||
	    _set(f, "k8s.ns.name", _str_or_null(x->k8s_ns)) < 0 ||
	    _set(f, "k8s.pod.name", _str_or_null(x->k8s_pod)) < 0 ||
	    _set(f, "k8s.pod.uid", _str_or_null(x->k8s_pod_uid)) < 0 ||
	    _set(f, "proc.pid", json_new_int(p->pid)) < 0 ||
	    _set(f, "proc.ppid", json_new_int(p->ppid)) < 0 ||
	    _set(f, "proc.name", _str_or_null(p->comm)) < 0 ||
	    _set(f, "proc.exe", _str_or_null(p->exe)) < 0 ||
	    _set(f, "proc.cmdline", _str_or_null(p->cmdline)) < 0 ||
	    _set(f, "proc.pname", _str_or_null(p->pcomm)) < 0 ||
	    _set(f, "proc.pcmdline", _str_or_null(p->pcmdline)) < 0 ||
	    _set(f, "proc.cwd", _str_or_null(p->cwd)) < 0 ||
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
	char ts[64], out[2048];
	_cleanup_json_ struct json *o = json_new_object();

	event_format_time(when, ts, sizeof(ts));
	(void)snprintf(out, sizeof(out),
		       "%s (container.id=%s container.name=%s k8s.ns.name=%s k8s.pod.name=%s "
		       "proc.pid=%d proc.cmdline=%s evt.type=%s evt.args=%s action=%s)",
		       d->title, x->container_id ? x->container_id : "<NA>",
		       x->container_name && *x->container_name ? x->container_name : "<NA>",
		       x->k8s_ns && *x->k8s_ns ? x->k8s_ns : "<NA>",
		       x->k8s_pod && *x->k8s_pod ? x->k8s_pod : "<NA>", (int)p->pid, p->cmdline,
		       c->name, v->detail, rule_action_name(v->action));
	if (!o || _set(o, "time", json_new_string(ts)) < 0 ||
	    _set(o, "rule", json_new_string(d->title)) < 0 ||
	    _set(o, "priority", json_new_string(rule_priority_name(d->priority))) < 0 ||
	    _set(o, "source", json_new_string("hardrun")) < 0 ||
	    _set(o, "hostname", _str_or_null(x->hostname)) < 0 ||
	    _set(o, "tags", _tags(d->tags)) < 0 || _set(o, "output", json_new_string(out)) < 0 ||
	    _set(o, "output_fields", _fields(x, c, p, v)) < 0)
		return NULL;
	return steal_pointer(&o);
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
	char ts[64], out[1024];
	_cleanup_json_ struct json *o = json_new_object();
	struct json *f = json_new_object();

	event_format_time(when, ts, sizeof(ts));
	(void)snprintf(out, sizeof(out),
		       "Monitor lost (container.id=%s k8s.ns.name=%s k8s.pod.name=%s lost=%s "
		       "pid=%d reason=%s action=%s)",
		       x->container_id ? x->container_id : "<NA>", x->k8s_ns ? x->k8s_ns : "<NA>",
		       x->k8s_pod ? x->k8s_pod : "<NA>", l->who, (int)l->pid, l->reason, l->action);
	if (!o || !f || _set(o, "time", json_new_string(ts)) < 0 ||
	    _set(o, "rule", json_new_string("Monitor lost")) < 0 ||
	    _set(o, "priority", json_new_string("Critical")) < 0 ||
	    _set(o, "source", json_new_string("hardrun")) < 0 ||
	    _set(o, "hostname", _str_or_null(x->hostname)) < 0 ||
	    _set(o, "tags", _tags("container,hardrun,monitor")) < 0 ||
	    _set(o, "output", json_new_string(out)) < 0 ||
	    _set(f, "container.id", _str_or_null(x->container_id)) < 0 ||
	    _set(f, "container.name", _str_or_null(x->container_name)) < 0 ||
	    _set(f, "container.image", _str_or_null(x->image)) < 0 ||
	    _set(f, "k8s.ns.name", _str_or_null(x->k8s_ns)) < 0 ||
	    _set(f, "k8s.pod.name", _str_or_null(x->k8s_pod)) < 0 ||
	    _set(f, "k8s.pod.uid", _str_or_null(x->k8s_pod_uid)) < 0 ||
	    _set(f, "proc.pid", json_new_int(l->pid)) < 0 ||
	    _set(f, "evt.type", json_new_string("monitor_lost")) < 0 ||
	    _set(f, "evt.args", json_new_string(l->reason)) < 0 ||
	    _set(f, "hardrun.lost", json_new_string(l->who)) < 0 ||
	    _set(f, "hardrun.action", json_new_string(l->action)) < 0 ||
	    _set(f, "hardrun.rule_id", json_new_string("monitor_lost")) < 0 ||
	    _set(f, "hardrun.count", json_new_int(1)) < 0) {
		json_free(f);
		return NULL;
	}
	if (_set(o, "output_fields", f) < 0)
		return NULL;
	return steal_pointer(&o);
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
	    _set(o, "container.id", _str_or_null(x->container_id)) < 0 ||
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

int event_open(const char *path, struct err *e)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return err_set_sys(e, errno, "open %s", path);
	return fd;
}

int event_append(int fd, const struct json *j, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = json_dump(j, false, &buf, &len, e);
	if (r < 0)
		return r;
	char *line = realloc(buf, len + 2);
	if (!line)
		return err_set(e, ENOMEM, "out of memory");
	buf = line;
	buf[len] = '\n';
	ssize_t n = write(fd, buf, len + 1);
	if (n < 0)
		return err_set_sys(e, errno, "write event");
	return (size_t)n == len + 1 ? (int)n : err_set(e, EIO, "short event write");
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
