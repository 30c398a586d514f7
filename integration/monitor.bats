#!/usr/bin/env bats
# The per-container monitor against real runc 1.1.5.
#
# Until shim/harden.c lands on main, containers are hardened by
# integration/monitor/mondev (the monitor library + a small driver that spawns
# the monitor and runs monitor_prepare on config.json exactly as create will).
# The bundle builder below is minimal and local; swap it for helpers.bash's
# once the harness branch is merged.

REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"

setup_file() {
	export W="$BATS_FILE_TMPDIR/w"
	mkdir -p "$W/bin"
	make -C "$REPO" build/libhardrun.a >/dev/null
	gcc -O2 -g -D_GNU_SOURCE -I"$REPO/include" -o "$W/bin/mondev" \
		"$REPO/integration/monitor/mondev.c" "$REPO/build/libhardrun.a" -lseccomp -lyajl
	gcc -static -O2 -w -o "$W/bin/hrtrig" "$REPO/integration/monitor/hrtrig.c"
	# one rootfs, shared read-only by every container
	local r="$W/rootfs"
	mkdir -p "$r"/{bin,proc,sys,dev,tmp,etc,mnt}
	cp /bin/busybox "$r/bin/"
	cp "$W/bin/hrtrig" "$r/bin/"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
}

setup() {
	export ROOT="$BATS_TEST_TMPDIR/runc" STATE="$BATS_TEST_TMPDIR/st"
	export EVENTS="$BATS_TEST_TMPDIR/log/events.jsonl"
	export MONDEV="$W/bin/mondev"
	mkdir -p "$ROOT"
}

teardown() {
	local id
	for id in $(runc --root "$ROOT" list -q 2>/dev/null); do
		runc --root "$ROOT" delete -f "$id" >/dev/null 2>&1 || true
		"$MONDEV" delete "$STATE" "$ROOT" "$id" >/dev/null 2>&1 || true
	done
}

# profile JSON: $1 = monitor.rules object, $2 = knownBinaries array
profile() {
	local f="$BATS_TEST_TMPDIR/profile.json"
	cat >"$f" <<-EOF
		{"hardrun":1,"name":"t","seccomp":{"defaultAction":"SCMP_ACT_ALLOW",
		 "architectures":["SCMP_ARCH_X86_64"],
		 "syscalls":[{"names":["reboot"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]},
		 "monitor":{"rules":${1:-{\}},"knownBinaries":${2:-[]}}}
	EOF
	echo "$f"
}

# bundle ID CMD [mode [profile]] -> hardened bundle in $BATS_TEST_TMPDIR/ID
bundle() {
	local id=$1 cmd=$2 mode=${3:-enforce} prof=${4:-$(profile)}
	local b="$BATS_TEST_TMPDIR/$id"
	mkdir -p "$b"
	(cd "$b" && runc spec)
	jq --arg r "$W/rootfs" --arg c "$cmd" '
		.root = {"path": $r, "readonly": true} |
		.process.terminal = false |
		.process.args = ["/bin/sh", "-c", $c] |
		.process.env += ["KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443"] |
		.mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
			     "options": ["nosuid", "nodev", "mode=1777"]},
			    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
			     "options": ["nosuid", "nodev", "mode=1777"]}] |
		.annotations = {"io.kubernetes.pod.namespace": "ns1",
				"io.kubernetes.pod.name": "pod1",
				"io.kubernetes.cri.container-name": "c1"}' \
		"$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	"$MONDEV" harden "$b" "$STATE" "$ROOT" "$id" "$prof" "$mode" "$EVENTS" >"$b/monitor"
}

# run ID in the foreground; output in $output
crun() {
	run runc --root "$ROOT" run --bundle "$BATS_TEST_TMPDIR/$1" "$1"
}

rules_fired() {
	[ -f "$EVENTS" ] || return 0
	jq -r '.output_fields["hardrun.rule_id"] // empty' "$EVENTS"
}

