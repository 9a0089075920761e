/**
 * Session text made safe for a document: characters that change how text around them is shown
 * (C0 and C1 controls but tab and newline, DEL, bidi controls, line and paragraph separators) are
 * written as visible `\u{…}` escapes, and HTML's special characters are escaped. Every string a
 * transcript takes from a session passes through here.
 */

/** The characters shown as escapes rather than passed on. */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

const escapeOf = (c: string): string => `\\u{${c.charCodeAt(0).toString(16).padStart(4, '0')}}`;

/** `text` with every invisible control written as a visible `\u{…}` escape. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, escapeOf);
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * `text` as HTML text or attribute content: special characters escaped, invisible controls shown
 * as escapes in a `ctl` span (so they stand out and cannot reorder the text around them).
 */
export function html(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
    .replace(INVISIBLE, (c) => `<span class="ctl">${escapeOf(c)}</span>`);
}

/** `text` as an HTML attribute value: escaped, controls as plain escapes (no markup in attributes). */
export function attr(text: string): string {
  return visible(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** A Markdown code fence longer than any run of backticks in `text`, so the text cannot close it. */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** What {@link cutText} kept of a text, and what it left out. */
export interface CutText {
  text: string;
  /** Lines in the whole text. */
  lines: number;
  /** Lines left out after the kept ones (0: none). */
  cutLines: number;
  /** Characters left out in all (0: nothing was cut). */
  cutChars: number;
}

/**
 * The first `maxLines` lines of `text`, each cut to `maxLineChars`, and at most `maxChars` in all;
 * a single line past `maxLines` is kept rather than announced. Walks with `indexOf`, never
 * splitting a huge text into an array, and never splits a surrogate pair.
 */
export function cutText(text: string, maxLines: number, maxLineChars: number, maxChars: number): CutText {
  const parts: string[] = [];
  let start = 0;
  let kept = 0;
  let total = 0;
  let lines = 0;
  let cutChars = 0;
  let cutLines = 0;
  const safeEnd = (s: number, e: number): number => {
    const c = text.charCodeAt(e - 1);
    return e > s && c >= 0xd800 && c <= 0xdbff ? e - 1 : e;
  };
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    lines++;
    const lastLine = nl === -1;
    if ((kept >= maxLines && !(kept === maxLines && lastLine && cutLines === 0)) || total >= maxChars) {
      cutLines++;
      cutChars += end - start + (lastLine ? 0 : 1);
    } else {
      let stop = Math.min(end, start + maxLineChars, start + (maxChars - total));
      stop = safeEnd(start, stop);
      cutChars += end - stop;
      parts.push(stop < end ? `${text.slice(start, stop)}…` : text.slice(start, stop));
      total += stop - start;
      kept++;
    }
    if (lastLine) break;
    start = nl + 1;
  }
  return { text: parts.join('\n'), lines, cutLines, cutChars };
}

/** `n` with its unit, plural as needed: `1 line`, `3 lines`. */
export const count = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
