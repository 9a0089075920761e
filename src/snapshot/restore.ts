import { randomBytes, randomUUID } from 'node:crypto';
import { lstat, realpath, unlink } from 'node:fs/promises';
import path from 'node:path';
import { RewindFailedError, RewindRefusedError, SnapshotNotFoundError } from '../errors.js';
import { ApplyError, applyPlan } from './backup-apply.js';
import type { BlobReader } from './backup-apply.js';
import { bytesOf, fsPath, planState, shownPath } from './backup-plan.js';
import type { Plan, Want } from './backup-plan.js';
import {
  clearJournal,
  readManifest,
  tempName,
  undoCommand,
  writeJournal,
  writeManifest,
} from './backup-store.js';
import type { BeforeEntry, RewindManifest } from './backup-store.js';
import { captureLocked, readRefs } from './capture.js';
import { checkoutTreeInto } from './checkout.js';
import type { HeldLock } from './lock.js';
import { messageRef } from './refs.js';
import { objectInfo, readObjects } from './objects.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { RestoreToDestResult, RewindResult, SnapshotRef } from './types.js';

/** The commit and tree of a snapshot, or SnapshotNotFoundError. */
export async function resolveSnapshot(
  ctx: StoreContext,
  lock: HeldLock,
  ref: SnapshotRef,
  signal: AbortSignal | undefined,
): Promise<{ commit: string; tree: string }> {
  const name = messageRef(ref.sessionId, ref.messageId);
  const found = (await readRefs(ctx, lock, [name], signal)).get(name);
  if (found === undefined) throw new SnapshotNotFoundError(ref.sessionId, ref.messageId, ctx.gitDir);
  return found;
}

/**
 * Writes a snapshot into a new folder. Git writes the tree (it refuses `..` and `.git` entries and
 * never writes through a symlink); a rewind's backup then gets what its tree cannot hold from its
 * manifest: exact modes, ignored files, empty folders.
 */
export async function restoreToDest(
  ctx: StoreContext,
  lock: HeldLock,
  ref: SnapshotRef,
  dest: string,
  signal: AbortSignal | undefined,
): Promise<RestoreToDestResult> {
  const target = await resolveSnapshot(ctx, lock, ref, signal);
  const manifest = await readManifest(ctx, lock, ref, signal);
  const written = await checkoutTreeInto({
    gitDir: ctx.gitDir,
    tree: target.tree,
    dest,
    lockFd: lock.fd,
    signal,
  });
  if (manifest !== undefined) {
    const root = await realpath(written);
    const plan = await planState({
      root,
      wants: exactWants(manifest.entries),
      known: new Map(),
      prune: [],
      protect: [],
      maxFileSize: Number.MAX_SAFE_INTEGER,
      gitDir: undefined,
    });
    if (plan.refused.length > 0) throw refusal(written, plan);
    await apply(ctx, lock, root, plan, randomBytes(6).toString('hex'));
  }
  return { mode: 'dest', dest: written, ...target };
}

/**
 * Rewinds the workspace to a snapshot without ever losing what it replaces.
 *
 * 1. Capture the workspace (the backup snapshot), then diff its tree with the target's: only the
 *    paths that differ are touched. Restoring a rewind's own backup also wants every path of its
 *    manifest exactly as recorded: that is the undo.
 * 2. Plan (backup-plan.ts): what is on disk at each path and in the way (ignored files, folders,
 *    symlinks) is recorded with bytes and full modes; what cannot be (nested repositories, files
 *    over the cap, unreadable or special files) refuses the rewind before anything is written.
 *    Paths in the home (when it lies in the workspace) are never touched.
 * 3. Store the manifest beside the backup and write the journal: from here on the undo command
 *    brings the workspace back, whatever happens to this process.
 * 4. Apply (backup-apply.ts). On failure the workspace is put back from the manifest; the error
 *    names the backup and the undo command either way.
 */
