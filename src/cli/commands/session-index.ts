import type { Command } from 'commander';
import { rebuildSessionIndex, sessionIndexStatus, updateSessionIndex } from '../../lister/session-index.js';
import type { SessionIndexStatus } from '../../lister/session-index.js';
import type { SessionIndexProgress } from '../../lister/types.js';
import type { Ctx } from '../context.js';
import { UsageError, existingHome } from '../context.js';
import type { CliIO } from '../io.js';
import { INDEX_PROGRESS_MIN_FILES, progressBarText, visibleProgress } from '../format.js';
import { progress } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { safeLine } from '../terminal-text.js';

interface IndexFlags {
  home?: string;
  rebuild?: boolean;
  update?: boolean;
  json?: boolean;
}

/**
 * A progress callback drawing `indexing ██████░░░░ 1234 / 5678 files` on a terminal's stderr;
 * nothing when fewer than `minTotal` files are to be read.
 */
export function indexBar(
  bar: { update(text: string): void },
  minTotal = 1,
): (p: SessionIndexProgress) => void {
  return visibleProgress(minTotal, ({ done, total }) => {
    bar.update(`indexing ${progressBarText(done, total)}`);
  });
}

/**
 * The index progress of a listing (`ls`, `search`), which builds the index when it is absent: the
 * bar of `rollouts index --rebuild`, on a terminal's stderr, redrawn in place and cleared when the
 * listing returns, once there are {@link INDEX_PROGRESS_MIN_FILES} files to read. Nothing on a
 * pipe, and nothing with `--json` (whose readers are programs).
 */
export function listingProgress(
  io: CliIO,
  json: boolean,
): { onIndexProgress: ((p: SessionIndexProgress) => void) | undefined; done(): void } {
  if (json) return { onIndexProgress: undefined, done: () => {} };
  const bar = progress(io);
  return {
    onIndexProgress: indexBar(bar, INDEX_PROGRESS_MIN_FILES),
    done: () => {
      bar.done();
    },
  };
}

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

function statusText(s: SessionIndexStatus): string {
  const rows: [string, string][] = [['index', safeLine(s.path)]];
  if (!s.usable) {
    rows.push(['state', s.exists ? 'not usable' : 'absent']);
    if (s.reason) rows.push(['reason', safeLine(s.reason)]);
    rows.push(['listings', 'read the files']);
  } else {
    rows.push(['state', s.stale + s.removed === 0 ? 'up to date' : 'behind the files']);
    if (s.readOnly) rows.push(['mode', 'read-only (used only while nothing changed)']);
    rows.push(['sessions', String(s.sessions)]);
    rows.push(['skipped', `${s.skipped} unlistable files`]);
    rows.push(['messages', String(s.messages)]);
    rows.push(['stale', `${s.stale} files to read, ${s.removed} to forget`]);
    rows.push(['size', mib(s.bytes)]);
  }
  return rows.map(([k, v]) => `${k.padEnd(10)}${v}`).join('\n') + '\n';
}

export function registerIndex(program: Command, ctx: Ctx): void {
  program
    .command('index')
    .description('show the session index (search and fast listings), or bring it up to date')
    .option('--home <dir>', 'the home (default: $CODEX_HOME or ~/.codex)')
    .option('--update', 'read what changed since the index last saw the files')
    .option('--rebuild', 'empty the index and build it again from the files')
    .option('--json', 'the state as one {"type":"index",…} JSON line')
    .action(async (flags: IndexFlags) => {
      const { io } = ctx;
      if (flags.rebuild && flags.update) {
        throw new UsageError('index', '--rebuild and --update cannot be used together');
      }
      const home = existingHome(io, flags.home);
      const bar = progress(io);
      const onProgress = indexBar(bar);
      let status: SessionIndexStatus;
      try {
        status = flags.rebuild
          ? await rebuildSessionIndex({ home, onProgress })
          : flags.update
            ? await updateSessionIndex({ home, onProgress })
            : await sessionIndexStatus({ home });
      } finally {
        bar.done();
      }
      if (flags.json) io.stdout.write(jsonLine({ type: 'index', ...status }));
      else io.stdout.write(statusText(status));
    });
}
