import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Hugging Face Hub (which cannot run here): the part of its documented HTTP
 * API that `@huggingface/hub` calls for `hf push`, in memory, on 127.0.0.1. whoami-v2, repo
 * creation (409 when it exists), preupload (files at or above `lfsThreshold` bytes go through
 * LFS), the LFS batch API with basic transfers, the NDJSON commit endpoint, file download
 * (`resolve`, with the 0-0 range probe) and the tree listing.
 */
export interface StandInRepo {
  private: boolean;
  files: Map<string, Buffer>;
  commits: { title: string; files: string[] }[];
}

export interface StandInHub {
  url: string;
  token: string;
  user: string;
  repos: Map<string, StandInRepo>;
  /** Every request, `METHOD path`, in order. */
  requests: string[];
  close(): Promise<void>;
}

const body = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

const json = (
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
};

export async function startStandInHub(opts: { lfsThreshold?: number } = {}): Promise<StandInHub> {
  const token = `hf_test_${randomBytes(8).toString('hex')}`;
  const user = 'tester';
  const repos = new Map<string, StandInRepo>();
  const lfs = new Map<string, Buffer>();
  const requests: string[] = [];
  const threshold = opts.lfsThreshold ?? 10 * 1024 * 1024;
  let base = '';

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      json(res, 500, { error: String(error) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const p = decodeURIComponent(url.pathname);
    requests.push(`${req.method} ${p}`);
    if (p.startsWith('/lfs-upload/')) {
      const oid = p.slice('/lfs-upload/'.length);
      const data = await body(req);
      if (createHash('sha256').update(data).digest('hex') !== oid)
        return json(res, 400, { error: 'bad oid' });
      lfs.set(oid, data);
      res.writeHead(200).end();
      return;
    }
    if (req.headers.authorization !== `Bearer ${token}`)
      return json(res, 401, { error: 'Invalid credentials' });

    if (req.method === 'GET' && p === '/api/whoami-v2')
      return json(res, 200, {
        type: 'user',
        name: user,
        auth: { type: 'access_token', accessToken: { role: 'write' } },
      });

    if (req.method === 'POST' && p === '/api/repos/create') {
      const b = JSON.parse((await body(req)).toString()) as {
        name: string;
        organization?: string;
        type: string;
        visibility?: string;
      };
      const id = `${b.type}s/${b.organization ?? user}/${b.name}`;
      if (repos.has(id)) return json(res, 409, { error: 'You already created this dataset repo' });
      repos.set(id, { private: b.visibility === 'private', files: new Map(), commits: [] });
      return json(res, 200, { url: `${base}/${id}`, id: `${b.organization ?? user}/${b.name}` });
    }

    let m = /^\/api\/(datasets)\/([^/]+\/[^/]+)\/preupload\/([^/]+)$/.exec(p);
    if (req.method === 'POST' && m) {
      const repo = repos.get(`${m[1]}/${m[2]}`);
      if (!repo) return json(res, 404, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
      const b = JSON.parse((await body(req)).toString()) as { files: { path: string; size: number }[] };
      return json(res, 200, {
        files: b.files.map((f) => ({
          path: f.path,
          uploadMode: f.size >= threshold ? 'lfs' : 'regular',
          shouldIgnore: false,
        })),
      });
    }

    m = /^\/(datasets)\/([^/]+\/[^/]+)\.git\/info\/lfs\/objects\/batch$/.exec(p);
    if (req.method === 'POST' && m) {
      const b = JSON.parse((await body(req)).toString()) as {
        transfers: string[];
        objects: { oid: string; size: number }[];
      };
      return json(res, 200, {
        transfer: 'basic',
        objects: b.objects.map((o) => ({
          oid: o.oid,
          size: o.size,
          ...(lfs.has(o.oid) ? {} : { actions: { upload: { href: `${base}/lfs-upload/${o.oid}` } } }),
        })),
      });
    }

    m = /^\/api\/(datasets)\/([^/]+\/[^/]+)\/commit\/([^/]+)$/.exec(p);
    if (req.method === 'POST' && m) {
      const repo = repos.get(`${m[1]}/${m[2]}`);
      if (!repo) return json(res, 404, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
      const lines = (await body(req))
        .toString()
        .split('\n')
        .filter((l) => l !== '');
      let title = '';
      const changed: string[] = [];
      for (const line of lines) {
        const { key, value } = JSON.parse(line) as { key: string; value: Record<string, unknown> };
        if (key === 'header') title = String(value['summary']);
        else if (key === 'file') {
          repo.files.set(String(value['path']), Buffer.from(String(value['content']), 'base64'));
          changed.push(String(value['path']));
        } else if (key === 'lfsFile') {
          const data = lfs.get(String(value['oid']));
          if (!data) return json(res, 422, { error: `LFS object ${String(value['oid'])} was not uploaded` });
          repo.files.set(String(value['path']), data);
          changed.push(String(value['path']));
        } else if (key === 'deletedFile') repo.files.delete(String(value['path']));
        else return json(res, 400, { error: `unknown key ${key}` });
      }
      repo.commits.push({ title, files: changed });
      const oid = createHash('sha1').update(`${m[2]}${repo.commits.length}`).digest('hex');
      return json(res, 200, {
        commitOid: oid,
        commitUrl: `${base}/${m[1]}/${m[2]}/commit/${oid}`,
        success: true,
      });
    }

    m = /^\/(datasets)\/([^/]+\/[^/]+)\/(?:resolve|raw)\/([^/]+)\/(.+)$/.exec(p);
    if ((req.method === 'GET' || req.method === 'HEAD') && m) {
      const repo = repos.get(`${m[1]}/${m[2]}`);
      if (!repo) return json(res, 404, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
      const data = repo.files.get(m[4]!);
      if (!data) return json(res, 404, { error: 'Entry not found' }, { 'X-Error-Code': 'EntryNotFound' });
      const etag = `"${createHash('sha1').update(data).digest('hex')}"`;
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = Math.min(Number(range[2]), data.length - 1);
        res.writeHead(206, {
          'Content-Range': `bytes ${start}-${end}/${data.length}`,
          ETag: etag,
          'Content-Length': String(Math.max(0, end - start + 1)),
        });
        res.end(req.method === 'HEAD' ? undefined : data.subarray(start, end + 1));
        return;
      }
      res.writeHead(200, { ETag: etag, 'Content-Length': String(data.length) });
      res.end(req.method === 'HEAD' ? undefined : data);
      return;
    }

    m = /^\/api\/(datasets)\/([^/]+\/[^/]+)\/tree\/([^/]+)$/.exec(p);
    if (req.method === 'GET' && m) {
      const repo = repos.get(`${m[1]}/${m[2]}`);
      if (!repo) return json(res, 404, { error: 'Repository not found' });
      return json(
        res,
        200,
        [...repo.files].map(([path, data]) => ({
          type: 'file',
          path,
          size: data.length,
          oid: createHash('sha1').update(data).digest('hex'),
        })),
      );
    }
    json(res, 404, { error: `no route ${req.method} ${p}` });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    token,
    user,
    repos,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
