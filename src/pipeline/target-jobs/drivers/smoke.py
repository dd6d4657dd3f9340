"""farm's smoke-test driver: runs inside a fresh builder container.

Reads the JSON config named by argv[1] (`SmokeDriverConfig` in
container-drivers.ts): installs the new wheel with its dependencies from
farm's repository only (its directory with `--no-index --find-links`, or a
remote worker's served index as the only index), into a private target
directory, then imports each module in a fresh interpreter. Exits non-zero
on the first failure. Standard library only, Python >= 3.8.
"""
import json
import subprocess
import sys

SITE = "/tmp/farm-smoke"
PROBE = "import importlib, sys; sys.path.insert(0, sys.argv[1]); importlib.import_module(sys.argv[2])"


def say(text):
    print("# farm: smoke test: " + text, flush=True)


def install_argv(cfg, site=SITE):
    """pip's command line: the wheel plus its dependencies, from farm's repository only."""
    argv = [cfg["python"], "-m", "pip", "install", "--progress-bar", "off", "--target", site]
    indexes = cfg.get("indexUrls") or []
    if not indexes:
        argv.append("--no-index")
    for i, url in enumerate(indexes):
        argv += ["--index-url" if i == 0 else "--extra-index-url", url]
    for d in cfg["findLinks"]:
        argv += ["--find-links", d]
    argv.append(cfg["wheel"])
    return argv


def main(cfg, site=SITE):
    argv = install_argv(cfg, site)
    say("$ " + " ".join(argv))
    code = subprocess.call(argv)
    if code != 0:
        say("installing the wheel with its dependencies failed with exit status %d" % code)
        return code
    for module in cfg["modules"]:
        code = subprocess.call([cfg["python"], "-c", PROBE, site, module], cwd="/tmp")
        if code != 0:
            say("import %s failed" % module)
            return code
        say("import %s: ok" % module)
    say("passed")
    return 0


if __name__ == "__main__":
    with open(sys.argv[1]) as config:
        settings = json.load(config)
    sys.exit(main(settings, settings.get("site", SITE)))
