/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of the monitor (the files in shim/monitor/), shared between its files and
 * the unit tests.  Nothing outside shim/monitor/ and tests/ includes this.
 *
 *   nfilter.c   the NOTIFY rule table and the linux.seccomp transform (pure)
 *   evaluate.c  rule evaluation over a call + process context (pure)
 *   plan.c      which mechanism serves each rule of a container (pure)
 *   fanwatch.c  fanotify marks on the sensitive directories (sensitive_write alerts)
 *   nflog.c     an NFLOG group's packets, read in the container's network namespace
 *   netguard.c  the nftables table of metadata_connect
 *   watch.c     the rules kernel mechanisms serve: started in the container's root
 *   procinfo.c  /proc reads: pointer arguments, process context, evidence
 *   event.c     the monitor's event lines (hardrun/event.h) and the exec log
 *   cgkill.c    kill every process of a container's cgroup
 *   listener.c  the unix socket runc connects to
 *   ptrace.c    the ptrace mechanism: tracees, their stops, attach requests
 *   mechanism.c notify or ptrace: the runtime's features, exec attach requests
 *   loop.c      `hardrun monitor`: the epoll loop
 *   spawn.c     monitor_spawn_*, state directory, monitor.json
 */
#ifndef HARDRUN_MONITOR_INT_H
#define HARDRUN_MONITOR_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "hardrun/err.h"
#include "hardrun/event.h"
#include "hardrun/json.h"
#include "hardrun/monitor.h"
#include "hardrun/rules.h"

/* ---- nfilter.c: argument conditions as OCI writes them ---- */

enum nf_op {
	NF_NE,
	NF_LT,
	NF_LE,
	NF_EQ,
	NF_GE,
	NF_GT,
	NF_MASKED_EQ, /* (arg & v) == v2, OCI: value = mask, valueTwo = datum */
};

#define NF_MAX_CONDS 6

struct nf_cond {
	unsigned idx;
	enum nf_op op;
	uint64_t v, v2;
};

/* A conjunction of conditions; n == 0 matches every call. */
struct nf_alt {
	unsigned n;
	struct nf_cond c[NF_MAX_CONDS];
};

enum nf_kind {
	NF_NOTIFY, /* notify when one of `notify` matches, else the profile's allow */
	NF_ENOSYS, /* allowed by the profile: answer ENOSYS in the filter (clone3) */
};

/* One monitored syscall.  `notify` and `allow` are disjoint and together cover
 * every argument vector (checked by the unit tests); n_notify == 0 means the
 * syscall is notified unconditionally.  `rules`: the rules it is notified for
 * (1 << rule_id); 0: every container's (exec). */
struct nf_entry {
	const char *name;
	enum nf_kind kind;
	const struct nf_alt *notify;
	unsigned n_notify;
	const struct nf_alt *allow;
	unsigned n_allow;
	uint32_t rules;
};

const struct nf_entry *nfilter_table(unsigned *ret_n);
const struct nf_entry *nfilter_find(const char *name);
bool nfilter_alt_match(const struct nf_alt *a, const uint64_t args[6]);
/* a AND b: 1 written to ret, 0 empty, -EOPNOTSUPP not expressible in OCI */
int nfilter_alt_and(const struct nf_alt *a, const struct nf_alt *b, struct nf_alt *ret);
int nfilter_op_parse(const char *s, enum nf_op *ret);
const char *nfilter_op_name(enum nf_op op);

/* Marker key the monitor writes into the rules it generates: "monitor" for rule
 * syscalls, "audit" for profile denials turned into NOTIFY by audit mode. */
#define NF_MARK_KEY "hardrun"

/* The transform behind monitor_prepare (enforce/audit): the table's rows for
 * the rules in `rules` (1 << rule_id, plan_notified) and the rows every
 * container needs are notified; report_denials: the profile's denials too.  Pure. */
