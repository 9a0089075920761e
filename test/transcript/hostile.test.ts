import { describe, expect, it } from 'vitest';
import { renderTranscript } from '../../src/index.js';
import { cutText, fenceFor, html, visible } from '../../src/transcript/text.js';
import { hostileSession } from '../helpers/transcript-sessions.js';

// Characters that must never reach a document raw: C0 (but tab and newline), C1, bidi controls.
// eslint-disable-next-line no-control-regex
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('hostile session content', () => {
  it('HTML: no element, attribute, handler or link of the session survives as markup', async () => {
    const s = await hostileSession();
    const doc = await renderTranscript(s.path, { format: 'html', home: s.home });
    expect(doc).not.toMatch(/<script/i);
    expect(doc).not.toMatch(/<svg/i);
    expect(doc).not.toMatch(/<[a-z][^>]*\son\w+\s*=/i); // no event handler attribute on any element
    expect(doc).not.toMatch(/(href|src)\s*=\s*["']?\s*(javascript|data:text)/i);
    expect(doc).not.toMatch(/<img[^>]+src="http/i); // a remote image is never loaded
    expect(doc).not.toContain('</textarea>');
    expect(doc).not.toMatch(RAW_CONTROLS);
    expect(doc).toContain('<span class="ctl">\\u{202e}</span>');
    expect(doc).toContain('&lt;script&gt;window.__pwned = 1;');
    expect(doc).toContain('[image 1: not a data: URL, not shown]');
    expect(doc).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    );
    // Every block the session could try to close is still balanced.
    for (const tag of ['details', 'section', 'pre', 'main']) {
      const open = doc.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length ?? 0;
      const close = doc.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
      expect(close, tag).toBe(open);
    }
  });

  it('Markdown: controls shown as escapes, fences the content cannot close', async () => {
    const s = await hostileSession();
    const doc = await renderTranscript(s.path, { format: 'markdown', home: s.home });
    expect(doc).not.toMatch(RAW_CONTROLS);
    expect(doc).toContain('bidi \\u{202e}evil\\u{202c}');
    expect(doc).toContain('````\n'); // the arguments hold ``` so their fence is longer
  });
});

describe('text helpers', () => {
  it.each([
    ['<a href="x">&\'', '&lt;a href=&quot;x&quot;&gt;&amp;&#39;'],
    ['\u202e', '<span class="ctl">\\u{202e}</span>'],
    ['tab\tand\nnewline', 'tab\tand\nnewline'],
  ])('html(%j)', (input, out) => {
    expect(html(input)).toBe(out);
  });

  it('visible() leaves ordinary text alone', () => {
    expect(visible('héllo ✓ 日本')).toBe('héllo ✓ 日本');
  });

  it('fenceFor() is longer than any backtick run', () => {
    expect(fenceFor('a ``` b ````` c')).toBe('``````');
    expect(fenceFor('plain')).toBe('```');
  });

  it.each([
    [['a', 'b', 'c'].join('\n'), 2, { text: 'a\nb\nc', cutLines: 0 }],
    [['a', 'b', 'c', 'd'].join('\n'), 2, { text: 'a\nb', cutLines: 2 }],
  ])('cutText keeps a single last line but announces more', (text, lines, want) => {
    expect(cutText(text, lines, 100, 1000)).toMatchObject(want);
  });

  it('cutText never splits a surrogate pair', () => {
    const c = cutText('ab😀cd', 1, 3, 1000);
    expect(c.text).toBe('ab…');
  });
});
