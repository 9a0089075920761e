import { readFile, stat } from 'node:fs/promises';
import { homePaths } from '../files/layout.js';

/**
 * The last names read per index file, reused while the file is unchanged: the index can hold a line
 * per named session for years, and a picker lists page after page.
 */
const cache = new Map<string, { stamp: string; names: Map<string, string> }>();

/**
 * Thread names from `<home>/session_index.jsonl` (`{id, thread_name, updated_at}` per line), by
 * lower-cased id; the last line for an id wins, and an empty or null name clears it. Unparsable lines
 * are ignored: the file is appended to by other programs and may end in a torn line.
 */
export async function readThreadNames(home: string): Promise<Map<string, string>> {
  const file = homePaths.sessionIndex(home);
  const names = new Map<string, string>();
  let text: string;
  let stamp: string;
  try {
    const st = await stat(file);
    stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    const cached = cache.get(file);
    if (cached?.stamp === stamp) return cached.names;
    text = await readFile(file, 'utf8');
  } catch {
    // Names are decoration: a missing or unreadable index never breaks a listing.
    cache.delete(file);
    return names;
  }
  for (const line of text.split('\n')) {
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
  cache.set(file, { stamp, names });
  return names;
}

/** Reads the names once per call, on first use. */
export class LazyThreadNames {
  private names: Promise<Map<string, string>> | undefined;
  constructor(private readonly home: string) {}

  async get(id: string): Promise<string | null> {
    this.names ??= readThreadNames(this.home);
    return (await this.names).get(id.toLowerCase()) ?? null;
  }
}
