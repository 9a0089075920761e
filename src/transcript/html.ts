import { html as diffHtml } from 'diff2html';
import { ColorSchemeType } from 'diff2html/lib/types.js';
import MarkdownIt from 'markdown-it';
import type { TranscriptBlock } from './blocks.js';
import { idleText, metaRows } from './blocks.js';
import { TRANSCRIPT_CSS, diff2htmlCss } from './css.js';
import type { RenderSettings } from './markdown.js';
import type { SnapshotChange } from './snapshot-diff.js';
import { attr, count, cutText, html, visible } from './text.js';

/** Lines of a tool output shown before "show all". */
export const PREVIEW_LINES = 12;
/** Characters of one tool output or argument block kept unless `full` (the rest is noted). */
export const HTML_MAX_CHARS = 1024 * 1024;

/**
 * The policy every transcript page carries: nothing loads or runs, whatever a session holds (no
 * script at all, styles only inline, images only from `data:` URLs).
 */
export const DOCUMENT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/**
 * Markdown of assistant messages: raw HTML off (shown as text), links only of safe schemes
 * (markdown-it refuses `javascript:`, `vbscript:`, `file:` and non-image `data:`), and images only
 * from `data:` URLs, any other image written as its link text so a page never fetches anything.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
const SAFE_IMAGE = /^data:image\/(?:png|jpeg|gif|webp);base64,/i;
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx]!;
  const src = String(token.attrGet('src') ?? '');
  const alt = token.children ? token.children.map((c) => c.content).join('') : token.content;
  if (SAFE_IMAGE.test(src)) return `<img src="${attr(src)}" alt="${attr(alt)}">`;
  return `<span class="note">[image ${html(alt)}: ${html(src)}]</span>`;
};
const defaultLinkOpen =
  md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Assistant text (Markdown) as HTML: controls shown as escapes first, so none reaches the page. */
export function markdownHtml(text: string): string {
  return md.render(visible(text));
}

/** Options of the HTML renderer beyond the shared ones. */
export interface HtmlSettings extends RenderSettings {
  /** A whole document (head, inline styles) rather than the body for a page that wraps it. */
  document: boolean;
  /** The link to a snapshot's own page (the viewer), if any. */
  snapshotHref?: (messageId: string) => string;
}

/** A tool text in a block: the first lines, the rest under "show all", cut past the limit. */
function longText(text: string, s: RenderSettings, what: string): string {
  const kept = s.full
    ? cutText(text, Infinity, Infinity, Infinity)
    : cutText(text, Infinity, Infinity, HTML_MAX_CHARS);
  const cutNote =
    kept.cutChars > 0
      ? `<p class="note">… ${count(kept.cutChars, 'more character')} of this ${what} cut (full keeps them)</p>`
      : '';
  const t = kept.text;
  let nl = -1;
  for (let i = 0; i < PREVIEW_LINES; i++) {
    nl = t.indexOf('\n', nl + 1);
    if (nl === -1) break;
  }
  if (nl === -1) return `<pre>${html(t)}</pre>${cutNote}`;
  let rest = 0;
  for (let i = nl; i !== -1; i = t.indexOf('\n', i + 1)) rest++;
  return (
    `<pre>${html(t.slice(0, nl))}</pre>` +
    `<details class="more"><summary>show all ${kept.lines} lines (${count(rest, 'more line')})</summary>` +
    `<pre>${html(t.slice(nl + 1))}</pre></details>${cutNote}`
  );
}

const timeTag = (t: string): string => (t ? ` <time datetime="${attr(t)}">${html(t)}</time>` : '');

/** Renders blocks as HTML, one string per block. */
export class HtmlRenderer {
  constructor(private readonly settings: HtmlSettings) {}

  /** The document's start, up to the opening of its main element. */
  start(title: string): string {
    if (!this.settings.document) return '<main class="transcript">\n';
    return (
      '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
      `<meta http-equiv="Content-Security-Policy" content="${DOCUMENT_CSP}">\n` +
      '<meta name="referrer" content="no-referrer">\n' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
      `<title>${html(title)}</title>\n<style>${TRANSCRIPT_CSS}\n${diff2htmlCss()}</style>\n</head>\n<body>\n<main class="transcript">\n`
    );
  }

