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
sleep 0.05 # part of the workload (the retry below may need it): not a wait
i=0; until echo over-tcp | nc 127.0.0.1 8080; do i=$((i+1)); [ $i -lt 100 ]; sleep 0.05; done
i=0; until grep -q over-tcp /tmp/got; do i=$((i+1)); [ $i -lt 100 ]; sleep 0.05; done
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
# hardrun) with a fresh id; output in $output, status in $status.  Afterwards
# the bundle is as before (config.json restored, hardrun's stash of the
# bundle's own fields removed), so one bundle serves several runs and edits.
run_in() {
	local rtname="$1" b="$2"
	cp "$b/config.json" "$b/config.json.orig"
	run rt "$rtname" --log "$BATS_TEST_TMPDIR/$rtname.log" run --bundle "$b" "$(new_id "$rtname")" </dev/null
	mv "$b/config.json.orig" "$b/config.json"
	rm -f "$b/config.json.hardrun-orig"
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
	local f
	for f in $(grep -lsaF -- "$STATE_DIR/" /proc/[0-9]*/cmdline); do
		tr '\0' ' ' <"$f" 2>/dev/null | grep -q "monitor --state $STATE_DIR/" &&
			basename "$(dirname "$f")"
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
	local bundle_caps
	bundle_caps="$(field CapEff)"
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

# -------------------------------------------------------------------- exec --

# start_detached RUNTIME BUNDLE ID: `run -d`, wait until running; prints nothing.
start_detached() {
	rt "$1" --log "$BATS_TEST_TMPDIR/$1.log" run -d --bundle "$2" "$3" \
		</dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/$1.err" ||
		{ cat "$BATS_TEST_TMPDIR/$1.err" "$BATS_TEST_TMPDIR/$1.log"; return 1; }
	wait_for 10 sh -c "[ \"\$($(rt_bin "$1") --root $(rt_dir "$1")/root state $3 | jq -r .status)\" = running ]"
}

# init_status RUNTIME ID: /proc/<init pid>/status of container ID, read on the host.
init_status() {
	local pid
	pid="$(rt "$1" state "$2" | jq -r .pid)"
	cat "/proc/$pid/status"
}

# assert_same_as_init STATUS-TEXT: the fields in $output equal those in STATUS-TEXT.
assert_same_as_init() {
	local k
	for k in CapEff CapPrm CapBnd CapAmb NoNewPrivs Seccomp; do
		[ "$(field $k)" = "$(status_field $k <<<"$1")" ] ||
			{ echo "$k: exec $(field $k), init $(status_field $k <<<"$1")"; return 1; }
	done
}

@test "exec: runc exec --process asking for CAP_SYS_ADMIN gets the init process's CapEff, Seccomp, NoNewPrivs" {
	local profile b pf id init want sysadmin=$((1 << 21))
	for profile in baseline restricted; do
		b="$BATS_TEST_TMPDIR/b-$profile"
		make_bundle --annotation profile.hardrun.io/POD=$profile "$b" sleep 1000
		bundle_edit "$b" '.process.noNewPrivileges = false'
		# as containerd builds it: the container's (pre-hardening) process with
		# other args, here also asking for more
		pf="$BATS_TEST_TMPDIR/process-$profile.json"
		jq --arg s "$STATUS" '.process | .args = ["sh", "-c", $s]
			| .capabilities |= map_values(. + ["CAP_SYS_ADMIN"])
			| .noNewPrivileges = false' "$b/config.json" >"$pf"

		# control: plain runc grants the exec process what it asks for
		cp "$b/config.json" "$b/config.json.orig"
		id="$(new_id runc)"
		start_detached runc "$b" "$id"
		cp "$pf" "$pf.runc"
		run rt runc exec --process "$pf.runc" "$id" </dev/null
		echo "--- runc exec: $output"
		[ "$status" = 0 ]
		[ $((0x$(field CapEff) & sysadmin)) != 0 ]
		[ "$(field NoNewPrivs)" = 0 ]
		rt runc delete -f "$id"
		cp "$b/config.json.orig" "$b/config.json"

		want="$(and_mask "$(profile_mask $profile)" "$(bundle_mask "$b" effective)")"
		id="$(new_id hr)"
		start_detached hardrun "$b" "$id"
		init="$(init_status hardrun "$id")"
		[ "$(status_field Seccomp <<<"$init")" = 2 ]
		run rt hardrun exec --process "$pf" "$id" </dev/null
		echo "--- hardrun exec ($profile): $output"
		[ "$status" = 0 ]
		assert_same_as_init "$init"
		[ $((0x$(field CapEff) & sysadmin)) = 0 ]
		[ $((0x$(field CapBnd) & sysadmin)) = 0 ]
		[ "$(field CapEff)" = "$want" ]
		rt hardrun delete -f "$id"
	done
}

@test "ctr: ctr task exec gets the init process's CapEff, Seccomp, NoNewPrivs, not CAP_SYS_ADMIN" {
	requires_ctrd '{"defaultMode":"enforce","defaultProfile":"restricted","allowModeOff":true}'
	# control: unhardened, the exec process has the CAP_SYS_ADMIN it was given
	ctrd run -d $(ctrd_run_opts) --cap-add CAP_SYS_ADMIN \
		--annotation mode.hardrun.io/POD=off "$IMAGE_NAME" "$CID" sleep 1000 </dev/null
	run ctrd tasks exec --exec-id "c-$CID" "$CID" sh -c "$STATUS" </dev/null
	echo "--- ctr exec, mode off: $output"
	[ "$status" = 0 ]
	[ $((0x$(field CapEff) & 1 << 21)) != 0 ]
	ctrd_remove "$CID"

	ctrd run -d $(ctrd_run_opts) --cap-add CAP_SYS_ADMIN \
		--annotation profile.hardrun.io/POD=baseline "$IMAGE_NAME" "$CID" sleep 1000 </dev/null
	local pid init
	wait_for 10 sh -c "ctr -a '$CT_SOCK' -n '$CT_NS' tasks ls | grep -q '$CID.*RUNNING'"
	pid="$(ctrd tasks ls | awk -v id="$CID" '$1 == id { print $2 }')"
	init="$(cat "/proc/$pid/status")"
	echo "init: $(grep -E "^(Cap|NoNew|Seccomp)" <<<"$init")"
	[ "$(status_field Seccomp <<<"$init")" = 2 ]
	[ "$(status_field CapEff <<<"$init")" = "$(profile_mask baseline)" ]
	# the exec process comes from containerd's stored, unhardened spec
	run ctrd tasks exec --exec-id "e-$CID" "$CID" sh -c "$STATUS" </dev/null
	echo "--- ctr exec: $output"
	[ "$status" = 0 ]
	assert_same_as_init "$init"
	[ $((0x$(field CapEff) & 1 << 21)) = 0 ]
}

@test "exec: runc exec --cap CAP_SYS_ADMIN (no --process) is refused or does not add the capability" {
	local b="$BATS_TEST_TMPDIR/b" id init
	make_bundle --annotation profile.hardrun.io/POD=baseline "$b" sleep 1000
	# control: plain runc adds what --cap asks for
	cp "$b/config.json" "$b/config.json.orig"
	id="$(new_id runc)"
	start_detached runc "$b" "$id"
	run rt runc exec --cap CAP_SYS_ADMIN "$id" sh -c "$STATUS" </dev/null
	echo "runc: $output"
	[ "$status" = 0 ]
	[ $((0x$(field CapEff) & 1 << 21)) != 0 ]
	rt runc delete -f "$id"
	mv "$b/config.json.orig" "$b/config.json"

	id="$(new_id hr)"
	start_detached hardrun "$b" "$id"
	init="$(init_status hardrun "$id")"
	run rt hardrun --log "$BATS_TEST_TMPDIR/exec.log" exec --cap CAP_SYS_ADMIN "$id" sh -c "$STATUS" </dev/null
	echo "hardrun: $output"
	if [ "$status" = 0 ]; then
		assert_same_as_init "$init"
	else
		grep -q CAP_SYS_ADMIN "$BATS_TEST_TMPDIR/exec.log"
	fi
	# a capability the container already has is no escalation
	run rt hardrun exec --cap CAP_KILL "$id" sh -c "$STATUS" </dev/null
	echo "hardrun --cap CAP_KILL: $output"
	[ "$status" = 0 ]
	assert_same_as_init "$init"
	rt hardrun delete -f "$id"
}

# ------------------------------------------------ the bundle's own settings --

@test "stricter bundle: fewer capabilities than the profile keep the smaller set" {
	local b="$BATS_TEST_TMPDIR/b" small
	make_bundle --annotation profile.hardrun.io/POD=baseline "$b" sh -c "$STATUS"
	bundle_edit "$b" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c, ambient: []}' \
		--argjson c '["CAP_KILL","CAP_CHOWN"]'
	small="$(cap_mask CAP_KILL CAP_CHOWN)"
	[ "$(and_mask "$small" "$(profile_mask baseline)")" = "$small" ] # a subset of baseline
	run_in hardrun "$b"
	[ "$status" = 0 ]
	[ "$(field CapEff)" = "$small" ]
	[ "$(field CapPrm)" = "$small" ]
	[ "$(field CapBnd)" = "$small" ]
	[ "$(field Seccomp)" = 2 ]
}

