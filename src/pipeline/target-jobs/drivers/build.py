"""farm's build driver: runs inside a builder container of the target (or the
derived image with the recipe's system packages), as the unprivileged build
user, with every capability dropped and, unless the recipe says otherwise,
the network off.

Reads the JSON config named by argv[1] (`BuildDriverConfig` in
container-drivers.ts):

1. A fresh environment (`venv --without-pip`) gets exactly the build
   dependencies farm planned, as wheel files from farm's repository of the
   target: `pip install --no-index --no-deps`. Nothing is resolved or
   downloaded here.
2. `pip wheel --no-build-isolation --no-index --no-deps` builds the sdist
   with that environment's interpreter (`pip --python`), so the build
   backend sees the planned build dependencies and nothing else. With the
   network off, a local proxy named in the usual environment variables
   records what the build tried to fetch, for a clear failure message.
3. A compiled wheel is repaired by auditwheel when the image has it.
   Otherwise farm finds the shared libraries its ELF files need that are not
   external (the target's libc, the libraries every base image has, the
   recipe's runtime packages: `externalLibraries`), copies them to
   `<outDir>/libs/` and lists them in `<outDir>/vendor.json`; `repair.py`
   then puts them into the wheel.

Writes `<outDir>/result.json` in every case. Standard library only,
Python >= 3.8.
"""
import fnmatch
import hashlib
import http.server
import json
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
import zipfile

DEFAULT_WORK = "/tmp/farm-build"
NETWORK_ERRORS = re.compile(
    r"Temporary failure in name resolution|Name or service not known|Could not resolve host|"
    r"Network is unreachable|getaddrinfo failed|No address associated with hostname|Failed to establish a new connection"
)
URL = re.compile(r"(?:https?|ftp|git)://[^\s'\"<>()]+")


def say(text):
    print("# farm: " + text, flush=True)


class NetworkTrap:
    """A proxy on 127.0.0.1 that refuses every request and remembers what was asked.

    With `--network none` the build has only loopback; tools that honour the
    usual proxy variables (pip, urllib, requests, curl, wget, git, cargo)
    then ask this proxy, and farm can say exactly what the build tried to fetch.
    """

    def __init__(self):
        attempts = self.attempts = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def refuse(self):
                if self.command == "CONNECT":
                    host = self.path[:-4] if self.path.endswith(":443") else self.path
                    attempts.append("https://" + host)
                else:
                    attempts.append(self.path)
                body = b"farm: the network is off while a package compiles\n"
                self.send_response(403, "farm: network off during the compile")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_HEAD = do_CONNECT = do_OPTIONS = refuse

            def log_message(self, *args):
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def env(self):
        url = "http://127.0.0.1:%d" % self.server.server_address[1]
        names = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "FTP_PROXY"]
        return dict([(n, url) for n in names] + [(n.lower(), url) for n in names])


