#!/usr/bin/env bats
# Learning mode end to end with real runc 1.1.5.
#
# Part 1: hardrun's learn filter (learn_prepare), recorder and generator
# driven by integration/tools/learn_agent.c, a small seccomp agent, with real
# runc: learn -> generate -> enforce -> deviations.
# Part 2: the same through `hardrun` itself (mode annotation, monitor, profile
# command).

AGENT_SRC="$BATS_TEST_DIRNAME/tools/learn_agent.c"
REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
HARDRUN="${HARDRUN:-$REPO/hardrun}"

load helpers

load learn_workload

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	command -v runc >/dev/null || skip "runc missing"
	export AGENT="$BATS_FILE_TMPDIR/learn_agent"
	make -C "$REPO" build/libhardrun.a >/dev/null
	cc -O2 -std=gnu17 -D_GNU_SOURCE -I"$REPO/include" -o "$AGENT" "$AGENT_SRC" \
		"$REPO/build/libhardrun.a" $(pkg-config --libs libseccomp yajl libcap libselinux libapparmor)
}

setup() {
	T="$BATS_TEST_TMPDIR"
	ID="learn-$$-$BATS_TEST_NUMBER"
	RUNC_ROOT="$T/runc-root"
}

teardown() {
	runc --root "$RUNC_ROOT" delete -f "$ID" >/dev/null 2>&1 || true
	[ -f "$T/agent.pid" ] && kill "$(cat "$T/agent.pid")" 2>/dev/null || true
}

# bundle DIR SCRIPT: busybox bundle running sh -c SCRIPT
bundle() {
	local d="$1" script="$2" a
	mkdir -p "$d/rootfs"/{bin,tmp,etc,proc,dev,sys}
	cp /bin/busybox "$d/rootfs/bin/"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$d/rootfs/bin/$a"
	done
	(cd "$d" && runc spec)
	jq --arg s "$script" '.process.terminal = false | .process.args = ["/bin/sh", "-c", $s]
		| .root.readonly = false' "$d/config.json" >"$d/c" && mv "$d/c" "$d/config.json"
}

set_script() {
	jq --arg s "$2" '.process.args = ["/bin/sh", "-c", $s]' "$1/config.json" >"$1/c" &&
		mv "$1/c" "$1/config.json"
}

# learn DIR ID: run the bundle under the learn filter, recording into $T/rec/demo/ID.json
learn() {
	local d="$1" id="$2"
	"$AGENT" prepare "$d" "$T/agent.sock"
	"$AGENT" serve "$T/agent.sock" "$T/rec" demo "$id" 3>&- &
	echo $! >"$T/agent.pid"
	wait_for 5 test -S "$T/agent.sock"
	run timeout 60 runc --root "$RUNC_ROOT" run --bundle "$d" "$id" </dev/null
	wait "$(cat "$T/agent.pid")" || true
	rm -f "$T/agent.pid"
}

# enforce DIR PROFILE: the profile's seccomp and capabilities, noNewPrivileges
enforce() {
	jq --slurpfile p "$2" '.process.noNewPrivileges = $p[0].noNewPrivileges
		| .linux.seccomp = $p[0].seccomp
		| .process.capabilities = {bounding: $p[0].capabilities, effective: $p[0].capabilities,
					   permitted: $p[0].capabilities}' \
		"$1/config.json" >"$1/c" && mv "$1/c" "$1/config.json"
}

@test "learn a busybox workload, generate, enforce: passes; deviations are denied" {
	bundle "$T/b" "$WORKLOAD"
	learn "$T/b" "$ID"
	echo "learn: status $status: $output"
	[ "$status" -eq 0 ]
	[[ "$output" == *workload-ok* ]]
	jq -e '.main.syscalls.x86_64.execve and .main.exec["/bin/sh"]' "$T/rec/demo/$ID.json"

	run "$AGENT" generate demo --from "$T/rec/demo/$ID.json" -o "$T/demo.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *'profile "demo" from 1 recording'* ]]
	[[ "$output" == *saturation* ]]

	bundle "$T/e" "$WORKLOAD"
	enforce "$T/e" "$T/demo.json"
	run timeout 60 runc --root "$RUNC_ROOT" run --bundle "$T/e" "$ID-e"
	[ "$status" -eq 0 ]
	[[ "$output" == *workload-ok* ]]

	# deviations: a new namespace, a raw socket, mounting
	set_script "$T/e" 'unshare -n true'
	run timeout 30 runc --root "$RUNC_ROOT" run --bundle "$T/e" "$ID-e"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	set_script "$T/e" 'ping -c1 -W1 127.0.0.1'
	run timeout 30 runc --root "$RUNC_ROOT" run --bundle "$T/e" "$ID-e"
	[ "$status" -ne 0 ]
	# a binary never run while learning is not a known binary (the monitor reports it)
	run jq -e '.monitor.knownBinaries | index("/bin/wget")' "$T/demo.json"
	[ "$status" -ne 0 ]
}

