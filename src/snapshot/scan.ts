import { isUtf8 } from 'node:buffer';
import { lstat, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { GitError, RolloutIOError, hasErrno } from '../errors.js';
import { FILE_MODE } from '../files/layout.js';
import { EMPTY_TREE, diffIndexNames } from './changes.js';
import type { HeldLock } from './lock.js';
import { removeTemporaries } from './loose-object.js';
import { compileFilter, fromByteString } from './path-filter.js';
import type { PathFilter } from './path-filter.js';
import { RefFiles } from './ref-files.js';
import { TEXT_FILE_BUDGET, copyRegularFile, readRegularText } from './repo-files.js';
import { settleAll } from './settle.js';
import { pathExists } from '../files/exists.js';
import { storeGit, writeIfChanged } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { ChangedFile, SkippedFile } from './types.js';

/**
 * Bringing the persistent index up to date with the workspace and writing its tree.
 *
 * One `git status` walks the workspace: it refreshes stat data (so a touched but unchanged file is
 * hashed once, not on every capture), lists what changed and what is new, and marks nested
 * repositories. Only those paths are checked against the filter, the size cap and readability,
 * then handed to one `update-index` over stdin, so an incremental capture hashes only what changed.
 *
 * Every entry of the index must stay one a capture may hold. Entries are re-checked as a whole
 * only when that may have stopped being true: on the first capture (the index is a copy of the
 * user's, with its skip-worktree and assume-unchanged bits, which are dropped: a snapshot is what
 * is on disk), when the filter changed (its fingerprint is kept in the store's `info/exclude`), when
 * a `.gitignore` of a plain folder changed, and when the size cap is below the largest file the
 * index may hold (a bound kept in `rollouts-index-state.json`, valid only for the exact index file
 * it was written beside, so an index written by anything else is checked again).
 *
 * Paths are byte strings here (git's bytes read as latin1), so names that are not UTF-8 are
 * captured byte-exact; results carry their UTF-8 reading.
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

/** Globs of one capture; each absent list is the store's default. */
export interface CaptureGlobs {
  include?: string[] | undefined;
  exclude?: string[] | undefined;
}

/**
 * Brings the index up to date and writes its tree; rebuilds the index once if it is unusable. A
 * failure removes the temporary files it left in the store.
 */
export async function writeWorkspaceTree(
  ctx: StoreContext,
  lock: HeldLock,
  maxFileSize: number,
  signal: AbortSignal | undefined,
  base?: Promise<TreeBase>,
  globs?: CaptureGlobs,
): Promise<WorkspaceTree> {
  const filter = compileFilter(
    ctx.excludedPrefixes,
    globs?.include ?? ctx.include,
    globs?.exclude ?? ctx.exclude,
  );
  try {
    try {
      return await updateIndexAndWriteTree(ctx, lock, maxFileSize, filter, signal, base, true);
    } catch (error) {
      // A damaged index (or one referring to objects a crash kept from being stored, or a copy of a
      // user's index git cannot use outside its repository, e.g. a split index) is only a cache:
      // start over from nothing. Not when the disk is full: that would only cost the cache.
      if (!(error instanceof GitError) || signal?.aborted || isOutOfSpace(error)) throw error;
      await removeTemporaries(ctx.gitDir);
      await removeIndex(ctx);
      return await updateIndexAndWriteTree(ctx, lock, maxFileSize, filter, signal, base, false);
    }
  } catch (error) {
    await removeTemporaries(ctx.gitDir);
    throw error;
  }
}

const OUT_OF_SPACE = /No space left on device|File too large|Disk quota exceeded/;
function isOutOfSpace(error: GitError): boolean {
  return OUT_OF_SPACE.test(error.stderr ?? '');
}

async function updateIndexAndWriteTree(
  ctx: StoreContext,
  lock: HeldLock,
  maxFileSize: number,
  filter: PathFilter,
  signal: AbortSignal | undefined,
  base: Promise<TreeBase> | undefined,
  allowSeed: boolean,
): Promise<WorkspaceTree> {
  const alternates = allowSeed ? await seedIndex(ctx) : undefined;
  const seeded = alternates !== undefined;
  const [filterChanged, state] = await Promise.all([syncExcludes(ctx, filter), readIndexState(ctx)]);
  let bound = state.bound;
  // An index written by something else: what the HEAD tree's bound does not cover is measured.
  let sinceTree: string | undefined;
  if (bound === undefined && !seeded && state.indexExists) {
    const tree = await headTree(ctx);
    bound = tree === undefined ? undefined : state.trees.get(tree);
    if (bound !== undefined) sinceTree = tree;
  }
  const plain = ctx.workspace.kind === 'plain';
  // A plain folder is walked in full (its .gitignore files honoured); a Git workspace lists new
  // folders collapsed, the one mode git 2.39's untracked cache serves.
  const statusArgs = [
    'status',
    '--porcelain=v2',
    '-z',
    '--ignore-submodules=all',
    '--no-renames',
    plain ? '--untracked-files=all' : '--untracked-files=normal',
  ];
  // Sizes of the indexed files are needed when the cap may be below one of them.
  const checkSizes = !seeded && (bound === undefined || bound > maxFileSize);
  const [status, listed, sinceHead] = await settleAll([
    // Optional locks on: status may write refreshed stat data and its untracked cache back to our
    // own index, so the next status skips unchanged files and folders.
    storeGit(ctx, lock, statusArgs, {
      signal,
      env: { GIT_OPTIONAL_LOCKS: '1' },
      alternates,
      binary: true,
    }),
    seeded || filterChanged || checkSizes
      ? storeGit(ctx, lock, ['ls-files', '-z', '-v', '--stage'], { signal, alternates, binary: true })
      : Promise.resolve(undefined),
    sinceTree !== undefined && !checkSizes
      ? storeGit(
          ctx,
          lock,
          [
            'diff-index',
            '--cached',
            '--raw',
            '-z',
            '--no-renames',
            '--no-abbrev',
            '--end-of-options',
            sinceTree,
          ],
          { signal, binary: true },
        )
      : Promise.resolve(undefined),
  ] as const);

  const skipped: SkippedFile[] = [];
  const candidates = new Map<string, 'added' | 'modified' | 'type-changed'>();
  let indexWasHead = true;
  // Entries removed for a reason status does not report: the changes then come from git.
  let reconciled = seeded || filterChanged;
  let gitignoreChanged = false;
  const forceRemove = new Set<string>();
  const removals = new Set<string>();
  const skip = (p: string, reason: SkippedFile['reason'], size?: number): void => {
    skipped.push(
      size === undefined ? { path: fromByteString(p), reason } : { path: fromByteString(p), reason, size },
    );
  };

  for (const warning of status.stderr.matchAll(/could not open directory '([^']*)'/g)) {
    if (warning[1] !== undefined) skipped.push({ path: warning[1], reason: 'unreadable' });
  }
  const newFolders: string[] = [];
  const seenFolders = new Set<string>();
  let submodules: Set<string> | undefined;
  const untracked = async (p: string): Promise<void> => {
    if (!p.endsWith('/')) {
      if (filter.keepFile(p)) candidates.set(p, 'added');
    } else if (!filter.mayHoldFiles(p.slice(0, -1))) {
      // nothing under it may be captured
    } else if (await isRepository(workspacePath(ctx.workspace.root, p))) {
      submodules ??= await submodulePaths(ctx.workspace.root);
      skip(p, submodules.has(p) ? 'submodule' : 'nested-repository');
    } else if (!seenFolders.has(p)) {
      seenFolders.add(p);
      newFolders.push(p);
    }
  };
  const tracked = (p: string): boolean => {
    if (filter.keepFile(p)) return true;
    forceRemove.add(p);
    reconciled = true;
    return false;
  };
  const records = status.stdout.toString('latin1').split('\0');
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    if (rec === '' || rec.startsWith('#')) continue;
    const kind = rec[0];
    if (kind === '?') {
      await untracked(rec.slice(2));
    } else if (kind === '1') {
      const { fields, rest } = splitFields(rec, 8);
      const y = fields[1]?.[1];
      if (fields[1]?.[0] !== '.') indexWasHead = false;
      if (!tracked(rest)) continue;
      if (fields[4] === '160000' || fields[5] === '160000') {
        skip(`${rest}/`, 'submodule');
        forceRemove.add(rest);
      } else if (y === 'D') removals.add(rest);
      else if (y !== undefined && y !== '.') candidates.set(rest, y === 'T' ? 'type-changed' : 'modified');
    } else if (kind === 'u') {
      indexWasHead = false;
      const { rest } = splitFields(rec, 10);
      if (tracked(rest)) candidates.set(rest, 'modified');
    } else if (kind === '2') {
      i++; // renames are off; skip the original path if one ever comes
    }
  }
  if (plain) {
    for (const p of [...candidates.keys(), ...removals]) if (isGitignore(p)) gitignoreChanged = true;
  }

  // Folders status showed collapsed: list their files (a nested repository shows as `dir/`).
  // Names that are not UTF-8 cannot travel as arguments: those few are found in a listing of all.
  const utf8Folders = newFolders.filter((f) => isUtf8(Buffer.from(f, 'latin1')));
  const otherFolders = newFolders.filter((f) => !utf8Folders.includes(f));
  const others = (paths: string[]): Promise<string[]> =>
    storeGit(ctx, lock, ['ls-files', '-z', '--others', '--exclude-standard', '--', ...paths], {
      signal,
      env: { GIT_LITERAL_PATHSPECS: '1' },
      binary: true,
    }).then((out) => out.stdout.toString('latin1').split('\0'));
  for (let i = 0; i < utf8Folders.length; i += 500) {
    const batch = utf8Folders.slice(i, i + 500).map(fromByteString);
    for (const p of await others(batch)) if (p !== '') await untracked(p);
  }
  if (otherFolders.length > 0) {
    for (const p of await others([])) {
      if (p !== '' && otherFolders.some((f) => p.startsWith(f))) await untracked(p);
    }
  }

  // The whole index, when it must be checked again (see the top of this file).
  const seededBlobs = new Map<string, string>();
  const sizeChecks: [string, string][] = [];
  for (const rec of listed ? listed.stdout.toString('latin1').split('\0') : []) {
    if (rec === '') continue;
    const { fields, rest: p } = splitFields(rec, 4, '\t');
    const [tag = '', mode, oid = '', stage] = fields;
    if (!filter.keepFile(p)) {
      forceRemove.add(p);
      continue;
    }
    // skip-worktree (S) or assume-unchanged (a lowercase tag): never trusted, never kept.
    const bits = tag === 'S' || tag !== tag.toUpperCase();
    if (mode === '160000') {
      if (seeded && !forceRemove.has(p)) skip(`${p}/`, 'submodule');
      forceRemove.add(p);
    } else if (stage !== '0') {
      candidates.set(p, 'modified');
    } else if (bits) {
      reconciled = true;
      forceRemove.add(p);
      if (!candidates.has(p)) candidates.set(p, 'modified');
      removals.delete(p);
    } else if (candidates.has(p) || removals.has(p) || mode === '120000') {
      // checked below, or a symbolic link (no size cap)
    } else if (seeded) {
      // Seeded entries that status found unchanged: their blob was made by the user's git, through
      // the user's filters and end-of-line settings, so it is only reused when it hashes equal to
      // the bytes on disk (hashing without writing is far cheaper than storing every file).
      seededBlobs.set(p, oid);
    } else if (checkSizes) {
      sizeChecks.push([p, oid]);
    }
  }
  if (sinceHead) {
    const parts = sinceHead.stdout.toString('latin1').split('\0');
    for (let i = 0; i + 1 < parts.length; i += 2) {
      // `:<old mode> <new mode> <old oid> <new oid> <status>`: the new side is the index.
      const [, mode, , oid = ''] = parts[i]!.split(' ');
      const p = parts[i + 1]!;
      if ((mode === '100644' || mode === '100755') && !candidates.has(p) && !removals.has(p)) {
        if (filter.keepFile(p)) sizeChecks.push([p, oid]);
      }
    }
  }
  if (plain && (filterChanged || gitignoreChanged)) {
    // Entries a .gitignore now ignores (git keeps ignored files it tracks; the store does not).
    const ignored = await storeGit(
      ctx,
      lock,
      ['ls-files', '-z', '--cached', '--ignored', '--exclude-standard'],
      {
        signal,
        binary: true,
      },
    );
    for (const p of ignored.stdout.toString('latin1').split('\0')) {
      if (p === '') continue;
      reconciled = true;
      forceRemove.add(p);
      candidates.delete(p);
    }
  }

  // The largest file the index holds after this update, for the next capture.
  let largest = checkSizes || seeded ? 0 : (bound ?? 0);
  if (sizeChecks.length > 0) {
    const out = await storeGit(ctx, lock, ['cat-file', '--batch-check=%(objectsize)'], {
      signal,
      input: `${sizeChecks.map(([, oid]) => oid).join('\n')}\n`,
    });
    const sizes = out.stdout.split('\n');
    sizeChecks.forEach(([p], i) => {
      const size = Number(sizes[i]);
      if (!Number.isSafeInteger(size)) return; // a missing object: write-tree reports it
      if (size > maxFileSize) {
        reconciled = true;
        forceRemove.add(p);
        skip(p, 'too-large', size);
      } else largest = Math.max(largest, size);
    });
  }

  const toUpdate: string[] = [...removals];
  const changes: ChangedFile[] = [...removals].map((p) => ({ path: fromByteString(p), status: 'deleted' }));
  await forEachLimited([...candidates], 64, async ([p, change]) => {
    const wasTracked = change !== 'added';
    const verdict = await classify(ctx.workspace.root, p, maxFileSize, true);
    if (verdict.kind === 'add') {
      largest = Math.max(largest, verdict.size);
      toUpdate.push(p);
      changes.push({ path: fromByteString(p), status: change });
      return;
    }
    if (verdict.kind === 'skip') skipped.push(verdict.skip);
    if (!wasTracked) return;
    if (verdict.kind === 'gone') toUpdate.push(p);
    else forceRemove.add(p);
    changes.push({ path: fromByteString(p), status: 'deleted' });
  });
  const toVerify: string[] = [];
  await forEachLimited([...seededBlobs.keys()], 64, async (p) => {
    const verdict = await classify(ctx.workspace.root, p, maxFileSize, false);
    if (verdict.kind === 'skip') {
      skipped.push(verdict.skip);
      forceRemove.add(p);
    } else if (verdict.kind === 'add') {
      largest = Math.max(largest, verdict.size);
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
        input: Buffer.from(`${toVerify.join('\n')}\n`, 'latin1'),
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
      input: Buffer.from([...forceRemove].join('\0'), 'latin1'),
    });
  }
  if (toUpdate.length > 0) {
    await storeGit(
      ctx,
      lock,
      ['update-index', '--index-version', '4', '--add', '--remove', '--replace', '-z', '--stdin'],
      { signal, input: Buffer.from(toUpdate.join('\0'), 'latin1') },
    );
  }
  // When the index held exactly the parent's tree, the paths just updated are the changes;
  // otherwise (another session captured in between, a rewind, a first capture, entries dropped
  // for a new filter or cap) git compares the index with the parent while the tree is written.
  // That reader is safe beside write-tree, which only adds the cache tree: it replaces `index` by
  // a rename and keeps its shared part.
  const { parent, indexHead } = (await base) ?? { parent: undefined, indexHead: undefined };
  const derived =
    base === undefined || (indexWasHead && !reconciled && parent !== undefined && indexHead === parent);
  const [written, changedFiles] = await settleAll([
    storeGit(ctx, lock, ['write-tree'], { signal, alternates }),
    derived
      ? Promise.resolve(changes.sort(byPath))
      : diffIndexNames(ctx, lock, parent ?? EMPTY_TREE, signal, alternates),
  ] as const);
  await writeIndexState(ctx, state, written.stdout, largest);
  skipped.sort(byPath);
  return { tree: written.stdout, skipped, alternates, changedFiles };
}

