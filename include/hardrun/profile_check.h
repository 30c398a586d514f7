/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shape checks of a profile's LSM and monitor sections (shim/profile_lsm.c);
 * rendering them is the LSM module's and the monitor's business. */
#ifndef HARDRUN_PROFILE_CHECK_H
#define HARDRUN_PROFILE_CHECK_H

#include "hardrun/jcheck.h"
#include "hardrun/json.h"

int profile_check_apparmor(struct jcheck *c, const struct json *v, void *data);
int profile_check_selinux(struct jcheck *c, const struct json *v, void *data);
int profile_check_monitor(struct jcheck *c, const struct json *v, void *data);

#endif
