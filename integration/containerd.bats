#!/usr/bin/env bats
# containerd drives $HARDRUN through containerd-shim-runc-v2 (BinaryName),
# exactly as a node does.  A private containerd runs in a temp root for the
# suite; the image is built offline from busybox-static.

load helpers

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	containerd_start
}

teardown_file() {
	containerd_stop
}

setup() {
	common_setup
	CID="$(new_id ctr)"
}

teardown() {
	ctrd_remove "$CID"
	common_teardown
}

c() {
	ctrd "$@"
}

# crun_opts: the ctr run flags that make the shim use $HARDRUN.
crun_opts() {
	ctrd_run_opts
}

@test "containerd: image imported" {
	run c images ls -q
	[ "$status" = 0 ]
	[[ "$output" == *"$IMAGE_NAME"* ]]
}

@test "containerd: ctr run --rm through HARDRUN returns output and exit code" {
	# the shim passes HARDRUN_CONFIG on to the runtime: containerd's env is ours
	run c run --rm $(crun_opts) --annotation hardrun.test/k=v \
		"$IMAGE_NAME" "$CID" sh -c 'echo hello-from-ctr; cat /etc/os-release | head -1; exit 3' </dev/null
	echo "$output"
	[ "$status" = 3 ]
	[ "${lines[0]}" = hello-from-ctr ]
	[ "${lines[1]}" = "ID=busybox" ]
	# --rm removed the container
	run c containers ls -q
	[[ "$output" != *"$CID"* ]]
}