const isGitignore = (p: string): boolean => p === '.gitignore' || p.endsWith('/.gitignore');

/** A workspace path (byte string) on disk: a Buffer when its name is not ASCII. */
function workspacePath(root: string, p: string): string | Buffer {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(p)) return path.join(root, p);
  return Buffer.concat([Buffer.from(`${root}${path.sep}`), Buffer.from(p, 'latin1')]);
}

/**
 * The size bound of the indexed files: the largest file any update may have put in the index,
 * kept beside the exact index file it describes (its inode, size and times), and for each of the
 * last trees written (an upper bound of its files, true forever). When the index was written by
 * something else (a rewind's `read-tree`, a killed capture), the bound of the tree of the store's
 * HEAD still holds for every entry equal to that tree's, and only the others are measured.
 */
const STATE_FILE = 'rollouts-index-state.json';
const KEPT_TREES = 64;

interface IndexState {
  /** The bound for the index as it is, when known. */
  bound: number | undefined;
  /** Bounds of recent trees. */
  trees: Map<string, number>;
  indexExists: boolean;
}

async function indexIdentity(ctx: StoreContext): Promise<string | undefined> {
  try {
    const st = await stat(ctx.indexFile, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch (error) {
    if (hasErrno(error, 'ENOENT')) return undefined;
    throw new RolloutIOError('inspect', ctx.indexFile, error);
  }
}

async function readIndexState(ctx: StoreContext): Promise<IndexState> {
  const [identity, text] = await Promise.all([
    indexIdentity(ctx),
    readFile(path.join(ctx.gitDir, STATE_FILE), 'utf8').catch(() => undefined),
  ]);
  const trees = new Map<string, number>();
  let bound: number | undefined;
  try {
    const state = JSON.parse(text ?? 'null') as {
      index?: unknown;
      maxFileSize?: unknown;
      trees?: unknown;
    } | null;
    if (typeof state !== 'object' || state === null)
      return { bound: identity === undefined ? 0 : undefined, trees, indexExists: identity !== undefined };
    if (identity !== undefined && state.index === identity && typeof state.maxFileSize === 'number') {
      bound = state.maxFileSize;
    }
    if (typeof state.trees === 'object' && state.trees !== null) {
      for (const [tree, size] of Object.entries(state.trees)) {
        if (/^[0-9a-f]{40}$/.test(tree) && typeof size === 'number') trees.set(tree, size);
      }
    }
  } catch {
    // unreadable: nothing known
  }
  // No index: no entries.
  return { bound: identity === undefined ? 0 : bound, trees, indexExists: identity !== undefined };
}

/** Best effort: a bound that cannot be written is simply unknown next time. */
async function writeIndexState(
  ctx: StoreContext,
  state: IndexState,
  tree: string,
  largest: number,
): Promise<void> {
  const file = path.join(ctx.gitDir, STATE_FILE);
  const tmp = `${file}.rollouts-tmp`;
  state.trees.delete(tree);
  state.trees.set(tree, largest);
  const trees = [...state.trees].slice(-KEPT_TREES);
  try {
    const identity = await indexIdentity(ctx);
    const body = { index: identity ?? null, maxFileSize: largest, trees: Object.fromEntries(trees) };
    await writeFile(tmp, `${JSON.stringify(body)}\n`, { mode: FILE_MODE });
    await rename(tmp, file);
  } catch {
    await Promise.all([rm(tmp, { force: true }), rm(file, { force: true })]).catch(() => undefined);
  }
}

/** The tree of the store's HEAD commit when it is a loose object (every snapshot commit is). */
async function headTree(ctx: StoreContext): Promise<string | undefined> {
  try {
    const commit = await new RefFiles(ctx.gitDir).resolve('HEAD');
    if (commit === undefined || !/^[0-9a-f]{40}$/.test(commit)) return undefined;
    const raw = inflateSync(
      await readFile(path.join(ctx.gitDir, 'objects', commit.slice(0, 2), commit.slice(2))),
    );
    const head = raw.subarray(0, 100).toString('latin1');
    return /^commit \d+\0tree ([0-9a-f]{40})\n/.exec(head)?.[1];
  } catch {
    return undefined;
  }
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
    // Byte strings, like the paths they are compared with.
    text = await readFile(path.join(root, '.gitmodules'), 'latin1');
  } catch {
    return new Set();
  }
  const paths = [...text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)].map(
    (m) => `${m[1]!.replace(/^"|"$/g, '')}/`,
  );
  return new Set(paths);
}

