import { createRequire } from 'node:module';
import { RolloutError } from '../errors.js';

/**
 * The one door to `better-sqlite3`, loaded lazily: the index is a cache, so a machine where the
 * addon did not build (no compiler, `--ignore-scripts`, a Node upgrade since) still lists from the
 * files. Only the calls the index makes are typed.
 */

export interface Statement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  pluck(toggle?: boolean): Statement;
  raw(toggle?: boolean): Statement;
}

export interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): Database;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F & { immediate: F };
  function(
    name: string,
    options: { deterministic?: boolean; varargs?: boolean },
    fn: (...args: never[]) => unknown,
  ): Database;
  close(): Database;
  readonly open: boolean;
  readonly inTransaction: boolean;
}

type DatabaseConstructor = new (
  file: string,
  options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number },
) => Database;

let loaded: DatabaseConstructor | undefined;

/**
 * The `Database` class of better-sqlite3, or a `RolloutError` `E_NATIVE` saying how to build it.
 * Failures are not cached, so a rebuild is picked up without a restart. `name` is for tests.
 */
export function loadSqlite(name = 'better-sqlite3'): DatabaseConstructor {
  if (loaded !== undefined && name === 'better-sqlite3') return loaded;
  try {
    const ctor = createRequire(import.meta.url)(name) as DatabaseConstructor;
    if (name === 'better-sqlite3') loaded = ctor;
    return ctor;
  } catch (cause) {
    const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0];
    throw new RolloutError(
      'E_NATIVE',
      `The SQLite addon (${name}) is not built or cannot be loaded: ${reason}. ` +
        'Listing still works from the files, without the session index. It is compiled by node-gyp ' +
        'when the package is installed, which needs a C++ compiler, make and Python 3: install them, ' +
        `then run \`npm rebuild ${name}\`.`,
      { cause },
    );
  }
}

/** The SQLite result codes the index treats as "try later" (another process holds the lock). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** True for an error better-sqlite3 raised (an `SqliteError` with an `SQLITE_*` code). */
export function isSqliteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}
