import { lstat, mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { cli, seedSessions } from './helpers.js';

/** The files of `dir` (no leftover temporary file may stay behind). */
const names = async (dir: string): Promise<string[]> => (await readdir(dir)).sort();

describe('rollouts export never destroys or hijacks its target', () => {
  it('leaves an existing file untouched when the home does not exist', async () => {
    const dir = await tempDir();
    const notes = path.join(dir, 'notes.txt');
    await writeFile(notes, 'IMPORTANT\n');
    const r = await cli(['export', '--home', path.join(dir, 'typo'), '--out', notes]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/does not exist/);
    expect(await readFile(notes, 'utf8')).toBe('IMPORTANT\n');
    expect(await names(dir)).toEqual(['notes.txt']);
  });

  it('leaves an existing file untouched on a bad option', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const dir = await tempDir();
    const notes = path.join(dir, 'notes.txt');
    await writeFile(notes, 'IMPORTANT\n');
    const r = await cli(['export', '--home', home, '--out', notes, '--force', '--since', 'someday']);
    expect(r.code).toBe(2);
    expect(await readFile(notes, 'utf8')).toBe('IMPORTANT\n');
  });

  it('refuses to replace a file without --force, and replaces it with', async () => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 1);
    const dir = await tempDir();
    const notes = path.join(dir, 'notes.txt');
    await writeFile(notes, 'IMPORTANT\n', { mode: 0o644 });
    const r = await cli(['export', '--home', home, '--out', notes]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/exists.*--force/);
    expect(await readFile(notes, 'utf8')).toBe('IMPORTANT\n');
    const forced = await cli(['export', '--home', home, '--out', notes, '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(JSON.parse((await readFile(notes, 'utf8')).trimEnd())).toMatchObject({ session_id: id });
    expect((await stat(notes)).mode & 0o777).toBe(0o600);
    expect(await names(dir)).toEqual(['notes.txt']);
  });

  it('creates its file 0600, with nothing else left in the folder', async () => {
    const home = await tempDir();
    await seedSessions(home, 2);
    const dir = await tempDir();
    const out = path.join(dir, 'x.jsonl');
    const r = await cli(['export', '--home', home, '--out', out], { env: {} });
    expect(r.code, r.err).toBe(0);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(await names(dir)).toEqual(['x.jsonl']);
  });

  it('never writes through a symbolic link, even with --force', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const dir = await tempDir();
    const victim = path.join(dir, 'victim.txt');
    await writeFile(victim, 'IMPORTANT\n');
    const link = path.join(dir, 'link.jsonl');
    await symlink(victim, link);
    const dangling = path.join(dir, 'dangling.jsonl');
    await symlink(path.join(dir, 'nowhere'), dangling);
    for (const target of [link, dangling]) {
      for (const extra of [[], ['--force']]) {
        const r = await cli(['export', '--home', home, '--out', target, ...extra]);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/symbolic link/);
      }
    }
    expect(await readFile(victim, 'utf8')).toBe('IMPORTANT\n');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(dangling)).toBe(path.join(dir, 'nowhere'));
    expect(await names(dir)).toEqual(['dangling.jsonl', 'link.jsonl', 'victim.txt']);
  });

  it('refuses a target inside the home, a rollout of it above all, even through a link', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const [day] = await readdir(path.join(home, 'sessions', '2026', '11'));
    const folder = path.join(home, 'sessions', '2026', '11', day!);
    const [rollout] = await readdir(folder);
    const before = await readFile(path.join(folder, rollout!), 'utf8');
    const r = await cli(['export', '--home', home, '--out', path.join(folder, rollout!), '--force']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/inside the home/);
    expect(await readFile(path.join(folder, rollout!), 'utf8')).toBe(before);
    const fresh = await cli(['export', '--home', home, '--out', path.join(home, 'export.jsonl')]);
    expect(fresh.code).toBe(1);
    expect(fresh.err).toMatch(/inside the home/);
    // The same folder named through a link to it.
    const elsewhere = await tempDir();
    await symlink(home, path.join(elsewhere, 'h'));
    const linked = await cli(['export', '--home', home, '--out', path.join(elsewhere, 'h', 'x.jsonl')]);
    expect(linked.code).toBe(1);
    expect(linked.err).toMatch(/inside the home/);
    expect(await names(home)).toEqual(['sessions', 'thread-writer-locks']);
  });

  it('says a missing folder or a folder target in one line, no stack trace', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const dir = await tempDir();
    await mkdir(path.join(dir, 'sub'));
    for (const [target, message] of [
      [path.join(dir, 'no', 'dir', 'x.jsonl'), /folder .* does not exist/],
      [path.join(dir, 'sub'), /is a folder/],
    ] as const) {
      const r = await cli(['export', '--home', home, '--out', target]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at |run with --debug/);
    }
  });

  it('writes to standard output with no --out or with --out -', async () => {
    const home = await tempDir();
    const ids = await seedSessions(home, 2);
    for (const args of [[], ['--out', '-']]) {
      const r = await cli(['export', '--home', home, ...args]);
      expect(r.code, r.err).toBe(0);
      const rows = r.out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { session_id: string });
      expect(rows.map((x) => x.session_id)).toEqual([ids[1], ids[0]]);
      expect(r.err).toBe('2 sessions exported\n');
    }
  });
});
