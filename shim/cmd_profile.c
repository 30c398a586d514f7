// SPDX-License-Identifier: GPL-2.0-or-later
/* `hardrun profile validate FILE | show NAME|FILE | export NAME --format F |
 *  import FILE --name NAME`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/caps.h"
#include "hardrun/cleanup.h"
#include "hardrun/cmd_profile.h"
#include "hardrun/cmd_profile_learn.h"
#include "hardrun/filter.h"
#include "hardrun/label.h"
#include "hardrun/nodeconf.h"
#include "hardrun/profile.h"
#include "hardrun/profile_show.h"

#define IMPORT_MAX_SIZE (4u << 20)

static int _fail(const struct err *e)
{
	fprintf(stderr, "hardrun: %s\n", e->msg);
	return 1;
}

static int _usage(const char *msg)
{
	fprintf(stderr,
		"hardrun: %s\nusage: hardrun profile validate FILE | show NAME|FILE |\n"
		"       export NAME|FILE --format oci|docker|pfc|bpf | import FILE --name NAME\n",
		msg);
	return 1;
}

/* A name goes through the node config's profileDirs; anything with a '/' or
 * a .json suffix is a file. */
static int _resolve(const char *arg, struct profile **ret, struct err *e)
{
	struct node_config nc;
	size_t n = strlen(arg);

	if (strchr(arg, '/') || (n > 5 && strcmp(arg + n - 5, ".json") == 0))
		return profile_load_file(arg, ret, e);
	int r = nodeconf_load(NULL, &nc, e);
	if (r < 0)
		return r;
	r = profile_load(&nc, arg, ret, e);
	nodeconf_release(&nc);
	return r;
}

/* --opt VALUE or --opt=VALUE anywhere after the positional argument. */
static const char *_opt(int argc, char **argv, const char *opt)
{
	size_t n = strlen(opt);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], opt) == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], opt, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
	}
	return NULL;
}

static int _validate(int argc, char **argv)
{
	_cleanup_profile_ struct profile *p = NULL;
	struct err e = { 0 };

	if (argc < 2)
		return _usage("validate: missing FILE");
	if (profile_load_file(argv[1], &p, &e) < 0)
		return _fail(&e);
	printf("%s: ok (profile %s)\n", argv[1], p->name);
	return 0;
}

static int _show(int argc, char **argv)
{
	_cleanup_profile_ struct profile *p = NULL;
	struct err e = { 0 };

	if (argc < 2)
		return _usage("show: missing NAME or FILE");
	if (_resolve(argv[1], &p, &e) < 0 || profile_show(p, stdout, &e) < 0)
		return _fail(&e);
	return 0;
}

static int _export_seccomp(const struct profile *p, const char *format, struct err *e)
{
	enum filter_format fmt;

	if (filter_format_parse(format, &fmt) < 0)
		return err_set(e, EINVAL, "unknown format \"%s\"", format);
	if (!p->seccomp)
		return err_set(e, EINVAL, "profile %s has no seccomp section", p->name);
	return filter_export(p->seccomp, p->caps, fmt, STDOUT_FILENO, e);
}

static int _export_cil(const struct profile *p, const char *format, struct err *e)
{
	_cleanup_free_ char *text = NULL;
	int r = label_export_cil(p, &text, e);
	if (r < 0)
		return r;
	fputs(text, stdout);
	return fflush(stdout) == 0 ? 0 : err_set_sys(e, errno, "write");
}

static const struct {
	const char *format;
	int (*fn)(const struct profile *p, const char *format, struct err *e);
} _exporters[] = {
	{ "oci", _export_seccomp }, { "docker", _export_seccomp }, { "pfc", _export_seccomp },
	{ "bpf", _export_seccomp }, { "cil", _export_cil },
};

static int _export(int argc, char **argv)
{
	_cleanup_profile_ struct profile *p = NULL;
	struct err e = { 0 };
	const char *format = _opt(argc, argv, "--format");

	if (argc < 2 || argv[1][0] == '-')
		return _usage("export: missing NAME");
	if (!format)
		return _usage("export: missing --format");
	for (size_t i = 0; i < sizeof(_exporters) / sizeof(_exporters[0]); i++) {
		if (strcmp(format, _exporters[i].format) != 0)
			continue;
		if (_resolve(argv[1], &p, &e) < 0 || _exporters[i].fn(p, format, &e) < 0)
			return _fail(&e);
		return 0;
	}
	return _usage("export: unknown --format");
}

static int _import_doc(const char *file, const char *name, struct json **ret, struct err *e)
{
	_cleanup_json_ struct json *in = NULL, *doc = json_new_object();
	struct json *sec = NULL;
	size_t dropped = 0;
	char desc[512];
	int r = json_load_file(file, IMPORT_MAX_SIZE, &in, e);

	if (r < 0 || (r = filter_import(in, &sec, &dropped, e)) < 0)
		return r;
	(void)snprintf(desc, sizeof(desc), "imported from %s", file);
	if (!doc || json_obj_set(doc, "hardrun", json_new_int(1)) < 0 ||
	    json_obj_set(doc, "name", json_new_string(name)) < 0 ||
	    json_obj_set(doc, "description", json_new_string(desc)) < 0 ||
	    json_obj_set(doc, "seccomp", sec) < 0)
		return err_set(e, ENOMEM, "out of memory");
	if (dropped)
		fprintf(stderr,
			"hardrun: warning: %zu syscall name(s) unknown to libseccomp dropped\n",
			dropped);
	*ret = steal_pointer(&doc);
	return 0;
}

static int _import(int argc, char **argv)
{
	_cleanup_json_ struct json *doc = NULL;
	_cleanup_profile_ struct profile *p = NULL;
	_cleanup_free_ char *out = NULL;
	struct err e = { 0 };
	const char *name = _opt(argc, argv, "--name");

	if (argc < 2 || argv[1][0] == '-')
		return _usage("import: missing FILE");
	if (!name)
		return _usage("import: missing --name");
	if (!profile_name_valid(name))
		return _usage("import: invalid --name");
	if (_import_doc(argv[1], name, &doc, &e) < 0 || profile_parse(doc, &p, &e) < 0 ||
	    profile_to_json(p, &out, NULL, &e) < 0)
		return _fail(&e);
	printf("%s\n", out);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} _subcommands[] = {
	{ "validate", _validate },
	{ "show", _show },
	{ "export", _export },
	{ "import", _import },
	{ "generate", cmd_profile_generate },
	{ "diff", cmd_profile_diff },
};

int cmd_profile(int argc, char **argv)
{
	if (argc < 2)
		return _usage("missing subcommand");
	for (size_t i = 0; i < sizeof(_subcommands) / sizeof(_subcommands[0]); i++)
		if (strcmp(argv[1], _subcommands[i].name) == 0)
			return _subcommands[i].fn(argc - 1, argv + 1);
	return _usage("unknown subcommand");
}
