#!/usr/bin/env bash
# start: container start cost.  `run` of /bin/true in a busybox bundle, BENCH_N
# iterations (default 100), runtimes interleaved (and rotated) per iteration
# so that drift hits all of them alike.  Prints:
#   start.n 100
#   start.median_ms runc=41.2 hardrun-off=41.5 hardrun-baseline=52.0 crun=30.1
#   start.p90_ms    runc=...
#   start.ratio_vs_runc hardrun-off=1.007 hardrun-baseline=1.262 crun=0.730  (of the medians)
# hardrun-baseline: defaultMode enforce, profile baseline: the config.json
# rewrite, the seccomp filter and a per-container monitor (started, connected
# to by runc, gone when the container is deleted).
# runc-docker / hardrun-baseline-docker: the same bundle with Docker's default
# filter in it, as a pod with seccompProfile RuntimeDefault arrives from
# containerd (hardrun combines it with baseline).  Their ratio is the cost a
# cluster sees when such a pod moves from runc to hardrun:
#   start.ratio_vs_runc_docker hardrun-baseline-docker=...
# exec-floor: a static 10-line program that only execs runc
# (bench/exec_floor.c), the least any wrapper can add; hardrun-off against it
# is what hardrun's passthrough does beyond its one extra exec:
#   start.ratio_vs_exec_floor hardrun-off=...
# runc-hardrun-filter: plain runc on the filter hardrun-baseline's create
# wrote (its NOTIFY rules allowed, no listener): what runc itself spends on
# that filter.  hardrun-baseline against it is hardrun's own share (the
# config rewrite and the monitor):
#   start.ratio_vs_runc_same_filter hardrun-baseline=...
set -euo pipefail
source "$(dirname "$0")/lib.bash"

N="${BENCH_N:-100}"
WARMUP="${BENCH_WARMUP:-3}"
W="$(mktemp -d /tmp/hardrun-bench-start.XXXXXX)"

# Adding a row is all it takes to benchmark another configuration.
# Variants, one a line: name|binary|node config JSON merged over the defaults
# (hardrun variants only; empty for plain runtimes)|the bundle's own seccomp
# filter ("" none, "docker" Docker's default, "hardrun" the one the
# hardrun-baseline row's create rendered, monitor rules allowed).
BASE='{"defaultMode":"enforce","defaultProfile":"baseline"}'
VARIANTS=(
	"runc|$RUNC||"
	"hardrun-off|$HARDRUN|{\"defaultMode\":\"off\"}|"
	"exec-floor|$W/bin/exec-floor||"
	"hardrun-baseline|$HARDRUN|$BASE|"
	"runc-hardrun-filter|$RUNC||hardrun"
	"runc-docker|$RUNC||docker"
	"hardrun-baseline-docker|$HARDRUN|$BASE|docker"
	"crun|$CRUN||"
)
# hardrun-baseline-crun: hardrun hardening with crun as its runtime (crun 1.x
# has no `features`: the notify mechanism is named, not detected):
#   start.ratio_vs_crun hardrun-baseline-crun=...
[ -z "$CRUN" ] || VARIANTS+=("hardrun-baseline-crun|$HARDRUN|$(jq -c --arg c "$CRUN" \
	'. + {runtime: $c, monitorMechanism: "notify"}' <<<"$BASE")|")

