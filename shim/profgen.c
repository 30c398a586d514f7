// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Profile generation from recordings (include/hardrun/profgen.h).
 *
 * seccomp: default ERRNO(EPERM); one ALLOW rule with what the workload did
 * plus _profgen_always; argument rules where the learned value set is small;
 * clone3 answers ENOSYS (libc falls back to clone(2), whose flags a filter can
 * see); the newest syscall of hardrun's table is named in an EPERM rule so
 * that runc's ENOSYS stub starts after the table: syscalls newer than hardrun
 * knows get ENOSYS, known ones the workload never made get EPERM.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hardrun/apparmor.h"
#include "hardrun/caps.h"
#include "hardrun/cleanup.h"
#include "hardrun/learn_decode.h"
#include "hardrun/learn_systab.h"
#include "hardrun/profgen.h"

#define ARRAY_SIZE(a)	       (sizeof(a) / sizeof((a)[0]))
#define PROFGEN_MAX_ARG_VALUES 8 /* more distinct values: no argument rule */
#define PROFGEN_MAX_IOCTLS     16
#define PROFGEN_NS_MASK	       0x7e020080ull /* every CLONE_NEW* flag, CLONE_NEWUSER included */
#define PROFGEN_EPERM	       1
#define PROFGEN_ENOSYS	       38
/* _gen.names flags */
#define NAME_ARGRULE 1 /* covered by an argument rule */
#define NAME_FAMILY  2 /* added by a syscall family */

/*
 * Always allowed: what stays ALLOW while learning (learn.c's _learn_allow,
 * never recorded), and what runc init itself calls after loading the filter
 * and before the entrypoint's execve when noNewPrivileges is set (checked
 * with runc 1.1.5: read close openat fstatfs getdents64 epoll_ctl fcntl, and
 * the Go runtime's memory, futex and signal calls), and what any process
 * needs to start and exit.
 */
static const char *const _profgen_always[] = {
	"brk",
	"clock_gettime",
	"clock_gettime64",
	"clock_nanosleep",
	"close",
	"epoll_ctl",
	"epoll_pwait",
	"execve",
	"exit",
	"exit_group",
	"fcntl",
	"fstatfs",
	"futex",
	"getcpu",
	"getdents64",
	"getpid",
	"gettid",
	"gettimeofday",
	"madvise",
	"mmap",
	"mprotect",
	"munmap",
	"nanosleep",
	"openat",
	"read",
	"restart_syscall",
	"rt_sigprocmask",
	"rt_sigreturn",
	"sched_yield",
	"sigaltstack",
	"tgkill",
	"time",
	"write",
	/* waits whose use depends on timing only: a shell's `wait` suspends only when its
	 * child has not exited yet, so a learned run may never show them */
	"pause",
	"rt_sigsuspend",
	/* plain forks are never routed while learning (learn.c): always allowed */
	"clone",
	"fork",
	"vfork",
};

/* ---------- merge ---------- */

static int _merge_map(struct strmap *dst, const struct strmap *src, uint64_t mark)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct strmap_item *s = src->items[i];
		struct strmap_item *d = strmap_add(dst, s->key, NULL);
		if (!d)
			return -ENOMEM;
		d->count += s->count;
		d->flags |= s->flags;
		if (!d->info && s->info && strmap_item_set_info(d, s->info) < 0)
			return -ENOMEM;
		if (d->mark != mark) {
			d->mark = mark;
			d->recordings++;
		}
	}
	return 0;
}

static int _merge_section(struct rec_section *dst, const struct rec_section *src, uint64_t mark)
{
	for (int c = 0; c < REC_CATS; c++)
		if (_merge_map(recording_cat(dst, c), recording_cat(src, c), mark) < 0)
			return -ENOMEM;
	return 0;
}

static const struct recording *_sort_base;
static int _by_start(const void *a, const void *b)
{
	const struct recording *x = &_sort_base[*(const size_t *)a];
	const struct recording *y = &_sort_base[*(const size_t *)b];

	return x->started_at < y->started_at ? -1 : x->started_at > y->started_at;
}

