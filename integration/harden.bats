#!/usr/bin/env bats
# Hardening as the kernel sees it (issue 3): containers run through real runc
# via $HARDRUN (and, for the key cases, through containerd: `ctr run
# --runc-binary $HARDRUN --annotation profile.hardrun.io/POD=...`), and the
# tests read /proc/<pid>/status and try the operations a profile must stop.
# Every denial is checked against a control: the same bundle under plain runc
# (or hardrun with mode off), where the operation works.

load helpers

# What a generous bundle asks for: docker's default set plus the capabilities
# the escapes below need.
WIDE_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD",
"CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP",
"CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE",
"CAP_SYS_ADMIN","CAP_SYS_PTRACE"]'

# In-container script: the status fields, then one "name=exit-status" line per
# operation a profile must stop.
STATUS='grep -E "^(CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status'
ESCAPES='ping -c1 -W1 127.0.0.1 >/dev/null 2>&1; echo ping=$?
unshare -U true 2>/dev/null; echo unshare_user=$?
unshare -m true 2>/dev/null; echo unshare_mnt=$?
mkdir -p /hrm; mount -t tmpfs hr /hrm 2>/dev/null; echo mount=$?
chroot / true 2>/dev/null; echo chroot=$?
mknod /tmp/hr-null c 1 3 2>/dev/null; echo mknod=$?'

# The normal workload: files, pipes, subprocesses, loopback TCP with nc.
WORKLOAD='set -e
echo hello >/tmp/a
cat /tmp/a | tr a-z A-Z >/tmp/b
grep -q HELLO /tmp/b
(for i in 1 2 3; do sh -c "echo sub-\$i"; done) | wc -l | grep -q 3
ls / | wc -l >/dev/null
(nc -l -p 8080 >/tmp/got &)
sleep 0.3
echo over-tcp | nc 127.0.0.1 8080
sleep 0.3
grep -q over-tcp /tmp/got
echo workload-ok'

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	requires_hardrun
	PROBE="$(build_tool --static hrprobe)"
	export PROBE
	if containerd_available; then
		containerd_start
		# containerd's children read this file; the other tests keep
		# their own per-test node config
		export CTRD_NODE_CONFIG="$NODE_CONFIG_FILE"
		unset NODE_CONFIG_FILE
	fi
}

teardown_file() {
	containerd_stop
}

setup() {
	common_setup
	node_config '{"defaultMode":"enforce","defaultProfile":"baseline"}'
	STATE_DIR="$(jq -r .stateDir "$HARDRUN_CONFIG")"
	CID="$(new_id ctr)"
}

teardown() {
	[ -z "${CT_SOCK:-}" ] || ctrd_remove "$CID"
	common_teardown
}

# ------------------------------------------------------------------ helpers --

# hbundle DIR [make_bundle args]: a bundle with hrprobe in /bin, the wide
# capability set and noNewPrivileges false (so that every restriction seen
# inside comes from the hardening).
hbundle() {
	local dir="${*: -1}"
	make_bundle "$@"
	cp "$PROBE" "$dir/rootfs/bin/hrprobe"
	bundle_edit "$dir" '.process.noNewPrivileges = false
		| .process.capabilities = {bounding: $c, effective: $c, permitted: $c, ambient: []}' \
		--argjson c "$WIDE_CAPS"
}

# hbundle_sh DIR SCRIPT [make_bundle options]: hbundle running sh -c SCRIPT.
hbundle_sh() {
	local dir="$1" script="$2"
	shift 2
	hbundle "$@" "$dir"
	bundle_edit "$dir" '.process.args = ["sh", "-c", $s]' --arg s "$script"
}

# run_in RUNTIME BUNDLE: `run` BUNDLE to completion under RUNTIME (runc or
# hardrun) with a fresh id; output in $output, status in $status.  The bundle's
# config.json is restored afterwards, so one bundle serves several runs.
run_in() {
	local rtname="$1" b="$2"
	cp "$b/config.json" "$b/config.json.orig"
	run rt "$rtname" --log "$BATS_TEST_TMPDIR/$rtname.log" run --bundle "$b" "$(new_id "$rtname")" </dev/null
	cp "$b/config.json.orig" "$b/config.json"
	echo "--- $rtname (status $status):"
	echo "$output"
}

# field NAME: the status field NAME from $output (lines "Name:\tvalue").
field() {
	status_field "$1" <<<"$output"
}

# val NAME: the value of a "NAME=value" line in $output.
val() {
	sed -n "s/^$1=//p" <<<"$output" | head -n 1
}

# and_mask A B: bitwise and of two hex masks, as /proc prints them.
and_mask() {
	printf '%016x\n' $((0x$1 & 0x$2))
}

