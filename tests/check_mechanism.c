// SPDX-License-Identifier: GPL-2.0-or-later
/* The monitor's mechanism (notify / ptrace): resolution, the runtime's
 * features, the SCMP_ACT_TRACE filter, the keys and a seccomp stop as a call. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/engine.h"
#include "hardrun/filter.h"
#include "hardrun/fsutil.h"
#include "hardrun/monitor_int.h"
#include "hardrun/profile.h"
#include "testutil.h"

#define A MONITOR_MECH_AUTO
#define N MONITOR_MECH_NOTIFY
#define P MONITOR_MECH_PTRACE

/* profile key, node key, runtime notify (-1: not probed), mode -> result (-1: error) */
static const struct {
	const char *profile;
	enum monitor_mechanism node;
	int runtime_notify;
	enum hr_mode mode;
	int want;
} _resolve_cases[] = {
	{ NULL, A, 1, MODE_ENFORCE, N },      { NULL, A, 0, MODE_ENFORCE, P },
	{ "notify", A, 1, MODE_AUDIT, N },    { "notify", A, 0, MODE_ENFORCE, P },
	{ "ptrace", A, -1, MODE_ENFORCE, P }, { "ptrace", N, -1, MODE_AUDIT, P },
	{ NULL, N, -1, MODE_ENFORCE, N },     { NULL, N, 0, MODE_ENFORCE, N },
	{ NULL, P, -1, MODE_ENFORCE, P },     { "notify", P, 1, MODE_ENFORCE, P },
	{ NULL, A, 1, MODE_LEARN, N },	      { NULL, N, -1, MODE_LEARN, N },
	{ NULL, A, 0, MODE_LEARN, -1 },	      { NULL, P, -1, MODE_LEARN, -1 },
	{ "ptrace", A, 1, MODE_LEARN, -1 },   { "bogus", A, 1, MODE_ENFORCE, -1 },
};

START_TEST(test_resolve)
{
	enum monitor_mechanism m = A;
	struct err e = { 0 };
	int r = monitor_mechanism_resolve(_resolve_cases[_i].profile, _resolve_cases[_i].node,
					  _resolve_cases[_i].runtime_notify,
					  _resolve_cases[_i].mode, &m, &e);
	if (_resolve_cases[_i].want < 0) {
		ck_assert_int_lt(r, 0);
		ck_assert_msg(_resolve_cases[_i].mode != MODE_LEARN ||
				      strstr(e.msg, "learn mode needs the notify mechanism"),
			      "%s", e.msg);
	} else {
		ck_assert_msg(r == 0, "case %d: %s", _i, e.msg);
		ck_assert_int_eq(m, _resolve_cases[_i].want);
	}
}
END_TEST

START_TEST(test_features_parse)
{
	size_t len;
	char *real = test_read("monitor/runc-1.1.5-features.json", &len);
	ck_assert_int_eq(monitor_features_notify(real, len), 1);
	/* the same without SCMP_ACT_NOTIFY */
	char *p = strstr(real, "\"SCMP_ACT_NOTIFY\",");
	ck_assert_ptr_nonnull(p);
	memmove(p, p + strlen("\"SCMP_ACT_NOTIFY\","),
		strlen(p + strlen("\"SCMP_ACT_NOTIFY\",")) + 1);
	ck_assert_int_eq(monitor_features_notify(real, strlen(real)), 0);
	free(real);
	static const char *const no[] = {
		"",
		"not json",
		"{}",
		"{\"linux\":{}}",
		"{\"linux\":{\"seccomp\":{\"enabled\":true}}}",
		"{\"linux\":{\"seccomp\":{\"actions\":\"SCMP_ACT_NOTIFY\"}}}",
		"{\"linux\":{\"seccomp\":{\"actions\":[1,\"SCMP_ACT_ALLOW\"]}}}",
		NULL,
	};
	for (size_t i = 0; no[i]; i++)
		ck_assert_msg(monitor_features_notify(no[i], strlen(no[i])) == 0, "%s", no[i]);
	const char *yes = "{\"linux\":{\"seccomp\":{\"actions\":[\"SCMP_ACT_NOTIFY\"]}}}";
	ck_assert_int_eq(monitor_features_notify(yes, strlen(yes)), 1);
}
END_TEST

