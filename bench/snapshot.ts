/**
 * `npm run bench -- snapshot [files] [rounds]`: workspace snapshots on a generated Git workspace
 * (default 20 000 files, about 200 MB, cached in bench/.data/).
 *
 * Measures the first capture, a capture after 10 edits, a capture with no change, a restore into a
 * new folder, an in-place rewind of 10 edits (backup capture, manifest, staged writes) and its
 * undo (restoring the backup in place). Baselines in the same run, on the same files:
 * raw plumbing with a persistent index (`add -A`, `write-tree`, `commit-tree`, `update-ref`) and
 * the same plumbing with a fresh temporary index per capture.
 */
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGit } from '../src/files/git.js';
import { SnapshotStore } from '../src/snapshot/snapshot-store.js';
import { mib, prng, table, timed } from './_util.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const WORDS =
  'const let function return import export await async value index store snapshot file path tree commit'.split(
    ' ',
  );

async function generate(dir: string, files: number): Promise<string[]> {
  const marker = path.join(dir, '.bench-ready');
  const names = Array.from({ length: files }, (_, i) => `pkg${String(i % 200).padStart(3, '0')}/mod${i}.ts`);
  if (
    await stat(marker).then(
      () => true,
      () => false,
    )
  )
    return names;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const rand = prng(42);
  let bytes = 0;
  for (const name of names) {
    const target = 2_000 + Math.floor(rand() * 16_000);
    const lines: string[] = [];
    let size = 0;
    while (size < target) {
      const line =
        Array.from({ length: 8 }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ') +
        ` ${Math.floor(rand() * 1e9)};`;
      lines.push(line);
      size += line.length + 1;
    }
    await mkdir(path.join(dir, path.dirname(name)), { recursive: true });
    await writeFile(path.join(dir, name), `${lines.join('\n')}\n`);
    bytes += size;
  }
  await runGit(['init', '--quiet', '--template='], { cwd: dir });
  await writeFile(path.join(dir, '.gitignore'), '.bench-ready\n');
  await runGit(['add', '-A'], { cwd: dir, timeout: 600_000 });
  await runGit(['commit', '--quiet', '-m', 'generated'], { cwd: dir, timeout: 600_000 });
  // Real repositories keep most objects packed.
  await runGit(['repack', '-a', '-d', '-q', '--window=0'], { cwd: dir, timeout: 600_000 });
  await writeFile(marker, `${bytes}\n`);
  return names;
}

/** The raw plumbing every snapshot tool is built on, with a persistent or a fresh index. */
function plumbing(gitDir: string, workTree: string, indexFile: () => string) {
  let parent: string | undefined;
  return async (): Promise<void> => {
    const index = indexFile();
    const o = { gitDir, workTree, indexFile: index, cwd: workTree, timeout: 600_000 };
    await runGit(['add', '-A'], o);
    const tree = (await runGit(['write-tree'], o)).stdout;
    const commit = (await runGit(['commit-tree', ...(parent ? ['-p', parent] : []), '-m', 'x', tree], o))
      .stdout;
    await runGit(['update-ref', 'refs/heads/main', commit], o);
    parent = commit;
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(0)} ms`;

export default async function bench(args: string[]): Promise<void> {
  const files = Number(args[0] ?? 20_000);
  const rounds = Number(args[1] ?? 5);
  const ws = path.join(here, '.data', `snapshot-ws-${files}`);
  console.log(`generating ${files} files in ${ws} (cached between runs)…`);
  const names = await generate(ws, files);
  const bytes = Number(await readFile(path.join(ws, '.bench-ready'), 'utf8'));
  console.log(`workspace: ${files} files, ${mib(bytes)}`);

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ar-bench-snapshot-'));
  try {
    const rawDir = path.join(scratch, 'raw.git');
    const freshDir = path.join(scratch, 'fresh.git');
    for (const d of [rawDir, freshDir])
      await runGit(['init', '--quiet', '--bare', '--template=', d], { cwd: scratch });
    const raw = plumbing(rawDir, ws, () => path.join(rawDir, 'index'));
    let n = 0;
    const fresh = plumbing(freshDir, ws, () => path.join(freshDir, `tmp-index-${n++}`));

    const store = await SnapshotStore.open({ workspace: ws, home: path.join(scratch, 'home') });
    const first = await timed(() => store.capture({ sessionId: 'bench', messageId: 'm0' }));
    const rawFirst = await timed(raw);
    const freshFirst = await timed(fresh);

    const rand = prng(7);
    const edit10 = async (round: number): Promise<void> => {
      for (let i = 0; i < 10; i++) {
        const name = names[Math.floor(rand() * names.length)]!;
        await appendFile(path.join(ws, name), `// edit ${round}.${i}\n`);
      }
    };
    const ours: number[] = [];
    const rawT: number[] = [];
    const freshT: number[] = [];
    const oursNone: number[] = [];
    const rawNone: number[] = [];
    const rewind: number[] = [];
    const undo: number[] = [];
    let msg = 1;
    for (let r = 0; r < rounds; r++) {
      await edit10(r);
      // Alternate who goes first so neither always profits from a warm page cache.
      if (r % 2 === 0) {
        ours.push((await timed(() => store.capture({ sessionId: 'bench', messageId: `m${msg++}` }))).ms);
        rawT.push((await timed(raw)).ms);
      } else {
        rawT.push((await timed(raw)).ms);
        ours.push((await timed(() => store.capture({ sessionId: 'bench', messageId: `m${msg++}` }))).ms);
      }
      freshT.push((await timed(fresh)).ms);
      oursNone.push((await timed(() => store.capture({ sessionId: 'bench', messageId: `m${msg++}` }))).ms);
      rawNone.push((await timed(raw)).ms);
      const target = { sessionId: 'bench', messageId: `m${msg - 1}` };
      await edit10(100 + r);
      const rw = await timed(() => store.restore(target, { inPlace: true }));
      if (rw.value.written.length === 0) throw new Error('the rewind wrote nothing');
      rewind.push(rw.ms);
      const { sessionId, messageId } = rw.value.backup;
      const un = await timed(() => store.restore({ sessionId, messageId }, { inPlace: true }));
      if (un.value.written.length === 0) throw new Error('the undo wrote nothing');
      undo.push(un.ms);
    }
    const dest = path.join(scratch, 'restored');
    const restore = await timed(() => store.restore({ sessionId: 'bench', messageId: 'm0' }, { dest }));

    // Paired ratios (ours and the baseline measured back to back on the same edits) cancel the
    // drift of a shared, noisy machine better than a ratio of two medians.
    const paired = (a: number[], b: number[]): number => median(a.map((x, i) => x / b[i]!));
    const fig = (xs: number[]): string => `${ms(median(xs))} (best ${ms(Math.min(...xs))})`;
    const inc = median(ours);
    table([
      ['measure', 'agent-rollouts', 'raw plumbing', 'fresh index', 'ratio (median of paired rounds)'],
      [
        'first capture',
        ms(first.ms),
        ms(rawFirst.ms),
        ms(freshFirst.ms),
        `${(first.ms / rawFirst.ms).toFixed(2)}× raw`,
      ],
      [
        'capture after 10 edits',
        fig(ours),
        fig(rawT),
        fig(freshT),
        `${paired(ours, rawT).toFixed(2)}× raw (target ≤ 1.3); fresh is ${paired(freshT, ours).toFixed(1)}× ours (target ≥ 10)`,
      ],
      ['capture, no change', fig(oursNone), fig(rawNone), '', `${paired(oursNone, rawNone).toFixed(2)}× raw`],
      ['restore into a new folder', ms(restore.ms), '', '', ''],
      [
        'in-place rewind of 10 edits',
        fig(rewind),
        '',
        '',
        `${(median(rewind) / inc).toFixed(2)}× incremental capture (target ≤ 3)`,
      ],
      ['undo of that rewind', fig(undo), '', '', `${(median(undo) / inc).toFixed(2)}× incremental capture`],
    ]);
    console.log(
      `raw plumbing vs fresh index: fresh is ${paired(freshT, rawT).toFixed(1)}× raw on this machine`,
    );
    console.log(`changed files in first capture: ${first.value.changedFiles.length}; rounds: ${rounds}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
