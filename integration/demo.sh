#!/bin/bash
# make demo: hardrun's main job on a busybox workload, through real runc and
# real kernel seccomp:
#   1. harden  a container with the built-in baseline profile: what it can
#              and cannot do
#   2. learn   the workload (mode.hardrun.io/POD=learn, profile being learned: demo)
#   3. generate the profile from the recording (hardrun profile generate)
#   4. enforce it (profile.hardrun.io/POD=demo): the workload passes, no events
#   5. deviate: unshare, a raw socket, a binary never run while learning:
#      blocked, and reported by the monitor (hardrun events)
# Everything lives in a temp dir with its own node config (HARDRUN_CONFIG).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
HARDRUN="${HARDRUN:-$REPO/hardrun}"
T="$(mktemp -d /tmp/hardrun-demo.XXXXXX)"
IDS=(demo-baseline demo-learn demo-enforce demo-deviate)
cleanup() {
	for id in "${IDS[@]}"; do "$HARDRUN" --root "$T/root" delete -f "$id" >/dev/null 2>&1 || true; done
	rm -rf "$T"
}
trap cleanup EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

BASELINE_PROBE='grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status
echo hello >/tmp/f && cat /tmp/f
for t in "mount -t tmpfs x /mnt" "unshare -U true" "chroot / true" "mknod /tmp/n c 1 3" "ping -c1 -W1 127.0.0.1"; do
	if sh -c "$t" >/dev/null 2>&1; then echo "  allowed: $t"; else echo "  denied:  $t"; fi
done'
WORKLOAD='echo hello >/tmp/a; cat /tmp/a | tr a-z A-Z; ls / | wc -l >/dev/null
(nc -l -p 8080 >/tmp/got &); sleep 0.3; echo ping | nc 127.0.0.1 8080; sleep 0.3; cat /tmp/got; echo workload-ok'
DEVIATION='unshare -n true; ping -c1 -W1 127.0.0.1; /usr/local/bin/echo drifted; true'

# bundle DIR SCRIPT ANNOTATIONS-JSON: a busybox bundle running `sh -c SCRIPT`
bundle() {
	local d="$1" a
	mkdir -p "$d/rootfs"/{bin,tmp,etc,proc,dev,sys,mnt,usr/local/bin}
	cp /bin/busybox "$d/rootfs/bin/"
	for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$d/rootfs/bin/$a"; done
	cp /bin/busybox "$d/rootfs/usr/local/bin/echo" # a binary of its own (another inode)
	(cd "$d" && runc spec)
	jq --arg s "$2" --argjson ann "$3" '.process.terminal = false | .root.readonly = false
		| .process.args = ["/bin/sh", "-c", $s] | .annotations = $ann' "$d/config.json" >"$d/c"
	mv "$d/c" "$d/config.json"
}

run_ctr() { # ID DIR
	"$HARDRUN" --root "$T/root" --log "$T/runtime.log" run --bundle "$2" "$1" </dev/null || true
}

mkdir -p "$T/profiles"
jq -n --arg t "$T" --arg repo "$REPO" '{runtime: "/usr/sbin/runc", defaultMode: "enforce",
	defaultProfile: "baseline", allowedProfiles: ["*"],
	profileDirs: [$t + "/profiles", $repo + "/profiles"], stateDir: ($t + "/state"),
	recordingsDir: ($t + "/rec"), eventsFile: ($t + "/events.jsonl")}' >"$T/config.json"
export HARDRUN_CONFIG="$T/config.json"

say "1. a busybox container hardened with the built-in baseline profile"
bundle "$T/b" "$BASELINE_PROBE" '{"profile.hardrun.io/POD":"baseline"}'
run_ctr demo-baseline "$T/b"

say "2. learn the workload: mode.hardrun.io/POD=learn, profile.hardrun.io/POD=demo"
bundle "$T/w" "$WORKLOAD" '{"mode.hardrun.io/POD":"learn","profile.hardrun.io/POD":"demo"}'
run_ctr demo-learn "$T/w"
sleep 1.2 # the recorder flushes once a second while the container runs, and at exit

say "3. generate the profile from the recording"
"$HARDRUN" profile generate demo -o "$T/profiles/demo.json"
"$HARDRUN" profile show demo

say "4. enforce it: the same workload passes, with no events"
bundle "$T/e" "$WORKLOAD" '{"profile.hardrun.io/POD":"demo"}'
: >"$T/events.jsonl"
run_ctr demo-enforce "$T/e"
sleep 0.5
echo "events while enforcing: $(wc -l <"$T/events.jsonl")"

say "5. deviate: unshare, a raw socket, a binary never run while learning"
bundle "$T/d" "$DEVIATION" '{"profile.hardrun.io/POD":"demo"}'
run_ctr demo-deviate "$T/d"
sleep 0.5
echo
echo "what the monitor reported (hardrun events):"
"$HARDRUN" events --file "$T/events.jsonl" | jq -r '"  \(.priority)\t\(.output_fields["hardrun.rule_id"] // .rule)\t\(.output_fields["evt.type"])\t\(.output_fields["proc.cmdline"])\t-> \(.output_fields["hardrun.action"] // .output_fields.action // "")"' 2>/dev/null ||
	"$HARDRUN" events --file "$T/events.jsonl"
