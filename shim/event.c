// SPDX-License-Identifier: GPL-2.0-or-later
/* Falco-compatible event lines (include/hardrun/event.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/event.h"
#include "hardrun/fsutil.h"
#include "hardrun/podid.h"

void event_format_time(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;
	char base[32];
	(void)gmtime_r(&ts->tv_sec, &tm);
	(void)strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	(void)snprintf(buf, size, "%s.%09ldZ", base, (long)ts->tv_nsec);
}

struct json *event_str_or_null(const char *s)
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

void event_ctx_identity(struct event_ctx *x, const struct json *annotations)
{
	struct podid id;
	podid_read(annotations, &id);
	x->container_name = id.container;
	x->k8s_ns = id.ns;
	x->k8s_pod = id.pod;
	x->k8s_pod_uid = id.uid;
	x->image = id.image;
}

int event_add_identity(struct json *f, const struct event_ctx *x)
{
	if (_set(f, "container.id", event_str_or_null(x->container_id)) < 0 ||
	    _set(f, "container.name", event_str_or_null(x->container_name)) < 0 ||
	    _set(f, "container.image", event_str_or_null(x->image)) < 0 ||
	    _set(f, "k8s.ns.name", event_str_or_null(x->k8s_ns)) < 0 ||
	    _set(f, "k8s.pod.name", event_str_or_null(x->k8s_pod)) < 0 ||
	    _set(f, "k8s.pod.uid", event_str_or_null(x->k8s_pod_uid)) < 0)
		return -ENOMEM;
	return 0;
}

struct json *event_new(const struct event_ctx *x, const struct timespec *when,
		       const struct event_rule *d, const char *output, struct json *fields)
{
	char ts[64];
	_cleanup_json_ struct json *f = fields;
	_cleanup_json_ struct json *o = json_new_object();

	event_format_time(when, ts, sizeof(ts));
	if (!o || !f || _set(o, "time", json_new_string(ts)) < 0 ||
	    _set(o, "rule", json_new_string(d->title)) < 0 ||
	    _set(o, "priority", json_new_string(rule_priority_name(d->priority))) < 0 ||
	    _set(o, "source", json_new_string("hardrun")) < 0 ||
	    _set(o, "hostname", event_str_or_null(x->hostname)) < 0 ||
	    _set(o, "tags", _tags(d->tags)) < 0 || _set(o, "output", json_new_string(output)) < 0 ||
	    _set(o, "output_fields", steal_pointer(&f)) < 0)
		return NULL;
	return steal_pointer(&o);
}

int event_open(const char *path, struct err *e)
{
	_cleanup_free_ char *dir = strdup(path);
	if (!dir)
		return err_set(e, ENOMEM, "out of memory");
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		(void)fs_mkdir_p(dir, 0755, NULL); /* open names what is missing */
	}
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
