# Shared helpers for the hardrun integration suites (bats).
#
# Every suite does:   load helpers
# and gets, per test: a temp node config ($HARDRUN_CONFIG, defaultMode "off"),
# separate --root dirs per runtime, unique container ids, and a teardown that
# force-deletes whatever a test left behind.
#
# Environment:
#   HARDRUN             the runtime under test (default: <repo>/hardrun)
#   RUNC                the reference runtime (default: runc in PATH)
#   HARDRUN_TEST_CACHE  where the busybox rootfs, images and tools are cached
#                       (default: <repo>/integration/.cache)

INTEGRATION_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$INTEGRATION_DIR/.." && pwd)"
TEST_CACHE="${HARDRUN_TEST_CACHE:-$INTEGRATION_DIR/.cache}"
HARDRUN="${HARDRUN:-$REPO_DIR/hardrun}"
RUNC="${RUNC:-$(command -v runc || echo /usr/sbin/runc)}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
ROOTFS="$TEST_CACHE/rootfs"
ROOTFS_TAR="$TEST_CACHE/rootfs.tar"

# The runtimes that the comparison helpers drive, by name.
RUNTIMES=(runc hardrun)

# ---------------------------------------------------------------- skipping --

# requires_cmd CMD...: skip (with the reason) unless every CMD is available.
requires_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed"
	done
}

# hardrun_is_runc: true when $HARDRUN is runc (or a wrapper of it) standing in
# for hardrun.  hardrun passes --version through to runc, so ask its own
# `hardrun version` subcommand, which runc does not have.
hardrun_is_runc() {
	local h r
	h="$(readlink -f "$(command -v "$HARDRUN" || echo "$HARDRUN")")"
	r="$(readlink -f "$RUNC")"
	[ "$h" = "$r" ] && return 0
	! "$HARDRUN" version </dev/null 2>/dev/null | grep -qi hardrun
}

# requires_hardrun: skip tests of hardrun's own behaviour while runc stands in.
requires_hardrun() {
	if hardrun_is_runc; then
		skip "HARDRUN is runc"
	fi
}

requires_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

# ------------------------------------------------------------------ rootfs --

# ensure_rootfs: build the busybox rootfs (and its tar) once into the cache.
# Safe to call from several suites at once (flock).
ensure_rootfs() {
	[ -x "$BUSYBOX" ] || skip "$BUSYBOX missing (apt-get install busybox-static)"
	file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
		skip "$BUSYBOX is not statically linked (install busybox-static)"
	mkdir -p "$TEST_CACHE"
	(
		flock 9
		if [ -f "$ROOTFS/.complete" ] && cmp -s "$BUSYBOX" "$ROOTFS/bin/busybox"; then
			exit 0
		fi
		rm -rf "$ROOTFS.tmp" "$ROOTFS" "$ROOTFS_TAR"
		_build_rootfs "$ROOTFS.tmp"
		mv "$ROOTFS.tmp" "$ROOTFS"
		tar --numeric-owner --sort=name --mtime=@0 --exclude=./.complete \
			-C "$ROOTFS" -cf "$ROOTFS_TAR.tmp" .
		mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
		touch "$ROOTFS/.complete"
	) 9>"$TEST_CACHE/.rootfs.lock"
}

_build_rootfs() {
	local r="$1" applet
	mkdir -p "$r"/{bin,dev,etc,proc,sys,tmp,root,run,var/tmp,usr,home}
	chmod 1777 "$r/tmp" "$r/var/tmp"
	chmod 0700 "$r/root"
	cp "$BUSYBOX" "$r/bin/busybox"
	for applet in $("$BUSYBOX" --list); do
		[ "$applet" = busybox ] || ln -s busybox "$r/bin/$applet"
	done
	ln -s bin "$r/sbin"
	ln -s ../bin "$r/usr/bin"
	ln -s ../bin "$r/usr/sbin"
	cat >"$r/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		daemon:x:1:1:daemon:/usr/sbin:/bin/false
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$r/etc/group" <<-'EOF'
		root:x:0:
		daemon:x:1:
		tty:x:5:
		nogroup:x:65534:
	EOF
	echo "hardrun-test" >"$r/etc/hostname"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$r/etc/hosts"
	: >"$r/etc/resolv.conf"
	printf 'ID=busybox\nNAME="busybox (hardrun tests)"\n' >"$r/etc/os-release"
}

