#!/bin/bash
# AppArmor suite (guest booted with apparmor=1 security=apparmor).
#  1. plumbing: a hand-written profile loaded with apparmor_parser and plain
#     runc with process.apparmorProfile -- proves the VM can show confinement.
#  2. hardrun: profiles rendered and loaded by $HARDRUN from a hardrun profile's
#     "apparmor" section, selected by annotation; learn -> generate -> enforce.
# Assertions read kernel state: /proc/<pid>/attr/*, securityfs, dmesg, and the
# workload's own exit status.
. "$VM_DIR/lib.sh"

echo "# AppArmor suite on $(uname -r); HARDRUN=$HARDRUN"

# ---- kernel --------------------------------------------------------------------
check "kernel: /sys/kernel/security/lsm lists apparmor" grep -qw apparmor /sys/kernel/security/lsm
check "kernel: apparmor securityfs is mounted" test -r /sys/kernel/security/apparmor/profiles

# ---- plumbing: apparmor_parser + runc -----------------------------------------
cat >"$WORK/vmtest-plumb" <<'AA'
abi <abi/3.0>,
profile vmtest-plumb flags=(attach_disconnected,mediate_deleted) {
  /** r,
  /bin/busybox rix,
  /allowed/ rw,
  /allowed/** rw,
  /dev/null rw,
  capability,
  signal,
  unix,
  network,
}
AA
check "plumbing: apparmor_parser -r loads a hand-written profile" apparmor_parser -r "$WORK/vmtest-plumb"
check "plumbing: securityfs lists vmtest-plumb (enforce)" \
	grep -qx 'vmtest-plumb (enforce)' /sys/kernel/security/apparmor/profiles

B=$WORK/plumb
mkbundle "$B"
cfg_set "$B" '.process.apparmorProfile = "vmtest-plumb"'
set_args "$B" 'sleep 600'
pid=$(start_ctr "$RUNC" "$B" plumb-sleep)
label=$(attr "$pid")
check "plumbing: container init (pid $pid) is confined: '$label'" test "$label" = "vmtest-plumb (enforce)"
stop_ctr plumb-sleep

kmark plumb
set_args "$B" 'echo x >/forbidden-dir/f'
run_ctr "$RUNC" "$B" plumb-deny
rc=$?
check "plumbing: write outside the allowed paths fails (rc $rc)" test "$rc" != 0
check "plumbing: ... with Permission denied" grep -q 'Permission denied' "$WORK/plumb-deny.out"
check "plumbing: ... and the kernel logs an apparmor DENIED line" \
	sh -c "dmesg | sed -n '/vmtest-mark-plumb/,\$p' | grep 'apparmor=\"DENIED\"' | grep 'profile=\"vmtest-plumb\"' | grep -q 'forbidden-dir/f'"

set_args "$B" 'echo x >/allowed/f && cat /allowed/f'
run_ctr "$RUNC" "$B" plumb-allow
check "plumbing: write inside the allowed paths succeeds" test $? = 0

B0=$WORK/plain
mkbundle "$B0"
set_args "$B0" 'echo x >/forbidden-dir/f'
run_ctr "$RUNC" "$B0" plain-write
check "plumbing: without a profile the same write succeeds" test $? = 0

# ---- hardrun ------------------------------------------------------------------
H=$WORK/hr
mkdir -p "$H/profiles" "$H/state" "$H/rec" "$H/log"
# node_config FILE MODE
node_config() {
	jq -n --arg mode "$2" --arg h "$H" '{
		runtime: "/usr/sbin/runc", defaultMode: $mode, defaultProfile: "vmaa",
		allowedProfiles: ["*"], allowModeOff: true, profileDirs: [$h + "/profiles"],
		stateDir: ($h + "/state"), recordingsDir: ($h + "/rec"),
		eventsFile: ($h + "/log/events.jsonl"), lsmUnavailable: "fail" }' >"$1"
}
node_config "$H/enforce.json" enforce
node_config "$H/off.json" off
cat >"$H/profiles/vmaa.json" <<'JSON'
{
  "hardrun": 1,
  "name": "vmaa",
  "description": "VM suite: AppArmor default-deny, writes only under /allowed",
  "capabilities": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
  "noNewPrivileges": true,
  "apparmor": {
    "defaultDeny": true,
    "files": [
      {"path": "/bin/**", "access": "rm"},
      {"path": "/etc/**", "access": "r"},
      {"path": "/proc/**", "access": "r"},
      {"path": "/dev/null", "access": "rw"},
      {"path": "/allowed/", "access": "rw"},
      {"path": "/allowed/**", "access": "rw"}
    ],
    "exec": ["/bin/busybox"],
    "network": ["unix"],
    "capabilities": []
  }
}
JSON

HB=$WORK/hb
mkbundle "$HB"
annotate "$HB" profile.hardrun.io/POD vmaa
set_args "$HB" 'sleep 600'
pid=$(HARDRUN_CONFIG=$H/enforce.json start_ctr "$HARDRUN" "$HB" hr-sleep)
label=$(attr "$pid")
check "hardrun: securityfs lists hardrun-vmaa (enforce) after create" \
	grep -qx 'hardrun-vmaa (enforce)' /sys/kernel/security/apparmor/profiles
check "hardrun: container init (pid ${pid:-none}) is confined: '$label'" test "$label" = "hardrun-vmaa (enforce)"
stop_ctr hr-sleep

kmark hrdeny
set_args "$HB" 'echo x >/forbidden-dir/f'
HARDRUN_CONFIG=$H/enforce.json run_ctr "$HARDRUN" "$HB" hr-deny
rc=$?
check "hardrun: write outside the profile's paths fails (rc $rc)" test "$rc" != 0
check "hardrun: ... with Permission denied" grep -q 'Permission denied' "$WORK/hr-deny.out"
check "hardrun: ... and the kernel logs DENIED for profile hardrun-vmaa" \
	sh -c "dmesg | sed -n '/vmtest-mark-hrdeny/,\$p' | grep 'apparmor=\"DENIED\"' | grep 'profile=\"hardrun-vmaa\"' | grep -q 'forbidden-dir/f'"

set_args "$HB" 'echo x >/allowed/f && cat /allowed/f'
HARDRUN_CONFIG=$H/enforce.json run_ctr "$HARDRUN" "$HB" hr-allow
check "hardrun: write inside the profile's paths succeeds" test $? = 0

HO=$WORK/hoff
mkbundle "$HO"
set_args "$HO" 'cat /proc/self/attr/current; echo x >/forbidden-dir/f'
HARDRUN_CONFIG=$H/off.json run_ctr "$HARDRUN" "$HO" hr-off
check "hardrun: defaultMode off, no profile: the same write succeeds" test $? = 0

# ---- hardrun: learn -> profile generate -> enforce ----------------------------
# Needs hardrun's learning mode; reported as FAIL (not skipped) until it exists.
HL=$WORK/hl
mkbundle "$HL"
annotate "$HL" profile.hardrun.io/POD vmlearn
annotate "$HL" mode.hardrun.io/POD learn
learn_cmd='cat /proc/self/attr/current; cat /etc/passwd >/allowed/copy; ls /bin >/dev/null; echo learned-ok'
set_args "$HL" "$learn_cmd"
HARDRUN_CONFIG=$H/enforce.json run_ctr "$HARDRUN" "$HL" hr-learn
check "learn: workload runs in learn mode" test $? = 0
check "learn: recording written under recordingsDir/vmlearn" \
	sh -c "ls -A '$H/rec/vmlearn' 2>/dev/null | grep -q ."
HARDRUN_CONFIG=$H/enforce.json "$HARDRUN" profile generate vmlearn >"$WORK/gen.json" 2>"$WORK/gen.err"
grc=$?
# generate writes the profile to stdout (or, if it writes a file itself, the
# file is taken from the profile dir); either way it must validate.
if [ -s "$WORK/gen.json" ] && jq -e '.hardrun == 1' "$WORK/gen.json" >/dev/null 2>&1; then
	jq '.name = "vmlearn"' "$WORK/gen.json" >"$H/profiles/vmlearn.json"
fi
check "learn: hardrun profile generate vmlearn succeeds (rc $grc)" \
	sh -c "test $grc = 0 && jq -e '.apparmor' '$H/profiles/vmlearn.json' >/dev/null"
mkbundle "$WORK/hl2"
annotate "$WORK/hl2" profile.hardrun.io/POD vmlearn
set_args "$WORK/hl2" "$learn_cmd"
HARDRUN_CONFIG=$H/enforce.json run_ctr "$HARDRUN" "$WORK/hl2" hr-learned
rc=$?
check "learn: the same workload runs enforced under the learned profile (rc $rc)" \
	sh -c "test $rc = 0 && grep -q learned-ok '$WORK/hr-learned.out'"
check "learn: ... confined by hardrun-vmlearn (enforce)" grep -qx 'hardrun-vmlearn (enforce)' "$WORK/hr-learned.out"
kmark learndeny
set_args "$WORK/hl2" 'echo x >/forbidden-dir/f'
HARDRUN_CONFIG=$H/enforce.json run_ctr "$HARDRUN" "$WORK/hl2" hr-learned-deny
rc=$?
check "learn: a write the workload never made is refused (rc $rc)" test "$rc" != 0
check "learn: ... and the kernel logs DENIED for hardrun-vmlearn" \
	sh -c "dmesg | sed -n '/vmtest-mark-learndeny/,\$p' | grep 'apparmor=\"DENIED\"' | grep -q 'profile=\"hardrun-vmlearn\"'"

for f in "$WORK"/*.out "$WORK"/gen.err; do
	[ -s "$f" ] && { echo "# --- $(basename "$f")"; head -n 20 "$f" | diag; }
done
finish
