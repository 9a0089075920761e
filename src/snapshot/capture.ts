import path from 'node:path';
import { SnapshotExistsError } from '../errors.js';
import type { HeldLock } from './lock.js';
import { removeTemporaries, writeLooseObject } from './loose-object.js';
import { RefFiles, updateRefFiles, writeStoreHead } from './ref-files.js';
import { RECORD_SCHEMA_VERSION, encodeCommitMessage, messageRef, sessionHeadRef, vcsToDisk } from './refs.js';
import type { SnapshotRecord } from './refs.js';
import { writeWorkspaceTree } from './scan.js';
import { settleAll } from './settle.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { CaptureResult } from './types.js';
import { readVcsInfo } from './vcs.js';

/**
 * One capture: the workspace's tree committed on top of the session's previous capture, linked
 * from the message's ref. The git processes are `status`, `update-index` (only when something
 * changed) and `write-tree`, plus a `diff-index` beside it only when the changed paths cannot be
 * known otherwise (see scan.ts). The commit object, the refs and both HEADs are written or read as
 * files: a commit is small and fully determined by its inputs, and the store lock already
 * serializes every writer, so a git process for each would only add its start-up time.
 */

export interface CaptureInput {
  sessionId: string;
  messageId: string;
  metadata: Record<string, unknown> | null;
  replace: boolean;
  maxFileSize: number;
  /** The capture's globs; absent, the store's. */
  include?: string[] | undefined;
  exclude?: string[] | undefined;
  signal: AbortSignal | undefined;
}

export async function captureLocked(
  ctx: StoreContext,
  lock: HeldLock,
  input: CaptureInput,
): Promise<CaptureResult> {
  try {
    return await capture(ctx, lock, input);
  } catch (error) {
    // A failed capture (a full disk, an abort, a git failure) leaves no temporary file behind.
    await removeTemporaries(ctx.gitDir);
    throw error;
  }
}

async function capture(ctx: StoreContext, lock: HeldLock, input: CaptureInput): Promise<CaptureResult> {
  const { sessionId, messageId, signal } = input;
  const msgRef = messageRef(sessionId, messageId);
  const headRef = sessionHeadRef(sessionId);
  const capturedAt = new Date().toISOString();
  const refs = new RefFiles(ctx.gitDir);
  const base = settleAll([refs.resolve(headRef), refs.resolve('HEAD')] as const).then(
    ([parent, indexHead]) => ({ parent, indexHead }),
  );
  const [existing, { parent }, vcs, built] = await settleAll([
    refs.resolve(msgRef),
    base,
    readVcsInfo(ctx.workspace),
    writeWorkspaceTree(ctx, lock, input.maxFileSize, signal, base, input),
  ] as const);
  if (existing !== undefined && !input.replace) throw new SnapshotExistsError(sessionId, messageId);
  signal?.throwIfAborted();

  const record: SnapshotRecord = {
    schema_version: RECORD_SCHEMA_VERSION,
    session_id: sessionId,
    message_id: messageId,
    captured_at: capturedAt,
    workspace: ctx.workspace.root,
    metadata: input.metadata,
    vcs: vcsToDisk(vcs),
    skipped: built.skipped,
  };
  const commit = writeLooseObject(
    ctx.gitDir,
    'commit',
    encodeCommit(built.tree, parent, Math.floor(Date.parse(capturedAt) / 1000), encodeCommitMessage(record)),
  );

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

  // The last point an abort stops the capture: the two refs and HEAD below are set together.
  signal?.throwIfAborted();
  updateRefFiles(ctx.gitDir, [
    { name: msgRef, value: commit, expected: existing },
    { name: headRef, value: commit, expected: parent },
  ]);
  writeStoreHead(ctx.gitDir, commit);

  return {
    sessionId,
    messageId,
    commit,
    tree: built.tree,
    parent: parent ?? null,
    capturedAt,
    changedFiles: built.changedFiles,
    skipped: built.skipped,
  };
}

/** The identity of every snapshot commit; the one git.ts gives git, so both write equal commits. */
const IDENTITY = 'agent-rollouts <agent-rollouts@localhost>';

/**
 * The body of a snapshot commit, byte for byte what `git commit-tree -F -` writes for it with the
 * store's identity and `GIT_AUTHOR_DATE`/`GIT_COMMITTER_DATE` set to `<seconds> +0000`: no
 * encoding header (the message is UTF-8), no signature.
 */
export function encodeCommit(
  tree: string,
  parent: string | undefined,
  seconds: number,
  message: string,
): Buffer {
  const stamp = `${IDENTITY} ${seconds} +0000`;
  return Buffer.from(
    `tree ${tree}\n${parent ? `parent ${parent}\n` : ''}author ${stamp}\ncommitter ${stamp}\n\n${message}`,
    'utf8',
  );
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
