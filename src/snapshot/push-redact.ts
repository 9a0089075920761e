import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { scanTexts } from '../secrets/redact.js';
import type { SecretFinding } from '../secrets/redact.js';
import { redactionMarker } from '../secrets/redact.js';
import type { HeldLock } from './lock.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { RedactedFile } from './types.js';

/**
 * Redaction before a push. A snapshot commit carries the whole workspace and, through its parents,
 * every earlier snapshot of the store, so a secret any of them held would reach the remote with
 * it. Before a push, every object the remote does not have yet is scanned (each text blob once,
 * as bytes read as Latin-1 so every other byte is kept exactly; each commit message). A snapshot
 * whose history is clean is pushed as it is. One whose tree or history holds a secret is pushed as
 * a copy: the same tree with each secret-bearing blob replaced by one with `[REDACTED:<kind>]`
 * markers, the same dates and message (redacted too), and no parent, so nothing of the history it
 * came from goes with it. Copies are deterministic, so pushing the same snapshot twice agrees;
 * local snapshots are never changed.
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

interface Scanned {
  /** Secret-bearing blob → its redacted blob and the kinds found. */
  blobs: Map<string, { redacted: string; kinds: string[] }>;
  /** Commit → its redacted message, for commits whose message held a secret. */
  messages: Map<string, string>;
  /** Commit → whether it or an ancestor not yet on the remote holds a secret. */
  tainted: Set<string>;
}

/**
 * For each of `commits` whose tree or new history holds a secret, the copy to push instead;
 * `have` are commits the remote has already (their objects are not scanned again).
 */
