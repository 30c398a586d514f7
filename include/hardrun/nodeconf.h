/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The node configuration: /etc/hardrun/config.json, or $HARDRUN_CONFIG.
 * A missing file means all defaults; an unknown key or a bad value is an error.
 */
#ifndef HARDRUN_NODECONF_H
#define HARDRUN_NODECONF_H

#include <stdbool.h>

#include "hardrun/err.h"
#include "hardrun/launch.h"

#define NODECONF_DEFAULT_PATH "/etc/hardrun/config.json"

enum hr_mode {
	MODE_ENFORCE,
	MODE_AUDIT,
	MODE_LEARN,
	MODE_OFF,
};

enum lsm_unavailable {
	LSM_UNAVAILABLE_SKIP,
	LSM_UNAVAILABLE_FAIL,
};

/* How a container's monitor sees its calls (monitorMechanism, monitor.mechanism). */
enum monitor_mechanism {
	MONITOR_MECH_AUTO,   /* notify when the runtime supports SCMP_ACT_NOTIFY, else ptrace */
	MONITOR_MECH_NOTIFY, /* seccomp user notification (listenerPath) */
	MONITOR_MECH_PTRACE, /* PTRACE_SEIZE + SECCOMP_RET_TRACE */
};

struct node_config {
	char *path;    /* file it came from (NULL when defaults) */
	char *runtime; /* real runtime binary */
	enum hr_mode default_mode;
	char *default_profile;
	char **allowed_profiles; /* NULL-terminated; may contain "*" */
	bool allow_mode_off;
	char **profile_dirs; /* NULL-terminated, searched in order */
	char *state_dir;
	char *recordings_dir;
	char *events_file;
	enum lsm_unavailable lsm_unavailable;
	enum monitor_mechanism monitor_mechanism;
	/* launchPolicy, launchExempt, launchSensitiveMounts (launch_conf.c) */
	struct launch_config launch;
	bool monitor_exec_notify; /* monitorExec "notify": every execve notified, no fanotify */
};

/* Load from path (NULL: $HARDRUN_CONFIG, then NODECONF_DEFAULT_PATH). */
int nodeconf_load(const char *path, struct node_config *ret, struct err *e);
/* Parse from a JSON text (used by nodeconf_load and the tests). */
int nodeconf_parse(const char *text, size_t len, struct node_config *ret, struct err *e);
void nodeconf_defaults(struct node_config *nc);
void nodeconf_release(struct node_config *nc);

const char *mode_name(enum hr_mode m);
int mode_parse(const char *s, enum hr_mode *ret);
const char *monitor_mechanism_name(enum monitor_mechanism m);
int monitor_mechanism_parse(const char *s, enum monitor_mechanism *ret);
/* True when profile name is selectable by annotation under this config. */
bool nodeconf_profile_allowed(const struct node_config *nc, const char *name);

#endif
