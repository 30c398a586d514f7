#!/usr/bin/env bats
# Rules served without a notification per call (README "Events": rule ->
# mechanism): sensitive_write alerts through fanotify, reverse_shell decided
# at exec, a rule that is off costs nothing; deny still refuses first.
# Real runc, busybox bundles.

load helpers
load monitor/helpers
load monitor/suite

# notified ID NAME: how many monitor rules of ID's final config.json notify NAME
notified() {
	jq --arg n "$2" '[.linux.seccomp.syscalls[] | select(.hardrun == "monitor" and
		(.action == "SCMP_ACT_NOTIFY" or .action == "SCMP_ACT_TRACE") and
		(.names | index($n)))] | length' "$BATS_TEST_TMPDIR/b/$1/config.json"
}

# event_of RULE JQ: the events of RULE satisfy JQ (one jq boolean per event)
event_of() {
	jq -e --arg r "$1" "select(.output_fields[\"hardrun.rule_id\"] == \$r) | $2" "$EVENTS"
}

@test "kernel rules: baseline fires sensitive_write (fanotify), reverse_shell (at exec) and metadata_connect" {
	rm -f "$EVENTS"
	# the watches are in place once the monitor has answered an exec (the
	# first /bin/true's): a builtin's write before any exec can come first
	bundle sw '/bin/true; echo x > /etc/hostname2; mkdir /etc/d; echo y > /etc/d/f; echo done' enforce baseline
	hrun sw
	echo "$output"
	[[ "$output" == *done* ]]
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired | sort | uniq -c | awk '{print $1, $2}')" = "2 sensitive_write" ]
	event_of sensitive_write '.output_fields["evt.type"] | test("^(create|modify|close_write)$")'
	event_of sensitive_write '.output_fields["evt.args"] | test("path=/etc/(hostname2|d/f) ")'
	event_of sensitive_write '.output_fields["container.id"] == "sw" and
		.output_fields["proc.pid"] > 0 and .output_fields["hardrun.action"] == "alert"'
	# the write-opens were not notified, nor dup2/dup3
	[ "$(notified sw openat)" -eq 0 ]
	[ "$(notified sw open)" -eq 0 ]
	[ "$(notified sw dup2)" -eq 0 ]
	[ "$(notified sw dup3)" -eq 0 ]
	# execs go through fanotify: execve is not notified either; the rare
	# calls (execveat, for fileless_exec) still are
	[ "$(notified sw execve)" -eq 0 ]
	[ "$(notified sw execveat)" -gt 0 ]

	# a shell started with a TCP socket on its stdio: denied at exec
	rm -f "$EVENTS"
	bundle rs 'nc -l -p 9001 >/dev/null & sleep 0.3; hrtrig revshell 9001; wait' enforce baseline
	hrun rs
	echo "$output"
	[[ "$output" == *"revshell=-1 errno=1"* ]]
	wait_monitors_gone
	[ "$(rules_fired)" = reverse_shell ]
	event_of reverse_shell '.output_fields["evt.type"] == "execve" and
		.output_fields["hardrun.action"] == "deny" and
		(.output_fields["evt.args"] | test("stdio=0:socket:\\[[0-9]+\\] parent=hrtrig"))'

	rm -f "$EVENTS"
	bundle md 'nc -w 1 169.254.169.254 80 </dev/null; echo done' enforce baseline
	hrun md
	wait_monitors_gone
	[ "$(rules_fired)" = metadata_connect ]
}

@test "kernel rules: sensitive_write deny refuses the write-open before it happens" {
	profile d '{"sensitive_write":"deny"}'
	rm -f "$EVENTS"
	bundle swd 'echo x > /etc/new-file; echo "rc=$?"; echo y > /tmp/ok; cat /tmp/ok' enforce d
	hrun swd
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"rc=1"* ]]
	[[ "$output" == *y* ]]
	[ ! -e "$BATS_TEST_TMPDIR/b/swd/rootfs/etc/new-file" ]
	[ "$(notified swd openat)" -gt 0 ]
	wait_monitors_gone
	[ "$(rules_fired)" = sensitive_write ]
	event_of sensitive_write '.output_fields["hardrun.action"] == "deny" and
		.output_fields["evt.type"] == "openat"'
}

