// SPDX-License-Identifier: GPL-2.0-or-later
/* Hardening of a spec with a profile, LSMs aside (include/hardrun/engine.h). */
#include <errno.h>
#include <string.h>

#include "hardrun/caps.h"
#include "hardrun/cleanup.h"
#include "hardrun/engine.h"
#include "hardrun/filter.h"

int engine_apply_process(struct json *process, const struct profile *p, struct err *e)
{
	int r;

	if (!json_is(process, JSON_OBJECT))
		return err_set(e, EINVAL, "process: expected object");
	if (p->caps_set && (r = caps_apply(process, p->caps, p->ambient, e)) < 0)
		return r;
	if (p->no_new_privileges &&
	    json_obj_set(process, "noNewPrivileges", json_new_bool(true)) < 0)
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

static int _readonly_root(struct json *spec, const struct profile *p, struct err *e)
{
	struct json *root;

	if (!p->readonly_rootfs)
		return 0;
	root = json_obj_ensure_object(spec, "root");
	if (!root || json_obj_set(root, "readonly", json_new_bool(true)) < 0)
		return err_set(e, EINVAL, "root: cannot set readonly");
	return 0;
}

static bool _has(const struct json *arr, const char *s)
{
	json_foreach (i, arr) {
		if (json_string(arr->items[i]) && strcmp(json_string(arr->items[i]), s) == 0)
			return true;
	}
	return false;
}

static int _add_paths(struct json *linux_, const char *key, char **paths, struct err *e)
{
	struct json *arr;

	if (!paths || !*paths)
		return 0;
	arr = json_obj_ensure_array(linux_, key);
	if (!arr)
		return err_set(e, EINVAL, "linux.%s: expected array", key);
	for (; *paths; paths++)
		if (!_has(arr, *paths) && json_arr_append(arr, json_new_string(*paths)) < 0)
			return err_set(e, ENOMEM, "out of memory");
	return 0;
}

static int _seccomp(struct json *linux_, const struct json *process, const struct profile *p,
		    const struct filter_env *env, struct err *e)
{
	_cleanup_json_ struct json *ours = NULL, *merged = NULL;
	const struct json *existing = json_get(linux_, "seccomp");
	struct filter_env host;

	if (!env) {
		filter_env_host(&host);
		filter_env_probe_abis(&host);
		env = &host;
	}
	int r = filter_render_env(p->seccomp, caps_process_mask(process), env, &ours, e);
	if (r < 0)
		return err_prefix(e, "profile %s: seccomp", p->name);
	if (existing && !json_is(existing, JSON_NULL)) {
		r = filter_combine(existing, ours, &merged, e);
		if (r < 0)
			return err_prefix(e, "combining with the bundle's seccomp filter");
	}
	filter_trim_arches(merged ? merged : ours, env);
	if (json_obj_set(linux_, "seccomp",
			 merged ? steal_pointer(&merged) : steal_pointer(&ours)) < 0)
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

int engine_apply(struct json *spec, const struct profile *p, const struct filter_env *env,
		 struct err *e)
{
	struct json *process = json_get(spec, "process");
	struct json *linux_;
	int r = engine_apply_process(process, p, e);

	if (r >= 0)
		r = _readonly_root(spec, p, e);
	if (r < 0)
		return r;
	linux_ = json_obj_ensure_object(spec, "linux");
	if (!linux_)
		return err_set(e, EINVAL, "linux: expected object");
	r = _add_paths(linux_, "maskedPaths", p->masked_paths, e);
	if (r >= 0)
		r = _add_paths(linux_, "readonlyPaths", p->readonly_paths, e);
	if (r >= 0 && p->seccomp)
		r = _seccomp(linux_, process, p, env, e);
	return r;
}
