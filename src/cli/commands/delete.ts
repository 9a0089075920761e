import { existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { SessionLockedError } from '../../errors.js';
import type { WorkspaceSnapshotPayload } from '../../format/types.js';
import { homePaths } from '../../files/layout.js';
import { findSession } from '../../lister/find.js';
import { readRollout } from '../../reader/read.js';
import { isSessionLocked } from '../../files/session-lock.js';
import { SnapshotStore } from '../../snapshot/snapshot-store.js';
import { resolveWorkspace, workspaceKey } from '../../snapshot/workspace.js';
import type { Ctx } from '../context.js';
import { UsageError, existingHome } from '../context.js';

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
      const session = await findSession(arg, { home });
      if (isSessionLocked(home, session.id))
        throw new SessionLockedError(session.id, homePaths.lock(home, session.id));
      if (!flags.yes) {
        if (!io.stdinIsTTY)
          throw new UsageError('delete', 'refusing to delete without --yes when not on a terminal');
        const ok = await io.confirm(
          `Delete session ${session.id} (${session.preview?.slice(0, 60) ?? 'no preview'})?`,
        );
        if (!ok) {
          io.stderr.write('nothing deleted\n');
          return;
        }
      }
      // Snapshots first: a failure then leaves the rollout, which still names them.
      const workspaces = new Set<string>();
      try {
        const read = await readRollout(session.path);
        for (const s of read.snapshots as WorkspaceSnapshotPayload[]) workspaces.add(s.workspace);
      } catch {
        // An unreadable rollout names no snapshots; the session's folder may still have some.
      }
      if (session.cwd) workspaces.add(session.cwd);
      let removedSnapshots = 0;
      for (const workspace of workspaces) {
        if (!existsSync(workspace)) continue;
        // Open only stores that exist: opening creates one.
        const key = workspaceKey((await resolveWorkspace(workspace)).root);
        if (!existsSync(path.join(homePaths.snapshots(home), key))) continue;
        const store = await SnapshotStore.open({ workspace, home });
        removedSnapshots += (await store.delete({ sessionId: session.id })).deleted.length;
      }
      await unlink(session.path);
      io.stdout.write(
        `${style.red('deleted')} ${session.path}${removedSnapshots ? ` and ${removedSnapshots} snapshot${removedSnapshots === 1 ? '' : 's'}` : ''}\n`,
      );
    });
}
