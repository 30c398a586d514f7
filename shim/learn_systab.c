// SPDX-License-Identifier: GPL-2.0-or-later
/* Interim syscall table from libseccomp (include/hardrun/learn_systab.h). */
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/learn_systab.h"

#define SYSTAB_MAX_NR 1024

static char **_names;
static size_t _n;
static char *_newest_x86_64, *_newest_x86;

static int _systab_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the names of one arch; returns the highest-numbered one (borrowed) or NULL. */
static char *_systab_add_arch(uint32_t arch, size_t *cap)
{
	char *newest = NULL;

	for (int nr = 0; nr < SYSTAB_MAX_NR; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(arch, nr);
		if (!name)
			continue;
		if (_n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 512;
			char **v = realloc(_names, ncap * sizeof(*v));
			if (!v) {
				free(name);
				return newest;
			}
			_names = v;
			*cap = ncap;
		}
		_names[_n++] = name;
		newest = name;
	}
	return newest;
}

static void _systab_init(void)
{
	size_t cap = 0, out = 0;

	if (_names)
		return;
	char *a = _systab_add_arch(SCMP_ARCH_X86_64, &cap);
	char *b = _systab_add_arch(SCMP_ARCH_X86, &cap);
	_newest_x86_64 = a ? strdup(a) : NULL;
	_newest_x86 = b ? strdup(b) : NULL;
	if (!_names)
		return;
	qsort(_names, _n, sizeof(*_names), _systab_cmp);
	for (size_t i = 0; i < _n; i++) {
		if (out && strcmp(_names[out - 1], _names[i]) == 0) {
			free(_names[i]);
			continue;
		}
		_names[out++] = _names[i];
	}
	_n = out;
}

const char *const *learn_systab_names(size_t *ret_n)
{
	_systab_init();
	*ret_n = _n;
	return (const char *const *)_names;
}

bool learn_systab_known(const char *name)
{
	_systab_init();
	return _names && bsearch(&name, _names, _n, sizeof(*_names), _systab_cmp);
}

const char *learn_systab_newest(const char *arch)
{
	_systab_init();
	return strcmp(arch, "x86") == 0 ? _newest_x86 : _newest_x86_64;
}
