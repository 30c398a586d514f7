// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The profile generator beyond the fixtures of check_learn.c: syscall
 * families (and --exact), the summary's capability evidence, and recordings
 * that are truncated or hostile (paths come from the container): generate
 * either refuses them with an error or writes a profile hardrun accepts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/cleanup.h"
#include "hardrun/profgen.h"
#include "hardrun/profile.h"
#include "testutil.h"

static const char _rec_text[] =
	"{\"hardrunRecording\": 1, \"profile\": \"t\", \"containerId\": \"c\", \"startedAt\": 1, "
	"\"main\": {\"syscalls\": {\"x86_64\": {\"pipe\": {\"count\": 1}, \"stat\": {\"count\": "
	"2}, \"epoll_wait\": {\"count\": 3}, \"open\": {\"count\": 1}}}, "
	"\"files\": {\"/var/log/nginx/error.log\": {\"access\": \"w\", \"count\": 1}}, "
	"\"args\": {\"shell.parent\": {\"tar\": 1, \"a/b\": 1, \"sixteen-letters!\": 1}}, "
	"\"capabilities\": {\"CAP_DAC_OVERRIDE\": {\"count\": 2, \"reason\": \"openat "
	"/var/log/nginx/error.log: 33:4 0640, caller 0:0\"}, \"CAP_KILL\": {\"count\": 1, "
	"\"reason\": \"undecided: kill: a process group or every process\"}}}}";

static int _gen_text(const char *text, size_t len, bool exact, struct json **ret, char **summary)
{
	_cleanup_json_ struct json *doc = NULL;
	struct recording r = { 0 };
	struct profgen_merged m = { 0 };
	struct profgen_opts o = { .min_count = 1, .exact = exact };
	struct err e = { 0 };
	int rc;

	*ret = NULL;
	if ((rc = json_parse(text, len, &doc, &e)) < 0)
		return rc;
	if ((rc = recording_from_json(doc, &r, &e)) < 0)
		return rc;
	ck_assert_str_ne(e.msg, "x"); /* e is usable after an error too */
	if ((rc = profgen_merge(&r, 1, &o, &m, &e)) == 0 &&
	    (rc = profgen_generate("t", &m, &o, ret, &e)) == 0 && summary) {
		size_t n;
		FILE *f = open_memstream(summary, &n);
		profgen_summary(f, "t", &m, &o, *ret);
		fclose(f);
	}
	profgen_merged_release(&m);
	recording_release(&r);
	return rc;
}

static bool _allowed(const struct json *p, const char *name)
{
	const struct json *rules = json_get_path(p, "seccomp.syscalls");
	json_foreach (i, rules) {
		const struct json *r = rules->items[i], *names = json_get(r, "names");
		if (strcmp(json_string(json_get(r, "action")) ?: "", "SCMP_ACT_ALLOW") != 0)
			continue;
		json_foreach (k, names)
			if (strcmp(json_string(names->items[k]), name) == 0)
				return true;
	}
	return false;
}

START_TEST(test_families)
{
	_cleanup_json_ struct json *p = NULL, *x = NULL;
	_cleanup_free_ char *sum = NULL;

	ck_assert_int_eq(_gen_text(_rec_text, strlen(_rec_text), false, &p, &sum), 0);
	const char *added[] = { "pipe2", "statx", "newfstatat", "lstat", "fstat", "epoll_pwait2" };
	for (size_t i = 0; i < sizeof(added) / sizeof(added[0]); i++)
		ck_assert_msg(_allowed(p, added[i]), "%s not added", added[i]);
	/* never by a family: what a monitor rule watches for every argument */
	ck_assert(!_allowed(p, "openat2"));
	ck_assert(!_allowed(p, "creat"));
	ck_assert(!profgen_family_may_add("mount"));
	ck_assert(!profgen_family_may_add("ptrace"));
	ck_assert(!profgen_family_may_add("clone3"));
	ck_assert(profgen_family_may_add("pipe2"));
	ck_assert_ptr_nonnull(strstr(sum, "pipe2 (pipe family)"));
	ck_assert_ptr_nonnull(strstr(sum, "statx (stat family)"));
	/* the summary names each kept capability with the call that needed it */
	ck_assert_ptr_nonnull(
		strstr(sum, "CAP_DAC_OVERRIDE: openat /var/log/nginx/error.log: 33:4 0640"));
	ck_assert_ptr_nonnull(strstr(sum, "CAP_KILL: kept, could not decide: kill: a process"));
	ck_assert_ptr_nonnull(strstr(sum, "2 kept, every other one dropped"));

	/* programs that started shells: the terminal_shell rule lets them (names only) */
	const struct json *sp = json_get_path(p, "monitor.shellParents");
	ck_assert_ptr_nonnull(sp);
	ck_assert_int_eq(sp->n, 1);
	ck_assert_str_eq(json_string(sp->items[0]), "tar");
	struct profile *prof = NULL;
	struct err e = { 0 };
	ck_assert_msg(profile_parse(p, &prof, &e) == 0, "%s", e.msg);
	profile_free(prof);

	/* --exact: only what was learned */
	ck_assert_int_eq(_gen_text(_rec_text, strlen(_rec_text), true, &x, NULL), 0);
	ck_assert(_allowed(x, "pipe"));
	ck_assert(!_allowed(x, "pipe2"));
	ck_assert(!_allowed(x, "statx"));
	ck_assert(!_allowed(x, "epoll_pwait2"));
}
END_TEST