@test "two recordings of different code paths merge into a profile that passes both" {
	local A='echo a >/tmp/f; cat /tmp/f; mkdir -p /tmp/d; echo path-a' B='echo b | nc -l -p 9000 >/dev/null & sleep 0.2; nc 127.0.0.1 9000 </dev/null; echo path-b'
	bundle "$T/a" "$A"
	learn "$T/a" ra
	[[ "$output" == *path-a* ]]
	bundle "$T/b" "$B"
	learn "$T/b" rb
	[[ "$output" == *path-b* ]]
	"$AGENT" generate demo --from "$T/rec/demo/ra.json" -o "$T/a.json"
	"$AGENT" generate demo --from "$T/rec/demo/ra.json" --from "$T/rec/demo/rb.json" -o "$T/ab.json"

	bundle "$T/eb" "$B"
	enforce "$T/eb" "$T/a.json"
	run timeout 30 runc --root "$RUNC_ROOT" run --bundle "$T/eb" "$ID-b1"
	[[ "$output" != *path-b* ]] || [ "$status" -ne 0 ] # path A's profile does not cover B

	for w in A B; do
		bundle "$T/e$w" "${!w}"
		enforce "$T/e$w" "$T/ab.json"
		run timeout 30 runc --root "$RUNC_ROOT" run --bundle "$T/e$w" "$ID-$w"
		[ "$status" -eq 0 ]
		[[ "$output" == *"path-${w,,}"* ]]
	done
	run "$AGENT" diff "$T/a.json" "$T/ab.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"+ socket"* || "$output" == *"+ listen"* ]]
}

@test "SIGKILL of a learning container (and of the recorder) leaves a usable recording" {
	bundle "$T/k" 'echo x >/tmp/x; cat /tmp/x; sleep 0.5; echo ready; exec sleep 100'
	"$AGENT" prepare "$T/k" "$T/agent.sock"
	"$AGENT" serve "$T/agent.sock" "$T/rec" demo killed 3>&- &
	echo $! >"$T/agent.pid"
	wait_for 5 test -S "$T/agent.sock"
	runc --root "$RUNC_ROOT" run -d --bundle "$T/k" "$ID" >/dev/null 2>&1 </dev/null 3>&-
	# the recorder flushes once a second while the container runs
	wait_for 10 jq -e '.main.files["/tmp/x"]' "$T/rec/demo/killed.json"
	kill -9 "$(cat "$T/agent.pid")" # the recorder dies too: at most the last second is lost
	runc --root "$RUNC_ROOT" kill "$ID" KILL || true
	jq -e '.main.syscalls.x86_64.nanosleep or .main.syscalls.x86_64.clock_nanosleep or .main.syscalls.x86_64.execve' \
		"$T/rec/demo/killed.json"
	jq -e '.main.files["/tmp/x"]' "$T/rec/demo/killed.json"
	run "$AGENT" generate demo --from "$T/rec/demo/killed.json"
	[ "$status" -eq 0 ]
}

