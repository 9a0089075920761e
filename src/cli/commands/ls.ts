import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { SessionSource } from '../../format/types.js';
import { sourceLabel } from '../../lister/filters.js';
import { listSessions } from '../../lister/list.js';
import type { ListSessionsOptions, SessionPage, SessionSummary } from '../../lister/types.js';
import type { Ctx } from '../context.js';
import { UsageError, collect, dateRange, existingHome, intOption } from '../context.js';
import { age } from '../dates.js';
import type { TableColumn } from '../format.js';
import { fitTable, localTime, outputWidth, shellQuote, shortId, sourceText, tildePath } from '../format.js';
import { colourEnabled, makeStyle } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { cutToWidth, safeLine } from '../terminal-text.js';
import { runPick } from './pick.js';
import { listingProgress } from './session-index.js';

interface LsFlags {
  home?: string;
  limit?: string;
  cursor?: string;
  sort: 'created' | 'updated';
  source?: string[];
  provider?: string[];
  cwd?: string[];
  since?: string;
  until?: string;
  search?: string;
  archived?: boolean;
  allSources?: boolean;
  json?: boolean;
  width?: string;
  interactive?: boolean;
}

/**
 * The sources the resume picker of the Codex CLI shows by default: interactive sessions. A file
 * without a source counts as `vscode`, as the Codex CLI reads it.
 */
const INTERACTIVE_SOURCES = ['cli', 'vscode'];

export function registerLs(program: Command, ctx: Ctx): void {
  program
    .command('ls')
    .description('list sessions, newest first, a page at a time')
    .option('--home <dir>', 'the home to list (default: $CODEX_HOME or ~/.codex)')
    .option('--limit <n>', 'sessions per page', '25')
    .option('--cursor <cursor>', 'continue after the page that printed this cursor')
    .addOption(
      new Option('--sort <key>', 'order by creation or last update')
        .choices(['created', 'updated'])
        .default('created'),
    )
    .option(
      '--source <source>',
      'only sessions from this source (repeatable; default: cli and vscode)',
      collect,
    )
    .option('--provider <id>', 'only sessions of this model provider (repeatable)', collect)
    .option('--cwd <dir>', 'only sessions whose working folder is this one (repeatable)', collect)
    .option('--since <date>', 'created at or after (2026-11-21, 2026-11-21T10:00Z, 7d, 12h, yesterday)')
    .option('--until <date>', 'created at or before (a bare date or today includes the whole day)')
    .option('--search <text>', 'case-insensitive text in any user or assistant message, or the name')
    .option('--archived', 'list archived sessions instead of live ones')
    .option('--all-sources', 'sessions from every source (exec, mcp, sub-agents, …)')
    .option('--width <n>', "cut rows to n columns (default: the terminal's; a pipe is not cut)")
    .option('--json', 'JSON Lines: {"type":"session",…} per session, then {"type":"page",…}')
    .option('-i, --interactive', 'choose a session in the full-screen picker (as rollouts pick)')
    .action(async (flags: LsFlags, cmd: Command) => {
      const { io, style } = ctx;
      if (flags.allSources && flags.source) {
        throw new UsageError('ls', '--all-sources and --source contradict each other');
      }
      const { since, until } = dateRange('ls', flags, io.now());
      if (flags.interactive) {
        await interactive(ctx, cmd, flags, { since, until });
        return;
      }
      const width = outputWidth(io, intOption('ls', '--width', flags.width));
      const options: ListSessionsOptions = {
        home: existingHome(io, flags.home),
        pageSize: intOption('ls', '--limit', flags.limit),
        cursor: flags.cursor ?? null,
        sortKey: flags.sort,
        sources: flags.allSources ? undefined : (flags.source ?? INTERACTIVE_SOURCES),
        modelProviders: flags.provider,
        cwd: flags.cwd?.map((c) => path.resolve(io.cwd, c)),
        since,
        until,
        search: flags.search,
        archived: flags.archived ?? false,
      };
      // A first listing builds the index: its progress on a terminal, cleared before the table.
      const bar = listingProgress(io, flags.json === true);
      if (bar.onIndexProgress) options.onIndexProgress = bar.onIndexProgress;
      const page = await listSessions(options).finally(() => {
        bar.done();
      });
      if (flags.json) {
        for (const s of page.sessions) io.stdout.write(jsonLine({ type: 'session', ...s }));
        const { sessions: _sessions, ...rest } = page;
        io.stdout.write(jsonLine({ type: 'page', ...rest }));
      } else if (page.sessions.length > 0) {
        const table = fitTable(lsColumns(page.sessions, flags, io.now()), width);
        io.stdout.write(`${style.bold(table[0]!)}\n${table.slice(1).join('\n')}\n`);
      }
      // Everything for people goes to stderr, in every mode: stdout stays the table or the JSON.
      const hint = makeStyle(colourEnabled({ ...io, stdoutIsTTY: io.stderrIsTTY }));
      if (page.sessions.length === 0) {
        io.stderr.write(
          `no sessions${flags.cursor ? ' after this cursor' : ''}${page.reachedScanCap ? ' (scan cap reached)' : ''}\n`,
        );
      }
      const hidden = flags.source === undefined && !flags.allSources ? hiddenSources(page) : undefined;
      if (hidden) io.stderr.write(`${hint.dim(hidden)}\n`);
      if (page.nextCursor) {
        io.stderr.write(`${hint.dim(`more: rollouts ls ${nextArgs(cmd, page.nextCursor)}`)}\n`);
      }
    });
}

