/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-container state under the node's stateDir, keyed by (runtime root,
 * container id): <stateDir>/<16 hex digits>/ (0700).  Holds what `exec`
 * needs to carry the container's hardening into exec processes
 * (hardening.json) and the monitor's socket and spec.
 */
#ifndef HARDRUN_STATE_H
#define HARDRUN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/nodeconf.h"

/* Directory for the container (not created) under state_root (the node's
 * stateDir); fails for ids with '/', "." or ".." and when the monitor socket
 * path would not fit a sockaddr_un. */
int state_dir_path(const char *state_root, const char *root, const char *id, char **ret,
		   struct err *e);
/* Create it (and stateDir) with mode 0700; an existing one is emptied first. */
int state_dir_create(const char *dir, struct err *e);

/* What an exec process inherits: capabilities, noNewPrivileges, LSM labels
 * taken from the final (hardened) spec's process. */
int state_save_hardening(const char *dir, const struct json *spec, struct err *e);
/* -ENOENT when the container was not hardened by hardrun. */
int state_load_hardening(const char *dir, struct json **ret, struct err *e);

/* True when runc's state for (root, id) shows a live init process. */
bool state_container_running(const char *root, const char *id);
/* That init process's pid (checked against its start time), or -errno. */
pid_t state_container_init(const char *root, const char *id);

#endif
