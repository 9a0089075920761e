import { chmod, cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import {
  git,
  hashTree,
  makeHome,
  makeRepo,
  readTree,
  skipDotGit,
  writeTree,
} from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Attributes that make git rewrite bytes between the object store and the disk when it honours
 * them: clean/smudge filters (LFS and a custom one), end-of-line conversion both ways, `$Id$`
 * expansion and re-encoding. Captures and restores must ignore every one of them.
 */
const ATTRIBUTES = [
  '*.psd filter=lfs diff=lfs merge=lfs -text',
  'lfs/** filter=lfs diff=lfs merge=lfs -text',
  '*.up filter=upper',
  '*.crlf text eol=crlf',
  '*.lf text eol=lf',
  '*.auto text=auto',
  '*.id ident',
  '*.u16 working-tree-encoding=UTF-16LE text',
  '',
].join('\n');

const pointer = (oid: string, size: number): string =>
  `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;

/** The files as a user's disk holds them; every one is something a filter or eol rule would change. */
function files(v: string): Record<string, string | Buffer> {
  return {
    '.gitattributes': ATTRIBUTES,
    // LFS pointer files as `git lfs` leaves them when the objects were never fetched.
    'art/cover.psd': pointer('a'.repeat(64), 123456),
    'lfs/model.bin': pointer(`${v}b`.padEnd(64, 'c'), 42),
    // The real content of an LFS-filtered path: binary, CR and LF bytes, NULs, high bytes.
    'art/raw.psd': Buffer.from([0, 13, 10, 10, 13, 255, 254, 0x61, 0x7a, 13, ...Buffer.from(v)]),
    'notes.up': `lower case text ${v}\r\nthat a filter would upper-case\n`,
    // CRLF text under `eol=crlf`: pure CRLF, LF only (git would add CRs), mixed, lone CRs, no final newline.
    'win/pure.crlf': `one\r\ntwo\r\n${v}\r\n`,
    'win/lf-only.crlf': `one\ntwo\n${v}\n`,
    'win/mixed.crlf': `a\r\nb\nc\rd\r\n${v}`,
    'win/lone-cr.crlf': `\r\r\r${v}\r`,
    // CRLF text under `eol=lf` and `text=auto` (git would strip the CRs).
    'unix/has-crlf.lf': `x\r\ny\r\n${v}\r\n`,
    'unix/auto.auto': `p\r\nq\n${v}\r\n`,
    'ident.id': `$Id$\n$Id: 0000000000000000000000000000000000000000 $\n${v}\n`,
    // Under working-tree-encoding git re-encodes; the bytes on disk are UTF-8 with CRLF.
    'enc/text.u16': `héllo ✓\r\n${v}\r\n`,
    'plain/crlf.txt': `no attributes\r\n${v}\r\n`,
  };
}

/**
 * Filters and settings in the user's own repository config that rewrite bytes and log that they
 * ran: the store must never run them or apply them.
 */
async function poisonRepoConfig(ws: string): Promise<string> {
  const evil = await tempDir('ar-snap-filter-');
  const marker = path.join(evil, 'MARKER');
  const script = path.join(evil, 'upper.sh');
  await writeFile(script, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ntr a-z A-Z\n`);
  await chmod(script, 0o755);
  const config = path.join(ws, '.git', 'config');
  await writeFile(
    config,
    `${await readFile(config, 'utf8')}` +
      `[filter "lfs"]\n\tclean = ${script} clean\n\tsmudge = ${script} smudge\n\tprocess = ${script} process\n\trequired = true\n` +
      `[filter "upper"]\n\tclean = ${script} clean\n\tsmudge = ${script} smudge\n\trequired = true\n` +
      `[core]\n\tautocrlf = true\n\teol = crlf\n\tsafecrlf = true\n`,
  );
  return marker;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

