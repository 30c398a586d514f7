// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The create / exec / delete pipeline (include/hardrun/harden.h).
 *
 * create: load config.json -> resolve policy from the node config and the
 * annotations -> launch audit (events; a denied rule stops the create) ->
 * (mode off: stop, file untouched) -> load the profile -> run
 * each hardening step on the tree -> save hardening state -> start the
 * monitor -> replace config.json atomically.  Any failure undoes what was
 * done: the monitor is killed, the state removed, config.json never written.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/apparmor.h"
#include "hardrun/caps.h"
#include "hardrun/cleanup.h"
#include "hardrun/engine.h"
#include "hardrun/fsutil.h"
#include "hardrun/label.h"
#include "hardrun/launch.h"
#include "hardrun/learn.h"
#include "hardrun/monitor.h"
#include "hardrun/harden.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"
#include "hardrun/profile.h"
#include "hardrun/rtlog.h"
#include "hardrun/stash.h"
#include "hardrun/state.h"

struct harden_ctx {
	const struct rt_args *a;
	const struct node_config *nc;
	char *config_path;
	mode_t config_mode;
	struct json *spec;
	struct json *orig_fields; /* the bundle's own hardening fields (stash) */
	struct policy pol;
	struct profile *prof;
	char *state_dir;
	const char *key; /* basename of state_dir: the container's key */
	bool label_held;
	bool state_created;
	bool stash_written;
	struct monitor_start monitor; /* started, not yet waited for */
	enum monitor_mechanism mech;
	bool exec_fanotify;
	char *monitor_sock;
	pid_t monitor_pid;
	struct fs_pending spec_write; /* the new config.json, not yet renamed in */
	bool spec_pending;
	uint64_t audit_dropped; /* audit: the bundle's capabilities the profile drops */
};

typedef int (*_step_fn)(struct harden_ctx *c, struct err *e);

static void _warn(struct harden_ctx *c, char *msg)
{
	if (msg)
		rtlog_write(c->a->log, c->a->log_format, RTLOG_WARNING, "hardrun: %s", msg);
	free(msg);
}

/* In learn mode the annotation names the profile being learned (its
 * recordings go to <recordingsDir>/<name>/): the container runs under the
 * node's default profile, the floor, even once the profile exists, so that a
 * later learn run can still find capabilities the earlier ones did not use. */
static int _step_profile(struct harden_ctx *c, struct err *e)
{
	return profile_load(c->nc,
			    c->pol.mode == MODE_LEARN ? c->nc->default_profile : c->pol.profile,
			    &c->prof, e);
}

/* seccomp, capabilities, noNewPrivileges, read-only rootfs, masked paths.
 * Audit reduces only what it can report: the capabilities are those learning
 * has (the bundle's within the node's default profile; the monitor reports
 * each use of one the profile drops) and the rootfs stays writable. */
static int _step_engine(struct harden_ctx *c, struct err *e)
{
	_cleanup_profile_ struct profile *floor = NULL;
	struct profile relaxed;
	int r;

	if (c->pol.mode != MODE_AUDIT)
		return engine_apply(c->spec, c->prof, NULL /* this host */, e);
	if ((r = profile_load(c->nc, c->nc->default_profile, &floor, e)) < 0)
		return err_prefix(e, "audit: the node's default profile");
	relaxed = *c->prof;
	relaxed.caps_set = floor->caps_set;
	relaxed.caps = floor->caps;
	relaxed.ambient = floor->ambient;
	relaxed.readonly_rootfs = false;
	if ((r = engine_apply(c->spec, &relaxed, NULL /* this host */, e)) < 0)
		return r;
	if (c->prof->caps_set)
		c->audit_dropped = caps_process_mask(json_get(c->spec, "process")) & ~c->prof->caps;
	return 0;
}

/* The LSM sections hold from the enforce run on: learning records what the
 * workload does when nothing but the bundle's own settings stop it, and audit
 * keeps those settings (an LSM denial is not reported as the profile's). */
static bool _lsm_skipped(const struct harden_ctx *c)
{
	return c->pol.mode == MODE_LEARN || c->pol.mode == MODE_AUDIT;
}

