// SPDX-License-Identifier: GPL-2.0-or-later
/* The node configuration (include/hardrun/nodeconf.h), parsed key by key from a table. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/json.h"
#include "hardrun/nodeconf.h"
#include "hardrun/profile.h"

#define NODECONF_MAX_SIZE (1u << 20)

/* Enum names: one table each, one lookup both ways. */
#define NAMES_N(t) (sizeof(t) / sizeof((t)[0]))

static const char *_name(const char *const *names, size_t n, unsigned v)
{
	return v < n ? names[v] : "?";
}

static int _parse(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

static const char *const _mode_names[] = {
	[MODE_ENFORCE] = "enforce",
	[MODE_AUDIT] = "audit",
	[MODE_LEARN] = "learn",
	[MODE_OFF] = "off",
};

static const char *const _mech_names[] = {
	[MONITOR_MECH_AUTO] = "auto",
	[MONITOR_MECH_NOTIFY] = "notify",
	[MONITOR_MECH_PTRACE] = "ptrace",
};

static const char *const _lost_names[] = {
	[MONITOR_LOST_KEEP] = "keep",
	[MONITOR_LOST_KILL] = "kill",
};

const char *mode_name(enum hr_mode m)
{
	return _name(_mode_names, NAMES_N(_mode_names), (unsigned)m);
}

int mode_parse(const char *s, enum hr_mode *ret)
{
	int i = _parse(_mode_names, NAMES_N(_mode_names), s);
	if (i >= 0)
		*ret = (enum hr_mode)i;
	return i < 0 ? i : 0;
}

const char *monitor_mechanism_name(enum monitor_mechanism m)
{
	return _name(_mech_names, NAMES_N(_mech_names), (unsigned)m);
}

int monitor_mechanism_parse(const char *s, enum monitor_mechanism *ret)
{
	int i = _parse(_mech_names, NAMES_N(_mech_names), s);
	if (i >= 0)
		*ret = (enum monitor_mechanism)i;
	return i < 0 ? i : 0;
}

const char *monitor_lost_name(enum monitor_lost l)
{
	return _name(_lost_names, NAMES_N(_lost_names), (unsigned)l);
}

int monitor_lost_parse(const char *s, enum monitor_lost *ret)
{
	int i = _parse(_lost_names, NAMES_N(_lost_names), s);
	if (i >= 0)
		*ret = (enum monitor_lost)i;
	return i < 0 ? i : 0;
}

/* The numeric limits: key, bounds, where in struct monitor_limits. */
static const struct {
	const char *key;
	uint64_t min, max;
	size_t off;
	bool wide; /* uint64_t, else unsigned */
} _limits[] = {
	{ "eventRate", 1, 10000, offsetof(struct monitor_limits, event_rate), false },
	{ "eventBurst", 1, 100000, offsetof(struct monitor_limits, event_burst), false },
	{ "eventWindow", 1, 3600, offsetof(struct monitor_limits, event_window_s), false },
	{ "execLogMaxSize", 4096, 1ull << 40, offsetof(struct monitor_limits, exec_log_max), true },
};

int monitor_limits_to_json(const struct monitor_limits *l, struct json *obj)
{
	for (size_t i = 0; i < sizeof(_limits) / sizeof(_limits[0]); i++) {
		const char *p = (const char *)l + _limits[i].off;
		uint64_t v = _limits[i].wide ? *(const uint64_t *)p : *(const unsigned *)p;
		if (json_obj_set(obj, _limits[i].key, json_new_uint(v)) < 0)
			return -ENOMEM;
	}
	return json_obj_set(obj, "monitorLost", json_new_string(monitor_lost_name(l->lost)));
}

int monitor_limits_from_json(const struct json *obj, struct monitor_limits *l, struct err *e)
{
	for (size_t i = 0; i < sizeof(_limits) / sizeof(_limits[0]); i++) {
		const struct json *j = json_get(obj, _limits[i].key);
		uint64_t v;
		if (!j)
			continue;
		if (json_to_uint64(j, &v) < 0 || v < _limits[i].min || v > _limits[i].max)
			return err_set(e, EINVAL, "%s: must be an integer from %llu to %llu",
				       _limits[i].key, (unsigned long long)_limits[i].min,
				       (unsigned long long)_limits[i].max);
		char *p = (char *)l + _limits[i].off;
		if (_limits[i].wide)
			*(uint64_t *)p = v;
		else
			*(unsigned *)p = (unsigned)v;
	}
	const struct json *lost = json_get(obj, "monitorLost");
	if (lost && monitor_lost_parse(json_string(lost), &l->lost) < 0)
		return err_set(e, EINVAL, "monitorLost: must be \"keep\" or \"kill\"");
	return 0;
}

static bool _is_limit_key(const char *key)
{
	for (size_t i = 0; i < sizeof(_limits) / sizeof(_limits[0]); i++)
		if (strcmp(_limits[i].key, key) == 0)
			return true;
	return strcmp(key, "monitorLost") == 0;
}

static char **_strv_of(const char *const *src)
{
	size_t n = 0;
	while (src[n])
		n++;
	char **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(src[i]))) {
			strv_free(v);
			return NULL;
		}
	return v;
}

