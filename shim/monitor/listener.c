// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The unix socket runc connects to (linux.seccomp.listenerPath).
 *
 * What runc 1.1.5 does, verified by experiment (throwaway listener, busybox
 * bundle, kernel 6.x):
 *  - It connects once per process it starts: once at `create`/`run` for the
 *    init process (status "creating", before `start`), and once for every
 *    `runc exec` (status "running").  Each connection carries one sendmsg():
 *    the OCI "container process state" JSON plus one fd (SCM_RIGHTS), e.g.
 *      {"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":12798,
 *       "metadata":"<listenerMetadata>","state":{"ociVersion":"1.0.2-dev",
 *       "id":"xx1","status":"creating","pid":12798,"bundle":"/path"}}
 *    "pid" is the process the filter belongs to (init or the exec'd process);
 *    state.pid is always the container's init.  No annotations are sent: the
 *    monitor reads them from its monitor.json (and env from the bundle).
 *  - crun 1.8 sends the same message, but for an exec its "pid" and
 *    state.pid are 0 and state.bundle is ".": it connects before the exec'd
 *    process exists.  Only the first (init) connection's pid is used.
 *  - If nothing listens, create/exec fails: "failed to connect with seccomp
 *    agent specified in the seccomp profile: dial unix ...: connect: no such
 *    file or directory".  So a monitor that is not up fails the create.
 *  - noNewPrivileges is not required.  With NNP=true the filter is loaded
 *    right before the execve of the entrypoint, so the first notification is
 *    that execve.  With NNP=false it is loaded earlier and runc's own calls
 *    (getppid, ...) are notified before it: the monitor treats everything
 *    before a session's first execve as the runtime's (mon_call.started).
 *  - When the last process using a filter exits, the notify fd reports
 *    POLLHUP and SECCOMP_IOCTL_NOTIF_RECV fails with ENOENT.
 *  - A notify fd closed (monitor dead): notified syscalls fail with ENOSYS,
 *    everything else keeps working (integration test "fail closed").
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

#define STATE_MAX (64 * 1024)

int listener_open(const char *path, struct err *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path))
		return err_set(e, ENAMETOOLONG, "socket path too long: %s", path);
	strcpy(a.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_set_sys(e, errno, "socket");
	(void)unlink(path);
	mode_t old = umask(0077);
	int r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	(void)umask(old);
	if (r < 0)
		return err_set_sys(e, errno, "bind %s", path);
	if (chmod(path, 0600) < 0 || listen(fd, 64) < 0)
		return err_set_sys(e, errno, "listen %s", path);
	return steal_fd(&fd);
}

void listener_conn_release(struct listener_conn *c)
{
	if (c->notify_fd >= 0)
		(void)close(c->notify_fd);
	free(c->container_id);
	free(c->bundle);
	free(c->status);
	free(c->metadata);
	memset(c, 0, sizeof(*c));
	c->notify_fd = -1;
}

ssize_t listener_recvmsg(int fd, void *buf, size_t size, int flags, int *ret_fd, struct err *e)
{
	struct iovec io = { buf, size };
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} cb;
	struct msghdr m = {
		.msg_iov = &io, .msg_iovlen = 1, .msg_control = cb.b, .msg_controllen = sizeof(cb.b)
	};
	ssize_t n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC | flags);
	*ret_fd = -1;
	if (n < 0)
		return err_set_sys(e, errno, "recvmsg");
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int fds[4];
		memcpy(fds, CMSG_DATA(h), nfd * sizeof(int));
		for (size_t i = 0; i < nfd; i++) {
			if (*ret_fd < 0)
				*ret_fd = fds[i];
			else
				(void)close(fds[i]);
		}
	}
	if (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		if (*ret_fd >= 0)
			(void)close(*ret_fd);
		*ret_fd = -1;
		return err_set(e, EMSGSIZE, "message truncated");
	}
	return n;
}

static int _recv(int fd, char *buf, size_t size, int *ret_fd, struct err *e)
{
	ssize_t n = listener_recvmsg(fd, buf, size - 1, 0, ret_fd, e);
	if (n < 0)
		return err_prefix(e, "state message"), (int)n;
	buf[n] = '\0';
	return *ret_fd >= 0 ? 0 : err_set(e, EBADMSG, "no seccomp fd in the state message");
}

static int _conn_parse(const char *buf, struct listener_conn *c, struct err *e)
{
	_cleanup_json_ struct json *j = NULL;
	int64_t pid;
	int r = json_parse(buf, strlen(buf), &j, e);
	if (r < 0)
		return r;
	const struct json *fds = json_get(j, "fds");
	if (!fds || fds->n != 1 || !json_string(fds->items[0]) ||
	    strcmp(json_string(fds->items[0]), "seccompFd") != 0)
		return err_set(e, EBADMSG, "state: fds is not [\"seccompFd\"]");
	/* crun sends pid 0 for an exec'd process (it connects before that
	 * process exists); only the init's connection needs a pid */
	if (json_to_int64(json_get(j, "pid"), &pid) < 0 || pid < 0 || pid > INT32_MAX)
		return err_set(e, EBADMSG, "state: no pid");
	c->pid = (pid_t)pid;
	const char *id = json_string(json_get_path(j, "state.id"));
	const char *bundle = json_string(json_get_path(j, "state.bundle"));
	const char *status = json_string(json_get_path(j, "state.status"));
	const char *meta = json_string(json_get(j, "metadata"));
	c->container_id = strdup(id ? id : "");
	c->bundle = strdup(bundle ? bundle : "");
	c->status = strdup(status ? status : "");
	c->metadata = strdup(meta ? meta : "");
	if (!c->container_id || !c->bundle || !c->status || !c->metadata)
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

int listener_receive(int listen_fd, struct listener_conn *ret, struct err *e)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	_cleanup_free_ char *buf = malloc(STATE_MAX);
	memset(ret, 0, sizeof(*ret));
	ret->notify_fd = -1;
	_cleanup_close_ int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return err_set_sys(e, errno, "accept");
	if (!buf)
		return err_set(e, ENOMEM, "out of memory");
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cred.uid != 0)
		return err_set(e, EPERM, "connection from uid %d refused", (int)cred.uid);
	/* Only runc (root) can reach the 0700 directory; still, never block the loop. */
	struct timeval tv = { 2, 0 };
	(void)setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	int r = _recv(c, buf, STATE_MAX, &ret->notify_fd, e);
	if (r == 0)
		r = _conn_parse(buf, ret, e);
	if (r < 0)
		listener_conn_release(ret);
	return r;
}
