// SPDX-License-Identifier: GPL-2.0-or-later
/* The "apparmor", "selinux" and "monitor" sections of a profile. */
#include <string.h>

#include "hardrun/apparmor.h"
#include "hardrun/label.h"
#include "hardrun/profile_check.h"
#include "hardrun/rules.h"

static int _check_paths(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_strings(c, v, jcheck_abs_path, NULL);
}

/* The LSM modules own their sections' grammar; the profile checker defers to them. */
int profile_check_apparmor(struct jcheck *c, const struct json *v, void *data)
{
	return apparmor_validate("profile", v, c->e);
}

int profile_check_selinux(struct jcheck *c, const struct json *v, void *data)
{
	return label_validate(v, c->e);
}

static int _check_rules(struct jcheck *c, const struct json *v, void *data)
{
	int r = jcheck_type(c, v, JSON_OBJECT);
	json_foreach (i, v) {
		enum rule_action a;
		const char *s = json_string(v->items[i]);
		if (r < 0)
			break;
		size_t m = jcheck_key(c, v->keys[i]);
		if (!rules_find(v->keys[i]))
			r = jcheck_fail(c, "unknown rule");
		else if (!s || rule_action_parse(s, &a) < 0)
			r = jcheck_fail(c, "bad action (alert, deny, kill, off)");
		jcheck_pop(c, m);
	}
	return r;
}

/* A process name as /proc/<pid>/comm shows it: 1..15 bytes, no '/'. */
static int _comm_ok(struct jcheck *c, const char *s, void *data)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15 || strchr(s, '/'))
		return jcheck_fail(c, "\"%s\" is not a process name (1 to 15 bytes, no '/')", s);
	return 0;
}

static int _check_comms(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_strings(c, v, _comm_ok, NULL);
}

/* "notify" (the default: the node's monitorMechanism decides) or "ptrace". */
static int _check_mechanism(struct jcheck *c, const struct json *v, void *data)
{
	const char *s = json_string(v);
	if (!s || (strcmp(s, "notify") != 0 && strcmp(s, "ptrace") != 0))
		return jcheck_fail(c, "must be \"notify\" or \"ptrace\"");
	return 0;
}

int profile_check_monitor(struct jcheck *c, const struct json *v, void *data)
{
	static const char *const keys[] = { "rules", "knownBinaries", "shellParents", "mechanism",
					    NULL };
	static const struct jcheck_spec fields[] = {
		{ "rules", _check_rules, NULL, false },
		{ "knownBinaries", _check_paths, NULL, false },
		{ "shellParents", _check_comms, NULL, false },
		{ "mechanism", _check_mechanism, NULL, false },
	};
	int r = jcheck_keys(c, v, keys);
	return r < 0 ? r : jcheck_fields(c, v, fields, sizeof(fields) / sizeof(fields[0]));
}
