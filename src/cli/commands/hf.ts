import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { pushDatasetToHub } from '../../dataset/hub-push.js';
import type { Ctx } from '../context.js';
import { CliError, collect, dateRange, existingHome } from '../context.js';
import { resolveHubToken } from '../hub-token.js';
import { progress } from '../io.js';
import { writeRedactions } from '../redactions.js';
import { safeLine } from '../terminal-text.js';

interface HfPushFlags {
  name: string;
  private?: boolean;
  format: 'openai' | 'trl' | 'envelope';
  home?: string;
  since?: string;
  until?: string;
  search?: string;
  cwd?: string[];
  archived?: boolean;
  redact: boolean;
  diffs?: boolean;
  remote?: string;
  hubUrl?: string;
}

export function registerHf(program: Command, ctx: Ctx): void {
  const hf = program.command('hf').description('Hugging Face datasets of your sessions');
  hf.command('push')
    .description(
      'append new or changed sessions to a Hugging Face dataset (train.jsonl) as a new batch, with its card',
    )
    .requiredOption('--name <[ns/]dataset>', 'the dataset; without a namespace, the token owner’s')
    .option('--private', 'create the dataset private (default: public; an existing one keeps its visibility)')
    .addOption(
      new Option('--format <format>', 'the format of each row’s session')
        .choices(['openai', 'trl', 'envelope'])
        .default('openai'),
    )
    .option('--home <dir>', 'the home to push (default: $CODEX_HOME or ~/.codex)')
    .option('--since <date>', 'only sessions created at or after')
    .option('--until <date>', 'only sessions created at or before')
    .option(
      '--search <text>',
      'only sessions with this text (any case) in a user or assistant message, or the name',
    )
    .option('--cwd <dir>', 'only sessions whose working folder is this one (repeatable)', collect)
    .option('--archived', 'push archived sessions instead of live ones')
    .option(
      '--no-redact',
      'keep secrets: in the rows, and in the snapshots pushed first (by default each is replaced by [REDACTED:<kind>])',
    )
    .option('--diffs', 'give each snapshotted turn the patch it made')
    .option('--remote <url>', 'the archive remote the snapshots are pushed to first (rows name it)')
    .option('--hub-url <url>', 'the Hub (default: $HF_ENDPOINT, else https://huggingface.co)')
    .addHelpText(
      'after',
      '\nThe token: $HF_TOKEN, else the one `hf auth login` saved (~/.cache/huggingface/token).',
    )
    .action(async (flags: HfPushFlags) => {
      const { io } = ctx;
      const { since, until } = dateRange('hf push', flags, io.now());
      const home = existingHome(io, flags.home);
      const accessToken = await resolveHubToken(io.env);
      if (accessToken === undefined)
        throw new CliError('no Hugging Face token: set HF_TOKEN or run `hf auth login`');
      const hubUrl = flags.hubUrl ?? io.env['HF_ENDPOINT'];
      const bar = progress(io);
      bar.update('exporting sessions');
      let r;
      try {
        r = await pushDatasetToHub({
          home,
          name: flags.name,
          accessToken,
          ...(hubUrl ? { hubUrl } : {}),
          private: flags.private ?? false,
          format: flags.format,
          since,
          until,
          search: flags.search,
          cwd: flags.cwd?.map((c) => path.resolve(io.cwd, c)),
          archived: flags.archived ?? false,
          redact: flags.redact,
          diffs: flags.diffs ?? false,
          ...(flags.remote !== undefined ? { remote: flags.remote } : {}),
          exportedAt: io.now(),
          onWarning: (w) => {
            io.stderr.write(
              `warning: ${w.sessionId === null ? '' : `session ${safeLine(w.sessionId)}: `}${safeLine(w.message)}\n`,
            );
          },
        });
      } finally {
        bar.done();
      }
      writeRedactions(io, ctx.style, '', r.redactions);
      io.stdout.write(
        r.batchId === null
          ? `${safeLine(r.repo)}: nothing new in ${r.sessions} sessions; no batch added (${r.totalRows} rows)\n`
          : `${safeLine(r.repo)}: batch ${r.batchId} added, ${r.appended} row${r.appended === 1 ? '' : 's'} (${r.totalRows} in train.jsonl)${r.created ? ', dataset created' : ''}\n`,
      );
    });
}
