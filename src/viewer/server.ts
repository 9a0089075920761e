import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRolloutError } from '../errors.js';
import { isUuid } from '../format/ids.js';
import { findSession } from '../lister/find.js';
import { TRANSCRIPT_CSS, diff2htmlCss } from '../transcript/css.js';
import { normalizeTranscriptOptions, transcriptChunks } from '../transcript/render.js';
import { listPage, listQuery } from './list-page.js';
import { SECURITY_HEADERS, messagePage, pageEnd, pageStart } from './page.js';
import { snapshotPage } from './snapshot-page.js';
import { newToken, tokenMatches } from './token.js';

/** Options of {@link startViewer}. */
export interface ViewerOptions {
  /** The home whose sessions are shown (resolved, existing). */
  home: string;
  /** The port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The token of the URL; a new random one by default (tests name theirs). */
  token?: string;
}

/** A running viewer. */
export interface Viewer {
  /** The URL to open, token included. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, ends open connections, and resolves once the server is closed. */
  close(): Promise<void>;
}

/** The only address the viewer listens on: another machine can never reach it. */
export const VIEWER_HOST = '127.0.0.1';

/**
 * Starts the viewer: a web app on 127.0.0.1 whose every page lies under `/<token>/`, the token a
 * random 256-bit string printed in the URL only, so another local user (who can reach the port)
 * cannot read the transcripts. Any other path, and any request whose Host is not this address
 * (a DNS-rebinding page), gets 403. Only GET and HEAD are served; nothing is ever written.
 */
export async function startViewer(options: ViewerOptions): Promise<Viewer> {
  const token = options.token ?? newToken();
  const base = `/${token}/`;
  const css = `${TRANSCRIPT_CSS}\n${diff2htmlCss()}`;
  let port = 0;
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        send(res, 500, messagePage('Error', (error as Error).message ?? String(error), base));
      } else res.destroy();
    });
  });

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    type = 'text/html; charset=utf-8',
  ): true => {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(res.req.method === 'HEAD' ? undefined : body);
    return true;
  };

  const forbidden = (res: ServerResponse): true => {
    res.writeHead(403, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('forbidden: open the URL the viewer printed, token included\n');
    return true;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const host = req.headers.host ?? '';
    if (host !== `${VIEWER_HOST}:${port}` && host !== `localhost:${port}`) return forbidden(res);
    const url = new URL(req.url ?? '/', `http://${VIEWER_HOST}:${port}`);
    const segments = url.pathname.split('/');
    // "", token, rest…
    const given = segments[1] ?? '';
    if (!tokenMatches(given, token)) return forbidden(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const rest = segments.slice(2).map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return '\0';
      }
    });
    const aborter = new AbortController();
    res.on('close', () => {
      aborter.abort();
    });
    const signal = aborter.signal;
    try {
      if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) {
        return send(res, 200, await listPage(options.home, base, listQuery(url.searchParams), signal));
      }
      if (rest.length === 2 && rest[0] === 'assets' && rest[1] === 'app.css') {
        return send(res, 200, css, 'text/css; charset=utf-8');
      }
      if (rest[0] === 's' && rest[1] !== undefined && isUuid(rest[1])) {
        const id = rest[1];
        if (rest.length === 2) return await sessionPage(res, id, signal);
        if (rest.length === 4 && rest[2] === 'snap' && rest[3]) {
          const page = await snapshotPage(options.home, base, id, rest[3], signal);
          if (page === undefined)
            return send(res, 404, messagePage('Not found', 'no snapshot of that message', base));
          return send(res, 200, page);
        }
      }
      return send(res, 404, messagePage('Not found', 'no such page', base));
    } catch (error) {
      if (signal.aborted) return;
      if (isRolloutError(error)) {
        const status = error.code === 'E_NO_SESSION' ? 404 : error.code === 'E_BAD_CURSOR' ? 400 : 500;
        if (!res.headersSent) return send(res, status, messagePage('Cannot show this', error.message, base));
        res.end(
          `<p class="note">the rest could not be read: ${error.message.replace(/[<>&]/g, '')}</p></main>${pageEnd}`,
        );
        return;
      }
      if ((error as { code?: unknown }).code === 'ERR_INVALID_ARG_VALUE') {
        return send(res, 400, messagePage('Bad request', (error as Error).message, base));
      }
      throw error;
    }
  }

  /** The session's transcript, streamed as it is read: a page of any size opens at once. */
  async function sessionPage(res: ServerResponse, id: string, signal: AbortSignal): Promise<true> {
    const summary = await findSession(id, { home: options.home, signal });
    const settings = {
      ...normalizeTranscriptOptions({ format: 'html', home: options.home, signal }),
      document: false,
      snapshotHref: (messageId: string) =>
        `${base}s/${encodeURIComponent(id)}/snap/${encodeURIComponent(messageId)}`,
    };
    const chunks = transcriptChunks(summary.path, settings);
    const first = await chunks.next(); // a file that is no rollout fails before the headers
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
    if (res.req.method === 'HEAD') {
      res.end();
      return true;
    }
    const write = async (text: string): Promise<void> => {
      if (!res.write(text)) await once(res, 'drain', { signal });
    };
    await write(pageStart(`Session ${id}`, base));
    if (!first.done) await write(first.value);
    for await (const chunk of chunks) await write(chunk);
    res.end(pageEnd);
    return true;
  }

  server.listen(options.port, VIEWER_HOST);
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${VIEWER_HOST}:${port}${base}`,
    port,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
