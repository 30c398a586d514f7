/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SELinux for hardrun: a profile's "selinux" section
 *   { "type": "container_t", "fileType": "container_file_t", "level": "auto" }
 * (fileType optional, default container_file_t; level "auto" (default) or
 * "s0" / "s0:cX" / "s0:cX,cY") becomes
 *   process.selinuxLabel = system_u:system_r:<type>:<level>
 *   linux.mountLabel     = system_u:object_r:<fileType>:<level>
 * "auto" gives the container a category pair of its own (shim/mcs.c),
 * unless the bundle's label already carries one (podman, CRI-O and
 * containerd label the rootfs with that level, so it is kept).
 */
#ifndef HARDRUN_LABEL_H
#define HARDRUN_LABEL_H

#include <stdbool.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/nodeconf.h"
#include "hardrun/profile.h"

#define LABEL_TYPE_MAX		64
#define LABEL_DEFAULT_TYPE	"container_t"
#define LABEL_DEFAULT_FILE_TYPE "container_file_t"

/* Check a section (profile_parse calls this). */
int label_validate(const struct json *section, struct err *e);

/* "s0", "s0:cX" or "s0:cX,cY" with X < Y < 1024. */
bool label_level_valid(const char *level);

/*
 * The labels for a container, without touching the kernel: resolves "auto"
 * (allocating a pair for key under state_dir), *ret_process and *ret_mount
 * are malloc'd.  spec may be NULL.
 */
int label_compute(const struct json *spec, const char *key, const struct json *section,
		  const char *state_dir, char **ret_process, char **ret_mount, struct err *e);

/*
 * Apply the section to the bundle spec for container key.  When SELinux is
 * enabled: compute the labels, check them against the loaded policy and set
 * process.selinuxLabel and linux.mountLabel.  When it is not, lsmUnavailable
 * decides: skip (0, *ret_warning set) or fail.  section NULL: spec untouched.
 */
int label_apply(struct json *spec, const char *key, const struct json *section,
		const struct node_config *nc, char **ret_warning, struct err *e);

/* runc delete: free the category pair of container key (none held: 0). */
int label_release(const struct node_config *nc, const char *key, struct err *e);

/*
 * runc exec --process FILE: the exec process gets the container's label,
 * whatever process.json says.  saved_label: the container's
 * process.selinuxLabel (NULL or "": process left as is).
 */
int label_apply_exec(struct json *process, const char *saved_label, struct err *e);

/*
 * `hardrun profile export NAME --format cil`: a CIL module declaring the
 * profile's selinux.type as a container domain (refpolicy's container
 * module attributes when the host policy has them), loadable with
 * `semodule -i NAME.cil`.
 */
int label_export_cil(const struct profile *p, char **ret_text, struct err *e);

#endif
