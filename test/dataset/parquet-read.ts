import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Runs `sql` on a Parquet file through DuckDB, the file's rows in order as the view `rows`, and gives the result
 * as JS values (`getRowObjectsJson`: lists as arrays, structs as objects, JSON columns as their
 * text, BIGINT as a string).
 */
export async function queryParquet(
  file: string,
  sql = 'SELECT * FROM rows',
): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    // In the file's order, whatever DuckDB's threads do.
    await con.run(
      `CREATE VIEW rows AS SELECT * EXCLUDE (file_row_number)
       FROM read_parquet('${file.replaceAll("'", "''")}', file_row_number = true) ORDER BY file_row_number`,
    );
    const reader = await con.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/** The DuckDB type of each column of a Parquet file. */
export async function parquetColumnTypes(file: string): Promise<Record<string, string>> {
  const rows = await queryParquet(file, 'SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM rows)');
  return Object.fromEntries(rows.map((r) => [r['column_name'] as string, r['column_type'] as string]));
}

type Json = Record<string, unknown>;
const parse = (v: unknown): unknown => (v === null ? null : JSON.parse(v as string));

/**
 * A row read back by DuckDB with its JSON columns parsed: the values the writer keeps as JSON
 * documents, named here one by one (a tool's `parameters`, TRL's `arguments`, `meta`, `lines`).
 */
export function parseJsonLeaves(row: Json, format: string): Json {
  const out = structuredClone(row);
  const tools = out['tools'] as { function: Json }[] | null | undefined;
  for (const t of tools ?? []) t.function['parameters'] = parse(t.function['parameters']);
  if (format === 'trl') {
    for (const m of out['messages'] as { tool_calls: { function: Json }[] | null }[])
      for (const c of m.tool_calls ?? []) c.function['arguments'] = parse(c.function['arguments']);
  }
  if ('meta' in out) out['meta'] = parse(out['meta']);
  if ('lines' in out) out['lines'] = (out['lines'] as unknown[]).map(parse);
  return out;
}

/**
 * `back` without the null fields `expected` does not have: a Parquet struct has every field of
 * its type, so a field a JSON object leaves out reads back as null.
 */
export function withoutAbsentNulls(back: unknown, expected: unknown): unknown {
  if (Array.isArray(back) && Array.isArray(expected))
    return back.map((b, i) => withoutAbsentNulls(b, expected[i]));
  if (isObject(back) && isObject(expected)) {
    // Entries, not assignment: a key named `__proto__` (JSON allows it) stays an own key.
    return Object.fromEntries(
      Object.entries(back)
        .filter(([k, v]) => v !== null || Object.hasOwn(expected, k))
        .map(([k, v]) => [k, withoutAbsentNulls(v, Object.hasOwn(expected, k) ? expected[k] : undefined)]),
    );
  }
  return back;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rows of a Parquet file as the JSON Lines export gives them, for comparison with `expected`. */
export function asJsonRows(back: Json[], expected: Json[], format: string): Json[] {
  return back.map((b, i) => withoutAbsentNulls(parseJsonLeaves(b, format), expected[i]) as Json);
}