/* Trailing recordings (by start time) that added no syscall to those before them. */
static int _saturation(const struct recording *recs, size_t n, const struct profgen_opts *o,
		       struct profgen_merged *m)
{
	_cleanup_free_ size_t *order = calloc(n ? n : 1, sizeof(*order));
	struct strmap seen = { 0 };
	int r = 0;

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	_sort_base = recs;
	qsort(order, n, sizeof(*order), _by_start);
	for (size_t i = 0; i < n && r == 0; i++) {
		bool added = false;
		for (int s = REC_MAIN; s <= (o->include_exec ? REC_EXEC : REC_MAIN); s++) {
			const struct strmap *sc = &recs[order[i]].sec[s].syscalls;
			for (size_t k = 0; k < sc->n; k++) {
				bool is_new;
				if (!strmap_add(&seen, sc->items[k]->key, &is_new))
					r = -ENOMEM;
				added |= is_new;
			}
		}
		m->runs_without_new = added ? 0 : m->runs_without_new + 1;
	}
	if (n) {
		const struct recording *last = &recs[order[n - 1]];
		m->seconds_without_new = last->updated_at - last->last_new_syscall_at;
	}
	strmap_release(&seen);
	return r;
}

int profgen_merge(const struct recording *recs, size_t n, const struct profgen_opts *o,
		  struct profgen_merged *ret, struct err *e)
{
	struct profgen_merged m = { .recordings = n };

	for (size_t i = 0; i < n; i++) {
		m.exec_sessions += recs[i].exec_sessions;
		if (_merge_section(&m.sec, &recs[i].sec[REC_MAIN], i + 1) < 0 ||
		    (o->include_exec && _merge_section(&m.sec, &recs[i].sec[REC_EXEC], i + 1) < 0))
			goto oom;
	}
	if (_saturation(recs, n, o, &m) < 0)
		goto oom;
	*ret = m;
	return 0;
oom:
	profgen_merged_release(&m);
	return err_set(e, ENOMEM, "merge: out of memory");
}

void profgen_merged_release(struct profgen_merged *m)
{
	for (int c = 0; c < REC_CATS; c++)
		strmap_release(recording_cat(&m->sec, c));
	memset(m, 0, sizeof(*m));
}

/* ---------- generate ---------- */

struct _gen {
	const struct profgen_merged *m;
	const struct profgen_opts *o;
	struct strmap names; /* syscalls to allow; flags NAME_* */
	struct json *rules;  /* seccomp.syscalls */
	struct strmap caps;  /* the recorded capabilities hardrun knows */
};

static bool _keep(const struct _gen *g, const struct strmap_item *it)
{
	return it->recordings >= g->o->min_count;
}

static struct json *_rule_new(const char *action, int errno_ret, const char *comment)
{
	_cleanup_json_ struct json *r = json_new_object();

	if (!r || !json_obj_ensure_array(r, "names") ||
	    json_obj_set(r, "action", json_new_string(action)) < 0 ||
	    (errno_ret && json_obj_set(r, "errnoRet", json_new_int(errno_ret)) < 0) ||
	    (comment && json_obj_set(r, "comment", json_new_string(comment)) < 0))
		return NULL;
	return steal_pointer(&r);
}

static int _rule_name(struct json *rule, const char *name)
{
	return json_arr_append(json_get(rule, "names"), json_new_string(name));
}

static int _rule_arg(struct json *rule, int index, uint64_t value, uint64_t two, const char *op)
{
	struct json *args = json_obj_ensure_array(rule, "args");
	_cleanup_json_ struct json *a = json_new_object();

	if (!args || !a || json_obj_set(a, "index", json_new_int(index)) < 0 ||
	    json_obj_set(a, "value", json_new_uint(value)) < 0 ||
	    json_obj_set(a, "valueTwo", json_new_uint(two)) < 0 ||
	    json_obj_set(a, "op", json_new_string(op)) < 0)
		return -ENOMEM;
	return json_arr_append(args, steal_pointer(&a));
}

static int _allow(struct _gen *g, const char *name)
{
	return strmap_add(&g->names, name, NULL) ? 0 : -ENOMEM;
}

