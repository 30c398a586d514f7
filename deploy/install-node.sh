#!/bin/sh
# install-node.sh — install hardrun on a node and register it as a containerd
# runtime handler ("hardrun"), or take it out again.
#
# Why a POSIX sh script and not a C subcommand of hardrun: the work is editing TOML
# files, running `containerd config dump`, `diff`, `systemctl` and `kubectl` — glue
# between host tools, which sh does in a few lines and C would do in a few hundred
# (plus a TOML parser we do not otherwise need in a runtime that sits on every
# container start).  It must also run before the binary is on the host (it is what
# puts it there), from the DaemonSet image through nsenter and by hand, and it must be
# readable by the admin who runs it as root.  It depends only on sh, awk, sed, grep,
# cmp, diff (optional, for --dry-run), and containerd itself.
#
# Safety model: the containerd config is never trusted to merge the way we hope.
#   * containerd 1.x `imports` replace a whole plugin table, so on 1.x (and on 2.x
#     without an imports directory) the handler is appended to the main config file
#     between marker comments, after a one-time backup (<file>.hardrun-backup).
#   * containerd 2.x with an imports glob: a drop-in file is written there.
#   * Before anything is written, the candidate config is dumped with
#     `containerd --config <file> config dump` and compared with the dump of the
#     config without hardrun: the only difference allowed is the new handler table,
#     which must equal the runc handler (every option, SystemdCgroup above all) except
#     BinaryName and the annotation pass-through lists.  Same check after writing; on
#     failure the previous file is put back.
#   * containerd is restarted only when a config file changed.
#
# Usage: install-node.sh [install|uninstall|verify] [options]   (--help for options)
set -eu

PROG=install-node.sh
HANDLER=hardrun
ANNOT='*.hardrun.io/*'
LABEL_KEY=hardrun.io/installed
MARK_BEGIN='# >>> hardrun runtime handler (managed by install-node.sh; remove with: install-node.sh uninstall)'
MARK_END='# <<< hardrun runtime handler'

usage() {
	cat <<EOF
usage: $PROG [install|uninstall|verify] [options]

  install     copy binary + profiles, add the "$HANDLER" containerd handler (default)
  uninstall   remove the handler, keep the binary as a pass-through (defaultMode off)
  verify      check that the effective containerd config has a correct handler

options (every path is also taken from the environment variable shown):
  --root DIR          prefix for every host path, for tests/chroots   (HARDRUN_ROOT, "")
  --source DIR        dir holding hardrun, profiles/, deploy/config.json (HARDRUN_SOURCE)
  --binary FILE       hardrun binary to install          (HARDRUN_BINARY, SOURCE/hardrun)
  --bin-path PATH     install path = BinaryName  (HARDRUN_BIN_PATH, /usr/local/bin/hardrun)
  --layout NAME       plain|k3s|rke2|k0s|microk8s         (HARDRUN_LAYOUT, detected)
  --config FILE       main containerd config, host path         (HARDRUN_CONTAINERD_CONFIG)
  --containerd CMD    containerd command                   (HARDRUN_CONTAINERD, detected)
  --clone-from NAME   handler whose options are copied      (HARDRUN_CLONE_FROM, runc)
  --restart-cmd CMD   command that restarts containerd     (HARDRUN_RESTART_CMD, per layout)
  --no-restart        never restart containerd (print what would be needed)
  --node-name NAME    node to label $LABEL_KEY=true            (NODE_NAME)
  --kubectl CMD       kubectl command                          (HARDRUN_KUBECTL, kubectl)
  --no-label          do not label the node
  --dry-run           print the diff of every change, change nothing
  -q, --quiet         only errors
EOF
}

# ---------------------------------------------------------------- messages --------
say() { [ "$QUIET" = 1 ] || printf '%s\n' "$PROG: $*"; }
warn() { printf '%s\n' "$PROG: warning: $*" >&2; }
die() {
	printf '%s\n' "$PROG: error: $*" >&2
	exit 1
}

# ---------------------------------------------------------------- arguments -------
ACTION=install
ROOT=${HARDRUN_ROOT-}
SOURCE=${HARDRUN_SOURCE-}
BINARY=${HARDRUN_BINARY-}
BIN_PATH=${HARDRUN_BIN_PATH:-/usr/local/bin/hardrun}
LAYOUT=${HARDRUN_LAYOUT-}
CONFIG=${HARDRUN_CONTAINERD_CONFIG-}
CONTAINERD=${HARDRUN_CONTAINERD-}
CLONE_FROM=${HARDRUN_CLONE_FROM:-runc}
RESTART_CMD=${HARDRUN_RESTART_CMD-}
NO_RESTART=0
NODE=${NODE_NAME-}
KUBECTL=${HARDRUN_KUBECTL:-kubectl}
NO_LABEL=0
DRY_RUN=0
QUIET=0

