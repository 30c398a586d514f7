// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The launch audit at create (include/hardrun/launch.h): findings become
 * events in the node's eventsFile, a denied rule fails the create.
 *
 * A pod's containers share its sandbox's network, ipc and uts namespaces
 * (and pid, for a hostPID pod): a host namespace is reported once, on the
 * sandbox.  The sandbox's create leaves "<state dir>.launch" (the namespaces
 * it showed and the pod uid); a container of that sandbox (same sandbox id
 * and pod uid) skips those namespaces and reports any other.  Without it
 * (the sandbox was not created through hardrun) the container reports them.
 * Nothing is read or written for a spec without findings.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/event.h"
#include "hardrun/fsutil.h"
#include "hardrun/launch.h"
#include "hardrun/nodeconf.h"
#include "hardrun/state.h"

#define MARK_MAX 512

struct _audit {
	const struct launch_target *t;
	const struct node_config *nc;
	struct podid id;
	struct event_ctx ectx;
	char hostname[256];
	int fd; /* eventsFile, opened at the first event */
};

static char *_mark_path(const struct _audit *x, const char *id)
{
	_cleanup_free_ char *dir = NULL;
	char *path = NULL;
	if (!id || state_dir_path(x->nc->state_dir, x->t->runtime_root, id, &dir, NULL) < 0 ||
	    asprintf(&path, "%s.launch", dir) < 0)
		return NULL;
	return path;
}

/* The host namespaces the pod's sandbox showed (0: none, or not this pod's). */
static unsigned _sandbox_shown(const struct _audit *x)
{
	_cleanup_free_ char *path = _mark_path(x, x->id.sandbox_id), *text = NULL;
	char uid[MARK_MAX] = "";
	unsigned ns = 0;
	size_t len;
	if (!path || !x->id.uid || fs_read_file(path, MARK_MAX, &text, &len, NULL) < 0 ||
	    sscanf(text, "%u %511s", &ns, uid) != 2 || strcmp(uid, x->id.uid) != 0)
		return 0;
	return ns;
}

static void _sandbox_remember(const struct _audit *x, unsigned ns)
{
	_cleanup_free_ char *path = _mark_path(x, x->t->container_id), *text = NULL;
	if (!path || !x->id.uid || strlen(x->id.uid) >= MARK_MAX - 16 ||
	    asprintf(&text, "%u %s\n", ns, x->id.uid) < 0)
		return;
	if (fs_mkdir_p(x->nc->state_dir, 0700, NULL) == 0)
		(void)fs_write_atomic(path, text, strlen(text), 0600, NULL);
}

void launch_audit_forget(const char *dir)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s.launch", dir) >= 0)
		(void)unlink(path);
}

static struct json *_fields(const struct _audit *x, const struct launch_finding *f,
			    enum rule_action a)
{
	_cleanup_json_ struct json *o = json_new_object();
	if (!o || event_add_identity(o, &x->ectx) < 0 ||
	    json_obj_set(o, "k8s.pod.uid", event_str_or_null(x->id.uid)) < 0 ||
	    json_obj_set(o, "evt.type", json_new_string("container_create")) < 0 ||
	    json_obj_set(o, "hardrun.rule_id", json_new_string(launch_rules[f->rule].name)) < 0 ||
	    json_obj_set(o, "hardrun.action", json_new_string(rule_action_name(a))) < 0 ||
	    json_obj_set(o, "hardrun.evidence", json_new_string(f->evidence)) < 0 ||
	    json_obj_set(o, "hardrun.profile", event_str_or_null(x->t->profile)) < 0 ||
	    json_obj_set(o, "hardrun.count", json_new_int(1)) < 0)
		return NULL;
	return steal_pointer(&o);
}

static const char *_na(const char *s)
{
	return s && *s ? s : "<NA>";
}

