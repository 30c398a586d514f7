// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Implicit capabilities (shim/capneed.c): tables of owner/group/mode/ACL +
 * caller credentials + call -> the capabilities the call used.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/stat.h>

#include "hardrun/capneed.h"
#include "testutil.h"

#define B(c) CAPNEED_BIT(CAP_##c)
#define FAIL CAPNEED_FAILS
#define DOCKER_CAPS                                                                                \
	(B(CHOWN) | B(DAC_OVERRIDE) | B(FSETID) | B(FOWNER) | B(MKNOD) | B(NET_RAW) | B(SETGID) |  \
	 B(SETUID) | B(SETFCAP) | B(SETPCAP) | B(NET_BIND_SERVICE) | B(SYS_CHROOT) | B(KILL) |     \
	 B(AUDIT_WRITE))
#define INO(u, g, m)                                                                               \
	{                                                                                          \
		.uid = (u), .gid = (g), .mode = (m)                                                \
	}
#define INO_ACL(u, g, m, a)                                                                        \
	{                                                                                          \
		.uid = (u), .gid = (g), .mode = (m), .acl = (a), .nacl = 5                         \
	}
#define R CAPNEED_MAY_READ
#define W CAPNEED_MAY_WRITE
#define X CAPNEED_MAY_EXEC

static const struct capneed_creds _root = { .cap_eff = DOCKER_CAPS };
static const struct capneed_creds _root_rs = { .cap_eff = DOCKER_CAPS | B(DAC_READ_SEARCH) };
static const struct capneed_creds _root_nocap = { .cap_eff = 0 };
/* www-data (33) in adm (4) */
static const struct capneed_creds _www = { .ruid = 33,
					   .euid = 33,
					   .suid = 33,
					   .fsuid = 33,
					   .rgid = 33,
					   .egid = 33,
					   .sgid = 33,
					   .fsgid = 33,
					   .groups = { 4 },
					   .ngroups = 1 };

/* user::rw- user:1000:rw- group::r-- mask::r-- other::--- */
static const struct capneed_acl_entry _acl_masked[] = {
	{ CAPNEED_ACL_USER_OBJ, 6, 0 },	 { CAPNEED_ACL_USER, 6, 1000 },
	{ CAPNEED_ACL_GROUP_OBJ, 4, 0 }, { CAPNEED_ACL_MASK, 4, 0 },
	{ CAPNEED_ACL_OTHER, 0, 0 },
};
/* user::rw- user:33:rw- group::--- mask::rw- other::--- */
static const struct capneed_acl_entry _acl_www[] = {
	{ CAPNEED_ACL_USER_OBJ, 6, 0 },	 { CAPNEED_ACL_USER, 6, 33 },
	{ CAPNEED_ACL_GROUP_OBJ, 0, 0 }, { CAPNEED_ACL_MASK, 6, 0 },
	{ CAPNEED_ACL_OTHER, 0, 0 },
};

static const struct {
	const char *what;
	struct capneed_inode ino;
	const struct capneed_creds *cr;
	unsigned mask;
	uint64_t want;
} _perm[] = {
	/* the case: nginx's master opening error.log for append */
	{ "root appends to www-data:adm 0640", INO(33, 4, S_IFREG | 0640), &_root, W,
	  B(DAC_OVERRIDE) },
	{ "root reads www-data:adm 0640", INO(33, 4, S_IFREG | 0640), &_root, R, B(DAC_OVERRIDE) },
	{ "root reads it holding READ_SEARCH", INO(33, 4, S_IFREG | 0640), &_root_rs, R,
	  B(DAC_READ_SEARCH) },
	{ "root writes it holding READ_SEARCH", INO(33, 4, S_IFREG | 0640), &_root_rs, W,
	  B(DAC_OVERRIDE) },
	{ "root without caps", INO(33, 4, S_IFREG | 0640), &_root_nocap, W, FAIL },
	{ "root reads its own 0600", INO(0, 0, S_IFREG | 0600), &_root, R | W, 0 },
	{ "root reads world-readable", INO(33, 33, S_IFREG | 0644), &_root, R, 0 },
	{ "owner bits win over other", INO(0, 0, S_IFREG | 0007), &_root, R, B(DAC_OVERRIDE) },
	{ "www-data in adm reads 0640", INO(0, 4, S_IFREG | 0640), &_www, R, 0 },
	{ "www-data in adm cannot write 0640", INO(0, 4, S_IFREG | 0640), &_www, W, FAIL },
	{ "exec without any x bit fails for root", INO(0, 0, S_IFREG | 0644), &_root, X, FAIL },
	{ "exec of another's 0700", INO(33, 33, S_IFREG | 0700), &_root, X, B(DAC_OVERRIDE) },
	{ "search a 0700 dir of another", INO(33, 33, S_IFDIR | 0700), &_root, X, B(DAC_OVERRIDE) },
	{ "search it holding READ_SEARCH", INO(33, 33, S_IFDIR | 0700), &_root_rs, X,
	  B(DAC_READ_SEARCH) },
	{ "create in it holding READ_SEARCH", INO(33, 33, S_IFDIR | 0700), &_root_rs, W | X,
	  B(DAC_OVERRIDE) },
	{ "search a 0755 dir", INO(33, 33, S_IFDIR | 0755), &_root, X, 0 },
	{ "ACL: named user 1000 masked to r", INO_ACL(0, 0, S_IFREG | 0640, _acl_masked), &_root, R,
	  0 },
	{ "ACL: root (owner) writes", INO_ACL(0, 0, S_IFREG | 0640, _acl_masked), &_root, W, 0 },
	{ "ACL: named www-data writes", INO_ACL(0, 0, S_IFREG | 0660, _acl_www), &_www, W, 0 },
	{ "ACL: www-data not named", INO_ACL(0, 0, S_IFREG | 0640, _acl_masked), &_www, R, FAIL },
};

