import { statSync } from 'node:fs';
import path from 'node:path';
import { findSession } from '../lister/find.js';
import type { SessionSummary } from '../lister/types.js';
import { CliError, existingHome } from './context.js';
import type { CliIO } from './io.js';

/** An argument that names a file rather than an id: it has a path separator or a rollout ending. */
const looksLikePath = (arg: string): boolean =>
  arg.includes('/') || arg.includes(path.sep) || /\.jsonl(\.zst)?$/.test(arg);

/**
 * A session named on the command line: a rollout file path, a full id, or an id prefix. A path is
 * never looked up as an id (nor needs a home): a missing one is said to be missing.
 */
export async function resolveSession(
  arg: string,
  home: string | undefined,
  io: CliIO,
): Promise<{ path: string; summary?: SessionSummary }> {
  if (looksLikePath(arg)) {
    const p = path.resolve(io.cwd, arg);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st === undefined) throw new CliError(`${p}: no such file`);
    if (st.isDirectory()) throw new CliError(`${p}: is a folder, not a rollout file`);
    return { path: p };
  }
  const summary = await findSession(arg, { home: existingHome(io, home) });
  return { path: summary.path, summary };
}
