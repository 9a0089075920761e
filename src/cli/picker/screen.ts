/**
 * The picker's screen: the layout for a terminal size and the frame for a state, as lines of at
 * most `columns` cells. Pure (the clock and the home folder are passed in); the driver paints what
 * it returns. Every string from a session goes through `terminal-text.ts` before it is measured.
 */
import { age } from '../dates.js';
import type { TableColumn } from '../format.js';
import { fitTable, localTime, progressBarText, shortId, tildePath } from '../format.js';
import { cutLeftToWidth, cutToWidth, displayWidth, padToWidth, safeLine } from '../terminal-text.js';
import type { PickerRow, PickerState } from './state.js';

/** Rows of each part of the screen. */
export interface Layout {
  columns: number;
  rows: number;
  /** Session rows in the list. */
  list: number;
  /** Lines of the preview pane under its rule (0: no pane, the terminal is too short). */
  preview: number;
}

/** Title, search and key-help lines. */
const CHROME = 3;

/** The layout of a `columns` × `rows` terminal: the list gets a little more than half. */
export function layout(columns: number, rows: number): Layout {
  const c = Math.max(1, columns);
  const r = Math.max(1, rows);
  const room = Math.max(1, r - CHROME);
  if (r < 12) return { columns: c, rows: r, list: room, preview: 0 };
  const list = Math.ceil((room - 1) * 0.55);
  return { columns: c, rows: r, list, preview: room - 1 - list };
}

export interface FrameOptions {
  now: Date;
  /** The user's home folder, shown as `~`. */
  home?: string;
}

/** A frame: its lines, and where the cursor goes (the end of the search text). */
export interface Frame {
  lines: string[];
  /** The line of the selected session (drawn highlighted), if on screen. */
  selectedLine: number | undefined;
  cursor: { line: number; column: number };
}

