import { asText, contentText, outputText } from '../format/content-text.js';
import { isHarnessWrapper } from '../format/preview.js';
import type { RolloutLine } from '../format/types.js';

/**
 * The transcript's view of a rollout: each line that a reader of the session would want to see
 * becomes one block, in file order; lines that only repeat another (events of messages, token
 * counts, turn contexts) become none. Both renderers (Markdown, HTML) draw the same blocks.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : asText(v));

/** An image of a message: a `data:` URL of a raster image, or null for any other kind of source. */
export interface TranscriptImage {
  /** The `data:image/…;base64,…` URL, checked; null when the source is not one (never fetched). */
  dataUrl: string | null;
  /** Its media type (`image/png`), when known. */
  mediaType: string | null;
  /** Size of the encoded URL in bytes. */
  size: number;
}

interface At {
  /** The line's 1-based number in the file. */
  line: number;
  /** The line's timestamp as written (not checked). */
  time: string;
}

/** One thing the transcript shows. */
export type TranscriptBlock =
  | (At & {
      kind: 'meta';
      id: string;
      cwd: string;
      source: string;
      originator: string;
      cliVersion: string;
      provider: string;
      git: string;
      created: string;
    })
  | (At & { kind: 'message'; role: 'user' | 'assistant'; text: string; images: TranscriptImage[] })
  | (At & { kind: 'reasoning'; text: string })
  | (At & { kind: 'tool-call'; name: string; callId: string; input: string; json: boolean })
  | (At & { kind: 'tool-output'; callId: string; output: string })
  | (At & { kind: 'snapshot'; messageId: string; commit: string; store: string; workspace: string })
  | (At & { kind: 'compacted'; text: string })
  | (At & { kind: 'resume'; idleMs: number });

/** Idle time before a user turn that marks it as a resume point. */
/** The rows both formats show for a session's `session_meta`, in order. */
export function metaRows(b: Extract<TranscriptBlock, { kind: 'meta' }>): [string, string][] {
  const by = b.originator ? ` (${b.originator}${b.cliVersion ? ` ${b.cliVersion}` : ''})` : '';
  return [
    ['cwd', b.cwd],
    ['source', `${b.source}${by}`],
    ['provider', b.provider],
    ['git', b.git],
    ['created', b.created],
  ];
}

export const RESUME_GAP_MS = 30 * 60 * 1000;

const DATA_IMAGE = /^data:(image\/(?:png|jpeg|gif|webp));base64,[A-Za-z0-9+/]+={0,2}$/;

function imageOf(part: Obj): TranscriptImage {
  const url = part['image_url'];
  const u = typeof url === 'string' ? url : isObj(url) && typeof url['url'] === 'string' ? url['url'] : '';
  const m = DATA_IMAGE.exec(u);
  return { dataUrl: m ? u : null, mediaType: m ? m[1]! : null, size: u.length };
}

function sourceOf(v: unknown): string {
  if (v === undefined || v === null) return 'vscode';
  if (typeof v === 'string') return v;
  if (isObj(v) && isObj(v['subagent'])) return 'sub-agent';
  return asText(v);
}

