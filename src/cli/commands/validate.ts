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
        targets = await fg(['sessions/**/rollout-*.jsonl', 'archived_sessions/rollout-*.jsonl'], {
          cwd: home,
          absolute: true,
          onlyFiles: true,
          followSymbolicLinks: false,
          suppressErrors: true,
        });
        targets.sort();
        if (targets.length === 0) io.stderr.write(`no rollouts under ${home}\n`);
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
      const summary = `${targets.length} file${targets.length === 1 ? '' : 's'} checked, ${problems} problem${problems === 1 ? '' : 's'} in ${bad}`;
      io.stderr.write(`${problems > 0 ? style.red(summary) : style.green(summary)}\n`);
      if (problems > 0) ctx.exitCode = 1;
    });
}
