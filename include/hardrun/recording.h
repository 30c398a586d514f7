/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A learn-mode recording: what one container did, as counted by the recorder
 * (shim/learn.c) and merged by the profile generator (shim/profgen.c).
 * Stored as <recordingsDir>/<profile>/<container-id>.json:
 *
 *   { "hardrunRecording": 1, "profile": "web", "containerId": "abc",
 *     "startedAt": 1700000000, "updatedAt": ..., "lastNewAt": ..., "lastNewSyscallAt": ...,
 *     "execSessions": 1,
 *     "main":    <section>,   the container's process tree, from its entrypoint's execve
 *     "exec":    <section>,   every `runc exec` session (kept out of profiles unless asked)
 *     "runtime": <section> }  runc's own calls after the filter, before execve (diagnostics)
 *
 *   <section> = { "syscalls": { "x86_64": { "read": {"count": 3, "firstBinary": "/bin/busybox"} }
 * }, "args": { "clone.flags": {"0x1200011": 2}, "socket": {"2/1/0": 1}, ... }, "exec": { "/bin/nc":
 * {"count": 1, "target": "/bin/busybox"} }, "files": { "/etc/passwd": {"access": "r", "count": 2}
 * }, "network": { "bind": {"inet:8080": 1}, "connect": {"inet:127.0.0.1:8080": 1} },
 *                 "capabilities": { "CAP_CHOWN": {"count": 1, "reason": "chown"} } }
 */
#ifndef HARDRUN_RECORDING_H
#define HARDRUN_RECORDING_H

#include <stdint.h>

#include "hardrun/err.h"
#include "hardrun/json.h"
#include "hardrun/strmap.h"

#define RECORDING_VERSION 1

/* File access bits (section files[].access letters). */
enum {
	REC_ACCESS_READ = 1 << 0,   /* r */
	REC_ACCESS_WRITE = 1 << 1,  /* w */
	REC_ACCESS_CREATE = 1 << 2, /* c */
	REC_ACCESS_EXEC = 1 << 3,   /* x */
	REC_ACCESS_MMAP = 1 << 4,   /* m: mapped executable */
};

enum rec_section_id {
	REC_MAIN,
	REC_EXEC,
	REC_RUNTIME,
	REC__SECTIONS,
};

struct rec_section {
	struct strmap syscalls; /* "x86_64/read", info = first binary */
	struct strmap args;	/* "clone.flags=0x1200011" */
	struct strmap exec;	/* path, info = resolved target */
	struct strmap files;	/* path, flags = REC_ACCESS_* */
	struct strmap net;	/* "bind=inet:8080", "connect=inet:127.0.0.1:80" */
	struct strmap caps;	/* "CAP_CHOWN", info = reason */
};

struct recording {
	char *profile;
	char *container_id;
	int64_t started_at, updated_at, last_new_at, last_new_syscall_at;
	uint64_t exec_sessions;
	struct rec_section sec[REC__SECTIONS];
};

extern const char *const recording_section_names[REC__SECTIONS];

/* The categories of a section, for code that walks all of them (merge). */
#define REC_CATS 6
struct strmap *recording_cat(const struct rec_section *s, int i);

/* "rwcxm" letters for access bits, into buf (>= 6 bytes). */
const char *recording_access_string(unsigned access, char buf[static 6]);
int recording_access_parse(const char *s, unsigned *ret);

int recording_to_json(const struct recording *r, struct json **ret, struct err *e);
int recording_from_json(const struct json *doc, struct recording *ret, struct err *e);
int recording_load(const char *path, struct recording *ret, struct err *e);
void recording_release(struct recording *r);

/* Any number of recordings, loaded one by one or every <dir>/<name>.json (name order). */
struct recording_set {
	struct recording *v;
	size_t n, cap;
};
int recording_set_load(struct recording_set *r, const char *path, struct err *e);
/* -ENOENT when dir holds no recording. */
int recording_set_load_dir(struct recording_set *r, const char *dir, struct err *e);
void recording_set_release(struct recording_set *r);

#endif
