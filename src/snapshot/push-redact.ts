import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { scanTexts } from '../secrets/redact.js';
import type { SecretFinding } from '../secrets/redact.js';
import { redactionMarker } from '../secrets/redact.js';
import type { HeldLock } from './lock.js';
import { objectInfo, readObjects, treesOf } from './objects.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { RedactedFile } from './types.js';

/**
 * Redaction before a push. A snapshot commit carries the whole workspace and, through its parents,
 * every earlier snapshot of the store, so a secret any of them held would reach the remote with
 * it. Before a push, every object the remote does not have yet is scanned (each text blob once,
 * its bytes read as Latin-1 so every other byte is kept exactly; each commit message). A snapshot
 * whose history is clean is pushed as it is. One whose tree or history holds a secret is pushed as
 * a copy: the same tree with each secret-bearing blob replaced by one with `[REDACTED:<kind>]`
 * markers, the same dates and message (redacted too), on the copies of its tainted parents. So the
 * remote's history is the local one redacted, a push sends only what changed, and copies are
 * deterministic (pushing the same snapshot twice agrees). Local snapshots are never changed.
 */

/** Objects read per `cat-file --batch`, by their total size. */
const READ_BATCH_BYTES = 64 * 1024 * 1024;
/** A blob whose first bytes hold a NUL is binary, as git decides. */
const BINARY_PROBE = 8000;

/** What a snapshot commit becomes on the remote. */
export interface PushCopy {
  /** The commit pushed instead of the local one. */
  commit: string;
  /** Its tree. */
  tree: string;
  /** Files of the tree whose secrets were replaced, sorted by path. */
  files: RedactedFile[];
}

/** What the remote holds already, from its tags. */
export interface RemoteState {
  /** Commits the remote's tags peel to that the store has. */
  have: readonly string[];
  /** Local snapshot commit → the redacted copy a tag of the remote peels to. */
  copies: ReadonlyMap<string, string>;
}

type Blobs = Map<string, { redacted: string; kinds: string[] }>;

/**
 * For each of `commits` whose tree or history holds a secret, the copy to push instead. A copy's
 * parents are the copies of its parents where those hold a secret too (the remote's, or made
 * here), else the parents themselves, so the remote's history is the local one, redacted, and a
 * push sends only what changed.
 */
export async function planRedactedPush(
  ctx: StoreContext,
  lock: HeldLock,
  commits: readonly string[],
  remote: RemoteState,
  signal: AbortSignal | undefined,
): Promise<Map<string, PushCopy>> {
  const out = new Map<string, PushCopy>();
  if (commits.length === 0) return out;
  const roots = [
    ...new Set([...commits, ...remote.have, ...remote.copies.keys(), ...remote.copies.values()]),
  ];
  // Every commit of the history involved, parents first.
  const { order, parents } = await history(ctx, lock, roots, signal);

  // The copies the remote holds, and along their parents the copies of earlier commits.
  const known = new Map(remote.copies);
  const queue = [...known];
  while (queue.length > 0) {
    const [o, c] = queue.pop()!;
    const po = parents.get(o) ?? [];
    const pc = parents.get(c) ?? [];
    if (po.length !== pc.length) continue;
    po.forEach((p, i) => {
      const q = pc[i]!;
      if (p !== q && !known.has(p)) {
        known.set(p, q);
        queue.push([p, q]);
      }
    });
  }
  // The blobs those copies replaced (their secrets are known; scanned again below for their kinds).
  const replaced = await changedBlobs(ctx, lock, [...known], signal);

  // Objects not on the remote: not reachable from its commits, nor from a commit it holds a copy
  // of (such a commit's objects are the copy's, or one of the blobs just listed). Plain
  // `--objects` leaves out only what the negative commits' history shares; a copy shares none, so
  // `--objects-edge-aggressive` marks every negative commit's tree (its `-<oid>` lines skipped).
  const input = `${[...commits, ...[...remote.have, ...known.keys()].map((h) => `^${h}`)].join('\n')}\n`;
  const listed = await git(
    ctx,
    lock,
    ['rev-list', '--objects', '--objects-edge-aggressive', '--stdin'],
    signal,
    input,
  );
  const oids = new Set<string>(replaced.keys());
  for (const line of listed.split('\n')) {
    const oid = /^[0-9a-f]{40,64}/.exec(line)?.[0];
    if (oid !== undefined) oids.add(oid);
  }
  const { blobs: blobList, commits: fresh } = await typesOf(ctx, lock, [...oids], signal);
  const blobs = await scanBlobs(ctx, lock, blobList, signal);
  const messages = await scanMessages(ctx, lock, fresh, signal);

  // Tainted: a copy is known; or new here and it brings a secret-bearing blob in, its message
  // holds a secret, or a parent is tainted. Anything else is on the remote already, clean.
  const freshSet = new Set(fresh);
  const brings = blobs.size === 0 ? new Set<string>() : await bringing(ctx, lock, fresh, blobs, signal);
  const tainted = new Set<string>(known.keys());
  for (const c of order) {
    if (!freshSet.has(c) || known.has(c)) continue;
    if (brings.has(c) || messages.has(c) || (parents.get(c) ?? []).some((p) => tainted.has(p)))
      tainted.add(c);
  }

  // Copies of the tainted new commits, parents first.
  const needed = new Set<string>();
  const stack = commits.filter((c) => tainted.has(c));
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (needed.has(c) || known.has(c)) continue;
    needed.add(c);
    for (const p of parents.get(c) ?? []) if (tainted.has(p)) stack.push(p);
  }
  const made = new Map<string, string>(known);
  for (const c of order) {
    if (!needed.has(c)) continue;
    signal?.throwIfAborted();
    const ps = (parents.get(c) ?? []).map((p) => made.get(p) ?? p);
    made.set(c, await copyOf(ctx, lock, c, ps, blobs, messages.get(c), signal));
  }
  const wanted = [...new Set(commits)].filter((c) => made.has(c) && tainted.has(c));
  const pairs = wanted.map((c) => [c, made.get(c)!] as [string, string]);
  const files = await filesChanged(ctx, lock, pairs, blobs, signal);
  for (const [c, copy] of pairs)
    out.set(c, { commit: copy, tree: files.get(c)!.tree, files: files.get(c)!.files });
  return out;
}

