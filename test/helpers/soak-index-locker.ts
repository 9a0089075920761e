/**
 * Holds the session index's write lock from outside the library, as another program using the
 * same SQLite file could: `node --import tsx soak-index-locker.ts <json options>`. Every `gapMs`
 * it opens the index with raw better-sqlite3 (a fresh connection each time, so an index rebuilt
 * meanwhile is the one locked), runs `BEGIN IMMEDIATE`, prints `{"locked": <epoch ms>}`, keeps the
 * transaction open for `holdMs`, rolls back, and prints `{"released": <epoch ms>}`. With `rounds`
 * it stops after that many windows (and prints `{"done": true, "windows": n}` on `stop`).
 */
import { existsSync } from 'node:fs';
import { loadSqlite } from '../../src/search-index/sqlite.js';
import { indexPath } from '../../src/search-index/store.js';
import { pause, soakIo } from './soak-io.js';

interface Options {
  home: string;
  gapMs: number;
  holdMs: number;
  rounds: number;
}

const io = soakIo<Options>();
const o = io.options;
const Database = loadSqlite();
let windows = 0;
try {
  while (windows < o.rounds && !io.stopping()) {
    await pause(o.gapMs);
    const file = indexPath(o.home);
    if (!existsSync(file)) continue;
    const db = new Database(file, { fileMustExist: true, timeout: 30_000 });
    try {
      db.exec('BEGIN IMMEDIATE');
      io.say({ locked: Date.now() });
      await pause(o.holdMs);
      db.exec('ROLLBACK');
      io.say({ released: Date.now() });
      windows++;
    } finally {
      db.close();
    }
  }
  await io.untilStopped();
  io.say({ done: true, windows });
  process.exit(0);
} catch (error) {
  io.fail(error);
}
