// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An NFLOG group's packets, read by the monitor: a NETLINK_NETFILTER socket
 * made inside the container's network namespace (a netlink socket stays in
 * the namespace it was made in), bound to one group, copying the first
 * NFLOG_COPY bytes of each packet.  Each packet becomes (family, destination
 * address, destination port).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

#define NFLOG_COPY 128 /* an IPv6 header and the ports are enough */

struct nflog_req {
	struct nlmsghdr nh;
	struct nfgenmsg g;
	struct nlattr a;
	union {
		struct nfulnl_msg_config_cmd cmd;
		struct nfulnl_msg_config_mode mode;
		uint32_t u32;
	} u;
	char pad[4];
};

/* One config message for group; the kernel's answer (ack) as 0 / -errno. */
static int _config(int fd, uint16_t group, uint16_t attr, const void *val, size_t len)
{
	struct nflog_req r = { 0 };
	char buf[512];
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(r.g) + NLA_HDRLEN + len);
	r.nh.nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r.nh.nlmsg_seq = attr;
	r.g.nfgen_family = AF_UNSPEC;
	r.g.version = NFNETLINK_V0;
	r.g.res_id = htons(group);
	r.a.nla_len = (uint16_t)(NLA_HDRLEN + len);
	r.a.nla_type = attr;
	memcpy(&r.u, val, len);
	if (send(fd, &r, r.nh.nlmsg_len, 0) < 0)
		return -errno;
	for (int tries = 0; tries < 100; tries++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EAGAIN) {
			(void)usleep(1000);
			continue;
		}
		if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)))
			return n < 0 ? -errno : -EIO;
		const struct nlmsghdr *h = (const void *)buf;
		if (h->nlmsg_type == NLMSG_ERROR)
			return ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	return -ETIMEDOUT;
}

int nflog_open(int netns_fd, uint16_t group, struct err *e)
{
	_cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = -1, r;

	if (self < 0 || setns(netns_fd, CLONE_NEWNET) < 0)
		return err_set_sys(e, errno, "enter the container's network namespace");
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER);
	r = fd < 0 ? -errno : 0;
	if (setns(self, CLONE_NEWNET) < 0) /* cannot happen: we held our own namespace */
		abort();
	if (r < 0)
		return err_set_sys(e, -r, "NFLOG socket");
	struct nfulnl_msg_config_cmd bind_cmd = { .command = NFULNL_CFG_CMD_BIND };
	struct nfulnl_msg_config_mode mode = { .copy_range = htonl(NFLOG_COPY),
					       .copy_mode = NFULNL_COPY_PACKET };
	uint32_t qthresh = htonl(1);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = -errno;
	if (r == 0)
		r = _config(fd, group, NFULA_CFG_CMD, &bind_cmd, sizeof(bind_cmd));
	if (r == 0)
		r = _config(fd, group, NFULA_CFG_MODE, &mode, sizeof(mode));
	if (r == 0) /* each packet at once (the default batches up to 1 s) */
		r = _config(fd, group, NFULA_CFG_QTHRESH, &qthresh, sizeof(qthresh));
	if (r < 0) {
		(void)close(fd);
		return err_set_sys(e, -r, "NFLOG group %u", group);
	}
	return fd;
}

/* One packet (NFULA_PAYLOAD): its destination. */
static bool _dest(const uint8_t *p, size_t len, struct nflog_packet *ret)
{
	unsigned proto, off;
	memset(ret, 0, sizeof(*ret));
	if (len >= 20 && p[0] >> 4 == 4) {
		ret->family = AF_INET;
		memcpy(ret->addr, p + 16, 4);
		proto = p[9];
		off = (p[0] & 0xfu) * 4;
	} else if (len >= 40 && p[0] >> 4 == 6) {
		ret->family = AF_INET6;
		memcpy(ret->addr, p + 24, 16);
		proto = p[6];
		off = 40;
	} else {
		return false;
	}
	if ((proto == 6 || proto == 17) && len >= off + 4) {
		ret->sport = (uint16_t)(p[off] << 8 | p[off + 1]);
		ret->port = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
	}
	return true;
}

unsigned nflog_parse(const void *buf, size_t len, struct nflog_packet *out, unsigned max)
{
	unsigned n = 0;
	for (const struct nlmsghdr *h = buf; NLMSG_OK(h, len) && n < max; h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET) ||
		    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nfgenmsg)))
			continue;
		const char *a = (const char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct nfgenmsg));
		size_t left = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct nfgenmsg)));
		while (left >= NLA_HDRLEN) {
			const struct nlattr *at = (const void *)a;
			if (at->nla_len < NLA_HDRLEN || at->nla_len > left)
				break;
			if ((at->nla_type & NLA_TYPE_MASK) == NFULA_PAYLOAD &&
			    _dest((const uint8_t *)a + NLA_HDRLEN, at->nla_len - NLA_HDRLEN,
				  &out[n]))
				n++;
			size_t step = NLA_ALIGN(at->nla_len);
			if (step >= left)
				break;
			a += step;
			left -= step;
		}
	}
	return n;
}
