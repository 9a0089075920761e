import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { InvalidRolloutError, RolloutIOError } from '../errors.js';
import type { StreamState } from '../reader/stream.js';
import { readEntries } from '../reader/stream.js';
import { envelopeLine, nowIso } from '../recorder/line.js';

/**
 * Appends one line to a rollout the way the recorder writes one: the envelope with a timestamp,
 * the next `ordinal` in a paginated file, and a torn last line ended with `\n` first. The caller
 * holds the session's writer lock. False (nothing written) when the file does not read as an
 * envelope or paginated rollout (legacy, empty, no `session_meta`); the caller skips a compressed
 * file.
 */
export async function appendRolloutLine(
  file: string,
  type: string,
  payload: unknown,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const state: StreamState = { format: 'envelope', lastOrdinal: undefined };
  try {
    // Memory stays bounded by the longest line, whatever the file's size.
    for await (const _batch of readEntries(file, { signal }, state)) {
      // only the format and the last ordinal are wanted
    }
  } catch (error) {
    if (error instanceof InvalidRolloutError) return false;
    throw error;
  }
  if (state.format === 'legacy') return false;
  const ordinal = state.format === 'paginated' ? (state.lastOrdinal ?? -1) + 1 : undefined;
  const line = `${envelopeLine(nowIso(), type, payload, ordinal)}\n`;
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_APPEND);
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    if (size > 0) readSync(fd, last, 0, 1, size - 1);
    writeSync(fd, size > 0 && last[0] !== 0x0a ? `\n${line}` : line);
  } catch (cause) {
    throw new RolloutIOError('append to', file, cause);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return true;
}
