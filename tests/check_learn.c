// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Learning mode: the learn filter, the recorder fed with fixture notifications,
 * merge / generate / diff from fixture recordings (tests/data/recordings/), and
 * the golden profile (HARDRUN_UPDATE_GOLDEN=1 rewrites it).
 */
#include <fcntl.h>
#include <linux/audit.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/learn.h"
#include "hardrun/learn_decode.h"
#include "hardrun/profgen.h"
#include "testutil.h"

/* The recorder reads pointer arguments through these: here, our own memory. */
ssize_t mon_read_mem(const struct mon_call *c, uint64_t addr, void *buf, size_t len)
{
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	return (ssize_t)len;
}

ssize_t mon_read_string(const struct mon_call *c, uint64_t addr, char *buf, size_t size)
{
	const char *s = (const char *)(uintptr_t)addr;
	size_t n = strnlen(s, size);
	if (n == size)
		return -ENAMETOOLONG;
	memcpy(buf, s, n + 1);
	return (ssize_t)n;
}

static char *_data(const char *rel)
{
	char *p;
	const char *d = getenv("HARDRUN_TEST_DATA");
	ck_assert_int_ge(asprintf(&p, "%s/%s", d ? d : "tests/data", rel), 0);
	return p;
}

static bool _names_have(const struct json *rule, const char *name)
{
	const struct json *names = json_get(rule, "names");
	json_foreach (i, names)
		if (strcmp(json_string(names->items[i]), name) == 0)
			return true;
	return false;
}

/* ---------- learn_prepare ---------- */

START_TEST(test_prepare)
{
	struct err e = { 0 };
	_cleanup_json_ struct json *sc = json_new_object();

	json_obj_set(sc, "listenerPath", json_new_string("/run/x.sock"));
	json_obj_set(sc, "defaultAction", json_new_string("SCMP_ACT_ALLOW"));
	ck_assert_int_eq(learn_prepare(sc, &e), 0);
	ck_assert_str_eq(json_string(json_get(sc, "defaultAction")), "SCMP_ACT_ERRNO");
	ck_assert_str_eq(json_string(json_get(sc, "listenerPath")), "/run/x.sock");
	ck_assert_int_eq(json_get(sc, "architectures")->n, 3);
	const struct json *rules = json_get(sc, "syscalls");
	bool write_allowed = false, execve_notified = false, mmap_exec_notified = false;
	json_foreach (i, rules) {
		const struct json *r = rules->items[i];
		const char *action = json_string(json_get(r, "action"));
		bool notify = strcmp(action, "SCMP_ACT_NOTIFY") == 0;
		ck_assert(!(notify && _names_have(r, "write")));
		ck_assert(!(notify && _names_have(r, "futex")));
		write_allowed |= !notify && _names_have(r, "write");
		execve_notified |= notify && _names_have(r, "execve");
		mmap_exec_notified |= notify && _names_have(r, "mmap") && json_get(r, "args");
	}
	ck_assert(write_allowed && execve_notified && mmap_exec_notified);
}
END_TEST