# profile_mask NAME: the mask of profile NAME's capabilities.
profile_mask() {
	# shellcheck disable=SC2046
	cap_mask $(jq -r '.capabilities[]' "$REPO_DIR/profiles/$1.json")
}

# bundle_mask DIR SET: the mask of the capability set SET in DIR/config.json.
bundle_mask() {
	# shellcheck disable=SC2046
	cap_mask $(jq -r ".process.capabilities.$2[]" "$1/config.json")
}

# monitor_pids: pids of `hardrun monitor` processes of this test's node
# config (their --state argument is under its stateDir).
monitor_pids() {
	local p
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "monitor --state $STATE_DIR/" &&
			echo "${p#/proc/}"
	done
	return 0
}

# assert_escapes_fail: every ESCAPES line in $output reports failure.
assert_escapes_fail() {
	local k
	for k in ping unshare_user unshare_mnt mount chroot mknod; do
		[ -n "$(val $k)" ] || { echo "no $k result"; return 1; }
		[ "$(val $k)" != 0 ] || { echo "$k succeeded"; return 1; }
	done
}

# assert_escapes_work: the control: every ESCAPES line reports success.
assert_escapes_work() {
	local k
	for k in ping unshare_user unshare_mnt mount chroot mknod; do
		[ "$(val $k)" = 0 ] || { echo "control: $k=$(val $k)"; return 1; }
	done
}

requires_ctrd() {
	[ -n "${CT_SOCK:-}" ] || skip "containerd is not installed"
	NODE_CONFIG_FILE="$CTRD_NODE_CONFIG" node_config "${1-}"
	STATE_DIR="$(jq -r .stateDir "$HARDRUN_CONFIG")"
}

# ctr_sh ARGS... -- SCRIPT: `ctr run --rm` the busybox image through
# $HARDRUN with ARGS (annotations, --cap-add ...) and hrprobe bind-mounted.
ctr_sh() {
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	run ctrd run --rm $(ctrd_run_opts) "${opts[@]}" \
		--mount "type=bind,src=$PROBE,dst=/bin/hrprobe,options=rbind:ro" \
		"$IMAGE_NAME" "$CID" sh -c "$2" </dev/null
	echo "--- ctr (status $status):"
	echo "$output"
	ctrd_remove "$CID"
}

# ----------------------------------------------------------------- baseline --

@test "baseline: CapEff is the profile's capabilities ∩ the bundle's; Seccomp 2; NoNewPrivs 1" {
	local b="$BATS_TEST_TMPDIR/b" want
	# runc spec's own set (AUDIT_WRITE KILL NET_BIND_SERVICE) and the wide one
	make_bundle --annotation profile.hardrun.io/POD=baseline "$b" sh -c "$STATUS"
	bundle_edit "$b" '.process.noNewPrivileges = false'
	want="$(and_mask "$(profile_mask baseline)" "$(bundle_mask "$b" effective)")"
	[ "$want" = 0000000000000420 ] # KILL, NET_BIND_SERVICE

	run_in runc "$b"
	[ "$status" = 0 ]
	[ "$(field CapEff)" = "$(bundle_mask "$b" effective)" ]
	[ "$(field Seccomp)" = 0 ]
	[ "$(field NoNewPrivs)" = 0 ]

	run_in hardrun "$b"
	[ "$status" = 0 ]
	[ "$(field CapEff)" = "$want" ]
	[ "$(field CapPrm)" = "$want" ]
	[ "$(field CapBnd)" = "$want" ]
	[ "$(field CapAmb)" = 0000000000000000 ]
	[ "$(field Seccomp)" = 2 ]
	[ "$(field NoNewPrivs)" = 1 ]

	local w="$BATS_TEST_TMPDIR/w"
	hbundle_sh "$w" "$STATUS" --annotation profile.hardrun.io/POD=baseline
	want="$(and_mask "$(profile_mask baseline)" "$(bundle_mask "$w" effective)")"
	[ "$want" = "$(profile_mask baseline)" ] # the wide set holds all of baseline
	run_in hardrun "$w"
	[ "$status" = 0 ]
	[ "$(field CapEff)" = "$want" ]
	[ "$(field CapBnd)" = "$want" ]
	[ "$(field Seccomp)" = 2 ]
	[ "$(field NoNewPrivs)" = 1 ]
}

@test "baseline: raw-socket ping, unshare -U/-m, mount, chroot, mknod fail (and work under runc)" {
	local b="$BATS_TEST_TMPDIR/b"
	hbundle_sh "$b" "$ESCAPES" --annotation profile.hardrun.io/POD=baseline
	run_in runc "$b"
	[ "$status" = 0 ]
	assert_escapes_work
	run_in hardrun "$b"
	[ "$status" = 0 ]
	assert_escapes_fail
	[ "$(val mount)" != "" ]
}

