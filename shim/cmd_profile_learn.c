// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hardrun profile generate NAME [--from FILE...] [--min-count N] [--include-exec] [--exact]
 *                          [-o FILE]
 * hardrun profile diff A B
 *
 * generate merges recordings (default: every *.json in <recordingsDir>/NAME/)
 * into a profile, written to stdout or atomically to -o FILE; the summary
 * goes to stderr.  diff compares two profiles (names in profileDirs, files,
 * or recordings, which are compared as the profile they would generate).
 */
#include <errno.h>
#include <getopt.h>
#include <selinux/selinux.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/cleanup.h"
#include "hardrun/cmd_profile_learn.h"
#include "hardrun/fsutil.h"
#include "hardrun/nodeconf.h"
#include "hardrun/profgen.h"
#include "hardrun/profile.h"

#define PROFILE_MAX_SIZE (16u << 20)

static int _usage_generate(void)
{
	fprintf(stderr, "usage: hardrun profile generate NAME [--from FILE...] [--min-count N] "
			"[--include-exec] [--exact] [--selinux-type TYPE] [-o FILE]\n");
	return 2;
}

struct _gen_args {
	const char *name, *output;
	char selinux_type[PROFILE_NAME_MAX + 16];
	char **from;
	size_t nfrom;
	struct profgen_opts opts;
};

/* An SELinux section only where SELinux runs (or --selinux-type asks): the
 * type hardrun_<name>_t, which `hardrun profile export NAME --format cil`
 * declares. */
static void _default_selinux_type(struct _gen_args *a)
{
	if (a->selinux_type[0] || is_selinux_enabled() <= 0)
		goto out;
	size_t n =
		(size_t)snprintf(a->selinux_type, sizeof(a->selinux_type), "hardrun_%s_t", a->name);
	for (size_t i = 0; i < n && i < sizeof(a->selinux_type); i++) {
		char *c = &a->selinux_type[i];
		*c = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : *c;
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
			*c = '_';
	}
out:
	a->opts.selinux_type = a->selinux_type[0] ? a->selinux_type : NULL;
}

static int _parse_generate(int argc, char **argv, struct _gen_args *a)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "min-count", required_argument, NULL, 'm' },
		{ "include-exec", no_argument, NULL, 'x' },
		{ "output", required_argument, NULL, 'o' },
		{ "selinux-type", required_argument, NULL, 's' },
		{ "exact", no_argument, NULL, 'e' },
		{ 0 },
	};
	int c;
	char *end;

	a->opts.min_count = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->from[a->nfrom++] = optarg;
			break;
		case 'm':
			a->opts.min_count = strtoull(optarg, &end, 10);
			if (*end || a->opts.min_count < 1)
				return -EINVAL;
			break;
		case 'x':
			a->opts.include_exec = true;
			break;
		case 'e':
			a->opts.exact = true;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 's':
			(void)snprintf(a->selinux_type, sizeof(a->selinux_type), "%s", optarg);
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc - 1)
		return -EINVAL;
	a->name = argv[optind];
	_default_selinux_type(a);
	return 0;
}

static int _write_profile(const struct json *p, const char *output, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = json_dump(p, true, &buf, &len, e);

	if (r < 0)
		return r;
	if (output)
		return fs_write_atomic(output, buf, len, 0644, e);
	if (fwrite(buf, 1, len, stdout) != len || fputc('\n', stdout) == EOF || fflush(stdout))
		return err_set_sys(e, EIO, "write profile");
	return 0;
}

/* What hardrun would refuse at create is never written. */
static int _check_generated(const struct json *p, struct err *e)
{
	struct profile *prof = NULL;
	int r = profile_parse(p, &prof, e);

	profile_free(prof);
	return r < 0 ? err_prefix(e, "the generated profile does not validate (nothing written)")
		     : 0;
}

