// SPDX-License-Identifier: GPL-2.0-or-later
/* OCI linux.seccomp <-> struct filter (one name, one condition set per rule). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <seccomp.h>

#include "hardrun/cleanup.h"
#include "hardrun/filter.h"

static const char *const _own_keys[] = { "defaultAction", "defaultErrnoRet", "syscalls", NULL };

void filter_release(struct filter *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->rules[i].name);
	free(f->rules);
	json_free(f->other);
	memset(f, 0, sizeof(*f));
}

bool filter_action_eq(const struct filter_action *a, const struct filter_action *b)
{
	return a->act == b->act && a->ret == b->ret;
}

int filter_add(struct filter *f, const struct filter_rule *r, struct err *e)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct filter_rule *n = reallocarray(f->rules, cap, sizeof(*n));
		if (!n)
			return err_set(e, ENOMEM, "out of memory");
		f->rules = n;
		f->cap = cap;
	}
	f->rules[f->n] = *r;
	f->rules[f->n].name = strdup(r->name);
	if (!f->rules[f->n].name)
		return err_set(e, ENOMEM, "out of memory");
	f->n++;
	return 0;
}

static void _parse_action(const struct json *act, const struct json *ret, struct filter_action *a)
{
	uint64_t v = 0;

	(void)filter_act_parse(json_string(act), &a->act);
	if (json_to_uint64(ret, &v) < 0)
		v = a->act == FA_ERRNO ? EPERM : 0;
	a->ret = (uint32_t)v;
}

static int _parse_args(const struct json *args, struct filter_arg *ret, unsigned *ret_n)
{
	unsigned n = 0;
	json_foreach (i, args) {
		const struct json *a = args->items[i];
		uint64_t idx = 0;
		if (n == 6)
			return -E2BIG;
		(void)json_to_uint64(json_get(a, "index"), &idx);
		ret[n].index = (unsigned)idx;
		ret[n].value = ret[n].value_two = 0;
		(void)json_to_uint64(json_get(a, "value"), &ret[n].value);
		(void)json_to_uint64(json_get(a, "valueTwo"), &ret[n].value_two);
		(void)filter_op_parse(json_string(json_get(a, "op")), &ret[n].op);
		n++;
	}
	*ret_n = n;
	return 0;
}

static bool _repeats_index(const struct filter_arg *a, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = 0; k < i; k++)
			if (a[i].index == a[k].index)
				return true;
	return false;
}

/* One OCI rule for one name: split like runc when an index repeats (OR). */
static int _add_oci_rule(struct filter *f, const char *name, const struct filter_action *act,
			 const struct filter_arg *args, unsigned nargs, struct err *e)
{
	struct filter_rule r = { .name = (char *)name, .action = *act, .nargs = nargs };

	if (!_repeats_index(args, nargs)) {
		memcpy(r.args, args, nargs * sizeof(*args));
		return filter_add(f, &r, e);
	}
	r.nargs = 1;
	for (unsigned i = 0; i < nargs; i++) {
		r.args[0] = args[i];
		int ret = filter_add(f, &r, e);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int _from_rule(struct filter *f, const struct json *rule, struct err *e)
{
	struct filter_action act;
	struct filter_arg args[6];
	unsigned nargs = 0;
	const struct json *names = json_get(rule, "names");

	_parse_action(json_get(rule, "action"), json_get(rule, "errnoRet"), &act);
	if (_parse_args(json_get(rule, "args"), args, &nargs) < 0)
		return err_set(e, EINVAL, "seccomp: more than 6 argument conditions");
	json_foreach (i, names) {
		const char *name = json_string(names->items[i]);
		if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
			continue; /* runc ignores names libseccomp does not know */
		int r = _add_oci_rule(f, name, &act, args, nargs, e);
		if (r < 0)
			return r;
	}
	return 0;
}

static int _copy_other(const struct json *oci, struct json **ret, struct err *e)
{
	_cleanup_json_ struct json *o = json_new_object();
	if (!o)
		return err_set(e, ENOMEM, "out of memory");
	json_foreach (i, oci) {
		bool own = false;
		for (const char *const *k = _own_keys; *k; k++)
			own = own || strcmp(*k, oci->keys[i]) == 0;
		if (!own && json_obj_set(o, oci->keys[i], json_clone(oci->items[i])) < 0)
			return err_set(e, ENOMEM, "out of memory");
	}
	*ret = steal_pointer(&o);
	return 0;
}

int filter_from_oci(const struct json *oci, struct filter *ret, struct err *e)
{
	struct filter f = { 0 };
	struct jcheck c;
	int r;

	jcheck_init(&c, e);
	(void)jcheck_key(&c, "linux.seccomp");
	r = filter_check(&c, oci, FILTER_CHECK_LAX_NAMES);
	if (r < 0)
		return r;
	_parse_action(json_get(oci, "defaultAction"), json_get(oci, "defaultErrnoRet"), &f.dflt);
	r = _copy_other(oci, &f.other, e);
	const struct json *rules = json_get(oci, "syscalls");
	json_foreach (i, rules) {
		if (r < 0)
			break;
		r = _from_rule(&f, rules->items[i], e);
	}
	if (r < 0) {
		filter_release(&f);
		return r;
	}
	*ret = f;
	return 0;
}

static bool _same_conds(const struct filter_rule *a, const struct filter_rule *b)
{
	return filter_action_eq(&a->action, &b->action) && a->nargs == b->nargs &&
	       memcmp(a->args, b->args, a->nargs * sizeof(a->args[0])) == 0;
}

static int _set_action(struct json *o, const char *key, const char *ret_key,
		       const struct filter_action *a)
{
	int r = json_obj_set(o, key, json_new_string(filter_act_name(a->act)));
	if (r >= 0 && (a->act == FA_ERRNO || (a->act == FA_TRACE && a->ret)))
		r = json_obj_set(o, ret_key, json_new_uint(a->ret));
	return r;
}

static struct json *_args_json(const struct filter_rule *rule)
{
	_cleanup_json_ struct json *arr = json_new_array();
	for (unsigned i = 0; arr && i < rule->nargs; i++) {
		const struct filter_arg *a = &rule->args[i];
		struct json *o = json_new_object();
		if (json_arr_append(arr, o) < 0 ||
		    json_obj_set(o, "index", json_new_uint(a->index)) < 0 ||
		    json_obj_set(o, "value", json_new_uint(a->value)) < 0 ||
		    (a->value_two &&
		     json_obj_set(o, "valueTwo", json_new_uint(a->value_two)) < 0) ||
		    json_obj_set(o, "op", json_new_string(filter_op_name(a->op))) < 0)
			return NULL;
	}
	return steal_pointer(&arr);
}

/* Rules i..end-1 share action and conditions: one OCI entry with their names. */
static struct json *_rule_json(const struct filter *f, size_t i, size_t end)
{
	_cleanup_json_ struct json *o = json_new_object();
	struct json *names = json_new_array();

	if (!o || json_obj_set(o, "names", names) < 0)
		return NULL;
	for (size_t k = i; k < end; k++)
		if (json_arr_append(names, json_new_string(f->rules[k].name)) < 0)
			return NULL;
	if (_set_action(o, "action", "errnoRet", &f->rules[i].action) < 0)
		return NULL;
	if (f->rules[i].nargs && json_obj_set(o, "args", _args_json(&f->rules[i])) < 0)
		return NULL;
	return steal_pointer(&o);
}

int filter_to_oci(const struct filter *f, struct json **ret, struct err *e)
{
	_cleanup_json_ struct json *o = json_new_object();
	struct json *rules = json_new_array();

	if (!o || _set_action(o, "defaultAction", "defaultErrnoRet", &f->dflt) < 0)
		goto oom;
	json_foreach (i, f->other) {
		if (json_obj_set(o, f->other->keys[i], json_clone(f->other->items[i])) < 0)
			goto oom;
	}
	if (json_obj_set(o, "syscalls", rules) < 0)
		goto oom;
	for (size_t i = 0, end; i < f->n; i = end) {
		for (end = i + 1; end < f->n && _same_conds(&f->rules[i], &f->rules[end]); end++)
			;
		if (json_arr_append(rules, _rule_json(f, i, end)) < 0)
			goto oom;
	}
	*ret = steal_pointer(&o);
	return 0;
oom:
	return err_set(e, ENOMEM, "out of memory");
}
