// SPDX-License-Identifier: GPL-2.0-or-later
/* Validation of a seccomp object: a profile's section or an OCI linux.seccomp. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <seccomp.h>

#include "hardrun/caps.h"
#include "hardrun/filter.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ERRNO_MAX 4095

static const char *const _keys_profile[] = { "defaultAction", "defaultErrnoRet", "architectures",
					     "flags",	      "syscalls",	 NULL };
static const char *const _keys_oci[] = { "defaultAction",    "defaultErrnoRet",
					 "architectures",    "flags",
					 "syscalls",	     "listenerPath",
					 "listenerMetadata", NULL };
static const char *const _keys_rule_profile[] = { "names",    "action",	  "errnoRet", "args",
						  "includes", "excludes", "comment",  NULL };
static const char *const _keys_rule_oci[] = { "names", "action", "errnoRet", "args", NULL };
static const char *const _keys_arg[] = { "index", "value", "valueTwo", "op", NULL };
static const char *const _keys_cond[] = { "caps", "arches", "minKernel", NULL };
static const char *const _flags[] = { "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
				      "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
				      "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };

struct _ctx {
	unsigned flags;
	uint32_t arches[32]; /* architectures the names are checked on */
	size_t narches;
};

static int _check_keys(struct jcheck *c, const struct json *o, const char *const *keys,
		       unsigned flags)
{
	if (flags & FILTER_CHECK_LAX_NAMES) /* bundle input: runc ignores unknown keys */
		return jcheck_type(c, o, JSON_OBJECT);
	return jcheck_keys(c, o, keys);
}

static int _check_action(struct jcheck *c, const struct json *act, const struct json *ret,
			 unsigned flags)
{
	enum filter_act a;
	uint64_t v;
	const char *s = json_string(act);

	if (!s)
		return jcheck_type(c, act, JSON_STRING);
	if (filter_act_parse(s, &a) < 0)
		return jcheck_fail(c, "unknown action \"%s\"", s);
	if (a == FA_NOTIFY && (flags & FILTER_CHECK_PROFILE))
		return jcheck_fail(c, "SCMP_ACT_NOTIFY is added by the monitor, not by profiles");
	if (!ret)
		return 0;
	if (a != FA_ERRNO && a != FA_TRACE)
		return jcheck_fail(c, "errno value given for %s", s);
	if (json_to_uint64(ret, &v) < 0 || v > (a == FA_ERRNO ? ERRNO_MAX : UINT16_MAX) ||
	    (a == FA_ERRNO && v == 0))
		return jcheck_fail(c, "bad errno value (1..%d)", ERRNO_MAX);
	return 0;
}

static int _check_arch(struct jcheck *c, const char *s, void *data)
{
	struct _ctx *x = data;
	uint32_t t = filter_arch_token(s);

	if (!t)
		return jcheck_fail(c, "unknown architecture \"%s\"", s);
	if (x->narches < sizeof(x->arches) / sizeof(x->arches[0]))
		x->arches[x->narches++] = t;
	return 0;
}

static int _check_go_arch(struct jcheck *c, const char *s, void *data)
{
	return filter_arch_from_go(s) ? 0 : jcheck_fail(c, "unknown architecture \"%s\"", s);
}

static int _check_cap(struct jcheck *c, const char *s, void *data)
{
	unsigned bit;
	return caps_from_name(s, &bit) == 0 ? 0 : jcheck_fail(c, "unknown capability \"%s\"", s);
}

static int _check_flag(struct jcheck *c, const char *s, void *data)
{
	for (const char *const *f = _flags; *f; f++)
		if (strcmp(*f, s) == 0)
			return 0;
	return jcheck_fail(c, "unknown flag \"%s\"", s);
}

static int _check_caps(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_strings(c, v, _check_cap, NULL);
}

static int _check_go_arches(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_strings(c, v, _check_go_arch, NULL);
}

static int _check_kernel(struct jcheck *c, const struct json *v, void *data)
{
	unsigned a, b;
	char end;
	const char *s = json_string(v);

	if (!s)
		return jcheck_type(c, v, JSON_STRING);
	if (sscanf(s, "%u.%u%c", &a, &b, &end) != 2 || s[0] < '0' || s[0] > '9')
		return jcheck_fail(c, "bad kernel version \"%s\" (want \"major.minor\")", s);
	return 0;
}

static int _check_u64(struct jcheck *c, const struct json *v, void *data)
{
	uint64_t x;
	if (json_to_uint64(v, &x) < 0)
		return jcheck_fail(c, "expected an unsigned 64-bit integer");
	if (data && x > *(const uint64_t *)data)
		return jcheck_fail(c, "%" PRIu64 " out of range (max %" PRIu64 ")", x,
				   *(const uint64_t *)data);
	return 0;
}

static int _check_op(struct jcheck *c, const struct json *v, void *data)
{
	enum filter_op op;
	const char *s = json_string(v);
	if (!s)
		return jcheck_type(c, v, JSON_STRING);
	return filter_op_parse(s, &op) == 0 ? 0 : jcheck_fail(c, "unknown operator \"%s\"", s);
}

static const struct jcheck_spec _fields_cond[] = {
	{ "caps", _check_caps, NULL, false },
	{ "arches", _check_go_arches, NULL, false },
	{ "minKernel", _check_kernel, NULL, false },
};

