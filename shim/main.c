// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hardrun: a hardened OCI runtime.  Called with runc's command line; looks at
 * create/run/restore/exec/delete, then always execve()s the real runtime with
 * argv, environment, cwd and inherited fds unchanged.  hardrun's own commands
 * (`hardrun profile ...`, `hardrun monitor ...`) come first on the line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/argv.h"
#include "hardrun/cmd_events.h"
#include "hardrun/cmd_ps.h"
#include "hardrun/cmd_profile.h"
#include "hardrun/monitor.h"
#include "hardrun/err.h"
#include "hardrun/harden.h"
#include "hardrun/nodeconf.h"
#include "hardrun/rtlog.h"

extern char **environ;

static int _cmd_version(int argc, char **argv)
{
	printf("hardrun version %s\n", HARDRUN_VERSION);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	bool (*is_ours)(int argc, char **argv); /* NULL: always; else the runtime's too */
	const char *help;
} _own_commands[] = {
	{ "version", _cmd_version, NULL, "hardrun's version" },
	{ "profile", cmd_profile, NULL,
	  "validate, show, export, import, generate and diff profiles" },
	{ "events", cmd_events, NULL,
	  "print the monitors' events (--follow, --container, --rule)" },
	{ "ps", cmd_ps, cmd_ps_is_ours,
	  "the containers hardrun hardened on this node (--format text|json); "
	  "`ps ID` is runc's" },
	{ "monitor", monitor_main, NULL, NULL },
};

static int _own_command(int argc, char **argv)
{
	if (argc < 2)
		return -1;
	for (size_t i = 0; i < sizeof(_own_commands) / sizeof(_own_commands[0]); i++)
		if (strcmp(argv[1], _own_commands[i].name) == 0 &&
		    (!_own_commands[i].is_ours || _own_commands[i].is_ours(argc - 1, argv + 1)))
			return _own_commands[i].fn(argc - 1, argv + 1);
	return -1;
}

/* `hardrun`, `hardrun --help|-h|help`: the runtime's own usage first, as
 * it is (the one place hardrun waits for the runtime), then hardrun's. */
static bool _is_usage(int argc, char **argv)
{
	return argc == 1 ||
	       (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
			      strcmp(argv[1], "help") == 0));
}

static int _usage(const char *runtime, char **argv)
{
	int status = 0;
	(void)fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		argv[0] = (char *)runtime;
		execve(runtime, argv, environ);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0)
		;
	(void)printf("\nHARDRUN COMMANDS (see hardrun(8)):\n");
	for (size_t i = 0; i < sizeof(_own_commands) / sizeof(_own_commands[0]); i++)
		if (_own_commands[i].help)
			(void)printf("   %-9s%s\n", _own_commands[i].name, _own_commands[i].help);
	(void)printf("\nEvery other command is the runtime's (%s), passed through.\n", runtime);
	return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int _fail(const struct rt_args *a, const struct err *e)
{
	rtlog_write(a ? a->log : NULL, a ? a->log_format : NULL, RTLOG_ERROR, "hardrun: %s",
		    e->msg);
	if (a && a->log)
		fprintf(stderr, "hardrun: %s\n", e->msg);
	return 1;
}

/* The runtime must exist, be executable and not be hardrun itself. */
static int _check_runtime(const char *runtime, struct err *e)
{
	struct stat rt, self;
	if (stat(runtime, &rt) < 0)
		return err_set_sys(e, errno, "runtime %s", runtime);
	if (!S_ISREG(rt.st_mode) || access(runtime, X_OK) < 0)
		return err_set(e, EACCES, "runtime %s is not an executable file", runtime);
	if (stat("/proc/self/exe", &self) == 0 && self.st_dev == rt.st_dev &&
	    self.st_ino == rt.st_ino)
		return err_set(e, ELOOP, "runtime %s is hardrun itself", runtime);
	return 0;
}

static int _exec_runtime(const struct rt_args *a, const char *runtime, char **argv, struct err *e)
{
	int r = _check_runtime(runtime, e);
	if (r < 0)
		return r;
	argv[0] = (char *)runtime;
	execve(runtime, argv, environ);
	return err_set_sys(e, errno, "execute runtime %s", runtime);
}

int main(int argc, char **argv)
{
	struct node_config nc;
	struct rt_args a;
	struct err e = { 0 };
	int r;

	r = _own_command(argc, argv);
	if (r >= 0)
		return r;
	(void)argv_parse(argc, argv, &a, &e);
	r = nodeconf_load(NULL, &nc, &e);
	if (r < 0)
		return _fail(&a, &e);
	if (_is_usage(argc, argv))
		return _usage(nc.runtime, argv);
	/* usage requests and incomplete lines are the runtime's to answer */
	enum rt_cmd cmd = a.help || !a.container_id ? CMD_OTHER : a.cmd;
	switch (cmd) {
	case CMD_CREATE:
	case CMD_RUN:
	case CMD_RESTORE:
		r = harden_create(&a, &nc, &e);
		break;
	case CMD_EXEC:
		r = harden_exec(&a, &nc, &e);
		break;
	case CMD_DELETE:
		harden_delete(&a, &nc);
		break;
	default:
		break;
	}
	if (r >= 0)
		r = _exec_runtime(&a, nc.runtime, argv, &e);
	return _fail(&a, &e);
}
