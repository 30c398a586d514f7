// SPDX-License-Identifier: GPL-2.0-or-later
/* The bundle's pre-hardening fields (include/hardrun/stash.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/stash.h"

#define STASH_MAX (16u << 20)

/* Every field a hardening step may change: {parent object, key}. */
static const struct {
	const char *parent;
	const char *key;
} _fields[] = {
	{ "process", "capabilities" },	  { "process", "noNewPrivileges" },
	{ "process", "apparmorProfile" }, { "process", "selinuxLabel" },
	{ "linux", "seccomp" },		  { "linux", "mountLabel" },
	{ "linux", "maskedPaths" },	  { "linux", "readonlyPaths" },
	{ "root", "readonly" },
};

#define N_FIELDS (sizeof(_fields) / sizeof(_fields[0]))

/* {"process.capabilities": value or null, ...} */
static int _capture(const struct json *spec, struct json **ret)
{
	_cleanup_json_ struct json *out = json_new_object();
	char key[64];
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < N_FIELDS; i++) {
		const struct json *v = json_get(json_get(spec, _fields[i].parent), _fields[i].key);
		(void)snprintf(key, sizeof(key), "%s.%s", _fields[i].parent, _fields[i].key);
		if (json_obj_set(out, key, v ? json_clone(v) : json_new_null()) < 0)
			return -ENOMEM;
	}
	*ret = steal_pointer(&out);
	return 0;
}

static int _apply(struct json *spec, const struct json *stash)
{
	char key[64];
	for (size_t i = 0; i < N_FIELDS; i++) {
		(void)snprintf(key, sizeof(key), "%s.%s", _fields[i].parent, _fields[i].key);
		const struct json *v = json_get(stash, key);
		struct json *parent = json_get(spec, _fields[i].parent);
		if (!v || json_is(v, JSON_NULL)) {
			(void)json_obj_del(parent, _fields[i].key);
			continue;
		}
		if (!parent && !(parent = json_obj_ensure_object(spec, _fields[i].parent)))
			return -EINVAL;
		if (json_obj_set(parent, _fields[i].key, json_clone(v)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int stash_restore(const char *config_path, struct json *spec, struct json **ret_fields,
		  struct err *e)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_json_ struct json *stash = NULL;

	if (asprintf(&path, "%s%s", config_path, STASH_SUFFIX) < 0)
		return err_set(e, ENOMEM, "out of memory");
	if (access(path, F_OK) == 0) {
		int r = json_load_file(path, STASH_MAX, &stash, e);
		if (r < 0)
			return err_prefix(e, "bundle stash");
		if (!json_is(stash, JSON_OBJECT) || _apply(spec, stash) < 0)
			return err_set(e, EINVAL, "bundle stash %s: not what hardrun writes", path);
	}
	if (_capture(spec, ret_fields) < 0)
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

int stash_save(const char *config_path, const struct json *fields, struct err *e)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len;

	if (asprintf(&path, "%s%s", config_path, STASH_SUFFIX) < 0)
		return err_set(e, ENOMEM, "out of memory");
	if (access(path, F_OK) == 0)
		return 0;
	int r = json_dump(fields, false, &text, &len, e);
	if (r < 0)
		return r;
	r = fs_write_atomic_sync(path, text, len, 0600, FS_SYNC_NONE, e);
	return r < 0 ? r : 1;
}

void stash_remove(const char *config_path)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s%s", config_path, STASH_SUFFIX) >= 0)
		(void)unlink(path);
}