int nfilter_apply(struct json *seccomp, uint32_t rules, bool report_denials, struct err *e);
/*
 * After the transform (enforce/audit: nfilter_apply; learn: learn_prepare):
 * the bundle's own linux.seccomp `own` (as the orchestrator wrote it; NULL
 * or JSON null: none) keeps every denial it makes.  A call the monitor would
 * see as a profile denial (audit-marked) or record (learn) is checked
 * against `own`: allowed there for every argument, it stays as it is;
 * denied for every argument, it gets own's rules back (action and errno, in
 * the kernel: runc would do the same); decided by argument, it gets own's
 * rules with their allows notified.  Learn mode also intersects the
 * architectures.  Pure.
 */
int nfilter_keep_own(struct json *seccomp, const struct json *own, bool learn, struct err *e);

/* The monitor's rules for syscall name (NOTIFY or TRACE, marked "monitor")
 * allow it again: it is watched by other means (execve: fanotify).  Pure. */
int nfilter_unnotify(struct json *sc, const char *name, struct err *e);
/* Where the profile allows syscall name, notify it for every argument (a
 * row of the table added at run time: memfd_create with exec through
 * fanotify).  Pure. */
int nfilter_notify_all(struct json *sc, const char *name, struct err *e);

/* ptrace mechanism: every SCMP_ACT_NOTIFY rule of sc becomes SCMP_ACT_TRACE
 * (same syscalls, same conditions, same marks).  Pure. */
int nfilter_use_trace(struct json *sc, struct err *e);

/* Monitor side: classify a notified call by the (transformed) linux.seccomp of
 * the bundle: true when it only matches audit-converted rules or the
 * audit-converted default action, i.e. the profile would have denied it. */
bool nfilter_is_deviation(const struct json *seccomp, const char *name, const uint64_t args[6]);
/* The (transformed) filter notifies or traces name for a monitor rule. */
bool nfilter_notifies(const struct json *seccomp, const char *name);

/* ---- evaluate.c ---- */

#define MON_COMM_MAX 16
#define MON_TEXT_MAX 1024

/* Process context of the calling task, from /proc. */
struct mon_proc {
	pid_t pid, ppid;
	uid_t uid;
	char comm[MON_COMM_MAX + 1];
	char exe[PATH_MAX];
	char cmdline[MON_TEXT_MAX];
	char cwd[PATH_MAX];
	char pcomm[MON_COMM_MAX + 1]; /* parent's comm */
	char pcmdline[MON_TEXT_MAX];
};

/* Evidence read for the call (pointer arguments, fd targets).  Read errors
 * leave fields empty; the rules then judge on what they have. */
struct mon_evidence {
	char path[PATH_MAX];	 /* path argument, absolute in the container ("" unknown) */
	char argv[MON_TEXT_MAX]; /* execve argv joined with spaces */
	char argv0[256];
	char argv1[256];
	char fd_link[PATH_MAX]; /* execveat dirfd / fchmod fd target */
	char stdio_link[80];	/* exec: the first of fds 0-2 that is an inet socket */
	bool stdio_inet;	/* exec: one of fds 0-2 (kept across the exec) is an
				 * AF_INET/AF_INET6 socket */
	bool known_binary;	/* exec target is one of monitor.knownBinaries */
	bool new_file;		/* exec target created or changed since the container started */
	int family;		/* connect: AF_INET / AF_INET6 / 0 */
	uint8_t addr[16];
	uint16_t port;
	uint64_t open_flags; /* openat2: from struct open_how */
};

/* Rule configuration of the container (profile monitor section + spec env). */
struct mon_rules {
	enum rule_action action[RULE__COUNT];
	bool drift; /* knownBinaries non-empty */
	/* monitor.shellParents (borrowed from the profile): process names that
	 * start shells as part of the workload (tar -z runs `sh -c gzip`) */
	const struct json *shell_parents;
	bool audit;	   /* audit mode: deny/kill become alert */
	char k8s_host[64]; /* KUBERNETES_SERVICE_HOST (IP literal) or "" */
	uint16_t k8s_port;
};

