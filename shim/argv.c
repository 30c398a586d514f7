// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runc-compatible argv parsing (include/hardrun/argv.h).
 *
 * The tables list, for runc 1.1 and current runc, which flags take a value;
 * everything else is a boolean.  Only the commands hardrun looks at need
 * their flags listed; for other commands the command word is enough.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/argv.h"

enum _slot {
	SLOT_NONE,
	SLOT_ROOT,
	SLOT_LOG,
	SLOT_LOG_FORMAT,
	SLOT_SYSTEMD_CGROUP,
	SLOT_DEBUG,
	SLOT_BUNDLE,
	SLOT_PROCESS,
	SLOT_PID_FILE,
	SLOT_FORCE,
	SLOT_DETACH,
	SLOT_HELP,
	SLOT_CAP,
	SLOT_APPARMOR,
	SLOT_PROCESS_LABEL,
};

struct _flag {
	const char *name;  /* without dashes */
	const char *alias; /* single-letter alias or NULL */
	bool value;	   /* takes a value */
	enum _slot slot;
};

#define END                                                                                        \
	{                                                                                          \
		NULL, NULL, false, SLOT_NONE                                                       \
	}

static const struct _flag _global_flags[] = {
	{ "root", NULL, true, SLOT_ROOT },
	{ "log", NULL, true, SLOT_LOG },
	{ "log-format", NULL, true, SLOT_LOG_FORMAT },
	{ "criu", NULL, true, SLOT_NONE },
	{ "rootless", NULL, true, SLOT_NONE },
	{ "debug", NULL, false, SLOT_DEBUG },
	{ "systemd-cgroup", NULL, false, SLOT_SYSTEMD_CGROUP },
	{ "help", "h", false, SLOT_HELP },
	{ "version", "v", false, SLOT_NONE },
	END,
};

static const struct _flag _create_flags[] = {
	{ "bundle", "b", true, SLOT_BUNDLE },
	{ "console-socket", NULL, true, SLOT_NONE },
	{ "pidfd-socket", NULL, true, SLOT_NONE },
	{ "pid-file", NULL, true, SLOT_PID_FILE },
	{ "preserve-fds", NULL, true, SLOT_NONE },
	{ "no-pivot", NULL, false, SLOT_NONE },
	{ "no-new-keyring", NULL, false, SLOT_NONE },
	{ "detach", "d", false, SLOT_DETACH },
	{ "keep", NULL, false, SLOT_NONE },
	{ "no-subreaper", NULL, false, SLOT_NONE },
	{ "help", "h", false, SLOT_HELP },
	END,
};

static const struct _flag _restore_flags[] = {
	{ "bundle", "b", true, SLOT_BUNDLE },
	{ "console-socket", NULL, true, SLOT_NONE },
	{ "pid-file", NULL, true, SLOT_PID_FILE },
	{ "image-path", NULL, true, SLOT_NONE },
	{ "work-path", NULL, true, SLOT_NONE },
	{ "manage-cgroups-mode", NULL, true, SLOT_NONE },
	{ "empty-ns", NULL, true, SLOT_NONE },
	{ "lsm-profile", NULL, true, SLOT_NONE },
	{ "lsm-mount-context", NULL, true, SLOT_NONE },
	{ "detach", "d", false, SLOT_DETACH },
	{ "help", "h", false, SLOT_HELP },
	END,
};

static const struct _flag _exec_flags[] = {
	{ "console-socket", NULL, true, SLOT_NONE },
	{ "pidfd-socket", NULL, true, SLOT_NONE },
	{ "cwd", NULL, true, SLOT_NONE },
	{ "env", "e", true, SLOT_NONE },
	{ "process", "p", true, SLOT_PROCESS },
	{ "apparmor", NULL, true, SLOT_APPARMOR },
	{ "process-label", NULL, true, SLOT_PROCESS_LABEL },
	{ "user", "u", true, SLOT_NONE },
	{ "additional-gids", "g", true, SLOT_NONE },
	{ "cap", "c", true, SLOT_CAP },
	{ "preserve-fds", NULL, true, SLOT_NONE },
	{ "pid-file", NULL, true, SLOT_PID_FILE },
	{ "cgroup", NULL, true, SLOT_NONE },
	{ "tty", "t", false, SLOT_NONE },
	{ "detach", "d", false, SLOT_DETACH },
	{ "no-new-privs", NULL, false, SLOT_NONE },
	{ "ignore-paused", NULL, false, SLOT_NONE },
	{ "help", "h", false, SLOT_HELP },
	END,
};

static const struct _flag _delete_flags[] = {
	{ "force", "f", false, SLOT_FORCE },
	{ "help", "h", false, SLOT_HELP },
	END,
};

static const struct _flag _kill_flags[] = {
	{ "all", "a", false, SLOT_NONE },
	{ "help", "h", false, SLOT_HELP },
	END,
};

static const struct _flag _no_flags[] = {
	{ "help", "h", false, SLOT_HELP },
	END,
};

