// SPDX-License-Identifier: GPL-2.0-or-later
/* Profiles: parse, validate, load, serialise (include/hardrun/profile.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/caps.h"
#include "hardrun/cleanup.h"
#include "hardrun/filter.h"
#include "hardrun/jcheck.h"
#include "hardrun/profile.h"
#include "hardrun/profile_check.h"

#define PROFILE_MAX_SIZE (4u << 20)

static const char *const _keys[] = { "hardrun",		"name",
				     "description",	"seccomp",
				     "capabilities",	"ambientCapabilities",
				     "noNewPrivileges", "readonlyRootfs",
				     "maskedPaths",	"readonlyPaths",
				     "apparmor",	"selinux",
				     "monitor",		NULL };

/* profile_name_valid() lives in shim/policy.c (the lead's). */

static int _check_version(struct jcheck *c, const struct json *v, void *data)
{
	int64_t n;
	if (json_to_int64(v, &n) < 0 || n != 1)
		return jcheck_fail(c, "unsupported version (want 1)");
	return 0;
}

static int _check_name(struct jcheck *c, const struct json *v, void *data)
{
	const char *s = json_string(v);
	if (!s)
		return jcheck_type(c, v, JSON_STRING);
	return profile_name_valid(s) ? 0 : jcheck_fail(c, "invalid profile name \"%s\"", s);
}

static int _check_string(struct jcheck *c, const struct json *v, void *data)
{
	return json_string(v) ? 0 : jcheck_type(c, v, JSON_STRING);
}

static int _check_bool(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_type(c, v, JSON_BOOL);
}

static int _check_cap(struct jcheck *c, const char *s, void *data)
{
	unsigned bit;
	if (caps_from_name(s, &bit) < 0)
		return jcheck_fail(c, "unknown capability \"%s\"", s);
	if (data && !(*(const uint64_t *)data & (UINT64_C(1) << bit)))
		return jcheck_fail(c, "%s is not in \"capabilities\"", s);
	return 0;
}

static int _check_caps(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_strings(c, v, _check_cap, data);
}

static int _check_paths(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_strings(c, v, jcheck_abs_path, NULL);
}

static int _check_seccomp(struct jcheck *c, const struct json *v, void *data)
{
	return filter_check(c, v, FILTER_CHECK_PROFILE);
}

static const struct {
	const char *key;
	int (*check)(struct jcheck *c, const struct json *v, void *data);
} _fields[] = {
	{ "hardrun", _check_version },	      { "name", _check_name },
	{ "description", _check_string },     { "seccomp", _check_seccomp },
	{ "capabilities", _check_caps },      { "noNewPrivileges", _check_bool },
	{ "readonlyRootfs", _check_bool },    { "maskedPaths", _check_paths },
	{ "readonlyPaths", _check_paths },    { "apparmor", profile_check_apparmor },
	{ "selinux", profile_check_selinux }, { "monitor", profile_check_monitor },
};

static int _check(const struct json *doc, struct err *e)
{
	struct jcheck c;
	uint64_t allowed = CAPS_ALL;
	int r;

	jcheck_init(&c, e);
	r = jcheck_keys(&c, doc, _keys);
	if (r >= 0)
		r = jcheck_required(&c, doc, "hardrun");
	if (r >= 0)
		r = jcheck_required(&c, doc, "name");
	for (size_t i = 0; r >= 0 && i < sizeof(_fields) / sizeof(_fields[0]); i++)
		r = jcheck_field(&c, doc, _fields[i].key, _fields[i].check, NULL);
	if (r >= 0 && json_get(doc, "capabilities"))
		(void)caps_mask_from_json(json_get(doc, "capabilities"), true, &allowed, NULL);
	if (r >= 0)
		r = jcheck_field(&c, doc, "ambientCapabilities", _check_caps, &allowed);
	return r;
}

static char **_strv(const struct json *arr)
{
	char **v = calloc((arr ? arr->n : 0) + 1, sizeof(char *));
	json_foreach (i, arr) {
		if (!v || !(v[i] = strdup(json_string(arr->items[i]))))
			return strv_free(v), NULL;
	}
	return v;
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->description);
	json_free(p->doc);
	strv_free(p->masked_paths);
	strv_free(p->readonly_paths);
	free(p);
}

static int _fill(struct profile *p, struct err *e)
{
	const struct json *d = p->doc;
	const struct json *desc = json_get(d, "description");

	p->name = strdup(json_string(json_get(d, "name")));
	p->description = strdup(desc ? json_string(desc) : "");
	p->seccomp = json_get(d, "seccomp");
	p->caps_set = json_get(d, "capabilities") != NULL;
	p->caps = CAPS_ALL;
	if (p->caps_set)
		(void)caps_mask_from_json(json_get(d, "capabilities"), true, &p->caps, NULL);
	if (json_get(d, "ambientCapabilities"))
		(void)caps_mask_from_json(json_get(d, "ambientCapabilities"), true, &p->ambient,
					  NULL);
	p->no_new_privileges = json_is_true(json_get(d, "noNewPrivileges"));
	p->readonly_rootfs = json_is_true(json_get(d, "readonlyRootfs"));
	p->masked_paths = _strv(json_get(d, "maskedPaths"));
	p->readonly_paths = _strv(json_get(d, "readonlyPaths"));
	p->apparmor = json_get(d, "apparmor");
	p->selinux = json_get(d, "selinux");
	p->monitor = json_get(d, "monitor");
	if (!p->name || !p->description || !p->masked_paths || !p->readonly_paths)
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

int profile_parse(const struct json *doc, struct profile **ret, struct err *e)
{
	_cleanup_profile_ struct profile *p = NULL;
	int r = _check(doc, e);

	if (r < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->doc = json_clone(doc)))
		return err_set(e, ENOMEM, "out of memory");
	r = _fill(p, e);
	if (r < 0)
		return r;
	*ret = steal_pointer(&p);
	return 0;
}

int profile_load_file(const char *path, struct profile **ret, struct err *e)
{
	_cleanup_json_ struct json *doc = NULL;
	int r = json_load_file(path, PROFILE_MAX_SIZE, &doc, e);

	if (r >= 0)
		r = profile_parse(doc, ret, e);
	return r < 0 ? err_prefix(e, "%s", path) : 0;
}

int profile_load(const struct node_config *nc, const char *name, struct profile **ret,
		 struct err *e)
{
	char path[PATH_MAX];
	_cleanup_profile_ struct profile *p = NULL;

	if (!profile_name_valid(name))
		return err_set(e, EINVAL, "invalid profile name \"%s\"", name);
	for (char **dir = nc->profile_dirs; dir && *dir; dir++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s.json", *dir, name) >= sizeof(path))
			return err_set(e, ENAMETOOLONG, "profile path too long");
		if (access(path, F_OK) < 0 && errno == ENOENT)
			continue;
		int r = profile_load_file(path, &p, e);
		if (r < 0)
			return r;
		if (strcmp(p->name, name) != 0)
			return err_set(e, EINVAL, "%s: \"name\" is \"%s\", want \"%s\"", path,
				       p->name, name);
		*ret = steal_pointer(&p);
		return 0;
	}
	return err_set(e, ENOENT, "profile \"%s\" not found in profileDirs", name);
}

int profile_to_json(const struct profile *p, char **ret_buf, size_t *ret_len, struct err *e)
{
	return json_dump(p->doc, true, ret_buf, ret_len, e);
}