/* A repeated learn run: earlier recordings' plain calls are allowed in the kernel. */
START_TEST(test_known)
{
	struct err e = { 0 };
	struct strmap known = { 0 };
	_cleanup_json_ struct json *sc = json_new_object();
	_cleanup_free_ char *dir = _data("recordings");
	size_t n;

	ck_assert(learn_known_plain("read"));
	ck_assert(learn_known_plain("epoll_wait"));
	ck_assert(!learn_known_plain("openat")); /* paths and capabilities stay exact */
	ck_assert(!learn_known_plain("socket"));
	ck_assert(!learn_known_plain("execve"));
	ck_assert(!learn_known_plain("setuid"));
	ck_assert_int_eq(learn_known_load(dir, "nothing-learned-yet", &known, &e), 0);
	ck_assert_uint_eq(known.n, 0);
	ck_assert_msg(learn_known_load(dir, "web", &known, &e) == 0, "%s", e.msg);
	ck_assert_ptr_nonnull(strmap_find(&known, "wait4"));
	ck_assert_ptr_null(strmap_find(&known, "socket"));
	ck_assert_ptr_null(strmap_find(&known, "capset")); /* runtime section */

	json_obj_set(sc, "defaultAction", json_new_string("SCMP_ACT_ALLOW"));
	ck_assert_int_eq(learn_prepare(sc, &e), 0);
	ck_assert_int_eq(learn_known_allow(sc, &known, &n, &e), 0);
	ck_assert_uint_gt(n, 0);
	const struct json *rules = json_get(sc, "syscalls");
	bool wait4_allowed = false;
	json_foreach (i, rules) {
		const struct json *r = rules->items[i];
		bool notify = strcmp(json_string(json_get(r, "action")), "SCMP_ACT_NOTIFY") == 0;
		ck_assert(!(notify && _names_have(r, "wait4")));
		wait4_allowed |= !notify && _names_have(r, "wait4");
		if (notify && !json_get(r, "args"))
			ck_assert(_names_have(r, "socket") && _names_have(r, "execve"));
	}
	ck_assert(wait4_allowed);
	strmap_release(&known);
}
END_TEST

/* ---------- the recorder ---------- */

static struct mon_call _call(const char *name, int session, bool started, uint64_t a0, uint64_t a1,
			     uint64_t a2)
{
	struct mon_call c = { .pid = getpid(),
			      .arch = AUDIT_ARCH_X86_64,
			      .nr = 0,
			      .name = name,
			      .session = session,
			      .started = started,
			      .notify_fd = -1 };
	c.args[0] = a0;
	c.args[1] = a1;
	c.args[2] = a2;
	/* distinct numbers per name for the recorder's cache */
	for (const char *p = name; *p; p++)
		c.nr = (c.nr * 31 + *p) % 1000;
	return c;
}

static void _feed(void *l, struct mon_call c)
{
	int eno = -1;
	ck_assert_int_eq(learn_on_call(l, &c, &eno), 0);
	ck_assert_int_eq(eno, 0);
}