static const struct {
	const char *name;
	enum rt_cmd cmd;
	const struct _flag *flags;
} _commands[] = {
	{ "create", CMD_CREATE, _create_flags },    { "run", CMD_RUN, _create_flags },
	{ "restore", CMD_RESTORE, _restore_flags }, { "exec", CMD_EXEC, _exec_flags },
	{ "delete", CMD_DELETE, _delete_flags },    { "kill", CMD_KILL, _kill_flags },
	{ "start", CMD_START, _no_flags },	    { "state", CMD_STATE, _no_flags },
};

/* Split "-x", "--x", "--x=v" into name (without dashes) and inline value. */
static bool _split_flag(const char *arg, char *name, size_t size, const char **ret_value)
{
	if (arg[0] != '-' || arg[1] == '\0')
		return false;
	const char *p = arg + (arg[1] == '-' ? 2 : 1);
	if (*p == '\0' || *p == '-')
		return false;
	const char *eq = strchr(p, '=');
	size_t len = eq ? (size_t)(eq - p) : strlen(p);
	if (len >= size)
		len = size - 1;
	memcpy(name, p, len);
	name[len] = '\0';
	*ret_value = eq ? eq + 1 : NULL;
	return true;
}

static const struct _flag *_lookup(const struct _flag *table, const char *name)
{
	for (const struct _flag *f = table; f->name; f++)
		if (strcmp(f->name, name) == 0 || (f->alias && strcmp(f->alias, name) == 0))
			return f;
	return NULL;
}

static void _store(struct rt_args *a, enum _slot slot, const char *value)
{
	bool on = !value || strcmp(value, "false") != 0;
	switch (slot) {
	case SLOT_ROOT:
		a->root = value;
		break;
	case SLOT_LOG:
		a->log = value;
		break;
	case SLOT_LOG_FORMAT:
		a->log_format = value;
		break;
	case SLOT_BUNDLE:
		a->bundle = value;
		break;
	case SLOT_PROCESS:
		a->process = value;
		break;
	case SLOT_PID_FILE:
		a->pid_file = value;
		break;
	case SLOT_SYSTEMD_CGROUP:
		a->systemd_cgroup = on;
		break;
	case SLOT_DEBUG:
		a->debug = on;
		break;
	case SLOT_FORCE:
		a->force = on;
		break;
	case SLOT_DETACH:
		a->detach = on;
		break;
	case SLOT_HELP:
		a->help = on;
		break;
	case SLOT_CAP:
		if (value && a->n_caps < ARGV_MAX_CAPS)
			a->caps[a->n_caps] = value;
		a->n_caps++;
		break;
	case SLOT_APPARMOR:
		a->apparmor = value;
		break;
	case SLOT_PROCESS_LABEL:
		a->process_label = value;
		break;
	case SLOT_NONE:
		break;
	}
}

/*
 * Parse flags from argv[*i] on against table.  Without reorder, parsing stops
 * at the first positional argument (Go's flag package; runc's exec).  With
 * reorder, flags after positional arguments count too, as urfave/cli v1's
 * argument reordering does for runc's other commands.  `--` ends flags.
 * Unknown flags are skipped: with "=v" they are self-contained, without it
 * they are taken as booleans (the real runtime will judge them).  The first
 * positional argument is returned in *ret_first (NULL if none).
 */
static void _parse_flags(struct rt_args *a, const struct _flag *table, int *i, bool reorder,
			 const char **ret_first)
{
	char name[64];
	const char *inline_value;

	*ret_first = NULL;
	while (*i < a->argc) {
		const char *arg = a->argv[*i];
		if (strcmp(arg, "--") == 0) {
			if (!*ret_first && *i + 1 < a->argc)
				*ret_first = a->argv[*i + 1];
			return;
		}
		if (!_split_flag(arg, name, sizeof(name), &inline_value)) {
			if (!*ret_first)
				*ret_first = arg;
			if (!reorder)
				return;
			(*i)++;
			continue;
		}
		(*i)++;
		const struct _flag *f = _lookup(table, name);
		if (!f)
			continue;
		const char *value = inline_value;
		if (f->value && !value && *i < a->argc)
			value = a->argv[(*i)++];
		_store(a, f->slot, value);
	}
}

int argv_parse(int argc, char *const *argv, struct rt_args *ret, struct err *e)
{
	struct rt_args a = { .argc = argc, .argv = argv, .cmd_index = -1, .cmd = CMD_NONE };
	const char *first;
	int i = 1;

	if (argc < 1 || !argv)
		return err_set(e, EINVAL, "empty command line");
	_parse_flags(&a, _global_flags, &i, false, &first);
	if (!first)
		goto out;
	if (strcmp(argv[i], "--") == 0)
		i++;
	a.cmd_index = i;
	a.command = argv[i];
	a.cmd = CMD_OTHER;
	i++;
	for (size_t c = 0; c < sizeof(_commands) / sizeof(_commands[0]); c++) {
		if (strcmp(_commands[c].name, a.command) != 0)
			continue;
		a.cmd = _commands[c].cmd;
		_parse_flags(&a, _commands[c].flags, &i, a.cmd != CMD_EXEC, &a.container_id);
		break;
	}
out:
	*ret = a;
	return 0;
}

const char *argv_root(const struct rt_args *a)
{
	return a->root && *a->root ? a->root : RUNC_DEFAULT_ROOT;
}
