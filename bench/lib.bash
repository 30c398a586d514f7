# Shared helpers for bench/*.bench.sh parts.

BENCH_DIR="${BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
HARDRUN="${HARDRUN:-$REPO_DIR/hardrun}"
RUNC="${RUNC:-$(command -v runc || echo /usr/sbin/runc)}"
CRUN="${CRUN:-$(command -v crun || true)}"
BENCH_RESULTS="${BENCH_RESULTS:-$BENCH_DIR/results}"

# The integration helpers build and cache the busybox rootfs; outside bats,
# their skip() means "cannot run".
skip() {
	echo "bench: $*" >&2
	exit 1
}
# shellcheck source=../integration/helpers.bash
source "$REPO_DIR/integration/helpers.bash"

# bench_node_config FILE JSON: a node config for hardrun variants, with every
# path under the bench's temp dir.
bench_node_config() {
	local file="$1" extra="${2-}" t
	[ -n "$extra" ] || extra='{}'
	t="$(dirname "$file")"
	jq -n --arg runtime "$RUNC" --arg t "$t" --arg profiles "$REPO_DIR/profiles" \
		--argjson extra "$extra" '{
			runtime: $runtime, defaultMode: "off", profileDirs: [$profiles],
			stateDir: ($t + "/state"), recordingsDir: ($t + "/recordings"),
			eventsFile: ($t + "/events.jsonl")
		} * $extra' >"$file"
}

# stats FILE: "median p90" (ms, one decimal) of the numbers in FILE (µs).
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		i = int(NR * 0.9 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR
		printf "%.1f %.1f\n", m / 1000, v[i] / 1000 }'
}

# bench_docker_filter FILE: Docker's default seccomp filter (OCI form) into
# FILE: hardrun's baseline export (Docker's allowlist with its argument
# filters) without hardrun's own additions (ENOSYS for syscalls newer than
# Docker's list), on Docker's three x86 architectures.  Uses $HARDRUN.
bench_docker_filter() {
	local out="$1" cfg="$1.node.json"
	bench_node_config "$cfg" '{}'
	HARDRUN_CONFIG="$cfg" "$HARDRUN" profile export baseline --format oci | jq '
		.syscalls |= map(if .action == "SCMP_ACT_ERRNO" and (.errnoRet // 0) == 38
			then .names |= map(select(. == "clone3")) else . end
			| select(.names | length > 0))
		| .architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]' >"$out"
	rm -f "$cfg"
	jq -e '.syscalls | length > 0' "$out" >/dev/null
}

# median: the median of the numbers on stdin, one a line
median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# round_ratio A B: the median over rounds of A/B, from two files of one number
# a round (line i of each is round i: the variants of a round ran back to back)
round_ratio() {
	paste "$1" "$2" | awk '{ printf "%.6f\n", $1 / $2 }' | median
}

# bench_delete_all ROOT...: force-delete every container left in each runtime
# root (a bench's exit trap)
bench_delete_all() {
	local r id
	for r in "$@"; do
		[ -d "$r" ] || continue
		for id in $("$RUNC" --root "$r" list -q 2>/dev/null); do
			"$RUNC" --root "$r" delete -f "$id" >/dev/null 2>&1 || true
		done
	done
}