/* Every prefix of a valid recording: refused, or a profile that validates. */
START_TEST(test_truncated)
{
	size_t len = strlen(_rec_text), ok = 0;

	for (size_t n = 0; n <= len; n++) {
		_cleanup_json_ struct json *p = NULL;
		struct profile *prof = NULL;
		struct err e = { 0 };
		if (_gen_text(_rec_text, n, false, &p, NULL) < 0) {
			ck_assert_ptr_null(p);
			continue;
		}
		ck_assert_msg(profile_parse(p, &prof, &e) == 0, "prefix %zu: %s", n, e.msg);
		profile_free(prof);
		ok++;
	}
	ck_assert_uint_eq(ok, 1); /* only the whole document */
}
END_TEST

static const char *const _hostile[] = {
	/* paths the container chose: quotes, newlines, globs, brackets, very long */
	"{\"hardrunRecording\":1,\"main\":{\"files\":{\"/tmp/a\\\" rw,\\n  /** rwx,\\n\":"
	"{\"access\":\"rw\",\"count\":1},\"/etc/**\":{\"access\":\"w\",\"count\":1},"
	"\"/tmp/[x\":{\"access\":\"r\",\"count\":1},\"relative\":{\"access\":\"r\",\"count\":1},"
	"\"/a/../../b/./c//d\":{\"access\":\"r\",\"count\":1}},"
	"\"exec\":{\"/usr/bin/[\":{\"count\":1,\"target\":\"/usr/bin/\\u0001*\"}}}}",
	/* bad types and values: refused with an error */
	"{\"hardrunRecording\":1,\"main\":{\"files\":{\"/x\":{\"access\":\"q\",\"count\":1}}}}",
	"{\"hardrunRecording\":1,\"main\":{\"files\":{\"/x\":{\"access\":\"r\",\"count\":-1}}}}",
	"{\"hardrunRecording\":1,\"main\":{\"syscalls\":{\"x86_64\":{\"read\":\"many\"}}}}",
	"{\"hardrunRecording\":1,\"main\":{\"syscalls\":[1,2]}}",
	"{\"hardrunRecording\":1,\"main\":[]}",
	"{\"hardrunRecording\":2}",
	"[]",
	/* unknown syscalls, odd names and counts: generated without them */
	/* a capability hardrun does not know (found by fuzz/fuzz_recording.c): left out */
	"{\"hardrunRecording\":1,\"main\":{\"capabilities\":{\"CAP_NET_BIND_SE$VICE\":{"
	"\"count\":1},\"CAP_CHOWN0\":{\"count\":1},\"CAP_CHOWN\":{\"count\":1}}}}",
	"{\"hardrunRecording\":1,\"main\":{\"syscalls\":{\"x86_64\":{\"no_such_call\":{\"count\":"
	"1},\"\":{\"count\":18446744073709551615},\"read\":{\"count\":1}}},\"args\":{\"socket\":"
	"{\"x/y\":1,\"99999/99999/1\":1},\"ioctl.request\":{\"zzz\":1}}}}",
};

START_TEST(test_hostile)
{
	for (size_t i = 0; i < sizeof(_hostile) / sizeof(_hostile[0]); i++) {
		_cleanup_json_ struct json *p = NULL;
		struct profile *prof = NULL;
		struct err e = { 0 };
		int r = _gen_text(_hostile[i], strlen(_hostile[i]), false, &p, NULL);
		size_t n = sizeof(_hostile) / sizeof(_hostile[0]);
		bool want_ok = i == 0 || i >= n - 2;
		ck_assert_msg((r == 0) == want_ok, "case %zu: %d", i, r);
		if (r < 0)
			continue;
		ck_assert_msg(profile_parse(p, &prof, &e) == 0, "case %zu: %s", i, e.msg);
		profile_free(prof);
		if (i == n - 2)
			ck_assert_int_eq(json_get(p, "capabilities")->n, 1);
		if (i != 0)
			continue;
		/* the hostile names became single-character wildcards, nothing wider */
		const struct json *files = json_get_path(p, "apparmor.files");
		json_foreach (k, files) {
			const char *path = json_string(json_get(files->items[k], "path"));
			ck_assert_msg(!strstr(path, "**") && !strchr(path, '"') &&
					      !strchr(path, '\n') && !strchr(path, '['),
				      "%s", path);
		}
		ck_assert_int_eq(files->n, 4); /* "relative" is left out */
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("profgen");
	TCase *tc = tcase_create("profgen");
	tcase_add_test(tc, test_families);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_hostile);
	suite_add_tcase(s, tc);
	return test_run(s);
}
