import { afterEach } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { writeCodexHome, type CodexHome, type CodexHomeOptions } from './codex-home.js';
import { initWorkspace, type Workspace } from './workspace.js';

// The temporary-folder versions of the helpers, for tests: both are removed after the current test.
// (The helpers themselves stay free of vitest so the fixture script can use them.)

/** A temporary `CODEX_HOME` with the offline config. */
export async function createCodexHome(options: CodexHomeOptions): Promise<CodexHome> {
  return writeCodexHome(await tempDir('ar-codex-home-'), options);
}

/** A temporary Git workspace with a commit, a branch and an `origin`. */
export async function createWorkspace(
  options: { branch?: string; originUrl?: string } = {},
): Promise<Workspace> {
  return initWorkspace(await tempDir('ar-interop-ws-'), options);
}

const open: { close(): Promise<unknown> }[] = [];

/** Closes `resource` (a model stand-in, an app-server client) after the current test, newest first. */
export function closeAfterTest<T extends { close(): Promise<unknown> }>(resource: T): T {
  open.push(resource);
  return resource;
}

afterEach(async () => {
  for (const r of open.splice(0).reverse()) await r.close();
});
