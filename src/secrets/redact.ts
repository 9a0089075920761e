import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';

/**
 * One secret found in a text: where it is and what kind it is.
 * @public
 */
export interface SecretFinding {
  /** The kind, as the marker names it (`aws-access-key-id`, `private-key`, `env-secret`, …). */
  kind: string;
  /** Offset of the first UTF-16 unit of the secret. */
  start: number;
  /** Offset just past its last unit. */
  end: number;
}

/**
 * Finds secrets and replaces each with a stable marker, `[REDACTED:<kind>]`.
 * @public
 */
export interface SecretRedactor {
  /** The secrets in `text`, sorted, overlapping ones merged (the first one's kind kept). */
  scan(text: string): Promise<SecretFinding[]>;
  /** `text` with every secret replaced by `[REDACTED:<kind>]`. */
  redact(text: string): Promise<string>;
  /**
   * Each text redacted as {@link SecretRedactor.redact} would, scanned together: much faster for
   * many short texts (a session's messages), since secretlint's cost is mostly per call.
   */
  redactAll(texts: readonly string[]): Promise<string[]>;
  /** How many secrets of each kind this redactor has replaced so far. */
  readonly counts: ReadonlyMap<string, number>;
}

/** The marker that replaces a secret of this kind. */
export const redactionMarker = (kind: string): string => `[REDACTED:${kind}]`;

interface PatternRule {
  kind: string;
  pattern: RegExp;
  /** The capture group that is the secret (the whole match when absent). */
  group?: number;
}

/** Names that say a `.env` value is a secret. */
const SECRET_NAME =
  '[A-Z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|PWD|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?|AUTH|DSN)[A-Z0-9_]*';

/**
 * Our own rules, beside secretlint's recommended preset: what the preset does not catch on its own
 * (private key blocks without a valid body, a bare AWS key id, `.env` assignments, passwords in any
 * URL, bearer tokens, JWTs, and key formats the preset has no rule for). Each is anchored on a
 * prefix or a name, not on entropy, so ordinary code does not trip it.
 */
