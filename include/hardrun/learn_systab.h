/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The syscall names hardrun knows on x86_64/x86/x32, for learn mode's NOTIFY
 * list and the generator's ENOSYS cut-off.
 *
 * TODO(engine): interim table built from libseccomp; switch to the engine's
 * syscall table (branch `engine`) once it is on main, and delete this module.
 */
#ifndef HARDRUN_LEARN_SYSTAB_H
#define HARDRUN_LEARN_SYSTAB_H

#include <stdbool.h>
#include <stddef.h>

/* Sorted, unique names over x86_64 and x86 (x32 uses the x86_64 names).  Static storage. */
const char *const *learn_systab_names(size_t *ret_n);
bool learn_systab_known(const char *name);
/* The highest-numbered syscall of the table on x86_64 ("x86_64") or x86 ("x86"). */
const char *learn_systab_newest(const char *arch);

#endif
