#!/usr/bin/python3
"""Stands in for a builder image's interpreter when the container drivers run
on the host: records every command line, and plays pip, venv and the import probe.

- `-m venv --without-pip DIR`: creates DIR/bin/python (a copy of this file).
- `-m pip [--python ENV] wheel ... --wheel-dir DIR -- SDIST`: writes the wheels
  named in FAKE_WHEELS (comma-separated; empty but valid zips) into DIR,
  fetches FAKE_FETCH through the proxy the environment names (as a build
  that downloads would), and exits with FAKE_WHEEL_EXIT (default 0).
- `-m pip [--python ENV] install ...`: exits with FAKE_INSTALL_EXIT (default 0).
- `-c PROBE SITE MODULE`: exits 1 when MODULE is in FAKE_FAIL_IMPORT.
Each call appends {"argv": [...], "env": {...}} to FAKE_LOG.
"""
import json
import os
import shutil
import sys
import urllib.request
import zipfile

args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    env = {k: os.environ.get(k) for k in ("PYTHONPATH", "FARM_STEP", "HTTP_PROXY", "https_proxy")}
    log.write(json.dumps({"argv": args, "env": env}) + "\n")

if args[:2] == ["-m", "venv"]:
    target = os.path.join(args[-1], "bin")
    os.makedirs(target, exist_ok=True)
    shutil.copy(__file__, os.path.join(target, "python"))
    sys.exit(0)
pip = args[2:]
if args[:2] == ["-m", "pip"] and pip[:1] == ["--python"]:
    pip = pip[2:]
if args[:2] == ["-m", "pip"] and pip[:1] == ["wheel"]:
    out = args[args.index("--wheel-dir") + 1]
    for name in filter(None, os.environ.get("FAKE_WHEELS", "").split(",")):
        with zipfile.ZipFile(os.path.join(out, name), "w") as zf:
            zf.writestr("README", "fake wheel\n")
    if os.environ.get("FAKE_FETCH"):
        try:
            urllib.request.urlopen(os.environ["FAKE_FETCH"], timeout=10)
        except Exception as e:
            print("error: %s" % e)
    sys.exit(int(os.environ.get("FAKE_WHEEL_EXIT", "0")))
if args[:2] == ["-m", "pip"] and pip[:1] == ["install"]:
    sys.exit(int(os.environ.get("FAKE_INSTALL_EXIT", "0")))
if args[:1] == ["-c"]:
    sys.exit(1 if args[3] in os.environ.get("FAKE_FAIL_IMPORT", "").split(",") else 0)
sys.exit(0)
