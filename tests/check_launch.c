// SPDX-License-Identifier: GPL-2.0-or-later
/* The launch audit: every rule over spec fixtures (tests/data/launch/), the
 * node config keys, exemptions, deny, events, and the per-pod host namespace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/launch.h"
#include "hardrun/nodeconf.h"
#include "hardrun/state.h"
#include "testutil.h"

static struct json *_spec(const char *name)
{
	char rel[256];
	size_t len;
	struct json *j = NULL;
	(void)snprintf(rel, sizeof(rel), "launch/%s", name);
	char *text = test_read(rel, &len);
	ck_assert_int_eq(json_parse(text, len, &j, NULL), 0);
	free(text);
	return j;
}

#define R(x) (1u << (x))

/* fixture -> the rules it trips, and a piece of each one's evidence */
static const struct {
	const char *fixture;
	unsigned rules;
	const char *evidence[LAUNCH__COUNT];
} cases[] = {
	{ "plain.json", 0, { NULL } },
	{ "ambient-root.json", 0, { NULL } },
	{ "privileged.json",
	  R(LAUNCH_PRIVILEGED) | R(LAUNCH_SENSITIVE_MOUNT) | R(LAUNCH_SENSITIVE_DEVICE),
	  { [LAUNCH_PRIVILEGED] = "capabilities: all 41; no seccomp; no LSM profile; /sys "
				  "writable; no masked paths",
	    [LAUNCH_SENSITIVE_MOUNT] = "proc on /proc (rw); sysfs on /sys (rw)",
	    [LAUNCH_SENSITIVE_DEVICE] = "device cgroup allows every device; block device "
					"/dev/sda (8:0); /dev/mem (1:1)" } },
	{ "sys-admin.json",
	  R(LAUNCH_PRIVILEGED),
	  { [LAUNCH_PRIVILEGED] = "capabilities: CAP_SYS_ADMIN" } },
	{ "no-caps.json",
	  R(LAUNCH_PRIVILEGED),
	  { [LAUNCH_PRIVILEGED] = "capabilities: all (process.capabilities absent)" } },
	{ "sensitive-mount.json",
	  R(LAUNCH_SENSITIVE_MOUNT),
	  { [LAUNCH_SENSITIVE_MOUNT] =
		    "/ on /host (ro); /var/run/docker.sock on /var/run/docker.sock (rw); /var on "
		    "/v (rw, holds /var/lib/kubelet); /proc on /hp (rw)" } },
	{ "proc-writable.json",
	  R(LAUNCH_SENSITIVE_MOUNT),
	  { [LAUNCH_SENSITIVE_MOUNT] = "proc on /proc (rw)" } },
	{ "hostnet-sandbox.json",
	  R(LAUNCH_HOST_NAMESPACE),
	  { [LAUNCH_HOST_NAMESPACE] = "network,uts" } },
	{ "hostnet-container.json",
	  R(LAUNCH_HOST_NAMESPACE),
	  { [LAUNCH_HOST_NAMESPACE] = "network,uts" } },
	{ "hostpid-path.json", R(LAUNCH_HOST_NAMESPACE), { [LAUNCH_HOST_NAMESPACE] = "pid" } },
	{ "devices.json",
	  R(LAUNCH_SENSITIVE_DEVICE),
	  { [LAUNCH_SENSITIVE_DEVICE] = "/dev/kmem (1:2); block device /dev/nvme0n1 (259:0); bind "
					"of /dev/port" } },
	{ "sysctl.json",
	  R(LAUNCH_UNSAFE_SYSCTL),
	  { [LAUNCH_UNSAFE_SYSCTL] = "kernel.msgmax=65536; net.core.somaxconn=1024" } },
	{ "ambient.json",
	  R(LAUNCH_AMBIENT_CAPS),
	  { [LAUNCH_AMBIENT_CAPS] = "CAP_NET_BIND_SERVICE; CAP_NET_RAW" } },
};

START_TEST(test_rules)
{
	_cleanup_json_ struct json *spec = _spec(cases[_i].fixture);
	struct launch_config c;
	struct launch_finding f[LAUNCH__COUNT];
	launch_conf_defaults(&c);
	size_t n = launch_evaluate(spec, launch_conf_mounts_of(&c), 0, f);
	unsigned got = 0;
	for (size_t i = 0; i < n; i++) {
		got |= R(f[i].rule);
		const char *want = cases[_i].evidence[f[i].rule];
		ck_assert_msg(want && strcmp(f[i].evidence, want) == 0, "%s: %s: evidence \"%s\"",
			      cases[_i].fixture, launch_rules[f[i].rule].name, f[i].evidence);
	}
	ck_assert_msg(got == cases[_i].rules, "%s: rules %#x, want %#x", cases[_i].fixture, got,
		      cases[_i].rules);
	launch_conf_release(&c);
}
END_TEST

