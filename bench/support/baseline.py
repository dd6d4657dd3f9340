"""The hand-made baseline of bench/build.ts, run as root inside one container
per target: install every system package the set needs (when there are any),
then `pip wheel -r` the whole set, the way one would by hand. Build
dependencies are compiled inside each isolated build, as pip does.

argv[1]: JSON {"python", "packages": [...], "pip": [pip wheel arguments]}.
"""
import json
import os
import subprocess
import sys


def run(argv, env=None):
    print("# baseline: $ " + " ".join(argv), flush=True)
    code = subprocess.call(argv, env=env)
    if code != 0:
        sys.exit(code)


def main():
    cfg = json.loads(sys.argv[1])
    if cfg["packages"]:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run(["apt-get", "update"], env)
        run(["apt-get", "install", "-y", "--no-install-recommends"] + cfg["packages"], env)
    run([cfg["python"], "-m", "pip", "wheel"] + cfg["pip"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
