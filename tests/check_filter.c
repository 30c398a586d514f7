// SPDX-License-Identifier: GPL-2.0-or-later
#include <sys/mman.h>
#include <unistd.h>

#include <seccomp.h>

#include "hardrun/caps.h"
#include "hardrun/engine.h"
#include "hardrun/filter.h"
#include "hardrun/profile.h"
#include "testutil.h"

#define CAP(n)	  (UINT64_C(1) << (n))
#define SYS_ADMIN 21

static struct json *_parse_file(const char *rel);

static struct json *_parse(const char *s)
{
	struct json *j = NULL;
	struct err e = { 0 };
	ck_assert_msg(json_parse(s, strlen(s), &j, &e) == 0, "%s: %s", e.msg, s);
	return j;
}

static struct json *_parse_file(const char *rel)
{
	char *text = test_read(rel, NULL);
	struct json *j = _parse(text);
	free(text);
	return j;
}

static struct profile *_builtin(const char *name)
{
	char rel[128];
	struct profile *p = NULL;
	struct err e = { 0 };
	snprintf(rel, sizeof(rel), "../../profiles/%s.json", name);
	ck_assert_msg(profile_load_file(test_data(rel), &p, &e) == 0, "%s", e.msg);
	return p;
}

static const struct filter_env _env61 = { SCMP_ARCH_X86_64, 6, 1, systab_linux61, false, false };

/* What the filter does for name(args): the action of the matching rules
 * (they must agree: hardrun never writes overlapping rules of two actions). */
static struct filter_action _eval(const struct json *oci, const char *name, const uint64_t *args)
{
	struct filter f = { 0 };
	struct err e = { 0 };
	struct filter_action res;
	bool found = false;
	ck_assert_msg(filter_from_oci(oci, &f, &e) == 0, "%s", e.msg);
	res = f.dflt;
	for (size_t i = 0; i < f.n; i++) {
		const struct filter_rule *r = &f.rules[i];
		bool hit = strcmp(r->name, name) == 0;
		for (unsigned k = 0; hit && k < r->nargs; k++) {
			const struct filter_arg *a = &r->args[k];
			uint64_t v = args ? args[a->index] : 0;
			switch (a->op) {
			case FOP_NE:
				hit = v != a->value;
				break;
			case FOP_EQ:
				hit = v == a->value;
				break;
			case FOP_LT:
				hit = v < a->value;
				break;
			case FOP_LE:
				hit = v <= a->value;
				break;
			case FOP_GT:
				hit = v > a->value;
				break;
			case FOP_GE:
				hit = v >= a->value;
				break;
			default:
				hit = (v & a->value) == a->value_two;
			}
		}
		if (!hit)
			continue;
		ck_assert_msg(!found || filter_action_eq(&res, &r->action), "%s: overlapping rules",
			      name);
		res = r->action;
		found = true;
	}
	filter_release(&f);
	return res;
}

static bool _allowed(const struct json *oci, const char *name, uint64_t a0, uint64_t a1)
{
	uint64_t args[6] = { a0, a1 };
	return _eval(oci, name, args).act == FA_ALLOW;
}

static void _golden(const struct json *j, const char *rel)
{
	char *got = NULL;
	ck_assert_int_eq(json_dump(j, true, &got, NULL, NULL), 0);
	test_assert_golden(test_data(rel), got);
	free(got);
}

static void _assert_compiles(const struct json *oci)
{
	void *ctx = NULL;
	struct err e = { 0 };
	ck_assert_msg(filter_compile(oci, &ctx, &e) == 0, "%s", e.msg);
	seccomp_release(ctx);
}

static const char *const _golden_names[] = { "baseline", "restricted" };

