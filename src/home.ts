import os from 'node:os';
import path from 'node:path';

/**
 * The home folder: `options.home` when given, else `$CODEX_HOME`, else `~/.codex`, so the library
 * works on a Codex CLI user's real sessions out of the box.
 * @public
 */
export function resolveHome(home?: string): string {
  if (home !== undefined && home !== '') return path.resolve(home);
  const env = process.env['CODEX_HOME'];
  if (env !== undefined && env !== '') return path.resolve(env);
  return path.join(os.homedir(), '.codex');
}

/** Paths inside a home, in one place. */
export const homePaths = {
  sessions: (home: string): string => path.join(home, 'sessions'),
  archived: (home: string): string => path.join(home, 'archived_sessions'),
  sessionIndex: (home: string): string => path.join(home, 'session_index.jsonl'),
  locks: (home: string): string => path.join(home, 'thread-writer-locks'),
  lock: (home: string, id: string): string => path.join(home, 'thread-writer-locks', `${id}.lock`),
  snapshots: (home: string): string => path.join(home, 'snapshots'),
};

/** Mode of every folder we create: transcripts hold secrets. */
export const DIR_MODE = 0o700;
/** Mode of every file we create. */
export const FILE_MODE = 0o600;
