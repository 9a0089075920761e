import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { hasErrno } from '../errors.js';

/**
 * Reading another agent's files: opened without following a link or blocking, regular files only,
 * bounded, so a FIFO or `/dev/zero` put in their place cannot hang or fill memory. These files are
 * not rollouts, so the line engine does not read them.
 */

/** A JSON file of another agent's store is small; anything larger is passed over. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Opens a regular file for reading; undefined (and the problem) when it is anything else. */
async function openRegular(file: string): Promise<{ fh: FileHandle; size: number } | string> {
  let fh;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    return hasErrno(error, 'ELOOP') ? 'a symbolic link' : `unreadable (${(error as Error).message})`;
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    return 'not a regular file';
  }
  return { fh, size: st.size };
}

/** A JSON file's value, or the problem with it. */
export async function readJsonFile(file: string): Promise<{ value: unknown } | { problem: string }> {
  const opened = await openRegular(file);
  if (typeof opened === 'string') return { problem: opened };
  try {
    if (opened.size > MAX_JSON_BYTES) return { problem: `larger than ${MAX_JSON_BYTES} bytes` };
    const text = await opened.fh.readFile('utf8');
    try {
      return { value: JSON.parse(text) as unknown };
    } catch (error) {
      return { problem: `not JSON (${(error as Error).message})` };
    }
  } finally {
    await opened.fh.close();
  }
}

/** Each line of a JSONL file parsed (a line that is not JSON gives its problem instead). */
export async function* readJsonLines(
  file: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<{ value: unknown; line: number } | { problem: string; line: number }> {
  const opened = await openRegular(file);
  if (typeof opened === 'string') {
    yield { problem: opened, line: 0 };
    return;
  }
  const stream = opened.fh.createReadStream({ encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const text of lines) {
      signal?.throwIfAborted();
      n++;
      if (text.trim() === '') continue;
      try {
        yield { value: JSON.parse(text) as unknown, line: n };
      } catch (error) {
        yield { problem: `line ${n} is not JSON (${(error as Error).message})`, line: n };
      }
    }
  } finally {
    lines.close();
    stream.destroy();
    await opened.fh.close().catch(() => undefined);
  }
}

/** The names in a folder (real folders and files only, no links), sorted; none when it is missing. */
export async function listFolder(dir: string, kind: 'file' | 'dir'): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => (kind === 'file' ? e.isFile() : e.isDirectory()))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if (hasErrno(error, 'ENOENT', 'ENOTDIR')) return [];
    throw error;
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
