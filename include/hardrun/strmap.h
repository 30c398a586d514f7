/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small string-keyed hash map with a count, a set of flag bits and one
 * optional string per item (the learn recorder and the profile generator
 * count syscalls, paths and argument values with it).  Items keep their
 * address for the map's lifetime.
 */
#ifndef HARDRUN_STRMAP_H
#define HARDRUN_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap_item {
	char *key;
	uint64_t count;	     /* how many times it was seen */
	uint64_t recordings; /* generator: how many recordings had it */
	unsigned flags;	     /* free for the user (access bits, ...) */
	char *info;	     /* free for the user (first binary, reason, ...) */
	uint64_t mark;	     /* generator: id of the last recording that counted it */
};

struct strmap {
	struct strmap_item **items; /* insertion order */
	size_t n, cap;
	size_t *slots; /* open addressing: index + 1, 0 = empty */
	size_t nslots;
};

/* Find key or add it (count 0).  *ret_new tells which (may be NULL).  NULL on ENOMEM. */
struct strmap_item *strmap_add(struct strmap *m, const char *key, bool *ret_new);
struct strmap_item *strmap_find(const struct strmap *m, const char *key);
/* The items sorted by key, in a malloc'd array of m->n pointers (NULL when empty or ENOMEM). */
struct strmap_item **strmap_sorted(const struct strmap *m);
/* Set item->info to a copy of s (replacing it).  -ENOMEM on failure. */
int strmap_item_set_info(struct strmap_item *it, const char *s);
void strmap_release(struct strmap *m);

#endif
