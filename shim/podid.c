// SPDX-License-Identifier: GPL-2.0-or-later
/* Pod identity from CRI annotations (include/hardrun/podid.h). */
#include <stddef.h>
#include <string.h>

#include "hardrun/podid.h"

/* Per field, the keys tried in order: containerd's first, then CRI-O's. */
static const struct {
	size_t off;
	const char *keys[2];
} _fields[] = {
	{ offsetof(struct podid, ns),
	  { "io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace" } },
	{ offsetof(struct podid, pod),
	  { "io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name" } },
	{ offsetof(struct podid, uid),
	  { "io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid" } },
	{ offsetof(struct podid, image),
	  { "io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName" } },
	{ offsetof(struct podid, sandbox_id),
	  { "io.kubernetes.cri.sandbox-id", "io.kubernetes.cri-o.SandboxID" } },
};

static const char *const _name_keys[] = {
	"io.kubernetes.cri.container-name", /* containerd */
	"io.kubernetes.container.name",	    /* CRI-O */
};

static const char *const _type_keys[] = {
	"io.kubernetes.cri.container-type",  /* containerd */
	"io.kubernetes.cri-o.ContainerType", /* CRI-O */
};

void podid_read(const struct json *ann, struct podid *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < sizeof(_fields) / sizeof(_fields[0]); i++) {
		const char **slot = (const char **)((char *)ret + _fields[i].off);
		for (size_t k = 0; k < 2 && !*slot; k++)
			*slot = json_string(json_get(ann, _fields[i].keys[k]));
	}
	for (size_t k = 0; k < 2 && !ret->container_key; k++)
		if (json_get(ann, _name_keys[k])) {
			ret->container_key = _name_keys[k];
			ret->container = json_string(json_get(ann, _name_keys[k]));
		}
	for (size_t k = 0; k < 2; k++) {
		const char *v = json_string(json_get(ann, _type_keys[k]));
		ret->sandbox = ret->sandbox || (v && strcmp(v, "sandbox") == 0);
	}
}
