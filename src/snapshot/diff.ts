import { STATUS } from './changes.js';
import { settleAll } from './settle.js';
import type { HeldLock } from './lock.js';
import { resolveSnapshot } from './restore.js';
import { writeWorkspaceTree } from './scan.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { DiffEntry, DiffSide, SnapshotDiff } from './types.js';

/**
 * Differences between two snapshots or a snapshot and the live workspace. The live side is the
 * tree of the persistent index brought up to date (no commit, no ref), so it costs what an
 * incremental capture costs and honours the same ignore rules, cap and skips.
 */

export async function diffLocked(
  ctx: StoreContext,
  lock: HeldLock,
  from: DiffSide,
  to: DiffSide,
  options: { patch: boolean; maxFileSize: number; signal: AbortSignal | undefined },
): Promise<SnapshotDiff> {
  const { signal } = options;
  const treeOf = async (side: DiffSide): Promise<string> =>
    side === 'workspace'
      ? (await writeWorkspaceTree(ctx, lock, options.maxFileSize, signal)).tree
      : (await resolveSnapshot(ctx, lock, side, signal)).tree;
  // One after the other: both sides may need the index.
  const fromTree = await treeOf(from);
  const toTree = from === 'workspace' && to === 'workspace' ? fromTree : await treeOf(to);
  const base = ['-r', '-z', '-M', '--end-of-options', fromTree, toTree];
  const git = (args: string[]): ReturnType<typeof storeGit> =>
    storeGit(ctx, lock, ['diff-tree', ...args], { signal, noWorkTree: true });
  const [raw, numstat, patch] = await settleAll([
    git(['--raw', ...base]),
    git(['--numstat', ...base]),
    options.patch
      ? storeGit(
          ctx,
          lock,
          ['diff-tree', '-r', '-p', '-M', '--binary', '--end-of-options', fromTree, toTree],
          {
            signal,
            noWorkTree: true,
            stripFinalNewline: false,
          },
        )
      : Promise.resolve(undefined),
  ] as const);
  const files = parseRaw(raw.stdout);
  const counts = parseNumstat(numstat.stdout);
  files.forEach((f, i) => {
    const c = counts[i];
    if (c !== undefined) Object.assign(f, c);
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { fromTree, toTree, files, ...(patch ? { patch: patch.stdout } : {}) };
}

function parseRaw(out: string): DiffEntry[] {
  const parts = out.split('\0');
  const files: DiffEntry[] = [];
  for (let i = 0; i < parts.length;) {
    const head = parts[i++]!;
    if (!head.startsWith(':')) continue;
    const letter = head.split(' ')[4]?.charAt(0) ?? '';
    const status = STATUS[letter] ?? 'modified';
    if (letter === 'R' || letter === 'C') {
      const oldPath = parts[i++]!;
      const newPath = parts[i++]!;
      files.push({ path: newPath, oldPath, status, additions: null, deletions: null, binary: false });
    } else {
      files.push({ path: parts[i++]!, status, additions: null, deletions: null, binary: false });
    }
  }
  return files;
}

function parseNumstat(out: string): Pick<DiffEntry, 'additions' | 'deletions' | 'binary'>[] {
  const parts = out.split('\0');
  const counts: Pick<DiffEntry, 'additions' | 'deletions' | 'binary'>[] = [];
  for (let i = 0; i < parts.length;) {
    const rec = parts[i++]!;
    if (rec === '') continue;
    const [added, deleted, pathPart] = rec.split('\t');
    // A rename or copy leaves the path field empty; its two paths follow.
    if (pathPart === '') i += 2;
    const binary = added === '-';
    counts.push({
      additions: binary ? null : Number(added),
      deletions: binary ? null : Number(deleted),
      binary,
    });
  }
  return counts;
}
