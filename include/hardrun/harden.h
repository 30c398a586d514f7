/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The create/exec/delete pipeline: what hardrun does to a bundle or an exec
 * process file before it execve()s the real runtime.
 */
#ifndef HARDRUN_HARDEN_H
#define HARDRUN_HARDEN_H

#include "hardrun/argv.h"
#include "hardrun/err.h"
#include "hardrun/nodeconf.h"

/* Largest config.json / process.json hardrun accepts. */
#define BUNDLE_CONFIG_MAX (16u << 20)

/* create/run/restore: rewrite <bundle>/config.json for the container's policy
 * (untouched when its mode is off), start its monitor.  On failure nothing is
 * left behind: config.json unchanged, no monitor, no state. */
int harden_create(const struct rt_args *a, const struct node_config *nc, struct err *e);
/* exec --process FILE: carry the container's hardening into the exec process. */
int harden_exec(const struct rt_args *a, const struct node_config *nc, struct err *e);
/* delete: drop hardrun's state for a container that is gone (or --force). */
void harden_delete(const struct rt_args *a, const struct node_config *nc);

#endif
