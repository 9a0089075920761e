import { readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './temp.js';

/** One damaged rollout of fixtures/bad and what the reader and the lister must do with it. */
export interface BadCase {
  file: string;
  reader: 'ok' | 'problems' | 'refused';
  lister: 'listed' | 'skipped';
  note: string;
}

export const corpusDir = path.resolve(import.meta.dirname, '../../fixtures/bad');
export const corpus = JSON.parse(readFileSync(path.join(corpusDir, 'cases.json'), 'utf8')) as {
  id: string;
  cases: BadCase[];
};
/** The rollout name every case is placed under. */
export const CASE_NAME = `rollout-2026-11-21T05-24-14-${corpus.id}.jsonl`;

/** A new home holding the case as its only session, in a real date folder. */
export async function homeWithCase(c: BadCase): Promise<{ home: string; file: string }> {
  const home = await tempDir();
  const dir = path.join(home, 'sessions', '2026', '11', '21');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, CASE_NAME);
  await copyFile(path.join(corpusDir, c.file), file);
  return { home, file };
}
