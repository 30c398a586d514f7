// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Put a rendered AppArmor profile into the kernel (apparmor_parser -r) and
 * name it in the bundle spec; the exec side copies the container's profile.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/apparmor.h"
#include "hardrun/cleanup.h"

#define PARSER_ERR_MAX 768

static const char *const _aa_parser_paths[] = { "/usr/sbin/apparmor_parser",
						"/sbin/apparmor_parser", NULL };

const char *apparmor_parser_path(void)
{
	for (const char *const *p = _aa_parser_paths; *p; p++)
		if (access(*p, X_OK) == 0)
			return *p;
	return NULL;
}

/* A memfd holding buf, positioned at 0. */
static int _aa_memfd(const char *name, const char *buf, struct err *e)
{
	_cleanup_close_ int fd = memfd_create(name, MFD_CLOEXEC);
	size_t len = buf ? strlen(buf) : 0;

	if (fd < 0)
		return err_set_sys(e, errno, "memfd_create");
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set_sys(e, errno, "write memfd");
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_set_sys(e, errno, "lseek memfd");
	return steal_fd(&fd);
}

/* Child: stdin = in, stdout/stderr = out, nothing else open, clean env. */
static void _aa_exec_child(const char *parser, const char *const *argv, int in, int out)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C", NULL };

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	(void)close_range(3, ~0U, 0);
	(void)signal(SIGPIPE, SIG_DFL);
	execve(parser, (char *const *)argv, envp);
	_exit(127);
}

/* Last PARSER_ERR_MAX bytes of the parser's output, one line. */
static void _aa_read_diag(int fd, char *buf, size_t size)
{
	off_t end = lseek(fd, 0, SEEK_END);
	off_t start = end > (off_t)size - 1 ? end - (off_t)size + 1 : 0;
	ssize_t n = pread(fd, buf, size - 1, start);

	buf[n > 0 ? n : 0] = '\0';
	for (char *c = buf; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	for (size_t l = strlen(buf); l > 0 && buf[l - 1] == ' '; l--)
		buf[l - 1] = '\0';
}

static int _aa_wait(pid_t pid, int *ret_status)
{
	while (waitpid(pid, ret_status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int apparmor_parser_run(const char *const *extra_args, const char *text, struct err *e)
{
	const char *parser = apparmor_parser_path();
	const char *argv[16] = { "apparmor_parser" };
	size_t n = 1;
	int status, r;

	if (!parser)
		return err_set(e, ENOENT, "apparmor_parser not found (install package apparmor)");
	for (; extra_args && *extra_args && n < 14; extra_args++)
		argv[n++] = *extra_args;
	argv[n++] = "-q";
	_cleanup_close_ int in = _aa_memfd("hardrun-aa-in", text, e);
	if (in < 0)
		return in;
	_cleanup_close_ int out = _aa_memfd("hardrun-aa-out", "", e);
	if (out < 0)
		return out;
	pid_t pid = fork();
	if (pid < 0)
		return err_set_sys(e, errno, "fork apparmor_parser");
	if (pid == 0)
		_aa_exec_child(parser, argv, in, out);
	if ((r = _aa_wait(pid, &status)) < 0)
		return err_set_sys(e, -r, "waitpid apparmor_parser");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	char diag[PARSER_ERR_MAX];
	_aa_read_diag(out, diag, sizeof(diag));
	return err_set(e, EINVAL, "%s failed (%s %d): %s", parser,
		       WIFEXITED(status) ? "exit" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		       *diag ? diag : "no output");
}

/* Is profile `name` loaded?  Reads <apparmorfs>/profiles: "name (mode)" lines. */
static int _aa_loaded(const char *name, struct err *e)
{
	_cleanup_free_ char *mnt = NULL, *path = NULL, *line = NULL;
	size_t cap = 0, len = strlen(name);

	if (aa_find_mountpoint(&mnt) < 0)
		return err_set_sys(e, errno, "apparmor: securityfs mount not found");
	if (asprintf(&path, "%s/profiles", mnt) < 0)
		return err_set(e, ENOMEM, "apparmor: out of memory");
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return err_set_sys(e, errno, "apparmor: open %s", path);
	while (getline(&line, &cap, f) > 0)
		if (strncmp(line, name, len) == 0 && strncmp(line + len, " (", 2) == 0)
			return 1;
	return 0;
}

static int _aa_load(const char *profile_name, const struct json *section, struct err *e)
{
	static const char *const args[] = { "-r", "-K", NULL };
	_cleanup_free_ char *text = NULL;
	int r = apparmor_render(profile_name, section, &text, e);

	if (r < 0)
		return r;
	r = apparmor_parser_run(args, text, e);
	return r < 0 ? err_prefix(e, "apparmor: loading profile " APPARMOR_PROFILE_PREFIX "%s",
				  profile_name)
		     : 0;
}

/* AppArmor is off: lsmUnavailable decides between a warning and an error. */
static int _aa_unavailable(const char *aa_name, const struct node_config *nc, char **ret_warning,
			   struct err *e)
{
	if (nc->lsm_unavailable == LSM_UNAVAILABLE_FAIL)
		return err_set(e, EOPNOTSUPP,
			       "apparmor: profile %s required but AppArmor is not enabled on this "
			       "host (lsmUnavailable=fail)",
			       aa_name);
	if (asprintf(ret_warning,
		     "apparmor: not enabled on this host; AppArmor profile %s not applied "
		     "(lsmUnavailable=skip)",
		     aa_name) < 0)
		return err_set(e, ENOMEM, "apparmor: out of memory");
	return 0;
}

static int _aa_set_profile(struct json *obj, const char *name, struct err *e)
{
	struct json *s = json_new_string(name);

	if (!s || json_obj_set(obj, "apparmorProfile", s) < 0)
		return err_set(e, ENOMEM, "apparmor: out of memory");
	return 0;
}

int apparmor_apply(struct json *spec, const char *profile_name, const struct json *section,
		   const struct node_config *nc, char **ret_warning, struct err *e)
{
	_cleanup_free_ char *aa_name = NULL;
	int r;

	*ret_warning = NULL;
	if (!section)
		return 0;
	if ((r = apparmor_profile_for(profile_name, section, &aa_name, e)) < 0)
		return r;
	if (aa_is_enabled() != 1)
		return _aa_unavailable(aa_name, nc, ret_warning, e);
	if (json_get(section, "profile")) {
		if ((r = _aa_loaded(aa_name, e)) < 0)
			return r;
		if (r == 0)
			return err_set(e, ENOENT, "apparmor: profile %s is not loaded on this host",
				       aa_name);
	} else if ((r = _aa_load(profile_name, section, e)) < 0) {
		return r;
	}
	struct json *process = json_obj_ensure_object(spec, "process");
	if (!process)
		return err_set(e, EINVAL, "apparmor: spec \"process\" is not an object");
	return _aa_set_profile(process, aa_name, e);
}

int apparmor_apply_exec(struct json *process, const char *saved_profile, struct err *e)
{
	/* The container has none (or runs unconfined): nothing to tighten to. */
	if (!saved_profile || !*saved_profile || strcmp(saved_profile, "unconfined") == 0)
		return 0;
	if (!json_is(process, JSON_OBJECT))
		return err_set(e, EINVAL, "apparmor: exec process is not an object");
	return _aa_set_profile(process, saved_profile, e);
}
