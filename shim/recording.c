// SPDX-License-Identifier: GPL-2.0-or-later
/* Learn-mode recordings <-> JSON (include/hardrun/recording.h). */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/cleanup.h"
#include "hardrun/recording.h"

#define RECORDING_MAX_SIZE (64u << 20)

const char *const recording_section_names[REC__SECTIONS] = {
	[REC_MAIN] = "main",
	[REC_EXEC] = "exec",
	[REC_RUNTIME] = "runtime",
};

/* How each category of a section is written. */
struct _rec_cat {
	const char *name;     /* JSON key */
	size_t off;	      /* strmap in struct rec_section */
	char sep;	      /* 0: flat; else key "a<sep>b" is written as {a: {b: leaf}} */
	const char *info_key; /* leaf {"count": n, info_key: info}; NULL: leaf is the count */
	bool access;	      /* leaf has "access" */
};

static const struct _rec_cat _rec_cats[] = {
	{ "syscalls", offsetof(struct rec_section, syscalls), '/', "firstBinary", false },
	{ "args", offsetof(struct rec_section, args), '=', NULL, false },
	{ "exec", offsetof(struct rec_section, exec), 0, "target", false },
	{ "files", offsetof(struct rec_section, files), 0, NULL, true },
	{ "network", offsetof(struct rec_section, net), '=', NULL, false },
	{ "capabilities", offsetof(struct rec_section, caps), 0, "reason", false },
};

static const char _access_letters[] = "rwcxm";

const char *recording_access_string(unsigned access, char buf[static 6])
{
	size_t n = 0;

	for (size_t i = 0; _access_letters[i]; i++)
		if (access & (1u << i))
			buf[n++] = _access_letters[i];
	buf[n] = '\0';
	return buf;
}

int recording_access_parse(const char *s, unsigned *ret)
{
	unsigned a = 0;

	for (; *s; s++) {
		const char *p = strchr(_access_letters, *s);
		if (!p)
			return -EINVAL;
		a |= 1u << (p - _access_letters);
	}
	*ret = a;
	return 0;
}

static struct strmap *_cat_map(const struct rec_section *s, const struct _rec_cat *c)
{
	return (struct strmap *)((char *)s + c->off);
}

struct strmap *recording_cat(const struct rec_section *s, int i)
{
	return _cat_map(s, &_rec_cats[i]);
}

_Static_assert(sizeof(_rec_cats) / sizeof(_rec_cats[0]) == REC_CATS, "REC_CATS");

/* ---------- to JSON ---------- */

static struct json *_leaf_json(const struct _rec_cat *c, const struct strmap_item *it)
{
	if (!c->info_key && !c->access)
		return json_new_uint(it->count);
	_cleanup_json_ struct json *o = json_new_object();
	char buf[6];

	if (!o)
		return NULL;
	if (c->access &&
	    json_obj_set(o, "access", json_new_string(recording_access_string(it->flags, buf))) < 0)
		return NULL;
	if (json_obj_set(o, "count", json_new_uint(it->count)) < 0)
		return NULL;
	if (c->info_key && it->info && json_obj_set(o, c->info_key, json_new_string(it->info)) < 0)
		return NULL;
	return steal_pointer(&o);
}

static int _cat_to_json(const struct _rec_cat *c, const struct strmap *m, struct json *out)
{
	_cleanup_free_ struct strmap_item **v = strmap_sorted(m);

	if (m->n && !v)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		struct json *parent = out;
		const char *key = v[i]->key;
		char *sep = c->sep ? strchr(key, c->sep) : NULL;

		if (sep) {
			_cleanup_free_ char *head = strndup(key, sep - key);
			if (!head || !(parent = json_obj_ensure_object(out, head)))
				return -ENOMEM;
			key = sep + 1;
		}
		if (json_obj_set(parent, key, _leaf_json(c, v[i])) < 0)
			return -ENOMEM;
	}
	return 0;
}

static struct json *_section_to_json(const struct rec_section *s)
{
	_cleanup_json_ struct json *o = json_new_object();

