// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Starting and removing a monitor: its state directory, monitor.json, and
 * the fork + setsid + exec that leaves no inherited fd in it.
 *
 * State: <stateDir>/<16 hex digits of FNV-1a(runtime root NUL id)>/ (0700)
 *   monitor.json  the struct monitor_spec
 *   monitor.sock  the listener (0600)
 *   monitor.pid   the monitor's pid
 * A hash keeps the socket path short (sun_path is 108 bytes; containerd ids
 * alone are 64 characters) and makes the key a single safe path component.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/monitor.h"
#include "hardrun/state.h"
#include "hardrun/monitor_int.h"

#define SPAWN_TIMEOUT_MS 10000
#define DELETE_WAIT_MS	 2000 /* for a monitor to flush and exit on SIGTERM */

static int _mkdir(const char *path, mode_t mode, struct err *e)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return err_set_sys(e, errno, "mkdir %s", path);
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(e, ENOTDIR, "%s is not a directory", path);
	return 0;
}

static struct json *_opt_str(const char *s)
{
	return s ? json_new_string(s) : json_new_null();
}

int monitor_spec_write(const struct monitor_spec *s, struct err *e)
{
	_cleanup_json_ struct json *o = json_new_object();
	_cleanup_free_ char *buf = NULL, *path = NULL;
	size_t len;

	if (!o || json_obj_set(o, "containerId", _opt_str(s->container_id)) < 0 ||
	    json_obj_set(o, "runtimeRoot", _opt_str(s->runtime_root)) < 0 ||
	    json_obj_set(o, "stateDir", _opt_str(s->state_dir)) < 0 ||
	    json_obj_set(o, "socketPath", _opt_str(s->socket_path)) < 0 ||
	    json_obj_set(o, "mode", json_new_string(mode_name(s->mode))) < 0 ||
	    json_obj_set(o, "profileName", _opt_str(s->profile_name)) < 0 ||
	    json_obj_set(o, "profile",
			 s->profile_doc ? json_clone(s->profile_doc) : json_new_null()) < 0 ||
	    json_obj_set(o, "eventsFile", _opt_str(s->events_file)) < 0 ||
	    json_obj_set(o, "recordingsDir", _opt_str(s->recordings_dir)) < 0 ||
	    json_obj_set(o, "annotations",
			 s->annotations ? json_clone(s->annotations) : json_new_null()) < 0 ||
	    json_obj_set(o, "mechanism", json_new_string(monitor_mechanism_name(s->mechanism))) <
		    0 ||
	    json_obj_set(o, "attachPid", json_new_int(s->attach_pid)) < 0 ||
	    json_obj_set(o, "execFanotify", json_new_bool(s->exec_fanotify)) < 0 ||
	    json_obj_set(o, "bundle", _opt_str(s->bundle)) < 0 ||
	    (s->seccomp && json_obj_set(o, "seccomp", json_clone(s->seccomp)) < 0) ||
	    (s->env && json_obj_set(o, "env", json_clone(s->env)) < 0) ||
	    monitor_limits_to_json(&s->limits, o) < 0)
		return err_set(e, ENOMEM, "out of memory");
	int r = json_dump(o, false, &buf, &len, e);
	if (r < 0)
		return r;
	if (asprintf(&path, "%s/monitor.json", s->state_dir) < 0)
		return err_set(e, ENOMEM, "out of memory");
	return fs_write_atomic_sync(path, buf, len, 0600, FS_SYNC_NONE, e);
}

static int _dup_str(const struct json *o, const char *k, char **ret)
{
	const char *s = json_string(json_get(o, k));
	*ret = s ? strdup(s) : NULL;
	return s && !*ret ? -ENOMEM : 0;
}

