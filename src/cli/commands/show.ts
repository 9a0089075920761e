import type { Command } from 'commander';
import { isHarnessWrapper } from '../../format/preview.js';
import type { RolloutLine, SessionMetaPayload } from '../../format/types.js';
import { rolloutText, streamRollout } from '../../reader/stream.js';
import type { RolloutProblem } from '../../reader/stream.js';
import type { Ctx } from '../context.js';
import { ago } from '../dates.js';
import { asText, contentText, localTime, outputText, shortPath, sourceText } from '../format.js';
import type { Style } from '../io.js';
import { resolveSession } from '../resolve.js';
import { storeOnlySnapshotLines } from './snapshots.js';

interface ShowFlags {
  home?: string;
  json?: boolean;
  raw?: boolean;
  full?: boolean;
}

const OUTPUT_LINES = 12;

export function registerShow(program: Command, ctx: Ctx): void {
  program
    .command('show')
    .description('print a session as a readable transcript')
    .argument('<session>', 'a session id, a unique id prefix (8+ hex digits), or a rollout file')
    .option('--home <dir>', 'the home to look in (default: $CODEX_HOME or ~/.codex)')
    .option('--json', 'the parsed lines, one JSON object per line')
    .option('--raw', 'the lines as stored')
    .option('--full', 'tool outputs in full (default: the first lines)')
    .action(async (arg: string, flags: ShowFlags) => {
      const { io, style } = ctx;
      const { path: file } = await resolveSession(arg, flags.home, io);
      if (flags.raw) {
        // Decoded across read edges (a character split between two reads stays whole), and
        // decompressed for a .jsonl.zst: the lines as stored, not the compressed bytes.
        for await (const text of rolloutText(file)) io.stdout.write(text);
        return;
      }
      const problems: RolloutProblem[] = [];
      const lines = streamRollout(file, { onProblem: (p) => problems.push(p) });
      if (flags.json) {
        for await (const line of lines) io.stdout.write(`${JSON.stringify(line)}\n`);
      } else {
        let meta: SessionMetaPayload | undefined;
        let updated = '';
        const body: string[] = [];
        for await (const line of lines) {
          if (meta === undefined && line.type === 'session_meta') {
            meta = line.payload;
            continue;
          }
          updated = line.timestamp;
          body.push(...render(line, style, flags.full ?? false));
        }
        // Snapshots the hook took while a writer held the session are linked only by their store.
        body.push(...(await storeOnlySnapshotLines(meta!.id, file, style)));
        io.stdout.write(header(file, meta!, updated, style, io.now()));
        io.stdout.write(body.join('\n') + (body.length > 0 ? '\n' : ''));
      }
      for (const p of problems)
        io.stderr.write(`${style.yellow('warning:')} ${file}:${p.line}: ${p.message}\n`);
    });
}

function header(file: string, meta: SessionMetaPayload, updated: string, style: Style, now: Date): string {
  const git = meta.git;
  const rows: [string, string][] = [
    ['file', file],
    ['cwd', shortPath(meta.cwd, 200)],
  ];
  if (git) {
    const parts = [
      git.branch ?? '(detached)',
      git.commit_hash ? `@ ${git.commit_hash.slice(0, 10)}` : '',
      git.repository_url ?? '',
    ];
    rows.push(['git', parts.filter(Boolean).join(' ')]);
  }
  if (meta.model_provider) rows.push(['provider', meta.model_provider]);
  rows.push([
    'source',
    `${sourceText(meta.source)}${meta.originator ? ` (${meta.originator}${meta.cli_version ? ` ${meta.cli_version}` : ''})` : ''}`,
  ]);
  rows.push(['created', `${localTime(meta.timestamp)} (${ago(meta.timestamp, now)})`]);
  if (updated) rows.push(['updated', `${localTime(updated)} (${ago(updated, now)})`]);
  return (
    `${style.bold(`session ${meta.id}`)}\n` +
    rows.map(([k, v]) => `  ${style.dim(k.padEnd(9))}${v}`).join('\n') +
    '\n\n'
  );
}

function indent(text: string, full: boolean, prefix = '    '): string[] {
  const lines = text.split('\n');
  const shown = full ? lines : lines.slice(0, OUTPUT_LINES);
  const out = shown.map((l) => prefix + l);
  if (shown.length < lines.length)
    out.push(`${prefix}… ${lines.length - shown.length} more lines (--full shows them)`);
  return out;
}

/** The transcript lines of one rollout line; lines that repeat another (events of messages) render as nothing. */
function render(line: RolloutLine, style: Style, full: boolean): string[] {
  const p = (line.payload ?? {}) as Record<string, unknown>;
  if (line.type === 'response_item') {
    switch (p['type']) {
      case 'message': {
        const role = String(p['role']);
        const text = contentText(p['content'], '[image]');
        if (role !== 'user' && role !== 'assistant') return [];
        if (role === 'user' && isHarnessWrapper(text)) return [];
        const label = role === 'user' ? style.cyan('user') : style.green('assistant');
        return [`${label} ${style.dim(`· ${localTime(line.timestamp)}`)}`, ...indent(text, true, '  '), ''];
      }
      case 'reasoning': {
        const summary = Array.isArray(p['summary']) ? contentText(p['summary']) : '';
        return summary ? [style.dim('  reasoning:'), ...indent(style.dim(summary), full), ''] : [];
      }
      case 'function_call':
      case 'custom_tool_call': {
        const args = asText(p['arguments'] ?? p['input']);
        return [
          `  ${style.yellow('tool call')} ${String(p['name'])} ${style.dim(`[${String(p['call_id'])}]`)}`,
          ...indent(args, full),
        ];
      }
      case 'local_shell_call':
        return [`  ${style.yellow('shell')} ${JSON.stringify(p['action'])}`];
      case 'web_search_call':
        return [`  ${style.yellow('web search')} ${JSON.stringify(p['action'] ?? {})}`];
      case 'function_call_output':
      case 'custom_tool_call_output':
        return [
          `  ${style.dim(`output [${String(p['call_id'])}]`)}`,
          ...indent(outputText(p['output']), full),
          '',
        ];
      default:
        return [];
    }
  }
  if (line.type === 'workspace_snapshot') {
    return [
      `  ${style.cyan('snapshot')} of message ${String(p['message_id'])}: commit ${String(p['commit']).slice(0, 12)} ${style.dim(`(store ${String(p['store'])})`)}`,
      '',
    ];
  }
  if (line.type === 'compacted') return [style.dim('  (history compacted here)'), ''];
  return [];
}
