import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { isRolloutError } from '../../errors.js';
import { homePaths } from '../../files/layout.js';
import { ScanContext, listAllLive, readRolloutFolder } from '../../files/traverse.js';
import type { RolloutLine } from '../../format/types.js';
import { itemOf } from '../../format/types.js';
import { iterateSessions } from '../../lister/list.js';
import { streamRollout } from '../../reader/stream.js';
import { ChatStream } from '../../dataset/chat.js';
import type { DatasetFormat, DatasetRowOf, ExportDatasetOptions } from '../../dataset/export-dataset.js';
import { datasetEntries } from '../../dataset/export-dataset.js';
import { writeDatasetParquet } from '../../dataset/parquet.js';
import type { Ctx } from '../context.js';
import { UsageError, collect, dateRange, existingHome } from '../context.js';
import type { ExportTarget } from '../export-target.js';
import { openExportTarget } from '../export-target.js';
import type { CliIO } from '../io.js';
import { progress } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { resolveSession } from '../resolve.js';
import { safeLine } from '../terminal-text.js';
import type { ListSessionsOptions, SessionSummary } from '../../lister/types.js';
import type { IndexEntry } from '../../transcript/index-page.js';
import type { DocumentOptions } from '../documents.js';
import { exportDocument, openExportFolder, writeIndex } from '../documents.js';

interface ExportFlags {
  out?: string;
  home?: string;
  since?: string;
  until?: string;
  search?: string;
  cwd?: string[];
  archived?: boolean;
  force?: boolean;
  full?: boolean;
  format: DatasetFormat | 'md' | 'html';
  parquet?: boolean;
  redact?: boolean;
  diffs?: boolean;
}

