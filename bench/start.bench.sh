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

V1_MOUNTS=() # cgroup v1 hierarchies the bench mounted (crun_bind_v1)
cleanup() {
	local r id
	for r in "$W"/*/root; do
		[ -d "$r" ] || continue
		for id in $("$RUNC" --root "$r" list -q 2>/dev/null); do
			"$RUNC" --root "$r" delete -f "$id" >/dev/null 2>&1 || true
		done
	done
	for r in "${V1_MOUNTS[@]}"; do
		crun_unbind_v1 "$r"
	done
	rm -rf "$W"
}
trap cleanup EXIT

ensure_rootfs

# crun 1.x refuses a cgroup v1/v2 hybrid whose v2 hierarchy holds a controller
# ("cgroups in hybrid mode not supported"); Debian's hybrid leaves hugetlb
# there.  A controller no v2 cgroup uses can be bound to a v1 hierarchy of its
# own for the bench (then runc and crun both see it on v1, as on a pure v1
# node) and goes back to v2 when that is unmounted at exit.
# BENCH_CRUN_BIND_V1=0 leaves the host alone (crun is then skipped).
# crun_unbind_v1 MOUNT: unmount a hierarchy crun_bind_v1 made, until its
# controller is back on v2.  A v1 hierarchy that still had a (dying) child
# cgroup when it was unmounted stays alive with no mount at all; mounting it
# again and unmounting once the child is gone ends it.
crun_unbind_v1() {
	local m="$1" c try
	c="$(basename "$m")"
	umount "$m" 2>/dev/null || true
	# the kernel ends a hierarchy asynchronously: look for a while, then
	# mount and unmount again
	for ((try = 1; try <= 40; try++)); do
		sleep 0.1
		[ "$(awk -v c="$c" '$1 == c { print $2 }' /proc/cgroups)" = 0 ] && return 0
		((try % 10 == 0)) || continue
		mount -t cgroup -o "$c" cgroup "$m" 2>/dev/null && umount "$m" 2>/dev/null
	done
	echo "# start: cgroup controller $c is still on a v1 hierarchy" >&2
}
crun_bind_v1() {
	local u=/sys/fs/cgroup/unified c
	[ -n "$CRUN" ] && [ -x "$CRUN" ] && [ "${BENCH_CRUN_BIND_V1:-1}" != 0 ] || return 0
	# (cgroupfs files have no size: read them)
	[ "$(id -u)" = 0 ] && [ -n "$(cat "$u/cgroup.controllers" 2>/dev/null)" ] || return 0
	# in use below the v2 root: cannot be moved
	[ -z "$(tr -d ' \n' <"$u/cgroup.subtree_control")" ] || return 0
	make_bundle "$W/crun-probe" /bin/true
	! "$CRUN" --root "$W/crun-probe.root" run --bundle "$W/crun-probe" "cp$$" \
		</dev/null >/dev/null 2>"$W/crun-probe.err" || return 0
	grep -q 'hybrid mode' "$W/crun-probe.err" || return 0
	for c in $(cat "$u/cgroup.controllers"); do
		mkdir -p "$W/cgroup-v1/$c"
		if mount -t cgroup -o "$c" cgroup "$W/cgroup-v1/$c"; then
			V1_MOUNTS+=("$W/cgroup-v1/$c")
			echo "# start: bound cgroup controller $c to v1 for crun (unbound at exit)" >&2
		fi
	done
}
crun_bind_v1

mkdir -p "$W/bin"
gcc -static -O2 -DRUNTIME="\"$RUNC\"" -o "$W/bin/exec-floor" "$BENCH_DIR/exec_floor.c" ||
	echo "# start: could not build exec-floor (gcc with static glibc)" >&2

# Docker's default filter: baseline's export without hardrun's own additions
# (ENOSYS for syscalls newer than Docker's list), on Docker's 3 architectures
bench_node_config "$W/export.json" '{}'
HARDRUN_CONFIG="$W/export.json" "$HARDRUN" profile export baseline --format oci | jq '
	.syscalls |= map(if .action == "SCMP_ACT_ERRNO" and (.errnoRet // 0) == 38
		then .names |= map(select(. == "clone3")) else . end
		| select(.names | length > 0))
	| .architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]' >"$W/docker.json"
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
med=() p90=() line_med="" line_p90="" line_ratio=""
for ((i = 0; i < k; i++)); do
	read -r m p < <(stats "$W/${names[$i]}/samples")
	med+=("$m") p90+=("$p")
	line_med+=" ${names[$i]}=$m"
	line_p90+=" ${names[$i]}=$p"
	cp "$W/${names[$i]}/samples" "$BENCH_RESULTS/start-$stamp-${names[$i]}.us"
done
base="" base_docker="" base_filter="" base_floor="" line_docker="" line_filter="" line_floor=""
for ((i = 0; i < k; i++)); do
	[ "${names[$i]}" = runc ] && base="${med[$i]}"
	[ "${names[$i]}" = exec-floor ] && base_floor="${med[$i]}"
	[ "${names[$i]}" = runc-docker ] && base_docker="${med[$i]}"
	[ "${names[$i]}" = runc-hardrun-filter ] && base_filter="${med[$i]}"
done
for ((i = 0; i < k; i++)); do
	[ -n "$base_docker" ] && [ "${names[$i]}" = hardrun-baseline-docker ] &&
		line_docker+=" ${names[$i]}=$(awk -v a="${med[$i]}" -v b="$base_docker" 'BEGIN { printf "%.3f", a / b }')"
	[ -n "$base_filter" ] && [ "${names[$i]}" = hardrun-baseline ] &&
		line_filter+=" ${names[$i]}=$(awk -v a="${med[$i]}" -v b="$base_filter" 'BEGIN { printf "%.3f", a / b }')"
	[ -n "$base_floor" ] && [ "${names[$i]}" = hardrun-off ] &&
		line_floor+=" ${names[$i]}=$(awk -v a="${med[$i]}" -v b="$base_floor" 'BEGIN { printf "%.3f", a / b }')"
done
if [ -n "$base" ]; then
	for ((i = 0; i < k; i++)); do
		[ "${names[$i]}" = runc ] && continue
		line_ratio+=" ${names[$i]}=$(awk -v a="${med[$i]}" -v b="$base" 'BEGIN { printf "%.3f", a / b }')"
	done
fi
echo "start.n $N"
echo "start.median_ms$line_med"
echo "start.p90_ms$line_p90"
[ -z "$line_ratio" ] || echo "start.ratio_vs_runc$line_ratio"
[ -z "$line_docker" ] || echo "start.ratio_vs_runc_docker$line_docker"
[ -z "$line_filter" ] || echo "start.ratio_vs_runc_same_filter$line_filter"
[ -z "$line_floor" ] || echo "start.ratio_vs_exec_floor$line_floor"
[ -z "$skipped" ] || echo "start.skipped$skipped"
