// SPDX-License-Identifier: GPL-2.0-or-later
/* Event storms (evlimit: folding, token bucket) and pod identity in events. */
#include <fcntl.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/fsutil.h"
#include "hardrun/monitor_int.h"
#include "testutil.h"

struct sink {
	uint64_t lines, count;
};

static void _sink(void *ctx, struct json *ev, uint64_t count)
{
	struct sink *s = ctx;
	ck_assert_ptr_nonnull(ev);
	s->lines++;
	s->count += count;
}

/* One occurrence of key at t: counted into s when written now. */
static void _offer(struct evlimit *l, const char *key, uint64_t t, struct sink *s)
{
	struct json *ev = json_new_object();
	uint64_t count = 0;
	if (evlimit_offer(l, key, t, &ev, &count) == EVLIMIT_WRITE) {
		ck_assert_uint_ge(count, 1);
		_sink(s, ev, count);
	}
	json_free(ev);
}

/* 20000 occurrences of one key in 20 s, a flush each second: one line per
 * window, and every occurrence counted once the final flush is done. */
START_TEST(test_fold_one_key)
{
	struct evlimit_conf c = { .rate = 20, .burst = 100, .window_ms = 10000 };
	struct evlimit *l = evlimit_new(&c);
	struct sink s = { 0 };
	for (uint64_t i = 0; i < 20000; i++) {
		uint64_t t = i; /* 1 ms apart */
		_offer(l, "mount", t, &s);
		if (t % 1000 == 999)
			evlimit_flush(l, t, false, _sink, &s);
	}
	ck_assert_uint_le(s.lines, 3);
	ck_assert_uint_lt(s.count, 20000); /* some still pending */
	evlimit_flush(l, 20000, true, _sink, &s);
	ck_assert_uint_eq(s.count, 20000);
	ck_assert_uint_le(s.lines, 4);
	evlimit_free(l);
}
END_TEST

/* Distinct keys: the bucket lets burst lines out, then rate per second; the
 * rest are counted on later lines, none lost. */
START_TEST(test_bucket_many_keys)
{
	struct evlimit_conf c = { .rate = 20, .burst = 100, .window_ms = 1000 };
	struct evlimit *l = evlimit_new(&c);
	struct sink s = { 0 };
	char key[32];
	uint64_t n = 0;
	for (uint64_t t = 0; t < 5000; t++) /* 5 s, 10 keys, each every ms */
		for (int k = 0; k < 10; k++, n++) {
			(void)snprintf(key, sizeof(key), "k%d", k);
			_offer(l, key, t, &s);
			if (t % 100 == 99 && k == 9)
				evlimit_flush(l, t, false, _sink, &s);
		}
	ck_assert_uint_le(s.lines, 100 + 20 * 5 + 1);
	evlimit_flush(l, 5000, true, _sink, &s);
	ck_assert_uint_eq(s.count, n);
	evlimit_free(l);
}
END_TEST

/* More keys than the table holds, all pending: the overflow line carries them. */
START_TEST(test_overflow)
{
	struct evlimit_conf c = { .rate = 1, .burst = 1, .window_ms = 60000 };
	struct evlimit *l = evlimit_new(&c);
	struct sink s = { 0 };
	char key[32];
	for (int k = 0; k < 3 * EVLIMIT_KEYS; k++) {
		(void)snprintf(key, sizeof(key), "k%d", k);
		_offer(l, key, 0, &s);
	}
	ck_assert_uint_eq(s.lines, 1); /* the burst */
	evlimit_flush(l, 1, true, _sink, &s);
	ck_assert_uint_eq(s.count, 3 * EVLIMIT_KEYS);
	ck_assert_uint_le(s.lines, EVLIMIT_KEYS + 2);
	evlimit_free(l);
}
END_TEST

/* A quiet key is written at once with count 1; a storm that ended is summed
 * up at its window's end, without the final flush. */
START_TEST(test_window_end)
{
	struct evlimit_conf c = { .rate = 20, .burst = 100, .window_ms = 1000 };
	struct evlimit *l = evlimit_new(&c);
	struct sink s = { 0 };
	for (int i = 0; i < 10; i++)
		_offer(l, "a", (uint64_t)i, &s);
	ck_assert_uint_eq(s.lines, 1);
	evlimit_flush(l, 500, false, _sink, &s);
	ck_assert_uint_eq(s.lines, 1); /* window still open */
	evlimit_flush(l, 1000, false, _sink, &s);
	ck_assert_uint_eq(s.lines, 2);
	ck_assert_uint_eq(s.count, 10);
	_offer(l, "a", 5000, &s);
	ck_assert_uint_eq(s.lines, 3);
	ck_assert_uint_eq(s.count, 11);
	evlimit_free(l);
}
END_TEST

