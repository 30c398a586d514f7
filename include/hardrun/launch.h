/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The create-time audit of risky launches.  At every create (passthrough
 * containers too) the bundle's spec, as the orchestrator wrote it, is judged
 * by the rules below; each finding is an event in the node's eventsFile, or,
 * where launchPolicy says deny, fails the create.
 *
 *   launch.c        the evaluation of a spec (pure)
 *   launch_conf.c   the rule table; node config: launchPolicy, launchExempt,
 *                   the entries of launchSensitiveMounts
 *   launch_audit.c  events, deny, and the pod's host namespaces judged once
 */
#ifndef HARDRUN_LAUNCH_H
#define HARDRUN_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/podid.h"
#include "hardrun/rules.h"

enum launch_rule {
	LAUNCH_PRIVILEGED,	/* CAP_SYS_ADMIN, every capability, or no capabilities object */
	LAUNCH_SENSITIVE_MOUNT, /* bind of a launchSensitiveMounts path; writable /proc /sys /dev */
	LAUNCH_HOST_NAMESPACE,	/* host network, pid, ipc or uts namespace */
	LAUNCH_SENSITIVE_DEVICE, /* /dev/mem, /dev/kmem, /dev/port, block devices, all devices */
	LAUNCH_UNSAFE_SYSCTL,	 /* a sysctl outside Kubernetes' safe set */
	LAUNCH_AMBIENT_CAPS,	 /* ambient capabilities of a non-root process */
	LAUNCH__COUNT,
};

struct launch_rule_def {
	const char *name;  /* launchPolicy key, hardrun.rule_id */
	const char *title; /* Falco "rule" */
	enum rule_priority priority;
	const char *tags;
};

extern const struct launch_rule_def launch_rules[LAUNCH__COUNT];

/* Host namespaces, as bits of launch_finding.host_ns. */
enum { LAUNCH_NS_NETWORK = 1, LAUNCH_NS_PID = 2, LAUNCH_NS_IPC = 4, LAUNCH_NS_UTS = 8 };

/* One launchExempt entry: every pattern given must match (fnmatch); a value
 * the container does not have never matches. */
struct launch_exempt {
	char *ns, *pod, *image; /* NULL: not a condition */
	bool rules[LAUNCH__COUNT];
};

struct launch_config {
	enum rule_action action[LAUNCH__COUNT]; /* ACTION_ALERT, ACTION_DENY or ACTION_OFF */
	char **sensitive_mounts; /* "/path" or "rw:/path", NULL-terminated; NULL: the defaults */
	struct launch_exempt *exempt;
	size_t n_exempt;
};

#define LAUNCH_EVIDENCE_MAX 512

struct launch_finding {
	enum launch_rule rule;
	unsigned host_ns; /* LAUNCH_HOST_NAMESPACE: LAUNCH_NS_* */
	char evidence[LAUNCH_EVIDENCE_MAX];
};

/* ---- launch.c ---- */

/* Judge spec: at most one finding per rule into ret (LAUNCH__COUNT slots),
 * in rule order, whatever the policy says.  node_caps: every capability
 * the node can give (what `privileged` grants: the runtime's own permitted
 * set; 0: every capability of <linux/capability.h>).  Pure.  Returns the
 * count. */
size_t launch_evaluate(const struct json *spec, const char *const *sensitive_mounts,
		       uint64_t node_caps, struct launch_finding *ret);
/* "network,uts" for LAUNCH_NS_* bits. */
void launch_ns_names(unsigned ns, char *buf, size_t size);

/* ---- launch_conf.c ---- */

const struct launch_rule_def *launch_rule_find(const char *name, enum launch_rule *ret);

void launch_conf_defaults(struct launch_config *c);
/* launchSensitiveMounts, or the built-in list. */
const char *const *launch_conf_mounts_of(const struct launch_config *c);
void launch_conf_release(struct launch_config *c);
/* Node config keys; errors name the key (and the entry). */
int launch_conf_policy(struct launch_config *c, const char *key, const struct json *v,
		       struct err *e);
int launch_conf_exempt(struct launch_config *c, const char *key, const struct json *v,
		       struct err *e);
/* A launchSensitiveMounts entry: "/path" or "rw:/path" (the list is read by
 * nodeconf.c). */
bool launch_conf_mount_valid(const char *s);
/* True when an entry of launchExempt exempts this pod/image from rule r. */
bool launch_conf_exempted(const struct launch_config *c, enum launch_rule r,
			  const struct podid *id);

/* ---- launch_audit.c ---- */

struct node_config;

struct launch_target {
	const struct json *spec; /* as the orchestrator wrote it */
	const char *container_id;
	const char *runtime_root; /* runc --root: keys the state directory */
	const char *profile;	  /* hardened under it; NULL: passthrough */
};

/*
 * Judge t, write an event per finding that is neither off nor exempt, and
 * fail (-EPERM, naming the rule) when one is denied.  A host namespace of a
 * pod's container that its sandbox already showed is not reported again.
 * An event that cannot be written is a warning (*ret_warning, caller frees),
 * not a failure, unless its rule denies.
 */
int launch_audit(const struct launch_target *t, const struct node_config *nc, char **ret_warning,
		 struct err *e);
/* At delete: drop what launch_audit kept for the container (state dir `dir`). */
void launch_audit_forget(const char *dir);

#endif
