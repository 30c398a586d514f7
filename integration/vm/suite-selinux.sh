#!/bin/bash
# SELinux suite (guest booted with security=selinux enforcing=0).
# Debian's reference policy (selinux-policy-default, built into a store on the
# host by selinux-prepare.sh) is copied into the guest's writable overlay and
# loaded with load_policy.  The guest runs permissive: its files come over 9p
# without security.selinux xattrs, so everything is unlabeled_t and an
# enforcing system could not even exec runc (see the enforcing diagnostic at
# the end).  Labels -- the thing hardrun is responsible for -- are applied
# identically in permissive mode and are what the tests assert.
. "$VM_DIR/lib.sh"

echo "# SELinux suite on $(uname -r); HARDRUN=$HARDRUN"
SEROOT=$VM_CACHE/selinux/root
export PATH=$SEROOT/usr/sbin:$SEROOT/sbin:$SEROOT/usr/bin:$PATH
ts() { date +%s; }

check "kernel: /sys/kernel/security/lsm lists selinux" grep -qw selinux /sys/kernel/security/lsm
mkdir -p /sys/fs/selinux /etc/selinux /var/lib/selinux
mount -t selinuxfs selinuxfs /sys/fs/selinux
cp -a "$SEROOT/etc/selinux/." /etc/selinux/
cp -a "$SEROOT/var/lib/selinux/." /var/lib/selinux/
t0=$(ts)
check "policy: load_policy loads Debian's reference policy" load_policy
echo "# load_policy: $(($(ts) - t0))s; policyvers $(cat /sys/fs/selinux/policyvers 2>/dev/null)"
check "policy: selinuxfs reports a loaded policy, permissive" \
	sh -c 'grep -q . /sys/fs/selinux/policyvers && test "$(cat /sys/fs/selinux/enforce)" = 0'
self=$(tr -d '\0' </proc/self/attr/current)
check "policy: the test shell is labelled by the policy: '$self'" test "$self" = "system_u:system_r:kernel_t:s0"

# ---- modules: plumbing CIL + hardrun's exported CIL, one semodule transaction
# (each transaction recompiles the whole policy: minutes under TCG).
cat >"$WORK/vmtest.cil" <<'CIL'
(type vmtest_ctr_t)
(roletype system_r vmtest_ctr_t)
(typeattributeset domain (vmtest_ctr_t))
(typeattributeset unconfined_domain_type (vmtest_ctr_t))
(typeattributeset kern_unconfined (vmtest_ctr_t))
(typeattributeset files_unconfined_type (vmtest_ctr_t))
(typeattributeset filesystem_unconfined_type (vmtest_ctr_t))
(typeattributeset devices_unconfined_type (vmtest_ctr_t))
(typeattributeset corenet_unconfined_type (vmtest_ctr_t))
(typeattributeset selinux_unconfined_type (vmtest_ctr_t))
(typeattributeset mcs_constrained_type (vmtest_ctr_t))
(allow vmtest_ctr_t file_type (file (entrypoint)))
(allow kernel_t vmtest_ctr_t (process (transition)))
(allow kernel_t vmtest_ctr_t (process2 (nnp_transition nosuid_transition)))
CIL
H=$WORK/hr
mkdir -p "$H/profiles" "$H/state" "$H/rec" "$H/log"
node_config() {
	jq -n --arg mode "$2" --arg h "$H" '{
		runtime: "/usr/sbin/runc", defaultMode: $mode, defaultProfile: "vmse",
		allowedProfiles: ["*"], allowModeOff: true, profileDirs: [$h + "/profiles"],
		stateDir: ($h + "/state"), recordingsDir: ($h + "/rec"),
		eventsFile: ($h + "/log/events.jsonl"), lsmUnavailable: "fail" }' >"$1"
}
node_config "$H/enforce.json" enforce
node_config "$H/off.json" off
cat >"$H/profiles/vmse.json" <<'JSON'
{
  "hardrun": 1,
  "name": "vmse",
  "description": "VM suite: SELinux type + unique MCS pair",
  "capabilities": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
  "noNewPrivileges": true,
  "selinux": { "type": "hardrun_vmse_t", "fileType": "hardrun_vmse_file_t", "level": "auto" }
}
JSON
# The running containers use the plumbing type (its CIL module, loaded below,
# lets the guest's kernel_t runtime transition to it and leaves only the MCS
# constraints): what is under test is hardrun's labelling -- the profile's type
# and a category pair unique to each container -- and that the pair separates.
cat >"$H/profiles/vmsec.json" <<'JSON'
{
  "hardrun": 1,
  "name": "vmsec",
  "description": "VM suite: profile type + a unique MCS pair per container",
  "capabilities": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
  "noNewPrivileges": true,
  "selinux": { "type": "vmtest_ctr_t", "fileType": "tmpfs_t", "level": "auto" }
}
JSON
HARDRUN_CONFIG=$H/enforce.json "$HARDRUN" profile export vmse --format cil >"$WORK/vmse.cil" 2>"$WORK/export.err"
erc=$?
check "hardrun: profile export vmse --format cil produces a module (rc $erc)" \
	sh -c "test $erc = 0 && grep -q '(' '$WORK/vmse.cil'"
t0=$(ts)
if [ "$erc" = 0 ] && [ -s "$WORK/vmse.cil" ] &&
	semodule -i "$WORK/vmtest.cil" -i "$WORK/vmse.cil" >"$WORK/semodule.out" 2>&1; then
	:
else
	semodule -i "$WORK/vmtest.cil" >"$WORK/semodule.out" 2>&1
fi
echo "# semodule: $(($(ts) - t0))s"
semodule -l >"$WORK/modules.txt" 2>&1
check "plumbing: semodule -i loads a hand-written CIL module" grep -qx vmtest "$WORK/modules.txt"
check "hardrun: the exported CIL module loads with semodule -i" grep -qx vmse "$WORK/modules.txt"

