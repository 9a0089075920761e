import { existsSync } from 'node:fs';
import { resolveHome } from '../files/layout.js';
import type { CliIO, Style } from './io.js';

/** What every command gets: the IO, styling, and where it records its exit code. */
export interface Ctx {
  io: CliIO;
  style: Style;
  debug: boolean;
  /** Set by a command that succeeded as a program but found problems (e.g. validate). */
  exitCode?: number;
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

/** Parses a date option (ISO date or date-time, or a relative "7d"/"12h"/"30m"), or throws a UsageError. */
export function dateOption(
  command: string,
  name: string,
  value: string | undefined,
  now: Date,
): Date | undefined {
  if (value === undefined) return undefined;
  const rel = /^(\d+)([dhm])$/.exec(value);
  if (rel) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() - Number(rel[1]) * unit);
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const d = new Date(value.length === 10 ? `${value}T00:00:00` : value.replace(' ', 'T'));
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new UsageError(
    command,
    `${name} takes a date like 2026-11-21, 2026-11-21T10:00Z or 7d, not "${value}"`,
  );
}
