// SPDX-License-Identifier: GPL-2.0-or-later
/* nfilter on the OCI linux.seccomp tree: the transform and its inverse check. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <seccomp.h>

#include "hardrun/cleanup.h"
#include "hardrun/filter.h"
#include "hardrun/learn.h"
#include "hardrun/monitor_int.h"

#define MAX_ALTS   16
#define ACT_NOTIFY "SCMP_ACT_NOTIFY"
#define ACT_TRACE  "SCMP_ACT_TRACE"

static bool _action_allows(const char *a)
{
	return a && (strcmp(a, "SCMP_ACT_ALLOW") == 0 || strcmp(a, "SCMP_ACT_LOG") == 0);
}

/* Denials audit mode turns into NOTIFY. */
static bool _action_denies(const char *a)
{
	static const char *const deny[] = { "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
					    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
					    "SCMP_ACT_TRAP" };
	for (size_t i = 0; a && i < sizeof(deny) / sizeof(deny[0]); i++)
		if (strcmp(a, deny[i]) == 0)
			return true;
	return false;
}

static int _names_index(const struct json *rule, const char *name)
{
	const struct json *names = json_get(rule, "names");
	json_foreach (i, names)
		if (json_string(names->items[i]) && strcmp(json_string(names->items[i]), name) == 0)
			return (int)i;
	const char *one = json_string(json_get(rule, "name"));
	return one && strcmp(one, name) == 0 ? 0 : -1;
}

static int _cond_parse(const struct json *a, struct nf_cond *c)
{
	uint64_t idx;
	if (json_to_uint64(json_get(a, "index"), &idx) < 0 || idx > 5)
		return -EINVAL;
	c->idx = (unsigned)idx;
	c->v = c->v2 = 0;
	if (json_to_uint64(json_get(a, "value"), &c->v) < 0)
		return -EINVAL;
	if (json_get(a, "valueTwo") && json_to_uint64(json_get(a, "valueTwo"), &c->v2) < 0)
		return -EINVAL;
	return nfilter_op_parse(json_string(json_get(a, "op")), &c->op);
}

