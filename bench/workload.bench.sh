#!/usr/bin/env bash
# workload: Debian's own programs in containers of the Debian rootfs
# (debootstrap, cached: ensure_debian_rootfs), the workloads of issue 12's table:
#   files     dash loop writing 3000 small files (echo $i > f$i)
#   tar       tar -xzf of an archive of 2000 files, three times
#   pipes     200 pipelines printf ... | sort | head -1
#   true      300 x /bin/true from dash
#   redis     redis-benchmark (SET and GET, 4 clients) against redis-server
#             (as user redis) in the same container, over its loopback
#   nginx     nginx as a reverse proxy to an upstream nginx (a new upstream
#             connect() per request), loaded with `ab -c 4` from the host over
#             the loopback of a network namespace the bench makes (only
#             local addresses)
# The shell workloads time themselves inside the container (date +%s%N), so
# container start and teardown are not part of the figures (bench/start.bench.sh
# has those); redis and nginx report requests per second.
# Variants, rounds interleaved (order rotated each round):
#   runc-docker       runc with Docker's default seccomp filter (bench_docker_filter)
#   unconfined        runc, no seccomp filter
#   hardrun-baseline  $HARDRUN, profile baseline, mode enforce (notify monitor)
#   hardrun-ptrace    the same with monitorMechanism "ptrace"
#   hardrun-learn-first / hardrun-learn-repeat (nginx only): mode learn, the
#                     first run of a profile (no recording yet) and a later run
#                     of the same profile (one recording there)
# All bundles: root, containerd's default capabilities, no noNewPrivileges.
# Prints, per workload W (ms: time, lower is better; rps: requests per
# second, higher is better), the medians and the median over rounds of each
# variant's ratio to runc-docker and to unconfined:
#   workload.W_ms runc-docker=... unconfined=... hardrun-baseline=...
#   workload.W_ratio_vs_runc_docker unconfined=... hardrun-baseline=...
#   workload.W_ratio_vs_unconfined runc-docker=... hardrun-baseline=...
# No figure is asserted.  Env: WORKLOAD_ROUNDS (3), WORKLOAD_AB_N (requests
# per ab run, 2000), WORKLOAD_REDIS_N (requests per redis-benchmark test, 20000).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.bash
source "$BENCH_DIR/lib.bash"
# shellcheck source=../integration/debian_workloads.bash
source "$REPO_DIR/integration/debian_workloads.bash"

ROUNDS="${WORKLOAD_ROUNDS:-3}"
AB_N="${WORKLOAD_AB_N:-2000}"
REDIS_N="${WORKLOAD_REDIS_N:-20000}"

[ "$(id -u)" = 0 ] || { echo "workload bench: needs root" >&2; exit 1; }
[ -x "$HARDRUN" ] || { echo "workload bench: $HARDRUN not built" >&2; exit 1; }
# what this machine lacks is reported and the part skipped, not failed
skip() {
	echo "# workload: skipped: $*" >&2
	echo "workload.skipped reason=\"$*\""
	exit 0
}
requires_cmd ab curl ip
ensure_debian_rootfs

# stateDir must be short: the monitor socket path has to fit sun_path
W="$(mktemp -d /tmp/hrw.XXXXXX)"
ROOT="$W/root"
NS="hrw-$$"
cleanup() {
	bench_delete_all "$ROOT"
	umount_under "$W"
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link set lo up
bench_docker_filter "$W/docker.json"
bench_node_config "$W/notify.json" \
	'{"defaultMode": "enforce", "defaultProfile": "baseline", "allowedProfiles": ["*"]}'
bench_node_config "$W/ptrace.json" '{"defaultMode": "enforce", "defaultProfile": "baseline",
	"allowedProfiles": ["*"], "monitorMechanism": "ptrace"}'
REC="$(jq -r .recordingsDir "$W/notify.json")"

# the archive of 2000 small files that the tar workload unpacks
mkdir -p "$W/arc/a"
for d in $(seq 20); do
	mkdir "$W/arc/a/d$d"
	for f in $(seq 100); do echo "file $d/$f" >"$W/arc/a/d$d/f$f"; done
done
tar --owner=0 --group=0 -C "$W/arc" -czf "$W/files.tgz" a

