# Monitor helpers shared by monitor.bats, monitor_ptrace.bats and
# monitor_containerd.bats.
# Need: STATE (the node config's stateDir), PROFILES (a profileDirs entry),
# EVENTS (the node config's eventsFile); for bundle/hr/hrun/rund/expect_one
# also ROOT (runtime root) and HRTRIG (the static trigger binary).

# monitor_config [EXTRA]: rewrite $HARDRUN_CONFIG (node_config) for monitor
# tests: a short stateDir (sun_path is 108 bytes), any profile, $PROFILES
# first, and the keys of the JSON object EXTRA.
monitor_config() {
	node_config "$(jq -cn --arg s "$STATE" --arg p "$PROFILES" --arg r "$REPO_DIR/profiles" \
		--argjson x "${1:-{\}}" '{stateDir: $s, allowedProfiles: ["*"], profileDirs: [$p, $r]} + $x')"
	EVENTS="$(jq -r .eventsFile "$HARDRUN_CONFIG")"
}

# pod_netns_setup: a network namespace with a default route, as a pod's has
# (here through lo: no module needed), which bundle() makes its containers
# join: a connect to the metadata address or the API server then sends a
# packet (the nftables rules of metadata_connect see packets), and times out.
pod_netns_setup() {
	POD_NETNS="hrpod$$-${BATS_TEST_NUMBER:-0}"
	[ ! -e "/run/netns/$POD_NETNS" ] || return 0
	ip netns add "$POD_NETNS"
	ip -n "$POD_NETNS" link set lo up
	ip -n "$POD_NETNS" route add default dev lo
}

