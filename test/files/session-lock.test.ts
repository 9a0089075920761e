import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SessionLockedError } from '../../src/errors.js';
import { homePaths } from '../../src/files/layout.js';
import { acquireSessionLock, isSessionLocked } from '../../src/files/session-lock.js';
import { tempDir } from '../helpers/temp.js';

const ID = '01a1fca4-bae3-7302-8aa2-92f8ac31aa3a';

describe('session lock', () => {
  it('is exclusive within one process, and released by release()', async () => {
    const home = await tempDir();
    const lock = acquireSessionLock(home, ID);
    expect(lock.path).toBe(homePaths.lock(home, ID));
    let error: unknown;
    try {
      acquireSessionLock(home, ID);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SessionLockedError);
    expect((error as SessionLockedError).lockPath).toBe(lock.path);
    expect((error as SessionLockedError).id).toBe(ID);
    lock.release();
    lock.release();
    acquireSessionLock(home, ID).release();
  });

  it('creates its folder 0700 and file 0600', async () => {
    const home = await tempDir();
    acquireSessionLock(home, ID).release();
    expect(statSync(homePaths.locks(home)).mode & 0o777).toBe(0o700);
    expect(statSync(homePaths.lock(home, ID)).mode & 0o777).toBe(0o600);
  });

  it('names the lock after the lower-case id', async () => {
    const home = await tempDir();
    const lock = acquireSessionLock(home, ID.toUpperCase());
    expect(lock.path).toBe(homePaths.lock(home, ID));
    expect(isSessionLocked(home, ID)).toBe(true);
    lock.release();
  });

  it('is probed by isSessionLocked without creating anything', async () => {
    const home = await tempDir();
    expect(isSessionLocked(home, ID)).toBe(false);
    expect(existsSync(homePaths.lock(home, ID))).toBe(false);
    const lock = acquireSessionLock(home, ID);
    expect(isSessionLocked(home, ID)).toBe(true);
    // The probe must not take or drop the holder's lock.
    expect(isSessionLocked(home, ID)).toBe(true);
    lock.release();
    expect(isSessionLocked(home, ID)).toBe(false);
  });
});

describe('session lock ids', () => {
  it.each([
    ['a path that climbs out of the home', '../../../escaped/01a1fca4-bae3-7302-8aa2-92f8ac31aa3a'],
    ['an empty id', ''],
    ['an id with a newline', '01a1fca4-bae3-7302-8aa2-92f8ac31aa3a\n'],
    ['an absolute path', '/tmp/x'],
    ['a non-string', 7 as unknown as string],
  ])('refuses %s, creating nothing', async (_what, id) => {
    const home = await tempDir();
    expect(() => acquireSessionLock(home, id)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }) as Error,
    );
    expect(() => isSessionLocked(home, id)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }) as Error,
    );
    expect(existsSync(homePaths.locks(home))).toBe(false);
  });
});

describe('who holds the lock', () => {
  it('says so when the holder is this process, and another process otherwise', async () => {
    const home = await tempDir();
    const lock = acquireSessionLock(home, ID);
    let mine: unknown;
    try {
      acquireSessionLock(home, ID);
    } catch (e) {
      mine = e;
    }
    expect(mine).toBeInstanceOf(SessionLockedError);
    expect((mine as SessionLockedError).heldByThisProcess).toBe(true);
    expect((mine as Error).message).toBe(
      `Session ${ID} is already open for writing in this process (lock ${lock.path}). ` +
        'Close that recorder before resuming the session again.',
    );
    lock.release();
    acquireSessionLock(home, ID).release();
  });
});
