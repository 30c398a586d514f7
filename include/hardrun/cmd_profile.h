/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hardrun profile validate|show|export|import ...` (argv[0] = "profile"). */
#ifndef HARDRUN_CMD_PROFILE_H
#define HARDRUN_CMD_PROFILE_H

int cmd_profile(int argc, char **argv);

#endif