# shellcheck disable=SC2016 # in-container script
SHELL_WORKLOADS='set -e
t() { date +%s%N; }
mkdir /tmp/w && cd /tmp/w
a=$(t); for i in $(seq 3000); do echo $i > f$i; done; b=$(t)
echo "files $((b - a))"
cd / && rm -rf /tmp/w
a=$(t); for k in 1 2 3; do mkdir /tmp/x$k; tar -xzf /srv/files.tgz -C /tmp/x$k; done; b=$(t)
echo "tar $((b - a))"
[ "$(ls /tmp/x3/a/d20 | wc -l)" = 100 ] || { echo "tar: files missing"; exit 1; }
rm -rf /tmp/x1 /tmp/x2 /tmp/x3
a=$(t); for i in $(seq 200); do printf "%s\n" c b a | sort | head -1 >/dev/null; done; b=$(t)
echo "pipes $((b - a))"
a=$(t); for i in $(seq 300); do /bin/true; done; b=$(t)
echo "true $((b - a))"'

REDIS_BENCH="set -e
$REDIS_UP
redis-benchmark -q -c 4 -n $REDIS_N -t set,get --csv >/tmp/rb.csv
$REDIS_QUIT
awk -F '\"' '\$2 == \"SET\" { print \"redis_set \" \$4 } \$2 == \"GET\" { print \"redis_get \" \$4 }' /tmp/rb.csv"

# Variants: name|node config ("" plain runc)|seccomp filter in the bundle|annotations
VARIANTS=(
	"runc-docker||docker|"
	"unconfined|||"
	"hardrun-baseline|$W/notify.json||"
	"hardrun-ptrace|$W/ptrace.json||"
)
LEARN_VARIANTS=(
	"hardrun-learn-first|$W/notify.json||learn"
	"hardrun-learn-repeat|$W/notify.json||learn"
)

# bundle KIND VARIANT: $W/b/KIND-NAME for variant VARIANT (a VARIANTS row),
# config.json kept aside as config.orig (hardrun rewrites it at each create)
bundle() {
	local kind="$1" name conf filter ann b script a=()
	IFS='|' read -r name conf filter ann <<<"$2"
	b="$W/b/$kind-$name"
	case $kind in
	shell) script="$SHELL_WORKLOADS" ;;
	redis) script="$REDIS_BENCH" ;;
	nginx) script='exec nginx -g "daemon off;"' ;;
	esac
	[ "$ann" != learn ] ||
		a=(--annotation mode.hardrun.io/POD=learn --annotation profile.hardrun.io/POD=wl-nginx)
	debian_bundle "$b" "$script" "${a[@]}"
	cp "$W/files.tgz" "$b/rootfs/srv/files.tgz"
	[ "$filter" != docker ] || bundle_edit "$b" '.linux.seccomp = $f[0]' --slurpfile f "$W/docker.json"
	[ "$kind" != nginx ] || bundle_edit "$b" '.linux.namespaces |= map(if .type == "network"
		then . + {path: $p} else . end)' --arg p "/run/netns/$NS"
	cp "$b/config.json" "$b/config.orig"
}

# rt_run KIND VARIANT ID ARGS...: `ARGS --bundle B ID` through the variant's
# runtime, on a fresh config.json of its KIND bundle B
rt_run() {
	local kind="$1" name conf b id="$3"
	IFS='|' read -r name conf _ _ <<<"$2"
	shift 3
	b="$W/b/$kind-$name"
	cp "$b/config.orig" "$b/config.json"
	rm -f "$b/config.json.hardrun-orig"
	if [ -z "$conf" ]; then
		"$RUNC" --root "$ROOT" "$@" --bundle "$b" "$id" </dev/null
		return
	fi
	HARDRUN_CONFIG="$conf" "$HARDRUN" --root "$ROOT" "$@" --bundle "$b" "$id" </dev/null || return
	# a hardrun variant must really be hardened and monitored
	grep -q '"listenerPath"\|"SCMP_ACT_TRACE"' "$b/config.json" ||
		{ echo "workload: $name: config.json was not hardened with a monitor" >&2; return 1; }
}

# in_container KIND VARIANT: run the KIND bundle in the foreground; its
# "workload value" lines go to $W/s/workload.variant (one a round)
in_container() {
	local out name="${2%%|*}"
	out="$(rt_run "$1" "$2" "w$RANDOM$RANDOM" run 2>&1)" || {
		echo "workload: $1 under $name failed: $out" >&2
		return 1
	}
	awk '$1 ~ /^[a-z_]+$/ && $2 ~ /^[0-9.]+$/' <<<"$out" | while read -r w v; do
		echo "$v" >>"$W/s/$w.$name"
	done
	[ -n "$(awk '$1 ~ /^[a-z_]+$/ && $2 ~ /^[0-9.]+$/' <<<"$out")" ] ||
		{ echo "workload: $1 under $name printed no figure: $out" >&2; return 1; }
}