async function git(
  ctx: StoreContext,
  lock: HeldLock,
  args: string[],
  signal: AbortSignal | undefined,
  input?: string | Buffer,
): Promise<string> {
  return (
    await storeGit(ctx, lock, args, { signal, noWorkTree: true, ...(input === undefined ? {} : { input }) })
  ).stdout;
}

async function gitBytes(
  ctx: StoreContext,
  lock: HeldLock,
  args: string[],
  signal: AbortSignal | undefined,
  input: string | Buffer,
): Promise<string> {
  return (await storeGit(ctx, lock, args, { signal, noWorkTree: true, input, binary: true })).stdout.toString(
    'latin1',
  );
}

/** The commits reachable from `roots`, parents before children, with their parents. */
async function history(
  ctx: StoreContext,
  lock: HeldLock,
  roots: string[],
  signal: AbortSignal | undefined,
): Promise<{ order: string[]; parents: Map<string, string[]> }> {
  const listed = await git(
    ctx,
    lock,
    ['rev-list', '--topo-order', '--parents', '--stdin'],
    signal,
    `${roots.join('\n')}\n`,
  );
  const parents = new Map<string, string[]>();
  const order: string[] = [];
  for (const line of listed.split('\n')) {
    const [c, ...ps] = line.split(' ').filter((x) => x !== '');
    if (c === undefined) continue;
    parents.set(c, ps);
    order.push(c);
  }
  return { order: order.reverse(), parents };
}

/** For pairs (commit, its copy): each blob of the commit the copy replaced, by the new blob. */
async function changedBlobs(
  ctx: StoreContext,
  lock: HeldLock,
  pairs: [string, string][],
  signal: AbortSignal | undefined,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (pairs.length === 0) return out;
  // `<copy> <commit>` is read as a commit and its parent: the diff from the commit to the copy.
  const text = await gitBytes(
    ctx,
    lock,
    ['diff-tree', '--stdin', '-r', '-z', '--no-renames', '--no-commit-id'],
    signal,
    `${pairs.map(([o, c]) => `${c} ${o}`).join('\n')}\n`,
  );
  const tokens = text.split('\0');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.startsWith(':')) continue;
    const [, , oldOid, newOid] = t.slice(1).split(' ');
    if (oldOid !== undefined && newOid !== undefined && !/^0+$/.test(oldOid)) out.set(oldOid, newOid);
    i++; // its path
  }
  return out;
}