struct mon_verdict {
	int rule; /* enum rule_id, -1 when no rule fired */
	enum rule_action action;
	int errno_ret;	  /* for ACTION_DENY */
	char detail[512]; /* evt.args */
};

void eval_rules_default(struct mon_rules *r);
/* Read profile.monitor.{rules,knownBinaries}: unknown rule or action is an error. */
int eval_rules_from_profile(const struct json *monitor, struct mon_rules *r, struct err *e);
/* Decide about one call.  Pure: everything it needs is in its arguments. */
void eval_call(const struct mon_call *c, const struct mon_proc *p, const struct mon_evidence *ev,
	       const struct mon_rules *r, struct mon_verdict *ret);
bool eval_is_shell(const char *path, const char *argv0, const char *argv1);
/* sensitive_write's directories ("/etc/", ...; NULL-terminated): a write-open
 * of a file under one of them fires the rule. */
const char *const *eval_sensitive_dirs(void);
/* reverse_shell, decided at exec: a shell or interpreter started with an
 * inet socket on stdin, stdout or stderr, or any program a relay (nc, ncat,
 * socat) starts so.  Pure. */
bool eval_reverse_shell(const char *target, const char *argv0, const char *argv1,
			const char *caller_comm, bool stdio_inet);
/* A write seen after the fact (fanotify: `what` is create, modify, ...) to
 * path in the container.  Pure. */
void eval_fs_write(const char *path, const char *what, const struct mon_rules *r,
		   struct mon_verdict *ret);

/* ---- plan.c: the mechanism that serves each rule (pure) ---- */

enum plan_source {
	PLAN_OFF,      /* the rule's action is off: nothing watches for it */
	PLAN_NOTIFY,   /* seccomp notify (ptrace: SCMP_ACT_TRACE) on its syscalls */
	PLAN_EXEC,     /* decided at the (notified) execve from its evidence */
	PLAN_FANOTIFY, /* fanotify marks in the container's root, asynchronous */
	PLAN_NFT,      /* nftables in the container's network namespace */
};

/* What the node and the container offer. */
struct plan_env {
	bool fanotify; /* fanotify with FAN_REPORT_DFID_NAME works here */
	bool nft;      /* nft is installed and the container has a network
			* namespace of its own (or its pod's) */
};

/* The action the rule takes in this container (audit mode: alert at most). */
enum rule_action plan_action(const struct mon_rules *r, enum rule_id id);
enum plan_source plan_source(const struct mon_rules *r, enum rule_id id,
			     const struct plan_env *env);
/* The rules whose source is PLAN_NOTIFY (1 << rule_id): nfilter_apply's rows. */
uint32_t plan_notified(const struct mon_rules *r, const struct plan_env *env);

/* ---- fanwatch.c: sensitive_write alerts through fanotify ---- */

#define FANWATCH_MARK_MAX 512 /* directories marked per container */

struct fanwatch;
/* fanotify_init with FAN_REPORT_DFID_NAME works here. */
bool fanwatch_available(void);
/* Mark the sensitive directories under root (e.g. /proc/<pid>/root) and
 * their subdirectories (bounded); lookups stay inside root. */
int fanwatch_open(const char *root, struct fanwatch **ret, struct err *e);
int fanwatch_fd(const struct fanwatch *w);
unsigned fanwatch_marked(const struct fanwatch *w);
unsigned fanwatch_unmarked(const struct fanwatch *w);
/* One write to a file under a marked directory: the writer's pid (0 and a
 * NULL path: the kernel's queue overflowed, events were lost). */
typedef void (*fanwatch_fn)(void *ctx, pid_t pid, const char *path, uint64_t mask);
/* Every pending event (the fd is non-blocking); the kernel's several events
 * of one write (create, modify, close_write) are one report within a second. */
