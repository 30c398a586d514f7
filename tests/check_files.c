// SPDX-License-Identifier: GPL-2.0-or-later
/* Atomic replacement and the runtime log line format. */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/fsutil.h"
#include "hardrun/rtlog.h"
#include "hardrun/json.h"
#include "testutil.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/hardrun-files-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	(void)fs_rm_rf(dir, NULL);
}

static int _count_entries(const char *d)
{
	int n = 0;
	DIR *dd = opendir(d);
	struct dirent *de;
	while ((de = readdir(dd)))
		n += de->d_name[0] != '.';
	closedir(dd);
	return n;
}

START_TEST(test_atomic_replace_keeps_mode)
{
	char path[512];
	(void)snprintf(path, sizeof(path), "%s/config.json", dir);
	ck_assert_int_eq(fs_write_atomic(path, "old", 3, 0640, NULL), 0);
	ck_assert_int_eq(fs_write_atomic(path, "newer", 5, 0640, NULL), 0);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	char *text = NULL;
	size_t len;
	ck_assert_int_eq(fs_read_file(path, 100, &text, &len, NULL), 0);
	ck_assert_str_eq(text, "newer");
	free(text);
	ck_assert_int_eq(_count_entries(dir), 1); /* no temp file left */
}
END_TEST

/* Every sync level replaces atomically: content, mode, no temp file left. */
START_TEST(test_atomic_sync_levels)
{
	static const enum fs_sync levels[] = { FS_SYNC_NONE, FS_SYNC_FILE, FS_SYNC_DURABLE };
	char path[512], want[16];
	(void)snprintf(path, sizeof(path), "%s/state.json", dir);
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		int n = snprintf(want, sizeof(want), "level-%zu", i);
		ck_assert_int_eq(fs_write_atomic_sync(path, want, (size_t)n, 0600, levels[i], NULL),
				 0);
		char *text = NULL;
		size_t len;
		struct stat st;
		ck_assert_int_eq(fs_read_file(path, 100, &text, &len, NULL), 0);
		ck_assert_str_eq(text, want);
		free(text);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_int_eq(st.st_mode & 07777, 0600);
		ck_assert_int_eq(_count_entries(dir), 1);
	}
}
END_TEST

