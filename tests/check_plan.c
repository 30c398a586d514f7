// SPDX-License-Identifier: GPL-2.0-or-later
/* Which mechanism serves each rule: the notify set follows the active rules,
 * reverse_shell at exec, sensitive_write through fanotify. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/engine.h"
#include "hardrun/filter.h"
#include "hardrun/fsutil.h"
#include "hardrun/monitor_int.h"
#include "hardrun/profile.h"
#include "testutil.h"

#define FILTER                                                                                     \
	"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"                 \
	"\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":[\"read\",\"write\","   \
	"\"execve\",\"open\",\"openat\",\"creat\",\"openat2\",\"dup2\",\"dup3\",\"connect\","      \
	"\"socket\",\"exit_group\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"

#define HOST_NET "{\"process\":{\"args\":[\"sh\"]},\"linux\":{}}"
#define POD_NET                                                                                    \
	"{\"process\":{\"args\":[\"sh\"]},\"linux\":{\"namespaces\":[{\"type\":\"network\","       \
	"\"path\":\"/run/netns/pod\"}]}}"

/* The spec base rendered for a profile whose monitor.rules are rules. */
static struct json *_render_on(const char *base, const char *rules, enum hr_mode mode,
			       enum monitor_mechanism mech)
{
	_cleanup_json_ struct json *j = NULL;
	_cleanup_free_ char *text = NULL;
	struct json *spec = NULL;
	struct profile *p = NULL;
	struct err e = { 0 };
	struct policy pol = { .mode = mode, .monitor = true };
	ck_assert(asprintf(&text,
			   "{\"hardrun\":1,\"name\":\"t\"," FILTER ",\"monitor\":{\"rules\":%s}}",
			   rules) > 0);
	ck_assert_msg(json_parse(text, strlen(text), &j, &e) == 0, "%s", e.msg);
	ck_assert_msg(profile_parse(j, &p, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(json_parse(base, strlen(base), &spec, &e), 0);
	struct filter_env env;
	filter_env_host(&env);
	ck_assert_msg(engine_apply(spec, p, &env, &e) == 0, "%s", e.msg);
	ck_assert_msg(
		monitor_prepare(spec, &pol, p, mech, NULL, "/run/hr/x/monitor.sock", NULL, &e) == 0,
		"%s", e.msg);
	profile_free(p);
	return spec;
}

static struct json *_render(const char *rules, enum hr_mode mode, enum monitor_mechanism mech)
{
	return _render_on(HOST_NET, rules, mode, mech);
}

/* Rules of the filter that name name with action. */
static unsigned _count(const struct json *spec, const char *name, const char *action)
{
	unsigned n = 0;
	const struct json *sys = json_get_path(spec, "linux.seccomp.syscalls");
	json_foreach (i, sys) {
		const struct json *names = json_get(sys->items[i], "names");
		const char *a = json_string(json_get(sys->items[i], "action"));
		json_foreach (k, names)
			n += strcmp(json_string(names->items[k]), name) == 0 &&
			     strcmp(a, action) == 0;
	}
	return n;
}

#define OFF3 "{\"sensitive_write\":\"off\",\"reverse_shell\":\"off\",\"metadata_connect\":\"off\"}"

static const char *const _quiet[] = { "open", "openat", "creat",   "openat2",
				      "dup2", "dup3",	"connect", NULL };

/* The three rules off: none of their calls is notified or traced, and each
 * of those calls is allowed as the profile says. */
START_TEST(test_off_rules_cost_nothing)
{
	for (int mech = 0; mech < 2; mech++) {
		enum monitor_mechanism m = mech ? MONITOR_MECH_PTRACE : MONITOR_MECH_NOTIFY;
		_cleanup_json_ struct json *spec = _render(OFF3, MODE_ENFORCE, m);
		for (const char *const *n = _quiet; *n; n++) {
			ck_assert_msg(_count(spec, *n, "SCMP_ACT_NOTIFY") == 0, "%s notified", *n);
			ck_assert_msg(_count(spec, *n, "SCMP_ACT_TRACE") == 0, "%s traced", *n);
			ck_assert_msg(_count(spec, *n, "SCMP_ACT_ALLOW") == 1, "%s not allowed",
				      *n);
		}
		/* the rules that stay on keep their calls */
		ck_assert_int_gt(
			_count(spec, "execve", mech ? "SCMP_ACT_TRACE" : "SCMP_ACT_NOTIFY"), 0);
		ck_assert_int_gt(
			_count(spec, "socket", mech ? "SCMP_ACT_TRACE" : "SCMP_ACT_NOTIFY"), 0);
	}
	/* raw_socket off too: socket is the profile's again */
	_cleanup_json_ struct json *spec =
		_render("{\"raw_socket\":\"off\"}", MODE_ENFORCE, MONITOR_MECH_NOTIFY);
	ck_assert_int_eq(_count(spec, "socket", "SCMP_ACT_NOTIFY"), 0);
	ck_assert_int_eq(_count(spec, "socket", "SCMP_ACT_ALLOW"), 1);
}
END_TEST

/* dup2/dup3 are never notified (reverse_shell is decided at exec);
 * sensitive_write: an alert is fanotify's, deny and kill keep the
 * notified write-opens (audit mode makes them alerts). */
START_TEST(test_rule_mechanisms)
{
	bool fan = fanwatch_available();
	_cleanup_json_ struct json *dflt = _render("{}", MODE_ENFORCE, MONITOR_MECH_NOTIFY);
	ck_assert_int_eq(_count(dflt, "dup2", "SCMP_ACT_NOTIFY"), 0);
	ck_assert_int_eq(_count(dflt, "dup3", "SCMP_ACT_NOTIFY"), 0);
	ck_assert_int_eq(_count(dflt, "openat", "SCMP_ACT_NOTIFY"), fan ? 0 : 4);
	ck_assert_int_gt(_count(dflt, "connect", "SCMP_ACT_NOTIFY"), 0); /* metadata_connect */
	_cleanup_json_ struct json *deny =
		_render("{\"sensitive_write\":\"deny\"}", MODE_ENFORCE, MONITOR_MECH_NOTIFY);
	ck_assert_int_eq(_count(deny, "openat", "SCMP_ACT_NOTIFY"), 4);
	ck_assert_int_eq(_count(deny, "creat", "SCMP_ACT_NOTIFY"), 1);
	_cleanup_json_ struct json *audit =
		_render("{\"sensitive_write\":\"kill\"}", MODE_AUDIT, MONITOR_MECH_NOTIFY);
	ck_assert_int_eq(_count(audit, "openat", "SCMP_ACT_NOTIFY"), fan ? 0 : 4);
	/* metadata_connect: nftables' in a network namespace of the pod's own
	 * (where nft exists), notified in the node's namespace */
	_cleanup_json_ struct json *pod =
		_render_on(POD_NET, "{}", MODE_ENFORCE, MONITOR_MECH_NOTIFY);
	ck_assert_int_eq(_count(pod, "connect", "SCMP_ACT_NOTIFY") > 0, netguard_nft() == NULL);
	ck_assert(nfilter_notifies(json_get_path(dflt, "linux.seccomp"), "connect"));
	ck_assert(!nfilter_notifies(json_get_path(dflt, "linux.seccomp"), "dup2"));
	/* no nft: the warning says metadata_connect falls back */
	if (!netguard_nft()) {
		char *warning = NULL;
		struct err e = { 0 };
		_cleanup_json_ struct json *spec = NULL;
		ck_assert_int_eq(json_parse(POD_NET, strlen(POD_NET), &spec, &e), 0);
		struct policy pol = { .mode = MODE_ENFORCE, .monitor = true };
		ck_assert_int_eq(monitor_prepare(spec, &pol, NULL, MONITOR_MECH_NOTIFY, NULL, "/s",
						 &warning, &e),
				 0);
		ck_assert(warning && strstr(warning, "metadata_connect"));
		free(warning);
	}
}
END_TEST

/* The nft script: both metadata addresses and the API server; deny/kill
 * refuse; an API server "address" that is not one is refused, never
 * pasted into the script. */
START_TEST(test_netguard_script)
{
	char buf[1024];
	struct netguard_conf c = { .table = "hardrun_1",
				   .group = 7,
				   .refuse = true,
				   .k8s_host = "10.96.0.1",
				   .k8s_port = 443 };
	ck_assert_int_eq(netguard_script(&c, buf, sizeof(buf)), 0);
	ck_assert(strstr(buf, "table inet hardrun_1 {"));
	ck_assert(strstr(buf, "log group 7\n"));
	ck_assert(strstr(buf, "ip daddr 169.254.169.254 jump first"));
	ck_assert(strstr(buf, "tcp flags & (syn | ack) != syn return"));
	ck_assert_ptr_null(strstr(buf, "ct state")); /* no conntrack for the pod */
	ck_assert(strstr(buf, "ip6 daddr fd00:ec2::254 jump first"));
	ck_assert(strstr(buf, "ip daddr 10.96.0.1 th dport 443 jump first"));
	ck_assert(strstr(buf, "reject with tcp reset"));
	c.refuse = false;
	strcpy(c.k8s_host, "fd00::1");
	c.k8s_port = 0;
	ck_assert_int_eq(netguard_script(&c, buf, sizeof(buf)), 0);
	ck_assert(!strstr(buf, "reject"));
	ck_assert(strstr(buf, "ip6 daddr fd00::1 jump first"));
	strcpy(c.k8s_host, "1.2.3.4 accept; }");
	ck_assert_int_eq(netguard_script(&c, buf, sizeof(buf)), -EINVAL);
	strcpy(c.k8s_host, "kubernetes.default");
	ck_assert_int_eq(netguard_script(&c, buf, sizeof(buf)), -EINVAL);
	c.k8s_host[0] = '\0'; /* no API server: the metadata rules only */
	ck_assert_int_eq(netguard_script(&c, buf, sizeof(buf)), 0);
	ck_assert(!strstr(buf, "th dport"));
}
END_TEST

/* NFLOG messages as the kernel sends them: the destination of each packet. */
START_TEST(test_nflog_parse)
{
	unsigned char b[512] __attribute__((aligned(8))) = { 0 };
	struct nflog_packet k[4];
	/* nlmsghdr(16) nfgenmsg(4) attr PREFIX "x"(8) attr PAYLOAD(4 + 24) */
	uint32_t len = 16 + 4 + 8 + 4 + 24;
	memcpy(b, &len, 4);
	uint16_t type = (4 << 8) | 0; /* NFNL_SUBSYS_ULOG, NFULNL_MSG_PACKET */
	memcpy(b + 4, &type, 2);
	uint16_t a1[2] = { 8, 10 }; /* NFULA_PREFIX */
	memcpy(b + 20, a1, 4);
	b[24] = 'x';
	uint16_t a2[2] = { 4 + 24, 9 }; /* NFULA_PAYLOAD */
	memcpy(b + 28, a2, 4);
	unsigned char *ip = b + 32;
	ip[0] = 0x45;
	ip[9] = 6; /* TCP */
	ip[16] = 169, ip[17] = 254, ip[18] = 169, ip[19] = 254;
	ip[20] = 0x30, ip[21] = 0x39; /* source port 12345 */
	ip[22] = 0, ip[23] = 80;
	ck_assert_uint_eq(nflog_parse(b, len, k, 4), 1);
	ck_assert_int_eq(k[0].family, AF_INET);
	ck_assert_uint_eq(k[0].addr[0], 169);
	ck_assert_uint_eq(k[0].addr[3], 254);
	ck_assert_uint_eq(k[0].port, 80);
	ck_assert_uint_eq(k[0].sport, 12345);
	/* a cut attribute or a message of another type: nothing */
	ck_assert_uint_eq(nflog_parse(b, len - 30, k, 4), 0);
	type = (4 << 8) | 1;
	memcpy(b + 4, &type, 2);
	ck_assert_uint_eq(nflog_parse(b, len, k, 4), 0);
}
END_TEST

START_TEST(test_plan_sources)
{
	struct mon_rules r;
	struct plan_env fan = { .fanotify = true }, none = { 0 };
	eval_rules_default(&r);
	ck_assert_int_eq(plan_source(&r, RULE_REVERSE_SHELL, &fan), PLAN_EXEC);
	ck_assert_int_eq(plan_source(&r, RULE_SENSITIVE_WRITE, &fan), PLAN_FANOTIFY);
	ck_assert_int_eq(plan_source(&r, RULE_SENSITIVE_WRITE, &none), PLAN_NOTIFY);
	ck_assert_int_eq(plan_source(&r, RULE_MOUNT, &fan), PLAN_NOTIFY);
	ck_assert_int_eq(plan_source(&r, RULE_METADATA_CONNECT, &none), PLAN_NOTIFY);
	struct plan_env nft = { .nft = true };
	ck_assert_int_eq(plan_source(&r, RULE_METADATA_CONNECT, &nft), PLAN_NFT);
	r.action[RULE_SENSITIVE_WRITE] = ACTION_DENY;
	ck_assert_int_eq(plan_source(&r, RULE_SENSITIVE_WRITE, &fan), PLAN_NOTIFY);
	r.audit = true;
	ck_assert_int_eq(plan_action(&r, RULE_SENSITIVE_WRITE), ACTION_ALERT);
	ck_assert_int_eq(plan_source(&r, RULE_SENSITIVE_WRITE, &fan), PLAN_FANOTIFY);
	r.action[RULE_MOUNT] = ACTION_OFF;
	ck_assert_int_eq(plan_source(&r, RULE_MOUNT, &fan), PLAN_OFF);
	ck_assert(!(plan_notified(&r, &fan) & (1u << RULE_MOUNT)));
	ck_assert(plan_notified(&r, &fan) & (1u << RULE_RAW_SOCKET));
	ck_assert(!(plan_notified(&r, &fan) & (1u << RULE_REVERSE_SHELL)));
}
END_TEST

/* reverse_shell at exec: target, argv0, argv1, the caller's comm, stdio inet -> fires */
static const struct {
	const char *target, *argv0, *argv1, *comm;
	bool inet, want;
} _rs_cases[] = {
	{ "/bin/sh", "sh", "-i", "python3", true, true },
	{ "/bin/sh", "sh", "-i", "python3", false, false },
	{ "/usr/bin/bash", "bash", "", "bash", true, true },
	{ "/bin/busybox", "busybox", "sh", "nc", true, true },
	{ "/usr/bin/python3.11", "python3", "-c", "sh", true, true },
	{ "/usr/bin/perl", "perl", "-e", "sh", true, true },
	{ "/usr/local/bin/node", "node", "", "sh", true, true },
	{ "/usr/bin/php8.2", "php", "-r", "sh", true, true },
	{ "/bin/true", "true", "", "nc", true, true },	       /* nc -e anything */
	{ "/usr/bin/id", "id", "", "socat", true, true },      /* socat EXEC: */
	{ "/usr/sbin/nginx", "nginx", "", "sh", true, false }, /* a server's own socket */
	{ "/usr/bin/cat", "cat", "", "inetd", true, false },   /* not a shell, not a relay */
	{ "/bin/true", "true", "", "nc", false, false },       /* nc without a socket on stdio */
};

START_TEST(test_reverse_shell_at_exec)
{
	struct mon_rules r;
	eval_rules_default(&r);
	for (size_t i = 0; i < sizeof(_rs_cases) / sizeof(_rs_cases[0]); i++) {
		typeof(_rs_cases[0]) *k = &_rs_cases[i];
		ck_assert_msg(eval_reverse_shell(k->target, k->argv0, k->argv1, k->comm, k->inet) ==
				      k->want,
			      "case %zu (%s from %s)", i, k->target, k->comm);
		/* and through the exec evaluation, with the rule's default action */
		struct mon_call c = { .pid = 9, .name = "execve", .started = true };
		struct mon_proc p = { .pid = 9 };
		struct mon_evidence ev = { .stdio_inet = k->inet };
		struct mon_verdict v;
		strcpy(p.comm, k->comm);
		strcpy(ev.path, k->target);
		strcpy(ev.argv0, k->argv0);
		strcpy(ev.argv1, k->argv1);
		eval_call(&c, &p, &ev, &r, &v);
		ck_assert_msg((v.rule == RULE_REVERSE_SHELL) == k->want, "case %zu: rule %d", i,
			      v.rule);
		if (k->want)
			ck_assert_int_eq(v.action, ACTION_DENY);
	}
}
END_TEST

START_TEST(test_fs_write_eval)
{
	struct mon_rules r;
	struct mon_verdict v;
	eval_rules_default(&r);
	eval_fs_write("/etc/shadow", "modify", &r, &v);
	ck_assert_int_eq(v.rule, RULE_SENSITIVE_WRITE);
	ck_assert_int_eq(v.action, ACTION_ALERT);
	ck_assert_str_eq(v.detail, "path=/etc/shadow op=modify");
	eval_fs_write("/tmp/x", "create", &r, &v);
	ck_assert_int_eq(v.rule, -1);
	r.action[RULE_SENSITIVE_WRITE] = ACTION_OFF;
	eval_fs_write("/usr/bin/x", "create", &r, &v);
	ck_assert_int_eq(v.rule, -1);
}
END_TEST

struct seen {
	char paths[16][256];
	unsigned n;
	pid_t pid;
};

static void _collect(void *ctx, pid_t pid, const char *path, uint64_t mask)
{
	struct seen *s = ctx;
	if (path && s->n < 16) {
		(void)snprintf(s->paths[s->n++], sizeof(s->paths[0]), "%s", path);
		s->pid = pid;
	}
}

static bool _has(const struct seen *s, const char *path)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->paths[i], path) == 0)
			return true;
	return false;
}

