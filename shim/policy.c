// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policy resolution (include/hardrun/policy.h).  Annotations are written by
 * pod authors and are hostile: they may only pick among admin-allowed
 * profiles and modes, and any malformed or unknown value fails the create
 * with a message naming the annotation.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hardrun/podid.h"
#include "hardrun/policy.h"

#define HARDRUN_DOMAIN ".hardrun.io/"

bool profile_name_valid(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > PROFILE_NAME_MAX || strstr(name, ".."))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool alnum =
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

/* A value must be a string, at most ANNOTATION_VALUE_MAX bytes, printable ASCII/UTF-8
 * without control bytes. */
static int _check_value(const char *key, const struct json *v, struct err *e)
{
	const char *s = json_string(v);
	if (!s)
		return err_set(e, EINVAL, "annotation %s: value must be a string without NUL bytes",
			       key);
	if (strlen(s) > ANNOTATION_VALUE_MAX)
		return err_set(e, EINVAL, "annotation %s: value longer than %d bytes", key,
			       ANNOTATION_VALUE_MAX);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p >= 0x80)
			return err_set(e, EINVAL,
				       "annotation %s: value contains a control or non-ASCII byte",
				       key);
	return 0;
}

/* Every *.hardrun.io/ key must be one we know, appear once, and be well formed. */
static int _check_hardrun_keys(const struct json *ann, struct err *e)
{
	json_foreach (i, ann) {
		const char *k = ann->keys[i];
		const char *dom = strstr(k, HARDRUN_DOMAIN);
		if (!dom)
			continue;
		if (strncmp(k, "profile" HARDRUN_DOMAIN, strlen("profile" HARDRUN_DOMAIN)) != 0 &&
		    strncmp(k, "mode" HARDRUN_DOMAIN, strlen("mode" HARDRUN_DOMAIN)) != 0)
			return err_set(e, EINVAL,
				       "annotation %s: unknown hardrun annotation (expected "
				       "profile.hardrun.io/<container|POD> or mode.hardrun.io/...)",
				       k);
		for (size_t j = i + 1; j < ann->n; j++)
			if (strcmp(ann->keys[j], k) == 0)
				return err_set(e, EINVAL, "annotation %s: given more than once", k);
		int r = _check_value(k, ann->items[i], e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Find "<family>.hardrun.io/<container>" then "<family>.hardrun.io/POD". */
static const char *_lookup(const struct json *ann, const char *family, const char *container,
			   char *ret_key, size_t size)
{
	const char *targets[] = { container, "POD" };
	for (size_t t = 0; t < 2; t++) {
		if (!targets[t] || !*targets[t])
			continue;
		(void)snprintf(ret_key, size, "%s%s%s", family, HARDRUN_DOMAIN, targets[t]);
		const char *v = json_string(json_get(ann, ret_key));
		if (v)
			return v;
	}
	return NULL;
}

static int _container_name(const struct json *ann, struct policy *p, struct err *e)
{
	struct podid id;
	podid_read(ann, &id);
	p->sandbox = id.sandbox;
	if (!id.container_key)
		return 0;
	int r = _check_value(id.container_key, json_get(ann, id.container_key), e);
	if (r < 0)
		return r;
	(void)snprintf(p->container_name, sizeof(p->container_name), "%s", id.container);
	return 0;
}

static int _resolve_profile(const struct node_config *nc, const struct json *ann, struct policy *p,
			    struct err *e)
{
	char key[512];
	const char *v = _lookup(ann, "profile", p->container_name, key, sizeof(key));
	if (!v) {
		(void)snprintf(p->profile, sizeof(p->profile), "%s", nc->default_profile);
		return 0;
	}
	if (!profile_name_valid(v))
		return err_set(e, EINVAL, "annotation %s: \"%s\" is not a valid profile name", key,
			       v);
	if (!nodeconf_profile_allowed(nc, v))
		return err_set(e, EPERM,
			       "annotation %s: profile \"%s\" is not in the node's allowedProfiles",
			       key, v);
	(void)snprintf(p->profile, sizeof(p->profile), "%s", v);
	return 0;
}

static int _resolve_mode(const struct node_config *nc, const struct json *ann, struct policy *p,
			 struct err *e)
{
	char key[512];
	const char *v = _lookup(ann, "mode", p->container_name, key, sizeof(key));
	p->mode = nc->default_mode;
	if (!v)
		return 0;
	if (mode_parse(v, &p->mode) < 0)
		return err_set(e, EINVAL,
			       "annotation %s: unknown mode \"%s\" (enforce, audit, learn or off)",
			       key, v);
	if (p->mode == MODE_OFF && nc->default_mode != MODE_OFF && !nc->allow_mode_off)
		return err_set(e, EPERM, "annotation %s: mode \"off\" is not allowed on this node",
			       key);
	return 0;
}

int policy_resolve(const struct node_config *nc, const struct json *annotations, struct policy *ret,
		   struct err *e)
{
	struct policy p = { 0 };
	int r;

	if (annotations && !json_is(annotations, JSON_OBJECT))
		return err_set(e, EINVAL, "annotations: must be an object");
	if ((r = _check_hardrun_keys(annotations, e)) < 0 ||
	    (r = _container_name(annotations, &p, e)) < 0)
		return r;
	if (p.sandbox) {
		p.mode = nc->default_mode == MODE_OFF ? MODE_OFF : MODE_ENFORCE;
		(void)snprintf(p.profile, sizeof(p.profile), "baseline");
	} else if ((r = _resolve_profile(nc, annotations, &p, e)) < 0 ||
		   (r = _resolve_mode(nc, annotations, &p, e)) < 0) {
		return r;
	}
	p.monitor = p.mode != MODE_OFF && !p.sandbox;
	*ret = p;
	return 0;
}
