/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Validation helpers for JSON documents that keep the key path of the value
 * being checked, so that errors read
 *   seccomp.syscalls[3].names[1]: unknown syscall "fooo"
 *
 *   struct jcheck c;
 *   jcheck_init(&c, e);
 *   size_t m = jcheck_key(&c, "seccomp");
 *   r = check_seccomp(&c, v);
 *   jcheck_pop(&c, m);
 */
#ifndef HARDRUN_JCHECK_H
#define HARDRUN_JCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "hardrun/err.h"
#include "hardrun/json.h"

struct jcheck {
	char path[512];
	size_t len;
	struct err *e;
};

void jcheck_init(struct jcheck *c, struct err *e);
/* Append ".key" / "[i]" to the path; return the mark to pop back to. */
size_t jcheck_key(struct jcheck *c, const char *key);
size_t jcheck_index(struct jcheck *c, size_t i);
void jcheck_pop(struct jcheck *c, size_t mark);

/* Fail with "<path>: <message>" (EINVAL). */
int jcheck_fail(struct jcheck *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fail unless v has type t ("expected array, got string"). */
int jcheck_type(struct jcheck *c, const struct json *v, enum json_type t);
/* Fail on a key of obj not in allowed (NULL-terminated), or a duplicated key. */
int jcheck_keys(struct jcheck *c, const struct json *obj, const char *const *allowed);
/* Fail unless obj has key. */
int jcheck_required(struct jcheck *c, const struct json *obj, const char *key);
/* v must be an array of non-empty strings without NUL bytes; each is passed
 * to check (may be NULL) with the path pointing at the item. */
int jcheck_strings(struct jcheck *c, const struct json *v,
		   int (*check)(struct jcheck *c, const char *s, void *data), void *data);
/* Run check on obj[key] (skipped when absent) with the path at key. */
int jcheck_field(struct jcheck *c, const struct json *obj, const char *key,
		 int (*check)(struct jcheck *c, const struct json *v, void *data), void *data);

/* One entry of a field table: check `key` with check(data) when present;
 * `required` keys must be present. */
struct jcheck_spec {
	const char *key;
	int (*check)(struct jcheck *c, const struct json *v, void *data);
	const void *data;
	bool required;
};
/* Every required key of the table first (in table order), then each present
 * key's check (in table order); stops at the first failure. */
int jcheck_fields(struct jcheck *c, const struct json *obj, const struct jcheck_spec *specs,
		  size_t n);
/* The same for every item of the array v (path at "[i]"). */
int jcheck_items(struct jcheck *c, const struct json *v,
		 int (*check)(struct jcheck *c, const struct json *item, void *data), void *data);
/* v must be an absolute path string ("/..."). */
int jcheck_abs_path(struct jcheck *c, const char *s, void *data);

#endif