wait_monitor_gone() {
	local pid=$(cut -d' ' -f2 "$BATS_TEST_TMPDIR/$1/monitor") i
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# fire CMD, expect exactly one event of RULE
expect_one() {
	local id=$1 rule=$2 cmd=$3
	bundle "$id" "$cmd"
	crun "$id"
	echo "$output"
	wait_monitor_gone "$id"
	rules_fired
	[ "$(rules_fired | wc -l)" -eq 1 ]
	[ "$(rules_fired)" = "$rule" ]
}

@test "monitor: each rule fires exactly one event with its id and fields" {
	expect_one fl fileless_exec 'cp /bin/busybox /dev/shm/x; /dev/shm/x true'
	rm -f "$EVENTS"
	expect_one mfd fileless_exec 'hrtrig memfd'
	rm -f "$EVENTS"
	expect_one raw raw_socket 'ping -c 1 127.0.0.1'
	rm -f "$EVENTS"
	expect_one pt ptrace 'hrtrig ptrace'
	rm -f "$EVENTS"
	expect_one km kernel_module 'hrtrig module'
	rm -f "$EVENTS"
	expect_one bpf bpf 'hrtrig bpf'
	rm -f "$EVENTS"
	expect_one perf perf_event 'hrtrig perf'
	rm -f "$EVENTS"
	expect_one mnt mount 'mount -t tmpfs none /mnt'
	rm -f "$EVENTS"
	expect_one ns namespace_escape 'unshare -U true'
	rm -f "$EVENTS"
	expect_one suid setuid_bit 'touch /tmp/f; chmod u+s /tmp/f'
	rm -f "$EVENTS"
	expect_one sw sensitive_write 'echo x > /etc/hostname2'
	rm -f "$EVENTS"
	expect_one md metadata_connect 'nc -w 1 169.254.169.254 80 </dev/null'
	rm -f "$EVENTS"
	expect_one k8s metadata_connect 'nc -w 1 10.96.0.1 443 </dev/null'
	rm -f "$EVENTS"
	expect_one uring io_uring 'hrtrig uring'
	rm -f "$EVENTS"
	expect_one rs reverse_shell 'nc -l -p 9000 >/dev/null & sleep 0.3; nc 127.0.0.1 9000 -e /bin/true; wait'
	# the fields of the last one
	jq -e '.source == "hardrun" and .priority == "Critical" and
		(.time | test("^[0-9-]+T[0-9:]+\\.[0-9]{9}Z$")) and
		.output_fields["container.id"] == "rs" and
		.output_fields["k8s.ns.name"] == "ns1" and .output_fields["k8s.pod.name"] == "pod1" and
		.output_fields["container.name"] == "c1" and
		.output_fields["evt.type"] == "dup2" and .output_fields["hardrun.action"] == "deny" and
		(.output_fields["proc.pid"] > 0) and (.output_fields["proc.cmdline"] | test("nc"))' \
		"$EVENTS"
}

@test "monitor: drift (knownBinaries) and terminal shell in an exec session" {
	bundle dr 'hrtrig getpid 1; sleep 5' enforce "$(profile '{}' '["/bin/busybox"]')"
	runc --root "$ROOT" run -d --bundle "$BATS_TEST_TMPDIR/dr" dr </dev/null >"$BATS_TEST_TMPDIR/dr.out" 2>&1 || { cat "$BATS_TEST_TMPDIR/dr.out"; false; }
	run runc --root "$ROOT" exec dr /bin/sh -c 'ls -l /proc/self/fd'
	echo "$output"
	# exec session: only the exec'd process's stdio (+ ls's own dir fd)
	[ "$(echo "$output" | grep -c -- '->')" -le 4 ]
	runc --root "$ROOT" kill dr KILL
	wait_monitor_gone dr
	rules_fired
	[ "$(rules_fired | grep -c drift_exec)" -eq 1 ]
	[ "$(rules_fired | grep -c terminal_shell)" -eq 1 ]
	jq -e 'select(.output_fields["hardrun.rule_id"] == "terminal_shell") |
		.output_fields["hardrun.session"] == 1' "$EVENTS"
	# the exec log keeps every exec, after the container is gone
	grep -q '"argv":"hrtrig getpid 1"' "$(dirname "$EVENTS")/exec/dr.jsonl"
	grep -q '"session":1' "$(dirname "$EVENTS")/exec/dr.jsonl"
	run "$MONDEV" events --file "$EVENTS" --container dr --rule drift_exec
	[ "$(echo "$output" | wc -l)" -eq 1 ]
}

@test "monitor: deny fails the call with EPERM and the workload continues" {
	bundle dn 'touch /tmp/f; chmod u+s /tmp/f; echo "rc=$?"; echo after'
	crun dn
	echo "$output"
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"rc=1"* ]]
	[[ "$output" == *"after"* ]]
}

