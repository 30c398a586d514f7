// SPDX-License-Identifier: GPL-2.0-or-later
/* The rule table (include/hardrun/rules.h).  Evaluation lives in shim/monitor/. */
#include <string.h>

#include "hardrun/rules.h"

#define TAGS_BASE "container,hardrun"

const struct rule_def rules_table[RULE__COUNT] = {
	{ RULE_TERMINAL_SHELL, "terminal_shell", "Terminal shell in container", PRIO_NOTICE,
	  ACTION_ALERT, TAGS_BASE ",shell,mitre_execution,T1059" },
	{ RULE_DRIFT_EXEC, "drift_exec", "Drift: exec of a binary not in the profile", PRIO_WARNING,
	  ACTION_ALERT, TAGS_BASE ",drift,mitre_execution,T1059" },
	{ RULE_FILELESS_EXEC, "fileless_exec", "Fileless execution", PRIO_CRITICAL, ACTION_DENY,
	  TAGS_BASE ",mitre_defense_evasion,T1620" },
	{ RULE_REVERSE_SHELL, "reverse_shell", "Reverse shell: socket redirected to stdio",
	  PRIO_CRITICAL, ACTION_DENY, TAGS_BASE ",network,mitre_execution,T1059" },
	{ RULE_RAW_SOCKET, "raw_socket", "Raw or packet socket opened", PRIO_WARNING, ACTION_DENY,
	  TAGS_BASE ",network,mitre_discovery,T1040" },
	{ RULE_PTRACE, "ptrace", "Process injection via ptrace or process_vm_writev", PRIO_CRITICAL,
	  ACTION_DENY, TAGS_BASE ",process,mitre_privilege_escalation,T1055" },
	{ RULE_KERNEL_MODULE, "kernel_module", "Kernel module load or kexec", PRIO_CRITICAL,
	  ACTION_DENY, TAGS_BASE ",mitre_persistence,T1547.006" },
	{ RULE_BPF, "bpf", "BPF program load", PRIO_CRITICAL, ACTION_DENY,
	  TAGS_BASE ",mitre_privilege_escalation,T1068" },
	{ RULE_PERF_EVENT, "perf_event", "perf_event_open in container", PRIO_WARNING, ACTION_DENY,
	  TAGS_BASE ",mitre_discovery" },
	{ RULE_MOUNT, "mount", "Mount, pivot_root or open_by_handle_at in container", PRIO_CRITICAL,
	  ACTION_DENY, TAGS_BASE ",filesystem,mitre_privilege_escalation,T1611" },
	{ RULE_NAMESPACE_ESCAPE, "namespace_escape", "New user or mount namespace, or setns",
	  PRIO_CRITICAL, ACTION_DENY, TAGS_BASE ",mitre_privilege_escalation,T1611" },
	{ RULE_SETUID_BIT, "setuid_bit", "setuid or setgid bit set on a file", PRIO_ERROR,
	  ACTION_DENY, TAGS_BASE ",filesystem,mitre_privilege_escalation,T1548.001" },
	{ RULE_SENSITIVE_WRITE, "sensitive_write", "Write-open of a sensitive file", PRIO_ERROR,
	  ACTION_ALERT, TAGS_BASE ",filesystem,mitre_persistence" },
	{ RULE_METADATA_CONNECT, "metadata_connect",
	  "Connect to cloud metadata or the Kubernetes API", PRIO_WARNING, ACTION_ALERT,
	  TAGS_BASE ",network,mitre_credential_access,T1552.005" },
	{ RULE_IO_URING, "io_uring", "io_uring set up in container", PRIO_WARNING, ACTION_DENY,
	  TAGS_BASE ",mitre_defense_evasion" },
	{ RULE_PROFILE_DEVIATION, "profile_deviation", "Syscall outside the profile", PRIO_WARNING,
	  ACTION_ALERT, TAGS_BASE ",profile" },
};

const struct rule_def *rules_find(const char *name)
{
	for (size_t i = 0; i < RULE__COUNT; i++)
		if (strcmp(rules_table[i].name, name) == 0)
			return &rules_table[i];
	return NULL;
}

static const char *const _action_names[] = {
	[ACTION_OFF] = "off",
	[ACTION_ALERT] = "alert",
	[ACTION_DENY] = "deny",
	[ACTION_KILL] = "kill",
};

const char *rule_action_name(enum rule_action a)
{
	return (unsigned)a <= ACTION_KILL ? _action_names[a] : "?";
}

int rule_action_parse(const char *s, enum rule_action *ret)
{
	for (unsigned i = 0; i <= ACTION_KILL; i++)
		if (strcmp(s, _action_names[i]) == 0) {
			*ret = (enum rule_action)i;
			return 0;
		}
	return -1;
}

const char *rule_priority_name(enum rule_priority p)
{
	static const char *const names[] = { "Emergency", "Alert",  "Critical",	     "Error",
					     "Warning",	  "Notice", "Informational", "Debug" };
	return (unsigned)p <= PRIO_DEBUG ? names[p] : "?";
}
