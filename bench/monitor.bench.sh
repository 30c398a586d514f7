#!/bin/bash
# Monitor overhead: a syscall-heavy workload (getpid loop, fork/exec loop) in a
# busybox container under (a) unconfined runc, (b) runc with a Docker-default-
# sized allowlist filter, (c) the same filter + the hardrun monitor; the cost of
# one notified execve; the monitor's RSS.  Prints ratios.  Uses the monitor
# driver (integration/monitor/mondev) until `hardrun create` wires the monitor.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
T="$(mktemp -d)"
trap 'for c in $(runc --root "$T/root" list -q 2>/dev/null); do runc --root "$T/root" delete -f "$c"; done; rm -rf "$T"' EXIT
N_GETPID=${N_GETPID:-2000000}
N_EXEC=${N_EXEC:-300}
RUNS=${RUNS:-3}

make -s -C "$REPO" build/libhardrun.a >/dev/null
gcc -O2 -D_GNU_SOURCE -I"$REPO/include" -o "$T/mondev" "$REPO/integration/monitor/mondev.c" \
	"$REPO/build/libhardrun.a" -lseccomp -lyajl
mkdir -p "$T/rootfs"/{bin,proc,sys,dev,tmp}
cp /bin/busybox "$T/rootfs/bin/"
gcc -static -O2 -w -o "$T/rootfs/bin/hrtrig" "$REPO/integration/monitor/hrtrig.c"
for a in sh seq true; do ln -s busybox "$T/rootfs/bin/$a"; done

# Docker-default-like: default ERRNO, allow every syscall but the usual denials.
deny='mount|umount2|ptrace|kexec_load|kexec_file_load|init_module|finit_module|delete_module|bpf|perf_event_open|pivot_root|open_by_handle_at|unshare|setns|reboot|swapon|swapoff|acct|settimeofday|clock_settime|add_key|request_key|keyctl|userfaultfd|io_uring_setup|io_uring_enter|io_uring_register|process_vm_writev|process_vm_readv|kcmp|name_to_handle_at|lookup_dcookie|quotactl|iopl|ioperm|create_module|get_kernel_syms|query_module|uselib|nfsservctl|vm86|vm86old|sysfs|_sysctl|personality|clone3|fsopen|fsmount|fspick|move_mount|open_tree|mount_setattr'
names=$(sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/\1/p' /usr/include/x86_64-linux-gnu/asm/unistd_64.h |
	grep -Ev "^($deny)$" | jq -R . | jq -s -c .)
cat >"$T/profile.json" <<JSON
{"hardrun":1,"name":"bench","seccomp":{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
 "architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":$names,"action":"SCMP_ACT_ALLOW"}]},
 "monitor":{"rules":{}}}
JSON

mk() { # mk NAME CMD [seccomp-from-profile]
	local b="$T/$1"
	mkdir -p "$b"
	(cd "$b" && runc spec)
	jq --arg r "$T/rootfs" --arg c "$2" '.root={"path":$r,"readonly":true} |
		.process.terminal=false | .process.args=["/bin/sh","-c",$c]' "$b/config.json" >"$b/c"
	mv "$b/c" "$b/config.json"
	if [ "${3:-}" = docker ]; then
		jq --slurpfile p "$T/profile.json" '.linux.seccomp=$p[0].seccomp' "$b/config.json" >"$b/c"
		mv "$b/c" "$b/config.json"
	fi
}

# time_run MODE CMD -> seconds (best of RUNS), runtime only
time_run() {
	local mode=$1 cmd=$2 best=999999999999999 i id s e
	for i in $(seq "$RUNS"); do
		id="b$RANDOM$i"
		case $mode in
		unconfined) mk "$id" "$cmd" ;;
		docker) mk "$id" "$cmd" docker ;;
		monitored)
			mk "$id" "$cmd"
			"$T/mondev" harden "$T/$id" "$T/state" "$T/root" "$id" "$T/profile.json" enforce \
				"$T/events.jsonl" >/dev/null ;;
		esac
		s=$(date +%s%N)
		runc --root "$T/root" run --bundle "$T/$id" "$id" >/dev/null </dev/null
		e=$(date +%s%N)
		[ $((e - s)) -lt "$best" ] && best=$((e - s))
	done
	echo "$best"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
ms() { awk -v a="$1" 'BEGIN { printf "%.1f", a / 1e6 }'; }

W1="hrtrig getpid $N_GETPID"
W2="i=0; while [ \$i -lt $N_EXEC ]; do /bin/hrtrig none >/dev/null; i=\$((i+1)); done"
echo "# monitor bench: getpid x$N_GETPID, fork/exec x$N_EXEC, best of $RUNS"
for w in W1 W2; do
	u=$(time_run unconfined "${!w}")
	d=$(time_run docker "${!w}")
	m=$(time_run monitored "${!w}")
	echo "$w unconfined_ms=$(ms "$u") docker_ms=$(ms "$d") monitored_ms=$(ms "$m")" \
		"monitored/docker=$(ratio "$m" "$d") docker/unconfined=$(ratio "$d" "$u")"
	[ "$w" = W2 ] && echo "notified_execve_extra_us=$(awk -v m="$m" -v d="$d" -v n="$N_EXEC" \
		'BEGIN { printf "%.1f", (m - d) / n / 1000 }')"
done

# monitor RSS while a container runs
mk rss 'sleep 2'
"$T/mondev" harden "$T/rss" "$T/state" "$T/root" rss "$T/profile.json" enforce "$T/events.jsonl" \
	>"$T/rss.mon"
runc --root "$T/root" run -d --bundle "$T/rss" rss </dev/null >/dev/null
sleep 1
pid=$(cut -d' ' -f2 "$T/rss.mon")
echo "monitor_rss_kib=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")" \
	"monitor_pss_kib=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup")"
