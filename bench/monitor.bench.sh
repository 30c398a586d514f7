#!/usr/bin/env bash
# Monitor overhead, measured inside busybox containers (hrtrig times its own
# loop, so container start and teardown are not part of the numbers):
#   W1  getpid x N_GETPID          (a syscall the filter allows, never notified)
#   W2  fork + execve x N_EXEC     (execve is notified in enforce mode)
#   W4  fork + `>/dev/null` + execve x N_EXEC (a shell redirection in each
#       child: open for writing and dup2 onto fd 1 are notified too)
#   W3  execve of a missing file x N_EXECFAIL (the notification round trip
#       alone: the kernel fails the call right after the monitor's CONTINUE)
# under four variants, interleaved round by round (order rotated), ROUNDS
# rounds; reported: medians of the times, and ratios as the median of the
# per-round ratios (the variants of one round ran back to back):
#   unconfined  runc, no seccomp filter
#   docker      runc with Docker's default filter: `hardrun profile export
#               baseline --format oci` (Docker's allowlist) minus hardrun's own
#               additions (ENOSYS for syscalls newer than Docker's list)
#   monitored   $HARDRUN, profile baseline, mode enforce (filter + monitor)
#   monitored-ptrace  the same with node config monitorMechanism "ptrace"
#               (SCMP_ACT_TRACE + a PTRACE_SEIZE tracer instead of notify)
#   monitored-execnotify  monitored with node config monitorExec "notify"
#               (every execve notified, as before exec went through fanotify)
# monitored and monitored-ptrace see execs through fanotify where the host
# allows it: the execloop's binary is approved once, then cached.
# Then the monitor's RSS and PSS (smaps_rollup) with one container and the
# mean PSS with PSS_N containers, against the 2 MiB target.
# Env: N_GETPID, N_EXEC, N_EXECFAIL, ROUNDS, PSS_N.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.bash
source "$BENCH_DIR/lib.bash"

N_GETPID=${N_GETPID:-2000000}
N_EXEC=${N_EXEC:-1000}
N_EXECFAIL=${N_EXECFAIL:-20000}
ROUNDS=${ROUNDS:-5}
PSS_N=${PSS_N:-10}
TARGET_KIB=2048

[ "$(id -u)" = 0 ] || { echo "monitor bench: needs root" >&2; exit 1; }
[ -x "$HARDRUN" ] || { echo "monitor bench: $HARDRUN not built" >&2; exit 1; }
# stateDir must be short: the monitor socket path has to fit sun_path (108 bytes)
T="$(mktemp -d /tmp/hrb.XXXXXX)"
ROOT="$T/root"

cleanup() {
	bench_delete_all "$ROOT"
	rm -rf "$T"
}
trap cleanup EXIT

bench_node_config "$T/config.json" '{"allowedProfiles": ["*"]}'
export HARDRUN_CONFIG="$T/config.json"
bench_node_config "$T/config-ptrace.json" '{"allowedProfiles": ["*"], "monitorMechanism": "ptrace"}'
bench_node_config "$T/config-execnotify.json" '{"allowedProfiles": ["*"], "monitorExec": "notify"}'
gcc -static -O2 -w -o "$T/hrtrig" "$REPO_DIR/integration/monitor/hrtrig.c"

bench_docker_filter "$T/docker.json"

# bundle VARIANT WORKLOAD NAME: $T/b/NAME with config.json.orig kept aside
# (hardrun rewrites config.json at each create).
bundle() {
	local v=$1 w=$2 b="$T/b/$3" cmd
	case $w in
	W1) cmd="hrtrig getpid $N_GETPID" ;;
	W2) cmd="hrtrig execloop $N_EXEC" ;;
	W3) cmd="hrtrig execfail $N_EXECFAIL" ;;
	W4) cmd="hrtrig execredir $N_EXEC" ;;
	*) cmd="$w" ;;
	esac
	case $v in
	monitored*)
		make_bundle --annotation profile.hardrun.io/POD=baseline \
			--annotation mode.hardrun.io/POD=enforce "$b" /bin/sh -c "$cmd" ;;
	*) make_bundle "$b" /bin/sh -c "$cmd" ;;
	esac
	[ "$v" != docker ] || bundle_edit "$b" '.linux.seccomp = $f[0]' --slurpfile f "$T/docker.json"
	cp "$T/hrtrig" "$b/rootfs/bin/hrtrig"
	cp "$b/config.json" "$b/config.json.orig"
}

