#!/usr/bin/env bats
# podman (via conmon) drives $HARDRUN with --runtime.  Private storage under a
# temp dir (vfs driver), cgroupfs, file events, no network: nothing on the
# host's podman state is touched and nothing is pulled.

load helpers

PM_IMAGE=localhost/busybox-hardrun

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	for c in podman conmon; do
		command -v "$c" >/dev/null || skip "$c is not installed"
	done
	export PM="$BATS_FILE_TMPDIR/podman"
	mkdir -p "$PM"
	ensure_rootfs
	pm import "$ROOTFS_TAR" "$PM_IMAGE" >"$PM/import.log" 2>&1 || {
		cat "$PM/import.log" >&3
		return 1
	}
	# Can podman run a container here at all (with runc)?  If not, say why.
	if ! pm_run --runtime "$RUNC" --rm "$PM_IMAGE" true >"$PM/probe.log" 2>&1; then
		echo "podman cannot run containers here: $(tail -n 1 "$PM/probe.log")" >"$PM/skip"
	fi
}

teardown_file() {
	[ -n "${PM:-}" ] || return 0
	pm rm -af -t 0 >/dev/null 2>&1 || true
	umount_under "$PM"
}

setup() {
	[ ! -f "$PM/skip" ] || skip "$(cat "$PM/skip")"
	common_setup
	NAME="$(new_id pm)"
	# conmon starts the runtime with a clean environment, so HARDRUN_CONFIG
	# (the test's node config) is handed over by a two-line runtime wrapper;
	# on a node hardrun reads /etc/hardrun/config.json instead.
	PM_RUNTIME="$BATS_TEST_TMPDIR/hardrun-runtime"
	printf '#!/bin/sh\nHARDRUN_CONFIG=%q exec %q "$@"\n' "$HARDRUN_CONFIG" "$HARDRUN" >"$PM_RUNTIME"
	chmod 0755 "$PM_RUNTIME"
}

teardown() {
	pm rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
	common_teardown
}

# pm ARGS...: podman with the private storage and host-friendly options.
pm() {
	podman --root "$PM/root" --runroot "$PM/run" --tmpdir "$PM/tmp" \
		--storage-driver vfs --cgroup-manager=cgroupfs --events-backend=file "$@"
}

# pm_run ARGS...: `pm run` with the options this host needs: no network
# (no netavark/CNI setup) and small rlimits (podman's defaults raise nofile and
# nproc to 1048576, which fails without CAP_SYS_RESOURCE).
pm_run() {
	pm run --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@"
}

@test "podman: run --rm through HARDRUN returns output and exit code" {
	run pm_run --runtime "$PM_RUNTIME" --rm --name "$NAME" "$PM_IMAGE" \
		sh -c 'echo hello-from-podman; echo err >&2; exit 3' </dev/null
	echo "$output"
	[ "$status" = 3 ]
	[ "${lines[0]}" = hello-from-podman ]
	[[ "$output" == *err* ]]
}

@test "podman: detached container, annotation in the bundle, exec, stop, rm" {
	pm_run --runtime "$PM_RUNTIME" -d --name "$NAME" --annotation hardrun.test/k=v \
		"$PM_IMAGE" sleep 1000 </dev/null
	run pm inspect "$NAME"
	[ "$status" = 0 ]
	jq -e --arg h "$PM_RUNTIME" '.[0].OCIRuntime == $h' <<<"$output"
	local id bundle
	id="$(jq -r '.[0].Id' <<<"$output")"
	bundle="$(jq -r '.[0].OCIConfigPath // empty' <<<"$output")"
	[ -n "$bundle" ] || bundle="$PM/run/vfs-containers/$id/userdata/config.json"
	[ -f "$bundle" ]
	jq -e '.annotations["hardrun.test/k"] == "v"' "$bundle"

	run pm exec "$NAME" sh -c 'echo exec-ok:$(id -u); exit 4' </dev/null
	[ "$status" = 4 ]
	[ "$output" = exec-ok:0 ]

	run pm top "$NAME"
	[ "$status" = 0 ]

	pm pause "$NAME"
	[ "$(pm inspect -f '{{.State.Status}}' "$NAME")" = paused ]
	pm unpause "$NAME"

	pm stop -t 1 "$NAME"
	[ "$(pm inspect -f '{{.State.Status}}' "$NAME")" = exited ]
	pm rm "$NAME"
}

@test "podman: run -t with a terminal (console socket via conmon)" {
	run pm_run --runtime "$PM_RUNTIME" --rm -t --name "$NAME" "$PM_IMAGE" sh -c 'tty' </dev/null
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == /dev/pts/* ]]
}

@test "podman: hardrun's own error reaches podman" {
	requires_hardrun
	node_config '{"noSuchKey": true}'
	run pm_run --runtime "$PM_RUNTIME" --rm --name "$NAME" "$PM_IMAGE" true </dev/null
	echo "$output"
	[ "$status" != 0 ]
	[[ "$output" == *"hardrun: "* ]]
}
