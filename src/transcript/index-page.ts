import { TRANSCRIPT_CSS } from './css.js';
import { DOCUMENT_CSP } from './html.js';
import type { TranscriptFormat } from './render.js';
import { attr, html, visible } from './text.js';

/** One session of an exported folder, for its index page. */
export interface IndexEntry {
  id: string;
  /** The document's file name in the folder. */
  file: string;
  title: string;
  createdAt: string;
  cwd: string;
}

/** A Markdown link text that cannot break out of its brackets. */
const linkText = (s: string): string =>
  visible(s)
    .replace(/[\\[\]`*_<>]/g, (c) => `\\${c}`)
    .replace(/\n/g, ' ');

/** The index page of an export folder: every session, newest first as listed, linked by file name. */
export function indexDocument(entries: readonly IndexEntry[], format: TranscriptFormat, now: Date): string {
  const stamp = now.toISOString();
  if (format === 'markdown') {
    return (
      `# Sessions\n\n${entries.length} session${entries.length === 1 ? '' : 's'}, exported ${stamp}.\n\n` +
      entries
        .map(
          (e) =>
            `- [${linkText(e.title || e.id)}](${encodeURI(e.file)}) — ${visible(e.createdAt)}${e.cwd ? ` — ${linkText(e.cwd)}` : ''}`,
        )
        .join('\n') +
      '\n'
    );
  }
  const rows = entries
    .map(
      (e) =>
        `<tr><td class="when">${html(e.createdAt)}</td><td><a href="${attr(encodeURI(e.file))}">${html(e.title || e.id)}</a>` +
        `<div class="dim">${html(e.id)}</div></td><td>${html(e.cwd)}</td></tr>`,
    )
    .join('\n');
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${DOCUMENT_CSP}">\n<meta name="referrer" content="no-referrer">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>Sessions</title>\n<style>${TRANSCRIPT_CSS}</style>\n</head>\n<body>\n<main>\n` +
    `<h1>Sessions</h1>\n<p class="dim">${entries.length} session${entries.length === 1 ? '' : 's'}, exported ${html(stamp)}</p>\n` +
    `<table class="list"><thead><tr><th>created</th><th>session</th><th>cwd</th></tr></thead><tbody>\n${rows}\n</tbody></table>\n</main>\n</body>\n</html>\n`
  );
}
