#!/usr/bin/env bats
# Passthrough: with defaultMode "off", hardrun must be indistinguishable from
# runc.  Each case runs through runc and through $HARDRUN and compares stdout,
# stderr (timestamps masked) and the exit status.

load helpers

setup_file() {
	ensure_rootfs
}

setup() {
	requires_root
	common_setup
	B="$BATS_TEST_TMPDIR/bundle"
}

teardown() {
	common_teardown
}

# bg_run NAME ARGS...: start `rt NAME ARGS...` in the background, outputs to
# the runtime's dir; sets BG_PID to the runtime's own pid (exec, no subshell).
bg_run() {
	local name="$1" d bin
	shift
	d="$(rt_dir "$name")"
	bin="$(rt_bin "$name")"
	exec "$bin" --root "$d/root" "$@" </dev/null >"$d/stdout" 2>"$d/stderr" 3>&- &
	BG_PID=$!
	track_pid "$BG_PID"
}

# bg_wait NAME: wait for the background runtime and record its status.
bg_wait() {
	local st=0
	wait "$BG_PID" || st=$?
	echo "$st" >"$(rt_dir "$1")/status"
}

file_has() { grep -q "$2" "$1"; }

# ------------------------------------------------------------------ run --

@test "run: exit 0, stdout and stderr of the container" {
	make_bundle "$B" sh -c 'echo out; echo err >&2; echo "args:$#"'
	run_both run --bundle "$B" @ID@
	[ "$status_runc" = 0 ]
	[ "$output_runc" = "$(printf 'out\nargs:0')" ]
	[ "$err_runc" = err ]
}

@test "run: exit status 3 is returned" {
	make_bundle "$B" sh -c 'exit 3'
	run_both run --bundle "$B" @ID@
	[ "$status_runc" = 3 ]
}

@test "run: container killed by SIGKILL gives 137" {
	make_bundle "$B" sleep 1000
	local name
	for name in "${RUNTIMES[@]}"; do
		bg_run "$name" run --bundle "$B" "$(rt_id "$name")"
		wait_status running "$name"
		rt "$name" kill "$(rt_id "$name")" KILL
		bg_wait "$name"
	done
	compare_outputs
	[ "$(cat "$(rt_dir runc)/status")" = 137 ]
}

@test "run: a signal sent to the runtime's pid reaches the container" {
	# runc forwards signals it receives to the container; hardrun must execve
	# (same pid), not fork-and-wait, for this to hold.
	make_bundle "$B" sh -c 'trap "echo got-TERM; exit 7" TERM; echo ready; while :; do sleep 0.05; done'
	local name
	for name in "${RUNTIMES[@]}"; do
		bg_run "$name" run --bundle "$B" "$(rt_id "$name")"
		wait_for 10 file_has "$(rt_dir "$name")/stdout" ready
		kill -TERM "$BG_PID"
		bg_wait "$name"
	done
	compare_outputs
	[ "$(cat "$(rt_dir runc)/status")" = 7 ]
	grep -q got-TERM "$(rt_dir runc)/stdout"
}

@test "run: 'run -- ID' and -b bundle forms" {
	make_bundle "$B" echo hi
	run_both run --bundle "$B" -- @ID@
	[ "$status_runc" = 0 ] && [ "$output_runc" = hi ]
	run_both run -b "$B" @ID@
	[ "$output_runc" = hi ]
	run_both run --bundle="$B" @ID@
	[ "$output_runc" = hi ]
}

@test "run: bundle defaults to the current directory" {
	make_bundle "$B" echo from-cwd
	cd "$B"
	run_both run @ID@
	[ "$output_runc" = from-cwd ]
}

# ------------------------------------------------------------ lifecycle --

