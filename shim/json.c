// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON tree (include/hardrun/json.h).  This is the only file that knows
 * the JSON library: parsing uses yajl's event callbacks so that numbers keep
 * their literal text and object keys keep their order; output uses yajl_gen.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/json.h"

/* ---------- nodes ---------- */

static struct json *_json_new(enum json_type t)
{
	struct json *j = calloc(1, sizeof(*j));
	if (j)
		j->type = t;
	return j;
}

struct json *json_new_null(void)
{
	return _json_new(JSON_NULL);
}

struct json *json_new_bool(bool b)
{
	struct json *j = _json_new(JSON_BOOL);
	if (j)
		j->boolean = b;
	return j;
}

static struct json *_json_new_text(enum json_type t, const char *s, size_t len)
{
	struct json *j = _json_new(t);
	if (!j)
		return NULL;
	j->text = malloc(len + 1);
	if (!j->text) {
		free(j);
		return NULL;
	}
	memcpy(j->text, s, len);
	j->text[len] = '\0';
	j->len = len;
	return j;
}

struct json *json_new_stringn(const char *s, size_t len)
{
	return _json_new_text(JSON_STRING, s, len);
}

struct json *json_new_string(const char *s)
{
	return json_new_stringn(s, strlen(s));
}

struct json *json_new_number_text(const char *literal)
{
	return _json_new_text(JSON_NUMBER, literal, strlen(literal));
}

struct json *json_new_int(int64_t v)
{
	char buf[32];
	(void)snprintf(buf, sizeof(buf), "%" PRId64, v);
	return json_new_number_text(buf);
}

struct json *json_new_uint(uint64_t v)
{
	char buf[32];
	(void)snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_new_number_text(buf);
}

struct json *json_new_array(void)
{
	return _json_new(JSON_ARRAY);
}

struct json *json_new_object(void)
{
	return _json_new(JSON_OBJECT);
}

void json_free(struct json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		if (j->keys)
			free(j->keys[i]);
		json_free(j->items[i]);
	}
	free(j->keys);
	free(j->items);
	free(j->text);
	free(j);
}

static int _json_reserve(struct json *j, size_t want)
{
	if (want <= j->cap)
		return 0;
	size_t cap = j->cap ? j->cap * 2 : 4;
	while (cap < want)
		cap *= 2;
	struct json **items = realloc(j->items, cap * sizeof(*items));
	if (!items)
		return -ENOMEM;
	j->items = items;
	if (j->type == JSON_OBJECT) {
		char **keys = realloc(j->keys, cap * sizeof(*keys));
		if (!keys)
			return -ENOMEM;
		j->keys = keys;
	}
	j->cap = cap;
	return 0;
}

/* Append without looking for duplicates (the parser keeps them). */
static int _json_obj_append(struct json *obj, char *key, struct json *val)
{
	if (_json_reserve(obj, obj->n + 1) < 0)
		return -ENOMEM;
	obj->keys[obj->n] = key;
	obj->items[obj->n] = val;
	obj->n++;
	return 0;
}

int json_arr_append(struct json *arr, struct json *val)
{
	if (!val)
		return -ENOMEM;
	if (!arr || arr->type != JSON_ARRAY) {
		json_free(val);
		return -EINVAL;
	}
	if (_json_reserve(arr, arr->n + 1) < 0) {
		json_free(val);
		return -ENOMEM;
	}
	arr->items[arr->n++] = val;
	return 0;
}

void json_arr_remove(struct json *arr, size_t i)
{
	if (!arr || i >= arr->n)
		return;
	if (arr->keys)
		free(arr->keys[i]);
	json_free(arr->items[i]);
	memmove(arr->items + i, arr->items + i + 1, (arr->n - i - 1) * sizeof(*arr->items));
	if (arr->keys)
		memmove(arr->keys + i, arr->keys + i + 1, (arr->n - i - 1) * sizeof(*arr->keys));
	arr->n--;
}

struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = obj->n; i > 0; i--)
		if (strcmp(obj->keys[i - 1], key) == 0)
			return obj->items[i - 1];
	return NULL;
}

struct json *json_get_path(const struct json *root, const char *dotted)
{
	char part[256];
	const struct json *cur = root;

