import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { listSessions } from '../../lister/list.js';
import type { ListSessionsOptions } from '../../lister/types.js';
import type { Ctx } from '../context.js';
import { UsageError, collect, dateRange, existingHome, intOption } from '../context.js';
import { age } from '../dates.js';
import { columns, cut, localTime, shellQuote, shortId, shortPath } from '../format.js';

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
}

/** The sources the resume picker of the Codex CLI shows by default: interactive sessions. */
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
    .option('--search <text>', 'case-insensitive text in the preview or name')
    .option('--archived', 'list archived sessions instead of live ones')
    .option('--all-sources', 'sessions from every source (exec, mcp, sub-agents, …)')
    .option('--json', 'one JSON summary per line, then {"nextCursor": …}')
    .action(async (flags: LsFlags, cmd: Command) => {
      const { io, style } = ctx;
      if (flags.allSources && flags.source) {
        throw new UsageError('ls', '--all-sources and --source contradict each other');
      }
      const { since, until } = dateRange('ls', flags, io.now());
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
      const page = await listSessions(options);
      if (flags.json) {
        for (const s of page.sessions) io.stdout.write(`${JSON.stringify(s)}\n`);
        io.stdout.write(`${JSON.stringify({ nextCursor: page.nextCursor })}\n`);
        return;
      }
      if (page.sessions.length === 0) {
        io.stderr.write(
          `no sessions${flags.cursor ? ' after this cursor' : ''}${page.reachedScanCap ? ' (scan cap reached)' : ''}\n`,
        );
        return;
      }
      const width = io.columns ?? 120;
      const rows = page.sessions.map((s) => [
        shortId(s.id),
        localTime(s.createdAt),
        age(flags.sort === 'updated' ? s.updatedAt : s.createdAt, io.now()),
        shortPath(s.cwd, 28),
        cut(s.git?.branch ?? '', 20),
        s.name ? `[${s.name}] ${s.preview ?? ''}` : (s.preview ?? ''),
      ]);
      const header = ['ID', 'CREATED', 'AGE', 'CWD', 'BRANCH', 'PREVIEW'];
      const fixed = header
        .slice(0, -1)
        .map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
      const previewWidth = Math.max(20, width - fixed.reduce((a, b) => a + b, 0));
      for (const r of rows) r[5] = cut(r[5]!, previewWidth);
      const table = columns([header, ...rows]).split('\n');
      io.stdout.write(`${style.bold(table[0]!)}\n${table.slice(1).join('\n')}\n`);
      if (page.nextCursor) {
        io.stdout.write(style.dim(`more: rollouts ls ${nextArgs(cmd, page.nextCursor)}\n`));
      }
    });
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
  out.push('--cursor', shellQuote(cursor));
  return out.join(' ');
}
