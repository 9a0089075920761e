import { createInterface } from 'node:readline';
import { startCodex, type CodexProcess } from './codex-process.js';

/** A JSON-RPC error answer from the app-server. */
export class AppServerError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(`${method} failed (${code}): ${message}`);
    this.name = 'AppServerError';
  }
}

/** The fields of a `Thread` of `thread/list` the suite compares. */
export interface AppServerThread {
  id: string;
  sessionId?: string;
  preview: string;
  name: string | null;
  path: string | null;
  cwd: string;
  cliVersion: string;
  originator?: string;
  source: unknown;
  modelProvider: string;
  createdAt: number;
  updatedAt: number;
  gitInfo: { sha: string | null; branch: string | null; originUrl: string | null } | null;
  historyMode?: string;
  [key: string]: unknown;
}

export interface ThreadListParams {
  cursor?: string | null;
  limit?: number | null;
  sortKey?: 'created_at' | 'updated_at' | 'recency_at' | null;
  sortDirection?: 'asc' | 'desc' | null;
  modelProviders?: string[] | null;
  sourceKinds?: string[] | null;
  archived?: boolean | null;
  cwd?: string | string[] | null;
  searchTerm?: string | null;
  useStateDbOnly?: boolean;
}

export interface ThreadListResult {
  data: AppServerThread[];
  nextCursor: string | null;
  backwardsCursor: string | null;
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * A client of `codex app-server`: newline-delimited JSON-RPC over the child's stdio. Call
 * {@link AppServerClient.close} in every test that starts one.
 */
export class AppServerClient {
  /** Notifications received, in order. */
  readonly notifications: { method: string; params: unknown }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;

  private constructor(private readonly proc: CodexProcess) {
    const rl = createInterface({ input: proc.child.stdout! });
    rl.on('line', (line) => this.onLine(line));
    void proc.done.then(
      () => this.failAll(`the app-server exited\n${proc.output().stderr.slice(-2000)}`),
      (error: unknown) => this.failAll(String(error)),
    );
  }

  /**
   * Starts the app-server on `home` and completes the `initialize` handshake (on a big home Codex
   * fills its state db first, so the benchmark waits longer than the default minute).
   */
  static async start(
    bin: string,
    options: { home: string; cwd: string; initTimeoutMs?: number },
  ): Promise<AppServerClient> {
    const { initTimeoutMs, ...rest } = options;
    const proc = startCodex(bin, ['app-server'], { ...rest, stdin: 'pipe' });
    const client = new AppServerClient(proc);
    try {
      await client.request(
        'initialize',
        { clientInfo: { name: 'agent_rollouts_interop', version: '0.0.0' } },
        initTimeoutMs,
      );
      client.notify('initialized');
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  request<T = unknown>(method: string, params?: unknown, timeoutMs = 60_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`the app-server has exited; cannot call ${method}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.write({ id, method, params });
    });
  }

  notify(method: string, params?: unknown): void {
    this.write(params === undefined ? { method } : { method, params });
  }

  threadList(params: ThreadListParams): Promise<ThreadListResult> {
    return this.request<ThreadListResult>('thread/list', params);
  }

  /** Every page of `thread/list`, following `nextCursor`. */
  async threadListAll(params: Omit<ThreadListParams, 'cursor'>): Promise<ThreadListResult[]> {
    const pages: ThreadListResult[] = [];
    let cursor: string | null = null;
    do {
      const page: ThreadListResult = await this.threadList({ ...params, cursor });
      pages.push(page);
      cursor = page.nextCursor;
      if (pages.length > 1000) throw new Error('thread/list did not stop paging');
    } while (cursor !== null);
    return pages;
  }

  /** Closes stdin (the app-server's cue to exit), then signals it by PID if it lingers. */
  async close(): Promise<void> {
    this.proc.child.stdin?.end();
    const timer = setTimeout(() => this.proc.kill('SIGTERM'), 3000);
    const hard = setTimeout(() => this.proc.kill('SIGKILL'), 8000);
    try {
      await this.proc.done.catch(() => undefined);
    } finally {
      clearTimeout(timer);
      clearTimeout(hard);
    }
  }

  private write(message: unknown): void {
    this.proc.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  private onLine(line: string): void {
    let message: {
      id?: number;
      method?: string;
      params?: unknown;
      result?: unknown;
      error?: { code: number; message: string; data?: unknown };
    };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return; // Not protocol output.
    }
    if (typeof message.id === 'number' && this.pending.has(message.id) && message.method === undefined) {
      const pending = this.pending.get(message.id)!;
      this.pending.delete(message.id);
      if (message.error) {
        pending.reject(
          new AppServerError(pending.method, message.error.code, message.error.message, message.error.data),
        );
      } else {
        pending.resolve(message.result);
      }
      return;
    }
    if (message.method !== undefined) {
      this.notifications.push({ method: message.method, params: message.params });
      // A server-to-client request would block the server until answered; none is expected here.
      if (message.id !== undefined)
        this.write({ id: message.id, error: { code: -32601, message: 'not supported by the test client' } });
    }
  }

  private failAll(reason: string): void {
    this.exited = true;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new Error(`${p.method}: ${reason}`));
    }
  }
}
