// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SELinux labels: MCS pair allocation (uniqueness, across processes too,
 * release and re-allocation), level/type validation, label strings, the
 * skip/fail rule on this host (no SELinux), the exec side, and the CIL
 * module: golden text (HARDRUN_UPDATE_GOLDEN=1 rewrites it) compiled with
 * secilc against a minimal base, with and without the container module's
 * symbols (skipped with the reason when secilc is absent).
 */
#include <dirent.h>
#include <errno.h>
#include <selinux/selinux.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/json.h"
#include "hardrun/label.h"
#include "hardrun/mcs.h"
#include "testutil.h"

static char tmpdir[64];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hardrun-check-label-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", tmpdir);
}

static struct json *parse(const char *text)
{
	struct json *j = NULL;
	struct err e = { 0 };

	ck_assert_msg(json_parse(text, strlen(text), &j, &e) == 0, "%s: %s", text, e.msg);
	return j;
}

static char *data_path(const char *name)
{
	const char *dir = getenv("HARDRUN_TEST_DATA");
	char *p = NULL;

	ck_assert_int_ge(asprintf(&p, "%s/label/%s", dir ? dir : "tests/data", name), 0);
	return p;
}

static unsigned pair_id(const struct mcs_pair *p)
{
	ck_assert_uint_lt(p->lo, p->hi);
	ck_assert_uint_lt(p->hi, MCS_CATEGORIES);
	return p->lo * MCS_CATEGORIES + p->hi;
}

#define NKEYS 600

START_TEST(test_mcs_unique_release_reallocate)
{
	static unsigned char seen[MCS_CATEGORIES * MCS_CATEGORIES];
	struct mcs_pair p[NKEYS], again;
	struct err e = { 0 };
	char key[32];

	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "ctr-%d", i);
		ck_assert_msg(mcs_allocate(tmpdir, key, &p[i], &e) == 0, "%s", e.msg);
		ck_assert_msg(!seen[pair_id(&p[i])]++, "pair shared");
	}
	ck_assert_int_eq(mcs_allocate(tmpdir, "ctr-7", &again, &e), 0);
	ck_assert_uint_eq(pair_id(&again), pair_id(&p[7]));
	for (int i = 0; i < NKEYS / 2; i++) {
		snprintf(key, sizeof(key), "ctr-%d", i);
		ck_assert_int_eq(mcs_release(tmpdir, key, &e), 1);
		ck_assert_int_eq(mcs_release(tmpdir, key, &e), 0);
		seen[pair_id(&p[i])] = 0;
	}
	for (int i = 0; i < NKEYS / 2; i++) {
		snprintf(key, sizeof(key), "new-%d", i);
		ck_assert_int_eq(mcs_allocate(tmpdir, key, &again, &e), 0);
		ck_assert_msg(!seen[pair_id(&again)]++, "pair shared after release");
	}
}
END_TEST

