import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { HostError } from '../errors.js';
import type { Target } from '../targets/catalog.js';

/** Debian's name for the architecture Node runs on. */
export function hostDebianArch(nodeArch: string = process.arch): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'armhf' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

/** The binfmt_misc handler that runs a Debian architecture's binaries. */
export function binfmtHandler(debianArch: Target['debianArch']): string {
  return debianArch === 'armhf' ? 'qemu-arm' : debianArch === 'arm64' ? 'qemu-aarch64' : 'qemu-x86_64';
}

/**
 * Whether a binfmt_misc handler entry is enabled with the F (fix binary)
 * flag: the kernel then opens the emulator at registration, so it also works
 * inside chroots and containers that don't contain it.
 */
export function binfmtUsable(entry: string): boolean {
  const lines = entry.split('\n');
  const flags = lines.find((l) => l.startsWith('flags:'))?.slice('flags:'.length).trim() ?? '';
  return lines[0]?.trim() === 'enabled' && flags.includes('F');
}

async function onPath(program: string): Promise<boolean> {
  for (const dir of (process.env['PATH'] ?? '').split(':').concat('/usr/sbin', '/sbin')) {
    if (dir === '') continue;
    try {
      await access(path.join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/**
 * Fails early, with the fixing command, when this host can't bootstrap the
 * given targets: debootstrap needs root and the program itself; foreign
 * architectures need qemu registered with binfmt_misc.
 */
export async function checkBootstrapHost(targets: readonly Target[]): Promise<void> {
  if (process.getuid !== undefined && process.getuid() !== 0) {
    throw new HostError('farm images bootstrap must run as root (debootstrap creates device nodes and chroots)', {
      hint: 'sudo farm images bootstrap',
    });
  }
  if (!(await onPath('debootstrap'))) {
    throw new HostError('debootstrap is not installed', { hint: 'sudo scripts/setup-host.sh   (or: apt-get install debootstrap)' });
  }
  const native = hostDebianArch();
  for (const target of targets) {
    if (target.debianArch === native) continue;
    const handler = binfmtHandler(target.debianArch);
    let entry = '';
    try {
      entry = await readFile(`/proc/sys/fs/binfmt_misc/${handler}`, 'utf8');
    } catch {
      // not registered
    }
    if (!binfmtUsable(entry)) {
      throw new HostError(
        `${target.id} needs ${handler} registered with binfmt_misc (enabled, F flag) to run ${target.debianArch} binaries on this ${native} host`,
        { hint: `sudo apt-get install qemu-user-static binfmt-support && sudo update-binfmts --enable ${handler}` },
      );
    }
  }
}
