import { createHash } from 'node:crypto';
import { createReadStream, openAsBlob } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { HubApiError, commit, createRepo, downloadFile, whoAmI } from '@huggingface/hub';
import { HubError, invalidArgument } from '../errors.js';
import type { HubDatasetRow } from '../format/dataset.js';
import { SnapshotStore } from '../snapshot/snapshot-store.js';
import type { RedactedSnapshot } from '../snapshot/types.js';
import { archiveRemoteFor } from './archive-remote.js';
import type { DatasetFormat, DatasetWarning, ExportDatasetOptions } from './export-dataset.js';
import { datasetEntries } from './export-dataset.js';
import { TRAIN_FILE, datasetCard } from './hub-card.js';

/**
 * Options of {@link pushDatasetToHub}.
 * @public
 */
export interface PushDatasetToHubOptions extends Pick<
  ExportDatasetOptions,
  'home' | 'since' | 'until' | 'cwd' | 'search' | 'archived' | 'diffs' | 'signal'
> {
  /** The dataset: `namespace/name`, or `name` in the token owner's namespace. */
  name: string;
  /** A Hugging Face access token with write access (see `resolveHubToken` in the CLI). */
  accessToken: string;
  /**
   * Create the repository private when it does not exist (an existing one keeps its visibility).
   * @defaultValue false (public)
   */
  private?: boolean;
  /**
   * The format of each row's `session`.
   * @defaultValue `'openai'`
   */
  format?: Exclude<DatasetFormat, 'chat'>;
  /**
   * Replace secrets with `[REDACTED:<kind>]` before anything leaves the machine.
   * @defaultValue true
   */
  redact?: boolean;
  /**
   * The archive remote the sessions' snapshots are pushed to first, and that rows name as
   * `metadata.remote_url`.
   * @defaultValue the workspace's configured archive remote, where one is (none yet)
   */
  remote?: string;
  /**
   * The Hub's address.
   * @defaultValue `https://huggingface.co`
   */
  hubUrl?: string;
  /**
   * The `agent` of every row.
   * @defaultValue `'codex'`
   */
  agent?: string;
  /**
   * The `exported_at` of the new rows.
   * @defaultValue now
   */
  exportedAt?: Date;
  /** Told about sessions skipped or exported incomplete. */
  onWarning?: (warning: DatasetWarning) => void;
}

/**
 * What {@link pushDatasetToHub} did.
 * @public
 */
export interface PushDatasetToHubResult {
  /** The dataset, `namespace/name`. */
  repo: string;
  /** Whether the repository was created by this push. */
  created: boolean;
  /** The batch appended, or null when no row was new or changed (nothing was committed). */
  batchId: number | null;
  /** Rows appended (new or changed sessions). */
  appended: number;
  /** Sessions exported and compared. */
  sessions: number;
  /** Rows in `train.jsonl` after the push. */
  totalRows: number;
  /** Snapshot pushes made to archive remotes. */
  snapshotPushes: number;
  /**
   * The snapshots this push sent as redacted copies (they held a secret; see
   * `SnapshotStore.push`), with the files whose secrets were replaced.
   */
  redactions: RedactedSnapshot[];
  /** The commit made on the Hub, when one was. */
  commit: string | null;
}

const hubFailure = (what: string, error: unknown): HubError => {
  const status = error instanceof HubApiError ? error.statusCode : null;
  const detail = error instanceof Error ? error.message : String(error);
  return new HubError(`${what}: ${detail}`, status, { cause: error });
};

/** A digest of what a row says about its session (not when it was exported, nor its batch). */
const digestOf = (row: Pick<HubDatasetRow, 'agent' | 'session' | 'metadata'>): string =>
  createHash('sha256')
    .update(JSON.stringify([row.agent, row.session, row.metadata]))
    .digest('hex');

