/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hardrun events`: print the monitor's events. */
#ifndef HARDRUN_CMD_EVENTS_H
#define HARDRUN_CMD_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

int cmd_events(int argc, char **argv);

#endif
