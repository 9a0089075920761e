import { lstat, readFile, readdir, rm } from 'node:fs/promises';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { GitError, RolloutIOError, hasErrno } from '../errors.js';
import { EMPTY_TREE, diffIndexNames } from './changes.js';
import type { HeldLock } from './lock.js';
import { TEXT_FILE_BUDGET, copyRegularFile, readRegularText } from './repo-files.js';
import { settleAll } from './settle.js';
import { exists, storeGit, writeIfChanged } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { ChangedFile, SkippedFile } from './types.js';

/**
 * Bringing the persistent index up to date with the workspace and writing its tree.
 *
 * One `git status` walks the workspace: it refreshes stat data (so a touched but unchanged file is
 * hashed once, not on every capture), lists what changed and what is new, and marks nested
 * repositories. Only those paths are checked against the size cap and readability, then handed to
 * one `update-index` over stdin, so an incremental capture hashes only what changed.
 */

export interface WorkspaceTree {
  tree: string;
  skipped: SkippedFile[];
  /**
   * With a base, the paths that differ from the tree of its parent (from nothing without one);
   * without, the paths this update changed in the index.
   */
  changedFiles: ChangedFile[];
  /** Object folders the tree's blobs may still live in (the user's, on a seeded first capture). */
  alternates: string[] | undefined;
}

/** What the changes of a capture are counted from. */
export interface TreeBase {
  /** The commit the capture builds on (the session's previous capture), if any. */
  parent: string | undefined;
  /** The store's HEAD: the commit whose tree the index holds after the previous capture. */
  indexHead: string | undefined;
}

/** Brings the index up to date and writes its tree; rebuilds the index once if it is unusable. */
export async function writeWorkspaceTree(
  ctx: StoreContext,
  lock: HeldLock,
  maxFileSize: number,
  signal: AbortSignal | undefined,
  base?: Promise<TreeBase>,
): Promise<WorkspaceTree> {
  try {
    return await updateIndexAndWriteTree(ctx, lock, maxFileSize, signal, base, true);
  } catch (error) {
    // A damaged index (or one referring to objects a crash kept from being stored, or a copy of a
    // user's index git cannot use outside its repository, e.g. a split index) is only a cache:
    // start over from nothing.
    if (!(error instanceof GitError) || signal?.aborted) throw error;
    await removeIndex(ctx);
    return updateIndexAndWriteTree(ctx, lock, maxFileSize, signal, base, false);
  }
}

