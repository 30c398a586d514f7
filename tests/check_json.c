// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/json.h"
#include "testutil.h"

static char *_roundtrip(const char *text, size_t len)
{
	struct json *j = NULL;
	struct err e = { 0 };
	char *out = NULL;
	ck_assert_msg(json_parse(text, len, &j, &e) == 0, "parse: %s", e.msg);
	ck_assert_int_eq(json_dump(j, false, &out, NULL, &e), 0);
	json_free(j);
	return out;
}

/* Golden: numbers verbatim, key order, duplicates, escapes, unicode, NUL. */
START_TEST(test_lossless_golden)
{
	size_t len;
	_cleanup_free_ char *in = test_read("json/lossless.json", &len);
	_cleanup_free_ char *want = test_read("json/lossless.golden", NULL);
	_cleanup_free_ char *out = _roundtrip(in, len);
	want[strcspn(want, "\n")] = '\0';
	ck_assert_str_eq(out, want);
	/* and the output is a fixed point */
	_cleanup_free_ char *again = _roundtrip(out, strlen(out));
	ck_assert_str_eq(again, out);
}
END_TEST

START_TEST(test_numbers_exact)
{
	struct json *j = NULL;
	const char *t = "[18446744073709551615, 9223372036854775807, -1, 1.0]";
	ck_assert_int_eq(json_parse(t, strlen(t), &j, NULL), 0);
	uint64_t u;
	int64_t s;
	ck_assert_int_eq(json_to_uint64(j->items[0], &u), 0);
	ck_assert(u == UINT64_MAX);
	ck_assert_int_eq(json_to_int64(j->items[1], &s), 0);
	ck_assert(s == INT64_MAX);
	ck_assert_int_lt(json_to_int64(j->items[0], &s), 0); /* out of range */
	ck_assert_int_lt(json_to_uint64(j->items[2], &u), 0);
	ck_assert_int_lt(json_to_int64(j->items[3], &s), 0); /* not integral text */
	json_free(j);
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad[] = {
	{ "", "empty" },
	{ "{", "invalid JSON" },
	{ "{\"a\":1,}", "invalid JSON" },
	{ "[1] [2]", "invalid JSON" },
	{ "{\"a\":\"\xff\"}", "invalid JSON" },
	{ "nul", "invalid JSON" },
	{ "{\"a\\u0000b\":1}", "NUL" },
};

START_TEST(test_malformed)
{
	struct json *j = NULL;
	struct err e = { 0 };
	ck_assert_int_eq(json_parse(bad[_i].text, strlen(bad[_i].text), &j, &e), -EINVAL);
	ck_assert_ptr_null(j);
	ck_assert_msg(strstr(e.msg, bad[_i].msg), "'%s' gave '%s'", bad[_i].text, e.msg);
}
END_TEST

START_TEST(test_depth_limit)
{
	size_t n = JSON_MAX_DEPTH + 1;
	char *t = malloc(2 * n + 1);
	memset(t, '[', n);
	memset(t + n, ']', n);
	t[2 * n] = '\0';
	struct json *j = NULL;
	struct err e = { 0 };
	ck_assert_int_eq(json_parse(t, 2 * n, &j, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "nested deeper"));
	t[0] = ' ';
	t[2 * n - 1] = ' ';
	ck_assert_int_eq(json_parse(t, 2 * n, &j, &e), 0);
	json_free(j);
	free(t);
}
END_TEST

START_TEST(test_edit_keeps_order)
{
	struct json *j = NULL;
	const char *t = "{\"b\":1,\"a\":2,\"b\":3,\"c\":4}";
	ck_assert_int_eq(json_parse(t, strlen(t), &j, NULL), 0);
	ck_assert_str_eq(json_get(j, "b")->text, "3"); /* last wins, like Go */
	ck_assert_int_eq(json_obj_set(j, "b", json_new_string("x")), 0);
	ck_assert_int_eq(json_obj_set(j, "new", json_new_bool(true)), 0);
	ck_assert(json_obj_del(j, "a"));
	struct json *o = json_obj_ensure_object(j, "obj");
	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_null(json_obj_ensure_object(j, "c")); /* c is a number */
	char *out = NULL;
	ck_assert_int_eq(json_dump(j, false, &out, NULL, NULL), 0);
	ck_assert_str_eq(out, "{\"b\":\"x\",\"c\":4,\"new\":true,\"obj\":{}}");
	struct json *c = json_clone(j);
	char *out2 = NULL;
	ck_assert_int_eq(json_dump(c, false, &out2, NULL, NULL), 0);
	ck_assert_str_eq(out, out2);
	ck_assert_ptr_eq(json_get_path(j, "obj"), o);
	ck_assert_ptr_null(json_get_path(j, "obj.missing"));
	free(out);
	free(out2);
	json_free(c);
	json_free(j);
}
END_TEST

/* take: the last duplicate's value moves out, every duplicate goes */
START_TEST(test_obj_take)
{
	struct json *j = NULL;
	const char *t = "{\"b\":1,\"a\":{\"x\":[1,2]},\"b\":3,\"c\":4}";
	ck_assert_int_eq(json_parse(t, strlen(t), &j, NULL), 0);
	struct json *b = json_obj_take(j, "b");
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(b->text, "3");
	struct json *a = json_obj_take(j, "a");
	ck_assert_ptr_nonnull(json_get(a, "x"));
	ck_assert_ptr_null(json_obj_take(j, "missing"));
	ck_assert_ptr_null(json_obj_take(b, "x")); /* not an object */
	char *out = NULL;
	ck_assert_int_eq(json_dump(j, false, &out, NULL, NULL), 0);
	ck_assert_str_eq(out, "{\"c\":4}");
	free(out);
	json_free(a);
	json_free(b);
	json_free(j);
}
END_TEST

START_TEST(test_load_file_limits)
{
	char dir[] = "/tmp/hardrun-json-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[256];
	(void)snprintf(path, sizeof(path), "%s/c.json", dir);
	ck_assert_int_eq(fs_write_atomic(path, "{\"a\":1}", 7, 0644, NULL), 0);
	struct json *j = NULL;
	struct err e = { 0 };
	ck_assert_int_eq(json_load_file(path, 6, &j, &e), -EFBIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "too large"));
	ck_assert_int_eq(json_load_file(path, 7, &j, &e), 0);
	json_free(j);
	ck_assert_int_eq(json_load_file(dir, 100, &j, &e), -EINVAL);
	ck_assert_int_lt(json_load_file("/nonexistent/x.json", 100, &j, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "No such file"));
	(void)fs_rm_rf(dir, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");
	tcase_add_test(tc, test_lossless_golden);
	tcase_add_test(tc, test_numbers_exact);
	tcase_add_loop_test(tc, test_malformed, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_edit_keeps_order);
	tcase_add_test(tc, test_obj_take);
	tcase_add_test(tc, test_load_file_limits);
	suite_add_tcase(s, tc);
	return test_run(s);
}
