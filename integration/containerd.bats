#!/usr/bin/env bats
# containerd drives $HARDRUN through containerd-shim-runc-v2 (BinaryName),
# exactly as a node does.  A private containerd runs in a temp root for the
# suite; the image is built offline from busybox-static.

load helpers

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	for c in containerd ctr containerd-shim-runc-v2; do
		command -v "$c" >/dev/null || skip "$c is not installed"
	done
	export CT="$BATS_FILE_TMPDIR/ctrd"
	export CT_SOCK="$CT/containerd.sock"
	export CT_NS="hardrun-test-$$"
	mkdir -p "$CT"
	# containerd -> shim -> runtime inherit this env: one fixed node config file
	export NODE_CONFIG_FILE="$BATS_FILE_TMPDIR/hardrun/config.json"
	node_config
	cat >"$CT/config.toml" <<-EOF
		version = 2
		root = "$CT/root"
		state = "$CT/state"
		disabled_plugins = [
		  "io.containerd.grpc.v1.cri",
		  "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.tracing.processor.v1.otlp",
		  "io.containerd.internal.v1.tracing",
		]
		[grpc]
		  address = "$CT_SOCK"
		[ttrpc]
		  address = "$CT_SOCK.ttrpc"
		[debug]
		  address = ""
		  level = "info"
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CT/opt"
	EOF
	containerd --config "$CT/config.toml" </dev/null >"$CT/containerd.log" 2>&1 3>&- &
	echo $! >"$CT/containerd.pid"
	local i
	for i in $(seq 1 200); do
		ctr -a "$CT_SOCK" version >/dev/null 2>&1 && break
		kill -0 "$(cat "$CT/containerd.pid")" 2>/dev/null || break
		sleep 0.05
	done
	if ! ctr -a "$CT_SOCK" version >/dev/null 2>&1; then
		cat "$CT/containerd.log" >&3
		echo "# containerd did not start" >&3
		return 1
	fi
	local image
	image="$(ensure_oci_image)"
	ctr -a "$CT_SOCK" -n "$CT_NS" images import "$image" >"$CT/import.log" 2>&1 || {
		cat "$CT/import.log" "$CT/containerd.log" >&3
		return 1
	}
}

teardown_file() {
	[ -n "${CT:-}" ] || return 0
	local id pid
	for id in $(ctr -a "$CT_SOCK" -n "$CT_NS" tasks ls -q 2>/dev/null); do
		ctr -a "$CT_SOCK" -n "$CT_NS" tasks kill -s KILL "$id" >/dev/null 2>&1 || true
		ctr -a "$CT_SOCK" -n "$CT_NS" tasks delete -f "$id" >/dev/null 2>&1 || true
	done
	for id in $(ctr -a "$CT_SOCK" -n "$CT_NS" containers ls -q 2>/dev/null); do
		ctr -a "$CT_SOCK" -n "$CT_NS" containers delete "$id" >/dev/null 2>&1 || true
	done
	if [ -f "$CT/containerd.pid" ]; then
		pid="$(cat "$CT/containerd.pid")"
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	# shims outlive containerd: kill ours by their recorded pids
	for pid in $(cat "$CT"/state/io.containerd.runtime.v2.task/*/*/shim.pid 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	umount_under "$CT"
	# the (now empty) parent cgroups runc made for /<namespace>/<id>
	find /sys/fs/cgroup -maxdepth 4 -type d -name "$CT_NS" -exec rmdir {} + 2>/dev/null || true
}

setup() {
	common_setup
	CID="$(new_id ctr)"
}

teardown() {
	ctr -a "$CT_SOCK" -n "$CT_NS" tasks kill -s KILL "$CID" >/dev/null 2>&1 || true
	ctr -a "$CT_SOCK" -n "$CT_NS" tasks delete -f "$CID" >/dev/null 2>&1 || true
	ctr -a "$CT_SOCK" -n "$CT_NS" containers delete "$CID" >/dev/null 2>&1 || true
	common_teardown
}

c() {
	ctr -a "$CT_SOCK" -n "$CT_NS" "$@"
}

# crun_opts: the ctr run flags that make the shim use $HARDRUN.
crun_opts() {
	echo --runc-binary "$HARDRUN" --runc-root "$BATS_FILE_TMPDIR/runc-root"
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

	local bundle="$CT/state/io.containerd.runtime.v2.task/$CT_NS/$CID"
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
	sleep 0.3
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
