import os from 'node:os';
import type { SessionSource } from '../format/types.js';

/** The id prefix shown in tables: 13 characters (the UUIDv7 millisecond prefix), accepted by lookups. */
export const shortId = (id: string): string => id.slice(0, 13);

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Local date and time to the minute: `2026-11-21 05:24`. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** A path with the user's home folder as `~`, cut from the left to `width` with `…`. */
export function shortPath(p: string | null, width: number, home = os.homedir()): string {
  if (!p) return '';
  let s = home && (p === home || p.startsWith(home + '/')) ? `~${p.slice(home.length)}` : p;
  if (s.length > width) s = `…${s.slice(s.length - width + 1)}`;
  return s;
}

/** One line of text, cut to `width` characters with `…`. */
export function cut(text: string, width: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  if (width <= 0) return '';
  return one.length > width ? `${one.slice(0, Math.max(0, width - 1))}…` : one;
}

export function sourceText(source: SessionSource | null | undefined): string {
  if (source === null || source === undefined) return '';
  return typeof source === 'string' ? source : JSON.stringify(source);
}

/** Aligned columns; the last column is not padded. */
export function columns(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
export const shellQuote = (s: string): string =>
  /^[\w./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The text of message content parts (or of a plain string), one part a line. Image parts become
 * `imageMarker` when one is given, and are left out otherwise.
 */
export function contentText(content: unknown, imageMarker?: string): string {
  if (!Array.isArray(content)) return typeof content === 'string' ? content : '';
  return content
    .map((p: { type?: string; text?: unknown }) =>
      typeof p.text === 'string' ? p.text : p.type === 'input_image' && imageMarker ? imageMarker : '',
    )
    .filter(Boolean)
    .join('\n');
}

/** A tool output as text: a string, an object's `content`, content parts, or else its JSON. */
export function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (output && typeof output === 'object' && 'content' in output && typeof output.content === 'string') {
    return output.content;
  }
  if (Array.isArray(output)) return contentText(output);
  return JSON.stringify(output ?? null);
}
