// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/caps.h"
#include "hardrun/profile.h"
#include "testutil.h"

#define SEC_OK                                                                                     \
	"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_"    \
	"64\"],"
#define HDR "{\"hardrun\":1,\"name\":\"t\","

static int _parse(const char *text, struct profile **ret, struct err *e)
{
	struct json *j = NULL;
	int r = json_parse(text, strlen(text), &j, e);
	ck_assert_msg(r == 0, "fixture does not parse: %s", e->msg);
	r = profile_parse(j, ret, e);
	json_free(j);
	return r;
}

static const struct {
	const char *doc;
	const char *msg;
} _bad[] = {
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		     "{\"names\":[\"read\",\"fooo\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}",
	  "seccomp.syscalls[1].names[1]: unknown syscall \"fooo\"" },
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[\"chown32\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}",
	  "seccomp.syscalls[0].names[0]: unknown syscall \"chown32\"" }, /* x86 only */
	{ HDR "\"bogus\":1}", "(document): unknown key \"bogus\"" },
	{ "{\"name\":\"t\"}", "missing key \"hardrun\"" },
	{ "{\"hardrun\":1}", "missing key \"name\"" },
	{ "{\"hardrun\":2,\"name\":\"t\"}", "hardrun: unsupported version" },
	{ "{\"hardrun\":1,\"name\":\"../etc\"}", "name: invalid profile name" },
	{ "{\"hardrun\":1,\"name\":\"t\",\"name\":\"t\"}", "duplicate key \"name\"" },
	{ HDR "\"capabilities\":[\"CAP_FOO\"]}",
	  "capabilities[0]: unknown capability \"CAP_FOO\"" },
	{ HDR "\"capabilities\":[\"chown\"]}", "capabilities[0]: unknown capability" },
	{ HDR "\"capabilities\":\"CAP_KILL\"}", "capabilities: expected array, got string" },
	{ HDR "\"capabilities\":[\"CAP_CHOWN\"],\"ambientCapabilities\":[\"CAP_KILL\"]}",
	  "ambientCapabilities[0]: CAP_KILL is not in \"capabilities\"" },
	{ HDR "\"noNewPrivileges\":\"yes\"}", "noNewPrivileges: expected boolean, got string" },
	{ HDR "\"maskedPaths\":[\"proc/kcore\"]}",
	  "maskedPaths[0]: \"proc/kcore\" is not an absolute" },
	{ HDR "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"}}",
	  "seccomp: missing key \"architectures\"" },
	{ HDR "\"seccomp\":{\"architectures\":[\"SCMP_ARCH_X86_64\"]}}",
	  "seccomp: missing key \"defaultAction\"" },
	{ HDR "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[]}}",
	  "seccomp.architectures: empty list" },
	{ HDR "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_"
	      "Z80\"]}}",
	  "seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_Z80\"" },
	{ HDR "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOPE\",\"architectures\":[\"SCMP_ARCH_"
	      "X86\"]}}",
	  "seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"" },
	{ HDR "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1,"
	      "\"architectures\":[\"SCMP_ARCH_X86\"]}}",
	  "seccomp.defaultAction: errno value given for SCMP_ACT_ALLOW" },
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_MAYBE\"}]}}",
	  "seccomp.syscalls[0].action: unknown action \"SCMP_ACT_MAYBE\"" },
	{ HDR SEC_OK
	  "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":0}]}}",
	  "seccomp.syscalls[0].action: bad errno value" },
	{ HDR SEC_OK
	  "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":4096}]}}",
	  "bad errno value" },
	{ HDR SEC_OK
	  "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":-1}]}}",
	  "bad errno value" },
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}}",
	  "SCMP_ACT_NOTIFY is added by the monitor" },
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ALLOW\"}]}}",
	  "seccomp.syscalls[0].names: empty list" },
	{ HDR SEC_OK "\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\"}]}}",
	  "seccomp.syscalls[0]: missing key \"names\"" },
	{ HDR SEC_OK
	  "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"foo\":1}]}}",
	  "seccomp.syscalls[0]: unknown key \"foo\"" },
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
		     "\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}}",
	  "seccomp.syscalls[0].args[0].index: 6 out of range" },
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
		     "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_ABOUT\"}]}]}}",
	  "seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ABOUT\"" },
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
		     "\"args\":[{\"index\":0,\"value\":\"1\",\"op\":\"SCMP_CMP_EQ\"}]}]}}",
	  "seccomp.syscalls[0].args[0].value: expected an unsigned 64-bit integer" },
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
		     "\"includes\":{\"caps\":[\"CAP_NOPE\"]}}]}}",
	  "seccomp.syscalls[0].includes.caps[0]: unknown capability \"CAP_NOPE\"" },
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
		     "\"excludes\":{\"arches\":[\"z80\"]}}]}}",
	  "seccomp.syscalls[0].excludes.arches[0]: unknown architecture \"z80\"" },
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
		     "\"includes\":{\"minKernel\":\"4\"}}]}}",
	  "seccomp.syscalls[0].includes.minKernel: bad kernel version \"4\"" },
	{ HDR SEC_OK "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
		     "\"includes\":{\"cpus\":1}}]}}",
	  "seccomp.syscalls[0].includes: unknown key \"cpus\"" },
	{ HDR "\"apparmor\":{\"profile\":\"x\",\"files\":[]}}",
	  "apparmor: \"profile\" excludes every other key" },
	{ HDR "\"apparmor\":{\"files\":[{\"path\":\"/d\",\"access\":\"rq\"}]}}",
	  "apparmor.files[0]: access letter 'q' not one of rwalkmx" },
	{ HDR "\"apparmor\":{\"files\":[{\"path\":\"d\",\"access\":\"r\"}]}}",
	  "apparmor.files[0]: must be an absolute path" },
	{ HDR "\"apparmor\":{\"network\":[\"tcp\"]}}",
	  "apparmor.network[0]: want \"<domain>[ <type|protocol>]\"" },
	{ HDR "\"apparmor\":{\"capabilities\":[\"CAP_FLY\"]}}", "apparmor.capabilities[0]" },
	{ HDR "\"selinux\":{\"type\":\"Bad Type\"}}", "selinux.type: want a type name" },
	{ HDR "\"selinux\":{\"level\":\"high\"}}", "selinux.level" },
	{ HDR "\"monitor\":{\"rules\":{\"nope\":\"deny\"}}}", "monitor.rules.nope: unknown rule" },
	{ HDR "\"monitor\":{\"rules\":{\"ptrace\":\"maybe\"}}}",
	  "monitor.rules.ptrace: bad action" },
	{ HDR "\"monitor\":{\"mode\":\"learn\"}}", "monitor: unknown key \"mode\"" },
};