# ensure_debian_rootfs: the Debian rootfs of the real-program suites and
# bench/workload.bench.sh (bookworm minbase with nginx-light, redis, curl, ab:
# integration/tools/debian-rootfs.sh), built once with debootstrap from the
# machine's apt sources into $DEBIAN_ROOTFS.  Skips, with the reason, where
# that cannot be done (no debootstrap, no apt source, the download failed).
DEBIAN_ROOTFS="$TEST_CACHE/debian"
ensure_debian_rootfs() {
	local rc=0 err="$TEST_CACHE/.debian-rootfs.err"
	mkdir -p "$TEST_CACHE"
	"$INTEGRATION_DIR/tools/debian-rootfs.sh" "$DEBIAN_ROOTFS" 2>"$err" || rc=$?
	case $rc in
	0) return 0 ;;
	2) skip "$(tail -n 1 "$err")" ;;
	*) cat "$err" >&2; return 1 ;;
	esac
}

# ------------------------------------------------------------------ bundles --

# base_spec: `runc spec` output, cached.
_base_spec() {
	local spec="$TEST_CACHE/spec.json"
	if [ ! -s "$spec" ]; then
		local d
		d="$(mktemp -d "$TEST_CACHE/spec.XXXXXX")"
		(cd "$d" && "$RUNC" spec) && mv "$d/config.json" "$spec"
		rm -rf "$d"
	fi
	echo "$spec"
}