export async function rewindInPlace(
  ctx: StoreContext,
  lock: HeldLock,
  ref: SnapshotRef,
  options: { backup: SnapshotRef | undefined; maxFileSize: number; signal: AbortSignal | undefined },
): Promise<RewindResult> {
  const { signal } = options;
  const root = ctx.workspace.root;
  const target = await resolveSnapshot(ctx, lock, ref, signal);
  const manifest = await readManifest(ctx, lock, ref, signal);
  // An undo after a killed rewind: its temporary files go first, so the backup does not hold them.
  if (manifest !== undefined) await removeTemps(root, manifest);
  const backupRef = options.backup ?? {
    sessionId: ref.sessionId,
    messageId: `restore-backup:${new Date().toISOString()}:${randomUUID()}`,
  };
  const backup = await captureLocked(ctx, lock, {
    sessionId: backupRef.sessionId,
    messageId: backupRef.messageId,
    metadata: { kind: 'restore-backup', restoring: { ...ref, commit: target.commit } },
    replace: false,
    maxFileSize: options.maxFileSize,
    signal,
  });
  const undo = undoCommand(root, ctx.home, backupRef);

  const wants = new Map<string, Want>();
  const known = new Map<string, { kind: 'file' | 'symlink'; oid: string }>();
  const prune = new Set<string>();
  for (const c of await rawDiff(ctx, lock, backup.tree, target.tree, signal)) {
    if (c.oldMode === '100644' || c.oldMode === '100755' || c.oldMode === '120000') {
      known.set(c.path, { kind: c.oldMode === '120000' ? 'symlink' : 'file', oid: c.oldOid });
    }
    if (c.newMode === '000000') {
      wants.set(c.path, { kind: 'absent' });
      for (let i = c.path.lastIndexOf('/'); i > 0; i = c.path.lastIndexOf('/', i - 1)) {
        prune.add(c.path.slice(0, i));
      }
    } else if (c.newMode === '120000') wants.set(c.path, { kind: 'symlink', oid: c.newOid });
    else if (c.newMode === '100644' || c.newMode === '100755') {
      wants.set(c.path, {
        kind: 'file',
        oid: c.newOid,
        mode: c.newMode === '100755' ? 0o755 : 0o644,
        exact: false,
      });
    }
  }
  if (manifest !== undefined) {
    for (const [p, w] of exactWants(manifest.entries)) wants.set(p, w);
    // The manifest says which folders the rewind made or removed; any other stays, empty or not.
    prune.clear();
  }

  const protect = await protectedPrefixes(ctx);
  const plan = await planState({
    root,
    wants,
    known,
    prune,
    protect,
    maxFileSize: options.maxFileSize,
    gitDir: ctx.gitDir,
  });
  if (plan.refused.length > 0) throw refusal(root, plan);
  signal?.throwIfAborted();

  const nonce = randomBytes(6).toString('hex');
  const record: RewindManifest = {
    version: 1,
    nonce,
    target: { ...ref, commit: target.commit },
    entries: plan.before,
  };
  await writeManifest(ctx, backupRef, backup.commit, record, plan.extraBlobs);
  const result: RewindResult = {
    mode: 'in-place',
    ...target,
    backup,
    undo,
    written: plan.writes.map((w) => shownPath(w.path)),
    removed: removedFiles(plan).map(shownPath),
    protectedPaths: plan.protectedPaths.map(shownPath),
  };
  if (!changes(plan)) return result;

  writeJournal(ctx.gitDir, {
    workspace: root,
    backup: backupRef,
    target: ref,
    startedAt: new Date().toISOString(),
    undo,
  });
  try {
    await apply(ctx, lock, root, plan, nonce);
  } catch (error) {
    const changed = error instanceof ApplyError ? error.changed : true;
    const cause = error instanceof ApplyError ? error.cause : error;
    let restored = !changed;
    let restoreError: unknown;
    if (changed) {
      try {
        await putBack(ctx, lock, plan.before, protect);
        restored = true;
      } catch (e) {
        restoreError = e;
      }
    }
    if (restored) clearJournal(ctx.gitDir);
    throw new RewindFailedError({ workspace: root, backup: backupRef, undo, restored, cause, restoreError });
  }
  clearJournal(ctx.gitDir);
  return result;
}

/** Puts every path of `before` back as it was (after a failed rewind). */
async function putBack(
  ctx: StoreContext,
  lock: HeldLock,
  before: BeforeEntry[],
  protect: string[],
): Promise<void> {
  const plan = await planState({
    root: ctx.workspace.root,
    wants: exactWants(before),
    known: new Map(),
    prune: [],
    protect,
    maxFileSize: Number.MAX_SAFE_INTEGER,
    gitDir: undefined,
  });
  if (plan.refused.length > 0) throw refusal(ctx.workspace.root, plan);
  await apply(ctx, lock, ctx.workspace.root, plan, randomBytes(6).toString('hex'));
}

