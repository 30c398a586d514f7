// SPDX-License-Identifier: GPL-2.0-or-later
/* argv parsing against real command lines emitted by containerd (go-runc),
 * podman/conmon, CRI-O, docker and people. */
#include "testutil.h"

#include "hardrun/argv.h"

#define MAXARGS 32

struct argv_case {
	const char *who;
	const char *line[MAXARGS];
	enum rt_cmd cmd;
	const char *root, *log, *log_format, *bundle, *process, *id;
	bool systemd;
	bool force;
};

static const struct argv_case cases[] = {
	{ "containerd go-runc create",
	  { "runc", "--root", "/run/containerd/runc/k8s.io", "--log", "/run/c/k8s.io/abc/log.json",
	    "--log-format", "json", "--systemd-cgroup", "create", "--bundle", "/run/c/k8s.io/abc",
	    "--pid-file", "/run/c/k8s.io/abc/init.pid", "--console-socket", "/tmp/pty1/pty.sock",
	    "abc" },
	  CMD_CREATE,
	  "/run/containerd/runc/k8s.io",
	  "/run/c/k8s.io/abc/log.json",
	  "json",
	  "/run/c/k8s.io/abc",
	  NULL,
	  "abc",
	  true,
	  false },
	{ "containerd go-runc exec",
	  { "runc", "--root", "/run/containerd/runc/default", "--log", "/l.json", "--log-format",
	    "json", "exec", "--process", "/tmp/runc-process2233", "--detach", "--pid-file",
	    "/run/x/e.pid", "abc" },
	  CMD_EXEC,
	  "/run/containerd/runc/default",
	  "/l.json",
	  "json",
	  NULL,
	  "/tmp/runc-process2233",
	  "abc",
	  false,
	  false },
	{ "containerd go-runc delete --force",
	  { "runc", "--root", "/r", "--log", "/l", "--log-format", "json", "delete", "--force",
	    "abc" },
	  CMD_DELETE,
	  "/r",
	  "/l",
	  "json",
	  NULL,
	  NULL,
	  "abc",
	  false,
	  true },
	{ "conmon create (podman)",
	  { "/usr/bin/runc", "--root=/run/runc", "--systemd-cgroup", "create", "--bundle",
	    "/var/lib/containers/storage/overlay-containers/f00/userdata", "--pid-file",
	    "/run/containers/storage/overlay-containers/f00/userdata/pidfile", "f00" },
	  CMD_CREATE,
	  "/run/runc",
	  NULL,
	  NULL,
	  "/var/lib/containers/storage/overlay-containers/f00/userdata",
	  NULL,
	  "f00",
	  true,
	  false },
	{ "conmon exec (podman)",
	  { "runc", "--root=/run/runc", "exec", "-d", "--pid-file", "/p", "--process",
	    "/tmp/exec_process_1", "--console-socket", "/s", "f00" },
	  CMD_EXEC,
	  "/run/runc",
	  NULL,
	  NULL,
	  NULL,
	  "/tmp/exec_process_1",
	  "f00",
	  false,
	  false },
	{ "podman log flags with =",
	  { "runc", "--log=/var/log/oci.log", "--log-format=json", "--root=/r", "create",
	    "--bundle=/b", "id1" },
	  CMD_CREATE,
	  "/r",
	  "/var/log/oci.log",
	  "json",
	  "/b",
	  NULL,
	  "id1",
	  false,
	  false },
	{ "CRI-O create",
	  { "/usr/sbin/runc", "--systemd-cgroup=true", "--root=/run/runc", "create", "--bundle",
	    "/run/containers/storage/overlay-containers/c1/userdata", "--pid-file", "/p", "c1" },
	  CMD_CREATE,
	  "/run/runc",
	  NULL,
	  NULL,
	  "/run/containers/storage/overlay-containers/c1/userdata",
	  NULL,
	  "c1",
	  true,
	  false },
	{ "systemd-cgroup=false",
	  { "runc", "--systemd-cgroup=false", "create", "x" },
	  CMD_CREATE,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  "x",
	  false,
	  false },
	{ "single-dash go flags",
	  { "runc", "-root", "/r", "-log", "/l", "run", "-b", "/b", "-d", "id2" },
	  CMD_RUN,
	  "/r",
	  "/l",
	  NULL,
	  "/b",
	  NULL,
	  "id2",
	  false,
	  false },
	{ "bundle after the id (urfave reorders)",
	  { "runc", "run", "id3", "--bundle", "/b3" },
	  CMD_RUN,
	  NULL,
	  NULL,
	  NULL,
	  "/b3",
	  NULL,
	  "id3",
	  false,
	  false },
	{ "exec does not reorder: flags after id belong to the command",
	  { "runc", "exec", "id4", "sh", "-c", "--process=/evil" },
	  CMD_EXEC,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  "id4",
	  false,
	  false },
	{ "exec -p short form",
	  { "runc", "exec", "-p", "/proc.json", "id5" },
	  CMD_EXEC,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  "/proc.json",
	  "id5",
	  false,
	  false },
	{ "no bundle: cwd",
	  { "runc", "create", "id6" },
	  CMD_CREATE,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  "id6",
	  false,
	  false },
	{ "debug and unknown global bool",
	  { "runc", "--debug", "--future-flag", "restore", "-b", "/b7", "--image-path", "/img",
	    "id7" },
	  CMD_RESTORE,
	  NULL,
	  NULL,
	  NULL,
	  "/b7",
	  NULL,
	  "id7",
	  false,
	  false },
	{ "double dash ends flags",
	  { "runc", "create", "--bundle", "/b8", "--", "id8" },
	  CMD_CREATE,
	  NULL,
	  NULL,
	  NULL,
	  "/b8",
	  NULL,
	  "id8",
	  false,
	  false },
	{ "--version",
	  { "runc", "--version" },
	  CMD_NONE,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  false,
	  false },
	{ "features",
	  { "runc", "features" },
	  CMD_OTHER,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  false,
	  false },
	{ "update with resources from stdin",
	  { "runc", "--root", "/r", "update", "--resources", "-", "id9" },
	  CMD_OTHER,
	  "/r",
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  false,
	  false },
	{ "delete -f short",
	  { "runc", "delete", "-f", "id10" },
	  CMD_DELETE,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  "id10",
	  false,
	  true },
	{ "delete --force=false",
	  { "runc", "delete", "--force=false", "id11" },
	  CMD_DELETE,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  "id11",
	  false,
	  false },
	{ "docker (containerd shim) run with text logs",
	  { "runc", "--root", "/var/run/docker/runtime-runc/moby", "--log", "/l", "--log-format",
	    "text", "create", "--bundle", "/b", "--pid-file", "/p", "c9" },
	  CMD_CREATE,
	  "/var/run/docker/runtime-runc/moby",
	  "/l",
	  "text",
	  "/b",
	  NULL,
	  "c9",
	  false,
	  false },
};

