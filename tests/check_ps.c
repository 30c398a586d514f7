// SPDX-License-Identifier: GPL-2.0-or-later
/* `hardrun ps`: rows from a state directory, and which `ps` is whose. */
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/cmd_ps.h"
#include "hardrun/fsutil.h"
#include "hardrun/monitor.h"
#include "testutil.h"

static void _write(const char *dir, const char *name, const char *text)
{
	char path[4096];
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(fs_write_atomic(path, text, strlen(text), 0600, NULL), 0);
}

START_TEST(test_collect)
{
	char root[] = "/tmp/hardrun-ps-XXXXXX", dir[4096], other[4096];
	size_t len;
	ck_assert_ptr_nonnull(mkdtemp(root));
	(void)snprintf(dir, sizeof(dir), "%s/0123456789abcdef", root);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	_cleanup_free_ char *text = test_read("cri/containerd-1.6.json", &len);
	_cleanup_json_ struct json *doc = NULL;
	ck_assert_int_eq(json_parse(text, len, &doc, NULL), 0);
	char sock[4200];
	(void)snprintf(sock, sizeof(sock), "%s/monitor.sock", dir);
	struct monitor_spec s = { .container_id = "app-1",
				  .state_dir = dir,
				  .socket_path = sock,
				  .mode = MODE_AUDIT,
				  .profile_name = "web",
				  .annotations = json_get(doc, "container"),
				  .mechanism = MONITOR_MECH_NOTIFY,
				  .limits = MONITOR_LIMITS_DEFAULT };
	ck_assert_int_eq(monitor_spec_write(&s, NULL), 0);
	char pid[32];
	(void)snprintf(pid, sizeof(pid), "%d\n", (int)getpid()); /* alive, but no monitor */
	_write(dir, "monitor.pid", pid);
	_write(dir, "stats.json", "{\"events\":20000,\"lastEvent\":\"2026-12-08T01:00:00.5Z\"}\n");
	/* not containers: a dir of another name, a key dir without monitor.json */
	(void)snprintf(other, sizeof(other), "%s/mcs", root);
	ck_assert_int_eq(mkdir(other, 0700), 0);
	(void)snprintf(other, sizeof(other), "%s/fedcba9876543210", root);
	ck_assert_int_eq(mkdir(other, 0700), 0);

	_cleanup_json_ struct json *rows = NULL;
	struct err e = { 0 };
	ck_assert_msg(ps_collect(root, &rows, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(rows->n, 1);
	const struct json *r = rows->items[0];
	ck_assert_str_eq(json_string(json_get(r, "id")), "app-1");
	ck_assert_str_eq(json_string(json_get(r, "namespace")), "team-a");
	ck_assert_str_eq(json_string(json_get(r, "pod")), "web-7d9f4");
	ck_assert_str_eq(json_string(json_get(r, "container")), "app");
	ck_assert_str_eq(json_string(json_get(r, "profile")), "web");
	ck_assert_str_eq(json_string(json_get(r, "mode")), "audit");
	ck_assert_str_eq(json_string(json_get(r, "mechanism")), "notify");
	int64_t v;
	ck_assert_int_eq(json_to_int64(json_get(r, "monitorPid"), &v), 0);
	ck_assert_int_eq(v, getpid());
	ck_assert(!json_is_true(json_get(r, "monitorAlive")));
	ck_assert_int_eq(json_to_int64(json_get(r, "events"), &v), 0);
	ck_assert_int_eq(v, 20000);
	ck_assert_str_eq(json_string(json_get(r, "lastEvent")), "2026-12-08T01:00:00.5Z");

	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	ps_print_text(f, rows);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "CONTAINER"));
	ck_assert_ptr_nonnull(strstr(out, "app-1"));
	ck_assert_ptr_nonnull(strstr(out, "web-7d9f4"));
	ck_assert_ptr_nonnull(strstr(out, " no "));
	free(out);
	/* a missing state root: no containers, no error */
	_cleanup_json_ struct json *none = NULL;
	ck_assert_int_eq(ps_collect("/nonexistent/hardrun", &none, NULL), 0);
	ck_assert_uint_eq(none->n, 0);
	(void)fs_rm_rf(root, NULL);
}
END_TEST

START_TEST(test_whose)
{
	char *ours[] = { "ps", "--format", "json", NULL };
	char *bare[] = { "ps", NULL };
	char *runc1[] = { "ps", "abc", NULL };
	char *runc2[] = { "ps", "--format", "json", "abc", NULL };
	ck_assert(cmd_ps_is_ours(3, ours));
	ck_assert(cmd_ps_is_ours(1, bare));
	ck_assert(!cmd_ps_is_ours(2, runc1));
	ck_assert(!cmd_ps_is_ours(4, runc2));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ps");
	TCase *tc = tcase_create("ps");
	tcase_add_test(tc, test_collect);
	tcase_add_test(tc, test_whose);
	suite_add_tcase(s, tc);
	return test_run(s);
}
