// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The launch rules and their node config keys (include/hardrun/launch.h):
 *
 *   "launchPolicy": {"launch_privileged": "deny", "launch_ambient_caps": "off"}
 *   "launchExempt": [{"namespace": "kube-system", "pod": "calico-node-*",
 *                     "image": "quay.io/calico/node:*", "rules": ["launch_privileged"]}]
 *   "launchSensitiveMounts": ["/", "/etc", "rw:/proc", ...]
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/cleanup.h"
#include "hardrun/launch.h"

#define LAUNCH_PATTERN_MAX 253

#define TAGS "container,hardrun,launch"

const struct launch_rule_def launch_rules[LAUNCH__COUNT] = {
	[LAUNCH_PRIVILEGED] = { "launch_privileged", "Launch Privileged Container", PRIO_CRITICAL,
				TAGS ",mitre_privilege_escalation,T1611" },
	[LAUNCH_SENSITIVE_MOUNT] = { "launch_sensitive_mount", "Launch Sensitive Mount Container",
				     PRIO_ERROR,
				     TAGS ",filesystem,mitre_privilege_escalation,T1611" },
	[LAUNCH_HOST_NAMESPACE] = { "launch_host_namespace", "Launch Container in Host Namespace",
				    PRIO_WARNING, TAGS ",mitre_privilege_escalation,T1611" },
	[LAUNCH_SENSITIVE_DEVICE] = { "launch_sensitive_device",
				      "Launch Container with Host Memory or Block Device",
				      PRIO_CRITICAL, TAGS ",mitre_privilege_escalation,T1611" },
	[LAUNCH_UNSAFE_SYSCTL] = { "launch_unsafe_sysctl", "Launch Container with Unsafe Sysctl",
				   PRIO_WARNING, TAGS ",mitre_defense_evasion" },
	[LAUNCH_AMBIENT_CAPS] = { "launch_ambient_caps",
				  "Launch Container with Ambient Capabilities", PRIO_NOTICE,
				  TAGS ",mitre_privilege_escalation" },
};

const struct launch_rule_def *launch_rule_find(const char *name, enum launch_rule *ret)
{
	for (unsigned i = 0; i < LAUNCH__COUNT; i++)
		if (strcmp(launch_rules[i].name, name) == 0) {
			*ret = (enum launch_rule)i;
			return &launch_rules[i];
		}
	return NULL;
}

static const char *const _default_mounts[] = {
	"/",
	"/etc",
	"/root",
	"/boot",
	"/lib/modules",
	"/var/lib/kubelet",
	"/run/docker.sock",
	"/var/run/docker.sock",
	"/run/containerd/containerd.sock",
	"/var/run/containerd/containerd.sock",
	"/run/crio/crio.sock",
	"/var/run/crio/crio.sock",
	"rw:/proc",
	"rw:/sys",
	"rw:/dev",
	NULL,
};

static void _exempt_free(struct launch_exempt *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(x[i].ns);
		free(x[i].pod);
		free(x[i].image);
	}
	free(x);
}

void launch_conf_release(struct launch_config *c)
{
	strv_free(c->sensitive_mounts);
	_exempt_free(c->exempt, c->n_exempt);
	memset(c, 0, sizeof(*c));
}

void launch_conf_defaults(struct launch_config *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned i = 0; i < LAUNCH__COUNT; i++)
		c->action[i] = ACTION_ALERT;
}

const char *const *launch_conf_mounts_of(const struct launch_config *c)
{
	return c->sensitive_mounts ? (const char *const *)c->sensitive_mounts : _default_mounts;
}

static int _rule(const char *key, const char *name, enum launch_rule *ret, struct err *e)
{
	if (!launch_rule_find(name, ret))
		return err_set(
			e, EINVAL,
			"%s: unknown rule \"%s\" (launch_privileged, launch_sensitive_mount, "
			"launch_host_namespace, launch_sensitive_device, "
			"launch_unsafe_sysctl, launch_ambient_caps)",
			key, name);
	return 0;
}

int launch_conf_policy(struct launch_config *c, const char *key, const struct json *v,
		       struct err *e)
{
	if (!json_is(v, JSON_OBJECT))
		return err_set(e, EINVAL, "%s: must be an object of rule: alert|deny|off", key);
	json_foreach (i, v) {
		enum launch_rule r = LAUNCH_PRIVILEGED;
		enum rule_action a;
		const char *s = json_string(v->items[i]);
		if (_rule(key, v->keys[i], &r, e) < 0)
			return -EINVAL;
		if (!s || rule_action_parse(s, &a) < 0 || a == ACTION_KILL)
			return err_set(e, EINVAL, "%s.%s: must be \"alert\", \"deny\" or \"off\"",
				       key, v->keys[i]);
		c->action[r] = a;
	}
	return 0;
}