/** `ls -i`: the picker with the listing's filters; the flags that shape a printed page contradict it. */
async function interactive(
  ctx: Ctx,
  cmd: Command,
  flags: LsFlags,
  dates: { since: Date | undefined; until: Date | undefined },
): Promise<void> {
  for (const name of ['json', 'cursor', 'width', 'limit'] as const) {
    if (flags[name] !== undefined && cmd.getOptionValueSource(name) !== 'default') {
      throw new UsageError('ls', `--interactive and --${name} contradict each other`);
    }
  }
  if ((flags.cwd?.length ?? 0) > 1) {
    throw new UsageError('ls', '--interactive lists one folder at a time: give one --cwd (Ctrl-A shows all)');
  }
  await runPick(
    ctx,
    'ls',
    {
      ...(flags.home !== undefined ? { home: flags.home } : {}),
      sort: flags.sort,
      ...(flags.cwd?.[0] !== undefined ? { cwd: flags.cwd[0] } : {}),
      ...(flags.search !== undefined ? { search: flags.search } : {}),
      ...(flags.archived !== undefined ? { archived: flags.archived } : {}),
      ...(flags.allSources !== undefined ? { allSources: flags.allSources } : {}),
      ...(flags.source !== undefined ? { source: flags.source } : {}),
    },
    {
      ...(flags.provider !== undefined ? { modelProviders: flags.provider } : {}),
      ...(dates.since !== undefined ? { since: dates.since } : {}),
      ...(dates.until !== undefined ? { until: dates.until } : {}),
    },
  );
}

/** The table's columns, every string from a session made safe; SOURCE only when sources were chosen. */
function lsColumns(sessions: SessionSummary[], flags: LsFlags, now: Date): TableColumn[] {
  const text = (f: (s: SessionSummary) => string): string[] => sessions.map((s) => safeLine(f(s)));
  const cols: TableColumn[] = [
    { header: 'ID', cells: text((s) => shortId(s.id)), fit: 'fixed' },
    { header: 'CREATED', cells: text((s) => localTime(s.createdAt)), fit: 'fixed', dropOrder: 1 },
    {
      header: 'AGE',
      cells: text((s) => age(flags.sort === 'updated' ? s.updatedAt : s.createdAt, now)),
      fit: 'fixed',
      dropOrder: 3,
    },
    {
      header: 'CWD',
      cells: text((s) => (s.cwd ? tildePath(s.cwd) : '')),
      fit: 'shrink',
      min: 12,
      share: 0.3,
      cutLeft: true,
      dropOrder: 5,
    },
    {
      header: 'BRANCH',
      cells: text((s) => s.git?.branch ?? ''),
      fit: 'shrink',
      min: 8,
      share: 0.2,
      dropOrder: 4,
    },
  ];
  if (flags.allSources || flags.source) {
    cols.push({
      header: 'SOURCE',
      cells: text((s) => sourceCell(s.source)),
      fit: 'fixed',
      max: 16,
      dropOrder: 2,
    });
  }
  cols.push({
    header: 'PREVIEW',
    cells: text((s) => (s.name ? `[${s.name}] ${s.preview ?? ''}` : (s.preview ?? ''))),
    fit: 'fill',
    min: 20,
  });
  return cols;
}

/** A source as the filter compares it: the string, a sub-agent object's key, else as written. */
function sourceCell(source: SessionSource | null): string {
  if (source === null) return '';
  if (typeof source === 'string' || (typeof source === 'object' && !Array.isArray(source))) {
    return sourceLabel(source) ?? '';
  }
  return sourceText(source);
}

/** "3 sessions from other sources (exec, mcp) not shown; …" when the default filter hid any. */
function hiddenSources(page: SessionPage): string | undefined {
  const entries = Object.entries(page.filteredBySource).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const n = entries.reduce((a, [, k]) => a + k, 0);
  if (n === 0) return undefined;
  const names = entries
    .slice(0, 4)
    .map(([label]) => (label === '' ? 'unknown' : cutToWidth(safeLine(label), 24)));
  if (entries.length > 4) names.push('…');
  const what = n === 1 ? 'session from another source' : 'sessions from other sources';
  const where = page.nextCursor !== null ? ' on this page' : '';
  return `${n} ${what} (${names.join(', ')}) not shown${where}; --all-sources shows ${n === 1 ? 'it' : 'them'}`;
}

/** The same flags as this call, with the new cursor: a ready-to-run command for the next page. */
function nextArgs(cmd: Command, cursor: string): string {
  const opts = cmd.opts<LsFlags>();
  const out: string[] = [];
  if (opts.home) out.push('--home', shellQuote(opts.home));
  if (opts.limit && opts.limit !== '25') out.push('--limit', opts.limit);
  if (opts.sort !== 'created') out.push('--sort', opts.sort);
  for (const s of opts.source ?? []) out.push('--source', shellQuote(s));
  for (const p of opts.provider ?? []) out.push('--provider', shellQuote(p));
  for (const c of opts.cwd ?? []) out.push('--cwd', shellQuote(c));
  if (opts.since) out.push('--since', shellQuote(opts.since));
  if (opts.until) out.push('--until', shellQuote(opts.until));
  if (opts.search) out.push('--search', shellQuote(opts.search));
  if (opts.archived) out.push('--archived');
  if (opts.allSources) out.push('--all-sources');
  if (opts.width) out.push('--width', shellQuote(opts.width));
  if (opts.json) out.push('--json');
  out.push('--cursor', shellQuote(cursor));
  return out.join(' ');
}