const RULES: readonly PatternRule[] = [
  {
    kind: 'private-key',
    pattern:
      /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$(?![\s\S]))/g,
  },
  {
    kind: 'aws-access-key-id',
    pattern: /\b(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}\b/g,
  },
  {
    kind: 'aws-secret-access-key',
    pattern:
      /\baws_?secret_?(?:access_?)?key["']?\s*(?::|=>|=)\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
  },
  { kind: 'anthropic-api-key', pattern: /\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{20,}/g },
  {
    kind: 'openai-api-key',
    pattern: /\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])/g,
  },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { kind: 'gitlab-token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'slack-webhook', pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g },
  { kind: 'stripe-key', pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g },
  { kind: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { kind: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'huggingface-token', pattern: /\bhf_[A-Za-z0-9]{30,}\b/g },
  { kind: 'sendgrid-key', pattern: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g },
  { kind: 'twilio-key', pattern: /\bSK[0-9a-f]{32}\b/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g },
  { kind: 'bearer-token', pattern: /\b(?:[Bb]earer|[Tt]oken)\s+([A-Za-z0-9._~+/-]{20,}=*)/g, group: 1 },
  {
    kind: 'url-password',
    pattern: /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s:/?#@"'<>]+:([^\s/?#@"'<>]+)@/g,
    group: 1,
  },
  {
    // KEY=value at the start of a line (a .env file, a shell export, a Dockerfile ENV).
    kind: 'env-secret',
    pattern: new RegExp(
      `^[ \\t]*(?:export[ \\t]+|ENV[ \\t]+)?${SECRET_NAME}[ \\t]*=[ \\t]*(?:"([^"\\n$]{4,})"|'([^'\\n]{4,})'|([^\\s"'$#][^\\s#]{3,}))`,
      'gm',
    ),
  },
  {
    // "password": "…" / password: … in JSON or YAML.
    kind: 'password',
    pattern:
      /["']?\b(?:password|passwd|pass|secret|client_secret|api_key|apikey)["']?[ \t]*:[ \t]*["']([^"'\s$][^"'\n]{3,})["']/gi,
    group: 1,
  },
];

/** Values a `.env` line or a config may hold that are not secrets. */
const PLACEHOLDER =
  /^(?:<.*>|\{\{.*\}\}|x{4,}|\*{4,}|\.{3,}|changeme|change-me|your[-_].*|example|placeholder|none|null|true|false|redacted|\[REDACTED:[a-z0-9-]+\])$/i;

/** `GITHUB_TOKEN` → `github-token`, `AWSAccessKeyID` → `aws-access-key-id`. */
export function kindOf(messageId: string): string {
  return messageId
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[_\s]+/g, '-')
    .toLowerCase();
}

/** Secretlint's message ids mapped to the kinds our own rules use for the same secret. */
const SECRETLINT_KINDS: Readonly<Record<string, string>> = {
  AWSAccessKeyID: 'aws-access-key-id',
  AWSSecretAccessKey: 'aws-secret-access-key',
  PrivateKey: 'private-key',
  GITHUB_TOKEN: 'github-token',
  SLACK_TOKEN: 'slack-token',
  IncomingWebhook: 'slack-webhook',
  BasicAuth: 'url-password',
  OPENAI_TOKEN: 'openai-api-key',
  ANTHROPIC_API_KEY: 'anthropic-api-key',
  HUGGINGFACE_USER_ACCESS_TOKEN: 'huggingface-token',
  SENDGRID_KEY: 'sendgrid-key',
  NPM_ACCESS_TOKEN: 'npm-token',
  GITLAB_PERSONAL_ACCESS_TOKEN: 'gitlab-token',
  PostgreSQLConnection: 'postgresql-connection',
  MySQLConnection: 'mysql-connection',
  MongoDBConnection: 'mongodb-connection',
};

/*
 * secretlint's profiler marks every call on the process-wide performance timeline and keeps every
 * entry in a list it searches on each new mark: each call was slower than the last (an export of
 * 300 sessions took 12× the plain one) and memory grew with every text scanned, for the life of
 * the process. Profiling secretlint is a development aid, so its marks are dropped here.
 * (`@secretlint/profiler` is pinned to the version `@secretlint/core` pins, so both share this one
 * profiler; the redaction test checks no mark reaches the timeline.)
 */
secretLintProfiler.mark = () => {};

const CONFIG: Parameters<typeof lintSource>[0]['options']['config'] = {
  rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }],
};

/** Texts shorter than this hold no secret any rule knows. */
const MIN_SECRET = 8;

function patternFindings(text: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    for (const m of text.matchAll(rule.pattern)) {
      const groups = rule.kind === 'env-secret' ? [1, 2, 3] : rule.group === undefined ? [0] : [rule.group];
      for (const g of groups) {
        const value = m[g];
        if (value === undefined) continue;
        if (PLACEHOLDER.test(value)) continue;
        const start = m.index + (g === 0 ? 0 : m[0].lastIndexOf(value));
        out.push({ kind: rule.kind, start, end: start + value.length });
        break;
      }
    }
  }
  return out;
}

/** Sorted by start; overlapping or touching-inside findings merged, the earliest's kind kept. */
function merge(findings: SecretFinding[]): SecretFinding[] {
  findings.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretFinding[] = [];
  for (const f of findings) {
    const last = out[out.length - 1];
    if (last !== undefined && f.start < last.end) last.end = Math.max(last.end, f.end);
    else out.push({ ...f });
  }
  return out;
}

/**
 * The secrets in each text, as {@link SecretRedactor.scan} finds them, the texts scanned together
 * (secretlint is run on them joined, in pieces of about 1 MiB).
 */
