"""Turns an unpacked Debian package's module into a pure wheel, for farm's tests.

argv[1] is JSON: {"out": wheel path, "moduleDir": the module's directory,
"distInfo": "<name>-<version>.dist-info", "metadata": METADATA text}.
Entries are sorted and dated 1980-01-01, so the same input gives the same bytes.
"""
import base64, hashlib, json, os, sys, zipfile
spec = json.loads(sys.argv[1])
records = []
def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
def add(zf, name, data):
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)
    records.append("%s,%s,%d" % (name, digest(data), len(data)))
with zipfile.ZipFile(spec["out"], "w") as zf:
    for root, dirs, files in os.walk(spec["moduleDir"]):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".pyc"):
                continue
            full = os.path.join(root, f)
            rel = os.path.relpath(full, os.path.dirname(spec["moduleDir"]))
            add(zf, rel, open(full, "rb").read())
    di = spec["distInfo"]
    add(zf, di + "/METADATA", spec["metadata"].encode())
    add(zf, di + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: farm-tests (repacked from Debian)\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    records.append(di + "/RECORD,,")
    info = zipfile.ZipInfo(di + "/RECORD", date_time=(1980, 1, 1, 0, 0, 0))
    zf.writestr(info, "\n".join(records) + "\n")