void fanwatch_read(struct fanwatch *w, fanwatch_fn fn, void *ctx);
const char *fanwatch_mask_name(uint64_t mask);
void fanwatch_free(struct fanwatch *w);
/* A path only a fileless exec names: memfd, /dev/shm, /proc/<pid>/fd/N, deleted. */
bool eval_fileless_path(const char *p);

/* ---- fanexec.c: exec through fanotify, the pure decisions ---- */

struct fanexec_mount {
	dev_t dev;	      /* st_dev of its files (major:minor) */
	char point[PATH_MAX]; /* mount point in the container */
	char fstype[32];
	bool noexec;
	char upper[PATH_MAX]; /* overlay: upperdir= (a host path), else "" */
};

/* One /proc/<pid>/mountinfo line: 0 or -EINVAL. */
int fanexec_mount_parse(const char *line, struct fanexec_mount *ret);
/* Can the mount hold a file to execute (not noexec, not proc/sysfs/...)? */
bool fanexec_mount_wanted(const struct fanexec_mount *m);
/* Drift: the file is in the overlay's upper layer, or its ctime is after since. */
bool fanexec_is_new(const struct timespec *ctime, const struct timespec *since, bool in_upper);
/* May an approved exec of path be cached (ignore mark, no more events)?  Not
 * when a rule fired, the file is new, or the program is a shell, an
 * interpreter, busybox or a network tool (their arguments decide). */
bool fanexec_cacheable(const char *path, bool new_file, bool rule_fired);

/* ---- fangroup.c: the fanotify group of a container ---- */

/* What the monitor learns of one exec permission event besides the call. */
struct fanexec_facts {
	char path[PATH_MAX]; /* the opened file, as the container names it */
	bool new_file;
	bool primary; /* the file the execve named (not its ELF interpreter or #! program) */
	bool cache;   /* set by the decision: approve this inode for good */
};

/* Decide about one exec: 0 allows, else the errno (FAN_DENY). */
typedef int (*fangroup_decide_fn)(void *ctx, struct mon_call *c, struct fanexec_facts *f);

/* The tag under which the supervisor holds the group (keeper_hold_fd). */
#define FANGROUP_KEEPER_TAG 1

struct fangroup {
	int fd;
	struct timespec since; /* files changed after this are new */
	char upper[PATH_MAX];  /* the root's overlay upper dir, or "" */
	unsigned long events, cached, denied;
	bool stats_dirty;
	bool partial; /* some mount (not the root) could not be marked */
};

/* Create side: can this host answer exec permission events (kernel, CAP_SYS_ADMIN)? */
int fangroup_probe(struct err *e);
int fangroup_open(struct fangroup *g, struct err *e);
/* Mark every mount of pid's mount namespace that can hold executables: the
 * number marked, or -errno when the root could not be (then execs would go
 * unwatched).  Other failures set g->partial and the error in e. */
int fangroup_mark(struct fangroup *g, pid_t pid, struct err *e);
/* Answer every pending permission event. */
void fangroup_serve(struct fangroup *g, fangroup_decide_fn decide, void *ctx);
/* <state_dir>/fanexec.stats: "events N\ncached N\ndenied N\n" (a debug counter). */
void fangroup_write_stats(struct fangroup *g, const char *state_dir);
void fangroup_close(struct fangroup *g);
/* An inode mark on fd's file (a memfd made for the container): its execs,
 * through any path, ask the monitor.  0 or -errno. */
int fangroup_watch_fd(struct fangroup *g, int fd);

/* ---- capaudit.c ---- */

/* Audit mode: did c use one of the capabilities the profile drops (dropped)?
 * Then *v becomes the profile_deviation alert naming the capability and the
 * evidence (learn_caps_decide, as learning decides it); else v is left alone. */
bool capaudit_verdict(const struct mon_call *c, uint64_t dropped, struct mon_verdict *v);

/* ---- procinfo.c ---- */

