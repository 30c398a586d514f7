/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capabilities: names <-> bits (libcap for the names) and the tightening of
 * an OCI process object's capability sets.  A mask has bit n set for
 * capability n (CAP_CHOWN = bit 0).
 */
#ifndef HARDRUN_CAPS_H
#define HARDRUN_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "hardrun/err.h"
#include "hardrun/json.h"

#define CAPS_ALL UINT64_MAX

/* "CAP_NET_RAW" (upper case, CAP_ prefix, known to libcap) -> 0..63. */
int caps_from_name(const char *name, unsigned *ret_bit);
/* "CAP_NET_RAW" into buf; -EINVAL when libcap does not know the bit. */
int caps_to_name(unsigned bit, char *buf, size_t size);

/* Mask from a JSON array of names.  Unknown names: error when strict, else
 * ignored (as runc ignores capabilities it does not know). */
int caps_mask_from_json(const struct json *arr, bool strict, uint64_t *ret, struct err *e);
/* JSON array of names, ordered by bit. */
int caps_mask_to_json(uint64_t mask, struct json **ret, struct err *e);
unsigned caps_count(uint64_t mask);

/*
 * Tighten process.capabilities of an OCI process object (the spec's
 * "process" or an exec process.json) so that:
 *   bounding'    = bounding    & allowed
 *   permitted'   = permitted   & allowed
 *   effective'   = effective   & permitted'
 *   inheritable' = inheritable & allowed
 *   ambient'     = ambient     & ambient_allowed & permitted' & inheritable'
 * A missing "capabilities" object (runc then keeps every capability) becomes
 * bounding = permitted = effective = allowed, inheritable = ambient = [].
 * A set the object lacks stays absent (runc reads it as empty).
 * Capability names libcap does not know are dropped.
 */
int caps_apply(struct json *process, uint64_t allowed, uint64_t ambient_allowed, struct err *e);

/* bounding | permitted of a process object: the capabilities it can ever
 * hold (CAPS_ALL when it has no "capabilities").  What includes/excludes
 * of a seccomp profile are resolved against. */
uint64_t caps_process_mask(const struct json *process);

#endif
