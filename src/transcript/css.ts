import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The styles of a transcript page, inlined into every HTML file (no network): light by default,
 * dark when the reader's system prefers it. diff2html's own stylesheet ships in its package and is
 * read from there once.
 */
export const TRANSCRIPT_CSS = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1f2328; --dim: #656d76; --line: #d0d7de;
  --user: #ddf4ff; --assistant: #f6f8fa; --tool: #fff8c5; --code: #f6f8fa; --accent: #0969da; --ctl: #cf222e; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --dim: #8d96a0; --line: #30363d;
    --user: #0c2d48; --assistant: #161b22; --tool: #2e2a12; --code: #161b22; --accent: #4493f8; --ctl: #ff7b72; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 16px; }
a { color: var(--accent); }
code, pre { font: 13px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { background: var(--code); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
  margin: 6px 0; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; unicode-bidi: isolate; }
.dim, time { color: var(--dim); font-size: 13px; }
.ctl { color: var(--ctl); font-family: ui-monospace, monospace; }
header.session h1 { font-size: 20px; margin: 0 0 8px; overflow-wrap: anywhere; }
header.session dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 16px; }
header.session dt { color: var(--dim); }
header.session dd { margin: 0; overflow-wrap: anywhere; }
.msg { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; margin: 12px 0; unicode-bidi: isolate; }
.msg.user { background: var(--user); }
.msg.assistant { background: var(--assistant); }
.msg > .head { font-weight: 600; }
.msg .text { overflow-wrap: anywhere; }
.msg.user .text { white-space: pre-wrap; }
.msg img { max-width: 100%; border-radius: 4px; display: block; margin: 6px 0; }
details { margin: 6px 0; }
details > summary { cursor: pointer; }
details.tool, details.reasoning, .output { border-left: 3px solid var(--line); padding-left: 10px; margin-left: 4px; }
details.tool > summary .tag { background: var(--tool); border-radius: 4px; padding: 0 4px; }
details.reasoning .text { white-space: pre-wrap; color: var(--dim); font-style: italic; }
.output > .label { color: var(--dim); font-size: 13px; }
.note { color: var(--dim); font-style: italic; font-size: 13px; }
.marker { text-align: center; color: var(--dim); border-top: 1px dashed var(--line); margin: 16px 0; padding-top: 4px; font-size: 13px; }
.snapshot { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; margin: 12px 0; }
.snapshot .files { margin: 4px 0; padding-left: 18px; }
.d2h-wrapper { font-size: 13px; }
table.list { border-collapse: collapse; width: 100%; }
table.list th, table.list td { text-align: left; border-bottom: 1px solid var(--line); padding: 4px 6px; vertical-align: top; }
table.list td.when { white-space: nowrap; }
table.list td .preview { overflow-wrap: anywhere; }
.snippet { color: var(--dim); font-size: 13px; }
.snippet mark { background: var(--tool); color: inherit; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin: 8px 0 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--dim); }
input, select, button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 2px 6px; }
.command { user-select: all; }
nav.pages { margin: 12px 0; display: flex; gap: 16px; }
body > nav.pages { max-width: 980px; margin: 0 auto; padding: 12px 16px 0; }
dl.snapshot-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
dl.snapshot-facts dt { color: var(--dim); }
dl.snapshot-facts dd { margin: 0; overflow-wrap: anywhere; }
`;

let diffCss: string | undefined;

/** diff2html's stylesheet, read from its package once. */
export function diff2htmlCss(): string {
  if (diffCss === undefined) {
    const require = createRequire(import.meta.url);
    diffCss = readFileSync(require.resolve('diff2html/bundles/css/diff2html.min.css'), 'utf8');
  }
  return diffCss;
}
