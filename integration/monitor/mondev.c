// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Development driver for the monitor integration tests, standing in for the
 * create pipeline (shim/harden.c) until it lands on main:
 *   mondev harden BUNDLE STATE_ROOT RUNTIME_ROOT ID PROFILE_JSON MODE EVENTS
 *       spawn the monitor as `hardrun create` will, then rewrite
 *       BUNDLE/config.json with monitor_prepare()
 *   mondev delete STATE_ROOT RUNTIME_ROOT ID
 *   mondev monitor ... | mondev events ...   (as `hardrun monitor|events`)
 * Learn mode and the node config are stubbed here (other branches own them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/cleanup.h"
#include "hardrun/cmd_events.h"
#include "hardrun/learn.h"
#include "hardrun/monitor.h"
#include "hardrun/state.h"

int nodeconf_load(const char *path, struct node_config *ret, struct err *e)
{
	const char *f = getenv("HARDRUN_EVENTS_FILE");
	memset(ret, 0, sizeof(*ret));
	ret->events_file = strdup(f ? f : "/var/log/hardrun/events.jsonl");
	return 0;
}
void nodeconf_release(struct node_config *nc)
{
	free(nc->events_file);
}

static int _mode(const char *s)
{
	static const char *const m[] = { "enforce", "audit", "learn", "off" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, m[i]) == 0)
			return i;
	return -1;
}

static int _harden(char **a)
{
	struct err e = { 0 };
	_cleanup_free_ char *cfgpath = NULL, *dir = NULL, *sock = NULL, *buf = NULL;
	_cleanup_json_ struct json *cfg = NULL, *prof = NULL;
	size_t len;
	pid_t pid;

	if (asprintf(&cfgpath, "%s/config.json", a[0]) < 0 ||
	    json_load_file(cfgpath, 1 << 24, &cfg, &e) < 0 ||
	    json_load_file(a[4], 1 << 24, &prof, &e) < 0 ||
	    state_dir_path(a[1], a[2], a[3], &dir, &e) < 0 ||
	    asprintf(&sock, "%s/monitor.sock", dir) < 0)
		goto fail;
	struct policy pol = { .mode = (enum hr_mode)_mode(a[5]), .monitor = true };
	struct profile p = { .name = (char *)json_string(json_get(prof, "name")),
			     .doc = prof,
			     .monitor = json_get(prof, "monitor") };
	struct monitor_spec s = { .container_id = a[3],
				  .runtime_root = a[2],
				  .state_dir = dir,
				  .socket_path = sock,
				  .mode = pol.mode,
				  .profile_name = p.name,
				  .profile_doc = prof,
				  .events_file = a[6],
				  .recordings_dir = "/tmp",
				  .annotations = json_get(cfg, "annotations") };
	/* stands in for the engine: the profile's filter rendered into the spec */
	struct json *lin = json_obj_ensure_object(cfg, "linux");
	if (json_get(prof, "seccomp") &&
	    json_obj_set(lin, "seccomp", json_clone(json_get(prof, "seccomp"))) < 0)
		goto fail;
	if (monitor_prepare(cfg, &pol, &p, sock, &e) < 0 || monitor_spawn(&s, &pid, &e) < 0 ||
	    json_dump(cfg, true, &buf, &len, &e) < 0)
		goto fail;
	FILE *f = fopen(cfgpath, "we");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		goto fail;
	printf("%s %d\n", dir, (int)pid);
	return 0;
fail:
	fprintf(stderr, "mondev harden: %s\n", e.msg);
	return 1;
}

int main(int argc, char **argv)
{
	struct err e = { 0 };
	if (argc > 1 && strcmp(argv[1], "monitor") == 0)
		return monitor_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "events") == 0)
		return cmd_events(argc - 1, argv + 1);
	if (argc == 9 && strcmp(argv[1], "harden") == 0)
		return _harden(argv + 2);
	if (argc == 5 && strcmp(argv[1], "delete") == 0) {
		if (monitor_delete(argv[2], argv[3], argv[4], &e) < 0) {
			fprintf(stderr, "mondev delete: %s\n", e.msg);
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "usage: mondev harden|delete|monitor|events ...\n");
	return 2;
}
