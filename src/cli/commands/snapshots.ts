import path from 'node:path';
import type { Command } from 'commander';
import { SnapshotStore } from '../../snapshot/snapshot-store.js';
import type { Ctx } from '../context.js';
import { UsageError } from '../context.js';
import { columns, cut, localTime } from '../format.js';
import { progress } from '../io.js';

interface StoreFlags {
  home?: string;
  session?: string;
  message?: string;
}

/** The store of the workspace named on the command line (default: the current folder). */
async function openStore(ctx: Ctx, workspace: string | undefined, flags: StoreFlags): Promise<SnapshotStore> {
  return SnapshotStore.open({
    workspace: path.resolve(ctx.io.cwd, workspace ?? '.'),
    home: flags.home ?? ctx.io.env['CODEX_HOME'],
  });
}

/** Commander's accumulator of a repeatable option. */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function need(command: string, flags: StoreFlags, ...names: ('session' | 'message')[]): void {
  for (const n of names) if (!flags[n]) throw new UsageError(command, `--${n} is required`);
}

export function registerSnapshots(program: Command, ctx: Ctx): void {
  const { io, style } = ctx;

  program
    .command('snapshot')
    .description(
      'capture the workspace as the snapshot of one message (the hook entry point); prints the commit',
    )
    .argument('[workspace]', 'the workspace folder (default: the current folder)')
    .option('--session <id>', 'the session id')
    .option('--message <id>', 'the message id')
    .option('--metadata <json>', 'a JSON object stored with the snapshot')
    .option('--replace', 'take the snapshot again if this message has one')
    .option(
      '--include <glob>',
      'capture only paths matching the glob (relative to the workspace; a folder covers its files; repeatable)',
      collect,
    )
    .option(
      '--exclude <glob>',
      'leave out paths matching the glob (wins over --include; repeatable)',
      collect,
    )
    .option('--home <dir>', 'the home holding the stores (default: $CODEX_HOME or ~/.codex)')
    .action(
      async (
        workspace: string | undefined,
        flags: StoreFlags & { metadata?: string; replace?: boolean; include?: string[]; exclude?: string[] },
      ) => {
        need('snapshot', flags, 'session', 'message');
        let metadata: Record<string, unknown> | undefined;
        if (flags.metadata !== undefined) {
          try {
            metadata = JSON.parse(flags.metadata) as Record<string, unknown>;
          } catch (error) {
            throw new UsageError('snapshot', `--metadata is not valid JSON (${(error as Error).message})`);
          }
          if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
            throw new UsageError('snapshot', '--metadata must be a JSON object');
          }
        }
        const bar = progress(io);
        bar.update('capturing the workspace…');
        try {
          const store = await openStore(ctx, workspace, flags);
          const snap = await store.capture({
            sessionId: flags.session!,
            messageId: flags.message!,
            metadata,
            replace: flags.replace ?? false,
            include: flags.include,
            exclude: flags.exclude,
          });
          bar.done();
          io.stdout.write(`${snap.commit}\n`);
          for (const s of snap.skipped)
            io.stderr.write(`${style.yellow('skipped:')} ${s.path} (${s.reason})\n`);
        } finally {
          bar.done();
        }
      },
    );

  program
    .command('snapshots')
    .description("list a workspace's snapshots, oldest first")
    .argument('[workspace]', 'the workspace folder (default: the current folder)')
    .option('--session <id>', 'only this session')
    .option('--json', 'one JSON object per snapshot')
    .option('--home <dir>', 'the home holding the stores (default: $CODEX_HOME or ~/.codex)')
    .action(async (workspace: string | undefined, flags: StoreFlags & { json?: boolean }) => {
      const store = await openStore(ctx, workspace, flags);
      const all = await store.list(flags.session ? { sessionId: flags.session } : {});
      if (flags.json) {
        for (const s of all) io.stdout.write(`${JSON.stringify(s)}\n`);
        return;
      }
      if (all.length === 0) {
        io.stderr.write(
          `no snapshots of ${store.workspace}${flags.session ? ` in session ${flags.session}` : ''}\n`,
        );
        return;
      }
      const rows = all.map((s) => [
        localTime(s.capturedAt),
        s.commit.slice(0, 12),
        cut(s.sessionId, 36),
        cut(s.messageId, 40),
      ]);
      const table = columns([['CAPTURED', 'COMMIT', 'SESSION', 'MESSAGE'], ...rows]).split('\n');
      io.stdout.write(`${style.bold(table[0]!)}\n${table.slice(1).join('\n')}\n`);
    });

  program
    .command('restore')
    .description('write a snapshot into a new folder, or rewind the workspace to it')
    .argument('[workspace]', 'the workspace folder (default: the current folder)')
    .option('--session <id>', 'the session id')
    .option('--message <id>', 'the message id')
    .option('--dest <dir>', 'a new folder to write the snapshot into')
    .option(
      '--in-place',
      'rewind the workspace itself (everything it replaces is backed up first; restoring the backup undoes it)',
    )
    .option('--home <dir>', 'the home holding the stores (default: $CODEX_HOME or ~/.codex)')
    .action(
      async (workspace: string | undefined, flags: StoreFlags & { dest?: string; inPlace?: boolean }) => {
        need('restore', flags, 'session', 'message');
        if ((flags.dest === undefined) === (flags.inPlace !== true)) {
          throw new UsageError('restore', 'give exactly one of --dest DIR and --in-place');
        }
        const store = await openStore(ctx, workspace, flags);
        const ref = { sessionId: flags.session!, messageId: flags.message! };
        const bar = progress(io);
        bar.update('restoring…');
        try {
          if (flags.dest !== undefined) {
            const r = await store.restore(ref, { dest: path.resolve(io.cwd, flags.dest) });
            bar.done();
            io.stdout.write(`restored ${r.commit.slice(0, 12)} into ${r.dest}\n`);
          } else {
            const pending = await store.interruptedRewind();
            if (pending !== undefined) {
              io.stderr.write(
                `${style.yellow('warning:')} an earlier rewind of this workspace was interrupted; ` +
                  `the state before it is restored by: ${pending.undo}\n`,
              );
            }
            const r = await store.restore(ref, { inPlace: true });
            bar.done();
            // The undo command is quoted and has its control characters escaped by the library.
            io.stdout.write(
              `rewound ${store.workspace} to ${r.commit.slice(0, 12)}: ${r.written.length} written, ${r.removed.length} removed\n` +
                `undo: ${r.undo}\n`,
            );
            if (r.protectedPaths.length > 0) {
              io.stderr.write(`left alone (in the home): ${r.protectedPaths.length} path(s)\n`);
            }
          }
        } finally {
          bar.done();
        }
      },
    );

  program
    .command('diff')
    .description('what changed between two snapshots, or between a snapshot and the workspace now')
    .argument('[workspace]', 'the workspace folder (default: the current folder)')
    .option('--session <id>', 'the session id')
    .requiredOption('--from <message>', 'the message whose snapshot is the old side')
    .option('--to <message>', 'the message whose snapshot is the new side (default: the workspace now)')
    .option('--stat', 'paths with line counts only, no patch')
    .option('--home <dir>', 'the home holding the stores (default: $CODEX_HOME or ~/.codex)')
    .action(
      async (
        workspace: string | undefined,
        flags: StoreFlags & { from: string; to?: string; stat?: boolean },
      ) => {
        need('diff', flags, 'session');
        const store = await openStore(ctx, workspace, flags);
        const side = (m: string) => ({ sessionId: flags.session!, messageId: m });
        const d = await store.diff(side(flags.from), flags.to === undefined ? 'workspace' : side(flags.to), {
          patch: !flags.stat,
        });
        if (d.files.length === 0) {
          io.stderr.write('no changes\n');
          return;
        }
        for (const f of d.files) {
          const counts = f.binary ? 'binary' : `+${f.additions ?? 0} -${f.deletions ?? 0}`;
          const name = f.oldPath ? `${f.oldPath} → ${f.path}` : f.path;
          io.stdout.write(`${f.status.padEnd(12)} ${counts.padEnd(12)} ${name}\n`);
        }
        if (!flags.stat && d.patch) io.stdout.write(`\n${d.patch}`);
      },
    );

  program
    .command('push')
    .description('push snapshots to an archive remote as annotated tags (tags already there are skipped)')
    .argument('[workspace]', 'the workspace folder (default: the current folder)')
    .requiredOption('--remote <url>', 'the remote repository (a path, file://, ssh or https URL)')
    .option('--session <id>', 'only this session')
    .option('--home <dir>', 'the home holding the stores (default: $CODEX_HOME or ~/.codex)')
    .action(async (workspace: string | undefined, flags: StoreFlags & { remote: string }) => {
      const store = await openStore(ctx, workspace, flags);
      const bar = progress(io);
      bar.update(`pushing to ${flags.remote}…`);
      try {
        const r = await store.push(flags.remote, flags.session ? { sessionId: flags.session } : {});
        bar.done();
        io.stdout.write(`${r.pushed.length} pushed, ${r.skipped.length} already on the remote\n`);
      } finally {
        bar.done();
      }
    });
}