static int _step_apparmor(struct harden_ctx *c, struct err *e)
{
	char *warning = NULL;
	if (_lsm_skipped(c))
		return 0;
	int r = apparmor_apply(c->spec, c->prof->name, c->prof->apparmor, c->nc, &warning, e);
	_warn(c, warning);
	return r;
}

static int _step_selinux(struct harden_ctx *c, struct err *e)
{
	char *warning = NULL;
	if (_lsm_skipped(c))
		return 0;
	int r = label_apply(c->spec, c->key, c->prof->selinux, c->nc, &warning, e);
	c->label_held = r >= 0 && c->prof->selinux;
	_warn(c, warning);
	return r;
}

/* A repeated learn run: what earlier recordings of the profile hold (plain calls)
 * is allowed in the kernel.  An unreadable recording only costs speed: warned. */
static void _learn_known(struct harden_ctx *c)
{
	struct strmap known = { 0 };
	struct err e = { 0 };
	size_t n;

	if (learn_known_load(c->nc->recordings_dir, c->pol.profile, &known, &e) < 0 ||
	    learn_known_allow(json_get_path(c->spec, "linux.seccomp"), &known, &n, &e) < 0) {
		char *msg = NULL;
		if (asprintf(&msg, "learn: every call is notified: %s", e.msg) < 0)
			msg = NULL;
		_warn(c, msg);
	}
	strmap_release(&known);
}

/* Last step: the monitor's rules go into the filter (it starts in
 * _run_steps, once config.json is final). */
static int _step_monitor(struct harden_ctx *c, struct err *e)
{
	enum monitor_mechanism mech = MONITOR_MECH_NOTIFY;
	if (!c->pol.monitor)
		return 0;
	if (asprintf(&c->monitor_sock, "%s/monitor.sock", c->state_dir) < 0) {
		c->monitor_sock = NULL;
		return err_set(e, ENOMEM, "out of memory");
	}
	int r = monitor_mechanism_for(c->nc, &c->pol, c->prof, &mech, e);
	if (r < 0)
		return r;
	c->mech = mech;
	if (c->pol.mode == MODE_AUDIT &&
	    (r = monitor_audit_caps(json_get_path(c->spec, "linux.seccomp"), c->audit_dropped, e)) <
		    0)
		return r;
	char *warning = NULL;
	r = monitor_prepare(c->spec, &c->pol, c->prof, mech,
			    json_get(c->orig_fields, "linux.seccomp"), c->monitor_sock, &warning,
			    e);
	_warn(c, warning); /* a rule fell back to notify */
	warning = NULL;
	if (r >= 0)
		r = monitor_prepare_exec(c->spec, c->nc, &c->pol, mech, &c->exec_fanotify, &warning,
					 e);
	_warn(c, warning);
	if (r == 0 && c->pol.mode == MODE_LEARN)
		_learn_known(c);
	return r;
}

/* The entries of process.env the monitor's rules use (the API server's address). */
static struct json *_k8s_env(const struct json *spec)
{
	const struct json *env = json_get_path(spec, "process.env");
	struct json *out = json_new_array();
	json_foreach (i, env) {
		const char *s = json_string(env->items[i]);
		if (out && s && strncmp(s, "KUBERNETES_SERVICE_", 19) == 0 &&
		    json_arr_append(out, json_new_string(s)) < 0) {
			json_free(out);
			return NULL;
		}
	}
	return out;
}

/* Started, not waited for: _run_steps checks it before config.json goes in. */
static int _start_monitor(struct harden_ctx *c, struct err *e)
{
	_cleanup_free_ char *bundle = NULL;
	_cleanup_json_ struct json *env = NULL, *prof = NULL;
	const struct json *rules = json_get(c->prof->doc, "monitor");
	if (!c->pol.monitor)
		return 0;
	/* the monitor reads only the profile's "monitor" section */
	if (!(bundle = strndup(c->config_path, strlen(c->config_path) - strlen("/config.json"))) ||
	    !(env = _k8s_env(c->spec)) || !(prof = json_new_object()) ||
	    (rules && json_obj_set(prof, "monitor", json_clone(rules)) < 0) ||
	    (c->audit_dropped &&
	     json_obj_set(prof, "auditDroppedCapabilities", json_new_uint(c->audit_dropped)) < 0))
		return err_set(e, ENOMEM, "out of memory");
	struct monitor_spec ms = {
		.container_id = (char *)c->a->container_id,
		.runtime_root = (char *)argv_root(c->a),
		.state_dir = c->state_dir,
		.socket_path = c->monitor_sock,
		.mode = c->pol.mode,
		.profile_name = c->pol.profile, /* learn: where recordings go */
		.profile_doc = prof,
		.events_file = c->nc->events_file,
		.recordings_dir = c->nc->recordings_dir,
		.annotations = json_get(c->spec, "annotations"),
		.mechanism = c->mech,
		.attach_pid = getpid(), /* ptrace: traced from here on, runc included */
		.exec_fanotify = c->exec_fanotify,
		.bundle = bundle,
		.seccomp = json_get_path(c->spec, "linux.seccomp"), /* final: written next */
		.env = env,
		.limits = c->nc->limits,
	};
	return monitor_spawn_start(&ms, &c->monitor, e);
}

