// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Learning mode (include/hardrun/learn.h): the learn-mode seccomp filter and
 * the per-container recorder behind the monitor loop.
 *
 * The filter: every syscall hardrun knows goes to NOTIFY and the monitor
 * answers CONTINUE, except what must stay ALLOW for runc to hand the notify
 * fd to its parent (see _learn_allow).  runc refuses SCMP_ACT_NOTIFY as the
 * default action, so the NOTIFY rule names every syscall of the table and the
 * default action (syscalls newer than the table) is ENOSYS, which is what the
 * generated profile answers for them too.
 *
 * The recorder counts into a struct recording and writes it atomically to
 * <recordingsDir>/<profile>/<container-id>.json when learn_flush() finds it
 * dirty (the monitor calls it about once a second) and at learn_close().
 */
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/learn.h"
#include "hardrun/learn_caps.h"
#include "hardrun/learn_decode.h"
#include "hardrun/learn_systab.h"
#include "hardrun/recording.h"

#define LEARN_NR_MAX  1024
#define LEARN_X32_BIT 0x40000000
#define LEARN_ENOSYS  38

/*
 * Syscalls that stay ALLOW in learn mode (and are therefore always part of a
 * generated profile, see profgen.c).  runc init loads the filter, then writes
 * the fd number to its parent, which fetches it with pidfd_getfd() and passes
 * it to the monitor.  A call notified before that write can never be
 * answered: runc init would hang.  Between the load and the write only the Go
 * runtime runs on that thread (futex, signals, memory, scheduling).
 */
static const char *const _learn_allow[] = {
	"write", /* the sync write itself; runc refuses NOTIFY on write */
	"futex",
	"rt_sigreturn",
	"rt_sigprocmask",
	"sigaltstack",
	"sched_yield",
	"nanosleep",
	"clock_nanosleep",
	"madvise",
	"munmap",
	"brk",
	"getpid",
	"gettid",
	"tgkill",
	"restart_syscall",
	/* vDSO fallbacks: always allowed, far too frequent to route */
	"clock_gettime",
	"clock_gettime64",
	"gettimeofday",
	"time",
	"getcpu",
};

/*
 * Process creation is never routed while it creates no namespace: a signal
 * (SIGCHLD of an earlier child) that arrives while a notified fork waits for
 * the monitor makes fork fail with EINTR (runc cannot ask the kernel for
 * killable waits).  Generated profiles always allow plain forks.  clone3
 * answers ENOSYS as in generated profiles: libc falls back to clone.
 */
static const char *const _learn_fork[] = { "fork", "vfork" };
#define LEARN_NS_MASK 0x7e020080ull /* every CLONE_NEW* flag */

/* mmap/mprotect are routed only when they ask for PROT_EXEC. */
static const char *const _learn_prot[] = { "mmap", "mmap2", "mprotect", "pkey_mprotect" };

static const char *const _learn_arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool _in(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static struct json *_strv_json(const char *const *v, size_t n)
{
	_cleanup_json_ struct json *a = json_new_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_arr_append(a, json_new_string(v[i])) < 0)
			return NULL;
	return steal_pointer(&a);
}

/* {"names": [...], "action": action, "args": [{index 2, PROT_EXEC mask == exec}]} */
static struct json *_learn_rule(struct json *names, const char *action, int prot_exec)
{
	_cleanup_json_ struct json *r = json_new_object();

	if (!r || json_obj_set(r, "names", names) < 0 ||
	    json_obj_set(r, "action", json_new_string(action)) < 0)
		return NULL;
	if (prot_exec < 0)
		return steal_pointer(&r);
	struct json *args = json_obj_ensure_array(r, "args");
	_cleanup_json_ struct json *a = json_new_object();
	if (!args || !a || json_obj_set(a, "index", json_new_int(2)) < 0 ||
	    json_obj_set(a, "value", json_new_int(PROT_EXEC)) < 0 ||
	    json_obj_set(a, "valueTwo", json_new_int(prot_exec)) < 0 ||
	    json_obj_set(a, "op", json_new_string("SCMP_CMP_MASKED_EQ")) < 0 ||
	    json_arr_append(args, steal_pointer(&a)) < 0)
		return NULL;
	return steal_pointer(&r);
}