static const struct {
	const char *file, *ns, *pod, *uid, *name, *image;
} cri[] = {
	{ "cri/containerd-1.6.json", "team-a", "web-7d9f4", "0b1c2d3e-aaaa-bbbb-cccc-1234567890ab",
	  "app", "docker.io/library/busybox:latest" },
	{ "cri/cri-o.json", "team-a", "web-7d9f4", "0b1c2d3e-aaaa-bbbb-cccc-1234567890ab", "app",
	  "docker.io/library/busybox:latest" },
};

/* The identity each CRI implementation writes reaches the event's fields. */
START_TEST(test_identity)
{
	size_t len;
	_cleanup_free_ char *text = test_read(cri[_i].file, &len);
	_cleanup_json_ struct json *doc = NULL;
	ck_assert_int_eq(json_parse(text, len, &doc, NULL), 0);
	struct event_ctx x = { .container_id = "c1" };
	event_ctx_identity(&x, json_get(doc, "container"));
	ck_assert_str_eq(x.k8s_ns, cri[_i].ns);
	ck_assert_str_eq(x.k8s_pod, cri[_i].pod);
	ck_assert_str_eq(x.k8s_pod_uid, cri[_i].uid);
	ck_assert_str_eq(x.container_name, cri[_i].name);
	ck_assert_str_eq(x.image, cri[_i].image);
	struct timespec t = { 1700000000, 0 };
	struct mon_call c = { .name = "mount" };
	struct mon_proc p = { .pid = 2 };
	struct mon_verdict v = { .rule = RULE_MOUNT, .action = ACTION_DENY };
	_cleanup_json_ struct json *o = event_build(&x, &t, &c, &p, &v);
	const struct json *f = json_get(o, "output_fields");
	ck_assert_str_eq(json_string(json_get(f, "k8s.ns.name")), cri[_i].ns);
	ck_assert_str_eq(json_string(json_get(f, "k8s.pod.name")), cri[_i].pod);
	ck_assert_str_eq(json_string(json_get(f, "k8s.pod.uid")), cri[_i].uid);
	ck_assert_str_eq(json_string(json_get(f, "container.name")), cri[_i].name);
	int64_t count;
	ck_assert_int_eq(json_to_int64(json_get(f, "hardrun.count"), &count), 0);
	ck_assert_int_eq(count, 1);
	/* no annotations at all: nulls, not a crash */
	struct event_ctx none = { .container_id = "c1" };
	event_ctx_identity(&none, NULL);
	ck_assert_ptr_null(none.k8s_ns);
}
END_TEST

/* Lines that cannot be written (a full disk: /dev/full) are counted, and
 * the count goes out in an error line once the events file takes lines. */
START_TEST(test_write_failures_reported)
{
	struct monitor_spec s = { .container_id = "c1",
				  .events_file = "/dev/full",
				  .limits = MONITOR_LIMITS_DEFAULT };
	struct evout o;
	char key[8];
	int fd = open("/dev/full", O_WRONLY | O_APPEND | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(evout_init(&o, &s, fd, -1, NULL), 0);
	for (int i = 0; i < 3; i++) {
		struct json *ev = NULL;
		const char *t = "{\"output_fields\":{}}";
		ck_assert_int_eq(json_parse(t, strlen(t), &ev, NULL), 0);
		(void)snprintf(key, sizeof(key), "k%d", i);
		evout_event(&o, &ev, key);
		json_free(ev);
	}
	ck_assert_uint_eq(o.failed, 3);
	evout_tick(&o); /* the report cannot be written either: still 3 */
	ck_assert_uint_eq(o.failed, 3);
	ck_assert_ptr_nonnull(strstr(o.failed_msg, "write event"));
	/* room again (here: another file) */
	char tmp[] = "/tmp/hr-evout-XXXXXX";
	int t = mkstemp(tmp);
	ck_assert_int_ge(t, 0);
	free(o.events_path);
	o.events_path = strdup(tmp);
	(void)close(o.events_fd);
	o.events_fd = t;
	evout_tick(&o);
	ck_assert_uint_eq(o.failed, 0);
	size_t len;
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(fs_read_file(tmp, 1 << 16, &text, &len, NULL), 0);
	_cleanup_json_ struct json *line = NULL;
	ck_assert_int_eq(json_parse(text, len, &line, NULL), 0);
	ck_assert_str_eq(json_string(json_get(line, "level")), "error");
	ck_assert_str_eq(json_string(json_get(line, "msg")),
			 "monitor: 3 lines could not be written");
	ck_assert_str_eq(json_string(json_get(line, "container.id")), "c1");
	int64_t n;
	ck_assert_int_eq(json_to_int64(json_get(line, "hardrun.count"), &n), 0);
	ck_assert_int_eq(n, 3);
	evout_release(&o);
	(void)unlink(tmp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("events");
	tcase_add_test(tc, test_fold_one_key);
	tcase_add_test(tc, test_bucket_many_keys);
	tcase_add_test(tc, test_overflow);
	tcase_add_test(tc, test_window_end);
	tcase_add_loop_test(tc, test_identity, 0, sizeof(cri) / sizeof(cri[0]));
	tcase_add_test(tc, test_write_failures_reported);
	suite_add_tcase(s, tc);
	return test_run(s);
}
