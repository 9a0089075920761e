import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GitError, SnapshotNotFoundError } from '../errors.js';
import { checkoutTreeInto } from './checkout.js';
import { runGit } from '../files/git.js';
import { listLocked } from './list.js';
import type { HeldLock } from './lock.js';
import {
  REMOTE_TAG_PREFIX,
  decodeTagMessage,
  encodeTag,
  remoteTagRef,
  sha256Hex,
  vcsToDisk,
} from './refs.js';
import { STORE_ATTRIBUTES, storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { PushResult, RemoteRestoreResult, SnapshotRef } from './types.js';

/**
 * The archive remote: each snapshot becomes an annotated tag whose JSON message describes it, so
 * the remote needs no store of ours to be read back.
 */

/** Refspecs per `git push`, well under any command-line limit. */
const PUSH_BATCH = 200;

export async function pushLocked(
  ctx: StoreContext,
  lock: HeldLock,
  remoteUrl: string,
  sessionId: string | undefined,
  signal: AbortSignal | undefined,
): Promise<PushResult> {
  const snapshots = await listLocked(ctx, lock, sessionId, signal);
  const remote = await storeGit(ctx, lock, ['ls-remote', '--refs', '--end-of-options', remoteUrl], {
    signal,
    noWorkTree: true,
  });
  const present = new Set(
    remote.stdout
      .split('\n')
      .map((line) => line.split('\t')[1])
      .filter((ref): ref is string => ref?.startsWith(REMOTE_TAG_PREFIX) === true),
  );
  const skipped: string[] = [];
  const todo: { ref: string; input: string }[] = [];
  for (const s of snapshots) {
    const ref = remoteTagRef(s.sessionId, s.messageId);
    if (present.has(ref)) {
      skipped.push(ref);
      continue;
    }
    const input = encodeTag({
      schema_version: 1,
      session_id: s.sessionId,
      message_id: s.messageId,
      captured_at: s.capturedAt,
      commit: s.commit,
      vcs: vcsToDisk(s.vcs),
      metadata: s.metadata,
    });
    todo.push({ ref, input });
  }
  const refspecs: string[] = [];
  for (const t of todo) {
    // Tag objects are created unreferenced: deterministic, so recreating them costs nothing.
    const tag = (await storeGit(ctx, lock, ['mktag'], { signal, noWorkTree: true, input: t.input })).stdout;
    refspecs.push(`${tag}:${t.ref}`);
  }
  for (let i = 0; i < refspecs.length; i += PUSH_BATCH) {
    await storeGit(
      ctx,
      lock,
      ['push', '--quiet', '--no-verify', '--end-of-options', remoteUrl, ...refspecs.slice(i, i + PUSH_BATCH)],
      { signal, noWorkTree: true, timeout: 600_000 },
    );
  }
  return { pushed: todo.map((t) => t.ref), skipped };
}

/**
 * Restores a snapshot straight from an archive remote into a new folder: fetches only that tag
 * (depth 1) into a throw-away repository, checks the tag's ids, and writes the tree.
 */
export async function restoreFromRemote(
  remoteUrl: string,
  ref: SnapshotRef,
  dest: string,
  signal: AbortSignal | undefined,
): Promise<RemoteRestoreResult> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'agent-rollouts-remote-'));
  try {
    const gitDir = path.join(tmp, 'repo.git');
    await runGit(['init', '--quiet', '--bare', '--template=', gitDir], { cwd: tmp, signal });
    await mkdir(path.join(gitDir, 'info'), { recursive: true });
    await writeFile(path.join(gitDir, 'info', 'attributes'), STORE_ATTRIBUTES);
    const tagRef = remoteTagRef(ref.sessionId, ref.messageId);
    const local = `refs/fetched/${sha256Hex(tagRef)}`;
    try {
      await runGit(
        ['fetch', '--quiet', '--no-tags', '--depth=1', '--end-of-options', remoteUrl, `+${tagRef}:${local}`],
        {
          cwd: tmp,
          gitDir,
          signal,
          timeout: 600_000,
        },
      );
    } catch (error) {
      if (error instanceof GitError && /couldn't find remote ref/i.test(error.stderr)) {
        throw new SnapshotNotFoundError(ref.sessionId, ref.messageId, remoteUrl);
      }
      throw error;
    }
    const tagText = (
      await runGit(['cat-file', 'tag', '--end-of-options', local], { cwd: tmp, gitDir, signal })
    ).stdout;
    const body = tagText.slice(tagText.indexOf('\n\n') + 2);
    const record = decodeTagMessage(body);
    if (record === undefined || record.session_id !== ref.sessionId || record.message_id !== ref.messageId) {
      throw new SnapshotNotFoundError(
        ref.sessionId,
        ref.messageId,
        `${remoteUrl} (the tag there describes another snapshot)`,
      );
    }
    const [commit = '', tree = ''] = (
      await runGit(['rev-parse', '--end-of-options', `${local}^{commit}`, `${local}^{tree}`], {
        cwd: tmp,
        gitDir,
        signal,
      })
    ).stdout.split('\n');
    const written = await checkoutTreeInto({ gitDir, tree, dest, signal });
    return { dest: written, commit, tree, record: record as unknown as Record<string, unknown> };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