static int _generate(struct _gen_args *a, struct err *e)
{
	struct recording_set recs = { 0 };
	struct profgen_merged m = { 0 };
	_cleanup_json_ struct json *p = NULL;
	int r;

	if (!profile_name_valid(a->name)) {
		r = err_set(e, EINVAL, "invalid profile name \"%s\"", a->name);
		goto out;
	}
	for (size_t i = 0; i < a->nfrom; i++)
		if ((r = recording_set_load(&recs, a->from[i], e)) < 0)
			goto out;
	if (a->nfrom == 0) {
		struct node_config nc = { 0 };
		_cleanup_free_ char *dir = NULL;
		r = nodeconf_load(NULL, &nc, e);
		if (r == 0 && asprintf(&dir, "%s/%s", nc.recordings_dir, a->name) < 0)
			r = err_set(e, ENOMEM, "out of memory");
		nodeconf_release(&nc);
		if (r < 0 || (r = recording_set_load_dir(&recs, dir, e)) < 0)
			goto out;
	}
	if ((r = profgen_merge(recs.v, recs.n, &a->opts, &m, e)) < 0 ||
	    (r = profgen_generate(a->name, &m, &a->opts, &p, e)) < 0 ||
	    (r = _check_generated(p, e)) < 0 || (r = _write_profile(p, a->output, e)) < 0)
		goto out;
	profgen_summary(stderr, a->name, &m, &a->opts, p);
out:
	profgen_merged_release(&m);
	recording_set_release(&recs);
	return r;
}

int cmd_profile_generate(int argc, char **argv)
{
	_cleanup_free_ char **from = calloc(argc + 1, sizeof(*from));
	struct _gen_args a = { .from = from };
	struct err e = { 0 };

	if (!from)
		return 1;
	if (_parse_generate(argc, argv, &a) < 0)
		return _usage_generate();
	if (_generate(&a, &e) < 0) {
		fprintf(stderr, "hardrun: profile generate: %s\n", e.msg);
		return 1;
	}
	return 0;
}

/* ---------- diff ---------- */

/* A profile file, a recording (as the profile it generates) or a name in profileDirs. */
static int _load_any(const char *what, struct json **ret, struct err *e)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_json_ struct json *doc = NULL;
	int r;

	if (strchr(what, '/') || (strlen(what) > 5 && !strcmp(what + strlen(what) - 5, ".json"))) {
		path = strdup(what);
	} else {
		struct node_config nc = { 0 };
		if (!profile_name_valid(what))
			return err_set(e, EINVAL, "invalid profile name \"%s\"", what);
		if ((r = nodeconf_load(NULL, &nc, e)) < 0)
			return r;
		for (char **d = nc.profile_dirs; d && *d && !path; d++) {
			_cleanup_free_ char *p = NULL;
			if (asprintf(&p, "%s/%s.json", *d, what) >= 0 && access(p, F_OK) == 0)
				path = steal_pointer(&p);
		}
		nodeconf_release(&nc);
		if (!path)
			return err_set(e, ENOENT, "profile \"%s\" not found in profileDirs", what);
	}
	if (!path)
		return err_set(e, ENOMEM, "out of memory");
	if ((r = json_load_file(path, PROFILE_MAX_SIZE, &doc, e)) < 0)
		return r;
	if (!json_get(doc, "hardrunRecording")) {
		*ret = steal_pointer(&doc);
		return 0;
	}
	struct recording rec = { 0 };
	struct profgen_merged m = { 0 };
	struct profgen_opts o = { .min_count = 1 };
	if ((r = recording_from_json(doc, &rec, e)) == 0 &&
	    (r = profgen_merge(&rec, 1, &o, &m, e)) == 0)
		r = profgen_generate(rec.profile[0] ? rec.profile : "recording", &m, &o, ret, e);
	profgen_merged_release(&m);
	recording_release(&rec);
	return r < 0 ? err_prefix(e, "%s", path) : 0;
}

int cmd_profile_diff(int argc, char **argv)
{
	_cleanup_json_ struct json *a = NULL, *b = NULL;
	struct err e = { 0 };

	if (argc != 3) {
		fprintf(stderr,
			"usage: hardrun profile diff A B   (names, profile files or recordings)\n");
		return 2;
	}
	if (_load_any(argv[1], &a, &e) < 0 || _load_any(argv[2], &b, &e) < 0) {
		fprintf(stderr, "hardrun: profile diff: %s\n", e.msg);
		return 2;
	}
	printf("hardrun profile diff %s %s\n", argv[1], argv[2]);
	return profgen_diff(stdout, argv[1], a, argv[2], b);
}
