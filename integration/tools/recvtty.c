/*
 * recvtty - minimal --console-socket receiver for the integration tests.
 *
 *   recvtty SOCKET OUTFILE
 *
 * Listens on the unix socket SOCKET, accepts one connection, receives the pty
 * master fd (SCM_RIGHTS) that runc sends, and copies everything read from the
 * master to OUTFILE until the slave side is closed by every holder (read
 * returns EIO or 0).  Exit status 0 on success.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	return 1;
}

static int recv_fd(int conn)
{
	char name[256];
	char ctrl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl,
			      .msg_controllen = sizeof(ctrl) };
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) {
		errno = EBADMSG;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[4096];
	int lsock, conn, master, out;
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: recvtty SOCKET OUTFILE\n");
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "recvtty: socket path too long\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return die("open output");
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock < 0)
		return die("socket");
	/* bind to a temp name, then rename: the path appears only when listening */
	char tmp[sizeof(addr.sun_path)];
	if (snprintf(tmp, sizeof(tmp), "%s.t", argv[1]) >= (int)sizeof(tmp)) {
		fprintf(stderr, "recvtty: socket path too long\n");
		return 2;
	}
	strcpy(addr.sun_path, tmp);
	unlink(tmp);
	if (bind(lsock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return die("bind");
	if (listen(lsock, 1) < 0)
		return die("listen");
	if (rename(tmp, argv[1]) < 0)
		return die("rename");
	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return die("accept");
	master = recv_fd(conn);
	if (master < 0)
		return die("recvmsg");
	close(conn);
	close(lsock);
	unlink(argv[1]);
	for (;;) {
		n = read(master, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno == EIO))
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return die("read");
		}
		if (write(out, buf, (size_t)n) != n)
			return die("write");
	}
	return 0;
}
