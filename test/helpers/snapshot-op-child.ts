/**
 * Opens a store and captures once, in a process of its own, so a test can bound the wait by
 * killing it: `node --import tsx snapshot-op-child.ts <workspace> <home>`. Prints one JSON line:
 * `{ ok: true, kind, tree, skipped }` or `{ ok: false, name, code, message, path }`.
 */
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';

const [workspace, home] = process.argv.slice(2);
if (workspace === undefined || home === undefined) {
  throw new Error('usage: snapshot-op-child.ts <workspace> <home>');
}
try {
  const store = await SnapshotStore.open({ workspace, home });
  const snap = await store.capture({ sessionId: 's', messageId: 'm' });
  process.stdout.write(
    `${JSON.stringify({ ok: true, kind: store.kind, workspace: store.workspace, store: store.path, tree: snap.tree })}\n`,
  );
} catch (error) {
  const e = error as Error & { code?: unknown; path?: unknown };
  process.stdout.write(
    `${JSON.stringify({ ok: false, name: e.name, code: e.code, message: e.message, path: e.path })}\n`,
  );
}
