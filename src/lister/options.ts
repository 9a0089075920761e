import path from 'node:path';
import { invalidArgument } from '../errors.js';
import { decodeCursor, type CursorKey } from '../format/cursor.js';
import { resolveHome } from '../files/layout.js';
import type { SkipHandler } from '../files/skip.js';
import type { IterateSessionsOptions, SessionIndexProgress } from './types.js';

/** Options with defaults applied and values checked, shared by every listing entry point. */
export interface NormalizedListOptions {
  home: string;
  pageSize: number;
  cursor: CursorKey | undefined;
  sortKey: 'created' | 'updated' | 'relevance';
  sources: ReadonlySet<string> | undefined;
  modelProviders: ReadonlySet<string> | undefined;
  defaultProvider: string;
  cwd: ReadonlySet<string> | undefined;
  since: number | undefined;
  until: number | undefined;
  search: string | undefined;
  archived: boolean;
  includeEmpty: boolean;
  headRecords: number;
  maxHeadBytes: number;
  scanCap: number;
  signal: AbortSignal | undefined;
  onSkip: SkipHandler | undefined;
  /** Whether the session index may answer. */
  index: boolean;
  /** The caller set `scanCap` or `maxHeadBytes`, which only a file walk honours. */
  walkOptions: boolean;
  onIndexProgress: ((p: SessionIndexProgress) => void) | undefined;
}

export const DEFAULT_PAGE_SIZE = 25;
export const DEFAULT_HEAD_RECORDS = 10;
export const DEFAULT_MAX_HEAD_BYTES = 1024 * 1024;
export const DEFAULT_SCAN_CAP = 10_000;
export const DEFAULT_PROVIDER = 'openai';

function instant(name: string, value: Date | string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw invalidArgument(`${name}: ${String(value)} is not a valid instant`);
  return ms;
}

function positiveInt(
  name: string,
  value: number | undefined,
  fallback: number,
  allowInfinity = false,
): number {
  if (value === undefined) return fallback;
  if (allowInfinity && value === Infinity) return value;
  if (!Number.isInteger(value) || value < 1)
    throw invalidArgument(`${name} must be a positive integer, got ${value}`);
  return value;
}

function stringSet(name: string, value: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalidArgument(`${name} must be an array of strings`);
  }
  return new Set(value);
}

/** The form a working folder is compared in. */
export function normalizeCwd(p: string): string {
  return path.resolve(p);
}

/** Applies defaults and rejects bad or contradictory options with a `TypeError` naming them. */
export function normalizeListOptions(
  options: IterateSessionsOptions & { pageSize?: number },
  defaults: { scanCap: number },
): NormalizedListOptions {
  const o = options ?? {};
  const sortKey = o.sortKey ?? 'created';
  if (sortKey !== 'created' && sortKey !== 'updated' && sortKey !== 'relevance') {
    throw invalidArgument(
      `sortKey must be 'created', 'updated' or 'relevance', got ${JSON.stringify(sortKey)}`,
    );
  }
  if (sortKey === 'relevance' && (o.search === undefined || o.search === '')) {
    throw invalidArgument("sortKey 'relevance' needs search: without a search term nothing is ranked");
  }
  if (o.index !== undefined && typeof o.index !== 'boolean') throw invalidArgument('index must be a boolean');
  if (o.onIndexProgress !== undefined && typeof o.onIndexProgress !== 'function')
    throw invalidArgument('onIndexProgress must be a function');
  const since = instant('since', o.since);
  const until = instant('until', o.until);
  if (since !== undefined && until !== undefined && since > until) {
    throw invalidArgument(
      `since (${new Date(since).toISOString()}) is after until (${new Date(until).toISOString()}): nothing can match`,
    );
  }
  const cwdList = o.cwd === undefined ? undefined : typeof o.cwd === 'string' ? [o.cwd] : o.cwd;
  if (cwdList !== undefined && (!Array.isArray(cwdList) || cwdList.some((c) => typeof c !== 'string'))) {
    throw invalidArgument('cwd must be a path or an array of paths');
  }
  if (o.search !== undefined && typeof o.search !== 'string')
    throw invalidArgument('search must be a string');
  if (o.onSkip !== undefined && typeof o.onSkip !== 'function')
    throw invalidArgument('onSkip must be a function');
  return {
    home: resolveHome(o.home),
    pageSize: positiveInt('pageSize', o.pageSize, DEFAULT_PAGE_SIZE),
    cursor: o.cursor === undefined || o.cursor === null ? undefined : decodeCursor(o.cursor, sortKey),
    sortKey,
    sources: stringSet('sources', o.sources),
    modelProviders: stringSet('modelProviders', o.modelProviders),
    defaultProvider: o.defaultProvider ?? DEFAULT_PROVIDER,
    cwd: cwdList === undefined ? undefined : new Set(cwdList.map(normalizeCwd)),
    since,
    until,
    search: o.search === undefined || o.search === '' ? undefined : o.search.toLowerCase(),
    archived: o.archived ?? false,
    includeEmpty: o.includeEmpty ?? false,
    headRecords: o.headRecords === 0 ? 0 : positiveInt('headRecords', o.headRecords, DEFAULT_HEAD_RECORDS),
    maxHeadBytes: positiveInt('maxHeadBytes', o.maxHeadBytes, DEFAULT_MAX_HEAD_BYTES),
    scanCap: positiveInt('scanCap', o.scanCap, defaults.scanCap, true),
    signal: o.signal,
    onSkip: o.onSkip,
    index: o.index ?? true,
    walkOptions: o.scanCap !== undefined || o.maxHeadBytes !== undefined || o.onSkip !== undefined,
    onIndexProgress: o.onIndexProgress,
  };
}
