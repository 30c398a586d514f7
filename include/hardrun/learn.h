/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Learning mode: the seam between the monitor loop and the recorder (shim/learn.c). */
#ifndef HARDRUN_LEARN_H
#define HARDRUN_LEARN_H

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/monitor.h"

int learn_prepare(struct json *seccomp,
		  struct err *e); /* rewrite rendered linux.seccomp for learn mode */
void *learn_open(const struct monitor_spec *s, struct err *e); /* per-container recorder */
int learn_on_call(void *learn_ctx, const struct mon_call *c,
		  int *ret_errno);	   /* record; 0 = CONTINUE */
int learn_flush(void *ctx, struct err *e); /* atomic write if dirty; called ~1/s */
void learn_close(void *ctx);		   /* final flush + free */

#endif