export async function planRedactedPush(
  ctx: StoreContext,
  lock: HeldLock,
  commits: readonly string[],
  have: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Map<string, PushCopy>> {
  const copies = new Map<string, PushCopy>();
  if (commits.length === 0) return copies;
  const scanned = await scan(ctx, lock, commits, have, signal);
  for (const commit of new Set(commits)) {
    if (!scanned.tainted.has(commit)) continue;
    signal?.throwIfAborted();
    copies.set(commit, await copyOf(ctx, lock, commit, scanned, signal));
  }
  return copies;
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

async function scan(
  ctx: StoreContext,
  lock: HeldLock,
  commits: readonly string[],
  have: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Scanned> {
  const roots = `${[...commits, ...have.map((h) => `^${h}`)].join('\n')}\n`;
  // Every object reachable from the commits and not from what the remote has.
  const listed = await git(ctx, lock, ['rev-list', '--objects', '--stdin'], signal, roots);
  const oids: string[] = [];
  for (const line of listed.split('\n')) {
    const oid = /^[0-9a-f]{40,64}/.exec(line)?.[0];
    if (oid !== undefined) oids.push(oid);
  }
  const kinds = await git(
    ctx,
    lock,
    ['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'],
    signal,
    `${oids.join('\n')}\n`,
  );
  const blobs: { oid: string; size: number }[] = [];
  const commitOids: string[] = [];
  for (const line of kinds.split('\n')) {
    const [oid, type, size] = line.split(' ');
    if (oid === undefined || size === undefined) continue;
    if (type === 'blob') blobs.push({ oid, size: Number(size) });
    else if (type === 'commit') commitOids.push(oid);
  }

  const found = new Map<string, { redacted: string; kinds: string[] }>();
  for (const batch of batches(blobs)) {
    signal?.throwIfAborted();
    const contents = await readObjects(ctx, lock, batch, signal);
    const texts: { oid: string; bytes: Buffer; text: string }[] = [];
    for (const [oid, bytes] of contents) {
      if (bytes.subarray(0, BINARY_PROBE).includes(0)) continue;
      texts.push({ oid, bytes, text: bytes.toString('latin1') });
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

  // Commit messages (the record: ids, the workspace, the caller's metadata), and each commit's
  // parents and the blobs it brings in, to carry a secret down the history.
  const messages = new Map<string, string>();
  const parents = new Map<string, string[]>();
  const bringsSecret = new Set<string>();
  const bodies = await readObjects(
    ctx,
    lock,
    commitOids.map((oid) => ({ oid, size: 0 })),
    signal,
  );
  const bodyTexts = [...bodies].map(([oid, b]) => ({ oid, text: b.toString('latin1') }));
  const messageFindings = await scanTexts(bodyTexts.map((b) => messageOf(b.text)));
  for (const [i, b] of bodyTexts.entries()) {
    parents.set(
      b.oid,
      [...b.text.slice(0, headerEnd(b.text)).matchAll(/^parent ([0-9a-f]+)$/gm)].map((m) => m[1]!),
    );
    const f = messageFindings[i]!;
    if (f.length > 0) {
      messages.set(b.oid, replace(messageOf(b.text), f));
      bringsSecret.add(b.oid);
    }
  }
  if (found.size > 0) {
    // Each new commit against its parent (the root against nothing): `<commit>`, then for each
    // change `:<modes> <old> <new> <status>` and its path, all NUL-separated.
    const diff = await storeGit(ctx, lock, ['diff-tree', '--stdin', '-r', '--root', '-z', '--no-renames'], {
      signal,
      noWorkTree: true,
      input: `${[...parents.keys()].join('\n')}\n`,
      binary: true,
    });
    const tokens = diff.stdout.toString('latin1').split('\0');
    let current: string | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.startsWith(':')) {
        const newOid = t.split(' ')[3];
        if (current !== undefined && newOid !== undefined && found.has(newOid)) bringsSecret.add(current);
        i++; // its path
      } else if (t !== '') current = t;
    }
  }
  // Tainted: brings a secret in, or has a tainted parent. Parents not listed are on the remote.
  const tainted = new Set<string>();
  const state = new Map<string, boolean>();
  const visit = (start: string): boolean => {
    const stack: string[] = [start];
    while (stack.length > 0) {
      const c = stack[stack.length - 1]!;
      if (state.has(c)) {
        stack.pop();
        continue;
      }
      const ps = (parents.get(c) ?? []).filter((p) => parents.has(p) && !state.has(p));
      if (ps.length > 0) {
        stack.push(...ps);
        continue;
      }
      const bad = bringsSecret.has(c) || (parents.get(c) ?? []).some((p) => state.get(p) === true);
      state.set(c, bad);
      if (bad) tainted.add(c);
      stack.pop();
    }
    return state.get(start) === true;
  };
  for (const c of parents.keys()) visit(c);
  return { blobs: found, messages, tainted };
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

async function readObjects(
  ctx: StoreContext,
  lock: HeldLock,
  objects: { oid: string; size: number }[],
  signal: AbortSignal | undefined,
): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (objects.length === 0) return out;
  const bytes = (
    await storeGit(ctx, lock, ['cat-file', '--batch'], {
      signal,
      noWorkTree: true,
      binary: true,
      input: `${objects.map((o) => o.oid).join('\n')}\n`,
    })
  ).stdout;
  let at = 0;
  while (at < bytes.length) {
    const nl = bytes.indexOf(10, at);
    if (nl < 0) break;
    const [oid, type, size] = bytes.subarray(at, nl).toString('latin1').split(' ');
    at = nl + 1;
    if (type === 'missing' || oid === undefined || size === undefined) continue;
    const n = Number(size);
    out.set(oid, bytes.subarray(at, at + n));
    at += n + 1;
  }
  return out;
}

/** The parentless copy of `commit`: its tree with every secret-bearing blob replaced. */
async function copyOf(
  ctx: StoreContext,
  lock: HeldLock,
  commit: string,
  scanned: Scanned,
  signal: AbortSignal | undefined,
): Promise<PushCopy> {
  const body = (await readObjects(ctx, lock, [{ oid: commit, size: 0 }], signal))
    .get(commit)!
    .toString('latin1');
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
  const files: RedactedFile[] = [];
  for (const entry of listing.stdout.toString('latin1').split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, oid] = entry.slice(0, tab).split(' ');
    const found = type === 'blob' && oid !== undefined ? scanned.blobs.get(oid) : undefined;
    if (found === undefined) continue;
    const file = entry.slice(tab + 1);
    updates.push(`${mode} ${found.redacted}\t${file}`);
    files.push({ path: Buffer.from(file, 'latin1').toString('utf8'), kinds: found.kinds });
  }
  let newTree = tree;
  if (updates.length > 0) {
    const indexFile = path.join(ctx.gitDir, `rollouts-redact-${randomBytes(8).toString('hex')}.index`);
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
  const headers = body
    .slice(0, end)
    .split('\n')
    .filter((h) => !h.startsWith('parent '))
    .map((h) => (h.startsWith('tree ') ? `tree ${newTree}` : h))
    .join('\n');
  const message = scanned.messages.get(commit) ?? messageOf(body);
  const copy = Buffer.from(`${headers}\n\n${message}`, 'latin1');
  const oid = (await git(ctx, lock, ['hash-object', '-t', 'commit', '-w', '--stdin'], signal, copy)).trim();
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { commit: oid, tree: newTree, files };
}