/* Four processes allocating at once never get the same pair (O_EXCL). */
START_TEST(test_mcs_concurrent)
{
	static unsigned char seen[MCS_CATEGORIES * MCS_CATEGORIES];
	struct err e = { 0 };
	int n = 0;

	for (int w = 0; w < 4; w++) {
		if (fork() == 0) {
			char key[32];
			struct mcs_pair p;
			for (int i = 0; i < 150; i++) {
				snprintf(key, sizeof(key), "w%d-%d", w, i);
				if (mcs_allocate(tmpdir, key, &p, NULL) < 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int w = 0, st; w < 4; w++) {
		ck_assert_int_gt(wait(&st), 0);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/mcs", tmpdir);
	_cleanup_closedir_ DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	memset(seen, 0, sizeof(seen));
	for (struct dirent *de; (de = readdir(d));) {
		unsigned lo, hi;
		if (sscanf(de->d_name, "c%u.c%u", &lo, &hi) != 2)
			continue;
		ck_assert(!seen[lo * MCS_CATEGORIES + hi]++);
		n++;
	}
	ck_assert_int_eq(n, 600);
	ck_assert_int_eq(mcs_release(tmpdir, "w2-3", &e), 1);
}
END_TEST

START_TEST(test_mcs_bad_keys)
{
	struct mcs_pair p;
	struct err e = { 0 };

	ck_assert_int_eq(mcs_allocate(tmpdir, "../x", &p, &e), -EINVAL);
	ck_assert_int_eq(mcs_allocate(tmpdir, "a/b", &p, &e), -EINVAL);
	ck_assert_int_eq(mcs_allocate(tmpdir, "", &p, &e), -EINVAL);
	ck_assert_int_eq(mcs_allocate(tmpdir, "..", &p, &e), -EINVAL);
	ck_assert_int_eq(mcs_release(tmpdir, "a\nb", &e), -EINVAL);
	ck_assert_int_eq(mcs_allocate("/nonexistent/dir", "x", &p, &e), -ENOENT);
}
END_TEST

START_TEST(test_levels)
{
	static const char *const good[] = { "s0", "s0:c0", "s0:c0,c1", "s0:c12,c1023", NULL };
	static const char *const bad[] = { "",		 "s1",	     "s0:",    "s0:c1024",
					   "s0:c5,c5",	 "s0:c6,c5", "s0:c01", "s0:c1,c2,c3",
					   "s0:c1.c3",	 "s0-s0:c0", "s0:c1,", "s0:c99999999999",
					   "s0:c1,c2\n", "auto",     NULL };
	for (const char *const *g = good; *g; g++)
		ck_assert_msg(label_level_valid(*g), "%s", *g);
	for (const char *const *b = bad; *b; b++)
		ck_assert_msg(!label_level_valid(*b), "%s", *b);
}
END_TEST

static const char *const bad_sections[] = {
	"{\"type\":\"Container_t\"}",
	"{\"type\":\"container\"}",
	"{\"type\":\"a:b_t\"}",
	"{\"type\":\"x_t:s0\"}",
	"{\"type\":1}",
	"{\"fileType\":\"bad file_t\"}",
	"{\"level\":\"s0:c1,c0\"}",
	"{\"level\":\"s0-s0:c0.c1023\"}",
	"{\"level\":null}",
	"{\"user\":\"system_u\"}",
	"[]",
	NULL,
};

START_TEST(test_bad_sections)
{
	_cleanup_json_ struct json *s = parse(bad_sections[_i]);
	_cleanup_free_ char *proc = NULL, *mount = NULL;
	struct err e = { 0 };

	ck_assert_msg(label_compute(NULL, "x", s, tmpdir, &proc, &mount, &e) == -EINVAL, "%s",
		      bad_sections[_i]);
	ck_assert_ptr_null(proc);
}
END_TEST

START_TEST(test_compute)
{
	_cleanup_json_ struct json *expl =
		parse("{\"type\":\"hardrun_web_t\",\"level\":\"s0:c3,c9\"}");
	_cleanup_json_ struct json *dflt = parse("{}");
	_cleanup_json_ struct json *podman = parse(
		"{\"process\":{\"selinuxLabel\":\"system_u:system_r:container_t:s0:c100,c200\"}}");
	_cleanup_free_ char *p1 = NULL, *m1 = NULL, *p2 = NULL, *m2 = NULL, *p3 = NULL, *m3 = NULL,
			    *p4 = NULL, *m4 = NULL;
	struct err e = { 0 };

	ck_assert_int_eq(label_compute(NULL, "a", expl, tmpdir, &p1, &m1, &e), 0);
	ck_assert_str_eq(p1, "system_u:system_r:hardrun_web_t:s0:c3,c9");
	ck_assert_str_eq(m1, "system_u:object_r:container_file_t:s0:c3,c9");
	ck_assert_int_eq(label_compute(NULL, "a", dflt, tmpdir, &p2, &m2, &e), 0);
	ck_assert_int_eq(label_compute(NULL, "b", dflt, tmpdir, &p3, &m3, &e), 0);
	ck_assert_str_ne(p2, p3);
	ck_assert(strncmp(p2, "system_u:system_r:container_t:s0:c", 34) == 0);
	ck_assert(strncmp(m2, "system_u:object_r:container_file_t:s0:c", 39) == 0);
	ck_assert_str_eq(strstr(p2, ":s0:"), strstr(m2, ":s0:"));
	/* the engine's own pair (its rootfs is labelled with it) is kept */
	ck_assert_int_eq(label_compute(podman, "c", dflt, tmpdir, &p4, &m4, &e), 0);
	ck_assert_str_eq(p4, "system_u:system_r:container_t:s0:c100,c200");
	ck_assert_str_eq(m4, "system_u:object_r:container_file_t:s0:c100,c200");
}
END_TEST

START_TEST(test_apply_unavailable)
{
	_cleanup_json_ struct json *spec = parse("{\"process\":{\"selinuxLabel\":\"keep\"}}");
	_cleanup_json_ struct json *sec = parse("{\"type\":\"hardrun_web_t\"}");
	_cleanup_free_ char *warn = NULL;
	struct node_config nc = { .state_dir = tmpdir, .lsm_unavailable = LSM_UNAVAILABLE_SKIP };
	struct err e = { 0 };

	if (is_selinux_enabled() == 1) {
		fprintf(stderr, "SKIP apply_unavailable: SELinux is enabled here\n");
		return;
	}
	ck_assert_int_eq(label_apply(spec, "c1", sec, &nc, &warn, &e), 0);
	ck_assert_msg(warn && strstr(warn, "skip"), "%s", warn ? warn : "(null)");
	ck_assert_str_eq(json_string(json_get_path(spec, "process.selinuxLabel")), "keep");
	ck_assert_ptr_null(json_get_path(spec, "linux.mountLabel"));
	free(warn);
	nc.lsm_unavailable = LSM_UNAVAILABLE_FAIL;
	ck_assert_int_eq(label_apply(spec, "c1", sec, &nc, &warn, &e), -EOPNOTSUPP);
	ck_assert_ptr_null(warn);
	ck_assert_msg(strstr(e.msg, "not enabled"), "%s", e.msg);
	ck_assert_int_eq(label_apply(spec, "c1", NULL, &nc, &warn, &e), 0);
	ck_assert_int_eq(label_release(&nc, "c1", &e), 0);
}
END_TEST

START_TEST(test_exec)
{
	_cleanup_json_ struct json *p = parse("{\"selinuxLabel\":\"system_u:system_r:spc_t:s0\"}");
	_cleanup_json_ struct json *q = parse("{\"args\":[\"sh\"]}");
	struct err e = { 0 };

	ck_assert_int_eq(label_apply_exec(p, "system_u:system_r:hardrun_web_t:s0:c1,c2", &e), 0);
	ck_assert_str_eq(json_string(json_get(p, "selinuxLabel")),
			 "system_u:system_r:hardrun_web_t:s0:c1,c2");
	ck_assert_int_eq(label_apply_exec(q, NULL, &e), 0);
	ck_assert_ptr_null(json_get(q, "selinuxLabel"));
}
END_TEST

static char *export_fixture(const char *name, const char *section_file)
{
	_cleanup_free_ char *path = data_path(section_file);
	_cleanup_json_ struct json *sec = NULL;
	struct profile prof = { .name = (char *)name };
	struct err e = { 0 };
	char *text = NULL;

	ck_assert_msg(json_load_file(path, 1 << 20, &sec, &e) == 0, "%s", e.msg);
	prof.selinux = sec;
	ck_assert_msg(label_export_cil(&prof, &text, &e) == 0, "%s", e.msg);
	return text;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static const char *const cil_fixtures[] = { "web", "plain", NULL };

START_TEST(test_cil_golden)
{
	char json_name[64], cil_name[64];
	snprintf(json_name, sizeof(json_name), "%s.json", cil_fixtures[_i]);
	snprintf(cil_name, sizeof(cil_name), "%s.cil", cil_fixtures[_i]);
	_cleanup_free_ char *text = export_fixture(cil_fixtures[_i], json_name);
	_cleanup_free_ char *golden_path = data_path(cil_name);

	test_assert_golden(golden_path, text);
}
END_TEST

static bool have_secilc(void)
{
	return access("/usr/bin/secilc", X_OK) == 0 || access("/usr/sbin/secilc", X_OK) == 0;
}

/* secilc BASE MODULE [EXTRA]; returns its exit status. */
static int secilc(const char *base, const char *module_text, const char *extra)
{
	char mod[128], ext[128], cmd[1024];
	_cleanup_free_ char *basep = data_path(base);

	snprintf(mod, sizeof(mod), "%s/mod.cil", tmpdir);
	snprintf(ext, sizeof(ext), "%s/extra.cil", tmpdir);
	write_file(mod, module_text);
	write_file(ext, extra ? extra : "");
	snprintf(cmd, sizeof(cmd), "secilc -o %s/policy -f %s/fc '%s' '%s' '%s' >%s/out 2>&1",
		 tmpdir, tmpdir, basep, mod, ext, tmpdir);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_cil_compiles)
{
	_cleanup_free_ char *web = export_fixture("web", "web.json");
	_cleanup_free_ char *plain = export_fixture("plain", "plain.json");

	if (!have_secilc()) {
		fprintf(stderr, "SKIP cil_compiles: secilc not installed (package secilc); "
				"only the golden text was checked\n");
		return;
	}
	ck_assert_int_eq(secilc("minbase.cil", web, NULL), 0);
	ck_assert_int_eq(secilc("minbase.cil", plain, NULL), 0);
	ck_assert_int_eq(secilc("containerbase.cil", web, NULL), 0);
	/* the optional blocks are live when the container/unconfined symbols exist ... */
	ck_assert_int_ne(secilc("containerbase.cil", web,
				"(neverallow hardrun_web_t container_file_t (file (entrypoint)))"),
			 0);
	ck_assert_int_ne(secilc("containerbase.cil", web,
				"(neverallow unconfined_t hardrun_web_t (process (transition)))"),
			 0);
	/* ... and MCS-constrained in both bases */
	ck_assert_int_ne(secilc("minbase.cil", web,
				"(allow hardrun_web_t self (process (signal)))"
				"(neverallow mcs_constrained_type self (process (signal)))"),
			 0);
}
END_TEST

START_TEST(test_cil_refuses_host_types)
{
	_cleanup_json_ struct json *sec = parse("{\"type\":\"container_t\"}");
	struct profile prof = { .name = (char *)"x", .selinux = sec };
	struct profile none = { .name = (char *)"y" };
	struct err e = { 0 };
	char *text = NULL;

	ck_assert_int_eq(label_export_cil(&prof, &text, &e), -EINVAL);
	ck_assert_msg(strstr(e.msg, "hardrun_"), "%s", e.msg);
	ck_assert_int_eq(label_export_cil(&none, &text, &e), -EINVAL);
	ck_assert_ptr_null(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("label");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_mcs_unique_release_reallocate);
	tcase_add_test(tc, test_mcs_concurrent);
	tcase_add_test(tc, test_mcs_bad_keys);
	tcase_add_test(tc, test_levels);
	tcase_add_loop_test(tc, test_bad_sections, 0, (int)test_strv_count(bad_sections));
	tcase_add_test(tc, test_compute);
	tcase_add_test(tc, test_apply_unavailable);
	tcase_add_test(tc, test_exec);
	tcase_add_loop_test(tc, test_cil_golden, 0, (int)test_strv_count(cil_fixtures));
	tcase_add_test(tc, test_cil_compiles);
	tcase_add_test(tc, test_cil_refuses_host_types);
	suite_add_tcase(s, tc);

	return test_run(s);
}
