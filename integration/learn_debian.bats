#!/usr/bin/env bats
# Learning real programs (issue 13, item 5): Debian's nginx (master as root,
# workers as www-data, a page served and proxied), redis-server (as user redis,
# SET/GET with redis-cli) and a coreutils/tar/gzip batch job, in containers of
# the Debian rootfs (ensure_debian_rootfs) through $HARDRUN and real runc.
#
# Each program is learned (mode.hardrun.io/POD=learn), `hardrun profile
# generate` makes its profile, and the same workload then runs in audit and in
# enforce mode: exit 0, the learned run's output, zero events.  A second,
# ordinary workload of the same program then runs under that profile (audit)
# and its deviations are printed as a figure, not asserted.
#
# The bundles carry the annotations containerd 1.6's CRI plugin writes (the
# kubelet's path, tests/data/cri), not ctr's, and the CRI's default capabilities.

load helpers
load debian_workloads
load monitor/helpers

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	requires_hardrun
	ensure_debian_rootfs
	# short: the monitor socket path must fit sun_path
	STATE="$(mktemp -d /tmp/hrd.XXXXXX)"
	export STATE
}

teardown_file() {
	[ -z "${STATE:-}" ] || rm -rf "$STATE"
}

setup() {
	common_setup
	# recordings, profiles and events live as long as the file: each
	# program is learned once, for its tests in order
	export NODE_CONFIG_FILE="$BATS_FILE_TMPDIR/hardrun/config.json"
	PROFILES="$BATS_FILE_TMPDIR/profiles"
	mkdir -p "$PROFILES"
	monitor_config
	REC="$(jq -r .recordingsDir "$HARDRUN_CONFIG")"
}

teardown() {
	local pid
	for pid in $(monitor_pids); do kill -KILL "$pid" 2>/dev/null || true; done
	common_teardown
}

# cri_run MODE PROFILE POD SCRIPT: run SCRIPT in a new container of pod POD
# through $HARDRUN in the foreground, opted in with mode MODE and profile
# PROFILE, and wait until its monitor has ended (every event and the
# recording written).  Sets CID, status, output (stdout), and prints stderr.
cri_run() {
	local mode="$1" prof="$2" pod="$3" script="$4" b
	local -a ann
	CID="$(new_id "$pod-$mode")"
	b="$BATS_TEST_TMPDIR/$CID"
	# the annotations containerd 1.6's CRI writes for a pod's container
	# (tests/data/cri), the pod's hardrun ones passed through pod_annotations
	mapfile -t ann < <(jq -r --arg p "$prof" --arg m "$mode" '.container
		+ {"io.kubernetes.cri.image-name": "docker.io/library/debian:bookworm",
		   "profile.hardrun.io/POD": $p, "mode.hardrun.io/POD": $m}
		| to_entries[] | "--annotation\n\(.key)=\(.value)"' \
		"$REPO_DIR/tests/data/cri/containerd-1.6.json")
	[ ${#ann[@]} -ge 16 ]
	debian_bundle "$b" "$script" "${ann[@]}"
	status=0
	rt hardrun run --bundle "$b" "$CID" </dev/null >"$b.out" 2>"$b.err" || status=$?
	output="$(<"$b.out")"
	echo "--- $CID ($mode, profile $prof): exit $status; stderr:"
	cat "$b.err"
	wait_monitors_gone
}

# events_of ID: the events of container ID, one JSON object a line
events_of() {
	[ -f "$EVENTS" ] || return 0
	jq -c --arg id "$1" 'select(.output_fields["container.id"] == $id)' "$EVENTS"
}

# learned PROG SCRIPT: profile deb-PROG, learned from SCRIPT once per file;
# the learned run's stdout is kept in $BATS_FILE_TMPDIR/PROG.out.
learned() {
	local prog="$1" script="$2" prof="deb-$1"
	[ ! -f "$PROFILES/$prof.json" ] || return 0
	cri_run learn "$prof" "$prog" "$script"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$prog-ok"* ]]
	printf '%s\n' "$output" >"$BATS_FILE_TMPDIR/$prog.out"
	ls -l "$REC/$prof/"
	[ -s "$REC/$prof/$CID.json" ]
	run "$HARDRUN" profile generate "$prof" -o "$PROFILES/$prof.json"
	echo "$output"
	[ "$status" -eq 0 ]
	jq -c '{capabilities, syscalls: [.seccomp.syscalls[] | select(.action == "SCMP_ACT_ALLOW")
		| .names[]] | length}' "$PROFILES/$prof.json"
}

# same_as_learned PROG MODE SCRIPT: SCRIPT under profile deb-PROG in MODE
# exits 0 with the learned run's output and raises no event at all.
same_as_learned() {
	local prog="$1" mode="$2" n
	cri_run "$mode" "deb-$prog" "$prog" "$3"
	echo "$output"
	[ "$status" -eq 0 ] || { echo "FAIL: $prog in $mode mode exited $status"; return 1; }
	diff -u --label learned --label "$mode" "$BATS_FILE_TMPDIR/$prog.out" - <<<"$output" ||
		{ echo "FAIL: $prog in $mode mode: not the learned run's output"; return 1; }
	n="$(events_of "$CID" | wc -l)"
	events_of "$CID"
	[ "$n" -eq 0 ] || { echo "FAIL: $prog in $mode mode raised $n events"; return 1; }
}

# audit_and_enforce PROG SCRIPT: same_as_learned in both modes (both are run
# and reported, whichever fails)
audit_and_enforce() {
	local rc=0
	same_as_learned "$1" audit "$2" || rc=1
	same_as_learned "$1" enforce "$2" || rc=1
	return $rc
}

# deviation_figure PROG SCRIPT: SCRIPT, another ordinary workload of PROG,
# under its learned profile in audit mode: it runs to the end (audit refuses
# nothing), and its deviation events are printed as a figure.
deviation_figure() {
	local prog="$1" n calls
	cri_run audit "deb-$prog" "$prog" "$2"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$prog-variation-ok"* ]]
	events_of "$CID"
	n="$(events_of "$CID" | jq -s '[.[] | select(.output_fields["hardrun.rule_id"] ==
		"profile_deviation")] | length')"
	calls="$(events_of "$CID" | jq -r 'select(.output_fields["hardrun.rule_id"] ==
		"profile_deviation") | .output_fields["evt.type"] // "?"' | sort -u | tr '\n' ' ')"
	echo "# $prog, an ordinary variation under its learned profile:" \
		"$n deviation events (calls: ${calls:-none})" >&3
}

