// SPDX-License-Identifier: GPL-2.0-or-later
/* SELinux process and mount labels for a container, and their exec side. */
#include <ctype.h>
#include <errno.h>
#include <selinux/selinux.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/cleanup.h"
#include "hardrun/label.h"
#include "hardrun/mcs.h"

static const char *const _label_keys[] = { "type", "fileType", "level", NULL };

static bool _label_type_valid(const char *t)
{
	size_t len = t ? strlen(t) : 0;

	if (len < 3 || len > LABEL_TYPE_MAX || !islower((unsigned char)t[0]) ||
	    strcmp(t + len - 2, "_t") != 0)
		return false;
	for (const char *c = t; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '_')
			return false;
	return true;
}

/* "cN" with N < 1024 and no leading zero; *end past it. */
static bool _label_category(const char *s, unsigned *ret, const char **end)
{
	unsigned v = 0;
	const char *c = s + 1;

	if (s[0] != 'c' || !isdigit((unsigned char)*c) ||
	    (c[0] == '0' && isdigit((unsigned char)c[1])))
		return false;
	for (; isdigit((unsigned char)*c) && v < MCS_CATEGORIES; c++)
		v = v * 10 + (unsigned)(*c - '0');
	*ret = v;
	*end = c;
	return v < MCS_CATEGORIES;
}

bool label_level_valid(const char *level)
{
	unsigned a, b;
	const char *p;

	if (!level || strncmp(level, "s0", 2) != 0)
		return false;
	if (!level[2])
		return true;
	if (level[2] != ':' || !_label_category(level + 3, &a, &p))
		return false;
	if (!*p)
		return true;
	return *p == ',' && _label_category(p + 1, &b, &p) && !*p && a < b;
}

static const char *_label_str(const struct json *section, const char *key, const char *dflt)
{
	const struct json *v = json_get(section, key);
	return v ? json_string(v) : dflt;
}

int label_validate(const struct json *section, struct err *e)
{
	const char *level = _label_str(section, "level", "auto");

	if (!json_is(section, JSON_OBJECT))
		return err_set(e, EINVAL, "selinux: must be an object");
	json_foreach (i, section) {
		bool known = false;
		for (const char *const *k = _label_keys; *k; k++)
			known |= strcmp(*k, section->keys[i]) == 0;
		if (!known)
			return err_set(e, EINVAL, "selinux: unknown key \"%s\"", section->keys[i]);
	}
	if (!_label_type_valid(_label_str(section, "type", LABEL_DEFAULT_TYPE)))
		return err_set(e, EINVAL, "selinux.type: want a type name [a-z][a-z0-9_]*_t");
	if (!_label_type_valid(_label_str(section, "fileType", LABEL_DEFAULT_FILE_TYPE)))
		return err_set(e, EINVAL, "selinux.fileType: want a type name [a-z][a-z0-9_]*_t");
	if (!level || (strcmp(level, "auto") != 0 && !label_level_valid(level)))
		return err_set(e, EINVAL,
			       "selinux.level: want \"auto\", \"s0\", \"s0:cX\" or \"s0:cX,cY\" "
			       "(X < Y < 1024)");
	return 0;
}

/* The level of the bundle's own process label when it has categories. */
static const char *_label_bundle_level(const struct json *spec)
{
	const char *l = json_string(json_get_path(spec, "process.selinuxLabel"));

	for (int colons = 0; l && *l && colons < 3; l++)
		colons += *l == ':';
	return l && strchr(l, ':') && label_level_valid(l) ? l : NULL;
}

static int _label_level(const struct json *spec, const char *key, const char *level,
			const char *state_dir, char buf[static MCS_LEVEL_MAX], struct err *e)
{
	struct mcs_pair p;
	const char *bundle;
	int r;

	if (strcmp(level, "auto") != 0) {
		snprintf(buf, MCS_LEVEL_MAX, "%s", level);
		return 0;
	}
	if ((bundle = _label_bundle_level(spec))) {
		snprintf(buf, MCS_LEVEL_MAX, "%s", bundle);
		return 0;
	}
	if ((r = mcs_allocate(state_dir, key, &p, e)) < 0)
		return err_prefix(e, "selinux"), r;
	mcs_format(&p, buf);
	return 0;
}