static const struct {
	const char *name;
	_step_fn fn;
} _steps[] = {
	{ "profile", _step_profile },	{ "seccomp and capabilities", _step_engine },
	{ "apparmor", _step_apparmor }, { "selinux", _step_selinux },
	{ "monitor", _step_monitor },	{ NULL, NULL },
};

static void _ctx_release(struct harden_ctx *c)
{
	free(c->config_path);
	json_free(c->spec);
	json_free(c->orig_fields);
	profile_free(c->prof);
	free(c->state_dir);
	free(c->monitor_sock);
}

static int _load_spec(struct harden_ctx *c, struct err *e)
{
	_cleanup_free_ char *bundle = NULL;
	struct stat st;
	int r = fs_absolute(c->a->bundle && *c->a->bundle ? c->a->bundle : ".", &bundle, e);
	if (r < 0)
		return r;
	if (asprintf(&c->config_path, "%s/config.json", bundle) < 0)
		return err_set(e, ENOMEM, "out of memory");
	if (stat(bundle, &st) < 0)
		return err_set_sys(e, errno, "bundle %s", bundle);
	if (stat(c->config_path, &st) < 0)
		return err_set_sys(e, errno, "bundle config %s", c->config_path);
	c->config_mode = st.st_mode & 07777;
	r = json_load_file(c->config_path, BUNDLE_CONFIG_MAX, &c->spec, e);
	if (r < 0)
		return err_prefix(e, "bundle config");
	if (!json_is(c->spec, JSON_OBJECT))
		return err_set(e, EINVAL, "bundle config %s: must be a JSON object",
			       c->config_path);
	if (!json_is(json_get(c->spec, "process"), JSON_OBJECT) && c->a->cmd != CMD_RESTORE)
		return err_set(e, EINVAL, "bundle config %s: no \"process\" object",
			       c->config_path);
	return stash_restore(c->config_path, c->spec, &c->orig_fields, e);
}

/* Write the new config.json aside and start its fsync: it goes in last. */
static int _begin_spec(struct harden_ctx *c, struct err *e)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = json_dump(c->spec, false, &text, &len, e);
	if (r < 0)
		return r;
	r = fs_write_begin(c->config_path, text, len, c->config_mode, FS_SYNC_FILE, true,
			   &c->spec_write, e);
	c->spec_pending = r >= 0;
	return r;
}

static void _undo(struct harden_ctx *c)
{
	if (c->spec_pending)
		fs_write_abort(&c->spec_write);
	if (c->monitor.ready_fd >= 0) /* started: learn its pid, to stop it */
		(void)monitor_spawn_wait(&c->monitor, &c->monitor_pid, NULL);
	if (c->monitor_pid > 0)
		(void)kill(c->monitor_pid, SIGKILL); /* a grandchild: nothing to reap */
	if (c->label_held)
		(void)label_release(c->nc, c->key, NULL);
	if (c->state_created)
		(void)fs_rm_rf(c->state_dir, NULL);
	if (c->stash_written)
		stash_remove(c->config_path);
}