int procinfo_read(pid_t pid, struct mon_proc *ret);
/* Parts of procinfo_read, for the notification hot path: PI_COMM and
 * PI_CMDLINE (gone once an execve goes on; the cmdline of a task that has
 * just forked is costly to read), PI_CONTEXT (ppid, uid, cwd), PI_PARENT
 * (the parent's comm and cmdline; needs ppid), PI_EXE (an exec's record has
 * the path the call named instead: /proc/<pid>/exe may not have changed yet).
 * Adds to *ret. */
enum { PI_COMM = 1, PI_CMDLINE = 2, PI_CONTEXT = 4, PI_PARENT = 8, PI_EXE = 16, PI_ALL = 31 };
void procinfo_read_parts(pid_t pid, unsigned parts, struct mon_proc *ret);
/* Fill evidence for c (reads memory, fds; validates the notification id). */
void procinfo_evidence(const struct mon_call *c, const struct mon_proc *p, char *const *known,
		       struct mon_evidence *ret);

/* Open path under rootfd as if rootfd were / (symlinks resolved in the
 * container) and stat it: 0 or -errno. */
struct stat;
int procinfo_stat_in_root(int rootfd, const char *path, struct stat *st);

/* The process as an exec event shows it: the new program (argv, path) with
 * the caller's pid and parent. */
void procinfo_exec_view(const struct mon_proc *caller, const struct mon_evidence *ev,
			struct mon_proc *ret);

/* ---- event.c ---- */

/* struct event_ctx, event_ctx_identity, event_open, event_append,
 * event_format_time: hardrun/event.h */

/* Build one event object (pure: time passed in). */
struct json *event_build(const struct event_ctx *x, const struct timespec *when,
			 const struct mon_call *c, const struct mon_proc *p,
			 const struct mon_verdict *v);
/* The key events fold by (evlimit): rule, call, binary, target (evt.args). */
#define EVENT_KEY_MAX 1024
void event_fold_key(const struct mon_call *c, const struct mon_proc *p, const struct mon_verdict *v,
		    char *buf, size_t size);
/* The loss of a monitor process: who ("worker": the process serving the
 * calls; "supervisor": the one holding its fds), its pid, why, and what
 * follows ("kill": the container is stopped; "keep": it runs on). */
struct event_lost {
	const char *who;
	pid_t pid;
	const char *reason;
	const char *action;
};
struct json *event_build_lost(const struct event_ctx *x, const struct timespec *when,
			      const struct event_lost *l);
/* An exec-log record. */
struct json *event_build_exec(const struct event_ctx *x, const struct timespec *when,
			      const struct mon_call *c, const struct mon_proc *p,
			      const struct mon_evidence *ev, const char *result);
/* Does one event line match the filters (NULL = any)?  (`hardrun events`) */
bool event_line_matches(const char *line, size_t len, const char *container, const char *rule);

/* ---- evlimit.c: folding and rate limit of event lines (pure) ---- */

#define EVLIMIT_KEYS 64

struct evlimit_conf {
	unsigned rate;	    /* lines per second */
	unsigned burst;	    /* lines at once */
	uint64_t window_ms; /* folding window */
};

enum evlimit_verdict {
	EVLIMIT_WRITE,	/* write the line now, its hardrun.count is *ret_count */
	EVLIMIT_FOLDED, /* counted; *ev may have been taken, for a later line */
};

struct evlimit;
struct evlimit *evlimit_new(const struct evlimit_conf *conf);
void evlimit_free(struct evlimit *l);
/* One occurrence of key (rule, call, binary, target) at now_ms (monotonic),
 * its line *ev: written now, or folded into a later line. */
enum evlimit_verdict evlimit_offer(struct evlimit *l, const char *key, uint64_t now_ms,
				   struct json **ev, uint64_t *ret_count);
/* emit(ctx, line, count) for each line due: keys whose window ended with
 * occurrences pending (tokens permitting), or every one when final.  The
 * line stays evlimit's. */
typedef void (*evlimit_emit_fn)(void *ctx, struct json *ev, uint64_t count);
void evlimit_flush(struct evlimit *l, uint64_t now_ms, bool final, evlimit_emit_fn emit, void *ctx);

