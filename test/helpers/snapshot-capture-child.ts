/**
 * A separate process capturing in a loop: `node --import tsx snapshot-capture-child.ts <workspace>
 * <home> <sessionId> <count>`. Before each capture it writes a file of its own, and after each it
 * prints `captured <i> <commit>`; with count 0 it loops until killed.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';

const [workspace, home, sessionId, countArg] = process.argv.slice(2);
if (workspace === undefined || home === undefined || sessionId === undefined) {
  throw new Error('usage: snapshot-capture-child.ts <workspace> <home> <sessionId> <count>');
}
const count = Number(countArg ?? '1');
const store = await SnapshotStore.open({ workspace, home });
for (let i = 0; count === 0 || i < count; i++) {
  await writeFile(path.join(workspace, `${sessionId}.txt`), `${sessionId} ${i}\n`);
  const snap = await store.capture({ sessionId, messageId: `m${i}` });
  process.stdout.write(`captured ${i} ${snap.commit}\n`);
}
