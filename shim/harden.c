// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The create / exec / delete pipeline (include/hardrun/harden.h).
 *
 * create: load config.json -> resolve policy from the node config and the
 * annotations -> (mode off: stop, file untouched) -> load the profile -> run
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
#include <sys/wait.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/harden.h"
#include "hardrun/json.h"
#include "hardrun/policy.h"
#include "hardrun/profile.h"
#include "hardrun/rtlog.h"
#include "hardrun/state.h"

struct harden_ctx {
	const struct rt_args *a;
	const struct node_config *nc;
	char *config_path;
	mode_t config_mode;
	struct json *spec;
	struct policy pol;

	char *state_dir;
	bool state_created;
	pid_t monitor_pid;
};

typedef int (*_step_fn)(struct harden_ctx *c, struct err *e);

static const struct {
	const char *name;
	_step_fn fn;
} _steps[] = {
	{ NULL, NULL },
};

static void _ctx_release(struct harden_ctx *c)
{
	free(c->config_path);
	json_free(c->spec);

	free(c->state_dir);
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
	return 0;
}

static int _save_spec(struct harden_ctx *c, struct err *e)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = json_dump(c->spec, false, &text, &len, e);
	if (r < 0)
		return r;
	return fs_write_atomic(c->config_path, text, len, c->config_mode, e);
}

static void _undo(struct harden_ctx *c)
{
	if (c->monitor_pid > 0) {
		(void)kill(c->monitor_pid, SIGKILL);
		(void)waitpid(c->monitor_pid, NULL, 0);
	}
	if (c->state_created)
		(void)fs_rm_rf(c->state_dir, NULL);
}

static int _run_steps(struct harden_ctx *c, struct err *e)
{
	int r = state_dir_path(c->nc, argv_root(c->a), c->a->container_id, &c->state_dir, e);
	if (r < 0)
		return r;
	if ((r = state_dir_create(c->state_dir, e)) < 0)
		return r;
	c->state_created = true;
	for (size_t i = 0; _steps[i].fn; i++) {
		r = _steps[i].fn(c, e);
		if (r < 0)
			return err_prefix(e, "%s", _steps[i].name);
	}
	if ((r = state_save_hardening(c->state_dir, c->spec, e)) < 0)
		return r;
	return _save_spec(c, e);
}

int harden_create(const struct rt_args *a, const struct node_config *nc, struct err *e)
{
	struct harden_ctx c = { .a = a, .nc = nc };
	int r = _load_spec(&c, e);
	if (r < 0)
		goto out;
	r = policy_resolve(nc, json_get(c.spec, "annotations"), &c.pol, e);
	if (r < 0 || c.pol.mode == MODE_OFF)
		goto out;
	r = _run_steps(&c, e);
	if (r < 0)
		_undo(&c);
out:
	_ctx_release(&c);
	return r;
}

int harden_exec(const struct rt_args *a, const struct node_config *nc, struct err *e)
{
	return 0;
}

void harden_delete(const struct rt_args *a, const struct node_config *nc)
{
	_cleanup_free_ char *dir = NULL;
	if (!a->container_id || state_dir_path(nc, argv_root(a), a->container_id, &dir, NULL) < 0)
		return;
	if (!a->force && state_container_running(argv_root(a), a->container_id))
		return;
	(void)fs_rm_rf(dir, NULL);
}
