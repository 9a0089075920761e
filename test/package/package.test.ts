import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFsExt } from '../../src/files/flock.js';

/**
 * The package as npm ships it: packed with `npm pack` (scripts off; dist/ is built here first when
 * it is missing or stale, as `prepack` would), unpacked into a project's node_modules, with the
 * dependencies linked from this checkout's install. Nothing here reads the checkout's own files
 * where the packed ones are meant.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
};

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function buildIfStale(): void {
  const index = path.join(root, 'dist', 'index.js');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(path.join(root, 'src'))) return;
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    { cwd: root, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
}

interface Packed {
  /** The paths npm put in the tarball, relative to the package root. */
  files: string[];
  /** The tarball. */
  tarball: string;
}

function pack(dest: string): Packed {
  const r = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  const [info] = JSON.parse(r.stdout) as [{ filename: string; files: { path: string }[] }];
  return { files: info.files.map((f) => f.path).sort(), tarball: path.join(dest, info.filename) };
}

/**
 * A project with the packed package in node_modules/agent-rollouts and every dependency linked;
 * `fsExt: 'unbuilt'` installs fs-ext as `npm install --ignore-scripts` leaves it (no build/).
 */
function install(packed: Packed, project: string, fsExt: 'built' | 'unbuilt'): string {
  const modules = path.join(project, 'node_modules');
  const dir = path.join(modules, 'agent-rollouts');
  mkdirSync(dir, { recursive: true });
  const tar = spawnSync('tar', ['-xzf', packed.tarball, '-C', dir, '--strip-components=1'], {
    encoding: 'utf8',
  });
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
  for (const dep of Object.keys(pkg.dependencies)) {
    const from = path.join(root, 'node_modules', dep);
    if (dep === 'fs-ext' && fsExt === 'unbuilt') {
      cpSync(from, path.join(modules, dep), {
        recursive: true,
        filter: (src) => !src.startsWith(path.join(from, 'build')),
      });
    } else {
      // Scoped packages (@scope/name) need their scope folder first.
      mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
      symlinkSync(from, path.join(modules, dep), 'dir');
    }
  }
  return project;
}

