import { closeSync, constants, lstatSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { hasErrno } from '../errors.js';
import { DIR_MODE, FILE_MODE } from '../files/layout.js';
import { loadSqlite, type Database, type Statement } from './sqlite.js';
import type { FileFacts } from './types.js';
import type { FolderWatch } from './watch.js';

/** The folder of ours in a home that holds the index (never the Codex CLI's `state_*.sqlite`). */
export const INDEX_FOLDER = 'agent-rollouts';
/** The index database inside {@link INDEX_FOLDER}. */
export const INDEX_FILE = 'session-index.sqlite';
/** Bumped whenever the schema or what is indexed changes: an older index is rebuilt. */
export const SCHEMA_VERSION = 4;
/** How long a statement waits for another process's write lock before giving up (ms). */
export const BUSY_TIMEOUT_MS = 2000;

export const indexPath = (home: string): string => path.join(home, INDEX_FOLDER, INDEX_FILE);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS folders (
  path TEXT PRIMARY KEY, parent TEXT, level INTEGER NOT NULL, lo REAL NOT NULL, hi REAL NOT NULL,
  mtime REAL NOT NULL, ctime REAL NOT NULL);
CREATE INDEX IF NOT EXISTS folders_parent ON folders(parent);
CREATE TABLE IF NOT EXISTS files (
  fid INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, folder TEXT NOT NULL, id TEXT NOT NULL,
  kid TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL, mtime REAL NOT NULL,
  ctime REAL NOT NULL, size INTEGER NOT NULL, archived INTEGER NOT NULL, compressed INTEGER NOT NULL,
  status TEXT NOT NULL, has_user INTEGER NOT NULL, source TEXT, provider TEXT, cwd TEXT,
  racy INTEGER NOT NULL);
-- One index per filter and order, each ending in every other column a listing filters on, so the
-- rows a page skips are skipped inside the index (no lookup of the row itself).
CREATE INDEX IF NOT EXISTS files_created ON files(archived, created DESC, kid DESC, status, has_user, cwd, source, provider);
CREATE INDEX IF NOT EXISTS files_updated ON files(archived, updated DESC, kid DESC, status, has_user, cwd, source, provider);
CREATE INDEX IF NOT EXISTS files_cwd ON files(cwd, archived, created DESC, kid DESC, status, has_user, source, provider);
CREATE INDEX IF NOT EXISTS files_cwd_u ON files(cwd, archived, updated DESC, kid DESC, status, has_user, source, provider);
CREATE INDEX IF NOT EXISTS files_source ON files(source, archived, created DESC, kid DESC, status, has_user, cwd, provider);
CREATE INDEX IF NOT EXISTS files_source_u ON files(source, archived, updated DESC, kid DESC, status, has_user, cwd, provider);
CREATE INDEX IF NOT EXISTS files_provider ON files(provider, archived, created DESC, kid DESC, status, has_user, cwd, source);
CREATE INDEX IF NOT EXISTS files_provider_u ON files(provider, archived, updated DESC, kid DESC, status, has_user, cwd, source);
CREATE INDEX IF NOT EXISTS files_folder ON files(folder);
CREATE INDEX IF NOT EXISTS files_kid ON files(kid);
CREATE INDEX IF NOT EXISTS files_racy ON files(racy) WHERE racy = 1;
CREATE TABLE IF NOT EXISTS msgs (mid INTEGER PRIMARY KEY, fid INTEGER NOT NULL, line INTEGER NOT NULL,
  text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS msgs_fid ON msgs(fid, line);
CREATE VIRTUAL TABLE IF NOT EXISTS msg_fts USING fts5(text, content='msgs', content_rowid='mid',
  tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS msgs_ai AFTER INSERT ON msgs BEGIN
  INSERT INTO msg_fts(rowid, text) VALUES (new.mid, new.text); END;
CREATE TRIGGER IF NOT EXISTS msgs_ad AFTER DELETE ON msgs BEGIN
  INSERT INTO msg_fts(msg_fts, rowid, text) VALUES ('delete', old.mid, old.text); END;
CREATE TABLE IF NOT EXISTS dirty (path TEXT PRIMARY KEY);
-- The rollouts whose files hold part of a file's thread (history_base), found or not.
CREATE TABLE IF NOT EXISTS bases (fid INTEGER NOT NULL, rollout TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS bases_fid ON bases(fid);
CREATE INDEX IF NOT EXISTS bases_rollout ON bases(rollout);
`;

/**
 * The path is still a regular file with exactly the stored stat (milliseconds, bytes): what says a
 * stored file did not change. Anything that cannot be stat'ed has.
 */
export function statHolds(file: string, stored: FileStat): boolean {
  try {
    const st = statSync(file, { throwIfNoEntry: false });
    return (
      st?.isFile() === true &&
      st.mtimeMs === stored.mtime &&
      st.ctimeMs === stored.ctime &&
      st.size === stored.size
    );
  } catch {
    return false;
  }
}

/** `rl_stat_changed(path, mtime, ctime, size)`: 1 unless {@link statHolds}. */
function statChanged(file: unknown, mtime: unknown, ctime: unknown, size: unknown): number {
  return typeof file === 'string' &&
    typeof mtime === 'number' &&
    typeof ctime === 'number' &&
    typeof size === 'number' &&
    statHolds(file, { mtime, ctime, size })
    ? 0
    : 1;
}

/** Messages compared with a search term in this process (read by tests of the query's shape). */
export const queryCounters = { compared: 0 };

/** A file's identity as `stat` gives it: what the index compares to see a change. */
export interface FileStat {
  mtime: number;
  ctime: number;
  size: number;
}

/** A row of the `files` table as the reconcile compares it. */
export interface StoredFile extends FileStat {
  fid: number;
  path: string;
  racy: number;
}

/** A file to (re)write into the index. */
export interface FileRecord {
  path: string;
  folder: string;
  id: string;
  created: number;
  archived: boolean;
  compressed: boolean;
  stat: FileStat;
  racy: boolean;
  facts: FileFacts;
}

/** A folder's state as stored. */
export interface StoredFolder {
  path: string;
  parent: string | null;
  level: number;
  lo: number;
  hi: number;
  mtime: number;
  ctime: number;
}

/** Creates `dir` (0700) unless it exists; refuses a symlink in its place. */
function privateFolder(dir: string): void {
  try {
    mkdirSync(dir, { mode: DIR_MODE });
  } catch (error) {
    if (!hasErrno(error, 'EEXIST')) throw error;
  }
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
}

/** Creates the database file empty with mode 0600, never through a symlink. */
function privateFile(file: string): void {
  try {
    const fd = openSync(
      file,
      constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW,
      FILE_MODE,
    );
    closeSync(fd);
  } catch (error) {
    if (!hasErrno(error, 'EEXIST')) throw error;
  }
}

/** Drops every table and makes them anew, empty, with a new epoch (inside a write transaction). */
function makeTables(db: Database): void {
  db.exec(
    'DROP TABLE IF EXISTS msg_fts; DROP TABLE IF EXISTS msgs; DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS bases;' +
      'DROP TABLE IF EXISTS folders; DROP TABLE IF EXISTS dirty; DROP TABLE IF EXISTS meta;',
  );
  db.exec(SCHEMA);
  db.prepare('INSERT INTO meta(k, v) VALUES (?, ?)').run('epoch', `${Date.now()}-${randomUUID()}`);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

/**
 * The index database of one home: schema, statements and the writes the reconcile makes. Every
 * method may throw an `SqliteError` (busy, read-only, corrupt); callers fall back to the files.
 */
/** A LIKE pattern for every path below `dir` (its wildcards escaped). */
const likeUnder = (dir: string): string => (dir + path.sep).replace(/[\\%_]/g, (c) => '\\' + c) + '%';
/** The files of a folder and of every folder below it: the folder, then {@link likeUnder}'s pattern. */
const FILES_UNDER = "(folder = ? OR folder LIKE ? ESCAPE '\\')";

/** The columns of a stored file a catch-up checks and files again (`files` as `f`). */
const STORED =
  'f.fid, f.path, f.folder, f.id, f.created, f.archived, f.compressed, f.mtime, f.ctime, f.size, f.racy';

export class IndexStore {
  readonly file: string;
  readonly readonly: boolean;
  private readonly st: Record<string, Statement> = {};
  /** The folder watch of this open index, when the reconcile set one up. */
  watch: FolderWatch | undefined;

  private constructor(
    readonly home: string,
    readonly db: Database,
    readOnly: boolean,
  ) {
    this.file = indexPath(home);
    this.readonly = readOnly;
  }

  /**
   * Opens (with `create`, creating) the index of `home`. A read-only index or home is opened
   * read-only; an index of another schema version is emptied and rebuilt; a corrupt one is
   * deleted and made again (it is a cache). Throws when none of that is possible.
   */
  static open(home: string, { create }: { create: boolean }): IndexStore {
    const Database = loadSqlite();
    const file = indexPath(home);
    const exists = statSync(file, { throwIfNoEntry: false }) !== undefined;
    if (!exists) {
      if (!create) throw Object.assign(new Error('no session index'), { code: 'ENOENT' });
      privateFolder(path.dirname(file));
      privateFile(file);
    }
    if (lstatSync(file).isSymbolicLink()) {
      throw Object.assign(new Error(`${file} is a symbolic link`), { code: 'ELOOP' });
    }
    const attempt = (readOnly: boolean): IndexStore => {
      const db = new Database(file, { readonly: readOnly, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
      try {
        const store = new IndexStore(home, db, readOnly);
        store.prepareSchema();
        return store;
      } catch (error) {
        db.close();
        throw error;
      }
    };
    try {
      return attempt(false);
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || hasErrno(error, 'EACCES', 'EROFS')) {
        return attempt(true);
      }
      if ((code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') && create) {
        removeIndexFiles(home);
        privateFile(file);
        return attempt(false);
      }
      throw error;
    }
  }

  private prepareSchema(): void {
    const { db } = this;
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!this.readonly) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw Object.assign(new Error('WAL mode refused'), { code: 'SQLITE_READONLY' });
      db.pragma('synchronous = NORMAL');
    }
    const version = (): number => Number(db.pragma('user_version', { simple: true }));
    if (version() !== SCHEMA_VERSION) {
      if (this.readonly)
        throw Object.assign(new Error('index of another version'), { code: 'SQLITE_READONLY' });
      // Pages freed by a merge of the full-text segments go back to the file system
      // (mergeSegments); switching an existing file over takes a VACUUM (outside any transaction),
      // cheap while it is empty.
      if (Number(db.pragma('auto_vacuum', { simple: true })) !== 2) {
        db.pragma('auto_vacuum = INCREMENTAL');
        db.exec('VACUUM');
      }
      // Checked again and made in one write transaction: another process may be opening the same
      // new (or just rebuilt) index, and what it made and wrote since our first look must stay.
      db.transaction(() => {
        if (version() === SCHEMA_VERSION) return;
        makeTables(db);
      }).immediate();
    }
    // A corrupt file fails here rather than in the middle of a listing.
    db.prepare('SELECT count(*) FROM meta').get();
    const contains = (text: unknown, term: unknown): number => {
      queryCounters.compared++;
      return typeof text === 'string' && typeof term === 'string' && text.toLowerCase().includes(term)
        ? 1
        : 0;
    };
    db.function('rl_contains', { deterministic: true }, contains);
    db.function('rl_stat_changed', { deterministic: false }, statChanged);
  }

  /**
   * Empties the index in place for a rebuild: the tables made anew in one write transaction, with
   * a new epoch. The file is never deleted, so a process that has it open reads the new tables,
   * never a deleted file or a database beside another one's write-ahead log.
   */
  reset(): void {
    this.write(() => {
      makeTables(this.db);
    });
  }

  /** A cached prepared statement. */
  stmt(sql: string): Statement {
    let s = this.st[sql];
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.st[sql] = s;
    }
    return s;
  }

  close(): void {
    this.watch?.close();
    if (this.db.open) this.db.close();
  }

  /** Changes whenever the tables are made anew (a new schema version): what a watch was set up on. */
  epoch(): string {
    return this.getMeta('epoch') ?? '';
  }

  getMeta(k: string): string | undefined {
    const row = this.stmt('SELECT v FROM meta WHERE k = ?').get(k) as { v: string } | undefined;
    return row?.v;
  }

  setMeta(k: string, v: string): void {
    this.stmt('INSERT INTO meta(k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v').run(k, v);
  }

  folderByPath(dir: string): StoredFolder | undefined {
    return this.stmt('SELECT path, parent, level, lo, hi, mtime, ctime FROM folders WHERE path = ?').get(
      dir,
    ) as StoredFolder | undefined;
  }

  childFolders(dir: string): string[] {
    return this.stmt('SELECT path FROM folders WHERE parent = ?').pluck().all(dir) as string[];
  }

  folders(): StoredFolder[] {
    return this.stmt('SELECT path, parent, level, lo, hi, mtime, ctime FROM folders').all() as StoredFolder[];
  }

  putFolder(f: StoredFolder): void {
    this.stmt(
      'INSERT INTO folders(path, parent, level, lo, hi, mtime, ctime) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT(path) DO UPDATE SET parent = excluded.parent, level = excluded.level, lo = excluded.lo, ' +
        'hi = excluded.hi, mtime = excluded.mtime, ctime = excluded.ctime',
    ).run(f.path, f.parent, f.level, f.lo, f.hi, f.mtime, f.ctime);
  }

  /** Forgets a folder, everything below it and every file in them. */
  dropFolder(dir: string): void {
    const like = likeUnder(dir);
    for (const fid of this.stmt(`SELECT fid FROM files WHERE ${FILES_UNDER}`)
      .pluck()
      .all(dir, like) as number[]) {
      this.dropFid(fid);
    }
    this.stmt("DELETE FROM folders WHERE path = ? OR path LIKE ? ESCAPE '\\'").run(dir, like);
  }

  /** The files under a folder, itself included, with their threads (lower-cased ids). */
  filesUnder(dir: string): { path: string; kid: string }[] {
    return this.stmt(`SELECT path, kid FROM files WHERE ${FILES_UNDER}`).all(dir, likeUnder(dir)) as {
      path: string;
      kid: string;
    }[];
  }

  filesIn(folder: string): StoredFile[] {
    return this.stmt('SELECT fid, path, mtime, ctime, size, racy FROM files WHERE folder = ?').all(
      folder,
    ) as StoredFile[];
  }

  filesOfIds(
    kids: readonly string[],
  ): (StoredFile & { folder: string; archived: number; compressed: number; id: string; created: number })[] {
    if (kids.length === 0) return [];
    return this.stmt(`SELECT ${STORED} FROM files f WHERE f.kid IN (SELECT value FROM json_each(?))`).all(
      JSON.stringify(kids),
    ) as never;
  }

  racyFiles(): (StoredFile & {
    folder: string;
    archived: number;
    compressed: number;
    id: string;
    created: number;
  })[] {
    return this.stmt(`SELECT ${STORED} FROM files f WHERE f.racy = 1`).all() as never;
  }

  /**
   * The paths of the indexed files whose stat (made inside the query, one `stat` a file) is not the
   * stored one, or that are gone or no longer regular files. What a full check reads again; only
   * these reach JS, not a row for each of 100k files. (Rows stored while racy are checked anyway,
   * from {@link IndexStore.racyFiles}.)
   */
  changedFiles(): string[] {
    return this.stmt('SELECT path FROM files WHERE rl_stat_changed(path, mtime, ctime, size)')
      .pluck()
      .all() as string[];
  }

  fileByPath(
    p: string,
  ):
    | (StoredFile & { folder: string; archived: number; compressed: number; id: string; created: number })
    | undefined {
    return this.stmt(`SELECT ${STORED} FROM files f WHERE f.path = ?`).get(p) as never;
  }

  dirtyPaths(): string[] {
    return this.stmt('SELECT path FROM dirty').pluck().all() as string[];
  }

  clearDirty(paths: readonly string[]): void {
    const del = this.stmt('DELETE FROM dirty WHERE path = ?');
    for (const p of paths) del.run(p);
  }

  markDirty(paths: Iterable<string>): void {
    const ins = this.stmt('INSERT OR IGNORE INTO dirty(path) VALUES (?)');
    this.db
      .transaction(() => {
        for (const p of paths) ins.run(p);
      })
      .immediate();
  }

  dropFid(fid: number): void {
    this.stmt('DELETE FROM msgs WHERE fid = ?').run(fid);
    this.stmt('DELETE FROM bases WHERE fid = ?').run(fid);
    this.stmt('DELETE FROM files WHERE fid = ?').run(fid);
  }

  dropPath(p: string): void {
    const fid = this.stmt('SELECT fid FROM files WHERE path = ?').pluck().get(p) as number | undefined;
    if (fid !== undefined) this.dropFid(fid);
  }

  putFile(r: FileRecord): void {
    this.dropPath(r.path);
    const f = r.facts;
    const info = this.stmt(
      'INSERT INTO files(path, folder, id, kid, created, updated, mtime, ctime, size, archived, compressed, ' +
        'status, has_user, source, provider, cwd, racy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      r.path,
      r.folder,
      r.id,
      r.id.toLowerCase(),
      r.created,
      Math.floor(r.stat.mtime),
      r.stat.mtime,
      r.stat.ctime,
      r.stat.size,
      r.archived ? 1 : 0,
      r.compressed ? 1 : 0,
      f.status,
      f.hasUser ? 1 : 0,
      f.sourceLabel,
      f.provider,
      f.cwd,
      r.racy ? 1 : 0,
    );
    if (f.status !== 'ok') return;
    const fid = Number(info.lastInsertRowid);
    const ins = this.stmt('INSERT INTO msgs(fid, line, text) VALUES (?, ?, ?)');
    for (const t of f.texts) ins.run(fid, t.line, t.text);
    const base = this.stmt('INSERT INTO bases(fid, rollout) VALUES (?, ?)');
    for (const b of new Set(f.bases)) base.run(fid, b);
  }

  /** The files whose thread is held in part by one of these rollouts (lower-cased ids). */
  dependentsOf(
    rollouts: readonly string[],
  ): (StoredFile & { folder: string; archived: number; compressed: number; id: string; created: number })[] {
    if (rollouts.length === 0) return [];
    return this.stmt(
      `SELECT DISTINCT ${STORED} FROM bases b JOIN files f ON f.fid = b.fid ` +
        'WHERE b.rollout IN (SELECT value FROM json_each(?))',
    ).all(JSON.stringify(rollouts)) as never;
  }

  /** Runs `fn` in one write transaction (`BEGIN IMMEDIATE`, so a busy lock shows at the start). */
  write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Merges the full-text index into one segment (FTS5 `optimize`), then gives the freed pages back
   * and truncates the write-ahead log. Returns the bytes on disk before and after.
   */
  mergeSegments(): { before: number; after: number } {
    const before = this.bytes();
    this.db.exec("INSERT INTO msg_fts(msg_fts) VALUES ('optimize')");
    this.db.pragma('incremental_vacuum');
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A reader holding the log open only delays the truncation to a later checkpoint.
    }
    return { before, after: this.bytes() };
  }

  /** Bytes on disk: the database and its write-ahead log. */
  bytes(): number {
    const size = (f: string): number => statSync(f, { throwIfNoEntry: false })?.size ?? 0;
    return size(this.file) + size(`${this.file}-wal`);
  }

  counts(): { sessions: number; skipped: number; messages: number } {
    const r = this.stmt("SELECT count(*) AS n, sum(status <> 'ok') AS s FROM files").get() as {
      n: number;
      s: number | null;
    };
    const m = this.stmt('SELECT count(*) FROM msgs').pluck().get() as number;
    return { sessions: r.n - (r.s ?? 0), skipped: r.s ?? 0, messages: m };
  }
}

/** Deletes the index and its WAL and shared-memory files (what a corrupt index leaves). */
export function removeIndexFiles(home: string): void {
  const file = indexPath(home);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
}
