import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { link, lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from './context.js';
import type { CliIO } from './io.js';

/** Where an export goes: written piece by piece, then put in place (or thrown away) at the end. */
export interface ExportTarget {
  /** The file as the user named it, for messages; undefined for standard output. */
  readonly label: string | undefined;
  write(text: string): Promise<void>;
  /** Bytes (a Parquet file's pieces), after everything written before. */
  writeBytes(bytes: Uint8Array): Promise<void>;
  /** Puts the finished file in place. */
  commit(): Promise<void>;
  /** Removes what was written; the target is left as it was. */
  abort(): Promise<void>;
}

/** Bytes gathered before one write to the file. */
const BATCH = 1024 * 1024;

/** Standard output, waiting for it to drain when it says so (a pipe), so memory stays bounded. */
function stdoutTarget(io: CliIO): ExportTarget {
  const out = io.stdout as { write(text: string): unknown; once?: (e: string, f: () => void) => unknown };
  return {
    label: undefined,
    async write(text) {
      if (out.write(text) === false && typeof out.once === 'function') {
        await new Promise<void>((resolve) => out.once!('drain', resolve));
      }
    },
    async writeBytes(bytes) {
      if (out.write(bytes as unknown as string) === false && typeof out.once === 'function') {
        await new Promise<void>((resolve) => out.once!('drain', resolve));
      }
    },
    commit: async () => {},
    abort: async () => {},
  };
}

/** `child` is `parent` or below it (both real paths). */
const within = (parent: string, child: string): boolean => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
};

/**
 * Checks the target of `--out` and opens a temporary file beside it (same folder, exclusive create,
 * 0600, never following a link). Refused: a folder that does not exist, a target that is a folder,
 * a symbolic link or not a regular file, an existing file without `force`, and anything inside the
 * home (compared as real paths, so a link to the home does not hide it). Nothing is created or
 * changed unless every check passes; `-` or no value is standard output.
 */
export async function openExportTarget(
  out: string | undefined,
  options: { io: CliIO; home: string; force: boolean },
): Promise<ExportTarget> {
  const { io, home, force } = options;
  if (out === undefined || out === '-') return stdoutTarget(io);
  const target = path.resolve(io.cwd, out);
  const dir = path.dirname(target);
  const dirStat = await stat(dir).catch(() => undefined);
  if (dirStat === undefined) throw new CliError(`--out ${out}: the folder ${dir} does not exist`);
  if (!dirStat.isDirectory()) throw new CliError(`--out ${out}: ${dir} is not a folder`);
  const existing = await lstat(target).catch(() => undefined);
  if (existing !== undefined) {
    if (existing.isSymbolicLink())
      throw new CliError(`--out ${out} is a symbolic link; export never writes through one`);
    if (existing.isDirectory()) throw new CliError(`--out ${out} is a folder; name a file in it`);
    if (!existing.isFile())
      throw new CliError(`--out ${out} is not a regular file; use --out - and redirect instead`);
  }
  const realDir = await realpath(dir);
  // A home that does not exist holds nothing to protect; its path is still refused.
  const realHome = await realpath(home).catch(() => path.resolve(home));
  if (within(realHome, path.join(realDir, path.basename(target)))) {
    throw new CliError(`--out ${out} is inside the home ${home}; export somewhere else`);
  }
  if (existing !== undefined && !force) {
    throw new CliError(`--out ${out} exists; pass --force to replace it`);
  }

  const temp = path.join(realDir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
  const fh: FileHandle = await open(temp, flags, 0o600);
  let closed = false;
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    pendingBytes = 0;
    await fh.writeFile(text);
  };
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  return {
    label: out,
    async write(text) {
      pending.push(text);
      pendingBytes += text.length;
      if (pendingBytes >= BATCH) await flush();
    },
    async writeBytes(bytes) {
      await flush();
      await fh.writeFile(bytes);
    },
    async commit() {
      await flush();
      await fh.chmod(0o600);
      await fh.sync();
      await close();
      const finalTarget = path.join(realDir, path.basename(target));
      if (force) {
        // A rename replaces the name itself: a link put there meanwhile is replaced, never followed.
        await rename(temp, finalTarget);
      } else {
        // A hard link fails if the name was taken meanwhile: never a silent replace.
        try {
          await link(temp, finalTarget);
        } catch (error) {
          await unlink(temp).catch(() => {});
          if ((error as NodeJS.ErrnoException).code === 'EEXIST')
            throw new CliError(`--out ${out} appeared while exporting; pass --force to replace it`);
          throw error;
        }
        await unlink(temp);
      }
    },
    async abort() {
      await close().catch(() => {});
      await unlink(temp).catch(() => {});
    },
  };
}
