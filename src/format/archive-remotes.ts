/**
 * The on-disk contract of `<home>/archive_remotes.json`: the archive remote of each workspace and
 * the defaults for creating one. Shapes only, no I/O; a URL is checked by the snapshot layer, which
 * owns the rules for remotes.
 */

/** Visibility of an archive repository created with `gh repo create`. */
export type DiskVisibility = 'private' | 'public' | 'internal';

/** The defaults for `push --create-remote`. */
export interface DiskRemoteDefaults {
  owner: string;
  prefix: string;
  visibility: DiskVisibility;
}

/** One workspace's archive remote. */
export interface DiskArchiveRemote {
  /** The workspace's store key (`<slug>-<sha256(root) prefix>`), the folder name in `snapshots/`. */
  key: string;
  /** The workspace's real path when it was set. */
  root: string;
  /** A URL, `host:path`, or an absolute path. */
  url: string;
  /** When it was set, ISO 8601 UTC. */
  set_at: string;
  /** True when `push --create-remote` created the repository. */
  created: boolean;
}

/** The whole file. */
export interface DiskArchiveRemotes {
  version: 1;
  defaults: DiskRemoteDefaults | null;
  workspaces: DiskArchiveRemote[];
}

/** An empty file's content. */
export const EMPTY_ARCHIVE_REMOTES: DiskArchiveRemotes = { version: 1, defaults: null, workspaces: [] };

/** A GitHub user or organization name. */
export const OWNER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
/** A repository-name prefix: the characters GitHub allows, not starting with `-` or `.`. */
export const PREFIX_RE = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,59})?$/;
/** A store key, as `workspaceKey` makes them. */
export const STORE_KEY_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,39}-[0-9a-f]{20}$|^root-[0-9a-f]{20}$/;
export const VISIBILITIES: readonly DiskVisibility[] = ['private', 'public', 'internal'];

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function hasControl(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

const plainString = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max && !hasControl(v);

/**
 * Parses the file's text. Returns the content, or the first problem found as a sentence (the
 * caller names the file). Every field is checked for type and form: the file may be hand-edited or
 * written by someone else, and its strings end up in git and `gh` arguments.
 */
export function parseArchiveRemotes(
  text: string,
): { ok: true; value: DiskArchiveRemotes } | { ok: false; problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `it is not JSON (${(error as Error).message})` };
  }
  if (!isObject(raw)) return { ok: false, problem: 'it is not a JSON object' };
  if (raw['version'] !== 1) return { ok: false, problem: `its version is not 1` };
  let defaults: DiskRemoteDefaults | null = null;
  const d = raw['defaults'];
  if (d !== null && d !== undefined) {
    if (!isObject(d)) return { ok: false, problem: '"defaults" is not an object' };
    const { owner, prefix, visibility } = d;
    if (typeof owner !== 'string' || !OWNER_RE.test(owner))
      return { ok: false, problem: '"defaults.owner" is not a GitHub owner name' };
    if (typeof prefix !== 'string' || !PREFIX_RE.test(prefix))
      return { ok: false, problem: '"defaults.prefix" is not a repository-name prefix' };
    if (!VISIBILITIES.includes(visibility as DiskVisibility))
      return { ok: false, problem: '"defaults.visibility" is not private, public or internal' };
    defaults = { owner, prefix, visibility: visibility as DiskVisibility };
  }
  const list = raw['workspaces'];
  if (!Array.isArray(list)) return { ok: false, problem: '"workspaces" is not an array' };
  const workspaces: DiskArchiveRemote[] = [];
  const keys = new Set<string>();
  for (const [i, w] of list.entries()) {
    const at = `"workspaces[${i}]"`;
    if (!isObject(w)) return { ok: false, problem: `${at} is not an object` };
    const { key, root, url, set_at: setAt, created } = w;
    if (typeof key !== 'string' || !STORE_KEY_RE.test(key))
      return { ok: false, problem: `${at}.key is not a store key` };
    if (keys.has(key)) return { ok: false, problem: `${at}.key appears twice` };
    keys.add(key);
    if (!plainString(root, 4096) || !root.startsWith('/'))
      return { ok: false, problem: `${at}.root is not an absolute path` };
    if (!plainString(url, 4096)) return { ok: false, problem: `${at}.url is not a URL or a path` };
    if (typeof setAt !== 'string' || !ISO_RE.test(setAt))
      return { ok: false, problem: `${at}.set_at is not an ISO 8601 UTC time` };
    if (typeof created !== 'boolean') return { ok: false, problem: `${at}.created is not true or false` };
    workspaces.push({ key, root, url, set_at: setAt, created });
  }
  return { ok: true, value: { version: 1, defaults, workspaces } };
}
