import path from 'node:path';
import { parseRolloutFileName } from '../files/layout.js';
import { lineProblems } from '../format/schema.js';
import type { RolloutProblem, RolloutProblemKind } from './engine.js';
import { Refusal, newState, readLines, refusalProblemKind } from './engine.js';
import type { StreamRolloutOptions } from './entries.js';

/** Problems that do not make a line before `session_meta` count as a line. */
const COSMETIC: ReadonlySet<RolloutProblemKind> = new Set(['bom', 'crlf']);

/**
 * Checks a rollout file against the format contract and returns every problem with its line number
 * and kind (empty for a valid file). Never throws for a bad file: a file that cannot be read as a
 * rollout at all gives one problem, on line 0 unless it concerns one line.
 *
 * @remarks
 * Checks: everything the reader reports (invalid JSON, torn last line, blank lines, CRLF, BOM, bad
 * UTF-8, ordinals, damaged zstd data), each line against the shipped JSON Schemas (envelope,
 * `session_meta`, `response_item`, `event_msg`, `workspace_snapshot`), `session_meta` on the first
 * line, and the id in `session_meta` against the id in the file name. Reads `.jsonl.zst` files
 * decompressed.
 * @public
 */
export async function validateRollout(
  file: string,
  options: Pick<StreamRolloutOptions, 'signal' | 'maxLineBytes'> = {},
): Promise<RolloutProblem[]> {
  const problems: RolloutProblem[] = [];
  let first = true;
  try {
    for await (const batch of readLines(
      file,
      { ...options, onProblem: (p) => problems.push(p) },
      newState(),
    )) {
      for (const { line, value } of batch) {
        if (first) {
          first = false;
          const firstProblems: RolloutProblem[] = [];
          if (problems.some((p) => p.line < line && !COSMETIC.has(p.kind))) {
            firstProblems.push({
              line,
              kind: 'meta-not-first',
              message: 'session_meta is not on the first line',
            });
          }
          const named = parseRolloutFileName(path.basename(file));
          // The engine only hands out a session_meta with a string id first.
          const id = (value.payload as { id: string }).id;
          if (named && named.id.toLowerCase() !== id.toLowerCase()) {
            firstProblems.push({
              line,
              kind: 'id-mismatch',
              message: `session_meta id ${id} differs from the id in the file name (${named.id})`,
            });
          }
          problems.push(...firstProblems);
        }
        // Legacy lines are converted by the reader; only their payloads are checked.
        for (const message of lineProblems(value)) problems.push({ line, kind: 'schema', message });
      }
    }
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    problems.push({ line: error.line ?? 0, kind: refusalProblemKind(error.kind), message: error.reason });
  }
  return problems.sort((a, b) => a.line - b.line);
}
