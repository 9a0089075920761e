import type { LegacyMeta, RolloutLine, SessionMetaPayload } from '../format/types.js';
import { payloadShapeProblem } from '../format/types.js';

/**
 * Why one line could not be used. The reader reports these with the line number and goes on.
 */
export class ParseFailure {
  constructor(
    readonly kind: 'invalid-json' | 'not-object' | 'not-envelope' | 'bad-payload',
    readonly message: string,
  ) {}
}

/** What a JSON value that is not an object is, for a message. */
const notObject = (value: unknown): ParseFailure =>
  new ParseFailure(
    'not-object',
    `not a JSON object (${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})`,
  );

/** `JSON.parse`, with a {@link ParseFailure} instead of a throw. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return new ParseFailure('invalid-json', `invalid JSON (${(error as Error).message})`);
  }
}

/** Checks that a parsed value has the envelope's shape. */
export function checkEnvelope(value: unknown): RolloutLine | ParseFailure {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return notObject(value);
  }
  const v = value as Record<string, unknown>;
  if (typeof v['type'] !== 'string')
    return new ParseFailure('not-envelope', 'no "type" string in the envelope');
  if (!('payload' in v)) return new ParseFailure('not-envelope', `"${v['type']}" line has no "payload"`);
  if (typeof v['timestamp'] !== 'string') {
    return new ParseFailure('not-envelope', `"${v['type']}" line has no "timestamp" string`);
  }
  // A session_meta's payload is judged by the engine, which refuses the file for a bad one.
  const problem = v['type'] === 'session_meta' ? undefined : payloadShapeProblem(v['type'], v['payload']);
  if (problem !== undefined) return new ParseFailure('bad-payload', problem);
  return v as RolloutLine;
}

/**
 * True when `value` looks like the first line of a legacy bare rollout: a bare object with `id` and
 * `timestamp` and no envelope.
 */
export function isLegacyMeta(value: unknown): value is LegacyMeta {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['id'] === 'string' && typeof v['timestamp'] === 'string' && !('payload' in v) && !('type' in v)
  );
}

/** The `session_meta` payload equivalent of a legacy head line. */
export function legacyMetaToSessionMeta(legacy: LegacyMeta): SessionMetaPayload {
  const { id, timestamp, instructions, git, ...rest } = legacy;
  const meta: SessionMetaPayload = {
    ...rest,
    id,
    session_id: id,
    timestamp,
    cwd: typeof rest['cwd'] === 'string' ? rest['cwd'] : '',
    base_instructions: typeof instructions === 'string' ? { text: instructions } : null,
  };
  if (git !== undefined && git !== null) meta.git = git;
  return meta;
}

/**
 * The envelope line equivalent of one legacy line after the head: response items become
 * `response_item` lines and `{"record_type": …}` lines keep their record type as the line type.
 * Legacy lines carry no write time; `timestamp` is the session's.
 */
export function legacyLineToEnvelope(value: unknown, sessionTimestamp: string): RolloutLine | ParseFailure {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return notObject(value);
  }
  const v = value as Record<string, unknown>;
  if (typeof v['record_type'] === 'string') {
    const problem = payloadShapeProblem(v['record_type'], v);
    if (problem !== undefined) return new ParseFailure('bad-payload', problem);
    return { timestamp: sessionTimestamp, type: v['record_type'], payload: v } as RolloutLine;
  }
  if (typeof v['type'] === 'string') {
    return { timestamp: sessionTimestamp, type: 'response_item', payload: v } as RolloutLine;
  }
  return new ParseFailure('not-envelope', 'legacy line has neither "type" nor "record_type"');
}
