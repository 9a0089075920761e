import os from 'node:os';
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import type { RecordItem, RolloutItem } from '../format/types.js';
import { resolveHome } from '../files/layout.js';
import { locateSessions } from '../files/locate.js';
import { readRollout } from '../reader/read.js';
import { RolloutRecorder } from '../recorder/recorder.js';
import { setSessionName } from '../sessions/name.js';
import { readClaudeCodeSessions } from './claude-code.js';
import { readOpenCodeSessions } from './opencode.js';
import type { ForeignSession, ImportAgent } from './types.js';

/**
 * Importing another agent's stored sessions as rollouts, through the recorder: a new session is
 * created with the agent's id (or one derived from it), an imported one that grew gets the new
 * items appended under its writer lock, and one already complete is not touched.
 */

/**
 * Options of {@link importSessions}.
 * @public
 */
export interface ImportSessionsOptions {
  /** The agent whose sessions are read. */
  from: ImportAgent;
  /**
   * The home the rollouts are written to.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /**
   * Where the agent keeps its data.
   * @defaultValue `claude-code`: `~/.claude`; `opencode`: `$XDG_DATA_HOME/opencode`, else
   * `~/.local/share/opencode`
   */
  source?: string;
  /** Stops the import between sessions and files. */
  signal?: AbortSignal;
}

/**
 * What {@link importSessions} did with one session.
 *
 * @remarks
 * - `created`: a new rollout was written.
 * - `appended`: the session had grown since it was imported; the new items were appended.
 * - `unchanged`: the rollout already holds everything; nothing was written.
 * - `diverged`: the rollout holds items the agent's session does not (edited or recorded to
 *   since); it is left alone.
 * @public
 */
export type ImportStatus = 'created' | 'appended' | 'unchanged' | 'diverged';

/**
 * One imported session.
 * @public
 */
export interface ImportedSession {
  /** The rollout's session id. */
  id: string;
  /** The agent's own id of the session. */
  sourceId: string;
  /** The agent's file read. */
  sourcePath: string;
  /** The rollout file. */
  path: string;
  /** What was done. */
  status: ImportStatus;
  /** Items written by this call. */
  written: number;
}

/**
 * What {@link importSessions} returns.
 * @public
 */
export interface ImportSessionsResult {
  /** Every session found, in the order read. */
  sessions: ImportedSession[];
  /** Files that could not be read (passed over; the rest was imported). */
  problems: { path: string; problem: string }[];
}

const AGENTS: readonly ImportAgent[] = ['opencode', 'claude-code'];

function defaultSource(agent: ImportAgent): string {
  if (agent === 'claude-code') return path.join(os.homedir(), '.claude');
  const xdg = process.env['XDG_DATA_HOME'];
  return path.join(
    xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'share'),
    'opencode',
  );
}

/**
 * Imports another agent's stored sessions into a home as rollouts, so listing, search, `show` and
 * export treat them as any other session.
 *
 * @remarks
 * Each session is written through {@link RolloutRecorder}: `session_meta` names the agent as
 * `originator` and its version as `cli_version`, with the session's folder as `cwd`, its creation
 * time, its git branch when the agent recorded one, and `source` `"cli"` (they were interactive
 * sessions, and the default listing shows them so). Messages become `message` items (with the
 * `user_message`/`agent_message` events the Codex CLI lists by), tool calls `function_call` and
 * `function_call_output` items with the agent's call ids, reasoning `reasoning` items. The
 * session's id is kept when it is a UUID (Claude Code); else (OpenCode's `ses_…`) it is a UUIDv7
 * made from the creation time and a hash of the agent's id, the same on every import. A title
 * becomes the session's name when the rollout is created.
 *
 * Importing again changes nothing for a session already imported whole; a session that grew gets
 * only its new items, appended while holding its writer lock; a rollout whose items are no longer
 * a prefix of the agent's is left alone (`diverged`). The agent's files are only read: without
 * following a link, regular files only, and a file that cannot be read is reported in `problems`.
 * Line timestamps are those of the import; the session's creation time is the agent's.
 * @public
 */
