#!/usr/bin/env bats
# hardrun on crun: the node config's "runtime" is crun instead of runc.
# Passthrough cases run through crun and through hardrun-on-crun and are
# compared (run_both's "runc" side is crun here); hardened cases check the
# seccomp filter, capabilities, no_new_privs and the monitor (both mechanisms)
# with crun starting the processes.  On a cgroup v1/v2 hybrid that crun
# refuses, the suite binds the v2 controllers to v1 while it runs
# (crun_cgroups_bind) and puts them back at the end.

load helpers
load monitor/helpers
load learn_workload

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	requires_hardrun
	CRUN="$(command -v crun)" || skip "crun is not installed"
	export CRUN
	local why
	if ! why="$(crun_cgroups_bind "$BATS_FILE_TMPDIR/cgroup-v1" 2>&1 >"$BATS_FILE_TMPDIR/v1-mounts")"; then
		# shellcheck disable=SC2046
		crun_cgroups_unbind $(cat "$BATS_FILE_TMPDIR/v1-mounts")
		skip "$why"
	fi
	export HRTRIG="$BATS_FILE_TMPDIR/hrtrig"
	gcc -static -O2 -w -o "$HRTRIG" "$INTEGRATION_DIR/monitor/hrtrig.c"
}

teardown_file() {
	[ -f "$BATS_FILE_TMPDIR/v1-mounts" ] || return 0
	# shellcheck disable=SC2046
	crun_cgroups_unbind $(cat "$BATS_FILE_TMPDIR/v1-mounts")
}

setup() {
	# the reference runtime of run_both, and the node config's runtime
	RUNC="$CRUN"
	common_setup
	B="$BATS_TEST_TMPDIR/bundle"
	# sun_path is 108 bytes: the state dir must be short
	STATE="$(mktemp -d /tmp/hr.XXXXXX)"
	PROFILES="$BATS_TEST_TMPDIR/profiles"
	mkdir -p "$PROFILES"
	ROOT="$(rt_dir hardrun)/root"
}

teardown() {
	monitor_teardown
}

# crun_config [MECHANISM]: monitor_config (crun is the runtime) with the
# monitor mechanism MECHANISM (default notify) and profile t
crun_config() {
	monitor_config
	pod_netns_setup
	node_config "$(jq -c --arg m "${1:-notify}" '. + {monitorMechanism: $m}' "$HARDRUN_CONFIG")"
	profile t
}

@test "crun: passthrough run gives crun's stdout, stderr and exit status" {
	make_bundle "$B" sh -c 'echo out; echo err >&2; exit 3'
	run_both run --bundle "$B" @ID@
	[ "$status_runc" = 3 ]
	[ "$output_runc" = out ]
	[ "$err_runc" = err ]
}

@test "crun: passthrough create/start/state/exec/kill/delete" {
	make_bundle "$B" sh -c 'trap "exit 0" TERM; while :; do sleep 0.05; done'
	local sum
	sum="$(bundle_sum "$B")"
	run_both create --bundle "$B" @ID@
	[ "$status_runc" = 0 ]
	run_both start @ID@
	[ "$status_runc" = 0 ]
	same_state
	[ "$(state_of runc)" = running ]

	run_both exec @ID@ sh -c 'echo "a:$0:$1"; echo e >&2; exit 5' x y
	[ "$status_runc" = 5 ]
	[ "$output_runc" = a:x:y ]

	run_both kill @ID@ TERM
	on_both wait_status stopped
	run_both delete @ID@
	[ "$status_runc" = 0 ]
	run_both state @ID@
	[ "$status_runc" != 0 ]
	# defaultMode off: the bundle is untouched
	[ "$(bundle_sum "$B")" = "$sum" ]
}

