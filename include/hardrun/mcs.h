/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-container MCS category pairs (s0:cX,cY), unique among the containers
 * hardrun runs on a node.  One file per pair in <stateDir>/mcs/ ("c12.c345"),
 * created with O_EXCL and holding the owner's key (the container id): the
 * filesystem is the lock, so concurrent creates never share a pair.
 */
#ifndef HARDRUN_MCS_H
#define HARDRUN_MCS_H

#include <stdbool.h>
#include <stddef.h>

#include "hardrun/err.h"

#define MCS_CATEGORIES 1024 /* c0..c1023, as container-selinux uses */
#define MCS_KEY_MAX    1024
#define MCS_LEVEL_MAX  32 /* "s0:c1023,c1022" and NUL */

struct mcs_pair {
	unsigned lo, hi; /* lo < hi < MCS_CATEGORIES */
};

/* A key is a runc container id: [A-Za-z0-9_+.-]+, no "." or "..". */
bool mcs_key_valid(const char *key);

/*
 * Allocate a pair for key under state_dir (created 0700 when missing).
 * The same key gets the pair it already holds.  -ENOSPC when none is free.
 */
int mcs_allocate(const char *state_dir, const char *key, struct mcs_pair *ret, struct err *e);

/* Free every pair key holds; returns how many were freed (0: none). */
int mcs_release(const char *state_dir, const char *key, struct err *e);

/* "s0:cLO,cHI" into buf (MCS_LEVEL_MAX bytes). */
void mcs_format(const struct mcs_pair *p, char buf[static MCS_LEVEL_MAX]);

#endif
