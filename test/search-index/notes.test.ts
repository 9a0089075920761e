import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder, listSessions } from '../../src/index.js';
import { homePaths } from '../../src/files/layout.js';
import { inspectFile } from '../../src/lister/texts.js';
import { acquireIndex } from '../../src/search-index/handle.js';
import { flushNotes } from '../../src/search-index/notes.js';
import { RACY_MS } from '../../src/search-index/reconcile.js';
import { loadSqlite } from '../../src/search-index/sqlite.js';
import { indexPath } from '../../src/search-index/store.js';
import { tempDir } from '../helpers/temp.js';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("the recorder's notes to the session index", () => {
  it('are kept while another process holds the index lock, and written once it is free', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ home, cwd: home, git: false });
    await rec.recordUserMessage('the first words');
    await rec.close();
    await listSessions({ home });
    // Out of its racy tick and stored as settled: only a note (or a lock file) says it changed now.
    await pause(RACY_MS + 500);
    await listSessions({ home });

    const other = new (loadSqlite())(indexPath(home));
    other.exec('BEGIN IMMEDIATE');
    try {
      const { recorder } = await RolloutRecorder.resume(rec.id, { home });
      await recorder.recordUserMessage('words written while the index was locked');
      await recorder.close();
      flushNotes();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // The Codex CLI sweeps lock files nobody holds: the writer-lock folder no longer tells.
    rmSync(path.join(homePaths.locks(home), `${rec.id}.lock`));
    flushNotes();

    const page = await listSessions({ home, search: 'while the index was locked' });
    expect(page.sessions.map((s) => s.id)).toEqual([rec.id]);
  }, 60_000);

  it('a note about a file not indexed yet is kept until the file is (a rebuild reading it meanwhile)', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ home, cwd: home, git: false });
    await rec.recordUserMessage('the first words');
    await rec.close();
    await listSessions({ home });
    await pause(RACY_MS + 500);
    await listSessions({ home });
    const store = acquireIndex(home, { create: false })!;
    const row = store.fileByPath(rec.path)!;
    // A rebuild in another process has read the file (stat, then its facts) but not written its
    // row yet: the index does not hold it.
    const st = statSync(rec.path);
    const facts = await inspectFile(rec.path, false);
    store.write(() => store.dropPath(rec.path));
    // Then the file is appended to, and the recorder's note reaches the index before that row.
    const { recorder } = await RolloutRecorder.resume(rec.id, { home });
    await recorder.recordUserMessage('words appended during the rebuild');
    await recorder.close();
    flushNotes();
    rmSync(path.join(homePaths.locks(home), `${rec.id}.lock`));
    await listSessions({ home });
    // The rebuild writes what it read, as settled (its stat was taken long after the last change).
    store.write(() =>
      store.putFile({
        path: rec.path,
        folder: row.folder,
        id: row.id,
        created: row.created,
        archived: false,
        compressed: false,
        stat: { mtime: st.mtimeMs, ctime: st.ctimeMs, size: st.size },
        racy: false,
        facts,
      }),
    );

    const page = await listSessions({ home, search: 'appended during the rebuild' });
    expect(page.sessions.map((s) => s.id)).toEqual([rec.id]);
  }, 60_000);
});
