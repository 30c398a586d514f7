// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for the profile parser and validator (and the seccomp render
 * of what it accepts).  libFuzzer: `make fuzz` (clang -fsanitize=fuzzer).
 * Without libFuzzer (-DFUZZ_STDIN): reads one input from stdin (AFL++).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <seccomp.h>

#include "hardrun/caps.h"
#include "hardrun/filter.h"
#include "hardrun/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json *doc = NULL, *oci = NULL;
	struct profile *p = NULL;
	struct err e = { 0 };

	if (json_parse((const char *)data, size, &doc, &e) < 0)
		return 0;
	if (profile_parse(doc, &p, &e) == 0 && p->seccomp &&
	    filter_render(p->seccomp, p->caps, &oci, &e) == 0) {
		void *ctx = NULL;
		if (filter_compile(oci, &ctx, &e) == 0)
			seccomp_release(ctx);
	}
	json_free(oci);
	profile_free(p);
	json_free(doc);
	return 0;
}

#ifdef FUZZ_STDIN
int main(void)
{
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), stdin);
	return LLVMFuzzerTestOneInput(buf, n);
}
#endif
