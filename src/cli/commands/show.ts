import type { Command } from 'commander';
import { Option } from 'commander';
import { isHarnessWrapper } from '../../format/preview.js';
import type { RolloutLine } from '../../format/types.js';
import { readEntries, rolloutText } from '../../reader/stream.js';
import type { Ctx } from '../context.js';
import { UsageError, intOption } from '../context.js';
import { ago } from '../dates.js';
import { asText, contentText, localTime, outputText, shortPath, sourceText } from '../format.js';
import type { CliIO, Style } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { resolveSession } from '../resolve.js';
import { safeLine, safeText } from '../terminal-text.js';
import { writeDocument } from '../documents.js';
import { storeOnlySnapshotLines } from './snapshots.js';

interface ShowFlags {
  home?: string;
  json?: boolean;
  raw?: boolean;
  full?: boolean;
  format: 'text' | 'md' | 'html';
  out?: string;
  force?: boolean;
  at?: string;
}

/** Lines of a tool call's arguments, a tool output or a reasoning summary shown without --full. */
const OUTPUT_LINES = 12;
/** Characters of one such line shown without --full. */
const OUTPUT_LINE_CHARS = 2000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const kindOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
/** One line of session text, safe for a terminal. */
const one = (v: unknown): string => safeLine(asText(v));

export function registerShow(program: Command, ctx: Ctx): void {
  program
    .command('show')
    .description('print a session as a readable transcript')
    .argument('<session>', 'a session id, a unique id prefix (8+ hex digits), or a rollout file')
    .option('--home <dir>', 'the home to look in (default: $CODEX_HOME or ~/.codex)')
    .option('--json', 'the parsed lines as JSON Lines, one record per line, its "type" the line type')
    .option(
      '--raw',
      'the lines as stored, byte for byte: NOT made safe for a terminal (control characters are sent as they are)',
    )
    .option('--full', 'tool calls, outputs and reasoning in full (default: the first lines, cut)')
    .addOption(
      new Option(
        '--format <format>',
        'text: for a terminal; md: a Markdown document; html: one self-contained HTML file',
      )
        .choices(['text', 'md', 'html'])
        .default('text'),
    )
    .option('--out <file>', 'with --format md|html: the file to write (default, or -: standard output)')
    .option('--force', 'replace --out if it exists (never a symbolic link, never inside the home)')
    .option('--at <line>', 'start at this line of the file (the line `rollouts search` prints)')
    .action(async (arg: string, flags: ShowFlags) => {
      const { io, style } = ctx;
      if (flags.json && flags.raw) throw new UsageError('show', '--json and --raw cannot be used together');
      const document = flags.format !== 'text';
      for (const [name, set] of [
        ['--json', flags.json],
        ['--raw', flags.raw],
        ['--at', flags.at !== undefined],
      ] as const) {
        if (set && document)
          throw new UsageError('show', `${name} and --format ${flags.format} cannot be used together`);
      }
      if (!document && (flags.out !== undefined || flags.force))
        throw new UsageError(
          'show',
          `${flags.out !== undefined ? '--out' : '--force'} needs --format md or html`,
        );
      if (flags.at !== undefined && flags.raw) {
        throw new UsageError('show', '--at and --raw cannot be used together');
      }
      const at = intOption('show', '--at', flags.at) ?? 1;
      const { path: file } = await resolveSession(arg, flags.home, io);
      if (document) {
        await writeDocument(io, file, {
          format: flags.format === 'md' ? 'markdown' : 'html',
          full: flags.full ?? false,
          out: flags.out,
          force: flags.force ?? false,
          home: flags.home,
          warn: (p) =>
            io.stderr.write(
              `${style.yellow('warning:')} ${safeLine(file)}:${p.line}: ${safeLine(p.message)}\n`,
            ),
        });
        return;
      }
      if (flags.raw) {
        // Decoded across read edges (a character split between two reads stays whole), and
        // decompressed for a .jsonl.zst: the lines as stored, not the compressed bytes. The one
        // output not made safe: it is the file.
        for await (const text of rolloutText(file)) io.stdout.write(text);
        return;
      }
      const shownFile = safeLine(file);
      const warnNow = (line: number, message: string): void => {
        io.stderr.write(`${style.yellow('warning:')} ${shownFile}:${line}: ${safeLine(message)}\n`);
      };
      // Problems before the first readable line are held: a file refused as a whole says so in one
      // line (the error), not after a warning per blank or broken line.
      let held: [number, string][] | undefined = [];
      const warn = (line: number, message: string): void => {
        if (held) held.push([line, message]);
        else warnNow(line, message);
      };
      const release = (): void => {
        if (held === undefined) return;
        for (const [line, message] of held) warnNow(line, message);
        held = undefined;
      };
      const entries = (async function* () {
        for await (const batch of readEntries(file, {
          onProblem: (p) => {
            warn(p.line, p.message);
          },
        })) {
          release();
          yield batch;
        }
      })();
      if (flags.json) {
        for await (const batch of entries) {
          for (const e of batch) if (e.line >= at) io.stdout.write(jsonLine(e.value));
        }
        return;
      }
      let sawMeta = false;
      let id = '';
      let updated = '';
      const full = flags.full ?? false;
      let before = 0;
      for await (const batch of entries) {
        for (const { line: n, value } of batch) {
          if (!sawMeta && value.type === 'session_meta') {
            sawMeta = true;
            id = String((value.payload as { id?: unknown }).id);
            io.stdout.write(header(shownFile, value.payload, style, io.now()));
            continue;
          }
          updated = value.timestamp;
          if (n < at) {
            before++;
            continue;
          }
          if (before > 0) {
            io.stdout.write(
              `${style.dim(`… ${before} ${before === 1 ? 'line' : 'lines'} before line ${at} not shown`)}\n\n`,
            );
            before = 0;
          }
          render(io, value, n, style, full, warn);
        }
      }
      if (before > 0) {
        io.stderr.write(`the session has no line ${at} (it has ${before + 1} lines)\n`);
      }
      // Snapshots the hook took while a writer held the session are linked only by their store.
      const extra = await storeOnlySnapshotLines(id, file, style);
      if (extra.length > 0) io.stdout.write(`${extra.join('\n')}\n`);
      if (updated) {
        io.stdout.write(`  ${style.dim('updated'.padEnd(9))}${timeText(updated, io.now())}\n`);
      }
    });
}