  block(b: TranscriptBlock, change?: SnapshotChange): string {
    const s = this.settings;
    const id = `L${b.line}`;
    switch (b.kind) {
      case 'meta': {
        const rows = metaRows(b);
        return (
          `<header class="session"><h1>Session <code>${html(b.id)}</code></h1><dl>` +
          rows
            .filter(([, v]) => v !== '')
            .map(([k, v]) => `<dt>${k}</dt><dd>${html(v)}</dd>`)
            .join('') +
          '</dl></header>\n'
        );
      }
      case 'message': {
        const images = b.images
          .map((i, n) =>
            i.dataUrl
              ? `<img src="${attr(i.dataUrl)}" alt="image ${n + 1}">`
              : `<p class="note">[image ${n + 1}: not a data: URL, not shown]</p>`,
          )
          .join('');
        const body = b.role === 'user' ? html(b.text) : markdownHtml(b.text);
        return (
          `<section class="msg ${b.role}" id="${id}"><div class="head">${b.role === 'user' ? 'User' : 'Assistant'}${timeTag(b.time)}</div>` +
          `<div class="text">${body}</div>${images}</section>\n`
        );
      }
      case 'reasoning':
        return `<details class="reasoning" id="${id}"><summary>reasoning${timeTag(b.time)}</summary><div class="text">${html(b.text)}</div></details>\n`;
      case 'tool-call':
        return (
          `<details class="tool" id="${id}"><summary><span class="tag">tool call</span> <code>${html(b.name)}</code>` +
          `${b.callId ? ` <span class="dim">${html(b.callId)}</span>` : ''}${timeTag(b.time)}</summary>` +
          `${longText(b.input, s, 'call')}</details>\n`
        );
      case 'tool-output':
        return (
          `<div class="output" id="${id}"><div class="label">output${b.callId ? ` of ${html(b.callId)}` : ''}</div>` +
          `${longText(b.output, s, 'output')}</div>\n`
        );
      case 'compacted':
        return `<div class="marker" id="${id}">history compacted here${timeTag(b.time)}</div>\n`;
      case 'resume':
        return `<div class="marker resume" id="${id}">resumed after ${idleText(b.idleMs)} idle${timeTag(b.time)}</div>\n`;
      case 'snapshot':
        return this.#snapshot(b, change);
    }
  }

  #snapshot(b: Extract<TranscriptBlock, { kind: 'snapshot' }>, change?: SnapshotChange): string {
    const link = this.settings.snapshotHref
      ? ` · <a href="${attr(this.settings.snapshotHref(b.messageId))}">snapshot page</a>`
      : '';
    let out =
      `<section class="snapshot" id="L${b.line}"><div class="head">snapshot of message <code>${html(b.messageId)}</code>: ` +
      `commit <code>${html(b.commit.slice(0, 12))}</code>${timeTag(b.time)}${link}</div>`;
    out += changeHtml(change);
    return `${out}</section>\n`;
  }

  end(info: { updated: string }): string {
    const last = info.updated ? `<p class="note">last line written ${html(info.updated)}</p>\n` : '';
    return `${last}</main>\n${this.settings.document ? '</body>\n</html>\n' : ''}`;
  }
}

/** A snapshot's change as HTML: the files and the diff (diff2html), or why there is none. */
export function changeHtml(change: SnapshotChange | undefined): string {
  if (change === undefined) return '';
  if (change.kind === 'first')
    return '<p class="note">the first snapshot of this workspace in the session</p>';
  if (change.kind === 'unavailable') return `<p class="note">diff unavailable: ${html(change.reason)}</p>`;
  if (change.files.length === 0)
    return `<p class="note">no files changed since message ${html(change.previous)}</p>`;
  let added = 0;
  let removed = 0;
  for (const f of change.files) {
    added += f.additions ?? 0;
    removed += f.deletions ?? 0;
  }
  const diff = change.patch
    ? diffHtml(change.patch, {
        drawFileList: false,
        outputFormat: 'line-by-line',
        matching: 'none',
        colorScheme: ColorSchemeType.AUTO,
      })
    : '';
  const files = change.files
    .map((f) => {
      const counts = f.binary ? 'binary' : `+${f.additions ?? 0} −${f.deletions ?? 0}`;
      return `<li>${html(f.status)} <code>${html(f.oldPath ? `${f.oldPath} → ${f.path}` : f.path)}</code> <span class="dim">${counts}</span></li>`;
    })
    .join('');
  const cut =
    change.cutChars > 0
      ? `<p class="note">… ${count(change.cutChars, 'more character')} of the patch cut (full keeps them)</p>`
      : '';
  return (
    `<details class="diff" open><summary>${count(change.files.length, 'file')} changed since message <code>${html(change.previous)}</code> ` +
    `<span class="dim">+${added} −${removed}</span></summary><ul class="files">${files}</ul>${diff}${cut}</details>`
  );
}
