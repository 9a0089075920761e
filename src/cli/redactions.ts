import type { RedactedSnapshot } from '../snapshot/types.js';
import type { CliIO, Style } from './io.js';
import { safeLine } from './terminal-text.js';

/**
 * What a push sent as redacted copies, on stderr: one line per file and kind (bounded), so the
 * user sees what was kept back and can fix the workspace.
 */
export function writeRedactions(
  io: CliIO,
  style: Style,
  where: string,
  redactions: readonly RedactedSnapshot[],
): void {
  const now = redactions.filter((r) => r.files !== null);
  if (now.length === 0) return;
  const files = new Map<string, Set<string>>();
  for (const r of now)
    for (const f of r.files!) {
      const kinds = files.get(f.path) ?? new Set<string>();
      for (const k of f.kinds) kinds.add(k);
      files.set(f.path, kinds);
    }
  const what =
    now.length === 1
      ? '1 snapshot pushed as a redacted copy'
      : `${now.length} snapshots pushed as redacted copies`;
  io.stderr.write(
    `${where}${style.yellow('warning:')} ${what} (each secret replaced by [REDACTED:<kind>]); the local snapshots are unchanged\n`,
  );
  const shown = [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [file, kinds] of shown.slice(0, 20))
    io.stderr.write(`${where}  ${safeLine(file)}: ${[...kinds].sort().join(', ')}\n`);
  if (shown.length > 20) io.stderr.write(`${where}  … and ${shown.length - 20} more files\n`);
}
