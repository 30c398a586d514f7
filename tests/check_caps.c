// SPDX-License-Identifier: GPL-2.0-or-later
#include "hardrun/caps.h"
#include "testutil.h"

#define B(n) (UINT64_C(1) << (n))
enum { CHOWN = 0, DAC = 1, KILL = 5, SETUID = 7, NET_RAW = 13, SYS_ADMIN = 21 };

START_TEST(test_names)
{
	unsigned bit;
	char buf[64];
	ck_assert_int_eq(caps_from_name("CAP_CHOWN", &bit), 0);
	ck_assert_uint_eq(bit, 0);
	ck_assert_int_eq(caps_from_name("CAP_SYS_ADMIN", &bit), 0);
	ck_assert_uint_eq(bit, SYS_ADMIN);
	ck_assert_int_lt(caps_from_name("cap_chown", &bit), 0);
	ck_assert_int_lt(caps_from_name("CHOWN", &bit), 0);
	ck_assert_int_lt(caps_from_name("CAP_FOO", &bit), 0);
	ck_assert_int_lt(caps_from_name("12", &bit), 0);
	ck_assert_int_lt(caps_from_name("CAP_", &bit), 0);
	ck_assert_int_eq(caps_to_name(NET_RAW, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "CAP_NET_RAW");
	ck_assert_int_lt(caps_to_name(63, buf, sizeof(buf)), 0);
}
END_TEST

static struct json *_parse(const char *s)
{
	struct json *j = NULL;
	struct err e = { 0 };
	ck_assert_msg(json_parse(s, strlen(s), &j, &e) == 0, "%s", e.msg);
	return j;
}

static uint64_t _set(const struct json *proc, const char *set)
{
	uint64_t m = 0;
	const struct json *arr = json_get(json_get(proc, "capabilities"), set);
	ck_assert_ptr_nonnull(arr);
	ck_assert_int_eq(caps_mask_from_json(arr, true, &m, NULL), 0);
	return m;
}

static const struct {
	const char *process;
	uint64_t allowed, ambient_allowed;
	uint64_t bounding, permitted, effective, inheritable, ambient;
} _table[] = {
	/* plain intersection */
	{ "{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_NET_RAW\",\"CAP_KILL\"],"
	  "\"permitted\":[\"CAP_CHOWN\",\"CAP_NET_RAW\"],\"effective\":[\"CAP_CHOWN\",\"CAP_NET_"
	  "RAW\"],"
	  "\"inheritable\":[],\"ambient\":[]}}",
	  B(CHOWN) | B(KILL), 0, B(CHOWN) | B(KILL), B(CHOWN), B(CHOWN), 0, 0 },
	/* profile allows more than the bundle: never widened */
	{ "{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"],\"permitted\":[\"CAP_CHOWN\"],"
	  "\"effective\":[\"CAP_CHOWN\"],\"inheritable\":[\"CAP_CHOWN\"],\"ambient\":[\"CAP_"
	  "CHOWN\"]}}",
	  CAPS_ALL, CAPS_ALL, B(CHOWN), B(CHOWN), B(CHOWN), B(CHOWN), B(CHOWN) },
	/* ambient needs ambient_allowed, permitted and inheritable */
	{ "{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_SETUID\"],"
	  "\"permitted\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_SETUID\"],\"effective\":[\"CAP_KILL\"],"
	  "\"inheritable\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_SETUID\"],"
	  "\"ambient\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_SETUID\"]}}",
	  B(CHOWN) | B(KILL), B(KILL) | B(SETUID), B(CHOWN) | B(KILL), B(CHOWN) | B(KILL), B(KILL),
	  B(CHOWN) | B(KILL), B(KILL) },
	/* effective outside permitted is dropped; unknown names are dropped */
	{ "{\"capabilities\":{\"bounding\":[\"CAP_DAC_OVERRIDE\",\"CAP_FUTURE\"],"
	  "\"permitted\":[\"CAP_CHOWN\"],\"effective\":[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\"],"
	  "\"inheritable\":[],\"ambient\":[]}}",
	  CAPS_ALL, 0, B(DAC), B(CHOWN), B(CHOWN), 0, 0 },
	/* nothing allowed */
	{ "{\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"],\"permitted\":[\"CAP_CHOWN\"],"
	  "\"effective\":[\"CAP_CHOWN\"],\"inheritable\":[\"CAP_CHOWN\"],\"ambient\":[\"CAP_"
	  "CHOWN\"]}}",
	  0, CAPS_ALL, 0, 0, 0, 0, 0 },
};

