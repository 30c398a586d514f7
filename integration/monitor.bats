#!/usr/bin/env bats
# The per-container monitor, through the real binary: `$HARDRUN --root R
# run|create|exec|delete` on bundles that opt in with annotations
# (profile.hardrun.io/POD, mode.hardrun.io/POD), against real runc.

load helpers
load monitor/helpers
load monitor/suite

@test "monitor: each rule fires exactly one event with its id and fields" {
	each_rule_fires_once
}

@test "monitor: drift (knownBinaries) and terminal shell in an exec session" {
	profile kb '{}' '["/bin/busybox"]'
	bundle dr 'hrtrig getpid 1; sleep 5' enforce kb
	rund dr
	run hr exec dr /bin/sh -c 'ls -l /proc/self/fd'
	echo "$output"
	# exec session: only the exec'd process's stdio (+ ls's own dir fd)
	[ "$(echo "$output" | grep -c -- '->')" -le 4 ]
	hr kill dr KILL
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired | grep -c drift_exec)" -eq 1 ]
	[ "$(rules_fired | grep -c terminal_shell)" -eq 1 ]
	jq -se 'map(select(.output_fields["hardrun.rule_id"] == "terminal_shell")) |
		.[0].output_fields["hardrun.session"] == 1' "$EVENTS"
	# the exec log keeps every exec, after the container is gone
	grep -q '"argv":"hrtrig getpid 1"' "$(dirname "$EVENTS")/exec/dr.jsonl"
	grep -q '"session":1' "$(dirname "$EVENTS")/exec/dr.jsonl"
	run "$HARDRUN" events --container dr --rule drift_exec
	echo "$output"
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	hr delete dr
	[ -z "$(container_dirs)" ]
}

@test "monitor: deny fails the call with EPERM and the workload continues" {
	deny_continues
}

@test "monitor: kill ends the whole container" {
	profile k '{"namespace_escape":"kill"}'
	kill_ends_container
}