START_TEST(test_golden_render)
{
	struct profile *p = _builtin(_golden_names[_i]);
	struct json *oci = NULL;
	struct err e = { 0 };
	char rel[128];
	ck_assert_msg(filter_render_env(p->seccomp, p->caps, &_env61, &oci, &e) == 0, "%s", e.msg);
	snprintf(rel, sizeof(rel), "golden/%s.oci.json", _golden_names[_i]);
	_golden(oci, rel);
	_assert_compiles(oci);
	json_foreach (i, json_get(oci, "syscalls")) {
		const struct json *r = json_get(oci, "syscalls")->items[i];
		ck_assert_ptr_null(json_get(r, "includes"));
		ck_assert_ptr_null(json_get(r, "excludes"));
		ck_assert_ptr_null(json_get(r, "comment"));
	}
	json_free(oci);
	profile_free(p);
}
END_TEST

START_TEST(test_baseline_semantics)
{
	struct profile *p = _builtin("baseline");
	struct json *oci = NULL, *admin = NULL, *old = NULL;
	struct filter_env k44 = _env61;
	k44.kmajor = 4, k44.kminor = 4;
	ck_assert_int_eq(filter_render_env(p->seccomp, p->caps, &_env61, &oci, NULL), 0);
	ck_assert(_allowed(oci, "read", 0, 0));
	ck_assert(_allowed(oci, "ptrace", 0, 0)); /* minKernel 4.8, as Docker */
	ck_assert(!_allowed(oci, "mount", 0, 0));
	ck_assert(!_allowed(oci, "keyctl", 0, 0));
	ck_assert(_allowed(oci, "socket", 2, 1));
	ck_assert(!_allowed(oci, "socket", 40, 1)); /* AF_VSOCK */
	ck_assert(_allowed(oci, "personality", 8, 0));
	ck_assert(!_allowed(oci, "personality", 0x400000, 0));
	ck_assert(_allowed(oci, "clone", 0x11, 0));
	ck_assert(!_allowed(oci, "clone", 0x10000000, 0)); /* CLONE_NEWUSER */
	ck_assert_uint_eq(_eval(oci, "clone3", NULL).ret, 38);
	ck_assert_uint_eq(_eval(oci, "keyctl", NULL).ret, 1);
	ck_assert(_allowed(oci, "arch_prctl", 0, 0));
	/* with CAP_SYS_ADMIN: clone and clone3 unconditional, mount allowed */
	ck_assert_int_eq(
		filter_render_env(p->seccomp, p->caps | CAP(SYS_ADMIN), &_env61, &admin, NULL), 0);
	ck_assert(_allowed(admin, "clone", 0x10000000, 0));
	ck_assert(_allowed(admin, "clone3", 0, 0));
	ck_assert(_allowed(admin, "mount", 0, 0));
	/* old kernel: no ptrace */
	ck_assert_int_eq(filter_render_env(p->seccomp, p->caps, &k44, &old, NULL), 0);
	ck_assert(!_allowed(old, "ptrace", 0, 0));
	json_free(old);
	json_free(admin);
	json_free(oci);
	profile_free(p);
}
END_TEST

START_TEST(test_restricted_semantics)
{
	struct profile *p = _builtin("restricted");
	struct json *oci = NULL;
	static const char *const denied[] = {
		"ptrace",	"process_vm_readv", "process_vm_writev", "keyctl",
		"add_key",	"request_key",	    "userfaultfd",	 "perf_event_open",
		"bpf",		"io_uring_setup",   "io_uring_enter",	 "mount",
		"umount2",	"fsopen",	    "pivot_root",	 "init_module",
		"finit_module", "kexec_load",	    "kexec_file_load",	 "open_by_handle_at"
	};
	ck_assert_int_eq(filter_render_env(p->seccomp, CAPS_ALL, &_env61, &oci, NULL), 0);
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		ck_assert_msg(!_allowed(oci, denied[i], 0, 0), "%s allowed", denied[i]);
	ck_assert(_allowed(oci, "personality", 0, 0));
	ck_assert(!_allowed(oci, "personality", 8, 0));
	ck_assert(_allowed(oci, "unshare", 0x40000000, 0));  /* CLONE_NEWNET */
	ck_assert(!_allowed(oci, "unshare", 0x10000000, 0)); /* CLONE_NEWUSER */
	ck_assert(!_allowed(oci, "unshare", 0x00020000, 0)); /* CLONE_NEWNS */
	ck_assert(_allowed(oci, "setns", 3, 0x40000000));
	ck_assert(!_allowed(oci, "setns", 3, 0));
	ck_assert(!_allowed(oci, "setns", 3, 0x10000000));
	ck_assert(!_allowed(oci, "clone3", 0, 0));
	json_free(oci);
	profile_free(p);
}
END_TEST

