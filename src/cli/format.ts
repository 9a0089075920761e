import os from 'node:os';
import type { SessionSource } from '../format/types.js';
import type { CliIO } from './io.js';
import { cutLeftToWidth, cutToWidth, displayWidth, padToWidth } from './terminal-text.js';

/** The id prefix shown in tables: 13 characters (the UUIDv7 millisecond prefix), accepted by lookups. */
export const shortId = (id: string): string => id.slice(0, 13);

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Local date and time to the minute: `2026-11-21 05:24`. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

const BAR_CELLS = 30;

/** How far an index build has come as a bar of 30 cells and the counts: `██████░░░░ 1234 / 5678 files`. */
export function progressBarText(done: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR_CELLS, Math.round((done / total) * BAR_CELLS)) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)} ${done} / ${total} files`;
}

/**
 * Files an index build must read before its progress is shown (`ls`, `search`, the picker): a
 * first build, or one after the index was deleted, not the few files a listing reads after
 * sessions were written.
 */
export const INDEX_PROGRESS_MIN_FILES = 100;

/**
 * `onStep` for the progress reports that move it visibly (a 200th of the way) and for the last, none
 * while fewer than `minTotal` files are to be read.
 */
export function visibleProgress(
  minTotal: number,
  onStep: (p: { done: number; total: number }) => void,
): (p: { done: number; total: number }) => void {
  let last = -1;
  return (p) => {
    if (p.total === 0 || p.total < minTotal) return;
    const step = Math.floor((p.done / p.total) * 200);
    if (step === last && p.done !== p.total) return;
    last = step;
    onStep(p);
  };
}

/** A path with the user's home folder as `~`. */
export function tildePath(p: string, home = os.homedir()): string {
  return home && (p === home || p.startsWith(home + '/')) ? `~${p.slice(home.length)}` : p;
}

/** A path with the user's home folder as `~`, cut from the left to `width` cells with `…`. */
export function shortPath(p: string | null, width: number, home = os.homedir()): string {
  if (!p) return '';
  return cutLeftToWidth(tildePath(p, home), width);
}

/** One line of text, cut to `width` cells with `…`, never inside a grapheme. */
export function cut(text: string, width: number): string {
  return cutToWidth(text.replace(/\s+/g, ' ').trim(), width);
}

export function sourceText(source: SessionSource | null | undefined): string {
  if (source === null || source === undefined) return '';
  return typeof source === 'string' ? source : JSON.stringify(source);
}

/** Aligned columns, widths in terminal cells; the last column is not padded. */
export function columns(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? '')))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : padToWidth(c, widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The width tables are cut to: `--width` when given; on a terminal its width, else `$COLUMNS`,
 * else 80; `undefined` (no cut) when stdout is not a terminal.
 */
export function outputWidth(io: CliIO, asked: number | undefined): number | undefined {
  if (asked !== undefined) return asked;
  if (!io.stdoutIsTTY) return undefined;
  if (io.columns !== undefined && Number.isInteger(io.columns) && io.columns > 0) return io.columns;
  const env = io.env['COLUMNS'];
  if (env !== undefined && /^\d{1,5}$/.test(env) && Number(env) > 0) return Number(env);
  return 80;
}

/** One column of a {@link fitTable}. Cells are text already made safe ({@link safeLine}). */
export interface TableColumn {
  header: string;
  cells: string[];
  /**
   * How the column gives way on a narrow terminal: `fixed` keeps its width (up to `max`) or is
   * dropped; `shrink` is cut down to `min` (from the left with `cutLeft`, for paths); `fill` is the
   * last column and takes what is left (at least `min` before other columns are dropped).
   */
  fit: 'fixed' | 'shrink' | 'fill';
  min?: number;
  max?: number;
  /** For `shrink`: the share of the room (after fixed columns) it may take before `fill` gets the rest. */
  share?: number;
  cutLeft?: boolean;
  /** Columns are dropped lowest first until the rest fit; a column without one is never dropped. */
  dropOrder?: number;
}

const GAP = 2;
/** More code units than any terminal shows of one cell; a longer cell is clipped before measuring. */
const clipUnits = (width: number): number => width * 8 + 64;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `text` clipped to about `units` code units between graphemes, with `…` when clipped. */
function clip(text: string, units: number, fromLeft: boolean): string {
  if (text.length <= units) return text;
  const segments = segmenter.segment(text);
  if (!fromLeft) return `${text.slice(0, segments.containing(units)!.index)}…`;
  const at = segments.containing(text.length - units)!;
  return `…${text.slice(at.index === text.length - units ? at.index : at.index + at.segment.length)}`;
}

/**
 * A table as lines (the header first), columns separated by two spaces and measured in terminal
 * cells. With a `width`, columns are dropped (by `dropOrder`) and shrunk to fit it, the `fill`
 * column takes the rest, and no line is wider than `width`; without one, nothing is cut.
 */
export function fitTable(cols: readonly TableColumn[], width: number | undefined): string[] {
  const rowCount = cols[0]?.cells.length ?? 0;
  let kept = [...cols];
  const widths = new Map<TableColumn, number>();
  if (width !== undefined) {
    kept = kept.map((c) => ({
      ...c,
      cells: c.cells.map((t) => clip(t, clipUnits(width), c.cutLeft === true)),
    }));
    const natural = new Map(
      kept.map((c) => {
        const n = Math.max(displayWidth(c.header), ...c.cells.map(displayWidth));
        return [c, c.max === undefined ? n : Math.min(n, c.max)];
      }),
    );
    const floor = (c: TableColumn): number => Math.min(natural.get(c)!, c.min ?? 1);
    let room = 0;
    for (;;) {
      const fixed = kept.filter((c) => c.fit === 'fixed').reduce((a, c) => a + natural.get(c)!, 0);
      room = width - fixed - GAP * (kept.length - 1);
      const need = kept.filter((c) => c.fit !== 'fixed').reduce((a, c) => a + floor(c), 0);
      const droppable = kept.filter((c) => c.dropOrder !== undefined);
      if (room >= need || droppable.length === 0) break;
      const drop = droppable.reduce((a, c) => (c.dropOrder! < a.dropOrder! ? c : a));
      kept = kept.filter((c) => c !== drop);
    }
    const shrink = kept.filter((c) => c.fit === 'shrink');
    for (const c of kept) if (c.fit === 'fixed') widths.set(c, natural.get(c)!);
    for (const c of shrink) {
      widths.set(c, Math.min(natural.get(c)!, Math.max(floor(c), Math.floor(room * (c.share ?? 0)))));
    }
    const fill = kept.find((c) => c.fit === 'fill');
    let left = room - shrink.reduce((a, c) => a + widths.get(c)!, 0);
    if (fill !== undefined) {
      // What the fill column does not need goes back to the columns that were cut, in order.
      let spare = Math.max(0, left - natural.get(fill)!);
      for (const c of shrink) {
        const more = Math.min(spare, natural.get(c)! - widths.get(c)!);
        widths.set(c, widths.get(c)! + more);
        spare -= more;
        left -= more;
      }
      widths.set(fill, Math.max(0, left));
    }
  }
  const lines: string[] = [];
  // Without a width: every column as wide as its widest cell, the last one as it is.
  const naturalWidths =
    width !== undefined
      ? []
      : kept.map((c, i) =>
          i === kept.length - 1 ? 0 : Math.max(displayWidth(c.header), ...c.cells.map(displayWidth)),
        );
  for (let r = -1; r < rowCount; r++) {
    const cells = kept.map((c, i) => {
      const text = r < 0 ? c.header : c.cells[r]!;
      const last = i === kept.length - 1;
      const w = widths.get(c);
      if (w === undefined) return last ? text : padToWidth(text, naturalWidths[i]!);
      const fitted = c.cutLeft ? cutLeftToWidth(text, w) : cutToWidth(text, w);
      return last ? fitted : padToWidth(fitted, w);
    });
    const line = cells.join(' '.repeat(GAP)).trimEnd();
    lines.push(width !== undefined && displayWidth(line) > width ? cutToWidth(line, width) : line);
  }
  return lines;
}

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
export const shellQuote = (s: string): string =>
  /^[\w./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

// The content helpers live in format/ (the transcript renderer needs them too).
export { asText, contentText, outputText } from '../format/content-text.js';
