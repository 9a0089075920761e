import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { isRolloutError } from '../../errors.js';
import { iterateSessions } from '../../lister/list.js';
import type { RolloutItem, RolloutLine, SessionMetaPayload } from '../../format/types.js';
import { itemOf } from '../../format/types.js';
import { streamRollout } from '../../reader/stream.js';
import { toChat } from '../chat.js';
import type { Ctx } from '../context.js';
import { dateOption, existingHome } from '../context.js';
import { progress } from '../io.js';

interface ExportFlags {
  out: string;
  home?: string;
  since?: string;
  format: 'envelope' | 'chat';
}

export function registerExport(program: Command, ctx: Ctx): void {
  program
    .command('export')
    .description('write every session as one JSON object per line (JSONL), streaming')
    .requiredOption('--out <file>', 'the file to write (- for standard output)')
    .option('--home <dir>', 'the home to export (default: $CODEX_HOME or ~/.codex)')
    .option('--since <date>', 'only sessions created at or after (2026-11-21, 7d, …)')
    .addOption(
      new Option('--format <format>', 'envelope: the raw lines; chat: OpenAI chat messages with tool calls')
        .choices(['envelope', 'chat'])
        .default('envelope'),
    )
    .action(async (flags: ExportFlags) => {
      const { io } = ctx;
      const since = dateOption('export', '--since', flags.since, io.now());
      const toStdout = flags.out === '-';
      const out = toStdout ? undefined : createWriteStream(path.resolve(io.cwd, flags.out), { mode: 0o600 });
      const write = async (text: string): Promise<void> => {
        if (!out) {
          io.stdout.write(text);
          return;
        }
        if (!out.write(text)) await once(out, 'drain');
      };
      const bar = progress(io);
      let count = 0;
      let skipped = 0;
      const exportedAt = io.now().toISOString();
      try {
        for await (const s of iterateSessions({
          home: existingHome(io, flags.home),
          since,
          includeEmpty: true,
          onSkip: () => skipped++,
        })) {
          let meta: SessionMetaPayload | undefined;
          const lines: RolloutLine[] = [];
          const items: RolloutItem[] = [];
          try {
            for await (const line of streamRollout(s.path)) {
              if (meta === undefined && line.type === 'session_meta') meta = line.payload;
              else if (flags.format === 'chat') items.push(itemOf(line));
              if (flags.format === 'envelope') lines.push(line);
            }
          } catch (error) {
            // A file that changed into a non-rollout since it was listed: skipped, said, not fatal.
            if (!isRolloutError(error)) throw error;
            skipped++;
            io.stderr.write(`warning: ${error.message}\n`);
            continue;
          }
          const record =
            flags.format === 'envelope'
              ? { session_id: s.id, exported_at: exportedAt, meta, lines }
              : {
                  session_id: s.id,
                  exported_at: exportedAt,
                  meta,
                  messages: toChat(items, meta?.base_instructions?.text),
                };
          await write(`${JSON.stringify(record)}\n`);
          count++;
          bar.update(`exported ${count} sessions`);
        }
      } finally {
        bar.done();
        if (out) {
          out.end();
          await once(out, 'close');
        }
      }
      io.stderr.write(
        `${count} session${count === 1 ? '' : 's'} exported${toStdout ? '' : ` to ${flags.out}`}${skipped ? ` (${skipped} unreadable files skipped)` : ''}\n`,
      );
    });
}