/** Runs a script in `project` with node; returns status and output. */
function node(project: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Shared by the whole file (the helpers' tempDir is emptied after every test).
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ar-pkg-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let packed: Packed;
let project: string;
let shipped: string;

beforeAll(() => {
  buildIfStale();
  packed = pack(scratch);
  project = install(packed, path.join(scratch, 'project'), 'built');
  shipped = path.join(project, 'node_modules', 'agent-rollouts');
}, 120_000);

describe('what npm ships', () => {
  it('LICENSE, README, package.json, dist, schema and src: nothing else', () => {
    expect([...new Set(packed.files.map((f) => f.split('/')[0]))].sort()).toEqual([
      'LICENSE',
      'README.md',
      'dist',
      'package.json',
      'schema',
      'src',
    ]);
    const license = readFileSync(path.join(shipped, 'LICENSE'), 'utf8');
    expect(license.split('\n').slice(0, 3)).toEqual([
      'MIT License',
      '',
      'Copyright (c) 2026 agent-rollouts contributors',
    ]);
    expect(JSON.parse(readFileSync(path.join(shipped, 'package.json'), 'utf8'))).toMatchObject({
      license: 'MIT',
    });
  });

  it('every source map, and every sourceMappingURL, points at shipped files', () => {
    const files = new Set(packed.files);
    const maps = packed.files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const dangling: string[] = [];
    for (const map of maps) {
      const { sources, sourceRoot } = JSON.parse(readFileSync(path.join(shipped, map), 'utf8')) as {
        sources: string[];
        sourceRoot?: string;
      };
      for (const source of sources) {
        const target = path.posix.normalize(
          path.posix.join(path.posix.dirname(map), sourceRoot ?? '', source),
        );
        if (!files.has(target)) dangling.push(`${map} → ${source}`);
      }
    }
    for (const file of packed.files.filter((f) => /\.(js|d\.ts)$/.test(f))) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(
        readFileSync(path.join(shipped, file), 'utf8'),
      )?.[1];
      if (url === undefined) continue;
      const target = path.posix.join(path.posix.dirname(file), url);
      if (!files.has(target)) dangling.push(`${file} → ${url}`);
    }
    expect(dangling).toEqual([]);
  });

  it('the exports map points at shipped files, and every schema is exported', () => {
    const targets = Object.values(pkg.exports).flatMap((t) =>
      typeof t === 'string' ? [t] : Object.values(t),
    );
    const missing = targets
      .filter((t) => !t.includes('*'))
      .filter((t) => !packed.files.includes(path.posix.normalize(t)));
    expect(missing).toEqual([]);
    expect(pkg.exports['./schema/*.json']).toBe('./schema/*.json');
    const schemas = readdirSync(path.join(root, 'schema')).filter((f) => f.endsWith('.json'));
    expect(schemas.length).toBeGreaterThan(0);
    expect(packed.files.filter((f) => f.startsWith('schema/'))).toEqual(
      schemas.map((f) => `schema/${f}`).sort(),
    );
  });
});

describe('a packed install', () => {
  it('resolves and imports agent-rollouts/schema/<name>.json', () => {
    const names = readdirSync(path.join(shipped, 'schema')).map((f) => f.replace(/\.json$/, ''));
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const out = {};
      for (const name of ${JSON.stringify(names)}) {
        const spec = 'agent-rollouts/schema/' + name + '.json';
        const schema = (await import(spec, { with: { type: 'json' } })).default;
        out[name] = { esm: import.meta.resolve(spec), cjs: require.resolve(spec), id: schema.$id };
      }
      console.log(JSON.stringify(out));`;
    const r = node(project, ['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, { esm: string; cjs: string; id: string }>;
    for (const name of names) {
      const file = path.join(shipped, 'schema', `${name}.json`);
      expect(out[name]).toEqual({
        esm: `file://${file}`,
        cjs: file,
        id: expect.stringMatching(/^urn:agent-rollouts:schema:/),
      });
    }
  });

  it('imports the library and lists an empty home', () => {
    const home = path.join(scratch, 'empty-home');
    mkdirSync(home, { recursive: true });
    const r = node(project, [
      '--input-type=module',
      '-e',
      `import { listSessions } from 'agent-rollouts';
       console.log(JSON.stringify(await listSessions({ home: ${JSON.stringify(home)} })));`,
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ sessions: [], nextCursor: null });
  });

  it('does not resolve files outside the exports map', () => {
    const r = node(project, [
      '--input-type=module',
      '-e',
      `import.meta.resolve('agent-rollouts/dist/index.js')`,
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  // require(esm) is on by default since Node 20.19 and 22.12; before, and with it switched off,
  // require() of this ESM-only package throws ERR_REQUIRE_ESM.
  const requireEsm = 'require_module' in process.features;
  it.runIf(requireEsm)('require("agent-rollouts") loads the ESM build through require(esm)', () => {
    const r = node(project, ['-e', `console.log(typeof require('agent-rollouts').listSessions)`]);
    expect(r.stdout).toBe('function\n');
    expect(r.status).toBe(0);
  });

  it.runIf(requireEsm)('without require(esm), require("agent-rollouts") throws ERR_REQUIRE_ESM', () => {
    const r = node(project, [
      '--no-experimental-require-module',
      '-e',
      `try { require('agent-rollouts') } catch (e) { console.log(e.code) }`,
    ]);
    expect(r.stdout).toBe('ERR_REQUIRE_ESM\n');
  });
});

describe('the native flock addon', () => {
  const hint =
    'Recording and snapshots need it to lock files. It is compiled by node-gyp when the package is ' +
    'installed, which needs a C++ compiler, make and Python 3: install them, then run `npm rebuild fs-ext`.';

  it('a module that cannot be required is an E_NATIVE RolloutError that says how to fix it', () => {
    let error: unknown;
    try {
      loadFsExt('fs-ext-not-installed');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      name: 'RolloutError',
      code: 'E_NATIVE',
      message: expect.stringMatching(
        /^The native flock addon \(fs-ext-not-installed\) is not built or cannot be loaded: Cannot find module 'fs-ext-not-installed'\. /,
      ),
      cause: { code: 'MODULE_NOT_FOUND' },
    });
    expect((error as Error).message).toContain('`npm rebuild fs-ext-not-installed`');
  });

  it('installed with --ignore-scripts (fs-ext not built): reading works, recording and snapshots say how to build it', () => {
    const unbuilt = install(packed, path.join(scratch, 'unbuilt'), 'unbuilt');
    const home = path.join(scratch, 'unbuilt-home');
    const workspace = path.join(scratch, 'unbuilt-ws');
    mkdirSync(home, { recursive: true });
    mkdirSync(workspace, { recursive: true });
    const script = `
      import { RolloutRecorder, SnapshotStore, listSessions } from 'agent-rollouts';
      const home = ${JSON.stringify(home)};
      const out = { listed: (await listSessions({ home })).sessions.length };
      const fail = (e) => ({ name: e.name, code: e.code, message: e.message });
      out.record = await RolloutRecorder.create({ cwd: home, home, git: false }).then(() => 'ok', fail);
      out.snapshot = await SnapshotStore.open({ workspace: ${JSON.stringify(workspace)}, home }).then(() => 'ok', fail);
      console.log(JSON.stringify(out));`;
    const r = node(unbuilt, ['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    const failure = {
      name: 'RolloutError',
      code: 'E_NATIVE',
      message: expect.stringMatching(
        /^The native flock addon \(fs-ext\) is not built or cannot be loaded: Cannot find module '\.\/build\/Release\/fs_ext\.node'\. /,
      ),
    };
    const out = JSON.parse(r.stdout) as { record: { message: string } };
    expect(out).toEqual({ listed: 0, record: failure, snapshot: failure });
    expect(out.record.message.endsWith(hint)).toBe(true);

    const bin = path.join(unbuilt, 'node_modules', 'agent-rollouts', 'dist', 'cli', 'bin.js');
    const cli = node(unbuilt, [
      bin,
      'snapshot',
      workspace,
      '--session',
      '01a1fca4-bae3-7302-8aa2-92f8ac31aa3a',
      '--new-session',
      '--message',
      'm',
      '--home',
      home,
    ]);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(
      /^error: The native flock addon \(fs-ext\) is not built or cannot be loaded: /,
    );
    expect(cli.stderr.trimEnd().endsWith(hint)).toBe(true);
  });
});