/* Thousands of mounts make one bounded line. */
START_TEST(test_evidence_bounded)
{
	_cleanup_json_ struct json *spec = _spec("plain.json");
	struct json *mounts = json_get(spec, "mounts");
	for (int i = 0; i < 2000; i++) {
		struct json *m = json_new_object();
		ck_assert_int_eq(json_obj_set(m, "destination", json_new_string("/x")), 0);
		ck_assert_int_eq(json_obj_set(m, "type", json_new_string("bind")), 0);
		ck_assert_int_eq(json_obj_set(m, "source", json_new_string("/etc")), 0);
		ck_assert_int_eq(json_arr_append(mounts, m), 0);
	}
	struct launch_config c;
	struct launch_finding f[LAUNCH__COUNT];
	launch_conf_defaults(&c);
	ck_assert_int_eq(launch_evaluate(spec, launch_conf_mounts_of(&c), 0, f), 1);
	ck_assert_int_lt(strlen(f[0].evidence), LAUNCH_EVIDENCE_MAX);
	ck_assert_str_eq(f[0].evidence + strlen(f[0].evidence) - 3, "...");
}
END_TEST

/* "All" is what the node can give: a privileged container of a runtime
 * without CAP_CHECKPOINT_RESTORE has all of it. */
START_TEST(test_privileged_node_caps)
{
	_cleanup_json_ struct json *spec = _spec("privileged.json");
	const char *sets[] = { "bounding", "effective", "permitted" };
	for (size_t i = 0; i < 3; i++) {
		struct json *set = json_get_path(spec, "process.capabilities");
		set = json_get(set, sets[i]);
		ck_assert_str_eq(json_string(set->items[set->n - 1]), "CAP_CHECKPOINT_RESTORE");
		json_arr_remove(set, set->n - 1);
	}
	struct launch_finding f[LAUNCH__COUNT];
	uint64_t node = ((1ull << 41) - 1) & ~(1ull << 40);
	ck_assert_uint_ge(launch_evaluate(spec, NULL, node, f), 1);
	ck_assert_int_eq(f[0].rule, LAUNCH_PRIVILEGED);
	ck_assert(strncmp(f[0].evidence, "capabilities: all 40;", 21) == 0);
	/* judged against every capability, it is CAP_SYS_ADMIN */
	ck_assert_uint_ge(launch_evaluate(spec, NULL, 0, f), 1);
	ck_assert(strncmp(f[0].evidence, "capabilities: CAP_SYS_ADMIN;", 28) == 0);
}
END_TEST

/* ---- node config ---- */

