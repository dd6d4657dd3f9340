import { describe, expect, it } from 'vitest';
import { runDoctor, type DoctorProbes, type DoctorInput, type CheckResult } from '../../../src/cli/doctor/checks.js';
import { makeStyle } from '../../../src/cli/render/style.js';
import { renderDoctorReport } from '../../../src/cli/render/doctor-report.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { TARGETS } from '../../../src/targets/catalog.js';

const GiB = 1024 ** 3;
const targets = ['glibc-x86_64', 'glibc-armv7', 'musl-x86_64'].map((id) => TARGETS.get(id)!);

/** A healthy x86_64 host; each test breaks one piece. */
function healthy(overrides: Partial<DoctorProbes> = {}): DoctorProbes {
  return {
    pingDocker: async () => ({ ok: true, version: '20.10.24', platform: 'linux/amd64' }),
    binfmt: async (platform) => ({ handler: platform === 'linux/arm64' ? 'qemu-aarch64' : 'qemu-arm', state: 'enabled' }),
    pingRedis: async () => ({ ok: true }),
    which: async (binary) => `/usr/bin/${binary}`,
    image: async (target, python) => ({ image: `farm/builder-${target.id}:bootstrap-py${python}`, source: 'bootstrap', present: true }),
    freeSpace: async (dir) => ({ path: dir, freeBytes: 100 * GiB }),
    toolchain: async () => ({ image: 'farm/cross-toolchain:bootstrap-bookworm', present: true }),
    ...overrides,
  };
}

function input(configYaml = '', env: Record<string, string> = {}): DoctorInput {
  const config = parseConfig(configYaml, 'farm.config.yaml', env);
  return { config, targets, pythonFor: () => ['3.11'], hostPlatform: 'linux/amd64' };
}

const byName = (results: CheckResult[], name: string) => results.find((r) => r.name === name);