@test "monitor: kill ends the whole container" {
	bundle kl 'sleep 100 & sleep 100 & sleep 0.5; unshare -U true; sleep 100' enforce \
		"$(profile '{"namespace_escape":"kill"}')"
	SECONDS=0
	crun kl
	[ "$SECONDS" -lt 20 ]
	wait_monitor_gone kl
	jq -e '.output_fields["hardrun.action"] == "kill"' "$EVENTS"
}

@test "monitor: a normal workload produces no events" {
	bundle nw 'set -e; mkdir -p /tmp/d; for i in 1 2 3; do echo $i > /tmp/d/f$i; done
		cat /tmp/d/* | sort | uniq > /tmp/out; ls -l /tmp/d >/dev/null
		(echo sub; true) | grep -q sub; echo $(date) >/dev/null
		nc -l -p 8080 > /tmp/got & sleep 0.3; echo hello | nc -w 1 127.0.0.1 8080; wait
		grep -q hello /tmp/got; echo ok'
	crun nw
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *ok* ]]
	wait_monitor_gone nw
	rules_fired
	[ -z "$(rules_fired)" ]
	# the init's fds: stdio only
	bundle fd 'ls -l /proc/1/fd'
	crun fd
	echo "$output"
	[ "$(echo "$output" | grep -c -- '->')" -eq 3 ]
}

@test "monitor: killing the monitor makes notified syscalls fail (ENOSYS), nothing else" {
	bundle fc 'sleep 1; echo alive; hrtrig getpid 1; echo "ls=$?"; echo still'
	runc --root "$ROOT" run -d --bundle "$BATS_TEST_TMPDIR/fc" fc </dev/null \
		>"$BATS_TEST_TMPDIR/fc.out" 2>&1
	kill -9 "$(cut -d' ' -f2 "$BATS_TEST_TMPDIR/fc/monitor")"
	sleep 2
	cat "$BATS_TEST_TMPDIR/fc.out"
	grep -q alive "$BATS_TEST_TMPDIR/fc.out"
	grep -q "Function not implemented" "$BATS_TEST_TMPDIR/fc.out"
	grep -q "ls=1\|ls=126\|ls=127" "$BATS_TEST_TMPDIR/fc.out"
	grep -q still "$BATS_TEST_TMPDIR/fc.out"
}

@test "monitor: 20 containers in parallel get their own monitor, none is left behind" {
	local i pids=() prof
	prof="$(profile)" # once: 20 writers of one profile.json race
	for i in $(seq 20); do
		bundle "p$i" 'sleep 2' enforce "$prof" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	for i in $(seq 20); do
		runc --root "$ROOT" run -d --bundle "$BATS_TEST_TMPDIR/p$i" "p$i" </dev/null \
			>"$BATS_TEST_TMPDIR/p$i.out" 2>&1 &
	done
	wait
	cat "$BATS_TEST_TMPDIR"/p*.out
	[ "$(runc --root "$ROOT" list -q | wc -l)" -eq 20 ]
	[ "$(cut -d' ' -f2 "$BATS_TEST_TMPDIR"/p*/monitor | sort -u | wc -l)" -eq 20 ]
	for i in $(seq 20); do
		kill -0 "$(cut -d' ' -f2 "$BATS_TEST_TMPDIR/p$i/monitor")"
	done
	sleep 3
	for i in $(seq 20); do
		runc --root "$ROOT" delete -f "p$i"
		"$MONDEV" delete "$STATE" "$ROOT" "p$i"
	done
	for i in $(seq 20); do
		! kill -0 "$(cut -d' ' -f2 "$BATS_TEST_TMPDIR/p$i/monitor")" 2>/dev/null
	done
	[ -z "$(ls -A "$STATE")" ]
}

@test "monitor: audit mode reports profile deviations and denies nothing" {
	local f="$BATS_TEST_TMPDIR/audit.json"
	cat >"$f" <<-'EOF'
		{"hardrun":1,"name":"a","seccomp":{"defaultAction":"SCMP_ACT_ALLOW",
		 "architectures":["SCMP_ARCH_X86_64"],
		 "syscalls":[{"names":["sethostname"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]},
		 "monitor":{"rules":{}}}
	EOF
	bundle au 'touch /tmp/f; chmod u+s /tmp/f; echo "chmod=$?"; hostname foo; echo done' audit "$f"
	crun au
	echo "$output"
	[[ "$output" == *"chmod=0"* ]]
	wait_monitor_gone au
	rules_fired
	[ "$(rules_fired | grep -c setuid_bit)" -eq 1 ]
	[ "$(rules_fired | grep -c profile_deviation)" -eq 1 ]
}