START_TEST(test_recorder)
{
	struct err e = { 0 };
	char tmpl[] = "/tmp/check_learn.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	struct monitor_spec s = { .container_id = "c1",
				  .profile_name = "web",
				  .recordings_dir = tmpl,
				  .mode = MODE_LEARN };
	void *l = learn_open(&s, &e);
	ck_assert_msg(l, "%s", e.msg);
	_cleanup_free_ char *path = NULL;
	ck_assert_int_ge(asprintf(&path, "%s/web/c1.json", tmpl), 0);
	ck_assert_int_eq(access(path, F_OK), 0); /* exists from the start */

	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80) };
	/* runc init after the filter: not the workload's */
	_feed(l, _call("close", 0, false, 3, 0, 0));
	_feed(l, _call("capset", 0, false, 0, 0, 0));
	/* the entrypoint's execve is */
	_feed(l, _call("execve", 0, false, (uintptr_t) "/bin/sh", 0, 0));
	_feed(l,
	      _call("openat", 0, true, (uint64_t)AT_FDCWD, (uintptr_t) "/etc//passwd", O_RDONLY));
	_feed(l, _call("openat", 0, true, (uint64_t)AT_FDCWD, (uintptr_t) "/tmp/../tmp/log",
		       O_WRONLY | O_CREAT));
	_feed(l, _call("socket", 0, true, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	_feed(l, _call("socket", 0, true, AF_INET, SOCK_RAW, 1));
	_feed(l, _call("bind", 0, true, 3, (uintptr_t)&sin, sizeof(sin)));
	_feed(l, _call("clone", 0, true, 0x1200011, 0, 0));
	_feed(l, _call("clone", 0, true, 0x1200011, 0, 0));
	_feed(l, _call("unshare", 0, true, 0x40000000, 0, 0));
	_feed(l, _call("mprotect", 0, true, 0x1000, 4096, PROT_READ | PROT_EXEC));
	_feed(l,
	      _call("chown", 0, true, (uintptr_t) "/", 1, 1)); /* only a chown back is harmless */
	/* nginx's master (root) appending to error.log of www-data:adm 0640 */
	_cleanup_free_ char *log = NULL;
	ck_assert_int_ge(asprintf(&log, "%s/error.log", tmpl), 0);
	_cleanup_close_ int fd = open(log, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchown(fd, 33, 4), 0);
	_feed(l, _call("openat", 0, true, (uint64_t)AT_FDCWD, (uintptr_t)log, O_WRONLY | O_APPEND));
	/* a `runc exec` session */
	_feed(l, _call("execve", 1, false, (uintptr_t) "/bin/ps", 0, 0));
	_feed(l, _call("ptrace", 1, true, 0, 0, 0));
	ck_assert_int_eq(learn_flush(l, &e), 0);

	struct recording r = { 0 };
	ck_assert_msg(recording_load(path, &r, &e) == 0, "%s", e.msg);
	struct rec_section *m = &r.sec[REC_MAIN], *x = &r.sec[REC_EXEC], *rt = &r.sec[REC_RUNTIME];
	ck_assert_ptr_nonnull(strmap_find(&rt->syscalls, "x86_64/capset"));
	ck_assert_ptr_null(strmap_find(&m->syscalls, "x86_64/capset"));
	ck_assert_ptr_null(strmap_find(&m->syscalls, "x86_64/close"));
	ck_assert_ptr_nonnull(strmap_find(&m->syscalls, "x86_64/execve"));
	ck_assert_int_eq(strmap_find(&m->syscalls, "x86_64/clone")->count, 2);
	ck_assert_int_eq(strmap_find(&m->args, "clone.flags=0x1200011")->count, 2);
	ck_assert_ptr_nonnull(strmap_find(&m->args, "socket=2/1/0"));
	ck_assert_ptr_nonnull(strmap_find(&m->args, "socket=2/3/1"));
	ck_assert_ptr_nonnull(strmap_find(&m->args, "unshare.flags=0x40000000"));
	ck_assert_ptr_nonnull(strmap_find(&m->args, "prot.exec=mprotect"));
	ck_assert_int_eq(strmap_find(&m->files, "/etc/passwd")->flags, REC_ACCESS_READ);
	ck_assert_int_eq(strmap_find(&m->files, "/tmp/log")->flags,
			 REC_ACCESS_WRITE | REC_ACCESS_CREATE);
	ck_assert_ptr_nonnull(strmap_find(&m->exec, "/bin/sh"));
	ck_assert_ptr_nonnull(strmap_find(&m->net, "bind=inet:80"));
	ck_assert_ptr_nonnull(strmap_find(&m->caps, "CAP_NET_BIND_SERVICE"));
	ck_assert_ptr_nonnull(strmap_find(&m->caps, "CAP_NET_RAW"));
	ck_assert_ptr_nonnull(strmap_find(&m->caps, "CAP_CHOWN"));
	const struct strmap_item *dac = strmap_find(&m->caps, "CAP_DAC_OVERRIDE");
	ck_assert_ptr_nonnull(dac);
	ck_assert_uint_eq(dac->count, 1); /* /etc/passwd (root's, 0644) needed none */
	ck_assert_msg(strstr(dac->info, "openat ") && strstr(dac->info, "/error.log: 33:4 0640"),
		      "%s", dac->info);
	ck_assert_ptr_nonnull(strmap_find(&m->caps, "CAP_SYS_ADMIN"));
	ck_assert_ptr_null(strmap_find(&m->caps, "CAP_SYS_PTRACE"));
	ck_assert_ptr_nonnull(strmap_find(&x->caps, "CAP_SYS_PTRACE"));
	ck_assert_ptr_nonnull(strmap_find(&x->exec, "/bin/ps"));
	ck_assert_int_eq(r.exec_sessions, 1);
	recording_release(&r);
	learn_close(l);
	ck_assert_int_eq(fs_rm_rf(tmpl, NULL), 0);
}
END_TEST

START_TEST(test_normalize)
{
	char a[] = "/a//b/./c/../d/", b[] = "/..", c[] = "/x/y/../../..";
	learn_path_normalize(a);
	learn_path_normalize(b);
	learn_path_normalize(c);
	ck_assert_str_eq(a, "/a/b/d");
	ck_assert_str_eq(b, "/");
	ck_assert_str_eq(c, "/");
}
END_TEST

/* ---------- merge / generate / diff ---------- */

static void _load2(struct recording r[2])
{
	struct err e = { 0 };
	_cleanup_free_ char *a = _data("recordings/web/run-a.json");
	_cleanup_free_ char *b = _data("recordings/web/run-b.json");
	ck_assert_msg(recording_load(a, &r[0], &e) == 0, "%s", e.msg);
	ck_assert_msg(recording_load(b, &r[1], &e) == 0, "%s", e.msg);
}

static struct json *_generate(struct recording *r, size_t n, struct profgen_opts o,
			      struct profgen_merged *m)
{
	struct err e = { 0 };
	struct json *p = NULL;
	ck_assert_msg(profgen_merge(r, n, &o, m, &e) == 0, "%s", e.msg);
	ck_assert_msg(profgen_generate("web", m, &o, &p, &e) == 0, "%s", e.msg);
	return p;
}

START_TEST(test_merge)
{
	struct recording r[2] = { 0 };
	struct profgen_merged m = { 0 };
	struct profgen_opts o = { .min_count = 1 };
	struct err e = { 0 };

	_load2(r);
	ck_assert_int_eq(profgen_merge(r, 2, &o, &m, &e), 0);
	const struct strmap_item *it = strmap_find(&m.sec.syscalls, "x86_64/openat");
	ck_assert_int_eq(it->count, 14);
	ck_assert_int_eq(it->recordings, 2);
	ck_assert_int_eq(strmap_find(&m.sec.syscalls, "x86_64/bind")->recordings, 1);
	ck_assert_int_eq(strmap_find(&m.sec.args, "socket=2/1/0")->count, 3);
	ck_assert_ptr_null(strmap_find(&m.sec.syscalls, "x86_64/ptrace")); /* exec kept out */
	ck_assert_ptr_null(strmap_find(&m.sec.syscalls, "x86_64/capset")); /* runtime never */
	ck_assert_int_eq(m.exec_sessions, 1);
	ck_assert_int_eq(m.runs_without_new, 0); /* run-b added connect */
	ck_assert_int_eq(m.seconds_without_new, 90);
	profgen_merged_release(&m);

	o.include_exec = true;
	ck_assert_int_eq(profgen_merge(r, 2, &o, &m, &e), 0);
	ck_assert_ptr_nonnull(strmap_find(&m.sec.syscalls, "x86_64/ptrace"));
	profgen_merged_release(&m);

	/* the same recording twice: saturated */
	struct recording twice[2] = { r[0], r[0] };
	twice[1].started_at += 1000;
	o.include_exec = false;
	ck_assert_int_eq(profgen_merge(twice, 2, &o, &m, &e), 0);
	ck_assert_int_eq(m.runs_without_new, 1);
	profgen_merged_release(&m);
	recording_release(&r[0]);
	recording_release(&r[1]);
}
END_TEST

START_TEST(test_golden)
{
	struct recording r[2] = { 0 };
	struct profgen_merged m = { 0 };
	struct err e = { 0 };
	_cleanup_free_ char *buf = NULL;
	_cleanup_free_ char *golden = _data("recordings/web.golden.json");
	size_t len;

	_load2(r);
	_cleanup_json_ struct json *p = _generate(
		r, 2, (struct profgen_opts){ .min_count = 1, .selinux_type = "hardrun_web_t" }, &m);
	ck_assert_int_eq(json_dump(p, true, &buf, &len, &e), 0);
	test_assert_golden(golden, buf);
	profgen_merged_release(&m);
	recording_release(&r[0]);
	recording_release(&r[1]);
}
END_TEST

static const struct json *_rule_for(const struct json *p, const char *name, bool with_args)
{
	const struct json *rules = json_get_path(p, "seccomp.syscalls");
	json_foreach (i, rules)
		if (_names_have(rules->items[i], name) &&
		    !!json_get(rules->items[i], "args") == with_args)
			return rules->items[i];
	return NULL;
}

START_TEST(test_generate)
{
	struct recording r[2] = { 0 };
	struct profgen_merged m = { 0 };

	_load2(r);
	_cleanup_json_ struct json *p = _generate(
		r, 2, (struct profgen_opts){ .min_count = 1, .selinux_type = "hardrun_web_t" }, &m);
	/* learned, always, argument rules, never made */
	ck_assert_ptr_nonnull(_rule_for(p, "wait4", false));
	ck_assert_ptr_nonnull(_rule_for(p, "exit_group", false));
	ck_assert_ptr_nonnull(_rule_for(p, "clock_gettime", false));
	ck_assert_ptr_nonnull(_rule_for(p, "write", false));
	ck_assert_ptr_nonnull(_rule_for(p, "getuid32", false)); /* x86 */
	ck_assert_ptr_nonnull(_rule_for(p, "socket", true));
	ck_assert_ptr_nonnull(_rule_for(p, "clone", true));
	ck_assert_ptr_null(_rule_for(p, "socket", false));
	ck_assert_ptr_null(_rule_for(p, "ptrace", false));
	ck_assert_ptr_null(_rule_for(p, "capset", false));
	ck_assert_ptr_null(_rule_for(p, "unshare", false));
	ck_assert_ptr_nonnull(_rule_for(p, "mmap", true));	/* no PROT_EXEC learned */
	ck_assert_ptr_nonnull(_rule_for(p, "mprotect", false)); /* PROT_EXEC learned */
	const struct json *caps = json_get(p, "capabilities");
	ck_assert_int_eq(caps->n, 2);
	ck_assert_str_eq(json_string(caps->items[0]), "CAP_CHOWN");
	ck_assert_str_eq(json_string(json_get_path(p, "selinux.type")), "hardrun_web_t");
	ck_assert_int_eq(json_get_path(p, "monitor.knownBinaries")->n, 4);
	profgen_merged_release(&m);

	/* --min-count 2: only what both runs did */
	p = (json_free(p), _generate(r, 2, (struct profgen_opts){ .min_count = 2 }, &m));
	ck_assert_ptr_null(json_get(p, "selinux")); /* no type asked for: no section */
	ck_assert_ptr_null(_rule_for(p, "bind", false));
	ck_assert_ptr_nonnull(_rule_for(p, "wait4", false));
	ck_assert_int_eq(json_get(p, "capabilities")->n, 0);
	profgen_merged_release(&m);
	recording_release(&r[0]);
	recording_release(&r[1]);
}
END_TEST

START_TEST(test_diff)
{
	struct recording r[2] = { 0 };
	struct profgen_merged m = { 0 };
	char *out = NULL;
	size_t len = 0;

	_load2(r);
	_cleanup_json_ struct json *a =
		_generate(r, 1, (struct profgen_opts){ .min_count = 1 }, &m);
	profgen_merged_release(&m);
	_cleanup_json_ struct json *ab = _generate(
		r, 2, (struct profgen_opts){ .min_count = 1, .selinux_type = "hardrun_web_t" }, &m);
	profgen_merged_release(&m);
	FILE *f = open_memstream(&out, &len);
	ck_assert_int_eq(profgen_diff(f, "a", a, "ab", ab), 1);
	ck_assert_int_eq(profgen_diff(f, "a", a, "a", a), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "    + connect\n"));
	ck_assert_ptr_nonnull(strstr(out, "    + /bin/wget\n"));
	ck_assert_ptr_nonnull(strstr(out, "    + unix stream\n"));
	ck_assert_ptr_nonnull(strstr(out, "a and a allow the same"));
	free(out);
	recording_release(&r[0]);
	recording_release(&r[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("learn");
	TCase *tc = tcase_create("learn");
	tcase_add_test(tc, test_prepare);
	tcase_add_test(tc, test_known);
	tcase_add_test(tc, test_recorder);
	tcase_add_test(tc, test_normalize);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_golden);
	tcase_add_test(tc, test_generate);
	tcase_add_test(tc, test_diff);
	suite_add_tcase(s, tc);
	return test_run(s);
}
