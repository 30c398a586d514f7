/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seccomp filters: a profile's "seccomp" section rendered into the OCI
 * linux.seccomp object, combined with a filter the bundle already has,
 * imported from / exported to other formats.
 *
 * Formats
 *   profile section: the OCI object plus per-rule "includes"/"excludes"
 *     {caps, arches, minKernel} and "comment" (moby's syntax; arches are Go
 *     names: amd64, 386 or x86, x32, arm64, arm, s390x, ...).
 *   OCI: runtime-spec linux.seccomp.  A rule whose args repeat an index is
 *     split by runc into one rule per condition (OR); hardrun reads it the same
 *     way and never writes such a rule.  Rules whose action equals the default
 *     action are no-ops (libseccomp refuses them with EACCES; runc skips them).
 *
 * Rendering (filter_render)
 *   - a rule is kept when all of includes.caps are in the final capability
 *     set, the native architecture is in includes.arches (if given) and the
 *     running kernel is >= includes.minKernel; it is dropped when any of
 *     excludes.caps is in the set, the native arch is in excludes.arches, or
 *     the kernel is >= excludes.minKernel.
 *   - ENOSYS, not EPERM, for syscalls newer than hardrun: every syscall that
 *     libseccomp knows for the native architecture, that is not in hardrun's
 *     own table (x86_64 names of Linux 6.1, shim/systab.c) and that the
 *     profile does not mention gets an explicit SCMP_ACT_ERRNO rule with
 *     errnoRet 38, so libc fallbacks keep working.  clone3 gets the same when
 *     clone is only allowed with argument filters and no rule names clone3
 *     (its flags live in memory, a filter cannot check them).  runc also
 *     returns ENOSYS for numbers above the filter's highest syscall; hardrun
 *     does not rely on that (crun does not do it).
 *
 * Combining (filter_combine): the result allows a call only when both
 * filters allow it.  Per syscall name, each side is read as one action with
 * a list of condition sets (OR of ANDs) plus that side's default action for
 * calls no rule matches.  Then:
 *   - actions are ranked ALLOW < LOG < TRACE = NOTIFY < ERRNO < TRAP <
 *     KILL_THREAD = KILL < KILL_PROCESS; where both sides decide, the higher
 *     rank wins; between two ERRNO actions ENOSYS wins (keeps libc fallbacks
 *     working), else the existing filter's errno;
 *   - conditions on both sides are ANDed pairwise.  Two conditions on the same
 *     argument cannot be written in one OCI rule (runc would OR them): when
 *     one is SCMP_CMP_EQ the pair is folded (kept or found unsatisfiable),
 *     otherwise that allow is dropped;
 *   - the result uses one action per syscall (conditional rules of one
 *     action, or one unconditional rule), because libseccomp's precedence
 *     between overlapping rules of different actions follows its decision
 *     tree, not strictness.  When that cannot express both sides, the call
 *     gets the strictest action either side could return for it;
 *   - default action: the stricter one; architectures: the intersection;
 *     flags: the union, except SECCOMP_FILTER_FLAG_SPEC_ALLOW (kept only when
 *     both have it); listenerPath/listenerMetadata: the existing filter's.
 */
#ifndef HARDRUN_FILTER_H
#define HARDRUN_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardrun/err.h"
#include "hardrun/jcheck.h"
#include "hardrun/json.h"

#define FILTER_ENOSYS 38

/* Ordered by strictness (see filter_act_rank). */
enum filter_act {
	FA_ALLOW,
	FA_LOG,
	FA_TRACE,
	FA_NOTIFY,
	FA_ERRNO,
	FA_TRAP,
	FA_KILL,
	FA_KILL_THREAD,
	FA_KILL_PROCESS,
	FA__COUNT,
};

struct filter_action {
	enum filter_act act;
	uint32_t ret; /* ERRNO: errno (default EPERM); TRACE: message */
};

enum filter_op {
	FOP_NE,
	FOP_LT,
	FOP_LE,
	FOP_EQ,
	FOP_GE,
	FOP_GT,
	FOP_MASKED_EQ,
	FOP__COUNT,
};

struct filter_arg {
	unsigned index;
	uint64_t value;
	uint64_t value_two;
	enum filter_op op;
};

/* One syscall name, one action, one AND-ed condition set (no repeated index). */
struct filter_rule {
	char *name;
	struct filter_action action;
	unsigned nargs;
	struct filter_arg args[6];
};

/* A parsed OCI filter.  `other` keeps every key but defaultAction,
 * defaultErrnoRet and syscalls (architectures, flags, listener*). */
struct filter {
	struct filter_action dflt;
	struct json *other;
	struct filter_rule *rules;
	size_t n, cap;
};

