// SPDX-License-Identifier: GPL-2.0-or-later
/* Exec through fanotify, the pure decisions (shim/monitor/fanexec.c): which
 * mounts are marked, which files are new (drift), which approvals are cached;
 * the drift rule on new files; execve taken out of the filter. */
#include <errno.h>
#include <sys/sysmacros.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"
#include "testutil.h"

static const struct {
	const char *line;
	int ret;
	const char *point, *fstype, *upper;
	unsigned maj, min;
	bool noexec, wanted;
} _mounts[] = {
	{ "25 1 0:40 / / rw,relatime - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/var/lib/s/"
	  "12/fs,workdir=/var/lib/s/12/work\n",
	  0, "/", "overlay", "/var/lib/s/12/fs", 0, 40, false, true },
	{ "26 25 0:41 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n", 0, "/proc", "proc",
	  "", 0, 41, true, false },
	{ "27 25 0:42 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n", 0, "/dev", "tmpfs",
	  "", 0, 42, false, true },
	{ "28 27 0:43 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k\n", 0,
	  "/dev/shm", "tmpfs", "", 0, 43, true, false },
	/* optional fields before "-", an escaped space in the mount point */
	{ "29 25 254:1 /data /srv/my\\040vol rw,relatime shared:5 master:2 - ext4 /dev/vda1 rw\n",
	  0, "/srv/my vol", "ext4", "", 254, 1, false, true },
	{ "30 25 0:44 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw\n", 0, "/sys/fs/cgroup",
	  "cgroup2", "", 0, 44, false, false },
	/* an upperdir with an escaped comma */
	{ "31 1 0:45 / / rw - overlay overlay rw,lowerdir=/l,upperdir=/u\\,x/fs,workdir=/w\n", 0,
	  "/", "overlay", "/u,x/fs", 0, 45, false, true },
	{ .line = "garbage\n", .ret = -EINVAL },
	{ .line = "32 25 0:46 / /x rw shared:1\n", .ret = -EINVAL }, /* no "-" separator */
	{ .line = "", .ret = -EINVAL },
};

START_TEST(test_mount_parse)
{
	for (size_t i = 0; i < sizeof(_mounts) / sizeof(_mounts[0]); i++) {
		struct fanexec_mount m;
		int r = fanexec_mount_parse(_mounts[i].line, &m);
		ck_assert_msg(r == _mounts[i].ret, "line %zu: %d", i, r);
		if (r < 0)
			continue;
		ck_assert_str_eq(m.point, _mounts[i].point);
		ck_assert_str_eq(m.fstype, _mounts[i].fstype);
		ck_assert_str_eq(m.upper, _mounts[i].upper);
		ck_assert_uint_eq(major(m.dev), _mounts[i].maj);
		ck_assert_uint_eq(minor(m.dev), _mounts[i].min);
		ck_assert_msg(m.noexec == _mounts[i].noexec, "line %zu noexec", i);
		ck_assert_msg(fanexec_mount_wanted(&m) == _mounts[i].wanted, "line %zu wanted", i);
	}
}
END_TEST

/* Drift: the upper layer, or a ctime after the container's start. */
static const struct {
	struct timespec ctime, since;
	bool upper, want;
} _new[] = {
	{ { 100, 0 }, { 200, 0 }, false, false }, /* in the image */
	{ { 300, 0 }, { 200, 0 }, false, true },  /* created after start */
	{ { 200, 5 }, { 200, 4 }, false, true },  /* same second, later ns */
	{ { 200, 4 }, { 200, 4 }, false, false }, /* not after */
	{ { 100, 0 }, { 200, 0 }, true, true },	  /* copied up: changed */
	{ { 0, 0 }, { 0, 0 }, false, false },
};

START_TEST(test_is_new)
{
	for (size_t i = 0; i < sizeof(_new) / sizeof(_new[0]); i++)
		ck_assert_msg(fanexec_is_new(&_new[i].ctime, &_new[i].since, _new[i].upper) ==
				      _new[i].want,
			      "row %zu", i);
}
END_TEST

/* Which approvals get an ignore mark (no more events for that inode). */
static const struct {
	const char *path;
	bool new_file, rule_fired, want;
} _cache[] = {
	{ "/bin/true", false, false, true },
	{ "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", false, false, true },
	{ "/usr/sbin/nginx", false, false, true },
	{ "/bin/true", true, false, false }, /* new: asked every time */
	{ "/bin/true", false, true, false }, /* a rule fired (alert): asked again */
	{ "/bin/sh", false, false, false },  /* shells never */
	{ "/usr/bin/dash", false, false, false },
	{ "/bin/bash", false, false, false },
	{ "/bin/busybox", false, false, false }, /* any applet, a shell too */
	{ "/usr/bin/python3.11", false, false, false },
	{ "/usr/bin/perl", false, false, false },
	{ "/usr/bin/env", false, false, false },
	{ "/usr/bin/nc", false, false, false },
	{ "/dev/shm/x", false, false, false }, /* fileless */
	{ "/memfd:x (deleted)", false, false, false },
	{ "", false, false, false },
};

