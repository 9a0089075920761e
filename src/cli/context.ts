import { existsSync } from 'node:fs';
import { resolveHome } from '../files/layout.js';
import type { DateBound } from './dates.js';
import { DATE_FORMS, parseWhen } from './dates.js';
import { localTime } from './format.js';
import type { CliIO, Style } from './io.js';

/** What every command gets: the IO, styling, and where it records its exit code. */
export interface Ctx {
  io: CliIO;
  style: Style;
  debug: boolean;
  /** Set by a command that succeeded as a program but found problems (e.g. validate). */
  exitCode?: number;
  /** The subcommand being run, once the parser has picked it (for the help pointer of usage errors). */
  command?: string;
}

/** Bad arguments that the parser cannot see (a bad date, bad JSON, contradictory flags): exit 2. */
export class UsageError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}

/** A failure the CLI itself detects (not the library): one line, exit 1. */
export class CliError extends Error {}

/**
 * The home a command reads: `--home`, else `$CODEX_HOME`, else `~/.codex`. A home that does not exist
 * is an error rather than an empty listing, so a mistyped path does not look like "no sessions".
 */
export function existingHome(io: CliIO, flag: string | undefined): string {
  const home = resolveHome(flag ?? io.env['CODEX_HOME']);
  if (!existsSync(home)) {
    throw new CliError(`the home ${home} does not exist; pass --home DIR or set CODEX_HOME`);
  }
  return home;
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parses a whole number option, or throws a UsageError naming the option. */
export function intOption(
  command: string,
  name: string,
  value: string | undefined,
  min = 1,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(command, `${name} takes a whole number ≥ ${min}, not "${value}"`);
  return n;
}

/**
 * Parses a date option (see {@link parseWhen}: ISO dates and times in local time, `7d`, `12h`,
 * `yesterday`, …), or throws a UsageError naming the option. A bare date is the start of that day
 * for `bound: 'start'` (`--since`) and its end for `bound: 'end'` (`--until`).
 */
export function dateOption(
  command: string,
  name: string,
  value: string | undefined,
  now: Date,
  bound: DateBound = 'start',
): Date | undefined {
  if (value === undefined) return undefined;
  const date = parseWhen(value, now, bound);
  if (date === undefined)
    throw new UsageError(command, `${name} takes a date like ${DATE_FORMS}, not "${value}"`);
  return date;
}

/** `--since` and `--until` of a command, checked against each other. */
export function dateRange(
  command: string,
  flags: { since?: string; until?: string },
  now: Date,
): { since: Date | undefined; until: Date | undefined } {
  const since = dateOption(command, '--since', flags.since, now, 'start');
  const until = dateOption(command, '--until', flags.until, now, 'end');
  if (since !== undefined && until !== undefined && since > until) {
    throw new UsageError(
      command,
      `--since ${flags.since} (${localTime(since.toISOString())}) is after --until ${flags.until} ` +
        `(${localTime(until.toISOString())}): no session can match`,
    );
  }
  return { since, until };
}