static struct json *_learn_notify_names(void)
{
	size_t n;
	const char *const *all = learn_systab_names(&n);
	_cleanup_json_ struct json *a = json_new_array();

	if (!a || !all)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (_in(_learn_allow, ARRAY_SIZE(_learn_allow), all[i]) ||
		    _in(_learn_prot, ARRAY_SIZE(_learn_prot), all[i]) ||
		    _in(_learn_fork, ARRAY_SIZE(_learn_fork), all[i]) ||
		    strcmp(all[i], "clone") == 0 || strcmp(all[i], "clone3") == 0)
			continue;
		if (json_arr_append(a, json_new_string(all[i])) < 0)
			return NULL;
	}
	return steal_pointer(&a);
}

/* clone(flags): ALLOW without namespace flags, NOTIFY with any (one rule a
 * flag: disjoint from the ALLOW rule, overlapping only each other). */
static int _learn_clone_rules(struct json *rules)
{
	struct {
		const char *action;
		uint64_t mask, value;
	} alts[9] = { { "SCMP_ACT_ALLOW", LEARN_NS_MASK, 0 } };
	size_t n = 1;
	for (int bit = 0; bit < 32; bit++)
		if (LEARN_NS_MASK & (1ull << bit))
			alts[n++] =
				(typeof(alts[0])){ "SCMP_ACT_NOTIFY", 1ull << bit, 1ull << bit };
	for (size_t i = 0; i < n; i++) {
		_cleanup_json_ struct json *r = json_new_object(), *names = json_new_array();
		_cleanup_json_ struct json *args = json_new_array(), *a = json_new_object();
		if (!r || !names || !args || !a ||
		    json_arr_append(names, json_new_string("clone")) < 0 ||
		    json_obj_set(a, "index", json_new_int(0)) < 0 ||
		    json_obj_set(a, "value", json_new_uint(alts[i].mask)) < 0 ||
		    json_obj_set(a, "valueTwo", json_new_uint(alts[i].value)) < 0 ||
		    json_obj_set(a, "op", json_new_string("SCMP_CMP_MASKED_EQ")) < 0 ||
		    json_arr_append(args, steal_pointer(&a)) < 0 ||
		    json_obj_set(r, "names", steal_pointer(&names)) < 0 ||
		    json_obj_set(r, "action", json_new_string(alts[i].action)) < 0 ||
		    json_obj_set(r, "args", steal_pointer(&args)) < 0 ||
		    json_arr_append(rules, steal_pointer(&r)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int _learn_clone3_enosys(struct json *rules)
{
	_cleanup_json_ struct json *r = _learn_rule(json_new_array(), "SCMP_ACT_ERRNO", -1);
	if (!r || json_arr_append(json_get(r, "names"), json_new_string("clone3")) < 0 ||
	    json_obj_set(r, "errnoRet", json_new_int(LEARN_ENOSYS)) < 0)
		return -ENOMEM;
	return json_arr_append(rules, steal_pointer(&r));
}

bool learn_must_allow(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(_learn_allow); i++)
		if (strcmp(_learn_allow[i], name) == 0)
			return true;
	return false;
}

int learn_prepare(struct json *seccomp, struct err *e)
{
	_cleanup_json_ struct json *rules = json_new_array();

	if (!json_is(seccomp, JSON_OBJECT))
		return err_set(e, EINVAL, "learn mode: linux.seccomp is not an object");
	if (!rules ||
	    json_arr_append(rules, _learn_rule(_strv_json(_learn_allow, ARRAY_SIZE(_learn_allow)),
					       "SCMP_ACT_ALLOW", -1)) < 0 ||
	    json_arr_append(rules, _learn_rule(_strv_json(_learn_prot, ARRAY_SIZE(_learn_prot)),
					       "SCMP_ACT_ALLOW", 0)) < 0 ||
	    json_arr_append(rules, _learn_rule(_strv_json(_learn_prot, ARRAY_SIZE(_learn_prot)),
					       "SCMP_ACT_NOTIFY", PROT_EXEC)) < 0 ||
	    json_arr_append(rules, _learn_rule(_strv_json(_learn_fork, ARRAY_SIZE(_learn_fork)),
					       "SCMP_ACT_ALLOW", -1)) < 0 ||
	    _learn_clone_rules(rules) < 0 || _learn_clone3_enosys(rules) < 0 ||
	    json_arr_append(rules, _learn_rule(_learn_notify_names(), "SCMP_ACT_NOTIFY", -1)) < 0)
		return err_set(e, ENOMEM, "learn mode: out of memory");
	if (json_obj_set(seccomp, "defaultAction", json_new_string("SCMP_ACT_ERRNO")) < 0 ||
	    json_obj_set(seccomp, "defaultErrnoRet", json_new_int(LEARN_ENOSYS)) < 0 ||
	    json_obj_set(seccomp, "architectures",
			 _strv_json(_learn_arches, ARRAY_SIZE(_learn_arches))) < 0 ||
	    json_obj_set(seccomp, "syscalls", steal_pointer(&rules)) < 0)
		return err_set(e, ENOMEM, "learn mode: out of memory");
	return 0;
}

/* ---------- the recorder ---------- */

enum { ARCH_X86_64, ARCH_X86, ARCH_X32, ARCH__N };
static const char *const _arch_names[ARCH__N] = { "x86_64", "x86", "x32" };

struct learn {
	char *dir;  /* <recordingsDir>/<profile> */
	char *path; /* <dir>/<container-id>.json */
	struct recording rec;
	bool dirty;
	/* per (section, arch, nr): the syscall's counter; per (arch, nr): decoder + 2,
	 * capability decision + 2 */
	struct strmap_item *cache[REC__SECTIONS][ARCH__N][LEARN_NR_MAX];
	signed char decoder[ARCH__N][LEARN_NR_MAX];
	short capidx[ARCH__N][LEARN_NR_MAX];
};

static void _learn_free(struct learn *l)
{
	if (!l)
		return;
	recording_release(&l->rec);
	free(l->dir);
	free(l->path);
	free(l);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct learn *, _learn_free)

/* A container id or profile name used as a file name: never a path. */
static bool _learn_name_ok(const char *s)
{
	return s && *s && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && !strchr(s, '/') &&
	       strlen(s) <= 255;
}

void *learn_open(const struct monitor_spec *s, struct err *e)
{
	_cleanup_(_learn_freep) struct learn *l = NULL;

	if (!s->recordings_dir || !_learn_name_ok(s->profile_name) ||
	    !_learn_name_ok(s->container_id)) {
		err_set(e, EINVAL, "learn: bad recordings dir, profile name or container id");
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l || asprintf(&l->dir, "%s/%s", s->recordings_dir, s->profile_name) < 0 ||
	    asprintf(&l->path, "%s/%s.json", l->dir, s->container_id) < 0 ||
	    !(l->rec.profile = strdup(s->profile_name)) ||
	    !(l->rec.container_id = strdup(s->container_id))) {
		err_set(e, ENOMEM, "learn: out of memory");
		return NULL;
	}
	if (fs_mkdir_p(l->dir, 0700, e) < 0)
		return NULL;
	l->rec.started_at = l->rec.last_new_at = l->rec.last_new_syscall_at = time(NULL);
	l->dirty = true;
	/* an empty recording exists from the start */
	if (learn_flush(l, e) < 0)
		return NULL;
	return steal_pointer(&l);
}

static int _learn_arch(const struct mon_call *c, int *nr)
{
	*nr = c->nr;
	if (c->arch == AUDIT_ARCH_I386)
		return ARCH_X86;
	if (c->arch != AUDIT_ARCH_X86_64)
		return -1;
	if (c->nr & LEARN_X32_BIT) {
		*nr = c->nr & ~LEARN_X32_BIT;
		return ARCH_X32;
	}
	return ARCH_X86_64;
}

static struct strmap_item *_learn_syscall(struct learn *l, int sec, const struct mon_call *c,
					  int arch, int nr, bool *ret_new)
{
	struct strmap_item **slot =
		(arch >= 0 && nr >= 0 && nr < LEARN_NR_MAX) ? &l->cache[sec][arch][nr] : NULL;
	char key[96];

	*ret_new = false;
	if (slot && *slot)
		return *slot;
	if (c->name && strcmp(c->name, "?") != 0)
		snprintf(key, sizeof(key), "%s/%s", arch >= 0 ? _arch_names[arch] : "other",
			 c->name);
	else
		snprintf(key, sizeof(key), "%s/#%d", arch >= 0 ? _arch_names[arch] : "other", nr);
	struct strmap_item *it = strmap_add(&l->rec.sec[sec].syscalls, key, ret_new);
	if (slot)
		*slot = it;
	return it;
}

static int _learn_decoder(struct learn *l, const struct mon_call *c, int arch, int nr)
{
	if (arch < 0 || nr < 0 || nr >= LEARN_NR_MAX)
		return c->name ? learn_decoder_index(c->name) : -1;
	signed char *d = &l->decoder[arch][nr];
	if (*d == 0)
		*d = (signed char)((c->name ? learn_decoder_index(c->name) : -1) + 2);
	return *d - 2;
}

static int _learn_capidx(struct learn *l, const struct mon_call *c, int arch, int nr)
{
	if (arch < 0 || nr < 0 || nr >= LEARN_NR_MAX)
		return c->name ? learn_caps_index(c->name) : -1;
	short *d = &l->capidx[arch][nr];
	if (*d == 0)
		*d = (short)((c->name ? learn_caps_index(c->name) : -1) + 2);
	return *d - 2;
}

static bool _is_exec(const char *name)
{
	return name && (strcmp(name, "execve") == 0 || strcmp(name, "execveat") == 0);
}

int learn_on_call(void *learn_ctx, const struct mon_call *c, int *ret_errno)
{
	struct learn *l = learn_ctx;
	int nr, arch = _learn_arch(c, &nr);
	bool is_new;

	*ret_errno = 0; /* learning never changes what the workload gets */
	/* the entrypoint's execve is the workload's first call */
	int sec = (!c->started && !_is_exec(c->name)) ? REC_RUNTIME
		  : c->session > 0		      ? REC_EXEC
						      : REC_MAIN;
	if (c->session > 0 && (uint64_t)c->session > l->rec.exec_sessions)
		l->rec.exec_sessions = (uint64_t)c->session;
	l->dirty = true;
	struct strmap_item *it = _learn_syscall(l, sec, c, arch, nr, &is_new);
	if (!it)
		return 0;
	it->count++;
	if (sec == REC_RUNTIME)
		return 0;
	if (is_new) {
		char bin[PATH_MAX];
		if (!c->started)
			(void)strmap_item_set_info(it, "(runtime)");
		else if (learn_proc_binary(c->pid, bin, sizeof(bin)) == 0)
			(void)strmap_item_set_info(it, bin);
		l->rec.last_new_syscall_at = l->rec.last_new_at = time(NULL);
	}
	is_new = false;
	learn_decode(_learn_decoder(l, c, arch, nr), &l->rec.sec[sec], c, &is_new);
	int ci = _learn_capidx(l, c, arch, nr);
	if (ci >= 0)
		learn_caps_record(ci, &l->rec.sec[sec], c, &is_new);
	if (is_new)
		l->rec.last_new_at = time(NULL);
	return 0;
}

int learn_flush(void *ctx, struct err *e)
{
	struct learn *l = ctx;
	_cleanup_json_ struct json *doc = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	if (!l || !l->dirty)
		return 0;
	l->rec.updated_at = time(NULL);
	r = recording_to_json(&l->rec, &doc, e);
	if (r < 0)
		return r;
	r = json_dump(doc, true, &buf, &len, e);
	if (r < 0)
		return r;
	r = fs_write_atomic(l->path, buf, len, 0600, e);
	if (r < 0)
		return r;
	l->dirty = false;
	return 0;
}

void learn_close(void *ctx)
{
	struct learn *l = ctx;

	if (!l)
		return;
	(void)learn_flush(l, NULL);
	_learn_free(l);
}