export async function importSessions(options: ImportSessionsOptions): Promise<ImportSessionsResult> {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('importSessions: options must be an object.');
  if (!AGENTS.includes(options.from))
    throw invalidArgument(
      `importSessions: \`from\` must be "opencode" or "claude-code", not ${JSON.stringify(options.from)}.`,
    );
  if (options.source !== undefined && (typeof options.source !== 'string' || options.source === ''))
    throw invalidArgument('importSessions: `source` must be a folder path.');
  const home = resolveHome(options.home);
  const source = path.resolve(options.source ?? defaultSource(options.from));
  const { signal } = options;
  const problems: { path: string; problem: string }[] = [];
  const onProblem = (p: string, problem: string): void => {
    problems.push({ path: p, problem });
  };
  const sessions: ImportedSession[] = [];
  const found =
    options.from === 'claude-code'
      ? readClaudeCodeSessions(source, signal, onProblem)
      : readOpenCodeSessions(source, signal, onProblem);
  for await (const s of found) {
    if (!path.isAbsolute(s.cwd)) {
      onProblem(s.sourcePath, `its working folder ${JSON.stringify(s.cwd)} is not an absolute path`);
      continue;
    }
    sessions.push(await importOne(home, s, signal));
  }
  return { sessions, problems };
}

const same = (a: RolloutItem, b: RecordItem): boolean =>
  a.type === b.type && JSON.stringify(a.payload) === JSON.stringify(b.payload);

/** What an import writes: lines of other kinds (a name set since, say) are not compared. */
const imported = (item: RolloutItem): boolean =>
  item.type === 'response_item' ||
  (item.type === 'event_msg' &&
    (item.payload.type === 'user_message' || item.payload.type === 'agent_message'));

/** How many of `items` the rollout holds already, or undefined when it is not a prefix of them. */
function heldPrefix(all: readonly RolloutItem[], items: readonly RecordItem[]): number | undefined {
  const existing = all.filter(imported);
  if (existing.length > items.length) return undefined;
  for (let i = 0; i < existing.length; i++) if (!same(existing[i]!, items[i]!)) return undefined;
  return existing.length;
}

async function importOne(
  home: string,
  s: ForeignSession,
  signal: AbortSignal | undefined,
): Promise<ImportedSession> {
  signal?.throwIfAborted();
  const base = { id: s.id, sourceId: s.sourceId, sourcePath: s.sourcePath };
  const located = await locateSessions(home, s.id, { signal }).catch(() => ({ matches: [] }));
  const file = located.matches[0]?.path;
  if (file === undefined) {
    const rec = await RolloutRecorder.create({
      cwd: s.cwd,
      home,
      id: s.id,
      createdAt: s.createdAt,
      originator: s.agent,
      cliVersion: s.version ?? 'unknown',
      source: 'cli',
      git: s.gitBranch === undefined ? false : { branch: s.gitBranch },
      durability: 'fsync',
      // The folder is the agent's record of where it ran; it need not exist here.
      cwdMustExist: false,
      signal,
    });
    try {
      await rec.record(s.items);
    } finally {
      await rec.close();
    }
    if (s.title !== undefined && s.title.trim() !== '')
      await setSessionName(s.id, s.title, { home }).catch(() => undefined);
    return { ...base, path: rec.path, status: 'created', written: s.items.length };
  }
  // Compared first without the lock: a session imported whole is not touched at all.
  const before = await readRollout(file, { signal });
  const held = heldPrefix(before.items, s.items);
  if (held === undefined) return { ...base, path: file, status: 'diverged', written: 0 };
  if (held === s.items.length) return { ...base, path: file, status: 'unchanged', written: 0 };
  const { recorder, session } = await RolloutRecorder.resume(file, { home, durability: 'fsync', signal });
  try {
    const now = heldPrefix(session.items, s.items);
    if (now === undefined) return { ...base, path: file, status: 'diverged', written: 0 };
    const rest = s.items.slice(now);
    if (rest.length > 0) await recorder.record(rest);
    return { ...base, path: file, status: rest.length > 0 ? 'appended' : 'unchanged', written: rest.length };
  } finally {
    await recorder.close();
  }
}