void nodeconf_release(struct node_config *nc)
{
	free(nc->path);
	free(nc->runtime);
	free(nc->default_profile);
	strv_free(nc->allowed_profiles);
	strv_free(nc->profile_dirs);
	free(nc->state_dir);
	free(nc->recordings_dir);
	free(nc->events_file);
	launch_conf_release(&nc->launch);
	memset(nc, 0, sizeof(*nc));
}

void nodeconf_defaults(struct node_config *nc)
{
	static const char *const allowed[] = { "baseline", "restricted", NULL };
	static const char *const dirs[] = { "/etc/hardrun/profiles", HARDRUN_DATADIR "/profiles",
					    NULL };
	memset(nc, 0, sizeof(*nc));
	nc->runtime = strdup("/usr/sbin/runc");
	nc->default_mode = MODE_ENFORCE;
	nc->default_profile = strdup("baseline");
	nc->allowed_profiles = _strv_of(allowed);
	nc->allow_mode_off = false;
	nc->profile_dirs = _strv_of(dirs);
	nc->state_dir = strdup("/run/hardrun");
	nc->recordings_dir = strdup("/var/lib/hardrun/recordings");
	nc->events_file = strdup("/var/log/hardrun/events.jsonl");
	nc->lsm_unavailable = LSM_UNAVAILABLE_SKIP;
	nc->monitor_mechanism = MONITOR_MECH_AUTO;
	nc->limits = MONITOR_LIMITS_DEFAULT;
	launch_conf_defaults(&nc->launch);
}

/* ---- per-key parsers ---- */

typedef int (*_key_fn)(struct node_config *nc, const char *key, const struct json *v,
		       struct err *e);