@test "monitor: a normal workload produces no events" {
	bundle nw 'set -e; mkdir -p /tmp/d; for i in 1 2 3; do echo $i > /tmp/d/f$i; done
		cat /tmp/d/* | sort | uniq > /tmp/out; ls -l /tmp/d >/dev/null
		(echo sub; true) | grep -q sub; echo $(date) >/dev/null
		nc -l -p 8080 > /tmp/got & sleep 0.3; echo hello | nc -w 1 127.0.0.1 8080; wait
		grep -q hello /tmp/got; echo ok'
	hrun nw
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *ok* ]]
	wait_monitors_gone
	rules_fired
	[ -z "$(rules_fired)" ]
	# the init's fds: stdio only (fd 3 is ls's own directory)
	bundle fd 'ls -l /proc/1/fd'
	hrun fd
	echo "$output"
	[ "$(echo "$output" | grep -c -- '->')" -eq 3 ]
}

@test "monitor: killing both monitor processes makes notified syscalls fail (ENOSYS), nothing else" {
	# (execs through fanotify: with every holder of the group gone the kernel
	# lets them through, so the check is on a notified call)
	bundle fc 'while [ ! -e /go ]; do sleep 0.05; done; echo alive; hrtrig ptrace; echo still'
	rund fc
	kill_monitor fc
	wait_monitors_gone
	# runc exec cannot reach a monitor either: write the marker from outside
	touch "$BATS_TEST_TMPDIR/b/fc/rootfs/go"
	_still() { grep -q still "$BATS_TEST_TMPDIR/fc.out"; }
	wait_for 10 _still
	cat "$BATS_TEST_TMPDIR/fc.out"
	grep -q alive "$BATS_TEST_TMPDIR/fc.out"
	grep -q "ptrace=-1 errno=38" "$BATS_TEST_TMPDIR/fc.out"
	grep -q still "$BATS_TEST_TMPDIR/fc.out"
	hr delete fc
	[ -z "$(container_dirs)" ]
}

@test "monitor: 20 containers in parallel get their own monitor, none is left behind" {
	local i pids=() p
	for i in $(seq 20); do
		bundle "p$i" 'sleep 30' &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	pids=()
	for i in $(seq 20); do
		rund "p$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	[ "$(hr list -q | wc -l)" -eq 20 ]
	for i in $(seq 20); do mon_pid "p$i"; done | sort -u >"$BATS_TEST_TMPDIR/mons"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/mons")" -eq 20 ]
	[ "$(monitor_pids | wc -l)" -eq 40 ] # a supervisor and a worker each
	while read -r p; do kill -0 "$p"; done <"$BATS_TEST_TMPDIR/mons"
	for i in $(seq 20); do
		hr delete -f "p$i"
	done
	[ -z "$(monitor_pids)" ]
	while read -r p; do ! kill -0 "$p" 2>/dev/null; done <"$BATS_TEST_TMPDIR/mons"
	[ -z "$(container_dirs)" ]
}

@test "monitor: audit mode reports profile deviations and denies nothing" {
	cat >"$PROFILES/a.json" <<-'EOF'
		{"hardrun":1,"name":"a","seccomp":{"defaultAction":"SCMP_ACT_ALLOW",
		 "architectures":["SCMP_ARCH_X86_64"],
		 "syscalls":[{"names":["sethostname"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]},
		 "monitor":{"rules":{}}}
	EOF
	bundle au 'touch /tmp/f; chmod u+s /tmp/f; echo "chmod=$?"; hostname foo; echo done' audit a
	hrun au
	echo "$output"
	[[ "$output" == *"chmod=0"* ]]
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired | grep -c setuid_bit)" -eq 1 ]
	[ "$(rules_fired | grep -c profile_deviation)" -eq 1 ]
}

@test "monitor: after runc run ends, the monitor removes its state dir" {
	bundle gone 'echo hi'
	hrun gone
	[ "$status" -eq 0 ]
	wait_monitors_gone
	[ -z "$(container_dirs)" ]
	# a stopped container that runc still knows keeps its state until delete
	bundle kept 'true'
	rund kept
	_stopped() { [ "$(hr state kept | jq -r .status)" = stopped ]; }
	wait_for 10 _stopped
	wait_monitors_gone
	[ -n "$(container_dirs)" ]
	hr delete kept
	[ -z "$(container_dirs)" ]
}

@test "monitor: the lean hardrun-monitor next to hardrun, else hardrun monitor" {
	[ -x "$(dirname "$HARDRUN")/hardrun-monitor" ] || skip "hardrun-monitor not built"
	bundle lean 'sleep 30'
	rund lean
	run tr '\0' ' ' <"/proc/$(mon_pid lean)/cmdline"
	[[ "$output" == "hardrun-monitor --state $STATE/"* ]]
	hr delete -f lean
	# hardrun alone (no sibling; the libexec one must not exist either)
	[ ! -e /usr/local/libexec/hardrun/hardrun-monitor ] || skip "an installed hardrun-monitor"
	mkdir -p "$BATS_TEST_TMPDIR/solo"
	cp "$HARDRUN" "$BATS_TEST_TMPDIR/solo/hardrun"
	bundle solo 'sleep 30'
	"$BATS_TEST_TMPDIR/solo/hardrun" --root "$ROOT" run -d --bundle "$BATS_TEST_TMPDIR/b/solo" solo \
		</dev/null >/dev/null
	run tr '\0' ' ' <"/proc/$(mon_pid solo)/cmdline"
	[[ "$output" == "hardrun monitor --state $STATE/"* ]]
	hr delete -f solo
	[ -z "$(monitor_pids)" ]
	[ -z "$(container_dirs)" ]
}

@test "monitor: a monitor that cannot start fails the create with its reason, nothing left" {
	# the events file's directory is a regular file: the monitor's setup fails
	: >"$BATS_TEST_TMPDIR/blocker"
	jq --arg f "$BATS_TEST_TMPDIR/blocker/events.jsonl" '.eventsFile = $f' "$HARDRUN_CONFIG" \
		>"$BATS_TEST_TMPDIR/node.json"
	export HARDRUN_CONFIG="$BATS_TEST_TMPDIR/node.json"
	bundle nomon 'true'
	local b="$BATS_TEST_TMPDIR/b/nomon" log="$BATS_TEST_TMPDIR/create.log" sum
	sum="$(sha256sum <"$b/config.json")"
	run hr --log "$log" create --bundle "$b" nomon </dev/null
	echo "status $status: $output"
	[ "$status" != 0 ]
	assert_log_error_line "$log" 0
	tail -n 1 "$log" | jq -r .msg | grep -q "monitor: .*blocker/events.jsonl: Not a directory"
	[ "$(sha256sum <"$b/config.json")" = "$sum" ]
	[ ! -e "$b/config.json.hardrun-orig" ]
	[ -z "$(monitor_pids)" ]
	[ -z "$(container_dirs)" ]
	! "$RUNC" --root "$ROOT" state nomon >/dev/null 2>&1
}

@test "monitor: the bundle's own seccomp denials hold in enforce, audit and learn mode" {
	local mode out
	bundle own 'mkdir /tmp/own-x; echo mkdir=$?'
	bundle_edit "$BATS_TEST_TMPDIR/b/own" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		architectures: ["SCMP_ARCH_X86_64"],
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13}]}'
	cp "$BATS_TEST_TMPDIR/b/own/config.json" "$BATS_TEST_TMPDIR/own.json"
	run "$RUNC" --root "$ROOT" run --bundle "$BATS_TEST_TMPDIR/b/own" own-runc </dev/null
	echo "runc: $output"
	[[ "$output" == *"Permission denied"* ]] && [[ "$output" == *mkdir=1* ]]
	for mode in enforce audit learn; do
		rm -f "$EVENTS"
		jq --arg m "$mode" '.annotations["mode.hardrun.io/POD"] = $m' "$BATS_TEST_TMPDIR/own.json" \
			>"$BATS_TEST_TMPDIR/b/own/config.json"
		rm -f "$BATS_TEST_TMPDIR/b/own/config.json.hardrun-orig"
		hrun own
		echo "$mode: $output"
		[ "$status" -eq 0 ]
		# the same errno as under runc, and not reported as the profile's
		[[ "$output" == *"Permission denied"* ]] && [[ "$output" == *mkdir=1* ]]
		wait_monitors_gone
		[ -z "$(rules_fired | grep -x profile_deviation)" ]
		hr delete -f own >/dev/null 2>&1 || true
	done
}

@test "monitor: 300 execs of an approved binary cost one permission event (exec through fanotify)" {
	bundle ex 'hrtrig none; hrtrig execloop 300; touch /tmp/done; sleep 30'
	rund ex
	local log="$(dirname "$EVENTS")/exec/ex.jsonl" dir
	dir="$(mon_dir ex)"
	grep -q '"execFanotify": *true' "$dir/monitor.json"
	_done() { [ -e "$BATS_TEST_TMPDIR/b/ex/rootfs/tmp/done" ] && [ -s "$dir/fanexec.stats" ]; }
	wait_for 10 _done
	cat "$dir/fanexec.stats" "$log"
	# one record for the first hrtrig; the other 301 ran on its cached approval
	[ "$(grep -c '"argv":"hrtrig' "$log")" -eq 1 ]
	local events cached
	events="$(awk '$1 == "events" { print $2 }' "$dir/fanexec.stats")"
	cached="$(awk '$1 == "cached" { print $2 }' "$dir/fanexec.stats")"
	[ "$events" -ge 2 ] && [ "$events" -le 10 ] # sh, hrtrig, touch, sleep: not 300
	[ "$cached" -ge 1 ]
	hr delete -f ex
}

@test "monitor: monitorExec notify keeps every execve notified and logged" {
	jq '.monitorExec = "notify"' "$HARDRUN_CONFIG" >"$BATS_TEST_TMPDIR/node.json"
	export HARDRUN_CONFIG="$BATS_TEST_TMPDIR/node.json"
	bundle en 'hrtrig none; hrtrig execloop 3'
	hrun en
	[ "$status" -eq 0 ]
	wait_monitors_gone
	local log="$(dirname "$EVENTS")/exec/en.jsonl"
	cat "$log"
	[ "$(grep -c '"argv":"hrtrig' "$log")" -eq 5 ]
	# a bad value is refused, naming the key
	jq '.monitorExec = "fast"' "$HARDRUN_CONFIG" >"$BATS_TEST_TMPDIR/bad.json"
	bundle eb 'true'
	local log2="$BATS_TEST_TMPDIR/bad.log"
	HARDRUN_CONFIG="$BATS_TEST_TMPDIR/bad.json" run hr --log "$log2" run \
		--bundle "$BATS_TEST_TMPDIR/b/eb" eb </dev/null
	[ "$status" -ne 0 ]
	tail -n 1 "$log2" | jq -r .msg | grep -q 'monitorExec: must be "auto" or "notify"'
}

@test "monitor: drift_exec under baseline, through fanotify: a new binary, a changed one" {
	bundle dx 'cp /bin/busybox /tmp/x; /tmp/x true; echo "rc=$?"' enforce baseline
	hrun dx
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"x: applet not found"* ]] # alert: busybox ran (as applet "x")
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired)" = drift_exec ]
	jq -e '.output_fields["evt.args"] | test("path=/tmp/x .*created or changed")' "$EVENTS"
	# an approved binary written to loses its approval: asked again, and new
	rm -f "$EVENTS"
	bundle dm '/hr none; /hr none; echo >>/hr; /hr none; echo "rc=$?"'
	cp "$HRTRIG" "$BATS_TEST_TMPDIR/b/dm/rootfs/hr" # in the image, not a sensitive dir
	hrun dm
	echo "$output"
	[[ "$output" == *"rc=0"* ]]
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired)" = drift_exec ]
	jq -e '.output_fields["proc.exe"] == "/hr"' "$EVENTS"
	[ "$(grep -c '"argv":"/hr none"' "$(dirname "$EVENTS")/exec/dm.jsonl")" -eq 2 ]
}

@test "monitor: drift_exec deny through fanotify: the exec fails, the workload runs on" {
	profile dd '{"drift_exec":"deny"}'
	bundle dd 'cp /bin/busybox /tmp/x; /tmp/x true; echo "rc=$?"; echo after' enforce dd
	hrun dd
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"rc=126"* ]]
	[[ "$output" == *after* ]]
	wait_monitors_gone
	[ "$(rules_fired)" = drift_exec ]
	jq -e '.output_fields["hardrun.action"] == "deny"' "$EVENTS"
}

@test "monitor: without exec permission events (no CAP_SYS_ADMIN), execve stays notified, with a warning" {
	bundle nf 'true'
	local b="$BATS_TEST_TMPDIR/b/nf" log="$BATS_TEST_TMPDIR/nf.log"
	# fanotify_init needs CAP_SYS_ADMIN; runc needs it too, so this create
	# fails after hardrun's part: only the part before runc is looked at
	run setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin -- \
		"$HARDRUN" --root "$ROOT" --log "$log" create --bundle "$b" nf </dev/null
	echo "status $status: $output"
	cat "$log"
	grep -q 'hardrun: monitor: exec permission events unavailable (fanotify_init: Operation not permitted): every execve is notified' "$log"
	jq -e '[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_NOTIFY") | .names[]]
		| index("execve")' "$b/config.json"
	jq -e '.execFanotify == false' "$(mon_dir nf)/monitor.json"
}
