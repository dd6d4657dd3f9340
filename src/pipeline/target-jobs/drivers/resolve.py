"""farm's resolve driver: runs inside a builder container of the target, with
the network on (it reads the upstream index).

Reads the JSON config named by argv[1] (`ResolveDriverConfig` in
container-drivers.ts) and writes `<outDir>/resolve.json`:

1. Each requirement set of the config is resolved by pip (`install --dry-run
   --ignore-installed --report`): first without build isolation (sdist
   metadata from the image's setuptools: fast, above all under qemu), then,
   when that fails, with it.
2. Every sdist in the reports that the config does not list as known is
   downloaded (sha256 checked against the index) into `<outDir>/sdists/`,
   and its build requirements are found the way a PEP 517 frontend finds
   them: `build-system.requires` from pyproject.toml (PEP 518's defaults when
   there is none), then the backend's `get_requires_for_build_wheel` hook,
   run with the real backend in a fresh environment that holds those static
   requirements that exist as wheels.

Requirement strings from sdists reach pip only after they parsed as PEP 508
requirements, and always after `--`, so an entry such as `--index-url=…`
can never become a pip option. Standard library (and pip's vendored
packaging) only, Python >= 3.8.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import zipfile

# PEP 518: what a project without [build-system] builds with (pip's choice too).
DEFAULT_REQUIRES = ["setuptools>=40.8.0"]
DEFAULT_BACKEND = "setuptools.build_meta:__legacy__"
SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")


def say(text):
    print("# farm: " + text, flush=True)


def normalize(name):
    """PEP 503: how farm keys projects."""
    return re.sub(r"[-_.]+", "-", name).lower()


def load_toml(data):
    try:
        import tomllib
    except ImportError:  # Python < 3.11: pip's vendored copy
        from pip._vendor import tomli as tomllib
    return tomllib.loads(data.decode("utf-8"))


def parse_requirement(text):
    """The canonical form of a PEP 508 requirement, or raises ValueError naming what is wrong."""
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement

    if not isinstance(text, str):
        raise ValueError("%r is not a string" % (text,))
    try:
        req = Requirement(text)
    except InvalidRequirement as e:
        raise ValueError("'%s' is not a PEP 508 requirement (%s)" % (text, str(e).splitlines()[0]))
    if req.url:
        raise ValueError("'%s' is a direct reference; farm builds requirements from an index only" % text)
    return str(req)


def safe_extract(archive, dest):
    """Unpacks an sdist, refusing absolute paths, '..', links and special files."""
    def check(name):
        parts = name.replace("\\", "/").split("/")
        if name.startswith("/") or ".." in parts:
            raise ValueError("unsafe path in sdist: %s" % name)

    if archive.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                check(info.filename)
                mode = (info.external_attr >> 16) & 0o170000
                if mode and mode not in (0o100000, 0o040000):
                    raise ValueError("special file in sdist: %s" % info.filename)
            zf.extractall(dest)
        return
    with tarfile.open(archive) as tf:
        members = []
        for m in tf.getmembers():
            check(m.name)
            if m.isdir() or m.isfile():
                m.mode = (m.mode | 0o600) & 0o755
                members.append(m)
            # Links and devices are skipped: a build needs neither to report its requirements.
        tf.extractall(dest, members=members)


def source_root(dest):
    """The sdist's top directory (the one holding pyproject.toml or setup.py)."""
    entries = [os.path.join(dest, e) for e in os.listdir(dest)]
    dirs = [e for e in entries if os.path.isdir(e)]
    for candidate in ([dest] + dirs):
        if os.path.exists(os.path.join(candidate, "pyproject.toml")) or os.path.exists(os.path.join(candidate, "setup.py")):
            return candidate
    raise ValueError("no pyproject.toml or setup.py at the top of the sdist")


