// SPDX-License-Identifier: GPL-2.0-or-later
/* Policy resolution from node config + hostile annotations. */
#include <errno.h>

#include "hardrun/cleanup.h"
#include "hardrun/policy.h"
#include "testutil.h"

static struct node_config nc;

static void setup(void)
{
	const char *t = "{\"allowedProfiles\":[\"baseline\",\"restricted\",\"web\"]}";
	ck_assert_int_eq(nodeconf_parse(t, strlen(t), &nc, NULL), 0);
}

static void teardown(void)
{
	nodeconf_release(&nc);
}

static int _resolve(const char *annotations, struct policy *p, struct err *e)
{
	struct json *a = NULL;
	ck_assert_int_eq(json_parse(annotations, strlen(annotations), &a, NULL), 0);
	int r = policy_resolve(&nc, a, p, e);
	json_free(a);
	return r;
}

static const struct {
	const char *ann;
	const char *profile;
	enum hr_mode mode;
	const char *container;
	bool monitor;
} good[] = {
	{ "{}", "baseline", MODE_ENFORCE, "", true },
	{ "{\"profile.hardrun.io/POD\":\"restricted\"}", "restricted", MODE_ENFORCE, "", true },
	{ "{\"io.kubernetes.cri.container-name\":\"app\",\"profile.hardrun.io/POD\":\"restricted\","
	  "\"profile.hardrun.io/app\":\"web\"}",
	  "web", MODE_ENFORCE, "app", true },
	{ "{\"io.kubernetes.container.name\":\"side\",\"profile.hardrun.io/app\":\"web\"}",
	  "baseline", MODE_ENFORCE, "side", true },
	{ "{\"mode.hardrun.io/POD\":\"learn\"}", "baseline", MODE_LEARN, "", true },
	{ "{\"io.kubernetes.cri.container-name\":\"a\",\"mode.hardrun.io/POD\":\"learn\","
	  "\"mode.hardrun.io/a\":\"audit\"}",
	  "baseline", MODE_AUDIT, "a", true },
	{ "{\"io.kubernetes.cri.container-type\":\"sandbox\",\"profile.hardrun.io/POD\":\"web\"}",
	  "baseline", MODE_ENFORCE, "", false },
	{ "{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\"}", "baseline", MODE_ENFORCE, "",
	  false },
	{ "{\"other.example.com/x\":\"../../x\"}", "baseline", MODE_ENFORCE, "", true },
};

START_TEST(test_good)
{
	struct policy p;
	struct err e = { 0 };
	ck_assert_msg(_resolve(good[_i].ann, &p, &e) == 0, "%s: %s", good[_i].ann, e.msg);
	ck_assert_str_eq(p.profile, good[_i].profile);
	ck_assert_int_eq(p.mode, good[_i].mode);
	ck_assert_str_eq(p.container_name, good[_i].container);
	ck_assert_int_eq(p.monitor, good[_i].monitor);
}
END_TEST

static const struct {
	const char *ann;
	const char *msg;
} hostile[] = {
	{ "{\"profile.hardrun.io/POD\":\"../../etc/passwd\"}",
	  "annotation profile.hardrun.io/POD: \"../../etc/passwd\" is not a valid profile name" },
	{ "{\"profile.hardrun.io/POD\":\"/etc/hardrun/profiles/x\"}", "not a valid profile name" },
	{ "{\"profile.hardrun.io/POD\":\"a/b\"}", "not a valid profile name" },
	{ "{\"profile.hardrun.io/POD\":\"a..b\"}", "not a valid profile name" },
	{ "{\"profile.hardrun.io/POD\":\"\"}", "not a valid profile name" },
	{ "{\"profile.hardrun.io/POD\":\"unknown\"}",
	  "profile \"unknown\" is not in the node's allowedProfiles" },
	{ "{\"profile.hardrun.io/POD\":\"bas\\u0000eline\"}", "without NUL bytes" },
	{ "{\"profile.hardrun.io/POD\":\"base\\nline\"}", "control or non-ASCII byte" },
	{ "{\"profile.hardrun.io/POD\":\"b\\u00e4seline\"}", "control or non-ASCII byte" },
	{ "{\"profile.hardrun.io/POD\":7}", "must be a string" },
	{ "{\"profile.hardrun.io/POD\":\"baseline\",\"profile.hardrun.io/POD\":\"web\"}",
	  "given more than once" },
	{ "{\"mode.hardrun.io/POD\":\"off\"}", "mode \"off\" is not allowed on this node" },
	{ "{\"mode.hardrun.io/POD\":\"permissive\"}", "unknown mode \"permissive\"" },
	{ "{\"profiles.hardrun.io/POD\":\"baseline\"}", "unknown hardrun annotation" },
	{ "{\"io.kubernetes.cri.container-name\":\"a\\u0001\"}",
	  "annotation io.kubernetes.cri.container-name: value contains a control" },
	{ "{\"mode.hardrun.io/POD\":\"enforce\",\"x\":1,\"mode.hardrun.io/POD\":\"learn\"}",
	  "given more than once" },
};

START_TEST(test_hostile)
{
	struct policy p;
	struct err e = { 0 };
	ck_assert_int_lt(_resolve(hostile[_i].ann, &p, &e), 0);
	ck_assert_msg(strstr(e.msg, hostile[_i].msg), "%s gave '%s'", hostile[_i].ann, e.msg);
}
END_TEST

START_TEST(test_too_long)
{
	char ann[1024];
	char name[300];
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	(void)snprintf(ann, sizeof(ann), "{\"profile.hardrun.io/POD\":\"%s\"}", name);
	struct policy p;
	struct err e = { 0 };
	ck_assert_int_lt(_resolve(ann, &p, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "longer than 253 bytes"));
}
END_TEST

START_TEST(test_mode_off_allowed_and_default_off)
{
	struct policy p;
	nc.allow_mode_off = true;
	ck_assert_int_eq(_resolve("{\"mode.hardrun.io/POD\":\"off\"}", &p, NULL), 0);
	ck_assert_int_eq(p.mode, MODE_OFF);
	ck_assert(!p.monitor);
	nc.allow_mode_off = false;
	nc.default_mode = MODE_OFF;
	ck_assert_int_eq(_resolve("{}", &p, NULL), 0);
	ck_assert_int_eq(p.mode, MODE_OFF);
	/* opting in on an off-by-default node */
	ck_assert_int_eq(_resolve("{\"mode.hardrun.io/POD\":\"enforce\"}", &p, NULL), 0);
	ck_assert_int_eq(p.mode, MODE_ENFORCE);
	ck_assert_int_eq(policy_resolve(&nc, NULL, &p, NULL), 0);
	ck_assert_int_eq(p.mode, MODE_OFF);
}
END_TEST

START_TEST(test_wildcard_allowed)
{
	strv_free(nc.allowed_profiles);
	nc.allowed_profiles = calloc(2, sizeof(char *));
	nc.allowed_profiles[0] = strdup("*");
	struct policy p;
	ck_assert_int_eq(_resolve("{\"profile.hardrun.io/POD\":\"anything-1\"}", &p, NULL), 0);
	ck_assert_str_eq(p.profile, "anything-1");
	struct err e = { 0 };
	ck_assert_int_lt(_resolve("{\"profile.hardrun.io/POD\":\"../x\"}", &p, &e), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, test_hostile, 0, sizeof(hostile) / sizeof(hostile[0]));
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_mode_off_allowed_and_default_off);
	tcase_add_test(tc, test_wildcard_allowed);
	suite_add_tcase(s, tc);
	return test_run(s);
}