/** One JSON value without its newline, every character a terminal would act on escaped. */
const json = (value: unknown): string => jsonLine(value).slice(0, -1);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function registerExport(program: Command, ctx: Ctx): void {
  program
    .command('export')
    .argument('[session]', 'export only this session (an id, an id prefix or a rollout file)')
    .description('write sessions as JSON Lines, one {"type":"session",…} per session, streaming')
    .option(
      '--out <file>',
      'the file to write (default, or -: standard output); with --format md|html, the folder (made if missing)',
    )
    .option('--force', 'replace --out if it exists (never a symbolic link, never inside the home)')
    .option('--home <dir>', 'the home to export (default: $CODEX_HOME or ~/.codex)')
    .option('--since <date>', 'only sessions created at or after (2026-11-21, 7d, …)')
    .option('--until <date>', 'only sessions created at or before (a bare date includes the day)')
    .option(
      '--search <text>',
      'only sessions with this text (any case) in a user or assistant message, or the name',
    )
    .option('--cwd <dir>', 'only sessions whose working folder is this one (repeatable)', collect)
    .option('--archived', 'export archived sessions instead of live ones')
    .option('--full', 'with --format md|html: tool outputs in full (default: long ones cut, with a note)')
    .addOption(
      new Option(
        '--format <format>',
        'envelope: the raw lines; chat: chat messages with tool calls; openai: OpenAI fine-tuning rows; trl: TRL conversational rows; md, html: one transcript file per session and an index page',
      )
        .choices(['envelope', 'chat', 'openai', 'trl', 'md', 'html'])
        .default('envelope'),
    )
    .option('--parquet', 'write one Parquet file (needs --out; implied by --out x.parquet)')
    .option('--redact', 'replace secrets with [REDACTED:<kind>] in text, tool arguments and outputs')
    .option('--diffs', 'give each snapshotted turn the patch it made (openai, trl, chat, envelope rows)')
    .addHelpText(
      'after',
      '\nEvery source is exported (cli, vscode, exec, mcp, sub-agents): no --all-sources needed.',
    )
    .action(async (session: string | undefined, flags: ExportFlags) => {
      const { io } = ctx;
      // Everything is checked before anything is written.
      const { since, until } = dateRange('export', flags, io.now());
      const filtered =
        flags.since ?? flags.until ?? flags.search ?? flags.cwd ?? (flags.archived ? 'archived' : undefined);
      if (session !== undefined && filtered !== undefined) {
        throw new UsageError(
          'export',
          'a session argument and filters (--since, --search, …) contradict each other',
        );
      }
      const documents = flags.format === 'md' || flags.format === 'html';
      if (documents && (flags.out === undefined || flags.out === '-'))
        throw new UsageError(
          'export',
          `--format ${flags.format} needs --out DIR (a folder: one file per session)`,
        );
      if (!documents && flags.full) throw new UsageError('export', '--full needs --format md or html');
      const parquet = flags.parquet === true || (flags.out?.toLowerCase().endsWith('.parquet') ?? false);
      if (parquet && documents)
        throw new UsageError('export', `--parquet and --format ${flags.format} cannot be used together`);
      if (parquet && (flags.out === undefined || flags.out === '-'))
        throw new UsageError('export', '--parquet writes a file: name it with --out <file.parquet>');
      const home = existingHome(io, flags.home);
      const one = session === undefined ? undefined : await resolveSession(session, flags.home, io);
      if (documents) {
        await exportDocuments(io, flags, home, one, since, until);
        return;
      }
      const target = await openExportTarget(flags.out, { io, home, force: flags.force ?? false });
      const rows =
        parquet ||
        flags.format === 'openai' ||
        flags.format === 'trl' ||
        flags.redact === true ||
        flags.diffs === true;
      const exportedAt = io.now().toISOString();
      const bar = progress(io);
      let count = 0;
      let skipped = 0;
      let aborted = true;
      try {
        const total = one
          ? 1
          : io.stderrIsTTY
            ? await countFiles(home, flags.archived ?? false, since, until)
            : undefined;
        const exact = one !== undefined || (flags.search === undefined && flags.cwd === undefined);
        const started = io.now().getTime();
        const files: Iterable<{ path: string; id?: string }> | AsyncIterable<{ path: string; id?: string }> =
          one
            ? [{ path: one.path, ...(one.summary ? { id: one.summary.id } : {}) }]
            : rows
              ? []
              : iterateSessions(listOptions(io, flags, home, since, until, () => skipped++));
        const tick = (): void => {
          bar.update(progressText(count, total, exact, started, io.now().getTime()));
        };
        if (rows) {
          const result = await exportRows({
            options: {
              home,
              format: flags.format as DatasetFormat,
              since,
              until,
              search: flags.search,
              cwd: flags.cwd?.map((c) => path.resolve(io.cwd, c)),
              archived: flags.archived ?? false,
              redact: flags.redact ?? false,
              diffs: flags.diffs ?? false,
            },
            one: one ? { path: one.path, ...(one.summary ? { id: one.summary.id } : {}) } : undefined,
            parquet,
            exportedAt,
            target,
            io,
            tick: (exported) => {
              count = exported;
              tick();
            },
          });
          count = result.count;
          skipped += result.skipped;
        } else {
          const envelopeOrChat = flags.format === 'chat' ? 'chat' : 'envelope';
          for await (const s of files) {
            const done = await exportSession(s.path, s.id, envelopeOrChat, exportedAt, target, io);
            if (done) count++;
            else skipped++;
            tick();
          }
        }
        await target.commit();
        aborted = false;
      } finally {
        bar.done();
        if (aborted) await target.abort();
      }
      io.stderr.write(
        `${count} session${count === 1 ? '' : 's'} exported${target.label ? ` to ${safeLine(target.label)}` : ''}${skipped ? ` (${skipped} unreadable files skipped)` : ''}\n`,
      );
    });
}

