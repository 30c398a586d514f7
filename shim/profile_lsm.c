// SPDX-License-Identifier: GPL-2.0-or-later
/* Shape of the "apparmor", "selinux" and "monitor" sections of a profile. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "hardrun/caps.h"
#include "hardrun/profile_check.h"
#include "hardrun/rules.h"

static bool _only(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

#define LOWER_ID "abcdefghijklmnopqrstuvwxyz0123456789_"

static int _check_access(struct jcheck *c, const struct json *v, void *data)
{
	const char *s = json_string(v);
	if (!s)
		return jcheck_type(c, v, JSON_STRING);
	for (const char *p = s; *p; p++)
		if (!strchr("rwalkmx", *p) || strchr(p + 1, *p))
			return jcheck_fail(
				c, "bad access \"%s\" (letters r w a l k m x, once each)", s);
	return *s ? 0 : jcheck_fail(c, "empty access");
}

static int _check_path(struct jcheck *c, const struct json *v, void *data)
{
	const char *s = json_string(v);
	if (!s)
		return jcheck_type(c, v, JSON_STRING);
	return jcheck_abs_path(c, s, NULL);
}

static int _check_file(struct jcheck *c, const struct json *v, void *data)
{
	static const char *const keys[] = { "path", "access", NULL };
	int r = jcheck_keys(c, v, keys);
	if (r >= 0)
		r = jcheck_required(c, v, "path");
	if (r >= 0)
		r = jcheck_required(c, v, "access");
	if (r >= 0)
		r = jcheck_field(c, v, "path", _check_path, NULL);
	if (r >= 0)
		r = jcheck_field(c, v, "access", _check_access, NULL);
	return r;
}

static int _check_files(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_items(c, v, _check_file, NULL);
}

static int _check_paths(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_strings(c, v, jcheck_abs_path, NULL);
}

/* "family [type]": inet stream, inet6 dgram, unix, netlink raw, ... */
static int _check_net(struct jcheck *c, const char *s, void *data)
{
	static const char *const fam[] = { "inet", "inet6", "unix", "netlink", "packet", NULL };
	static const char *const type[] = { "stream", "dgram", "raw", "seqpacket", "rdm", NULL };
	char f[16] = "", t[16] = "", extra[2] = "";
	bool fok = false, tok = false;

	if (sscanf(s, "%15s %15s %1s", f, t, extra) > 2)
		return jcheck_fail(c, "bad network rule \"%s\" (want \"family [type]\")", s);
	for (const char *const *p = fam; *p; p++)
		fok = fok || strcmp(*p, f) == 0;
	for (const char *const *p = type; *p; p++)
		tok = tok || strcmp(*p, t) == 0;
	if (!fok || (t[0] && !tok))
		return jcheck_fail(c, "bad network rule \"%s\" (want \"family [type]\")", s);
	return 0;
}

static int _check_nets(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_strings(c, v, _check_net, NULL);
}

static int _check_aa_cap(struct jcheck *c, const char *s, void *data)
{
	char up[64];
	unsigned bit;
	int n = snprintf(up, sizeof(up), "CAP_%s", s);

	for (char *p = up + 4; n > 0 && *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (!_only(s, LOWER_ID) || caps_from_name(up, &bit) < 0)
		return jcheck_fail(c, "unknown capability \"%s\" (AppArmor names: chown, net_raw)",
				   s);
	return 0;
}

static int _check_aa_caps(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_strings(c, v, _check_aa_cap, NULL);
}

static int _check_bool(struct jcheck *c, const struct json *v, void *data)
{
	return jcheck_type(c, v, JSON_BOOL);
}

static int _check_aa_name(struct jcheck *c, const struct json *v, void *data)
{
	const char *s = json_string(v);
	if (!s)
		return jcheck_type(c, v, JSON_STRING);
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return jcheck_fail(c, "bad AppArmor profile name \"%s\"", s);
	return *s ? 0 : jcheck_fail(c, "empty AppArmor profile name");
}

int profile_check_apparmor(struct jcheck *c, const struct json *v, void *data)
{
	static const char *const keys[] = { "profile", "defaultDeny",  "files", "exec",
					    "network", "capabilities", NULL };
	static const char *const only_profile[] = { "profile", NULL };
	int r = jcheck_keys(c, v, json_get(v, "profile") ? only_profile : keys);

	if (r >= 0)
		r = jcheck_field(c, v, "profile", _check_aa_name, NULL);
	if (r >= 0)
		r = jcheck_field(c, v, "defaultDeny", _check_bool, NULL);
	if (r >= 0)
		r = jcheck_field(c, v, "files", _check_files, NULL);
	if (r >= 0)
		r = jcheck_field(c, v, "exec", _check_paths, NULL);
	if (r >= 0)
		r = jcheck_field(c, v, "network", _check_nets, NULL);
	if (r >= 0)
		r = jcheck_field(c, v, "capabilities", _check_aa_caps, NULL);
	return r;
}

static int _check_se_word(struct jcheck *c, const struct json *v, void *data)
{
	const char *s = json_string(v);
	if (!s)
		return jcheck_type(c, v, JSON_STRING);
	return _only(s, data) ? 0 : jcheck_fail(c, "bad SELinux label part \"%s\"", s);
}

int profile_check_selinux(struct jcheck *c, const struct json *v, void *data)
{
	static const char *const keys[] = { "user", "role", "type", "level", NULL };
	int r = jcheck_keys(c, v, keys);

	for (size_t i = 0; r >= 0 && i < 3; i++)
		r = jcheck_field(c, v, keys[i], _check_se_word, (void *)LOWER_ID);
	if (r >= 0)
		r = jcheck_field(c, v, "level", _check_se_word, (void *)"s0123456789c:,.-auto");
	const char *lvl = json_string(json_get(v, "level"));
	if (r >= 0 && lvl && strcmp(lvl, "auto") != 0 && lvl[0] != 's')
		r = jcheck_fail(c, "level: want \"auto\" or an MLS level like \"s0:c1,c2\"");
	return r;
}

static int _check_rules(struct jcheck *c, const struct json *v, void *data)
{
	int r = jcheck_type(c, v, JSON_OBJECT);
	json_foreach (i, v) {
		enum rule_action a;
		const char *s = json_string(v->items[i]);
		if (r < 0)
			break;
		size_t m = jcheck_key(c, v->keys[i]);
		if (!rules_find(v->keys[i]))
			r = jcheck_fail(c, "unknown rule");
		else if (!s || rule_action_parse(s, &a) < 0)
			r = jcheck_fail(c, "bad action (alert, deny, kill, off)");
		jcheck_pop(c, m);
	}
	return r;
}

int profile_check_monitor(struct jcheck *c, const struct json *v, void *data)
{
	static const char *const keys[] = { "rules", "knownBinaries", NULL };
	int r = jcheck_keys(c, v, keys);
	if (r >= 0)
		r = jcheck_field(c, v, "rules", _check_rules, NULL);
	if (r >= 0)
		r = jcheck_field(c, v, "knownBinaries", _check_paths, NULL);
	return r;
}
