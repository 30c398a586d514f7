#!/usr/bin/env bash
# Install (idempotently) every Debian package that build, tests, demo and bench
# need.  Fast when all are present: dpkg-query first, apt only for what is missing.
set -euo pipefail

PKGS=(
	gcc make pkg-config libseccomp-dev libcap-dev libapparmor-dev libselinux1-dev
	libyajl-dev check
	runc crun containerd busybox-static bats podman conmon apparmor jq hyperfine
	strace clang-format clang libclang-rt-14-dev
	file util-linux tar coreutils procps nftables
	secilc shellcheck groff-base man-db nodejs python3
	qemu-system-x86 cpio
	debootstrap apache2-utils curl iproute2
)

# The admission-policy CEL cases (integration/deploy.bats) evaluate with an npm package.
npm_deps() {
	local k=integration/data/kubernetes
	[ -d "$k/node_modules/@bufbuild/cel" ] && return 0
	command -v npm >/dev/null || { echo "deps: no npm; the CEL policy cases will skip" >&2; return 0; }
	npm ci --prefix "$k" --no-audit --no-fund --loglevel=error </dev/null ||
		echo "deps: npm ci failed; the CEL policy cases will skip" >&2
}

# one dpkg-query for all: "name status" for each known package
installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PKGS[@]}" 2>/dev/null |
	awk '$2 == "installed" { print $1 }' || true)"
missing=()
for p in "${PKGS[@]}"; do
	grep -qxF "$p" <<<"$installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	npm_deps
	exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" </dev/null
npm_deps
