// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which mechanism a container's monitor uses (see monitor.h), the runtime's
 * `features` probe behind "auto", and the exec-side attach request of the
 * ptrace mechanism.
 *
 * runc >= 1.1 prints {"linux":{"seccomp":{"actions":[...]}}} for `runc
 * features`; a runtime without the command (older runc) or without
 * SCMP_ACT_NOTIFY in that list cannot hand a notify fd to a listener.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/monitor.h"

#define FEATURES_MAX	    (1u << 20)
#define FEATURES_TIMEOUT_MS 5000
#define FEATURES_CACHE	    "runtime-features.json"
#define ATTACH_TIMEOUT_MS   10000

int monitor_mechanism_resolve(const char *profile_mech, enum monitor_mechanism node,
			      int runtime_notify, enum hr_mode mode, enum monitor_mechanism *ret,
			      struct err *e)
{
	enum monitor_mechanism m = node;
	const char *why = "node config monitorMechanism \"ptrace\"";

	if (profile_mech && strcmp(profile_mech, "ptrace") == 0) {
		m = MONITOR_MECH_PTRACE;
		why = "profile monitor.mechanism \"ptrace\"";
	} else if (profile_mech && strcmp(profile_mech, "notify") != 0) {
		return err_set(e, EINVAL, "monitor.mechanism: must be \"notify\" or \"ptrace\"");
	}
	if (m == MONITOR_MECH_AUTO) {
		m = runtime_notify > 0 ? MONITOR_MECH_NOTIFY : MONITOR_MECH_PTRACE;
		why = "the runtime does not support SCMP_ACT_NOTIFY";
	}
	if (m == MONITOR_MECH_PTRACE && mode == MODE_LEARN)
		return err_set(e, EOPNOTSUPP, "learn mode needs the notify mechanism (%s)", why);
	*ret = m;
	return 0;
}

int monitor_features_notify(const char *text, size_t len)
{
	_cleanup_json_ struct json *doc = NULL;
	struct err e = { 0 };
	if (json_parse(text, len, &doc, &e) < 0)
		return 0;
	const struct json *acts = json_get_path(doc, "linux.seccomp.actions");
	json_foreach (i, acts) {
		const char *a = json_string(acts->items[i]);
		if (a && strcmp(a, "SCMP_ACT_NOTIFY") == 0)
			return 1;
	}
	return 0;
}

/* The child: `<runtime> features`, stdout on the pipe, nothing else inherited. */
static void _exec_features(const char *runtime, int out)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(null, 2) < 0)
		_exit(127);
	(void)close_range(3, ~0u, 0);
	char *const argv[] = { (char *)runtime, "features", NULL };
	char *const envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			       NULL };
	execve(runtime, argv, envp);
	_exit(127);
}

/* Read the child's stdout to EOF (bounded in size and time). */
static int _read_all(int fd, char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	struct pollfd p = { fd, POLLIN, 0 };
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (poll(&p, 1, FEATURES_TIMEOUT_MS) <= 0) {
			free(buf);
			return -ETIMEDOUT;
		}
		if (len + 1 >= cap) {
			char *nb = cap < FEATURES_MAX ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				free(buf);
				return -E2BIG;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* 1 / 0 from running the runtime; -errno when it could not be decided. */
static int _probe(const char *runtime)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		(void)close(p[0]);
		(void)close(p[1]);
		return -errno;
	}
	if (pid == 0)
		_exec_features(runtime, p[1]);
	(void)close(p[1]);
	_cleanup_close_ int rfd = p[0];
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	int r = _read_all(rfd, &out, &len);
	if (r < 0)
		(void)kill(pid, SIGKILL);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	/* a runtime without `features` exits non-zero: no notify support */
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 0;
	return monitor_features_notify(out, len);
}

