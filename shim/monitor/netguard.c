// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metadata_connect without a notification per connect: an nftables table in
 * the container's network namespace (entered through /proc/<init>/ns/net)
 * matching new connections to the cloud metadata addresses and to the API
 * server (KUBERNETES_SERVICE_HOST/PORT).  Each match is logged to an NFLOG
 * group the monitor reads (nflog.c); for deny and kill it is also refused
 * in the kernel (ECONNREFUSED for TCP), before a packet leaves the pod.
 * The table is deleted when the monitor ends (the namespace may be a pod's,
 * shared with other containers).  `nft` runs in a child that entered the
 * namespace; nothing else of the monitor changes namespace for long.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

static const char *const _nft_paths[] = { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", NULL };

const char *netguard_nft(void)
{
	for (const char *const *p = _nft_paths; *p; p++)
		if (access(*p, X_OK) == 0)
			return *p;
	return NULL;
}

/* The API server's rule: host must be an IP literal (the container's env is
 * the pod author's: never text for nft). */
static int _k8s_rule(const char *host, uint16_t port, const char *verdict, char *buf, size_t size)
{
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN], dport[32] = "";
	bool v6 = strchr(host, ':') != NULL;
	buf[0] = '\0';
	if (!host[0])
		return 0;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, a) != 1 ||
	    !inet_ntop(v6 ? AF_INET6 : AF_INET, a, text, sizeof(text)))
		return -EINVAL;
	if (port)
		(void)snprintf(dport, sizeof(dport), " th dport %u", port);
	(void)snprintf(buf, size, "\t\t%s daddr %s%s %s\n", v6 ? "ip6" : "ip", text, dport,
		       verdict);
	return 0;
}

/*
 * Each new connection to a watched destination jumps to `hit`: logged to the
 * group, and for deny/kill refused at once (a TCP reset, else ICMP
 * administratively prohibited): the connect fails before a packet leaves.
 * "New" is a TCP SYN (or any packet of another protocol): no `ct state`,
 * which would turn connection tracking on for every packet of the pod.
 */
int netguard_script(const struct netguard_conf *c, char *buf, size_t size)
{
	char k8s[160];
	if (_k8s_rule(c->k8s_host, c->k8s_port, "jump first", k8s, sizeof(k8s)) < 0)
		return -EINVAL;
	int n = snprintf(buf, size,
			 "table inet %s {\n"
			 "\tchain hit {\n"
			 "\t\tlog group %u\n"
			 "%s"
			 "\t}\n"
			 "\tchain first {\n"
			 "\t\ttcp flags & (syn | ack) != syn return\n"
			 "\t\tjump hit\n"
			 "\t}\n"
			 "\tchain out {\n"
			 "\t\ttype filter hook output priority 0; policy accept;\n"
			 "\t\tip daddr 169.254.169.254 jump first\n"
			 "\t\tip6 daddr fd00:ec2::254 jump first\n"
			 "%s"
			 "\t}\n"
			 "}\n",
			 c->table, c->group,
			 c->refuse ? "\t\tmeta l4proto tcp reject with tcp reset\n"
				     "\t\treject with icmpx type admin-prohibited\n"
				   : "",
			 k8s);
	return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

/* Run `nft -f -` with script on stdin inside netns; its stderr into e. */
static int _nft(int netns_fd, const char *script, struct err *e)
{
	const char *nft = netguard_nft();
	int in[2], out[2];
	char msg[256] = "";
	if (!nft)
		return err_set(e, ENOENT, "nft not found");
	if (pipe2(in, O_CLOEXEC) < 0)
		return err_set_sys(e, errno, "pipe");
	if (pipe2(out, O_CLOEXEC) < 0) {
		(void)close(in[0]);
		(void)close(in[1]);
		return err_set_sys(e, errno, "pipe");
	}
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)nft, "-f", "-", NULL }, *envp[] = { NULL };
		if (setns(netns_fd, CLONE_NEWNET) < 0 || dup2(in[0], 0) < 0 ||
		    dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
			_exit(126);
		execve(nft, argv, envp);
		_exit(127);
	}
	(void)close(in[0]);
	(void)close(out[1]);
	if (pid > 0)
		(void)!write(in[1], script, strlen(script));
	(void)close(in[1]);
	ssize_t n = pid > 0 ? read(out[0], msg, sizeof(msg) - 1) : 0;
	msg[n > 0 ? n : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	(void)close(out[0]);
	int st = 0;
	if (pid < 0)
		return err_set_sys(e, errno, "fork");
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_set(e, EIO, "nft: %s", msg[0] ? msg : "failed");
	return 0;
}

int netguard_start(struct netguard *g, pid_t pid, const struct netguard_conf *conf, struct err *e)
{
	char path[64], script[1024];
	g->conf = *conf;
	g->nflog_fd = -1;
	(void)snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	g->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (g->netns_fd < 0)
		return err_set_sys(e, errno, "open %s", path);
	/* a group another listener holds in this namespace: take the next */
	int r = -EBUSY;
	for (unsigned i = 0; i < 8 && r < 0; i++) {
		g->conf.group = (uint16_t)(conf->group + i);
		struct err ignored = { 0 };
		r = g->nflog_fd = nflog_open(g->netns_fd, g->conf.group, i < 7 ? &ignored : e);
	}
	if (r < 0)
		return r;
	if (netguard_script(&g->conf, script, sizeof(script)) < 0)
		return err_set(e, EINVAL, "KUBERNETES_SERVICE_HOST \"%s\": not an IP address",
			       conf->k8s_host);
	r = _nft(g->netns_fd, script, e);
	if (r < 0)
		return r;
	g->installed = true;
	return 0;
}

void netguard_stop(struct netguard *g)
{
	char script[128];
	struct err e = { 0 };
	if (g->installed) {
		(void)snprintf(script, sizeof(script), "delete table inet %s\n", g->conf.table);
		(void)_nft(g->netns_fd, script, &e); /* gone with the namespace: fine */
		g->installed = false;
	}
	if (g->nflog_fd >= 0)
		(void)close(g->nflog_fd);
	if (g->netns_fd > 0)
		(void)close(g->netns_fd);
	g->nflog_fd = g->netns_fd = -1;
}