describe('runDoctor', () => {
  it('passes on a healthy host: docker, binfmt for the one foreign target, redis, images, disk', async () => {
    const results = await runDoctor(input(), healthy());
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['docker (local)', 'ok'],
      ['binfmt glibc-armv7', 'ok'],
      ['redis', 'ok'],
      ['image glibc-x86_64 py3.11', 'ok'],
      ['image glibc-armv7 py3.11', 'ok'],
      ['image musl-x86_64 py3.11', 'ok'],
      ['cross toolchain', 'ok'],
      ['disk', 'ok'],
    ]);
  });

  it.each<[string, Partial<DoctorProbes>, string, Partial<CheckResult>]>([
    [
      'binfmt disabled',
      { binfmt: async () => ({ handler: 'qemu-arm', state: 'disabled', fix: 'sudo update-binfmts --enable qemu-arm' }) },
      'binfmt glibc-armv7',
      {
        status: 'fail',
        detail: 'qemu-arm is registered but disabled: linux/arm/v7 containers cannot run on this linux/amd64',
        fix: 'sudo update-binfmts --enable qemu-arm',
      },
    ],
    [
      'binfmt handler missing',
      { binfmt: async () => ({ handler: 'qemu-arm', state: 'missing', fix: 'sudo apt-get install qemu-user-static binfmt-support' }) },
      'binfmt glibc-armv7',
      { status: 'fail', fix: 'sudo apt-get install qemu-user-static binfmt-support' },
    ],
    [
      'binfmt_misc unmounted',
      { binfmt: async () => ({ handler: 'qemu-arm', state: 'unmounted', fix: 'sudo mount -t binfmt_misc …' }) },
      'binfmt glibc-armv7',
      { status: 'fail', detail: 'binfmt_misc is not mounted: linux/arm/v7 containers cannot run on this linux/amd64' },
    ],
    [
      'docker down',
      { pingDocker: async () => ({ ok: false, error: 'connect ENOENT /var/run/docker.sock' }) },
      'docker (local)',
      { status: 'fail', detail: 'cannot reach the Docker engine at unix:///var/run/docker.sock: connect ENOENT /var/run/docker.sock', fix: 'start the Docker engine: sudo systemctl start docker   (without systemd: sudo dockerd &)' },
    ],
    [
      'no redis-server for the embedded mode',
      { which: async () => undefined },
      'redis',
      { status: 'fail', fix: 'sudo apt-get install redis-server   (or set REDIS_URL to an existing Redis)' },
    ],
    [
      'image missing',
      { image: async (t, py) => ({ image: `farm/builder-${t.id}:bootstrap-py${py}`, source: 'bootstrap', present: t.id !== 'musl-x86_64' }) },
      'image musl-x86_64 py3.11',
      { status: 'fail', fix: 'farm images bootstrap --targets musl-x86_64 --python 3.11' },
    ],
    [
      'cross toolchain missing: ARM builds still work, fully emulated',
      { toolchain: async () => ({ image: 'farm/cross-toolchain:bootstrap-bookworm', present: false }) },
      'cross toolchain',
      {
        status: 'warn',
        detail: 'farm/cross-toolchain:bootstrap-bookworm is not present: glibc-armv7 build fully under qemu (several times slower), and no build gets ccache',
        fix: 'farm images bootstrap --targets glibc-armv7',
      },
    ],
    [
      'disk nearly full',
      { freeSpace: async (dir) => ({ path: dir, freeBytes: 1 * GiB }) },
      'disk',
      { status: 'fail' },
    ],
    [
      'disk getting low',
      { freeSpace: async (dir) => ({ path: dir, freeBytes: 5 * GiB }) },
      'disk',
      { status: 'warn' },
    ],
  ])('%s', async (_case, broken, name, expected) => {
    const results = await runDoctor(input(), healthy(broken));
    expect(byName(results, name)).toMatchObject(expected);
    expect(results.filter((r) => r.status !== 'ok').map((r) => r.name)).toEqual([name]);
  });

  it('checks a configured Redis instead of the binary, and hides its password', async () => {
    const results = await runDoctor(
      input('', { REDIS_URL: 'redis://farm:s3cret@10.1.2.3:6379' }),
      healthy({ pingRedis: async () => ({ ok: false, error: 'ECONNREFUSED' }) }),
    );
    const redis = byName(results, 'redis')!;
    expect(redis.status).toBe('fail');
    expect(redis.detail).toBe('cannot reach Redis at redis://farm:***@10.1.2.3:6379: ECONNREFUSED');
  });

  it('on an ARM host, checks binfmt for the x86_64 targets instead', async () => {
    const asked: string[] = [];
    const results = await runDoctor(
      input(),
      healthy({
        pingDocker: async () => ({ ok: true, version: '24.0', platform: 'linux/arm64' }),
        binfmt: async (p) => {
          asked.push(p);
          return { handler: 'qemu-x86_64', state: 'enabled' };
        },
      }),
    );
    expect(asked).toEqual(['linux/amd64', 'linux/arm/v7']);
    expect(results.filter((r) => r.name.startsWith('binfmt')).map((r) => r.name)).toEqual([
      'binfmt glibc-x86_64',
      'binfmt glibc-armv7',
      'binfmt musl-x86_64',
    ]);
  });

  it('checks no cross toolchain where none would be used: every host sets crossCompile: false, or an ARM engine', async () => {
    const off = await runDoctor(input('docker: { hosts: [{ name: local, url: "unix:///var/run/docker.sock", crossCompile: false }] }'), healthy());
    expect(byName(off, 'cross toolchain')).toBeUndefined();
    const arm = await runDoctor(input(), healthy({ pingDocker: async () => ({ ok: true, version: '24.0', platform: 'linux/arm64' }) }));
    expect(byName(arm, 'cross toolchain')).toBeUndefined();
  });

  it('skips image checks when no engine answers, and judges foreign by the machine', async () => {
    const results = await runDoctor(input(), healthy({ pingDocker: async () => ({ ok: false, error: 'down' }) }));
    expect(results.some((r) => r.name.startsWith('image'))).toBe(false);
    expect(byName(results, 'binfmt glibc-armv7')?.status).toBe('ok');
  });
});

describe('renderDoctorReport', () => {
  it('prints each check, the fix under each problem, and a verdict', () => {
    const lines = renderDoctorReport(
      [
        { name: 'docker (local)', status: 'ok', detail: 'Docker 20.10' },
        { name: 'binfmt glibc-armv7', status: 'fail', detail: 'qemu-arm is registered but disabled', fix: 'sudo update-binfmts --enable qemu-arm' },
        { name: 'disk', status: 'warn', detail: '5.0 GiB free' },
      ],
      makeStyle(false),
    );
    expect(lines).toEqual([
      'ok    docker (local)      Docker 20.10',
      'FAIL  binfmt glibc-armv7  qemu-arm is registered but disabled',
      '                          fix: sudo update-binfmts --enable qemu-arm',
      'warn  disk                5.0 GiB free',
      '',
      '1 problem found, 1 warning',
    ]);
  });
});