# make_bundle [--annotation K=V]... [--readonly] [--terminal] [--cwd DIR]
#             [--env K=V]... [--rootfs LOWER] DIR [ARG...]
# Writes an OCI bundle at DIR: rootfs hard-linked from the cached busybox rootfs
# (fast, small), config.json from `runc spec` with args ARG... (default
# /bin/true), terminal false, root writable unless --readonly.
# --rootfs LOWER: DIR/rootfs is instead an overlay mount (as containerd's
# snapshotter makes) of the read-only LOWER (e.g. $DEBIAN_ROOTFS) under
# DIR/upper, so that nothing the container writes reaches the cache; undo it
# with umount_under (common_teardown does, for bundles below $BATS_TEST_TMPDIR).
make_bundle() {
	local readonly=false terminal=false cwd=/ annotations='{}' env='[]' lower=
	while [ $# -gt 0 ]; do
		case "$1" in
		--annotation)
			annotations="$(jq -c --arg k "${2%%=*}" --arg v "${2#*=}" \
				'. + {($k): $v}' <<<"$annotations")"
			shift 2
			;;
		--readonly) readonly=true; shift ;;
		--terminal) terminal=true; shift ;;
		--cwd) cwd="$2"; shift 2 ;;
		--env) env="$(jq -c --arg e "$2" '. + [$e]' <<<"$env")"; shift 2 ;;
		--rootfs) lower="$2"; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	local dir="$1" a
	shift
	[ $# -gt 0 ] || set -- /bin/true
	if [ -n "$lower" ]; then
		mkdir -p "$dir"/{rootfs,upper,work}
		mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" \
			"$dir/rootfs" || return 1
		rm -f "$dir/rootfs/.complete"
	else
		ensure_rootfs
		mkdir -p "$dir"
		cp -a --link "$ROOTFS" "$dir/rootfs"
		rm -f "$dir/rootfs/.complete"
	fi
	local args
	args="$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -sc .)"
	jq --argjson args "$args" --argjson ro "$readonly" --argjson tty "$terminal" \
		--arg cwd "$cwd" --argjson ann "$annotations" --argjson env "$env" '
		.process.args = $args | .process.terminal = $tty | .process.cwd = $cwd
		| .process.env += $env | .root.readonly = $ro
		| if ($ann | length) > 0 then .annotations = ((.annotations // {}) + $ann) else . end
		' "$(_base_spec)" >"$dir/config.json"
}

# bundle_edit DIR JQ-FILTER [jq args...]: edit DIR/config.json in place.
bundle_edit() {
	local dir="$1" filter="$2"
	shift 2
	jq "$@" "$filter" "$dir/config.json" >"$dir/config.json.new"
	mv "$dir/config.json.new" "$dir/config.json"
}

# bundle_sum DIR: a checksum of config.json and the list of files in the bundle.
bundle_sum() {
	(
		cd "$1" &&
			{
				sha256sum config.json
				find . -path ./rootfs -prune -o -print | LC_ALL=C sort
			} | sha256sum
	)
}

# ------------------------------------------------------------- node config --

# node_config [JSON]: (re)write $HARDRUN_CONFIG: the per-test defaults merged
# with JSON (objects merge key by key, so node_config '{"defaultMode":"enforce"}').
# The file is $NODE_CONFIG_FILE if set (suites whose daemons inherit the env at
# setup_file time), else $BATS_TEST_TMPDIR/hardrun/config.json; stateDir,
# recordingsDir and eventsFile live next to it.
node_config() {
	local extra="${1-}" file t
	[ -n "$extra" ] || extra='{}'
	file="${NODE_CONFIG_FILE:-$BATS_TEST_TMPDIR/hardrun/config.json}"
	t="$(dirname "$file")"
	mkdir -p "$t"
	export HARDRUN_CONFIG="$file"
	jq -n --arg runtime "$RUNC" --arg t "$t" --arg profiles "$REPO_DIR/profiles" \
		--argjson extra "$extra" '{
			runtime: $runtime,
			defaultMode: "off",
			profileDirs: [$profiles],
			stateDir: ($t + "/state"),
			recordingsDir: ($t + "/recordings"),
			eventsFile: ($t + "/events.jsonl")
		} * $extra' >"$file.tmp"
	mv "$file.tmp" "$file"
}

# node_config_raw TEXT: write $HARDRUN_CONFIG verbatim (for malformed configs).
node_config_raw() {
	local file="${NODE_CONFIG_FILE:-$BATS_TEST_TMPDIR/hardrun/config.json}"
	mkdir -p "$(dirname "$file")"
	export HARDRUN_CONFIG="$file"
	printf '%s' "$1" >"$file"
}

# ----------------------------------------------------------------- runtimes --

# rt_bin NAME / rt_dir NAME: binary and private state dir of runtime NAME.
rt_bin() {
	case "$1" in
	runc) echo "$RUNC" ;;
	hardrun) echo "$HARDRUN" ;;
	*) echo "unknown runtime $1" >&2; return 1 ;;
	esac
}

rt_dir() {
	echo "$BATS_TEST_TMPDIR/rt-$1"
}

# rt NAME ARGS...: run runtime NAME with its own --root.
rt() {
	local name="$1"
	shift
	"$(rt_bin "$name")" --root "$(rt_dir "$name")/root" "$@"
}

# new_id [PREFIX]: a container id unique on this host.
new_id() {
	echo "${1:-hr}-${BATS_SUITE_TEST_NUMBER:-0}-$$-$RANDOM"
}

# wait_for TIMEOUT_S CMD...: poll CMD every 50ms until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}

# monitor_pids_in STATEDIR: pids of the hardrun monitors whose state lives
# under STATEDIR (a node config's stateDir).
monitor_pids_in() {
	local f
	for f in /proc/[0-9]*/cmdline; do
		{ tr '\0' ' ' <"$f"; } 2>/dev/null | grep -q -- "--state $1/" &&
			basename "${f%/cmdline}"
	done
	return 0
}

