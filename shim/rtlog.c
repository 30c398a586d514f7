// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/rtlog.h"

static const char *const _level_names[] = {
	[RTLOG_ERROR] = "error",
	[RTLOG_WARNING] = "warning",
	[RTLOG_INFO] = "info",
};

/* Escape msg as a JSON (json=true) or logfmt-quoted string body. */
static size_t _escape(char *out, size_t size, const char *msg, bool json)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)msg; *p && o + 7 < size; p++) {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*p;
		} else if (*p == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (*p < 0x20 || *p == 0x7f) {
			o += (size_t)snprintf(out + o, size - o, json ? "\\u%04x" : "\\x%02x", *p);
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = '\0';
	return o;
}

int rtlog_format(char *buf, size_t size, bool json, enum rtlog_level level, time_t when,
		 const char *msg)
{
	char ts[64];
	char esc[2048];
	struct tm tm;

	(void)gmtime_r(&when, &tm);
	(void)strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	(void)_escape(esc, sizeof(esc), msg, json);
	const char *lvl = _level_names[level];
	int n = json ? snprintf(buf, size, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
				lvl, esc, ts)
		     : snprintf(buf, size, "time=\"%s\" level=%s msg=\"%s\"\n", ts, lvl, esc);
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

void rtlog_write(const char *log_path, const char *log_format, enum rtlog_level level,
		 const char *fmt, ...)
{
	char msg[1200];
	char line[4096];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bool json = !log_format || strcmp(log_format, "text") != 0;
	int n = rtlog_format(line, sizeof(line), json, level, time(NULL), msg);
	if (n > 0) {
		_cleanup_close_ int fd = -1;
		if (log_path)
			fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
				  0644);
		ssize_t w = write(fd >= 0 ? fd : STDERR_FILENO, line, (size_t)n);
		(void)w;
	}
	errno = saved;
}
