#!/usr/bin/env node
// `npm run demo`: the whole library in one run. Builds if needed, records a three-turn session
// with a tool call and a snapshot after each assistant message in a small Git workspace, then shows
// what `rollouts ls`, `show`, `diff` (turn 1 → turn 3) and `restore` (turn 1) give.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'dist', 'cli', 'bin.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

// Build when dist/ is missing or older than any source file.
if (
  !existsSync(bin) ||
  statSync(path.join(root, 'dist', 'index.js')).mtimeMs < newestMtime(path.join(root, 'src'))
) {
  console.log('building…');
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}

const { RolloutRecorder, readRollout } = await import(
  pathToFileURL(path.join(root, 'dist', 'index.js')).href
);

const bold = (s) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${s}\u001b[22m` : s);
const heading = (s) => console.log(`\n${bold(`━━ ${s} ━━`)}`);

const base = mkdtempSync(path.join(os.tmpdir(), 'agent-rollouts-demo-'));
const home = path.join(base, 'home');
const workspace = path.join(base, 'workspace');
mkdirSync(path.join(workspace, 'src'), { recursive: true });

const git = (...args) =>
  execFileSync(
    'git',
    ['-c', 'user.name=demo', '-c', 'user.email=demo@localhost', '-c', 'commit.gpgSign=false', ...args],
    {
      cwd: workspace,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
writeFileSync(path.join(workspace, 'README.md'), '# calc\n\nA tiny calculator.\n');
writeFileSync(path.join(workspace, 'src', 'calc.js'), 'export const add = (a, b) => a - b;\n');
git('init', '--quiet', '--initial-branch=main');
git('add', '-A');
git('commit', '--quiet', '-m', 'initial');

heading('recording a three-turn session');
const rec = await RolloutRecorder.create({ cwd: workspace, home, modelProvider: 'openai' });

// Turn 1: the user reports a bug; the agent runs the tests (a tool call) and fixes it.
await rec.recordUserMessage('add() subtracts instead of adding. Please fix it.');
await rec.record([
  {
    type: 'response_item',
    payload: {
      type: 'function_call',
      name: 'shell',
      arguments: JSON.stringify({ command: ['node', '--test'] }),
      call_id: 'call_1',
    },
  },
  {
    type: 'response_item',
    payload: {
      type: 'function_call_output',
      call_id: 'call_1',
      output: 'not ok 1 - add(2, 2) === 4\n# fail 1',
    },
  },
]);
writeFileSync(path.join(workspace, 'src', 'calc.js'), 'export const add = (a, b) => a + b;\n');
await rec.recordAssistantMessage('Fixed: add() now uses +. The test passes.');
// No id to invent: snapshot() links the message recorded last (recordAssistantMessage resolved to its id).
const turn1 = await rec.snapshot();

// Turn 2: a new function and a test file.
await rec.recordUserMessage('Add a mul() function with a test.');
writeFileSync(
  path.join(workspace, 'src', 'calc.js'),
  'export const add = (a, b) => a + b;\nexport const mul = (a, b) => a * b;\n',
);
writeFileSync(
  path.join(workspace, 'src', 'calc.test.js'),
  "import { mul } from './calc.js';\nif (mul(3, 4) !== 12) throw new Error('mul');\n",
);
await rec.recordAssistantMessage('Added mul() and src/calc.test.js.');
await rec.snapshot();

// Turn 3: documentation.
await rec.recordUserMessage('Document both functions in the README.');
writeFileSync(
  path.join(workspace, 'README.md'),
  '# calc\n\nA tiny calculator.\n\n- `add(a, b)`: the sum\n- `mul(a, b)`: the product\n',
);
await rec.recordAssistantMessage('The README now lists add() and mul().');
const turn3 = await rec.snapshot();
await rec.close();

console.log(`home       ${home}`);
console.log(`workspace  ${workspace}`);
console.log(`rollout    ${rec.path}`);
console.log(
  `snapshots  turn 1 ${turn1.commit.slice(0, 12)}, turn 3 ${turn3.commit.slice(0, 12)} in ${(await readRollout(rec.path)).snapshots[0].store}`,
);

function rollouts(...args) {
  const shown = args.map((a) => (/^[\w./:@%+=-]+$/.test(a) ? a : `'${a}'`)).join(' ');
  console.log(bold(`$ rollouts ${shown}`));
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: workspace,
    encoding: 'utf8',
    env: { ...process.env, CODEX_HOME: home },
  });
  process.stdout.write(r.stdout);
  if (r.stderr) process.stdout.write(r.stderr);
  if (r.status !== 0) throw new Error(`rollouts ${args[0]} exited ${r.status}`);
}

heading('ls: the sessions in the home, newest first');
rollouts('ls', '--home', home);

heading('show: the session as a transcript');
rollouts('show', rec.id.slice(0, 13), '--home', home);

heading('diff: what changed between turn 1 and turn 3');
rollouts(
  'diff',
  workspace,
  '--session',
  rec.id,
  '--from',
  turn1.messageId,
  '--to',
  turn3.messageId,
  '--home',
  home,
);

heading('restore: turn 1 into a new folder');
const dest = path.join(base, 'restored-turn-1');
rollouts(
  'restore',
  workspace,
  '--session',
  rec.id,
  '--message',
  turn1.messageId,
  '--dest',
  dest,
  '--home',
  home,
);
console.log(
  `${path.join(dest, 'src', 'calc.js')}:\n  ${readFileSync(path.join(dest, 'src', 'calc.js'), 'utf8').trimEnd()}`,
);
console.log(`files in ${dest}: ${readdirSync(dest, { recursive: true }).sort().join(', ')}`);

heading('done');
console.log(
  `Everything is under ${base} (remove it when done). The workspace's own .git was never written to.`,
);
