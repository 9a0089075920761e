#!/usr/bin/env node
// Installs the pinned Codex CLI into a cache folder of the project (never into the package's own
// dependencies), so the interop suite and the fixture script run against one known version.
// Prints the path of the native binary on stdout. Safe to run again: an existing install is reused.
//
//   node scripts/install-codex.mjs [--quiet]
//
// Environment: CODEX_VERSION overrides the pinned version (the cache folder follows it).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export const CODEX_VERSION = process.env.CODEX_VERSION || '0.169.0';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The folder the pinned Codex CLI is installed into. */
export function codexCacheDir(version = CODEX_VERSION) {
  return path.join(root, '.cache', `codex-${version}`);
}

const TARGETS = {
  'linux-x64': 'x86_64-unknown-linux-musl',
  'linux-arm64': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64': 'x86_64-pc-windows-msvc',
  'win32-arm64': 'aarch64-pc-windows-msvc',
};

function installedVersion(dir) {
  const pkg = path.join(dir, 'node_modules', '@openai', 'codex', 'package.json');
  if (!existsSync(pkg)) return undefined;
  try {
    return JSON.parse(readFileSync(pkg, 'utf8')).version;
  } catch {
    return undefined;
  }
}

// The launcher (bin/codex.js) only picks the native binary from the platform package; calling the
// binary directly spares a Node process per run and lets tests signal Codex itself.
function findBinary(dir) {
  const platformKey = `${process.platform}-${process.arch}`;
  const triple = TARGETS[platformKey];
  if (!triple) return undefined;
  const exe = process.platform === 'win32' ? 'codex.exe' : 'codex';
  const bases = [
    path.join(dir, 'node_modules', '@openai', `codex-${platformKey}`, 'vendor'),
    path.join(dir, 'node_modules', '@openai', 'codex', 'vendor'),
  ];
  for (const base of bases) {
    const candidate = path.join(base, triple, 'bin', exe);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  // Layouts move between releases: fall back to a search of the vendor folders.
  for (const base of bases) {
    const hit = searchFile(base, exe, 4);
    if (hit) return hit;
  }
  return undefined;
}

function searchFile(dir, name, depth) {
  if (depth < 0 || !existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return p;
    if (entry.isDirectory()) {
      const hit = searchFile(p, name, depth - 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Installs (when needed) and returns the path of the native Codex binary. */
export function installCodex({ version = CODEX_VERSION, quiet = false } = {}) {
  const dir = codexCacheDir(version);
  if (installedVersion(dir) === version) {
    const bin = findBinary(dir);
    if (bin) return bin;
  }
  mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // --prefix keeps everything in the cache folder; --no-save and the absence of a package.json there
  // keep the project's package.json and lock file untouched. Optional dependencies must stay on:
  // the platform binary is one.
  const args = [
    'install',
    '--prefix',
    dir,
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--no-package-lock',
    '--include=optional',
    '--loglevel=error',
    `@openai/codex@${version}`,
  ];
  const res = spawnSync(npm, args, {
    cwd: dir,
    stdio: quiet ? ['ignore', 'ignore', 'inherit'] : ['ignore', 'inherit', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (res.error) throw res.error;
  if (res.status !== 0)
    throw new Error(`npm install @openai/codex@${version} failed with exit code ${res.status}`);
  if (installedVersion(dir) !== version)
    throw new Error(`@openai/codex@${version} is not in ${dir} after npm install`);
  const bin = findBinary(dir);
  if (!bin) {
    throw new Error(
      `@openai/codex@${version} installed in ${dir}, but no native binary for ${process.platform}-${process.arch} was found`,
    );
  }
  return bin;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const bin = installCodex({ quiet: process.argv.includes('--quiet') });
    process.stdout.write(`${bin}\n`);
  } catch (err) {
    process.stderr.write(`install-codex: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
