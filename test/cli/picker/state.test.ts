import { describe, expect, it } from 'vitest';
import type { Key } from '../../../src/cli/picker/keys.js';
import type { Effect, PickerRow, PickerState } from '../../../src/cli/picker/state.js';
import { SEARCH_DEBOUNCE_MS, initialEffects, initialState, update } from '../../../src/cli/picker/state.js';

const row = (i: number): PickerRow => ({
  id: `id-${i}`,
  path: `/h/${i}.jsonl`,
  createdAt: '2026-11-20T10:00:00.000Z',
  updatedAt: '2026-11-20T10:00:00.000Z',
  cwd: '/w',
  branch: null,
  name: null,
  preview: `task ${i}`,
});
const rows = (from: number, n: number): PickerRow[] => Array.from({ length: n }, (_, k) => row(from + k));

/** Runs events in order, collecting every effect. */
function run(
  state: PickerState,
  ...events: Parameters<typeof update>[1][]
): { state: PickerState; effects: Effect[] } {
  const effects: Effect[] = [];
  for (const e of events) {
    const next = update(state, e);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}
const key = (k: Key) => ({ type: 'key', key: k }) as const;
const named = (name: Exclude<Key['name'], 'text'>) => key({ name });
const page = (generation: number, list: PickerRow[], nextCursor: string | null, fresh = true) =>
  ({ type: 'page', generation, rows: list, nextCursor, fresh }) as const;

const start = (): PickerState => initialState({ cwd: '/w', listHeight: 5 });
const loaded = (n = 20, cursor: string | null = null): PickerState =>
  run(start(), page(1, rows(0, n), cursor)).state;

describe('the picker state machine', () => {
  it('shows how far the first index build has come, for the current listing only, until its page', () => {
    const s = start();
    const building = run(s, { type: 'indexing', generation: 1, done: 120, total: 600 }).state;
    expect(building.indexing).toEqual({ done: 120, total: 600 });
    // An older listing's build (the user typed since) changes nothing.
    const typed = run(building, key({ name: 'text', text: 'x' })).state;
    expect(typed.indexing).toBeNull();
    expect(run(typed, { type: 'indexing', generation: 1, done: 130, total: 600 }).state.indexing).toBeNull();
    // Its page ends it; so does its failure.
    expect(run(building, page(1, rows(0, 3), null)).state.indexing).toBeNull();
    expect(run(building, { type: 'failed', generation: 1, message: 'gone' }).state.indexing).toBeNull();
  });

  it('starts loading, listing at once', () => {
    const s = start();
    expect(s.loading).toBe(true);
    expect(initialEffects(s)).toEqual([{ type: 'list', generation: 1, delayMs: 0 }]);
  });

  it('shows the first page, selects the first session and asks for its preview', () => {
    const { state, effects } = run(start(), page(1, rows(0, 3), null));
    expect(state.rows).toHaveLength(3);
    expect(state.selected).toBe(0);
    expect(state.loading).toBe(false);
    expect(effects).toEqual([{ type: 'preview', row: row(0) }]);
  });

  it('moves with the arrows, a page with PgUp/PgDn, to the ends with Home/End, never past them', () => {
    let s = loaded();
    s = run(s, named('down'), named('down')).state;
    expect(s.selected).toBe(2);
    s = run(s, named('up'), named('up'), named('up')).state;
    expect(s.selected).toBe(0);
    s = run(s, named('pageDown')).state;
    expect(s.selected).toBe(5);
    s = run(s, named('end')).state;
    expect(s.selected).toBe(19);
    s = run(s, named('down')).state;
    expect(s.selected).toBe(19);
    s = run(s, named('pageUp')).state;
    expect(s.selected).toBe(14);
    s = run(s, named('home')).state;
    expect(s.selected).toBe(0);
  });

  it('scrolls so the selection is always on screen', () => {
    let s = loaded();
    for (let i = 0; i < 7; i++) s = run(s, named('down')).state;
    expect(s.selected).toBe(7);
    expect(s.top).toBe(3);
    for (let i = 0; i < 5; i++) s = run(s, named('up')).state;
    expect(s.top).toBe(2);
    expect(s.selected - s.top).toBeLessThan(s.listHeight);
  });

  it('keeps the selection on screen when the terminal shrinks', () => {
    let s = run(loaded(), named('end')).state;
    s = run(s, { type: 'resize', listHeight: 2 }).state;
    expect(s.top).toBe(18);
    s = run(s, { type: 'resize', listHeight: 30 }).state;
    expect(s.top).toBe(0);
  });

  it('fetches the next page through the cursor once the selection nears the end, once', () => {
    let s = loaded(10, 'c1');
    let r = run(s, named('down'));
    expect(r.effects.filter((e) => e.type === 'more')).toEqual([]);
    r = run(r.state, named('down'), named('down'), named('down'), named('down'), named('down'));
    expect(r.effects.filter((e) => e.type === 'more')).toEqual([
      { type: 'more', generation: 1, cursor: 'c1' },
    ]);
    expect(r.state.loading).toBe(true);
    s = r.state;
    r = run(s, named('down'));
    expect(r.effects.filter((e) => e.type === 'more')).toEqual([]);
    s = run(r.state, page(1, rows(10, 10), null, false)).state;
    expect(s.rows.map((x) => x.id)).toEqual(rows(0, 20).map((x) => x.id));
    expect(s.selected).toBe(7);
    expect(s.nextCursor).toBeNull();
  });

  it('asks for more at once when the first page does not fill the screen', () => {
    const r = run(start(), page(1, rows(0, 2), 'c1'));
    expect(r.effects).toContainEqual({ type: 'more', generation: 1, cursor: 'c1' });
  });

  it('debounces a typed search and starts a new listing; the older listing is ignored', () => {
    const s = loaded();
    const r = run(s, key({ name: 'text', text: 'bu' }), key({ name: 'text', text: 'ild' }));
    expect(r.state.query).toBe('build');
    expect(r.effects).toEqual([
      { type: 'list', generation: 2, delayMs: SEARCH_DEBOUNCE_MS },
      { type: 'list', generation: 3, delayMs: SEARCH_DEBOUNCE_MS },
    ]);
    // A late page of the listing before is stale: ignored.
    const stale = run(r.state, page(2, rows(100, 1), null));
    expect(stale.state.rows).toHaveLength(20);
    const fresh = run(r.state, page(3, [row(4), row(100)], null));
    expect(fresh.state.rows.map((x) => x.id)).toEqual(['id-4', 'id-100']);
    expect(fresh.state.loading).toBe(false);
  });

  it('keeps the selected session selected when the new listing has it', () => {
    let s = run(loaded(), named('down'), named('down')).state;
    s = run(s, named('tab'), page(2, [row(9), row(2), row(0)], null)).state;
    expect(s.rows[s.selected]!.id).toBe('id-2');
    s = run(s, named('tab'), page(3, [row(7)], null)).state;
    expect(s.selected).toBe(0);
  });

  it('edits the search: Backspace drops one character (not a code unit), Ctrl-W a word, Ctrl-U all', () => {
    let s = run(loaded(), key({ name: 'text', text: 'fix the 😀' })).state;
    s = run(s, named('backspace')).state;
    expect(s.query).toBe('fix the ');
    s = run(s, named('ctrlW')).state;
    expect(s.query).toBe('fix ');
    s = run(s, named('ctrlU')).state;
    expect(s.query).toBe('');
    const r = run(s, named('backspace'), named('ctrlU'), named('ctrlW'));
    expect(r.effects).toEqual([]);
  });

  it('toggles the sort (Tab) and the folder filter (Ctrl-A), each a new listing at once', () => {
    const s = loaded();
    const r = run(s, named('tab'));
    expect(r.state.sort).toBe('updated');
    expect(r.effects).toEqual([{ type: 'list', generation: 2, delayMs: 0 }]);
    const a = run(r.state, named('ctrlA'), named('tab'));
    expect(a.state.allFolders).toBe(true);
    expect(a.state.sort).toBe('created');
    expect(run(a.state, named('ctrlA')).state.allFolders).toBe(false);
  });

  it('chooses the selected session with Enter; does nothing on an empty list', () => {
    const r = run(loaded(), named('down'), named('enter'));
    expect(r.state.outcome).toEqual({ kind: 'chosen', row: row(1) });
    expect(r.effects.at(-1)).toEqual({ type: 'exit' });
    // Nothing happens after the outcome.
    expect(update(r.state, named('down'))).toEqual({ state: r.state, effects: [] });
    const empty = run(start(), page(1, [], null), named('enter'));
    expect(empty.state.outcome).toBeNull();
  });

  it('gives up on Ctrl-C at once, and on Escape once the search is empty', () => {
    expect(run(loaded(), key({ name: 'text', text: 'x' }), named('ctrlC')).state.outcome).toEqual({
      kind: 'cancelled',
    });
    const esc = run(loaded(), key({ name: 'text', text: 'x' }), named('escape'));
    expect(esc.state.outcome).toBeNull();
    expect(esc.state.query).toBe('');
    expect(run(esc.state, named('escape')).state.outcome).toEqual({ kind: 'cancelled' });
  });

  it('shows a failed listing, and a preview only for the session still selected', () => {
    let s = run(start(), { type: 'failed', generation: 1, message: 'boom' }).state;
    expect(s.error).toBe('boom');
    s = run(s, named('tab'), page(2, rows(0, 3), null)).state;
    expect(s.error).toBeNull();
    s = run(s, { type: 'preview', id: 'id-1', messages: [] }).state;
    expect(s.preview).toEqual({ id: 'id-0', messages: null });
    s = run(s, { type: 'preview', id: 'id-0', messages: [{ role: 'user', text: 'hi' }] }).state;
    expect(s.preview).toEqual({ id: 'id-0', messages: [{ role: 'user', text: 'hi' }] });
  });
});
