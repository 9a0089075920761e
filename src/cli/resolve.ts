import { statSync } from 'node:fs';
import path from 'node:path';
import { findSession } from '../lister/find.js';
import type { SessionSummary } from '../lister/types.js';
import { existingHome } from './context.js';
import type { CliIO } from './io.js';

/** A session named on the command line: a rollout file path, a full id, or an id prefix. */
export async function resolveSession(
  arg: string,
  home: string | undefined,
  io: CliIO,
): Promise<{ path: string; summary?: SessionSummary }> {
  if (arg.includes('/') || arg.endsWith('.jsonl')) {
    const p = path.resolve(io.cwd, arg);
    if (statSync(p, { throwIfNoEntry: false })?.isFile()) return { path: p };
  }
  const summary = await findSession(arg, { home: existingHome(io, home) });
  return { path: summary.path, summary };
}