export async function scanTexts(texts: readonly string[]): Promise<SecretFinding[][]> {
  const found = texts.map((t) => (t.length < MIN_SECRET ? [] : patternFindings(t)));
  // Secretlint on the texts joined (a call costs ~20 ms whatever its size), in pieces of about
  // 1 MiB; a finding is cut to the text it falls in, so none spans two texts.
  let i = 0;
  while (i < texts.length) {
    const group: number[] = [];
    let size = 0;
    while (i < texts.length && (group.length === 0 || size + texts[i]!.length <= JOIN_LIMIT)) {
      if (texts[i]!.length >= MIN_SECRET) {
        group.push(i);
        size += texts[i]!.length + JOIN.length;
      }
      i++;
    }
    if (group.length === 0) continue;
    const starts: number[] = [];
    let at = 0;
    for (const g of group) {
      starts.push(at);
      at += texts[g]!.length + JOIN.length;
    }
    const result = await lintSource({
      source: {
        content: group.map((g) => texts[g]!).join(JOIN),
        filePath: 'text.txt',
        contentType: 'text',
      },
      options: { config: CONFIG, noPhysicFilePath: true },
    });
    for (const m of result.messages) {
      const [start, end] = m.range;
      if (end <= start) continue;
      // The last text starting at or before `start`.
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= start) lo = mid;
        else hi = mid - 1;
      }
      const index = group[lo]!;
      const base = starts[lo]!;
      const length = texts[index]!.length;
      const s0 = start - base;
      const e0 = Math.min(end - base, length);
      if (s0 >= length || e0 <= s0) continue;
      found[index]!.push({
        kind: SECRETLINT_KINDS[m.messageId] ?? kindOf(m.messageId),
        start: s0,
        end: e0,
      });
    }
  }
  return found.map(merge);
}

/**
 * A redactor with secretlint's recommended rules plus our own (see `RULES`): private key blocks,
 * `.env` assignments, passwords in URLs and configs, and the common cloud and service key formats.
 *
 * @remarks
 * Replacement is by position, so the rest of the text is kept byte for byte; a marker never
 * contains a quote or a backslash, so redacting the text of a JSON string keeps it valid. Texts
 * shorter than 8 characters are returned as they are.
 * @public
 */
export function createSecretRedactor(): SecretRedactor {
  const counts = new Map<string, number>();
  const replace = (text: string, found: SecretFinding[]): string => {
    if (found.length === 0) return text;
    let out = '';
    let at = 0;
    for (const f of found) {
      out += text.slice(at, f.start) + redactionMarker(f.kind);
      at = f.end;
      counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
    }
    return out + text.slice(at);
  };
  return {
    counts,
    scan: async (text) => (await scanTexts([text]))[0]!,
    async redact(text) {
      return replace(text, (await scanTexts([text]))[0]!);
    },
    async redactAll(texts) {
      const found = await scanTexts(texts);
      return texts.map((t, i) => replace(t, found[i]!));
    },
  };
}

/** Between texts scanned together: blank lines, so no rule's match runs from one into the next. */
const JOIN = '\n\n\n';
/** Characters of text per secretlint call at most (one text longer than this goes alone). */
const JOIN_LIMIT = 1024 * 1024;

/**
 * Every string in `value` redacted (object keys kept), a new value; `skip` names keys whose string
 * values are left as they are (ids, commits). All strings are scanned in one batch.
 */
export async function redactDeep(
  value: unknown,
  redactor: SecretRedactor,
  skip: ReadonlySet<string> = new Set(),
): Promise<unknown> {
  const texts: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') texts.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (typeof v === 'object' && v !== null)
      for (const [k, x] of Object.entries(v)) if (!(skip.has(k) && typeof x === 'string')) collect(x);
  };
  collect(value);
  const redacted = await redactor.redactAll(texts);
  let next = 0;
  const rebuild = (v: unknown): unknown => {
    if (typeof v === 'string') return redacted[next++];
    if (Array.isArray(v)) return v.map(rebuild);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = skip.has(k) && typeof x === 'string' ? x : rebuild(x);
      return out;
    }
    return v;
  };
  return rebuild(value);
}
