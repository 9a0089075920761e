/* eslint-disable no-control-regex -- matching control characters is the point */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frame, layout, paint, wrapToWidth } from '../../../src/cli/picker/screen.js';
import type { PickerRow, PickerState } from '../../../src/cli/picker/state.js';
import { initialState, update } from '../../../src/cli/picker/state.js';
import { displayWidth } from '../../../src/cli/terminal-text.js';

const now = new Date('2026-11-21T12:00:00Z');
const row = (i: number, over: Partial<PickerRow> = {}): PickerRow => ({
  id: `01a1f877-7220-7377-909f-2eadab1b0b${String(i).padStart(2, '0')}`,
  path: `/h/${i}.jsonl`,
  createdAt: new Date(Date.UTC(2026, 10, 20, 10, i)).toISOString(),
  updatedAt: new Date(Date.UTC(2026, 10, 21, 11, i)).toISOString(),
  cwd: '/home/u/proj',
  branch: 'main',
  name: null,
  preview: `task number ${i}: make the build green`,
  ...over,
});

function stateWith(rows: PickerRow[], listHeight: number, over: Partial<PickerState> = {}): PickerState {
  let s = initialState({ cwd: '/home/u/proj', listHeight });
  s = update(s, { type: 'page', generation: 1, rows, nextCursor: null, fresh: true }).state;
  return { ...s, ...over };
}

describe('layout', () => {
  it('splits a 20-row terminal into list and preview, and drops the preview when short', () => {
    expect(layout(80, 20)).toEqual({ columns: 80, rows: 20, list: 9, preview: 7 });
    expect(layout(80, 11)).toEqual({ columns: 80, rows: 11, list: 8, preview: 0 });
    expect(layout(10, 2)).toEqual({ columns: 10, rows: 2, list: 1, preview: 0 });
  });
});

describe('frame', () => {
  it('draws title, search, the list with the selection marked, the preview and the keys at 80 × 20', () => {
    const s = stateWith(
      Array.from({ length: 12 }, (_, i) => row(i)),
      9,
    );
    const withPreview: PickerState = {
      ...s,
      preview: {
        id: s.rows[0]!.id,
        messages: [
          { role: 'user', text: 'task number 0: make the build green' },
          { role: 'call', text: 'shell {"command":["npm","test"]}' },
          { role: 'assistant', text: 'done' },
        ],
      },
    };
    const f = frame(withPreview, layout(80, 20), { now, home: '/home/u' });
    expect(f.lines).toHaveLength(20);
    for (const line of f.lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(f.lines[0]).toMatch(/^Sessions in ~\/proj +sort: created · 12 sessions$/);
    expect(f.lines[1]).toBe('Search: ');
    expect(f.lines[2]).toMatch(/^> 2026-11-20 \d\d:00 +1 day +main +task number 0: make the build green$/);
    expect(f.lines[3]).toMatch(/^ {2}2026-11-20 \d\d:01 /);
    expect(f.selectedLine).toBe(2);
    expect(f.lines[11]).toMatch(/^── 01a1f877-7220 ─+$/);
    expect(f.lines[12]).toBe('user: task number 0: make the build green');
    expect(f.lines[13]).toBe('call: shell {"command":["npm","test"]}');
    expect(f.lines[14]).toBe('assistant: done');
    expect(f.lines[19]).toBe('↑/↓ PgUp/PgDn move  Enter choose  Tab sort  Ctrl-A all folders  Esc quit');
    expect(f.cursor).toEqual({ line: 1, column: 8 });
  });

  it('shows the folder column with every folder, the updated time with that sort', () => {
    const s = stateWith([row(1, { cwd: '/home/u/other' })], 9, { allFolders: true, sort: 'updated' });
    const f = frame(s, layout(80, 20), { now, home: '/home/u' });
    expect(f.lines[0]).toMatch(/^Sessions in all folders +sort: updated · 1 session$/);
    expect(f.lines[2]).toMatch(/^> 2026-11-21 \d\d:01 .* ~\/other +main +task number 1/);
    expect(f.lines[19]).toContain('Ctrl-A this folder');
  });

  it('says why the list is empty, and how to see more', () => {
    const s = stateWith([], 9, { query: 'zebra' });
    expect(frame(s, layout(80, 20), { now, home: '/home/u' }).lines[2]).toBe(
      '  no session in ~/proj matches "zebra" (Ctrl-A: every folder)',
    );
    const loading = { ...s, loading: true };
    expect(frame(loading, layout(80, 20), { now }).lines[2]).toBe('  searching…');
    const indexing = { ...s, query: '', loading: true, indexing: { done: 150, total: 600 } };
    expect(frame(indexing, layout(80, 20), { now }).lines[2]).toBe(
      `  indexing the sessions ${'█'.repeat(8)}${'░'.repeat(22)} 150 / 600 files`,
    );
    const failed = { ...s, error: 'the home \u001b[2J vanished' };
    expect(frame(failed, layout(80, 20), { now }).lines[2]).toBe('  error: the home \\x1b[2J vanished');
  });

  it('shows the search index snippet above the preview when the lister gives one', () => {
    const s = stateWith([row(1, { match: { snippet: 'the «build» failed', line: 42 } })], 9);
    expect(frame(s, layout(80, 20), { now }).lines[12]).toBe('match: the «build» failed');
  });

  it('never writes a control character or a line wider than the terminal, whatever the session holds', () => {
    const text = fc.string({ unit: 'binary', maxLength: 300 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ preview: text, cwd: text, branch: text, name: fc.option(text) }), {
          maxLength: 12,
        }),
        text,
        text,
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 60 }),
        fc.boolean(),
        (fields, query, message, columns, rows, allFolders) => {
          const size = layout(columns, rows);
          const list = fields.map((f, i) => row(i, f));
          let s = stateWith(list, size.list, { query, allFolders, cwd: message });
          if (list[0]) s = { ...s, preview: { id: list[0].id, messages: [{ role: 'user', text: message }] } };
          const f = frame(s, size, { now });
          expect(f.lines).toHaveLength(rows);
          for (const line of f.lines) {
            expect(displayWidth(line)).toBeLessThanOrEqual(columns);
            expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('wrapToWidth', () => {
  it('wraps at spaces, cuts the last line with …', () => {
    expect(wrapToWidth('the quick brown fox jumps', 10, 5)).toEqual(['the quick', 'brown fox', 'jumps']);
    expect(wrapToWidth('the quick brown fox jumps', 10, 2)).toEqual(['the quick', 'brown fox…']);
    expect(wrapToWidth('日本語のテキスト', 5, 3)).toEqual(['日本', '語の', 'テキ…']);
  });

  it('keeps every line within the width', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        (t, w, n) => {
          const lines = wrapToWidth(t.replace(/[\u0000-\u001f]/g, ''), w, n);
          expect(lines.length).toBeLessThanOrEqual(n);
          for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(w);
        },
      ),
    );
  });
});

describe('paint', () => {
  it('draws each line over the old one, the selected line in reverse video, the cursor at the search', () => {
    const out = paint({ lines: ['a', 'b'], selectedLine: 1, cursor: { line: 1, column: 3 } }, 4);
    expect(out).toBe(
      '\u001b[?25l\u001b[H\u001b[2Ka\r\n\u001b[2K\u001b[7mb   \u001b[27m\u001b[2;4H\u001b[?25h',
    );
  });
});
