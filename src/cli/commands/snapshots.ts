import path from 'node:path';
import type { Command } from 'commander';
import { SessionNotFoundError, SnapshotStoreNotFoundError } from '../../errors.js';
import { resolveHome } from '../../files/layout.js';
import { homeOfRollout, locateSessions, pickOne } from '../../files/locate.js';
import { isUuid } from '../../format/ids.js';
import { SnapshotStore } from '../../snapshot/snapshot-store.js';
import { pushArchives } from '../../snapshot/archive-push.js';
import type { ArchivePushResult } from '../../snapshot/archive-push.js';
import { checkRemote, restoreFromRemote } from '../../snapshot/push.js';
import { listSessionSnapshots, recordSnapshotLink } from '../../sessions/snapshots.js';
import type { Ctx } from '../context.js';
import { CliError, UsageError, existingHome } from '../context.js';
import { columns, cut, localTime } from '../format.js';
import type { Style } from '../io.js';
import { progress } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { writeRedactions } from '../redactions.js';
import { safeLine, safeText } from '../terminal-text.js';

interface StoreFlags {
  home?: string;
  session?: string;
  message?: string;
}

/**
 * The store of the workspace named on the command line (default: the current folder). Commands
 * that only read open it with `create: false`: undefined when the workspace has none (no snapshots).
 */
async function openStore(
  ctx: Ctx,
  workspace: string | undefined,
  home: string,
  create: boolean,
): Promise<SnapshotStore | undefined> {
  try {
    return await SnapshotStore.open({ workspace: path.resolve(ctx.io.cwd, workspace ?? '.'), home, create });
  } catch (error) {
    if (error instanceof SnapshotStoreNotFoundError) return undefined;
    throw error;
  }
}

/** What a read-only command says of a workspace without a store. */
const noStore = (ctx: Ctx, workspace: string | undefined): string =>
  `no snapshots of ${safeLine(path.resolve(ctx.io.cwd, workspace ?? '.'))}`;

/**
 * The session `--session` names, as every command resolves one: a full id or a unique prefix of
 * the home's sessions (by file name only). With `allowNew`, a full UUID naming no session of the
 * home is taken as it is (a session not recorded yet).
 */
async function sessionOf(command: string, home: string, query: string, allowNew: boolean): Promise<string> {
  if (allowNew && !isUuid(query.trim())) {
    throw new UsageError(
      command,
      `--new-session needs --session to be a full session id (a UUID), not "${safeLine(query)}"`,
    );
  }
  try {
    return pickOne(query, home, (await locateSessions(home, query, {})).matches).id;
  } catch (error) {
    if (allowNew && error instanceof SessionNotFoundError) return query.trim().toLowerCase();
    throw error;
  }
}

/**
 * The transcript lines of the snapshots of a session that only a store links (taken while a writer
 * held the session), for `show`; none when the rollout lies outside a home or a store cannot be read.
 */
