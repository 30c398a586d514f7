// SPDX-License-Identifier: GPL-2.0-or-later
/* String-keyed hash map (include/hardrun/strmap.h): FNV-1a, linear probing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/strmap.h"

static size_t _strmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static size_t *_strmap_slot(const struct strmap *m, const char *key)
{
	size_t mask = m->nslots - 1;

	for (size_t i = _strmap_hash(key) & mask;; i = (i + 1) & mask) {
		size_t v = m->slots[i];
		if (v == 0 || strcmp(m->items[v - 1]->key, key) == 0)
			return &m->slots[i];
	}
}

static int _strmap_grow(struct strmap *m)
{
	size_t nslots = m->nslots ? m->nslots * 2 : 64;
	size_t *slots = calloc(nslots, sizeof(*slots));
	struct strmap_item **items = realloc(m->items, nslots / 2 * sizeof(*items));

	if (!slots || !items) {
		free(slots);
		if (items)
			m->items = items;
		return -ENOMEM;
	}
	free(m->slots);
	m->items = items;
	m->cap = nslots / 2;
	m->slots = slots;
	m->nslots = nslots;
	for (size_t i = 0; i < m->n; i++)
		*_strmap_slot(m, m->items[i]->key) = i + 1;
	return 0;
}

struct strmap_item *strmap_find(const struct strmap *m, const char *key)
{
	if (m->n == 0)
		return NULL;
	size_t v = *_strmap_slot(m, key);
	return v ? m->items[v - 1] : NULL;
}

struct strmap_item *strmap_add(struct strmap *m, const char *key, bool *ret_new)
{
	struct strmap_item *it = strmap_find(m, key);

	if (ret_new)
		*ret_new = !it;
	if (it)
		return it;
	/* keep the table at most half full */
	if (m->n + 1 > m->cap && _strmap_grow(m) < 0)
		return NULL;
	it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	it->key = strdup(key);
	if (!it->key) {
		free(it);
		return NULL;
	}
	m->items[m->n++] = it;
	*_strmap_slot(m, key) = m->n;
	return it;
}

static int _strmap_cmp(const void *a, const void *b)
{
	const struct strmap_item *x = *(const struct strmap_item *const *)a;
	const struct strmap_item *y = *(const struct strmap_item *const *)b;

	return strcmp(x->key, y->key);
}

struct strmap_item **strmap_sorted(const struct strmap *m)
{
	if (m->n == 0)
		return NULL;
	struct strmap_item **v = malloc(m->n * sizeof(*v));
	if (!v)
		return NULL;
	memcpy(v, m->items, m->n * sizeof(*v));
	qsort(v, m->n, sizeof(*v), _strmap_cmp);
	return v;
}

int strmap_item_set_info(struct strmap_item *it, const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		return -ENOMEM;
	free(it->info);
	it->info = copy;
	return 0;
}

void strmap_release(struct strmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->items[i]->key);
		free(m->items[i]->info);
		free(m->items[i]);
	}
	free(m->items);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
