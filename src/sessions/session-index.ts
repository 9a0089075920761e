import { randomUUID } from 'node:crypto';
import { chmod, chown, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { RolloutIOError, hasErrno } from '../errors.js';
import { FILE_MODE, homePaths } from '../files/layout.js';

/**
 * Writing `<home>/session_index.jsonl`, the thread-name index the Codex CLI keeps (its
 * `codex-rs/rollout/src/session_index.rs`): one `{"id","thread_name","updated_at"}` line per
 * rename, appended, the newest line of an id winning; a delete rewrites the file without that id's
 * lines. Other programs append to it, so it is read as bytes and every byte not ours is kept.
 */

/** One index line as the Codex CLI writes it (field order included). */
export interface SessionIndexEntry {
  id: string;
  thread_name: string;
  updated_at: string;
}

const NL = 0x0a;

/**
 * Appends one entry with a single write, after a `\n` when the file ends in a torn line (so the
 * entry is a line of its own), and syncs it as the Codex CLI does.
 */
export async function appendIndexEntry(home: string, entry: SessionIndexEntry): Promise<void> {
  const file = homePaths.sessionIndex(home);
  const line = `${JSON.stringify({ id: entry.id, thread_name: entry.thread_name, updated_at: entry.updated_at })}\n`;
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'a+', FILE_MODE);
    const { size } = await fh.stat();
    let torn = false;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      torn = last[0] !== NL;
    }
    await fh.write(torn ? `\n${line}` : line);
    await fh.datasync();
  } catch (cause) {
    throw new RolloutIOError('append to', file, cause);
  } finally {
    await fh?.close();
  }
}

/**
 * Rewrites the index without the lines naming session `id` (any case), keeping every other byte;
 * returns how many lines went. The file is replaced atomically (a temporary file in its folder,
 * then a rename) with its mode and, when allowed, its owner; it is left alone when no line names
 * the session. A line appended by another program while the new file is written makes the rewrite
 * start over, so it is not lost.
 */
export async function removeIndexEntries(home: string, id: string): Promise<number> {
  const link = homePaths.sessionIndex(home);
  let file: string;
  try {
    file = await realpath(link);
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT')) return 0;
    throw new RolloutIOError('open', link, cause);
  }
  const key = uuidKey(id);
  for (let attempt = 0; attempt < 5; attempt++) {
    let before: Awaited<ReturnType<typeof stat>>;
    let bytes: Buffer;
    try {
      before = await stat(file);
      bytes = await readFile(file);
    } catch (cause) {
      if (hasErrno(cause, 'ENOENT')) return 0;
      throw new RolloutIOError('read', file, cause);
    }
    const { kept, removed } = withoutEntriesOf(bytes, key);
    if (removed === 0) return 0;
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
    try {
      const fh = await open(tmp, 'wx', FILE_MODE);
      try {
        await fh.writeFile(kept);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await chmod(tmp, before.mode & 0o7777);
      if (before.uid !== process.getuid?.() || before.gid !== process.getgid?.()) {
        await chown(tmp, before.uid, before.gid).catch((error: unknown) => {
          if (!hasErrno(error, 'EPERM')) throw error;
        });
      }
      const now = await stat(file);
      if (now.ino !== before.ino || now.size !== before.size || now.mtimeMs !== before.mtimeMs) {
        await rm(tmp, { force: true });
        continue;
      }
      await rename(tmp, file);
    } catch (cause) {
      await rm(tmp, { force: true });
      throw new RolloutIOError('rewrite', file, cause);
    }
    await syncFolder(path.dirname(file));
    return removed;
  }
  throw new RolloutIOError('rewrite', file, new Error('other programs keep writing to it'));
}

/** The bytes without the lines whose JSON object names the session, and how many went. */
function withoutEntriesOf(bytes: Buffer, key: string): { kept: Buffer; removed: number } {
  const parts: Buffer[] = [];
  let removed = 0;
  let start = 0;
  let keptFrom = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(NL, start);
    const end = nl === -1 ? bytes.length : nl + 1;
    if (namesSession(bytes.toString('utf8', start, nl === -1 ? end : nl), key)) {
      parts.push(bytes.subarray(keptFrom, start));
      keptFrom = end;
      removed++;
    }
    start = end;
  }
  parts.push(bytes.subarray(keptFrom));
  return { kept: Buffer.concat(parts), removed };
}

function namesSession(line: string, key: string): boolean {
  const text = line.trim();
  if (!text.startsWith('{')) return false;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' && uuidKey(id) === key;
}

/** A UUID compared as the Codex CLI's `ThreadId` compares: by value, whatever the case or hyphens. */
function uuidKey(id: string): string {
  return id.trim().toLowerCase().replace(/-/g, '');
}

async function syncFolder(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Some file systems refuse to sync a folder; the rename is done either way.
  } finally {
    await fh?.close();
  }
}