START_TEST(test_cacheable)
{
	for (size_t i = 0; i < sizeof(_cache) / sizeof(_cache[0]); i++)
		ck_assert_msg(fanexec_cacheable(_cache[i].path, _cache[i].new_file,
						_cache[i].rule_fired) == _cache[i].want,
			      "row %zu (%s)", i, _cache[i].path);
}
END_TEST

/* drift_exec for every profile: a new file fires without knownBinaries. */
START_TEST(test_drift_new_file)
{
	struct mon_rules r;
	struct mon_call c = { .name = "execve", .session = 0, .started = true };
	struct mon_proc p = { .pid = 10 };
	struct mon_evidence ev = { 0 };
	struct mon_verdict v;
	eval_rules_default(&r);
	ck_assert(!r.drift);
	strcpy(p.comm, "sh");
	strcpy(ev.path, "/tmp/x");
	strcpy(ev.argv, "/tmp/x true");
	eval_call(&c, &p, &ev, &r, &v);
	ck_assert_int_eq(v.rule, -1); /* from the image: nothing */
	ev.new_file = true;
	eval_call(&c, &p, &ev, &r, &v);
	ck_assert_int_eq(v.rule, RULE_DRIFT_EXEC);
	ck_assert_int_eq(v.action, ACTION_ALERT);
	ck_assert(strstr(v.detail, "created or changed"));
	r.action[RULE_DRIFT_EXEC] = ACTION_OFF;
	eval_call(&c, &p, &ev, &r, &v);
	ck_assert_int_eq(v.rule, -1);
	/* fileless comes first */
	r.action[RULE_DRIFT_EXEC] = ACTION_DENY;
	strcpy(ev.path, "/dev/shm/x");
	eval_call(&c, &p, &ev, &r, &v);
	ck_assert_int_eq(v.rule, RULE_FILELESS_EXEC);
}
END_TEST

static struct json *_parse(const char *s)
{
	struct json *j = NULL;
	ck_assert_int_eq(json_parse(s, strlen(s), &j, NULL), 0);
	return j;
}

static const char *_action_of(const struct json *sc, const char *name)
{
	const struct json *syscalls = json_get(sc, "syscalls");
	json_foreach (i, syscalls) {
		const struct json *names = json_get(syscalls->items[i], "names");
		json_foreach (k, names)
			if (strcmp(json_string(names->items[k]), name) == 0)
				return json_string(json_get(syscalls->items[i], "action"));
	}
	return NULL;
}

/* execve leaves the filter (allowed again); execveat stays notified. */
START_TEST(test_unnotify_execve)
{
	struct err e = { 0 };
	_cleanup_json_ struct json *sc =
		_parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":["
		       "\"execve\",\"execveat\",\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
	ck_assert_int_eq(nfilter_apply(sc, ~0u, false, &e), 0);
	ck_assert_str_eq(_action_of(sc, "execve"), "SCMP_ACT_NOTIFY");
	ck_assert_int_eq(nfilter_unnotify(sc, "execve", &e), 0);
	ck_assert_str_eq(_action_of(sc, "execve"), "SCMP_ACT_ALLOW");
	ck_assert_str_eq(_action_of(sc, "execveat"), "SCMP_ACT_NOTIFY");
	/* memfd_create joins (the monitor makes memfds); denied by the profile: stays denied */
	ck_assert_ptr_null(_action_of(sc, "memfd_create"));
	ck_assert_int_eq(nfilter_notify_all(sc, "memfd_create", &e), 0);
	ck_assert_ptr_null(_action_of(sc, "memfd_create"));
	ck_assert_int_eq(nfilter_notify_all(sc, "read", &e), 0);
	ck_assert_str_eq(_action_of(sc, "read"), "SCMP_ACT_NOTIFY");
	/* ptrace: TRACE rules the same */
	_cleanup_json_ struct json *tr = _parse(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"reboot\"],"
		"\"action\":\"SCMP_ACT_ERRNO\"}]}");
	ck_assert_int_eq(nfilter_apply(tr, ~0u, false, &e), 0);
	ck_assert_int_eq(nfilter_use_trace(tr, &e), 0);
	ck_assert_str_eq(_action_of(tr, "execve"), "SCMP_ACT_TRACE");
	ck_assert_int_eq(nfilter_unnotify(tr, "execve", &e), 0);
	ck_assert_str_eq(_action_of(tr, "execve"), "SCMP_ACT_ALLOW");
	ck_assert_str_eq(_action_of(tr, "execveat"), "SCMP_ACT_TRACE");
	ck_assert_str_eq(_action_of(tr, "reboot"), "SCMP_ACT_ERRNO");
	ck_assert_int_eq(nfilter_notify_all(tr, "memfd_create", &e), 0);
	ck_assert_str_eq(_action_of(tr, "memfd_create"), "SCMP_ACT_NOTIFY");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fanexec");
	TCase *tc = tcase_create("pure");
	tcase_add_test(tc, test_mount_parse);
	tcase_add_test(tc, test_is_new);
	tcase_add_test(tc, test_cacheable);
	tcase_add_test(tc, test_drift_new_file);
	tcase_add_test(tc, test_unnotify_execve);
	suite_add_tcase(s, tc);
	return test_run(s);
}