START_TEST(test_permission)
{
	for (size_t i = 0; i < sizeof(_perm) / sizeof(_perm[0]); i++) {
		uint64_t got = capneed_permission(&_perm[i].ino, _perm[i].cr, _perm[i].mask);
		ck_assert_msg(got == _perm[i].want, "%s: got 0x%llx want 0x%llx", _perm[i].what,
			      (unsigned long long)got, (unsigned long long)_perm[i].want);
	}
}
END_TEST

START_TEST(test_attrs)
{
	struct capneed_inode mine = INO(0, 0, S_IFREG | 0644), theirs = INO(33, 33, S_IFREG | 0644);
	struct capneed_inode tmp = INO(1000, 0, S_IFDIR | 01777), dir = INO(0, 0, S_IFDIR | 0755);

	ck_assert_uint_eq(capneed_owner(&mine, &_root), 0);
	ck_assert_uint_eq(capneed_owner(&theirs, &_root), B(FOWNER));
	ck_assert_uint_eq(capneed_owner(&theirs, &_www), 0);
	ck_assert_uint_eq(capneed_owner(&mine, &_www), FAIL);
	ck_assert_uint_eq(capneed_chmod(&theirs, &_root, 0755), B(FOWNER));
	ck_assert_uint_eq(capneed_chmod(&theirs, &_root, 02755), B(FOWNER) | B(FSETID));
	ck_assert_uint_eq(capneed_chmod(&mine, &_root, 02755), 0);
	ck_assert_uint_eq(capneed_chown(&mine, &_root, 33, -1), B(CHOWN));
	ck_assert_uint_eq(capneed_chown(&mine, &_root, 0, 0), 0);
	ck_assert_uint_eq(capneed_chown(&mine, &_root, -1, -1), 0);
	ck_assert_uint_eq(capneed_chown(&theirs, &_www, -1, 4), 0); /* chgrp to a group of mine */
	ck_assert_uint_eq(capneed_chown(&theirs, &_www, -1, 5), FAIL);	     /* not in group 5 */
	ck_assert_uint_eq(capneed_chown(&theirs, &_root, -1, 33), B(CHOWN)); /* not the owner */
	ck_assert_uint_eq(capneed_delete(&tmp, &theirs, &_root), B(FOWNER));
	ck_assert_uint_eq(capneed_delete(&tmp, &theirs, &_www), 0);
	ck_assert_uint_eq(capneed_delete(&dir, &theirs, &_root), 0);
	ck_assert_uint_eq(capneed_delete(&dir, &mine, &_www), FAIL);
}
END_TEST

START_TEST(test_setid)
{
	uint64_t www[6] = { 33, 33, 33 }, keep[6] = { -1u, 33, -1u }, zero[6] = { 0 };

	ck_assert_uint_eq(capneed_setid("setuid", www, &_root), B(SETUID));
	ck_assert_uint_eq(capneed_setid("setuid32", zero, &_root), 0);
	ck_assert_uint_eq(capneed_setid("setgid", www, &_root), B(SETGID));
	ck_assert_uint_eq(capneed_setid("setgroups", zero, &_root), B(SETGID));
	ck_assert_uint_eq(capneed_setid("setgroups", zero, &_www), FAIL);
	ck_assert_uint_eq(capneed_setid("setresuid", keep, &_www), 0);
	ck_assert_uint_eq(capneed_setid("setresuid", zero, &_www), FAIL);
	ck_assert_uint_eq(capneed_setid("setreuid", zero, &_root), 0);
	ck_assert_uint_eq(capneed_setid("setfsuid", www, &_root), B(SETUID));
	ck_assert_uint_eq(capneed_setid("setfsgid", zero, &_root), 0);
	ck_assert_uint_eq(capneed_setid("getuid", zero, &_root), 0);
}
END_TEST

