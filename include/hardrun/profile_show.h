/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A readable summary of a profile (`hardrun profile show`). */
#ifndef HARDRUN_PROFILE_SHOW_H
#define HARDRUN_PROFILE_SHOW_H

#include <stdio.h>

#include "hardrun/err.h"
#include "hardrun/filter.h"
#include "hardrun/profile.h"

/* Syscall counts of a rendered OCI filter (distinct names). */
struct filter_stats {
	size_t allowed;	    /* unconditionally allowed */
	size_t conditional; /* allowed for some argument values */
	size_t enosys;	    /* ERRNO(ENOSYS) */
	size_t denied;	    /* any other explicit non-allow action */
	size_t rules;	    /* OCI rule objects */
};
int profile_filter_stats(const struct json *oci, struct filter_stats *ret, struct err *e);

int profile_show(const struct profile *p, FILE *out, struct err *e);

#endif