/* Distinct kept values of argument `what` (parsed), at most max; -E2BIG when more. */
static int _arg_values(const struct _gen *g, const char *what, uint64_t mask, uint64_t *out,
		       size_t max, size_t *n)
{
	size_t len = strlen(what);

	for (size_t i = 0; i < g->m->sec.args.n; i++) {
		const struct strmap_item *it = g->m->sec.args.items[i];
		if (!_keep(g, it) || strncmp(it->key, what, len) != 0 || it->key[len] != '=')
			continue;
		const char *s = it->key + len + 1;
		uint64_t v;
		unsigned d, t;
		if (strcmp(what, "socket") == 0) {
			if (sscanf(s, "%u/%u", &d, &t) != 2)
				continue;
			v = (uint64_t)d << 8 | t;
		} else {
			v = strtoull(s, NULL, 0) & mask;
		}
		bool dup = false;
		for (size_t k = 0; k < *n; k++)
			dup |= out[k] == v;
		if (dup)
			continue;
		if (*n == max)
			return -E2BIG;
		out[(*n)++] = v;
	}
	return 0;
}

enum _argkind { ARG_EQ0, ARG_IOCTL, ARG_NS, ARG_SOCKET };

struct _argspec {
	const char *syscall;
	const char *what[2];
	enum _argkind kind;
	size_t max;
};

static const struct _argspec _argspecs[] = {
	{ "socket", { "socket" }, ARG_SOCKET, PROFGEN_MAX_ARG_VALUES },
	{ "socketpair", { "socket" }, ARG_SOCKET, PROFGEN_MAX_ARG_VALUES },
	{ "clone", { "clone.flags", "clone3.flags" }, ARG_NS, PROFGEN_MAX_ARG_VALUES },
	{ "unshare", { "unshare.flags" }, ARG_NS, PROFGEN_MAX_ARG_VALUES },
	{ "personality", { "personality" }, ARG_EQ0, PROFGEN_MAX_ARG_VALUES },
	{ "prctl", { "prctl.option" }, ARG_EQ0, PROFGEN_MAX_ARG_VALUES },
	{ "ioctl", { "ioctl.request" }, ARG_IOCTL, PROFGEN_MAX_IOCTLS },
};

static int _argrule_one(struct _gen *g, const struct _argspec *a, uint64_t v)
{
	_cleanup_json_ struct json *r = _rule_new("SCMP_ACT_ALLOW", 0, NULL);

	if (!r || _rule_name(r, a->syscall) < 0)
		return -ENOMEM;
	int rc = 0;
	switch (a->kind) {
	case ARG_EQ0:
		rc = _rule_arg(r, 0, v, 0, "SCMP_CMP_EQ");
		break;
	case ARG_IOCTL:
		rc = _rule_arg(r, 1, 0xffffffffu, v, "SCMP_CMP_MASKED_EQ");
		break;
	case ARG_NS:
		rc = _rule_arg(r, 0, PROFGEN_NS_MASK, v, "SCMP_CMP_MASKED_EQ");
		break;
	case ARG_SOCKET:
		rc = _rule_arg(r, 0, v >> 8, 0, "SCMP_CMP_EQ");
		if (rc == 0)
			rc = _rule_arg(r, 1, 0xf, v & 0xff, "SCMP_CMP_MASKED_EQ");
		break;
	}
	if (rc < 0)
		return -ENOMEM;
	return json_arr_append(g->rules, steal_pointer(&r));
}

/* Argument rules for one syscall when it is allowed and its value set is small. */
static int _argrules(struct _gen *g, const struct _argspec *a)
{
	struct strmap_item *it = strmap_find(&g->names, a->syscall);
	uint64_t v[PROFGEN_MAX_IOCTLS];
	uint64_t mask = a->kind == ARG_NS ? PROFGEN_NS_MASK : 0xffffffffu;
	size_t n = 0;

	if (!it)
		return 0;
	for (size_t w = 0; w < 2 && a->what[w]; w++)
		if (_arg_values(g, a->what[w], mask, v, a->max, &n) == -E2BIG)
			return 0;
	/* clone without namespace flags is never recorded (learn.c) but always allowed */
	bool have0 = false;
	for (size_t i = 0; i < n; i++)
		have0 |= v[i] == 0;
	if (a->kind == ARG_NS && strcmp(a->syscall, "clone") == 0 && !have0 &&
	    n < PROFGEN_MAX_IOCTLS)
		v[n++] = 0;
	if (n == 0)
		return 0; /* called, but no value recorded: plain allow */
	for (size_t i = 0; i < n; i++)
		if (_argrule_one(g, a, v[i]) < 0)
			return -ENOMEM;
	it->flags = NAME_ARGRULE;
	return 0;
}

