import { v7 as uuidv7 } from 'uuid';
import { invalidArgument } from '../errors.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A new session id: a UUIDv7 whose 48-bit time prefix is exactly `createdAt` (to the millisecond).
 * @public
 */
export function newSessionId(createdAt: Date = new Date()): string {
  const ms = createdAt.getTime();
  if (!Number.isFinite(ms) || ms < 0)
    throw invalidArgument(`newSessionId: invalid date ${String(createdAt)}`);
  return uuidv7({ msecs: ms });
}

/**
 * True for a UUID of any version, in any case.
 * @public
 */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/**
 * The creation instant (milliseconds since the epoch) encoded in a UUIDv7, or `undefined` when
 * `id` is not a UUIDv7.
 * @public
 */
export function uuidV7Time(id: string): number | undefined {
  if (!UUID_RE.test(id) || id[14] !== '7') return undefined;
  const hex = id.slice(0, 8) + id.slice(9, 13);
  return Number.parseInt(hex, 16);
}

/**
 * A new message id, as the Codex CLI makes them: `msg_` and a UUIDv7, so ids sort by creation time
 * and never repeat. The recorder gives one to every message it records.
 * @public
 */
export function newMessageId(): string {
  return `msg_${uuidv7()}`;
}
