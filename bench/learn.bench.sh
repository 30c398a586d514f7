#!/usr/bin/env bash
# Learning overhead: the same busybox workload unconfined (runc), learned
# (`hardrun run` with mode.hardrun.io/POD=learn: learn filter, monitor,
# recorder), and under `strace -f -c -o /dev/null` (what people do by hand).
# "learn" is a first learn run of its profile; "relearn" a later one, which
# allows in the kernel the plain calls the earlier recordings hold.
# Prints "learn.overhead ..." with ratios from the same run.
# Env: BENCH_N (runs per variant, default 5), BENCH_RESULTS.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
N="${BENCH_N:-5}"
T="$(mktemp -d /tmp/hardrun-bench-learn.XXXXXX)"
trap 'rm -rf "$T"' EXIT
RESULTS="${BENCH_RESULTS:-$REPO/bench/results}"
mkdir -p "$RESULTS"

WORKLOAD='i=0; while [ $i -lt 200 ]; do cat /etc/hostname | wc -c >/dev/null; echo $i >/tmp/x; i=$((i+1)); done'

HARDRUN="${HARDRUN:-$REPO/hardrun}"
jq -n --arg t "$T" --arg p "$REPO/profiles" '{runtime: "/usr/sbin/runc", defaultMode: "enforce",
	allowedProfiles: ["*"], profileDirs: [$p], stateDir: ($t + "/s"),
	recordingsDir: ($t + "/rec"), eventsFile: ($t + "/events.jsonl")}' >"$T/node.json"

mkdir -p "$T/b/rootfs"/{bin,tmp,etc,proc,dev,sys}
cp /bin/busybox "$T/b/rootfs/bin/"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$T/b/rootfs/bin/$a"; done
echo bench >"$T/b/rootfs/etc/hostname"
(cd "$T/b" && runc spec)
jq --arg s "$WORKLOAD" '.process.terminal = false | .root.readonly = false
	| .process.args = ["/bin/sh", "-c", $s]' "$T/b/config.json" >"$T/c" && mv "$T/c" "$T/b/config.json"
cp -a "$T/b" "$T/l"
jq '.annotations = {"mode.hardrun.io/POD": "learn", "profile.hardrun.io/POD": "bench"}' \
	"$T/b/config.json" >"$T/l/config.orig"

now() { date +%s%N; }
run_plain() { runc --root "$T/root" run --bundle "$T/b" "b$1" </dev/null >/dev/null; }
run_strace() { strace -f -c -o /dev/null runc --root "$T/root" run --bundle "$T/b" "s$1" </dev/null >/dev/null; }
# learn_as PROFILE ID
learn_as() {
	jq --arg p "$1" '.annotations["profile.hardrun.io/POD"] = $p' "$T/l/config.orig" >"$T/l/config.json"
	rm -f "$T/l/config.json.hardrun-orig"
	HARDRUN_CONFIG="$T/node.json" "$HARDRUN" --root "$T/root" run --bundle "$T/l" "$2" \
		</dev/null >/dev/null
}
run_learn() { learn_as "first$1" "l$1"; }
run_relearn() { learn_as again "r$1"; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A ms
run_relearn 0 # the earlier recording of "again"
for v in plain learn relearn strace; do
	for i in $(seq "$N"); do
		s=$(now); "run_$v" "$i"; e=$(now)
		echo $(((e - s) / 1000000))
	done >"$RESULTS/learn.$v.ms"
	ms[$v]=$(median <"$RESULTS/learn.$v.ms")
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "learn.overhead unconfined_ms=${ms[plain]} learn_ms=${ms[learn]} relearn_ms=${ms[relearn]}" \
	"strace_ms=${ms[strace]}" \
	"learn_vs_unconfined=$(ratio "${ms[learn]}" "${ms[plain]}")" \
	"relearn_vs_unconfined=$(ratio "${ms[relearn]}" "${ms[plain]}")" \
	"strace_vs_unconfined=$(ratio "${ms[strace]}" "${ms[plain]}")" \
	"learn_vs_strace=$(ratio "${ms[learn]}" "${ms[strace]}")"
[ -s "$T/rec/first1/l1.json" ] && [ -s "$T/rec/again/r1.json" ] || { echo "learn: no recording was written" >&2; exit 1; }
echo "learn.faster_than_strace=$([ "${ms[learn]}" -lt "${ms[strace]}" ] && echo yes || echo no)"