@test "stricter bundle: its own seccomp filter still denies what baseline allows" {
	local b="$BATS_TEST_TMPDIR/b" arches
	arches="$(jq -c .seccomp.architectures "$REPO_DIR/profiles/baseline.json")"
	hbundle_sh "$b" "$STATUS; hrprobe mkdir userns" --annotation profile.hardrun.io/POD=baseline
	# control: baseline alone allows mkdir (and denies userns)
	run_in hardrun "$b"
	[ "$(field Seccomp)" = 2 ]
	[ "$(val mkdir)" = ok ]
	[ -n "$(val userns)" ] && [ "$(val userns)" != ok ]

	bundle_edit "$b" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: $a,
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13}]}' \
		--argjson a "$arches"
	run_in runc "$b"
	[ "$(val mkdir)" = EACCES ]
	[ "$(val userns)" = ok ]
	run_in hardrun "$b"
	[ "$(field Seccomp)" = 2 ]
	[ -n "$(val mkdir)" ] && [ "$(val mkdir)" != ok ] # the bundle's denial survives
	[ -n "$(val userns)" ] && [ "$(val userns)" != ok ] # and baseline's too
}

# The filter keeps the 32-bit ABIs wherever the kernel runs them, so 32-bit
# programs work hardened as under runc; an ABI the kernel lacks (here: x32,
# and ia32 where int $0x80 is refused) leaves the filter, and a call of it
# still fails.
@test "compat ABIs: kept where the kernel runs them, dropped where it does not" {
	local b="$BATS_TEST_TMPDIR/b" id abi arches
	hbundle_sh "$b" "$STATUS; hrprobe ia32 x32; true" --annotation profile.hardrun.io/POD=baseline
	run_in runc "$b"
	local -A under_runc=([ia32]="$(val ia32)" [x32]="$(val x32)")
	[ -n "${under_runc[ia32]}" ] && [ -n "${under_runc[x32]}" ]
	run_in hardrun "$b"
	[ "$(field Seccomp)" = 2 ]
	id="$(new_id abi)"
	cp "$b/config.json" "$b/config.json.orig"
	rt hardrun create --bundle "$b" "$id" </dev/null
	arches="$(jq -c .linux.seccomp.architectures "$b/config.json")"
	rt hardrun delete -f "$id"
	mv "$b/config.json.orig" "$b/config.json"
	echo "runc: ia32=${under_runc[ia32]} x32=${under_runc[x32]}; hardened: $arches"
	for abi in ia32:SCMP_ARCH_X86 x32:SCMP_ARCH_X32; do
		local name="${abi%%:*}" scmp="${abi#*:}" ours
		ours="$(val "$name")"
		if [ "${under_runc[$name]}" = ok ]; then
			[ "$ours" = ok ] # works under runc: works hardened
			jq -e --arg a "$scmp" 'index($a) != null' <<<"$arches"
		else
			[ -n "$ours" ] && [ "$ours" != ok ] # still refused
			jq -e --arg a "$scmp" 'index($a) == null' <<<"$arches"
		fi
	done
	jq -e 'index("SCMP_ARCH_X86_64") != null' <<<"$arches"
}

