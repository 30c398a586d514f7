/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Learn mode: what a call's arguments say (shim/learn_decode.c).  Each decoder
 * records, into a recording section, the argument values, paths, executed
 * binaries, addresses and inferred capabilities of one notification.
 * Pointer arguments are read with mon_read_mem()/mon_read_string().
 */
#ifndef HARDRUN_LEARN_DECODE_H
#define HARDRUN_LEARN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "hardrun/monitor.h"
#include "hardrun/recording.h"

/* Index of the decoder for a syscall name, -1 when its arguments are not recorded. */
int learn_decoder_index(const char *name);
/* Decode c with decoder idx into sec; *ret_new is set when a new item appeared. */
void learn_decode(int idx, struct rec_section *sec, const struct mon_call *c, bool *ret_new);

/* The binary pid runs, as seen inside its container ("/bin/busybox"); -errno. */
int learn_proc_binary(pid_t pid, char *buf, size_t size);

/* Path argument arg of c (relative to its dirfd argument dirfd, -1: the cwd) as an
 * absolute, normalised path inside the caller's root; -errno. */
int learn_read_path(const struct mon_call *c, int arg, int dirfd, char *out, size_t size);

/* Lexically normalise an absolute path in place ("//", ".", ".."). */
void learn_path_normalize(char *path);

#endif