@test "crun: baseline hardening (capabilities, Seccomp 2, NoNewPrivs 1); escapes fail, the workload works" {
	crun_config
	local script='grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status
		unshare -U true; echo "unshare=$?"
		mkdir -p /mnt; mount -t tmpfs none /mnt 2>/dev/null; echo "mount=$?"
		echo work >/tmp/w && cat /tmp/w'
	# CAP_SYS_ADMIN in the bundle: the control can mount, baseline takes it away
	local b
	for b in ctl bl; do
		bundle "$b" "$script" enforce baseline
		bundle_edit "$BATS_TEST_TMPDIR/b/$b" \
			'.process.capabilities |= map_values(. + ["CAP_SYS_ADMIN"])'
	done
	hrun bl
	echo "$output"
	[ "$status" = 0 ]
	[ "$(status_field CapEff <<<"$output")" = 0000000000000420 ] # KILL, NET_BIND_SERVICE
	[ "$(status_field CapBnd <<<"$output")" = 0000000000000420 ]
	[ "$(status_field Seccomp <<<"$output")" = 2 ]
	[ "$(status_field NoNewPrivs <<<"$output")" = 1 ]
	[[ "$output" == *unshare=1* ]]
	[[ "$output" == *mount=1* ]]
	[[ "$output" == *work* ]]
	# the control: plain crun on the same bundle, without hardrun, lets both through
	"$CRUN" --root "$BATS_TEST_TMPDIR/crun-root" run --bundle "$BATS_TEST_TMPDIR/b/ctl" ctl \
		</dev/null >"$BATS_TEST_TMPDIR/ctl.out" 2>&1 || true
	cat "$BATS_TEST_TMPDIR/ctl.out"
	grep -q 'unshare=0' "$BATS_TEST_TMPDIR/ctl.out"
	grep -q 'mount=0' "$BATS_TEST_TMPDIR/ctl.out"
}

@test "crun: each monitor rule fires exactly one event (notify)" {
	crun_config
	each_rule_fires_once
	[ -z "$(monitor_pids)" ]
}

@test "crun: exec sessions are monitored; deny continues; kill ends the container" {
	crun_config
	bundle ex 'sleep 30'
	rund ex
	jq -e '.mechanism == "notify"' "$(mon_dir ex)/monitor.json"
	# crun connects for the exec with pid 0 and bundle "."
	run hr exec ex /bin/sh -c 'echo in-exec; unshare -U true; echo "rc=$?"'
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == *in-exec* ]]
	[[ "$output" == *rc=1* ]]
	hr kill ex KILL
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired | sort | tr '\n' ' ')" = "namespace_escape terminal_shell " ]
	jq -se 'all(.[]; .output_fields["hardrun.session"] == 1 and .output_fields["container.id"] == "ex")' \
		"$EVENTS"
	hr delete ex
	[ -z "$(container_dirs)" ]

	rm -f "$EVENTS"
	deny_continues
	profile k '{"namespace_escape":"kill"}'
	kill_ends_container
	[ -z "$(monitor_pids)" ]
}

@test "crun: monitorMechanism auto follows crun's features (ptrace without SCMP_ACT_NOTIFY)" {
	crun_config auto
	local want=ptrace features
	# crun 1.8 has no `features` command
	if features="$("$CRUN" features 2>/dev/null)" &&
		jq -e '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY")' <<<"$features" >/dev/null; then
		want=notify
	fi
	bundle au 'sleep 30'
	rund au
	jq -e --arg w "$want" '.mechanism == $w' "$(mon_dir au)/monitor.json"
	jq -e --arg w "$want" '(.notify == ($w == "notify")) and (.key | test("crun"))' \
		"$STATE/runtime-features.json"
	run hr exec au /bin/sh -c 'unshare -U true; echo "rc=$?"'
	echo "$output"
	[[ "$output" == *rc=1* ]]
	hr kill au KILL
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired | grep -c namespace_escape)" = 1 ]
	hr delete au
	[ -z "$(container_dirs)" ]
}

# workload_passes ID MODE PROFILE: the learning suites' workload runs to its
# end in a container of its own, and its monitor is gone after it
workload_passes() {
	bundle "$1" "$WORKLOAD" "$2" "$3"
	hrun "$1"
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == *workload-ok* ]]
	wait_monitors_gone
}

@test "crun: learn, generate, enforce with zero events; a deviation is reported" {
	crun_config
	local rec
	workload_passes ln learn baseline
	rec="$(jq -r .recordingsDir "$HARDRUN_CONFIG")/baseline/ln.json"
	jq -e '.main.syscalls.x86_64.execve' "$rec"
	"$HARDRUN" profile generate web --from "$rec" -o "$PROFILES/web.json"
	rm -f "$EVENTS"
	workload_passes en enforce web
	cat "$EVENTS" 2>/dev/null || true
	[ ! -s "$EVENTS" ]
	bundle dv 'unshare -U true; echo "rc=$?"' enforce web
	hrun dv
	echo "$output"
	[[ "$output" == *rc=1* ]]
	wait_monitors_gone
	jq -c '.output_fields | [.["hardrun.rule_id"], .["evt.type"], .["proc.name"]]' "$EVENTS"
	rules_fired | grep -qx namespace_escape
	rules_fired | grep -qx profile_deviation
}