int monitor_spec_read(const char *state_dir, struct monitor_spec *ret, struct err *e)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_json_ struct json *o = NULL;
	memset(ret, 0, sizeof(*ret));
	if (asprintf(&path, "%s/monitor.json", state_dir) < 0)
		return err_set(e, ENOMEM, "out of memory");
	int r = json_load_file(path, JSON_DEFAULT_MAX_SIZE, &o, e);
	if (r < 0)
		return r;
	const char *mode = json_string(json_get(o, "mode"));
	if (!mode || mode_parse(mode, &ret->mode) < 0)
		return err_set(e, EINVAL, "%s: bad mode", path);
	if (_dup_str(o, "containerId", &ret->container_id) < 0 ||
	    _dup_str(o, "runtimeRoot", &ret->runtime_root) < 0 ||
	    _dup_str(o, "stateDir", &ret->state_dir) < 0 ||
	    _dup_str(o, "socketPath", &ret->socket_path) < 0 ||
	    _dup_str(o, "profileName", &ret->profile_name) < 0 ||
	    _dup_str(o, "eventsFile", &ret->events_file) < 0 ||
	    _dup_str(o, "recordingsDir", &ret->recordings_dir) < 0 ||
	    _dup_str(o, "bundle", &ret->bundle) < 0)
		return err_set(e, ENOMEM, "out of memory");
	/* the documents move out of o: no copy */
	if (json_is(json_get(o, "profile"), JSON_OBJECT))
		ret->profile_doc = json_obj_take(o, "profile");
	if (json_is(json_get(o, "annotations"), JSON_OBJECT))
		ret->annotations = json_obj_take(o, "annotations");
	if (json_is(json_get(o, "seccomp"), JSON_OBJECT))
		ret->seccomp = json_obj_take(o, "seccomp");
	if (json_is(json_get(o, "env"), JSON_ARRAY))
		ret->env = json_obj_take(o, "env");
	const char *mech = json_string(json_get(o, "mechanism"));
	int64_t pid = 0;
	ret->mechanism = MONITOR_MECH_NOTIFY;
	if (mech && (monitor_mechanism_parse(mech, &ret->mechanism) < 0 ||
		     ret->mechanism == MONITOR_MECH_AUTO))
		return err_set(e, EINVAL, "%s: bad mechanism", path);
	if (json_get(o, "attachPid") && json_to_int64(json_get(o, "attachPid"), &pid) < 0)
		return err_set(e, EINVAL, "%s: bad attachPid", path);
	ret->attach_pid = (pid_t)pid;
	ret->exec_fanotify = json_is_true(json_get(o, "execFanotify"));
	ret->limits = MONITOR_LIMITS_DEFAULT;
	if ((r = monitor_limits_from_json(o, &ret->limits, e)) < 0)
		return err_prefix(e, "%s", path);
	if (!ret->container_id || !ret->state_dir || !ret->socket_path)
		return err_set(e, EINVAL, "%s: containerId, stateDir, socketPath required", path);
	return 0;
}

void monitor_spec_release(struct monitor_spec *s)
{
	free(s->container_id);
	free(s->runtime_root);
	free(s->state_dir);
	free(s->socket_path);
	free(s->profile_name);
	free(s->events_file);
	free(s->recordings_dir);
	free(s->bundle);
	json_free(s->profile_doc);
	json_free(s->annotations);
	json_free(s->seccomp);
	json_free(s->env);
	memset(s, 0, sizeof(*s));
}

#define MONITOR_PROG "hardrun-monitor"

#ifndef HARDRUN_LIBEXECDIR
#define HARDRUN_LIBEXECDIR "/usr/local/libexec/hardrun"
#endif

int monitor_log_paths(const struct monitor_spec *s, char **ret_events, char **ret_exec,
		      struct err *e)
{
	const char *ev = s->events_file ? s->events_file : "/var/log/hardrun/events.jsonl";
	_cleanup_free_ char *dir = strdup(ev), *events = strdup(ev), *exec = NULL;
	if (!dir || !events)
		return err_set(e, ENOMEM, "out of memory");
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (asprintf(&exec, "%s/exec/%s.jsonl", slash ? dir : ".", s->container_id) < 0)
		return err_set(e, ENOMEM, "out of memory");
	*ret_events = steal_pointer(&events);
	*ret_exec = steal_pointer(&exec);
	return 0;
}

int monitor_open_logs(const struct monitor_spec *s, int *ret_events, int *ret_exec, struct err *e)
{
	_cleanup_free_ char *ev = NULL, *exec = NULL;
	int r = monitor_log_paths(s, &ev, &exec, e);
	if (r < 0)
		return r;
	_cleanup_close_ int efd = event_open(ev, e);
	if (efd < 0)
		return efd;
	int xfd = event_open(exec, e);
	if (xfd < 0)
		return xfd;
	*ret_events = steal_fd(&efd);
	*ret_exec = xfd;
	return 0;
}

/* Candidate i for the lean monitor program: 0 = next to this binary (a build
 * tree, or an install with both in one dir), 1 = the libexec dir.  Only a
 * regular executable file counts; the last resort is `hardrun monitor`. */
