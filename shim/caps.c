// SPDX-License-Identifier: GPL-2.0-or-later
/* Capability names and sets (include/hardrun/caps.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sys/capability.h>

#include "hardrun/caps.h"
#include "hardrun/cleanup.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(char *, cap_free)

int caps_from_name(const char *name, unsigned *ret_bit)
{
	cap_value_t v;

	if (strncmp(name, "CAP_", 4) != 0 || !name[4])
		return -EINVAL;
	for (const char *p = name; *p; p++)
		if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return -EINVAL;
	if (cap_from_name(name, &v) < 0 || v < 0 || v > 63)
		return -EINVAL;
	*ret_bit = (unsigned)v;
	return 0;
}

int caps_to_name(unsigned bit, char *buf, size_t size)
{
	_cleanup_(cap_freep) char *n = NULL;

	if (bit > 63)
		return -EINVAL;
	n = cap_to_name((cap_value_t)bit);
	if (!n || strncmp(n, "cap_", 4) != 0)
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "CAP_%s", n + 4) >= size)
		return -ENAMETOOLONG;
	for (char *p = buf; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return 0;
}

int caps_mask_from_json(const struct json *arr, bool strict, uint64_t *ret, struct err *e)
{
	uint64_t mask = 0;
	unsigned bit;

	if (!json_is(arr, JSON_ARRAY))
		return err_set(e, EINVAL, "capabilities: expected array");
	json_foreach (i, arr) {
		const char *s = json_string(arr->items[i]);
		if (!s)
			return err_set(e, EINVAL, "capabilities[%zu]: expected string", i);
		if (caps_from_name(s, &bit) == 0)
			mask |= UINT64_C(1) << bit;
		else if (strict)
			return err_set(e, EINVAL, "capabilities[%zu]: unknown capability \"%s\"", i,
				       s);
	}
	*ret = mask;
	return 0;
}

int caps_mask_to_json(uint64_t mask, struct json **ret, struct err *e)
{
	_cleanup_json_ struct json *arr = json_new_array();
	char name[64];

	if (!arr)
		return err_set(e, ENOMEM, "out of memory");
	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(mask & (UINT64_C(1) << bit)) || caps_to_name(bit, name, sizeof(name)) < 0)
			continue;
		if (json_arr_append(arr, json_new_string(name)) < 0)
			return err_set(e, ENOMEM, "out of memory");
	}
	*ret = steal_pointer(&arr);
	return 0;
}

unsigned caps_count(uint64_t mask)
{
	return (unsigned)__builtin_popcountll(mask);
}

/* The five sets, in the order the tightening computes them. */
enum { SET_BOUNDING, SET_PERMITTED, SET_EFFECTIVE, SET_INHERITABLE, SET_AMBIENT, SET__COUNT };
static const char *const _set_keys[SET__COUNT] = { "bounding", "permitted", "effective",
						   "inheritable", "ambient" };

static int _caps_write(struct json *caps, int set, uint64_t mask, struct err *e)
{
	struct json *arr = NULL;
	int r = caps_mask_to_json(mask, &arr, e);
	if (r < 0)
		return r;
	if (json_obj_set(caps, _set_keys[set], arr) < 0)
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

static int _caps_create(struct json *process, uint64_t allowed, struct err *e)
{
	struct json *caps = json_obj_ensure_object(process, "capabilities");
	if (!caps)
		return err_set(e, ENOMEM, "process.capabilities: cannot create");
	for (int s = 0; s < SET__COUNT; s++) {
		int r = _caps_write(caps, s, s <= SET_EFFECTIVE ? allowed : 0, e);
		if (r < 0)
			return r;
	}
	return 0;
}

int caps_apply(struct json *process, uint64_t allowed, uint64_t ambient_allowed, struct err *e)
{
	uint64_t m[SET__COUNT];
	bool present[SET__COUNT];

	if (!json_is(process, JSON_OBJECT))
		return err_set(e, EINVAL, "process: expected object");
	struct json *caps = json_get(process, "capabilities");
	if (!caps || json_is(caps, JSON_NULL))
		return _caps_create(process, allowed, e);
	if (!json_is(caps, JSON_OBJECT))
		return err_set(e, EINVAL, "process.capabilities: expected object");
	for (int s = 0; s < SET__COUNT; s++) {
		struct json *arr = json_get(caps, _set_keys[s]);
		present[s] = arr && !json_is(arr, JSON_NULL);
		m[s] = 0;
		if (present[s] && caps_mask_from_json(arr, false, &m[s], e) < 0)
			return err_prefix(e, "process.capabilities.%s", _set_keys[s]);
	}
	m[SET_BOUNDING] &= allowed;
	m[SET_PERMITTED] &= allowed;
	m[SET_EFFECTIVE] &= m[SET_PERMITTED];
	m[SET_INHERITABLE] &= allowed;
	m[SET_AMBIENT] &= ambient_allowed & m[SET_PERMITTED] & m[SET_INHERITABLE];
	for (int s = 0; s < SET__COUNT; s++) {
		int r = present[s] ? _caps_write(caps, s, m[s], e) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

uint64_t caps_process_mask(const struct json *process)
{
	const struct json *caps = json_get(process, "capabilities");
	uint64_t b = 0, p = 0;

	if (!caps || json_is(caps, JSON_NULL))
		return CAPS_ALL;
	(void)caps_mask_from_json(json_get(caps, "bounding"), false, &b, NULL);
	(void)caps_mask_from_json(json_get(caps, "permitted"), false, &p, NULL);
	return b | p;
}