class Build:
    def __init__(self, cfg):
        self.cfg = cfg
        self.py = cfg["python"]
        self.out = cfg.get("outDir", "/out")
        self.raw = os.path.join(self.out, "raw")
        self.final = os.path.join(self.out, "final")
        self.result = {"wheel": None, "built": None, "repair": None, "networkAttempts": []}
        self.env = dict(os.environ)
        self.env.update(cfg["env"])
        if cfg["pathPrepend"]:
            self.env["PATH"] = os.pathsep.join(cfg["pathPrepend"] + [self.env.get("PATH", "")])
        self.tail = []
        self.trap = None
        self.work = cfg.get("workDir", DEFAULT_WORK)

    def run(self, argv, capture=False):
        say("$ " + " ".join(argv))
        try:
            if not capture:
                return subprocess.call(argv, env=self.env)
            proc = subprocess.Popen(argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace")
                sys.stdout.write(line)
                self.tail = (self.tail + [line])[-400:]
            sys.stdout.flush()
            return proc.wait()
        except OSError as e:
            say("cannot run %s: %s" % (argv[0], e))
            return 127

    def environment(self):
        """A venv holding exactly the planned build dependencies; its interpreter."""
        env_dir = os.path.join(self.work, "env")
        code = self.run([self.py, "-m", "venv", "--without-pip", env_dir])
        if code != 0:
            return code
        env_py = os.path.join(env_dir, "bin", "python")
        deps = self.cfg["buildDeps"]
        if deps:
            code = self.run([self.py, "-m", "pip", "--python", env_py, "install", "--no-index", "--no-deps", "--progress-bar", "off", "--"] + deps)
            if code != 0:
                say("installing the build dependencies from farm's repository failed with exit status %d" % code)
                return code
        return env_py

    def wheel(self, env_py):
        if not self.cfg["network"]:
            self.trap = NetworkTrap()
            self.env.update(self.trap.env())
            say("the network is off for this compile; requests go to a local proxy that refuses them")
        argv = [self.py, "-m", "pip", "--python", env_py, "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
        # --verbose: with PIP_LOG set pip sends the build backend's output to
        # that file only ("See above for output" with nothing above); the
        # build log must show the compiler's own error lines.
        argv += ["--verbose", "--progress-bar", "off", "--wheel-dir", self.raw, "--", self.cfg["sdist"]]
        code = self.run(argv, capture=True)
        if code != 0:
            self.network_attempts()
            say("pip wheel failed with exit status %d" % code)
            return code
        return single_wheel(self.raw, "from pip wheel")

    def network_attempts(self):
        """What the failed build tried to fetch: from the proxy, else from resolver errors in its output."""
        if self.cfg["network"]:
            return
        attempts = []
        printed = [u for line in self.tail for u in URL.findall(line)]
        for attempt in (self.trap.attempts if self.trap else []):
            # A CONNECT only names host:port; the build's output often has the whole URL.
            host = attempt.split("://", 1)[-1].split("/", 1)[0]
            full = [u for u in printed if u.split("://", 1)[-1].split("/", 1)[0] == host] if attempt.startswith("https://") else []
            attempts += full or [attempt]
        for i, line in enumerate(self.tail):
            if NETWORK_ERRORS.search(line):
                for near in self.tail[max(0, i - 3):i + 1]:
                    attempts += URL.findall(near)
                if not attempts:
                    attempts.append(line.strip())
        seen = []
        for a in attempts:
            if a not in seen:
                seen.append(a)
        self.result["networkAttempts"] = seen
        if seen:
            say("the build tried to reach the network, which is off while a package compiles: " + ", ".join(seen))

    def repair(self, built):
        path = os.path.join(self.raw, built)
        if built.endswith("-none-any.whl"):
            say("pure-Python wheel: nothing to repair")
            shutil.copy(path, self.final)
            return "none"
        if shutil.which("auditwheel", path=self.env.get("PATH")):
            code = self.run(["auditwheel", "repair", "--wheel-dir", self.final, path])
            if code != 0:
                say("auditwheel repair failed with exit status %d" % code)
                return code
            return "auditwheel"
        return vendor(path, self.cfg, self.out, self.final, self.work)

    def main(self):
        for d in (self.raw, self.final, self.work):
            os.makedirs(d, exist_ok=True)
        try:
            env_py = self.environment()
            if isinstance(env_py, int):
                return env_py
            built = self.wheel(env_py)
            if isinstance(built, int):
                return built
            self.result["built"] = built
            repair = self.repair(built)
            if isinstance(repair, int):
                return repair
            self.result["repair"] = repair
            wheel = built if repair == "vendor" else single_wheel(self.final, "in " + self.final)
            if isinstance(wheel, int):
                return wheel
            self.result["wheel"] = wheel
            say("built " + wheel + ("" if repair != "vendor" else " (shared libraries to vendor: see vendor.json)"))
            return 0
        finally:
            with open(os.path.join(self.out, "result.json"), "w") as f:
                json.dump(self.result, f)


def single_wheel(directory, source):
    wheels = [f for f in os.listdir(directory) if f.endswith(".whl")]
    if len(wheels) != 1:
        say("expected one wheel %s, found %r" % (source, wheels))
        return 3
    return wheels[0]


# Vendoring ----------------------------------------------------------------

LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(\S+)\s+\(0x[0-9a-f]+\)|^\s*(\S+)\s+\(0x[0-9a-f]+\)|^\s*(\S+)\s+=>\s+not found")


def ldd_argv(path):
    if shutil.which("ldd"):
        return ["ldd", path]
    for loader in sorted(os.listdir("/lib")):
        if loader.startswith("ld-musl-"):
            return [os.path.join("/lib", loader), "--list", path]
    return None


def needed_libraries(path):
    """{soname: resolved path or None} of everything `path` loads, as the target's loader resolves it."""
    argv = ldd_argv(path)
    if argv is None:
        raise RuntimeError("neither ldd nor the musl loader is in the image: cannot check the wheel's shared libraries")
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    libs = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        m = LDD_LINE.match(line)
        if not m:
            continue
        if m.group(4):
            libs[m.group(4)] = None
        elif m.group(1):
            libs[m.group(1)] = m.group(2)
        elif m.group(3):
            libs[os.path.basename(m.group(3))] = m.group(3)
    return libs


def package_files(manager, packages):
    """Real paths of the files the runtime packages installed: their libraries stay external."""
    if not packages:
        return set()
    argv = {"apt": ["dpkg-query", "-L"], "apk": ["apk", "info", "-L"], "dnf": ["rpm", "-ql"], "yum": ["rpm", "-ql"]}[manager]
    proc = subprocess.run(argv + packages, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return {os.path.realpath(p.strip()) for p in proc.stdout.decode("utf-8", "replace").splitlines() if p.strip().startswith("/")}


def usrmerge_aliases(path):
    """`path` and its other name on a merged-/usr system: dpkg records the
    name the package shipped (liblzo2-2 ships /lib/…, libjpeg62-turbo
    /usr/lib/…), while realpath may give either."""
    for short, long in (("/lib/", "/usr/lib/"), ("/bin/", "/usr/bin/"), ("/sbin/", "/usr/sbin/")):
        if path.startswith(long):
            return [path, short + path[len(long):]]
        if path.startswith(short):
            return [path, long + path[len(short):]]
    return [path]


def owner(*paths):
    """The system package that installed one of `paths`, when the package manager knows."""
    candidates = []
    for path in paths:
        for alias in usrmerge_aliases(path):
            if alias not in candidates:
                candidates.append(alias)
    for argv in (["dpkg-query", "-S"], ["apk", "info", "--who-owns"], ["rpm", "-qf", "--qf", "%{NAME}"]):
        if not shutil.which(argv[0]):
            continue
        for path in candidates:
            proc = subprocess.run(argv + [path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            text = proc.stdout.decode("utf-8", "replace").strip()
            if proc.returncode == 0 and text:
                if argv[0] == "dpkg-query":
                    return text.split(":")[0]
                if argv[0] == "apk":
                    return text.split(" is owned by ")[-1].rsplit("-", 2)[0]
                return text
    return None


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def vendor(wheel, cfg, out, final, work):
    """Finds the non-external shared libraries the wheel's ELF files load; 'none' or 'vendor'."""
    unpacked = os.path.join(work, "unpacked")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(unpacked)
    external = cfg["externalLibraries"]
    runtime = set()
    for group in cfg.get("runtimePackages", []):
        runtime |= package_files(group["manager"], group["packages"])
    elfs, libs, missing = [], {}, []
    for root, _dirs, files in os.walk(unpacked):
        for name in files:
            path = os.path.join(root, name)
            if os.path.islink(path) or not is_elf(path):
                continue
            elfs.append(os.path.relpath(path, unpacked))
            for soname, resolved in needed_libraries(path).items():
                if any(fnmatch.fnmatch(soname, pattern) for pattern in external):
                    continue
                if resolved is None:
                    missing.append("%s (needed by %s)" % (soname, name))
                    continue
                real = os.path.realpath(resolved)
                if real.startswith(unpacked + os.sep) or real in runtime:
                    continue
                libs[soname] = (real, resolved)
    if missing:
        say("shared libraries not found in the build image: " + ", ".join(sorted(set(missing))))
        return 4
    if not libs:
        say("no shared libraries beyond the target's base system: nothing to vendor")
        shutil.copy(wheel, final)
        return "none"
    libs_dir = os.path.join(out, "libs")
    os.makedirs(libs_dir, exist_ok=True)
    listed = []
    for soname, (real, resolved) in sorted(libs.items()):
        dest = os.path.join(libs_dir, soname)
        shutil.copyfile(real, dest)
        with open(dest, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        entry = {"soname": soname, "source": real, "sha256": digest}
        pkg = owner(real, resolved)
        if pkg:
            entry["package"] = pkg
        listed.append(entry)
        say("vendor %s (%s%s)" % (soname, real, ", from " + pkg if pkg else ""))
    with open(os.path.join(out, "vendor.json"), "w") as f:
        json.dump({"wheel": os.path.basename(wheel), "elfs": sorted(elfs), "libs": listed}, f)
    return "vendor"


if __name__ == "__main__":
    with open(sys.argv[1]) as config:
        sys.exit(Build(json.load(config)).main())