static int _monitor_path(size_t i, char *buf, size_t size)
{
	char self[PATH_MAX];
	struct stat st;
	if (i == 0) {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			return -ENOENT;
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (!slash)
			return -ENOENT;
		*slash = '\0';
		if (snprintf(buf, size, "%s/%s", self, MONITOR_PROG) >= (int)size)
			return -ENAMETOOLONG;
	} else if (snprintf(buf, size, "%s/%s", HARDRUN_LIBEXECDIR, MONITOR_PROG) >= (int)size) {
		return -ENAMETOOLONG;
	}
	if (stat(buf, &st) < 0 || !S_ISREG(st.st_mode) || access(buf, X_OK) < 0)
		return -ENOENT;
	return 0;
}

/* The spawned process: a new session, stdio on /dev/null, fds[] (ready pipe,
 * listening socket, events file, exec log) as 3..6, every other fd closed,
 * default signal mask.  posix_spawn runs it from
 * a vfork-style child, so hardrun's memory is never copied. */
#define SPAWN_FD_READY	3
#define SPAWN_FD_LISTEN 4
#define SPAWN_FD_EVENTS 5
#define SPAWN_FD_EXEC	6

static int _spawn_setup(posix_spawn_file_actions_t *fa, posix_spawnattr_t *at, const int fds[4])
{
	sigset_t none;
	(void)sigemptyset(&none);
	if (posix_spawn_file_actions_init(fa) != 0)
		return -ENOMEM;
	if (posix_spawnattr_init(at) != 0) {
		(void)posix_spawn_file_actions_destroy(fa);
		return -ENOMEM;
	}
	int r = posix_spawnattr_setflags(at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
	if (!r)
		r = posix_spawnattr_setsigmask(at, &none);
	for (int fd = 0; !r && fd < 3; fd++)
		r = posix_spawn_file_actions_addopen(fa, fd, "/dev/null", O_RDWR, 0);
	/* fds[] are >= 3 (0-2 are in use) but may sit on 3..6: move them up
	 * first, then down to their places (dup2 clears FD_CLOEXEC) */
	for (int i = 0; !r && i < 4; i++)
		r = posix_spawn_file_actions_adddup2(fa, fds[i], 100 + i);
	for (int i = 0; !r && i < 4; i++)
		r = posix_spawn_file_actions_adddup2(fa, 100 + i, SPAWN_FD_READY + i);
	if (!r)
		r = posix_spawn_file_actions_addclosefrom_np(fa, SPAWN_FD_EXEC + 1);
	if (r) {
		(void)posix_spawn_file_actions_destroy(fa);
		(void)posix_spawnattr_destroy(at);
		return -r;
	}
	return 0;
}

/* Spawn the lean monitor program (or, failing every candidate, `hardrun
 * monitor`).  --detach: it forks once more and its parent exits at once, so
 * the monitor is nobody's child (not runc's, not the shim's). */
static int _spawn_monitor(const char *state_dir, const int fds[4], pid_t *ret_child)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	extern char **environ;
	char *const lean[] = { MONITOR_PROG, "--state", (char *)state_dir, "--ready-fd", "3",
			       "--fds",	     "4,5,6",	"--detach",	   NULL };
	char *const self[] = { "hardrun", "monitor", "--state", (char *)state_dir, "--ready-fd",
			       "3",	  "--fds",   "4,5,6",	"--detach",	   NULL };
	char path[PATH_MAX];
	int r = _spawn_setup(&fa, &at, fds);
	if (r < 0)
		return r;
	r = ENOENT;
	for (size_t i = 0; i < 2 && r; i++)
		if (_monitor_path(i, path, sizeof(path)) == 0)
			r = posix_spawn(ret_child, path, &fa, &at, lean, environ);
	if (r)
		r = posix_spawn(ret_child, "/proc/self/exe", &fa, &at, self, environ);
	(void)posix_spawn_file_actions_destroy(&fa);
	(void)posix_spawnattr_destroy(&at);
	return -r;
}