V1_MOUNTS=() # cgroup v1 hierarchies the bench mounted for crun
cleanup() {
	bench_delete_all "$W"/*/root
	[ ${#V1_MOUNTS[@]} -eq 0 ] || crun_cgroups_unbind "${V1_MOUNTS[@]}"
	rm -rf "$W"
}
trap cleanup EXIT

ensure_rootfs

# crun 1.x refuses this host's cgroup v1/v2 hybrid: see crun_cgroups_bind
# (integration/helpers.bash).  While the bench runs, runc and crun then both
# see that controller on v1.  BENCH_CRUN_BIND_V1=0 leaves the host alone (crun
# is then skipped).
if [ -n "$CRUN" ] && [ -x "$CRUN" ] && [ "${BENCH_CRUN_BIND_V1:-1}" != 0 ]; then
	for m in $(crun_cgroups_bind "$W/cgroup-v1" 2>/dev/null); do
		V1_MOUNTS+=("$m")
		echo "# start: bound cgroup controller $(basename "$m") to v1 for crun (unbound at exit)" >&2
	done
fi

mkdir -p "$W/bin"
gcc -static -O2 -DRUNTIME="\"$RUNC\"" -o "$W/bin/exec-floor" "$BENCH_DIR/exec_floor.c" ||
	echo "# start: could not build exec-floor (gcc with static glibc)" >&2

bench_docker_filter "$W/docker.json"
names=() bins=() confs=() skipped=""
for v in "${VARIANTS[@]}"; do
	IFS='|' read -r name bin conf filter <<<"$v"
	if [ -z "$bin" ] || [ ! -x "$bin" ]; then
		echo "# start: skipping $name: ${bin:-binary} not found" >&2
		continue
	fi
	mkdir -p "$W/$name"
	make_bundle "$W/$name/bundle" /bin/true
	[ "$filter" != docker ] ||
		bundle_edit "$W/$name/bundle" '.linux.seccomp = $f[0]' --slurpfile f "$W/docker.json"
	if [ "$filter" = hardrun ]; then
		if ! jq -e '.linux.seccomp.listenerPath' "$W/hardrun-baseline/bundle/config.json" \
			>/dev/null 2>&1; then
			echo "# start: skipping $name: no hardrun-baseline filter to copy" >&2
			continue
		fi
		# edited as text: jq would round the 64-bit argument masks
		sed -e 's/,"listener\(Path\|Metadata\)":"[^"]*"//g' \
			-e 's/"listener\(Path\|Metadata\)":"[^"]*",//g' -e 's/"SCMP_ACT_NOTIFY"/"SCMP_ACT_ALLOW"/g' \
			"$W/hardrun-baseline/bundle/config.json" >"$W/$name/bundle/config.json"
		if grep -q 'listener\|SCMP_ACT_NOTIFY' "$W/$name/bundle/config.json"; then
			echo "start: $name: could not take the monitor out of hardrun's filter" >&2
			exit 1
		fi
	fi
	cp "$W/$name/bundle/config.json" "$W/$name/config.orig"
	bench_node_config "$W/$name/node.json" "$conf"
	: >"$W/$name/samples"
	# probe: a runtime that cannot run here (e.g. crun on a cgroup v1/v2
	# hybrid with controllers on v2) is reported and left out
	if ! HARDRUN_CONFIG="$W/$name/node.json" "$bin" --root "$W/$name/root" run \
		--bundle "$W/$name/bundle" "probe$$" </dev/null >/dev/null 2>"$W/$name/err"; then
		echo "# start: skipping $name: $(head -c 300 "$W/$name/err")" >&2
		skipped+=" $name"
		continue
	fi
	# a hardened variant must really be hardened and monitored
	if [[ "$conf" == *enforce* ]] &&
		! jq -e '.linux.seccomp.listenerPath' "$W/$name/bundle/config.json" >/dev/null; then
		echo "start: $name: config.json was not hardened with a monitor" >&2
		exit 1
	fi
	names+=("$name") bins+=("$bin") confs+=("$W/$name/node.json")
done
[ ${#names[@]} -gt 0 ] || { echo "start: no runtime to measure" >&2; exit 1; }

# one_run IDX ID: time one `run` of variant IDX (µs) into its samples file.
one_run() {
	local i="$1" id="$2" d="$W/${names[$1]}" t0 t1
	# hardened variants rewrite config.json and stash the bundle's own fields:
	# start each run from a fresh bundle, as containerd does
	cp "$d/config.orig" "$d/bundle/config.json"
	rm -f "$d/bundle/config.json.hardrun-orig"
	t0="${EPOCHREALTIME/./}"
	HARDRUN_CONFIG="${confs[$i]}" "${bins[$i]}" --root "$d/root" run --bundle "$d/bundle" "$id" \
		</dev/null >/dev/null 2>"$d/err" || {
		echo "start: ${names[$i]} run failed: $(cat "$d/err")" >&2
		return 1
	}
	t1="${EPOCHREALTIME/./}"
	echo $((t1 - t0))
}

k=${#names[@]}
for ((it = -WARMUP; it < N; it++)); do
	for ((j = 0; j < k; j++)); do
		i=$(((j + (it < 0 ? 0 : it)) % k)) # rotate who goes first
		us="$(one_run "$i" "b$$-$it-$i")"
		[ "$it" -lt 0 ] || echo "$us" >>"$W/${names[$i]}/samples"
	done
done

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$BENCH_RESULTS"
med=() p90=() line_med="" line_p90=""
for ((i = 0; i < k; i++)); do
	read -r m p < <(stats "$W/${names[$i]}/samples")
	med+=("$m") p90+=("$p")
	line_med+=" ${names[$i]}=$m"
	line_p90+=" ${names[$i]}=$p"
	cp "$W/${names[$i]}/samples" "$BENCH_RESULTS/start-$stamp-${names[$i]}.us"
done
declare -A median
for ((i = 0; i < k; i++)); do median[${names[$i]}]="${med[$i]}"; done
# ratio_line NAME BASE VARIANT...: "start.NAME V=ratio ..." of the medians of
# each measured VARIANT against BASE's (nothing when BASE was not measured)
ratio_line() {
	local name="$1" b="${median[$2]:-}" v line=""
	shift 2
	[ -n "$b" ] || return 0
	for v in "$@"; do
		[ -n "${median[$v]:-}" ] || continue
		line+=" $v=$(awk -v a="${median[$v]}" -v b="$b" 'BEGIN { printf "%.3f", a / b }')"
	done
	[ -z "$line" ] || echo "start.$name$line"
}
echo "start.n $N"
echo "start.median_ms$line_med"
echo "start.p90_ms$line_p90"
others=()
for n in "${names[@]}"; do [ "$n" = runc ] || others+=("$n"); done
ratio_line ratio_vs_runc runc "${others[@]}"
ratio_line ratio_vs_runc_docker runc-docker hardrun-baseline-docker
ratio_line ratio_vs_runc_same_filter runc-hardrun-filter hardrun-baseline
ratio_line ratio_vs_exec_floor exec-floor hardrun-off
ratio_line ratio_vs_crun crun hardrun-baseline-crun
[ -z "$skipped" ] || echo "start.skipped$skipped"
