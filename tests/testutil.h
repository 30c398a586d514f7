/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared helpers for the Check unit tests. */
#ifndef HARDRUN_TESTUTIL_H
#define HARDRUN_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Path of a fixture under tests/data (HARDRUN_TEST_DATA, set by `make unit`). */
static inline const char *test_data(const char *rel)
{
	static char buf[4096];
	const char *base = getenv("HARDRUN_TEST_DATA");
	(void)snprintf(buf, sizeof(buf), "%s/%s", base ? base : "tests/data", rel);
	return buf;
}

/* Read a whole fixture file (NUL-terminated); aborts the test when missing. */
static inline char *test_read(const char *rel, size_t *ret_len)
{
	const char *path = test_data(rel);
	FILE *f = fopen(path, "re");
	ck_assert_msg(f != NULL, "cannot open fixture %s", path);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	if (ret_len)
		*ret_len = len;
	return buf;
}

/*
 * Compare got with the golden file at path (one trailing newline on either
 * side is not a difference).  HARDRUN_UPDATE_GOLDEN=1 rewrites the file
 * first, with got and a final newline.
 */
static inline void test_assert_golden(const char *path, const char *got)
{
	size_t n = strlen(got);
	bool nl = n && got[n - 1] == '\n';
	if (getenv("HARDRUN_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "we");
		ck_assert_msg(f != NULL, "cannot write golden %s", path);
		fprintf(f, "%s%s", got, nl ? "" : "\n");
		ck_assert_int_eq(fclose(f), 0);
	}
	FILE *f = fopen(path, "re");
	ck_assert_msg(f != NULL, "missing golden %s (HARDRUN_UPDATE_GOLDEN=1 writes it)", path);
	char *want = NULL;
	size_t wlen = 0;
	FILE *m = open_memstream(&want, &wlen);
	int c;
	while ((c = getc(f)) != EOF)
		putc(c, m);
	fclose(f);
	fclose(m);
	if (nl)
		n--;
	if (wlen && want[wlen - 1] == '\n')
		wlen--;
	ck_assert_msg(n == wlen && memcmp(got, want, n) == 0,
		      "%s differs (HARDRUN_UPDATE_GOLDEN=1 to update)", path);
	free(want);
}

/* Number of entries of a NULL-terminated array (fixture lists). */
static inline size_t test_strv_count(const char *const *v)
{
	size_t n = 0;
	while (v[n])
		n++;
	return n;
}

/* Run one suite built by `build` and exit with its result. */
static inline int test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
