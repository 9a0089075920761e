import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { invalidArgument } from '../errors.js';
import type { DatasetFormat, DatasetRowOf } from './export-dataset.js';
import { approxBytes, FORMAT_COLUMNS, forWriter, parquetSchema, type Field } from './parquet-schema.js';

/**
 * Options of {@link writeDatasetParquet}.
 * @public
 */
export interface WriteDatasetParquetOptions<F extends DatasetFormat> {
  /** The format of the rows (it decides the columns). */
  format: F;
  /** Takes each finished piece of the file, in order; awaited before more is encoded. */
  write: (chunk: Uint8Array) => Promise<void>;
  /**
   * Rows per row group at most.
   * @defaultValue 1000
   */
  rowGroupRows?: number;
  /**
   * Bytes of row data per row group at most, about (a row group is held in memory while it is
   * encoded).
   * @defaultValue 32 MiB
   */
  rowGroupBytes?: number;
  /** Stops the write. */
  signal?: AbortSignal;
}

/**
 * Writes dataset rows as one Parquet file, streaming, through hyparquet-writer, with typed nested
 * columns: each field of the row is its own column, lists are Parquet LISTs and objects of a fixed
 * shape are groups, so DuckDB reads `messages` as `STRUCT(role VARCHAR, content VARCHAR, …)[]`
 * and Hugging Face `datasets` as a list of dicts. Returns the number of rows.
 *
 * @remarks
 * Values with no fixed shape are JSON columns (Parquet's `JSON` logical type): a tool's
 * `parameters` (a JSON Schema), TRL's tool-call `arguments` (objects), and the `meta` and `lines`
 * of `envelope` and `chat` rows. A struct has every field of its type, so a field a value leaves
 * out (`tool_calls` on a user message) reads back as null. Integers are `INT32`, booleans
 * `BOOLEAN`, strings UTF-8.
 *
 * Memory is bounded by one row group: rows are gathered until `rowGroupRows` rows or about
 * `rowGroupBytes` of data, encoded (snappy), handed to `write`, and dropped. An export with no row
 * still writes a valid file with the schema and no row group.
 * @public
 */
export async function writeDatasetParquet<F extends DatasetFormat>(
  rows: AsyncIterable<DatasetRowOf[F]> | Iterable<DatasetRowOf[F]>,
  options: WriteDatasetParquetOptions<F>,
): Promise<number> {
  const columns = FORMAT_COLUMNS[options.format] as { readonly [name: string]: Field } | undefined;
  if (columns === undefined)
    throw invalidArgument(`writeDatasetParquet: unknown format ${JSON.stringify(options.format)}`);
  if (typeof options.write !== 'function')
    throw invalidArgument('writeDatasetParquet: write must be a function');
  const maxRows = options.rowGroupRows ?? 1000;
  const maxBytes = options.rowGroupBytes ?? 32 * 1024 * 1024;
  if (!Number.isInteger(maxRows) || maxRows < 1)
    throw invalidArgument('writeDatasetParquet: rowGroupRows must be a positive integer');
  if (!Number.isInteger(maxBytes) || maxBytes < 1)
    throw invalidArgument('writeDatasetParquet: rowGroupBytes must be a positive integer');

  const writer = new ByteWriter(1024 * 1024) as ByteWriter & { index: number; flush?: () => Promise<void> };
  const drain = async (): Promise<void> => {
    if (writer.index === 0) return;
    // A copy: the writer reuses its buffer for what comes next.
    const chunk = new Uint8Array(writer.buffer.slice(0, writer.index));
    writer.index = 0;
    await options.write(chunk);
  };
  writer.flush = drain;
  const names = Object.keys(columns);
  const fields = names.map((n) => columns[n]!);
  const pq = new ParquetWriter({ writer, schema: parquetSchema(columns), createdBy: 'agent-rollouts' });

  let group: unknown[][] = names.map(() => []);
  let groupRows = 0;
  let groupBytes = 0;
  let total = 0;
  const writeGroup = async (): Promise<void> => {
    if (groupRows === 0) return;
    const columnData = names.map((name, i) => ({ name, data: group[i]! }));
    await pq.write({ columnData, rowGroupSize: groupRows });
    await drain();
    group = names.map(() => []);
    groupRows = 0;
    groupBytes = 0;
  };
  for await (const row of rows) {
    options.signal?.throwIfAborted();
    const record = row as unknown as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) {
      const v = record[names[i]!];
      group[i]!.push(forWriter(v, fields[i]!));
      groupBytes += approxBytes(v, fields[i]!);
    }
    groupRows++;
    total++;
    if (groupRows >= maxRows || groupBytes >= maxBytes) await writeGroup();
  }
  await writeGroup();
  await pq.finish();
  await drain();
  return total;
}
