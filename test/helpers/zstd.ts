import { execFileSync } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

export const codexDir = path.resolve(import.meta.dirname, '../../fixtures/codex-0.169');
/** The Codex 0.169 session that was resumed: two turns, non-ASCII text, ordinals continuing. */
export const CODEX_ID = '01a1fcaa-85a3-74c0-88e7-c7b6e5aa4cfd';
export const CODEX_FILE = path.join(
  codexDir,
  'sessions/2026/11/21',
  `rollout-2026-11-21T05-53-16-${CODEX_ID}.jsonl`,
);

/**
 * Compresses `src` into `dest` with the zstd tool at level 3, as the Codex CLI archives sessions.
 * Throws (failing the test, never skipping it) when the tool is missing.
 */
export function zstd3(src: string, dest: string): void {
  try {
    execFileSync('zstd', ['-3', '-q', '-f', src, '-o', dest], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw new Error(
      `the zstd tool is needed to build .jsonl.zst test files (apt-get install zstd): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Places `src` at `home/<rel>` and its `zstd -3` copy at `home/<rel>.zst` (the plain one removed unless kept). */
export async function placeZst(home: string, rel: string, src: string, keepPlain = false): Promise<string> {
  const plain = path.join(home, rel);
  await mkdir(path.dirname(plain), { recursive: true });
  await copyFile(src, plain);
  zstd3(plain, `${plain}.zst`);
  if (!keepPlain) {
    const { unlink } = await import('node:fs/promises');
    await unlink(plain);
  }
  return `${plain}.zst`;
}