/* mmap/mprotect: without PROT_EXEC only, unless the workload asked for it. */
static int _protrules(struct _gen *g)
{
	static const char *const prot[] = { "mmap", "mmap2", "mprotect", "pkey_mprotect" };
	char key[64];

	for (size_t i = 0; i < ARRAY_SIZE(prot); i++) {
		struct strmap_item *it = strmap_find(&g->names, prot[i]);
		snprintf(key, sizeof(key), "prot.exec=%s", prot[i]);
		const struct strmap_item *x = strmap_find(&g->m->sec.args, key);
		if (!it || (x && _keep(g, x)))
			continue;
		_cleanup_json_ struct json *r =
			_rule_new("SCMP_ACT_ALLOW", 0, "no PROT_EXEC learned");
		if (!r || _rule_name(r, prot[i]) < 0 ||
		    _rule_arg(r, 2, PROT_EXEC, 0, "SCMP_CMP_MASKED_EQ") < 0 ||
		    json_arr_append(g->rules, steal_pointer(&r)) < 0)
			return -ENOMEM;
		it->flags = NAME_ARGRULE;
	}
	return 0;
}

/* The learned names, their families (what learning saw decides them), then what every
 * container needs. */
static int _learned_names(struct _gen *g)
{
	for (size_t i = 0; i < g->m->sec.syscalls.n; i++) {
		const struct strmap_item *it = g->m->sec.syscalls.items[i];
		const char *name = strchr(it->key, '/');
		if (!_keep(g, it) || !name || !learn_systab_known(name + 1))
			continue;
		if (_allow(g, name + 1) < 0)
			return -ENOMEM;
	}
	if (!g->o->exact && profgen_family_expand(&g->names, NAME_FAMILY) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(_profgen_always); i++) {
		struct strmap_item *it = strmap_add(&g->names, _profgen_always[i], NULL);
		if (!it)
			return -ENOMEM;
		it->flags &= ~NAME_FAMILY;
	}
	/* clone3 answers ENOSYS below: libc then uses clone(2) */
	if (strmap_find(&g->names, "clone3") && _allow(g, "clone") < 0)
		return -ENOMEM;
	return 0;
}

static int _plain_rule(struct _gen *g, struct json *seccomp)
{
	_cleanup_free_ struct strmap_item **v = strmap_sorted(&g->names);
	_cleanup_json_ struct json *allow = _rule_new(
		"SCMP_ACT_ALLOW", 0, "learned, plus what every container needs to start and exit");
	_cleanup_json_ struct json *family = _rule_new("SCMP_ACT_ALLOW", 0, PROFGEN_FAMILY_COMMENT);

	if (!allow || !family || !v)
		return -ENOMEM;
	for (size_t i = 0; i < g->names.n; i++) {
		if (strcmp(v[i]->key, "clone3") == 0 || (v[i]->flags & NAME_ARGRULE))
			continue;
		if (_rule_name(v[i]->flags & NAME_FAMILY ? family : allow, v[i]->key) < 0)
			return -ENOMEM;
	}
	/* the plain rules go first, before the argument rules */
	struct json *rules = json_new_array();
	if (!rules || json_arr_append(rules, steal_pointer(&allow)) < 0 ||
	    (json_get(family, "names")->n && json_arr_append(rules, steal_pointer(&family)) < 0))
		return -ENOMEM;
	json_foreach (i, g->rules) {
		if (json_arr_append(rules, g->rules->items[i]) < 0)
			return -ENOMEM;
		g->rules->items[i] = NULL;
	}
	g->rules->n = 0;
	return json_obj_set(seccomp, "syscalls", rules);
}

static int _tail_rules(struct _gen *g)
{
	_cleanup_json_ struct json *c3 = _rule_new(
		"SCMP_ACT_ERRNO", PROFGEN_ENOSYS,
		"clone3 flags live in memory a filter cannot read: libc falls back to clone");
	_cleanup_json_ struct json *cut =
		_rule_new("SCMP_ACT_ERRNO", PROFGEN_EPERM,
			  "newest syscall hardrun knows: runc answers ENOSYS only above it");
	size_t ncut = 0;

	if (!c3 || !cut || _rule_name(c3, "clone3") < 0 ||
	    json_arr_append(g->rules, steal_pointer(&c3)) < 0)
		return -ENOMEM;
	/* TODO(engine): newest syscall from the engine's table once it is on main */
	static const char *const arches[] = { "x86_64", "x86" };
	const char *prev = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++) {
		const char *n = learn_systab_newest(arches[i]);
		if (!n || strmap_find(&g->names, n) || strcmp(n, "clone3") == 0 ||
		    (prev && strcmp(prev, n) == 0))
			continue;
		if (_rule_name(cut, n) < 0)
			return -ENOMEM;
		prev = n;
		ncut++;
	}
	if (ncut && json_arr_append(g->rules, steal_pointer(&cut)) < 0)
		return -ENOMEM;
	return 0;
}

