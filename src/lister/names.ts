import { stat } from 'node:fs/promises';
import { homeFileLines } from '../files/home-file.js';
import { homePaths } from '../files/layout.js';

/**
 * The last names read per index file, reused while the file is unchanged: the index can hold a line
 * per named session for years, and a picker lists page after page.
 */
const cache = new Map<string, { stamp: string; names: Map<string, string> }>();

/**
 * Thread names from `<home>/session_index.jsonl` (`{id, thread_name, updated_at}` per line), by
 * lower-cased id; the last line for an id wins, and an empty or null name clears it. Unparsable lines
 * are ignored: the file is appended to by other programs and may end in a torn line. The file is
 * streamed (memory follows the names, not the file) and only read when it is a regular file, so a
 * FIFO or device put in its place never blocks or floods a listing.
 */
export async function readThreadNames(home: string, signal?: AbortSignal): Promise<Map<string, string>> {
  const file = homePaths.sessionIndex(home);
  const names = new Map<string, string>();
  let stamp: string;
  try {
    const st = await stat(file);
    stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    const cached = cache.get(file);
    if (cached?.stamp === stamp) return cached.names;
  } catch {
    // Names are decoration: a missing or unreadable index never breaks a listing.
    cache.delete(file);
    return names;
  }
  let readable = true;
  const lines = homeFileLines(file, {
    maxLineBytes: MAX_NAME_LINE_BYTES,
    signal,
    onSkip: () => (readable = false),
  });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const { id, thread_name: name } = value as { id?: unknown; thread_name?: unknown };
    if (typeof id !== 'string') continue;
    if (typeof name === 'string' && name !== '') names.set(id.toLowerCase(), name);
    else names.delete(id.toLowerCase());
  }
  if (readable) cache.set(file, { stamp, names });
  else cache.delete(file);
  return names;
}

/** A line of the index longer than this is not a name entry (names are short; this is generous). */
const MAX_NAME_LINE_BYTES = 1024 * 1024;

/** Reads the names once per call, on first use. */
export class LazyThreadNames {
  private names: Promise<Map<string, string>> | undefined;
  constructor(
    private readonly home: string,
    private readonly signal?: AbortSignal,
  ) {}

  async get(id: string): Promise<string | null> {
    this.names ??= readThreadNames(this.home, this.signal);
    return (await this.names).get(id.toLowerCase()) ?? null;
  }
}
