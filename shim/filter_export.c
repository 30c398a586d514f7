// SPDX-License-Identifier: GPL-2.0-or-later
/* OCI linux.seccomp -> libseccomp context -> PFC / BPF; JSON exports. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

#include "hardrun/cleanup.h"
#include "hardrun/filter.h"

static uint32_t _scmp_action(const struct filter_action *a)
{
	static const uint32_t base[FA__COUNT] = {
		[FA_ALLOW] = SCMP_ACT_ALLOW,
		[FA_LOG] = SCMP_ACT_LOG,
		[FA_NOTIFY] = SCMP_ACT_NOTIFY,
		[FA_TRAP] = SCMP_ACT_TRAP,
		[FA_KILL] = SCMP_ACT_KILL,
		[FA_KILL_THREAD] = SCMP_ACT_KILL_THREAD,
		[FA_KILL_PROCESS] = SCMP_ACT_KILL_PROCESS,
	};
	if (a->act == FA_ERRNO)
		return SCMP_ACT_ERRNO(a->ret);
	if (a->act == FA_TRACE)
		return SCMP_ACT_TRACE(a->ret);
	return base[a->act];
}

static const int _scmp_op[FOP__COUNT] = {
	[FOP_NE] = SCMP_CMP_NE,
	[FOP_LT] = SCMP_CMP_LT,
	[FOP_LE] = SCMP_CMP_LE,
	[FOP_EQ] = SCMP_CMP_EQ,
	[FOP_GE] = SCMP_CMP_GE,
	[FOP_GT] = SCMP_CMP_GT,
	[FOP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

static int _add_arches(scmp_filter_ctx ctx, const struct json *arches, struct err *e)
{
	json_foreach (i, arches) {
		uint32_t t = filter_arch_token(json_string(arches->items[i]) ?: "");
		int r = t ? seccomp_arch_add(ctx, t) : -EINVAL;
		if (r < 0 && r != -EEXIST)
			return err_set_sys(e, -r, "seccomp: architecture %s",
					   json_string(arches->items[i]));
	}
	return 0;
}

static int _add_flags(scmp_filter_ctx ctx, const struct json *flags, struct err *e)
{
	json_foreach (i, flags) {
		const char *s = json_string(flags->items[i]) ?: "";
		int r = 0;
		if (strcmp(s, "SECCOMP_FILTER_FLAG_LOG") == 0)
			r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
		else if (strcmp(s, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
		if (r < 0)
			return err_set_sys(e, -r, "seccomp: flag %s", s);
	}
	return 0;
}

/* As runc: rules whose action is the default are skipped (libseccomp
 * refuses them), names are resolved natively (pseudo numbers included). */
static int _add_rule(scmp_filter_ctx ctx, const struct filter *f, const struct filter_rule *rule,
		     struct err *e)
{
	struct scmp_arg_cmp cmp[6];

	if (filter_action_eq(&rule->action, &f->dflt))
		return 0;
	for (unsigned i = 0; i < rule->nargs; i++)
		cmp[i] = (struct scmp_arg_cmp){ rule->args[i].index, _scmp_op[rule->args[i].op],
						rule->args[i].value, rule->args[i].value_two };
	int nr = seccomp_syscall_resolve_name(rule->name);
	int r = seccomp_rule_add_array(ctx, _scmp_action(&rule->action), nr, rule->nargs, cmp);
	if (r < 0)
		return err_set_sys(e, -r, "seccomp: rule %s %s", rule->name,
				   filter_act_name(rule->action.act));
	return 0;
}

int filter_compile(const struct json *oci, void **ret_ctx, struct err *e)
{
	struct filter f = { 0 };
	_cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
	int r = filter_from_oci(oci, &f, e);

	if (r < 0)
		return r;
	ctx = seccomp_init(_scmp_action(&f.dflt));
	if (!ctx)
		r = err_set(e, ENOMEM, "seccomp_init failed");
	if (r >= 0)
		r = _add_arches(ctx, json_get(f.other, "architectures"), e);
	if (r >= 0)
		r = _add_flags(ctx, json_get(f.other, "flags"), e);
	for (size_t i = 0; r >= 0 && i < f.n; i++)
		r = _add_rule(ctx, &f, &f.rules[i], e);
	filter_release(&f);
	if (r < 0)
		return r;
	*ret_ctx = steal_pointer(&ctx);
	return 0;
}

static int _write_json(const struct json *j, int fd, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = json_dump(j, true, &buf, &len, e);

	for (size_t off = 0; r >= 0 && off < len;) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0 && errno != EINTR)
			return err_set_sys(e, errno, "write");
		off += n > 0 ? (size_t)n : 0;
	}
	if (r >= 0 && write(fd, "\n", 1) != 1)
		return err_set_sys(e, errno, "write");
	return r;
}

int filter_format_parse(const char *s, enum filter_format *ret)
{
	static const char *const names[] = { "oci", "docker", "pfc", "bpf" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], s) == 0) {
			*ret = (enum filter_format)i;
			return 0;
		}
	return -EINVAL;
}

int filter_export(const struct json *sec, uint64_t caps, enum filter_format fmt, int fd,
		  struct err *e)
{
	_cleanup_json_ struct json *out = NULL;
	_cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
	int r;

	if (fmt == FILTER_FMT_DOCKER) {
		r = filter_to_docker(sec, &out, e);
		return r < 0 ? r : _write_json(out, fd, e);
	}
	r = filter_render(sec, caps, &out, e);
	if (r < 0 || fmt == FILTER_FMT_OCI)
		return r < 0 ? r : _write_json(out, fd, e);
	r = filter_compile(out, &ctx, e);
	if (r < 0)
		return r;
	r = fmt == FILTER_FMT_PFC ? seccomp_export_pfc(ctx, fd) : seccomp_export_bpf(ctx, fd);
	return r < 0 ? err_set_sys(e, -r, "seccomp export") : 0;
}
