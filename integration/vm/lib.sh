# Shared helpers for the guest-side suites (sourced; bash).  TAP output,
# busybox bundles, runc/hardrun wrappers.  Every assertion is on kernel state
# observed from outside the tool under test (/proc/<pid>/attr/*, dmesg,
# securityfs, exit codes of the workload), never on hardrun's own output.

T_N=0 T_PASS=0 T_FAIL=0
WORK=$(mktemp -d /tmp/vmtest.XXXXXX)
RUNC=${RUNC:-/usr/sbin/runc}

ok() { T_N=$((T_N + 1)) T_PASS=$((T_PASS + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)) T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
diag() { sed 's/^/#   /'; }
# check "description" command...: ok if the command succeeds.
check() {
	local d=$1
	shift
	if "$@" >"$WORK/check.out" 2>&1; then ok "$d"; else
		not_ok "$d"
		diag <"$WORK/check.out"
	fi
}
finish() {
	echo "1..$T_N"
	echo "# $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ]
}

# mkbundle DIR: a busybox rootfs plus `runc spec`'s config, made writable
# (root.readonly=false) so that only the LSM can refuse a write; the rootfs
# has /allowed and /forbidden-dir for the confinement checks.
mkbundle() {
	local b=$1 a
	mkdir -p "$b/rootfs"/{bin,proc,sys,dev,etc,tmp,allowed,forbidden-dir}
	cp /bin/busybox "$b/rootfs/bin/busybox"
	for a in sh cat echo sleep touch ls id grep rm mkdir true false; do
		ln -sf busybox "$b/rootfs/bin/$a"
	done
	echo "root:x:0:0:root:/:/bin/sh" >"$b/rootfs/etc/passwd"
	(cd "$b" && "$RUNC" spec)
	jq '.root.readonly = false | .process.terminal = false | .process.args = ["sh"]' \
		"$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}
# cfg_set BUNDLE JQ-EXPR [args...]: edit config.json in place.
cfg_set() {
	local b=$1 e=$2
	shift 2
	jq "$@" "$e" "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}
# annotate BUNDLE KEY VALUE
annotate() { cfg_set "$1" '.annotations[$k] = $v' --arg k "$2" --arg v "$3"; }
# set_args BUNDLE shell-command: the container runs `sh -c CMD`.
set_args() { cfg_set "$1" '.process.args = ["sh", "-c", $c]' --arg c "$2"; }

# run_ctr RUNTIME BUNDLE ID: foreground run; stdout+stderr of the container
# in $WORK/ID.out (through a pipe, so LSM fd revalidation at exec cannot
# silence it), exit status returned.
run_ctr() {
	local rt=$1 b=$2 id=$3 rc
	set -o pipefail
	(cd "$b" && "$rt" run "$id" </dev/null 2>&1 | cat >"$WORK/$id.out")
	rc=$?
	set +o pipefail
	"$RUNC" delete -f "$id" >/dev/null 2>&1
	return $rc
}
# start_ctr RUNTIME BUNDLE ID: create+start a long-running container;
# echoes its init pid as the host (guest kernel) sees it.
start_ctr() {
	local rt=$1 b=$2 id=$3
	(cd "$b" && "$rt" create "$id" </dev/null >"$WORK/$id.out" 2>&1) || {
		cat "$WORK/$id.out" >&2
		return 1
	}
	"$RUNC" start "$id" || return 1
	"$RUNC" state "$id" | jq -r .pid
}
stop_ctr() { "$RUNC" delete -f "$1" >/dev/null 2>&1 || true; }

# attr PID: the LSM label of PID, read from the host side.
attr() {
	local p=$1
	if [ -r "/proc/$p/attr/current" ]; then tr -d '\0' <"/proc/$p/attr/current"; fi
}
# dmesg_since MARK: kernel log lines after the line containing MARK.
kmark() { echo "vmtest-mark-$1" >/dev/kmsg; }
dmesg_since() { dmesg | sed -n "/vmtest-mark-$1/,\$p"; }
