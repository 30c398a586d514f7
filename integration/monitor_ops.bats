#!/usr/bin/env bats
# The monitor under a hostile or unlucky container, and the operator's view:
# event storms folded and rate-limited, the exec log capped, logrotate,
# pod identity as containerd's CRI and CRI-O write it.

load helpers
load monitor/helpers
load monitor/suite

# sample_monitor ID OUT: until the container's monitor is gone, keep the
# peak VmRSS (kB) and the CPU time (clock ticks) of its supervisor
# (monitor.pid) and its worker (worker.pid) in OUT
sample_monitor() {
	local id=$1 out=$2 d="" sup wrk
	until [ -n "$d" ] && [ -f "$d/worker.pid" ]; do d="$(mon_dir "$id" 2>/dev/null)" || sleep 0.05; done
	sup="$(cat "$d/monitor.pid")" wrk="$(cat "$d/worker.pid")"
	local -A rss=() cpu=()
	while [ -d "/proc/$wrk" ]; do
		local p r c
		for p in "$sup" "$wrk"; do
			r="$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null)" || continue
			c="$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null)" || continue
			[ -n "$r" ] && [ "$r" -gt "${rss[$p]:-0}" ] && rss[$p]=$r
			[ -n "$c" ] && cpu[$p]=$c
		done
		echo "supervisor: rss_kb=${rss[$sup]:-?} cpu_ticks=${cpu[$sup]:-?};" \
			"worker: rss_kb=${rss[$wrk]:-?} cpu_ticks=${cpu[$wrk]:-?}" >"$out"
		sleep 0.1
	done
}

@test "storm: 20000 mounts fold into few lines that count them all; deny acts on each" {
	monitor_config '{"execLogMaxSize": 65536}'
	profile st '{"mount":"deny"}'
	local before=0
	[ -f "$EVENTS" ] && before=$(stat -c %s "$EVENTS")
	# 300 execs after the storm: ~100 KiB of exec log against a 64 KiB cap
	bundle st 'hrtrig mountloop 20000; i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done; echo done' enforce st
	sample_monitor st "$BATS_TEST_TMPDIR/sample" &
	local sampler=$!
	hrun st
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"denied=20000"* ]]
	[[ "$output" == *done* ]]
	wait_monitors_gone
	wait "$sampler" || true
	echo "# monitor during the storm: $(cat "$BATS_TEST_TMPDIR/sample")" >&3
	local lines growth sum
	lines=$(wc -l <"$EVENTS")
	growth=$(($(stat -c %s "$EVENTS") - before))
	sum=$(jq -s 'map(select(.output_fields["hardrun.rule_id"] == "mount") |
		.output_fields["hardrun.count"]) | add' "$EVENTS")
	echo "# events: lines=$lines growth=${growth}B mount hardrun.count sum=$sum" >&3
	[ "$lines" -le 300 ]
	[ "$sum" -ge 20000 ]
	[ "$growth" -le $((512 * 1024)) ]
	# every line says how many occurrences it stands for
	jq -se 'map(select(.output_fields) | .output_fields["hardrun.count"] >= 1) | all' "$EVENTS"
	# the exec log: capped, the older part in .1
	local x="$(dirname "$EVENTS")/exec/st.jsonl"
	[ -f "$x.1" ]
	[ "$(stat -c %s "$x")" -le $((65536 + 4096)) ]
	[ "$(stat -c %s "$x.1")" -le $((65536 + 4096)) ]
	grep -q '"path":"/bin/true"' "$x"
}

@test "storm: the events file and the exec log are reopened after logrotate moves them" {
	# (the last exec through sh: an exec of the approved hrtrig is no longer logged)
	bundle rot 'hrtrig mountloop 1; while [ ! -e /tmp/go ]; do sleep 0.05; done; sh -c "hrtrig module"' enforce
	rund rot
	_one_mount() { [ "$(rules_fired | grep -c mount)" -ge 1 ]; }
	wait_for 10 _one_mount
	mv "$EVENTS" "$EVENTS.1"
	local x="$(dirname "$EVENTS")/exec/rot.jsonl"
	mv "$x" "$x.old"
	hr exec rot touch /tmp/go
	_module() { [ -f "$EVENTS" ] && rules_fired | grep -q kernel_module; }
	wait_for 10 _module
	[ "$(grep -c kernel_module "$EVENTS.1")" -eq 0 ]
	grep -q '"argv":"hrtrig mountloop 1"' "$x.old"
	_exec() { grep -q '"argv":"sh -c hrtrig module"' "$x" 2>/dev/null; }
	wait_for 10 _exec
	hr delete -f rot
}

