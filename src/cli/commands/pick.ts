import path from 'node:path';
import os from 'node:os';
import type { Command } from 'commander';
import { Option } from 'commander';
import { execa } from 'execa';
import { listSessions } from '../../lister/list.js';
import type { ListSessionsOptions, SessionSummary } from '../../lister/types.js';
import type { Ctx } from '../context.js';
import { CliError, UsageError, collect, existingHome } from '../context.js';
import { runPicker } from '../picker/driver.js';
import type { PickerSource } from '../picker/driver.js';
import { commandFor, commandWords } from '../picker/exec.js';
import { readPreview } from '../picker/preview.js';
import type { PickerRow, SortKey } from '../picker/state.js';
import { safeLine } from '../terminal-text.js';

/** The flags the picker takes, from `rollouts pick` or `rollouts ls -i`. */
export interface PickFlags {
  home?: string;
  sort?: SortKey;
  /** Start with every folder listed, not only the current one. */
  all?: boolean;
  /** The folder listed by default. @defaultValue the current folder */
  cwd?: string;
  /** The search the picker starts with. */
  search?: string;
  /** Run this command with the chosen id instead of printing it. */
  exec?: string;
  archived?: boolean;
  allSources?: boolean;
  source?: string[];
}

/** Sessions per page the picker asks the lister for; more are fetched as the selection nears the end. */
const PAGE_SIZE = 50;

/** The interactive sources, the Codex CLI's resume picker's default (as `rollouts ls`). */
const INTERACTIVE_SOURCES = ['cli', 'vscode'];

const NO_TTY =
  'rollouts pick needs a terminal (keys on stdin, the screen on stdout or stderr); ' +
  'in scripts use rollouts ls (or rollouts ls --json)\n';

const KEYS_HELP = `
Keys:
  typing        search (Backspace, Ctrl-W, Ctrl-U edit it)
  Up/Down       move (also Ctrl-P/Ctrl-N); PgUp/PgDn a page; Home/End the ends
  Enter         print the chosen id (or run --exec with it)
  Tab           sort by creation or by last update
  Ctrl-A        this folder's sessions or every folder's
  Esc           clear the search; quit when it is empty (status 130)
  Ctrl-C        quit (status 130)
Without a terminal it refuses (status 2): use rollouts ls in scripts.`;

export function registerPick(program: Command, ctx: Ctx): void {
  program
    .command('pick')
    .description('choose a session in a full-screen list; prints its id (or runs --exec with it)')
    .option('--home <dir>', 'the home to list (default: $CODEX_HOME or ~/.codex)')
    .addOption(
      new Option('--sort <key>', 'start ordered by creation or last update (Tab toggles)')
        .choices(['created', 'updated'])
        .default('created'),
    )
    .option('--cwd <dir>', 'list the sessions of this folder (default: the current one)')
    .option('--all', 'start with the sessions of every folder (Ctrl-A toggles)')
    .option('--search <text>', 'start with this search')
    .option('--exec <command>', "run this command with the chosen id for {} (e.g. 'codex resume {}')")
    .option('--archived', 'pick among archived sessions')
    .option(
      '--source <source>',
      'only sessions from this source (repeatable; default: cli and vscode)',
      collect,
    )
    .option('--all-sources', 'sessions from every source (exec, mcp, sub-agents, …)')
    .addHelpText('after', KEYS_HELP)
    .action(async (flags: PickFlags) => {
      await runPick(ctx, 'pick', flags);
    });
}

/** The match the lister's search index gives a summary, when it gives one. */
function matchOf(s: SessionSummary): PickerRow['match'] {
  const m = (s as { match?: unknown }).match;
  if (typeof m !== 'object' || m === null) return undefined;
  const { snippet, line } = m as { snippet?: unknown; line?: unknown };
  return typeof snippet === 'string' ? { snippet, line: typeof line === 'number' ? line : 0 } : undefined;
}

const toRow = (s: SessionSummary): PickerRow => ({
  id: s.id,
  path: s.path,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
  cwd: s.cwd,
  branch: s.git?.branch ?? null,
  name: s.name,
  preview: s.preview,
  match: matchOf(s),
});

/** `rollouts pick` and `rollouts ls -i`: the picker, then the chosen id printed or run. */
export async function runPick(
  ctx: Ctx,
  command: string,
  flags: PickFlags,
  filters: Pick<ListSessionsOptions, 'modelProviders' | 'since' | 'until'> = {},
): Promise<void> {
  const { io } = ctx;
  if (flags.all && flags.cwd !== undefined) {
    throw new UsageError(command, '--all and --cwd contradict each other');
  }
  if (flags.allSources && flags.source) {
    throw new UsageError(command, '--all-sources and --source contradict each other');
  }
  const words = flags.exec === undefined ? undefined : commandWords(flags.exec);
  if (words !== undefined && !Array.isArray(words)) throw new UsageError(command, words.error);
  const home = existingHome(io, flags.home);
  const terminal = io.terminal?.();
  if (terminal === undefined) {
    io.stderr.write(`error: ${NO_TTY}`);
    ctx.exitCode = 2;
    return;
  }
  const folder = path.resolve(io.cwd, flags.cwd ?? '.');
  const base: ListSessionsOptions = {
    ...filters,
    home,
    pageSize: PAGE_SIZE,
    sources: flags.allSources ? undefined : (flags.source ?? INTERACTIVE_SOURCES),
    archived: flags.archived ?? false,
  };
  const source: PickerSource = {
    async list(q) {
      const page = await listSessions({
        ...base,
        sortKey: q.sort,
        cursor: q.cursor,
        signal: q.signal,
        ...(q.onIndexProgress ? { onIndexProgress: q.onIndexProgress } : {}),
        ...(q.allFolders ? {} : { cwd: folder }),
        ...(q.search.trim() !== '' ? { search: q.search.trim() } : {}),
      });
      return { rows: page.sessions.map(toRow), nextCursor: page.nextCursor };
    },
    preview: (row, signal) => readPreview(row.path, { signal }),
  };
  const outcome = await runPicker(terminal, source, {
    cwd: folder,
    sort: flags.sort ?? 'created',
    allFolders: flags.all ?? false,
    query: flags.search ?? '',
    now: io.now(),
  });
  if (outcome.kind === 'cancelled') {
    ctx.exitCode = 130;
    return;
  }
  const { id } = outcome.row;
  if (words === undefined) {
    io.stdout.write(`${safeLine(id)}\n`);
    return;
  }
  ctx.exitCode = await runChosen(commandFor(words, id));
}

/**
 * Runs the chosen command on the terminal (no shell: the words as arguments) and returns the exit
 * status to exit with: the command's, or 128 + the signal that ended it. While it runs, Ctrl-C is
 * the command's own: this process waits for it instead of exiting under it.
 */
async function runChosen(argv: string[]): Promise<number> {
  const [file, ...args] = argv as [string, ...string[]];
  const saved = process.listeners('SIGINT');
  process.removeAllListeners('SIGINT');
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  try {
    const result = await execa(file, args, { stdio: 'inherit', reject: false });
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      throw new CliError(
        `--exec could not run ${safeLine(file)}: ${safeLine(result.shortMessage ?? 'it failed')}`,
      );
    }
    if (result.exitCode !== undefined) return result.exitCode;
    return 128 + (result.signal ? signalNumber(result.signal) : 1);
  } finally {
    process.off('SIGINT', ignore);
    for (const l of saved) process.on('SIGINT', l);
  }
}

function signalNumber(signal: string): number {
  const n = (os.constants.signals as Record<string, number | undefined>)[signal];
  return n ?? 1;
}
