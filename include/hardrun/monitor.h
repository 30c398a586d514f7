/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-container monitor (shim/monitor/).
 *
 * create side (hardrun create/run, in shim/harden.c):
 *   monitor_prepare()  - adds NOTIFY rules to the rendered linux.seccomp for
 *                        the mode (enforce/audit: rule syscalls; learn: all
 *                        but write) and sets listenerPath/listenerMetadata
 *   monitor_spawn_start/_check/_wait()
 *                      - posix_spawn (setsid, stdio on /dev/null, all other
 *                        fds closed) of `hardrun-monitor --state DIR
 *                        --detach`, handing it its socket and log files
 *
 * monitor side (`hardrun monitor`): accepts runc's connections (container
 * state JSON + the seccomp notify fd, SCM_RIGHTS), one per process runc
 * starts (init, then each exec), serves every notify fd from one loop.
 * Each notification becomes a struct mon_call, handed to the rules (enforce,
 * audit) or to the recorder (learn).
 *
 * ptrace mechanism (monitor_mechanism_for): the same rules as SCMP_ACT_TRACE;
 * the monitor PTRACE_SEIZEs hardrun create (attach_pid) before saying it is
 * ready, and each exec's hardrun when it connects (monitor_exec_attach); each
 * seccomp stop becomes a struct mon_call for the same rules (shim/monitor/ptrace.c).
 */
#ifndef HARDRUN_MONITOR_H
#define HARDRUN_MONITOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/nodeconf.h"
#include "hardrun/policy.h"
#include "hardrun/profile.h"

/* What the monitor needs to know, written by hardrun create to
 * <container state dir>/monitor.json and read back by `hardrun monitor`. */
struct monitor_spec {
	char *container_id;
	char *runtime_root;
	char *state_dir;   /* per-container dir, 0700 */
	char *socket_path; /* <state_dir>/monitor.sock */
	enum hr_mode mode;
	char *profile_name;
	struct json *profile_doc; /* the profile's JSON (rules, knownBinaries) */
	char *events_file;
	char *recordings_dir;
	struct json *annotations;	  /* the spec's annotations (k8s names) */
	enum monitor_mechanism mechanism; /* NOTIFY or PTRACE (never AUTO here) */
	pid_t attach_pid;   /* ptrace: the process to PTRACE_SEIZE first (hardrun create) */
	bool exec_fanotify; /* execve is not in the filter: execs come as fanotify events */
	char *bundle;	    /* ptrace: the bundle dir (notify learns it from runc's state) */
	/* From the final config.json, so that the monitor need not read it while
	 * the container's first exec waits: its linux.seccomp and the
	 * KUBERNETES_SERVICE_HOST/PORT entries of process.env.  NULL: the
	 * monitor reads config.json from the bundle when runc connects. */
	struct json *seccomp;
	struct json *env;
	struct monitor_limits limits; /* the node's bounds of its output, its loss */
};

/* One notification, arguments copied out of struct seccomp_notif. */
struct mon_call {
	uint64_t id; /* notification id (for ID_VALID) */
	pid_t pid;
	uint32_t arch; /* AUDIT_ARCH_* */
	int nr;
	const char *name; /* syscall name for arch (libseccomp), "?" if unknown */
	uint64_t args[6];
	uint64_t ip;
	int notify_fd;	    /* the fd it came from (for ID_VALID); -1: a ptrace-stopped tracee */
	int mem_fd;	    /* /proc/<pid>/mem when already open, else -1 */
	int session;	    /* 0 = container init, n = n-th runc exec */
	bool started;	    /* the entrypoint's execve has happened for this session */
	bool checked_later; /* the caller checks NOTIF_ID_VALID once after all
			     * reads and before using them (mon_read_* skip it) */
};

/*
 * Pointer arguments: read with process_vm_readv (or from mem_fd), then checked with
 * SECCOMP_IOCTL_NOTIF_ID_VALID before use (by each read, or once by the
 * caller after all of them: mon_call.checked_later).  The result is evidence only
 * (the target can change memory after the check): it may alert or deny,
 * never allow what the kernel would not.  Returns bytes read or -errno.
 */
ssize_t mon_read_mem(const struct mon_call *c, uint64_t addr, void *buf, size_t len);
/* NUL-terminated string of at most size-1 bytes; -ENAMETOOLONG if cut. */
ssize_t mon_read_string(const struct mon_call *c, uint64_t addr, char *buf, size_t size);

/* Is this exec a shell (by path, argv0, or `busybox sh`)?  The terminal_shell
 * rule's test (shim/monitor/evaluate.c), also used by the learn recorder. */
bool eval_is_shell(const char *path, const char *argv0, const char *argv1);

/* A syscall a monitor rule watches for every argument (mount, ptrace, openat2, ...):
 * never allowed by a syscall family (profgen_family.c). */
bool monitor_rule_watches_all(const char *name);

/* Audit mode, before monitor_prepare: the calls that may use a capability of
 * `dropped` (the bundle's capabilities the profile drops) are notified, so that
 * the monitor reports each use of one (shim/learn_caps.c decides). */
