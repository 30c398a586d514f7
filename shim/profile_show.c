// SPDX-License-Identifier: GPL-2.0-or-later
/* `hardrun profile show`: a readable summary of a profile. */
#include <errno.h>
#include <string.h>

#include "hardrun/caps.h"
#include "hardrun/cleanup.h"
#include "hardrun/profile_show.h"

static bool _seen_before(const struct filter *f, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(f->rules[k].name, f->rules[i].name) == 0)
			return true;
	return false;
}

int profile_filter_stats(const struct json *oci, struct filter_stats *ret, struct err *e)
{
	struct filter f = { 0 };
	int r = filter_from_oci(oci, &f, e);

	if (r < 0)
		return r;
	memset(ret, 0, sizeof(*ret));
	ret->rules = json_get(oci, "syscalls") ? json_get(oci, "syscalls")->n : 0;
	for (size_t i = 0; i < f.n; i++) {
		const struct filter_rule *rule = &f.rules[i];
		if (_seen_before(&f, i))
			continue;
		if (rule->action.act == FA_ALLOW)
			(*(rule->nargs ? &ret->conditional : &ret->allowed))++;
		else if (rule->action.act == FA_ERRNO && rule->action.ret == FILTER_ENOSYS)
			ret->enosys++;
		else
			ret->denied++;
	}
	filter_release(&f);
	return 0;
}

static void _list(FILE *out, const char *label, const struct json *arr)
{
	fprintf(out, "%-16s", label);
	if (!arr || !arr->n)
		fputs(" -", out);
	json_foreach (i, arr) {
		fprintf(out, " %s", json_string(arr->items[i]) ?: "?");
	}
	fputc('\n', out);
}

static int _show_seccomp(const struct profile *p, FILE *out, struct err *e)
{
	_cleanup_json_ struct json *oci = NULL;
	struct filter_stats s;
	const struct json *ret = json_get(p->seccomp, "defaultErrnoRet");

	if (!p->seccomp) {
		fputs("seccomp          none (the bundle's filter is kept)\n", out);
		return 0;
	}
	int r = filter_render(p->seccomp, p->caps, &oci, e);
	if (r >= 0)
		r = profile_filter_stats(oci, &s, e);
	if (r < 0)
		return r;
	fprintf(out, "seccomp          default %s%s%s%s, %zu rules in the profile\n",
		json_string(json_get(p->seccomp, "defaultAction")), ret ? "(" : "",
		ret ? ret->text : "", ret ? ")" : "",
		json_get(p->seccomp, "syscalls") ? json_get(p->seccomp, "syscalls")->n : 0);
	_list(out, "  architectures", json_get(p->seccomp, "architectures"));
	fprintf(out,
		"  rendered here   %zu allowed, %zu allowed by argument, %zu ENOSYS, %zu other "
		"explicit denials (syscalls); %zu OCI rules\n",
		s.allowed, s.conditional, s.enosys, s.denied, s.rules);
	return 0;
}

static void _show_lsm(const struct profile *p, FILE *out)
{
	const struct json *aa = p->apparmor, *se = p->selinux;

	if (!aa)
		fputs("apparmor         none\n", out);
	else if (json_get(aa, "profile"))
		fprintf(out, "apparmor         host profile %s\n",
			json_string(json_get(aa, "profile")));
	else
		fprintf(out, "apparmor         hardrun-%s (%s, %zu file rules, %zu exec)\n",
			p->name,
			json_is_true(json_get(aa, "defaultDeny")) ? "default deny"
								  : "default allow",
			json_get(aa, "files") ? json_get(aa, "files")->n : 0,
			json_get(aa, "exec") ? json_get(aa, "exec")->n : 0);
	if (!se)
		fputs("selinux          none\n", out);
	else
		fprintf(out, "selinux          type %s, level %s\n",
			json_string(json_get(se, "type")) ?: "(runtime's)",
			json_string(json_get(se, "level")) ?: "(runtime's)");
}

static void _show_monitor(const struct profile *p, FILE *out)
{
	const struct json *rules = json_get(p->monitor, "rules");

	fprintf(out, "monitor rules   ");
	if (!rules || !rules->n)
		fputs(" defaults", out);
	json_foreach (i, rules) {
		fprintf(out, " %s=%s", rules->keys[i], json_string(rules->items[i]));
	}
	fputc('\n', out);
	_list(out, "known binaries", json_get(p->monitor, "knownBinaries"));
}

int profile_show(const struct profile *p, FILE *out, struct err *e)
{
	_cleanup_json_ struct json *caps = NULL, *amb = NULL;
	int r;

	fprintf(out, "name             %s\ndescription      %s\n", p->name, p->description);
	r = _show_seccomp(p, out, e);
	if (r >= 0 && p->caps_set)
		r = caps_mask_to_json(p->caps, &caps, e);
	if (r >= 0)
		r = caps_mask_to_json(p->ambient, &amb, e);
	if (r < 0)
		return r;
	if (p->caps_set)
		_list(out, "capabilities", caps);
	else
		fputs("capabilities     (the bundle's)\n", out);
	_list(out, "ambient", amb);
	fprintf(out, "noNewPrivileges  %s\nreadonlyRootfs   %s\n",
		p->no_new_privileges ? "yes" : "no", p->readonly_rootfs ? "yes" : "no");
	_list(out, "maskedPaths", json_get(p->doc, "maskedPaths"));
	_list(out, "readonlyPaths", json_get(p->doc, "readonlyPaths"));
	_show_lsm(p, out);
	_show_monitor(p, out);
	return 0;
}
