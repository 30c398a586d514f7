// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AppArmor rendering: golden text per fixture (tests/data/apparmor/<n>.json
 * -> <n>.aa; HARDRUN_UPDATE_GOLDEN=1 rewrites them), every rendered profile
 * compiles with apparmor_parser -Q -K (no kernel needed), hostile sections
 * are rejected, and the apply/exec paths on a host without AppArmor.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>

#include "hardrun/apparmor.h"
#include "hardrun/cleanup.h"
#include "hardrun/json.h"
#include "testutil.h"

static const char *const fixtures[] = { "permissive", "denyall", "web", "filesonly", NULL };

static char *data_path(const char *name, const char *ext)
{
	const char *dir = getenv("HARDRUN_TEST_DATA");
	char *p = NULL;

	ck_assert_int_ge(asprintf(&p, "%s/apparmor/%s.%s", dir ? dir : "tests/data", name, ext), 0);
	return p;
}

static struct json *load_fixture(const char *name)
{
	_cleanup_free_ char *p = data_path(name, "json");
	struct json *j = NULL;
	struct err e = { 0 };

	ck_assert_msg(json_load_file(p, 1 << 20, &j, &e) == 0, "%s: %s", p, e.msg);
	return j;
}

static struct json *parse(const char *text)
{
	struct json *j = NULL;
	struct err e = { 0 };

	ck_assert_msg(json_parse(text, strlen(text), &j, &e) == 0, "%s: %s", text, e.msg);
	return j;
}

START_TEST(test_golden)
{
	const char *name = fixtures[_i];
	_cleanup_json_ struct json *sec = load_fixture(name);
	_cleanup_free_ char *text = NULL, *golden_path = data_path(name, "aa");
	struct err e = { 0 };

	ck_assert_msg(apparmor_render(name, sec, &text, &e) == 0, "%s: %s", name, e.msg);
	test_assert_golden(golden_path, text);
}
END_TEST

START_TEST(test_parser_compiles)
{
	static const char *const args[] = { "-Q", "-K", NULL };
	const char *name = fixtures[_i];
	_cleanup_json_ struct json *sec = load_fixture(name);
	_cleanup_free_ char *text = NULL;
	struct err e = { 0 };

	if (!apparmor_parser_path()) {
		fprintf(stderr, "SKIP %s: apparmor_parser not installed (package apparmor)\n",
			name);
		return;
	}
	ck_assert_int_eq(apparmor_render(name, sec, &text, &e), 0);
	ck_assert_msg(apparmor_parser_run(args, text, &e) == 0, "%s: %s\n%s", name, e.msg, text);
}
END_TEST

START_TEST(test_parser_reports_errors)
{
	static const char *const args[] = { "-Q", "-K", NULL };
	struct err e = { 0 };

	if (!apparmor_parser_path())
		return;
	ck_assert_int_lt(apparmor_parser_run(args, "profile x { bogus rule here, }\n", &e), 0);
	ck_assert_msg(strstr(e.msg, "apparmor_parser failed (exit") != NULL, "%s", e.msg);
}
END_TEST

