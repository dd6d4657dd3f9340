/**
 * Remote build logs arrive in pieces while the build runs: each piece says
 * at which byte offset of the log it starts. Appending is idempotent, so a
 * piece sent again after a lost answer is harmless, and a gap is reported
 * with the size the server has, so the worker resends from there.
 */
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';

/** What to do with a piece of `length` bytes starting at `offset`, given the file's `size`. Pure. */
export type AppendPlan =
  | { readonly kind: 'append'; /** Bytes of the piece the file already has. */ readonly skip: number }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'gap' };

export function planAppend(size: number, offset: number, length: number): AppendPlan {
  if (offset > size) return { kind: 'gap' };
  if (offset + length <= size) return { kind: 'duplicate' };
  return { kind: 'append', skip: size - offset };
}

/** The outcome: the log's size now, and whether the piece left a gap (nothing written then). */
export interface AppendResult {
  readonly size: number;
  readonly gap: boolean;
}

const queues = new Map<string, Promise<unknown>>();

/** Appends `piece` at `offset` of `file`, one piece per file at a time within this process. */
export function appendLogPiece(file: string, offset: number, piece: Buffer): Promise<AppendResult> {
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.then(
    () => append(file, offset, piece),
    () => append(file, offset, piece),
  );
  queues.set(file, next);
  void next.finally(() => {
    if (queues.get(file) === next) queues.delete(file);
  });
  return next;
}

async function append(file: string, offset: number, piece: Buffer): Promise<AppendResult> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'a');
  try {
    const size = (await handle.stat()).size;
    const plan = planAppend(size, offset, piece.length);
    if (plan.kind === 'gap') return { size, gap: true };
    if (plan.kind === 'duplicate') return { size, gap: false };
    const rest = piece.subarray(plan.skip);
    await handle.write(rest);
    return { size: size + rest.length, gap: false };
  } finally {
    await handle.close();
  }
}