@test "kernel rules: a rule that is off costs nothing and fires nothing" {
	profile o '{"sensitive_write":"off","reverse_shell":"off","metadata_connect":"off"}'
	rm -f "$EVENTS"
	bundle off 'echo x > /etc/h2; nc -w 1 169.254.169.254 80 </dev/null
		nc -l -p 9002 >/dev/null & sleep 0.3; hrtrig revshell 9002; wait; echo done' enforce o
	hrun off
	echo "$output"
	[[ "$output" == *done* ]]
	local n
	for n in open openat creat openat2 dup2 dup3 connect; do
		[ "$(notified off "$n")" -eq 0 ]
	done
	wait_monitors_gone
	rules_fired
	# only the shell hrtrig starts: terminal_shell's (a shell from a non-shell), still on
	[ "$(rules_fired)" = terminal_shell ]
}

@test "kernel rules: a container writing sensitive files in a loop cannot flood the events file" {
	rm -f "$EVENTS"
	bundle fl '/bin/true; i=0; while [ $i -lt 400 ]; do echo x > /etc/f$i; i=$((i + 1)); done; echo done' \
		enforce baseline
	hrun fl
	[[ "$output" == *done* ]]
	wait_monitors_gone
	local n total
	n="$(rules_fired | grep -c sensitive_write)"
	total="$(jq -s '[.[] | select(.output_fields["hardrun.rule_id"] == "sensitive_write") |
		.output_fields["hardrun.count"]] | add' "$EVENTS")"
	echo "lines: $n, writes counted: $total"
	# bounded (the monitor's rate limit and folding), and every write counted
	[ "$n" -lt 200 ]
	[ "$total" -ge 400 ]
}

@test "kernel rules: metadata_connect deny refuses in the pod's network namespace, nothing notified" {
	profile d '{"metadata_connect":"deny"}'
	rm -f "$EVENTS"
	bundle mdd 'nc -w 3 169.254.169.254 80 </dev/null; echo "rc=$?"; sleep 0.2
		nc -w 3 10.96.0.1 443 </dev/null; echo "rc=$?"; nc -w 1 10.96.0.1 80 </dev/null; echo done' \
		enforce d
	hrun mdd
	echo "$output"
	# refused at once (a reset from the kernel), not timed out
	[ "$(grep -c 'Connection refused' <<<"$output")" -eq 2 ]
	[ "$(grep -c 'rc=1' <<<"$output")" -eq 2 ]
	[[ "$output" == *done* ]]
	[ "$(notified mdd connect)" -eq 0 ]
	wait_monitors_gone
	rules_fired
	[ "$(rules_fired | grep -c metadata_connect)" -eq 2 ]
	event_of metadata_connect '.output_fields["evt.type"] == "connect" and
		.output_fields["hardrun.action"] == "deny" and
		(.output_fields["evt.args"] | test("^addr=(169.254.169.254 port=80 \\(cloud metadata\\)|10.96.0.1 port=443 \\(kubernetes api\\))$"))'
	# the table went with the monitor
	! ip netns exec "$POD_NETNS" nft list tables | grep -q hardrun
}

@test "kernel rules: a host-network container gets no nftables rules: connect is notified" {
	profile d '{"metadata_connect":"deny"}'
	rm -f "$EVENTS"
	bundle hn 'nc -w 1 169.254.169.254 80 </dev/null; echo "rc=$?"' enforce d
	bundle_edit "$BATS_TEST_TMPDIR/b/hn" 'del(.linux.namespaces[] | select(.type == "network"))'
	nft list tables >"$BATS_TEST_TMPDIR/before"
	hrun hn
	echo "$output"
	[[ "$output" == *"Operation not permitted"* ]]
	[ "$(notified hn connect)" -gt 0 ]
	nft list tables | diff "$BATS_TEST_TMPDIR/before" -
	wait_monitors_gone
	rules_fired
	# (the launch audit reports the host network namespace too)
	[ "$(rules_fired | grep -c metadata_connect)" -eq 1 ]
}
