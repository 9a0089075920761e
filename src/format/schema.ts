import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { RolloutLine } from './types.js';

/**
 * The JSON Schemas shipped in `schema/`, compiled once, on first use.
 */

/** The names of the shipped schemas (file `schema/<name>.json`). */
export type SchemaName = 'envelope' | 'session_meta' | 'workspace_snapshot' | 'response_item' | 'event_msg';

const PAYLOAD_SCHEMAS: Partial<Record<string, SchemaName>> = {
  session_meta: 'session_meta',
  workspace_snapshot: 'workspace_snapshot',
  response_item: 'response_item',
  event_msg: 'event_msg',
};

let compiled: Map<SchemaName, ValidateFunction> | undefined;

function validators(): Map<SchemaName, ValidateFunction> {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const map = new Map<SchemaName, ValidateFunction>();
  for (const name of [
    'envelope',
    'session_meta',
    'workspace_snapshot',
    'response_item',
    'event_msg',
  ] as const) {
    // The schema folder sits beside src/ and dist/ alike: ../../schema from this module's folder.
    const url = new URL(`../../schema/${name}.json`, import.meta.url);
    map.set(name, ajv.compile(JSON.parse(readFileSync(url, 'utf8')) as object));
  }
  compiled = map;
  return map;
}

function describe(errors: ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? [])
    .map((e) => {
      const at = `${where}${e.instancePath}`;
      if (e.keyword === 'required')
        return `${at}: missing "${(e.params as { missingProperty: string }).missingProperty}"`;
      if (e.keyword === 'if') return '';
      return `${at}: ${e.message ?? 'is invalid'}`;
    })
    .filter((m) => m !== '');
}

/**
 * Validates one parsed line against the envelope schema and, for the line types with a schema, its
 * payload. Returns the problems (empty when valid); never throws.
 */
export function lineProblems(line: unknown): string[] {
  const v = validators();
  const envelope = v.get('envelope')!;
  if (!envelope(line)) return describe(envelope.errors, 'line');
  const type = (line as RolloutLine).type;
  const schema = PAYLOAD_SCHEMAS[type];
  if (schema === undefined) return [];
  const payload = v.get(schema)!;
  return payload((line as RolloutLine).payload) ? [] : describe(payload.errors, `${type} payload`);
}
