import type { ParquetWriter } from 'hyparquet-writer';
import type { ChatMessage, DatasetTool, DatasetTurn, OpenAIToolCall, TrlMessage } from '../format/dataset.js';
import type { DatasetFormat, DatasetRowOf } from './export-dataset.js';

/** hyparquet-writer's schema element (its own type, without importing hyparquet). */
type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

/**
 * The shape of one Parquet field. A leaf is a UTF-8 string, a JSON document (Parquet's `JSON`
 * logical type: for values with no fixed shape), a 32-bit integer or a boolean; `list` is the
 * standard 3-level LIST; `struct` a group. `optional` fields may be null (or absent from the row).
 */
export type Field =
  | { kind: 'string' | 'json' | 'int32' | 'boolean'; optional: boolean }
  | { kind: 'list'; optional: boolean; element: Field }
  | { kind: 'struct'; optional: boolean; fields: { readonly [name: string]: Field } };

/**
 * Every key of `T`, optional ones included, mapped to its field: a field added to a row type and
 * forgotten here fails to compile instead of being dropped from the file.
 */
type FieldsOf<T> = { readonly [K in keyof Required<T>]: Field };

const utf8 = { kind: 'string', optional: false } as const;
const json = { kind: 'json', optional: false } as const;
const int32 = { kind: 'int32', optional: false } as const;
const bool = { kind: 'boolean', optional: false } as const;
const nullable = <F extends Field>(f: F): F => ({ ...f, optional: true });
const list = (element: Field): Field => ({ kind: 'list', optional: false, element });
const struct = <T>(fields: FieldsOf<T>): Field => ({ kind: 'struct', optional: false, fields });

type TrlToolCall = NonNullable<TrlMessage['tool_calls']>[number];

const openAIToolCall = struct<OpenAIToolCall>({
  id: utf8,
  type: utf8,
  function: struct<OpenAIToolCall['function']>({ name: utf8, arguments: utf8 }),
});

/** `openai` and `chat` messages. */
const chatMessage = struct<ChatMessage>({
  role: utf8,
  content: nullable(utf8),
  tool_calls: nullable(list(openAIToolCall)),
  tool_call_id: nullable(utf8),
});

/** TRL messages: arguments are objects of any shape, so each is one JSON document. */
const trlMessage = struct<TrlMessage>({
  role: utf8,
  content: utf8,
  tool_calls: nullable(
    list(
      struct<TrlToolCall>({
        id: utf8,
        type: utf8,
        function: struct<TrlToolCall['function']>({ name: utf8, arguments: json }),
      }),
    ),
  ),
  name: nullable(utf8),
  tool_call_id: nullable(utf8),
});

/** A tool: `parameters` is a JSON Schema, of any depth, so it is one JSON document. */
const tool = struct<DatasetTool>({
  type: utf8,
  function: struct<DatasetTool['function']>({
    name: utf8,
    description: nullable(utf8),
    parameters: json,
  }),
});

const turn = struct<DatasetTurn>({
  message_index: int32,
  message_id: nullable(utf8),
  role: utf8,
  commit: nullable(utf8),
  tree: nullable(utf8),
  workspace: nullable(utf8),
  diff: nullable(utf8),
  redacted: nullable(bool),
});

/**
 * The columns of each format, in order. Fixed shapes are typed columns; free-form values (a
 * session's meta, a rollout line, TRL's argument objects, a tool's parameter schema) are JSON.
 */
export const FORMAT_COLUMNS: { readonly [F in DatasetFormat]: FieldsOf<DatasetRowOf[F]> } = {
  openai: {
    session_id: utf8,
    messages: list(chatMessage),
    tools: list(tool),
    message_ids: list(nullable(utf8)),
    turns: list(turn),
  },
  trl: {
    session_id: utf8,
    messages: list(trlMessage),
    tools: nullable(list(tool)),
    message_ids: list(nullable(utf8)),
    turns: list(turn),
  },
  envelope: {
    session_id: utf8,
    meta: nullable(json),
    lines: list(nullable(json)),
    message_ids: list(utf8),
    turns: list(turn),
  },
  chat: {
    session_id: utf8,
    meta: nullable(json),
    messages: list(chatMessage),
    message_ids: list(nullable(utf8)),
    turns: list(turn),
  },
};