async function updateIndexAndWriteTree(
  ctx: StoreContext,
  lock: HeldLock,
  maxFileSize: number,
  signal: AbortSignal | undefined,
  base: Promise<TreeBase> | undefined,
  allowSeed: boolean,
): Promise<WorkspaceTree> {
  const alternates = allowSeed ? await seedIndex(ctx) : undefined;
  await syncExcludes(ctx);
  const plain = ctx.workspace.kind === 'plain';
  const statusArgs = [
    'status',
    '--porcelain=v2',
    '-z',
    '--ignore-submodules=all',
    '--no-renames',
    // A plain folder keeps every file, .gitignore or not: ignored paths are listed and added too.
    // A Git workspace lists new folders collapsed, the one mode git 2.39's untracked cache serves.
    ...(plain ? ['--untracked-files=all', '--ignored=traditional'] : ['--untracked-files=normal']),
  ];
  const [status, staged] = await settleAll([
    // Optional locks on: status may write refreshed stat data and its untracked cache back to our
    // own index, so the next status skips unchanged files and folders.
    storeGit(ctx, lock, statusArgs, { signal, env: { GIT_OPTIONAL_LOCKS: '1' }, alternates }),
    alternates
      ? storeGit(ctx, lock, ['ls-files', '-z', '--stage'], { signal, alternates })
      : Promise.resolve(undefined),
  ] as const);

  const skipped: SkippedFile[] = [];
  const candidates = new Map<string, 'added' | 'modified' | 'type-changed'>();
  let indexWasHead = true;
  const forceRemove = new Set<string>();
  const removals = new Set<string>();
  const excluded = (p: string): boolean =>
    ctx.excludedPrefix !== undefined && p.startsWith(ctx.excludedPrefix);

  for (const warning of status.stderr.matchAll(/could not open directory '([^']*)'/g)) {
    if (warning[1] !== undefined) skipped.push({ path: warning[1], reason: 'unreadable' });
  }
  const newFolders: string[] = [];
  const seenFolders = new Set<string>();
  let submodules: Set<string> | undefined;
  const untracked = async (p: string): Promise<void> => {
    if (excluded(p)) return;
    if (!p.endsWith('/')) candidates.set(p, 'added');
    else if (await isRepository(path.join(ctx.workspace.root, p))) {
      submodules ??= await submodulePaths(ctx.workspace.root);
      skipped.push({ path: p, reason: submodules.has(p) ? 'submodule' : 'nested-repository' });
    } else if (!seenFolders.has(p)) {
      seenFolders.add(p);
      newFolders.push(p);
    }
  };
  const records = status.stdout.split('\0');
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    if (rec === '' || rec.startsWith('#')) continue;
    const kind = rec[0];
    if (kind === '?' || kind === '!') {
      await untracked(rec.slice(2));
    } else if (kind === '1') {
      const { fields, rest } = splitFields(rec, 8);
      const y = fields[1]?.[1];
      if (fields[1]?.[0] !== '.') indexWasHead = false;
      if (excluded(rest)) continue;
      if (fields[4] === '160000' || fields[5] === '160000') {
        skipped.push({ path: `${rest}/`, reason: 'submodule' });
        forceRemove.add(rest);
      } else if (y === 'D') removals.add(rest);
      else if (y !== undefined && y !== '.') candidates.set(rest, y === 'T' ? 'type-changed' : 'modified');
    } else if (kind === 'u') {
      indexWasHead = false;
      const { rest } = splitFields(rec, 10);
      if (!excluded(rest)) candidates.set(rest, 'modified');
    } else if (kind === '2') {
      i++; // renames are off; skip the original path if one ever comes
    }
  }

  // Folders status showed collapsed: list their files (a nested repository shows as `dir/`).
  for (let i = 0; i < newFolders.length; i += 500) {
    const out = await storeGit(
      ctx,
      lock,
      [
        'ls-files',
        '-z',
        '--others',
        // Same rules as the status above: a plain folder ignores only the snapshots folder.
        plain ? `--exclude-from=${path.join(ctx.gitDir, 'info', 'exclude')}` : '--exclude-standard',
        '--',
        ...newFolders.slice(i, i + 500),
      ],
      { signal, env: { GIT_LITERAL_PATHSPECS: '1' } },
    );
    for (const p of out.stdout.split('\0')) if (p !== '') await untracked(p);
  }

  // Seeded entries that status found unchanged: their blob was made by the user's git, through the
  // user's filters and end-of-line settings, so it is only reused when it hashes equal to the bytes
  // on disk (hashing without writing is far cheaper than compressing and storing every file).
  const seededBlobs = new Map<string, string>();
  if (staged) {
    for (const rec of staged.stdout.split('\0')) {
      if (rec === '') continue;
      const { fields, rest } = splitFields(rec, 3, '\t');
      if (excluded(rest)) continue;
      if (fields[0] === '160000') {
        if (!forceRemove.has(rest)) skipped.push({ path: `${rest}/`, reason: 'submodule' });
        forceRemove.add(rest);
      } else if (fields[2] !== '0') candidates.set(rest, 'modified');
      else if (fields[0] !== '120000' && !candidates.has(rest) && !removals.has(rest)) {
        seededBlobs.set(rest, fields[1] ?? '');
      }
    }
  }

  const toUpdate: string[] = [...removals];
  const changes: ChangedFile[] = [...removals].map((p) => ({ path: p, status: 'deleted' }));
  await forEachLimited([...candidates], 64, async ([p, change]) => {
    const tracked = change !== 'added';
    const verdict = await classify(ctx.workspace.root, p, maxFileSize, true);
    if (verdict.kind === 'add') {
      toUpdate.push(p);
      changes.push({ path: p, status: change });
      return;
    }
    if (verdict.kind === 'skip') skipped.push(verdict.skip);
    if (!tracked) return;
    if (verdict.kind === 'gone') toUpdate.push(p);
    else forceRemove.add(p);
    changes.push({ path: p, status: 'deleted' });
  });
  const toVerify: string[] = [];
  await forEachLimited([...seededBlobs.keys()], 64, async (p) => {
    const verdict = await classify(ctx.workspace.root, p, maxFileSize, false);
    if (verdict.kind === 'skip') {
      skipped.push(verdict.skip);
      forceRemove.add(p);
    } else if (verdict.kind === 'add') {
      // One path per line: a name with a line break or a leading quote is simply hashed again.
      if (/[\n"]/.test(p)) {
        forceRemove.add(p);
        toUpdate.push(p);
      } else toVerify.push(p);
    }
  });
  if (toVerify.length > 0) {
    const hashes = (
      await storeGit(ctx, lock, ['hash-object', '--no-filters', '--stdin-paths'], {
        signal,
        input: `${toVerify.join('\n')}\n`,
      })
    ).stdout.split('\n');
    toVerify.forEach((p, i) => {
      if (hashes[i] === seededBlobs.get(p)) return;
      // update-index keeps an entry whose stat data matches the file, so drop it to force a re-hash.
      forceRemove.add(p);
      toUpdate.push(p);
    });
  }

  if (forceRemove.size > 0) {
    await storeGit(ctx, lock, ['update-index', '--force-remove', '-z', '--stdin'], {
      signal,
      input: [...forceRemove].join('\0'),
    });
  }
  if (toUpdate.length > 0) {
    await storeGit(
      ctx,
      lock,
      ['update-index', '--index-version', '4', '--add', '--remove', '--replace', '-z', '--stdin'],
      {
        signal,
        input: toUpdate.join('\0'),
      },
    );
  }
  // When the index held exactly the parent's tree, the paths just updated are the changes;
  // otherwise (another session captured in between, a rewind, a first capture) git compares the
  // index with the parent while the tree is written. That reader is safe beside write-tree, which
  // only adds the cache tree: it replaces `index` by a rename and keeps its shared part.
  const { parent, indexHead } = (await base) ?? { parent: undefined, indexHead: undefined };
  const derived =
    base === undefined || (indexWasHead && !staged && parent !== undefined && indexHead === parent);
  const [written, changedFiles] = await settleAll([
    storeGit(ctx, lock, ['write-tree'], { signal, alternates }),
    derived
      ? Promise.resolve(changes.sort(byPath))
      : diffIndexNames(ctx, lock, parent ?? EMPTY_TREE, signal, alternates),
  ] as const);
  skipped.sort(byPath);
  return { tree: written.stdout, skipped, alternates, changedFiles };
}

