// SPDX-License-Identifier: GPL-2.0-or-later
/* A profile's seccomp section -> the OCI linux.seccomp object (filter.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <seccomp.h>

#include "hardrun/caps.h"
#include "hardrun/cleanup.h"
#include "hardrun/filter.h"

static const char *const _hardrun_keys[] = { "includes", "excludes", "comment", NULL };

static bool _caps_any(const struct json *caps, uint64_t have, bool want_all)
{
	unsigned bit;
	json_foreach (i, caps) {
		bool in = caps_from_name(json_string(caps->items[i]) ?: "", &bit) == 0 &&
			  (have & (UINT64_C(1) << bit));
		if (want_all && !in)
			return false;
		if (!want_all && in)
			return true;
	}
	return want_all;
}

static bool _arch_in(const struct json *arches, uint32_t arch)
{
	json_foreach (i, arches) {
		if (filter_arch_from_go(json_string(arches->items[i]) ?: "") == arch)
			return true;
	}
	return false;
}

static bool _kernel_at_least(const struct json *v, const struct filter_env *env)
{
	unsigned a = 0, b = 0;
	if (sscanf(json_string(v) ?: "", "%u.%u", &a, &b) != 2)
		return false;
	return env->kmajor > a || (env->kmajor == a && env->kminor >= b);
}

/* moby's rule selection: excludes first, then every includes condition. */
static bool _rule_applies(const struct json *rule, uint64_t caps, const struct filter_env *env)
{
	const struct json *ex = json_get(rule, "excludes"), *in = json_get(rule, "includes");

	if (ex && json_get(ex, "arches") && _arch_in(json_get(ex, "arches"), env->arch))
		return false;
	if (ex && json_get(ex, "caps") && _caps_any(json_get(ex, "caps"), caps, false))
		return false;
	if (ex && json_get(ex, "minKernel") && _kernel_at_least(json_get(ex, "minKernel"), env))
		return false;
	if (in && json_get(in, "arches") && json_get(in, "arches")->n &&
	    !_arch_in(json_get(in, "arches"), env->arch))
		return false;
	if (in && json_get(in, "caps") && !_caps_any(json_get(in, "caps"), caps, true))
		return false;
	if (in && json_get(in, "minKernel") && !_kernel_at_least(json_get(in, "minKernel"), env))
		return false;
	return true;
}

/* The section without hardrun-only keys and without the rules that do not apply. */
static int _select(const struct json *sec, uint64_t caps, const struct filter_env *env,
		   struct json **ret, struct err *e)
{
	_cleanup_json_ struct json *out = json_clone(sec);
	struct json *rules = out ? json_get(out, "syscalls") : NULL;

	if (!out)
		return err_set(e, ENOMEM, "out of memory");
	for (size_t i = rules ? rules->n : 0; i-- > 0;) {
		if (!_rule_applies(rules->items[i], caps, env)) {
			json_arr_remove(rules, i);
			continue;
		}
		for (const char *const *k = _hardrun_keys; *k; k++)
			(void)json_obj_del(rules->items[i], *k);
	}
	*ret = steal_pointer(&out);
	return 0;
}

static bool _mentions(const struct filter *f, const char *name, bool with_args)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->rules[i].name, name) == 0 && (!with_args || f->rules[i].nargs))
			return true;
	return false;
}

static int _add_enosys(struct filter *f, const char *name, struct err *e)
{
	struct filter_rule r = { .name = (char *)name,
				 .action = { .act = FA_ERRNO, .ret = FILTER_ENOSYS } };
	return filter_add(f, &r, e);
}

/* Syscalls libseccomp knows for the native arch that hardrun's table lacks.
 * Native syscall numbers of the ABIs hardrun runs on (x86_64, the generic
 * table of arm64 and riscv64) are below 512 (x32's own calls start there and
 * are not native); libseccomp resolves a number by a linear scan, so numbers
 * past the end of its table are not asked for. */
#define NATIVE_NR_MAX 512

static int _add_newer(struct filter *f, const struct filter_env *env, struct err *e)
{
	int r = 0;
	for (int nr = 0; nr < NATIVE_NR_MAX && r >= 0; nr++) {
		_cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(env->arch, nr);
		if (name && !systab_contains(env->known, name) && !_mentions(f, name, false))
			r = _add_enosys(f, name, e);
	}
	return r;
}

static bool _needs_enosys(const struct filter *f)
{
	const struct filter_action enosys = { FA_ERRNO, FILTER_ENOSYS };
	return filter_act_rank(f->dflt.act) >= filter_act_rank(FA_ERRNO) &&
	       !filter_action_eq(&f->dflt, &enosys);
}

/* Rules that repeat the default action are no-ops that libseccomp refuses. */
static void _drop_default_rules(struct filter *f)
{
	size_t k = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (filter_action_eq(&f->rules[i].action, &f->dflt))
			free(f->rules[i].name);
		else
			f->rules[k++] = f->rules[i];
	}
	f->n = k;
}

int filter_render_env(const struct json *sec, uint64_t caps, const struct filter_env *env,
		      struct json **ret_oci, struct err *e)
{
	_cleanup_json_ struct json *sel = NULL;
	struct filter f = { 0 };
	int r = _select(sec, caps, env, &sel, e);

	if (r >= 0)
		r = filter_from_oci(sel, &f, e);
	if (r < 0)
		return r;
	_drop_default_rules(&f);
	if (_needs_enosys(&f)) {
		if (_mentions(&f, "clone", true) && !_mentions(&f, "clone3", false))
			r = _add_enosys(&f, "clone3", e);
		if (r >= 0)
			r = _add_newer(&f, env, e);
	}
	if (r >= 0)
		r = filter_to_oci(&f, ret_oci, e);
	filter_release(&f);
	return r;
}

void filter_trim_arches(struct json *oci, const struct filter_env *env)
{
	struct json *a = json_get(oci, "architectures");

	if (!json_is(a, JSON_ARRAY))
		return;
	for (size_t i = a->n; i-- > 0 && a->n > 1;) {
		const char *n = json_string(a->items[i]) ?: "";
		if ((env->x32_off && strcmp(n, "SCMP_ARCH_X32") == 0) ||
		    (env->ia32_off && strcmp(n, "SCMP_ARCH_X86") == 0))
			json_arr_remove(a, i);
	}
}

int filter_render(const struct json *sec, uint64_t caps, struct json **ret_oci, struct err *e)
{
	struct filter_env env;
	filter_env_host(&env);
	return filter_render_env(sec, caps, &env, ret_oci, e);
}