async function apply(
  ctx: StoreContext,
  lock: HeldLock,
  root: string,
  plan: Plan,
  nonce: string,
): Promise<void> {
  const oids = [...new Set(plan.writes.map((w) => w.want.oid))];
  const sizes = new Map([...(await objectInfo(ctx, lock, oids))].map(([oid, o]) => [oid, o.size]));
  const read: BlobReader = (wanted) => readObjects(ctx, lock, wanted);
  await applyPlan({ root, plan, nonce, read, sizes });
}

function changes(plan: Plan): boolean {
  return (
    plan.writes.length + plan.removes.length + plan.mkdirs.length + plan.chmods.length + plan.prunes.length >
    0
  );
}

function removedFiles(plan: Plan): string[] {
  const written = new Set(plan.writes.map((w) => w.path));
  return plan.removes
    .filter((r) => !r.dir && !written.has(r.path))
    .map((r) => r.path)
    .sort();
}

function refusal(root: string, plan: Plan): RewindRefusedError {
  return new RewindRefusedError(
    root,
    plan.refused.map((r) => ({ path: shownPath(r.path), reason: r.reason })),
  );
}

/** The wants that restore recorded entries exactly. */
function exactWants(entries: readonly BeforeEntry[]): Map<string, Want> {
  const wants = new Map<string, Want>();
  for (const e of entries) {
    if (typeof e?.path !== 'string') continue;
    if (e.kind === 'absent') wants.set(e.path, { kind: 'absent' });
    else if (e.kind === 'dir') wants.set(e.path, { kind: 'dir', mode: e.mode ?? 0o755 });
    else if (e.kind === 'symlink' && e.oid) wants.set(e.path, { kind: 'symlink', oid: e.oid });
    else if (e.kind === 'file' && e.oid) {
      wants.set(e.path, { kind: 'file', oid: e.oid, mode: e.mode ?? 0o644, exact: true });
    }
  }
  return wants;
}

/** Removes what a killed rewind left under its temporary names. */
async function removeTemps(root: string, manifest: RewindManifest): Promise<void> {
  const rootBytes = bytesOf(root);
  for (const [i, e] of manifest.entries.entries()) {
    if (typeof e?.path !== 'string') continue;
    const tmp = fsPath(rootBytes, tempName(e.path, manifest.nonce, i));
    try {
      const st = await lstat(tmp);
      if (st.isFile() || st.isSymbolicLink()) await unlink(tmp);
    } catch {
      // not there
    }
  }
}

/**
 * The `/`-terminated workspace-relative prefixes a rewind never touches: the snapshots folder and
 * the whole home, when they lie inside the workspace (as raw bytes, like every planned path).
 */
async function protectedPrefixes(ctx: StoreContext): Promise<string[]> {
  const out = new Set<string>();
  for (const prefix of ctx.excludedPrefixes) out.add(bytesOf(prefix));
  let home = path.resolve(ctx.home);
  try {
    home = await realpath(home);
  } catch {
    // a home that does not exist yet cannot be in the way
  }
  const rel = path.relative(ctx.workspace.root, home);
  if (rel === '') out.add('');
  else if (!rel.startsWith('..') && !path.isAbsolute(rel))
    out.add(bytesOf(`${rel.split(path.sep).join('/')}/`));
  return [...out];
}

interface RawChange {
  path: string;
  oldMode: string;
  newMode: string;
  oldOid: string;
  newOid: string;
}

/** `diff-tree --raw` between two trees, paths as raw bytes. */
async function rawDiff(
  ctx: StoreContext,
  lock: HeldLock,
  from: string,
  to: string,
  signal: AbortSignal | undefined,
): Promise<RawChange[]> {
  if (from === to) return [];
  const out = await storeGit(
    ctx,
    lock,
    ['diff-tree', '-r', '-z', '--raw', '--no-renames', '--no-abbrev', '--end-of-options', from, to],
    { signal, noWorkTree: true, binary: true },
  );
  const parts = out.stdout.toString('latin1').split('\0');
  const changes: RawChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [oldMode, newMode, oldOid, newOid] = parts[i]!.replace(/^:/, '').split(' ');
    if (oldMode && newMode && oldOid && newOid) {
      changes.push({ path: parts[i + 1]!, oldMode, newMode, oldOid, newOid });
    }
  }
  return changes;
}
