// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The evaluation of a spec by the launch rules (include/hardrun/launch.h).
 * Pure: the spec is the bundle's config.json as the orchestrator wrote it.
 * Evidence is bounded (LAUNCH_EVIDENCE_MAX): a spec with thousands of
 * mounts or devices makes one line, ending "...".
 */
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hardrun/caps.h"
#include "hardrun/launch.h"

/* ---- evidence: "; "-separated items, truncated with "..." ---- */

struct _ev {
	char *buf;
	size_t len;
	unsigned n;
};

__attribute__((format(printf, 2, 3))) static void _add(struct _ev *v, const char *fmt, ...)
{
	char item[LAUNCH_EVIDENCE_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	const char *sep = v->n++ ? "; " : "";
	if (v->len + strlen(sep) + strlen(item) + 4 >= LAUNCH_EVIDENCE_MAX) {
		if (v->len + 4 < LAUNCH_EVIDENCE_MAX && !strstr(v->buf, "..."))
			v->len += (size_t)snprintf(v->buf + v->len, LAUNCH_EVIDENCE_MAX - v->len,
						   "%s...", sep);
		return;
	}
	v->len +=
		(size_t)snprintf(v->buf + v->len, LAUNCH_EVIDENCE_MAX - v->len, "%s%s", sep, item);
}

/* ---- launch_privileged ---- */

static uint64_t _caps(const struct json *process)
{
	const struct json *caps = json_get(process, "capabilities");
	uint64_t m = caps_process_mask(process), set;
	if (caps_mask_from_json(json_get(caps, "effective"), false, &set, NULL) == 0)
		m |= set;
	if (caps_mask_from_json(json_get(caps, "ambient"), false, &set, NULL) == 0)
		m |= set;
	return m;
}

static bool _writable(const struct json *mount)
{
	const struct json *o = json_get(mount, "options");
	json_foreach (i, o) {
		const char *s = json_string(o->items[i]);
		if (s && strcmp(s, "ro") == 0)
			return false;
	}
	return true;
}

static bool _mount_at(const struct json *spec, const char *type, const char *dest)
{
	const struct json *m = json_get(spec, "mounts");
	json_foreach (i, m) {
		const char *t = json_string(json_get(m->items[i], "type"));
		const char *d = json_string(json_get(m->items[i], "destination"));
		if (t && d && strcmp(t, type) == 0 && strcmp(d, dest) == 0 &&
		    _writable(m->items[i]))
			return true;
	}
	return false;
}

static bool _privileged(const struct json *spec, uint64_t all, struct _ev *v)
{
	const struct json *process = json_get(spec, "process");
	uint64_t m = _caps(process);
	if (!all)
		all = (CAP_LAST_CAP >= 63) ? CAPS_ALL : (1ull << (CAP_LAST_CAP + 1)) - 1;
	if (!json_get(process, "capabilities"))
		_add(v, "capabilities: all (process.capabilities absent)");
	else if ((m & all) == all)
		_add(v, "capabilities: all %u", caps_count(all));
	else if (m & (1ull << CAP_SYS_ADMIN))
		_add(v, "capabilities: CAP_SYS_ADMIN");
	else
		return false;
	/* what else of `privileged: true` the spec has */
	if (!json_is(json_get_path(spec, "linux.seccomp"), JSON_OBJECT))
		_add(v, "no seccomp");
	if (!json_string(json_get(process, "apparmorProfile")) &&
	    !json_string(json_get(process, "selinuxLabel")))
		_add(v, "no LSM profile");
	if (_mount_at(spec, "sysfs", "/sys"))
		_add(v, "/sys writable");
	const struct json *masked = json_get_path(spec, "linux.maskedPaths");
	if (!masked || !masked->n)
		_add(v, "no masked paths");
	return true;
}

/* ---- launch_sensitive_mount ---- */

/* "/a//b/" -> "/a/b" */
static void _clean(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	for (; *s && n + 1 < size; s++)
		if (!(*s == '/' && n > 0 && buf[n - 1] == '/'))
			buf[n++] = *s;
	while (n > 1 && buf[n - 1] == '/')
		n--;
	buf[n] = '\0';
}

/* src is path or one of its parents ("/" is every path's) */
static bool _covers(const char *src, const char *path)
{
	size_t n = strlen(src);
	if (strcmp(src, "/") == 0)
		return true;
	return strncmp(src, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool _is_bind(const struct json *mount)
{
	const char *t = json_string(json_get(mount, "type"));
	const struct json *o = json_get(mount, "options");
	if (t && strcmp(t, "bind") == 0)
		return true;
	json_foreach (i, o) {
		const char *s = json_string(o->items[i]);
		if (s && (strcmp(s, "bind") == 0 || strcmp(s, "rbind") == 0))
			return true;
	}
	return false;
}

/* The filesystems that live at the rw: paths: their own mounts count too.
 * proc is writable where /proc/sys is neither read-only nor masked. */
static const struct {
	const char *type, *path;
} _pseudo[] = {
	{ "sysfs", "/sys" },
	{ "proc", "/proc" },
	{ "devtmpfs", "/dev" },
};

static bool _listed(const struct json *spec, const char *key, const char *path)
{
	const struct json *a = json_get_path(spec, key);
	json_foreach (i, a) {
		const char *s = json_string(a->items[i]);
		if (s && strcmp(s, path) == 0)
			return true;
	}
	return false;
}

static bool _pseudo_writable(const struct json *spec, const struct json *m, const char *entry)
{
	const char *t = json_string(json_get(m, "type"));
	for (size_t i = 0; t && i < sizeof(_pseudo) / sizeof(_pseudo[0]); i++) {
		if (strcmp(t, _pseudo[i].type) != 0 || strcmp(entry, _pseudo[i].path) != 0 ||
		    !_writable(m))
			continue;
		if (strcmp(t, "proc") != 0)
			return true;
		return !_listed(spec, "linux.readonlyPaths", "/proc/sys") &&
		       !_listed(spec, "linux.maskedPaths", "/proc/sys");
	}
	return false;
}

static void _mount_check(const struct json *spec, const struct json *m, const char *const *list,
			 struct _ev *v)
{
	char src[4096];
	const char *dst = json_string(json_get(m, "destination"));
	bool bind = _is_bind(m), rw = _writable(m);
	_clean(json_string(json_get(m, "source")) ?: "", src, sizeof(src));
	for (const char *const *p = list; p && *p; p++) {
		bool rw_only = strncmp(*p, "rw:", 3) == 0;
		const char *entry = rw_only ? *p + 3 : *p;
		if (rw_only && !rw)
			continue;
		if (bind && src[0] == '/' && _covers(src, entry)) {
			if (strcmp(src, entry) == 0)
				_add(v, "%s on %s (%s)", src, dst ?: "?", rw ? "rw" : "ro");
			else
				_add(v, "%s on %s (%s, holds %s)", src, dst ?: "?",
				     rw ? "rw" : "ro", entry);
			return;
		}
		if (rw_only && _pseudo_writable(spec, m, entry)) {
			_add(v, "%s on %s (rw)", json_string(json_get(m, "type")), dst ?: "?");
			return;
		}
	}
}

static bool _sensitive_mounts(const struct json *spec, const char *const *list, struct _ev *v)
{
	const struct json *m = json_get(spec, "mounts");
	json_foreach (i, m)
		_mount_check(spec, m->items[i], list, v);
	return v->n > 0;
}

/* ---- launch_host_namespace ---- */

static const struct {
	const char *type;
	unsigned bit;
} _host_ns[] = {
	{ "network", LAUNCH_NS_NETWORK },
	{ "pid", LAUNCH_NS_PID },
	{ "ipc", LAUNCH_NS_IPC },
	{ "uts", LAUNCH_NS_UTS },
};

void launch_ns_names(unsigned ns, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(_host_ns) / sizeof(_host_ns[0]); i++)
		if (ns & _host_ns[i].bit)
			n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
					      n ? "," : "", _host_ns[i].type);
}

/* Omitted from linux.namespaces, or joined at /proc/1/ns/ (pid 1 of the
 * runtime's namespace: the host's). */
static unsigned _host_namespaces(const struct json *spec)
{
	const struct json *ns = json_get_path(spec, "linux.namespaces");
	unsigned host = 0;
	for (size_t k = 0; k < sizeof(_host_ns) / sizeof(_host_ns[0]); k++) {
		bool own = false;
		json_foreach (i, ns) {
			const char *t = json_string(json_get(ns->items[i], "type"));
			const char *p = json_string(json_get(ns->items[i], "path"));
			if (t && strcmp(t, _host_ns[k].type) == 0)
				own = !p || strncmp(p, "/proc/1/ns/", 11) != 0;
		}
		if (!own)
			host |= _host_ns[k].bit;
	}
	return host;
}

/* ---- launch_sensitive_device ---- */

static const struct {
	int64_t major, minor;
	const char *name;
} _mem_devices[] = {
	{ 1, 1, "/dev/mem" },
	{ 1, 2, "/dev/kmem" },
	{ 1, 4, "/dev/port" },
};

static void _device_check(const struct json *d, struct _ev *v)
{
	const char *type = json_string(json_get(d, "type")) ?: "";
	const char *path = json_string(json_get(d, "path")) ?: "?";
	int64_t major = -1, minor = -1;
	(void)json_to_int64(json_get(d, "major"), &major);
	(void)json_to_int64(json_get(d, "minor"), &minor);
	if (strcmp(type, "b") == 0) {
		_add(v, "block device %s (%lld:%lld)", path, (long long)major, (long long)minor);
		return;
	}
	for (size_t i = 0; i < sizeof(_mem_devices) / sizeof(_mem_devices[0]); i++)
		if ((strcmp(type, "c") == 0 && major == _mem_devices[i].major &&
		     minor == _mem_devices[i].minor) ||
		    strcmp(path, _mem_devices[i].name) == 0) {
			_add(v, "%s (%lld:%lld)", path, (long long)major, (long long)minor);
			return;
		}
}

/* A device cgroup rule allowing every device: allow without type, or type
 * "a", without major and minor. */
static bool _all_devices(const struct json *spec)
{
	const struct json *r = json_get_path(spec, "linux.resources.devices");
	bool all = false;
	json_foreach (i, r) {
		const struct json *d = r->items[i];
		const char *type = json_string(json_get(d, "type"));
		bool any = (!type || strcmp(type, "a") == 0) && !json_get(d, "major") &&
			   !json_get(d, "minor");
		if (any)
			all = json_is_true(json_get(d, "allow")); /* the last such rule wins */
	}
	return all;
}

static bool _sensitive_devices(const struct json *spec, struct _ev *v)
{
	const struct json *d = json_get_path(spec, "linux.devices");
	const struct json *m = json_get(spec, "mounts");
	if (_all_devices(spec))
		_add(v, "device cgroup allows every device");
	json_foreach (i, d)
		_device_check(d->items[i], v);
	json_foreach (i, m) {
		char src[4096];
		_clean(json_string(json_get(m->items[i], "source")) ?: "", src, sizeof(src));
		for (size_t k = 0; _is_bind(m->items[i]) && k < 3; k++)
			if (strcmp(src, _mem_devices[k].name) == 0)
				_add(v, "bind of %s", src);
	}
	return v->n > 0;
}

/* ---- launch_unsafe_sysctl: Kubernetes' safe set ---- */

static const char *const _safe_sysctls[] = {
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
	"net.ipv4.tcp_rmem",
	"net.ipv4.tcp_wmem",
};

static bool _unsafe_sysctls(const struct json *spec, struct _ev *v)
{
	const struct json *s = json_get_path(spec, "linux.sysctl");
	json_foreach (i, s) {
		char name[256];
		bool safe = false;
		(void)snprintf(name, sizeof(name), "%s", s->keys[i]);
		for (char *p = name; *p; p++)
			*p = *p == '/' ? '.' : *p;
		for (size_t k = 0; k < sizeof(_safe_sysctls) / sizeof(_safe_sysctls[0]); k++)
			safe = safe || strcmp(name, _safe_sysctls[k]) == 0;
		if (!safe)
			_add(v, "%s=%s", s->keys[i], json_string(s->items[i]) ?: "?");
	}
	return v->n > 0;
}

/* ---- launch_ambient_caps ---- */

/* Ambient capabilities survive execve into a non-root process (root gets
 * its permitted set at exec anyway: `runc spec` writes ambient for root). */
static bool _ambient(const struct json *spec, struct _ev *v)
{
	const struct json *a = json_get_path(spec, "process.capabilities.ambient");
	int64_t uid = 0;
	if (json_to_int64(json_get_path(spec, "process.user.uid"), &uid) < 0 || uid == 0)
		return false;
	json_foreach (i, a)
		_add(v, "%s", json_string(a->items[i]) ?: "?");
	return v->n > 0;
}

size_t launch_evaluate(const struct json *spec, const char *const *sensitive_mounts,
		       uint64_t node_caps, struct launch_finding *ret)
{
	size_t n = 0;
	for (unsigned r = 0; r < LAUNCH__COUNT; r++) {
		struct launch_finding *f = &ret[n];
		struct _ev v = { f->evidence, 0, 0 };
		bool hit = false;
		memset(f, 0, sizeof(*f));
		f->rule = (enum launch_rule)r;
		switch (f->rule) {
		case LAUNCH_PRIVILEGED:
			hit = _privileged(spec, node_caps, &v);
			break;
		case LAUNCH_SENSITIVE_MOUNT:
			hit = _sensitive_mounts(spec, sensitive_mounts, &v);
			break;
		case LAUNCH_HOST_NAMESPACE:
			f->host_ns = _host_namespaces(spec);
			launch_ns_names(f->host_ns, f->evidence, sizeof(f->evidence));
			hit = f->host_ns != 0;
			break;
		case LAUNCH_SENSITIVE_DEVICE:
			hit = _sensitive_devices(spec, &v);
			break;
		case LAUNCH_UNSAFE_SYSCTL:
			hit = _unsafe_sysctls(spec, &v);
			break;
		case LAUNCH_AMBIENT_CAPS:
			hit = _ambient(spec, &v);
			break;
		case LAUNCH__COUNT:
			break;
		}
		n += hit;
	}
	return n;
}
