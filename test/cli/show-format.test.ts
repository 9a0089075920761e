import { lstat, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { cli, seedSessions } from './helpers.js';

describe('rollouts show --format md|html', () => {
  it('prints Markdown to standard output', async () => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 1);
    const r = await cli(['show', id!, '--home', home, '--format', 'md']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^# Session `/);
    expect(r.out).toContain('## User');
    expect(r.out).toContain('**Tool call** `shell`');
  });

  it('writes HTML to --out through a 0600 file, and refuses to replace it without --force', async () => {
    const home = await tempDir();
    const dir = await tempDir();
    const [id] = await seedSessions(home, 1);
    const out = path.join(dir, 'session.html');
    expect((await cli(['show', id!, '--home', home, '--format', 'html', '--out', out])).code).toBe(0);
    expect(await readFile(out, 'utf8')).toMatch(/^<!doctype html>/);
    expect((await lstat(out)).mode & 0o777).toBe(0o600);
    const again = await cli(['show', id!, '--home', home, '--format', 'html', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('exists; pass --force');
    expect((await cli(['show', id!, '--home', home, '--format', 'html', '--out', out, '--force'])).code).toBe(
      0,
    );
    expect((await readdir(dir)).sort()).toEqual(['session.html']); // no temp file left
  });

  it('refuses a symbolic link and a file inside the home', async () => {
    const home = await tempDir();
    const dir = await tempDir();
    const [id] = await seedSessions(home, 1);
    await writeFile(path.join(dir, 'target'), 'keep');
    await symlink(path.join(dir, 'target'), path.join(dir, 'link.md'));
    const viaLink = await cli([
      'show',
      id!,
      '--home',
      home,
      '--format',
      'md',
      '--out',
      path.join(dir, 'link.md'),
      '--force',
    ]);
    expect(viaLink.code).toBe(1);
    expect(viaLink.err).toContain('symbolic link');
    expect(await readFile(path.join(dir, 'target'), 'utf8')).toBe('keep');
    const inHome = await cli([
      'show',
      id!,
      '--home',
      home,
      '--format',
      'md',
      '--out',
      path.join(home, 'x.md'),
    ]);
    expect(inHome.code).toBe(1);
    expect(inHome.err).toContain('inside the home');
  });

  it.each([
    [['--json'], '--json and --format md cannot be used together'],
    [['--raw'], '--raw and --format md cannot be used together'],
  ])('refuses %j with --format md', async (extra, message) => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 1);
    const r = await cli(['show', id!, '--home', home, '--format', 'md', ...extra]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('refuses --out without a document format', async () => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 1);
    const r = await cli(['show', id!, '--home', home, '--out', path.join(home, '..', 'x')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--out needs --format md or html');
  });
});

describe('rollouts export --format md|html --out DIR', () => {
  it.each([
    ['html', 'index.html'],
    ['md', 'index.md'],
  ])('writes one %s file per session and an index linking them', async (format, index) => {
    const home = await tempDir();
    const parent = await tempDir();
    const ids = await seedSessions(home, 3);
    const out = path.join(parent, 'export');
    const r = await cli(['export', '--home', home, '--format', format, '--out', out]);
    expect(r.err).toContain('3 sessions exported');
    expect(r.code).toBe(0);
    const files = (await readdir(out)).sort();
    expect(files).toEqual([...ids.map((id) => `${id}.${format}`), index].sort());
    const indexText = await readFile(path.join(out, index), 'utf8');
    for (const id of ids) expect(indexText).toContain(`${id}.${format}`);
    expect((await lstat(out)).mode & 0o777).toBe(0o700);
  });

  it('needs --out, refuses a folder inside the home or a link, and --force to replace files', async () => {
    const home = await tempDir();
    const parent = await tempDir();
    await seedSessions(home, 1);
    expect((await cli(['export', '--home', home, '--format', 'html'])).err).toContain('needs --out DIR');
    expect(
      (await cli(['export', '--home', home, '--format', 'html', '--out', path.join(home, 'x')])).err,
    ).toContain('inside the home');
    await mkdir(path.join(parent, 'real'));
    await symlink(path.join(parent, 'real'), path.join(parent, 'link'));
    expect(
      (await cli(['export', '--home', home, '--format', 'html', '--out', path.join(parent, 'link')])).err,
    ).toContain('symbolic link');
    const out = path.join(parent, 'out');
    expect((await cli(['export', '--home', home, '--format', 'md', '--out', out])).code).toBe(0);
    const again = await cli(['export', '--home', home, '--format', 'md', '--out', out]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('pass --force');
    expect((await cli(['export', '--home', home, '--format', 'md', '--out', out, '--force'])).code).toBe(0);
  });
});
