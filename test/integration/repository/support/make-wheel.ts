import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** A tiny pure-Python wheel to build in a test. */
export interface WheelSpec {
  /** Distribution name as in the filename, e.g. `farm_demo`. */
  readonly name: string;
  readonly version: string;
  /** `Name:` in METADATA (default: `name`); set it to something else to make a lying wheel. */
  readonly metadataName?: string;
  /** `Version:` in METADATA (default: `version`). */
  readonly metadataVersion?: string;
  readonly requiresPython?: string;
  readonly requiresDist?: readonly string[];
  readonly summary?: string;
  /** Extra text for the module, so two builds of one name/version differ. */
  readonly flavour?: string;
  /** Tag triple; default `py3-none-any`. */
  readonly tag?: string;
  /** The `.dist-info` directory's `<name>-<version>` (default: `name`-`version`); set it to make a lying wheel. */
  readonly distInfo?: string;
  /** Extra empty files in the archive (a zip bomb by entry count). */
  readonly extraEntries?: number;
}

/** The filename PEP 427 gives this wheel. */
export function wheelFilename(spec: WheelSpec): string {
  return `${spec.name}-${spec.version}-${spec.tag ?? 'py3-none-any'}.whl`;
}

/** The bytes of a valid wheel: a module, METADATA, WHEEL and RECORD, deflated. */
export function wheelBytes(spec: WheelSpec): Buffer {
  const module = spec.name.toLowerCase().replace(/[-.]/g, '_');
  const distInfo = `${spec.distInfo ?? `${spec.name}-${spec.version}`}.dist-info`;
  const metadata = [
    'Metadata-Version: 2.1',
    `Name: ${spec.metadataName ?? spec.name}`,
    `Version: ${spec.metadataVersion ?? spec.version}`,
    ...(spec.summary === undefined ? [] : [`Summary: ${spec.summary}`]),
    ...(spec.requiresPython === undefined ? [] : [`Requires-Python: ${spec.requiresPython}`]),
    ...(spec.requiresDist ?? []).map((r) => `Requires-Dist: ${r}`),
    '',
    `The ${spec.name} test package.`,
    '',
  ].join('\n');
  const files: [string, Buffer][] = [
    [`${module}/__init__.py`, Buffer.from(`VERSION = ${JSON.stringify(spec.version)}\nFLAVOUR = ${JSON.stringify(spec.flavour ?? '')}\n`)],
    [`${distInfo}/METADATA`, Buffer.from(metadata)],
    [`${distInfo}/WHEEL`, Buffer.from(`Wheel-Version: 1.0\nGenerator: farm-test\nRoot-Is-Purelib: true\nTag: ${spec.tag ?? 'py3-none-any'}\n`)],
  ];
  const module_ = module;
  for (let i = 0; i < (spec.extraEntries ?? 0); i++) files.push([`${module_}/data/f${i}.txt`, Buffer.alloc(0)]);
  const record = files
    .map(([name, data]) => `${name},sha256=${createHash('sha256').update(data).digest('base64url')},${data.length}`)
    .concat([`${distInfo}/RECORD,,`, ''])
    .join('\n');
  files.push([`${distInfo}/RECORD`, Buffer.from(record)]);
  return zip(files);
}

/** Writes the wheel into `dir` under its PEP 427 name (or `filename`); returns the path. */
export function writeWheel(dir: string, spec: WheelSpec, filename: string = wheelFilename(spec)): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, filename);
  fs.writeFileSync(file, wheelBytes(spec));
  return file;
}

/** A minimal zip writer (deflate, no zip64): enough for test wheels. */
function zip(files: readonly [string, Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = zlib.deflateRawSync(data);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBytes, compressed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + compressed.length;
  }
  const centralDir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDir, end]);
}