# once VARIANT WORKLOAD: run it once, print the ns the workload measured
once() {
	local v=$1 w=$2 b="$T/b/$1-$2" id="b$RANDOM$RANDOM" bin="$RUNC" out
	local cfg="$T/config.json"
	[ "$v" != monitored-ptrace ] || cfg="$T/config-ptrace.json"
	[ "$v" != monitored-execnotify ] || cfg="$T/config-execnotify.json"
	[[ "$v" != monitored* ]] || bin="$HARDRUN"
	cp "$b/config.json.orig" "$b/config.json"
	out="$(HARDRUN_CONFIG="$cfg" "$bin" --root "$ROOT" run --bundle "$b" "$id" </dev/null 2>&1)" || {
		echo "monitor bench: $v $w failed: $out" >&2
		return 1
	}
	sed -n 's/^ns=//p' <<<"$out"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

variants=(unconfined docker monitored monitored-ptrace monitored-execnotify)
workloads=(W1 W2 W3 W4)
for v in "${variants[@]}"; do
	for w in "${workloads[@]}"; do bundle "$v" "$w" "$v-$w"; done
done
mkdir -p "$T/s"
echo "# monitor bench: getpid x$N_GETPID, fork+execve x$N_EXEC (plain and with a redirection)," \
	"failing execve x$N_EXECFAIL," \
	"$ROUNDS interleaved rounds" >&2
for r in $(seq "$ROUNDS"); do
	for k in "${!variants[@]}"; do
		v="${variants[$(((r + k) % ${#variants[@]}))]}"
		for w in "${workloads[@]}"; do once "$v" "$w" >>"$T/s/$v-$w"; done
	done
done

# med V W: median ns; pmed A B W: median over rounds of A/B; dmed A B W N:
# median over rounds of (A - B) / N in µs
med() { median <"$T/s/$1-$2"; }
pmed() { round_ratio "$T/s/$1-$3" "$T/s/$2-$3"; }
dmed() { paste "$T/s/$1-$3" "$T/s/$2-$3" | awk -v n="$4" '{ printf "%.3f\n", ($1 - $2) / n / 1000 }' | median; }
per() { awk -v t="$1" -v n="$2" -v d="$3" 'BEGIN { printf "%.1f", t / n / d }'; }
r3() { awk -v x="$1" 'BEGIN { printf "%.3f", x }'; }
r1() { awk -v x="$1" 'BEGIN { printf "%.1f", x }'; }
for v in "${variants[@]}"; do
	l1+=" $v=$(per "$(med "$v" W1)" "$N_GETPID" 1)"
	l2+=" $v=$(per "$(med "$v" W2)" "$N_EXEC" 1000)"
	l3+=" $v=$(per "$(med "$v" W3)" "$N_EXECFAIL" 1000)"
	l4+=" $v=$(per "$(med "$v" W4)" "$N_EXEC" 1000)"
done
echo "monitor.getpid_ns$l1"
echo "monitor.syscall_ratio_vs_docker_default=$(r3 "$(pmed monitored docker W1)")"
echo "monitor.syscall_ratio_vs_unconfined=$(r3 "$(pmed monitored unconfined W1)")"
echo "monitor.docker_default_ratio_vs_unconfined=$(r3 "$(pmed docker unconfined W1)")"
echo "monitor.fork_execve_us$l2"
echo "monitor.fork_execve_ratio_vs_docker_default=$(r3 "$(pmed monitored docker W2)")"
echo "monitor.fork_execve_ratio_vs_unconfined=$(r3 "$(pmed monitored unconfined W2)")"
echo "monitor.fork_redirect_execve_us$l4"
echo "monitor.fork_redirect_execve_ratio_vs_docker_default=$(r3 "$(pmed monitored docker W4)")"
echo "monitor.failing_execve_us$l3"
echo "monitor.notified_execve_extra_us=$(r1 "$(dmed monitored-execnotify docker W3 "$N_EXECFAIL")")"
echo "monitor.execnotify.fork_execve_ratio_vs_docker_default=$(r3 "$(pmed monitored-execnotify docker W2)")"
echo "monitor.fanotify_exec.fork_execve_ratio_vs_execnotify=$(r3 "$(pmed monitored monitored-execnotify W2)")"
echo "monitor.ptrace.syscall_ratio_vs_docker_default=$(r3 "$(pmed monitored-ptrace docker W1)")"
echo "monitor.ptrace.syscall_ratio_vs_unconfined=$(r3 "$(pmed monitored-ptrace unconfined W1)")"
echo "monitor.ptrace.fork_execve_ratio_vs_docker_default=$(r3 "$(pmed monitored-ptrace docker W2)")"
echo "monitor.ptrace.fork_execve_ratio_vs_unconfined=$(r3 "$(pmed monitored-ptrace unconfined W2)")"
echo "monitor.ptrace.fork_execve_ratio_vs_notify=$(r3 "$(pmed monitored-ptrace monitored W2)")"
echo "monitor.ptrace.fork_redirect_execve_ratio_vs_docker_default=$(r3 "$(pmed monitored-ptrace docker W4)")"
echo "monitor.ptrace.traced_execve_extra_us=$(r1 "$(dmed monitored-ptrace docker W3 "$N_EXECFAIL")")"

# ---- memory: one monitor alone, then the mean over PSS_N at once ----
kib() { awk '/^'"$1"':/ { print $2 }' "/proc/$2/smaps_rollup"; }
mon_dir_of() { dirname "$(grep -l "\"containerId\": *\"$1\"" "$T"/state/*/monitor.json)"; }
# kib_mon KEY ID: KEY (Rss, Pss) of ID's monitor, its supervisor and worker together
kib_mon() {
	local d
	d="$(mon_dir_of "$2")"
	echo $(($(kib "$1" "$(cat "$d/monitor.pid")") + $(kib "$1" "$(cat "$d/worker.pid")")))
}
start_sleeper() {
	bundle monitored 'sleep 60' "m-$1"
	"$HARDRUN" --root "$ROOT" run -d --bundle "$T/b/m-$1" "m-$1" </dev/null >/dev/null 2>&1
}
start_sleeper 1
sleep 0.5
pid="$(cat "$(mon_dir_of m-1)/worker.pid")"
rss="$(kib_mon Rss m-1)"
pss="$(kib_mon Pss m-1)"
echo "monitor.rss_kib=$rss monitor.pss_kib=$pss (supervisor + worker)" \
	"monitor.rss_ratio_vs_2mib_target=$(ratio "$rss" "$TARGET_KIB")" \
	"monitor.pss_ratio_vs_2mib_target=$(ratio "$pss" "$TARGET_KIB")" \
	"monitor.program=$(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -d' ' -f1)"
for i in $(seq 2 "$PSS_N"); do start_sleeper "$i"; done
sleep 0.5
sum=0
for i in $(seq "$PSS_N"); do sum=$((sum + $(kib_mon Pss "m-$i"))); done
echo "monitor.pss_kib_mean_of_$PSS_N=$((sum / PSS_N))"
for i in $(seq "$PSS_N"); do "$HARDRUN" --root "$ROOT" delete -f "m-$i"; done