/* ---- evout.c: the events file and the exec log, bounded ---- */

struct evout {
	int events_fd, exec_fd;
	char *events_path, *exec_path;
	uint64_t exec_size, exec_max; /* exec_max 0: no cap */
	struct evlimit *lim;
	const char *container_id;
	const char *state_dir; /* stats.json goes there */
	uint64_t events;       /* occurrences, folded ones included */
	char last_event[64];   /* time of the last one */
	bool stats_dirty;
	uint64_t failed; /* lines not written since the last report */
	char failed_msg[ERR_MSG_MAX];
	/* the monitor's own error lines: a token bucket (EVOUT_LOG_BURST, one
	 * more a second), what it holds back counted and reported */
	unsigned log_tokens;
	uint64_t log_ms, log_held;
};
#define EVOUT_LOG_BURST 10

/* Takes events_fd and exec_fd (as monitor_open_logs gives them). */
int evout_init(struct evout *o, const struct monitor_spec *s, int events_fd, int exec_fd,
	       struct err *e);
void evout_release(struct evout *o);
/* An event line (*ev may be taken) of fold key `key`. */
void evout_event(struct evout *o, struct json **ev, const char *key);
void evout_exec(struct evout *o, const struct json *rec);
/* An error line of the monitor itself (count: the lines it reports lost).
 * Bounded too (a container can make a call fail in a loop): past the burst,
 * one a second; the lines held back are counted on the next one
 * ("hardrun.held") and reported by evout_tick and at exit. */
void evout_log(struct evout *o, const char *what, const char *error, uint64_t count);
/* Once a second: folded lines due, the failures, <state dir>/stats.json
 * ({"events": N, "lastEvent": TIME}, for `hardrun ps`) when it changed. */
void evout_tick(struct evout *o);
/* At exit: every folded count left, and the failures. */
void evout_finish(struct evout *o);

/* ---- nflog.c, netguard.c: metadata_connect through nftables ---- */

struct nflog_packet {
	int family; /* AF_INET / AF_INET6 */
	uint8_t addr[16];
	uint16_t port;	/* TCP/UDP destination port, 0 for others */
	uint16_t sport; /* ... and source port (one connection's packets share it) */
};

/* A non-blocking NFLOG socket made in netns_fd's namespace, bound to group. */
int nflog_open(int netns_fd, uint16_t group, struct err *e);
/* The packets of one recv() buffer: their destinations (pure). */
unsigned nflog_parse(const void *buf, size_t len, struct nflog_packet *out, unsigned max);

struct netguard_conf {
	char table[40];
	uint16_t group;	   /* NFLOG group (netguard_start may take a later one) */
	bool refuse;	   /* deny/kill: drop in the kernel too */
	char k8s_host[64]; /* KUBERNETES_SERVICE_HOST: an IP literal or "" */
	uint16_t k8s_port;
};

struct netguard {
	struct netguard_conf conf;
	int netns_fd, nflog_fd;
	bool installed;
};

/* The nft binary, or NULL. */
const char *netguard_nft(void);
/* The nft script of conf: -EINVAL when k8s_host is not an IP literal (pure). */
int netguard_script(const struct netguard_conf *c, char *buf, size_t size);
/* In pid's network namespace: bind the NFLOG group, add the table. */
int netguard_start(struct netguard *g, pid_t pid, const struct netguard_conf *conf, struct err *e);
/* Delete the table (if the namespace is still there), close. */
void netguard_stop(struct netguard *g);

/* ---- watch.c: the rules kernel mechanisms serve, in the monitor ---- */

struct watch {
	bool tried; /* both stages started (or failed): once per container */
	bool overflowed;
	struct fanwatch *fw;	/* sensitive_write alerts */
	struct netguard *guard; /* metadata_connect */
	pid_t pid;		/* the container's init (kill) */
	uint64_t recent[8];	/* connections reported (their SYN retransmits are not) */
	unsigned next;
	const struct mon_rules *rules;
	const struct event_ctx *ectx;
	struct evout *out; /* folded and rate-limited there */
};

