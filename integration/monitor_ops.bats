#!/usr/bin/env bats
# The monitor under a hostile or unlucky container, and the operator's view:
# event storms folded and rate-limited, the exec log capped, logrotate,
# pod identity as containerd's CRI and CRI-O write it.

load helpers
load monitor/helpers

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	export HRTRIG="$BATS_FILE_TMPDIR/hrtrig"
	gcc -static -O2 -w -o "$HRTRIG" "$INTEGRATION_DIR/monitor/hrtrig.c"
}

setup() {
	requires_hardrun
	common_setup
	STATE="$(mktemp -d /tmp/hr.XXXXXX)"
	PROFILES="$BATS_TEST_TMPDIR/profiles"
	mkdir -p "$PROFILES"
	monitor_config
	ROOT="$(rt_dir hardrun)/root"
	profile t
}

teardown() {
	monitor_teardown
}

# sample_monitor ID OUT: until the container's monitor is gone, keep its
# peak VmRSS (kB) and its CPU time (clock ticks) in OUT
sample_monitor() {
	local id=$1 out=$2 pid="" rss=0 cpu=0 r c
	until [ -n "$pid" ]; do pid="$(mon_pid "$id" 2>/dev/null)" || sleep 0.05; done
	while [ -d "/proc/$pid" ]; do
		r="$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)" || break
		c="$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null)" || break
		[ -n "$r" ] && [ "$r" -gt "$rss" ] && rss=$r
		[ -n "$c" ] && cpu=$c
		echo "rss_kb=$rss cpu_ticks=$cpu" >"$out"
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
	bundle rot 'hrtrig mountloop 1; while [ ! -e /tmp/go ]; do sleep 0.05; done; hrtrig module' enforce
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
	_exec() { grep -q '"argv":"hrtrig module"' "$x" 2>/dev/null; }
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
