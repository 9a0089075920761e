import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeCommit } from '../../src/snapshot/capture.js';
import { runGit } from '../../src/files/git.js';
import { objectId, writeLooseObject } from '../../src/snapshot/loose-object.js';
import { tempDir } from '../helpers/temp.js';

async function bareRepo(): Promise<string> {
  const gitDir = path.join(await tempDir('ar-loose-'), 'store.git');
  await runGit(['init', '--quiet', '--bare', '--template=', '--object-format=sha1', gitDir]);
  return gitDir;
}

async function gitIn(gitDir: string, args: string[], input?: string, env?: Record<string, string>) {
  return (await runGit(args, { gitDir, cwd: gitDir, input, env })).stdout;
}

const MESSAGES = [
  'agent-rollouts workspace snapshot\n\n{"session_id":"s"}\n',
  // Multi-byte text, a line break in a value (escaped by JSON), and an empty line kept verbatim.
  'agent-rollouts workspace snapshot\n\n{"message_id":"ünï\\ncødé ✓ 𝄞","metadata":{"x":"-- a"}}\n',
  'agent-rollouts workspace snapshot\n\n\n{"trailing":"  spaces  "}   \n\n',
];

describe('loose objects written without git', () => {
  it.each(MESSAGES.map((m, i) => [i, m] as const))(
    'writes commit %i byte-identical to git commit-tree, and git reads it back',
    async (_, message) => {
      const gitDir = await bareRepo();
      const blob = await gitIn(gitDir, ['hash-object', '-w', '--stdin'], 'content\n');
      const tree = await gitIn(gitDir, ['mktree'], `100644 blob ${blob}\tfile.txt\n`);
      const seconds = 1_800_000_000;
      const date = `${seconds} +0000`;
      const env = { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };

      const root = writeLooseObject(gitDir, 'commit', encodeCommit(tree, undefined, seconds, message));
      const child = writeLooseObject(gitDir, 'commit', encodeCommit(tree, root, seconds, message));

      const byGit = await gitIn(
        gitDir,
        ['commit-tree', '--no-gpg-sign', '-F', '-', '--end-of-options', tree],
        message,
        env,
      );
      const childByGit = await gitIn(
        gitDir,
        ['commit-tree', '--no-gpg-sign', '-p', root, '-F', '-', '--end-of-options', tree],
        message,
        env,
      );
      expect(root).toBe(byGit);
      expect(child).toBe(childByGit);

      const shown = await runGit(['cat-file', 'commit', child], { gitDir, cwd: gitDir, binary: true });
      expect(shown.stdout.equals(encodeCommit(tree, root, seconds, message))).toBe(true);
      expect(await gitIn(gitDir, ['cat-file', '-p', child])).toBe(
        `tree ${tree}\nparent ${root}\n` +
          `author agent-rollouts <agent-rollouts@localhost> ${date}\n` +
          `committer agent-rollouts <agent-rollouts@localhost> ${date}\n\n${message}`.replace(/\n$/, ''),
      );
      await gitIn(gitDir, ['update-ref', 'refs/heads/main', child]);
      await gitIn(gitDir, ['fsck', '--strict', '--no-dangling', '--no-progress']);
    },
  );

  it('names, compresses and protects an object as git does, and writes it once', async () => {
    const gitDir = await bareRepo();
    const body = Buffer.from('hello\n');
    const oid = writeLooseObject(gitDir, 'blob', body);
    expect(oid).toBe(objectId('blob', body));
    expect(oid).toBe(await gitIn(gitDir, ['hash-object', '--stdin'], 'hello\n'));
    const file = path.join(gitDir, 'objects', oid.slice(0, 2), oid.slice(2));
    expect(inflateSync(await readFile(file)).toString()).toBe('blob 6\0hello\n');
    expect((await stat(file)).mode & 0o222).toBe(0);
    // Again: the existing object is kept, no temporary file is left behind.
    expect(writeLooseObject(gitDir, 'blob', body)).toBe(oid);
    expect(await readdir(path.dirname(file))).toEqual([oid.slice(2)]);
    expect(await gitIn(gitDir, ['cat-file', '-p', oid])).toBe('hello');
  });
});
