import type { SkipHandler } from '../files/skip.js';
import type { RolloutLine, SessionGitInfo, SessionSource } from '../format/types.js';

/**
 * One session as a listing shows it. Fields missing from the file are `null`.
 * @public
 */
export interface SessionSummary {
  /** The session id, as written in the file name. */
  id: string;
  /** The rollout file. */
  path: string;
  /**
   * Creation instant, RFC 3339 UTC with milliseconds: `session_meta.payload.timestamp` when it is a
   * valid instant, else the instant the order uses (the UUIDv7 time, else the file name read as UTC).
   * For a UUIDv7 id the two are the same millisecond.
   */
  createdAt: string;
  /** The file's modification time, RFC 3339 UTC with milliseconds. */
  updatedAt: string;
  /** Working folder of the session (`null` for legacy files, which do not record it). */
  cwd: string | null;
  /** The program that wrote the session. */
  originator: string | null;
  /** Version of that program. */
  cliVersion: string | null;
  /** Where the session came from, as written. */
  source: SessionSource | null;
  /** The model provider id. */
  modelProvider: string | null;
  /**
   * Git facts recorded when the session started (`session_meta.git`, camelCase); null when the file
   * has none. A fact that is not a string in the file is null.
   */
  git: SessionGitInfo | null;
  /**
   * The first user message, trimmed at both ends and otherwise whole, as the Codex CLI's
   * `thread/list` gives it (cut it to width for display). `"[Image]"` for a message with images
   * only; `null` when the head holds no user message (listed only with `includeEmpty`).
   */
  preview: string | null;
  /** The first user message in full, after the editor context before `## My request for Codex:`. */
  firstUserMessage: string | null;
  /** The thread name from `session_index.jsonl` (the last line for the id wins). */
  name: string | null;
  /** True for a session in `archived_sessions/`. */
  archived: boolean;
  /**
   * The first records of the file as parsed (envelope lines; legacy files converted to envelopes),
   * `session_meta` first. Unparsable lines are left out.
   */
  head: RolloutLine[];
  /**
   * Where a `search` matched: present on the summaries of a listing with `search`, absent
   * otherwise.
   */
  match?: SearchMatch;
}

/**
 * Where a search term was found in a session: the first user or assistant message containing it,
 * else the thread name.
 * @public
 */
export interface SearchMatch {
  /**
   * An excerpt around the first occurrence, whitespace runs shown as one space: up to 48
   * characters before it, 96 in all, `…` where the text was cut (the Codex CLI's excerpt style).
   */
  snippet: string;
  /**
   * The 1-based line of the rollout holding the message (what `rollouts show --at` takes); `null`
   * when only the thread name matched.
   */
  line: number | null;
}

/**
 * How far a session-index build or reconcile has come.
 * @public
 */
export interface SessionIndexProgress {
  /** Files read so far. */
  done: number;
  /** Files to read in all (new or changed since the index last saw them). */
  total: number;
}

/**
 * Options of {@link iterateSessions}; {@link listSessions} adds `pageSize`.
 * @public
 */
