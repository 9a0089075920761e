import type { SkipReason } from '../files/skip.js';

/** What the index keeps of one rollout file, as the lister's head read and text scan found it. */
export interface FileFacts {
  /** `'ok'` for a listable file, else why a listing skips it. */
  status: 'ok' | SkipReason;
  /** The head holds a user message (the default head bounds). */
  hasUser: boolean;
  /** The string the `sources` filter compares, or null when no filter can match it. */
  sourceLabel: string | null;
  /** `model_provider` when it is a non-empty string. */
  provider: string | null;
  /** The working folder, normalized as the `cwd` filter compares it; null when missing. */
  cwd: string | null;
  /** The searchable text of every user and assistant message, with its 1-based line number. */
  texts: { line: number; text: string }[];
  /**
   * The rollout ids (lower-cased) whose files hold part of this file's thread (Codex CLI 0.171
   * `history_base`: a fork's parent, a reverted thread's older rollouts), found or not: a change to
   * one of them changes what is filed for this file.
   */
  bases: string[];
}

/** Reads one file into its facts (supplied by the lister, which owns heads). */
export type InspectFile = (path: string, compressed: boolean, signal?: AbortSignal) => Promise<FileFacts>;

/** Progress of a build or reconcile: files read of files to read. */
export interface IndexProgress {
  /** Files read so far. */
  done: number;
  /** Files to read in all. */
  total: number;
}

/** One query of the index: the filters of a listing, already normalized. */
export interface IndexQuery {
  archived: boolean;
  order: 'created' | 'updated' | 'relevance';
  /** Strictly after this key (created/updated order). */
  after?: { time: number; id: string } | undefined;
  /** Rows to skip (relevance order). */
  offset?: number | undefined;
  since?: number | undefined;
  until?: number | undefined;
  cwd?: readonly string[] | undefined;
  /** Applied unless `withoutSources`. */
  sources?: readonly string[] | undefined;
  providers?: readonly string[] | undefined;
  defaultProvider: string;
  includeEmpty: boolean;
  /** Case-folded search term. */
  search?: string | undefined;
  /** Lower-cased ids whose thread name matches the search. */
  nameIds?: readonly string[] | undefined;
  limit: number;
}

/** One session an index query returns. */
export interface IndexRow {
  fid: number;
  path: string;
  id: string;
  kid: string;
  created: number;
  updated: number;
  mtime: number;
  ctime: number;
  size: number;
  archived: boolean;
  compressed: boolean;
  source: string | null;
  /** The first message holding the search term, when the query already found it. */
  hit?: { line: number; text: string } | undefined;
}
