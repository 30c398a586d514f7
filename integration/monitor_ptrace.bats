#!/usr/bin/env bats
# The monitor's ptrace mechanism (PTRACE_SEIZE + SCMP_ACT_TRACE), through the
# real binary against real runc, in its two ways of being chosen:
#   profile  the profile says "monitor": {"mechanism": "ptrace"}, node config auto
#   wrapper  node config auto, the runtime is a wrapper of runc whose `features`
#            lacks SCMP_ACT_NOTIFY (every other command execs the real runc)
# and once through containerd (`ctr run --runc-binary`).

load helpers
load monitor/helpers

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	requires_hardrun
	export HRTRIG="$BATS_FILE_TMPDIR/hrtrig"
	gcc -static -O2 -w -o "$HRTRIG" "$INTEGRATION_DIR/monitor/hrtrig.c"
	export WRAPPER="$BATS_FILE_TMPDIR/runc-no-notify"
	cat >"$WRAPPER" <<-EOF
		#!/bin/sh
		if [ "\$1" = features ]; then
			"$RUNC" features | jq '.linux.seccomp.actions -= ["SCMP_ACT_NOTIFY"]'
			exit
		fi
		exec "$RUNC" "\$@"
	EOF
	chmod 0755 "$WRAPPER"
	# containerd -> shim -> hardrun inherit HARDRUN_CONFIG now: one fixed file,
	# rewritten per test (node_config writes NODE_CONFIG_FILE)
	export NODE_CONFIG_FILE="$BATS_FILE_TMPDIR/hardrun/config.json"
	containerd_start
}

teardown_file() {
	containerd_stop
}

setup() {
	common_setup
	# sun_path is 108 bytes: the state dir must be short
	STATE="$(mktemp -d /tmp/hr.XXXXXX)"
	PROFILES="$BATS_TEST_TMPDIR/profiles"
	mkdir -p "$PROFILES"
	ROOT="$(rt_dir hardrun)/root"
	variant profile
	rm -f "$EVENTS" # next to NODE_CONFIG_FILE: shared by the suite's tests
}

teardown() {
	monitor_teardown
}

# variant profile|wrapper: node config and profile t for one way of choosing ptrace
variant() {
	VARIANT=$1
	monitor_config
	pod_netns_setup
	if [ "$VARIANT" = wrapper ]; then
		node_config "$(jq -c --arg w "$WRAPPER" '. + {runtime: $w, monitorMechanism: "auto"}' \
			"$HARDRUN_CONFIG")"
	fi
	pprofile t
}

# pprofile NAME [RULES [KNOWN]]: monitor/helpers' profile, with the mechanism
# key in the profile variant
pprofile() {
	profile "$@"
	if [ "$VARIANT" = profile ]; then
		jq '.monitor.mechanism = "ptrace"' "$PROFILES/$1.json" >"$PROFILES/$1.json.new"
		mv "$PROFILES/$1.json.new" "$PROFILES/$1.json"
	fi
}

# assert_ptrace_config ID: the rewritten config.json traces, never notifies
assert_ptrace_config() {
	local cfg="$BATS_TEST_TMPDIR/b/$1/config.json"
	jq -e '.linux.seccomp | (.listenerPath == null) and (.listenerMetadata == null)
		and ([.syscalls[] | select(.action == "SCMP_ACT_TRACE")] | length > 0)
		and ([.syscalls[] | select(.action == "SCMP_ACT_NOTIFY")] | length == 0)
		and ([.syscalls[] | select(.action == "SCMP_ACT_TRACE") | .names[]]
			| index("execveat") and index("mount") and index("socket")
			# execve: through fanotify (every exec of a traced task still stops)
			and (index("execve") == null))' "$cfg"
}

t_config() {
	bundle cf 'sleep 30'
	rund cf
	assert_ptrace_config cf
	jq -e '.mechanism == "ptrace"' "$(mon_dir cf)/monitor.json"
	# the container's init is traced by its monitor's worker
	local init
	init="$(hr state cf | jq .pid)"
	[ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$init/status")" = "$(cat "$(mon_dir cf)/worker.pid")" ]
	hr delete -f cf
}

t_exec_shell() {
	bundle sh1 'sleep 30'
	rund sh1
	run hr exec sh1 /bin/sh -c 'ls /proc/self/fd >/dev/null; echo in-exec'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *in-exec* ]]
	hr kill sh1 KILL
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired)" = terminal_shell ]
	jq -e '.output_fields | .["hardrun.session"] == 1 and .["container.id"] == "sh1" and
		.["evt.type"] == "execve" and .["k8s.ns.name"] == "team-a" and
		.["k8s.pod.name"] == "web-7d9f4" and .["container.name"] == "app" and
		.["hardrun.action"] == "alert" and (.["proc.cmdline"] | test("^/bin/sh -c ls")) and
		(.["proc.pid"] > 0)' "$EVENTS"
	grep -q '"session":1' "$(dirname "$EVENTS")/exec/sh1.jsonl"
	hr delete sh1
	[ -z "$(container_dirs)" ]
}

