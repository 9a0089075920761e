import path from 'node:path';
import type { Command } from 'commander';
import { planRewind, rewindSession } from '../../sessions/rewind.js';
import type { Ctx } from '../context.js';
import { UsageError, existingHome } from '../context.js';
import { safeLine } from '../terminal-text.js';

/** The diff goes from the workspace to the snapshot: what the snapshot adds, the rewind creates. */
function verb(status: string): string {
  return status === 'added' ? 'create' : status === 'deleted' ? 'remove' : 'change';
}

export function registerRewind(program: Command, ctx: Ctx): void {
  program
    .command('rewind')
    .description("rewind the workspace to a message's snapshot and go on from that message in a fork")
    .argument('<session>', 'a session id or a unique id prefix (8+ hex digits)')
    .requiredOption('--to <message>', 'the message to go back to')
    .option('--workspace <dir>', 'the folder to rewind (default: the one the snapshot was taken of)')
    .option('--nearest', 'when the message has no snapshot, use the nearest earlier one')
    .option('--yes', 'do not ask')
    .option('--home <dir>', 'the home (default: $CODEX_HOME or ~/.codex)')
    .action(
      async (
        id: string,
        flags: { to: string; workspace?: string; nearest?: boolean; yes?: boolean; home?: string },
      ) => {
        const { io, style } = ctx;
        const home = existingHome(io, flags.home);
        if (!flags.yes && !io.stdinIsTTY) {
          throw new UsageError('rewind', 'refusing to rewind without --yes when not on a terminal');
        }
        const options = {
          home,
          toMessage: flags.to,
          nearest: flags.nearest === true,
          workspace: flags.workspace === undefined ? undefined : path.resolve(io.cwd, flags.workspace),
        };
        const plan = await planRewind(id, options);
        // What will change, for people: stderr, before the question.
        const lines = [
          `Rewinding ${safeLine(plan.workspace)} to the snapshot of message ${safeLine(plan.message)}` +
            ` (${plan.snapshot.commit.slice(0, 12)}) of session ${plan.sourceId}:`,
          ...(plan.changes.length === 0
            ? ['  no file differs']
            : plan.changes.map((c) => `  ${verb(c.status)} ${safeLine(c.path)}`)),
          `The conversation continues from that message in a new session (a fork); ` +
            `${plan.messagesDropped} later message${plan.messagesDropped === 1 ? '' : 's'} stay in the source only.`,
        ];
        if (plan.message !== flags.to) {
          lines.unshift(
            `${style.yellow('note:')} ${safeLine(flags.to)} has no snapshot; using the nearest earlier one`,
          );
        }
        io.stderr.write(`${lines.join('\n')}\n`);
        if (!flags.yes && !(await io.confirm('Rewind?'))) {
          io.stderr.write('nothing changed\n');
          return;
        }
        const r = await rewindSession(id, options);
        await r.recorder.close();
        io.stdout.write(
          `rewound ${safeLine(plan.workspace)}: ${r.workspace.written.length} written, ${r.workspace.removed.length} removed\n` +
            `continue with: codex resume ${r.session.id}\n` +
            'undo with: rollouts undo\n',
        );
      },
    );
}