describe('CRLF, LFS and filtered files', () => {
  describe.each(['git', 'plain'] as const)('in a %s workspace', (kind) => {
    it('are captured and restored byte-exact, into a new folder and in place', async () => {
      let ws: string;
      let marker: string;
      if (kind === 'git') {
        ws = await makeRepo(files('v1'));
        marker = await poisonRepoConfig(ws);
      } else {
        ws = path.join(await tempDir('ar-snap-plain-'), 'ws');
        await mkdir(ws);
        await writeTree(ws, files('v1'));
        marker = path.join(ws, 'no-marker-expected');
      }
      const gitBefore = kind === 'git' ? await hashTree(path.join(ws, '.git')) : '';
      const v1 = await readTree(ws, { skip: skipDotGit });
      const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
      const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
      expect(m1.skipped).toEqual([]);

      const dest1 = path.join(await tempDir(), 'dest1');
      await store.restore({ sessionId: 's', messageId: 'm1' }, { dest: dest1 });
      expect(await readTree(dest1)).toEqual(v1);

      // New bytes everywhere, one file gone, then back and forth in place.
      await writeTree(ws, files('v2'));
      await rm(path.join(ws, 'win', 'mixed.crlf'));
      const v2 = await readTree(ws, { skip: skipDotGit });
      await store.capture({ sessionId: 's', messageId: 'm2' });
      await store.restore({ sessionId: 's', messageId: 'm1' }, { inPlace: true });
      expect(await readTree(ws, { skip: skipDotGit })).toEqual(v1);
      await store.restore({ sessionId: 's', messageId: 'm2' }, { inPlace: true });
      expect(await readTree(ws, { skip: skipDotGit })).toEqual(v2);
      const dest2 = path.join(await tempDir(), 'dest2');
      await store.restore({ sessionId: 's', messageId: 'm2' }, { dest: dest2 });
      expect(await readTree(dest2)).toEqual(v2);

      expect(await exists(marker)).toBe(false);
      if (kind === 'git') {
        expect(await hashTree(path.join(ws, '.git'))).toBe(gitBefore);
        // The control: git itself, checking out these files in a copy of the repository, runs the
        // filter and converts the line ends, so the bytes above were really at stake.
        const control = path.join(await tempDir(), 'control');
        await cp(ws, control, { recursive: true });
        await rm(path.join(control, 'notes.up'));
        await rm(path.join(control, 'win', 'lf-only.crlf'));
        await git(control, 'checkout', '--', 'notes.up', 'win/lf-only.crlf');
        expect(await exists(marker)).toBe(true);
        expect(await readFile(path.join(control, 'notes.up'), 'utf8')).toMatch(/^LOWER CASE/);
        expect(await readFile(path.join(control, 'win', 'lf-only.crlf'), 'utf8')).toMatch(/^one\r\n/);
      }
    });
  });
});

/** Capture-and-rewind rounds on one small workspace. */
const ROUNDS = 100;

describe("the user's .git", () => {
  it(`is byte-identical after ${ROUNDS} captures and ${ROUNDS} rewinds`, async () => {
    const ws = await makeRepo({
      'README.md': '# hello\n',
      'src/main.c': 'int main(void) { return 0; }\r\n',
      '.gitattributes': '*.c text eol=crlf\n',
      '.gitignore': '*.o\n',
    });
    // A repository mid-work: a staged change, an unstaged one, an untracked and an ignored file.
    await writeTree(ws, { 'staged.txt': 'staged\n' });
    await git(ws, 'add', 'staged.txt');
    await writeTree(ws, { 'README.md': '# hello, edited\n', 'untracked.txt': 'u\n', 'main.o': 'obj\n' });
    const dotGit = path.join(ws, '.git');
    const before = await hashTree(dotGit);

    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const states: Record<string, string>[] = [];
    let rewinds = 0;
    for (let i = 0; i < ROUNDS; i++) {
      // Each round changes a tracked file, adds or removes a file (if the last rewind left it), then captures.
      await writeTree(ws, { 'src/main.c': `int main(void) { return ${i}; }\r\n` });
      if (i % 3 === 0) await writeTree(ws, { [`gen/f${i}.txt`]: `${i}\n` });
      if (i % 3 === 2) await rm(path.join(ws, 'gen', `f${i - 2}.txt`), { force: true });
      await store.capture({ sessionId: 's', messageId: `m${i}` });
      states.push(await readTree(ws, { skip: skipDotGit }));
      // ... and rewinds to an earlier capture, checking the files are exactly as captured then.
      const back = Math.floor(i / 2);
      await store.restore({ sessionId: 's', messageId: `m${back}` }, { inPlace: true });
      rewinds++;
      expect(await readTree(ws, { skip: skipDotGit })).toEqual(states[back]);
    }
    expect(rewinds).toBe(ROUNDS);
    expect(await hashTree(dotGit)).toBe(before);
  });
});
