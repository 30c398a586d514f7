#!/usr/bin/env bash
# Benchmark driver: runs every bench/*.bench.sh part in name order.  Each part
# prints "<part>.<metric> key=value ..." lines on stdout; raw samples go to
# bench/results/ (gitignored).  Env: HARDRUN (default ./hardrun), RUNC, CRUN,
# BENCH_N (iterations), BENCH_ONLY (glob of parts to run, e.g. "start").
set -euo pipefail
cd "$(dirname "$0")/.."

export BENCH_DIR="$PWD/bench"
export HARDRUN="${HARDRUN:-$PWD/hardrun}"
export BENCH_RESULTS="${BENCH_RESULTS:-$PWD/bench/results}"
mkdir -p "$BENCH_RESULTS"

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }

rc=0
for part in bench/${BENCH_ONLY:-*}.bench.sh; do
	[ -e "$part" ] || continue
	echo "# $(basename "$part" .bench.sh): $(date -u +%FT%TZ) $(uname -r) $(nproc) cpus" >&2
	"./$part" || { echo "bench: $part failed" >&2; rc=1; }
done
exit $rc
