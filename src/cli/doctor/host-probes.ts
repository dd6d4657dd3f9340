/**
 * The real host behind `DoctorProbes`: Docker engines through the executor's
 * clients, binfmt_misc through the executor's reader, Redis through ioredis,
 * images through the images module's selection rules, disk space through
 * `statfs`. Every probe turns failures into values: doctor reports, it does
 * not crash.
 */
import { constants } from 'node:fs';
import { access, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { FarmConfig } from '../../config/schema.js';
import { targetSettings } from '../../config/target-settings.js';
import { BINFMT_DIR, readBinfmtStatus } from '../../docker/binfmt.js';
import { dockerClientFor } from '../../docker/docker-hosts.js';
import { nativePlatform, QEMU_HANDLER } from '../../docker/host-placement.js';
import { presentImages, selectImage, type PresentImage } from '../../images/index.js';
import { toolchainImageName } from '../../images/toolchain-image.js';
import { FarmError } from '../../errors.js';
import { checkRedis } from '../../redis/check-redis.js';
import { redisOptions } from '../../redis/redis-connection.js';
import type { DockerPlatform } from '../../targets/catalog.js';
import type { BinfmtProbe, DoctorProbes } from './checks.js';

const PROBE_TIMEOUT_MS = 5000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${PROBE_TIMEOUT_MS / 1000}s`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/** binfmt as doctor reports it, with the command that fixes each state on Debian. */
export async function probeBinfmt(platform: DockerPlatform, dir: string = BINFMT_DIR): Promise<BinfmtProbe> {
  const handler = QEMU_HANDLER[platform];
  const status = await readBinfmtStatus({ dir });
  if (!status.mounted) {
    return { handler, state: 'unmounted', fix: `sudo mount -t binfmt_misc binfmt_misc ${dir} && sudo update-binfmts --enable ${handler}` };
  }
  if (!status.globallyEnabled) {
    return { handler, state: 'disabled', fix: `echo 1 | sudo tee ${dir}/status` };
  }
  const state = status.handlers[handler];
  if (state === 'enabled') return { handler, state };
  if (state === 'disabled') return { handler, state, fix: `sudo update-binfmts --enable ${handler}` };
  return { handler, state, fix: `sudo apt-get install qemu-user-static binfmt-support && sudo update-binfmts --enable ${handler}` };
}

async function which(binary: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const candidates = binary.includes('/')
    ? [path.resolve(binary)]
    : (env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== '').map((d) => path.join(d, binary));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next PATH entry.
    }
  }
  return undefined;
}

async function nearestExisting(dir: string): Promise<string> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      await access(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** The probes against this machine and the configured engines. */
export function hostProbes(config: FarmConfig, env: NodeJS.ProcessEnv, binfmtDir?: string): DoctorProbes {
  let present: Promise<PresentImage[]> | undefined;
  const listPresent = () =>
    (present ??= (async () => {
      const first = config.docker.hosts[0];
      if (first === undefined) return [];
      const client = await dockerClientFor(first, { env });
      return withTimeout(presentImages(client), `docker (${first.name}) image list`);
    })());

  return {
    async pingDocker(host) {
      try {
        const client = await dockerClientFor(host, { env });
        const version = await withTimeout(client.version(), `docker (${host.name})`);
        return { ok: true, version: version.Version, platform: nativePlatform(version.Arch) ?? `linux/${version.Arch}` };
      } catch (error) {
        return { ok: false, error: message(error) };
      }
    },
    binfmt: (platform) => probeBinfmt(platform, binfmtDir),
    async pingRedis(url) {
      try {
        await checkRedis(redisOptions(url, config.redis));
        return { ok: true };
      } catch (error) {
        const hint = error instanceof FarmError && error.hint !== undefined ? ` (${error.hint})` : '';
        return { ok: false, error: `${message(error)}${hint}` };
      }
    },
    which: (binary) => which(binary, env),
    async image(target, python) {
      const selection = selectImage(targetSettings(config, target), config.images.source, await listPresent(), python);
      return {
        image: selection.image,
        source: selection.source,
        present: selection.present,
        fix:
          selection.source === 'bootstrap'
            ? `farm images bootstrap --targets ${target.id} --python ${python}`
            : `farm images pull --targets ${target.id}   (offline: farm images bootstrap --targets ${target.id} --python ${python})`,
      };
    },
    async toolchain() {
      const image = toolchainImageName(config.images.suite);
      return { image, present: (await listPresent()).some((p) => p.tags.includes(image)) };
    },
    async freeSpace(dir) {
      const existing = await nearestExisting(dir);
      const stats = await statfs(existing);
      return { path: existing, freeBytes: Number(stats.bavail) * Number(stats.bsize) };
    },
  };
}
