/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's pod identity, from the annotations the CRI writes into
 * config.json: containerd's io.kubernetes.cri.* keys or CRI-O's
 * io.kubernetes.pod.* / io.kubernetes.container.name / io.kubernetes.cri-o.*.
 * Shared by policy resolution, the monitor's events and the launch audit.
 * Pure: the strings point into the annotations object.
 */
#ifndef HARDRUN_PODID_H
#define HARDRUN_PODID_H

#include <stdbool.h>

#include "hardrun/json.h"

struct podid {
	const char *ns;		   /* pod namespace */
	const char *pod;	   /* pod name */
	const char *uid;	   /* pod uid */
	const char *container;	   /* container name */
	const char *container_key; /* the annotation it came from */
	const char *image;
	const char *sandbox_id; /* the pod's sandbox (pause) container id */
	bool sandbox;		/* this is the sandbox container */
};

/* Every field NULL / false when the annotations do not name it. */
void podid_read(const struct json *annotations, struct podid *ret);

#endif