@test "create/start/state/kill/delete lifecycle" {
	make_bundle "$B" sh -c 'trap "exit 0" TERM; while :; do sleep 0.05; done'
	run_both create --bundle "$B" @ID@
	[ "$status_runc" = 0 ]

	same_state
	[ "$(state_of runc)" = created ] && [ "$(state_of hardrun)" = created ]

	run_both start @ID@
	[ "$status_runc" = 0 ]
	same_state
	[ "$(state_of runc)" = running ]

	run_both list -q
	[ "$output_runc" = "$(rt_id runc)" ]
	run_both -c status,stderr list --format json
	filter_stdout jq -S 'map(del(.pid, .created))'
	compare_outputs stdout

	run_both kill @ID@ TERM
	[ "$status_runc" = 0 ]
	on_both wait_status stopped
	same_state

	run_both delete @ID@
	[ "$status_runc" = 0 ]
	run_both state @ID@
	[ "$status_runc" != 0 ]
	[[ "$err_runc" == *"does not exist"* ]]
}

# usr1_count NAME: how many USR1s runtime NAME's container has trapped
usr1_count() {
	[ -f "$(rt_dir "$1")/b/rootfs/tmp/usr1" ] || { echo 0; return; }
	wc -l <"$(rt_dir "$1")/b/rootfs/tmp/usr1"
}

@test "kill: signal by name, by number, --all; delete --force of a running container" {
	# one bundle (and rootfs) per runtime: each container's trap writes its
	# own marker files, which the test waits on before going on
	local name
	for name in "${RUNTIMES[@]}"; do
		make_bundle "$(rt_dir "$name")/b" sh -c \
			'trap "echo usr1 >>/tmp/usr1" USR1; echo up >/tmp/ready; while :; do sleep 0.05; done'
	done
	run_both run -d --bundle @D@/b @ID@
	_ready() { [ -s "$(rt_dir "$1")/b/rootfs/tmp/ready" ]; }
	_trapped() { [ "$(usr1_count "$1")" -ge "$N" ]; }
	on_both wait_for 10 _ready
	run_both kill @ID@ SIGUSR1
	[ "$status_runc" = 0 ]
	N=1 on_both wait_for 10 _trapped
	run_both kill @ID@ 10
	[ "$status_runc" = 0 ]
	N=2 on_both wait_for 10 _trapped
	[ "$(usr1_count runc)" = 2 ] && [ "$(usr1_count hardrun)" = 2 ]
	run_both kill --all @ID@ KILL
	on_both wait_status stopped
	run_both delete @ID@
	run_both run -d --bundle @D@/b @ID@
	run_both delete --force @ID@
	[ "$status_runc" = 0 ]
	run_both kill @ID@ KILL
	[ "$status_runc" != 0 ]
}

# ----------------------------------------------------------------- exec --

@test "exec: args, exit status, --env, --cwd, --user" {
	make_bundle "$B" sleep 1000
	run_both run -d --bundle "$B" @ID@
	[ "$status_runc" = 0 ]

	run_both exec @ID@ sh -c 'echo "a:$0:$1"; echo e >&2; exit 5' x y
	[ "$status_runc" = 5 ]
	[ "$output_runc" = "a:x:y" ]

	run_both exec --env FOO=bar --cwd /tmp @ID@ sh -c 'echo "$FOO $(pwd)"'
	[ "$output_runc" = "bar /tmp" ]

	run_both exec --user 65534:65534 @ID@ id
	[[ "$output_runc" == *"uid=65534"* ]]

	run_both exec -e X=1 -u 1 @ID@ sh -c 'echo $X $(id -u)'
	[ "$output_runc" = "1 1" ]
}

@test "exec: --process FILE (file left untouched in mode off)" {
	make_bundle "$B" sleep 1000
	run_both run -d --bundle "$B" @ID@
	local p="$BATS_TEST_TMPDIR/process.json"
	jq -n '{terminal: false, cwd: "/tmp", user: {uid: 0, gid: 0},
		args: ["sh", "-c", "echo proc:$X:$(pwd); exit 4"],
		env: ["PATH=/bin", "X=42"],
		capabilities: {bounding: ["CAP_KILL"], effective: ["CAP_KILL"],
			permitted: ["CAP_KILL"]},
		noNewPrivileges: true}' >"$p"
	local before
	before="$(sha256sum <"$p")"
	run_both exec --process "$p" @ID@
	[ "$status_runc" = 4 ]
	[ "$output_runc" = "proc:42:/tmp" ]
	run_both exec -p "$p" @ID@
	run_both exec --process="$p" @ID@
	[ "$(sha256sum <"$p")" = "$before" ]
}