/* Each must be rejected by apparmor_validate (and so never rendered). */
static const char *const hostile[] = {
	"{\"files\":[{\"path\":\"/a\\\" rwx,\\n  /** rwx, #\",\"access\":\"r\"}]}",
	"{\"files\":[{\"path\":\"/a\\n/** ix\",\"access\":\"r\"}]}",
	"{\"files\":[{\"path\":\"/a}\\nprofile evil {\",\"access\":\"r\"}]}",
	"{\"files\":[{\"path\":\"/{a,b}\",\"access\":\"r\"}]}",
	"{\"files\":[{\"path\":\"/a, /** rwx\",\"access\":\"r\"}]}",
	"{\"files\":[{\"path\":\"/@{HOME}\",\"access\":\"r\"}]}",
	"{\"files\":[{\"path\":\"/a\\\\\",\"access\":\"r\"}]}",
	"{\"files\":[{\"path\":\"/a\\u0000b\",\"access\":\"r\"}]}",
	"{\"files\":[{\"path\":\"relative\",\"access\":\"r\"}]}",
	"{\"files\":[{\"path\":\"/a/../etc\",\"access\":\"r\"}]}",
	"{\"files\":[{\"path\":\"/a[/]b\",\"access\":\"r\"}]}",
	"{\"files\":[{\"path\":\"/a\",\"access\":\"rwx, /** ux\"}]}",
	"{\"files\":[{\"path\":\"/a\",\"access\":\"rr\"}]}",
	"{\"files\":[{\"path\":\"/a\",\"access\":\"wa\"}]}",
	"{\"files\":[{\"path\":\"/a\",\"access\":\"\"}]}",
	"{\"files\":[{\"path\":\"/a\",\"access\":\"r\",\"mode\":\"x\"}]}",
	"{\"files\":[\"/a\"]}",
	"{\"exec\":[\"/bin/sh ux,\"]}",
	"{\"exec\":[\"/bin/\\u00e9\"]}",
	"{\"network\":[\"inet stream, capability sys_admin\"]}",
	"{\"network\":[\"inet\\nstream\"]}",
	"{\"network\":[\"bogus\"]}",
	"{\"network\":[\"inet stream tcp\"]}",
	"{\"capabilities\":[\"sys_admin, file\"]}",
	"{\"capabilities\":[\"CAP_chown\"]}",
	"{\"defaultDeny\":\"yes\"}",
	"{\"files\":{}}",
	"{\"unknown\":1}",
	"{\"profile\":\"unconfined\"}",
	"{\"profile\":\"a b\"}",
	"{\"profile\":\"../x\"}",
	"{\"profile\":\"x\",\"files\":[]}",
	"[]",
	NULL,
};

START_TEST(test_hostile_rejected)
{
	_cleanup_json_ struct json *sec = parse(hostile[_i]);
	_cleanup_free_ char *text = NULL;
	struct err e = { 0 };

	ck_assert_msg(apparmor_render("t", sec, &text, &e) == -EINVAL, "accepted: %s", hostile[_i]);
	ck_assert_ptr_null(text);
	ck_assert_str_ne(e.msg, "");
}
END_TEST

START_TEST(test_hostile_names)
{
	_cleanup_json_ struct json *sec = parse("{}");
	_cleanup_free_ char *text = NULL;
	struct err e = { 0 };

	ck_assert_int_eq(apparmor_render("a b", sec, &text, &e), -EINVAL);
	ck_assert_int_eq(apparmor_render("x{", sec, &text, &e), -EINVAL);
	ck_assert_int_eq(apparmor_render("a/b", sec, &text, &e), -EINVAL);
	ck_assert_int_eq(apparmor_render("", sec, &text, &e), -EINVAL);
	ck_assert_int_eq(apparmor_render(NULL, sec, &text, &e), -EINVAL);
	ck_assert(apparmor_name_valid("docker-default"));
	ck_assert(apparmor_name_valid("cri-containerd.apparmor.d"));
	ck_assert(!apparmor_name_valid("unconfined"));
	ck_assert(!apparmor_name_valid("-x"));
}
END_TEST

START_TEST(test_host_profile)
{
	_cleanup_json_ struct json *sec = load_fixture("host");
	_cleanup_free_ char *text = NULL, *name = NULL;
	struct err e = { 0 };

	ck_assert_int_eq(apparmor_render("host", sec, &text, &e), -EINVAL);
	ck_assert_int_eq(apparmor_profile_for("host", sec, &name, &e), 0);
	ck_assert_str_eq(name, "docker-default");
}
END_TEST

static struct node_config nc_with(enum lsm_unavailable u)
{
	struct node_config nc = { .lsm_unavailable = u };
	return nc;
}

