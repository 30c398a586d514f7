// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Repeated learning (include/hardrun/learn.h): a later learn run of a profile
 * allows in the kernel what its earlier recordings already hold, so that only
 * new behaviour reaches the monitor.  Only "plain" calls qualify: those whose
 * arguments the recorder does not look at (no decoder in learn_decode.c, no
 * capability decision in learn_caps.c), so what is recorded about arguments,
 * paths, executables, addresses and capabilities stays exact.  What is no
 * longer exact: the counts (and first binary) of the calls allowed this way
 * stop growing, the new recording does not list them (generate merges every
 * recording, so the profile keeps them; --min-count then counts only the
 * recordings that saw them notified), and the runtime's own calls among them
 * are not seen either.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/cleanup.h"
#include "hardrun/learn.h"
#include "hardrun/learn_caps.h"
#include "hardrun/learn_decode.h"
#include "hardrun/recording.h"

#define KNOWN_COMMENT "learned by earlier recordings of this profile: allowed in the kernel"

bool learn_known_plain(const char *name)
{
	return learn_decoder_index(name) < 0 && learn_caps_index(name) < 0 &&
	       strcmp(name, "execve") != 0 && strcmp(name, "execveat") != 0;
}

int learn_known_load(const char *recordings_dir, const char *profile, struct strmap *ret,
		     struct err *e)
{
	struct recording_set set = { 0 };
	_cleanup_free_ char *dir = NULL;
	int r;

	if (asprintf(&dir, "%s/%s", recordings_dir, profile) < 0)
		return err_set(e, ENOMEM, "out of memory");
	r = recording_set_load_dir(&set, dir, e);
	if (r == -ENOENT) { /* a first run */
		err_clear(e);
		return 0;
	}
	for (size_t i = 0; r == 0 && i < set.n; i++)
		for (int s = REC_MAIN; r == 0 && s <= REC_EXEC; s++) {
			const struct strmap *sc = &set.v[i].sec[s].syscalls;
			for (size_t k = 0; k < sc->n; k++) {
				const char *name = strchr(sc->items[k]->key, '/');
				if (!name || !learn_known_plain(name + 1))
					continue;
				if (!strmap_add(ret, name + 1, NULL)) {
					r = err_set(e, ENOMEM, "out of memory");
					break;
				}
			}
		}
	recording_set_release(&set);
	return r;
}

/* The learn filter's NOTIFY rule for every argument (learn_prepare). */
static struct json *_notify_rule(struct json *syscalls)
{
	struct json *best = NULL;

	json_foreach (i, syscalls) {
		struct json *r = syscalls->items[i], *names = json_get(r, "names");
		const char *act = json_string(json_get(r, "action"));
		if (!act || strcmp(act, "SCMP_ACT_NOTIFY") != 0 || json_get(r, "args") || !names)
			continue;
		if (!best || names->n > json_get(best, "names")->n)
			best = r;
	}
	return best;
}

int learn_known_allow(struct json *seccomp, const struct strmap *known, size_t *ret_n,
		      struct err *e)
{
	struct json *syscalls = json_get(seccomp, "syscalls");
	struct json *notify = syscalls ? _notify_rule(syscalls) : NULL;
	struct json *names = notify ? json_get(notify, "names") : NULL;
	_cleanup_json_ struct json *allow = json_new_object(), *moved = json_new_array();

	*ret_n = 0;
	if (!names || !known->n)
		return 0;
	if (!allow || !moved)
		return err_set(e, ENOMEM, "out of memory");
	for (size_t i = 0; i < names->n; i++) {
		const char *n = json_string(names->items[i]);
		if (!n || !strmap_find(known, n))
			continue;
		if (json_arr_append(moved, json_new_string(n)) < 0)
			return err_set(e, ENOMEM, "out of memory");
		json_arr_remove(names, i--);
	}
	*ret_n = moved->n;
	if (!moved->n)
		return 0;
	if (json_obj_set(allow, "names", steal_pointer(&moved)) < 0 ||
	    json_obj_set(allow, "action", json_new_string("SCMP_ACT_ALLOW")) < 0 ||
	    json_obj_set(allow, "comment", json_new_string(KNOWN_COMMENT)) < 0 ||
	    json_arr_append(syscalls, steal_pointer(&allow)) < 0)
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}
