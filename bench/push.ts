/**
 * `npm run bench -- push [files]`: the cost of redacting a snapshot push. A generated Git workspace
 * (default 5,000 text files of ~4 KiB, one of them holding an AWS key) is captured, then pushed to
 * fresh bare remotes: with `redact: false` (the baseline: git's own push of the same snapshots)
 * and with redaction (every object the remote lacks is scanned, the tainted snapshot copied). Then
 * 10 files change, a second snapshot is captured, and both remotes get the incremental push: the
 * scan covers only the objects the remote does not have yet.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runGit } from '../src/files/git.js';
import { SnapshotStore } from '../src/snapshot/snapshot-store.js';
import { mib, prng, table, timed } from './_util.js';

const WORDS =
  'const let function return import export await async value index store snapshot file path'.split(' ');

export default async function bench(args: string[]): Promise<void> {
  const files = Number(args[0] ?? 5000);
  const root = await mkdtemp(path.join(os.tmpdir(), 'ar-bench-push-'));
  try {
    const ws = path.join(root, 'ws');
    await mkdir(ws);
    const rand = prng(7);
    let bytes = 0;
    const names: string[] = [];
    for (let i = 0; i < files; i++) {
      const name = `pkg${String(i % 100).padStart(3, '0')}/mod${i}.ts`;
      names.push(name);
      let text = '';
      while (text.length < 4096)
        text += `${WORDS[Math.floor(rand() * WORDS.length)]} ${WORDS[Math.floor(rand() * WORDS.length)]}_${i};\n`;
      if (i === 17) text += "export const key = 'AKIAQWERTYUIOPASDFGH';\n";
      await mkdir(path.dirname(path.join(ws, name)), { recursive: true });
      await writeFile(path.join(ws, name), text);
      bytes += text.length;
    }
    await runGit(['init', '--quiet', '--template='], { cwd: ws });
    const home = path.join(root, 'home');
    await mkdir(home);
    const store = await SnapshotStore.open({ workspace: ws, home });
    await store.capture({ sessionId: 's', messageId: 'm1' });
    console.log(`workspace: ${files} files, ${mib(bytes)}; one holds a secret`);

    const remotes: Record<'plain' | 'redacted', string> = { plain: '', redacted: '' };
    for (const k of ['plain', 'redacted'] as const) {
      remotes[k] = path.join(root, `${k}.git`);
      await runGit(['init', '--quiet', '--bare', '--template=', remotes[k]], { cwd: root });
    }
    const push = (k: 'plain' | 'redacted') =>
      timed(() => store.push(`file://${remotes[k]}`, { redact: k === 'redacted' }));
    const firstPlain = await push('plain');
    const firstRedacted = await push('redacted');
    if (firstRedacted.value.redactions.length !== 1) throw new Error('the planted secret was not redacted');

    for (const name of names.slice(100, 110)) await writeFile(path.join(ws, name), `changed ${name}\n`);
    await store.capture({ sessionId: 's', messageId: 'm2' });
    const nextPlain = await push('plain');
    const nextRedacted = await push('redacted');

    table([
      ['push', 'plain ms', 'redacted ms', 'redacted / plain'],
      [
        `first (${files} files)`,
        firstPlain.ms.toFixed(0),
        firstRedacted.ms.toFixed(0),
        `${(firstRedacted.ms / firstPlain.ms).toFixed(2)}×`,
      ],
      [
        'next (10 files changed)',
        nextPlain.ms.toFixed(0),
        nextRedacted.ms.toFixed(0),
        `${(nextRedacted.ms / nextPlain.ms).toFixed(2)}×`,
      ],
    ]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
