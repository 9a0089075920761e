import type { Command } from 'commander';
import fg from 'fast-glob';
import { validateRollout } from '../../reader/validate.js';
import type { Ctx } from '../context.js';
import { existingHome } from '../context.js';
import { progress } from '../io.js';

export function registerValidate(program: Command, ctx: Ctx): void {
  program
    .command('validate')
    .description('check rollout files against the format; prints every problem as file:line: message')
    .argument('[files...]', 'rollout files (default: every rollout in the home)')
    .option('--home <dir>', 'the home to check when no files are given (default: $CODEX_HOME or ~/.codex)')
    .action(async (files: string[], opts: { home?: string }) => {
      const { io, style } = ctx;
      let targets = files;
      if (targets.length === 0) {
        const home = existingHome(io, opts.home);
        targets = await fg(
          ['sessions/**/rollout-*.jsonl?(.zst)', 'archived_sessions/rollout-*.jsonl?(.zst)'],
          {
            cwd: home,
            absolute: true,
            onlyFiles: true,
            followSymbolicLinks: false,
            suppressErrors: true,
          },
        );
        targets.sort();
        if (targets.length === 0) {
          io.stderr.write(`no rollouts under ${home}\n`);
          return;
        }
      }
      const bar = progress(io);
      let bad = 0;
      let problems = 0;
      for (const [i, file] of targets.entries()) {
        bar.update(`validating ${i + 1}/${targets.length}`);
        const found = await validateRollout(file);
        if (found.length > 0) bad++;
        problems += found.length;
        for (const p of found) io.stdout.write(`${file}:${p.line}: ${p.message}\n`);
      }
      bar.done();
      const summary = validateSummary(targets.length, problems, bad);
      io.stderr.write(`${problems > 0 ? style.red(summary) : style.green(summary)}\n`);
      if (problems > 0) ctx.exitCode = 1;
    });
}

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** "3 files checked, no problems", "1 file checked, 1 problem", "3 files checked, 4 problems in 2 files". */
export function validateSummary(files: number, problems: number, badFiles: number): string {
  const checked = `${count(files, 'file')} checked`;
  if (problems === 0) return `${checked}, no problems`;
  return files === 1
    ? `${checked}, ${count(problems, 'problem')}`
    : `${checked}, ${count(problems, 'problem')} in ${count(badFiles, 'file')}`;
}