# wait_monitors_gone_in STATEDIR: wait until no monitor of STATEDIR runs (a
# monitor flushes its recording and writes its last events before it exits).
wait_monitors_gone_in() {
	_no_monitor_in() { [ -z "$(monitor_pids_in "$1")" ]; }
	wait_for 10 _no_monitor_in "$1"
}

# state_of NAME: the status of runtime NAME's container (rt_id NAME).
state_of() {
	rt "$1" state "$(rt_id "$1")" 2>/dev/null | jq -r .status
}

# wait_status STATUS NAME: wait until NAME's container has STATUS.
wait_status() {
	_status_is() { [ "$(state_of "$2")" = "$1" ]; }
	wait_for 10 _status_is "$@"
}

# track_pid PID: kill PID (and its process group if it leads one) at teardown.
track_pid() {
	echo "$1" >>"$BATS_TEST_TMPDIR/.pids"
}

# --------------------------------------------------------------- comparing --

# rt_id NAME: the container id runtime NAME uses in this test.  Ids differ per
# runtime so that cgroup paths (/<id>) never clash; normalize maps them back.
rt_id() {
	echo "$ID-$1"
}

# run_both [-c WHAT] [--fd N=FILE]... [--stdin FILE] [--] ARG...
# Runs `runc ARG...` and `$HARDRUN ARG...` (stdin /dev/null, outputs to files)
# and compares their stdout, stderr and exit status (WHAT: comma list of
# stdout,stderr,status; default all three; "none" compares nothing).  In ARG,
# @D@ is the runtime's private dir and @ID@ its container id; unless an ARG
# contains @D@/root, `--root @D@/root` is prepended.
# --fd N=FILE opens FILE read-only as fd N, afresh for each runtime.
# Sets status_runc/status_hardrun and output_runc/output_hardrun (stdout),
# err_runc/err_hardrun.
run_both() {
	local what=stdout,stderr,status fds=() a stdin=/dev/null
	while [ $# -gt 0 ]; do
		case "$1" in
		-c) what="$2"; shift 2 ;;
		--fd) fds+=("$2"); shift 2 ;;
		--stdin) stdin="$2"; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	local name d argv has_root=0 bin
	for a in "$@"; do [[ "$a" == *@D@/root* ]] && has_root=1; done
	for name in "${RUNTIMES[@]}"; do
		d="$BATS_TEST_TMPDIR/rt-$name"
		bin="$RUNC"
		[ "$name" = runc ] || bin="$HARDRUN"
		argv=()
		[ $has_root = 1 ] || argv=(--root "$d/root")
		for a in "$@"; do
			a="${a//@D@/$d}"
			argv+=("${a//@ID@/$ID-$name}")
		done
		local st=0
		(
			for f in "${fds[@]}"; do
				eval "exec ${f%%=*}<\"\${f#*=}\""
			done
			exec "$bin" "${argv[@]}"
		) <"$stdin" >"$d/stdout" 2>"$d/stderr" 3>&- || st=$?
		echo "$st" >"$d/status"
		printf -v "status_$name" '%s' "$st"
		printf -v "output_$name" '%s' "$(<"$d/stdout")"
		printf -v "err_$name" '%s' "$(<"$d/stderr")"
	done
	compare_outputs "$what"
}

