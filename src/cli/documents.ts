import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { homeOfRollout } from '../files/locate.js';
import { resolveHome } from '../files/layout.js';
import type { RolloutProblem } from '../reader/stream.js';
import type { IndexEntry } from '../transcript/index-page.js';
import { indexDocument } from '../transcript/index-page.js';
import type { TranscriptFormat } from '../transcript/render.js';
import { normalizeTranscriptOptions, transcriptChunks } from '../transcript/render.js';
import { CliError } from './context.js';
import { openExportTarget } from './export-target.js';
import type { CliIO } from './io.js';

/** How `show --format md|html` and `export --format md|html` write a document. */
export interface DocumentOptions {
  format: TranscriptFormat;
  full: boolean;
  force: boolean;
  /** The home named on the command line (snapshots are read from it, and nothing is written in it). */
  home: string | undefined;
  warn: (problem: RolloutProblem) => void;
}

/** The home `--out` must stay out of: the one named, else `$CODEX_HOME`, else `~/.codex`. */
const protectedHome = (io: CliIO, home: string | undefined): string =>
  resolveHome(home ?? io.env['CODEX_HOME']);

/** Streams the transcript of `file` to `out` (a file written safely, or standard output). */
export async function writeDocument(
  io: CliIO,
  file: string,
  options: DocumentOptions & { out: string | undefined },
): Promise<void> {
  const target = await openExportTarget(options.out, {
    io,
    home: protectedHome(io, options.home),
    force: options.force,
  });
  let done = false;
  try {
    for await (const chunk of transcriptChunks(file, settings(file, options))) await target.write(chunk);
    await target.commit();
    done = true;
  } finally {
    if (!done) await target.abort();
  }
}

function settings(file: string, options: DocumentOptions): ReturnType<typeof normalizeTranscriptOptions> {
  return normalizeTranscriptOptions({
    format: options.format,
    full: options.full,
    home: options.home ?? homeOfRollout(file),
    onProblem: options.warn,
  });
}

/**
 * The folder of `export --format md|html --out DIR`: made (0700) when missing, its parent must
 * exist; refused when it is a symbolic link, not a folder, or inside the home.
 */
export async function openExportFolder(io: CliIO, out: string, home: string | undefined): Promise<string> {
  const dir = path.resolve(io.cwd, out);
  const st = await lstat(dir).catch(() => undefined);
  if (st?.isSymbolicLink())
    throw new CliError(`--out ${out} is a symbolic link; export never writes through one`);
  if (st !== undefined && !st.isDirectory()) throw new CliError(`--out ${out} is not a folder`);
  const parent = path.dirname(dir);
  const parentStat = await lstat(parent).catch(() => undefined);
  if (st === undefined && parentStat === undefined)
    throw new CliError(`--out ${out}: the folder ${parent} does not exist`);
  const realHome = await realpath(protectedHome(io, home)).catch(() => path.resolve(protectedHome(io, home)));
  const real = path.join(await realpath(parent), path.basename(dir));
  const rel = path.relative(realHome, real);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)))
    throw new CliError(`--out ${out} is inside the home; export somewhere else`);
  if (st === undefined) await mkdir(real, { mode: 0o700 });
  // Made or found: it must still be a folder and not a link (lstat again, no race to follow one).
  const again = await lstat(real);
  if (!again.isDirectory() || again.isSymbolicLink()) throw new CliError(`--out ${out} is not a folder`);
  return real;
}

/** Writes one session's document into the export folder; its entry for the index. */
export async function exportDocument(
  io: CliIO,
  dir: string,
  file: string,
  entry: Omit<IndexEntry, 'file'>,
  options: DocumentOptions,
): Promise<IndexEntry> {
  const name = `${entry.id.replace(/[^A-Za-z0-9._-]/g, '_')}.${options.format === 'markdown' ? 'md' : 'html'}`;
  await writeDocument(io, file, { ...options, out: path.join(dir, name) });
  return { ...entry, file: name };
}

/** Writes the export's index page (`index.md` or `index.html`) linking every document. */
export async function writeIndex(
  io: CliIO,
  dir: string,
  entries: readonly IndexEntry[],
  options: DocumentOptions,
): Promise<void> {
  const name = options.format === 'markdown' ? 'index.md' : 'index.html';
  const target = await openExportTarget(path.join(dir, name), {
    io,
    home: protectedHome(io, options.home),
    force: options.force,
  });
  try {
    await target.write(indexDocument(entries, options.format, io.now()));
    await target.commit();
  } catch (error) {
    await target.abort();
    throw error;
  }
}
