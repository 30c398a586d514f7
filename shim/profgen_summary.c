// SPDX-License-Identifier: GPL-2.0-or-later
/* The human summary of a generation (include/hardrun/profgen.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/cleanup.h"
#include "hardrun/profgen.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static size_t _dropped(const struct strmap *m, uint64_t min)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n; i++)
		n += m->items[i]->recordings < min;
	return n;
}

static void _print_strings(FILE *out, const char *label, const struct json *a)
{
	fprintf(out, "  %s:", label);
	if (!a || a->n == 0)
		fprintf(out, " (none)");
	json_foreach (i, a) {
		const char *s = json_string(a->items[i]);
		fprintf(out, "%s%s", i ? ", " : " ", s ? s : "?");
	}
	fputc('\n', out);
}

/* Each kept capability with the call that needed it (or why it was kept undecided). */
static void _print_caps(FILE *out, const struct profgen_merged *m, const struct profgen_opts *o,
			const struct json *caps)
{
	fprintf(out, "  capabilities: %zu kept, every other one dropped%s\n", caps ? caps->n : 0,
		caps && caps->n ? ":" : "");
	json_foreach (i, caps) {
		const char *name = json_string(caps->items[i]) ?: "?";
		const struct strmap_item *it = strmap_find(&m->sec.caps, name);
		const char *why = it && it->info ? it->info : "(no evidence recorded)";
		bool undecided = strncmp(why, "undecided: ", 11) == 0;
		fprintf(out, "    %s: %s%s (%" PRIu64 " call(s))\n", name,
			undecided ? "kept, could not decide: " : "", undecided ? why + 11 : why,
			it ? it->count : 0);
	}
}

/* What the syscall families added (the rule marked PROFGEN_FAMILY_COMMENT). */
static void _print_families(FILE *out, const struct json *rules, const struct profgen_opts *o)
{
	if (o->exact) {
		fprintf(out, "  syscall families: off (--exact)\n");
		return;
	}
	json_foreach (i, rules) {
		const struct json *r = rules->items[i], *names = json_get(r, "names");
		if (strcmp(json_string(json_get(r, "comment")) ?: "", PROFGEN_FAMILY_COMMENT) != 0)
			continue;
		fprintf(out, "  syscall families added %zu (--exact leaves them out):", names->n);
		json_foreach (k, names) {
			const char *n = json_string(names->items[k]) ?: "?";
			fprintf(out, "%s%s (%s family)", k ? ", " : " ", n,
				profgen_family_of(n) ?: "?");
		}
		fputc('\n', out);
		return;
	}
	fprintf(out, "  syscall families added none\n");
}

void profgen_summary(FILE *out, const char *name, const struct profgen_merged *m,
		     const struct profgen_opts *o, const struct json *profile)
{
	const struct json *rules = json_get_path(profile, "seccomp.syscalls");
	size_t allowed = 0, learned = 0, argrules = 0;

	json_foreach (i, rules) {
		const struct json *r = rules->items[i];
		if (strcmp(json_string(json_get(r, "action")) ?: "", "SCMP_ACT_ALLOW") != 0)
			continue;
		if (json_get(r, "args"))
			argrules++;
		else
			allowed += json_get(r, "names")->n;
	}
	for (size_t i = 0; i < m->sec.syscalls.n; i++)
		learned += m->sec.syscalls.items[i]->recordings >= o->min_count;
	fprintf(out, "hardrun: profile \"%s\" from %zu recording(s)", name, m->recordings);
	if (m->exec_sessions)
		fprintf(out, ", %" PRIu64 " exec session(s) %s", m->exec_sessions,
			o->include_exec ? "merged" : "kept out (--include-exec merges them)");
	fprintf(out,
		"\n  seccomp: %zu syscalls allowed plainly, %zu argument rules "
		"(%zu syscall/arch pairs learned), everything else EPERM, newer than hardrun "
		"ENOSYS\n",
		allowed, argrules, learned);
	_print_families(out, rules, o);
	_print_caps(out, m, o, json_get(profile, "capabilities"));
	_print_strings(out, "executables", json_get_path(profile, "monitor.knownBinaries"));
	if (json_get_path(profile, "monitor.shellParents"))
		_print_strings(out, "programs that start shells (terminal_shell lets them)",
			       json_get_path(profile, "monitor.shellParents"));
	_print_strings(out, "network", json_get_path(profile, "apparmor.network"));
	const struct json *files = json_get_path(profile, "apparmor.files");
	fprintf(out, "  files: %zu path rules\n", files ? files->n : 0);
	if (o->min_count > 1)
		fprintf(out,
			"  left out by --min-count %" PRIu64 ": %zu syscalls, %zu files, "
			"%zu executables, %zu argument values\n",
			o->min_count, _dropped(&m->sec.syscalls, o->min_count),
			_dropped(&m->sec.files, o->min_count), _dropped(&m->sec.exec, o->min_count),
			_dropped(&m->sec.args, o->min_count));
	fprintf(out, "  saturation: no new syscall for %zu run(s) / %" PRId64 " s%s\n",
		m->runs_without_new, m->seconds_without_new,
		m->runs_without_new == 0 ? " (the last run still found new ones: learn more)" : "");
}
