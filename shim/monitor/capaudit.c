// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Audit mode's capability report (include/hardrun/monitor_int.h): a call
 * that used a capability the profile drops would fail under enforce.  The
 * decision is the learner's (learn_caps.c).
 */
#include <stdio.h>
#include <string.h>

#include "hardrun/capneed.h"
#include "hardrun/learn_caps.h"
#include "hardrun/monitor_int.h"

bool capaudit_verdict(const struct mon_call *c, uint64_t dropped, struct mon_verdict *v)
{
	char why[LEARN_CAPS_WHY_MAX];
	uint64_t used;
	int idx = c->name ? learn_caps_index(c->name) : -1;

	if (idx < 0 || !(learn_caps_possible(idx) & dropped))
		return false;
	int r = learn_caps_decide(idx, c, &used, why, sizeof(why));
	used &= dropped;
	if (!used)
		return false;
	unsigned bit = 0;
	while (!(used & CAPNEED_BIT(bit)))
		bit++;
	v->rule = RULE_PROFILE_DEVIATION;
	v->action = ACTION_ALERT;
	v->errno_ret = 0;
	int n = snprintf(v->detail, sizeof(v->detail),
			 "capability %s dropped by the profile%s: ", capneed_name(bit) ?: "?",
			 r < 0 ? " (may be needed, not decided)" : "");
	if (n > 0 && (size_t)n < sizeof(v->detail))
		memcpy(v->detail + n, why, strnlen(why, sizeof(v->detail) - n - 1) + 1);
	v->detail[sizeof(v->detail) - 1] = '\0';
	return true;
}