need_arg() { [ $# -ge 2 ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
	case $1 in
	install | uninstall | verify) ACTION=$1 ;;
	--root) need_arg "$@"; ROOT=$2; shift ;;
	--source) need_arg "$@"; SOURCE=$2; shift ;;
	--binary) need_arg "$@"; BINARY=$2; shift ;;
	--bin-path) need_arg "$@"; BIN_PATH=$2; shift ;;
	--layout) need_arg "$@"; LAYOUT=$2; shift ;;
	--config) need_arg "$@"; CONFIG=$2; shift ;;
	--containerd) need_arg "$@"; CONTAINERD=$2; shift ;;
	--clone-from) need_arg "$@"; CLONE_FROM=$2; shift ;;
	--restart-cmd) need_arg "$@"; RESTART_CMD=$2; shift ;;
	--no-restart) NO_RESTART=1 ;;
	--node-name) need_arg "$@"; NODE=$2; shift ;;
	--kubectl) need_arg "$@"; KUBECTL=$2; shift ;;
	--no-label) NO_LABEL=1 ;;
	--dry-run) DRY_RUN=1 ;;
	-q | --quiet) QUIET=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
	shift
done
ROOT=${ROOT%/}
case $CLONE_FROM in *[!A-Za-z0-9_.-]* | '') die "bad --clone-from: $CLONE_FROM" ;; esac
case $BIN_PATH in /*) ;; *) die "--bin-path must be absolute: $BIN_PATH" ;; esac

if [ -z "$SOURCE" ]; then
	SOURCE=$(cd "$(dirname "$0")/.." && pwd)
fi
[ -n "$BINARY" ] || BINARY=$SOURCE/hardrun

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hardrun-install.XXXXXX")
CLEANUP_FILES=
SAVED_DROPIN=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$SAVED_DROPIN" ] && [ -f "$SAVED_DROPIN" ] && [ ! -e "$EDIT" ]; then mv "$SAVED_DROPIN" "$EDIT"; fi
	# shellcheck disable=SC2086 # a list of our own temp paths, no spaces in them
	[ -z "$CLEANUP_FILES" ] || rm -f $CLEANUP_FILES
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CHANGED_CONFIG=0 # a containerd config file changed: restart needed
CHANGED_ANY=0

# ---------------------------------------------------------------- files -----------
# put_file SRC DST MODE: replace DST with SRC atomically (temp + rename) if different.
# With --dry-run print the diff instead.  Returns 0 if DST changed (or would).
put_file() {
	if [ -f "$2" ] && cmp -s "$1" "$2"; then
		return 1
	fi
	CHANGED_ANY=1
	if [ "$DRY_RUN" = 1 ]; then
		show_diff "$2" "$1"
		return 0
	fi
	mkdir -p "$(dirname "$2")"
	put_tmp=$2.hardrun-tmp.$$
	CLEANUP_FILES="$CLEANUP_FILES $put_tmp"
	cp "$1" "$put_tmp"
	chmod "$3" "$put_tmp"
	mv -f "$put_tmp" "$2"
	say "wrote ${2#"$ROOT"}"
	return 0
}

# remove_file DST: delete DST (dry-run: show it).  Returns 0 if removed.
remove_file() {
	[ -e "$1" ] || return 1
	CHANGED_ANY=1
	if [ "$DRY_RUN" = 1 ]; then
		show_diff "$1" /dev/null
		return 0
	fi
	rm -f "$1"
	say "removed ${1#"$ROOT"}"
	return 0
}

show_diff() {
	if [ -f "$1" ] && ! cmp -s "$1" /dev/null; then old=$1; else old=/dev/null; fi
	printf '%s\n' "--- ${1#"$ROOT"} (dry run: would change)"
	if command -v diff >/dev/null 2>&1; then
		diff -u --label "a${1#"$ROOT"}" --label "b${1#"$ROOT"}" "$old" "$2" || true
	else
		sed 's/^/+/' "$2"
	fi
}

# ---------------------------------------------------------------- TOML helpers ----
# The dumps are machine-written (one key per line, table headers on their own
# line), so line-based awk is enough.  tables keep|drop NAME: the tables named NAME
# or NAME.<sub> (all of them / everything else).
tables() {
	awk -v mode="$1" -v name="$2" '
	function hdr(l) { sub(/^[ \t]*\[+[ \t]*/, "", l); sub(/[ \t]*\]+[ \t]*(#.*)?$/, "", l); return l }
	/^[ \t]*\[/ { h = hdr($0); inside = (h == name || index(h, name ".") == 1) }
	{ if ((mode == "keep") == (inside == 1)) print }'
}

# normalize: what must stay equal between two dumps (no blank lines, no imports list:
# containerd writes the config file's own path into it).
normalize() { sed -e '/^[[:space:]]*$/d' -e '/^[[:space:]]*imports[[:space:]]*=/d'; }

# rename_tables FROM TO: rewrite table headers FROM[.x] -> TO[.x], unindent.
rename_tables() {
	awk -v from="$1" -v to="$2" '
	{ sub(/^[ \t]+/, "") }
	/^\[/ { p = index($0, "[" from); if (p == 1) $0 = "[" to substr($0, length(from) + 2) }
	{ print }'
}

drop_handler_keys() {
	sed -E '/^[[:space:]]*(BinaryName|pod_annotations|container_annotations)[[:space:]]*=/d'
}

# strip_block: a file without our marked block.
strip_block() {
	awk -v b="$MARK_BEGIN" -v e="$MARK_END" '
	$0 == b { skip = 1; next }
	$0 == e { skip = 0; next }
	!skip { print }'
}

has_block() { grep -qxF "$MARK_BEGIN" "$1" 2>/dev/null; }

# file_version FILE: the top-level `version = N` of a config (before any table).
file_version() {
	awk '/^[ \t]*\[/ { exit } /^[ \t]*version[ \t]*=/ { v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t#].*/, "", v); print v; exit }' "$1"
}

# imports_glob FILE: the first imports entry ending in *.toml (a drop-in directory).
imports_glob() {
	awk '
	/^[ \t]*\[/ { exit }
	/^[ \t]*imports[ \t]*=/ { on = 1 }
	on { s = s $0; if ($0 ~ /\]/) exit }
	END {
		gsub(/\047/, "\"", s)
		n = split(s, part, "\"")
		for (i = 2; i <= n; i += 2) if (part[i] ~ /\/\*\.toml$/) { print part[i]; exit }
	}' "$1"
}

# ---------------------------------------------------------------- containerd ------
cd_dump() { # cd_dump FILE > dump
	# shellcheck disable=SC2086 # CONTAINERD may be a command with arguments
	# containerd (1.6 at least) resolves relative `imports` against its working
	# directory, which is / for the daemon: dump from there (from --root in tests)
	(cd "${ROOT:-/}" && $CONTAINERD --config "$1" config dump) 2>"$TMP/dump.err" ||
		{ cat "$TMP/dump.err" >&2; return 1; }
}

detect_containerd_version() {
	# shellcheck disable=SC2086
	v=$($CONTAINERD --version 2>/dev/null) || die "cannot run '$CONTAINERD --version' (set --containerd)"
	# "containerd github.com/containerd/containerd 1.6.20~ds1 <rev>" / ".../v2 v2.0.2 <rev>"
	v=$(printf '%s\n' "$v" | awk '{ print $3 }')
	v=${v#v}
	CD_MAJOR=${v%%.*}
	case $CD_MAJOR in '' | *[!0-9]*) die "cannot parse containerd version: $v" ;; esac
	CD_VERSION=$v
	if [ "$CD_MAJOR" -ge 2 ]; then
		DUMP_PREFIX='plugins."io.containerd.cri.v1.runtime".containerd.runtimes'
	else
		DUMP_PREFIX='plugins."io.containerd.grpc.v1.cri".containerd.runtimes'
	fi
}

prefix_for_version() { # config version -> table prefix of the runtimes map
	case $1 in
	3) echo 'plugins."io.containerd.cri.v1.runtime".containerd.runtimes' ;;
	2) echo 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes' ;;
	*) die "containerd config version '${1:-1}' is not supported: migrate it to version 2 (containerd 1.x) or 3 (2.x) first" ;;
	esac
}