/** Removes the persistent index with the shared index files of its split form. */
async function removeIndex(ctx: StoreContext): Promise<void> {
  let names: string[] = [];
  try {
    names = await readdir(ctx.gitDir);
  } catch (cause) {
    throw new RolloutIOError('list', ctx.gitDir, cause);
  }
  const shared = names.filter((n) => n.startsWith('sharedindex.')).map((n) => path.join(ctx.gitDir, n));
  await Promise.all([ctx.indexFile, ...shared].map((f) => rm(f, { force: true })));
}

const byPath = (a: { path: string }, b: { path: string }): number =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

/** Submodule folders (`dir/`) named in the workspace's .gitmodules, to label skips precisely. */
async function submodulePaths(root: string): Promise<Set<string>> {
  let text = '';
  try {
    text = await readFile(path.join(root, '.gitmodules'), 'utf8');
  } catch {
    return new Set();
  }
  const paths = [...text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)].map(
    (m) => `${m[1]!.replace(/^"|"$/g, '')}/`,
  );
  return new Set(paths);
}

async function isRepository(dir: string): Promise<boolean> {
  try {
    await lstat(path.join(dir, '.git'));
    return true;
  } catch {
    return false;
  }
}

type Verdict = { kind: 'add' } | { kind: 'gone' } | { kind: 'folder' } | { kind: 'skip'; skip: SkippedFile };