static int _event(struct _audit *x, const struct launch_finding *f, enum rule_action a,
		  struct err *e)
{
	const struct launch_rule_def *d = &launch_rules[f->rule];
	const struct event_rule er = { d->title, d->priority, d->tags };
	char out[2048];
	struct timespec now;
	(void)clock_gettime(CLOCK_REALTIME, &now);
	(void)snprintf(out, sizeof(out),
		       "%s (container.id=%s container.name=%s k8s.ns.name=%s k8s.pod.name=%s "
		       "container.image=%s evidence=%s action=%s)",
		       d->title, _na(x->ectx.container_id), _na(x->ectx.container_name),
		       _na(x->ectx.k8s_ns), _na(x->ectx.k8s_pod), _na(x->ectx.image), f->evidence,
		       rule_action_name(a));
	_cleanup_json_ struct json *o = event_new(&x->ectx, &now, &er, out, _fields(x, f, a));
	if (!o)
		return err_set(e, ENOMEM, "out of memory");
	if (x->fd < 0 && (x->fd = event_open(x->nc->events_file, e)) < 0)
		return x->fd;
	return event_append(x->fd, o, e);
}

static void _identity(struct _audit *x)
{
	podid_read(json_get(x->t->spec, "annotations"), &x->id);
	if (gethostname(x->hostname, sizeof(x->hostname) - 1) < 0)
		x->hostname[0] = '\0';
	x->ectx = (struct event_ctx){
		.container_id = x->t->container_id,
		.container_name = x->id.container,
		.k8s_ns = x->id.ns,
		.k8s_pod = x->id.pod,
		.image = x->id.image,
		.hostname = x->hostname,
	};
}

/* A container's host namespaces, less those its sandbox reported. */
static bool _pod_host_ns(struct _audit *x, struct launch_finding *f)
{
	if (x->id.sandbox || !x->id.sandbox_id)
		return f->host_ns != 0;
	f->host_ns &= ~_sandbox_shown(x);
	launch_ns_names(f->host_ns, f->evidence, sizeof(f->evidence));
	return f->host_ns != 0;
}

/* What `privileged` grants on this node: the runtime's caller's permitted
 * set (containerd and docker give every capability they hold). */
static uint64_t _node_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };
	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	return (uint64_t)d[1].permitted << 32 | d[0].permitted;
}

int launch_audit(const struct launch_target *t, const struct node_config *nc, char **ret_warning,
		 struct err *e)
{
	struct launch_finding f[LAUNCH__COUNT];
	struct _audit x = { .t = t, .nc = nc, .fd = -1 };
	const struct launch_finding *denied = NULL;
	unsigned sandbox_ns = 0;
	struct err we = { 0 };
	size_t n = launch_evaluate(t->spec, launch_conf_mounts_of(&nc->launch), _node_caps(), f);

	if (!n)
		return 0;
	_identity(&x);
	for (size_t i = 0; i < n; i++) {
		enum rule_action a = nc->launch.action[f[i].rule];
		if (f[i].rule == LAUNCH_HOST_NAMESPACE) {
			sandbox_ns = x.id.sandbox ? f[i].host_ns : 0;
			if (!_pod_host_ns(&x, &f[i]))
				continue;
		}
		if (a == ACTION_OFF || launch_conf_exempted(&nc->launch, f[i].rule, &x.id))
			continue;
		if (a == ACTION_DENY && !denied)
			denied = &f[i];
		if (!we.msg[0])
			(void)_event(&x, &f[i], a, &we);
	}
	if (x.fd >= 0)
		(void)close(x.fd);
	if (denied)
		return err_set(e, EPERM, "%s: %s (denied by the node's launchPolicy)",
			       launch_rules[denied->rule].name, denied->evidence);
	if (sandbox_ns)
		_sandbox_remember(&x, sandbox_ns);
	if (we.msg[0] && ret_warning &&
	    asprintf(ret_warning, "launch audit: event not written: %s", we.msg) < 0)
		*ret_warning = NULL;
	return 0;
}
