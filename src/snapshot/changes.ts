import type { HeldLock } from './lock.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { ChangeStatus, ChangedFile } from './types.js';

/**
 * Which paths differ between two trees, or between a tree and the persistent index, without
 * pairing renames.
 */

/** Git's well-known empty tree: every git knows it without storing it. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** Git's one-letter change codes (`--name-status`, `--raw`). */
export const STATUS: Record<string, ChangeStatus> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  T: 'type-changed',
  R: 'renamed',
  C: 'copied',
};

/** Paths that differ between two trees. */
export async function diffNames(
  ctx: StoreContext,
  lock: HeldLock,
  from: string,
  to: string,
  signal: AbortSignal | undefined,
): Promise<ChangedFile[]> {
  const out = await storeGit(
    ctx,
    lock,
    ['diff-tree', '-r', '-z', '--no-renames', '--name-status', '--end-of-options', from, to],
    { signal, noWorkTree: true },
  );
  return parseNameStatus(out.stdout);
}

/**
 * Paths that differ between a tree and the persistent index: the same answer as {@link diffNames}
 * against the index's tree, without waiting for that tree to be written.
 */
export async function diffIndexNames(
  ctx: StoreContext,
  lock: HeldLock,
  from: string,
  signal: AbortSignal | undefined,
  alternates: string[] | undefined,
): Promise<ChangedFile[]> {
  const out = await storeGit(
    ctx,
    lock,
    ['diff-index', '--cached', '-r', '-z', '--no-renames', '--name-status', '--end-of-options', from],
    { signal, alternates },
  );
  return parseNameStatus(out.stdout);
}

function parseNameStatus(stdout: string): ChangedFile[] {
  const parts = stdout.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = STATUS[parts[i]!.charAt(0)];
    if (status !== undefined) files.push({ path: parts[i + 1]!, status });
  }
  return files;
}