static int _wait_ready(int rfd, pid_t *ret_pid, struct err *e)
{
	char buf[ERR_MSG_MAX];
	size_t got = 0;
	struct pollfd p = { rfd, POLLIN, 0 };

	for (;;) {
		int n = poll(&p, 1, SPAWN_TIMEOUT_MS);
		if (n <= 0)
			return err_set(e, ETIMEDOUT, "monitor did not start listening");
		ssize_t k = read(rfd, buf + got, sizeof(buf) - 1 - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	buf[got] = '\0';
	long pid;
	if (sscanf(buf, "OK %ld", &pid) == 1) {
		*ret_pid = (pid_t)pid;
		return 0;
	}
	return err_set(e, EIO, "monitor failed to start: %s",
		       got ? buf : "exited before listening");
}

static void *_spawn_thread(void *arg)
{
	struct monitor_start *st = arg;
	st->spawn_err = -_spawn_monitor(st->state_dir, st->fds, &st->child);
	for (int i = 0; i < 4; i++) { /* the monitor has its copies now */
		(void)close(st->fds[i]);
		st->fds[i] = -1;
	}
	return NULL;
}

/* Wait for the spawn itself (once; later calls find nothing to do); a
 * failed one fails the start. */
static int _spawn_join(struct monitor_start *st, struct err *e)
{
	int r = 0;
	if (st->threaded)
		(void)pthread_join(st->thread, NULL);
	st->threaded = false;
	if (st->spawn_err) {
		r = err_set_sys(e, st->spawn_err, "start the monitor");
		st->spawn_err = 0;
		(void)close(st->ready_fd);
		st->ready_fd = -1;
		st->child = -1;
		if (st->socket_path)
			(void)unlink(st->socket_path);
	}
	free(st->state_dir);
	free(st->socket_path);
	st->state_dir = st->socket_path = NULL;
	return r;
}

int monitor_spawn_start(const struct monitor_spec *s, struct monitor_start *ret, struct err *e)
{
	int p[2];
	_cleanup_free_ char *root = strdup(s->state_dir);
	char *slash = root ? strrchr(root, '/') : NULL;

	*ret = (struct monitor_start){ .ready_fd = -1, .child = -1, .fds = { -1, -1, -1, -1 } };
	if (!root)
		return err_set(e, ENOMEM, "out of memory");
	if (slash && slash != root) {
		*slash = '\0';
		if (_mkdir(root, 0700, e) < 0)
			return -e->code;
	}
	if (_mkdir(s->state_dir, 0700, e) < 0 || chmod(s->state_dir, 0700) < 0)
		return -(e && e->code ? e->code : errno);
	int r = monitor_spec_write(s, e);
	if (r < 0)
		return r;
	/* what can fail is opened here, where it fails the create */
	_cleanup_close_ int lfd = listener_open(s->socket_path, e), efd = -1, xfd = -1;
	if (lfd < 0)
		return lfd;
	if ((r = monitor_open_logs(s, &efd, &xfd, e)) < 0)
		return r;
	_cleanup_free_ char *dir = strdup(s->state_dir), *sock = strdup(s->socket_path);
	if (!dir || !sock) {
		(void)unlink(s->socket_path);
		return err_set(e, ENOMEM, "out of memory");
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		(void)unlink(s->socket_path);
		return err_set_sys(e, errno, "pipe");
	}
	ret->ready_fd = p[0];
	ret->fds[0] = p[1];
	ret->fds[1] = steal_fd(&lfd);
	ret->fds[2] = steal_fd(&efd);
	ret->fds[3] = steal_fd(&xfd);
	ret->state_dir = steal_pointer(&dir);
	ret->socket_path = steal_pointer(&sock);
	/* posix_spawn returns once the new process has exec'd: let a thread
	 * wait for that (or wait here when no thread can be made) */
	ret->threaded = pthread_create(&ret->thread, NULL, _spawn_thread, ret) == 0;
	if (!ret->threaded) {
		(void)_spawn_thread(ret);
		return _spawn_join(ret, e);
	}
	return 0;
}

int monitor_spawn_check(struct monitor_start *st, struct err *e)
{
	struct pollfd p = { st->ready_fd, POLLIN, 0 };
	pid_t pid;
	int status;

	int r = _spawn_join(st, e);
	if (r < 0)
		return r;
	p.fd = st->ready_fd;
	if (st->child > 0 && waitpid(st->child, &status, WNOHANG) == st->child)
		st->child = -1;
	if (st->ready_fd < 0 || poll(&p, 1, 0) <= 0)
		return 0; /* still starting: runc's connect waits in the backlog */
	return monitor_spawn_wait(st, &pid, e);
}

int monitor_spawn_wait(struct monitor_start *st, pid_t *ret_pid, struct err *e)
{
	int status;
	int r = _spawn_join(st, e);
	if (r < 0)
		return r;
	if (st->ready_fd < 0)
		return err_set(e, EINVAL, "monitor was not started");
	r = _wait_ready(st->ready_fd, ret_pid, e);
	(void)close(st->ready_fd);
	st->ready_fd = -1;
	/* the spawned process exits right after its --detach fork */
	while (st->child > 0 && waitpid(st->child, &status, 0) < 0 && errno == EINTR)
		;
	st->child = -1;
	return r;
}

static bool _owns(const char *dir)
{
	char path[PATH_MAX], buf[32] = "";
	(void)snprintf(path, sizeof(path), "%s/monitor.pid", dir);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && atoi(buf) == (int)getpid();
}

static bool _runtime_gone(const struct monitor_spec *s)
{
	char path[PATH_MAX];
	struct stat st;
	(void)snprintf(path, sizeof(path), "%s/%s/state.json", s->runtime_root ?: "/run/runc",
		       s->container_id);
	return stat(path, &st) < 0 && errno == ENOENT;
}

/* state_dir must be what state_dir_path() gives for (its parent, root, id). */
static bool _is_key_dir(const struct monitor_spec *s)
{
	_cleanup_free_ char *parent = strdup(s->state_dir), *want = NULL;
	char *slash = parent ? strrchr(parent, '/') : NULL;
	if (!slash || slash == parent)
		return false;
	*slash = '\0';
	return state_dir_path(parent, s->runtime_root ?: "/run/runc", s->container_id, &want,
			      NULL) == 0 &&
	       strcmp(want, s->state_dir) == 0;
}

void monitor_state_finish(const struct monitor_spec *s, int wait_ms)
{
	char path[PATH_MAX];
	const struct timespec tick = { 0, 100 * 1000 * 1000 };

	if (!_owns(s->state_dir))
		return; /* a newer monitor (same root and id) owns it */
	for (int t = 0; t < wait_ms && !_runtime_gone(s); t += 100)
		(void)nanosleep(&tick, NULL);
	if (_runtime_gone(s) && _is_key_dir(s)) {
		/* Moved aside first: a create of the same id may reuse the name. */
		(void)snprintf(path, sizeof(path), "%s.%d.gone", s->state_dir, (int)getpid());
		if (rename(s->state_dir, path) == 0) {
			if (_owns(path)) {
				(void)fs_rm_rf(path, NULL);
				return;
			}
			(void)rename(path, s->state_dir);
		}
	}
	if (!_owns(s->state_dir))
		return; /* taken over while waiting */
	(void)unlink(s->socket_path);
	(void)snprintf(path, sizeof(path), "%s/monitor.pid", s->state_dir);
	(void)unlink(path);
}

bool monitor_is_running(pid_t pid, const char *state_dir)
{
	char path[64], cmd[4096];
	(void)snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, cmd, sizeof(cmd) - 1);
	if (n <= 0)
		return false;
	cmd[n] = '\0';
	const char *end = cmd + n, *a0 = cmd, *a1 = a0 + strlen(a0) + 1;
	const char *base = strrchr(a0, '/') ? strrchr(a0, '/') + 1 : a0;
	const char *a = a1;
	if (strcmp(base, MONITOR_PROG) != 0) {
		if (a1 >= end || strcmp(a1, "monitor") != 0)
			return false;
		a = a1 + strlen(a1) + 1;
	}
	/* then: --state DIR */
	if (a >= end || strcmp(a, "--state") != 0)
		return false;
	a += strlen(a) + 1;
	return a < end && strcmp(a, state_dir) == 0;
}

int monitor_delete(const char *state_root, const char *runtime_root, const char *id, struct err *e)
{
	_cleanup_free_ char *dir = NULL, *pidf = NULL;
	int r = state_dir_path(state_root, runtime_root, id, &dir, e);
	if (r < 0)
		return r;
	if (asprintf(&pidf, "%s/monitor.pid", dir) < 0)
		return err_set(e, ENOMEM, "out of memory");
	FILE *f = fopen(pidf, "re");
	long pid = 0;
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		(void)fclose(f);
	}
	if (pid > 1 && monitor_is_running((pid_t)pid, dir)) {
		/* SIGTERM first: a learning monitor flushes its recording on the way out */
		(void)kill((pid_t)pid, SIGTERM);
		for (int i = 0; i < DELETE_WAIT_MS / 10 && monitor_is_running((pid_t)pid, dir); i++)
			(void)usleep(10000);
		if (monitor_is_running((pid_t)pid, dir))
			(void)kill((pid_t)pid, SIGKILL);
	}
	return fs_rm_rf(dir, e);
}
