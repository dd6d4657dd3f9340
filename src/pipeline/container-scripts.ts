/**
 * The two fixed Python programs farm runs inside builder containers. They
 * are constants: package names, URLs and commands reach them only through a
 * JSON file and argv, never by being pasted into code or a shell string.
 * Standard library only, Python ≥ 3.8 (every supported builder image).
 */

/**
 * Build driver. Reads `/in/farm/build.json` (see `BuildDriverConfig`), runs
 * the recipe's setup steps (root steps as root, the rest as the build user),
 * then `pip wheel --no-deps` of the sdist with build isolation, then
 * `auditwheel repair` when the image has auditwheel and the wheel is not pure,
 * and writes `/out/result.json`. Exits with the failing step's status.
 */
export const BUILD_DRIVER = String.raw`
import json, os, shutil, subprocess, sys

cfg = json.load(open(sys.argv[1]))
uid, gid = cfg["uid"], cfg["gid"]
env = dict(os.environ)
env.update(cfg["env"])
if cfg["pathPrepend"]:
    env["PATH"] = os.pathsep.join(cfg["pathPrepend"] + [env.get("PATH", "")])

def say(text):
    print("# farm: " + text, flush=True)

def demote():
    if os.getuid() == 0 and uid != 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)

def run(argv, as_root=False, extra_env=None):
    say("$ " + " ".join(argv))
    step_env = dict(env)
    step_env.update(extra_env or {})
    if as_root and os.getuid() != 0:
        say("this step needs root, but the container runs as uid %d" % os.getuid())
        return 126
    try:
        return subprocess.call(argv, env=step_env, preexec_fn=None if as_root else demote)
    except OSError as e:
        say("cannot run %s: %s" % (argv[0], e))
        return 127

for step in cfg["setup"]:
    code = run(step["argv"], step["asRoot"], step["env"])
    if code != 0:
        say("setup step failed with exit status %d" % code)
        sys.exit(code)

py = cfg["python"]
raw, final = "/out/raw", "/out/final"
for d in (raw, final):
    if not os.path.isdir(d):
        os.makedirs(d)
index = ["--index-url", cfg["indexUrl"]]
for url in cfg["extraIndexUrls"]:
    index += ["--extra-index-url", url]
wheel_cmd = [py, "-m", "pip", "wheel", "--no-deps", "--progress-bar", "off", "--wheel-dir", raw] + index

if cfg["buildRequires"]:
    # Extra build requirements: build without isolation in an environment
    # that has the sdist's own build requirements plus the recipe's.
    reqs = ["setuptools", "wheel"] + cfg["buildRequires"]
    try:
        import tarfile, tomllib
        with tarfile.open(cfg["sdist"]) as tf:
            member = next(m for m in tf.getmembers() if m.name.count("/") == 1 and m.name.endswith("/pyproject.toml"))
            reqs += tomllib.load(tf.extractfile(member)).get("build-system", {}).get("requires", [])
    except Exception as e:
        say("could not read build-system.requires (%s); using setuptools and wheel" % e)
    code = run([py, "-m", "pip", "install", "--progress-bar", "off", "--target", "/tmp/farm-buildenv"] + index + reqs)
    if code != 0:
        sys.exit(code)
    env["PYTHONPATH"] = "/tmp/farm-buildenv"
    wheel_cmd.append("--no-build-isolation")

code = run(wheel_cmd + [cfg["sdist"]])
if code != 0:
    say("pip wheel failed with exit status %d" % code)
    sys.exit(code)
wheels = [f for f in os.listdir(raw) if f.endswith(".whl")]
if len(wheels) != 1:
    say("expected one wheel from pip wheel, found %r" % wheels)
    sys.exit(3)
built = os.path.join(raw, wheels[0])
repaired = False
if wheels[0].endswith("-none-any.whl"):
    say("pure-Python wheel: nothing to repair")
    shutil.copy(built, final)
elif cfg["repair"] and shutil.which("auditwheel", path=env.get("PATH")):
    code = run(["auditwheel", "repair", "--wheel-dir", final, built])
    if code != 0:
        say("auditwheel repair failed with exit status %d" % code)
        sys.exit(code)
    repaired = True
else:
    say("no auditwheel in this image: keeping the linux_* tag")
    shutil.copy(built, final)
out = [f for f in os.listdir(final) if f.endswith(".whl")]
if len(out) != 1:
    say("expected one wheel in %s, found %r" % (final, out))
    sys.exit(3)
json.dump({"wheel": out[0], "repaired": repaired, "built": wheels[0]}, open("/out/result.json", "w"))
say("built " + out[0])
`;

/** What `BUILD_DRIVER` reads. */
export interface BuildDriverConfig {
  python: string;
  /** Container path of the sdist. */
  sdist: string;
  indexUrl: string;
  extraIndexUrls: string[];
  setup: { argv: string[]; asRoot: boolean; env: Record<string, string> }[];
  env: Record<string, string>;
  pathPrepend: string[];
  buildRequires: string[];
  uid: number;
  gid: number;
  /** Run auditwheel when the image has it. */
  repair: boolean;
}

/**
 * Smoke-test driver. Reads `/in/farm/smoke.json`: installs the new wheel with
 * its dependencies from the repository directory only (`--no-index
 * --find-links`), into a private target directory, then imports each module
 * in a fresh interpreter. Exits non-zero on the first failure.
 */
export const SMOKE_DRIVER = String.raw`
import json, os, subprocess, sys

cfg = json.load(open(sys.argv[1]))
py = cfg["python"]
site = "/tmp/farm-smoke"

def say(text):
    print("# farm: smoke test: " + text, flush=True)

argv = [py, "-m", "pip", "install", "--no-index", "--progress-bar", "off", "--target", site]
for d in cfg["findLinks"]:
    argv += ["--find-links", d]
argv.append(cfg["wheel"])
say("$ " + " ".join(argv))
code = subprocess.call(argv)
if code != 0:
    say("installing the wheel with its dependencies failed with exit status %d" % code)
    sys.exit(code)
probe = "import importlib, sys; sys.path.insert(0, sys.argv[1]); importlib.import_module(sys.argv[2])"
for module in cfg["modules"]:
    code = subprocess.call([py, "-c", probe, site, module], cwd="/tmp")
    if code != 0:
        say("import %s failed" % module)
        sys.exit(code)
    say("import %s: ok" % module)
say("passed")
`;

/** What `SMOKE_DRIVER` reads. */
export interface SmokeDriverConfig {
  python: string;
  /** Container path of the wheel under test. */
  wheel: string;
  findLinks: string[];
  modules: string[];
}
