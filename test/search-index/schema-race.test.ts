import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startJsonChild } from '../helpers/json-child.js';
import { loadSqlite } from '../../src/search-index/sqlite.js';
import { SCHEMA_VERSION, indexPath } from '../../src/search-index/store.js';
import { tempDir } from '../helpers/temp.js';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'index-open-child.ts');
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('two processes opening a new session index at once', () => {
  it('the second does not drop the schema and rows the first made meanwhile', async () => {
    const home = await tempDir();
    const file = indexPath(home);
    mkdirSync(path.dirname(file), { mode: 0o700 });
    writeFileSync(file, '', { mode: 0o600 });
    // The first process has made the new, empty index file.
    // Its first table is made (the file is a WAL database now, still of no schema version); its
    // version and first rows are being written under the lock.
    const first = new (loadSqlite())(file);
    first.pragma('journal_mode = WAL');
    first.exec('CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
    first.exec('BEGIN IMMEDIATE');
    const second = startJsonChild(child, [home], 'second opener');
    try {
      await second.waitFor((m) => m['opening'] === true);
      // The second has found the file without a schema by now, and waits for the lock.
      await pause(500);
      first.exec("INSERT INTO meta(k, v) VALUES ('marker', 'written by the first')");
      first.pragma(`user_version = ${SCHEMA_VERSION}`);
      first.exec('COMMIT');
      const said = await second.waitFor((m) => m['marker'] !== undefined || m['error'] !== undefined);
      // Opened (after the first committed) and kept its work, or found the lock held too long: never wiped it.
      if (said['error'] !== undefined) expect(said['error']).toMatch(/^SQLITE_BUSY/);
      else expect(said['marker']).toBe('written by the first');
      expect(first.prepare("SELECT v FROM meta WHERE k = 'marker'").pluck().get()).toBe(
        'written by the first',
      );
    } finally {
      if (first.inTransaction) first.exec('ROLLBACK');
      first.close();
      second.process.kill('SIGKILL');
      await second.exited;
    }
  }, 60_000);
});