/* A fake runtime that counts its `features` runs in <dir>/count. */
static void _fake_runtime(const char *dir, const char *path, bool notify)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"#!/bin/sh\n[ \"$1\" = features ] || exit 3\necho x >> %s/count\n"
		"echo '{\"linux\":{\"seccomp\":{\"actions\":[\"SCMP_ACT_ALLOW\"%s]}}}'\n",
		dir, notify ? ",\"SCMP_ACT_NOTIFY\"" : "");
	fclose(f);
	ck_assert_int_eq(chmod(path, 0755), 0);
}

static int _runs(const char *dir)
{
	char path[512], buf[256] = "";
	(void)snprintf(path, sizeof(path), "%s/count", dir);
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	int lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += buf[i] == '\n';
	return lines;
}

START_TEST(test_runtime_probe_cached)
{
	char t[] = "/tmp/hr-mech.XXXXXX", rt[512], state[512];
	struct err e = { 0 };
	ck_assert_ptr_nonnull(mkdtemp(t));
	(void)snprintf(rt, sizeof(rt), "%s/runtime", t);
	(void)snprintf(state, sizeof(state), "%s/state", t);
	_fake_runtime(t, rt, false);
	ck_assert_int_eq(monitor_runtime_notify(rt, state, &e), 0);
	ck_assert_int_eq(monitor_runtime_notify(rt, state, &e), 0);
	ck_assert_int_eq(_runs(t), 1); /* the second answer came from the cache */
	/* a new binary (size and mtime change): probed again */
	_fake_runtime(t, rt, true);
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 1000, 0 } };
	ck_assert_int_eq(utimensat(AT_FDCWD, rt, ts, 0), 0);
	ck_assert_int_eq(monitor_runtime_notify(rt, state, &e), 1);
	ck_assert_int_eq(monitor_runtime_notify(rt, state, &e), 1);
	ck_assert_int_eq(_runs(t), 2);
	/* a runtime without `features` (exit status 3): no notify */
	FILE *f = fopen(rt, "we");
	fprintf(f, "#!/bin/sh\nexit 3\n");
	fclose(f);
	ck_assert_int_eq(monitor_runtime_notify(rt, state, &e), 0);
	/* a missing runtime is an error naming it */
	(void)snprintf(rt, sizeof(rt), "%s/missing", t);
	ck_assert_int_lt(monitor_runtime_notify(rt, state, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "missing"));
	ck_assert_int_eq(fs_rm_rf(t, NULL), 0);
}
END_TEST

static struct profile *_profile(const char *text)
{
	_cleanup_json_ struct json *j = NULL;
	struct profile *p = NULL;
	struct err e = { 0 };
	ck_assert_msg(json_parse(text, strlen(text), &j, &e) == 0, "%s", e.msg);
	ck_assert_msg(profile_parse(j, &p, &e) == 0, "%s", e.msg);
	return p;
}

/* The spec after engine_apply + monitor_prepare for mechanism mech (own:
 * the bundle's own linux.seccomp). */
/* The kernel the tests render for: Linux 6.1 on x86_64 without x32; ia32 as
 * given.  Never this host: a golden file must not depend on it. */
static struct filter_env _kernel(bool ia32)
{
	return (struct filter_env){ SCMP_ARCH_X86_64, 6, 1, systab_linux61, true, !ia32 };
}

static struct json *_render_env(const struct profile *p, enum hr_mode mode,
				enum monitor_mechanism mech, const struct json *own,
				const struct filter_env *env, int *ret)
{
	const char *base = "{\"process\":{\"args\":[\"sh\"]},\"linux\":{}}";
	struct json *spec = NULL;
	struct err e = { 0 };
	struct policy pol = { .mode = mode, .monitor = true };
	ck_assert_int_eq(json_parse(base, strlen(base), &spec, &e), 0);
	ck_assert_msg(engine_apply(spec, p, env, &e) == 0, "%s", e.msg);
	*ret = monitor_prepare(spec, &pol, p, mech, own, "/run/hr/x/monitor.sock", NULL, &e);
	return spec;
}

static struct json *_render_own(const struct profile *p, enum hr_mode mode,
				enum monitor_mechanism mech, const struct json *own, int *ret)
{
	struct filter_env env = _kernel(false);
	return _render_env(p, mode, mech, own, &env, ret);
}

