import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonChild } from './json-child.js';
import { startJsonChild } from './json-child.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'recorder-child.ts');

/** A running recorder child. */
export type RecorderChild = JsonChild;

/** Starts `test/helpers/recorder-child.ts` in `mode` with `options` (see that file). */
export function startRecorderChild(mode: 'crash' | 'hold' | 'try' | 'exit', options: object): RecorderChild {
  return startJsonChild(CHILD, [mode, JSON.stringify(options)], `recorder child (${mode})`);
}
