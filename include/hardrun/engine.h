/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The non-LSM part of hardening a bundle's config.json with a profile.
 * Tighten only: every step keeps or narrows what the bundle already had.
 */
#ifndef HARDRUN_ENGINE_H
#define HARDRUN_ENGINE_H

#include "hardrun/err.h"
#include "hardrun/filter.h"
#include "hardrun/json.h"
#include "hardrun/profile.h"

/*
 * On the spec (the whole config.json tree):
 *   - process.capabilities: caps_apply(profile caps, profile ambient)
 *     (skipped when the profile has no "capabilities")
 *   - process.noNewPrivileges = true when the profile says so (never cleared)
 *   - root.readonly = true when the profile has readonlyRootfs (never cleared)
 *   - linux.maskedPaths / linux.readonlyPaths: the profile's are appended
 *   - linux.seccomp: the profile's filter rendered against the final
 *     capability set, then combined with the bundle's own filter if it has
 *     one (filter_combine: a call is allowed only when both allow it),
 *     and trimmed of the compat ABIs that env says the kernel does not run.
 * env: the kernel to render for; NULL is this host, its ABIs probed
 * (filter_env_probe_abis).  Tests pass one, so that their output does not
 * depend on the machine they run on.
 * On error the spec may be partly modified: the caller discards it.
 */
int engine_apply(struct json *spec, const struct profile *p, const struct filter_env *env,
		 struct err *e);

/* The same for an exec process.json object (capabilities, noNewPrivileges). */
int engine_apply_process(struct json *process, const struct profile *p, struct err *e);

#endif
