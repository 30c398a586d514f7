// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Event storms, bounded: folding and a token bucket for one container's
 * event lines (pure: the time is passed in, nothing is written here).
 *
 * Folding: occurrences with the same key (rule, call, binary, target) within
 * a window of `window_ms` are one line.  The first occurrence of a window is
 * written at once (hardrun.count 1, plus whatever an earlier window could not
 * write); the rest are counted, and their first occurrence is kept, to be
 * written with their count when the window ends (evlimit_flush).  A new window
 * starts there, so a steady storm of one key costs one line per window.
 *
 * Rate: every line takes a token; tokens come back at `rate` per second up
 * to `burst`.  Without a token an occurrence is counted, not dropped: it
 * rides on the key's next line.  The final flush (container exit) writes
 * every count left, tokens or not: at most EVLIMIT_KEYS + 1 lines.
 *
 * Keys: at most EVLIMIT_KEYS at a time.  A new key evicts the least recently
 * used key with nothing pending; when every key has a count pending, the
 * occurrence goes to one overflow entry (its line is the first such
 * occurrence, with the count of them all).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/cleanup.h"
#include "hardrun/monitor_int.h"

struct evl_entry {
	char *key; /* NULL: free slot */
	uint64_t start_ms, used_ms;
	uint64_t pending;
	bool window;	 /* a window runs from start_ms */
	struct json *ev; /* the first pending occurrence */
};

struct evlimit {
	struct evlimit_conf conf;
	double tokens;
	uint64_t refill_ms;
	struct evl_entry e[EVLIMIT_KEYS];
	struct evl_entry overflow;
};

struct evlimit *evlimit_new(const struct evlimit_conf *conf)
{
	struct evlimit *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->conf = *conf;
	l->tokens = conf->burst;
	return l;
}

static void _clear(struct evl_entry *x)
{
	json_free(x->ev);
	x->ev = NULL;
	x->pending = 0;
}

void evlimit_free(struct evlimit *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < EVLIMIT_KEYS; i++) {
		_clear(&l->e[i]);
		free(l->e[i].key);
	}
	_clear(&l->overflow);
	free(l);
}

static void _refill(struct evlimit *l, uint64_t now_ms)
{
	if (now_ms > l->refill_ms) {
		l->tokens += (double)(now_ms - l->refill_ms) * l->conf.rate / 1000.0;
		if (l->tokens > l->conf.burst)
			l->tokens = l->conf.burst;
	}
	l->refill_ms = now_ms;
}

static bool _take_token(struct evlimit *l)
{
	if (l->tokens < 1.0)
		return false;
	l->tokens -= 1.0;
	return true;
}

static struct evl_entry *_slot(struct evlimit *l, const char *key, uint64_t now_ms)
{
	struct evl_entry *victim = NULL;
	for (size_t i = 0; i < EVLIMIT_KEYS; i++) {
		struct evl_entry *x = &l->e[i];
		if (x->key && strcmp(x->key, key) == 0)
			return x;
		if (!x->key && !victim)
			victim = x;
	}
	for (size_t i = 0; !victim && i < EVLIMIT_KEYS; i++)
		if (!l->e[i].pending && (!victim || l->e[i].used_ms < victim->used_ms))
			victim = &l->e[i];
	char *copy = victim ? strdup(key) : NULL;
	if (!copy)
		return &l->overflow;
	free(victim->key);
	_clear(victim);
	*victim = (struct evl_entry){ .key = copy, .used_ms = now_ms };
	return victim;
}

static bool _in_window(const struct evlimit *l, const struct evl_entry *x, uint64_t now_ms)
{
	return x->window && x->start_ms + l->conf.window_ms > now_ms;
}

enum evlimit_verdict evlimit_offer(struct evlimit *l, const char *key, uint64_t now_ms,
				   struct json **ev, uint64_t *ret_count)
{
	_refill(l, now_ms);
	struct evl_entry *x = _slot(l, key, now_ms);
	x->used_ms = now_ms;
	if (x != &l->overflow && !_in_window(l, x, now_ms) && _take_token(l)) {
		*ret_count = x->pending + 1;
		_clear(x);
		x->window = true;
		x->start_ms = now_ms;
		return EVLIMIT_WRITE;
	}
	x->pending++;
	if (!x->ev)
		x->ev = steal_pointer(ev);
	return EVLIMIT_FOLDED;
}

static void _emit_one(struct evlimit *l, struct evl_entry *x, uint64_t now_ms, bool final,
		      evlimit_emit_fn emit, void *ctx)
{
	if (!x->pending || (!final && _in_window(l, x, now_ms)))
		return;
	if (!final && !_take_token(l))
		return; /* carried: the next line of this key counts it */
	if (x->ev)
		emit(ctx, x->ev, x->pending);
	_clear(x);
	x->window = true; /* the storm goes on folded */
	x->start_ms = now_ms;
}

void evlimit_flush(struct evlimit *l, uint64_t now_ms, bool final, evlimit_emit_fn emit, void *ctx)
{
	_refill(l, now_ms);
	for (size_t i = 0; i < EVLIMIT_KEYS; i++)
		_emit_one(l, &l->e[i], now_ms, final, emit, ctx);
	/* the overflow entry has no window of its own: out at each flush */
	if (l->overflow.pending && (final || _take_token(l))) {
		if (l->overflow.ev)
			emit(ctx, l->overflow.ev, l->overflow.pending);
		_clear(&l->overflow);
	}
}