# ---------------------------------------------------------- bad annotations --

# expect_rejected NEEDLE BUNDLE: `hardrun create` of BUNDLE fails with an error
# line naming NEEDLE in the --log file; config.json is byte-identical, and no
# monitor, state dir or runc container is left behind.
expect_rejected() {
	local needle="$1" b="$2" log="$BATS_TEST_TMPDIR/create.log" sum id files
	sum="$(sha256sum <"$b/config.json")"
	files="$(bundle_sum "$b")" # config.json and the bundle's file list
	: >"$log"
	id="$(new_id bad)"
	run rt hardrun --log "$log" create --bundle "$b" "$id" </dev/null
	echo "status $status: $output"
	[ "$status" != 0 ]
	assert_log_error_line "$log" 0
	tail -n 1 "$log" | jq -r .msg | grep -qF -- "$needle"
	[ "$(sha256sum <"$b/config.json")" = "$sum" ]
	[ "$(bundle_sum "$b")" = "$files" ]
	[ -z "$(monitor_pids)" ]
	[ -z "$(find "$STATE_DIR" -mindepth 1 2>/dev/null)" ]
	[ -z "$("$RUNC" --root "$(rt_dir hardrun)/root" list -q 2>/dev/null)" ]
	! "$RUNC" --root "$(rt_dir hardrun)/root" state "$id" >/dev/null 2>&1
}

@test "bad annotation: unknown profile fails the create, nothing left behind" {
	make_bundle --annotation profile.hardrun.io/POD=nosuchprofile "$BATS_TEST_TMPDIR/b" sleep 100
	expect_rejected profile.hardrun.io/POD "$BATS_TEST_TMPDIR/b"
}

