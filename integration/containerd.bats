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