export interface IterateSessionsOptions {
  /**
   * The home folder.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /**
   * Start strictly after this position: a `nextCursor` from a previous page. `null` or absent starts
   * at the newest session. A cursor belongs to the `sortKey` it was made with.
   * @defaultValue `null`
   */
  cursor?: string | null;
  /**
   * `'created'`: newest creation instant first (the UUIDv7 time of the id, else the file name read as
   * UTC), ties by id descending. Reads only the date folders a page needs.
   *
   * `'updated'`: newest file modification time first (milliseconds), ties by id descending. A file's
   * mtime is not in its name, so every call lists every date folder and stats every rollout, up to
   * `scanCap` directory entries (newest folders first): about 0.7 s per 100 000 sessions on a warm
   * cache when uncapped. A session written to while paging moves to the front, so later pages do
   * not return it (the order it is paged in has changed under it).
   *
   * `'relevance'`: with `search`, best match first by SQLite FTS5's bm25 over the matching
   * messages (name-only hits last), ties newest first. Needs the session index; without it (index
   * off, SQLite addon missing) the hits come in `'created'` order. Its cursors are positions in
   * the ranking, so a page after an index change may repeat or skip a hit. Ranking scores every
   * message that holds the term, so a page costs in proportion to the hits: milliseconds for a rare
   * term, most of a second for one held by most of 300 000 messages.
   *
   * With the session index (the default), `'created'` and `'updated'` cost the same: the index
   * answers in order, a page at a time.
   * @defaultValue `'created'`
   */
  sortKey?: 'created' | 'updated' | 'relevance';
  /**
   * Keep sessions whose `source` is one of these (exact match; a sub-agent source object matches by
   * its key, such as `"subagent"`). A `session_meta` without a `source` field counts as `"vscode"`,
   * as the Codex CLI reads it (its `SessionSource` defaults to `VSCode`), so
   * `['cli', 'vscode']`, the interactive sources, lists it. A `source` of another type (null, a
   * number, an array) matches no list. What this filter alone left out is counted in
   * {@link SessionPage.filteredBySource}.
   * @defaultValue every source
   */
  sources?: readonly string[];
  /**
   * Keep sessions whose `model_provider` is one of these; a session without one matches when
   * `defaultProvider` is in the list.
   * @defaultValue every provider
   */
  modelProviders?: readonly string[];
  /**
   * The provider a session without `model_provider` used.
   * @defaultValue `'openai'`, the Codex CLI's
   */
  defaultProvider?: string;
  /**
   * Keep sessions whose working folder is this one (or one of these), compared after
   * `path.resolve` (trailing separators and `.`/`..` segments do not matter).
   * @defaultValue every folder
   */
  cwd?: string | readonly string[];
  /**
   * Keep sessions created at or after this instant.
   * @defaultValue no bound
   */
  since?: Date | string | number;
  /**
   * Keep sessions created at or before this instant.
   * @defaultValue no bound
   */
  until?: Date | string | number;
  /**
   * Keep sessions in which some user or assistant message, or the thread name, contains this
   * text: literally (no query syntax), ignoring case, as the Codex CLI's search does. Each summary
   * then carries {@link SessionSummary.match}. A search is never cut short by `scanCap`: without
   * the index, every file is read whole; with it, the index answers.
   * @defaultValue no search
   */
  search?: string;
  /**
   * Use the session index (`<home>/agent-rollouts/session-index.sqlite`, created on first use):
   * a cache of the files, reconciled with them before each listing, so the answer is always the
   * file walk's. `false` always walks the files. The files are walked anyway when the index cannot
   * be used (SQLite addon not built, index unwritable and behind, locked, corrupt and undeletable),
   * and when `maxHeadBytes`, an explicit `scanCap` or `onSkip` is given (they shape or watch a
   * file walk).
   * @defaultValue `true`
   */
  index?: boolean;
  /**
   * Told how a build or catch-up of the session index progresses (a first listing of a big home
   * reads every file once).
   * @defaultValue none
   */
  onIndexProgress?: (progress: SessionIndexProgress) => void;
  /**
   * List `archived_sessions/` instead of `sessions/`.
   * @defaultValue `false`
   */
  archived?: boolean;
  /**
   * Also list sessions whose head holds no user message (the Codex CLI hides them).
   * @defaultValue `false`
   */
  includeEmpty?: boolean;
  /**
   * How many records of each file to return as `head` (0 for none).
   * @defaultValue `10`
   */
  headRecords?: number;
  /**
   * How many bytes of each file to read at most, after its `session_meta` line, while looking for
   * the first user message. The `session_meta` line itself (long base instructions) is read whole
   * up to 16 MiB. A user message the bound cuts gives its start as the preview.
   * @defaultValue `1048576` (1 MiB)
   */
  maxHeadBytes?: number;
  /**
   * A bound on the directory entries one call examines. When it is reached the call returns what it
   * has with `reachedScanCap: true` and a cursor to go on from. A folder once started is listed
   * whole, and a call always gets past at least one session, so paging always progresses.
   * @defaultValue `10000` for {@link listSessions}, no bound for {@link iterateSessions}
   */
  scanCap?: number;
  /**
   * Stops the listing; the call rejects with the signal's reason.
   * @defaultValue none
   */
  signal?: AbortSignal;
  /**
   * Told about every file or folder left out, with the reason (and the error, for `unreadable`).
   * @defaultValue none
   */
  onSkip?: SkipHandler;
}

/**
 * Options of {@link listSessions}.
 * @public
 */
export interface ListSessionsOptions extends IterateSessionsOptions {
  /**
   * Sessions per page, at least 1.
   * @defaultValue `25`
   */
  pageSize?: number;
}

/**
 * One page of sessions.
 * @public
 */
export interface SessionPage {
  /** The sessions, in order. */
  sessions: SessionSummary[];
  /** Pass as `cursor` for the next page; `null` when nothing follows. */
  nextCursor: string | null;
  /**
   * Rollout files opened (heads read) by this call; with the session index, the sessions examined:
   * the page's, plus the one after it that tells a next page exists.
   */
  scannedFiles: number;
  /** Files and folders left out by this call (each also reported to `onSkip`). */
  skippedFiles: number;
  /** True when the call stopped at `scanCap`: the page may be short, and `nextCursor` goes on. */
  reachedScanCap: boolean;
  /**
   * Sessions the `sources` filter alone left out, by source: each passed every other filter (and
   * has a user message, unless `includeEmpty`), so listing with every source would show it. Keyed
   * by the string the filter compares (the source, or a sub-agent object's key); `""` counts
   * sources that are no string or object. Counts only the part of the listing this page covers:
   * from the cursor to the page's last session, or to where the listing ended or stopped at
   * `scanCap`; paging on counts each session once. `{}` without a `sources` filter.
   */
  filteredBySource: Record<string, number>;
}

/**
 * Options of {@link findSession}.
 * @public
 */
export interface FindSessionOptions {
  /**
   * The home folder.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /**
   * `true`: look in `archived_sessions/` only; `false`: in `sessions/` only.
   * @defaultValue both (a live session wins over an archived copy)
   */
  archived?: boolean;
  /**
   * How many records of the file to return as `head`.
   * @defaultValue `10`
   */
  headRecords?: number;
  /**
   * Stops the search; the call rejects with the signal's reason.
   * @defaultValue none
   */
  signal?: AbortSignal;
}
