#!/usr/bin/env bats
# deploy/: the node installer against fixture containerd configs, a real containerd
# running a container through the installed handler binary, man pages, manifests.
#
# HARDRUN: the binary to install (default /usr/sbin/runc as a stand-in until the
# lead's hardrun exists).  containerd 1.6 is used for real `config dump` checks; it
# cannot parse config version 3, so the containerd 2.x case uses
# data/containerd/fake-containerd2 (a deep-merge emulation) and checks structure only.

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	DATA=$BATS_TEST_DIRNAME/data/containerd
	INSTALL=$REPO/deploy/install-node.sh
	HARDRUN=${HARDRUN:-/usr/sbin/runc}
	[ -x "$HARDRUN" ] || skip "no hardrun binary at $HARDRUN"
	R=$BATS_TEST_TMPDIR/root
	SRC=$BATS_TEST_TMPDIR/src
	RESTARTS=$BATS_TEST_TMPDIR/restarts
	mkdir -p "$R" "$SRC/profiles"
	if ls "$REPO"/profiles/*.json >/dev/null 2>&1; then
		cp "$REPO"/profiles/*.json "$SRC/profiles/"
	else
		echo '{"hardrun": 1, "name": "baseline"}' >"$SRC/profiles/baseline.json"
	fi
}

need_containerd() {
	command -v containerd >/dev/null || skip "containerd not installed"
	containerd --version | grep -q ' v\?1\.' || skip "these fixtures need containerd 1.x"
}

need_tomllib() {
	python3 -c 'import tomllib' 2>/dev/null || skip "python3 tomllib (3.11+) needed for the independent TOML check"
}

# installer with every path under $R, a recording restart command, no kubectl
inst() {
	sh "$INSTALL" --root "$R" --source "$SRC" --binary "$HARDRUN" \
		--restart-cmd "echo restart >>'$RESTARTS'" --no-label "$@"
}

# containerd resolves relative imports against its cwd (/ on a node): dump from $R
dump() { (cd "$R" && "${2:-containerd}" --config "$1" config dump); }

restarts() { if [ -f "$RESTARTS" ]; then wc -l <"$RESTARTS"; else echo 0; fi; }

# every file under $R with its hash and mode: "nothing changed" means this is equal
snapshot() { (cd "$R" && find . -type f -exec sh -c 'for f; do printf "%s %s\n" "$(stat -c %a "$f")" "$(sha256sum "$f")"; done' _ {} + | sort); }

ctd_fixture() { # ctd_fixture MAIN [IMPORTS_DIR]
	mkdir -p "$R/etc/containerd"
	cp "$DATA/$1" "$R/etc/containerd/config.toml"
	[ -z "${2-}" ] || cp -r "$DATA/$2" "$R/etc/containerd/conf.d"
	dump "$R/etc/containerd/config.toml" >"$BATS_TEST_TMPDIR/before.dump"
}

CRI1=plugins/io.containerd.grpc.v1.cri/containerd/runtimes
CRI2=plugins/io.containerd.cri.v1.runtime/containerd/runtimes

check_installed_1x() {
	dump "$R/etc/containerd/config.toml" >"$BATS_TEST_TMPDIR/after.dump"
	python3 "$DATA/check-dump.py" install "$BATS_TEST_TMPDIR/before.dump" "$BATS_TEST_TMPDIR/after.dump" \
		"$CRI1" /usr/local/bin/hardrun
	cmp "$HARDRUN" "$R/usr/local/bin/hardrun"
	[ -x "$R/usr/local/bin/hardrun" ]
	[ -f "$R/etc/hardrun/config.json" ]
}

# the full cycle on a containerd 1.x fixture
cycle_1x() { # cycle_1x MAIN [IMPORTS_DIR]
	ctd_fixture "$@"
	cp "$R/etc/containerd/config.toml" "$BATS_TEST_TMPDIR/orig.toml"

	# --dry-run: prints the change, changes nothing
	snapshot >"$BATS_TEST_TMPDIR/snap0"
	run inst --dry-run
	[ "$status" -eq 0 ]
	echo "$output" | grep -qF '+[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hardrun]'
	echo "$output" | grep -q 'would restart containerd'
	snapshot | diff "$BATS_TEST_TMPDIR/snap0" -
	[ "$(restarts)" -eq 0 ]

	run inst
	[ "$status" -eq 0 ]
	[ "$(restarts)" -eq 1 ]
	check_installed_1x
	[ -f "$R/etc/containerd/config.toml.hardrun-backup" ]
	cmp "$BATS_TEST_TMPDIR/orig.toml" "$R/etc/containerd/config.toml.hardrun-backup"

	# a second run changes nothing and does not restart
	snapshot >"$BATS_TEST_TMPDIR/snap1"
	run inst
	[ "$status" -eq 0 ]
	echo "$output" | grep -q 'nothing to change'
	snapshot | diff "$BATS_TEST_TMPDIR/snap1" -
	[ "$(restarts)" -eq 1 ]

	run inst verify
	[ "$status" -eq 0 ]

	# uninstall --dry-run changes nothing; uninstall restores the file byte for byte
	run inst uninstall --dry-run
	[ "$status" -eq 0 ]
	snapshot | diff "$BATS_TEST_TMPDIR/snap1" -
	run inst uninstall
	[ "$status" -eq 0 ]
	[ "$(restarts)" -eq 2 ]
	cmp "$BATS_TEST_TMPDIR/orig.toml" "$R/etc/containerd/config.toml"
	dump "$R/etc/containerd/config.toml" >"$BATS_TEST_TMPDIR/after.dump"
	python3 "$DATA/check-dump.py" uninstall "$BATS_TEST_TMPDIR/before.dump" "$BATS_TEST_TMPDIR/after.dump" "$CRI1" -
	# the binary stays, as a pass-through for containers that still reference it
	[ -x "$R/usr/local/bin/hardrun" ]
	grep -q '"defaultMode": "off"' "$R/etc/hardrun/config.json"
	run inst verify
	[ "$status" -ne 0 ]

	# uninstall twice: nothing more to do
	run inst uninstall
	[ "$status" -eq 0 ]
	[ "$(restarts)" -eq 2 ]

	# reinstall brings the admin's node config back
	run inst
	[ "$status" -eq 0 ]
	! grep -q '"defaultMode": "off"' "$R/etc/hardrun/config.json"
	check_installed_1x
}

@test "installer: containerd 1.6 default config (real containerd config dump)" {
	need_containerd
	need_tomllib
	cycle_1x 1.6-default.toml
	# the default config defines no runtime but runc: no runc copy was needed
	grep -c 'runtimes.runc]' "$R/etc/containerd/config.toml" | grep -qx 1
}

@test "installer: containerd 1.6 custom runc options (SystemdCgroup, Root, imports)" {
	need_containerd
	need_tomllib
	cycle_1x 1.6-custom.toml conf.d-1.6
	dump "$R/etc/containerd/config.toml" >"$BATS_TEST_TMPDIR/d"
	python3 - "$BATS_TEST_TMPDIR/d" <<'PY'
import sys, tomllib
rt = tomllib.load(open(sys.argv[1], "rb"))["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]
o = rt["hardrun"]["options"]
assert o["SystemdCgroup"] is True, o
assert o["Root"] == "/run/containerd/runc-custom", o
assert o["BinaryName"] == "/usr/local/bin/hardrun", o
assert rt["runc"]["options"]["BinaryName"] == "/usr/sbin/runc"
assert rt["hardrun"]["pod_annotations"] == ["*.hardrun.io/*", "io.kubernetes.cri.sandbox-*"], rt["hardrun"]
assert "crun" in rt
PY
}

@test "installer: no config.toml at all (containerd defaults) creates one, uninstall removes it" {
	need_containerd
	need_tomllib
	printf 'version = 2\n' >"$BATS_TEST_TMPDIR/empty.toml"
	dump "$BATS_TEST_TMPDIR/empty.toml" >"$BATS_TEST_TMPDIR/before.dump"
	run inst
	[ "$status" -eq 0 ]
	check_installed_1x
	# a config defining any runtime replaces containerd's default map: runc was copied
	grep -q 'runtimes.runc]' "$R/etc/containerd/config.toml"
	run inst uninstall
	[ "$status" -eq 0 ]
	[ ! -e "$R/etc/containerd/config.toml" ]
}

@test "installer: refuses (writes nothing) when an imported file holds a stale hardrun handler" {
	need_containerd
	ctd_fixture 1.6-custom.toml conf.d-stale-hardrun
	snapshot >"$BATS_TEST_TMPDIR/snap0"
	run inst --dry-run
	[ "$status" -ne 0 ]
	run inst
	[ "$status" -ne 0 ]
	echo "$output" | grep -q 'error:'
	snapshot | diff "$BATS_TEST_TMPDIR/snap0" -
	cmp "$DATA/1.6-custom.toml" "$R/etc/containerd/config.toml"
	[ ! -e "$R/etc/containerd/config.toml.hardrun-backup" ]
	[ "$(restarts)" -eq 0 ]
}

@test "installer: refuses a config whose version it cannot handle (version 1)" {
	need_containerd
	mkdir -p "$R/etc/containerd"
	printf '[plugins.cri]\n  sandbox_image = "x"\n' >"$R/etc/containerd/config.toml"
	run inst
	[ "$status" -ne 0 ]
	echo "$output" | grep -q "version '1' is not supported"
}

@test "installer: a binary that does not run on the host never becomes a handler" {
	need_containerd
	ctd_fixture 1.6-default.toml
	printf '#!/nonexistent/interpreter\n' >"$BATS_TEST_TMPDIR/broken"
	chmod +x "$BATS_TEST_TMPDIR/broken"
	run sh "$INSTALL" --root "$R" --source "$SRC" --binary "$BATS_TEST_TMPDIR/broken" \
		--restart-cmd "echo restart >>'$RESTARTS'" --no-label
	[ "$status" -ne 0 ]
	echo "$output" | grep -q 'does not run here'
	cmp "$DATA/1.6-default.toml" "$R/etc/containerd/config.toml"
	[ "$(restarts)" -eq 0 ]
}

@test "installer: containerd 2.x (config version 3) drop-in — structural check, containerd 2.x not installed" {
	need_tomllib
	C2=$DATA/fake-containerd2
	mkdir -p "$R/etc/containerd"
	cp "$DATA/2.x-config.toml" "$R/etc/containerd/config.toml"
	cp -r "$DATA/conf.d-2.x" "$R/etc/containerd/conf.d"
	dump "$R/etc/containerd/config.toml" "$C2" >"$BATS_TEST_TMPDIR/before.dump"

	run inst --containerd "$C2" --dry-run
	[ "$status" -eq 0 ]
	[ ! -e "$R/etc/containerd/conf.d/hardrun.toml" ]
	run inst --containerd "$C2"
	[ "$status" -eq 0 ]
	[ "$(restarts)" -eq 1 ]
	# main file untouched: 2.x merges drop-ins table by table
	cmp "$DATA/2.x-config.toml" "$R/etc/containerd/config.toml"
	python3 - "$R/etc/containerd/conf.d/hardrun.toml" <<'PY'
import sys, tomllib
d = tomllib.load(open(sys.argv[1], "rb"))
assert d["version"] == 3
h = d["plugins"]["io.containerd.cri.v1.runtime"]["containerd"]["runtimes"]["hardrun"]
assert h["runtime_type"] == "io.containerd.runc.v2"
assert h["options"] == {"BinaryName": "/usr/local/bin/hardrun", "SystemdCgroup": True}, h
assert h["pod_annotations"] == ["*.hardrun.io/*"] and h["container_annotations"] == ["*.hardrun.io/*"]
PY
	dump "$R/etc/containerd/config.toml" "$C2" >"$BATS_TEST_TMPDIR/after.dump"
	python3 "$DATA/check-dump.py" install "$BATS_TEST_TMPDIR/before.dump" "$BATS_TEST_TMPDIR/after.dump" \
		"$CRI2" /usr/local/bin/hardrun

	snapshot >"$BATS_TEST_TMPDIR/snap1"
	run inst --containerd "$C2"
	[ "$status" -eq 0 ]
	snapshot | diff "$BATS_TEST_TMPDIR/snap1" -
	[ "$(restarts)" -eq 1 ]

	run inst --containerd "$C2" uninstall
	[ "$status" -eq 0 ]
	[ ! -e "$R/etc/containerd/conf.d/hardrun.toml" ]
	[ "$(ls "$R/etc/containerd/conf.d")" = registry.toml ]
	cmp "$DATA/2.x-config.toml" "$R/etc/containerd/config.toml"
}

# k3s regenerates config.toml from config.toml.tmpl at start: the restart command
# stands in for k3s and renders the template ({{ template "base" . }} = base.toml).
@test "installer: k3s config.toml.tmpl (real containerd config dump of the rendered config)" {
	need_containerd
	need_tomllib
	D=$R/var/lib/rancher/k3s/agent/etc/containerd
	mkdir -p "$D"
	cp "$DATA/k3s/config.toml.tmpl" "$D/"
	cat >"$BATS_TEST_TMPDIR/k3s-restart" <<-EOF
		echo restart >>'$RESTARTS'
		awk -v base='$DATA/k3s/base.toml' '\$0 == "{{ template \"base\" . }}" { while ((getline l < base) > 0) print l; next } { print }' \\
			'$D/config.toml.tmpl' >'$D/config.toml'
	EOF
	sh "$BATS_TEST_TMPDIR/k3s-restart"
	: >"$RESTARTS"
	cp "$D/config.toml" "$BATS_TEST_TMPDIR/rendered0"
	dump "$D/config.toml" >"$BATS_TEST_TMPDIR/before.dump"
	K="sh $INSTALL --root $R --source $SRC --binary $HARDRUN --no-label --restart-cmd"

	run $K "sh $BATS_TEST_TMPDIR/k3s-restart" --dry-run
	[ "$status" -eq 0 ]
	echo "$output" | grep -q 'layout k3s'
	cmp "$DATA/k3s/config.toml.tmpl" "$D/config.toml.tmpl"

	run $K "sh $BATS_TEST_TMPDIR/k3s-restart"
	[ "$status" -eq 0 ]
	[ "$(restarts)" -eq 1 ]
	head -n 1 "$D/config.toml.tmpl" | grep -qxF '{{ template "base" . }}'
	grep -q 'admin customisation kept' "$D/config.toml.tmpl"
	dump "$D/config.toml" >"$BATS_TEST_TMPDIR/after.dump"
	python3 "$DATA/check-dump.py" install "$BATS_TEST_TMPDIR/before.dump" "$BATS_TEST_TMPDIR/after.dump" \
		"$CRI1" /usr/local/bin/hardrun

	run $K "sh $BATS_TEST_TMPDIR/k3s-restart"
	[ "$status" -eq 0 ]
	[ "$(restarts)" -eq 1 ]

	run $K "sh $BATS_TEST_TMPDIR/k3s-restart" uninstall
	[ "$status" -eq 0 ]
	cmp "$DATA/k3s/config.toml.tmpl" "$D/config.toml.tmpl"
	cmp "$BATS_TEST_TMPDIR/rendered0" "$D/config.toml"
}

@test "installer: k3s without a template creates one from the base template" {
	need_containerd
	D=$R/var/lib/rancher/k3s/agent/etc/containerd
	mkdir -p "$D"
	cp "$DATA/k3s/base.toml" "$D/config.toml"
	# no k3s to regenerate config.toml here: --no-restart (the restart would verify it)
	run inst --no-restart
	[ "$status" -eq 0 ]
	echo "$output" | grep -q 'restart containerd to apply it'
	[ "$(restarts)" -eq 0 ]
	head -n 1 "$D/config.toml.tmpl" | grep -qxF '{{ template "base" . }}'
	run inst uninstall --no-restart
	[ "$status" -eq 0 ]
	[ ! -e "$D/config.toml.tmpl" ]
}

@test "installer: microk8s containerd-template.toml (layout detected, real containerd config dump)" {
	need_containerd
	need_tomllib
	local T=$R/var/snap/microk8s/current/args/containerd-template.toml
	mkdir -p "${T%/*}"
	# microk8s renders ${SNAP_DATA}-style variables at start; they are plain strings to TOML
	sed -e 's|^root = .*|root = "${SNAP_COMMON}/var/lib/containerd"|' \
		-e 's|^state = .*|state = "${SNAP_DATA}/run/containerd"|' "$DATA/1.6-default.toml" >"$T"
	cp "$T" "$BATS_TEST_TMPDIR/orig.toml"
	dump "$T" >"$BATS_TEST_TMPDIR/before.dump"
	run inst
	[ "$status" -eq 0 ]
	echo "$output" | grep -q 'layout microk8s'
	dump "$T" >"$BATS_TEST_TMPDIR/after.dump"
	python3 "$DATA/check-dump.py" install "$BATS_TEST_TMPDIR/before.dump" "$BATS_TEST_TMPDIR/after.dump" \
		"$CRI1" /usr/local/bin/hardrun
	run inst uninstall
	[ "$status" -eq 0 ]
	cmp "$BATS_TEST_TMPDIR/orig.toml" "$T"
}

@test "installer: labels the node through kubectl, unlabels on uninstall" {
	need_containerd
	ctd_fixture 1.6-default.toml
	cat >"$BATS_TEST_TMPDIR/kubectl" <<-EOF
		#!/bin/sh
		echo "\$*" >>'$BATS_TEST_TMPDIR/kubectl.log'
	EOF
	chmod +x "$BATS_TEST_TMPDIR/kubectl"
	run sh "$INSTALL" --root "$R" --source "$SRC" --binary "$HARDRUN" --restart-cmd true \
		--kubectl "$BATS_TEST_TMPDIR/kubectl" --node-name node-1
	[ "$status" -eq 0 ]
	grep -qx 'label node node-1 hardrun.io/installed=true --overwrite' "$BATS_TEST_TMPDIR/kubectl.log"
	run sh "$INSTALL" --root "$R" --source "$SRC" --binary "$HARDRUN" --restart-cmd true \
		--kubectl "$BATS_TEST_TMPDIR/kubectl" --node-name node-1 uninstall
	[ "$status" -eq 0 ]
	grep -qx 'label node node-1 hardrun.io/installed- --overwrite' "$BATS_TEST_TMPDIR/kubectl.log"
}

# A minimal busybox OCI image from /bin/busybox (no pulls).  The lead's helpers.bash
# may provide its own builder; this one is local to the deploy suite.
deploy_busybox_oci() { # deploy_busybox_oci OUT.tar
	local d=$BATS_TEST_TMPDIR/img L LS C CS M MS a
	[ -x /bin/busybox ] || skip "busybox-static not installed"
	mkdir -p "$d/rootfs/bin" "$d/rootfs/proc" "$d/rootfs/sys" "$d/rootfs/dev" "$d/rootfs/etc" \
		"$d/rootfs/tmp" "$d/blobs/sha256"
	cp /bin/busybox "$d/rootfs/bin/"
	for a in sh echo cat sleep; do ln -s busybox "$d/rootfs/bin/$a"; done
	tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -C "$d/rootfs" -cf "$d/layer" .
	L=$(sha256sum "$d/layer" | cut -d' ' -f1) LS=$(stat -c %s "$d/layer")
	mv "$d/layer" "$d/blobs/sha256/$L"
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$L" >"$d/c"
	C=$(sha256sum "$d/c" | cut -d' ' -f1) CS=$(stat -c %s "$d/c")
	mv "$d/c" "$d/blobs/sha256/$C"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
		"$C" "$CS" "$L" "$LS" >"$d/m"
	M=$(sha256sum "$d/m" | cut -d' ' -f1) MS=$(stat -c %s "$d/m")
	mv "$d/m" "$d/blobs/sha256/$M"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"localhost/busybox:deploy-test"}}]}' \
		"$M" "$MS" >"$d/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
	tar -C "$d" -cf "$1" oci-layout index.json blobs
}

@test "containerd started with the installer's config runs a container through the installed hardrun binary" {
	need_containerd
	command -v ctr >/dev/null || skip "ctr not installed"
	[ "$(id -u)" = 0 ] || skip "needs root to run containerd"
	ctd_fixture 1.6-default.toml
	# the installed "hardrun" logs its argv, then execs $HARDRUN: proves BinaryName is called
	cat >"$BATS_TEST_TMPDIR/hardrun-logging" <<-EOF
		#!/bin/sh
		echo "\$*" >>'$BATS_TEST_TMPDIR/calls.log'
		exec '$HARDRUN' "\$@"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/hardrun-logging"
	run sh "$INSTALL" --root "$R" --source "$SRC" --binary "$BATS_TEST_TMPDIR/hardrun-logging" \
		--restart-cmd true --no-label -q
	[ "$status" -eq 0 ]

	# the installed config, moved to a private root/state/socket
	local T=$BATS_TEST_TMPDIR/ctd sock cfg bin
	mkdir -p "$T"
	sock=$T/containerd.sock cfg=$T/config.toml bin=$R/usr/local/bin/hardrun
	sed -e "s|^root = .*|root = \"$T/root\"|" -e "s|^state = .*|state = \"$T/state\"|" \
		-e "s|^  address = \"/run/containerd/containerd.sock\"|  address = \"$sock\"|" \
		"$R/etc/containerd/config.toml" >"$cfg"
	grep -q "address = \"$sock\"" "$cfg"
	# the handler in the config is the one we will drive (BinaryName -> the installed copy)
	dump "$cfg" | grep -q 'BinaryName = "/usr/local/bin/hardrun"'

	# the installed node config, re-rooted under $R (profiles as installed) with
	# short state paths; containerd hands its environment to the runtime
	local st
	st=$(mktemp -d /tmp/hr-deploy.XXXXXX)
	jq --arg r "$R" --arg s "$st" '.profileDirs |= map($r + .) | .stateDir = $s + "/state" |
		.recordingsDir = $s + "/rec" | .eventsFile = $s + "/events.jsonl"' \
		"$R/etc/hardrun/config.json" >"$T/node-config.json"
	echo "$st" >"$T/hr-state"
	HARDRUN_CONFIG="$T/node-config.json" containerd --config "$cfg" >"$T/log" 2>&1 &
	echo $! >"$T/pid"
	local up=0
	for _ in $(seq 100); do ctr -a "$sock" version >/dev/null 2>&1 && up=1 && break; sleep 0.1; done
	[ "$up" = 1 ] || { echo "containerd did not come up:"; cat "$T/log"; false; }
	ctr -a "$sock" plugins ls | grep -E 'io.containerd.grpc.v1 +cri .* ok'

	deploy_busybox_oci "$T/busybox.tar"
	ctr -a "$sock" -n deploy-test images import "$T/busybox.tar"
	# CRI's runtime handler cannot be driven without a kubelet/crictl here: run the
	# handler's runtime_type with its BinaryName, as the CRI plugin would.
	run ctr -a "$sock" -n deploy-test run --rm --runtime io.containerd.runc.v2 \
		--runc-binary "$bin" localhost/busybox:deploy-test deploy-t1 /bin/echo hello-from-hardrun
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-hardrun ]
	grep -q ' create --bundle ' "$BATS_TEST_TMPDIR/calls.log"
	grep -q ' start deploy-t1' "$BATS_TEST_TMPDIR/calls.log"
}

@test "containerd handler snippets: v2 accepted by containerd 1.6, v3 well-formed" {
	need_containerd
	need_tomllib
	# v2: appended to a config with a runc handler (how 1.x must use it)
	{ cat "$DATA/1.6-default.toml"; grep -v '^version' "$REPO/deploy/containerd/hardrun-v2.toml"; } >"$BATS_TEST_TMPDIR/c.toml"
	dump "$BATS_TEST_TMPDIR/c.toml" >"$BATS_TEST_TMPDIR/d"
	python3 - "$BATS_TEST_TMPDIR/d" "$REPO/deploy/containerd/hardrun-v3.toml" <<'PY'
import sys, tomllib
rt = tomllib.load(open(sys.argv[1], "rb"))["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]
h3 = tomllib.load(open(sys.argv[2], "rb"))
h3 = h3["plugins"]["io.containerd.cri.v1.runtime"]["containerd"]["runtimes"]["hardrun"]
for h in (rt["hardrun"], h3):
    assert h["runtime_type"] == "io.containerd.runc.v2", h
    assert h["options"]["BinaryName"] == "/usr/local/bin/hardrun", h
    assert "SystemdCgroup" in h["options"], h
    assert h["pod_annotations"] == ["*.hardrun.io/*"] == h["container_annotations"], h
assert "runc" in rt
PY
}

@test "deploy/config.json: the documented defaults, every key of the contract" {
	command -v jq >/dev/null || skip "jq not installed"
	run jq -r 'keys_unsorted | join(" ")' "$REPO/deploy/config.json"
	[ "$status" -eq 0 ]
	[ "$output" = "runtime defaultMode defaultProfile allowedProfiles allowModeOff profileDirs stateDir recordingsDir eventsFile lsmUnavailable" ]
	[ "$(jq -r .defaultMode "$REPO/deploy/config.json")" = enforce ]
	# the installer installs exactly this file as the node default
	ctd_fixture 1.6-default.toml
	mkdir -p "$SRC/deploy"
	cp "$REPO/deploy/config.json" "$SRC/deploy/"
	run inst -q
	[ "$status" -eq 0 ]
	cmp "$REPO/deploy/config.json" "$R/etc/hardrun/config.json"
}

@test "install-node.sh: shellcheck clean (POSIX sh)" {
	command -v shellcheck >/dev/null || skip "shellcheck not installed"
	shellcheck -s sh "$INSTALL"
}

@test "man pages render without warnings" {
	command -v groff >/dev/null || skip "groff not installed (apt-get install groff-base)"
	local f out
	for f in "$REPO"/man/hardrun.8 "$REPO"/man/hardrun-profile.5 "$REPO"/man/hardrun.conf.5; do
		[ -f "$f" ]
		out=$(groff -man -ww -z "$f" 2>&1)
		[ -z "$out" ] || { echo "$f: $out"; false; }
		if command -v man >/dev/null; then
			out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
			[ -z "$out" ] || { echo "$f: $out"; false; }
		fi
	done
	# every hardrun subcommand of the contract is documented
	for f in "profile validate" "profile show" "profile export" "profile generate" "profile diff" events version; do
		grep -q "^\.B.* ${f#* }" "$REPO/man/hardrun.8" || grep -qF "$f" "$REPO/man/hardrun.8"
	done
	# every node config key is documented
	for f in runtime defaultMode defaultProfile allowedProfiles allowModeOff profileDirs stateDir \
		recordingsDir eventsFile lsmUnavailable; do
		grep -q "$f" "$REPO/man/hardrun.conf.5"
	done
}

@test "bash completion: commands, subcommands, export formats" {
	run bash -c '
		source "$1"
		c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _hardrun; echo "${COMPREPLY[*]}"; }
		c hardrun prof
		c hardrun --root /x cre
		c hardrun profile ex
		c hardrun profile export baseline --format ""
		c hardrun ps --format ""
		c hardrun ps --f
	' _ "$REPO/deploy/bash-completion/hardrun"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = profile ]
	[ "${lines[1]}" = create ]
	[ "${lines[2]}" = export ]
	[ "${lines[3]}" = "oci docker pfc bpf cil" ]
	[ "${lines[4]}" = "text json table" ]
	[ "${lines[5]}" = "--format" ]
}

@test "kubernetes manifests: parse, kustomize renders, structure as required" {
	python3 -c 'import yaml' 2>/dev/null || skip "python3 yaml (PyYAML) not installed"
	local K=$REPO/deploy/kubernetes
	if command -v kubectl >/dev/null; then
		kubectl kustomize "$K" >"$BATS_TEST_TMPDIR/all.yaml"
	else
		cat "$K"/*.yaml >"$BATS_TEST_TMPDIR/all.yaml" # (kustomization.yaml parses too)
	fi
	python3 - "$BATS_TEST_TMPDIR/all.yaml" "$K" <<'PY'
import glob, json, sys, yaml
for f in glob.glob(sys.argv[2] + "/*.yaml"):
    list(yaml.safe_load_all(open(f)))          # every file is valid YAML
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
by = {}
for d in docs:
    assert d.get("apiVersion") and d.get("kind") and d["metadata"].get("name"), d
    by.setdefault(d["kind"], []).append(d)
rc = by["RuntimeClass"][0]
assert rc["handler"] == "hardrun" and rc["metadata"]["name"] == "hardrun"
assert rc["scheduling"]["nodeSelector"] == {"hardrun.io/installed": "true"}
ds = by["DaemonSet"][0]["spec"]["template"]["spec"]
init = ds["initContainers"][0]
assert init["securityContext"]["privileged"] is True and ds["hostPID"] is True
assert ds["serviceAccountName"] == "hardrun-installer"
assert "install-node.sh" in init["command"][-1] and "nsenter --target 1" in init["command"][-1]
assert any(v["hostPath"]["path"] == "/opt/hardrun" for v in ds["volumes"])
assert any(e["name"] == "NODE_NAME" for e in init["env"])
cr = by["ClusterRole"][0]["rules"][0]
assert cr["resources"] == ["nodes"] and set(cr["verbs"]) == {"get", "patch"}
crb = by["ClusterRoleBinding"][0]
assert crb["subjects"][0]["name"] == "hardrun-installer"
vaps = {p["metadata"]["name"]: p for p in by["ValidatingAdmissionPolicy"]}
ann = vaps["hardrun-annotations"]["spec"]
text = json.dumps(ann)
for needle in ("profile.hardrun.io/", "mode.hardrun.io/", "'enforce', 'audit', 'learn'",
               "runtimeClassName == 'hardrun'", "allowedProfiles"):
    assert needle in text, needle
assert ann["matchConstraints"]["resourceRules"][0]["resources"] == ["pods"]
bindings = {b["spec"]["policyName"]: b for b in by["ValidatingAdmissionPolicyBinding"]}
assert set(bindings) == set(vaps), (bindings.keys(), vaps.keys())
assert bindings["hardrun-annotations"]["spec"]["paramRef"]["name"] == "hardrun-admission"
cm = [c for c in by["ConfigMap"] if c["metadata"]["name"] == "hardrun-admission"][0]
assert cm["metadata"]["namespace"] == "hardrun-system" and cm["data"]["allowedProfiles"]
PY
}

# CEL needs an evaluator: @bufbuild/cel from npm (package.json beside the cases;
# `npm ci --prefix integration/data/kubernetes`, done by make deps).
@test "kubernetes admission policies: CEL decisions on allowed and denied requests" {
	local K=$BATS_TEST_DIRNAME/data/kubernetes
	command -v node >/dev/null || skip "node not installed"
	[ -d "$K/node_modules/@bufbuild/cel" ] || skip "@bufbuild/cel missing: npm ci --prefix integration/data/kubernetes"
	python3 -c 'import yaml' 2>/dev/null || skip "python3 yaml (PyYAML) not installed"
	python3 -c '
import json, sys, yaml
docs = yaml.safe_load_all(open(sys.argv[1]))
json.dump([d for d in docs if d and d["kind"] == "ValidatingAdmissionPolicy"], sys.stdout)' \
		"$REPO/deploy/kubernetes/admission-policy.yaml" >"$BATS_TEST_TMPDIR/policies.json"
	run env CEL_MODULE_DIR="$K" node "$K/vap-eval.mjs" "$BATS_TEST_TMPDIR/policies.json" "$K/vap-cases.json"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 'policy cases right: 18, wrong: 0'
}

@test "kubernetes DaemonSet: the init container script is valid sh (shellcheck)" {
	python3 -c 'import yaml' 2>/dev/null || skip "python3 yaml (PyYAML) not installed"
	python3 -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
sys.stdout.write(d["spec"]["template"]["spec"]["initContainers"][0]["command"][-1])' \
		"$REPO/deploy/kubernetes/daemonset.yaml" >"$BATS_TEST_TMPDIR/init.sh"
	sh -n "$BATS_TEST_TMPDIR/init.sh"
	if command -v shellcheck >/dev/null; then shellcheck -s sh "$BATS_TEST_TMPDIR/init.sh"; fi
}

teardown() {
	local T=$BATS_TEST_TMPDIR/ctd
	if [ -f "$T/pid" ]; then
		ctr -a "$T/containerd.sock" -n deploy-test tasks kill -s KILL deploy-t1 >/dev/null 2>&1 || true
		kill "$(cat "$T/pid")" 2>/dev/null || true
		wait "$(cat "$T/pid")" 2>/dev/null || true
		# containerd leaves its overlay mounts under the temp root
		grep -o " $T/[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null || true; done
	fi
	if [ -f "$T/hr-state" ]; then rm -rf "$(cat "$T/hr-state")"; fi
}
