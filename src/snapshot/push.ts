import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitError, SnapshotNotFoundError, invalidArgument } from '../errors.js';
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
import type { PushResult, RedactedSnapshot, RemoteRestoreResult, SnapshotRef } from './types.js';
import { objectInfo, treesOf } from './objects.js';
import { planRedactedPush } from './push-redact.js';
import type { PushCopy } from './push-redact.js';
import { createSecretRedactor, redactDeep } from '../secrets/redact.js';

/**
 * The archive remote: each snapshot becomes an annotated tag whose JSON message describes it, so
 * the remote needs no store of ours to be read back.
 */

/** Refspecs per `git push`, well under any command-line limit. */
const PUSH_BATCH = 200;

/**
 * URL schemes git serves itself or through its own http helper. Any other `<scheme>://` makes git
 * run `git-remote-<scheme>` from the PATH, and `<transport>::<address>` names such a helper (or
 * `fd::`, which talks over an inherited descriptor; `ext::`, which runs a command) outright.
 */
const URL_SCHEMES = new Set(['file', 'ssh', 'git', 'http', 'https', 'git+ssh', 'ssh+git']);

/** What every call that talks to a remote carries on top of the hardened settings. */
const REMOTE_CONFIG: Record<string, string> = {
  'protocol.allow': 'never',
  'protocol.file.allow': 'always',
  'protocol.ssh.allow': 'always',
  'protocol.git.allow': 'always',
  'protocol.http.allow': 'always',
  'protocol.https.allow': 'always',
};

/**
 * A local archive's `git receive-pack` runs as us, with that repository's config: no hook of its
 * own (a shared archive folder is writable by others) and no `gc` started by the push.
 */
const LOCAL_RECEIVE_PACK =
  'git -c core.hooksPath=/dev/null -c core.fsmonitor=false -c receive.autogc=false receive-pack';

/** A remote as git will be given it. */
export interface CheckedRemote {
  /** A URL with an allowed scheme, an scp-like `host:path`, or an absolute path. */
  url: string;
  /** The folder, when the remote is on this machine (a path or a `file://` URL). */
  localPath: string | undefined;
}

/**
 * Checks a remote before git sees it: `<transport>::` forms and URL schemes git would hand to a
 * helper are refused; a path is resolved against `cwd` (the caller's working folder), never the
 * folder git happens to run in.
 */
export function checkRemote(remote: unknown, cwd: string, where: string): CheckedRemote {
  if (typeof remote !== 'string' || remote === '' || remote.includes('\0')) {
    throw invalidArgument(`${where}: the remote must be a URL or a path.`);
  }
  const transport = /^([A-Za-z][A-Za-z0-9+.-]*)::/.exec(remote);
  if (transport) {
    throw invalidArgument(
      `${where}: ${JSON.stringify(remote)} names the git transport \`${transport[1]}::\`, which is not ` +
        'allowed; pass a URL (file://, ssh://, https://, git://), host:path, or a path.',
    );
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(remote)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (!URL_SCHEMES.has(scheme)) {
      throw invalidArgument(
        `${where}: the URL scheme \`${scheme}://\` of ${JSON.stringify(remote)} is not allowed ` +
          '(git would run a helper program for it); use file://, ssh://, https://, http:// or git://.',
      );
    }
    let localPath: string | undefined;
    if (scheme === 'file') {
      try {
        localPath = fileURLToPath(remote);
      } catch {
        localPath = undefined;
      }
    }
    return { url: remote, localPath };
  }
  // git's own rule: a colon before any slash makes `host:path` an ssh remote.
  const colon = remote.indexOf(':');
  const slash = remote.indexOf('/');
  if (colon >= 0 && (slash < 0 || colon < slash)) return { url: remote, localPath: undefined };
  const localPath = path.resolve(cwd, remote);
  return { url: localPath, localPath };
}

async function realOrResolved(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}