static struct json *_seccomp(struct _gen *g)
{
	static const char *const arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
					      "SCMP_ARCH_X32" };
	_cleanup_json_ struct json *s = json_new_object();
	struct json *a;

	if (!s || json_obj_set(s, "defaultAction", json_new_string("SCMP_ACT_ERRNO")) < 0 ||
	    json_obj_set(s, "defaultErrnoRet", json_new_int(PROFGEN_EPERM)) < 0 ||
	    !(a = json_obj_ensure_array(s, "architectures")))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (json_arr_append(a, json_new_string(arches[i])) < 0)
			return NULL;
	if (_learned_names(g) < 0 || _protrules(g) < 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(_argspecs); i++)
		if (_argrules(g, &_argspecs[i]) < 0)
			return NULL;
	if (_tail_rules(g) < 0 || _plain_rule(g, s) < 0)
		return NULL;
	return steal_pointer(&s);
}

/* ---------- capabilities, AppArmor, monitor ---------- */

static struct json *_sorted_keys(const struct _gen *g, const struct strmap *m, bool lower_cap)
{
	_cleanup_free_ struct strmap_item **v = strmap_sorted(m);
	_cleanup_json_ struct json *a = json_new_array();

	if (!a || (m->n && !v))
		return NULL;
	for (size_t i = 0; i < m->n; i++) {
		if (g && !_keep(g, v[i]))
			continue;
		char buf[64];
		const char *k = v[i]->key;
		if (lower_cap && strncmp(k, "CAP_", 4) == 0) {
			size_t j = 0;
			for (k += 4; *k && j < sizeof(buf) - 1; k++)
				buf[j++] = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
			buf[j] = '\0';
			k = buf;
		}
		if (json_arr_append(a, json_new_string(k)) < 0)
			return NULL;
	}
	return steal_pointer(&a);
}

/* /proc/1234/status -> /proc/ * /status (AppArmor glob) */
/* AppArmor mediates /proc/self and /proc/thread-self as the real /proc/<pid>[/task/<tid>]. */
static void _generalize(const char *path, char *out, size_t size)
{
	const char *p = path + 6;

	if (strncmp(path, "/proc/self/", 11) == 0 || strcmp(path, "/proc/self") == 0) {
		snprintf(out, size, "/proc/*%s", path + 10);
		return;
	}
	if (strncmp(path, "/proc/thread-self/", 18) == 0) {
		snprintf(out, size, "/proc/*/task/*%s", path + 17);
		return;
	}
	if (strncmp(path, "/proc/", 6) == 0 && *p >= '0' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '/' || *p == '\0') {
			snprintf(out, size, "/proc/*%s", p);
			return;
		}
	}
	snprintf(out, size, "%s", path);
}

/*
 * A learned path as an AppArmor rule may name it: normalised, every character
 * the profile grammar does not take literally (control characters, quotes,
 * the glob characters * ? [ ] ^ of a file's own name, ...) becomes '?' (one
 * character, never '/'), so a hostile file name can neither break the profile
 * nor widen it beyond its directory.  false: not absolute or too long.
 */
static bool _aa_path(const char *in, char *out, size_t size)
{
	size_t len = strlen(in);
	bool dir = len > 1 && in[len - 1] == '/';

	if (in[0] != '/' || len + 2 > size || len > APPARMOR_PATH_MAX - 1)
		return false;
	memcpy(out, in, len + 1);
	learn_path_normalize(out);
	for (char *c = out; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("/._-+~=:% ", *c))
			*c = '?';
	if (dir && strcmp(out, "/") != 0)
		strcat(out, "/");
	return true;
}