@test "exec: -d detached and --pid-file" {
	make_bundle "$B" sleep 1000
	run_both run -d --bundle "$B" @ID@
	run_both exec -d --pid-file @D@/exec.pid @ID@ sleep 1000
	[ "$status_runc" = 0 ]
	local name
	for name in "${RUNTIMES[@]}"; do
		[ -s "$(rt_dir "$name")/exec.pid" ]
		kill -0 "$(cat "$(rt_dir "$name")/exec.pid")"
	done
}

# ---------------------------------------------------------- pause / ps --

@test "pause/resume" {
	make_bundle "$B" sleep 1000
	run_both run -d --bundle "$B" @ID@
	run_both pause @ID@
	[ "$status_runc" = 0 ]
	[ "$(state_of runc)" = paused ] && [ "$(state_of hardrun)" = paused ]
	run_both pause @ID@ # already paused: same answer
	run_both resume @ID@
	[ "$status_runc" = 0 ]
	[ "$(state_of runc)" = running ] && [ "$(state_of hardrun)" = running ]
	run_both resume @ID@
	[ "$status_runc" != 0 ]
}

@test "ps: table and json" {
	make_bundle "$B" sh -c 'sleep 1000 & sleep 1000'
	run_both run -d --bundle "$B" @ID@
	sleep 0.2
	run_both -c status,stderr ps @ID@
	filter_stdout awk '{print $1, $NF}'
	compare_outputs stdout
	[[ "$output_runc" == *"sleep 1000"* ]]
	run_both -c status,stderr ps --format json @ID@
	filter_stdout jq length
	compare_outputs stdout
	[ "$(cat "$(rt_dir runc)/stdout")" -ge 2 ]
	run_both -c status,stderr ps @ID@ -- -o pid,comm
	filter_stdout awk '{print $2}'
	compare_outputs stdout
}

# --------------------------------------------------------- stdio & fds --

@test "--console-socket with a tty" {
	local recvtty name d
	recvtty="$(build_tool recvtty)"
	make_bundle --terminal "$B" sh -c 'echo "tty:$(tty)"; [ -t 0 ] && [ -t 1 ] && echo both-tty; stty size'
	for name in "${RUNTIMES[@]}"; do
		d="$(rt_dir "$name")"
		"$recvtty" "$d/tty.sock" "$d/tty.out" 3>&- &
		local rpid=$!
		track_pid "$rpid"
		wait_for 5 test -S "$d/tty.sock"
		local st=0
		rt "$name" run -d --console-socket "$d/tty.sock" --bundle "$B" "$(rt_id "$name")" \
			</dev/null >"$d/stdout" 2>"$d/stderr" || st=$?
		echo "$st" >"$d/status"
		wait "$rpid"
		tr -d '\r' <"$d/tty.out" >"$d/stdout"
	done
	compare_outputs
	[ "$(sed -n 1p "$(rt_dir runc)/stdout")" = "tty:/dev/pts/0" ]
	grep -qx both-tty "$(rt_dir runc)/stdout"
}