@test "the generated profile leaves out runc's own startup syscalls" {
	bundle "$T/r" "$WORKLOAD"
	# without noNewPrivileges runc init loads the filter early: many runtime calls after it
	jq '.process.noNewPrivileges = false' "$T/r/config.json" >"$T/r/c" && mv "$T/r/c" "$T/r/config.json"
	learn "$T/r" rt
	echo "learn: status $status: $output"
	# KNOWN FLAKE (1 failing learning run in about 10 full runs, cause not found
	# yet): its output is printed above; one more run must then pass.  The
	# property under test is the generated profile, below.
	if [ "$status" -ne 0 ]; then
		runc --root "$RUNC_ROOT" delete -f rt >/dev/null 2>&1 || true
		rm -f "$T/rec/demo/rt.json"
		learn "$T/r" rt
		echo "learn (again): status $status: $output"
	fi
	[ "$status" -eq 0 ]
	"$AGENT" generate demo --from "$T/rec/demo/rt.json" -o "$T/p.json"
	# runc's calls between the filter and execve (capset, setgroups, setuid, setgid,
	# faccessat2, getppid, capget, chdir, fstat, newfstatat...) that the workload never
	# made.  What runc init still calls after the filter under noNewPrivileges (which
	# generated profiles set) stays: close epoll_ctl fcntl fstatfs getdents64 openat read.
	# (A syscall family of a learned call may allow one of them too: fstat when stat was
	# learned; that rule is not what was learned.)
	run jq -r --slurpfile p "$T/p.json" '
		[.runtime.syscalls.x86_64 | keys[]] - [.main.syscalls.x86_64 | keys[]]
		- ["close", "epoll_ctl", "fcntl", "fstatfs", "getdents64", "openat", "read"]
		| map(select(. as $n | [$p[0].seccomp.syscalls[] | select(.action == "SCMP_ACT_ALLOW"
			and ((.comment // "") | startswith("syscall families") | not))
			| .names[]] | index($n)))' "$T/rec/demo/rt.json"
	echo "runtime-only syscalls in the profile: $output"
	[ "$(echo "$output" | jq length)" -eq 0 ]
	run jq -e '.runtime.syscalls.x86_64.capset' "$T/rec/demo/rt.json"
	[ "$status" -eq 0 ]
}

# ---------------------------------------------------------------- hardrun --

requires_hardrun_learn() {
	[ -x "$HARDRUN" ] || skip "no hardrun binary"
}

# hr_config: a node config under $T/hr (profiles in $T/hr/profiles, then the built-in ones)
hr_config() {
	cfg="$T/hr" profdir="$T/hr/profiles"
	mkdir -p "$profdir"
	jq -n --arg t "$cfg" --arg repo "$REPO" '{runtime: "/usr/sbin/runc", defaultMode: "off",
		allowedProfiles: ["*"], profileDirs: [$t + "/profiles", $repo + "/profiles"], stateDir: ($t + "/state"),
		recordingsDir: ($t + "/rec"), eventsFile: ($t + "/events.jsonl")}' >"$cfg/config.json"
	export HARDRUN_CONFIG="$cfg/config.json"
}

# annotate DIR MODE PROFILE
annotate() {
	jq --arg m "$2" --arg p "$3" '.annotations = {"mode.hardrun.io/POD": $m, "profile.hardrun.io/POD": $p}' \
		"$1/config.json" >"$1/c" && mv "$1/c" "$1/config.json"
}

@test "hardrun: mode learn annotation, generate, enforce with zero events, deviation reported" {
	requires_hardrun_learn
	local cfg profdir
	hr_config
	bundle "$T/h" "$WORKLOAD"
	# learning under a profile that exists (its recordings go to <recordingsDir>/baseline/)
	annotate "$T/h" learn baseline
	run timeout 60 "$HARDRUN" --root "$RUNC_ROOT" run --bundle "$T/h" "$ID"
	[ "$status" -eq 0 ]
	wait_monitors_gone_in "$cfg/state" # the last flush is the monitor's exit
	"$HARDRUN" profile generate web --from "$cfg/rec/baseline/$ID.json" -o "$profdir/web.json"
	annotate "$T/h" enforce web
	run timeout 60 "$HARDRUN" --root "$RUNC_ROOT" run --bundle "$T/h" "$ID-2"
	[ "$status" -eq 0 ]
	[[ "$output" == *workload-ok* ]]
	[ ! -s "$cfg/events.jsonl" ]
	set_script "$T/h" 'unshare -n true; ping -c1 -W1 127.0.0.1; wget -q -O- http://127.0.0.1:1/'
	run timeout 60 "$HARDRUN" --root "$RUNC_ROOT" run --bundle "$T/h" "$ID-3"
	wait_monitors_gone_in "$cfg/state"
	[ -s "$cfg/events.jsonl" ]
}

# Docker's default capabilities: the bundle of a container that runs as root
DOCKER_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW",
	"CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT",
	"CAP_KILL","CAP_AUDIT_WRITE"]'

@test "hardrun: an implicit capability is learned, kept by enforce; audit keeps it too and reports it" {
	requires_hardrun_learn
	local cfg profdir
	hr_config
	# nginx's case: root appends to a log of www-data:adm, mode 0640
	bundle "$T/h" 'echo line >>/var/log/app/error.log && cat /var/log/app/error.log && echo workload-ok'
	mkdir -p "$T/h/rootfs/var/log/app"
	echo first >"$T/h/rootfs/var/log/app/error.log"
	chown 33:4 "$T/h/rootfs/var/log/app/error.log"
	chmod 0640 "$T/h/rootfs/var/log/app/error.log"
	jq --argjson c "$DOCKER_CAPS" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}' \
		"$T/h/config.json" >"$T/h/c" && mv "$T/h/c" "$T/h/config.json"
	annotate "$T/h" learn baseline
	run timeout 60 "$HARDRUN" --root "$RUNC_ROOT" run --bundle "$T/h" "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *workload-ok* ]]
	wait_monitors_gone_in "$cfg/state" # the last flush is the monitor's exit
	jq -e '.main.capabilities.CAP_DAC_OVERRIDE' "$cfg/rec/baseline/$ID.json"
	run "$HARDRUN" profile generate web --from "$cfg/rec/baseline/$ID.json" -o "$profdir/web.json"
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == *"CAP_DAC_OVERRIDE: openat /var/log/app/error.log: 33:4 0640, caller 0:0"* ]]
	jq -e '.capabilities | index("CAP_DAC_OVERRIDE")' "$profdir/web.json"
	for c in CAP_NET_RAW CAP_SYS_CHROOT CAP_MKNOD CAP_SETFCAP CAP_AUDIT_WRITE CAP_FOWNER; do
		jq -e --arg c "$c" '.capabilities | index($c) | not' "$profdir/web.json"
	done

	# enforce: passes, no event
	annotate "$T/h" enforce web
	run timeout 60 "$HARDRUN" --root "$RUNC_ROOT" run --bundle "$T/h" "$ID-2"
	[ "$status" -eq 0 ]
	[[ "$output" == *workload-ok* ]]
	[ ! -s "$cfg/events.jsonl" ]

	# a profile without it: audit passes and says what enforce would refuse (the append by
	# sh, the read by cat) ...
	jq '.name = "nodac" | .capabilities -= ["CAP_DAC_OVERRIDE"]' "$profdir/web.json" >"$profdir/nodac.json"
	annotate "$T/h" audit nodac
	run timeout 60 "$HARDRUN" --root "$RUNC_ROOT" run --bundle "$T/h" "$ID-3"
	[ "$status" -eq 0 ]
	[[ "$output" == *workload-ok* ]]
	wait_monitors_gone_in "$cfg/state"
	cat "$cfg/events.jsonl"
	jq -e -s 'map(select(.output_fields["evt.type"] == "openat" and (tostring
		| test("capability CAP_DAC_OVERRIDE dropped by the profile: openat /var/log/app/error.log"))))
		| map(.output_fields["proc.name"]) == ["sh", "cat"]' "$cfg/events.jsonl"
	# ... which enforce then does
	annotate "$T/h" enforce nodac
	run timeout 60 "$HARDRUN" --root "$RUNC_ROOT" run --bundle "$T/h" "$ID-4"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
}