static int _abs_path(const char *key, const struct json *v, char **slot, struct err *e)
{
	const char *s = json_string(v);
	if (!s || s[0] != '/' || strlen(s) >= 4096)
		return err_set(e, EINVAL, "%s: must be an absolute path", key);
	char *copy = strdup(s);
	if (!copy)
		return err_set(e, ENOMEM, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

static int _k_runtime(struct node_config *nc, const char *k, const struct json *v, struct err *e)
{
	return _abs_path(k, v, &nc->runtime, e);
}

static int _k_state_dir(struct node_config *nc, const char *k, const struct json *v, struct err *e)
{
	return _abs_path(k, v, &nc->state_dir, e);
}

static int _k_recordings(struct node_config *nc, const char *k, const struct json *v, struct err *e)
{
	return _abs_path(k, v, &nc->recordings_dir, e);
}

static int _k_events(struct node_config *nc, const char *k, const struct json *v, struct err *e)
{
	return _abs_path(k, v, &nc->events_file, e);
}

static int _k_default_mode(struct node_config *nc, const char *k, const struct json *v,
			   struct err *e)
{
	const char *s = json_string(v);
	if (!s || mode_parse(s, &nc->default_mode) < 0)
		return err_set(e, EINVAL, "%s: must be one of enforce, audit, learn, off", k);
	return 0;
}

static int _k_default_profile(struct node_config *nc, const char *k, const struct json *v,
			      struct err *e)
{
	const char *s = json_string(v);
	if (!s || !profile_name_valid(s))
		return err_set(e, EINVAL, "%s: not a valid profile name", k);
	free(nc->default_profile);
	nc->default_profile = strdup(s);
	return nc->default_profile ? 0 : err_set(e, ENOMEM, "out of memory");
}

/* A list of strings, each accepted by ok (described by what). */
static int _strv_from_json(const char *k, const struct json *v, bool (*ok)(const char *s),
			   const char *what, char ***slot, struct err *e)
{
	if (!json_is(v, JSON_ARRAY))
		return err_set(e, EINVAL, "%s: must be an array of strings", k);
	_cleanup_strv_ char **out = calloc(v->n + 1, sizeof(char *));
	if (!out)
		return err_set(e, ENOMEM, "out of memory");
	json_foreach (i, v) {
		const char *s = json_string(v->items[i]);
		if (!s || !ok(s))
			return err_set(e, EINVAL, "%s[%zu]: must be %s", k, i, what);
		if (!(out[i] = strdup(s)))
			return err_set(e, ENOMEM, "out of memory");
	}
	strv_free(*slot);
	*slot = steal_pointer(&out);
	return 0;
}

static bool _is_profile_or_any(const char *s)
{
	return strcmp(s, "*") == 0 || profile_name_valid(s);
}

static bool _is_path(const char *s)
{
	return s[0] == '/';
}

static int _k_allowed(struct node_config *nc, const char *k, const struct json *v, struct err *e)
{
	return _strv_from_json(k, v, _is_profile_or_any, "a profile name or \"*\"",
			       &nc->allowed_profiles, e);
}

static int _k_dirs(struct node_config *nc, const char *k, const struct json *v, struct err *e)
{
	return _strv_from_json(k, v, _is_path, "an absolute path", &nc->profile_dirs, e);
}

static int _k_allow_off(struct node_config *nc, const char *k, const struct json *v, struct err *e)
{
	if (!json_is(v, JSON_BOOL))
		return err_set(e, EINVAL, "%s: must be true or false", k);
	nc->allow_mode_off = v->boolean;
	return 0;
}

static int _k_lsm(struct node_config *nc, const char *k, const struct json *v, struct err *e)
{
	const char *s = json_string(v);
	if (s && strcmp(s, "skip") == 0)
		nc->lsm_unavailable = LSM_UNAVAILABLE_SKIP;
	else if (s && strcmp(s, "fail") == 0)
		nc->lsm_unavailable = LSM_UNAVAILABLE_FAIL;
	else
		return err_set(e, EINVAL, "%s: must be \"skip\" or \"fail\"", k);
	return 0;
}

static int _k_mechanism(struct node_config *nc, const char *k, const struct json *v, struct err *e)
{
	if (monitor_mechanism_parse(json_string(v), &nc->monitor_mechanism) < 0)
		return err_set(e, EINVAL, "%s: must be one of auto, notify, ptrace", k);
	return 0;
}

/* the launch audit's keys: parsed in launch_conf.c */
static int _k_launch_policy(struct node_config *nc, const char *k, const struct json *v,
			    struct err *e)
{
	return launch_conf_policy(&nc->launch, k, v, e);
}

static int _k_launch_exempt(struct node_config *nc, const char *k, const struct json *v,
			    struct err *e)
{
	return launch_conf_exempt(&nc->launch, k, v, e);
}

static int _k_launch_mounts(struct node_config *nc, const char *k, const struct json *v,
			    struct err *e)
{
	return _strv_from_json(k, v, launch_conf_mount_valid, "an absolute path, or rw: and one",
			       &nc->launch.sensitive_mounts, e);
}

static int _k_exec(struct node_config *nc, const char *k, const struct json *v, struct err *e)
{
	const char *s = json_string(v);
	if (!s || (strcmp(s, "auto") != 0 && strcmp(s, "notify") != 0))
		return err_set(e, EINVAL, "%s: must be \"auto\" or \"notify\"", k);
	nc->monitor_exec_notify = strcmp(s, "notify") == 0;
	return 0;
}

static const struct {
	const char *key;
	_key_fn fn;
} _keys[] = {
	{ "runtime", _k_runtime },
	{ "defaultMode", _k_default_mode },
	{ "defaultProfile", _k_default_profile },
	{ "allowedProfiles", _k_allowed },
	{ "allowModeOff", _k_allow_off },
	{ "profileDirs", _k_dirs },
	{ "stateDir", _k_state_dir },
	{ "recordingsDir", _k_recordings },
	{ "eventsFile", _k_events },
	{ "lsmUnavailable", _k_lsm },
	{ "monitorMechanism", _k_mechanism },
	/* launch audit */
	{ "launchPolicy", _k_launch_policy },
	{ "launchExempt", _k_launch_exempt },
	{ "launchSensitiveMounts", _k_launch_mounts },
	{ "monitorExec", _k_exec },
};

static int _apply(struct node_config *nc, const struct json *doc, struct err *e)
{
	if (!json_is(doc, JSON_OBJECT))
		return err_set(e, EINVAL, "must be a JSON object");
	json_foreach (i, doc) {
		const char *key = doc->keys[i];
		size_t k = 0;
		if (_is_limit_key(key)) /* the monitor's limits: one table, below */
			continue;
		while (k < sizeof(_keys) / sizeof(_keys[0]) && strcmp(_keys[k].key, key) != 0)
			k++;
		if (k == sizeof(_keys) / sizeof(_keys[0]))
			return err_set(e, EINVAL, "unknown key \"%s\"", key);
		int r = _keys[k].fn(nc, key, doc->items[i], e);
		if (r < 0)
			return r;
	}
	return monitor_limits_from_json(doc, &nc->limits, e);
}

int nodeconf_parse(const char *text, size_t len, struct node_config *ret, struct err *e)
{
	_cleanup_json_ struct json *doc = NULL;
	struct node_config nc;

	int r = json_parse(text, len, &doc, e);
	if (r < 0)
		return r;
	nodeconf_defaults(&nc);
	r = _apply(&nc, doc, e);
	if (r < 0) {
		nodeconf_release(&nc);
		return r;
	}
	*ret = nc;
	return 0;
}

int nodeconf_load(const char *path, struct node_config *ret, struct err *e)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	bool explicit = path != NULL;

	if (!path)
		path = getenv("HARDRUN_CONFIG");
	if (path && *path)
		explicit = true;
	else
		path = NODECONF_DEFAULT_PATH;
	int r = fs_read_file(path, NODECONF_MAX_SIZE, &text, &len, e);
	if (r == -ENOENT && !explicit) {
		nodeconf_defaults(ret);
		return 0;
	}
	if (r < 0)
		return err_prefix(e, "node config");
	r = nodeconf_parse(text, len, ret, e);
	if (r < 0)
		return err_prefix(e, "node config %s", path);
	ret->path = strdup(path);
	return 0;
}

bool nodeconf_profile_allowed(const struct node_config *nc, const char *name)
{
	for (char **p = nc->allowed_profiles; p && *p; p++)
		if (strcmp(*p, "*") == 0 || strcmp(*p, name) == 0)
			return true;
	return false;
}
