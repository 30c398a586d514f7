// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `hardrun ps [--format text|json]` (include/hardrun/cmd_ps.h): what hardrun
 * does on this node, from <stateDir>/<key>/ of each hardened container:
 * monitor.json (id, profile, mode, mechanism, pod identity from the
 * annotations), monitor.pid (alive: that pid still runs this dir's monitor)
 * and stats.json (events and the last one's time, kept by the monitor).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/cleanup.h"
#include "hardrun/cmd_ps.h"
#include "hardrun/monitor.h"
#include "hardrun/monitor_int.h"
#include "hardrun/nodeconf.h"

#define PS_FILE_MAX (64u << 10)

static struct json *_str(const char *s)
{
	return s ? json_new_string(s) : json_new_null();
}

static long _pid(const char *dir)
{
	char path[PATH_MAX];
	long pid = 0;
	(void)snprintf(path, sizeof(path), "%s/monitor.pid", dir);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f || fscanf(f, "%ld", &pid) != 1)
		return 0;
	return pid;
}

int ps_row(const char *dir, struct json **ret, struct err *e)
{
	struct monitor_spec s;
	struct event_ctx x = { 0 };
	_cleanup_free_ char *stats_path = NULL;
	_cleanup_json_ struct json *stats = NULL, *o = json_new_object();
	int r = monitor_spec_read(dir, &s, e);
	if (r < 0)
		return r;
	event_ctx_identity(&x, s.annotations);
	long pid = _pid(dir);
	if (asprintf(&stats_path, "%s/stats.json", dir) < 0 ||
	    json_load_file(stats_path, PS_FILE_MAX, &stats, NULL) < 0)
		stats = NULL; /* no event yet */
	const struct json *n = json_get(stats, "events");
	const char *last = json_string(json_get(stats, "lastEvent"));
	if (!o || json_obj_set(o, "id", _str(s.container_id)) < 0 ||
	    json_obj_set(o, "namespace", _str(x.k8s_ns)) < 0 ||
	    json_obj_set(o, "pod", _str(x.k8s_pod)) < 0 ||
	    json_obj_set(o, "podUid", _str(x.k8s_pod_uid)) < 0 ||
	    json_obj_set(o, "container", _str(x.container_name)) < 0 ||
	    json_obj_set(o, "profile", _str(s.profile_name)) < 0 ||
	    json_obj_set(o, "mode", json_new_string(mode_name(s.mode))) < 0 ||
	    json_obj_set(o, "mechanism", json_new_string(monitor_mechanism_name(s.mechanism))) <
		    0 ||
	    json_obj_set(o, "monitorPid", pid > 0 ? json_new_int(pid) : json_new_null()) < 0 ||
	    json_obj_set(o, "monitorAlive",
			 json_new_bool(pid > 1 && monitor_is_running((pid_t)pid, dir))) < 0 ||
	    json_obj_set(o, "events", n ? json_clone(n) : json_new_int(0)) < 0 ||
	    json_obj_set(o, "lastEvent", _str(last && *last ? last : NULL)) < 0) {
		monitor_spec_release(&s);
		return err_set(e, ENOMEM, "out of memory");
	}
	monitor_spec_release(&s);
	*ret = steal_pointer(&o);
	return 0;
}

/* A per-container dir: 16 lowercase hex digits (state_dir_path). */
static bool _is_key(const char *name)
{
	size_t n = strspn(name, "0123456789abcdef");
	return n == 16 && name[n] == '\0';
}

static int _by_id(const void *a, const void *b)
{
	const char *x = json_string(json_get(*(struct json *const *)a, "id"));
	const char *y = json_string(json_get(*(struct json *const *)b, "id"));
	return strcmp(x ? x : "", y ? y : "");
}

int ps_collect(const char *state_root, struct json **ret, struct err *e)
{
	_cleanup_json_ struct json *rows = json_new_array();
	DIR *d = opendir(state_root);
	struct dirent *de;
	if (!rows)
		return err_set(e, ENOMEM, "out of memory");
	if (!d && errno != ENOENT)
		return err_set_sys(e, errno, "open %s", state_root);
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *dir = NULL;
		struct json *row = NULL;
		if (!_is_key(de->d_name) || asprintf(&dir, "%s/%s", state_root, de->d_name) < 0)
			continue;
		/* a dir without monitor.json: hardened without a monitor, or going */
		if (ps_row(dir, &row, NULL) < 0)
			continue;
		if (json_arr_append(rows, row) < 0) {
			(void)closedir(d);
			return err_set(e, ENOMEM, "out of memory");
		}
	}
	if (d)
		(void)closedir(d);
	if (rows->n > 1)
		qsort(rows->items, rows->n, sizeof(rows->items[0]), _by_id);
	*ret = steal_pointer(&rows);
	return 0;
}

static const char *_s(const struct json *row, const char *k)
{
	const char *s = json_string(json_get(row, k));
	return s && *s ? s : "-";
}

void ps_print_text(FILE *f, const struct json *rows)
{
	(void)fprintf(f, "%-24s %-16s %-24s %-16s %-12s %-7s %-7s %-8s %-5s %7s  %s\n", "CONTAINER",
		      "NAMESPACE", "POD", "NAME", "PROFILE", "MODE", "MECH", "MONITOR", "ALIVE",
		      "EVENTS", "LAST EVENT");
	json_foreach (i, rows) {
		const struct json *r = rows->items[i];
		int64_t pid = 0, events = 0;
		(void)json_to_int64(json_get(r, "monitorPid"), &pid);
		(void)json_to_int64(json_get(r, "events"), &events);
		(void)fprintf(f,
			      "%-24.64s %-16s %-24s %-16s %-12s %-7s %-7s %-8lld %-5s %7lld  %s\n",
			      _s(r, "id"), _s(r, "namespace"), _s(r, "pod"), _s(r, "container"),
			      _s(r, "profile"), _s(r, "mode"), _s(r, "mechanism"), (long long)pid,
			      json_is_true(json_get(r, "monitorAlive")) ? "yes" : "no",
			      (long long)events, _s(r, "lastEvent"));
	}
}

bool cmd_ps_is_ours(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0)
			i++;
		else if (argv[i][0] != '-')
			return false; /* a container id: runc ps */
	}
	return true;
}

int cmd_ps(int argc, char **argv)
{
	struct node_config nc = { 0 };
	struct err e = { 0 };
	_cleanup_json_ struct json *rows = NULL;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if ((strcmp(a, "--format") == 0 || strcmp(a, "-f") == 0) && v &&
		    (strcmp(v, "json") == 0 || strcmp(v, "text") == 0)) {
			json = strcmp(v, "json") == 0;
			i++;
		} else {
			(void)fputs("usage: hardrun ps [--format text|json]\n", stderr);
			return 2;
		}
	}
	if (nodeconf_load(NULL, &nc, &e) < 0 || ps_collect(nc.state_dir, &rows, &e) < 0) {
		(void)fprintf(stderr, "hardrun ps: %s\n", e.msg);
		nodeconf_release(&nc);
		return 1;
	}
	nodeconf_release(&nc);
	if (!json) {
		ps_print_text(stdout, rows);
		return 0;
	}
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (json_dump(rows, true, &buf, &len, &e) < 0) {
		(void)fprintf(stderr, "hardrun ps: %s\n", e.msg);
		return 1;
	}
	(void)printf("%s\n", buf);
	return 0;
}