/* This host has no AppArmor: skip warns and leaves the spec alone, fail fails. */
START_TEST(test_apply_unavailable)
{
	_cleanup_json_ struct json *spec = parse("{\"process\":{\"apparmorProfile\":\"keep\"}}");
	_cleanup_json_ struct json *sec = load_fixture("web");
	_cleanup_free_ char *warn = NULL;
	struct node_config skip = nc_with(LSM_UNAVAILABLE_SKIP),
			   fail = nc_with(LSM_UNAVAILABLE_FAIL);
	struct err e = { 0 };

	if (aa_is_enabled() == 1) {
		fprintf(stderr, "SKIP apply_unavailable: AppArmor is enabled here\n");
		return;
	}
	ck_assert_int_eq(apparmor_apply(spec, "web", sec, &skip, &warn, &e), 0);
	ck_assert_ptr_nonnull(warn);
	ck_assert_msg(strstr(warn, "hardrun-web") && strstr(warn, "skip"), "%s", warn);
	ck_assert_str_eq(json_string(json_get_path(spec, "process.apparmorProfile")), "keep");
	free(warn);
	ck_assert_int_eq(apparmor_apply(spec, "web", sec, &fail, &warn, &e), -EOPNOTSUPP);
	ck_assert_ptr_null(warn);
	ck_assert_msg(strstr(e.msg, "not enabled") && strstr(e.msg, "fail"), "%s", e.msg);
}
END_TEST

START_TEST(test_apply_no_section_keeps_bundle)
{
	_cleanup_json_ struct json *spec = parse("{\"process\":{\"apparmorProfile\":\"keep\"}}");
	struct node_config fail = nc_with(LSM_UNAVAILABLE_FAIL);
	char *warn = (char *)"x";
	struct err e = { 0 };

	ck_assert_int_eq(apparmor_apply(spec, "web", NULL, &fail, &warn, &e), 0);
	ck_assert_ptr_null(warn);
	ck_assert_str_eq(json_string(json_get_path(spec, "process.apparmorProfile")), "keep");
}
END_TEST

START_TEST(test_apply_invalid_section_fails_even_when_skipping)
{
	_cleanup_json_ struct json *spec = parse("{}");
	_cleanup_json_ struct json *sec =
		parse("{\"files\":[{\"path\":\"/a\\\"\",\"access\":\"r\"}]}");
	_cleanup_free_ char *warn = NULL;
	struct node_config skip = nc_with(LSM_UNAVAILABLE_SKIP);
	struct err e = { 0 };

	ck_assert_int_eq(apparmor_apply(spec, "web", sec, &skip, &warn, &e), -EINVAL);
}
END_TEST

START_TEST(test_exec_takes_container_profile)
{
	_cleanup_json_ struct json *p =
		parse("{\"args\":[\"sh\"],\"apparmorProfile\":\"unconfined\"}");
	_cleanup_json_ struct json *q = parse("{\"args\":[\"sh\"],\"apparmorProfile\":\"other\"}");
	struct err e = { 0 };

	ck_assert_int_eq(apparmor_apply_exec(p, "hardrun-web", &e), 0);
	ck_assert_str_eq(json_string(json_get(p, "apparmorProfile")), "hardrun-web");
	/* container without a profile: nothing to tighten to, exec's own kept */
	ck_assert_int_eq(apparmor_apply_exec(q, NULL, &e), 0);
	ck_assert_int_eq(apparmor_apply_exec(q, "unconfined", &e), 0);
	ck_assert_str_eq(json_string(json_get(q, "apparmorProfile")), "other");
	_cleanup_json_ struct json *none = parse("{\"args\":[\"sh\"]}");
	ck_assert_int_eq(apparmor_apply_exec(none, "docker-default", &e), 0);
	ck_assert_str_eq(json_string(json_get(none, "apparmorProfile")), "docker-default");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("apparmor");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_golden, 0, (int)test_strv_count(fixtures));
	tcase_add_loop_test(tc, test_parser_compiles, 0, (int)test_strv_count(fixtures));
	tcase_add_test(tc, test_parser_reports_errors);
	tcase_add_loop_test(tc, test_hostile_rejected, 0, (int)test_strv_count(hostile));
	tcase_add_test(tc, test_hostile_names);
	tcase_add_test(tc, test_host_profile);
	tcase_add_test(tc, test_apply_unavailable);
	tcase_add_test(tc, test_apply_no_section_keeps_bundle);
	tcase_add_test(tc, test_apply_invalid_section_fails_even_when_skipping);
	tcase_add_test(tc, test_exec_takes_container_profile);
	suite_add_tcase(s, tc);

	return test_run(s);
}
