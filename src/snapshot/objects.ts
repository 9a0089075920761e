import type { HeldLock } from './lock.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';

/** Reading a store's objects in bulk, one `cat-file` per call whatever the number of objects. */

/** The type and size of each of `oids` the store has (missing ones are left out). */
export async function objectInfo(
  ctx: StoreContext,
  lock: HeldLock,
  oids: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, { type: string; size: number }>> {
  const out = new Map<string, { type: string; size: number }>();
  if (oids.length === 0) return out;
  const listed = await storeGit(
    ctx,
    lock,
    ['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'],
    {
      signal,
      noWorkTree: true,
      input: `${oids.join('\n')}\n`,
    },
  );
  for (const line of listed.stdout.split('\n')) {
    const [oid, type, size] = line.split(' ');
    if (oid && type && size && /^\d+$/.test(size)) out.set(oid, { type, size: Number(size) });
  }
  return out;
}

/** The contents of each of `oids` the store has, through one `cat-file --batch`. */
export async function readObjects(
  ctx: StoreContext,
  lock: HeldLock,
  oids: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (oids.length === 0) return out;
  const bytes = (
    await storeGit(ctx, lock, ['cat-file', '--batch'], {
      signal,
      noWorkTree: true,
      binary: true,
      input: `${oids.join('\n')}\n`,
    })
  ).stdout;
  let at = 0;
  while (at < bytes.length) {
    const nl = bytes.indexOf(10, at);
    if (nl < 0) break;
    const [oid, type, size] = bytes.subarray(at, nl).toString('latin1').split(' ');
    at = nl + 1;
    if (type === 'missing' || oid === undefined || size === undefined) continue;
    const n = Number(size);
    out.set(oid, bytes.subarray(at, at + n));
    at += n + 1;
  }
  return out;
}

/** The tree of each of `commits` the store has (missing ones are left out). */
export async function treesOf(
  ctx: StoreContext,
  lock: HeldLock,
  commits: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const trees = new Map<string, string>();
  if (commits.length === 0) return trees;
  const listed = await storeGit(ctx, lock, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
    signal,
    noWorkTree: true,
    input: `${commits.map((c) => `${c}^{tree}`).join('\n')}\n`,
  });
  // One line per commit, in order: `<tree> tree`, or `<commit>^{tree} missing`.
  listed.stdout
    .split('\n')
    .slice(0, commits.length)
    .forEach((line, i) => {
      const [oid, type] = line.split(' ');
      if (type === 'tree' && oid !== undefined) trees.set(commits[i]!, oid);
    });
  return trees;
}
