#!/bin/bash
# VM integration suite: boots Debian's own kernel (which has AppArmor and
# SELinux, unlike the build host's) under qemu TCG, shares the host's root
# filesystem read-only into the guest over virtio-9p, and runs the suites
# suite-<name>.sh inside it as PID 1's child.  Results come back through a
# second, writable 9p share.
#
#   HARDRUN=/path/to/hardrun integration/vm/run.sh [suite...]
#
# env: HARDRUN (required), VM_CACHE (default integration/.cache/vm),
#      VM_TIMEOUT per boot in seconds (default 600), KERNEL_PKG (default: the
#      newest linux-image-6.1.0-N-amd64 apt knows, or the one already cached),
#      VM_SUITES (default "apparmor selinux"), VM_MEM (1024), VM_SMP (1),
#      VM_TRIES boots per suite when the guest kernel hangs (default 2).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
: "${HARDRUN:?set HARDRUN to the hardrun binary}"
HARDRUN=$(readlink -f "$HARDRUN")
# The guest sees the host's root, but mounts fresh tmpfs on /tmp and /run: a
# checkout there (CI may clone anywhere) works from a cache outside them, with
# its own copy of these scripts.
case $repo/ in
/tmp/* | /run/*) VM_CACHE=${VM_CACHE:-/var/tmp/hardrun-vm-cache} ;;
*) VM_CACHE=${VM_CACHE:-$repo/integration/.cache/vm} ;;
esac
VM_TIMEOUT=${VM_TIMEOUT:-600}
VM_MEM=${VM_MEM:-1024}
# One vCPU: under TCG on a loaded 2-core host a second vCPU can stop getting
# ticks while the first spins in an IPI waiting for it (a guest soft lockup seen
# in CI); with one vCPU there is no cross-CPU wait, and the suites are serial.
VM_SMP=${VM_SMP:-1}
VM_TRIES=${VM_TRIES:-2}
if [ $# -gt 0 ]; then suites=("$@"); else read -ra suites <<<"${VM_SUITES:-apparmor selinux}"; fi

log() { printf 'vm: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

for t in qemu-system-x86_64 apt-get dpkg-deb gzip timeout; do
	command -v "$t" >/dev/null || die "$t not found (run make deps)"
done
[ -x "$HARDRUN" ] || die "HARDRUN=$HARDRUN is not executable"
[ -x /bin/busybox ] || die "/bin/busybox missing (busybox-static)"
mkdir -p "$VM_CACHE"
VM_CACHE=$(cd "$VM_CACHE" && pwd)
case $VM_CACHE/ in /tmp/* | /run/*) die "VM_CACHE=$VM_CACHE is under /tmp or /run, which the guest cannot see" ;; esac
case $here/ in
/tmp/* | /run/*)
	rm -rf "$VM_CACHE/vm" && mkdir -p "$VM_CACHE/vm"
	cp -a "$here/." "$VM_CACHE/vm/"
	here=$VM_CACHE/vm
	;;
esac
# A private copy of the binary under test, visible to the guest wherever it was built.
mkdir -p "$VM_CACHE/bin"
cp -f "$HARDRUN" "$VM_CACHE/bin/hardrun"
HARDRUN=$VM_CACHE/bin/hardrun

# ---- kernel -----------------------------------------------------------------
pick_kernel() {
	if [ -n "${KERNEL_PKG:-}" ]; then echo "$KERNEL_PKG"; return; fi
	if [ -s "$VM_CACHE/kernel.pkg" ]; then cat "$VM_CACHE/kernel.pkg"; return; fi
	# Newest linux-image-6.1.0-N-amd64 (not -rt/-cloud) that has a candidate.
	apt-cache policy 'linux-image-6.1.0-*-amd64' 2>/dev/null | awk '
		/^linux-image-6\.1\.0-[0-9]+-amd64:$/ { p = substr($1, 1, length($1) - 1); next }
		/^linux-image/ { p = ""; next }
		/Candidate:/ && p != "" && $2 != "(none)" { print p; p = "" }' |
		sort -V | tail -n 1
}
kpkg=$(pick_kernel)
[ -n "$kpkg" ] || die "no linux-image-6.1.0-*-amd64 known to apt (apt-get update?)"
kver=${kpkg#linux-image-}
kdir=$VM_CACHE/$kpkg
if [ ! -s "$kdir/vmlinuz" ]; then
	log "downloading $kpkg"
	rm -rf "$kdir" && mkdir -p "$kdir/deb"
	(cd "$kdir/deb" && apt-get download -q "$kpkg" 2>&1 | { grep -v '^W: Download is performed unsandboxed' >&2 || true; }) ||
		die "apt-get download $kpkg failed"
	mkdir -p "$kdir/x"
	dpkg-deb -x "$kdir"/deb/*.deb "$kdir/x"
	# Keep only what the guest needs: vmlinuz and the modules listed below.
	mkdir -p "$kdir/modules"
	cp -a "$kdir/x/lib/modules/$kver/kernel" "$kdir/modules/"
	cp "$kdir/x/boot/vmlinuz-$kver" "$kdir/vmlinuz"
	rm -rf "$kdir/x" "$kdir/deb"
fi
echo "$kpkg" >"$VM_CACHE/kernel.pkg"

# Modules the initramfs loads, with their dependencies first (read from each
# .ko's .modinfo "depends=" string; no kmod needed on the host).
want_modules=(virtio_pci 9pnet_virtio 9p overlay)
mod_deps() {
	local f d
	f=$(find "$kdir/modules" -name "$1.ko" | head -n 1)
	[ -n "$f" ] || die "module $1 not in $kpkg"
	for d in $(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | tr , ' '); do mod_deps "$d"; done
	echo "$f"
}

# ---- initramfs --------------------------------------------------------------
ird=$VM_CACHE/initramfs.d
rm -rf "$ird"
mkdir -p "$ird"/{bin,dev,proc,sys,modules}
cp /bin/busybox "$ird/bin/busybox"
cp "$here/init" "$ird/init"
chmod 0755 "$ird/init"
mknod -m 0600 "$ird/dev/console" c 5 1
for m in "${want_modules[@]}"; do mod_deps "$m"; done | awk '!seen[$0]++' | while read -r f; do
	cp "$f" "$ird/modules/"
	basename "$f" >>"$ird/modules.list"
done
(cd "$ird" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$VM_CACHE/initramfs.gz"

# ---- boot one VM per suite --------------------------------------------------
declare -A lsm_args=(
	[apparmor]="apparmor=1 security=apparmor"
	[selinux]="selinux=1 security=selinux enforcing=0"
	[boot]="apparmor=1 security=apparmor"
)
fail=0
t_all=$(date +%s)
for s in "${suites[@]}"; do
	[ -f "$here/suite-$s.sh" ] || die "no suite $s ($here/suite-$s.sh)"
	res=$VM_CACHE/results/$s
	rm -rf "$res" && mkdir -p "$res"
	cat >"$res/env" <<-ENV
		export HARDRUN='$HARDRUN'
		export VM_DIR='$here'
		export VM_REPO='$repo'
		export VM_CACHE='$VM_CACHE'
		export VM_SUITE='$s'
	ENV
	if [ "$s" = selinux ] && [ -x "$here/selinux-prepare.sh" ]; then
		"$here/selinux-prepare.sh" "$VM_CACHE" >&2 || die "selinux-prepare failed"
	fi
	# A guest kernel that reports a soft lockup of 100 s or more has hung (the
	# emulator, not the suite): stop that boot and boot again, up to VM_TRIES.
	# A suite that hangs the same way every time still fails.
	try=1
	while :; do
		log "booting $kpkg for suite $s (try $try of $VM_TRIES, timeout ${VM_TIMEOUT}s, $VM_SMP vCPU)"
		rm -f "$res/$s.rc" "$res/hung"
		t0=$(date +%s)
		set +e
		timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m "$VM_MEM" -smp "$VM_SMP" \
			-nographic -no-reboot -net none -serial mon:stdio -monitor none \
			-kernel "$kdir/vmlinuz" -initrd "$VM_CACHE/initramfs.gz" \
			-append "console=ttyS0 panic=-1 loglevel=4 ${lsm_args[$s]:-} vm.init=$here/guest-init.sh vm.suite=$s vm.dir=$here" \
			-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
			-virtfs "local,path=$res,mount_tag=results,security_model=none,multidevs=remap" \
			</dev/null >"$res/console.log" 2>&1 &
		qpid=$!
		(
			while kill -0 "$qpid" 2>/dev/null; do
				if grep -qE 'soft lockup - CPU#[0-9]+ stuck for [0-9]{3,}s' "$res/console.log"; then
					: >"$res/hung"
					kill "$qpid" 2>/dev/null
					break
				fi
				sleep 5
			done
		) &
		wpid=$!
		tail -n +1 -f "$res/console.log" --pid "$qpid" | sed -u "s/^/[$s] /"
		wait "$qpid"
		qrc=$?
		kill "$wpid" 2>/dev/null
		wait "$wpid" 2>/dev/null
		set -e
		t1=$(date +%s)
		if [ -e "$res/hung" ] && [ "$try" -lt "$VM_TRIES" ]; then
			log "suite $s: guest kernel hung (soft lockup) after $((t1 - t0))s; booting again"
			cp "$res/console.log" "$res/console.try$try.log"
			try=$((try + 1))
			continue
		fi
		break
	done
	if [ -e "$res/hung" ]; then
		log "suite $s: guest kernel hung (soft lockup) on every one of $VM_TRIES boots; see $res/console.log"
		fail=1
	elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		log "suite $s: TIMEOUT after ${VM_TIMEOUT}s"
		fail=1
	elif [ ! -s "$res/$s.rc" ]; then
		log "suite $s: guest produced no result (qemu rc $qrc); see $res/console.log"
		fail=1
	else
		rc=$(cat "$res/$s.rc")
		summary=$(grep -E '^# [0-9]+ passed, [0-9]+ failed' "$res/$s.log" | tail -n 1 || true)
		log "suite $s: ${summary#\# } (rc $rc, $((t1 - t0))s wall)"
		[ "$rc" = 0 ] || fail=1
	fi
done
log "all suites: $(($(date +%s) - t_all))s wall; results in $VM_CACHE/results"
exit $fail
