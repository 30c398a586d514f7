// SPDX-License-Identifier: GPL-2.0-or-later
/* moby/docker seccomp JSON and OCI objects <-> a profile's seccomp section. */
#include <errno.h>
#include <string.h>

#include <seccomp.h>

#include "hardrun/cleanup.h"
#include "hardrun/filter.h"

static const char *const _rule_copy[] = { "action",   "errnoRet", "args", "comment",
					  "includes", "excludes", NULL };

static int _set_clone(struct json *o, const char *key, const struct json *v)
{
	return v ? json_obj_set(o, key, json_clone(v)) : 0;
}

/* archMap: the entry whose architecture is the native one, with its subarches. */
static struct json *_arches_from_map(const struct json *map)
{
	const char *native = filter_arch_scmp_name(seccomp_arch_native());
	json_foreach (i, map) {
		const struct json *ent = map->items[i];
		if (!native || strcmp(json_string(json_get(ent, "architecture")) ?: "", native))
			continue;
		_cleanup_json_ struct json *arr = json_new_array();
		const struct json *sub = json_get(ent, "subArchitectures");
		if (!arr || json_arr_append(arr, json_new_string(native)) < 0)
			return NULL;
		json_foreach (k, sub) {
			if (json_arr_append(arr, json_clone(sub->items[k])) < 0)
				return NULL;
		}
		return steal_pointer(&arr);
	}
	return json_new_array(); /* not for this host: empty, rejected by validation */
}

static int _names(const struct json *rule, struct json *out, size_t *dropped)
{
	const struct json *one = json_get(rule, "name"), *many = json_get(rule, "names");
	struct json *names = json_new_array();

	if (json_obj_set(out, "names", names) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < (many ? many->n : 0) + (one ? 1 : 0); i++) {
		const struct json *n = many && i < many->n ? many->items[i] : one;
		const char *s = json_string(n);
		if (s && seccomp_syscall_resolve_name(s) == __NR_SCMP_ERROR) {
			(*dropped)++;
			continue;
		}
		if (json_arr_append(names, json_clone(n)) < 0)
			return -ENOMEM;
	}
	return (int)names->n;
}

static int _import_rules(const struct json *rules, struct json *out, size_t *dropped)
{
	struct json *arr = json_new_array();
	if (json_obj_set(out, "syscalls", arr) < 0)
		return -ENOMEM;
	json_foreach (i, rules) {
		_cleanup_json_ struct json *r = json_new_object();
		int n = r ? _names(rules->items[i], r, dropped) : -ENOMEM;
		for (const char *const *k = _rule_copy; n > 0 && *k; k++)
			if (_set_clone(r, *k, json_get(rules->items[i], *k)) < 0)
				n = -ENOMEM;
		if (n < 0)
			return n;
		if (n > 0 && json_arr_append(arr, steal_pointer(&r)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int filter_import(const struct json *doc, struct json **ret, size_t *ret_dropped, struct err *e)
{
	_cleanup_json_ struct json *out = json_new_object();
	const struct json *map = json_get(doc, "archMap");
	size_t dropped = 0;
	int r = 0;

	if (json_get(doc, "linux") || json_get(doc, "ociVersion"))
		doc = json_get_path(doc, "linux.seccomp");
	if (!json_is(doc, JSON_OBJECT) || !json_get(doc, "defaultAction"))
		return err_set(e, EINVAL, "not a seccomp profile (no defaultAction)");
	if (!out)
		return err_set(e, ENOMEM, "out of memory");
	r = _set_clone(out, "defaultAction", json_get(doc, "defaultAction"));
	if (r >= 0)
		r = _set_clone(out, "defaultErrnoRet", json_get(doc, "defaultErrnoRet"));
	if (r >= 0 && map)
		r = json_obj_set(out, "architectures", _arches_from_map(map));
	else if (r >= 0)
		r = _set_clone(out, "architectures", json_get(doc, "architectures"));
	if (r >= 0)
		r = _set_clone(out, "flags", json_get(doc, "flags"));
	if (r >= 0)
		r = _import_rules(json_get(doc, "syscalls"), out, &dropped);
	if (r < 0)
		return err_set(e, -r, "import: out of memory");
	if (ret_dropped)
		*ret_dropped = dropped;
	*ret = steal_pointer(&out);
	return 0;
}

static struct json *_arch_map(const struct json *arches)
{
	_cleanup_json_ struct json *map = json_new_array();
	struct json *ent = json_new_object(), *sub = json_new_array();

	if (!map || json_arr_append(map, ent) < 0 || !arches || !arches->n)
		goto out;
	if (_set_clone(ent, "architecture", arches->items[0]) < 0 ||
	    json_obj_set(ent, "subArchitectures", sub) < 0)
		return NULL;
	for (size_t i = 1; i < arches->n; i++)
		if (json_arr_append(sub, json_clone(arches->items[i])) < 0)
			return NULL;
	return steal_pointer(&map);
out:
	json_free(sub);
	return map ? steal_pointer(&map) : NULL;
}

int filter_to_docker(const struct json *sec, struct json **ret, struct err *e)
{
	static const char *const keys[] = { "defaultAction", "defaultErrnoRet", "archMap",
					    "flags",	     "syscalls",	NULL };
	_cleanup_json_ struct json *out = json_new_object();

	for (const char *const *k = keys; out && *k; k++) {
		int r = strcmp(*k, "archMap") == 0
				? json_obj_set(out, *k, _arch_map(json_get(sec, "architectures")))
				: _set_clone(out, *k, json_get(sec, *k));
		if (r < 0)
			return err_set(e, ENOMEM, "out of memory");
	}
	if (!out)
		return err_set(e, ENOMEM, "out of memory");
	*ret = steal_pointer(&out);
	return 0;
}
