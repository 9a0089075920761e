import { createHash } from 'node:crypto';
import { isUuid } from '../format/ids.js';

/**
 * The rollout id of a foreign session: its own id when that is a UUID (lower-cased), else a UUIDv7
 * whose time is the session's creation and whose other 74 bits come from SHA-256 of
 * `<agent>:<id>`, so importing again (on any machine) gives the same id and the lister orders it
 * by its creation.
 */
export function foreignSessionId(agent: string, sourceId: string, createdAt: Date): string {
  if (isUuid(sourceId)) return sourceId.toLowerCase();
  const ms = Math.max(0, Math.min(createdAt.getTime(), 2 ** 48 - 1));
  const h = createHash('sha256').update(`${agent}:${sourceId}`).digest();
  const time = Math.floor(ms).toString(16).padStart(12, '0');
  const hex = h.toString('hex');
  const variant = ((h[8]! & 0x3f) | 0x80).toString(16).padStart(2, '0');
  return (
    `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex.slice(0, 3)}-` +
    `${variant}${hex.slice(4, 6)}-${hex.slice(6, 18)}`
  );
}
