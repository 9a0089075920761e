import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './temp.js';

/**
 * A stand-in for the GitHub CLI (`gh` cannot reach GitHub here): a `gh` script on a PATH folder
 * of its own that records each call's arguments, one JSON array per line, and answers the three
 * calls the library makes. `auth status` succeeds unless `loggedIn` is false; `repo create
 * OWNER/NAME` makes a local bare repository `<repos>/OWNER/NAME.git` (failing when it exists, as
 * GitHub does); `repo view OWNER/NAME --json …` prints `{"sshUrl": <that path>, "url": …}`.
 */
export interface StandInGh {
  /** PATH for the process that should find this `gh` first. */
  path: string;
  /** Where created repositories are. */
  repos: string;
  /** Every call's arguments so far. */
  calls(): Promise<string[][]>;
}

export async function standInGh(options: { loggedIn?: boolean } = {}): Promise<StandInGh> {
  const dir = await tempDir('ar-stand-in-gh-');
  const bin = path.join(dir, 'bin');
  const repos = path.join(dir, 'repos');
  const log = path.join(dir, 'calls.jsonl');
  await mkdir(bin);
  await mkdir(repos);
  const script = `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + '\\n');
const repos = ${JSON.stringify(repos)};
if (args[0] === 'auth' && args[1] === 'status') {
  if (${options.loggedIn === false}) { process.stderr.write('You are not logged into any GitHub hosts.\\n'); process.exit(1); }
  process.stderr.write('github.com\\n  Logged in to github.com account stand-in\\n');
  process.exit(0);
}
if (args[0] === 'repo' && (args[1] === 'create' || args[1] === 'view')) {
  const name = args[2] || '';
  if (!/^[A-Za-z0-9-]+\\/[A-Za-z0-9._-]+$/.test(name)) { process.stderr.write('bad name\\n'); process.exit(1); }
  const dir = path.join(repos, name + '.git');
  if (args[1] === 'create') {
    if (fs.existsSync(dir)) { process.stderr.write('GraphQL: Name already exists on this account\\n'); process.exit(1); }
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    execFileSync('git', ['init', '--quiet', '--bare', dir]);
    process.stdout.write('https://github.com/' + name + '\\n');
    process.exit(0);
  }
  if (!fs.existsSync(dir)) { process.stderr.write('GraphQL: Could not resolve to a Repository\\n'); process.exit(1); }
  process.stdout.write(JSON.stringify({ sshUrl: dir, url: 'https://github.com/' + name }) + '\\n');
  process.exit(0);
}
process.stderr.write('stand-in gh: unknown call\\n');
process.exit(2);
`;
  await writeFile(path.join(bin, 'gh'), script);
  await chmod(path.join(bin, 'gh'), 0o755);
  return {
    path: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`,
    repos,
    calls: async () =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
  };
}
