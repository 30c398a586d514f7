// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for what hardrun reads from others: the first byte picks the
 * reader, the rest is its input.
 *   0  a profile: parse, validate, render and compile its seccomp filter
 *   1  a spec's annotations (written by pod authors): policy_resolve
 *   2  a recording (its paths and argv come from the container): load,
 *      merge, generate the profile (which must validate) and its summary
 *   3  a bundle's config.json (written by pod authors and orchestrators):
 *      the launch audit's rules and the pod identity
 * libFuzzer: `make fuzz` (clang -fsanitize=fuzzer).  Without libFuzzer
 * (-DFUZZ_STDIN): reads one input from stdin (AFL++).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <seccomp.h>

#include "hardrun/caps.h"
#include "hardrun/filter.h"
#include "hardrun/launch.h"
#include "hardrun/nodeconf.h"
#include "hardrun/podid.h"
#include "hardrun/policy.h"
#include "hardrun/profgen.h"
#include "hardrun/profile.h"
#include "hardrun/recording.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void _profile(const struct json *doc)
{
	struct json *oci = NULL;
	struct profile *p = NULL;
	struct err e = { 0 };

	if (profile_parse(doc, &p, &e) == 0 && p->seccomp &&
	    filter_render(p->seccomp, p->caps, &oci, &e) == 0) {
		void *ctx = NULL;
		if (filter_compile(oci, &ctx, &e) == 0)
			seccomp_release(ctx);
	}
	json_free(oci);
	profile_free(p);
}

static void _annotations(const struct json *doc)
{
	static const char conf[] = "{\"allowedProfiles\":[\"*\"],\"allowModeOff\":true}";
	struct node_config nc;
	struct policy pol;
	struct err e = { 0 };

	if (nodeconf_parse(conf, sizeof(conf) - 1, &nc, &e) < 0)
		abort();
	(void)policy_resolve(&nc, doc, &pol, &e);
	nodeconf_release(&nc);
}

static void _recording(const struct json *doc)
{
	struct recording r = { 0 };
	struct profgen_merged m = { 0 };
	struct profgen_opts o = { .min_count = 1, .include_exec = true };
	struct json *prof = NULL;
	struct err e = { 0 };

	if (recording_from_json(doc, &r, &e) == 0 && profgen_merge(&r, 1, &o, &m, &e) == 0 &&
	    profgen_generate("fuzz", &m, &o, &prof, &e) == 0) {
		/* what generate writes, hardrun accepts (`profile generate` checks it too) */
		struct profile *p = NULL;
		if (profile_parse(prof, &p, &e) < 0) {
			fprintf(stderr, "generated profile does not validate: %s\n", e.msg);
			abort();
		}
		profile_free(p);
		FILE *null = fopen("/dev/null", "we");
		if (null) {
			profgen_summary(null, "fuzz", &m, &o, prof);
			fclose(null);
		}
	}
	json_free(prof);
	profgen_merged_release(&m);
	recording_release(&r);
}

static void _spec(const struct json *doc)
{
	struct launch_config c;
	struct launch_finding f[LAUNCH__COUNT];
	struct podid id;

	launch_conf_defaults(&c);
	(void)launch_evaluate(doc, launch_conf_mounts_of(&c), 0, f);
	podid_read(json_get(doc, "annotations"), &id);
	launch_conf_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const readers[])(const struct json *) = { _profile, _annotations, _recording,
								_spec };
	struct json *doc = NULL;
	struct err e = { 0 };

	if (size < 1 || json_parse((const char *)data + 1, size - 1, &doc, &e) < 0)
		return 0;
	readers[data[0] % 4](doc);
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
