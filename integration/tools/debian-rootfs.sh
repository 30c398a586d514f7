#!/usr/bin/env bash
# debian-rootfs.sh OUT: a Debian (bookworm, minbase) rootfs with the programs
# that the real-program suites and bench/workload.bench.sh run, built once with
# debootstrap into OUT (integration/.cache/debian through ensure_debian_rootfs
# in integration/helpers.bash).
#
# - The mirror is the machine's own: read at run time from its apt sources
#   (/etc/apt/sources.list.d/*.sources, deb822, or sources.list one-line form),
#   the first "deb" entry for the suite with component main.  DEBIAN_MIRROR
#   overrides it.
# - OUT/.complete holds the stamp of the package list and suite; it is written
#   last, so a build that was cut off is never taken for a rootfs, and a change
#   of the list rebuilds.  With the stamp in place the script returns at once.
# - Several callers at once: one builds (flock on OUT.lock), the others wait.
# - Downloaded .debs are kept in OUT.debs (debootstrap --cache-dir) so that a
#   rebuild after a list change downloads only what is new.
#
# Exit status: 0 ready; 2 cannot be built here (no debootstrap, no mirror in
# the apt sources, the download failed: the reason on stderr, callers skip);
# 1 any other error.
# Env: DEBIAN_SUITE (bookworm), DEBIAN_MIRROR, DEBIAN_KEYRING.
set -euo pipefail

SUITE="${DEBIAN_SUITE:-bookworm}"
# What the workloads run.  dash, coreutils, tar, gzip, sed, grep are in minbase.
PACKAGES=(nginx-light redis-server redis-tools curl apache2-utils procps)

die() {
	echo "debian-rootfs: $2" >&2
	exit "$1"
}

[ $# -eq 1 ] || die 1 "usage: $0 OUT"
OUT="$1"
# the last word: bump it when the build steps below change
STAMP="$(printf '%s\n' "$SUITE" "${PACKAGES[@]}" minbase 1 | sha256sum | cut -c1-16)"

# fast path, without the lock: the stamp is written last
[ "$(cat "$OUT/.complete" 2>/dev/null)" != "$STAMP" ] || exit 0

# sources_mirror SUITE: the first URI of a "deb" source for SUITE with
# component main, from the deb822 files, then the one-line files.
sources_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$1" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") &&
				    (" " comps " ") ~ / main /) { split(uris, u, " "); print u[1]; found = 1; exit }
				types = suites = comps = uris = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{ k = tolower($1); sub(/:$/, "", k); $1 = ""; sub(/^ +/, "")
			  if (k == "types") types = $0; else if (k == "suites") suites = $0
			  else if (k == "components") comps = $0; else if (k == "uris") uris = $0 }
			END { if (!found) flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [options] URI SUITE COMPONENT...
		sed -e 's/\[[^]]*\]//' "$f" | awk -v suite="$1" '
			$1 == "deb" && $3 == suite { for (i = 4; i <= NF; i++) if ($i == "main") { print $2; exit } }'
	done
}

command -v debootstrap >/dev/null || die 2 "debootstrap is not installed (apt-get install debootstrap)"
[ "$(id -u)" = 0 ] || die 2 "needs root (debootstrap)"
MIRROR="${DEBIAN_MIRROR:-$(sources_mirror "$SUITE" | head -n 1)}"
[ -n "$MIRROR" ] || die 2 "no apt source for $SUITE (main) in /etc/apt/sources.list{,.d/*}"
KEYRING="${DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"
keyring=()
[ ! -f "$KEYRING" ] || keyring=(--keyring="$KEYRING")

mkdir -p "$(dirname "$OUT")"
exec 9>"$OUT.lock"
flock 9
[ "$(cat "$OUT/.complete" 2>/dev/null)" != "$STAMP" ] || exit 0

echo "debian-rootfs: building $SUITE minbase + ${PACKAGES[*]} from the apt sources' mirror" \
	"into $OUT (once; a few minutes)" >&2
t0=$SECONDS
rm -rf "$OUT" "$OUT.tmp"
mkdir -p "$OUT.debs"
log="$(dirname "$OUT")/debian-rootfs.log"
if ! debootstrap --variant=minbase --include="$(
	IFS=,
	echo "${PACKAGES[*]}"
)" --cache-dir="$(cd "$OUT.debs" && pwd)" "${keyring[@]}" "$SUITE" "$OUT.tmp" "$MIRROR" \
	</dev/null >"$log" 2>&1; then
	tail -n 5 "$log" >&2
	rm -rf "$OUT.tmp"
	die 2 "debootstrap of $SUITE failed (log: $log)"
fi
# nothing the package scripts may have started may outlive the build
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/root" 2>/dev/null)" = "$(cd "$OUT.tmp" && pwd)" ] || continue
	die 1 "a process of the build still runs in it: $(tr '\0' ' ' <"$p/cmdline")"
done
rm -rf "$OUT.tmp"/var/cache/apt/archives/*.deb "$OUT.tmp"/var/lib/apt/lists/*_Packages
: >"$OUT.tmp/etc/resolv.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$OUT.tmp/etc/hosts"
mv "$OUT.tmp" "$OUT"
echo "$STAMP" >"$OUT/.complete.tmp"
mv "$OUT/.complete.tmp" "$OUT/.complete"
echo "debian-rootfs: ready in $((SECONDS - t0))s: $(du -sh "$OUT" | cut -f1)" >&2
