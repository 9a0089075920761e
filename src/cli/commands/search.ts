import type { Command } from 'commander';
import { Option } from 'commander';
import { listSessions } from '../../lister/list.js';
import type { ListSessionsOptions, SessionSummary } from '../../lister/types.js';
import type { Ctx } from '../context.js';
import { UsageError, collect, existingHome, intOption } from '../context.js';
import { age } from '../dates.js';
import { outputWidth, shellQuote, shortId, tildePath } from '../format.js';
import type { Style } from '../io.js';
import { colourEnabled, makeStyle } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { cutToWidth, safeLine } from '../terminal-text.js';
import { listingProgress } from './session-index.js';

interface SearchFlags {
  home?: string;
  limit?: string;
  cursor?: string;
  sort: 'created' | 'updated' | 'relevance';
  source?: string[];
  allSources?: boolean;
  archived?: boolean;
  json?: boolean;
  width?: string;
}

const INTERACTIVE_SOURCES = ['cli', 'vscode'];

export function registerSearch(program: Command, ctx: Ctx): void {
  program
    .command('search')
    .description('find sessions whose user or assistant messages (or name) contain TEXT')
    .argument('<text>', 'the text to find: literal, case-insensitive')
    .option('--home <dir>', 'the home to search (default: $CODEX_HOME or ~/.codex)')
    .option('--limit <n>', 'hits per page', '25')
    .option('--cursor <cursor>', 'continue after the page that printed this cursor')
    .addOption(
      new Option('--sort <key>', 'newest created, last updated, or best match first')
        .choices(['created', 'updated', 'relevance'])
        .default('created'),
    )
    .option(
      '--source <source>',
      'only sessions from this source (repeatable; default: cli and vscode)',
      collect,
    )
    .option('--all-sources', 'sessions from every source (exec, mcp, sub-agents, …)')
    .option('--archived', 'search archived sessions instead of live ones')
    .option('--width <n>', "cut excerpts to n columns (default: the terminal's; a pipe is not cut)")
    .option('--json', 'JSON Lines: {"type":"session",…,"match":{…}} per hit, then {"type":"page",…}')
    .action(async (text: string, flags: SearchFlags, cmd: Command) => {
      const { io, style } = ctx;
      if (flags.allSources && flags.source) {
        throw new UsageError('search', '--all-sources and --source contradict each other');
      }
      if (text === '') throw new UsageError('search', 'the text to find is empty');
      const width = outputWidth(io, intOption('search', '--width', flags.width));
      const bar = listingProgress(io, flags.json === true);
      const options: ListSessionsOptions = {
        home: existingHome(io, flags.home),
        pageSize: intOption('search', '--limit', flags.limit),
        cursor: flags.cursor ?? null,
        sortKey: flags.sort,
        sources: flags.allSources ? undefined : (flags.source ?? INTERACTIVE_SOURCES),
        search: text,
        archived: flags.archived ?? false,
        onIndexProgress: bar.onIndexProgress,
      };
      const page = await listSessions(options).finally(() => {
        bar.done();
      });
      if (flags.json) {
        for (const s of page.sessions) io.stdout.write(jsonLine({ type: 'session', ...s }));
        const { sessions: _sessions, ...rest } = page;
        io.stdout.write(jsonLine({ type: 'page', ...rest }));
      } else {
        for (const s of page.sessions) io.stdout.write(hitText(s, text, style, width, io.now()));
      }
      const hint = makeStyle(colourEnabled({ ...io, stdoutIsTTY: io.stderrIsTTY }));
      if (page.sessions.length === 0)
        io.stderr.write(`no sessions contain ${safeLine(JSON.stringify(text))}\n`);
      if (page.nextCursor) {
        io.stderr.write(`${hint.dim(`more: rollouts search ${nextArgs(cmd, text, page.nextCursor)}`)}\n`);
      }
    });
}

/**
 * One hit: the session, its age, folder and line, then the excerpt with the match highlighted
 * (bold yellow on a terminal; plain text in a pipe). Every piece from the session is made safe.
 */
function hitText(
  s: SessionSummary,
  text: string,
  style: Style,
  width: number | undefined,
  now: Date,
): string {
  const m = s.match;
  const where = m?.line === null || m === undefined ? 'name' : `line ${m.line}`;
  const head = [
    style.bold(shortId(s.id)),
    age(s.createdAt, now),
    s.cwd ? safeLine(tildePath(s.cwd)) : '',
    style.dim(`${where}  rollouts show ${s.id}${m?.line ? ` --at ${m.line}` : ''}`),
  ]
    .filter(Boolean)
    .join('  ');
  const snippet = m === undefined ? '' : safeLine(m.snippet);
  const shown = width === undefined ? snippet : cutToWidth(snippet, Math.max(10, width - 4));
  return `${head}\n    ${highlight(shown, safeLine(text), style)}\n`;
}

/** Marks every case-insensitive occurrence of `term` in `line` (both already made safe). */
export function highlight(line: string, term: string, style: Style): string {
  if (term === '') return line;
  const lower = line.toLowerCase();
  const t = term.toLowerCase();
  if (lower.length !== line.length) return line;
  let out = '';
  let from = 0;
  for (let at = lower.indexOf(t); at !== -1; at = lower.indexOf(t, at + t.length)) {
    out += line.slice(from, at) + style.bold(style.yellow(line.slice(at, at + t.length)));
    from = at + t.length;
  }
  return out + line.slice(from);
}

function nextArgs(cmd: Command, text: string, cursor: string): string {
  const opts = cmd.opts<SearchFlags>();
  const out: string[] = [shellQuote(text)];
  if (opts.home) out.push('--home', shellQuote(opts.home));
  if (opts.limit && opts.limit !== '25') out.push('--limit', opts.limit);
  if (opts.sort !== 'created') out.push('--sort', opts.sort);
  for (const s of opts.source ?? []) out.push('--source', shellQuote(s));
  if (opts.allSources) out.push('--all-sources');
  if (opts.archived) out.push('--archived');
  if (opts.width) out.push('--width', shellQuote(opts.width));
  if (opts.json) out.push('--json');
  out.push('--cursor', shellQuote(cursor));
  return out.join(' ');
}
