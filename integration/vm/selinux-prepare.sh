#!/bin/bash
# Host side, run by run.sh before the SELinux boot: fetch Debian's reference
# policy and the SELinux userland with `apt-get download` (nothing is
# installed on the host), unpack them into CACHE/selinux/root and build the
# policy store there with that semodule (-p alternate root).  Idempotent; the
# store build takes ~1.5 min once.  The guest copies root/etc/selinux and
# root/var/lib/selinux into its writable overlay and runs load_policy.
set -euo pipefail
cache=${1:?usage: selinux-prepare.sh CACHE}
d=$cache/selinux
root=$d/root
pkgs=(selinux-policy-default policycoreutils selinux-utils semodule-utils)
[ -s "$root/etc/selinux/default/policy/policy.33" ] && [ -f "$d/done" ] && exit 0
echo "vm: preparing SELinux reference policy in $d" >&2
rm -rf "$d" && mkdir -p "$d/deb" "$root"
(cd "$d/deb" && apt-get download -q "${pkgs[@]}" 2>&1 | { grep -v '^W: Download is performed unsandboxed' >&2 || true; })
for f in "$d"/deb/*.deb; do dpkg-deb -x "$f" "$root"; done
# semanage.conf from the host's libsemanage, told to use the helpers that were
# extracted with the rest (HLL compiler, setfiles, sefcontext_compile,
# load_policy), none of which a fresh host has.  The guest sees this cache at
# the same path and uses the same file for its own semodule -i.
{
	if [ -f /etc/selinux/semanage.conf ]; then
		grep -v '^compiler-directory' /etc/selinux/semanage.conf
	else
		echo 'module-store = direct'
	fi
	echo "compiler-directory = $root/usr/libexec/selinux/hll"
	printf '[setfiles]\npath = %s\nargs = -q -c $@ $<\n[end]\n' "$root/sbin/setfiles"
	printf '[sefcontext_compile]\npath = %s\nargs = $@\n[end]\n' "$root/usr/sbin/sefcontext_compile"
	printf '[load_policy]\npath = %s\nargs = -q\n[end]\n' "$root/sbin/load_policy"
} >"$root/etc/selinux/semanage.conf"
printf 'SELINUX=permissive\nSELINUXTYPE=default\n' >"$root/etc/selinux/config"
mods=()
while read -r m; do mods+=("-i" "$root/usr/share/selinux/default/$m.pp.bz2"); done \
	<"$root/usr/share/selinux/default/.modules"
# Same as the package's postinst (priority 100, no reload), into $root.
"$root/usr/sbin/semodule" -p "$root" -X 100 -n -s default "${mods[@]}" 2>&1 |
	grep -v 'not in password file' >&2 || true
[ -s "$root/etc/selinux/default/policy/policy.33" ] || { echo "vm: policy build failed" >&2; exit 1; }
ls "$d"/deb >"$d/done"
rm -rf "$d/deb"