# compare_outputs WHAT: diff the normalized outputs of the last run_both (or of
# files written by hand to $(rt_dir NAME)/{stdout,stderr,status}).
compare_outputs() {
	local what="${1:-stdout,stderr,status}" k name d
	[ "$what" != none ] || return 0
	for name in "${RUNTIMES[@]}"; do
		d="$BATS_TEST_TMPDIR/rt-$name"
		for k in ${what//,/ }; do
			echo "=== $k"
			cat "$d/$k"
			echo
		done | sed -e "s#$d#@D@#g" -e "s#$ID-$name#@ID@#g" \
			-e 's/time="[^"]*"/time="T"/g' -e 's/"time":"[^"]*"/"time":"T"/g' >"$d/compare"
	done
	diff -u --label runc --label hardrun "$BATS_TEST_TMPDIR/rt-runc/compare" \
		"$BATS_TEST_TMPDIR/rt-hardrun/compare" || {
		echo "runc    stderr: $(<"$BATS_TEST_TMPDIR/rt-runc/stderr")"
		echo "hardrun stderr: $(<"$BATS_TEST_TMPDIR/rt-hardrun/stderr")"
		return 1
	}
}

# filter_stdout CMD...: pipe each runtime's saved stdout through CMD (e.g.
# jq 'del(.pid, .created)') before compare_outputs.
filter_stdout() {
	local name d
	for name in "${RUNTIMES[@]}"; do
		d="$(rt_dir "$name")"
		"$@" <"$d/stdout" >"$d/stdout.f" || return 1
		mv "$d/stdout.f" "$d/stdout"
	done
}

# same_state [ARG...]: `state ARG... @ID@` through both runtimes gives the
# same status, stderr and JSON (pid and creation time aside)
same_state() {
	run_both -c status,stderr state "$@" @ID@
	filter_stdout jq -S 'del(.pid, .created)'
	compare_outputs stdout
}

# on_both CMD...: run CMD NAME for each runtime (e.g. on_both wait_status_is stopped).
on_both() {
	local name
	for name in "${RUNTIMES[@]}"; do "$@" "$name" || return 1; done
}

# ------------------------------------------------------------ setup/teardown --

# common_setup: what every test needs.  Suites call it from setup().
common_setup() {
	node_config
	local name
	for name in "${RUNTIMES[@]}"; do mkdir -p "$(rt_dir "$name")"; done
	ID="$(new_id)"
}

# common_teardown: force-delete containers left in any runtime root and kill
# tracked strays.  Never fails the test.
common_teardown() {
	local name root id pid
	if [ -f "$BATS_TEST_TMPDIR/.pids" ]; then
		while read -r pid; do
			kill -KILL "$pid" 2>/dev/null || true
		done <"$BATS_TEST_TMPDIR/.pids"
	fi
	for root in "$BATS_TEST_TMPDIR"/rt-*/root "$BATS_TEST_TMPDIR"/extra-root-*; do
		[ -d "$root" ] || continue
		for id in $("$RUNC" --root "$root" list -q 2>/dev/null); do
			"$RUNC" --root "$root" delete -f "$id" >/dev/null 2>&1 || true
		done
	done
	umount_under "$BATS_TEST_TMPDIR"
	return 0
}

# -------------------------------------------------------------------- crun --

# crun_cgroups_bind DIR: make this host's cgroups usable by $CRUN.  crun 1.x
# refuses a v1/v2 hybrid whose v2 hierarchy holds a controller ("cgroups in
# hybrid mode not supported"); Debian's hybrid leaves hugetlb there.  A
# controller that no cgroup below the v2 root uses can be bound to a v1
# hierarchy of its own (DIR/<controller>): crun and runc then see it on v1, as
# on a pure v1 node.  Prints each mount made (none when crun runs as it is);
# fails, with crun's reason on stderr, when crun cannot run here either way.
# Needs root.  crun_cgroups_unbind puts the controllers back.
crun_cgroups_bind() {
	local dir="$1" u=/sys/fs/cgroup/unified c err="$1/probe.err"
	[ -n "${CRUN:-}" ] && [ -x "$CRUN" ] || { echo "crun is not installed" >&2; return 1; }
	mkdir -p "$dir"
	make_bundle "$dir/probe" /bin/true
	_crun_probe() {
		"$CRUN" --root "$dir/probe.root" run --bundle "$dir/probe" "probe$1-$$" \
			</dev/null >/dev/null 2>"$err"
	}
	_crun_probe 1 && return 0
	# cgroupfs files report no size: read them
	if ! grep -q 'hybrid mode' "$err" || [ -z "$(cat "$u/cgroup.controllers" 2>/dev/null)" ] ||
		[ -n "$(tr -d ' \n' <"$u/cgroup.subtree_control")" ]; then
		echo "crun cannot run here: $(head -c 300 "$err")" >&2
		return 1
	fi
	for c in $(cat "$u/cgroup.controllers"); do
		mkdir -p "$dir/$c"
		mount -t cgroup -o "$c" cgroup "$dir/$c" || {
			echo "crun: could not bind cgroup controller $c to v1" >&2
			return 1
		}
		echo "$dir/$c"
	done
	_crun_probe 2 || {
		echo "crun cannot run here: $(head -c 300 "$err")" >&2
		return 1
	}
}

# crun_cgroups_unbind MOUNT...: unmount what crun_cgroups_bind mounted and wait
# until each controller is back on v2.  A v1 hierarchy that still had a (dying)
# child cgroup when it was unmounted lives on with no mount at all; mounting it
# again and unmounting once the child is gone ends it.  The kernel ends a
# hierarchy asynchronously, so look for a while before mounting again.
crun_cgroups_unbind() {
	local m c try rc=0
	for m in "$@"; do
		c="$(basename "$m")"
		umount "$m" 2>/dev/null || true
		for ((try = 1; try <= 40; try++)); do
			sleep 0.1
			[ "$(awk -v c="$c" '$1 == c { print $2 }' /proc/cgroups)" = 0 ] && continue 2
			((try % 10 == 0)) || continue
			mount -t cgroup -o "$c" cgroup "$m" 2>/dev/null && umount "$m" 2>/dev/null
		done
		echo "cgroup controller $c is still on a v1 hierarchy" >&2
		rc=1
	done
	return $rc
}

# ------------------------------------------------------------------ tools --

# build_tool [--static] NAME: compile integration/tools/NAME.c into the cache,
# print its path.  --static for tools that run inside the busybox rootfs.
build_tool() {
	local flags=() suffix=""
	if [ "$1" = --static ]; then
		flags=(-static) suffix=.static
		shift
	fi
	local src="$INTEGRATION_DIR/tools/$1.c" bin="$TEST_CACHE/tools/$1$suffix"
	command -v cc >/dev/null || skip "no C compiler (cc) to build $1"
	mkdir -p "$TEST_CACHE/tools"
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		cc "${flags[@]}" -O2 -Wall -Wextra -Werror -o "$bin.tmp.$$" "$src" &&
			mv "$bin.tmp.$$" "$bin"
	fi
	echo "$bin"
}

# assert_log_error_line FILE LINES_BEFORE: FILE gained exactly one line, a JSON
# object with level "error", msg "hardrun: ..." and an RFC3339 time.
assert_log_error_line() {
	local file="$1" before="$2" after line
	[ -f "$file" ] || { echo "no log file $file"; return 1; }
	after="$(wc -l <"$file")"
	if [ "$after" != $((before + 1)) ]; then
		echo "log $file: expected $((before + 1)) lines, got $after:"
		cat "$file"
		return 1
	fi
	line="$(tail -n 1 "$file")"
	echo "log line: $line"
	jq -e '
		type == "object"
		and .level == "error"
		and (.msg | type == "string" and startswith("hardrun: ") and length > 9)
		and (.time | type == "string"
			and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"))
		' <<<"$line" >/dev/null
}

# ------------------------------------------------------------------ images --

IMAGE_NAME="localhost/busybox-hardrun:latest"

# ensure_oci_image: an OCI image layout tarball of the busybox rootfs, built
# offline (one uncompressed layer), at $TEST_CACHE/busybox-oci.tar.  Prints it.
ensure_oci_image() {
	ensure_rootfs
	local out="$TEST_CACHE/busybox-oci.tar"
	(
		flock 9
		# up to date: newer than the rootfs, and made for this IMAGE_NAME
		[ -s "$out" ] && [ "$out" -nt "$ROOTFS_TAR" ] &&
			[ "$(tar -xOf "$out" index.json 2>/dev/null |
				jq -r '.manifests[0].annotations["io.containerd.image.name"]')" = "$IMAGE_NAME" ] &&
			exit 0
		local w arch layer_sum layer_size cfg cfg_sum man man_sum
		w="$(mktemp -d "$TEST_CACHE/oci.XXXXXX")"
		arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
		mkdir -p "$w/blobs/sha256"
		layer_sum="$(sha256sum "$ROOTFS_TAR" | cut -d' ' -f1)"
		layer_size="$(stat -c %s "$ROOTFS_TAR")"
		cp "$ROOTFS_TAR" "$w/blobs/sha256/$layer_sum"
		cfg="$(jq -cn --arg arch "$arch" --arg diff "sha256:$layer_sum" '{
			architecture: $arch, os: "linux",
			config: {Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"], WorkingDir: "/"},
			rootfs: {type: "layers", diff_ids: [$diff]},
			history: [{created_by: "hardrun integration tests (busybox-static)"}]}')"
		printf '%s' "$cfg" >"$w/cfg"
		cfg_sum="$(sha256sum "$w/cfg" | cut -d' ' -f1)"
		mv "$w/cfg" "$w/blobs/sha256/$cfg_sum"
		man="$(jq -cn --arg c "sha256:$cfg_sum" --argjson cs "${#cfg}" \
			--arg l "sha256:$layer_sum" --argjson ls "$layer_size" '{
			schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
			config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
			layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}')"
		printf '%s' "$man" >"$w/man"
		man_sum="$(sha256sum "$w/man" | cut -d' ' -f1)"
		mv "$w/man" "$w/blobs/sha256/$man_sum"
		jq -cn --arg m "sha256:$man_sum" --argjson ms "${#man}" --arg arch "$arch" \
			--arg name "$IMAGE_NAME" '{
			schemaVersion: 2,
			manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
				digest: $m, size: $ms, platform: {architecture: $arch, os: "linux"},
				annotations: {"io.containerd.image.name": $name,
					"org.opencontainers.image.ref.name": "latest"}}]}' >"$w/index.json"
		echo '{"imageLayoutVersion":"1.0.0"}' >"$w/oci-layout"
		tar --numeric-owner -C "$w" -cf "$out.tmp" oci-layout index.json blobs
		mv "$out.tmp" "$out"
		rm -rf "$w"
	) 9>"$TEST_CACHE/.oci.lock" || return 1
	echo "$out"
}