function timeText(t: unknown, now: Date): string {
  if (typeof t !== 'string') return one(t);
  const since = ago(t, now);
  return `${one(localTime(t))}${since ? ` (${since})` : ''}`;
}

function header(file: string, payload: object, style: Style, now: Date): string {
  const meta = payload as Obj;
  const rows: [string, string][] = [
    ['file', file],
    ['cwd', typeof meta['cwd'] === 'string' ? shortPath(safeLine(meta['cwd']), 200) : one(meta['cwd'])],
  ];
  const git = meta['git'];
  if (isObj(git)) {
    const hash = git['commit_hash'];
    const parts = [
      git['branch'] === undefined || git['branch'] === null ? '(detached)' : one(git['branch']),
      hash === undefined || hash === null ? '' : `@ ${one(hash).slice(0, 10)}`,
      one(git['repository_url']),
    ];
    rows.push(['git', parts.filter(Boolean).join(' ')]);
  } else if (git !== undefined && git !== null) rows.push(['git', one(git)]);
  if (meta['model_provider']) rows.push(['provider', one(meta['model_provider'])]);
  const originator = meta['originator'];
  const version = meta['cli_version'];
  rows.push([
    'source',
    `${safeLine(sourceText(meta['source'] as never))}${originator ? ` (${one(originator)}${version ? ` ${one(version)}` : ''})` : ''}`,
  ]);
  rows.push(['created', timeText(meta['timestamp'], now)]);
  return (
    `${style.bold(`session ${one(meta['id'])}`)}\n` +
    rows.map(([k, v]) => `  ${style.dim(k.padEnd(9))}${v}`).join('\n') +
    '\n\n'
  );
}

/**
 * Writes `text` (made safe, multi-line) with every line indented. Unless `full`, only the first
 * {@link OUTPUT_LINES} lines are written, each cut to {@link OUTPUT_LINE_CHARS} characters, and a
 * note says what was cut. Walks the text with `indexOf`, never splitting a huge text into an array.
 */
