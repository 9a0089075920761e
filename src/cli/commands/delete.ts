import type { Command } from 'commander';
import { InvalidRolloutError } from '../../errors.js';
import { parseRolloutFileName } from '../../files/layout.js';
import { findSession } from '../../lister/find.js';
import { deleteSession } from '../../sessions/delete.js';
import type { Ctx } from '../context.js';
import { UsageError, existingHome } from '../context.js';
import { cutToWidth, safeLine } from '../terminal-text.js';

export function registerDelete(program: Command, ctx: Ctx): void {
  program
    .command('delete')
    .description("delete a session's rollout and its snapshots (asks first on a terminal)")
    .argument('<session>', 'a session id or a unique id prefix (8+ hex digits)')
    .option('--yes', 'do not ask')
    .option('--home <dir>', 'the home (default: $CODEX_HOME or ~/.codex)')
    .action(async (arg: string, flags: { yes?: boolean; home?: string }) => {
      const { io, style } = ctx;
      const home = existingHome(io, flags.home);
      if (!flags.yes) {
        if (!io.stdinIsTTY)
          throw new UsageError('delete', 'refusing to delete without --yes when not on a terminal');
        const { id, preview } = await describe(arg, home);
        const what = preview === null ? 'no preview' : cutToWidth(safeLine(preview), 60);
        if (!(await io.confirm(`Delete session ${id} (${what})?`))) {
          io.stderr.write('nothing deleted\n');
          return;
        }
      }
      const r = await deleteSession(arg, { home });
      const parts = [...r.files];
      if (r.snapshots.length > 0)
        parts.push(`${r.snapshots.length} snapshot${r.snapshots.length === 1 ? '' : 's'}`);
      if (r.indexEntries > 0) parts.push('its name');
      const list =
        parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}` : parts.join('');
      io.stdout.write(`${style.red('deleted')} ${list}\n`);
    });
}

/** The id and preview to ask about; a rollout that cannot be read has no preview. */
async function describe(arg: string, home: string): Promise<{ id: string; preview: string | null }> {
  try {
    const s = await findSession(arg, { home });
    return { id: s.id, preview: s.preview };
  } catch (error) {
    if (!(error instanceof InvalidRolloutError)) throw error;
    return { id: parseRolloutFileName(error.path)?.id ?? arg, preview: null };
  }
}
