// SPDX-License-Identifier: GPL-2.0-or-later
/* Render a profile's "apparmor" section into AppArmor policy text.  Pure. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/apparmor.h"
#include "hardrun/cleanup.h"

static const char *const _aa_keys[] = { "profile", "defaultDeny",  "files", "exec",
					"network", "capabilities", NULL };

static const char *const _aa_net_domains[] = { "unix",	 "inet",      "inet6",	   "netlink",
					       "packet", "key",	      "alg",	   "vsock",
					       "can",	 "bluetooth", "appletalk", "x25",
					       "ax25",	 "tipc",      "xdp",	   NULL };

static const char *const _aa_net_kinds[] = { "stream", "dgram", "seqpacket", "rdm",  "raw",
					     "packet", "tcp",	"udp",	     "icmp", NULL };

/* Capability names, index = capability number (linux/capability.h). */
static const char *const _aa_caps[] = {
	"chown",
	"dac_override",
	"dac_read_search",
	"fowner",
	"fsetid",
	"kill",
	"setgid",
	"setuid",
	"setpcap",
	"linux_immutable",
	"net_bind_service",
	"net_broadcast",
	"net_admin",
	"net_raw",
	"ipc_lock",
	"ipc_owner",
	"sys_module",
	"sys_rawio",
	"sys_chroot",
	"sys_ptrace",
	"sys_pacct",
	"sys_admin",
	"sys_boot",
	"sys_nice",
	"sys_resource",
	"sys_time",
	"sys_tty_config",
	"mknod",
	"lease",
	"audit_write",
	"audit_control",
	"setfcap",
	"mac_override",
	"mac_admin",
	"syslog",
	"wake_alarm",
	"block_suspend",
	"audit_read",
	"perfmon",
	"bpf",
	"checkpoint_restore",
	NULL,
};

/* The docker-default floor, present in every rendered profile. */
static const char _aa_floor[] =
	"  # floor (as docker-default): no writes to /proc and /sys internals, no mount\n"
	"  deny @{PROC}/* w,\n"
	"  deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/** "
	"w,\n"
	"  deny @{PROC}/sys/[^k]** w,\n"
	"  deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,\n"
	"  deny @{PROC}/sysrq-trigger rwklx,\n"
	"  deny @{PROC}/kcore rwklx,\n"
	"  deny /sys/[^f]*/** wklx,\n"
	"  deny /sys/f[^s]*/** wklx,\n"
	"  deny /sys/fs/[^c]*/** wklx,\n"
	"  deny /sys/fs/c[^g]*/** wklx,\n"
	"  deny /sys/fs/cg[^r]*/** wklx,\n"
	"  deny /sys/firmware/** rwklx,\n"
	"  deny /sys/devices/virtual/powercap/** rwklx,\n"
	"  deny /sys/kernel/security/** rwklx,\n"
	"  deny mount,\n";

/* A validated section. */
struct aa_rules {
	bool deny_default;
	const struct json *files; /* NULL: category not listed */
	const struct json *exec;
	const struct json *network;
	const struct json *caps;
};

static bool _aa_in(const char *const *table, const char *s)
{
	for (; *table; table++)
		if (strcmp(*table, s) == 0)
			return true;
	return false;
}

bool apparmor_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > APPARMOR_NAME_MAX || !isalnum((unsigned char)name[0]))
		return false;
	if (strstr(name, "..") || strcmp(name, "unconfined") == 0)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._+:/-", *p))
			return false;
	return true;
}

/* Brackets: [...] closed before the next '/', not nested; no '.'/'..' components. */
static bool _aa_path_shape_ok(const char *p)
{
	bool in_class = false;

	for (const char *c = p; *c; c++) {
		if (*c == '[') {
			if (in_class)
				return false;
			in_class = true;
		} else if (*c == ']') {
			in_class = false;
		} else if (*c == '/' && in_class) {
			return false;
		}
		if (*c == '/' && c[1] == '.' &&
		    (c[2] == '/' || !c[2] || (c[2] == '.' && (c[3] == '/' || !c[3]))))
			return false;
		if (*c == '/' && c[1] == '/')
			return false;
	}
	return !in_class;
}

