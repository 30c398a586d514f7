/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The monitor's detection rules: ids, priorities, default actions. */
#ifndef HARDRUN_RULES_H
#define HARDRUN_RULES_H

#include <stdbool.h>

enum rule_action {
	ACTION_OFF,
	ACTION_ALERT,
	ACTION_DENY,
	ACTION_KILL,
};

/* Falco priorities. */
enum rule_priority {
	PRIO_EMERGENCY,
	PRIO_ALERT,
	PRIO_CRITICAL,
	PRIO_ERROR,
	PRIO_WARNING,
	PRIO_NOTICE,
	PRIO_INFORMATIONAL,
	PRIO_DEBUG,
};

enum rule_id {
	RULE_TERMINAL_SHELL,
	RULE_DRIFT_EXEC,
	RULE_FILELESS_EXEC,
	RULE_REVERSE_SHELL,
	RULE_RAW_SOCKET,
	RULE_PTRACE,
	RULE_KERNEL_MODULE,
	RULE_BPF,
	RULE_PERF_EVENT,
	RULE_MOUNT,
	RULE_NAMESPACE_ESCAPE,
	RULE_SETUID_BIT,
	RULE_SENSITIVE_WRITE,
	RULE_METADATA_CONNECT,
	RULE_IO_URING,
	RULE_PROFILE_DEVIATION, /* audit mode: a call the profile would deny */
	RULE__COUNT,
};

struct rule_def {
	enum rule_id id;
	const char *name;  /* stable id used in profiles and events */
	const char *title; /* Falco "rule" field */
	enum rule_priority priority;
	enum rule_action default_action;
	const char *tags; /* comma separated */
};

extern const struct rule_def rules_table[RULE__COUNT];

const struct rule_def *rules_find(const char *name);
const char *rule_action_name(enum rule_action a);
int rule_action_parse(const char *s, enum rule_action *ret);
const char *rule_priority_name(enum rule_priority p);

#endif