static struct json *_render(const struct profile *p, enum hr_mode mode, enum monitor_mechanism mech,
			    int *ret)
{
	return _render_own(p, mode, mech, NULL, ret);
}

static char *_dump(const struct json *j)
{
	char *s = NULL;
	ck_assert_int_eq(json_dump(j, true, &s, NULL, NULL), 0);
	return s;
}

START_TEST(test_trace_filter)
{
	struct profile *p = _profile(
		"{\"hardrun\":1,\"name\":\"t\",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		"\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":["
		"{\"names\":[\"read\",\"write\",\"execve\",\"socket\",\"mount\",\"exit_group\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]},\"monitor\":{\"mechanism\":\"ptrace\"}}");
	int r;
	_cleanup_json_ struct json *n = _render(p, MODE_ENFORCE, MONITOR_MECH_NOTIFY, &r);
	ck_assert_int_eq(r, 0);
	_cleanup_json_ struct json *t = _render(p, MODE_ENFORCE, MONITOR_MECH_PTRACE, &r);
	ck_assert_int_eq(r, 0);
	struct json *nsc = json_get_path(n, "linux.seccomp"),
		    *tsc = json_get_path(t, "linux.seccomp");
	ck_assert_ptr_nonnull(json_get(nsc, "listenerPath"));
	ck_assert_ptr_null(json_get(tsc, "listenerPath"));
	ck_assert_ptr_null(json_get(tsc, "listenerMetadata"));
	/* exactly the notify filter with TRACE for NOTIFY, rule by rule */
	unsigned notify = 0;
	json_foreach (i, json_get(nsc, "syscalls")) {
		struct json *rn = json_get(nsc, "syscalls")->items[i];
		const struct json *rt = json_get(tsc, "syscalls")->items[i];
		const char *an = json_string(json_get(rn, "action"));
		const char *at = json_string(json_get(rt, "action"));
		ck_assert_str_ne(at, "SCMP_ACT_NOTIFY");
		if (strcmp(an, "SCMP_ACT_NOTIFY") == 0) {
			ck_assert_str_eq(at, "SCMP_ACT_TRACE");
			ck_assert_int_eq(json_obj_set(rn, "action", json_new_string(at)), 0);
			notify++;
		}
	}
	ck_assert_uint_eq(json_get(nsc, "syscalls")->n, json_get(tsc, "syscalls")->n);
	ck_assert_uint_gt(notify, 3); /* execve, socket x3, mount, denials */
	(void)json_obj_del(nsc, "listenerPath");
	(void)json_obj_del(nsc, "listenerMetadata");
	char *a = _dump(nsc), *b = _dump(tsc);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	/* libseccomp takes it (what runc does with it) */
	void *ctx = NULL;
	struct err e = { 0 };
	ck_assert_msg(filter_compile(tsc, &ctx, &e) == 0, "%s", e.msg);
	seccomp_release(ctx);
	/* the bundle's own denials hold under ptrace too, and nothing is left to notify */
	const char *own_text =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
		"[\"mkdir\",\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}";
	_cleanup_json_ struct json *own = NULL;
	ck_assert_int_eq(json_parse(own_text, strlen(own_text), &own, &e), 0);
	_cleanup_json_ struct json *o = _render_own(p, MODE_ENFORCE, MONITOR_MECH_PTRACE, own, &r);
	ck_assert_int_eq(r, 0);
	char *od = _dump(json_get_path(o, "linux.seccomp"));
	ck_assert_ptr_null(strstr(od, "SCMP_ACT_NOTIFY"));
	ck_assert_ptr_nonnull(strstr(od, "SCMP_ACT_TRACE"));
	bool mkdir_denied = false;
	json_foreach (i, json_get_path(o, "linux.seccomp.syscalls")) {
		const struct json *rule = json_get_path(o, "linux.seccomp.syscalls")->items[i];
		bool mkdir = false;
		int64_t er = 0;
		json_foreach (k, json_get(rule, "names"))
			mkdir |= strcmp(json_string(json_get(rule, "names")->items[k]), "mkdir") ==
				 0;
		if (mkdir) { /* the profile denies it too: the bundle's errno, not a report */
			ck_assert_str_eq(json_string(json_get(rule, "action")), "SCMP_ACT_ERRNO");
			ck_assert_int_eq(json_to_int64(json_get(rule, "errnoRet"), &er), 0);
			ck_assert_int_eq(er, 13);
			mkdir_denied = true;
		}
	}
	ck_assert(mkdir_denied);
	free(od);
	/* learn mode is notify-only */
	_cleanup_json_ struct json *l = _render(p, MODE_LEARN, MONITOR_MECH_PTRACE, &r);
	ck_assert_int_eq(r, -EOPNOTSUPP);
	profile_free(p);
}
END_TEST

