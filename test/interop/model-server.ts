import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';

/**
 * A loopback stand-in for the Responses API, enough for the Codex CLI to run a turn offline.
 *
 * Each `POST …/responses` takes the next scripted reply from the queue and streams it as
 * Server-Sent Events, in the shape the Codex CLI parses: `response.created`, one
 * `response.output_item.done` per output item, then `response.completed` with usage. An empty
 * queue answers with a plain assistant message, so a stray extra request never hangs a test.
 */

/** One output item the model "produces". */
export type ModelOutputItem =
  | { type: 'message'; role: 'assistant'; id?: string; content: { type: 'output_text'; text: string }[] }
  | { type: 'function_call'; id?: string; call_id: string; name: string; arguments: string }
  | { type: string; [key: string]: unknown };

/** One scripted reply: the items to stream, or an HTTP error status to answer with. */
export type ModelReply =
  | {
      items: ModelOutputItem[];
      /** Holds the stream open this long before completing it. */ delayMs?: number;
    }
  | { status: number; body?: string };

/** A request as received, body parsed. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body, or `undefined` when it is not JSON. */
  body: ResponsesRequestBody | undefined;
  raw: string;
}

/** The fields of a Responses API request body the tests look at. */
export interface ResponsesRequestBody {
  model?: string;
  instructions?: string;
  input?: InputItem[];
  tools?: unknown[];
  stream?: boolean;
  [key: string]: unknown;
}

/** One item of the request's `input`. */
export interface InputItem {
  type: string;
  role?: string;
  content?: { type: string; text?: string }[];
  name?: string;
  arguments?: string;
  call_id?: string;
  output?: unknown;
  [key: string]: unknown;
}

export interface ModelServer {
  /** `http://127.0.0.1:<port>/v1`, the provider's `base_url`. */
  baseUrl: string;
  port: number;
  /** Every request received, in order (including ones not for `/responses`). */
  requests: ReceivedRequest[];
  /** The `/responses` requests only. */
  responsesRequests(): ReceivedRequest[];
  /** Appends scripted replies, served in order. */
  enqueue(...replies: ModelReply[]): void;
  /** Replies still queued. */
  pending(): number;
  /** Resolves once `count` `/responses` requests have arrived (rejects after `timeoutMs`). */
  waitForResponsesRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** An assistant message reply. */
export function assistantMessage(
  text: string,
  id = `msg_${Math.random().toString(36).slice(2, 10)}`,
): ModelOutputItem {
  return { type: 'message', role: 'assistant', id, content: [{ type: 'output_text', text }] };
}

/** A function call reply item; `args` is serialised as the model would (a JSON string). */
export function functionCall(name: string, args: unknown, callId: string): ModelOutputItem {
  return {
    type: 'function_call',
    id: `fc_${callId}`,
    call_id: callId,
    name,
    arguments: JSON.stringify(args),
  };
}

/** The text of every `input_text`/`output_text` part of messages with `role` in a request body. */
export function messageTexts(body: ResponsesRequestBody | undefined, role: string): string[] {
  const out: string[] = [];
  for (const item of body?.input ?? []) {
    if (item.type !== 'message' || item.role !== role) continue;
    for (const part of item.content ?? []) if (typeof part.text === 'string') out.push(part.text);
  }
  return out;
}

let responseCounter = 0;

function isResponsesRequest(r: ReceivedRequest): boolean {
  return r.method === 'POST' && (r.url.split('?')[0] ?? '').endsWith('/responses');
}

function isResponses(requests: readonly ReceivedRequest[]): number {
  return requests.filter(isResponsesRequest).length;
}

function sseEvent(data: Record<string, unknown>): string {
  return `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
}

function decodeBody(buf: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').toLowerCase()) {
    case 'gzip':
      return gunzipSync(buf);
    case 'deflate':
      return inflateSync(buf);
    case 'br':
      return brotliDecompressSync(buf);
    default:
      return buf;
  }
}

/** Starts a stand-in on 127.0.0.1 with an ephemeral port. Close it in the test that started it. */
export async function startModelServer(initial: ModelReply[] = []): Promise<ModelServer> {
  const queue: ModelReply[] = [...initial];
  const requests: ReceivedRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw: string;
      try {
        raw = decodeBody(Buffer.concat(chunks), req.headers['content-encoding']).toString('utf8');
      } catch {
        raw = Buffer.concat(chunks).toString('utf8');
      }
      let body: ResponsesRequestBody | undefined;
      try {
        body = raw ? (JSON.parse(raw) as ResponsesRequestBody) : undefined;
      } catch {
        body = undefined;
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, raw });

      const pathname = (req.url ?? '').split('?')[0] ?? '';
      if (req.method === 'POST' && pathname.endsWith('/responses')) {
        const reply = queue.shift() ?? { items: [assistantMessage('(no scripted reply)')] };
        if ('status' in reply) {
          res.writeHead(reply.status, { 'content-type': 'application/json' });
          res.end(
            reply.body ?? JSON.stringify({ error: { message: 'scripted failure', type: 'server_error' } }),
          );
          return;
        }
        const id = `resp_${++responseCounter}`;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(sseEvent({ type: 'response.created', response: { id } }));
        reply.items.forEach((item, index) => {
          res.write(sseEvent({ type: 'response.output_item.done', output_index: index, item }));
        });
        const finish = (): void => {
          res.end(
            sseEvent({
              type: 'response.completed',
              response: {
                id,
                usage: {
                  input_tokens: 10,
                  input_tokens_details: { cached_tokens: 0 },
                  output_tokens: 5,
                  output_tokens_details: { reasoning_tokens: 0 },
                  total_tokens: 15,
                },
              },
            }),
          );
        };
        if (reply.delayMs) {
          const timer = setTimeout(finish, reply.delayMs);
          res.on('close', () => clearTimeout(timer));
        } else {
          finish();
        }
        return;
      }
      // Model listings and anything else: an empty but well-formed answer keeps Codex offline-quiet.
      if (req.method === 'GET' && pathname.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ models: [] }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `not found: ${req.method} ${pathname}` } }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    responsesRequests: () => requests.filter(isResponsesRequest),
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    pending: () => queue.length,
    waitForResponsesRequests: async (count, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (isResponses(requests) < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `the stand-in got ${isResponses(requests)} of ${count} expected requests in ${timeoutMs} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
