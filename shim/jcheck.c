// SPDX-License-Identifier: GPL-2.0-or-later
/* Path-aware JSON validation helpers (include/hardrun/jcheck.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hardrun/jcheck.h"

void jcheck_init(struct jcheck *c, struct err *e)
{
	c->path[0] = '\0';
	c->len = 0;
	c->e = e;
}

static size_t _jcheck_advance(struct jcheck *c, int n)
{
	size_t room = sizeof(c->path) - c->len;
	if (n > 0)
		c->len += (size_t)n < room ? (size_t)n : room - 1;
	return c->len;
}

size_t jcheck_key(struct jcheck *c, const char *key)
{
	size_t mark = c->len;
	(void)_jcheck_advance(c, snprintf(c->path + c->len, sizeof(c->path) - c->len, "%s%s",
					  c->len ? "." : "", key));
	return mark;
}

size_t jcheck_index(struct jcheck *c, size_t i)
{
	size_t mark = c->len;
	(void)_jcheck_advance(c, snprintf(c->path + c->len, sizeof(c->path) - c->len, "[%zu]", i));
	return mark;
}

void jcheck_pop(struct jcheck *c, size_t mark)
{
	if (mark <= c->len) {
		c->len = mark;
		c->path[mark] = '\0';
	}
}

int jcheck_fail(struct jcheck *c, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(c->e, EINVAL, "%s: %s", c->len ? c->path : "(document)", msg);
}

int jcheck_type(struct jcheck *c, const struct json *v, enum json_type t)
{
	if (json_is(v, t))
		return 0;
	return jcheck_fail(c, "expected %s, got %s", json_type_name(t),
			   v ? json_type_name(v->type) : "nothing");
}

static bool _in_list(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(key, *list) == 0)
			return true;
	return false;
}

int jcheck_keys(struct jcheck *c, const struct json *obj, const char *const *allowed)
{
	int r = jcheck_type(c, obj, JSON_OBJECT);
	if (r < 0)
		return r;
	json_foreach (i, obj) {
		if (!_in_list(obj->keys[i], allowed))
			return jcheck_fail(c, "unknown key \"%s\"", obj->keys[i]);
		for (size_t k = 0; k < i; k++)
			if (strcmp(obj->keys[k], obj->keys[i]) == 0)
				return jcheck_fail(c, "duplicate key \"%s\"", obj->keys[i]);
	}
	return 0;
}

int jcheck_required(struct jcheck *c, const struct json *obj, const char *key)
{
	if (json_get(obj, key))
		return 0;
	return jcheck_fail(c, "missing key \"%s\"", key);
}

int jcheck_strings(struct jcheck *c, const struct json *v,
		   int (*check)(struct jcheck *c, const char *s, void *data), void *data)
{
	int r = jcheck_type(c, v, JSON_ARRAY);
	json_foreach (i, v) {
		if (r < 0)
			break;
		size_t m = jcheck_index(c, i);
		const char *s = json_string(v->items[i]);
		if (!json_is(v->items[i], JSON_STRING))
			r = jcheck_type(c, v->items[i], JSON_STRING);
		else if (!s || !*s)
			r = jcheck_fail(c, "empty string or NUL byte");
		else if (check)
			r = check(c, s, data);
		jcheck_pop(c, m);
	}
	return r;
}

int jcheck_field(struct jcheck *c, const struct json *obj, const char *key,
		 int (*check)(struct jcheck *c, const struct json *v, void *data), void *data)
{
	const struct json *v = json_get(obj, key);
	if (!v)
		return 0;
	size_t m = jcheck_key(c, key);
	int r = check(c, v, data);
	jcheck_pop(c, m);
	return r;
}

int jcheck_fields(struct jcheck *c, const struct json *obj, const struct jcheck_spec *specs,
		  size_t n)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (specs[i].required)
			r = jcheck_required(c, obj, specs[i].key);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = jcheck_field(c, obj, specs[i].key, specs[i].check, (void *)specs[i].data);
	return r;
}

int jcheck_items(struct jcheck *c, const struct json *v,
		 int (*check)(struct jcheck *c, const struct json *item, void *data), void *data)
{
	int r = jcheck_type(c, v, JSON_ARRAY);
	json_foreach (i, v) {
		if (r < 0)
			break;
		size_t m = jcheck_index(c, i);
		r = check(c, v->items[i], data);
		jcheck_pop(c, m);
	}
	return r;
}

int jcheck_abs_path(struct jcheck *c, const char *s, void *data)
{
	if (s[0] != '/')
		return jcheck_fail(c, "\"%s\" is not an absolute path", s);
	return 0;
}
