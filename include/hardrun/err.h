/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Error object.  A failing function returns a negative errno and fills a
 * `struct err` with the errno and a human message; only the top level
 * (main, the monitor loop) prints or logs it.
 *
 *   if (fd < 0)
 *           return err_set(e, errno, "open %s", path);
 *   ...
 *   r = bundle_load(dir, &b, e);
 *   if (r < 0)
 *           return err_prefix(e, "bundle %s", dir), r;
 */
#ifndef HARDRUN_ERR_H
#define HARDRUN_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 1024

struct err {
	int code;	       /* positive errno, 0 when unset */
	char msg[ERR_MSG_MAX]; /* "what failed: why" */
};

/*
 * Record an error.  `code` is a positive errno (0 is taken as EINVAL).  The
 * message is formatted from fmt; when code came from the system (not EINVAL
 * raised by hardrun's own validation) ": strerror(code)" is appended by
 * err_set_sys().  Returns -code so callers can `return err_set(...)`.
 * `e` may be NULL (the error is then only returned).
 */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int err_set_sys(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend "<prefix>: " to the message.  Returns -e->code. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset to "no error". */
void err_clear(struct err *e);

#endif
