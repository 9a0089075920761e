import path from 'node:path';
import { invalidArgument } from '../errors.js';
import { resolveHome } from '../files/layout.js';
import { homeOfRollout } from '../files/locate.js';
import { findSession } from '../lister/find.js';
import type { RolloutProblem } from '../reader/stream.js';
import { readEntries } from '../reader/stream.js';
import { listSessionSnapshotsIn, sessionStores } from '../snapshot/session-stores.js';
import type { TranscriptBlock } from './blocks.js';
import { BlockMaker } from './blocks.js';
import { HtmlRenderer } from './html.js';
import { MarkdownRenderer } from './markdown.js';
import type { SnapshotChange } from './snapshot-diff.js';
import { MAX_PATCH_CHARS, SnapshotDiffer } from './snapshot-diff.js';

/**
 * The document format of {@link renderTranscript}.
 * @public
 */
export type TranscriptFormat = 'markdown' | 'html';

/**
 * Options of {@link renderTranscript} and {@link streamTranscript}.
 * @public
 */
export interface RenderTranscriptOptions {
  /** `markdown`: a Markdown document; `html`: one self-contained HTML file (no network, no script). */
  format: TranscriptFormat;
  /**
   * The home to find a session id in, and whose snapshot stores hold the diffs.
   * @defaultValue for an id, `$CODEX_HOME`, else `~/.codex`; for a path, the home the file lies in
   */
  home?: string;
  /**
   * Show, with each snapshot, the diff to the previous snapshot of the same workspace (read from
   * the home's shadow stores), and the snapshots only a store links.
   * @defaultValue true
   */
  snapshots?: boolean;
  /**
   * Keep every tool call, output, reasoning summary and patch whole.
   * @defaultValue false: Markdown keeps 40 lines of each (2,000 characters a line, 20,000 in all)
   * and HTML 1 MiB of each, with a note of what was cut; patches 1 MiB.
   */
  full?: boolean;
  /** Stops the rendering; the iterator rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called for each damaged line of the rollout (it is skipped, as every reader does). */
  onProblem?: (problem: RolloutProblem) => void;
}

/**
 * Which session {@link renderTranscript} renders: an id, a unique id prefix (8+ hex digits), a
 * rollout file path, or anything with a `path` (a `SessionSummary`).
 * @public
 */
export type TranscriptSource = string | { readonly path: string };

/** Options once checked, with the viewer's own settings. */
export interface TranscriptSettings {
  format: TranscriptFormat;
  home: string | undefined;
  snapshots: boolean;
  full: boolean;
  signal: AbortSignal | undefined;
  onProblem: ((problem: RolloutProblem) => void) | undefined;
  /** HTML only: a whole document (the default) or the body for a page that wraps it. */
  document: boolean;
  /** HTML only: the link from a snapshot to its page. */
  snapshotHref?: (messageId: string) => string;
}

export function normalizeTranscriptOptions(options: RenderTranscriptOptions): TranscriptSettings {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('renderTranscript: options are required');
  const { format } = options;
  if (format !== 'markdown' && format !== 'html') {
    throw invalidArgument(
      `renderTranscript: format must be "markdown" or "html", not ${JSON.stringify(format)}`,
    );
  }
  for (const k of ['snapshots', 'full'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'boolean')
      throw invalidArgument(`renderTranscript: ${k} must be a boolean`);
  }
  return {
    format,
    home: options.home,
    snapshots: options.snapshots ?? true,
    full: options.full ?? false,
    signal: options.signal,
    onProblem: options.onProblem,
    document: true,
  };
}

const looksLikePath = (arg: string): boolean =>
  arg.includes('/') || arg.includes(path.sep) || /\.jsonl(\.zst)?$/.test(arg);

/** The rollout file a source names. */
export async function transcriptFile(source: TranscriptSource, home: string | undefined): Promise<string> {
  if (typeof source === 'object' && source !== null && typeof source.path === 'string') return source.path;
  if (typeof source !== 'string' || source.trim() === '')
    throw invalidArgument('renderTranscript: the session must be an id, an id prefix, a path or a summary');
  if (looksLikePath(source)) return path.resolve(source);
  return (await findSession(source, { home: resolveHome(home) })).path;
}