	while (cur && *dotted) {
		const char *dot = strchr(dotted, '.');
		size_t len = dot ? (size_t)(dot - dotted) : strlen(dotted);
		if (len >= sizeof(part))
			return NULL;
		memcpy(part, dotted, len);
		part[len] = '\0';
		cur = json_get(cur, part);
		dotted += len + (dot ? 1 : 0);
	}
	return (struct json *)cur;
}

int json_obj_set(struct json *obj, const char *key, struct json *val)
{
	if (!val)
		return -ENOMEM;
	if (!obj || obj->type != JSON_OBJECT) {
		json_free(val);
		return -EINVAL;
	}
	bool placed = false;
	for (size_t i = 0; i < obj->n;) {
		if (strcmp(obj->keys[i], key) != 0) {
			i++;
			continue;
		}
		if (placed) {
			json_arr_remove(obj, i);
			continue;
		}
		json_free(obj->items[i]);
		obj->items[i] = val;
		placed = true;
		i++;
	}
	if (placed)
		return 0;
	char *k = strdup(key);
	if (!k || _json_obj_append(obj, k, val) < 0) {
		free(k);
		json_free(val);
		return -ENOMEM;
	}
	return 0;
}

static struct json *_json_obj_ensure(struct json *obj, const char *key, enum json_type t)
{
	struct json *cur = json_get(obj, key);
	if (cur)
		return cur->type == t ? cur : NULL;
	struct json *n = _json_new(t);
	if (json_obj_set(obj, key, n) < 0)
		return NULL;
	return n;
}

struct json *json_obj_ensure_object(struct json *obj, const char *key)
{
	return _json_obj_ensure(obj, key, JSON_OBJECT);
}

struct json *json_obj_ensure_array(struct json *obj, const char *key)
{
	return _json_obj_ensure(obj, key, JSON_ARRAY);
}

bool json_obj_del(struct json *obj, const char *key)
{
	bool removed = false;
	if (!obj || obj->type != JSON_OBJECT)
		return false;
	for (size_t i = 0; i < obj->n;) {
		if (strcmp(obj->keys[i], key) == 0) {
			json_arr_remove(obj, i);
			removed = true;
		} else {
			i++;
		}
	}
	return removed;
}

struct json *json_obj_take(struct json *obj, const char *key)
{
	struct json *v = NULL;
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = obj->n; i-- > 0;) { /* the last one, as json_get */
		if (strcmp(obj->keys[i], key) != 0)
			continue;
		if (!v) {
			v = obj->items[i];
			obj->items[i] = NULL;
		}
		json_arr_remove(obj, i);
	}
	return v;
}

struct json *json_clone(const struct json *j)
{
	if (!j)
		return NULL;
	struct json *c = _json_new(j->type);
	if (!c)
		return NULL;
	c->boolean = j->boolean;
	if (j->text) {
		c->text = malloc(j->len + 1);
		if (!c->text)
			goto fail;
		memcpy(c->text, j->text, j->len + 1);
		c->len = j->len;
	}
	if (_json_reserve(c, j->n) < 0)
		goto fail;
	for (size_t i = 0; i < j->n; i++) {
		struct json *item = json_clone(j->items[i]);
		if (!item)
			goto fail;
		if (j->type == JSON_OBJECT) {
			char *k = strdup(j->keys[i]);
			if (!k || _json_obj_append(c, k, item) < 0) {
				free(k);
				json_free(item);
				goto fail;
			}
		} else if (json_arr_append(c, item) < 0) {
			goto fail;
		}
	}
	return c;
fail:
	json_free(c);
	return NULL;
}

const char *json_string(const struct json *j)
{
	if (!j || j->type != JSON_STRING || strlen(j->text) != j->len)
		return NULL;
	return j->text;
}

bool json_is_true(const struct json *j)
{
	return j && j->type == JSON_BOOL && j->boolean;
}

bool json_is(const struct json *j, enum json_type t)
{
	return j && j->type == t;
}