/** `export --format md|html --out DIR`: a document per session, then the index page linking them. */
async function exportDocuments(
  io: CliIO,
  flags: ExportFlags,
  home: string,
  one: { path: string; summary?: SessionSummary } | undefined,
  since: Date | undefined,
  until: Date | undefined,
): Promise<void> {
  const dir = await openExportFolder(io, flags.out!, flags.home ?? home);
  const options: DocumentOptions = {
    format: flags.format === 'md' ? 'markdown' : 'html',
    full: flags.full ?? false,
    force: flags.force ?? false,
    home,
    warn: () => {},
  };
  const bar = progress(io);
  const entries: IndexEntry[] = [];
  let skipped = 0;
  const sessions: Iterable<SessionSummary | { path: string }> | AsyncIterable<SessionSummary> = one
    ? [one.summary ?? { path: one.path }]
    : iterateSessions(listOptions(io, flags, home, since, until, () => skipped++));
  try {
    for await (const s of sessions) {
      const summary = 'id' in s ? s : undefined;
      const id = summary?.id ?? path.basename(s.path).replace(/\.jsonl(\.zst)?$/, '');
      try {
        entries.push(
          await exportDocument(
            io,
            dir,
            s.path,
            {
              id,
              title: summary?.name ?? summary?.preview ?? id,
              createdAt: summary?.createdAt ?? '',
              cwd: summary?.cwd ?? '',
            },
            options,
          ),
        );
      } catch (error) {
        if (!isRolloutError(error)) throw error;
        skipped++;
        io.stderr.write(`warning: ${safeLine(error.message)}\n`);
      }
      bar.update(`exported ${entries.length} sessions`);
    }
    await writeIndex(io, dir, entries, options);
  } finally {
    bar.done();
  }
  io.stderr.write(
    `${entries.length} session${entries.length === 1 ? '' : 's'} exported to ${safeLine(flags.out!)}${skipped ? ` (${skipped} unreadable files skipped)` : ''}\n`,
  );
}

/**
 * Exports through the library's dataset rows: JSON Lines (for `openai`/`trl` each line is the row
 * itself, as fine-tuning takes it; `envelope`/`chat` rows keep the `{"type":"session",…}` record)
 * or one Parquet file. Warnings about sessions go to stderr.
 */
async function exportRows(args: {
  options: ExportDatasetOptions;
  one: { path: string; id?: string } | undefined;
  parquet: boolean;
  exportedAt: string;
  target: ExportTarget;
  io: CliIO;
  tick: (count: number) => void;
}): Promise<{ count: number; skipped: number }> {
  const { io, target } = args;
  let count = 0;
  let skipped = 0;
  const entries = datasetEntries(
    {
      ...args.options,
      onWarning: (w) => {
        if (w.skipped) skipped++;
        io.stderr.write(
          `warning: ${w.sessionId === null ? '' : `session ${safeLine(w.sessionId)}: `}${safeLine(w.message)}\n`,
        );
      },
    },
    args.one,
  );
  const format = args.options.format ?? 'openai';
  async function* rowsOf(): AsyncGenerator<DatasetRowOf[DatasetFormat]> {
    for await (const e of entries) {
      yield e.row;
      args.tick(++count);
    }
  }
  if (args.parquet) {
    await writeDatasetParquet(rowsOf(), { format, write: (bytes) => target.writeBytes(bytes) });
  } else {
    const wrap = format === 'envelope' || format === 'chat';
    for await (const row of rowsOf()) {
      await target.write(
        wrap ? jsonLine({ type: 'session', exported_at: args.exportedAt, ...row }) : jsonLine(row),
      );
    }
  }
  return { count, skipped };
}

/** The sessions an export takes: every source, empty ones too, the filters as given. */
function listOptions(
  io: CliIO,
  flags: ExportFlags,
  home: string,
  since: Date | undefined,
  until: Date | undefined,
  onSkip: () => void,
): ListSessionsOptions {
  return {
    home,
    since,
    until,
    search: flags.search,
    cwd: flags.cwd?.map((c) => path.resolve(io.cwd, c)),
    archived: flags.archived ?? false,
    includeEmpty: true,
    onSkip,
  };
}