async function classify(root: string, p: string, maxFileSize: number, checkRead: boolean): Promise<Verdict> {
  const abs = path.join(root, p);
  let st;
  try {
    st = await lstat(abs);
  } catch (error) {
    if (hasErrno(error, 'ENOENT', 'ENOTDIR')) return { kind: 'gone' };
    if (hasErrno(error, 'EACCES', 'EPERM')) return { kind: 'skip', skip: { path: p, reason: 'unreadable' } };
    throw new RolloutIOError('inspect', abs, error);
  }
  if (st.isSymbolicLink()) return { kind: 'add' };
  if (st.isDirectory()) return { kind: 'folder' };
  if (!st.isFile()) return { kind: 'skip', skip: { path: p, reason: 'special-file' } };
  if (st.size > maxFileSize) return { kind: 'skip', skip: { path: p, reason: 'too-large', size: st.size } };
  if (checkRead) {
    try {
      await access(abs, constants.R_OK);
    } catch {
      return { kind: 'skip', skip: { path: p, reason: 'unreadable' } };
    }
  }
  return { kind: 'add' };
}

/**
 * On the first capture of a Git workspace, starts the persistent index from a copy of the user's:
 * its stat data lets status skip every unchanged file and its blobs are already hashed. Returns the
 * user's object folder, needed until the capture's objects are copied into the store.
 */
async function seedIndex(ctx: StoreContext): Promise<string[] | undefined> {
  const ws = ctx.workspace;
  if (ws.kind !== 'git' || ws.gitDir === undefined || ws.commonDir === undefined) return undefined;
  if (await exists(ctx.indexFile)) return undefined;
  // Never blocks: a FIFO or device in place of the user's index is an error naming it.
  if (!(await copyRegularFile(path.join(ws.gitDir, 'index'), ctx.indexFile, 'the index'))) return undefined;
  return [path.join(ws.commonDir, 'objects')];
}

/** The store's info/exclude: the user's own (Git workspaces) plus the snapshots folder. */
async function syncExcludes(ctx: StoreContext): Promise<void> {
  let text = '# Maintained by agent-rollouts; rewritten on every capture.\n';
  const ws = ctx.workspace;
  if (ws.kind === 'git' && ws.commonDir !== undefined) {
    // Bounded and never blocking: a FIFO or device there is an error naming it.
    const own = await readRegularText(path.join(ws.commonDir, 'info', 'exclude'), TEXT_FILE_BUDGET);
    if (own !== undefined) text += `${own}\n`;
  }
  if (ctx.excludedPrefix !== undefined) text += `/${escapePattern(ctx.excludedPrefix)}\n`;
  await writeIfChanged(path.join(ctx.gitDir, 'info', 'exclude'), text);
}

function escapePattern(p: string): string {
  return p.replace(/[\\*?[\]!# ]/g, (c) => `\\${c}`);
}

function splitFields(rec: string, count: number, last = ' '): { fields: string[]; rest: string } {
  const fields: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const sep = i === count - 1 ? last : ' ';
    const next = rec.indexOf(sep, at);
    if (next < 0) return { fields, rest: '' };
    fields.push(rec.slice(at, next));
    at = next + 1;
  }
  return { fields, rest: rec.slice(at) };
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
