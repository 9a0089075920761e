/**
 * The picker's state machine: what is listed, what is selected, what the search and the filters
 * are. Pure: {@link update} takes the state and one event and returns the next state with the
 * effects the driver must run (start a search, fetch the next page, read a preview, exit); it never
 * touches the terminal, the clock or the disk, so every key is unit-tested.
 */
import type { Key } from './keys.js';

/** One session as the picker lists it (a subset of a lister summary). */
export interface PickerRow {
  id: string;
  path: string;
  createdAt: string;
  updatedAt: string;
  cwd: string | null;
  branch: string | null;
  name: string | null;
  preview: string | null;
  /** Where the search matched, when the lister's index says so. */
  match?: { snippet: string; line: number } | undefined;
}

/** One message of a preview: who said it and its text (raw session text, made safe when drawn). */
export interface PreviewMessage {
  /** `call`: a tool call (name and arguments); `output`: its result; `note`: said by the picker. */
  role: 'user' | 'assistant' | 'call' | 'output' | 'note';
  text: string;
}

export type SortKey = 'created' | 'updated';

export interface PickerState {
  /** The search text as typed. */
  query: string;
  sort: SortKey;
  /** False: only sessions of `cwd`; true: every folder. */
  allFolders: boolean;
  /** The folder the picker was started in (the default filter). */
  cwd: string;
  rows: PickerRow[];
  /** Index of the highlighted row (0 when the list is empty). */
  selected: number;
  /** Index of the first row on screen. */
  top: number;
  /** How many rows the list shows (from the layout, updated on resize). */
  listHeight: number;
  /** Where the next page starts; `null` when the listing is complete. */
  nextCursor: string | null;
  /** A page of the current listing is being fetched. */
  loading: boolean;
  /**
   * How far the index build the current listing waits for has come (a first listing of a home, or
   * one after the index was deleted, reads every file into it first); `null` when none runs.
   */
  indexing: { done: number; total: number } | null;
  /** Counts listings: a page or failure of an older listing is ignored. */
  generation: number;
  /** Why the last listing failed, shown instead of the list. */
  error: string | null;
  preview: { id: string; messages: PreviewMessage[] | null; error?: string } | null;
  /** Set once the user chose or gave up; the driver then exits. */
  outcome: { kind: 'chosen'; row: PickerRow } | { kind: 'cancelled' } | null;
}

/** What the driver must do after an update. */
export type Effect =
  /** Start the listing afresh for `generation` after `delayMs` (a typed search waits for more keys). */
  | { type: 'list'; generation: number; delayMs: number }
  /** Fetch the page after `cursor` for `generation`. */
  | { type: 'more'; generation: number; cursor: string }
  /** Read the preview of this row. */
  | { type: 'preview'; row: PickerRow }
  /** Leave: `outcome` says why. */
  | { type: 'exit' };

export type PickerEvent =
  | { type: 'key'; key: Key }
  | { type: 'page'; generation: number; rows: PickerRow[]; nextCursor: string | null; fresh: boolean }
  | { type: 'failed'; generation: number; message: string }
  | { type: 'indexing'; generation: number; done: number; total: number }
  | { type: 'preview'; id: string; messages: PreviewMessage[] | null; error?: string }
  | { type: 'resize'; listHeight: number };

/** How long a typed search waits for the next key before it runs. */
export const SEARCH_DEBOUNCE_MS = 150;

export function initialState(options: {
  cwd: string;
  sort?: SortKey;
  allFolders?: boolean;
  query?: string;
  listHeight: number;
}): PickerState {
  return {
    query: options.query ?? '',
    sort: options.sort ?? 'created',
    allFolders: options.allFolders ?? false,
    cwd: options.cwd,
    rows: [],
    selected: 0,
    top: 0,
    listHeight: Math.max(1, options.listHeight),
    nextCursor: null,
    loading: true,
    indexing: null,
    generation: 1,
    error: null,
    preview: null,
    outcome: null,
  };
}

/** The effects that start the picker: the first listing, at once. */
export const initialEffects = (state: PickerState): Effect[] => [
  { type: 'list', generation: state.generation, delayMs: 0 },
];

export interface Update {
  state: PickerState;
  effects: Effect[];
}