async function typesOf(
  ctx: StoreContext,
  lock: HeldLock,
  oids: string[],
  signal: AbortSignal | undefined,
): Promise<{ blobs: { oid: string; size: number }[]; commits: string[] }> {
  const blobs: { oid: string; size: number }[] = [];
  const commits: string[] = [];
  for (const [oid, { type, size }] of await objectInfo(ctx, lock, oids, signal)) {
    if (type === 'blob') blobs.push({ oid, size });
    else if (type === 'commit') commits.push(oid);
  }
  return { blobs, commits };
}

/** The secret-bearing text blobs, each with its redacted blob (written) and the kinds found. */
async function scanBlobs(
  ctx: StoreContext,
  lock: HeldLock,
  blobs: { oid: string; size: number }[],
  signal: AbortSignal | undefined,
): Promise<Blobs> {
  const found: Blobs = new Map();
  for (const batch of batches(blobs)) {
    signal?.throwIfAborted();
    const contents = await readObjects(
      ctx,
      lock,
      batch.map((b) => b.oid),
      signal,
    );
    const texts: { oid: string; text: string }[] = [];
    for (const [oid, bytes] of contents) {
      if (bytes.subarray(0, BINARY_PROBE).includes(0)) continue;
      texts.push({ oid, text: bytes.toString('latin1') });
    }
    const findings = await scanTexts(texts.map((t) => t.text));
    for (const [i, t] of texts.entries()) {
      const f = findings[i]!;
      if (f.length === 0) continue;
      const redacted = Buffer.from(replace(t.text, f), 'latin1');
      const oid = (await git(ctx, lock, ['hash-object', '-w', '--stdin'], signal, redacted)).trim();
      found.set(t.oid, { redacted: oid, kinds: [...new Set(f.map((x) => x.kind))].sort() });
    }
  }
  return found;
}

/** Commit → its redacted message, for the commits whose message (the record) holds a secret. */
async function scanMessages(
  ctx: StoreContext,
  lock: HeldLock,
  commits: string[],
  signal: AbortSignal | undefined,
): Promise<Map<string, string>> {
  const messages = new Map<string, string>();
  const bodies = await readObjects(ctx, lock, commits, signal);
  const texts = [...bodies].map(([oid, b]) => ({ oid, message: messageOf(b.toString('latin1')) }));
  const found = await scanTexts(texts.map((t) => t.message));
  texts.forEach((t, i) => {
    if (found[i]!.length > 0) messages.set(t.oid, replace(t.message, found[i]!));
  });
  return messages;
}

/** The commits (of `commits`) that bring one of `blobs` in, against their parents. */
async function bringing(
  ctx: StoreContext,
  lock: HeldLock,
  commits: string[],
  blobs: Blobs,
  signal: AbortSignal | undefined,
): Promise<Set<string>> {
  const out = new Set<string>();
  if (commits.length === 0) return out;
  // `<commit>`, then for each change `:<modes> <old> <new> <status>` and its path, NUL-separated.
  const text = await gitBytes(
    ctx,
    lock,
    ['diff-tree', '--stdin', '-r', '--root', '-z', '--no-renames', '-m'],
    signal,
    `${commits.join('\n')}\n`,
  );
  const tokens = text.split('\0');
  let current: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.startsWith(':')) {
      const newOid = t.split(' ')[3];
      if (current !== undefined && newOid !== undefined && blobs.has(newOid)) out.add(current);
      i++; // its path
    } else if (t !== '') current = t;
  }
  return out;
}

/** For each (commit, copy): the copy's tree and the files it redacted, with their kinds. */
async function filesChanged(
  ctx: StoreContext,
  lock: HeldLock,
  pairs: [string, string][],
  blobs: Blobs,
  signal: AbortSignal | undefined,
): Promise<Map<string, { tree: string; files: RedactedFile[] }>> {
  const out = new Map<string, { tree: string; files: RedactedFile[] }>();
  if (pairs.length === 0) return out;
  const trees = await treesOf(
    ctx,
    lock,
    pairs.map(([, c]) => c),
    signal,
  );
  // `<copy> <commit>` is read as a commit and its parent: the diff from the commit to the copy,
  // headed by the copy's id.
  const text = await gitBytes(
    ctx,
    lock,
    ['diff-tree', '--stdin', '-r', '-z', '--no-renames'],
    signal,
    `${pairs.map(([o, c]) => `${c} ${o}`).join('\n')}\n`,
  );
  const byPair = new Map<string, RedactedFile[]>();
  let current: RedactedFile[] | undefined;
  const tokens = text.split('\0');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.startsWith(':')) {
      const oldOid = t.split(' ')[2];
      const file = tokens[i + 1] ?? '';
      i++;
      const kinds = oldOid === undefined ? undefined : blobs.get(oldOid)?.kinds;
      current?.push({ path: Buffer.from(file, 'latin1').toString('utf8'), kinds: kinds ?? [] });
    } else if (t !== '') {
      current = [];
      byPair.set(t.split(' ')[0]!, current);
    }
  }
  pairs.forEach(([o, c]) => {
    const files = (byPair.get(c) ?? []).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    out.set(o, { tree: trees.get(c)!, files });
  });
  return out;
}

