import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The Hugging Face token, from the sources the `hf` tools use, in their order: `$HF_TOKEN`, then
 * the file `hf auth login` saves (`$HF_TOKEN_PATH`, else `$HF_HOME/token`, else
 * `$XDG_CACHE_HOME/huggingface/token`, else `~/.cache/huggingface/token`). Undefined when none.
 */
export async function resolveHubToken(env: Record<string, string | undefined>): Promise<string | undefined> {
  const fromEnv = env['HF_TOKEN']?.trim();
  if (fromEnv) return fromEnv;
  const file =
    env['HF_TOKEN_PATH'] ??
    (env['HF_HOME']
      ? path.join(env['HF_HOME'], 'token')
      : path.join(
          env['XDG_CACHE_HOME'] ?? path.join(env['HOME'] ?? os.homedir(), '.cache'),
          'huggingface',
          'token',
        ));
  try {
    const token = (await readFile(file, 'utf8')).trim();
    return token === '' ? undefined : token;
  } catch {
    return undefined;
  }
}