static void _write(const char *root, const char *rel)
{
	char p[4096];
	(void)snprintf(p, sizeof(p), "%s/%s", root, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "%s: %s", p, strerror(errno));
	ck_assert_int_eq(write(fd, "x", 1), 1);
	close(fd);
}

/* Read events until want shows up (a positive marker); fails after 5 s. */
static void _wait_for(struct fanwatch *w, struct seen *s, const char *want)
{
	for (int i = 0; i < 500 && !_has(s, want); i++) {
		fanwatch_read(w, _collect, s);
		if (!_has(s, want))
			usleep(10000);
	}
	ck_assert_msg(_has(s, want), "no event for %s", want);
}

/* A root with etc/ (and a subdirectory), bin -> /var (absent in the root)
 * and tmp/: a
 * write under etc/ is seen with its container path and the writer's pid,
 * also in a directory made after the marks; tmp/ is not watched, and the
 * symlink is not followed out of the root. */
START_TEST(test_fanwatch_root)
{
	if (!fanwatch_available())
		return (void)printf("skip test_fanwatch_root: no fanotify here\n");
	char root[] = "/tmp/hr-fanwatch-XXXXXX", p[4096];
	struct err e = { 0 };
	struct fanwatch *w = NULL;
	struct seen s = { 0 };
	ck_assert(mkdtemp(root));
	(void)snprintf(p, sizeof(p), "%s/etc/ssh", root);
	ck_assert_int_eq(fs_mkdir_p(p, 0755, NULL), 0);
	(void)snprintf(p, sizeof(p), "%s/tmp", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	(void)snprintf(p, sizeof(p), "%s/bin", root);
	ck_assert_int_eq(symlink("/var", p), 0); /* the root's /var (none), not ours */
	ck_assert_msg(fanwatch_open(root, &w, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(fanwatch_marked(w), 2); /* etc, etc/ssh */
	_write(root, "tmp/not-watched");
	_write(root, "etc/passwd");
	_wait_for(w, &s, "/etc/passwd");
	ck_assert_int_eq(s.pid, getpid());
	_write(root, "etc/ssh/sshd_config");
	_wait_for(w, &s, "/etc/ssh/sshd_config");
	(void)snprintf(p, sizeof(p), "%s/etc/new", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	_wait_for(w, &s, "/etc/ssh/sshd_config"); /* the mkdir is read (and marked) */
	fanwatch_read(w, _collect, &s);
	_write(root, "etc/new/file");
	_wait_for(w, &s, "/etc/new/file");
	ck_assert(!_has(&s, "/tmp/not-watched"));
	ck_assert(!_has(&s, "/etc/new"));
	fanwatch_free(w);
	ck_assert_int_eq(fs_rm_rf(root, NULL), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_off_rules_cost_nothing);
	tcase_add_test(tc, test_rule_mechanisms);
	tcase_add_test(tc, test_plan_sources);
	tcase_add_test(tc, test_reverse_shell_at_exec);
	tcase_add_test(tc, test_fs_write_eval);
	tcase_add_test(tc, test_fanwatch_root);
	tcase_add_test(tc, test_netguard_script);
	tcase_add_test(tc, test_nflog_parse);
	suite_add_tcase(s, tc);
	return test_run(s);
}