@test "containerd: detached task, annotation in the bundle, task exec, kill, delete" {
	c run -d $(crun_opts) --annotation hardrun.test/k=v --annotation mode.hardrun.io/POD=off \
		"$IMAGE_NAME" "$CID" sleep 1000 </dev/null
	# the shim was told to use HARDRUN
	# runc.v1.Options in protobuf: field 6 (binary_name) = 0x32, length, path
	local opts want
	opts="$(c containers info "$CID" | jq -r '.Runtime.Options.value' | base64 -d | od -An -tx1 -v | tr -d ' \n')"
	want="32$(printf '%02x' "${#HARDRUN}")$(printf '%s' "$HARDRUN" | od -An -tx1 -v | tr -d ' \n')"
	echo "runtime options: $opts; want $want"
	[[ "$opts" == *"$want"* ]]

	local bundle="$(ctrd_bundle "$CID")"
	[ -f "$bundle/config.json" ]
	jq -e '.annotations["hardrun.test/k"] == "v"' "$bundle/config.json"
	jq -e '.annotations["mode.hardrun.io/POD"] == "off"' "$bundle/config.json"

	wait_for 10 sh -c "ctr -a '$CT_SOCK' -n '$CT_NS' tasks ls | grep -q '$CID.*RUNNING'"
	# the runtime under test keeps its state in --runc-root
	[ -d "$BATS_FILE_TMPDIR/runc-root/$CT_NS/$CID" ]

	run c tasks exec --exec-id "e-$CID" "$CID" sh -c 'echo exec-ok:$(id -u); exit 5' </dev/null
	[ "$status" = 5 ]
	[ "$output" = "exec-ok:0" ]

	run c tasks ps "$CID"
	[ "$status" = 0 ]

	c tasks pause "$CID"
	wait_for 10 sh -c "ctr -a '$CT_SOCK' -n '$CT_NS' tasks ls | grep -q '$CID.*PAUSED'"
	c tasks resume "$CID"

	c tasks kill -s TERM "$CID" # sleep as pid 1 ignores TERM
	c tasks exec --exec-id alive "$CID" true # it still runs: an exec into it works
	c tasks ls | grep -q "$CID.*RUNNING"
	c tasks kill -s KILL "$CID"
	wait_for 10 sh -c "ctr -a '$CT_SOCK' -n '$CT_NS' tasks ls | grep -q '$CID.*STOPPED'"
	c tasks delete "$CID"
	c containers delete "$CID"
	[ ! -e "$bundle" ]
}

@test "containerd: a failing create reports the runtime's error" {
	run c run --rm $(crun_opts) "$IMAGE_NAME" "$CID" /no/such/binary </dev/null
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" == *"/no/such/binary"* ]]
}

@test "containerd: hardrun's own error reaches ctr" {
	requires_hardrun
	node_config '{"noSuchKey": true}'
	run c run --rm $(crun_opts) "$IMAGE_NAME" "$CID" true </dev/null
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" == *"hardrun: "* ]]
}

# ------------------------------------------------------------ launch audit --

events_lines() {
	local f="$(dirname "$NODE_CONFIG_FILE")/events.jsonl"
	[ -f "$f" ] && wc -l <"$f" || echo 0
}

# launch_events FROM ID: the launch events (JSON lines) of container ID in the
# suite's eventsFile after its first FROM lines.
launch_events() {
	local f="$(dirname "$NODE_CONFIG_FILE")/events.jsonl"
	[ -f "$f" ] || return 0
	tail -n +"$(($1 + 1))" "$f" | jq -c --arg id "$2" \
		'select(.output_fields["container.id"] == $id and (.output_fields["hardrun.rule_id"] | startswith("launch_")))'
}

# launch_run [CTR-RUN-FLAGS...] ID CMD...: `ctr run --rm` through hardrun (bats
# `run`: status, output); EV: the launch events of ID it added.
launch_run() {
	local n id i
	n="$(events_lines)"
	for ((i = 1; i <= $#; i++)); do
		[ "${!i}" = "$IMAGE_NAME" ] && { i=$((i + 1)); id="${!i}"; break; }
	done
	run c run --rm $(crun_opts) "$@" </dev/null
	echo "$output"
	EV="$(launch_events "$n" "$id")"
	echo "events: $EV"
}

# has_event RULE JQ-CONDITION: EV has exactly one RULE event, and it meets the condition.
has_event() {
	jq -se --arg r "$1" "map(select(.output_fields[\"hardrun.rule_id\"] == \$r))
		| length == 1 and (.[0] | $2)" <<<"$EV"
}

@test "launch audit: --privileged, a bind of host / and --net-host each raise their event, and run" {
	requires_hardrun
	launch_run --privileged "$IMAGE_NAME" "$CID" sh -c 'echo priv-ok'
	[ "$status" = 0 ]
	[ "$output" = priv-ok ]
	has_event launch_privileged '.rule == "Launch Privileged Container" and .priority == "Critical"
		and (.output_fields["hardrun.evidence"] | startswith("capabilities: all"))
		and .output_fields["hardrun.action"] == "alert"'

	CID="$(new_id ctr)"
	launch_run --mount type=bind,src=/,dst=/host,options=rbind:ro \
		"$IMAGE_NAME" "$CID" sh -c 'test -d /host/etc && echo bind-ok'
	[ "$status" = 0 ]
	[ "$output" = bind-ok ]
	[ "$(wc -l <<<"$EV")" = 1 ]
	has_event launch_sensitive_mount '.output_fields["hardrun.evidence"] == "/ on /host (ro)"'

	CID="$(new_id ctr)"
	launch_run --net-host "$IMAGE_NAME" "$CID" sh -c 'echo net-ok'
	[ "$status" = 0 ]
	[ "$output" = net-ok ]
	[ "$(wc -l <<<"$EV")" = 1 ]
	has_event launch_host_namespace '.output_fields["hardrun.evidence"] == "network"'
}

@test "launch audit: a hardened (baseline) privileged container is reported with its profile" {
	requires_hardrun
	node_config '{"defaultMode": "enforce"}'
	launch_run --privileged "$IMAGE_NAME" "$CID" sh -c 'echo priv-ok'
	node_config
	[ "$status" = 0 ]
	[ "$output" = priv-ok ]
	has_event launch_privileged '.output_fields["hardrun.profile"] == "baseline"'
}

@test "launch audit: launch_privileged=deny fails the privileged create, naming the rule; nothing runs" {
	requires_hardrun
	node_config '{"launchPolicy": {"launch_privileged": "deny"}}'
	launch_run --privileged "$IMAGE_NAME" "$CID" sh -c 'echo must-not-run'
	node_config
	[ "$status" != 0 ]
	[[ "$output" == *"hardrun: launch_privileged: capabilities: all"* ]]
	[[ "$output" != *must-not-run* ]]
	has_event launch_privileged '.output_fields["hardrun.action"] == "deny"'
	run c tasks ls -q
	[[ "$output" != *"$CID"* ]]
	# an unprivileged container still runs under that policy
	node_config '{"launchPolicy": {"launch_privileged": "deny"}}'
	CID="$(new_id ctr)"
	launch_run "$IMAGE_NAME" "$CID" sh -c 'echo plain-ok'
	node_config
	[ "$status" = 0 ]
	[ "$output" = plain-ok ]
	[ -z "$EV" ]
}

# A host-network pod as containerd's CRI makes it (annotations exactly as
# containerd 1.6 writes them): its host namespace is reported once, on the
# sandbox, not on each container.
@test "launch audit: a host-network pod reports its host namespace once, on the sandbox" {
	requires_hardrun
	local data="$BATS_TEST_DIRNAME/../tests/data/cri/containerd-1.6.json" sb n
	local -a sb_ann app_ann
	sb="$(jq -r '.sandbox["io.kubernetes.cri.sandbox-id"]' "$data")"
	mapfile -t sb_ann < <(jq -r '.sandbox | to_entries[] | "--annotation=\(.key)=\(.value)"' "$data")
	mapfile -t app_ann < <(jq -r '.container | to_entries[] | "--annotation=\(.key)=\(.value)"' "$data")
	ctrd_remove "$sb"
	n="$(events_lines)"
	c run -d $(crun_opts) --net-host "${sb_ann[@]}" "$IMAGE_NAME" "$sb" sleep 1000 </dev/null
	EV="$(launch_events "$n" "$sb")"
	echo "sandbox: $EV"
	[ "$(wc -l <<<"$EV")" = 1 ]
	has_event launch_host_namespace '.output_fields["hardrun.evidence"] == "network"
		and .output_fields["k8s.ns.name"] == "team-a"
		and .output_fields["k8s.pod.name"] == "web-7d9f4"
		and .output_fields["k8s.pod.uid"] == "0b1c2d3e-aaaa-bbbb-cccc-1234567890ab"'
	launch_run --net-host "${app_ann[@]}" "$IMAGE_NAME" "$CID" sh -c 'echo app-ok'
	[ "$status" = 0 ]
	[ "$output" = app-ok ]
	[ -z "$EV" ]
	ctrd_remove "$sb"
	# the sandbox gone, a container of that pod reports for itself
	CID="$(new_id ctr)"
	launch_run --net-host "${app_ann[@]}" "$IMAGE_NAME" "$CID" true
	[ "$status" = 0 ]
	has_event launch_host_namespace '.output_fields["container.name"] == "app"
		and .output_fields["container.image"] == "docker.io/library/busybox:latest"'
}
