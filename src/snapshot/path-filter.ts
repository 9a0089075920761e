import { createRequire } from 'node:module';
import { invalidArgument } from '../errors.js';

/**
 * Which workspace paths a capture may hold: never a path under one of the store's excluded prefixes
 * (the home), and only paths the capture's `include`/`exclude` globs let through.
 *
 * Globs are matched with picomatch, the matcher under fast-glob: relative to the workspace root,
 * `/`-separated, dotfiles matched like any name. A pattern that matches a folder applies to
 * everything under it (`node_modules` excludes the whole folder at the root, `**\/node_modules`
 * every such folder). With `include` patterns a path must match one of them; a path matching an
 * `exclude` pattern is left out even when it matches an `include` pattern.
 *
 * Paths inside the capture are byte strings: git's raw bytes read as latin1, one character per
 * byte, so a name that is not UTF-8 survives the round trip. Globs see the UTF-8 reading.
 */

type Matcher = (path: string) => boolean;
type Picomatch = (glob: string[], options: { dot: boolean }) => Matcher;

let loaded: Picomatch | undefined;
function picomatch(): Picomatch {
  loaded ??= createRequire(import.meta.url)('picomatch') as Picomatch;
  return loaded;
}

/** Checks a list of glob patterns and returns it normalised (a leading `./` dropped). */
export function checkGlobs(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidArgument(`\`${name}\` must be an array of glob patterns.`);
  return value.map((p: unknown) => {
    if (typeof p !== 'string' || p === '' || p.includes('\0')) {
      throw invalidArgument(`\`${name}\`: every pattern must be a non-empty string.`);
    }
    const pattern = p.replace(/^(\.\/)+/, '');
    if (pattern === '' || pattern.startsWith('/') || pattern.startsWith('!')) {
      throw invalidArgument(
        `\`${name}\`: ${JSON.stringify(p)} cannot match: patterns are relative to the workspace root and never negated (use \`exclude\`).`,
      );
    }
    if (pattern.split('/').includes('..')) {
      throw invalidArgument(`\`${name}\`: ${JSON.stringify(p)} cannot match: no \`..\` in a pattern.`);
    }
    return pattern;
  });
}

/**
 * True when a workspace path (UTF-8, `/`-separated) lies under one of the excluded prefixes: a
 * folder prefix ends with `/` and covers the folder itself too; any other prefix is one file.
 */
export function isExcludedPath(excludedPrefixes: readonly string[], p: string): boolean {
  return excludedPrefixes.some((e) => (e.endsWith('/') ? p.startsWith(e) || `${p}/` === e : p === e));
}

/** The rules of one capture, compiled. */
export interface PathFilter {
  /** True when the file at this byte-string path may be captured. */
  keepFile(p: string): boolean;
  /** False when nothing under this byte-string folder (no trailing `/`) may be captured. */
  mayHoldFiles(folder: string): boolean;
  /** Changes whenever the rules change (kept in the store to know when the index must be re-checked). */
  fingerprint: string;
}

export function compileFilter(
  excludedPrefixes: readonly string[],
  include: readonly string[],
  exclude: readonly string[],
): PathFilter {
  const prefixes = excludedPrefixes.map(toByteString);
  const inc = include.length > 0 ? picomatch()([...include], { dot: true }) : undefined;
  const exc = exclude.length > 0 ? picomatch()([...exclude], { dot: true }) : undefined;
  const underPrefix = (p: string): boolean =>
    prefixes.some((e) => (e.endsWith('/') ? p.startsWith(e) || `${p}/` === e : p === e));
  const plain = inc === undefined && exc === undefined;
  return {
    keepFile(p) {
      if (prefixes.length > 0 && underPrefix(p)) return false;
      if (plain) return true;
      const text = fromByteString(p);
      if (inc !== undefined && !selfOrAncestor(inc, text)) return false;
      return exc === undefined || !selfOrAncestor(exc, text);
    },
    mayHoldFiles(folder) {
      if (prefixes.length > 0 && underPrefix(folder)) return false;
      return exc === undefined || !selfOrAncestor(exc, fromByteString(folder));
    },
    fingerprint: JSON.stringify({ v: 2, include, exclude }),
  };
}

function selfOrAncestor(match: Matcher, p: string): boolean {
  if (match(p)) return true;
  for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) if (match(p.slice(0, i))) return true;
  return false;
}

/** A path's UTF-8 bytes as a byte string. */
export function toByteString(p: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(p) ? p : Buffer.from(p, 'utf8').toString('latin1');
}

/** A byte string read as UTF-8 (bytes that are not UTF-8 become U+FFFD), for results and globs. */
export function fromByteString(p: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(p) ? p : Buffer.from(p, 'latin1').toString('utf8');
}
