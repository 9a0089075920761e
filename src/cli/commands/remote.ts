import path from 'node:path';
import type { Command } from 'commander';
import {
  clearArchiveRemote,
  clearArchiveRemotes,
  getRemoteDefaults,
  listArchiveRemotes,
  setArchiveRemote,
  setRemoteDefaults,
} from '../../snapshot/archive-remotes.js';
import type { ArchiveVisibility } from '../../snapshot/archive-remotes.js';
import { checkRemote } from '../../snapshot/push.js';
import { resolveHome } from '../../files/layout.js';
import type { Ctx } from '../context.js';
import { UsageError } from '../context.js';
import { columns, localTime } from '../format.js';
import { jsonLine } from '../json-lines.js';
import { safeLine } from '../terminal-text.js';

const HOME_HELP = 'the home holding the remotes (default: $CODEX_HOME or ~/.codex)';

/** `rollouts remote …`: the archive remote of each workspace, and the defaults for creating one. */
export function registerRemote(program: Command, ctx: Ctx): void {
  const { io, style } = ctx;
  const home = (flag: string | undefined): string => resolveHome(flag ?? io.env['CODEX_HOME']);
  const ws = (workspace: string | undefined): string => path.resolve(io.cwd, workspace ?? '.');

  const remote = program
    .command('remote')
    .description('the archive remote of each workspace, where push sends its snapshots');

  remote
    .command('set')
    .description("store a workspace's archive remote (push then uses it when --remote is not given)")
    .argument('[workspace]', 'the workspace folder (default: the current folder)')
    .requiredOption('--url <url>', 'the remote repository (a path, file://, ssh or https URL, host:path)')
    .option('--home <dir>', HOME_HELP)
    .action(async (workspace: string | undefined, flags: { url: string; home?: string }) => {
      const url = checkRemote(flags.url, io.cwd, 'remote set').url;
      const r = await setArchiveRemote(ws(workspace), url, { home: home(flags.home) });
      io.stdout.write(`${safeLine(r.workspace)} → ${safeLine(r.url)}\n`);
    });

  remote
    .command('clear')
    .description('forget the archive remote of a workspace, or of every workspace (snapshots stay)')
    .argument('[workspace]', 'the workspace folder (default: the current folder)')
    .option('--all', 'every workspace')
    .option('--home <dir>', HOME_HELP)
    .action(async (workspace: string | undefined, flags: { all?: boolean; home?: string }) => {
      if (flags.all && workspace !== undefined)
        throw new UsageError('remote clear', 'give a workspace or --all, not both');
      if (flags.all) {
        const gone = await clearArchiveRemotes({ home: home(flags.home) });
        io.stdout.write(`${gone.length} remote(s) cleared\n`);
        return;
      }
      const done = await clearArchiveRemote(ws(workspace), { home: home(flags.home) });
      if (done) io.stdout.write(`cleared the remote of ${safeLine(ws(workspace))}\n`);
      else io.stderr.write(`${safeLine(ws(workspace))} has no archive remote\n`);
    });

  remote
    .command('list')
    .description('the stored archive remotes')
    .option('--json', 'one JSON object per remote')
    .option('--home <dir>', HOME_HELP)
    .action(async (flags: { json?: boolean; home?: string }) => {
      const all = await listArchiveRemotes({ home: home(flags.home) });
      if (flags.json) {
        for (const r of all) io.stdout.write(jsonLine({ type: 'remote', ...r }));
        return;
      }
      if (all.length === 0) {
        io.stderr.write('no archive remotes\n');
        return;
      }
      const rows = all.map((r) => [
        safeLine(r.workspace),
        safeLine(r.url),
        localTime(r.setAt.toISOString()),
        r.created ? 'created' : 'set',
      ]);
      const table = columns([['WORKSPACE', 'REMOTE', 'SET', 'HOW'], ...rows]).split('\n');
      io.stdout.write(`${style.bold(table[0]!)}\n${table.slice(1).join('\n')}\n`);
    });

  const defaults = remote
    .command('defaults')
    .description('the owner, name prefix and visibility of repositories push --create-remote creates');

  defaults
    .command('set')
    .description('set the defaults (creates no repository)')
    .requiredOption('--owner <owner>', 'the GitHub user or organization')
    .option('--prefix <prefix>', 'prefix of repository names', '')
    .option('--visibility <v>', 'private, public or internal', 'private')
    .option('--home <dir>', HOME_HELP)
    .action(async (flags: { owner: string; prefix: string; visibility: string; home?: string }) => {
      const d = await setRemoteDefaults(
        { owner: flags.owner, prefix: flags.prefix, visibility: flags.visibility as ArchiveVisibility },
        { home: home(flags.home) },
      );
      io.stdout.write(`owner ${d.owner}, prefix "${d.prefix}", ${d.visibility}\n`);
    });

  defaults
    .command('show')
    .description('print the defaults')
    .option('--json', 'as a JSON object')
    .option('--home <dir>', HOME_HELP)
    .action(async (flags: { json?: boolean; home?: string }) => {
      const d = await getRemoteDefaults({ home: home(flags.home) });
      if (flags.json) {
        io.stdout.write(jsonLine({ type: 'remote-defaults', ...(d ?? {}) }));
        return;
      }
      if (d === undefined) io.stderr.write('no defaults set (rollouts remote defaults set --owner OWNER)\n');
      else io.stdout.write(`owner ${d.owner}, prefix "${d.prefix}", ${d.visibility}\n`);
    });
}
