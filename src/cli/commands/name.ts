import type { Command } from 'commander';
import { setSessionName } from '../../sessions/name.js';
import type { Ctx } from '../context.js';
import { existingHome } from '../context.js';
import { safeText } from '../terminal-text.js';

export function registerName(program: Command, ctx: Ctx): void {
  program
    .command('name')
    .description('name a session as the Codex CLI does (codex resume and ls show it)')
    .argument('<session>', 'a session id or a unique id prefix (8+ hex digits)')
    .argument('<name>', 'the name (white space around it is trimmed)')
    .option('--home <dir>', 'the home (default: $CODEX_HOME or ~/.codex)')
    .action(async (id: string, name: string, flags: { home?: string }) => {
      const r = await setSessionName(id, name, { home: existingHome(ctx.io, flags.home) });
      ctx.io.stdout.write(`named ${r.id} "${safeText(r.name)}"\n`);
    });
}
