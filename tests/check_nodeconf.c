// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <unistd.h>

#include "hardrun/fsutil.h"
#include "hardrun/nodeconf.h"
#include "testutil.h"

START_TEST(test_full_config)
{
	size_t len;
	char *text = test_read("nodeconf/full.json", &len);
	struct node_config nc;
	struct err e = { 0 };
	ck_assert_msg(nodeconf_parse(text, len, &nc, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(nc.runtime, "/usr/bin/crun");
	ck_assert_int_eq(nc.default_mode, MODE_AUDIT);
	ck_assert_str_eq(nc.default_profile, "restricted");
	ck_assert_str_eq(nc.allowed_profiles[0], "restricted");
	ck_assert_str_eq(nc.allowed_profiles[1], "web-1.2");
	ck_assert_ptr_null(nc.allowed_profiles[2]);
	ck_assert(nc.allow_mode_off);
	ck_assert_str_eq(nc.profile_dirs[0], "/srv/profiles");
	ck_assert_str_eq(nc.state_dir, "/run/hr");
	ck_assert_str_eq(nc.recordings_dir, "/var/lib/hr");
	ck_assert_str_eq(nc.events_file, "/var/log/hr.jsonl");
	ck_assert_int_eq(nc.lsm_unavailable, LSM_UNAVAILABLE_FAIL);
	ck_assert_uint_eq(nc.limits.event_rate, 5);
	ck_assert_uint_eq(nc.limits.event_burst, 50);
	ck_assert_uint_eq(nc.limits.event_window_s, 30);
	ck_assert_uint_eq(nc.limits.exec_log_max, 1048576);
	ck_assert_int_eq(nc.limits.lost, MONITOR_LOST_KILL);
	ck_assert(nodeconf_profile_allowed(&nc, "web-1.2"));
	ck_assert(!nodeconf_profile_allowed(&nc, "baseline"));
	nodeconf_release(&nc);
	free(text);
}
END_TEST

START_TEST(test_defaults)
{
	struct node_config nc;
	ck_assert_int_eq(nodeconf_parse("{}", 2, &nc, NULL), 0);
	ck_assert_str_eq(nc.runtime, "/usr/sbin/runc");
	ck_assert_int_eq(nc.default_mode, MODE_ENFORCE);
	ck_assert_str_eq(nc.default_profile, "baseline");
	ck_assert(nodeconf_profile_allowed(&nc, "restricted"));
	ck_assert(!nc.allow_mode_off);
	ck_assert_str_eq(nc.state_dir, "/run/hardrun");
	ck_assert_int_eq(nc.lsm_unavailable, LSM_UNAVAILABLE_SKIP);
	ck_assert_uint_eq(nc.limits.event_rate, 20);
	ck_assert_uint_eq(nc.limits.event_burst, 100);
	ck_assert_uint_eq(nc.limits.event_window_s, 10);
	ck_assert_uint_eq(nc.limits.exec_log_max, 16u << 20);
	ck_assert_int_eq(nc.limits.lost, MONITOR_LOST_KEEP);
	nodeconf_release(&nc);
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad[] = {
	{ "{\"runtimee\":\"/x\"}", "unknown key \"runtimee\"" },
	{ "{\"runtime\":\"runc\"}", "runtime: must be an absolute path" },
	{ "{\"runtime\":1}", "runtime: must be an absolute path" },
	{ "{\"defaultMode\":\"strict\"}", "defaultMode: must be one of" },
	{ "{\"defaultProfile\":\"../etc/passwd\"}", "defaultProfile: not a valid profile name" },
	{ "{\"allowedProfiles\":\"baseline\"}", "allowedProfiles: must be an array" },
	{ "{\"allowedProfiles\":[\"a/b\"]}", "allowedProfiles[0]: must be a profile name" },
	{ "{\"allowModeOff\":\"yes\"}", "allowModeOff: must be true or false" },
	{ "{\"profileDirs\":[\"rel\"]}", "profileDirs[0]: must be an absolute path" },
	{ "{\"lsmUnavailable\":\"ignore\"}", "lsmUnavailable: must be" },
	{ "{\"eventRate\":0}", "eventRate: must be an integer from 1 to 10000" },
	{ "{\"eventBurst\":\"100\"}", "eventBurst: must be an integer" },
	{ "{\"eventWindow\":1.5}", "eventWindow: must be an integer" },
	{ "{\"execLogMaxSize\":-1}", "execLogMaxSize: must be an integer from 4096" },
	{ "{\"monitorLost\":\"restart\"}", "monitorLost: must be \"keep\" or \"kill\"" },
	{ "[]", "must be a JSON object" },
	{ "{\"stateDir\":", "invalid JSON" },
};

START_TEST(test_bad)
{
	struct node_config nc;
	struct err e = { 0 };
	ck_assert_int_lt(nodeconf_parse(bad[_i].text, strlen(bad[_i].text), &nc, &e), 0);
	ck_assert_msg(strstr(e.msg, bad[_i].msg), "'%s' gave '%s'", bad[_i].text, e.msg);
}
END_TEST

START_TEST(test_load_env_and_missing)
{
	struct node_config nc;
	struct err e = { 0 };
	char dir[] = "/tmp/hardrun-nc-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[256];
	(void)snprintf(path, sizeof(path), "%s/config.json", dir);
	/* explicit file that does not exist: an error, not silent defaults */
	setenv("HARDRUN_CONFIG", path, 1);
	ck_assert_int_eq(nodeconf_load(NULL, &nc, &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "node config"));
	const char *t = "{\"defaultMode\":\"off\"}";
	ck_assert_int_eq(fs_write_atomic(path, t, strlen(t), 0644, NULL), 0);
	ck_assert_int_eq(nodeconf_load(NULL, &nc, &e), 0);
	ck_assert_int_eq(nc.default_mode, MODE_OFF);
	ck_assert_str_eq(nc.path, path);
	nodeconf_release(&nc);
	t = "{\"bogus\":1}";
	ck_assert_int_eq(fs_write_atomic(path, t, strlen(t), 0644, NULL), 0);
	ck_assert_int_lt(nodeconf_load(NULL, &nc, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, path));
	ck_assert_ptr_nonnull(strstr(e.msg, "unknown key \"bogus\""));
	unsetenv("HARDRUN_CONFIG");
	(void)fs_rm_rf(dir, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nodeconf");
	TCase *tc = tcase_create("nodeconf");
	tcase_add_test(tc, test_full_config);
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_load_env_and_missing);
	suite_add_tcase(s, tc);
	return test_run(s);
}
