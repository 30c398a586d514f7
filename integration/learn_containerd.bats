#!/usr/bin/env bats
# Learning mode through containerd, as a node runs it: `ctr run --runc-binary
# $HARDRUN` with mode.hardrun.io/POD=learn, `hardrun profile generate`, then the
# same workload enforced under the generated profile, then a deviation.

load helpers

load learn_workload

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	requires_hardrun
	containerd_start
}

teardown_file() {
	containerd_stop
}

setup() {
	common_setup
	CID="$(new_id lc)"
	D="$(dirname "$NODE_CONFIG_FILE")"
	mkdir -p "$D/profiles"
	node_config "$(jq -cn --arg d "$D/profiles" --arg repo "$REPO_DIR/profiles" \
		'{defaultMode: "enforce", allowedProfiles: ["*"], profileDirs: [$d, $repo]}')"
}

teardown() {
	local id
	for id in "$CID" "$CID-e" "$CID-d"; do ctrd_remove "$id"; done
	common_teardown
}

# ctr_sh ID ANNOTATION... -- SCRIPT: run SCRIPT in a new container through $HARDRUN
ctr_sh() {
	local id="$1" a=()
	shift
	while [ "$1" != -- ]; do
		a+=(--annotation "$1")
		shift
	done
	ctrd run --rm $(ctrd_run_opts) "${a[@]}" "$IMAGE_NAME" "$id" sh -c "$2" </dev/null
}

@test "containerd: learn, generate, enforce with zero events; a deviation is denied and reported" {
	local prof="lc-$$"
	run ctr_sh "$CID" mode.hardrun.io/POD=learn "profile.hardrun.io/POD=$prof" -- "$WORKLOAD"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *workload-ok* ]]
	wait_monitors_gone_in "$D/state" # the last flush is the monitor's exit
	ls "$D/recordings/$prof/"*.json
	jq -c "{runtime: .runtime.syscalls, main: .main.syscalls, execSessions}" "$D/recordings/$prof/"*.json
	run "$HARDRUN" profile generate "$prof" -o "$D/profiles/$prof.json"
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e '.seccomp.syscalls | length > 0' "$D/profiles/$prof.json"

	: >"$D/events.jsonl"
	run ctr_sh "$CID-e" "profile.hardrun.io/POD=$prof" -- "$WORKLOAD"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *workload-ok* ]]
	wait_monitors_gone_in "$D/state" # every event is written by then
	[ ! -s "$D/events.jsonl" ]

	run ctr_sh "$CID-d" "profile.hardrun.io/POD=$prof" -- 'unshare -n true; echo "unshare rc=$?"'
	echo "$output"
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"unshare rc=1"* ]]
	wait_monitors_gone_in "$D/state"
	cat "$D/events.jsonl"
	jq -e --arg id "$CID-d" 'select(.output_fields["container.id"] == $id
		and .output_fields["hardrun.rule_id"] == "profile_deviation"
		and .output_fields["evt.type"] == "unshare")' "$D/events.jsonl"
}
