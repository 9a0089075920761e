import { createRequire } from 'node:module';
import { RolloutError } from '../errors.js';

/**
 * The one wrapper of `flock(2)`, through the maintained native addon `fs-ext` (Node has no
 * `flock`). Used by the session writer lock (synchronous, non-blocking) and the snapshot-store lock
 * (asynchronous, non-blocking, polled by its caller). An `flock` belongs to the open file
 * description: the kernel drops it when every descriptor of it is closed, so a crashed holder never
 * leaves a stale lock.
 */

interface FsExt {
  flockSync(fd: number, flags: 'exnb' | 'un'): void;
  flock(fd: number, flags: 'exnb' | 'un', callback: (error: NodeJS.ErrnoException | null) => void): void;
}

/**
 * Loads the addon (`name` is for tests). It is built by node-gyp at install; when that did not
 * happen (no compiler, `--ignore-scripts`, a Node upgrade since), the require fails and the error
 * says how to build it. Failures are not cached, so a rebuild is picked up without a restart.
 */
export function loadFsExt(name = 'fs-ext'): FsExt {
  try {
    return createRequire(import.meta.url)(name) as FsExt;
  } catch (cause) {
    const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0];
    throw new RolloutError(
      'E_NATIVE',
      `The native flock addon (${name}) is not built or cannot be loaded: ${reason}. ` +
        'Recording and snapshots need it to lock files. It is compiled by node-gyp when the package is ' +
        'installed, which needs a C++ compiler, make and Python 3: install them, then run ' +
        `\`npm rebuild ${name}\`.`,
      { cause },
    );
  }
}

let loaded: FsExt | undefined;
function fsExt(): FsExt {
  loaded ??= loadFsExt();
  return loaded;
}

/** Takes an exclusive lock on `fd` or throws at once (`EWOULDBLOCK`/`EAGAIN` when it is held). */
export function tryLockSync(fd: number): void {
  fsExt().flockSync(fd, 'exnb');
}

/** {@link tryLockSync} off the main thread. */
export function tryLock(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fsExt().flock(fd, 'exnb', (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}