/* Start what plan_source gives to kernel mechanisms, in pid's root and
 * network namespace (seccomp: the final filter; a connect it notifies is
 * not nftables').  early: before the container's program runs (its first
 * exec waits): the fanotify marks (a write at once is seen) and nftables
 * when it refuses (deny, kill); else, right after: nftables for alerts.
 * 0, 1 with a warning in e, or -errno (e says why). */
int watch_start(struct watch *w, pid_t pid, const struct mon_rules *rules,
		const struct json *seccomp, const struct event_ctx *ectx, struct evout *out,
		bool early, struct err *e);
/* The fds to poll (0, 1 or 2 of them). */
unsigned watch_fds(const struct watch *w, int fds[2]);
/* Turn every pending kernel event into events-file lines. */
void watch_read(struct watch *w);
/* A line for the monitor's log (events lost), if any. */
bool watch_take_note(struct watch *w, char *buf, size_t size);
/* pid runs in another mount namespace than the monitor's (the container's). */
bool watch_in_container(pid_t pid);
void watch_release(struct watch *w);

/* ---- cgkill.c ---- */

/* Path of the cgroup.procs of pid's container cgroup (pids, then freezer,
 * then the unified hierarchy).  Refuses the root cgroup. */
int cgkill_procs_path(pid_t pid, const char *cgroup_file_text, char *buf, size_t size);
/* SIGKILL every process in pid's cgroup until it is empty. */
int cgkill_container(pid_t pid, struct err *e);

/* ---- listener.c ---- */

struct listener_conn {
	int notify_fd;
	pid_t pid;
	char *container_id;
	char *bundle;
	char *status;
	char *metadata;
};

int listener_open(const char *path, struct err *e);
/* One message into buf (at most size bytes) and the first fd passed with it
 * (*ret_fd -1: none; more are closed): its length, or -errno. */
ssize_t listener_recvmsg(int fd, void *buf, size_t size, int flags, int *ret_fd, struct err *e);
/* Accept one connection and receive its state JSON and notify fd. */
int listener_receive(int listen_fd, struct listener_conn *ret, struct err *e);
void listener_conn_release(struct listener_conn *c);

/* ---- ptrace.c: the ptrace mechanism ---- */

struct tracer;
struct __ptrace_syscall_info; /* <sys/ptrace.h> */

/* Decide about one call of a stopped tracee: 0 lets it run, else it fails
 * with that errno.  c->name is for the callback to fill. */
typedef int (*tracer_decide_fn)(void *ctx, struct mon_call *c);

struct tracer *tracer_new(tracer_decide_fn decide, void *ctx);
/* fn(ctx, pid) at the container's first exec, while that task is still
 * stopped in it: what must be in place before the program runs (the
 * kernel watches, the exec marks).  tracer_take_first_exec then gives 0. */
typedef void (*tracer_exec_fn)(void *ctx, pid_t pid);
void tracer_on_first_exec(struct tracer *t, tracer_exec_fn fn);
void tracer_free(struct tracer *t);
/* PTRACE_SEIZE pid (it keeps running) as a new session: its number, or -errno. */
int tracer_attach(struct tracer *t, pid_t pid, struct err *e);
/* An attach request on the monitor socket (`hardrun exec`): seize the peer
 * (SO_PEERCRED), answer "OK <session>" or "ERR <reason>". */
int tracer_accept(struct tracer *t, int listen_fd, struct err *e);
/* Serve every pending stop (waitpid(-1, WNOHANG | __WALL) until empty). */
void tracer_reap(struct tracer *t);
/* Once a second: a new task whose parent's event never came gets its session from /proc. */
void tracer_tick(struct tracer *t);
/* The session of pid (its own, a thread leader's or an ancestor's) and
 * whether that session has started. */