@test "identity: events from CRI-O's annotations carry namespace, pod, uid, container" {
	bundle cro 'hrtrig module' enforce t cri-o.json
	hrun cro
	wait_monitors_gone
	jq -e '.output_fields | .["k8s.ns.name"] == "team-a" and .["k8s.pod.name"] == "web-7d9f4" and
		.["k8s.pod.uid"] == "0b1c2d3e-aaaa-bbbb-cccc-1234567890ab" and
		.["container.name"] == "app" and
		.["container.image"] == "docker.io/library/busybox:latest"' "$EVENTS"
}

# lost_event WHO: the events file has a monitor_lost line for WHO
lost_event() {
	[ -f "$EVENTS" ] && jq -e --arg w "$1" 'select(.output_fields["hardrun.rule_id"] == "monitor_lost"
		and .output_fields["hardrun.lost"] == $w)' "$EVENTS" >/dev/null
}

# waiting_bundle ID [MODE]: waits for /tmp/go, then tries one mount and
# prints denied=N (1: the monitor answered EPERM; 0: ENOSYS, no monitor)
waiting_bundle() {
	bundle "$1" 'while [ ! -e /tmp/go ]; do sleep 0.05; done; hrtrig mountloop 1; echo done; sleep 100' "${2:-enforce}"
}

# go_denied ID: through runc exec (a monitor must take the connection), let
# waiting_bundle ID go on: its mount is answered EPERM by a monitor
go_denied() {
	local out="$BATS_TEST_TMPDIR/$1.out"
	hr exec "$1" touch /tmp/go
	_done() { grep -q done "$out"; }
	wait_for 10 _done
	cat "$out"
	grep -q denied=1 "$out"
}

@test "monitor lost: kill -9 of the worker writes monitor_lost, a new worker takes over (keep)" {
	waiting_bundle lk
	rund lk
	local d w
	d="$(mon_dir lk)"
	w="$(cat "$d/worker.pid")"
	kill -9 "$w"
	_lost() { lost_event worker; }
	wait_for 5 _lost
	jq -e 'select(.output_fields["hardrun.rule_id"] == "monitor_lost") | .rule == "Monitor lost" and
		.priority == "Critical" and .output_fields["container.id"] == "lk" and
		.output_fields["k8s.pod.name"] == "web-7d9f4" and .output_fields["k8s.ns.name"] == "team-a" and
		.output_fields["hardrun.action"] == "respawn" and .output_fields["proc.pid"] == '"$w"' and
		.output_fields["evt.args"] == "killed by signal 9" and .output_fields["hardrun.count"] == 1' "$EVENTS"
	_new() { local n; n="$(cat "$d/worker.pid")"; [ "$n" != "$w" ] && [ -d "/proc/$n" ]; }
	wait_for 5 _new
	# monitoring restored: runc exec reaches the new worker, the mount is denied (EPERM)
	go_denied lk
	_mount() { rules_fired | grep -q mount; }
	wait_for 5 _mount
	# and the exec permission events: the new worker answers the group the
	# supervisor held (a new binary: drift_exec)
	run timeout 20 "$HARDRUN" --root "$ROOT" exec lk sh -c 'cp /bin/busybox /tmp/x; /tmp/x true; echo rc=$?'
	echo "$output"
	[[ "$output" == *"rc=127"* ]] # busybox ran, as applet "x"
	_drift() { rules_fired | grep -q drift_exec; }
	wait_for 5 _drift
	hr delete -f lk
	wait_monitors_gone
	[ -z "$(container_dirs)" ]
}

