import stringWidth from 'string-width';

/**
 * Text from sessions and file names on its way to a terminal. Anything in a session can be written
 * by a model, a tool's output or a file in the repository, so before it is printed:
 *
 * - control characters (C0 but tab and, in multi-line text, newline; DEL; C1) are shown as escapes
 *   (`\x1b`, `\x07`, `\x9b`), never sent: `ESC ] 52` would set the clipboard, `ESC [ 2J` clear the
 *   screen, and C1 `CSI` is an escape sequence on its own in many terminals;
 * - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and line/paragraph
 *   separators are shown as `\u202e`, so text cannot appear in another order than it is stored;
 * - widths are counted in terminal cells (CJK and most emoji take two) and text is cut between
 *   grapheme clusters, never inside one (an emoji, a ZWJ sequence, a letter with its accents).
 *
 * Applied on a terminal and in a pipe alike; only `--raw` output bypasses it.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_MULTILINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_LINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character and bidi control shown as an escape. With `multiline`,
 * newlines are kept (a `\r\n` becomes `\n`); otherwise they are shown too.
 */
export function safeText(text: string, options: { multiline?: boolean } = {}): string {
  if (options.multiline) return text.replace(/\r\n/g, '\n').replace(UNSAFE_MULTILINE, escapeChar);
  return text.replace(UNSAFE_LINE, escapeChar);
}

/** One line for a table cell: whitespace runs (newlines included) folded to one space, then made safe. */
export function safeLine(text: string): string {
  return safeText(text.replace(/[\t\n\r\u2028\u2029 ]+/g, ' ').trim());
}

/** Width of `text` in terminal cells (text already made safe). */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `text` cut to at most `width` cells, ending with `…` when cut, never splitting a grapheme. */
export function cutToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/** `text` cut from the left to at most `width` cells, starting with `…` when cut (for paths). */
export function cutLeftToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  const graphemes = Array.from(segmenter.segment(text), (s) => s.segment);
  let out = '';
  let used = 0;
  for (let i = graphemes.length - 1; i >= 0; i--) {
    const w = stringWidth(graphemes[i]!);
    if (used + w > width - 1) break;
    out = graphemes[i]! + out;
    used += w;
  }
  return `…${out}`;
}

/** `text` padded with spaces to `width` cells. */
export function padToWidth(text: string, width: number): string {
  const w = stringWidth(text);
  return w >= width ? text : text + ' '.repeat(width - w);
}