async function isRepository(dir: string | Buffer): Promise<boolean> {
  try {
    await lstat(
      typeof dir === 'string' ? path.join(dir, '.git') : Buffer.concat([dir, Buffer.from('/.git')]),
    );
    return true;
  } catch {
    return false;
  }
}

type Verdict =
  { kind: 'add'; size: number } | { kind: 'gone' } | { kind: 'folder' } | { kind: 'skip'; skip: SkippedFile };

/** What to do with one path (a byte string); `size` counts toward the bound only for files. */
async function classify(root: string, p: string, maxFileSize: number, checkRead: boolean): Promise<Verdict> {
  const abs = workspacePath(root, p);
  const shown = fromByteString(p);
  let st;
  try {
    st = await lstat(abs);
  } catch (error) {
    if (hasErrno(error, 'ENOENT', 'ENOTDIR')) return { kind: 'gone' };
    if (hasErrno(error, 'EACCES', 'EPERM'))
      return { kind: 'skip', skip: { path: shown, reason: 'unreadable' } };
    throw new RolloutIOError('inspect', path.join(root, shown), error);
  }
  if (st.isSymbolicLink()) return { kind: 'add', size: 0 };
  if (st.isDirectory()) return { kind: 'folder' };
  if (!st.isFile()) return { kind: 'skip', skip: { path: shown, reason: 'special-file' } };
  if (st.size > maxFileSize) {
    return { kind: 'skip', skip: { path: shown, reason: 'too-large', size: st.size } };
  }
  if (checkRead) {
    try {
      await access(abs, constants.R_OK);
    } catch {
      return { kind: 'skip', skip: { path: shown, reason: 'unreadable' } };
    }
  }
  return { kind: 'add', size: st.size };
}