START_TEST(test_bad_profiles)
{
	struct profile *p = NULL;
	struct err e = { 0 };
	int r = _parse(_bad[_i].doc, &p, &e);
	ck_assert_msg(r < 0, "accepted: %s", _bad[_i].doc);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(e.msg, _bad[_i].msg), "got \"%s\", want \"%s\"", e.msg, _bad[_i].msg);
}
END_TEST

START_TEST(test_full_profile)
{
	struct profile *p = NULL;
	struct err e = { 0 };
	const char *doc = HDR
		"\"description\":\"d\"," SEC_OK
		"\"syscalls\":[{\"names\":[\"read\",\"arch_prctl\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"breakpoint\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{"
		"\"arches\":[\"arm\"]}}]},"
		"\"capabilities\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"ambientCapabilities\":[\"CAP_"
		"KILL\"],"
		"\"noNewPrivileges\":true,\"readonlyRootfs\":true,\"maskedPaths\":[\"/proc/x\"],"
		"\"readonlyPaths\":[],\"apparmor\":{\"defaultDeny\":true,\"files\":[{\"path\":\"/"
		"data/**\","
		"\"access\":\"rw\"}],\"exec\":[\"/bin/busybox\"],\"network\":[\"inet "
		"stream\",\"unix\"],"
		"\"capabilities\":[\"chown\"]},\"selinux\":{\"type\":\"container_t\",\"level\":"
		"\"auto\"},"
		"\"monitor\":{\"rules\":{\"ptrace\":\"kill\"},\"knownBinaries\":[\"/bin/"
		"busybox\"]}}";
	ck_assert_msg(_parse(doc, &p, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(p->name, "t");
	ck_assert(p->caps_set);
	ck_assert_uint_eq(p->caps, (1u << 0) | (1u << 5));
	ck_assert_uint_eq(p->ambient, 1u << 5);
	ck_assert(p->no_new_privileges && p->readonly_rootfs);
	ck_assert_str_eq(p->masked_paths[0], "/proc/x");
	ck_assert_ptr_null(p->readonly_paths[0]);
	ck_assert_ptr_nonnull(p->seccomp);
	ck_assert_ptr_nonnull(p->apparmor);
	ck_assert_ptr_nonnull(p->monitor);
	char *out = NULL;
	ck_assert_int_eq(profile_to_json(p, &out, NULL, &e), 0);
	struct profile *q = NULL;
	ck_assert_msg(_parse(out, &q, &e) == 0, "round trip: %s", e.msg);
	ck_assert_uint_eq(q->caps, p->caps);
	free(out);
	profile_free(q);
	profile_free(p);
}
END_TEST

START_TEST(test_builtins)
{
	static const char *const base[] = { "CAP_CHOWN",   "CAP_DAC_OVERRIDE",	   "CAP_FSETID",
					    "CAP_FOWNER",  "CAP_SETGID",	   "CAP_SETUID",
					    "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_KILL" };
	struct profile *p = NULL;
	struct err e = { 0 };
	uint64_t want = 0;
	unsigned bit;
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		ck_assert_int_eq(caps_from_name(base[i], &bit), 0);
		want |= UINT64_C(1) << bit;
	}
	ck_assert_msg(profile_load_file(test_data("../../profiles/baseline.json"), &p, &e) == 0,
		      "%s", e.msg);
	ck_assert_uint_eq(p->caps, want);
	ck_assert(p->no_new_privileges);
	profile_free(p);
	ck_assert_msg(profile_load_file(test_data("../../profiles/restricted.json"), &p, &e) == 0,
		      "%s", e.msg);
	ck_assert(p->caps_set);
	ck_assert_uint_eq(p->caps, 0);
	profile_free(p);
}
END_TEST

static void _write(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_load_by_name)
{
	char dir[] = "/tmp/hardrun-prof-XXXXXX", path[256];
	char *dirs[] = { "/nonexistent", dir, NULL };
	struct node_config nc = { .profile_dirs = dirs };
	struct profile *p = NULL;
	struct err e = { 0 };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/good.json", dir);
	_write(path, "{\"hardrun\":1,\"name\":\"good\"}");
	snprintf(path, sizeof(path), "%s/liar.json", dir);
	_write(path, "{\"hardrun\":1,\"name\":\"good\"}");
	ck_assert_msg(profile_load(&nc, "good", &p, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(p->name, "good");
	profile_free(p);
	ck_assert_int_lt(profile_load(&nc, "liar", &p, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "\"name\" is \"good\", want \"liar\""));
	ck_assert_int_eq(profile_load(&nc, "missing", &p, &e), -ENOENT);
	ck_assert_int_eq(profile_load(&nc, "../etc/passwd", &p, &e), -EINVAL);
	ck_assert_int_eq(profile_load(&nc, "/etc/passwd", &p, &e), -EINVAL);
	snprintf(path, sizeof(path), "%s/good.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/liar.json", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("profile");
	tcase_add_loop_test(tc, test_bad_profiles, 0, sizeof(_bad) / sizeof(_bad[0]));
	tcase_add_test(tc, test_full_profile);
	tcase_add_test(tc, test_builtins);
	tcase_add_test(tc, test_load_by_name);
	suite_add_tcase(s, tc);
	return test_run(s);
}
