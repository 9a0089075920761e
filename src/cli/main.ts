import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isInvalidArgument, isRolloutError } from '../errors.js';
import type { CliIO } from './io.js';
import { colourEnabled, makeStyle } from './io.js';
import type { Ctx } from './context.js';
import { CliError, UsageError } from './context.js';
import { registerCommands } from './commands/index.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Runs the `rollouts` command with `argv` (without the node and script names) and returns the exit
 * code: 0 on success, 1 when the work failed, 2 for a usage error. Never exits the process.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const debug = argv.includes('--debug');
  const ctx: Ctx = { io, style: makeStyle(colourEnabled(io)), debug };
  const program = new Command('rollouts')
    .description('Record, list, read and snapshot coding-agent sessions (Codex-compatible JSONL rollouts).')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--debug', 'print stack traces of errors')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {},
      getOutHelpWidth: () => io.columns ?? 80,
      getErrHelpWidth: () => io.columns ?? 80,
    });
  registerCommands(program, ctx);
  // Known before the subcommand parses its options, so even the parser's errors point at its help.
  program.hook('preSubcommand', (_program, sub) => {
    ctx.command = sub.name();
  });

  try {
    if (argv.length === 0) {
      io.stdout.write(program.helpInformation());
      return 0;
    }
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode ?? 0;
  } catch (error) {
    return report(error, ctx);
  }
}

/**
 * A usage error, recognised by its code: any `ERR_INVALID_ARG_VALUE` (the library's bad arguments,
 * and Node's own, e.g. a path with a NUL byte), and a cursor this library did not make.
 */
function isUsageError(error: unknown): error is Error {
  return isInvalidArgument(error) || (isRolloutError(error) && error.code === 'E_BAD_CURSOR');
}

function report(error: unknown, ctx: Ctx): number {
  const { io, style } = ctx;
  const usage = (message: string, command = ctx.command): number => {
    io.stderr.write(
      `${style.red('error:')} ${message}\n(see rollouts ${command ? `${command} ` : ''}--help)\n`,
    );
    return 2;
  };
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return 0;
    }
    return usage(error.message.replace(/^error: /, ''));
  }
  if (error instanceof UsageError) return usage(error.message, error.command);
  if (isUsageError(error)) {
    // Library messages may start with the operation's name ("findSession: …"), noise on a command line.
    return usage(error.message.replace(/^[\w.]+: /, ''));
  }
  if (error instanceof CliError) {
    io.stderr.write(`${style.red('error:')} ${error.message}\n`);
    return 1;
  }
  if (isRolloutError(error)) {
    io.stderr.write(`${style.red('error:')} ${error.message}\n`);
    if (ctx.debug && error.stack) io.stderr.write(`${error.stack}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`${style.red('error:')} ${message}${ctx.debug ? '' : ' (run with --debug for details)'}\n`);
  if (ctx.debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return 1;
}