START_TEST(test_enosys_newer)
{
	static const char *const small[] = { "read", "write", "clone", NULL };
	struct filter_env env = { SCMP_ARCH_X86_64, 6, 1, small, false, false };
	struct json *sec =
		_parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
		       "[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":[\"read\",\"statx\"],"
		       "\"action\":\"SCMP_ACT_ALLOW\"}]}");
	struct json *oci = NULL;
	ck_assert_int_eq(filter_render_env(sec, 0, &env, &oci, NULL), 0);
	/* not in the (small) table and not mentioned: ENOSYS; mentioned: as written */
	ck_assert_uint_eq(_eval(oci, "openat2", NULL).ret, 38);
	ck_assert_uint_eq(_eval(oci, "close_range", NULL).ret, 38);
	ck_assert(_allowed(oci, "statx", 0, 0));
	ck_assert_uint_eq(_eval(oci, "write", NULL).ret, 1); /* known to hardrun: EPERM */
	ck_assert_uint_eq(_eval(oci, "clone3", NULL).ret, 38);
	json_free(oci);
	/* the real table: libseccomp's syscalls after 6.1, if it knows any */
	ck_assert_int_eq(filter_render_env(sec, 0, &_env61, &oci, NULL), 0);
	ck_assert_uint_eq(_eval(oci, "openat2", NULL).ret, 1);
	if (seccomp_syscall_resolve_name("cachestat") >= 0)
		ck_assert_uint_eq(_eval(oci, "cachestat", NULL).ret, 38);
	json_free(oci);
	json_free(sec);
}
END_TEST

START_TEST(test_includes_arches)
{
	struct profile *p = _builtin("baseline");
	struct filter_env x86 = _env61;
	struct json *oci = NULL;
	x86.arch = SCMP_ARCH_X86;
	ck_assert_int_eq(filter_render_env(p->seccomp, p->caps, &x86, &oci, NULL), 0);
	ck_assert(!_allowed(oci, "arch_prctl", 0, 0));
	ck_assert(_allowed(oci, "modify_ldt", 0, 0));
	json_free(oci);
	profile_free(p);
}
END_TEST

#define OCI(def, rules)                                                                            \
	"{\"defaultAction\":\"" def                                                                \
	"\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"                           \
	"\"syscalls\":[" rules "]}"
#define R(names, act)	     "{\"names\":[" names "],\"action\":\"" act "\"}"
#define RA(names, act, args) "{\"names\":[" names "],\"action\":\"" act "\",\"args\":[" args "]}"
#define ARG(i, v, op)	     "{\"index\":" #i ",\"value\":" #v ",\"op\":\"SCMP_CMP_" op "\"}"

static struct json *_combine(const char *existing, const char *ours)
{
	struct json *a = _parse(existing), *b = _parse(ours), *out = NULL;
	struct err e = { 0 };
	ck_assert_msg(filter_combine(a, b, &out, &e) == 0, "%s", e.msg);
	_assert_compiles(out);
	json_free(a);
	json_free(b);
	return out;
}

