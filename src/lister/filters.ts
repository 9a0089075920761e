import type { SessionMetaPayload, SessionSource } from '../format/types.js';
import type { NormalizedListOptions } from './options.js';
import { normalizeCwd } from './options.js';

/** The string a `sources` filter compares: the source itself, or a sub-agent object's key. */
export function sourceLabel(source: SessionSource | undefined): string | undefined {
  if (typeof source === 'string') return source;
  if (typeof source === 'object' && source !== null) return Object.keys(source)[0];
  return undefined;
}

/** The filters decided by `session_meta` alone, or undefined when there are none. */
export function metaFilterOf(o: NormalizedListOptions): ((meta: SessionMetaPayload) => boolean) | undefined {
  const { sources, modelProviders, defaultProvider, cwd } = o;
  if (sources === undefined && modelProviders === undefined && cwd === undefined) return undefined;
  return (meta) => {
    if (sources !== undefined) {
      const label = sourceLabel(meta.source);
      if (label === undefined || !sources.has(label)) return false;
    }
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
