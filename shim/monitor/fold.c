// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Folding and rate-limiting of the events a container causes without a
 * notification (fanotify writes, NFLOG packets): the container controls
 * how many there are, so it must not be able to fill the node's disk.  The
 * same key (a path, an address) within a second is reported once; at most
 * FOLD_RATE reports a second; what is left out is counted for the log.
 */
#include <time.h>

#include "hardrun/monitor_int.h"

static uint64_t _key(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

bool fold_admit(struct fold *f, const char *key)
{
	time_t now = time(NULL);
	uint64_t k = _key(key);
	for (unsigned i = 0; i < FOLD_RECENT; i++)
		if (f->recent[i].key == k && now - f->recent[i].at <= 1)
			return false;
	if (now != f->second) {
		f->second = now;
		f->in_second = 0;
	}
	if (f->in_second >= FOLD_RATE) {
		f->dropped++;
		return false;
	}
	f->in_second++;
	f->recent[f->next].key = k;
	f->recent[f->next].at = now;
	f->next = (f->next + 1) % FOLD_RECENT;
	return true;
}

unsigned long fold_take_dropped(struct fold *f)
{
	unsigned long n = f->dropped;
	f->dropped = 0;
	return n;
}