START_TEST(test_combine_intersection)
{
	struct json *o = _combine(
		OCI("SCMP_ACT_ERRNO", R("\"read\",\"write\",\"socket\"", "SCMP_ACT_ALLOW")),
		OCI("SCMP_ACT_ERRNO", R("\"read\",\"getpid\"", "SCMP_ACT_ALLOW") "," RA(
					      "\"socket\"", "SCMP_ACT_ALLOW", ARG(0, 40, "NE"))));
	ck_assert(_allowed(o, "read", 0, 0));
	ck_assert(!_allowed(o, "write", 0, 0));	 /* only the bundle allows it */
	ck_assert(!_allowed(o, "getpid", 0, 0)); /* only we allow it */
	ck_assert(_allowed(o, "socket", 2, 0));
	ck_assert(!_allowed(o, "socket", 40, 0));
	json_free(o);
}
END_TEST

START_TEST(test_combine_args_same_index)
{
	/* EQ folds against the other side's condition on the same argument */
	struct json *o =
		_combine(OCI("SCMP_ACT_ERRNO",
			     RA("\"personality\"", "SCMP_ACT_ALLOW", ARG(0, 0, "EQ")) "," RA(
				     "\"personality\"", "SCMP_ACT_ALLOW", ARG(0, 8, "EQ"))),
			 OCI("SCMP_ACT_ERRNO",
			     RA("\"personality\"", "SCMP_ACT_ALLOW", ARG(0, 8, "LE")) "," RA(
				     "\"personality\"", "SCMP_ACT_ALLOW", ARG(0, 0, "EQ"))));
	ck_assert(_allowed(o, "personality", 0, 0));
	ck_assert(_allowed(o, "personality", 8, 0));
	ck_assert(!_allowed(o, "personality", 4, 0));
	json_free(o);
	/* MASKED_EQ AND NE on one argument: not expressible, the allow is dropped */
	o = _combine(OCI("SCMP_ACT_ERRNO", RA("\"socket\"", "SCMP_ACT_ALLOW",
					      "{\"index\":0,\"value\":1,\"valueTwo\":0,\"op\":"
					      "\"SCMP_CMP_MASKED_EQ\"}")),
		     OCI("SCMP_ACT_ERRNO", RA("\"socket\"", "SCMP_ACT_ALLOW", ARG(0, 40, "NE"))));
	ck_assert(!_allowed(o, "socket", 2, 0));
	ck_assert(!_allowed(o, "socket", 40, 0));
	json_free(o);
	/* different arguments: ANDed in one rule */
	o = _combine(OCI("SCMP_ACT_ERRNO", RA("\"setns\"", "SCMP_ACT_ALLOW", ARG(0, 3, "EQ"))),
		     OCI("SCMP_ACT_ERRNO", RA("\"setns\"", "SCMP_ACT_ALLOW", ARG(1, 0, "NE"))));
	ck_assert(_allowed(o, "setns", 3, 1));
	ck_assert(!_allowed(o, "setns", 3, 0));
	ck_assert(!_allowed(o, "setns", 4, 1));
	json_free(o);
}
END_TEST

START_TEST(test_combine_actions)
{
	struct json *o = _combine(
		OCI("SCMP_ACT_ERRNO",
		    R("\"read\"", "SCMP_ACT_ALLOW") ","
						    "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_"
						    "ERRNO\",\"errnoRet\":38}," R(
							    "\"ptrace\"", "SCMP_ACT_KILL_PROCESS")),
		OCI("SCMP_ACT_ERRNO", R("\"read\",\"clone3\",\"ptrace\"",
					"SCMP_ACT_ALLOW") ","
							  "{\"names\":[\"getpid\"],\"action\":"
							  "\"SCMP_ACT_ERRNO\",\"errnoRet\":38}"));
	ck_assert_uint_eq(_eval(o, "clone3", NULL).ret, 38);
	ck_assert_int_eq(_eval(o, "ptrace", NULL).act, FA_KILL_PROCESS);
	ck_assert_uint_eq(_eval(o, "getpid", NULL).ret, 38); /* ENOSYS wins over EPERM */
	ck_assert(_allowed(o, "read", 0, 0));
	json_free(o);
}
END_TEST

