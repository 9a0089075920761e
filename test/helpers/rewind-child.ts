/**
 * A separate process rewinding a workspace: `node --import tsx rewind-child.ts '<json>'` with
 * `{ workspace, home, sessionId, messageId }`. It prints JSON lines: `{ "ready": true }` once the
 * store is open, then `{ "result": … }` (the rewind's result) or `{ "error": … }` (name, code,
 * message and the error's own fields), so a test can run it as another user or kill it at any
 * moment.
 */
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';

const args = JSON.parse(process.argv[2] ?? '{}') as {
  workspace: string;
  home: string;
  sessionId: string;
  messageId: string;
};
const store = await SnapshotStore.open({ workspace: args.workspace, home: args.home });
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
try {
  const r = await store.restore({ sessionId: args.sessionId, messageId: args.messageId }, { inPlace: true });
  process.stdout.write(`${JSON.stringify({ result: r })}\n`);
} catch (error) {
  const e = error as Error & Record<string, unknown>;
  const fields = Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'cause'));
  process.stdout.write(
    `${JSON.stringify({ error: { ...fields, name: e.name, message: e.message, cause: String(e.cause) } })}\n`,
  );
  process.exitCode = 1;
}