static struct json *_aa_files(const struct _gen *g)
{
	struct strmap files = { 0 };
	_cleanup_json_ struct json *a = json_new_array();
	_cleanup_free_ struct strmap_item **v = NULL;
	char path[4096 + 8];

	for (size_t i = 0; a && i < g->m->sec.files.n; i++) {
		const struct strmap_item *it = g->m->sec.files.items[i];
		unsigned acc = it->flags;
		if (!_keep(g, it) || !(acc & ~REC_ACCESS_EXEC))
			continue; /* exec-only: in "exec" */
		char safe[sizeof(path)];
		if (!_aa_path(it->key, safe, sizeof(safe)))
			continue;
		_generalize(safe, path, sizeof(path));
		struct strmap_item *f = strmap_add(&files, path, NULL);
		if (!f)
			goto fail;
		f->flags |= acc;
	}
	v = strmap_sorted(&files);
	for (size_t i = 0; a && v && i < files.n; i++) {
		char acc[4];
		size_t n = 0;
		if (v[i]->flags & REC_ACCESS_READ)
			acc[n++] = 'r';
		if (v[i]->flags & (REC_ACCESS_WRITE | REC_ACCESS_CREATE))
			acc[n++] = 'w';
		if (v[i]->flags & REC_ACCESS_MMAP)
			acc[n++] = 'm';
		acc[n] = '\0';
		_cleanup_json_ struct json *f = json_new_object();
		if (!f || json_obj_set(f, "path", json_new_string(v[i]->key)) < 0 ||
		    json_obj_set(f, "access", json_new_string(acc)) < 0 ||
		    json_arr_append(a, steal_pointer(&f)) < 0)
			goto fail;
	}
	strmap_release(&files);
	return steal_pointer(&a);
fail:
	strmap_release(&files);
	return NULL;
}

/* Executed paths and what they resolved to (aa: as AppArmor rules may name them). */
static struct json *_exec_list(const struct _gen *g, bool aa)
{
	struct strmap bins = { 0 };
	struct json *a = NULL;
	char safe[4096 + 8];

	for (size_t i = 0; i < g->m->sec.exec.n; i++) {
		const struct strmap_item *it = g->m->sec.exec.items[i];
		const char *v[2] = { it->key, it->info };
		if (!_keep(g, it))
			continue;
		for (size_t k = 0; k < 2 && v[k]; k++) {
			if (v[k][0] != '/' || (aa && !_aa_path(v[k], safe, sizeof(safe))))
				continue;
			if (!strmap_add(&bins, aa ? safe : v[k], NULL))
				goto out;
		}
	}
	a = _sorted_keys(NULL, &bins, false);
out:
	strmap_release(&bins);
	return a;
}

static const char *const _families[] = {
	[1] = "unix", [2] = "inet", [10] = "inet6", [16] = "netlink", [17] = "packet"
};
static const char *const _types[] = {
	[1] = "stream", [2] = "dgram", [3] = "raw", [5] = "seqpacket"
};

static struct json *_aa_network(const struct _gen *g)
{
	uint64_t v[64];
	size_t n = 0;
	struct strmap net = { 0 };
	struct json *a = NULL;

	(void)_arg_values(g, "socket", 0, v, ARRAY_SIZE(v), &n);
	for (size_t i = 0; i < n; i++) {
		uint64_t d = v[i] >> 8, t = v[i] & 0xff;
		char rule[64];
		if (d >= ARRAY_SIZE(_families) || !_families[d] || t >= ARRAY_SIZE(_types) ||
		    !_types[t])
			continue;
		snprintf(rule, sizeof(rule), "%s %s", _families[d], _types[t]);
		if (!strmap_add(&net, rule, NULL))
			goto out;
	}
	a = _sorted_keys(NULL, &net, false);
out:
	strmap_release(&net);
	return a;
}

static struct json *_apparmor(const struct _gen *g)
{
	_cleanup_json_ struct json *o = json_new_object();

	if (!o || json_obj_set(o, "defaultDeny", json_new_bool(true)) < 0 ||
	    json_obj_set(o, "files", _aa_files(g)) < 0 ||
	    json_obj_set(o, "exec", _exec_list(g, true)) < 0 ||
	    json_obj_set(o, "network", _aa_network(g)) < 0 ||
	    json_obj_set(o, "capabilities", _sorted_keys(g, &g->caps, true)) < 0)
		return NULL;
	return steal_pointer(&o);
}