/* A pattern: a non-empty string of printable ASCII, at most 253 bytes. */
static int _pattern(const char *key, size_t i, const char *field, const struct json *v, char **slot,
		    struct err *e)
{
	const char *s = json_string(v);
	bool ok = s && *s && strlen(s) <= LAUNCH_PATTERN_MAX;
	for (const char *p = s; ok && *p; p++)
		ok = *p > 0x20 && *p < 0x7f;
	if (!ok)
		return err_set(e, EINVAL,
			       "%s[%zu].%s: must be a pattern (printable ASCII, 1 to %d bytes)",
			       key, i, field, LAUNCH_PATTERN_MAX);
	if (!(*slot = strdup(s)))
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

static int _exempt_rules(const char *key, size_t i, const struct json *v, struct launch_exempt *x,
			 struct err *e)
{
	if (!v) {
		for (unsigned r = 0; r < LAUNCH__COUNT; r++)
			x->rules[r] = true;
		return 0;
	}
	if (!json_is(v, JSON_ARRAY) || !v->n)
		return err_set(e, EINVAL, "%s[%zu].rules: must be a non-empty array of rule names",
			       key, i);
	json_foreach (k, v) {
		enum launch_rule r = LAUNCH_PRIVILEGED;
		const char *s = json_string(v->items[k]);
		char where[64];
		(void)snprintf(where, sizeof(where), "%s[%zu].rules[%zu]", key, i, k);
		if (!s)
			return err_set(e, EINVAL, "%s: must be a rule name", where);
		if (_rule(where, s, &r, e) < 0)
			return -EINVAL;
		x->rules[r] = true;
	}
	return 0;
}

static int _exempt_entry(const char *key, size_t i, const struct json *o, struct launch_exempt *x,
			 struct err *e)
{
	static const char *const fields[] = { "namespace", "pod", "image", "rules" };
	char **slots[] = { &x->ns, &x->pod, &x->image };
	if (!json_is(o, JSON_OBJECT))
		return err_set(e, EINVAL, "%s[%zu]: must be an object", key, i);
	json_foreach (k, o) {
		size_t f = 0;
		while (f < 4 && strcmp(o->keys[k], fields[f]) != 0)
			f++;
		if (f == 4)
			return err_set(e, EINVAL,
				       "%s[%zu]: unknown key \"%s\" (namespace, pod, image, rules)",
				       key, i, o->keys[k]);
		if (f == 3)
			continue;
		if (*slots[f])
			return err_set(e, EINVAL, "%s[%zu].%s: given twice", key, i, fields[f]);
		if (_pattern(key, i, fields[f], o->items[k], slots[f], e) < 0)
			return -EINVAL;
	}
	if (!x->ns && !x->pod && !x->image)
		return err_set(e, EINVAL, "%s[%zu]: needs a namespace, pod or image pattern", key,
			       i);
	return _exempt_rules(key, i, json_get(o, "rules"), x, e);
}

int launch_conf_exempt(struct launch_config *c, const char *key, const struct json *v,
		       struct err *e)
{
	if (!json_is(v, JSON_ARRAY))
		return err_set(e, EINVAL, "%s: must be an array of objects", key);
	struct launch_exempt *x = calloc(v->n ? v->n : 1, sizeof(*x));
	if (!x)
		return err_set(e, ENOMEM, "out of memory");
	json_foreach (i, v)
		if (_exempt_entry(key, i, v->items[i], &x[i], e) < 0) {
			_exempt_free(x, v->n);
			return -EINVAL;
		}
	_exempt_free(c->exempt, c->n_exempt);
	c->exempt = x;
	c->n_exempt = v->n;
	return 0;
}

bool launch_conf_mount_valid(const char *s)
{
	const char *path = strncmp(s, "rw:", 3) == 0 ? s + 3 : s;
	return path[0] == '/' && strlen(path) < 4096 && !strstr(path, "//");
}

static bool _match(const char *pattern, const char *value)
{
	return !pattern || (value && *value && fnmatch(pattern, value, 0) == 0);
}

bool launch_conf_exempted(const struct launch_config *c, enum launch_rule r, const struct podid *id)
{
	for (size_t i = 0; i < c->n_exempt; i++) {
		const struct launch_exempt *x = &c->exempt[i];
		if (x->rules[r] && _match(x->ns, id->ns) && _match(x->pod, id->pod) &&
		    _match(x->image, id->image))
			return true;
	}
	return false;
}
