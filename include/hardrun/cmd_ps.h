/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `hardrun ps [--format text|json]`: every container hardrun hardened on this
 * node with a monitor, read from the state directory only (monitor.json,
 * monitor.pid, stats.json); the monitors' sockets are never touched.
 */
#ifndef HARDRUN_CMD_PS_H
#define HARDRUN_CMD_PS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "hardrun/err.h"
#include "hardrun/json.h"

/* One container, as a JSON object: id, namespace, pod, podUid, container,
 * profile, mode, mechanism, monitorPid, monitorAlive, events, lastEvent. */
int ps_row(const char *dir, struct json **ret, struct err *e);
/* Every container under state_root, sorted by id: a JSON array. */
int ps_collect(const char *state_root, struct json **ret, struct err *e);
/* The table, one line per container. */
void ps_print_text(FILE *f, const struct json *rows);

/* `hardrun ps` is hardrun's when it names no container; `runc ps ID` is runc's. */
bool cmd_ps_is_ours(int argc, char **argv);
int cmd_ps(int argc, char **argv);

#endif
