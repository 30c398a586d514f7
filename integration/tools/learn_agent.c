// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * learn_agent: a stand-in seccomp agent that drives hardrun's learn-mode
 * filter and recorder with real runc, independent of the monitor process.
 *
 *   learn_agent prepare BUNDLE SOCKET          rewrite BUNDLE/config.json: learn filter
 *   learn_agent serve SOCKET RECDIR PROFILE ID  accept runc's notify fds, record, CONTINUE
 *   learn_agent generate|diff ...              hardrun profile generate|diff
 *
 * serve exits when every notify fd it got has hung up (or on SIGTERM).
 * It marks a session started at its first execve/execveat, as the monitor does.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cmd_profile_learn.h"
#include "hardrun/fsutil.h"
#include "hardrun/json.h"
#include "hardrun/learn.h"

#define MAX_FDS 64

ssize_t mon_read_mem(const struct mon_call *c, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)c->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = pread(fd, buf, len, (off_t)addr);
	int saved = errno;
	close(fd);
	if (n < 0)
		return -saved;
	if (ioctl(c->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &c->id) < 0)
		return -ESRCH;
	return n;
}

ssize_t mon_read_string(const struct mon_call *c, uint64_t addr, char *buf, size_t size)
{
	ssize_t n = mon_read_mem(c, addr, buf, size);
	if (n <= 0)
		return n < 0 ? n : -EFAULT;
	char *z = memchr(buf, '\0', (size_t)n);
	if (!z) {
		buf[size - 1] = '\0';
		return -ENAMETOOLONG;
	}
	return z - buf;
}

static int cmd_prepare(const char *bundle, const char *sock)
{
	struct err e = { 0 };
	char path[4096], *buf;
	size_t len;
	struct json *doc;

	snprintf(path, sizeof(path), "%s/config.json", bundle);
	if (json_load_file(path, 1 << 24, &doc, &e) < 0)
		goto fail;
	struct json *linux_ = json_obj_ensure_object(doc, "linux");
	struct json *sc = json_obj_ensure_object(linux_, "seccomp");
	if (learn_prepare(sc, &e) < 0)
		goto fail;
	json_obj_set(sc, "listenerPath", json_new_string(sock));
	if (json_dump(doc, true, &buf, &len, &e) < 0 ||
	    fs_write_atomic(path, buf, len, 0644, &e) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "learn_agent: %s\n", e.msg);
	return 1;
}

static int recv_fd(int conn)
{
	char data[1 << 16];
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	if (recvmsg(conn, &m, MSG_CMSG_CLOEXEC) < 0)
		return -1;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(h), sizeof(fd));
			return fd;
		}
	return -1;
}

static volatile sig_atomic_t stop;
static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_serve(const char *sock, const char *recdir, const char *profile, const char *id)
{
	struct err e = { 0 };
	struct monitor_spec spec = { .container_id = (char *)id,
				     .profile_name = (char *)profile,
				     .recordings_dir = (char *)recdir,
				     .mode = MODE_LEARN };
	struct pollfd pfd[MAX_FDS + 1];
	bool started[MAX_FDS] = { 0 };
	int session[MAX_FDS], nfds = 0, sessions = 0, seen = 0;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;

	signal(SIGTERM, on_term);
	void *l = learn_open(&spec, &e);
	if (!l) {
		fprintf(stderr, "learn_agent: %s\n", e.msg);
		return 1;
	}
	if (seccomp_notify_alloc(&req, &resp) < 0)
		return 1;
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	unlink(sock);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 8) < 0) {
		perror("learn_agent: listen");
		return 1;
	}
	pfd[MAX_FDS] = (struct pollfd){ .fd = ls, .events = POLLIN };
	time_t last = time(NULL), start = last;
	while (!stop && (seen == 0 || nfds > 0)) {
		for (int i = 0; i < nfds; i++)
			pfd[i].events = POLLIN;
		pfd[nfds] = pfd[MAX_FDS];
		int r = poll(pfd, nfds + 1, 1000);
		if (time(NULL) != last) {
			last = time(NULL);
			(void)learn_flush(l, NULL);
		}
		if (seen == 0 && time(NULL) - start > 60)
			break; /* nobody connected */
		if (r <= 0)
			continue;
		if ((pfd[nfds].revents & POLLIN) && nfds < MAX_FDS) {
			int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
			int fd = conn >= 0 ? recv_fd(conn) : -1;
			if (conn >= 0)
				close(conn);
			if (fd >= 0) {
				pfd[nfds].fd = fd;
				started[nfds] = false;
				session[nfds] = sessions++;
				nfds++;
				seen++;
			}
		}
		for (int i = 0; i < nfds; i++) {
			if (pfd[i].revents & POLLIN) {
				memset(req, 0, sizeof(*req));
				if (ioctl(pfd[i].fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
					continue;
				char *name = seccomp_syscall_resolve_num_arch(req->data.arch,
									      req->data.nr);
				struct mon_call c = { .id = req->id,
						      .pid = req->pid,
						      .arch = req->data.arch,
						      .nr = req->data.nr,
						      .name = name ? name : "?",
						      .ip = req->data.instruction_pointer,
						      .notify_fd = pfd[i].fd,
						      .session = session[i],
						      .started = started[i] };
				memcpy(c.args, req->data.args, sizeof(c.args));
				int err_ = 0;
				learn_on_call(l, &c, &err_);
				if (name && (!strcmp(name, "execve") || !strcmp(name, "execveat")))
					started[i] = true;
				free(name);
				memset(resp, 0, sizeof(*resp));
				resp->id = req->id;
				resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
				(void)ioctl(pfd[i].fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
			} else if (pfd[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
				close(pfd[i].fd);
				pfd[i] = pfd[nfds - 1];
				started[i] = started[nfds - 1];
				session[i] = session[nfds - 1];
				nfds--;
				i--;
			}
		}
	}
	learn_close(l);
	unlink(sock);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "prepare") == 0)
		return cmd_prepare(argv[2], argv[3]);
	if (argc > 1 && strcmp(argv[1], "generate") == 0)
		return cmd_profile_generate(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "diff") == 0)
		return cmd_profile_diff(argc - 1, argv + 1);
	if (argc == 6 && strcmp(argv[1], "serve") == 0)
		return cmd_serve(argv[2], argv[3], argv[4], argv[5]);
	fprintf(stderr,
		"usage: learn_agent prepare BUNDLE SOCKET | serve SOCKET RECDIR PROFILE ID\n");
	return 2;
}
