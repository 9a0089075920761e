import { ByteWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { invalidArgument } from '../errors.js';
import type { DatasetFormat, DatasetRowOf } from './export-dataset.js';

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
   * Bytes of row JSON per row group at most (a row group is held in memory while it is encoded).
   * @defaultValue 32 MiB
   */
  rowGroupBytes?: number;
  /** Stops the write. */
  signal?: AbortSignal;
}

/** The columns of each format: `session_id` a string, every other field its JSON. */
const COLUMNS: { [F in DatasetFormat]: readonly string[] } = {
  openai: ['session_id', 'messages', 'tools', 'message_ids', 'turns'],
  trl: ['session_id', 'messages', 'tools', 'message_ids', 'turns'],
  envelope: ['session_id', 'meta', 'lines', 'message_ids', 'turns'],
  chat: ['session_id', 'meta', 'messages', 'message_ids', 'turns'],
};

/**
 * Writes dataset rows as one Parquet file, streaming, through hyparquet-writer: `session_id` a
 * UTF-8 string column, every other field of the row a JSON column (Parquet's `JSON` logical type,
 * which DuckDB, Spark and the Hub's viewer read as JSON). Returns the number of rows.
 *
 * @remarks
 * Memory is bounded by one row group: rows are gathered until `rowGroupRows` rows or
 * `rowGroupBytes` of JSON, encoded (snappy), handed to `write`, and dropped. An export with no row
 * still writes a valid file with the schema and no row group.
 * @public
 */
export async function writeDatasetParquet<F extends DatasetFormat>(
  rows: AsyncIterable<DatasetRowOf[F]> | Iterable<DatasetRowOf[F]>,
  options: WriteDatasetParquetOptions<F>,
): Promise<number> {
  const names = COLUMNS[options.format];
  if (names === undefined)
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
  const columnsOf = (data: (string | null)[][]) =>
    names.map((name, i) => ({
      name,
      data: data[i]!,
      type: i === 0 ? ('STRING' as const) : ('JSON' as const),
      nullable: i !== 0,
    }));
  const schema = schemaFromColumnData({ columnData: columnsOf(names.map(() => [])) });
  const pq = new ParquetWriter({ writer, schema, createdBy: 'agent-rollouts' });

  let group: (string | null)[][] = names.map(() => []);
  let groupRows = 0;
  let groupBytes = 0;
  let total = 0;
  const writeGroup = async (): Promise<void> => {
    if (groupRows === 0) return;
    await pq.write({ columnData: columnsOf(group), rowGroupSize: groupRows });
    await drain();
    group = names.map(() => []);
    groupRows = 0;
    groupBytes = 0;
  };
  for await (const row of rows) {
    options.signal?.throwIfAborted();
    const record = row as unknown as Record<string, unknown>;
    names.forEach((name, i) => {
      const v = record[name];
      // hyparquet-writer takes JSON columns as values and serializes them itself.
      const cell = i === 0 ? String(v) : v === undefined ? null : (v as string | null);
      group[i]!.push(cell);
      groupBytes += i === 0 ? String(v).length : v === undefined ? 0 : JSON.stringify(v).length;
    });
    groupRows++;
    total++;
    if (groupRows >= maxRows || groupBytes >= maxBytes) await writeGroup();
  }
  await writeGroup();
  await pq.finish();
  await drain();
  return total;
}
