// SPDX-License-Identifier: GPL-2.0-or-later
/* Intersection of two OCI seccomp filters; semantics in include/hardrun/filter.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <seccomp.h>

#include "hardrun/cleanup.h"
#include "hardrun/filter.h"

/* How one filter treats one syscall. */
struct _view {
	bool cond;		       /* conditional rules of one action, else fallback */
	struct filter_action act;      /* action of the rules (or the only action) */
	struct filter_action fallback; /* when no conditional rule matches */
	const struct filter_rule *rules[64];
	size_t n;
};

static struct filter_action _stricter(struct filter_action a, struct filter_action b)
{
	int ra = filter_act_rank(a.act), rb = filter_act_rank(b.act);
	if (ra != rb)
		return ra > rb ? a : b;
	if (a.act == FA_ERRNO && b.act == FA_ERRNO && b.ret == FILTER_ENOSYS)
		return b;
	return a; /* tie: the existing filter's */
}

static bool _at_least(struct filter_action a, struct filter_action b)
{
	return filter_act_rank(a.act) >= filter_act_rank(b.act);
}

static void _view(const struct filter *f, const char *name, struct _view *v)
{
	bool uncond = false, mixed = false;
	struct filter_action strictest = f->dflt;

	memset(v, 0, sizeof(*v));
	v->act = v->fallback = f->dflt;
	for (size_t i = 0; i < f->n; i++) {
		const struct filter_rule *r = &f->rules[i];
		if (strcmp(r->name, name) != 0)
			continue;
		uncond = uncond || r->nargs == 0;
		mixed = mixed || (v->n && !filter_action_eq(&r->action, &v->act));
		strictest = v->n ? _stricter(strictest, r->action) : r->action;
		if (!v->n)
			v->act = r->action;
		if (v->n < sizeof(v->rules) / sizeof(v->rules[0]))
			v->rules[v->n++] = r;
		else
			mixed = true;
	}
	v->cond = v->n && !uncond && !mixed;
	if (v->n && !v->cond) /* unconditional, mixed or too many: its strictest action */
		v->act = mixed ? _stricter(strictest, f->dflt) : strictest;
}

static bool _holds(const struct filter_arg *a, uint64_t v)
{
	switch (a->op) {
	case FOP_NE:
		return v != a->value;
	case FOP_LT:
		return v < a->value;
	case FOP_LE:
		return v <= a->value;
	case FOP_EQ:
		return v == a->value;
	case FOP_GE:
		return v >= a->value;
	case FOP_GT:
		return v > a->value;
	case FOP_MASKED_EQ:
		return (v & a->value) == a->value_two;
	default:
		return false;
	}
}

enum { MERGE_OK, MERGE_UNSAT, MERGE_INEXPRESSIBLE };

/* out = out AND x, keeping at most one condition per argument index. */
static int _merge_arg(struct filter_rule *out, const struct filter_arg *x)
{
	for (unsigned i = 0; i < out->nargs; i++) {
		struct filter_arg *a = &out->args[i];
		if (a->index != x->index)
			continue;
		if (memcmp(a, x, sizeof(*a)) == 0)
			return MERGE_OK;
		if (a->op == FOP_EQ)
			return _holds(x, a->value) ? MERGE_OK : MERGE_UNSAT;
		if (x->op == FOP_EQ) {
			if (!_holds(a, x->value))
				return MERGE_UNSAT;
			*a = *x;
			return MERGE_OK;
		}
		return MERGE_INEXPRESSIBLE;
	}
	out->args[out->nargs++] = *x;
	return MERGE_OK;
}

static int _merge(const struct filter_rule *a, const struct filter_rule *b, struct filter_rule *out)
{
	out->nargs = 0;
	for (unsigned i = 0; a && i < a->nargs; i++)
		out->args[out->nargs++] = a->args[i];
	for (unsigned i = 0; b && i < b->nargs; i++) {
		int r = _merge_arg(out, &b->args[i]);
		if (r != MERGE_OK)
			return r;
	}
	return MERGE_OK;
}

/* Both-matched rules into out; *ret_dropped when a pair was inexpressible. */
static int _pairs(const struct _view *a, const struct _view *b, struct filter_action w,
		  const char *name, struct filter *out, bool *ret_dropped, struct err *e)
{
	size_t na = a->cond ? a->n : 1, nb = b->cond ? b->n : 1;
	struct filter_rule m = { .name = (char *)name, .action = w };

	for (size_t i = 0; i < na; i++)
		for (size_t k = 0; k < nb; k++) {
			int r = _merge(a->cond ? a->rules[i] : NULL, b->cond ? b->rules[k] : NULL,
				       &m);
			if (r == MERGE_INEXPRESSIBLE)
				*ret_dropped = true;
			if (r == MERGE_OK && (r = filter_add(out, &m, e)) < 0)
				return r;
		}
	return 0;
}

/* Can "rules of action w, everything else R's default" stand for a AND b? */
static bool _default_covers(const struct _view *a, const struct _view *b, struct filter_action d)
{
	if (b->cond && !_at_least(d, _stricter(a->act, b->fallback)))
		return false;
	if (a->cond && !_at_least(d, _stricter(a->fallback, b->act)))
		return false;
	return !(a->cond && b->cond) || _at_least(d, _stricter(a->fallback, b->fallback));
}