/** `exported 3/10 sessions, about 12s left`; the ETA only when the total is exact. */
export function progressText(
  count: number,
  total: number | undefined,
  exact: boolean,
  started: number,
  now: number,
): string {
  if (total === undefined) return `exported ${count} sessions`;
  const of = exact ? `${count}/${total}` : `${count} of at most ${total}`;
  if (!exact || count === 0 || count >= total) return `exported ${of} sessions`;
  const left = Math.max(0, Math.round((((now - started) / count) * (total - count)) / 1000));
  const eta = left >= 120 ? `${Math.round(left / 60)} min` : `${left}s`;
  return `exported ${of} sessions, about ${eta} left`;
}

/** How many rollout files the export will look at: names only, no file opened. */
async function countFiles(home: string, archived: boolean, since?: Date, until?: Date): Promise<number> {
  const ctx = new ScanContext(Infinity, undefined, undefined);
  const all = archived
    ? await readRolloutFolder(homePaths.archived(home), ctx, { archived: true, quietIfMissing: true })
    : await listAllLive(homePaths.sessions(home), ctx, { since: since?.getTime(), until: until?.getTime() });
  return all.filter(
    (c) =>
      (since === undefined || c.created >= since.getTime() - 86_400_000) &&
      (until === undefined || c.created <= until.getTime() + 86_400_000),
  ).length;
}

/**
 * Writes one session's record, streaming: the head, then each line's JSON as it is read, so memory
 * follows the longest line, not the session. A field of the wrong type is warned about once and
 * the rest is written; a file that cannot be read is warned about and skipped (false). A read that
 * fails midway still ends the record as valid JSON, with `"complete":false`.
 */
async function exportSession(
  file: string,
  listedId: string | undefined,
  format: 'envelope' | 'chat',
  exportedAt: string,
  target: ExportTarget,
  io: CliIO,
): Promise<boolean> {
  const lines = streamRollout(file)[Symbol.asyncIterator]();
  let first: IteratorResult<RolloutLine>;
  try {
    first = await lines.next();
  } catch (error) {
    if (!isRolloutError(error)) throw error;
    io.stderr.write(`warning: ${safeLine(error.message)}\n`);
    return false;
  }
  const head = first.done ? undefined : first.value;
  const rawMeta = head?.type === 'session_meta' ? head.payload : undefined;
  const id =
    listedId ??
    (isObject(rawMeta) && typeof rawMeta['id'] === 'string' ? rawMeta['id'] : path.basename(file));
  const warned = new Set<string>();
  const bad = (field: string, what: string): void => {
    if (warned.has(field)) return;
    warned.add(field);
    io.stderr.write(`warning: session ${safeLine(id)}: ${safeLine(field)} ${what}\n`);
  };
  const meta = isObject(rawMeta) ? rawMeta : null;
  if (head?.type === 'session_meta' && meta === null)
    bad('session_meta.payload', 'is not an object; meta is null');
  const key = format === 'envelope' ? 'lines' : 'messages';
  await target.write(
    `{"type":"session","session_id":${json(id)},"exported_at":${json(exportedAt)},"meta":${json(meta)},"${key}":[`,
  );
  let n = 0;
  const put = async (value: unknown): Promise<void> => {
    await target.write(n++ === 0 ? json(value) : `,${json(value)}`);
  };
  const chat = new ChatStream(bad);
  let complete = true;
  try {
    if (format === 'chat') {
      const instructions = isObject(meta?.['base_instructions'])
        ? meta['base_instructions']['text']
        : undefined;
      for (const t of chat.start(instructions)) await put(t.message);
    } else if (head !== undefined) await put(head);
    for (;;) {
      const next = await lines.next();
      if (next.done) break;
      if (format === 'envelope') await put(next.value);
      else for (const t of chat.push(itemOf(next.value))) await put(t.message);
    }
    if (format === 'chat') for (const t of chat.end()) await put(t.message);
  } catch (error) {
    if (!isRolloutError(error)) throw error;
    complete = false;
    io.stderr.write(
      `warning: session ${safeLine(id)}: ${safeLine(error.message)}; its record is incomplete\n`,
    );
  }
  await target.write(complete ? ']}\n' : '],"complete":false}\n');
  return true;
}