const SEGMENTER = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` (made safe, one line) wrapped to `width` cells, at spaces when a line has one, else
 * between graphemes; at most `maxLines` lines, the last one ending in `…` when text was left out.
 */
export function wrapToWidth(text: string, width: number, maxLines: number): string[] {
  if (width <= 0 || maxLines <= 0) return [];
  const lines: string[] = [];
  let line = '';
  let used = 0;
  let lastSpace = -1;
  const graphemes = Array.from(SEGMENTER.segment(text), (s) => s.segment);
  for (let i = 0; i < graphemes.length; i++) {
    const g = graphemes[i]!;
    // Most session text is ASCII: one cell each, without asking string-width.
    const w = g.length === 1 && g >= ' ' && g < '\u007f' ? 1 : displayWidth(g);
    if (used + w > width) {
      if (lines.length === maxLines - 1) {
        lines.push(cutToWidth(`${line}${graphemes.slice(i).join('')}`, width));
        return lines;
      }
      if (lastSpace > 0 && g !== ' ') {
        lines.push(line.slice(0, lastSpace).trimEnd());
        line = line.slice(lastSpace + 1);
      } else {
        lines.push(line.trimEnd());
        line = '';
      }
      used = displayWidth(line);
      lastSpace = -1;
      if (g === ' ') continue;
    }
    if (g === ' ') lastSpace = line.length;
    line += g;
    used += w;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** The list's columns for the rows on screen. */
function listColumns(rows: PickerRow[], state: PickerState, options: FrameOptions): TableColumn[] {
  const text = (f: (r: PickerRow) => string): string[] => rows.map((r) => safeLine(f(r)));
  const when = (r: PickerRow): string => (state.sort === 'updated' ? r.updatedAt : r.createdAt);
  const cols: TableColumn[] = [
    { header: '', cells: text((r) => localTime(when(r))), fit: 'fixed', dropOrder: 2 },
    { header: '', cells: text((r) => age(when(r), options.now)), fit: 'fixed', dropOrder: 3 },
  ];
  if (state.allFolders) {
    cols.push({
      header: '',
      cells: text((r) => (r.cwd ? tildePath(r.cwd, options.home) : '')),
      fit: 'shrink',
      min: 10,
      share: 0.3,
      cutLeft: true,
      dropOrder: 4,
    });
  }
  cols.push(
    {
      header: '',
      cells: text((r) => r.branch ?? ''),
      fit: 'shrink',
      min: 6,
      max: 20,
      share: 0.15,
      dropOrder: 1,
    },
    {
      header: '',
      cells: text((r) => (r.name ? `[${r.name}] ${r.preview ?? ''}` : (r.preview ?? '(no message)'))),
      fit: 'fill',
      min: 16,
    },
  );
  return cols;
}

function titleLine(state: PickerState, width: number, options: FrameOptions): string {
  const where = state.allFolders ? 'all folders' : tildePath(safeLine(state.cwd), options.home);
  const count = `${state.rows.length}${state.nextCursor !== null ? '+' : ''} session${state.rows.length === 1 ? '' : 's'}`;
  const right = `sort: ${state.sort} · ${count}`;
  const room = width - displayWidth(right) - 2;
  const left = `Sessions in ${where}`;
  const shownLeft =
    displayWidth(left) <= room ? left : `Sessions in ${cutLeftToWidth(where, Math.max(1, room - 12))}`;
  return cutToWidth(`${padToWidth(shownLeft, Math.max(0, room))}  ${right}`, width);
}

function emptyText(state: PickerState, options: FrameOptions): string {
  if (state.error !== null) return `error: ${safeLine(state.error)}`;
  if (state.loading && state.indexing !== null) {
    return `indexing the sessions ${progressBarText(state.indexing.done, state.indexing.total)}`;
  }
  if (state.loading) return state.query ? 'searching…' : 'loading…';
  const where = state.allFolders ? '' : ` in ${tildePath(safeLine(state.cwd), options.home)}`;
  const hint = state.allFolders ? '' : ' (Ctrl-A: every folder)';
  return state.query
    ? `no session${where} matches "${safeLine(state.query)}"${hint}`
    : `no sessions${where}${hint}`;
}

const ROLE_LABEL = {
  user: 'user: ',
  assistant: 'assistant: ',
  call: 'call: ',
  output: 'output: ',
  note: '',
} as const;

function previewLines(
  state: PickerState,
  row: PickerRow | undefined,
  width: number,
  height: number,
): string[] {
  const out: string[] = [];
  if (height <= 0 || row === undefined) return out;
  if (row.match?.snippet) {
    out.push(...wrapToWidth(`match: ${safeLine(row.match.snippet)}`, width, 2));
  }
  const p = state.preview;
  if (p === null || p.id !== row.id || (p.messages === null && p.error === undefined)) {
    out.push('reading…');
  } else if (p.error !== undefined) {
    out.push(cutToWidth(`cannot read this session: ${safeLine(p.error)}`, width));
  } else if (p.messages!.length === 0) {
    out.push('(no messages)');
  } else {
    for (const m of p.messages!) {
      if (out.length >= height) break;
      const room = height - out.length;
      const perMessage = m.role === 'user' || m.role === 'assistant' ? Math.min(room, 3) : 1;
      out.push(...wrapToWidth(`${ROLE_LABEL[m.role]}${safeLine(m.text)}`, width, perMessage));
    }
  }
  return out.slice(0, height);
}

/** The frame of `state` on a terminal of `size`. */
export function frame(state: PickerState, size: Layout, options: FrameOptions): Frame {
  const width = size.columns;
  const lines: string[] = [titleLine(state, width, options)];
  const prompt = 'Search: ';
  const query = safeLine(state.query);
  // A listing in flight: a new search (no cursor yet), or the next page of this one.
  const status =
    !state.loading || state.rows.length === 0
      ? ''
      : state.indexing !== null
        ? `  (indexing ${state.indexing.done} / ${state.indexing.total} files…)`
        : state.nextCursor === null
          ? '  (searching…)'
          : '  (loading more…)';
  // The end of a long search stays visible, where the cursor is.
  const queryShown = cutLeftToWidth(query, Math.max(1, width - prompt.length - status.length - 1));
  lines.push(cutToWidth(`${prompt}${queryShown}${status}`, width));
  const cursor = { line: 1, column: Math.min(width - 1, prompt.length + displayWidth(queryShown)) };

  const visible = state.rows.slice(state.top, state.top + size.list);
  let selectedLine: number | undefined;
  if (visible.length === 0) {
    lines.push(cutToWidth(`  ${emptyText(state, options)}`, width));
    for (let i = 1; i < size.list; i++) lines.push('');
  } else {
    const table = fitTable(listColumns(visible, state, options), Math.max(1, width - 2)).slice(1);
    table.forEach((text, i) => {
      const index = state.top + i;
      if (index === state.selected) selectedLine = lines.length;
      lines.push(`${index === state.selected ? '> ' : '  '}${text}`);
    });
    for (let i = visible.length; i < size.list; i++) lines.push('');
  }

  if (size.preview > 0) {
    const row = state.rows[state.selected];
    const label = row ? ` ${shortId(row.id)} ` : '';
    const rule = `──${label}`;
    lines.push(`${rule}${'─'.repeat(Math.max(0, width - displayWidth(rule)))}`);
    const pane = previewLines(state, row, width, size.preview);
    lines.push(...pane);
    for (let i = pane.length; i < size.preview; i++) lines.push('');
  }

  const folders = state.allFolders ? 'Ctrl-A this folder' : 'Ctrl-A all folders';
  lines.push(cutToWidth(`↑/↓ PgUp/PgDn move  Enter choose  Tab sort  ${folders}  Esc quit`, width));
  while (lines.length < size.rows) lines.push('');
  // Every part is cut to the width already; this holds for terminals too narrow for the marks.
  return { lines: lines.slice(0, size.rows).map((l) => cutToWidth(l, width)), selectedLine, cursor };
}

/**
 * The bytes that paint `f` over the whole screen: each line cleared then drawn from its start (a
 * line as wide as the terminal leaves the cursor in the last column, where an erase after it would
 * take that column too), the selected line in reverse video, the cursor left at the search.
 */
export function paint(f: Frame, columns: number): string {
  const parts = ['\u001b[?25l\u001b[H'];
  f.lines.forEach((line, i) => {
    if (i > 0) parts.push('\r\n');
    parts.push(
      i === f.selectedLine ? `\u001b[2K\u001b[7m${padToWidth(line, columns)}\u001b[27m` : `\u001b[2K${line}`,
    );
  });
  parts.push(`\u001b[${f.cursor.line + 1};${f.cursor.column + 1}H\u001b[?25h`);
  return parts.join('');
}
