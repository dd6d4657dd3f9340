#!/usr/bin/python3
"""Stands in for a builder image's interpreter when the container drivers run
on the host: records every command line, and plays pip and the import probe.

- `-m pip wheel ... --wheel-dir DIR SDIST`: writes the wheels named in
  FAKE_WHEELS (comma-separated) into DIR, exits with FAKE_WHEEL_EXIT (default 0).
- `-m pip install ...`: exits with FAKE_INSTALL_EXIT (default 0).
- `-c PROBE SITE MODULE`: exits 1 when MODULE is in FAKE_FAIL_IMPORT.
Each call appends {"argv": [...], "env": {PYTHONPATH, FARM_STEP}} to FAKE_LOG.
"""
import json
import os
import sys

args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    env = {k: os.environ.get(k) for k in ("PYTHONPATH", "FARM_STEP")}
    log.write(json.dumps({"argv": args, "env": env}) + "\n")

if args[:3] == ["-m", "pip", "wheel"]:
    out = args[args.index("--wheel-dir") + 1]
    for name in filter(None, os.environ.get("FAKE_WHEELS", "").split(",")):
        open(os.path.join(out, name), "wb").close()
    sys.exit(int(os.environ.get("FAKE_WHEEL_EXIT", "0")))
if args[:3] == ["-m", "pip", "install"]:
    sys.exit(int(os.environ.get("FAKE_INSTALL_EXIT", "0")))
if args[:1] == ["-c"]:
    sys.exit(1 if args[3] in os.environ.get("FAKE_FAIL_IMPORT", "").split(",") else 0)
sys.exit(0)