int tracer_session_of(struct tracer *t, pid_t pid, bool *ret_started);
/* The first task seen exec in the container (session 0 started), once: 0 before and after. */
pid_t tracer_take_first_exec(struct tracer *t);
/* Tracees existed and none is left. */
bool tracer_done(const struct tracer *t);
/* Pure: a seccomp stop (op PTRACE_SYSCALL_INFO_SECCOMP) as a mon_call
 * (notify_fd -1, session/started/name left to the caller). */
int tracer_call_from_info(const struct __ptrace_syscall_info *info, pid_t pid,
			  struct mon_call *ret);

/* ---- keeper.c: the supervisor that holds the fds ---- */

struct keeper_session {
	int fd;
	bool notify; /* a notify fd, tag its session number; else keeper_hold_fd's tag */
	int tag;
};

/* What a worker starts with: the spawner's ready pipe (first worker only,
 * else -1) and the sessions to take over (a respawned worker). */
struct keeper_child {
	int ready_fd;
	size_t n;
	struct keeper_session *held;
};

/* Split into supervisor and worker.  Returns 0 in each worker; the
 * supervisor never returns (it exits when the container is done, when
 * asked to stop, or when monitoring cannot go on).  -1: no supervisor could
 * be made; the caller serves alone. */
int keeper_start(const char *state_dir, int ready_fd, struct keeper_child *ret);
/* Worker side: hand fd (of session) to the supervisor to hold; release a
 * session that hung up; say the worker serves.  No-ops when unsupervised. */
int keeper_hold(int fd, int session);
/* Any other fd the fail-closed depends on, under the caller's tag (>= 0),
 * and its copy in a respawned worker (-1: none). */
int keeper_hold_fd(int fd, int tag);
int keeper_held_fd(const struct keeper_child *kc, int tag);
void keeper_release(int session);
void keeper_ready(void);
bool keeper_supervised(void);
/* The notification being decided (shared with the supervisor and the next
 * worker), and its answer. */
void keeper_inflight(int session, uint64_t id);
void keeper_answered(void);
/* A respawned worker: answer ENOSYS to the notification its predecessor
 * left unanswered; its session, or -1. */
int keeper_takeover(const struct keeper_child *kc);
/* A pidfd of the supervisor (readable when it ends), or -1. */
int keeper_parent_pidfd(void);
/* monitor_lost for s (and, for action "kill", the container stopped). */
void keeper_lost(const struct monitor_spec *s, const struct event_lost *l);
/* Worker side, the supervisor gone: monitor_lost, the container stopped under
 * kill, else this worker serves on alone (keeper_alone). */
void keeper_supervisor_lost(const struct monitor_spec *s);
/* A worker left alone: no supervisor any more, monitor.pid is this process. */
void keeper_alone(const char *state_dir);
/* A worker's exit status when stopped by SIGTERM (0: the container is done). */
#define MONITOR_EXIT_STOPPED 3

/* ---- spawn.c: the monitor's own state ---- */

/*
 * On the monitor's exit, if it still owns the state dir (monitor.pid is its
 * pid): when runc's state for the container (<runtime root>/<id>/state.json)
 * is gone (or goes within RUNTIME_GONE_WAIT_MS: `runc run` removes it right
 * after the init exits), nobody will run `delete`: remove the whole state
 * dir, after checking that it is exactly the container's key dir under its
 * stateDir.  Otherwise only the socket and pid file go; `delete` does the rest.
 */
#define RUNTIME_GONE_WAIT_MS 3000
void monitor_state_finish(const struct monitor_spec *s, int wait_ms);
/* Open (O_APPEND, creating parent dirs) the events file and the container's
 * exec log <dir of the events file>/exec/<id>.jsonl; _paths names them. */
int monitor_log_paths(const struct monitor_spec *s, char **ret_events, char **ret_exec,
		      struct err *e);
int monitor_open_logs(const struct monitor_spec *s, int *ret_events, int *ret_exec, struct err *e);

#endif