/**
 * On the first capture of a Git workspace, starts the persistent index from a copy of the user's:
 * its stat data lets status skip every unchanged file and its blobs are already hashed. Returns the
 * user's object folder, needed until the capture's objects are copied into the store.
 */
async function seedIndex(ctx: StoreContext): Promise<string[] | undefined> {
  const ws = ctx.workspace;
  if (ws.kind !== 'git' || ws.gitDir === undefined || ws.commonDir === undefined) return undefined;
  if (await pathExists(ctx.indexFile, { followLinks: true })) return undefined;
  // Never blocks: a FIFO or device in place of the user's index is an error naming it.
  if (!(await copyRegularFile(path.join(ws.gitDir, 'index'), ctx.indexFile, 'the index'))) return undefined;
  return [path.join(ws.commonDir, 'objects')];
}

/**
 * The store's info/exclude: the user's own (Git workspaces) plus every part of the home inside the
 * workspace, and the fingerprint of the capture's filter. Returns whether it changed.
 */
async function syncExcludes(ctx: StoreContext, filter: PathFilter): Promise<boolean> {
  let text = `# Maintained by agent-rollouts; rewritten on every capture.\n# filter ${filter.fingerprint}\n`;
  const ws = ctx.workspace;
  if (ws.kind === 'git' && ws.commonDir !== undefined) {
    // Bounded and never blocking: a FIFO or device there is an error naming it.
    const own = await readRegularText(path.join(ws.commonDir, 'info', 'exclude'), TEXT_FILE_BUDGET);
    if (own !== undefined) text += `${own}\n`;
  }
  for (const prefix of ctx.excludedPrefixes) text += `/${escapePattern(prefix)}\n`;
  return writeIfChanged(path.join(ctx.gitDir, 'info', 'exclude'), text);
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