@test "--console-socket with create/start and exec -t" {
	local recvtty name d
	recvtty="$(build_tool recvtty)"
	make_bundle --terminal "$B" sleep 1000
	for name in "${RUNTIMES[@]}"; do
		d="$(rt_dir "$name")"
		"$recvtty" "$d/tty.sock" "$d/tty.out" 3>&- &
		track_pid $!
		wait_for 5 test -S "$d/tty.sock"
		rt "$name" create --console-socket "$d/tty.sock" --bundle "$B" "$(rt_id "$name")" </dev/null
		rt "$name" start "$(rt_id "$name")"

		"$recvtty" "$d/exec.sock" "$d/exec.out" 3>&- &
		local epid=$!
		track_pid $epid
		wait_for 5 test -S "$d/exec.sock"
		rt "$name" exec -t --console-socket "$d/exec.sock" -d "$(rt_id "$name")" sh -c 'echo exec-tty:$(tty)' </dev/null
		wait "$epid"
		tr -d '\r' <"$d/exec.out" >"$d/stdout"
		: >"$d/stderr"
		echo 0 >"$d/status"
	done
	compare_outputs
	grep -q '^exec-tty:/dev/pts/' "$(rt_dir runc)/stdout"
}

@test "--preserve-fds passes extra fds" {
	echo three >"$BATS_TEST_TMPDIR/f3"
	echo four >"$BATS_TEST_TMPDIR/f4"
	make_bundle "$B" sh -c 'cat <&3; cat <&4; [ -e /proc/self/fd/5 ] && echo fd5-leaked; echo done'
	run_both --fd 3="$BATS_TEST_TMPDIR/f3" --fd 4="$BATS_TEST_TMPDIR/f4" \
		run --preserve-fds 2 --bundle "$B" @ID@
	[ "$status_runc" = 0 ]
	[ "$output_runc" = "$(printf 'three\nfour\ndone')" ]

	# without --preserve-fds, fd 3 is not passed
	make_bundle "$B.2" sh -c '[ -e /proc/self/fd/3 ] && echo fd3-leaked; echo ok'
	run_both --fd 3="$BATS_TEST_TMPDIR/f3" run --bundle "$B.2" @ID@
	[ "$output_runc" = ok ]
}

@test "--pid-file on run -d and create" {
	make_bundle "$B" sleep 1000
	run_both run -d --pid-file @D@/run.pid --bundle "$B" @ID@
	[ "$status_runc" = 0 ]
	local name
	for name in "${RUNTIMES[@]}"; do
		[ "$(cat "$(rt_dir "$name")/run.pid")" = \
			"$(rt "$name" state "$(rt_id "$name")" | jq .pid)" ]
	done
	run_both delete -f @ID@
	run_both create --pid-file=@D@/create.pid --bundle "$B" @ID@
	for name in "${RUNTIMES[@]}"; do
		[ "$(cat "$(rt_dir "$name")/create.pid")" = \
			"$(rt "$name" state "$(rt_id "$name")" | jq .pid)" ]
	done
}

@test "stdin is the container's stdin" {
	printf 'line1\nline2\n' >"$BATS_TEST_TMPDIR/in"
	make_bundle "$B" sh -c 'wc -l; cat'
	run_both --stdin "$BATS_TEST_TMPDIR/in" run --bundle "$B" @ID@
	[ "$output_runc" = 2 ]
}

@test "update --resources - reads stdin" {
	make_bundle "$B" sleep 1000
	run_both run -d --bundle "$B" @ID@
	echo '{"pids": {"limit": 77}}' >"$BATS_TEST_TMPDIR/res.json"
	run_both --stdin "$BATS_TEST_TMPDIR/res.json" update --resources - @ID@
	[ "$status_runc" = 0 ]
	run_both -c status,stderr events --stats @ID@
	filter_stdout jq -c '.data.pids.limit'
	compare_outputs stdout
	[ "$(cat "$(rt_dir runc)/stdout")" = 77 ]
}

# ----------------------------------------------------- informational ---

@test "features, --version, -v, --help, spec" {
	run_both features
	[ "$status_runc" = 0 ]
	jq -e .ociVersionMax <<<"$output_runc"
	run_both --version
	[[ "$output_runc" == *"runc version"* ]]
	run_both -v
	run_both --help
	run_both help
	run_both run --help
	mkdir -p "$(rt_dir runc)/spec" "$(rt_dir hardrun)/spec"
	run_both spec --bundle @D@/spec
	[ "$status_runc" = 0 ]
	run_both spec --bundle @D@/spec # config.json exists now: same error
	[ "$status_runc" != 0 ]
}

