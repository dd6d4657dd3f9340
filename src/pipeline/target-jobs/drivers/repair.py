"""farm's vendoring driver: makes a wheel self-contained where the builder
image has no auditwheel. Runs in a container of farm's tool image (the
host's native glibc builder image plus patchelf: an x86_64 patchelf edits
ELF files of every architecture), unprivileged, with the network off.

Reads the JSON config named by argv[1] (`RepairDriverConfig` in
container-drivers.ts): the wheel `build.py` built, the shared libraries it
listed in vendor.json (copied out of the build image), and writes the
repaired wheel to `<outDir>/final/` and `<outDir>/repair.json`.

The mechanism is auditwheel's, without its policy tables (farm's rule for
what stays external is `externalLibraries`, applied by build.py):

- each library is copied to `<distribution>.libs/` under a name made unique
  by its content (`libjpeg-1a2b3c4d.so.62`), with that name as its SONAME,
  so two wheels' copies never collide in one process;
- every ELF file of the wheel (and every copied library) that needs one of
  them has the entry rewritten to the new name (`patchelf --replace-needed`),
  and finds the directory through an `$ORIGIN`-relative RPATH;
- `wheel pack` writes the wheel again, RECORD included.

Standard library plus the `wheel` package and patchelf.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys

WORK = "/tmp/farm-repair"


def say(text):
    print("# farm: " + text, flush=True)


def run(argv, capture=False):
    say("$ " + " ".join(argv))
    if capture:
        return subprocess.run(argv, check=True, stdout=subprocess.PIPE).stdout.decode("utf-8").split()
    subprocess.check_call(argv)
    return None


def unique_name(soname, digest):
    """`libjpeg.so.62` -> `libjpeg-1a2b3c4d.so.62` (auditwheel's convention)."""
    stem, dot, rest = soname.partition(".so")
    return "%s-%s.so%s" % (stem, digest[:8], rest) if dot else "%s-%s" % (soname, digest[:8])


def main(cfg):
    out = cfg.get("outDir", "/out")
    final = os.path.join(out, "final")
    os.makedirs(final, exist_ok=True)
    if os.path.isdir(WORK):
        shutil.rmtree(WORK)
    os.makedirs(WORK)
    with open(cfg["vendorJson"]) as f:
        plan = json.load(f)
    run([cfg["python"], "-m", "wheel", "unpack", "--dest", WORK, cfg["wheel"]])
    (root_name,) = os.listdir(WORK)
    root = os.path.join(WORK, root_name)
    distribution = plan["wheel"].split("-")[0]
    libs_dir = os.path.join(root, distribution + ".libs")
    os.makedirs(libs_dir, exist_ok=True)

    renamed = {}
    vendored = []
    for lib in plan["libs"]:
        source = os.path.join(cfg["libsDir"], lib["soname"])
        with open(source, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if digest != lib["sha256"]:
            raise SystemExit("vendor: %s changed since the build listed it" % lib["soname"])
        name = unique_name(lib["soname"], digest)
        dest = os.path.join(libs_dir, name)
        shutil.copyfile(source, dest)
        os.chmod(dest, 0o755)
        run(["patchelf", "--set-soname", name, dest])
        renamed[lib["soname"]] = name
        entry = {"soname": lib["soname"], "path": "%s.libs/%s" % (distribution, name), "sha256": digest}
        if lib.get("package"):
            entry["package"] = lib["package"]
        vendored.append(entry)

    targets = [os.path.join(root, e) for e in plan["elfs"]] + [os.path.join(libs_dir, n) for n in renamed.values()]
    for path in targets:
        needed = run(["patchelf", "--print-needed", path], capture=True)
        for old in needed:
            if old in renamed:
                run(["patchelf", "--replace-needed", old, renamed[old], path])
        rel = os.path.relpath(libs_dir, os.path.dirname(path))
        rpath = "$ORIGIN" if rel == "." else "$ORIGIN/" + rel
        run(["patchelf", "--force-rpath", "--set-rpath", rpath, path])

    run([cfg["python"], "-m", "wheel", "pack", "--dest-dir", final, root])
    wheels = [f for f in os.listdir(final) if f.endswith(".whl")]
    if len(wheels) != 1:
        raise SystemExit("vendor: expected one repaired wheel, found %r" % wheels)
    with open(os.path.join(out, "repair.json"), "w") as f:
        json.dump({"wheel": wheels[0], "vendored": vendored}, f)
    say("vendored %s into %s" % (", ".join(sorted(renamed)), wheels[0]))
    return 0


if __name__ == "__main__":
    with open(sys.argv[1]) as config:
        sys.exit(main(json.load(config)))