static int _stat_key(const char *runtime, char *buf, size_t size)
{
	struct stat st;
	if (stat(runtime, &st) < 0)
		return -errno;
	(void)snprintf(buf, size, "%s %llu:%llu %lld %lld.%09ld", runtime,
		       (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		       (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	return 0;
}

static int _cache_read(const char *path, const char *key)
{
	_cleanup_json_ struct json *doc = NULL;
	struct err e = { 0 };
	if (json_load_file(path, 64 * 1024, &doc, &e) < 0)
		return -ENOENT;
	const char *k = json_string(json_get(doc, "key"));
	const struct json *n = json_get(doc, "notify");
	if (!k || strcmp(k, key) != 0 || !json_is(n, JSON_BOOL))
		return -ENOENT;
	return n->boolean ? 1 : 0;
}

static void _cache_write(const char *path, const char *key, int notify)
{
	_cleanup_json_ struct json *o = json_new_object();
	_cleanup_free_ char *text = NULL;
	size_t len;
	struct err e = { 0 };
	if (!o || json_obj_set(o, "key", json_new_string(key)) < 0 ||
	    json_obj_set(o, "notify", json_new_bool(notify > 0)) < 0 ||
	    json_dump(o, false, &text, &len, &e) < 0)
		return;
	(void)fs_write_atomic(path, text, len, 0600, &e);
}

int monitor_runtime_notify(const char *runtime, const char *state_root, struct err *e)
{
	char key[PATH_MAX + 128];
	_cleanup_free_ char *cache = NULL;
	int r = _stat_key(runtime, key, sizeof(key));
	if (r < 0)
		return err_set_sys(e, -r, "runtime %s", runtime);
	if (asprintf(&cache, "%s/" FEATURES_CACHE, state_root) < 0)
		return err_set(e, ENOMEM, "out of memory");
	r = _cache_read(cache, key);
	if (r >= 0)
		return r;
	r = _probe(runtime);
	if (r < 0)
		return err_set_sys(e, -r, "%s features", runtime);
	if (mkdir(state_root, 0700) == 0 || errno == EEXIST)
		_cache_write(cache, key, r);
	return r;
}

int monitor_mechanism_for(const struct node_config *nc, const struct policy *pol,
			  const struct profile *prof, enum monitor_mechanism *ret, struct err *e)
{
	const char *pm = prof ? json_string(json_get(prof->monitor, "mechanism")) : NULL;
	int notify = -1;
	bool profile_ptrace = pm && strcmp(pm, "ptrace") == 0;
	if (nc->monitor_mechanism == MONITOR_MECH_AUTO && !profile_ptrace) {
		notify = monitor_runtime_notify(nc->runtime, nc->state_dir, e);
		if (notify < 0)
			return notify;
	}
	return monitor_mechanism_resolve(pm, nc->monitor_mechanism, notify, pol->mode, ret, e);
}

/* The mechanism recorded in the container's monitor.json (NOTIFY if none). */
static enum monitor_mechanism _recorded(const char *dir)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_json_ struct json *doc = NULL;
	struct err e = { 0 };
	enum monitor_mechanism m = MONITOR_MECH_NOTIFY;
	if (asprintf(&path, "%s/monitor.json", dir) < 0 ||
	    json_load_file(path, JSON_DEFAULT_MAX_SIZE, &doc, &e) < 0)
		return MONITOR_MECH_NOTIFY;
	(void)monitor_mechanism_parse(json_string(json_get(doc, "mechanism")), &m);
	return m;
}

int monitor_exec_attach(const char *dir, struct err *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char reply[ERR_MSG_MAX];

	if (_recorded(dir) != MONITOR_MECH_PTRACE)
		return 0;
	if (snprintf(a.sun_path, sizeof(a.sun_path), "%s/monitor.sock", dir) >=
	    (int)sizeof(a.sun_path))
		return err_set(e, ENAMETOOLONG, "monitor socket path too long");
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set_sys(e, errno, "socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return 0; /* no monitor: the filter alone fails monitored calls (ENOSYS) */
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n = poll(&p, 1, ATTACH_TIMEOUT_MS) == 1 ? read(fd, reply, sizeof(reply) - 1) : -1;
	if (n <= 0)
		return err_set(e, ETIMEDOUT, "container monitor did not attach to the exec");
	reply[n] = '\0';
	if (strncmp(reply, "OK", 2) == 0)
		return 0;
	reply[strcspn(reply, "\n")] = '\0';
	return err_set(e, EIO, "container monitor: %s", reply);
}
