/**
 * A soak archiver: `node --import tsx soak-archiver.ts <json options>`. Archives and unarchives
 * the idle sessions in turn, and every few moves tries to archive one of the active (locked)
 * sessions, which must fail with `E_LOCKED` and leave its file where it is. Prints
 * `{"moves": n, "refusals": n}` now and then; on `stop` (or after `maxMoves`) it
 * prints `{"done": true, "moves": n, "refusals": n, "archived": [ids]}` and exits. Any other
 * outcome (an error, a locked session that moved) is printed as `{"error": …}` and ends it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { archiveSession, unarchiveSession } from '../../src/sessions/archive.js';
import { errorCode, seededRandom, soakIo, turn } from './soak-io.js';

interface Options {
  home: string;
  idle: string[];
  /** The active sessions' ids and live paths. */
  active: { id: string; path: string }[];
  seed: number;
  maxMoves: number;
  /** One attempt on an active session every this many moves. */
  lockedEvery: number;
}

const io = soakIo<Options>();
const o = io.options;
const rand = seededRandom(o.seed);
const archived = new Set<string>();
let moves = 0;
let refusals = 0;
try {
  while (moves < o.maxMoves && !io.stopping()) {
    const id = o.idle[Math.floor(rand() * o.idle.length)]!;
    // Partial ids too: the archive calls resolve prefixes like findSession.
    const given = rand() < 0.25 ? id.slice(0, 24) : id;
    if (archived.has(id)) {
      const to = await unarchiveSession(given, { home: o.home });
      archived.delete(id);
      if (path.basename(to).slice(-42, -6) !== id) throw new Error(`unarchived ${id} to ${to}`);
    } else {
      await archiveSession(given, { home: o.home });
      archived.add(id);
    }
    moves++;
    // Progress now and then, not per move: the output stays small however fast the moves go.
    if (moves % 1000 === 0) io.say({ moves, refusals });
    // From the first move on, so even a starved archiver tries an active session at least once.
    if ((moves - 1) % o.lockedEvery === 0) {
      const a = o.active[Math.floor(rand() * o.active.length)]!;
      try {
        await archiveSession(a.id, { home: o.home });
        io.say({ error: 'E_NOT_REFUSED', message: `archived active session ${a.id}` });
        process.exit(1);
      } catch (error) {
        if (errorCode(error) !== 'E_LOCKED') throw error;
      }
      const archivedCopy = path.join(o.home, 'archived_sessions', path.basename(a.path));
      if (!existsSync(a.path) || existsSync(archivedCopy)) {
        io.say({ error: 'E_MOVED', message: `refused archive of ${a.id} moved its file anyway` });
        process.exit(1);
      }
      refusals++;
    }
    await turn();
  }
  // At its own bound a child idles until told to stop, so the parent sees no early exit.
  await io.untilStopped();
  io.say({ done: true, moves, refusals, archived: [...archived] });
  process.exit(0);
} catch (error) {
  io.fail(error);
}