static int _check_cond(struct jcheck *c, const struct json *o, void *data)
{
	int r = jcheck_keys(c, o, _keys_cond);
	return r < 0 ? r : jcheck_fields(c, o, _fields_cond, ARRAY_SIZE(_fields_cond));
}

static const uint64_t _max_arg_index = 5;
static const struct jcheck_spec _fields_arg[] = {
	{ "index", _check_u64, &_max_arg_index, true },
	{ "value", _check_u64, NULL, false },
	{ "valueTwo", _check_u64, NULL, false },
	{ "op", _check_op, NULL, true },
};

static int _check_arg(struct jcheck *c, const struct json *a, void *data)
{
	const struct _ctx *x = data;
	int r = _check_keys(c, a, _keys_arg, x->flags);
	return r < 0 ? r : jcheck_fields(c, a, _fields_arg, ARRAY_SIZE(_fields_arg));
}

/* Known on arch: a real number there, or a multiplexed (socketcall/ipc)
 * pseudo number; libseccomp gives names of other arches numbers <= -10000. */
static bool _known_on(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);
	return nr >= 0 || (nr != __NR_SCMP_ERROR && nr > -10000);
}

static int _check_name(struct jcheck *c, const char *s, void *data)
{
	const struct _ctx *x = data;

	if (x->flags & FILTER_CHECK_LAX_NAMES)
		return 0;
	for (size_t i = 0; i < x->narches; i++)
		if (_known_on(x->arches[i], s))
			return 0;
	return jcheck_fail(c, "unknown syscall \"%s\"", s);
}

static int _check_names(struct jcheck *c, const struct json *v, void *data)
{
	if (json_is(v, JSON_ARRAY) && v->n == 0)
		return jcheck_fail(c, "empty list");
	return jcheck_strings(c, v, _check_name, data);
}

static int _check_args(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_items(c, v, _check_arg, data);
}

/* The arches a rule's names are checked on: includes.arches, else the filter's. */
static void _rule_arches(const struct json *rule, const struct _ctx *x, struct _ctx *ret)
{
	const struct json *inc = json_get(json_get(rule, "includes"), "arches");

	*ret = *x;
	if (!json_is(inc, JSON_ARRAY) || inc->n == 0)
		return;
	ret->narches = 0;
	json_foreach (i, inc) {
		uint32_t t = filter_arch_from_go(json_string(inc->items[i]) ?: "");
		if (t && ret->narches < sizeof(ret->arches) / sizeof(ret->arches[0]))
			ret->arches[ret->narches++] = t;
	}
}

static int _check_rule(struct jcheck *c, const struct json *rule, void *data)
{
	const struct _ctx *x = data;
	bool prof = x->flags & FILTER_CHECK_PROFILE;
	struct _ctx rx;
	int r = _check_keys(c, rule, prof ? _keys_rule_profile : _keys_rule_oci, x->flags);

	if (r >= 0)
		r = jcheck_required(c, rule, "names");
	if (r >= 0)
		r = jcheck_required(c, rule, "action");
	if (r >= 0 && prof)
		r = jcheck_field(c, rule, "includes", _check_cond, NULL);
	if (r >= 0 && prof)
		r = jcheck_field(c, rule, "excludes", _check_cond, NULL);
	_rule_arches(rule, x, &rx);
	if (r >= 0)
		r = jcheck_field(c, rule, "names", _check_names, &rx);
	if (r >= 0)
		r = jcheck_field(c, rule, "args", _check_args, &rx);
	if (r >= 0 && json_get(rule, "comment") && !json_string(json_get(rule, "comment")))
		r = jcheck_fail(c, "comment: expected string");
	if (r >= 0) {
		size_t m = jcheck_key(c, "action");
		r = _check_action(c, json_get(rule, "action"), json_get(rule, "errnoRet"),
				  x->flags);
		jcheck_pop(c, m);
	}
	return r;
}

static int _check_arches(struct jcheck *c, const struct json *v, void *data)
{
	if ((((struct _ctx *)data)->flags & FILTER_CHECK_PROFILE) && json_is(v, JSON_ARRAY) &&
	    v->n == 0)
		return jcheck_fail(c, "empty list");
	return jcheck_strings(c, v, _check_arch, data);
}

static int _check_flags(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_strings(c, v, _check_flag, NULL);
}

static int _check_rules(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_items(c, v, _check_rule, data);
}

int filter_check(struct jcheck *c, const struct json *sec, unsigned flags)
{
	struct _ctx x = { .flags = flags };
	bool prof = flags & FILTER_CHECK_PROFILE;
	int r = _check_keys(c, sec, prof ? _keys_profile : _keys_oci, flags);

	if (r >= 0)
		r = jcheck_required(c, sec, "defaultAction");
	if (r >= 0 && prof)
		r = jcheck_required(c, sec, "architectures");
	if (r >= 0)
		r = jcheck_field(c, sec, "architectures", _check_arches, &x);
	if (r >= 0 && x.narches == 0)
		x.arches[x.narches++] = seccomp_arch_native();
	if (r >= 0)
		r = jcheck_field(c, sec, "flags", _check_flags, NULL);
	if (r >= 0) {
		size_t m = jcheck_key(c, "defaultAction");
		r = _check_action(c, json_get(sec, "defaultAction"),
				  json_get(sec, "defaultErrnoRet"), flags);
		jcheck_pop(c, m);
	}
	if (r >= 0)
		r = jcheck_field(c, sec, "syscalls", _check_rules, &x);
	return r;
}