/** Where a commit's headers end (the blank line before the message). */
function headerEnd(body: string): number {
  const i = body.indexOf('\n\n');
  return i < 0 ? body.length : i;
}

function messageOf(body: string): string {
  const i = body.indexOf('\n\n');
  return i < 0 ? '' : body.slice(i + 2);
}

function replace(text: string, found: readonly SecretFinding[]): string {
  let out = '';
  let at = 0;
  for (const f of found) {
    out += text.slice(at, f.start) + redactionMarker(f.kind);
    at = f.end;
  }
  return out + text.slice(at);
}

/** Blobs grouped so each `cat-file --batch` returns at most about {@link READ_BATCH_BYTES}. */
function* batches(blobs: { oid: string; size: number }[]): Generator<{ oid: string; size: number }[]> {
  let group: { oid: string; size: number }[] = [];
  let size = 0;
  for (const b of blobs) {
    if (group.length > 0 && size + b.size > READ_BATCH_BYTES) {
      yield group;
      group = [];
      size = 0;
    }
    group.push(b);
    size += b.size;
  }
  if (group.length > 0) yield group;
}

/** The copy of `commit`: its tree with every secret-bearing blob replaced, on `parents`. */
async function copyOf(
  ctx: StoreContext,
  lock: HeldLock,
  commit: string,
  parents: string[],
  blobs: Blobs,
  message: string | undefined,
  signal: AbortSignal | undefined,
): Promise<string> {
  const body = (await readObjects(ctx, lock, [commit], signal)).get(commit)!.toString('latin1');
  const tree = /^tree ([0-9a-f]+)$/m.exec(body)![1]!;
  const listing = await storeGit(
    ctx,
    lock,
    ['ls-tree', '-r', '-z', '--full-tree', '--end-of-options', tree],
    {
      signal,
      noWorkTree: true,
      binary: true,
    },
  );
  const updates: string[] = [];
  for (const entry of listing.stdout.toString('latin1').split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, oid] = entry.slice(0, tab).split(' ');
    const found = type === 'blob' && oid !== undefined ? blobs.get(oid) : undefined;
    if (found !== undefined) updates.push(`${mode} ${found.redacted}\t${entry.slice(tab + 1)}`);
  }
  let newTree = tree;
  if (updates.length > 0) {
    const indexFile = path.join(ctx.gitDir, `redact-index-${randomBytes(8).toString('hex')}.rollouts-tmp`);
    try {
      const opts = { signal, noWorkTree: true, indexFile } as const;
      await storeGit(ctx, lock, ['read-tree', '--end-of-options', tree], opts);
      await storeGit(ctx, lock, ['update-index', '-z', '--index-info'], {
        ...opts,
        input: Buffer.from(`${updates.join('\0')}\0`, 'latin1'),
      });
      newTree = (await storeGit(ctx, lock, ['write-tree'], opts)).stdout.trim();
    } finally {
      await rm(indexFile, { force: true });
    }
  }
  const end = headerEnd(body);
  const headers: string[] = [];
  for (const h of body.slice(0, end).split('\n')) {
    if (h.startsWith('parent ')) continue;
    if (h.startsWith('tree ')) {
      headers.push(`tree ${newTree}`, ...parents.map((p) => `parent ${p}`));
    } else headers.push(h);
  }
  const copy = Buffer.from(`${headers.join('\n')}\n\n${message ?? messageOf(body)}`, 'latin1');
  return (await git(ctx, lock, ['hash-object', '-t', 'commit', '-w', '--stdin'], signal, copy)).trim();
}