/* Absolute path or glob from the allow-list; rendered inside double quotes. */
static int _aa_check_path(const char *what, const char *p, struct err *e)
{
	if (!p || p[0] != '/' || strlen(p) > APPARMOR_PATH_MAX)
		return err_set(e, EINVAL, "%s: must be an absolute path (at most %d bytes)", what,
			       APPARMOR_PATH_MAX);
	for (const char *c = p; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("/._-+~=:%*?[]^ ", *c))
			return err_set(e, EINVAL, "%s: character 0x%02x not allowed in a path",
				       what, (unsigned char)*c);
	if (!_aa_path_shape_ok(p))
		return err_set(e, EINVAL,
			       "%s: \"//\", \".\"/\"..\" or an unbalanced [...] in \"%s\"", what,
			       p);
	return 0;
}

/* Access letters r w a l k m x, each once, not both w and a. */
static int _aa_check_access(const char *what, const char *a, struct err *e)
{
	if (!a || !*a)
		return err_set(e, EINVAL, "%s: access must be a non-empty string of rwalkmx", what);
	for (const char *c = a; *c; c++) {
		if (!strchr("rwalkmx", *c))
			return err_set(e, EINVAL, "%s: access letter '%c' not one of rwalkmx", what,
				       isprint((unsigned char)*c) ? *c : '?');
		if (strchr(c + 1, *c))
			return err_set(e, EINVAL, "%s: access letter '%c' repeated", what, *c);
	}
	if (strchr(a, 'w') && strchr(a, 'a'))
		return err_set(e, EINVAL, "%s: access \"w\" and \"a\" conflict (w implies a)",
			       what);
	return 0;
}

static int _aa_check_files(const struct json *files, struct err *e)
{
	char what[64];

	json_foreach (i, files) {
		const struct json *f = files->items[i];
		snprintf(what, sizeof(what), "apparmor.files[%zu]", i);
		if (!json_is(f, JSON_OBJECT))
			return err_set(e, EINVAL, "%s: must be an object {path, access}", what);
		json_foreach (k, f)
			if (strcmp(f->keys[k], "path") && strcmp(f->keys[k], "access"))
				return err_set(e, EINVAL, "%s: unknown key \"%s\"", what,
					       f->keys[k]);
		int r = _aa_check_path(what, json_string(json_get(f, "path")), e);
		if (r < 0)
			return r;
		r = _aa_check_access(what, json_string(json_get(f, "access")), e);
		if (r < 0)
			return r;
	}
	return 0;
}

