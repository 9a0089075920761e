import { describe, expect, it } from 'vitest';
import {
  cutLeftToWidth,
  cutToWidth,
  displayWidth,
  padToWidth,
  safeLine,
  safeText,
} from '../../src/cli/terminal-text.js';

describe('safeText', () => {
  it.each([
    ['OSC 52 (clipboard)', '\u001b]52;c;aGVsbG8=\u0007', '\\x1b]52;c;aGVsbG8=\\x07'],
    ['clear screen', 'a\u001b[2Jb', 'a\\x1b[2Jb'],
    ['C1 CSI', 'x\u009b31m', 'x\\x9b31m'],
    ['DEL and NUL', '\u007f\u0000', '\\x7f\\x00'],
    ['a bidi override', 'abc\u202eevil', 'abc\\u202eevil'],
    ['a bidi isolate', '\u2066x\u2069', '\\u2066x\\u2069'],
    ['a carriage return', 'ok\rFAKE', 'ok\\x0dFAKE'],
    ['a line separator', 'a\u2028b', 'a\\u2028b'],
  ])('shows %s instead of sending it', (_what, input, shown) => {
    expect(safeText(input)).toBe(shown);
    expect(safeText(input, { multiline: true })).toBe(shown);
  });

  it('keeps newlines and tabs in multi-line text, and shows newlines in one-line text', () => {
    expect(safeText('a\n\tb\r\nc', { multiline: true })).toBe('a\n\tb\nc');
    expect(safeText('a\nb')).toBe('a\\x0ab');
    expect(safeLine('  first\n\tsecond  \u001b[31m ')).toBe('first second \\x1b[31m');
  });

  it('leaves ordinary text alone: accents, CJK, RTL letters, emoji, ZWJ sequences', () => {
    const text = 'café 漢字 שלום مرحبا 👩‍👩‍👧 🇫🇷';
    expect(safeText(text)).toBe(text);
  });
});

describe('widths in terminal cells', () => {
  it.each([
    ['ascii', 'abc', 3],
    ['CJK', '漢字', 4],
    ['an emoji', '🙂', 2],
    ['a ZWJ family', '👩‍👩‍👧', 2],
    ['a flag', '🇫🇷', 2],
    ['a combining accent', 'e\u0301', 1],
  ])('%s', (_what, text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it('cuts between graphemes, never inside one, to at most the width', () => {
    for (const text of ['漢字漢字漢字', '🙂🙂🙂🙂', '👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧', 'abcdefgh', 'e\u0301e\u0301e\u0301e\u0301']) {
      for (let width = 1; width <= 8; width++) {
        const cut = cutToWidth(text, width);
        expect(displayWidth(cut)).toBeLessThanOrEqual(width);
        expect(cut).not.toContain('\uFFFD');
        expect(text.startsWith(cut.replace(/…$/, ''))).toBe(true);
        const left = cutLeftToWidth(text, width);
        expect(displayWidth(left)).toBeLessThanOrEqual(width);
        expect(text.endsWith(left.replace(/^…/, ''))).toBe(true);
      }
    }
    expect(cutToWidth('🙂🙂🙂', 5)).toBe('🙂🙂…');
    expect(cutToWidth('short', 10)).toBe('short');
    expect(padToWidth('漢', 4)).toBe('漢  ');
  });
});