int label_compute(const struct json *spec, const char *key, const struct json *section,
		  const char *state_dir, char **ret_process, char **ret_mount, struct err *e)
{
	char level[MCS_LEVEL_MAX];
	_cleanup_free_ char *proc = NULL, *mount = NULL;
	int r;

	if ((r = label_validate(section, e)) < 0)
		return r;
	r = _label_level(spec, key, _label_str(section, "level", "auto"), state_dir, level, e);
	if (r < 0)
		return r;
	if (asprintf(&proc, "system_u:system_r:%s:%s",
		     _label_str(section, "type", LABEL_DEFAULT_TYPE), level) < 0 ||
	    asprintf(&mount, "system_u:object_r:%s:%s",
		     _label_str(section, "fileType", LABEL_DEFAULT_FILE_TYPE), level) < 0)
		return err_set(e, ENOMEM, "selinux: out of memory");
	*ret_process = steal_pointer(&proc);
	*ret_mount = steal_pointer(&mount);
	return 0;
}

static int _label_put(struct json *o, const char *key, const char *val, struct err *e)
{
	struct json *s = json_new_string(val);

	if (!s || json_obj_set(o, key, s) < 0)
		return err_set(e, ENOMEM, "selinux: out of memory");
	return 0;
}

static int _label_set(struct json *spec, const char *obj, const char *key, const char *val,
		      struct err *e)
{
	struct json *o = json_obj_ensure_object(spec, obj);

	if (!o)
		return err_set(e, EINVAL, "selinux: spec \"%s\" is not an object", obj);
	return _label_put(o, key, val, e);
}

static int _label_check(const char *label, struct err *e)
{
	if (security_check_context(label) < 0)
		return err_set(e, EINVAL,
			       "selinux: %s is not valid in the loaded policy (load the type with "
			       "`hardrun profile export NAME --format cil > NAME.cil; semodule -i "
			       "NAME.cil`)",
			       label);
	return 0;
}

static int _label_unavailable(const struct node_config *nc, char **ret_warning, struct err *e)
{
	if (nc->lsm_unavailable == LSM_UNAVAILABLE_FAIL)
		return err_set(e, EOPNOTSUPP,
			       "selinux: profile sets a label but SELinux is not enabled on this "
			       "host (lsmUnavailable=fail)");
	*ret_warning = strdup("selinux: not enabled on this host; SELinux label not applied "
			      "(lsmUnavailable=skip)");
	return *ret_warning ? 0 : err_set(e, ENOMEM, "selinux: out of memory");
}

int label_apply(struct json *spec, const char *key, const struct json *section,
		const struct node_config *nc, char **ret_warning, struct err *e)
{
	_cleanup_free_ char *proc = NULL, *mount = NULL;
	int r;

	*ret_warning = NULL;
	if (!section)
		return 0;
	if ((r = label_validate(section, e)) < 0)
		return r;
	if (is_selinux_enabled() != 1)
		return _label_unavailable(nc, ret_warning, e);
	if ((r = label_compute(spec, key, section, nc->state_dir, &proc, &mount, e)) < 0)
		return r;
	if ((r = _label_check(proc, e)) < 0 || (r = _label_check(mount, e)) < 0 ||
	    (r = _label_set(spec, "process", "selinuxLabel", proc, e)) < 0 ||
	    (r = _label_set(spec, "linux", "mountLabel", mount, e)) < 0) {
		(void)mcs_release(nc->state_dir, key, NULL);
		return r;
	}
	return 0;
}

int label_release(const struct node_config *nc, const char *key, struct err *e)
{
	int r = mcs_release(nc->state_dir, key, e);
	return r < 0 ? err_prefix(e, "selinux"), r : 0;
}

int label_apply_exec(struct json *process, const char *saved_label, struct err *e)
{
	if (!saved_label || !*saved_label)
		return 0;
	if (!json_is(process, JSON_OBJECT))
		return err_set(e, EINVAL, "selinux: exec process is not an object");
	return _label_put(process, "selinuxLabel", saved_label, e);
}