static int _run_steps(struct harden_ctx *c, struct err *e)
{
	int r = state_dir_path(c->nc->state_dir, argv_root(c->a), c->a->container_id, &c->state_dir,
			       e);
	if (r < 0)
		return r;
	c->key = strrchr(c->state_dir, '/') + 1;
	if ((r = state_dir_create(c->state_dir, e)) < 0)
		return r;
	c->state_created = true;
	for (size_t i = 0; _steps[i].fn; i++) {
		r = _steps[i].fn(c, e);
		if (r < 0)
			return err_prefix(e, "%s", _steps[i].name);
	}
	/* config.json is final: its fsync runs while the monitor starts and the
	 * state is saved */
	if ((r = _begin_spec(c, e)) < 0)
		return r;
	if ((r = _start_monitor(c, e)) < 0)
		return err_prefix(e, "monitor");
	if ((r = state_save_hardening(c->state_dir, c->spec, e)) < 0)
		return r;
	if ((r = stash_save(c->config_path, c->orig_fields, e)) < 0)
		return r;
	c->stash_written = r > 0;
	/* config.json goes in last; a monitor that has already failed fails
	 * the create with its reason.  One still starting is not waited for:
	 * its socket listens already (monitor_spawn_start). */
	if (c->monitor.ready_fd >= 0 && c->mech == MONITOR_MECH_PTRACE) {
		/* ptrace: the monitor is ready once it has seized us, and the
		 * runtime must start traced: wait for it */
		if ((r = monitor_spawn_wait(&c->monitor, &c->monitor_pid, e)) < 0)
			return err_prefix(e, "monitor");
	} else if (c->monitor.ready_fd >= 0 && (r = monitor_spawn_check(&c->monitor, e)) < 0) {
		return err_prefix(e, "monitor");
	}
	c->spec_pending = false; /* commit removes its temporary file on failure */
	return fs_write_commit(&c->spec_write, e);
}

/* Every container, passthrough too: the spec as the orchestrator wrote it
 * (the bundle's own fields, stash restored), before any step changes it. */
static int _launch_audit(struct harden_ctx *c, struct err *e)
{
	char *warning = NULL;
	const struct launch_target t = {
		.spec = c->spec,
		.container_id = c->a->container_id,
		.runtime_root = argv_root(c->a),
		.profile = c->pol.mode == MODE_OFF ? NULL : c->pol.profile,
	};
	int r = launch_audit(&t, c->nc, &warning, e);
	_warn(c, warning);
	return r;
}

int harden_create(const struct rt_args *a, const struct node_config *nc, struct err *e)
{
	struct harden_ctx c = { .a = a, .nc = nc, .monitor = { .ready_fd = -1, .child = -1 } };
	int r = _load_spec(&c, e);
	if (r < 0)
		goto out;
	r = policy_resolve(nc, json_get(c.spec, "annotations"), &c.pol, e);
	if (r < 0 || (r = _launch_audit(&c, e)) < 0 || c.pol.mode == MODE_OFF)
		goto out;
	r = _run_steps(&c, e);
	if (r < 0)
		_undo(&c);
out:
	_ctx_release(&c);
	return r;
}

/* Keep only the names of set that the container's saved set also has. */
static int _intersect_names(struct json *set, const struct json *allowed)
{
	if (!json_is(set, JSON_ARRAY))
		return -EINVAL;
	for (size_t i = 0; i < set->n;) {
		const char *name = json_string(set->items[i]);
		bool keep = false;
		json_foreach (k, allowed) {
			const char *a = json_string(allowed->items[k]);
			keep = keep || (name && a && strcmp(name, a) == 0);
		}
		if (keep)
			i++;
		else
			json_arr_remove(set, i);
	}
	return 0;
}

static const char *const _cap_sets[] = { "bounding", "effective", "inheritable", "permitted",
					 "ambient" };

/* Exec processes get at most the container's capabilities, set by set, and
 * exactly the container's noNewPrivileges and LSM labels. */
static int _apply_saved(struct json *process, const struct json *saved, struct err *e)
{
	struct json *caps = json_get(process, "capabilities");
	const struct json *saved_caps = json_get(saved, "capabilities");
	for (size_t i = 0; caps && i < sizeof(_cap_sets) / sizeof(_cap_sets[0]); i++) {
		struct json *set = json_get(caps, _cap_sets[i]);
		if (set && _intersect_names(set, json_get(saved_caps, _cap_sets[i])) < 0)
			return err_set(e, EINVAL, "process capabilities.%s: must be an array",
				       _cap_sets[i]);
	}
	if (json_is_true(json_get(saved, "noNewPrivileges")) &&
	    json_obj_set(process, "noNewPrivileges", json_new_bool(true)) < 0)
		return err_set(e, ENOMEM, "out of memory");
	int r = apparmor_apply_exec(process, json_string(json_get(saved, "apparmorProfile")), e);
	if (r < 0)
		return r;
	return label_apply_exec(process, json_string(json_get(saved, "selinuxLabel")), e);
}

