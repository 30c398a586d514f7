#!/usr/bin/env bats
# The monitor through real containerd: `ctr run --runc-binary $HARDRUN
# --annotation ...` (containerd-shim-runc-v2 -> hardrun -> runc), a private
# containerd per suite (helpers.bash: containerd_start).

load helpers
load monitor/helpers

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	requires_hardrun
	# containerd -> shim -> runtime inherit this env: one fixed node config file
	export NODE_CONFIG_FILE="$BATS_FILE_TMPDIR/hardrun/config.json"
	export STATE PROFILES="$BATS_FILE_TMPDIR/profiles"
	STATE="$(mktemp -d /tmp/hr.XXXXXX)"
	mkdir -p "$PROFILES"
	containerd_start # writes a default node config to NODE_CONFIG_FILE: ours comes after
	monitor_config
	profile t
}

teardown_file() {
	containerd_stop
	local pid
	for pid in $(monitor_pids); do kill -KILL "$pid" 2>/dev/null || true; done
	[ -z "${STATE:-}" ] || rm -rf "$STATE"
}

setup() {
	common_setup
	monitor_config # common_setup reset the node config file
	rm -f "$EVENTS"
	CID="$(new_id ctr)"
}

teardown() {
	c tasks kill -s KILL "$CID" >/dev/null 2>&1 || true
	c tasks delete -f "$CID" >/dev/null 2>&1 || true
	c containers delete "$CID" >/dev/null 2>&1 || true
	common_teardown
}

c() {
	ctr -a "$CT_SOCK" -n "$CT_NS" "$@"
}

# ctr run flags: the shim uses $HARDRUN, the container opts in
opts() {
	echo --runc-binary "$HARDRUN" --runc-root "$BATS_FILE_TMPDIR/runc-root" \
		--annotation profile.hardrun.io/POD=t --annotation mode.hardrun.io/POD=enforce
}

@test "monitor/containerd: a rule fires once with the container id and no k8s fields" {
	run c run --rm $(opts) "$IMAGE_NAME" "$CID" \
		sh -c 'ping -c 1 127.0.0.1; echo rc=$?; echo after' </dev/null
	echo "$output"
	[[ "$output" == *"rc=1"* ]]
	[[ "$output" == *after* ]]
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired)" = raw_socket ]
	jq -e --arg id "$CID" '.output_fields["container.id"] == $id and
		.output_fields["hardrun.action"] == "deny" and .output_fields["hardrun.session"] == 0 and
		.output_fields["k8s.ns.name"] == null and .output_fields["k8s.pod.name"] == null and
		.output_fields["container.name"] == null and
		(.output | test("k8s.ns.name=<NA>"))' "$EVENTS"
	# --rm: task and container deleted, nothing left in stateDir
	[ -z "$(container_dirs)" ]
}

@test "monitor/containerd: ctr task exec is monitored; delete stops the monitor" {
	c run -d $(opts) "$IMAGE_NAME" "$CID" sleep 1000 </dev/null
	wait_for 10 sh -c "ctr -a '$CT_SOCK' -n '$CT_NS' tasks ls | grep -q '$CID.*RUNNING'"
	local pid
	pid="$(mon_pid "$CID")"
	kill -0 "$pid"
	[ "$(monitor_pids | wc -l)" -eq 2 ] # the supervisor and its worker
	monitor_pids | grep -qx "$pid"

	run c tasks exec --exec-id "e-$CID" "$CID" sh -c 'unshare -U true; echo rc=$?' </dev/null
	echo "$output"
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"rc=1"* ]]
	# a shell started by exec, then the unshare it makes: both from session 1
	rules_fired
	[ "$(rules_fired | sort | tr '\n' ' ')" = "namespace_escape terminal_shell " ]
	# (slurped: jq 1.6 -e fails when the last input yields nothing)
	jq -se --arg id "$CID" 'map(.output_fields) | all(.["container.id"] == $id and
		.["hardrun.session"] == 1) and (map(select(.["hardrun.rule_id"] ==
		"namespace_escape"))[0]["evt.type"] == "unshare")' "$EVENTS"
	grep -q '"session":1' "$(dirname "$EVENTS")/exec/$CID.jsonl"

	c tasks kill -s KILL "$CID"
	wait_for 10 sh -c "ctr -a '$CT_SOCK' -n '$CT_NS' tasks ls | grep -q '$CID.*STOPPED'"
	c tasks delete "$CID"
	c containers delete "$CID"
	! kill -0 "$pid" 2>/dev/null
	[ -z "$(monitor_pids)" ]
	[ -z "$(container_dirs)" ]
	# nothing else: the init's exec and the shim's runc calls fire nothing
	[ "$(rules_fired | wc -l)" -eq 2 ]
}

@test "monitor/containerd: sensitive_write alerts through fanotify on the image's overlay root" {
	run c run --rm $(opts) "$IMAGE_NAME" "$CID" \
		sh -c 'echo x > /etc/hr-sensitive; echo y > /tmp/not-sensitive; echo after' </dev/null
	echo "$output"
	[[ "$output" == *after* ]]
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired)" = sensitive_write ]
	jq -e --arg id "$CID" '.output_fields["container.id"] == $id and
		(.output_fields["evt.args"] | test("^path=/etc/hr-sensitive op=")) and
		.output_fields["hardrun.action"] == "alert"' "$EVENTS"
}

@test "monitor/containerd: drift_exec under baseline, through fanotify on the overlay root" {
	run c run --rm --runc-binary "$HARDRUN" --runc-root "$BATS_FILE_TMPDIR/runc-root" \
		--annotation profile.hardrun.io/POD=baseline --annotation mode.hardrun.io/POD=enforce \
		"$IMAGE_NAME" "$CID" sh -c 'cp /bin/busybox /tmp/x; /tmp/x true; echo rc=$?' </dev/null
	echo "$output"
	[[ "$output" == *"rc=127"* ]] # alert: busybox ran (as applet "x")
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired)" = drift_exec ]
	jq -e '.output_fields["evt.args"] | test("path=/tmp/x .*created or changed")' "$EVENTS"
}