NGINX_WORKLOAD="set -e
nginx
$NGINX_UP
curl -sf http://127.0.0.1:8081/
curl -sf http://127.0.0.1/
curl -sf http://127.0.0.1/big.txt | sha256sum
ps -o user= -C nginx | sort | uniq -c
$NGINX_QUIT
echo nginx-ok"

NGINX_VARIATION="set -e
nginx -t 2>&1 | tail -n 1
nginx
$NGINX_UP
curl -s -o /dev/null -w '%{http_code}\n' http://127.0.0.1/missing
curl -sI http://127.0.0.1/ | head -n 1
curl -s --compressed -H 'Accept-Encoding: gzip' http://127.0.0.1/big.txt | wc -l
nginx -s reload 2>/dev/null
$NGINX_UP
curl -sf http://127.0.0.1/ >/dev/null
$NGINX_QUIT
echo nginx-variation-ok"

REDIS_WORKLOAD="set -e
$REDIS_UP
redis-cli set greeting hello
redis-cli get greeting
for i in 1 2 3; do redis-cli incr counter; done
redis-cli rpush list a b c
redis-cli lrange list 0 -1
redis-cli del greeting
$REDIS_QUIT
echo redis-ok"

REDIS_VARIATION="set -e
$REDIS_UP
redis-cli hset h f1 v1 f2 v2
redis-cli hgetall h
redis-cli set tmp x ex 100
redis-cli ttl tmp
redis-cli info server | grep -c redis_version
redis-cli config set save '60 1'
redis-cli bgsave
n=0; until redis-cli info persistence | grep -q '^rdb_bgsave_in_progress:0'; do
	n=\$((n + 1)); [ \$n -lt 100 ] || { echo 'bgsave did not end'; exit 1; }; sleep 0.1; done
redis-cli info persistence | grep '^rdb_last_bgsave_status'
$REDIS_QUIT
echo redis-variation-ok"

BATCH_WORKLOAD='set -e
d=/tmp/batch
mkdir -p $d/src
for i in $(seq 200); do echo "record $i" >$d/src/r$i.txt; done
cat $d/src/*.txt | sort -t" " -k2 -n | tail -n 2
tar -C $d -czf $d/a.tgz src
gzip -t $d/a.tgz
mkdir $d/out
tar -C $d/out -xzf $d/a.tgz
(cd $d/src && sha256sum *.txt) | sort | sha256sum
(cd $d/out/src && sha256sum *.txt) | sort | sha256sum
diff -r $d/src $d/out/src
ls $d/out/src | wc -l
rm -rf $d
echo batch-ok'

BATCH_VARIATION='set -e
d=/tmp/batch2
mkdir -p $d/a
seq 50 | split -l 10 - $d/a/part.
cp -a $d/a $d/b
mv $d/b/part.aa $d/b/first
ln -s first $d/b/link
touch -d "2020-01-01 00:00" $d/b/first
chmod 600 $d/b/part.ab
chown nobody $d/b/part.ac
stat -c "%n %s" $d/b/first
find $d/b -newer $d/b/first -type f | wc -l
ls $d/b | xargs -n 1 echo | sort | md5sum
gzip -9 $d/b/part.ad && zcat $d/b/part.ad.gz | wc -l
rm -r $d
echo batch-variation-ok'

@test "nginx (master root, workers www-data, a page and a proxy) learned: audit and enforce pass, same output, zero events" {
	learned nginx "$NGINX_WORKLOAD"
	audit_and_enforce nginx "$NGINX_WORKLOAD"
}

@test "nginx: an ordinary variation under the learned profile: deviations as a figure" {
	learned nginx "$NGINX_WORKLOAD"
	deviation_figure nginx "$NGINX_VARIATION"
}

@test "redis-server (SET/GET with redis-cli) learned: audit and enforce pass, same output, zero events" {
	learned redis "$REDIS_WORKLOAD"
	audit_and_enforce redis "$REDIS_WORKLOAD"
}

@test "redis: an ordinary variation under the learned profile: deviations as a figure" {
	learned redis "$REDIS_WORKLOAD"
	deviation_figure redis "$REDIS_VARIATION"
}

@test "a coreutils/tar/gzip batch job learned: audit and enforce pass, same output, zero events" {
	learned batch "$BATCH_WORKLOAD"
	audit_and_enforce batch "$BATCH_WORKLOAD"
}

@test "batch: an ordinary variation under the learned profile: deviations as a figure" {
	learned batch "$BATCH_WORKLOAD"
	deviation_figure batch "$BATCH_VARIATION"
}