/* `runc exec ID CMD` (no --process): runc adds every --cap to every set,
 * bounding included, and takes --apparmor / --process-label as given.  Refuse
 * what would reach beyond the container's hardening. */
static int _check_exec_flags(const struct rt_args *a, const struct json *saved, struct err *e)
{
	const struct json *bounding = json_get_path(saved, "capabilities.bounding");
	if (a->n_caps > ARGV_MAX_CAPS)
		return err_set(e, E2BIG, "exec: too many --cap flags");
	for (int i = 0; i < a->n_caps; i++) {
		bool ok = false;
		json_foreach (k, bounding)
			ok = ok || strcmp(json_string(bounding->items[k]) ?: "", a->caps[i]) == 0;
		if (!ok)
			return err_set(e, EPERM,
				       "exec --cap %s: not in container %s's hardened capabilities",
				       a->caps[i], a->container_id);
	}
	const char *aa = json_string(json_get(saved, "apparmorProfile"));
	if (a->apparmor && (!aa || strcmp(aa, a->apparmor) != 0))
		return err_set(e, EPERM, "exec --apparmor %s: container %s runs under %s",
			       a->apparmor, a->container_id, aa ? aa : "no hardrun profile");
	const char *se = json_string(json_get(saved, "selinuxLabel"));
	if (a->process_label && (!se || strcmp(se, a->process_label) != 0))
		return err_set(e, EPERM, "exec --process-label %s: container %s runs as %s",
			       a->process_label, a->container_id, se ? se : "no hardrun label");
	return 0;
}

/* exec --process FILE: the hardening applied to the process file. */
static int _exec_process(const struct rt_args *a, const struct json *saved, struct err *e)
{
	_cleanup_json_ struct json *process = NULL;
	_cleanup_free_ char *text = NULL;
	struct stat st;
	size_t len;
	int r;

	if (stat(a->process, &st) < 0)
		return err_set_sys(e, errno, "exec process file %s", a->process);
	r = json_load_file(a->process, BUNDLE_CONFIG_MAX, &process, e);
	if (r < 0)
		return err_prefix(e, "exec process file");
	if (!json_is(process, JSON_OBJECT))
		return err_set(e, EINVAL, "exec process file %s: must be a JSON object",
			       a->process);
	if ((r = _apply_saved(process, saved, e)) < 0)
		return err_prefix(e, "exec process file %s", a->process);
	if ((r = json_dump(process, false, &text, &len, e)) < 0)
		return r;
	return fs_write_atomic_sync(a->process, text, len, st.st_mode & 07777, FS_SYNC_FILE, e);
}

int harden_exec(const struct rt_args *a, const struct node_config *nc, struct err *e)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_json_ struct json *saved = NULL;

	if (!a->container_id)
		return 0;
	int r = state_dir_path(nc->state_dir, argv_root(a), a->container_id, &dir, e);
	if (r < 0)
		return r;
	r = state_load_hardening(dir, &saved, e);
	if (r == -ENOENT)
		return 0; /* not a container hardrun hardened */
	if (r < 0)
		return err_prefix(e, "container %s hardening state", a->container_id);
	r = a->process ? _exec_process(a, saved, e) : _check_exec_flags(a, saved, e);
	if (r < 0)
		return r;
	/* last: a refused exec must not open a session */
	return monitor_exec_attach(dir, e);
}

void harden_delete(const struct rt_args *a, const struct node_config *nc)
{
	_cleanup_free_ char *dir = NULL;
	if (!a->container_id ||
	    state_dir_path(nc->state_dir, argv_root(a), a->container_id, &dir, NULL) < 0)
		return;
	if (!a->force && state_container_running(argv_root(a), a->container_id))
		return;
	launch_audit_forget(dir);
	(void)label_release(nc, strrchr(dir, '/') + 1, NULL);
	(void)monitor_delete(nc->state_dir, argv_root(a), a->container_id, NULL);
}
