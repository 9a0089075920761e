import { foldCase, searchableText, snippetOf } from '../format/search-text.js';
import { STREAM_CHUNK, newState } from '../reader/engine.js';
import type { StreamRolloutOptions } from '../reader/entries.js';
import { readThreadEntries } from '../reader/thread.js';
import { readHead } from './head.js';
import { sourceLabel } from './filters.js';
import { DEFAULT_HEAD_RECORDS, DEFAULT_MAX_HEAD_BYTES, normalizeCwd } from './options.js';
import type { FileFacts } from '../search-index/types.js';
import type { SearchMatch } from './types.js';

/** Longest line the text scan holds whole; a longer one (a huge tool output) is skipped. */
const MAX_SCAN_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Every searchable text of a rollout (user and assistant messages), with its line, through the
 * one line engine; `visit` returning true stops the scan. Damage inside the file is skipped the way
 * every reader skips it; a file that cannot be read at all yields nothing.
 */
export async function scanTexts(
  file: string,
  compressed: boolean,
  visit: (line: number, text: string) => boolean,
  signal?: AbortSignal,
  onBases?: (rolloutIds: string[]) => void,
): Promise<void> {
  try {
    // The whole thread: a Codex CLI 0.171 fork or reverted rollout holds its older history in other
    // files, and is found by it (a hit there gives the line of that older file).
    const options = { compressed, signal, maxLineBytes: MAX_SCAN_LINE_BYTES } as StreamRolloutOptions;
    const segments =
      onBases === undefined
        ? undefined
        : (_: unknown, wanted: string[]): void => {
            onBases(wanted);
          };
    for await (const batch of readThreadEntries(file, options, newState(), STREAM_CHUNK, segments)) {
      for (const entry of batch) {
        const text = searchableText(entry.value);
        if (text !== undefined && visit(entry.line, text)) return;
      }
    }
  } catch (error) {
    if (signal?.aborted) throw error;
  }
}

/** The first message of a file containing the case-folded `term`, as a hit: excerpt and line. */
export async function findTextMatch(
  file: string,
  compressed: boolean,
  term: string,
  signal?: AbortSignal,
): Promise<SearchMatch | undefined> {
  let found: SearchMatch | undefined;
  await scanTexts(
    file,
    compressed,
    (line, text) => {
      if (!foldCase(text).includes(term)) return false;
      found = { snippet: snippetOf(text, term) ?? text, line };
      return true;
    },
    signal,
  );
  return found;
}

/** A hit on the thread name: the name as the excerpt, no line. */
export function nameMatch(name: string | null, term: string): SearchMatch | undefined {
  if (name === null || !foldCase(name).includes(term)) return undefined;
  return { snippet: snippetOf(name, term) ?? name, line: null };
}

/**
 * What the session index keeps of a file: the facts a listing filters on, decided by the same
 * head read the file walk makes (default head bounds), and every searchable text.
 */
export async function inspectFile(
  file: string,
  compressed: boolean,
  signal?: AbortSignal,
): Promise<FileFacts> {
  const head = await readHead(file, compressed, {
    headRecords: DEFAULT_HEAD_RECORDS,
    maxHeadBytes: DEFAULT_MAX_HEAD_BYTES,
  });
  if (head.kind !== 'head') {
    const status = head.kind === 'skip' ? head.reason : 'invalid';
    return { status, hasUser: false, sourceLabel: null, provider: null, cwd: null, texts: [], bases: [] };
  }
  const { meta } = head.head;
  const texts: { line: number; text: string }[] = [];
  let bases: string[] = [];
  let previous: string | undefined;
  await scanTexts(
    file,
    compressed,
    (line, text) => {
      // A turn is written twice (response item and event): the second copy adds nothing to find.
      if (text !== previous) texts.push({ line, text });
      previous = text;
      return false;
    },
    signal,
    (wanted) => {
      bases = wanted;
    },
  );
  return {
    status: 'ok',
    hasUser: head.head.userMessage !== undefined,
    sourceLabel: sourceLabel(meta.source) ?? null,
    provider:
      typeof meta.model_provider === 'string' && meta.model_provider !== '' ? meta.model_provider : null,
    cwd: typeof meta.cwd === 'string' && meta.cwd !== '' ? normalizeCwd(meta.cwd) : null,
    texts,
    bases,
  };
}