# umount_under DIR: unmount everything mounted below DIR (deepest first).
umount_under() {
	local m
	awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

# -------------------------------------------------------------- containerd --

# containerd_available: containerd, ctr and the runc v2 shim are installed.
containerd_available() {
	local c
	for c in containerd ctr containerd-shim-runc-v2; do
		command -v "$c" >/dev/null || return 1
	done
}

# containerd_start: a private containerd for the suite (call from setup_file):
# temp root and state, own socket $CT_SOCK, namespace $CT_NS, the offline
# busybox image ($IMAGE_NAME) imported.  containerd -> shim -> runtime inherit
# the environment from here, so HARDRUN_CONFIG is fixed now: it is
# $NODE_CONFIG_FILE, and tests change the node config by rewriting that file
# (node_config does).  Exports CT, CT_SOCK, CT_NS, NODE_CONFIG_FILE.
containerd_start() {
	containerd_available || skip "containerd, ctr or containerd-shim-runc-v2 is not installed"
	export CT="$BATS_FILE_TMPDIR/ctrd"
	export CT_SOCK="$CT/containerd.sock"
	export CT_NS="hardrun-test-$$"
	mkdir -p "$CT"
	export NODE_CONFIG_FILE="$BATS_FILE_TMPDIR/hardrun/config.json"
	node_config
	cat >"$CT/config.toml" <<-EOT
		version = 2
		root = "$CT/root"
		state = "$CT/state"
		disabled_plugins = [
		  "io.containerd.grpc.v1.cri",
		  "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.tracing.processor.v1.otlp",
		  "io.containerd.internal.v1.tracing",
		]
		[grpc]
		  address = "$CT_SOCK"
		[ttrpc]
		  address = "$CT_SOCK.ttrpc"
		[debug]
		  address = ""
		  level = "info"
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CT/opt"
	EOT
	containerd --config "$CT/config.toml" </dev/null >"$CT/containerd.log" 2>&1 3>&- &
	echo $! >"$CT/containerd.pid"
	local i
	for i in $(seq 1 200); do
		ctr -a "$CT_SOCK" version >/dev/null 2>&1 && break
		kill -0 "$(cat "$CT/containerd.pid")" 2>/dev/null || break
		sleep 0.05
	done
	if ! ctr -a "$CT_SOCK" version >/dev/null 2>&1; then
		cat "$CT/containerd.log" >&3
		echo "# containerd did not start" >&3
		return 1
	fi
	local image
	image="$(ensure_oci_image)"
	ctrd images import "$image" >"$CT/import.log" 2>&1 || {
		cat "$CT/import.log" "$CT/containerd.log" >&3
		return 1
	}
}

# containerd_stop: undo containerd_start (call from teardown_file): tasks and
# containers removed, containerd and our shims killed by pid, mounts and the
# namespace's parent cgroups gone.
containerd_stop() {
	[ -n "${CT:-}" ] && [ -f "$CT/containerd.pid" ] || return 0
	local id pid
	for id in $(ctrd tasks ls -q 2>/dev/null); do
		ctrd_remove "$id"
	done
	for id in $(ctrd containers ls -q 2>/dev/null); do
		ctrd containers delete "$id" >/dev/null 2>&1 || true
	done
	pid="$(cat "$CT/containerd.pid")"
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	# shims outlive containerd: kill ours by their recorded pids
	for pid in $(cat "$CT"/state/io.containerd.runtime.v2.task/*/*/shim.pid 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	umount_under "$CT"
	# the (now empty) parent cgroups runc made for /<namespace>/<id>
	find /sys/fs/cgroup -maxdepth 4 -type d -name "$CT_NS" -exec rmdir {} + 2>/dev/null || true
}

# ctrd ARGS...: ctr against the private containerd, in the suite's namespace.
ctrd() {
	ctr -a "$CT_SOCK" -n "$CT_NS" "$@"
}

# ctrd_run_opts: the `ctr run` flags that make the shim use $HARDRUN.
ctrd_run_opts() {
	echo --runc-binary "$HARDRUN" --runc-root "$BATS_FILE_TMPDIR/runc-root"
}

# ctrd_bundle ID: the bundle directory (config.json) of ctr container ID.
ctrd_bundle() {
	echo "$CT/state/io.containerd.runtime.v2.task/$CT_NS/$1"
}

# ctrd_remove ID: kill and delete task and container ID, whatever state they are in.
ctrd_remove() {
	ctrd tasks kill -s KILL "$1" >/dev/null 2>&1 || true
	ctrd tasks delete -f "$1" >/dev/null 2>&1 || true
	ctrd containers delete "$1" >/dev/null 2>&1 || true
}

# ------------------------------------------------------------ capabilities --

# The capability numbers of <linux/capability.h>, by name.
CAP_NAMES=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL
	CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE
	CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE
	CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT
	CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE
	CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG
	CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF
	CAP_CHECKPOINT_RESTORE)

# cap_mask NAME...: the mask of the named capabilities as /proc/PID/status
# prints it (16 hex digits).  An unknown name is an error.
cap_mask() {
	local m=0 n i found
	for n in "$@"; do
		found=0
		for i in "${!CAP_NAMES[@]}"; do
			if [ "${CAP_NAMES[$i]}" = "$n" ]; then
				m=$((m | (1 << i)))
				found=1
			fi
		done
		[ $found = 1 ] || { echo "cap_mask: unknown capability $n" >&2; return 1; }
	done
	printf '%016x\n' "$m"
}

# status_field NAME [FILE]: the value of NAME in a /proc/PID/status text
# (FILE, default stdin).
status_field() {
	awk -v k="$1:" '$1 == k { print $2; exit }' "${2:-/dev/stdin}"
}