/* baseline under ptrace, for a kernel without and with 32-bit x86 (_i). */
START_TEST(test_trace_golden)
{
	static const char *const golden[] = { "monitor/baseline.ptrace.golden.json",
					      "monitor/baseline.ptrace.ia32.golden.json" };
	struct profile *p = NULL;
	struct err e = { 0 };
	struct filter_env env = _kernel(_i == 1);
	int r;
	ck_assert_msg(profile_load_file(test_data("../../profiles/baseline.json"), &p, &e) == 0,
		      "%s", e.msg);
	_cleanup_json_ struct json *t =
		_render_env(p, MODE_ENFORCE, MONITOR_MECH_PTRACE, NULL, &env, &r);
	ck_assert_int_eq(r, 0);
	char *got = _dump(json_get_path(t, "linux.seccomp"));
	test_assert_golden(test_data(golden[_i]), got);
	ck_assert_ptr_null(strstr(got, "SCMP_ACT_NOTIFY"));
	ck_assert((strstr(got, "SCMP_ARCH_X86\"") != NULL) == (_i == 1));
	free(got);
	profile_free(p);
}
END_TEST

START_TEST(test_keys)
{
	struct node_config nc;
	struct err e = { 0 };
	static const char *const ok[] = { "auto", "notify", "ptrace" };
	ck_assert_int_eq(nodeconf_parse("{}", 2, &nc, &e), 0);
	ck_assert_int_eq(nc.monitor_mechanism, MONITOR_MECH_AUTO);
	nodeconf_release(&nc);
	for (int i = 0; i < 3; i++) {
		char text[64];
		(void)snprintf(text, sizeof(text), "{\"monitorMechanism\":\"%s\"}", ok[i]);
		ck_assert_int_eq(nodeconf_parse(text, strlen(text), &nc, &e), 0);
		ck_assert_int_eq(nc.monitor_mechanism, i);
		ck_assert_str_eq(monitor_mechanism_name(nc.monitor_mechanism), ok[i]);
		nodeconf_release(&nc);
	}
	static const char *const bad[] = { "{\"monitorMechanism\":\"seccomp\"}",
					   "{\"monitorMechanism\":1}",
					   "{\"monitorMechanism\":null}", NULL };
	for (int i = 0; bad[i]; i++) {
		ck_assert_int_lt(nodeconf_parse(bad[i], strlen(bad[i]), &nc, &e), 0);
		ck_assert_msg(
			strstr(e.msg, "monitorMechanism: must be one of auto, notify, ptrace"),
			"%s", e.msg);
	}
	/* the profile key */
	static const char *const pbad[] = { "\"auto\"", "\"PTRACE\"", "true", NULL };
	for (int i = 0; pbad[i]; i++) {
		char text[256];
		_cleanup_json_ struct json *j = NULL;
		struct profile *p = NULL;
		(void)snprintf(text, sizeof(text),
			       "{\"hardrun\":1,\"name\":\"t\",\"monitor\":{\"mechanism\":%s}}",
			       pbad[i]);
		ck_assert_int_eq(json_parse(text, strlen(text), &j, &e), 0);
		ck_assert_int_lt(profile_parse(j, &p, &e), 0);
		ck_assert_msg(strstr(e.msg, "monitor.mechanism"), "%s", e.msg);
	}
	profile_free(
		_profile("{\"hardrun\":1,\"name\":\"t\",\"monitor\":{\"mechanism\":\"notify\"}}"));
}
END_TEST

