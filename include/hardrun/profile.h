/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Profiles: one JSON document ("hardrun": 1) per file <name>.json in the
 * node's profileDirs.  See man/hardrun-profile.5 for the format.
 */
#ifndef HARDRUN_PROFILE_H
#define HARDRUN_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/nodeconf.h"

#define PROFILE_NAME_MAX 253

struct profile {
	char *name;
	char *description;
	struct json *doc;	    /* the validated document (owned) */
	const struct json *seccomp; /* borrowed from doc; NULL if absent */
	bool caps_set;		    /* "capabilities" present */
	uint64_t caps;		    /* allowed set, bit n = capability n */
	uint64_t ambient;
	bool no_new_privileges;
	bool readonly_rootfs;
	char **masked_paths; /* NULL-terminated (maybe empty) */
	char **readonly_paths;
	const struct json *apparmor; /* borrowed; NULL if absent */
	const struct json *selinux;
	const struct json *monitor;
};

/* True for a syntactically valid profile name: [A-Za-z0-9][A-Za-z0-9._-]*, no "..",
 * at most PROFILE_NAME_MAX bytes.  A name is never a path. */
bool profile_name_valid(const char *name);

/* Validate doc and build a profile (doc is copied).  Errors name the key path,
 * e.g. "seccomp.syscalls[3].names[1]: unknown syscall \"fooo\"". */
int profile_parse(const struct json *doc, struct profile **ret, struct err *e);
/* Find <name>.json in the node's profileDirs (first match) and parse it. */
int profile_load(const struct node_config *nc, const char *name, struct profile **ret,
		 struct err *e);
int profile_load_file(const char *path, struct profile **ret, struct err *e);
/* Serialise the validated document (pretty JSON, NUL-terminated). */
int profile_to_json(const struct profile *p, char **ret_buf, size_t *ret_len, struct err *e);
void profile_free(struct profile *p);
static inline void profile_freep(struct profile **p)
{
	if (*p)
		profile_free(*p);
}
#define _cleanup_profile_ __attribute__((cleanup(profile_freep)))

#endif
