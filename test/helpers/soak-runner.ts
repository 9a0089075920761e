import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonChild } from './json-child.js';
import { startJsonChild } from './json-child.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The soak's child scripts, each `test/helpers/soak-<name>.ts`. */
export type SoakScript =
  'recorder' | 'lister' | 'archiver' | 'index-recorder' | 'index-lister' | 'index-locker' | 'index-writer';

/** A running soak child. */
export type SoakChild = JsonChild;

/**
 * Starts `test/helpers/soak-<script>.ts` with `options` as its one JSON argument. Each child prints
 * one JSON object per line, exits when its stdin closes, and stops its loop on a `stop` line.
 */
export function startSoakChild(script: SoakScript, name: string, options: object): SoakChild {
  return startJsonChild(path.join(HERE, `soak-${script}.ts`), [JSON.stringify(options)], name);
}

/** Kills (by its own PID) every child that is still running, then waits for all of them. */
export async function reapSoakChildren(children: readonly SoakChild[]): Promise<void> {
  for (const c of children)
    if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
}