# The plumbing type is unconfined except for the reference policy's MCS
# constraints (mcs_constrained_type), so in enforcing mode only the category
# pair decides -- exactly what a per-container pair is for.

# ---- plumbing: plain runc with process.selinuxLabel --------------------------
B=$WORK/plumb
mkbundle "$B"
want=system_u:system_r:vmtest_ctr_t:s0:c1,c2
cfg_set "$B" '.process.selinuxLabel = $l' --arg l "$want"
set_args "$B" 'sleep 600'
pid=$(start_ctr "$RUNC" "$B" plumb-sleep)
label=$(attr "$pid")
check "plumbing: runc container init (pid $pid) is labelled '$label'" test "$label" = "$want"

# ---- hardrun: type + unique MCS pair, two concurrent containers --------------
mcs_ok() { # LABEL TYPE: user:role:TYPE:s0:cX,cY with X != Y
	local t l
	t=$(echo "$1" | cut -d: -f3)
	l=$(echo "$1" | cut -d: -f4-)
	[ "$t" = "$2" ] || return 1
	[[ $l =~ ^s0:c([0-9]+),c([0-9]+)$ ]] || return 1
	[ "${BASH_REMATCH[1]}" != "${BASH_REMATCH[2]}" ]
}
for i in 1 2; do
	mkbundle "$WORK/hs$i"
	annotate "$WORK/hs$i" profile.hardrun.io/POD vmsec
	set_args "$WORK/hs$i" 'sleep 600'
done
p1=$(HARDRUN_CONFIG=$H/enforce.json start_ctr "$HARDRUN" "$WORK/hs1" hr-se1)
p2=$(HARDRUN_CONFIG=$H/enforce.json start_ctr "$HARDRUN" "$WORK/hs2" hr-se2)
l1=$(attr "$p1")
l2=$(attr "$p2")
check "hardrun: container 1 (pid ${p1:-none}) has vmtest_ctr_t and an MCS pair: '$l1'" mcs_ok "$l1" vmtest_ctr_t
check "hardrun: container 2 (pid ${p2:-none}) has vmtest_ctr_t and an MCS pair: '$l2'" mcs_ok "$l2" vmtest_ctr_t
check "hardrun: the two concurrent containers have different pairs" \
	sh -c "test -n '$l1' && test '${l1##*:s0:}' != '${l2##*:s0:}'"

mkbundle "$WORK/hoff"
set_args "$WORK/hoff" 'sleep 600'
p=$(HARDRUN_CONFIG=$H/off.json start_ctr "$HARDRUN" "$WORK/hoff" hr-off)
l=$(attr "$p")
check "hardrun: defaultMode off leaves the runtime's own label: '$l'" test "$l" = "system_u:system_r:kernel_t:s0"
stop_ctr hr-off

# ---- enforcing: the MCS pair separates containers -----------------------------
# mcs_write_test TAG CTR ROOTFS OWN_LEVEL OTHER_LEVEL: label two files in the
# container's rootfs from outside, then `runc exec` (the exec process gets the
# container's stored label) writes to both while the system is enforcing.
mcs_write_test() {
	local tag=$1 id=$2 rfs=$3 own=$4 other=$5 rc
	echo x >"$rfs/allowed/own" && echo x >"$rfs/allowed/other"
	setfilecon "system_u:object_r:tmpfs_t:$own" "$rfs/allowed/own"
	setfilecon "system_u:object_r:tmpfs_t:$other" "$rfs/allowed/other"
	kmark "$tag"
	setenforce 1
	timeout 120 "$RUNC" exec "$id" sh -c 'echo y >>/allowed/own' >"$WORK/$tag-own.out" 2>&1
	local rc_own=$?
	timeout 120 "$RUNC" exec "$id" sh -c 'echo y >>/allowed/other' >"$WORK/$tag-other.out" 2>&1
	rc=$?
	setenforce 0
	check "$tag (enforcing): writing a file labelled with its own pair $own succeeds" test "$rc_own" = 0
	check "$tag (enforcing): writing a file labelled $other fails (rc $rc)" \
		sh -c "test $rc != 0 && grep -q 'Permission denied' '$WORK/$tag-other.out'"
	check "$tag (enforcing): ... and the kernel logs an avc denial for $other" \
		sh -c "dmesg | sed -n '/vmtest-mark-$tag\$/,\$p' | grep 'avc:  denied' | grep -q 'tcontext=system_u:object_r:tmpfs_t:$other'"
}
mcs_write_test plumbing plumb-sleep "$B/rootfs" s0:c1,c2 s0:c3,c4
stop_ctr plumb-sleep
if mcs_ok "$l1" vmtest_ctr_t && mcs_ok "$l2" vmtest_ctr_t; then
	mcs_write_test hardrun hr-se1 "$WORK/hs1/rootfs" "${l1#*:*:*:}" "${l2#*:*:*:}"
else
	not_ok "hardrun (enforcing): no labels to test MCS separation with"
fi
stop_ctr hr-se1
stop_ctr hr-se2

# ---- diagnostic (not a test): denials seen while enforcing --------------------
echo "#   getenforce now: $(getenforce)"
echo "# avc denials while enforcing:"
dmesg_since plumbing | grep -o 'avc:  denied  {[^}]*} for .*' | sed 's/ pid=[0-9]*//; s/ ino=[0-9]*//' |
	sort | uniq -c | sort -rn | head -n 15 | diag

for f in "$WORK"/*.out "$WORK"/export.err "$WORK"/vmse.cil; do
	[ -s "$f" ] && { echo "# --- $(basename "$f")"; head -n 30 "$f" | diag; }
done
finish
