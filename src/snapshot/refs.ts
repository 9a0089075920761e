import { createHash } from 'node:crypto';
import type { SkippedFile, SnapshotVcsInfo } from './types.js';

/**
 * Ref names and the self-describing commit and tag messages. Raw ids only ever travel inside
 * messages (through stdin); names hold their SHA-256 so no id can reach a command line or a path.
 */

/** Lower-case hex SHA-256 of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Where every message ref lives. */
export const SNAPSHOT_REF_PREFIX = 'refs/rollouts/';
/** One ref per session pointing at its latest capture, the parent of the next one. */
export const SESSION_HEAD_PREFIX = 'refs/rollouts-heads/';
/**
 * The store's HEAD is detached at the last commit made from the index, so `git status` compares
 * the index against it cheaply instead of listing every entry as added. This unborn branch is what
 * HEAD names before the first capture and after the commit it held was deleted.
 */
export const INDEX_HEAD_REF = 'refs/heads/unborn';
/** Tag namespace on archive remotes. */
export const REMOTE_TAG_PREFIX = 'refs/tags/rollouts/session/';

export const sessionPrefix = (sessionId: string): string => `${SNAPSHOT_REF_PREFIX}${sha256Hex(sessionId)}/`;
export const messageRef = (sessionId: string, messageId: string): string =>
  `${sessionPrefix(sessionId)}${sha256Hex(messageId)}`;
export const sessionHeadRef = (sessionId: string): string => `${SESSION_HEAD_PREFIX}${sha256Hex(sessionId)}`;
export const remoteTagRef = (sessionId: string, messageId: string): string =>
  `${REMOTE_TAG_PREFIX}${sha256Hex(sessionId)}/message/${sha256Hex(messageId)}`;

/** The tag name (without `refs/tags/`) of {@link remoteTagRef}. */
export const remoteTagName = (sessionId: string, messageId: string): string =>
  remoteTagRef(sessionId, messageId).slice('refs/tags/'.length);

/** The subject line of every snapshot commit, so `git log` in a store reads sensibly. */
export const COMMIT_SUBJECT = 'agent-rollouts workspace snapshot';
export const RECORD_SCHEMA_VERSION = 1;

/**
 * {@link SnapshotVcsInfo} as the commit and tag records hold it: snake_case, like every other field
 * of those records and of the store's `rollouts-workspace.json` marker.
 */
export interface OnDiskVcsInfo {
  type: 'git';
  branch: string | null;
  head: string | null;
  worktree: string;
  common_dir: string;
}

/** The on-disk form of the user's version control state. */
export function vcsToDisk(vcs: SnapshotVcsInfo | null): OnDiskVcsInfo | null {
  if (vcs === null) return null;
  return {
    type: vcs.type,
    branch: vcs.branch,
    head: vcs.head,
    worktree: vcs.worktree,
    common_dir: vcs.commonDir,
  };
}

/**
 * The public form of an on-disk `vcs` value of any shape; null when it is not a git record. Records
 * written before the casing was fixed spell `commonDir`; both are read.
 */
export function vcsFromDisk(raw: unknown): SnapshotVcsInfo | null {
  if (!isPlainObject(raw) || raw['type'] !== 'git') return null;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const worktree = str(raw['worktree']);
  const commonDir = str(raw['common_dir']) ?? str(raw['commonDir']);
  if (worktree === null || commonDir === null) return null;
  return { type: 'git', branch: str(raw['branch']), head: str(raw['head']), worktree, commonDir };
}

/** What a snapshot commit's message holds (snake_case, as on disk). */
export interface SnapshotRecord {
  schema_version: number;
  session_id: string;
  message_id: string;
  captured_at: string;
  workspace: string;
  metadata: Record<string, unknown> | null;
  vcs: OnDiskVcsInfo | null;
  skipped: SkippedFile[];
}

export function encodeCommitMessage(record: SnapshotRecord): string {
  return `${COMMIT_SUBJECT}\n\n${JSON.stringify(record)}\n`;
}

/** Parses a snapshot commit message; undefined for a commit this library did not write. */
export function decodeCommitMessage(message: string): SnapshotRecord | undefined {
  if (!message.startsWith(`${COMMIT_SUBJECT}\n\n`)) return undefined;
  try {
    const value = JSON.parse(message.slice(COMMIT_SUBJECT.length + 2)) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const r = value as Partial<SnapshotRecord>;
    if (
      typeof r.session_id !== 'string' ||
      typeof r.message_id !== 'string' ||
      typeof r.captured_at !== 'string'
    ) {
      return undefined;
    }
    return {
      schema_version: typeof r.schema_version === 'number' ? r.schema_version : RECORD_SCHEMA_VERSION,
      session_id: r.session_id,
      message_id: r.message_id,
      captured_at: r.captured_at,
      workspace: typeof r.workspace === 'string' ? r.workspace : '',
      metadata: isPlainObject(r.metadata) ? r.metadata : null,
      vcs: vcsToDisk(vcsFromDisk(r.vcs)),
      skipped: Array.isArray(r.skipped) ? r.skipped : [],
    };
  } catch {
    return undefined;
  }
}

/** The JSON message of an archive tag (`schema_version`, ids, captured_at, commit, vcs, metadata). */
export interface TagRecord {
  schema_version: number;
  session_id: string;
  message_id: string;
  captured_at: string;
  commit: string;
  vcs: OnDiskVcsInfo | null;
  metadata: Record<string, unknown> | null;
  /** Present when `commit` is a redacted copy of the snapshot: the files whose secrets it replaced. */
  redacted?: { files: { path: string; kinds: string[] }[] };
}

/**
 * The full `git mktag` input. The tagger date is the capture time, so the same snapshot always
 * yields the same tag object and pushing twice is a no-op.
 */
export function encodeTag(record: TagRecord): string {
  const seconds = Math.floor(Date.parse(record.captured_at) / 1000);
  return (
    `object ${record.commit}\ntype commit\ntag ${remoteTagName(record.session_id, record.message_id)}\n` +
    `tagger agent-rollouts <agent-rollouts@localhost> ${seconds} +0000\n\n${JSON.stringify(record)}\n`
  );
}

export function decodeTagMessage(message: string): TagRecord | undefined {
  try {
    const value = JSON.parse(message) as Partial<TagRecord>;
    if (typeof value.session_id !== 'string' || typeof value.message_id !== 'string') return undefined;
    return value as TagRecord;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