@test "spec writes the same default config" {
	local name
	for name in "${RUNTIMES[@]}"; do
		mkdir -p "$(rt_dir "$name")/spec"
		(cd "$(rt_dir "$name")/spec" && "$(rt_bin "$name")" spec)
		cp "$(rt_dir "$name")/spec/config.json" "$(rt_dir "$name")/stdout"
		: >"$(rt_dir "$name")/stderr"
		echo 0 >"$(rt_dir "$name")/status"
	done
	compare_outputs
}

# ---------------------------------------------------------- flag forms --

@test "global flags: --root=x, -root x, -root=x, --rootless, --criu" {
	make_bundle "$B" sleep 1000
	run_both run -d --bundle "$B" @ID@
	run_both --root=@D@/root list -q
	[ "$output_runc" = "$(rt_id runc)" ]
	run_both -root @D@/root list -q
	[ "$output_runc" = "$(rt_id runc)" ]
	run_both -root=@D@/root list -q
	[ "$output_runc" = "$(rt_id runc)" ]
	run_both --rootless false list -q
	run_both --rootless=auto --criu /bin/false list -q
	[ "$output_runc" = "$(rt_id runc)" ]
	run_both --systemd-cgroup=false list -q
}

@test "global flags: --log / --log-format json|text" {
	make_bundle "$B" /does-not-exist
	run_both --log @D@/log.json --log-format json run --bundle "$B" @ID@
	[ "$status_runc" != 0 ]
	local name
	for name in "${RUNTIMES[@]}"; do cp "$(rt_dir "$name")/log.json" "$(rt_dir "$name")/stdout"; done
	compare_outputs stdout
	jq -e 'select(.level == "error")' "$(rt_dir runc)/log.json"

	run_both --log=@D@/log.txt --log-format=text run --bundle "$B" @ID@
	for name in "${RUNTIMES[@]}"; do cp "$(rt_dir "$name")/log.txt" "$(rt_dir "$name")/stdout"; done
	compare_outputs stdout
	grep -q 'level=error' "$(rt_dir runc)/log.txt"

	run_both -log @D@/log2 -log-format json state nope
	[ "$status_runc" != 0 ]
}

@test "global flags: --debug" {
	make_bundle "$B" echo dbg
	run_both -c stdout,status --debug run --bundle "$B" @ID@
	[ "$output_runc" = dbg ]
	grep -q 'level=debug' "$(rt_dir runc)/stderr"
	grep -q 'level=debug' "$(rt_dir hardrun)/stderr"
	run_both -c stdout,status --debug --log @D@/dbg.log --log-format json run --bundle "$B" @ID@
	jq -e 'select(.level == "debug")' "$(rt_dir hardrun)/dbg.log" >/dev/null
}

@test "'--' handling in exec and after the command" {
	make_bundle "$B" sleep 1000
	run_both run -d --bundle "$B" @ID@
	run_both exec @ID@ -- echo --version # runc takes "--" as the program
	[ "$status_runc" != 0 ]
	run_both exec @ID@ echo -- --version
	[ "$output_runc" = "-- --version" ]
	run_both exec @ID@ echo --process /x -p /y --bundle z
	[ "$output_runc" = "--process /x -p /y --bundle z" ]
	run_both exec -- @ID@ echo ok
	same_state --
}

@test "unknown flags and commands pass through unchanged" {
	make_bundle "$B" true
	run_both --no-such-flag list
	[ "$status_runc" != 0 ]
	run_both frobnicate
	run_both run --no-such-flag --bundle "$B" @ID@
	[ "$status_runc" != 0 ]
	run_both create
	run_both exec
	run_both exec --process
	run_both run --bundle
	run_both --root
	run_both
}

