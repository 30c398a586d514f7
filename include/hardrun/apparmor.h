/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AppArmor for hardrun: a profile's "apparmor" section becomes an AppArmor
 * profile "hardrun-<name>" (shim/apparmor.c renders it, pure) which is loaded
 * with apparmor_parser before the runtime starts (shim/apparmor_apply.c).
 *
 * Section forms (see CONTRACT.md):
 *   { "profile": "docker-default" }            a profile already on the host
 *   { "defaultDeny": true, "files": [{"path": "/data/x", "access": "rw"}],
 *     "exec": ["/bin/busybox"], "network": ["inet stream", "unix"],
 *     "capabilities": ["chown"] }               rendered by hardrun
 *
 * Rendering: every category that is listed is deny-by-default (only what is
 * listed, plus what every container needs to start); a category left out is
 * allowed as docker-default allows it, unless defaultDeny is true.  The
 * docker-default floor (no writes to /proc/sys, /sys, no mount, ...) is
 * always there.  Every path and name from the profile is validated against
 * an allow-list of characters; nothing is escaped into rule syntax.
 */
#ifndef HARDRUN_APPARMOR_H
#define HARDRUN_APPARMOR_H

#include <stdbool.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/nodeconf.h"

#define APPARMOR_PROFILE_PREFIX "hardrun-"
#define APPARMOR_NAME_MAX	200
#define APPARMOR_PATH_MAX	4096

/* Name of a profile already loaded on the host ({"profile": NAME}):
 * [A-Za-z0-9][A-Za-z0-9._+:/-]*, no "..", not "unconfined". */
bool apparmor_name_valid(const char *name);

/* Check a section without rendering it (profile_parse calls this). */
int apparmor_validate(const char *profile_name, const struct json *section, struct err *e);

/*
 * Render the section into policy text for profile "hardrun-<profile_name>".
 * A {"profile": NAME} section has no text: -EINVAL.  *ret_text is malloc'd.
 */
int apparmor_render(const char *profile_name, const struct json *section, char **ret_text,
		    struct err *e);

/*
 * The AppArmor profile name a section gives a container: "hardrun-<name>" or
 * the host profile it names.  *ret is malloc'd.
 */
int apparmor_profile_for(const char *profile_name, const struct json *section, char **ret,
			 struct err *e);

/*
 * Apply the section to the bundle spec: when AppArmor is enabled, load
 * (replace) the rendered profile, or check that the named host profile is
 * loaded, and set process.apparmorProfile.  When it is not enabled, the node
 * config's lsmUnavailable decides: skip (return 0 with *ret_warning set, to
 * be logged by the caller) or fail.  section NULL: the spec is left as it is
 * (a profile the bundle already names is kept).  *ret_warning is NULL when
 * there is nothing to say.
 */
int apparmor_apply(struct json *spec, const char *profile_name, const struct json *section,
		   const struct node_config *nc, char **ret_warning, struct err *e);

/*
 * runc exec --process FILE: the exec process gets the container's profile,
 * whatever process.json says.  saved_profile is the container's
 * process.apparmorProfile (NULL or "" when it has none: process left as is).
 */
int apparmor_apply_exec(struct json *process, const char *saved_profile, struct err *e);

/*
 * Run apparmor_parser with extra_args (NULL-terminated, e.g. {"-r", NULL})
 * on text given on stdin, with a clean environment and no inherited fds.
 * Its diagnostics become the error message.  Used by apparmor_apply and the
 * tests (with -Q -K: compile only).
 */
int apparmor_parser_run(const char *const *extra_args, const char *text, struct err *e);

/* Path of apparmor_parser, NULL when not installed. */
const char *apparmor_parser_path(void);

#endif
