/**
 * Makes a pure-Python wheel from a fixture source directory, for the
 * "upstream already has a wheel, farm mirrors it" case. Uses the host's
 * python3 `zipfile` (a fixed script; the paths are argv elements).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { coreMetadata, distributionName, readProjectInfo } from './make-sdist.js';

const run = promisify(execFile);

/** Writes the wheel: every `.py` under the top-level package, METADATA, WHEEL and RECORD. */
const WHEEL_SCRIPT = `
import base64, hashlib, json, os, sys, zipfile
spec = json.loads(sys.argv[1])
records = []
def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
with zipfile.ZipFile(spec["out"], "w", zipfile.ZIP_DEFLATED) as zf:
    def add(name, data):
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, data)
        records.append("%s,%s,%d" % (name, digest(data), len(data)))
    for rel in spec["files"]:
        with open(os.path.join(spec["src"], rel), "rb") as f:
            add(rel, f.read())
    di = spec["distInfo"]
    add(di + "/METADATA", spec["metadata"].encode())
    add(di + "/WHEEL", b"Wheel-Version: 1.0\\nGenerator: farm-fixtures\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    add(di + "/top_level.txt", (spec["topLevel"] + "\\n").encode())
    records.append(di + "/RECORD,,")
    info = zipfile.ZipInfo(di + "/RECORD", date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    zf.writestr(info, "\\n".join(records) + "\\n")
`;

/** Builds `<name>-<version>-py3-none-any.whl` into `outDir`. */
export async function makePureWheel(
  sourceDir: string,
  outDir: string,
  python = 'python3',
): Promise<{ filename: string; sha256: string }> {
  const info = await readProjectInfo(sourceDir);
  const dist = distributionName(info.name);
  const filename = `${dist}-${info.version}-py3-none-any.whl`;
  const out = path.join(outDir, filename);
  const spec = {
    out,
    src: sourceDir,
    files: [`${dist}/__init__.py`],
    distInfo: `${dist}-${info.version}.dist-info`,
    metadata: coreMetadata(info),
    topLevel: dist,
  };
  await run(python, ['-c', WHEEL_SCRIPT, JSON.stringify(spec)]);
  const bytes = await readFile(out);
  return { filename, sha256: createHash('sha256').update(bytes).digest('hex') };
}
