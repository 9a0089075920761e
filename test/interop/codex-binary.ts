import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Codex CLI versions the interop suite runs against, oldest first; fixtures exist for each. */
export const CODEX_VERSIONS = ['0.169.0', '0.171.0'] as const;

/** One of {@link CODEX_VERSIONS}. */
export type CodexVersion = (typeof CODEX_VERSIONS)[number];

/**
 * The version the fixture script and single-version helpers use: `CODEX_VERSION` when set (one
 * of {@link CODEX_VERSIONS}), else the oldest.
 */
export const CODEX_VERSION: string = process.env['CODEX_VERSION'] || CODEX_VERSIONS[0];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The versions a run of the interop suite covers: `CODEX_VERSIONS` (comma-separated) when set,
 * else every one of {@link CODEX_VERSIONS}.
 */
export function suiteVersions(): string[] {
  const env = process.env['CODEX_VERSIONS'];
  if (env === undefined || env.trim() === '') return [...CODEX_VERSIONS];
  return env
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** True when `version` is at least `min` (both `major.minor.patch`). */
export function atLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/**
 * Installs a pinned Codex CLI version into the project's cache (once; later calls reuse it) and
 * returns the native binary's path. `CODEX_BIN` overrides it (for one version only, on a machine
 * with Codex installed elsewhere).
 */
export function installCodex(version: string = CODEX_VERSION): string {
  const override = process.env['CODEX_BIN'];
  if (override) {
    if (!existsSync(override)) throw new Error(`CODEX_BIN points at ${override}, which does not exist`);
    return override;
  }
  const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'install-codex.mjs'), '--quiet'], {
    cwd: root,
    env: { ...process.env, CODEX_VERSION: version },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 300_000,
  });
  const bin = out.trim().split('\n').pop() ?? '';
  if (!bin || !existsSync(bin)) throw new Error(`the install script printed no usable binary path: ${out}`);
  return bin;
}

/**
 * The native binary of `version` when it is already installed (`CODEX_BIN`, or the project's cache
 * filled by `scripts/install-codex.mjs` or an interop run), else undefined: never installs, for
 * suites that use the real Codex CLI only where it is present.
 */
export function installedCodex(version: string = CODEX_VERSION): string | undefined {
  const override = process.env['CODEX_BIN'];
  if (override) return existsSync(override) ? override : undefined;
  const pkg = path.join(
    root,
    '.cache',
    `codex-${version}`,
    'node_modules',
    '@openai',
    'codex',
    'package.json',
  );
  return existsSync(pkg) ? installCodex(version) : undefined;
}