START_TEST(test_config)
{
	const char *text = "{\"launchPolicy\":{\"launch_privileged\":\"deny\","
			   "\"launch_ambient_caps\":\"off\"},"
			   "\"launchExempt\":[{\"namespace\":\"kube-system\",\"pod\":\"calico-*\","
			   "\"rules\":[\"launch_privileged\"]},{\"image\":\"quay.io/x/*\"}],"
			   "\"launchSensitiveMounts\":[\"/srv\",\"rw:/proc\"]}";
	struct node_config nc;
	struct err e = { 0 };
	ck_assert_msg(nodeconf_parse(text, strlen(text), &nc, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(nc.launch.action[LAUNCH_PRIVILEGED], ACTION_DENY);
	ck_assert_int_eq(nc.launch.action[LAUNCH_AMBIENT_CAPS], ACTION_OFF);
	ck_assert_int_eq(nc.launch.action[LAUNCH_SENSITIVE_MOUNT], ACTION_ALERT);
	ck_assert_str_eq(launch_conf_mounts_of(&nc.launch)[0], "/srv");
	ck_assert_ptr_null(launch_conf_mounts_of(&nc.launch)[2]);
	ck_assert_int_eq(nc.launch.n_exempt, 2);
	ck_assert(nc.launch.exempt[0].rules[LAUNCH_PRIVILEGED]);
	ck_assert(!nc.launch.exempt[0].rules[LAUNCH_HOST_NAMESPACE]);
	ck_assert(nc.launch.exempt[1].rules[LAUNCH_HOST_NAMESPACE]);
	nodeconf_release(&nc);

	/* defaults: every rule alerts, the list of mounts */
	ck_assert_int_eq(nodeconf_parse("{}", 2, &nc, NULL), 0);
	for (unsigned r = 0; r < LAUNCH__COUNT; r++)
		ck_assert_int_eq(nc.launch.action[r], ACTION_ALERT);
	ck_assert_str_eq(launch_conf_mounts_of(&nc.launch)[0], "/");
	nodeconf_release(&nc);
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad[] = {
	{ "{\"launchPolicy\":{\"launch_privileged\":\"kill\"}}",
	  "launchPolicy.launch_privileged: must be \"alert\", \"deny\" or \"off\"" },
	{ "{\"launchPolicy\":{\"launch_privileged\":1}}",
	  "launchPolicy.launch_privileged: must be \"alert\", \"deny\" or \"off\"" },
	{ "{\"launchPolicy\":{\"privileged\":\"deny\"}}",
	  "launchPolicy: unknown rule \"privileged\"" },
	{ "{\"launchPolicy\":[\"launch_privileged\"]}", "launchPolicy: must be an object" },
	{ "{\"launchExempt\":{}}", "launchExempt: must be an array of objects" },
	{ "{\"launchExempt\":[{}]}", "launchExempt[0]: needs a namespace, pod or image pattern" },
	{ "{\"launchExempt\":[{\"namespace\":\"a\"},{\"ns\":\"b\"}]}",
	  "launchExempt[1]: unknown key \"ns\"" },
	{ "{\"launchExempt\":[{\"pod\":\"\"}]}", "launchExempt[0].pod: must be a pattern" },
	{ "{\"launchExempt\":[{\"image\":\"a b\"}]}", "launchExempt[0].image: must be a pattern" },
	{ "{\"launchExempt\":[{\"pod\":\"a\",\"pod\":\"b\"}]}",
	  "launchExempt[0].pod: given twice" },
	{ "{\"launchExempt\":[{\"pod\":\"a\",\"rules\":[]}]}",
	  "launchExempt[0].rules: must be a non-empty array" },
	{ "{\"launchExempt\":[{\"pod\":\"a\",\"rules\":[\"launch_x\"]}]}",
	  "launchExempt[0].rules[0]: unknown rule \"launch_x\"" },
	{ "{\"launchSensitiveMounts\":[\"etc\"]}",
	  "launchSensitiveMounts[0]: must be an absolute path" },
	{ "{\"launchSensitiveMounts\":[\"/a\",\"rw:proc\"]}",
	  "launchSensitiveMounts[1]: must be an absolute path" },
	{ "{\"launchSensitiveMounts\":\"/etc\"}", "launchSensitiveMounts: must be an array" },
};

START_TEST(test_config_bad)
{
	struct node_config nc;
	struct err e = { 0 };
	ck_assert_int_eq(nodeconf_parse(bad[_i].text, strlen(bad[_i].text), &nc, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, bad[_i].msg), "%s: got \"%s\"", bad[_i].text, e.msg);
}
END_TEST

/* ---- the audit: events, deny, exemptions, the pod's host namespaces ---- */

struct _env {
	char dir[64];
	char events[128];
	struct node_config nc;
};

static void _env_init(struct _env *x, const char *extra)
{
	_cleanup_free_ char *text = NULL;
	struct err e = { 0 };
	strcpy(x->dir, "/tmp/check_launch.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(x->dir));
	(void)snprintf(x->events, sizeof(x->events), "%s/log/events.jsonl", x->dir);
	ck_assert(asprintf(&text, "{\"stateDir\":\"%s/state\",\"eventsFile\":\"%s\"%s%s}", x->dir,
			   x->events, extra ? "," : "", extra ? extra : "") > 0);
	ck_assert_msg(nodeconf_parse(text, strlen(text), &x->nc, &e) == 0, "%s", e.msg);
}

static void _env_done(struct _env *x)
{
	nodeconf_release(&x->nc);
	(void)fs_rm_rf(x->dir, NULL);
}

static int _audit(struct _env *x, const char *fixture, const char *id, const char *profile,
		  struct err *e)
{
	_cleanup_json_ struct json *spec = _spec(fixture);
	_cleanup_free_ char *warning = NULL;
	const struct launch_target t = { spec, id, "/run/containerd/runc/k8s.io", profile };
	int r = launch_audit(&t, &x->nc, &warning, e);
	ck_assert_msg(!warning, "%s", warning);
	return r;
}

/* The events written so far, one JSON object each (NULL-terminated). */
static size_t _events(struct _env *x, struct json **ret, size_t max)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0, n = 0;
	if (fs_read_file(x->events, 1 << 20, &text, &len, NULL) < 0)
		return 0;
	for (char *line = text, *nl; n < max && (nl = strchr(line, '\n')); line = nl + 1) {
		ck_assert_int_eq(json_parse(line, (size_t)(nl - line), &ret[n], NULL), 0);
		n++;
	}
	return n;
}

static void _free_events(struct json **ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_free(ev[i]);
}

static const char *_field(const struct json *ev, const char *k)
{
	return json_string(json_get(json_get(ev, "output_fields"), k));
}

START_TEST(test_audit_event)
{
	struct _env x;
	struct json *ev[8];
	struct err e = { 0 };
	_env_init(&x, NULL);
	ck_assert_int_eq(_audit(&x, "plain.json", "c-plain", NULL, &e), 0);
	ck_assert_int_eq(access(x.events, F_OK), -1); /* nothing found: nothing written */
	ck_assert_int_eq(_audit(&x, "privileged.json", "c-priv", NULL, &e), 0);
	size_t n = _events(&x, ev, 8);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(json_string(json_get(ev[0], "rule")), "Launch Privileged Container");
	ck_assert_str_eq(json_string(json_get(ev[0], "priority")), "Critical");
	ck_assert_str_eq(json_string(json_get(ev[0], "source")), "hardrun");
	ck_assert_str_eq(_field(ev[0], "hardrun.rule_id"), "launch_privileged");
	ck_assert_str_eq(_field(ev[0], "hardrun.action"), "alert");
	ck_assert_str_eq(_field(ev[0], "container.id"), "c-priv");
	ck_assert_str_eq(_field(ev[0], "container.name"), "app");
	ck_assert_str_eq(_field(ev[0], "container.image"), "docker.io/library/busybox:latest");
	ck_assert_str_eq(_field(ev[0], "k8s.ns.name"), "team-a");
	ck_assert_str_eq(_field(ev[0], "k8s.pod.name"), "web-7d9f4");
	ck_assert_str_eq(_field(ev[0], "k8s.pod.uid"), "0b1c2d3e-aaaa-bbbb-cccc-1234567890ab");
	ck_assert(strstr(_field(ev[0], "hardrun.evidence"), "capabilities: all"));
	ck_assert(
		json_is(json_get(json_get(ev[0], "output_fields"), "hardrun.profile"), JSON_NULL));
	ck_assert(strstr(json_string(json_get(ev[0], "output")), "k8s.pod.name=web-7d9f4"));
	ck_assert_str_eq(_field(ev[1], "hardrun.rule_id"), "launch_sensitive_mount");
	ck_assert_str_eq(_field(ev[2], "hardrun.rule_id"), "launch_sensitive_device");
	_free_events(ev, n);
	_env_done(&x);
}
END_TEST

/* CRI-O's keys give the same identity. */
START_TEST(test_audit_crio)
{
	struct _env x;
	struct json *ev[8];
	struct err e = { 0 };
	_env_init(&x, "\"launchPolicy\":{\"launch_sensitive_mount\":\"off\","
		      "\"launch_sensitive_device\":\"off\"}");
	ck_assert_int_eq(_audit(&x, "crio-privileged.json", "c1", "baseline", &e), 0);
	size_t n = _events(&x, ev, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(_field(ev[0], "k8s.ns.name"), "kube-system");
	ck_assert_str_eq(_field(ev[0], "k8s.pod.name"), "calico-node-x7k2p");
	ck_assert_str_eq(_field(ev[0], "k8s.pod.uid"), "9a8b7c6d-0000-1111-2222-333344445555");
	ck_assert_str_eq(_field(ev[0], "container.name"), "calico-node");
	ck_assert_str_eq(_field(ev[0], "container.image"), "quay.io/calico/node:v3.27.0");
	ck_assert_str_eq(_field(ev[0], "hardrun.profile"), "baseline");
	_free_events(ev, n);
	_env_done(&x);
}
END_TEST

START_TEST(test_audit_deny)
{
	struct _env x;
	struct json *ev[8];
	struct err e = { 0 };
	_env_init(&x, "\"launchPolicy\":{\"launch_privileged\":\"deny\"}");
	ck_assert_int_eq(_audit(&x, "sys-admin.json", "c1", NULL, &e), -EPERM);
	ck_assert_str_eq(e.msg, "launch_privileged: capabilities: CAP_SYS_ADMIN (denied by the "
				"node's launchPolicy)");
	size_t n = _events(&x, ev, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(_field(ev[0], "hardrun.action"), "deny");
	_free_events(ev, n);
	/* a rule that alerts does not fail */
	err_clear(&e);
	ck_assert_int_eq(_audit(&x, "sysctl.json", "c2", NULL, &e), 0);
	_env_done(&x);
}
END_TEST

/* exemption entries: which match the fixture privileged.json (team-a /
 * web-7d9f4 / docker.io/library/busybox:latest) for launch_privileged */
static const struct {
	const char *exempt;
	bool exempted;
} exempts[] = {
	{ "{\"namespace\":\"team-a\"}", true },
	{ "{\"namespace\":\"team-*\",\"pod\":\"web-*\"}", true },
	{ "{\"namespace\":\"team-a\",\"pod\":\"db-*\"}", false },
	{ "{\"image\":\"docker.io/library/busybox:*\"}", true },
	{ "{\"image\":\"docker.io/library/nginx:*\"}", false },
	{ "{\"namespace\":\"team-a\",\"rules\":[\"launch_host_namespace\"]}", false },
	{ "{\"namespace\":\"team-a\",\"rules\":[\"launch_privileged\"]}", true },
	{ "{\"namespace\":\"*\"}", true },
};

START_TEST(test_audit_exempt)
{
	struct _env x;
	struct json *ev[8];
	struct err e = { 0 };
	_cleanup_free_ char *extra = NULL;
	ck_assert(asprintf(&extra,
			   "\"launchPolicy\":{\"launch_privileged\":\"deny\",\"launch_sensitive_"
			   "mount\":\"off\",\"launch_sensitive_device\":\"off\"},"
			   "\"launchExempt\":[%s]",
			   exempts[_i].exempt) > 0);
	_env_init(&x, extra);
	int r = _audit(&x, "privileged.json", "c1", NULL, &e);
	ck_assert_int_eq(r, exempts[_i].exempted ? 0 : -EPERM);
	size_t n = _events(&x, ev, 8);
	ck_assert_int_eq(n, exempts[_i].exempted ? 0 : 1);
	_free_events(ev, n);
	_env_done(&x);
}
END_TEST

/* A pattern never matches what the container does not have: a bundle
 * without CRI annotations is not exempted by namespace "*". */
START_TEST(test_audit_exempt_needs_identity)
{
	struct _env x;
	struct err e = { 0 };
	_env_init(&x, "\"launchPolicy\":{\"launch_privileged\":\"deny\"},"
		      "\"launchExempt\":[{\"namespace\":\"*\"}]");
	_cleanup_json_ struct json *spec = _spec("sys-admin.json");
	json_obj_del(spec, "annotations");
	/* annotations never exempt: a made-up one changes nothing either */
	struct json *a = json_obj_ensure_object(spec, "annotations");
	ck_assert_int_eq(json_obj_set(a, "launch.hardrun.io/exempt", json_new_string("true")), 0);
	const struct launch_target t = { spec, "c1", "/run/x", NULL };
	ck_assert_int_eq(launch_audit(&t, &x.nc, NULL, &e), -EPERM);
	_env_done(&x);
}
END_TEST

/* A host-network pod: the sandbox reports network,uts once; its containers
 * do not, unless they show more, or belong to another pod. */
START_TEST(test_audit_pod_once)
{
	struct _env x;
	struct json *ev[8];
	struct err e = { 0 };
	const char *sandbox = "c24b5e086430ec6609161dbfccb2a8992c852b774127c08b7d249085b075e7c3";
	_env_init(&x, NULL);
	/* a container before its sandbox was seen: reported on the container */
	ck_assert_int_eq(_audit(&x, "hostnet-container.json", "app-0", NULL, &e), 0);
	ck_assert_int_eq(_audit(&x, "hostnet-sandbox.json", sandbox, NULL, &e), 0);
	ck_assert_int_eq(_audit(&x, "hostnet-container.json", "app-1", NULL, &e), 0);
	ck_assert_int_eq(_audit(&x, "hostnet-container.json", "app-2", NULL, &e), 0);
	size_t n = _events(&x, ev, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(_field(ev[0], "container.id"), "app-0");
	ck_assert_str_eq(_field(ev[1], "container.id"), sandbox);
	ck_assert_str_eq(_field(ev[1], "hardrun.evidence"), "network,uts");
	ck_assert_str_eq(_field(ev[1], "k8s.pod.name"), "web-7d9f4");
	ck_assert(json_is(json_get(json_get(ev[1], "output_fields"), "container.name"), JSON_NULL));
	_free_events(ev, n);

	/* another pod's container claiming this sandbox (other uid): reported */
	_cleanup_json_ struct json *spec = _spec("hostnet-container.json");
	struct json *a = json_get(spec, "annotations");
	ck_assert_int_eq(json_obj_set(a, "io.kubernetes.cri.sandbox-uid", json_new_string("x")), 0);
	const struct launch_target t = { spec, "other", "/run/containerd/runc/k8s.io", NULL };
	ck_assert_int_eq(launch_audit(&t, &x.nc, NULL, &e), 0);
	/* a container with host pid besides: pid reported, network,uts not */
	struct json *ns = json_get_path(spec, "linux.namespaces");
	json_arr_remove(ns, 0);
	ck_assert_int_eq(json_obj_set(a, "io.kubernetes.cri.sandbox-uid",
				      json_new_string("0b1c2d3e-aaaa-bbbb-cccc-1234567890ab")),
			 0);
	const struct launch_target t2 = { spec, "app-3", "/run/containerd/runc/k8s.io", NULL };
	ck_assert_int_eq(launch_audit(&t2, &x.nc, NULL, &e), 0);
	n = _events(&x, ev, 8);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(_field(ev[2], "container.id"), "other");
	ck_assert_str_eq(_field(ev[2], "hardrun.evidence"), "network,uts");
	ck_assert_str_eq(_field(ev[3], "container.id"), "app-3");
	ck_assert_str_eq(_field(ev[3], "hardrun.evidence"), "pid");
	_free_events(ev, n);

	/* the sandbox deleted: its containers report again */
	_cleanup_free_ char *dir = NULL;
	ck_assert_int_eq(
		state_dir_path(x.nc.state_dir, "/run/containerd/runc/k8s.io", sandbox, &dir, NULL),
		0);
	launch_audit_forget(dir);
	ck_assert_int_eq(_audit(&x, "hostnet-container.json", "app-4", NULL, &e), 0);
	n = _events(&x, ev, 8);
	ck_assert_int_eq(n, 5);
	_free_events(ev, n);
	_env_done(&x);
}
END_TEST

/* An eventsFile that cannot be written: a warning, the create goes on;
 * a deny still denies. */
START_TEST(test_audit_events_unwritable)
{
	struct _env x;
	struct err e = { 0 };
	_cleanup_free_ char *warning = NULL;
	_env_init(&x, "\"launchPolicy\":{\"launch_privileged\":\"deny\"}");
	ck_assert_int_eq(fs_mkdir_p(x.events, 0755, NULL), 0); /* a directory */
	_cleanup_json_ struct json *spec = _spec("sysctl.json");
	const struct launch_target t = { spec, "c1", "/run/x", NULL };
	ck_assert_int_eq(launch_audit(&t, &x.nc, &warning, &e), 0);
	ck_assert_ptr_nonnull(warning);
	ck_assert(strstr(warning, "launch audit: event not written"));
	_cleanup_json_ struct json *priv = _spec("sys-admin.json");
	const struct launch_target t2 = { priv, "c2", "/run/x", NULL };
	ck_assert_int_eq(launch_audit(&t2, &x.nc, NULL, &e), -EPERM);
	_env_done(&x);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("launch");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_rules, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_evidence_bounded);
	tcase_add_test(tc, test_privileged_node_caps);
	tcase_add_test(tc, test_config);
	tcase_add_loop_test(tc, test_config_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_audit_event);
	tcase_add_test(tc, test_audit_crio);
	tcase_add_test(tc, test_audit_deny);
	tcase_add_loop_test(tc, test_audit_exempt, 0, sizeof(exempts) / sizeof(exempts[0]));
	tcase_add_test(tc, test_audit_exempt_needs_identity);
	tcase_add_test(tc, test_audit_pod_once);
	tcase_add_test(tc, test_audit_events_unwritable);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
