import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RolloutIOError, hasErrno } from '../errors.js';
import { FILE_MODE } from '../files/layout.js';
import { encodeCommit } from './capture.js';
import type { HeldLock } from './lock.js';
import { writeLooseObject } from './loose-object.js';
import { RefFiles, updateRefFiles } from './ref-files.js';
import { sha256Hex } from './refs.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { SnapshotRef } from './types.js';

/**
 * What a rewind keeps beside its backup snapshot, and the journal of a rewind in progress.
 *
 * A backup snapshot is an ordinary capture: a git tree, which holds only non-ignored files, with
 * git's two file modes and no folders of their own. Its manifest adds what the rewind needs to be
 * undone exactly: for every path the rewind may write or remove, the state before it (absent, a
 * file with its full permission bits and blob, a symlink and its target's blob, a folder and its
 * mode). Blobs of paths the tree does not hold (ignored files in the way) are stored too.
 *
 * On disk: `refs/rollouts-backups/<sha256(session)>/<sha256(message)>` names a commit whose parent
 * is the backup snapshot and whose tree holds `manifest.json` and `blobs/<oid>` (keeping those
 * blobs alive). Paths in the manifest are the raw bytes of the name, one byte per UTF-16 unit.
 */

export const BACKUP_REF_PREFIX = 'refs/rollouts-backups/';
export const backupRef = (ref: SnapshotRef): string =>
  `${BACKUP_REF_PREFIX}${sha256Hex(ref.sessionId)}/${sha256Hex(ref.messageId)}`;

/** The state of one path before a rewind. */
export interface BeforeEntry {
  /** Workspace-relative, `/`-separated, raw bytes as latin1. */
  path: string;
  kind: 'absent' | 'file' | 'symlink' | 'dir';
  /** Permission bits (`st_mode & 0o7777`) of a file or folder. */
  mode?: number;
  /** The blob of a file's bytes or a symlink's target. */
  oid?: string;
}

export interface RewindManifest {
  version: 1;
  /** Names the rewind's temporary files (`.rollouts-<nonce>-<index of the entry>`). */
  nonce: string;
  /** The snapshot restored, when known. */
  target: (SnapshotRef & { commit: string }) | null;
  /** Sorted by path. */
  entries: BeforeEntry[];
}

/** The temporary name the rewind `nonce` writes entry `index` under, beside it. */
export function tempName(entryPath: string, nonce: string, index: number): string {
  const slash = entryPath.lastIndexOf('/');
  return `${slash < 0 ? '' : entryPath.slice(0, slash + 1)}.rollouts-${nonce}-${index}`;
}

/** Stores the manifest of the backup snapshot `backup` (commit `commit`) and links it. */
export async function writeManifest(
  ctx: StoreContext,
  backup: SnapshotRef,
  commit: string,
  manifest: RewindManifest,
  extraBlobs: readonly string[],
): Promise<void> {
  const json = writeLooseObject(ctx.gitDir, 'blob', Buffer.from(`${JSON.stringify(manifest)}\n`, 'utf8'));
  const entries: Buffer[] = [];
  const blobs = [...new Set(extraBlobs)].sort();
  if (blobs.length > 0) {
    const body = Buffer.concat(
      blobs.flatMap((oid) => [Buffer.from(`100644 ${oid}\0`), Buffer.from(oid, 'hex')]),
    );
    const tree = writeLooseObject(ctx.gitDir, 'tree', body);
    entries.push(Buffer.from('40000 blobs\0'), Buffer.from(tree, 'hex'));
  }
  entries.push(Buffer.from('100644 manifest.json\0'), Buffer.from(json, 'hex'));
  const tree = writeLooseObject(ctx.gitDir, 'tree', Buffer.concat(entries));
  const message = `agent-rollouts rewind backup\n\n${JSON.stringify({ session_id: backup.sessionId, message_id: backup.messageId })}\n`;
  const linked = writeLooseObject(
    ctx.gitDir,
    'commit',
    encodeCommit(tree, commit, Math.floor(Date.now() / 1000), message),
  );
  const name = backupRef(backup);
  const expected = await new RefFiles(ctx.gitDir).resolve(name);
  updateRefFiles(ctx.gitDir, [{ name, value: linked, expected }]);
}

/** The manifest linked to a backup snapshot, or undefined when the snapshot has none. */
export async function readManifest(
  ctx: StoreContext,
  lock: HeldLock,
  backup: SnapshotRef,
  signal: AbortSignal | undefined,
): Promise<RewindManifest | undefined> {
  const linked = await new RefFiles(ctx.gitDir).resolve(backupRef(backup));
  if (linked === undefined) return undefined;
  const out = await storeGit(ctx, lock, ['cat-file', 'blob', `${linked}:manifest.json`], {
    signal,
    noWorkTree: true,
  });
  const value = JSON.parse(out.stdout) as RewindManifest;
  if (value?.version !== 1 || !Array.isArray(value.entries) || typeof value.nonce !== 'string') {
    throw new RolloutIOError('read the rewind manifest of', backupRef(backup), new Error('unknown format'));
  }
  return value;
}

/** What the journal of a rewind in progress holds (camelCase; it is ours alone). */
export interface RewindJournal {
  workspace: string;
  backup: SnapshotRef;
  target: SnapshotRef;
  startedAt: string;
  undo: string;
}

const journalFile = (gitDir: string): string => path.join(gitDir, 'rollouts-rewind.json');

/** Written (atomically) once the backup is stored and before the workspace is touched. */
export function writeJournal(gitDir: string, journal: RewindJournal): void {
  const file = journalFile(gitDir);
  try {
    writeFileSync(`${file}.tmp`, `${JSON.stringify(journal)}\n`, { mode: FILE_MODE });
    renameSync(`${file}.tmp`, file);
  } catch (cause) {
    throw new RolloutIOError('write', file, cause);
  }
}

/** Removed once the workspace is whole again: rewound, or put back. */
export function clearJournal(gitDir: string): void {
  rmSync(journalFile(gitDir), { force: true });
}

export function readJournal(gitDir: string): RewindJournal | undefined {
  let text: string;
  try {
    text = readFileSync(journalFile(gitDir), 'utf8');
  } catch (error) {
    if (hasErrno(error, 'ENOENT')) return undefined;
    throw new RolloutIOError('read', journalFile(gitDir), error);
  }
  try {
    const j = JSON.parse(text) as RewindJournal;
    return typeof j?.backup?.sessionId === 'string' && typeof j.backup.messageId === 'string' ? j : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The CLI command restoring `backup` in place, quoted for a POSIX shell and safe to print: control
 * characters are written as `$'\xHH'` escapes, never raw.
 */
export function undoCommand(workspace: string, home: string, backup: SnapshotRef): string {
  return [
    'rollouts restore',
    shellWord(workspace),
    '--session',
    shellWord(backup.sessionId),
    '--message',
    shellWord(backup.messageId),
    '--in-place --home',
    shellWord(home),
  ].join(' ');
}

function shellWord(s: string): string {
  if (/^[\w./:@%+=-]+$/.test(s)) return s;
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u001f\u007f-\u009f]/.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`;
  const escaped = Array.from(s)
    .map((c) => {
      const code = c.codePointAt(0)!;
      if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `\\x${code.toString(16).padStart(2, '0')}`;
      return c === '\\' || c === "'" ? `\\${c}` : c;
    })
    .join('');
  return `$'${escaped}'`;
}