/** The next state after `event`, and what the driver must do. */
export function update(state: PickerState, event: PickerEvent): Update {
  if (state.outcome !== null) return { state, effects: [] };
  switch (event.type) {
    case 'key':
      return onKey(state, event.key);
    case 'page': {
      if (event.generation !== state.generation) return { state, effects: [] };
      const rows = event.fresh ? event.rows : [...state.rows, ...event.rows];
      const next: PickerState = {
        ...state,
        rows,
        nextCursor: event.nextCursor,
        loading: false,
        indexing: null,
        error: null,
        // A new listing keeps the selected session selected when it lists it too.
        ...(event.fresh
          ? {
              selected: Math.max(
                0,
                rows.findIndex((r) => r.id === selectedRow(state)?.id),
              ),
            }
          : {}),
      };
      return settle(next);
    }
    case 'failed':
      if (event.generation !== state.generation) return { state, effects: [] };
      return { state: { ...state, loading: false, indexing: null, error: event.message }, effects: [] };
    case 'indexing':
      if (event.generation !== state.generation) return { state, effects: [] };
      return { state: { ...state, indexing: { done: event.done, total: event.total } }, effects: [] };
    case 'preview': {
      if (selectedRow(state)?.id !== event.id) return { state, effects: [] };
      const preview = {
        id: event.id,
        messages: event.messages,
        ...(event.error !== undefined ? { error: event.error } : {}),
      };
      return { state: { ...state, preview }, effects: [] };
    }
    case 'resize':
      return settle({ ...state, listHeight: Math.max(1, event.listHeight) });
  }
}

export const selectedRow = (state: PickerState): PickerRow | undefined => state.rows[state.selected];

function onKey(state: PickerState, key: Key): Update {
  switch (key.name) {
    case 'text':
      return relist({ ...state, query: state.query + key.text }, SEARCH_DEBOUNCE_MS);
    case 'backspace': {
      if (state.query === '') return { state, effects: [] };
      const chars = Array.from(state.query);
      return relist({ ...state, query: chars.slice(0, -1).join('') }, SEARCH_DEBOUNCE_MS);
    }
    case 'ctrlW': {
      if (state.query === '') return { state, effects: [] };
      return relist({ ...state, query: state.query.replace(/\S*\s*$/u, '') }, SEARCH_DEBOUNCE_MS);
    }
    case 'ctrlU':
      return state.query === '' ? { state, effects: [] } : relist({ ...state, query: '' }, 0);
    case 'escape':
      // Escape clears the search first, then leaves.
      if (state.query !== '') return relist({ ...state, query: '' }, 0);
      return leave(state, { kind: 'cancelled' });
    case 'ctrlC':
      return leave(state, { kind: 'cancelled' });
    case 'enter': {
      const row = selectedRow(state);
      return row ? leave(state, { kind: 'chosen', row }) : { state, effects: [] };
    }
    case 'tab':
      return relist({ ...state, sort: state.sort === 'created' ? 'updated' : 'created' }, 0);
    case 'ctrlA':
      return relist({ ...state, allFolders: !state.allFolders }, 0);
    case 'up':
      return moveTo(state, state.selected - 1);
    case 'down':
      return moveTo(state, state.selected + 1);
    case 'pageUp':
      return moveTo(state, state.selected - state.listHeight);
    case 'pageDown':
      return moveTo(state, state.selected + state.listHeight);
    case 'home':
      return moveTo(state, 0);
    case 'end':
      return moveTo(state, state.rows.length - 1);
  }
}

function leave(state: PickerState, outcome: NonNullable<PickerState['outcome']>): Update {
  return { state: { ...state, outcome }, effects: [{ type: 'exit' }] };
}

/** A new listing: the old rows stay on screen until its first page replaces them. */
function relist(state: PickerState, delayMs: number): Update {
  const generation = state.generation + 1;
  return {
    state: { ...state, generation, loading: true, indexing: null, nextCursor: null, error: null },
    effects: [{ type: 'list', generation, delayMs }],
  };
}

function moveTo(state: PickerState, index: number): Update {
  const last = Math.max(0, state.rows.length - 1);
  return settle({ ...state, selected: Math.min(last, Math.max(0, index)) });
}

/**
 * Keeps the selection on screen, asks for the next page when the selection nears the end of what
 * is loaded (lazy paging), and for the preview when the selected session changed.
 */
function settle(after: PickerState): Update {
  const effects: Effect[] = [];
  let { top } = after;
  const h = after.listHeight;
  if (after.selected < top) top = after.selected;
  if (after.selected >= top + h) top = after.selected - h + 1;
  top = Math.max(0, Math.min(top, Math.max(0, after.rows.length - h)));
  let state: PickerState = { ...after, top };
  if (!state.loading && state.nextCursor !== null && state.selected >= state.rows.length - h) {
    state = { ...state, loading: true };
    effects.push({ type: 'more', generation: state.generation, cursor: state.nextCursor! });
  }
  const row = selectedRow(state);
  if (row === undefined) {
    state = { ...state, preview: null };
  } else if (state.preview?.id !== row.id) {
    state = { ...state, preview: { id: row.id, messages: null } };
    effects.push({ type: 'preview', row });
  }
  return { state, effects };
}
