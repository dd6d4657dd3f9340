/**
 * Reads the kernel's binfmt_misc registrations: whether foreign-architecture
 * binaries are handed to qemu. An adapter with an injectable file reader, so
 * host placement and `farm doctor` share it and tests need no /proc.
 */
import { readFile as fsReadFile } from 'node:fs/promises';
import {
  BINFMT_HANDLERS,
  parseBinfmtEntry,
  type BinfmtHandler,
  type BinfmtHandlerState,
  type BinfmtStatus,
} from './binfmt-status.js';

/** Where Linux mounts binfmt_misc. */
export const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

/** Where to read from, and how (tests pass a fake reader). */
export interface ReadBinfmtOptions {
  dir?: string;
  readFile?: (path: string) => Promise<string>;
}

/** Reads `<dir>/status` and `<dir>/qemu-*`; a missing file means "not there", not an error. */
export async function readBinfmtStatus(options: ReadBinfmtOptions = {}): Promise<BinfmtStatus> {
  const dir = options.dir ?? BINFMT_DIR;
  const read = options.readFile ?? ((file: string) => fsReadFile(file, 'utf8'));
  const tryRead = async (name: string): Promise<string | undefined> => {
    try {
      return await read(`${dir}/${name}`);
    } catch {
      return undefined;
    }
  };
  const status = await tryRead('status');
  const handlers = Object.fromEntries(
    await Promise.all(
      BINFMT_HANDLERS.map(async (handler) => {
        const text = await tryRead(handler);
        return [handler, text === undefined ? 'missing' : parseBinfmtEntry(text)] as const;
      }),
    ),
  ) as Record<BinfmtHandler, BinfmtHandlerState>;
  return {
    mounted: status !== undefined,
    globallyEnabled: status !== undefined && parseBinfmtEntry(status) === 'enabled',
    handlers,
  };
}