static struct json *_obj2(const char *k1, struct json *v1, const char *k2, struct json *v2)
{
	_cleanup_json_ struct json *o = json_new_object();

	if (!o || json_obj_set(o, k1, v1) < 0 || (k2 && json_obj_set(o, k2, v2) < 0))
		return NULL;
	return steal_pointer(&o);
}

/* Programs that started a shell while learning (args "shell.parent=tar"): the
 * terminal_shell rule lets them.  Only names /proc/<pid>/comm can show. */
static struct json *_shell_parents(const struct _gen *g)
{
	struct strmap names = { 0 };
	struct json *a = NULL;

	for (size_t i = 0; i < g->m->sec.args.n; i++) {
		const struct strmap_item *it = g->m->sec.args.items[i];
		const char *n = it->key + 13;
		if (!_keep(g, it) || strncmp(it->key, "shell.parent=", 13) != 0 || !*n ||
		    strlen(n) > 15 || strchr(n, '/'))
			continue;
		if (!strmap_add(&names, n, NULL))
			goto out;
	}
	a = _sorted_keys(NULL, &names, false);
out:
	strmap_release(&names);
	return a;
}

static struct json *_monitor(const struct _gen *g)
{
	_cleanup_json_ struct json *sp = _shell_parents(g);

	if (!sp)
		return NULL;
	const char *k2 = sp->n ? "shellParents" : NULL;
	return _obj2("knownBinaries", _exec_list(g, false), k2, k2 ? steal_pointer(&sp) : NULL);
}

/* A recording names capabilities as the monitor wrote them: one hardrun does not
 * know (a damaged recording) is left out rather than written into the profile. */
static int _known_caps(const struct profgen_merged *m, struct strmap *out)
{
	for (size_t i = 0; i < m->sec.caps.n; i++) {
		const struct strmap_item *it = m->sec.caps.items[i];
		unsigned bit;
		char canon[64];
		if (caps_from_name(it->key, &bit) < 0 ||
		    caps_to_name(bit, canon, sizeof(canon)) < 0 || strcmp(canon, it->key) != 0)
			continue;
		struct strmap_item *c = strmap_add(out, it->key, NULL);
		if (!c)
			return -ENOMEM;
		c->recordings = it->recordings;
	}
	return 0;
}

int profgen_generate(const char *name, const struct profgen_merged *m, const struct profgen_opts *o,
		     struct json **ret, struct err *e)
{
	struct _gen g = { .m = m, .o = o, .rules = json_new_array() };
	_cleanup_json_ struct json *p = json_new_object();
	_cleanup_free_ char *desc = NULL;
	int r = -ENOMEM;

	if (_known_caps(m, &g.caps) < 0 || !g.rules || !p ||
	    asprintf(&desc, "learned from %zu recording(s) by hardrun profile generate%s",
		     m->recordings, o->include_exec ? " (exec sessions included)" : "") < 0) {
		desc = NULL;
		goto out;
	}
	if (json_obj_set(p, "hardrun", json_new_int(1)) < 0 ||
	    json_obj_set(p, "name", json_new_string(name)) < 0 ||
	    json_obj_set(p, "description", json_new_string(desc)) < 0 ||
	    json_obj_set(p, "seccomp", _seccomp(&g)) < 0 ||
	    json_obj_set(p, "capabilities", _sorted_keys(&g, &g.caps, false)) < 0 ||
	    json_obj_set(p, "ambientCapabilities", json_new_array()) < 0 ||
	    /* runc loads the filter late only with noNewPrivileges: required (see _profgen_always)
	     */
	    json_obj_set(p, "noNewPrivileges", json_new_bool(true)) < 0 ||
	    json_obj_set(p, "apparmor", _apparmor(&g)) < 0 ||
	    (o->selinux_type && json_obj_set(p, "selinux",
					     _obj2("type", json_new_string(o->selinux_type),
						   "level", json_new_string("auto"))) < 0) ||
	    json_obj_set(p, "monitor", _monitor(&g)) < 0)
		goto out;
	*ret = steal_pointer(&p);
	r = 0;
out:
	strmap_release(&g.names);
	strmap_release(&g.caps);
	json_free(g.rules);
	return r < 0 ? err_set(e, -r, "generate: out of memory") : 0;
}