# profile NAME [RULES [KNOWN]]: a profile in the test's profile dir (filter:
# allow all but reboot; monitor rules RULES, knownBinaries KNOWN).
profile() {
	cat >"$PROFILES/$1.json" <<-EOF
		{"hardrun":1,"name":"$1","seccomp":{"defaultAction":"SCMP_ACT_ALLOW",
		 "architectures":["SCMP_ARCH_X86_64"],
		 "syscalls":[{"names":["reboot"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]},
		 "monitor":{"rules":${2:-{\}},"knownBinaries":${3:-[]}}}
	EOF
}

# monitor_pids: pids of every monitor serving this test's stateDir
monitor_pids() {
	monitor_pids_in "$STATE"
}

# mon_dir ID / mon_pid ID: the container's state dir and its monitor's pid
# (the supervisor's; worker.pid in the same dir is the worker's)
mon_dir() {
	dirname "$(grep -l "\"containerId\": *\"$1\"" "$STATE"/*/monitor.json)"
}

mon_pid() {
	cat "$(mon_dir "$1")/monitor.pid"
}

# kill_monitor ID: SIGKILL both processes of ID's monitor (supervisor, worker)
kill_monitor() {
	local d
	d="$(mon_dir "$1")"
	kill -9 "$(cat "$d/monitor.pid")" "$(cat "$d/worker.pid")"
}

# container_dirs: the per-container state dirs (stateDir also holds mcs/)
container_dirs() {
	ls "$STATE" | grep -E '^[0-9a-f]{16}$' || true
}

wait_monitors_gone() {
	wait_monitors_gone_in "$STATE"
}

rules_fired() {
	[ -f "$EVENTS" ] || return 0
	jq -r '.output_fields["hardrun.rule_id"] // empty' "$EVENTS"
}

# cri_annotations [FILE]: --annotation arguments for every io.kubernetes.*
# key of a container as a CRI implementation writes it (FILE in
# tests/data/cri/, default containerd-1.6.json: pod team-a/web-7d9f4,
# container app)
cri_annotations() {
	jq -r '.container | to_entries[] | select(.key | startswith("io.kubernetes."))
		| "--annotation\n\(.key)=\(.value)"' "$REPO_DIR/tests/data/cri/${1:-containerd-1.6.json}"
}

# bundle ID CMD [MODE [PROFILE [CRI]]]: $BATS_TEST_TMPDIR/b/ID running sh -c
# CMD, opted in by annotations, with the pod identity containerd's CRI writes
# (CRI: another file of tests/data/cri/) and KUBERNETES_SERVICE_* set.
bundle() {
	local id=$1 cmd=$2 mode=${3:-enforce} prof=${4:-t} cri=${5:-containerd-1.6.json}
	local b="$BATS_TEST_TMPDIR/b/$id" ann
	mapfile -t ann < <(cri_annotations "$cri")
	make_bundle --annotation "profile.hardrun.io/POD=$prof" \
		--annotation "mode.hardrun.io/POD=$mode" "${ann[@]}" \
		--env KUBERNETES_SERVICE_HOST=10.96.0.1 --env KUBERNETES_SERVICE_PORT=443 \
		"$b" /bin/sh -c "$cmd"
	# /dev/shm executable, as an emptyDir of medium Memory is: on runc's default
	# noexec /dev/shm the kernel refuses any exec before the monitor is asked
	bundle_edit "$b" '(.mounts[] | select(.destination == "/dev/shm") | .options) |=
		map(select(. != "noexec"))'
	cp "$HRTRIG" "$b/rootfs/bin/hrtrig"
	[ -z "${POD_NETNS-}" ] || bundle_edit "$b" \
		'(.linux.namespaces[] | select(.type == "network")) += {path: $p}' \
		--arg p "/run/netns/$POD_NETNS"
}

hr() {
	"$HARDRUN" --root "$ROOT" "$@"
}

# hrun ID: run ID (hardrun run) in the foreground; output in $output
hrun() {
	run hr run --bundle "$BATS_TEST_TMPDIR/b/$1" "$1" </dev/null
}

# rund ID: run ID detached
rund() {
	hr run -d --bundle "$BATS_TEST_TMPDIR/b/$1" "$1" </dev/null \
		>"$BATS_TEST_TMPDIR/$1.out" 2>&1 || { cat "$BATS_TEST_TMPDIR/$1.out"; return 1; }
}

# expect_one ID RULE CMD: CMD fires exactly one event, of RULE
expect_one() {
	local id=$1 rule=$2 cmd=$3
	rm -f "$EVENTS"
	bundle "$id" "$cmd"
	hrun "$id"
	echo "$output"
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired | wc -l)" -eq 1 ]
	[ "$(rules_fired)" = "$rule" ]
}

# each_rule_fires_once [ID...]: every rule of the default rule set, triggered
# from a container of its own, fires exactly one event of its id; the last
# event's fields are checked in full.  IDs (fl, raw, mnt, ...) are left out:
# the caller tests them elsewhere.
each_rule_fires_once() {
	local skip=" $* "
	_one() { [[ "$skip" == *" $1 "* ]] || expect_one "$@"; }
	_one fl fileless_exec 'cp /bin/busybox /dev/shm/x; /dev/shm/x true'
	_one mfd fileless_exec 'hrtrig memfd'
	_one mfp fileless_exec 'hrtrig memfdproc'
	_one raw raw_socket 'ping -c 1 127.0.0.1'
	_one pt ptrace 'hrtrig ptrace'
	_one km kernel_module 'hrtrig module'
	_one bpf bpf 'hrtrig bpf'
	_one perf perf_event 'hrtrig perf'
	_one mnt mount 'mkdir -p /mnt; mount -t tmpfs none /mnt'
	_one ns namespace_escape 'unshare -U true'
	_one suid setuid_bit 'touch /tmp/f; chmod u+s /tmp/f'
	_one sw sensitive_write '/bin/true; echo x > /etc/hostname2'
	_one md metadata_connect 'nc -w 1 169.254.169.254 80 </dev/null'
	_one k8s metadata_connect 'nc -w 1 10.96.0.1 443 </dev/null'
	_one uring io_uring 'hrtrig uring'
	expect_one rs reverse_shell 'nc -l -p 9000 >/dev/null & sleep 0.3; nc 127.0.0.1 9000 -e /bin/true; wait'
	# the fields of the last one
	jq -e '.source == "hardrun" and .priority == "Critical" and
		(.time | test("^[0-9-]+T[0-9:]+\\.[0-9]{9}Z$")) and
		.output_fields["container.id"] == "rs" and
		.output_fields["k8s.ns.name"] == "team-a" and
		.output_fields["k8s.pod.name"] == "web-7d9f4" and
		.output_fields["k8s.pod.uid"] == "0b1c2d3e-aaaa-bbbb-cccc-1234567890ab" and
		.output_fields["container.name"] == "app" and
		.output_fields["container.image"] == "docker.io/library/busybox:latest" and
		.output_fields["evt.type"] == "execve" and .output_fields["hardrun.action"] == "deny" and
		(.output_fields["proc.pid"] > 0) and (.output_fields["evt.args"] | test("parent=nc"))' \
		"$EVENTS"
}

# deny_continues: a chmod u+s, denied by the profile, fails with EPERM and the
# workload runs on (its output in $output)
deny_continues() {
	bundle dn 'touch /tmp/f; chmod u+s /tmp/f; echo "rc=$?"; echo after'
	hrun dn
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"rc=1"* ]]
	[[ "$output" == *"after"* ]]
}

# kill_ends_container: under profile k (written by the caller, its
# namespace_escape set to kill), an unshare ends the whole container at once
kill_ends_container() {
	bundle kl 'sleep 100 & sleep 100 & sleep 0.5; unshare -U true; sleep 100' enforce k
	SECONDS=0
	hrun kl
	[ "$status" -ne 0 ]
	[ "$SECONDS" -lt 20 ]
	wait_monitors_gone
	jq -e '.output_fields["hardrun.action"] == "kill"' "$EVENTS"
}

# monitor_teardown: delete every container of $ROOT, kill any monitor of
# $STATE left, then remove $STATE
monitor_teardown() {
	local id pid
	for id in $("$RUNC" --root "$ROOT" list -q 2>/dev/null); do
		"$HARDRUN" --root "$ROOT" delete -f "$id" >/dev/null 2>&1 || true
	done
	for pid in $(monitor_pids); do kill -KILL "$pid" 2>/dev/null || true; done
	common_teardown
	rm -rf "$STATE"
	[ -z "${POD_NETNS-}" ] || ip netns del "$POD_NETNS"
}

# monitor_setup_file / monitor_setup: setup_file and setup of a suite that
# runs bundle containers under runc (monitor.bats, monitor_ops.bats): the
# static trigger binary; a short stateDir, the test's profile dir, profile t.
monitor_setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	export HRTRIG="$BATS_FILE_TMPDIR/hrtrig"
	gcc -static -O2 -w -o "$HRTRIG" "$INTEGRATION_DIR/monitor/hrtrig.c"
}

monitor_setup() {
	requires_hardrun
	common_setup
	# sun_path is 108 bytes: the state dir must be short
	STATE="$(mktemp -d /tmp/hr.XXXXXX)"
	PROFILES="$BATS_TEST_TMPDIR/profiles"
	mkdir -p "$PROFILES"
	monitor_config
	pod_netns_setup
	ROOT="$(rt_dir hardrun)/root"
	profile t
}
