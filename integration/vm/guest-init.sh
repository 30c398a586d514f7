#!/bin/sh
# PID 1 inside the test VM (after switch_root into the overlay over the host's
# root).  Mounts the API filesystems, runs the suite named by vm.suite= and
# powers off.  Never returns: if anything goes wrong the kernel panics and
# qemu (-no-reboot, panic=-1) exits.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
# Subtree control so runc can create child cgroups with controllers.
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
done
ip link set lo up 2>/dev/null || busybox ip link set lo up 2>/dev/null
hostname hardrun-vm

suite= dir=
for a in $(cat /proc/cmdline); do
	case $a in
	vm.suite=*) suite=${a#vm.suite=} ;;
	vm.dir=*) dir=${a#vm.dir=} ;;
	esac
done
R=/vm-results
echo "guest: kernel $(uname -r), suite $suite, lsm $(cat /sys/kernel/security/lsm 2>/dev/null)"
{
	(cd "$dir" && . "$R/env" && exec /bin/bash "$dir/suite-$suite.sh" </dev/null)
	echo $? >"$R/$suite.rc"
} 2>&1 | tee "$R/$suite.log"
sync
dmesg >"$R/$suite.dmesg"
sync
# reboot(RB_POWER_OFF) does not return; sysrq is the fallback.  If both fail
# PID 1 exits, the kernel panics and qemu (-no-reboot, panic=-1) quits.
busybox poweroff -f
echo o >/proc/sysrq-trigger
