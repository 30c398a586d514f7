// SPDX-License-Identifier: GPL-2.0-or-later
/* monitor_prepare(): the create-side half of the monitor (see monitor.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/learn.h"
#include "hardrun/learn_caps.h"
#include "hardrun/monitor.h"
#include "hardrun/monitor_int.h"

static struct json *_seccomp(struct json *spec, struct err *e)
{
	struct json *lin = json_obj_ensure_object(spec, "linux");
	if (!lin) {
		err_set(e, EINVAL, "spec: linux is not an object");
		return NULL;
	}
	struct json *sc = json_get(lin, "seccomp");
	if (json_is(sc, JSON_OBJECT))
		return sc;
	/* No filter rendered: everything allowed, only the rule syscalls notified. */
	sc = json_obj_ensure_object(lin, "seccomp");
	if (!sc || json_obj_set(sc, "defaultAction", json_new_string("SCMP_ACT_ALLOW")) < 0) {
		err_set(e, ENOMEM, "out of memory");
		return NULL;
	}
	return sc;
}

/* The container has a network namespace of its own, or its pod's (a path). */
static bool _own_netns(const struct json *spec)
{
	const struct json *ns = json_get_path(spec, "linux.namespaces");
	json_foreach (i, ns) {
		const char *t = json_string(json_get(ns->items[i], "type"));
		if (t && strcmp(t, "network") == 0)
			return true;
	}
	return false;
}

/* What the node and the container offer the rules (plan.c), and a warning
 * when a rule falls back to notify for want of a tool. */
static struct plan_env _plan_env(const struct json *spec, const struct mon_rules *rules,
				 char **ret_warning)
{
	struct plan_env env = { .fanotify = fanwatch_available() };
	bool nft = netguard_nft() != NULL, own = _own_netns(spec);
	env.nft = nft && own;
	if (ret_warning && own && !nft && plan_action(rules, RULE_METADATA_CONNECT) != ACTION_OFF &&
	    asprintf(ret_warning, "nft not found: metadata_connect notifies every inet connect "
				  "(install nftables)") < 0)
		*ret_warning = NULL;
	return env;
}

int monitor_audit_caps(struct json *seccomp, uint64_t dropped, struct err *e)
{
	if (!dropped || !json_is(seccomp, JSON_OBJECT))
		return 0;
	for (int i = 0; i < learn_caps_count(); i++) {
		if (!(learn_caps_possible(i) & dropped))
			continue;
		int r = nfilter_notify_all(seccomp, learn_caps_name(i), e);
		if (r < 0)
			return r;
	}
	return 0;
}

int monitor_prepare(struct json *spec, const struct policy *pol, const struct profile *prof,
		    enum monitor_mechanism mech, const struct json *own_seccomp,
		    const char *socket_path, char **ret_warning, struct err *e)
{
	struct mon_rules rules;
	char meta[128];
	int r;

	if (pol->mode == MODE_OFF || !pol->monitor)
		return 0;
	/* A bad monitor section fails the create, not the monitor later. */
	r = eval_rules_from_profile(prof ? prof->monitor : NULL, &rules, e);
	if (r < 0)
		return err_prefix(e, "profile %s", prof ? prof->name : "?");
	struct json *sc = _seccomp(spec, e);
	if (!sc)
		return -e->code;

	if (mech == MONITOR_MECH_PTRACE && pol->mode == MODE_LEARN)
		return err_set(e, EOPNOTSUPP, "learn mode needs the notify mechanism");
	if (pol->mode == MODE_LEARN) {
		/* ---- learn mode: the recorder decides what is notified ---- */
		r = learn_prepare(sc, e);
	} else {
		/* ---- enforce / audit: the active rules' syscalls and the profile's denials ----
		 */
		rules.audit = pol->mode == MODE_AUDIT;
		struct plan_env env = _plan_env(spec, &rules, ret_warning);
		r = nfilter_apply(sc, plan_notified(&rules, &env), true /* report_denials */, e);
	}
	/* the bundle's own denials stay the kernel's, whatever the mode */
	if (r >= 0)
		r = nfilter_keep_own(sc, own_seccomp, pol->mode == MODE_LEARN, e);
	/* ---- ptrace: the same rules with SECCOMP_RET_TRACE, no listener ---- */
	if (r >= 0 && mech == MONITOR_MECH_PTRACE)
		return nfilter_use_trace(sc, e);
	if (r < 0)
		return r;

	(void)snprintf(meta, sizeof(meta), "hardrun/1 mode=%s",
		       pol->mode == MODE_LEARN	 ? "learn"
		       : pol->mode == MODE_AUDIT ? "audit"
						 : "enforce");
	if (json_obj_set(sc, "listenerPath", json_new_string(socket_path)) < 0 ||
	    json_obj_set(sc, "listenerMetadata", json_new_string(meta)) < 0)
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

int monitor_prepare_exec(struct json *spec, const struct node_config *nc, const struct policy *pol,
			 enum monitor_mechanism mech, bool *ret_fanotify, char **ret_warning,
			 struct err *e)
{
	struct err probe = { 0 };
	*ret_fanotify = false;
	*ret_warning = NULL;
	if (pol->mode == MODE_OFF || pol->mode == MODE_LEARN || !pol->monitor ||
	    nc->monitor_exec_notify)
		return 0; /* learning records every exec: notified */
	if (fangroup_probe(&probe) < 0) {
		if (asprintf(ret_warning,
			     "monitor: exec permission events unavailable (%s): every execve "
			     "is notified",
			     probe.msg) < 0)
			*ret_warning = NULL;
		return 0;
	}
	struct json *sc = json_get_path(spec, "linux.seccomp");
	int r = nfilter_unnotify(sc, "execve", e);
	/* notify: the monitor makes the memfds, with an exec mark (loop_exec.c) */
	if (r >= 0 && mech == MONITOR_MECH_NOTIFY)
		r = nfilter_notify_all(sc, "memfd_create", e);
	*ret_fanotify = r >= 0;
	return r;
}