START_TEST(test_apply_table)
{
	struct json *proc = _parse(_table[_i].process);
	struct err e = { 0 };
	ck_assert_msg(caps_apply(proc, _table[_i].allowed, _table[_i].ambient_allowed, &e) == 0,
		      "%s", e.msg);
	ck_assert_uint_eq(_set(proc, "bounding"), _table[_i].bounding);
	ck_assert_uint_eq(_set(proc, "permitted"), _table[_i].permitted);
	ck_assert_uint_eq(_set(proc, "effective"), _table[_i].effective);
	ck_assert_uint_eq(_set(proc, "inheritable"), _table[_i].inheritable);
	ck_assert_uint_eq(_set(proc, "ambient"), _table[_i].ambient);
	ck_assert_uint_eq(caps_process_mask(proc), _table[_i].bounding | _table[_i].permitted);
	json_free(proc);
}
END_TEST

START_TEST(test_missing_caps_created)
{
	struct json *proc = _parse("{\"args\":[\"sh\"],\"cwd\":\"/\"}");
	ck_assert_uint_eq(caps_process_mask(proc), CAPS_ALL);
	ck_assert_int_eq(caps_apply(proc, B(CHOWN) | B(KILL), 0, NULL), 0);
	ck_assert_uint_eq(_set(proc, "bounding"), B(CHOWN) | B(KILL));
	ck_assert_uint_eq(_set(proc, "effective"), B(CHOWN) | B(KILL));
	ck_assert_uint_eq(_set(proc, "permitted"), B(CHOWN) | B(KILL));
	ck_assert_uint_eq(_set(proc, "inheritable"), 0);
	ck_assert_uint_eq(_set(proc, "ambient"), 0);
	json_free(proc);
}
END_TEST

START_TEST(test_absent_set_stays_absent)
{
	struct json *proc =
		_parse("{\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"]}}");
	ck_assert_int_eq(caps_apply(proc, B(KILL), 0, NULL), 0);
	ck_assert_uint_eq(_set(proc, "bounding"), B(KILL));
	ck_assert_ptr_null(json_get(json_get(proc, "capabilities"), "effective"));
	json_free(proc);
}
END_TEST

START_TEST(test_bad_input)
{
	struct err e = { 0 };
	struct json *proc = _parse("{\"capabilities\":{\"bounding\":\"CAP_KILL\"}}");
	ck_assert_int_lt(caps_apply(proc, 0, 0, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "bounding"));
	json_free(proc);
	proc = _parse("[1]");
	ck_assert_int_lt(caps_apply(proc, 0, 0, &e), 0);
	json_free(proc);
}
END_TEST

START_TEST(test_mask_json_order)
{
	struct json *arr = NULL;
	char *s = NULL;
	ck_assert_int_eq(caps_mask_to_json(B(SYS_ADMIN) | B(CHOWN) | B(NET_RAW), &arr, NULL), 0);
	ck_assert_int_eq(json_dump(arr, false, &s, NULL, NULL), 0);
	ck_assert_str_eq(s, "[\"CAP_CHOWN\",\"CAP_NET_RAW\",\"CAP_SYS_ADMIN\"]");
	ck_assert_uint_eq(caps_count(B(1) | B(40)), 2);
	free(s);
	json_free(arr);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("caps");
	TCase *tc = tcase_create("caps");
	tcase_add_test(tc, test_names);
	tcase_add_loop_test(tc, test_apply_table, 0, sizeof(_table) / sizeof(_table[0]));
	tcase_add_test(tc, test_missing_caps_created);
	tcase_add_test(tc, test_absent_set_stays_absent);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_mask_json_order);
	suite_add_tcase(s, tc);
	return test_run(s);
}
