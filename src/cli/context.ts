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