function writeIndented(
  io: CliIO,
  text: string,
  full: boolean,
  prefix: string,
  paint: (s: string) => string = (s) => s,
): void {
  let start = 0;
  let shown = 0;
  let cutChars = 0;
  const chunk: string[] = [];
  const flush = (): void => {
    if (chunk.length > 0) io.stdout.write(chunk.join(''));
    chunk.length = 0;
  };
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    if (!full && shown >= OUTPUT_LINES) {
      // Lines left, this one included; a single last line is shown rather than announced.
      let more = 1;
      for (let i = nl; i !== -1; i = text.indexOf('\n', i + 1)) more++;
      if (more > 1) {
        chunk.push(`${prefix}… ${more} more lines (--full shows them)\n`);
        break;
      }
    }
    let stop = end;
    if (!full && end - start > OUTPUT_LINE_CHARS) {
      stop = start + OUTPUT_LINE_CHARS;
      const c = text.charCodeAt(stop - 1);
      if (c >= 0xd800 && c <= 0xdbff) stop--; // never split a surrogate pair
      cutChars = end - stop;
    }
    const body = safeText(text.slice(start, stop), { multiline: true });
    chunk.push(
      `${prefix}${paint(body)}${cutChars > 0 ? `… ${cutChars} more characters (--full shows them)` : ''}\n`,
    );
    cutChars = 0;
    shown++;
    if (chunk.length >= 1024) flush();
    if (nl === -1) break;
    start = nl + 1;
  }
  flush();
}

/** Writes the transcript of one rollout line; lines that repeat another (events of messages) write nothing. */
function render(
  io: CliIO,
  line: RolloutLine,
  n: number,
  style: Style,
  full: boolean,
  warn: (line: number, message: string) => void,
): void {
  const out = (s: string): void => void io.stdout.write(`${s}\n`);
  const shown = line.type === 'response_item' || line.type === 'workspace_snapshot';
  if (!isObj(line.payload)) {
    if (shown || line.type === 'compacted')
      warn(n, `payload is ${kindOf(line.payload).replace(/^an? /, '')}, not an object (line skipped)`);
    return;
  }
  const p = line.payload;
  const time = style.dim(`· ${one(localTime(line.timestamp))}`);
  if (line.type === 'response_item') {
    switch (p['type']) {
      case 'message': {
        const role = p['role'];
        if (typeof role !== 'string') {
          warn(n, `message "role" is ${asText(role) || kindOf(role)}, not a string (message skipped)`);
          return;
        }
        if (role !== 'user' && role !== 'assistant') return;
        const text = contentText(p['content'], '[image]');
        if (role === 'user' && isHarnessWrapper(text)) return;
        out(`${role === 'user' ? style.cyan('user') : style.green('assistant')} ${time}`);
        writeIndented(io, text, true, '  ');
        out('');
        return;
      }
      case 'reasoning': {
        const summary = p['summary'] === undefined ? '' : contentText(p['summary']);
        if (!summary) return;
        out(style.dim('  reasoning:'));
        writeIndented(io, summary, full, '    ', (t) => style.dim(t));
        out('');
        return;
      }
      case 'function_call':
      case 'custom_tool_call': {
        out(`  ${style.yellow('tool call')} ${one(p['name'])} ${style.dim(`[${one(p['call_id'])}]`)}`);
        writeIndented(io, asText(p['arguments'] ?? p['input']), full, '    ');
        return;
      }
      case 'local_shell_call':
        out(`  ${style.yellow('shell')} ${safeLine(asText(p['action'] ?? null) || 'null')}`);
        return;
      case 'web_search_call':
        out(`  ${style.yellow('web search')} ${safeLine(asText(p['action'] ?? {}))}`);
        return;
      case 'function_call_output':
      case 'custom_tool_call_output':
        out(`  ${style.dim(`output [${one(p['call_id'])}]`)}`);
        writeIndented(io, outputText(p['output']), full, '    ');
        out('');
        return;
      default:
        return;
    }
  }
  if (line.type === 'workspace_snapshot') {
    out(
      `  ${style.cyan('snapshot')} of message ${one(p['message_id'])}: commit ${one(p['commit']).slice(0, 12)} ${style.dim(`(store ${one(p['store'])})`)}`,
    );
    out('');
    return;
  }
  if (line.type === 'compacted') {
    out(style.dim('  (history compacted here)'));
    out('');
  }
}