export async function pushLocked(
  ctx: StoreContext,
  lock: HeldLock,
  remoteUrl: string,
  sessionId: string | undefined,
  signal: AbortSignal | undefined,
  cwd: string,
  redact: boolean,
): Promise<PushResult> {
  if (typeof redact !== 'boolean') throw invalidArgument('push: `redact` must be a boolean.');
  const checked = checkRemote(remoteUrl, cwd, 'push');
  if (checked.localPath !== undefined) {
    const target = await realOrResolved(checked.localPath);
    const rel = path.relative(ctx.gitDir, target);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      throw invalidArgument(
        `push: the remote ${JSON.stringify(remoteUrl)} is ${target}, the snapshot store itself` +
          `${rel === '' ? '' : ' (a folder inside it)'}; push to another repository.`,
      );
    }
  }
  const url = checked.url;
  const remoteOptions = { signal, noWorkTree: true, remote: true, config: REMOTE_CONFIG };
  const snapshots = await listLocked(ctx, lock, sessionId, signal);
  const remote = await storeGit(ctx, lock, ['ls-remote', '--end-of-options', url], remoteOptions);
  // Our tags on the remote, and the commit each points at (its peeled `^{}` line).
  const present = new Set<string>();
  const peeled = new Map<string, string>();
  for (const line of remote.stdout.split('\n')) {
    const [oid, ref] = line.split('\t');
    if (oid === undefined || ref?.startsWith(REMOTE_TAG_PREFIX) !== true) continue;
    if (ref.endsWith('^{}')) peeled.set(ref.slice(0, -3), oid);
    else present.add(ref);
  }
  const skipped: string[] = [];
  const redactions: RedactedSnapshot[] = [];
  const waiting: { ref: string; s: (typeof snapshots)[number] }[] = [];
  for (const s of snapshots) {
    const ref = remoteTagRef(s.sessionId, s.messageId);
    if (!present.has(ref)) {
      waiting.push({ ref, s });
      continue;
    }
    skipped.push(ref);
    const there = peeled.get(ref);
    // A copy pushed earlier: its commit is not the local one.
    if (redact && there !== undefined && there !== s.commit)
      redactions.push({
        sessionId: s.sessionId,
        messageId: s.messageId,
        ref,
        commit: there,
        tree: null,
        files: null,
      });
  }
  let copies = new Map<string, PushCopy>();
  if (redact && waiting.length > 0) {
    const local = new Set(await existing(ctx, lock, [...new Set(peeled.values())], signal));
    // Snapshots the remote holds as copies, by their local commit.
    const held = new Map<string, string>();
    for (const s of snapshots) {
      const there = peeled.get(remoteTagRef(s.sessionId, s.messageId));
      if (there !== undefined && there !== s.commit && local.has(there)) held.set(s.commit, there);
    }
    copies = await planRedactedPush(
      ctx,
      lock,
      [...new Set(waiting.map((w) => w.s.commit))],
      { have: [...local], copies: held },
      signal,
    );
  }
  if (redactions.length > 0) {
    const trees = await treesOf(
      ctx,
      lock,
      redactions.map((r) => r.commit),
      signal,
    );
    for (const r of redactions) r.tree = trees.get(r.commit) ?? null;
  }
  const redactor = redact ? createSecretRedactor() : undefined;
  const todo: { ref: string; input: string }[] = [];
  for (const { ref, s } of waiting) {
    const copy = copies.get(s.commit);
    const metadata = redactor === undefined ? s.metadata : await redactDeep(s.metadata, redactor);
    const input = encodeTag({
      schema_version: 1,
      session_id: s.sessionId,
      message_id: s.messageId,
      captured_at: s.capturedAt,
      commit: copy?.commit ?? s.commit,
      vcs: vcsToDisk(s.vcs),
      metadata: metadata as typeof s.metadata,
      ...(copy === undefined ? {} : { redacted: { files: copy.files } }),
    });
    if (copy !== undefined)
      redactions.push({
        sessionId: s.sessionId,
        messageId: s.messageId,
        ref,
        commit: copy.commit,
        tree: copy.tree,
        files: copy.files,
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
      [
        'push',
        '--quiet',
        '--no-verify',
        ...(checked.localPath === undefined ? [] : [`--receive-pack=${LOCAL_RECEIVE_PACK}`]),
        '--end-of-options',
        url,
        ...refspecs.slice(i, i + PUSH_BATCH),
      ],
      { ...remoteOptions, timeout: 600_000 },
    );
  }
  return { pushed: todo.map((t) => t.ref), skipped, redactions };
}

/** Which of `oids` are commits the store has. */
async function existing(
  ctx: StoreContext,
  lock: HeldLock,
  oids: string[],
  signal: AbortSignal | undefined,
): Promise<string[]> {
  return [...(await objectInfo(ctx, lock, oids, signal))]
    .filter(([, o]) => o.type === 'commit')
    .map(([oid]) => oid);
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
  cwd: string,
): Promise<RemoteRestoreResult> {
  const { url } = checkRemote(remoteUrl, cwd, 'restoreFromRemote');
  const target = path.resolve(cwd, dest);
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
        ['fetch', '--quiet', '--no-tags', '--depth=1', '--end-of-options', url, `+${tagRef}:${local}`],
        // No descriptor beyond stdio: nothing of ours is open for the remote end to see.
        { cwd: tmp, gitDir, signal, timeout: 600_000, config: REMOTE_CONFIG },
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
    const revParsed = await runGit(
      ['rev-parse', '--end-of-options', `${local}^{commit}`, `${local}^{tree}`],
      { cwd: tmp, gitDir, signal },
    );
    // Some git versions (2.39 here) echo `--end-of-options` back: only the object ids are taken.
    const [commit = '', tree = ''] = revParsed.stdout.split('\n').filter((l) => /^[0-9a-f]{40,64}$/.test(l));
    const written = await checkoutTreeInto({ gitDir, tree, dest: target, signal });
    return { dest: written, commit, tree, record: record as unknown as Record<string, unknown> };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