static void _check_str(const char *what, const char *got, const char *want, const char *who)
{
	if (!want)
		ck_assert_msg(got == NULL, "%s: %s: expected none, got \"%s\"", who, what, got);
	else
		ck_assert_msg(got && strcmp(got, want) == 0, "%s: %s: expected \"%s\", got \"%s\"",
			      who, what, want, got ? got : "(null)");
}

START_TEST(test_real_lines)
{
	const struct argv_case *c = &cases[_i];
	int argc = 0;
	while (argc < MAXARGS && c->line[argc])
		argc++;
	struct rt_args a;
	struct err e = { 0 };
	ck_assert_int_eq(argv_parse(argc, (char *const *)c->line, &a, &e), 0);
	ck_assert_msg(a.cmd == c->cmd, "%s: command %d, expected %d", c->who, a.cmd, c->cmd);
	_check_str("root", a.root, c->root, c->who);
	_check_str("log", a.log, c->log, c->who);
	_check_str("log-format", a.log_format, c->log_format, c->who);
	_check_str("bundle", a.bundle, c->bundle, c->who);
	_check_str("process", a.process, c->process, c->who);
	_check_str("id", a.container_id, c->id, c->who);
	ck_assert_msg(a.systemd_cgroup == c->systemd, "%s: systemd-cgroup", c->who);
	ck_assert_msg(a.force == c->force, "%s: force", c->who);
}
END_TEST

START_TEST(test_argv_untouched)
{
	char *line[] = { "runc", "--root=/r", "create", "--bundle", "/b", "id", NULL };
	char *copy[7];
	memcpy(copy, line, sizeof(line));
	struct rt_args a;
	ck_assert_int_eq(argv_parse(6, line, &a, NULL), 0);
	for (int i = 0; i < 6; i++)
		ck_assert_ptr_eq(line[i], copy[i]);
	ck_assert_int_eq(a.cmd_index, 2);
	ck_assert_str_eq(argv_root(&a), "/r");
}
END_TEST

START_TEST(test_default_root)
{
	char *line[] = { "runc", "state", "x", NULL };
	struct rt_args a;
	ck_assert_int_eq(argv_parse(3, line, &a, NULL), 0);
	ck_assert_str_eq(argv_root(&a), RUNC_DEFAULT_ROOT);
	ck_assert_int_eq(a.cmd, CMD_STATE);
}
END_TEST

START_TEST(test_exec_additions)
{
	char *line[] = { "runc",
			 "exec",
			 "--cap",
			 "CAP_SYS_ADMIN",
			 "-c=CAP_NET_RAW",
			 "--apparmor",
			 "unconfined",
			 "--process-label=l",
			 "id",
			 "sh",
			 "--cap",
			 "X",
			 NULL };
	struct rt_args a;
	ck_assert_int_eq(argv_parse(12, line, &a, NULL), 0);
	ck_assert_int_eq(a.n_caps, 2); /* the one after the id belongs to the command */
	ck_assert_str_eq(a.caps[0], "CAP_SYS_ADMIN");
	ck_assert_str_eq(a.caps[1], "CAP_NET_RAW");
	ck_assert_str_eq(a.apparmor, "unconfined");
	ck_assert_str_eq(a.process_label, "l");
	ck_assert_str_eq(a.container_id, "id");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("argv");
	TCase *tc = tcase_create("argv");
	tcase_add_loop_test(tc, test_real_lines, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_argv_untouched);
	tcase_add_test(tc, test_default_root);
	tcase_add_test(tc, test_exec_additions);
	suite_add_tcase(s, tc);
	return test_run(s);
}