@test "baseline: a normal shell workload (files, pipes, subprocesses, loopback TCP) works" {
	local b="$BATS_TEST_TMPDIR/b"
	hbundle_sh "$b" "$STATUS; $WORKLOAD" --annotation profile.hardrun.io/POD=baseline
	run_in hardrun "$b"
	[ "$status" = 0 ]
	[ "$(field Seccomp)" = 2 ] # it did run hardened
	[ "${lines[-1]}" = workload-ok ]
}

@test "ctr: baseline: CapEff, Seccomp, NoNewPrivs; escapes fail, workload works" {
	requires_ctrd '{"defaultMode":"enforce","defaultProfile":"restricted"}'
	local ann=(--cap-add CAP_SYS_ADMIN --annotation profile.hardrun.io/POD=baseline)
	# control: the same container with mode off (allowed on this node) keeps the
	# bundle's capabilities (ctr's defaults + SYS_ADMIN) and can escape
	NODE_CONFIG_FILE="$CTRD_NODE_CONFIG" node_config \
		'{"defaultMode":"enforce","defaultProfile":"restricted","allowModeOff":true}'
	ctr_sh "${ann[@]}" --annotation mode.hardrun.io/POD=off -- "$STATUS; $ESCAPES"
	[ "$status" = 0 ]
	local bundle_caps="$(field CapEff)"
	[ $((0x$bundle_caps & 1 << 21)) != 0 ] # SYS_ADMIN
	[ "$(field Seccomp)" = 0 ]
	assert_escapes_work

	NODE_CONFIG_FILE="$CTRD_NODE_CONFIG" node_config \
		'{"defaultMode":"enforce","defaultProfile":"restricted"}'
	ctr_sh "${ann[@]}" -- "$STATUS; $ESCAPES; $WORKLOAD"
	[ "$status" = 0 ]
	[ "$(field CapEff)" = "$(and_mask "$(profile_mask baseline)" "$bundle_caps")" ]
	[ "$(field CapBnd)" = "$(and_mask "$(profile_mask baseline)" "$bundle_caps")" ]
	[ "$(field Seccomp)" = 2 ]
	[ "$(field NoNewPrivs)" = 1 ]
	assert_escapes_fail
	[ "${lines[-1]}" = workload-ok ]
}

# --------------------------------------------------------------- restricted --

@test "restricted: ptrace, keyctl, unshare -U/-m fail (and work under runc); CapEff 0" {
	local b="$BATS_TEST_TMPDIR/b"
	local script="$STATUS; hrprobe ptrace keyctl userns mntns
		unshare -U true 2>/dev/null; echo unshare_user=\$?
		unshare -m true 2>/dev/null; echo unshare_mnt=\$?"
	hbundle_sh "$b" "$script" --annotation profile.hardrun.io/POD=restricted
	run_in runc "$b"
	[ "$status" = 0 ]
	[ "$(field CapEff)" = "$(bundle_mask "$b" effective)" ]
	local k
	for k in ptrace keyctl userns mntns; do [ "$(val $k)" = ok ]; done
	for k in unshare_user unshare_mnt; do [ "$(val $k)" = 0 ]; done

	run_in hardrun "$b"
	[ "$status" = 0 ]
	[ "$(field CapEff)" = 0000000000000000 ]
	[ "$(field CapPrm)" = 0000000000000000 ]
	[ "$(field CapBnd)" = 0000000000000000 ]
	[ "$(field Seccomp)" = 2 ]
	[ "$(field NoNewPrivs)" = 1 ]
	for k in ptrace keyctl userns mntns; do
		[ -n "$(val $k)" ] && [ "$(val $k)" != ok ]
	done
	for k in unshare_user unshare_mnt; do
		[ -n "$(val $k)" ] && [ "$(val $k)" != 0 ]
	done
}

@test "ctr: restricted: ptrace, keyctl, unshare fail; CapEff 0" {
	requires_ctrd '{"defaultMode":"enforce","defaultProfile":"baseline"}'
	ctr_sh --cap-add CAP_SYS_ADMIN --cap-add CAP_SYS_PTRACE \
		--annotation profile.hardrun.io/POD=restricted -- \
		"$STATUS; hrprobe ptrace keyctl userns mntns; unshare -U true 2>/dev/null; echo unshare_user=\$?"
	[ "$(field CapEff)" = 0000000000000000 ]
	[ "$(field CapBnd)" = 0000000000000000 ]
	[ "$(field Seccomp)" = 2 ]
	[ "$(field NoNewPrivs)" = 1 ]
	local k
	for k in ptrace keyctl userns mntns; do
		[ -n "$(val $k)" ] && [ "$(val $k)" != ok ]
	done
	[ -n "$(val unshare_user)" ] && [ "$(val unshare_user)" != 0 ]
}
