import type { Command } from 'commander';
import { undoLastRewind } from '../../sessions/rewind.js';
import type { Ctx } from '../context.js';
import { existingHome } from '../context.js';
import { safeLine } from '../terminal-text.js';

export function registerUndo(program: Command, ctx: Ctx): void {
  program
    .command('undo')
    .description('undo the last "rollouts rewind": the workspace back as it was, the fork removed')
    .option('--home <dir>', 'the home (default: $CODEX_HOME or ~/.codex)')
    .action(async (flags: { home?: string }) => {
      const { io } = ctx;
      const r = await undoLastRewind({ home: existingHome(io, flags.home) });
      io.stdout.write(
        `put back ${safeLine(r.workspace)}: ${r.restored.written.length} written, ${r.restored.removed.length} removed\n` +
          (r.forkOutcome === 'deleted'
            ? `removed the fork ${r.fork}\n`
            : `archived the fork ${r.fork} (something was recorded in it after the rewind)\n`),
      );
    });
}