int json_to_int64(const struct json *j, int64_t *ret)
{
	char *end;
	if (!j || j->type != JSON_NUMBER)
		return -EINVAL;
	errno = 0;
	long long v = strtoll(j->text, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int json_to_uint64(const struct json *j, uint64_t *ret)
{
	char *end;
	if (!j || j->type != JSON_NUMBER || j->text[0] == '-')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(j->text, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

const char *json_type_name(enum json_type t)
{
	static const char *const names[] = {
		[JSON_NULL] = "null",	  [JSON_BOOL] = "boolean", [JSON_NUMBER] = "number",
		[JSON_STRING] = "string", [JSON_ARRAY] = "array",  [JSON_OBJECT] = "object",
	};
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

/* ---------- parsing ---------- */

struct _parse_ctx {
	struct json *root;
	struct json *stack[JSON_MAX_DEPTH + 1];
	char *pending_key[JSON_MAX_DEPTH + 1];
	size_t depth;
	int error; /* 0, -ENOMEM or -E2BIG (depth) */
};

static int _parse_add(struct _parse_ctx *c, struct json *v)
{
	if (!v) {
		c->error = -ENOMEM;
		return 0;
	}
	if (c->depth == 0) {
		c->root = v;
		return 1;
	}
	struct json *top = c->stack[c->depth - 1];
	int r;
	if (top->type == JSON_OBJECT) {
		char *key = c->pending_key[c->depth - 1];
		c->pending_key[c->depth - 1] = NULL;
		r = _json_obj_append(top, key, v);
		if (r < 0) {
			free(key);
			json_free(v);
		}
	} else {
		r = json_arr_append(top, v);
	}
	if (r < 0) {
		c->error = r;
		return 0;
	}
	return 1;
}

static int _parse_push(struct _parse_ctx *c, enum json_type t)
{
	if (c->depth >= JSON_MAX_DEPTH) {
		c->error = -E2BIG;
		return 0;
	}
	struct json *v = _json_new(t);
	if (!_parse_add(c, v))
		return 0;
	c->stack[c->depth++] = v;
	return 1;
}

static int _cb_null(void *ctx)
{
	return _parse_add(ctx, json_new_null());
}

static int _cb_bool(void *ctx, int b)
{
	return _parse_add(ctx, json_new_bool(b));
}

static int _cb_number(void *ctx, const char *s, size_t len)
{
	return _parse_add(ctx, _json_new_text(JSON_NUMBER, s, len));
}

static int _cb_string(void *ctx, const unsigned char *s, size_t len)
{
	return _parse_add(ctx, json_new_stringn((const char *)s, len));
}

static int _cb_start_map(void *ctx)
{
	return _parse_push(ctx, JSON_OBJECT);
}

static int _cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct _parse_ctx *c = ctx;
	if (memchr(s, '\0', len)) {
		c->error = -EINVAL;
		return 0;
	}
	char *k = strndup((const char *)s, len);
	if (!k) {
		c->error = -ENOMEM;
		return 0;
	}
	free(c->pending_key[c->depth - 1]);
	c->pending_key[c->depth - 1] = k;
	return 1;
}

static int _cb_end(void *ctx)
{
	struct _parse_ctx *c = ctx;
	c->depth--;
	return 1;
}

static int _cb_start_array(void *ctx)
{
	return _parse_push(ctx, JSON_ARRAY);
}

static const yajl_callbacks _callbacks = {
	.yajl_null = _cb_null,
	.yajl_boolean = _cb_bool,
	.yajl_number = _cb_number,
	.yajl_string = _cb_string,
	.yajl_start_map = _cb_start_map,
	.yajl_map_key = _cb_map_key,
	.yajl_end_map = _cb_end,
	.yajl_start_array = _cb_start_array,
	.yajl_end_array = _cb_end,
};

static void _parse_ctx_release(struct _parse_ctx *c)
{
	for (size_t i = 0; i <= JSON_MAX_DEPTH; i++)
		free(c->pending_key[i]);
	json_free(c->root);
}

static int _parse_error(yajl_handle h, const char *buf, size_t len, struct _parse_ctx *c,
			struct err *e)
{
	if (c->error == -ENOMEM)
		return err_set(e, ENOMEM, "out of memory while parsing JSON");
	if (c->error == -E2BIG)
		return err_set(e, EINVAL, "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
	if (c->error == -EINVAL)
		return err_set(e, EINVAL, "JSON object key contains a NUL byte");
	size_t off = yajl_get_bytes_consumed(h);
	unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)buf, len);
	if (msg)
		msg[strcspn((char *)msg, "\n")] = '\0';
	int r = err_set(e, EINVAL, "invalid JSON at byte %zu: %s", off,
			msg ? (const char *)msg : "parse error");
	if (msg)
		yajl_free_error(h, msg);
	return r;
}

static bool _blank(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r')
			return false;
	return true;
}

int json_parse(const char *buf, size_t len, struct json **ret, struct err *e)
{
	if (_blank(buf, len))
		return err_set(e, EINVAL, "empty JSON document");
	struct _parse_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return err_set(e, ENOMEM, "out of memory while parsing JSON");
	yajl_handle h = yajl_alloc(&_callbacks, NULL, c);
	if (!h) {
		free(c);
		return err_set(e, ENOMEM, "out of memory while parsing JSON");
	}
	int r = 0;
	yajl_status st = yajl_parse(h, (const unsigned char *)buf, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok || c->error || !c->root) {
		r = c->root || st != yajl_status_ok || c->error
			    ? _parse_error(h, buf, len, c, e)
			    : err_set(e, EINVAL, "empty JSON document");
	} else {
		*ret = steal_pointer(&c->root);
	}
	yajl_free(h);
	_parse_ctx_release(c);
	free(c);
	return r;
}

int json_load_file(const char *path, size_t max_size, struct json **ret, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = fs_read_file(path, max_size, &buf, &len, e);
	if (r < 0)
		return r;
	r = json_parse(buf, len, ret, e);
	if (r < 0)
		return err_prefix(e, "%s", path);
	return 0;
}

/* ---------- output ---------- */

static yajl_gen_status _gen(yajl_gen g, const struct json *j)
{
	yajl_gen_status st;
	switch (j->type) {
	case JSON_NULL:
		return yajl_gen_null(g);
	case JSON_BOOL:
		return yajl_gen_bool(g, j->boolean);
	case JSON_NUMBER:
		return yajl_gen_number(g, j->text, j->len);
	case JSON_STRING:
		return yajl_gen_string(g, (const unsigned char *)j->text, j->len);
	case JSON_ARRAY:
		if ((st = yajl_gen_array_open(g)) != yajl_gen_status_ok)
			return st;
		for (size_t i = 0; i < j->n; i++)
			if ((st = _gen(g, j->items[i])) != yajl_gen_status_ok)
				return st;
		return yajl_gen_array_close(g);
	case JSON_OBJECT:
		if ((st = yajl_gen_map_open(g)) != yajl_gen_status_ok)
			return st;
		for (size_t i = 0; i < j->n; i++) {
			st = yajl_gen_string(g, (const unsigned char *)j->keys[i],
					     strlen(j->keys[i]));
			if (st != yajl_gen_status_ok || (st = _gen(g, j->items[i])) != 0)
				return st;
		}
		return yajl_gen_map_close(g);
	}
	return yajl_gen_invalid_string;
}

int json_dump(const struct json *j, bool pretty, char **ret_buf, size_t *ret_len, struct err *e)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g)
		return err_set(e, ENOMEM, "out of memory writing JSON");
	if (pretty) {
		(void)yajl_gen_config(g, yajl_gen_beautify, 1);
		(void)yajl_gen_config(g, yajl_gen_indent_string, "  ");
	}
	int r = 0;
	yajl_gen_status st = _gen(g, j);
	if (st != yajl_gen_status_ok) {
		r = err_set(e, EINVAL, "cannot serialise JSON (yajl status %d)", (int)st);
	} else {
		const unsigned char *out;
		size_t len;
		(void)yajl_gen_get_buf(g, &out, &len);
		char *copy = malloc(len + 1);
		if (!copy) {
			r = err_set(e, ENOMEM, "out of memory writing JSON");
		} else {
			memcpy(copy, out, len);
			copy[len] = '\0';
			*ret_buf = copy;
			if (ret_len)
				*ret_len = len;
		}
	}
	yajl_gen_free(g);
	return r;
}