START_TEST(test_atomic_failure_leaves_original)
{
	char path[512], sub[256];
	(void)snprintf(sub, sizeof(sub), "%s/ro", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	(void)snprintf(path, sizeof(path), "%s/config.json", sub);
	ck_assert_int_eq(fs_write_atomic(path, "orig", 4, 0644, NULL), 0);
	/* target is a directory: rename fails, the temp file is removed */
	char target[512];
	(void)snprintf(target, sizeof(target), "%s/adir", sub);
	ck_assert_int_eq(mkdir(target, 0755), 0);
	char name[600];
	(void)snprintf(name, sizeof(name), "%s/adir/x", sub);
	ck_assert_int_eq(mkdir(name, 0755), 0);
	struct err e = { 0 };
	ck_assert_int_lt(fs_write_atomic(target, "data", 4, 0644, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "rename"));
	ck_assert_int_eq(_count_entries(sub), 2);
	/* missing directory: clear error */
	ck_assert_int_lt(fs_write_atomic("/nonexistent-dir/x", "a", 1, 0644, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent-dir/x"));
}
END_TEST

/* The two-half write: nothing at path until commit; abort and a failed
 * commit leave only what was there; the background fsync is joined. */
START_TEST(test_write_begin_commit_abort)
{
	char path[512], target[512];
	struct fs_pending w;
	char *text = NULL;
	size_t len;
	(void)snprintf(path, sizeof(path), "%s/config.json", dir);
	ck_assert_int_eq(fs_write_atomic(path, "orig", 4, 0644, NULL), 0);

	ck_assert_int_eq(fs_write_begin(path, "new", 3, 0600, FS_SYNC_FILE, true, &w, NULL), 0);
	ck_assert_int_eq(_count_entries(dir), 2); /* the temporary file, aside */
	ck_assert_int_eq(fs_read_file(path, 100, &text, &len, NULL), 0);
	ck_assert_str_eq(text, "orig");
	free(text);
	fs_write_abort(&w);
	ck_assert_int_eq(_count_entries(dir), 1);
	ck_assert_int_eq(fs_read_file(path, 100, &text, &len, NULL), 0);
	ck_assert_str_eq(text, "orig");
	free(text);

	ck_assert_int_eq(fs_write_begin(path, "new", 3, 0600, FS_SYNC_FILE, true, &w, NULL), 0);
	ck_assert_int_eq(fs_write_commit(&w, NULL), 0);
	ck_assert_int_eq(_count_entries(dir), 1);
	ck_assert_int_eq(fs_read_file(path, 100, &text, &len, NULL), 0);
	ck_assert_str_eq(text, "new");
	free(text);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);

	/* a commit whose rename fails (the target became a non-empty
	 * directory) removes the temporary file and names the rename */
	(void)snprintf(target, sizeof(target), "%s/adir", dir);
	ck_assert_int_eq(fs_write_begin(target, "x", 1, 0644, FS_SYNC_FILE, true, &w, NULL), 0);
	ck_assert_int_eq(mkdir(target, 0755), 0);
	char inner[600];
	(void)snprintf(inner, sizeof(inner), "%s/keep", target);
	ck_assert_int_eq(mkdir(inner, 0755), 0);
	struct err e = { 0 };
	ck_assert_int_lt(fs_write_commit(&w, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "rename"));
	ck_assert_int_eq(_count_entries(dir), 2); /* config.json and adir */

	/* a begin that fails leaves nothing to commit or abort */
	ck_assert_int_lt(
		fs_write_begin("/nonexistent-dir/x", "a", 1, 0644, FS_SYNC_FILE, true, &w, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent-dir/x"));
}
END_TEST

START_TEST(test_log_json_line)
{
	char buf[512];
	int n = rtlog_format(buf, sizeof(buf), true, RTLOG_ERROR, 1795000000,
			     "hardrun: bad \"x\"\nnext\x01");
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf,
			 "{\"level\":\"error\",\"msg\":\"hardrun: bad \\\"x\\\"\\nnext\\u0001\","
			 "\"time\":\"2026-11-18T11:06:40Z\"}\n");
	/* parses as JSON */
	struct json *j = NULL;
	ck_assert_int_eq(json_parse(buf, (size_t)n, &j, NULL), 0);
	ck_assert_str_eq(json_string(json_get(j, "level")), "error");
	json_free(j);
}
END_TEST

START_TEST(test_log_text_line)
{
	char buf[512];
	ck_assert_int_gt(rtlog_format(buf, sizeof(buf), false, RTLOG_WARNING, 0, "hardrun: w"), 0);
	ck_assert_str_eq(buf, "time=\"1970-01-01T00:00:00Z\" level=warning msg=\"hardrun: w\"\n");
}
END_TEST

START_TEST(test_log_append)
{
	char path[512];
	(void)snprintf(path, sizeof(path), "%s/log.json", dir);
	ck_assert_int_eq(fs_write_atomic(path, "{\"level\":\"info\"}\n", 17, 0644, NULL), 0);
	rtlog_write(path, "json", RTLOG_ERROR, "hardrun: %s", "one");
	rtlog_write(path, "text", RTLOG_ERROR, "hardrun: %s", "two");
	char *text = NULL;
	ck_assert_int_eq(fs_read_file(path, 4096, &text, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(
		text, "{\"level\":\"info\"}\n{\"level\":\"error\",\"msg\":\"hardrun: one\""));
	ck_assert_ptr_nonnull(strstr(text, "level=error msg=\"hardrun: two\"\n"));
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("files");
	TCase *tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_atomic_replace_keeps_mode);
	tcase_add_test(tc, test_atomic_sync_levels);
	tcase_add_test(tc, test_atomic_failure_leaves_original);
	tcase_add_test(tc, test_write_begin_commit_abort);
	tcase_add_test(tc, test_log_json_line);
	tcase_add_test(tc, test_log_text_line);
	tcase_add_test(tc, test_log_append);
	suite_add_tcase(s, tc);
	return test_run(s);
}
