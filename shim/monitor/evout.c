// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The monitor's two output files, bounded against a hostile container:
 *   - the events file (shared by every monitor of the node): event lines go
 *     through evlimit (folding and a token bucket per container), each with
 *     output_fields["hardrun.count"];
 *   - the container's exec log: capped at execLogMaxSize, then renamed to
 *     <log>.1 (the older .1 goes) and started anew.
 * Both are reopened when their path no longer names the open file
 * (logrotate's rename or delete), checked before each write.  A line that cannot
 * be written is counted; the count and the last error go out in an error
 * line as soon as one can be written, and at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/monitor_int.h"

static uint64_t _now_ms(void)
{
	struct timespec t;
	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

int evout_init(struct evout *o, const struct monitor_spec *s, int events_fd, int exec_fd,
	       struct err *e)
{
	struct evlimit_conf lc = { .rate = s->limits.event_rate,
				   .burst = s->limits.event_burst,
				   .window_ms = (uint64_t)s->limits.event_window_s * 1000 };
	struct stat st;
	*o = (struct evout){ .events_fd = events_fd,
			     .exec_fd = exec_fd,
			     .exec_max = s->limits.exec_log_max,
			     .container_id = s->container_id,
			     .state_dir = s->state_dir };
	if (!(o->lim = evlimit_new(&lc)))
		return err_set(e, ENOMEM, "out of memory");
	if (monitor_log_paths(s, &o->events_path, &o->exec_path, e) < 0)
		return -e->code;
	if (exec_fd >= 0 && fstat(exec_fd, &st) == 0)
		o->exec_size = (uint64_t)st.st_size;
	return 0;
}

void evout_release(struct evout *o)
{
	evlimit_free(o->lim);
	free(o->events_path);
	free(o->exec_path);
	if (o->events_fd >= 0)
		(void)close(o->events_fd);
	if (o->exec_fd >= 0)
		(void)close(o->exec_fd);
	memset(o, 0, sizeof(*o));
	o->events_fd = o->exec_fd = -1;
}

static void _failed(struct evout *o, const struct err *e)
{
	o->failed++;
	(void)snprintf(o->failed_msg, sizeof(o->failed_msg), "%s", e->msg);
}

/* fd no longer the file at path (renamed or removed): open path anew. */
static void _reopen_if_moved(struct evout *o, const char *path, int *fd, uint64_t *size)
{
	struct stat a, b;
	struct err e = { 0 };
	if (stat(path, &a) == 0 && fstat(*fd, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		return;
	int nfd = event_open(path, &e);
	if (nfd < 0) {
		_failed(o, &e);
		return;
	}
	(void)close(*fd);
	*fd = nfd;
	if (size)
		*size = fstat(nfd, &b) == 0 ? (uint64_t)b.st_size : 0;
}

/* One line with hardrun.count = count (a folded line says how many it is). */
static void _emit(void *ctx, struct json *ev, uint64_t count)
{
	struct evout *o = ctx;
	struct err e = { 0 };
	struct json *f = json_get(ev, "output_fields");
	if (f && json_obj_set(f, "hardrun.count", json_new_uint(count)) < 0)
		(void)err_set(&e, ENOMEM, "out of memory");
	_reopen_if_moved(o, o->events_path, &o->events_fd, NULL);
	if (e.code || event_append(o->events_fd, ev, &e) < 0)
		_failed(o, &e);
}

void evout_event(struct evout *o, struct json **ev, const char *key)
{
	uint64_t count;
	const char *t = json_string(json_get(*ev, "time"));
	o->events++;
	(void)snprintf(o->last_event, sizeof(o->last_event), "%s", t ? t : "");
	o->stats_dirty = true;
	if (evlimit_offer(o->lim, key, _now_ms(), ev, &count) == EVLIMIT_WRITE)
		_emit(o, *ev, count);
}

/* Past the cap: <log> becomes <log>.1 and a new <log> starts. */
static void _rotate_exec(struct evout *o)
{
	char old[PATH_MAX];
	struct err e = { 0 };
	(void)snprintf(old, sizeof(old), "%s.1", o->exec_path);
	if (rename(o->exec_path, old) < 0 && errno != ENOENT) {
		(void)err_set_sys(&e, errno, "rename %s", o->exec_path);
		_failed(o, &e);
	}
	int fd = event_open(o->exec_path, &e);
	if (fd < 0) {
		_failed(o, &e);
		return; /* the old fd goes on, past the cap: the next line retries */
	}
	(void)close(o->exec_fd);
	o->exec_fd = fd;
	o->exec_size = 0;
}

void evout_exec(struct evout *o, const struct json *rec)
{
	struct err e = { 0 };
	_reopen_if_moved(o, o->exec_path, &o->exec_fd, &o->exec_size);
	if (o->exec_max && o->exec_size >= o->exec_max)
		_rotate_exec(o);
	int n = event_append(o->exec_fd, rec, &e);
	if (n < 0)
		_failed(o, &e);
	else
		o->exec_size += (uint64_t)n;
}

void evout_log(struct evout *o, const char *what, const char *error, uint64_t count)
{
	_cleanup_json_ struct json *j = json_new_object();
	char ts[64];
	struct timespec now;
	struct err e = { 0 };
	(void)clock_gettime(CLOCK_REALTIME, &now);
	event_format_time(&now, ts, sizeof(ts));
	if (o->events_path)
		_reopen_if_moved(o, o->events_path, &o->events_fd, NULL);
	if (!j || json_obj_set(j, "time", json_new_string(ts)) < 0 ||
	    json_obj_set(j, "source", json_new_string("hardrun")) < 0 ||
	    json_obj_set(j, "level", json_new_string("error")) < 0 ||
	    json_obj_set(j, "msg", json_new_string(what)) < 0 ||
	    json_obj_set(j, "error", json_new_string(error ? error : "")) < 0 ||
	    json_obj_set(j, "container.id", json_new_string(o->container_id)) < 0 ||
	    (count && json_obj_set(j, "hardrun.count", json_new_uint(count)) < 0) ||
	    event_append(o->events_fd, j, &e) < 0) {
		if (!count) /* the report of failures counts itself when it fails */
			_failed(o, e.code ? &e : &(struct err){ .msg = "out of memory" });
		return;
	}
	if (count) {
		o->failed = 0;
		o->failed_msg[0] = '\0';
	}
}

static void _report_failures(struct evout *o)
{
	char msg[128];
	if (!o->failed)
		return;
	(void)snprintf(msg, sizeof(msg), "monitor: %llu lines could not be written",
		       (unsigned long long)o->failed);
	evout_log(o, msg, o->failed_msg, o->failed);
}

/* <state dir>/stats.json, replaced whole (a reader never sees half of it). */
static void _write_stats(struct evout *o)
{
	char path[PATH_MAX], buf[160];
	if (!o->stats_dirty || !o->state_dir)
		return;
	o->stats_dirty = false;
	int n = snprintf(buf, sizeof(buf), "{\"events\":%llu,\"lastEvent\":\"%s\"}\n",
			 (unsigned long long)o->events, o->last_event);
	(void)snprintf(path, sizeof(path), "%s/stats.json", o->state_dir);
	(void)fs_write_atomic_sync(path, buf, (size_t)n, 0600, FS_SYNC_NONE, NULL);
}

void evout_tick(struct evout *o)
{
	_write_stats(o);
	evlimit_flush(o->lim, _now_ms(), false, _emit, o);
	_report_failures(o);
}

void evout_finish(struct evout *o)
{
	_write_stats(o);
	evlimit_flush(o->lim, _now_ms(), true, _emit, o);
	_report_failures(o);
}