# nginx_up: nginx in $NS answers through the proxy (the page of the upstream)
nginx_up() {
	ip netns exec "$NS" curl -sf http://127.0.0.1/ 2>/dev/null | grep -q upstream
}

# nginx_rps VARIANT: start the nginx bundle detached, wait for it, load it
# with ab -c 4 (a warm-up, then AB_N requests), record req/s, delete it
nginx_rps() {
	local name="${1%%|*}" id="n$RANDOM$RANDOM" out rps
	# a file, not a pipe: the detached container keeps its stdio open
	rt_run nginx "$1" "$id" run -d >"$W/nginx.out" 2>&1 ||
		{ echo "workload: nginx under $name: $(cat "$W/nginx.out")" >&2; return 1; }
	if ! wait_for 20 nginx_up; then
		echo "workload: nginx under $name did not answer" >&2
		return 1
	fi
	ip netns exec "$NS" ab -q -c 4 -n 200 http://127.0.0.1/ >/dev/null
	out="$(ip netns exec "$NS" ab -q -c 4 -n "$AB_N" http://127.0.0.1/)"
	"$RUNC" --root "$ROOT" delete -f "$id" >/dev/null
	rps="$(awk '/^Requests per second:/ { print $4 }' <<<"$out")"
	if [ -z "$rps" ] || ! grep -q '^Failed requests: *0$' <<<"$out" || grep -q '^Non-2xx' <<<"$out"; then
		echo "workload: nginx under $name: ab saw errors: $out" >&2
		return 1
	fi
	echo "$rps" >>"$W/s/nginx.$name"
}

# learn_round: a first learn run of profile wl-nginx (no recording), then a
# repeated one (the first one's recording in place)
learn_round() {
	rm -rf "${REC:?}/wl-nginx"
	nginx_rps "${LEARN_VARIANTS[0]}"
	_recorded() { compgen -G "$REC/wl-nginx/*.json" >/dev/null; }
	wait_for 10 _recorded || { echo "workload: the first learn run left no recording" >&2; return 1; }
	nginx_rps "${LEARN_VARIANTS[1]}"
}

mkdir -p "$W/s"
for v in "${VARIANTS[@]}"; do
	for kind in shell redis nginx; do bundle "$kind" "$v"; done
done
for v in "${LEARN_VARIANTS[@]}"; do bundle nginx "$v"; done
echo "# workload: $ROUNDS interleaved rounds; ab -c 4 -n $AB_N; redis-benchmark -n $REDIS_N" >&2
for r in $(seq "$ROUNDS"); do
	k=${#VARIANTS[@]}
	for ((j = 0; j < k; j++)); do
		v="${VARIANTS[$(((r + j) % k))]}"
		in_container shell "$v"
		in_container redis "$v"
		nginx_rps "$v"
		# the learn runs take the place of one rotating slot
		[ $j -ne $((r % k)) ] || learn_round
	done
done

# report: W unit metric: the medians and the ratio lines of workload W
names=()
for v in "${VARIANTS[@]}" "${LEARN_VARIANTS[@]}"; do names+=("${v%%|*}"); done
r3() { awk -v x="$1" 'BEGIN { printf "%.3f", x }'; }
report() {
	local w="$1" unit="$2" scale="$3" n line="" base
	for n in "${names[@]}"; do
		[ -s "$W/s/$w.$n" ] || continue
		line+=" $n=$(median <"$W/s/$w.$n" | awk -v s="$scale" '{ printf "%.1f", $1 / s }')"
	done
	echo "workload.${w}_$unit$line"
	for base in runc-docker unconfined; do
		line=""
		for n in "${names[@]}"; do
			[ "$n" != "$base" ] && [ -s "$W/s/$w.$n" ] || continue
			line+=" $n=$(r3 "$(round_ratio "$W/s/$w.$n" "$W/s/$w.$base")")"
		done
		echo "workload.${w}_ratio_vs_${base//-/_}$line"
	done
}
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$BENCH_RESULTS/workload-$stamp"
cp "$W"/s/* "$BENCH_RESULTS/workload-$stamp/"
echo "workload.rounds $ROUNDS"
for w in files tar pipes true; do report "$w" ms 1000000; done
for w in redis_set redis_get nginx; do report "$w" rps 1; done
