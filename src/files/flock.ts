import { createRequire } from 'node:module';

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

let loaded: FsExt | undefined;
function fsExt(): FsExt {
  loaded ??= createRequire(import.meta.url)('fs-ext') as FsExt;
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
