import type { Command } from 'commander';
import { forkSession } from '../../sessions/fork.js';
import type { Ctx } from '../context.js';
import { existingHome } from '../context.js';
import { jsonLine } from '../json-lines.js';
import { safeLine } from '../terminal-text.js';

export function registerFork(program: Command, ctx: Ctx): void {
  program
    .command('fork')
    .description('write a new session holding this one up to a message (codex resume <new id> resumes it)')
    .argument('<session>', 'a session id or a unique id prefix (8+ hex digits)')
    .option('--at <message>', 'the last message to keep (default: all of them)')
    .option('--json', 'print the new session as a JSON line')
    .option('--home <dir>', 'the home (default: $CODEX_HOME or ~/.codex)')
    .action(async (id: string, flags: { at?: string; json?: boolean; home?: string }) => {
      const { io } = ctx;
      const home = existingHome(io, flags.home);
      const r = await forkSession(id, { home, atMessage: flags.at });
      if (flags.json) {
        io.stdout.write(
          jsonLine({
            type: 'fork',
            id: r.id,
            path: r.path,
            forkedFrom: r.forkedFrom,
            atMessage: r.atMessage,
            messages: r.messages.length,
            snapshots: r.snapshots.length,
          }),
        );
        return;
      }
      io.stdout.write(
        `forked ${r.id} from ${r.forkedFrom}` +
          (r.atMessage === null ? '' : ` at ${safeLine(r.atMessage)}`) +
          ` (${r.messages.length} message${r.messages.length === 1 ? '' : 's'}, ${r.snapshots.length} snapshot link${r.snapshots.length === 1 ? '' : 's'})\n` +
          `${safeLine(r.path)}\n`,
      );
    });
}