const LEAF: { [K in 'string' | 'json' | 'int32' | 'boolean']: Omit<SchemaElement, 'name'> } = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  json: { type: 'BYTE_ARRAY', converted_type: 'JSON' },
  int32: { type: 'INT32' },
  boolean: { type: 'BOOLEAN' },
};

/** The Parquet schema (depth first, as the file's footer holds it) of some top-level columns. */
export function parquetSchema(columns: { readonly [name: string]: Field }): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: Object.keys(columns).length }];
  const add = (name: string, f: Field): void => {
    const repetition_type = f.optional ? 'OPTIONAL' : 'REQUIRED';
    switch (f.kind) {
      case 'list':
        out.push({ name, repetition_type, converted_type: 'LIST', num_children: 1 });
        out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
        add('element', f.element);
        return;
      case 'struct': {
        const names = Object.keys(f.fields);
        out.push({ name, repetition_type, num_children: names.length });
        for (const n of names) add(n, f.fields[n]!);
        return;
      }
      default:
        out.push({ name, repetition_type, ...LEAF[f.kind] });
    }
  };
  for (const [name, f] of Object.entries(columns)) add(name, f);
  return out;
}

const jsonInside = new WeakMap<Field, boolean>();

/** The field holds a JSON document somewhere inside it (found once per field). */
function holdsJson(f: Field): boolean {
  let held = jsonInside.get(f);
  if (held === undefined) {
    held =
      f.kind === 'json' ||
      (f.kind === 'list' && holdsJson(f.element)) ||
      (f.kind === 'struct' && Object.values(f.fields).some(holdsJson));
    jsonInside.set(f, held);
  }
  return held;
}

/**
 * `value` as the Parquet writer is handed it: each JSON document in a box that serializes as the
 * document itself. hyparquet-writer copies a plain object key by key (`toJson`) before it
 * serializes it, and that copy turns a key named `__proto__` (valid JSON, kept by `JSON.parse` as
 * an own key) into the copy's prototype: the key vanished, or its object's keys seemed inherited.
 * A box without a prototype is passed through untouched, and `JSON.stringify` calls its `toJSON`.
 * Fields with no JSON inside are given as they are (a huge message is not copied).
 */
export function forWriter(value: unknown, f: Field): unknown {
  if (value === null || value === undefined || !holdsJson(f)) return value;
  switch (f.kind) {
    case 'json': {
      const box = Object.create(null) as { toJSON: () => unknown };
      box.toJSON = () => value;
      return box;
    }
    case 'list':
      return Array.isArray(value) ? value.map((v) => forWriter(v, f.element)) : value;
    case 'struct': {
      if (typeof value !== 'object') return value;
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const name in f.fields) {
        if (Object.hasOwn(record, name)) out[name] = forWriter(record[name], f.fields[name]!);
      }
      return out;
    }
    default:
      return value;
  }
}

/**
 * About how many bytes `value` takes in memory as this field: what bounds a row group. Walks the
 * value without serializing it (a huge message is not copied to be measured).
 */
export function approxBytes(value: unknown, f: Field): number {
  if (value === null || value === undefined) return 1;
  switch (f.kind) {
    case 'string':
      return typeof value === 'string' ? value.length : 8;
    case 'int32':
    case 'boolean':
      return 4;
    case 'json':
      return jsonBytes(value);
    case 'list': {
      if (!Array.isArray(value)) return 8;
      let n = 8;
      for (const v of value) n += approxBytes(v, f.element);
      return n;
    }
    case 'struct': {
      const record = value as Record<string, unknown>;
      let n = 8;
      for (const name in f.fields) n += approxBytes(record[name], f.fields[name]!);
      return n;
    }
  }
}

function jsonBytes(v: unknown): number {
  if (typeof v === 'string') return v.length + 2;
  if (Array.isArray(v)) {
    let n = 2;
    for (const x of v) n += jsonBytes(x) + 1;
    return n;
  }
  if (typeof v === 'object' && v !== null) {
    let n = 2;
    for (const [k, x] of Object.entries(v)) n += k.length + 3 + jsonBytes(x) + 1;
    return n;
  }
  return 8;
}
