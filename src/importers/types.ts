import type { RecordItem } from '../format/types.js';

/**
 * What every importer gives: another agent's session translated into rollout items, in order.
 */

/**
 * The agents whose stored sessions can be imported.
 * @public
 */
export type ImportAgent = 'opencode' | 'claude-code';

/** One foreign session, translated. */
export interface ForeignSession {
  agent: ImportAgent;
  /** The agent's own id of the session. */
  sourceId: string;
  /** The rollout id: the agent's id when it is a UUID, else a UUIDv7 derived from it. */
  id: string;
  /** Where the agent stored it (a file, or the session's metadata file). */
  sourcePath: string;
  cwd: string;
  createdAt: Date;
  /** The agent's version that wrote it, when it says. */
  version: string | undefined;
  /** The git branch the agent recorded, when it did. */
  gitBranch: string | undefined;
  /** The session's title, when the agent keeps one. */
  title: string | undefined;
  /** The rollout items, in order. */
  items: RecordItem[];
}

/** Told about a file or session that cannot be read; importing goes on. */
export type ForeignProblem = (path: string, problem: string) => void;