/* A rule's conditions as alternatives, the way runc hands them to libseccomp. */
static int _rule_alts(const struct json *rule, struct nf_alt *alts, unsigned *ret_n)
{
	const struct json *args = json_get(rule, "args");
	struct nf_alt one = { 0 };
	bool repeated = false;

	if (!args || args->n == 0) {
		alts[0] = one;
		*ret_n = 1;
		return 0;
	}
	if (args->n > NF_MAX_CONDS || !json_is(args, JSON_ARRAY))
		return -EINVAL;
	json_foreach (i, args) {
		int r = _cond_parse(args->items[i], &one.c[i]);
		if (r < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			repeated |= one.c[j].idx == one.c[i].idx;
	}
	one.n = (unsigned)args->n;
	if (!repeated) {
		alts[0] = one;
		*ret_n = 1;
		return 0;
	}
	for (unsigned i = 0; i < one.n; i++)
		alts[i] = (struct nf_alt){ .n = 1, .c = { one.c[i] } };
	*ret_n = one.n;
	return 0;
}

static struct json *_alt_json(const struct nf_alt *a)
{
	struct json *args = json_new_array();
	for (unsigned i = 0; args && i < a->n; i++) {
		struct json *o = json_new_object();
		if (!o || json_arr_append(args, o) < 0 ||
		    json_obj_set(o, "index", json_new_uint(a->c[i].idx)) < 0 ||
		    json_obj_set(o, "value", json_new_uint(a->c[i].v)) < 0 ||
		    json_obj_set(o, "valueTwo", json_new_uint(a->c[i].v2)) < 0 ||
		    json_obj_set(o, "op", json_new_string(nfilter_op_name(a->c[i].op))) < 0) {
			json_free(args);
			return NULL;
		}
	}
	return args;
}

static int _add_rule(struct json *syscalls, const char *name, const char *action,
		     const struct nf_alt *a, const char *mark, int errno_ret)
{
	struct json *r = json_new_object(), *names = json_new_array();
	if (!r || !names || json_arr_append(names, json_new_string(name)) < 0) {
		json_free(r);
		json_free(names);
		return -ENOMEM;
	}
	if (json_arr_append(syscalls, r) < 0 || json_obj_set(r, "names", names) < 0 ||
	    json_obj_set(r, "action", json_new_string(action)) < 0)
		return -ENOMEM;
	if (a && a->n && json_obj_set(r, "args", _alt_json(a)) < 0)
		return -ENOMEM;
	if (errno_ret && json_obj_set(r, "errnoRet", json_new_int(errno_ret)) < 0)
		return -ENOMEM;
	return json_obj_set(r, NF_MARK_KEY, json_new_string(mark));
}

/* Rules for one allowed alternative A of a monitored syscall. */
static int _emit_alt(struct json *out, const struct nf_entry *t, const char *allow_act,
		     const struct nf_alt *A)
{
	struct nf_alt parts[MAX_ALTS];
	bool is_notify[MAX_ALTS];
	unsigned n = 0;

	if (t->n_notify == 0)
		return _add_rule(out, t->name, ACT_NOTIFY, A, "monitor", 0);
	for (unsigned k = 0; k < t->n_notify + t->n_allow; k++) {
		bool nt = k < t->n_notify;
		const struct nf_alt *b = nt ? &t->notify[k] : &t->allow[k - t->n_notify];
		int r = nfilter_alt_and(A, b, &parts[n]);
		if (r < 0) /* not expressible: notify all of A */
			return _add_rule(out, t->name, ACT_NOTIFY, A, "monitor", 0);
		if (r > 0 && n < MAX_ALTS)
			is_notify[n++] = nt;
	}
	for (unsigned k = 0; k < n; k++) {
		int r = _add_rule(out, t->name, is_notify[k] ? ACT_NOTIFY : allow_act, &parts[k],
				  "monitor", 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Take name out of every allowing rule; collect their alternatives. */
static int _take_allowed(struct json *syscalls, const char *name, struct nf_alt *alts,
			 unsigned *n_alts, char *allow_act, size_t act_size, bool *mentioned)
{
	for (size_t i = 0; i < syscalls->n; i++) {
		struct json *rule = syscalls->items[i];
		int at = _names_index(rule, name);
		if (at < 0)
			continue;
		*mentioned = true;
		const char *act = json_string(json_get(rule, "action"));
		if (!_action_allows(act))
			continue;
		unsigned k = 0;
		if (*n_alts + NF_MAX_CONDS > MAX_ALTS || _rule_alts(rule, alts + *n_alts, &k) < 0)
			return -EINVAL;
		*n_alts += k;
		(void)snprintf(allow_act, act_size, "%s", act); /* the rule may go below */
		struct json *names = json_get(rule, "names");
		if (names && names->n > 1) {
			json_arr_remove(names, (size_t)at);
		} else {
			json_arr_remove(syscalls, i);
			i--;
		}
	}
	return 0;
}

static int _transform_one(struct json *syscalls, const struct nf_entry *t, bool default_allows,
			  struct err *e)
{
	struct nf_alt alts[MAX_ALTS];
	unsigned n = 0;
	char allow_act[32] = "SCMP_ACT_ALLOW";
	bool mentioned = false;

	if (_take_allowed(syscalls, t->name, alts, &n, allow_act, sizeof(allow_act), &mentioned) <
	    0)
		return err_set(e, EINVAL, "syscall %s: cannot read its allow rules", t->name);
	if (!mentioned && default_allows)
		alts[n++] = (struct nf_alt){ 0 };
	if (n == 0)
		return 0; /* denied by the profile: stays denied */
	if (t->kind == NF_ENOSYS)
		return _add_rule(syscalls, t->name, "SCMP_ACT_ERRNO", NULL, "monitor", ENOSYS) < 0
			       ? err_set(e, ENOMEM, "out of memory")
			       : 0;
	for (unsigned k = 0; k < n; k++)
		if (_emit_alt(syscalls, t, allow_act, &alts[k]) < 0)
			return err_set(e, ENOMEM, "out of memory");
	return 0;
}

static bool _has_write(const struct json *rule)
{
	return _names_index(rule, "write") >= 0;
}

static bool _errno_is_enosys(const struct json *v)
{
	int64_t n;
	return json_to_int64(v, &n) == 0 && n == ENOSYS;
}

static int _cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every name the filter's rules mention, sorted (borrowed strings). */
static const char **_mentioned_names(const struct json *syscalls, size_t *ret_n)
{
	size_t n = 0, cap = 0;
	const char **v = NULL;
	json_foreach (i, syscalls) {
		const struct json *names = json_get(syscalls->items[i], "names");
		json_foreach (k, names) {
			const char *name = json_string(names->items[k]);
			if (!name)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				const char **nv = realloc(v, cap * sizeof(*v));
				if (!nv) {
					free(v);
					return NULL;
				}
				v = nv;
			}
			v[n++] = name;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), _cmp_str);
	*ret_n = n;
	return v ? v : calloc(1, sizeof(*v));
}

static bool _has_arch(const struct json *sc, const char *arch)
{
	const struct json *a = json_get(sc, "architectures");
	json_foreach (i, a) {
		if (strcmp(json_string(a->items[i]) ?: "", arch) == 0)
			return true;
	}
	return false;
}

static int _notify_name(struct json *names, const char *name, const char **seen, size_t n_seen)
{
	if (strcmp(name, "write") == 0 || learn_must_allow(name) ||
	    bsearch(&name, seen, n_seen, sizeof(*seen), _cmp_str))
		return 0;
	return json_arr_append(names, json_new_string(name));
}

/* The 32-bit x86 calls x86_64 does not have (socketcall, stat64, ...): all
 * older than hardrun's table, so none of them needs ENOSYS. */
static int _x86_only_names(struct json *names, const char **seen, size_t n_seen)
{
	for (int nr = 0; nr < 512; nr++) {
		_cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, nr);
		if (!name || seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name) >= 0)
			continue;
		if (_notify_name(names, name, seen, n_seen) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The default denial as one NOTIFY rule naming every syscall hardrun knows
 * that no rule mentions (runc refuses NOTIFY as the default action, so the
 * default itself stays: it still covers syscalls newer than the table).
 * Known: the x86_64 table, and the x86-only names when the filter has x86. */
static int _default_to_notify(struct json *sc, struct json *syscalls)
{
	size_t n_seen = 0;
	_cleanup_free_ const char **seen = _mentioned_names(syscalls, &n_seen);
	_cleanup_json_ struct json *names = json_new_array();
	if (!names || !seen)
		return -ENOMEM;
	for (const char *const *k = systab_linux61; *k; k++)
		if (_notify_name(names, *k, seen, n_seen) < 0)
			return -ENOMEM;
	if (_has_arch(sc, "SCMP_ARCH_X86") && _x86_only_names(names, seen, n_seen) < 0)
		return -ENOMEM;
	_cleanup_json_ struct json *rule = json_new_object();
	if (!rule || json_obj_set(rule, "names", steal_pointer(&names)) < 0 ||
	    json_obj_set(rule, "action", json_new_string(ACT_NOTIFY)) < 0 ||
	    json_obj_set(rule, NF_MARK_KEY, json_new_string("audit")) < 0)
		return -ENOMEM;
	return json_arr_append(syscalls, steal_pointer(&rule));
}

/*
 * Audit and enforce: the profile's EPERM denials become NOTIFY, so the
 * monitor sees them (audit answers CONTINUE, enforce EPERM) and reports
 * each.  ENOSYS answers (syscalls newer than the profile) stay in the
 * kernel, and so does anything runc's init needs before the monitor holds
 * the notify fd (learn_must_allow) or write.
 */
static int _denials_to_notify(struct json *sc, struct err *e)
{
	struct json *syscalls = json_get(sc, "syscalls");
	bool default_denies = _action_denies(json_string(json_get(sc, "defaultAction"))) &&
			      !_errno_is_enosys(json_get(sc, "defaultErrnoRet"));
	json_foreach (i, syscalls) {
		struct json *r = syscalls->items[i];
		bool pinned = _has_write(r);
		json_foreach (k, json_get(r, "names"))
			pinned |=
				learn_must_allow(json_string(json_get(r, "names")->items[k]) ?: "");
		if (!_action_denies(json_string(json_get(r, "action"))) || pinned ||
		    _errno_is_enosys(json_get(r, "errnoRet")) || json_get(r, NF_MARK_KEY))
			continue;
		if (json_obj_set(r, "action", json_new_string(ACT_NOTIFY)) < 0 ||
		    json_obj_set(r, NF_MARK_KEY, json_new_string("audit")) < 0)
			return err_set(e, ENOMEM, "out of memory");
		(void)json_obj_del(r, "errnoRet");
	}
	if (default_denies && _default_to_notify(sc, syscalls) < 0)
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

int nfilter_apply(struct json *sc, uint32_t rules, bool report_denials, struct err *e)
{
	unsigned n;
	const struct nf_entry *t = nfilter_table(&n);
	struct json *syscalls = json_obj_ensure_array(sc, "syscalls");

	if (!syscalls)
		return err_set(e, EINVAL, "linux.seccomp.syscalls is not an array");
	bool default_allows = _action_allows(json_string(json_get(sc, "defaultAction")));
	for (unsigned i = 0; i < n; i++) {
		if (t[i].rules && !(t[i].rules & rules))
			continue; /* no active rule needs it: the profile's rules stand */
		int r = _transform_one(syscalls, &t[i], default_allows, e);
		if (r < 0)
			return r;
	}
	return report_denials ? _denials_to_notify(sc, e) : 0;
}

int nfilter_use_trace(struct json *sc, struct err *e)
{
	struct json *syscalls = json_get(sc, "syscalls");
	json_foreach (i, syscalls) {
		struct json *r = syscalls->items[i];
		const char *act = json_string(json_get(r, "action"));
		if (act && strcmp(act, ACT_NOTIFY) == 0 &&
		    json_obj_set(r, "action", json_new_string(ACT_TRACE)) < 0)
			return err_set(e, ENOMEM, "out of memory");
	}
	return 0;
}

int nfilter_notify_all(struct json *sc, const char *name, struct err *e)
{
	const struct nf_entry t = { name, NF_NOTIFY, NULL, 0, NULL, 0, 0 };
	struct json *syscalls = json_obj_ensure_array(sc, "syscalls");
	if (!syscalls)
		return err_set(e, EINVAL, "linux.seccomp.syscalls is not an array");
	return _transform_one(syscalls, &t,
			      _action_allows(json_string(json_get(sc, "defaultAction"))), e);
}

int nfilter_unnotify(struct json *sc, const char *name, struct err *e)
{
	struct json *syscalls = json_get(sc, "syscalls");
	json_foreach (i, syscalls) {
		struct json *r = syscalls->items[i];
		const char *act = json_string(json_get(r, "action"));
		const char *mark = json_string(json_get(r, NF_MARK_KEY));
		struct json *names = json_get(r, "names");
		if (!act || !mark || strcmp(mark, "monitor") != 0 || !names || names->n != 1 ||
		    !json_string(names->items[0]) ||
		    strcmp(json_string(names->items[0]), name) != 0)
			continue;
		if ((strcmp(act, ACT_NOTIFY) == 0 || strcmp(act, ACT_TRACE) == 0) &&
		    json_obj_set(r, "action", json_new_string("SCMP_ACT_ALLOW")) < 0)
			return err_set(e, ENOMEM, "out of memory");
	}
	return 0;
}

/* ---- the bundle's own filter, kept under the monitor's transform ---- */

enum own_verdict {
	OWN_ALLOWS,  /* the bundle's filter allows the call for every argument */
	OWN_DENIES,  /* ... denies it for every argument */
	OWN_DEPENDS, /* ... decides by argument (or mixes actions) */
};

static enum own_verdict _own_verdict(const struct json *own, const char *name)
{
	bool named = false, allow = false, deny = false, cond = false;
	const struct json *rules = json_get(own, "syscalls");

	if (!json_is(own, JSON_OBJECT))
		return OWN_ALLOWS;
	json_foreach (i, rules) {
		const struct json *r = rules->items[i], *args = json_get(r, "args");
		if (_names_index(r, name) < 0)
			continue;
		named = true;
		if (json_is(args, JSON_ARRAY) && args->n)
			cond = true;
		else if (_action_allows(json_string(json_get(r, "action"))))
			allow = true;
		else
			deny = true;
	}
	if (!named)
		return _action_allows(json_string(json_get(own, "defaultAction"))) ? OWN_ALLOWS
										   : OWN_DENIES;
	if (cond || (allow && deny))
		return OWN_DEPENDS;
	return allow ? OWN_ALLOWS : OWN_DENIES;
}

/* One rule for name: action/errnoRet/args copied from `from`; allow actions
 * become NOTIFY (with mark) when notify_allows. */
static struct json *_own_rule(const struct json *from, const char *name, const char *action,
			      bool notify_allows, const char *mark)
{
	_cleanup_json_ struct json *r = json_new_object(), *names = json_new_array();
	const struct json *args = json_get(from, "args"), *er = json_get(from, "errnoRet");
	bool to_notify = notify_allows && _action_allows(action);

	if (!r || !names || json_arr_append(names, json_new_string(name)) < 0 ||
	    json_obj_set(r, "names", steal_pointer(&names)) < 0 ||
	    json_obj_set(r, "action", json_new_string(to_notify ? ACT_NOTIFY : action)) < 0 ||
	    (args && json_obj_set(r, "args", json_clone(args)) < 0) ||
	    (er && !to_notify && json_obj_set(r, "errnoRet", json_clone(er)) < 0) ||
	    (to_notify && mark && json_obj_set(r, NF_MARK_KEY, json_new_string(mark)) < 0))
		return NULL;
	return steal_pointer(&r);
}

static bool _same_json(const struct json *a, const struct json *b)
{
	int64_t x, y;
	if (!a || !b)
		return !a && !b;
	if (json_to_int64(a, &x) == 0 && json_to_int64(b, &y) == 0)
		return x == y;
	return json_string(a) && json_string(b) && strcmp(json_string(a), json_string(b)) == 0;
}

/* Append name to a rule of out with the same action and errno and no args
 * (one denial rule per errno, not one per name), else add r. */
static int _add_grouped(struct json *out, struct json *r)
{
	_cleanup_json_ struct json *own = r;
	if (!r)
		return -ENOMEM;
	if (!json_get(r, "args") && !json_get(r, NF_MARK_KEY)) {
		json_foreach (i, out) {
			struct json *o = out->items[i];
			if (json_get(o, "args") || json_get(o, NF_MARK_KEY) ||
			    !_same_json(json_get(o, "action"), json_get(r, "action")) ||
			    !_same_json(json_get(o, "errnoRet"), json_get(r, "errnoRet")))
				continue;
			return json_arr_append(json_get(o, "names"),
					       json_clone(json_get(r, "names")->items[0]));
		}
	}
	return json_arr_append(out, steal_pointer(&own));
}

/* The bundle's own treatment of name, as rules added to out.  A denial by
 * the bundle's default that the filter's own default already gives (same
 * action and errno) needs no rule. */
static int _own_rules(const struct json *own, const struct json *sc, const char *name,
		      const char *mark, struct json *out)
{
	const struct json *rules = json_get(own, "syscalls");
	bool named = false;
	json_foreach (i, rules) {
		const struct json *r = rules->items[i];
		if (_names_index(r, name) < 0)
			continue;
		named = true;
		if (_add_grouped(out, _own_rule(r, name, json_string(json_get(r, "action")) ?: "",
						true, mark)) < 0)
			return -ENOMEM;
	}
	if (named)
		return 0;
	const struct json *da = json_get(own, "defaultAction"),
			  *de = json_get(own, "defaultErrnoRet");
	if (_same_json(da, json_get(sc, "defaultAction")) &&
	    _same_json(de, json_get(sc, "defaultErrnoRet")))
		return 0;
	struct json *d = _own_rule(own, name, json_string(da) ?: "", false, NULL);
	if (d && de && json_obj_set(d, "errnoRet", json_clone(de)) < 0) {
		json_free(d);
		return -ENOMEM;
	}
	return _add_grouped(out, d);
}

static bool _keep_own_applies(const struct json *r, bool learn)
{
	const char *a = json_string(json_get(r, "action")), *mark;
	if (learn)
		return _action_allows(a) || (a && strcmp(a, ACT_NOTIFY) == 0);
	mark = json_string(json_get(r, NF_MARK_KEY));
	return mark && strcmp(mark, "audit") == 0;
}

static int _intersect_arches(struct json *sc, const struct json *own, struct err *e)
{
	struct json *ours = json_get(sc, "architectures");
	const struct json *theirs = json_get(own, "architectures");
	if (!json_is(ours, JSON_ARRAY) || !json_is(theirs, JSON_ARRAY) || theirs->n == 0)
		return 0;
	for (size_t i = ours->n; i-- > 0;) {
		bool found = false;
		json_foreach (k, theirs)
			found |= strcmp(json_string(theirs->items[k]) ?: "",
					json_string(ours->items[i]) ?: "") == 0;
		if (!found)
			json_arr_remove(ours, i);
	}
	return ours->n ? 0
		       : err_set(e, EINVAL,
				 "seccomp: no architecture in common with the bundle's filter");
}

int nfilter_keep_own(struct json *sc, const struct json *own, bool learn, struct err *e)
{
	struct json *rules = json_get(sc, "syscalls");
	_cleanup_json_ struct json *added = json_new_array(), *done = json_new_object();

	if (!json_is(own, JSON_OBJECT))
		return 0;
	if (!added || !done)
		return err_set(e, ENOMEM, "out of memory");
	int r = learn ? _intersect_arches(sc, own, e) : 0;
	if (r < 0)
		return r;
	for (size_t i = rules ? rules->n : 0; i-- > 0;) {
		struct json *rule = rules->items[i], *names = json_get(rule, "names");
		if (!_keep_own_applies(rule, learn))
			continue;
		for (size_t k = names ? names->n : 0; k-- > 0;) {
			const char *name = json_string(names->items[k]) ?: "";
			if (_own_verdict(own, name) == OWN_ALLOWS)
				continue;
			/* once per name: the bundle's rules for it, allows notified */
			if (!json_get(done, name) &&
			    (json_obj_set(done, name, json_new_bool(true)) < 0 ||
			     _own_rules(own, sc, name, learn ? NULL : "audit", added) < 0))
				return err_set(e, ENOMEM, "out of memory");
			json_arr_remove(names, k);
		}
		if (names && names->n == 0)
			json_arr_remove(rules, i);
	}
	json_foreach (i, added) {
		if (json_arr_append(rules, json_clone(added->items[i])) < 0)
			return err_set(e, ENOMEM, "out of memory");
	}
	return 0;
}

bool nfilter_is_deviation(const struct json *sc, const char *name, const uint64_t args[6])
{
	const struct json *syscalls = json_get(sc, "syscalls");
	bool audit_hit = false;

	json_foreach (i, syscalls) {
		const struct json *rule = syscalls->items[i];
		struct nf_alt alts[NF_MAX_CONDS];
		unsigned k = 0;
		if (_names_index(rule, name) < 0 || _rule_alts(rule, alts, &k) < 0)
			continue;
		bool hit = false;
		for (unsigned j = 0; j < k; j++)
			hit |= nfilter_alt_match(&alts[j], args);
		if (!hit)
			continue;
		const char *mark = json_string(json_get(rule, NF_MARK_KEY));
		if (!mark || strcmp(mark, "audit") != 0)
			return false;
		audit_hit = true;
	}
	if (audit_hit)
		return true;
	const char *def = json_string(json_get(sc, "defaultAction"));
	return def && strcmp(def, ACT_NOTIFY) == 0;
}

bool nfilter_notifies(const struct json *sc, const char *name)
{
	const struct json *syscalls = json_get(sc, "syscalls");
	json_foreach (i, syscalls) {
		const struct json *r = syscalls->items[i];
		const char *act = json_string(json_get(r, "action")) ?: "";
		const char *mark = json_string(json_get(r, NF_MARK_KEY)) ?: "";
		if (strcmp(mark, "monitor") == 0 &&
		    (strcmp(act, ACT_NOTIFY) == 0 || strcmp(act, ACT_TRACE) == 0) &&
		    _names_index(r, name) >= 0)
			return true;
	}
	return false;
}
