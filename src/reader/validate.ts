import path from 'node:path';
import { InvalidRolloutError } from '../errors.js';
import { parseRolloutFileName } from '../files/layout.js';
import { lineProblems } from '../format/schema.js';
import type { RolloutProblem, StreamRolloutOptions, StreamState } from './stream.js';
import { readEntries } from './stream.js';

/**
 * Checks a rollout file against the format contract and returns every problem with its line number
 * (empty for a valid file). Never throws for a bad file: a file that cannot be read as a rollout at
 * all gives one problem on line 0.
 *
 * @remarks
 * Checks: everything the reader reports (invalid JSON, torn last line, blank lines, CRLF, BOM, bad
 * UTF-8, ordinals), each line against the shipped JSON Schemas (envelope, `session_meta`,
 * `response_item`, `event_msg`, `workspace_snapshot`), `session_meta` on the first line, and the id
 * in `session_meta` against the id in the file name.
 * @public
 */
export async function validateRollout(
  file: string,
  options: Pick<StreamRolloutOptions, 'signal' | 'maxLineBytes'> = {},
): Promise<RolloutProblem[]> {
  const problems: RolloutProblem[] = [];
  const state: StreamState = { format: 'envelope', lastOrdinal: undefined };
  let first = true;
  try {
    for await (const batch of readEntries(file, { ...options, onProblem: (p) => problems.push(p) }, state)) {
      for (const { line, value } of batch) {
        if (first) {
          first = false;
          const firstProblems = [];
          if (problems.some((p) => p.line < line && !p.message.startsWith('UTF-8 byte order mark'))) {
            firstProblems.push({ line, message: 'session_meta is not on the first line' });
          }
          const named = parseRolloutFileName(path.basename(file));
          const id = (value.payload as { id: string }).id;
          if (named && named.id.toLowerCase() !== id.toLowerCase()) {
            firstProblems.push({
              line,
              message: `session_meta id ${id} differs from the id in the file name (${named.id})`,
            });
          }
          problems.push(...firstProblems);
        }
        // Legacy lines are converted by the reader; only their payloads are checked.
        for (const message of lineProblems(value)) problems.push({ line, message });
      }
    }
  } catch (error) {
    if (!(error instanceof InvalidRolloutError)) throw error;
    problems.push({ line: error.line ?? 0, message: error.reason });
  }
  return problems.sort((a, b) => a.line - b.line);
}