# ---------------------------------------------------------------- layouts ---------
# Sets MAIN (config containerd loads), EDIT (file we change), STRATEGY
# (main|dropin|template|k0s), DEFAULT_RESTART, CONTAINERD if unset.
first_existing_cmd() {
	for c in "$@"; do
		if [ -x "$ROOT$c" ]; then
			# run a root-prefixed binary only when there is no root prefix
			[ -z "$ROOT" ] && { echo "$c"; return; }
		fi
	done
	echo containerd
}

detect_layout() {
	if [ -z "$LAYOUT" ]; then
		if [ -n "$CONFIG" ]; then LAYOUT=plain
		elif [ -d "$ROOT/var/lib/rancher/k3s/agent/etc/containerd" ]; then LAYOUT=k3s
		elif [ -d "$ROOT/var/lib/rancher/rke2/agent/etc/containerd" ]; then LAYOUT=rke2
		elif [ -f "$ROOT/etc/k0s/containerd.toml" ]; then LAYOUT=k0s
		elif [ -f "$ROOT/var/snap/microk8s/current/args/containerd-template.toml" ]; then LAYOUT=microk8s
		else LAYOUT=plain
		fi
	fi
	case $LAYOUT in
	plain)
		[ -n "$CONTAINERD" ] || CONTAINERD=containerd
		MAIN=$ROOT${CONFIG:-/etc/containerd/config.toml}
		DEFAULT_RESTART='systemctl restart containerd' ;;
	k3s | rke2)
		d=$ROOT/var/lib/rancher/$LAYOUT/agent/etc/containerd
		if [ "$LAYOUT" = k3s ]; then
			[ -n "$CONTAINERD" ] || CONTAINERD=$(first_existing_cmd /var/lib/rancher/k3s/data/current/bin/containerd)
			DEFAULT_RESTART='systemctl restart k3s 2>/dev/null || systemctl restart k3s-agent'
		else
			[ -n "$CONTAINERD" ] || CONTAINERD=$(first_existing_cmd /var/lib/rancher/rke2/bin/containerd)
			DEFAULT_RESTART='systemctl restart rke2-server 2>/dev/null || systemctl restart rke2-agent'
		fi
		MAIN=$ROOT${CONFIG:-${d#"$ROOT"}/config.toml} ;;
	k0s)
		[ -n "$CONTAINERD" ] || CONTAINERD=$(first_existing_cmd /var/lib/k0s/bin/containerd)
		MAIN=$ROOT${CONFIG:-/etc/k0s/containerd.toml}
		DEFAULT_RESTART='systemctl restart k0sworker 2>/dev/null || systemctl restart k0scontroller' ;;
	microk8s)
		[ -n "$CONTAINERD" ] || CONTAINERD=$(first_existing_cmd /snap/microk8s/current/bin/containerd)
		MAIN=$ROOT${CONFIG:-/var/snap/microk8s/current/args/containerd-template.toml}
		DEFAULT_RESTART='snap restart microk8s.daemon-containerd' ;;
	*) die "unknown layout: $LAYOUT (plain|k3s|rke2|k0s|microk8s)" ;;
	esac
	[ -n "$RESTART_CMD" ] || RESTART_CMD=$DEFAULT_RESTART

	detect_containerd_version

	STRATEGY=main
	EDIT=$MAIN
	case $LAYOUT in
	k3s | rke2)
		# k3s/rke2 regenerate config.toml at every start from config.toml.tmpl
		# (config-v3.toml.tmpl for containerd 2.x) when it exists.
		STRATEGY=template
		if [ "$CD_MAJOR" -ge 2 ]; then EDIT=$(dirname "$MAIN")/config-v3.toml.tmpl
		else EDIT=$(dirname "$MAIN")/config.toml.tmpl; fi
		[ -f "$MAIN" ] || die "${MAIN#"$ROOT"} missing: start $LAYOUT once so it writes its containerd config" ;;
	k0s)
		# k0s merges the CRI tables of /etc/k0s/containerd.d/*.toml itself.
		STRATEGY=k0s
		EDIT=$ROOT/etc/k0s/containerd.d/$HANDLER.toml ;;
	*)
		if [ "$CD_MAJOR" -ge 2 ] && [ -f "$MAIN" ] && [ "$(file_version "$MAIN")" = 3 ]; then
			g=$(imports_glob "$MAIN")
			if [ -n "$g" ]; then
				case $g in /*) g=$ROOT$g ;; *) g=$ROOT/$g ;; esac # relative: to containerd's cwd, /
				STRATEGY=dropin
				EDIT=$(dirname "$g")/$HANDLER.toml
			fi
		fi ;;
	esac
	STATE_DIR=$ROOT/var/lib/hardrun/installer
}

# ---------------------------------------------------------------- handler ---------
# make_handler DUMP FILE_PREFIX > toml: the runc (CLONE_FROM) handler of DUMP renamed
# to HANDLER, BinaryName set, hardrun annotations passed through.
make_handler() {
	tables keep "$DUMP_PREFIX.$CLONE_FROM" <"$1" >"$TMP/clone"
	[ -s "$TMP/clone" ] || die "no '$CLONE_FROM' handler in the effective containerd config (use --clone-from)"
	rename_tables "$DUMP_PREFIX.$CLONE_FROM" "$2.$HANDLER" <"$TMP/clone" | awk \
		-v main="[$2.$HANDLER]" -v opts="[$2.$HANDLER.options]" -v bin="$BIN_PATH" -v ann="$ANNOT" '
	function annot(l,   v) {
		if (index(l, "\"" ann "\"")) return l
		v = l; sub(/^[^=]*=[ \t]*/, "", v)
		if (v ~ /^\[[ \t]*\]$/) sub(/=.*/, "= [\"" ann "\"]", l)
		else sub(/=[ \t]*\[/, "= [\"" ann "\", ", l)
		return l
	}
	# leaving a table: add what it lacked (containerd 2.x omits empty keys)
	function leave() {
		if (cur == main) {
			if (!pod) print "pod_annotations = [\"" ann "\"]"
			if (!ctr) print "container_annotations = [\"" ann "\"]"
		}
		if (cur == opts && !bin_done) print "BinaryName = \"" bin "\""
	}
	/^$/ { next }
	/^\[/ { leave(); if (NR > 1) print ""; cur = $0; if (cur == opts) seen_opts = 1 }
	cur == main && /^pod_annotations[ \t]*=/ { $0 = annot($0); pod = 1 }
	cur == main && /^container_annotations[ \t]*=/ { $0 = annot($0); ctr = 1 }
	cur == opts && /^BinaryName[ \t]*=/ { $0 = "BinaryName = \"" bin "\""; bin_done = 1 }
	{ print }
	END {
		leave()
		if (!seen_opts) { print ""; print opts; print "BinaryName = \"" bin "\"" }
	}'
}

