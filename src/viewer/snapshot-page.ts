import { listSessionSnapshots } from '../sessions/snapshots.js';
import { changeHtml } from '../transcript/html.js';
import { MAX_PATCH_CHARS, SnapshotDiffer } from '../transcript/snapshot-diff.js';
import { html } from '../transcript/text.js';
import { pageEnd, pageStart } from './page.js';

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
export const shellWord = (s: string): string =>
  /^[\w./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A message's snapshot page: the commit, the files changed since the session's previous snapshot
 * of the same workspace and their diff, and the commands that restore it into a new folder or
 * rewind the workspace to it. Undefined when the session has no snapshot of that message.
 */
export async function snapshotPage(
  home: string,
  base: string,
  sessionId: string,
  messageId: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const all = await listSessionSnapshots(sessionId, { home, signal });
  const at = all.findIndex((s) => s.messageId === messageId);
  const snap = all[at];
  if (snap === undefined) return undefined;
  let previous: string | undefined;
  for (let i = at - 1; i >= 0; i--) {
    if (all[i]!.workspace === snap.workspace) {
      previous = all[i]!.messageId;
      break;
    }
  }
  const differ = new SnapshotDiffer(home, sessionId, MAX_PATCH_CHARS, signal);
  const change =
    previous === undefined
      ? ({ kind: 'first' } as const)
      : await differ.diff(snap.workspace, previous, messageId);
  const homeArg = ` --home ${shellWord(home)}`;
  const common = `rollouts restore ${shellWord(snap.workspace)} --session ${shellWord(sessionId)} --message ${shellWord(messageId)}${homeArg}`;
  const restore = `${common} --dest ${shellWord(`${snap.workspace}-at-${messageId}`)}`;
  const rewind = `${common} --in-place`;
  return (
    pageStart(`Snapshot of ${messageId}`, base) +
    `<main><h1>Snapshot of message <code>${html(messageId)}</code></h1>\n` +
    `<p><a href="${base}s/${encodeURIComponent(sessionId)}">← session ${html(sessionId)}</a></p>\n` +
    `<dl class="snapshot-facts"><dt>commit</dt><dd><code>${html(snap.commit)}</code></dd>` +
    `<dt>workspace</dt><dd>${html(snap.workspace)}</dd>` +
    `<dt>captured</dt><dd>${html(snap.capturedAt ?? 'unknown (the store does not hold it)')}</dd></dl>\n` +
    `<h2>Restore</h2>\n<p>Into a new folder (the workspace is not touched):</p><pre class="command">${html(restore)}</pre>\n` +
    `<p>Rewind the workspace itself (what it replaces is backed up first; the command prints its undo):</p><pre class="command">${html(rewind)}</pre>\n` +
    `<h2>Changes</h2>\n<section class="snapshot">${changeHtml(change)}</section>\n</main>\n` +
    pageEnd
  );
}
