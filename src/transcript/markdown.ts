import type { TranscriptBlock } from './blocks.js';
import { idleText, metaRows } from './blocks.js';
import type { SnapshotChange } from './snapshot-diff.js';
import type { CutText } from './text.js';
import { count, cutText, fenceFor, visible } from './text.js';

/** What a renderer needs to know besides the blocks. */
export interface RenderSettings {
  /** Keep every output whole. */
  full: boolean;
}

/** Lines of a tool call, output or reasoning kept unless `full`. */
export const CUT_LINES = 40;
/** Characters of one such line kept unless `full`. */
export const CUT_LINE_CHARS = 2000;
/** Characters of one such block kept unless `full`. */
export const CUT_CHARS = 20_000;

/** A text cut as the settings say (or whole). */
export function cutFor(text: string, s: RenderSettings): CutText {
  return s.full
    ? cutText(text, Infinity, Infinity, Infinity)
    : cutText(text, CUT_LINES, CUT_LINE_CHARS, CUT_CHARS);
}

/** What was cut, as a note, or nothing. */
export function cutNote(c: CutText, how: string): string {
  if (c.cutChars === 0) return '';
  const what = c.cutLines > 0 ? count(c.cutLines, 'more line') : count(c.cutChars, 'more character');
  return `… ${what} cut (${how} keeps them)`;
}

const fenced = (text: string, lang = ''): string => {
  const f = fenceFor(text);
  return `${f}${lang}\n${text}\n${f}\n`;
};

/** One line of session text inside inline code: controls shown, backticks cannot close it. */
const code = (s: string): string => {
  const t = visible(s).replace(/\n/g, ' ');
  if (t === '') return '*(none)*';
  let longest = 0;
  for (const m of t.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const f = '`'.repeat(longest + 1);
  const pad = longest > 0 ? ' ' : '';
  return `${f}${pad}${t}${pad}${f}`;
};

/** The kilobytes of a size, for notes. */
const kb = (n: number): string => `${Math.max(1, Math.round(n / 1024))} KB`;

/** Renders blocks as Markdown, one string per block. */
export class MarkdownRenderer {
  constructor(private readonly settings: RenderSettings) {}

  start(): string {
    return '';
  }

  block(b: TranscriptBlock, change?: SnapshotChange): string {
    const s = this.settings;
    const when = b.time ? ` · ${visible(b.time)}` : '';
    switch (b.kind) {
      case 'meta': {
        const rows = metaRows(b);
        return (
          `# Session ${code(b.id)}\n\n` +
          rows
            .filter(([, v]) => v !== '')
            .map(([k, v]) => `- **${k}:** ${code(v)}`)
            .join('\n') +
          '\n\n'
        );
      }
      case 'message': {
        const images = b.images
          .map((i) => `*[image${i.mediaType ? `: ${i.mediaType}` : ''}, ${kb(i.size)}]*`)
          .join(' ');
        return `## ${b.role === 'user' ? 'User' : 'Assistant'}${when}\n\n${visible(b.text)}${images ? `\n\n${images}` : ''}\n\n`;
      }
      case 'reasoning': {
        const c = cutFor(b.text, s);
        const note = cutNote(c, 'full');
        const quoted = visible(c.text)
          .split('\n')
          .map((l) => `> ${l}`.trimEnd())
          .join('\n');
        return `> **Reasoning**${when}\n>\n${quoted}\n${note ? `>\n> *${note}*\n` : ''}\n`;
      }
      case 'tool-call': {
        const c = cutFor(b.input, s);
        const note = cutNote(c, 'full');
        return `**Tool call** ${code(b.name)}${b.callId ? ` (${code(b.callId)})` : ''}${when}\n\n${fenced(visible(c.text), b.json ? 'json' : '')}${note ? `\n*${note}*\n` : ''}\n`;
      }
      case 'tool-output': {
        const c = cutFor(b.output, s);
        const note = cutNote(c, 'full');
        return `**Output**${b.callId ? ` (${code(b.callId)})` : ''}\n\n${fenced(visible(c.text))}${note ? `\n*${note}*\n` : ''}\n`;
      }
      case 'compacted':
        return `---\n\n*History compacted here${when}*\n\n`;
      case 'resume':
        return `---\n\n*Resumed after ${idleText(b.idleMs)} idle${when}*\n\n`;
      case 'snapshot': {
        let out = `**Snapshot** of message ${code(b.messageId)}: commit ${code(b.commit.slice(0, 12))}${when}\n\n`;
        if (change?.kind === 'first') out += '*The first snapshot of this workspace in the session.*\n\n';
        if (change?.kind === 'unavailable') out += `*Diff unavailable: ${visible(change.reason)}*\n\n`;
        if (change?.kind === 'diff') {
          out += `Changes since message ${code(change.previous)}:\n\n`;
          if (change.files.length === 0) out += '*No files changed.*\n\n';
          for (const f of change.files) {
            const counts = f.binary ? 'binary' : `+${f.additions ?? 0} −${f.deletions ?? 0}`;
            out += `- ${f.status} ${code(f.oldPath ? `${f.oldPath} → ${f.path}` : f.path)} (${counts})\n`;
          }
          if (change.files.length > 0) out += '\n';
          if (change.patch) out += fenced(visible(change.patch.replace(/\n$/, '')), 'diff') + '\n';
          if (change.cutChars > 0)
            out += `*… ${count(change.cutChars, 'more character')} of the patch cut (full keeps them)*\n\n`;
        }
        return out;
      }
    }
  }

  end(info: { updated: string }): string {
    return info.updated ? `---\n\n*Last line written ${visible(info.updated)}*\n` : '';
  }
}