# verify_dump BEFORE AFTER: AFTER = BEFORE + a correct HANDLER table, nothing else.
verify_dump() {
	tables drop "$DUMP_PREFIX.$HANDLER" <"$2" | normalize >"$TMP/v.after"
	normalize <"$1" >"$TMP/v.before"
	if ! cmp -s "$TMP/v.before" "$TMP/v.after"; then
		warn "the new config would change more than the $HANDLER handler:"
		diff -u "$TMP/v.before" "$TMP/v.after" >&2 || true
		return 1
	fi
	tables keep "$DUMP_PREFIX.$HANDLER" <"$2" >"$TMP/v.h"
	if [ ! -s "$TMP/v.h" ]; then
		warn "the $HANDLER handler is missing from the effective config (another file overrides the CRI plugin table?)"
		return 1
	fi
	tables keep "$DUMP_PREFIX.$CLONE_FROM" <"$2" | rename_tables "$DUMP_PREFIX.$CLONE_FROM" "$DUMP_PREFIX.$HANDLER" |
		drop_handler_keys | normalize >"$TMP/v.r"
	rename_tables "$DUMP_PREFIX.$HANDLER" "$DUMP_PREFIX.$HANDLER" <"$TMP/v.h" | drop_handler_keys | normalize >"$TMP/v.hn"
	if ! cmp -s "$TMP/v.r" "$TMP/v.hn"; then
		warn "the $HANDLER handler options differ from $CLONE_FROM's:"
		diff -u "$TMP/v.r" "$TMP/v.hn" >&2 || true
		return 1
	fi
	grep -q "^[[:space:]]*BinaryName = [\"']${BIN_PATH}[\"']" "$TMP/v.h" ||
		{ warn "$HANDLER BinaryName is not $BIN_PATH"; return 1; }
	for k in pod_annotations container_annotations; do
		grep "^[[:space:]]*${k}[[:space:]]*=" "$TMP/v.h" | grep -qF "\"$ANNOT\"" ||
			{ warn "$HANDLER $k lacks \"$ANNOT\""; return 1; }
	done
	return 0
}

