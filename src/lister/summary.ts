import type { Head } from './head.js';
import type { Candidate } from '../files/traverse.js';
import type { SessionSummary } from './types.js';
import { toSessionGitInfo } from '../format/types.js';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function isoOrNull(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The summary of a session from its file and head. */
export function toSummary(c: Candidate, head: Head, name: string | null): SessionSummary {
  const { meta } = head;
  const message = head.userMessage?.text ?? null;
  return {
    id: c.id,
    path: c.path,
    createdAt: isoOrNull(meta.timestamp) ?? new Date(c.created).toISOString(),
    updatedAt: new Date(head.mtimeMs).toISOString(),
    cwd: typeof meta.cwd === 'string' && meta.cwd !== '' ? meta.cwd : null,
    originator: str(meta.originator),
    cliVersion: str(meta.cli_version),
    source: meta.source ?? null,
    modelProvider: str(meta.model_provider),
    git: toSessionGitInfo(meta.git),
    preview: message === null ? null : message.trim(),
    firstUserMessage: message,
    name,
    archived: c.archived,
    head: head.records,
  };
}
