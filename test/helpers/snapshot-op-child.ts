/**
 * Opens a store and captures once, in a process of its own, so a test can bound the wait by
 * killing it: `node --import tsx snapshot-op-child.ts <workspace> <home> [--wait]`. Prints one JSON
 * line: `{ ok: true, kind, workspace, store, tree, vcs }` or `{ ok: false, name, message, path }`.
 * With `--wait`, prints `{ opened: true }` once the store is open and captures after a line on stdin.
 */
import { createInterface } from 'node:readline';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';

const [workspace, home, wait] = process.argv.slice(2);
if (workspace === undefined || home === undefined) {
  throw new Error('usage: snapshot-op-child.ts <workspace> <home> [--wait]');
}
try {
  const store = await SnapshotStore.open({ workspace, home });
  if (wait === '--wait') {
    process.stdout.write(`${JSON.stringify({ opened: true })}\n`);
    const lines = createInterface({ input: process.stdin });
    await new Promise<void>((resolve) => lines.once('line', () => resolve()));
    lines.close();
  }
  const snap = await store.capture({ sessionId: 's', messageId: 'm' });
  process.stdout.write(
    `${JSON.stringify({ ok: true, kind: store.kind, workspace: store.workspace, store: store.path, tree: snap.tree, vcs: (await store.list())[0]?.vcs })}\n`,
  );
} catch (error) {
  const e = error as Error & { code?: unknown; path?: unknown };
  process.stdout.write(
    `${JSON.stringify({ ok: false, name: e.name, code: e.code, message: e.message, path: e.path })}\n`,
  );
}
