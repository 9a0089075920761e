import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Codex CLI version the interop suite and the fixtures are pinned to. */
export const CODEX_VERSION = '0.169.0';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Installs the pinned Codex CLI into the project's cache (once; later calls reuse it) and returns
 * the native binary's path. `CODEX_BIN` overrides it, for a machine with Codex installed elsewhere.
 */
export function installCodex(): string {
  const override = process.env['CODEX_BIN'];
  if (override) {
    if (!existsSync(override)) throw new Error(`CODEX_BIN points at ${override}, which does not exist`);
    return override;
  }
  const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'install-codex.mjs'), '--quiet'], {
    cwd: root,
    env: { ...process.env, CODEX_VERSION },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 300_000,
  });
  const bin = out.trim().split('\n').pop() ?? '';
  if (!bin || !existsSync(bin)) throw new Error(`the install script printed no usable binary path: ${out}`);
  return bin;
}
