import type { Command } from 'commander';
import { startViewer } from '../../viewer/server.js';
import type { Ctx } from '../context.js';
import { UsageError, existingHome, intOption } from '../context.js';
import { safeLine } from '../terminal-text.js';

export function registerView(program: Command, ctx: Ctx): void {
  program
    .command('view')
    .description('browse sessions in a web browser: a local viewer on 127.0.0.1, until Ctrl-C')
    .option('--port <n>', 'the port on 127.0.0.1 (default: a free one)')
    .option('--home <dir>', 'the home to show (default: $CODEX_HOME or ~/.codex)')
    .addHelpText(
      'after',
      '\nThe URL printed holds a random token: only someone who has it can read the pages (anything else gets 403).',
    )
    .action(async (flags: { port?: string; home?: string }) => {
      const { io } = ctx;
      const port = intOption('view', '--port', flags.port, 0) ?? 0;
      if (port > 65535) throw new UsageError('view', '--port takes a whole number from 0 to 65535');
      const home = existingHome(io, flags.home);
      const viewer = await startViewer({ home, port });
      io.stdout.write(`${viewer.url}\n`);
      io.stderr.write(`showing ${safeLine(home)}; open the URL above (Ctrl-C stops)\n`);
      try {
        if (io.untilInterrupted) await io.untilInterrupted();
      } finally {
        await viewer.close();
      }
      io.stderr.write('viewer stopped\n');
    });
}