@test "monitor lost: kill -9 of the worker under monitorLost kill stops the container" {
	monitor_config '{"monitorLost": "kill"}'
	waiting_bundle lx
	rund lx
	kill -9 "$(cat "$(mon_dir lx)/worker.pid")"
	_lost() { lost_event worker; }
	wait_for 5 _lost
	jq -e 'select(.output_fields["hardrun.rule_id"] == "monitor_lost") |
		.output_fields["hardrun.action"] == "kill"' "$EVENTS"
	_stopped() { [ "$(hr state lx | jq -r .status)" = stopped ]; }
	wait_for 10 _stopped
	wait_monitors_gone
	[ "$(grep -c done "$BATS_TEST_TMPDIR/lx.out")" -eq 0 ]
	hr delete lx
	[ -z "$(container_dirs)" ]
}

@test "monitor lost: kill -9 of the supervisor (monitor.pid) writes monitor_lost, the worker serves on" {
	waiting_bundle ls
	rund ls
	local d s
	d="$(mon_dir ls)"
	s="$(cat "$d/monitor.pid")"
	kill -9 "$s"
	_lost() { lost_event supervisor; }
	wait_for 5 _lost
	jq -e 'select(.output_fields["hardrun.rule_id"] == "monitor_lost") |
		.output_fields["hardrun.action"] == "keep" and .output_fields["container.id"] == "ls"' "$EVENTS"
	[ "$(cat "$d/monitor.pid")" = "$(cat "$d/worker.pid")" ]
	go_denied ls
	hr delete -f ls
	wait_monitors_gone
	[ -z "$(container_dirs)" ]
}

@test "ps: each hardened container with its pod, profile, mode, monitor and events; ps ID is runc's" {
	waiting_bundle pa
	bundle pb 'hrtrig mountloop 3; echo done; sleep 100' audit
	rund pa
	rund pb
	# pb's three mounts: counted once the monitor writes its stats (each second)
	_counted() { [ "$("$HARDRUN" ps --format json | jq '.[] | select(.id == "pb") | .events')" = 3 ]; }
	wait_for 10 _counted
	run "$HARDRUN" ps --format json
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e 'length == 2 and (map(.id) == ["pa", "pb"]) and
		all(.namespace == "team-a" and .pod == "web-7d9f4" and .container == "app" and
			.profile == "t" and .mechanism == "notify" and .monitorAlive == true and
			(.monitorPid > 1))' <<<"$output"
	jq -e '.[0].mode == "enforce" and .[0].events == 0 and .[0].lastEvent == null and
		.[1].mode == "audit" and (.[1].lastEvent | test("^[0-9-]+T"))' <<<"$output"
	run "$HARDRUN" ps
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | head -1 | awk '{print $1}')" = CONTAINER ]
	[[ "$(echo "$output" | grep '^pb ')" == *"team-a"*"web-7d9f4"*"app"*"audit"*"yes"*" 3 "* ]]
	# a monitor gone: shown as not alive
	kill_monitor pa
	_dead() { "$HARDRUN" ps --format json | jq -e '.[] | select(.id == "pa") | .monitorAlive == false'; }
	wait_for 5 _dead
	# `ps ID` is runc's: the processes of the container
	run hr ps pb
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$(echo "$output" | head -1)" == *PID* ]]
	[[ "$output" == *sleep* ]]
	run "$HARDRUN" ps --format yaml
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: hardrun ps"* ]]
	hr delete -f pa
	hr delete -f pb
}

@test "help: hardrun --help prints runc's help as it is, then hardrun's commands" {
	local want
	want="$("$RUNC" --help)"
	run "$HARDRUN" --help
	[ "$status" -eq 0 ]
	[ "${output:0:${#want}}" = "$want" ]
	[[ "${output:${#want}}" == *"HARDRUN COMMANDS"*"profile"*"events"*"ps"* ]]
	run "$HARDRUN" help
	[ "${output:0:${#want}}" = "$want" ]
	[[ "$output" == *"HARDRUN COMMANDS"* ]]
}