t_rules() {
	expect_one raw raw_socket 'ping -c 1 127.0.0.1'
	jq -e '.output_fields["evt.type"] == "socket" and
		.output_fields["hardrun.action"] == "deny"' "$EVENTS"
	expect_one mnt mount 'mkdir -p /mnt; mount -t tmpfs none /mnt'
}

t_deny() {
	deny_continues
	wait_monitors_gone
	[ "$(rules_fired)" = setuid_bit ]
}

t_kill() {
	pprofile k '{"namespace_escape":"kill"}'
	kill_ends_container
}

t_normal() {
	bundle nw 'set -e; mkdir -p /tmp/d; for i in 1 2 3; do echo $i > /tmp/d/f$i; done
		cat /tmp/d/* | sort | uniq > /tmp/out; ls -l /tmp/d >/dev/null
		(echo sub; true) | grep -q sub; echo $(date) >/dev/null
		nc -l -p 8080 > /tmp/got & sleep 0.3; echo hello | nc -w 1 127.0.0.1 8080; wait
		grep -q hello /tmp/got; (sleep 0.3; kill -CONT $$) & kill -STOP $$; wait
		trap "echo got-usr1" USR1; kill -USR1 $$; echo ok'
	hrun nw
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *got-usr1* ]]
	[[ "$output" == *ok* ]]
	wait_monitors_gone
	rules_fired
	[ -z "$(rules_fired)" ]
	[ -z "$(container_dirs)" ]
}

t_fail_closed() {
	# (a redirection onto stdin would be a monitored dup2: `.` opens on a high fd)
	# (execs through fanotify: with the monitor gone the kernel lets them
	# through, so the check is on a traced call)
	bundle fc 'while [ ! -e /go ]; do sleep 0.05; done; echo alive; . /etc/hr-src; hrtrig ptrace; echo still'
	echo 'echo "read ok"; (echo forked-ok)' >"$BATS_TEST_TMPDIR/b/fc/rootfs/etc/hr-src"
	rund fc
	kill_monitor fc
	wait_monitors_gone
	touch "$BATS_TEST_TMPDIR/b/fc/rootfs/go" # (no monitor: runc exec could not connect)
	_still() { grep -q still "$BATS_TEST_TMPDIR/fc.out"; }
	wait_for 10 _still
	cat "$BATS_TEST_TMPDIR/fc.out"
	grep -q alive "$BATS_TEST_TMPDIR/fc.out"
	grep -q "read ok" "$BATS_TEST_TMPDIR/fc.out" # a read-only open still works
	grep -q "forked-ok" "$BATS_TEST_TMPDIR/fc.out" # and so does a fork
	grep -q "ptrace=-1 errno=38" "$BATS_TEST_TMPDIR/fc.out" # a traced call: ENOSYS
	grep -q still "$BATS_TEST_TMPDIR/fc.out"
	hr delete fc
	[ -z "$(container_dirs)" ]
}

t_delete() {
	bundle dl 'sleep 100'
	rund dl
	local pid
	pid="$(mon_pid dl)"
	kill -0 "$pid"
	hr exec -d dl sleep 100 # an exec session still running at delete
	hr delete -f dl
	! kill -0 "$pid" 2>/dev/null
	[ -z "$(monitor_pids)" ]
	[ -z "$(container_dirs)" ]
}

@test "ptrace/profile: config.json has SCMP_ACT_TRACE, no listenerPath; the init is traced" {
	t_config
}

@test "ptrace/wrapper: config.json has SCMP_ACT_TRACE, no listenerPath; the init is traced" {
	variant wrapper
	t_config
	# the features answer is cached in stateDir, keyed by the wrapper binary
	jq -e --arg w "$WRAPPER" '.notify == false and (.key | startswith($w + " "))' \
		"$STATE/runtime-features.json"
}

@test "ptrace: the default mechanism with this runc stays notify" {
	profile t
	bundle nt 'sleep 30'
	rund nt
	jq -e '.linux.seccomp.listenerPath != null' "$BATS_TEST_TMPDIR/b/nt/config.json"
	jq -e '.mechanism == "notify"' "$(mon_dir nt)/monitor.json"
	hr delete -f nt
}

@test "ptrace: learn mode on a node that asks for ptrace fails the create with a clear message" {
	# (a profile's own "ptrace" is for enforcing it: learning runs under the
	# node's default profile, so only the node's choice can rule notify out)
	node_config "$(jq -c '. + {monitorMechanism: "ptrace"}' "$HARDRUN_CONFIG")"
	bundle ln 'true' learn
	hrun ln
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"learn mode needs the notify mechanism"* ]]
	[ -z "$(container_dirs)" ]
	[ -z "$(monitor_pids)" ]
}

@test "ptrace/profile: a shell in an exec session fires terminal_shell once" {
	t_exec_shell
}

@test "ptrace/wrapper: a shell in an exec session fires terminal_shell once" {
	variant wrapper
	t_exec_shell
}

@test "ptrace/profile: raw socket and mount fire once each" {
	t_rules
}

@test "ptrace/wrapper: raw socket and mount fire once each" {
	variant wrapper
	t_rules
}

@test "ptrace/profile: every rule fires exactly one event" {
	# raw socket and mount: their own test, both variants; mfp (execve of a
	# memfd's /proc path): the monitor makes memfds only through notify (ADDFD)
	each_rule_fires_once raw mnt mfp
}

@test "ptrace/profile: audit mode reports profile deviations and denies nothing" {
	cat >"$PROFILES/a.json" <<-'EOF'
		{"hardrun":1,"name":"a","seccomp":{"defaultAction":"SCMP_ACT_ALLOW",
		 "architectures":["SCMP_ARCH_X86_64"],
		 "syscalls":[{"names":["sethostname"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]},
		 "monitor":{"rules":{},"mechanism":"ptrace"}}
	EOF
	bundle au 'touch /tmp/f; chmod u+s /tmp/f; echo "chmod=$?"; hostname foo; echo done' audit a
	hrun au
	echo "$output"
	[[ "$output" == *"chmod=0"* ]]
	[[ "$output" == *done* ]]
	assert_ptrace_config au
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired | grep -c setuid_bit)" -eq 1 ]
	[ "$(rules_fired | grep -c profile_deviation)" -eq 1 ]
}

@test "ptrace/profile: deny fails the call with EPERM and the workload continues" {
	t_deny
}

@test "ptrace/wrapper: deny fails the call with EPERM and the workload continues" {
	variant wrapper
	t_deny
}

@test "ptrace/profile: kill ends the whole container" {
	t_kill
}

@test "ptrace/wrapper: kill ends the whole container" {
	variant wrapper
	t_kill
}

@test "ptrace/profile: a normal workload (files, pipes, subprocesses, TCP, signals) gives no events" {
	t_normal
}

@test "ptrace/wrapper: a normal workload (files, pipes, subprocesses, TCP, signals) gives no events" {
	variant wrapper
	t_normal
}

@test "ptrace/profile: killing the monitor: traced calls fail (ENOSYS), nothing else" {
	t_fail_closed
}

@test "ptrace/wrapper: killing the monitor: traced calls fail (ENOSYS), nothing else" {
	variant wrapper
	t_fail_closed
}

@test "ptrace/profile: delete leaves no monitor process and no state dir" {
	t_delete
}

@test "ptrace/wrapper: delete leaves no monitor process and no state dir" {
	variant wrapper
	t_delete
}

@test "ptrace/containerd: ctr run and ctr task exec through hardrun, traced" {
	local cid opts
	cid="$(new_id ctr)"
	opts="--runc-binary $HARDRUN --runc-root $BATS_FILE_TMPDIR/runc-root
		--annotation profile.hardrun.io/POD=t --annotation mode.hardrun.io/POD=enforce"
	# shellcheck disable=SC2086
	ctrd run -d $opts "$IMAGE_NAME" "$cid" sleep 1000 </dev/null
	wait_for 10 sh -c "ctr -a '$CT_SOCK' -n '$CT_NS' tasks ls | grep -q '$cid.*RUNNING'"
	local pid
	pid="$(mon_pid "$cid")"
	jq -e '.mechanism == "ptrace"' "$(mon_dir "$cid")/monitor.json"
	jq -e '.linux.seccomp.listenerPath == null' "$(ctrd_bundle "$cid")/config.json"
	run ctrd tasks exec --exec-id "e-$cid" "$cid" sh -c 'ping -c 1 127.0.0.1; echo rc=$?' \
		</dev/null
	echo "$output"
	[[ "$output" == *"rc=1"* ]]
	rules_fired
	[ "$(rules_fired | sort | tr '\n' ' ')" = "raw_socket terminal_shell " ]
	jq -se --arg id "$cid" 'map(.output_fields) | all(.["container.id"] == $id and
		.["hardrun.session"] == 1)' "$EVENTS"
	ctrd_remove "$cid"
	! kill -0 "$pid" 2>/dev/null
	[ -z "$(monitor_pids)" ]
	[ -z "$(container_dirs)" ]
}