START_TEST(test_call_from_info)
{
	struct __ptrace_syscall_info info;
	struct mon_call c;
	memset(&info, 0, sizeof(info));
	info.op = PTRACE_SYSCALL_INFO_SECCOMP;
	info.arch = AUDIT_ARCH_X86_64;
	info.instruction_pointer = 0x401000;
	info.seccomp.nr = 59;
	for (int i = 0; i < 6; i++)
		info.seccomp.args[i] = 0x1000u * (unsigned)(i + 1);
	info.seccomp.ret_data = 1;
	ck_assert_int_eq(tracer_call_from_info(&info, 4242, &c), 0);
	ck_assert_int_eq(c.pid, 4242);
	ck_assert_uint_eq(c.arch, SCMP_ARCH_X86_64);
	ck_assert_int_eq(c.nr, 59);
	ck_assert_uint_eq(c.ip, 0x401000);
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(c.args[i], 0x1000u * (unsigned)(i + 1));
	ck_assert_int_eq(c.notify_fd, -1); /* no notification id to validate */
	ck_assert_int_eq(c.mem_fd, -1);
	ck_assert_uint_eq(c.id, 0);
	ck_assert(!c.started);
	info.op = PTRACE_SYSCALL_INFO_ENTRY;
	ck_assert_int_eq(tracer_call_from_info(&info, 4242, &c), -EINVAL);
}
END_TEST

START_TEST(test_spec_roundtrip)
{
	char t[] = "/tmp/hr-mspec.XXXXXX";
	struct monitor_spec s = { 0 }, back;
	struct err e = { 0 };
	ck_assert_ptr_nonnull(mkdtemp(t));
	s.container_id = "c1";
	s.state_dir = t;
	s.socket_path = "/x/monitor.sock";
	s.mechanism = MONITOR_MECH_PTRACE;
	s.attach_pid = 31337;
	s.limits = MONITOR_LIMITS_DEFAULT;
	s.limits.event_rate = 7;
	s.limits.exec_log_max = 5ull << 30; /* wider than 32 bits */
	s.limits.lost = MONITOR_LOST_KILL;
	const char *sc =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		"\"value\":18446744073709551615,\"op\":\"SCMP_CMP_EQ\"}]}]}";
	const char *env = "[\"KUBERNETES_SERVICE_HOST=10.0.0.1\"]";
	ck_assert_int_eq(json_parse(sc, strlen(sc), &s.seccomp, NULL), 0);
	ck_assert_int_eq(json_parse(env, strlen(env), &s.env, NULL), 0);
	ck_assert_msg(monitor_spec_write(&s, &e) == 0, "%s", e.msg);
	ck_assert_msg(monitor_spec_read(t, &back, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(back.mechanism, MONITOR_MECH_PTRACE);
	ck_assert_int_eq(back.attach_pid, 31337);
	ck_assert_uint_eq(back.limits.event_rate, 7);
	ck_assert_uint_eq(back.limits.event_burst, 100);
	ck_assert_uint_eq(back.limits.exec_log_max, 5ull << 30);
	ck_assert_int_eq(back.limits.lost, MONITOR_LOST_KILL);
	/* the final filter and the API server env come back as written */
	char *got = NULL;
	ck_assert_int_eq(json_dump(back.seccomp, false, &got, NULL, NULL), 0);
	ck_assert_str_eq(got, sc);
	free(got);
	ck_assert_int_eq(json_dump(back.env, false, &got, NULL, NULL), 0);
	ck_assert_str_eq(got, env);
	free(got);
	monitor_spec_release(&back);
	json_free(s.seccomp);
	json_free(s.env);
	s.seccomp = s.env = NULL;
	/* a container hardened without ptrace: exec attaches nothing */
	s.mechanism = MONITOR_MECH_NOTIFY;
	ck_assert_int_eq(monitor_spec_write(&s, &e), 0);
	ck_assert_int_eq(monitor_exec_attach(t, &e), 0);
	/* ptrace, but its monitor is gone: nothing to attach to (the filter fails closed) */
	s.mechanism = MONITOR_MECH_PTRACE;
	ck_assert_int_eq(monitor_spec_write(&s, &e), 0);
	ck_assert_int_eq(monitor_exec_attach(t, &e), 0);
	ck_assert_int_eq(fs_rm_rf(t, NULL), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mechanism");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_resolve, 0,
			    (int)(sizeof(_resolve_cases) / sizeof(_resolve_cases[0])));
	tcase_add_test(tc, test_features_parse);
	tcase_add_test(tc, test_runtime_probe_cached);
	tcase_add_test(tc, test_trace_filter);
	tcase_add_loop_test(tc, test_trace_golden, 0, 2);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_call_from_info);
	tcase_add_test(tc, test_spec_roundtrip);
	suite_add_tcase(s, tc);
	return test_run(s);
}