static int _combine_name(const struct filter *fa, const struct filter *fb, const char *name,
			 struct filter *out, struct err *e)
{
	struct _view a, b;
	bool dropped = false;
	size_t mark = out->n;

	_view(fa, name, &a);
	_view(fb, name, &b);
	struct filter_action w = _stricter(a.act, b.act);
	if (!a.cond && !b.cond)
		goto single;
	if (!_default_covers(&a, &b, out->dflt))
		goto strictest;
	int r = _pairs(&a, &b, w, name, out, &dropped, e);
	if (r < 0)
		return r;
	if (!dropped || _at_least(out->dflt, w))
		return 0;
	while (out->n > mark) /* a dropped pair would fall to a weaker default */
		free(out->rules[--out->n].name);
strictest:
	w = _stricter(_stricter(w, a.fallback), b.fallback);
single:
	if (filter_action_eq(&w, &out->dflt))
		return 0;
	struct filter_rule one = { .name = (char *)name, .action = w };
	return filter_add(out, &one, e);
}

static bool _done(const struct filter *out, const char **seen, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(seen[i], name) == 0)
			return true;
	return false;
}

static int _combine_rules(const struct filter *fa, const struct filter *fb, struct filter *out,
			  struct err *e)
{
	_cleanup_free_ const char **seen = calloc(fa->n + fb->n + 1, sizeof(*seen));
	size_t nseen = 0;

	if (!seen)
		return err_set(e, ENOMEM, "out of memory");
	for (size_t i = 0; i < fa->n + fb->n; i++) {
		const char *name = i < fa->n ? fa->rules[i].name : fb->rules[i - fa->n].name;
		if (_done(out, seen, nseen, name))
			continue;
		seen[nseen++] = name;
		int r = _combine_name(fa, fb, name, out, e);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool _str_in(const struct json *arr, const char *s)
{
	json_foreach (i, arr) {
		if (strcmp(json_string(arr->items[i]) ?: "", s) == 0)
			return true;
	}
	return false;
}

/* Missing or empty architectures mean the native one (runc). */
static struct json *_arches(const struct json *other)
{
	const struct json *a = json_get(other, "architectures");
	if (json_is(a, JSON_ARRAY) && a->n)
		return json_clone(a);
	struct json *n = json_new_array();
	if (n && json_arr_append(n, json_new_string(filter_arch_scmp_name(seccomp_arch_native())
							    ?: "SCMP_ARCH_NATIVE")) < 0)
		return NULL;
	return n;
}

static int _merge_arches(struct json *other, const struct json *ours, struct err *e)
{
	_cleanup_json_ struct json *a = _arches(other), *b = _arches(ours);

	if (!a || !b)
		return err_set(e, ENOMEM, "out of memory");
	for (size_t i = a->n; i-- > 0;)
		if (!_str_in(b, json_string(a->items[i]) ?: ""))
			json_arr_remove(a, i);
	if (a->n == 0)
		return err_set(e, EINVAL, "seccomp: the filters have no architecture in common");
	return json_obj_set(other, "architectures", steal_pointer(&a)) < 0
		       ? err_set(e, ENOMEM, "out of memory")
		       : 0;
}

static int _merge_flags(struct json *other, const struct json *ours, struct err *e)
{
	static const char spec_allow[] = "SECCOMP_FILTER_FLAG_SPEC_ALLOW";
	const struct json *fb = json_get(ours, "flags");
	struct json *fa = json_get(other, "flags");

	if (fa && _str_in(fa, spec_allow) && !_str_in(fb, spec_allow))
		for (size_t i = fa->n; i-- > 0;)
			if (strcmp(json_string(fa->items[i]) ?: "", spec_allow) == 0)
				json_arr_remove(fa, i);
	json_foreach (i, fb) {
		const char *s = json_string(fb->items[i]) ?: "";
		if (strcmp(s, spec_allow) == 0 || _str_in(fa, s))
			continue;
		if (!fa && !(fa = json_obj_ensure_array(other, "flags")))
			return err_set(e, ENOMEM, "out of memory");
		if (json_arr_append(fa, json_new_string(s)) < 0)
			return err_set(e, ENOMEM, "out of memory");
	}
	return 0;
}

int filter_combine(const struct json *existing, const struct json *ours, struct json **ret,
		   struct err *e)
{
	struct filter fa = { 0 }, fb = { 0 }, out = { 0 };
	int r = filter_from_oci(existing, &fa, e);

	if (r >= 0)
		r = filter_from_oci(ours, &fb, e);
	if (r >= 0) {
		out.dflt = _stricter(fa.dflt, fb.dflt);
		out.other = json_clone(fa.other);
		r = out.other ? _merge_arches(out.other, fb.other, e) : err_set(e, ENOMEM, "oom");
	}
	if (r >= 0)
		r = _merge_flags(out.other, fb.other, e);
	if (r >= 0)
		r = _combine_rules(&fa, &fb, &out, e);
	if (r >= 0)
		r = filter_to_oci(&out, ret, e);
	filter_release(&fa);
	filter_release(&fb);
	filter_release(&out);
	return r;
}