export async function storeOnlySnapshotLines(id: string, file: string, style: Style): Promise<string[]> {
  const home = homeOfRollout(file);
  if (home === undefined) return [];
  try {
    return (await listSessionSnapshots(id, { home }))
      .filter((s) => !s.inRollout)
      .flatMap((s) => [
        `  ${style.cyan('snapshot')} of message ${safeLine(s.messageId)}: commit ${s.commit.slice(0, 12)} ${style.dim(`(store ${safeLine(s.store)}, not in the rollout)`)}`,
        '',
      ]);
  } catch {
    return [];
  }
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
    .option(
      '--new-session',
      'allow a session that is not in the home yet (--session must then be a full UUID)',
    )
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
        flags: StoreFlags & {
          metadata?: string;
          replace?: boolean;
          include?: string[];
          exclude?: string[];
          newSession?: boolean;
        },
      ) => {
        need('snapshot', flags, 'session', 'message');
        const home = resolveHome(flags.home ?? io.env['CODEX_HOME']);
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
        const sessionId = await sessionOf('snapshot', home, flags.session!, flags.newSession ?? false);
        const bar = progress(io);
        bar.update('capturing the workspace…');
        try {
          const store = (await openStore(ctx, workspace, home, true))!;
          const snap = await store.capture({
            sessionId,
            messageId: flags.message!,
            metadata,
            replace: flags.replace ?? false,
            include: flags.include,
            exclude: flags.exclude,
          });
          // The rollout links it too when no writer holds the session; else the store's ref is the link.
          const linked = await recordSnapshotLink(home, sessionId, {
            messageId: snap.messageId,
            commit: snap.commit,
            tree: snap.tree,
            workspace: store.workspace,
            store: store.path,
          }).catch((error: unknown) => {
            if (error instanceof SessionNotFoundError) return false;
            throw error;
          });
          bar.done();
          io.stdout.write(`${snap.commit}\n`);
          if (!linked && !flags.newSession)
            io.stderr.write(
              'not linked in the rollout (a writer holds the session); the store keeps the link\n',
            );
          for (const s of snap.skipped)
            io.stderr.write(`${style.yellow('skipped:')} ${safeLine(s.path)} (${safeLine(s.reason)})\n`);
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
      const home = existingHome(io, flags.home);
      const sessionId =
        flags.session === undefined ? undefined : await sessionOf('snapshots', home, flags.session, false);
      const store = await openStore(ctx, workspace, home, false);
      if (store === undefined) {
        io.stderr.write(`${noStore(ctx, workspace)}\n`);
        return;
      }
      const all = await store.list(sessionId ? { sessionId } : {});
      if (flags.json) {
        for (const s of all) io.stdout.write(jsonLine(s));
        return;
      }
      if (all.length === 0) {
        io.stderr.write(
          `no snapshots of ${safeLine(store.workspace)}${sessionId ? ` in session ${safeLine(sessionId)}` : ''}\n`,
        );
        return;
      }
      const rows = all.map((s) => [
        localTime(s.capturedAt),
        s.commit.slice(0, 12),
        cut(safeLine(s.sessionId), 36),
        cut(safeLine(s.messageId), 40),
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
    .option(
      '--repo <url>',
      'restore from an archive remote (what push made) instead of a local store; needs --dest',
    )
    .option('--home <dir>', 'the home holding the stores (default: $CODEX_HOME or ~/.codex)')
    .action(
      async (
        workspace: string | undefined,
        flags: StoreFlags & { dest?: string; inPlace?: boolean; repo?: string },
      ) => {
        need('restore', flags, 'session', 'message');
        if ((flags.dest === undefined) === (flags.inPlace !== true)) {
          throw new UsageError('restore', 'give exactly one of --dest DIR and --in-place');
        }
        if (flags.repo !== undefined) {
          if (flags.inPlace) throw new UsageError('restore', '--repo and --in-place cannot be combined');
          if (workspace !== undefined)
            throw new UsageError('restore', 'give a workspace or --repo, not both');
          const bar = progress(io);
          bar.update('fetching…');
          try {
            // The ids are the remote's own: the session need not be in this home.
            const r = await restoreFromRemote(
              flags.repo,
              { sessionId: flags.session!, messageId: flags.message! },
              flags.dest!,
              undefined,
              io.cwd,
            );
            bar.done();
            io.stdout.write(`restored ${r.commit.slice(0, 12)} into ${safeLine(r.dest)}\n`);
          } finally {
            bar.done();
          }
          return;
        }
        const home = existingHome(io, flags.home);
        const sessionId = await sessionOf('restore', home, flags.session!, false);
        const store = await openStore(ctx, workspace, home, false);
        if (store === undefined) throw new CliError(noStore(ctx, workspace));
        const ref = { sessionId, messageId: flags.message! };
        const bar = progress(io);
        bar.update('restoring…');
        try {
          if (flags.dest !== undefined) {
            const r = await store.restore(ref, { dest: path.resolve(io.cwd, flags.dest) });
            bar.done();
            io.stdout.write(`restored ${r.commit.slice(0, 12)} into ${safeLine(r.dest)}\n`);
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
              `rewound ${safeLine(store.workspace)} to ${r.commit.slice(0, 12)}: ${r.written.length} written, ${r.removed.length} removed\n` +
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
        const home = existingHome(io, flags.home);
        const sessionId = await sessionOf('diff', home, flags.session!, false);
        const store = await openStore(ctx, workspace, home, false);
        if (store === undefined) throw new CliError(noStore(ctx, workspace));
        const side = (m: string) => ({ sessionId, messageId: m });
        const d = await store.diff(side(flags.from), flags.to === undefined ? 'workspace' : side(flags.to), {
          patch: !flags.stat,
        });
        if (d.files.length === 0) {
          io.stderr.write('no changes\n');
          return;
        }
        for (const f of d.files) {
          const counts = f.binary ? 'binary' : `+${f.additions ?? 0} -${f.deletions ?? 0}`;
          const name = safeLine(f.oldPath ? `${f.oldPath} → ${f.path}` : f.path);
          io.stdout.write(`${f.status.padEnd(12)} ${counts.padEnd(12)} ${name}\n`);
        }
        if (!flags.stat && d.patch) io.stdout.write(`\n${safeText(d.patch, { multiline: true })}`);
      },
    );

  program
    .command('push')
    .description(
      "push snapshots to an archive remote as annotated tags (the workspace's stored remote unless --remote; tags already there are skipped)",
    )
    .argument('[workspace]', 'the workspace folder (default: the current folder)')
    .option('--remote <url>', 'the remote repository (a path, file://, ssh or https URL); not stored')
    .option('--all', 'every workspace with a stored remote')
    .option(
      '--create-remote',
      'create a GitHub repository with gh for a workspace without a stored remote, and store it',
    )
    .option('--session <id>', 'only this session')
    .option(
      '--no-redact',
      'push the exact commits, even where a file, its metadata or an earlier snapshot holds a secret (by default such a snapshot goes as a copy with [REDACTED:<kind>] markers)',
    )
    .option('--home <dir>', 'the home holding the stores (default: $CODEX_HOME or ~/.codex)')
    .action(
      async (
        workspace: string | undefined,
        flags: StoreFlags & { remote?: string; all?: boolean; createRemote?: boolean; redact?: boolean },
      ) => {
        if (flags.all && workspace !== undefined)
          throw new UsageError('push', 'give a workspace or --all, not both');
        if (flags.all && flags.session !== undefined)
          throw new UsageError('push', '--all and --session cannot be combined');
        if (flags.all && flags.remote !== undefined)
          throw new UsageError('push', '--all and --remote cannot be combined (each workspace has its own)');
        if (flags.remote !== undefined && flags.createRemote)
          throw new UsageError('push', '--remote and --create-remote cannot be combined');
        const home = existingHome(io, flags.home);
        const sessionId =
          flags.session === undefined ? undefined : await sessionOf('push', home, flags.session, false);
        const bar = progress(io);
        bar.update('pushing…');
        let results: ArchivePushResult[];
        try {
          results = await pushArchives({
            home,
            ...(flags.all ? { all: true } : { workspace: path.resolve(io.cwd, workspace ?? '.') }),
            ...(flags.remote === undefined ? {} : { remote: checkRemote(flags.remote, io.cwd, 'push').url }),
            createRemote: flags.createRemote ?? false,
            ...(sessionId ? { sessionId } : {}),
            redact: flags.redact !== false,
            env: io.env,
          });
        } finally {
          bar.done();
        }
        if (flags.all && results.length === 0)
          io.stderr.write('no workspace has an archive remote; nothing pushed\n');
        let failed = 0;
        for (const r of results) {
          const where = flags.all ? `${safeLine(r.workspace)}: ` : '';
          if (r.error !== undefined) {
            failed++;
            io.stderr.write(`${style.red('error:')} ${where}${safeLine(r.error.message)}\n`);
          } else if (r.noStore) {
            io.stderr.write(`${where}${noStore(ctx, r.workspace)}; nothing pushed\n`);
          } else {
            if (r.created) io.stderr.write(`${where}created ${safeLine(r.url ?? '')}\n`);
            io.stdout.write(`${where}${r.pushed.length} pushed, ${r.skipped.length} already on the remote\n`);
            writeRedactions(io, style, where, r.redactions);
          }
        }
        if (failed > 0) ctx.exitCode = 1;
      },
    );
}
