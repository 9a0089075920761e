import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Real Codex CLI 0.171 files (see scripts/fixtures-codex.ts and fixtures/codex-0.171/manifest.json). */
export const codex171Dir = path.resolve(import.meta.dirname, '../../fixtures/codex-0.171');

interface ManifestSession {
  label: string;
  id: string;
  file: string;
  files?: string[];
  prompts: string[];
}

const manifest = JSON.parse(readFileSync(path.join(codex171Dir, 'manifest.json'), 'utf8')) as {
  sessions: ManifestSession[];
};

/** A session of the 0.171 fixtures by its label (`reverted`, `forked`, `compressed`, `plain`, …). */
export function fixture171(label: string): ManifestSession {
  const s = manifest.sessions.find((m) => m.label === label);
  if (s === undefined) throw new Error(`no 0.171 fixture labelled ${label}`);
  return s;
}

/** Copies the whole 0.171 fixture home (sessions and archived sessions) into `home`. */
export function copyFixtureHome171(home: string): void {
  cpSync(path.join(codex171Dir, 'sessions'), path.join(home, 'sessions'), { recursive: true });
  cpSync(path.join(codex171Dir, 'archived_sessions'), path.join(home, 'archived_sessions'), {
    recursive: true,
  });
}

/** The rollout id a file name ends with (the second UUID of a reverted thread's name). */
export function rolloutIdOfName(file: string): string {
  const m = /([0-9a-f-]{36})\.jsonl(?:\.zst)?$/.exec(file);
  if (m === null) throw new Error(`not a rollout name: ${file}`);
  return m[1]!;
}
