/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runc-compatible command line parsing (urfave/cli v1 rules as runc uses
 * them): `[global flags] <command> [flags] <args>`.  Flags may be written
 * -x, --x, -x=v, --x v; booleans also as --x=true/false; `--` ends flags; flag
 * parsing of a command stops at its first positional argument.  Unknown
 * flags are kept and passed through untouched.  Parsing never modifies argv.
 */
#ifndef HARDRUN_ARGV_H
#define HARDRUN_ARGV_H

#include <stdbool.h>

#include "hardrun/err.h"

enum rt_cmd {
	CMD_NONE,  /* no command: `runc`, `runc --version`, `runc --help` */
	CMD_OTHER, /* a command hardrun does not look at */
	CMD_CREATE,
	CMD_RUN,
	CMD_RESTORE,
	CMD_EXEC,
	CMD_DELETE,
	CMD_START,
	CMD_STATE,
	CMD_KILL,
};

struct rt_args {
	int argc;
	char *const *argv;
	int cmd_index; /* index of the command word, -1 if none */
	enum rt_cmd cmd;
	const char *command; /* the command word as written */
	/* global flags (NULL when absent) */
	const char *root;
	const char *log;
	const char *log_format;
	bool systemd_cgroup;
	bool debug;
	/* command flags */
	const char *bundle;  /* create/run/restore --bundle/-b (as written) */
	const char *process; /* exec --process/-p */
	const char *pid_file;
	bool force; /* delete --force */
	bool detach;
	bool help;		  /* --help/-h anywhere: the runtime prints usage */
	const char *container_id; /* first positional argument after the command */
	/* exec without --process: what the command line adds to the process */
#define ARGV_MAX_CAPS 64
	const char *caps[ARGV_MAX_CAPS]; /* --cap/-c values */
	int n_caps;			 /* may exceed ARGV_MAX_CAPS: then refuse */
	const char *apparmor;		 /* --apparmor */
	const char *process_label;	 /* --process-label */
};

int argv_parse(int argc, char *const *argv, struct rt_args *ret, struct err *e);

/* Default runc state root when --root is not given (root user). */
#define RUNC_DEFAULT_ROOT "/run/runc"
const char *argv_root(const struct rt_args *a);

#endif
