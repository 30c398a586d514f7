// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hardrun-monitor: the per-container monitor as its own small program.
 * monitor_spawn_start() execs it (next to hardrun, else in the libexec dir, else
 * `hardrun monitor`) so that a monitor maps only what it uses: built -static
 * from libhardrun.a with libseccomp and yajl, it leaves out libcap,
 * libapparmor, libselinux and pcre2, and keeps its RSS per container small.
 */
#include "hardrun/monitor.h"

int main(int argc, char **argv)
{
	return monitor_main(argc, argv);
}