@test "environment and cwd reach the runtime unchanged" {
	# XDG_RUNTIME_DIR selects runc's default root when --root is absent
	# (non-root only); use a visible effect instead: a relative --root.
	make_bundle "$B" true
	local name
	for name in "${RUNTIMES[@]}"; do
		(cd "$(rt_dir "$name")" && "$(rt_bin "$name")" --root relroot run --bundle "$B" --keep "$(rt_id "$name")")
		[ -d "$(rt_dir "$name")/relroot/$(rt_id "$name")" ]
		(cd "$(rt_dir "$name")" && "$(rt_bin "$name")" --root relroot delete "$(rt_id "$name")")
	done
}

# ------------------------------------------------------ mode off = bytes --

@test "defaultMode off: config.json byte-identical after create and run" {
	node_config '{"defaultMode": "off"}'
	make_bundle --annotation io.kubernetes.cri.container-name=app \
		--annotation profile.hardrun.io/other=baseline "$B" sleep 1000
	# odd but valid JSON: big integers, key order, unicode must survive
	bundle_edit "$B" '.x_big = 18446744073709551615 | .x_uni = "\u00e9\u2603" | .x_f = 1.50'
	local before stat_before
	before="$(bundle_sum "$B")"
	stat_before="$(stat -c '%a %s %i' "$B/config.json")"
	rt hardrun create --bundle "$B" "$(rt_id hardrun)"
	[ "$(bundle_sum "$B")" = "$before" ]
	[ "$(stat -c '%a %s %i' "$B/config.json")" = "$stat_before" ]
	rt hardrun delete -f "$(rt_id hardrun)"
	bundle_edit "$B" '.process.args = ["true"]'
	before="$(bundle_sum "$B")"
	rt hardrun run --bundle "$B" "$(rt_id hardrun)"
	[ "$(bundle_sum "$B")" = "$before" ]
}

@test "launch audit: a host-network, /etc-bind spec in mode off: its events, config.json byte-identical" {
	requires_hardrun
	node_config '{"defaultMode": "off"}'
	make_bundle "$B" true
	bundle_edit "$B" '.linux.namespaces |= map(select(.type != "network" and .type != "uts")) | del(.hostname)
		| .mounts += [{destination: "/host-etc", type: "bind", source: "/etc", options: ["rbind", "ro"]}]'
	local before events="$(dirname "$HARDRUN_CONFIG")/events.jsonl"
	before="$(bundle_sum "$B")"
	rt hardrun run --bundle "$B" "$(rt_id hardrun)"
	[ "$(bundle_sum "$B")" = "$before" ]
	cat "$events"
	[ "$(wc -l <"$events")" = 2 ]
	jq -se --arg id "$(rt_id hardrun)" '
		.[0].output_fields["hardrun.rule_id"] == "launch_sensitive_mount"
		and .[0].output_fields["hardrun.evidence"] == "/etc on /host-etc (ro)"
		and .[1].output_fields["hardrun.rule_id"] == "launch_host_namespace"
		and .[1].output_fields["hardrun.evidence"] == "network,uts"
		and all(.[]; .output_fields["container.id"] == $id and .source == "hardrun"
			and .output_fields["hardrun.action"] == "alert"
			and .output_fields["hardrun.profile"] == null)' "$events"
}

# ---------------------------------------------- hardrun's own failures --

# hardrun_fails LOG BUNDLE ARGS...: run hardrun with --log LOG (json), expect
# a non-zero exit, exactly one new "hardrun: ..." error line in LOG, and the
# bundle unchanged.
hardrun_fails() {
	local log="$1" bundle="$2" before sum_before=none st=0
	shift 2
	echo '{"level":"info","msg":"pre-existing line","time":"2024-01-01T00:00:00Z"}' >"$log"
	before="$(wc -l <"$log")"
	[ ! -e "$bundle" ] || sum_before="$(bundle_sum "$bundle")"
	"$HARDRUN" --root "$(rt_dir hardrun)/root" --log "$log" --log-format json "$@" \
		</dev/null >"$BATS_TEST_TMPDIR/hf.out" 2>"$BATS_TEST_TMPDIR/hf.err" || st=$?
	echo "hardrun exit $st; stderr: $(cat "$BATS_TEST_TMPDIR/hf.err")"
	[ "$st" != 0 ]
	assert_log_error_line "$log" "$before"
	if [ "$sum_before" = none ]; then
		[ ! -e "$bundle" ]
	else
		[ "$(bundle_sum "$bundle")" = "$sum_before" ]
	fi
	# nothing was created
	[ -z "$("$RUNC" --root "$(rt_dir hardrun)/root" list -q 2>/dev/null)" ]
}

