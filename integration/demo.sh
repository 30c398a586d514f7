#!/bin/bash
# make demo: the whole learning story on a busybox workload.
#   1. learn   (mode.hardrun.io/POD=learn, a temp node config allowing it)
#   2. generate (hardrun profile generate)
#   3. enforce (profile.hardrun.io/POD=<generated>): the workload passes
#   4. deviate (unshare, a raw socket, a binary never run while learning):
#      blocked and reported from the events file
# Until hardrun's monitor is on main, steps 1-4 run the same learn filter,
# recorder and generator through integration/tools/learn_agent.c with runc.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
HARDRUN="${HARDRUN:-$REPO/hardrun}"
T="$(mktemp -d /tmp/hardrun-demo.XXXXXX)"
trap 'runc --root "$T/root" delete -f demo-learn demo-enforce demo-deviate >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

WORKLOAD='echo hello >/tmp/a; cat /tmp/a | tr a-z A-Z; ls / | wc -l >/dev/null
(nc -l -p 8080 >/tmp/got &); sleep 0.3; echo ping | nc 127.0.0.1 8080; sleep 0.3; cat /tmp/got; echo workload-ok'
DEVIATION='unshare -n true; ping -c1 -W1 127.0.0.1; wget -q -O- http://127.0.0.1:1/ ; true'

bundle() { # DIR SCRIPT [ANNOTATIONS-JSON]
	local d="$1" a
	mkdir -p "$d/rootfs"/{bin,tmp,etc,proc,dev,sys}
	cp /bin/busybox "$d/rootfs/bin/"
	for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$d/rootfs/bin/$a"; done
	(cd "$d" && runc spec)
	jq --arg s "$2" --argjson ann "${3:-{\}}" '.process.terminal = false | .root.readonly = false
		| .process.args = ["/bin/sh", "-c", $s] | .annotations = $ann' "$d/config.json" >"$d/c"
	mv "$d/c" "$d/config.json"
}

if "$HARDRUN" monitor --help >/dev/null 2>&1 && "$HARDRUN" profile generate 2>&1 | grep -q usage; then
	mkdir -p "$T/profiles"
	jq -n --arg t "$T" '{runtime: "/usr/sbin/runc", defaultMode: "off", allowedProfiles: ["*"],
		profileDirs: [$t + "/profiles"], stateDir: ($t + "/state"), recordingsDir: ($t + "/rec"),
		eventsFile: ($t + "/events.jsonl")}' >"$T/config.json"
	export HARDRUN_CONFIG="$T/config.json"
	say "1. learn: mode.hardrun.io/POD=learn"
	bundle "$T/l" "$WORKLOAD" '{"mode.hardrun.io/POD":"learn","profile.hardrun.io/POD":"demo"}'
	"$HARDRUN" --root "$T/root" run --bundle "$T/l" demo-learn </dev/null
	sleep 1.5
	say "2. generate"
	"$HARDRUN" profile generate demo -o "$T/profiles/demo.json"
	say "3. enforce: profile.hardrun.io/POD=demo"
	bundle "$T/e" "$WORKLOAD" '{"profile.hardrun.io/POD":"demo","mode.hardrun.io/POD":"enforce"}'
	"$HARDRUN" --root "$T/root" run --bundle "$T/e" demo-enforce </dev/null
	echo "events so far: $(wc -l <"$T/events.jsonl" 2>/dev/null || echo 0)"
	say "4. deviate: unshare, raw socket, a binary never run while learning"
	bundle "$T/d" "$DEVIATION" '{"profile.hardrun.io/POD":"demo","mode.hardrun.io/POD":"enforce"}'
	"$HARDRUN" --root "$T/root" run --bundle "$T/d" demo-deviate </dev/null || true
	sleep 1
	say "events"
	jq -r '"\(.time)  \(.priority)  \(.rule): \(.output)"' "$T/events.jsonl" 2>/dev/null || echo "(none)"
	exit 0
fi

echo "(hardrun's monitor is not built in yet: using the stand-in agent, same filter/recorder/generator)"
AGENT="$T/learn_agent"
make -s -C "$REPO" build/libhardrun.a >/dev/null
cc -O2 -std=gnu17 -D_GNU_SOURCE -I"$REPO/include" -o "$AGENT" "$REPO/integration/tools/learn_agent.c" \
	"$REPO/build/libhardrun.a" -lseccomp -lyajl -lcap
say "1. learn: every syscall but write is notified and recorded"
bundle "$T/l" "$WORKLOAD"
"$AGENT" prepare "$T/l" "$T/agent.sock"
"$AGENT" serve "$T/agent.sock" "$T/rec" demo demo-learn &
sleep 0.3
runc --root "$T/root" run --bundle "$T/l" demo-learn </dev/null
wait
say "2. generate"
"$AGENT" generate demo --from "$T/rec/demo/demo-learn.json" -o "$T/demo.json"
enforce() {
	jq --slurpfile p "$T/demo.json" '.process.noNewPrivileges = true | .linux.seccomp = $p[0].seccomp
		| .process.capabilities = {bounding: $p[0].capabilities, effective: $p[0].capabilities,
					   permitted: $p[0].capabilities}' "$1/config.json" >"$1/c"
	mv "$1/c" "$1/config.json"
}
say "3. enforce the generated profile"
bundle "$T/e" "$WORKLOAD"; enforce "$T/e"
runc --root "$T/root" run --bundle "$T/e" demo-enforce </dev/null
say "4. deviate: unshare, raw socket, a binary never run while learning"
bundle "$T/d" "$DEVIATION"; enforce "$T/d"
runc --root "$T/root" run --bundle "$T/d" demo-deviate </dev/null || true
echo "known binaries: $(jq -c .monitor.knownBinaries "$T/demo.json") (wget is not: the monitor reports it)"