	if (!o)
		return NULL;
	for (size_t i = 0; i < sizeof(_rec_cats) / sizeof(_rec_cats[0]); i++) {
		struct json *cat = json_obj_ensure_object(o, _rec_cats[i].name);
		if (!cat || _cat_to_json(&_rec_cats[i], _cat_map(s, &_rec_cats[i]), cat) < 0)
			return NULL;
	}
	return steal_pointer(&o);
}

int recording_to_json(const struct recording *r, struct json **ret, struct err *e)
{
	_cleanup_json_ struct json *o = json_new_object();
	int r_ = -ENOMEM;

	if (!o)
		goto oom;
	if (json_obj_set(o, "hardrunRecording", json_new_int(RECORDING_VERSION)) < 0 ||
	    json_obj_set(o, "profile", json_new_string(r->profile ? r->profile : "")) < 0 ||
	    json_obj_set(o, "containerId",
			 json_new_string(r->container_id ? r->container_id : "")) < 0 ||
	    json_obj_set(o, "startedAt", json_new_int(r->started_at)) < 0 ||
	    json_obj_set(o, "updatedAt", json_new_int(r->updated_at)) < 0 ||
	    json_obj_set(o, "lastNewAt", json_new_int(r->last_new_at)) < 0 ||
	    json_obj_set(o, "lastNewSyscallAt", json_new_int(r->last_new_syscall_at)) < 0 ||
	    json_obj_set(o, "execSessions", json_new_uint(r->exec_sessions)) < 0)
		goto oom;
	for (int i = 0; i < REC__SECTIONS; i++)
		if (json_obj_set(o, recording_section_names[i], _section_to_json(&r->sec[i])) < 0)
			goto oom;
	*ret = steal_pointer(&o);
	return 0;
oom:
	return err_set(e, -r_, "recording: out of memory");
}

/* ---------- from JSON ---------- */

static int _leaf_from_json(const struct _rec_cat *c, const struct json *leaf,
			   struct strmap_item *it)
{
	uint64_t n;
	const struct json *cnt = (!c->info_key && !c->access) ? leaf : json_get(leaf, "count");

