/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The node configuration: /etc/hardrun/config.json, or $HARDRUN_CONFIG.
 * A missing file means all defaults; an unknown key or a bad value is an error.
 */
#ifndef HARDRUN_NODECONF_H
#define HARDRUN_NODECONF_H

#include <stdbool.h>
#include <stdint.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
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

/* What the loss of a container's monitor does (monitorLost). */
enum monitor_lost {
	MONITOR_LOST_KEEP, /* the container runs on: a new monitor takes over */
	MONITOR_LOST_KILL, /* the container is stopped */
};

/* Bounds of one container's monitor output, and its loss (node config keys). */
struct monitor_limits {
	unsigned event_rate;	 /* eventRate: event lines per second */
	unsigned event_burst;	 /* eventBurst: lines at once */
	unsigned event_window_s; /* eventWindow: folding window, seconds */
	uint64_t exec_log_max;	 /* execLogMaxSize: bytes before <log>.1 */
	enum monitor_lost lost;	 /* monitorLost */
};

#define MONITOR_LIMITS_DEFAULT                                                                     \
	((struct monitor_limits){ .event_rate = 20,                                                \
				  .event_burst = 100,                                              \
				  .event_window_s = 10,                                            \
				  .exec_log_max = 16u << 20,                                       \
				  .lost = MONITOR_LOST_KEEP })

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
	struct monitor_limits limits;
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
const char *monitor_lost_name(enum monitor_lost l);
int monitor_lost_parse(const char *s, enum monitor_lost *ret);
/* The limits as JSON object keys (eventRate, ...), into / out of obj; a
 * missing key keeps its value, a bad one is an error naming it. */
int monitor_limits_to_json(const struct monitor_limits *l, struct json *obj);
int monitor_limits_from_json(const struct json *obj, struct monitor_limits *l, struct err *e);
/* True when profile name is selectable by annotation under this config. */
bool nodeconf_profile_allowed(const struct node_config *nc, const char *name);

#endif