class Resolver:
    def __init__(self, cfg):
        self.cfg = cfg
        self.py = cfg["python"]
        self.out = cfg.get("outDir", "/out")
        self.work = cfg.get("workDir", "/tmp/farm-resolve")
        self.known = set(cfg.get("known", []))
        self.envs = {}
        os.makedirs(self.work, exist_ok=True)
        os.makedirs(os.path.join(self.out, "sdists"), exist_ok=True)

    def pip(self, args):
        argv = [self.py, "-m", "pip"] + args
        say("$ " + " ".join(argv))
        return subprocess.call(argv)

    # 1. Resolution -------------------------------------------------------

    def resolve(self, resolution):
        report = os.path.join(self.out, "report-%s.json" % resolution["id"])
        base = ["install", "--dry-run", "--ignore-installed", "--progress-bar", "off", "--report", report]
        base += self.cfg["indexOptions"]
        if resolution.get("onlyBinary"):
            base += ["--only-binary", ",".join(resolution["onlyBinary"])]
        # Its own pip log, which the host reads when it fails: an index that
        # failed pip is a retry, not this set's failure.
        log = "pip-resolve-%s.log" % resolution["id"]
        base = ["--log", os.path.join(self.out, log)] + base
        code = self.pip(base + ["--no-build-isolation"] + resolution["args"])
        isolation = False
        if code != 0:
            say("resolving without build isolation failed; resolving again with build isolation")
            if os.path.exists(report):
                os.remove(report)
            code = self.pip(base + resolution["args"])
            isolation = True
        return {"id": resolution["id"], "exitCode": code, "report": os.path.basename(report) if code == 0 else None, "isolation": isolation, "pipLog": log}

    # 2. Discovery ---------------------------------------------------------

    def sdists_of(self, report_file):
        with open(os.path.join(self.out, report_file)) as f:
            report = json.load(f)
        for item in report.get("install", []):
            info = item.get("download_info") or {}
            url = info.get("url", "")
            filename = url.split("#")[0].split("?")[0].rsplit("/", 1)[-1]
            if not filename.endswith(SDIST_SUFFIXES):
                continue
            archive = info.get("archive_info") or {}
            sha256 = (archive.get("hashes") or {}).get("sha256")
            if sha256 is None and (archive.get("hash") or "").startswith("sha256="):
                sha256 = archive["hash"][len("sha256="):]
            meta = item.get("metadata") or {}
            yield {"name": normalize(meta.get("name") or ""), "version": meta.get("version"), "url": url, "filename": urllib.request.url2pathname(filename), "sha256": sha256}

    def download(self, sdist):
        dest = os.path.join(self.out, "sdists", sdist["filename"])
        say("download " + sdist["url"])
        digest = hashlib.sha256()
        with urllib.request.urlopen(sdist["url"], timeout=300) as response, open(dest, "wb") as f:
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                digest.update(chunk)
                f.write(chunk)
        got = digest.hexdigest()
        if sdist["sha256"] is not None and got != sdist["sha256"].lower():
            os.remove(dest)
            raise ValueError("sha256 mismatch for %s: the index says %s, the file is %s" % (sdist["filename"], sdist["sha256"], got))
        sdist["sha256"] = got
        return dest

    def static_requirements(self, root):
        """(requires, backend, backend-path) from pyproject.toml, with PEP 518's defaults."""
        path = os.path.join(root, "pyproject.toml")
        if not os.path.exists(path):
            return list(DEFAULT_REQUIRES), DEFAULT_BACKEND, []
        with open(path, "rb") as f:
            data = load_toml(f.read())
        table = data.get("build-system")
        if table is None:
            return list(DEFAULT_REQUIRES), DEFAULT_BACKEND, []
        requires = table.get("requires")
        if not isinstance(requires, list):
            raise ValueError("pyproject.toml: build-system.requires must be a list of strings")
        backend = table.get("build-backend") or DEFAULT_BACKEND
        backend_path = table.get("backend-path") or []
        bad = []
        clean = []
        for entry in requires:
            try:
                clean.append(parse_requirement(entry))
            except ValueError as e:
                bad.append(str(e))
        if bad:
            raise ValueError("pyproject.toml: build-system.requires: " + "; ".join(bad))
        return clean, backend, backend_path

    def hook_env(self, requires):
        """A fresh environment with those static requirements that exist as wheels (cached per set)."""
        key = hashlib.sha256("\n".join(sorted(requires)).encode()).hexdigest()[:16]
        if key in self.envs:
            return self.envs[key]
        env_dir = os.path.join(self.work, "env-" + key)
        subprocess.check_call([self.py, "-m", "venv", "--without-pip", env_dir])
        env_py = os.path.join(env_dir, "bin", "python")
        base = ["--python", env_py, "install", "--only-binary", ":all:", "--progress-bar", "off"] + self.cfg["indexOptions"]
        missing = []
        if self.pip(base + ["--"] + requires) != 0:
            # Some requirement has no wheel yet (farm builds it first): install the others one by one.
            # Each with its own pip log, which the host reads: a requirement
            # missing because the index failed is a retry, not a graph fact.
            for i, req in enumerate(requires):
                log = "pip-env-%s-%d.log" % (key, i)
                if self.pip(["--log", os.path.join(self.out, log)] + base + ["--", req]) != 0:
                    missing.append({"requirement": req, "pipLog": log})
        self.envs[key] = (env_py, missing)
        return self.envs[key]

    def run_hook(self, env_py, root, backend, backend_path):
        """The backend's get_requires_for_build_wheel, run with pip's vendored in-process hook runner."""
        control = os.path.join(self.work, "hook-" + hashlib.sha256(root.encode()).hexdigest()[:12])
        os.makedirs(control, exist_ok=True)
        with open(os.path.join(control, "input.json"), "w") as f:
            json.dump({"kwargs": {"config_settings": {}}}, f)
        env = dict(os.environ)
        env["PEP517_BUILD_BACKEND"] = backend
        if backend_path:
            env["PEP517_BACKEND_PATH"] = os.pathsep.join(os.path.normpath(os.path.join(root, p)) for p in backend_path)
        else:
            env.pop("PEP517_BACKEND_PATH", None)
        argv = [env_py, in_process_script(self.work), "get_requires_for_build_wheel", control]
        say("$ " + " ".join(argv) + "  (in " + root + ", backend " + backend + ")")
        code = subprocess.call(argv, cwd=root, env=env)
        out = os.path.join(control, "output.json")
        if code != 0 or not os.path.exists(out):
            raise ValueError("the build backend's get_requires_for_build_wheel failed (exit status %d)" % code)
        with open(out) as f:
            result = json.load(f)
        if result.get("unsupported"):
            return []
        value = result.get("return_val") or []
        if not isinstance(value, list):
            raise ValueError("get_requires_for_build_wheel returned %r, not a list" % (value,))
        return [parse_requirement(entry) for entry in value]

    def discover(self, sdist):
        result = dict(sdist)
        key = "%s==%s" % (sdist["name"], sdist["version"])
        say("build requirements of " + key)
        try:
            archive = self.download(sdist)
            result["file"] = "sdists/" + sdist["filename"]
            dest = os.path.join(self.work, "src-" + hashlib.sha256(key.encode()).hexdigest()[:12])
            if os.path.isdir(dest):
                shutil.rmtree(dest)
            os.makedirs(dest)
            safe_extract(archive, dest)
            root = source_root(dest)
            static, backend, backend_path = self.static_requirements(root)
            result.update({"static": static, "backend": backend})
            env_py, missing = self.hook_env(static)
            if missing:
                result["unavailable"] = missing
            try:
                result["hook"] = self.run_hook(env_py, root, backend, backend_path)
            except ValueError as e:
                if not missing:
                    raise
                # The backend needs what is not built yet: the static requirements will have to do.
                result["hook"] = None
                names = ", ".join(m["requirement"] for m in missing)
                result["note"] = "%s; %s not installable as a wheel yet, so the static build requirements are used" % (e, names)
            say("%s: build-system.requires %s, get_requires_for_build_wheel %s" % (key, static, result["hook"]))
        except Exception as e:  # one bad sdist must not hide the others' results
            result["error"] = str(e)
            say("%s: %s" % (key, e))
        return result

    def main(self):
        resolutions = [self.resolve(r) for r in self.cfg["resolutions"]]
        sdists = []
        if self.cfg.get("discover", True):
            seen = set(self.known)
            for r in resolutions:
                if r["report"] is None:
                    continue
                for sdist in self.sdists_of(r["report"]):
                    key = "%s==%s" % (sdist["name"], sdist["version"])
                    if key in seen:
                        continue
                    seen.add(key)
                    sdists.append(self.discover(sdist))
        with open(os.path.join(self.out, "resolve.json"), "w") as f:
            json.dump({"resolutions": resolutions, "sdists": sdists}, f)
        return 0


def in_process_script(work):
    """pip's vendored PEP 517 hook runner (pyproject_hooks, or pep517 before pip 23), as a file."""
    dest = os.path.join(work, "_in_process.py")
    if os.path.exists(dest):
        return dest
    try:
        from pip._vendor.pyproject_hooks._in_process import _in_proc_script_path
    except ImportError:
        from pip._vendor.pep517.in_process import _in_proc_script_path
    with _in_proc_script_path() as path:
        shutil.copy(str(path), dest)
    return dest


if __name__ == "__main__":
    with open(sys.argv[1]) as config:
        sys.exit(Resolver(json.load(config)).main())
