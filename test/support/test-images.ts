/**
 * A tiny offline image for executor tests that must not wait for the builder
 * images: Debian's static busybox, imported as a rootfs. Built once per
 * engine and reused; needs only apt's Debian mirror (no registry).
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import tar from 'tar-stream';

const run = promisify(execFile);

/** `farm-test/busybox:latest`: /bin/busybox and applet links, PATH=/bin. */
export const BUSYBOX_TEST_IMAGE = 'farm-test/busybox:latest';

/** The applets tests call by name. */
const APPLETS = [
  'sh', 'sleep', 'echo', 'cat', 'touch', 'ls', 'id', 'printf', 'env', 'true', 'false',
  'chown', 'mkdir', 'rm', 'test', 'stat', 'seq', 'yes', 'head',
];

async function imageExists(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Downloads busybox-static's .deb into `dir`, refreshing apt's lists once if the package is unknown. */
async function downloadBusyboxDeb(dir: string): Promise<string> {
  const download = () => run('apt-get', ['download', 'busybox-static'], { cwd: dir, timeout: 300_000 });
  try {
    await download();
  } catch {
    // A fresh machine may have no package lists yet.
    await run('apt-get', ['update', '-qq'], { timeout: 600_000 });
    await download();
  }
  const deb = (await readdir(dir)).find((f) => f.startsWith('busybox-static_') && f.endsWith('.deb'));
  if (deb === undefined) throw new Error(`apt-get download busybox-static left no .deb in ${dir}`);
  return path.join(dir, deb);
}

async function writeRootfsTar(busybox: Buffer, tarPath: string): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(tarPath));
  const entry = (header: Partial<tar.Header> & Pick<tar.Header, 'name'>, body: Buffer = Buffer.alloc(0)) =>
    new Promise<void>((resolve, reject) => {
      pack.entry(header, body, (error) => (error ? reject(error) : resolve()));
    });
  await entry({ name: 'bin', type: 'directory', mode: 0o755 });
  await entry({ name: 'tmp', type: 'directory', mode: 0o1777 });
  await entry({ name: 'bin/busybox', type: 'file', mode: 0o755 }, busybox);
  for (const applet of APPLETS) {
    await entry({ name: `bin/${applet}`, type: 'symlink', linkname: 'busybox' });
  }
  pack.finalize();
  await done;
}

/**
 * Returns `BUSYBOX_TEST_IMAGE`, importing it first when the engine lacks it.
 * Safe to call from several test files: the import is idempotent and the tag
 * simply points at the last one.
 */
export async function ensureBusyboxTestImage(docker: Dockerode = new Dockerode()): Promise<string> {
  if (await imageExists(docker, BUSYBOX_TEST_IMAGE)) return BUSYBOX_TEST_IMAGE;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'farm-test-busybox-'));
  try {
    // apt drops to the _apt user for downloads; let it write here.
    await chmod(dir, 0o777);
    const deb = await downloadBusyboxDeb(dir);
    const rootfs = path.join(dir, 'rootfs');
    await run('dpkg-deb', ['-x', deb, rootfs]);
    const busybox = await readFile(path.join(rootfs, 'bin', 'busybox'));
    const tarPath = path.join(dir, 'rootfs.tar');
    await writeRootfsTar(busybox, tarPath);
    const [repo, tag] = BUSYBOX_TEST_IMAGE.split(':') as [string, string];
    const progress = await docker.importImage(tarPath, {
      repo,
      tag,
      changes: ['ENV PATH=/bin', 'LABEL farm.test=busybox'],
    });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(progress, (error: Error | null) => (error ? reject(error) : resolve()));
    });
    if (!(await imageExists(docker, BUSYBOX_TEST_IMAGE))) {
      throw new Error(`docker import did not produce ${BUSYBOX_TEST_IMAGE}`);
    }
    return BUSYBOX_TEST_IMAGE;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