static int _aa_check_exec(const struct json *exec, struct err *e)
{
	char what[64];

	json_foreach (i, exec) {
		snprintf(what, sizeof(what), "apparmor.exec[%zu]", i);
		int r = _aa_check_path(what, json_string(exec->items[i]), e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "domain" or "domain kind", e.g. "inet stream", "unix". */
static int _aa_check_network(const struct json *net, struct err *e)
{
	json_foreach (i, net) {
		const char *s = json_string(net->items[i]);
		char dom[32] = "", kind[32] = "", extra[2] = "";
		int n = s && strlen(s) < 64 ? sscanf(s, "%31s %31s %1s", dom, kind, extra) : 0;
		if (n < 1 || n > 2 || !_aa_in(_aa_net_domains, dom) ||
		    (n == 2 && !_aa_in(_aa_net_kinds, kind)) || strchr(s, '\n') ||
		    strstr(s, "  ") || s[0] == ' ')
			return err_set(e, EINVAL,
				       "apparmor.network[%zu]: want \"<domain>[ <type|protocol>]\" "
				       "such as \"inet stream\" or \"unix\"",
				       i);
	}
	return 0;
}

/* "chown" or "CAP_CHOWN" -> index into _aa_caps, -1 if unknown. */
static int _aa_cap_index(const char *s)
{
	if (!s)
		return -1;
	if (strncmp(s, "CAP_", 4) == 0) {
		s += 4;
		for (int i = 0; _aa_caps[i]; i++)
			if (strcasecmp(_aa_caps[i], s) == 0 && !islower((unsigned char)s[0]))
				return i;
		return -1;
	}
	for (int i = 0; _aa_caps[i]; i++)
		if (strcmp(_aa_caps[i], s) == 0)
			return i;
	return -1;
}

static int _aa_check_caps(const struct json *caps, struct err *e)
{
	json_foreach (i, caps)
		if (_aa_cap_index(json_string(caps->items[i])) < 0)
			return err_set(e, EINVAL,
				       "apparmor.capabilities[%zu]: unknown capability (want e.g. "
				       "\"chown\")",
				       i);
	return 0;
}

static int _aa_array(const struct json *section, const char *key, const struct json **ret,
		     struct err *e)
{
	const struct json *a = json_get(section, key);

	if (a && !json_is(a, JSON_ARRAY))
		return err_set(e, EINVAL, "apparmor.%s: must be an array", key);
	*ret = a;
	return 0;
}

static int _aa_parse(const struct json *section, struct aa_rules *ret, struct err *e)
{
	const struct json *dd = json_get(section, "defaultDeny");
	struct aa_rules r = { 0 };
	int k;

	json_foreach (i, section)
		if (!_aa_in(_aa_keys, section->keys[i]))
			return err_set(e, EINVAL, "apparmor: unknown key \"%s\"", section->keys[i]);
	if (dd && !json_is(dd, JSON_BOOL))
		return err_set(e, EINVAL, "apparmor.defaultDeny: must be true or false");
	r.deny_default = json_is_true(dd);
	if ((k = _aa_array(section, "files", &r.files, e)) < 0 ||
	    (k = _aa_array(section, "exec", &r.exec, e)) < 0 ||
	    (k = _aa_array(section, "network", &r.network, e)) < 0 ||
	    (k = _aa_array(section, "capabilities", &r.caps, e)) < 0)
		return k;
	if ((k = _aa_check_files(r.files, e)) < 0 || (k = _aa_check_exec(r.exec, e)) < 0 ||
	    (k = _aa_check_network(r.network, e)) < 0 || (k = _aa_check_caps(r.caps, e)) < 0)
		return k;
	*ret = r;
	return 0;
}

/* {"profile": NAME} alone, or the rule form. */
static int _aa_host_profile(const struct json *section, const char **ret, struct err *e)
{
	const struct json *p = json_get(section, "profile");

	*ret = NULL;
	if (!p)
		return 0;
	if (section->n != 1)
		return err_set(e, EINVAL, "apparmor: \"profile\" excludes every other key");
	if (!apparmor_name_valid(json_string(p)))
		return err_set(
			e, EINVAL,
			"apparmor.profile: invalid name (want [A-Za-z0-9][A-Za-z0-9._+:/-]*, "
			"not \"unconfined\")");
	*ret = json_string(p);
	return 0;
}

static int _aa_check_name(const char *profile_name, struct err *e)
{
	size_t len = profile_name ? strlen(profile_name) : 0;

	if (len == 0 || len + strlen(APPARMOR_PROFILE_PREFIX) > APPARMOR_NAME_MAX ||
	    !apparmor_name_valid(profile_name) || strchr(profile_name, '/') ||
	    strchr(profile_name, ':') || strchr(profile_name, '+'))
		return err_set(e, EINVAL, "apparmor: invalid profile name \"%s\"",
			       profile_name ? profile_name : "");
	return 0;
}

int apparmor_validate(const char *profile_name, const struct json *section, struct err *e)
{
	const char *host;
	struct aa_rules rules;
	int r;

	if (!json_is(section, JSON_OBJECT))
		return err_set(e, EINVAL, "apparmor: must be an object");
	if ((r = _aa_check_name(profile_name, e)) < 0)
		return r;
	if ((r = _aa_host_profile(section, &host, e)) < 0)
		return r;
	return host ? 0 : _aa_parse(section, &rules, e);
}

int apparmor_profile_for(const char *profile_name, const struct json *section, char **ret,
			 struct err *e)
{
	const char *host = NULL;
	char *s = NULL;
	int r = apparmor_validate(profile_name, section, e);

	if (r < 0)
		return r;
	(void)_aa_host_profile(section, &host, e);
	if (host)
		s = strdup(host);
	else if (asprintf(&s, APPARMOR_PROFILE_PREFIX "%s", profile_name) < 0)
		s = NULL;
	if (!s)
		return err_set(e, ENOMEM, "apparmor: out of memory");
	*ret = s;
	return 0;
}

static void _aa_render_files(FILE *f, const struct aa_rules *r)
{
	if (!r->files) {
		fputs(r->deny_default ? "" : "  file,\n", f);
		return;
	}
	json_foreach (i, r->files) {
		const struct json *it = r->files->items[i];
		const char *acc = json_string(json_get(it, "access"));
		fprintf(f, "  \"%s\" ", json_string(json_get(it, "path")));
		for (const char *c = "rwalkm"; *c; c++)
			if (strchr(acc, *c))
				fputc(*c, f);
		fputs(strchr(acc, 'x') ? "ix,\n" : ",\n", f);
	}
}

static void _aa_render_rules(FILE *f, const struct aa_rules *r)
{
	_aa_render_files(f, r);
	json_foreach (i, r->exec)
		fprintf(f, "  \"%s\" mrix,\n", json_string(r->exec->items[i]));
	if (!r->network && !r->deny_default)
		fputs("  network,\n", f);
	json_foreach (i, r->network)
		fprintf(f, "  network %s,\n", json_string(r->network->items[i]));
	if (!r->caps && !r->deny_default)
		fputs("  capability,\n", f);
	json_foreach (i, r->caps)
		fprintf(f, "  capability %s,\n",
			_aa_caps[_aa_cap_index(json_string(r->caps->items[i]))]);
	if (!r->files && !r->deny_default)
		fputs("  umount,\n", f);
}

static void _aa_render(FILE *f, const char *name, const struct aa_rules *r)
{
	bool restricted = r->deny_default || r->files;

	fprintf(f,
		"# AppArmor profile for hardrun profile \"%s\" (generated by hardrun; do not "
		"edit)\n"
		"abi <abi/3.0>,\n"
		"include <tunables/global>\n\n"
		"profile " APPARMOR_PROFILE_PREFIX
		"%s flags=(attach_disconnected,mediate_deleted) {\n"
		"  include <abstractions/base>\n",
		name, name);
	if (restricted)
		fputs("  # every container: its console and inherited stdio\n"
		      "  include <abstractions/consoles>\n",
		      f);
	fputc('\n', f);
	_aa_render_rules(f, r);
	fprintf(f,
		"\n  # signals from the host's runtime; signals and ptrace only within the "
		"profile\n"
		"  signal (receive) peer=unconfined,\n"
		"  signal (send,receive) peer=" APPARMOR_PROFILE_PREFIX "%s,\n"
		"  ptrace (trace,read,tracedby,readby) peer=" APPARMOR_PROFILE_PREFIX "%s,\n\n"
		"%s}\n",
		name, name, _aa_floor);
}

int apparmor_render(const char *profile_name, const struct json *section, char **ret_text,
		    struct err *e)
{
	const char *host;
	struct aa_rules rules;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = apparmor_validate(profile_name, section, e)) < 0)
		return r;
	(void)_aa_host_profile(section, &host, e);
	if (host)
		return err_set(e, EINVAL,
			       "apparmor: section names host profile \"%s\"; nothing to render",
			       host);
	(void)_aa_parse(section, &rules, e);
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return err_set_sys(e, errno, "apparmor: open_memstream");
	_aa_render(f, profile_name, &rules);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return err_set(e, ENOMEM, "apparmor: rendering profile");
	}
	*ret_text = buf;
	return 0;
}