@test "hardrun: a repeated learn run allows what earlier recordings hold in the kernel" {
	requires_hardrun_learn
	local cfg profdir
	hr_config
	bundle "$T/h" "$WORKLOAD"
	annotate "$T/h" learn rep
	run timeout 60 "$HARDRUN" --root "$RUNC_ROOT" run --bundle "$T/h" "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *workload-ok* ]]
	wait_monitors_gone_in "$cfg/state"
	jq -e '.main.syscalls.x86_64.read and .main.network.connect' "$cfg/rec/rep/$ID.json"
	# the second run: read (plain) is no longer notified; the exec and nc's connect still are
	run timeout 60 "$HARDRUN" --root "$RUNC_ROOT" run --bundle "$T/h" "$ID-2"
	[ "$status" -eq 0 ]
	[[ "$output" == *workload-ok* ]]
	wait_monitors_gone_in "$cfg/state"
	jq -e '.main.exec["/bin/sh"] and .main.network.connect' "$cfg/rec/rep/$ID-2.json"
	jq -e '.main.syscalls.x86_64.read | not' "$cfg/rec/rep/$ID-2.json"
	# both recordings make a profile the workload runs under
	"$HARDRUN" profile generate rep -o "$profdir/rep.json"
	annotate "$T/h" enforce rep
	run timeout 60 "$HARDRUN" --root "$RUNC_ROOT" run --bundle "$T/h" "$ID-3"
	[ "$status" -eq 0 ]
	[[ "$output" == *workload-ok* ]]
	[ ! -s "$cfg/events.jsonl" ]
}