	if (json_to_uint64(cnt, &n) < 0)
		return -EINVAL;
	it->count += n;
	if (c->access) {
		unsigned a;
		const char *s = json_string(json_get(leaf, "access"));
		if (!s || recording_access_parse(s, &a) < 0)
			return -EINVAL;
		it->flags |= a;
	}
	if (c->info_key && !it->info) {
		const char *s = json_string(json_get(leaf, c->info_key));
		if (s && strmap_item_set_info(it, s) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int _cat_add(const struct _rec_cat *c, struct strmap *m, const char *key,
		    const struct json *leaf, struct err *e)
{
	struct strmap_item *it = strmap_add(m, key, NULL);

	if (!it)
		return err_set(e, ENOMEM, "recording: out of memory");
	if (_leaf_from_json(c, leaf, it) < 0)
		return err_set(e, EINVAL, "%s: bad entry \"%s\"", c->name, key);
	return 0;
}

static int _cat_from_json(const struct _rec_cat *c, const struct json *o, struct strmap *m,
			  struct err *e)
{
	if (!o)
		return 0;
	if (!json_is(o, JSON_OBJECT))
		return err_set(e, EINVAL, "%s: not an object", c->name);
	json_foreach (i, o) {
		if (!c->sep) {
			int r = _cat_add(c, m, o->keys[i], o->items[i], e);
			if (r < 0)
				return r;
			continue;
		}
		const struct json *sub = o->items[i];
		if (!json_is(sub, JSON_OBJECT))
			return err_set(e, EINVAL, "%s.%s: not an object", c->name, o->keys[i]);
		json_foreach (k, sub) {
			_cleanup_free_ char *key = NULL;
			if (asprintf(&key, "%s%c%s", o->keys[i], c->sep, sub->keys[k]) < 0)
				return err_set(e, ENOMEM, "recording: out of memory");
			int r = _cat_add(c, m, key, sub->items[k], e);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int _section_from_json(const struct json *o, struct rec_section *s, struct err *e)
{
	if (!o)
		return 0;
	if (!json_is(o, JSON_OBJECT))
		return err_set(e, EINVAL, "not an object");
	for (size_t i = 0; i < sizeof(_rec_cats) / sizeof(_rec_cats[0]); i++) {
		int r = _cat_from_json(&_rec_cats[i], json_get(o, _rec_cats[i].name),
				       _cat_map(s, &_rec_cats[i]), e);
		if (r < 0)
			return r;
	}
	return 0;
}

static int _int_field(const struct json *doc, const char *key, int64_t *ret)
{
	const struct json *j = json_get(doc, key);

	if (!j)
		return 0;
	return json_to_int64(j, ret);
}

int recording_from_json(const struct json *doc, struct recording *ret, struct err *e)
{
	struct recording r = { 0 };
	int64_t v = 0, sessions = 0;
	int rc;

	if (json_to_int64(json_get(doc, "hardrunRecording"), &v) < 0 || v != RECORDING_VERSION)
		return err_set(e, EINVAL, "not a hardrun recording (\"hardrunRecording\": %d)",
			       RECORDING_VERSION);
	const char *p = json_string(json_get(doc, "profile"));
	const char *id = json_string(json_get(doc, "containerId"));
	r.profile = strdup(p ? p : "");
	r.container_id = strdup(id ? id : "");
	if (!r.profile || !r.container_id) {
		rc = err_set(e, ENOMEM, "recording: out of memory");
		goto fail;
	}
	if (_int_field(doc, "startedAt", &r.started_at) < 0 ||
	    _int_field(doc, "updatedAt", &r.updated_at) < 0 ||
	    _int_field(doc, "lastNewAt", &r.last_new_at) < 0 ||
	    _int_field(doc, "lastNewSyscallAt", &r.last_new_syscall_at) < 0 ||
	    _int_field(doc, "execSessions", &sessions) < 0 || sessions < 0) {
		rc = err_set(e, EINVAL, "bad time or counter field");
		goto fail;
	}
	r.exec_sessions = (uint64_t)sessions;
	for (int i = 0; i < REC__SECTIONS; i++) {
		rc = _section_from_json(json_get(doc, recording_section_names[i]), &r.sec[i], e);
		if (rc < 0) {
			err_prefix(e, "%s", recording_section_names[i]);
			goto fail;
		}
	}
	*ret = r;
	return 0;
fail:
	recording_release(&r);
	return rc;
}

int recording_load(const char *path, struct recording *ret, struct err *e)
{
	_cleanup_json_ struct json *doc = NULL;
	int r = json_load_file(path, RECORDING_MAX_SIZE, &doc, e);

	if (r < 0)
		return r;
	r = recording_from_json(doc, ret, e);
	if (r < 0)
		return err_prefix(e, "%s", path);
	return 0;
}

void recording_release(struct recording *r)
{
	free(r->profile);
	free(r->container_id);
	for (int i = 0; i < REC__SECTIONS; i++)
		for (size_t c = 0; c < sizeof(_rec_cats) / sizeof(_rec_cats[0]); c++)
			strmap_release(_cat_map(&r->sec[i], &_rec_cats[c]));
	memset(r, 0, sizeof(*r));
}

/* ---------- sets ---------- */

void recording_set_release(struct recording_set *r)
{
	for (size_t i = 0; i < r->n; i++)
		recording_release(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int recording_set_load(struct recording_set *r, const char *path, struct err *e)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct recording *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return err_set(e, ENOMEM, "out of memory");
		r->v = v;
		r->cap = cap;
	}
	int rc = recording_load(path, &r->v[r->n], e);
	if (rc < 0)
		return rc;
	r->n++;
	return 0;
}

static int _name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int recording_set_load_dir(struct recording_set *r, const char *dir, struct err *e)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	_cleanup_strv_ char **names = NULL;
	size_t n = 0;
	struct dirent *de;

	if (!d)
		return err_set_sys(e, errno, "recordings %s", dir);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		char **v = realloc(names, (n + 2) * sizeof(*v));
		if (!v)
			return err_set(e, ENOMEM, "out of memory");
		names = v;
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
			return err_set(e, ENOMEM, "out of memory");
		names[++n] = NULL;
	}
	if (n == 0)
		return err_set(e, ENOENT, "no recordings in %s", dir);
	qsort(names, n, sizeof(*names), _name_cmp);
	for (size_t i = 0; i < n; i++) {
		int rc = recording_set_load(r, names[i], e);
		if (rc < 0)
			return rc;
	}
	return 0;
}
