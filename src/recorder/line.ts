/**
 * Serializing one envelope line. Hot path: every recorded item goes through here once. One
 * `JSON.stringify` of the whole envelope yields a flat string the writer copies straight into its
 * batch buffer; gluing the envelope around a stringified payload instead makes a rope string that
 * must be flattened (copied again) first, which measured slower in bench/recorder.ts.
 */

import { invalidArgument } from '../errors.js';

let lastMs = Number.NaN;
let lastIso = '';

/** The current instant as RFC 3339 UTC with milliseconds, formatted at most once per millisecond. */
export function nowIso(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/**
 * One envelope line, without its `\n` (the writer ends every line): `{"timestamp":…,"type":…,
 * "payload":…}`, with `ordinal` after the timestamp when given (paginated files). Throws a
 * `TypeError` for a payload JSON cannot hold (`undefined`, a function, a `BigInt`, a cycle). Lone
 * surrogates are escaped by `JSON.stringify`, so every line is valid UTF-8.
 */
export function envelopeLine(timestamp: string, type: string, payload: unknown, ordinal?: number): string {
  if (payload === undefined || typeof payload === 'function' || typeof payload === 'symbol') {
    throw invalidArgument(`The payload of a "${type}" item is not a JSON value`);
  }
  if (
    typeof payload === 'object' &&
    payload !== null &&
    'toJSON' in payload &&
    typeof payload.toJSON === 'function'
  ) {
    // toJSON may yield undefined, which would drop the payload key from the envelope silently.
    const json = stringify(type, payload);
    if (json === undefined) throw invalidArgument(`The payload of a "${type}" item is not a JSON value`);
    const head = ordinal === undefined ? '' : `,"ordinal":${ordinal}`;
    return `{"timestamp":"${timestamp}"${head},"type":${JSON.stringify(type)},"payload":${json}}`;
  }
  return stringify(
    type,
    ordinal === undefined ? { timestamp, type, payload } : { timestamp, ordinal, type, payload },
  )!;
}

function stringify(type: string, value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (cause) {
    throw invalidArgument(
      `The payload of a "${type}" item cannot be serialized: ${(cause as Error).message}`,
      { cause },
    );
  }
}
