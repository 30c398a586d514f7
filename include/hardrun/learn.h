/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Learning mode (implemented on branch `learn`, shim/learn*.c).  This header is
 * the only coordination point between the monitor and the recorder.
 *
 * create side: monitor_prepare() calls learn_prepare() for MODE_LEARN on the
 * already-rendered linux.seccomp object (listenerPath/listenerMetadata are set
 * by the monitor afterwards).
 *
 * monitor side (`hardrun monitor`, MODE_LEARN): learn_open() once at start,
 * learn_on_call() for every notification (return 0: continue the call; > 0:
 * fail it with *ret_errno; < 0: error, the call is continued), learn_flush()
 * about once a second while calls arrived since the last flush, and at exit,
 * then learn_close().
 */
#ifndef HARDRUN_LEARN_H
#define HARDRUN_LEARN_H

#include <stdbool.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/monitor.h"
#include "hardrun/strmap.h"

int learn_prepare(struct json *seccomp, struct err *e);
/* Calls runc's init makes between installing the filter and handing the
 * notify fd to the monitor: they must never be routed to NOTIFY. */
bool learn_must_allow(const char *name);
void *learn_open(const struct monitor_spec *s, struct err *e);
int learn_on_call(void *learn_ctx, const struct mon_call *c, int *ret_errno);
int learn_flush(void *ctx, struct err *e);
void learn_close(void *ctx);

/*
 * Repeated learning (shim/learn_known.c), create side: the plain syscalls
 * (arguments never looked at) that earlier recordings of the profile hold,
 * and moving them from the learn filter's NOTIFY rule to an ALLOW rule (after
 * monitor_prepare: the bundle's own denials stay).  *ret_n: how many moved.
 */
bool learn_known_plain(const char *name);
int learn_known_load(const char *recordings_dir, const char *profile, struct strmap *ret,
		     struct err *e);
int learn_known_allow(struct json *seccomp, const struct strmap *known, size_t *ret_n,
		      struct err *e);

#endif