/**
 * Pushes the sessions of a home to a Hugging Face dataset, as the Python tool's `hf push` does.
 *
 * @remarks
 * In order: creates the dataset repository if missing (public unless `private`); pushes each
 * session's snapshots to its archive remote (`remote`, else the workspace's configured one) so the
 * rows can name it; downloads `train.jsonl` (streamed to a private temporary folder, never held
 * in memory) and reads the last row of each session; exports every session (redacted by
 * default) and appends a row for each new session and each session whose row changed, all with
 * one new `batch_id` (the highest so far plus one); uploads `train.jsonl` and the dataset card
 * (`README.md`, whose YAML maps the `train` split to `train.jsonl`) in one commit. When no row is
 * new or changed nothing is committed and the batch is not raised. Older rows are never changed.
 *
 * Rows: `batch_id, session_id, agent, exported_at, session, metadata`; `metadata` is null for a
 * session without snapshots, else `{ remote_url }` (null when no remote is configured).
 * @throws `HubError` (code `E_HUB`) when the Hub refuses or fails; `TypeError` for bad options.
 * @public
 */
export async function pushDatasetToHub(options: PushDatasetToHubOptions): Promise<PushDatasetToHubResult> {
  const o = options;
  if (typeof o?.name !== 'string' || !/^(?:[\w.-]+\/)?[\w.-]+$/.test(o.name))
    throw invalidArgument('pushDatasetToHub: name must be `name` or `namespace/name`');
  if (typeof o.accessToken !== 'string' || o.accessToken === '')
    throw invalidArgument('pushDatasetToHub: accessToken must be a non-empty string');
  const format = o.format ?? 'openai';
  if (!['openai', 'trl', 'envelope'].includes(format))
    throw invalidArgument(
      `pushDatasetToHub: format must be openai, trl or envelope; got ${JSON.stringify(format)}`,
    );
  const hub = { accessToken: o.accessToken, ...(o.hubUrl !== undefined ? { hubUrl: o.hubUrl } : {}) };
  const agent = o.agent ?? 'codex';
  const exportedAt = (o.exportedAt ?? new Date()).toISOString();

  let name = o.name;
  if (!name.includes('/')) {
    let me: { name?: unknown };
    try {
      me = await whoAmI(hub);
    } catch (error) {
      throw hubFailure('cannot find the token owner for the namespace', error);
    }
    if (typeof me.name !== 'string') throw new HubError('the Hub did not say whose token this is', null);
    name = `${me.name}/${name}`;
  }
  const repo = { type: 'dataset' as const, name };

  let created = false;
  try {
    await createRepo({ ...hub, repo, visibility: o.private === true ? 'private' : 'public' });
    created = true;
  } catch (error) {
    if (!(error instanceof HubApiError && error.statusCode === 409))
      throw hubFailure(`cannot create ${name}`, error);
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'rollouts-hf-'));
  try {
    const file = path.join(dir, TRAIN_FILE);
    // What the Hub holds: the highest batch and the last row of each session.
    const last = new Map<string, string>();
    let batches = 0;
    let totalRows = 0;
    const existing = created ? null : await download(hub, repo, TRAIN_FILE);
    const out = await open(file, 'wx+', 0o600);
    try {
      if (existing !== null) {
        for await (const chunk of existing.stream() as unknown as AsyncIterable<Uint8Array>)
          await out.write(chunk);
        const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
        for await (const line of lines) {
          if (line.trim() === '') continue;
          let row: Partial<HubDatasetRow>;
          try {
            row = JSON.parse(line) as Partial<HubDatasetRow>;
          } catch {
            continue; // a line we did not write; kept as it is
          }
          totalRows++;
          if (typeof row.batch_id === 'number' && row.batch_id > batches) batches = row.batch_id;
          if (typeof row.session_id === 'string') last.set(row.session_id, digestOf(row as HubDatasetRow));
        }
      }
      const batchId = batches + 1;
      const pushed = new Map<string, string | null>();
      let snapshotPushes = 0;
      const redactions: RedactedSnapshot[] = [];
      let appended = 0;
      let sessions = 0;
      // A file that does not end in a newline gets one before the first new row.
      let needsNewline = existing !== null && (await endsWithoutNewline(out));
      for await (const entry of datasetEntries({
        home: o.home,
        format,
        since: o.since,
        until: o.until,
        cwd: o.cwd,
        search: o.search,
        archived: o.archived,
        diffs: o.diffs,
        signal: o.signal,
        redact: o.redact ?? true,
        onWarning: o.onWarning,
      })) {
        sessions++;
        let remoteUrl: string | null = null;
        // Snapshots the remote holds as redacted copies: the rows name the copy, never the local
        // commit (whose hash, beside the public copy, would let anyone test guesses of the secret).
        const copies = new Map<string, { commit: string; tree: string | null }>();
        for (const { store, workspace } of entry.stores) {
          const remote = o.remote ?? (await archiveRemoteFor(workspace, o.home, o.signal));
          if (remote === undefined) continue;
          remoteUrl ??= remote;
          if (pushed.has(`${store}\0${entry.sessionId}`)) continue;
          const s = await SnapshotStore.open({ workspace, home: o.home, create: false, signal: o.signal });
          const r = await s.push(remote, {
            sessionId: entry.sessionId,
            redact: o.redact ?? true,
            signal: o.signal,
          });
          for (const c of r.redactions) {
            copies.set(c.messageId, { commit: c.commit, tree: c.tree });
            if (c.files !== null) redactions.push(c);
          }
          pushed.set(`${store}\0${entry.sessionId}`, remote);
          snapshotPushes++;
        }
        for (const turn of entry.row.turns) {
          const copy = turn.message_id === null ? undefined : copies.get(turn.message_id);
          if (copy === undefined || turn.commit === null) continue;
          turn.commit = copy.commit;
          turn.tree = copy.tree;
          turn.redacted = true;
        }
        const row: HubDatasetRow = {
          batch_id: batchId,
          session_id: entry.sessionId,
          agent,
          exported_at: exportedAt,
          session: entry.row as HubDatasetRow['session'],
          metadata: entry.stores.length === 0 ? null : { remote_url: remoteUrl },
        };
        const digest = digestOf(row);
        if (last.get(entry.sessionId) === digest) continue;
        last.set(entry.sessionId, digest);
        await out.write(`${needsNewline ? '\n' : ''}${JSON.stringify(row)}\n`);
        needsNewline = false;
        appended++;
      }
      await out.close();
      if (appended === 0) {
        return {
          repo: name,
          created,
          batchId: null,
          appended,
          sessions,
          totalRows,
          snapshotPushes,
          redactions,
          commit: null,
        };
      }
      totalRows += appended;
      const card = datasetCard({ name, format, batches: batchId, rows: totalRows });
      let result;
      try {
        result = await commit({
          ...hub,
          repo,
          title: `Add batch ${batchId}: ${appended} row${appended === 1 ? '' : 's'}`,
          operations: [
            { operation: 'addOrUpdate', path: TRAIN_FILE, content: await openAsBlob(file) },
            { operation: 'addOrUpdate', path: 'README.md', content: new Blob([card]) },
          ],
          ...(o.signal ? { abortSignal: o.signal } : {}),
        });
      } catch (error) {
        throw hubFailure(`cannot commit batch ${batchId} to ${name}`, error);
      }
      return {
        repo: name,
        created,
        batchId,
        appended,
        sessions,
        totalRows,
        snapshotPushes,
        redactions,
        commit: result?.commit.oid ?? null,
      };
    } finally {
      await out.close().catch(() => {});
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function download(
  hub: { accessToken: string; hubUrl?: string },
  repo: { type: 'dataset'; name: string },
  file: string,
): Promise<Blob | null> {
  try {
    return await downloadFile({ ...hub, repo, path: file });
  } catch (error) {
    throw hubFailure(`cannot download ${file} of ${repo.name}`, error);
  }
}

async function endsWithoutNewline(fh: FileHandle): Promise<boolean> {
  const { size } = await fh.stat();
  if (size === 0) return false;
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, size - 1);
  return b[0] !== 0x0a;
}
