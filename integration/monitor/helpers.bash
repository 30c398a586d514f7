# Monitor helpers shared by monitor.bats and monitor_containerd.bats.
# Need: STATE (the node config's stateDir), PROFILES (a profileDirs entry),
# EVENTS (the node config's eventsFile).

# monitor_config: rewrite $HARDRUN_CONFIG (node_config) for monitor tests:
# a short stateDir (sun_path is 108 bytes), any profile, $PROFILES first.
monitor_config() {
	node_config "$(jq -cn --arg s "$STATE" --arg p "$PROFILES" --arg r "$REPO_DIR/profiles" \
		'{stateDir: $s, allowedProfiles: ["*"], profileDirs: [$p, $r]}')"
	EVENTS="$(jq -r .eventsFile "$HARDRUN_CONFIG")"
}

# profile NAME [RULES [KNOWN]]: a profile in the test's profile dir (filter:
# allow all but reboot; monitor rules RULES, knownBinaries KNOWN).
profile() {
	cat >"$PROFILES/$1.json" <<-EOF
		{"hardrun":1,"name":"$1","seccomp":{"defaultAction":"SCMP_ACT_ALLOW",
		 "architectures":["SCMP_ARCH_X86_64"],
		 "syscalls":[{"names":["reboot"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]},
		 "monitor":{"rules":${2:-{\}},"knownBinaries":${3:-[]}}}
	EOF
}

# monitor_pids: pids of every monitor serving this test's stateDir
monitor_pids() {
	local f
	for f in /proc/[0-9]*/cmdline; do
		{ tr '\0' ' ' <"$f"; } 2>/dev/null | grep -q -- "--state $STATE/" &&
			basename "${f%/cmdline}"
	done
	return 0
}

# mon_dir ID / mon_pid ID: the container's state dir and its monitor's pid
mon_dir() {
	dirname "$(grep -l "\"containerId\": *\"$1\"" "$STATE"/*/monitor.json)"
}

mon_pid() {
	cat "$(mon_dir "$1")/monitor.pid"
}

# container_dirs: the per-container state dirs (stateDir also holds mcs/)
container_dirs() {
	ls "$STATE" | grep -E '^[0-9a-f]{16}$' || true
}

wait_monitors_gone() {
	_none() { [ -z "$(monitor_pids)" ]; }
	wait_for 10 _none
}

rules_fired() {
	[ -f "$EVENTS" ] || return 0
	jq -r '.output_fields["hardrun.rule_id"] // empty' "$EVENTS"
}

