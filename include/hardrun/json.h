/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small mutable JSON tree.  Only shim/json.c sees the JSON library (yajl);
 * everything else in hardrun uses this API.
 *
 * The tree is lossless for what a runtime bundle needs: object key order is
 * kept, duplicate keys are kept, numbers keep the exact text they were
 * written with (so 18446744073709551615 or 1e400 survive a round trip), and
 * strings are byte strings with a length (embedded NUL allowed).
 *
 * Ownership: a node owns its children.  json_obj_set()/json_arr_append()
 * take ownership of the value passed in, also on failure.
 */
#ifndef HARDRUN_JSON_H
#define HARDRUN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardrun/err.h"

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	bool boolean; /* JSON_BOOL */
	char *text;   /* JSON_STRING: value; JSON_NUMBER: literal text */
	size_t len;   /* length of text */
	size_t n;     /* JSON_ARRAY / JSON_OBJECT: number of children */
	size_t cap;
	char **keys;	     /* JSON_OBJECT: n keys (NUL-terminated UTF-8) */
	struct json **items; /* JSON_ARRAY / JSON_OBJECT: n children */
};

/* Hard limits applied by the parser (hostile input). */
#define JSON_MAX_DEPTH	      256
#define JSON_DEFAULT_MAX_SIZE (16u << 20) /* 16 MiB */

/* Parse one JSON document (trailing garbage is an error). */
int json_parse(const char *buf, size_t len, struct json **ret, struct err *e);

/* Read and parse a file of at most max_size bytes (O_CLOEXEC, no symlink games). */
int json_load_file(const char *path, size_t max_size, struct json **ret, struct err *e);

/* Serialise.  pretty: 2-space indentation.  *ret_buf is NUL-terminated, caller frees. */
int json_dump(const struct json *j, bool pretty, char **ret_buf, size_t *ret_len, struct err *e);

void json_free(struct json *j);
static inline void json_freep(struct json **j)
{
	if (*j)
		json_free(*j);
}
#define _cleanup_json_ __attribute__((cleanup(json_freep)))

/* Constructors; return NULL on ENOMEM. */
struct json *json_new_null(void);
struct json *json_new_bool(bool b);
struct json *json_new_string(const char *s);
struct json *json_new_stringn(const char *s, size_t len);
struct json *json_new_int(int64_t v);
struct json *json_new_uint(uint64_t v);
struct json *json_new_number_text(const char *literal); /* not validated */
struct json *json_new_array(void);
struct json *json_new_object(void);
struct json *json_clone(const struct json *j);

/* Object access.  json_get returns the LAST value for a duplicated key (as Go's
 * encoding/json, which runc uses, does). */
struct json *json_get(const struct json *obj, const char *key);
/* Walk "a.b.c" through nested objects; NULL if any step is missing/not an object. */
struct json *json_get_path(const struct json *root, const char *dotted);
/* Replace the value of key in place (order kept, every duplicate dropped but
 * the first) or append it. */
int json_obj_set(struct json *obj, const char *key, struct json *val);
/* Get the object at key, creating an empty one if missing.  NULL if key holds a
 * non-object or on ENOMEM. */
struct json *json_obj_ensure_object(struct json *obj, const char *key);
struct json *json_obj_ensure_array(struct json *obj, const char *key);
/* Remove key (all duplicates); true if something was removed. */
bool json_obj_del(struct json *obj, const char *key);
/* Remove key from obj and hand its value (the last, as json_get) to the
 * caller; NULL if absent. */
struct json *json_obj_take(struct json *obj, const char *key);

int json_arr_append(struct json *arr, struct json *val);
/* Remove and free item i. */
void json_arr_remove(struct json *arr, size_t i);

/* Typed readers; NULL / false / -EINVAL when the node is absent or of another type. */
const char *json_string(const struct json *j); /* NULL unless JSON_STRING without NUL bytes */
bool json_is_true(const struct json *j);
int json_to_int64(const struct json *j, int64_t *ret); /* integral literal in range */
int json_to_uint64(const struct json *j, uint64_t *ret);
bool json_is(const struct json *j, enum json_type t);
const char *json_type_name(enum json_type t);

#define json_foreach(i, j) for (size_t i = 0; (j) && i < (j)->n; i++)

#endif