function gitOf(v: unknown): string {
  if (!isObj(v)) return v === undefined || v === null ? '' : asText(v);
  const branch = v['branch'];
  const hash = v['commit_hash'];
  return [
    typeof branch === 'string' ? branch : '(detached)',
    typeof hash === 'string' ? `@ ${hash.slice(0, 10)}` : '',
    typeof v['repository_url'] === 'string' ? v['repository_url'] : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** Arguments this long or longer are shown as written, not re-indented. */
const PRETTY_MAX = 256 * 1024;

/** Tool arguments for reading: JSON objects and arrays indented, anything else as written. */
function argumentsText(v: unknown): { input: string; json: boolean } {
  if (typeof v === 'string') {
    const t = v.trimStart();
    if (v.length < PRETTY_MAX && (t.startsWith('{') || t.startsWith('['))) {
      try {
        return { input: JSON.stringify(JSON.parse(v), null, 2), json: true };
      } catch {
        // Not JSON after all: shown as written.
      }
    }
    return { input: v, json: false };
  }
  if (v === undefined || v === null) return { input: '', json: false };
  return { input: JSON.stringify(v, null, 2), json: true };
}

/** Turns lines into blocks; holds only what it needs across lines (the time of the last one). */
export class BlockMaker {
  #sawMeta = false;
  #last: number | undefined;
  /** The session's id, once its `session_meta` was seen. */
  sessionId = '';

  /** The blocks of one line (often none). */
  blocks(line: RolloutLine, n: number): TranscriptBlock[] {
    const time = typeof line.timestamp === 'string' ? line.timestamp : '';
    const at = { line: n, time };
    const ms = Date.parse(time);
    const idle = Number.isNaN(ms) || this.#last === undefined ? 0 : ms - this.#last;
    // Idle time is measured between the session's own lines: the head may be written long before.
    if (!Number.isNaN(ms) && line.type !== 'session_meta') this.#last = ms;
    const p = line.payload;
    if (!isObj(p)) return [];
    if (line.type === 'session_meta') {
      if (this.#sawMeta) return [];
      this.#sawMeta = true;
      this.sessionId = str(p['id']);
      return [
        {
          ...at,
          kind: 'meta',
          id: this.sessionId,
          cwd: str(p['cwd']),
          source: sourceOf(p['source']),
          originator: str(p['originator']),
          cliVersion: str(p['cli_version']),
          provider: str(p['model_provider']),
          git: gitOf(p['git']),
          created: str(p['timestamp']),
        },
      ];
    }
    if (line.type === 'workspace_snapshot') {
      return [
        {
          ...at,
          kind: 'snapshot',
          messageId: str(p['message_id']),
          commit: str(p['commit']),
          store: str(p['store']),
          workspace: str(p['workspace']),
        },
      ];
    }
    if (line.type === 'compacted') return [{ ...at, kind: 'compacted', text: str(p['message']) }];
    if (line.type !== 'response_item') return [];
    switch (p['type']) {
      case 'message': {
        const role = p['role'];
        if (role !== 'user' && role !== 'assistant') return [];
        const content = p['content'];
        const text = contentText(content);
        if (role === 'user' && isHarnessWrapper(text)) return [];
        const images = Array.isArray(content)
          ? content.filter((c): c is Obj => isObj(c) && c['type'] === 'input_image').map(imageOf)
          : [];
        const block: TranscriptBlock = { ...at, kind: 'message', role, text, images };
        return role === 'user' && idle >= RESUME_GAP_MS
          ? [{ ...at, kind: 'resume', idleMs: idle }, block]
          : [block];
      }
      case 'reasoning': {
        const text = p['summary'] === undefined ? '' : contentText(p['summary']);
        return text ? [{ ...at, kind: 'reasoning', text }] : [];
      }
      case 'function_call':
      case 'custom_tool_call':
        return [
          {
            ...at,
            kind: 'tool-call',
            name: str(p['name']),
            callId: str(p['call_id']),
            ...argumentsText(p['arguments'] ?? p['input']),
          },
        ];
      case 'local_shell_call':
        return [
          {
            ...at,
            kind: 'tool-call',
            name: 'local_shell',
            callId: str(p['call_id']),
            ...argumentsText(p['action'] ?? null),
          },
        ];
      case 'web_search_call':
        return [
          {
            ...at,
            kind: 'tool-call',
            name: 'web_search',
            callId: str(p['call_id'] ?? p['id']),
            ...argumentsText(p['action'] ?? {}),
          },
        ];
      case 'function_call_output':
      case 'custom_tool_call_output':
        return [{ ...at, kind: 'tool-output', callId: str(p['call_id']), output: outputText(p['output']) }];
      default:
        return [];
    }
  }
}

/** `idleMs` as people say it: `3 h 2 min`, `45 min`. */
export function idleText(idleMs: number): string {
  const min = Math.round(idleMs / 60000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const days = Math.floor(h / 24);
  if (days > 0) return `${days} d ${h % 24} h`;
  return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
}
