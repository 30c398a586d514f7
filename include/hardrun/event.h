/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Falco-compatible event lines (time, rule, priority, source, hostname, tags,
 * output, output_fields), shared by the monitor (shim/monitor/event.c: call
 * events, the exec log) and the create-time launch audit (shim/launch.c).
 * Appended with O_APPEND and one write() per line: concurrent writers never
 * interleave inside a line.
 */
#ifndef HARDRUN_EVENT_H
#define HARDRUN_EVENT_H

#include <stddef.h>
#include <time.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/rules.h"

/* Who an event is about (strings borrowed; NULL or "" print as null / <NA>). */
struct event_ctx {
	const char *container_id;
	const char *container_name;
	const char *k8s_ns;
	const char *k8s_pod;
	const char *image;
	const char *hostname;
	const char *k8s_pod_uid;
};

/* The header of an event: what the rule is, for Falco's fields. */
struct event_rule {
	const char *title; /* Falco "rule" */
	enum rule_priority priority;
	const char *tags; /* comma separated */
};

/* RFC 3339 UTC with nanoseconds. */
void event_format_time(const struct timespec *ts, char *buf, size_t size);
/* A string, or null for NULL and "". */
struct json *event_str_or_null(const char *s);
/* container_name, k8s_ns, k8s_pod, k8s_pod_uid and image from the pod
 * identity the CRI wrote into the annotations (podid_read). */
void event_ctx_identity(struct event_ctx *x, const struct json *annotations);
/* container.id, container.name, container.image, k8s.ns.name, k8s.pod.name,
 * k8s.pod.uid appended to the object f. */
int event_add_identity(struct json *f, const struct event_ctx *x);
/* One event around output_fields `fields` (taken, also on failure); pure:
 * the time is passed in.  NULL on ENOMEM. */
struct json *event_new(const struct event_ctx *x, const struct timespec *when,
		       const struct event_rule *d, const char *output, struct json *fields);

/* Open (create, 0600, parents 0755) the events file for appending. */
int event_open(const char *path, struct err *e);
/* j as one line: its length, or -errno. */
int event_append(int fd, const struct json *j, struct err *e);

#endif
