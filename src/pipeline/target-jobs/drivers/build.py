"""farm's build driver: runs inside a builder container.

Reads the JSON config named by argv[1] (`BuildDriverConfig` in
driver-config.ts), runs the recipe's setup steps (root steps as root, the
rest as the build user), then `pip wheel --no-deps` of the sdist with build
isolation, then `auditwheel repair` when the image has auditwheel and the
wheel is not pure, and writes `<outDir>/result.json`. Exits with the failing
step's status.

Package names, URLs and commands reach it only through the config file and
argv lists, never through a shell. Standard library only, Python >= 3.8
(every supported builder image).
"""
import json
import os
import shutil
import subprocess
import sys


def say(text):
    print("# farm: " + text, flush=True)


class Driver:
    """One build: the config, and the environment its commands run in."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.uid = cfg["uid"]
        self.gid = cfg["gid"]
        self.env = dict(os.environ)
        self.env.update(cfg["env"])
        if cfg["pathPrepend"]:
            self.env["PATH"] = os.pathsep.join(cfg["pathPrepend"] + [self.env.get("PATH", "")])
        out = cfg.get("outDir", "/out")
        self.out = out
        self.raw = os.path.join(out, "raw")
        self.final = os.path.join(out, "final")

    def demote(self):
        if os.getuid() == 0 and self.uid != 0:
            os.setgroups([])
            os.setgid(self.gid)
            os.setuid(self.uid)

    def run(self, argv, as_root=False, extra_env=None):
        say("$ " + " ".join(argv))
        step_env = dict(self.env)
        step_env.update(extra_env or {})
        if as_root and os.getuid() != 0:
            say("this step needs root, but the container runs as uid %d" % os.getuid())
            return 126
        try:
            return subprocess.call(argv, env=step_env, preexec_fn=None if as_root else self.demote)
        except OSError as e:
            say("cannot run %s: %s" % (argv[0], e))
            return 127

    def index_options(self):
        options = ["--index-url", self.cfg["indexUrl"]]
        for url in self.cfg["extraIndexUrls"]:
            options += ["--extra-index-url", url]
        return options

    def pip_env(self):
        """pip's debug log (`PIP_LOG`, inherited by build isolation's inner
        pip): the host reads why a run failed from it, as pip's console hides
        index errors (a 5xx) at its default verbosity. Only for farm's own pip
        runs: a root setup step must not create the file first."""
        return {"PIP_LOG": self.cfg["pipLog"]} if self.cfg.get("pipLog") else {}

    def setup(self):
        """The recipe's setup steps; the first failure's status, or 0."""
        for step in self.cfg["setup"]:
            code = self.run(step["argv"], step["asRoot"], step["env"])
            if code != 0:
                say("setup step failed with exit status %d" % code)
                return code
        return 0

    def build_environment(self):
        """Extra build requirements: an environment with the sdist's own build
        requirements plus the recipe's, for a build without isolation.
        Returns pip's extra options, or an exit status on failure."""
        reqs = ["setuptools", "wheel"] + self.cfg["buildRequires"] + sdist_build_requires(self.cfg["sdist"])
        code = self.run(
            [self.cfg["python"], "-m", "pip", "install", "--progress-bar", "off", "--target", "/tmp/farm-buildenv"]
            + self.index_options()
            + reqs,
            extra_env=self.pip_env(),
        )
        if code != 0:
            return code
        self.env["PYTHONPATH"] = "/tmp/farm-buildenv"
        return ["--no-build-isolation"]

    def wheel(self):
        """pip wheel of the sdist into raw/; the wheel's name, or an exit status."""
        py = self.cfg["python"]
        wheel_cmd = [py, "-m", "pip", "wheel", "--no-deps", "--progress-bar", "off", "--wheel-dir", self.raw]
        wheel_cmd += self.index_options()
        if self.cfg["buildRequires"]:
            extra = self.build_environment()
            if isinstance(extra, int):
                return extra
            wheel_cmd += extra
        code = self.run(wheel_cmd + [self.cfg["sdist"]], extra_env=self.pip_env())
        if code != 0:
            say("pip wheel failed with exit status %d" % code)
            return code
        return single_wheel(self.raw, "from pip wheel")

    def repair(self, built):
        """Copies or repairs raw/<built> into final/; (final wheel, repaired) or an exit status."""
        path = os.path.join(self.raw, built)
        repaired = False
        if built.endswith("-none-any.whl"):
            say("pure-Python wheel: nothing to repair")
            shutil.copy(path, self.final)
        elif self.cfg["repair"] and shutil.which("auditwheel", path=self.env.get("PATH")):
            code = self.run(["auditwheel", "repair", "--wheel-dir", self.final, path])
            if code != 0:
                say("auditwheel repair failed with exit status %d" % code)
                return code
            repaired = True
        else:
            say("no auditwheel in this image: keeping the linux_* tag")
            shutil.copy(path, self.final)
        out = single_wheel(self.final, "in " + self.final)
        if isinstance(out, int):
            return out
        return out, repaired

    def main(self):
        code = self.setup()
        if code != 0:
            return code
        for d in (self.raw, self.final):
            if not os.path.isdir(d):
                os.makedirs(d)
        built = self.wheel()
        if isinstance(built, int):
            return built
        done = self.repair(built)
        if isinstance(done, int):
            return done
        wheel, repaired = done
        with open(os.path.join(self.out, "result.json"), "w") as f:
            json.dump({"wheel": wheel, "repaired": repaired, "built": built}, f)
        say("built " + wheel)
        return 0


def single_wheel(directory, source):
    """The one wheel in `directory`, or exit status 3 when there is not exactly one."""
    wheels = [f for f in os.listdir(directory) if f.endswith(".whl")]
    if len(wheels) != 1:
        say("expected one wheel %s, found %r" % (source, wheels))
        return 3
    return wheels[0]


def sdist_build_requires(sdist):
    """`build-system.requires` of the sdist's top-level pyproject.toml; [] when
    it has none or it can't be read (tomllib needs Python 3.11)."""
    try:
        import tarfile
        import tomllib

        with tarfile.open(sdist) as tf:
            member = next(m for m in tf.getmembers() if m.name.count("/") == 1 and m.name.endswith("/pyproject.toml"))
            return list(tomllib.load(tf.extractfile(member)).get("build-system", {}).get("requires", []))
    except Exception as e:
        say("could not read build-system.requires (%s); using setuptools and wheel" % e)
        return []


if __name__ == "__main__":
    with open(sys.argv[1]) as config:
        sys.exit(Driver(json.load(config)).main())
