/**
 * The picker's hold on the terminal: raw mode and the alternate screen on entry, and everything
 * put back on every way out — a normal return, a thrown error (the driver's `finally`), Ctrl-C,
 * SIGINT, SIGTERM and SIGHUP from outside, and `process.exit` from anywhere (the `exit` hook
 * restores synchronously, since nothing asynchronous runs then).
 */
import type { ReadStream, WriteStream } from 'node:tty';

/** The terminal the picker draws on: keys from `input`, the screen on `output`. */
export interface PickerTerminal {
  input: ReadStream;
  output: WriteStream;
}

const ENTER = '\u001b[?1049h\u001b[H\u001b[2J';
/** Cursor shown, attributes reset, main screen back. */
const LEAVE = '\u001b[?25h\u001b[0m\u001b[?1049l';

const REPLAYED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

/** Switches `terminal` to raw mode and the alternate screen; the returned function undoes both. */
export function takeTerminal(terminal: PickerTerminal): () => void {
  const { input, output } = terminal;
  let held = true;
  const wasRaw = input.isRaw;
  const restore = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', restore);
    for (const s of REPLAYED) process.off(s, onSignal);
    process.off('SIGINT', onInterrupt);
    try {
      input.setRawMode(wasRaw);
    } catch {
      // The terminal is gone (hung up): nothing to restore.
    }
    input.pause();
    try {
      output.write(LEAVE);
    } catch {
      // as above
    }
  };
  // Another listener decides the exit status; ours only puts the terminal back first.
  const onSignal = (signal: NodeJS.Signals): void => {
    restore();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const onInterrupt = (): void => {
    restore();
    if (process.listenerCount('SIGINT') === 0) process.exit(130);
  };
  process.on('exit', restore);
  for (const s of REPLAYED) process.on(s, onSignal);
  // First, so the terminal is back before any other SIGINT listener prints or exits.
  process.prependListener('SIGINT', onInterrupt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  output.write(ENTER);
  return restore;
}
