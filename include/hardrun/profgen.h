/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Profiles from learn-mode recordings (shim/profgen.c): merge any number of
 * recordings (union, per-item counts and how many recordings had each item),
 * generate a profile document ("hardrun": 1), summarise and diff profiles.
 * Pure: no I/O but the FILE * the summaries are printed to.
 */
#ifndef HARDRUN_PROFGEN_H
#define HARDRUN_PROFGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/recording.h"

/* The comment of the generated ALLOW rule that holds what syscall families added. */
#define PROFGEN_FAMILY_COMMENT                                                                     \
	"syscall families of learned calls (generate --exact leaves them out)"

struct profgen_opts {
	uint64_t min_count;	  /* keep items seen in at least this many recordings (>= 1) */
	bool include_exec;	  /* merge `runc exec` sessions too */
	const char *selinux_type; /* NULL: no selinux section */
	bool exact;		  /* no syscall families (profgen_family.c) */
};

struct profgen_merged {
	struct rec_section sec; /* union; item->recordings = how many recordings had it */
	size_t recordings;
	uint64_t exec_sessions; /* over all recordings (merged or kept out) */
	/* saturation: trailing recordings (by start time) that added no syscall,
	 * and how long the newest one ran without a new syscall */
	size_t runs_without_new;
	int64_t seconds_without_new;
};

int profgen_merge(const struct recording *recs, size_t n, const struct profgen_opts *o,
		  struct profgen_merged *ret, struct err *e);
void profgen_merged_release(struct profgen_merged *m);

/* The profile named name from m (items below o->min_count left out). */
int profgen_generate(const char *name, const struct profgen_merged *m, const struct profgen_opts *o,
		     struct json **ret, struct err *e);

/* Human summary of a generation (to stderr by `profile generate`). */
void profgen_summary(FILE *out, const char *name, const struct profgen_merged *m,
		     const struct profgen_opts *o, const struct json *profile);

/*
 * Syscall families (shim/profgen_family.c): when one member of a family is in
 * names (an item without added_flag), every other member that
 * profgen_family_may_add() is added, with added_flag and info = the family's
 * first member.  -ENOMEM.
 */
int profgen_family_expand(struct strmap *names, unsigned added_flag);
/* The first family a name is in (named by its first member), NULL when in none. */
const char *profgen_family_of(const char *name);
/* Known to hardrun and not a call a monitor rule watches for every argument. */
bool profgen_family_may_add(const char *name);

/* Readable difference of two profiles; returns 0 when equal, 1 when they differ. */
int profgen_diff(FILE *out, const char *name_a, const struct json *a, const char *name_b,
		 const struct json *b);

#endif