int monitor_audit_caps(struct json *seccomp, uint64_t dropped, struct err *e);

/* mech NOTIFY: NOTIFY rules + listenerPath; PTRACE: the same rules with
 * SCMP_ACT_TRACE and no listener (learn mode is notify-only).
 * own_seccomp: the bundle's linux.seccomp as the orchestrator wrote it (NULL
 * or JSON null: none); every denial it makes survives (nfilter_keep_own).
 * *ret_warning (malloc'd, for the runtime log): a rule fell back to the
 * costly notify path for want of a tool on the node. */
int monitor_prepare(struct json *spec, const struct policy *pol, const struct profile *prof,
		    enum monitor_mechanism mech, const struct json *own_seccomp,
		    const char *socket_path, char **ret_warning, struct err *e);

/*
 * Exec through fanotify (shim/monitor/fangroup.c): unless the node says
 * monitorExec "notify" or the mode is learn, probe fanotify permission events
 * on this host; when they work, execve leaves the filter (execveat stays:
 * fileless execs; with notify, memfd_create joins it: the monitor makes the
 * memfds, marked) and *ret_fanotify is set.  When they do not, *ret_warning
 * says why (the caller writes it to the runtime log) and execve stays
 * notified.  Run after monitor_prepare.
 */
int monitor_prepare_exec(struct json *spec, const struct node_config *nc, const struct policy *pol,
			 enum monitor_mechanism mech, bool *ret_fanotify, char **ret_warning,
			 struct err *e);

/*
 * The mechanism of a container (shim/monitor/mechanism.c): profile
 * monitor.mechanism "ptrace" wins; else the node's monitorMechanism, where
 * auto means notify when `<runtime> features` lists SCMP_ACT_NOTIFY, else
 * ptrace.  The features answer is cached in <stateDir>/runtime-features.json,
 * keyed by the runtime binary's dev/ino/size/mtime.
 */
/* Pure: profile_mech is the profile's monitor.mechanism (NULL = absent);
 * runtime_notify: 1/0, or -1 when not probed (only read for node AUTO). */
int monitor_mechanism_resolve(const char *profile_mech, enum monitor_mechanism node,
			      int runtime_notify, enum hr_mode mode, enum monitor_mechanism *ret,
			      struct err *e);
/* Pure: does a `runc features` JSON text list SCMP_ACT_NOTIFY?  1 / 0. */
int monitor_features_notify(const char *text, size_t len);
/* 1 / 0: the runtime supports SCMP_ACT_NOTIFY (cached in state_root). */
int monitor_runtime_notify(const char *runtime, const char *state_root, struct err *e);
int monitor_mechanism_for(const struct node_config *nc, const struct policy *pol,
			  const struct profile *prof, enum monitor_mechanism *ret, struct err *e);
/* `exec` on a ptrace-mode container: ask its monitor to PTRACE_SEIZE this
 * process (a new session) before the runtime is exec'd.  0 also when the
 * container has no ptrace monitor (or none running: the kernel then fails its
 * monitored calls with ENOSYS). */
int monitor_exec_attach(const char *container_state_dir, struct err *e);
/* Starting a monitor, in parts so that the caller works while the monitor
 * starts.  _start writes monitor.json, opens what can fail (the listening
 * socket, the events file, the exec log: runc's connect waits in the listen
 * backlog until the monitor accepts) and spawns the monitor with them;
 * posix_spawn reports a failed exec.  _wait collects "ready" (its pid) or
 * its error; _check does so only if the answer is already there (0 when the
 * monitor is still starting).  A _start that succeeded needs _wait or
 * _check. */
struct monitor_start {
	int ready_fd;
	pid_t child;
	/* The posix_spawn runs on a thread while the caller goes on (it waits
	 * for the new process's exec); check and wait join it first. */
	bool threaded;
	pthread_t thread;
	int fds[4];	   /* given to the monitor, closed once it is spawned */
	char *state_dir;   /* the thread's copy */
	char *socket_path; /* removed if the spawn fails */
	int spawn_err;
};
int monitor_spawn_start(const struct monitor_spec *spec, struct monitor_start *ret, struct err *e);
int monitor_spawn_wait(struct monitor_start *st, pid_t *ret_pid, struct err *e);
int monitor_spawn_check(struct monitor_start *st, struct err *e);
int monitor_main(int argc, char **argv); /* `hardrun monitor ...` */

/* `delete`: stop the container's monitor if it still runs and remove its
 * state dir.  Missing state is not an error.  Events and exec logs stay. */
int monitor_delete(const char *state_root, const char *runtime_root, const char *id, struct err *e);

/* pid runs `hardrun-monitor --state DIR ...` or `hardrun monitor --state
 * DIR ...` (a monitor of that state dir, supervisor or worker). */
bool monitor_is_running(pid_t pid, const char *state_dir);

int monitor_spec_write(const struct monitor_spec *spec, struct err *e);
int monitor_spec_read(const char *state_dir, struct monitor_spec *ret, struct err *e);
void monitor_spec_release(struct monitor_spec *spec);

#endif
