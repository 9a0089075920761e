import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Options of {@link createCodexHome}. */
export interface CodexHomeOptions {
  /** The stand-in's `base_url` (`http://127.0.0.1:<port>/v1`). */
  baseUrl: string;
  /** The model name Codex sends; the stand-in answers any. */
  model?: string;
  /** Extra TOML appended after everything else: tables only (root keys would land in the last table). */
  extraTables?: string;
}

/** A temporary `CODEX_HOME` whose `config.toml` keeps the Codex CLI offline and on the stand-in. */
export interface CodexHome {
  home: string;
  configPath: string;
}

/**
 * Renders the config. Every root key comes before the first table: TOML puts a later bare key into
 * the last table opened, and a mistyped `model_provider` makes Codex fall back to the real OpenAI
 * provider, which must never happen here.
 */
export function renderCodexConfig(options: CodexHomeOptions): string {
  const url = new URL(options.baseUrl);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new Error(`the model stand-in must be on loopback; got ${options.baseUrl}`);
  }
  const lines = [
    `model = ${JSON.stringify(options.model ?? 'mock-model')}`,
    'model_provider = "mock"',
    // No approval prompts and no sandbox: a shell tool call must run unattended in a test.
    'approval_policy = "never"',
    'sandbox_mode = "danger-full-access"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.mock]',
    'name = "mock"',
    `base_url = ${JSON.stringify(options.baseUrl)}`,
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    'stream_idle_timeout_ms = 30000',
    '',
    // Each of these otherwise reaches the network at start-up (plugin sync from GitHub and
    // chatgpt.com, connectors, telemetry) or slows every run (the shell snapshot).
    '[features]',
    'plugins = false',
    'apps = false',
    'remote_plugin = false',
    'shell_snapshot = false',
    // Keeps request bodies plain JSON, so the stand-in can read what Codex sent.
    'enable_request_compression = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[feedback]',
    'enabled = false',
    '',
    '[otel]',
    'exporter = "none"',
    '',
  ];
  if (options.extraTables) lines.push(options.extraTables, '');
  return lines.join('\n');
}

/** Writes the offline config into `home` (created if needed). */
export async function writeCodexHome(home: string, options: CodexHomeOptions): Promise<CodexHome> {
  await mkdir(home, { recursive: true });
  const configPath = path.join(home, 'config.toml');
  await writeFile(configPath, renderCodexConfig(options));
  return { home, configPath };
}
