import path from 'node:path';
import type { Command } from 'commander';
import { resolveHome } from '../../files/layout.js';
import { importSessions } from '../../importers/import-sessions.js';
import type { Ctx } from '../context.js';
import { UsageError } from '../context.js';
import { progress } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { safeLine } from '../terminal-text.js';

/** `rollouts import --from opencode|claude-code`: another agent's sessions, as rollouts. */
export function registerImport(program: Command, ctx: Ctx): void {
  const { io, style } = ctx;
  program
    .command('import')
    .description("write another agent's stored sessions as rollouts (again: only what is new)")
    .requiredOption('--from <agent>', 'opencode or claude-code')
    .option(
      '--source <dir>',
      "the agent's data folder (default: ~/.claude, or $XDG_DATA_HOME/opencode, else ~/.local/share/opencode)",
    )
    .option('--json', 'one JSON object per session')
    .option('--home <dir>', 'the home written to (default: $CODEX_HOME or ~/.codex)')
    .action(async (flags: { from: string; source?: string; json?: boolean; home?: string }) => {
      if (flags.from !== 'opencode' && flags.from !== 'claude-code')
        throw new UsageError('import', `--from takes opencode or claude-code, not "${safeLine(flags.from)}"`);
      const home = resolveHome(flags.home ?? io.env['CODEX_HOME']);
      const bar = progress(io);
      bar.update('importing…');
      let result;
      try {
        result = await importSessions({
          from: flags.from,
          home,
          ...(flags.source === undefined ? {} : { source: path.resolve(io.cwd, flags.source) }),
        });
      } finally {
        bar.done();
      }
      for (const p of result.problems)
        io.stderr.write(`${style.yellow('skipped:')} ${safeLine(p.path)} (${safeLine(p.problem)})\n`);
      const counts = { created: 0, appended: 0, unchanged: 0, diverged: 0 };
      for (const s of result.sessions) {
        counts[s.status]++;
        if (flags.json) io.stdout.write(jsonLine({ type: 'imported', ...s }));
        else if (s.status !== 'unchanged')
          io.stdout.write(`${s.status.padEnd(9)} ${s.id} ${style.dim(safeLine(s.sourceId))}\n`);
        if (s.status === 'diverged')
          io.stderr.write(
            `${style.yellow('left alone:')} ${safeLine(s.path)} holds items the ${flags.from} session does not\n`,
          );
      }
      io.stderr.write(
        `${result.sessions.length} session(s): ${counts.created} created, ${counts.appended} appended, ` +
          `${counts.unchanged} unchanged${counts.diverged ? `, ${counts.diverged} left alone` : ''}\n`,
      );
    });
}