/** The chunks of a transcript of the rollout at `file`, in order, memory bounded by one line. */
export async function* transcriptChunks(file: string, s: TranscriptSettings): AsyncGenerator<string> {
  const renderer =
    s.format === 'markdown'
      ? new MarkdownRenderer({ full: s.full })
      : new HtmlRenderer({
          full: s.full,
          document: s.document,
          ...(s.snapshotHref ? { snapshotHref: s.snapshotHref } : {}),
        });
  const maker = new BlockMaker();
  const home = s.snapshots ? (s.home !== undefined ? resolveHome(s.home) : homeOfRollout(file)) : undefined;
  let differ: SnapshotDiffer | undefined;
  const seen = new Set<string>();
  const stores: string[] = [];
  const changeOf = async (b: TranscriptBlock): Promise<SnapshotChange | undefined> => {
    if (b.kind !== 'snapshot' || home === undefined) return undefined;
    seen.add(b.messageId);
    stores.push(b.store);
    differ ??= new SnapshotDiffer(home, maker.sessionId, s.full ? Infinity : MAX_PATCH_CHARS, s.signal);
    return differ.next(b.workspace, b.messageId);
  };
  let started = false;
  let updated = '';
  let out: string[] = [];
  let size = 0;
  for await (const batch of readEntries(file, { signal: s.signal, onProblem: s.onProblem })) {
    for (const { line, value } of batch) {
      if (typeof value.timestamp === 'string') updated = value.timestamp;
      for (const b of maker.blocks(value, line)) {
        if (!started) {
          started = true;
          const start =
            s.format === 'html' ? (renderer as HtmlRenderer).start(`Session ${maker.sessionId}`) : '';
          if (start) out.push(start);
        }
        const text = renderer.block(b, await changeOf(b));
        out.push(text);
        size += text.length;
      }
      if (size >= 256 * 1024) {
        yield out.join('');
        out = [];
        size = 0;
      }
    }
  }
  // Snapshots taken while another writer held the session are linked only by their store.
  if (home !== undefined && maker.sessionId) {
    try {
      for (const store of await sessionStores(home, [maker.sessionId], stores, s.signal)) {
        for (const snap of await listSessionSnapshotsIn(store, home, maker.sessionId, s.signal)) {
          if (seen.has(snap.messageId)) continue;
          const b: TranscriptBlock = {
            kind: 'snapshot',
            line: 0,
            time: snap.capturedAt,
            messageId: snap.messageId,
            commit: snap.commit,
            store,
            workspace: snap.workspace,
          };
          out.push(renderer.block(b, await changeOf(b)));
        }
      }
    } catch (error) {
      if (s.signal?.aborted) throw error;
      // A store that cannot be read adds nothing; the rollout's own lines were all rendered.
    }
  }
  out.push(renderer.end({ updated }));
  yield out.join('');
}

/**
 * Streams a session's transcript as Markdown or HTML, a chunk at a time, reading the rollout
 * once, line by line: memory stays bounded by the longest line whatever the session's size.
 *
 * @remarks
 * See {@link renderTranscript} for what the document holds. The rollout is read only through the
 * line engine; damaged lines are skipped and reported through `onProblem`.
 * @throws `InvalidRolloutError` for a file that is no rollout; `SessionNotFoundError` /
 * `AmbiguousSessionIdError` for an id that names none or several sessions.
 * @public
 */
export async function* streamTranscript(
  session: TranscriptSource,
  options: RenderTranscriptOptions,
): AsyncGenerator<string, void, undefined> {
  const s = normalizeTranscriptOptions(options);
  yield* transcriptChunks(await transcriptFile(session, s.home), s);
}

/**
 * A session's transcript as one Markdown or HTML document.
 *
 * @remarks
 * It shows user and assistant turns, tool calls with their arguments and outputs, reasoning
 * summaries, compaction markers, resume points (a user turn after 30 minutes or more of silence),
 * snapshots with the diff to the previous one, and timestamps as written (UTC). Markdown puts tool
 * text in fenced blocks whose fence no content can close. HTML is one self-contained file: styles
 * inline (light and dark), no script, a Content-Security-Policy that forbids every load but
 * `data:` images, tool calls and reasoning collapsible, long outputs folded under "show all",
 * diffs drawn by diff2html. All session text is escaped, and invisible controls (C0, C1, bidi
 * overrides, line separators) are shown as `\u{…}` escapes in both formats.
 *
 * For a big session use {@link streamTranscript}: this function holds the whole document.
 * @public
 */
export async function renderTranscript(
  session: TranscriptSource,
  options: RenderTranscriptOptions,
): Promise<string> {
  const parts: string[] = [];
  for await (const chunk of streamTranscript(session, options)) parts.push(chunk);
  return parts.join('');
}
