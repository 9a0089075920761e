import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { cli } from '../cli/helpers.js';
import { makeHome, makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';
import { treePaths } from '../helpers/snapshot-tree.js';
import { tempDir } from '../helpers/temp.js';

async function plainFolder(files: Record<string, string>): Promise<string> {
  const ws = path.join(await tempDir('ar-snap-plain-'), 'ws');
  await mkdir(ws);
  await writeTree(ws, files);
  return ws;
}

const PROJECT = {
  'package.json': '{}\n',
  'src/index.ts': 'export {}\n',
  'src/.env': 'SECRET=1\n',
  'src/gen/out.tmp': 'tmp\n',
  'docs/guide.md': '# guide\n',
  'node_modules/left-pad/index.js': 'module.exports = 1;\n',
  'node_modules/left-pad/package.json': '{}\n',
  'debug.log': 'log\n',
};

describe('a plain folder honours its .gitignore files', () => {
  it('with git semantics: nested files, negation, folder patterns', async () => {
    const ws = await plainFolder({
      ...PROJECT,
      '.gitignore': 'node_modules/\n*.log\n',
      'src/.gitignore': '*.tmp\n!keep.tmp\n/only-here.txt\n',
      'src/keep.tmp': 'kept\n',
      'src/only-here.txt': 'ignored\n',
      'src/deeper/only-here.txt': 'kept: the pattern is anchored\n',
    });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store.path, m1.tree)).toEqual([
      '.gitignore',
      'docs/guide.md',
      'package.json',
      'src/.env',
      'src/.gitignore',
      'src/deeper/only-here.txt',
      'src/index.ts',
      'src/keep.tmp',
    ]);
  });

  it('drops files a .gitignore added later ignores, and takes them back when it goes', async () => {
    const ws = await plainFolder(PROJECT);
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store.path, m1.tree)).toContain('node_modules/left-pad/index.js');
    await writeFile(path.join(ws, '.gitignore'), 'node_modules\n');
    const m2 = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect((await treePaths(store.path, m2.tree)).filter((p) => p.startsWith('node_modules'))).toEqual([]);
    expect(m2.changedFiles).toEqual([
      { path: '.gitignore', status: 'added' },
      { path: 'node_modules/left-pad/index.js', status: 'deleted' },
      { path: 'node_modules/left-pad/package.json', status: 'deleted' },
    ]);
    await rm(path.join(ws, '.gitignore'));
    const m3 = await store.capture({ sessionId: 's', messageId: 'm3' });
    expect(await treePaths(store.path, m3.tree)).toEqual(await treePaths(store.path, m1.tree));
  });
});

describe('include and exclude globs', () => {
  it('apply relative to the root, match dotfiles and folders, exclude wins; per capture over the defaults', async () => {
    const ws = await plainFolder(PROJECT);
    const home = await makeHome();
    const store = await SnapshotStore.open({ workspace: ws, home, exclude: ['node_modules', '**/*.log'] });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store.path, m1.tree)).toEqual([
      'docs/guide.md',
      'package.json',
      'src/.env',
      'src/gen/out.tmp',
      'src/index.ts',
    ]);
    const m2 = await store.capture({
      sessionId: 's',
      messageId: 'm2',
      include: ['src', 'package.json'],
      exclude: ['**/*.tmp'],
    });
    expect(await treePaths(store.path, m2.tree)).toEqual(['package.json', 'src/.env', 'src/index.ts']);
    expect(m2.changedFiles).toEqual([
      { path: 'docs/guide.md', status: 'deleted' },
      { path: 'src/gen/out.tmp', status: 'deleted' },
    ]);
    // Back to the store's defaults: what was filtered out comes back.
    const m3 = await store.capture({ sessionId: 's', messageId: 'm3' });
    expect(m3.tree).toBe(m1.tree);
    expect((await store.diff({ sessionId: 's', messageId: 'm3' }, 'workspace')).files).toEqual([]);
  });

  it('filter a Git workspace the same way, tracked files included', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n', 'docs/x.md': 'x\n' });
    await writeTree(ws, { 'docs/new.md': 'n\n', 'b.txt': 'b\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1', exclude: ['docs/**'] });
    expect(await treePaths(store.path, m1.tree)).toEqual(['a.txt', 'b.txt']);
  });

  it('refuses patterns that can never match a workspace path', async () => {
    const ws = await plainFolder({ 'a.txt': 'a\n' });
    const home = await makeHome();
    for (const bad of [[''], ['/abs/**'], ['!negated'], ['a/../b'], [42], 'src/**']) {
      await expect(
        SnapshotStore.open({ workspace: ws, home, include: bad as unknown as string[] }),
      ).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    }
    const store = await SnapshotStore.open({ workspace: ws, home });
    await expect(store.capture({ sessionId: 's', messageId: 'm', exclude: ['/x'] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
  });

  it('are taken by `rollouts snapshot --include/--exclude`, repeatable', async () => {
    const ws = await plainFolder(PROJECT);
    const home = await makeHome();
    const r = await cli([
      'snapshot',
      ws,
      '--session',
      '01a1fca4-bae3-7302-8aa2-92f8ac31aa3a',
      '--new-session',
      '--message',
      'm',
      '--include',
      'src/**',
      '--include',
      'docs',
      '--exclude',
      '**/*.tmp',
      '--exclude',
      '**/.env',
      '--home',
      home,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const store = await SnapshotStore.open({ workspace: ws, home });
    const [snap] = await store.list();
    expect(await treePaths(store.path, snap!.tree)).toEqual(['docs/guide.md', 'src/index.ts']);
  });
});