START_TEST(test_other)
{
	/* kill */
	ck_assert_uint_eq(capneed_kill(&_www, &_root), B(KILL));
	ck_assert_uint_eq(capneed_kill(&_root, &_root), 0);
	ck_assert_uint_eq(capneed_kill(&_www, &_www), 0);
	ck_assert_uint_eq(capneed_kill(&_root, &_www), FAIL);
	/* bind */
	ck_assert_uint_eq(capneed_bind(80, 1024, &_root), B(NET_BIND_SERVICE));
	ck_assert_uint_eq(capneed_bind(80, 0, &_root), 0);
	ck_assert_uint_eq(capneed_bind(8080, 1024, &_root), 0);
	ck_assert_uint_eq(capneed_bind(0, 1024, &_root), 0);
	ck_assert_uint_eq(capneed_bind(80, 1024, &_www), FAIL);
	/* setrlimit, mlock, nice: the caps docker does not give */
	struct capneed_creds all = { .cap_eff = ~0ull >> 1 };
	ck_assert_uint_eq(capneed_rlimit(2048, 1024, &all), B(SYS_RESOURCE));
	ck_assert_uint_eq(capneed_rlimit(1024, 1024, &all), 0);
	ck_assert_uint_eq(capneed_rlimit(2048, 1024, &_root), FAIL);
	ck_assert_uint_eq(capneed_mlock(8192, 0, 65536, &all), 0);
	ck_assert_uint_eq(capneed_mlock(1 << 20, 0, 65536, &all), B(IPC_LOCK));
	ck_assert_uint_eq(capneed_mlock(4096, 0, 0, &all), B(IPC_LOCK));
	ck_assert_uint_eq(capneed_mlock(1 << 20, 0, UINT64_MAX, &all), 0);
	ck_assert_uint_eq(capneed_nice(-5, 0, 0, &all), B(SYS_NICE));
	ck_assert_uint_eq(capneed_nice(-5, 0, 25, &all), 0);
	ck_assert_uint_eq(capneed_nice(5, 0, 0, &all), 0);
	ck_assert_uint_eq(capneed_nice(-5, 0, 0, &_root), FAIL);
}
END_TEST

START_TEST(test_acl_parse)
{
	/* user::rw- group::r-- other::r-- as the xattr stores it */
	static const unsigned char x[] = { 2,	 0,    0, 0, 1,	   0,	 6,    0,    0xff, 0xff,
					   0xff, 0xff, 4, 0, 4,	   0,	 0xff, 0xff, 0xff, 0xff,
					   0x20, 0,    4, 0, 0xff, 0xff, 0xff, 0xff };
	struct capneed_acl_entry e[4];

	ck_assert_int_eq(capneed_acl_parse(x, sizeof(x), e, 4), 3);
	ck_assert_uint_eq(e[0].tag, CAPNEED_ACL_USER_OBJ);
	ck_assert_uint_eq(e[0].perm, 6);
	ck_assert_uint_eq(e[2].tag, CAPNEED_ACL_OTHER);
	ck_assert_int_eq(capneed_acl_parse(x, sizeof(x) - 1, e, 4), -EINVAL);
	ck_assert_int_eq(capneed_acl_parse(x, sizeof(x), e, 2), -EINVAL);
	ck_assert_int_eq(capneed_acl_parse("\1\0\0\0", 4, e, 4), -EINVAL);
	ck_assert_str_eq(capneed_name(CAP_DAC_OVERRIDE), "CAP_DAC_OVERRIDE");
	ck_assert_ptr_null(capneed_name(CAP_MKNOD));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("capneed");
	TCase *tc = tcase_create("capneed");
	tcase_add_test(tc, test_permission);
	tcase_add_test(tc, test_attrs);
	tcase_add_test(tc, test_setid);
	tcase_add_test(tc, test_other);
	tcase_add_test(tc, test_acl_parse);
	suite_add_tcase(s, tc);
	return test_run(s);
}