/* What the render resolves includes/excludes against. */
struct filter_env {
	uint32_t arch;		  /* SCMP_ARCH_* of the native architecture */
	unsigned kmajor, kminor;  /* running kernel */
	const char *const *known; /* hardrun's syscall table (NULL-terminated) */
	bool x32_off;		  /* the kernel does not run x32 syscalls */
	bool ia32_off;		  /* ... nor 32-bit x86 ones (int $0x80) */
};

/* ---- names ---- */
int filter_act_parse(const char *s, enum filter_act *ret);
const char *filter_act_name(enum filter_act a);
int filter_act_rank(enum filter_act a);
int filter_op_parse(const char *s, enum filter_op *ret);
const char *filter_op_name(enum filter_op op);
/* "SCMP_ARCH_X86_64" -> token; 0 when unknown. */
uint32_t filter_arch_token(const char *scmp_name);
const char *filter_arch_scmp_name(uint32_t token);
/* Go/moby names ("amd64", "x86", "386", "arm64", ...) -> token; 0 when unknown. */
uint32_t filter_arch_from_go(const char *go_name);
const char *filter_arch_go_name(uint32_t token);
/* The host: native arch, uname kernel version, systab_linux61 (ABIs: on). */
void filter_env_host(struct filter_env *ret);
/* Which compat ABIs the kernel runs on x86_64: x32 getpid and int $0x80
 * getpid, tried in a child (a kernel without ia32 emulation answers int $0x80
 * with SIGSEGV).  Anything but a clear "no" keeps the ABI on. */
void filter_env_probe_abis(struct filter_env *env);

/* hardrun's own syscall table: the x86_64 names of Linux 6.1. */
extern const char *const systab_linux61[];
/* table: NULL-terminated and sorted by name. */
bool systab_contains(const char *const *table, const char *name);

/* ---- validation (also used by profile.c) ---- */
enum {
	FILTER_CHECK_PROFILE =
		1 << 0, /* includes/excludes/comment allowed, architectures required */
	FILTER_CHECK_LAX_NAMES =
		1 << 1, /* unknown syscall names are not errors (runc ignores them) */
};
int filter_check(struct jcheck *c, const struct json *seccomp, unsigned flags);

/* ---- model ---- */
/* Parse an OCI linux.seccomp object (validated; unknown syscall names dropped). */
int filter_from_oci(const struct json *oci, struct filter *ret, struct err *e);
int filter_to_oci(const struct filter *f, struct json **ret, struct err *e);
int filter_add(struct filter *f, const struct filter_rule *r, struct err *e);
void filter_release(struct filter *f);
bool filter_action_eq(const struct filter_action *a, const struct filter_action *b);

/* ---- render / combine ---- */
int filter_render(const struct json *profile_seccomp, uint64_t final_caps, struct json **ret_oci,
		  struct err *e);
int filter_render_env(const struct json *profile_seccomp, uint64_t final_caps,
		      const struct filter_env *env, struct json **ret_oci, struct err *e);
int filter_combine(const struct json *existing_oci, const struct json *ours, struct json **ret,
		   struct err *e);
/* A container's final filter: drop SCMP_ARCH_X32 / SCMP_ARCH_X86 from its
 * architectures when the kernel does not run that ABI (env->x32_off,
 * env->ia32_off), never the last one.  Those parts of the filter are dead
 * code then, and each is a third of what runc compiles at every start.  A
 * call of that ABI is refused by the filter (bad architecture: the process is
 * killed) instead of by the kernel. */
void filter_trim_arches(struct json *oci, const struct filter_env *env);

/* ---- import / export ---- */
/* moby/docker seccomp JSON (archMap or architectures, names or name,
 * includes/excludes), an OCI linux.seccomp object or a whole config.json
 * -> a profile "seccomp" section.  Names libseccomp does not know are
 * dropped (as runc and moby do); their count goes to *ret_dropped. */
int filter_import(const struct json *doc, struct json **ret_section, size_t *ret_dropped,
		  struct err *e);

enum filter_format {
	FILTER_FMT_OCI,
	FILTER_FMT_DOCKER,
	FILTER_FMT_PFC,
	FILTER_FMT_BPF,
};
int filter_format_parse(const char *s, enum filter_format *ret);
/* docker: the section in moby's syntax (archMap, includes/excludes kept).
 * oci/pfc/bpf: rendered for caps on the host first.  pfc/bpf load the rules
 * into a libseccomp context and export it (never loaded into the kernel). */
int filter_export(const struct json *profile_seccomp, uint64_t caps, enum filter_format fmt, int fd,
		  struct err *e);
int filter_to_docker(const struct json *profile_seccomp, struct json **ret, struct err *e);
/* Build a libseccomp context from an OCI object; `void *` is a scmp_filter_ctx
 * so that this header does not need seccomp.h. */
int filter_compile(const struct json *oci, void **ret_ctx, struct err *e);

#endif