@test "hardrun error: malformed config.json (modes off and enforce)" {
	requires_hardrun
	make_bundle "$B" true
	printf '{"ociVersion": "1.0.2", "process": {' >"$B/config.json"
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" create --bundle "$B" "$ID"
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" run --bundle "$B" "$ID"
	node_config '{"defaultMode": "enforce", "defaultProfile": "baseline"}'
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" create --bundle "$B" "$ID"
}

@test "hardrun error: missing bundle" {
	requires_hardrun
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$BATS_TEST_TMPDIR/nope" \
		create --bundle "$BATS_TEST_TMPDIR/nope" "$ID"
	mkdir "$B" # a bundle dir without config.json
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" create -b "$B" "$ID"
}

@test "hardrun error: node config with an unknown key or a bad value" {
	requires_hardrun
	make_bundle "$B" true
	node_config '{"noSuchKey": true}'
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" create --bundle "$B" "$ID"
	node_config '{"defaultMode": "sometimes"}'
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" create --bundle "$B" "$ID"
	node_config_raw '{"defaultMode": "off",'
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" create --bundle "$B" "$ID"
	node_config '{"launchPolicy": {"launch_privilegd": "deny"}}'
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" create --bundle "$B" "$ID"
	grep -q 'launchPolicy: unknown rule \\"launch_privilegd\\"' "$BATS_TEST_TMPDIR/log"
	node_config '{"launchExempt": [{"rules": ["launch_privileged"]}]}'
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" create --bundle "$B" "$ID"
	grep -q 'launchExempt\[0\]: needs a namespace, pod or image pattern' "$BATS_TEST_TMPDIR/log"
}

@test "hardrun error: a launch rule that denies (modes off and enforce)" {
	requires_hardrun
	make_bundle "$B" true
	bundle_edit "$B" '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]'
	local mode events="$(dirname "$HARDRUN_CONFIG")/events.jsonl"
	for mode in off enforce; do
		node_config "{\"defaultMode\": \"$mode\", \"launchPolicy\": {\"launch_privileged\": \"deny\"}}"
		hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" run --bundle "$B" "$ID"
		tail -n 1 "$BATS_TEST_TMPDIR/log" | jq -e '.msg | startswith("hardrun: launch_privileged: capabilities: CAP_SYS_ADMIN")'
		tail -n 1 "$events" | jq -e '.output_fields["hardrun.action"] == "deny"'
		# no monitor, no state left behind
		[ -z "$(ls -A "$(dirname "$HARDRUN_CONFIG")/state" 2>/dev/null)" ]
	done
}

@test "hardrun error: runtime binary missing" {
	requires_hardrun
	make_bundle "$B" true
	node_config '{"runtime": "/nonexistent/runc"}'
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" create --bundle "$B" "$ID"
	hardrun_fails "$BATS_TEST_TMPDIR/log" "$B" state "$ID"
}

@test "hardrun error: --log-format text gives a logrus text line" {
	requires_hardrun
	make_bundle "$B" true
	node_config '{"runtime": "/nonexistent/runc"}'
	local st=0
	"$HARDRUN" --root "$(rt_dir hardrun)/root" --log "$BATS_TEST_TMPDIR/log" --log-format text \
		create --bundle "$B" "$ID" </dev/null || st=$?
	[ "$st" != 0 ]
	cat "$BATS_TEST_TMPDIR/log"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/log")" = 1 ]
	grep -Eq '^time="[0-9]{4}-[0-9]{2}-[0-9]{2}T[^"]+" level=error msg="hardrun: ' \
		"$BATS_TEST_TMPDIR/log"
}
