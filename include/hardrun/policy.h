/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which profile and mode a container gets: node config + its (untrusted)
 * OCI annotations.  Pure: no I/O.
 */
#ifndef HARDRUN_POLICY_H
#define HARDRUN_POLICY_H

#include <stdbool.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/nodeconf.h"
#include "hardrun/profile.h"

#define ANNOTATION_VALUE_MAX 253

struct policy {
	enum hr_mode mode;
	char profile[PROFILE_NAME_MAX + 1];
	char container_name[ANNOTATION_VALUE_MAX + 1]; /* "" when unknown */
	bool sandbox;				       /* pause container: baseline, no monitor */
	bool monitor;				       /* start a monitor for this container */
};

/* annotations: the spec's "annotations" object (may be NULL). */
int policy_resolve(const struct node_config *nc, const struct json *annotations, struct policy *ret,
		   struct err *e);

#endif