START_TEST(test_combine_denylist)
{
	/* the bundle's filter is a denylist (default allow); ours an allowlist */
	struct json *o = _combine(
		OCI("SCMP_ACT_ALLOW", R("\"ptrace\"", "SCMP_ACT_ERRNO") "," RA(
					      "\"socket\"", "SCMP_ACT_ERRNO", ARG(0, 17, "EQ"))),
		OCI("SCMP_ACT_ERRNO", R("\"read\",\"ptrace\"", "SCMP_ACT_ALLOW") "," RA(
					      "\"socket\"", "SCMP_ACT_ALLOW", ARG(0, 40, "NE"))));
	ck_assert_str_eq(json_string(json_get(o, "defaultAction")), "SCMP_ACT_ERRNO");
	ck_assert(_allowed(o, "read", 0, 0));
	ck_assert(!_allowed(o, "ptrace", 0, 0));
	ck_assert(!_allowed(o, "write", 0, 0));
	ck_assert(!_allowed(o, "socket", 17, 0)); /* AF_PACKET: the bundle denies */
	ck_assert(!_allowed(o, "socket", 40, 0)); /* AF_VSOCK: we deny */
	json_free(o);
}
END_TEST

START_TEST(test_combine_with_builtin)
{
	/* containerd's RuntimeDefault is Docker's profile: combined with baseline
	 * nothing baseline denies becomes allowed */
	struct profile *p = _builtin("baseline");
	struct json *ours = NULL, *docker = NULL, *theirs = NULL, *out = NULL;
	size_t dropped;
	struct err e = { 0 };
	struct json *in = _parse_file("docker-default.json");
	ck_assert_int_eq(filter_import(in, &docker, &dropped, &e), 0);
	ck_assert_int_eq(filter_render_env(docker, p->caps, &_env61, &theirs, &e), 0);
	ck_assert_int_eq(filter_render_env(p->seccomp, p->caps, &_env61, &ours, &e), 0);
	ck_assert_msg(filter_combine(theirs, ours, &out, &e) == 0, "%s", e.msg);
	_assert_compiles(out);
	ck_assert(_allowed(out, "read", 0, 0));
	ck_assert(!_allowed(out, "mount", 0, 0));
	ck_assert(!_allowed(out, "getppid", 0, 0)); /* not in the fixture's short list */
	ck_assert(_allowed(out, "socket", 1, 0));
	ck_assert(!_allowed(out, "socket", 40, 0));
	ck_assert(_allowed(out, "personality", 8, 0));
	ck_assert(!_allowed(out, "personality", 131072, 0));
	ck_assert_uint_eq(_eval(out, "clone3", NULL).ret, 38);
	json_free(out);
	json_free(ours);
	json_free(theirs);
	json_free(docker);
	json_free(in);
	profile_free(p);
}
END_TEST

START_TEST(test_combine_arches_flags)
{
	struct json *a =
		_parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
		       "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X32\"],\"flags\":"
		       "[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\"listenerPath\":\"/run/x.sock\"}");
	struct json *b = _parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
				"[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X86_64\"],\"flags\":"
				"[\"SECCOMP_FILTER_FLAG_LOG\"]}");
	struct json *c = _parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
				"[\"SCMP_ARCH_AARCH64\"]}");
	struct json *o = NULL;
	char *s = NULL;
	struct err e = { 0 };
	ck_assert_int_eq(filter_combine(a, b, &o, &e), 0);
	ck_assert_int_eq(json_dump(o, false, &s, NULL, NULL), 0);
	ck_assert_str_eq(s, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
			    "\"architectures\":[\"SCMP_ARCH_X86_64\"],\"flags\":"
			    "[\"SECCOMP_FILTER_FLAG_LOG\"],\"listenerPath\":\"/run/x.sock\","
			    "\"syscalls\":[]}");
	ck_assert_int_lt(filter_combine(a, c, &o, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "no architecture in common"));
	free(s);
	json_free(o);
	json_free(a);
	json_free(b);
	json_free(c);
}
END_TEST

