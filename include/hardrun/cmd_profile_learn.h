/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hardrun profile generate` and `hardrun profile diff` (shim/cmd_profile_learn.c). */
#ifndef HARDRUN_CMD_PROFILE_LEARN_H
#define HARDRUN_CMD_PROFILE_LEARN_H

/* argv[0] is the subcommand word ("generate" / "diff"). */
int cmd_profile_generate(int argc, char **argv);
int cmd_profile_diff(int argc, char **argv);

#endif
