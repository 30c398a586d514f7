/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lines hardrun adds to the runtime's --log file, in the format runc uses
 * (--log-format json: {"level":"error","msg":"hardrun: ...","time":"RFC3339"};
 * text: time="..." level=error msg="hardrun: ...").  Without --log they go to
 * stderr, which containerd also captures.
 */
#ifndef HARDRUN_RTLOG_H
#define HARDRUN_RTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum rtlog_level {
	RTLOG_ERROR,
	RTLOG_WARNING,
	RTLOG_INFO,
};

/* Format one line (with trailing newline) into buf.  Pure, for the tests. */
int rtlog_format(char *buf, size_t size, bool json, enum rtlog_level level, time_t when,
		 const char *msg);

/* Append a line to log_path (NULL: stderr).  log_format NULL or "json" -> JSON,
 * "text" -> text.  Best effort: failures are ignored. */
void rtlog_write(const char *log_path, const char *log_format, enum rtlog_level level,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
