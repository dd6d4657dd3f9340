import { describe, expect, it } from 'vitest';
import { readBinfmtStatus } from '../../../src/docker/binfmt.js';
import { isHandlerUsable, parseBinfmtEntry } from '../../../src/docker/binfmt-status.js';

/** A fake /proc/sys/fs/binfmt_misc: file name -> content; absent names throw ENOENT. */
const fakeProc = (files: Record<string, string>) => async (file: string) => {
  const name = file.slice(file.lastIndexOf('/') + 1);
  const text = files[name];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  return text;
};

const ARM_ENABLED = 'enabled\ninterpreter /usr/libexec/qemu-binfmt/arm-binfmt-P\nflags: PF\noffset 0\n';
const ARM_DISABLED = 'disabled\ninterpreter /usr/libexec/qemu-binfmt/arm-binfmt-P\nflags: PF\n';

describe('parseBinfmtEntry', () => {
  it.each([
    [ARM_ENABLED, 'enabled'],
    [ARM_DISABLED, 'disabled'],
    ['enabled', 'enabled'],
    ['', 'disabled'],
    ['enabledx\n', 'disabled'],
  ])('%j -> %s', (text, state) => {
    expect(parseBinfmtEntry(text)).toBe(state);
  });
});

describe('readBinfmtStatus', () => {
  it.each([
    [
      'both handlers enabled',
      { status: 'enabled\n', 'qemu-arm': ARM_ENABLED, 'qemu-aarch64': ARM_ENABLED },
      { mounted: true, globallyEnabled: true, handlers: { 'qemu-arm': 'enabled', 'qemu-aarch64': 'enabled', 'qemu-x86_64': 'missing' } },
      [true, true],
    ],
    [
      'arm disabled',
      { status: 'enabled\n', 'qemu-arm': ARM_DISABLED, 'qemu-aarch64': ARM_ENABLED },
      { mounted: true, globallyEnabled: true, handlers: { 'qemu-arm': 'disabled', 'qemu-aarch64': 'enabled', 'qemu-x86_64': 'missing' } },
      [false, true],
    ],
    [
      'binfmt_misc not mounted',
      {},
      { mounted: false, globallyEnabled: false, handlers: { 'qemu-arm': 'missing', 'qemu-aarch64': 'missing', 'qemu-x86_64': 'missing' } },
      [false, false],
    ],
    [
      'globally disabled',
      { status: 'disabled\n', 'qemu-arm': ARM_ENABLED, 'qemu-aarch64': ARM_ENABLED },
      { mounted: true, globallyEnabled: false, handlers: { 'qemu-arm': 'enabled', 'qemu-aarch64': 'enabled', 'qemu-x86_64': 'missing' } },
      [false, false],
    ],
  ] as const)('%s', async (_name, files, expected, [armUsable, aarch64Usable]) => {
    const status = await readBinfmtStatus({ dir: '/proc/sys/fs/binfmt_misc', readFile: fakeProc(files) });
    expect(status).toEqual(expected);
    expect(isHandlerUsable(status, 'qemu-arm')).toBe(armUsable);
    expect(isHandlerUsable(status, 'qemu-aarch64')).toBe(aarch64Usable);
  });

  it('reads from the directory it is given', async () => {
    const seen: string[] = [];
    await readBinfmtStatus({
      dir: '/x/binfmt',
      readFile: async (file) => {
        seen.push(file);
        return 'enabled';
      },
    });
    expect(seen.sort()).toEqual(['/x/binfmt/qemu-aarch64', '/x/binfmt/qemu-arm', '/x/binfmt/qemu-x86_64', '/x/binfmt/status']);
  });
});
