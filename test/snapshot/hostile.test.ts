import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runGit } from '../../src/files/git.js';
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

const HOOKS = [
  'pre-commit',
  'post-commit',
  'commit-msg',
  'prepare-commit-msg',
  'post-checkout',
  'post-index-change',
  'reference-transaction',
  'pre-push',
  'pre-auto-gc',
  'post-rewrite',
  'fsmonitor-watchman',
];

const savedEnv = { ...process.env };
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

describe('a hostile git environment', () => {
  it('takes no effect on captures, restores, diffs, pushes or deletes', async () => {
    const evil = await tempDir('ar-snap-evil-');
    const marker = path.join(evil, 'MARKER');
    const script = path.join(evil, 'evil.sh');
    // Records that it ran, then behaves like a byte-changing filter (or a failing signer).
    await writeFile(script, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ntr a-z A-Z\n`);
    await chmod(script, 0o755);
    const hooks = path.join(evil, 'hooks');
    await mkdir(hooks);
    for (const h of HOOKS) {
      await writeFile(path.join(hooks, h), `#!/bin/sh\necho ${h} >> '${marker}'\n`);
      await chmod(path.join(hooks, h), 0o755);
    }
    const config = [
      '[user]\n\tsigningKey = NO-SUCH-KEY\n',
      `[commit]\n\tgpgSign = true\n[tag]\n\tgpgSign = true\n\tforceSignAnnotated = true\n`,
      `[gpg]\n\tprogram = ${script}\n`,
      `[core]\n\thooksPath = ${hooks}\n\tautocrlf = true\n\teol = crlf\n\tfsmonitor = ${script}\n` +
        `\tattributesFile = ${path.join(evil, 'attributes')}\n\texcludesFile = ${path.join(evil, 'ignore')}\n`,
      `[filter "lfs"]\n\tclean = ${script}\n\tsmudge = ${script}\n\trequired = true\n`,
      `[diff]\n\texternal = ${script}\n[diff "evil"]\n\ttextconv = ${script}\n`,
      `[init]\n\ttemplateDir = ${evil}\n`,
    ].join('');
    await writeFile(path.join(evil, 'gitconfig'), config);
    await mkdir(path.join(evil, 'xdg', 'git'), { recursive: true });
    await writeFile(path.join(evil, 'xdg', 'git', 'config'), config);
    await writeFile(path.join(evil, 'xdg', 'git', 'attributes'), '* filter=lfs diff=evil\n');
    await writeFile(path.join(evil, 'xdg', 'git', 'ignore'), '*.txt\n');
    await writeFile(path.join(evil, 'attributes'), '* filter=lfs diff=evil\n');
    await writeFile(path.join(evil, 'ignore'), '*.txt\n');

    const content = {
      'doc.txt': 'lower case\r\nand lf\n',
      '.gitattributes': '* filter=lfs text eol=crlf diff=evil\n',
    };
    const ws = await makeRepo(content);
    // The same poison in the user's own repository config.
    await writeFile(
      path.join(ws, '.git', 'config'),
      `${await readFile(path.join(ws, '.git', 'config'), 'utf8')}${config}`,
    );
    const gitBefore = await hashTree(path.join(ws, '.git'));
    const wsBefore = await readTree(ws, { skip: skipDotGit });

    const remote = path.join(await tempDir(), 'remote.git');
    await git(path.dirname(remote), 'init', '--quiet', '--bare', '--template=', remote);

    Object.assign(process.env, {
      HOME: evil,
      XDG_CONFIG_HOME: path.join(evil, 'xdg'),
      GIT_CONFIG_GLOBAL: path.join(evil, 'gitconfig'),
      GIT_CONFIG_SYSTEM: path.join(evil, 'gitconfig'),
      GIT_CONFIG_PARAMETERS: `'core.hookspath'='${hooks}' 'commit.gpgsign'='true'`,
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'core.autocrlf',
      GIT_CONFIG_VALUE_0: 'true',
      GIT_DIR: path.join(ws, '.git'),
      GIT_INDEX_FILE: path.join(ws, '.git', 'index'),
      GIT_WORK_TREE: ws,
      GIT_OBJECT_DIRECTORY: path.join(ws, '.git', 'objects'),
      GIT_EXTERNAL_DIFF: script,
      GIT_SSH_COMMAND: script,
    });

    const home = await makeHome();
    const store = await SnapshotStore.open({ workspace: ws, home });
    const s1 = await store.capture({ sessionId: 's', messageId: 'm1', metadata: { note: 'hostile' } });
    expect(s1.changedFiles.map((f) => f.path).sort()).toEqual(['.gitattributes', 'doc.txt']);
    await writeTree(ws, { 'doc.txt': 'lower case\r\nchanged\r\n', 'new.txt': 'more\n' });
    await store.capture({ sessionId: 's', messageId: 'm2' });
    const d = await store.diff({ sessionId: 's', messageId: 'm1' }, 'workspace', { patch: true });
    expect(d.patch).toContain('+changed\r');
    const dest = path.join(await tempDir(), 'out');
    await store.restore({ sessionId: 's', messageId: 'm1' }, { dest });
    expect(await readTree(dest)).toEqual(wsBefore);
    const rewind = await store.restore({ sessionId: 's', messageId: 'm1' }, { inPlace: true });
    expect(await readTree(ws, { skip: skipDotGit })).toEqual(wsBefore);
    await store.restore(
      { sessionId: rewind.backup.sessionId, messageId: rewind.backup.messageId },
      { inPlace: true },
    );
    await store.push(`file://${remote}`);
    const fromRemote = path.join(await tempDir(), 'remote-out');
    await SnapshotStore.restoreFromRemote(
      `file://${remote}`,
      { sessionId: 's', messageId: 'm1' },
      fromRemote,
    );
    expect(await readTree(fromRemote)).toEqual(wsBefore);
    await store.delete({ sessionId: 's', messageId: 'm2' });

    expect(await exists(marker)).toBe(false);
    expect(await hashTree(path.join(ws, '.git'))).toBe(gitBefore);
    const tag = (await runGit(['for-each-ref', '--format=%(objecttype)', 'refs/tags/'], { gitDir: remote }))
      .stdout;
    expect(tag.split('\n').every((t) => t === 'tag')).toBe(true);
    // Commits and tags are unsigned.
    const raw = (await runGit(['cat-file', 'commit', s1.commit], { gitDir: store.path })).stdout;
    expect(raw).not.toContain('gpgsig');
  });
});
