#!/usr/bin/env python3
"""check-dump.py install|uninstall BEFORE AFTER RUNTIMES_PATH BINARY

Independent of install-node.sh's own checks: parse two `containerd config dump`
outputs (or any TOML) and check that AFTER is BEFORE plus a "hardrun" handler that
equals the runc handler except for BinaryName and the "*.hardrun.io/*" annotation
pass-through (install), or that AFTER equals BEFORE without any hardrun handler
(uninstall).  RUNTIMES_PATH is the table path of the runtimes map, '/'-separated."""
import copy, json, sys, tomllib

ANNOT = "*.hardrun.io/*"
mode, before_f, after_f, path, binary = sys.argv[1:6]
before, after = (tomllib.load(open(f, "rb")) for f in (before_f, after_f))
for d in (before, after):
    d.pop("imports", None)  # containerd lists the config file itself there


def runtimes(d):
    for p in path.split("/"):
        d = d.get(p, {})
    return d


def fail(msg, a=None, b=None):
    print("check-dump: " + msg, file=sys.stderr)
    if a is not None:
        print(" expected: " + json.dumps(a, sort_keys=True), file=sys.stderr)
        print("      got: " + json.dumps(b, sort_keys=True), file=sys.stderr)
    sys.exit(1)


handler = runtimes(after).pop("hardrun", None)
if runtimes(before).get("hardrun") is not None:
    fail("BEFORE already has a hardrun handler")
if before != after:
    keys = sorted(set(before) | set(after))
    diff = [k for k in keys if before.get(k) != after.get(k)]
    fail("the config changed outside the hardrun handler, in: " + ", ".join(diff))
if mode == "uninstall":
    if handler is not None:
        fail("hardrun handler still present")
    sys.exit(0)
if handler is None:
    fail("no hardrun handler")
runc = runtimes(after).get("runc")
if runc is None:
    fail("no runc handler to compare with")
want = copy.deepcopy(runc)
want.setdefault("options", {})["BinaryName"] = binary
for k in ("pod_annotations", "container_annotations"):
    got = handler.get(k, [])
    if ANNOT not in got:
        fail(f"hardrun {k} lacks {ANNOT}: {got}")
    if [a for a in got if a != ANNOT] != [a for a in runc.get(k, []) if a != ANNOT]:
        fail(f"hardrun {k} dropped runc's entries", runc.get(k, []), got)
    want.pop(k, None)
    handler = dict(handler)
    handler.pop(k, None)
if handler != want:
    fail("hardrun handler is not runc's with BinaryName " + binary, want, handler)