# dump_of FILE_CONTENT_PATH DIR VERSION > dump: dump a config text as if it lived in
# DIR (relative imports resolve there).  An empty text dumps as containerd's defaults.
dump_of() {
	dump_in=$2/.hardrun-verify.$$.toml
	CLEANUP_FILES="$CLEANUP_FILES $dump_in"
	mkdir -p "$2" 2>/dev/null || true
	if grep -q '[^[:space:]]' "$1"; then cp "$1" "$dump_in"; else echo "version = $3" >"$dump_in"; fi
	cd_dump "$dump_in"
	dump_rc=$?
	rm -f "$dump_in"
	return $dump_rc
}

# ---------------------------------------------------------------- config plan -----
# Computes $TMP/new.edit (the EDIT file's new content; absent = delete EDIT) and, for
# verifiable strategies, checks it.  $1 = install|uninstall.
plan_config() {
	if [ -f "$EDIT" ]; then strip_block <"$EDIT" >"$TMP/base.edit"; else : >"$TMP/base.edit"; fi
	if has_block "$MAIN"; then strip_block <"$MAIN" >"$TMP/base.main"
	elif [ -f "$MAIN" ]; then cp "$MAIN" "$TMP/base.main"; else : >"$TMP/base.main"; fi

	case $STRATEGY in
	dropin) FILE_VERSION=3 ;;
	k0s) FILE_VERSION=$(file_version "$MAIN"); [ -n "$FILE_VERSION" ] || FILE_VERSION=2 ;;
	*)
		FILE_VERSION=$(file_version "$TMP/base.main")
		if [ -z "$FILE_VERSION" ] && ! grep -q '[^[:space:]]' "$TMP/base.main"; then
			FILE_VERSION=$((CD_MAJOR >= 2 ? 3 : 2))
		fi ;;
	esac
	FILE_PREFIX=$(prefix_for_version "$FILE_VERSION")
	case $STRATEGY in main | template) own_check="$TMP/base.edit $TMP/base.main" ;; *) own_check=$TMP/base.main ;; esac
	# shellcheck disable=SC2086
	if grep -Eq "runtimes\.\"?$HANDLER\"?[].]" $own_check; then
		die "a '$HANDLER' handler is already configured outside the hardrun block of ${EDIT#"$ROOT"}: remove it first"
	fi

	# the effective config without hardrun
	if [ "$STRATEGY" = dropin ] || [ "$STRATEGY" = k0s ]; then
		if [ -f "$MAIN" ]; then cd_dump "$MAIN" >"$TMP/dump.cur" || die "containerd cannot parse ${MAIN#"$ROOT"}"
		else die "${MAIN#"$ROOT"} does not exist"; fi
		tables drop "$DUMP_PREFIX.$HANDLER" <"$TMP/dump.cur" >"$TMP/dump.before"
	else
		dump_of "$TMP/base.main" "$(dirname "$MAIN")" "$FILE_VERSION" >"$TMP/dump.before" ||
			die "containerd cannot parse ${MAIN#"$ROOT"} (without the hardrun block)"
	fi

	if [ "$1" = uninstall ]; then
		cp "$TMP/base.edit" "$TMP/new.edit"
		[ -f "$EDIT" ] || rm -f "$TMP/new.edit"
		if [ "$STRATEGY" = dropin ] || [ "$STRATEGY" = k0s ] || { [ -f "$STATE_DIR/created$(echo "${EDIT#"$ROOT"}" | tr / _)" ] &&
			! grep -q '[^[:space:]]' "$TMP/base.edit"; } ||
			{ [ "$STRATEGY" = template ] && [ -f "$STATE_DIR/created$(echo "${EDIT#"$ROOT"}" | tr / _)" ] &&
				[ "$(cat "$TMP/base.edit")" = '{{ template "base" . }}' ]; }; then
			rm -f "$TMP/new.edit" # we created the file: take it away
		fi
		return 0
	fi

	# the handler block: cloned options, plus a copy of the runc handler when the
	# files do not define it (a config that defines any runtimes.X table replaces
	# containerd's default runtimes map, which would lose the built-in runc).
	make_handler "$TMP/dump.before" "$FILE_PREFIX" >"$TMP/handler"
	if [ "$STRATEGY" != dropin ] && [ "$STRATEGY" != k0s ] &&
		! grep -Eq "runtimes\.\"?$CLONE_FROM\"?[].]" "$TMP/base.main" &&
		! grep -Eq "runtimes\.\"?$CLONE_FROM\"?[].]" "$TMP/base.edit"; then
		tables keep "$DUMP_PREFIX.$CLONE_FROM" <"$TMP/dump.before" |
			rename_tables "$DUMP_PREFIX.$CLONE_FROM" "$FILE_PREFIX.$CLONE_FROM" |
			awk '/^$/ { next } /^\[/ { print "" } { print }' >"$TMP/runc.copy"
		{
			echo "# copy of the built-in '$CLONE_FROM' handler, which a config defining any runtime replaces"
			cat "$TMP/runc.copy"
		} >>"$TMP/handler"
	fi

	{
		case $STRATEGY in
		main | template)
			if [ "$STRATEGY" = template ] && ! grep -q '[^[:space:]]' "$TMP/base.edit"; then
				echo '{{ template "base" . }}'
			else
				cat "$TMP/base.edit"
			fi
			echo "$MARK_BEGIN"
			grep -q '[^[:space:]]' "$TMP/base.edit" || [ "$STRATEGY" = template ] || echo "version = $FILE_VERSION"
			cat "$TMP/handler"
			echo "$MARK_END" ;;
		dropin | k0s)
			echo "# hardrun runtime handler, written by install-node.sh (remove with: install-node.sh uninstall)"
			[ "$STRATEGY" = k0s ] || echo "version = $FILE_VERSION"
			cat "$TMP/handler" ;;
		esac
	} >"$TMP/new.edit"

	# verify: the config containerd would load after the change
	case $STRATEGY in
	main)
		dump_of "$TMP/new.edit" "$(dirname "$MAIN")" "$FILE_VERSION" >"$TMP/dump.after" ||
			die "containerd cannot parse the new config (not written)" ;;
	template)
		# k3s renders the template; `base` is what config.toml holds now
		{ cat "$TMP/base.main"; echo "$MARK_BEGIN"; cat "$TMP/handler"; echo "$MARK_END"; } >"$TMP/rendered"
		dump_of "$TMP/rendered" "$(dirname "$MAIN")" "$FILE_VERSION" >"$TMP/dump.after" ||
			die "containerd cannot parse the rendered template (not written)" ;;
	dropin)
		# write the drop-in under a temporary name that the imports glob also matches
		dtmp=$(dirname "$EDIT")/hardrun-verify-$$.toml
		CLEANUP_FILES="$CLEANUP_FILES $dtmp"
		mkdir -p "$(dirname "$EDIT")" 2>/dev/null || true
		cp "$TMP/new.edit" "$dtmp"
		# the current drop-in steps aside (same directory, a name the glob skips;
		# cleanup puts it back if we are interrupted)
		SAVED_DROPIN=
		if [ -f "$EDIT" ]; then SAVED_DROPIN=$EDIT.hardrun-saved; mv "$EDIT" "$SAVED_DROPIN"; fi
		drc=0
		cd_dump "$MAIN" >"$TMP/dump.after" || drc=$?
		if [ -n "$SAVED_DROPIN" ]; then mv "$SAVED_DROPIN" "$EDIT"; SAVED_DROPIN=; fi
		rm -f "$dtmp"
		[ $drc = 0 ] || die "containerd cannot parse the config with the drop-in (not written)" ;;
	k0s)
		say "k0s merges ${EDIT#"$ROOT"} into its CRI config at reload: verified after restart"
		return 0 ;;
	esac
	verify_dump "$TMP/dump.before" "$TMP/dump.after" || die "verification failed: nothing written"
}

