import type { Command } from 'commander';
import { archiveSession, unarchiveSession } from '../../sessions/archive.js';
import type { Ctx } from '../context.js';
import { existingHome } from '../context.js';

export function registerArchive(program: Command, ctx: Ctx): void {
  for (const [name, fn, what] of [
    ['archive', archiveSession, 'move a session to archived_sessions/ (kept, hidden from ls)'],
    ['unarchive', unarchiveSession, 'move an archived session back to its date folder'],
  ] as const) {
    program
      .command(name)
      .description(what)
      .argument('<session>', 'a session id or a unique id prefix (8+ hex digits)')
      .option('--home <dir>', 'the home (default: $CODEX_HOME or ~/.codex)')
      .action(async (id: string, flags: { home?: string }) => {
        const to = await fn(id, { home: existingHome(ctx.io, flags.home) });
        ctx.io.stdout.write(`${to}\n`);
      });
  }
}
