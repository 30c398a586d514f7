// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/state.h"

#define HARDENING_FILE "hardening.json"
#define STATE_FILE_MAX (1u << 20)

/* FNV-1a over root, a NUL, id and a NUL: short enough for unix socket paths. */
static uint64_t _key(const char *root, const char *id)
{
	uint64_t h = 1469598103934665603ULL;
	const char *parts[2] = { root, id };
	for (int p = 0; p < 2; p++) {
		const char *s = parts[p];
		do {
			h ^= (unsigned char)*s;
			h *= 1099511628211ULL;
		} while (*s++);
	}
	return h;
}

int state_dir_path(const char *state_root, const char *root, const char *id, char **ret,
		   struct err *e)
{
	if (!id || !*id)
		return err_set(e, EINVAL, "no container id on the command line");
	if (strchr(id, '/') || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return err_set(e, EINVAL, "invalid container id \"%s\"", id);
	if (asprintf(ret, "%s/%016" PRIx64, state_root, _key(root, id)) < 0)
		return err_set(e, ENOMEM, "out of memory");
	if (strlen(*ret) + sizeof("/monitor.sock") > 108) {
		free(*ret);
		*ret = NULL;
		return err_set(e, ENAMETOOLONG, "stateDir %s too long for a unix socket path",
			       state_root);
	}
	return 0;
}

int state_dir_create(const char *dir, struct err *e)
{
	_cleanup_free_ char *parent = strdup(dir);
	if (!parent)
		return err_set(e, ENOMEM, "out of memory");
	*strrchr(parent, '/') = '\0';
	int r = fs_mkdir_p(parent, 0700, e);
	if (r < 0)
		return r;
	if ((r = fs_rm_rf(dir, e)) < 0)
		return r;
	if (mkdir(dir, 0700) < 0)
		return err_set_sys(e, errno, "mkdir %s", dir);
	return 0;
}

static const char *const _inherited[] = { "capabilities", "noNewPrivileges", "apparmorProfile",
					  "selinuxLabel" };

int state_save_hardening(const char *dir, const struct json *spec, struct err *e)
{
	_cleanup_json_ struct json *out = json_new_object();
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len;
	const struct json *process = json_get(spec, "process");

	if (!out)
		return err_set(e, ENOMEM, "out of memory");
	for (size_t i = 0; i < sizeof(_inherited) / sizeof(_inherited[0]); i++) {
		const struct json *v = json_get(process, _inherited[i]);
		if (v && json_obj_set(out, _inherited[i], json_clone(v)) < 0)
			return err_set(e, ENOMEM, "out of memory");
	}
	int r = json_dump(out, false, &text, &len, e);
	if (r < 0)
		return r;
	if (asprintf(&path, "%s/%s", dir, HARDENING_FILE) < 0)
		return err_set(e, ENOMEM, "out of memory");
	return fs_write_atomic_sync(path, text, len, 0600, FS_SYNC_NONE, e);
}

int state_load_hardening(const char *dir, struct json **ret, struct err *e)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, HARDENING_FILE) < 0)
		return err_set(e, ENOMEM, "out of memory");
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return -ENOENT;
	return json_load_file(path, STATE_FILE_MAX, ret, e);
}

/* Field 22 of /proc/<pid>/stat: start time in clock ticks since boot;
 * -ESRCH for a zombie (an init that exited but was not reaped yet is not
 * running: runc reports it stopped). */
static int _proc_start_time(pid_t pid, uint64_t *ret)
{
	char path[64], buf[1024];
	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f || !fgets(buf, sizeof(buf), f))
		return -ESRCH;
	char *p = strrchr(buf, ')'); /* comm may contain spaces and parentheses */
	if (!p)
		return -EINVAL;
	unsigned long long start = 0;
	char state = '?';
	/* after ") ": state is field 3; start time is field 22 */
	if (sscanf(p + 2,
		   "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
		   "%*d %*d %llu",
		   &state, &start) != 2)
		return -EINVAL;
	if (state == 'Z' || state == 'X')
		return -ESRCH;
	*ret = start;
	return 0;
}

/* runc keeps <root>/<id>/state.json with init_process_pid and _start. */
pid_t state_container_init(const char *root, const char *id)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_json_ struct json *st = NULL;
	int64_t pid;
	uint64_t want, have;

	if (!id || strchr(id, '/') || asprintf(&path, "%s/%s/state.json", root, id) < 0)
		return -EINVAL;
	if (json_load_file(path, 16u << 20, &st, NULL) < 0)
		return -ESRCH;
	if (json_to_int64(json_get(st, "init_process_pid"), &pid) < 0 || pid <= 0)
		return -ESRCH;
	if (_proc_start_time((pid_t)pid, &have) < 0)
		return -ESRCH;
	/* a recycled pid is not the container */
	if (json_to_uint64(json_get(st, "init_process_start"), &want) == 0 && want != have)
		return -ESRCH;
	return (pid_t)pid;
}

bool state_container_running(const char *root, const char *id)
{
	return state_container_init(root, id) > 0;
}