apply_config() {
	if [ ! -f "$TMP/new.edit" ]; then
		remove_file "$EDIT" && CHANGED_CONFIG=1
		[ "$DRY_RUN" = 1 ] || rm -f "$STATE_DIR/created$(echo "${EDIT#"$ROOT"}" | tr / _)"
		return 0
	fi
	if [ -f "$EDIT" ] && cmp -s "$TMP/new.edit" "$EDIT"; then
		return 0
	fi
	if [ "$DRY_RUN" = 0 ]; then
		mkdir -p "$STATE_DIR"
		if [ -f "$EDIT" ]; then
			cp "$EDIT" "$TMP/previous"
			[ "$STRATEGY" = dropin ] || [ "$STRATEGY" = k0s ] || [ -f "$EDIT.hardrun-backup" ] ||
				cp -p "$EDIT" "$EDIT.hardrun-backup"
		else
			: >"$STATE_DIR/created$(echo "${EDIT#"$ROOT"}" | tr / _)"
		fi
	fi
	mode=644
	[ ! -f "$EDIT" ] || mode=$(stat -c %a "$EDIT" 2>/dev/null || echo 644)
	put_file "$TMP/new.edit" "$EDIT" "$mode" && CHANGED_CONFIG=1
	[ "$DRY_RUN" = 0 ] || return 0

	# check what containerd will really load
	case $STRATEGY in main | dropin)
		if ! cd_dump "$MAIN" >"$TMP/dump.final" || ! post_check "$TMP/dump.final"; then
			if [ -f "$TMP/previous" ]; then cp "$TMP/previous" "$EDIT"; else rm -f "$EDIT"; fi
			die "the written config did not verify: ${EDIT#"$ROOT"} restored"
		fi ;;
	esac
}

# post_check DUMP: for install the verification above, for uninstall "no handler".
post_check() {
	if [ "$ACTION" = uninstall ]; then
		[ -z "$(tables keep "$DUMP_PREFIX.$HANDLER" <"$1")" ] || { warn "$HANDLER still in the config"; return 1; }
		tables drop "$DUMP_PREFIX.$HANDLER" <"$TMP/dump.before" | normalize >"$TMP/pc.b"
		normalize <"$1" >"$TMP/pc.a"
		cmp -s "$TMP/pc.b" "$TMP/pc.a" || { diff -u "$TMP/pc.b" "$TMP/pc.a" >&2 || true; return 1; }
		return 0
	fi
	verify_dump "$TMP/dump.before" "$1"
}

# ---------------------------------------------------------------- files -----------
install_files() {
	[ -f "$BINARY" ] || die "no hardrun binary at $BINARY (set --binary or --source)"
	put_file "$BINARY" "$ROOT$BIN_PATH" 755 || true
	# the lean per-container monitor, found next to hardrun (else `hardrun monitor` serves)
	mon=$(dirname "$BINARY")/hardrun-monitor
	[ ! -f "$mon" ] || put_file "$mon" "$ROOT$(dirname "$BIN_PATH")/hardrun-monitor" 755 || true
	if [ -d "$SOURCE/profiles" ]; then
		for p in "$SOURCE"/profiles/*.json; do
			[ -f "$p" ] || continue
			put_file "$p" "$ROOT/usr/share/hardrun/profiles/$(basename "$p")" 644 || true
		done
	fi
	mkdir -p "$TMP/etc"
	nc=$ROOT/etc/hardrun/config.json
	if [ -f "$nc.hardrun-before-uninstall" ] && grep -q '"defaultMode": "off"' "$nc" 2>/dev/null &&
		[ "$(wc -l <"$nc")" -le 5 ]; then
		# reinstall after uninstall: put the admin's config back in place of the pass-through
		put_file "$nc.hardrun-before-uninstall" "$nc" 644 || true
		[ "$DRY_RUN" = 1 ] || rm -f "$nc.hardrun-before-uninstall"
	elif [ ! -e "$nc" ]; then
		if [ -f "$SOURCE/deploy/config.json" ]; then cp "$SOURCE/deploy/config.json" "$TMP/etc/config.json"
		else default_node_config enforce >"$TMP/etc/config.json"; fi
		put_file "$TMP/etc/config.json" "$ROOT/etc/hardrun/config.json" 644 || true
	fi
}

# smoke_test: the installed binary runs on this host (libraries, architecture)
# before containerd is pointed at it.  `--version` goes straight to the runtime.
smoke_test() {
	[ "$DRY_RUN" = 0 ] || return 0
	if ! out=$(HARDRUN_CONFIG=$ROOT/etc/hardrun/config.json "$ROOT$BIN_PATH" --version 2>&1); then
		printf '%s\n' "$out" >&2
		die "the installed $BIN_PATH does not run here (missing libraries? build it statically): containerd config not changed"
	fi
}

default_node_config() {
	cat <<EOF
{
  "runtime": "/usr/sbin/runc",
  "defaultMode": "$1",
  "defaultProfile": "baseline",
  "allowedProfiles": ["baseline", "restricted"],
  "allowModeOff": false,
  "profileDirs": ["/etc/hardrun/profiles", "/usr/share/hardrun/profiles"],
  "stateDir": "/run/hardrun",
  "recordingsDir": "/var/lib/hardrun/recordings",
  "eventsFile": "/var/log/hardrun/events.jsonl",
  "lsmUnavailable": "skip"
}
EOF
}

# uninstall leaves the binary (running containers' shims still call it for state,
# kill, delete) and makes it a pure pass-through.
passthrough_files() {
	nc=$ROOT/etc/hardrun/config.json
	rt=/usr/sbin/runc
	if [ -f "$nc" ]; then
		r=$(sed -n 's/.*"runtime"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$nc" | head -n 1)
		[ -z "$r" ] || rt=$r
	fi
	printf '{\n  "runtime": "%s",\n  "defaultMode": "off",\n  "allowModeOff": true\n}\n' "$rt" >"$TMP/passthrough.json"
	if [ -f "$nc" ] && ! cmp -s "$nc" "$TMP/passthrough.json" && [ "$DRY_RUN" = 0 ]; then
		cp -p "$nc" "$nc.hardrun-before-uninstall"
	fi
	put_file "$TMP/passthrough.json" "$nc" 644 || true
}

# ---------------------------------------------------------------- restart, label --
restart_containerd() {
	if [ "$CHANGED_CONFIG" = 0 ]; then
		say "containerd config unchanged: no restart"
		return 0
	fi
	if [ "$DRY_RUN" = 1 ]; then
		say "would restart containerd: $RESTART_CMD"
		return 0
	fi
	if [ "$NO_RESTART" = 1 ]; then
		say "containerd config changed: restart containerd to apply it ($RESTART_CMD)"
		return 0
	fi
	say "restarting containerd: $RESTART_CMD"
	sh -c "$RESTART_CMD" || die "restart failed: $RESTART_CMD"
	case $STRATEGY in template | k0s)
		# the generated config exists only now
		[ "$ACTION" = uninstall ] && return 0
		i=0
		while :; do
			if cd_dump "$MAIN" >"$TMP/dump.final" 2>/dev/null && [ -n "$(tables keep "$DUMP_PREFIX.$HANDLER" <"$TMP/dump.final")" ]; then
				break
			fi
			i=$((i + 1))
			[ $i -lt 10 ] || die "$HANDLER handler not in ${MAIN#"$ROOT"} after restart"
			sleep 1
		done
		[ "$STRATEGY" = k0s ] || verify_dump "$TMP/dump.before" "$TMP/dump.final" ||
			die "the regenerated ${MAIN#"$ROOT"} did not verify" ;;
	esac
}

label_node() {
	[ "$NO_LABEL" = 0 ] || return 0
	if [ -z "$NODE" ]; then
		say "no NODE_NAME: node not labelled ($LABEL_KEY)"
		return 0
	fi
	# shellcheck disable=SC2086
	if ! command -v ${KUBECTL%% *} >/dev/null 2>&1; then
		say "no kubectl: node not labelled ($LABEL_KEY)"
		return 0
	fi
	if [ "$ACTION" = install ]; then l="$LABEL_KEY=true"; else l="$LABEL_KEY-"; fi
	if [ "$DRY_RUN" = 1 ]; then
		say "would run: $KUBECTL label node $NODE $l --overwrite"
		return 0
	fi
	# shellcheck disable=SC2086
	$KUBECTL label node "$NODE" "$l" --overwrite >/dev/null || die "kubectl label node $NODE $l failed"
	say "node $NODE labelled $l"
}

# ---------------------------------------------------------------- main ------------
[ "$(id -u)" = 0 ] || [ -n "$ROOT" ] || warn "not root: writes to system paths will fail"
detect_layout
say "layout $LAYOUT, containerd $CD_VERSION, ${EDIT#"$ROOT"} ($STRATEGY)"

case $ACTION in
verify)
	[ -f "$MAIN" ] || die "${MAIN#"$ROOT"} does not exist"
	cd_dump "$MAIN" >"$TMP/dump.cur" || die "containerd cannot parse ${MAIN#"$ROOT"}"
	tables drop "$DUMP_PREFIX.$HANDLER" <"$TMP/dump.cur" >"$TMP/dump.before"
	verify_dump "$TMP/dump.before" "$TMP/dump.cur" || die "the $HANDLER handler is not correctly configured"
	say "ok: $HANDLER handler = $CLONE_FROM options + BinaryName $BIN_PATH"
	exit 0 ;;
install)
	plan_config install # fails before anything is written
	install_files
	smoke_test
	apply_config ;;
uninstall)
	plan_config uninstall
	apply_config
	if [ "$DRY_RUN" = 0 ] && [ "$CHANGED_CONFIG" = 1 ]; then
		case $STRATEGY in main | dropin)
			[ ! -f "$MAIN" ] || { cd_dump "$MAIN" >"$TMP/dump.final" && post_check "$TMP/dump.final"; } ||
				die "after uninstall the effective config is not the one without hardrun" ;;
		esac
	fi
	[ ! -x "$ROOT$BIN_PATH" ] || passthrough_files ;;
esac
restart_containerd
label_node
if [ "$CHANGED_ANY" = 0 ]; then say "nothing to change"; fi
exit 0
