/**
 * The redaction corpus, built here (no real secret anywhere): planted secrets of many kinds, each
 * in the kind of text an agent session holds (a shell output, a config file, a chat message), and
 * ordinary code and prose that holds none, read from files the repository and its dependencies
 * ship. Used by `npm run bench -- redact` and by test/dataset/redact.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';

export interface PlantedSecret {
  /** The kind the marker must name. */
  kind: string;
  /** The secret itself (must be gone after redaction). */
  secret: string;
  /** The text it is planted in. */
  text: string;
}

/** Deterministic filler of a given alphabet (no randomness: the corpus is the same every run). */
function fill(
  seed: number,
  length: number,
  alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
): string {
  let s = '';
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += alphabet[x % alphabet.length];
  }
  return s;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function pem(label: string, seed: number): string {
  const lines = Array.from({ length: 8 }, (_, i) => fill(seed + i, 64, B64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`;
}

/** Planted secrets: 24 kinds, several contexts each. */
export function plantedSecrets(): PlantedSecret[] {
  const out: PlantedSecret[] = [];
  const plant = (kind: string, secret: string, contexts: ((s: string) => string)[]): void => {
    for (const c of contexts) out.push({ kind, secret, text: c(secret) });
  };
  const shell = (s: string): string => `$ cat ~/.config/tool.json\n{"token": "${s}", "user": "dev"}\n`;
  const chat = (s: string): string => `Here is my key, please use it: ${s} (thanks!)`;
  const env =
    (name: string) =>
    (s: string): string =>
      `# local settings\nDEBUG=true\n${name}=${s}\nPORT=8080\n`;
  const yaml =
    (name: string) =>
    (s: string): string =>
      `service:\n  ${name}: "${s}"\n  retries: 3\n`;

  plant('aws-access-key-id', `AKIA${fill(1, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, [
    chat,
    env('AWS_ACCESS_KEY_ID'),
    shell,
  ]);
  plant('aws-secret-access-key', fill(2, 40, B64), [
    (s) => `[default]\naws_access_key_id = AKIA${fill(3, 16, UPPER)}\naws_secret_access_key = ${s}\n`,
    (s) => `export AWS_SECRET_ACCESS_KEY="${s}"`,
  ]);
  plant('github-token', `ghp_${fill(4, 36)}`, [chat, shell, env('GITHUB_TOKEN')]);
  plant('github-token', `github_pat_${fill(5, 22)}_${fill(6, 59)}`, [chat]);
  plant('gitlab-token', `glpat-${fill(7, 20)}`, [chat, env('GITLAB_TOKEN')]);
  plant('slack-token', `xoxb-${fill(8, 12, '0123456789')}-${fill(9, 13, '0123456789')}-${fill(10, 24)}`, [
    chat,
    shell,
  ]);
  plant(
    'slack-webhook',
    `https://hooks.slack.com/services/T${fill(11, 8, UPPER)}/B${fill(12, 8, UPPER)}/${fill(13, 24)}`,
    [chat, (s) => `curl -X POST -d '{"text":"hi"}' ${s}`],
  );
  plant('openai-api-key', `sk-proj-${fill(14, 48)}`, [chat, env('OPENAI_API_KEY'), shell]);
  plant('anthropic-api-key', `sk-ant-api03-${fill(15, 93)}AA`, [chat, env('ANTHROPIC_API_KEY')]);
  plant('stripe-key', `sk_live_${fill(16, 24)}`, [chat, (s) => `const stripe = new Stripe('${s}');`]);
  plant('google-api-key', `AIza${fill(17, 35)}`, [
    chat,
    (s) => `<script src="https://maps.googleapis.com/maps/api/js?key=${s}"></script>`,
  ]);
  plant('npm-token', `npm_${fill(18, 36)}`, [(s) => `//registry.npmjs.org/:_authToken=${s}\n`, chat]);
  plant('huggingface-token', `hf_${fill(19, 34, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`, [
    chat,
    env('HF_TOKEN'),
  ]);
  plant('sendgrid-key', `SG.${fill(20, 22)}.${fill(21, 43)}`, [chat, env('SENDGRID_API_KEY')]);
  plant('twilio-key', `SK${fill(22, 32, '0123456789abcdef')}`, [chat]);
  plant(
    'jwt',
    `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.${fill(23, 43)}`,
    [(s) => `curl -H "X-Session: ${s}" https://api.example.com/me`],
  );
  plant('bearer-token', fill(24, 40), [
    (s) => `curl -H "Authorization: Bearer ${s}" https://api.example.com/v1/items`,
  ]);
  plant('private-key', pem('RSA PRIVATE KEY', 25), [(s) => `$ cat id_rsa\n${s}\n$ `]);
  plant('private-key', pem('OPENSSH PRIVATE KEY', 26), [(s) => `The key file is:\n${s}`]);
  plant('private-key', pem('EC PRIVATE KEY', 27), [(s) => s]);
  plant('private-key', pem('PRIVATE KEY', 28), [(s) => JSON.stringify({ private_key: s }).slice(1, -1)]);
  plant('private-key', pem('PGP PRIVATE KEY BLOCK', 29), [(s) => s]);
  plant('url-password', 'Sup3r-Secret-pw', [
    (s) => `git clone https://deploy:${s}@git.example.com/team/app.git`,
    (s) => `redis://default:${s}@cache.internal:6379/0`,
  ]);
  plant('postgresql-connection', `postgres://app:${fill(30, 16)}@db.example.com:5432/prod`, [
    env('DATABASE_URL'),
    chat,
  ]);
  plant('mongodb-connection', `mongodb+srv://admin:${fill(31, 16)}@cluster0.example.mongodb.net/test`, [
    chat,
  ]);
  plant('env-secret', fill(32, 20), [
    env('DB_PASSWORD'),
    env('SESSION_SECRET'),
    env('STRIPE_WEBHOOK_SECRET'),
  ]);
  plant('env-secret', `"${fill(33, 18)} ${fill(34, 6)}"`.slice(1, -1), [
    (s) => `export APP_PASSWORD="${s}"\n`,
  ]);
  plant('password', fill(35, 14), [yaml('password'), (s) => `{"username": "svc", "password": "${s}"}`]);
  return out;
}

/** Ordinary code and prose: lines of files the repository and its dependencies ship. */
export function ordinaryLines(maxLines = 60_000): string[] {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const files = [
    ...fg.sync(['src/**/*.ts', '*.md', 'bench/*.ts'], {
      cwd: root,
      ignore: ['src/dataset/redact.ts', 'bench/_secret-corpus.ts'],
    }),
    'node_modules/typescript/lib/lib.es5.d.ts',
    'node_modules/typescript/lib/lib.dom.d.ts',
  ].sort();
  const lines: string[] = [];
  for (const f of files) {
    for (const l of readFileSync(path.join(root, f), 'utf8').split('\n')) {
      lines.push(l);
      if (lines.length >= maxLines) return lines;
    }
  }
  return lines;
}
