import path from 'node:path';
import { SnapshotExistsError } from '../errors.js';
import type { HeldLock } from './lock.js';
import { RefFiles, writeStoreHead } from './ref-files.js';
import { RECORD_SCHEMA_VERSION, encodeCommitMessage, messageRef, sessionHeadRef } from './refs.js';
import type { SnapshotRecord } from './refs.js';
import { writeWorkspaceTree } from './scan.js';
import { settleAll } from './settle.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { CaptureResult, ChangeStatus, ChangedFile } from './types.js';
import { readVcsInfo } from './vcs.js';

/**
 * One capture: the workspace's tree committed on top of the session's previous capture, linked
 * from the message's ref. Refs and the user's HEAD are read as files; the git processes are
 * `status`, `update-index` (only when something changed), `write-tree`, `commit-tree` and
 * `update-ref`, plus a `diff-tree` only when the changed paths cannot be known otherwise.
 */

export const ZERO_OID = '0000000000000000000000000000000000000000';
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export interface CaptureInput {
  sessionId: string;
  messageId: string;
  metadata: Record<string, unknown> | null;
  replace: boolean;
  maxFileSize: number;
  signal: AbortSignal | undefined;
}

export async function captureLocked(
  ctx: StoreContext,
  lock: HeldLock,
  input: CaptureInput,
): Promise<CaptureResult> {
  const { sessionId, messageId, signal } = input;
  const msgRef = messageRef(sessionId, messageId);
  const headRef = sessionHeadRef(sessionId);
  const capturedAt = new Date().toISOString();
  const refs = new RefFiles(ctx.gitDir);
  const [existing, parent, storeHead, vcs, built] = await settleAll([
    refs.resolve(msgRef),
    refs.resolve(headRef),
    refs.resolve('HEAD'),
    readVcsInfo(ctx.workspace),
    writeWorkspaceTree(ctx, lock, input.maxFileSize, signal),
  ] as const);
  if (existing !== undefined && !input.replace) throw new SnapshotExistsError(sessionId, messageId);

  const record: SnapshotRecord = {
    schema_version: RECORD_SCHEMA_VERSION,
    session_id: sessionId,
    message_id: messageId,
    captured_at: capturedAt,
    workspace: ctx.workspace.root,
    metadata: input.metadata,
    vcs,
    skipped: built.skipped,
  };
  const date = `${Math.floor(Date.parse(capturedAt) / 1000)} +0000`;
  const commit = (
    await storeGit(
      ctx,
      lock,
      [
        'commit-tree',
        '--no-gpg-sign',
        ...(parent ? ['-p', parent] : []),
        '-F',
        '-',
        '--end-of-options',
        built.tree,
      ],
      {
        signal,
        noWorkTree: true,
        input: encodeCommitMessage(record),
        // write-tree does not copy subtrees it finds among the user's objects.
        alternates: built.alternates,
        env: { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
      },
    )
  ).stdout;

  if (built.alternates) {
    // Seeded from the user's objects: copy everything the commit needs into the store before any
    // ref points at it, so a `git gc` in the user's repository can never break a snapshot.
    await storeGit(
      ctx,
      lock,
      ['pack-objects', '--revs', '--quiet', '--window=0', path.join(ctx.gitDir, 'objects', 'pack', 'pack')],
      { signal, noWorkTree: true, alternates: built.alternates, input: `${commit}\n` },
    );
  }

  // When the index held exactly the parent's tree, the paths just updated are the changes;
  // otherwise (another session captured in between, a first capture) git compares the trees.
  const derived = built.indexWasHead && parent !== undefined && storeHead === parent;
  const updates =
    `update ${msgRef}\0${commit}\0${existing ?? ZERO_OID}\0` +
    `update ${headRef}\0${commit}\0${parent ?? ZERO_OID}\0`;
  const [, changedFiles] = await settleAll([
    storeGit(ctx, lock, ['update-ref', '-z', '--stdin'], { signal, noWorkTree: true, input: updates }),
    derived ? Promise.resolve(built.changes) : diffNames(ctx, lock, parent ?? EMPTY_TREE, built.tree, signal),
  ] as const);
  await writeStoreHead(ctx.gitDir, commit);

  return {
    sessionId,
    messageId,
    commit,
    tree: built.tree,
    parent: parent ?? null,
    capturedAt,
    changedFiles,
    skipped: built.skipped,
  };
}

/** Reads refs that may not exist: name → commit and tree. */
export async function readRefs(
  ctx: StoreContext,
  lock: HeldLock,
  refs: string[],
  signal: AbortSignal | undefined,
): Promise<Map<string, { commit: string; tree: string }>> {
  const out = await storeGit(
    ctx,
    lock,
    ['for-each-ref', '--format=%(refname)%00%(objectname)%00%(tree)', '--end-of-options', ...refs],
    { signal, noWorkTree: true },
  );
  const found = new Map<string, { commit: string; tree: string }>();
  for (const line of out.stdout.split('\n')) {
    const [name, commit, tree] = line.split('\0');
    if (name && commit && tree && refs.includes(name)) found.set(name, { commit, tree });
  }
  return found;
}

const STATUS: Record<string, ChangeStatus> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  T: 'type-changed',
  R: 'renamed',
  C: 'copied',
};

/** Paths that differ between two trees, without pairing renames. */
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
  const parts = out.stdout.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = STATUS[parts[i]!.charAt(0)];
    if (status !== undefined) files.push({ path: parts[i + 1]!, status });
  }
  return files;
}
