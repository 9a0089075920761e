/**
 * The picker's driver: runs the state machine (`state.ts`) on a real terminal. It turns input into
 * key events, runs the effects (a debounced search that cancels the one before it through its
 * `AbortSignal`, the next page through the lister's cursor, a bounded preview read), repaints on
 * every change and on resize (SIGWINCH), and always hands the terminal back as it found it.
 */
import { INDEX_PROGRESS_MIN_FILES, visibleProgress } from '../format.js';
import { parseKeys } from './keys.js';
import type { FrameOptions } from './screen.js';
import { frame, layout, paint } from './screen.js';
import type { Effect, PickerEvent, PickerRow, PickerState, PreviewMessage, SortKey } from './state.js';
import { initialEffects, initialState, update } from './state.js';
import type { PickerTerminal } from './terminal.js';
import { takeTerminal } from './terminal.js';

/** What the picker lists: one page of the current search, and a session's first messages. */
export interface PickerSource {
  list(query: {
    search: string;
    sort: SortKey;
    allFolders: boolean;
    cursor: string | null;
    signal: AbortSignal;
    /** Called as the index build this listing waits for reads files (none when it needs none). */
    onIndexProgress?: (progress: { done: number; total: number }) => void;
  }): Promise<{ rows: PickerRow[]; nextCursor: string | null }>;
  preview(row: PickerRow, signal: AbortSignal): Promise<PreviewMessage[]>;
}

export interface PickerOptions extends FrameOptions {
  /** The folder shown by default (its sessions only, until Ctrl-A). */
  cwd: string;
  sort?: SortKey;
  allFolders?: boolean;
  query?: string;
}

export type PickerOutcome = NonNullable<PickerState['outcome']>;

/** A preview waits this long, so holding an arrow key does not read every session it passes. */
const PREVIEW_DELAY_MS = 40;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs the picker on `terminal` until the user chooses a session or gives up. */
export async function runPicker(
  terminal: PickerTerminal,
  source: PickerSource,
  options: PickerOptions,
): Promise<PickerOutcome> {
  const { output } = terminal;
  const size = (): ReturnType<typeof layout> => layout(output.columns || 80, output.rows || 24);
  let state = initialState({ ...options, listHeight: size().list });

  let listTimer: NodeJS.Timeout | undefined;
  let listing: AbortController | undefined;
  let previewTimer: NodeJS.Timeout | undefined;
  let previewing: AbortController | undefined;
  let painted = false;
  let repaint: NodeJS.Immediate | undefined;
  let finish!: (outcome: PickerOutcome) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<PickerOutcome>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  /** `f` as a callback whose throw ends the picker (restoring the terminal), not the process. */
  const guarded = (f: () => void) => (): void => {
    try {
      f();
    } catch (error) {
      fail(error);
    }
  };

  const draw = (): void => {
    repaint = undefined;
    if (state.outcome !== null) return;
    const s = size();
    output.write(paint(frame(state, s, options), s.columns));
    painted = true;
  };
  const scheduleDraw = (): void => {
    repaint ??= setImmediate(guarded(draw));
  };

  const fetch = (generation: number, cursor: string | null): void => {
    listing?.abort();
    const controller = new AbortController();
    listing = controller;
    const { query, sort, allFolders } = state;
    // Shown once enough files are to be read to be worth a bar, and redrawn only when it moves.
    const onIndexProgress = visibleProgress(INDEX_PROGRESS_MIN_FILES, ({ done, total }) => {
      if (!controller.signal.aborted) dispatch({ type: 'indexing', generation, done, total });
    });
    source.list({ search: query, sort, allFolders, cursor, signal: controller.signal, onIndexProgress }).then(
      (page) => {
        dispatch({ type: 'page', generation, ...page, fresh: cursor === null });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) dispatch({ type: 'failed', generation, message: errorText(error) });
      },
    );
  };

  const run = (effect: Effect): void => {
    switch (effect.type) {
      case 'list':
        clearTimeout(listTimer);
        // The listing before this one is of no use any more: stop its reads now.
        listing?.abort();
        listTimer = setTimeout(
          guarded(() => {
            if (effect.generation === state.generation) fetch(effect.generation, null);
          }),
          effect.delayMs,
        );
        return;
      case 'more':
        fetch(effect.generation, effect.cursor);
        return;
      case 'preview': {
        clearTimeout(previewTimer);
        previewing?.abort();
        const controller = new AbortController();
        previewing = controller;
        const { row } = effect;
        previewTimer = setTimeout(
          guarded(() => {
            source.preview(row, controller.signal).then(
              (messages) => {
                dispatch({ type: 'preview', id: row.id, messages });
              },
              (error: unknown) => {
                if (!controller.signal.aborted) {
                  dispatch({ type: 'preview', id: row.id, messages: null, error: errorText(error) });
                }
              },
            );
          }),
          PREVIEW_DELAY_MS,
        );
        return;
      }
      case 'exit':
        finish(state.outcome!);
        return;
    }
  };

  function dispatch(event: PickerEvent): void {
    try {
      const next = update(state, event);
      state = next.state;
      for (const effect of next.effects) run(effect);
      if (state.outcome === null) scheduleDraw();
    } catch (error) {
      fail(error);
    }
  }

  const onData = (chunk: string | Buffer): void => {
    for (const key of parseKeys(String(chunk))) dispatch({ type: 'key', key });
  };
  const onResize = guarded(() => {
    dispatch({ type: 'resize', listHeight: size().list });
    // A resize wipes or reflows the screen: paint all of it now.
    if (painted) draw();
  });
  // A terminal that goes away (hung up, closed) ends the picker with its error.
  const onError = (error: unknown): void => {
    fail(error);
  };
  const onEnd = (): void => {
    fail(new Error('the terminal closed'));
  };

  const restore = takeTerminal(terminal);
  try {
    terminal.input.on('data', onData);
    terminal.input.on('error', onError);
    terminal.input.on('end', onEnd);
    output.on('resize', onResize);
    draw();
    for (const effect of initialEffects(state)) run(effect);
    return await done;
  } finally {
    terminal.input.off('data', onData);
    terminal.input.off('error', onError);
    terminal.input.off('end', onEnd);
    output.off('resize', onResize);
    clearTimeout(listTimer);
    clearTimeout(previewTimer);
    if (repaint) clearImmediate(repaint);
    listing?.abort();
    previewing?.abort();
    restore();
  }
}
