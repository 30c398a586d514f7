/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bundle's own hardening-relevant fields, kept next to config.json
 * (config.json.hardrun-orig) when hardrun rewrites it.  A bundle created
 * again from the same directory (`runc run` twice, a test re-running a
 * bundle) is hardened from what the orchestrator wrote, not from hardrun's
 * previous output: its monitor listenerPath, learn-mode filter or audit
 * rules never become "the bundle's own filter".  Delete the file to make the
 * current config.json the baseline.  containerd, CRI-O and podman write a new
 * bundle for every container and never see one.
 */
#ifndef HARDRUN_STASH_H
#define HARDRUN_STASH_H

#include "hardrun/err.h"
#include "hardrun/json.h"

#define STASH_SUFFIX ".hardrun-orig"

/* If a stash exists, put its fields back into spec.  *ret_fields: the
 * fields of spec as they now are (to be saved by stash_save). */
int stash_restore(const char *config_path, struct json *spec, struct json **ret_fields,
		  struct err *e);
/* Write the stash (atomically) unless one exists already: 1 written, 0 one
 * was there. */
int stash_save(const char *config_path, const struct json *fields, struct err *e);
/* Undo a stash_save that returned 1 (a create that failed after it). */
void stash_remove(const char *config_path);

#endif
