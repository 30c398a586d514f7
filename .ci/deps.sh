#!/usr/bin/env bash
# Install (idempotently) every Debian package that build, tests, demo and bench
# need.  Fast when all are present: dpkg-query first, apt only for what is missing.
set -euo pipefail

PKGS=(
	gcc make pkg-config libseccomp-dev libcap-dev libapparmor-dev libselinux1-dev
	libyajl-dev check
	runc crun containerd busybox-static bats podman conmon apparmor jq hyperfine
	strace clang-format
	file util-linux tar coreutils procps
)

# one dpkg-query for all: "name status" for each known package
installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PKGS[@]}" 2>/dev/null |
	awk '$2 == "installed" { print $1 }' || true)"
missing=()
for p in "${PKGS[@]}"; do
	grep -qxF "$p" <<<"$installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