START_TEST(test_docker_import)
{
	struct json *in = _parse_file("docker-default.json"), *sec = NULL, *back = NULL;
	size_t dropped = 0;
	struct err e = { 0 };
	ck_assert_msg(filter_import(in, &sec, &dropped, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(dropped, 1); /* hardrun_not_a_syscall */
	_golden(sec, "golden/docker-default.import.json");
	/* the section is a valid profile seccomp section */
	struct jcheck c;
	jcheck_init(&c, &e);
	ck_assert_msg(filter_check(&c, sec, FILTER_CHECK_PROFILE) == 0, "%s", e.msg);
	/* old-style "name" was taken, archMap became the host's architectures */
	char *golden = test_read("golden/docker-default.import.json", NULL);
	ck_assert_ptr_nonnull(strstr(golden, "\"chroot\""));
	free(golden);
	ck_assert_uint_eq(json_get(sec, "architectures")->n, 3);
	/* export back to moby format: archMap again */
	ck_assert_int_eq(filter_to_docker(sec, &back, &e), 0);
	ck_assert_str_eq(json_string(json_get(json_get(back, "archMap")->items[0], "architecture")),
			 "SCMP_ARCH_X86_64");
	json_free(back);
	json_free(sec);
	json_free(in);
	/* an OCI config.json is accepted too */
	in = _parse("{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":" OCI(
		"SCMP_ACT_ERRNO", R("\"read\"", "SCMP_ACT_ALLOW")) "}}");
	ck_assert_int_eq(filter_import(in, &sec, &dropped, &e), 0);
	ck_assert_uint_eq(json_get(sec, "syscalls")->n, 1);
	json_free(sec);
	json_free(in);
}
END_TEST

static char *_export(const struct json *sec, enum filter_format fmt, size_t *ret_len)
{
	struct err e = { 0 };
	int fd = memfd_create("export", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(filter_export(sec, 0, fmt, fd, &e) == 0, "%s", e.msg);
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf = calloc(1, (size_t)len + 1);
	ck_assert_int_eq(pread(fd, buf, (size_t)len, 0), len);
	close(fd);
	*ret_len = (size_t)len;
	return buf;
}

START_TEST(test_export)
{
	struct profile *p = _builtin("baseline");
	size_t len;
	char *pfc = _export(p->seccomp, FILTER_FMT_PFC, &len);
	ck_assert_ptr_nonnull(strstr(pfc, "# filter for arch x86_64"));
	ck_assert_ptr_nonnull(strstr(pfc, "# filter for arch x86 "));
	ck_assert_ptr_nonnull(strstr(pfc, "action ERRNO(38);"));
	ck_assert_ptr_nonnull(strstr(pfc, "action ERRNO(1);"));
	free(pfc);
	char *bpf = _export(p->seccomp, FILTER_FMT_BPF, &len);
	ck_assert_uint_gt(len, 100 * 8);
	ck_assert_uint_eq(len % 8, 0); /* struct sock_filter */
	free(bpf);
	char *oci = _export(p->seccomp, FILTER_FMT_OCI, &len);
	ck_assert_ptr_null(strstr(oci, "includes"));
	free(oci);
	char *docker = _export(p->seccomp, FILTER_FMT_DOCKER, &len);
	ck_assert_ptr_nonnull(strstr(docker, "archMap"));
	ck_assert_ptr_nonnull(strstr(docker, "includes"));
	free(docker);
	profile_free(p);
}
END_TEST

START_TEST(test_engine_apply)
{
	struct profile *p = _builtin("baseline");
	struct err e = { 0 };
	struct json *spec = _parse(
		"{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"noNewPrivileges\":"
		"false,"
		"\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_NET_RAW\",\"CAP_SYS_ADMIN\"],"
		"\"effective\":[\"CAP_CHOWN\",\"CAP_NET_RAW\"],\"permitted\":[\"CAP_CHOWN\",\"CAP_"
		"NET_RAW\"]}},"
		"\"root\":{\"path\":\"rootfs\"},\"linux\":{\"maskedPaths\":[\"/proc/kcore\"],"
		"\"seccomp\":" OCI("SCMP_ACT_ERRNO",
				   R("\"read\",\"write\",\"mount\"", "SCMP_ACT_ALLOW")) "}}");
	ck_assert_msg(engine_apply(spec, p, &_env61, &e) == 0, "%s", e.msg);
	const struct json *proc = json_get(spec, "process");
	ck_assert(json_is_true(json_get(proc, "noNewPrivileges")));
	ck_assert_uint_eq(caps_process_mask(proc), CAP(0));
	const struct json *sec = json_get_path(spec, "linux.seccomp");
	ck_assert(_allowed(sec, "read", 0, 0));
	ck_assert(!_allowed(sec, "mount", 0, 0));
	ck_assert(!_allowed(sec, "getpid", 0, 0));
	ck_assert(!json_is_true(json_get_path(spec, "root.readonly")));
	json_free(spec);
	profile_free(p);
}
END_TEST

/* A compat ABI leaves the filter only when the kernel does not run it, and
 * never as the last architecture. */
START_TEST(test_trim_abis)
{
	struct filter_env on = _env61, x32 = _env61, both = _env61;
	x32.x32_off = both.x32_off = both.ia32_off = true;
	struct json *a = _parse("{\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\","
				"\"SCMP_ARCH_X32\"]}");
	struct json *only = _parse("{\"architectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]}");

	filter_trim_arches(a, &on);
	ck_assert_uint_eq(json_get(a, "architectures")->n, 3);
	filter_trim_arches(a, &x32);
	const struct json *arr = json_get(a, "architectures");
	ck_assert_uint_eq(arr->n, 2);
	ck_assert_str_eq(json_string(arr->items[0]), "SCMP_ARCH_X86_64");
	ck_assert_str_eq(json_string(arr->items[1]), "SCMP_ARCH_X86");
	filter_trim_arches(a, &both);
	ck_assert_uint_eq(arr->n, 1);
	ck_assert_str_eq(json_string(arr->items[0]), "SCMP_ARCH_X86_64");
	filter_trim_arches(only, &both);
	ck_assert_uint_eq(json_get(only, "architectures")->n, 1);
	json_free(a);
	json_free(only);
}
END_TEST

/* systab_contains bisects: the table must stay sorted and unique. */
START_TEST(test_systab_sorted)
{
	for (size_t i = 1; systab_linux61[i]; i++)
		ck_assert_msg(strcmp(systab_linux61[i - 1], systab_linux61[i]) < 0, "%s before %s",
			      systab_linux61[i - 1], systab_linux61[i]);
	ck_assert(systab_contains(systab_linux61, "accept"));
	ck_assert(systab_contains(systab_linux61, "writev"));
	ck_assert(systab_contains(systab_linux61, "openat2"));
	ck_assert(!systab_contains(systab_linux61, "cachestat")); /* newer than 6.1 */
	ck_assert(!systab_contains(systab_linux61, "aaa"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("filter");
	tcase_add_loop_test(tc, test_golden_render, 0, 2);
	tcase_add_test(tc, test_baseline_semantics);
	tcase_add_test(tc, test_restricted_semantics);
	tcase_add_test(tc, test_enosys_newer);
	tcase_add_test(tc, test_includes_arches);
	tcase_add_test(tc, test_combine_intersection);
	tcase_add_test(tc, test_combine_args_same_index);
	tcase_add_test(tc, test_combine_actions);
	tcase_add_test(tc, test_combine_denylist);
	tcase_add_test(tc, test_combine_with_builtin);
	tcase_add_test(tc, test_combine_arches_flags);
	tcase_add_test(tc, test_docker_import);
	tcase_add_test(tc, test_export);
	tcase_add_test(tc, test_engine_apply);
	tcase_add_test(tc, test_systab_sorted);
	tcase_add_test(tc, test_trim_abis);
	suite_add_tcase(s, tc);
	return test_run(s);
}
