// SPDX-License-Identifier: GPL-2.0-or-later
/* Readable difference of two profiles (include/hardrun/profgen.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/cleanup.h"
#include "hardrun/profgen.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* "socket: arg0 == 2, arg1 & 0xf == 1" */
static void _rule_args_string(const struct json *args, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	json_foreach (i, args) {
		const struct json *a = args->items[i];
		uint64_t idx = 0, v = 0, two = 0;
		(void)json_to_uint64(json_get(a, "index"), &idx);
		(void)json_to_uint64(json_get(a, "value"), &v);
		(void)json_to_uint64(json_get(a, "valueTwo"), &two);
		const char *op = json_string(json_get(a, "op")) ?: "?";
		if (strcmp(op, "SCMP_CMP_MASKED_EQ") == 0)
			n += snprintf(buf + n, size - n,
				      "%sarg%" PRIu64 " & 0x%" PRIx64 " == 0x%" PRIx64,
				      i ? ", " : "", idx, v, two);
		else
			n += snprintf(buf + n, size - n, "%sarg%" PRIu64 " %s 0x%" PRIx64,
				      i ? ", " : "", idx, op + 9, v);
		if (n >= size)
			return;
	}
}

static int _facet_seccomp(const struct json *p, int which, struct strmap *out)
{
	const struct json *rules = json_get_path(p, "seccomp.syscalls");

	json_foreach (i, rules) {
		const struct json *r = rules->items[i], *names = json_get(r, "names");
		const char *action = json_string(json_get(r, "action")) ?: "?";
		const struct json *args = json_get(r, "args");
		bool allow = strcmp(action, "SCMP_ACT_ALLOW") == 0;
		char buf[512], item[640];
		int64_t eno = 0;

		if ((which == 0 && (!allow || (args && args->n))) ||
		    (which == 1 && (!allow || !args || !args->n)) || (which == 2 && allow))
			continue;
		_rule_args_string(args, buf, sizeof(buf));
		(void)json_to_int64(json_get(r, "errnoRet"), &eno);
		json_foreach (k, names) {
			const char *n = json_string(names->items[k]) ?: "?";
			if (which == 0)
				snprintf(item, sizeof(item), "%s", n);
			else if (which == 1)
				snprintf(item, sizeof(item), "%s: %s", n, buf);
			else
				snprintf(item, sizeof(item), "%s: %s %" PRId64, n, action, eno);
			if (!strmap_add(out, item, NULL))
				return -ENOMEM;
		}
	}
	return 0;
}

static int _facet_strings(const struct json *p, const char *path, struct strmap *out)
{
	const struct json *a = json_get_path(p, path);

	json_foreach (i, a) {
		const struct json *it = a->items[i];
		char buf[4200];
		if (json_is(it, JSON_OBJECT)) /* apparmor.files */
			snprintf(buf, sizeof(buf), "%s %s",
				 json_string(json_get(it, "path")) ?: "?",
				 json_string(json_get(it, "access")) ?: "?");
		else
			snprintf(buf, sizeof(buf), "%s", json_string(it) ?: "?");
		if (!strmap_add(out, buf, NULL))
			return -ENOMEM;
	}
	return 0;
}

static const struct {
	const char *label;
	int seccomp; /* 0/1/2: plain allow / argument rules / other actions; -1: path */
	const char *path;
} _facets[] = {
	{ "syscalls allowed", 0, NULL },
	{ "syscall argument rules", 1, NULL },
	{ "syscalls with other actions", 2, NULL },
	{ "capabilities", -1, "capabilities" },
	{ "AppArmor files", -1, "apparmor.files" },
	{ "AppArmor exec", -1, "apparmor.exec" },
	{ "AppArmor network", -1, "apparmor.network" },
	{ "known binaries", -1, "monitor.knownBinaries" },
};

static size_t _only_in(FILE *out, const struct strmap *x, const struct strmap *y, char sign,
		       bool print)
{
	_cleanup_free_ struct strmap_item **v = strmap_sorted(x);
	size_t n = 0;

	for (size_t i = 0; v && i < x->n; i++) {
		if (strmap_find(y, v[i]->key))
			continue;
		if (print)
			fprintf(out, "    %c %s\n", sign, v[i]->key);
		n++;
	}
	return n;
}

int profgen_diff(FILE *out, const char *name_a, const struct json *a, const char *name_b,
		 const struct json *b)
{
	int differ = 0;

	for (size_t f = 0; f < ARRAY_SIZE(_facets); f++) {
		struct strmap x = { 0 }, y = { 0 };
		if (_facets[f].seccomp >= 0) {
			(void)_facet_seccomp(a, _facets[f].seccomp, &x);
			(void)_facet_seccomp(b, _facets[f].seccomp, &y);
		} else {
			(void)_facet_strings(a, _facets[f].path, &x);
			(void)_facet_strings(b, _facets[f].path, &y);
		}
		size_t na = _only_in(out, &x, &y, '-', false),
		       nb = _only_in(out, &y, &x, '+', false);
		if (na || nb) {
			fprintf(out, "  %s: %zu only in %s (-), %zu only in %s (+)\n",
				_facets[f].label, na, name_a, nb, name_b);
			_only_in(out, &x, &y, '-', true);
			_only_in(out, &y, &x, '+', true);
			differ = 1;
		}
		strmap_release(&x);
		strmap_release(&y);
	}
	if (!differ)
		fprintf(out, "  %s and %s allow the same\n", name_a, name_b);
	return differ;
}