@test "bad annotation: a path as profile name (../x, ../profiles/baseline) fails the create" {
	make_bundle --annotation profile.hardrun.io/POD=../x "$BATS_TEST_TMPDIR/b" sleep 100
	expect_rejected profile.hardrun.io/POD "$BATS_TEST_TMPDIR/b"
	# a path that does lead to a real profile file
	local p
	p="../$(basename "$REPO_DIR/profiles")/baseline"
	make_bundle --annotation profile.hardrun.io/POD="$p" "$BATS_TEST_TMPDIR/c" sleep 100
	expect_rejected profile.hardrun.io/POD "$BATS_TEST_TMPDIR/c"
	# and through the per-container key
	make_bundle --annotation io.kubernetes.cri.container-name=app \
		--annotation profile.hardrun.io/app=/etc/passwd "$BATS_TEST_TMPDIR/d" sleep 100
	expect_rejected profile.hardrun.io/app "$BATS_TEST_TMPDIR/d"
}

@test "bad annotation: mode off where the node does not allow it fails the create" {
	make_bundle --annotation mode.hardrun.io/POD=off "$BATS_TEST_TMPDIR/b" sleep 100
	expect_rejected mode.hardrun.io/POD "$BATS_TEST_TMPDIR/b"
	make_bundle --annotation mode.hardrun.io/POD=permissive "$BATS_TEST_TMPDIR/c" sleep 100
	expect_rejected mode.hardrun.io/POD "$BATS_TEST_TMPDIR/c"
}

@test "bad annotation: a duplicate key fails the create" {
	local b="$BATS_TEST_TMPDIR/b"
	make_bundle --annotation profile.hardrun.io/POD=restricted "$b" sleep 100
	sed -i 's#"profile.hardrun.io/POD": "restricted"#"profile.hardrun.io/POD": "baseline", &#' \
		"$b/config.json"
	[ "$(grep -c 'profile.hardrun.io/POD' "$b/config.json")" = 1 ]
	grep -q '"baseline", "profile.hardrun.io/POD": "restricted"' "$b/config.json"
	expect_rejected profile.hardrun.io/POD "$b"
}

# ------------------------------------------------------- off and sandboxes --

@test "defaultMode off, no annotations: config.json byte-identical, nothing hardened, no monitor" {
	node_config '{"defaultMode":"off"}'
	local b="$BATS_TEST_TMPDIR/b" sum id st
	make_bundle "$b" sleep 1000
	sum="$(sha256sum <"$b/config.json")"
	id="$(new_id off)"
	start_detached hardrun "$b" "$id"
	[ "$(sha256sum <"$b/config.json")" = "$sum" ]
	st="$(init_status hardrun "$id")"
	[ "$(status_field Seccomp <<<"$st")" = 0 ]
	[ "$(status_field CapEff <<<"$st")" = "$(bundle_mask "$b" effective)" ]
	[ -z "$(monitor_pids)" ]
	[ -z "$(find "$STATE_DIR" -mindepth 1 2>/dev/null)" ]
	rt hardrun delete -f "$id"
	[ "$(sha256sum <"$b/config.json")" = "$sum" ]
}

@test "sandbox container: baseline (even with defaultProfile restricted), no monitor" {
	node_config '{"defaultMode":"enforce","defaultProfile":"restricted"}'
	local s="$BATS_TEST_TMPDIR/s" c="$BATS_TEST_TMPDIR/c" sid cid st
	hbundle_sh "$s" 'exec sleep 1000' --annotation io.kubernetes.cri.container-type=sandbox
	hbundle_sh "$c" 'exec sleep 1000' --annotation io.kubernetes.cri.container-type=container

	# control: an ordinary container on this node gets restricted and a monitor
	cid="$(new_id ct)"
	start_detached hardrun "$c" "$cid"
	[ "$(status_field CapEff <<<"$(init_status hardrun "$cid")")" = 0000000000000000 ]
	[ -n "$(monitor_pids)" ]
	rt hardrun delete -f "$cid"
	wait_for 10 sh -c "! grep -qs 'monitor --state $STATE_DIR/' /proc/[0-9]*/cmdline" || true

	sid="$(new_id sb)"
	start_detached hardrun "$s" "$sid"
	st="$(init_status hardrun "$sid")"
	echo "$st" | grep -E '^(Cap|NoNew|Seccomp)'
	[ "$(status_field CapEff <<<"$st")" = "$(profile_mask baseline)" ]
	[ "$(status_field Seccomp <<<"$st")" = 2 ]
	[ "$(status_field NoNewPrivs <<<"$st")" = 1 ]
	local pids
	pids="$(monitor_pids)"
	echo "monitors: $pids"
	[ -z "$pids" ]
	rt hardrun delete -f "$sid"
}
