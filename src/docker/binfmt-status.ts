/**
 * binfmt_misc as data: which qemu handlers the kernel has, and what that means
 * for running foreign-architecture containers. Pure; `binfmt.ts` reads /proc.
 */

/** The qemu handlers farm's targets can need. */
export const BINFMT_HANDLERS = ['qemu-arm', 'qemu-aarch64', 'qemu-x86_64'] as const;
export type BinfmtHandler = (typeof BINFMT_HANDLERS)[number];
export type BinfmtHandlerState = 'enabled' | 'disabled' | 'missing';

/** A snapshot of binfmt_misc on one machine. */
export interface BinfmtStatus {
  /** binfmt_misc is mounted at the directory read. */
  mounted: boolean;
  /** Its global switch (`status` file) is on. */
  globallyEnabled: boolean;
  handlers: Record<BinfmtHandler, BinfmtHandlerState>;
}

/** Anything that produces a binfmt snapshot: the real reader or a test double. */
export type BinfmtReader = () => Promise<BinfmtStatus>;

/** The first line of a handler (or `status`) file is `enabled` or `disabled`. */
export function parseBinfmtEntry(text: string): 'enabled' | 'disabled' {
  return text.split('\n', 1)[0]?.trim() === 'enabled' ? 'enabled' : 'disabled';
}

/** True when the kernel will actually hand binaries to `handler`. */
export function isHandlerUsable(status: BinfmtStatus, handler: BinfmtHandler): boolean {
  return status.mounted && status.globallyEnabled && status.handlers[handler] === 'enabled';
}
