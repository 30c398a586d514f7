// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which mechanism serves each rule of one container (pure).  A rule that is
 * off costs nothing; a rule is notified (a synchronous round trip to the
 * monitor per matching call) only where no cheaper kernel mechanism keeps
 * its meaning:
 *   - the exec rules are decided at execve, from the exec's evidence;
 *   - sensitive_write as an alert is observed by fanotify marks in the
 *     container's root (asynchronous); deny and kill must refuse the open
 *     before it takes effect, so they stay on the notified write-opens;
 *   - metadata_connect is nftables' in the container's network namespace
 *     (drop for deny and kill, NFLOG for the event), where nft exists and
 *     the container does not share the node's namespace; else notified;
 *   - the other rules' calls are rare: notified.
 * The create side (prepare.c) renders the filter from plan_notified; the
 * monitor starts the kernel watches from plan_source: both read the same
 * profile and mode, so they agree.
 */
#include "hardrun/monitor_int.h"

enum rule_action plan_action(const struct mon_rules *r, enum rule_id id)
{
	enum rule_action a = r->action[id];
	/* audit mode reports what enforce would do, and does nothing else */
	return r->audit && a != ACTION_OFF ? ACTION_ALERT : a;
}

enum plan_source plan_source(const struct mon_rules *r, enum rule_id id, const struct plan_env *env)
{
	enum rule_action a = plan_action(r, id);
	if (a == ACTION_OFF)
		return PLAN_OFF;
	switch (id) {
	case RULE_TERMINAL_SHELL:
	case RULE_DRIFT_EXEC:
	case RULE_FILELESS_EXEC:
	case RULE_REVERSE_SHELL:
		return PLAN_EXEC;
	case RULE_SENSITIVE_WRITE:
		return a == ACTION_ALERT && env->fanotify ? PLAN_FANOTIFY : PLAN_NOTIFY;
	case RULE_METADATA_CONNECT: /* nftables drops (deny, kill) and logs (all) */
		return env->nft ? PLAN_NFT : PLAN_NOTIFY;
	default:
		return PLAN_NOTIFY;
	}
}

uint32_t plan_notified(const struct mon_rules *r, const struct plan_env *env)
{
	uint32_t mask = 0;
	for (unsigned id = 0; id < RULE__COUNT; id++)
		if (plan_source(r, (enum rule_id)id, env) == PLAN_NOTIFY)
			mask |= 1u << id;
	return mask;
}
