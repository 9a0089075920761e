import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new random token for the viewer's URL: 256 bits, URL-safe. */
export const newToken = (): string => randomBytes(32).toString('base64url');

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether `given` is `token`, in time that does not depend on where they differ (both are hashed
 * first, so their lengths do not show either).
 */
export function tokenMatches(given: string, token: string): boolean {
  return timingSafeEqual(digest(given), digest(token));
}
