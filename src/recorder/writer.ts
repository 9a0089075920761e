import {
  closeSync,
  constants,
  fstatSync,
  fsync,
  fsyncSync,
  linkSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { RolloutIOError, hasErrno } from '../errors.js';
import { FILE_MODE, mkdirPrivateSync } from '../files/layout.js';
import type { Durability } from './options.js';

const fsyncAsync = promisify(fsync);

/** Size of the reusable batch buffer: the largest single write of whole lines. */
const BATCH_BYTES = 1024 * 1024;
/** Queue size at which `'none'` starts writing on its own. */
const BATCH_CHARS = BATCH_BYTES;

const RESOLVED: Promise<void> = Promise.resolve();

/** Options of an {@link AppendWriter}. */
export interface AppendWriterOptions {
  durability: Durability;
  /** Queue bound (UTF-16 code units) past which `enqueue` returns a promise that waits for a write. */
  maxQueuedBytes: number;
  /** True for a new session: the file must not exist yet and is created at the first write. */
  create: boolean;
  /** Called after a flush wrote at least one batch (must be cheap: it runs on the write path). */
  onWritten?: (() => void) | undefined;
}

/** Counters read by tests and benchmarks to see the writer's syscalls. */
export interface WriterStats {
  /** `write` calls (a short write completed by a second call counts twice). */
  writes: number;
  /** Batches written (each is one or more whole lines). */
  batches: number;
  /** `fsync` calls on the file. */
  fsyncs: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The append-only writer of one rollout file.
 *
 * @remarks
 * Lines are queued whole, in call order, and written in batches of whole lines, one batch at a time;
 * a short write is completed from the same batch before anything else is written, and the session
 * lock keeps every other writer out, so no line is ever interleaved or split by another write.
 *
 * Writes are synchronous, as Node's own stdout is for files: a batch lands in the OS page cache in
 * microseconds, while an asynchronous write costs a thread-pool round trip per batch (about 2.5×
 * slower at one flush per 20 items). It also makes `flushSync()` exact: there is never a write in
 * flight that it could overtake. `fsync`, which can take milliseconds, runs off the main thread.
 *
 * A failed write keeps its batch (and where it stopped) and every queued line; the next attempt
 * resumes from there, so nothing is lost or written twice.
 *
 * A new file is first written as a hidden staging file beside it
 * (`.rollout-….jsonl.<pid>.tmp`) and linked into place once its first batch, which starts with
 * `session_meta`, is complete: a crash never leaves an empty rollout or one with a torn
 * `session_meta`, which no reader could use. A crash between the two steps can leave the hidden
 * staging file behind; it is not a rollout name and is ignored by readers and listers.
 */
export class AppendWriter {
  readonly path: string;
  readonly stats: WriterStats = { writes: 0, batches: 0, fsyncs: 0 };

  private readonly durability: Durability;
  private readonly maxQueued: number;
  private readonly onWritten: (() => void) | undefined;
  private fd: number | undefined;
  /** Whether the file exists at its path (created by this writer, or there already). */
  private opened: boolean;
  /** The staging file of a new rollout, until its first batch is linked into place. */
  private staging: string | undefined;
  private queue: string[] = [];
  private queuedChars = 0;
  /** Reused for every batch that fits, so steady recording allocates no buffers. */
  private buffer: Buffer | undefined;
  /** The batch being written: bytes `[batchOffset, batchEnd)` are still to be written. */
  private batch: Buffer | undefined;
  private batchOffset = 0;
  private batchEnd = 0;
  private drainScheduled = false;
  /** A background write's failure that no caller has been told of yet. */
  private unreported: RolloutIOError | undefined;
  private waiters: Waiter[] = [];
  /** Folders whose entries must be fsynced once (new file, new folders), in `'fsync'` mode. */
  private dirsToSync: string[] = [];
  /** The last fsync issued: each waits for the one before, and close() for all of them. */
  private syncing: Promise<void> = RESOLVED;

  constructor(file: string, options: AppendWriterOptions) {
    this.path = file;
    this.durability = options.durability;
    this.maxQueued = options.maxQueuedBytes;
    this.onWritten = options.onWritten;
    this.opened = !options.create;
  }

  /** Characters queued and not yet written (excluding a batch being retried). */
  get queuedSize(): number {
    return this.queuedChars;
  }

  /**
   * Queues whole lines, each a JSON text without its `\n` (the writer ends every line with one, so
   * the copy into the batch needs no concatenation). Resolves at once while the queue is within its bound; past it, waits for
   * the next write. Rejects with a background write's failure not yet reported (the lines stay
   * queued either way).
   */
  enqueue(lines: readonly string[]): Promise<void> {
    for (const line of lines) {
      this.queue.push(line);
      this.queuedChars += line.length;
    }
    if (this.unreported !== undefined) {
      const error = this.unreported;
      this.unreported = undefined;
      return Promise.reject(error);
    }
    if (this.queuedChars > this.maxQueued) {
      this.scheduleDrain();
      return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    }
    if (this.durability !== 'none' || this.queuedChars >= BATCH_CHARS) this.scheduleDrain();
    return RESOLVED;
  }

  /**
   * Writes everything queued, then (in `'fsync'` mode) fsyncs. Rejects with a
   * {@link RolloutIOError} naming the file; what was not written stays queued for the next call.
   */
  async flush(): Promise<void> {
    this.writeAll();
    if (this.durability === 'fsync' && this.fd !== undefined) {
      const fd = this.fd;
      // Chained, so the fd is never closed (or replaced) under an fsync still queued.
      const sync = this.syncing.then(() => this.syncAsync(fd));
      this.syncing = sync.catch(() => {});
      await sync;
    }
  }

  /** {@link AppendWriter.flush}, synchronously (fsync included), for exit hooks. */
  flushSync(): void {
    this.writeAll();
    if (this.durability === 'fsync' && this.fd !== undefined) {
      const fd = this.fd;
      this.guard('fsync', () => {
        fsyncSync(fd);
      });
      this.stats.fsyncs++;
      this.syncDirsSync();
    }
  }

  /** Flushes, then closes the file. On failure the file stays open and the call can be retried. */
  async close(): Promise<void> {
    await this.flush();
    await this.syncing;
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      this.guard('close', () => {
        closeSync(fd);
      });
    }
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      try {
        this.writeQueued();
        this.settleWaiters(undefined);
      } catch (error) {
        if (this.waiters.length > 0) this.settleWaiters(error);
        else this.unreported = error as RolloutIOError;
      }
    });
  }

  private settleWaiters(error: unknown): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      if (error === undefined) w.resolve();
      else w.reject(error);
    }
  }

  /** Writes the queue and re-links a removed file; the shared part of every flush. */
  private writeAll(): void {
    // This attempt supersedes an earlier background failure: it either writes everything or
    // reports its own error.
    this.unreported = undefined;
    try {
      this.writeQueued();
      if (this.fd !== undefined && this.staging === undefined) this.relinkIfRemoved(this.fd);
    } catch (error) {
      this.settleWaiters(error);
      throw error;
    }
    this.settleWaiters(undefined);
  }

  private writeQueued(): void {
    let wrote = false;
    for (;;) {
      if (this.batch === undefined) {
        if (this.staging !== undefined && this.fd !== undefined) this.publish(this.fd);
        if (!this.fillBatch()) {
          if (wrote) this.onWritten?.();
          return;
        }
      }
      const fd = this.open();
      const batch = this.batch!;
      while (this.batchOffset < this.batchEnd) {
        let written: number;
        try {
          written = writeSync(fd, batch, this.batchOffset, this.batchEnd - this.batchOffset);
        } catch (cause) {
          throw new RolloutIOError('append to', this.path, cause);
        }
        this.batchOffset += written;
        this.stats.writes++;
      }
      this.batch = undefined;
      this.stats.batches++;
      wrote = true;
    }
  }

  /**
   * Encodes whole lines off the queue into the reusable batch buffer, as many as fit (a line larger
   * than the buffer gets a buffer of its own). Returns false when the queue is empty.
   */
  private fillBatch(): boolean {
    const queue = this.queue;
    if (queue.length === 0) return false;
    const buffer = (this.buffer ??= Buffer.allocUnsafe(BATCH_BYTES));
    let i = 0;
    let used = 0;
    let chars = 0;
    let batch = buffer;
    while (i < queue.length) {
      const line = queue[i]!;
      // A UTF-16 code unit takes at most 3 bytes, so the exact count is needed only near the end.
      if (used + line.length * 3 + 1 > buffer.length && used + Buffer.byteLength(line) + 1 > buffer.length) {
        if (used === 0) {
          batch = Buffer.from(`${line}\n`, 'utf8');
          used = batch.length;
          chars += line.length;
          i++;
        }
        break;
      }
      used += buffer.write(line, used);
      buffer[used++] = 0x0a;
      chars += line.length;
      i++;
    }
    this.batch = batch;
    this.batchOffset = 0;
    this.batchEnd = used;
    this.queuedChars -= chars;
    // Drop the taken lines so their strings can be collected.
    this.queue = i === queue.length ? [] : queue.slice(i);
    return true;
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    // Read access too, so a file removed while open can be copied back (recreateFrom).
    const flags = constants.O_RDWR | constants.O_APPEND;
    if (this.opened) {
      this.fd = this.guard('open', () => openSync(this.path, flags));
      return this.fd;
    }
    const dir = path.dirname(this.path);
    this.noteNewEntries(this.guard('create the folder of', () => mkdirPrivateSync(dir)));
    const staging = path.join(dir, `.${path.basename(this.path)}.${process.pid}.tmp`);
    this.fd = this.guard('create', () =>
      openSync(staging, flags | constants.O_CREAT | constants.O_TRUNC, FILE_MODE),
    );
    this.staging = staging;
    return this.fd;
  }

  /** Links the staging file, holding at least one whole batch, into place. */
  private publish(fd: number): void {
    const staging = this.staging!;
    try {
      // link, unlike rename, refuses to replace a file that appeared at the path meanwhile.
      linkSync(staging, this.path);
    } catch (cause) {
      if (!hasErrno(cause, 'ENOENT')) throw new RolloutIOError('create', this.path, cause);
      // The staging file (or its folder) was removed: write its open copy to the path instead.
      this.recreateFrom(fd);
    }
    try {
      unlinkSync(staging);
    } catch (cause) {
      if (!hasErrno(cause, 'ENOENT')) throw new RolloutIOError('remove the staging file', staging, cause);
    }
    this.staging = undefined;
    this.opened = true;
  }

  /** Remembers the folders whose entries are new, to fsync them in `'fsync'` mode. */
  private noteNewEntries(firstCreatedDir: string | undefined): void {
    if (this.durability !== 'fsync') return;
    const dir = path.dirname(this.path);
    const dirs = [dir];
    if (firstCreatedDir !== undefined) {
      for (let d = dir; d !== path.dirname(firstCreatedDir) && d !== path.dirname(d); d = path.dirname(d)) {
        dirs.push(path.dirname(d));
      }
    }
    this.dirsToSync.push(...dirs.filter((d) => !this.dirsToSync.includes(d)));
  }

  /**
   * When the file (or its folder) was removed while open, the bytes written since went to an
   * unlinked file that no reader will ever see. Recreate the file at its path from the open copy,
   * so every acknowledged line is still on disk.
   */
  private relinkIfRemoved(fd: number): void {
    if (this.guard('stat', () => fstatSync(fd)).nlink > 0) return;
    this.recreateFrom(fd);
  }

  /** Creates the file at its path (which must be free) with the whole content of `fd`, and writes to it from then on. */
  private recreateFrom(fd: number): void {
    const first = this.guard('recreate the folder of', () => mkdirPrivateSync(path.dirname(this.path)));
    this.noteNewEntries(first);
    const flags = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL;
    const copy = this.guard('recreate', () => openSync(this.path, flags, FILE_MODE));
    try {
      const buffer = Buffer.allocUnsafe(BATCH_BYTES);
      for (let position = 0; ;) {
        const n = readSync(fd, buffer, 0, buffer.length, position);
        if (n === 0) break;
        for (let done = 0; done < n;) done += writeSync(copy, buffer, done, n - done);
        position += n;
      }
    } catch (cause) {
      closeSync(copy);
      // A partial copy would be taken for the whole session; remove it so the next flush retries.
      try {
        unlinkSync(this.path);
      } catch {
        // The copy's own failure is the one to report.
      }
      throw new RolloutIOError('recreate', this.path, cause);
    }
    closeSync(fd);
    this.fd = copy;
  }

  private async syncAsync(fd: number): Promise<void> {
    try {
      await fsyncAsync(fd);
    } catch (cause) {
      throw new RolloutIOError('fsync', this.path, cause);
    }
    this.stats.fsyncs++;
    while (this.dirsToSync.length > 0) {
      const dir = this.dirsToSync[0]!;
      let dfd: number;
      try {
        dfd = openSync(dir, constants.O_RDONLY);
      } catch (cause) {
        throw new RolloutIOError('open the folder', dir, cause);
      }
      try {
        await fsyncAsync(dfd);
      } catch (cause) {
        throw new RolloutIOError('fsync the folder', dir, cause);
      } finally {
        closeSync(dfd);
      }
      this.dirsToSync.shift();
    }
  }

  private syncDirsSync(): void {
    while (this.dirsToSync.length > 0) {
      const dir = this.dirsToSync[0]!;
      try {
        const dfd = openSync(dir, constants.O_RDONLY);
        try {
          fsyncSync(dfd);
        } finally {
          closeSync(dfd);
        }
      } catch (cause) {
        throw new RolloutIOError('fsync the folder', dir, cause);
      }
      this.dirsToSync.shift();
    }
  }

  /** Runs a file-system call, turning its failure into a {@link RolloutIOError} on this file. */
  private guard<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      if (cause instanceof RolloutIOError) throw cause;
      throw new RolloutIOError(operation, this.path, cause);
    }
  }
}
