import type { SessionMetaPayload, SessionSource } from '../format/types.js';
import type { NormalizedListOptions } from './options.js';
import { normalizeCwd } from './options.js';

/**
 * The source a `session_meta` without one has: the Codex CLI's `SessionSource` enum defaults to
 * `VSCode` when the field is missing (serde default), so such files count as interactive.
 */
export const MISSING_SOURCE = 'vscode';

/**
 * The string a `sources` filter compares: the source itself, a sub-agent object's key, `"vscode"`
 * when the field is missing (as the Codex CLI reads it), and undefined for any other value (null,
 * a number, an array), which no filter matches.
 */
export function sourceLabel(source: SessionSource | null | undefined): string | undefined {
  if (source === undefined) return MISSING_SOURCE;
  if (typeof source === 'string') return source;
  if (typeof source === 'object' && source !== null && !Array.isArray(source)) return Object.keys(source)[0];
  return undefined;
}

/** Whether a session with this `source` passes the `sources` filter (always, without one). */
export function sourceMatches(
  sources: ReadonlySet<string> | undefined,
  source: SessionSource | undefined,
): boolean {
  if (sources === undefined) return true;
  const label = sourceLabel(source);
  return label !== undefined && sources.has(label);
}

/**
 * The filters decided by `session_meta` alone, or undefined when there are none. With
 * `withSources: false` the `sources` filter is left out (the lister applies it last, to count what
 * it alone hides).
 */
export function metaFilterOf(
  o: NormalizedListOptions,
  { withSources = true }: { withSources?: boolean } = {},
): ((meta: SessionMetaPayload) => boolean) | undefined {
  const { modelProviders, defaultProvider, cwd } = o;
  const sources = withSources ? o.sources : undefined;
  if (sources === undefined && modelProviders === undefined && cwd === undefined) return undefined;
  return (meta) => {
    if (!sourceMatches(sources, meta.source)) return false;
    if (modelProviders !== undefined) {
      const provider =
        typeof meta.model_provider === 'string' && meta.model_provider !== ''
          ? meta.model_provider
          : defaultProvider;
      if (!modelProviders.has(provider)) return false;
    }
    if (cwd !== undefined) {
      if (typeof meta.cwd !== 'string' || meta.cwd === '' || !cwd.has(normalizeCwd(meta.cwd))) return false;
    }
    return true;
  };
}

/** The `search` filter: a case-insensitive substring of the first user message or the name. */
export function matchesSearch(
  needle: string | undefined,
  message: string | null,
  name: string | null,
): boolean {
  if (needle === undefined) return true;
  return (
    (message?.toLowerCase().includes(needle) ?? false) || (name?.toLowerCase().includes(needle) ?? false)
  );
}
